/*
 * The simulated kubelet of every node of a member cluster: the lifecycle of
 * the pods bound to them, and their logs.
 *
 * A pod whose spec.nodeName names a node that is up (fl_sim_nodes_up) goes
 * through the kubelet's status sequence, each step one status write:
 *   bound     phase Pending, hostIP(s), startTime, qosClass, init containers
 *             terminated Completed (they are taken as run at once), the
 *             containers waiting ContainerCreating, conditions
 *             PodReadyToStartContainers=False, Initialized=True,
 *             Ready/ContainersReady=False (ContainersNotReady), PodScheduled;
 *   running   after podStartDelay + uniform [0, podStartJitter): phase Running,
 *             a pod IP from the node's podCIDR (the next free address of the
 *             /24, from .2), containers running with containerd IDs and image
 *             IDs, started, not yet ready (a Started event per container);
 *   ready     after podReadyDelay (0: in the same write): Ready and
 *             ContainersReady True, containers ready;
 *   completed restartPolicy Never or OnFailure pods annotated
 *             `flotilla.io/run-for: <Go duration>` ("5s", "1m30s") run that
 *             long, then phase Succeeded, containers terminated Completed
 *             with exit code 0; every other pod runs until it is deleted;
 *   deleted   a pod marked for deletion (deletionTimestamp) stops after
 *             min(deletionGracePeriodSeconds, podStopDelay): containers
 *             terminated Completed (exit 0, so phase Succeeded, as the kubelet
 *             gives deleted pods a terminal phase), then it is removed for good.
 * A pod's IP is freed when it completes or goes.
 *
 * While its node is down (a node fault) a pod is frozen: nothing happens to
 * it, a Terminating pod stays Terminating, as with a real unreachable kubelet.
 * When the node comes back its pods catch up (due steps at once) and Ready is
 * posted again where the node lifecycle controller had cleared it. Pods on
 * nodes that are not ours (no simulated kubelet) are tracked but never move.
 *
 * State: per pod one small entry (hash by store key, list per node) with its
 * step and the time the next one is due; per node its podCIDR, host IP and a
 * bitmap of the /24. Steps run from a work queue keyed by store key: a
 * reconcile reads the pod, writes the next status when it is due and asks to
 * be requeued for the step after (one queue timer per pod in transition,
 * none for steady pods); failures (409 Conflict) back off and retry from a
 * fresh read. The store watch only adds and drops entries and queues a pod
 * when it is marked for deletion, without parsing the pod.
 *
 * Logs are generated, not stored: plausible lines (nginx's start-up and
 * access log for nginx images, a generic service log otherwise), the same
 * for the same pod uid and container, one every few seconds from the
 * container's start.
 */
#include <arpa/inet.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/kinds.h"
#include "controllers/workqueue.h"
#include "core/alloc.h"
#include "member/objects.h"
#include "member/sim.h"

#define BATCH 200 /* pods reconciled per loop turn */
#define RUN_FOR_ANNOTATION "flotilla.io/run-for"
#define IP_RETRY_MS 1000 /* the /24 is full: try again */
#define NODE_RETRY_MS 200
#define LOG_MAX_LINES 50000 /* lines a log answer has at most (the newest) */
#define COMPONENT "kubelet"
/* The kubelet records Pulled, Created and Started per container; each Event
 * costs ~1.6 KB of memory (measured: 60,000 of them took 95 MB), which a
 * 20,000-pod cluster cannot afford in its 300 MiB, so only Started (and
 * Killing) are recorded unless this is true. */
#define FULL_EVENTS false

enum stage {
    ST_NEW,         /* seen, nothing written yet */
    ST_CREATING,    /* ContainerCreating until due */
    ST_STARTED,     /* running, ready at due */
    ST_READY,       /* running and ready; completes at end_ds if run-for */
    ST_DONE,        /* Succeeded */
    ST_TERMINATING, /* marked for deletion; stops at due */
};

struct kpod {
    struct kpod *hnext; /* hash chain by key */
    struct kpod *nnext; /* pods of the same node */
    int64_t due;        /* ms since start: the next step */
    uint32_t node;      /* index in k->nodes */
    uint32_t uidh;      /* hash of the uid (0 until the first reconcile): a
                           recreated pod is a new entry */
    uint32_t end_ds;    /* run-for end, 100 ms units since start; 0: none */
    uint8_t stage;
    uint8_t ip; /* last byte of the pod IP in the node's /24; 0: none */
    char key[]; /* "/pods/<ns>/<name>" */
};

struct knode {
    struct knode *hnext;
    struct kpod *pods;
    uint32_t idx;           /* in k->nodes */
    uint32_t cidr, host_ip; /* host order; 0 until resolved */
    uint32_t used[8];       /* the /24's addresses in use */
    bool resolved, frozen;
    char name[];
};

struct fl_sim_kubelet {
    struct fl_member *m;
    int64_t t0; /* mono ms at start */
    struct fl_workqueue *q;
    struct fl_watch *pod_watch, *node_watch;
    struct kpod **pbuckets;
    size_t npbuckets, npods;
    struct knode **nodes; /* by index */
    size_t nnodes, nodes_cap;
    struct knode **nbuckets;
    size_t nnbuckets;
};

static const struct fl_rtype *t_pods(void)
{
    return fl_m_type("", "pods");
}
static const struct fl_rtype *t_nodes(void)
{
    return fl_m_type("", "nodes");
}

/* ---- small helpers ------------------------------------------------------- */

static int64_t now_ms(const struct fl_sim_kubelet *k)
{
    return fl_m_mono_ms() - k->t0;
}

/* A Go duration ("5s", "1m30s", "250ms", "1.5h") in ms; -1 if malformed. */
static int64_t parse_duration(const char *s)
{
    static const struct {
        const char *unit;
        double ms;
    } units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"\xc2\xb5s", 1e-3}, {"ms", 1},
                 {"s", 1000},  {"m", 60000}, {"h", 3600000}};
    double total = 0;
    if (!s || !*s)
        return -1;
    if (!strcmp(s, "0"))
        return 0;
    while (*s) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || v < 0)
            return -1;
        s = end;
        size_t best = 0, blen = 0;
        for (size_t i = 0; i < FL_ARRAY_LEN(units); i++) {
            size_t l = strlen(units[i].unit);
            if (!strncmp(s, units[i].unit, l) && l > blen) {
                best = i;
                blen = l;
            }
        }
        if (!blen)
            return -1;
        total += v * units[best].ms;
        s += blen;
    }
    return total > 1e15 ? -1 : (int64_t)total;
}

/* ---- nodes --------------------------------------------------------------- */

