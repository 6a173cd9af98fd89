/*
 * The simulated kube-scheduler of a member cluster (sim.h): binds pending
 * pods to nodes with kube-scheduler's default filters and a simplified
 * score, and reports the pods it cannot place the way upstream does (the
 * PodScheduled condition and FailedScheduling events, same texts).
 *
 * State, kept from two store watches (nodes, pods), never parsed objects:
 *  - a node table: one slot per node with its allocatable, the requests of
 *    the pods accounted on it, its taints parsed into a compact array (plus a
 *    synthesized node.kubernetes.io/not-ready or /unreachable NoSchedule
 *    taint while Ready is not True, as the kubelet and the node lifecycle
 *    controller would set them) and a reference to its current object (for
 *    labels). A slot whose Node does not exist (pods name a node before it
 *    registers, or after it went) is a "ghost": it holds their requests and
 *    is never a candidate;
 *  - one record per pod that is either waiting to be scheduled (the active
 *    FIFO or the unschedulable set) or accounted on a node (bound, not
 *    terminal): its store key, the requests it was accounted with, and a
 *    reference to the latest version the scheduler knows. Other pods cost
 *    nothing;
 *  - a few cached PodTopologySpread states (per namespace, constraints and
 *    node filter): matching pods per node and per domain, kept current by
 *    the same watch events, so a constraint costs one scan of the namespace
 *    when first seen and O(1) per event afterwards.
 *
 * Invariants: a slot's `req` is the sum of the requests of the records
 * accounted on it; a record's `obj` never goes back to an older revision (a
 * watch event older than what the scheduler itself wrote is stale and
 * ignored); a bound record that is not terminating is counted in every
 * cached spread state of its namespace, with the labels of its `obj`.
 *
 * Scheduling never runs inside a watch callback: pods wait in the active
 * FIFO (creation order) and a zero timer takes up to BATCH of them per loop
 * turn, so writes are committed turn by turn and the loop stays responsive.
 * Within a turn each bind is accounted at once (upstream's "assume"), so the
 * next pod sees it. A pod that fits nowhere goes to the unschedulable set
 * with the plugins that failed it; events that could help those plugins
 * (node added or changed, bound pod gone, pod bound) move the matching pods
 * back at most once per RETRY_THROTTLE_MS and after their backoff (1 s
 * doubling to 10 s, upstream's podInitialBackoff/podMaxBackoff), and every
 * pod is retried after LEFTOVER_MS regardless (upstream's
 * podMaxInUnschedulablePodsDuration). A pod's own update (other than status)
 * moves it back too.
 *
 * Not simulated: preemption (the message still says what upstream's
 * PostFilter says when there are no victims), NodePorts, volume plugins,
 * inter-pod affinity, ScheduleAnyway spread scoring, image locality, and
 * priority ordering of the queue (FIFO).
 */
#include <bsd/sys/tree.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "core/alloc.h"
#include "member/objects.h"
#include "member/sim.h"

#define COMPONENT "default-scheduler"
#define BATCH 1000                  /* pods per loop turn at most */
#define BATCH_MS 50                 /* ... and at most this long */
#define RETRY_THROTTLE_MS 1000      /* unschedulable pods move back at most this often */
#define LEFTOVER_MS (5 * 60 * 1000) /* ... and after this long regardless */
#define BACKOFF_INIT_MS 1000
#define BACKOFF_MAX_MS 10000
#define SPREAD_CACHE_MAX 16   /* cached topology spread states */
#define REQ_CAP (1LL << 46)   /* a pod's request counts as at most this (see req_clamp) */
#define MIN_FEASIBLE 100      /* upstream's minFeasibleNodesToFind */
#define MIN_PERCENT 5         /* minFeasibleNodesPercentageToFind */
#define DEFAULT_MILLI_CPU 100 /* non-zero requests for scoring */
#define DEFAULT_MEMORY (200LL * 1024 * 1024)
#define EVENT_NOTE_MAX 1023 /* what fl_m_event keeps of a message */

/* Plugins that failed a pod, and the cluster changes that may help them. */
enum {
    F_UNSCHED = 1 << 0,  /* NodeUnschedulable */
    F_TAINT = 1 << 1,    /* TaintToleration (and nodes not Ready) */
    F_AFFINITY = 1 << 2, /* NodeAffinity */
    F_FIT = 1 << 3,      /* NodeResourcesFit */
    F_SPREAD = 1 << 4,   /* PodTopologySpread */
    F_NONODES = 1 << 5,  /* the cluster had no node */
    F_ERROR = 1 << 6,    /* a write failed: retried after the backoff */
    F_GATED = 1 << 7,    /* schedulingGates: only the pod's own update helps */
};
#define F_NODE_ADDED (F_UNSCHED | F_TAINT | F_AFFINITY | F_FIT | F_SPREAD | F_NONODES)

enum effect { EFF_NOSCHEDULE, EFF_PREFER, EFF_NOEXECUTE, EFF_OTHER, EFF_ANY };
static const char *const effect_names[] = {"NoSchedule", "PreferNoSchedule", "NoExecute"};

static enum effect effect_of(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, effect_names[i]))
            return (enum effect)i;
    return s[0] ? EFF_OTHER : EFF_ANY;
}

struct taint {
    const char *key, *value; /* inside the node's taint block */
    uint8_t effect;
};

/* One node (or ghost) of the table. */
struct node {
    RB_ENTRY(node) link;
    struct fl_obj *obj;     /* current version; NULL for a ghost */
    struct fl_m_res alloc;  /* status.allocatable */
    struct fl_m_res req;    /* sum of the accounted pods' requests (req.v[PODS]: their number) */
    int64_t nz_cpu, nz_mem; /* the same with upstream's non-zero defaults, for scoring */
    struct taint *taints;   /* one allocation with the strings */
    uint16_t ntaints;
    bool unschedulable;
    int32_t slot;
    uint32_t lhash; /* hash of its labels: tells a relabel from a heartbeat */
    char name[];
};

enum pstate { P_FLIGHT, P_ACTIVE, P_UNSCHED, P_BOUND };

struct rq {
    int32_t id;
    int64_t v;
};

/* One pod the scheduler tracks (see the invariants above). */
struct pod {
    RB_ENTRY(pod) link;
    TAILQ_ENTRY(pod) q; /* in active or unsched */
    struct fl_obj *obj; /* latest version known (a reference) */
    struct rq *rq;      /* requests accounted (bound) */
    int64_t retry_at;   /* unschedulable: end of the backoff (monotonic ms) */
    uint32_t since_s;   /* unschedulable: since when (monotonic s) */
    int32_t node;       /* slot accounted on, -1 */
    uint32_t lhash;     /* hash of obj's labels, 0: unknown */
    uint8_t state, failmask, attempts, nrq;
    bool wake;        /* unschedulable: an event may have helped */
    bool terminating; /* bound: has deletionTimestamp */
    char key[];
};

static int node_cmp(const struct node *a, const struct node *b)
{
    return strcmp(a->name, b->name);
}

static int pod_cmp(const struct pod *a, const struct pod *b)
{
    return strcmp(a->key, b->key);
}

RB_HEAD(fl_sched_nodes, node);
RB_PROTOTYPE(fl_sched_nodes, node, link, node_cmp)
RB_GENERATE(fl_sched_nodes, node, link, node_cmp)
RB_HEAD(fl_sched_pods, pod);
RB_PROTOTYPE(fl_sched_pods, pod, link, pod_cmp)
RB_GENERATE(fl_sched_pods, pod, link, pod_cmp)
TAILQ_HEAD(pod_queue, pod);

/* A compiled toleration (strings borrowed from the pod's parsed tree). */
struct tol {
    const char *key, *value;
    uint8_t effect; /* EFF_ANY: empty */
    bool exists;    /* operator Exists */
    bool valid;     /* operator "", Equal or Exists */
};

/* One DoNotSchedule constraint of a cached spread state. */
struct sc {
    const char *key;   /* topologyKey (inside def) */
    const json_t *sel; /* effective labelSelector (inside def), NULL: matches no pod */
    bool counts;       /* sel matches some pods (non-NULL, not empty) */
    bool honor_aff, honor_taints;
    int64_t max_skew, min_domains;
    int32_t *dom;   /* per slot: domain id, -1 when the node lacks the key */
    uint8_t *elig;  /* per slot: the node's pods are counted */
    int32_t *ncnt;  /* per slot: matching pods accounted on it */
    int64_t *dcnt;  /* per domain: matching pods on eligible nodes */
    int32_t *delig; /* per domain: eligible nodes (0: not a domain) */
    json_t *dmap;   /* domain value -> id */
    size_t ndom, dcap;
};

/* A cached PodTopologySpread pre-filter state. */
struct spread {
    TAILQ_ENTRY(spread) lru;
    char *sig; /* canonical JSON of def */
    char *ns;
    json_t *def; /* {"ns", "c": [...], "sel": nodeSelector, "req": required, "tol": [...]} */
    struct tol *tols;
    size_t ntols;
    size_t nc, cap; /* constraints; slots covered by the per-slot arrays */
    struct sc *c;
};
TAILQ_HEAD(spread_list, spread);

