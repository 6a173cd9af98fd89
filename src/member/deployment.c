/*
 * The Deployment controller of a simulated member, after
 * kube-controller-manager's pkg/controller/deployment (1.32), and the
 * component's life (fl_sim_workloads_start/stop) with the ReplicaSet
 * controller of replicaset.c.
 *
 * A sync follows syncDeployment: claim the ReplicaSets the selector selects
 * (adopting orphans, releasing the ones it no longer selects); a Deployment
 * being deleted only gets its status; paused conditions; paused Deployments
 * and scaling events go through sync() (proportional scaling, cleanup);
 * otherwise the strategy runs: Recreate (scale old to 0, wait until their pods
 * are gone, create/scale the new one) or RollingUpdate (reconcileNewReplicaSet
 * within maxSurge, reconcileOldReplicaSets with cleanupUnhealthyReplicas and
 * maxUnavailable), then the rollout status with its Available and
 * Progressing conditions (progressDeadlineSeconds, requeued for the deadline),
 * and revisionHistoryLimit's cleanup once complete.
 *
 * The new ReplicaSet of a template is "<deployment>-<pod-template-hash>",
 * the hash being upstream's ComputeHash shape: fnv32a, plus the
 * collisionCount as 8 little-endian bytes, rendered by rand.SafeEncodeString.
 * What is hashed cannot be Go's dump of the Go struct, so it is the template
 * as canonical JSON: keys sorted, zero values (null, "", 0, false, {}, [])
 * left out, the pod-template-hash label ignored. The same canonical form
 * makes EqualIgnoreHash: two templates are equal when their canonical JSON
 * is, which tolerates what a round trip through kubectl's Go types adds or
 * drops (rollout undo patches the Deployment with the ReplicaSet's template
 * as kubectl re-encoded it).
 *
 * Every write goes to the store at once; the Deployment document of a sync is
 * written whenever upstream calls UpdateStatus and keeps its new
 * resourceVersion, so later writes of the same sync do not conflict.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "member/objects.h"
#include "member/sim.h"
#include "member/workloads_int.h"

#define COMPONENT "deployment-controller"
#define MAX_REV_HISTORY_CHARS 2000
#define INT32_MAXV 2147483647

/* Condition reasons (deployment/util). */
#define R_NEW_RS "NewReplicaSetCreated"
#define R_FOUND_NEW_RS "FoundNewReplicaSet"
#define R_RS_UPDATED "ReplicaSetUpdated"
#define R_NEW_RS_AVAILABLE "NewReplicaSetAvailable"
#define R_TIMED_OUT "ProgressDeadlineExceeded"
#define R_PAUSED "DeploymentPaused"
#define R_RESUMED "DeploymentResumed"
#define R_RS_CREATE_ERROR "ReplicaSetCreateError"
#define R_MIN_AVAILABLE "MinimumReplicasAvailable"
#define R_MIN_UNAVAILABLE "MinimumReplicasUnavailable"

/* ---- the Deployment groups (workloads_int.h) ------------------------------ */

struct wl_dep *wl_dep_get(struct fl_sim_workloads *w, const char *uid, const char *ns,
                          bool create)
{
    uint32_t hash = wl_hash(uid, WL_FNV_BASIS);
    for (struct wl_hnode *n = wl_table_chain(&w->deps, hash); n; n = n->next) {
        struct wl_dep *d = (struct wl_dep *)n;
        if (n->hash == hash && !strcmp(d->uid, uid))
            return d;
    }
    if (!create)
        return NULL;
    size_t len = strlen(uid);
    struct wl_dep *d = fl_xcalloc(1, sizeof(*d) + len + 1);
    memcpy(d->uid, uid, len + 1);
    d->h.hash = hash;
    d->ns = fl_xstrdup(ns);
    wl_table_insert(&w->deps, &d->h);
    return d;
}

static void dep_free(struct wl_dep *d)
{
    json_decref(d->selector);
    free(d->rs);
    free(d->ns);
    free(d->name);
    free(d);
}

static void dep_maybe_free(struct fl_sim_workloads *w, struct wl_dep *d)
{
    if (d->known || d->nrs > 0)
        return;
    wl_table_remove(&w->deps, &d->h);
    dep_free(d);
}

void wl_dep_set(struct fl_sim_workloads *w, struct wl_rs *r, struct wl_dep *dep)
{
    struct wl_dep *old = r->dep;
    if (old == dep)
        return;
    if (old) {
        struct wl_rs *last = old->rs[--old->nrs];
        old->rs[r->dep_idx] = last;
        last->dep_idx = r->dep_idx;
        r->dep = NULL;
        dep_maybe_free(w, old);
    }
    if (dep) {
        if (dep->nrs == dep->cap) {
            dep->cap = dep->cap ? dep->cap * 2 : 4;
            dep->rs = fl_xrealloc(dep->rs, dep->cap * sizeof(*dep->rs));
        }
        r->dep_idx = dep->nrs;
        dep->rs[dep->nrs++] = r;
        r->dep = dep;
    }
}

static void enqueue(struct fl_sim_workloads *w, const char *ns, const char *name)
{
    char key[FL_KEY_MAX];
    wl_queue_key(key, sizeof(key), ns, name);
    fl_workqueue_add(w->dq, key);
}

void wl_dep_enqueue_matching(struct fl_sim_workloads *w, const char *ns, const json_t *labels)
{
    for (size_t b = 0; b < w->deps.nb; b++) {
        for (struct wl_hnode *n = w->deps.b[b]; n; n = n->next) {
            struct wl_dep *d = (struct wl_dep *)n;
            if (d->known && !strcmp(d->ns, ns) && d->selector &&
                !fl_m_selector_empty(d->selector) && fl_labelsel_json_match(d->selector, labels))
                enqueue(w, d->ns, d->name);
        }
    }
}

static struct wl_dep *dep_learn(struct fl_sim_workloads *w, const json_t *doc)
{
    const json_t *md = json_object_get(doc, "metadata");
    const char *uid = fl_json_str(md, "uid");
    if (!uid[0])
        return NULL;
    struct wl_dep *d = wl_dep_get(w, uid, fl_json_str(md, "namespace"), true);
    if (!d->known) {
        d->known = true;
        free(d->name);
        d->name = fl_xstrdup(fl_json_str(md, "name"));
    }
    json_t *sel = json_object_get(json_object_get(doc, "spec"), "selector");
    if (!d->selector || !sel || !json_equal(d->selector, sel)) {
        json_decref(d->selector);
        d->selector = sel ? json_incref(sel) : NULL;
    }
    return d;
}

void wl_dep_on_dep(struct fl_watch *wt, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_workloads *w = ctx;
    json_t *doc = fl_obj_json(ev->obj);
    if (!doc)
        return;
    const json_t *md = json_object_get(doc, "metadata");
    if (ev->type == FL_DELETED) {
        struct wl_dep *d = wl_dep_get(w, fl_json_str(md, "uid"), "", false);
        if (d) {
            d->known = false;
            json_decref(d->selector);
            d->selector = NULL;
            dep_maybe_free(w, d);
        }
    } else {
        dep_learn(w, doc);
        enqueue(w, fl_json_str(md, "namespace"), fl_json_str(md, "name"));
    }
    json_decref(doc);
}

void wl_dep_release(struct fl_sim_workloads *w)
{
    for (size_t b = 0; b < w->deps.nb; b++) {
        struct wl_hnode *n = w->deps.b[b], *next;
        for (; n; n = next) {
            next = n->next;
            dep_free((struct wl_dep *)n);
        }
    }
    wl_table_release(&w->deps);
}

/* ---- templates: canonical form, equality, hash ---------------------------- */

static bool is_zero(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return true;
    case JSON_STRING:
        return json_string_length(v) == 0;
    case JSON_INTEGER:
        return json_integer_value(v) == 0;
    case JSON_REAL:
        return json_real_value(v) == 0;
    case JSON_ARRAY:
        return json_array_size(v) == 0;
    case JSON_OBJECT: {
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
            if (!is_zero(m))
                return false;
        return true;
    }
    default:
        return false;
    }
}

/* v without zero-valued object members, recursively: a new reference. */
static json_t *canonical(const json_t *v)
{
    if (json_is_object(v)) {
        json_t *out = json_object();
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
            if (!is_zero(m))
                json_object_set_new(out, k, canonical(m));
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
            json_array_append_new(out, canonical(m));
        return out;
    }
    return json_deep_copy(v);
}

