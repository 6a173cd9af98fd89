/*
 * The StatefulSet controller of a simulated member cluster, after
 * kube-controller-manager's pkg/controller/statefulset (1.32), plus the
 * dynamic provisioner that binds PersistentVolumeClaims (there are no
 * PersistentVolume objects: a claim is Bound to a volume named "pvc-<uid>").
 *
 * A sync of one StatefulSet does what upstream's sync does, in its order:
 * adopt orphan ControllerRevisions, claim pods (adopt orphans named like its
 * pods whose labels match, release those that no longer match), find or make
 * the update revision, create / delete / recreate pods for ordinals
 * [ordinals.start, ordinals.start + replicas) (OrderedReady: one at a time,
 * waiting for each to be Running, Ready and available; Parallel: all at once),
 * keep claims' ownerReferences as persistentVolumeClaimRetentionPolicy says,
 * roll pods to the update revision (RollingUpdate with partition and
 * maxUnavailable, or OnDelete), write status, and trim the history.
 *
 * What the store watches keep, so a sync never lists every pod: the
 * StatefulSets (uid, selector, claim template names: immutable per uid) and an
 * index of the pods that can belong to one (controlled by a StatefulSet, or
 * orphans named "<parent>-<ordinal>"), grouped by namespace and parent name,
 * each pod reduced to the few facts the controller decides on (phase, Ready
 * and since when, terminating, revision label, owner) in 40 bytes. Pods other
 * controllers own are never parsed. Invariants: the index changes only in
 * watch callbacks, never inside a sync (writes become events at the end of the
 * turn), so a sync may hold pointers into it; a sync never decides on an
 * index older than its own previous sync's writes (it waits a millisecond for
 * the commit that delivers them); no timer runs for an idle StatefulSet (only
 * a pending minReadySeconds wait requeues one).
 *
 * Revision names are upstream's: the data is {"spec":{"template":{...,
 * "$patch":"replace"}}} encoded as Go's encoding/json encodes a map (sorted
 * keys, compact, HTML-safe escapes), hashed with FNV-1 (32 bit) plus the
 * decimal collision count, and the decimal hash encoded with
 * rand.SafeEncodeString. So a template the API stores as kube-apiserver would
 * gets the same revision name as on a real cluster; a template whose stored
 * form differs from Go's re-encoding of it (say a field Go would print as a
 * zero value we omit) gets a different, equally stable name.
 */
#include <bsd/sys/tree.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controllers/workqueue.h"
#include "core/alloc.h"
#include "member/objects.h"
#include "member/sim.h"

#define COMPONENT "statefulset-controller"
#define LABEL_POD_NAME "statefulset.kubernetes.io/pod-name"
#define LABEL_POD_INDEX "apps.kubernetes.io/pod-index"
#define LABEL_REVISION "controller-revision-hash"
#define LABEL_CR_HASH "controller.kubernetes.io/hash"
#define MAX_BATCH 500 /* upstream's MaxBatchSize for Parallel */
#define REVISION_PREFIX_MAX 223
#define MAX_COLLISIONS 64 /* name collisions tried before giving up for this sync */
/* Pod creations and deletions per sync: upstream's Parallel does them all in
 * one sync (500 goroutines at a time); here the rest waits for the next loop
 * turn, so a set of thousands does not hold the loop. */
#define SYNC_WRITES 500
#define STOP_BUDGET 2 /* a step's "the budget is spent" */

/* ---- small helpers ------------------------------------------------------ */

static uint64_t hash64(const char *s)
{
    uint64_t h = fl_m_hash_str(s);
    return h ? h : 1; /* 0 means "none" in the index */
}

static uint32_t hash32(const char *s)
{
    uint64_t h = hash64(s);
    uint32_t v = (uint32_t)(h ^ (h >> 32));
    return v ? v : 1;
}

/* FNV-1 (not 1a), as Go's hash/fnv New32 that HashControllerRevision uses. */
static uint32_t fnv1_32(uint32_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h *= 16777619u;
        h ^= (unsigned char)p[i];
    }
    return h;
}

static const json_t *jget(const json_t *o, const char *k)
{
    return json_object_get(o, k);
}

static const char *label(const json_t *doc, const char *k)
{
    const json_t *v = jget(jget(jget(doc, "metadata"), "labels"), k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* upstream's statefulPodRegex "(.*)-([0-9]+)$" with ParseInt(.., 10, 32);
 * names whose ordinal is not written canonically ("web-03") are not pods
 * any StatefulSet would make, and are left alone. */
static bool parse_ordinal(const char *name, char *parent, size_t plen, uint32_t *ord)
{
    size_t n = strlen(name), i = n;
    while (i > 0 && isdigit((unsigned char)name[i - 1]))
        i--;
    if (i == n || i < 2 || name[i - 1] != '-' || n - i > 10 || (name[i] == '0' && n - i > 1))
        return false;
    unsigned long long v = strtoull(name + i, NULL, 10);
    if (v > INT32_MAX || i - 1 >= plen)
        return false;
    memcpy(parent, name, i - 1);
    parent[i - 1] = '\0';
    *ord = (uint32_t)v;
    return true;
}

/* A copy of a string map with its keys in Go's (sorted) order. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *sorted_map(const json_t *obj)
{
    size_t n = json_object_size(obj), i = 0;
    const char **keys = fl_xcalloc(n ? n : 1, sizeof(*keys));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        keys[i++] = k;
    }
    qsort(keys, n, sizeof(*keys), cmp_str);
    json_t *out = json_object();
    for (i = 0; i < n; i++)
        json_object_set(out, keys[i], json_object_get(obj, keys[i]));
    free(keys);
    return out;
}

/* ---- Go's encoding/json, for revision data ------------------------------- */

struct buf {
    char *p;
    size_t n, cap;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = fl_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

/* encodeState.string with escapeHTML: <, >, & and control characters as
 * \u00xx (lower-case hex), \b \f \n \r \t short, U+2028/2029 escaped. */
static void go_string(struct buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    buf_put(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            buf_put(b, esc, 2);
        } else if (ch == '\b' || ch == '\f' || ch == '\n' || ch == '\r' || ch == '\t') {
            esc[0] = '\\';
            esc[1] = ch == '\b'   ? 'b'
                     : ch == '\f' ? 'f'
                     : ch == '\n' ? 'n'
                     : ch == '\r' ? 'r'
                                  : 't';
            buf_put(b, esc, 2);
        } else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            buf_put(b, esc, 6);
        } else if (ch == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
            buf_str(b, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
            i += 2;
        } else {
            buf_put(b, (const char *)&s[i], 1);
        }
    }
    buf_put(b, "\"", 1);
}

static void go_json(struct buf *b, const json_t *v)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        const char **keys = fl_xcalloc(n ? n : 1, sizeof(*keys));
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            keys[i++] = k;
        }
        qsort(keys, n, sizeof(*keys), cmp_str);
        buf_put(b, "{", 1);
        for (i = 0; i < n; i++) {
            if (i)
                buf_put(b, ",", 1);
            go_string(b, keys[i], strlen(keys[i]));
            buf_put(b, ":", 1);
            go_json(b, jget(v, keys[i]));
        }
        buf_put(b, "}", 1);
        free(keys);
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        buf_put(b, "[", 1);
        json_array_foreach(v, i, x)
        {
            if (i)
                buf_put(b, ",", 1);
            go_json(b, x);
        }
        buf_put(b, "]", 1);
        break;
    }
    case JSON_STRING:
        go_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        buf_str(b, num);
        break;
    case JSON_REAL: {
        /* Go prints float64 shortest-first; integral values plainly. */
        double d = json_real_value(v);
        if (d == (double)(long long)d && d > -1e21 && d < 1e21) {
            snprintf(num, sizeof(num), "%lld", (long long)d);
        } else {
            for (int prec = 1; prec <= 17; prec++) {
                snprintf(num, sizeof(num), "%.*g", prec, d);
                if (strtod(num, NULL) == d)
                    break;
            }
        }
        buf_str(b, num);
        break;
    }
    case JSON_TRUE:
        buf_str(b, "true");
        break;
    case JSON_FALSE:
        buf_str(b, "false");
        break;
    default:
        buf_str(b, "null");
        break;
    }
}

static char *go_encode(const json_t *v)
{
    struct buf b = {0};
    go_json(&b, v);
    return b.p ? b.p : fl_xstrdup("null");
}

/* ---- state kept from the watches ---------------------------------------- */

enum { PH_NONE, PH_PENDING, PH_RUNNING, PH_SUCCEEDED, PH_FAILED, PH_UNKNOWN };
enum {
    F_READY = 1,       /* PodReady condition True */
    F_TERMINATING = 2, /* deletionTimestamp set */
    F_IDENT = 4,       /* statefulset.kubernetes.io/pod-name label == name */
    F_SEL = 8,         /* labels match the selector of the set checked (chk) */
    F_STORAGE = 16,    /* volumes cover that set's claim templates (chk) */
};

/* One pod, as the controller needs it. */
struct spod {
    uint64_t uidh;    /* hash of the pod's uid */
    uint64_t ctrl;    /* hash of its controlling StatefulSet's uid; 0: orphan */
    int64_t ready_ms; /* Ready's lastTransitionTime (unix ms) when ready */
    uint32_t ordinal;
    uint32_t rev; /* hash32 of its controller-revision-hash label; 0: none */
    uint32_t chk; /* hash of the set uid F_SEL and F_STORAGE are about */
    uint8_t phase, flags;
};

/* The pods named "<parent>-<ordinal>" in one namespace, by ordinal. */
struct group {
    RB_ENTRY(group) link;
    struct spod *pods;
    uint32_t n, cap;
    char key[]; /* "namespace/parent" */
};

/* A StatefulSet: what is fixed for its uid. */
struct sset {
    RB_ENTRY(sset) link;
    uint64_t uidh;
    json_t *selector; /* spec.selector */
    json_t *claims;   /* [names of spec.volumeClaimTemplates] */
    bool stale_wait;  /* a pod waits for a stale claim to go */
    uint64_t wrote;   /* revision of its last sync's last pod/claim/set write */
    char key[];       /* "namespace/name" */
};

static int group_cmp(const struct group *a, const struct group *b)
{
    return strcmp(a->key, b->key);
}

static int sset_cmp(const struct sset *a, const struct sset *b)
{
    return strcmp(a->key, b->key);
}

