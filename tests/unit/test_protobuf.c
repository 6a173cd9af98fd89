/*
 * Unit tests for api/protobuf: bodies captured from kubectl against the JSON
 * kubectl prints for the same objects (tests/unit/data/protobuf/), bodies
 * built here with protobuf-c for each kind and the fields whose JSON form is
 * special (pointers kept at zero, inline structs, int-or-string, Time,
 * Quantity, bytes), then every error: magic, truncation, unknown kinds and
 * fields, values JSON cannot carry, and the caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/pb_apps.pb-c.h"
#include "api/pb_core.pb-c.h"
#include "api/pb_intstr.pb-c.h"
#include "api/pb_meta.pb-c.h"
#include "api/pb_resource.pb-c.h"
#include "api/pb_runtime.pb-c.h"
#include "api/protobuf.h"

#define DATA "tests/unit/data/protobuf/"

typedef K8s__Io__Apimachinery__Pkg__Runtime__Unknown Unknown;
typedef K8s__Io__Apimachinery__Pkg__Runtime__TypeMeta TypeMeta;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__ObjectMeta ObjectMeta;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__ObjectMeta__LabelsEntry LabelsEntry;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__ObjectMeta__AnnotationsEntry AnnotationsEntry;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__OwnerReference OwnerReference;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__Time Time;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__LabelSelector LabelSelector;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__LabelSelector__MatchLabelsEntry
    MatchLabelsEntry;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__LabelSelectorRequirement SelectorReq;
typedef K8s__Io__Apimachinery__Pkg__Util__Intstr__IntOrString IntOrString;
typedef K8s__Io__Apimachinery__Pkg__Api__Resource__Quantity Quantity;
typedef K8s__Io__Api__Core__V1__ConfigMap ConfigMap;
typedef K8s__Io__Api__Core__V1__ConfigMap__DataEntry CmDataEntry;
typedef K8s__Io__Api__Core__V1__ConfigMap__BinaryDataEntry CmBinaryEntry;
typedef K8s__Io__Api__Core__V1__Secret Secret;
typedef K8s__Io__Api__Core__V1__Secret__DataEntry SecretDataEntry;
typedef K8s__Io__Api__Core__V1__Secret__StringDataEntry SecretStringEntry;
typedef K8s__Io__Api__Core__V1__Namespace Namespace;
typedef K8s__Io__Api__Core__V1__NamespaceSpec NamespaceSpec;
typedef K8s__Io__Api__Core__V1__NamespaceStatus NamespaceStatus;
typedef K8s__Io__Api__Core__V1__Service Service;
typedef K8s__Io__Api__Core__V1__ServiceSpec ServiceSpec;
typedef K8s__Io__Api__Core__V1__ServiceSpec__SelectorEntry SvcSelectorEntry;
typedef K8s__Io__Api__Core__V1__ServicePort ServicePort;
typedef K8s__Io__Api__Core__V1__SessionAffinityConfig SessionAffinityConfig;
typedef K8s__Io__Api__Core__V1__ClientIPConfig ClientIPConfig;
typedef K8s__Io__Api__Core__V1__PodTemplateSpec PodTemplateSpec;
typedef K8s__Io__Api__Core__V1__PodSpec PodSpec;
typedef K8s__Io__Api__Core__V1__Container Container;
typedef K8s__Io__Api__Core__V1__ContainerPort ContainerPort;
typedef K8s__Io__Api__Core__V1__EnvVar EnvVar;
typedef K8s__Io__Api__Core__V1__EnvVarSource EnvVarSource;
typedef K8s__Io__Api__Core__V1__SecretKeySelector SecretKeySelector;
typedef K8s__Io__Api__Core__V1__LocalObjectReference LocalObjectReference;
typedef K8s__Io__Api__Core__V1__ResourceRequirements Resources;
typedef K8s__Io__Api__Core__V1__ResourceRequirements__LimitsEntry LimitsEntry;
typedef K8s__Io__Api__Core__V1__ResourceRequirements__RequestsEntry RequestsEntry;
typedef K8s__Io__Api__Core__V1__Probe Probe;
typedef K8s__Io__Api__Core__V1__ProbeHandler ProbeHandler;
typedef K8s__Io__Api__Core__V1__HTTPGetAction HTTPGetAction;
typedef K8s__Io__Api__Core__V1__Volume Volume;
typedef K8s__Io__Api__Core__V1__VolumeSource VolumeSource;
typedef K8s__Io__Api__Core__V1__ConfigMapVolumeSource ConfigMapVolumeSource;
typedef K8s__Io__Api__Core__V1__VolumeMount VolumeMount;
typedef K8s__Io__Api__Apps__V1__Deployment Deployment;
typedef K8s__Io__Api__Apps__V1__DeploymentSpec DeploymentSpec;
typedef K8s__Io__Api__Apps__V1__DeploymentStrategy DeploymentStrategy;
typedef K8s__Io__Api__Apps__V1__RollingUpdateDeployment RollingUpdate;

/* protobuf-c's *_INIT for each type, shortened. */
#define UNKNOWN_INIT K8S__IO__APIMACHINERY__PKG__RUNTIME__UNKNOWN__INIT
#define TYPE_META_INIT K8S__IO__APIMACHINERY__PKG__RUNTIME__TYPE_META__INIT
#define META_INIT K8S__IO__APIMACHINERY__PKG__APIS__META__V1__OBJECT_META__INIT
#define LABELS_INIT K8S__IO__APIMACHINERY__PKG__APIS__META__V1__OBJECT_META__LABELS_ENTRY__INIT
#define ANNOTATIONS_INIT                                                                           \
    K8S__IO__APIMACHINERY__PKG__APIS__META__V1__OBJECT_META__ANNOTATIONS_ENTRY__INIT
