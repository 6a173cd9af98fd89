/*
 * Unit tests for api/route: a table of request paths with the route each one
 * resolves to (kind, group, version, resource, namespace, name, subresource,
 * legacy watch) or 404, then the segment length limits, built at run time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/route.h"

#define NF (-1) /* expected: 404 */

struct route_case {
    const char *path;
    int kind; /* enum fl_route_kind, or NF */
    const char *group, *version, *resource, *ns, *name, *sub;
    bool watch;
};

#define R(p, g, v, res, ns, name, sub, w)                                                          \
    {                                                                                              \
        p, FL_ROUTE_RESOURCE, g, v, res, ns, name, sub, w                                          \
    }
#define K(p, k, g, v)                                                                              \
    {                                                                                              \
        p, k, g, v, NULL, "", "", "", false                                                        \
    }
#define NOTFOUND(p)                                                                                \
    {                                                                                              \
        p, NF, NULL, NULL, NULL, NULL, NULL, NULL, false                                           \
    }

static const struct route_case cases[] = {
    /* Discovery and health. */
    K("/version", FL_ROUTE_VERSION, "", ""),
    K("/version/", FL_ROUTE_VERSION, "", ""),
    K("/healthz", FL_ROUTE_HEALTH, "", ""),
    K("/livez", FL_ROUTE_HEALTH, "", ""),
    K("/readyz", FL_ROUTE_HEALTH, "", ""),
    K("/api", FL_ROUTE_API, "", ""),
    K("/api/", FL_ROUTE_API, "", ""),
    K("/apis", FL_ROUTE_APIS, "", ""),
    K("/apis/", FL_ROUTE_APIS, "", ""),
    K("/api/v1", FL_ROUTE_GROUP_VERSION, "", "v1"),
    K("/api/v1/", FL_ROUTE_GROUP_VERSION, "", "v1"),
    /* Group documents are routed by shape; discovery decides whether the
     * group is served (api/discovery.c answers 404 for unknown ones). */
    K("/apis/apps", FL_ROUTE_GROUP, "apps", ""),
    K("/apis/apps/v1", FL_ROUTE_GROUP_VERSION, "apps", "v1"),

    /* Cluster-scoped resource. */
    R("/api/v1/namespaces", "", "v1", "namespaces", "", "", "", false),
    R("/api/v1/namespaces/", "", "v1", "namespaces", "", "", "", false),
    R("/api/v1/namespaces/default", "", "v1", "namespaces", "", "default", "", false),
    R("/api/v1/namespaces/default/status", "", "v1", "namespaces", "", "default", "status", false),
    R("/api/v1/namespaces/default/finalize", "", "v1", "namespaces", "", "default", "finalize",
      false),
    /* Any subresource name routes; the API layer answers the ones it does
     * not serve with 404. */
    R("/api/v1/namespaces/default/foo", "", "v1", "namespaces", "", "default", "foo", false),
    /* A namespace whose name is a resource name is still a namespace. */
    R("/api/v1/namespaces/configmaps", "", "v1", "namespaces", "", "configmaps", "", false),

    /* Namespaced resource. */
    R("/api/v1/configmaps", "", "v1", "configmaps", "", "", "", false),
    R("/api/v1/namespaces/default/configmaps", "", "v1", "configmaps", "default", "", "", false),
    R("/api/v1/namespaces/default/configmaps/", "", "v1", "configmaps", "default", "", "", false),
    R("/api/v1/namespaces/default/configmaps/x", "", "v1", "configmaps", "default", "x", "", false),
    R("/api/v1/namespaces/default/configmaps/x/", "", "v1", "configmaps", "default", "x", "",
      false),
    R("/api/v1/namespaces/kube-system/configmaps/a.b-c", "", "v1", "configmaps", "kube-system",
      "a.b-c", "", false),
    R("/api/v1/namespaces/default/configmaps/x/status", "", "v1", "configmaps", "default", "x",
      "status", false),
    R("/api/v1/namespaces/default/configmaps/x/status/", "", "v1", "configmaps", "default", "x",
      "status", false),

    /* Legacy watch paths. */
    R("/api/v1/watch/configmaps", "", "v1", "configmaps", "", "", "", true),
    R("/api/v1/watch/namespaces/default/configmaps", "", "v1", "configmaps", "default", "", "",
      true),
    R("/api/v1/watch/namespaces/default/configmaps/x", "", "v1", "configmaps", "default", "x", "",
      true),
    R("/api/v1/watch/namespaces", "", "v1", "namespaces", "", "", "", true),
    R("/api/v1/watch/namespaces/default", "", "v1", "namespaces", "", "default", "", true),

    /* Nothing there. */
    NOTFOUND(""),
    NOTFOUND("/"),
    NOTFOUND("api/v1"),
    NOTFOUND("/foo"),
    NOTFOUND("/API/v1"),
    NOTFOUND("/version/x"),
    NOTFOUND("/healthz/x"),
    NOTFOUND("/api/v2"),
    NOTFOUND("/api/v2/configmaps"),
    NOTFOUND("/api/v1/foo"),
    NOTFOUND("/api/v1/ConfigMaps"),
    NOTFOUND("/api/v1/cm"), /* short names are a client-side thing */
    NOTFOUND("/api/v1/configmap"),
    NOTFOUND("/api/v1/watch"),
    NOTFOUND("/api/v1/watch/"),
    NOTFOUND("/api/v1/watch/watch/configmaps"),
    NOTFOUND("/api/v1/watch/foo"),
    /* Unknown group or version. */
    NOTFOUND("/apis/example.com/v1/widgets"),
    NOTFOUND("/apis/example.com/v1/namespaces/default/widgets"),
    NOTFOUND("/apis/apps/v2/namespaces/default/deployments/web"),
    NOTFOUND("/apis/core/v1/configmaps"), /* core types are not under /apis */
    NOTFOUND("/apis//v1/configmaps"),
    NOTFOUND("/apis/apps/v1/configmaps"), /* a core resource in another group */
    NOTFOUND("/api/v1beta1/configmaps"),
    /* A namespaced resource has no by-name path outside a namespace. */
    NOTFOUND("/api/v1/configmaps/x"),
    NOTFOUND("/api/v1/configmaps/x/status"),
    /* Trailing garbage / too many segments. */
    NOTFOUND("/api/v1/namespaces/default/configmaps/x/status/extra"),
    NOTFOUND("/api/v1/namespaces/default/status/x"),
    NOTFOUND("/api/v1/namespaces/default/finalize/x/y"),
    NOTFOUND("/api/v1/namespaces/default/foo/x"),
    NOTFOUND("/api/v1/watch/namespaces/default/configmaps/x/status/y"),
    NOTFOUND("/api/v1/namespaces/default/configmaps/x/status/a/b/c/d/e"),
    NOTFOUND("/a/b/c/d/e/f/g/h/i/j/k"),
    NOTFOUND("/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z"),
    /* Empty segments. */
    NOTFOUND("//"),
    NOTFOUND("///"),
    NOTFOUND("//api"),
    NOTFOUND("//api/v1"),
    NOTFOUND("/api//v1"),
    NOTFOUND("/api/v1//configmaps"),
    NOTFOUND("/api/v1/namespaces//configmaps"),
    NOTFOUND("/api/v1/namespaces/default//configmaps"),
    NOTFOUND("/api/v1/namespaces/default/configmaps//x"),
};

