/*
 * Karmada's API kinds, served natively: what Karmada's CRD schemas
 * (kubebuilder defaults, enums, required fields, bounds), its defaulting and
 * validating webhooks (pkg/webhook/..., pkg/util/validation,
 * pkg/util/lifted) and, for Cluster, its aggregated API server's strategy do.
 *
 * Schema problems are checked first and, as in a real Karmada where a
 * schema failure stops the request before any webhook runs, the webhook's
 * checks only run on an object the schema accepted. Schema messages are
 * worded like apiextensions-apiserver's ("Required value", "Unsupported
 * value", "<path> in body should be greater than or equal to 1"); webhook
 * denials, which Karmada returns as a plain message, become causes here so
 * that every rejection is one 422 with field paths.
 *
 * Defaults that depend on the operation (the permanent-id labels Karmada's
 * webhooks add on create) are added whenever missing: a later update that
 * drops the label gets a new one instead of being refused.
 */
#include "api/kinds_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/names.h"
#include "core/obj.h"

#define REPR_MAX 1024
#define GI (1024LL * 1024 * 1024)
#define CLUSTER_NAME_MAX 48

static const char *const preemptions[] = {"Always", "Never", NULL};
static const char *const conflicts[] = {"Abort", "Overwrite", NULL};
static const char *const activations[] = {"Lazy", NULL};
static const char *const spread_fields[] = {"cluster", "region", "zone", "provider", NULL};
static const char *const scheduling_types[] = {"Duplicated", "Divided", NULL};
static const char *const division_prefs[] = {"Aggregated", "Weighted", NULL};
static const char *const dynamic_weights[] = {"AvailableReplicas", NULL};
static const char *const purge_modes[] = {"Immediately", "Graciously", "Never", NULL};
static const char *const priority_sources[] = {"KubePriorityClass", NULL};
static const char *const operators3[] = {"add", "remove", "replace", NULL};
static const char *const operators2[] = {"add", "remove", NULL};
static const char *const image_components[] = {"Registry", "Repository", "Tag", NULL};
static const char *const sync_modes[] = {"Pull", "Push", NULL};
static const char *const cluster_taint_effects[] = {"NoSchedule", "NoExecute", NULL};
static const char *const model_resources[] = {"cpu", "ephemeral-storage", "memory", "storage",
                                              NULL};
static const char *const fhpa_metric_types[] = {"Resource", NULL};

/* ======================= schema-style checks ======================= */

static bool s_required(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    char p[KP_MAX];
    if (kj(obj, key))
        return true;
    kv_required(err, kchild(p, parent, key), NULL);
    return false;
}

static bool s_enum(const json_t *obj, const char *key, const char *parent,
                   const char *const *values, struct fl_err *err)
{
    char p[KP_MAX];
    const char *v = kv_str(obj, key, parent, err);
    if (!v)
        return !kj(obj, key);
    if (kin(v, values))
        return true;
    kv_unsupported(err, kchild(p, parent, key), v, values);
    return false;
}

static bool s_bounds(const json_t *obj, const char *key, const char *parent, long long min,
                     long long max, struct fl_err *err)
{
    char p[KP_MAX];
    long long v;
    if (!kv_int(obj, key, parent, err, &v))
        return !kj(obj, key);
    kchild(p, parent, key);
    if (v < min) {
        fl_err_cause(err, "FieldValueInvalid", p,
                     "Invalid value: %lld: %s in body should be greater than or equal to %lld", v,
                     p, min);
        return false;
    }
    if (v > max) {
        fl_err_cause(err, "FieldValueInvalid", p,
                     "Invalid value: %lld: %s in body should be less than or equal to %lld", v, p,
                     max);
        return false;
    }
    return true;
}

static bool s_strlen(const json_t *obj, const char *key, const char *parent, size_t min, size_t max,
                     struct fl_err *err)
{
    char p[KP_MAX];
    const char *v = kv_str(obj, key, parent, err);
    if (!v)
        return !kj(obj, key);
    kchild(p, parent, key);
    if (strlen(v) < min) {
        char d[KP_MAX + 64];
        snprintf(d, sizeof(d), "%s in body should be at least %zu chars long", p, min);
        kv_invalid_str(err, p, v, d);
        return false;
    }
    if (strlen(v) > max) {
        fl_err_cause(err, "FieldValueTooLong", p, "Too long: may not be longer than %zu", max);
        return false;
    }
    return true;
}

/* A required array of objects: each element checked by fn. */
static bool s_objects(const json_t *arr, const char *path, struct fl_err *err,
                      bool (*fn)(const json_t *, const char *, struct fl_err *))
{
    char p[KP_MAX];
    bool ok = true;
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        kp(p, "%s[%zu]", path, i);
        if (!json_is_object(x)) {
            kv_type(err, p, x, "object");
            ok = false;
            continue;
        }
        ok &= fn(x, p, err);
    }
    return ok;
}

/* ======================= shared pieces ======================= */

static void permanent_id(json_t *doc, const char *label)
{
    json_t *md = kd_obj(doc, "metadata");
    json_t *labels = kd_obj(md, "labels");
    const char *have = json_string_value(kj(labels, label));
    if (!labels || (have && have[0]))
        return;
    char id[40];
    fl_uuid4(id, sizeof(id));
    json_object_set_new(labels, label, json_string(id));
}

static bool resource_selector_schema(const json_t *sel, const char *path, struct fl_err *err)
{
    bool ok = s_required(sel, "apiVersion", path, err);
    ok &= s_required(sel, "kind", path, err);
    ok &= kv_str(sel, "apiVersion", path, err) || !kj(sel, "apiVersion");
    ok &= kv_str(sel, "kind", path, err) || !kj(sel, "kind");
    char p[KP_MAX];
    ok &= kv_label_selector(kv_obj(sel, "labelSelector", path, err),
                            kchild(p, path, "labelSelector"), err);
    return ok;
}

static void selectors_namespace(json_t *spec, const char *ns)
{
    size_t i;
    json_t *sel;
    json_array_foreach(kj(spec, "resourceSelectors"), i, sel)
    {
        if (json_is_object(sel) && ns && ns[0])
            kd_str(sel, "namespace", ns);
    }
}

/* %#v of a *v1alpha1.FieldSelector. */
static void go_field_selector(const json_t *fs, char *out, size_t len)
{
    size_t off = (size_t)snprintf(out, len, "v1alpha1.FieldSelector{MatchExpressions:");
    const json_t *me = kj(fs, "matchExpressions");
    if (!json_is_array(me)) {
        snprintf(out + off, len - off, "[]v1.NodeSelectorRequirement(nil)}");
        return;
    }
    off += (size_t)snprintf(out + off, len - off, "[]v1.NodeSelectorRequirement{");
    size_t i, j;
    json_t *req, *v;
    json_array_foreach(me, i, req)
    {
        char k[256], o[128];
        kv_quote(k, sizeof(k), json_string_value(kj(req, "key")));
        kv_quote(o, sizeof(o), json_string_value(kj(req, "operator")));
        if (off < len)
            off += (size_t)snprintf(
                out + off, len - off,
                "%sv1.NodeSelectorRequirement{Key:%s, Operator:%s, Values:", i ? ", " : "", k, o);
        const json_t *vals = kj(req, "values");
        if (!json_is_array(vals)) {
            if (off < len)
                off += (size_t)snprintf(out + off, len - off, "[]string(nil)}");
            continue;
        }
        if (off < len)
            off += (size_t)snprintf(out + off, len - off, "[]string{");
        json_array_foreach(vals, j, v)
        {
            char q[256];
            kv_quote(q, sizeof(q), json_string_value(v));
            if (off < len)
                off += (size_t)snprintf(out + off, len - off, "%s%s", j ? ", " : "", q);
        }
        if (off < len)
            off += (size_t)snprintf(out + off, len - off, "}}");
    }
    if (off < len)
        snprintf(out + off, len - off, "}}");
}

