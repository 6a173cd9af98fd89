/*
 * Unit tests for api/patch: tables of (document, patch, expected result or
 * expected error code + message) for each of the three patch types, drawn
 * from RFC 6902 / RFC 7386 appendix A, the kubectl patch documentation and
 * upstream strategicpatch's behaviour (element order included); plus the
 * caps (operations, nesting, copy budget, list length) built
 * programmatically, and the built-in strategy table. Every case also checks
 * that the document and the patch are left untouched, and every merge patch
 * case that applying the patch twice changes nothing more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"

/* Table rows leave the trailing fields (error code, message, kind) zero when
 * they do not need them. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

enum type { JSONPATCH, MERGE, STRATEGIC };

struct pcase {
    const char *name;
    const char *doc;
    const char *patch;
    const char *want; /* NULL: an error is expected */
    int code;         /* expected error code */
    const char *msg;  /* expected error message, exact; NULL: not checked */
    const char *kind; /* strategic: the kind for fl_patch_builtin_strategy */
};

static json_t *load(const char *name, const char *what, const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("%s: bad %s JSON: %s", name, what, je.text);
    return v;
}

static int apply(enum type t, const json_t *doc, const json_t *patch, const char *kind,
                 json_t **out, struct fl_err *err)
{
    switch (t) {
    case JSONPATCH:
        return fl_patch_json(doc, patch, out, err);
    case MERGE:
        return fl_patch_merge(doc, patch, out, err);
    default:
        return fl_patch_strategic(doc, patch, fl_patch_builtin_strategy, (void *)kind, out, err);
    }
}

static void run(enum type t, const struct pcase *c)
{
    json_t *doc = load(c->name, "doc", c->doc), *patch = load(c->name, "patch", c->patch);
    json_t *doc0 = json_deep_copy(doc), *patch0 = json_deep_copy(patch), *out = NULL;
    struct fl_err err;
    memset(&err, 0, sizeof(err));

    int rc = apply(t, doc, patch, c->kind ? c->kind : "Pod", &out, &err);
    if (c->want) {
        if (rc != 0)
            fail_msg("%s: unexpected error %d: %s", c->name, err.code, err.message);
        json_t *want = load(c->name, "want", c->want);
        if (!json_equal(out, want)) {
            char *got = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
            fail_msg("%s:\n got  %s\n want %s", c->name, got, c->want);
        }
        if (t == MERGE) {
            json_t *again = NULL;
            assert_int_equal(fl_patch_merge(out, patch, &again, &err), 0);
            if (!json_equal(again, out))
                fail_msg("%s: merge patch not idempotent", c->name);
            json_decref(again);
        }
        json_decref(want);
        json_decref(out);
    } else {
        if (rc == 0) {
            char *got = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
            fail_msg("%s: expected error %d, got %s", c->name, c->code, got);
        }
        if (err.code != c->code)
            fail_msg("%s: code %d (%s), want %d", c->name, err.code, err.message, c->code);
        if (c->msg && strcmp(err.message, c->msg) != 0)
            fail_msg("%s:\n message %s\n want    %s", c->name, err.message, c->msg);
        assert_null(out);
    }
    if (!json_equal(doc, doc0) || !json_equal(patch, patch0))
        fail_msg("%s: input modified", c->name);
    json_decref(doc);
    json_decref(patch);
    json_decref(doc0);
    json_decref(patch0);
}

/* ------------------------------------------------------------------------ */

