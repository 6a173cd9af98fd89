/*
 * Unit tests for core/names: tables of valid and invalid names for each
 * check, with the upstream message (or a distinctive part of it) expected
 * for the invalid ones, plus the message buffer's truncation contract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/names.h"

typedef bool (*check_fn)(const char *, char *, size_t);

struct name_case {
    const char *input;
    bool ok;
    const char *msg; /* substring expected in the message when !ok */
};

#define LABEL_RE "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_RE "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

static const char s63[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char s64[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static void run_cases(check_fn fn, const struct name_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char msg[1024];
        memset(msg, 'X', sizeof(msg));
        bool ok = fn(cases[i].input, msg, sizeof(msg));
        if (ok != cases[i].ok)
            fail_msg("case %zu \"%s\": got %d, want %d (%s)", i, cases[i].input, ok, cases[i].ok,
                     msg);
        if (!ok && cases[i].msg && !strstr(msg, cases[i].msg))
            fail_msg("case %zu \"%s\": message \"%s\" lacks \"%s\"", i, cases[i].input, msg,
                     cases[i].msg);
    }
}

static void test_dns1123_label(void **state)
{
    static const struct name_case cases[] = {
        {"a", true, NULL},
        {"my-name", true, NULL},
        {"123-abc", true, NULL},
        {"0", true, NULL},
        {s63, true, NULL},
        {"", false,
         "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
         "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
         "'123-abc', " LABEL_RE},
        {"-a", false, "RFC 1123 label"},
        {"a-", false, "RFC 1123 label"},
        {"A", false, "RFC 1123 label"},
        {"a_b", false, "RFC 1123 label"},
        {"a.b", false, "must not contain dots"},
        {s64, false, "must be no more than 63 characters"},
        {"a b", false, "RFC 1123 label"},
        {"\xc3\xa9", false, "RFC 1123 label"},
    };
    run_cases(fl_name_dns1123_label, cases, sizeof(cases) / sizeof(cases[0]));

    char msg[256];
    assert_false(fl_name_dns1123_label(NULL, msg, sizeof(msg)));
}

static void test_dns1123_subdomain(void **state)
{
    char long_ok[254], long_bad[255];
    /* 63 + '.' + 63 + '.' + 63 + '.' + 61 = 253 */
    snprintf(long_ok, sizeof(long_ok), "%s.%s.%s.%.61s", s63, s63, s63, s63);
    snprintf(long_bad, sizeof(long_bad), "%s.%s.%s.%.62s", s63, s63, s63, s63);
    assert_int_equal(strlen(long_ok), 253);
    assert_int_equal(strlen(long_bad), 254);
    const struct name_case cases[] = {
        {"example.com", true, NULL},
        {"a", true, NULL},
        {"a.b-c.d", true, NULL},
        {s64, true, NULL}, /* labels inside a subdomain are not length-checked */
        {long_ok, true, NULL},
        {long_bad, false, "must be no more than 253 characters"},
        {"", false,
         "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
         "'-' or '.', and must start and end with an alphanumeric character (e.g. "
         "'example.com', regex used for validation is "
         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"},
        {".a", false, "RFC 1123 subdomain"},
        {"a.", false, "RFC 1123 subdomain"},
        {"a..b", false, "RFC 1123 subdomain"},
        {"a.-b", false, "RFC 1123 subdomain"},
        {"a-.b", false, "RFC 1123 subdomain"},
        {"Example.com", false, "RFC 1123 subdomain"},
        {"a_b", false, "RFC 1123 subdomain"},
    };
    run_cases(fl_name_dns1123_subdomain, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_label_key(void **state)
{
    char long_name[80], long_prefix[300];
    snprintf(long_name, sizeof(long_name), "example.com/%s", s64);
    snprintf(long_prefix, sizeof(long_prefix), "%s.%s.%s.%s/x", s63, s63, s63, s63);
    const struct name_case cases[] = {
        {"a", true, NULL},
        {"MyName", true, NULL},
        {"my.name", true, NULL},
        {"123-abc", true, NULL},
        {"a_b", true, NULL},
        {"example.com/MyName", true, NULL},
        {"kubernetes.io/metadata.name", true, NULL},
        {s63, true, NULL},
        {"", false, "name part must be non-empty; name part must consist of"},
        {"-a", false,
         "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
         "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
         "'123-abc', " QNAME_RE},
        {"a-", false, "name part must consist"},
        {"a b", false, "name part must consist"},
        {s64, false, "name part must be no more than 63 characters"},
        {long_name, false, "name part must be no more than 63 characters"},
        {"/a", false, "prefix part must be non-empty"},
        {"a/", false, "name part must be non-empty"},
        {"Example.com/a", false, "prefix part a lowercase RFC 1123 subdomain must consist"},
        {long_prefix, false, "prefix part must be no more than 253 characters"},
        {"a/b/c", false,
         "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
         "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
         "'123-abc', " QNAME_RE " with an optional DNS subdomain prefix and '/' (e.g. "
         "'example.com/MyName')"},
    };
    run_cases(fl_name_label_key, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_label_value(void **state)
{
    const struct name_case cases[] = {
        {"", true, NULL},
        {"MyValue", true, NULL},
        {"my_value", true, NULL},
        {"12345", true, NULL},
        {"a.b-c_d", true, NULL},
        {s63, true, NULL},
        {s64, false, "must be no more than 63 characters"},
        {"-a", false,
         "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
         "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
         "'my_value',  or '12345', regex used for validation is "
         "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
        {"a/b", false, "a valid label"},
        {"a b", false, "a valid label"},
        {"_", false, "a valid label"},
    };
    run_cases(fl_name_label_value, cases, sizeof(cases) / sizeof(cases[0]));

    /* Both errors, joined as upstream joins them. */
    char msg[512], bad[70];
    snprintf(bad, sizeof(bad), "%s-", s64);
    assert_false(fl_name_label_value(bad, msg, sizeof(msg)));
    assert_non_null(strstr(msg, "must be no more than 63 characters; a valid label"));
}

static void test_msg_buffer(void **state)
{
    /* NULL or empty buffer: only the verdict. */
    assert_false(fl_name_label_key("a/b/c", NULL, 0));
    char one[1] = {'X'};
    assert_false(fl_name_label_key("a/b/c", one, 0));
    assert_int_equal(one[0], 'X');
    assert_false(fl_name_label_key("a/b/c", one, 1));
    assert_int_equal(one[0], '\0');

    /* Small buffer: truncated, NUL-terminated, nothing written past it. */
    char small[16 + 4];
    memset(small, 'Z', sizeof(small));
    assert_false(fl_name_label_key("", small, 16));
    assert_int_equal(strlen(small), 15);
    assert_memory_equal(small, "name part must ", 15);
    for (size_t i = 16; i < sizeof(small); i++)
        assert_int_equal(small[i], 'Z');

    /* Valid input leaves an empty message. */
    char msg[64] = "junk";
    assert_true(fl_name_label_key("ok", msg, sizeof(msg)));
    assert_string_equal(msg, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns1123_label), cmocka_unit_test(test_dns1123_subdomain),
        cmocka_unit_test(test_label_key),     cmocka_unit_test(test_label_value),
        cmocka_unit_test(test_msg_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