RB_HEAD(fl_sts_groups, group);
RB_PROTOTYPE(fl_sts_groups, group, link, group_cmp)
RB_GENERATE(fl_sts_groups, group, link, group_cmp)
RB_HEAD(fl_sts_sets, sset);
RB_PROTOTYPE(fl_sts_sets, sset, link, sset_cmp)
RB_GENERATE(fl_sts_sets, sset, link, sset_cmp)

struct fl_sim_sts {
    struct fl_member *m;
    struct fl_workqueue *q;
    struct fl_watch *w_sets, *w_pods, *w_pvcs;
    struct fl_sts_groups groups;
    struct fl_sts_sets sets;
    uint64_t seen; /* the newest revision the watches have delivered */
    const struct fl_rtype *t_sts, *t_pod, *t_pvc, *t_cr;
};

#define GKEY_MAX 330

static struct group *group_find(struct fl_sim_sts *c, const char *key)
{
    struct group *g = RB_ROOT(&c->groups);
    while (g) {
        int d = strcmp(key, g->key);
        if (!d)
            return g;
        g = d < 0 ? RB_LEFT(g, link) : RB_RIGHT(g, link);
    }
    return NULL;
}

static struct sset *sset_find(struct fl_sim_sts *c, const char *key)
{
    struct sset *s = RB_ROOT(&c->sets);
    while (s) {
        int d = strcmp(key, s->key);
        if (!d)
            return s;
        s = d < 0 ? RB_LEFT(s, link) : RB_RIGHT(s, link);
    }
    return NULL;
}

/* Index of the first pod with ordinal >= ord. */
static uint32_t pod_pos(const struct group *g, uint32_t ord)
{
    uint32_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->pods[mid].ordinal < ord)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void sset_free(struct sset *s)
{
    json_decref(s->selector);
    json_decref(s->claims);
    free(s);
}

static uint32_t sset_chk(const struct sset *s)
{
    return (uint32_t)s->uidh | 1;
}

/* What a set implies for one of its pods: F_SEL and F_STORAGE. */
static uint8_t pod_check(const struct sset *s, const char *set_name, const json_t *pod,
                         uint32_t ord)
{
    uint8_t f = 0;
    if (fl_labelsel_json_match(s->selector, jget(jget(pod, "metadata"), "labels")))
        f |= F_SEL;
    bool storage = true;
    size_t i, j;
    const json_t *cn, *vol;
    json_array_foreach(s->claims, i, cn)
    {
        char want[600];
        snprintf(want, sizeof(want), "%s-%s-%" PRIu32, json_string_value(cn), set_name, ord);
        bool found = false;
        json_array_foreach(jget(jget(pod, "spec"), "volumes"), j, vol)
        {
            if (strcmp(fl_json_str(vol, "name"), json_string_value(cn)) != 0)
                continue;
            const json_t *pvc = jget(vol, "persistentVolumeClaim");
            found = pvc && !strcmp(fl_json_str(pvc, "claimName"), want);
            break;
        }
        storage &= found;
    }
    return storage ? f | F_STORAGE : f;
}

static uint8_t phase_of(const char *p)
{
    static const char *const names[] = {"", "Pending", "Running", "Succeeded", "Failed", "Unknown"};
    for (uint8_t i = 1; i < FL_ARRAY_LEN(names); i++)
        if (!strcmp(p, names[i]))
            return i;
    return PH_NONE;
}

/* The index entry of a parsed pod. */
static void pod_fill(struct spod *p, const json_t *pod, const char *name, uint32_t ord,
                     uint64_t ctrl, const struct sset *s, const char *set_name)
{
    const json_t *md = jget(pod, "metadata");
    memset(p, 0, sizeof(*p));
    p->ordinal = ord;
    p->uidh = hash64(fl_json_str(md, "uid"));
    p->ctrl = ctrl;
    p->phase = phase_of(fl_json_str(jget(pod, "status"), "phase"));
    size_t i;
    const json_t *cond;
    json_array_foreach(jget(jget(pod, "status"), "conditions"), i, cond)
    {
        if (!strcmp(fl_json_str(cond, "type"), "Ready") &&
            !strcmp(fl_json_str(cond, "status"), "True")) {
            p->flags |= F_READY;
            p->ready_ms = fl_m_parse_time_ms(fl_json_str(cond, "lastTransitionTime"));
        }
    }
    if (jget(md, "deletionTimestamp") && !json_is_null(jget(md, "deletionTimestamp")))
        p->flags |= F_TERMINATING;
    const char *rev = label(pod, LABEL_REVISION);
    p->rev = rev ? hash32(rev) : 0;
    const char *pn = label(pod, LABEL_POD_NAME);
    if (pn && !strcmp(pn, name))
        p->flags |= F_IDENT;
    if (s) {
        p->flags |= pod_check(s, set_name, pod, ord);
        p->chk = sset_chk(s);
    }
}

static void queue_set(struct fl_sim_sts *c, const char *ns, const char *name)
{
    char key[FL_KEY_MAX];
    fl_m_key(key, c->t_sts, ns, name);
    fl_workqueue_add(c->q, key);
}

/* Is ref a controller reference to an apps StatefulSet? */
static bool is_sts_ref(const json_t *ref)
{
    return ref && !strcmp(fl_json_str(ref, "kind"), "StatefulSet") &&
           !strncmp(fl_json_str(ref, "apiVersion"), "apps/", 5);
}

/* Take one pod event into the index and queue the set it concerns. */
static void pod_event(struct fl_sim_sts *c, struct fl_obj *o, bool deleted)
{
    char ns[64], parent[256], gkey[GKEY_MAX];
    const char *name;
    uint32_t ord;
    if (!fl_m_key_split(o->key, ns, sizeof(ns), &name) ||
        !parse_ordinal(name, parent, sizeof(parent), &ord))
        return;
    snprintf(gkey, sizeof(gkey), "%s/%s", ns, parent);
    struct group *g = group_find(c, gkey);
    uint32_t at = g ? pod_pos(g, ord) : 0;
    bool had = g && at < g->n && g->pods[at].ordinal == ord;
    /* Pods other controllers own are never parsed. */
    if (!had && !fl_m_mentions(o, "StatefulSet") && fl_m_mentions(o, "ownerReferences"))
        return;
    json_t *doc = fl_obj_json(o);
    if (!doc)
        return;
    const json_t *ref = fl_m_controller_ref(doc);
    bool sts_ctrl = is_sts_ref(ref);
    if (!deleted && (!ref || sts_ctrl)) {
        struct sset *s = sset_find(c, gkey);
        struct spod p;
        pod_fill(&p, doc, name, ord, sts_ctrl ? hash64(fl_json_str(ref, "uid")) : 0, s, parent);
        if (!g) {
            size_t klen = strlen(gkey);
            g = fl_xcalloc(1, sizeof(*g) + klen + 1);
            memcpy(g->key, gkey, klen + 1);
            RB_INSERT(fl_sts_groups, &c->groups, g);
        }
        if (!had) {
            if (g->n == g->cap) {
                g->cap = g->cap ? g->cap * 2 : 4;
                g->pods = fl_xrealloc(g->pods, g->cap * sizeof(*g->pods));
            }
            memmove(&g->pods[at + 1], &g->pods[at], (g->n - at) * sizeof(*g->pods));
            g->n++;
        }
        g->pods[at] = p;
    } else if (had) {
        memmove(&g->pods[at], &g->pods[at + 1], (g->n - at - 1) * sizeof(*g->pods));
        if (--g->n == 0) {
            RB_REMOVE(fl_sts_groups, &c->groups, g);
            free(g->pods);
            free(g);
        }
    }
    if (sts_ctrl)
        queue_set(c, ns, fl_json_str(ref, "name"));
    if (!sts_ctrl || strcmp(fl_json_str(ref, "name"), parent) != 0) {
        if (sset_find(c, gkey))
            queue_set(c, ns, parent); /* it may adopt, or have released, the pod */
    }
    json_decref(doc);
}

static void saw(struct fl_sim_sts *c, const struct fl_event *ev)
{
    if (ev->rev > c->seen)
        c->seen = ev->rev;
}

static void on_pod(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    saw(ctx, ev);
    pod_event(ctx, ev->obj, ev->type == FL_DELETED);
}

/* Take one StatefulSet into the table (NULL doc: it is gone). */
static struct sset *set_track(struct fl_sim_sts *c, const char *ns, const char *name,
                              const json_t *doc)
{
    char skey[GKEY_MAX];
    snprintf(skey, sizeof(skey), "%s/%s", ns, name);
    struct sset *s = sset_find(c, skey);
    if (!doc) {
        if (s) {
            RB_REMOVE(fl_sts_sets, &c->sets, s);
            sset_free(s);
        }
        return NULL;
    }
    uint64_t uidh = hash64(fl_json_str(jget(doc, "metadata"), "uid"));
    if (s && s->uidh == uidh)
        return s;
    if (!s) {
        size_t klen = strlen(skey);
        s = fl_xcalloc(1, sizeof(*s) + klen + 1);
        memcpy(s->key, skey, klen + 1);
        RB_INSERT(fl_sts_sets, &c->sets, s);
    }
    s->uidh = uidh;
    json_decref(s->selector);
    json_decref(s->claims);
    const json_t *spec = jget(doc, "spec");
    s->selector = json_deep_copy(jget(spec, "selector"));
    s->claims = json_array();
    size_t i;
    const json_t *vct;
    json_array_foreach(jget(spec, "volumeClaimTemplates"), i, vct)
        json_array_append_new(s->claims, json_string(fl_json_str(jget(vct, "metadata"), "name")));
    return s;
}

static void on_set(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_sts *c = ctx;
    char ns[64];
    const char *name;
    saw(c, ev);
    if (!fl_m_key_split(ev->obj->key, ns, sizeof(ns), &name))
        return;
    if (ev->type == FL_DELETED) {
        set_track(c, ns, name, NULL);
        return;
    }
    json_t *doc = fl_obj_json(ev->obj);
    if (!doc)
        return;
    set_track(c, ns, name, doc);
    json_decref(doc);
    queue_set(c, ns, name);
}

