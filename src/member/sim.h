/*
 * The simulated components of a member cluster, started in this order by
 * fl_member_start and stopped in reverse. Each keeps its state in its field
 * of struct fl_member and works from store watches and loop timers.
 *
 *  events     (objects.c)     Event aggregation and TTL
 *  nodes      (nodes.c)       Node objects from the node pools, heartbeat
 *                             Leases, node lifecycle: NotReady/Unknown
 *                             conditions, NoExecute taints, eviction
 *  sched      (scheduler.c)   binds pending pods to nodes
 *  kubelet    (kubelet.c)     pod lifecycle on the simulated nodes, logs
 *  workloads  (deployment.c, replicaset.c)
 *  sts        (statefulset.c) StatefulSets, ControllerRevisions, PVCs
 *  metrics    (metrics.c)     metrics.k8s.io from the load model
 */
#ifndef FL_MEMBER_SIM_H
#define FL_MEMBER_SIM_H

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdbool.h>

#include "api/registry.h"
#include "core/err.h"
#include "member/member.h"

int fl_sim_events_start(struct fl_member *m, struct fl_err *err) FL_MUST_CHECK;
void fl_sim_events_stop(struct fl_member *m);

int fl_sim_nodes_start(struct fl_member *m, struct fl_err *err) FL_MUST_CHECK;
void fl_sim_nodes_stop(struct fl_member *m);
/* Fault: node stops (ready = false: its kubelet stops posting, the node goes
 * NotReady at once, taints follow as upstream's node lifecycle controller
 * sets them) or recovers. 404 for an unknown node. */
int fl_sim_nodes_set_ready(struct fl_member *m, const char *node, bool ready,
                           struct fl_err *err) FL_MUST_CHECK;
/* True when the node exists and its simulated kubelet is up. */
bool fl_sim_nodes_up(struct fl_member *m, const char *node);

int fl_sim_sched_start(struct fl_member *m, struct fl_err *err) FL_MUST_CHECK;
void fl_sim_sched_stop(struct fl_member *m);

int fl_sim_kubelet_start(struct fl_member *m, struct fl_err *err) FL_MUST_CHECK;
void fl_sim_kubelet_stop(struct fl_member *m);
/* GET pods/log: plausible log lines for a running container (query:
 * container, tailLines, timestamps, limitBytes, sinceSeconds/sinceTime;
 * follow is answered without following). 400 when the pod has several
 * containers and none is named, the container is unknown or not running
 * yet (upstream's messages), 404 for an unknown pod. */
int fl_sim_pod_log(struct fl_member *m, const char *ns, const char *name,
                   const struct evkeyvalq *query, struct evbuffer *out,
                   struct fl_err *err) FL_MUST_CHECK;

int fl_sim_workloads_start(struct fl_member *m, struct fl_err *err) FL_MUST_CHECK;
void fl_sim_workloads_stop(struct fl_member *m);

int fl_sim_sts_start(struct fl_member *m, struct fl_err *err) FL_MUST_CHECK;
void fl_sim_sts_stop(struct fl_member *m);

int fl_sim_metrics_start(struct fl_member *m, struct fl_err *err) FL_MUST_CHECK;
void fl_sim_metrics_stop(struct fl_member *m);
/* GET of metrics.k8s.io/v1beta1 pods or nodes: one object (name given) or a
 * list (labels: a selector, may be NULL); *out a new reference. 404 for an
 * unknown pod/node or one without metrics yet (not running). */
int fl_sim_metrics_get(struct fl_member *m, const struct fl_rtype *t, const char *ns,
                       const char *name, const struct fl_labelsel *labels, json_t **out,
                       struct fl_err *err) FL_MUST_CHECK;

#endif