#define OWNER_INIT K8S__IO__APIMACHINERY__PKG__APIS__META__V1__OWNER_REFERENCE__INIT
#define TIME_INIT K8S__IO__APIMACHINERY__PKG__APIS__META__V1__TIME__INIT
#define SELECTOR_INIT K8S__IO__APIMACHINERY__PKG__APIS__META__V1__LABEL_SELECTOR__INIT
#define MATCH_LABELS_INIT                                                                          \
    K8S__IO__APIMACHINERY__PKG__APIS__META__V1__LABEL_SELECTOR__MATCH_LABELS_ENTRY__INIT
#define SELECTOR_REQ_INIT                                                                          \
    K8S__IO__APIMACHINERY__PKG__APIS__META__V1__LABEL_SELECTOR_REQUIREMENT__INIT
#define INTSTR_INIT K8S__IO__APIMACHINERY__PKG__UTIL__INTSTR__INT_OR_STRING__INIT
#define QUANTITY_INIT K8S__IO__APIMACHINERY__PKG__API__RESOURCE__QUANTITY__INIT
#define CONFIG_MAP_INIT K8S__IO__API__CORE__V1__CONFIG_MAP__INIT
#define CM_DATA_INIT K8S__IO__API__CORE__V1__CONFIG_MAP__DATA_ENTRY__INIT
#define CM_BINARY_INIT K8S__IO__API__CORE__V1__CONFIG_MAP__BINARY_DATA_ENTRY__INIT
#define SECRET_INIT K8S__IO__API__CORE__V1__SECRET__INIT
#define SECRET_DATA_INIT K8S__IO__API__CORE__V1__SECRET__DATA_ENTRY__INIT
#define SECRET_STRING_INIT K8S__IO__API__CORE__V1__SECRET__STRING_DATA_ENTRY__INIT
#define NAMESPACE_INIT K8S__IO__API__CORE__V1__NAMESPACE__INIT
#define NAMESPACE_SPEC_INIT K8S__IO__API__CORE__V1__NAMESPACE_SPEC__INIT
#define NAMESPACE_STATUS_INIT K8S__IO__API__CORE__V1__NAMESPACE_STATUS__INIT
#define SERVICE_INIT K8S__IO__API__CORE__V1__SERVICE__INIT
#define SERVICE_SPEC_INIT K8S__IO__API__CORE__V1__SERVICE_SPEC__INIT
#define SVC_SELECTOR_INIT K8S__IO__API__CORE__V1__SERVICE_SPEC__SELECTOR_ENTRY__INIT
#define SERVICE_PORT_INIT K8S__IO__API__CORE__V1__SERVICE_PORT__INIT
#define AFFINITY_CONFIG_INIT K8S__IO__API__CORE__V1__SESSION_AFFINITY_CONFIG__INIT
#define CLIENT_IP_INIT K8S__IO__API__CORE__V1__CLIENT_IPCONFIG__INIT
#define TEMPLATE_INIT K8S__IO__API__CORE__V1__POD_TEMPLATE_SPEC__INIT
#define POD_SPEC_INIT K8S__IO__API__CORE__V1__POD_SPEC__INIT
#define CONTAINER_INIT K8S__IO__API__CORE__V1__CONTAINER__INIT
#define CONTAINER_PORT_INIT K8S__IO__API__CORE__V1__CONTAINER_PORT__INIT
#define ENV_INIT K8S__IO__API__CORE__V1__ENV_VAR__INIT
#define ENV_SOURCE_INIT K8S__IO__API__CORE__V1__ENV_VAR_SOURCE__INIT
#define SECRET_KEY_INIT K8S__IO__API__CORE__V1__SECRET_KEY_SELECTOR__INIT
#define LOCAL_REF_INIT K8S__IO__API__CORE__V1__LOCAL_OBJECT_REFERENCE__INIT
#define RESOURCES_INIT K8S__IO__API__CORE__V1__RESOURCE_REQUIREMENTS__INIT
#define LIMITS_INIT K8S__IO__API__CORE__V1__RESOURCE_REQUIREMENTS__LIMITS_ENTRY__INIT
#define REQUESTS_INIT K8S__IO__API__CORE__V1__RESOURCE_REQUIREMENTS__REQUESTS_ENTRY__INIT
#define PROBE_INIT K8S__IO__API__CORE__V1__PROBE__INIT
#define PROBE_HANDLER_INIT K8S__IO__API__CORE__V1__PROBE_HANDLER__INIT
#define HTTP_GET_INIT K8S__IO__API__CORE__V1__HTTPGET_ACTION__INIT
#define VOLUME_INIT K8S__IO__API__CORE__V1__VOLUME__INIT
#define VOLUME_SOURCE_INIT K8S__IO__API__CORE__V1__VOLUME_SOURCE__INIT
#define CM_VOLUME_INIT K8S__IO__API__CORE__V1__CONFIG_MAP_VOLUME_SOURCE__INIT
#define VOLUME_MOUNT_INIT K8S__IO__API__CORE__V1__VOLUME_MOUNT__INIT
#define DEPLOYMENT_INIT K8S__IO__API__APPS__V1__DEPLOYMENT__INIT
#define DEPLOYMENT_SPEC_INIT K8S__IO__API__APPS__V1__DEPLOYMENT_SPEC__INIT
#define STRATEGY_INIT K8S__IO__API__APPS__V1__DEPLOYMENT_STRATEGY__INIT
#define ROLLING_INIT K8S__IO__API__APPS__V1__ROLLING_UPDATE_DEPLOYMENT__INIT

static char *S(const char *s)
{
    return (char *)s;
}

/* ---- helpers ---------------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    static uint8_t buf[1 << 16];
    *len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    uint8_t *copy = malloc(*len ? *len : 1);
    memcpy(copy, buf, *len);
    return copy;
}

/* "k8s\0" + Unknown{typeMeta, raw = raw_len bytes of raw}. */
static uint8_t *wrap_raw(const char *api, const char *kind, const uint8_t *raw, size_t raw_len,
                         size_t *len)
{
    TypeMeta tm = TYPE_META_INIT;
    tm.apiversion = S(api);
    tm.kind = S(kind);
    Unknown u = UNKNOWN_INIT;
    u.typemeta = &tm;
    u.has_raw = 1;
    u.raw.len = raw_len;
    u.raw.data = (uint8_t *)raw;
    size_t n = protobuf_c_message_get_packed_size(&u.base);
    uint8_t *body = malloc(4 + n);
    memcpy(body, "k8s\0", 4);
    assert_int_equal(protobuf_c_message_pack(&u.base, body + 4), n);
    *len = 4 + n;
    return body;
}

