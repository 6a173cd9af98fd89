/*
 * apps/v1 kinds: Deployment, StatefulSet, ReplicaSet, DaemonSet and
 * ControllerRevision, after pkg/apis/apps/v1/defaults.go and
 * pkg/apis/apps/validation in kube-apiserver 1.32. Pod templates go through
 * kinds_pod.c, except for StatefulSets: upstream validates only their
 * template's labels and annotations, never its pod spec, and so do we.
 *
 * Selectors follow LabelSelectorAsSelector: an absent selector selects
 * nothing (so the template never matches it), an empty one selects
 * everything (and the match check is skipped).
 */
#include "api/kinds_int.h"
#include "core/labels.h"

#include <stdio.h>
#include <string.h>

#define REPR_MAX 1024

static const char *const always_only[] = {"Always", NULL};
static const char *const deployment_strategies[] = {"Recreate", "RollingUpdate", NULL};
static const char *const daemonset_strategies[] = {"RollingUpdate", "OnDelete", NULL};
static const char *const retention_policies[] = {"Retain", "Delete", NULL};

/* ======================= defaults ======================= */

void kinds_deployment_defaults(json_t *doc)
{
    json_t *spec = kd_obj(doc, "spec");
    if (!spec)
        return;
    kd_int(spec, "replicas", 1);
    json_t *st = kd_obj(spec, "strategy");
    kd_str(st, "type", "RollingUpdate");
    if (st && !strcmp(json_string_value(kj(st, "type")) ?: "", "RollingUpdate")) {
        json_t *ru = kd_obj(st, "rollingUpdate");
        kd_json(ru, "maxUnavailable", json_string("25%"));
        kd_json(ru, "maxSurge", json_string("25%"));
    }
    kd_int(spec, "revisionHistoryLimit", 10);
    kd_int(spec, "progressDeadlineSeconds", 600);
    kinds_pod_template_defaults(kd_obj(spec, "template"));
}

void kinds_replicaset_defaults(json_t *doc)
{
    json_t *spec = kd_obj(doc, "spec");
    if (!spec)
        return;
    kd_int(spec, "replicas", 1);
    kinds_pod_template_defaults(kd_obj(spec, "template"));
}

void kinds_daemonset_defaults(json_t *doc)
{
    json_t *spec = kd_obj(doc, "spec");
    if (!spec)
        return;
    json_t *us = kd_obj(spec, "updateStrategy");
    kd_str(us, "type", "RollingUpdate");
    if (us && !strcmp(json_string_value(kj(us, "type")) ?: "", "RollingUpdate")) {
        json_t *ru = kd_obj(us, "rollingUpdate");
        kd_json(ru, "maxUnavailable", json_integer(1));
        kd_json(ru, "maxSurge", json_integer(0));
    }
    kd_int(spec, "revisionHistoryLimit", 10);
    kinds_pod_template_defaults(kd_obj(spec, "template"));
}

void kinds_statefulset_defaults(json_t *doc)
{
    json_t *spec = kd_obj(doc, "spec");
    if (!spec)
        return;
    kd_str(spec, "podManagementPolicy", "OrderedReady");
    json_t *us = kd_obj(spec, "updateStrategy");
    const char *type = json_string_value(kj(us, "type"));
    if (us && (!type || !type[0])) {
        json_object_set_new(us, "type", json_string("RollingUpdate"));
        kd_obj(us, "rollingUpdate");
    }
    json_t *ru = kj(us, "rollingUpdate");
    if (!strcmp(json_string_value(kj(us, "type")) ?: "", "RollingUpdate") && json_is_object(ru))
        kd_int(ru, "partition", 0);
    json_t *rp = kd_obj(spec, "persistentVolumeClaimRetentionPolicy");
    kd_str(rp, "whenDeleted", "Retain");
    kd_str(rp, "whenScaled", "Retain");
    kd_int(spec, "replicas", 1);
    kd_int(spec, "revisionHistoryLimit", 10);
    kinds_pod_template_defaults(kd_obj(spec, "template"));
    size_t i;
    json_t *vct;
    json_array_foreach(kj(spec, "volumeClaimTemplates"), i, vct)
    {
        if (!json_is_object(vct))
            continue;
        /* The internal→v1 conversion always writes these (issue 87583). */
        json_object_set_new(vct, "apiVersion", json_string("v1"));
        json_object_set_new(vct, "kind", json_string("PersistentVolumeClaim"));
        json_t *md = kd_obj(vct, "metadata");
        if (md && !json_object_get(md, "creationTimestamp"))
            json_object_set_new(md, "creationTimestamp", json_null());
        kinds_pvc_defaults(vct);
    }
}

/* ======================= validation ======================= */