static void on_pvc(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_sts *c = ctx;
    char ns[64];
    const char *name;
    saw(c, ev);
    if (!fl_m_key_split(ev->obj->key, ns, sizeof(ns), &name))
        return;
    if (ev->type == FL_DELETED) {
        /* Pods waiting for a stale claim to go may go on now. */
        size_t flen = strlen(ns) + 1;
        struct sset *probe = fl_xcalloc(1, sizeof(*probe) + flen + 1), *s;
        snprintf(probe->key, flen + 1, "%s/", ns);
        for (s = RB_NFIND(fl_sts_sets, &c->sets, probe); s && !strncmp(s->key, probe->key, flen);
             s = RB_NEXT(fl_sts_sets, &c->sets, s)) {
            if (s->stale_wait) {
                s->stale_wait = false;
                queue_set(c, ns, s->key + flen);
            }
        }
        free(probe);
        return;
    }
    if (fl_m_mentions(ev->obj, "\"Pending\""))
        fl_workqueue_add(c->q, ev->obj->key); /* for the provisioner */
}

/* ---- the provisioner ---------------------------------------------------- */

/* Bind a Pending claim as a dynamic provisioner and the PV controller would:
 * a volume "pvc-<uid>" of the requested size. Claims with
 * storageClassName "" (static binding only) or a volumeName of their own
 * (pre-bound to a PersistentVolume, which never comes) stay Pending. */
static int provision(struct fl_sim_sts *c, json_t *pvc, struct fl_err *err)
{
    json_t *md = fl_json_metadata(pvc), *spec = json_object_get(pvc, "spec");
    const json_t *sc = jget(spec, "storageClassName");
    if (strcmp(fl_json_str(jget(pvc, "status"), "phase"), "Pending") != 0 ||
        fl_json_str(spec, "volumeName")[0] || jget(md, "deletionTimestamp") ||
        (json_is_string(sc) && !json_string_value(sc)[0]))
        return 0;
    char vol[64];
    snprintf(vol, sizeof(vol), "pvc-%s", fl_json_str(md, "uid"));
    json_object_set_new(spec, "volumeName", json_string(vol));
    json_t *ann = fl_m_obj_member(md, "annotations");
    json_object_set_new(ann, "pv.kubernetes.io/bind-completed", json_string("yes"));
    json_object_set_new(ann, "pv.kubernetes.io/bound-by-controller", json_string("yes"));
    json_object_set_new(md, "annotations", sorted_map(ann));
    json_t *st = json_object();
    json_object_set_new(st, "phase", json_string("Bound"));
    if (jget(spec, "accessModes"))
        json_object_set(st, "accessModes", json_object_get(spec, "accessModes"));
    const json_t *storage = jget(jget(jget(spec, "resources"), "requests"), "storage");
    if (storage)
        json_object_set_new(st, "capacity", json_pack("{s:O}", "storage", storage));
    json_object_set_new(pvc, "status", st);
    return fl_m_update(c->m, c->t_pvc, pvc, NULL, err);
}

static int provision_key(struct fl_sim_sts *c, const char *key, struct fl_err *err)
{
    char ns[64];
    const char *name;
    if (!fl_m_key_split(key, ns, sizeof(ns), &name))
        return FL_WQ_DONE;
    json_t *pvc = fl_m_get_json(c->m, c->t_pvc, ns, name, err);
    if (!pvc)
        return FL_EFAIL; /* NotFound counts as done */
    int rc = provision(c, pvc, err);
    json_decref(pvc);
    return rc;
}

/* ---- one sync ----------------------------------------------------------- */

/* A ControllerRevision of the set. */
struct rev {
    json_t *doc; /* owned */
    const char *name;
    int64_t revision;
    char *data; /* data in Go's encoding (owned) */
};

struct status {
    int64_t replicas, ready, available, current, updated;
};

struct sync {
    struct fl_sim_sts *c;
    struct fl_member *m;
    json_t *set; /* owned */
    const json_t *spec;
    const char *ns, *name, *uid;
    uint64_t uidh;
    int64_t replicas, start, min_ready, partition;
    bool has_ru, rolling, parallel, ws_delete, wd_delete, deleting;
    const json_t *max_unavailable; /* rollingUpdate.maxUnavailable, or NULL */
    const json_t *vcts;
    /* Revisions: the owned ones by revision, then current and update. */
    struct rev *revs;
    size_t nrevs;
    json_t *cur, *upd; /* new references */
    const char *cur_name, *upd_name;
    uint32_t cur_h, upd_h;
    int64_t collisions;
    int64_t now;
    unsigned writes; /* pod creations and deletions so far */
    uint64_t wrote;  /* revision of the last pod, claim or set write */
    bool more;       /* stopped at SYNC_WRITES: run again next turn */
    struct group *g;
    struct sset *s;
};

/* Writes of the watched kinds go through these, which note their revision:
 * the next sync of the set waits until the watches have delivered it. */
static void note(struct sync *s, uint64_t before)
{
    uint64_t r = fl_store_rev(s->m->store);
    if (r > before)
        s->wrote = r;
}

static int w_create(struct sync *s, const struct fl_rtype *t, json_t *doc, struct fl_obj **out,
                    struct fl_err *err)
{
    uint64_t before = fl_store_rev(s->m->store);
    int rc = fl_m_create(s->m, t, doc, out, err);
    note(s, before);
    return rc;
}

static int w_update(struct sync *s, const struct fl_rtype *t, json_t *doc, struct fl_err *err)
{
    uint64_t before = fl_store_rev(s->m->store);
    int rc = fl_m_update(s->m, t, doc, NULL, err);
    note(s, before);
    return rc;
}

/* Who a claim's ownerReference may name. */
struct who {
    const char *api_version, *kind, *name;
    uint64_t uidh; /* 0: has no uid yet (a pod to be created) */
};

static void set_who(const struct sync *s, struct who *w)
{
    *w = (struct who){"apps/v1", "StatefulSet", s->name, s->uidh};
}

static bool ref_names(const json_t *r, const struct who *w)
{
    return !strcmp(fl_json_str(r, "apiVersion"), w->api_version) &&
           !strcmp(fl_json_str(r, "kind"), w->kind) && !strcmp(fl_json_str(r, "name"), w->name);
}

static bool ref_is(const json_t *r, const struct who *w)
{
    return w->uidh && hash64(fl_json_str(r, "uid")) == w->uidh;
}

static bool has_owner(const json_t *refs, const struct who *w)
{
    size_t i;
    const json_t *r;
    json_array_foreach(refs, i, r)
    {
        if (ref_is(r, w))
            return true;
    }
    return false;
}

/* hasStaleOwnerRef: the first reference naming w has another uid. */
static bool stale_owner(const json_t *refs, const struct who *w)
{
    size_t i;
    const json_t *r;
    json_array_foreach(refs, i, r)
    {
        if (ref_names(r, w))
            return !ref_is(r, w);
    }
    return false;
}

static bool unexpected_controller(const struct sync *s, const json_t *refs, const struct who *set,
                                  const struct who *pod)
{
    if (!s->ws_delete && !s->wd_delete)
        return false;
    size_t i;
    const json_t *r;
    json_array_foreach(refs, i, r)
    {
        if (ref_names(r, set)) {
            if (!ref_is(r, set))
                return true;
            continue;
        }
        if (ref_names(r, pod)) {
            if (!ref_is(r, pod))
                return true;
            continue;
        }
        if (json_is_true(jget(r, "controller")))
            return true;
    }
    return false;
}

/* isClaimOwnerUpToDate. */
static bool claim_owner_ok(const struct sync *s, const json_t *refs, const struct who *pod,
                           bool in_range)
{
    struct who set;
    set_who(s, &set);
    if (stale_owner(refs, &set) || stale_owner(refs, pod))
        return true; /* a previous incarnation's: not ours to touch */
    if (unexpected_controller(s, refs, &set, pod))
        return !has_owner(refs, &set) && !has_owner(refs, pod);
    size_t i;
    const json_t *r;
    json_array_foreach(refs, i, r)
    {
        if ((ref_is(r, &set) || ref_is(r, pod)) && !json_is_true(jget(r, "controller")))
            return false;
    }
    bool has_set = has_owner(refs, &set), has_pod = has_owner(refs, pod);
    if (!s->ws_delete && !s->wd_delete)
        return !has_set && !has_pod;
    if (!s->ws_delete)
        return has_set && !has_pod;
    if (!s->wd_delete)
        return !has_set && !in_range == has_pod;
    return !in_range != has_set && !in_range == has_pod;
}

static const char *claim_template_name(const json_t *vct)
{
    return fl_json_str(jget(vct, "metadata"), "name");
}

static void claim_name(char *buf, size_t len, const struct sync *s, const json_t *vct, int64_t ord)
{
    snprintf(buf, len, "%s-%s-%" PRId64, claim_template_name(vct), s->name, ord);
}

static void pod_name(char *buf, size_t len, const struct sync *s, int64_t ord)
{
    snprintf(buf, len, "%s-%" PRId64, s->name, ord);
}

/* A claim, parsed only when it has ownerReferences (*doc a new reference,
 * else NULL), or *absent. */
static int claim_refs(struct sync *s, const char *cname, json_t **doc, bool *absent,
                      struct fl_err *err)
{
    struct fl_obj *o = NULL;
    *doc = NULL;
    *absent = false;
    if (fl_m_get(s->m, s->c->t_pvc, s->ns, cname, &o, err) != 0) {
        if (err->code != 404)
            return FL_EFAIL;
        fl_err_clear(err);
        *absent = true;
        return 0;
    }
    if (fl_m_mentions(o, "ownerReferences"))
        *doc = fl_obj_json(o);
    fl_obj_unref(o);
    return 0;
}

static const json_t *refs_of(const json_t *doc)
{
    return jget(jget(doc, "metadata"), "ownerReferences");
}

/* ClaimsMatchRetentionPolicy. */
static int claims_match(struct sync *s, const char *pname, const struct spod *p, int64_t ord,
                        bool *match, struct fl_err *err)
{
    struct who pod = {"v1", "Pod", pname, p ? p->uidh : 0};
    bool in_range = ord >= s->start && ord < s->start + s->replicas;
    size_t i;
    const json_t *vct;
    *match = true;
    json_array_foreach(s->vcts, i, vct)
    {
        char cname[600];
        json_t *doc;
        bool absent;
        claim_name(cname, sizeof(cname), s, vct, ord);
        if (claim_refs(s, cname, &doc, &absent, err) != 0) {
            fl_errf(err, 500, "InternalError",
                    "Could not retrieve claim %s for %s when checking PVC deletion policy", cname,
                    pname);
            return FL_EFAIL;
        }
        bool ok = absent || claim_owner_ok(s, refs_of(doc), &pod, in_range);
        json_decref(doc);
        if (!ok) {
            *match = false;
            return 0;
        }
    }
    return 0;
}