/* ValidateClusterAffinity: the field selector's keys and operators. */
static void cluster_affinity(const json_t *aff, const char *path, struct fl_err *err)
{
    char p[KP_MAX], repr[REPR_MAX], msg[512];
    const json_t *fs = kj(aff, "fieldSelector");
    size_t i;
    json_t *req;
    json_array_foreach(kj(fs, "matchExpressions"), i, req)
    {
        const char *key = json_string_value(kj(req, "key"));
        const char *op = json_string_value(kj(req, "operator"));
        char q[256];
        msg[0] = '\0';
        if (!key || (strcmp(key, "provider") && strcmp(key, "region") && strcmp(key, "zone"))) {
            kv_quote(q, sizeof(q), key ? key : "");
            snprintf(msg, sizeof(msg), "unsupported key %s, must be provider, region, or zone", q);
        } else if (!op || (strcmp(op, "In") && strcmp(op, "NotIn"))) {
            kv_quote(q, sizeof(q), op ? op : "");
            snprintf(msg, sizeof(msg), "unsupported operator %s, must be In or NotIn", q);
        }
        if (msg[0]) {
            go_field_selector(fs, repr, sizeof(repr));
            kv_invalid(err, kchild(p, path, "fieldSelector"), repr, "%s", msg);
            return;
        }
    }
}

static bool cluster_affinity_schema(const json_t *aff, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    bool ok = kv_label_selector(kv_obj(aff, "labelSelector", path, err),
                                kchild(p, path, "labelSelector"), err);
    kv_arr(aff, "clusterNames", path, err);
    kv_arr(aff, "exclude", path, err);
    const json_t *fs = kv_obj(aff, "fieldSelector", path, err);
    kv_arr(fs, "matchExpressions", kchild(p, path, "fieldSelector"), err);
    return ok;
}

static bool affinity_term_schema(const json_t *t, const char *path, struct fl_err *err)
{
    bool ok = s_required(t, "affinityName", path, err);
    ok &= s_strlen(t, "affinityName", path, 1, 32, err);
    ok &= cluster_affinity_schema(t, path, err);
    return ok;
}

static bool spread_schema(const json_t *c, const char *path, struct fl_err *err)
{
    long long v;
    bool ok = s_enum(c, "spreadByField", path, spread_fields, err);
    kv_str(c, "spreadByLabel", path, err);
    ok &= kv_int(c, "maxGroups", path, err, &v) || !kj(c, "maxGroups");
    ok &= kv_int(c, "minGroups", path, err, &v) || !kj(c, "minGroups");
    return ok;
}

static bool static_weight_schema(const json_t *w, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    bool ok = s_required(w, "targetCluster", path, err);
    ok &= s_required(w, "weight", path, err);
    ok &= s_bounds(w, "weight", path, 1, 9223372036854775807LL, err);
    const json_t *tc = kv_obj(w, "targetCluster", path, err);
    if (tc)
        ok &= cluster_affinity_schema(tc, kchild(p, path, "targetCluster"), err);
    return ok;
}

/* ======================= (Cluster)PropagationPolicy ======================= */

static void propagation_defaults(json_t *doc, bool namespaced, const char *id_label)
{
    json_t *spec = kj(doc, "spec");
    if (!json_is_object(spec))
        return;
    /* CRD defaults */
    kd_json(spec, "conflictResolution", json_string("Abort"));
    kd_json(spec, "preemption", json_string("Never"));
    kd_json(spec, "priority", json_integer(0));
    kd_json(spec, "schedulerName", json_string("default-scheduler"));
    json_t *placement = kd_obj(spec, "placement"); /* a Go struct: always marshaled */
    json_t *rs = kj(placement, "replicaScheduling");
    if (json_is_object(rs))
        kd_json(rs, "replicaSchedulingType", json_string("Divided"));
    json_t *app = kj(kj(spec, "failover"), "application");
    if (json_is_object(app)) {
        kd_json(app, "purgeMode", json_string("Graciously"));
        json_t *dc = kj(app, "decisionConditions");
        if (json_is_object(dc))
            kd_json(dc, "tolerationSeconds", json_integer(300));
    }
    /* mutating webhook */
    if (namespaced)
        selectors_namespace(spec, json_string_value(kj(kj(doc, "metadata"), "namespace")));
    size_t i;
    json_t *c;
    json_array_foreach(kj(placement, "spreadConstraints"), i, c)
    {
        if (!json_is_object(c))
            continue;
        const char *by_label = json_string_value(kj(c, "spreadByLabel"));
        const char *by_field = json_string_value(kj(c, "spreadByField"));
        if ((!by_label || !by_label[0]) && (!by_field || !by_field[0]))
            json_object_set_new(c, "spreadByField", json_string("cluster"));
        kd_int0(c, "minGroups", 1);
    }
    json_array_foreach(kj(spec, "resourceSelectors"), i, c)
    {
        const char *kind = json_string_value(kj(c, "kind"));
        const char *av = json_string_value(kj(c, "apiVersion"));
        if (kind && av && !strcmp(kind, "ServiceImport") &&
            !strcmp(av, "multicluster.x-k8s.io/v1alpha1"))
            json_object_set_new(spec, "propagateDeps", json_true());
    }
    if (json_is_object(rs) &&
        !strcmp(json_string_value(kj(rs, "replicaSchedulingType")) ?: "", "Divided"))
        kd_str(rs, "replicaDivisionPreference", "Weighted");
    if (json_is_object(app) && !strcmp(json_string_value(kj(app, "purgeMode")) ?: "", "Graciously"))
        kd_int(app, "gracePeriodSeconds", 600);
    permanent_id(doc, id_label);
}

void kinds_pp_defaults(json_t *doc)
{
    propagation_defaults(doc, true, "propagationpolicy.karmada.io/permanent-id");
}

void kinds_cpp_defaults(json_t *doc)
{
    propagation_defaults(doc, false, "clusterpropagationpolicy.karmada.io/permanent-id");
}

