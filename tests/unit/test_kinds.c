/*
 * Unit tests for the kind hooks (api/kinds*.c) and resource quantities
 * (core/quantity.c). Defaults are compared with what a real 1.32 cluster
 * returns for the same request (kubectl create/run/expose/autoscale bodies),
 * and applied twice to check they are idempotent; invalid objects must give
 * upstream's field path and message. Bodies are written with ' for " to keep
 * them readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/kinds.h"
#include "core/quantity.h"

/* ---- helpers ---- */

static json_t *J(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t e;
    json_t *doc = json_loads(s, JSON_DECODE_ANY, &e);
    if (!doc)
        fail_msg("bad test JSON: %s: %s", e.text, s);
    free(s);
    return doc;
}

static const struct fl_kind_hooks *hooks(const char *group, const char *kind)
{
    const struct fl_kind_hooks *h = fl_kind_hooks_find(group, kind);
    if (!h)
        fail_msg("no hooks for %s/%s", group, kind);
    return h;
}

/* Apply the defaults twice: the second pass must change nothing. */
static json_t *defaulted(const char *group, const char *kind, const char *body)
{
    const struct fl_kind_hooks *h = hooks(group, kind);
    json_t *doc = J(body);
    if (h->defaults)
        h->defaults(doc);
    json_t *again = json_deep_copy(doc);
    if (h->defaults)
        h->defaults(again);
    if (!json_equal(doc, again)) {
        char *a = json_dumps(doc, JSON_SORT_KEYS), *b = json_dumps(again, JSON_SORT_KEYS);
        fail_msg("%s defaults are not idempotent:\n%s\n%s", kind, a, b);
    }
    json_decref(again);
    return doc;
}

static void expect_member(const json_t *doc, const char *member, const char *want)
{
    json_t *w = J(want);
    json_t *got = json_object_get(doc, member);
    if (!json_equal(got, w)) {
        char *a = json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY);
        char *b = json_dumps(w, JSON_SORT_KEYS | JSON_ENCODE_ANY);
        fail_msg("%s:\n got %s\nwant %s", member, a ? a : "(none)", b);
    }
    json_decref(w);
}

/* Defaults then validation, as a create runs them. */
static void run(const char *group, const char *kind, const char *body, struct fl_err *err)
{
    json_t *doc = defaulted(group, kind, body);
    fl_err_clear(err);
    const struct fl_kind_hooks *h = hooks(group, kind);
    if (h->validate)
        h->validate(doc, err);
    json_decref(doc);
}

static void dump_causes(const struct fl_err *e, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < e->ncauses && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "\n  [%s] %s: %s", e->causes[i].type,
                                e->causes[i].field, e->causes[i].message);
}

static void expect_valid(const char *group, const char *kind, const char *body)
{
    struct fl_err e;
    run(group, kind, body, &e);
    if (e.ncauses) {
        char buf[4096];
        dump_causes(&e, buf, sizeof(buf));
        fail_msg("%s should be valid, got:%s", kind, buf);
    }
}

/* Some cause has this field and exactly this message (and type, if given).
 * A cause holds at most sizeof(message) - 1 bytes of it (core/err.h). */
static void expect_cause(const char *group, const char *kind, const char *body, const char *type,
                         const char *field, const char *message)
{
    struct fl_err e;
    run(group, kind, body, &e);
    size_t cap = sizeof(e.causes[0].message) - 1;
    size_t n = strlen(message) < cap ? strlen(message) : cap;
    for (int i = 0; i < e.ncauses; i++)
        if (!strcmp(e.causes[i].field, field) && strlen(e.causes[i].message) == n &&
            !strncmp(e.causes[i].message, message, n) && (!type || !strcmp(e.causes[i].type, type)))
            return;
    char buf[4096];
    dump_causes(&e, buf, sizeof(buf));
    fail_msg("%s: want %s: %s\ngot:%s", kind, field, message, buf);
}

/* Exactly n causes. */
static void expect_ncauses(const char *group, const char *kind, const char *body, int n)
{
    struct fl_err e;
    run(group, kind, body, &e);
    if (e.ncauses != n) {
        char buf[4096];
        dump_causes(&e, buf, sizeof(buf));
        fail_msg("%s: want %d causes, got %d:%s", kind, n, e.ncauses, buf);
    }
}

#define DEPLOY(spec) "{'metadata':{'name':'x','namespace':'default'},'spec':" spec "}"
#define TEMPLATE(podspec)                                                                          \
    "'selector':{'matchLabels':{'app':'x'}},'template':{'metadata':{'labels':{'app':'x'}},"        \
    "'spec':" podspec "}"
#define NGINX_TAIL "'containers':[{'name':'nginx','image':'nginx'}]}"
#define NGINX "{" NGINX_TAIL

/* ---- quantities ---- */

static void test_quantity_canonical(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"100m", "100m"},     {"128Mi", "128Mi"},   {"0.5", "500m"},
        {"1024Mi", "1Gi"},    {"1.5Gi", "1536Mi"},  {"1000m", "1"},
        {"1G", "1G"},         {"2000", "2k"},       {"0.1", "100m"},
        {"1e3", "1e3"},       {"1E3", "1e3"},       {"1Ki", "1Ki"},
        {"0.5Ki", "512"},     {"1n", "1n"},         {"0.0000000001", "1n"},
        {"-1", "-1"},         {"+1", "1"},          {"Mi", "0"},
        {".", "0"},           {"0", "0"},           {" 100Mi ", "100Mi"},
        {"5e-3", "5e-3"},     {"12e6", "12e6"},     {"1.5", "1500m"},
        {"3000Mi", "3000Mi"}, {"2Gi", "2Gi"},       {"1.G", "1G"},
        {"0.000001", "1u"},   {"1500Ki", "1500Ki"}, {"1.1Ki", "1126400m"},
        {"10", "10"},         {"1100", "1100"},     {"9223372036854775807", "9223372036854775807"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fl_quantity q;
        char msg[256], buf[FL_QUANTITY_STR_MAX];
        if (fl_quantity_parse(cases[i].in, &q, msg, sizeof(msg)) != FL_OK)
            fail_msg("%s: %s", cases[i].in, msg);
        fl_quantity_format(&q, buf, sizeof(buf));
        if (strcmp(buf, cases[i].out))
            fail_msg("%s: got %s, want %s", cases[i].in, buf, cases[i].out);
    }
}

