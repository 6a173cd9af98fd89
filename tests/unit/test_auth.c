/*
 * Authentication (api/auth.c): the token file read as kube-apiserver reads
 * its --token-auth-file (Go's encoding/csv), its caps, bearer headers as
 * kube parses them, and the anonymous paths. Client certificates need a TLS
 * connection and are covered by tests/e2e/t0600-https-auth.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/auth.h"

static struct fl_auth *parse_ok(const char *text)
{
    struct fl_auth *a = NULL;
    struct fl_err err = {0};
    if (fl_auth_new_from_buf(text, strlen(text), "t.csv", &a, &err) != 0)
        fail_msg("parse failed: %s", err.message);
    return a;
}

static void parse_bad(const char *text, const char *message)
{
    struct fl_auth *a = NULL;
    struct fl_err err = {0};
    assert_int_equal(fl_auth_new_from_buf(text, strlen(text), "t.csv", &a, &err), FL_EFAIL);
    assert_null(a);
    if (!strstr(err.message, message))
        fail_msg("message '%s' lacks '%s'", err.message, message);
}

/* The user a header authenticates as, or NULL. */
static const char *who(struct fl_auth *a, const char *header)
{
    static struct fl_auth_user u;
    memset(&u, 0, sizeof(u));
    if (fl_auth_request(a, NULL, header, &u) != 0)
        return NULL;
    assert_string_equal(u.method, "token");
    return u.name;
}

static void test_records(void **state)
{
    struct fl_auth *a = parse_ok("tok-a,alice,1001,\"dev,ops\"\n"
                                 "\n"
                                 "  tok-b,bob,1002\r\n"
                                 "\"tok,c\",carol,1003,\"say \"\"hi\"\"\",extra,columns\n"
                                 ",nobody,1004\n"
                                 "\"multi\nline\",dave,1005\n"
                                 "tok-e,eve,1006"); /* no final newline */
    assert_int_equal(fl_auth_ntokens(a), 5);
    assert_string_equal(who(a, "Bearer tok-a"), "alice");
    assert_string_equal(who(a, "Bearer tok-b"), "bob"); /* leading blanks trimmed, \r\n */
    assert_string_equal(who(a, "Bearer tok,c"), "carol");
    assert_string_equal(who(a, "Bearer multi\nline"), "dave");
    assert_string_equal(who(a, "Bearer tok-e"), "eve");
    assert_null(who(a, "Bearer  tok-b"));
    assert_null(who(a, "Bearer \"tok,c\""));
    fl_auth_free(a);
}

static void test_duplicates_last_wins(void **state)
{
    struct fl_auth *a = parse_ok("same,first,1\nsame,second,2\n");
    assert_string_equal(who(a, "Bearer same"), "second");
    fl_auth_free(a);
}

static void test_bad_files(void **state)
{
    parse_bad("tok,user\n", "line 1: want at least 3 columns");
    parse_bad("a,b,c\n\nonly-one\n", "line 3: want at least 3 columns");
    parse_bad("a,b,c\nx\"y,b,c\n", "line 2: bare \" in non-quoted-field");
    parse_bad("\"unterminated,b,c\n", "extraneous or missing \" in quoted-field");
    parse_bad("\"a\"x,b,c\n", "extraneous or missing \" in quoted-field");
    parse_bad("   \n", "line 1: want at least 3 columns"); /* as Go: not an empty line */
}

static void test_empty_file(void **state)
{
    struct fl_auth *a = parse_ok("");
    assert_int_equal(fl_auth_ntokens(a), 0);
    assert_null(who(a, "Bearer "));
    assert_null(who(a, "Bearer x"));
    fl_auth_free(a);
}

