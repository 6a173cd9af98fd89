/*
 * Simulated nodes: the Node objects of a member's node pools, each node's
 * heartbeat Lease, and what kube-controller-manager's node lifecycle and
 * taint-eviction controllers do about them.
 *
 * Registration. One Node per pool entry, named <cluster>-<pool>-<index>, as
 * a kubelet would register it: the well-known labels, a /24 of the cluster
 * pod CIDR (in node order), the pool's capacity as capacity and allocatable,
 * the four kubelet conditions, an InternalIP (172.16.0.0/12, by node index)
 * and nodeInfo. Every node is registered by fl_sim_nodes_start, before the
 * cluster answers anyone, so "fleet ready" means all nodes are there (5,000
 * nodes and their Leases take ~0.3 s, at -O2); a Node deleted by a user is
 * registered again at its next heartbeat, as a kubelet would.
 *
 * Heartbeats. Every node has a Lease in kube-node-lease, renewed every
 * leaseDurationSeconds/4 as the kubelet's node lease controller does, and
 * its conditions' lastHeartbeatTime refreshed every 5 minutes (the kubelet's
 * nodeStatusReportFrequency; the Node is not rewritten otherwise). One timer
 * per cluster serves both: each tick renews the slice of nodes whose turn
 * has come, so renewals are spread evenly over the period and an idle
 * cluster wakes up at most 1000/TICK_MIN_MS times a second.
 *
 * Faults. fl_sim_nodes_set_ready(false) stops a node's kubelet (no more
 * renewals; kubelet.c stops progressing its pods) and does at once what the
 * node lifecycle controller would do after the grace period: every condition
 * Unknown (NodeStatusUnknown, "Kubelet stopped posting node status."), the
 * node.kubernetes.io/unreachable taints (NoSchedule and NoExecute) and Ready
 * False on the node's pods (MarkPodsNotReady), with the NodeNotReady events.
 * The fault is "the node is NotReady", so nodeMonitorGracePeriod is not
 * waited for. set_ready(true) is the kubelet coming back: conditions posted
 * again (a NodeReady event), the taints lifted, the Lease renewed.
 *
 * Eviction. The taint-eviction controller: a pod on a node with NoExecute
 * taints is deleted (gracefully, with a DisruptionTarget condition and a
 * TaintManagerEviction event) when a taint has no matching toleration, or
 * after the smallest tolerationSeconds of the tolerations that match,
 * counted from when the pod was first seen under the taints; tolerations
 * without tolerationSeconds never evict. Our API does not run the
 * DefaultTolerationSeconds admission plugin, so a pod without a toleration
 * for node.kubernetes.io/not-ready or /unreachable:NoExecute is treated as
 * if it had the plugin's one, with the cluster's evictionTolerationSeconds
 * (300 upstream). Taints added by users (kubectl taint ... :NoExecute)
 * evict the same way; lifting the taints cancels pending evictions.
 *
 * State is compact: an array of nodes (name, addresses, flags, the pods on
 * it) with an open-addressing name index, and per pod on our nodes one small
 * entry in a hash by store key (the taint manager's pods-by-node index, kept
 * from a watch of the pods). Nothing runs for a pod until its node has
 * NoExecute taints.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "controllers/workqueue.h"
#include "core/alloc.h"
#include "member/objects.h"
#include "member/sim.h"

#define MAX_NODES 1000000
#define TICK_MIN_MS 100         /* the heartbeat timer fires at most this often */
#define STATUS_REPORT_MS 300000 /* nodeStatusReportFrequency: 5 minutes */
#define LEASE_NS "kube-node-lease"
#define KUBELET_VERSION "v1.32.0"
#define TAINT_UNREACHABLE "node.kubernetes.io/unreachable"
#define TAINT_NOT_READY "node.kubernetes.io/not-ready"
#define COMPONENT_NODE "node-controller"
#define COMPONENT_TAINT "taint-eviction-controller"

/* A pod on one of our nodes (taint manager index). */
struct tpod {
    struct tpod *hnext; /* hash chain by key */
    struct tpod *nnext; /* pods on the same node */
    uint32_t node;
    uint32_t evict_start; /* 100 ms units since the component started + 1; 0: none scheduled */
    char key[];           /* store key "/pods/<ns>/<name>" */
};

struct snode {
    char *name;
    char uid[40];  /* for the Lease's ownerReference */
    uint32_t pool; /* index in spec->pools */
    uint32_t ip;   /* InternalIP, host order */
    uint32_t cidr; /* podCIDR base (a /24), host order */
    bool created;  /* the Node object exists */
    bool down;     /* the kubelet stopped (fault) */
    bool noexec;   /* the Node had NoExecute taints at its last event */
    struct tpod *pods;
};

struct fl_sim_nodes {
    struct fl_member *m;
    struct snode *nodes;
    size_t n;
    uint32_t *slots; /* name index: node index + 1, 0 empty */
    size_t nslots;
    struct event *tick_ev;
    int64_t t0;                 /* mono ms at start */
    uint32_t lease_ms;          /* renewal period */
    uint64_t lease_k, status_k; /* renewals done since t0 (node = k % n) */
    struct fl_watch *pod_watch, *node_watch;
    struct fl_workqueue *q; /* taint eviction, keyed by pod store key */
    struct tpod **buckets;
    size_t nbuckets, npods;
    /* The last node parsed by the eviction reconcile and its NoExecute taints. */
    struct fl_obj *memo_node;
    json_t *memo_taints;
};

