/*
 * Store backends: one suite of behaviour tests run against every backend
 * (memory, and SQLite in a fresh mkdtemp directory per test), plus tests of
 * what only one backend has (SQLite's file checks, memory's fault
 * injection). "Restart" means what a store restart does to its backend: for
 * SQLite close without commit and open the directory again; for memory keep
 * the object (its load() starts a new session). Temp dirs are removed in the
 * teardown of each test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/backend.h"

enum kind { MEMORY, SQLITE };

struct fx {
    enum kind kind;
    char dir[64];
    struct fl_backend *b;
};

/* Records read back by load(), copied. */
struct rec {
    char *key;
    size_t keylen;
    char *value;
    size_t vlen;
    uint64_t create_rev, mod_rev;
};

struct recs {
    struct rec *v;
    size_t n, cap;
    size_t stop_after; /* callback returns 7 after this many records (0: never) */
};

static enum kind kind_memory = MEMORY, kind_sqlite = SQLITE;

static void open_backend(struct fx *f)
{
    struct fl_err err = {0};
    if (f->kind == MEMORY) {
        f->b = fl_backend_memory_new();
        return;
    }
    if (fl_backend_sqlite_open(f->dir, &f->b, &err) != 0)
        fail_msg("open %s: %s", f->dir, err.message);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->kind = *(enum kind *)*state;
    if (f->kind == SQLITE) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/fl-test-backend-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
    }
    open_backend(f);
    *state = f;
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    fl_backend_close(f->b);
    if (f->kind == SQLITE)
        rm_rf(f->dir);
    free(f);
    return 0;
}

/* What a store restart does to the backend (see the file comment). */
static void restart(struct fx *f)
{
    if (f->kind == SQLITE) {
        fl_backend_close(f->b);
        f->b = NULL;
        open_backend(f);
    }
}

static void put(struct fx *f, const char *key, size_t keylen, const char *value, size_t vlen,
                uint64_t create_rev, uint64_t mod_rev, uint64_t prev)
{
    struct fl_err err = {0};
    struct fl_kv kv = {key, keylen, value, vlen, create_rev, mod_rev};
    if (fl_backend_put(f->b, &kv, prev, &err) != 0)
        fail_msg("put: %s", err.message);
}

static void puts_(struct fx *f, const char *key, const char *value, uint64_t create_rev,
                  uint64_t mod_rev)
{
    put(f, key, strlen(key), value, strlen(value), create_rev, mod_rev,
        create_rev == mod_rev ? 0 : create_rev);
}

static void del(struct fx *f, const char *key, uint64_t prev, uint64_t rev)
{
    struct fl_err err = {0};
    if (fl_backend_del(f->b, key, strlen(key), prev, rev, &err) != 0)
        fail_msg("del: %s", err.message);
}

static void commit(struct fx *f, uint64_t rev)
{
    struct fl_err err = {0};
    if (fl_backend_commit(f->b, rev, &err) != 0)
        fail_msg("commit %llu: %s", (unsigned long long)rev, err.message);
}

static int collect(void *ctx, const struct fl_kv *kv)
{
    struct recs *r = ctx;
    if (r->stop_after && r->n == r->stop_after)
        return 7;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v = realloc(r->v, r->cap * sizeof(*r->v));
    }
    struct rec *x = &r->v[r->n++];
    x->key = malloc(kv->keylen + 1);
    memcpy(x->key, kv->key, kv->keylen);
    x->key[kv->keylen] = '\0'; /* for sscanf; keylen is what counts */
    x->keylen = kv->keylen;
    assert_non_null(kv->value);
    x->value = malloc(kv->vlen + 1);
    memcpy(x->value, kv->value, kv->vlen);
    x->value[kv->vlen] = '\0';
    x->vlen = kv->vlen;
    x->create_rev = kv->create_rev;
    x->mod_rev = kv->mod_rev;
    return 0;
}

static void recs_free(struct recs *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].key);
        free(r->v[i].value);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

