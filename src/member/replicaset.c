/*
 * The ReplicaSet controller of a simulated member, after
 * kube-controller-manager's pkg/controller/replicaset, and the pod and
 * ReplicaSet indexes it shares with the Deployment controller
 * (workloads_int.h describes them).
 *
 * A sync (wl_rs_sync) reads the ReplicaSet from the store and its pods from
 * the index, as upstream's syncReplicaSet reads its informers:
 *  - claim: active pods the ReplicaSet controls whose labels no longer match
 *    its selector are released (their ownerReference removed); active orphan
 *    pods of the namespace that match are adopted (ClaimPods);
 *  - manage, once its expectations are met and it is not being deleted:
 *    create missing pods from spec.template in slow-start batches (1, 2, 4
 *    ..., at most 500 per sync; the rest after the creates are seen), or
 *    delete surplus pods in upstream's ActivePodsWithRanks order (unassigned,
 *    Pending < Unknown < Running, not ready, lower pod-deletion-cost, more
 *    pods of the same owner on the node, ready for less time in log2 buckets,
 *    more restarts, newer in log2 buckets);
 *  - status: replicas, fullyLabeledReplicas, readyReplicas,
 *    availableReplicas (ready for minReadySeconds: the sync runs again when
 *    the next pod gets there), observedGeneration, and ReplicaFailure while
 *    creates or deletes fail.
 * Expectations are a per-ReplicaSet count of creates and deletes not yet seen
 * in the pod watch: writes are in the store at once, but the index (our
 * informer) learns of them at the commit at the end of the turn, and until
 * then a second sync must not create the same pods again.
 *
 * Events go through client-go's per-object spam filter (fl_m_event: a burst
 * of 25, then one per 5 minutes), so a ReplicaSet of 20,000 pods does not
 * write 20,000 SuccessfulCreate Events.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "member/objects.h"
#include "member/sim.h"
#include "member/workloads_int.h"

#define COMPONENT "replicaset-controller"

/* ---- small helpers -------------------------------------------------------- */

uint32_t wl_hash(const char *s, uint32_t h)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void table_grow(struct wl_table *t)
{
    size_t nb = t->nb ? t->nb * 2 : 64;
    struct wl_hnode **b = fl_xcalloc(nb, sizeof(*b));
    for (size_t i = 0; i < t->nb; i++) {
        struct wl_hnode *n = t->b[i], *next;
        for (; n; n = next) {
            next = n->next;
            n->next = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
        }
    }
    free(t->b);
    t->b = b;
    t->nb = nb;
}

void wl_table_insert(struct wl_table *t, struct wl_hnode *n)
{
    if (t->n >= t->nb)
        table_grow(t);
    struct wl_hnode **head = &t->b[n->hash & (t->nb - 1)];
    n->next = *head;
    *head = n;
    t->n++;
}

void wl_table_remove(struct wl_table *t, struct wl_hnode *n)
{
    struct wl_hnode **p = &t->b[n->hash & (t->nb - 1)];
    while (*p && *p != n)
        p = &(*p)->next;
    if (ALWAYS(*p)) {
        *p = n->next;
        t->n--;
    }
}

struct wl_hnode *wl_table_chain(const struct wl_table *t, uint32_t hash)
{
    return t->nb ? t->b[hash & (t->nb - 1)] : NULL;
}

void wl_table_release(struct wl_table *t)
{
    free(t->b);
    memset(t, 0, sizeof(*t));
}

void wl_queue_key(char *buf, size_t len, const char *ns, const char *name)
{
    snprintf(buf, len, "%s/%s", ns, name);
}

/* Are all of want's labels in have (labels.SelectorFromSet(want).Matches)? */
static bool labels_include(const json_t *have, const json_t *want)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)want, k, v) {
        const json_t *h = json_object_get(have, k);
        if (!json_is_string(h) || !json_is_string(v) ||
            strcmp(json_string_value(h), json_string_value(v)) != 0)
            return false;
    }
    return true;
}

static void enqueue_rs(struct fl_sim_workloads *w, const struct wl_rs *r)
{
    char key[FL_KEY_MAX];
    if (r->orphans || !r->known)
        return;
    wl_queue_key(key, sizeof(key), r->ns, r->name);
    fl_workqueue_add(w->rsq, key);
}

static void enqueue_dep(struct fl_sim_workloads *w, const char *ns, const char *name)
{
    char key[FL_KEY_MAX];
    wl_queue_key(key, sizeof(key), ns, name);
    fl_workqueue_add(w->dq, key);
}

/* ---- node names ----------------------------------------------------------- */

struct nodename {
    struct wl_hnode h;
    uint32_t id;
    char name[];
};

/* A small id for a node name (0 for none), interned for the component's life. */
static uint32_t node_id(struct fl_sim_workloads *w, const char *name)
{
    if (!name || !name[0])
        return 0;
    uint32_t hash = wl_hash(name, WL_FNV_BASIS);
    for (struct wl_hnode *n = wl_table_chain(&w->nodes, hash); n; n = n->next) {
        struct nodename *nn = (struct nodename *)n;
        if (n->hash == hash && !strcmp(nn->name, name))
            return nn->id;
    }
    size_t len = strlen(name);
    struct nodename *nn = fl_xmalloc(sizeof(*nn) + len + 1);
    memcpy(nn->name, name, len + 1);
    nn->h.hash = hash;
    nn->id = ++w->nnodes;
    wl_table_insert(&w->nodes, &nn->h);
    return nn->id;
}