static const struct pcase json_cases[] = {
    /* RFC 6902 appendix A */
    {"A.1 add member", "{\"foo\":\"bar\"}",
     "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]", "{\"baz\":\"qux\",\"foo\":\"bar\"}"},
    {"A.2 add element", "{\"foo\":[\"bar\",\"baz\"]}",
     "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
     "{\"foo\":[\"bar\",\"qux\",\"baz\"]}"},
    {"A.3 remove member", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
     "[{\"op\":\"remove\",\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}"},
    {"A.4 remove element", "{\"foo\":[\"bar\",\"qux\",\"baz\"]}",
     "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", "{\"foo\":[\"bar\",\"baz\"]}"},
    {"A.5 replace", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
     "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
     "{\"baz\":\"boo\",\"foo\":\"bar\"}"},
    {"A.6 move member",
     "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
     "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
     "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}"},
    {"A.7 move element", "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
     "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
     "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}"},
    {"A.8 test ok", "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
     "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
     "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
     "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}"},
    {"A.9 test fails", "{\"baz\":\"qux\"}",
     "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", NULL, 422,
     "testing value /baz failed"},
    {"A.10 add nested", "{\"foo\":\"bar\"}",
     "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
     "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}"},
    {"A.11 extra members ignored", "{\"foo\":\"bar\"}",
     "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
     "{\"foo\":\"bar\",\"baz\":\"qux\"}"},
    {"A.12 add to missing parent", "{\"foo\":\"bar\"}",
     "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]", NULL, 422,
     "jsonpatch add operation does not apply: doc is missing path: \"/baz/bat\""},
    {"A.14 escapes", "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
     "{\"/\":9,\"~1\":10}"},
    {"A.15 string is not number", "{\"/\":9,\"~1\":10}",
     "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]", NULL, 422,
     "testing value /~01 failed"},
    {"A.16 append array value", "{\"foo\":[\"bar\"]}",
     "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
     "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}"},
    /* more of each op */
    {"add replaces member", "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":2}]",
     "{\"a\":2}"},
    {"add at end index", "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/1\",\"value\":2}]",
     "{\"a\":[1,2]}"},
    {"add past end", "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/2\",\"value\":2}]", NULL, 422,
     "error in add for path: '/a/2': Unable to access invalid index: 2"},
    {"add leading zero index", "{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":2}]",
     NULL, 422, NULL},
    {"add '-' to object is a key", "{\"a\":{}}", "[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":1}]",
     "{\"a\":{\"-\":1}}"},
    {"add root", "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":[1]}]", "[1]"},
    {"add label with slash", "{\"metadata\":{\"labels\":{}}}",
     "[{\"op\":\"add\",\"path\":\"/metadata/labels/app.kubernetes.io~1name\",\"value\":\"web\"}]",
     "{\"metadata\":{\"labels\":{\"app.kubernetes.io/name\":\"web\"}}}"},
    {"add through scalar", "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":2}]", NULL,
     422, "jsonpatch add operation does not apply: doc is missing path: \"/a/b\""},
    {"remove missing key", "{\"a\":{}}", "[{\"op\":\"remove\",\"path\":\"/a/b\"}]", NULL, 422,
     "error in remove for path: '/a/b': Unable to remove nonexistent key: b"},
    {"remove missing parent", "{}", "[{\"op\":\"remove\",\"path\":\"/a/b\"}]", NULL, 422,
     "jsonpatch remove operation does not apply: doc is missing path: /a/b"},
    {"remove index out of range", "{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/1\"}]", NULL,
     422, "error in remove for path: '/a/1': Unable to access invalid index: 1"},
    {"remove root", "{}", "[{\"op\":\"remove\",\"path\":\"\"}]", NULL, 422, NULL},
    {"replace missing key", "{\"spec\":{}}",
     "[{\"op\":\"replace\",\"path\":\"/spec/x\",\"value\":1}]", NULL, 422,
     "jsonpatch replace operation does not apply: doc is missing key: /spec/x"},
    {"replace missing path", "{}", "[{\"op\":\"replace\",\"path\":\"/spec/x\",\"value\":1}]", NULL,
     422, "jsonpatch replace operation does not apply: doc is missing path: /spec/x"},
    {"replace element", "{\"a\":[1,2]}", "[{\"op\":\"replace\",\"path\":\"/a/1\",\"value\":3}]",
     "{\"a\":[1,3]}"},
    {"replace '-' fails", "{\"a\":[1,2]}", "[{\"op\":\"replace\",\"path\":\"/a/-\",\"value\":3}]",
     NULL, 422, "jsonpatch replace operation does not apply: doc is missing key: /a/-"},
    {"replace root", "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"b\":2}}]",
     "{\"b\":2}"},
    {"replace null value", "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":null}]",
     "{\"a\":null}"},
    {"move to same place", "{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]",
     "{\"a\":1}"},
    {"move into own child", "{\"a\":{\"b\":1}}",
     "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/c\"}]", NULL, 422,
     "jsonpatch move operation does not apply: doc is missing destination path: /a/c"},
    {"move missing from", "{}", "[{\"op\":\"move\",\"from\":\"/x\",\"path\":\"/y\"}]", NULL, 422,
     "jsonpatch move operation does not apply: doc is missing from path: /x"},
    {"move element to end", "{\"a\":[1,2,3]}",
     "[{\"op\":\"move\",\"from\":\"/a/0\",\"path\":\"/a/-\"}]", "{\"a\":[2,3,1]}"},
    {"copy", "{\"a\":{\"b\":1}}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"}]",
     "{\"a\":{\"b\":1},\"c\":{\"b\":1}}"},
    {"copy is deep", "{\"a\":{\"b\":1}}",
     "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"},"
     "{\"op\":\"replace\",\"path\":\"/c/b\",\"value\":2}]",
     "{\"a\":{\"b\":1},\"c\":{\"b\":2}}"},
    {"copy into itself", "{\"a\":{\"b\":1}}",
     "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/a/c\"}]", "{\"a\":{\"b\":1,\"c\":{\"b\":1}}}"},
    {"copy missing from", "{}", "[{\"op\":\"copy\",\"from\":\"/x\",\"path\":\"/y\"}]", NULL, 422,
     "jsonpatch copy operation does not apply: doc is missing from path: /x"},
    {"copy missing destination", "{\"x\":1}",
     "[{\"op\":\"copy\",\"from\":\"/x\",\"path\":\"/y/z\"}]", NULL, 422,
     "jsonpatch copy operation does not apply: doc is missing destination path: /y/z"},
    {"test whole doc", "{\"a\":[1]}", "[{\"op\":\"test\",\"path\":\"\",\"value\":{\"a\":[1]}}]",
     "{\"a\":[1]}"},
    {"test number forms", "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1.0}]",
     "{\"a\":1}"},
    {"test object order", "{\"a\":{\"x\":1,\"y\":2}}",
     "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"y\":2,\"x\":1}}]",
     "{\"a\":{\"x\":1,\"y\":2}}"},
    {"test missing key", "{\"metadata\":{}}",
     "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"x\"}]", NULL, 422,
     "testing value /metadata/name failed"},
    {"test missing parent", "{}", "[{\"op\":\"test\",\"path\":\"/a/b\",\"value\":1}]", NULL, 422,
     "jsonpatch test operation does not apply: is missing path: /a/b"},
    {"failed test rolls back", "{\"a\":1}",
     "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2},"
     "{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]",
     NULL, 422, "testing value /a failed"},
    {"empty patch", "{\"a\":1}", "[]", "{\"a\":1}"},
    /* malformed patches */
    {"not an array", "{}", "{\"op\":\"add\"}", NULL, 400,
     "json: cannot unmarshal object into Go value of type jsonpatch.Patch"},
    {"op not an object", "{}", "[\"add\"]", NULL, 400,
     "json: cannot unmarshal string into Go value of type jsonpatch.Operation"},
    {"op missing", "{}", "[{\"path\":\"/a\",\"value\":1}]", NULL, 400, "Unexpected kind: unknown"},
    {"op unknown", "{}", "[{\"op\":\"frob\",\"path\":\"/a\"}]", NULL, 400, "Unexpected kind: frob"},
    {"path missing", "{}", "[{\"op\":\"add\",\"value\":1}]", NULL, 400,
     "jsonpatch add operation: missing path field"},
    {"path without slash", "{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", NULL, 400,
     "jsonpatch add operation: invalid path \"a\": a JSON pointer must be empty or start with "
     "'/'"},
    {"bad escape", "{}", "[{\"op\":\"add\",\"path\":\"/a~2\",\"value\":1}]", NULL, 400,
     "jsonpatch add operation: invalid path \"/a~2\": '~' must be followed by '0' or '1'"},
    {"value missing", "{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", NULL, 400,
     "jsonpatch add operation: missing value field"},
    {"from missing", "{\"a\":1}", "[{\"op\":\"move\",\"path\":\"/b\"}]", NULL, 400,
     "jsonpatch move operation: missing from field"},
    {"malformed late op, nothing applied", "{\"a\":1}",
     "[{\"op\":\"remove\",\"path\":\"/a\"},{\"op\":\"nope\"}]", NULL, 400, "Unexpected kind: nope"},
};