static json_t *new_ref(const char *api_version, const char *kind, const char *name, const char *uid)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "apiVersion", api_version, "kind", kind, "name",
                     name, "uid", uid, "controller", 1, "blockOwnerDeletion", 1);
}

static bool refs_have_uid(const json_t *refs, const char *uid)
{
    size_t i;
    const json_t *r;
    json_array_foreach(refs, i, r)
    {
        if (!strcmp(fl_json_str(r, "uid"), uid))
            return true;
    }
    return false;
}

/* UpdatePodClaimForRetentionPolicy (p NULL: a pod just created, no uid yet). */
static int claims_update(struct sync *s, const char *pname, const struct spod *p, int64_t ord,
                         struct fl_err *err)
{
    struct who set, pod = {"v1", "Pod", pname, p ? p->uidh : 0};
    set_who(s, &set);
    bool in_range = ord >= s->start && ord < s->start + s->replicas;
    size_t i;
    const json_t *vct;
    json_array_foreach(s->vcts, i, vct)
    {
        char cname[600];
        claim_name(cname, sizeof(cname), s, vct, ord);
        json_t *claim = fl_m_get_json(s->m, s->c->t_pvc, s->ns, cname, err);
        if (!claim) {
            if (err->code == 404) {
                fl_err_clear(err);
                continue;
            }
            return FL_EFAIL;
        }
        json_t *md = fl_json_metadata(claim);
        const json_t *refs = jget(md, "ownerReferences");
        bool unexpected = unexpected_controller(s, refs, &set, &pod);
        if (unexpected)
            fl_m_event(s->m, s->set, "Warning", "ConflictingController", COMPONENT,
                       "PersistentVolumeClaim %s has a conflicting OwnerReference that acts as a "
                       "manging controller, the retention policy is ignored for this claim",
                       cname);
        if (claim_owner_ok(s, refs, &pod, in_range)) {
            json_decref(claim);
            continue;
        }
        json_t *kept = json_array();
        size_t j;
        const json_t *r;
        json_array_foreach(refs, j, r)
        {
            if (!ref_names(r, &set) && !ref_names(r, &pod))
                json_array_append(kept, (json_t *)r);
        }
        if (!unexpected) {
            bool want_pod = s->ws_delete && !in_range;
            bool want_set = s->wd_delete && (!s->ws_delete || in_range);
            if (want_pod && p) {
                json_t *pd = fl_m_get_json(s->m, s->c->t_pod, s->ns, pname, err);
                if (!pd) {
                    json_decref(kept);
                    json_decref(claim);
                    return FL_EFAIL;
                }
                const char *puid = fl_json_str(jget(pd, "metadata"), "uid");
                if (!refs_have_uid(kept, puid))
                    json_array_append_new(kept, new_ref("v1", "Pod", pname, puid));
                json_decref(pd);
            }
            if (want_set && !refs_have_uid(kept, s->uid))
                json_array_append_new(kept, new_ref("apps/v1", "StatefulSet", s->name, s->uid));
        }
        if (json_array_size(kept))
            json_object_set_new(md, "ownerReferences", kept);
        else {
            json_decref(kept);
            json_object_del(md, "ownerReferences");
        }
        int rc = w_update(s, s->c->t_pvc, claim, err);
        json_decref(claim);
        if (rc != 0) {
            char msg[FL_ERR_MSG_MAX];
            snprintf(msg, sizeof(msg), "%s", err->message);
            fl_errf(err, err->code, err->reason,
                    "could not update claim %s for delete policy ownerRefs: %s", cname, msg);
            return FL_EFAIL;
        }
    }
    return 0;
}

/* PodClaimIsStale for a pod about to be created. */
static int claim_stale(struct sync *s, const char *pname, int64_t ord, bool *stale,
                       struct fl_err *err)
{
    struct who pod = {"v1", "Pod", pname, 0};
    *stale = false;
    if (!s->ws_delete)
        return 0; /* retained claims are meant to be reused */
    size_t i;
    const json_t *vct;
    json_array_foreach(s->vcts, i, vct)
    {
        char cname[600];
        json_t *doc;
        bool absent;
        claim_name(cname, sizeof(cname), s, vct, ord);
        if (claim_refs(s, cname, &doc, &absent, err) != 0)
            return FL_EFAIL;
        *stale = doc && stale_owner(refs_of(doc), &pod);
        json_decref(doc);
        if (*stale)
            return 0;
    }
    return 0;
}

/* recordPodEvent. */
static void record_pod(struct sync *s, const char *verb, const char *pname, int rc,
                       const struct fl_err *err)
{
    char reason[32];
    snprintf(reason, sizeof(reason), "%s%c%s", rc == 0 ? "Successful" : "Failed",
             toupper((unsigned char)verb[0]), verb + 1);
    if (rc == 0)
        fl_m_event(s->m, s->set, "Normal", reason, COMPONENT,
                   "%s Pod %s in StatefulSet %s successful", verb, pname, s->name);
    else
        fl_m_event(s->m, s->set, "Warning", reason, COMPONENT,
                   "%s Pod %s in StatefulSet %s failed error: %s", verb, pname, s->name,
                   err->message);
}

/* createPersistentVolumeClaims: every missing claim of the pod, bound at
 * once by the provisioner. */
static int create_claims(struct sync *s, const char *pname, int64_t ord, struct fl_err *err)
{
    int rc = 0;
    char first[FL_ERR_MSG_MAX] = "";
    size_t i;
    const json_t *vct;
    json_array_foreach(s->vcts, i, vct)
    {
        char cname[600];
        struct fl_obj *o = NULL;
        struct fl_err e;
        fl_err_clear(&e);
        claim_name(cname, sizeof(cname), s, vct, ord);
        if (fl_m_get(s->m, s->c->t_pvc, s->ns, cname, &o, &e) == 0) {
            fl_obj_unref(o);
            continue;
        }
        if (e.code != 404) {
            fl_m_event(s->m, s->set, "Warning", "FailedCreate", COMPONENT,
                       "create Claim %s for Pod %s in StatefulSet %s failed error: %s", cname,
                       pname, s->name, e.message);
            if (!first[0])
                snprintf(first, sizeof(first), "failed to retrieve PVC %s: %s", cname, e.message);
            rc = FL_EFAIL;
            continue;
        }
        json_t *claim = json_deep_copy(vct);
        json_object_del(claim, "status");
        json_t *md = fl_json_metadata(claim);
        json_object_del(md, "creationTimestamp");
        json_object_set_new(md, "name", json_string(cname));
        json_object_set_new(md, "namespace", json_string(s->ns));
        const json_t *ml = jget(jget(s->spec, "selector"), "matchLabels");
        if (json_object_size(ml)) {
            json_t *labels = fl_m_obj_member(md, "labels");
            json_object_update(labels, (json_t *)ml);
            json_object_set_new(md, "labels", sorted_map(labels));
        }
        fl_err_clear(&e);
        if (w_create(s, s->c->t_pvc, claim, &o, &e) == 0) {
            fl_m_event(s->m, s->set, "Normal", "SuccessfulCreate", COMPONENT,
                       "create Claim %s Pod %s in StatefulSet %s success", cname, pname, s->name);
            json_t *created = fl_obj_json(o);
            fl_obj_unref(o);
            struct fl_err pe;
            fl_err_clear(&pe);
            uint64_t before = fl_store_rev(s->m->store);
            int prc = created ? provision(s->c, created, &pe) : 0;
            note(s, before);
            if (prc != 0) {
                char key[FL_KEY_MAX]; /* bind it on a later turn */
                fl_m_key(key, s->c->t_pvc, s->ns, cname);
                fl_workqueue_add(s->c->q, key);
            }
            json_decref(created);
        } else {
            if (e.code != 409)
                fl_m_event(s->m, s->set, "Warning", "FailedCreate", COMPONENT,
                           "create Claim %s for Pod %s in StatefulSet %s failed error: %s", cname,
                           pname, s->name, e.message);
            if (!first[0])
                snprintf(first, sizeof(first), "failed to create PVC %s: %s", cname, e.message);
            rc = FL_EFAIL;
        }
        json_decref(claim);
    }
    if (rc != 0)
        fl_errf(err, 500, "InternalError", "%s", first);
    return rc;
}

/* The template a revision records (borrowed), or NULL. */
static const json_t *rev_template(const json_t *cr)
{
    const json_t *t = jget(jget(jget(cr, "data"), "spec"), "template");
    return json_is_object(t) ? t : NULL;
}

/* newStatefulSetPod from tmpl (the template of the pod's revision). */
static json_t *new_pod(struct sync *s, const json_t *tmpl, const char *revision, int64_t ord)
{
    char pname[320], idx[24], prefix[300];
    pod_name(pname, sizeof(pname), s, ord);
    snprintf(idx, sizeof(idx), "%" PRId64, ord);
    snprintf(prefix, sizeof(prefix), "%s-", s->name);
    const json_t *tmd = jget(tmpl, "metadata");
    json_t *pod = json_object(), *md = json_object();
    json_object_set_new(pod, "metadata", md);
    json_object_set_new(md, "name", json_string(pname));
    json_object_set_new(md, "generateName", json_string(prefix));
    json_object_set_new(md, "namespace", json_string(s->ns));
    json_t *labels =
        json_is_object(jget(tmd, "labels")) ? json_deep_copy(jget(tmd, "labels")) : json_object();
    json_object_set_new(labels, LABEL_REVISION, json_string(revision));
    json_object_set_new(labels, LABEL_POD_NAME, json_string(pname));
    json_object_set_new(labels, LABEL_POD_INDEX, json_string(idx));
    json_object_set_new(md, "labels", sorted_map(labels));
    json_decref(labels);
    if (json_object_size(jget(tmd, "annotations")))
        json_object_set_new(md, "annotations", sorted_map(jget(tmd, "annotations")));
    if (json_array_size(jget(tmd, "finalizers")))
        json_object_set_new(md, "finalizers", json_deep_copy(jget(tmd, "finalizers")));
    fl_m_set_controller_ref(pod, s->set);

    json_t *spec =
        json_is_object(jget(tmpl, "spec")) ? json_deep_copy(jget(tmpl, "spec")) : json_object();
    json_object_set_new(pod, "spec", spec);
    json_object_set_new(spec, "hostname", json_string(pname));
    if (fl_json_str(s->spec, "serviceName")[0])
        json_object_set_new(spec, "subdomain", json_string(fl_json_str(s->spec, "serviceName")));
    json_t *vols = json_array();
    size_t i, j;
    const json_t *vct, *v;
    json_array_foreach(s->vcts, i, vct)
    {
        char cname[600];
        claim_name(cname, sizeof(cname), s, vct, ord);
        json_array_append_new(vols, json_pack("{s:s,s:{s:s}}", "name", claim_template_name(vct),
                                              "persistentVolumeClaim", "claimName", cname));
    }
    json_array_foreach(jget(spec, "volumes"), i, v)
    {
        bool shadowed = false;
        json_array_foreach(s->vcts, j, vct)
        {
            shadowed |= !strcmp(claim_template_name(vct), fl_json_str(v, "name"));
        }
        if (!shadowed)
            json_array_append(vols, (json_t *)v);
    }
    if (json_array_size(vols))
        json_object_set_new(spec, "volumes", vols);
    else
        json_decref(vols);
    json_object_set_new(pod, "status", json_pack("{s:s}", "phase", "Pending"));
    return pod;
}

