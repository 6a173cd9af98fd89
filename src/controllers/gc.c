/*
 * The garbage collector: see gc.h for what it does.
 *
 * The graph holds only what ownership needs: one node per object that has
 * ownerReferences (by store key) and one edge per reference, in a tree
 * ordered by (owner uid, dependent key) so an owner's dependents are a range.
 * Objects without references cost nothing, and objects are parsed only when
 * their bytes mention "ownerReferences" or "deletionTimestamp".
 *
 * One work queue of store keys and one reconcile, which looks at the object
 * as it is now:
 *  - being deleted with "orphan": strip the references to it from its
 *    dependents, then drop the finalizer (and "foregroundDeletion": nothing
 *    depends on it any more);
 *  - being deleted with "foregroundDeletion": drop the finalizer once no
 *    dependent with blockOwnerDeletion is left;
 *  - otherwise, with owners: classify each owner as solid, absent, or
 *    waiting for its dependents (foreground), and delete the object or drop
 *    references as attemptToDeleteItem does.
 * What queues a key: a watch event that adds an edge (check the owners), an
 * owner's deletion (its dependents), an owner's move into deletion with one of
 * the two finalizers (the owner; for foreground also its dependents), the
 * loss of a blocking edge (the owner it blocked), and at the end of the
 * initial sync every dependent and every owner with pending work, which is
 * how dependents of owners deleted while the server was down are collected.
 *
 * Invariants: until the initial sync ends nothing is queued and watch events
 * are buffered (in order, with references), so the queue only ever runs on a
 * complete graph; the graph changes only in the watch callback and the sync,
 * never inside a reconcile, so a reconcile may walk edges while it writes.
 */
#include "controllers/gc.h"

#include <bsd/sys/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/registry.h"
#include "controllers/workqueue.h"

#define SYNC_CHUNK 500 /* objects taken into the graph per loop turn at start (~10 ms) */

static const char FIN_ORPHAN[] = "orphan";
static const char FIN_FOREGROUND[] = "foregroundDeletion";

struct dep;

/* One ownerReference of a dependent: the edge owner uid -> dependent. */
struct ref {
    RB_ENTRY(ref) link;  /* in gc->edges */
    const char *dep_key; /* == dep->key */
    struct dep *dep;
    char *uid; /* one allocation: uid, apiVersion, kind, name */
    const char *api_version, *kind, *name;
    bool block; /* blockOwnerDeletion */
};

/* An object with ownerReferences. */
struct dep {
    RB_ENTRY(dep) link; /* in gc->deps */
    size_t n;
    struct ref *refs;
    char key[];
};

static int ref_cmp(const struct ref *a, const struct ref *b)
{
    int c = strcmp(a->uid, b->uid);
    return c ? c : strcmp(a->dep_key, b->dep_key);
}

static int dep_cmp(const struct dep *a, const struct dep *b)
{
    return strcmp(a->key, b->key);
}

RB_HEAD(fl_gc_edges, ref);
RB_PROTOTYPE(fl_gc_edges, ref, link, ref_cmp)
RB_GENERATE(fl_gc_edges, ref, link, ref_cmp)
RB_HEAD(fl_gc_deps, dep);
RB_PROTOTYPE(fl_gc_deps, dep, link, dep_cmp)
RB_GENERATE(fl_gc_deps, dep, link, dep_cmp)

/* An owner as last parsed: valid while o is the current version (immutable
 * objects: a new version is a new pointer; the reference keeps o alive, so
 * its address is not reused). */

struct fl_gc {
    struct event_base *base;
    struct fl_store *store;
    struct fl_watch *watch;
    struct fl_workqueue *q;
    struct fl_gc_deps deps;
    struct fl_gc_edges edges;
    /* The initial sync: objects listed at start, taken in chunks; events
     * that arrive meanwhile wait in `buffered`. */
    bool synced;
    struct event *sync_ev;
    struct fl_obj **snap;
    size_t nsnap, next;
    struct fl_event *buffered;
    size_t nbuf, buf_cap;
};

/* ---- small helpers ------------------------------------------------------ */

