/*
 * Unit tests for core/fields: a table of selectors with the expected parse
 * verdict (upstream wording), the value fl_fieldsel_exact pins for
 * metadata.name, match verdicts against a fixed object, path checking and
 * the caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fields.h"

struct parse_case {
    const char *sel;
    const char *msg;   /* NULL: parses; else the exact error message */
    const char *exact; /* what fl_fieldsel_exact gives for metadata.name */
};

static const struct parse_case parse_cases[] = {
    {"", NULL, NULL},
    {",", NULL, NULL},
    {",,,", NULL, NULL},
    {"metadata.name=foo", NULL, "foo"},
    {"metadata.name==foo", NULL, "foo"},
    {"metadata.name!=foo", NULL, NULL},
    {"metadata.name=", NULL, ""},
    {"metadata.name=foo,,metadata.namespace=bar", NULL, "foo"},
    {"metadata.namespace=bar,metadata.name=foo", NULL, "foo"},
    /* Several pins: the first in sorted order, as upstream. */
    {"metadata.name=b,metadata.name=a", NULL, "a"},
    {"metadata.name!=a,metadata.name=b", NULL, "b"},
    {"metadata.name=a\\,b", NULL, "a,b"},
    {"metadata.name=a\\=b", NULL, "a=b"},
    {"metadata.name=a\\\\b", NULL, "a\\b"},
    {"metadata.name=a\\!b", NULL, "a!b"},
    {"metadata.name=a!b", NULL, "a!b"},
    {"metadata.name=a b", NULL, "a b"},
    {"metadata.name=\\,\\,", NULL, ",,"},
    {"metadata.name==", NULL, ""},
    {"metadata.name = foo", NULL, NULL}, /* path "metadata.name ": kept literally */
    {"=a", NULL, NULL},
    {"a", "invalid selector: 'a'; can't understand 'a'", NULL},
    {"metadata.name=a,b", "invalid selector: 'metadata.name=a,b'; can't understand 'b'", NULL},
    {"z,a", "invalid selector: 'z,a'; can't understand 'a'", NULL}, /* sorted first */
    {"a!b", "invalid selector: 'a!b'; can't understand 'a!b'", NULL},
    {"a\\=b", NULL, NULL}, /* path "a\", value "b" */
    {"x=a\\nb", "invalid field selector: invalid escape sequence: \\n", NULL},
    {"x=a\\", "invalid field selector: invalid escape sequence: \\", NULL},
    {"x=\\\xff", "invalid field selector: invalid escape sequence: \\\\xff", NULL},
    {"x=a=b", "invalid field selector: unescaped character in value: '='", NULL},
    {"x===a", "invalid field selector: unescaped character in value: '='", NULL},
    {"x!==a", "invalid field selector: unescaped character in value: '='", NULL},
    {"\x01", "invalid selector: '\\x01'; can't understand '\\x01'", NULL},
};

static void test_parse_table(void **state)
{
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct fl_fieldsel *sel = (void *)1;
        struct fl_err err = {0};
        int rc = fl_fieldsel_parse(c->sel, &sel, &err);
        if (!c->msg) {
            if (rc != 0)
                fail_msg("case %zu \"%s\": unexpected error: %s", i, c->sel, err.message);
            const char *exact = fl_fieldsel_exact(sel, "metadata.name");
            if (c->exact ? !exact || strcmp(exact, c->exact) != 0 : exact != NULL)
                fail_msg("case %zu \"%s\": exact \"%s\", want \"%s\"", i, c->sel,
                         exact ? exact : "(null)", c->exact ? c->exact : "(null)");
            fl_fieldsel_free(sel);
            continue;
        }
        if (rc == 0)
            fail_msg("case %zu \"%s\": parsed, want error \"%s\"", i, c->sel, c->msg);
        assert_int_equal(rc, FL_EFAIL);
        assert_null(sel);
        assert_int_equal(err.code, 400);
        assert_string_equal(err.reason, "BadRequest");
        if (strcmp(err.message, c->msg) != 0)
            fail_msg("case %zu \"%s\":\n got  %s\n want %s", i, c->sel, err.message, c->msg);
    }
}

/* The object being matched: a few fields, the rest absent. */
static const char *get_field(const char *path, void *ctx)
{
    static const char *const fields[][2] = {
        {"metadata.name", "web-1"},
        {"metadata.namespace", "prod"},
        {"status.phase", "Running"},
        {"spec.weird", "a,b=c\\d"},
    };
    (*(int *)ctx)++;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (strcmp(path, fields[i][0]) == 0)
            return fields[i][1];
    return NULL;
}

struct match_case {
    const char *sel;
    bool want;
};

