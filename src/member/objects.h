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
#include "core/labels.h"
#include "core/obj.h"
#include "member/member.h"
#include "store/store.h"

/* The served type group/resource ("" / "pods"); never NULL (asserts). */
const struct fl_rtype *fl_m_type(const char *group, const char *resource);

/* Store key of an object of t. */
void fl_m_key(char *key, const struct fl_rtype *t, const char *ns, const char *name);
/* The name in a store key ("group/resource/ns/name"): borrowed, after the last '/'. */
const char *fl_m_key_name(const char *key);
/* Split a store key: ns copied (nslen bytes), *name borrowed; false if malformed or too long. */
bool fl_m_key_split(const char *key, char *ns, size_t nslen, const char **name);
/* The same for "ns/name" (a work queue key). */
bool fl_m_split_ns_name(const char *s, char *ns, size_t nslen, const char **name);

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
/* Feed every object of t to fn as ADDED (watch NULL), then watch t from there into *out. */
int fl_m_list_watch(struct fl_member *m, const struct fl_rtype *t, fl_watch_fn fn, void *ctx,
                    struct fl_watch **out, struct fl_err *err) FL_MUST_CHECK;

/* Label selectors match with fl_labelsel_json_match (core/labels.h): a NULL
 * or empty one matches everything, so callers that must not adopt
 * everything check this first. */
bool fl_m_selector_empty(const json_t *selector);
/* Is v one of the strings of the array values (a requirement's values)? */
bool fl_m_in_values(const json_t *values, const char *v);

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
/* Wall clock, unix milliseconds. */
int64_t fl_m_wall_ms(void);
/* An RFC 3339 time (fraction, offset allowed) as unix ms; 0 when absent or malformed. */
int64_t fl_m_parse_time_ms(const char *s);

/* Set condition `type` in the array conds (created under parent[key] when
 * absent): status, reason, message; lastTransitionTime changes only when
 * the status does; lastProbeTime/lastHeartbeatTime are left alone. Returns
 * true when anything changed. */
bool fl_m_set_condition(json_t *parent, const char *key, const char *type, const char *status,
                        const char *reason, const char *message);
/* Condition type in parent[key] (borrowed), or NULL. */
json_t *fl_m_condition(const json_t *parent, const char *key, const char *type);
/* The status of condition type in parent[key], or NULL. */
const char *fl_m_condition_status(const json_t *parent, const char *key, const char *type);

/* ---- resources ---------------------------------------------------------- */

/* Resource names are interned to small ids: cpu (millicores), memory,
 * pods, ephemeral-storage (units), then extended resources in order of first
 * sight (nvidia.com/gpu ...; nodes register theirs at start, before any pod).
 * Once FL_M_OTHER names are taken, every new name maps to FL_M_OTHER, which
 * no node offers: a pod asking for one cannot be placed (never wrongly). */
#define FL_M_RES_MAX 16
enum { FL_M_CPU, FL_M_MEMORY, FL_M_PODS, FL_M_EPHEMERAL, FL_M_OTHER = FL_M_RES_MAX - 1 };
struct fl_m_res {
    int64_t v[FL_M_RES_MAX];
};
/* The id of a resource name, interning it (FL_M_OTHER once full). */
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

/* Events a component may record about one object in a burst; after that,
 * one per 5 minutes (client-go's EventSourceObjectSpamFilter). */
#define FL_M_EVENT_BURST 25

/* Record an Event about obj (parsed object: kind, apiVersion, metadata) from
 * component ("kubelet", "default-scheduler", "replicaset-controller", ...),
 * type "Normal" or "Warning". Repeats of the same object, reason and message
 * within 10 minutes update count and lastTimestamp of one Event, as
 * client-go's EventCorrelator does, and past FL_M_EVENT_BURST per component
 * and object they are dropped as its spam filter does. Events are deleted an
 * hour after their last occurrence (kube-apiserver's --event-ttl). Never
 * fails the caller. */
void fl_m_event(struct fl_member *m, const json_t *obj, const char *type, const char *reason,
                const char *component, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* ---- small helpers ------------------------------------------------------ */

/* FNV-1a (64 bit) of n bytes, chainable: start from FL_M_FNV_BASIS. */
#define FL_M_FNV_BASIS 14695981039346656037ull
uint64_t fl_m_fnv1a(uint64_t h, const void *p, size_t n);
/* FNV-1a (64 bit) of a string, from the basis. */
uint64_t fl_m_hash_str(const char *s);
/* splitmix64's mixing of x: seeds for generated IDs, jitter, log lines. */
uint64_t fl_m_mix64(uint64_t x);
/* n hex digits generated from seed (machine and container IDs); buf >= n + 1 bytes. */
void fl_m_hex_from(uint64_t seed, char *buf, size_t n);
/* An IPv4 address (host order) as "10.0.0.1"; buf >= 16 bytes. */
void fl_m_ip_str(uint32_t ip, char *buf);

/* o[k] = the string v. */
void fl_m_set_str(json_t *o, const char *k, const char *v);
/* parent[key] when an object, else a new empty object put there: borrowed. */
json_t *fl_m_obj_member(json_t *parent, const char *key);
/* The same for an array. */
json_t *fl_m_array_member(json_t *parent, const char *key);
/* An integer member (missing or not an integer: def). */
int64_t fl_m_int(const json_t *obj, const char *key, int64_t def);
/* Do o's serialized bytes contain s? A cheap test before parsing. */
bool fl_m_mentions(const struct fl_obj *o, const char *s);

#endif