/* CreateStatefulPod for the empty slot of ordinal ord (the revision as
 * newVersionedStatefulSetPod picks it, operator precedence included). */
static int create_pod(struct sync *s, int64_t ord, struct fl_err *err)
{
    char pname[320];
    pod_name(pname, sizeof(pname), s, ord);
    const json_t *st = jget(s->set, "status");
    bool current =
        (s->rolling && !s->has_ru && ord < s->start + fl_m_int(st, "currentReplicas", 0)) ||
        (s->has_ru && ord < s->start + s->partition);
    const json_t *tmpl = rev_template(current ? s->cur : s->upd);
    const char *revision = current ? s->cur_name : s->upd_name;
    if (!tmpl)
        return fl_errf(err, 500, "InternalError", "revision %s has no template", revision);
    if (create_claims(s, pname, ord, err) != 0) {
        record_pod(s, "create", pname, FL_EFAIL, err);
        return FL_EFAIL;
    }
    json_t *pod = new_pod(s, tmpl, revision, ord);
    s->writes++;
    int rc = w_create(s, s->c->t_pod, pod, NULL, err);
    json_decref(pod);
    if (rc != 0 && err->code == 409)
        return rc; /* upstream returns AlreadyExists without an event */
    if (rc == 0 && claims_update(s, pname, NULL, ord, err) != 0) {
        record_pod(s, "update", pname, FL_EFAIL, err);
        return FL_EFAIL;
    }
    record_pod(s, "create", pname, rc, err);
    return rc;
}

/* DeleteStatefulPod: gracefully, as the API deletes a pod. */
static int delete_pod(struct sync *s, int64_t ord, struct fl_err *err)
{
    char pname[320];
    s->writes++;
    pod_name(pname, sizeof(pname), s, ord);
    uint64_t before = fl_store_rev(s->m->store);
    int rc = fl_m_delete_graceful(s->m, s->c->t_pod, s->ns, pname, NULL, err);
    note(s, before);
    record_pod(s, "delete", pname, rc, err);
    return rc;
}

/* Recheck what the set implies for a pod whose flags were computed for
 * another (or no) set: read it again. */
static void pod_recheck(struct sync *s, struct spod *p)
{
    if (p->chk == sset_chk(s->s))
        return;
    char pname[320];
    struct fl_err err;
    fl_err_clear(&err);
    pod_name(pname, sizeof(pname), s, p->ordinal);
    json_t *pod = fl_m_get_json(s->m, s->c->t_pod, s->ns, pname, &err);
    if (!pod)
        return;
    p->flags =
        (uint8_t)((p->flags & ~(F_SEL | F_STORAGE)) | pod_check(s->s, s->name, pod, p->ordinal));
    p->chk = sset_chk(s->s);
    json_decref(pod);
}

/* UpdateStatefulPod: identity labels, missing claims, retention policy. */
static int update_pod(struct sync *s, struct spod *p, struct fl_err *err)
{
    char pname[320], idx[24];
    pod_name(pname, sizeof(pname), s, p->ordinal);
    snprintf(idx, sizeof(idx), "%" PRIu32, p->ordinal);
    json_t *pod = fl_m_get_json(s->m, s->c->t_pod, s->ns, pname, err);
    if (!pod)
        return FL_EFAIL;
    int rc = 0;
    bool consistent = true;
    if (!(p->flags & F_IDENT)) {
        json_t *md = fl_json_metadata(pod);
        json_t *labels = fl_m_obj_member(md, "labels");
        json_object_set_new(labels, LABEL_POD_NAME, json_string(pname));
        json_object_set_new(labels, LABEL_POD_INDEX, json_string(idx));
        consistent = false;
    }
    if (!(p->flags & F_STORAGE)) {
        /* Upstream rewrites spec.volumes here, which pod validation then
         * refuses (a pod's volumes are immutable): the same outcome. */
        if (create_claims(s, pname, p->ordinal, err) != 0) {
            record_pod(s, "update", pname, FL_EFAIL, err);
            json_decref(pod);
            return FL_EFAIL;
        }
        fl_errf(err, 422, "Invalid",
                "Pod \"%s\" is invalid: spec: Forbidden: pod updates may not change fields other "
                "than `spec.containers[*].image`,`spec.initContainers[*].image`,"
                "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
                "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
                "was previously negative)",
                pname);
        record_pod(s, "update", pname, FL_EFAIL, err);
        json_decref(pod);
        return FL_EFAIL;
    }
    bool match;
    if (claims_match(s, pname, p, p->ordinal, &match, err) != 0) {
        rc = FL_EFAIL;
    } else if (!match) {
        consistent = false;
        rc = claims_update(s, pname, p, p->ordinal, err);
    }
    if (rc == 0 && !consistent)
        rc = w_update(s, s->c->t_pod, pod, err);
    if (!consistent || rc != 0)
        record_pod(s, "update", pname, rc, err);
    json_decref(pod);
    return rc;
}

/* ---- pod predicates (on index entries; NULL: no pod yet) ---------------- */

static bool is_created(const struct spod *p)
{
    return p && p->phase != PH_NONE;
}

static bool is_terminating(const struct spod *p)
{
    return p && (p->flags & F_TERMINATING);
}

static bool running_ready(const struct spod *p)
{
    return p && p->phase == PH_RUNNING && (p->flags & F_READY);
}

/* podutil.IsPodAvailable: Ready, for more than minReadySeconds. */
static bool available(const struct sync *s, const struct spod *p)
{
    if (!p || !(p->flags & F_READY))
        return false;
    return s->min_ready == 0 || (p->ready_ms && p->ready_ms + s->min_ready * 1000 < s->now);
}

static bool unavailable(const struct sync *s, const struct spod *p)
{
    return !available(s, p) || is_terminating(p);
}

/* computeReplicaStatus, added to st. */
static void count_status(const struct sync *s, struct spod *const *pods, size_t n,
                         struct status *st)
{
    for (size_t i = 0; i < n; i++) {
        const struct spod *p = pods[i];
        if (!is_created(p))
            continue;
        st->replicas++;
        if (running_ready(p)) {
            st->ready++;
            if (available(s, p))
                st->available++;
        }
        if (!is_terminating(p)) {
            st->current += p->rev == s->cur_h;
            st->updated += p->rev == s->upd_h;
        }
    }
}

