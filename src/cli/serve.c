/*
 * `flotilla serve`: open the store, serve the API, run the loop until
 * SIGINT/SIGTERM. Prints "listening on ADDR:PORT" once the socket is bound,
 * so scripts can start it on port 0 and read the port back, and, when asked
 * for a kubeconfig, "kubeconfig written to FILE" right after (the file is
 * complete before either line).
 *
 * HTTPS with authentication is the default, as kube-apiserver's: the PKI
 * under <data-dir>/pki is made on first start and reused (api/tls.h) unless
 * files are given. --insecure-http serves plain HTTP to anyone, so it is
 * refused on every address but loopback.
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/http.h"
#include "api/tls.h"
#include "cli/cli.h"
#include "controllers/gc.h"
#include "core/loop.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: flotilla serve [options]\n"
        "  --listen ADDR:PORT   address to serve HTTPS on (default 127.0.0.1:8080; port 0 = any)\n"
        "  --data-dir DIR       where the SQLite store and the generated PKI (DIR/pki) live\n"
        "                       (default ./data)\n"
        "  --store KIND         sqlite (default) or memory (nothing survives a restart)\n"
        "  --watch-history N    events kept for watches and paginated lists (default 50000)\n"
        "  --tls-cert-file FILE, --tls-private-key-file FILE\n"
        "                       serving certificate (chain) and key, PEM (default: DIR/pki/\n"
        "                       apiserver.{crt,key}, generated, signed by DIR/pki/ca.crt)\n"
        "  --client-ca-file FILE  CAs that client certificates must chain to; the user is\n"
        "                       the certificate's CN (default DIR/pki/ca.crt)\n"
        "  --token-auth-file FILE bearer tokens, lines token,user,uid[,\"group1,group2\"]\n"
        "                       (default DIR/pki/tokens.csv, holding a generated admin token)\n"
        "  --kubeconfig-out FILE  write a kubeconfig for the admin (client certificate of\n"
        "                       DIR/pki/admin.crt)\n"
        "  --insecure-http      plain HTTP without authentication, on loopback addresses only\n");
}

static void on_signal(evutil_socket_t sig, short what, void *base)
{
    fl_loop_stop(base);
}

struct security {
    const char *cert, *key, *client_ca, *tokens, *kubeconfig; /* flags; NULL if not given */
    struct fl_tls_pki pki;
    SSL_CTX *tls;
    struct fl_auth *auth;
};

/* The TLS context and the authenticator, from the flags and the PKI. */
static int security_setup(struct security *s, const char *dir, const char *ip, struct fl_err *err)
{
    if (!s->cert != !s->key)
        return fl_errf(err, 400, "BadRequest",
                       "--tls-cert-file and --tls-private-key-file go together");
    if (fl_tls_pki_ensure(&s->pki, dir, ip, !s->cert, err) != 0 ||
        fl_tls_server_ctx_new(s->cert ? s->cert : s->pki.cert, s->key ? s->key : s->pki.key,
                              s->client_ca ? s->client_ca : s->pki.ca_cert, &s->tls, err) != 0 ||
        fl_auth_new(s->tokens ? s->tokens : s->pki.tokens, &s->auth, err) != 0)
        return FL_EFAIL;
    return FL_OK;
}

/* The kubeconfig for the admin. The CA data is the generated CA, plus the
 * given serving certificate if there is one (the generated CA may not have
 * signed it; Go clients trust a certificate found among their roots). */
static int security_kubeconfig(struct security *s, const char *ip, int port, struct fl_err *err)
{
    /* Clients reach the wildcard address on loopback. */
    char *server = fl_xasprintf("https://%s:%d", strcmp(ip, "0.0.0.0") ? ip : "127.0.0.1", port);
    int rc = fl_tls_write_kubeconfig(s->kubeconfig, "flotilla", server, s->pki.ca_cert, s->cert,
                                     s->pki.admin_cert, s->pki.admin_key, err);
    free(server);
    if (rc == 0 && s->client_ca)
        fprintf(stderr,
                "flotilla serve: warning: the kubeconfig's client certificate is signed by %s; "
                "it is accepted only if --client-ca-file %s trusts that CA\n",
                s->pki.ca_cert, s->client_ca);
    return rc;
}

static void security_release(struct security *s)
{
    fl_auth_free(s->auth);
    SSL_CTX_free(s->tls);
    fl_tls_pki_release(&s->pki);
}

