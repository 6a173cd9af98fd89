/*
 * Unit tests for api/openapi: the embedded documents parse and hash, every
 * served kind has a tagged schema and the paths kubectl looks for, strategic
 * merge strategies by field path (table), unknown-field detection, CRD
 * documents coming and going, and the swagger 2.0 conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/openapi.h"

struct kind_case {
    const char *group, *version, *kind, *plural;
    bool namespaced;
};

static const struct kind_case kinds[] = {
    {"", "v1", "Namespace", "namespaces", false},
    {"", "v1", "ConfigMap", "configmaps", true},
    {"", "v1", "Secret", "secrets", true},
    {"", "v1", "Service", "services", true},
    {"", "v1", "ServiceAccount", "serviceaccounts", true},
    {"", "v1", "Event", "events", true},
    {"", "v1", "Pod", "pods", true},
    {"", "v1", "Node", "nodes", false},
    {"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true},
    {"", "v1", "Endpoints", "endpoints", true},
    {"apps", "v1", "Deployment", "deployments", true},
    {"apps", "v1", "StatefulSet", "statefulsets", true},
    {"apps", "v1", "ReplicaSet", "replicasets", true},
    {"apps", "v1", "DaemonSet", "daemonsets", true},
    {"apps", "v1", "ControllerRevision", "controllerrevisions", true},
    {"autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true},
    {"policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true},
    {"discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true},
    {"coordination.k8s.io", "v1", "Lease", "leases", true},
    {"apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false},
    {"cluster.karmada.io", "v1alpha1", "Cluster", "clusters", false},
    {"policy.karmada.io", "v1alpha1", "PropagationPolicy", "propagationpolicies", true},
    {"policy.karmada.io", "v1alpha1", "ClusterPropagationPolicy", "clusterpropagationpolicies",
     false},
    {"policy.karmada.io", "v1alpha1", "OverridePolicy", "overridepolicies", true},
    {"policy.karmada.io", "v1alpha1", "ClusterOverridePolicy", "clusteroverridepolicies", false},
    {"work.karmada.io", "v1alpha2", "ResourceBinding", "resourcebindings", true},
    {"work.karmada.io", "v1alpha2", "ClusterResourceBinding", "clusterresourcebindings", false},
    {"autoscaling.karmada.io", "v1alpha1", "FederatedHPA", "federatedhpas", true},
    {"autoscaling.karmada.io", "v1alpha1", "CronFederatedHPA", "cronfederatedhpas", true},
};

static int setup(void **state)
{
    struct fl_err err;
    assert_int_equal(fl_openapi_init(&err), 0);
    return 0;
}

static int teardown(void **state)
{
    fl_openapi_release();
    return 0;
}

static json_t *load_doc(const char *gv)
{
    size_t len = 0;
    const char *hash = NULL;
    const char *bytes = fl_openapi_v3_doc(gv, &len, &hash);
    assert_non_null(bytes);
    assert_non_null(hash);
    assert_int_equal(strlen(hash), 128);
    json_t *doc = json_loadb(bytes, len, 0, NULL);
    assert_non_null(doc);
    return doc;
}

static void gv_path(char *buf, size_t len, const char *group, const char *version)
{
    if (group[0])
        snprintf(buf, len, "apis/%s/%s", group, version);
    else
        snprintf(buf, len, "api/%s", version);
}

static void test_root_and_docs(void **state)
{
    json_t *root = fl_openapi_v3_root();
    json_t *paths = json_object_get(root, "paths");
    const char *k;
    json_t *v;
    assert_true(json_object_size(paths) >= 12);
    json_object_foreach(paths, k, v)
    {
        const char *url = json_string_value(json_object_get(v, "serverRelativeURL"));
        size_t len;
        const char *hash;
        char want[256];
        assert_non_null(url);
        assert_non_null(fl_openapi_v3_doc(k, &len, &hash));
        snprintf(want, sizeof(want), "/openapi/v3/%s?hash=%s", k, hash);
        assert_string_equal(url, want);
        json_t *doc = load_doc(k);
        assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.0");
        assert_true(
            json_object_size(json_object_get(json_object_get(doc, "components"), "schemas")) > 0);
        json_decref(doc);
    }
    assert_non_null(json_object_get(paths, "api/v1"));
    assert_non_null(json_object_get(paths, "apis/apps/v1"));
    assert_non_null(json_object_get(paths, "apis/policy.karmada.io/v1alpha1"));
    json_decref(root);

    size_t len;
    assert_null(fl_openapi_v3_doc("apis/nope.example.com/v1", &len, NULL));
    assert_null(fl_openapi_v3_doc("api/v2", &len, NULL));
    assert_non_null(fl_openapi_v3_doc("/apis/apps/v1", &len, NULL));
}

/* Does the operation carry the query parameter? (kubectl's
 * QueryParamVerifierV3 looks for fieldValidation on the kind's PATCH.) */