static struct knode *knode_find(struct fl_sim_kubelet *k, const char *name, size_t len)
{
    struct knode *n = k->nbuckets[fl_m_fnv1a(FL_M_FNV_BASIS, name, len) & (k->nnbuckets - 1)];
    while (n && !(strlen(n->name) == len && !memcmp(n->name, name, len)))
        n = n->hnext;
    return n;
}

static void knode_rehash(struct fl_sim_kubelet *k)
{
    size_t nb = k->nnbuckets * 2;
    struct knode **b = fl_xcalloc(nb, sizeof(*b));
    for (size_t i = 0; i < k->nnodes; i++) {
        struct knode *n = k->nodes[i];
        size_t h = fl_m_hash_str(n->name) & (nb - 1);
        n->hnext = b[h];
        b[h] = n;
    }
    free(k->nbuckets);
    k->nbuckets = b;
    k->nnbuckets = nb;
}

/* The node named name[0..len), added if new. Nodes stay until stop. */
static struct knode *knode_get(struct fl_sim_kubelet *k, const char *name, size_t len)
{
    struct knode *n = knode_find(k, name, len);
    if (n)
        return n;
    if (k->nnodes >= k->nnbuckets)
        knode_rehash(k);
    if (k->nnodes == k->nodes_cap) {
        k->nodes_cap = k->nodes_cap ? k->nodes_cap * 2 : 64;
        k->nodes = fl_xrealloc(k->nodes, k->nodes_cap * sizeof(*k->nodes));
    }
    n = fl_xcalloc(1, sizeof(*n) + len + 1);
    memcpy(n->name, name, len);
    n->idx = (uint32_t)k->nnodes;
    k->nodes[k->nnodes++] = n;
    size_t h = fl_m_fnv1a(FL_M_FNV_BASIS, name, len) & (k->nnbuckets - 1);
    n->hnext = k->nbuckets[h];
    k->nbuckets[h] = n;
    return n;
}

/* podCIDR and InternalIP from the Node object, once. */
static bool knode_resolve(struct fl_sim_kubelet *k, struct knode *n)
{
    if (n->resolved)
        return true;
    struct fl_err err;
    fl_err_clear(&err);
    json_t *doc = fl_m_get_json(k->m, t_nodes(), "", n->name, &err);
    if (!doc)
        return false;
    char addr[64];
    const char *cidr = fl_json_str(json_object_get(doc, "spec"), "podCIDR");
    const char *slash = strchr(cidr, '/');
    struct in_addr in;
    if (slash && (size_t)(slash - cidr) < sizeof(addr)) {
        memcpy(addr, cidr, (size_t)(slash - cidr));
        addr[slash - cidr] = '\0';
        if (inet_pton(AF_INET, addr, &in) == 1)
            n->cidr = ntohl(in.s_addr) & ~255u;
    }
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(json_object_get(doc, "status"), "addresses"), i, a)
    {
        if (!strcmp(fl_json_str(a, "type"), "InternalIP") &&
            inet_pton(AF_INET, fl_json_str(a, "address"), &in) == 1)
            n->host_ip = ntohl(in.s_addr);
    }
    json_decref(doc);
    n->resolved = n->cidr != 0;
    return n->resolved;
}

/* The lowest free address of the node's /24 from .2 (.0 is the network,
 * .1 the node's bridge), as host-local IPAM hands them out; 0 when full. */
static uint8_t ip_alloc(struct knode *n)
{
    for (unsigned b = 2; b < 255; b++) {
        if (!(n->used[b / 32] & (1u << (b % 32)))) {
            n->used[b / 32] |= 1u << (b % 32);
            return (uint8_t)b;
        }
    }
    return 0;
}

static void ip_release(struct fl_sim_kubelet *k, struct kpod *p)
{
    if (!p->ip)
        return;
    struct knode *n = k->nodes[p->node];
    n->used[p->ip / 32] &= ~(1u << (p->ip % 32));
    p->ip = 0;
}

/* ---- pods ---------------------------------------------------------------- */

static struct kpod **kpod_slot(struct fl_sim_kubelet *k, const char *key)
{
    struct kpod **pp = &k->pbuckets[fl_m_hash_str(key) & (k->npbuckets - 1)];
    while (*pp && strcmp((*pp)->key, key) != 0)
        pp = &(*pp)->hnext;
    return pp;
}

static void kpod_grow(struct fl_sim_kubelet *k)
{
    size_t nb = k->npbuckets * 2;
    struct kpod **b = fl_xcalloc(nb, sizeof(*b));
    for (size_t i = 0; i < k->npbuckets; i++) {
        struct kpod *p = k->pbuckets[i], *next;
        for (; p; p = next) {
            next = p->hnext;
            size_t h = fl_m_hash_str(p->key) & (nb - 1);
            p->hnext = b[h];
            b[h] = p;
        }
    }
    free(k->pbuckets);
    k->pbuckets = b;
    k->npbuckets = nb;
}

static void kpod_link(struct fl_sim_kubelet *k, struct kpod *p, uint32_t node)
{
    struct knode *n = k->nodes[node];
    p->node = node;
    p->nnext = n->pods;
    n->pods = p;
}

static void kpod_unlink(struct fl_sim_kubelet *k, struct kpod *p)
{
    struct kpod **np = &k->nodes[p->node]->pods;
    while (*np != p)
        np = &(*np)->nnext;
    *np = p->nnext;
}

static struct kpod *kpod_add(struct fl_sim_kubelet *k, const char *key, uint32_t node,
                             uint32_t uidh)
{
    if (k->npods >= k->npbuckets)
        kpod_grow(k);
    size_t klen = strlen(key);
    struct kpod *p = fl_xcalloc(1, sizeof(*p) + klen + 1);
    memcpy(p->key, key, klen + 1);
    p->uidh = uidh;
    struct kpod **slot = kpod_slot(k, key);
    p->hnext = *slot;
    *slot = p;
    kpod_link(k, p, node);
    k->npods++;
    return p;
}

static void kpod_drop(struct fl_sim_kubelet *k, struct kpod **slot)
{
    struct kpod *p = *slot;
    *slot = p->hnext;
    ip_release(k, p);
    kpod_unlink(k, p);
    k->npods--;
    free(p);
}

/* ---- images and IDs ------------------------------------------------------ */

/* The image as containerd reports it: "nginx" -> "docker.io/library/nginx:latest". */
static void image_ref(const char *image, char *out, size_t len)
{
    const char *slash = strchr(image, '/');
    bool registry = slash && (memchr(image, '.', (size_t)(slash - image)) ||
                              memchr(image, ':', (size_t)(slash - image)) ||
                              (slash - image == 9 && !strncmp(image, "localhost", 9)));
    const char *last = strrchr(image, '/');
    last = last ? last + 1 : image;
    bool tagged = strchr(last, ':') || strchr(image, '@');
    snprintf(out, len, "%s%s%s%s", registry ? "" : "docker.io/",
             registry || slash ? "" : "library/", image, tagged ? "" : ":latest");
}

