/*
 * metrics.k8s.io/v1beta1 for a simulated member cluster: PodMetrics and
 * NodeMetrics as metrics-server serves them, computed from a load model at
 * the moment of each request (docs/member-load-model.md is the full model).
 * Nothing is stored between requests and nothing runs between them: no
 * timers, no watches, no per-pod state; a demand annotation or a replica
 * count that changes shows in the next GET.
 *
 * The model, in short. A pod's model owner is the topmost workload in its
 * controller chain (pod -> ReplicaSet -> Deployment, or pod -> StatefulSet)
 * that carries a flotilla.io/cpu-demand, memory-demand or memory-per-pod
 * annotation. The owner's demand is shared evenly by its loaded pods (Ready
 * and not terminating), each pod's share capped per container at the
 * container's limit. CPU without demand: 10% of the container's request,
 * at least 1m. Memory: the owner's memory-per-pod, else the container's
 * request, else 32Mi, plus a share of memory-demand. A pod's own
 * flotilla.io/cpu-usage / memory-usage annotation replaces the model.
 * Pod values are split over the running containers by request. A node's
 * usage is 100m + 512Mi plus its pods' usage, at most its capacity.
 *
 * Only pods that run (phase Running, a container in state running, on a node
 * whose simulated kubelet is up) have metrics, and only Ready nodes.
 *
 * Cost of a request: one pass over the pods of the namespace (all pods for
 * node metrics) reading cached metadata, a parse of the pods answered plus
 * the pods of the workloads they belong to (to count loaded replicas), and
 * one store read per distinct controller, memoized for the request.
 */
#include <bsd/sys/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/labels.h"
#include "core/obj.h"
#include "member/objects.h"
#include "member/sim.h"

#define ANN_CPU_DEMAND "flotilla.io/cpu-demand"
#define ANN_MEM_DEMAND "flotilla.io/memory-demand"
#define ANN_MEM_PER_POD "flotilla.io/memory-per-pod"
#define ANN_CPU_USAGE "flotilla.io/cpu-usage"
#define ANN_MEM_USAGE "flotilla.io/memory-usage"

#define API_VERSION "metrics.k8s.io/v1beta1"
#define WINDOW "15s"
#define MEM_DEFAULT (32LL << 20)   /* a container without a memory request */
#define NODE_CPU_OVERHEAD 100      /* millicores: kubelet, runtime, system daemons */
#define NODE_MEM_OVERHEAD (512LL << 20)
#define QTY_CAP 10000000000000LL   /* 1e13: model inputs are clamped so sums fit int64 */
#define CHAIN_MAX 4                /* controller chain depth followed */
#define CONTAINERS_MAX 256         /* containers of one pod taken into account */
#define WANTED_NS_MAX 16           /* namespaces remembered for the second pass */

struct fl_sim_metrics {
    const struct fl_rtype *pods, *nodes, *rs, *deploy, *sts;
};

/* A workload met while resolving controller chains, by uid. */
struct wl {
    RB_ENTRY(wl) link;
    struct wl *owner;      /* model owner of the pods under this controller, or NULL */
    int64_t cpu_demand;    /* millicores, -1: none */
    int64_t mem_demand;    /* bytes, -1: none */
    int64_t mem_per_pod;   /* bytes, -1: none */
    size_t loaded;         /* loaded pods counted (owners only) */
    bool wanted;           /* a pod answered belongs to it (owners only) */
    char uid[];
};

static int wl_cmp(const struct wl *a, const struct wl *b)
{
    return strcmp(a->uid, b->uid);
}

/* Non-static generation (the _STATIC variants need BSD's __unused), so a
 * prefixed name. */
RB_HEAD(fl_metrics_wl_tree, wl);
RB_PROTOTYPE(fl_metrics_wl_tree, wl, link, wl_cmp)
RB_GENERATE(fl_metrics_wl_tree, wl, link, wl_cmp)

struct ctr {
    char *name;
    int64_t cpu_req, cpu_lim, mem_req, mem_lim; /* 0: none */
};

/* What the model needs of one pod that has metrics. */
struct pod {
    struct fl_obj *o; /* reference */
    struct wl *owner;
    bool loaded;
    char *node;
    int64_t cpu_override, mem_override; /* -1: none */
    size_t nc;        /* running containers, >= 1 */
    struct ctr *c;
};