static int cmp_desc(const void *a, const void *b)
{
    uint32_t x = (*(struct spod *const *)a)->ordinal, y = (*(struct spod *const *)b)->ordinal;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* ---- revisions ---------------------------------------------------------- */

static void rev_release(struct rev *r)
{
    json_decref(r->doc);
    free(r->data);
}

/* history.SortControllerRevisions: by revision, then age, then name. */
static int rev_cmp(const void *a, const void *b)
{
    const struct rev *x = a, *y = b;
    if (x->revision != y->revision)
        return x->revision < y->revision ? -1 : 1;
    const json_t *xm = jget(x->doc, "metadata"), *ym = jget(y->doc, "metadata");
    int d = strcmp(fl_json_str(xm, "creationTimestamp"), fl_json_str(ym, "creationTimestamp"));
    return d ? d : strcmp(x->name, y->name);
}

/* ListRevisions + adoptOrphanRevisions: the set's revisions, sorted. */
static int list_revisions(struct sync *s, struct fl_err *err)
{
    struct fl_store_list l = {0};
    if (fl_m_list(s->m, s->c->t_cr, s->ns, jget(s->spec, "selector"), &l, err) != 0)
        return FL_EFAIL;
    int rc = 0;
    s->revs = fl_xcalloc(l.n ? l.n : 1, sizeof(*s->revs));
    for (size_t i = 0; i < l.n; i++) {
        json_t *doc = fl_obj_json(l.items[i]);
        if (!doc)
            continue;
        const char *cuid = fl_m_controller_uid(doc);
        if (cuid && strcmp(cuid, s->uid) != 0) {
            json_decref(doc);
            continue;
        }
        if (!cuid) {
            if (s->deleting) { /* canAdopt: not while the set is being deleted */
                rc = fl_errf(err, 409, "Conflict",
                             "can't adopt ControllerRevision %s/%s (%s): the StatefulSet is "
                             "being deleted",
                             s->ns, fl_json_str(jget(doc, "metadata"), "name"), s->uid);
                json_decref(doc);
                break;
            }
            fl_m_set_controller_ref(doc, s->set);
            struct fl_obj *o = NULL;
            int urc = fl_m_update(s->m, s->c->t_cr, doc, &o, err);
            json_decref(doc);
            doc = urc == 0 ? fl_obj_json(o) : NULL;
            fl_obj_unref(o);
            if (!doc) {
                rc = urc == 0 ? fl_errf(err, 500, "InternalError", "stored revision is corrupt")
                              : FL_EFAIL;
                break;
            }
        }
        struct rev *r = &s->revs[s->nrevs++];
        r->doc = doc;
        r->name = fl_json_str(jget(doc, "metadata"), "name");
        r->revision = fl_m_int(doc, "revision", 0);
        r->data = go_encode(jget(doc, "data"));
    }
    fl_store_list_release(&l);
    qsort(s->revs, s->nrevs, sizeof(*s->revs), rev_cmp);
    return rc;
}

/* HashControllerRevision: rand.SafeEncodeString of the decimal FNV-1 hash of
 * the data and the collision count. */
static void revision_hash(const char *data, int64_t collisions, char *out, size_t len)
{
    static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
    char num[32];
    uint32_t h = fnv1_32(2166136261u, data, strlen(data));
    snprintf(num, sizeof(num), "%" PRId64, collisions);
    h = fnv1_32(h, num, strlen(num));
    snprintf(num, sizeof(num), "%" PRIu32, h);
    size_t i;
    for (i = 0; num[i] && i + 1 < len; i++)
        out[i] = alnum[(unsigned char)num[i] % (sizeof(alnum) - 1)];
    out[i] = '\0';
}

/* newRevision: the revision document for the set's current template (new
 * reference; named in get_revisions), its data in Go's encoding (*data). */
static json_t *new_revision(struct sync *s, int64_t revision, char **data)
{
    json_t *tmpl = json_deep_copy(jget(s->spec, "template"));
    if (!json_is_object(tmpl)) {
        json_decref(tmpl);
        tmpl = json_object();
    }
    json_object_set_new(tmpl, "$patch", json_string("replace"));
    json_t *patch = json_pack("{s:{s:o}}", "spec", "template", tmpl);
    *data = go_encode(patch);
    json_decref(patch);
    /* Stored as Go sends it: keys sorted. */
    json_t *sorted = json_loads(*data, JSON_DECODE_ANY, NULL);
    const json_t *tl = jget(jget(jget(s->spec, "template"), "metadata"), "labels");
    json_t *labels = json_is_object(tl) ? json_deep_copy(tl) : json_object();
    json_t *cr =
        json_pack("{s:{s:s,s:o},s:o,s:I}", "metadata", "namespace", s->ns, "labels", labels, "data",
                  sorted ? sorted : json_object(), "revision", (json_int_t)revision);
    const json_t *ann = jget(jget(s->set, "metadata"), "annotations");
    if (json_object_size(ann))
        json_object_set_new(fl_json_metadata(cr), "annotations", sorted_map(ann));
    fl_m_set_controller_ref(cr, s->set);
    return cr;
}

/* getStatefulSetRevisions: s->cur and s->upd. */
static int get_revisions(struct sync *s, struct fl_err *err)
{
    s->collisions = fl_m_int(jget(s->set, "status"), "collisionCount", 0);
    int64_t next = s->nrevs ? s->revs[s->nrevs - 1].revision + 1 : 1;
    char *data = NULL;
    json_t *cr = new_revision(s, next, &data);
    struct rev *equal = NULL;
    for (size_t i = 0; i < s->nrevs; i++)
        if (!strcmp(s->revs[i].data, data))
            equal = &s->revs[i];
    int rc = 0;
    if (equal && equal == &s->revs[s->nrevs - 1]) {
        s->upd = json_incref(equal->doc);
    } else if (equal) {
        /* Back to an old template: that revision comes forward. */
        json_t *doc = json_deep_copy(equal->doc);
        json_object_set_new(doc, "revision", json_integer(next));
        struct fl_obj *o = NULL;
        rc = fl_m_update(s->m, s->c->t_cr, doc, &o, err);
        json_decref(doc);
        if (rc == 0) {
            s->upd = fl_obj_json(o);
            fl_obj_unref(o);
        }
    } else {
        json_t *md = fl_json_metadata(cr);
        for (int tries = 0;; tries++) {
            char hash[16], name[320];
            revision_hash(data, s->collisions, hash, sizeof(hash));
            snprintf(name, sizeof(name), "%.*s-%s", REVISION_PREFIX_MAX, s->name, hash);
            json_object_set_new(md, "name", json_string(name));
            json_t *labels = json_object_get(md, "labels");
            json_object_set_new(labels, LABEL_CR_HASH, json_string(hash));
            json_object_set_new(md, "labels", sorted_map(labels));
            json_t *doc = json_deep_copy(cr);
            struct fl_obj *o = NULL;
            rc = fl_m_create(s->m, s->c->t_cr, doc, &o, err);
            json_decref(doc);
            if (rc == 0) {
                s->upd = fl_obj_json(o);
                fl_obj_unref(o);
                break;
            }
            if (err->code != 409)
                break;
            fl_err_clear(err);
            json_t *exists = fl_m_get_json(s->m, s->c->t_cr, s->ns, name, err);
            if (!exists) {
                rc = FL_EFAIL;
                break;
            }
            char *edata = go_encode(jget(exists, "data"));
            bool same = !strcmp(edata, data);
            free(edata);
            if (same) {
                s->upd = exists;
                break;
            }
            json_decref(exists);
            s->collisions++;
            if (tries == MAX_COLLISIONS) {
                rc = fl_errf(err, 409, "AlreadyExists",
                             "too many ControllerRevision name collisions for %s", s->name);
                break;
            }
        }
    }
    free(data);
    json_decref(cr);
    if (rc != 0)
        return rc;
    if (!s->upd)
        return fl_errf(err, 500, "InternalError", "stored revision is corrupt");
    const char *want = fl_json_str(jget(s->set, "status"), "currentRevision");
    for (size_t i = 0; i < s->nrevs && !s->cur; i++)
        if (want[0] && !strcmp(s->revs[i].name, want))
            s->cur = json_incref(s->revs[i].doc);
    if (!s->cur)
        s->cur = json_incref(s->upd);
    s->cur_name = fl_json_str(jget(s->cur, "metadata"), "name");
    s->upd_name = fl_json_str(jget(s->upd, "metadata"), "name");
    s->cur_h = hash32(s->cur_name);
    s->upd_h = hash32(s->upd_name);
    return 0;
}

/* truncateHistory: the oldest revisions no pod, nor current nor update,
 * uses, beyond revisionHistoryLimit. */
static int truncate_history(struct sync *s, struct spod *const *pods, size_t npods,
                            struct fl_err *err)
{
    int64_t limit = fl_m_int(s->spec, "revisionHistoryLimit", 10);
    size_t nhist = 0;
    bool *dead = fl_xcalloc(s->nrevs ? s->nrevs : 1, sizeof(*dead));
    for (size_t i = 0; i < s->nrevs; i++) {
        const char *n = s->revs[i].name;
        bool live =
            (s->cur_name && !strcmp(n, s->cur_name)) || (s->upd_name && !strcmp(n, s->upd_name));
        uint32_t h = hash32(n);
        for (size_t j = 0; j < npods && !live; j++)
            live = pods[j]->rev == h;
        dead[i] = !live;
        nhist += !live;
    }
    int rc = 0;
    if (limit >= 0 && nhist > (size_t)limit) {
        size_t drop = nhist - (size_t)limit;
        for (size_t i = 0; i < s->nrevs && drop > 0 && rc == 0; i++) {
            if (!dead[i])
                continue;
            drop--;
            rc = fl_m_delete(s->m, s->c->t_cr, s->ns, s->revs[i].name, NULL, err);
        }
    }
    free(dead);
    return rc;
}

/* ---- updateStatefulSet -------------------------------------------------- */

struct plan {
    struct spod **replicas; /* [nslots], NULL: no pod yet */
    size_t nslots;          /* the slots looked at this sync (see update_set) */
    int64_t nfit;           /* the slots whose ordinal fits an int32 (see update_set) */
    struct spod **condemned;
    size_t ncondemned;
    const struct spod *first_unavailable;
    bool have_first; /* first_unavailable NULL: an empty replica slot */
};

/* processReplica: 1 to stop here (monotonic), 0 to go on, STOP_BUDGET,
 * FL_EFAIL. */
static int process_replica(struct sync *s, struct plan *pl, bool monotonic, size_t i,
                           struct fl_err *err)
{
    struct spod *p = pl->replicas[i];
    int64_t ord = s->start + (int64_t)i;
    char pname[320];
    pod_name(pname, sizeof(pname), s, ord);
    if (s->writes >= SYNC_WRITES) {
        s->more = true;
        return STOP_BUDGET;
    }
    if (p && (p->phase == PH_FAILED || p->phase == PH_SUCCEEDED)) {
        if (!is_terminating(p) && delete_pod(s, ord, err) != 0)
            return FL_EFAIL;
        return 1; /* recreated once it is gone */
    }
    if (!is_created(p)) {
        bool stale;
        if (claim_stale(s, pname, ord, &stale, err) != 0)
            return FL_EFAIL;
        if (stale) {
            s->s->stale_wait = true;
            return 1;
        }
        if (create_pod(s, ord, err) != 0)
            return FL_EFAIL;
        return monotonic ? 1 : 0;
    }
    if (p->phase == PH_PENDING) { /* createMissingPersistentVolumeClaims */
        if (create_claims(s, pname, ord, err) != 0)
            return FL_EFAIL;
        if (claims_update(s, pname, p, ord, err) != 0) {
            record_pod(s, "update", pname, FL_EFAIL, err);
            return FL_EFAIL;
        }
    }
    if (monotonic && (is_terminating(p) || !running_ready(p) || !available(s, p)))
        return 1;
    bool match;
    struct fl_err e;
    fl_err_clear(&e);
    if (claims_match(s, pname, p, ord, &match, &e) != 0)
        match = true; /* upstream: an error here counts as matching */
    pod_recheck(s, p);
    if ((p->flags & F_IDENT) && (p->flags & F_STORAGE) && match)
        return 0;
    return update_pod(s, p, err) != 0 ? FL_EFAIL : 0;
}

/* processCondemned. */
static int process_condemned(struct sync *s, struct plan *pl, bool monotonic, size_t i,
                             struct fl_err *err)
{
    struct spod *p = pl->condemned[i];
    if (is_terminating(p))
        return monotonic ? 1 : 0;
    if (s->writes >= SYNC_WRITES) {
        s->more = true;
        return STOP_BUDGET;
    }
    bool first = pl->have_first && pl->first_unavailable == p;
    if (monotonic && !first && (!running_ready(p) || !available(s, p)))
        return 1;
    return delete_pod(s, p->ordinal, err) != 0 ? FL_EFAIL : 1;
}

/* fixPodClaim for a condemned pod. */
static int fix_claims(struct sync *s, struct plan *pl, bool monotonic, size_t i, struct fl_err *err)
{
    struct spod *p = pl->condemned[i];
    char pname[320];
    bool match;
    pod_name(pname, sizeof(pname), s, p->ordinal);
    if (claims_match(s, pname, p, p->ordinal, &match, err) != 0)
        return FL_EFAIL;
    return match ? 0 : claims_update(s, pname, p, p->ordinal, err) != 0 ? FL_EFAIL : 0;
}

typedef int (*step_fn)(struct sync *, struct plan *, bool, size_t, struct fl_err *);

/* runForAll: monotonic stops at the first step that asks to; otherwise
 * slowStartBatch (1, 2, 4 ... at most 500), stopping after a batch with an
 * error. Either stops when the write budget is spent. Returns 1 to stop the
 * sync, 0, or FL_EFAIL. */
static int run_all(struct sync *s, struct plan *pl, size_t n, step_fn fn, bool monotonic,
                   struct fl_err *err)
{
    if (monotonic) {
        for (size_t i = 0; i < n; i++) {
            int rc = fn(s, pl, true, i, err);
            if (rc != 0)
                return rc < 0 ? rc : 1;
        }
        return 0;
    }
    size_t done = 0, batch = n < 1 ? n : 1;
    while (batch > 0) {
        bool failed = false, spent = false;
        for (size_t k = 0; k < batch && !spent; k++) {
            struct fl_err e;
            fl_err_clear(&e);
            int rc = fn(s, pl, false, done + k, &e);
            spent = rc == STOP_BUDGET;
            if (rc < 0 && !failed) {
                *err = e;
                failed = true;
            }
        }
        if (failed)
            return FL_EFAIL;
        if (spent)
            return 1;
        done += batch;
        size_t left = n - done;
        batch = 2 * batch < left ? 2 * batch : left;
        if (batch > MAX_BATCH)
            batch = MAX_BATCH;
    }
    return 0;
}

/* getStatefulSetMaxUnavailable: intstr scaled down, at least 1. */
static int64_t max_unavailable(const struct sync *s)
{
    const json_t *v = s->max_unavailable;
    int64_t n = 1;
    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_string(v)) {
        const char *str = json_string_value(v);
        size_t len = strlen(str);
        if (len && str[len - 1] == '%')
            n = strtoll(str, NULL, 10) * s->replicas / 100;
        else
            n = strtoll(str, NULL, 10);
    }
    return n < 1 ? 1 : n;
}