struct cand {
    int32_t slot;
    int64_t score, prefer, aff;
};

struct fl_sim_sched {
    struct fl_member *m;
    const struct fl_rtype *pods_t;
    struct fl_watch *wnodes, *wpods;
    struct fl_sched_nodes nodes;
    struct node **slots;
    size_t nslots, slot_cap, nreal, next_start;
    int32_t *free_slots;
    size_t nfree;
    struct fl_sched_pods pods;
    struct pod_queue active, unsched;
    size_t nactive, nunsched;
    struct event *run_ev, *flush_ev;
    bool flush_armed;
    int64_t flush_due, last_flush;
    unsigned pending_mask;
    struct spread_list spreads;
    size_t nspreads;
    struct cand *cands;
    size_t cand_cap;
};

/* ---- small helpers ------------------------------------------------------ */

/* The namespace of a pod key "/pods/<ns>/<name>" into buf ("" if malformed). */
static void key_ns(const char *key, char *buf, size_t cap)
{
    const char *name;
    if (!fl_m_key_split(key, buf, cap, &name))
        buf[0] = '\0';
}

static int64_t backoff_ms(unsigned attempts)
{
    int64_t b = BACKOFF_INIT_MS;
    for (unsigned i = 1; i < attempts && b < BACKOFF_MAX_MS; i++)
        b *= 2;
    return b < BACKOFF_MAX_MS ? b : BACKOFF_MAX_MS;
}

/* A whole decimal int64, as strconv.ParseInt(s, 10, 64). */
static bool parse_int(const char *s, int64_t *out)
{
    char *end;
    if (!s || !s[0])
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
        return false;
    *out = v;
    return true;
}

/* An order-independent hash of a labels object, never 0. */
static uint32_t labels_hash(const json_t *labels)
{
    uint64_t h = 0x9e3779b97f4a7c15ull + json_object_size(labels);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)labels, k, v)
    {
        const char *val = json_string_value(v);
        uint64_t x = fl_m_fnv1a(fl_m_hash_str(k), "=", 1);
        if (val)
            x = fl_m_fnv1a(x, val, strlen(val));
        h += x * 0xff51afd7ed558ccdull;
    }
    uint32_t r = (uint32_t)(h ^ (h >> 32));
    return r ? r : 1;
}

static const json_t *pod_labels(const json_t *doc)
{
    return json_object_get(json_object_get(doc, "metadata"), "labels");
}

static bool has_deletion(const json_t *doc)
{
    const json_t *d = json_object_get(json_object_get(doc, "metadata"), "deletionTimestamp");
    return d && !json_is_null(d);
}

static bool is_terminal(const json_t *doc)
{
    const char *phase = fl_json_str(json_object_get(doc, "status"), "phase");
    return !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed");
}

/* Ours to schedule: unbound, not being deleted, for the default scheduler,
 * not finished. */
static bool is_pending(const json_t *doc)
{
    const json_t *spec = json_object_get(doc, "spec");
    const char *sched = fl_json_str(spec, "schedulerName");
    return !fl_json_str(spec, "nodeName")[0] && !has_deletion(doc) &&
           (!sched[0] || !strcmp(sched, COMPONENT)) && !is_terminal(doc);
}

/* ---- time and queues ---------------------------------------------------- */

static void arm_run(struct fl_sim_sched *s)
{
    static const struct timeval zero = {0, 0};
    if (!evtimer_pending(s->run_ev, NULL))
        evtimer_add(s->run_ev, &zero);
}

static void arm_flush(struct fl_sim_sched *s, int64_t due)
{
    if (s->flush_armed && s->flush_due <= due)
        return;
    int64_t wait = due - fl_m_mono_ms();
    if (wait < 0)
        wait = 0;
    struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000};
    s->flush_armed = true;
    s->flush_due = due;
    evtimer_add(s->flush_ev, &tv);
}

/* Something changed that may help pods failed by the plugins in mask. */
static void kick(struct fl_sim_sched *s, unsigned mask)
{
    if (!mask || TAILQ_EMPTY(&s->unsched))
        return;
    s->pending_mask |= mask;
    int64_t due = s->last_flush + RETRY_THROTTLE_MS, now = fl_m_mono_ms();
    arm_flush(s, due > now ? due : now);
}

static void enqueue_active(struct fl_sim_sched *s, struct pod *p)
{
    p->state = P_ACTIVE;
    TAILQ_INSERT_TAIL(&s->active, p, q);
    s->nactive++;
    arm_run(s);
}

static void activate(struct fl_sim_sched *s, struct pod *p)
{
    TAILQ_REMOVE(&s->unsched, p, q);
    s->nunsched--;
    enqueue_active(s, p);
}

static void dequeue(struct fl_sim_sched *s, struct pod *p)
{
    if (p->state == P_ACTIVE) {
        TAILQ_REMOVE(&s->active, p, q);
        s->nactive--;
    } else if (p->state == P_UNSCHED) {
        TAILQ_REMOVE(&s->unsched, p, q);
        s->nunsched--;
    }
    p->state = P_FLIGHT;
}

/* The pod's own update may help: back to the active queue after its backoff. */
static void wake_one(struct fl_sim_sched *s, struct pod *p)
{
    p->wake = true;
    if (fl_m_mono_ms() >= p->retry_at)
        activate(s, p);
    else
        arm_flush(s, p->retry_at);
}

/* Into the unschedulable set, failed by the plugins in mask. */
static void park(struct fl_sim_sched *s, struct pod *p, unsigned mask)
{
    int64_t now = fl_m_mono_ms();
    p->state = P_UNSCHED;
    p->failmask = (uint8_t)mask;
    p->wake = (mask & F_ERROR) != 0;
    p->retry_at = 0;
    if (!(mask & F_GATED)) {
        if (p->attempts < UINT8_MAX)
            p->attempts++;
        p->retry_at = now + backoff_ms(p->attempts);
    }
    p->since_s = (uint32_t)(now / 1000);
    TAILQ_INSERT_TAIL(&s->unsched, p, q);
    s->nunsched++;
    if (p->wake)
        arm_flush(s, p->retry_at);
    else if (!(mask & F_GATED))
        arm_flush(s, now + LEFTOVER_MS);
}

/* Move back the unschedulable pods the events since the last flush may have
 * helped (once their backoff is over), and those waiting for too long. */
static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    struct fl_sim_sched *s = arg;
    int64_t now = fl_m_mono_ms(), next = INT64_MAX;
    unsigned mask = s->pending_mask;
    s->flush_armed = false;
    s->pending_mask = 0;
    s->last_flush = now;
    struct pod *p, *tmp;
    for (p = TAILQ_FIRST(&s->unsched); p; p = tmp) {
        tmp = TAILQ_NEXT(p, q);
        if (p->failmask & mask)
            p->wake = true;
        bool gated = p->failmask & F_GATED;
        int64_t leftover = (int64_t)p->since_s * 1000 + LEFTOVER_MS;
        if ((p->wake && now >= p->retry_at) || (!gated && now >= leftover)) {
            activate(s, p);
            continue;
        }
        if (p->wake && p->retry_at < next)
            next = p->retry_at;
        if (!gated && leftover < next)
            next = leftover;
    }
    if (next != INT64_MAX)
        arm_flush(s, next);
}

/* ---- the node table ----------------------------------------------------- */

static struct node *node_find(struct fl_sim_sched *s, const char *name)
{
    struct node *n = RB_ROOT(&s->nodes);
    while (n) {
        int c = strcmp(name, n->name);
        if (c == 0)
            return n;
        n = c < 0 ? RB_LEFT(n, link) : RB_RIGHT(n, link);
    }
    return NULL;
}

static struct node *node_new(struct fl_sim_sched *s, const char *name)
{
    size_t len = strlen(name);
    struct node *n = fl_xcalloc(1, sizeof(*n) + len + 1);
    memcpy(n->name, name, len + 1);
    if (s->nfree) {
        n->slot = s->free_slots[--s->nfree];
    } else {
        if (s->nslots == s->slot_cap) {
            s->slot_cap = s->slot_cap ? 2 * s->slot_cap : 64;
            s->slots = fl_xrealloc(s->slots, s->slot_cap * sizeof(*s->slots));
            s->free_slots = fl_xrealloc(s->free_slots, s->slot_cap * sizeof(*s->free_slots));
        }
        n->slot = (int32_t)s->nslots++;
    }
    s->slots[n->slot] = n;
    RB_INSERT(fl_sched_nodes, &s->nodes, n);
    return n;
}

static void node_free(struct node *n)
{
    fl_obj_unref(n->obj);
    free(n->taints);
    free(n);
}

/* A ghost without pods has nothing left to hold. */
static void node_maybe_free(struct fl_sim_sched *s, struct node *n)
{
    if (n->obj || n->req.v[FL_M_PODS] > 0)
        return;
    RB_REMOVE(fl_sched_nodes, &s->nodes, n);
    s->slots[n->slot] = NULL;
    s->free_slots[s->nfree++] = n->slot;
    node_free(n);
}