/* The canonical form of a pod template without the pod-template-hash label. */
static json_t *canonical_template(const json_t *tmpl)
{
    json_t *copy = tmpl ? json_deep_copy(tmpl) : json_object();
    json_object_del(json_object_get(json_object_get(copy, "metadata"), "labels"), WL_HASH_LABEL);
    json_t *c = canonical(copy);
    json_decref(copy);
    return c;
}

/* controller.ComputeHash over the canonical template. buf >= 16 bytes. */
static void compute_hash(const json_t *canon, const json_t *collision, char *buf)
{
    static const char alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
    char *s = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
    uint32_t h = wl_hash(s, WL_FNV_BASIS);
    free(s);
    if (json_is_integer(collision)) {
        uint32_t cc = (uint32_t)json_integer_value(collision);
        unsigned char b[8] = {cc & 0xff, cc >> 8 & 0xff, cc >> 16 & 0xff, cc >> 24, 0, 0, 0, 0};
        for (size_t i = 0; i < sizeof(b); i++)
            h = (h ^ b[i]) * 16777619u;
    }
    char dec[16];
    snprintf(dec, sizeof(dec), "%u", h);
    size_t i;
    for (i = 0; dec[i]; i++)
        buf[i] = alphanums[(unsigned char)dec[i] % (sizeof(alphanums) - 1)];
    buf[i] = '\0';
}

/* ---- one sync ------------------------------------------------------------------ */

/* A ReplicaSet as a sync sees it: the document (updated by our writes) and
 * the numbers the algorithms read. */
struct drs {
    json_t *doc;
    const char *name, *uid;
    int64_t created_ms;
    int64_t replicas;
    int64_t st_replicas, st_ready, st_avail;
    int64_t generation, observed;
    bool deleting;
};

struct dsync {
    struct fl_sim_workloads *w;
    struct fl_member *m;
    struct wl_dep *rec;
    json_t *d;          /* the Deployment, as we change it */
    const char *ns, *name, *uid;
    json_t *canon_tmpl; /* canonical form of its template */
    struct drs **all;   /* every ReplicaSet it owns (rsList) */
    size_t n, cap;
    uint32_t requeue_ms; /* 0: none */
    struct fl_err *err;
};

/* A list of ReplicaSets (Go's []*apps.ReplicaSet). */
struct rsl {
    struct drs **v;
    size_t n;
};

static void rsl_push(struct rsl *l, struct drs *x)
{
    if (!x)
        return;
    l->v = fl_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = x;
}

static void rsl_free(struct rsl *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* FilterActiveReplicaSets: spec.replicas > 0. */
static struct rsl rsl_active(const struct rsl *in)
{
    struct rsl out = {0};
    for (size_t i = 0; i < in->n; i++)
        if (in->v[i]->replicas > 0)
            rsl_push(&out, in->v[i]);
    return out;
}

/* old + new (nil skipped). */
static struct rsl rsl_with(const struct rsl *old, struct drs *newrs)
{
    struct rsl out = {0};
    for (size_t i = 0; i < old->n; i++)
        rsl_push(&out, old->v[i]);
    rsl_push(&out, newrs);
    return out;
}

static void drs_refresh(struct drs *x)
{
    const json_t *md = json_object_get(x->doc, "metadata");
    const json_t *spec = json_object_get(x->doc, "spec");
    const json_t *st = json_object_get(x->doc, "status");
    x->name = fl_json_str(md, "name");
    x->uid = fl_json_str(md, "uid");
    x->created_ms = fl_m_parse_time_ms(fl_json_str(md, "creationTimestamp"));
    x->replicas = fl_m_int(spec, "replicas", 1);
    x->st_replicas = fl_m_int(st, "replicas", 0);
    x->st_ready = fl_m_int(st, "readyReplicas", 0);
    x->st_avail = fl_m_int(st, "availableReplicas", 0);
    x->generation = fl_m_int(md, "generation", 0);
    x->observed = fl_m_int(st, "observedGeneration", 0);
    x->deleting = json_object_get(md, "deletionTimestamp") != NULL;
}

static struct drs *drs_new(json_t *doc)
{
    struct drs *x = fl_xcalloc(1, sizeof(*x));
    x->doc = doc;
    drs_refresh(x);
    return x;
}

static void dsync_add(struct dsync *c, struct drs *x)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->all = fl_xrealloc(c->all, c->cap * sizeof(*c->all));
    }
    c->all[c->n++] = x;
}

static const char *ann(const json_t *doc, const char *key)
{
    const json_t *v =
        json_object_get(json_object_get(json_object_get(doc, "metadata"), "annotations"), key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* strconv.ParseInt / Atoi of an annotation: false when absent or not an integer. */
static bool parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end)
        return false;
    *out = v;
    return true;
}

static int64_t rs_revision(const struct drs *x)
{
    int64_t v = 0;
    return parse_i64(ann(x->doc, WL_REVISION), &v) ? v : 0;
}

static const json_t *dspec(const struct dsync *c)
{
    return json_object_get(c->d, "spec");
}

static int64_t d_replicas(const struct dsync *c)
{
    return fl_m_int(dspec(c), "replicas", 1);
}

static json_t *dstatus(struct dsync *c)
{
    return fl_m_obj_member(c->d, "status");
}

static const json_t *strategy(const struct dsync *c)
{
    return json_object_get(dspec(c), "strategy");
}

static bool is_rolling(const struct dsync *c)
{
    return !strcmp(fl_json_str(strategy(c), "type"), "RollingUpdate");
}

static bool is_recreate(const struct dsync *c)
{
    return !strcmp(fl_json_str(strategy(c), "type"), "Recreate");
}

static bool has_progress_deadline(const struct dsync *c)
{
    const json_t *v = json_object_get(dspec(c), "progressDeadlineSeconds");
    return json_is_integer(v) && json_integer_value(v) != INT32_MAXV;
}

/* intstr.GetScaledValueFromIntOrPercent (nil: 0). */
static int64_t scaled_value(const json_t *v, int64_t total, bool round_up)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    if (!json_is_string(v))
        return 0;
    const char *s = json_string_value(v);
    size_t len = strlen(s);
    if (len < 2 || s[len - 1] != '%')
        return strtoll(s, NULL, 10);
    int64_t pct = strtoll(s, NULL, 10);
    double x = (double)pct * (double)total / 100.0;
    return (int64_t)(round_up ? ceil(x) : floor(x));
}

/* ResolveFenceposts. */
static void fenceposts(const struct dsync *c, int64_t *surge, int64_t *unavail)
{
    const json_t *ru = json_object_get(strategy(c), "rollingUpdate");
    *surge = scaled_value(json_object_get(ru, "maxSurge"), d_replicas(c), true);
    *unavail = scaled_value(json_object_get(ru, "maxUnavailable"), d_replicas(c), false);
    if (*surge == 0 && *unavail == 0)
        *unavail = 1;
}

static int64_t max_surge(const struct dsync *c)
{
    int64_t s, u;
    if (!is_rolling(c))
        return 0;
    fenceposts(c, &s, &u);
    return s;
}

static int64_t max_unavailable(const struct dsync *c)
{
    int64_t s, u;
    if (!is_rolling(c) || d_replicas(c) == 0)
        return 0;
    fenceposts(c, &s, &u);
    return u > d_replicas(c) ? d_replicas(c) : u;
}

static void requeue_after(struct dsync *c, int64_t ms)
{
    uint32_t v = ms < 1 ? 1 : ms > 3600000 ? 3600000 : (uint32_t)ms;
    if (c->requeue_ms == 0 || v < c->requeue_ms)
        c->requeue_ms = v;
}