static bool placement_schema(const json_t *pl, struct fl_err *err)
{
    const char *path = "spec.placement";
    char p[KP_MAX];
    bool ok = true;
    const json_t *ca = kv_obj(pl, "clusterAffinity", path, err);
    if (ca)
        ok &= cluster_affinity_schema(ca, "spec.placement.clusterAffinity", err);
    ok &= s_objects(kv_arr(pl, "clusterAffinities", path, err), "spec.placement.clusterAffinities",
                    err, affinity_term_schema);
    ok &= s_objects(kv_arr(pl, "spreadConstraints", path, err), "spec.placement.spreadConstraints",
                    err, spread_schema);
    kv_arr(pl, "clusterTolerations", path, err);
    const json_t *rs = kv_obj(pl, "replicaScheduling", path, err);
    kchild(p, path, "replicaScheduling");
    ok &= s_enum(rs, "replicaSchedulingType", p, scheduling_types, err);
    ok &= s_enum(rs, "replicaDivisionPreference", p, division_prefs, err);
    const json_t *wp = kv_obj(rs, "weightPreference", p, err);
    char wpp[KP_MAX];
    kchild(wpp, p, "weightPreference");
    ok &= s_enum(wp, "dynamicWeight", wpp, dynamic_weights, err);
    ok &= s_objects(kv_arr(wp, "staticWeightList", wpp, err), kchild(p, wpp, "staticWeightList"),
                    err, static_weight_schema);
    return ok;
}

/* %#v of a v1alpha1.SpreadConstraint. */
static void go_spread(const json_t *c, char *out, size_t len)
{
    char f[128], l[256];
    kv_quote(f, sizeof(f), json_string_value(kj(c, "spreadByField")));
    kv_quote(l, sizeof(l), json_string_value(kj(c, "spreadByLabel")));
    snprintf(out, len,
             "v1alpha1.SpreadConstraint{SpreadByField:%s, SpreadByLabel:%s, MaxGroups:%lld, "
             "MinGroups:%lld}",
             f, l, (long long)json_integer_value(kj(c, "maxGroups")),
             (long long)json_integer_value(kj(c, "minGroups")));
}

static void go_spread_list(const json_t *list, char *out, size_t len)
{
    size_t off = (size_t)snprintf(out, len, "[]v1alpha1.SpreadConstraint{");
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        char one[512];
        go_spread(c, one, sizeof(one));
        if (off < len)
            off += (size_t)snprintf(out + off, len - off, "%s%s", i ? ", " : "", one);
    }
    if (off < len)
        snprintf(out + off, len - off, "}");
}

/* ValidateSpreadConstraint. */
static void spread_webhook(const json_t *list, struct fl_err *err)
{
    const char *path = "spec.placement.spreadConstraints";
    char p[KP_MAX], repr[REPR_MAX];
    json_t *fields = json_object(); /* field -> reported twice already? */
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        kp(p, "%s[%zu]", path, i);
        const char *field = json_string_value(kj(c, "spreadByField"));
        const char *label = json_string_value(kj(c, "spreadByLabel"));
        long long minv = json_integer_value(kj(c, "minGroups"));
        long long maxv = json_integer_value(kj(c, "maxGroups"));
        go_spread(c, repr, sizeof(repr));
        if (field && field[0] && label && label[0])
            kv_invalid(err, p, repr, "spreadByLabel should not co-exist with spreadByField");
        if (minv < 0)
            kv_invalid(err, p, repr, "minGroups lower than 0 is not allowed");
        if (maxv < 0)
            kv_invalid(err, p, repr, "maxGroups lower than 0 is not allowed");
        if (maxv > 0 && maxv < minv)
            kv_invalid(err, p, repr, "maxGroups lower than minGroups is not allowed");
        if (field && field[0]) {
            json_t *mark = json_object_get(fields, field);
            if (mark && json_is_false(mark)) {
                go_spread_list(list, repr, sizeof(repr));
                kv_invalid(err, path, repr, "multiple %s spread constraints are not allowed",
                           field);
                json_object_set_new(fields, field, json_true());
            } else if (!mark) {
                json_object_set_new(fields, field, json_false());
            }
        }
    }
    if (json_object_size(fields) > 0 && !json_object_get(fields, "cluster")) {
        go_spread_list(list, repr, sizeof(repr));
        kv_invalid(err, path, repr,
                   "the cluster spread constraint must be enabled in one of the constraints in "
                   "case of SpreadByField is enabled");
    }
    json_decref(fields);
}