static void test_json_table(void **state)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(json_cases); i++)
        run(JSONPATCH, &json_cases[i]);
}

static json_t *nested(size_t levels, json_t *leaf)
{
    json_t *v = leaf;
    for (size_t i = 0; i < levels; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "a", v);
        v = o;
    }
    return v;
}

static void test_json_caps(void **state)
{
    struct fl_err err;
    json_t *doc = json_object(), *out = NULL;

    /* Operation count: 10000 is fine, 10001 is 413. */
    json_t *ops = json_array();
    for (int i = 0; i < FL_PATCH_MAX_OPS; i++)
        json_array_append_new(ops,
                              json_pack("{s:s, s:s, s:{}}", "op", "test", "path", "", "value"));
    assert_int_equal(fl_patch_json(doc, ops, &out, &err), 0);
    json_decref(out);
    out = NULL;
    json_array_append_new(ops, json_pack("{s:s, s:s}", "op", "remove", "path", "/x"));
    assert_int_not_equal(fl_patch_json(doc, ops, &out, &err), 0);
    assert_int_equal(err.code, 413);
    assert_string_equal(err.message,
                        "The allowed maximum operations in a JSON patch is 10000, got 10001");
    json_decref(ops);

    /* Nesting of the patch. */
    ops = json_pack("[{s:s, s:s, s:o}]", "op", "add", "path", "/x", "value",
                    nested(FL_PATCH_MAX_DEPTH, json_integer(1)));
    assert_int_not_equal(fl_patch_json(doc, ops, &out, &err), 0);
    assert_int_equal(err.code, 400);
    json_decref(ops);
    ops = json_pack("[{s:s, s:s, s:o}]", "op", "add", "path", "/x", "value",
                    nested(FL_PATCH_MAX_DEPTH - 2, json_integer(1)));
    assert_int_equal(fl_patch_json(doc, ops, &out, &err), 0);
    json_decref(out);
    out = NULL;
    json_decref(ops);

    /* Copies that double the document each time run out of budget. */
    json_t *d2 = json_pack("{s:[i,i,i,i]}", "a", 1, 2, 3, 4);
    ops = json_array();
    for (int i = 0; i < 40; i++)
        json_array_append_new(
            ops, json_pack("{s:s, s:s, s:s}", "op", "copy", "from", "/a", "path", "/a/-"));
    assert_int_not_equal(fl_patch_json(d2, ops, &out, &err), 0);
    assert_int_equal(err.code, 422);
    assert_non_null(strstr(err.message, "Unable to complete the copy"));
    json_decref(ops);
    json_decref(d2);

    /* A document may not be built deeper than FL_PATCH_MAX_DOC_DEPTH. */
    json_t *deep = nested(FL_PATCH_MAX_DOC_DEPTH - 1, json_object());
    size_t plen = 2 * (FL_PATCH_MAX_DOC_DEPTH - 1) + 3;
    char *path = calloc(1, plen);
    for (size_t i = 0; i < FL_PATCH_MAX_DOC_DEPTH - 1; i++)
        strcat(path, "/a");
    strcat(path, "/b");
    ops = json_pack("[{s:s, s:s, s:i}]", "op", "add", "path", path, "value", 1);
    assert_int_equal(fl_patch_json(deep, ops, &out, &err), 0);
    json_decref(out);
    out = NULL;
    json_decref(ops);
    ops = json_pack("[{s:s, s:s, s:{s:i}}]", "op", "add", "path", path, "value", "c", 1);
    assert_int_not_equal(fl_patch_json(deep, ops, &out, &err), 0);
    assert_int_equal(err.code, 422);
    json_decref(ops);
    free(path);
    json_decref(deep);
    json_decref(doc);
}

