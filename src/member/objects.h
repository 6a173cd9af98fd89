/*
 * How the simulated components read and write their cluster's objects: the
 * store directly (no HTTP inside the process), with what the API would have
 * added on the way in (apiVersion/kind, generateName, the kind's defaults),
 * plus the small Kubernetes helpers every controller needs: label selectors,
 * owner references, conditions, quantities, pod requests, and Events.
 *
 * Writes become durable and visible to watchers at the end of the loop turn,
 * like the API's. All functions run on the loop thread.
 */
#ifndef FL_MEMBER_OBJECTS_H
#define FL_MEMBER_OBJECTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/registry.h"
#include "core/err.h"
#include "core/obj.h"
#include "member/member.h"
#include "store/store.h"

/* The served type group/resource ("" / "pods"); never NULL (asserts). */
const struct fl_rtype *fl_m_type(const char *group, const char *resource);

/* Store key of an object of t. */
void fl_m_key(char *key, const struct fl_rtype *t, const char *ns, const char *name);

/* Read one object: *out a new reference; 404 NotFound when absent. */
int fl_m_get(struct fl_member *m, const struct fl_rtype *t, const char *ns, const char *name,
             struct fl_obj **out, struct fl_err *err) FL_MUST_CHECK;
/* The same, parsed: a new tree, or NULL with err set. */
json_t *fl_m_get_json(struct fl_member *m, const struct fl_rtype *t, const char *ns,
                      const char *name, struct fl_err *err);

/* Create doc (borrowed, completed in place): apiVersion and kind are set
 * from t, metadata.generateName gets a random 5-character suffix when name is
 * empty, the kind's defaults are applied. *out (may be NULL) a new reference.
 * 409 AlreadyExists. */
int fl_m_create(struct fl_member *m, const struct fl_rtype *t, json_t *doc, struct fl_obj **out,
                struct fl_err *err) FL_MUST_CHECK;

/* Replace the object doc names (metadata.namespace/name) with doc (borrowed,
 * modified in place). With metadata.resourceVersion set it must still be
 * current (409 Conflict: read again and retry). status is written like any
 * other field. An update that changes nothing writes nothing. */
int fl_m_update(struct fl_member *m, const struct fl_rtype *t, json_t *doc, struct fl_obj **out,
                struct fl_err *err) FL_MUST_CHECK;

/* Delete now (grace period 0), optionally only if the uid still matches
 * (uid NULL: any). Objects with finalizers are marked. 404 when absent. */
int fl_m_delete(struct fl_member *m, const struct fl_rtype *t, const char *ns, const char *name,
                const char *uid, struct fl_err *err) FL_MUST_CHECK;
/* Delete as a client's DELETE with default options would: a pod bound to a
 * node and still running is only marked (Terminating for its
 * terminationGracePeriodSeconds; the kubelet removes it), anything else goes
 * now. What controllers (ReplicaSet, StatefulSet, eviction) use for pods. */
int fl_m_delete_graceful(struct fl_member *m, const struct fl_rtype *t, const char *ns,
                         const char *name, const char *uid, struct fl_err *err) FL_MUST_CHECK;

/* Objects of t in ns (NULL: every namespace), optionally only those whose
 * labels match the LabelSelector `selector` (JSON, may be NULL). */
int fl_m_list(struct fl_member *m, const struct fl_rtype *t, const char *ns,
              const json_t *selector, struct fl_store_list *out, struct fl_err *err) FL_MUST_CHECK;

/* metav1.LabelSelector semantics: matchLabels and matchExpressions (In,
 * NotIn, Exists, DoesNotExist). A NULL or empty selector matches everything
 * (callers that must not adopt everything check fl_m_selector_empty). */
bool fl_m_selector_match(const json_t *selector, const json_t *labels);
bool fl_m_selector_empty(const json_t *selector);

/* Append an ownerReference to doc naming owner (a parsed object with
 * apiVersion, kind, metadata.name/uid): controller and blockOwnerDeletion true. */
void fl_m_set_controller_ref(json_t *doc, const json_t *owner);
/* The controller ownerReference of doc (borrowed), or NULL. */
const json_t *fl_m_controller_ref(const json_t *doc);
/* Its uid, or NULL. */
const char *fl_m_controller_uid(const json_t *doc);

/* Now as RFC 3339 ("2026-11-23T20:00:00Z"); buf >= 32 bytes. */
void fl_m_now(char *buf);
/* Milliseconds on a monotonic clock. */
int64_t fl_m_mono_ms(void);

/* Set condition `type` in the array conds (created under parent[key] when
 * absent): status, reason, message; lastTransitionTime changes only when
 * the status does; lastProbeTime/lastHeartbeatTime are left alone. Returns
 * true when anything changed. */
bool fl_m_set_condition(json_t *parent, const char *key, const char *type, const char *status,
                        const char *reason, const char *message);
/* The status of condition type in parent[key], or NULL. */
const char *fl_m_condition_status(const json_t *parent, const char *key, const char *type);

/* ---- resources ---------------------------------------------------------- */

/* Resource names are interned to small ids: cpu (millicores), memory,
 * pods, ephemeral-storage (units), then extended resources in order of first
 * sight (nvidia.com/gpu ...), at most FL_M_RES_MAX in all. */
#define FL_M_RES_MAX 16
enum { FL_M_CPU, FL_M_MEMORY, FL_M_PODS, FL_M_EPHEMERAL };
struct fl_m_res {
    int64_t v[FL_M_RES_MAX];
};
/* The id of a resource name, interning it; -1 once the table is full. */
int fl_m_res_id(const char *name);
/* The name of an id (borrowed), or NULL. */
const char *fl_m_res_name(int id);
/* A quantity in the id's unit: millicores for cpu, else rounded up to whole
 * units. -1 when malformed. */
int64_t fl_m_qty(int id, const char *s);
/* Add a ResourceList object ({"cpu": "500m", ...}) to r. */
void fl_m_res_add_list(struct fl_m_res *r, const json_t *list);
/* What a pod asks of a node, as kube-scheduler counts it: the sum of its
 * containers' requests, or the largest init container's if larger, per
 * resource, plus spec.overhead; pods = 1. */
void fl_m_pod_requests(const json_t *pod, struct fl_m_res *r);
/* Format v of id as a quantity ("1500m", "2Gi" style not needed: bytes). */
void fl_m_qty_format(int id, int64_t v, char *buf, size_t len);

/* ---- events ------------------------------------------------------------- */

/* Record an Event about obj (parsed object: kind, apiVersion, metadata) from
 * component ("kubelet", "default-scheduler", "replicaset-controller", ...),
 * type "Normal" or "Warning". Repeats of the same object, reason and message
 * within 10 minutes update count and lastTimestamp of one Event, as
 * client-go's EventCorrelator does. Events are deleted an hour after their
 * last occurrence (kube-apiserver's --event-ttl). Never fails the caller. */
void fl_m_event(struct fl_member *m, const json_t *obj, const char *type, const char *reason,
                const char *component, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
