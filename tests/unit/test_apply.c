/*
 * Unit tests for api/apply and api/fieldset: server-side apply of
 * Deployments and ConfigMaps against the served OpenAPI schemas (first apply,
 * re-apply removing fields, two managers, conflicts and force, list-map /
 * set / atomic lists, the client-side apply upgrade path, before-first-apply),
 * Update tracking of other writes, the body decoder (YAML scalars, anchors,
 * limits), the query checks, and FieldsV1 encoding and set algebra. Times
 * come from a fixed clock, so managedFields compare exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/apply.h"
#include "api/fieldset.h"
#include "api/openapi.h"
#include "api/registry.h"

static int64_t clock_value = 1700000000; /* 2023-11-14T22:13:20Z */

static int64_t fixed_now(void)
{
    return clock_value;
}

static int setup(void **state)
{
    (void)state;
    fl_apply_set_clock(fixed_now);
    clock_value = 1700000000;
    return 0;
}

static json_t *J(const char *s)
{
    json_error_t je;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("bad test JSON: %s: %s", je.text, s);
    return v;
}

/* Compare with the expected JSON, printing both on a mismatch. */
static void assert_json(const json_t *got, const char *want)
{
    json_t *w = J(want);
    if (!json_equal((json_t *)got, w)) {
        char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
        char *x = json_dumps(w, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
        print_error("got:  %s\nwant: %s\n", g, x);
        free(g);
        free(x);
        json_decref(w);
        fail();
    }
    json_decref(w);
}

static const struct fl_rtype *deployments(void)
{
    const struct fl_rtype *t = fl_registry_find("apps", "v1", "deployments");
    assert_non_null(t);
    return t;
}

static const struct fl_rtype *configmaps(void)
{
    const struct fl_rtype *t = fl_registry_find("", "v1", "configmaps");
    assert_non_null(t);
    return t;
}

static json_t *apply_ok(const struct fl_rtype *t, const json_t *live, const char *body,
                        const char *manager, bool force)
{
    struct fl_err err = {0};
    json_t *out = NULL;
    if (fl_apply(t, live, body, strlen(body), manager, force, &out, &err) != 0)
        fail_msg("apply by %s failed: %d %s", manager, err.code, err.message);
    assert_non_null(out);
    return out;
}

static struct fl_err apply_err(const struct fl_rtype *t, const json_t *live, const char *body,
                               const char *manager, bool force)
{
    struct fl_err err = {0};
    json_t *out = NULL;
    assert_int_not_equal(fl_apply(t, live, body, strlen(body), manager, force, &out, &err), 0);
    assert_null(out);
    return err;
}

/* The managedFields entry of manager/operation (borrowed) or NULL. */
static json_t *entry(const json_t *obj, const char *manager, const char *op)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "managedFields"), i, e)
    {
        if (!strcmp(json_string_value(json_object_get(e, "manager")), manager) &&
            !strcmp(json_string_value(json_object_get(e, "operation")), op))
            return e;
    }
    return NULL;
}

static json_t *fields_of(const json_t *obj, const char *manager, const char *op)
{
    json_t *e = entry(obj, manager, op);
    if (!e)
        fail_msg("no managedFields entry for %s/%s", manager, op);
    return json_object_get(e, "fieldsV1");
}

static size_t n_entries(const json_t *obj)
{
    return json_array_size(json_object_get(json_object_get(obj, "metadata"), "managedFields"));
}

/* A CSA-style create: the object as POSTed, tracked for `manager`. */
static json_t *created(const char *doc, const char *manager)
{
    struct fl_err err = {0};
    json_t *o = J(doc);
    assert_int_equal(fl_apply_track_update(NULL, o, manager, "apps/v1", &err), 0);
    return o;
}

#define DEPLOY(replicas, extra)                                                                    \
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"ssa\","          \
    "\"namespace\":\"default\",\"labels\":{\"app\":\"ssa\"}},\"spec\":{\"replicas\":" replicas     \
    ",\"selector\":{\"matchLabels\":{\"app\":\"ssa\"}},\"template\":{\"metadata\":{"               \
    "\"labels\":{\"app\":\"ssa\"}},\"spec\":{\"containers\":[{\"name\":\"ssa\",\"image\":"         \
    "\"api:3.0\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]" extra "}]}}}}"

/* ---- apply -------------------------------------------------------------- */

