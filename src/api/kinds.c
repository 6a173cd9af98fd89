/*
 * Kind hooks of built-in types: see kinds.h. The table at the end maps
 * group/kind to its defaulting and validation functions, which live in one
 * file per API group family (kinds_pod.c, kinds_core.c, kinds_apps.c,
 * kinds_autoscaling.c, kinds_misc.c, kinds_karmada.c) on top of the shared
 * helpers in kinds_util.c (kinds_int.h). Namespace and ConfigMap are here.
 */
#include "api/kinds.h"

#include <stdio.h>
#include <string.h>

#include "api/kinds_int.h"
#include "core/obj.h"

#define CONFIGMAP_MAX_BYTES (1024 * 1024)

void kinds_namespace_defaults(json_t *doc)
{
    json_t *spec = json_object_get(doc, "spec");
    if (!json_is_object(spec)) {
        spec = json_object();
        json_object_set_new(doc, "spec", spec);
    }
    if (!json_object_get(spec, "finalizers"))
        json_object_set_new(spec, "finalizers", json_pack("[s]", "kubernetes"));
    json_t *status = json_object_get(doc, "status");
    if (!json_is_object(status)) {
        status = json_object();
        json_object_set_new(doc, "status", status);
    }
    if (!json_object_get(status, "phase"))
        json_object_set_new(status, "phase", json_string("Active"));
}

static size_t check_map(const json_t *doc, const char *member, bool base64, struct fl_err *err)
{
    json_t *m = json_object_get(doc, member);
    size_t total = 0;
    if (!m || json_is_null(m))
        return 0;
    if (!json_is_object(m)) {
        fl_err_cause(err, "FieldValueInvalid", member, "must be a map of strings");
        return 0;
    }
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        char field[160];
        snprintf(field, sizeof(field), "%s[%s]", member, k);
        kv_config_key(k, field, err);
        if (!json_is_string(v)) {
            fl_err_cause(err, "FieldValueInvalid", field, "must be a string");
            continue;
        }
        total += strlen(k) + json_string_length(v);
        (void)base64; /* binaryData is base64 text; its length bounds the data */
    }
    return total;
}

void kinds_configmap_validate(const json_t *doc, struct fl_err *err)
{
    size_t total = check_map(doc, "data", false, err) + check_map(doc, "binaryData", true, err);
    if (total > CONFIGMAP_MAX_BYTES)
        fl_err_cause(err, "FieldValueTooLong", "[]", "Too long: must have at most %d bytes",
                     CONFIGMAP_MAX_BYTES);
    json_t *data = json_object_get(doc, "data"), *bin = json_object_get(doc, "binaryData");
    const char *k;
    json_t *v;
    if (json_is_object(data) && json_is_object(bin))
        json_object_foreach(data, k, v)
        {
            if (json_object_get(bin, k)) {
                char field[160];
                snprintf(field, sizeof(field), "data[%s]", k);
                fl_err_cause(err, "FieldValueInvalid", field,
                             "Invalid value: \"%s\": duplicate of key present in binaryData", k);
            }
        }
}

static const struct fl_kind_hooks hooks[] = {
    /* core/v1 */
    {"", "Namespace", kinds_namespace_defaults, NULL},
    {"", "ConfigMap", NULL, kinds_configmap_validate},
    {"", "Secret", kinds_secret_defaults, kinds_secret_validate},
    {"", "Service", kinds_service_defaults, kinds_service_validate},
    {"", "ServiceAccount", NULL, kinds_serviceaccount_validate},
    {"", "Event", NULL, kinds_event_validate},
    {"", "Pod", kinds_pod_defaults, kinds_pod_validate, fl_kind_pod_prepare_create},
    {"", "Node", kinds_node_defaults, kinds_node_validate},
    {"", "PersistentVolumeClaim", kinds_pvc_object_defaults, kinds_pvc_validate},
    {"", "Endpoints", kinds_endpoints_defaults, kinds_endpoints_validate},
    /* apps/v1 */
    {"apps", "Deployment", kinds_deployment_defaults, kinds_deployment_validate},
    {"apps", "StatefulSet", kinds_statefulset_defaults, kinds_statefulset_validate},
    {"apps", "ReplicaSet", kinds_replicaset_defaults, kinds_replicaset_validate},
    {"apps", "DaemonSet", kinds_daemonset_defaults, kinds_daemonset_validate},
    {"apps", "ControllerRevision", NULL, kinds_controllerrevision_validate},
    /* other built-in groups */
    {"autoscaling", "HorizontalPodAutoscaler", kinds_hpa_defaults, kinds_hpa_validate},
    {"policy", "PodDisruptionBudget", NULL, kinds_pdb_validate},
    {"discovery.k8s.io", "EndpointSlice", kinds_endpointslice_defaults,
     kinds_endpointslice_validate},
    {"coordination.k8s.io", "Lease", NULL, kinds_lease_validate},
    {"apiextensions.k8s.io", "CustomResourceDefinition", kinds_crd_defaults, kinds_crd_validate},
    /* Karmada */
    {"cluster.karmada.io", "Cluster", kinds_cluster_defaults, kinds_cluster_validate},
    {"policy.karmada.io", "PropagationPolicy", kinds_pp_defaults, kinds_pp_validate},
    {"policy.karmada.io", "ClusterPropagationPolicy", kinds_cpp_defaults, kinds_pp_validate},
    {"policy.karmada.io", "OverridePolicy", kinds_op_defaults, kinds_op_validate},
    {"policy.karmada.io", "ClusterOverridePolicy", kinds_cop_defaults, kinds_op_validate},
    {"work.karmada.io", "ResourceBinding", kinds_rb_defaults, kinds_rb_validate},
    {"work.karmada.io", "ClusterResourceBinding", kinds_crb_defaults, kinds_rb_validate},
    {"autoscaling.karmada.io", "FederatedHPA", kinds_fhpa_defaults, kinds_fhpa_validate},
    {"autoscaling.karmada.io", "CronFederatedHPA", kinds_cronfhpa_defaults,
     kinds_cronfhpa_validate},
};

const struct fl_kind_hooks *fl_kind_hooks_find(const char *group, const char *kind)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(hooks); i++)
        if (!strcmp(hooks[i].group, group) && !strcmp(hooks[i].kind, kind))
            return &hooks[i];
    return NULL;
}