/* The template's labels (a map, or NULL). */
static const json_t *template_labels(const json_t *spec)
{
    const json_t *labels = kj(kj(kj(spec, "template"), "metadata"), "labels");
    return json_is_object(labels) ? labels : NULL;
}

/* "`selector` does not match template `labels`" unless sel selects the
 * template (an empty selector selects everything). */
static void selector_matches_template(const json_t *spec, const json_t *sel, struct fl_err *err)
{
    const json_t *labels = template_labels(spec);
    if (sel && ksel_empty(sel))
        return;
    if (!json_is_object(sel) || !fl_labelsel_json_match(sel, labels)) {
        char repr[REPR_MAX];
        kgo_strmap(labels, repr, sizeof(repr));
        kv_invalid(err, "spec.template.metadata.labels", repr,
                   "`selector` does not match template `labels`");
    }
}

/* Selector required, valid, non-empty; returns whether it converts. */
static bool required_selector(const json_t *spec, const char *what, struct fl_err *err)
{
    char repr[REPR_MAX];
    json_t *sel = kj(spec, "selector");
    if (!sel) {
        kv_required(err, "spec.selector", NULL);
        return true; /* converts to "nothing" */
    }
    if (!json_is_object(sel)) {
        kv_type(err, "spec.selector", sel, "object");
        return false;
    }
    bool ok = kv_label_selector(sel, "spec.selector", err);
    if (ksel_empty(sel)) {
        kgo_selector(sel, repr, sizeof(repr));
        kv_invalid(err, "spec.selector", repr, "empty selector is invalid for %s", what);
    }
    return ok;
}

/* Pod template rules shared by Deployments, ReplicaSets and DaemonSets. */
static void template_always(const json_t *spec, const char *what, bool forbid, struct fl_err *err)
{
    const json_t *tspec = kj(kj(spec, "template"), "spec");
    const char *rp = json_string_value(kj(tspec, "restartPolicy"));
    if (!rp || strcmp(rp, "Always") != 0)
        kv_unsupported(err, "spec.template.spec.restartPolicy", rp ? rp : "", always_only);
    json_t *ads = kj(tspec, "activeDeadlineSeconds");
    if (!ads)
        return;
    char msg[128];
    snprintf(msg, sizeof(msg), "activeDeadlineSeconds in %s is not Supported", what);
    if (forbid)
        kv_forbidden(err, "spec.template.spec.activeDeadlineSeconds", msg);
    else
        kv_invalid_int(err, "spec.template.spec.activeDeadlineSeconds",
                       json_is_integer(ads) ? json_integer_value(ads) : 0, msg);
}

/* ValidatePodTemplateSpecForReplicaSet. */
static void replicaset_template(const json_t *spec, struct fl_err *err)
{
    selector_matches_template(spec, kj(spec, "selector"), err);
    kinds_pod_template_validate(kv_obj(spec, "template", "spec", err), "spec.template", err);
    template_always(spec, "ReplicaSet", true, err);
}

static void deployment_strategy(const json_t *spec, struct fl_err *err)
{
    char repr[REPR_MAX], q[512];
    const json_t *st = kv_obj(spec, "strategy", "spec", err);
    const char *type = kv_str(st, "type", "spec.strategy", err);
    const json_t *ru = kv_obj(st, "rollingUpdate", "spec.strategy", err);
    const char *path = "spec.strategy.rollingUpdate";
    if (type && !strcmp(type, "Recreate")) {
        if (ru)
            kv_forbidden(err, path, "may not be specified when strategy `type` is 'Recreate'");
    } else if (type && !strcmp(type, "RollingUpdate")) {
        if (!ru) {
            kv_required(err, path, "this should be defaulted and never be nil");
            return;
        }
        kv_int_or_percent(ru, "maxUnavailable", path, err);
        kv_int_or_percent(ru, "maxSurge", path, err);
        const json_t *mu = kj(ru, "maxUnavailable"), *ms = kj(ru, "maxSurge");
        if (kintstr_value(mu) == 0 && kintstr_value(ms) == 0) {
            kgo_intstr(mu, repr, sizeof(repr));
            kv_invalid(err, "spec.strategy.rollingUpdate.maxUnavailable", repr,
                       "may not be 0 when `maxSurge` is 0");
        }
        kv_not_over_100(ru, "maxUnavailable", path, err);
    } else {
        kv_quote(q, sizeof(q), type ? type : "");
        snprintf(repr, sizeof(repr),
                 "apps.DeploymentStrategy{Type:%s, RollingUpdate:(*apps.RollingUpdateDeployment)"
                 "(%s)}",
                 q, ru ? "0xc000000000" : "nil");
        kv_unsupported_repr(err, "spec.strategy", repr, deployment_strategies);
    }
}