static bool has_param(const json_t *op, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(op, "parameters"), i, p)
    {
        if (!strcmp(json_string_value(json_object_get(p, "name")), name) &&
            !strcmp(json_string_value(json_object_get(p, "in")), "query"))
            return true;
    }
    return false;
}

static bool gvk_is(const json_t *g, const struct kind_case *c)
{
    return g && !strcmp(json_string_value(json_object_get(g, "group")), c->group) &&
           !strcmp(json_string_value(json_object_get(g, "version")), c->version) &&
           !strcmp(json_string_value(json_object_get(g, "kind")), c->kind);
}

static void test_served_kinds(void **state)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const struct kind_case *c = &kinds[i];
        char gv[128], path[256], list[128];
        const json_t *s = fl_openapi_schema(c->group, c->version, c->kind);
        if (!s)
            fail_msg("no schema for %s/%s %s", c->group, c->version, c->kind);
        assert_true(
            gvk_is(json_array_get(json_object_get(s, "x-kubernetes-group-version-kind"), 0), c));
        assert_non_null(json_object_get(json_object_get(s, "properties"), "metadata"));
        snprintf(list, sizeof(list), "%sList", c->kind);
        assert_non_null(fl_openapi_schema(c->group, c->version, list));

        /* The paths kubectl explain searches, with the kind's GVK. */
        gv_path(gv, sizeof(gv), c->group, c->version);
        json_t *doc = load_doc(gv);
        json_t *paths = json_object_get(doc, "paths");
        snprintf(path, sizeof(path), "/%s/%s", gv, c->plural);
        json_t *get = json_object_get(json_object_get(paths, path), "get");
        if (!get)
            fail_msg("no GET %s", path);
        assert_true(gvk_is(json_object_get(get, "x-kubernetes-group-version-kind"), c));
        snprintf(path, sizeof(path), "/%s/%s%s/{name}", gv,
                 c->namespaced ? "namespaces/{namespace}/" : "", c->plural);
        json_t *patch = json_object_get(json_object_get(paths, path), "patch");
        if (!patch)
            fail_msg("no PATCH %s", path);
        assert_true(gvk_is(json_object_get(patch, "x-kubernetes-group-version-kind"), c));
        assert_true(has_param(patch, "fieldValidation"));
        assert_non_null(
            json_object_get(json_object_get(json_object_get(patch, "requestBody"), "content"),
                            "application/merge-patch+json"));
        json_decref(doc);
    }
    /* Meta types are there too. */
    json_t *doc = load_doc("apis/apps/v1");
    json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
    static const char *const meta[] = {
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
        "io.k8s.apimachinery.pkg.api.resource.Quantity",
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        "io.k8s.api.autoscaling.v1.Scale",
    };
    for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
        if (!json_object_get(schemas, meta[i]))
            fail_msg("apps/v1 lacks %s", meta[i]);
    json_t *ios = json_object_get(schemas, "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
    assert_true(json_is_true(json_object_get(ios, "x-kubernetes-int-or-string")));
    json_decref(doc);
    assert_non_null(fl_openapi_schema("autoscaling", "v1", "Scale"));
    assert_null(fl_openapi_schema("apps", "v1", "Nope"));
}

struct strategy_case {
    const char *group, *version, *kind;
    const char *path; /* dot-separated */
    bool known;
    const char *merge_key;
    bool merge, retain_keys;
};

