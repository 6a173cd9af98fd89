/*
 * In-memory store backend, for unit tests. Committed records live in a
 * chained hash table keyed by the exact key bytes (keys are binary-safe: the
 * length counts, embedded NULs included); put/del append to a staging list
 * that commit applies in order and then empties. Invariants: the table only
 * ever holds committed state, `rev` is the revision of the last successful
 * commit, and the staging list is empty after every commit (successful or
 * not) and after every load. Every key and value buffer is owned by exactly
 * one entry or one staged op, and moves from the op to the table on commit
 * without a copy. prev_mod_rev is trusted (single writer), as backend.h
 * allows. Fault injection: fail_commits > 0 makes the next commits fail.
 */
#include "store/backend.h"

#include <stdlib.h>
#include <string.h>

struct entry {
    struct entry *next; /* hash chain */
    uint64_t hash;
    char *key;
    size_t keylen;
    char *value;
    size_t vlen;
    uint64_t create_rev;
    uint64_t mod_rev;
};

struct op {
    int is_del;
    char *key;
    size_t keylen;
    char *value; /* NULL for a delete */
    size_t vlen;
    uint64_t create_rev;
    uint64_t mod_rev;
};

struct mem {
    struct fl_backend base; /* first: the struct fl_backend * is a struct mem * */
    struct entry **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    struct op *ops;
    size_t nops, cap_ops;
    uint64_t rev;
    int fail_commits;
};

static const struct fl_backend_ops memory_ops;

static struct mem *to_mem(struct fl_backend *b)
{
    FL_ASSERT(b && b->ops == &memory_ops);
    return (struct mem *)b;
}

/* FNV-1a, 64-bit: enough spread for test-sized tables. */
static uint64_t hash_key(const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    free(e->key);
    free(e->value);
    free(e);
}

/* Bytes copy that stays valid (non-NULL) for empty input, so a zero-length
 * key or value reads back as "" and never as NULL. */
static char *dup_bytes(const char *p, size_t n)
{
    char *q = fl_xmalloc(n + 1);
    if (n)
        memcpy(q, p, n);
    q[n] = '\0';
    return q;
}