static void test_quantity_errors(void **state)
{
    static const struct {
        const char *in, *msg;
    } cases[] = {
        {"", "quantities must match the regular expression "
             "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"},
        {"abc", "quantities must match the regular expression"},
        {"1.5.5", "quantities must match the regular expression"},
        {"1K", "unable to parse quantity's suffix"},
        {"1Mb", "quantities must match the regular expression"},
        {"1e", "unable to parse quantity's suffix"},
        {"10Mim", "unable to parse quantity's suffix"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fl_quantity q;
        char msg[256];
        if (fl_quantity_parse(cases[i].in, &q, msg, sizeof(msg)) == FL_OK)
            fail_msg("%s: parsed", cases[i].in);
        if (!strstr(msg, cases[i].msg))
            fail_msg("%s: message %s", cases[i].in, msg);
    }
}

static void test_quantity_cmp(void **state)
{
    static const struct {
        const char *a, *b;
        int want;
    } cases[] = {
        {"1", "1000m", 0}, {"1Gi", "1024Mi", 0}, {"1G", "1Gi", -1},    {"500m", "1", -1},
        {"2", "1500m", 1}, {"-1", "0", -1},      {"0", "Mi", 0},       {"1e3", "1k", 0},
        {"1n", "0", 1},    {"-2", "-1", -1},     {"100Ti", "1Pi", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fl_quantity a, b;
        assert_int_equal(fl_quantity_parse(cases[i].a, &a, NULL, 0), FL_OK);
        assert_int_equal(fl_quantity_parse(cases[i].b, &b, NULL, 0), FL_OK);
        if (fl_quantity_cmp(&a, &b) != cases[i].want)
            fail_msg("cmp(%s, %s) = %d", cases[i].a, cases[i].b, fl_quantity_cmp(&a, &b));
        if (fl_quantity_cmp(&b, &a) != -cases[i].want)
            fail_msg("cmp(%s, %s) not antisymmetric", cases[i].b, cases[i].a);
    }
    struct fl_quantity q;
    assert_int_equal(fl_quantity_parse("1500m", &q, NULL, 0), FL_OK);
    assert_false(fl_quantity_is_integer(&q));
    assert_int_equal(fl_quantity_parse("2k", &q, NULL, 0), FL_OK);
    assert_true(fl_quantity_is_integer(&q));
}

/* ---- Pod and pod templates ---- */

static void test_deployment_defaults(void **state)
{
    /* the body of `kubectl create deployment x --image=nginx` */
    json_t *doc = defaulted(
        "apps", "Deployment",
        "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'x','labels':{'app':'x'}},"
        "'spec':{'replicas':1,'selector':{'matchLabels':{'app':'x'}},'strategy':{},"
        "'template':{'metadata':{'labels':{'app':'x'}},'spec':{'containers':[{'name':'nginx',"
        "'image':'nginx','resources':{}}]}}},'status':{}}");
    expect_member(
        doc, "spec",
        "{'progressDeadlineSeconds':600,'replicas':1,'revisionHistoryLimit':10,"
        "'selector':{'matchLabels':{'app':'x'}},"
        "'strategy':{'rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'},"
        "'type':'RollingUpdate'},"
        "'template':{'metadata':{'creationTimestamp':null,'labels':{'app':'x'}},"
        "'spec':{'containers':[{'image':'nginx','imagePullPolicy':'Always','name':'nginx',"
        "'resources':{},'terminationMessagePath':'/dev/termination-log',"
        "'terminationMessagePolicy':'File'}],'dnsPolicy':'ClusterFirst','restartPolicy':'Always',"
        "'schedulerName':'default-scheduler','securityContext':{},"
        "'terminationGracePeriodSeconds':30}}}");
    json_decref(doc);
    /* Recreate gets no rollingUpdate; explicit values stay */
    doc = defaulted(
        "apps", "Deployment",
        DEPLOY("{'replicas':0,'revisionHistoryLimit':0,'strategy':{'type':'Recreate'}," TEMPLATE(
            NGINX) "}"));
    json_t *spec = json_object_get(doc, "spec");
    expect_member(spec, "strategy", "{'type':'Recreate'}");
    expect_member(spec, "replicas", "0");
    expect_member(spec, "revisionHistoryLimit", "0");
    json_decref(doc);
}

static void test_pod_defaults(void **state)
{
    /* `kubectl run x --image=nginx:1.25` plus a probe, a volume, env and limits */
    json_t *doc =
        defaulted("", "Pod",
                  "{'metadata':{'name':'x'},'spec':{'containers':[{'name':'x','image':'nginx:1.25',"
                  "'ports':[{'containerPort':80}],"
                  "'env':[{'name':'NODE','valueFrom':{'fieldRef':{'fieldPath':'spec.nodeName'}}},"
                  "{'name':'CPU','valueFrom':{'resourceFieldRef':{'resource':'limits.cpu'}}}],"
                  "'resources':{'limits':{'cpu':0.5,'memory':'1024Mi'}},"
                  "'livenessProbe':{'httpGet':{'port':80}},"
                  "'volumeMounts':[{'name':'data','mountPath':'/data'}]}],"
                  "'volumes':[{'name':'data'},{'name':'cfg','configMap':{'name':'c'}},"
                  "{'name':'sec','secret':{'secretName':'s'}}]}}");
    expect_member(
        doc, "spec",
        "{'containers':[{'name':'x','image':'nginx:1.25','imagePullPolicy':'IfNotPresent',"
        "'ports':[{'containerPort':80,'protocol':'TCP'}],"
        "'env':[{'name':'NODE','valueFrom':{'fieldRef':{'apiVersion':'v1',"
        "'fieldPath':'spec.nodeName'}}},{'name':'CPU','valueFrom':{'resourceFieldRef':{"
        "'divisor':'0','resource':'limits.cpu'}}}],"
        "'resources':{'limits':{'cpu':'500m','memory':'1Gi'},"
        "'requests':{'cpu':'500m','memory':'1Gi'}},"
        "'livenessProbe':{'httpGet':{'port':80,'path':'/','scheme':'HTTP'},'timeoutSeconds':1,"
        "'periodSeconds':10,'successThreshold':1,'failureThreshold':3},"
        "'volumeMounts':[{'name':'data','mountPath':'/data'}],"
        "'terminationMessagePath':'/dev/termination-log','terminationMessagePolicy':'File'}],"
        "'volumes':[{'name':'data','emptyDir':{}},{'name':'cfg','configMap':{'name':'c',"
        "'defaultMode':420}},{'name':'sec','secret':{'secretName':'s','defaultMode':420}}],"
        "'dnsPolicy':'ClusterFirst','enableServiceLinks':true,'restartPolicy':'Always',"
        "'schedulerName':'default-scheduler','securityContext':{},"
        "'terminationGracePeriodSeconds':30}");
    json_decref(doc);
}

static void test_image_pull_policy(void **state)
{
    static const struct {
        const char *image, *policy;
    } cases[] = {
        {"nginx", "Always"},
        {"nginx:latest", "Always"},
        {"nginx:1.25", "IfNotPresent"},
        {"registry.example.com:5000/team/app", "Always"},
        {"registry.example.com:5000/team/app:v2", "IfNotPresent"},
        {"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
         "IfNotPresent"},
        {"nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
         "Always"},
        {"localhost/app", "Always"},
        {"Nginx", "IfNotPresent"}, /* does not parse: upper case repository */
        {"", "IfNotPresent"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[512];
        snprintf(body, sizeof(body), "{'spec':{'containers':[{'name':'c','image':'%s'}]}}",
                 cases[i].image);
        json_t *doc = defaulted("", "Pod", body);
        const char *got = json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(doc, "spec"), "containers"), 0),
            "imagePullPolicy"));
        if (!got || strcmp(got, cases[i].policy))
            fail_msg("%s: got %s, want %s", cases[i].image, got, cases[i].policy);
        json_decref(doc);
    }
    /* a policy given is kept */
    json_t *doc = defaulted(
        "", "Pod", "{'spec':{'containers':[{'name':'c','image':'x','imagePullPolicy':'Never'}]}}");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(doc, "spec"), "containers"), 0),
            "imagePullPolicy")),
        "Never");
    json_decref(doc);
}

static void test_pod_validation(void **state)
{
    expect_valid("", "Pod", "{'spec':" NGINX "}");
    expect_cause("", "Pod", "{'spec':{}}", "FieldValueRequired", "spec.containers",
                 "Required value");
    expect_cause("", "Pod", "{'spec':{'containers':[{'name':'c'}]}}", "FieldValueRequired",
                 "spec.containers[0].image", "Required value");
    expect_cause("", "Pod", "{'spec':{'containers':[{'image':'x'}]}}", NULL,
                 "spec.containers[0].name", "Required value");
    expect_cause("", "Pod", "{'spec':{'containers':[{'name':'Web','image':'x'}]}}",
                 "FieldValueInvalid", "spec.containers[0].name",
                 "Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case "
                 "alphanumeric characters or '-', and must start and end with an alphanumeric "
                 "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'a','image':'y'}]}}",
                 "FieldValueDuplicate", "spec.containers[1].name", "Duplicate value: \"a\"");
    expect_cause("", "Pod",
                 "{'spec':{'initContainers':[{'name':'a','image':'x'}],"
                 "'containers':[{'name':'a','image':'y'}]}}",
                 "FieldValueDuplicate", "spec.initContainers[0].name", "Duplicate value: \"a\"");
    expect_cause("", "Pod", "{'spec':{'containers':[{'name':'a','image':' x'}]}}", NULL,
                 "spec.containers[0].image",
                 "Invalid value: \" x\": must not have leading or trailing whitespace");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','ports':[{'containerPort':0}]}]}}",
                 "FieldValueRequired", "spec.containers[0].ports[0].containerPort",
                 "Required value");
    expect_cause(
        "", "Pod",
        "{'spec':{'containers':[{'name':'a','image':'x','ports':[{'containerPort':70000}]}]}}",
        "FieldValueInvalid", "spec.containers[0].ports[0].containerPort",
        "Invalid value: 70000: must be between 1 and 65535, inclusive");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','ports':[{'containerPort':80,"
                 "'protocol':'HTTP'}]}]}}",
                 "FieldValueNotSupported", "spec.containers[0].ports[0].protocol",
                 "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','ports':[{'containerPort':80,"
                 "'name':'web'},{'containerPort':81,'name':'web'}]}]}}",
                 "FieldValueDuplicate", "spec.containers[0].ports[1].name",
                 "Duplicate value: \"web\"");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','ports':[{'containerPort':80,"
                 "'name':'Web_Port'}]}]}}",
                 NULL, "spec.containers[0].ports[0].name",
                 "Invalid value: \"Web_Port\": must contain only alpha-numeric characters (a-z, "
                 "0-9), and hyphens (-)");
    expect_cause("", "Pod", "{'spec':{'restartPolicy':'Sometimes'," NGINX_TAIL "}",
                 "FieldValueNotSupported", "spec.restartPolicy",
                 "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", "
                 "\"Never\"");
    expect_cause("", "Pod", "{'spec':{'dnsPolicy':'None'," NGINX_TAIL "}", "FieldValueRequired",
                 "spec.dnsConfig",
                 "Required value: must provide `dnsConfig` when `dnsPolicy` is None");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','imagePullPolicy':'Sometimes'}]}}",
                 "FieldValueNotSupported", "spec.containers[0].imagePullPolicy",
                 "Unsupported value: \"Sometimes\": supported values: \"Always\", "
                 "\"IfNotPresent\", \"Never\"");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','volumeMounts':[{'name':'v',"
                 "'mountPath':'/v'}]}]}}",
                 "FieldValueNotFound", "spec.containers[0].volumeMounts[0].name",
                 "Not found: \"v\"");
    expect_cause("", "Pod", "{'spec':{'volumes':[{'name':'v'},{'name':'v'}]," NGINX_TAIL "}",
                 "FieldValueDuplicate", "spec.volumes[1].name", "Duplicate value: \"v\"");
    expect_cause(
        "", "Pod",
        "{'spec':{'volumes':[{'name':'v','emptyDir':{},'hostPath':{'path':'/'}}]," NGINX_TAIL "}",
        "FieldValueForbidden", "spec.volumes[0].hostPath",
        "Forbidden: may not specify more than 1 volume type");
    expect_cause("", "Pod", "{'spec':{'volumes':[{'name':'v','secret':{}}]," NGINX_TAIL "}",
                 "FieldValueRequired", "spec.volumes[0].secret.secretName", "Required value");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','env':[{'name':'A=B'}]}]}}",
                 "FieldValueInvalid", "spec.containers[0].env[0].name",
                 "Invalid value: \"A=B\": a valid environment variable name must consist only of "
                 "printable ASCII characters other than '='");
    expect_valid("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','env':[{'name':'my.var-1'}]}]}}");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','env':[{'name':'A','value':'v',"
                 "'valueFrom':{'secretKeyRef':{'name':'s','key':'k'}}}]}]}}",
                 "FieldValueInvalid", "spec.containers[0].env[0].valueFrom",
                 "Invalid value: \"\": may not be specified when `value` is not empty");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','env':[{'name':'A',"
                 "'valueFrom':{'fieldRef':{'fieldPath':'spec.restartPolicy'}}}]}]}}",
                 "FieldValueNotSupported", "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath",
                 "Unsupported value: \"spec.restartPolicy\": supported values: "
                 "\"metadata.annotations\", \"metadata.labels\", \"metadata.name\", "
                 "\"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", "
                 "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", "
                 "\"status.podIP\", \"status.podIPs\"");
    expect_cause("", "Pod", "{'spec':{'containers':[{'name':'a','image':'x','livenessProbe':{}}]}}",
                 "FieldValueRequired", "spec.containers[0].livenessProbe",
                 "Required value: must specify a handler type");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','livenessProbe':{'exec':{"
                 "'command':['true']},'successThreshold':2}}]}}",
                 "FieldValueInvalid", "spec.containers[0].livenessProbe.successThreshold",
                 "Invalid value: 2: must be 1");
    expect_cause("", "Pod", "{'spec':{'activeDeadlineSeconds':0," NGINX_TAIL "}", NULL,
                 "spec.activeDeadlineSeconds",
                 "Invalid value: 0: must be between 1 and 2147483647, inclusive");
    expect_cause("", "Pod",
                 "{'spec':{'tolerations':[{'operator':'Equal','value':'x'}]," NGINX_TAIL "}", NULL,
                 "spec.tolerations[0].operator",
                 "Invalid value: \"Equal\": operator must be Exists when `key` is empty, which "
                 "means \"match all values and all keys\"");
    expect_cause(
        "", "Pod", "{'spec':{'ephemeralContainers':[{'name':'d','image':'x'}]," NGINX_TAIL "}",
        "FieldValueForbidden", "spec.ephemeralContainers", "Forbidden: cannot be set on create");
    expect_cause("", "Pod", "{'spec':{'containers':'nginx'}}", "FieldValueTypeInvalid",
                 "spec.containers",
                 "Invalid value: \"string\": spec.containers in body must be of type array: "
                 "\"string\"");
}