static const struct strategy_case strategy_cases[] = {
    {"apps", "v1", "Deployment", "spec.template.spec.containers", true, "name", true, false},
    {"apps", "v1", "Deployment", "spec.template.spec.initContainers", true, "name", true, false},
    {"apps", "v1", "Deployment", "spec.template.spec.containers.ports", true, "containerPort", true,
     false},
    {"apps", "v1", "Deployment", "spec.template.spec.containers.env", true, "name", true, false},
    {"apps", "v1", "Deployment", "spec.template.spec.containers.volumeMounts", true, "mountPath",
     true, false},
    {"apps", "v1", "Deployment", "spec.template.spec.containers.volumeDevices", true, "devicePath",
     true, false},
    {"apps", "v1", "Deployment", "spec.template.spec.containers.args", true, NULL, false, false},
    {"apps", "v1", "Deployment", "spec.template.spec.volumes", true, "name", true, true},
    {"apps", "v1", "Deployment", "spec.template.spec.imagePullSecrets", true, "name", true, false},
    {"apps", "v1", "Deployment", "spec.template.spec.hostAliases", true, "ip", true, false},
    {"apps", "v1", "Deployment", "spec.template.spec.tolerations", true, NULL, false, false},
    {"apps", "v1", "Deployment", "spec.template.spec.topologySpreadConstraints", true,
     "topologyKey", true, false},
    {"apps", "v1", "Deployment", "spec.template.spec.schedulingGates", true, "name", true, false},
    {"apps", "v1", "Deployment", "spec.strategy", true, NULL, false, true},
    {"apps", "v1", "Deployment", "spec.replicas", true, NULL, false, false},
    {"apps", "v1", "Deployment", "status.conditions", true, "type", true, false},
    {"apps", "v1", "Deployment", "metadata.finalizers", true, NULL, true, false},
    {"apps", "v1", "Deployment", "metadata.ownerReferences", true, "uid", true, false},
    {"apps", "v1", "Deployment", "spec.template.metadata.labels", true, NULL, false, false},
    {"apps", "v1", "Deployment", "spec.nope", false, NULL, false, false},
    {"apps", "v1", "Deployment", "spec.template.spec.containers.nope", false, NULL, false, false},
    {"apps", "v1", "StatefulSet", "spec.volumeClaimTemplates", true, NULL, false, false},
    {"apps", "v1", "StatefulSet", "spec.ordinals.start", true, NULL, false, false},
    {"apps", "v1", "StatefulSet", "spec.persistentVolumeClaimRetentionPolicy.whenScaled", true,
     NULL, false, false},
    {"apps", "v1", "StatefulSet", "spec.updateStrategy.rollingUpdate.maxUnavailable", true, NULL,
     false, false},
    {"", "v1", "Service", "spec.ports", true, "port", true, false},
    {"", "v1", "Pod", "spec.containers", true, "name", true, false},
    {"", "v1", "Pod", "spec.ephemeralContainers", true, "name", true, false},
    {"", "v1", "Pod", "status.conditions", true, "type", true, false},
    {"", "v1", "Node", "status.conditions", true, "type", true, false},
    {"", "v1", "Node", "spec.taints", true, NULL, false, false},
    {"", "v1", "ServiceAccount", "secrets", true, "name", true, false},
    {"policy.karmada.io", "v1alpha1", "PropagationPolicy",
     "spec.placement.clusterAffinity.clusterNames", true, NULL, false, false},
    {"policy.karmada.io", "v1alpha1", "PropagationPolicy",
     "spec.placement.replicaScheduling.weightPreference.staticWeightList", true, NULL, false,
     false},
    {"policy.karmada.io", "v1alpha1", "PropagationPolicy", "spec.bogus", false, NULL, false, false},
    {"apps", "v1", "NoSuchKind", "spec", false, NULL, false, false},
};

