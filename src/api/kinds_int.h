/*
 * Shared inside the kinds module (kinds*.c), not part of its interface.
 *
 * Field paths are built into caller buffers of KP_MAX bytes ("spec.ports[0]"),
 * as upstream's field.Path prints them. Causes carry upstream's types and
 * wording: "Required value", "Invalid value: <v>: <detail>", "Unsupported
 * value: \"X\": supported values: \"A\", \"B\"", "Duplicate value: ...",
 * "Forbidden: ...", "Not found: ...". Values are printed the way Go's
 * field.Error prints them in 1.32: strings quoted (%q), integers bare, and
 * structures the way %#v prints them.
 *
 * JSON reading in validation is type-checked: a member of the wrong JSON
 * type becomes a FieldValueTypeInvalid cause worded like the CRD schema
 * validator's ("spec.replicas in body must be of type integer: \"string\"")
 * and is then treated as absent. A JSON null is absent, as Go decodes it.
 * Defaulting never reports: it fills what is absent and leaves anything of
 * the wrong type for validation to report.
 */
#ifndef FL_API_KINDS_INT_H
#define FL_API_KINDS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/quantity.h"

#define KP_MAX 256

/* ---- paths and causes (kinds_util.c) ---- */

/* printf into out (KP_MAX bytes); returns out. */
const char *kp(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Go's strconv.Quote of s into out. */
void kv_quote(char *out, size_t len, const char *s);

void kv_required(struct fl_err *err, const char *path, const char *detail);
void kv_forbidden(struct fl_err *err, const char *path, const char *detail);
/* "Invalid value: <repr>: <detail>", repr printed as is (already Go-formatted). */
void kv_invalid(struct fl_err *err, const char *path, const char *repr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kv_invalid_int(struct fl_err *err, const char *path, long long v, const char *detail);
void kv_invalid_str(struct fl_err *err, const char *path, const char *v, const char *detail);
/* valid: NULL-terminated. */
void kv_unsupported(struct fl_err *err, const char *path, const char *v, const char *const *valid);
/* The same with a value already printed Go-style (a struct's %#v). */
void kv_unsupported_repr(struct fl_err *err, const char *path, const char *repr,
                         const char *const *valid);
void kv_duplicate_str(struct fl_err *err, const char *path, const char *v);
void kv_notfound_str(struct fl_err *err, const char *path, const char *v);
void kv_toolong(struct fl_err *err, const char *path, long long max);
/* A member of the wrong JSON type: want is "string", "integer", "object", ... */
void kv_type(struct fl_err *err, const char *path, const json_t *v, const char *want);

/* ---- type-checked reading (kinds_util.c) ---- */

/* The member, or NULL when obj is not an object, the member is absent or null. */
json_t *kj(const json_t *obj, const char *key);
/* parent.key into out ("key" when parent is empty). */
const char *kchild(char *out, const char *parent, const char *key);
/* Each returns the member when present with the right type; absent or null
 * gives NULL/false silently, the wrong type a cause and NULL/false. */
const char *kv_str(const json_t *obj, const char *key, const char *parent, struct fl_err *err);
bool kv_int(const json_t *obj, const char *key, const char *parent, struct fl_err *err,
            long long *out);
bool kv_bool(const json_t *obj, const char *key, const char *parent, struct fl_err *err, bool *out);
const json_t *kv_obj(const json_t *obj, const char *key, const char *parent, struct fl_err *err);
const json_t *kv_arr(const json_t *obj, const char *key, const char *parent, struct fl_err *err);
/* A map of strings: the object, or NULL (wrong-typed values are reported). */
const json_t *kv_strmap(const json_t *obj, const char *key, const char *parent, struct fl_err *err);
/* Whether s is one of the NULL-terminated list. */
bool kin(const char *s, const char *const *list);

/* ---- defaulting (kinds_util.c) ---- */

/* obj[key] as an object, created when absent or null; NULL when obj is not an
 * object or the member has another type. */
json_t *kd_obj(json_t *obj, const char *key);
/* Set when absent, null, or (strings) empty: Go cannot tell "" from unset. */
void kd_str(json_t *obj, const char *key, const char *val);
void kd_int(json_t *obj, const char *key, long long val);
/* Set when absent, null or 0 (non-pointer Go integers). */
void kd_int0(json_t *obj, const char *key, long long val);
void kd_bool(json_t *obj, const char *key, bool val);
/* Set obj[key] = val (stolen) when absent or null; else drop val. */
void kd_json(json_t *obj, const char *key, json_t *val);
/* Whether obj[key] is absent or null. */
bool kd_absent(const json_t *obj, const char *key);

/* ---- common validators (kinds_util.c) ---- */

/* ValidateNonnegativeField: "must be greater than or equal to 0". */
void kv_nonneg(const json_t *obj, const char *key, const char *parent, struct fl_err *err);
/* ValidateDNS1123Label / Subdomain / DNS-1035 label / qualified name / label
 * value / IANA port name / config key: one Invalid cause per message. */
bool kv_dns_label(const char *v, const char *path, struct fl_err *err);
bool kv_dns_subdomain(const char *v, const char *path, struct fl_err *err);
bool kv_dns1035(const char *v, const char *path, struct fl_err *err);
bool kv_qualified_name(const char *v, const char *path, struct fl_err *err);
bool kv_label_value(const char *v, const char *path, struct fl_err *err);
bool kv_port_name(const char *v, const char *path, struct fl_err *err);
bool kv_config_key(const char *v, const char *path, struct fl_err *err);
bool kv_is_dns1035(const char *v);
/* IsDNS1035Label's messages joined by ",", into msg; false when invalid. */
bool kdns1035(const char *v, char *msg, size_t len);
/* names.h joins messages with "; "; upstream sometimes joins with ";" or ",":
 * rewrite msg in place with sep between messages. */
void kmsg_rejoin(char *msg, char sep);
bool kv_is_port_name(const char *v);
bool kv_is_config_key(const char *v);
/* IsValidPortNum on obj[key]. KPORT_OPTIONAL: absent or 0 means unset;
 * KPORT_REQUIRED: absent or 0 is "Required value"; KPORT_RANGE: absent is 0,
 * which is out of range. */
enum { KPORT_OPTIONAL, KPORT_REQUIRED, KPORT_RANGE };
void kv_port_num(const json_t *obj, const char *key, const char *parent, int mode,
                 struct fl_err *err);
/* ValidateLabels on a map of strings at path. */
void kv_labels(const json_t *map, const char *path, struct fl_err *err);
/* ValidateAnnotations (keys, total size). */
void kv_annotations(const json_t *map, const char *path, struct fl_err *err);

/* metav1.LabelSelector: ValidateLabelSelector; returns whether it converts to
 * a selector (LabelSelectorAsSelector would succeed). */
bool kv_label_selector(const json_t *sel, const char *path, struct fl_err *err);
/* Whether sel has no matchLabels and no matchExpressions. */
bool ksel_empty(const json_t *sel);
/* Go's %#v of a *metav1.LabelSelector / map[string]string. */
void kgo_selector(const json_t *sel, char *out, size_t len);
void kgo_strmap(const json_t *map, char *out, size_t len);

/* intstr.IntOrString: 0 absent, 1 integer, 2 string, -1 wrong type (reported). */
int kv_intstr(const json_t *obj, const char *key, const char *parent, struct fl_err *err);
/* %#v of an IntOrString member (absent: the zero value). */
void kgo_intstr(const json_t *v, char *out, size_t len);
/* getIntOrPercentValue. */
long long kintstr_value(const json_t *v);
/* ValidatePositiveIntOrPercent of obj[key]. */
void kv_int_or_percent(const json_t *obj, const char *key, const char *parent, struct fl_err *err);
/* IsNotMoreThan100Percent of obj[key]. */
void kv_not_over_100(const json_t *obj, const char *key, const char *parent, struct fl_err *err);

/* A quantity member (string or number): parsed into q; false when absent or
 * not a quantity (reported). */
bool kv_quantity(const json_t *obj, const char *key, const char *path, struct fl_err *err,
                 struct fl_quantity *q);
/* Rewrite every quantity in the map obj[key] (or obj[key] itself when it is
 * a quantity) in canonical form, as the API server stores it. */
void kd_quantities(json_t *obj, const char *key);
/* Parse a quantity value quietly (string or number). */
bool kq_value(const json_t *v, struct fl_quantity *q);
void kd_quantity(json_t *obj, const char *key);

/* ---- Kubernetes kinds (kinds_pod.c, kinds_core.c, kinds_apps.c, ...) ---- */

/* PodSpec defaults (SetDefaults_PodSpec and the generated per-field ones);
 * is_pod adds SetDefaults_Pod's (enableServiceLinks, requests from limits,
 * hostNetwork ports). */
void kinds_podspec_defaults(json_t *spec, bool is_pod);
/* A pod template's defaults: metadata.creationTimestamp null (as 1.32
 * serializes the zero time) and the pod spec's. */
void kinds_pod_template_defaults(json_t *tmpl);
/* ValidatePodTemplateSpec at path ("spec.template"): labels, annotations,
 * the pod spec. */
void kinds_pod_template_validate(const json_t *tmpl, const char *path, struct fl_err *err);
/* ValidatePodSpec at path. */
void kinds_podspec_validate(const json_t *spec, const char *path, bool is_pod, struct fl_err *err);
/* PersistentVolumeClaim defaults/validation of a PVC object (volumeClaimTemplates
 * and PVCs), spec validation at path. */
void kinds_pvc_defaults(json_t *pvc);
void kinds_pvc_spec_validate(const json_t *spec, const char *path, struct fl_err *err);
/* Toleration list validation (ValidateTolerations) and taints (Node, Cluster). */
void kinds_tolerations_validate(const json_t *list, const char *path, struct fl_err *err);
/* effects: the allowed ones; go_type: how %#v names the taint type
 * ("core.Taint" for Nodes, "v1.Taint" for Karmada Clusters). */
void kinds_taints_validate(const json_t *list, const char *path, const char *const *effects,
                           const char *go_type, struct fl_err *err);
/* Container resource name (validateContainerResourceName). */
bool kinds_resource_name_ok(const char *name, const char *path, struct fl_err *err);

/* autoscaling/v2 pieces shared with Karmada's FederatedHPA (kinds_autoscaling.c). */
void kinds_hpa_spec_defaults(json_t *spec);
/* types: the metric source types accepted (NULL-terminated, upstream order). */
void kinds_hpa_spec_validate(const json_t *spec, const char *const *types, bool short_circuit,
                             struct fl_err *err);

void kinds_namespace_defaults(json_t *doc);
void kinds_configmap_validate(const json_t *doc, struct fl_err *err);
void kinds_pod_defaults(json_t *doc);
void kinds_pod_validate(const json_t *doc, struct fl_err *err);
void kinds_service_defaults(json_t *doc);
void kinds_service_validate(const json_t *doc, struct fl_err *err);
void kinds_secret_defaults(json_t *doc);
void kinds_secret_validate(const json_t *doc, struct fl_err *err);
void kinds_serviceaccount_validate(const json_t *doc, struct fl_err *err);
void kinds_event_validate(const json_t *doc, struct fl_err *err);
void kinds_node_defaults(json_t *doc);
void kinds_node_validate(const json_t *doc, struct fl_err *err);
void kinds_pvc_object_defaults(json_t *doc);
void kinds_pvc_validate(const json_t *doc, struct fl_err *err);
void kinds_endpoints_defaults(json_t *doc);
void kinds_endpoints_validate(const json_t *doc, struct fl_err *err);

void kinds_deployment_defaults(json_t *doc);
void kinds_deployment_validate(const json_t *doc, struct fl_err *err);
void kinds_statefulset_defaults(json_t *doc);
void kinds_statefulset_validate(const json_t *doc, struct fl_err *err);
void kinds_replicaset_defaults(json_t *doc);
void kinds_replicaset_validate(const json_t *doc, struct fl_err *err);
void kinds_daemonset_defaults(json_t *doc);
void kinds_daemonset_validate(const json_t *doc, struct fl_err *err);
void kinds_controllerrevision_validate(const json_t *doc, struct fl_err *err);

void kinds_hpa_defaults(json_t *doc);
void kinds_hpa_validate(const json_t *doc, struct fl_err *err);
void kinds_pdb_validate(const json_t *doc, struct fl_err *err);
void kinds_endpointslice_defaults(json_t *doc);
void kinds_endpointslice_validate(const json_t *doc, struct fl_err *err);
void kinds_lease_validate(const json_t *doc, struct fl_err *err);
void kinds_crd_defaults(json_t *doc);
void kinds_crd_validate(const json_t *doc, struct fl_err *err);

/* Karmada (kinds_karmada.c). */
void kinds_pp_defaults(json_t *doc);
void kinds_cpp_defaults(json_t *doc);
void kinds_pp_validate(const json_t *doc, struct fl_err *err);
void kinds_op_defaults(json_t *doc);
void kinds_cop_defaults(json_t *doc);
void kinds_op_validate(const json_t *doc, struct fl_err *err);
void kinds_cluster_defaults(json_t *doc);
void kinds_cluster_validate(const json_t *doc, struct fl_err *err);
void kinds_rb_defaults(json_t *doc);
void kinds_crb_defaults(json_t *doc);
void kinds_rb_validate(const json_t *doc, struct fl_err *err);
void kinds_fhpa_defaults(json_t *doc);
void kinds_fhpa_validate(const json_t *doc, struct fl_err *err);
void kinds_cronfhpa_defaults(json_t *doc);
void kinds_cronfhpa_validate(const json_t *doc, struct fl_err *err);

#endif