/* ---- groups --------------------------------------------------------------- */

struct wl_rs *wl_rs_find(struct fl_sim_workloads *w, const char *uid)
{
    uint32_t hash = wl_hash(uid, WL_FNV_BASIS);
    for (struct wl_hnode *n = wl_table_chain(&w->rs, hash); n; n = n->next) {
        struct wl_rs *r = (struct wl_rs *)n;
        if (n->hash == hash && !strcmp(r->uid, uid))
            return r;
    }
    return NULL;
}

static struct wl_rs *rs_get(struct fl_sim_workloads *w, const char *uid, const char *ns)
{
    struct wl_rs *r = wl_rs_find(w, uid);
    if (r)
        return r;
    size_t len = strlen(uid);
    r = fl_xcalloc(1, sizeof(*r) + len + 1);
    memcpy(r->uid, uid, len + 1);
    r->h.hash = wl_hash(uid, WL_FNV_BASIS);
    r->ns = fl_xstrdup(ns);
    r->orphans = uid[0] == '\1';
    wl_table_insert(&w->rs, &r->h);
    return r;
}

static struct wl_rs *orphans_of(struct fl_sim_workloads *w, const char *ns, bool create)
{
    char uid[300];
    snprintf(uid, sizeof(uid), "\1%s", ns);
    return create ? rs_get(w, uid, ns) : wl_rs_find(w, uid);
}

static bool counts_as_orphan_rs(const struct wl_rs *r)
{
    return r->known && !r->dep && !r->ctl_other;
}

static void rs_free(struct wl_rs *r)
{
    json_decref(r->selector);
    json_decref(r->tmpl_labels);
    json_decref(r->labels);
    free(r->pods);
    free(r->ns);
    free(r->name);
    free(r);
}

/* Free r once neither the ReplicaSet nor any pod refers to it. */
static void rs_maybe_free(struct fl_sim_workloads *w, struct wl_rs *r)
{
    if (r->known || r->npods > 0)
        return;
    FL_ASSERT(!r->dep);
    wl_table_remove(&w->rs, &r->h);
    rs_free(r);
}

static void group_add(struct wl_rs *r, struct wl_pod *p)
{
    if (r->npods == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4;
        r->pods = fl_xrealloc(r->pods, r->cap * sizeof(*r->pods));
    }
    p->idx = r->npods;
    r->pods[r->npods++] = p;
    p->rs = r;
}

static void group_del(struct wl_pod *p)
{
    struct wl_rs *r = p->rs;
    struct wl_pod *last = r->pods[--r->npods];
    r->pods[p->idx] = last;
    last->idx = p->idx;
    p->rs = NULL;
    if (r->npods == 0) { /* a scaled-down ReplicaSet keeps no array */
        free(r->pods);
        r->pods = NULL;
        r->cap = 0;
    }
}

uint32_t wl_rs_pods_running(const struct wl_rs *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->npods; i++)
        n += !(r->pods[i]->flags & WL_P_TERMINAL);
    return n;
}

/* ---- pods ----------------------------------------------------------------- */

static uint32_t pod_hash(const char *ns, const char *name)
{
    return wl_hash(name, wl_hash("/", wl_hash(ns, WL_FNV_BASIS)));
}

static struct wl_pod *pod_find(struct fl_sim_workloads *w, const char *ns, const char *name)
{
    uint32_t hash = pod_hash(ns, name);
    for (struct wl_hnode *n = wl_table_chain(&w->pods, hash); n; n = n->next) {
        struct wl_pod *p = (struct wl_pod *)n;
        if (n->hash == hash && !strcmp(p->name, name) && !strcmp(p->rs->ns, ns))
            return p;
    }
    return NULL;
}

static void deletion_observed(struct wl_rs *r, struct wl_pod *p)
{
    if (p->flags & WL_P_EXPECT_DEL) {
        p->flags &= ~WL_P_EXPECT_DEL;
        if (r->exp_del > 0)
            r->exp_del--;
    }
}

static void pod_free(struct fl_sim_workloads *w, struct wl_pod *p)
{
    wl_table_remove(&w->pods, &p->h);
    free(p);
}

/* A DELETED event. */
static void pod_gone(struct fl_sim_workloads *w, struct wl_pod *p)
{
    struct wl_rs *r = p->rs;
    deletion_observed(r, p);
    group_del(p);
    pod_free(w, p);
    enqueue_rs(w, r);
    /* The Deployment controller's deletePod: Recreate waits for the last
     * old pod to go. */
    if (r->dep && r->dep->known && wl_rs_pods_running(r) == 0)
        enqueue_dep(w, r->dep->ns, r->dep->name);
    rs_maybe_free(w, r);
}