void kinds_pp_validate(const json_t *doc, struct fl_err *err)
{
    char p[KP_MAX];
    const char *name = json_string_value(kj(kj(doc, "metadata"), "name"));
    const char *kind = json_string_value(kj(doc, "kind"));
    if (name && strlen(name) > 63)
        kv_invalid_str(
            err, "metadata.name", name,
            strcmp(kind ? kind : "", "ClusterPropagationPolicy")
                ? "PropagationPolicy's name should be no more than 63 characters"
                : "ClusterPropagationPolicy's name should be no more than 63 characters");
    /* schema */
    if (!s_required(doc, "spec", "", err))
        return;
    const json_t *spec = kv_obj(doc, "spec", "", err);
    if (!spec)
        return;
    bool ok = true;
    const json_t *sels = kv_arr(spec, "resourceSelectors", "spec", err);
    if (!kj(spec, "resourceSelectors")) {
        kv_required(err, "spec.resourceSelectors", NULL);
        ok = false;
    } else if (sels && json_array_size(sels) == 0) {
        fl_err_cause(err, "FieldValueInvalid", "spec.resourceSelectors",
                     "Invalid value: 0: spec.resourceSelectors in body should have at least 1 "
                     "items");
        ok = false;
    }
    ok &= s_objects(sels, "spec.resourceSelectors", err, resource_selector_schema);
    ok &= s_enum(spec, "preemption", "spec", preemptions, err);
    ok &= s_enum(spec, "conflictResolution", "spec", conflicts, err);
    ok &= s_enum(spec, "activationPreference", "spec", activations, err);
    long long prio;
    ok &= kv_int(spec, "priority", "spec", err, &prio) || !kj(spec, "priority");
    const json_t *pl = kv_obj(spec, "placement", "spec", err);
    ok &= placement_schema(pl, err);
    const json_t *app =
        kv_obj(kv_obj(spec, "failover", "spec", err), "application", "spec.failover", err);
    const char *ap = "spec.failover.application";
    if (app) {
        ok &= s_required(app, "decisionConditions", ap, err);
        ok &= s_enum(app, "purgeMode", ap, purge_modes, err);
    }
    const json_t *sp = kv_obj(spec, "schedulePriority", "spec", err);
    if (sp) {
        ok &= s_required(sp, "priorityClassSource", "spec.schedulePriority", err);
        ok &= s_required(sp, "priorityClassName", "spec.schedulePriority", err);
        ok &= s_enum(sp, "priorityClassSource", "spec.schedulePriority", priority_sources, err);
    }
    if (!ok)
        return;

    /* webhook: ValidatePropagationSpec */
    const json_t *ca = kj(pl, "clusterAffinity"), *cas = kj(pl, "clusterAffinities");
    if (ca && cas)
        kv_invalid(err, "spec.placement", "v1alpha1.Placement{...}",
                   "clusterAffinities cannot co-exist with clusterAffinity");
    if (ca)
        cluster_affinity(ca, "spec.placement.clusterAffinity", err);
    json_t *names = json_object();
    size_t i;
    json_t *t;
    bool dup_reported = false;
    json_array_foreach(cas, i, t)
    {
        const char *an = json_string_value(kj(t, "affinityName"));
        kp(p, "spec.placement.clusterAffinities[%zu]", i);
        kv_qualified_name(an ? an : "", p, err);
        if (json_object_get(names, an ? an : "")) {
            if (!dup_reported)
                kv_invalid(err, "spec.placement.clusterAffinities",
                           "[]v1alpha1.ClusterAffinityTerm{...}",
                           "each affinity term in a policy must have a unique name");
            dup_reported = true;
        } else {
            json_object_set_new(names, an ? an : "", json_true());
        }
        cluster_affinity(t, p, err);
    }
    json_decref(names);
    spread_webhook(kj(pl, "spreadConstraints"), err);
    if (app && !json_is_true(kj(spec, "propagateDeps")))
        kv_invalid(err, "spec.propagateDeps", "false",
                   "application failover is set, propagateDeps must be true");
    if (app) {
        long long ts;
        const json_t *dc = kj(app, "decisionConditions");
        if (kv_int(dc, "tolerationSeconds", "spec.failover.application.decisionConditions", err,
                   &ts) &&
            ts < 0)
            kv_invalid_int(err, "spec.failover.application.decisionConditions.tolerationSeconds",
                           ts, "must be greater than or equal to 0");
        const char *pm = json_string_value(kj(app, "purgeMode"));
        long long gp = 0;
        bool has_gp = kv_int(app, "gracePeriodSeconds", ap, err, &gp);
        bool gracious = pm && !strcmp(pm, "Graciously");
        if (!gracious && has_gp)
            kv_invalid_int(err, "spec.failover.application.gracePeriodSeconds", gp,
                           "only takes effect when purgeMode is graciously");
        if (gracious && !has_gp)
            kv_invalid(err, "spec.failover.application.gracePeriodSeconds", "null",
                       "should not be empty when purgeMode is graciously");
        if (has_gp && gp <= 0)
            kv_invalid_int(err, "spec.failover.application.gracePeriodSeconds", gp,
                           "must be greater than 0");
    }
    const char *pre = json_string_value(kj(spec, "preemption"));
    if (pre && !strcmp(pre, "Always"))
        json_array_foreach(sels, i, t)
        {
            const char *n = json_string_value(kj(t, "name"));
            if (!n || !n[0])
                kv_invalid_str(err, kp(p, "spec.resourceSelectors[%zu].name", i), "",
                               "name cannot be empty if preemption is Always, the empty name may "
                               "cause unexpected resources preemption");
        }
    const json_t *susp = kj(spec, "suspension");
    if (json_is_true(kj(susp, "dispatching")) &&
        json_array_size(kj(kj(susp, "dispatchingOnClusters"), "clusterNames")) > 0)
        kv_invalid(
            err, "spec.suspension.suspension",
            "v1alpha1.Suspension{Dispatching:(*bool)(0xc000000000), "
            "DispatchingOnClusters:(*v1alpha1.SuspendClusters)(0xc000000000)}",
            "suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames");
}

/* ======================= (Cluster)OverridePolicy ======================= */

void kinds_op_defaults(json_t *doc)
{
    json_t *spec = kj(doc, "spec");
    if (!json_is_object(spec))
        return;
    selectors_namespace(spec, json_string_value(kj(kj(doc, "metadata"), "namespace")));
    kd_obj(spec, "overriders"); /* non-omitempty Go struct: the webhook marshals it */
}

void kinds_cop_defaults(json_t *doc)
{
    json_t *spec = kj(doc, "spec");
    if (json_is_object(spec))
        kd_obj(spec, "overriders");
}

static bool plaintext_schema(const json_t *o, const char *path, struct fl_err *err)
{
    bool ok = s_required(o, "path", path, err);
    ok &= s_required(o, "operator", path, err);
    ok &= s_enum(o, "operator", path, operators3, err);
    return ok;
}

static bool image_schema(const json_t *o, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    bool ok = s_required(o, "component", path, err);
    ok &= s_required(o, "operator", path, err);
    ok &= s_enum(o, "component", path, image_components, err);
    ok &= s_enum(o, "operator", path, operators3, err);
    const json_t *pred = kv_obj(o, "predicate", path, err);
    if (pred)
        ok &= s_required(pred, "path", kchild(p, path, "predicate"), err);
    kv_str(o, "value", path, err);
    return ok;
}

static bool cmdargs_schema(const json_t *o, const char *path, struct fl_err *err)
{
    bool ok = s_required(o, "containerName", path, err);
    ok &= s_required(o, "operator", path, err);
    ok &= s_enum(o, "operator", path, operators2, err);
    kv_arr(o, "value", path, err);
    return ok;
}

static bool labelann_schema(const json_t *o, const char *path, struct fl_err *err)
{
    bool ok = s_required(o, "operator", path, err);
    ok &= s_enum(o, "operator", path, operators3, err);
    kv_strmap(o, "value", path, err);
    return ok;
}

static bool patch_schema(const json_t *o, const char *path, struct fl_err *err)
{
    bool ok = s_required(o, "subPath", path, err);
    ok &= s_required(o, "operator", path, err);
    ok &= s_enum(o, "operator", path, operators3, err);
    return ok;
}

static bool field_overrider_schema(const json_t *o, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    bool ok = s_required(o, "fieldPath", path, err);
    ok &= s_objects(kv_arr(o, "json", path, err), kchild(p, path, "json"), err, patch_schema);
    ok &= s_objects(kv_arr(o, "yaml", path, err), kchild(p, path, "yaml"), err, patch_schema);
    return ok;
}

static bool overriders_schema(const json_t *ov, const char *path, struct fl_err *err)
{
    static const struct {
        const char *key;
        bool (*fn)(const json_t *, const char *, struct fl_err *);
    } lists[] = {
        {"plaintext", plaintext_schema},           {"imageOverrider", image_schema},
        {"commandOverrider", cmdargs_schema},      {"argsOverrider", cmdargs_schema},
        {"labelsOverrider", labelann_schema},      {"annotationsOverrider", labelann_schema},
        {"fieldOverrider", field_overrider_schema}};
    char p[KP_MAX];
    bool ok = true;
    for (size_t i = 0; i < FL_ARRAY_LEN(lists); i++)
        ok &= s_objects(kv_arr(ov, lists[i].key, path, err), kchild(p, path, lists[i].key), err,
                        lists[i].fn);
    return ok;
}

static bool rule_schema(const json_t *r, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    bool ok = s_required(r, "overriders", path, err);
    const json_t *ov = kv_obj(r, "overriders", path, err);
    if (ov)
        ok &= overriders_schema(ov, kchild(p, path, "overriders"), err);
    const json_t *tc = kv_obj(r, "targetCluster", path, err);
    if (tc)
        ok &= cluster_affinity_schema(tc, kchild(p, path, "targetCluster"), err);
    return ok;
}