static const struct fl_rtype *t_nodes(void)
{
    return fl_m_type("", "nodes");
}
static const struct fl_rtype *t_pods(void)
{
    return fl_m_type("", "pods");
}
static const struct fl_rtype *t_leases(void)
{
    return fl_m_type("coordination.k8s.io", "leases");
}

/* ---- small helpers ------------------------------------------------------- */

/* Now as metav1.MicroTime ("2026-11-23T20:00:00.123456Z"), as Lease.renewTime is. */
static void now_micro(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

/* Time since start in 100 ms units (a uint32 lasts 13 years). */
static uint32_t now_ds(const struct fl_sim_nodes *ns)
{
    return (uint32_t)((fl_m_mono_ms() - ns->t0) / 100);
}

/* ---- the node index ------------------------------------------------------ */

static long node_find_n(const struct fl_sim_nodes *ns, const char *name, size_t len)
{
    if (!ns || !ns->nslots)
        return -1;
    size_t mask = ns->nslots - 1;
    for (size_t i = fl_m_fnv1a(FL_M_FNV_BASIS, name, len) & mask;; i = (i + 1) & mask) {
        uint32_t v = ns->slots[i];
        if (!v)
            return -1;
        const char *nm = ns->nodes[v - 1].name;
        if (strlen(nm) == len && !memcmp(nm, name, len))
            return (long)v - 1;
    }
}

static long node_find(const struct fl_sim_nodes *ns, const char *name)
{
    return node_find_n(ns, name, strlen(name));
}

static void node_index_add(struct fl_sim_nodes *ns, uint32_t idx)
{
    size_t mask = ns->nslots - 1;
    const char *name = ns->nodes[idx].name;
    size_t i = fl_m_hash_str(name) & mask;
    while (ns->slots[i])
        i = (i + 1) & mask;
    ns->slots[i] = idx + 1;
}

/* The first `"nodeName":"X"` of a serialized pod naming one of our nodes,
 * without parsing: label keys and annotations (escaped quotes) cannot fake
 * it in a way that matters, since reconciles read the parsed object. */
static long pod_node(const struct fl_sim_nodes *ns, const struct fl_obj *o)
{
    static const char pat[] = "\"nodeName\":\"";
    const char *p = o->bytes, *end = o->bytes + o->len;
    while ((p = memmem(p, (size_t)(end - p), pat, sizeof(pat) - 1)) != NULL) {
        p += sizeof(pat) - 1;
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            return -1;
        long idx = node_find_n(ns, p, (size_t)(q - p));
        if (idx >= 0)
            return idx;
        p = q;
    }
    return -1;
}

/* ---- the pods index ------------------------------------------------------ */

static struct tpod **tpod_slot(struct fl_sim_nodes *ns, const char *key)
{
    struct tpod **pp = &ns->buckets[fl_m_hash_str(key) & (ns->nbuckets - 1)];
    while (*pp && strcmp((*pp)->key, key) != 0)
        pp = &(*pp)->hnext;
    return pp;
}

static void tpod_grow(struct fl_sim_nodes *ns)
{
    size_t nb = ns->nbuckets * 2;
    struct tpod **b = fl_xcalloc(nb, sizeof(*b));
    for (size_t i = 0; i < ns->nbuckets; i++) {
        struct tpod *p = ns->buckets[i], *next;
        for (; p; p = next) {
            next = p->hnext;
            size_t h = fl_m_hash_str(p->key) & (nb - 1);
            p->hnext = b[h];
            b[h] = p;
        }
    }
    free(ns->buckets);
    ns->buckets = b;
    ns->nbuckets = nb;
}

static struct tpod *tpod_add(struct fl_sim_nodes *ns, const char *key, uint32_t node)
{
    if (ns->npods >= ns->nbuckets)
        tpod_grow(ns);
    size_t klen = strlen(key);
    struct tpod *p = fl_xcalloc(1, sizeof(*p) + klen + 1);
    memcpy(p->key, key, klen + 1);
    p->node = node;
    struct tpod **slot = tpod_slot(ns, key);
    p->hnext = *slot;
    *slot = p;
    struct snode *n = &ns->nodes[node];
    p->nnext = n->pods;
    n->pods = p;
    ns->npods++;
    return p;
}

static void tpod_remove(struct fl_sim_nodes *ns, struct tpod **slot)
{
    struct tpod *p = *slot;
    *slot = p->hnext;
    struct tpod **np = &ns->nodes[p->node].pods;
    while (*np != p)
        np = &(*np)->nnext;
    *np = p->nnext;
    ns->npods--;
    free(p);
}

/* ---- Node and Lease objects ---------------------------------------------- */

/* Merge string members of src (may be NULL) into dst. */
static void merge_labels(json_t *dst, const json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)src, k, v)
    {
        if (json_is_string(v))
            json_object_set(dst, k, v);
    }
}

static void uuid_from(uint64_t seed, char *buf)
{
    char h[33];
    fl_m_hex_from(seed, h, 32);
    snprintf(buf, 37, "%.8s-%.4s-4%.3s-a%.3s-%.12s", h, h + 8, h + 12, h + 15, h + 18);
}

struct cond_def {
    const char *type, *ok_status, *ok_reason, *ok_message;
};