static uint8_t *wrap(const char *api, const char *kind, const ProtobufCMessage *obj, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(obj);
    uint8_t *raw = malloc(n ? n : 1);
    assert_int_equal(protobuf_c_message_pack(obj, raw), n);
    uint8_t *body = wrap_raw(api, kind, raw, n, len);
    free(raw);
    return body;
}

static void expect_json(const uint8_t *body, size_t len, const char *want_text)
{
    json_t *got = NULL;
    struct fl_err err;
    int rc = fl_protobuf_decode(body, len, &got, &err);
    if (rc != 0)
        fail_msg("decode failed: %d %s: %s", err.code, err.reason, err.message);
    json_error_t jerr;
    json_t *want = json_loads(want_text, 0, &jerr);
    if (!want)
        fail_msg("bad expected JSON: %s", jerr.text);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
        char *w = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
        print_error("got  %s\nwant %s\n", g, w);
        free(g);
        free(w);
        fail();
    }
    /* apiVersion and kind lead, as in every Kubernetes object. */
    void *it = json_object_iter(got);
    assert_string_equal(json_object_iter_key(it), "apiVersion");
    assert_string_equal(json_object_iter_key(json_object_iter_next(got, it)), "kind");
    json_decref(got);
    json_decref(want);
}

static void expect_err(const void *body, size_t len, int code, const char *part)
{
    json_t *got = (json_t *)1;
    struct fl_err err;
    assert_int_equal(fl_protobuf_decode(body, len, &got, &err), FL_EFAIL);
    assert_null(got);
    if (err.code != code || !strstr(err.message, part))
        fail_msg("want %d with \"%s\", got %d %s: %s", code, part, err.code, err.reason,
                 err.message);
}

/* ---- kubectl's own bodies ----------------------------------------------------- */

static void test_kubectl_bodies(void **state)
{
    static const char *const names[] = {
        "create-namespace",
        "create-configmap",
        "create-configmap-binary",
        "create-secret-generic",
        "create-secret-docker-registry",
        "create-deployment",
        "create-deployment-replicas0",
        "create-deployment-command",
        "create-service-clusterip",
        "create-service-nodeport",
        "create-service-externalname",
        "create-service-headless",
        "create-serviceaccount",
        "create-pdb",
    };
    for (size_t i = 0; i < FL_ARRAY_LEN(names); i++) {
        char path[256];
        size_t len, jlen;
        snprintf(path, sizeof(path), DATA "%s.pb", names[i]);
        uint8_t *body = read_file(path, &len);
        snprintf(path, sizeof(path), DATA "%s.json", names[i]);
        uint8_t *text = read_file(path, &jlen);
        char *want = fl_xstrndup((const char *)text, jlen);
        print_message("%s\n", names[i]);
        expect_json(body, len, want);
        free(want);
        free(text);
        free(body);
    }
}

static void test_kubectl_unsupported_kind(void **state)
{
    size_t len;
    uint8_t *body = read_file(DATA "create-quota.pb", &len);
    expect_err(body, len, 415, "v1 ResourceQuota is not supported");
    expect_err(body, len, 415, "supported: v1 ConfigMap, v1 Namespace");
    free(body);
}

/* ---- each kind, built here ------------------------------------------------------- */

static void test_configmap(void **state)
{
    LabelsEntry l1 = LABELS_INIT, l2 = LABELS_INIT;
    l1.key = S("app"), l1.value = S("web");
    l2.key = S("empty"), l2.value = S("");
    LabelsEntry *labels[] = {&l1, &l2};
    AnnotationsEntry a1 = ANNOTATIONS_INIT;
    a1.key = S("note"), a1.value = S("h\xc3\xa9 \"quoted\"");
    AnnotationsEntry *annotations[] = {&a1};
    OwnerReference o = OWNER_INIT;
    o.apiversion = S("apps/v1"), o.kind = S("Deployment"), o.name = S("web"), o.uid = S("u-1");
    o.has_controller = 1, o.controller = 1;
    o.has_blockownerdeletion = 1, o.blockownerdeletion = 0;
    OwnerReference *owners[] = {&o};
    char *finalizers[] = {S("example.com/keep")};
    Time created = TIME_INIT;
    created.has_seconds = 1, created.seconds = 1700000000;
    created.has_nanos = 1, created.nanos = 999; /* upstream keeps whole seconds */
    ObjectMeta md = META_INIT;
    md.name = S("cfg"), md.namespace_ = S("default"), md.generatename = S("");
    md.uid = S("1234"), md.resourceversion = S("7");
    md.has_generation = 1, md.generation = 3;
    md.creationtimestamp = &created;
    md.n_labels = 2, md.labels = labels;
    md.n_annotations = 1, md.annotations = annotations;
    md.n_ownerreferences = 1, md.ownerreferences = owners;
    md.n_finalizers = 1, md.finalizers = finalizers;

    CmDataEntry d1 = CM_DATA_INIT, d2 = CM_DATA_INIT;
    d1.key = S("a"), d1.value = S("b");
    d2.key = S("multi"), d2.value = S("line1\nline2\n");
    CmDataEntry *data[] = {&d1, &d2};
    static const uint8_t bin[] = {0, 1, 2, 0xff, 0xfe};
    CmBinaryEntry b1 = CM_BINARY_INIT, b2 = CM_BINARY_INIT;
    b1.key = S("blob"), b1.has_value = 1, b1.value.len = sizeof(bin),
    b1.value.data = (uint8_t *)bin;
    b2.key = S("none"); /* no value: empty bytes */
    CmBinaryEntry *binary[] = {&b1, &b2};
    ConfigMap cm = CONFIG_MAP_INIT;
    cm.metadata = &md;
    cm.n_data = 2, cm.data = data;
    cm.n_binarydata = 2, cm.binarydata = binary;
    cm.has_immutable = 1, cm.immutable = 0; /* *bool: false is kept */

    size_t len;
    uint8_t *body = wrap("v1", "ConfigMap", &cm.base, &len);
    expect_json(body, len,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\","
                "\"namespace\":\"default\",\"uid\":\"1234\",\"resourceVersion\":\"7\","
                "\"generation\":3,\"creationTimestamp\":\"2023-11-14T22:13:20Z\","
                "\"labels\":{\"app\":\"web\",\"empty\":\"\"},"
                "\"annotations\":{\"note\":\"h\xc3\xa9 \\\"quoted\\\"\"},"
                "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                "\"name\":\"web\",\"uid\":\"u-1\",\"controller\":true,"
                "\"blockOwnerDeletion\":false}],\"finalizers\":[\"example.com/keep\"]},"
                "\"data\":{\"a\":\"b\",\"multi\":\"line1\\nline2\\n\"},"
                "\"binaryData\":{\"blob\":\"AAEC//4=\",\"none\":\"\"},\"immutable\":false}");
    free(body);
}