static void test_first_apply(void **state)
{
    (void)state;
    json_t *out = apply_ok(deployments(), NULL, DEPLOY("3", ""), "kubectl", false);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "spec"), "replicas")),
                     3);
    assert_int_equal(n_entries(out), 1);
    json_t *e = entry(out, "kubectl", "Apply");
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "apiVersion")), "apps/v1");
    assert_string_equal(json_string_value(json_object_get(e, "time")), "2023-11-14T22:13:20Z");
    assert_string_equal(json_string_value(json_object_get(e, "fieldsType")), "FieldsV1");
    assert_json(json_object_get(e, "fieldsV1"),
                "{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:replicas\":{},"
                "\"f:selector\":{\"f:matchLabels\":{\"f:app\":{}}},\"f:template\":{\"f:metadata\":"
                "{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":"
                "\\\"ssa\\\"}\":{\".\":{},\"f:env\":{\"k:{\\\"name\\\":\\\"A\\\"}\":{\".\":{},"
                "\"f:name\":{},\"f:value\":{}}},\"f:image\":{},\"f:name\":{}}}}}}}");
    /* Key order of the serialized entry is upstream's (ManagedFieldsEntry). */
    char *s = json_dumps(e, JSON_COMPACT);
    assert_true(strncmp(s,
                        "{\"manager\":\"kubectl\",\"operation\":\"Apply\",\"apiVersion\":"
                        "\"apps/v1\",\"time\":",
                        67) == 0);
    free(s);
    /* Applying the same again changes nothing, not even the time. */
    clock_value += 60;
    json_t *again = apply_ok(deployments(), out, DEPLOY("3", ""), "kubectl", false);
    assert_true(json_equal(out, again));
    json_decref(again);
    json_decref(out);
}

static void test_reapply_removes_field(void **state)
{
    (void)state;
    json_t *v1 = apply_ok(deployments(), NULL, DEPLOY("3", ",\"args\":[\"-v\"]"), "kubectl", false);
    json_t *c = json_array_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(v1, "spec"), "template"), "spec"),
            "containers"),
        0);
    assert_non_null(json_object_get(c, "args"));
    /* Without replicas and args: both go, the rest stays. */
    const char *body = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
                       "\"ssa\",\"namespace\":\"default\",\"labels\":{\"app\":\"ssa\"}},\"spec\":{"
                       "\"selector\":{\"matchLabels\":{\"app\":\"ssa\"}},\"template\":{"
                       "\"metadata\":{\"labels\":{\"app\":\"ssa\"}},\"spec\":{\"containers\":[{"
                       "\"name\":\"ssa\",\"image\":\"api:3.0\"}]}}}}";
    json_t *v2 = apply_ok(deployments(), v1, body, "kubectl", false);
    json_t *spec = json_object_get(v2, "spec");
    assert_null(json_object_get(spec, "replicas"));
    c = json_array_get(
        json_object_get(json_object_get(json_object_get(spec, "template"), "spec"), "containers"),
        0);
    assert_json(c, "{\"name\":\"ssa\",\"image\":\"api:3.0\"}");
    json_t *f = fields_of(v2, "kubectl", "Apply");
    assert_null(json_object_get(json_object_get(f, "f:spec"), "f:replicas"));
    json_decref(v1);
    json_decref(v2);
}

static void test_removed_field_kept_when_shared(void **state)
{
    (void)state;
    json_t *v1 = apply_ok(configmaps(), NULL,
                          "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                          "\"c\"},\"data\":{\"a\":\"1\",\"b\":\"2\"}}",
                          "one", false);
    /* A second manager applies the same value of b: both own it. */
    json_t *v2 = apply_ok(configmaps(), v1,
                          "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                          "\"c\"},\"data\":{\"b\":\"2\"}}",
                          "two", false);
    json_t *v3 = apply_ok(configmaps(), v2,
                          "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                          "\"c\"},\"data\":{}}",
                          "one", false);
    assert_json(json_object_get(v3, "data"), "{\"b\":\"2\"}");
    assert_json(fields_of(v3, "two", "Apply"), "{\"f:data\":{\"f:b\":{}}}");
    /* "one" still owns data (an empty object it applied). */
    assert_json(fields_of(v3, "one", "Apply"), "{\"f:data\":{}}");
    json_decref(v1);
    json_decref(v2);
    json_decref(v3);
}

static void test_two_managers(void **state)
{
    (void)state;
    json_t *v1 = apply_ok(deployments(), NULL, DEPLOY("3", ""), "kubectl", false);
    json_t *v2 = apply_ok(deployments(), v1,
                          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa\n"
                          "  labels:\n    team: blue\n",
                          "labeler", false);
    assert_json(json_object_get(json_object_get(v2, "metadata"), "labels"),
                "{\"app\":\"ssa\",\"team\":\"blue\"}");
    assert_int_equal(n_entries(v2), 2);
    assert_json(fields_of(v2, "labeler", "Apply"),
                "{\"f:metadata\":{\"f:labels\":{\"f:team\":{}}}}");
    /* Entries sort Apply first, then by time, then by manager. */
    json_t *mf = json_object_get(json_object_get(v2, "metadata"), "managedFields");
    assert_string_equal(json_string_value(json_object_get(json_array_get(mf, 0), "manager")),
                        "kubectl");
    assert_string_equal(json_string_value(json_object_get(json_array_get(mf, 1), "manager")),
                        "labeler");
    json_decref(v1);
    json_decref(v2);
}