/* The kubelet's node conditions, in its order. */
static const struct cond_def node_conds[] = {
    {"MemoryPressure", "False", "KubeletHasSufficientMemory",
     "kubelet has sufficient memory available"},
    {"DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"},
    {"PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"},
    {"Ready", "True", "KubeletReady", "kubelet is posting ready status"},
};

static json_t *node_conditions(const char *now)
{
    json_t *a = json_array();
    for (size_t i = 0; i < FL_ARRAY_LEN(node_conds); i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", node_conds[i].type,
                                           "status", node_conds[i].ok_status, "lastHeartbeatTime",
                                           now, "lastTransitionTime", now, "reason",
                                           node_conds[i].ok_reason, "message",
                                           node_conds[i].ok_message));
    return a;
}

static json_t *node_doc(struct fl_sim_nodes *ns, const struct snode *n)
{
    const struct fl_member_spec *spec = ns->m->spec;
    const struct fl_member_pool *pool = &spec->pools[n->pool];
    char now[32], ip[16], cidr[24], seed_buf[64];
    fl_m_now(now);
    uint64_t seed = fl_m_hash_str(spec->name) ^ fl_m_mix64(fl_m_hash_str(n->name));

    json_t *labels = json_object();
    fl_m_set_str(labels, "beta.kubernetes.io/arch", "amd64");
    fl_m_set_str(labels, "beta.kubernetes.io/os", "linux");
    fl_m_set_str(labels, "kubernetes.io/arch", "amd64");
    fl_m_set_str(labels, "kubernetes.io/hostname", n->name);
    fl_m_set_str(labels, "kubernetes.io/os", "linux");
    fl_m_set_str(labels, "node.kubernetes.io/instance-type", pool->name);
    if (spec->region && spec->region[0])
        fl_m_set_str(labels, "topology.kubernetes.io/region", spec->region);
    if (spec->zone && spec->zone[0])
        fl_m_set_str(labels, "topology.kubernetes.io/zone", spec->zone);
    fl_m_set_str(labels, "flotilla.io/node-pool", pool->name);
    merge_labels(labels, spec->labels);
    merge_labels(labels, pool->labels);

    json_t *annotations =
        json_pack("{s:s,s:s}", "node.alpha.kubernetes.io/ttl", "0",
                  "volumes.kubernetes.io/controller-managed-attach-detach", "true");

    fl_m_ip_str(n->cidr, ip);
    snprintf(cidr, sizeof(cidr), "%s/24", ip);
    json_t *spec_o = json_pack("{s:s,s:[s]}", "podCIDR", cidr, "podCIDRs", cidr);
    if (json_array_size(pool->taints) > 0)
        json_object_set_new(spec_o, "taints", json_deep_copy(pool->taints));

    /* capacity: the pool's, as given (integers as strings), pods 110 by default */
    json_t *cap = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(pool->capacity, k, v)
    {
        if (json_is_string(v))
            json_object_set(cap, k, v);
        else if (json_is_integer(v))
            json_object_set_new(cap, k, json_sprintf("%lld", (long long)json_integer_value(v)));
    }
    if (!json_object_get(cap, "pods"))
        fl_m_set_str(cap, "pods", "110");

    char machine[33], sys_uuid[37], boot[37];
    fl_m_hex_from(seed, machine, 32);
    uuid_from(seed ^ 0x5157u, sys_uuid);
    snprintf(seed_buf, sizeof(seed_buf), "%llx", (unsigned long long)fl_member_rand(ns->m));
    uuid_from(fl_m_hash_str(seed_buf), boot);

    fl_m_ip_str(n->ip, ip);
    json_t *status = json_pack(
        "{s:o,s:o,s:o,s:[{s:s,s:s},{s:s,s:s}],s:{s:{s:i}},s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
        "s:s,s:s}}",
        "capacity", json_deep_copy(cap), "allocatable", cap, "conditions", node_conditions(now),
        "addresses", "type", "InternalIP", "address", ip, "type", "Hostname", "address", n->name,
        "daemonEndpoints", "kubeletEndpoint", "Port", 10250, "nodeInfo", "architecture", "amd64",
        "bootID", boot, "containerRuntimeVersion", "containerd://1.7.22", "kernelVersion",
        "5.15.0-1071-flotilla", "kubeProxyVersion", KUBELET_VERSION, "kubeletVersion",
        KUBELET_VERSION, "machineID", machine, "operatingSystem", "linux", "osImage",
        "Ubuntu 22.04.5 LTS", "systemUUID", sys_uuid);

    return json_pack("{s:{s:s,s:o,s:o},s:o,s:o}", "metadata", "name", n->name, "labels", labels,
                     "annotations", annotations, "spec", spec_o, "status", status);
}

static uint32_t lease_seconds(const struct fl_member_spec *spec)
{
    return spec->lease_duration_s ? spec->lease_duration_s : 40;
}

static json_t *lease_doc(struct fl_sim_nodes *ns, const struct snode *n)
{
    char now[40];
    now_micro(now, sizeof(now));
    /* complete (apiVersion, kind): fl_m_update stores the document as it is */
    return json_pack("{s:s,s:s,s:{s:s,s:s,s:[{s:s,s:s,s:s,s:s}]},s:{s:s,s:I,s:s}}", "apiVersion",
                     "coordination.k8s.io/v1", "kind", "Lease", "metadata", "name", n->name,
                     "namespace", LEASE_NS, "ownerReferences", "apiVersion", "v1", "kind", "Node",
                     "name", n->name, "uid", n->uid, "spec", "holderIdentity", n->name,
                     "leaseDurationSeconds", (json_int_t)lease_seconds(ns->m->spec), "renewTime",
                     now);
}