static void test_secret(void **state)
{
    ObjectMeta md = META_INIT;
    md.name = S("creds");
    static const uint8_t pw[] = "s3cr3t!";
    SecretDataEntry d1 = SECRET_DATA_INIT, d2 = SECRET_DATA_INIT, d3 = SECRET_DATA_INIT;
    d1.key = S("password"), d1.has_value = 1, d1.value.len = 7, d1.value.data = (uint8_t *)pw;
    d2.key = S("one"), d2.has_value = 1, d2.value.len = 1, d2.value.data = (uint8_t *)pw;
    d3.key = S("two"), d3.has_value = 1, d3.value.len = 2, d3.value.data = (uint8_t *)pw;
    SecretDataEntry *data[] = {&d1, &d2, &d3};
    SecretStringEntry s1 = SECRET_STRING_INIT;
    s1.key = S("user"), s1.value = S("admin");
    SecretStringEntry *sdata[] = {&s1};
    Secret s = SECRET_INIT;
    s.metadata = &md;
    s.n_data = 3, s.data = data;
    s.n_stringdata = 1, s.stringdata = sdata;
    s.type = S("Opaque");
    s.has_immutable = 1, s.immutable = 1;
    size_t len;
    uint8_t *body = wrap("v1", "Secret", &s.base, &len);
    expect_json(body, len,
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"creds\"},"
                "\"data\":{\"password\":\"czNjcjN0IQ==\",\"one\":\"cw==\",\"two\":\"czM=\"},"
                "\"stringData\":{\"user\":\"admin\"},\"type\":\"Opaque\",\"immutable\":true}");
    free(body);
}

static void test_namespace(void **state)
{
    ObjectMeta md = META_INIT;
    md.name = S("team-a");
    Time zero = TIME_INIT; /* sent empty by Go for a zero time: left out */
    md.creationtimestamp = &zero;
    Time deleted = TIME_INIT;
    deleted.has_seconds = 1, deleted.seconds = 0; /* the epoch is not the zero time */
    md.deletiontimestamp = &deleted;
    md.has_deletiongraceperiodseconds = 1, md.deletiongraceperiodseconds = 0;
    char *finalizers[] = {S("kubernetes")};
    NamespaceSpec spec = NAMESPACE_SPEC_INIT;
    spec.n_finalizers = 1, spec.finalizers = finalizers;
    NamespaceStatus status = NAMESPACE_STATUS_INIT;
    status.phase = S("Active");
    Namespace ns = NAMESPACE_INIT;
    ns.metadata = &md, ns.spec = &spec, ns.status = &status;
    size_t len;
    uint8_t *body = wrap("v1", "Namespace", &ns.base, &len);
    expect_json(body, len,
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team-a\","
                "\"deletionTimestamp\":\"1970-01-01T00:00:00Z\","
                "\"deletionGracePeriodSeconds\":0},"
                "\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":\"Active\"}}");
    free(body);
}

/* What `kubectl create deployment x --image=nginx --replicas=2 --port=80`
 * sets, with the zero values gogo-protobuf sends for plain Go fields. */