/* A Ready node being answered, with its pods' usage so far. */
struct node {
    struct fl_obj *o; /* reference */
    const char *name; /* borrowed from o's metadata */
    int64_t cpu, mem; /* usage */
    int64_t cap_cpu, cap_mem; /* status.capacity, 0: unknown */
};

enum mode { PODS, NODES };

/* One request. */
struct req {
    struct fl_member *m;
    const struct fl_sim_metrics *s;
    enum mode mode;
    const char *name; /* PODS: one pod ("" or NULL: a list) */
    const struct fl_labelsel *sel; /* PODS: label selector */
    char *pat;        /* NODES, one node: "\"nodeName\":\"NAME\"" prefilter */
    struct node *nodes; /* NODES: sorted by name */
    size_t nnodes;
    struct fl_metrics_wl_tree wls;
    struct pod *pods; /* PODS: answered, in key order */
    size_t npods, cap;
    size_t ncand;     /* PODS: pods that passed the name and label filters */
    /* Namespaces of the wanted owners (borrowed from kept pods), so the
     * second pass skips the others: controller chains stay in a namespace.
     * Past WANTED_NS_MAX, every namespace. */
    const char *wanted_ns[WANTED_NS_MAX];
    size_t nwanted_ns;
    bool wanted_all_ns;
};

/* ---- model inputs ---------------------------------------------------------- */

static int64_t clamp(int64_t v)
{
    return v > QTY_CAP ? QTY_CAP : v;
}

/* A quantity annotation of an object: -1 when absent or malformed. */
static int64_t ann_qty(const json_t *annotations, const char *key, int id)
{
    const json_t *v = json_object_get(annotations, key);
    if (!json_is_string(v))
        return -1;
    int64_t q = fl_m_qty(id, json_string_value(v));
    return q < 0 ? -1 : clamp(q);
}

static const json_t *controller_ref(const json_t *owner_refs)
{
    size_t i;
    const json_t *r;
    json_array_foreach(owner_refs, i, r)
        if (json_is_true(json_object_get(r, "controller")))
            return r;
    return NULL;
}

static const struct fl_rtype *workload_type(const struct req *r, const json_t *ref)
{
    if (strcmp(fl_json_str(ref, "apiVersion"), "apps/v1"))
        return NULL;
    const char *kind = fl_json_str(ref, "kind");
    if (!strcmp(kind, "ReplicaSet"))
        return r->s->rs;
    if (!strcmp(kind, "Deployment"))
        return r->s->deploy;
    if (!strcmp(kind, "StatefulSet"))
        return r->s->sts;
    return NULL;
}

/* The workload a controller reference in ns names, memoized by uid; NULL
 * when the reference has no uid. Its owner is NULL when neither it nor any
 * workload above it carries a load annotation, or it does not exist (any
 * more, or with another uid). */
static struct wl *resolve(struct req *r, const char *ns, const json_t *ref, int depth)
{
    const char *uid = fl_json_str(ref, "uid");
    if (!*uid)
        return NULL;
    size_t len = strlen(uid);
    struct wl *w = fl_xcalloc(1, sizeof(*w) + len + 1);
    memcpy(w->uid, uid, len + 1);
    struct wl *found = RB_INSERT(fl_metrics_wl_tree, &r->wls, w);
    if (found) {
        free(w);
        return found;
    }
    /* Inserted before the chain is followed: a cycle ends at a node whose
     * owner is still NULL. */
    w->cpu_demand = w->mem_demand = w->mem_per_pod = -1;
    const struct fl_rtype *t = workload_type(r, ref);
    struct fl_obj *o = NULL;
    struct fl_err err;
    if (!t || fl_m_get(r->m, t, ns, fl_json_str(ref, "name"), &o, &err) != 0)
        return w;
    const struct fl_meta *md = fl_obj_meta(o);
    if (strcmp(md->uid, uid)) {
        fl_obj_unref(o);
        return w;
    }
    w->cpu_demand = ann_qty(md->annotations, ANN_CPU_DEMAND, FL_M_CPU);
    w->mem_demand = ann_qty(md->annotations, ANN_MEM_DEMAND, FL_M_MEMORY);
    w->mem_per_pod = ann_qty(md->annotations, ANN_MEM_PER_POD, FL_M_MEMORY);
    bool model = w->cpu_demand >= 0 || w->mem_demand >= 0 || w->mem_per_pod >= 0;
    const json_t *up = controller_ref(md->owner_refs);
    struct wl *p = up && depth < CHAIN_MAX ? resolve(r, ns, up, depth + 1) : NULL;
    w->owner = p && p->owner ? p->owner : model ? w : NULL;
    fl_obj_unref(o);
    return w;
}