/* Does the serialized object mention s at all? A cheap test before parsing. */
static bool mentions(const struct fl_obj *o, const char *s)
{
    return memmem(o->bytes, o->len, s, strlen(s)) != NULL;
}

/* The JSON array after the first "ownerReferences": in o's bytes, as a span
 * (*len 0 when there is none). Brackets inside strings don't count. */
static const char *refs_span(const struct fl_obj *o, size_t *len)
{
    static const char k[] = "\"ownerReferences\":[";
    const char *p = memmem(o->bytes, o->len, k, sizeof(k) - 1), *end = o->bytes + o->len;
    *len = 0;
    if (!p)
        return NULL;
    const char *start = p += sizeof(k) - 2;
    int depth = 0;
    bool in_str = false;
    for (; p < end; p++) {
        if (in_str) {
            if (*p == '\\')
                p++;
            else if (*p == '"')
                in_str = false;
        } else if (*p == '"') {
            in_str = true;
        } else if (*p == '[') {
            depth++;
        } else if (*p == ']' && --depth == 0) {
            *len = (size_t)(p + 1 - start);
            return start;
        }
    }
    return NULL;
}

/* A change the graph need not see: neither version is being deleted and
 * the ownerReferences are the same bytes (a status update, a Lease renewal). */
static bool refs_unchanged(const struct fl_obj *o, const struct fl_obj *prev)
{
    if (!prev || mentions(o, "deletionTimestamp") || mentions(prev, "deletionTimestamp"))
        return false;
    size_t a, b;
    const char *x = refs_span(o, &a), *y = refs_span(prev, &b);
    return a == b && (a == 0 || memcmp(x, y, a) == 0);
}

static bool has_str(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), s))
            return true;
    }
    return false;
}

/* Remove every s from arr; true if there was one. */
static bool remove_str(json_t *arr, const char *s)
{
    bool found = false;
    for (size_t i = json_array_size(arr); i-- > 0;) {
        json_t *v = json_array_get(arr, i);
        if (json_is_string(v) && !strcmp(json_string_value(v), s)) {
            json_array_remove(arr, i);
            found = true;
        }
    }
    return found;
}

/* Being deleted, with a finalizer of ours still on? */
static bool gc_finalizing(const json_t *md, bool *fg)
{
    const json_t *fins = json_object_get(md, "finalizers");
    *fg = has_str(fins, FIN_FOREGROUND);
    return json_object_get(md, "deletionTimestamp") && (*fg || has_str(fins, FIN_ORPHAN));
}

/* The parts of a store key "<group>/<resource>/<namespace>/<name>". */
struct key_parts {
    char group[256], resource[64], ns[64];
    const char *name; /* borrowed from the key */
};

static bool key_split(const char *key, struct key_parts *p)
{
    char *bufs[3] = {p->group, p->resource, p->ns};
    size_t caps[3] = {sizeof(p->group), sizeof(p->resource), sizeof(p->ns)};
    const char *s = key;
    for (int i = 0; i < 3; i++) {
        const char *slash = strchr(s, '/');
        if (!slash || (size_t)(slash - s) >= caps[i])
            return false;
        memcpy(bufs[i], s, slash - s);
        bufs[i][slash - s] = '\0';
        s = slash + 1;
    }
    p->name = s;
    return s[0] != '\0';
}

/* The served type of an owner reference (apiVersion's group and kind; any
 * version of the group: the store key does not depend on it), or NULL. */
static const struct fl_rtype *owner_type(const char *api_version, const char *kind)
{
    const char *slash = strchr(api_version, '/');
    size_t glen = slash ? (size_t)(slash - api_version) : 0;
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        if (!strcmp(t->kind, kind) && strlen(t->group) == glen &&
            !strncmp(t->group, api_version, glen))
            return t;
    }
    return NULL;
}

/* The store key where the owner named by (api_version, kind, name) of a
 * dependent in namespace ns lives: namespaced owners in the dependent's
 * namespace. False if the kind is not served or a cluster-scoped dependent
 * names a namespaced kind. */
