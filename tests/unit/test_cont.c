/*
 * Unit tests for store/cont: continue tokens round-trip (every length
 * residue, odd characters in the key), and every malformed token is a 400
 * with the upstream "continue key is not valid" wording: bad length, bad
 * base64url, not JSON, wrong members, rv <= 0. Hand-made tokens come from a
 * base64url encoder written here, independent of the one under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/cont.h"

/* Unpadded base64url of n bytes; caller frees. */
static char *b64url(const char *raw, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(4 * (n / 3 + 1) + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)raw[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)raw[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)raw[i + 2];
        out[o++] = abc[(v >> 18) & 63];
        out[o++] = abc[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = abc[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = abc[v & 63];
    }
    out[o] = '\0';
    return out;
}

static void expect_ok(const char *token, uint64_t want_rev, const char *want_start)
{
    uint64_t rev = 0;
    char *start = NULL;
    struct fl_err err = {0};
    if (fl_cont_decode(token, &rev, &start, &err) != 0)
        fail_msg("decode %s: %s", token, err.message);
    assert_int_equal(rev, want_rev);
    assert_non_null(start);
    assert_string_equal(start, want_start);
    free(start);
}

static void expect_bad(const char *token, const char *why)
{
    uint64_t rev = 77;
    char *start = (char *)"untouched";
    struct fl_err err = {0};
    char want[256];
    if (fl_cont_decode(token, &rev, &start, &err) == 0)
        fail_msg("decode %.60s: accepted (rv %llu, start %s)", token, (unsigned long long)rev,
                 start);
    assert_int_equal(err.code, 400);
    assert_string_equal(err.reason, "BadRequest");
    snprintf(want, sizeof(want), "continue key is not valid: %s", why);
    assert_string_equal(err.message, want);
    /* Outputs are left alone on error (nothing allocated to leak). */
    assert_int_equal(rev, 77);
    assert_string_equal(start, "untouched");
}

/* A token made of this raw text. */
static void expect_bad_raw(const char *raw, const char *why)
{
    char *t = b64url(raw, strlen(raw));
    expect_bad(t, why);
    free(t);
}

static void test_roundtrip(void **state)
{
    static const struct {
        uint64_t rev;
        const char *start;
    } cases[] = {
        {1, ""},
        {1, "a"},
        {2, "ab"},
        {3, "abc"},
        {42, "ns/name"},
        {12345678901ULL, "kube-system/coredns-5d78c9869d-abcde"},
        {INT64_MAX, "x"},
        {7, "quote\" backslash\\ slash/ tab\t"},
        {8, "caf\xc3\xa9 \xe2\x82\xac"},
        {9, "/leading/and/trailing/"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *t = fl_cont_encode(cases[i].rev, cases[i].start);
        assert_non_null(t);
        /* URL-safe and unpadded: usable in a query string as is. */
        for (const char *p = t; *p; p++)
            if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p))
                fail_msg("token %s has '%c'", t, *p);
        assert_int_not_equal(strlen(t) % 4, 1);
        expect_ok(t, cases[i].rev, cases[i].start);
        free(t);
    }
    /* Every length residue, and keys long enough to use all of the alphabet. */
    char start[300];
    for (size_t n = 0; n < sizeof(start) - 1; n++) {
        start[n] = (char)(' ' + (n * 7) % 95);
        start[n + 1] = '\0';
        char *t = fl_cont_encode(n + 1, start);
        expect_ok(t, n + 1, start);
        free(t);
    }
    /* The wire form is what kube-apiserver-like clients expect: base64url of
     * {"rv":N,"start":"..."} with no padding. */
    char *t = fl_cont_encode(5, "ns/a");
    char *want = b64url("{\"rv\":5,\"start\":\"ns/a\"}", 23);
    assert_string_equal(t, want);
    free(want);
    free(t);
    /* And hand-made tokens in that form decode, members in any order. */
    t = b64url("{\"start\":\"x/y\",\"rv\":9}", 22);
    expect_ok(t, 9, "x/y");
    free(t);
}

static void test_bad_base64(void **state)
{
    expect_bad("", "bad length");
    expect_bad("a", "not base64url");     /* 6 bits cannot make a byte */
    expect_bad("abcde", "not base64url"); /* same, after a full quantum */
    expect_bad("ab=c", "not base64url");
    expect_bad("e30=", "not base64url"); /* padding is not part of the alphabet */
    expect_bad("ab+/", "not base64url"); /* standard alphabet, not URL-safe */
    expect_bad("ab c", "not base64url");
    expect_bad("abc\n", "not base64url");
    expect_bad("abc$", "not base64url");
    expect_bad("ab%2", "not base64url");
    expect_bad("\xc3\xa9\xc3\xa9", "not base64url");
}