static void test_patch_strategy(void **state)
{
    for (size_t i = 0; i < sizeof(strategy_cases) / sizeof(strategy_cases[0]); i++) {
        const struct strategy_case *c = &strategy_cases[i];
        char buf[256];
        const char *path[16];
        size_t depth = 0;
        snprintf(buf, sizeof(buf), "%s", c->path);
        for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, "."))
            path[depth++] = tok;
        struct fl_patch_list_strategy st = {.merge_key = "junk", .merge = true};
        bool known = fl_openapi_patch_strategy(c->group, c->version, c->kind, path, depth, &st);
        if (known != c->known)
            fail_msg("%s %s: known=%d", c->kind, c->path, known);
        if (!known)
            continue;
        if (c->merge_key ? !st.merge_key || strcmp(st.merge_key, c->merge_key)
                         : st.merge_key != NULL)
            fail_msg("%s %s: merge key %s", c->kind, c->path,
                     st.merge_key ? st.merge_key : "(null)");
        if (st.merge != c->merge || st.retain_keys != c->retain_keys)
            fail_msg("%s %s: merge=%d retain=%d", c->kind, c->path, st.merge, st.retain_keys);
    }
    /* The fl_patch_strategy_fn adapter. */
    struct fl_openapi_gvk gvk = {"", "v1", "Service"};
    const char *path[] = {"spec", "ports"};
    struct fl_patch_list_strategy st;
    assert_true(fl_openapi_patch_strategy_fn(path, 2, &st, &gvk));
    assert_string_equal(st.merge_key, "port");
}

static const char *const valid_deployment =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"labels\":{\"app\":\"web\",\"anything.example.com/x\":\"y\"},\"annotations\":{\"a\":\"b\"}},"
    "\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
    "\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"25%\","
    "\"maxUnavailable\":1}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
    "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\",\"ports\":[{"
    "\"containerPort\":80}],\"resources\":{\"limits\":{\"cpu\":\"1\",\"nvidia.com/gpu\":1}},"
    "\"env\":[{\"name\":\"A\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}}],"
    "\"readinessProbe\":{\"httpGet\":{\"port\":\"http\",\"path\":\"/\"},\"grpc\":null}}],"
    "\"volumes\":[{\"name\":\"v\",\"emptyDir\":{\"sizeLimit\":\"1Gi\"}}],"
    "\"nodeSelector\":{\"gpu\":\"true\"}}}},\"status\":{\"replicas\":3,\"conditions\":[{"
    "\"type\":\"Available\",\"status\":\"True\",\"lastUpdateTime\":\"2024-01-01T00:00:00Z\"}]}}";

static void test_unknown_fields(void **state)
{
    char buf[512];
    json_t *d = json_loads(valid_deployment, 0, NULL);
    assert_non_null(d);
    assert_int_equal(fl_openapi_unknown_fields("apps", "v1", "Deployment", d, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");

    json_object_set_new(json_object_get(d, "spec"), "foo", json_integer(1));
    assert_int_equal(fl_openapi_unknown_fields("apps", "v1", "Deployment", d, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "unknown field \"spec.foo\"");

    json_t *c0 = json_array_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(d, "spec"), "template"), "spec"),
            "containers"),
        0);
    json_object_set_new(c0, "bar", json_object());
    json_object_set_new(json_object_get(d, "metadata"), "nam", json_string("x"));
    assert_int_equal(fl_openapi_unknown_fields("apps", "v1", "Deployment", d, buf, sizeof(buf)), 3);
    assert_string_equal(buf, "unknown field \"metadata.nam\", "
                             "unknown field \"spec.template.spec.containers[0].bar\", "
                             "unknown field \"spec.foo\"");
    /* Truncated, still counted; NULL buffer is fine. */
    assert_int_equal(fl_openapi_unknown_fields("apps", "v1", "Deployment", d, buf, 20), 3);
    assert_true(strlen(buf) < 20);
    assert_int_equal(fl_openapi_unknown_fields("apps", "v1", "Deployment", d, NULL, 0), 3);
    /* Unknown kind: nothing to say. */
    assert_int_equal(fl_openapi_unknown_fields("apps", "v1", "Nope", d, buf, sizeof(buf)), 0);
    json_decref(d);

    /* Preserve-unknown-fields and maps of objects (Karmada). */
    d = json_loads("{\"apiVersion\":\"policy.karmada.io/v1alpha1\",\"kind\":\"OverridePolicy\","
                   "\"metadata\":{\"name\":\"o\"},\"spec\":{\"overrideRules\":[{\"overriders\":{"
                   "\"plaintext\":[{\"path\":\"/spec/x\",\"operator\":\"add\",\"value\":{"
                   "\"any\":{\"thing\":1}}}]},\"targetCluster\":{\"clusterNames\":[\"a\"],"
                   "\"exclud\":[\"b\"]}}]}}",
                   0, NULL);
    assert_non_null(d);
    assert_int_equal(fl_openapi_unknown_fields("policy.karmada.io", "v1alpha1", "OverridePolicy", d,
                                               buf, sizeof(buf)),
                     1);
    assert_string_equal(buf, "unknown field \"spec.overrideRules[0].targetCluster.exclud\"");
    json_decref(d);

    /* A CRD manifest (JSONSchemaProps is recursive, with maps of schemas). */
    d = json_loads(
        "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
        "\"metadata\":{\"name\":\"crontabs.stable.example.com\"},\"spec\":{\"group\":"
        "\"stable.example.com\",\"scope\":\"Namespaced\",\"names\":{\"plural\":\"crontabs\","
        "\"kind\":\"CronTab\"},\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true,"
        "\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\",\"properties\":{\"spec\":{"
        "\"type\":\"object\",\"x-kubernetes-validations\":[{\"rule\":\"self.a > 0\"}],"
        "\"properties\":{\"a\":{\"type\":\"integer\",\"default\":{\"x\":1}}},"
        "\"x-kubernetes-preserve-unknown-fields\":true}}}}}]}}",
        0, NULL);
    assert_non_null(d);
    assert_int_equal(fl_openapi_unknown_fields("apiextensions.k8s.io", "v1",
                                               "CustomResourceDefinition", d, buf, sizeof(buf)),
                     0);
    json_decref(d);
}