static struct wl *pod_owner(struct req *r, const struct fl_meta *md)
{
    const json_t *ref = controller_ref(md->owner_refs);
    struct wl *w = ref ? resolve(r, md->ns, ref, 0) : NULL;
    return w ? w->owner : NULL;
}

/* Ready and not terminating: the pod takes its share of its owner's demand,
 * as a Service's ready endpoints take traffic. */
static bool pod_loaded(const json_t *doc, const struct fl_meta *md)
{
    const char *ready = fl_m_condition_status(json_object_get(doc, "status"), "conditions", "Ready");
    return ready && !strcmp(ready, "True") && !md->deletion_timestamp[0];
}

static int64_t res_qty(const json_t *c, const char *list, const char *name, int id)
{
    const json_t *v = json_object_get(json_object_get(json_object_get(c, "resources"), list), name);
    int64_t q = json_is_string(v) ? fl_m_qty(id, json_string_value(v)) : -1;
    return q < 0 ? 0 : clamp(q);
}

static void pod_release(struct pod *p)
{
    for (size_t i = 0; i < p->nc; i++)
        free(p->c[i].name);
    free(p->c);
    free(p->node);
    fl_obj_unref(p->o);
    memset(p, 0, sizeof(*p));
}

/* Read doc into p when the pod has metrics: phase Running, at least one
 * container running, its node's kubelet up. Returns whether it has. */
static bool pod_read(struct req *r, struct fl_obj *o, const json_t *doc, struct pod *p)
{
    memset(p, 0, sizeof(*p));
    const json_t *spec = json_object_get(doc, "spec");
    const json_t *status = json_object_get(doc, "status");
    const char *node = fl_json_str(spec, "nodeName");
    if (strcmp(fl_json_str(status, "phase"), "Running") || !*node)
        return false;
    if (r->m->nodes && !fl_sim_nodes_up(r->m, node))
        return false;
    const json_t *containers = json_object_get(spec, "containers");
    const json_t *statuses = json_object_get(status, "containerStatuses");
    size_t n = json_array_size(containers);
    if (n > CONTAINERS_MAX)
        n = CONTAINERS_MAX;
    p->c = fl_xcalloc(n ? n : 1, sizeof(*p->c));
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(containers, i);
        const char *name = fl_json_str(c, "name");
        size_t j;
        const json_t *cs;
        bool running = false;
        json_array_foreach(statuses, j, cs)
            if (!strcmp(fl_json_str(cs, "name"), name)) {
                running = json_is_object(json_object_get(json_object_get(cs, "state"), "running"));
                break;
            }
        if (!running)
            continue;
        struct ctr *x = &p->c[p->nc++];
        x->name = fl_xstrdup(name);
        x->cpu_req = res_qty(c, "requests", "cpu", FL_M_CPU);
        x->cpu_lim = res_qty(c, "limits", "cpu", FL_M_CPU);
        x->mem_req = res_qty(c, "requests", "memory", FL_M_MEMORY);
        x->mem_lim = res_qty(c, "limits", "memory", FL_M_MEMORY);
    }
    if (!p->nc) {
        pod_release(p);
        return false;
    }
    const struct fl_meta *md = fl_obj_meta(o);
    p->o = fl_obj_ref(o);
    p->node = fl_xstrdup(node);
    p->cpu_override = ann_qty(md->annotations, ANN_CPU_USAGE, FL_M_CPU);
    p->mem_override = ann_qty(md->annotations, ANN_MEM_USAGE, FL_M_MEMORY);
    return true;
}

/* ---- the model ------------------------------------------------------------- */

/* Split total over the containers in proportion to their requests (evenly
 * when one has none), adding to out[]; the remainder of the division goes
 * 1 each to the first containers so the parts add up to total. */