static bool overriders_empty(const json_t *ov)
{
    static const char *const keys[] = {"plaintext",     "imageOverrider",  "commandOverrider",
                                       "argsOverrider", "labelsOverrider", "annotationsOverrider"};
    for (size_t i = 0; i < FL_ARRAY_LEN(keys); i++)
        if (json_array_size(kj(ov, keys[i])) > 0)
            return false;
    return true;
}

/* github.com/go-openapi/jsonpointer New(): "" or starting with "/". */
static void json_pointer(const char *ptr, const char *path, struct fl_err *err)
{
    if (ptr && ptr[0] && ptr[0] != '/')
        kv_invalid_str(err, path, ptr, "JSON pointer must be empty or start with a \"/");
}

/* %#v of an apiextensionsv1.JSON: its raw bytes. */
static void go_raw_json(const json_t *v, char *out, size_t len)
{
    char *raw = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (!raw) {
        snprintf(out, len, "v1.JSON{Raw:[]uint8(nil)}");
        return;
    }
    size_t off = (size_t)snprintf(out, len, "v1.JSON{Raw:[]uint8{");
    for (size_t i = 0; raw[i] && off < len; i++)
        off +=
            (size_t)snprintf(out + off, len - off, "%s0x%x", i ? ", " : "", (unsigned char)raw[i]);
    if (off < len)
        snprintf(out + off, len - off, "}}");
    free(raw);
}

static void patch_ops(const json_t *list, const char *path, struct fl_err *err)
{
    char pp[KP_MAX], p[KP_MAX], repr[REPR_MAX];
    size_t i;
    json_t *op;
    json_array_foreach(list, i, op)
    {
        kp(pp, "%s[%zu]", path, i);
        json_pointer(json_string_value(kj(op, "subPath")), kchild(p, pp, "subPath"), err);
        const char *o = json_string_value(kj(op, "operator"));
        const json_t *v = kj(op, "value"); /* null unmarshals to an empty JSON */
        kchild(p, pp, "value");
        go_raw_json(v, repr, sizeof(repr));
        if (o && (!strcmp(o, "add") || !strcmp(o, "replace")) && !v)
            kv_invalid(err, p, repr, "value is required for add or replace operation");
        if (o && !strcmp(o, "remove") && v)
            kv_invalid(err, p, repr, "value is not allowed for remove operation");
    }
}

void kinds_op_validate(const json_t *doc, struct fl_err *err)
{
    char rp[KP_MAX], p[KP_MAX], ip[KP_MAX];
    const json_t *spec = kv_obj(doc, "spec", "", err);
    if (!s_required(doc, "spec", "", err) || !spec)
        return;
    bool ok = s_objects(kv_arr(spec, "resourceSelectors", "spec", err), "spec.resourceSelectors",
                        err, resource_selector_schema);
    const json_t *rules = kv_arr(spec, "overrideRules", "spec", err);
    ok &= s_objects(rules, "spec.overrideRules", err, rule_schema);
    const json_t *ov = kv_obj(spec, "overriders", "spec", err);
    if (ov)
        ok &= overriders_schema(ov, "spec.overriders", err);
    const json_t *tc = kv_obj(spec, "targetCluster", "spec", err);
    if (tc)
        ok &= cluster_affinity_schema(tc, "spec.targetCluster", err);
    if (!ok)
        return;

    /* webhook: ValidateOverrideSpec */
    if (tc)
        cluster_affinity(tc, "spec.targetCluster", err);
    if (tc && kj(spec, "overrideRules"))
        kv_invalid(err, "spec.targetCluster", "v1alpha1.ClusterAffinity{...}",
                   "overrideRules and targetCluster can't co-exist");
    if (!overriders_empty(ov) && kj(spec, "overrideRules"))
        kv_invalid(err, "spec.overriders", "v1alpha1.Overriders{...}",
                   "overrideRules and overriders can't co-exist");
    size_t i, j;
    json_t *rule, *x;
    json_array_foreach(rules, i, rule)
    {
        kp(rp, "spec.overrideRules[%zu]", i);
        const json_t *o = kj(rule, "overriders");
        json_array_foreach(kj(o, "annotationsOverrider"), j, x)
        {
            kp(ip, "%s.overriders.annotationsOverrider[%zu].value", rp, j);
            kv_annotations(kj(x, "value"), ip, err);
        }
        json_array_foreach(kj(o, "labelsOverrider"), j, x)
        {
            kp(ip, "%s.overriders.labelsOverrider[%zu].value", rp, j);
            kv_labels(kj(x, "value"), ip, err);
        }
        json_array_foreach(kj(o, "imageOverrider"), j, x)
        {
            const json_t *pred = kj(x, "predicate");
            if (pred)
                json_pointer(json_string_value(kj(pred, "path")),
                             kp(ip, "%s.overriders.imageOverrider[%zu].predicate.path", rp, j),
                             err);
        }
        json_array_foreach(kj(o, "fieldOverrider"), j, x)
        {
            kp(ip, "%s.overriders.fieldOverrider[%zu]", rp, j);
            if (json_array_size(kj(x, "yaml")) > 0 && json_array_size(kj(x, "json")) > 0)
                kv_invalid(err, ip, "v1alpha1.FieldOverrider{...}",
                           "FieldOverrider has both YAML and JSON set. Only one is allowed");
            json_pointer(json_string_value(kj(x, "fieldPath")), kchild(p, ip, "fieldPath"), err);
            patch_ops(kj(x, "json"), kchild(p, ip, "json"), err);
            patch_ops(kj(x, "yaml"), kchild(p, ip, "yaml"), err);
        }
        const json_t *rtc = kj(rule, "targetCluster");
        if (rtc)
            cluster_affinity(rtc, kchild(p, rp, "targetCluster"), err);
    }
}

/* ======================= Cluster ======================= */

static int cmp_grade(const void *a, const void *b)
{
    long long ga = json_integer_value(kj(*(json_t *const *)a, "grade"));
    long long gb = json_integer_value(kj(*(json_t *const *)b, "grade"));
    return ga < gb ? -1 : ga > gb;
}

/* SetDefaultClusterResourceModels: grades 0..8 of cpu and memory. */
static json_t *default_models(void)
{
    static const long long cpu[] = {0, 1, 2, 4, 8, 16, 32, 64, 128};
    static const long long mem[] = {0, 4, 16, 32, 64, 128, 256, 512, 1024};
    json_t *models = json_array();
    for (int g = 0; g < 9; g++) {
        char cmin[32], cmax[32], mmin[32], mmax[32];
        struct fl_quantity q = {.exp = 0, .format = FL_QTY_BINARY_SI};
        snprintf(cmin, sizeof(cmin), "%lld", cpu[g]);
        if (g < 8)
            snprintf(cmax, sizeof(cmax), "%lld", cpu[g + 1]);
        else
            snprintf(cmax, sizeof(cmax), "9223372036854775807");
        q.mant = (__int128)mem[g] * GI;
        fl_quantity_format(&q, mmin, sizeof(mmin));
        if (g < 8) {
            q.mant = (__int128)mem[g + 1] * GI;
            fl_quantity_format(&q, mmax, sizeof(mmax));
        } else {
            snprintf(mmax, sizeof(mmax), "9223372036854775807");
        }
        json_array_append_new(models, json_pack("{s:i,s:[{s:s,s:s,s:s},{s:s,s:s,s:s}]}", "grade", g,
                                                "ranges", "name", "cpu", "min", cmin, "max", cmax,
                                                "name", "memory", "min", mmin, "max", mmax));
    }
    return models;
}