static void d_event(struct dsync *c, const char *type, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void d_event(struct dsync *c, const char *type, const char *reason, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fl_m_event(c->m, c->d, type, reason, COMPONENT, "%s", msg);
}

/* Keep the resourceVersion of what we just wrote in doc. */
static void took_rv(json_t *doc, struct fl_obj *o)
{
    if (!o)
        return;
    char rv[32];
    snprintf(rv, sizeof(rv), "%llu", (unsigned long long)o->rev);
    json_object_set_new(fl_json_metadata(doc), "resourceVersion", json_string(rv));
    fl_obj_unref(o);
}

/* UpdateStatus (and the revision annotation, which upstream writes the same way). */
static int d_write(struct dsync *c)
{
    struct fl_obj *o = NULL;
    if (fl_m_update(c->m, c->w->t_dep, c->d, &o, c->err) != 0)
        return FL_EFAIL;
    took_rv(c->d, o);
    return FL_OK;
}

static int rs_write(struct dsync *c, struct drs *x)
{
    struct fl_obj *o = NULL;
    if (fl_m_update(c->m, c->w->t_rs, x->doc, &o, c->err) != 0)
        return FL_EFAIL;
    took_rv(x->doc, o);
    drs_refresh(x);
    return FL_OK;
}

/* ---- conditions (deployment/util: SetDeploymentCondition) -------------------------- */

/* NewDeploymentCondition: both times now. */
static json_t *cond_new(const char *type, const char *status, const char *reason,
                        const char *message)
{
    char now[32];
    fl_m_now(now);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", type, "status", status,
                     "lastUpdateTime", now, "lastTransitionTime", now, "reason", reason,
                     "message", message);
}

static void cond_remove(json_t *status, const char *type)
{
    json_t *conds = json_object_get(status, "conditions");
    for (size_t i = json_array_size(conds); i-- > 0;)
        if (!strcmp(fl_json_str(json_array_get(conds, i), "type"), type))
            json_array_remove(conds, i);
    if (conds && json_array_size(conds) == 0)
        json_object_del(status, "conditions");
}

/* Same status and reason: nothing changes (not even the message). Same
 * status: the transition time is kept. The condition goes last. cond taken. */
static void cond_set(json_t *status, json_t *cond)
{
    json_t *cur = fl_m_condition(status, "conditions", fl_json_str(cond, "type"));
    if (cur && !strcmp(fl_json_str(cur, "status"), fl_json_str(cond, "status"))) {
        if (!strcmp(fl_json_str(cur, "reason"), fl_json_str(cond, "reason"))) {
            json_decref(cond);
            return;
        }
        json_object_set(cond, "lastTransitionTime", json_object_get(cur, "lastTransitionTime"));
    }
    cond_remove(status, fl_json_str(cond, "type"));
    json_t *conds = json_object_get(status, "conditions");
    if (!json_is_array(conds)) {
        conds = json_array();
        json_object_set_new(status, "conditions", conds);
    }
    json_array_append_new(conds, cond);
}

/* ---- ReplicaSet lists ----------------------------------------------------------------- */

static int by_creation(const void *pa, const void *pb)
{
    const struct drs *a = *(struct drs *const *)pa, *b = *(struct drs *const *)pb;
    if (a->created_ms != b->created_ms)
        return a->created_ms < b->created_ms ? -1 : 1;
    return strcmp(a->name, b->name);
}

static int by_creation_desc(const void *pa, const void *pb)
{
    return -by_creation(pa, pb);
}

/* ReplicaSetsBySizeNewer: larger first, then newer. */
static int by_size_newer(const void *pa, const void *pb)
{
    const struct drs *a = *(struct drs *const *)pa, *b = *(struct drs *const *)pb;
    if (a->replicas != b->replicas)
        return a->replicas > b->replicas ? -1 : 1;
    return by_creation(pb, pa);
}

/* ReplicaSetsBySizeOlder: larger first, then older. */
static int by_size_older(const void *pa, const void *pb)
{
    const struct drs *a = *(struct drs *const *)pa, *b = *(struct drs *const *)pb;
    if (a->replicas != b->replicas)
        return a->replicas > b->replicas ? -1 : 1;
    return by_creation(pa, pb);
}

/* ReplicaSetsByRevision: lower first, then older. */
static int by_revision(const void *pa, const void *pb)
{
    const struct drs *a = *(struct drs *const *)pa, *b = *(struct drs *const *)pb;
    int64_t ra = rs_revision(a), rb = rs_revision(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return by_creation(pa, pb);
}

static void rsl_sort(struct rsl *l, int (*cmp)(const void *, const void *))
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), cmp);
}

static bool equal_ignore_hash(const struct dsync *c, const struct drs *x)
{
    json_t *t = canonical_template(json_object_get(json_object_get(x->doc, "spec"), "template"));
    bool eq = json_equal(t, c->canon_tmpl);
    json_decref(t);
    return eq;
}

/* FindNewReplicaSet: the oldest whose template equals the Deployment's. */
static struct drs *find_new_rs(struct dsync *c)
{
    if (c->n > 1)
        qsort(c->all, c->n, sizeof(*c->all), by_creation);
    for (size_t i = 0; i < c->n; i++)
        if (equal_ignore_hash(c, c->all[i]))
            return c->all[i];
    return NULL;
}

static int64_t sum_replicas(const struct rsl *l)
{
    int64_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i]->replicas;
    return n;
}

/* ---- annotations (deployment/util) ------------------------------------------------ */

static bool skip_annotation(const char *k)
{
    static const char *const skip[] = {"kubectl.kubernetes.io/last-applied-configuration",
                                       WL_REVISION,
                                       WL_REVISION_HISTORY,
                                       WL_DESIRED_REPLICAS,
                                       WL_MAX_REPLICAS,
                                       "deprecated.deployment.rollback.to"};
    for (size_t i = 0; i < FL_ARRAY_LEN(skip); i++)
        if (!strcmp(k, skip[i]))
            return true;
    return false;
}

static bool set_ann(json_t *doc, const char *key, const char *value)
{
    const char *cur = ann(doc, key);
    if (cur && !strcmp(cur, value))
        return false;
    fl_m_set_str(fl_m_obj_member(fl_json_metadata(doc), "annotations"), key, value);
    return true;
}

/* copyDeploymentAnnotationsToReplicaSet */
static bool copy_annotations(const json_t *d, json_t *rs)
{
    bool changed = false;
    const char *k;
    json_t *v;
    json_t *da = json_object_get(json_object_get(d, "metadata"), "annotations");
    json_object_foreach(da, k, v) {
        if (skip_annotation(k) || !json_is_string(v))
            continue;
        changed |= set_ann(rs, k, json_string_value(v));
    }
    return changed;
}

/* SetReplicasAnnotations */
static bool set_replicas_annotations(json_t *rs, int64_t desired, int64_t max)
{
    char a[32], b[32];
    snprintf(a, sizeof(a), "%lld", (long long)desired);
    snprintf(b, sizeof(b), "%lld", (long long)max);
    bool changed = set_ann(rs, WL_DESIRED_REPLICAS, a);
    changed |= set_ann(rs, WL_MAX_REPLICAS, b);
    return changed;
}

/* ReplicasAnnotationsNeedUpdate */
static bool replicas_annotations_stale(const json_t *rs, int64_t desired, int64_t max)
{
    char a[32], b[32];
    snprintf(a, sizeof(a), "%lld", (long long)desired);
    snprintf(b, sizeof(b), "%lld", (long long)max);
    const char *da = ann(rs, WL_DESIRED_REPLICAS), *ma = ann(rs, WL_MAX_REPLICAS);
    return !da || strcmp(da, a) != 0 || !ma || strcmp(ma, b) != 0;
}

/* SetNewReplicaSetAnnotations */
static bool set_new_rs_annotations(struct dsync *c, json_t *rs, int64_t new_rev, bool exists)
{
    bool changed = copy_annotations(c->d, rs);
    const char *old = ann(rs, WL_REVISION);
    int64_t old_rev = 0;
    if (old && *old && !parse_i64(old, &old_rev))
        return false;
    char nrs[32];
    snprintf(nrs, sizeof(nrs), "%lld", (long long)new_rev);
    char *old_copy = old ? fl_xstrdup(old) : NULL;
    if (old_rev < new_rev) {
        set_ann(rs, WL_REVISION, nrs);
        changed = true;
    }
    /* A revision that comes back (rollback) keeps its old numbers. */
    if (old_copy && old_rev < new_rev) {
        const char *hist = ann(rs, WL_REVISION_HISTORY);
        if (!hist || !*hist) {
            set_ann(rs, WL_REVISION_HISTORY, old_copy);
        } else {
            size_t total = strlen(hist) + strlen(old_copy) + 1;
            const char *start = hist;
            while (total > MAX_REV_HISTORY_CHARS && start) {
                const char *comma = strchr(start, ',');
                size_t part = comma ? (size_t)(comma - start) : strlen(start);
                total -= part + 1;
                start = comma ? comma + 1 : NULL;
            }
            if (total <= MAX_REV_HISTORY_CHARS) {
                char *joined = start ? fl_xasprintf("%s,%s", start, old_copy) : fl_xstrdup(old_copy);
                set_ann(rs, WL_REVISION_HISTORY, joined);
                free(joined);
            }
        }
    }
    free(old_copy);
    if (!exists && set_replicas_annotations(rs, d_replicas(c), d_replicas(c) + max_surge(c)))
        changed = true;
    return changed;
}