static const json_t *node_labels(struct node *n)
{
    return n->obj ? fl_obj_meta(n->obj)->labels : NULL;
}

/* spec.taints plus the taint a node that is not Ready would carry: one
 * allocation, strings after the array. */
static struct taint *parse_taints(const json_t *doc, uint16_t *count)
{
    const json_t *arr = json_object_get(json_object_get(doc, "spec"), "taints");
    const char *ready =
        fl_m_condition_status(json_object_get(doc, "status"), "conditions", "Ready");
    const char *extra = NULL;
    if (!ready || strcmp(ready, "True") != 0)
        extra = ready && !strcmp(ready, "Unknown") ? "node.kubernetes.io/unreachable"
                                                   : "node.kubernetes.io/not-ready";
    size_t n = 0, bytes = 0, i;
    const json_t *t;
    json_array_foreach(arr, i, t)
    {
        if (n == UINT16_MAX - 1)
            break;
        const char *key = fl_json_str(t, "key");
        bytes += strlen(key) + strlen(fl_json_str(t, "value")) + 2;
        n++;
        if (extra && !strcmp(key, extra) && effect_of(fl_json_str(t, "effect")) == EFF_NOSCHEDULE)
            extra = NULL; /* already there */
    }
    if (extra) {
        bytes += strlen(extra) + 2;
        n++;
    }
    *count = (uint16_t)n;
    if (n == 0)
        return NULL;
    struct taint *ts = fl_xmalloc(n * sizeof(*ts) + bytes);
    char *p = (char *)(ts + n);
    size_t k = 0;
    json_array_foreach(arr, i, t)
    {
        if (k == n - (extra ? 1 : 0))
            break;
        const char *f[2] = {fl_json_str(t, "key"), fl_json_str(t, "value")};
        for (int j = 0; j < 2; j++) {
            size_t l = strlen(f[j]);
            memcpy(p, f[j], l + 1);
            if (j == 0)
                ts[k].key = p;
            else
                ts[k].value = p;
            p += l + 1;
        }
        ts[k++].effect = (uint8_t)effect_of(fl_json_str(t, "effect"));
    }
    if (extra) {
        size_t l = strlen(extra);
        memcpy(p, extra, l + 1);
        ts[k].key = p;
        ts[k].value = p + l; /* "" */
        ts[k].effect = EFF_NOSCHEDULE;
    }
    return ts;
}

static bool taints_equal(const struct taint *a, uint16_t na, const struct taint *b, uint16_t nb)
{
    if (na != nb)
        return false;
    for (uint16_t i = 0; i < na; i++)
        if (a[i].effect != b[i].effect || strcmp(a[i].key, b[i].key) ||
            strcmp(a[i].value, b[i].value))
            return false;
    return true;
}

/* ---- node affinity and tolerations -------------------------------------- */

/* One NodeSelectorRequirement against a node's labels (or, for
 * matchFields, its name: only metadata.name exists). */
static bool requirement_match(const json_t *r, const json_t *labels, const char *name, bool field)
{
    const char *key = fl_json_str(r, "key"), *op = fl_json_str(r, "operator");
    const json_t *values = json_object_get(r, "values");
    const char *v = NULL;
    if (field) {
        if (strcmp(key, "metadata.name") != 0)
            return false;
        v = name;
    } else {
        const json_t *lv = json_object_get(labels, key);
        v = json_is_string(lv) ? json_string_value(lv) : NULL;
    }
    if (!strcmp(op, "In"))
        return v && fl_m_in_values(values, v);
    if (!strcmp(op, "NotIn"))
        return !v || !fl_m_in_values(values, v);
    if (field)
        return false;
    if (!strcmp(op, "Exists"))
        return v != NULL;
    if (!strcmp(op, "DoesNotExist"))
        return v == NULL;
    if (!strcmp(op, "Gt") || !strcmp(op, "Lt")) {
        int64_t have, want;
        if (json_array_size(values) != 1 ||
            !parse_int(json_string_value(json_array_get(values, 0)), &want) || !parse_int(v, &have))
            return false;
        return op[0] == 'G' ? have > want : have < want;
    }
    return false;
}

/* A NodeSelectorTerm: its expressions and fields ANDed; an empty term
 * matches nothing. */
static bool term_match(const json_t *term, const json_t *labels, const char *name)
{
    const json_t *exprs = json_object_get(term, "matchExpressions");
    const json_t *fields = json_object_get(term, "matchFields");
    if (json_array_size(exprs) == 0 && json_array_size(fields) == 0)
        return false;
    size_t i;
    const json_t *r;
    json_array_foreach(exprs, i, r)
    {
        if (!requirement_match(r, labels, name, false))
            return false;
    }
    json_array_foreach(fields, i, r)
    {
        if (!requirement_match(r, labels, name, true))
            return false;
    }
    return true;
}

/* spec.nodeSelector and the required node affinity (terms ORed). */
static bool affinity_match(const json_t *selector, const json_t *required, const json_t *labels,
                           const char *name)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)selector, k, v)
    {
        const json_t *have = json_object_get(labels, k);
        if (!json_is_string(have) || !json_is_string(v) ||
            strcmp(json_string_value(have), json_string_value(v)) != 0)
            return false;
    }
    if (!required)
        return true;
    size_t i;
    const json_t *term;
    json_array_foreach(json_object_get(required, "nodeSelectorTerms"), i, term)
    {
        if (term_match(term, labels, name))
            return true;
    }
    return false;
}

/* Every toleration of arr into a new array *out (free it; NULL when there
 * are none): upstream looks at all of them, so a pod whose matching
 * toleration comes late in a long list must still fit. */
static size_t compile_tols(const json_t *arr, struct tol **outp)
{
    size_t n = 0, i;
    const json_t *t;
    struct tol *out = json_array_size(arr) ? fl_xcalloc(json_array_size(arr), sizeof(*out)) : NULL;
    *outp = out;
    json_array_foreach(arr, i, t)
    {
        const char *op = fl_json_str(t, "operator");
        struct tol *x = &out[n++];
        x->key = fl_json_str(t, "key");
        x->value = fl_json_str(t, "value");
        x->effect = (uint8_t)effect_of(fl_json_str(t, "effect"));
        x->exists = !strcmp(op, "Exists");
        x->valid = x->exists || !op[0] || !strcmp(op, "Equal");
    }
    return n;
}

/* Toleration.ToleratesTaint. */
static bool tolerates(const struct tol *x, const struct taint *t)
{
    if (!x->valid || (x->effect != EFF_ANY && x->effect != t->effect))
        return false;
    if (x->key[0] && strcmp(x->key, t->key) != 0)
        return false;
    return x->exists || !strcmp(x->value, t->value);
}

static bool tolerated(const struct tol *tols, size_t n, const struct taint *t)
{
    for (size_t i = 0; i < n; i++)
        if (tolerates(&tols[i], t))
            return true;
    return false;
}

/* The first NoSchedule/NoExecute taint of n the tolerations do not
 * tolerate (FindMatchingUntoleratedTaint), or NULL. */
static const struct taint *untolerated(const struct node *n, const struct tol *tols, size_t ntols)
{
    for (uint16_t i = 0; i < n->ntaints; i++) {
        const struct taint *t = &n->taints[i];
        if ((t->effect == EFF_NOSCHEDULE || t->effect == EFF_NOEXECUTE) &&
            !tolerated(tols, ntols, t))
            return t;
    }
    return NULL;
}

/* ---- topology spread states --------------------------------------------- */

static void sc_release(struct sc *c)
{
    free(c->dom);
    free(c->elig);
    free(c->ncnt);
    free(c->dcnt);
    free(c->delig);
    json_decref(c->dmap);
}

static void spread_free(struct spread *sp)
{
    for (size_t i = 0; i < sp->nc; i++)
        sc_release(&sp->c[i]);
    free(sp->c);
    free(sp->tols);
    free(sp->sig);
    free(sp->ns);
    json_decref(sp->def);
    free(sp);
}

/* Make the per-slot arrays cover slot. */
static void spread_grow(struct spread *sp, size_t slot)
{
    if (slot < sp->cap)
        return;
    size_t cap = sp->cap ? sp->cap : 64;
    while (cap <= slot)
        cap *= 2;
    for (size_t i = 0; i < sp->nc; i++) {
        struct sc *c = &sp->c[i];
        c->dom = fl_xrealloc(c->dom, cap * sizeof(*c->dom));
        c->elig = fl_xrealloc(c->elig, cap * sizeof(*c->elig));
        c->ncnt = fl_xrealloc(c->ncnt, cap * sizeof(*c->ncnt));
        for (size_t k = sp->cap; k < cap; k++) {
            c->dom[k] = -1;
            c->elig[k] = 0;
            c->ncnt[k] = 0;
        }
    }
    sp->cap = cap;
}