static uint32_t uid_prefix(const char *uid)
{
    uint32_t v = 0;
    for (int i = 0; i < 8 && isxdigit((unsigned char)uid[i]); i++) {
        int c = tolower((unsigned char)uid[i]);
        v = v << 4 | (uint32_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
    }
    return v;
}

static uint16_t sat16(int64_t v)
{
    return v < 0 ? 0 : v > 65535 ? 65535 : (uint16_t)v;
}

/* The max restartCount of statuses; with sidecars, only of the init
 * containers whose spec (in specs) has restartPolicy Always. */
static uint16_t max_restarts(const json_t *statuses, const json_t *specs, bool sidecars)
{
    int64_t max = 0;
    size_t i, j;
    const json_t *s, *c;
    json_array_foreach(statuses, i, s) {
        if (sidecars) {
            bool always = false;
            json_array_foreach(specs, j, c) {
                if (!strcmp(fl_json_str(c, "name"), fl_json_str(s, "name"))) {
                    always = !strcmp(fl_json_str(c, "restartPolicy"), "Always");
                    break;
                }
            }
            if (!always)
                continue;
        }
        int64_t n = fl_m_int(s, "restartCount", 0);
        if (n > max)
            max = n;
    }
    return sat16(max);
}

/* Compute p's SEL and LABELED bits against its ReplicaSet from labels. */
static void pod_bits(struct wl_pod *p, const struct wl_rs *r, const json_t *labels)
{
    p->flags &= ~(WL_P_SEL | WL_P_LABELED);
    if (r->orphans || !r->known)
        return;
    if (r->selector && !fl_m_selector_empty(r->selector) &&
        fl_labelsel_json_match(r->selector, labels))
        p->flags |= WL_P_SEL;
    if (labels_include(labels, r->tmpl_labels))
        p->flags |= WL_P_LABELED;
}

/* Fill p's counters from the pod doc. */
static void pod_fill(struct fl_sim_workloads *w, struct wl_pod *p, const json_t *doc)
{
    const json_t *md = json_object_get(doc, "metadata");
    const json_t *spec = json_object_get(doc, "spec");
    const json_t *st = json_object_get(doc, "status");
    const char *phase = fl_json_str(st, "phase");
    p->flags &= WL_P_EXPECT_DEL | WL_P_SEL | WL_P_LABELED;
    p->phase = !strcmp(phase, "Running") ? 2 : !strcmp(phase, "Unknown") ? 1 : 0;
    bool terminal = !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed");
    if (terminal)
        p->flags |= WL_P_TERMINAL;
    if (json_object_get(md, "deletionTimestamp"))
        p->flags |= WL_P_DELETING;
    if (!terminal && !(p->flags & WL_P_DELETING))
        p->flags |= WL_P_ACTIVE;
    p->node = node_id(w, fl_json_str(spec, "nodeName"));
    p->created = (uint32_t)(fl_m_parse_time_ms(fl_json_str(md, "creationTimestamp")) / 1000);
    p->uid32 = uid_prefix(fl_json_str(md, "uid"));
    const char *cost = fl_json_str(json_object_get(md, "annotations"),
                                   "controller.kubernetes.io/pod-deletion-cost");
    p->cost = (int32_t)strtol(cost, NULL, 10);
    p->ready_since = 0;
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(st, "conditions"), i, c) {
        if (!strcmp(fl_json_str(c, "type"), "Ready")) {
            if (!strcmp(fl_json_str(c, "status"), "True")) {
                p->flags |= WL_P_READY;
                p->ready_since =
                    (uint32_t)(fl_m_parse_time_ms(fl_json_str(c, "lastTransitionTime")) / 1000);
            }
            break;
        }
    }
    p->restarts = max_restarts(json_object_get(st, "containerStatuses"), NULL, false);
    p->side_restarts = max_restarts(json_object_get(st, "initContainerStatuses"),
                                    json_object_get(spec, "initContainers"), true);
}

/* An order-independent hash of a labels object. */
static uint32_t labels_hash(const json_t *labels)
{
    uint32_t h = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)labels, k, v) {
        uint32_t x = wl_hash(json_is_string(v) ? json_string_value(v) : "",
                             wl_hash("=", wl_hash(k, WL_FNV_BASIS)));
        h += x * 2654435761u;
    }
    return h;
}

/* Queue every known ReplicaSet of ns (not being deleted) selecting labels,
 * and have it look at its namespace's orphans (upstream's addPod/updatePod
 * for orphans: getPodReplicaSets). */
static void orphan_pod_wakes(struct fl_sim_workloads *w, const char *ns, const json_t *labels)
{
    for (size_t b = 0; b < w->rs.nb; b++) {
        for (struct wl_hnode *n = w->rs.b[b]; n; n = n->next) {
            struct wl_rs *r = (struct wl_rs *)n;
            if (r->orphans || !r->known || r->deleting || strcmp(r->ns, ns) != 0 ||
                !r->selector || fl_m_selector_empty(r->selector) ||
                !fl_labelsel_json_match(r->selector, labels))
                continue;
            r->scan = true;
            enqueue_rs(w, r);
        }
    }
}