/* ------------------------------------------------------------------------ */

static const struct pcase merge_cases[] = {
    /* RFC 7386 appendix A */
    {"A1", "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"A2", "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
    {"A3", "{\"a\":\"b\"}", "{\"a\":null}", "{}"},
    {"A4", "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
    {"A5", "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"A6", "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
    {"A7", "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
    {"A8", "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
    {"A9", "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
    {"A10", "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
    {"A11", "{\"a\":\"foo\"}", "null", "null"},
    {"A12", "{\"a\":\"foo\"}", "\"bar\"", "\"bar\""},
    {"A13", "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
    {"A14", "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
    {"A15", "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
    /* RFC 7386 section 3 */
    {"section 3",
     "{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
     "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}",
     "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\",\"author\":{\"familyName\":null},"
     "\"tags\":[\"example\"]}",
     "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
     "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}"},
    {"kubectl labels", "{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}",
     "{\"metadata\":{\"labels\":{\"a\":null,\"c\":\"3\"}}}",
     "{\"metadata\":{\"name\":\"x\",\"labels\":{\"b\":\"2\",\"c\":\"3\"}}}"},
    {"lists replace", "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}}",
     "{\"spec\":{\"containers\":[{\"name\":\"b\"}]}}",
     "{\"spec\":{\"containers\":[{\"name\":\"b\"}]}}"},
    {"empty patch", "{\"a\":1}", "{}", "{\"a\":1}"},
};

static void test_merge_table(void **state)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(merge_cases); i++)
        run(MERGE, &merge_cases[i]);
}

static void test_merge_depth(void **state)
{
    struct fl_err err;
    json_t *doc = json_object(), *out = NULL;
    json_t *p = nested(FL_PATCH_MAX_DEPTH + 1, json_integer(1));
    assert_int_not_equal(fl_patch_merge(doc, p, &out, &err), 0);
    assert_int_equal(err.code, 400);
    assert_null(out);
    json_decref(p);
    p = nested(FL_PATCH_MAX_DEPTH, json_integer(1));
    assert_int_equal(fl_patch_merge(doc, p, &out, &err), 0);
    json_decref(out);
    json_decref(p);
    json_decref(doc);
}

/* ------------------------------------------------------------------------ */

#define POD(containers) "{\"spec\":{\"containers\":" containers "}}"
#define DEPLOY(spec) "{\"spec\":{\"template\":{\"spec\":" spec "}}}"

static const struct pcase smp_cases[] = {
    {"merge container by name, keep the rest",
     POD("[{\"name\":\"a\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":80}]},"
         "{\"name\":\"b\",\"image\":\"redis\"}]"),
     POD("[{\"name\":\"a\",\"image\":\"nginx:2\"}]"),
     POD("[{\"name\":\"a\",\"image\":\"nginx:2\",\"ports\":[{\"containerPort\":80}]},"
         "{\"name\":\"b\",\"image\":\"redis\"}]")},
    /* kubectl patch docs: the added container comes first */
    {"add container to deployment",
     DEPLOY("{\"containers\":[{\"name\":\"patch-demo-ctr\",\"image\":\"nginx\"}]}"),
     DEPLOY("{\"containers\":[{\"name\":\"patch-demo-ctr-2\",\"image\":\"redis\"}]}"),
     DEPLOY("{\"containers\":[{\"name\":\"patch-demo-ctr-2\",\"image\":\"redis\"},"
            "{\"name\":\"patch-demo-ctr\",\"image\":\"nginx\"}]}"),
     0, NULL, "Deployment"},
    {"tolerations are atomic",
     DEPLOY("{\"tolerations\":[{\"key\":\"a\",\"effect\":\"NoSchedule\"}]}"),
     DEPLOY("{\"tolerations\":[{\"key\":\"b\",\"effect\":\"NoSchedule\"}]}"),
     DEPLOY("{\"tolerations\":[{\"key\":\"b\",\"effect\":\"NoSchedule\"}]}"), 0, NULL,
     "Deployment"},
    {"deployment containers path is not the pod's",
     "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
     "{\"spec\":{\"containers\":[{\"name\":\"b\"}]}}",
     "{\"spec\":{\"containers\":[{\"name\":\"b\"}]}}", 0, NULL, "Deployment"},
    {"delete one container",
     POD("[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\",\"image\":\"y\"}]"),
     POD("[{\"name\":\"b\",\"$patch\":\"delete\"}]"), POD("[{\"name\":\"a\",\"image\":\"x\"}]")},
    {"delete and add", POD("[{\"name\":\"a\"},{\"name\":\"b\"}]"),
     POD("[{\"name\":\"a\",\"$patch\":\"delete\"},{\"name\":\"c\"}]"),
     POD("[{\"name\":\"c\"},{\"name\":\"b\"}]")},
    {"delete without merge key", POD("[{\"name\":\"a\"}]"), POD("[{\"$patch\":\"delete\"}]"), NULL,
     400, "map: {\"$patch\":\"delete\"} does not contain declared merge key: name"},
    {"replace a list", POD("[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\"}]"),
     POD("[{\"$patch\":\"replace\"},{\"name\":\"z\",\"image\":\"z\"}]"),
     POD("[{\"name\":\"z\",\"image\":\"z\"}]")},
    {"replace a map", "{\"spec\":{\"nodeSelector\":{\"a\":\"1\",\"b\":\"2\"},\"x\":1}}",
     "{\"spec\":{\"nodeSelector\":{\"$patch\":\"replace\",\"c\":\"3\"}}}",
     "{\"spec\":{\"nodeSelector\":{\"c\":\"3\"},\"x\":1}}"},
    {"replace the whole object", "{\"a\":1,\"b\":{\"c\":2}}", "{\"$patch\":\"replace\",\"d\":4}",
     "{\"d\":4}"},
    {"delete a map", "{\"spec\":{\"affinity\":{\"nodeAffinity\":{}},\"x\":1}}",
     "{\"spec\":{\"affinity\":{\"$patch\":\"delete\"}}}", "{\"spec\":{\"affinity\":{},\"x\":1}}"},
    {"unknown patch type in map", "{\"spec\":{}}", "{\"spec\":{\"$patch\":\"bogus\"}}", NULL, 400,
     "unknown patch type: bogus in map: {\"$patch\":\"bogus\"}"},
    {"merge directive in a list", POD("[{\"name\":\"a\"}]"),
     POD("[{\"name\":\"a\",\"$patch\":\"merge\"}]"), NULL, 400,
     "merging lists cannot yet be specified in the patch"},
    {"missing merge key", POD("[{\"name\":\"a\"}]"), POD("[{\"image\":\"x\"}]"), NULL, 400,
     "map: {\"image\":\"x\"} does not contain declared merge key: name"},
    {"setElementOrder reorders", POD("[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]"),
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"c\"},{\"name\":\"a\"},"
     "{\"name\":\"b\"}]}}",
     POD("[{\"name\":\"c\"},{\"name\":\"a\"},{\"name\":\"b\"}]")},
    {"setElementOrder with patch list", POD("[{\"name\":\"a\",\"image\":\"1\"},{\"name\":\"b\"}]"),
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"},{\"name\":\"a\"}],"
     "\"containers\":[{\"name\":\"a\",\"image\":\"2\"}]}}",
     POD("[{\"name\":\"b\"},{\"name\":\"a\",\"image\":\"2\"}]")},
    {"setElementOrder adds in place", POD("[{\"name\":\"a\"},{\"name\":\"c\"}]"),
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"a\"},{\"name\":\"b\"},"
     "{\"name\":\"c\"}],\"containers\":[{\"name\":\"b\"}]}}",
     POD("[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]")},
    {"setElementOrder on primitives", "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
     "{\"metadata\":{\"$setElementOrder/finalizers\":[\"b\",\"c\",\"a\"],\"finalizers\":[\"c\"]}}",
     "{\"metadata\":{\"finalizers\":[\"b\",\"c\",\"a\"]}}"},
    {"setElementOrder mismatch", POD("[{\"name\":\"a\"},{\"name\":\"b\"}]"),
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"},{\"name\":\"a\"}],"
     "\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
     NULL, 400,
     "the order in patch list:\n[{\"name\":\"a\"},{\"name\":\"b\"}]\n doesn't match "
     "$setElementOrder list:\n[{\"name\":\"b\"},{\"name\":\"a\"}]"},
    {"setElementOrder not a list", POD("[]"), "{\"spec\":{\"$setElementOrder/containers\":{}}}",
     NULL, 400, "invalid patch format of setElementOrder list"},
    {"retainKeys on strategy",
     "{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}}}}",
     "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}",
     "{\"spec\":{\"strategy\":{\"type\":\"Recreate\"}}}", 0, NULL, "Deployment"},
    {"retainKeys on a volume", "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}]}}",
     "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"$retainKeys\":[\"name\",\"hostPath\"],"
     "\"hostPath\":{\"path\":\"/x\"}}]}}",
     "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"hostPath\":{\"path\":\"/x\"}}]}}"},
    {"retainKeys must cover the patch", "{\"spec\":{\"strategy\":{}}}",
     "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"rollingUpdate\":{}}}}", NULL, 400,
     "invalid patch format of retainKeys"},
    {"retainKeys not a list", "{\"spec\":{\"strategy\":{}}}",
     "{\"spec\":{\"strategy\":{\"$retainKeys\":\"type\"}}}", NULL, 400,
     "invalid patch format of retainKeys"},
    {"finalizers union, new first", "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
     "{\"metadata\":{\"finalizers\":[\"c\",\"a\"]}}",
     "{\"metadata\":{\"finalizers\":[\"c\",\"a\",\"b\"]}}"},
    {"finalizers union keeps existing", "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
     "{\"metadata\":{\"finalizers\":[\"b\"]}}", "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}"},
    {"deleteFromPrimitiveList", "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}",
     "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"b\",\"x\"]}}",
     "{\"metadata\":{\"finalizers\":[\"a\",\"c\"]}}"},
    {"deleteFromPrimitiveList not a list", "{\"metadata\":{\"finalizers\":[\"a\"]}}",
     "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":\"a\"}}", NULL, 400,
     "invalid patch format of primitive list"},
    {"null removes", "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}",
     "{\"metadata\":{\"labels\":{\"a\":null,\"z\":null}}}",
     "{\"metadata\":{\"labels\":{\"b\":\"2\"}}}"},
    {"nulls under a new key are dropped", "{\"spec\":{}}",
     "{\"spec\":{\"x\":{\"y\":null,\"z\":1,\"l\":[{\"k\":null,\"m\":2}]}}}",
     "{\"spec\":{\"x\":{\"z\":1,\"l\":[{\"m\":2}]}}}"},
    {"directives under a new key are dropped", "{}",
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"a\"}],"
     "\"containers\":[{\"name\":\"a\"},{\"name\":\"b\",\"$patch\":\"delete\"}],"
     "\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"},"
     "\"nodeSelector\":{\"$patch\":\"delete\"}}}",
     "{\"spec\":{\"containers\":[{\"name\":\"a\"}],\"strategy\":{\"type\":\"Recreate\"}}}"},
    {"type change replaces", "{\"a\":{\"b\":1}}", "{\"a\":[1]}", "{\"a\":[1]}"},
    {"env merged by name",
     POD("[{\"name\":\"a\",\"env\":[{\"name\":\"X\",\"value\":\"1\"},"
         "{\"name\":\"Y\",\"value\":\"2\"}]}]"),
     POD("[{\"name\":\"a\",\"env\":[{\"name\":\"Y\",\"value\":\"3\"},{\"name\":\"Z\",\"value\":"
         "\"4\"}]}]"),
     POD("[{\"name\":\"a\",\"env\":[{\"name\":\"X\",\"value\":\"1\"},{\"name\":\"Y\",\"value\":"
         "\"3\"},"
         "{\"name\":\"Z\",\"value\":\"4\"}]}]")},
    {"env var removed by null member",
     POD("[{\"name\":\"a\",\"env\":[{\"name\":\"X\",\"value\":\"1\"}]}]"),
     POD("[{\"name\":\"a\",\"env\":[{\"name\":\"X\",\"value\":null,\"valueFrom\":{\"x\":1}}]}]"),
     POD("[{\"name\":\"a\",\"env\":[{\"name\":\"X\",\"valueFrom\":{\"x\":1}}]}]")},
    {"container ports by containerPort",
     POD("[{\"name\":\"a\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]}]"),
     POD("[{\"name\":\"a\",\"ports\":[{\"containerPort\":80,\"name\":\"http\"},"
         "{\"containerPort\":443}]}]"),
     POD("[{\"name\":\"a\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\",\"name\":\"http\"}"
         ","
         "{\"containerPort\":443}]}]")},
    {"init container volumeMounts by mountPath",
     "{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"volumeMounts\":[{\"mountPath\":\"/a\","
     "\"name\":\"v\"}]}]}}",
     "{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"volumeMounts\":[{\"mountPath\":\"/a\","
     "\"readOnly\":true}]}]}}",
     "{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"volumeMounts\":[{\"mountPath\":\"/a\","
     "\"name\":\"v\",\"readOnly\":true}]}]}}"},
    {"service ports by port",
     "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080},{\"port\":443}]}}",
     "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090}]}}",
     "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090},{\"port\":443}]}}", 0, NULL,
     "Service"},
    {"ownerReferences by uid",
     "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"1\",\"name\":\"a\"},{\"uid\":\"2\",\"name\":"
     "\"b\"}]}}",
     "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"2\",\"controller\":true}]}}",
     "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"1\",\"name\":\"a\"},"
     "{\"uid\":\"2\",\"name\":\"b\",\"controller\":true}]}}",
     0, NULL, "ConfigMap"},
    {"status conditions by type",
     "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"},"
     "{\"type\":\"Scheduled\",\"status\":\"True\"}]}}",
     "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
     "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},"
     "{\"type\":\"Scheduled\",\"status\":\"True\"}]}}"},
    {"configmap data merges", "{\"data\":{\"a\":\"1\",\"b\":\"2\"}}",
     "{\"data\":{\"b\":\"3\",\"c\":\"4\"}}", "{\"data\":{\"a\":\"1\",\"b\":\"3\",\"c\":\"4\"}}", 0,
     NULL, "ConfigMap"},
    {"lists of lists", "{\"metadata\":{\"finalizers\":[[\"a\"]]}}",
     "{\"metadata\":{\"finalizers\":[[\"b\"]]}}", NULL, 422, "lists of lists are not supported"},
    {"mixed element types", "{\"metadata\":{\"finalizers\":[\"a\"]}}",
     "{\"metadata\":{\"finalizers\":[1]}}", NULL, 422, NULL},
    {"patch not an object", "{}", "[1]", NULL, 400, "invalid JSON document"},
    {"empty lists", POD("[]"), POD("[]"), POD("[]")},
    {"duplicate merge keys in the patch", POD("[]"),
     POD("[{\"name\":\"a\",\"image\":\"1\"},{\"name\":\"a\",\"args\":[\"x\"]}]"),
     POD("[{\"name\":\"a\",\"image\":\"1\",\"args\":[\"x\"]}]")},
    {"cronjob pod template",
     "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":"
     "{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}}}}}",
     "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":"
     "{\"containers\":[{\"name\":\"b\",\"image\":\"x\"}]}}}}}}",
     "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":"
     "{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\",\"image\":\"x\"}]}}}}}}",
     0, NULL, "CronJob"},
};

static void test_strategic_table(void **state)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(smp_cases); i++)
        run(STRATEGIC, &smp_cases[i]);
}

static void test_strategic_caps(void **state)
{
    struct fl_err err;
    json_t *doc = json_object(), *out = NULL;

    json_t *p = nested(FL_PATCH_MAX_DEPTH + 1, json_integer(1));
    assert_int_not_equal(fl_patch_strategic(doc, p, NULL, NULL, &out, &err), 0);
    assert_int_equal(err.code, 400);
    json_decref(p);

    /* A merged list over FL_PATCH_MAX_LIST elements. */
    json_t *fin = json_array();
    for (int i = 0; i <= FL_PATCH_MAX_LIST; i++)
        json_array_append_new(fin, json_sprintf("f%d", i));
    json_t *d2 = json_pack("{s:{s:[s]}}", "metadata", "finalizers", "x");
    p = json_pack("{s:{s:o}}", "metadata", "finalizers", fin);
    assert_int_not_equal(
        fl_patch_strategic(d2, p, fl_patch_builtin_strategy, (void *)"Pod", &out, &err), 0);
    assert_int_equal(err.code, 422);
    json_decref(p);
    json_decref(d2);

    /* No strategy at all: every list is atomic. */
    d2 = json_pack("{s:{s:[s]}}", "metadata", "finalizers", "x");
    p = json_pack("{s:{s:[s]}}", "metadata", "finalizers", "y");
    assert_int_equal(fl_patch_strategic(d2, p, NULL, NULL, &out, &err), 0);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(out, "metadata"), "finalizers"), 0)),
                        "y");
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(out, "metadata"), "finalizers")), 1);
    json_decref(out);
    json_decref(p);
    json_decref(d2);
    json_decref(doc);
}

