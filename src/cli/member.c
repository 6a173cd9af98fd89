/*
 * `flotilla member`: simulated member clusters (member/member.h), one per
 * cluster of a fleet file, or one named on the command line, all on one
 * event loop. Each cluster serves HTTPS on its own port with its own PKI
 * (<data-dir>/<name>/pki) and, with --kubeconfig-dir, writes
 * <dir>/<name>.kubeconfig. Prints "cluster NAME listening on ADDR:PORT" per
 * cluster, "control listening on ADDR:PORT" for the control endpoint, then
 * "fleet ready: ..." once everything is up (scripts wait for that line).
 *
 * The control endpoint (plain HTTP, loopback only) injects faults at run
 * time:
 *   GET /clusters                               every cluster, its port and fault
 *   PUT /clusters/NAME/fault                    {"mode": "refuse"|"hang"|"slow"|"none",
 *                                                "delayMs": N (slow)}
 *   PUT /clusters/NAME/nodes/NODE/fault         {"ready": false|true}
 * Errors are metav1.Status objects, like the API's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/http.h"
#include "api/registry.h"
#include "api/status.h"
#include "cli/cli.h"
#include "core/alloc.h"
#include "core/loop.h"
#include "member/fleet.h"
#include "member/member.h"
#include "member/sim.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: flotilla member --fleet FILE [options]\n"
            "       flotilla member --name NAME [--listen ADDR:PORT] [--nodes N] [options]\n"
            "  --fleet FILE          host every cluster of a fleet file (docs/fleet-file.md);\n"
            "                        with --name, only that one\n"
            "  --name NAME           one cluster; without --fleet it has N nodes (--nodes,\n"
            "                        default 3) of 8 cpu, 32Gi memory, 110 pods\n"
            "  --listen ADDR:PORT    where that one cluster serves (default from the fleet\n"
            "                        file, else 127.0.0.1:0 = any free port)\n"
            "  --kubeconfig-dir DIR  write DIR/NAME.kubeconfig (admin) for each cluster\n"
            "  --data-dir DIR        the clusters' PKI: DIR/NAME/pki (default data/members)\n"
            "  --control ADDR:PORT   fault-injection endpoint, plain HTTP on loopback\n"
            "  --watch-history N     events kept per cluster for watches (default 5000)\n"
            "  --insecure-http       plain HTTP without authentication, loopback only\n");
}

struct fleet_proc {
    struct fl_member **members;
    size_t n;
    struct fl_http *control;
};

static void before_sleep(void *arg)
{
    struct fleet_proc *p = arg;
    for (size_t i = 0; i < p->n; i++)
        fl_member_before_sleep(p->members[i]);
    if (p->control)
        fl_http_flush(p->control);
}

static void on_signal(evutil_socket_t sig, short what, void *base)
{
    fl_loop_stop(base);
}

/* ---- control endpoint ----------------------------------------------------- */

static const char *const fault_names[] = {"none", "refuse", "hang", "slow"};

static void reply(struct fleet_proc *p, struct evhttp_request *req, int code, json_t *doc)
{
    char *s = json_dumps(doc, JSON_COMPACT);
    struct evbuffer *b = evbuffer_new();
    FL_ASSERT(s && b);
    evbuffer_add(b, s, strlen(s));
    free(s);
    json_decref(doc);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    fl_http_reply(p->control, req, code, b);
}

static void reply_err(struct fleet_proc *p, struct evhttp_request *req, const struct fl_err *e)
{
    reply(p, req, e->code, fl_status_json(e));
}

static json_t *cluster_json(const struct fl_member *m)
{
    size_t nodes = 0;
    for (size_t i = 0; i < m->spec->npools; i++)
        nodes += m->spec->pools[i].count;
    json_t *c = json_pack("{s:s,s:i,s:s,s:I}", "name", m->spec->name, "port",
                          fl_member_port(m), "fault", fault_names[m->fault], "nodes",
                          (json_int_t)nodes);
    if (m->fault == FL_FAULT_SLOW)
        json_object_set_new(c, "delayMs", json_integer(m->fault_delay_ms));
    return c;
}