static bool owner_key(const char *api_version, const char *kind, const char *name, const char *ns,
                      const struct fl_rtype **type, char *key)
{
    const struct fl_rtype *t = owner_type(api_version, kind);
    if (type)
        *type = t;
    if (!t || !name[0] || (t->namespaced && !ns[0]))
        return false;
    fl_store_key(key, t->group, t->resource, t->namespaced ? ns : "", name);
    return true;
}

/* ---- the graph ---------------------------------------------------------- */

static struct dep *dep_find(struct fl_gc *gc, const char *key)
{
    struct dep *n = RB_ROOT(&gc->deps);
    while (n) {
        int c = strcmp(key, n->key);
        if (c == 0)
            return n;
        n = c < 0 ? RB_LEFT(n, link) : RB_RIGHT(n, link);
    }
    return NULL;
}

/* The first edge from owner uid (iterate with RB_NEXT while e->uid matches). */
static struct ref *edges_from(struct fl_gc *gc, const char *uid)
{
    struct ref probe = {.uid = (char *)uid, .dep_key = ""};
    struct ref *e = RB_NFIND(fl_gc_edges, &gc->edges, &probe);
    return e && !strcmp(e->uid, uid) ? e : NULL;
}

#define FOREACH_DEPENDENT(e, gc, owner_uid)                                                        \
    for ((e) = edges_from((gc), (owner_uid)); (e) && !strcmp((e)->uid, (owner_uid));               \
         (e) = RB_NEXT(fl_gc_edges, &(gc)->edges, (e)))

/* The valid references in md's ownerReferences, one per owner uid (a
 * duplicate uid blocks if any of its copies does). *out: new array. */
static size_t parse_refs(const json_t *md, struct ref **out)
{
    const json_t *arr = json_object_get(md, "ownerReferences");
    struct ref *refs = NULL;
    size_t n = 0, i, j;
    json_t *r;
    json_array_foreach(arr, i, r)
    {
        const char *uid = fl_json_str(r, "uid");
        bool block = json_is_true(json_object_get(r, "blockOwnerDeletion"));
        if (!uid[0])
            continue;
        for (j = 0; j < n && strcmp(refs[j].uid, uid) != 0; j++)
            ;
        if (j < n) {
            refs[j].block |= block;
            continue;
        }
        const char *f[4] = {uid, fl_json_str(r, "apiVersion"), fl_json_str(r, "kind"),
                            fl_json_str(r, "name")};
        size_t len[4], total = 0;
        for (int k = 0; k < 4; k++)
            total += (len[k] = strlen(f[k])) + 1;
        char *s = fl_xmalloc(total), *p = s;
        refs = fl_xrealloc(refs, (n + 1) * sizeof(*refs));
        memset(&refs[n], 0, sizeof(*refs));
        const char *at[4];
        for (int k = 0; k < 4; k++) {
            memcpy(p, f[k], len[k] + 1);
            at[k] = p;
            p += len[k] + 1;
        }
        refs[n].uid = s;
        refs[n].api_version = at[1];
        refs[n].kind = at[2];
        refs[n].name = at[3];
        refs[n].block = block;
        n++;
    }
    *out = refs;
    return n;
}

static struct ref *dep_ref(struct dep *d, const char *uid)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->refs[i].uid, uid))
            return &d->refs[i];
    return NULL;
}

static void refs_free(struct ref *refs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(refs[i].uid);
    free(refs);
}

static void dep_remove(struct fl_gc *gc, struct dep *d)
{
    for (size_t i = 0; i < d->n; i++)
        RB_REMOVE(fl_gc_edges, &gc->edges, &d->refs[i]);
    RB_REMOVE(fl_gc_deps, &gc->deps, d);
    refs_free(d->refs, d->n);
    free(d);
}

/* Queue the owner a lost blocking edge of dependent key pointed to. */
static void queue_owner(struct fl_gc *gc, const char *dep_key, const struct ref *r)
{
    struct key_parts kp;
    char key[FL_KEY_MAX];
    if (key_split(dep_key, &kp) && owner_key(r->api_version, r->kind, r->name, kp.ns, NULL, key))
        fl_workqueue_add(gc->q, key);
}