/* "docker.io/library/nginx@sha256:<64 hex>", the same for the same image. */
static void image_id(const char *ref, char *out, size_t len)
{
    char repo[512], hex[65];
    snprintf(repo, sizeof(repo), "%s", ref);
    char *at = strchr(repo, '@');
    if (at) { /* pinned by digest already */
        snprintf(out, len, "%s", ref);
        return;
    }
    char *last = strrchr(repo, '/');
    char *colon = strrchr(last ? last : repo, ':');
    if (colon)
        *colon = '\0';
    fl_m_hex_from(fl_m_hash_str(ref), hex, 64);
    snprintf(out, len, "%s@sha256:%s", repo, hex);
}

static void container_id(const char *uid, const char *name, char *out, size_t len)
{
    char hex[65];
    fl_m_hex_from(fl_m_hash_str(uid) ^ fl_m_mix64(fl_m_hash_str(name)), hex, 64);
    snprintf(out, len, "containerd://%s", hex);
}

/* ---- pod status ---------------------------------------------------------- */

enum cmode { C_WAITING, C_RUNNING, C_TERMINATED, C_INIT_DONE };

static json_t *find_named(const json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        if (!strcmp(fl_json_str(x, key), value))
            return x;
    }
    return NULL;
}

static const char *old_started_at(const json_t *old)
{
    const json_t *st = json_object_get(old, "state");
    const char *s = fl_json_str(json_object_get(st, "running"), "startedAt");
    return s[0] ? s : fl_json_str(json_object_get(st, "terminated"), "startedAt");
}

/* One container's status (ContainerStatus, fields in Go's order). old: the
 * previous status of the container or NULL. */
static json_t *cstatus(const json_t *c, const json_t *old, const char *uid, enum cmode mode,
                       bool ready, const char *now)
{
    const char *name = fl_json_str(c, "name"), *image = fl_json_str(c, "image");
    if (mode == C_INIT_DONE && old && json_object_get(json_object_get(old, "state"), "terminated"))
        return json_deep_copy(old);
    char ref[512], id[640], cid[96];
    image_ref(image, ref, sizeof(ref));
    image_id(ref, id, sizeof(id));
    container_id(uid, name, cid, sizeof(cid));
    const char *started = old_started_at(old);
    if (!started[0])
        started = now;
    json_t *state;
    switch (mode) {
    case C_WAITING:
        state = json_pack("{s:{s:s}}", "waiting", "reason", "ContainerCreating");
        break;
    case C_RUNNING:
        state = json_pack("{s:{s:s}}", "running", "startedAt", started);
        break;
    default:
        state = json_pack("{s:{s:s,s:i,s:s,s:s,s:s}}", "terminated", "containerID", cid, "exitCode",
                          0, "finishedAt", now, "reason", "Completed", "startedAt", started);
        break;
    }
    json_t *s = json_pack("{s:s,s:o,s:{},s:b,s:i}", "name", name, "state", state, "lastState",
                          "ready", ready, "restartCount", 0);
    if (mode == C_WAITING) {
        fl_m_set_str(s, "image", image);
        fl_m_set_str(s, "imageID", "");
    } else {
        fl_m_set_str(s, "image", ref);
        fl_m_set_str(s, "imageID", id);
        fl_m_set_str(s, "containerID", cid);
    }
    json_object_set_new(s, "started", json_boolean(mode == C_RUNNING));
    const json_t *mounts = json_object_get(c, "volumeMounts");
    if (json_array_size(mounts) > 0) {
        json_t *vm = json_array();
        size_t i;
        json_t *mnt;
        json_array_foreach(mounts, i, mnt)
        {
            json_t *e = json_pack("{s:s,s:s}", "name", fl_json_str(mnt, "name"), "mountPath",
                                  fl_json_str(mnt, "mountPath"));
            if (json_is_true(json_object_get(mnt, "readOnly"))) {
                json_object_set_new(e, "readOnly", json_true());
                fl_m_set_str(e, "recursiveReadOnly", "Disabled");
            }
            json_array_append_new(vm, e);
        }
        json_object_set_new(s, "volumeMounts", vm);
    }
    return s;
}

static bool is_sidecar(const json_t *c)
{
    return !strcmp(fl_json_str(c, "restartPolicy"), "Always");
}

/* containerStatuses and initContainerStatuses for mode: regular containers
 * and sidecars (restartable init containers) in mode, other init containers
 * done. */
static void set_container_statuses(json_t *pod, enum cmode mode, bool ready, const char *now)
{
    const json_t *spec = json_object_get(pod, "spec");
    const char *uid = fl_json_str(json_object_get(pod, "metadata"), "uid");
    json_t *st = fl_m_obj_member(pod, "status");
    static const char *const lists[][2] = {{"initContainers", "initContainerStatuses"},
                                           {"containers", "containerStatuses"}};
    for (size_t l = 0; l < 2; l++) {
        const json_t *cs = json_object_get(spec, lists[l][0]);
        if (json_array_size(cs) == 0)
            continue;
        const json_t *olds = json_object_get(st, lists[l][1]);
        json_t *out = json_array();
        size_t i;
        json_t *c;
        json_array_foreach(cs, i, c)
        {
            /* statuses are in spec order: look at the same index first, so
             * a pod with N containers costs O(N), not O(N^2), per write */
            const char *cname = fl_json_str(c, "name");
            const json_t *old = json_array_get(olds, i);
            if (!old || strcmp(fl_json_str(old, "name"), cname) != 0)
                old = find_named(olds, "name", cname);
            bool plain_init = l == 0 && !is_sidecar(c);
            json_array_append_new(out, plain_init ? cstatus(c, old, uid, C_INIT_DONE, true, now)
                                                  : cstatus(c, old, uid, mode, ready, now));
        }
        json_object_set_new(st, lists[l][1], out);
    }
}

/* "containers with unready status: [a b]" */
static void unready_message(const json_t *pod, char *buf, size_t len)
{
    size_t off = (size_t)snprintf(buf, len, "containers with unready status: [");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(pod, "spec"), "containers"), i, c)
    {
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
                                    fl_json_str(c, "name"));
    }
    if (off < len)
        snprintf(buf + off, len - off, "]");
}

struct want {
    const char *type, *status, *reason, *message;
};

/* Replace status.conditions by want (in order: the kubelet's), keeping
 * lastTransitionTime where the status did not change and any other
 * condition (PodScheduled's details, DisruptionTarget, readiness gates). */