static int32_t domain_id(struct sc *c, const char *value)
{
    json_t *id = json_object_get(c->dmap, value);
    if (id)
        return (int32_t)json_integer_value(id);
    if (c->ndom == c->dcap) {
        c->dcap = c->dcap ? 2 * c->dcap : 16;
        c->dcnt = fl_xrealloc(c->dcnt, c->dcap * sizeof(*c->dcnt));
        c->delig = fl_xrealloc(c->delig, c->dcap * sizeof(*c->delig));
    }
    c->dcnt[c->ndom] = 0;
    c->delig[c->ndom] = 0;
    json_object_set_new(c->dmap, value, json_integer((json_int_t)c->ndom));
    return (int32_t)c->ndom++;
}

/* Upstream counts a node's pods towards a constraint when the node has every
 * constraint's topology key and passes the inclusion policies (the pod's
 * node affinity unless nodeAffinityPolicy is Ignore, its tolerations when
 * nodeTaintsPolicy is Honor). */
static bool spread_eligible(const struct spread *sp, const struct sc *c, struct node *n)
{
    const json_t *labels = node_labels(n);
    for (size_t i = 0; i < sp->nc; i++)
        if (!json_is_string(json_object_get(labels, sp->c[i].key)))
            return false;
    if (c->honor_aff && !affinity_match(json_object_get(sp->def, "sel"),
                                        json_object_get(sp->def, "req"), labels, n->name))
        return false;
    return !c->honor_taints || !untolerated(n, sp->tols, sp->ntols);
}

/* Slot changed (node added, gone, relabelled, retainted): recompute its
 * domain and eligibility in sp. */
static void spread_node(struct fl_sim_sched *s, struct spread *sp, size_t slot)
{
    struct node *n = slot < s->nslots ? s->slots[slot] : NULL;
    spread_grow(sp, slot);
    for (size_t i = 0; i < sp->nc; i++) {
        struct sc *c = &sp->c[i];
        if (c->elig[slot]) {
            c->dcnt[c->dom[slot]] -= c->ncnt[slot];
            c->delig[c->dom[slot]]--;
        }
        int32_t dom = -1;
        if (n && n->obj) {
            const json_t *v = json_object_get(node_labels(n), c->key);
            if (json_is_string(v))
                dom = domain_id(c, json_string_value(v));
        }
        c->dom[slot] = dom;
        c->elig[slot] = dom >= 0 && spread_eligible(sp, c, n);
        if (c->elig[slot]) {
            c->dcnt[dom] += c->ncnt[slot];
            c->delig[dom]++;
        }
    }
}

static void spread_nodes_changed(struct fl_sim_sched *s, size_t slot)
{
    struct spread *sp;
    TAILQ_FOREACH(sp, &s->spreads, lru)
    {
        spread_node(s, sp, slot);
    }
}

static bool spread_has_ns(struct fl_sim_sched *s, const char *ns)
{
    struct spread *sp;
    TAILQ_FOREACH(sp, &s->spreads, lru)
    {
        if (!strcmp(sp->ns, ns))
            return true;
    }
    return false;
}

/* A pod with these labels in ns starts (+1) or stops (-1) counting on slot. */
static void spread_pod(struct fl_sim_sched *s, const char *ns, const json_t *labels, size_t slot,
                       int delta)
{
    struct spread *sp;
    TAILQ_FOREACH(sp, &s->spreads, lru)
    {
        if (strcmp(sp->ns, ns) != 0)
            continue;
        for (size_t i = 0; i < sp->nc; i++) {
            struct sc *c = &sp->c[i];
            if (!c->counts || !fl_labelsel_json_match(c->sel, labels))
                continue;
            spread_grow(sp, slot);
            c->ncnt[slot] += delta;
            if (c->elig[slot])
                c->dcnt[c->dom[slot]] += delta;
        }
    }
}

/* The first record whose key is >= key. */
static struct pod *pod_lower_bound(struct fl_sim_sched *s, const char *key)
{
    struct pod *n = RB_ROOT(&s->pods), *best = NULL;
    while (n) {
        int c = strcmp(key, n->key);
        if (c == 0)
            return n;
        if (c < 0) {
            best = n;
            n = RB_LEFT(n, link);
        } else {
            n = RB_RIGHT(n, link);
        }
    }
    return best;
}

/* A new state for def (taken): every node, then the namespace's pods. */
static struct spread *spread_build(struct fl_sim_sched *s, json_t *def, char *sig)
{
    struct spread *sp = fl_xcalloc(1, sizeof(*sp));
    sp->def = def;
    sp->sig = sig;
    sp->ns = fl_xstrdup(fl_json_str(def, "ns"));
    sp->ntols = compile_tols(json_object_get(def, "tol"), &sp->tols);
    const json_t *cs = json_object_get(def, "c");
    sp->nc = json_array_size(cs);
    sp->c = fl_xcalloc(sp->nc, sizeof(*sp->c));
    for (size_t i = 0; i < sp->nc; i++) {
        const json_t *e = json_array_get(cs, i);
        struct sc *c = &sp->c[i];
        c->key = fl_json_str(e, "key");
        c->sel = json_object_get(e, "sel");
        if (json_is_null(c->sel))
            c->sel = NULL;
        c->counts = c->sel && !fl_m_selector_empty(c->sel);
        c->max_skew = json_integer_value(json_object_get(e, "skew"));
        c->min_domains = json_integer_value(json_object_get(e, "minDomains"));
        c->honor_aff = json_is_true(json_object_get(e, "aff"));
        c->honor_taints = json_is_true(json_object_get(e, "taints"));
        c->dmap = json_object();
    }
    spread_grow(sp, s->nslots ? s->nslots - 1 : 0);
    for (size_t slot = 0; slot < s->nslots; slot++)
        spread_node(s, sp, slot);
    char prefix[FL_KEY_MAX];
    fl_store_key(prefix, "", "pods", sp->ns, NULL);
    size_t plen = strlen(prefix);
    TAILQ_INSERT_HEAD(&s->spreads, sp, lru);
    s->nspreads++;
    /* Count into this state only (spread_pod would feed every state of the
     * namespace): the bound pods, by key range. */
    for (struct pod *p = pod_lower_bound(s, prefix); p && !strncmp(p->key, prefix, plen);
         p = RB_NEXT(fl_sched_pods, &s->pods, p)) {
        if (p->state != P_BOUND || p->terminating)
            continue;
        json_t *doc = fl_obj_json(p->obj);
        const json_t *labels = pod_labels(doc);
        for (size_t i = 0; i < sp->nc; i++) {
            struct sc *c = &sp->c[i];
            if (c->counts && fl_labelsel_json_match(c->sel, labels)) {
                c->ncnt[p->node]++;
                if (c->elig[p->node])
                    c->dcnt[c->dom[p->node]]++;
            }
        }
        json_decref(doc);
    }
    while (s->nspreads > SPREAD_CACHE_MAX) {
        struct spread *old = TAILQ_LAST(&s->spreads, spread_list);
        TAILQ_REMOVE(&s->spreads, old, lru);
        s->nspreads--;
        spread_free(old);
    }
    return sp;
}

/* The spread state for the pod's DoNotSchedule constraints, or NULL when it
 * has none. Cached by everything the state depends on. */
static struct spread *spread_for(struct fl_sim_sched *s, const json_t *doc, const char *ns)
{
    const json_t *spec = json_object_get(doc, "spec");
    const json_t *labels = pod_labels(doc);
    json_t *cs = json_array();
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(spec, "topologySpreadConstraints"), i, c)
    {
        if (strcmp(fl_json_str(c, "whenUnsatisfiable"), "DoNotSchedule") != 0)
            continue;
        const json_t *sel = json_object_get(c, "labelSelector");
        json_t *eff = json_is_object(sel) ? json_deep_copy(sel) : json_null();
        /* matchLabelKeys: the pod's values of those labels join the selector. */
        size_t k;
        const json_t *mk;
        json_array_foreach(json_object_get(c, "matchLabelKeys"), k, mk)
        {
            const json_t *v = json_object_get(labels, json_string_value(mk));
            if (!json_is_object(eff) || !json_is_string(v))
                continue;
            json_t *exprs = json_object_get(eff, "matchExpressions");
            if (!json_is_array(exprs)) {
                exprs = json_array();
                json_object_set_new(eff, "matchExpressions", exprs);
            }
            json_array_append_new(
                exprs, json_pack("{s:O,s:s,s:[O]}", "key", mk, "operator", "In", "values", v));
        }
        const json_t *md = json_object_get(c, "minDomains");
        json_array_append_new(
            cs,
            json_pack("{s:s,s:I,s:I,s:b,s:b,s:o}", "key", fl_json_str(c, "topologyKey"), "skew",
                      (json_int_t)json_integer_value(json_object_get(c, "maxSkew")), "minDomains",
                      (json_int_t)(json_is_integer(md) ? json_integer_value(md) : 1), "aff",
                      strcmp(fl_json_str(c, "nodeAffinityPolicy"), "Ignore") != 0, "taints",
                      !strcmp(fl_json_str(c, "nodeTaintsPolicy"), "Honor"), "sel", eff));
    }
    if (json_array_size(cs) == 0) {
        json_decref(cs);
        return NULL;
    }
    const json_t *req =
        json_object_get(json_object_get(json_object_get(spec, "affinity"), "nodeAffinity"),
                        "requiredDuringSchedulingIgnoredDuringExecution");
    json_t *def = json_pack("{s:s,s:o}", "ns", ns, "c", cs);
    if (json_is_object(json_object_get(spec, "nodeSelector")))
        json_object_set(def, "sel", json_object_get(spec, "nodeSelector"));
    if (json_is_object(req))
        json_object_set(def, "req", (json_t *)req);
    if (json_is_array(json_object_get(spec, "tolerations")))
        json_object_set(def, "tol", json_object_get(spec, "tolerations"));
    char *sig = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
    struct spread *sp;
    TAILQ_FOREACH(sp, &s->spreads, lru)
    {
        if (!strcmp(sp->sig, sig)) {
            free(sig);
            json_decref(def);
            TAILQ_REMOVE(&s->spreads, sp, lru);
            TAILQ_INSERT_HEAD(&s->spreads, sp, lru);
            return sp;
        }
    }
    /* The state keeps its own copy: the pod's tree is freed after the attempt. */
    json_t *own = json_deep_copy(def);
    json_decref(def);
    return spread_build(s, own, sig);
}

