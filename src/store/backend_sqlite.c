/*
 * SQLite store backend: one file, dir/flotilla.db, holding table kv (one row
 * per live key: key, create_rev, mod_rev, value) and table meta (schema
 * version and the last committed revision). Staged put/del run inside one
 * open write transaction that commit(rev) closes after writing the revision
 * row, so records and revision become durable together; with WAL and
 * synchronous=FULL the WAL is fsynced before COMMIT returns. Invariants: a
 * write transaction is open exactly while something is staged (or a commit is
 * in progress); `failed` is set when a staged write did not apply, and then
 * the next commit rolls back and fails instead of committing a partial turn;
 * the connection holds the database in exclusive locking mode for its whole
 * life, so this process is the only writer (prev_mod_rev is trusted, as
 * backend.h allows).
 */
#include "store/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DB_FILE "flotilla.db"
#define SCHEMA_VERSION 1
/* Stamped into the database header (PRAGMA application_id): "FLOT". Tells
 * our files from other SQLite databases. */
#define APPLICATION_ID 0x464c4f54
#define DB_PAGE_SIZE 8192
#define CACHE_KIB 65536 /* page cache: holds the key index of ~1M keys */
/* After a checkpoint resets the WAL, truncate it to this size, so a single
 * huge transaction does not leave a huge file behind. The WAL itself is kept
 * short by wal_autocheckpoint (default 1000 pages): with one connection and
 * no readers every automatic checkpoint completes and the WAL restarts. */
#define WAL_SIZE_LIMIT (64 * 1024 * 1024)

struct sq {
    struct fl_backend base; /* first: the struct fl_backend * is a struct sq * */
    sqlite3 *db;
    char *path; /* dir/flotilla.db, for messages */
    sqlite3_stmt *begin, *commit, *rollback;
    sqlite3_stmt *put, *del, *setrev, *getrev, *scan;
    int failed; /* a staged write failed: the next commit must roll back */
};

static const struct fl_backend_ops sqlite_ops;

static struct sq *to_sq(struct fl_backend *b)
{
    FL_ASSERT(b && b->ops == &sqlite_ops);
    return (struct sq *)b;
}

/* Fill err with SQLite's current message for the connection. Must run before
 * anything else (a ROLLBACK) replaces that message. */
static int sqerr(struct sq *s, struct fl_err *err, const char *what)
{
    return fl_errf(err, 500, "InternalError", "sqlite %s: %s: %s", s->path, what,
                   sqlite3_errmsg(s->db));
}

/* Run one statement that returns no rows (or whose rows we ignore). */
static int step_done(sqlite3_stmt *st)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int exec(struct sq *s, const char *sql, struct fl_err *err)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sqerr(s, err, sql);
    return 0;
}

