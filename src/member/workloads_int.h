/*
 * What the Deployment controller (deployment.c) and the ReplicaSet
 * controller (replicaset.c) of a simulated member share: the component's
 * state (struct fl_sim_workloads) and the small indexes both keep current
 * from the store watches, so that no reconcile ever lists every pod.
 *
 *  - Pods (struct wl_pod, ~60 bytes + name): every pod whose controller is a
 *    ReplicaSet, and every pod without a controller (candidates for
 *    adoption), by namespace/name, grouped under their controller's uid.
 *    A record keeps what the ReplicaSet controller counts and ranks by
 *    (active, phase, ready since, node, restarts, creation, deletion cost)
 *    so a status or a scale-down never parses a pod.
 *  - ReplicaSets (struct wl_rs): one per controller uid pods name, whether
 *    or not the ReplicaSet itself is known yet; plus, per namespace, one
 *    pseudo-record holding that namespace's orphan pods. A record carries the
 *    ReplicaSet's selector and template labels (to keep each pod's "matches
 *    the selector" and "fully labeled" bits current), its expectations, and
 *    the Deployment group it belongs to.
 *  - Deployments (struct wl_dep): one per controller uid ReplicaSets name,
 *    holding those ReplicaSets; plus the Deployment's selector, for orphan
 *    ReplicaSets.
 *
 * Invariants: records change only in the watch callbacks and in the
 * reconciles that write (expectations, flags); a record is freed as soon as
 * its object is gone and nothing is grouped under it. A pod record's group is
 * the group of its current controller (or the orphans of its namespace).
 */
#ifndef FL_MEMBER_WORKLOADS_INT_H
#define FL_MEMBER_WORKLOADS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "controllers/workqueue.h"
#include "core/err.h"
#include "member/member.h"
#include "store/store.h"

#define WL_EXPECTATIONS_TTL_MS 300000 /* upstream's ExpectationsTimeout */
#define WL_BURST_REPLICAS 500 /* upstream's --replicaset burst: pods created or deleted per sync */
#define WL_HASH_LABEL "pod-template-hash"
#define WL_REVISION "deployment.kubernetes.io/revision"
#define WL_REVISION_HISTORY "deployment.kubernetes.io/revision-history"
#define WL_DESIRED_REPLICAS "deployment.kubernetes.io/desired-replicas"
#define WL_MAX_REPLICAS "deployment.kubernetes.io/max-replicas"

/* ---- a small intrusive hash table ---------------------------------------- */

struct wl_hnode {
    struct wl_hnode *next;
    uint32_t hash;
};

struct wl_table {
    struct wl_hnode **b;
    size_t nb, n;
};

#define WL_FNV_BASIS 2166136261u
uint32_t wl_hash(const char *s, uint32_t h); /* fnv-1a (32 bit), chainable (start: WL_FNV_BASIS) */
void wl_table_insert(struct wl_table *t, struct wl_hnode *n); /* n->hash set by the caller */
void wl_table_remove(struct wl_table *t, struct wl_hnode *n);
/* The chain of hash (walk ->next, check hash and key). */
struct wl_hnode *wl_table_chain(const struct wl_table *t, uint32_t hash);
void wl_table_release(struct wl_table *t); /* the buckets only */

/* ---- records ------------------------------------------------------------- */

/* Pod flags. */
enum {
    WL_P_ACTIVE = 1,      /* not Succeeded/Failed, no deletionTimestamp (FilterActivePods) */
    WL_P_READY = 2,       /* condition Ready True */
    WL_P_SEL = 4,         /* labels match the group's ReplicaSet selector */
    WL_P_LABELED = 8,     /* labels include the ReplicaSet template's (fullyLabeled) */
    WL_P_DELETING = 16,   /* deletionTimestamp set */
    WL_P_EXPECT_DEL = 32, /* we deleted it and wait to see that */
    WL_P_TERMINAL = 64,   /* Succeeded or Failed */
};

struct wl_rs;

