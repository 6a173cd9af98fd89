/*
 * autoscaling/v2 HorizontalPodAutoscaler, after pkg/apis/autoscaling/v2/
 * defaults.go and pkg/apis/autoscaling/validation in kube-apiserver 1.32.
 * The spec defaults and checks are shared with Karmada's FederatedHPA, whose
 * webhook runs a lifted copy of them (kinds_karmada.c): it differs only in
 * the metric source types it accepts and in checking metrics even when the
 * scale target reference is bad.
 *
 * Behavior defaults apply only when spec.behavior is present, as upstream:
 * scaleUp {stabilizationWindowSeconds 0, selectPolicy Max, policies Pods 4 /
 * Percent 100 per 15s}, scaleDown {selectPolicy Max, policies Percent 100 per
 * 15s} (scaleDown's window stays unset: the controller's flag decides).
 */
#include "api/kinds_int.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_CPU_UTILIZATION 80
#define MAX_PERIOD_SECONDS 1800
#define MAX_STABILIZATION_SECONDS 3600

static const char *const select_policies[] = {"Disabled", "Max", "Min", NULL};
static const char *const policy_types[] = {"Percent", "Pods", NULL};
static const char *const hpa_metric_types[] = {"ContainerResource", "External", "Object", "Pods",
                                               "Resource",          NULL};

/* ======================= defaults ======================= */

static void rules_defaults(json_t *behavior, const char *key, bool up)
{
    json_t *rules = kd_obj(behavior, key);
    if (!rules)
        return;
    kd_json(rules, "selectPolicy", json_string("Max"));
    if (up)
        kd_json(rules, "stabilizationWindowSeconds", json_integer(0));
    if (up)
        kd_json(rules, "policies",
                json_pack("[{s:s,s:i,s:i},{s:s,s:i,s:i}]", "type", "Pods", "value", 4,
                          "periodSeconds", 15, "type", "Percent", "value", 100, "periodSeconds",
                          15));
    else
        kd_json(rules, "policies",
                json_pack("[{s:s,s:i,s:i}]", "type", "Percent", "value", 100, "periodSeconds", 15));
}

void kinds_hpa_spec_defaults(json_t *spec)
{
    if (!json_is_object(spec))
        return;
    kd_int(spec, "minReplicas", 1);
    json_t *metrics = kj(spec, "metrics");
    if (!metrics || (json_is_array(metrics) && json_array_size(metrics) == 0))
        json_object_set_new(spec, "metrics",
                            json_pack("[{s:s,s:{s:s,s:{s:s,s:i}}}]", "type", "Resource", "resource",
                                      "name", "cpu", "target", "type", "Utilization",
                                      "averageUtilization", DEFAULT_CPU_UTILIZATION));
    size_t i;
    json_t *m;
    json_array_foreach(kj(spec, "metrics"), i, m)
    {
        static const char *const sources[] = {"object", "pods", "resource", "containerResource",
                                              "external"};
        for (size_t s = 0; s < FL_ARRAY_LEN(sources); s++) {
            json_t *target = kj(kj(m, sources[s]), "target");
            kd_quantity(target, "value");
            kd_quantity(target, "averageValue");
        }
    }
    json_t *behavior = kj(spec, "behavior");
    if (json_is_object(behavior)) {
        rules_defaults(behavior, "scaleUp", true);
        rules_defaults(behavior, "scaleDown", false);
    }
}

void kinds_hpa_defaults(json_t *doc)
{
    kinds_hpa_spec_defaults(kd_obj(doc, "spec"));
}

/* ======================= validation ======================= */

/* IsValidPathSegmentName. */
static void path_segment(const char *v, const char *path, struct fl_err *err)
{
    if (!strcmp(v, ".") || !strcmp(v, "..")) {
        char msg[32];
        snprintf(msg, sizeof(msg), "may not be '%s'", v);
        kv_invalid_str(err, path, v, msg);
        return;
    }
    if (strchr(v, '/'))
        kv_invalid_str(err, path, v, "may not contain '/'");
    if (strchr(v, '%'))
        kv_invalid_str(err, path, v, "may not contain '%'");
}

/* ValidateCrossVersionObjectReference; returns whether it was clean. */
static bool cross_version_ref(const json_t *ref, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    bool ok = true;
    static const char *const keys[] = {"kind", "name"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = kv_str(ref, keys[i], path, err);
        kchild(p, path, keys[i]);
        if (!v || !v[0]) {
            kv_required(err, p, NULL);
            ok = false;
        } else {
            struct fl_err scratch;
            fl_err_clear(&scratch);
            path_segment(v, p, &scratch);
            if (scratch.ncauses) {
                ok = false;
                path_segment(v, p, err);
            }
        }
    }
    return ok;
}