/* ------------------------------------------------------------------------ */

struct scase {
    const char *kind;
    const char *path; /* dotted */
    bool known;
    const char *merge_key;
    bool merge;
    bool retain_keys;
};

static const struct scase strategy_cases[] = {
    {"Deployment", "spec.template.spec.containers", true, "name", true, false},
    {"Deployment", "spec.template.spec.containers.env", true, "name", true, false},
    {"Deployment", "spec.template.spec.initContainers.ports", true, "containerPort", true, false},
    {"Deployment", "spec.template.spec.volumes", true, "name", true, true},
    {"Deployment", "spec.template.spec.tolerations", false, NULL, false, false},
    {"Deployment", "spec.template.metadata.finalizers", true, NULL, true, false},
    {"Deployment", "spec.strategy", true, NULL, false, true},
    {"Deployment", "spec.containers", false, NULL, false, false},
    {"StatefulSet", "spec.template.spec.containers.volumeMounts", true, "mountPath", true, false},
    {"DaemonSet", "spec.template.spec.containers.volumeDevices", true, "devicePath", true, false},
    {"ReplicaSet", "spec.template.spec.imagePullSecrets", true, "name", true, false},
    {"Job", "spec.template.spec.hostAliases", true, "ip", true, false},
    {"CronJob", "spec.jobTemplate.spec.template.spec.ephemeralContainers", true, "name", true,
     false},
    {"Pod", "spec.containers", true, "name", true, false},
    {"Pod", "spec.topologySpreadConstraints", true, "topologyKey", true, false},
    {"Pod", "spec.resourceClaims", true, "name", true, true},
    {"Pod", "spec.schedulingGates", true, "name", true, false},
    {"Pod", "spec.containers.envFrom", false, NULL, false, false},
    {"Pod", "status.podIPs", true, "ip", true, false},
    {"Pod", "status.conditions", true, "type", true, false},
    {"Pod", "spec.template.spec.containers", false, NULL, false, false},
    {"Service", "spec.ports", true, "port", true, false},
    {"Node", "status.addresses", true, "type", true, false},
    {"Node", "spec.podCIDRs", true, NULL, true, false},
    {"ConfigMap", "metadata.finalizers", true, NULL, true, false},
    {"ConfigMap", "metadata.ownerReferences", true, "uid", true, false},
    {"ConfigMap", "metadata.managedFields", false, NULL, false, false},
    {NULL, "metadata.finalizers", true, NULL, true, false},
    {NULL, "spec.containers", false, NULL, false, false},
};

