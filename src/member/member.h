/*
 * A simulated member cluster (`flotilla member`): the same API core as the
 * control plane (api/, store/, the garbage collector) over an in-memory
 * store, plus simulated components in the spirit of KWOK: nodes with
 * heartbeat Leases, a scheduler, a kubelet, the Deployment/ReplicaSet/
 * StatefulSet controllers, metrics.k8s.io and run-time faults.
 *
 * One fl_member is one cluster; a fleet process hosts many on one event loop,
 * each with its own listener, PKI, store and components. The components run
 * in-process and read and write the cluster's store directly (member/objects.h),
 * the way kube-controller-manager would through its informers; clients (and
 * the federation) only ever reach a member over HTTP.
 *
 * Components (member/sim.h) are started in order by fl_member_start and keep
 * their state in the fields below; each reacts to store watches and timers on
 * the shared loop.
 */
#ifndef FL_MEMBER_MEMBER_H
#define FL_MEMBER_MEMBER_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/* A node pool of the fleet file: `count` identical nodes. */
struct fl_member_pool {
    char *name;
    unsigned count;
    json_t *capacity; /* {"cpu": "64", "memory": "256Gi", "pods": "110", "nvidia.com/gpu": "8"} */
    json_t *labels;   /* extra node labels, {} */
    json_t *taints;   /* [{"key","value","effect"}], [] */
};

/* One cluster of the fleet file (member/fleet.h documents the format). */
struct fl_member_spec {
    char *name;
    char *provider, *region, *zone; /* may be NULL */
    json_t *labels;                 /* cluster labels, {} (given to every node too) */
    struct fl_member_pool *pools;
    size_t npools;
    char *listen;                   /* "127.0.0.1:0" unless given */
    uint32_t pod_start_delay_ms;    /* bound -> Running (500) */
    uint32_t pod_start_jitter_ms;   /* + uniform [0, jitter) (0) */
    uint32_t pod_ready_delay_ms;    /* Running -> Ready (0) */
    uint32_t pod_stop_delay_ms;     /* containers stop this long after a graceful
                                       delete, at most the grace period (100) */
    uint32_t lease_duration_s;      /* node Lease duration (40); renewed every quarter */
    uint32_t node_monitor_grace_s;  /* a node whose Lease is this old is Unknown (40) */
    uint32_t eviction_toleration_s; /* default not-ready/unreachable toleration (300) */
    char *pod_cidr;                 /* cluster pod CIDR, /8../16 ("10.128.0.0/9"); a /24 per node */
};

void fl_member_spec_free(struct fl_member_spec *s); /* NULL-safe */

/* Run-time faults of the whole cluster (member/faults). */
enum fl_member_fault { FL_FAULT_NONE, FL_FAULT_REFUSE, FL_FAULT_HANG, FL_FAULT_SLOW };

struct fl_sim_nodes;
struct fl_sim_sched;
struct fl_sim_kubelet;
struct fl_sim_workloads;
struct fl_sim_sts;
struct fl_sim_metrics;
struct fl_sim_events;
struct fl_api;
struct fl_gc;
struct fl_backend;

struct fl_member_sec;

struct fl_member {
    struct fl_member_spec *spec; /* owned */
    struct fl_member_sec *sec;   /* TLS and authentication; NULL with insecure */
    struct event_base *base;     /* borrowed */
    struct fl_backend *backend;
    struct fl_store *store;
    struct fl_api *api;
    struct fl_gc *gc;
    /* Simulated components (NULL until started). */
    struct fl_sim_events *events;
    struct fl_sim_nodes *nodes;
    struct fl_sim_sched *sched;
    struct fl_sim_kubelet *kubelet;
    struct fl_sim_workloads *workloads; /* Deployments and ReplicaSets */
    struct fl_sim_sts *sts;
    struct fl_sim_metrics *metrics;
    enum fl_member_fault fault;
    uint32_t fault_delay_ms;
    uint64_t rng; /* xorshift state for jitter and generated names */
};

/* Watch events a cluster keeps by default. Each holds the versions it
 * replaced, so the ring dominates memory after a rollout (20,000 pod events
 * ~ 60 MiB), while Lease renewals alone fill 5,000 in 10 s at 5,000 nodes:
 * a watcher away longer relists after 410 Expired, as with kube-apiserver's
 * watch cache. */
#define FL_MEMBER_HISTORY 5000

/* Options of fl_member_start. */
struct fl_member_opts {
    const char *pki_dir;    /* the cluster's PKI lives in <pki_dir>/pki (unused with insecure) */
    const char *kubeconfig; /* write the admin kubeconfig here (may be NULL) */
    bool insecure;          /* plain HTTP without authentication (loopback only) */
    size_t history;         /* watch history of the store (default FL_MEMBER_HISTORY) */
    bool no_crds;           /* see fl_api_opts: set when a process hosts several clusters */
};

/* Start a cluster from spec (taken: freed with the member even on failure):
 * store, API listener, garbage collector, then every simulated component. */
int fl_member_start(struct event_base *base, struct fl_member_spec *spec,
                    const struct fl_member_opts *o, struct fl_member **out,
                    struct fl_err *err) FL_MUST_CHECK;
void fl_member_stop(struct fl_member *m); /* NULL-safe */

int fl_member_port(const struct fl_member *m);

/* Commit, replies, watch events: the loop's before-sleep work for one cluster. */
void fl_member_before_sleep(struct fl_member *m);

/* Faults: REFUSE closes the listener and every connection, watches
 * included (clients get "connection refused"); HANG accepts connections but
 * answers no new request until the fault ends; SLOW answers each new request
 * delay_ms late; NONE heals (listening again on the same port, answering
 * held requests). Watches already streaming keep streaming under HANG and
 * SLOW. The components keep running throughout: a partitioned cluster's
 * workloads go on. */
int fl_member_set_fault(struct fl_member *m, enum fl_member_fault f, uint32_t delay_ms,
                        struct fl_err *err) FL_MUST_CHECK;

/* A pseudo-random number (xorshift64*), for jitter and generated names. */
uint64_t fl_member_rand(struct fl_member *m);

#endif