/* An ADDED or MODIFIED pod (p: its record, or NULL). */
static void pod_update(struct fl_sim_workloads *w, struct wl_pod *p, const char *ns,
                       const char *name, const json_t *doc, bool added)
{
    const json_t *ctl = fl_m_controller_ref(doc);
    struct wl_rs *g = NULL;
    if (!ctl)
        g = orphans_of(w, ns, true);
    else if (!strcmp(fl_json_str(ctl, "kind"), "ReplicaSet") &&
             !strncmp(fl_json_str(ctl, "apiVersion"), "apps/", 5) && fl_json_str(ctl, "uid")[0])
        g = rs_get(w, fl_json_str(ctl, "uid"), ns);
    if (g && strcmp(g->ns, ns) != 0) /* a reference across namespaces resolves to nothing */
        g = NULL;

    bool moved = !p;
    if (p && p->rs != g) { /* the controller changed: upstream queues the old one too */
        struct wl_rs *old = p->rs;
        moved = true;
        group_del(p);
        enqueue_rs(w, old);
        if (g) {
            group_add(g, p);
        } else {
            pod_free(w, p);
            p = NULL;
        }
        rs_maybe_free(w, old);
    } else if (!p && g) {
        size_t len = strlen(name);
        p = fl_xcalloc(1, sizeof(*p) + len + 1);
        memcpy(p->name, name, len + 1);
        p->h.hash = pod_hash(ns, name);
        wl_table_insert(&w->pods, &p->h);
        group_add(g, p);
    }
    if (!p)
        return;

    bool was_deleting = p->flags & WL_P_DELETING, was_active = p->flags & WL_P_ACTIVE;
    uint32_t old_lhash = p->lhash;
    pod_fill(w, p, doc);
    const json_t *labels = json_object_get(json_object_get(doc, "metadata"), "labels");
    p->lhash = labels_hash(labels);
    if (!g->recheck)
        pod_bits(p, g, labels);
    if (added && !g->orphans && g->exp_add > 0)
        g->exp_add--; /* CreationObserved */
    if ((p->flags & WL_P_DELETING) && !was_deleting)
        deletion_observed(g, p); /* upstream counts a marked pod as deleted */

    if (!g->orphans) {
        enqueue_rs(w, g);
        if ((p->flags & WL_P_DELETING) && !was_deleting && g->dep && g->dep->known)
            enqueue_dep(w, g->dep->ns, g->dep->name);
    } else if ((p->flags & WL_P_ACTIVE) && (moved || !was_active || p->lhash != old_lhash)) {
        /* A new orphan, or one whose labels changed (upstream: labelChanged
         * || controllerRefChanged): whoever selects it may adopt it. */
        orphan_pod_wakes(w, ns, labels);
    }
}

void wl_rs_on_pod(struct fl_watch *wt, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_workloads *w = ctx;
    const struct fl_obj *o = ev->obj;
    char ns[256];
    const char *name;
    if (!fl_m_key_split(o->key, ns, sizeof(ns), &name))
        return;
    struct wl_pod *p = pod_find(w, ns, name);
    if (ev->type == FL_DELETED) {
        if (p)
            pod_gone(w, p);
        return;
    }
    /* Pods another kind of controller owns (StatefulSets, Jobs ...) are none
     * of our business: skip them without parsing. */
    if (!p && fl_m_mentions(o, "\"controller\":true") && !fl_m_mentions(o, "\"ReplicaSet\""))
        return;
    json_t *doc = fl_obj_json(o);
    if (!doc)
        return;
    pod_update(w, p, ns, name, doc, ev->type == FL_ADDED);
    json_decref(doc);
}

/* ---- ReplicaSets ---------------------------------------------------------- */

/* obj[key] if an object, else a new empty object: a new reference. */
static json_t *object_or_empty(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_object(v) ? json_incref(v) : json_object();
}

/* Replace *slot with v (taken) unless equal; true if it changed. */
static bool replace_json(json_t **slot, json_t *v)
{
    if (*slot && json_equal(*slot, v)) {
        json_decref(v);
        return false;
    }
    json_decref(*slot);
    *slot = v;
    return true;
}

void wl_rs_learn(struct fl_sim_workloads *w, const json_t *rs)
{
    const json_t *md = json_object_get(rs, "metadata");
    const json_t *spec = json_object_get(rs, "spec");
    const char *uid = fl_json_str(md, "uid");
    if (!uid[0])
        return;
    struct wl_rs *r = rs_get(w, uid, fl_json_str(md, "namespace"));
    bool was_orphan = counts_as_orphan_rs(r);
    if (!r->known) {
        r->known = true;
        r->scan = true;
        free(r->name);
        r->name = fl_xstrdup(fl_json_str(md, "name"));
    }
    r->deleting = json_object_get(md, "deletionTimestamp") != NULL;
    /* Copies: the document may be changed after this (a sync writes it). */
    json_t *sel = object_or_empty(spec, "selector");
    json_t *tl = object_or_empty(json_object_get(json_object_get(spec, "template"), "metadata"),
                                 "labels");
    json_t *labels = object_or_empty(md, "labels");
    if (replace_json(&r->selector, json_deep_copy(sel)))
        r->recheck = r->scan = true;
    if (replace_json(&r->tmpl_labels, json_deep_copy(tl)))
        r->recheck = true;
    replace_json(&r->labels, json_deep_copy(labels));
    json_decref(sel);
    json_decref(tl);
    json_decref(labels);
    if (r->npods == 0)
        r->recheck = false;

    const json_t *ctl = fl_m_controller_ref(rs);
    struct wl_dep *dep = NULL;
    r->ctl_other = false;
    if (ctl && !strcmp(fl_json_str(ctl, "kind"), "Deployment") &&
        !strncmp(fl_json_str(ctl, "apiVersion"), "apps/", 5) && fl_json_str(ctl, "uid")[0])
        dep = wl_dep_get(w, fl_json_str(ctl, "uid"), r->ns, true);
    if (dep && strcmp(dep->ns, r->ns) != 0) /* across namespaces: not that Deployment */
        dep = NULL;
    if (ctl && !dep)
        r->ctl_other = true;
    if (r->dep != dep)
        wl_dep_set(w, r, dep);
    bool is_orphan = counts_as_orphan_rs(r);
    if (is_orphan && !was_orphan)
        w->orphan_rs++;
    else if (!is_orphan && was_orphan)
        w->orphan_rs--;
}