struct wl_pod {
    struct wl_hnode h;  /* by namespace/name */
    struct wl_rs *rs;   /* its group: controller ReplicaSet, or its namespace's orphans */
    uint32_t idx;       /* in rs->pods */
    uint32_t node;      /* interned spec.nodeName, 0: unassigned */
    uint32_t created;   /* creationTimestamp, unix s */
    uint32_t ready_since; /* Ready lastTransitionTime, unix s (0: not ready or unknown) */
    uint32_t uid32;     /* first 8 hex digits of the uid, for upstream's uid tie-break */
    int32_t cost;       /* controller.kubernetes.io/pod-deletion-cost */
    uint32_t lhash;     /* hash of its labels (orphans: did they change?) */
    uint16_t restarts, side_restarts; /* max restartCount: containers, sidecars */
    uint8_t phase;      /* upstream's podPhaseToOrdinal: Pending/other 0, Unknown 1, Running 2 */
    uint8_t flags;
    char name[];
};

struct wl_dep;

struct wl_rs {
    struct wl_hnode h;     /* by uid (orphan groups: "\1" namespace) */
    bool orphans;          /* the orphan pods of namespace ns, not a ReplicaSet */
    bool known;            /* the ReplicaSet exists and we have seen it */
    bool deleting;         /* ... with a deletionTimestamp */
    bool recheck;          /* the pods' SEL/LABELED bits need computing again */
    bool scan;             /* look for orphan pods to adopt at the next sync */
    bool ctl_other;        /* controlled by something other than a Deployment */
    char *ns, *name;       /* ns always; name while known */
    json_t *selector;      /* spec.selector (known only) */
    json_t *tmpl_labels;   /* spec.template.metadata.labels (known only) */
    json_t *labels;        /* metadata.labels, for orphan ReplicaSets' adoption */
    int32_t exp_add, exp_del; /* ControllerExpectations */
    int64_t exp_set_ms;       /* when they were set (they expire, as upstream's) */
    struct wl_pod **pods;
    uint32_t npods, cap;
    struct wl_dep *dep;    /* controlling Deployment's group, or NULL */
    uint32_t dep_idx;
    char uid[];
};

struct wl_dep {
    struct wl_hnode h; /* by uid */
    bool known;
    char *ns, *name;
    json_t *selector;
    struct wl_rs **rs;
    uint32_t nrs, cap;
    char uid[];
};

struct fl_sim_workloads {
    struct fl_member *m;
    const struct fl_rtype *t_pod, *t_rs, *t_dep;
    struct fl_watch *w_pods, *w_rs, *w_dep;
    struct fl_workqueue *rsq, *dq;
    struct wl_table pods, rs, deps, nodes;
    uint32_t nnodes;
    size_t orphan_rs; /* known ReplicaSets without a controller */
};

/* ---- replicaset.c ------------------------------------------------------- */

void wl_rs_init(struct fl_sim_workloads *w);
void wl_rs_release(struct fl_sim_workloads *w);
/* The group of uid (NULL when absent). */
struct wl_rs *wl_rs_find(struct fl_sim_workloads *w, const char *uid);
/* Take a ReplicaSet into the indexes (from a watch event or a fresh read). */
void wl_rs_learn(struct fl_sim_workloads *w, const json_t *rs);
/* Pods and ReplicaSets watch callbacks. */
void wl_rs_on_pod(struct fl_watch *wt, const struct fl_event *ev, void *ctx);
void wl_rs_on_rs(struct fl_watch *wt, const struct fl_event *ev, void *ctx);
/* The ReplicaSet controller's reconcile. */
int wl_rs_sync(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err);
/* Number of pods in the group not Succeeded/Failed (terminating ones count:
 * Recreate waits for them). */
uint32_t wl_rs_pods_running(const struct wl_rs *r);

/* ---- deployment.c ------------------------------------------------------- */

/* The group of Deployment uid, created when absent if create. */
struct wl_dep *wl_dep_get(struct fl_sim_workloads *w, const char *uid, const char *ns,
                          bool create);
/* Put r in dep (NULL: in none), freeing r's old group if it empties. */
void wl_dep_set(struct fl_sim_workloads *w, struct wl_rs *r, struct wl_dep *dep);
/* Queue every known Deployment of ns whose selector selects labels. */
void wl_dep_enqueue_matching(struct fl_sim_workloads *w, const char *ns, const json_t *labels);
void wl_dep_on_dep(struct fl_watch *wt, const struct fl_event *ev, void *ctx);
int wl_dep_sync(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err);
void wl_dep_release(struct fl_sim_workloads *w);

/* ---- shared helpers (replicaset.c) -------------------------------------- */

/* "ns/name" of a pod, ReplicaSet or Deployment (fl_m_split_ns_name splits it). */
void wl_queue_key(char *buf, size_t len, const char *ns, const char *name);

#endif