static void test_builtin_strategy(void **state)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(strategy_cases); i++) {
        const struct scase *c = &strategy_cases[i];
        char buf[256];
        const char *path[16];
        size_t depth = 0;
        snprintf(buf, sizeof(buf), "%s", c->path);
        for (char *t = strtok(buf, "."); t; t = strtok(NULL, "."))
            path[depth++] = t;
        struct fl_patch_list_strategy st;
        bool known = fl_patch_builtin_strategy(path, depth, &st, (void *)c->kind);
        if (known != c->known)
            fail_msg("%s %s: known %d", c->kind ? c->kind : "-", c->path, known);
        if (!known)
            continue;
        if ((st.merge_key == NULL) != (c->merge_key == NULL) ||
            (st.merge_key && strcmp(st.merge_key, c->merge_key) != 0) || st.merge != c->merge ||
            st.retain_keys != c->retain_keys)
            fail_msg("%s %s: got key %s merge %d retain %d", c->kind ? c->kind : "-", c->path,
                     st.merge_key ? st.merge_key : "-", st.merge, st.retain_keys);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_table),       cmocka_unit_test(test_json_caps),
        cmocka_unit_test(test_merge_table),      cmocka_unit_test(test_merge_depth),
        cmocka_unit_test(test_strategic_table),  cmocka_unit_test(test_strategic_caps),
        cmocka_unit_test(test_builtin_strategy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