static const char csa_doc[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"ssa\","
    "\"namespace\":\"default\",\"annotations\":{\"kubectl.kubernetes.io/"
    "last-applied-configuration\":\"{\\\"apiVersion\\\":\\\"apps/v1\\\",\\\"kind\\\":"
    "\\\"Deployment\\\",\\\"metadata\\\":{\\\"annotations\\\":{},\\\"name\\\":\\\"ssa\\\","
    "\\\"namespace\\\":\\\"default\\\"},\\\"spec\\\":{\\\"replicas\\\":2}}\\n\"}},"
    "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"ssa\"}},\"template\":"
    "{\"metadata\":{\"labels\":{\"app\":\"ssa\"}},\"spec\":{\"containers\":[{\"name\":\"ssa\","
    "\"image\":\"api:3.0\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}]}}}}";

static void test_conflict(void **state)
{
    (void)state;
    json_t *live = created(csa_doc, "kubectl-client-side-apply");
    assert_non_null(entry(live, "kubectl-client-side-apply", "Update"));
    struct fl_err err = apply_err(deployments(), live, DEPLOY("5", ""), "ssa-user", false);
    assert_int_equal(err.code, 409);
    assert_string_equal(err.reason, "Conflict");
    assert_string_equal(err.message, "Apply failed with 1 conflict: conflict with "
                                     "\"kubectl-client-side-apply\" using apps/v1: .spec.replicas");
    assert_int_equal(err.ncauses, 1);
    assert_string_equal(err.causes[0].type, "FieldManagerConflict");
    assert_string_equal(err.causes[0].field, ".spec.replicas");
    assert_string_equal(err.causes[0].message,
                        "conflict with \"kubectl-client-side-apply\" using apps/v1");

    /* Two fields: the message lists them per manager. */
    err = apply_err(deployments(), live,
                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
                    "\"ssa\"},\"spec\":{\"replicas\":5,\"template\":{\"spec\":{\"containers\":[{"
                    "\"name\":\"ssa\",\"image\":\"api:4.0\"}]}}}}",
                    "ssa-user", false);
    assert_int_equal(err.code, 409);
    assert_string_equal(
        err.message, "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" "
                     "using apps/v1:\n- .spec.replicas\n"
                     "- .spec.template.spec.containers[name=\"ssa\"].image");
    assert_int_equal(err.ncauses, 2);
    assert_string_equal(err.causes[1].field, ".spec.template.spec.containers[name=\"ssa\"].image");
    json_decref(live);
}

static void test_force_moves_ownership(void **state)
{
    (void)state;
    json_t *live = created(csa_doc, "kubectl-client-side-apply");
    json_t *out = apply_ok(deployments(), live, DEPLOY("5", ""), "ssa-user", true);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "spec"), "replicas")),
                     5);
    json_t *csa = fields_of(out, "kubectl-client-side-apply", "Update");
    assert_null(json_object_get(json_object_get(csa, "f:spec"), "f:replicas"));
    assert_non_null(json_object_get(json_object_get(csa, "f:spec"), "f:selector"));
    json_t *mine = fields_of(out, "ssa-user", "Apply");
    assert_non_null(json_object_get(json_object_get(mine, "f:spec"), "f:replicas"));
    /* Now the client-side applier's write of replicas is a plain update
     * that takes the field back. */
    json_t *next = json_deep_copy(out);
    json_object_set_new(json_object_get(next, "spec"), "replicas", json_integer(7));
    struct fl_err err = {0};
    assert_int_equal(fl_apply_track_update(out, next, "kubectl-scale", "apps/v1", &err), 0);
    assert_null(json_object_get(json_object_get(fields_of(next, "ssa-user", "Apply"), "f:spec"),
                                "f:replicas"));
    assert_json(fields_of(next, "kubectl-scale", "Update"), "{\"f:spec\":{\"f:replicas\":{}}}");
    json_decref(next);
    json_decref(out);
    json_decref(live);
}

static void test_same_value_no_conflict(void **state)
{
    (void)state;
    json_t *live = created(csa_doc, "kubectl-client-side-apply");
    json_t *out = apply_ok(deployments(), live, DEPLOY("2", ""), "ssa-user", false);
    /* Both own replicas now. */
    assert_non_null(json_object_get(
        json_object_get(fields_of(out, "kubectl-client-side-apply", "Update"), "f:spec"),
        "f:replicas"));
    assert_non_null(json_object_get(json_object_get(fields_of(out, "ssa-user", "Apply"), "f:spec"),
                                    "f:replicas"));
    json_decref(out);
    json_decref(live);
}

static void test_client_side_upgrade(void **state)
{
    (void)state;
    json_t *live = created(csa_doc, "kubectl-client-side-apply");
    /* kubectl's own manager may take what the last-applied annotation says
     * it applied, unchanged since: no conflict, and the annotation follows. */
    json_t *out = apply_ok(deployments(), live, DEPLOY("4", ""), "kubectl", false);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "spec"), "replicas")),
                     4);
    const char *la = json_string_value(
        json_object_get(json_object_get(json_object_get(out, "metadata"), "annotations"),
                        "kubectl.kubernetes.io/last-applied-configuration"));
    assert_non_null(la);
    json_t *lad = J(la);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(lad, "spec"), "replicas")),
                     4);
    json_decref(lad);
    /* Another manager gets no such allowance. */
    struct fl_err err = apply_err(deployments(), live, DEPLOY("4", ""), "other", false);
    assert_int_equal(err.code, 409);
    /* Nor does kubectl for a field changed since the last client-side apply. */
    json_t *edited = json_deep_copy(live);
    json_object_set_new(json_object_get(edited, "spec"), "replicas", json_integer(9));
    err = apply_err(deployments(), edited, DEPLOY("4", ""), "kubectl", false);
    assert_int_equal(err.code, 409);
    json_decref(edited);
    json_decref(out);
    json_decref(live);
}