static void queue_dependents(struct fl_gc *gc, const char *owner_uid)
{
    struct ref *e;
    FOREACH_DEPENDENT(e, gc, owner_uid)
    {
        fl_workqueue_add(gc->q, e->dep_key);
    }
}

/* Make the node of key say what md (NULL: no references, or deleted) says.
 * Unless quiet, owners that lose a blocking edge are queued (one waiting in
 * the foreground may be done). Returns whether an edge was added. */
static bool graph_set(struct fl_gc *gc, const char *key, const json_t *md, bool quiet)
{
    struct ref *refs = NULL;
    size_t n = md ? parse_refs(md, &refs) : 0;
    struct dep *old = dep_find(gc, key);
    bool added = false;
    for (size_t i = 0; i < n && !added; i++)
        added = !old || !dep_ref(old, refs[i].uid);
    if (old) {
        for (size_t i = 0; i < old->n && !quiet; i++) {
            struct ref *r = &old->refs[i];
            const struct ref *now = NULL;
            for (size_t j = 0; j < n && !now; j++)
                if (!strcmp(refs[j].uid, r->uid))
                    now = &refs[j];
            if (r->block && (!now || !now->block))
                queue_owner(gc, key, r);
        }
        dep_remove(gc, old);
    }
    if (n == 0) {
        free(refs);
        return false;
    }
    size_t klen = strlen(key);
    struct dep *d = fl_xmalloc(sizeof(*d) + klen + 1);
    memcpy(d->key, key, klen + 1);
    d->n = n;
    d->refs = refs;
    RB_INSERT(fl_gc_deps, &gc->deps, d);
    for (size_t i = 0; i < n; i++) {
        refs[i].dep = d;
        refs[i].dep_key = d->key;
        RB_INSERT(fl_gc_edges, &gc->edges, &refs[i]);
    }
    return added;
}

/* Take one committed event into the graph and queue what it calls for. */
static void apply(struct fl_gc *gc, const struct fl_event *ev)
{
    struct fl_obj *o = ev->obj;
    json_t *doc = NULL;
    if (ev->type == FL_DELETED) {
        graph_set(gc, o->key, NULL, false);
        if (RB_EMPTY(&gc->edges))
            return;
        /* The store's delete has usually extracted the last version's
         * metadata already; else parse (not fl_obj_meta: it would stay). */
        if (ev->prev && ev->prev->meta)
            queue_dependents(gc, ev->prev->meta->uid);
        else if ((doc = fl_obj_json(o)) != NULL)
            queue_dependents(gc, fl_json_str(fl_json_metadata(doc), "uid"));
    } else if (ev->type == FL_MODIFIED && refs_unchanged(o, ev->prev)) {
        return;
    } else {
        const json_t *md = NULL;
        if ((mentions(o, "ownerReferences") || mentions(o, "deletionTimestamp")) &&
            (doc = fl_obj_json(o)) != NULL)
            md = fl_json_metadata(doc);
        if (graph_set(gc, o->key, md, false))
            fl_workqueue_add(gc->q, o->key);
        bool fg;
        if (md && gc_finalizing(md, &fg)) {
            fl_workqueue_add(gc->q, o->key);
            if (fg)
                queue_dependents(gc, fl_json_str(md, "uid"));
        }
    }
    json_decref(doc);
}

/* ---- the initial sync --------------------------------------------------- */

static void sync_done(struct fl_gc *gc)
{
    gc->synced = true;
    for (size_t i = 0; i < gc->nsnap; i++) {
        if (gc->snap[i])
            fl_workqueue_add(gc->q, gc->snap[i]->key);
        fl_obj_unref(gc->snap[i]);
    }
    free(gc->snap);
    gc->snap = NULL;
    gc->nsnap = gc->next = 0;
    for (size_t i = 0; i < gc->nbuf; i++) {
        apply(gc, &gc->buffered[i]);
        fl_obj_unref(gc->buffered[i].obj);
        fl_obj_unref(gc->buffered[i].prev);
    }
    free(gc->buffered);
    gc->buffered = NULL;
    gc->nbuf = gc->buf_cap = 0;
}