static void test_pod_resources(void **state)
{
    expect_valid("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','resources':{'requests':{'cpu':"
                 "'100m','memory':'128Mi'},'limits':{'cpu':1,'memory':'1Gi'}}}]}}");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','resources':{'limits':{'cpu':"
                 "'lots'}}}]}}",
                 "FieldValueInvalid", "spec.containers[0].resources.limits[cpu]",
                 "Invalid value: \"lots\": quantities must match the regular expression "
                 "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','resources':{'requests':{'cpu':"
                 "'2'},'limits':{'cpu':'1'}}}]}}",
                 "FieldValueInvalid", "spec.containers[0].resources.requests",
                 "Invalid value: \"2\": must be less than or equal to cpu limit of 1");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','resources':{'requests':{"
                 "'memory':'-1'}}}]}}",
                 "FieldValueInvalid", "spec.containers[0].resources.requests[memory]",
                 "Invalid value: \"-1\": must be greater than or equal to 0");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','resources':{'limits':{"
                 "'nvidia.com/gpu':'1500m'}}}]}}",
                 "FieldValueInvalid", "spec.containers[0].resources.limits[nvidia.com/gpu]",
                 "Invalid value: \"1500m\": must be an integer");
    expect_cause("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','resources':{'limits':{"
                 "'gpu':'1'}}}]}}",
                 "FieldValueInvalid", "spec.containers[0].resources.limits[gpu]",
                 "Invalid value: gpu: must be a standard resource for containers");
    /* extended resources: requests must equal limits (templates do not copy them) */
    expect_cause("apps", "Deployment",
                 DEPLOY("{" TEMPLATE("{'containers':[{'name':'a','image':'x','resources':{"
                                     "'requests':{'nvidia.com/gpu':'1'}}}]}") "}"),
                 "FieldValueRequired", "spec.template.spec.containers[0].resources.limits",
                 "Required value: Limit must be set for non overcommitable resources");
    expect_valid("", "Pod",
                 "{'spec':{'containers':[{'name':'a','image':'x','resources':{'limits':{"
                 "'nvidia.com/gpu':2}}}]}}");
}

/* ---- apps ---- */