static struct fl_member *find_member(struct fleet_proc *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->n; i++)
        if (strlen(p->members[i]->spec->name) == len &&
            !strncmp(p->members[i]->spec->name, name, len))
            return p->members[i];
    return NULL;
}

static json_t *body_json(struct evhttp_request *req, struct fl_err *err)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    json_error_t je;
    json_t *doc = json_loadb((const char *)evbuffer_pullup(in, -1), len, 0, &je);
    if (!json_is_object(doc)) {
        json_decref(doc);
        fl_errf(err, 400, "BadRequest", "the body must be a JSON object");
        return NULL;
    }
    return doc;
}

static int set_fault(struct fl_member *m, const json_t *body, struct fl_err *err)
{
    const char *mode = json_string_value(json_object_get(body, "mode"));
    const json_t *jd = json_object_get(body, "delayMs");
    enum fl_member_fault f = FL_FAULT_NONE;
    while (mode && f <= FL_FAULT_SLOW && strcmp(fault_names[f], mode) != 0)
        f++;
    if (!mode || f > FL_FAULT_SLOW)
        return fl_errf(err, 422, "Invalid",
                       "mode: Unsupported value: must be one of refuse, hang, slow, none");
    if (jd && (!json_is_integer(jd) || json_integer_value(jd) < 0 ||
               json_integer_value(jd) > 3600000))
        return fl_errf(err, 422, "Invalid", "delayMs: must be an integer from 0 to 3600000");
    if (f == FL_FAULT_SLOW && !json_integer_value(jd))
        return fl_errf(err, 422, "Invalid", "delayMs: Required value: slow needs a delay");
    return fl_member_set_fault(m, f, (uint32_t)json_integer_value(jd), err);
}

static void control(struct evhttp_request *req, void *arg)
{
    struct fleet_proc *p = arg;
    struct fl_err err;
    fl_err_clear(&err);
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    enum evhttp_cmd_type verb = evhttp_request_get_command(req);
    if (!path)
        path = "";
    if (!strcmp(path, "/clusters") && verb == EVHTTP_REQ_GET) {
        json_t *l = json_array();
        for (size_t i = 0; i < p->n; i++)
            json_array_append_new(l, cluster_json(p->members[i]));
        return reply(p, req, 200, json_pack("{s:o}", "clusters", l));
    }
    if (!strcmp(path, "/healthz"))
        return reply(p, req, 200, json_pack("{s:s}", "status", "ok"));
    const char *rest = !strncmp(path, "/clusters/", 10) ? path + 10 : NULL;
    size_t nlen = rest ? strcspn(rest, "/") : 0;
    struct fl_member *m = rest ? find_member(p, rest, nlen) : NULL;
    if (!rest || !m) {
        fl_errf(&err, 404, "NotFound", rest ? "cluster \"%.*s\" not found" : "no such path",
                (int)nlen, rest);
        return reply_err(p, req, &err);
    }
    rest += nlen;
    if (verb != EVHTTP_REQ_PUT) {
        fl_errf(&err, 405, "MethodNotAllowed", "use PUT with a JSON body");
        return reply_err(p, req, &err);
    }
    json_t *body = body_json(req, &err);
    if (!body)
        return reply_err(p, req, &err);
    int rc;
    if (!strcmp(rest, "/fault")) {
        rc = set_fault(m, body, &err);
    } else if (!strncmp(rest, "/nodes/", 7) && strlen(rest) > 13 &&
               !strcmp(rest + strlen(rest) - 6, "/fault")) {
        char node[256];
        snprintf(node, sizeof(node), "%.*s", (int)(strlen(rest) - 13), rest + 7);
        const json_t *ready = json_object_get(body, "ready");
        rc = json_is_boolean(ready)
                 ? fl_sim_nodes_set_ready(m, node, json_is_true(ready), &err)
                 : fl_errf(&err, 422, "Invalid", "ready: Required value: true or false");
    } else {
        rc = fl_errf(&err, 404, "NotFound", "no such path");
    }
    json_decref(body);
    if (rc != 0)
        return reply_err(p, req, &err);
    reply(p, req, 200, cluster_json(m));
}

/* ---- main ------------------------------------------------------------------- */

static bool loopback(const char *addr)
{
    struct sockaddr_in sin;
    struct fl_err e;
    return fl_http_parse_addr(addr, &sin, &e) == 0 && (ntohl(sin.sin_addr.s_addr) >> 24) == 127;
}