/* SetDeploymentRevision */
static bool set_deployment_revision(struct dsync *c, const char *rev)
{
    return set_ann(c->d, WL_REVISION, rev ? rev : "");
}

/* ---- scaling --------------------------------------------------------------------------- */

/* scaleReplicaSet: size and replicas annotations; the event when the size changed. */
static int scale_rs(struct dsync *c, struct drs *x, int64_t scale, bool *scaled)
{
    int64_t desired = d_replicas(c), max = desired + max_surge(c);
    bool size = x->replicas != scale;
    *scaled = false;
    if (!size && !replicas_annotations_stale(x->doc, desired, max))
        return FL_OK;
    int64_t old = x->replicas;
    json_object_set_new(json_object_get(x->doc, "spec"), "replicas", json_integer(scale));
    set_replicas_annotations(x->doc, desired, max);
    if (rs_write(c, x) != 0)
        return FL_EFAIL;
    if (size) {
        *scaled = true;
        d_event(c, "Normal", "ScalingReplicaSet", "Scaled %s replica set %s to %lld from %lld",
                old < scale ? "up" : "down", x->name, (long long)scale, (long long)old);
    }
    return FL_OK;
}

/* scaleReplicaSetAndRecordEvent */
static int scale_rs_record(struct dsync *c, struct drs *x, int64_t scale, bool *scaled)
{
    *scaled = false;
    if (x->replicas == scale)
        return FL_OK;
    return scale_rs(c, x, scale, scaled);
}

/* NewRSNewReplicas: all includes newrs. */
static int64_t new_rs_new_replicas(const struct dsync *c, const struct rsl *all, int64_t new_replicas)
{
    if (!is_rolling(c))
        return d_replicas(c);
    const json_t *ru = json_object_get(strategy(c), "rollingUpdate");
    int64_t surge = scaled_value(json_object_get(ru, "maxSurge"), d_replicas(c), true);
    int64_t current = sum_replicas(all);
    int64_t max_total = d_replicas(c) + surge;
    if (current >= max_total)
        return new_replicas;
    int64_t up = max_total - current;
    if (up > d_replicas(c) - new_replicas)
        up = d_replicas(c) - new_replicas;
    return new_replicas + up;
}

/* ---- the new ReplicaSet ------------------------------------------------------------------ */

/* getNewReplicaSet. *out: the new ReplicaSet or NULL. */
static int get_new_rs(struct dsync *c, const struct rsl *old, bool create, struct drs **out)
{
    *out = NULL;
    struct drs *existing = find_new_rs(c);
    int64_t max_old = 0;
    for (size_t i = 0; i < old->n; i++) {
        int64_t r = rs_revision(old->v[i]);
        if (r > max_old)
            max_old = r;
    }
    int64_t new_rev = max_old + 1;
    json_t *st = dstatus(c);
    char msg[FL_ERR_MSG_MAX + 320]; /* a 264-character name and the create error */

    if (existing) {
        bool ann_changed = set_new_rs_annotations(c, existing->doc, new_rev, true);
        int64_t dmrs = fl_m_int(dspec(c), "minReadySeconds", 0);
        json_t *rspec = json_object_get(existing->doc, "spec");
        if (ann_changed || fl_m_int(rspec, "minReadySeconds", 0) != dmrs) {
            if (dmrs)
                json_object_set_new(rspec, "minReadySeconds", json_integer(dmrs));
            else
                json_object_del(rspec, "minReadySeconds");
            if (rs_write(c, existing) != 0)
                return FL_EFAIL;
            *out = existing;
            return FL_OK;
        }
        bool needs = set_deployment_revision(c, ann(existing->doc, WL_REVISION));
        if (has_progress_deadline(c) && !fl_m_condition(st, "conditions", "Progressing")) {
            snprintf(msg, sizeof(msg), "Found new replica set \"%s\"", existing->name);
            cond_set(st, cond_new("Progressing", "True", R_FOUND_NEW_RS, msg));
            needs = true;
        }
        if (needs && d_write(c) != 0)
            return FL_EFAIL;
        *out = existing;
        return FL_OK;
    }
    if (!create)
        return FL_OK;

    /* A new ReplicaSet for the template. */
    const json_t *dtmpl = json_object_get(dspec(c), "template");
    json_t *tmpl = dtmpl ? json_deep_copy(dtmpl) : json_object();
    char hash[16];
    compute_hash(c->canon_tmpl, json_object_get(st, "collisionCount"), hash);
    json_t *labels = fl_m_obj_member(fl_json_metadata(tmpl), "labels");
    json_object_set_new(labels, WL_HASH_LABEL, json_string(hash));
    const json_t *dsel = json_object_get(dspec(c), "selector");
    json_t *sel = dsel ? json_deep_copy(dsel) : json_object();
    fl_m_set_str(fl_m_obj_member(sel, "matchLabels"), WL_HASH_LABEL, hash);

    char name[300];
    snprintf(name, sizeof(name), "%s-%s", c->name, hash);
    json_t *rs = json_pack("{s:{s:s,s:s,s:o},s:{s:I,s:o,s:o}}", "metadata", "name", name,
                           "namespace", c->ns, "labels", json_deep_copy(labels), "spec", "replicas",
                           (json_int_t)0, "selector", sel, "template", tmpl);
    int64_t dmrs = fl_m_int(dspec(c), "minReadySeconds", 0);
    if (dmrs)
        json_object_set_new(json_object_get(rs, "spec"), "minReadySeconds", json_integer(dmrs));
    fl_m_set_controller_ref(rs, c->d);

    struct rsl all = rsl_with(old, NULL);
    int64_t count = new_rs_new_replicas(c, &all, 0);
    rsl_free(&all);
    json_object_set_new(json_object_get(rs, "spec"), "replicas", json_integer(count));
    set_new_rs_annotations(c, rs, new_rev, false);

    bool already = false;
    struct drs *x = NULL;
    struct fl_obj *o = NULL;
    struct fl_err e;
    fl_err_clear(&e);
    if (fl_m_create(c->m, c->w->t_rs, rs, &o, &e) == 0) {
        fl_obj_unref(o);
        x = drs_new(rs);
        rs = NULL;
    } else if (e.code == 409) {
        json_decref(rs);
        rs = NULL;
        fl_err_clear(&e);
        json_t *cur = fl_m_get_json(c->m, c->w->t_rs, c->ns, name, &e);
        if (!cur) {
            *c->err = e;
            return FL_EFAIL;
        }
        struct drs *y = drs_new(cur);
        const char *cuid = fl_m_controller_uid(cur);
        if (cuid && !strcmp(cuid, c->uid) && equal_ignore_hash(c, y)) {
            x = y;
            already = true;
        } else {
            json_decref(cur);
            free(y);
            json_object_set_new(st, "collisionCount",
                                json_integer(fl_m_int(st, "collisionCount", 0) + 1));
            if (d_write(c) != 0)
                return FL_EFAIL;
            return fl_errf(c->err, 409, "AlreadyExists",
                           "replicasets.apps \"%s\" already exists", name);
        }
    } else {
        json_decref(rs);
        snprintf(msg, sizeof(msg), "Failed to create new replica set \"%s\": %s", name,
                 e.message);
        if (has_progress_deadline(c)) {
            cond_set(st, cond_new("Progressing", "False", R_RS_CREATE_ERROR, msg));
            struct fl_err ignored;
            fl_err_clear(&ignored);
            struct fl_err *keep = c->err;
            c->err = &ignored;
            (void)d_write(c);
            c->err = keep;
        }
        d_event(c, "Warning", R_RS_CREATE_ERROR, "%s", msg);
        *c->err = e;
        return FL_EFAIL;
    }
    dsync_add(c, x);
    if (!already && count > 0)
        d_event(c, "Normal", "ScalingReplicaSet", "Scaled up replica set %s to %lld", x->name,
                (long long)count);
    char nrs[32];
    snprintf(nrs, sizeof(nrs), "%lld", (long long)new_rev);
    bool needs = set_deployment_revision(c, nrs);
    if (!already && has_progress_deadline(c)) {
        snprintf(msg, sizeof(msg), "Created new replica set \"%s\"", x->name);
        cond_set(st, cond_new("Progressing", "True", R_NEW_RS, msg));
        needs = true;
    }
    if (needs && d_write(c) != 0)
        return FL_EFAIL;
    *out = x;
    return FL_OK;
}