static void split(const struct pod *p, int64_t total, bool cpu, int64_t *out)
{
    __int128 wsum = 0;
    bool even = false;
    for (size_t i = 0; i < p->nc; i++) {
        int64_t w = cpu ? p->c[i].cpu_req : p->c[i].mem_req;
        even |= w <= 0;
        wsum += w;
    }
    int64_t given = 0;
    for (size_t i = 0; i < p->nc; i++) {
        int64_t w = cpu ? p->c[i].cpu_req : p->c[i].mem_req;
        int64_t part = even ? total / (int64_t)p->nc : (int64_t)((__int128)total * w / wsum);
        out[i] += part;
        given += part;
    }
    for (size_t i = 0; given < total && i < p->nc; i++, given++)
        out[i]++;
}

static void cap_at_limits(const struct pod *p, bool cpu, int64_t *v)
{
    for (size_t i = 0; i < p->nc; i++) {
        int64_t lim = cpu ? p->c[i].cpu_lim : p->c[i].mem_lim;
        if (lim > 0 && v[i] > lim)
            v[i] = lim;
    }
}

/* The usage of each running container: cpu in millicores, memory in bytes
 * (whole KiB, as a working set of pages). */
static void pod_usage(const struct pod *p, int64_t *cpu, int64_t *mem)
{
    const struct wl *w = p->owner;
    memset(cpu, 0, p->nc * sizeof(*cpu));
    memset(mem, 0, p->nc * sizeof(*mem));

    if (p->cpu_override >= 0) {
        split(p, p->cpu_override, true, cpu);
    } else if (p->loaded && w && w->cpu_demand >= 0 && w->loaded > 0) {
        int64_t n = (int64_t)w->loaded;
        split(p, (w->cpu_demand + n / 2) / n, true, cpu);
        cap_at_limits(p, true, cpu);
    } else {
        for (size_t i = 0; i < p->nc; i++)
            cpu[i] = p->c[i].cpu_req / 10 > 1 ? p->c[i].cpu_req / 10 : 1;
        cap_at_limits(p, true, cpu);
    }

    if (p->mem_override >= 0) {
        split(p, p->mem_override, false, mem);
    } else {
        if (w && w->mem_per_pod >= 0)
            split(p, w->mem_per_pod, false, mem);
        else
            for (size_t i = 0; i < p->nc; i++)
                mem[i] = p->c[i].mem_req > 0 ? p->c[i].mem_req : MEM_DEFAULT;
        if (p->loaded && w && w->mem_demand >= 0 && w->loaded > 0)
            split(p, w->mem_demand / (int64_t)w->loaded, false, mem);
        cap_at_limits(p, false, mem);
    }
    for (size_t i = 0; i < p->nc; i++)
        mem[i] -= mem[i] % 1024;
}

/* ---- the pass over the pods ------------------------------------------------ */

static int node_cmp(const void *a, const void *b)
{
    return strcmp(((const struct node *)a)->name, ((const struct node *)b)->name);
}

static struct node *find_node(struct req *r, const char *name)
{
    struct node key = {.name = name};
    return r->nnodes ? bsearch(&key, r->nodes, r->nnodes, sizeof(key), node_cmp) : NULL;
}

/* Whether a pod may be answered (PODS) or may run on an answered node
 * (NODES), from what costs no parse. For nodes that is a search of the
 * stored bytes for "nodeName":"NAME" (or any nodeName): they are compact
 * JSON (core/obj.c), node names need no escaping, and a false hit only
 * costs a parse, as the node is checked again on the parsed pod. */
static bool candidate(struct req *r, struct fl_obj *o, const struct fl_meta *md)
{
    if (r->mode == NODES)
        return fl_m_mentions(o, r->pat);
    if (r->name && *r->name && strcmp(md->name, r->name))
        return false;
    return !r->sel || fl_labelsel_match(r->sel, md->labels);
}

/* Add a pod's usage to its node. */
static void add_to_node(struct req *r, const struct pod *p)
{
    struct node *n = find_node(r, p->node);
    if (!n)
        return;
    int64_t cpu[CONTAINERS_MAX], mem[CONTAINERS_MAX];
    pod_usage(p, cpu, mem);
    for (size_t i = 0; i < p->nc; i++) {
        n->cpu += cpu[i];
        n->mem += mem[i];
    }
}