static void test_deployment_kubectl_fields(void **state)
{
    LabelsEntry app = LABELS_INIT;
    app.key = S("app"), app.value = S("x");
    LabelsEntry *labels[] = {&app};
    MatchLabelsEntry ml = MATCH_LABELS_INIT;
    ml.key = S("app"), ml.value = S("x");
    MatchLabelsEntry *match[] = {&ml};
    Time zero = TIME_INIT;
    ObjectMeta md = META_INIT;
    md.name = S("x"), md.generatename = S(""), md.namespace_ = S(""), md.selflink = S("");
    md.uid = S(""), md.resourceversion = S(""), md.has_generation = 1, md.generation = 0;
    md.creationtimestamp = &zero, md.n_labels = 1, md.labels = labels;
    ObjectMeta tmd = md;
    tmd.name = S("");
    LabelSelector sel = SELECTOR_INIT;
    sel.n_matchlabels = 1, sel.matchlabels = match;
    ContainerPort port = CONTAINER_PORT_INIT;
    port.name = S(""), port.has_hostport = 1, port.hostport = 0;
    port.has_containerport = 1, port.containerport = 80;
    port.protocol = S(""), port.hostip = S("");
    ContainerPort *ports[] = {&port};
    Resources res = RESOURCES_INIT;
    Container c = CONTAINER_INIT;
    c.name = S("nginx"), c.image = S("nginx"), c.workingdir = S("");
    c.n_ports = 1, c.ports = ports, c.resources = &res;
    c.terminationmessagepath = S(""), c.imagepullpolicy = S("");
    c.has_stdin = 1, c.stdin = 0, c.has_tty = 1, c.tty = 0;
    Container *containers[] = {&c};
    PodSpec ps = POD_SPEC_INIT;
    ps.n_containers = 1, ps.containers = containers;
    ps.restartpolicy = S(""), ps.dnspolicy = S(""), ps.has_hostnetwork = 1, ps.hostnetwork = 0;
    PodTemplateSpec tpl = TEMPLATE_INIT;
    tpl.metadata = &tmd, tpl.spec = &ps;
    DeploymentStrategy strategy = STRATEGY_INIT;
    strategy.type = S("");
    DeploymentSpec spec = DEPLOYMENT_SPEC_INIT;
    spec.has_replicas = 1, spec.replicas = 2;
    spec.selector = &sel, spec.template_ = &tpl, spec.strategy = &strategy;
    spec.has_minreadyseconds = 1, spec.minreadyseconds = 0, spec.has_paused = 1, spec.paused = 0;
    Deployment dep = DEPLOYMENT_INIT;
    dep.metadata = &md, dep.spec = &spec;
    size_t len;
    uint8_t *body = wrap("apps/v1", "Deployment", &dep.base, &len);
    expect_json(body, len,
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                "\"metadata\":{\"name\":\"x\",\"labels\":{\"app\":\"x\"}},"
                "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"x\"}},"
                "\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"}},"
                "\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\","
                "\"ports\":[{\"containerPort\":80}],\"resources\":{}}]}},\"strategy\":{}}}");
    free(body);
}

/* The special JSON forms inside a pod template: inline structs, int-or-string,
 * quantities, pointers kept at zero. */
static void test_deployment_template_forms(void **state)
{
    ObjectMeta md = META_INIT;
    md.name = S("web");
    SelectorReq req = SELECTOR_REQ_INIT;
    char *values[] = {S("a"), S("b")};
    req.key = S("tier"), req.operator_ = S("In"), req.n_values = 2, req.values = values;
    SelectorReq *reqs[] = {&req};
    LabelSelector sel = SELECTOR_INIT;
    sel.n_matchexpressions = 1, sel.matchexpressions = reqs;

    LocalObjectReference secret_ref = LOCAL_REF_INIT;
    secret_ref.name = S("db");
    SecretKeySelector skr = SECRET_KEY_INIT;
    skr.localobjectreference = &secret_ref, skr.key = S("password");
    skr.has_optional = 1, skr.optional = 0;
    EnvVarSource from = ENV_SOURCE_INIT;
    from.secretkeyref = &skr;
    EnvVar e1 = ENV_INIT, e2 = ENV_INIT;
    e1.name = S("MODE"), e1.value = S("prod");
    e2.name = S("PW"), e2.valuefrom = &from;
    EnvVar *env[] = {&e1, &e2};
    Quantity cpu = QUANTITY_INIT, mem = QUANTITY_INIT;
    cpu.string = S("500m"), mem.string = S("128Mi");
    LimitsEntry l1 = LIMITS_INIT, l2 = LIMITS_INIT;
    RequestsEntry r1 = REQUESTS_INIT;
    l1.key = S("cpu"), l1.value = &cpu;
    l2.key = S("memory"), l2.value = &mem;
    r1.key = S("cpu"); /* an empty Quantity is the zero quantity */
    LimitsEntry *limits[] = {&l1, &l2};
    RequestsEntry *requests[] = {&r1};
    Resources res = RESOURCES_INIT;
    res.n_limits = 2, res.limits = limits;
    res.n_requests = 1, res.requests = requests;
    IntOrString http = INTSTR_INIT;
    http.has_type = 1, http.type = 1, http.strval = S("http");
    HTTPGetAction get = HTTP_GET_INIT;
    get.path = S("/healthz"), get.port = &http;
    ProbeHandler handler = PROBE_HANDLER_INIT;
    handler.httpget = &get;
    Probe probe = PROBE_INIT;
    probe.handler = &handler;
    probe.has_initialdelayseconds = 1, probe.initialdelayseconds = 5;
    probe.has_periodseconds = 1, probe.periodseconds = 0;
    VolumeMount vm = VOLUME_MOUNT_INIT;
    vm.name = S("conf"), vm.mountpath = S("/etc/conf"), vm.has_readonly = 1, vm.readonly = 1;
    VolumeMount *mounts[] = {&vm};
    Container c = CONTAINER_INIT;
    c.name = S("app"), c.image = S("nginx:1.27");
    char *args[] = {S("--port"), S("8080")};
    c.n_args = 2, c.args = args;
    c.n_env = 2, c.env = env, c.resources = &res, c.livenessprobe = &probe;
    c.n_volumemounts = 1, c.volumemounts = mounts;
    c.imagepullpolicy = S("IfNotPresent");
    Container *containers[] = {&c};
    LocalObjectReference cm_ref = LOCAL_REF_INIT;
    cm_ref.name = S("conf");
    ConfigMapVolumeSource cmv = CM_VOLUME_INIT;
    cmv.localobjectreference = &cm_ref, cmv.has_defaultmode = 1, cmv.defaultmode = 0;
    VolumeSource vs = VOLUME_SOURCE_INIT;
    vs.configmap = &cmv;
    Volume vol = VOLUME_INIT;
    vol.name = S("conf"), vol.volumesource = &vs;
    Volume *volumes[] = {&vol};
    PodSpec ps = POD_SPEC_INIT;
    ps.n_containers = 1, ps.containers = containers;
    ps.n_volumes = 1, ps.volumes = volumes;
    ps.has_terminationgraceperiodseconds = 1, ps.terminationgraceperiodseconds = 0;
    ps.has_automountserviceaccounttoken = 1, ps.automountserviceaccounttoken = 0;
    ps.restartpolicy = S("Always");
    PodTemplateSpec tpl = TEMPLATE_INIT;
    tpl.spec = &ps;
    IntOrString surge = INTSTR_INIT, unavailable = INTSTR_INIT;
    surge.has_type = 1, surge.type = 1, surge.strval = S("25%");
    unavailable.has_type = 1, unavailable.type = 0, unavailable.has_intval = 1,
    unavailable.intval = 0;
    RollingUpdate ru = ROLLING_INIT;
    ru.maxsurge = &surge, ru.maxunavailable = &unavailable;
    DeploymentStrategy strategy = STRATEGY_INIT;
    strategy.type = S("RollingUpdate"), strategy.rollingupdate = &ru;
    DeploymentSpec spec = DEPLOYMENT_SPEC_INIT;
    spec.has_replicas = 1, spec.replicas = 0;
    spec.has_revisionhistorylimit = 1, spec.revisionhistorylimit = 0;
    spec.has_progressdeadlineseconds = 1, spec.progressdeadlineseconds = 600;
    spec.has_paused = 1, spec.paused = 1;
    spec.selector = &sel, spec.template_ = &tpl, spec.strategy = &strategy;
    Deployment dep = DEPLOYMENT_INIT;
    dep.metadata = &md, dep.spec = &spec;
    size_t len;
    uint8_t *body = wrap("apps/v1", "Deployment", &dep.base, &len);
    expect_json(
        body, len,
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
        "\"spec\":{\"replicas\":0,\"revisionHistoryLimit\":0,\"progressDeadlineSeconds\":600,"
        "\"paused\":true,"
        "\"selector\":{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\","
        "\"values\":[\"a\",\"b\"]}]},"
        "\"strategy\":{\"type\":\"RollingUpdate\","
        "\"rollingUpdate\":{\"maxUnavailable\":0,\"maxSurge\":\"25%\"}},"
        "\"template\":{\"spec\":{"
        "\"volumes\":[{\"name\":\"conf\",\"configMap\":{\"name\":\"conf\",\"defaultMode\":0}}],"
        "\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.27\",\"args\":[\"--port\",\"8080\"],"
        "\"env\":[{\"name\":\"MODE\",\"value\":\"prod\"},{\"name\":\"PW\",\"valueFrom\":"
        "{\"secretKeyRef\":{\"name\":\"db\",\"key\":\"password\",\"optional\":false}}}],"
        "\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"},"
        "\"requests\":{\"cpu\":\"0\"}},"
        "\"volumeMounts\":[{\"name\":\"conf\",\"readOnly\":true,\"mountPath\":\"/etc/conf\"}],"
        "\"livenessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":\"http\"},"
        "\"initialDelaySeconds\":5},"
        "\"imagePullPolicy\":\"IfNotPresent\"}],"
        "\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":0,"
        "\"automountServiceAccountToken\":false}}}}");
    free(body);
}