/* A chunk of the listed objects into the graph; the ones to look at once
 * the graph is complete stay in snap, the rest are dropped. */
static void on_sync(evutil_socket_t fd, short what, void *arg)
{
    struct fl_gc *gc = arg;
    size_t end = gc->next + SYNC_CHUNK < gc->nsnap ? gc->next + SYNC_CHUNK : gc->nsnap;
    for (; gc->next < end; gc->next++) {
        struct fl_obj *o = gc->snap[gc->next];
        bool keep = false, fg;
        json_t *doc = NULL;
        if ((mentions(o, "ownerReferences") || mentions(o, "deletionTimestamp")) &&
            (doc = fl_obj_json(o)) != NULL) {
            json_t *md = fl_json_metadata(doc);
            keep = graph_set(gc, o->key, md, true) || gc_finalizing(md, &fg);
            json_decref(doc);
        }
        if (!keep) {
            fl_obj_unref(o);
            gc->snap[gc->next] = NULL;
        }
    }
    if (gc->next < gc->nsnap) {
        static const struct timeval zero = {0, 0};
        evtimer_add(gc->sync_ev, &zero); /* the rest next turn */
        return;
    }
    sync_done(gc);
}

static void on_event(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fl_gc *gc = ctx;
    if (gc->synced) {
        apply(gc, ev);
        return;
    }
    if (gc->nbuf == gc->buf_cap) {
        gc->buf_cap = gc->buf_cap ? 2 * gc->buf_cap : 64;
        gc->buffered = fl_xrealloc(gc->buffered, gc->buf_cap * sizeof(*gc->buffered));
    }
    struct fl_event *b = &gc->buffered[gc->nbuf++];
    *b = *ev;
    fl_obj_ref(b->obj);
    fl_obj_ref(b->prev);
}

/* ---- reconcile ---------------------------------------------------------- */

/* The resource of a write of doc, with whether the store manages
 * metadata.generation for it (as the API's writes say): from the registry,
 * or for a type no longer served from the object itself. */
static struct fl_store_res write_res(const struct fl_store_res *res, json_t *doc)
{
    struct fl_store_res r = *res;
    const struct fl_rtype *t;
    r.dry_run = false;
    r.generation = json_object_get(fl_json_metadata(doc), "generation") != NULL;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        if (!strcmp(t->group, r.group) && !strcmp(t->resource, r.resource)) {
            r.generation = t->generation;
            break;
        }
    }
    return r;
}

static int update(struct fl_gc *gc, const struct fl_store_res *res, const char *key, json_t *doc,
                  struct fl_err *err)
{
    struct fl_store_res r = write_res(res, doc);
    bool deleted;
    return fl_store_update(gc->store, &r, key, doc, NULL, &deleted, err);
}

/* Delete the object at key if it is still the one doc is a copy of. */
static int delete_doc(struct fl_gc *gc, const struct fl_store_res *res, const char *key,
                      json_t *doc, struct fl_err *err)
{
    struct fl_store_res r = write_res(res, doc);
    bool deleted;
    struct fl_store_precond pre = {.uid = fl_json_str(fl_json_metadata(doc), "uid")};
    return fl_store_delete(gc->store, &r, key, &pre, NULL, &deleted, err);
}

/* Remove the references to owner uid (or, with uid NULL, to any owner in
 * `uids`) from md; true if any went. The member goes when it empties. */
static bool drop_refs(json_t *md, const char *uid, json_t *uids)
{
    json_t *arr = json_object_get(md, "ownerReferences");
    bool changed = false;
    for (size_t i = json_array_size(arr); i-- > 0;) {
        const char *u = fl_json_str(json_array_get(arr, i), "uid");
        if (uid ? !strcmp(u, uid) : has_str(uids, u)) {
            json_array_remove(arr, i);
            changed = true;
        }
    }
    if (changed && json_array_size(arr) == 0)
        json_object_del(md, "ownerReferences");
    return changed;
}