/* ---- accounting --------------------------------------------------------- */

static struct pod *pod_find(struct fl_sim_sched *s, const char *key)
{
    struct pod *p = pod_lower_bound(s, key);
    return p && !strcmp(p->key, key) ? p : NULL;
}

static struct pod *pod_new(struct fl_sim_sched *s, struct fl_obj *o)
{
    size_t len = strlen(o->key);
    struct pod *p = fl_xcalloc(1, sizeof(*p) + len + 1);
    memcpy(p->key, o->key, len + 1);
    p->obj = fl_obj_ref(o);
    p->node = -1;
    p->state = P_FLIGHT;
    RB_INSERT(fl_sched_pods, &s->pods, p);
    return p;
}

static void pod_set_obj(struct pod *p, struct fl_obj *o)
{
    if (p->obj == o)
        return;
    fl_obj_unref(p->obj);
    p->obj = fl_obj_ref(o);
}

static int64_t rq_get(const struct pod *p, int id)
{
    for (uint8_t i = 0; i < p->nrq; i++)
        if (p->rq[i].id == id)
            return p->rq[i].v;
    return 0;
}

/* Requests are summed per node: a hostile pod asking 7Ei of memory (which
 * the API accepts) would overflow the sums (undefined behaviour, and a node
 * that looks empty after wrapping). Counting a request as at most REQ_CAP
 * (64 Ti) keeps every sum exact up to 131,072 such pods on one node and
 * still fits no real node. */
static int64_t req_clamp(int64_t v)
{
    return v > REQ_CAP ? REQ_CAP : v;
}

static int64_t nz_or(int64_t v, int64_t dflt)
{
    return v > 0 ? v : dflt;
}

/* Account pod p (parsed: doc) on the node named node_name. */
static void account(struct fl_sim_sched *s, struct pod *p, const char *node_name, const json_t *doc)
{
    struct node *n = node_find(s, node_name);
    if (!n)
        n = node_new(s, node_name); /* a ghost until the Node shows up */
    struct fl_m_res r;
    fl_m_pod_requests(doc, &r);
    for (int id = 0; id < FL_M_RES_MAX; id++)
        r.v[id] = req_clamp(r.v[id]);
    p->nrq = 0;
    for (int id = 0; id < FL_M_RES_MAX; id++)
        if (r.v[id] > 0)
            p->nrq++;
    p->rq = fl_xrealloc(p->rq, (p->nrq ? p->nrq : 1) * sizeof(*p->rq));
    uint8_t k = 0;
    for (int id = 0; id < FL_M_RES_MAX; id++) {
        if (r.v[id] <= 0)
            continue;
        p->rq[k].id = id;
        p->rq[k++].v = r.v[id];
        n->req.v[id] += r.v[id];
    }
    n->nz_cpu += nz_or(r.v[FL_M_CPU], DEFAULT_MILLI_CPU);
    n->nz_mem += nz_or(r.v[FL_M_MEMORY], DEFAULT_MEMORY);
    p->node = n->slot;
    p->state = P_BOUND;
    p->attempts = 0;
    p->terminating = has_deletion(doc);
    p->lhash = labels_hash(pod_labels(doc));
    if (!p->terminating && !TAILQ_EMPTY(&s->spreads)) {
        char ns[256];
        key_ns(p->key, ns, sizeof(ns));
        spread_pod(s, ns, pod_labels(doc), (size_t)p->node, +1);
    }
}

/* Take p's requests (and spread counts) off its node. */
static void unaccount(struct fl_sim_sched *s, struct pod *p)
{
    struct node *n = s->slots[p->node];
    for (uint8_t i = 0; i < p->nrq; i++)
        n->req.v[p->rq[i].id] -= p->rq[i].v;
    n->nz_cpu -= nz_or(rq_get(p, FL_M_CPU), DEFAULT_MILLI_CPU);
    n->nz_mem -= nz_or(rq_get(p, FL_M_MEMORY), DEFAULT_MEMORY);
    char ns[256];
    key_ns(p->key, ns, sizeof(ns));
    if (!p->terminating && spread_has_ns(s, ns)) {
        json_t *doc = fl_obj_json(p->obj);
        spread_pod(s, ns, pod_labels(doc), (size_t)p->node, -1);
        json_decref(doc);
    }
    p->node = -1;
    p->nrq = 0;
    p->state = P_FLIGHT;
    node_maybe_free(s, n);
}

/* Forget p: off its node or out of its queue. */
static void pod_drop(struct fl_sim_sched *s, struct pod *p)
{
    if (p->state == P_BOUND) {
        unaccount(s, p);
        kick(s, F_FIT | F_SPREAD);
    } else {
        dequeue(s, p);
    }
    RB_REMOVE(fl_sched_pods, &s->pods, p);
    fl_obj_unref(p->obj);
    free(p->rq);
    free(p);
}

/* ---- watches ------------------------------------------------------------ */

static void node_apply(struct fl_sim_sched *s, struct fl_obj *o)
{
    json_t *doc = fl_obj_json(o);
    if (!doc)
        return;
    const json_t *status = json_object_get(doc, "status");
    const json_t *alloc_list = json_object_get(status, "allocatable");
    if (!json_is_object(alloc_list))
        alloc_list = json_object_get(status, "capacity");
    struct fl_m_res alloc = {0};
    fl_m_res_add_list(&alloc, alloc_list);
    alloc.v[FL_M_OTHER] = 0; /* names past the id table: never offered (objects.h) */
    uint16_t ntaints;
    struct taint *taints = parse_taints(doc, &ntaints);
    bool unsched = json_is_true(json_object_get(json_object_get(doc, "spec"), "unschedulable"));
    uint32_t lhash = labels_hash(json_object_get(json_object_get(doc, "metadata"), "labels"));
    json_decref(doc);

    const char *name = fl_m_key_name(o->key);
    struct node *n = node_find(s, name);
    if (!n)
        n = node_new(s, name);
    unsigned mask = 0;
    if (!n->obj) {
        mask = F_NODE_ADDED;
        s->nreal++;
    } else {
        if (memcmp(&alloc, &n->alloc, sizeof(alloc)) != 0)
            mask |= F_FIT;
        if (!taints_equal(taints, ntaints, n->taints, n->ntaints))
            mask |= F_TAINT | F_SPREAD;
        if (unsched != n->unschedulable)
            mask |= F_UNSCHED;
        if (lhash != n->lhash)
            mask |= F_AFFINITY | F_SPREAD;
    }
    n->lhash = lhash;
    n->alloc = alloc;
    free(n->taints);
    n->taints = taints;
    n->ntaints = ntaints;
    n->unschedulable = unsched;
    fl_obj_unref(n->obj);
    n->obj = fl_obj_ref(o);
    if (mask & F_SPREAD)
        spread_nodes_changed(s, (size_t)n->slot);
    kick(s, mask);
}

static void node_gone(struct fl_sim_sched *s, const char *name)
{
    struct node *n = node_find(s, name);
    if (!n || !n->obj)
        return;
    fl_obj_unref(n->obj);
    n->obj = NULL;
    s->nreal--;
    spread_nodes_changed(s, (size_t)n->slot);
    node_maybe_free(s, n);
    kick(s, F_SPREAD);
}

static void on_node(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_sched *s = ctx;
    if (ev->type == FL_DELETED)
        node_gone(s, fl_m_key_name(ev->obj->key));
    else
        node_apply(s, ev->obj);
}

/* Did anything but status (and bookkeeping metadata) change? Upstream's
 * isPodUpdated: only such updates move an unschedulable pod back. */
static bool pod_spec_changed(const struct fl_obj *old, const json_t *doc)
{
    json_t *prev = fl_obj_json(old);
    if (!prev)
        return true;
    const json_t *md = json_object_get(doc, "metadata"), *pmd = json_object_get(prev, "metadata");
    bool changed =
        !json_equal(json_object_get(prev, "spec"), json_object_get(doc, "spec")) ||
        !json_equal(json_object_get(pmd, "labels"), json_object_get(md, "labels")) ||
        !json_equal(json_object_get(pmd, "annotations"), json_object_get(md, "annotations"));
    json_decref(prev);
    return changed;
}