/* getAllReplicaSetsAndSyncRevision: *newrs may be NULL; old: every other one. */
static int get_all(struct dsync *c, bool create, struct drs **newrs, struct rsl *old)
{
    struct drs *cur = find_new_rs(c);
    old->v = NULL;
    old->n = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->all[i] != cur)
            rsl_push(old, c->all[i]);
    if (get_new_rs(c, old, create, newrs) != 0) {
        rsl_free(old);
        return FL_EFAIL;
    }
    return FL_OK;
}

/* ---- status -------------------------------------------------------------------------------- */

static void set_count(json_t *st, const char *key, int64_t v)
{
    if (v)
        json_object_set_new(st, key, json_integer(v));
    else
        json_object_del(st, key);
}

/* calculateStatus: a new status object. */
static json_t *calculate_status(struct dsync *c, const struct rsl *all, const struct drs *newrs)
{
    int64_t avail = 0, total = 0, actual = 0, ready = 0;
    for (size_t i = 0; i < all->n; i++) {
        avail += all->v[i]->st_avail;
        total += all->v[i]->replicas;
        actual += all->v[i]->st_replicas;
        ready += all->v[i]->st_ready;
    }
    int64_t unavail = total - avail < 0 ? 0 : total - avail;
    const json_t *old = json_object_get(c->d, "status");
    json_t *st = json_object();
    set_count(st, "observedGeneration",
              fl_m_int(json_object_get(c->d, "metadata"), "generation", 0));
    set_count(st, "replicas", actual);
    set_count(st, "updatedReplicas", newrs ? newrs->st_replicas : 0);
    set_count(st, "readyReplicas", ready);
    set_count(st, "availableReplicas", avail);
    set_count(st, "unavailableReplicas", unavail);
    json_t *conds = json_object_get(old, "conditions");
    if (json_array_size(conds))
        json_object_set_new(st, "conditions", json_deep_copy(conds));
    json_t *cc = json_object_get(old, "collisionCount");
    if (cc)
        json_object_set(st, "collisionCount", cc);
    if (avail >= d_replicas(c) - max_unavailable(c))
        cond_set(st, cond_new("Available", "True", R_MIN_AVAILABLE,
                              "Deployment has minimum availability."));
    else
        cond_set(st, cond_new("Available", "False", R_MIN_UNAVAILABLE,
                              "Deployment does not have minimum availability."));
    return st;
}

/* DeploymentComplete over status st. */
static bool deployment_complete(const struct dsync *c, const json_t *st)
{
    int64_t want = d_replicas(c);
    return fl_m_int(st, "updatedReplicas", 0) == want && fl_m_int(st, "replicas", 0) == want &&
           fl_m_int(st, "availableReplicas", 0) == want &&
           fl_m_int(st, "observedGeneration", 0) >=
               fl_m_int(json_object_get(c->d, "metadata"), "generation", 0);
}

/* DeploymentProgressing: st against the current status. */
static bool deployment_progressing(const struct dsync *c, const json_t *st)
{
    const json_t *old = json_object_get(c->d, "status");
    int64_t old_old = fl_m_int(old, "replicas", 0) - fl_m_int(old, "updatedReplicas", 0);
    int64_t new_old = fl_m_int(st, "replicas", 0) - fl_m_int(st, "updatedReplicas", 0);
    return fl_m_int(st, "updatedReplicas", 0) > fl_m_int(old, "updatedReplicas", 0) ||
           new_old < old_old ||
           fl_m_int(st, "readyReplicas", 0) > fl_m_int(old, "readyReplicas", 0) ||
           fl_m_int(st, "availableReplicas", 0) > fl_m_int(old, "availableReplicas", 0);
}

static int64_t pds_ms(const struct dsync *c)
{
    return fl_m_int(dspec(c), "progressDeadlineSeconds", 0) * 1000;
}

/* DeploymentTimedOut */
static bool deployment_timed_out(const struct dsync *c, const json_t *st)
{
    if (!has_progress_deadline(c))
        return false;
    const json_t *cond = fl_m_condition(st, "conditions", "Progressing");
    if (!cond)
        return false;
    const char *reason = fl_json_str(cond, "reason");
    if (!strcmp(reason, R_NEW_RS_AVAILABLE))
        return false;
    if (!strcmp(reason, R_TIMED_OUT))
        return true;
    int64_t from = fl_m_parse_time_ms(fl_json_str(cond, "lastUpdateTime"));
    return from + pds_ms(c) < fl_m_wall_ms();
}

/* requeueStuckDeployment */
static void requeue_stuck(struct dsync *c, const json_t *st)
{
    const json_t *cur =
        fl_m_condition(json_object_get(c->d, "status"), "conditions", "Progressing");
    if (!has_progress_deadline(c) || !cur)
        return;
    if (deployment_complete(c, st) || !strcmp(fl_json_str(cur, "reason"), R_TIMED_OUT))
        return;
    int64_t after =
        fl_m_parse_time_ms(fl_json_str(cur, "lastUpdateTime")) + pds_ms(c) - fl_m_wall_ms();
    requeue_after(c, after < 1000 ? after + 10 : after + 1000);
}

/* ReplicaSetToDeploymentCondition of the first ReplicaFailure: new or NULL. */
static json_t *replica_failure(const struct rsl *all, const struct drs *newrs)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < (pass ? all->n : 1); i++) {
            const struct drs *x = pass ? all->v[i] : newrs;
            if (!x)
                continue;
            const json_t *rc =
                fl_m_condition(json_object_get(x->doc, "status"), "conditions", "ReplicaFailure");
            if (!rc)
                continue;
            const char *t = fl_json_str(rc, "lastTransitionTime");
            return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", "ReplicaFailure", "status",
                             fl_json_str(rc, "status"), "lastUpdateTime", t,
                             "lastTransitionTime", t, "reason", fl_json_str(rc, "reason"),
                             "message", fl_json_str(rc, "message"));
        }
    }
    return NULL;
}

/* reflect.DeepEqual(d.Status, newStatus) */
static bool status_equal(struct dsync *c, const json_t *st)
{
    const json_t *old = json_object_get(c->d, "status");
    return old ? json_equal(old, st) : json_object_size(st) == 0;
}

/* syncRolloutStatus */
static int sync_rollout_status(struct dsync *c, const struct rsl *all, struct drs *newrs)
{
    json_t *st = calculate_status(c, all, newrs);
    if (!has_progress_deadline(c))
        cond_remove(st, "Progressing");
    const json_t *cur =
        fl_m_condition(json_object_get(c->d, "status"), "conditions", "Progressing");
    bool complete = fl_m_int(st, "replicas", 0) == fl_m_int(st, "updatedReplicas", 0) && cur &&
                    !strcmp(fl_json_str(cur, "reason"), R_NEW_RS_AVAILABLE);
    char msg[600];
    if (has_progress_deadline(c) && !complete) {
        if (deployment_complete(c, st)) {
            if (newrs)
                snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" has successfully progressed.",
                         newrs->name);
            else
                snprintf(msg, sizeof(msg), "Deployment \"%s\" has successfully progressed.",
                         c->name);
            cond_set(st, cond_new("Progressing", "True", R_NEW_RS_AVAILABLE, msg));
        } else if (deployment_progressing(c, st)) {
            if (newrs)
                snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" is progressing.", newrs->name);
            else
                snprintf(msg, sizeof(msg), "Deployment \"%s\" is progressing.", c->name);
            json_t *cond = cond_new("Progressing", "True", R_RS_UPDATED, msg);
            if (cur) {
                if (!strcmp(fl_json_str(cur, "status"), "True"))
                    json_object_set(cond, "lastTransitionTime",
                                    json_object_get(cur, "lastTransitionTime"));
                cond_remove(st, "Progressing");
            }
            cond_set(st, cond);
        } else if (deployment_timed_out(c, st)) {
            if (newrs)
                snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" has timed out progressing.",
                         newrs->name);
            else
                snprintf(msg, sizeof(msg), "Deployment \"%s\" has timed out progressing.",
                         c->name);
            cond_set(st, cond_new("Progressing", "False", R_TIMED_OUT, msg));
        }
    }
    json_t *fail = replica_failure(all, newrs);
    if (fail)
        cond_set(st, fail);
    else
        cond_remove(st, "ReplicaFailure");
    if (status_equal(c, st)) {
        requeue_stuck(c, st);
        json_decref(st);
        return FL_OK;
    }
    json_object_set_new(c->d, "status", st);
    return d_write(c);
}