static uint64_t load(struct fx *f, struct recs *r)
{
    struct fl_err err = {0};
    uint64_t rev = 12345;
    recs_free(r);
    if (fl_backend_load(f->b, collect, r, &rev, &err) != 0)
        fail_msg("load: %s", err.message);
    return rev;
}

static const struct rec *find(const struct recs *r, const char *key, size_t keylen)
{
    const struct rec *found = NULL;
    for (size_t i = 0; i < r->n; i++) {
        if (r->v[i].keylen == keylen && memcmp(r->v[i].key, key, keylen) == 0) {
            assert_null(found); /* keys are unique */
            found = &r->v[i];
        }
    }
    return found;
}

static void expect_rec(const struct recs *r, const char *key, const char *value,
                       uint64_t create_rev, uint64_t mod_rev)
{
    const struct rec *x = find(r, key, strlen(key));
    if (!x)
        fail_msg("key %s not loaded", key);
    assert_int_equal(x->vlen, strlen(value));
    assert_memory_equal(x->value, value, x->vlen);
    assert_int_equal(x->create_rev, create_rev);
    assert_int_equal(x->mod_rev, mod_rev);
}

/* ---- the shared suite ---- */

static void test_empty(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    assert_int_equal(load(f, &r), 0);
    assert_int_equal(r.n, 0);
    restart(f);
    assert_int_equal(load(f, &r), 0);
    assert_int_equal(r.n, 0);
}

static void test_roundtrip(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    puts_(f, "/registry/pods/default/a", "{\"a\":1}", 1, 1);
    puts_(f, "/registry/pods/default/b", "{\"b\":2}", 2, 2);
    puts_(f, "/registry/pods/kube-system/c", "", 3, 3); /* empty value */
    commit(f, 3);
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(load(f, &r), 3);
        assert_int_equal(r.n, 3);
        expect_rec(&r, "/registry/pods/default/a", "{\"a\":1}", 1, 1);
        expect_rec(&r, "/registry/pods/default/b", "{\"b\":2}", 2, 2);
        expect_rec(&r, "/registry/pods/kube-system/c", "", 3, 3);
        restart(f);
    }
    recs_free(&r);
}

static void test_replace(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    puts_(f, "k", "v1", 1, 1);
    commit(f, 1);
    puts_(f, "k", "value two, longer", 1, 2);
    commit(f, 2);
    /* Replaced twice in one commit: the last write wins. */
    puts_(f, "k", "v3", 1, 3);
    puts_(f, "k", "v4", 1, 4);
    commit(f, 4);
    restart(f);
    assert_int_equal(load(f, &r), 4);
    assert_int_equal(r.n, 1);
    expect_rec(&r, "k", "v4", 1, 4);
    recs_free(&r);
}

static void test_delete(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    puts_(f, "a", "1", 1, 1);
    puts_(f, "b", "2", 2, 2);
    puts_(f, "c", "3", 3, 3);
    commit(f, 3);
    del(f, "a", 1, 4);
    commit(f, 4);
    /* Created and deleted in the same commit; deleted then re-created. */
    puts_(f, "d", "4", 5, 5);
    del(f, "d", 5, 6);
    del(f, "b", 2, 7);
    puts_(f, "b", "new b", 8, 8);
    commit(f, 8);
    restart(f);
    assert_int_equal(load(f, &r), 8);
    assert_int_equal(r.n, 2);
    expect_rec(&r, "b", "new b", 8, 8);
    expect_rec(&r, "c", "3", 3, 3);
    assert_null(find(&r, "a", 1));
    assert_null(find(&r, "d", 1));
    recs_free(&r);
}

static void test_empty_commit_records_revision(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    puts_(f, "a", "1", 1, 1);
    commit(f, 1);
    commit(f, 7); /* nothing staged */
    assert_int_equal(load(f, &r), 7);
    restart(f);
    assert_int_equal(load(f, &r), 7);
    assert_int_equal(r.n, 1);
    recs_free(&r);
}