static void log_err(struct fl_sim_nodes *ns, const char *what, const char *name,
                    const struct fl_err *err)
{
    fprintf(stderr, "flotilla member %s: nodes: %s %s: %s\n", ns->m->spec->name, what, name,
            err->message);
}

/* Renew (or create) a node's Lease. */
static void renew_lease(struct fl_sim_nodes *ns, struct snode *n)
{
    struct fl_err err;
    fl_err_clear(&err);
    json_t *doc = lease_doc(ns, n);
    int rc = fl_m_update(ns->m, t_leases(), doc, NULL, &err);
    if (rc != 0 && err.code == 404) {
        json_decref(doc);
        doc = lease_doc(ns, n);
        fl_err_clear(&err);
        rc = fl_m_create(ns->m, t_leases(), doc, NULL, &err);
    }
    if (rc != 0)
        log_err(ns, "renewing the lease of", n->name, &err);
    json_decref(doc);
}

/* Register a node (as its kubelet would at start), then its Lease. */
static void register_node(struct fl_sim_nodes *ns, struct snode *n)
{
    struct fl_err err;
    struct fl_obj *o = NULL;
    fl_err_clear(&err);
    json_t *doc = node_doc(ns, n);
    int rc = fl_m_create(ns->m, t_nodes(), doc, &o, &err);
    json_decref(doc);
    if (rc != 0 && err.code == 409) { /* already there: adopt it */
        fl_err_clear(&err);
        rc = fl_m_get(ns->m, t_nodes(), "", n->name, &o, &err);
    }
    if (rc != 0) {
        log_err(ns, "registering", n->name, &err);
        return;
    }
    snprintf(n->uid, sizeof(n->uid), "%s", fl_obj_meta(o)->uid);
    fl_obj_unref(o);
    n->created = true;
    renew_lease(ns, n);
}

/* Every condition's lastHeartbeatTime to now: the kubelet's periodic status report. */
static void report_status(struct fl_sim_nodes *ns, struct snode *n)
{
    struct fl_err err;
    fl_err_clear(&err);
    json_t *doc = fl_m_get_json(ns->m, t_nodes(), "", n->name, &err);
    if (!doc)
        return; /* deleted: registered again by the lease path */
    char now[32];
    fl_m_now(now);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(doc, "status"), "conditions"), i, c)
    {
        fl_m_set_str(c, "lastHeartbeatTime", now);
    }
    if (fl_m_update(ns->m, t_nodes(), doc, NULL, &err) != 0)
        log_err(ns, "reporting the status of", n->name, &err);
    json_decref(doc);
}

/* The heartbeat tick: renewals k whose time (t0 + k * period / n) has come. */
static void heartbeat(struct fl_sim_nodes *ns, uint64_t *k, uint64_t period, int64_t now,
                      bool lease)
{
    uint64_t elapsed = (uint64_t)(now - ns->t0);
    uint64_t target = elapsed * ns->n / period + 1;
    if (target > *k + ns->n) /* fell far behind (a stopped process): one round at most */
        *k = target - ns->n;
    for (; *k < target; (*k)++) {
        struct snode *n = &ns->nodes[*k % ns->n];
        if (n->down)
            continue;
        if (!n->created)
            register_node(ns, n); /* deleted by someone: the kubelet registers again */
        else if (lease)
            renew_lease(ns, n);
        else
            report_status(ns, n);
    }
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
    struct fl_sim_nodes *ns = arg;
    int64_t now = fl_m_mono_ms();
    heartbeat(ns, &ns->lease_k, ns->lease_ms, now, true);
    heartbeat(ns, &ns->status_k, STATUS_REPORT_MS, now, false);
}

/* ---- taint eviction ------------------------------------------------------ */

/* v1.Toleration.ToleratesTaint. */
static bool tolerates(const json_t *tol, const json_t *taint)
{
    const char *eff = fl_json_str(tol, "effect");
    if (eff[0] && strcmp(eff, fl_json_str(taint, "effect")) != 0)
        return false;
    const char *key = fl_json_str(tol, "key");
    const char *op = fl_json_str(tol, "operator");
    if (key[0] && strcmp(key, fl_json_str(taint, "key")) != 0)
        return false;
    if (!strcmp(op, "Exists"))
        return true;
    if (!op[0] || !strcmp(op, "Equal"))
        return !strcmp(fl_json_str(tol, "value"), fl_json_str(taint, "value"));
    return false;
}

static bool any_tolerates(const json_t *tols, const json_t *taint)
{
    size_t i;
    json_t *t;
    json_array_foreach(tols, i, t)
    {
        if (tolerates(t, taint))
            return true;
    }
    return false;
}

/* The pod's tolerations plus those the DefaultTolerationSeconds admission
 * plugin would have added (it adds one per taint key the pod does not
 * tolerate already). New reference. */