static void metric_identifier(const json_t *id, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    const char *name = kv_str(id, "name", path, err);
    kchild(p, path, "name");
    if (!name || !name[0])
        kv_required(err, p, "must specify a metric name");
    else
        path_segment(name, p, err);
    kv_label_selector(kv_obj(id, "selector", path, err), kchild(p, path, "selector"), err);
}

static void metric_target(const json_t *t, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    const char *type = kv_str(t, "type", path, err);
    kchild(p, path, "type");
    if (!type || !type[0])
        kv_required(err, p, "must specify a metric target type");
    if (!type ||
        (strcmp(type, "Utilization") && strcmp(type, "Value") && strcmp(type, "AverageValue")))
        kv_invalid_str(err, p, type ? type : "",
                       "must be either Utilization, Value, or AverageValue");
    static const char *const qs[] = {"value", "averageValue"};
    for (size_t i = 0; i < 2; i++) {
        struct fl_quantity q;
        char canon[FL_QUANTITY_STR_MAX];
        kchild(p, path, qs[i]);
        if (kv_quantity(t, qs[i], p, err, &q) && fl_quantity_sign(&q) != 1) {
            fl_quantity_format(&q, canon, sizeof(canon));
            kv_invalid_str(err, p, canon, "must be positive");
        }
    }
    long long u;
    if (kv_int(t, "averageUtilization", path, err, &u) && u < 1)
        kv_invalid_int(err, kchild(p, path, "averageUtilization"), u, "must be greater than 0");
}

static void resource_source(const json_t *src, const char *path, bool container, struct fl_err *err)
{
    char p[KP_MAX], tp[KP_MAX];
    const char *name = kv_str(src, "name", path, err);
    kchild(p, path, "name");
    if (!name || !name[0])
        kv_required(err, p, "must specify a resource name");
    else
        kinds_resource_name_ok(name, p, err);
    if (container) {
        const char *c = kv_str(src, "container", path, err);
        kchild(p, path, "container");
        if (!c || !c[0])
            kv_required(err, p, "must specify a container");
        else
            kv_dns_label(c, p, err);
    }
    const json_t *t = kv_obj(src, "target", path, err);
    kchild(tp, path, "target");
    metric_target(t, tp, err);
    bool util = kj(t, "averageUtilization") != NULL, avg = kj(t, "averageValue") != NULL;
    if (!util && !avg)
        kv_required(err, kchild(p, tp, "averageUtilization"),
                    "must set either a target raw value or a target utilization");
    if (util && avg)
        kv_forbidden(err, kchild(p, tp, "averageValue"),
                     "may not set both a target raw value and a target utilization");
}

static void metric_spec(const json_t *m, const char *path, const char *const *types,
                        struct fl_err *err)
{
    static const struct {
        const char *type, *field;
    } sources[] = {{"Object", "object"},
                   {"Pods", "pods"},
                   {"Resource", "resource"},
                   {"ContainerResource", "containerResource"},
                   {"External", "external"}};
    char p[KP_MAX], tp[KP_MAX];
    if (!json_is_object(m)) {
        kv_type(err, path, m, "object");
        return;
    }
    const char *type = kv_str(m, "type", path, err);
    kchild(p, path, "type");
    if (!type || !type[0])
        kv_required(err, p, "must specify a metric source type");
    if (!kin(type ? type : "", types))
        kv_unsupported(err, p, type ? type : "", types);
    const char *expected = NULL;
    int present = 0;
    for (size_t i = 0; i < FL_ARRAY_LEN(sources); i++) {
        if (!kin(sources[i].type, types))
            continue;
        if (type && !strcmp(type, sources[i].type))
            expected = sources[i].field;
        const json_t *src = kv_obj(m, sources[i].field, path, err);
        if (!src)
            continue;
        if (++present > 1)
            continue;
        kchild(p, path, sources[i].field);
        if (!strcmp(sources[i].field, "resource") ||
            !strcmp(sources[i].field, "containerResource")) {
            resource_source(src, p, !strcmp(sources[i].field, "containerResource"), err);
        } else {
            if (!strcmp(sources[i].field, "object"))
                cross_version_ref(kv_obj(src, "describedObject", p, err),
                                  kchild(tp, p, "describedObject"), err);
            metric_identifier(kv_obj(src, "metric", p, err), kchild(tp, p, "metric"), err);
            const json_t *t = kv_obj(src, "target", p, err);
            kchild(tp, p, "target");
            metric_target(t, tp, err);
            bool val = kj(t, "value") != NULL, avg = kj(t, "averageValue") != NULL;
            char q[KP_MAX];
            if (!strcmp(sources[i].field, "object") && !val && !avg)
                kv_required(err, kchild(q, tp, "averageValue"),
                            "must set either a target value or averageValue");
            if (!strcmp(sources[i].field, "external")) {
                if (!val && !avg)
                    kv_required(err, kchild(q, tp, "averageValue"),
                                "must set either a target value for metric or a per-pod target");
                if (val && avg)
                    kv_forbidden(err, kchild(q, tp, "value"),
                                 "may not set both a target value for metric and a per-pod target");
            }
            if (!strcmp(sources[i].field, "pods") && !avg)
                kv_required(err, kchild(q, tp, "averageValue"),
                            "must specify a positive target averageValue");
        }
    }
    if (expected && !kj(m, expected))
        kv_required(err, kchild(p, path, expected),
                    "must populate information for the given metric source");
    if (present > 1)
        for (size_t i = 0; i < FL_ARRAY_LEN(sources); i++)
            if (kin(sources[i].type, types) && kj(m, sources[i].field) &&
                (!expected || strcmp(expected, sources[i].field) != 0))
                kv_forbidden(err, kchild(p, path, sources[i].field),
                             "must populate the given metric source only");
}