static void test_uncommitted_not_loaded(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    puts_(f, "a", "1", 1, 1);
    commit(f, 1);
    puts_(f, "b", "2", 2, 2);
    puts_(f, "a", "changed", 1, 3);
    del(f, "a", 3, 4);
    restart(f); /* "crash" with writes staged */
    assert_int_equal(load(f, &r), 1);
    assert_int_equal(r.n, 1);
    expect_rec(&r, "a", "1", 1, 1);
    /* The next session's commit does not resurrect them either. */
    puts_(f, "c", "3", 2, 2);
    commit(f, 2);
    restart(f);
    assert_int_equal(load(f, &r), 2);
    assert_int_equal(r.n, 2);
    expect_rec(&r, "a", "1", 1, 1);
    expect_rec(&r, "c", "3", 2, 2);
    recs_free(&r);
}

static void test_large_value(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    size_t n = 2 * 1024 * 1024;
    char *big = malloc(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245 + 12345;
        big[i] = (char)(x >> 16); /* binary, NULs included */
    }
    put(f, "big", 3, big, n, 1, 1, 0);
    puts_(f, "small", "s", 2, 2);
    commit(f, 2);
    restart(f);
    assert_int_equal(load(f, &r), 2);
    const struct rec *got = find(&r, "big", 3);
    assert_non_null(got);
    assert_int_equal(got->vlen, n);
    assert_memory_equal(got->value, big, n);
    /* Replace it with a small value and back. */
    put(f, "big", 3, "tiny", 4, 1, 3, 1);
    commit(f, 3);
    restart(f);
    assert_int_equal(load(f, &r), 3);
    got = find(&r, "big", 3);
    assert_non_null(got);
    assert_int_equal(got->vlen, 4);
    recs_free(&r);
    free(big);
}

static void test_binary_keys(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    /* Prefixes of each other, embedded NULs, bytes that are not UTF-8, and a
     * key that is not NUL-terminated in the caller's buffer. */
    static const struct {
        const char *k;
        size_t n;
    } keys[] = {
        {"a", 1}, {"a\0", 2}, {"a\0b", 3}, {"ab", 2}, {"\xff\xfe", 2}, {"\0", 1}, {"abc", 2},
    };
    /* {"abc", 2} is "ab" again: it must replace, not add. */
    for (size_t i = 0; i < 6; i++) {
        char v[16];
        int vn = snprintf(v, sizeof(v), "v%zu", i);
        put(f, keys[i].k, keys[i].n, v, (size_t)vn, i + 1, i + 1, 0);
    }
    put(f, keys[6].k, keys[6].n, "v-ab2", 5, 4, 7, 4);
    commit(f, 7);
    restart(f);
    assert_int_equal(load(f, &r), 7);
    assert_int_equal(r.n, 6);
    for (size_t i = 0; i < 6; i++) {
        const struct rec *got = find(&r, keys[i].k, keys[i].n);
        if (!got)
            fail_msg("key %zu not loaded", i);
        char v[16];
        int vn = snprintf(v, sizeof(v), "v%zu", i);
        if (i == 3) {
            assert_int_equal(got->vlen, 5);
            assert_memory_equal(got->value, "v-ab2", 5);
            assert_int_equal(got->mod_rev, 7);
        } else {
            assert_int_equal(got->vlen, (size_t)vn);
            assert_memory_equal(got->value, v, got->vlen);
        }
    }
    /* Deleting "a\0" leaves "a" and "a\0b". */
    struct fl_err err = {0};
    assert_int_equal(fl_backend_del(f->b, "a\0", 2, 2, 8, &err), 0);
    commit(f, 8);
    restart(f);
    load(f, &r);
    assert_int_equal(r.n, 5);
    assert_null(find(&r, "a\0", 2));
    assert_non_null(find(&r, "a", 1));
    assert_non_null(find(&r, "a\0b", 3));
    recs_free(&r);
}