static void set_conditions(json_t *st, const struct want *w, size_t n, const char *now)
{
    const json_t *old = json_object_get(st, "conditions");
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        const json_t *o = find_named(old, "type", w[i].type);
        const char *ltt = o && !strcmp(fl_json_str(o, "status"), w[i].status)
                              ? fl_json_str(o, "lastTransitionTime")
                              : now;
        json_t *c = json_pack("{s:s,s:s,s:n,s:s}", "type", w[i].type, "status", w[i].status,
                              "lastProbeTime", "lastTransitionTime", ltt[0] ? ltt : now);
        if (w[i].reason)
            fl_m_set_str(c, "reason", w[i].reason);
        if (w[i].message)
            fl_m_set_str(c, "message", w[i].message);
        json_array_append_new(out, c);
    }
    size_t i;
    json_t *c;
    json_array_foreach(old, i, c)
    {
        bool wanted = false;
        for (size_t j = 0; j < n && !wanted; j++)
            wanted = !strcmp(fl_json_str(c, "type"), w[j].type);
        if (!wanted)
            json_array_append(out, c);
    }
    json_object_set_new(st, "conditions", out);
}

/* PodScheduled as the scheduler left it, or True (a pod bound by nodeName). */
static struct want scheduled(const json_t *st)
{
    const json_t *o = find_named(json_object_get(st, "conditions"), "type", "PodScheduled");
    struct want w = {"PodScheduled", "True", NULL, NULL};
    if (o && !strcmp(fl_json_str(o, "status"), "True")) {
        w.reason = json_object_get(o, "reason") ? fl_json_str(o, "reason") : NULL;
        w.message = json_object_get(o, "message") ? fl_json_str(o, "message") : NULL;
    }
    return w;
}

enum pstep { P_BOUND, P_RUNNING, P_READY, P_DONE };

static void pod_conditions(json_t *pod, enum pstep step, const char *now)
{
    json_t *st = fl_m_obj_member(pod, "status");
    char msg[1024];
    unready_message(pod, msg, sizeof(msg));
    struct want sched = scheduled(st);
    /* copies: sched points into the old conditions, which set_conditions replaces */
    char sreason[256] = "", smessage[1024] = "";
    if (sched.reason)
        sched.reason = strncpy(sreason, sched.reason, sizeof(sreason) - 1);
    if (sched.message)
        sched.message = strncpy(smessage, sched.message, sizeof(smessage) - 1);
    const char *sandbox = step == P_BOUND || step == P_DONE ? "False" : "True";
    const char *ready = step == P_READY ? "True" : "False";
    const char *reason = step == P_DONE    ? "PodCompleted"
                         : step == P_READY ? NULL
                                           : "ContainersNotReady";
    const char *message = step == P_DONE || step == P_READY ? NULL : msg;
    struct want w[] = {
        {"PodReadyToStartContainers", sandbox, NULL, NULL},
        {"Initialized", "True", NULL, NULL},
        {"Ready", ready, reason, message},
        {"ContainersReady", ready, reason, message},
        sched,
    };
    set_conditions(st, w, FL_ARRAY_LEN(w), now);
}

/* PodStatus's members in Go's field order, anything else after. */
static void order_status(json_t *pod)
{
    static const char *const order[] = {"phase",
                                        "conditions",
                                        "message",
                                        "reason",
                                        "nominatedNodeName",
                                        "hostIP",
                                        "hostIPs",
                                        "podIP",
                                        "podIPs",
                                        "startTime",
                                        "initContainerStatuses",
                                        "containerStatuses",
                                        "qosClass",
                                        "ephemeralContainerStatuses"};
    json_t *st = json_object_get(pod, "status");
    json_t *out = json_object();
    for (size_t i = 0; i < FL_ARRAY_LEN(order); i++) {
        json_t *v = json_object_get(st, order[i]);
        if (v)
            json_object_set(out, order[i], v);
    }
    const char *key;
    json_t *v;
    json_object_foreach(st, key, v)
    {
        if (!json_object_get(out, key))
            json_object_set(out, key, v);
    }
    json_object_set_new(pod, "status", out);
}

static void status_bound(json_t *pod, const struct knode *n, const char *now)
{
    json_t *st = fl_m_obj_member(pod, "status");
    char ip[16];
    fl_m_ip_str(n->host_ip, ip);
    fl_m_set_str(st, "phase", "Pending");
    fl_m_set_str(st, "hostIP", ip);
    json_object_set_new(st, "hostIPs", json_pack("[{s:s}]", "ip", ip));
    if (!json_is_string(json_object_get(st, "startTime")))
        fl_m_set_str(st, "startTime", now);
    fl_m_set_str(st, "qosClass", fl_kind_pod_qos_class(pod));
    set_container_statuses(pod, C_WAITING, false, now);
    pod_conditions(pod, P_BOUND, now);
    order_status(pod);
}

static void status_running(json_t *pod, const struct knode *n, uint8_t ipb, bool ready,
                           const char *now)
{
    json_t *st = fl_m_obj_member(pod, "status");
    char ip[16];
    fl_m_ip_str(n->cidr | ipb, ip);
    fl_m_set_str(st, "phase", "Running");
    fl_m_set_str(st, "podIP", ip);
    json_object_set_new(st, "podIPs", json_pack("[{s:s}]", "ip", ip));
    set_container_statuses(pod, C_RUNNING, ready, now);
    pod_conditions(pod, ready ? P_READY : P_RUNNING, now);
    order_status(pod);
}

static void status_done(json_t *pod, const char *now)
{
    json_t *st = fl_m_obj_member(pod, "status");
    fl_m_set_str(st, "phase", "Succeeded");
    set_container_statuses(pod, C_TERMINATED, false, now);
    pod_conditions(pod, P_DONE, now);
    order_status(pod);
}

static bool any_running(const json_t *pod)
{
    const json_t *st = json_object_get(pod, "status");
    static const char *const lists[] = {"initContainerStatuses", "containerStatuses"};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(st, lists[l]), i, c)
        {
            if (json_object_get(json_object_get(c, "state"), "running"))
                return true;
        }
    }
    return false;
}

/* Started (with FULL_EVENTS Pulled and Created before it) for every
 * container that starts. */