/* The ReplicaSet r is gone. */
static void rs_forget(struct fl_sim_workloads *w, struct wl_rs *r)
{
    if (counts_as_orphan_rs(r))
        w->orphan_rs--;
    r->known = false;
    r->deleting = false;
    r->exp_add = r->exp_del = 0; /* DeleteExpectations */
    free(r->name);
    r->name = NULL;
    json_decref(r->selector);
    json_decref(r->tmpl_labels);
    json_decref(r->labels);
    r->selector = r->tmpl_labels = r->labels = NULL;
    for (uint32_t i = 0; i < r->npods; i++)
        r->pods[i]->flags &= ~(WL_P_SEL | WL_P_LABELED | WL_P_EXPECT_DEL);
    wl_dep_set(w, r, NULL);
    rs_maybe_free(w, r);
}

void wl_rs_on_rs(struct fl_watch *wt, const struct fl_event *ev, void *ctx)
{
    struct fl_sim_workloads *w = ctx;
    json_t *doc = fl_obj_json(ev->obj);
    if (!doc)
        return;
    const json_t *md = json_object_get(doc, "metadata");
    const char *ns = fl_json_str(md, "namespace");
    struct wl_rs *r = wl_rs_find(w, fl_json_str(md, "uid"));
    /* The Deployment that controlled it before this event, if any. */
    char *old_dep = r && r->dep && r->dep->known ? fl_xstrdup(r->dep->name) : NULL;
    const json_t *ctl = fl_m_controller_ref(doc);
    bool by_dep = ctl && !strcmp(fl_json_str(ctl, "kind"), "Deployment");

    if (ev->type == FL_DELETED) {
        if (r)
            rs_forget(w, r);
    } else {
        wl_rs_learn(w, doc);
        char key[FL_KEY_MAX];
        wl_queue_key(key, sizeof(key), ns, fl_json_str(md, "name"));
        fl_workqueue_add(w->rsq, key);
    }
    /* The Deployment controller's add/update/deleteReplicaSet. */
    if (by_dep)
        enqueue_dep(w, ns, fl_json_str(ctl, "name"));
    if (old_dep && (!by_dep || strcmp(old_dep, fl_json_str(ctl, "name")) != 0))
        enqueue_dep(w, ns, old_dep);
    if (!ctl && ev->type != FL_DELETED)
        wl_dep_enqueue_matching(w, ns, json_object_get(md, "labels"));
    free(old_dep);
    json_decref(doc);
}

/* ---- sync: claim ------------------------------------------------------------ */

/* Recompute the SEL and LABELED bits of r's pods from the store. */
static void recheck_pods(struct fl_sim_workloads *w, struct wl_rs *r)
{
    for (uint32_t i = 0; i < r->npods; i++) {
        struct wl_pod *p = r->pods[i];
        struct fl_obj *o = NULL;
        struct fl_err err;
        fl_err_clear(&err);
        if (fl_m_get(w->m, w->t_pod, r->ns, p->name, &o, &err) != 0)
            continue; /* gone: its event is on the way */
        pod_bits(p, r, fl_obj_meta(o)->labels);
        fl_obj_unref(o);
    }
    r->recheck = false;
}

/* Remove the ownerReference to uid from pod ns/name (ReleasePod). */
static void release_pod(struct fl_sim_workloads *w, const char *ns, const char *name,
                        const char *uid)
{
    struct fl_err err;
    fl_err_clear(&err);
    json_t *pod = fl_m_get_json(w->m, w->t_pod, ns, name, &err);
    if (!pod)
        return;
    json_t *md = json_object_get(pod, "metadata");
    json_t *refs = json_object_get(md, "ownerReferences");
    for (size_t i = json_array_size(refs); i-- > 0;)
        if (!strcmp(fl_json_str(json_array_get(refs, i), "uid"), uid))
            json_array_remove(refs, i);
    if (refs && json_array_size(refs) == 0)
        json_object_del(md, "ownerReferences");
    if (fl_m_update(w->m, w->t_pod, pod, NULL, &err) != 0 && err.code != 404)
        fprintf(stderr, "flotilla member: releasing pod %s/%s: %s\n", ns, name, err.message);
    json_decref(pod);
}

/* Adopt orphan pod p if it still is one and matches the selector. */
static bool adopt_pod(struct fl_sim_workloads *w, struct wl_rs *r, const json_t *rs,
                      struct wl_pod *p)
{
    struct fl_err err;
    struct fl_obj *o = NULL;
    fl_err_clear(&err);
    /* Most orphans are not for us: decide on the (cached) labels first. */
    if (fl_m_get(w->m, w->t_pod, r->ns, p->name, &o, &err) != 0)
        return false;
    bool match = fl_labelsel_json_match(r->selector, fl_obj_meta(o)->labels);
    json_t *pod = match ? fl_obj_json(o) : NULL;
    fl_obj_unref(o);
    if (!pod)
        return false;
    const json_t *md = json_object_get(pod, "metadata");
    const json_t *labels = json_object_get(md, "labels");
    bool ok = false;
    if (!fl_m_controller_ref(pod) && !json_object_get(md, "deletionTimestamp") &&
        fl_labelsel_json_match(r->selector, labels)) {
        bool labeled = labels_include(labels, r->tmpl_labels);
        fl_m_set_controller_ref(pod, rs);
        ok = fl_m_update(w->m, w->t_pod, pod, NULL, &err) == 0;
        if (ok) { /* counted as ours now; its event moves the record */
            p->flags &= ~WL_P_LABELED;
            if (labeled)
                p->flags |= WL_P_LABELED;
        }
    }
    json_decref(pod);
    return ok;
}