/* StandardizeClusterResourceModels: by grade; first min 0, last max MaxInt64. */
static void standardize_models(json_t *models)
{
    size_t n = json_array_size(models);
    for (size_t i = 0; i < n; i++)
        if (!json_is_object(json_array_get(models, i)) ||
            !json_is_integer(kj(json_array_get(models, i), "grade")))
            return; /* validation reports it */
    json_t **v = fl_xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(models, i));
    qsort(v, n, sizeof(*v), cmp_grade);
    json_array_clear(models);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(models, v[i]);
    free(v);
    size_t i;
    json_t *r;
    json_array_foreach(kj(json_array_get(models, 0), "ranges"), i, r)
    {
        if (json_is_object(r))
            json_object_set_new(r, "min", json_string("0"));
    }
    json_array_foreach(kj(json_array_get(models, n ? n - 1 : 0), "ranges"), i, r)
    {
        if (json_is_object(r))
            json_object_set_new(r, "max", json_string("9223372036854775807"));
    }
}

void kinds_cluster_defaults(json_t *doc)
{
    json_t *spec = kd_obj(doc, "spec");
    if (!spec)
        return;
    json_t *models = kj(spec, "resourceModels");
    if (!models || (json_is_array(models) && json_array_size(models) == 0))
        json_object_set_new(spec, "resourceModels", default_models());
    else if (json_is_array(models))
        standardize_models(models);
    size_t i, j;
    json_t *m, *r;
    json_array_foreach(kj(spec, "resourceModels"), i, m)
    {
        json_array_foreach(kj(m, "ranges"), j, r)
        {
            kd_quantity(r, "min");
            kd_quantity(r, "max");
        }
    }
    json_t *t;
    json_array_foreach(kj(spec, "taints"), i, t)
    {
        const char *eff = json_string_value(kj(t, "effect"));
        if (eff && !strcmp(eff, "NoExecute") && kd_absent(t, "timeAdded")) {
            char ts[32];
            fl_time_rfc3339((int64_t)time(NULL), ts, sizeof(ts));
            json_object_set_new(t, "timeAdded", json_string(ts));
        }
    }
    const char *zone = json_string_value(kj(spec, "zone"));
    if (zone && zone[0] && json_array_size(kj(spec, "zones")) == 0) {
        json_object_set_new(spec, "zones", json_pack("[s]", zone));
        json_object_del(spec, "zone");
    }
}

/* Go's url.Parse + ValidateClusterAPIEndpoint, for the forms people write. */
static void api_endpoint(const char *ep, struct fl_err *err)
{
    const char *path = "spec.apiEndpoint";
    static const char form[] = "; desired format: hostname, hostname:port, IP or IP:port";
    const char *colon = strchr(ep, ':');
    bool scheme = ep[0] && ((ep[0] >= 'a' && ep[0] <= 'z') || (ep[0] >= 'A' && ep[0] <= 'Z'));
    for (const char *c = ep; scheme && colon && c < colon; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '+' || *c == '-' || *c == '.'))
            scheme = false;
    if (!colon || !scheme) {
        const char *slash = strchr(ep, '/');
        if (colon && (!slash || colon < slash)) {
            char d[600];
            snprintf(d, sizeof(d),
                     "apiEndpoint must be a valid URL: parse \"%s\": first path segment in URL "
                     "cannot contain colon%s",
                     ep, form);
            kv_invalid_str(err, path, ep, d);
        } else {
            kv_invalid_str(err, path, "",
                           "host must be provided; desired format: hostname, "
                           "hostname:port, IP or IP:port");
        }
        return;
    }
    const char *rest = colon + 1;
    if (strncmp(rest, "//", 2) != 0) {
        kv_invalid_str(err, path, "",
                       "host must be provided; desired format: hostname, "
                       "hostname:port, IP or IP:port");
        return;
    }
    rest += 2;
    size_t an = strcspn(rest, "/?#");
    char auth[512];
    snprintf(auth, sizeof(auth), "%.*s", (int)(an < 511 ? an : 511), rest);
    char *at = strrchr(auth, '@');
    const char *host = at ? at + 1 : auth;
    if (!host[0])
        kv_invalid_str(err, path, "",
                       "host must be provided; desired format: hostname, "
                       "hostname:port, IP or IP:port");
    if (at) {
        *at = '\0';
        kv_invalid_str(err, path, auth, "user information is not permitted in the URL");
    }
    const char *frag = strchr(rest, '#');
    const char *query = strchr(rest, '?');
    if (query && (!frag || query < frag)) {
        char q[512];
        size_t qn = frag ? (size_t)(frag - query - 1) : strlen(query + 1);
        snprintf(q, sizeof(q), "%.*s", (int)(qn < 511 ? qn : 511), query + 1);
        if (q[0])
            kv_invalid_str(err, path, q, "query parameters are not permitted in the URL");
    }
    if (frag && frag[1])
        kv_invalid_str(err, path, frag + 1, "fragments are not permitted in the URL");
}

static void resource_models(const json_t *models, struct fl_err *err)
{
    const char *path = "spec.resourceModels";
    static const char repr[] = "[]cluster.ResourceModel{...}";
    const json_t *prev = NULL;
    size_t n = json_array_size(models), i, j;
    json_t *m, *r;
    json_array_foreach(models, i, m)
    {
        const json_t *ranges = kj(m, "ranges");
        if (prev && json_integer_value(kj(m, "grade")) == json_integer_value(kj(prev, "grade"))) {
            kv_invalid(err, path, repr, "The grade of each models should not be the same");
            return;
        }
        if (prev && json_array_size(kj(prev, "ranges")) != json_array_size(ranges)) {
            kv_invalid(err, path, repr, "The number of resource types should be the same");
            return;
        }
        json_array_foreach(ranges, j, r)
        {
            const char *name = json_string_value(kj(r, "name"));
            struct fl_quantity min, max, pmax;
            if (!kin(name ? name : "", model_resources)) {
                kv_unsupported(err, "spec.resourceModels.ranges.name", name ? name : "",
                               model_resources);
                return;
            }
            if (!kq_value(kj(r, "min"), &min) || !kq_value(kj(r, "max"), &max)) {
                kv_invalid(err, path, repr, "quantities must be valid");
                return;
            }
            if (fl_quantity_cmp(&max, &min) <= 0) {
                kv_invalid(err, path, repr,
                           "The max value of each resource must be greater than the min value");
                return;
            }
            const json_t *pr = prev ? json_array_get(kj(prev, "ranges"), j) : NULL;
            if (i == 0) {
                if (fl_quantity_sign(&min) != 0) {
                    kv_invalid(err, path, repr,
                               "The min value of each resource in the first model should be 0");
                    return;
                }
            } else if (strcmp(json_string_value(kj(pr, "name")) ?: "", name) != 0) {
                kv_invalid(err, path, repr, "The resource types of each models should be the same");
                return;
            } else if (!kq_value(kj(pr, "max"), &pmax) || fl_quantity_cmp(&pmax, &min) != 0) {
                kv_invalid(err, path, repr,
                           "Model intervals for resources must be contiguous and non-overlapping");
                return;
            }
            if (i + 1 == n) {
                struct fl_quantity big;
                if (fl_quantity_parse("9223372036854775807", &big, NULL, 0) == FL_OK &&
                    fl_quantity_cmp(&max, &big) != 0) {
                    kv_invalid(err, path, repr,
                               "The max value of each resource in the last model should be "
                               "MaxInt64");
                    return;
                }
            }
        }
        prev = m;
    }
}