/* The one cluster of --name without a fleet file. */
static struct fl_member_spec *default_spec(const char *name, unsigned nodes)
{
    struct fl_member_spec *s = fl_member_spec_new(name);
    s->pools = fl_xcalloc(1, sizeof(*s->pools));
    s->npools = 1;
    s->pools[0] = (struct fl_member_pool){
        .name = fl_xstrdup("default"),
        .count = nodes,
        .capacity = json_pack("{s:s,s:s,s:s}", "cpu", "8", "memory", "32Gi", "pods", "110"),
        .labels = json_object(),
        .taints = json_array(),
    };
    return s;
}

static void mkdirs(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", dir);
    for (char *s = buf + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(buf, 0700);
            *s = '/';
        }
    }
    mkdir(buf, 0700);
}

/* A whole number from 0 to max, nothing else. */
static bool count_arg(const char *s, unsigned long max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-' || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

static int bad_count(const char *flag, const char *v, unsigned long max)
{
    fprintf(stderr, "flotilla member: %s %s: want a whole number up to %lu\n", flag, v, max);
    return 2;
}

int fl_cmd_member(int argc, char **argv)
{
    const char *fleet_file = NULL, *name = NULL, *listen = NULL, *kcdir = NULL;
    const char *dir = "data/members", *control_addr = NULL;
    unsigned nodes = 3;
    size_t history = 0;
    bool insecure = false;
    static const struct option longopts[] = {
        {"fleet", required_argument, NULL, 'f'},
        {"name", required_argument, NULL, 'n'},
        {"listen", required_argument, NULL, 'l'},
        {"nodes", required_argument, NULL, 'N'},
        {"kubeconfig-dir", required_argument, NULL, 'k'},
        {"data-dir", required_argument, NULL, 'd'},
        {"control", required_argument, NULL, 'c'},
        {"watch-history", required_argument, NULL, 'w'},
        {"insecure-http", no_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fleet_file = optarg; break;
        case 'n': name = optarg; break;
        case 'l': listen = optarg; break;
        case 'N':
            if (!count_arg(optarg, 65536, &nodes))
                return bad_count("--nodes", optarg, 65536);
            break;
        case 'k': kcdir = optarg; break;
        case 'd': dir = optarg; break;
        case 'c': control_addr = optarg; break;
        case 'w': {
            unsigned h;
            if (!count_arg(optarg, 10000000, &h) || h == 0)
                return bad_count("--watch-history", optarg, 10000000);
            history = h;
            break;
        }
        case 'i': insecure = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || (!fleet_file && !name)) {
        usage(stderr);
        return 2;
    }
    if (insecure && kcdir) {
        fprintf(stderr, "flotilla member: --insecure-http has no credentials for a kubeconfig: "
                        "leave out --kubeconfig-dir\n");
        return 2;
    }
    if (control_addr && !loopback(control_addr)) {
        fprintf(stderr, "flotilla member: --control %s: the control endpoint has no "
                        "authentication, so it is only served on loopback (127.0.0.0/8)\n",
                control_addr);
        return 2;
    }

    struct fl_err err;
    fl_err_clear(&err);
    struct fl_fleet fleet = {0};
    if (fleet_file) {
        if (fl_fleet_load(fleet_file, &fleet, &err) != 0) {
            fprintf(stderr, "flotilla member: %s\n", err.message);
            return 2;
        }
    } else {
        fleet.clusters = fl_xcalloc(1, sizeof(*fleet.clusters));
        fleet.clusters[0] = default_spec(name, nodes);
        fleet.n = 1;
    }
    if (name && fleet_file) { /* keep only that cluster */
        size_t k = fleet.n;
        for (size_t i = 0; i < fleet.n; i++)
            if (!strcmp(fleet.clusters[i]->name, name))
                k = i;
        if (k == fleet.n) {
            fprintf(stderr, "flotilla member: %s has no cluster \"%s\"\n", fleet_file, name);
            fl_fleet_release(&fleet);
            return 2;
        }
        struct fl_member_spec *keep = fleet.clusters[k];
        fleet.clusters[k] = fleet.clusters[0];
        fleet.clusters[0] = keep;
        for (size_t i = 1; i < fleet.n; i++) {
            fl_member_spec_free(fleet.clusters[i]);
            fleet.clusters[i] = NULL;
        }
        fleet.n = 1;
    }
    if (listen) {
        if (fleet.n != 1) {
            fprintf(stderr, "flotilla member: --listen names one cluster's address: give "
                            "--name too, or set listen: in the fleet file\n");
            fl_fleet_release(&fleet);
            return 2;
        }
        free(fleet.clusters[0]->listen);
        fleet.clusters[0]->listen = fl_xstrdup(listen);
    }
    for (size_t i = 0; insecure && i < fleet.n; i++) {
        if (!loopback(fleet.clusters[i]->listen)) {
            fprintf(stderr, "flotilla member: refusing --insecure-http on %s (cluster %s): plain "
                            "HTTP is only served on loopback (127.0.0.0/8)\n",
                    fleet.clusters[i]->listen, fleet.clusters[i]->name);
            fl_fleet_release(&fleet);
            return 2;
        }
    }

    fl_cli_raise_fd_limit("flotilla member");
    signal(SIGPIPE, SIG_IGN);
    fl_registry_serve_computed();
    struct event_base *base = fl_loop_base_new();
    struct fleet_proc p = {.members = fl_xcalloc(fleet.n, sizeof(*p.members))};
    struct event *sigint = NULL, *sigterm = NULL;
    int rc = 1;
    size_t total_nodes = 0;
    if (kcdir)
        mkdirs(kcdir);
    for (size_t i = 0; i < fleet.n; i++) {
        struct fl_member_spec *spec = fleet.clusters[i];
        fleet.clusters[i] = NULL; /* taken by fl_member_start, even on failure */
        char *pki = fl_xasprintf("%s/%s", dir, spec->name);
        char *kc = kcdir ? fl_xasprintf("%s/%s.kubeconfig", kcdir, spec->name) : NULL;
        struct fl_member_opts o = {.pki_dir = pki, .kubeconfig = kc, .insecure = insecure,
                                   .history = history, .no_crds = fleet.n > 1};
        for (size_t j = 0; j < spec->npools; j++)
            total_nodes += spec->pools[j].count;
        if (!insecure)
            mkdirs(pki);
        char cname[64];
        snprintf(cname, sizeof(cname), "%s", spec->name);
        int r = fl_member_start(base, spec, &o, &p.members[p.n], &err);
        free(pki);
        if (r == 0) {
            struct fl_member *m = p.members[p.n++];
            printf("cluster %s listening on %.*s:%d\n", cname,
                   (int)(strrchr(m->spec->listen, ':') - m->spec->listen), m->spec->listen,
                   fl_member_port(m));
            if (kc)
                printf("kubeconfig written to %s\n", kc);
        }
        free(kc);
        if (r != 0) {
            fprintf(stderr, "flotilla member: cluster %s: %s\n", cname, err.message);
            goto out;
        }
    }
    if (control_addr) {
        if (fl_http_listen_sec(base, control_addr, NULL, control, &p, &p.control, &err) != 0) {
            fprintf(stderr, "flotilla member: control endpoint: %s\n", err.message);
            goto out;
        }
        printf("control listening on %.*s:%d\n",
               (int)(strrchr(control_addr, ':') - control_addr), control_addr,
               fl_http_port(p.control));
    }
    sigint = evsignal_new(base, SIGINT, on_signal, base);
    sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    evsignal_add(sigint, NULL);
    evsignal_add(sigterm, NULL);
    printf("fleet ready: %zu cluster%s, %zu nodes (%s)\n", p.n, p.n == 1 ? "" : "s", total_nodes,
           insecure ? "plain HTTP without authentication" : "HTTPS");
    fflush(stdout);
    fl_loop_run(base, before_sleep, &p);
    rc = 0;
out:
    if (sigint)
        event_free(sigint);
    if (sigterm)
        event_free(sigterm);
    fl_http_free(p.control);
    for (size_t i = p.n; i-- > 0;)
        fl_member_stop(p.members[i]);
    free(p.members);
    fl_fleet_release(&fleet);
    event_base_free(base);
    return rc;
}