static void started_events(struct fl_sim_kubelet *k, const json_t *pod)
{
    const json_t *spec = json_object_get(pod, "spec");
    static const char *const lists[] = {"initContainers", "containers"};
    unsigned sent = 0;
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(spec, lists[l]), i, c)
        {
            if (sent++ >= FL_M_EVENT_BURST)
                return;
            const char *name = fl_json_str(c, "name"), *image = fl_json_str(c, "image");
            if (FULL_EVENTS && !strcmp(fl_json_str(c, "imagePullPolicy"), "Always")) {
                uint64_t r = fl_m_hash_str(image);
                unsigned ms = 300 + (unsigned)(r % 4000);
                fl_m_event(k->m, pod, "Normal", "Pulled", COMPONENT,
                           "Successfully pulled image \"%s\" in %u.%03us (%u.%03us including "
                           "waiting). Image size: %llu bytes.",
                           image, ms / 1000, ms % 1000, ms / 1000, ms % 1000,
                           (unsigned long long)(20000000 + (r >> 20) % 200000000));
            } else if (FULL_EVENTS) {
                fl_m_event(k->m, pod, "Normal", "Pulled", COMPONENT,
                           "Container image \"%s\" already present on machine", image);
            }
            if (FULL_EVENTS)
                fl_m_event(k->m, pod, "Normal", "Created", COMPONENT, "Created container: %s",
                           name);
            fl_m_event(k->m, pod, "Normal", "Started", COMPONENT, "Started container %s", name);
        }
    }
}

static void killing_events(struct fl_sim_kubelet *k, const json_t *pod)
{
    size_t i;
    json_t *c;
    unsigned sent = 0;
    json_array_foreach(json_object_get(json_object_get(pod, "status"), "containerStatuses"), i, c)
    {
        if (json_object_get(json_object_get(c, "state"), "running") && sent++ < FL_M_EVENT_BURST)
            fl_m_event(k->m, pod, "Normal", "Killing", COMPONENT, "Stopping container %s",
                       fl_json_str(c, "name"));
    }
}

/* The run-for annotation in ms, for pods that may complete; -1: none. */
static int64_t run_for(const json_t *pod)
{
    const char *rp = fl_json_str(json_object_get(pod, "spec"), "restartPolicy");
    if (strcmp(rp, "Never") != 0 && strcmp(rp, "OnFailure") != 0)
        return -1;
    const json_t *ann = json_object_get(json_object_get(pod, "metadata"), "annotations");
    const json_t *v = json_object_get(ann, RUN_FOR_ANNOTATION);
    return json_is_string(v) ? parse_duration(json_string_value(v)) : -1;
}

/* ---- reconcile ----------------------------------------------------------- */

static int requeue_at(int64_t due, int64_t now, uint32_t *requeue_ms)
{
    int64_t d = due - now;
    *requeue_ms = d <= 0 ? 0 : d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    return FL_WQ_REQUEUE;
}

static int write_pod(struct fl_sim_kubelet *k, json_t *pod, struct fl_err *err)
{
    return fl_m_update(k->m, t_pods(), pod, NULL, err);
}

/* A pod marked for deletion: stop it after the delay, then remove it. */
static int terminate(struct fl_sim_kubelet *k, struct kpod *p, json_t *pod, int64_t t,
                     uint32_t *requeue_ms, struct fl_err *err)
{
    const json_t *md = json_object_get(pod, "metadata");
    if (p->stage != ST_TERMINATING) {
        int64_t grace = json_integer_value(json_object_get(md, "deletionGracePeriodSeconds"));
        /* a user's --grace-period can be any int64: no overflow in * 1000 */
        int64_t delay = grace < 0 ? 0 : grace > INT64_MAX / 1000 ? INT64_MAX : grace * 1000;
        if (delay > (int64_t)k->m->spec->pod_stop_delay_ms)
            delay = k->m->spec->pod_stop_delay_ms;
        if (delay < 0)
            delay = 0;
        killing_events(k, pod);
        p->stage = ST_TERMINATING;
        p->due = t + delay;
    }
    if (t < p->due)
        return requeue_at(p->due, t, requeue_ms);
    if (any_running(pod)) {
        char now[32];
        fl_m_now(now);
        status_done(pod, now);
        if (write_pod(k, pod, err) != 0)
            return err->code == 404 ? FL_WQ_DONE : FL_EFAIL;
    }
    ip_release(k, p);
    md = json_object_get(pod, "metadata");
    if (fl_m_delete(k->m, t_pods(), fl_json_str(md, "namespace"), fl_json_str(md, "name"),
                    fl_json_str(md, "uid"), err) != 0 &&
        err->code != 404 && err->code != 409)
        return FL_EFAIL;
    return FL_WQ_DONE;
}

static int reconcile(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err)
{
    struct fl_sim_kubelet *k = ctx;
    struct kpod **slot = kpod_slot(k, key), *p = *slot;
    if (!p)
        return FL_WQ_DONE;
    char pns[FL_KEY_MAX];
    const char *pname;
    if (!fl_m_key_split(key, pns, sizeof(pns), &pname))
        return FL_WQ_DONE;
    json_t *pod = fl_m_get_json(k->m, t_pods(), pns, pname, err);
    if (!pod)
        return err->code == 404 ? FL_WQ_DONE : FL_EFAIL;
    int rc = FL_WQ_DONE;
    const json_t *md = json_object_get(pod, "metadata");
    uint32_t uidh = (uint32_t)fl_m_hash_str(fl_json_str(md, "uid")) | 1;
    if (!p->uidh)
        p->uidh = uidh; /* the entry is new: whichever pod is there now is ours */
    else if (uidh != p->uidh)
        goto out; /* replaced since: the watch has its events still to deliver */
    const char *node = fl_json_str(json_object_get(pod, "spec"), "nodeName");
    if (!node[0]) {
        kpod_drop(k, slot);
        goto out;
    }
    struct knode *n = k->nodes[p->node];
    if (strcmp(node, n->name) != 0) { /* the watch's guess was a label */
        ip_release(k, p);
        kpod_unlink(k, p);
        n = knode_get(k, node, strlen(node));
        kpod_link(k, p, n->idx);
    }
    if (!fl_sim_nodes_up(k->m, n->name) || !knode_resolve(k, n)) {
        n->frozen = true; /* resumed by the node's next event */
        goto out;
    }

    int64_t t = now_ms(k);
    char now[32];
    fl_m_now(now);
    if (json_object_get(md, "deletionTimestamp")) {
        rc = terminate(k, p, pod, t, requeue_ms, err);
        goto out;
    }
    const struct fl_member_spec *spec = k->m->spec;
    switch (p->stage) {
    case ST_NEW:
        status_bound(pod, n, now);
        if (write_pod(k, pod, err) != 0) {
            rc = FL_EFAIL;
            break;
        }
        p->stage = ST_CREATING;
        p->due = t + spec->pod_start_delay_ms;
        if (spec->pod_start_jitter_ms)
            p->due += (int64_t)(fl_member_rand(k->m) % spec->pod_start_jitter_ms);
        rc = requeue_at(p->due, t, requeue_ms);
        break;
    case ST_CREATING: {
        if (t < p->due) {
            rc = requeue_at(p->due, t, requeue_ms);
            break;
        }
        if (!p->ip)
            p->ip = ip_alloc(n);
        if (!p->ip) {
            fl_m_event(k->m, pod, "Warning", "FailedCreatePodSandBox", COMPONENT,
                       "Failed to create pod sandbox: plugin type=\"host-local\" failed (add): "
                       "failed to allocate for range 0: no IP addresses available in range set");
            rc = requeue_at(t + IP_RETRY_MS, t, requeue_ms);
            break;
        }
        bool ready = spec->pod_ready_delay_ms == 0;
        status_running(pod, n, p->ip, ready, now);
        if (write_pod(k, pod, err) != 0) {
            rc = FL_EFAIL;
            break;
        }
        started_events(k, pod);
        int64_t rf = run_for(pod);
        /* a run-for beyond the uint32 range (13 years) runs "forever" rather
         * than wrapping to an earlier end */
        int64_t end = rf >= 0 ? (t + rf) / 100 + 1 : 0;
        p->end_ds = end > UINT32_MAX ? 0 : (uint32_t)end;
        if (!ready) {
            p->stage = ST_STARTED;
            p->due = t + spec->pod_ready_delay_ms;
            rc = requeue_at(p->due, t, requeue_ms);
        } else {
            p->stage = ST_READY;
            if (p->end_ds)
                rc = requeue_at((int64_t)p->end_ds * 100, t, requeue_ms);
        }
        break;
    }
    case ST_STARTED:
        if (t < p->due) {
            rc = requeue_at(p->due, t, requeue_ms);
            break;
        }
        /* fall through */
    case ST_READY:
        if (p->end_ds && t >= (int64_t)p->end_ds * 100) {
            status_done(pod, now);
            if (write_pod(k, pod, err) != 0) {
                rc = FL_EFAIL;
                break;
            }
            ip_release(k, p);
            p->stage = ST_DONE;
            break;
        }
        /* ready (again, after a node fault cleared it) */
        status_running(pod, n, p->ip, true, now);
        if (write_pod(k, pod, err) != 0) {
            rc = FL_EFAIL;
            break;
        }
        p->stage = ST_READY;
        if (p->end_ds)
            rc = requeue_at((int64_t)p->end_ds * 100, t, requeue_ms);
        break;
    default:
        break;
    }
out:
    json_decref(pod);
    return rc;
}