void kinds_cluster_validate(const json_t *doc, struct fl_err *err)
{
    const char *name = json_string_value(kj(kj(doc, "metadata"), "name"));
    if (name && name[0]) {
        char msg[1024];
        if (strlen(name) > CLUSTER_NAME_MAX)
            kv_invalid_str(err, "metadata.name", name, "must be no more than 48 characters");
        else if (!fl_name_dns1123_label(name, msg, sizeof(msg)) &&
                 !strcmp(msg, "must not contain dots"))
            kv_invalid_str(err, "metadata.name", name, msg);
    }
    const json_t *spec = kv_obj(doc, "spec", "", err);
    const char *sm = kv_str(spec, "syncMode", "spec", err);
    if (!sm || !sm[0])
        kv_required(err, "spec.syncMode", NULL);
    if (!kin(sm ? sm : "", sync_modes))
        kv_unsupported(err, "spec.syncMode", sm ? sm : "", sync_modes);
    const char *ep = kv_str(spec, "apiEndpoint", "spec", err);
    if (ep && ep[0])
        api_endpoint(ep, err);
    static const char *const refs[] = {"secretRef", "impersonatorSecretRef"};
    for (size_t i = 0; i < 2; i++) {
        char rp[KP_MAX], p[KP_MAX];
        const json_t *ref = kv_obj(spec, refs[i], "spec", err);
        if (!ref)
            continue;
        kp(rp, "spec.%s", refs[i]);
        const char *ns = kv_str(ref, "namespace", rp, err), *n = kv_str(ref, "name", rp, err);
        if (!ns || !ns[0])
            kv_required(err, kchild(p, rp, "namespace"), NULL);
        if (!n || !n[0])
            kv_required(err, kchild(p, rp, "name"), NULL);
    }
    const char *proxy = kv_str(spec, "proxyURL", "spec", err);
    if (proxy && proxy[0]) {
        const char *c = strstr(proxy, "://");
        char scheme[32] = "";
        if (c && (size_t)(c - proxy) < sizeof(scheme))
            snprintf(scheme, sizeof(scheme), "%.*s", (int)(c - proxy), proxy);
        if (strcmp(scheme, "http") && strcmp(scheme, "https") && strcmp(scheme, "socks5")) {
            char d[128], q[64];
            kv_quote(q, sizeof(q), scheme);
            snprintf(d, sizeof(d), "unsupported scheme %s, must be http, https, or socks5", q);
            kv_invalid_str(err, "spec.proxyURL", proxy, d);
        }
    }
    kinds_taints_validate(kv_arr(spec, "taints", "spec", err), "spec.taints", cluster_taint_effects,
                          "v1.Taint", err);
    const json_t *models = kv_arr(spec, "resourceModels", "spec", err);
    if (json_array_size(models) > 0)
        resource_models(models, err);
}

/* ======================= (Cluster)ResourceBinding ======================= */

void kinds_rb_defaults(json_t *doc)
{
    permanent_id(doc, "resourcebinding.karmada.io/permanent-id");
}

void kinds_crb_defaults(json_t *doc)
{
    permanent_id(doc, "clusterresourcebinding.karmada.io/permanent-id");
}

static bool target_cluster_schema(const json_t *c, const char *path, struct fl_err *err)
{
    long long r;
    bool ok = s_required(c, "name", path, err);
    ok &= kv_int(c, "replicas", path, err, &r) || !kj(c, "replicas");
    return ok;
}

void kinds_rb_validate(const json_t *doc, struct fl_err *err)
{
    if (!s_required(doc, "spec", "", err))
        return;
    const json_t *spec = kv_obj(doc, "spec", "", err);
    if (s_required(spec, "resource", "spec", err)) {
        const json_t *res = kv_obj(spec, "resource", "spec", err);
        s_required(res, "apiVersion", "spec.resource", err);
        s_required(res, "kind", "spec.resource", err);
        s_required(res, "name", "spec.resource", err);
    }
    s_objects(kv_arr(spec, "clusters", "spec", err), "spec.clusters", err, target_cluster_schema);
    s_enum(spec, "conflictResolution", "spec", conflicts, err);
    long long r;
    kv_int(spec, "replicas", "spec", err, &r);
}

/* ======================= FederatedHPA ======================= */

void kinds_fhpa_defaults(json_t *doc)
{
    kinds_hpa_spec_defaults(kj(doc, "spec"));
}

void kinds_fhpa_validate(const json_t *doc, struct fl_err *err)
{
    if (!s_required(doc, "spec", "", err))
        return;
    const json_t *spec = kv_obj(doc, "spec", "", err);
    bool ok = s_required(spec, "scaleTargetRef", "spec", err);
    const json_t *ref = kv_obj(spec, "scaleTargetRef", "spec", err);
    if (ref) {
        ok &= s_required(ref, "kind", "spec.scaleTargetRef", err);
        ok &= s_required(ref, "name", "spec.scaleTargetRef", err);
    }
    ok &= s_required(spec, "maxReplicas", "spec", err);
    if (!ok || !spec)
        return;
    kinds_hpa_spec_validate(spec, fhpa_metric_types, false, err);
}

/* ======================= CronFederatedHPA ======================= */

void kinds_cronfhpa_defaults(json_t *doc)
{
    size_t i;
    json_t *rule;
    json_array_foreach(kj(kj(doc, "spec"), "rules"), i, rule)
    {
        if (!json_is_object(rule))
            continue;
        kd_json(rule, "suspend", json_false());
        kd_json(rule, "successfulHistoryLimit", json_integer(3));
        kd_json(rule, "failedHistoryLimit", json_integer(3));
    }
}