#define MANY 20000

static void many_value(char *buf, size_t cap, unsigned i, unsigned gen)
{
    snprintf(buf, cap, "{\"i\":%u,\"gen\":%u,\"pad\":\"%0*u\"}", i, gen, (int)(i % 200), 0);
}

static void test_many(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    char key[64], val[256];
    uint64_t rev = 0;
    /* Insert in scattered key order, 64 per commit. */
    for (unsigned i = 0; i < MANY; i++) {
        unsigned k = (i * 7919u) % MANY;
        snprintf(key, sizeof(key), "/registry/configmaps/ns%u/cm%u", k % 13, k);
        many_value(val, sizeof(val), k, 0);
        rev++;
        puts_(f, key, val, rev, rev);
        if (rev % 64 == 0)
            commit(f, rev);
    }
    commit(f, rev);
    /* Update every 3rd, delete every 5th (deletes win where both). */
    for (unsigned k = 0; k < MANY; k += 3) {
        snprintf(key, sizeof(key), "/registry/configmaps/ns%u/cm%u", k % 13, k);
        many_value(val, sizeof(val), k, 1);
        rev++;
        put(f, key, strlen(key), val, strlen(val), 1, rev, 1);
    }
    for (unsigned k = 0; k < MANY; k += 5) {
        snprintf(key, sizeof(key), "/registry/configmaps/ns%u/cm%u", k % 13, k);
        rev++;
        del(f, key, 1, rev);
    }
    commit(f, rev);
    restart(f);
    assert_int_equal(load(f, &r), rev);
    assert_int_equal(r.n, MANY - MANY / 5);
    char *seen = calloc(MANY, 1);
    for (size_t i = 0; i < r.n; i++) {
        unsigned k, ns;
        char tail;
        assert_int_equal(sscanf(r.v[i].key, "/registry/configmaps/ns%u/cm%u%c", &ns, &k, &tail), 2);
        assert_true(k < MANY && k % 5 != 0 && ns == k % 13);
        assert_false(seen[k]);
        seen[k] = 1;
        many_value(val, sizeof(val), k, k % 3 == 0);
        assert_int_equal(r.v[i].vlen, strlen(val));
        assert_memory_equal(r.v[i].value, val, r.v[i].vlen);
    }
    free(seen);
    recs_free(&r);
}

static void test_reopen_continues_revision(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    for (uint64_t rev = 1; rev <= 5; rev++) {
        char key[16];
        snprintf(key, sizeof(key), "k%llu", (unsigned long long)rev);
        puts_(f, key, "v", rev, rev);
        commit(f, rev);
    }
    restart(f);
    assert_int_equal(load(f, &r), 5);
    puts_(f, "k6", "v", 6, 6);
    commit(f, 6);
    restart(f);
    assert_int_equal(load(f, &r), 6);
    assert_int_equal(r.n, 6);
    restart(f);
    assert_int_equal(load(f, &r), 6);
    recs_free(&r);
}

static void test_load_callback_stops(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    struct fl_err err = {0};
    uint64_t rev = 0;
    for (uint64_t i = 1; i <= 10; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%llu", (unsigned long long)i);
        puts_(f, key, "v", i, i);
    }
    commit(f, 10);
    r.stop_after = 4;
    assert_int_equal(fl_backend_load(f->b, collect, &r, &rev, &err), 7);
    assert_int_equal(r.n, 4);
    /* And the backend is fine afterwards. */
    puts_(f, "k11", "v", 11, 11);
    commit(f, 11);
    assert_int_equal(load(f, &r), 11);
    assert_int_equal(r.n, 11);
    recs_free(&r);
}

/* ---- memory only ---- */

