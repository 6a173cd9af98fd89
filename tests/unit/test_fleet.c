/*
 * Unit tests for member/fleet: the documented example parses into the
 * expected specs, omitted fields get their defaults, every validation error
 * names the file, line and field (a table of YAML -> exact message), and
 * anchors, caps and file loading behave.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "member/fleet.h"

/* The example of docs/fleet-file.md. */
static const char example[] =
    "# two clusters\n"
    "clusters:\n"
    "- name: idc-1\n"
    "  provider: idc\n"
    "  region: cn-north\n"
    "  zone: cn-north-1a\n"
    "  labels: {env: prod, example.com/tier: \"1\"}\n"
    "  listen: 127.0.0.1:0\n"
    "  nodePools:\n"
    "  - {name: cpu, count: 50, capacity: {cpu: \"64\", memory: 256Gi, pods: \"110\"}, labels: {},"
    " taints: []}\n"
    "  - {name: gpu, count: 8, capacity: {cpu: 96, memory: 1Ti, nvidia.com/gpu: \"8\"},\n"
    "     taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]}\n"
    "  podStartDelay: 500ms\n"
    "  podStartJitter: 200ms\n"
    "  podReadyDelay: 0s\n"
    "  podStopDelay: 100ms\n"
    "  leaseDurationSeconds: 40\n"
    "  nodeMonitorGracePeriod: 40s\n"
    "  evictionTolerationSeconds: 300\n"
    "  podCIDR: 10.128.0.0/9\n"
    "- name: edge-2\n"
    "  listen: '[::1]:6443'\n"
    "  nodePools:\n"
    "  - name: small\n"
    "    count: 0\n"
    "    capacity:\n"
    "      cpu: 2\n"
    "      memory: 4Gi\n"
    "    labels:\n"
    "      node.kubernetes.io/instance-type: s1\n"
    "    taints:\n"
    "    - key: edge\n"
    "      effect: NoExecute\n"
    "  podStartDelay: 1.5\n"
    "  podStopDelay: 1m30s\n"
    "  nodeMonitorGracePeriod: 2m\n"
    "  evictionTolerationSeconds: 0\n"
    "  podCIDR: 10.0.0.0/16\n";

static void assert_json(const json_t *j, const char *expect)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(s);
    assert_string_equal(s, expect);
    free(s);
}

static void test_example(void **state)
{
    struct fl_fleet f;
    struct fl_err err;
    int rc = fl_fleet_parse(example, strlen(example), "fleet.yaml", &f, &err);
    if (rc != 0)
        fail_msg("%s", err.message);
    assert_int_equal(f.n, 2);

    const struct fl_member_spec *s = f.clusters[0];
    assert_string_equal(s->name, "idc-1");
    assert_string_equal(s->provider, "idc");
    assert_string_equal(s->region, "cn-north");
    assert_string_equal(s->zone, "cn-north-1a");
    assert_json(s->labels, "{\"env\":\"prod\",\"example.com/tier\":\"1\"}");
    assert_string_equal(s->listen, "127.0.0.1:0");
    assert_int_equal(s->npools, 2);
    assert_string_equal(s->pools[0].name, "cpu");
    assert_int_equal(s->pools[0].count, 50);
    assert_json(s->pools[0].capacity, "{\"cpu\":\"64\",\"memory\":\"256Gi\",\"pods\":\"110\"}");
    assert_json(s->pools[0].labels, "{}");
    assert_json(s->pools[0].taints, "[]");
    assert_string_equal(s->pools[1].name, "gpu");
    assert_int_equal(s->pools[1].count, 8);
    /* Ints are kept as written; pods is added. */
    assert_json(s->pools[1].capacity,
                "{\"cpu\":\"96\",\"memory\":\"1Ti\",\"nvidia.com/gpu\":\"8\",\"pods\":\"110\"}");
    assert_json(s->pools[1].taints,
                "[{\"effect\":\"NoSchedule\",\"key\":\"nvidia.com/gpu\",\"value\":\"present\"}]");
    assert_int_equal(s->pod_start_delay_ms, 500);
    assert_int_equal(s->pod_start_jitter_ms, 200);
    assert_int_equal(s->pod_ready_delay_ms, 0);
    assert_int_equal(s->pod_stop_delay_ms, 100);
    assert_int_equal(s->lease_duration_s, 40);
    assert_int_equal(s->node_monitor_grace_s, 40);
    assert_int_equal(s->eviction_toleration_s, 300);
    assert_string_equal(s->pod_cidr, "10.128.0.0/9");

    s = f.clusters[1];
    assert_string_equal(s->name, "edge-2");
    assert_null(s->provider);
    assert_null(s->region);
    assert_null(s->zone);
    assert_json(s->labels, "{}");
    assert_string_equal(s->listen, "[::1]:6443");
    assert_int_equal(s->npools, 1);
    assert_int_equal(s->pools[0].count, 0);
    assert_json(s->pools[0].capacity, "{\"cpu\":\"2\",\"memory\":\"4Gi\",\"pods\":\"110\"}");
    assert_json(s->pools[0].labels, "{\"node.kubernetes.io/instance-type\":\"s1\"}");
    assert_json(s->pools[0].taints, "[{\"effect\":\"NoExecute\",\"key\":\"edge\"}]");
    assert_int_equal(s->pod_start_delay_ms, 1500);
    assert_int_equal(s->pod_start_jitter_ms, 0);
    assert_int_equal(s->pod_stop_delay_ms, 90000);
    assert_int_equal(s->node_monitor_grace_s, 120);
    assert_int_equal(s->eviction_toleration_s, 0);
    assert_string_equal(s->pod_cidr, "10.0.0.0/16");

    /* A taken spec is the caller's; release frees the rest. */
    struct fl_member_spec *taken = f.clusters[0];
    f.clusters[0] = NULL;
    fl_fleet_release(&f);
    assert_null(f.clusters);
    assert_int_equal(f.n, 0);
    fl_member_spec_free(taken);
}