/* Kubelet status updates of a bound pod need no parse unless the pod may
 * have finished or be going, or its labels count for a spread state. */
static bool bound_needs_parse(struct fl_sim_sched *s, const struct pod *p, const struct fl_obj *o)
{
    if (fl_m_mentions(o, "\"deletionTimestamp\"") || fl_m_mentions(o, "\"phase\":\"Succeeded\"") ||
        fl_m_mentions(o, "\"phase\":\"Failed\"") || p->terminating)
        return true;
    if (TAILQ_EMPTY(&s->spreads))
        return false;
    char ns[256];
    key_ns(p->key, ns, sizeof(ns));
    return spread_has_ns(s, ns);
}

static void pod_apply(struct fl_sim_sched *s, struct fl_obj *o)
{
    struct pod *p = pod_find(s, o->key);
    if (p && o->rev <= p->obj->rev)
        return; /* our own write, or older than it */
    if (p && p->state == P_BOUND && !bound_needs_parse(s, p, o)) {
        pod_set_obj(p, o);
        p->lhash = 0; /* labels not looked at */
        return;
    }
    json_t *doc = fl_obj_json(o);
    if (!doc)
        return;
    const char *node = fl_json_str(json_object_get(doc, "spec"), "nodeName");
    if (node[0]) {
        if (is_terminal(doc)) {
            if (p)
                pod_drop(s, p);
        } else if (!p || p->state != P_BOUND) {
            /* Bound by someone else (or seen first bound): just account it. */
            if (p)
                dequeue(s, p);
            else
                p = pod_new(s, o);
            pod_set_obj(p, o);
            account(s, p, node, doc);
            kick(s, F_SPREAD);
        } else {
            bool term = has_deletion(doc);
            uint32_t h = labels_hash(pod_labels(doc));
            if (term != p->terminating || h != p->lhash) {
                char ns[256];
                key_ns(p->key, ns, sizeof(ns));
                if (spread_has_ns(s, ns)) {
                    if (!p->terminating) {
                        json_t *prev = fl_obj_json(p->obj);
                        spread_pod(s, ns, pod_labels(prev), (size_t)p->node, -1);
                        json_decref(prev);
                    }
                    if (!term)
                        spread_pod(s, ns, pod_labels(doc), (size_t)p->node, +1);
                    kick(s, F_SPREAD);
                }
                p->terminating = term;
                p->lhash = h;
            }
            pod_set_obj(p, o);
        }
    } else if (!is_pending(doc)) {
        if (p)
            pod_drop(s, p);
    } else if (!p) {
        p = pod_new(s, o);
        enqueue_active(s, p);
    } else {
        bool changed = p->state == P_UNSCHED && pod_spec_changed(p->obj, doc);
        pod_set_obj(p, o);
        if (changed)
            wake_one(s, p);
    }
    json_decref(doc);
}

static void on_pod(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_sched *s = ctx;
    if (ev->type == FL_DELETED) {
        struct pod *p = pod_find(s, ev->obj->key);
        if (p)
            pod_drop(s, p);
        return;
    }
    pod_apply(s, ev->obj);
}

/* ---- one scheduling attempt --------------------------------------------- */

enum { R_UNSCHED, R_AFFINITY, R_TOO_MANY, R_SPREAD, R_SPREAD_LABEL, R_COUNT };
static const char *const reason_text[R_COUNT] = {
    "node(s) were unschedulable",
    "node(s) didn't match Pod's node affinity/selector",
    "Too many pods",
    "node(s) didn't match pod topology spread constraints",
    "node(s) didn't match pod topology spread constraints (missing required label)",
};

struct taint_count {
    const char *key, *value;
    unsigned n;
};

/* Why nodes were filtered out (framework.Diagnosis), and whether preemption
 * could help on them (Unschedulable) or not (UnschedulableAndUnresolvable). */
struct diag {
    unsigned n[R_COUNT];
    unsigned insufficient[FL_M_RES_MAX];
    struct taint_count *taints;
    size_t ntaints, cap;
    unsigned resolvable, unresolvable, mask;
};

static void diag_taint(struct diag *d, const struct taint *t)
{
    for (size_t i = 0; i < d->ntaints; i++)
        if (!strcmp(d->taints[i].key, t->key) && !strcmp(d->taints[i].value, t->value)) {
            d->taints[i].n++;
            return;
        }
    if (d->ntaints == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 8;
        d->taints = fl_xrealloc(d->taints, d->cap * sizeof(*d->taints));
    }
    d->taints[d->ntaints++] = (struct taint_count){t->key, t->value, 1};
}

/* What a pod asks, parsed once per attempt. */
struct attempt {
    json_t *doc;
    const json_t *labels, *node_selector, *required, *preferred;
    char ns[256];
    struct fl_m_res req;
    bool req_zero;
    int64_t nz_cpu, nz_mem;
    struct tol *tols;
    size_t ntols;
    bool tol_unsched;
    struct spread *sp;
    int64_t *minm; /* per constraint: the global minimum (INT64_MAX: no domain) */
    uint8_t *self; /* per constraint: the pod matches its own selector */
};

static void attempt_init(struct fl_sim_sched *s, struct attempt *a, json_t *doc, const char *key)
{
    memset(a, 0, sizeof(*a));
    a->doc = doc;
    key_ns(key, a->ns, sizeof(a->ns));
    const json_t *spec = json_object_get(doc, "spec");
    a->labels = pod_labels(doc);
    a->node_selector = json_object_get(spec, "nodeSelector");
    const json_t *na = json_object_get(json_object_get(spec, "affinity"), "nodeAffinity");
    a->required = json_object_get(na, "requiredDuringSchedulingIgnoredDuringExecution");
    if (!json_is_object(a->required))
        a->required = NULL;
    a->preferred = json_object_get(na, "preferredDuringSchedulingIgnoredDuringExecution");
    fl_m_pod_requests(doc, &a->req);
    for (int id = 0; id < FL_M_RES_MAX; id++)
        a->req.v[id] = req_clamp(a->req.v[id]);
    a->req_zero = true;
    for (int id = 0; id < FL_M_RES_MAX; id++)
        if (id != FL_M_PODS && a->req.v[id] > 0)
            a->req_zero = false;
    a->nz_cpu = nz_or(a->req.v[FL_M_CPU], DEFAULT_MILLI_CPU);
    a->nz_mem = nz_or(a->req.v[FL_M_MEMORY], DEFAULT_MEMORY);
    a->ntols = compile_tols(json_object_get(spec, "tolerations"), &a->tols);
    static const struct taint unsched = {"node.kubernetes.io/unschedulable", "", EFF_NOSCHEDULE};
    a->tol_unsched = tolerated(a->tols, a->ntols, &unsched);
    a->sp = spread_for(s, doc, a->ns);
    if (!a->sp)
        return;
    a->minm = fl_xcalloc(a->sp->nc, sizeof(*a->minm));
    a->self = fl_xcalloc(a->sp->nc, sizeof(*a->self));
    for (size_t i = 0; i < a->sp->nc; i++) {
        const struct sc *c = &a->sp->c[i];
        int64_t min = INT64_MAX;
        int64_t ndom = 0;
        for (size_t d = 0; d < c->ndom; d++) {
            if (c->delig[d] <= 0)
                continue;
            ndom++;
            if (c->dcnt[d] < min)
                min = c->dcnt[d];
        }
        if (ndom > 0 && ndom < c->min_domains)
            min = 0;
        a->minm[i] = min;
        a->self[i] = c->sel && fl_labelsel_json_match(c->sel, a->labels);
    }
}

static void attempt_release(struct attempt *a)
{
    free(a->minm);
    free(a->self);
    free(a->tols);
    json_decref(a->doc);
}

/* Run the filter plugins in upstream's order; the first that fails the node
 * says why (into d). */
static bool node_fits(struct attempt *a, struct node *n, struct diag *d)
{
    if (n->unschedulable && !a->tol_unsched) {
        d->n[R_UNSCHED]++;
        d->unresolvable++;
        d->mask |= F_UNSCHED;
        return false;
    }
    const struct taint *t = untolerated(n, a->tols, a->ntols);
    if (t) {
        diag_taint(d, t);
        d->unresolvable++;
        d->mask |= F_TAINT;
        return false;
    }
    if ((a->node_selector || a->required) &&
        !affinity_match(a->node_selector, a->required, node_labels(n), n->name)) {
        d->n[R_AFFINITY]++;
        d->unresolvable++;
        d->mask |= F_AFFINITY;
        return false;
    }
    bool fail = false, unres = false;
    if (n->req.v[FL_M_PODS] + 1 > n->alloc.v[FL_M_PODS]) {
        d->n[R_TOO_MANY]++;
        fail = true;
    }
    if (!a->req_zero) {
        for (int id = 0; id < FL_M_RES_MAX; id++) {
            int64_t want = a->req.v[id];
            if (id == FL_M_PODS || want <= 0 || want <= n->alloc.v[id] - n->req.v[id])
                continue;
            d->insufficient[id]++;
            fail = true;
            unres |= want > n->alloc.v[id];
        }
    }
    if (fail) {
        if (unres)
            d->unresolvable++;
        else
            d->resolvable++;
        d->mask |= F_FIT;
        return false;
    }
    for (size_t i = 0; a->sp && i < a->sp->nc; i++) {
        const struct sc *c = &a->sp->c[i];
        int32_t dom = (size_t)n->slot < a->sp->cap ? c->dom[n->slot] : -1;
        if (dom < 0) {
            d->n[R_SPREAD_LABEL]++;
            d->unresolvable++;
            d->mask |= F_SPREAD;
            return false;
        }
        if (a->minm[i] == INT64_MAX)
            continue; /* no domain at all: nothing to be skewed against */
        if (c->dcnt[dom] + a->self[i] - a->minm[i] > c->max_skew) {
            d->n[R_SPREAD]++;
            d->resolvable++;
            d->mask |= F_SPREAD;
            return false;
        }
    }
    return true;
}