/* The link that points at the entry for key, or at the NULL ending its chain. */
static struct entry **find_slot(struct mem *m, const char *key, size_t keylen, uint64_t h)
{
    struct entry **pp = &m->buckets[h & (m->nbuckets - 1)];
    for (; *pp; pp = &(*pp)->next) {
        struct entry *e = *pp;
        if (e->hash == h && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
            break;
    }
    return pp;
}

static void grow(struct mem *m)
{
    size_t n = m->nbuckets * 2;
    struct entry **nb = fl_xcalloc(n, sizeof(*nb));
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct entry *e = m->buckets[i];
        while (e) {
            struct entry *next = e->next;
            e->next = nb[e->hash & (n - 1)];
            nb[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = nb;
    m->nbuckets = n;
}

static void op_release(struct op *o)
{
    free(o->key);
    free(o->value);
}

static void drop_staged(struct mem *m)
{
    for (size_t i = 0; i < m->nops; i++)
        op_release(&m->ops[i]);
    m->nops = 0;
}

static struct op *stage(struct mem *m)
{
    if (m->nops == m->cap_ops) {
        m->cap_ops = m->cap_ops ? m->cap_ops * 2 : 16;
        m->ops = fl_xrealloc(m->ops, m->cap_ops * sizeof(*m->ops));
    }
    struct op *o = &m->ops[m->nops++];
    memset(o, 0, sizeof(*o));
    return o;
}

/* Apply one staged op to the table, taking its buffers. */
static void apply(struct mem *m, struct op *o)
{
    uint64_t h = hash_key(o->key, o->keylen);
    struct entry **pp = find_slot(m, o->key, o->keylen, h);
    struct entry *old = *pp;

    if (o->is_del) {
        if (old) {
            *pp = old->next;
            entry_free(old);
            m->count--;
        }
        op_release(o);
        return;
    }
    if (old) {
        /* Replace in place: the entry keeps its key, takes the new value. */
        free(old->value);
        old->value = o->value;
        old->vlen = o->vlen;
        old->create_rev = o->create_rev;
        old->mod_rev = o->mod_rev;
        o->value = NULL;
        op_release(o);
        return;
    }
    struct entry *e = fl_xcalloc(1, sizeof(*e));
    e->hash = h;
    e->key = o->key;
    e->keylen = o->keylen;
    e->value = o->value;
    e->vlen = o->vlen;
    e->create_rev = o->create_rev;
    e->mod_rev = o->mod_rev;
    o->key = NULL; /* owned by the entry now */
    o->value = NULL;
    e->next = *pp;
    *pp = e;
    if (++m->count > m->nbuckets)
        grow(m);
}

static int mem_load(struct fl_backend *b, fl_backend_load_fn fn, void *ctx, uint64_t *rev,
                    struct fl_err *err)
{
    struct mem *m = to_mem(b);

    drop_staged(m); /* a new session: what the last one staged never happened */
    for (size_t i = 0; i < m->nbuckets; i++) {
        for (struct entry *e = m->buckets[i]; e; e = e->next) {
            struct fl_kv kv = {
                .key = e->key,
                .keylen = e->keylen,
                .value = e->value,
                .vlen = e->vlen,
                .create_rev = e->create_rev,
                .mod_rev = e->mod_rev,
            };
            int rc = fn(ctx, &kv);
            if (rc)
                return rc;
        }
    }
    *rev = m->rev;
    return 0;
}

static int mem_put(struct fl_backend *b, const struct fl_kv *kv, uint64_t prev_mod_rev,
                   struct fl_err *err)
{
    struct mem *m = to_mem(b);
    struct op *o = stage(m);
    o->key = dup_bytes(kv->key, kv->keylen);
    o->keylen = kv->keylen;
    o->value = dup_bytes(kv->value, kv->vlen);
    o->vlen = kv->vlen;
    o->create_rev = kv->create_rev;
    o->mod_rev = kv->mod_rev;
    return 0;
}

static int mem_del(struct fl_backend *b, const char *key, size_t keylen, uint64_t prev_mod_rev,
                   uint64_t rev, struct fl_err *err)
{
    struct mem *m = to_mem(b);
    struct op *o = stage(m);
    o->is_del = 1;
    o->key = dup_bytes(key, keylen);
    o->keylen = keylen;
    o->mod_rev = rev;
    return 0;
}

static int mem_commit(struct fl_backend *b, uint64_t rev, struct fl_err *err)
{
    struct mem *m = to_mem(b);

    if (m->fail_commits > 0) {
        m->fail_commits--;
        size_t n = m->nops;
        drop_staged(m);
        return fl_errf(err, 500, "InternalError",
                       "memory backend: injected commit failure at revision %llu (%zu staged "
                       "writes dropped)",
                       (unsigned long long)rev, n);
    }
    for (size_t i = 0; i < m->nops; i++)
        apply(m, &m->ops[i]);
    m->nops = 0; /* every op's buffers were taken or freed by apply() */
    m->rev = rev;
    return 0;
}

static void mem_close(struct fl_backend *b)
{
    struct mem *m = to_mem(b);
    drop_staged(m);
    free(m->ops);
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct entry *e = m->buckets[i];
        while (e) {
            struct entry *next = e->next;
            entry_free(e);
            e = next;
        }
    }
    free(m->buckets);
    free(m);
}

static const struct fl_backend_ops memory_ops = {
    .name = "memory",
    .load = mem_load,
    .put = mem_put,
    .del = mem_del,
    .commit = mem_commit,
    .close = mem_close,
};

struct fl_backend *fl_backend_memory_new(void)
{
    struct mem *m = fl_xcalloc(1, sizeof(*m));
    m->base.ops = &memory_ops;
    m->nbuckets = 64;
    m->buckets = fl_xcalloc(m->nbuckets, sizeof(*m->buckets));
    return &m->base;
}

void fl_backend_memory_fail_commit(struct fl_backend *b, int n)
{
    to_mem(b)->fail_commits = n > 0 ? n : 0;
}

/* ---- volatile: nothing kept ---------------------------------------------- */

static int vol_load(struct fl_backend *b, fl_backend_load_fn fn, void *ctx, uint64_t *rev,
                    struct fl_err *err)
{
    *rev = 0;
    return 0;
}

static int vol_put(struct fl_backend *b, const struct fl_kv *kv, uint64_t prev_mod_rev,
                   struct fl_err *err)
{
    return 0;
}

static int vol_del(struct fl_backend *b, const char *key, size_t keylen, uint64_t prev_mod_rev,
                   uint64_t rev, struct fl_err *err)
{
    return 0;
}

static int vol_commit(struct fl_backend *b, uint64_t rev, struct fl_err *err)
{
    return 0;
}

static void vol_close(struct fl_backend *b)
{
    free(b);
}

static const struct fl_backend_ops volatile_ops = {
    .name = "volatile",
    .load = vol_load,
    .put = vol_put,
    .del = vol_del,
    .commit = vol_commit,
    .close = vol_close,
};

struct fl_backend *fl_backend_volatile_new(void)
{
    struct fl_backend *b = fl_xcalloc(1, sizeof(*b));
    b->ops = &volatile_ops;
    return b;
}
