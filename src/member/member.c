/* One simulated member cluster: see member.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/http.h"
#include "api/tls.h"
#include "controllers/gc.h"
#include "core/alloc.h"
#include "member/member.h"
#include "member/sim.h"
#include "store/backend.h"

/* The cluster's TLS context and authenticator (NULL with insecure). */
struct fl_member_sec {
    struct fl_tls_pki pki;
    SSL_CTX *tls;
    struct fl_auth *auth;
};

uint64_t fl_member_rand(struct fl_member *m)
{
    uint64_t x = m->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    m->rng = x;
    return x * 2685821657736338717ull;
}

static int security(struct fl_member *m, const struct fl_member_opts *o, const char *ip,
                    struct fl_err *err)
{
    struct fl_member_sec *s = m->sec = fl_xcalloc(1, sizeof(*m->sec));
    if (fl_tls_pki_ensure(&s->pki, o->pki_dir, ip, true, err) != 0 ||
        fl_tls_server_ctx_new(s->pki.cert, s->pki.key, s->pki.ca_cert, &s->tls, err) != 0 ||
        fl_auth_new(s->pki.tokens, &s->auth, err) != 0)
        return FL_EFAIL;
    return FL_OK;
}

/* The API extension: metrics.k8s.io and pods/log from the components. */
static int ext_get(void *ctx, const struct fl_rtype *t, const char *ns, const char *name,
                   const struct fl_labelsel *labels, json_t **out, struct fl_err *err)
{
    return fl_sim_metrics_get(ctx, t, ns, name, labels, out, err);
}

static int ext_get_sub(void *ctx, const struct fl_rtype *t, const char *ns, const char *name,
                       const char *sub, const struct evkeyvalq *query, struct evbuffer *out,
                       struct fl_err *err)
{
    if (!t->group[0] && !strcmp(t->resource, "pods") && !strcmp(sub, "log"))
        return fl_sim_pod_log(ctx, ns, name, query, out, err);
    return fl_errf(err, 404, "NotFound", "the server could not find the requested resource");
}

/* The components in start order. */
static const struct {
    int (*start)(struct fl_member *, struct fl_err *);
    void (*stop)(struct fl_member *);
} components[] = {
    {fl_sim_events_start, fl_sim_events_stop},
    {fl_sim_nodes_start, fl_sim_nodes_stop},
    {fl_sim_sched_start, fl_sim_sched_stop},
    {fl_sim_kubelet_start, fl_sim_kubelet_stop},
    {fl_sim_workloads_start, fl_sim_workloads_stop},
    {fl_sim_sts_start, fl_sim_sts_stop},
    {fl_sim_metrics_start, fl_sim_metrics_stop},
};

int fl_member_start(struct event_base *base, struct fl_member_spec *spec,
                    const struct fl_member_opts *o, struct fl_member **out, struct fl_err *err)
{
    struct fl_member *m = fl_xcalloc(1, sizeof(*m));
    m->spec = spec;
    m->base = base;
    if (getrandom(&m->rng, sizeof(m->rng), 0) != sizeof(m->rng) || m->rng == 0)
        m->rng = 0x9e3779b97f4a7c15ull;
    struct sockaddr_in sin;
    char ip[INET_ADDRSTRLEN];
    struct fl_store_opts so = {.history = o->history ? o->history : FL_MEMBER_HISTORY};
    if (fl_http_parse_addr(spec->listen, &sin, err) != 0)
        goto fail;
    inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip));
    if (!o->insecure && security(m, o, ip, err) != 0)
        goto fail;
    m->backend = fl_backend_volatile_new();
    struct fl_api_opts ao = {.no_crds = o->no_crds};
    if (fl_store_open(m->backend, &so, &m->store, err) != 0 ||
        fl_api_new_opts(base, m->store, &ao, &m->api, err) != 0)
        goto fail;
    struct fl_http_sec hs = {m->sec ? m->sec->tls : NULL, m->sec ? m->sec->auth : NULL};
    if (fl_api_listen_sec(m->api, spec->listen, &hs, err) != 0)
        goto fail;
    fl_api_set_ext(m->api, &(struct fl_api_ext){m, ext_get, ext_get_sub});
    if (m->sec && o->kubeconfig) {
        char *server = fl_xasprintf("https://%s:%d", strcmp(ip, "0.0.0.0") ? ip : "127.0.0.1",
                                    fl_api_port(m->api));
        int rc = fl_tls_write_kubeconfig(o->kubeconfig, spec->name, server, m->sec->pki.ca_cert,
                                         NULL, m->sec->pki.admin_cert, m->sec->pki.admin_key,
                                         err);
        free(server);
        if (rc != 0)
            goto fail;
    }
    if (fl_gc_start(base, m->store, &m->gc, err) != 0)
        goto fail;
    for (size_t i = 0; i < FL_ARRAY_LEN(components); i++)
        if (components[i].start(m, err) != 0)
            goto fail;
    *out = m;
    return FL_OK;
fail:
    fl_member_stop(m);
    return FL_EFAIL;
}

void fl_member_stop(struct fl_member *m)
{
    if (!m)
        return;
    for (size_t i = FL_ARRAY_LEN(components); i-- > 0;)
        components[i].stop(m);
    fl_gc_stop(m->gc);
    fl_api_free(m->api);
    if (m->sec) { /* after the listener that borrowed the authenticator */
        fl_auth_free(m->sec->auth);
        SSL_CTX_free(m->sec->tls);
        fl_tls_pki_release(&m->sec->pki);
        free(m->sec);
    }
    fl_store_free(m->store);
    fl_backend_close(m->backend);
    fl_member_spec_free(m->spec);
    free(m);
}

int fl_member_port(const struct fl_member *m)
{
    return fl_api_port(m->api);
}

void fl_member_before_sleep(struct fl_member *m)
{
    fl_api_before_sleep(m->api);
}

int fl_member_set_fault(struct fl_member *m, enum fl_member_fault f, uint32_t delay_ms,
                        struct fl_err *err)
{
    if (f == FL_FAULT_REFUSE) {
        fl_api_set_delay(m->api, 0);
        fl_api_unlisten(m->api);
    } else {
        if (fl_api_relisten(m->api, err) != 0)
            return FL_EFAIL;
        fl_api_set_delay(m->api, f == FL_FAULT_HANG   ? FL_HTTP_HOLD
                                 : f == FL_FAULT_SLOW ? (delay_ms ? delay_ms : 1)
                                                      : 0);
    }
    m->fault = f;
    m->fault_delay_ms = f == FL_FAULT_SLOW ? delay_ms : 0;
    return FL_OK;
}