static void scaling_rules(const json_t *rules, const char *path, struct fl_err *err)
{
    char p[KP_MAX], ip[KP_MAX];
    long long w;
    if (kv_int(rules, "stabilizationWindowSeconds", path, err, &w)) {
        kchild(p, path, "stabilizationWindowSeconds");
        if (w < 0)
            kv_invalid_int(err, p, w, "must be greater than or equal to zero");
        if (w > MAX_STABILIZATION_SECONDS)
            kv_invalid_int(err, p, w, "must be less than or equal to 3600");
    }
    const char *sp = kv_str(rules, "selectPolicy", path, err);
    if (sp && !kin(sp, select_policies))
        kv_unsupported(err, kchild(p, path, "selectPolicy"), sp, select_policies);
    const json_t *policies = kv_arr(rules, "policies", path, err);
    if (json_array_size(policies) == 0)
        kv_required(err, kchild(p, path, "policies"), "must specify at least one Policy");
    size_t i;
    json_t *pol;
    json_array_foreach(policies, i, pol)
    {
        kp(ip, "%s.policies[%zu]", path, i);
        const char *t = kv_str(pol, "type", ip, err);
        if (!kin(t ? t : "", policy_types))
            kv_unsupported(err, kchild(p, ip, "type"), t ? t : "", policy_types);
        long long v = 0, ps = 0;
        kv_int(pol, "value", ip, err, &v);
        kv_int(pol, "periodSeconds", ip, err, &ps);
        if (v <= 0)
            kv_invalid_int(err, kchild(p, ip, "value"), v, "must be greater than zero");
        if (ps <= 0)
            kv_invalid_int(err, kchild(p, ip, "periodSeconds"), ps, "must be greater than zero");
        if (ps > MAX_PERIOD_SECONDS)
            kv_invalid_int(err, kchild(p, ip, "periodSeconds"), ps,
                           "must be less than or equal to 1800");
    }
}

void kinds_hpa_spec_validate(const json_t *spec, const char *const *types, bool short_circuit,
                             struct fl_err *err)
{
    char p[KP_MAX];
    long long minr = 0, maxr = 0;
    bool has_min = kv_int(spec, "minReplicas", "spec", err, &minr);
    kv_int(spec, "maxReplicas", "spec", err, &maxr);
    if (has_min && minr < 1)
        kv_invalid_int(err, "spec.minReplicas", minr, "must be greater than or equal to 1");
    if (maxr < 1)
        kv_invalid_int(err, "spec.maxReplicas", maxr, "must be greater than 0");
    if (has_min && maxr < minr)
        kv_invalid_int(err, "spec.maxReplicas", maxr,
                       "must be greater than or equal to `minReplicas`");
    bool ref_ok =
        cross_version_ref(kv_obj(spec, "scaleTargetRef", "spec", err), "spec.scaleTargetRef", err);
    if (!ref_ok && short_circuit)
        return;
    size_t i;
    json_t *m;
    unsigned before = (unsigned)err->ncauses;
    json_array_foreach(kv_arr(spec, "metrics", "spec", err), i, m)
    {
        metric_spec(m, kp(p, "spec.metrics[%zu]", i), types, err);
    }
    if (short_circuit && (unsigned)err->ncauses != before)
        return;
    const json_t *b = kv_obj(spec, "behavior", "spec", err);
    const json_t *r;
    if ((r = kv_obj(b, "scaleUp", "spec.behavior", err)))
        scaling_rules(r, "spec.behavior.scaleUp", err);
    if ((r = kv_obj(b, "scaleDown", "spec.behavior", err)))
        scaling_rules(r, "spec.behavior.scaleDown", err);
}

void kinds_hpa_validate(const json_t *doc, struct fl_err *err)
{
    kinds_hpa_spec_validate(kv_obj(doc, "spec", "", err), hpa_metric_types, true, err);
}