/* syncDeploymentStatus */
static int sync_deployment_status(struct dsync *c, const struct rsl *all, struct drs *newrs)
{
    json_t *st = calculate_status(c, all, newrs);
    if (status_equal(c, st)) {
        json_decref(st);
        return FL_OK;
    }
    json_object_set_new(c->d, "status", st);
    return d_write(c);
}

/* ---- cleanup --------------------------------------------------------------------------------- */

/* cleanupDeployment: delete the oldest old ReplicaSets beyond
 * revisionHistoryLimit that are scaled to 0 and settled. */
static int cleanup_deployment(struct dsync *c, const struct rsl *old)
{
    const json_t *lim = json_object_get(dspec(c), "revisionHistoryLimit");
    if (!json_is_integer(lim))
        return FL_OK;
    struct rsl cl = {0};
    for (size_t i = 0; i < old->n; i++)
        if (!old->v[i]->deleting)
            rsl_push(&cl, old->v[i]);
    int64_t diff = (int64_t)cl.n - json_integer_value(lim);
    int rc = FL_OK;
    if (diff > 0) {
        rsl_sort(&cl, by_revision);
        for (int64_t i = 0; i < diff; i++) {
            struct drs *x = cl.v[i];
            if (x->st_replicas != 0 || x->replicas != 0 || x->generation > x->observed ||
                x->deleting)
                continue;
            struct fl_err e;
            fl_err_clear(&e);
            if (fl_m_delete(c->m, c->w->t_rs, c->ns, x->name, x->uid, &e) != 0 && e.code != 404) {
                *c->err = e;
                rc = FL_EFAIL;
                break;
            }
            x->deleting = true;
        }
    }
    rsl_free(&cl);
    return rc;
}

/* ---- proportional scaling (sync.go scale) ------------------------------------------------------ */

static bool is_saturated(const struct dsync *c, const struct drs *x)
{
    int64_t desired;
    if (!x || !parse_i64(ann(x->doc, WL_DESIRED_REPLICAS), &desired))
        return false;
    return x->replicas == d_replicas(c) && desired == d_replicas(c) && x->st_avail == d_replicas(c);
}

/* FindActiveOrLatest */
static struct drs *active_or_latest(struct drs *newrs, struct rsl *old)
{
    if (!newrs && old->n == 0)
        return NULL;
    rsl_sort(old, by_creation_desc);
    struct rsl both = rsl_with(old, newrs);
    struct rsl act = rsl_active(&both);
    struct drs *r = NULL;
    if (act.n == 0)
        r = newrs ? newrs : old->v[0];
    else if (act.n == 1)
        r = act.v[0];
    rsl_free(&both);
    rsl_free(&act);
    return r;
}

/* getReplicaSetFraction */
static int64_t rs_fraction(const struct dsync *c, const struct drs *x)
{
    if (d_replicas(c) == 0)
        return -x->replicas;
    int64_t dmax = d_replicas(c) + max_surge(c);
    int64_t before = 0;
    if (!parse_i64(ann(x->doc, WL_MAX_REPLICAS), &before) || before == 0) {
        before = fl_m_int(json_object_get(c->d, "status"), "replicas", 0);
        if (before == 0)
            return 0;
    }
    double size = (double)(x->replicas * dmax) / (double)before;
    return (int64_t)round(size) - x->replicas;
}

/* GetReplicaSetProportion */
static int64_t rs_proportion(const struct dsync *c, const struct drs *x, int64_t to_add,
                             int64_t added)
{
    if (x->replicas == 0 || to_add == 0 || to_add == added)
        return 0;
    int64_t frac = rs_fraction(c, x), allowed = to_add - added;
    if (to_add > 0)
        return frac < allowed ? frac : allowed;
    return frac > allowed ? frac : allowed;
}

static int scale(struct dsync *c, struct drs *newrs, struct rsl *old)
{
    bool scaled;
    struct drs *one = active_or_latest(newrs, old);
    if (one) {
        if (one->replicas == d_replicas(c))
            return FL_OK;
        return scale_rs_record(c, one, d_replicas(c), &scaled);
    }
    if (is_saturated(c, newrs)) {
        struct rsl act = rsl_active(old);
        int rc = FL_OK;
        for (size_t i = 0; i < act.n && rc == FL_OK; i++)
            rc = scale_rs_record(c, act.v[i], 0, &scaled);
        rsl_free(&act);
        return rc;
    }
    if (!is_rolling(c))
        return FL_OK;
    struct rsl both = rsl_with(old, newrs);
    struct rsl all = rsl_active(&both);
    rsl_free(&both);
    int64_t allowed = d_replicas(c) > 0 ? d_replicas(c) + max_surge(c) : 0;
    int64_t to_add = allowed - sum_replicas(&all);
    if (to_add > 0)
        rsl_sort(&all, by_size_newer);
    else if (to_add < 0)
        rsl_sort(&all, by_size_older);
    int64_t added = 0;
    int64_t *size = fl_xcalloc(all.n ? all.n : 1, sizeof(*size));
    for (size_t i = 0; i < all.n; i++) {
        if (to_add != 0) {
            int64_t p = rs_proportion(c, all.v[i], to_add, added);
            size[i] = all.v[i]->replicas + p;
            added += p;
        } else {
            size[i] = all.v[i]->replicas;
        }
    }
    int rc = FL_OK;
    for (size_t i = 0; i < all.n && rc == FL_OK; i++) {
        if (i == 0 && to_add != 0) {
            size[0] += to_add - added;
            if (size[0] < 0)
                size[0] = 0;
        }
        rc = scale_rs(c, all.v[i], size[i], &scaled);
    }
    free(size);
    rsl_free(&all);
    return rc;
}

/* ---- the strategies ---------------------------------------------------------------------------- */

/* sync: scaling events and paused Deployments. */
static int sync_paused_or_scaled(struct dsync *c)
{
    struct drs *newrs;
    struct rsl old;
    if (get_all(c, false, &newrs, &old) != 0)
        return FL_EFAIL;
    int rc = scale(c, newrs, &old);
    if (rc == FL_OK && json_is_true(json_object_get(dspec(c), "paused")))
        rc = cleanup_deployment(c, &old);
    if (rc == FL_OK) {
        struct rsl all = rsl_with(&old, newrs);
        rc = sync_deployment_status(c, &all, newrs);
        rsl_free(&all);
    }
    rsl_free(&old);
    return rc;
}

/* reconcileNewReplicaSet */
static int reconcile_new_rs(struct dsync *c, const struct rsl *all, struct drs *newrs,
                            bool *scaled)
{
    *scaled = false;
    if (newrs->replicas == d_replicas(c))
        return FL_OK;
    if (newrs->replicas > d_replicas(c))
        return scale_rs_record(c, newrs, d_replicas(c), scaled);
    return scale_rs_record(c, newrs, new_rs_new_replicas(c, all, newrs->replicas), scaled);
}

/* cleanupUnhealthyReplicas */
static int cleanup_unhealthy(struct dsync *c, struct rsl *old, int64_t max_cleanup,
                             int64_t *total)
{
    bool scaled;
    rsl_sort(old, by_creation);
    *total = 0;
    for (size_t i = 0; i < old->n; i++) {
        struct drs *x = old->v[i];
        if (*total >= max_cleanup)
            break;
        if (x->replicas == 0 || x->replicas == x->st_avail)
            continue;
        int64_t n = max_cleanup - *total;
        if (x->replicas - x->st_avail < n)
            n = x->replicas - x->st_avail;
        int64_t count = x->replicas - n;
        if (count > x->replicas)
            return fl_errf(c->err, 500, "InternalError",
                           "when cleaning up unhealthy replicas, got invalid request to scale "
                           "down %s/%s %lld -> %lld",
                           c->ns, x->name, (long long)x->replicas, (long long)count);
        if (scale_rs_record(c, x, count, &scaled) != 0)
            return FL_EFAIL;
        *total += n;
    }
    return FL_OK;
}