/* ---- sync: manage ----------------------------------------------------------- */

static size_t json_size_of(const json_t *v)
{
    return json_is_object(v) ? json_object_size(v) : json_array_size(v);
}

/* A new pod of rs from its template (GetPodFromTemplate). */
static json_t *pod_from_template(const json_t *rs, const char *ns, const char *name)
{
    const json_t *tmpl = json_object_get(json_object_get(rs, "spec"), "template");
    const json_t *tmd = json_object_get(tmpl, "metadata");
    json_t *pod = json_object();
    json_t *md = json_object();
    json_object_set_new(pod, "metadata", md);
    json_object_set_new(md, "generateName", json_sprintf("%s-", name));
    json_object_set_new(md, "namespace", json_string(ns));
    static const char *const copied[] = {"labels", "annotations", "finalizers"};
    for (size_t i = 0; i < FL_ARRAY_LEN(copied); i++) {
        json_t *v = json_object_get(tmd, copied[i]);
        if (v && json_size_of(v))
            json_object_set_new(md, copied[i], json_deep_copy(v));
    }
    fl_m_set_controller_ref(pod, rs);
    json_t *spec = json_object_get(tmpl, "spec");
    json_object_set_new(pod, "spec", spec ? json_deep_copy(spec) : json_object());
    return pod;
}

struct ranked {
    struct wl_pod *p;
    uint32_t rank; /* active pods of the same owner on its node */
};

/* floor(log2(now - t)) in nanoseconds, -1 when t is not in the past. */
static int log2_age(int64_t now_ns, uint32_t t)
{
    int64_t d = now_ns - (int64_t)t * 1000000000;
    return d > 0 ? 63 - __builtin_clzll((unsigned long long)d) : -1;
}

/* afterOrZero, then upstream's LogarithmicScaleDown comparison of two
 * different times ta of a and tb of b (unix s, 0: none). */
static bool time_less(const struct wl_pod *a, const struct wl_pod *b, uint32_t ta, uint32_t tb,
                      int64_t now_ns)
{
    if (ta == 0 || tb == 0)
        return ta == 0;
    int diff = log2_age(now_ns, ta) - log2_age(now_ns, tb);
    if (diff == 0)
        return a->uid32 < b->uid32;
    return diff < 0;
}

/* ActivePodsWithRanks.Less: should a go before b? */
static bool rank_less(const struct ranked *x, const struct ranked *y, int64_t now_ns)
{
    const struct wl_pod *a = x->p, *b = y->p;
    if (a->node != b->node && (a->node == 0 || b->node == 0))
        return a->node == 0;
    if (a->phase != b->phase)
        return a->phase < b->phase;
    bool ra = a->flags & WL_P_READY, rb = b->flags & WL_P_READY;
    if (ra != rb)
        return !ra;
    if (a->cost != b->cost)
        return a->cost < b->cost;
    if (x->rank != y->rank)
        return x->rank > y->rank;
    if (ra && rb && a->ready_since != b->ready_since)
        return time_less(a, b, a->ready_since, b->ready_since, now_ns);
    if (a->restarts != b->restarts)
        return a->restarts > b->restarts;
    if (a->side_restarts != b->side_restarts)
        return a->side_restarts > b->side_restarts;
    if (a->created != b->created)
        return time_less(a, b, a->created, b->created, now_ns);
    return false;
}

static int rank_cmp(const void *pa, const void *pb, void *arg)
{
    int64_t now_ns = *(const int64_t *)arg;
    if (rank_less(pa, pb, now_ns))
        return -1;
    return rank_less(pb, pa, now_ns) ? 1 : 0;
}

/* The first n of f to delete, ranked (getPodsToDelete), into out. */
static void pods_to_delete(struct fl_sim_workloads *w, struct wl_rs *r, struct wl_pod **f,
                           size_t nf, size_t n, struct wl_pod **out)
{
    if (n >= nf) {
        memcpy(out, f, nf * sizeof(*out));
        return;
    }
    /* Related pods: those of every ReplicaSet of the same controller
     * (getIndirectlyRelatedPods), counted per node. */
    uint32_t *on_node = fl_xcalloc(w->nnodes + 1, sizeof(*on_node));
    struct wl_rs *solo[1] = {r};
    struct wl_rs **sets = r->dep ? r->dep->rs : solo;
    uint32_t nsets = r->dep ? r->dep->nrs : 1;
    for (uint32_t s = 0; s < nsets; s++)
        for (uint32_t i = 0; i < sets[s]->npods; i++)
            if (sets[s]->pods[i]->flags & WL_P_ACTIVE)
                on_node[sets[s]->pods[i]->node]++;
    struct ranked *rk = fl_xmalloc(nf * sizeof(*rk));
    for (size_t i = 0; i < nf; i++)
        rk[i] = (struct ranked){f[i], on_node[f[i]->node]};
    int64_t now_ns = fl_m_wall_ms() * 1000000;
    qsort_r(rk, nf, sizeof(*rk), rank_cmp, &now_ns);
    for (size_t i = 0; i < n; i++)
        out[i] = rk[i].p;
    free(rk);
    free(on_node);
}

static void rs_event(struct fl_sim_workloads *w, struct wl_rs *r, const json_t *rs,
                     const char *type, const char *reason, const char *msg)
{
    fl_m_event(w->m, rs, type, reason, COMPONENT, "%s", msg);
}