/* ---- logs --------------------------------------------------------------- */

#define LOG_STARTUP_GAP_MS 900 /* from the start-up lines to the first request */

struct logsrc {
    uint64_t seed;
    bool nginx;
    int64_t start_ms, end_ms; /* unix ms: the container's start, and now or its end */
    uint32_t period_ms;       /* one request line every period on average */
};

static const char *const nginx_startup[] = {
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform "
    "configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in "
    "/etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
    "[notice] 1#1: using the \"epoll\" event method",
    "[notice] 1#1: nginx/1.27.3",
    "[notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14)",
    "[notice] 1#1: OS: Linux 5.15.0-1071-flotilla",
    "[notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576",
    "[notice] 1#1: start worker processes",
    "[notice] 1#1: start worker process 29",
    "[notice] 1#1: start worker process 30",
};

static const char *const app_startup[] = {
    "INFO\tmain\tstarting\t{\"version\": \"1.8.2\", \"pid\": 1}",
    "INFO\tconfig\tloaded configuration\t{\"source\": \"/etc/app/config.yaml\"}",
    "INFO\thttp\tlistening\t{\"addr\": \":8080\"}",
    "INFO\tmain\tready",
};

static size_t startup_lines(const struct logsrc *s)
{
    return s->nginx ? FL_ARRAY_LEN(nginx_startup) : FL_ARRAY_LEN(app_startup);
}

/* Unix ms of line i. */
static int64_t line_time(const struct logsrc *s, size_t i)
{
    size_t ns = startup_lines(s);
    if (i < ns)
        return s->start_ms + (int64_t)i * 3;
    uint64_t j = i - ns;
    return s->start_ms + LOG_STARTUP_GAP_MS + (int64_t)(j * s->period_ms) +
           (int64_t)(fl_m_mix64(s->seed ^ j) % s->period_ms);
}

/* Lines so far. */
static size_t line_count(const struct logsrc *s)
{
    size_t ns = startup_lines(s);
    int64_t span = s->end_ms - s->start_ms - LOG_STARTUP_GAP_MS;
    if (s->end_ms < s->start_ms)
        return 0;
    if (span < 0)
        return ns;
    size_t n = ns + (size_t)(span / s->period_ms) + 1;
    while (n > ns && line_time(s, n - 1) > s->end_ms)
        n--;
    return n;
}

static void fmt_line(const struct logsrc *s, size_t i, char *buf, size_t len)
{
    int64_t t = line_time(s, i);
    time_t sec = (time_t)(t / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t ns = startup_lines(s);
    if (i < ns) {
        const char *text = s->nginx ? nginx_startup[i] : app_startup[i];
        if (s->nginx && text[0] == '[')
            snprintf(buf, len, "%04d/%02d/%02d %02d:%02d:%02d %s", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, text);
        else if (s->nginx)
            snprintf(buf, len, "%s", text);
        else
            snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\t%s", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(t % 1000),
                     text);
        return;
    }
    static const struct {
        const char *method, *path;
        int code, nginx_bytes;
    } reqs[] = {
        {"GET", "/", 200, 615},
        {"GET", "/", 200, 615},
        {"GET", "/index.html", 200, 615},
        {"HEAD", "/", 200, 0},
        {"GET", "/favicon.ico", 404, 153},
        {"GET", "/api/v1/items", 404, 153},
        {"POST", "/api/v1/orders", 405, 157},
        {"GET", "/healthz", 404, 153},
    };
    static const char *const agents[] = {
        "kube-probe/1.32",
        "kube-probe/1.32",
        "curl/8.11.1",
        "Go-http-client/1.1",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        "python-requests/2.32.3",
    };
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    uint64_t r = fl_m_mix64(s->seed + 0x51ed27 + i);
    size_t q = r % FL_ARRAY_LEN(reqs);
    const char *agent = agents[(r >> 8) % FL_ARRAY_LEN(agents)];
    if (s->nginx) {
        bool probe = !strncmp(agent, "kube-probe", 10);
        snprintf(buf, len,
                 "10.%u.%u.%u - - [%02d/%s/%04d:%02d:%02d:%02d +0000] \"%s %s HTTP/1.1\" %d %d "
                 "\"-\" \"%s\" \"-\"",
                 probe ? 128u : 128u + (unsigned)((r >> 16) % 4),
                 probe ? 0u : (unsigned)((r >> 20) % 256),
                 probe ? 1u : (unsigned)((r >> 28) % 250) + 2, tm.tm_mday, months[tm.tm_mon],
                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, reqs[q].method, reqs[q].path,
                 reqs[q].code, reqs[q].nginx_bytes, agent);
    } else {
        unsigned us = 200 + (unsigned)((r >> 32) % 40000);
        snprintf(
            buf, len,
            "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\tINFO\thttp\trequest completed\t"
            "{\"method\": \"%s\", \"path\": \"%s\", \"status\": %d, \"duration\": \"%u.%03ums\", "
            "\"userAgent\": \"%s\"}",
            tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
            (int)(t % 1000), reqs[q].method, reqs[q].path, reqs[q].code == 405 ? 201 : 200,
            us / 1000, us % 1000, agent);
    }
}