/* Run a query returning one integer (0 if it returns no row). */
static int query_int(struct sq *s, const char *sql, int64_t *out, struct fl_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    *out = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = sqerr(s, err, sql);
        goto out;
    }
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (src != SQLITE_DONE) {
        rc = sqerr(s, err, sql);
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

static void rollback(struct sq *s)
{
    if (!sqlite3_get_autocommit(s->db))
        (void)step_done(s->rollback);
}

/* Open the write transaction of this turn if it is not open yet. */
static int ensure_txn(struct sq *s, struct fl_err *err)
{
    if (!sqlite3_get_autocommit(s->db))
        return 0;
    if (step_done(s->begin))
        return sqerr(s, err, "BEGIN");
    return 0;
}

static int sq_put(struct fl_backend *b, const struct fl_kv *kv, uint64_t prev_mod_rev,
                  struct fl_err *err)
{
    struct sq *s = to_sq(b);
    int rc = -1;

    FL_ASSERT(kv->create_rev <= INT64_MAX && kv->mod_rev <= INT64_MAX);
    if (s->failed) {
        rc = fl_errf(err, 500, "InternalError", "sqlite %s: an earlier write of this commit failed",
                     s->path);
        goto out;
    }
    if (ensure_txn(s, err))
        goto out;
    /* SQLITE_STATIC: the caller's buffers outlive the step below. A non-NULL
     * pointer keeps an empty value an empty blob rather than NULL. */
    if (sqlite3_bind_text64(s->put, 1, kv->key, kv->keylen, SQLITE_STATIC, SQLITE_UTF8) ||
        sqlite3_bind_int64(s->put, 2, (sqlite3_int64)kv->create_rev) ||
        sqlite3_bind_int64(s->put, 3, (sqlite3_int64)kv->mod_rev) ||
        sqlite3_bind_blob64(s->put, 4, kv->vlen ? kv->value : "", kv->vlen, SQLITE_STATIC))
        sqerr(s, err, "put"); /* SQLITE_TOOBIG past SQLITE_MAX_LENGTH (1e9 bytes) */
    else if (sqlite3_step(s->put) == SQLITE_DONE)
        rc = 0;
    else
        sqerr(s, err, "put");
    sqlite3_reset(s->put);
    sqlite3_clear_bindings(s->put); /* drop the borrowed pointers */
out:
    if (rc)
        s->failed = 1;
    return rc;
}

static int sq_del(struct fl_backend *b, const char *key, size_t keylen, uint64_t prev_mod_rev,
                  uint64_t rev, struct fl_err *err)
{
    struct sq *s = to_sq(b);
    int rc = -1;

    if (s->failed) {
        rc = fl_errf(err, 500, "InternalError", "sqlite %s: an earlier write of this commit failed",
                     s->path);
        goto out;
    }
    if (ensure_txn(s, err))
        goto out;
    if (sqlite3_bind_text64(s->del, 1, key, keylen, SQLITE_STATIC, SQLITE_UTF8) ||
        sqlite3_step(s->del) != SQLITE_DONE)
        sqerr(s, err, "delete");
    else
        rc = 0;
    sqlite3_reset(s->del);
    sqlite3_clear_bindings(s->del);
out:
    if (rc)
        s->failed = 1;
    return rc;
}

static int sq_commit(struct fl_backend *b, uint64_t rev, struct fl_err *err)
{
    struct sq *s = to_sq(b);
    int rc = -1;

    FL_ASSERT(rev <= INT64_MAX);
    if (s->failed) {
        rc = fl_errf(err, 500, "InternalError",
                     "sqlite %s: commit of revision %llu abandoned: a staged write failed", s->path,
                     (unsigned long long)rev);
        goto out;
    }
    if (ensure_txn(s, err))
        goto out;
    sqlite3_bind_int64(s->setrev, 1, (sqlite3_int64)rev);
    if (step_done(s->setrev)) {
        rc = sqerr(s, err, "write revision");
        goto out;
    }
    if (sqlite3_changes(s->db) != 1) {
        rc = fl_errf(err, 500, "InternalError", "sqlite %s: revision row missing from meta",
                     s->path);
        goto out;
    }
    if (step_done(s->commit)) {
        rc = sqerr(s, err, "COMMIT");
        goto out;
    }
    rc = 0;
out:
    if (rc)
        rollback(s);
    s->failed = 0;
    return rc;
}

/* Ask the kernel to start reading the whole file: the scan that follows
 * reads every page, and a cold start then waits on one long sequential read
 * instead of page-sized ones. A hint; failures are ignored. */
static void prefetch(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
    close(fd);
}

static int sq_load(struct fl_backend *b, fl_backend_load_fn fn, void *ctx, uint64_t *rev,
                   struct fl_err *err)
{
    struct sq *s = to_sq(b);
    int rc = -1, src;
    int64_t r = 0;

    rollback(s); /* a new session: what the last one staged never happened */
    s->failed = 0;
    prefetch(s->path);
    while ((src = sqlite3_step(s->scan)) == SQLITE_ROW) {
        /* Pointers into SQLite's page buffers, valid until the next step:
         * the callback copies what it keeps. Text before bytes, as the
         * SQLite docs ask. */
        struct fl_kv kv;
        kv.key = (const char *)sqlite3_column_text(s->scan, 0);
        kv.keylen = (size_t)sqlite3_column_bytes(s->scan, 0);
        kv.create_rev = (uint64_t)sqlite3_column_int64(s->scan, 1);
        kv.mod_rev = (uint64_t)sqlite3_column_int64(s->scan, 2);
        kv.value = sqlite3_column_blob(s->scan, 3);
        kv.vlen = (size_t)sqlite3_column_bytes(s->scan, 3);
        if (NEVER(!kv.key)) {
            rc = fl_errf(err, 500, "InternalError", "sqlite %s: row with a NULL key", s->path);
            goto out;
        }
        if (!kv.value)
            kv.value = ""; /* an empty blob comes back as NULL */
        int cbrc = fn(ctx, &kv);
        if (cbrc) {
            rc = cbrc;
            goto out;
        }
    }
    if (src != SQLITE_DONE) {
        rc = sqerr(s, err, "load");
        goto out;
    }
    src = sqlite3_step(s->getrev);
    if (src == SQLITE_DONE) {
        rc = fl_errf(err, 500, "InternalError", "sqlite %s: revision row missing", s->path);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = sqerr(s, err, "read revision");
        goto out;
    }
    r = sqlite3_column_int64(s->getrev, 0);
    if (r < 0) {
        rc = fl_errf(err, 500, "InternalError", "sqlite %s: negative revision %lld", s->path,
                     (long long)r);
        goto out;
    }
    *rev = (uint64_t)r;
    rc = 0;
out:
    sqlite3_reset(s->scan);
    sqlite3_reset(s->getrev);
    return rc;
}

static void sq_free(struct sq *s)
{
    if (!s)
        return;
    sqlite3_stmt *all[] = {s->begin, s->commit, s->rollback, s->put,
                           s->del,   s->setrev, s->getrev,   s->scan};
    for (size_t i = 0; i < FL_ARRAY_LEN(all); i++)
        sqlite3_finalize(all[i]); /* NULL-safe */
    /* Closing with a transaction open rolls it back: staged writes are
     * dropped. The last connection to close checkpoints and removes the WAL. */
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

static void sq_close(struct fl_backend *b)
{
    sq_free(to_sq(b));
}

static const struct fl_backend_ops sqlite_ops = {
    .name = "sqlite",
    .load = sq_load,
    .put = sq_put,
    .del = sq_del,
    .commit = sq_commit,
    .close = sq_close,
};

/* fsync a directory so that entries created in it survive a power loss. */
static int fsync_dir(const char *dir, struct fl_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return fl_errf(err, 500, "InternalError", "open directory %s: %s", dir, strerror(errno));
    int rc = 0;
    if (fsync(fd) != 0)
        rc = fl_errf(err, 500, "InternalError", "fsync directory %s: %s", dir, strerror(errno));
    close(fd);
    return rc;
}

/* mkdir -p with mode 0700 (the store holds Secrets); each directory created
 * is made durable in its parent. */
static int make_dirs(const char *dir, struct fl_err *err)
{
    char *p = fl_xstrdup(dir);
    int rc = -1;
    struct stat st;

    if (!*p) {
        rc = fl_errf(err, 500, "InternalError", "store directory: empty path");
        goto out;
    }
    for (char *c = p + 1;; c++) {
        if (*c != '/' && *c != '\0')
            continue;
        char saved = *c;
        *c = '\0';
        if (mkdir(p, 0700) == 0) {
            char *slash = strrchr(p, '/');
            char *parent = slash == p ? fl_xstrdup("/")
                           : slash    ? fl_xstrndup(p, (size_t)(slash - p))
                                      : fl_xstrdup(".");
            int frc = fsync_dir(parent, err);
            free(parent);
            if (frc)
                goto out;
        } else if (errno != EEXIST) {
            rc = fl_errf(err, 500, "InternalError", "create store directory %s: %s", p,
                         strerror(errno));
            goto out;
        }
        *c = saved;
        if (saved == '\0')
            break;
    }
    if (stat(dir, &st) != 0) {
        rc = fl_errf(err, 500, "InternalError", "store directory %s: %s", dir, strerror(errno));
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        rc = fl_errf(err, 500, "InternalError", "store directory %s: not a directory", dir);
        goto out;
    }
    /* SQLite needs to create flotilla.db-wal next to the database. */
    if (access(dir, W_OK | X_OK) != 0) {
        rc = fl_errf(err, 500, "InternalError", "store directory %s is not writable: %s", dir,
                     strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(p);
    return rc;
}

/* First use of a file: stamp it as ours and create the schema, atomically
 * (a crash half-way leaves a file that is still "new").
 *
 * Layout choices, measured with 1M rows of ~1 KiB under random-order keys,
 * 64 rows per commit (bench/bench_backend.c does the same through this file):
 * - kv is a rowid table plus its key index, not WITHOUT ROWID. A WITHOUT
 *   ROWID b-tree keeps whole rows in key order and spills rows past ~1/4
 *   page into overflow pages: 3791 MiB instead of 1296 MiB, 130 s to write
 *   instead of 35 s, a 2.9 s scan instead of 0.46 s. The rowid table appends
 *   rows in insertion order; only the small key index takes random inserts.
 * - 8 KiB pages: 1163 MiB instead of 1296 MiB and a faster scan (~0.35 s)
 *   than 4 KiB pages, at the same write rate.
 * - mmap off: the warm scan took 0.59 s with mmap_size=2 GiB against 0.39 s
 *   without (page faults cost more than copying pages), and an I/O error
 *   under mmap is a SIGBUS rather than an error code.
 * - 64 MiB page cache: keeps the key index of ~1M keys hot; 24k rows/s
 *   written against 20k with the default 2 MiB.
 */
static int create_schema(struct sq *s, struct fl_err *err)
{
    char *sql =
        fl_xasprintf("BEGIN;"
                     "PRAGMA application_id = %d;"
                     "CREATE TABLE kv ("
                     "  key TEXT PRIMARY KEY NOT NULL,"
                     "  create_rev INTEGER NOT NULL,"
                     "  mod_rev INTEGER NOT NULL,"
                     "  value BLOB NOT NULL);"
                     /* A few tiny rows: WITHOUT ROWID is the right shape here. */
                     "CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)"
                     "  WITHOUT ROWID;"
                     "INSERT INTO meta VALUES ('schema_version', %d), ('revision', 0);"
                     "COMMIT;",
                     APPLICATION_ID, SCHEMA_VERSION);
    int rc = exec(s, sql, err);
    if (rc)
        rollback(s);
    free(sql);
    return rc;
}

/* Turn the failure of one of the first reads of the file into a message
 * that says what is wrong with the file. */
static int first_read_error(struct sq *s, const char *what, struct fl_err *err)
{
    switch (sqlite3_errcode(s->db) & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return fl_errf(err, 500, "InternalError",
                       "%s is corrupt or not a Flotilla store (sqlite: %s)", s->path,
                       sqlite3_errmsg(s->db));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return fl_errf(err, 500, "InternalError",
                       "%s is locked: is another flotilla server using this directory?", s->path);
    default:
        return sqerr(s, err, what);
    }
}

/* Is this our database, of a schema version we know? Creates the schema in an
 * empty file. */
static int check_or_create(struct sq *s, struct fl_err *err)
{
    static const char q_appid[] = "PRAGMA application_id";
    static const char q_nobj[] = "SELECT count(*) FROM sqlite_master";
    static const char q_version[] = "SELECT value FROM meta WHERE name = 'schema_version'";
    int64_t appid, nobjects, version;
    char sql[64];

    /* The first read of the file: a file that is not a SQLite database fails
     * here with SQLITE_NOTADB, one held by another process with SQLITE_BUSY. */
    if (query_int(s, q_appid, &appid, NULL))
        return first_read_error(s, q_appid, err);
    if (query_int(s, q_nobj, &nobjects, NULL))
        return first_read_error(s, q_nobj, err);
    if (appid == 0 && nobjects == 0) {
        /* page_size only takes effect before the first write, and only
         * outside WAL mode: set it before journal_mode. */
        snprintf(sql, sizeof(sql), "PRAGMA page_size = %d", DB_PAGE_SIZE);
        if (exec(s, sql, err) || exec(s, "PRAGMA journal_mode = WAL", err) || create_schema(s, err))
            return -1;
    } else if (appid != APPLICATION_ID) {
        return fl_errf(err, 500, "InternalError",
                       "%s is a SQLite database not written by Flotilla (application_id "
                       "0x%08llx, %lld schema objects); refusing to use it",
                       s->path, (unsigned long long)appid, (long long)nobjects);
    }
    if (query_int(s, q_version, &version, NULL))
        return first_read_error(s, q_version, err);
    if (version != SCHEMA_VERSION)
        return fl_errf(err, 500, "InternalError",
                       "%s: store schema version %lld, this build reads version %d", s->path,
                       (long long)version, SCHEMA_VERSION);
    return 0;
}

static int prepare(struct sq *s, const char *sql, sqlite3_stmt **st, struct fl_err *err)
{
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return sqerr(s, err, sql);
    return 0;
}

int fl_backend_sqlite_open(const char *dir, struct fl_backend **out, struct fl_err *err)
{
    struct sq *s = NULL;
    int rc = -1;
    char sql[128];
    struct stat st;

    *out = NULL;
    if (make_dirs(dir, err))
        goto out;
    s = fl_xcalloc(1, sizeof(*s));
    s->base.ops = &sqlite_ops;
    s->path = fl_xasprintf("%s/%s", dir, DB_FILE);
    int existed = stat(s->path, &st) == 0;
    if (existed && !S_ISREG(st.st_mode)) {
        rc = fl_errf(err, 500, "InternalError", "%s is not a regular file", s->path);
        goto out;
    }

    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
        rc = fl_errf(err, 500, "InternalError", "open %s: %s", s->path,
                     s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto out;
    }
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        rc = fl_errf(err, 500, "InternalError", "open %s: file is read-only", s->path);
        goto out;
    }
    /* Secrets live here: keep the file (and the WAL, which copies its mode)
     * private. */
    if (!existed && chmod(s->path, 0600) != 0) {
        rc = fl_errf(err, 500, "InternalError", "chmod %s: %s", s->path, strerror(errno));
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);

    /* Exclusive locking mode before WAL: no shared-memory wal-index (the
     * index lives in our heap), and the lock taken on first access is held
     * until close, so no other process can write behind our back. */
    if (exec(s, "PRAGMA locking_mode = EXCLUSIVE", err) || check_or_create(s, err))
        goto out;
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", CACHE_KIB);
    /* synchronous=FULL: in WAL mode, NORMAL would not fsync the WAL on
     * commit and a power loss could undo acknowledged writes. */
    if (exec(s, "PRAGMA journal_mode = WAL", err) || exec(s, "PRAGMA synchronous = FULL", err) ||
        exec(s, sql, err) || exec(s, "PRAGMA temp_store = MEMORY", err) ||
        exec(s, "PRAGMA mmap_size = 0", err))
        goto out;
    snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %d", WAL_SIZE_LIMIT);
    if (exec(s, sql, err))
        goto out;

    if (prepare(s, "BEGIN", &s->begin, err) || prepare(s, "COMMIT", &s->commit, err) ||
        prepare(s, "ROLLBACK", &s->rollback, err) ||
        prepare(s,
                "INSERT INTO kv (key, create_rev, mod_rev, value) VALUES (?1, ?2, ?3, ?4)"
                " ON CONFLICT (key) DO UPDATE SET create_rev = excluded.create_rev,"
                " mod_rev = excluded.mod_rev, value = excluded.value",
                &s->put, err) ||
        prepare(s, "DELETE FROM kv WHERE key = ?1", &s->del, err) ||
        prepare(s, "UPDATE meta SET value = ?1 WHERE name = 'revision'", &s->setrev, err) ||
        prepare(s, "SELECT value FROM meta WHERE name = 'revision'", &s->getrev, err) ||
        prepare(s, "SELECT key, create_rev, mod_rev, value FROM kv", &s->scan, err))
        goto out;

    /* The new file's directory entry must be durable too. */
    if (!existed && fsync_dir(dir, err))
        goto out;

    *out = &s->base;
    s = NULL; /* owned by the caller now */
    rc = 0;
out:
    sq_free(s);
    return rc;
}