/* Field mismatches name the path, since one test walks the whole table. */
static void eq(const char *path, const char *field, const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        fail_msg("%s: %s \"%s\", want \"%s\"", path, field, got, want);
}

static void check(const struct route_case *c)
{
    struct fl_route r;
    struct fl_err err = {0};
    int rc = fl_route_parse(c->path, &r, &err);
    if (c->kind == NF) {
        if (rc == 0)
            fail_msg("%s: routed (kind %d), want 404", c->path, r.kind);
        assert_int_equal(rc, FL_EFAIL);
        assert_int_equal(err.code, 404);
        assert_string_equal(err.reason, "NotFound");
        assert_string_equal(err.message, "the server could not find the requested resource");
        return;
    }
    if (rc != 0)
        fail_msg("%s: %d %s, want kind %d", c->path, err.code, err.message, c->kind);
    if ((int)r.kind != c->kind)
        fail_msg("%s: kind %d, want %d", c->path, r.kind, c->kind);
    eq(c->path, "group", r.group, c->group);
    eq(c->path, "version", r.version, c->version);
    if (c->kind == FL_ROUTE_RESOURCE) {
        if (!r.type)
            fail_msg("%s: no type", c->path);
        eq(c->path, "resource", r.type->resource, c->resource);
        assert_ptr_equal(r.type, fl_registry_find(c->group, c->version, c->resource));
    } else if (r.type) {
        fail_msg("%s: type %s, want none", c->path, r.type->resource);
    }
    eq(c->path, "ns", r.ns, c->ns);
    eq(c->path, "name", r.name, c->name);
    eq(c->path, "sub", r.sub, c->sub);
    if (r.watch != c->watch)
        fail_msg("%s: watch %d, want %d", c->path, r.watch, c->watch);
}

