/*
 * The three Kubernetes PATCH types, as pure functions on jansson trees:
 * RFC 6902 JSON Patch (application/json-patch+json), RFC 7386 JSON Merge
 * Patch (application/merge-patch+json) and the strategic merge patch of
 * k8s.io/apimachinery/pkg/util/strategicpatch
 * (application/strategic-merge-patch+json), whose list semantics come from a
 * schema callback. None of them modifies `doc` or `patch`; on success *out is
 * a new document that shares no node with either, and on failure *out is left
 * untouched and err says why (400 BadRequest for a malformed patch, 422
 * Invalid for a patch that does not apply, 413 for too many operations), with
 * upstream's wording where upstream has one. Every size that comes from the
 * patch is capped (operations, nesting, list lengths, bytes copied), so deep
 * or huge inputs fail cleanly instead of exhausting the stack or memory.
 */
#ifndef FL_API_PATCH_H
#define FL_API_PATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define FL_PATCH_MAX_OPS 10000         /* operations in one JSON patch (upstream's limit) */
#define FL_PATCH_MAX_DEPTH 100         /* nesting of objects/arrays in a patch */
#define FL_PATCH_MAX_DOC_DEPTH 1000    /* nesting a JSON patch may build in a document */
#define FL_PATCH_MAX_COPY_NODES 250000 /* JSON values all "copy" ops of one patch may duplicate */
#define FL_PATCH_MAX_LIST 2000         /* elements of a list merged by a strategic patch */

/* RFC 6902 JSON Patch: `patch` is an array of operations (add, remove,
 * replace, move, copy, test) addressed by JSON Pointers (~0 and ~1 escapes,
 * "-" to append to an array, "" for the whole document), applied in order to
 * a copy of `doc`. On success *out is a new reference to the patched document.
 * Errors: 400 BadRequest when the patch is malformed (not an array, unknown or
 * missing op, bad pointer, missing value/from, nesting over
 * FL_PATCH_MAX_DEPTH); 413 RequestEntityTooLarge over FL_PATCH_MAX_OPS
 * operations; 422 Invalid when an operation does not apply (missing path,
 * index out of range, failed test, copy budget or document depth exceeded),
 * e.g. `jsonpatch replace operation does not apply: doc is missing key: /x`. */
int fl_patch_json(const json_t *doc, const json_t *patch, json_t **out,
                  struct fl_err *err) FL_MUST_CHECK;

/* RFC 7386 JSON Merge Patch: objects merge recursively, a null member deletes
 * the key, any non-object patch value replaces the target. `doc` and `patch`
 * may be any JSON values. On success *out is a new reference. Errors: 400
 * BadRequest when the patch nests deeper than FL_PATCH_MAX_DEPTH. */
int fl_patch_merge(const json_t *doc, const json_t *patch, json_t **out,
                   struct fl_err *err) FL_MUST_CHECK;

/* How a strategic merge patch treats the list (or map) at a path. */
struct fl_patch_list_strategy {
    const char *merge_key; /* patchMergeKey of a list of objects; NULL for none */
    bool merge;            /* patchStrategy "merge": merge by merge_key, or for a
                              list of primitives union; false: the list is atomic */
    bool retain_keys;      /* patchStrategy includes "retainKeys" (informational:
                              $retainKeys directives apply wherever they appear) */
};

/* Schema callback. `path` holds `depth` JSON field names from the document
 * root to the list (array indices are not included: a path through a list
 * element continues with the element's fields, e.g.
 * spec.template.spec.containers.ports). Fill *out and return true when the
 * field is known; false means atomic (the patch's list replaces the
 * document's). Strings in *out must outlive the patch call. */
typedef bool (*fl_patch_strategy_fn)(const char *const *path, size_t depth,
                                     struct fl_patch_list_strategy *out, void *ctx);

/* Strategic merge patch, as upstream's StrategicMergePatch for built-in
 * types: maps merge recursively and null deletes a key (a null under a key
 * the document lacks is dropped); lists the strategy marks "merge" are merged
 * by merge key (lists of objects) or unioned (lists of primitives), with
 * upstream's element order (patch order, then the document's); other lists
 * are replaced. Directives: "$patch": "replace" | "delete" in a map, and
 * "delete" | "replace" as a list element; "$retainKeys"; "$setElementOrder/f";
 * "$deleteFromPrimitiveList/f". Directives never reach *out. `doc` and `patch`
 * must be objects. On success *out is a new reference. Errors: 400 BadRequest
 * for a malformed patch or directive (wording of upstream's mergepatch
 * errors, e.g. `map: {...} does not contain declared merge key: name`, or
 * nesting over FL_PATCH_MAX_DEPTH); 422 Invalid for lists that cannot be
 * merged (lists of lists, mixed element types, a merged list over
 * FL_PATCH_MAX_LIST elements). */
int fl_patch_strategic(const json_t *doc, const json_t *patch, fl_patch_strategy_fn strategy,
                       void *ctx, json_t **out, struct fl_err *err) FL_MUST_CHECK;

/* The built-in patch strategy table, for the upstream types the API serves
 * until OpenAPI-derived metadata exists: `kind` is the kind name as a C
 * string ("Deployment", "Pod", "Service", ...; NULL or unknown kinds get the
 * rules every object shares: metadata.finalizers, metadata.ownerReferences,
 * status.conditions). PodSpec rules apply under the kind's pod template
 * (spec.template.spec for workloads, spec for Pod, template.spec for
 * PodTemplate, spec.jobTemplate.spec.template.spec for CronJob). Usable as an
 * fl_patch_strategy_fn with ctx = the kind string. */
bool fl_patch_builtin_strategy(const char *const *path, size_t depth,
                               struct fl_patch_list_strategy *out, void *kind);

#endif
