/*
 * Server-side apply and field management, after k8s.io/apiserver's
 * fieldmanager and sigs.k8s.io/structured-merge-diff: which manager owns
 * which field of an object, recorded in metadata.managedFields.
 *
 * PATCH with Content-Type application/apply-patch+yaml merges the applied
 * configuration (YAML or JSON) into the live object: fields it names are set;
 * fields the same manager applied before and now omits are removed unless
 * another manager owns them; objects merge field by field unless their schema
 * says x-kubernetes-map-type: atomic; lists merge by key
 * (x-kubernetes-list-type: map with x-kubernetes-list-map-keys, or a patch
 * merge key), as sets (x-kubernetes-list-type: set) or are replaced whole
 * (atomic, the default). Changing a field another manager owns is a 409
 * conflict unless force=true, which takes the field over. Every other write
 * (create, update, the other patches) gives the fields it changed to its
 * manager with operation Update. List and map semantics come from the served
 * OpenAPI schema of the kind (fields the schema does not describe: objects
 * merge, lists are atomic).
 *
 * Invariants: the functions never modify their inputs except `next` of
 * fl_apply_track_update; the managedFields they write are always well formed
 * (decodable, sorted as upstream sorts them, at most
 * FL_APPLY_MAX_UPDATE_MANAGERS Update entries); every walk is bounded by
 * FL_APPLY_MAX_DEPTH and a YAML body by FL_APPLY_MAX_NODES values.
 */
#ifndef FL_API_APPLY_H
#define FL_API_APPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/registry.h"
#include "core/err.h"

#define FL_APPLY_CTYPE "application/apply-patch+yaml"
#define FL_APPLY_MAX_DEPTH 100          /* nesting of applied and stored objects */
#define FL_APPLY_MAX_NODES 500000       /* values one YAML body may expand to (aliases too) */
#define FL_APPLY_MAX_UPDATE_MANAGERS 10 /* older Update entries merge into "ancient-changes" */
#define FL_APPLY_MANAGER_MAX 128        /* bytes of a fieldManager */

/* The checks upstream's ValidatePatchOptions (and Create/UpdateOptions) make
 * on the query, before anything is read: `options_kind` is "PatchOptions",
 * "CreateOptions" or "UpdateOptions"; `apply` whether the request is an
 * apply patch; field_manager the fieldManager parameter (NULL if absent);
 * force_given whether a force parameter is present. Errors, 422 Invalid with
 * upstream's wording, e.g. `PatchOptions.meta.k8s.io "" is invalid:
 * fieldManager: Required value: is required for apply patch`; also `force:
 * Forbidden: may not be specified for non-apply patch`, a fieldManager
 * longer than FL_APPLY_MANAGER_MAX bytes or with unprintable characters. */
int fl_apply_check_options(const char *options_kind, bool apply, const char *field_manager,
                           bool force_given, struct fl_err *err) FL_MUST_CHECK;

/* The manager of a write that names none: the User-Agent up to its first
 * '/', unprintable characters dropped, at most FL_APPLY_MANAGER_MAX bytes
 * ("kubectl/v1.32.4 (linux/amd64) ..." -> "kubectl"; NULL -> ""). buf holds
 * FL_APPLY_MANAGER_MAX + 1 bytes at least. */
void fl_apply_manager_from_agent(const char *user_agent, char *buf, size_t len);

/* Server-side apply of `body` (len bytes of YAML or JSON: one object) by
 * `manager` to `live`, the stored object of type t (NULL when it does not
 * exist yet: the apply creates it). On success *out is a new reference to
 * the object to store, sharing nothing with the inputs, with its
 * managedFields updated; it still needs the usual defaulting, validation and
 * name checks. Errors: 400 BadRequest when the body is not a YAML/JSON object
 * ("error decoding YAML: ..."), names another apiVersion/kind ("invalid
 * object type: apps/v1, Kind=Foo"), sets metadata.managedFields, or has a
 * list that cannot be merged (duplicate keys, missing key fields); 409
 * Conflict when it changes fields other managers own and force is false,
 * as kube-apiserver words it (message `Apply failed with 1 conflict:
 * conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas`,
 * one FieldManagerConflict cause per field). Live managedFields that do
 * not decode count as none. As upstream, manager "kubectl" may take
 * fields from client-side apply's last-applied-configuration without a
 * conflict, and keeps that annotation up to date when the object has it. */
int fl_apply(const struct fl_rtype *t, const json_t *live, const char *body, size_t len,
             const char *manager, bool force, json_t **out, struct fl_err *err) FL_MUST_CHECK;

/* Field management for a write that is not an apply: `next` (modified in
 * place) replaces `old` (NULL for a create). The fields that differ go to
 * `manager` (operation Update at api_version, e.g. "apps/v1") and are taken
 * from every other manager. managedFields sent in `next` are used when they
 * are well formed (a client may edit them; [] or [{}] clears them), else
 * old's are kept. As upstream, an update of an object that has no
 * managedFields does not start tracking (its first apply does). Call it with
 * the object as it will be stored: after defaulting and the status rules,
 * before the store write. The kind's schema is found from next's kind and
 * api_version. Errors: 400 for an object nesting over FL_APPLY_MAX_DEPTH
 * (next is then left without managedFields changes). */
int fl_apply_track_update(const json_t *old, json_t *next, const char *manager,
                          const char *api_version, struct fl_err *err) FL_MUST_CHECK;

/* The same for a write to a subresource ("status", "scale"): managedFields
 * in `next` are ignored (old's are kept), and entries record the subresource
 * as upstream's do. subresource NULL or "" is fl_apply_track_update. */
int fl_apply_track_update_sub(const json_t *old, json_t *next, const char *manager,
                              const char *api_version, const char *subresource,
                              struct fl_err *err) FL_MUST_CHECK;

/* The clock managedFields times come from (unix seconds); NULL restores
 * time(NULL). For tests. */
void fl_apply_set_clock(int64_t (*now)(void));

#endif