static void test_before_first_apply(void **state)
{
    (void)state;
    json_t *live = J(DEPLOY("3", ""));
    struct fl_err err = apply_err(deployments(), live, DEPLOY("5", ""), "x", false);
    assert_int_equal(err.code, 409);
    assert_string_equal(err.message, "Apply failed with 1 conflict: conflict with "
                                     "\"before-first-apply\" using apps/v1: .spec.replicas");
    json_t *out = apply_ok(deployments(), live, DEPLOY("3", ""), "x", false);
    assert_non_null(entry(out, "before-first-apply", "Update"));
    assert_non_null(entry(out, "x", "Apply"));
    json_decref(out);
    json_decref(live);
}

static void test_list_map_merge(void **state)
{
    (void)state;
#define PODS(containers)                                                                           \
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"           \
    "\"spec\":{\"template\":{\"spec\":{\"containers\":" containers "}}}}"
    json_t *v1 = apply_ok(deployments(), NULL,
                          PODS("[{\"name\":\"a\",\"image\":\"a:1\",\"ports\":[{\"containerPort\":"
                               "80}]}]"),
                          "one", false);
    json_t *v2 =
        apply_ok(deployments(), v1, PODS("[{\"name\":\"b\",\"image\":\"b:1\"}]"), "two", false);
    json_t *cs = json_object_get(
        json_object_get(json_object_get(json_object_get(v2, "spec"), "template"), "spec"),
        "containers");
    assert_json(cs, "[{\"name\":\"a\",\"image\":\"a:1\",\"ports\":[{\"containerPort\":80}]},"
                    "{\"name\":\"b\",\"image\":\"b:1\"}]");
    /* The port's key includes the defaulted protocol. */
    assert_json(fields_of(v1, "one", "Apply"),
                "{\"f:spec\":{\"f:template\":{\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":"
                "\\\"a\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{},\"f:ports\":{"
                "\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},"
                "\"f:containerPort\":{}}}}}}}}}");
    /* A new image for b from "one": b's image belongs to "two". */
    struct fl_err err =
        apply_err(deployments(), v2,
                  PODS("[{\"name\":\"a\",\"image\":\"a:1\",\"ports\":[{"
                       "\"containerPort\":80}]},{\"name\":\"b\",\"image\":\"b:2\"}]"),
                  "one", false);
    assert_int_equal(err.code, 409);
    assert_string_equal(err.causes[0].field, ".spec.template.spec.containers[name=\"b\"].image");
    /* "one" drops its container a: it goes; b stays. */
    json_t *v3 = apply_ok(deployments(), v2, PODS("[]"), "one", false);
    cs = json_object_get(
        json_object_get(json_object_get(json_object_get(v3, "spec"), "template"), "spec"),
        "containers");
    assert_json(cs, "[{\"name\":\"b\",\"image\":\"b:1\"}]");
    /* Order: applied elements in applied order, live-only ones in place. */
    json_t *v4 = apply_ok(deployments(), v2,
                          PODS("[{\"name\":\"c\",\"image\":\"c\"},{\"name\":\"a\",\"image\":"
                               "\"a:1\",\"ports\":[{\"containerPort\":80}]}]"),
                          "one", false);
    cs = json_object_get(
        json_object_get(json_object_get(json_object_get(v4, "spec"), "template"), "spec"),
        "containers");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 0), "name")), "c");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 1), "name")), "a");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 2), "name")), "b");
    /* Live duplicates (other writes may make them) stay until an apply
     * names their key. */
    json_t *dup = J(PODS("[{\"name\":\"a\",\"env\":[{\"name\":\"X\",\"value\":\"1\"},{"
                         "\"name\":\"X\",\"value\":\"2\"},{\"name\":\"Y\"}]}]"));
    json_t *v5 = apply_ok(deployments(), dup,
                          PODS("[{\"name\":\"a\",\"env\":[{\"name\":\"Y\",\"value\":\"3\"}]}]"),
                          "one", true);
    cs = json_object_get(
        json_object_get(json_object_get(json_object_get(v5, "spec"), "template"), "spec"),
        "containers");
    assert_json(json_object_get(json_array_get(cs, 0), "env"),
                "[{\"name\":\"X\",\"value\":\"1\"},{\"name\":\"X\",\"value\":\"2\"},{\"name\":"
                "\"Y\",\"value\":\"3\"}]");
    json_t *v6 = apply_ok(deployments(), v5,
                          PODS("[{\"name\":\"a\",\"env\":[{\"name\":\"X\",\"value\":\"9\"}]}]"),
                          "one", true);
    cs = json_object_get(
        json_object_get(json_object_get(json_object_get(v6, "spec"), "template"), "spec"),
        "containers");
    /* Y's value goes with "one"; Y itself was there before the first apply. */
    assert_json(json_object_get(json_array_get(cs, 0), "env"),
                "[{\"name\":\"X\",\"value\":\"9\"},{\"name\":\"Y\"}]");
    json_decref(dup);
    json_decref(v5);
    json_decref(v6);
    json_decref(v1);
    json_decref(v2);
    json_decref(v3);
    json_decref(v4);
