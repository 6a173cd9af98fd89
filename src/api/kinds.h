/*
 * Kind-specific behaviour of built-in types: defaulting (what
 * kube-apiserver's SetDefaults_* fill in) and validation (its
 * ValidateX functions), looked up by group and kind. Validation adds causes
 * to an fl_err; api/validate.c turns them into one 422 Invalid.
 */
#ifndef FL_API_KINDS_H
#define FL_API_KINDS_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"

struct fl_kind_hooks {
    const char *group;
    const char *kind;
    /* Fill defaults in a create/update body (may be NULL). */
    void (*defaults)(json_t *doc);
    /* Checks beyond ObjectMeta; each problem is an fl_err_cause (may be NULL). */
    void (*validate)(const json_t *doc, struct fl_err *err);
    /* Reset what a create may not set, after defaults (may be NULL). */
    void (*prepare_create)(json_t *doc);
};

/* The hooks of group/kind, or NULL when the kind has none. */
const struct fl_kind_hooks *fl_kind_hooks_find(const char *group, const char *kind);

/* v1qos.GetPodQOS: Guaranteed, Burstable or BestEffort. */
const char *fl_kind_pod_qos_class(const json_t *pod);
/* What kube-apiserver does to a new pod (PrepareForCreate): the status
 * becomes phase Pending with its QoS class. */
void fl_kind_pod_prepare_create(json_t *pod);

/* The grace period of a pod's deletion, in seconds, as kube-apiserver
 * decides it: requested (DeleteOptions.gracePeriodSeconds; -1 when not given)
 * or spec.terminationGracePeriodSeconds, but 0 for a pod that is not bound to
 * a node or has finished. */
int64_t fl_kind_pod_delete_grace(const json_t *pod, int64_t requested);

#endif