/* RFC 3339 with nanoseconds, trailing zeros trimmed (Go's RFC3339Nano). */
static void fmt_nano(const struct logsrc *s, size_t i, char *buf, size_t len)
{
    int64_t t = line_time(s, i);
    time_t sec = (time_t)(t / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    unsigned long nanos = (unsigned long)(t % 1000) * 1000000ul +
                          (unsigned long)(fl_m_mix64(s->seed ^ (i * 7919)) % 1000000ul);
    char frac[16];
    snprintf(frac, sizeof(frac), ".%09lu", nanos);
    size_t fl = strlen(frac);
    while (fl > 1 && frac[fl - 1] == '0')
        frac[--fl] = '\0';
    if (fl == 1)
        frac[0] = '\0';
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* Container names of list joined by spaces, into buf. */
static void join_names(const json_t *list, char *buf, size_t len)
{
    size_t off = 0, i;
    json_t *c;
    buf[0] = '\0';
    json_array_foreach(list, i, c)
    {
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
                                    fl_json_str(c, "name"));
    }
}

/* An integer query parameter: 0 absent, 1 set (*out), FL_EFAIL malformed
 * or below min (err filled, as PodLogOptions validation words it). */
static int query_int(const struct evkeyvalq *query, const char *name, int64_t min, int64_t *out,
                     struct fl_err *err)
{
    const char *v = query ? evhttp_find_header(query, name) : NULL;
    if (!v)
        return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end)
        return fl_errf(err, 400, "BadRequest", "invalid value for %s: %s", name, v);
    if (x < min) {
        fl_errf(err, 422, "Invalid",
                "PodLogOptions is invalid: %s: Invalid value: %lld: must be "
                "greater than %s%lld",
                name, x, min ? "" : "or equal to ", (long long)(min ? min - 1 : min));
        return FL_EFAIL;
    }
    *out = x;
    return 1;
}

int fl_sim_pod_log(struct fl_member *m, const char *ns, const char *name,
                   const struct evkeyvalq *query, struct evbuffer *out, struct fl_err *err)
{
    json_t *pod = fl_m_get_json(m, t_pods(), ns, name, err);
    if (!pod)
        return FL_EFAIL;
    int rc = FL_EFAIL;
    const json_t *spec = json_object_get(pod, "spec");
    const json_t *st = json_object_get(pod, "status");
    const json_t *containers = json_object_get(spec, "containers");
    const json_t *inits = json_object_get(spec, "initContainers");
    const char *cname = query ? evhttp_find_header(query, "container") : NULL;
    const json_t *c = NULL;
    char names[1024], inames[1024];
    if (!cname || !cname[0]) {
        if (json_array_size(containers) == 1) {
            c = json_array_get(containers, 0);
        } else if (json_array_size(containers) == 0) {
            fl_errf(err, 400, "BadRequest", "a container name must be specified for pod %s", name);
            goto out;
        } else {
            join_names(containers, names, sizeof(names));
            join_names(inits, inames, sizeof(inames));
            fl_errf(err, 400, "BadRequest",
                    "a container name must be specified for pod %s, choose one of: [%s]%s%s%s",
                    name, names, inames[0] ? " or one of the init containers: [" : "", inames,
                    inames[0] ? "]" : "");
            goto out;
        }
    } else {
        c = find_named(containers, "name", cname);
        if (!c)
            c = find_named(inits, "name", cname);
        if (!c) {
            fl_errf(err, 400, "BadRequest", "container %s is not valid for pod %s", cname, name);
            goto out;
        }
    }
    cname = fl_json_str(c, "name");

    int64_t tail = -1, limit = -1, since_s = -1;
    if (query_int(query, "tailLines", 0, &tail, err) < 0 ||
        query_int(query, "limitBytes", 1, &limit, err) < 0 ||
        query_int(query, "sinceSeconds", 1, &since_s, err) < 0)
        goto out;
    const char *v = query ? evhttp_find_header(query, "timestamps") : NULL;
    bool stamps = v && (!strcmp(v, "true") || !strcmp(v, "1"));
    v = query ? evhttp_find_header(query, "previous") : NULL;
    bool previous = v && (!strcmp(v, "true") || !strcmp(v, "1"));
    const char *since_time = query ? evhttp_find_header(query, "sinceTime") : NULL;

    const char *node = fl_json_str(spec, "nodeName");
    if (!node[0]) { /* not scheduled: no location, an empty answer */
        rc = FL_OK;
        goto out;
    }
    if (!fl_sim_nodes_up(m, node)) {
        const char *host = fl_json_str(st, "hostIP");
        if (host[0])
            fl_errf(err, 500, "InternalError",
                    "Get \"https://%s:10250/containerLogs/%s/%s/%s\": dial tcp %s:10250: "
                    "connect: no route to host",
                    host, ns, name, cname, host);
        else
            fl_errf(err, 500, "InternalError",
                    "Get \"https://%s:10250/containerLogs/%s/%s/%s\": dial tcp: lookup %s: no "
                    "such host",
                    node, ns, name, cname, node);
        goto out;
    }
    const json_t *cs = find_named(json_object_get(st, "containerStatuses"), "name", cname);
    if (!cs)
        cs = find_named(json_object_get(st, "initContainerStatuses"), "name", cname);
    if (!cs) {
        fl_errf(err, 400, "BadRequest", "container \"%s\" in pod \"%s\" is not available", cname,
                name);
        goto out;
    }
    if (previous) {
        fl_errf(err, 400, "BadRequest",
                "previous terminated container \"%s\" in pod \"%s\" not found", cname, name);
        goto out;
    }
    const json_t *state = json_object_get(cs, "state");
    const json_t *running = json_object_get(state, "running");
    const json_t *term = json_object_get(state, "terminated");
    if (!running && !term) {
        const char *reason = fl_json_str(json_object_get(state, "waiting"), "reason");
        if (reason[0])
            fl_errf(err, 400, "BadRequest",
                    "container \"%s\" in pod \"%s\" is waiting to start: %s", cname, name, reason);
        else
            fl_errf(err, 400, "BadRequest",
                    "container \"%s\" in pod \"%s\" is waiting to start - no logs yet", cname,
                    name);
        goto out;
    }

    struct logsrc src = {0};
    const char *uid = fl_json_str(json_object_get(pod, "metadata"), "uid");
    src.seed = fl_m_hash_str(uid) ^ fl_m_mix64(fl_m_hash_str(cname));
    src.nginx = strstr(fl_json_str(c, "image"), "nginx") != NULL;
    src.period_ms = 2000 + (uint32_t)(src.seed % 8000);
    /* Times count in whole seconds, as the kubelet writes them. */
    int64_t started = fl_m_parse_time_ms(fl_json_str(running ? running : term, "startedAt")) / 1000;
    if (started <= 0)
        started = fl_m_wall_ms() / 1000;
    src.start_ms = started * 1000 + (int64_t)(src.seed % 400);
    int64_t finished = term ? fl_m_parse_time_ms(fl_json_str(term, "finishedAt")) / 1000 : 0;
    src.end_ms = finished > 0 ? finished * 1000 + 999 : fl_m_wall_ms();

    size_t total = line_count(&src), first = 0;
    int64_t since_ms = -1;
    if (since_s > 0)
        since_ms = fl_m_wall_ms() - since_s * 1000;
    else if (since_time)
        since_ms = fl_m_parse_time_ms(since_time) / 1000 * 1000; /* 0: malformed, ignored */
    if (since_ms > 0)
        while (first < total && line_time(&src, first) < since_ms)
            first++;
    if (tail >= 0 && (size_t)tail < total - first)
        first = total - (size_t)tail;
    if (total - first > LOG_MAX_LINES)
        first = total - LOG_MAX_LINES;
    size_t written = 0;
    for (size_t i = first; i < total; i++) {
        char line[1024], ts[48];
        size_t off = 0;
        if (stamps) {
            fmt_nano(&src, i, ts, sizeof(ts));
            off = (size_t)snprintf(line, sizeof(line), "%s ", ts);
        }
        fmt_line(&src, i, line + off, sizeof(line) - off - 1);
        size_t n = strlen(line);
        line[n++] = '\n';
        if (limit > 0 && written + n > (size_t)limit)
            n = (size_t)limit - written;
        evbuffer_add(out, line, n);
        written += n;
        if (limit > 0 && written >= (size_t)limit)
            break;
    }
    rc = FL_OK;
out:
    json_decref(pod);
    return rc;
}