/* The rolling update, once every replica is in place: partition counts
 * replica slots (ordinal - ordinals.start), as upstream's updateMin does. */
static int roll(struct sync *s, struct plan *pl, struct status *st, struct fl_err *err)
{
    int64_t update_min = s->has_ru ? s->partition : 0;
    if (s->max_unavailable) {
        /* MaxUnavailableStatefulSet: up to maxUnavailable pods down at once. */
        int64_t maxu = max_unavailable(s), down = 0, deleted = 0;
        /* Slots past nslots are empty: unavailable, nothing to delete. */
        down = pl->nfit - (int64_t)pl->nslots;
        for (int64_t t = 0; t < (int64_t)pl->nslots; t++)
            down += unavailable(s, pl->replicas[t]);
        if (down > maxu)
            return 0;
        for (int64_t t = (int64_t)pl->nslots - 1; t >= update_min && deleted < maxu - down; t--) {
            struct spod *p = pl->replicas[t];
            if (p && p->rev != s->upd_h && !is_terminating(p)) {
                if (delete_pod(s, s->start + t, err) != 0 && err->code != 404)
                    return FL_EFAIL;
                fl_err_clear(err);
                deleted++;
                st->current--;
            }
        }
        return 0;
    }
    if ((int64_t)pl->nslots < pl->nfit)
        return 0; /* the last slot is still empty: wait */
    for (int64_t t = pl->nfit - 1; t >= update_min; t--) {
        struct spod *p = pl->replicas[t];
        if (!p)
            return 0; /* being recreated (at the update revision): wait */
        if (p->rev != s->upd_h && !is_terminating(p)) {
            if (delete_pod(s, s->start + t, err) != 0 && err->code != 404)
                return FL_EFAIL;
            fl_err_clear(err);
            st->current--;
            return 0;
        }
        if (unavailable(s, p))
            return 0;
    }
    return 0;
}

static int update_set(struct sync *s, struct spod **claimed, size_t nclaimed, struct status *st,
                      struct fl_err *err)
{
    count_status(s, claimed, nclaimed, st);
    struct plan pl = {0};
    /* ordinals.start + replicas may pass INT32_MAX, but a pod named past it
     * is never read back as ours (parse_ordinal, as upstream's
     * ParseInt(.., 32)): creating it would fail with AlreadyExists on every
     * sync, and a rolling update would wait for it forever. Those slots are
     * left out. */
    pl.nfit = s->replicas;
    if (s->start > INT32_MAX)
        pl.nfit = 0;
    else if (s->start + pl.nfit - 1 > INT32_MAX)
        pl.nfit = (int64_t)INT32_MAX - s->start + 1;
    /* Only the slots up to the highest pod we have plus one sync's write
     * budget can be reached this sync: past them every slot is empty. Sizing
     * the array (and the loops over it) by spec.replicas instead let
     * `replicas: 2147483647` allocate 16 GiB and hold the loop for seconds. */
    int64_t hi = -1;
    for (size_t i = 0; i < nclaimed; i++) {
        int64_t ord = claimed[i]->ordinal;
        if (ord >= s->start && ord < s->start + s->replicas && ord - s->start > hi)
            hi = ord - s->start;
    }
    pl.nslots = (size_t)(pl.nfit < hi + 1 + SYNC_WRITES ? pl.nfit : hi + 1 + SYNC_WRITES);
    pl.replicas = fl_xcalloc(pl.nslots ? pl.nslots : 1, sizeof(*pl.replicas));
    pl.condemned = fl_xcalloc(nclaimed ? nclaimed : 1, sizeof(*pl.condemned));
    for (size_t i = 0; i < nclaimed; i++) {
        int64_t ord = claimed[i]->ordinal;
        if (ord >= s->start && ord < s->start + s->replicas)
            pl.replicas[ord - s->start] = claimed[i];
        else
            pl.condemned[pl.ncondemned++] = claimed[i];
    }
    qsort(pl.condemned, pl.ncondemned, sizeof(*pl.condemned), cmp_desc);
    for (int64_t i = 0; i < (int64_t)pl.nslots && !pl.have_first; i++) {
        if (unavailable(s, pl.replicas[i])) {
            pl.first_unavailable = pl.replicas[i];
            pl.have_first = true;
        }
    }
    for (size_t i = pl.ncondemned; i-- > 0 && !pl.have_first;) {
        if (unavailable(s, pl.condemned[i])) {
            pl.first_unavailable = pl.condemned[i];
            pl.have_first = true;
        }
    }
    int rc = 0;
    if (!s->deleting) {
        bool monotonic = !s->parallel;
        rc = run_all(s, &pl, pl.nslots, process_replica, monotonic, err);
        if (rc == 0)
            rc = run_all(s, &pl, pl.ncondemned, fix_claims, monotonic, err);
        if (rc == 0)
            rc = run_all(s, &pl, pl.ncondemned, process_condemned, monotonic, err);
        /* Upstream counts again over the slots (empty ones do not count). */
        memset(st, 0, sizeof(*st));
        count_status(s, pl.replicas, pl.nslots, st);
        count_status(s, pl.condemned, pl.ncondemned, st);
        if (rc == 0 && s->rolling)
            rc = roll(s, &pl, st, err);
    }
    free(pl.replicas);
    free(pl.condemned);
    return rc < 0 ? rc : 0;
}

/* updateStatefulSetStatus (completeRollingUpdate, inconsistentStatus). */
static int write_status(struct sync *s, struct status *st, struct fl_err *err)
{
    const char *cur = s->cur_name, *upd = s->upd_name;
    /* completeRollingUpdate compares with status.replicas (the pods
     * counted), not spec.replicas. */
    if (s->rolling && st->updated == st->replicas && st->ready == st->replicas) {
        st->current = st->updated;
        cur = upd;
    }
    const json_t *old = jget(s->set, "status");
    int64_t gen = fl_m_int(jget(s->set, "metadata"), "generation", 0);
    if (!(gen > fl_m_int(old, "observedGeneration", 0) ||
          st->replicas != fl_m_int(old, "replicas", 0) ||
          st->current != fl_m_int(old, "currentReplicas", 0) ||
          st->ready != fl_m_int(old, "readyReplicas", 0) ||
          st->updated != fl_m_int(old, "updatedReplicas", 0) ||
          strcmp(cur, fl_json_str(old, "currentRevision")) != 0 ||
          st->available != fl_m_int(old, "availableReplicas", 0) ||
          strcmp(upd, fl_json_str(old, "updateRevision")) != 0))
        return 0;
    /* apps/v1 StatefulSetStatus, in field order, omitempty as Go has it. */
    json_t *ns = json_object();
    if (gen)
        json_object_set_new(ns, "observedGeneration", json_integer(gen));
    json_object_set_new(ns, "replicas", json_integer(st->replicas));
    if (st->ready)
        json_object_set_new(ns, "readyReplicas", json_integer(st->ready));
    if (st->current)
        json_object_set_new(ns, "currentReplicas", json_integer(st->current));
    if (st->updated)
        json_object_set_new(ns, "updatedReplicas", json_integer(st->updated));
    if (cur[0])
        json_object_set_new(ns, "currentRevision", json_string(cur));
    if (upd[0])
        json_object_set_new(ns, "updateRevision", json_string(upd));
    json_object_set_new(ns, "collisionCount", json_integer(s->collisions));
    json_object_set_new(ns, "availableReplicas", json_integer(st->available));
    json_t *doc = json_deep_copy(s->set);
    json_object_set_new(doc, "status", ns);
    int rc = w_update(s, s->c->t_sts, doc, err);
    json_decref(doc);
    return rc;
}

/* ClaimPods: the pods of the group this set controls, adopting and
 * releasing as upstream's PodControllerRefManager does. */