#undef PODS
}

static void test_set_and_atomic_lists(void **state)
{
    (void)state;
#define CM(md, data)                                                                               \
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"" md "}" data "}"
    json_t *v1 = apply_ok(configmaps(), NULL, CM(",\"finalizers\":[\"x.io/a\"]", ""), "one", false);
    json_t *v2 = apply_ok(configmaps(), v1, CM(",\"finalizers\":[\"x.io/b\"]", ""), "two", false);
    assert_json(json_object_get(json_object_get(v2, "metadata"), "finalizers"),
                "[\"x.io/a\",\"x.io/b\"]");
    assert_json(fields_of(v2, "two", "Apply"),
                "{\"f:metadata\":{\"f:finalizers\":{\"v:\\\"x.io/b\\\"\":{}}}}");
    json_t *v3 = apply_ok(configmaps(), v2, CM("", ""), "one", false);
    assert_json(json_object_get(json_object_get(v3, "metadata"), "finalizers"), "[\"x.io/b\"]");

    /* Atomic list: container args are one field. */
#define ARGS(list)                                                                                 \
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"           \
    "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":" list "}]}}}}"
    json_t *d1 = apply_ok(deployments(), NULL, ARGS("[\"1\",\"2\"]"), "one", false);
    struct fl_err err = apply_err(deployments(), d1, ARGS("[\"3\"]"), "two", false);
    assert_int_equal(err.code, 409);
    assert_string_equal(err.causes[0].field, ".spec.template.spec.containers[name=\"a\"].args");
    json_t *d2 = apply_ok(deployments(), d1, ARGS("[\"3\"]"), "two", true);
    json_t *c = json_array_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(d2, "spec"), "template"), "spec"),
            "containers"),
        0);
    assert_json(json_object_get(c, "args"), "[\"3\"]");
    json_decref(v1);
    json_decref(v2);
    json_decref(v3);
    json_decref(d1);
    json_decref(d2);
#undef CM
#undef ARGS
}

static void test_status_ignored(void **state)
{
    (void)state;
    /* The status subresource owns status: an apply of it changes nothing,
     * and nobody is recorded for it. Undecodable stored entries count as
     * none (the object is then taken over by "before-first-apply"). */
    json_t *live =
        J("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
          "\"d\",\"managedFields\":[{\"operation\":\"Bad\"}]},\"status\":{\"replicas\":1}}");
    json_t *out = apply_ok(deployments(), live,
                           "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{"
                           "\"name\":\"d\"},\"status\":{\"replicas\":5}}",
                           "one", false);
    assert_json(json_object_get(out, "status"), "{\"replicas\":1}");
    assert_null(entry(out, "one", "Apply"));
    assert_non_null(entry(out, "before-first-apply", "Update"));
    json_decref(out);
    json_decref(live);
}

static void test_apply_errors(void **state)
{
    (void)state;
    struct fl_err err = apply_err(deployments(), NULL, "a: [b", "m", false);
    assert_int_equal(err.code, 400);
    assert_true(strstr(err.message, "error decoding YAML: error converting YAML to JSON: yaml: ") ==
                err.message);
    err = apply_err(deployments(), NULL, "- 1\n- 2\n", "m", false);
    assert_int_equal(err.code, 400);
    err = apply_err(deployments(), NULL,
                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Foo\",\"metadata\":{\"name\":\"x\"}}",
                    "m", false);
    assert_int_equal(err.code, 400);
    assert_string_equal(err.message, "invalid object type: apps/v1, Kind=Foo");
    err = apply_err(configmaps(), NULL, "kind: ConfigMap\n", "m", false);
    assert_string_equal(err.message, "invalid object type: /, Kind=ConfigMap");
    err = apply_err(configmaps(), NULL, "", "m", false);
    assert_string_equal(err.message, "invalid object type: /, Kind=");
    err = apply_err(configmaps(), NULL,
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\","
                    "\"managedFields\":[{}]}}",
                    "m", false);
    assert_string_equal(err.message, "metadata.managedFields must be nil");
    err = apply_err(deployments(), NULL,
                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
                    "\"d\",\"namespace\":\"ns\"},\"spec\":{\"template\":{\"spec\":{\"containers\":"
                    "[{\"name\":\"a\"},{\"name\":\"a\"}]}}}}",
                    "m", false);
    assert_int_equal(err.code, 400);
    assert_string_equal(err.message,
                        "failed to create typed patch object (ns/d; apps/v1, Kind=Deployment): "
                        ".spec.template.spec.containers: duplicate entries for key [name=\"a\"]");
    err =
        apply_err(deployments(), NULL,
                  "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
                  "\"d\"},\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}",
                  "m", false);
    assert_true(strstr(err.message, "element 0: associative list with keys has an element that "
                                    "omits key field \"name\"") != NULL);
    /* Nesting past the cap. */
    char deep[8 * (FL_APPLY_MAX_DEPTH + 10) + 200];
    size_t o = (size_t)snprintf(deep, sizeof(deep),
                                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"x\":");
    for (int i = 0; i < FL_APPLY_MAX_DEPTH + 5; i++)
        o += (size_t)snprintf(deep + o, sizeof(deep) - o, "{\"a\":");
    o += (size_t)snprintf(deep + o, sizeof(deep) - o, "1");
    for (int i = 0; i < FL_APPLY_MAX_DEPTH + 6; i++)
        deep[o++] = '}';
    deep[o] = '\0';
    err = apply_err(configmaps(), NULL, deep, "m", false);
    assert_int_equal(err.code, 400);
}