static void test_deployment_validation(void **state)
{
    expect_valid("apps", "Deployment", DEPLOY("{" TEMPLATE(NGINX) "}"));
    expect_cause("apps", "Deployment", DEPLOY("{'replicas':-1," TEMPLATE(NGINX) "}"),
                 "FieldValueInvalid", "spec.replicas",
                 "Invalid value: -1: must be greater than or equal to 0");
    expect_cause("apps", "Deployment",
                 DEPLOY("{'selector':{'matchLabels':{'app':'y'}},'template':{'metadata':{"
                        "'labels':{'app':'x'}},'spec':" NGINX "}}"),
                 "FieldValueInvalid", "spec.template.metadata.labels",
                 "Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match "
                 "template `labels`");
    expect_cause("apps", "Deployment",
                 DEPLOY("{'template':{'metadata':{'labels':{'app':'x'}},'spec':" NGINX "}}"),
                 "FieldValueRequired", "spec.selector", "Required value");
    expect_cause(
        "apps", "Deployment",
        DEPLOY("{'template':{'metadata':{'labels':{'app':'x','tier':'web'}},'spec':" NGINX "}}"),
        "FieldValueInvalid", "spec.template.metadata.labels",
        "Invalid value: map[string]string{\"app\":\"x\", \"tier\":\"web\"}: `selector` "
        "does not match template `labels`");
    expect_cause("apps", "Deployment", DEPLOY("{'selector':{},'template':{'spec':" NGINX "}}"),
                 "FieldValueInvalid", "spec.selector",
                 "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
                 "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is "
                 "invalid for deployment");
    expect_cause("apps", "Deployment",
                 DEPLOY("{'selector':{'matchExpressions':[{'key':'app','operator':'Near'}]},"
                        "'template':{'spec':" NGINX "}}"),
                 "FieldValueInvalid", "spec.selector.matchExpressions[0].operator",
                 "Invalid value: \"Near\": not a valid selector operator");
    expect_valid("apps", "Deployment",
                 DEPLOY("{'selector':{'matchExpressions':[{'key':'app','operator':'In','values':"
                        "['x','y']},{'key':'old','operator':'DoesNotExist'}]},'template':{"
                        "'metadata':{'labels':{'app':'x'}},'spec':" NGINX "}}"));
    expect_cause("apps", "Deployment",
                 DEPLOY("{" TEMPLATE("{'containers':[{'name':'nginx'}]}") "}"),
                 "FieldValueRequired", "spec.template.spec.containers[0].image", "Required value");
    expect_cause("apps", "Deployment", DEPLOY("{" TEMPLATE("{}") "}"), "FieldValueRequired",
                 "spec.template.spec.containers", "Required value");
    expect_cause("apps", "Deployment",
                 DEPLOY("{" TEMPLATE("{'restartPolicy':'Never','containers':[{'name':'n',"
                                     "'image':'x'}]}") "}"),
                 "FieldValueNotSupported", "spec.template.spec.restartPolicy",
                 "Unsupported value: \"Never\": supported values: \"Always\"");
    expect_cause("apps", "Deployment",
                 DEPLOY("{'strategy':{'rollingUpdate':{'maxSurge':0,'maxUnavailable':0}}," TEMPLATE(
                     NGINX) "}"),
                 "FieldValueInvalid", "spec.strategy.rollingUpdate.maxUnavailable",
                 "Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 "
                 "when `maxSurge` is 0");
    expect_cause(
        "apps", "Deployment",
        DEPLOY("{'strategy':{'rollingUpdate':{'maxUnavailable':'150%'}}," TEMPLATE(NGINX) "}"),
        "FieldValueInvalid", "spec.strategy.rollingUpdate.maxUnavailable",
        "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not "
        "be greater than 100%");
    expect_cause("apps", "Deployment",
                 DEPLOY("{'strategy':{'rollingUpdate':{'maxSurge':'lots'}}," TEMPLATE(NGINX) "}"),
                 "FieldValueInvalid", "spec.strategy.rollingUpdate.maxSurge",
                 "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"lots\"}: a valid "
                 "percent string must be a numeric string followed by an ending '%' (e.g. '1%',  "
                 "or '93%', regex used for validation is '[0-9]+%')");
    expect_cause("apps", "Deployment",
                 DEPLOY("{'strategy':{'type':'BlueGreen'}," TEMPLATE(NGINX) "}"),
                 "FieldValueNotSupported", "spec.strategy",
                 "Unsupported value: apps.DeploymentStrategy{Type:\"BlueGreen\", "
                 "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "
                 "\"Recreate\", \"RollingUpdate\"");
    expect_cause("apps", "Deployment",
                 DEPLOY("{'strategy':{'type':'Recreate','rollingUpdate':{}}," TEMPLATE(NGINX) "}"),
                 "FieldValueForbidden", "spec.strategy.rollingUpdate",
                 "Forbidden: may not be specified when strategy `type` is 'Recreate'");
    expect_cause("apps", "Deployment", DEPLOY("{'minReadySeconds':700," TEMPLATE(NGINX) "}"),
                 "FieldValueInvalid", "spec.progressDeadlineSeconds",
                 "Invalid value: 600: must be greater than minReadySeconds");
    expect_cause("apps", "Deployment", DEPLOY("{'replicas':'three'," TEMPLATE(NGINX) "}"),
                 "FieldValueTypeInvalid", "spec.replicas",
                 "Invalid value: \"string\": spec.replicas in body must be of type integer: "
                 "\"string\"");
    expect_cause("apps", "Deployment",
                 DEPLOY("{'selector':{'matchLabels':{'app':'x'}},'template':{'metadata':{"
                        "'labels':{'app':'x','bad key':'v'}},'spec':" NGINX "}}"),
                 "FieldValueInvalid", "spec.template.labels",
                 "Invalid value: \"bad key\": name part must consist of alphanumeric characters, "
                 "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                 "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                 "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
}

#define STS(spec) "{'metadata':{'name':'web'},'spec':" spec "}"

static void test_statefulset(void **state)
{
    json_t *doc = defaulted(
        "apps", "StatefulSet",
        STS("{'serviceName':'web'," TEMPLATE(
            NGINX) ",'volumeClaimTemplates':[{'metadata':{"
                   "'name':'www'},'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{"
                   "'storage':'1024Mi'}}}}]}"));
    json_t *spec = json_object_get(doc, "spec");
    expect_member(spec, "podManagementPolicy", "'OrderedReady'");
    expect_member(spec, "updateStrategy",
                  "{'type':'RollingUpdate','rollingUpdate':{'partition':0}}");
    expect_member(spec, "persistentVolumeClaimRetentionPolicy",
                  "{'whenDeleted':'Retain','whenScaled':'Retain'}");
    expect_member(spec, "replicas", "1");
    expect_member(spec, "revisionHistoryLimit", "10");
    expect_member(spec, "volumeClaimTemplates",
                  "[{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{"
                  "'creationTimestamp':null,'name':'www'},'spec':{'accessModes':['ReadWriteOnce'],"
                  "'resources':{'requests':{'storage':'1Gi'}},'volumeMode':'Filesystem'},"
                  "'status':{'phase':'Pending'}}]");
    json_decref(doc);
    /* OnDelete stays without rollingUpdate */
    doc = defaulted("apps", "StatefulSet",
                    STS("{'updateStrategy':{'type':'OnDelete'}," TEMPLATE(NGINX) "}"));
    expect_member(json_object_get(doc, "spec"), "updateStrategy", "{'type':'OnDelete'}");
    json_decref(doc);

    expect_valid("apps", "StatefulSet", STS("{'serviceName':'web'," TEMPLATE(NGINX) "}"));
    /* serviceName is optional; the pod spec is not validated for StatefulSets, as upstream */
    expect_valid("apps", "StatefulSet", STS("{" TEMPLATE("{'containers':[{'name':'n'}]}") "}"));
    expect_cause("apps", "StatefulSet", STS("{'replicas':-2," TEMPLATE(NGINX) "}"),
                 "FieldValueInvalid", "spec.replicas",
                 "Invalid value: -2: must be greater than or equal to 0");
    expect_cause("apps", "StatefulSet", STS("{'podManagementPolicy':'Random'," TEMPLATE(NGINX) "}"),
                 "FieldValueInvalid", "spec.podManagementPolicy",
                 "Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'");
    expect_cause("apps", "StatefulSet",
                 STS("{'updateStrategy':{'type':'Canary'}," TEMPLATE(NGINX) "}"),
                 "FieldValueInvalid", "spec.updateStrategy",
                 "Invalid value: apps.StatefulSetUpdateStrategy{Type:\"Canary\", "
                 "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be "
                 "'RollingUpdate' or 'OnDelete'");
    expect_cause(
        "apps", "StatefulSet",
        STS("{'updateStrategy':{'type':'OnDelete','rollingUpdate':{'partition':1}}," TEMPLATE(
            NGINX) "}"),
        "FieldValueInvalid", "spec.updateStrategy.rollingUpdate",
        "Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:1, "
        "MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy "
        "'RollingUpdate'");
    expect_cause(
        "apps", "StatefulSet",
        STS("{'updateStrategy':{'rollingUpdate':{'partition':-1,'maxUnavailable':0}}," TEMPLATE(
            NGINX) "}"),
        "FieldValueInvalid", "spec.updateStrategy.rollingUpdate.partition",
        "Invalid value: -1: must be greater than or equal to 0");
    expect_cause(
        "apps", "StatefulSet",
        STS("{'updateStrategy':{'rollingUpdate':{'maxUnavailable':0}}," TEMPLATE(NGINX) "}"),
        "FieldValueInvalid", "spec.updateStrategy.rollingUpdate.maxUnavailable",
        "Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: cannot be 0");
    expect_cause("apps", "StatefulSet", STS("{'ordinals':{'start':-1}," TEMPLATE(NGINX) "}"),
                 "FieldValueInvalid", "spec.ordinals.start",
                 "Invalid value: -1: must be greater than or equal to 0");
    expect_cause(
        "apps", "StatefulSet",
        STS("{'persistentVolumeClaimRetentionPolicy':{'whenDeleted':'Keep'}," TEMPLATE(NGINX) "}"),
        "FieldValueNotSupported", "spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
        "Unsupported value: \"Keep\": supported values: \"Retain\", \"Delete\"");
    expect_cause("apps", "StatefulSet",
                 STS("{'template':{'metadata':{'labels':{'app':'x'}},'spec':" NGINX "}}"),
                 "FieldValueRequired", "spec.selector", "Required value");
    expect_cause("apps", "StatefulSet",
                 STS("{'selector':{'matchLabels':{'app':'y'}},'template':{'metadata':{"
                     "'labels':{'app':'x'}},'spec':" NGINX "}}"),
                 "FieldValueInvalid", "spec.template.metadata.labels",
                 "Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match "
                 "template `labels`");
    expect_cause("apps", "StatefulSet",
                 STS("{'selector':{'matchLabels':{}},'template':{'spec':" NGINX "}}"),
                 "FieldValueInvalid", "spec.selector",
                 "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, "
                 "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is "
                 "invalid for statefulset");
    expect_cause("apps", "StatefulSet",
                 STS("{" TEMPLATE("{'activeDeadlineSeconds':5,'containers':[{'name':'n',"
                                  "'image':'x'}]}") "}"),
                 "FieldValueForbidden", "spec.template.spec.activeDeadlineSeconds",
                 "Forbidden: activeDeadlineSeconds in StatefulSet is not Supported");
}

static void test_replicaset_daemonset_revision(void **state)
{
    json_t *doc = defaulted("apps", "ReplicaSet", DEPLOY("{" TEMPLATE(NGINX) "}"));
    expect_member(json_object_get(doc, "spec"), "replicas", "1");
    json_decref(doc);
    expect_valid("apps", "ReplicaSet", DEPLOY("{" TEMPLATE(NGINX) "}"));
    expect_cause("apps", "ReplicaSet", DEPLOY("{'selector':{},'template':{'spec':" NGINX "}}"),
                 "FieldValueInvalid", "spec.selector",
                 "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
                 "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is "
                 "invalid for deployment");

    doc = defaulted("apps", "DaemonSet", DEPLOY("{" TEMPLATE(NGINX) "}"));
    json_t *spec = json_object_get(doc, "spec");
    expect_member(spec, "updateStrategy",
                  "{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':1,'maxSurge':0}}");
    expect_member(spec, "revisionHistoryLimit", "10");
    assert_null(json_object_get(spec, "replicas"));
    json_decref(doc);
    expect_valid("apps", "DaemonSet", DEPLOY("{" TEMPLATE(NGINX) "}"));
    expect_cause(
        "apps", "DaemonSet",
        DEPLOY("{'updateStrategy':{'rollingUpdate':{'maxUnavailable':1,'maxSurge':1}}," TEMPLATE(
            NGINX) "}"),
        "FieldValueInvalid", "spec.updateStrategy.rollingUpdate.maxSurge",
        "Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:\"\"}: may not be "
        "set when maxUnavailable is non-zero");
    expect_cause(
        "apps", "DaemonSet",
        DEPLOY("{'updateStrategy':{'rollingUpdate':{'maxUnavailable':0}}," TEMPLATE(NGINX) "}"),
        "FieldValueRequired", "spec.updateStrategy.rollingUpdate.maxUnavailable",
        "Required value: cannot be 0 when maxSurge is 0");
    expect_cause("apps", "DaemonSet",
                 DEPLOY("{'template':{'metadata':{'labels':{'app':'x'}},'spec':" NGINX "}}"),
                 "FieldValueInvalid", "spec.template.metadata.labels",
                 "Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match "
                 "template `labels`");

    expect_valid("apps", "ControllerRevision", "{'data':{'spec':{}},'revision':3}");
    expect_cause("apps", "ControllerRevision", "{'revision':-1,'data':{}}", NULL, "revision",
                 "Invalid value: -1: must be greater than or equal to 0");
    expect_cause("apps", "ControllerRevision", "{'revision':1}", "FieldValueRequired", "data",
                 "Required value: data is mandatory");
}

/* ---- core ---- */

static void test_service(void **state)
{
    /* `kubectl create service clusterip x --tcp=80:8080` */
    json_t *doc = defaulted("", "Service",
                            "{'metadata':{'name':'x','labels':{'app':'x'}},'spec':{'ports':[{"
                            "'name':'80-8080','port':80,'protocol':'TCP','targetPort':8080}],"
                            "'selector':{'app':'x'},'type':'ClusterIP'}}");
    expect_member(doc, "spec",
                  "{'internalTrafficPolicy':'Cluster','ipFamilies':['IPv4'],"
                  "'ipFamilyPolicy':'SingleStack','ports':[{'name':'80-8080','port':80,"
                  "'protocol':'TCP','targetPort':8080}],'selector':{'app':'x'},"
                  "'sessionAffinity':'None','type':'ClusterIP'}");
    json_decref(doc);
    /* NodePort: targetPort from port, externalTrafficPolicy */
    doc = defaulted("", "Service", "{'spec':{'type':'NodePort','ports':[{'port':443}]}}");
    expect_member(
        doc, "spec",
        "{'externalTrafficPolicy':'Cluster','internalTrafficPolicy':'Cluster',"
        "'ipFamilies':['IPv4'],'ipFamilyPolicy':'SingleStack','ports':[{'port':443,"
        "'protocol':'TCP','targetPort':443}],'sessionAffinity':'None','type':'NodePort'}");
    json_decref(doc);
    doc = defaulted("", "Service",
                    "{'spec':{'type':'LoadBalancer','ports':[{'port':80}],'sessionAffinity':"
                    "'ClientIP'}}");
    json_t *spec = json_object_get(doc, "spec");
    expect_member(spec, "allocateLoadBalancerNodePorts", "true");
    expect_member(spec, "sessionAffinityConfig", "{'clientIP':{'timeoutSeconds':10800}}");
    json_decref(doc);
    doc = defaulted("", "Service", "{'spec':{'clusterIP':'None'}}");
    expect_member(json_object_get(doc, "spec"), "ipFamilyPolicy", "'RequireDualStack'");
    json_decref(doc);
    doc = defaulted("", "Service",
                    "{'spec':{'type':'ExternalName','externalName':'db.example.com'}}");
    expect_member(
        doc, "spec",
        "{'type':'ExternalName','externalName':'db.example.com','sessionAffinity':'None'}");
    json_decref(doc);

    expect_valid("", "Service", "{'spec':{'ports':[{'port':80}],'selector':{'app':'x'}}}");
    expect_valid("", "Service", "{'spec':{'clusterIP':'None','selector':{'app':'x'}}}");
    expect_valid("", "Service",
                 "{'spec':{'type':'ExternalName','externalName':'db.example.com.'}}");
    expect_cause("", "Service", "{'spec':{'selector':{'app':'x'}}}", "FieldValueRequired",
                 "spec.ports", "Required value");
    expect_cause("", "Service", "{'spec':{'type':'ExternalName'}}", "FieldValueRequired",
                 "spec.externalName", "Required value");
    expect_cause("", "Service", "{'spec':{'ports':[{'port':0}]}}", "FieldValueInvalid",
                 "spec.ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive");
    expect_cause("", "Service", "{'spec':{'ports':[{'port':80},{'port':81}]}}",
                 "FieldValueRequired", "spec.ports[1].name", "Required value");
    expect_cause("", "Service",
                 "{'spec':{'ports':[{'name':'web','port':80},{'name':'web','port':81}]}}",
                 "FieldValueDuplicate", "spec.ports[1].name", "Duplicate value: \"web\"");
    expect_cause("", "Service",
                 "{'spec':{'ports':[{'name':'a','port':80},{'name':'b','port':80}]}}",
                 "FieldValueDuplicate", "spec.ports[1]",
                 "Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
                 "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, "
                 "IntVal:0, StrVal:\"\"}, NodePort:0}");
    expect_cause("", "Service", "{'spec':{'type':'Ingress','ports':[{'port':80}]}}",
                 "FieldValueNotSupported", "spec.type",
                 "Unsupported value: \"Ingress\": supported values: \"ClusterIP\", "
                 "\"ExternalName\", \"LoadBalancer\", \"NodePort\"");
    expect_cause("", "Service", "{'spec':{'type':'NodePort','ports':[{'port':80,'nodePort':80}]}}",
                 "FieldValueInvalid", "spec.ports[0].nodePort",
                 "Invalid value: 80: provided port is not in the valid range. The range of valid "
                 "ports is 30000-32767");
    expect_valid("", "Service",
                 "{'spec':{'type':'NodePort','ports':[{'port':80,'nodePort':30080}]}}");
    expect_cause("", "Service", "{'spec':{'ports':[{'port':80,'nodePort':30080}]}}",
                 "FieldValueForbidden", "spec.ports[0].nodePort",
                 "Forbidden: may not be used when `type` is 'ClusterIP'");
    expect_cause("", "Service", "{'spec':{'sessionAffinity':'Sticky','ports':[{'port':80}]}}",
                 "FieldValueNotSupported", "spec.sessionAffinity",
                 "Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"");
    expect_cause("", "Service", "{'spec':{'ports':[{'port':80,'targetPort':'Http'}]}}",
                 "FieldValueInvalid", "spec.ports[0].targetPort",
                 "Invalid value: \"Http\": must contain only alpha-numeric characters (a-z, "
                 "0-9), and hyphens (-)");
    expect_cause("", "Service", "{'spec':{'clusterIP':'10.96.0.300','ports':[{'port':80}]}}",
                 "FieldValueInvalid", "spec.clusterIPs[0]",
                 "Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or "
                 "2001:db8::ffff)");
    expect_cause("", "Service", "{'spec':{'ports':[{'port':80}],'externalTrafficPolicy':'Local'}}",
                 "FieldValueInvalid", "spec.externalTrafficPolicy",
                 "Invalid value: \"Local\": may only be set for externally-accessible services");
}

static void test_secret(void **state)
{
    json_t *doc = defaulted("", "Secret",
                            "{'metadata':{'name':'s'},'data':{'a':'Yg=='},"
                            "'stringData':{'x':'hello','a':'c'}}");
    expect_member(doc, "type", "'Opaque'");
    expect_member(doc, "data", "{'a':'Yw==','x':'aGVsbG8='}");
    assert_null(json_object_get(doc, "stringData"));
    json_decref(doc);
    doc = defaulted("", "Secret", "{'type':'kubernetes.io/tls','stringData':{'k':''}}");
    expect_member(doc, "type", "'kubernetes.io/tls'");
    expect_member(doc, "data", "{'k':''}");
    json_decref(doc);

    expect_valid("", "Secret", "{'data':{'a':'Yg==','b':'','c':'YWJj\\nZGVm'}}");
    expect_cause("", "Secret", "{'data':{'a':'!!!!'}}", "FieldValueInvalid", "data[a]",
                 "Invalid value: \"<secret contents redacted>\": illegal base64 data at input "
                 "byte 0");
    expect_cause("", "Secret", "{'data':{'a':'YWJ'}}", "FieldValueInvalid", "data[a]",
                 "Invalid value: \"<secret contents redacted>\": illegal base64 data at input "
                 "byte 3");
    expect_cause("", "Secret", "{'data':{'a b':'Yg=='}}", "FieldValueInvalid", "data[a b]",
                 "Invalid value: \"a b\": a valid config key must consist of alphanumeric "
                 "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', "
                 "regex used for validation is '[-._a-zA-Z0-9]+')");
    expect_cause("", "Secret", "{'type':'kubernetes.io/tls','data':{'tls.crt':''}}",
                 "FieldValueRequired", "data[tls.key]", "Required value");
    expect_cause("", "Secret", "{'stringData':{'a':1}}", "FieldValueTypeInvalid", "stringData.a",
                 "Invalid value: \"integer\": stringData.a in body must be of type string: "
                 "\"integer\"");
    /* 1 MiB + 3 bytes of data */
    size_t n = (1024 * 1024 + 3) / 3 * 4;
    char *body = malloc(n + 64);
    strcpy(body, "{'data':{'big':'");
    size_t off = strlen(body);
    memset(body + off, 'A', n);
    strcpy(body + off + n, "'}}");
    expect_cause("", "Secret", body, "FieldValueTooLong", "data",
                 "Too long: must have at most 1048576 bytes");
    free(body);
}

static void test_pvc_and_others(void **state)
{
    json_t *doc = defaulted("", "PersistentVolumeClaim",
                            "{'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{"
                            "'storage':'10G'}}}}");
    expect_member(doc, "spec",
                  "{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'10G'}},"
                  "'volumeMode':'Filesystem'}");
    expect_member(doc, "status", "{'phase':'Pending'}");
    json_decref(doc);
    expect_valid("", "PersistentVolumeClaim",
                 "{'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':"
                 "'1Gi'}}}}");
    expect_cause("", "PersistentVolumeClaim",
                 "{'spec':{'resources':{'requests':{'storage':'1Gi'}}}}", "FieldValueRequired",
                 "spec.accessModes", "Required value: at least 1 access mode is required");
    expect_cause("", "PersistentVolumeClaim", "{'spec':{'accessModes':['ReadWriteOnce']}}",
                 "FieldValueRequired", "spec.resources[storage]", "Required value");
    expect_cause("", "PersistentVolumeClaim",
                 "{'spec':{'accessModes':['RWO'],'resources':{'requests':{'storage':'0'}}}}",
                 "FieldValueNotSupported", "spec.accessModes",
                 "Unsupported value: \"RWO\": supported values: \"ReadOnlyMany\", "
                 "\"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"");
    expect_cause("", "PersistentVolumeClaim",
                 "{'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':"
                 "'0'}}}}",
                 "FieldValueInvalid", "spec.resources[storage]",
                 "Invalid value: \"0\": must be greater than zero");

    expect_valid("", "Event",
                 "{'metadata':{'namespace':'default'},'involvedObject':{'kind':'Pod'}}");
    expect_valid("", "Event",
                 "{'metadata':{'namespace':'team'},'involvedObject':{'namespace':'team'}}");
    expect_cause("", "Event", "{'metadata':{'namespace':'team'},'involvedObject':{}}",
                 "FieldValueInvalid", "involvedObject.namespace",
                 "Invalid value: \"\": does not match event.namespace");

    doc = defaulted("", "Node", "{'status':{'capacity':{'cpu':'4','memory':'8192Mi'}}}");
    expect_member(
        doc, "status",
        "{'capacity':{'cpu':'4','memory':'8Gi'},'allocatable':{'cpu':'4','memory':'8Gi'}}");
    json_decref(doc);
    expect_cause("", "Node",
                 "{'spec':{'taints':[{'key':'a','effect':'NoSchedule'},{'key':'a','effect':"
                 "'NoSchedule'}]}}",
                 "FieldValueDuplicate", "spec.taints[1]",
                 "Duplicate value: core.Taint{Key:\"a\", Value:\"\", Effect:\"NoSchedule\", "
                 "TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair");
    expect_cause("", "Node", "{'spec':{'taints':[{'key':'a','effect':'Sometimes'}]}}",
                 "FieldValueNotSupported", "spec.taints[0].effect",
                 "Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", "
                 "\"PreferNoSchedule\", \"NoExecute\"");
    expect_cause("", "Node", "{'spec':{'podCIDRs':['10.0.0.0/33']}}", NULL, "spec.podCIDRs[0]",
                 "Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 "
                 "or 2001:db8::/64)");

    doc = defaulted("", "Endpoints",
                    "{'subsets':[{'addresses':[{'ip':'10.1.2.3'}],'ports':[{'port':80}]}]}");
    expect_member(doc, "subsets",
                  "[{'addresses':[{'ip':'10.1.2.3'}],'ports':[{'port':80,'protocol':'TCP'}]}]");
    json_decref(doc);
    expect_cause("", "Endpoints", "{'subsets':[{'addresses':[{'ip':'127.0.0.1'}]}]}",
                 "FieldValueInvalid", "subsets[0].addresses[0].ip",
                 "Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, "
                 "::1/128)");
    expect_cause("", "Endpoints", "{'subsets':[{'ports':[{'port':80}]}]}", "FieldValueRequired",
                 "subsets[0]", "Required value: must specify `addresses` or `notReadyAddresses`");
    expect_valid("", "ServiceAccount", "{'secrets':[],'automountServiceAccountToken':false}");
}

/* ---- other groups ---- */

static void test_hpa(void **state)
{
    json_t *doc = defaulted(
        "autoscaling", "HorizontalPodAutoscaler",
        "{'spec':{'maxReplicas':5,'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment',"
        "'name':'x'}}}");
    expect_member(doc, "spec",
                  "{'maxReplicas':5,'minReplicas':1,'scaleTargetRef':{'apiVersion':'apps/v1',"
                  "'kind':'Deployment','name':'x'},'metrics':[{'type':'Resource','resource':{"
                  "'name':'cpu','target':{'type':'Utilization','averageUtilization':80}}}]}");
    json_decref(doc);
    doc = defaulted("autoscaling", "HorizontalPodAutoscaler",
                    "{'spec':{'behavior':{'scaleDown':{'stabilizationWindowSeconds':300}}}}");
    expect_member(json_object_get(doc, "spec"), "behavior",
                  "{'scaleDown':{'stabilizationWindowSeconds':300,'selectPolicy':'Max',"
                  "'policies':[{'type':'Percent','value':100,'periodSeconds':15}]},"
                  "'scaleUp':{'stabilizationWindowSeconds':0,'selectPolicy':'Max','policies':["
                  "{'type':'Pods','value':4,'periodSeconds':15},{'type':'Percent','value':100,"
                  "'periodSeconds':15}]}}");
    json_decref(doc);
    doc = defaulted("autoscaling", "HorizontalPodAutoscaler", "{'spec':{}}");
    assert_null(json_object_get(json_object_get(doc, "spec"), "behavior"));
    json_decref(doc);

#define HPA(extra)                                                                                 \
    "{'spec':{" extra "'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'x'}}}"
    expect_valid("autoscaling", "HorizontalPodAutoscaler", HPA("'maxReplicas':3,"));
    expect_cause("autoscaling", "HorizontalPodAutoscaler", HPA(""), "FieldValueInvalid",
                 "spec.maxReplicas", "Invalid value: 0: must be greater than 0");
    expect_cause("autoscaling", "HorizontalPodAutoscaler", HPA("'maxReplicas':1,'minReplicas':2,"),
                 "FieldValueInvalid", "spec.maxReplicas",
                 "Invalid value: 1: must be greater than or equal to `minReplicas`");
    expect_cause("autoscaling", "HorizontalPodAutoscaler", HPA("'maxReplicas':1,'minReplicas':0,"),
                 "FieldValueInvalid", "spec.minReplicas",
                 "Invalid value: 0: must be greater than or equal to 1");
    expect_cause("autoscaling", "HorizontalPodAutoscaler", "{'spec':{'maxReplicas':2}}",
                 "FieldValueRequired", "spec.scaleTargetRef.kind", "Required value");
    expect_cause("autoscaling", "HorizontalPodAutoscaler",
                 HPA("'maxReplicas':2,'metrics':[{'type':'Magic'}],"), "FieldValueNotSupported",
                 "spec.metrics[0].type",
                 "Unsupported value: \"Magic\": supported values: \"ContainerResource\", "
                 "\"External\", \"Object\", \"Pods\", \"Resource\"");
    expect_cause("autoscaling", "HorizontalPodAutoscaler",
                 HPA("'maxReplicas':2,'metrics':[{'type':'Resource','resource':{'name':'cpu',"
                     "'target':{'type':'Utilization'}}}],"),
                 "FieldValueRequired", "spec.metrics[0].resource.target.averageUtilization",
                 "Required value: must set either a target raw value or a target utilization");
    expect_cause("autoscaling", "HorizontalPodAutoscaler",
                 HPA("'maxReplicas':2,'behavior':{'scaleUp':{'policies':[{'type':'Pods','value':"
                     "0,'periodSeconds':2000}]}},"),
                 "FieldValueInvalid", "spec.behavior.scaleUp.policies[0].periodSeconds",
                 "Invalid value: 2000: must be less than or equal to 1800");

    expect_valid("policy", "PodDisruptionBudget",
                 "{'spec':{'minAvailable':'50%','selector':{'matchLabels':{'app':'x'}}}}");
    expect_cause("policy", "PodDisruptionBudget", "{'spec':{'minAvailable':1,'maxUnavailable':1}}",
                 "FieldValueInvalid", "spec",
                 "Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)"
                 "(0xc000000000), Selector:(*v1.LabelSelector)(nil), "
                 "MaxUnavailable:(*intstr.IntOrString)(0xc000000000), "
                 "UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: "
                 "minAvailable and maxUnavailable cannot be both set");
    expect_cause("policy", "PodDisruptionBudget", "{'spec':{'maxUnavailable':'120%'}}",
                 "FieldValueInvalid", "spec.maxUnavailable",
                 "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"120%\"}: must not "
                 "be greater than 100%");

    doc = defaulted("discovery.k8s.io", "EndpointSlice",
                    "{'addressType':'IPv4','ports':[{'port':80}]}");
    expect_member(doc, "ports", "[{'port':80,'name':'','protocol':'TCP'}]");
    json_decref(doc);
    expect_valid("discovery.k8s.io", "EndpointSlice",
                 "{'addressType':'IPv4','endpoints':[{'addresses':['10.0.0.1']}],'ports':[{}]}");
    expect_cause("discovery.k8s.io", "EndpointSlice", "{}", "FieldValueRequired", "addressType",
                 "Required value");
    expect_cause("discovery.k8s.io", "EndpointSlice", "{'addressType':'IPv5'}",
                 "FieldValueNotSupported", "addressType",
                 "Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"");
    expect_cause("discovery.k8s.io", "EndpointSlice",
                 "{'addressType':'IPv6','endpoints':[{'addresses':['10.0.0.1']}]}",
                 "FieldValueInvalid", "endpoints[0].addresses[0]",
                 "Invalid value: \"10.0.0.1\": must be a valid IPv6 address");

    expect_valid("coordination.k8s.io", "Lease",
                 "{'spec':{'holderIdentity':'a','leaseDurationSeconds':15}}");
    expect_cause("coordination.k8s.io", "Lease", "{'spec':{'leaseDurationSeconds':0}}",
                 "FieldValueInvalid", "spec.leaseDurationSeconds",
                 "Invalid value: 0: must be greater than 0");
}

#define CRD(name, spec) "{'metadata':{'name':'" name "'},'spec':" spec "}"
#define CRD_VERSIONS                                                                               \
    "'versions':[{'name':'v1','served':true,'storage':true,'schema':{'openAPIV3Schema':{"          \
    "'type':'object'}}}]"

static void test_crd(void **state)
{
    json_t *doc = defaulted("apiextensions.k8s.io", "CustomResourceDefinition",
                            CRD("widgets.example.com",
                                "{'group':'example.com','scope':'Namespaced','names':{'plural':"
                                "'widgets','kind':'Widget'}," CRD_VERSIONS "}"));
    json_t *spec = json_object_get(doc, "spec");
    expect_member(spec, "names",
                  "{'plural':'widgets','kind':'Widget','singular':'widget',"
                  "'listKind':'WidgetList'}");
    expect_member(spec, "conversion", "{'strategy':'None'}");
    expect_member(doc, "status", "{'storedVersions':['v1']}");
    json_decref(doc);
    expect_valid("apiextensions.k8s.io", "CustomResourceDefinition",
                 CRD("widgets.example.com",
                     "{'group':'example.com','scope':'Cluster','names':{"
                     "'plural':'widgets','kind':'Widget'}," CRD_VERSIONS "}"));
    expect_cause(
        "apiextensions.k8s.io", "CustomResourceDefinition",
        CRD("widget.example.com", "{'group':'example.com','scope':'Cluster','names':{"
                                  "'plural':'widgets','kind':'Widget'}," CRD_VERSIONS "}"),
        "FieldValueInvalid", "metadata.name",
        "Invalid value: \"widget.example.com\": must be spec.names.plural+\".\"+spec.group");
    expect_cause("apiextensions.k8s.io", "CustomResourceDefinition",
                 CRD("widgets.example", "{'group':'example','scope':'Cluster','names':{"
                                        "'plural':'widgets','kind':'Widget'}," CRD_VERSIONS "}"),
                 "FieldValueInvalid", "spec.group",
                 "Invalid value: \"example\": should be a domain with at least one dot");
    expect_cause(
        "apiextensions.k8s.io", "CustomResourceDefinition",
        CRD("widgets.example.com",
            "{'group':'example.com','names':{'plural':'widgets','kind':'Widget'}," CRD_VERSIONS
            "}"),
        "FieldValueRequired", "spec.scope", "Required value");
    expect_cause("apiextensions.k8s.io", "CustomResourceDefinition",
                 CRD("widgets.example.com",
                     "{'group':'example.com','scope':'Global','names':{'plural':'widgets','kind':"
                     "'Widget'}," CRD_VERSIONS "}"),
                 "FieldValueNotSupported", "spec.scope",
                 "Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\"");
    expect_cause("apiextensions.k8s.io", "CustomResourceDefinition",
                 CRD("widgets.example.com",
                     "{'group':'example.com','scope':'Cluster','names':{'plural':'widgets','kind':"
                     "'Widget'},'versions':[{'name':'v1','served':true,'storage':false,'schema':{"
                     "'openAPIV3Schema':{'type':'object'}}}]}"),
                 "FieldValueInvalid", "spec.versions",
                 "Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have "
                 "exactly one version marked as storage version");
    expect_cause("apiextensions.k8s.io", "CustomResourceDefinition",
                 CRD("widgets.example.com",
                     "{'group':'example.com','scope':'Cluster','names':{'plural':'widgets','kind':"
                     "'Widget'},'versions':[{'name':'v1','served':true,'storage':true}]}"),
                 "FieldValueRequired", "spec.versions[0].schema.openAPIV3Schema",
                 "Required value: schemas are required");
    expect_cause("apiextensions.k8s.io", "CustomResourceDefinition",
                 CRD("widgets.example.com",
                     "{'group':'example.com','scope':'Cluster','names':{'plural':'widgets','kind':"
                     "'Wid_get'}," CRD_VERSIONS "}"),
                 "FieldValueInvalid", "spec.names.kind",
                 "Invalid value: \"Wid_get\": may have mixed case, but should otherwise match: a "
                 "DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                 "start with an alphabetic character, and end with an alphanumeric character "
                 "(e.g. 'my-name',  or 'abc-123', regex used for validation is "
                 "'[a-z]([-a-z0-9]*[a-z0-9])?')");
}

/* ---- Karmada ---- */

static void test_propagation_policy(void **state)
{
    json_t *doc =
        defaulted("policy.karmada.io", "PropagationPolicy",
                  "{'metadata':{'name':'p','namespace':'team'},'spec':{'resourceSelectors':[{"
                  "'apiVersion':'apps/v1','kind':'Deployment','name':'nginx'}],'placement':{"
                  "'clusterAffinity':{'clusterNames':['member1']},'replicaScheduling':{},"
                  "'spreadConstraints':[{'maxGroups':2}]}}}");
    expect_member(doc, "spec",
                  "{'conflictResolution':'Abort','preemption':'Never','priority':0,"
                  "'schedulerName':'default-scheduler','resourceSelectors':[{'apiVersion':"
                  "'apps/v1','kind':'Deployment','name':'nginx','namespace':'team'}],"
                  "'placement':{'clusterAffinity':{'clusterNames':['member1']},"
                  "'replicaScheduling':{'replicaSchedulingType':'Divided',"
                  "'replicaDivisionPreference':'Weighted'},'spreadConstraints':[{'maxGroups':2,"
                  "'spreadByField':'cluster','minGroups':1}]}}");
    const char *id = json_string_value(
        json_object_get(json_object_get(json_object_get(doc, "metadata"), "labels"),
                        "propagationpolicy.karmada.io/permanent-id"));
    assert_non_null(id);
    assert_int_equal(strlen(id), 36);
    json_decref(doc);

    doc = defaulted("policy.karmada.io", "ClusterPropagationPolicy",
                    "{'metadata':{'name':'c'},'spec':{'resourceSelectors':[{'apiVersion':'v1',"
                    "'kind':'ServiceImport'},{'apiVersion':'multicluster.x-k8s.io/v1alpha1',"
                    "'kind':'ServiceImport'}],'failover':{'application':{'decisionConditions':{}}},"
                    "'placement':{'replicaScheduling':{'replicaSchedulingType':'Duplicated'}}}}");
    json_t *spec = json_object_get(doc, "spec");
    expect_member(spec, "propagateDeps", "true");
    expect_member(spec, "failover",
                  "{'application':{'decisionConditions':{'tolerationSeconds':300},"
                  "'purgeMode':'Graciously','gracePeriodSeconds':600}}");
    expect_member(json_object_get(spec, "placement"), "replicaScheduling",
                  "{'replicaSchedulingType':'Duplicated'}");
    /* cluster-scoped: no namespace filled in */
    assert_null(json_object_get(json_array_get(json_object_get(spec, "resourceSelectors"), 0),
                                "namespace"));
    assert_non_null(json_object_get(json_object_get(json_object_get(doc, "metadata"), "labels"),
                                    "clusterpropagationpolicy.karmada.io/permanent-id"));
    json_decref(doc);

#define PP(spec) "{'metadata':{'name':'p','namespace':'team'},'spec':" spec "}"
#define SEL "'resourceSelectors':[{'apiVersion':'apps/v1','kind':'Deployment'}]"
    expect_valid("policy.karmada.io", "PropagationPolicy", PP("{" SEL "}"));
    expect_cause("policy.karmada.io", "PropagationPolicy", "{'metadata':{'name':'p'}}",
                 "FieldValueRequired", "spec", "Required value");
    expect_cause("policy.karmada.io", "PropagationPolicy", PP("{}"), "FieldValueRequired",
                 "spec.resourceSelectors", "Required value");
    expect_cause("policy.karmada.io", "PropagationPolicy", PP("{'resourceSelectors':[]}"),
                 "FieldValueInvalid", "spec.resourceSelectors",
                 "Invalid value: 0: spec.resourceSelectors in body should have at least 1 items");
    expect_cause("policy.karmada.io", "PropagationPolicy",
                 PP("{'resourceSelectors':[{'apiVersion':'v1'}]}"), "FieldValueRequired",
                 "spec.resourceSelectors[0].kind", "Required value");
    expect_cause("policy.karmada.io", "PropagationPolicy", PP("{" SEL ",'preemption':'Sometimes'}"),
                 "FieldValueNotSupported", "spec.preemption",
                 "Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\"");
    expect_cause("policy.karmada.io", "PropagationPolicy",
                 PP("{" SEL ",'placement':{'spreadConstraints':[{'spreadByField':'rack'}]}}"),
                 "FieldValueNotSupported", "spec.placement.spreadConstraints[0].spreadByField",
                 "Unsupported value: \"rack\": supported values: \"cluster\", \"region\", "
                 "\"zone\", \"provider\"");
    expect_cause("policy.karmada.io", "PropagationPolicy",
                 PP("{" SEL ",'placement':{'spreadConstraints':[{'spreadByField':'cluster',"
                    "'maxGroups':1,'minGroups':2}]}}"),
                 "FieldValueInvalid", "spec.placement.spreadConstraints[0]",
                 "Invalid value: v1alpha1.SpreadConstraint{SpreadByField:\"cluster\", "
                 "SpreadByLabel:\"\", MaxGroups:1, MinGroups:2}: maxGroups lower than minGroups "
                 "is not allowed");
    expect_cause("policy.karmada.io", "PropagationPolicy",
                 PP("{" SEL ",'placement':{'spreadConstraints':[{'spreadByField':'region',"
                    "'maxGroups':2}]}}"),
                 "FieldValueInvalid", "spec.placement.spreadConstraints",
                 "Invalid value: []v1alpha1.SpreadConstraint{v1alpha1.SpreadConstraint{"
                 "SpreadByField:\"region\", SpreadByLabel:\"\", MaxGroups:2, MinGroups:1}}: the "
                 "cluster spread constraint must be enabled in one of the constraints in case of "
                 "SpreadByField is enabled");
    expect_cause("policy.karmada.io", "PropagationPolicy",
                 PP("{" SEL ",'placement':{'clusterAffinity':{},'clusterAffinities':[{"
                    "'affinityName':'a'}]}}"),
                 "FieldValueInvalid", "spec.placement",
                 "Invalid value: v1alpha1.Placement{...}: clusterAffinities cannot co-exist with "
                 "clusterAffinity");
    expect_cause("policy.karmada.io", "PropagationPolicy",
                 PP("{" SEL ",'placement':{'clusterAffinity':{'fieldSelector':{"
                    "'matchExpressions':[{'key':'rack','operator':'In','values':['a']}]}}}}"),
                 "FieldValueInvalid", "spec.placement.clusterAffinity.fieldSelector",
                 "Invalid value: v1alpha1.FieldSelector{MatchExpressions:[]v1."
                 "NodeSelectorRequirement{v1.NodeSelectorRequirement{Key:\"rack\", Operator:"
                 "\"In\", Values:[]string{\"a\"}}}}: unsupported key \"rack\", must be provider, "
                 "region, or zone");
    expect_cause("policy.karmada.io", "PropagationPolicy",
                 PP("{" SEL ",'placement':{'replicaScheduling':{'weightPreference':{"
                    "'staticWeightList':[{'targetCluster':{},'weight':0}]}}}}"),
                 "FieldValueInvalid",
                 "spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight",
                 "Invalid value: 0: spec.placement.replicaScheduling.weightPreference."
                 "staticWeightList[0].weight in body should be greater than or equal to 1");
    expect_cause("policy.karmada.io", "PropagationPolicy",
                 PP("{" SEL ",'failover':{'application':{'decisionConditions':{}}}}"),
                 "FieldValueInvalid", "spec.propagateDeps",
                 "Invalid value: false: application failover is set, propagateDeps must be true");
    expect_cause("policy.karmada.io", "PropagationPolicy",
                 PP("{'resourceSelectors':[{'apiVersion':'v1','kind':'Secret'}],"
                    "'preemption':'Always'}"),
                 "FieldValueInvalid", "spec.resourceSelectors[0].name",
                 "Invalid value: \"\": name cannot be empty if preemption is Always, the empty "
                 "name may cause unexpected resources preemption");
}

static void test_override_policy(void **state)
{
    json_t *doc = defaulted("policy.karmada.io", "OverridePolicy",
                            "{'metadata':{'name':'o','namespace':'team'},'spec':{"
                            "'resourceSelectors':[{'apiVersion':'apps/v1','kind':'Deployment'}],"
                            "'overrideRules':[{'overriders':{'plaintext':[{'path':'/spec/replicas',"
                            "'operator':'replace','value':2}]}}]}}");
    json_t *spec = json_object_get(doc, "spec");
    expect_member(json_array_get(json_object_get(spec, "resourceSelectors"), 0), "namespace",
                  "'team'");
    expect_member(spec, "overriders", "{}");
    json_decref(doc);

#define OP(rules) "{'metadata':{'name':'o','namespace':'team'},'spec':{'overrideRules':" rules "}}"
    expect_valid("policy.karmada.io", "OverridePolicy",
                 OP("[{'targetCluster':{'clusterNames':['m1']},'overriders':{'imageOverrider':[{"
                    "'component':'Registry','operator':'replace','value':'mirror.io'}]}}]"));
    expect_cause("policy.karmada.io", "OverridePolicy",
                 OP("[{'overriders':{'plaintext':[{'path':'/a','operator':'delete'}]}}]"),
                 "FieldValueNotSupported", "spec.overrideRules[0].overriders.plaintext[0].operator",
                 "Unsupported value: \"delete\": supported values: \"add\", \"remove\", "
                 "\"replace\"");
    expect_cause(
        "policy.karmada.io", "OverridePolicy",
        OP("[{'overriders':{'imageOverrider':[{'component':'Digest','operator':'add'}]}}]"),
        "FieldValueNotSupported", "spec.overrideRules[0].overriders.imageOverrider[0].component",
        "Unsupported value: \"Digest\": supported values: \"Registry\", \"Repository\", "
        "\"Tag\"");
    expect_cause("policy.karmada.io", "OverridePolicy", OP("[{}]"), "FieldValueRequired",
                 "spec.overrideRules[0].overriders", "Required value");
    expect_cause("policy.karmada.io", "OverridePolicy",
                 "{'metadata':{'name':'o'},'spec':{'overriders':{'plaintext':[{'path':'/a',"
                 "'operator':'remove'}]},'overrideRules':[{'overriders':{}}]}}",
                 "FieldValueInvalid", "spec.overriders",
                 "Invalid value: v1alpha1.Overriders{...}: overrideRules and overriders can't "
                 "co-exist");
    expect_cause("policy.karmada.io", "OverridePolicy",
                 OP("[{'overriders':{'fieldOverrider':[{'fieldPath':'data','json':[{'subPath':"
                    "'/a','operator':'add'}]}]}}]"),
                 "FieldValueInvalid",
                 "spec.overrideRules[0].overriders.fieldOverrider[0].fieldPath",
                 "Invalid value: \"data\": JSON pointer must be empty or start with a \"/");
    expect_cause("policy.karmada.io", "OverridePolicy",
                 OP("[{'overriders':{'fieldOverrider':[{'fieldPath':'/data','json':[{'subPath':"
                    "'/a','operator':'add'}]}]}}]"),
                 "FieldValueInvalid",
                 "spec.overrideRules[0].overriders.fieldOverrider[0].json[0].value",
                 "Invalid value: v1.JSON{Raw:[]uint8(nil)}: value is required for add or replace "
                 "operation");
    expect_cause(
        "policy.karmada.io", "OverridePolicy",
        OP("[{'overriders':{'labelsOverrider':[{'operator':'add','value':{'bad key':'v'}}]}}]"),
        "FieldValueInvalid", "spec.overrideRules[0].overriders.labelsOverrider[0].value",
        "Invalid value: \"bad key\": name part must consist of alphanumeric characters, "
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
        "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
}

static void test_cluster(void **state)
{
    json_t *doc = defaulted("cluster.karmada.io", "Cluster",
                            "{'metadata':{'name':'member1'},'spec':{'syncMode':'Push',"
                            "'apiEndpoint':'https://10.0.0.1:6443','zone':'z1','taints':[{'key':"
                            "'a','effect':'NoExecute'},{'key':'b','effect':'NoSchedule'}]}}");
    json_t *spec = json_object_get(doc, "spec");
    json_t *models = json_object_get(spec, "resourceModels");
    assert_int_equal(json_array_size(models), 9);
    expect_member(json_array_get(models, 0), "ranges",
                  "[{'name':'cpu','min':'0','max':'1'},{'name':'memory','min':'0','max':'4Gi'}]");
    expect_member(json_array_get(models, 8), "ranges",
                  "[{'name':'cpu','min':'128','max':'9223372036854775807'},{'name':'memory',"
                  "'min':'1Ti','max':'9223372036854775807'}]");
    expect_member(spec, "zones", "['z1']");
    assert_null(json_object_get(spec, "zone"));
    json_t *taints = json_object_get(spec, "taints");
    assert_non_null(json_object_get(json_array_get(taints, 0), "timeAdded"));
    assert_null(json_object_get(json_array_get(taints, 1), "timeAdded"));
    json_decref(doc);
    /* given models are sorted and bounded */
    doc = defaulted("cluster.karmada.io", "Cluster",
                    "{'spec':{'syncMode':'Pull','resourceModels':[{'grade':1,'ranges':[{'name':"
                    "'cpu','min':'2','max':'4'}]},{'grade':0,'ranges':[{'name':'cpu','min':'1',"
                    "'max':'2'}]}]}}");
    expect_member(json_object_get(doc, "spec"), "resourceModels",
                  "[{'grade':0,'ranges':[{'name':'cpu','min':'0','max':'2'}]},{'grade':1,"
                  "'ranges':[{'name':'cpu','min':'2','max':'9223372036854775807'}]}]");
    json_decref(doc);

    expect_valid("cluster.karmada.io", "Cluster",
                 "{'metadata':{'name':'member1'},'spec':{'syncMode':'Push','apiEndpoint':"
                 "'https://10.0.0.1:6443'}}");
    expect_cause("cluster.karmada.io", "Cluster", "{'spec':{}}", "FieldValueRequired",
                 "spec.syncMode", "Required value");
    expect_cause("cluster.karmada.io", "Cluster", "{'spec':{'syncMode':'Both'}}",
                 "FieldValueNotSupported", "spec.syncMode",
                 "Unsupported value: \"Both\": supported values: \"Pull\", \"Push\"");
    expect_cause("cluster.karmada.io", "Cluster",
                 "{'spec':{'syncMode':'Push','apiEndpoint':'10.0.0.1:6443'}}", "FieldValueInvalid",
                 "spec.apiEndpoint",
                 "Invalid value: \"10.0.0.1:6443\": apiEndpoint must be a valid URL: parse "
                 "\"10.0.0.1:6443\": first path segment in URL cannot contain colon; desired "
                 "format: hostname, hostname:port, IP or IP:port");
    expect_cause("cluster.karmada.io", "Cluster",
                 "{'spec':{'syncMode':'Push','taints':[{'key':'a','effect':'PreferNoSchedule'}]}}",
                 "FieldValueNotSupported", "spec.taints[0].effect",
                 "Unsupported value: \"PreferNoSchedule\": supported values: \"NoSchedule\", "
                 "\"NoExecute\"");
    expect_cause("cluster.karmada.io", "Cluster",
                 "{'metadata':{'name':'a-cluster-name-that-is-much-longer-than-forty-eight-chars'},"
                 "'spec':{'syncMode':'Push'}}",
                 "FieldValueInvalid", "metadata.name",
                 "Invalid value: \"a-cluster-name-that-is-much-longer-than-forty-eight-chars\": "
                 "must be no more than 48 characters");
}

static void test_bindings_and_autoscalers(void **state)
{
    json_t *doc = defaulted("work.karmada.io", "ResourceBinding",
                            "{'spec':{'resource':{'apiVersion':'apps/v1','kind':'Deployment',"
                            "'name':'x'}}}");
    assert_non_null(json_object_get(json_object_get(json_object_get(doc, "metadata"), "labels"),
                                    "resourcebinding.karmada.io/permanent-id"));
    json_decref(doc);
    expect_cause("work.karmada.io", "ResourceBinding",
                 "{'spec':{'resource':{'apiVersion':'apps/v1','kind':'Deployment'}}}",
                 "FieldValueRequired", "spec.resource.name", "Required value");

#define FHPA(extra)                                                                                \
    "{'spec':{" extra "'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'x'}}}"
    doc = defaulted("autoscaling.karmada.io", "FederatedHPA", FHPA("'maxReplicas':4,"));
    expect_member(json_object_get(doc, "spec"), "minReplicas", "1");
    expect_member(json_object_get(doc, "spec"), "metrics",
                  "[{'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization',"
                  "'averageUtilization':80}}}]");
    json_decref(doc);
    expect_valid("autoscaling.karmada.io", "FederatedHPA", FHPA("'maxReplicas':4,"));
    expect_cause("autoscaling.karmada.io", "FederatedHPA", FHPA(""), "FieldValueRequired",
                 "spec.maxReplicas", "Required value");
    expect_cause("autoscaling.karmada.io", "FederatedHPA", FHPA("'maxReplicas':1,'minReplicas':3,"),
                 "FieldValueInvalid", "spec.maxReplicas",
                 "Invalid value: 1: must be greater than or equal to `minReplicas`");
    expect_cause("autoscaling.karmada.io", "FederatedHPA",
                 FHPA("'maxReplicas':3,'metrics':[{'type':'Pods','pods':{'metric':{'name':'q'},"
                      "'target':{'type':'AverageValue','averageValue':'1'}}}],"),
                 "FieldValueNotSupported", "spec.metrics[0].type",
                 "Unsupported value: \"Pods\": supported values: \"Resource\"");

#define CRON(rules)                                                                                \
    "{'spec':{'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'x'},"           \
    "'rules':" rules "}}"
    doc = defaulted("autoscaling.karmada.io", "CronFederatedHPA",
                    CRON("[{'name':'up','schedule':'0 8 * * 1-5','targetReplicas':5}]"));
    expect_member(json_object_get(doc, "spec"), "rules",
                  "[{'name':'up','schedule':'0 8 * * 1-5','targetReplicas':5,'suspend':false,"
                  "'successfulHistoryLimit':3,'failedHistoryLimit':3}]");
    json_decref(doc);
    expect_valid(
        "autoscaling.karmada.io", "CronFederatedHPA",
        CRON("[{'name':'up','schedule':'*/15 8-18 * JAN-MAR MON,FRI','targetReplicas':5,"
             "'timeZone':'UTC'},{'name':'nightly','schedule':'@daily','targetReplicas':1}]"));
    expect_cause("autoscaling.karmada.io", "CronFederatedHPA",
                 CRON("[{'name':'up','schedule':'61 * * * *','targetReplicas':5}]"),
                 "FieldValueInvalid", "spec.rules[0].schedule",
                 "Invalid value: \"61 * * * *\": invalid cron format");
    expect_cause("autoscaling.karmada.io", "CronFederatedHPA",
                 CRON("[{'name':'a','schedule':'@hourly','targetReplicas':1},{'name':'a',"
                      "'schedule':'@hourly','targetReplicas':2}]"),
                 "FieldValueDuplicate", "spec.rules[1].name", "Duplicate value: \"a\"");
    expect_cause("autoscaling.karmada.io", "CronFederatedHPA",
                 CRON("[{'name':'a','schedule':'@hourly'}]"), "FieldValueInvalid", "spec.rules[0]",
                 "Invalid value: \"\": targetReplicas cannot be nil if you want to scale "
                 "Deployment");
    expect_cause(
        "autoscaling.karmada.io", "CronFederatedHPA",
        CRON("[{'name':'a','schedule':'@hourly','targetReplicas':1,'successfulHistoryLimit':"
             "0}]"),
        "FieldValueInvalid", "spec.rules[0].successfulHistoryLimit",
        "Invalid value: 0: spec.rules[0].successfulHistoryLimit in body should be greater "
        "than or equal to 1");
}

static void test_causes_capped(void **state)
{
    /* many problems: the error keeps the first FL_ERR_CAUSES_MAX and stays well-formed */
    expect_ncauses("", "Service",
                   "{'spec':{'type':'X','sessionAffinity':'Y','ports':[{'port':0,'protocol':'A'},"
                   "{'port':0,'protocol':'B'},{'port':0,'protocol':'C'},{'port':0,'protocol':'D'},"
                   "{'port':0,'protocol':'E'}]}}",
                   FL_ERR_CAUSES_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantity_canonical),
        cmocka_unit_test(test_quantity_errors),
        cmocka_unit_test(test_quantity_cmp),
        cmocka_unit_test(test_deployment_defaults),
        cmocka_unit_test(test_pod_defaults),
        cmocka_unit_test(test_image_pull_policy),
        cmocka_unit_test(test_pod_validation),
        cmocka_unit_test(test_pod_resources),
        cmocka_unit_test(test_deployment_validation),
        cmocka_unit_test(test_statefulset),
        cmocka_unit_test(test_replicaset_daemonset_revision),
        cmocka_unit_test(test_service),
        cmocka_unit_test(test_secret),
        cmocka_unit_test(test_pvc_and_others),
        cmocka_unit_test(test_hpa),
        cmocka_unit_test(test_crd),
        cmocka_unit_test(test_propagation_policy),
        cmocka_unit_test(test_override_policy),
        cmocka_unit_test(test_cluster),
        cmocka_unit_test(test_bindings_and_autoscalers),
        cmocka_unit_test(test_causes_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