static json_t *effective_tolerations(struct fl_sim_nodes *ns, const json_t *pod)
{
    const json_t *tols = json_object_get(json_object_get(pod, "spec"), "tolerations");
    json_t *out = json_is_array(tols) ? json_deep_copy(tols) : json_array();
    static const char *const keys[] = {TAINT_NOT_READY, TAINT_UNREACHABLE};
    for (size_t i = 0; i < FL_ARRAY_LEN(keys); i++) {
        json_t *taint = json_pack("{s:s,s:s}", "key", keys[i], "effect", "NoExecute");
        if (!any_tolerates(out, taint))
            json_array_append_new(out,
                                  json_pack("{s:s,s:s,s:s,s:I}", "key", keys[i], "operator",
                                            "Exists", "effect", "NoExecute", "tolerationSeconds",
                                            (json_int_t)ns->m->spec->eviction_toleration_s));
        json_decref(taint);
    }
    return out;
}

/* The taint manager's decision for a pod under NoExecute taints: -1 never,
 * else the seconds it may stay (GetMatchingTolerations + getMinTolerationTime:
 * an untolerated taint is 0; the first matching toleration per taint counts;
 * the smallest tolerationSeconds wins, <= 0 is 0; none with seconds: never). */
static int64_t toleration_seconds(const json_t *taints, const json_t *tols)
{
    int64_t min = -1;
    size_t i, j;
    json_t *taint, *tol;
    json_array_foreach(taints, i, taint)
    {
        const json_t *match = NULL;
        json_array_foreach(tols, j, tol)
        {
            if (tolerates(tol, taint)) {
                match = tol;
                break;
            }
        }
        if (!match)
            return 0;
        const json_t *s = json_object_get(match, "tolerationSeconds");
        if (!json_is_integer(s))
            continue;
        int64_t v = json_integer_value(s);
        if (v <= 0)
            return 0;
        if (v > 100LL * 366 * 86400) /* a century: keeps secs * 1000 from overflowing */
            v = 100LL * 366 * 86400;
        if (min < 0 || v < min)
            min = v;
    }
    return min;
}

/* The NoExecute taints of the node (borrowed, valid until the next call). */
static const json_t *noexec_taints(struct fl_sim_nodes *ns, const struct snode *n)
{
    struct fl_obj *o = NULL;
    struct fl_err err;
    fl_err_clear(&err);
    if (fl_m_get(ns->m, t_nodes(), "", n->name, &o, &err) != 0) {
        fl_obj_unref(ns->memo_node);
        json_decref(ns->memo_taints);
        ns->memo_node = NULL;
        ns->memo_taints = json_array();
        return ns->memo_taints;
    }
    if (o == ns->memo_node) {
        fl_obj_unref(o);
        return ns->memo_taints;
    }
    fl_obj_unref(ns->memo_node);
    json_decref(ns->memo_taints);
    ns->memo_node = o;
    ns->memo_taints = json_array();
    json_t *doc = fl_obj_json(o);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(json_object_get(doc, "spec"), "taints"), i, t)
    {
        if (!strcmp(fl_json_str(t, "effect"), "NoExecute"))
            json_array_append(ns->memo_taints, t);
    }
    json_decref(doc);
    return ns->memo_taints;
}

static void cancel_eviction(struct fl_sim_nodes *ns, struct tpod *p, const json_t *pod)
{
    if (!p->evict_start)
        return;
    p->evict_start = 0;
    if (pod) {
        const json_t *md = json_object_get(pod, "metadata");
        fl_m_event(ns->m, pod, "Normal", "TaintManagerEviction", COMPONENT_TAINT,
                   "Cancelling deletion of Pod %s/%s", fl_json_str(md, "namespace"),
                   fl_json_str(md, "name"));
    }
}

/* Evict: the DisruptionTarget condition, the event, a graceful delete. */
static int evict(struct fl_sim_nodes *ns, json_t *pod, struct fl_err *err)
{
    const json_t *md = json_object_get(pod, "metadata");
    char pns[256], pname[256], uid[64];
    snprintf(pns, sizeof(pns), "%s", fl_json_str(md, "namespace"));
    snprintf(pname, sizeof(pname), "%s", fl_json_str(md, "name"));
    snprintf(uid, sizeof(uid), "%s", fl_json_str(md, "uid"));
    fl_m_event(ns->m, pod, "Normal", "TaintManagerEviction", COMPONENT_TAINT,
               "Marking for deletion Pod %s/%s", pns, pname);
    json_t *st = fl_m_obj_member(pod, "status");
    if (fl_m_set_condition(st, "conditions", "DisruptionTarget", "True", "DeletionByTaintManager",
                           "Taint manager: deleting due to NoExecute taint")) {
        json_t *c;
        size_t i;
        json_array_foreach(json_object_get(st, "conditions"), i, c)
        {
            if (!strcmp(fl_json_str(c, "type"), "DisruptionTarget") &&
                !json_object_get(c, "lastProbeTime"))
                json_object_set_new(c, "lastProbeTime", json_null());
        }
        if (fl_m_update(ns->m, t_pods(), pod, NULL, err) != 0)
            return err->code == 404 ? FL_OK : FL_EFAIL;
    }
    if (fl_m_delete_graceful(ns->m, t_pods(), pns, pname, uid, err) != 0 && err->code != 404 &&
        err->code != 409)
        return FL_EFAIL;
    return FL_OK;
}