/* upstream's numFeasibleNodesToFind with the adaptive percentage. */
static size_t nodes_to_find(size_t all)
{
    if (all < MIN_FEASIBLE)
        return all;
    long pct = 50 - (long)all / 125;
    if (pct < MIN_PERCENT)
        pct = MIN_PERCENT;
    size_t n = all * (size_t)pct / 100;
    return n < MIN_FEASIBLE ? MIN_FEASIBLE : n;
}

static int64_t least_requested(int64_t req, int64_t cap)
{
    if (cap <= 0 || req > cap)
        return 0;
    /* 128 bits: (cap - req) * 100 overflows for allocatable above ~92 PB */
    return (int64_t)((__int128)(cap - req) * 100 / cap);
}

/* NodeResourcesFit (LeastAllocated over cpu and memory, equal weights) plus
 * NodeResourcesBalancedAllocation. */
static int64_t fit_score(const struct attempt *a, const struct node *n)
{
    int64_t cpu = n->nz_cpu + a->nz_cpu, mem = n->nz_mem + a->nz_mem;
    int64_t ccap = n->alloc.v[FL_M_CPU], mcap = n->alloc.v[FL_M_MEMORY];
    int64_t sum = 0, w = 0;
    if (ccap > 0) {
        sum += least_requested(cpu, ccap);
        w++;
    }
    if (mcap > 0) {
        sum += least_requested(mem, mcap);
        w++;
    }
    int64_t least = w ? sum / w : 0, balanced = 0;
    if (ccap > 0 && mcap > 0) {
        double fc = (double)cpu / (double)ccap, fm = (double)mem / (double)mcap;
        fc = fc > 1 ? 1 : fc;
        fm = fm > 1 ? 1 : fm;
        double sd = (fc > fm ? fc - fm : fm - fc) / 2;
        balanced = (int64_t)((1 - sd) * 100);
    }
    return least + balanced;
}

static int64_t prefer_taints(const struct attempt *a, const struct node *n)
{
    int64_t count = 0;
    for (uint16_t i = 0; i < n->ntaints; i++) {
        const struct taint *t = &n->taints[i];
        if (t->effect != EFF_PREFER)
            continue;
        bool ok = false;
        for (size_t k = 0; k < a->ntols && !ok; k++)
            ok = (a->tols[k].effect == EFF_ANY || a->tols[k].effect == EFF_PREFER) &&
                 tolerates(&a->tols[k], t);
        count += !ok;
    }
    return count;
}

static int64_t preferred_affinity(const struct attempt *a, struct node *n)
{
    int64_t sum = 0;
    size_t i;
    const json_t *p;
    json_array_foreach(a->preferred, i, p)
    {
        if (!term_match(json_object_get(p, "preference"), node_labels(n), n->name))
            continue;
        /* upstream validation keeps weights in 1..100; our API does not
         * check, and huge weights overflowed the sum (UB) */
        int64_t w = json_integer_value(json_object_get(p, "weight"));
        sum += w < 0 ? 0 : w > 100 ? 100 : w;
    }
    return sum;
}

/* Score the feasible nodes and pick the best, ties at random (selectHost). */
static struct node *select_host(struct fl_sim_sched *s, const struct attempt *a, size_t ncand)
{
    if (ncand == 1)
        return s->slots[s->cands[0].slot];
    int64_t max_prefer = 0, max_aff = 0;
    for (size_t i = 0; i < ncand; i++) {
        struct cand *c = &s->cands[i];
        struct node *n = s->slots[c->slot];
        c->score = fit_score(a, n);
        c->prefer = prefer_taints(a, n);
        c->aff = a->preferred ? preferred_affinity(a, n) : 0;
        if (c->prefer > max_prefer)
            max_prefer = c->prefer;
        if (c->aff > max_aff)
            max_aff = c->aff;
    }
    size_t best = 0, ties = 0;
    int64_t best_score = INT64_MIN;
    for (size_t i = 0; i < ncand; i++) {
        struct cand *c = &s->cands[i];
        /* TaintToleration (weight 3) and NodeAffinity (weight 2), normalized. */
        int64_t score = c->score + 3 * (max_prefer ? 100 - c->prefer * 100 / max_prefer : 100) +
                        2 * (max_aff ? c->aff * 100 / max_aff : 0);
        if (score > best_score) {
            best_score = score;
            best = i;
            ties = 1;
        } else if (score == best_score && fl_member_rand(s->m) % ++ties == 0) {
            best = i;
        }
    }
    return s->slots[s->cands[best].slot];
}

static int strcmp_p(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "N reason" strings, sorted as strings and joined with ", " (FitError). */
static char *join_sorted(char **items, size_t n)
{
    qsort(items, n, sizeof(*items), strcmp_p);
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 2;
    char *out = fl_xmalloc(len), *p = out;
    *p = '\0';
    for (size_t i = 0; i < n; i++) {
        p += sprintf(p, "%s%s", i ? ", " : "", items[i]);
        free(items[i]);
    }
    return out;
}

/* FitError.Error() after DefaultPreemption's PostFilter, as kube-scheduler
 * 1.32 writes it (the doubled period is upstream's). */
static char *fit_error(const struct diag *d, size_t all, const json_t *doc)
{
    char **items = fl_xcalloc(R_COUNT + FL_M_RES_MAX + d->ntaints, sizeof(*items));
    size_t n = 0;
    for (int r = 0; r < R_COUNT; r++)
        if (d->n[r])
            items[n++] = fl_xasprintf("%u %s", d->n[r], reason_text[r]);
    for (int id = 0; id < FL_M_RES_MAX; id++)
        if (d->insufficient[id])
            items[n++] = fl_xasprintf("%u Insufficient %s", d->insufficient[id],
                                      fl_m_res_name(id) ? fl_m_res_name(id) : "?");
    for (size_t i = 0; i < d->ntaints; i++)
        items[n++] = fl_xasprintf("%u node(s) had untolerated taint {%s: %s}", d->taints[i].n,
                                  d->taints[i].key, d->taints[i].value);
    char *reasons = join_sorted(items, n);
    char *preempt;
    const char *policy = fl_json_str(json_object_get(doc, "spec"), "preemptionPolicy");
    if (!strcmp(policy, "Never")) {
        preempt = fl_xstrdup("not eligible due to preemptionPolicy=Never.");
    } else {
        n = 0;
        if (d->unresolvable)
            items[n++] =
                fl_xasprintf("%u Preemption is not helpful for scheduling", d->unresolvable);
        if (d->resolvable)
            items[n++] =
                fl_xasprintf("%u No preemption victims found for incoming pod", d->resolvable);
        char *p = join_sorted(items, n);
        preempt = fl_xasprintf("0/%zu nodes are available: %s.", all, p);
        free(p);
    }
    char *msg =
        fl_xasprintf("0/%zu nodes are available: %s. preemption: %s.", all, reasons, preempt);
    free(reasons);
    free(preempt);
    free(items);
    return msg;
}

/* Read the pod again after a conflict: *docp and p->obj become the current
 * version. False when it is gone or no longer ours to schedule. */
static bool reread(struct fl_sim_sched *s, struct pod *p, json_t **docp)
{
    struct fl_obj *o = NULL;
    struct fl_err err;
    fl_err_clear(&err);
    struct fl_store_res r = {.group = "", .resource = "pods"};
    json_decref(*docp);
    *docp = NULL;
    if (fl_store_get(s->m->store, &r, p->key, &o, &err) != 0)
        return false;
    *docp = fl_obj_json(o);
    pod_set_obj(p, o);
    fl_obj_unref(o);
    return *docp && is_pending(*docp);
}

/* Set PodScheduled (upstream's conditions carry lastProbeTime: null). */
static bool set_scheduled(json_t *doc, const char *status, const char *reason, const char *msg)
{
    json_t *st = fl_m_obj_member(doc, "status");
    if (!fl_m_set_condition(st, "conditions", "PodScheduled", status, reason, msg))
        return false;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(st, "conditions"), i, c)
    {
        if (!strcmp(fl_json_str(c, "type"), "PodScheduled") && !json_object_get(c, "lastProbeTime"))
            json_object_set_new(c, "lastProbeTime", json_null());
    }
    return true;
}