/* Run fn on the parsed current object at key (a dependent of something);
 * an object that went away is skipped. */
static int with_object(struct fl_gc *gc, const char *key,
                       int (*fn)(struct fl_gc *gc, const struct fl_store_res *res, const char *key,
                                 json_t *doc, void *arg, struct fl_err *err),
                       void *arg, struct fl_err *err)
{
    struct key_parts kp;
    if (!key_split(key, &kp))
        return FL_OK;
    struct fl_store_res res = {.group = kp.group, .resource = kp.resource};
    struct fl_obj *o = NULL;
    if (fl_store_get(gc->store, &res, key, &o, err) != 0)
        return err->code == 404 ? FL_OK : FL_EFAIL;
    json_t *doc = fl_obj_json(o);
    int rc = doc ? fn(gc, &res, key, doc, arg, err) : FL_OK;
    json_decref(doc);
    fl_obj_unref(o);
    if (rc != 0 && err->code == 404)
        rc = FL_OK;
    return rc;
}

static int orphan_one(struct fl_gc *gc, const struct fl_store_res *res, const char *key,
                      json_t *doc, void *owner_uid, struct fl_err *err)
{
    if (!drop_refs(fl_json_metadata(doc), owner_uid, NULL))
        return FL_OK;
    return update(gc, res, key, doc, err);
}

/* An owner being deleted with one of our finalizers. */
static int finish_owner(struct fl_gc *gc, const struct fl_store_res *res, const char *key,
                        json_t *doc, struct fl_err *err)
{
    json_t *md = fl_json_metadata(doc);
    json_t *fins = json_object_get(md, "finalizers");
    const char *uid = fl_json_str(md, "uid");
    if (has_str(fins, FIN_ORPHAN)) {
        struct ref *e;
        FOREACH_DEPENDENT(e, gc, uid)
        {
            if (with_object(gc, e->dep_key, orphan_one, (void *)uid, err) != 0)
                return FL_EFAIL;
        }
        /* Nothing depends on it now, so foreground deletion is over too. */
        remove_str(fins, FIN_ORPHAN);
        remove_str(fins, FIN_FOREGROUND);
        return update(gc, res, key, doc, err);
    }
    if (!has_str(fins, FIN_FOREGROUND))
        return FL_WQ_DONE;
    struct ref *e;
    FOREACH_DEPENDENT(e, gc, uid)
    {
        if (e->block)
            return FL_WQ_DONE; /* queued again when that edge goes */
    }
    remove_str(fins, FIN_FOREGROUND);
    return update(gc, res, key, doc, err);
}

enum owner_state { SOLID, ABSENT, WAITING };

/* Is the owner at key (of type t) the one with uid, and is it waiting for
 * its dependents? */
static int owner_state(struct fl_gc *gc, const struct fl_rtype *t, const char *key, const char *uid,
                       enum owner_state *st, struct fl_err *err)
{
    struct fl_store_res res = {.group = t->group, .resource = t->resource};
    struct fl_obj *o = NULL;
    if (fl_store_get(gc->store, &res, key, &o, err) != 0) {
        if (err->code != 404)
            return FL_EFAIL;
        fl_err_clear(err);
        *st = ABSENT;
        return FL_OK;
    }
    /* The owner's metadata, extracted once per version and kept with it:
     * many dependents share an owner. */
    const struct fl_meta *m = fl_obj_meta(o);
    bool absent = strcmp(m->uid, uid) != 0;
    bool waiting = m->deletion_timestamp[0] && has_str(m->finalizers, FIN_FOREGROUND);
    fl_obj_unref(o);
    *st = absent ? ABSENT : waiting ? WAITING : SOLID;
    return FL_OK;
}

static int fg_check(struct fl_gc *gc, const struct fl_store_res *res, const char *key, json_t *doc,
                    void *found, struct fl_err *err)
{
    bool fg;
    if (gc_finalizing(fl_json_metadata(doc), &fg) && fg)
        *(bool *)found = true;
    return FL_OK;
}