static void test_crd(void **state)
{
    json_t *root0 = fl_openapi_v3_root();
    assert_null(json_object_get(json_object_get(root0, "paths"), "apis/stable.example.com/v1"));
    json_t *schema = json_loads(
        "{\"type\":\"object\",\"description\":\"CronTab is a test.\",\"properties\":{\"spec\":{"
        "\"type\":\"object\",\"properties\":{\"cronSpec\":{\"type\":\"string\","
        "\"description\":\"The schedule.\"},\"replicas\":{\"type\":\"integer\"}}},\"status\":{"
        "\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true}}}",
        0, NULL);
    assert_non_null(schema);
    fl_openapi_set_crd("stable.example.com", "v1", "CronTab", "crontabs", true, schema);

    json_t *root = fl_openapi_v3_root();
    json_t *entry = json_object_get(json_object_get(root, "paths"), "apis/stable.example.com/v1");
    assert_non_null(entry);
    const char *url = json_string_value(json_object_get(entry, "serverRelativeURL"));
    assert_non_null(strstr(url, "/openapi/v3/apis/stable.example.com/v1?hash="));
    char url1[300];
    snprintf(url1, sizeof(url1), "%s", url);

    json_t *doc = load_doc("apis/stable.example.com/v1");
    json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
    json_t *s = json_object_get(schemas, "com.example.stable.v1.CronTab");
    assert_non_null(s);
    assert_non_null(json_object_get(schemas, "com.example.stable.v1.CronTabList"));
    assert_non_null(json_object_get(schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
    assert_non_null(json_object_get(schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.Time"));
    json_t *get = json_object_get(
        json_object_get(json_object_get(doc, "paths"), "/apis/stable.example.com/v1/crontabs"),
        "get");
    assert_non_null(get);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(get, "x-kubernetes-group-version-kind"), "kind")),
                        "CronTab");
    json_t *patch = json_object_get(
        json_object_get(json_object_get(doc, "paths"),
                        "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"),
        "patch");
    assert_non_null(patch);
    assert_true(has_param(patch, "fieldValidation"));
    assert_null(json_object_get(json_object_get(json_object_get(patch, "requestBody"), "content"),
                                "application/strategic-merge-patch+json"));
    json_decref(doc);

    /* Lookups work on it. */
    assert_non_null(fl_openapi_schema("stable.example.com", "v1", "CronTab"));
    json_t *obj = json_loads("{\"apiVersion\":\"stable.example.com/v1\",\"kind\":\"CronTab\","
                             "\"metadata\":{\"name\":\"c\"},\"spec\":{\"cronSpec\":\"* * * * *\","
                             "\"foo\":1},\"status\":{\"anything\":true}}",
                             0, NULL);
    char buf[256];
    assert_int_equal(
        fl_openapi_unknown_fields("stable.example.com", "v1", "CronTab", obj, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "unknown field \"spec.foo\"");
    json_decref(obj);
    const char *path[] = {"spec", "cronSpec"};
    struct fl_patch_list_strategy st;
    assert_true(fl_openapi_patch_strategy("stable.example.com", "v1", "CronTab", path, 2, &st));
    assert_null(st.merge_key);

    /* A second kind in the same group-version; replacing changes the hash. */
    fl_openapi_set_crd("stable.example.com", "v1", "Other", "others", false, NULL);
    json_t *root2 = fl_openapi_v3_root();
    const char *url2 = json_string_value(json_object_get(
        json_object_get(json_object_get(root2, "paths"), "apis/stable.example.com/v1"),
        "serverRelativeURL"));
    assert_string_not_equal(url1, url2);
    assert_non_null(fl_openapi_schema("stable.example.com", "v1", "Other"));
    assert_non_null(fl_openapi_schema("stable.example.com", "v1", "CronTab"));
    json_decref(root2);

    /* A built-in kind is not replaced by a CRD of the same name. */
    fl_openapi_set_crd("policy.karmada.io", "v1alpha1", "PropagationPolicy", "propagationpolicies",
                       true, NULL);
    const json_t *pp = fl_openapi_schema("policy.karmada.io", "v1alpha1", "PropagationPolicy");
    assert_non_null(json_object_get(json_object_get(pp, "properties"), "spec"));

    /* v2 sees CRDs. */
    assert_non_null(json_object_get(json_object_get(fl_openapi_v2(), "definitions"),
                                    "com.example.stable.v1.CronTab"));

    fl_openapi_remove_crd("stable.example.com", "v1", "CronTab");
    assert_null(fl_openapi_schema("stable.example.com", "v1", "CronTab"));
    assert_non_null(fl_openapi_schema("stable.example.com", "v1", "Other"));
    fl_openapi_remove_crd("stable.example.com", "v1", "Other");
    fl_openapi_remove_crd("stable.example.com", "v1", "Other"); /* unknown: ignored */
    json_t *root3 = fl_openapi_v3_root();
    assert_null(json_object_get(json_object_get(root3, "paths"), "apis/stable.example.com/v1"));
    assert_int_equal(json_object_size(json_object_get(root3, "paths")),
                     json_object_size(json_object_get(root0, "paths")));
    assert_null(json_object_get(json_object_get(fl_openapi_v2(), "definitions"),
                                "com.example.stable.v1.CronTab"));
    json_decref(root3);
    json_decref(root);
    json_decref(root0);
    json_decref(schema);
}

static void test_v2(void **state)
{
    const json_t *v2 = fl_openapi_v2();
    size_t len;
    const char *bytes = fl_openapi_v2_bytes(&len);
    assert_string_equal(json_string_value(json_object_get(v2, "swagger")), "2.0");
    json_t *defs = json_object_get(v2, "definitions");
    json_t *dep = json_object_get(defs, "io.k8s.api.apps.v1.Deployment");
    assert_non_null(dep);
    /* allOf-wrapped refs are plain $refs in v2. */
    json_t *meta = json_object_get(json_object_get(dep, "properties"), "metadata");
    assert_string_equal(json_string_value(json_object_get(meta, "$ref")),
                        "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assert_null(json_object_get(meta, "allOf"));
    json_t *op =
        json_object_get(json_object_get(json_object_get(v2, "paths"),
                                        "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"),
                        "patch");
    assert_non_null(op);
    assert_non_null(json_object_get(op, "consumes"));
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(json_object_get(op, "responses"), "200"), "schema"),
            "$ref")),
        "#/definitions/io.k8s.api.apps.v1.Deployment");
    assert_null(memmem(bytes, len, "#/components/", 13));
    assert_non_null(json_object_get(defs, "com.github.karmada-io.karmada.pkg.apis.policy."
                                          "v1alpha1.PropagationPolicy"));
}

static void test_init_time(void **state)
{
    struct fl_err err;
    struct timespec a, b;
    fl_openapi_release();
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(fl_openapi_init(&err), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_int_equal(fl_openapi_init(&err), 0); /* idempotent */
    printf("# fl_openapi_init: %.1f ms\n",
           (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_time),
        cmocka_unit_test(test_root_and_docs),
        cmocka_unit_test(test_served_kinds),
        cmocka_unit_test(test_patch_strategy),
        cmocka_unit_test(test_unknown_fields),
        cmocka_unit_test(test_crd),
        cmocka_unit_test(test_v2),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
