/*
 * The store's persistence interface: a key-value log with revisions, shaped
 * like etcd's so that an etcd backend fits behind it later.
 *
 * The store (store.c) owns the revision counter and all semantics; a backend
 * only makes records durable and gives them back at startup. Writes are
 * staged with put/del and become durable together at commit(rev) — one
 * commit per event-loop turn (group commit). Nothing staged is visible to
 * load() until committed, and a crash between put and commit loses exactly
 * the staged writes, none of which were acknowledged.
 *
 * prev_mod_rev on put/del is the mod revision the store saw for the key
 * (0: the key must not exist). Single-writer backends (SQLite, memory) may
 * trust it; an etcd backend turns it into a txn compare on mod_revision.
 */
#ifndef FL_STORE_BACKEND_H
#define FL_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* One record. Pointers are borrowed for the duration of the call. */
struct fl_kv {
    const char *key;
    size_t keylen;
    const char *value;
    size_t vlen;
    uint64_t create_rev; /* revision that created the key */
    uint64_t mod_rev;    /* revision of the last change */
};

struct fl_backend;

/* Called by load() once per record, in any order. Non-zero return stops the load
 * and becomes load()'s return value. */
typedef int (*fl_backend_load_fn)(void *ctx, const struct fl_kv *kv);

struct fl_backend_ops {
    const char *name;
    /* Deliver every committed record to fn and set *rev to the last committed
     * revision (0 for an empty store). load() starts a session, as a restart
     * would: writes staged and not yet committed are discarded first. */
    int (*load)(struct fl_backend *b, fl_backend_load_fn fn, void *ctx, uint64_t *rev,
                struct fl_err *err);
    /* Stage a create (prev_mod_rev == 0) or replace of kv->key. */
    int (*put)(struct fl_backend *b, const struct fl_kv *kv, uint64_t prev_mod_rev,
               struct fl_err *err);
    /* Stage the deletion of key at revision rev. */
    int (*del)(struct fl_backend *b, const char *key, size_t keylen, uint64_t prev_mod_rev,
               uint64_t rev, struct fl_err *err);
    /* Make everything staged durable, with `rev` as the last committed revision.
     * A commit with nothing staged still records rev. On error nothing staged
     * is durable; the store treats that as fatal. */
    int (*commit)(struct fl_backend *b, uint64_t rev, struct fl_err *err);
    /* Close and free. Staged, uncommitted writes are dropped. */
    void (*close)(struct fl_backend *b);
};

struct fl_backend {
    const struct fl_backend_ops *ops;
};

/* Convenience wrappers (call through the vtable). */
int fl_backend_load(struct fl_backend *b, fl_backend_load_fn fn, void *ctx, uint64_t *rev,
                    struct fl_err *err) FL_MUST_CHECK;
int fl_backend_put(struct fl_backend *b, const struct fl_kv *kv, uint64_t prev_mod_rev,
                   struct fl_err *err) FL_MUST_CHECK;
int fl_backend_del(struct fl_backend *b, const char *key, size_t keylen, uint64_t prev_mod_rev,
                   uint64_t rev, struct fl_err *err) FL_MUST_CHECK;
int fl_backend_commit(struct fl_backend *b, uint64_t rev, struct fl_err *err) FL_MUST_CHECK;
void fl_backend_close(struct fl_backend *b); /* NULL-safe */

/* In-memory backend, for unit tests: survives "restarts" of a store opened on
 * it again (load gives back what was committed and drops what a previous
 * store instance staged but never committed), loses everything on close.
 * Returns a new backend, freed by fl_backend_close(). Never fails. */
struct fl_backend *fl_backend_memory_new(void);

/* Volatile backend: keeps nothing (every call succeeds, load finds an empty
 * store). For stores that live and die with their process (`flotilla serve
 * --store memory`, simulated member clusters): the store already holds every
 * object in memory, so a second copy would only double the footprint. */
struct fl_backend *fl_backend_volatile_new(void);

/* Fault injection for tests: the next n commits of memory backend b fail with
 * a 500 InternalError, drop their staged writes and leave the committed
 * records and revision untouched. n <= 0 disarms. b must come from
 * fl_backend_memory_new() (asserted). */
void fl_backend_memory_fail_commit(struct fl_backend *b, int n);

/* SQLite backend in `dir` (created if missing, mode 0700): file
 * dir/flotilla.db, WAL journal, synchronous=FULL so a commit is durable when
 * it returns. The database is held in exclusive locking mode for the life of
 * the backend, so a second server on the same dir fails here instead of
 * sharing it. On success *out is a new backend, freed by fl_backend_close().
 * Errors (500): dir cannot be created or is not writable, the file is not a
 * SQLite database or was not written by Flotilla, its schema version is
 * unknown, or it is locked by another process; the message names the file. */
int fl_backend_sqlite_open(const char *dir, struct fl_backend **out,
                           struct fl_err *err) FL_MUST_CHECK;

#endif