static void test_memory_fail_commit(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    struct fl_err err = {0};
    puts_(f, "a", "1", 1, 1);
    commit(f, 1);

    fl_backend_memory_fail_commit(f->b, 2);
    puts_(f, "b", "2", 2, 2);
    del(f, "a", 1, 3);
    assert_int_not_equal(fl_backend_commit(f->b, 3, &err), 0);
    assert_int_equal(err.code, 500);
    assert_string_equal(err.reason, "InternalError");
    assert_non_null(strstr(err.message, "injected"));
    assert_int_equal(fl_backend_commit(f->b, 3, &err), -1); /* second armed failure */
    /* The dropped writes stay dropped, the revision did not move. */
    assert_int_equal(load(f, &r), 1);
    assert_int_equal(r.n, 1);
    expect_rec(&r, "a", "1", 1, 1);

    puts_(f, "c", "3", 2, 2);
    commit(f, 2); /* disarmed after two */
    assert_int_equal(load(f, &r), 2);
    assert_int_equal(r.n, 2);
    expect_rec(&r, "c", "3", 2, 2);

    fl_backend_memory_fail_commit(f->b, 1);
    fl_backend_memory_fail_commit(f->b, 0); /* disarm */
    commit(f, 3);
    assert_int_equal(load(f, &r), 3);
    recs_free(&r);
}

/* ---- SQLite only ---- */

static char *db_path(struct fx *f)
{
    char *p = malloc(strlen(f->dir) + 32);
    sprintf(p, "%s/flotilla.db", f->dir);
    return p;
}

static void expect_open_fails(const char *dir, const char *needle1, const char *needle2)
{
    struct fl_backend *b = (struct fl_backend *)1;
    struct fl_err err = {0};
    assert_int_not_equal(fl_backend_sqlite_open(dir, &b, &err), 0);
    assert_null(b);
    assert_int_equal(err.code, 500);
    if (!strstr(err.message, needle1) || (needle2 && !strstr(err.message, needle2)))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", err.message, needle1,
                 needle2 ? needle2 : "");
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void test_sqlite_creates_dirs(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    struct fl_err err = {0};
    struct fl_backend *b = NULL;
    struct stat st;
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/x/y/z/", f->dir);
    assert_int_equal(fl_backend_sqlite_open(sub, &b, &err), 0);
    fl_backend_close(b);
    snprintf(sub, sizeof(sub), "%s/x/y/z/flotilla.db", f->dir);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(sub, sizeof(sub), "%s/x/y", f->dir);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(load(f, &r), 0);
}

static void test_sqlite_bad_dir(void **state)
{
    struct fx *f = *state;
    char path[128];
    snprintf(path, sizeof(path), "%s/file", f->dir);
    write_file(path, "x", 1);
    snprintf(path, sizeof(path), "%s/file/sub", f->dir);
    expect_open_fails(path, path, "Not a directory");
    snprintf(path, sizeof(path), "%s/file", f->dir);
    expect_open_fails(path, path, "not a directory");
    expect_open_fails("", "empty", NULL);

    if (geteuid() == 0) {
        print_message("running as root: skipping the non-writable directory case\n");
        return;
    }
    snprintf(path, sizeof(path), "%s/ro", f->dir);
    assert_int_equal(mkdir(path, 0500), 0);
    expect_open_fails(path, path, "not writable");
    chmod(path, 0700);
    /* A database file we may not write. */
    char *db = db_path(f);
    fl_backend_close(f->b);
    f->b = NULL;
    chmod(db, 0400);
    expect_open_fails(f->dir, db, "read-only");
    chmod(db, 0600);
    free(db);
}

static void test_sqlite_not_a_database(void **state)
{
    struct fx *f = *state;
    char *path = db_path(f);
    static const char junk[] = "this is not a database, just some text\n";
    fl_backend_close(f->b);
    f->b = NULL;

    write_file(path, junk, sizeof(junk) - 1);
    expect_open_fails(f->dir, path, "corrupt or not a Flotilla store");
    /* 64 KiB of junk, too. */
    char *big = malloc(65536);
    memset(big, 0xa5, 65536);
    write_file(path, big, 65536);
    expect_open_fails(f->dir, path, "corrupt or not a Flotilla store");
    free(big);
    free(path);
}