int fl_cmd_serve(int argc, char **argv)
{
    const char *listen = "127.0.0.1:8080", *dir = "data", *kind = "sqlite";
    struct fl_store_opts opts = {0};
    struct security sec = {0};
    bool insecure = false;
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"data-dir", required_argument, NULL, 'd'},
        {"store", required_argument, NULL, 's'},
        {"watch-history", required_argument, NULL, 'w'},
        {"tls-cert-file", required_argument, NULL, 'c'},
        {"tls-private-key-file", required_argument, NULL, 'k'},
        {"client-ca-file", required_argument, NULL, 'a'},
        {"token-auth-file", required_argument, NULL, 't'},
        {"kubeconfig-out", required_argument, NULL, 'o'},
        {"insecure-http", no_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            listen = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        case 's':
            kind = optarg;
            break;
        case 'w':
            opts.history = strtoul(optarg, NULL, 10);
            break;
        case 'c':
            sec.cert = optarg;
            break;
        case 'k':
            sec.key = optarg;
            break;
        case 'a':
            sec.client_ca = optarg;
            break;
        case 't':
            sec.tokens = optarg;
            break;
        case 'o':
            sec.kubeconfig = optarg;
            break;
        case 'i':
            insecure = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }

    struct fl_err err = {0};
    struct sockaddr_in sin;
    char ip[INET_ADDRSTRLEN];
    if (fl_http_parse_addr(listen, &sin, &err) != 0) {
        fprintf(stderr, "flotilla serve: %s\n", err.message);
        return 2;
    }
    inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip));
    if (insecure && (ntohl(sin.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr,
                "flotilla serve: refusing --insecure-http on %s: plain HTTP has neither TLS nor "
                "authentication, so it is only served on loopback (127.0.0.0/8). Leave "
                "--insecure-http out to serve HTTPS on %s.\n",
                listen, listen);
        return 2;
    }
    if (insecure && (sec.cert || sec.key || sec.client_ca || sec.tokens || sec.kubeconfig)) {
        fprintf(stderr, "flotilla serve: --insecure-http has no TLS or authentication to set up: "
                        "leave out either it or --tls-cert-file, --tls-private-key-file, "
                        "--client-ca-file, --token-auth-file and --kubeconfig-out\n");
        return 2;
    }

    int rc = 1;
    struct fl_backend *backend = NULL;
    struct fl_store *store = NULL;
    struct fl_api *api = NULL;
    struct fl_gc *gc = NULL;
    struct event *sigint = NULL, *sigterm = NULL;
    fl_cli_raise_fd_limit("flotilla serve");
    struct event_base *base = fl_loop_base_new();
    FL_ASSERT(base != NULL);
    signal(SIGPIPE, SIG_IGN);

    if (!insecure) {
        if (security_setup(&sec, dir, ip, &err) != 0)
            goto out;
    }
    if (!strcmp(kind, "memory")) {
        backend = fl_backend_volatile_new();
    } else if (!strcmp(kind, "sqlite")) {
        if (fl_backend_sqlite_open(dir, &backend, &err) != 0)
            goto out;
    } else {
        fprintf(stderr, "flotilla serve: unknown store '%s' (sqlite or memory)\n", kind);
        goto out;
    }
    if (fl_store_open(backend, &opts, &store, &err) != 0 ||
        fl_api_new(base, store, &api, &err) != 0 || fl_gc_start(base, store, &gc, &err) != 0 ||
        fl_api_listen_sec(api, listen, insecure ? NULL : &(struct fl_http_sec){sec.tls, sec.auth},
                          &err) != 0)
        goto out;
    if (sec.kubeconfig && security_kubeconfig(&sec, ip, fl_api_port(api), &err) != 0)
        goto out;
    sigint = evsignal_new(base, SIGINT, on_signal, base);
    sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    evsignal_add(sigint, NULL);
    evsignal_add(sigterm, NULL);
    const char *colon = strrchr(listen, ':');
    printf("flotilla: %zu objects at revision %llu (%s store, %s)\n", fl_store_count(store),
           (unsigned long long)fl_store_rev(store), kind,
           insecure ? "plain HTTP without authentication" : "HTTPS");
    printf("listening on %.*s:%d\n", (int)(colon - listen), listen, fl_api_port(api));
    if (sec.kubeconfig)
        printf("kubeconfig written to %s\n", sec.kubeconfig);
    fflush(stdout);
    fl_loop_run(base, fl_api_before_sleep, api);
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "flotilla serve: %s\n", err.message[0] ? err.message : "failed");
    if (sigint)
        event_free(sigint);
    if (sigterm)
        event_free(sigterm);
    fl_gc_stop(gc);
    fl_api_free(api);
    security_release(&sec); /* after the listener that borrowed the authenticator */
    fl_store_free(store);
    fl_backend_close(backend);
    event_base_free(base);
    return rc;
}