static void test_yaml_body(void **state)
{
    (void)state;
    const char *body = "apiVersion: v1\n"
                       "kind: ConfigMap\n"
                       "metadata:\n"
                       "  name: y\n"
                       "  labels: &l\n"
                       "    a: \"1\"\n"
                       "  annotations:\n"
                       "    <<: *l\n"
                       "    b: 'x'\n"
                       "data:\n"
                       "  yes: on\n" /* keys and values: go-yaml v2 booleans */
                       "  num: 0x1f\n"
                       "  o: 017\n"
                       "  f: 1.5\n"
                       "  s: 1.2.3\n"
                       "  q: \"007\"\n"
                       "  e: ~\n"
                       "  t: 2001-12-14\n"
                       "---\n"
                       "ignored: true\n";
    json_t *out = apply_ok(configmaps(), NULL, body, "y", false);
    assert_json(json_object_get(out, "data"),
                "{\"true\":true,\"num\":31,\"o\":15,\"f\":1.5,\"s\":\"1.2.3\",\"q\":\"007\","
                "\"t\":\"2001-12-14\"}");
    assert_json(json_object_get(json_object_get(out, "metadata"), "annotations"),
                "{\"a\":\"1\",\"b\":\"x\"}");
    json_decref(out);
    /* An alias bomb stops at the value cap. */
    char bomb[2048];
    size_t o = (size_t)snprintf(bomb, sizeof(bomb), "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
    for (int i = 1; i < 9; i++)
        o += (size_t)snprintf(bomb + o, sizeof(bomb) - o,
                              "a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i,
                              i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                              i - 1);
    struct fl_err err = apply_err(configmaps(), NULL, bomb, "y", false);
    assert_int_equal(err.code, 400);
    assert_non_null(strstr(err.message, "more than"));
}

/* ---- other writes ------------------------------------------------------- */

static void test_track_update(void **state)
{
    (void)state;
    struct fl_err err = {0};
    /* A create records everything for the creator. */
    json_t *v1 = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
                   "\"namespace\":\"d\",\"uid\":\"u\",\"labels\":{\"a\":\"1\"}},\"data\":{\"k\":"
                   "\"v\"}}");
    assert_int_equal(fl_apply_track_update(NULL, v1, "kubectl-create", "v1", &err), 0);
    assert_json(fields_of(v1, "kubectl-create", "Update"),
                "{\"f:data\":{\".\":{},\"f:k\":{}},\"f:metadata\":{\"f:labels\":{\".\":{},"
                "\"f:a\":{}}}}");
    /* An update gives the changed field to its manager. */
    json_t *v2 = json_deep_copy(v1);
    json_object_set_new(json_object_get(v2, "data"), "k", json_string("w"));
    clock_value += 10;
    assert_int_equal(fl_apply_track_update(v1, v2, "kubectl-edit", "v1", &err), 0);
    assert_json(fields_of(v2, "kubectl-edit", "Update"), "{\"f:data\":{\"f:k\":{}}}");
    assert_json(fields_of(v2, "kubectl-create", "Update"),
                "{\"f:data\":{},\"f:metadata\":{\"f:labels\":{\".\":{},\"f:a\":{}}}}");
    /* No change: the entries stay as they are. */
    json_t *v3 = json_deep_copy(v2);
    clock_value += 10;
    assert_int_equal(fl_apply_track_update(v2, v3, "kubectl-edit", "v1", &err), 0);
    assert_true(json_equal(v2, v3));
    /* [] clears them; an update of an untracked object does not track. */
    json_t *v4 = json_deep_copy(v3);
    json_object_set_new(json_object_get(v4, "metadata"), "managedFields", json_array());
    json_object_set_new(json_object_get(v4, "data"), "k", json_string("z"));
    assert_int_equal(fl_apply_track_update(v3, v4, "kubectl-edit", "v1", &err), 0);
    assert_null(json_object_get(json_object_get(v4, "metadata"), "managedFields"));
    json_t *v5 = json_deep_copy(v4);
    json_object_set_new(json_object_get(v5, "data"), "k", json_string("q"));
    assert_int_equal(fl_apply_track_update(v4, v5, "x", "v1", &err), 0);
    assert_null(json_object_get(json_object_get(v5, "metadata"), "managedFields"));
    /* Garbage managedFields in a request: the stored ones are kept. */
    json_t *v6 = json_deep_copy(v2);
    json_object_set_new(json_object_get(v6, "metadata"), "managedFields", json_string("bad"));
    assert_int_equal(fl_apply_track_update(v2, v6, "x", "v1", &err), 0);
    assert_true(json_equal(json_object_get(json_object_get(v6, "metadata"), "managedFields"),
                           json_object_get(json_object_get(v2, "metadata"), "managedFields")));
    /* A status write records the subresource. */
    json_t *v7 = json_deep_copy(v2);
    json_object_set_new(v7, "status", json_pack("{s:i}", "n", 1));
    assert_int_equal(fl_apply_track_update_sub(v2, v7, "ctl", "v1", "status", &err), 0);
    json_t *e = entry(v7, "ctl", "Update");
    assert_string_equal(json_string_value(json_object_get(e, "subresource")), "status");
    json_decref(v1);
    json_decref(v2);
    json_decref(v3);
    json_decref(v4);
    json_decref(v5);
    json_decref(v6);
    json_decref(v7);
}