static void test_sqlite_foreign_database(void **state)
{
    struct fx *f = *state;
    char *path = db_path(f);
    sqlite3 *db = NULL;
    fl_backend_close(f->b);
    f->b = NULL;
    unlink(path);

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_open_fails(f->dir, path, "not written by Flotilla");
    free(path);
}

static void test_sqlite_schema_version(void **state)
{
    struct fx *f = *state;
    char *path = db_path(f);
    sqlite3 *db = NULL;
    fl_backend_close(f->b);
    f->b = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value = 99 WHERE name = 'schema_version'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_open_fails(f->dir, path, "schema version 99");
    free(path);
}

static void test_sqlite_corrupt_pages(void **state)
{
    struct fx *f = *state;
    char *path = db_path(f);
    char key[32], val[1024];
    struct stat st;
    memset(val, 'v', sizeof(val));
    for (unsigned i = 1; i <= 2000; i++) {
        snprintf(key, sizeof(key), "k%u", i);
        put(f, key, strlen(key), val, sizeof(val), i, i, 0);
    }
    commit(f, 2000);
    fl_backend_close(f->b); /* checkpoints: everything is in the main file */
    f->b = NULL;

    /* Trash the second half of the file, header and schema intact. */
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 1024 * 1024);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    size_t n = (size_t)st.st_size / 2;
    char *junk = malloc(n);
    memset(junk, 0x5a, n);
    assert_int_equal(pwrite(fd, junk, n, st.st_size - (off_t)n), (ssize_t)n);
    close(fd);
    free(junk);

    /* Opening may or may not notice; loading must, naming the file. */
    struct fl_err err = {0};
    struct fl_backend *b = NULL;
    if (fl_backend_sqlite_open(f->dir, &b, &err) == 0) {
        struct recs r = {0};
        uint64_t rev;
        assert_int_not_equal(fl_backend_load(b, collect, &r, &rev, &err), 0);
        recs_free(&r);
        fl_backend_close(b);
    }
    if (!strstr(err.message, path))
        fail_msg("message \"%s\" does not name %s", err.message, path);
    print_message("corrupt: %s\n", err.message);
    free(path);
}

static void test_sqlite_locked(void **state)
{
    struct fx *f = *state;
    char *path = db_path(f);
    /* f->b holds the directory; a second server must not get it. */
    expect_open_fails(f->dir, path, "locked");
    free(path);
}

static void test_sqlite_close_without_commit(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    puts_(f, "a", "1", 1, 1);
    commit(f, 1);
    puts_(f, "b", "2", 2, 2);
    fl_backend_close(f->b); /* staged write dropped, no error */
    f->b = NULL;
    open_backend(f);
    assert_int_equal(load(f, &r), 1);
    assert_int_equal(r.n, 1);
    recs_free(&r);
}

/* A staged write that SQLite rejects poisons the turn: later writes and the
 * commit fail, nothing of the turn is durable, and the next turn works. */
static void test_sqlite_failed_write_fails_commit(void **state)
{
    struct fx *f = *state;
    struct recs r = {0};
    struct fl_err err = {0};
    static const char tiny[1] = "x";
    puts_(f, "a", "1", 1, 1);
    commit(f, 1);

    puts_(f, "b", "2", 2, 2);
    /* Over SQLITE_MAX_LENGTH: SQLite rejects the bind on its length alone,
     * before reading a byte, so the short buffer is never overrun. */
    struct fl_kv huge = {"c", 1, tiny, (size_t)1000000001, 3, 3};
    assert_int_not_equal(fl_backend_put(f->b, &huge, 0, &err), 0);
    assert_int_equal(err.code, 500);
    assert_non_null(strstr(err.message, "too big"));
    struct fl_kv d = {"d", 1, "4", 1, 4, 4};
    assert_int_not_equal(fl_backend_put(f->b, &d, 0, &err), 0);
    assert_int_not_equal(fl_backend_del(f->b, "a", 1, 1, 5, &err), 0);
    assert_int_not_equal(fl_backend_commit(f->b, 5, &err), 0);
    assert_non_null(strstr(err.message, "abandoned"));
    assert_int_equal(load(f, &r), 1);
    assert_int_equal(r.n, 1);

    puts_(f, "e", "5", 2, 2);
    commit(f, 2);
    restart(f);
    assert_int_equal(load(f, &r), 2);
    assert_int_equal(r.n, 2);
    expect_rec(&r, "a", "1", 1, 1);
    expect_rec(&r, "e", "5", 2, 2);
    recs_free(&r);
}