/* A port by number and a port by name, as `kubectl create service
 * clusterip x --tcp=80:8080 --tcp=443:https` sends them, and the pointer
 * fields of ServiceSpec. */
static void test_service(void **state)
{
    ObjectMeta md = META_INIT;
    md.name = S("web");
    IntOrString t1 = INTSTR_INIT, t2 = INTSTR_INIT;
    t1.has_type = 1, t1.type = 0, t1.has_intval = 1, t1.intval = 8080, t1.strval = S("");
    t2.has_type = 1, t2.type = 1, t2.has_intval = 1, t2.intval = 0, t2.strval = S("https");
    ServicePort p1 = SERVICE_PORT_INIT, p2 = SERVICE_PORT_INIT;
    p1.name = S("80-8080"), p1.protocol = S("TCP"), p1.has_port = 1, p1.port = 80;
    p1.targetport = &t1, p1.has_nodeport = 1, p1.nodeport = 0;
    p2.name = S("443-https"), p2.protocol = S("TCP"), p2.has_port = 1, p2.port = 443;
    p2.targetport = &t2, p2.appprotocol = S("");
    ServicePort *ports[] = {&p1, &p2};
    SvcSelectorEntry se = SVC_SELECTOR_INIT;
    se.key = S("app"), se.value = S("web");
    SvcSelectorEntry *selector[] = {&se};
    ClientIPConfig cip = CLIENT_IP_INIT;
    cip.has_timeoutseconds = 1, cip.timeoutseconds = 10800;
    SessionAffinityConfig sac = AFFINITY_CONFIG_INIT;
    sac.clientip = &cip;
    ServiceSpec spec = SERVICE_SPEC_INIT;
    spec.n_ports = 2, spec.ports = ports;
    spec.n_selector = 1, spec.selector = selector;
    spec.clusterip = S(""), spec.type = S("ClusterIP"), spec.sessionaffinity = S("ClientIP");
    spec.sessionaffinityconfig = &sac;
    spec.ipfamilypolicy = S("SingleStack");
    spec.has_allocateloadbalancernodeports = 1, spec.allocateloadbalancernodeports = 0;
    spec.has_publishnotreadyaddresses = 1, spec.publishnotreadyaddresses = 0;
    Service svc = SERVICE_INIT;
    svc.metadata = &md, svc.spec = &spec;
    size_t len;
    uint8_t *body = wrap("v1", "Service", &svc.base, &len);
    expect_json(body, len,
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"},"
                "\"spec\":{\"ports\":[{\"name\":\"80-8080\",\"protocol\":\"TCP\",\"port\":80,"
                "\"targetPort\":8080},{\"name\":\"443-https\",\"protocol\":\"TCP\","
                "\"appProtocol\":\"\",\"port\":443,\"targetPort\":\"https\"}],"
                "\"selector\":{\"app\":\"web\"},\"type\":\"ClusterIP\","
                "\"sessionAffinity\":\"ClientIP\","
                "\"sessionAffinityConfig\":{\"clientIP\":{\"timeoutSeconds\":10800}},"
                "\"ipFamilyPolicy\":\"SingleStack\",\"allocateLoadBalancerNodePorts\":false}}");
    free(body);
}