/* scaleDownOldReplicaSetsForRollingUpdate */
static int scale_down_old_rolling(struct dsync *c, const struct rsl *all, struct rsl *old,
                                  int64_t *total)
{
    bool scaled;
    int64_t min_avail = d_replicas(c) - max_unavailable(c);
    int64_t avail = 0;
    for (size_t i = 0; i < all->n; i++)
        avail += all->v[i]->st_avail;
    *total = 0;
    if (avail <= min_avail)
        return FL_OK;
    rsl_sort(old, by_creation);
    int64_t want = avail - min_avail;
    for (size_t i = 0; i < old->n; i++) {
        struct drs *x = old->v[i];
        if (*total >= want)
            break;
        if (x->replicas == 0)
            continue;
        int64_t n = x->replicas < want - *total ? x->replicas : want - *total;
        if (scale_rs_record(c, x, x->replicas - n, &scaled) != 0)
            return FL_EFAIL;
        *total += n;
    }
    return FL_OK;
}

/* reconcileOldReplicaSets: old are the active old ReplicaSets. */
static int reconcile_old_rss(struct dsync *c, const struct rsl *all, struct rsl *old,
                             struct drs *newrs, bool *scaled)
{
    *scaled = false;
    if (sum_replicas(old) == 0)
        return FL_OK;
    int64_t min_avail = d_replicas(c) - max_unavailable(c);
    int64_t new_unavail = newrs->replicas - newrs->st_avail;
    int64_t max_down = sum_replicas(all) - min_avail - new_unavail;
    if (max_down <= 0)
        return FL_OK;
    int64_t cleaned = 0, down = 0;
    struct fl_err ignored;
    fl_err_clear(&ignored);
    struct fl_err *keep = c->err;
    c->err = &ignored; /* upstream returns (false, nil) on these errors */
    if (cleanup_unhealthy(c, old, max_down, &cleaned) == 0) {
        struct rsl all2 = rsl_with(old, newrs);
        if (scale_down_old_rolling(c, &all2, old, &down) != 0)
            down = 0, cleaned = 0;
        rsl_free(&all2);
    } else {
        cleaned = 0;
    }
    c->err = keep;
    *scaled = cleaned + down > 0;
    return FL_OK;
}

static int rollout_rolling(struct dsync *c)
{
    struct drs *newrs;
    struct rsl old;
    if (get_all(c, true, &newrs, &old) != 0)
        return FL_EFAIL;
    struct rsl all = rsl_with(&old, newrs);
    bool scaled = false;
    int rc = FL_OK;
    if (!newrs) { /* cannot happen: create was asked */
        rc = sync_rollout_status(c, &all, NULL);
        goto out;
    }
    if ((rc = reconcile_new_rs(c, &all, newrs, &scaled)) != 0 || scaled) {
        if (rc == FL_OK)
            rc = sync_rollout_status(c, &all, newrs);
        goto out;
    }
    struct rsl act = rsl_active(&old);
    rc = reconcile_old_rss(c, &all, &act, newrs, &scaled);
    rsl_free(&act);
    if (rc != FL_OK || scaled) {
        if (rc == FL_OK)
            rc = sync_rollout_status(c, &all, newrs);
        goto out;
    }
    if (deployment_complete(c, json_object_get(c->d, "status")) &&
        (rc = cleanup_deployment(c, &old)) != 0)
        goto out;
    rc = sync_rollout_status(c, &all, newrs);
out:
    rsl_free(&all);
    rsl_free(&old);
    return rc;
}

/* oldPodsRunning: old ReplicaSets still counting pods, or pods of any but the
 * new ReplicaSet not yet Succeeded/Failed (terminating ones too). */
static bool old_pods_running(struct dsync *c, const struct drs *newrs, const struct rsl *old)
{
    int64_t n = 0;
    for (size_t i = 0; i < old->n; i++)
        n += old->v[i]->st_replicas;
    if (n > 0)
        return true;
    for (size_t i = 0; i < c->n; i++) {
        if (c->all[i] == newrs)
            continue;
        const struct wl_rs *r = wl_rs_find(c->w, c->all[i]->uid);
        if (r && wl_rs_pods_running(r) > 0)
            return true;
    }
    return false;
}

static int rollout_recreate(struct dsync *c)
{
    struct drs *newrs;
    struct rsl old;
    if (get_all(c, false, &newrs, &old) != 0)
        return FL_EFAIL;
    struct rsl all = rsl_with(&old, newrs);
    struct rsl act = rsl_active(&old);
    bool any = false, scaled;
    int rc = FL_OK;
    for (size_t i = 0; i < act.n && rc == FL_OK; i++) {
        if (act.v[i]->replicas == 0)
            continue;
        rc = scale_rs_record(c, act.v[i], 0, &scaled);
        any |= scaled;
    }
    rsl_free(&act);
    if (rc != FL_OK)
        goto out;
    if (any || old_pods_running(c, newrs, &old)) {
        rc = sync_rollout_status(c, &all, newrs);
        goto out;
    }
    if (!newrs) {
        rsl_free(&old);
        rsl_free(&all);
        if (get_all(c, true, &newrs, &old) != 0)
            return FL_EFAIL;
        all = rsl_with(&old, newrs);
    }
    if (newrs && (rc = scale_rs_record(c, newrs, d_replicas(c), &scaled)) != 0)
        goto out;
    if (deployment_complete(c, json_object_get(c->d, "status")) &&
        (rc = cleanup_deployment(c, &old)) != 0)
        goto out;
    rc = sync_rollout_status(c, &all, newrs);
out:
    rsl_free(&all);
    rsl_free(&old);
    return rc;
}

/* checkPausedConditions */
static int check_paused_conditions(struct dsync *c)
{
    if (!has_progress_deadline(c))
        return FL_OK;
    json_t *st = dstatus(c);
    const json_t *cond = fl_m_condition(st, "conditions", "Progressing");
    if (cond && !strcmp(fl_json_str(cond, "reason"), R_TIMED_OUT))
        return FL_OK;
    bool paused_cond = cond && !strcmp(fl_json_str(cond, "reason"), R_PAUSED);
    bool paused = json_is_true(json_object_get(dspec(c), "paused"));
    if (paused && !paused_cond)
        cond_set(st, cond_new("Progressing", "Unknown", R_PAUSED, "Deployment is paused"));
    else if (!paused && paused_cond)
        cond_set(st, cond_new("Progressing", "Unknown", R_RESUMED, "Deployment is resumed"));
    else
        return FL_OK;
    return d_write(c);
}

/* isScalingEvent: an active ReplicaSet was sized for another replica count. */
static int is_scaling_event(struct dsync *c, bool *yes)
{
    struct drs *newrs;
    struct rsl old;
    *yes = false;
    if (get_all(c, false, &newrs, &old) != 0)
        return FL_EFAIL;
    struct rsl both = rsl_with(&old, newrs);
    for (size_t i = 0; i < both.n; i++) {
        int64_t desired;
        if (both.v[i]->replicas > 0 && parse_i64(ann(both.v[i]->doc, WL_DESIRED_REPLICAS), &desired) &&
            desired != d_replicas(c))
            *yes = true;
    }
    rsl_free(&both);
    rsl_free(&old);
    return FL_OK;
}

/* ---- claiming ReplicaSets (ClaimReplicaSets) ---------------------------------------------------- */

/* Drop the ownerReference to uid from doc; true if there was one. */
static bool drop_owner(json_t *doc, const char *uid)
{
    json_t *md = json_object_get(doc, "metadata");
    json_t *refs = json_object_get(md, "ownerReferences");
    bool found = false;
    for (size_t i = json_array_size(refs); i-- > 0;) {
        if (!strcmp(fl_json_str(json_array_get(refs, i), "uid"), uid)) {
            json_array_remove(refs, i);
            found = true;
        }
    }
    if (refs && json_array_size(refs) == 0)
        json_object_del(md, "ownerReferences");
    return found;
}