static void test_not_json(void **state)
{
    expect_bad_raw("hello", "not a continue token");
    expect_bad_raw("not json", "not a continue token");
    expect_bad_raw("{", "not a continue token");
    expect_bad_raw("[1,2]", "not a continue token");
    expect_bad_raw("\"str\"", "not a continue token");
    expect_bad_raw("5", "not a continue token");
    expect_bad_raw("{\"rv\":5,\"start\":\"a\"} trailing", "not a continue token");
    expect_bad_raw("{\"rv\":5,\"start\":\"a\"}{}", "not a continue token");
    expect_bad_raw("{\"rv\":1,\"rv\":5,\"start\":\"a\"}", "not a continue token");
    /* An embedded NUL must not cut the JSON short. */
    char *t = b64url("{\"rv\":5,\"start\":\"a\"}\0x", 22);
    expect_bad(t, "not a continue token");
    free(t);
    /* Random bytes. */
    t = b64url("\xff\xfe\x00\x01\x80", 5);
    expect_bad(t, "not a continue token");
    free(t);
}

static void test_bad_members(void **state)
{
    /* rv must be a positive integer. */
    expect_bad_raw("{\"rv\":0,\"start\":\"a\"}", "not a continue token");
    expect_bad_raw("{\"rv\":-5,\"start\":\"a\"}", "not a continue token");
    expect_bad_raw("{\"rv\":-9223372036854775808,\"start\":\"a\"}", "not a continue token");
    expect_bad_raw("{\"rv\":\"5\",\"start\":\"a\"}", "not a continue token");
    expect_bad_raw("{\"rv\":5.0,\"start\":\"a\"}", "not a continue token");
    expect_bad_raw("{\"rv\":null,\"start\":\"a\"}", "not a continue token");
    expect_bad_raw("{\"rv\":true,\"start\":\"a\"}", "not a continue token");
    expect_bad_raw("{\"start\":\"a\"}", "not a continue token");
    /* start must be a string. */
    expect_bad_raw("{\"rv\":5}", "not a continue token");
    expect_bad_raw("{\"rv\":5,\"start\":null}", "not a continue token");
    expect_bad_raw("{\"rv\":5,\"start\":1}", "not a continue token");
    expect_bad_raw("{\"rv\":5,\"start\":[\"a\"]}", "not a continue token");
    expect_bad_raw("{}", "not a continue token");
    /* Extra members are tolerated (upstream tokens carry "v"). */
    char *t = b64url("{\"v\":\"meta.k8s.io/v1\",\"rv\":5,\"start\":\"a\"}", 41);
    expect_ok(t, 5, "a");
    free(t);
}

static void test_length_cap(void **state)
{
    /* The longest accepted token, then one more character. */
    char *raw = malloc(FL_CONT_MAX);
    int n = snprintf(raw, FL_CONT_MAX, "{\"rv\":3,\"start\":\"");
    size_t body = FL_CONT_MAX / 4 * 3 - (size_t)n - 2; /* encodes to exactly FL_CONT_MAX */
    memset(raw + n, 'k', body);
    memcpy(raw + n + body, "\"}", 2);
    char *t = b64url(raw, (size_t)n + body + 2);
    assert_int_equal(strlen(t), FL_CONT_MAX);
    uint64_t rev = 0;
    char *start = NULL;
    struct fl_err err = {0};
    assert_int_equal(fl_cont_decode(t, &rev, &start, &err), 0);
    assert_int_equal(rev, 3);
    assert_int_equal(strlen(start), body);
    free(start);
    free(t);

    raw[n + body] = 'k';
    memcpy(raw + n + body + 1, "\"}", 2);
    t = b64url(raw, (size_t)n + body + 3);
    assert_int_equal(strlen(t), FL_CONT_MAX + 2);
    expect_bad(t, "bad length");
    free(t);
    free(raw);

    /* Cheap rejection of a huge token: length is checked first. */
    char *huge = malloc(1 << 20);
    memset(huge, 'A', (1 << 20) - 1);
    huge[(1 << 20) - 1] = '\0';
    expect_bad(huge, "bad length");
    huge[FL_CONT_MAX + 1] = '\0';
    expect_bad(huge, "bad length");
    free(huge);

    /* A token for a key too long to be accepted back is still produced (the
     * store never makes one: keys are < FL_KEY_MAX), and rejected. */
    char big[FL_CONT_MAX];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    t = fl_cont_encode(1, big);
    assert_true(strlen(t) > FL_CONT_MAX);
    expect_bad(t, "bad length");
    free(t);
}

static void test_null_err(void **state)
{
    uint64_t rev = 0;
    char *start = NULL;
    assert_int_equal(fl_cont_decode("!!", &rev, &start, NULL), FL_EFAIL);
    assert_null(start);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),  cmocka_unit_test(test_bad_base64),
        cmocka_unit_test(test_not_json),   cmocka_unit_test(test_bad_members),
        cmocka_unit_test(test_length_cap), cmocka_unit_test(test_null_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