/* One cron field: lists of *, ?, N, N-M, with /step, names, L, W and #. */
static bool cron_field(const char *f, int min, int max, const char *const *names, bool dom,
                       bool dow)
{
    char buf[128];
    if (!f[0] || strlen(f) >= sizeof(buf))
        return false;
    snprintf(buf, sizeof(buf), "%s", f);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *slash = strchr(item, '/');
        if (slash) {
            *slash = '\0';
            char *end;
            long step = strtol(slash + 1, &end, 10);
            if (!slash[1] || *end || step < 1)
                return false;
        }
        if (!strcmp(item, "*") || ((dom || dow) && !strcmp(item, "?")))
            continue;
        if ((dom && (!strcmp(item, "L") || !strcmp(item, "LW"))) || (dow && !strcmp(item, "L")))
            continue;
        char *range = strchr(item, '-');
        char *parts[2] = {item, range ? range + 1 : NULL};
        if (range)
            *range = '\0';
        for (int k = 0; k < 2 && parts[k]; k++) {
            char *v = parts[k];
            size_t n = strlen(v);
            if (dom && n > 1 && v[n - 1] == 'W')
                v[--n] = '\0';
            if (dow && n > 1 && v[n - 1] == 'L')
                v[--n] = '\0';
            char *hash = dow ? strchr(v, '#') : NULL;
            if (hash) {
                if (hash[1] < '1' || hash[1] > '5' || hash[2])
                    return false;
                *hash = '\0';
            }
            bool named = false;
            for (int nm = 0; names && names[nm]; nm++)
                if (!strcasecmp(v, names[nm]))
                    named = true;
            if (named)
                continue;
            char *end;
            long x = strtol(v, &end, 10);
            if (!v[0] || *end || x < min || x > max)
                return false;
        }
    }
    return true;
}

/* gronx's IsValid for the forms Karmada documents: macros and 5 fields. */
static bool cron_ok(const char *expr)
{
    static const char *const macros[] = {"@yearly",      "@annually",  "@monthly",   "@weekly",
                                         "@daily",       "@hourly",    "@always",    "@5minutes",
                                         "@10minutes",   "@15minutes", "@30minutes", "@everysecond",
                                         "@everyminute", NULL};
    static const char *const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
                                         "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
    static const char *const days[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};
    char buf[256], *fields[8], *save = NULL;
    int n = 0;
    if (kin(expr, macros))
        return true;
    snprintf(buf, sizeof(buf), "%s", expr);
    for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (n == 8)
            return false;
        fields[n++] = t;
    }
    int off = 0;
    if (n == 6 || n == 7)
        off = 1; /* leading seconds */
    else if (n != 5)
        return false;
    if (off && !cron_field(fields[0], 0, 59, NULL, false, false))
        return false;
    if (n == 7 && !cron_field(fields[6], 1970, 2099, NULL, false, false))
        return false;
    return cron_field(fields[off], 0, 59, NULL, false, false) &&
           cron_field(fields[off + 1], 0, 23, NULL, false, false) &&
           cron_field(fields[off + 2], 1, 31, NULL, true, false) &&
           cron_field(fields[off + 3], 1, 12, months, false, false) &&
           cron_field(fields[off + 4], 0, 7, days, false, true);
}

/* time.LoadLocation: "", "UTC", "Local" or a tz database name. Karmada's
 * webhook embeds the tz database (time/tzdata); without one on this host,
 * any well-formed name is accepted rather than refusing valid ones. */
static bool tz_ok(const char *tz)
{
    struct stat st;
    if (!tz[0] || !strcmp(tz, "UTC") || !strcmp(tz, "Local"))
        return true;
    if (tz[0] == '/' || strstr(tz, ".."))
        return false;
    if (stat("/usr/share/zoneinfo", &st) != 0) {
        for (const char *c = tz; *c; c++)
            if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                  (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '+' || *c == '/'))
                return false;
        return true;
    }
    char path[512];
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool cron_rule_schema(const json_t *r, const char *path, struct fl_err *err)
{
    long long v;
    bool b;
    bool ok = s_required(r, "name", path, err);
    ok &= s_required(r, "schedule", path, err);
    ok &= s_strlen(r, "name", path, 1, 32, err);
    ok &= kv_str(r, "schedule", path, err) || !kj(r, "schedule");
    ok &= s_bounds(r, "successfulHistoryLimit", path, 1, 32, err);
    ok &= s_bounds(r, "failedHistoryLimit", path, 0, 32, err);
    ok &= kv_int(r, "targetReplicas", path, err, &v) || !kj(r, "targetReplicas");
    ok &= kv_int(r, "targetMinReplicas", path, err, &v) || !kj(r, "targetMinReplicas");
    ok &= kv_int(r, "targetMaxReplicas", path, err, &v) || !kj(r, "targetMaxReplicas");
    ok &= kv_bool(r, "suspend", path, err, &b) || !kj(r, "suspend");
    ok &= kv_str(r, "timeZone", path, err) || !kj(r, "timeZone");
    return ok;
}

void kinds_cronfhpa_validate(const json_t *doc, struct fl_err *err)
{
    char p[KP_MAX], rp[KP_MAX];
    if (!s_required(doc, "spec", "", err))
        return;
    const json_t *spec = kv_obj(doc, "spec", "", err);
    bool ok = s_required(spec, "scaleTargetRef", "spec", err);
    ok &= s_required(spec, "rules", "spec", err);
    const json_t *ref = kv_obj(spec, "scaleTargetRef", "spec", err);
    if (ref) {
        ok &= s_required(ref, "kind", "spec.scaleTargetRef", err);
        ok &= s_required(ref, "name", "spec.scaleTargetRef", err);
    }
    const json_t *rules = kv_arr(spec, "rules", "spec", err);
    ok &= s_objects(rules, "spec.rules", err, cron_rule_schema);
    if (!ok || !spec)
        return;

    /* webhook */
    const char *av = json_string_value(kj(ref, "apiVersion"));
    const char *kind = json_string_value(kj(ref, "kind"));
    bool fhpa = false;
    kind = kind ? kind : "";
    if (av && !strcmp(av, "autoscaling.karmada.io/v1alpha1")) {
        if (strcmp(kind, "FederatedHPA") != 0) {
            char d[256];
            snprintf(d, sizeof(d), "invalid scaleTargetRef kind: %s, only support FederatedHPA",
                     kind);
            kv_invalid_str(err, "spec.scaleTargetRef.kind", kind, d);
            return;
        }
        fhpa = true;
    }
    json_t *names = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        kp(rp, "spec.rules[%zu]", i);
        const char *name = json_string_value(kj(r, "name"));
        name = name ? name : "";
        if (json_object_get(names, name))
            kv_duplicate_str(err, kchild(p, rp, "name"), name);
        json_object_set_new(names, name, json_true());
        const char *sched = json_string_value(kj(r, "schedule"));
        sched = sched ? sched : "";
        if (!cron_ok(sched))
            kv_invalid_str(err, kchild(p, rp, "schedule"), sched, "invalid cron format");
        const char *tz = json_string_value(kj(r, "timeZone"));
        if (tz && !tz_ok(tz)) {
            char d[300];
            snprintf(d, sizeof(d), "unknown time zone %s", tz);
            kv_invalid_str(err, kchild(p, rp, "timeZone"), tz, d);
        }
        if (fhpa) {
            if (!kj(r, "targetMinReplicas") && !kj(r, "targetMaxReplicas"))
                kv_invalid_str(err, rp, "",
                               "targetMinReplicas and targetMaxReplicas cannot be nil at the same "
                               "time if you want to scale FederatedHPA");
            continue;
        }
        if (!kj(r, "targetReplicas")) {
            char d[300];
            snprintf(d, sizeof(d), "targetReplicas cannot be nil if you want to scale %s", kind);
            kv_invalid_str(err, rp, "", d);
        }
    }
    json_decref(names);
}