static int evict_reconcile(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err)
{
    struct fl_sim_nodes *ns = ctx;
    struct tpod *p = *tpod_slot(ns, key);
    if (!p)
        return FL_WQ_DONE;
    struct snode *n = &ns->nodes[p->node];
    if (!n->noexec) {
        if (p->evict_start) {
            char pns[FL_KEY_MAX];
            const char *pname;
            json_t *pod = NULL;
            if (fl_m_key_split(key, pns, sizeof(pns), &pname))
                pod = fl_m_get_json(ns->m, t_pods(), pns, pname, err);
            cancel_eviction(ns, p, pod);
            json_decref(pod);
        }
        return FL_WQ_DONE;
    }
    char pns[FL_KEY_MAX];
    const char *pname;
    if (!fl_m_key_split(key, pns, sizeof(pns), &pname))
        return FL_WQ_DONE;
    json_t *pod = fl_m_get_json(ns->m, t_pods(), pns, pname, err);
    if (!pod)
        return err->code == 404 ? FL_WQ_DONE : FL_EFAIL;
    int rc = FL_WQ_DONE;
    const json_t *md = json_object_get(pod, "metadata");
    if (json_object_get(md, "deletionTimestamp") ||
        strcmp(fl_json_str(json_object_get(pod, "spec"), "nodeName"), n->name) != 0)
        goto out;
    const json_t *taints = noexec_taints(ns, n);
    if (json_array_size(taints) == 0) {
        cancel_eviction(ns, p, pod);
        goto out;
    }
    json_t *tols = effective_tolerations(ns, pod);
    int64_t secs = toleration_seconds(taints, tols);
    json_decref(tols);
    if (secs < 0) {
        cancel_eviction(ns, p, pod);
        goto out;
    }
    if (!p->evict_start)
        p->evict_start = now_ds(ns) + 1;
    int64_t due_ms = ((int64_t)p->evict_start - 1) * 100 + secs * 1000;
    int64_t now_ms = fl_m_mono_ms() - ns->t0;
    if (now_ms < due_ms) {
        *requeue_ms = (uint32_t)(due_ms - now_ms);
        rc = FL_WQ_REQUEUE;
        goto out;
    }
    /* A failed eviction (409 Conflict on the DisruptionTarget write) is
     * retried after the backoff: keep the start so it is not deferred by
     * another tolerationSeconds. */
    uint32_t start = p->evict_start;
    p->evict_start = 0;
    if (evict(ns, pod, err) != 0) {
        p->evict_start = start;
        rc = FL_EFAIL;
    }
out:
    json_decref(pod);
    return rc;
}

static void queue_node_pods(struct fl_sim_nodes *ns, struct snode *n)
{
    for (struct tpod *p = n->pods; p; p = p->nnext)
        fl_workqueue_add(ns->q, p->key);
}

/* ---- watches ------------------------------------------------------------- */

static void on_pod(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_nodes *ns = ctx;
    const char *key = ev->obj->key;
    struct tpod **slot = tpod_slot(ns, key);
    if (ev->type == FL_DELETED) {
        if (*slot)
            tpod_remove(ns, slot);
        return;
    }
    struct tpod *p = *slot;
    if (!p) {
        long idx = pod_node(ns, ev->obj);
        if (idx < 0)
            return;
        p = tpod_add(ns, key, (uint32_t)idx);
    }
    if (ns->nodes[p->node].noexec)
        fl_workqueue_add(ns->q, key);
}

static void on_node(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_nodes *ns = ctx;
    long idx = node_find(ns, fl_m_key_name(ev->obj->key));
    if (idx < 0)
        return;
    struct snode *n = &ns->nodes[idx];
    bool noexec = false;
    if (ev->type == FL_DELETED) {
        n->created = false;
    } else {
        noexec = fl_m_mentions(ev->obj, "\"NoExecute\"");
        n->created = true;
    }
    if (noexec || n->noexec) {
        n->noexec = noexec;
        queue_node_pods(ns, n);
    }
}

/* ---- set_ready ----------------------------------------------------------- */

/* MarkPodsNotReady: Ready False on every pod of the node, with an event. */
static void mark_pods_not_ready(struct fl_sim_nodes *ns, struct snode *n)
{
    char now[32];
    fl_m_now(now);
    for (struct tpod *p = n->pods; p; p = p->nnext) {
        char pns[FL_KEY_MAX];
        const char *pname;
        struct fl_err err;
        fl_err_clear(&err);
        if (!fl_m_key_split(p->key, pns, sizeof(pns), &pname))
            continue;
        json_t *pod = fl_m_get_json(ns->m, t_pods(), pns, pname, &err);
        if (!pod)
            continue;
        size_t i;
        json_t *c;
        bool changed = false;
        json_array_foreach(json_object_get(json_object_get(pod, "status"), "conditions"), i, c)
        {
            if (strcmp(fl_json_str(c, "type"), "Ready") != 0 ||
                !strcmp(fl_json_str(c, "status"), "False"))
                continue;
            fl_m_set_str(c, "status", "False");
            fl_m_set_str(c, "lastTransitionTime", now);
            changed = true;
        }
        if (changed) {
            if (fl_m_update(ns->m, t_pods(), pod, NULL, &err) != 0)
                log_err(ns, "marking not ready the pod", p->key, &err);
            else
                fl_m_event(ns->m, pod, "Warning", "NodeNotReady", COMPONENT_NODE,
                           "Node is not ready");
        }
        json_decref(pod);
    }
}

/* The node's conditions and taints for ready (the kubelet posting again) or
 * not (the node lifecycle controller's view of a silent kubelet). */