/* manageReplicas. Returns 0, or FL_EFAIL with failure set to the error's
 * message (for the ReplicaFailure condition). */
static int manage(struct fl_sim_workloads *w, struct wl_rs *r, const json_t *rs,
                  struct wl_pod **f, size_t nf, char *failure, size_t flen)
{
    int64_t want = fl_m_int(json_object_get(rs, "spec"), "replicas", 1);
    int64_t diff = (int64_t)nf - want;
    char msg[FL_ERR_MSG_MAX + 64];
    struct fl_err err;
    int rc = FL_OK;
    if (diff < 0) {
        int64_t n = -diff < WL_BURST_REPLICAS ? -diff : WL_BURST_REPLICAS;
        int64_t done = 0, ok = 0;
        r->exp_add = (int32_t)n; /* ExpectCreations sets, it does not add */
        r->exp_del = 0;
        r->exp_set_ms = fl_m_wall_ms();
        /* slowStartBatch: stop after a batch that had a failure. */
        for (int64_t batch = 1; done < n && rc == FL_OK; batch *= 2) {
            if (batch > n - done)
                batch = n - done;
            for (int64_t i = 0; i < batch; i++) {
                json_t *pod = pod_from_template(rs, r->ns, r->name);
                fl_err_clear(&err);
                if (fl_m_create(w->m, w->t_pod, pod, NULL, &err) == 0) {
                    ok++;
                    snprintf(msg, sizeof(msg), "Created pod: %s",
                             fl_json_str(json_object_get(pod, "metadata"), "name"));
                    rs_event(w, r, rs, "Normal", "SuccessfulCreate", msg);
                } else {
                    snprintf(msg, sizeof(msg), "Error creating: %s", err.message);
                    rs_event(w, r, rs, "Warning", "FailedCreate", msg);
                    if (rc == FL_OK)
                        snprintf(failure, flen, "%s", err.message);
                    rc = FL_EFAIL;
                }
                json_decref(pod);
            }
            done += batch;
        }
        r->exp_add -= (int32_t)(n - ok); /* the skipped and the failed are never seen */
        if (r->exp_add < 0)
            r->exp_add = 0;
    } else if (diff > 0) {
        size_t n = diff < WL_BURST_REPLICAS ? (size_t)diff : WL_BURST_REPLICAS;
        struct wl_pod **del = fl_xmalloc(n * sizeof(*del));
        pods_to_delete(w, r, f, nf, n, del);
        r->exp_add = r->exp_del = 0; /* ExpectDeletions sets them */
        r->exp_set_ms = fl_m_wall_ms();
        for (size_t i = 0; i < n; i++) {
            struct wl_pod *p = del[i];
            p->flags |= WL_P_EXPECT_DEL;
            r->exp_del++;
            fl_err_clear(&err);
            if (fl_m_delete_graceful(w->m, w->t_pod, r->ns, p->name, NULL, &err) == 0) {
                snprintf(msg, sizeof(msg), "Deleted pod: %s", p->name);
                rs_event(w, r, rs, "Normal", "SuccessfulDelete", msg);
                continue;
            }
            deletion_observed(r, p); /* never coming */
            if (err.code == 404)
                continue;
            snprintf(msg, sizeof(msg), "Error deleting: %s", err.message);
            rs_event(w, r, rs, "Warning", "FailedDelete", msg);
            if (rc == FL_OK)
                snprintf(failure, flen, "%s", err.message);
            rc = FL_EFAIL;
        }
        free(del);
    }
    return rc;
}

/* ---- sync: status ----------------------------------------------------------- */

/* Set or drop an integer status field as Go's omitempty does. */
static void set_count(json_t *st, const char *key, int64_t v, bool always)
{
    if (v || always)
        json_object_set_new(st, key, json_integer(v));
    else
        json_object_del(st, key);
}

/* calculateStatus + updateReplicaSetStatus. *next_ms: when the next ready
 * pod becomes available (0: none waiting). */
static int write_status(struct fl_sim_workloads *w, json_t *rs, struct wl_pod **f, size_t nf,
                        int manage_rc, const char *failure, uint32_t *next_ms,
                        struct fl_err *err)
{
    const json_t *md = json_object_get(rs, "metadata");
    const json_t *spec = json_object_get(rs, "spec");
    int64_t mrs = fl_m_int(spec, "minReadySeconds", 0);
    int64_t want = fl_m_int(spec, "replicas", 1);
    int64_t now = fl_m_wall_ms();
    int64_t labeled = 0, ready = 0, avail = 0, next = 0;
    for (size_t i = 0; i < nf; i++) {
        const struct wl_pod *p = f[i];
        labeled += (p->flags & WL_P_LABELED) != 0;
        if (!(p->flags & WL_P_READY))
            continue;
        ready++;
        int64_t at = (int64_t)p->ready_since * 1000 + mrs * 1000;
        if (mrs == 0 || (p->ready_since && at < now))
            avail++; /* IsPodAvailable: ready since before now - minReadySeconds */
        else if (p->ready_since && (next == 0 || at - now < next))
            next = at - now;
    }
    *next_ms = next > 0 ? (uint32_t)(next + 5) : 0;