static void check_defaults(const struct fl_member_spec *s)
{
    assert_null(s->provider);
    assert_null(s->region);
    assert_null(s->zone);
    assert_json(s->labels, "{}");
    assert_string_equal(s->listen, "127.0.0.1:0");
    assert_int_equal(s->pod_start_delay_ms, 500);
    assert_int_equal(s->pod_start_jitter_ms, 0);
    assert_int_equal(s->pod_ready_delay_ms, 0);
    assert_int_equal(s->pod_stop_delay_ms, 100);
    assert_int_equal(s->lease_duration_s, 40);
    assert_int_equal(s->node_monitor_grace_s, 40);
    assert_int_equal(s->eviction_toleration_s, 300);
    assert_string_equal(s->pod_cidr, "10.128.0.0/9");
}

static void test_defaults(void **state)
{
    struct fl_member_spec *s = fl_member_spec_new("m1");
    assert_string_equal(s->name, "m1");
    assert_int_equal(s->npools, 0);
    assert_null(s->pools);
    check_defaults(s);
    fl_member_spec_free(s);
    fl_member_spec_free(NULL);

    /* Omitted and null fields are defaults alike. */
    static const char *const texts[] = {
        "clusters:\n- name: m1\n",
        "clusters:\n- name: m1\n  labels:\n  nodePools:\n  listen: ~\n  podCIDR: null\n",
        "---\nclusters: [{name: m1, nodePools: []}]\n...\n",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct fl_fleet f;
        struct fl_err err;
        if (fl_fleet_parse(texts[i], strlen(texts[i]), "f.yaml", &f, &err) != 0)
            fail_msg("%s: %s", texts[i], err.message);
        assert_int_equal(f.n, 1);
        assert_string_equal(f.clusters[0]->name, "m1");
        assert_int_equal(f.clusters[0]->npools, 0);
        check_defaults(f.clusters[0]);
        fl_fleet_release(&f);
    }

    /* Pool defaults: labels {}, taints [], pods 110 (a given pods stays). */
    const char *t = "clusters:\n- name: m1\n  nodePools:\n"
                    "  - {name: a, count: 3, capacity: {memory: 1Gi, cpu: 500m}}\n"
                    "  - {name: b, count: 1, capacity: {cpu: 1, memory: 1Gi, pods: 20},"
                    " labels: ~, taints: ~}\n";
    struct fl_fleet f;
    struct fl_err err;
    if (fl_fleet_parse(t, strlen(t), "f.yaml", &f, &err) != 0)
        fail_msg("%s", err.message);
    const struct fl_member_spec *s1 = f.clusters[0];
    assert_int_equal(s1->npools, 2);
    assert_json(s1->pools[0].capacity, "{\"cpu\":\"500m\",\"memory\":\"1Gi\",\"pods\":\"110\"}");
    assert_json(s1->pools[0].labels, "{}");
    assert_json(s1->pools[0].taints, "[]");
    assert_json(s1->pools[1].capacity, "{\"cpu\":\"1\",\"memory\":\"1Gi\",\"pods\":\"20\"}");
    assert_json(s1->pools[1].labels, "{}");
    assert_json(s1->pools[1].taints, "[]");
    fl_fleet_release(&f);
}