/* Upstream's decoder would leave out a field it does not know; ours knows a
 * subset, so it refuses a non-zero unknown field instead of dropping it, and
 * accepts the zero values a newer client sends for fields it left unset. */
static void test_unknown_fields(void **state)
{
    ObjectMeta md = META_INIT;
    md.name = S("x");
    ConfigMap cm = CONFIG_MAP_INIT;
    cm.metadata = &md;
    size_t n = protobuf_c_message_get_packed_size(&cm.base);
    uint8_t raw[256];
    assert_int_equal(protobuf_c_message_pack(&cm.base, raw), n);
    /* field 99 (varint 0), field 98 (empty string), field 97 (a message of
     * zeros: {1: "", 2: 0, 3: {}}), field 96 (fixed32 0) */
    static const uint8_t zeros[] = {0x98, 0x06, 0x00, 0x92, 0x06, 0x00, 0x8a,
                                    0x06, 0x06, 0x0a, 0x00, 0x10, 0x00, 0x1a,
                                    0x00, 0x85, 0x06, 0,    0,    0,    0};
    memcpy(raw + n, zeros, sizeof(zeros));
    size_t len;
    uint8_t *body = wrap_raw("v1", "ConfigMap", raw, n + sizeof(zeros), &len);
    expect_json(body, len,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}");
    free(body);

    /* A set unknown field inside metadata: the message says where. */
    static const uint8_t in_meta[] = {0x0a, 0x05, 0x0a, 0x01, 'x', 0x78, 0x01}; /* field 15 = 1 */
    body = wrap_raw("v1", "ConfigMap", in_meta, sizeof(in_meta), &len);
    expect_err(body, len, 415,
               "metadata: field number 15 of k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    free(body);
    static const uint8_t top_set[] = {0x98, 0x06, 0x01};
    body = wrap_raw("v1", "ConfigMap", top_set, sizeof(top_set), &len);
    expect_err(body, len, 415, "field number 99 of k8s.io.api.core.v1.ConfigMap");
    expect_err(body, len, 415, "send the object as application/json");
    free(body);
    static const uint8_t top_string[] = {0x92, 0x06, 0x01, 'a'};
    body = wrap_raw("v1", "ConfigMap", top_string, sizeof(top_string), &len);
    expect_err(body, len, 415, "field number 98");
    free(body);
    static const uint8_t top_msg[] = {0x8a, 0x06, 0x02, 0x10, 0x01};
    body = wrap_raw("v1", "ConfigMap", top_msg, sizeof(top_msg), &len);
    expect_err(body, len, 415, "field number 97");
    free(body);
    static const uint8_t top_fixed[] = {0x85, 0x06, 1, 0, 0, 0};
    body = wrap_raw("v1", "ConfigMap", top_fixed, sizeof(top_fixed), &len);
    expect_err(body, len, 415, "field number 96");
    free(body);
}

/* ---- errors ------------------------------------------------------------------------ */

static void test_bad_magic(void **state)
{
    expect_err("", 0, 400, "magic");
    expect_err("k8s", 3, 400, "magic");
    expect_err("{\"kind\":\"ConfigMap\"}", 20, 400, "magic");
    expect_err("k8S\0\n\0", 6, 400, "magic");
}

static void test_truncated(void **state)
{
    size_t len;
    uint8_t *body = read_file(DATA "create-deployment.pb", &len);
    expect_err(body, len - 1, 400, "could not be decoded");
    /* Every prefix: a clean error or, cut between fields, a smaller object. */
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, body, n);
        json_t *out = NULL;
        struct fl_err err;
        if (fl_protobuf_decode(cut, n, &out, &err) == 0)
            json_decref(out);
        else
            assert_true(err.code == 400);
        free(cut);
    }
    /* The object itself cut short, inside a well-formed envelope. */
    ObjectMeta md = META_INIT;
    md.name = S("cfg");
    ConfigMap cm = CONFIG_MAP_INIT;
    cm.metadata = &md;
    uint8_t raw[64];
    size_t n = protobuf_c_message_pack(&cm.base, raw);
    uint8_t *b2 = wrap_raw("v1", "ConfigMap", raw, n - 1, &len);
    expect_err(b2, len, 400, "the ConfigMap could not be decoded");
    free(b2);
    free(body);
}

static void test_kinds(void **state)
{
    size_t len;
    uint8_t *body = wrap_raw("apps/v1", "StatefulSet", NULL, 0, &len);
    expect_err(body, len, 415,
               "apps/v1 StatefulSet is not supported in "
               "application/vnd.kubernetes.protobuf bodies");
    expect_err(body, len, 415, "apps/v1 Deployment, policy/v1 PodDisruptionBudget");
    free(body);
    body = wrap_raw("v1", "Deployment", NULL, 0, &len); /* kind in the wrong group */
    expect_err(body, len, 415, "v1 Deployment is not supported");
    free(body);
    body = wrap_raw("v1", "", NULL, 0, &len);
    expect_err(body, len, 400, "'Kind' is missing");
    free(body);
    body = wrap_raw("", "ConfigMap", NULL, 0, &len);
    expect_err(body, len, 400, "'apiVersion' is missing");
    free(body);
    static const uint8_t bare[] = {'k', '8', 's', 0};
    expect_err(bare, sizeof(bare), 400, "'Kind' is missing");
    /* No raw bytes: an empty object of the kind. */
    body = wrap_raw("v1", "ServiceAccount", NULL, 0, &len);
    expect_json(body, len, "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\"}");
    free(body);
}