static void test_table(void **state)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check(&cases[i]);
}

/* A string of n copies of c (static buffer, n < 1024). */
static const char *rep(char c, size_t n)
{
    static char buf[2][1024];
    static int which;
    char *b = buf[which ^= 1];
    assert_true(n < sizeof(buf[0]));
    memset(b, c, n);
    b[n] = '\0';
    return b;
}

static void route_ok(const char *path, const char *ns, const char *name, const char *sub)
{
    struct route_case c = {path, FL_ROUTE_RESOURCE, "", "v1", "configmaps", ns, name, sub, false};
    check(&c);
}

static void route_404(const char *path)
{
    struct route_case c = {path, NF, NULL, NULL, NULL, NULL, NULL, NULL, false};
    check(&c);
}

static void test_long_segments(void **state)
{
    char path[4096];
    char ns63[64], name253[254], sub31[32];
    snprintf(ns63, sizeof(ns63), "%s", rep('n', 63));
    snprintf(name253, sizeof(name253), "%s", rep('x', 253));
    snprintf(sub31, sizeof(sub31), "%s", rep('s', 31));

    /* The longest valid names fit. */
    snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps/%s/%s", ns63, name253, sub31);
    route_ok(path, ns63, name253, sub31);

    /* One more byte anywhere is a 404, not a truncated route. */
    snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps", rep('n', 64));
    route_404(path);
    snprintf(path, sizeof(path), "/api/v1/namespaces/default/configmaps/%s", rep('x', 254));
    route_404(path);
    snprintf(path, sizeof(path), "/api/v1/namespaces/default/configmaps/x/%s", rep('s', 32));
    route_404(path);
    snprintf(path, sizeof(path), "/api/v1/namespaces/%s", rep('x', 254));
    route_404(path);
    snprintf(path, sizeof(path), "/api/v1/namespaces/%s", rep('x', 1000));
    route_404(path);
    snprintf(path, sizeof(path), "/apis/%s", rep('g', 254));
    route_404(path);
    snprintf(path, sizeof(path), "/apis/apps/%s", rep('v', 64));
    route_404(path);
    snprintf(path, sizeof(path), "/%s", rep('a', 1000));
    route_404(path);

    /* The longest group and version segments still route. */
    struct route_case g = {
        NULL, FL_ROUTE_GROUP_VERSION, rep('g', 253), rep('v', 63), NULL, "", "", "", false};
    snprintf(path, sizeof(path), "/apis/%s/%s", g.group, g.version);
    g.path = path;
    check(&g);

    /* Ten segments are the most the router reads. */
    route_404("/api/v1/namespaces/default/configmaps/x/status/a/b/c");
}

/* The route is fully reset on every call, even on failure. */
static void test_reset(void **state)
{
    struct fl_route r;
    struct fl_err err = {0};
    assert_int_equal(fl_route_parse("/api/v1/watch/namespaces/a/configmaps/b/status", &r, &err), 0);
    assert_true(r.watch);
    assert_int_equal(fl_route_parse("/api/v1/configmaps", &r, &err), 0);
    assert_false(r.watch);
    assert_string_equal(r.ns, "");
    assert_string_equal(r.name, "");
    assert_string_equal(r.sub, "");
    /* err may be NULL. */
    assert_int_equal(fl_route_parse("/nope", &r, NULL), FL_EFAIL);
}

/* Regression: split() in route.c allowed "one trailing slash" but accepted two
 * (an empty segment followed by a slash): "/api/v1//" routes as "/api/v1"
 * and ".../configmaps/x//" as ".../configmaps/x". Expected 404, as for any
 * other empty segment. */
static void test_double_trailing_slash(void **state)
{
    route_404("/api/v1//");
    route_404("/version//");
    route_404("/api/v1/namespaces/default/configmaps/x//");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_long_segments),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_double_trailing_slash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