static bool ns_wanted(const struct req *r, const char *ns)
{
    if (r->wanted_all_ns)
        return true;
    for (size_t i = 0; i < r->nwanted_ns; i++)
        if (!strcmp(r->wanted_ns[i], ns))
            return true;
    return false;
}

static void want_ns(struct req *r, const char *ns)
{
    if (ns_wanted(r, ns))
        return;
    if (r->nwanted_ns == WANTED_NS_MAX)
        r->wanted_all_ns = true;
    else
        r->wanted_ns[r->nwanted_ns++] = ns;
}

/* One pass over the pods of ns (NULL: all). First the candidates: parsed,
 * counted as loaded pods of their owners, kept when they have metrics. Then
 * the other pods of the owners the kept pods belong to, to complete the
 * count of loaded pods (so a pod's share does not depend on the selector). */
static int scan(struct req *r, const char *ns, struct fl_err *err)
{
    char prefix[FL_KEY_MAX];
    struct fl_store_list l = {0};
    fl_store_key(prefix, "", "pods", ns, NULL);
    if (fl_store_list(r->m->store, prefix, NULL, 0, NULL, &l, err) != 0)
        return FL_EFAIL;
    bool *cand = fl_xcalloc(l.n ? l.n : 1, sizeof(*cand));
    struct pod *kept = fl_xcalloc(l.n ? l.n : 1, sizeof(*kept));
    size_t nkept = 0;

    for (size_t i = 0; i < l.n; i++) {
        struct fl_obj *o = l.items[i];
        const struct fl_meta *md = fl_obj_meta(o);
        if (!candidate(r, o, md))
            continue;
        json_t *doc = fl_obj_json(o);
        if (!doc)
            continue;
        cand[i] = true;
        r->ncand++;
        struct wl *owner = pod_owner(r, md);
        bool loaded = pod_loaded(doc, md);
        if (owner && loaded)
            owner->loaded++;
        struct pod *p = &kept[nkept];
        if (pod_read(r, o, doc, p) && (r->mode == PODS || find_node(r, p->node))) {
            p->owner = owner;
            p->loaded = loaded;
            if (owner) {
                owner->wanted = true;
                want_ns(r, fl_obj_meta(o)->ns);
            }
            nkept++;
        } else {
            pod_release(p);
        }
        json_decref(doc);
    }
    for (size_t i = 0; i < l.n; i++) {
        struct fl_obj *o = l.items[i];
        const struct fl_meta *md = fl_obj_meta(o);
        if (cand[i] || !json_array_size(md->owner_refs) || !ns_wanted(r, md->ns))
            continue;
        struct wl *owner = pod_owner(r, md);
        if (!owner || !owner->wanted)
            continue;
        json_t *doc = fl_obj_json(o);
        if (doc && pod_loaded(doc, md))
            owner->loaded++;
        json_decref(doc);
    }

    if (r->mode == NODES) {
        for (size_t i = 0; i < nkept; i++) {
            add_to_node(r, &kept[i]);
            pod_release(&kept[i]);
        }
        free(kept);
    } else {
        r->pods = kept;
        r->npods = nkept;
    }
    free(cand);
    fl_store_list_release(&l);
    return FL_OK;
}

static void req_release(struct req *r)
{
    struct wl *w, *next;
    RB_FOREACH_SAFE(w, fl_metrics_wl_tree, &r->wls, next) {
        RB_REMOVE(fl_metrics_wl_tree, &r->wls, w);
        free(w);
    }
    for (size_t i = 0; i < r->npods; i++)
        pod_release(&r->pods[i]);
    free(r->pods);
    for (size_t i = 0; i < r->nnodes; i++)
        fl_obj_unref(r->nodes[i].o);
    free(r->nodes);
    free(r->pat);
}

/* ---- answers ---------------------------------------------------------------- */