static void test_caps(void **state)
{
    size_t len = FL_AUTH_FILE_MAX + 1;
    char *big = malloc(len);
    memset(big, 'a', len);
    struct fl_auth *a = NULL;
    struct fl_err err = {0};
    assert_int_equal(fl_auth_new_from_buf(big, len, "big", &a, &err), FL_EFAIL);
    assert_non_null(strstr(err.message, "larger than"));
    free(big);

    size_t n = FL_AUTH_TOKENS_MAX + 1, off = 0;
    char *many = malloc(n * 32);
    for (size_t i = 0; i < n; i++)
        off += (size_t)sprintf(many + off, "t%zu,u,1\n", i);
    assert_int_equal(fl_auth_new_from_buf(many, off, "many", &a, &err), FL_EFAIL);
    assert_non_null(strstr(err.message, "more than"));
    /* One fewer is fine. */
    off = 0;
    for (size_t i = 0; i < n - 1; i++)
        off += (size_t)sprintf(many + off, "t%zu,u%zu,1\n", i, i);
    assert_int_equal(fl_auth_new_from_buf(many, off, "many", &a, &err), 0);
    assert_string_equal(who(a, "Bearer t9999"), "u9999");
    fl_auth_free(a);
    free(many);
}

static void test_bearer_header(void **state)
{
    struct fl_auth *a = parse_ok("s3cret,admin,1\n");
    assert_string_equal(who(a, "Bearer s3cret"), "admin");
    assert_string_equal(who(a, "bearer s3cret"), "admin");
    assert_string_equal(who(a, "BEARER s3cret"), "admin");
    assert_string_equal(who(a, "  Bearer s3cret \t"), "admin");
    assert_string_equal(who(a, "Bearer s3cret more"), "admin"); /* kube: SplitN(" ", 3)[1] */
    assert_null(who(a, NULL));
    assert_null(who(a, ""));
    assert_null(who(a, "Bearer"));
    assert_null(who(a, "Bearer "));
    assert_null(who(a, "Bearer  s3cret"));
    assert_null(who(a, "Bearer\ts3cret"));
    assert_null(who(a, "Bearer s3cre"));
    assert_null(who(a, "Bearer s3cret1"));
    assert_null(who(a, "Bearer S3CRET"));
    assert_null(who(a, "Basic s3cret"));
    assert_null(who(a, "Bearers s3cret"));
    assert_null(who(a, "s3cret"));
    fl_auth_free(a);
}

static void test_token_file(void **state)
{
    char path[] = "/tmp/flotilla-auth-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "file-token,fileuser,1\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct fl_auth *a = NULL;
    struct fl_err err = {0};
    assert_int_equal(fl_auth_new(path, &a, &err), 0);
    assert_string_equal(who(a, "Bearer file-token"), "fileuser");
    fl_auth_free(a);
    unlink(path);
    assert_int_equal(fl_auth_new(path, &a, &err), FL_EFAIL);
    assert_non_null(strstr(err.message, "No such file"));
    assert_int_equal(fl_auth_new("/tmp", &a, &err), FL_EFAIL);

    assert_int_equal(fl_auth_new(NULL, &a, &err), 0); /* certificates only */
    assert_int_equal(fl_auth_ntokens(a), 0);
    assert_null(who(a, "Bearer file-token"));
    fl_auth_free(a);
}

static void test_anonymous_paths(void **state)
{
    const char *open[] = {"/healthz", "/livez", "/readyz", "/version", "/version/", "/healthz/"};
    const char *closed[] = {NULL,
                            "",
                            "/",
                            "/api",
                            "/healthzz",
                            "/versions",
                            "/healthz//",
                            "/healthz/../api",
                            "/healthz/ping",
                            "//healthz",
                            "/api/v1/namespaces",
                            "/VERSION"};
    for (size_t i = 0; i < FL_ARRAY_LEN(open); i++)
        assert_true(fl_auth_anonymous_path(open[i]));
    for (size_t i = 0; i < FL_ARRAY_LEN(closed); i++)
        if (fl_auth_anonymous_path(closed[i]))
            fail_msg("%s is open", closed[i] ? closed[i] : "NULL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),    cmocka_unit_test(test_duplicates_last_wins),
        cmocka_unit_test(test_bad_files),  cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_caps),       cmocka_unit_test(test_bearer_header),
        cmocka_unit_test(test_token_file), cmocka_unit_test(test_anonymous_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