/* Write the pod after modify(doc); on a conflict read it again and redo.
 * Returns 1 when written (or nothing to write), 0 when the pod is gone or no
 * longer pending (p dropped; the watch will say what it became), -1 on
 * another error (logged). */
static int write_pod(struct fl_sim_sched *s, struct pod *p, json_t **docp,
                     bool (*modify)(json_t *doc, const void *arg), const void *arg)
{
    for (int tries = 0;; tries++) {
        if (!modify(*docp, arg))
            return 1;
        struct fl_err err;
        struct fl_obj *out = NULL;
        fl_err_clear(&err);
        if (fl_m_update(s->m, s->pods_t, *docp, &out, &err) == 0) {
            pod_set_obj(p, out);
            fl_obj_unref(out);
            return 1;
        }
        if ((err.code == 409 && tries < 5) || err.code == 404) {
            if (err.code == 409 && reread(s, p, docp))
                continue;
            pod_drop(s, p);
            return 0;
        }
        fprintf(stderr, "flotilla member: scheduler: writing %s: %s\n", p->key, err.message);
        return -1;
    }
}

static bool mod_bind(json_t *doc, const void *arg)
{
    const struct node *n = arg;
    json_t *spec = json_object_get(doc, "spec");
    if (!json_is_object(spec))
        return false;
    json_object_set_new(spec, "nodeName", json_string(n->name));
    set_scheduled(doc, "True", NULL, NULL);
    return true;
}

struct unsched_args {
    const char *reason, *msg;
};

static bool mod_unsched(json_t *doc, const void *arg)
{
    const struct unsched_args *u = arg;
    return set_scheduled(doc, "False", u->reason, u->msg);
}

static void bind_pod(struct fl_sim_sched *s, struct pod *p, json_t **docp, struct node *n)
{
    int rc = write_pod(s, p, docp, mod_bind, n);
    if (rc == 0)
        return;
    if (rc < 0) {
        park(s, p, F_ERROR);
        return;
    }
    account(s, p, n->name, *docp);
    kick(s, F_SPREAD);
    const json_t *md = json_object_get(*docp, "metadata");
    fl_m_event(s->m, *docp, "Normal", "Scheduled", COMPONENT, "Successfully assigned %s/%s to %s",
               fl_json_str(md, "namespace"), fl_json_str(md, "name"), n->name);
}

static void unschedulable(struct fl_sim_sched *s, struct pod *p, json_t **docp, const char *reason,
                          const char *msg, unsigned mask, bool event)
{
    struct unsched_args u = {reason, msg};
    int rc = write_pod(s, p, docp, mod_unsched, &u);
    if (rc == 0)
        return;
    if (rc < 0)
        mask |= F_ERROR; /* retried after the backoff whatever happens */
    if (event) {
        /* truncateMessage: upstream's notes are at most 1024 bytes. */
        size_t len = strlen(msg);
        if (len > EVENT_NOTE_MAX)
            fl_m_event(s->m, *docp, "Warning", "FailedScheduling", COMPONENT, "%.*s ...",
                       EVENT_NOTE_MAX - 4, msg);
        else
            fl_m_event(s->m, *docp, "Warning", "FailedScheduling", COMPONENT, "%s", msg);
    }
    park(s, p, mask);
}

static void schedule_one(struct fl_sim_sched *s, struct pod *p)
{
    json_t *doc = fl_obj_json(p->obj);
    if (!doc || !is_pending(doc)) {
        json_decref(doc);
        pod_drop(s, p);
        return;
    }
    if (json_array_size(json_object_get(json_object_get(doc, "spec"), "schedulingGates"))) {
        unschedulable(s, p, &doc, "SchedulingGated",
                      "Scheduling is blocked due to non-empty scheduling gates", F_GATED, false);
        json_decref(doc);
        return;
    }
    if (s->nreal == 0) {
        unschedulable(s, p, &doc, "Unschedulable", "no nodes available to schedule pods", F_NONODES,
                      true);
        json_decref(doc);
        return;
    }
    struct attempt a;
    attempt_init(s, &a, doc, p->key);
    if (s->cand_cap < s->nslots) {
        s->cand_cap = s->nslots;
        s->cands = fl_xrealloc(s->cands, s->cand_cap * sizeof(*s->cands));
    }
    struct diag d = {0};
    size_t want = nodes_to_find(s->nreal), ncand = 0, i;
    for (i = 0; i < s->nslots && ncand < want; i++) {
        size_t slot = (s->next_start + i) % s->nslots;
        struct node *n = s->slots[slot];
        if (n && n->obj && node_fits(&a, n, &d))
            s->cands[ncand++].slot = (int32_t)slot;
    }
    s->next_start = (s->next_start + i) % s->nslots;
    if (ncand > 0) {
        bind_pod(s, p, &a.doc, select_host(s, &a, ncand));
    } else {
        char *msg = fit_error(&d, s->nreal, a.doc);
        unschedulable(s, p, &a.doc, "Unschedulable", msg, d.mask, true);
        free(msg);
    }
    free(d.taints);
    attempt_release(&a);
}

static void on_run(evutil_socket_t fd, short what, void *arg)
{
    struct fl_sim_sched *s = arg;
    int64_t t0 = fl_m_mono_ms();
    for (size_t n = 0; n < BATCH; n++) {
        struct pod *p = TAILQ_FIRST(&s->active);
        if (!p)
            break;
        dequeue(s, p);
        schedule_one(s, p);
        if ((n & 31) == 31 && fl_m_mono_ms() - t0 >= BATCH_MS)
            break;
    }
    if (!TAILQ_EMPTY(&s->active))
        arm_run(s);
}

/* ---- start and stop ----------------------------------------------------- */

static int create_rev_cmp(const void *a, const void *b)
{
    const struct pod *x = *(struct pod *const *)a, *y = *(struct pod *const *)b;
    return x->obj->create_rev < y->obj->create_rev ? -1 : x->obj->create_rev > y->obj->create_rev;
}

/* The pods found pending at start, in creation order (the list is in key order). */
static void sort_active(struct fl_sim_sched *s)
{
    if (s->nactive < 2)
        return;
    struct pod **v = fl_xmalloc(s->nactive * sizeof(*v));
    size_t n = 0;
    struct pod *p;
    while ((p = TAILQ_FIRST(&s->active)) != NULL) {
        TAILQ_REMOVE(&s->active, p, q);
        v[n++] = p;
    }
    qsort(v, n, sizeof(*v), create_rev_cmp);
    for (size_t i = 0; i < n; i++)
        TAILQ_INSERT_TAIL(&s->active, v[i], q);
    free(v);
}

int fl_sim_sched_start(struct fl_member *m, struct fl_err *err)
{
    struct fl_sim_sched *s = fl_xcalloc(1, sizeof(*s));
    s->m = m;
    s->pods_t = fl_m_type("", "pods");
    RB_INIT(&s->nodes);
    RB_INIT(&s->pods);
    TAILQ_INIT(&s->active);
    TAILQ_INIT(&s->unsched);
    TAILQ_INIT(&s->spreads);
    s->run_ev = evtimer_new(m->base, on_run, s);
    s->flush_ev = evtimer_new(m->base, on_flush, s);
    s->last_flush = fl_m_mono_ms() - RETRY_THROTTLE_MS;
    m->sched = s;
    if (fl_m_list_watch(m, fl_m_type("", "nodes"), on_node, s, &s->wnodes, err) != 0 ||
        fl_m_list_watch(m, s->pods_t, on_pod, s, &s->wpods, err) != 0) {
        fl_sim_sched_stop(m);
        return FL_EFAIL;
    }
    sort_active(s);
    return FL_OK;
}

void fl_sim_sched_stop(struct fl_member *m)
{
    struct fl_sim_sched *s = m->sched;
    if (!s)
        return;
    fl_watch_close(s->wnodes);
    fl_watch_close(s->wpods);
    event_free(s->run_ev);
    event_free(s->flush_ev);
    struct pod *p, *pn;
    for (p = RB_MIN(fl_sched_pods, &s->pods); p; p = pn) {
        pn = RB_NEXT(fl_sched_pods, &s->pods, p);
        RB_REMOVE(fl_sched_pods, &s->pods, p);
        fl_obj_unref(p->obj);
        free(p->rq);
        free(p);
    }
    struct node *n, *nn;
    for (n = RB_MIN(fl_sched_nodes, &s->nodes); n; n = nn) {
        nn = RB_NEXT(fl_sched_nodes, &s->nodes, n);
        RB_REMOVE(fl_sched_nodes, &s->nodes, n);
        node_free(n);
    }
    struct spread *sp;
    while ((sp = TAILQ_FIRST(&s->spreads)) != NULL) {
        TAILQ_REMOVE(&s->spreads, sp, lru);
        spread_free(sp);
    }
    free(s->slots);
    free(s->free_slots);
    free(s->cands);
    free(s);
    m->sched = NULL;
}