static void test_cap_update_managers(void **state)
{
    (void)state;
    struct fl_err err = {0};
    json_t *cur = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},"
                    "\"data\":{}}");
    assert_int_equal(fl_apply_track_update(NULL, cur, "creator", "v1", &err), 0);
    for (int i = 0; i < 14; i++) {
        char mgr[32], key[32];
        json_t *next = json_deep_copy(cur);
        snprintf(mgr, sizeof(mgr), "m%02d", i);
        snprintf(key, sizeof(key), "k%02d", i);
        json_object_set_new(json_object_get(next, "data"), key, json_string("v"));
        clock_value += 1;
        assert_int_equal(fl_apply_track_update(cur, next, mgr, "v1", &err), 0);
        json_decref(cur);
        cur = next;
    }
    assert_int_equal(n_entries(cur), FL_APPLY_MAX_UPDATE_MANAGERS);
    assert_non_null(entry(cur, "ancient-changes", "Update"));
    assert_non_null(entry(cur, "m13", "Update"));
    json_decref(cur);
}

/* ---- options ------------------------------------------------------------ */

static void test_options(void **state)
{
    (void)state;
    struct fl_err err = {0};
    assert_int_not_equal(fl_apply_check_options("PatchOptions", true, NULL, false, &err), 0);
    assert_int_equal(err.code, 422);
    assert_string_equal(err.reason, "Invalid");
    assert_string_equal(err.message, "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: "
                                     "Required value: is required for apply patch");
    assert_string_equal(err.kind, "PatchOptions");
    assert_string_equal(err.group, "meta.k8s.io");
    assert_string_equal(err.causes[0].type, "FieldValueRequired");
    assert_string_equal(err.causes[0].field, "fieldManager");
    assert_int_not_equal(fl_apply_check_options("PatchOptions", false, "m", true, &err), 0);
    assert_string_equal(err.message, "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: "
                                     "may not be specified for non-apply patch");
    assert_int_equal(fl_apply_check_options("PatchOptions", true, "kubectl", true, &err), 0);
    assert_int_equal(fl_apply_check_options("CreateOptions", false, NULL, false, &err), 0);
    char longm[200];
    memset(longm, 'a', sizeof(longm) - 1);
    longm[sizeof(longm) - 1] = '\0';
    assert_int_not_equal(fl_apply_check_options("UpdateOptions", false, longm, false, &err), 0);
    assert_string_equal(err.causes[0].type, "FieldValueTooLong");
    assert_int_not_equal(fl_apply_check_options("UpdateOptions", false, "a\tb", false, &err), 0);
    assert_string_equal(err.causes[0].field, "fieldManager[1]");

    char buf[FL_APPLY_MANAGER_MAX + 1];
    fl_apply_manager_from_agent("kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07", buf,
                                sizeof(buf));
    assert_string_equal(buf, "kubectl");
    fl_apply_manager_from_agent("python-requests/2.31", buf, sizeof(buf));
    assert_string_equal(buf, "python-requests");
    fl_apply_manager_from_agent("Open\x01"
                                "API-Generator/1",
                                buf, sizeof(buf));
    assert_string_equal(buf, "OpenAPI-Generator");
    fl_apply_manager_from_agent(NULL, buf, sizeof(buf));
    assert_string_equal(buf, "");
}

/* ---- field sets --------------------------------------------------------- */

static const char sample_fields[] =
    "{\"f:metadata\":{\"f:finalizers\":{\".\":{},\"v:\\\"a\\\"\":{},\"v:\\\"b\\\"\":{}},"
    "\"f:labels\":{\".\":{},\"f:app\":{}}},\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":"
    "\\\"a\\\"}\":{\".\":{},\"f:image\":{},\"f:ports\":{\"k:{\\\"containerPort\\\":80,"
    "\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},\"f:containerPort\":{}}}}},\"f:list\":{"
    "\"i:0\":{},\"i:10\":{},\"i:2\":{}},\"f:replicas\":{}}}";