void kinds_deployment_validate(const json_t *doc, struct fl_err *err)
{
    char repr[REPR_MAX];
    const json_t *spec = kv_obj(doc, "spec", "", err);
    kv_nonneg(spec, "replicas", "spec", err);
    if (required_selector(spec, "deployment", err)) {
        replicaset_template(spec, err);
    } else if (json_is_object(kj(spec, "selector"))) {
        kgo_selector(kj(spec, "selector"), repr, sizeof(repr));
        kv_invalid(err, "spec.selector", repr, "invalid label selector");
    }
    deployment_strategy(spec, err);
    kv_nonneg(spec, "minReadySeconds", "spec", err);
    kv_nonneg(spec, "revisionHistoryLimit", "spec", err);
    long long pds, mrs = 0;
    kv_int(spec, "minReadySeconds", "spec", NULL, &mrs);
    if (kv_int(spec, "progressDeadlineSeconds", "spec", err, &pds)) {
        if (pds < 0)
            kv_invalid_int(err, "spec.progressDeadlineSeconds", pds,
                           "must be greater than or equal to 0");
        if (pds <= mrs)
            kv_invalid_int(err, "spec.progressDeadlineSeconds", pds,
                           "must be greater than minReadySeconds");
    }
}

void kinds_replicaset_validate(const json_t *doc, struct fl_err *err)
{
    char repr[REPR_MAX];
    const json_t *spec = kv_obj(doc, "spec", "", err);
    kv_nonneg(spec, "replicas", "spec", err);
    kv_nonneg(spec, "minReadySeconds", "spec", err);
    /* Upstream's ReplicaSet message says "deployment" too. */
    if (required_selector(spec, "deployment", err)) {
        replicaset_template(spec, err);
    } else if (json_is_object(kj(spec, "selector"))) {
        kgo_selector(kj(spec, "selector"), repr, sizeof(repr));
        kv_invalid(err, "spec.selector", repr, "invalid label selector");
    }
}

void kinds_daemonset_validate(const json_t *doc, struct fl_err *err)
{
    char repr[REPR_MAX], q[512];
    const json_t *spec = kv_obj(doc, "spec", "", err);
    json_t *sel = kj(spec, "selector");
    bool ok = true;
    if (sel && !json_is_object(sel)) {
        kv_type(err, "spec.selector", sel, "object");
        ok = false;
    } else if (sel) {
        ok = kv_label_selector(sel, "spec.selector", err);
    }
    if (ok)
        selector_matches_template(spec, sel, err);
    if (json_is_object(sel) && ksel_empty(sel)) {
        kgo_selector(sel, repr, sizeof(repr));
        kv_invalid(err, "spec.selector", repr, "empty selector is invalid for daemonset");
    }
    kinds_pod_template_validate(kv_obj(spec, "template", "spec", err), "spec.template", err);
    template_always(spec, "DaemonSet", false, err);
    kv_nonneg(spec, "minReadySeconds", "spec", err);
    kv_nonneg(spec, "templateGeneration", "spec", err);

    const char *path = "spec.updateStrategy.rollingUpdate";
    const json_t *us = kv_obj(spec, "updateStrategy", "spec", err);
    const char *type = kv_str(us, "type", "spec.updateStrategy", err);
    const json_t *ru = kv_obj(us, "rollingUpdate", "spec.updateStrategy", err);
    if (type && !strcmp(type, "RollingUpdate")) {
        if (!ru) {
            kv_required(err, path, NULL);
        } else {
            kv_int_or_percent(ru, "maxUnavailable", path, err);
            kv_int_or_percent(ru, "maxSurge", path, err);
            kv_not_over_100(ru, "maxUnavailable", path, err);
            kv_not_over_100(ru, "maxSurge", path, err);
            const json_t *mu = kj(ru, "maxUnavailable"), *ms = kj(ru, "maxSurge");
            bool has_mu = kintstr_value(mu) != 0, has_ms = kintstr_value(ms) != 0;
            if (has_mu && has_ms) {
                kgo_intstr(ms, repr, sizeof(repr));
                kv_invalid(err, "spec.updateStrategy.rollingUpdate.maxSurge", repr,
                           "may not be set when maxUnavailable is non-zero");
            } else if (!has_mu && !has_ms) {
                kv_required(err, "spec.updateStrategy.rollingUpdate.maxUnavailable",
                            "cannot be 0 when maxSurge is 0");
            }
        }
    } else if (!type || strcmp(type, "OnDelete") != 0) {
        kv_quote(q, sizeof(q), type ? type : "");
        snprintf(
            repr, sizeof(repr),
            "apps.DaemonSetUpdateStrategy{Type:%s, RollingUpdate:(*apps.RollingUpdateDaemonSet)"
            "(%s)}",
            q, ru ? "0xc000000000" : "nil");
        kv_unsupported_repr(err, "spec.updateStrategy", repr, daemonset_strategies);
    }
    kv_nonneg(spec, "revisionHistoryLimit", "spec", err);
}