static void test_bad_values(void **state)
{
    size_t len;
    uint8_t *body;
    /* invalid UTF-8 in a label value and in a map key */
    LabelsEntry l = LABELS_INIT;
    l.key = S("app"), l.value = S("\xff\xfe");
    LabelsEntry *labels[] = {&l};
    ObjectMeta md = META_INIT;
    md.name = S("x"), md.n_labels = 1, md.labels = labels;
    ConfigMap cm = CONFIG_MAP_INIT;
    cm.metadata = &md;
    body = wrap("v1", "ConfigMap", &cm.base, &len);
    expect_err(body, len, 400, "metadata.labels[app]: invalid UTF-8");
    free(body);
    l.key = S("\xc3"), l.value = S("v");
    body = wrap("v1", "ConfigMap", &cm.base, &len);
    expect_err(body, len, 400, "invalid UTF-8 in map key");
    free(body);
    md.n_labels = 0;

    /* Time out of range */
    Time t = TIME_INIT;
    t.has_seconds = 1, t.seconds = INT64_MAX;
    md.creationtimestamp = &t;
    body = wrap("v1", "ConfigMap", &cm.base, &len);
    expect_err(body, len, 400,
               "metadata.creationTimestamp: time 9223372036854775807 is out of range");
    free(body);
    t.seconds = 253402300800; /* 10000-01-01 */
    body = wrap("v1", "ConfigMap", &cm.base, &len);
    expect_err(body, len, 400, "out of range");
    free(body);
    t.seconds = 253402300799; /* 9999-12-31T23:59:59Z */
    body = wrap("v1", "ConfigMap", &cm.base, &len);
    expect_json(body, len,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\","
                "\"creationTimestamp\":\"9999-12-31T23:59:59Z\"}}");
    free(body);
    md.creationtimestamp = NULL;

    /* IntOrString of an unknown type; an empty Quantity string */
    IntOrString bad = INTSTR_INIT;
    bad.has_type = 1, bad.type = 2;
    ServicePort p = SERVICE_PORT_INIT;
    p.has_port = 1, p.port = 80, p.targetport = &bad;
    ServicePort *ports[] = {&p};
    ServiceSpec spec = SERVICE_SPEC_INIT;
    spec.n_ports = 1, spec.ports = ports;
    Service svc = SERVICE_INIT;
    svc.spec = &spec;
    body = wrap("v1", "Service", &svc.base, &len);
    expect_err(body, len, 400, "spec.ports[0].targetPort: invalid IntOrString type 2");
    free(body);

    Quantity q = QUANTITY_INIT;
    q.string = S("");
    LimitsEntry le = LIMITS_INIT;
    le.key = S("cpu"), le.value = &q;
    LimitsEntry *limits[] = {&le};
    Resources res = RESOURCES_INIT;
    res.n_limits = 1, res.limits = limits;
    Container c = CONTAINER_INIT;
    c.name = S("c"), c.resources = &res;
    Container *containers[] = {&c};
    PodSpec ps = POD_SPEC_INIT;
    ps.n_containers = 1, ps.containers = containers;
    PodTemplateSpec tpl = TEMPLATE_INIT;
    tpl.spec = &ps;
    DeploymentSpec ds = DEPLOYMENT_SPEC_INIT;
    ds.template_ = &tpl;
    Deployment dep = DEPLOYMENT_INIT;
    dep.spec = &ds;
    body = wrap("apps/v1", "Deployment", &dep.base, &len);
    expect_err(body, len, 400,
               "spec.template.spec.containers[0].resources.limits[cpu]: quantities must match");
    free(body);
}

static size_t put_varint(uint8_t *p, size_t v)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        p[n++] = (uint8_t)(v | 0x80);
    p[n++] = (uint8_t)v;
    return n;
}

static void test_caps(void **state)
{
    /* Past the body limit. */
    size_t big = FL_PROTOBUF_BODY_MAX + 1;
    uint8_t *body = calloc(1, big);
    memcpy(body, "k8s\0", 4);
    expect_err(body, big, 413, "limit");
    free(body);

    /* 3 MiB of empty containers: each is 2 bytes on the wire but hundreds
     * in memory, so the allocation cap stops it. */
    size_t n = (FL_PROTOBUF_BODY_MAX - 64) / 2;
    uint8_t *spec = malloc(2 * n);
    for (size_t i = 0; i < n; i++)
        spec[2 * i] = 0x12, spec[2 * i + 1] = 0x00; /* PodSpec.containers = {} */
    uint8_t *pod = malloc(2 * n + 8);
    size_t at = 0;
    pod[at++] = 0x12; /* Pod.spec */
    at += put_varint(pod + at, 2 * n);
    memcpy(pod + at, spec, 2 * n);
    size_t len;
    body = wrap_raw("v1", "Pod", pod, at + 2 * n, &len);
    assert_true(len <= FL_PROTOBUF_BODY_MAX);
    expect_err(body, len, 413, "memory");
    free(body);

    /* A packed repeated integer: one byte each on the wire and eight in
     * memory, so under the allocation cap, but more JSON values than the
     * values cap. Pod.spec.securityContext.supplementalGroups = [0, 0, ...] */
    n = FL_PROTOBUF_NODES_MAX + 16;
    uint8_t *ints = calloc(1, n + 32);
    uint8_t tmp[16];
    size_t groups = 1 + put_varint(tmp, n) + n; /* supplementalGroups, packed */
    size_t sc = 1 + put_varint(tmp, groups) + groups;
    at = 0;
    ints[at++] = 0x12; /* Pod.spec */
    at += put_varint(ints + at, sc);
    ints[at++] = 0x72; /* PodSpec.securityContext */
    at += put_varint(ints + at, groups);
    ints[at++] = 0x22; /* PodSecurityContext.supplementalGroups */
    at += put_varint(ints + at, n);
    body = wrap_raw("v1", "Pod", ints, at + n, &len);
    expect_err(body, len, 413, "more than 1048576 values");
    free(body);
    free(ints);
    free(pod);
    free(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kubectl_bodies),
        cmocka_unit_test(test_kubectl_unsupported_kind),
        cmocka_unit_test(test_configmap),
        cmocka_unit_test(test_secret),
        cmocka_unit_test(test_namespace),
        cmocka_unit_test(test_deployment_kubectl_fields),
        cmocka_unit_test(test_deployment_template_forms),
        cmocka_unit_test(test_service),
        cmocka_unit_test(test_unknown_fields),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