static json_t *qty(int id, int64_t v)
{
    char buf[64];
    fl_m_qty_format(id, v, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *metadata(const struct fl_meta *md, bool namespaced, const char *now)
{
    json_t *out = json_pack("{s:s}", "name", md->name);
    if (namespaced)
        json_object_set_new(out, "namespace", json_string(md->ns));
    json_object_set_new(out, "creationTimestamp", json_string(now));
    if (json_object_size(md->labels))
        json_object_set_new(out, "labels", json_deep_copy(md->labels));
    return out;
}

/* Items of a list carry no kind and apiVersion, as kube-apiserver's. */
static json_t *item(const char *kind, bool with_kind, json_t *md, const char *now)
{
    json_t *out = json_object();
    if (with_kind) {
        json_object_set_new(out, "kind", json_string(kind));
        json_object_set_new(out, "apiVersion", json_string(API_VERSION));
    }
    json_object_set_new(out, "metadata", md);
    json_object_set_new(out, "timestamp", json_string(now));
    json_object_set_new(out, "window", json_string(WINDOW));
    return out;
}

static json_t *pod_metrics(const struct pod *p, bool with_kind, const char *now)
{
    int64_t cpu[CONTAINERS_MAX], mem[CONTAINERS_MAX];
    pod_usage(p, cpu, mem);
    json_t *out = item("PodMetrics", with_kind, metadata(fl_obj_meta(p->o), true, now), now);
    json_t *cs = json_array();
    for (size_t i = 0; i < p->nc; i++)
        json_array_append_new(cs, json_pack("{s:s,s:{s:o,s:o}}", "name", p->c[i].name, "usage",
                                            "cpu", qty(FL_M_CPU, cpu[i]), "memory",
                                            qty(FL_M_MEMORY, mem[i])));
    json_object_set_new(out, "containers", cs);
    return out;
}

static json_t *node_metrics(const struct node *n, bool with_kind, const char *now)
{
    int64_t cpu = n->cpu + NODE_CPU_OVERHEAD, mem = n->mem + NODE_MEM_OVERHEAD;
    if (n->cap_cpu > 0 && cpu > n->cap_cpu)
        cpu = n->cap_cpu;
    if (n->cap_mem > 0 && mem > n->cap_mem)
        mem = n->cap_mem - n->cap_mem % 1024;
    json_t *out = item("NodeMetrics", with_kind, metadata(fl_obj_meta(n->o), false, now), now);
    json_object_set_new(out, "usage", json_pack("{s:o,s:o}", "cpu", qty(FL_M_CPU, cpu), "memory",
                                                qty(FL_M_MEMORY, mem)));
    return out;
}

static json_t *list(const char *kind, json_t *items)
{
    return json_pack("{s:s,s:s,s:{s:s},s:o}", "kind", kind, "apiVersion", API_VERSION,
                     "metadata", "resourceVersion", "", "items", items);
}

/* ---- requests --------------------------------------------------------------- */

static int get_pods(struct req *r, const char *ns, const char *name, json_t **out,
                    struct fl_err *err)
{
    char now[32];
    r->mode = PODS;
    r->name = name;
    if (scan(r, *ns ? ns : NULL, err) != 0)
        return FL_EFAIL;
    fl_m_now(now);
    if (*name) {
        /* metrics-server: the pod lister's NotFound, then its own. */
        if (!r->ncand) {
            fl_errf(err, 404, "NotFound", "pods \"%s\" not found", name);
            fl_err_details(err, "", "pods", name);
            return FL_EFAIL;
        }
        if (!r->npods) {
            char id[600];
            snprintf(id, sizeof(id), "%s/%s", ns, name);
            fl_errf(err, 404, "NotFound", "podmetrics.metrics.k8s.io \"%s\" not found", id);
            fl_err_details(err, "metrics.k8s.io", "podmetrics", id);
            return FL_EFAIL;
        }
        *out = pod_metrics(&r->pods[0], true, now);
        return FL_OK;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < r->npods; i++)
        json_array_append_new(items, pod_metrics(&r->pods[i], false, now));
    *out = list("PodMetricsList", items);
    return FL_OK;
}

/* Take node o into r->nodes when it is Ready and its kubelet is up; returns
 * whether it was. */
static bool take_node(struct req *r, struct fl_obj *o)
{
    json_t *doc = fl_obj_json(o);
    if (!doc)
        return false;
    const json_t *status = json_object_get(doc, "status");
    const char *ready = fl_m_condition_status(status, "conditions", "Ready");
    const struct fl_meta *md = fl_obj_meta(o);
    bool ok = ready && !strcmp(ready, "True") && (!r->m->nodes || fl_sim_nodes_up(r->m, md->name));
    if (ok) {
        const json_t *cap = json_object_get(status, "capacity");
        struct node *n = &r->nodes[r->nnodes++];
        n->o = fl_obj_ref(o);
        n->name = md->name;
        n->cap_cpu = fl_m_qty(FL_M_CPU, fl_json_str(cap, "cpu"));
        n->cap_mem = fl_m_qty(FL_M_MEMORY, fl_json_str(cap, "memory"));
    }
    json_decref(doc);
    return ok;
}

static int get_nodes(struct req *r, const char *name, json_t **out, struct fl_err *err)
{
    char now[32];
    r->mode = NODES;
    if (*name) {
        struct fl_obj *o = NULL;
        struct fl_err e2;
        if (fl_m_get(r->m, r->s->nodes, "", name, &o, &e2) != 0) {
            fl_errf(err, 404, "NotFound", "nodes \"%s\" not found", name);
            fl_err_details(err, "", "nodes", name);
            return FL_EFAIL;
        }
        r->nodes = fl_xcalloc(1, sizeof(*r->nodes));
        bool ok = take_node(r, o);
        fl_obj_unref(o);
        if (!ok) {
            fl_errf(err, 404, "NotFound", "nodemetrics.metrics.k8s.io \"%s\" not found", name);
            fl_err_details(err, "metrics.k8s.io", "nodemetrics", name);
            return FL_EFAIL;
        }
        r->pat = fl_xasprintf("\"nodeName\":\"%s\"", name);
    } else {
        char prefix[FL_KEY_MAX];
        struct fl_store_list l = {0};
        struct fl_store_filter f = {.labels = r->sel};
        fl_store_key(prefix, "", "nodes", "", NULL);
        if (fl_store_list(r->m->store, prefix, &f, 0, NULL, &l, err) != 0)
            return FL_EFAIL;
        r->nodes = fl_xcalloc(l.n ? l.n : 1, sizeof(*r->nodes));
        for (size_t i = 0; i < l.n; i++)
            take_node(r, l.items[i]);
        fl_store_list_release(&l);
        /* Keys sort by name already; bsearch must not depend on that. */
        qsort(r->nodes, r->nnodes, sizeof(*r->nodes), node_cmp);
        r->pat = fl_xstrdup("\"nodeName\":\"");
    }
    if (r->nnodes && scan(r, NULL, err) != 0)
        return FL_EFAIL;
    fl_m_now(now);
    if (*name) {
        *out = node_metrics(&r->nodes[0], true, now);
        return FL_OK;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < r->nnodes; i++)
        json_array_append_new(items, node_metrics(&r->nodes[i], false, now));
    *out = list("NodeMetricsList", items);
    return FL_OK;
}

int fl_sim_metrics_get(struct fl_member *m, const struct fl_rtype *t, const char *ns,
                       const char *name, const struct fl_labelsel *labels, json_t **out,
                       struct fl_err *err)
{
    FL_ASSERT(m->metrics && t);
    struct req r = {.m = m, .s = m->metrics, .sel = labels};
    RB_INIT(&r.wls);
    int rc;
    *out = NULL;
    if (!ns)
        ns = "";
    if (!name)
        name = "";
    if (!strcmp(t->resource, "pods"))
        rc = get_pods(&r, ns, name, out, err);
    else if (!strcmp(t->resource, "nodes"))
        rc = get_nodes(&r, name, out, err);
    else
        rc = fl_errf(err, 404, "NotFound", "the server could not find the requested resource");
    req_release(&r);
    return rc;
}

int fl_sim_metrics_start(struct fl_member *m, struct fl_err *err)
{
    struct fl_sim_metrics *s = fl_xcalloc(1, sizeof(*s));
    s->pods = fl_m_type("", "pods");
    s->nodes = fl_m_type("", "nodes");
    s->rs = fl_m_type("apps", "replicasets");
    s->deploy = fl_m_type("apps", "deployments");
    s->sts = fl_m_type("apps", "statefulsets");
    m->metrics = s;
    return FL_OK;
}

void fl_sim_metrics_stop(struct fl_member *m)
{
    free(m->metrics);
    m->metrics = NULL;
}