struct dur_case {
    const char *text;
    long ms; /* -1: error */
};

static void test_durations(void **state)
{
    static const struct dur_case cases[] = {
        {"500ms", 500},     {"2s", 2000},    {"1m", 60000},
        {"1.5s", 1500},     {"1h", 3600000}, {"1h30m", 5400000},
        {"1m30.5s", 90500}, {"0", 0},        {"0s", 0},
        {"3", 3000},        {"0.25", 250},   {"\"7\"", 7000},
        {"1us", 1},         {"1500us", 2},   {"1\xc2\xb5s", 1},
        {"1000000ns", 1},   {".5s", 500},    {"5.s", 5000},
        {"+2s", 2000},      {"-0s", 0},      {"24h", 86400000},
        {"-1s", -1},        {"25h", -1},     {"1.2.3", -1},
        {"s", -1},          {"1x", -1},      {"1s2", -1},
        {"", -1},           {"ms", -1},      {".", -1},
        {"1e3", -1},        {"[1]", -1},     {"99999999999999999999999h", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "clusters:\n- name: m\n  podStartDelay: %s\n", cases[i].text);
        struct fl_fleet f;
        struct fl_err err;
        int rc = fl_fleet_parse(text, strlen(text), "f.yaml", &f, &err);
        if (cases[i].ms < 0) {
            if (rc == 0)
                fail_msg("%s: parsed", cases[i].text);
            assert_int_equal(err.code, 400);
            assert_non_null(strstr(err.message, "f.yaml:3: clusters[0].podStartDelay: "));
            assert_null(f.clusters);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", cases[i].text, err.message);
        if (f.clusters[0]->pod_start_delay_ms != (uint32_t)cases[i].ms)
            fail_msg("%s: %u ms, want %ld", cases[i].text, f.clusters[0]->pod_start_delay_ms,
                     cases[i].ms);
        fl_fleet_release(&f);
    }
}

struct err_case {
    const char *yaml;
    const char *msg; /* exact; a trailing '*' matches any rest */
};

#define C1 "clusters:\n- name: m\n"
#define POOL "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1Gi}\n"
#define LABEL_KEY_MSG                                                                              \
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "  \
    "with an alphanumeric character*"

static const struct err_case err_cases[] = {
    /* The file as a whole. */
    {"", "f.yaml:1: no clusters: the file needs a top-level \"clusters\" list"},
    {"# nothing\n", "f.yaml:1: no clusters: the file needs a top-level \"clusters\" list"},
    {"~\n", "f.yaml:1: no clusters: the file needs a top-level \"clusters\" list"},
    {"clusters:\n", "f.yaml:1: no clusters: the file needs a top-level \"clusters\" list"},
    {"\n\nclusters: []\n", "f.yaml:3: clusters: no clusters"},
    {"- a\n", "f.yaml:1: the file must be a mapping with a \"clusters\" list"},
    {"clusterz: []\n", "f.yaml:1: unknown field \"clusterz\""},
    {"clusters: []\nclusters: []\n", "f.yaml:2: duplicate field \"clusters\""},
    {"clusters: {name: m}\n", "f.yaml:1: clusters: must be a list"},
    {"clusters:\n- name: m\n  labels: {a: b\n",
     "f.yaml:4: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping "
     "at line 3)"},
    {"clusters:\n  - name: m\n - x\n", "f.yaml:3: invalid YAML: *"},
    {"clusters:\n- name: *nope\n", "f.yaml:2: invalid YAML: found undefined alias"},
    {"clusters: [{name: a}]\n---\nclusters: [{name: b}]\n",
     "f.yaml:3: only one YAML document is allowed"},
    {"clusters:\n- name: m\n  zone: \"\xff\"\n",
     "f.yaml:3: invalid YAML: invalid leading UTF-8 octet (byte 29)"},
    {"clusters:\n- x\n", "f.yaml:2: clusters[0]: must be a mapping"},
    /* Cluster fields. */
    {"clusters:\n- zone: z\n", "f.yaml:2: clusters[0].name: required"},
    {"clusters:\n- name:\n", "f.yaml:2: clusters[0].name: required"},
    {"clusters:\n- name: ''\n", "f.yaml:2: clusters[0].name: required"},
    {"clusters:\n- name: Idc_1\n",
     "f.yaml:2: clusters[0].name: invalid value \"Idc_1\": a lowercase RFC 1123 label must*"},
    {"clusters:\n- name: [a]\n", "f.yaml:2: clusters[0].name: must be a string"},
    {"clusters:\n- name: \"a\\0b\"\n",
     "f.yaml:2: clusters[0].name: must not contain NUL characters"},
    {C1 "  podStartDelai: 1s\n", "f.yaml:3: clusters[0]: unknown field \"podStartDelai\""},
    {C1 "  name: n\n", "f.yaml:3: clusters[0]: duplicate field \"name\""},
    {C1 "  {a: 1}: 1\n", "f.yaml:3: clusters[0]: keys must be strings"},
    {C1 "  region: cn north\n",
     "f.yaml:3: clusters[0].region: invalid value \"cn north\": a valid label must be an empty "
     "string*"},
    {C1 "  provider: {a: 1}\n", "f.yaml:3: clusters[0].provider: must be a string"},
    {C1 "  labels: [a]\n", "f.yaml:3: clusters[0].labels: must be a mapping"},
    {C1 "  labels:\n    ok: x\n    bad key: x\n",
     "f.yaml:5: clusters[0].labels: invalid key \"bad key\": " LABEL_KEY_MSG},
    {C1 "  labels:\n    env: no way\n",
     "f.yaml:4: clusters[0].labels.env: invalid value \"no way\": a valid label must be*"},
    {C1 "  labels:\n    env: [a]\n", "f.yaml:4: clusters[0].labels.env: must be a string"},
    {C1 "  labels: {a: b, a: c}\n", "f.yaml:3: clusters[0].labels: duplicate key \"a\""},
    {C1 "  listen: 127.0.0.1\n",
     "f.yaml:3: clusters[0].listen: invalid value \"127.0.0.1\": must be ADDR:PORT with an IP "
     "address and a port (e.g. \"127.0.0.1:0\"; port 0 picks a free port)"},
    {C1 "  listen: localhost:80\n",
     "f.yaml:3: clusters[0].listen: invalid value \"localhost:80\": *"},
    {C1 "  listen: 127.0.0.1:65536\n", "f.yaml:3: clusters[0].listen: invalid value *"},
    {C1 "  listen: \"::1:80\"\n", "f.yaml:3: clusters[0].listen: invalid value *"},
    {C1 "  listen: \"[::1]\"\n", "f.yaml:3: clusters[0].listen: invalid value *"},
    {C1 "  listen: \"127.0.0.1:\"\n", "f.yaml:3: clusters[0].listen: invalid value *"},
    {C1 "  podStartDelay: 5x\n",
     "f.yaml:3: clusters[0].podStartDelay: must be a duration such as \"500ms\", \"1.5s\" or "
     "\"2m\", or a number of seconds"},
    {C1 "  podStopDelay: -1s\n", "f.yaml:3: clusters[0].podStopDelay: must not be negative"},
    {C1 "  podReadyDelay: 48h\n", "f.yaml:3: clusters[0].podReadyDelay: must be at most 24h"},
    {C1 "  podStartJitter: {a: 1}\n",
     "f.yaml:3: clusters[0].podStartJitter: must be a duration such as \"500ms\""},
    {C1 "  nodeMonitorGracePeriod: 1500ms\n",
     "f.yaml:3: clusters[0].nodeMonitorGracePeriod: must be a positive whole number of seconds"},
    {C1 "  nodeMonitorGracePeriod: 0s\n",
     "f.yaml:3: clusters[0].nodeMonitorGracePeriod: must be a positive whole number of seconds"},
    {C1 "  leaseDurationSeconds: 0\n",
     "f.yaml:3: clusters[0].leaseDurationSeconds: must be a positive integer"},
    {C1 "  leaseDurationSeconds: \"40\"\n",
     "f.yaml:3: clusters[0].leaseDurationSeconds: must be a positive integer"},
    {C1 "  leaseDurationSeconds: 86401\n",
     "f.yaml:3: clusters[0].leaseDurationSeconds: must be at most 86400"},
    {C1 "  evictionTolerationSeconds: -5\n",
     "f.yaml:3: clusters[0].evictionTolerationSeconds: must be a non-negative integer"},
    {C1 "  evictionTolerationSeconds: 1.5\n",
     "f.yaml:3: clusters[0].evictionTolerationSeconds: must be a non-negative integer"},
    {C1 "  evictionTolerationSeconds: 99999999999999999999999\n",
     "f.yaml:3: clusters[0].evictionTolerationSeconds: must be at most 2147483647"},
    {C1 "  podCIDR: 10.0.0.0\n",
     "f.yaml:3: clusters[0].podCIDR: invalid value \"10.0.0.0\": must be an IPv4 CIDR such as "
     "\"10.128.0.0/9\""},
    {C1 "  podCIDR: 10.0.0.0/x\n",
     "f.yaml:3: clusters[0].podCIDR: invalid value \"10.0.0.0/x\": must be an IPv4*"},
    {C1 "  podCIDR: 10.0.0/16\n",
     "f.yaml:3: clusters[0].podCIDR: invalid value \"10.0.0/16\": must be an IPv4*"},
    {C1 "  podCIDR: fd00::/8\n",
     "f.yaml:3: clusters[0].podCIDR: invalid value \"fd00::/8\": must be an IPv4*"},
    {C1 "  podCIDR: 10.0.0.0/24\n",
     "f.yaml:3: clusters[0].podCIDR: invalid value \"10.0.0.0/24\": the prefix must be between /8 "
     "and /16"},
    {C1 "  podCIDR: 10.0.0.0/7\n",
     "f.yaml:3: clusters[0].podCIDR: invalid value \"10.0.0.0/7\": the prefix*"},
    {C1 "  podCIDR: 10.128.0.1/9\n",
     "f.yaml:3: clusters[0].podCIDR: invalid value \"10.128.0.1/9\": host bits must be zero "
     "(10.128.0.0/9)"},
    {C1 "  podCIDR: 10.1.0.0/16\n  nodePools:\n"
        "  - {name: a, count: 200, capacity: {cpu: 1, memory: 1Gi}}\n"
        "  - {name: b, count: 57, capacity: {cpu: 1, memory: 1Gi}}\n",
     "f.yaml:3: clusters[0].podCIDR: 10.1.0.0/16 has room for 256 nodes (a /24 each) but the node "
     "pools have 257"},
    {C1 "  nodePools: {a: 1}\n", "f.yaml:3: clusters[0].nodePools: must be a list"},
    {"clusters:\n- name: m\n- name: n\n- name: m\n",
     "f.yaml:4: clusters[2].name: duplicate cluster name \"m\" (also clusters[0])"},
    {"clusters:\n- {name: a, listen: '127.0.0.1:6443'}\n- {name: b, listen: '127.0.0.1:6443'}\n",
     "f.yaml:3: clusters[1].listen: \"127.0.0.1:6443\" is also the listen address of cluster "
     "\"a\""},
    /* Node pools. */
    {C1 "  nodePools:\n  - x\n", "f.yaml:4: clusters[0].nodePools[0]: must be a mapping"},
    {C1 POOL "  - name: q\n    count: -1\n    capacity: {cpu: 1, memory: 1Gi}\n",
     "f.yaml:8: clusters[0].nodePools[1].count: must be a non-negative integer"},
    {C1 POOL "  - name: q\n    count: 1\n    capacity: {cpu: 1, memory: 1Gi}\n    countt: 2\n",
     "f.yaml:10: clusters[0].nodePools[1]: unknown field \"countt\""},
    {C1 "  nodePools:\n  - {count: 1, capacity: {cpu: 1, memory: 1Gi}}\n",
     "f.yaml:4: clusters[0].nodePools[0].name: required"},
    {C1 "  nodePools:\n  - {name: a, capacity: {cpu: 1, memory: 1Gi}}\n",
     "f.yaml:4: clusters[0].nodePools[0].count: required"},
    {C1 "  nodePools:\n  - {name: a, count: 1}\n",
     "f.yaml:4: clusters[0].nodePools[0].capacity: required"},
    {C1 "  nodePools:\n  - {name: A, count: 1}\n",
     "f.yaml:4: clusters[0].nodePools[0].name: invalid value \"A\": a lowercase RFC 1123 label*"},
    {C1 "  nodePools:\n  - {name: a, count: 1.5}\n",
     "f.yaml:4: clusters[0].nodePools[0].count: must be a non-negative integer"},
    {C1 "  nodePools:\n  - {name: a, count: '1'}\n",
     "f.yaml:4: clusters[0].nodePools[0].count: must be a non-negative integer"},
    {C1 "  nodePools:\n  - {name: a, count: 010}\n",
     "f.yaml:4: clusters[0].nodePools[0].count: must be a non-negative integer"},
    {C1 "  nodePools:\n  - {name: a, count: 65537}\n",
     "f.yaml:4: clusters[0].nodePools[0].count: must be at most 65536"},
    {C1 POOL "  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1Gi}\n",
     "f.yaml:7: clusters[0].nodePools[1].name: duplicate pool name \"p\" (also "
     "clusters[0].nodePools[0])"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1}\n",
     "f.yaml:6: clusters[0].nodePools[0].capacity.memory: required"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {}\n",
     "f.yaml:6: clusters[0].nodePools[0].capacity.cpu: required"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: [1]\n",
     "f.yaml:6: clusters[0].nodePools[0].capacity: must be a mapping"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity:\n      cpu: 1\n      memory: 1Gb\n",
     "f.yaml:8: clusters[0].nodePools[0].capacity.memory: invalid value \"1Gb\": quantities must "
     "match the regular expression*"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity:\n      cpu: -1\n      memory: 1\n",
     "f.yaml:7: clusters[0].nodePools[0].capacity.cpu: invalid value \"-1\": must not be "
     "negative"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity:\n      cpu:\n      memory: 1\n",
     "f.yaml:7: clusters[0].nodePools[0].capacity.cpu: must be a quantity such as \"64\" or "
     "\"256Gi\""},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity:\n      cpu: {a: 1}\n",
     "f.yaml:7: clusters[0].nodePools[0].capacity.cpu: must be a quantity such as \"64\" or "
     "\"256Gi\""},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity:\n      cpu: 1\n      memory: 1\n"
        "      /gpu: 1\n",
     "f.yaml:9: clusters[0].nodePools[0].capacity: invalid resource name \"/gpu\": *"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1}\n"
        "    labels: {'a/b/c': x}\n",
     "f.yaml:7: clusters[0].nodePools[0].labels: invalid key \"a/b/c\": *"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1}\n"
        "    taints: {a: b}\n",
     "f.yaml:7: clusters[0].nodePools[0].taints: must be a list"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1}\n"
        "    taints:\n    - {key: a, effect: NoSchedule}\n    - {key: b, effect: Evict}\n",
     "f.yaml:9: clusters[0].nodePools[0].taints[1].effect: unsupported value \"Evict\": supported "
     "values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1}\n"
        "    taints:\n    - {key: a}\n",
     "f.yaml:8: clusters[0].nodePools[0].taints[0].effect: required"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1}\n"
        "    taints:\n    - {effect: NoExecute}\n",
     "f.yaml:8: clusters[0].nodePools[0].taints[0].key: required"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1}\n"
        "    taints:\n    - {key: 'bad key', effect: NoExecute}\n",
     "f.yaml:8: clusters[0].nodePools[0].taints[0].key: invalid value \"bad key\": *"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1}\n"
        "    taints:\n    - {key: a, value: 'x y', effect: NoExecute}\n",
     "f.yaml:8: clusters[0].nodePools[0].taints[0].value: invalid value \"x y\": *"},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1}\n"
        "    taints:\n    - {key: a, effect: NoExecute, operator: Exists}\n",
     "f.yaml:8: clusters[0].nodePools[0].taints[0]: unknown field \"operator\""},
    {C1 "  nodePools:\n  - name: p\n    count: 1\n    capacity: {cpu: 1, memory: 1}\n"
        "    taints:\n    - {key: a, value: x, effect: NoExecute}\n"
        "    - {key: a, value: y, effect: NoExecute}\n",
     "f.yaml:9: clusters[0].nodePools[0].taints[1]: duplicate taint: taints must be unique by key "
     "and effect pair (\"a\", NoExecute)"},
    {"clusters:\n- name: a-very-long-cluster-name-for-testing-x\n  nodePools:\n"
     "  - {name: a-long-pool-name-too-x, count: 1000, capacity: {cpu: 1, memory: 1}}\n",
     "f.yaml:4: clusters[0].nodePools[0].name: node names "
     "\"a-very-long-cluster-name-for-testing-x-a-long-pool-name-too-x-N\" would be up to 65 "
     "characters, more than 63 (a node name is also its kubernetes.io/hostname label)"},
    /* Messages quote user text safely. */
    {C1 "  \"bad\\tfield\\\"\": 1\n", "f.yaml:3: clusters[0]: unknown field \"bad\\x09field\\\"\""},
};