static int claim_pods(struct sync *s, struct spod ***out, size_t *nout, struct fl_err *err)
{
    struct group *g = s->g;
    struct spod **claimed = fl_xcalloc(g && g->n ? g->n : 1, sizeof(*claimed));
    size_t n = 0;
    int rc = 0;
    for (uint32_t i = 0; g && i < g->n && rc == 0; i++) {
        struct spod *p = &g->pods[i];
        if (p->ctrl && p->ctrl != s->uidh)
            continue; /* another set's */
        pod_recheck(s, p);
        bool match = p->flags & F_SEL;
        if (p->ctrl == s->uidh && match) {
            claimed[n++] = p;
            continue;
        }
        if (s->deleting || (!p->ctrl && (!match || is_terminating(p))))
            continue;
        char pname[320];
        pod_name(pname, sizeof(pname), s, p->ordinal);
        json_t *pod = fl_m_get_json(s->m, s->c->t_pod, s->ns, pname, err);
        if (!pod) {
            if (err->code == 404) {
                fl_err_clear(err);
                continue;
            }
            rc = FL_EFAIL;
            break;
        }
        json_t *md = fl_json_metadata(pod);
        if (p->ctrl) { /* ours, but the labels no longer match: release */
            json_t *refs = json_object_get(md, "ownerReferences");
            for (size_t j = json_array_size(refs); j-- > 0;)
                if (!strcmp(fl_json_str(json_array_get(refs, j), "uid"), s->uid))
                    json_array_remove(refs, j);
            if (json_array_size(refs) == 0)
                json_object_del(md, "ownerReferences");
        } else { /* an orphan with our name and labels: adopt */
            fl_m_set_controller_ref(pod, s->set);
        }
        if (w_update(s, s->c->t_pod, pod, err) != 0) {
            if (err->code == 404)
                fl_err_clear(err);
            else
                rc = FL_EFAIL;
        } else if (!p->ctrl) {
            claimed[n++] = p; /* adopted */
        }
        json_decref(pod);
    }
    *out = claimed;
    *nout = n;
    return rc;
}

static int sync_set(struct fl_sim_sts *c, const char *key, uint32_t *requeue_ms, struct fl_err *err)
{
    char ns[64];
    const char *name;
    if (!fl_m_key_split(key, ns, sizeof(ns), &name))
        return FL_WQ_DONE;
    struct sync s = {.c = c, .m = c->m, .ns = ns, .name = name, .now = fl_m_wall_ms()};
    s.set = fl_m_get_json(c->m, c->t_sts, ns, name, err);
    if (!s.set)
        return err->code == 404 ? FL_WQ_DONE : FL_EFAIL;
    const json_t *md = jget(s.set, "metadata");
    s.spec = jget(s.set, "spec");
    s.uid = fl_json_str(md, "uid");
    s.uidh = hash64(s.uid);
    s.deleting = jget(md, "deletionTimestamp") && !json_is_null(jget(md, "deletionTimestamp"));
    s.replicas = fl_m_int(s.spec, "replicas", 1);
    if (s.replicas < 0)
        s.replicas = 0;
    s.start = fl_m_int(jget(s.spec, "ordinals"), "start", 0);
    s.min_ready = fl_m_int(s.spec, "minReadySeconds", 0);
    const json_t *us = jget(s.spec, "updateStrategy");
    s.rolling = !strcmp(fl_json_str(us, "type"), "RollingUpdate");
    const json_t *ru = jget(us, "rollingUpdate");
    s.has_ru = json_is_object(ru);
    s.partition = fl_m_int(ru, "partition", 0);
    s.max_unavailable = jget(ru, "maxUnavailable");
    s.parallel = !strcmp(fl_json_str(s.spec, "podManagementPolicy"), "Parallel");
    const json_t *rp = jget(s.spec, "persistentVolumeClaimRetentionPolicy");
    s.ws_delete = !strcmp(fl_json_str(rp, "whenScaled"), "Delete");
    s.wd_delete = !strcmp(fl_json_str(rp, "whenDeleted"), "Delete");
    s.vcts = jget(s.spec, "volumeClaimTemplates");

    int rc = 0;
    struct spod **claimed = NULL;
    size_t nclaimed = 0;
    bool history = false;
    char gkey[GKEY_MAX];
    snprintf(gkey, sizeof(gkey), "%s/%s", ns, name);
    if (!json_is_object(jget(s.spec, "selector"))) /* a non-transient error: no retry */
        goto out;
    s.s = set_track(c, ns, name, s.set);
    if (s.s->wrote > c->seen) {
        /* The queue can run a key again within the turn of its last sync
         * (a timer and a watch both due): decide once the watches have
         * delivered what that sync wrote, as upstream's informers would. */
        *requeue_ms = 1;
        rc = FL_WQ_REQUEUE;
        goto out;
    }
    s.g = group_find(c, gkey);
    rc = list_revisions(&s, err);
    if (rc == 0)
        rc = claim_pods(&s, &claimed, &nclaimed, err);
    history = rc == 0; /* UpdateStatefulSet runs: trim the history after */
    if (rc == 0)
        rc = get_revisions(&s, err);
    if (rc == 0) {
        struct status st = {0};
        rc = update_set(&s, claimed, nclaimed, &st, err);
        struct fl_err serr;
        fl_err_clear(&serr);
        if (write_status(&s, &st, rc == 0 ? err : &serr) != 0 && rc == 0)
            rc = FL_EFAIL;
        if (rc == 0 && s.more) {
            /* Not 0: that runs again within this turn, before the writes so far
             * are committed and seen by the index. */
            *requeue_ms = 1;
            rc = FL_WQ_REQUEUE;
        }
        /* A pod Ready but not yet available for minReadySeconds: look again then. */
        if (rc == 0 && s.min_ready > 0 && st.available != s.replicas) {
            int64_t soonest = 0;
            for (size_t i = 0; i < nclaimed; i++) {
                const struct spod *p = claimed[i];
                if ((p->flags & F_READY) && p->ready_ms && !available(&s, p)) {
                    int64_t at = p->ready_ms + s.min_ready * 1000 + 1 - s.now;
                    if (soonest == 0 || at < soonest)
                        soonest = at;
                }
            }
            if (soonest > 0) {
                *requeue_ms = (uint32_t)(soonest + 50);
                rc = FL_WQ_REQUEUE;
            }
        }
    }
    if (history) {
        struct fl_err terr;
        fl_err_clear(&terr);
        if (truncate_history(&s, claimed, nclaimed, rc < 0 ? &terr : err) != 0 && rc >= 0)
            rc = FL_EFAIL;
    }
    if (s.wrote)
        s.s->wrote = s.wrote;
out:
    for (size_t i = 0; i < s.nrevs; i++)
        rev_release(&s.revs[i]);
    free(s.revs);
    free(claimed);
    json_decref(s.cur);
    json_decref(s.upd);
    json_decref(s.set);
    return rc;
}

static int reconcile(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err)
{
    struct fl_sim_sts *c = ctx;
    if (key[0] == '/')
        return provision_key(c, key, err); /* "/persistentvolumeclaims/..." */
    return sync_set(c, key, requeue_ms, err);
}

/* ---- start / stop ------------------------------------------------------- */

static int watch_type(struct fl_sim_sts *c, const struct fl_rtype *t, uint64_t rev, fl_watch_fn fn,
                      struct fl_watch **out, struct fl_err *err)
{
    char prefix[FL_KEY_MAX];
    fl_store_key(prefix, t->group, t->resource, NULL, NULL);
    return fl_store_watch(c->m->store, prefix, rev, fn, c, out, err);
}

static int list_type(struct fl_sim_sts *c, const struct fl_rtype *t, struct fl_store_list *l,
                     struct fl_err *err)
{
    char prefix[FL_KEY_MAX];
    fl_store_key(prefix, t->group, t->resource, NULL, NULL);
    return fl_store_list(c->m->store, prefix, NULL, 0, NULL, l, err);
}

int fl_sim_sts_start(struct fl_member *m, struct fl_err *err)
{
    struct fl_sim_sts *c = fl_xcalloc(1, sizeof(*c));
    c->m = m;
    RB_INIT(&c->groups);
    RB_INIT(&c->sets);
    c->t_sts = fl_m_type("apps", "statefulsets");
    c->t_pod = fl_m_type("", "pods");
    c->t_pvc = fl_m_type("", "persistentvolumeclaims");
    c->t_cr = fl_m_type("apps", "controllerrevisions");
    c->q = fl_workqueue_new(m->base, &(struct fl_workqueue_opts){
                                         .name = "statefulset", .reconcile = reconcile, .ctx = c});
    m->sts = c;
    /* What is there already (a member's store starts empty, but be exact),
     * then the watches from that revision. */
    uint64_t rev = fl_store_rev(m->store);
    c->seen = rev;
    struct fl_store_list l = {0};
    if (list_type(c, c->t_sts, &l, err) != 0)
        goto fail;
    for (size_t i = 0; i < l.n; i++) {
        char ns[64];
        const char *name;
        json_t *doc = fl_obj_json(l.items[i]);
        if (doc && fl_m_key_split(l.items[i]->key, ns, sizeof(ns), &name)) {
            set_track(c, ns, name, doc);
            queue_set(c, ns, name);
        }
        json_decref(doc);
    }
    fl_store_list_release(&l);
    if (list_type(c, c->t_pod, &l, err) != 0)
        goto fail;
    for (size_t i = 0; i < l.n; i++)
        pod_event(c, l.items[i], false);
    fl_store_list_release(&l);
    if (list_type(c, c->t_pvc, &l, err) != 0)
        goto fail;
    for (size_t i = 0; i < l.n; i++)
        if (fl_m_mentions(l.items[i], "\"Pending\""))
            fl_workqueue_add(c->q, l.items[i]->key);
    fl_store_list_release(&l);
    if (watch_type(c, c->t_sts, rev, on_set, &c->w_sets, err) != 0 ||
        watch_type(c, c->t_pod, rev, on_pod, &c->w_pods, err) != 0 ||
        watch_type(c, c->t_pvc, rev, on_pvc, &c->w_pvcs, err) != 0)
        goto fail;
    return FL_OK;
fail:
    fl_sim_sts_stop(m);
    return FL_EFAIL;
}

void fl_sim_sts_stop(struct fl_member *m)
{
    struct fl_sim_sts *c = m->sts;
    if (!c)
        return;
    fl_watch_close(c->w_sets);
    fl_watch_close(c->w_pods);
    fl_watch_close(c->w_pvcs);
    fl_workqueue_free(c->q);
    struct group *g, *gn;
    for (g = RB_MIN(fl_sts_groups, &c->groups); g; g = gn) {
        gn = RB_NEXT(fl_sts_groups, &c->groups, g);
        RB_REMOVE(fl_sts_groups, &c->groups, g);
        free(g->pods);
        free(g);
    }
    struct sset *s, *sn;
    for (s = RB_MIN(fl_sts_sets, &c->sets); s; s = sn) {
        sn = RB_NEXT(fl_sts_sets, &c->sets, s);
        RB_REMOVE(fl_sts_sets, &c->sets, s);
        sset_free(s);
    }
    free(c);
    m->sts = NULL;
}
