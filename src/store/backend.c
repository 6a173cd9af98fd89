/*
 * The fl_backend_* wrappers: thin calls through the backend's vtable, so
 * callers never spell b->ops->x(b, ...). No state, no invariants of its own;
 * see backend.h for the contract every backend keeps.
 */
#include "store/backend.h"

int fl_backend_load(struct fl_backend *b, fl_backend_load_fn fn, void *ctx, uint64_t *rev,
                    struct fl_err *err)
{
    return b->ops->load(b, fn, ctx, rev, err);
}

int fl_backend_put(struct fl_backend *b, const struct fl_kv *kv, uint64_t prev_mod_rev,
                   struct fl_err *err)
{
    return b->ops->put(b, kv, prev_mod_rev, err);
}

int fl_backend_del(struct fl_backend *b, const char *key, size_t keylen, uint64_t prev_mod_rev,
                   uint64_t rev, struct fl_err *err)
{
    return b->ops->del(b, key, keylen, prev_mod_rev, rev, err);
}

int fl_backend_commit(struct fl_backend *b, uint64_t rev, struct fl_err *err)
{
    return b->ops->commit(b, rev, err);
}

void fl_backend_close(struct fl_backend *b)
{
    if (b)
        b->ops->close(b);
}