/* A dependent with an owner waiting for it, and dependents of its own:
 * delete it in the foreground too. If one of its dependents is itself
 * waiting, the chain may be a cycle: make its references non-blocking first
 * (attemptToDeleteItem's unblockOwnerReferences). */
static int delete_foreground(struct fl_gc *gc, const struct fl_store_res *res, const char *key,
                             json_t *doc, struct fl_err *err)
{
    json_t *md = fl_json_metadata(doc);
    const char *uid = fl_json_str(md, "uid");
    bool cycle = false, changed = false;
    struct ref *e;
    FOREACH_DEPENDENT(e, gc, uid)
    {
        if (!cycle && with_object(gc, e->dep_key, fg_check, &cycle, err) != 0)
            return FL_EFAIL;
    }
    if (cycle) {
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(md, "ownerReferences"), i, r)
        {
            if (json_is_true(json_object_get(r, "blockOwnerDeletion"))) {
                json_object_set_new(r, "blockOwnerDeletion", json_false());
                changed = true;
            }
        }
    }
    json_t *fins = json_object_get(md, "finalizers");
    if (!json_is_array(fins)) {
        fins = json_array();
        json_object_set_new(md, "finalizers", fins);
    }
    if (!has_str(fins, FIN_FOREGROUND)) {
        json_array_append_new(fins, json_string(FIN_FOREGROUND));
        changed = true;
    }
    if (changed && update(gc, res, key, doc, err) != 0)
        return FL_EFAIL;
    return delete_doc(gc, res, key, doc, err);
}

/* A dependent not being deleted: attemptToDeleteItem. */
static int check_owners(struct fl_gc *gc, const struct fl_store_res *res,
                        const struct key_parts *kp, const char *key, json_t *doc,
                        struct fl_err *err)
{
    json_t *md = fl_json_metadata(doc);
    json_t *refs = json_object_get(md, "ownerReferences");
    json_t *gone = json_array(); /* uids of absent and waiting owners */
    size_t nsolid = 0, nwaiting = 0, i;
    json_t *r;
    int rc = FL_WQ_DONE;
    json_array_foreach(refs, i, r)
    {
        const char *uid = fl_json_str(r, "uid"), *av = fl_json_str(r, "apiVersion"),
                   *kind = fl_json_str(r, "kind");
        const struct fl_rtype *t;
        char okey[FL_KEY_MAX];
        enum owner_state st;
        if (!uid[0])
            continue;
        if (!owner_key(av, kind, fl_json_str(r, "name"), kp->ns, &t, okey)) {
            if (!t) {
                rc = fl_errf(err, 500, "InternalError",
                             "cannot look up owner %s %s: kind %s is not served in %s", kind,
                             fl_json_str(r, "name"), kind, av);
                goto out;
            }
            /* A cluster-scoped object naming a namespaced owner: it can never
             * resolve, so the object is never collected (as in Kubernetes). */
            if (t->namespaced && !kp->ns[0])
                goto out;
            continue;
        }
        if ((rc = owner_state(gc, t, okey, uid, &st, err)) != 0)
            goto out;
        if (st == SOLID)
            nsolid++;
        else
            json_array_append_new(gone, json_string(uid));
        nwaiting += st == WAITING;
    }
    if (json_array_size(gone) == 0)
        goto out;
    if (nsolid) {
        drop_refs(md, NULL, gone);
        rc = update(gc, res, key, doc, err);
    } else if (nwaiting && edges_from(gc, fl_json_str(md, "uid"))) {
        rc = delete_foreground(gc, res, key, doc, err);
    } else {
        /* Its own finalizers (orphan, foregroundDeletion) say how. */
        rc = delete_doc(gc, res, key, doc, err);
    }
out:
    json_decref(gone);
    return rc;
}