#define SHARED_TESTS(k)                                                                            \
    cmocka_unit_test_prestate_setup_teardown(test_empty, setup, teardown, &k),                     \
        cmocka_unit_test_prestate_setup_teardown(test_roundtrip, setup, teardown, &k),             \
        cmocka_unit_test_prestate_setup_teardown(test_replace, setup, teardown, &k),               \
        cmocka_unit_test_prestate_setup_teardown(test_delete, setup, teardown, &k),                \
        cmocka_unit_test_prestate_setup_teardown(test_empty_commit_records_revision, setup,        \
                                                 teardown, &k),                                    \
        cmocka_unit_test_prestate_setup_teardown(test_uncommitted_not_loaded, setup, teardown,     \
                                                 &k),                                              \
        cmocka_unit_test_prestate_setup_teardown(test_large_value, setup, teardown, &k),           \
        cmocka_unit_test_prestate_setup_teardown(test_binary_keys, setup, teardown, &k),           \
        cmocka_unit_test_prestate_setup_teardown(test_many, setup, teardown, &k),                  \
        cmocka_unit_test_prestate_setup_teardown(test_reopen_continues_revision, setup, teardown,  \
                                                 &k),                                              \
        cmocka_unit_test_prestate_setup_teardown(test_load_callback_stops, setup, teardown, &k)

int main(void)
{
    const struct CMUnitTest memory[] = {
        SHARED_TESTS(kind_memory),
        cmocka_unit_test_prestate_setup_teardown(test_memory_fail_commit, setup, teardown,
                                                 &kind_memory),
    };
    const struct CMUnitTest sqlite[] = {
        SHARED_TESTS(kind_sqlite),
        cmocka_unit_test_prestate_setup_teardown(test_sqlite_creates_dirs, setup, teardown,
                                                 &kind_sqlite),
        cmocka_unit_test_prestate_setup_teardown(test_sqlite_bad_dir, setup, teardown,
                                                 &kind_sqlite),
        cmocka_unit_test_prestate_setup_teardown(test_sqlite_not_a_database, setup, teardown,
                                                 &kind_sqlite),
        cmocka_unit_test_prestate_setup_teardown(test_sqlite_foreign_database, setup, teardown,
                                                 &kind_sqlite),
        cmocka_unit_test_prestate_setup_teardown(test_sqlite_schema_version, setup, teardown,
                                                 &kind_sqlite),
        cmocka_unit_test_prestate_setup_teardown(test_sqlite_corrupt_pages, setup, teardown,
                                                 &kind_sqlite),
        cmocka_unit_test_prestate_setup_teardown(test_sqlite_locked, setup, teardown, &kind_sqlite),
        cmocka_unit_test_prestate_setup_teardown(test_sqlite_close_without_commit, setup, teardown,
                                                 &kind_sqlite),
        cmocka_unit_test_prestate_setup_teardown(test_sqlite_failed_write_fails_commit, setup,
                                                 teardown, &kind_sqlite),
    };
    int failed = cmocka_run_group_tests_name("backend_memory", memory, NULL, NULL);
    failed += cmocka_run_group_tests_name("backend_sqlite", sqlite, NULL, NULL);
    return failed ? 1 : 0;
}