static void node_health(json_t *doc, bool ready, const char *now)
{
    json_t *conds = fl_m_array_member(fl_m_obj_member(doc, "status"), "conditions");
    for (size_t d = 0; d < FL_ARRAY_LEN(node_conds); d++) {
        const struct cond_def *cd = &node_conds[d];
        json_t *c = NULL, *x;
        size_t i;
        json_array_foreach(conds, i, x)
        {
            if (!strcmp(fl_json_str(x, "type"), cd->type))
                c = x;
        }
        if (!c) {
            c = json_pack("{s:s,s:s}", "type", cd->type, "status", "");
            fl_m_set_str(c, "lastHeartbeatTime", now);
            json_array_append_new(conds, c);
        }
        const char *status = ready ? cd->ok_status : "Unknown";
        if (strcmp(fl_json_str(c, "status"), status) != 0)
            fl_m_set_str(c, "lastTransitionTime", now);
        fl_m_set_str(c, "status", status);
        fl_m_set_str(c, "reason", ready ? cd->ok_reason : "NodeStatusUnknown");
        fl_m_set_str(c, "message", ready ? cd->ok_message : "Kubelet stopped posting node status.");
        if (ready)
            fl_m_set_str(c, "lastHeartbeatTime", now);
    }

    json_t *spec = fl_m_obj_member(doc, "spec");
    json_t *taints = fl_m_array_member(spec, "taints");
    static const char *const effects[] = {"NoSchedule", "NoExecute"};
    bool have[2] = {false, false};
    for (size_t i = json_array_size(taints); i-- > 0;) {
        const json_t *t = json_array_get(taints, i);
        if (strcmp(fl_json_str(t, "key"), TAINT_UNREACHABLE) != 0)
            continue;
        if (ready)
            json_array_remove(taints, i);
        else
            for (size_t e = 0; e < 2; e++)
                have[e] |= !strcmp(fl_json_str(t, "effect"), effects[e]);
    }
    for (size_t e = 0; e < 2 && !ready; e++)
        if (!have[e]) /* kept as they are while the node stays down (timeAdded) */
            json_array_append_new(taints, json_pack("{s:s,s:s,s:s}", "key", TAINT_UNREACHABLE,
                                                    "effect", effects[e], "timeAdded", now));
    if (json_array_size(taints) == 0)
        json_object_del(spec, "taints");
}

int fl_sim_nodes_set_ready(struct fl_member *m, const char *node, bool ready, struct fl_err *err)
{
    struct fl_sim_nodes *ns = m->nodes;
    long idx = node_find(ns, node);
    if (idx < 0) {
        fl_errf(err, 404, "NotFound", "nodes \"%s\" not found", node);
        fl_err_details(err, "", "nodes", node);
        return FL_EFAIL;
    }
    struct snode *n = &ns->nodes[idx];
    if (!n->created)
        register_node(ns, n);
    json_t *doc = fl_m_get_json(m, t_nodes(), "", n->name, err);
    if (!doc)
        return FL_EFAIL;
    bool was_ready = !n->down;
    char now[32];
    fl_m_now(now);
    n->down = !ready;
    node_health(doc, ready, now);
    int rc = fl_m_update(m, t_nodes(), doc, NULL, err);
    if (rc == 0 && was_ready != ready) {
        if (ready) {
            /* the kubelet's event: its node reference has the node name as uid */
            json_t *ref = json_pack("{s:s,s:s,s:{s:s,s:s}}", "apiVersion", "v1", "kind", "Node",
                                    "metadata", "name", n->name, "uid", n->name);
            fl_m_event(m, ref, "Normal", "NodeReady", "kubelet", "Node %s status is now: NodeReady",
                       n->name);
            json_decref(ref);
            renew_lease(ns, n);
        } else {
            fl_m_event(m, doc, "Normal", "NodeNotReady", COMPONENT_NODE,
                       "Node %s status is now: NodeNotReady", n->name);
            mark_pods_not_ready(ns, n);
        }
    }
    json_decref(doc);
    return rc;
}

bool fl_sim_nodes_up(struct fl_member *m, const char *node)
{
    struct fl_sim_nodes *ns = m->nodes;
    long idx = node_find(ns, node);
    return idx >= 0 && ns->nodes[idx].created && !ns->nodes[idx].down;
}

/* ---- start / stop -------------------------------------------------------- */

static int parse_cidr(const char *s, uint32_t *base, int *prefix)
{
    char addr[32];
    const char *slash = s ? strchr(s, '/') : NULL;
    struct in_addr in;
    if (!slash || (size_t)(slash - s) >= sizeof(addr))
        return FL_EFAIL;
    memcpy(addr, s, (size_t)(slash - s));
    addr[slash - s] = '\0';
    char *end;
    long p = strtol(slash + 1, &end, 10);
    if (*end || p < 0 || p > 32 || inet_pton(AF_INET, addr, &in) != 1)
        return FL_EFAIL;
    *prefix = (int)p;
    *base = ntohl(in.s_addr) & (p ? ~0u << (32 - p) : 0);
    return FL_OK;
}