/* ---- watches ------------------------------------------------------------- */

/* The node a serialized pod names: the last `"nodeName":"X"` (spec comes
 * after metadata, where a label could be called nodeName). NULL if none. */
static const char *pod_node(const struct fl_obj *o, size_t *len)
{
    static const char pat[] = "\"nodeName\":\"";
    const char *p = o->bytes, *end = o->bytes + o->len, *found = NULL;
    while ((p = memmem(p, (size_t)(end - p), pat, sizeof(pat) - 1)) != NULL) {
        p += sizeof(pat) - 1;
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            break;
        if (q > p) {
            found = p;
            *len = (size_t)(q - p);
        }
        p = q;
    }
    return found;
}

static void on_pod(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_kubelet *k = ctx;
    const char *key = ev->obj->key;
    struct kpod **slot = kpod_slot(k, key);
    if (ev->type == FL_DELETED) {
        if (*slot)
            kpod_drop(k, slot);
        return;
    }
    if (*slot) {
        if ((*slot)->stage != ST_TERMINATING && fl_m_mentions(ev->obj, "\"deletionTimestamp\":\""))
            fl_workqueue_add(k->q, key);
        return;
    }
    size_t len = 0;
    const char *node = pod_node(ev->obj, &len);
    if (!node)
        return;
    struct knode *n = knode_get(k, node, len);
    kpod_add(k, key, n->idx, 0); /* no fl_obj_meta: it would stay cached on every pod */
    fl_workqueue_add(k->q, key);
}

static void on_node(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_kubelet *k = ctx;
    const char *name = fl_m_key_name(ev->obj->key);
    struct knode *n = knode_find(k, name, strlen(name));
    if (!n)
        return;
    /* A node going down (or deleted) freezes its pods even when none of them
     * was due a step: the node lifecycle controller clears their Ready, and
     * the kubelet must post it again when the node is back. */
    if (ev->type == FL_DELETED || !fl_sim_nodes_up(k->m, n->name)) {
        n->frozen = true;
        return;
    }
    if (!n->frozen)
        return;
    n->frozen = false;
    for (struct kpod *p = n->pods; p; p = p->nnext)
        fl_workqueue_add(k->q, p->key);
}

int fl_sim_kubelet_start(struct fl_member *m, struct fl_err *err)
{
    struct fl_sim_kubelet *k = fl_xcalloc(1, sizeof(*k));
    k->m = m;
    m->kubelet = k;
    k->t0 = fl_m_mono_ms();
    k->npbuckets = 256;
    k->pbuckets = fl_xcalloc(k->npbuckets, sizeof(*k->pbuckets));
    k->nnbuckets = 64;
    k->nbuckets = fl_xcalloc(k->nnbuckets, sizeof(*k->nbuckets));
    k->q = fl_workqueue_new(m->base, &(struct fl_workqueue_opts){
                                         .name = "kubelet",
                                         .reconcile = reconcile,
                                         .ctx = k,
                                         .batch = BATCH,
                                     });
    if (fl_m_list_watch(m, t_nodes(), on_node, k, &k->node_watch, err) != 0 ||
        fl_m_list_watch(m, t_pods(), on_pod, k, &k->pod_watch, err) != 0) {
        fl_sim_kubelet_stop(m);
        return FL_EFAIL;
    }
    return FL_OK;
}

void fl_sim_kubelet_stop(struct fl_member *m)
{
    struct fl_sim_kubelet *k = m->kubelet;
    if (!k)
        return;
    fl_watch_close(k->pod_watch);
    fl_watch_close(k->node_watch);
    fl_workqueue_free(k->q);
    for (size_t i = 0; i < k->npbuckets; i++) {
        struct kpod *p = k->pbuckets[i], *next;
        for (; p; p = next) {
            next = p->hnext;
            free(p);
        }
    }
    free(k->pbuckets);
    for (size_t i = 0; i < k->nnodes; i++)
        free(k->nodes[i]);
    free(k->nodes);
    free(k->nbuckets);
    free(k);
    m->kubelet = NULL;
}