static void test_fieldset_roundtrip(void **state)
{
    (void)state;
    struct fl_err err = {0};
    struct fl_fieldset *s = NULL;
    json_t *in = J(sample_fields);
    assert_int_equal(fl_fieldset_from_json(in, &s, &err), 0);
    json_t *out = fl_fieldset_to_json(s);
    /* Same bytes, except that indexes sort numerically. */
    char *a = json_dumps(out, JSON_COMPACT);
    char *want = fl_xstrdup(sample_fields);
    char *p = strstr(want, "\"i:10\":{},\"i:2\":{}");
    memcpy(p, "\"i:2\":{},\"i:10\":{}", strlen("\"i:2\":{},\"i:10\":{}"));
    assert_string_equal(a, want);
    free(a);
    free(want);

    /* Keys given in another order decode to the same element. */
    struct fl_fieldset *t = NULL;
    json_t *in2 = J("{\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"a\\\"}\":{"
                    "\"f:ports\":{\"k:{\\\"protocol\\\":\\\"TCP\\\",\\\"containerPort\\\":80}\":"
                    "{}}}}},\"x:future\":{}}");
    assert_int_equal(fl_fieldset_from_json(in2, &t, &err), 0);
    struct fl_fieldset *i = fl_fieldset_intersection(s, t);
    assert_true(fl_fieldset_equal(i, t));
    struct fl_fieldset *d = fl_fieldset_difference(s, t);
    struct fl_fieldset *u = fl_fieldset_union(d, t);
    assert_true(fl_fieldset_equal(u, s));
    assert_false(fl_fieldset_equal(d, s));

    /* Paths as conflicts print them, in upstream's iteration order. */
    struct fl_pe path[5] = {
        {.type = FL_PE_FIELD, .name = "spec"},
        {.type = FL_PE_FIELD, .name = "containers"},
        {.type = FL_PE_KEY, .value = json_pack("{s:s}", "name", "a")},
        {.type = FL_PE_FIELD, .name = "image"},
    };
    assert_true(fl_fieldset_has(s, path, 4));
    assert_false(fl_fieldset_has(s, path, 2));
    assert_true(fl_fieldset_has_prefix(s, path, 2));
    char buf[256];
    fl_path_string(path, 4, buf, sizeof(buf));
    assert_string_equal(buf, ".spec.containers[name=\"a\"].image");
    json_decref((json_t *)path[2].value);
    struct fl_pe v = {.type = FL_PE_VALUE, .value = json_string("x")};
    fl_path_string(&v, 1, buf, sizeof(buf));
    assert_string_equal(buf, "[=\"x\"]");
    json_decref((json_t *)v.value);

    /* Malformed documents. */
    struct fl_fieldset *bad = NULL;
    json_t *b1 = J("{\"f\":{}}"), *b2 = J("{\"f:a\":1}"), *b3 = J("[1]"), *b4 = J("{\"k:[1]\":{}}");
    assert_int_not_equal(fl_fieldset_from_json(b1, &bad, &err), 0);
    assert_int_not_equal(fl_fieldset_from_json(b2, &bad, &err), 0);
    assert_int_not_equal(fl_fieldset_from_json(b3, &bad, &err), 0);
    assert_int_not_equal(fl_fieldset_from_json(b4, &bad, &err), 0);
    assert_int_equal(err.code, 400);
    json_decref(b1);
    json_decref(b2);
    json_decref(b3);
    json_decref(b4);

    fl_fieldset_free(s);
    fl_fieldset_free(t);
    fl_fieldset_free(i);
    fl_fieldset_free(d);
    fl_fieldset_free(u);
    json_decref(in);
    json_decref(in2);
    json_decref(out);
}

static void test_value_order(void **state)
{
    (void)state;
    const char *ordered[] = {"1",    "2.5", "3",     "\"a\"",     "\"b\"",     "false",
                             "true", "[1]", "[1,2]", "{\"a\":1}", "{\"b\":0}", "null"};
    for (size_t i = 0; i + 1 < FL_ARRAY_LEN(ordered); i++) {
        json_t *a = J(ordered[i]), *b = J(ordered[i + 1]);
        assert_true(fl_json_compare(a, b) < 0);
        assert_true(fl_json_compare(b, a) > 0);
        assert_int_equal(fl_json_compare(a, a), 0);
        json_decref(a);
        json_decref(b);
    }
}

static int teardown_all(void **state)
{
    (void)state;
    fl_openapi_release();
    fl_registry_reset();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_first_apply, setup),
        cmocka_unit_test_setup(test_reapply_removes_field, setup),
        cmocka_unit_test_setup(test_removed_field_kept_when_shared, setup),
        cmocka_unit_test_setup(test_two_managers, setup),
        cmocka_unit_test_setup(test_conflict, setup),
        cmocka_unit_test_setup(test_force_moves_ownership, setup),
        cmocka_unit_test_setup(test_same_value_no_conflict, setup),
        cmocka_unit_test_setup(test_client_side_upgrade, setup),
        cmocka_unit_test_setup(test_before_first_apply, setup),
        cmocka_unit_test_setup(test_list_map_merge, setup),
        cmocka_unit_test_setup(test_set_and_atomic_lists, setup),
        cmocka_unit_test_setup(test_status_ignored, setup),
        cmocka_unit_test_setup(test_apply_errors, setup),
        cmocka_unit_test_setup(test_yaml_body, setup),
        cmocka_unit_test_setup(test_track_update, setup),
        cmocka_unit_test_setup(test_cap_update_managers, setup),
        cmocka_unit_test_setup(test_options, setup),
        cmocka_unit_test_setup(test_fieldset_roundtrip, setup),
        cmocka_unit_test_setup(test_value_order, setup),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
