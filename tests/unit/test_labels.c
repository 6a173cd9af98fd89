/*
 * Unit tests for core/labels: a table of selectors with the expected parse
 * verdict and message (upstream wording), a table of selector x label set
 * match verdicts, and the caps on length, requirements and values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/labels.h"

struct parse_case {
    const char *sel;
    const char *msg; /* NULL: parses; else the exact error message */
};

static const struct parse_case parse_cases[] = {
    {"", NULL},
    {"   ", NULL},
    {"x", NULL},
    {"!x", NULL},
    {"x=a", NULL},
    {"x==a", NULL},
    {"x!=a", NULL},
    {"x=", NULL},
    {"x=,y", NULL},
    {"x in (a,b)", NULL},
    {"x notin (a,b)", NULL},
    {"x in ()", NULL},
    {"x in (,a)", NULL},
    {"x in (a,,b,)", NULL},
    {"x in(a)", NULL},
    {" x\t=\na ,\r y ", NULL},
    {"in in (in,notin)", NULL},
    {"notin", NULL},
    {"!in", NULL},
    {"x=in", NULL},
    {"x>1", NULL},
    {"x<10", NULL},
    {"example.com/a=b,kubernetes.io/c notin (d)", NULL},
    {"a=b,c!=d,e in (f),!g,h", NULL},
    {"=a", "found '=', expected: !, identifier, or 'end of string'"},
    {",", "found ',', expected: !, identifier, or 'end of string'"},
    {"(", "found '(', expected: !, identifier, or 'end of string'"},
    {"a,", "found '', expected: identifier after ','"},
    {"a,,b", "found ',', expected: identifier after ','"},
    {"x=a,=b", "found '=', expected: identifier after ','"},
    {"x=a=b", "found '=', expected: ',' or 'end of string'"},
    {"x=a b", "found 'b', expected: ',' or 'end of string'"},
    {"!x=a", "found '=', expected: ',' or 'end of string'"},
    {"!x in (a)", "found 'in', expected: ',' or 'end of string'"},
    {"x in (a) y", "found 'y', expected: ',' or 'end of string'"},
    {"!", "unable to parse requirement: found '', expected: identifier"},
    {"!!x", "unable to parse requirement: found '!', expected: identifier"},
    {"!=x", "found '!=', expected: !, identifier, or 'end of string'"},
    {"x y", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"},
    {"x!a", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"},
    {"x (a)", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"},
    {"x=(", "unable to parse requirement: found '(', expected: identifier"},
    {"x===a", "unable to parse requirement: found '=', expected: identifier"},
    {"x>=1", "unable to parse requirement: found '=', expected: identifier"},
    {"x in a", "unable to parse requirement: found 'a', expected: '('"},
    {"x in", "unable to parse requirement: found '', expected: '('"},
    {"x in (a", "unable to parse requirement: found '', expected: ',' or ')'"},
    {"x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"},
    {"x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"},
    {"x in (", "unable to parse requirement: found '', expected: ',', ')' or identifier"},
    {"x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"},
    {"x in (,", "unable to parse requirement: found '', expected: ',', or identifier"},
    {"x>a", "unable to parse requirement: invalid value \"a\" for key \"x\": for 'Gt', 'Lt' "
            "operators, the value must be an integer"},
    {"x<99999999999999999999",
     "unable to parse requirement: invalid value \"99999999999999999999\" for key \"x\": for "
     "'Gt', 'Lt' operators, the value must be an integer"},
    {"x>", "unable to parse requirement: invalid value \"\" for key \"x\": for 'Gt', 'Lt' "
           "operators, the value must be an integer"},
    {"-x=a",
     "unable to parse requirement: invalid label key \"-x\": name part must consist of "
     "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
     "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
     "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
    {"/x", "unable to parse requirement: invalid label key \"/x\": prefix part must be "
           "non-empty"},
    {"\xff\x01=a", "unable to parse requirement: invalid label key \"\\xff\\x01\": name part "
                   "must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                   "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                   "'123-abc', regex used for validation is "
                   "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
    {"x=-a",
     "unable to parse requirement: invalid label value \"-a\" for key \"x\": a valid label must "
     "be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
     "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "
     "used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
    {"x in (a,b_)", "unable to parse requirement: invalid label value \"b_\" for key \"x\": a "
                    "valid label must be an empty string or consist of alphanumeric characters, "
                    "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                    "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
    /* Syntax errors win over value errors in the same requirement, as upstream. */
    {"x in (-a", "unable to parse requirement: found '', expected: ',' or ')'"},
};

static void test_parse_table(void **state)
{
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct fl_labelsel *sel = (void *)1;
        struct fl_err err = {0};
        int rc = fl_labelsel_parse(c->sel, &sel, &err);
        if (!c->msg) {
            if (rc != 0)
                fail_msg("case %zu \"%s\": unexpected error: %s", i, c->sel, err.message);
            assert_non_null(sel);
            fl_labelsel_free(sel);
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

struct match_case {
    const char *sel;
    const char *labels; /* JSON; NULL for no labels object at all */
    bool want;
};

static const struct match_case match_cases[] = {
    {"", NULL, true},
    {"", "{}", true},
    {"", "{\"a\":\"b\"}", true},
    {"x", "{\"x\":\"\"}", true},
    {"x", "{\"y\":\"1\"}", false},
    {"x", NULL, false},
    {"!x", NULL, true},
    {"!x", "{\"x\":\"1\"}", false},
    {"!x", "{\"y\":\"1\"}", true},
    {"x=a", "{\"x\":\"a\"}", true},
    {"x==a", "{\"x\":\"a\"}", true},
    {"x=a", "{\"x\":\"b\"}", false},
    {"x=a", "{}", false},
    {"x=", "{\"x\":\"\"}", true},
    {"x=", "{}", false},
    {"x!=a", "{\"x\":\"a\"}", false},
    {"x!=a", "{\"x\":\"b\"}", true},
    {"x!=a", "{}", true},
    {"x!=a", NULL, true},
    {"x in (a,b)", "{\"x\":\"b\"}", true},
    {"x in (a,b)", "{\"x\":\"c\"}", false},
    {"x in (a,b)", "{}", false},
    {"x notin (a,b)", "{\"x\":\"a\"}", false},
    {"x notin (a,b)", "{\"x\":\"c\"}", true},
    {"x notin (a,b)", "{}", true},
    {"x in ()", "{\"x\":\"\"}", true},
    {"x in ()", "{\"x\":\"a\"}", false},
    {"x in (a,)", "{\"x\":\"\"}", true},
    {"x notin ()", "{\"x\":\"\"}", false},
    {"in in (in)", "{\"in\":\"in\"}", true},
    {"x>5", "{\"x\":\"6\"}", true},
    {"x>5", "{\"x\":\"5\"}", false},
    {"x>5", "{\"x\":\"+6\"}", true},
    {"x>5", "{\"x\":\"-6\"}", false},
    {"x<5", "{\"x\":\"-6\"}", true},
    {"x<5", "{\"x\":\"abc\"}", false},
    {"x<5", "{\"x\":\" 4\"}", false},
    {"x<5", "{}", false},
    {"x>5", "{\"x\":\"99999999999999999999\"}", false},
    {"a=1,b=2", "{\"a\":\"1\",\"b\":\"2\"}", true},
    {"a=1,b=2", "{\"a\":\"1\",\"b\":\"3\"}", false},
    {"a=1,!c", "{\"a\":\"1\",\"c\":\"\"}", false},
    {"example.com/a=b", "{\"example.com/a\":\"b\"}", true},
    /* Non-string values: present, equal to nothing. */
    {"x", "{\"x\":1}", true},
    {"x=1", "{\"x\":1}", false},
    {"x!=1", "{\"x\":1}", true},
    {"x>0", "{\"x\":1}", false},
    /* A non-object counts as no labels. */
    {"x!=a", "[\"x\"]", true},
    {"x", "\"x\"", false},
};

static void test_match_table(void **state)
{
    for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
        const struct match_case *c = &match_cases[i];
        struct fl_labelsel *sel = NULL;
        struct fl_err err = {0};
        if (fl_labelsel_parse(c->sel, &sel, &err) != 0)
            fail_msg("case %zu \"%s\": %s", i, c->sel, err.message);
        json_t *labels = NULL;
        if (c->labels) {
            labels = json_loads(c->labels, JSON_DECODE_ANY, NULL);
            assert_non_null(labels);
        }
        bool got = fl_labelsel_match(sel, labels);
        if (got != c->want)
            fail_msg("case %zu \"%s\" vs %s: got %d", i, c->sel, c->labels ? c->labels : "NULL",
                     got);
        json_decref(labels);
        fl_labelsel_free(sel);
    }
}

static void test_empty(void **state)
{
    struct fl_labelsel *sel = NULL;
    struct fl_err err = {0};
    assert_int_equal(fl_labelsel_parse(NULL, &sel, &err), 0);
    assert_true(fl_labelsel_empty(sel));
    assert_true(fl_labelsel_match(sel, NULL));
    fl_labelsel_free(sel);

    assert_int_equal(fl_labelsel_parse(" \t", &sel, &err), 0);
    assert_true(fl_labelsel_empty(sel));
    fl_labelsel_free(sel);

    assert_int_equal(fl_labelsel_parse("a", &sel, &err), 0);
    assert_false(fl_labelsel_empty(sel));
    fl_labelsel_free(sel);

    fl_labelsel_free(NULL);
}

/* Builds "<prefix><item><sep><item>...<suffix>" with n numbered items. */
static char *build_list(const char *prefix, const char *fmt, const char *sep, int n,
                        const char *suffix)
{
    size_t cap = strlen(prefix) + strlen(suffix) + (size_t)n * 32 + 1;
    char *s = malloc(cap);
    size_t o = (size_t)snprintf(s, cap, "%s", prefix);
    for (int i = 0; i < n; i++) {
        o += (size_t)snprintf(s + o, cap - o, "%s", i ? sep : "");
        o += (size_t)snprintf(s + o, cap - o, fmt, i);
    }
    snprintf(s + o, cap - o, "%s", suffix);
    return s;
}

static void expect_parse(const char *text, const char *msg_part)
{
    struct fl_labelsel *sel = NULL;
    struct fl_err err = {0};
    int rc = fl_labelsel_parse(text, &sel, &err);
    if (!msg_part) {
        if (rc != 0)
            fail_msg("unexpected error: %s", err.message);
        fl_labelsel_free(sel);
        return;
    }
    assert_int_equal(rc, FL_EFAIL);
    assert_null(sel);
    assert_int_equal(err.code, 400);
    if (!strstr(err.message, msg_part))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, msg_part);
}

static void test_caps(void **state)
{
    char *s = build_list("", "k%d", ",", FL_LABELSEL_MAX_REQS, "");
    expect_parse(s, NULL);
    free(s);
    s = build_list("", "k%d", ",", FL_LABELSEL_MAX_REQS + 1, "");
    expect_parse(s, "too many requirements in label selector (max 64)");
    free(s);

    s = build_list("x in (", "v%d", ",", FL_LABELSEL_MAX_VALUES, ")");
    expect_parse(s, NULL);
    free(s);
    s = build_list("x in (", "v%d", ",", FL_LABELSEL_MAX_VALUES + 1, ")");
    expect_parse(s, "too many values for key \"x\" (max 256)");
    free(s);
    /* Duplicates count once. */
    s = build_list("x in (", "dup", ",", FL_LABELSEL_MAX_VALUES * 4, ")");
    expect_parse(s, NULL);
    free(s);

    s = malloc(FL_LABELSEL_MAX_LEN + 2);
    memset(s, ' ', FL_LABELSEL_MAX_LEN);
    s[0] = 'a';
    s[FL_LABELSEL_MAX_LEN] = '\0';
    expect_parse(s, NULL);
    s[FL_LABELSEL_MAX_LEN] = ' ';
    s[FL_LABELSEL_MAX_LEN + 1] = '\0';
    expect_parse(s, "label selector too long: 8193 bytes (max 8192)");
    free(s);

    /* Long user text is cut in messages, and the message stays bounded. */
    s = build_list("", "%d", "", 400, "=a");
    expect_parse(s, "...\": name part must be no more than 63 characters");
    free(s);
}

static void test_null_err(void **state)
{
    struct fl_labelsel *sel = (void *)1;
    assert_int_equal(fl_labelsel_parse("x in (", &sel, NULL), FL_EFAIL);
    assert_null(sel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table), cmocka_unit_test(test_match_table),
        cmocka_unit_test(test_empty),       cmocka_unit_test(test_caps),
        cmocka_unit_test(test_null_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
