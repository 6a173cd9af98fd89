/*
 * `flotilla serve`: open the store, serve the API, run the loop until
 * SIGINT/SIGTERM. Prints "listening on ADDR:PORT" once the socket is bound,
 * so scripts can start it on port 0 and read the port back.
 */
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/loop.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: flotilla serve [options]\n"
            "  --listen ADDR:PORT   address to serve HTTP on (default 127.0.0.1:8080; port 0 = any)\n"
            "  --data-dir DIR       where the SQLite store lives (default ./data)\n"
            "  --store KIND         sqlite (default) or memory (nothing survives a restart)\n"
            "  --watch-history N    events kept for watches and paginated lists (default 50000)\n");
}

static void on_signal(evutil_socket_t sig, short what, void *base)
{
    fl_loop_stop(base);
}

int fl_cmd_serve(int argc, char **argv)
{
    const char *listen = "127.0.0.1:8080", *dir = "data", *kind = "sqlite";
    struct fl_store_opts opts = {0};
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},   {"data-dir", required_argument, NULL, 'd'},
        {"store", required_argument, NULL, 's'},    {"watch-history", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': listen = optarg; break;
        case 'd': dir = optarg; break;
        case 's': kind = optarg; break;
        case 'w': opts.history = strtoul(optarg, NULL, 10); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }

    int rc = 1;
    struct fl_err err = {0};
    struct fl_backend *backend = NULL;
    struct fl_store *store = NULL;
    struct fl_api *api = NULL;
    struct event *sigint = NULL, *sigterm = NULL;
    struct event_base *base = fl_loop_base_new();
    FL_ASSERT(base != NULL);
    signal(SIGPIPE, SIG_IGN);

    if (!strcmp(kind, "memory")) {
        backend = fl_backend_memory_new();
    } else if (!strcmp(kind, "sqlite")) {
        if (fl_backend_sqlite_open(dir, &backend, &err) != 0)
            goto out;
    } else {
        fprintf(stderr, "flotilla serve: unknown store '%s' (sqlite or memory)\n", kind);
        goto out;
    }
    if (fl_store_open(backend, &opts, &store, &err) != 0 || fl_api_new(base, store, &api, &err) != 0 ||
        fl_api_listen(api, listen, &err) != 0)
        goto out;
    sigint = evsignal_new(base, SIGINT, on_signal, base);
    sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    evsignal_add(sigint, NULL);
    evsignal_add(sigterm, NULL);
    const char *colon = strrchr(listen, ':');
    printf("flotilla: %zu objects at revision %llu (%s store)\n", fl_store_count(store),
           (unsigned long long)fl_store_rev(store), kind);
    printf("listening on %.*s:%d\n", (int)(colon - listen), listen, fl_api_port(api));
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
    fl_api_free(api);
    fl_store_free(store);
    fl_backend_close(backend);
    event_base_free(base);
    return rc;
}