static void retention(const json_t *rp, const char *key, struct fl_err *err)
{
    char p[KP_MAX];
    const char *v = kv_str(rp, key, "spec.persistentVolumeClaimRetentionPolicy", err);
    if (!kin(v ? v : "", retention_policies))
        kv_unsupported(err, kp(p, "spec.persistentVolumeClaimRetentionPolicy.%s", key), v ? v : "",
                       retention_policies);
}

void kinds_statefulset_validate(const json_t *doc, struct fl_err *err)
{
    char repr[REPR_MAX], q[512];
    const json_t *spec = kv_obj(doc, "spec", "", err);

    const char *pmp = kv_str(spec, "podManagementPolicy", "spec", err);
    if (!pmp || !pmp[0])
        kv_required(err, "spec.podManagementPolicy", NULL);
    else if (strcmp(pmp, "OrderedReady") && strcmp(pmp, "Parallel"))
        kv_invalid_str(err, "spec.podManagementPolicy", pmp,
                       "must be 'OrderedReady' or 'Parallel'");

    const json_t *us = kv_obj(spec, "updateStrategy", "spec", err);
    const char *type = kv_str(us, "type", "spec.updateStrategy", err);
    const json_t *ru = kv_obj(us, "rollingUpdate", "spec.updateStrategy", err);
    const char *rpath = "spec.updateStrategy.rollingUpdate";
    if (!type || !type[0]) {
        kv_required(err, "spec.updateStrategy", NULL);
    } else if (!strcmp(type, "OnDelete")) {
        if (ru) {
            long long part = 0;
            kv_int(ru, "partition", rpath, NULL, &part);
            snprintf(repr, sizeof(repr),
                     "apps.RollingUpdateStatefulSetStrategy{Partition:%lld, "
                     "MaxUnavailable:(*intstr.IntOrString)(%s)}",
                     part, kj(ru, "maxUnavailable") ? "0xc000000000" : "nil");
            kv_invalid(err, rpath, repr, "only allowed for updateStrategy 'RollingUpdate'");
        }
    } else if (!strcmp(type, "RollingUpdate")) {
        if (ru) {
            kv_nonneg(ru, "partition", rpath, err);
            if (kj(ru, "maxUnavailable")) {
                const json_t *mu = kj(ru, "maxUnavailable");
                kv_int_or_percent(ru, "maxUnavailable", rpath, err);
                if (kintstr_value(mu) == 0) {
                    kgo_intstr(mu, repr, sizeof(repr));
                    kv_invalid(err, "spec.updateStrategy.rollingUpdate.maxUnavailable", repr,
                               "cannot be 0");
                }
                kv_not_over_100(ru, "maxUnavailable", rpath, err);
            }
        }
    } else {
        kv_quote(q, sizeof(q), type);
        snprintf(repr, sizeof(repr),
                 "apps.StatefulSetUpdateStrategy{Type:%s, "
                 "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(%s)}",
                 q, ru ? "0xc000000000" : "nil");
        kv_invalid(err, "spec.updateStrategy", repr, "must be 'RollingUpdate' or 'OnDelete'");
    }

    kv_nonneg(spec, "revisionHistoryLimit", "spec", err);
    const json_t *rp = kv_obj(spec, "persistentVolumeClaimRetentionPolicy", "spec", err);
    if (rp) {
        retention(rp, "whenDeleted", err);
        retention(rp, "whenScaled", err);
    }
    kv_nonneg(spec, "replicas", "spec", err);
    kv_nonneg(spec, "minReadySeconds", "spec", err);
    const json_t *ord = kv_obj(spec, "ordinals", "spec", err);
    kv_nonneg(ord, "start", "spec.ordinals", err);

    if (required_selector(spec, "statefulset", err)) {
        const json_t *tmpl = kv_obj(spec, "template", "spec", err);
        const json_t *md = kv_obj(tmpl, "metadata", "spec.template", err);
        selector_matches_template(spec, kj(spec, "selector"), err);
        kv_labels(kv_strmap(md, "labels", "spec.template.metadata", err), "spec.template.labels",
                  err);
        kv_annotations(kv_strmap(md, "annotations", "spec.template.metadata", err),
                       "spec.template.annotations", err);
    } else if (json_is_object(kj(spec, "selector"))) {
        kgo_selector(kj(spec, "selector"), repr, sizeof(repr));
        kv_invalid(err, "spec.selector", repr, "%s", "");
    }
    template_always(spec, "StatefulSet", true, err);
}

void kinds_controllerrevision_validate(const json_t *doc, struct fl_err *err)
{
    if (!kj(doc, "data"))
        kv_required(err, "data", "data is mandatory");
    kv_nonneg(doc, "revision", "", err);
}