static const struct match_case match_cases[] = {
    {"", true},
    {"metadata.name=web-1", true},
    {"metadata.name==web-1", true},
    {"metadata.name=web-2", false},
    {"metadata.name!=web-2", true},
    {"metadata.name!=web-1", false},
    {"metadata.name=web-1,metadata.namespace=prod", true},
    {"metadata.name=web-1,metadata.namespace=dev", false},
    {"status.phase!=Running", false},
    {"status.phase!=Pending,status.phase!=Failed", true},
    {"spec.nodeName=", true}, /* absent is "" */
    {"spec.nodeName!=", false},
    {"spec.nodeName=x", false},
    {"spec.nodeName!=x", true},
    {"spec.weird=a\\,b\\=c\\\\d", true},
    {"spec.weird=a\\,b\\=c\\d", false}, /* parse error, see below */
};

static void test_match_table(void **state)
{
    for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
        const struct match_case *c = &match_cases[i];
        struct fl_fieldsel *sel = NULL;
        struct fl_err err = {0};
        if (fl_fieldsel_parse(c->sel, &sel, &err) != 0) {
            assert_false(c->want);
            continue;
        }
        int calls = 0;
        bool got = fl_fieldsel_match(sel, get_field, &calls);
        if (got != c->want)
            fail_msg("case %zu \"%s\": got %d", i, c->sel, got);
        assert_int_equal(fl_fieldsel_empty(sel), c->sel[0] == '\0');
        fl_fieldsel_free(sel);
    }
}

static void test_check(void **state)
{
    static const char *const allowed[] = {"metadata.name", "metadata.namespace", NULL};
    struct fl_fieldsel *sel = NULL;
    struct fl_err err = {0};

    assert_int_equal(fl_fieldsel_parse("metadata.namespace=a,metadata.name!=b", &sel, &err), 0);
    assert_int_equal(fl_fieldsel_check(sel, allowed, &err), 0);
    fl_fieldsel_free(sel);

    assert_int_equal(fl_fieldsel_parse("metadata.name=a,spec.nodeName=b", &sel, &err), 0);
    assert_int_equal(fl_fieldsel_check(sel, allowed, &err), FL_EFAIL);
    assert_int_equal(err.code, 400);
    assert_string_equal(err.reason, "BadRequest");
    assert_string_equal(err.message, "field label not supported: spec.nodeName");
    fl_fieldsel_free(sel);

    assert_int_equal(fl_fieldsel_parse("=a", &sel, &err), 0);
    assert_int_equal(fl_fieldsel_check(sel, allowed, &err), FL_EFAIL);
    assert_string_equal(err.message, "field label not supported: ");
    fl_fieldsel_free(sel);

    /* No allowed list: only the empty selector passes. */
    assert_int_equal(fl_fieldsel_parse("a=b", &sel, &err), 0);
    assert_int_equal(fl_fieldsel_check(sel, NULL, &err), FL_EFAIL);
    fl_fieldsel_free(sel);
    assert_int_equal(fl_fieldsel_parse(NULL, &sel, &err), 0);
    assert_true(fl_fieldsel_empty(sel));
    assert_int_equal(fl_fieldsel_check(sel, NULL, &err), 0);
    assert_null(fl_fieldsel_exact(sel, "metadata.name"));
    fl_fieldsel_free(sel);
    fl_fieldsel_free(NULL);
}

static void expect_parse(const char *text, const char *msg)
{
    struct fl_fieldsel *sel = NULL;
    struct fl_err err = {0};
    int rc = fl_fieldsel_parse(text, &sel, &err);
    if (!msg) {
        if (rc != 0)
            fail_msg("unexpected error: %s", err.message);
        fl_fieldsel_free(sel);
        return;
    }
    assert_int_equal(rc, FL_EFAIL);
    assert_null(sel);
    assert_int_equal(err.code, 400);
    if (!strstr(err.message, msg))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, msg);
}

static void test_caps(void **state)
{
    char buf[FL_FIELDSEL_MAX_LEN + 2];
    size_t o = 0;
    for (int i = 0; i < FL_FIELDSEL_MAX_REQS; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%sf%d=v", i ? "," : "", i);
    expect_parse(buf, NULL);
    snprintf(buf + o, sizeof(buf) - o, ",x=y");
    expect_parse(buf, "too many terms in field selector: 33 (max 32)");

    /* Empty terms are free. */
    memset(buf, ',', FL_FIELDSEL_MAX_LEN);
    memcpy(buf, "a=b", 3);
    buf[FL_FIELDSEL_MAX_LEN] = '\0';
    expect_parse(buf, NULL);
    buf[FL_FIELDSEL_MAX_LEN] = ',';
    buf[FL_FIELDSEL_MAX_LEN + 1] = '\0';
    expect_parse(buf, "field selector too long: 8193 bytes (max 8192)");

    /* Long user text is cut in messages. */
    memset(buf, 'x', 1000);
    buf[1000] = '\0';
    expect_parse(buf, "...'; can't understand 'xxx");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_match_table),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