static int claim_replicasets(struct dsync *c)
{
    const json_t *sel = json_object_get(dspec(c), "selector");
    bool deleting = json_object_get(json_object_get(c->d, "metadata"), "deletionTimestamp");
    struct fl_err e;
    /* Owned ones (copy the list: releases change it). */
    uint32_t n = c->rec->nrs;
    struct wl_rs **owned = fl_xmalloc((n ? n : 1) * sizeof(*owned));
    if (n)
        memcpy(owned, c->rec->rs, n * sizeof(*owned));
    for (uint32_t i = 0; i < n; i++) {
        struct wl_rs *r = owned[i];
        if (!r->known || strcmp(r->ns, c->ns) != 0)
            continue;
        fl_err_clear(&e);
        json_t *doc = fl_m_get_json(c->m, c->w->t_rs, r->ns, r->name, &e);
        if (!doc)
            continue;
        const char *cuid = fl_m_controller_uid(doc);
        const json_t *labels = json_object_get(json_object_get(doc, "metadata"), "labels");
        if (!cuid || strcmp(cuid, c->uid) != 0) {
            json_decref(doc);
            continue;
        }
        if (fl_labelsel_json_match(sel, labels)) {
            dsync_add(c, drs_new(doc));
            continue;
        }
        if (!deleting && drop_owner(doc, c->uid)) { /* release */
            fl_err_clear(&e);
            if (fl_m_update(c->m, c->w->t_rs, doc, NULL, &e) != 0 && e.code != 404)
                fprintf(stderr, "flotilla member: releasing %s/%s: %s\n", r->ns, r->name,
                        e.message);
        }
        json_decref(doc);
    }
    free(owned);
    if (deleting || c->w->orphan_rs == 0 || !sel || fl_m_selector_empty(sel))
        return FL_OK;
    /* Orphans the selector selects. */
    struct wl_table *t = &c->w->rs;
    struct wl_rs **cand = NULL;
    size_t ncand = 0;
    for (size_t b = 0; b < t->nb; b++) {
        for (struct wl_hnode *h = t->b[b]; h; h = h->next) {
            struct wl_rs *r = (struct wl_rs *)h;
            if (r->orphans || !r->known || r->dep || r->ctl_other || r->deleting ||
                strcmp(r->ns, c->ns) != 0 || !fl_labelsel_json_match(sel, r->labels))
                continue;
            cand = fl_xrealloc(cand, (ncand + 1) * sizeof(*cand));
            cand[ncand++] = r;
        }
    }
    for (size_t i = 0; i < ncand; i++) {
        fl_err_clear(&e);
        json_t *doc = fl_m_get_json(c->m, c->w->t_rs, cand[i]->ns, cand[i]->name, &e);
        if (!doc)
            continue;
        const json_t *md = json_object_get(doc, "metadata");
        if (fl_m_controller_ref(doc) || json_object_get(md, "deletionTimestamp") ||
            !fl_labelsel_json_match(sel, json_object_get(md, "labels"))) {
            json_decref(doc);
            continue;
        }
        fl_m_set_controller_ref(doc, c->d);
        struct fl_obj *o = NULL;
        fl_err_clear(&e);
        if (fl_m_update(c->m, c->w->t_rs, doc, &o, &e) != 0) {
            json_decref(doc);
            continue;
        }
        took_rv(doc, o);
        dsync_add(c, drs_new(doc));
    }
    free(cand);
    return FL_OK;
}

/* ---- syncDeployment -------------------------------------------------------------------------------- */

static int sync_deployment(struct dsync *c)
{
    const json_t *sel = json_object_get(dspec(c), "selector");
    if (!sel || fl_m_selector_empty(sel)) {
        d_event(c, "Warning", "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.");
        json_t *st = dstatus(c);
        int64_t gen = fl_m_int(json_object_get(c->d, "metadata"), "generation", 0);
        if (fl_m_int(st, "observedGeneration", 0) < gen) {
            json_object_set_new(st, "observedGeneration", json_integer(gen));
            return d_write(c);
        }
        return FL_OK;
    }
    if (claim_replicasets(c) != 0)
        return FL_EFAIL;
    if (json_object_get(json_object_get(c->d, "metadata"), "deletionTimestamp")) {
        struct drs *newrs;
        struct rsl old;
        if (get_all(c, false, &newrs, &old) != 0)
            return FL_EFAIL;
        struct rsl all = rsl_with(&old, newrs);
        int rc = sync_deployment_status(c, &all, newrs);
        rsl_free(&all);
        rsl_free(&old);
        return rc;
    }
    if (check_paused_conditions(c) != 0)
        return FL_EFAIL;
    if (json_is_true(json_object_get(dspec(c), "paused")))
        return sync_paused_or_scaled(c);
    bool scaling;
    if (is_scaling_event(c, &scaling) != 0)
        return FL_EFAIL;
    if (scaling)
        return sync_paused_or_scaled(c);
    if (is_recreate(c))
        return rollout_recreate(c);
    if (is_rolling(c))
        return rollout_rolling(c);
    return fl_errf(c->err, 500, "InternalError", "unexpected deployment strategy type: %s",
                   fl_json_str(strategy(c), "type"));
}

int wl_dep_sync(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err)
{
    struct fl_sim_workloads *w = ctx;
    char ns[256];
    const char *name;
    if (!fl_m_split_ns_name(key, ns, sizeof(ns), &name))
        return FL_WQ_DONE;
    json_t *d = fl_m_get_json(w->m, w->t_dep, ns, name, err);
    if (!d)
        return FL_EFAIL; /* NotFound: done */
    struct dsync c = {.w = w, .m = w->m, .d = d, .err = err};
    c.rec = dep_learn(w, d);
    const json_t *md = json_object_get(d, "metadata");
    c.ns = fl_json_str(md, "namespace");
    c.name = fl_json_str(md, "name");
    c.uid = fl_json_str(md, "uid");
    c.canon_tmpl = canonical_template(json_object_get(json_object_get(d, "spec"), "template"));
    int rc = c.rec ? sync_deployment(&c) : FL_OK;
    for (size_t i = 0; i < c.n; i++) {
        json_decref(c.all[i]->doc);
        free(c.all[i]);
    }
    free(c.all);
    json_decref(c.canon_tmpl);
    json_decref(d);
    if (rc != FL_OK)
        return FL_EFAIL;
    if (c.requeue_ms) {
        *requeue_ms = c.requeue_ms;
        return FL_WQ_REQUEUE;
    }
    return FL_WQ_DONE;
}

/* ---- the component -------------------------------------------------------------------------------- */

int fl_sim_workloads_start(struct fl_member *m, struct fl_err *err)
{
    struct fl_sim_workloads *w = fl_xcalloc(1, sizeof(*w));
    w->m = m;
    w->t_pod = fl_m_type("", "pods");
    w->t_rs = fl_m_type("apps", "replicasets");
    w->t_dep = fl_m_type("apps", "deployments");
    wl_rs_init(w);
    w->rsq = fl_workqueue_new(m->base, &(struct fl_workqueue_opts){.name = "replicaset",
                                                                  .reconcile = wl_rs_sync,
                                                                  .ctx = w});
    w->dq = fl_workqueue_new(m->base, &(struct fl_workqueue_opts){.name = "deployment",
                                                                 .reconcile = wl_dep_sync,
                                                                 .ctx = w});
    m->workloads = w;
    /* What the store holds already, then every change after it. */
    if (fl_m_list_watch(m, w->t_dep, wl_dep_on_dep, w, &w->w_dep, err) != 0 ||
        fl_m_list_watch(m, w->t_rs, wl_rs_on_rs, w, &w->w_rs, err) != 0 ||
        fl_m_list_watch(m, w->t_pod, wl_rs_on_pod, w, &w->w_pods, err) != 0) {
        fl_sim_workloads_stop(m);
        return FL_EFAIL;
    }
    return FL_OK;
}

void fl_sim_workloads_stop(struct fl_member *m)
{
    struct fl_sim_workloads *w = m->workloads;
    if (!w)
        return;
    fl_watch_close(w->w_dep);
    fl_watch_close(w->w_rs);
    fl_watch_close(w->w_pods);
    fl_workqueue_free(w->rsq);
    fl_workqueue_free(w->dq);
    wl_rs_release(w);
    wl_dep_release(w);
    free(w);
    m->workloads = NULL;
}