static void check_err(const char *yaml, const char *expect)
{
    struct fl_fleet f = {(void *)1, 7};
    struct fl_err err;
    int rc = fl_fleet_parse(yaml, strlen(yaml), "f.yaml", &f, &err);
    if (rc == 0) {
        fl_fleet_release(&f);
        fail_msg("parsed:\n%s", yaml);
    }
    assert_null(f.clusters);
    assert_int_equal(f.n, 0);
    assert_int_equal(err.code, 400);
    assert_string_equal(err.reason, "BadRequest");
    size_t n = strlen(expect);
    bool prefix = n && expect[n - 1] == '*';
    if (prefix ? strncmp(err.message, expect, n - 1) != 0 : strcmp(err.message, expect) != 0)
        fail_msg("for:\n%s\ngot:  %s\nwant: %s", yaml, err.message, expect);
}

static void test_errors(void **state)
{
    for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++)
        check_err(err_cases[i].yaml, err_cases[i].msg);
}

/* Anchors share values; a recursive alias or an alias bomb is refused
 * without looping or exploding. */
static void test_aliases(void **state)
{
    const char *t = "caps: &big {cpu: 64, memory: 256Gi}\n";
    struct fl_fleet f;
    struct fl_err err;
    /* Only "clusters" is allowed at the top: anchors live inside it. */
    check_err(t, "f.yaml:1: unknown field \"caps\"");

    t = "clusters:\n"
        "- name: a\n"
        "  labels: &l {env: prod}\n"
        "  nodePools: &pools\n"
        "  - {name: x, count: 2, capacity: &big {cpu: 64, memory: 256Gi}}\n"
        "  - {name: y, count: 1, capacity: *big, labels: *l}\n"
        "- {name: b, labels: *l, nodePools: *pools}\n";
    if (fl_fleet_parse(t, strlen(t), "f.yaml", &f, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.clusters[1]->npools, 2);
    assert_json(f.clusters[1]->labels, "{\"env\":\"prod\"}");
    assert_json(f.clusters[1]->pools[1].labels, "{\"env\":\"prod\"}");
    assert_json(f.clusters[1]->pools[1].capacity,
                "{\"cpu\":\"64\",\"memory\":\"256Gi\",\"pods\":\"110\"}");
    /* Each spec owns its own JSON. */
    assert_ptr_not_equal(f.clusters[0]->pools[0].capacity, f.clusters[1]->pools[0].capacity);
    fl_fleet_release(&f);

    check_err("clusters: &c [*c]\n", "f.yaml:1: clusters[0]: must be a mapping");
    check_err("clusters:\n- &m {name: a, nodePools: [*m]}\n",
              "f.yaml:2: clusters[0].nodePools[0]: unknown field \"nodePools\"");
    check_err("clusters:\n- &a {name: a}\n- *a\n",
              "f.yaml:2: clusters[1].name: duplicate cluster name \"a\" (also clusters[0])");

    /* An alias bomb: 1000 clusters share 256 pools that share 8 taints.
     * The value budget stops it. */
    size_t cap = 1 << 20, len;
    char *y = malloc(cap);
    len = (size_t)snprintf(y, cap, "clusters:\n- name: c0\n  nodePools: &p\n");
    for (int i = 0; i < 256; i++)
        len += (size_t)snprintf(y + len, cap - len,
                                "  - {name: p%d, count: 0, capacity: &q%d {cpu: 1, memory: 1},"
                                " taints: %s}\n",
                                i, i,
                                i ? "*t"
                                  : "&t [{key: k0, effect: NoSchedule}, {key: k1, effect: "
                                    "NoSchedule}, {key: k2, effect: NoSchedule}, {key: k3, "
                                    "effect: NoSchedule}, {key: k4, effect: NoSchedule}, {key: "
                                    "k5, effect: NoSchedule}, {key: k6, effect: NoSchedule}, "
                                    "{key: k7, effect: NoSchedule}]");
    for (int i = 1; i < 1000; i++)
        len += (size_t)snprintf(y + len, cap - len, "- {name: c%d, nodePools: *p}\n", i);
    assert_true(len < cap);
    struct fl_fleet g;
    assert_int_equal(fl_fleet_parse(y, len, "f.yaml", &g, &err), FL_EFAIL);
    assert_non_null(strstr(err.message, "the file has more than 500000 values"));
    assert_null(g.clusters);
    free(y);
}

static void test_caps(void **state)
{
    struct fl_fleet f;
    struct fl_err err;
    size_t cap = 1 << 20, len;
    char *y = malloc(cap);

    len = (size_t)snprintf(y, cap, "clusters:\n");
    for (int i = 0; i < 1001; i++)
        len += (size_t)snprintf(y + len, cap - len, "- name: c%d\n", i);
    assert_int_equal(fl_fleet_parse(y, len, "f.yaml", &f, &err), FL_EFAIL);
    assert_string_equal(err.message, "f.yaml:2: clusters: must have at most 1000 entries");

    len = (size_t)snprintf(y, cap, "clusters:\n- name: c\n  labels:\n");
    for (int i = 0; i < 257; i++)
        len += (size_t)snprintf(y + len, cap - len, "    k%d: v\n", i);
    assert_int_equal(fl_fleet_parse(y, len, "f.yaml", &f, &err), FL_EFAIL);
    assert_string_equal(err.message, "f.yaml:4: clusters[0].labels: must have at most 256 entries");

    /* 1000 clusters is fine. */
    len = (size_t)snprintf(y, cap, "clusters:\n");
    for (int i = 0; i < 1000; i++)
        len += (size_t)snprintf(y + len, cap - len,
                                "- {name: c%d, nodePools: [{name: p, count: "
                                "5, capacity: {cpu: 1, memory: 1Gi}}]}\n",
                                i);
    if (fl_fleet_parse(y, len, "f.yaml", &f, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(f.n, 1000);
    assert_string_equal(f.clusters[999]->name, "c999");
    fl_fleet_release(&f);
    free(y);

    /* A NULL err is allowed; a NULL what names the text "fleet". */
    assert_int_equal(fl_fleet_parse("x", 1, "f", &f, NULL), FL_EFAIL);
    assert_int_equal(fl_fleet_parse("x: 1", 4, NULL, &f, &err), FL_EFAIL);
    assert_string_equal(err.message, "fleet:1: unknown field \"x\"");
}

static void test_load(void **state)
{
    char path[] = "/tmp/test_fleet_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *t = "clusters:\n- name: m1\n  nodePools:\n"
                    "  - {name: cpu, count: 3, capacity: {cpu: \"4\", memory: 16Gi}}\n"
                    "  podStartDelay: 200ms\n";
    assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
    close(fd);

    struct fl_fleet f;
    struct fl_err err;
    if (fl_fleet_load(path, &f, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.clusters[0]->pools[0].count, 3);
    assert_int_equal(f.clusters[0]->pod_start_delay_ms, 200);
    fl_fleet_release(&f);
    fl_fleet_release(&f); /* idempotent */

    /* Errors name the path. */
    FILE *fp = fopen(path, "w");
    fputs("clusters:\n- name: m1\n  podStartDelai: 1s\n", fp);
    fclose(fp);
    assert_int_equal(fl_fleet_load(path, &f, &err), FL_EFAIL);
    char want[256];
    snprintf(want, sizeof(want), "%s:3: clusters[0]: unknown field \"podStartDelai\"", path);
    assert_string_equal(err.message, want);
    unlink(path);

    assert_int_equal(fl_fleet_load(path, &f, &err), FL_EFAIL);
    snprintf(want, sizeof(want), "%s: No such file or directory", path);
    assert_string_equal(err.message, want);
    assert_int_equal(err.code, 400);
    assert_null(f.clusters);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example),   cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_durations), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_aliases),   cmocka_unit_test(test_caps),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