static int ensure_namespace(struct fl_member *m, struct fl_err *err)
{
    const struct fl_rtype *t = fl_m_type("", "namespaces");
    struct fl_obj *o = NULL;
    if (fl_m_get(m, t, "", LEASE_NS, &o, err) == 0) {
        fl_obj_unref(o);
        return FL_OK;
    }
    if (err->code != 404)
        return FL_EFAIL;
    fl_err_clear(err);
    json_t *doc = json_pack("{s:{s:s}}", "metadata", "name", LEASE_NS);
    int rc = fl_m_create(m, t, doc, NULL, err);
    json_decref(doc);
    if (rc != 0 && err->code == 409) {
        fl_err_clear(err);
        rc = FL_OK;
    }
    return rc;
}

int fl_sim_nodes_start(struct fl_member *m, struct fl_err *err)
{
    const struct fl_member_spec *spec = m->spec;
    size_t total = 0;
    for (size_t i = 0; i < spec->npools; i++)
        total += spec->pools[i].count;
    uint32_t cidr_base;
    int prefix;
    const char *pod_cidr = spec->pod_cidr ? spec->pod_cidr : "10.128.0.0/9";
    if (parse_cidr(pod_cidr, &cidr_base, &prefix) != 0 || prefix > 24)
        return fl_errf(err, 400, "BadRequest",
                       "cluster %s: podCIDR %s is not an IPv4 CIDR of /24 or larger", spec->name,
                       pod_cidr);
    if (total > (1ull << (24 - prefix)))
        return fl_errf(err, 400, "BadRequest",
                       "cluster %s: podCIDR %s has room for %llu nodes (a /24 each) but the node "
                       "pools have %zu",
                       spec->name, pod_cidr, 1ull << (24 - prefix), total);
    if (total > MAX_NODES) /* their InternalIPs must fit 172.16.0.0/12 */
        return fl_errf(err, 400, "BadRequest", "cluster %s: %zu nodes, more than %d", spec->name,
                       total, MAX_NODES);
    if (ensure_namespace(m, err) != 0)
        return FL_EFAIL;

    struct fl_sim_nodes *ns = fl_xcalloc(1, sizeof(*ns));
    ns->m = m;
    m->nodes = ns;
    ns->n = total;
    ns->nodes = fl_xcalloc(total ? total : 1, sizeof(*ns->nodes));
    for (ns->nslots = 16; ns->nslots < total * 2; ns->nslots *= 2)
        ;
    ns->slots = fl_xcalloc(ns->nslots, sizeof(*ns->slots));
    size_t k = 0;
    for (size_t i = 0; i < spec->npools; i++) {
        for (unsigned j = 0; j < spec->pools[i].count; j++, k++) {
            struct snode *n = &ns->nodes[k];
            n->name = fl_xasprintf("%s-%s-%u", spec->name, spec->pools[i].name, j);
            n->pool = (uint32_t)i;
            /* 172.16.0.2 ... : 250 addresses per /24, skipping .0, .1 and the top */
            n->ip = (172u << 24 | 16u << 16) + (uint32_t)(k / 250) * 256 + (uint32_t)(k % 250) + 2;
            n->cidr = cidr_base + ((uint32_t)k << 8);
            node_index_add(ns, (uint32_t)k);
        }
    }
    ns->nbuckets = 64;
    ns->buckets = fl_xcalloc(ns->nbuckets, sizeof(*ns->buckets));
    ns->t0 = fl_m_mono_ms();
    ns->lease_ms = lease_seconds(spec) * 1000 / 4;
    ns->q = fl_workqueue_new(m->base, &(struct fl_workqueue_opts){
                                          .name = "taint-eviction-controller",
                                          .reconcile = evict_reconcile,
                                          .ctx = ns,
                                      });
    if (fl_m_list_watch(m, t_pods(), on_pod, ns, &ns->pod_watch, err) != 0 ||
        fl_m_list_watch(m, t_nodes(), on_node, ns, &ns->node_watch, err) != 0) {
        fl_sim_nodes_stop(m);
        return FL_EFAIL;
    }

    for (size_t i = 0; i < total; i++)
        register_node(ns, &ns->nodes[i]);
    if (total > 0) {
        uint32_t tick_ms = ns->lease_ms / (uint32_t)total;
        if (tick_ms < TICK_MIN_MS)
            tick_ms = TICK_MIN_MS;
        /* the first round of renewals is one period after registration */
        ns->lease_k = ns->n;
        ns->status_k = ns->n;
        ns->tick_ev = event_new(m->base, -1, EV_PERSIST, tick, ns);
        struct timeval every = {tick_ms / 1000, (tick_ms % 1000) * 1000};
        evtimer_add(ns->tick_ev, &every);
    }
    return FL_OK;
}

void fl_sim_nodes_stop(struct fl_member *m)
{
    struct fl_sim_nodes *ns = m->nodes;
    if (!ns)
        return;
    fl_watch_close(ns->pod_watch);
    fl_watch_close(ns->node_watch);
    fl_workqueue_free(ns->q);
    if (ns->tick_ev)
        event_free(ns->tick_ev);
    for (size_t i = 0; i < ns->nbuckets; i++) {
        struct tpod *p = ns->buckets[i], *next;
        for (; p; p = next) {
            next = p->hnext;
            free(p);
        }
    }
    free(ns->buckets);
    for (size_t i = 0; i < ns->n; i++)
        free(ns->nodes[i].name);
    free(ns->nodes);
    free(ns->slots);
    fl_obj_unref(ns->memo_node);
    json_decref(ns->memo_taints);
    free(ns);
    m->nodes = NULL;
}