static int reconcile(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err)
{
    struct fl_gc *gc = ctx;
    struct key_parts kp;
    if (NEVER(!gc->synced) || !key_split(key, &kp))
        return FL_WQ_DONE;
    struct fl_store_res res = {.group = kp.group, .resource = kp.resource};
    struct fl_obj *o = NULL;
    if (fl_store_get(gc->store, &res, key, &o, err) != 0)
        return FL_EFAIL; /* 404: done */
    json_t *doc = fl_obj_json(o);
    int rc = FL_WQ_DONE;
    if (!doc)
        rc = fl_errf(err, 500, "InternalError", "stored object %s is corrupt", key);
    else if (json_object_get(fl_json_metadata(doc), "deletionTimestamp"))
        rc = finish_owner(gc, &res, key, doc, err);
    else
        rc = check_owners(gc, &res, &kp, key, doc, err);
    json_decref(doc);
    fl_obj_unref(o);
    return rc;
}

/* ---- lifecycle ---------------------------------------------------------- */

/* Every object of every served type (each group/resource once: versions
 * share keys), as new references. */
static void list_all(struct fl_gc *gc)
{
    const struct fl_rtype *t;
    size_t cap = 0;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        const struct fl_rtype *u;
        size_t j;
        for (j = 0; j < i && (u = fl_registry_at(j)) != NULL; j++)
            if (!strcmp(u->group, t->group) && !strcmp(u->resource, t->resource))
                break;
        if (j < i)
            continue;
        char prefix[FL_KEY_MAX];
        struct fl_store_list l;
        struct fl_err err;
        fl_store_key(prefix, t->group, t->resource, NULL, NULL);
        if (NEVER(fl_store_list(gc->store, prefix, NULL, 0, NULL, &l, &err) != 0))
            continue; /* cannot fail without a continue token */
        if (gc->nsnap + l.n > cap) {
            cap = (gc->nsnap + l.n) * 2;
            gc->snap = fl_xrealloc(gc->snap, cap * sizeof(*gc->snap));
        }
        for (size_t k = 0; k < l.n; k++)
            gc->snap[gc->nsnap++] = fl_obj_ref(l.items[k]);
        fl_store_list_release(&l);
    }
}

int fl_gc_start(struct event_base *base, struct fl_store *store, struct fl_gc **out,
                struct fl_err *err)
{
    struct fl_gc *gc = fl_xcalloc(1, sizeof(*gc));
    gc->base = base;
    gc->store = store;
    RB_INIT(&gc->deps);
    RB_INIT(&gc->edges);
    struct fl_workqueue_opts qo = {.name = "garbage-collector", .reconcile = reconcile, .ctx = gc};
    gc->q = fl_workqueue_new(base, &qo);
    gc->sync_ev = evtimer_new(base, on_sync, gc);
    FL_ASSERT(gc->sync_ev != NULL);
    /* From now (0): the list below is of the same revision, uncommitted
     * writes included, and the watch starts after it. */
    if (fl_store_watch(store, "", 0, on_event, gc, &gc->watch, err) != 0) {
        fl_gc_stop(gc);
        return FL_EFAIL;
    }
    list_all(gc);
    static const struct timeval zero = {0, 0};
    evtimer_add(gc->sync_ev, &zero);
    *out = gc;
    return FL_OK;
}

void fl_gc_stop(struct fl_gc *gc)
{
    if (!gc)
        return;
    fl_watch_close(gc->watch);
    fl_workqueue_free(gc->q);
    event_free(gc->sync_ev);
    for (size_t i = 0; i < gc->nsnap; i++)
        fl_obj_unref(gc->snap[i]);
    free(gc->snap);
    for (size_t i = 0; i < gc->nbuf; i++) {
        fl_obj_unref(gc->buffered[i].obj);
        fl_obj_unref(gc->buffered[i].prev);
    }
    free(gc->buffered);
    struct dep *d, *next;
    RB_FOREACH_SAFE(d, fl_gc_deps, &gc->deps, next)
    {
        dep_remove(gc, d);
    }
    free(gc);
}

bool fl_gc_synced(const struct fl_gc *gc)
{
    return gc->synced;
}

size_t fl_gc_pending(const struct fl_gc *gc)
{
    return fl_workqueue_len(gc->q) + fl_workqueue_waiting(gc->q) + !gc->synced;
}