    json_t *old = json_object_get(rs, "status");
    json_t *st = json_is_object(old) ? json_deep_copy(old) : json_object();
    json_t *conds = json_object_get(st, "conditions");
    json_t *failcond = NULL;
    size_t i, fi = 0;
    json_t *c;
    json_array_foreach(conds, i, c) {
        if (!strcmp(fl_json_str(c, "type"), "ReplicaFailure")) {
            failcond = c;
            fi = i;
        }
    }
    if (manage_rc != 0 && !failcond) {
        char now_s[32];
        fl_m_now(now_s);
        if (!json_is_array(conds)) {
            conds = json_array();
            json_object_set_new(st, "conditions", conds);
        }
        const char *reason = (int64_t)nf < want   ? "FailedCreate"
                             : (int64_t)nf > want ? "FailedDelete"
                                                  : "";
        json_array_append_new(conds, json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "ReplicaFailure",
                                               "status", "True", "lastTransitionTime", now_s,
                                               "reason", reason, "message", failure));
    } else if (manage_rc == 0 && failcond) {
        json_array_remove(conds, fi);
        if (json_array_size(conds) == 0)
            json_object_del(st, "conditions");
    }
    set_count(st, "replicas", (int64_t)nf, true);
    set_count(st, "fullyLabeledReplicas", labeled, false);
    set_count(st, "readyReplicas", ready, false);
    set_count(st, "availableReplicas", avail, false);
    int64_t gen = fl_m_int(md, "generation", 0);
    if (json_is_object(old) && json_equal(old, st) &&
        fl_m_int(old, "observedGeneration", 0) == gen) {
        json_decref(st);
        return FL_OK;
    }
    set_count(st, "observedGeneration", gen, false);
    json_object_set_new(rs, "status", st);
    return fl_m_update(w->m, w->t_rs, rs, NULL, err);
}

/* ---- sync ----------------------------------------------------------------------- */

int wl_rs_sync(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err)
{
    struct fl_sim_workloads *w = ctx;
    char ns[256], failure[FL_ERR_MSG_MAX] = "";
    const char *name;
    if (!fl_m_split_ns_name(key, ns, sizeof(ns), &name))
        return FL_WQ_DONE;
    json_t *rs = fl_m_get_json(w->m, w->t_rs, ns, name, err);
    if (!rs)
        return FL_EFAIL; /* NotFound: done */
    wl_rs_learn(w, rs);
    struct wl_rs *r = wl_rs_find(w, fl_json_str(json_object_get(rs, "metadata"), "uid"));
    if (!r) {
        json_decref(rs);
        return FL_WQ_DONE;
    }
    if (r->recheck)
        recheck_pods(w, r);
    /* SatisfiedExpectations, with upstream's 5 minute expiry as a safety net. */
    bool need_sync = (r->exp_add <= 0 && r->exp_del <= 0) ||
                     fl_m_wall_ms() - r->exp_set_ms > WL_EXPECTATIONS_TTL_MS;

    /* Claim: the active pods we control that still match, plus orphans. */
    struct wl_rs *orph = r->scan && !r->deleting ? orphans_of(w, ns, false) : NULL;
    size_t cap = r->npods + (orph ? orph->npods : 0);
    struct wl_pod **f = fl_xmalloc((cap ? cap : 1) * sizeof(*f));
    size_t nf = 0;
    for (uint32_t i = 0; i < r->npods; i++) {
        struct wl_pod *p = r->pods[i];
        if (!(p->flags & WL_P_ACTIVE))
            continue;
        if (p->flags & WL_P_SEL)
            f[nf++] = p;
        else if (!r->deleting)
            release_pod(w, ns, p->name, r->uid);
    }
    for (uint32_t i = 0; orph && i < orph->npods; i++) {
        struct wl_pod *p = orph->pods[i];
        if ((p->flags & WL_P_ACTIVE) && adopt_pod(w, r, rs, p))
            f[nf++] = p;
    }
    r->scan = false;

    int rc = FL_OK;
    if (need_sync && !r->deleting)
        rc = manage(w, r, rs, f, nf, failure, sizeof(failure));
    uint32_t next = 0;
    struct fl_err serr;
    fl_err_clear(&serr);
    int src = write_status(w, rs, f, nf, rc, failure, &next, &serr);
    free(f);
    json_decref(rs);
    if (rc != FL_OK)
        return fl_errf(err, 500, "InternalError", "%s", failure);
    if (src != FL_OK) {
        *err = serr;
        return FL_EFAIL;
    }
    if (next) {
        *requeue_ms = next;
        return FL_WQ_REQUEUE;
    }
    return FL_WQ_DONE;
}

/* ---- life ------------------------------------------------------------------------- */

void wl_rs_init(struct fl_sim_workloads *w)
{
    memset(&w->pods, 0, sizeof(w->pods));
    memset(&w->rs, 0, sizeof(w->rs));
    memset(&w->nodes, 0, sizeof(w->nodes));
}

static void free_chains(struct wl_table *t, void (*fn)(struct wl_hnode *))
{
    for (size_t b = 0; b < t->nb; b++) {
        struct wl_hnode *n = t->b[b], *next;
        for (; n; n = next) {
            next = n->next;
            fn(n);
        }
    }
    wl_table_release(t);
}

static void free_plain(struct wl_hnode *n)
{
    free(n);
}

static void free_rs(struct wl_hnode *n)
{
    rs_free((struct wl_rs *)n);
}

void wl_rs_release(struct fl_sim_workloads *w)
{
    free_chains(&w->pods, free_plain);
    free_chains(&w->rs, free_rs);
    free_chains(&w->nodes, free_plain);
}
