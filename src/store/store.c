/*
 * The object store: see store.h for the contract.
 *
 * State: a red-black tree of nodes (key -> current object), the revision
 * counter, a ring of recent events and the list of watchers. Invariants:
 *  - every write makes exactly one event, with revision s->rev + 1, so the
 *    ring holds consecutive revisions (hist_base, s->rev];
 *  - s->committed <= s->rev: events above s->committed are not durable yet
 *    and no watcher has seen them; s->delivered == s->committed between turns;
 *  - the ring never drops an event that has not been delivered, nor any
 *    event while watchers are being called (it grows instead).
 */
#include "store/store.h"

#include <bsd/sys/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "store/cont.h"

#define DEFAULT_HISTORY 50000

struct node {
    RB_ENTRY(node) entry;
    const char *key; /* == obj->key */
    struct fl_obj *obj;
};

static int node_cmp(const struct node *a, const struct node *b)
{
    return strcmp(a->key, b->key);
}

/* Generated as global functions named fl_store_tree_RB_*: the _STATIC
 * variants need BSD's __unused, which glibc's headers do not define. */
RB_HEAD(fl_store_tree, node);
RB_PROTOTYPE(fl_store_tree, node, entry, node_cmp)
RB_GENERATE(fl_store_tree, node, entry, node_cmp)

struct fl_watch {
    TAILQ_ENTRY(fl_watch) link;
    struct fl_store *s;
    char *prefix;
    size_t prefix_len;
    uint64_t from; /* deliver only events after this revision */
    fl_watch_fn fn;
    void *ctx;
    bool closed;
};

TAILQ_HEAD(watch_list, fl_watch);

struct fl_store {
    struct fl_backend *backend;
    struct fl_store_opts opts;
    struct fl_store_tree tree;
    size_t count;
    uint64_t rev;       /* last write */
    uint64_t committed; /* last durable write */
    uint64_t delivered; /* last event given to watchers */
    /* Event ring: ring[(head + i) % cap] for i < n, oldest first. */
    struct fl_event *ring;
    size_t cap, head, n;
    uint64_t hist_base; /* every event with rev > hist_base is in the ring */
    struct watch_list watches;
    int delivering;     /* > 0 while calling watchers: closes are deferred */
    bool reap;
};

static int64_t default_now(void)
{
    return (int64_t)time(NULL);
}

void fl_store_key(char *buf, const char *group, const char *resource, const char *ns,
                  const char *name)
{
    if (!ns)
        snprintf(buf, FL_KEY_MAX, "%s/%s/", group, resource);
    else if (!name)
        snprintf(buf, FL_KEY_MAX, "%s/%s/%s/", group, resource, ns);
    else
        snprintf(buf, FL_KEY_MAX, "%s/%s/%s/%s", group, resource, ns, name);
}

/* Is key covered by prefix? A prefix not ending in '/' is an exact key. */
static bool covers(const char *prefix, size_t plen, const char *key)
{
    if (plen && prefix[plen - 1] != '/')
        return strcmp(prefix, key) == 0;
    return strncmp(key, prefix, plen) == 0;
}

static struct node *find(struct fl_store *s, const char *key)
{
    struct node probe = {.key = key};
    return RB_FIND(fl_store_tree, &s->tree, &probe);
}

/* The name part of a key, for messages. */
static const char *key_name(const char *key)
{
    const char *slash = strrchr(key, '/');
    return slash ? slash + 1 : key;
}

/* "configmaps" or "deployments.apps", as kube-apiserver names resources. */
static void qualified(const struct fl_store_res *r, char *buf, size_t len)
{
    if (r->group[0])
        snprintf(buf, len, "%s.%s", r->resource, r->group);
    else
        snprintf(buf, len, "%s", r->resource);
}

static int not_found(const struct fl_store_res *r, const char *key, struct fl_err *err)
{
    char q[160];
    qualified(r, q, sizeof(q));
    fl_errf(err, 404, "NotFound", "%s \"%s\" not found", q, key_name(key));
    fl_err_details(err, r->group, r->resource, key_name(key));
    return FL_EFAIL;
}

static int conflict(const struct fl_store_res *r, const char *key, const char *why,
                    struct fl_err *err)
{
    char q[160];
    qualified(r, q, sizeof(q));
    fl_errf(err, 409, "Conflict", "Operation cannot be fulfilled on %s \"%s\": %s", q,
            key_name(key), why);
    fl_err_details(err, r->group, r->resource, key_name(key));
    return FL_EFAIL;
}

/* ---- history ---------------------------------------------------------- */

static struct fl_event *ring_at(struct fl_store *s, size_t i)
{
    return &s->ring[(s->head + i) % s->cap];
}

static void ring_grow(struct fl_store *s)
{
    size_t ncap = s->cap * 2;
    struct fl_event *nr = fl_xmalloc(ncap * sizeof(*nr));
    for (size_t i = 0; i < s->n; i++)
        nr[i] = *ring_at(s, i);
    free(s->ring);
    s->ring = nr;
    s->cap = ncap;
    s->head = 0;
}

static void push_event(struct fl_store *s, enum fl_event_type type, struct fl_obj *obj,
                       struct fl_obj *prev)
{
    if (s->n == s->cap) {
        struct fl_event *old = ring_at(s, 0);
        if (old->rev > s->delivered || s->delivering) {
            /* Never drop what watchers have not seen, nor anything while a
             * delivery (which may be replaying old events) is under way. */
            ring_grow(s);
        } else {
            s->hist_base = old->rev;
            fl_obj_unref(old->obj);
            fl_obj_unref(old->prev);
            s->head = (s->head + 1) % s->cap;
            s->n--;
        }
    }
    struct fl_event *ev = ring_at(s, s->n++);
    ev->rev = obj->rev;
    ev->type = type;
    ev->obj = fl_obj_ref(obj);
    ev->prev = fl_obj_ref(prev);
}

/* Index in the ring of the first event with rev > from; requires from >= hist_base. */
static size_t ring_after(struct fl_store *s, uint64_t from)
{
    return (size_t)(from - s->hist_base);
}

static int expired(uint64_t rev, uint64_t base, struct fl_err *err)
{
    return fl_errf(err, 410, "Expired", "too old resource version: %llu (%llu)",
                   (unsigned long long)rev, (unsigned long long)base + 1);
}

const char *fl_event_type_name(enum fl_event_type t)
{
    switch (t) {
    case FL_ADDED:
        return "ADDED";
    case FL_MODIFIED:
        return "MODIFIED";
    case FL_DELETED:
        return "DELETED";
    }
    return "ERROR";
}

/* ---- open / close ----------------------------------------------------- */

static int load_one(void *ctx, const struct fl_kv *kv)
{
    struct fl_store *s = ctx;
    struct node *n = fl_xmalloc(sizeof(*n));
    n->obj = fl_obj_new(kv->key, kv->keylen, kv->value, kv->vlen, kv->create_rev, kv->mod_rev);
    n->key = n->obj->key;
    if (RB_INSERT(fl_store_tree, &s->tree, n) != NULL) {
        fl_obj_unref(n->obj);
        free(n);
        return FL_EFAIL;
    }
    s->count++;
    return FL_OK;
}

int fl_store_open(struct fl_backend *b, const struct fl_store_opts *opts, struct fl_store **out,
                  struct fl_err *err)
{
    struct fl_store *s = fl_xcalloc(1, sizeof(*s));
    s->backend = b;
    if (opts)
        s->opts = *opts;
    if (s->opts.history == 0)
        s->opts.history = DEFAULT_HISTORY;
    if (!s->opts.now)
        s->opts.now = default_now;
    RB_INIT(&s->tree);
    TAILQ_INIT(&s->watches);
    s->cap = s->opts.history;
    s->ring = fl_xmalloc(s->cap * sizeof(*s->ring));
    uint64_t rev = 0;
    if (fl_backend_load(b, load_one, s, &rev, err) != 0) {
        if (err && err->code == 0)
            fl_errf(err, 500, "InternalError", "store: duplicate key while loading");
        fl_store_free(s);
        return FL_EFAIL;
    }
    s->rev = s->committed = s->delivered = s->hist_base = rev;
    *out = s;
    return FL_OK;
}

static void watch_free(struct fl_watch *w)
{
    free(w->prefix);
    free(w);
}

void fl_store_free(struct fl_store *s)
{
    if (!s)
        return;
    struct node *n, *next;
    RB_FOREACH_SAFE(n, fl_store_tree, &s->tree, next)
    {
        RB_REMOVE(fl_store_tree, &s->tree, n);
        fl_obj_unref(n->obj);
        free(n);
    }
    for (size_t i = 0; i < s->n; i++) {
        fl_obj_unref(ring_at(s, i)->obj);
        fl_obj_unref(ring_at(s, i)->prev);
    }
    free(s->ring);
    struct fl_watch *w;
    while ((w = TAILQ_FIRST(&s->watches)) != NULL) {
        TAILQ_REMOVE(&s->watches, w, link);
        watch_free(w);
    }
    free(s);
}

uint64_t fl_store_rev(const struct fl_store *s)
{
    return s->rev;
}

size_t fl_store_count(const struct fl_store *s)
{
    return s->count;
}

bool fl_store_dirty(const struct fl_store *s)
{
    return s->rev != s->committed;
}

/* ---- reads ------------------------------------------------------------ */

int fl_store_get(struct fl_store *s, const struct fl_store_res *r, const char *key,
                 struct fl_obj **out, struct fl_err *err)
{
    struct node *n = find(s, key);
    if (!n)
        return not_found(r, key, err);
    *out = fl_obj_ref(n->obj);
    return FL_OK;
}

/* ---- writes ----------------------------------------------------------- */

static void set_rv(json_t *md, uint64_t rev)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)rev);
    json_object_set_new(md, "resourceVersion", json_string(buf));
}

static void now_rfc3339_after(struct fl_store *s, int64_t seconds, char *buf, size_t len)
{
    const int64_t last = 253402300799; /* 9999-12-31T23:59:59Z: RFC 3339's last second */
    int64_t now = s->opts.now();
    fl_time_rfc3339(seconds > last - now ? last : now + seconds, buf, len);
}

static void now_rfc3339(struct fl_store *s, char *buf, size_t len)
{
    now_rfc3339_after(s, 0, buf, len);
}

static int stage_put(struct fl_store *s, struct fl_obj *o, uint64_t prev_rev, struct fl_err *err)
{
    struct fl_kv kv = {
        .key = o->key,
        .keylen = strlen(o->key),
        .value = o->bytes,
        .vlen = o->len,
        .create_rev = o->create_rev,
        .mod_rev = o->rev,
    };
    return fl_backend_put(s->backend, &kv, prev_rev, err);
}

int fl_store_create(struct fl_store *s, const struct fl_store_res *r, const char *key,
                    json_t *doc, struct fl_obj **out, struct fl_err *err)
{
    if (find(s, key)) {
        char q[160];
        qualified(r, q, sizeof(q));
        fl_errf(err, 409, "AlreadyExists", "%s \"%s\" already exists", q, key_name(key));
        fl_err_details(err, r->group, r->resource, key_name(key));
        return FL_EFAIL;
    }
    uint64_t rev = s->rev + 1;
    json_t *md = fl_json_metadata(doc);
    char uid[40], ts[32];
    fl_uuid4(uid, sizeof(uid));
    now_rfc3339(s, ts, sizeof(ts));
    json_object_set_new(md, "uid", json_string(uid));
    set_rv(md, rev);
    if (r->generation)
        json_object_set_new(md, "generation", json_integer(1));
    else
        json_object_del(md, "generation");
    json_object_set_new(md, "creationTimestamp", json_string(ts));
    json_object_del(md, "deletionTimestamp");
    json_object_del(md, "deletionGracePeriodSeconds");

    if (r->dry_run) {
        json_object_del(md, "resourceVersion");
        if (out)
            *out = fl_obj_from_json(key, doc, 0, 0);
        return FL_OK;
    }
    struct fl_obj *o = fl_obj_from_json(key, doc, rev, rev);
    if (stage_put(s, o, 0, err) != 0) {
        fl_obj_unref(o);
        return FL_EFAIL;
    }
    struct node *n = fl_xmalloc(sizeof(*n));
    n->obj = o;
    n->key = o->key;
    RB_INSERT(fl_store_tree, &s->tree, n);
    s->count++;
    s->rev = rev;
    push_event(s, FL_ADDED, o, NULL);
    if (out)
        *out = fl_obj_ref(o);
    return FL_OK;
}

/* Did anything outside apiVersion, kind, metadata and status change? */
static bool spec_changed(const json_t *a, const json_t *b)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v)
    {
        if (!strcmp(k, "metadata") || !strcmp(k, "status") || !strcmp(k, "apiVersion") ||
            !strcmp(k, "kind"))
            continue;
        if (!json_equal(v, json_object_get(b, k)))
            return true;
    }
    json_object_foreach((json_t *)b, k, v)
    {
        if (!strcmp(k, "metadata") || !strcmp(k, "status") || !strcmp(k, "apiVersion") ||
            !strcmp(k, "kind"))
            continue;
        if (!json_object_get(a, k))
            return true;
    }
    return false;
}

/* Replace node's object with a new version built from doc at the next revision. */
static int replace(struct fl_store *s, struct node *n, json_t *doc, struct fl_obj **out,
                   struct fl_err *err)
{
    uint64_t rev = s->rev + 1;
    set_rv(fl_json_metadata(doc), rev);
    struct fl_obj *o = fl_obj_from_json(n->key, doc, n->obj->create_rev, rev);
    if (stage_put(s, o, n->obj->rev, err) != 0) {
        fl_obj_unref(o);
        return FL_EFAIL;
    }
    struct fl_obj *old = n->obj;
    n->obj = o;
    n->key = o->key;
    s->rev = rev;
    push_event(s, FL_MODIFIED, o, old);
    fl_obj_unref(old);
    if (out)
        *out = fl_obj_ref(o);
    return FL_OK;
}

/* Remove node for good at the next revision; *out gets the final version. */
static int remove_node(struct fl_store *s, struct node *n, struct fl_obj **out,
                       struct fl_err *err)
{
    uint64_t rev = s->rev + 1;
    json_t *doc = fl_obj_json(n->obj);
    if (!doc)
        doc = json_object();
    set_rv(fl_json_metadata(doc), rev);
    struct fl_obj *final = fl_obj_from_json(n->key, doc, n->obj->create_rev, rev);
    json_decref(doc);
    if (fl_backend_del(s->backend, n->key, strlen(n->key), n->obj->rev, rev, err) != 0) {
        fl_obj_unref(final);
        return FL_EFAIL;
    }
    RB_REMOVE(fl_store_tree, &s->tree, n);
    s->count--;
    s->rev = rev;
    push_event(s, FL_DELETED, final, n->obj);
    fl_obj_unref(n->obj);
    free(n);
    if (out)
        *out = fl_obj_ref(final);
    fl_obj_unref(final);
    return FL_OK;
}

int fl_store_update(struct fl_store *s, const struct fl_store_res *r, const char *key,
                    json_t *doc, struct fl_obj **out, bool *deleted, struct fl_err *err)
{
    int rc = FL_EFAIL;
    json_t *old = NULL;
    struct node *n = find(s, key);
    *deleted = false;
    if (!n)
        return not_found(r, key, err);

    json_t *md = fl_json_metadata(doc);
    const char *rv = fl_json_str(md, "resourceVersion");
    if (rv[0]) {
        char cur[24];
        snprintf(cur, sizeof(cur), "%llu", (unsigned long long)n->obj->rev);
        if (strcmp(rv, cur) != 0)
            return conflict(r, key,
                            "the object has been modified; please apply your changes to the "
                            "latest version and try again",
                            err);
    }
    old = fl_obj_json(n->obj);
    if (!old) {
        rc = fl_errf(err, 500, "InternalError", "stored object %s is corrupt", key);
        goto out;
    }
    json_t *omd = fl_json_metadata(old);
    const char *uid = fl_json_str(md, "uid");
    if (uid[0] && strcmp(uid, fl_json_str(omd, "uid")) != 0) {
        char why[160];
        snprintf(why, sizeof(why), "Precondition failed: UID in precondition: %s, UID in object meta: %s",
                 uid, fl_json_str(omd, "uid"));
        rc = conflict(r, key, why, err);
        goto out;
    }
    /* Fields the system owns are kept from the stored object. */
    static const char *const kept[] = {"uid", "creationTimestamp", "deletionTimestamp",
                                       "deletionGracePeriodSeconds"};
    for (size_t i = 0; i < FL_ARRAY_LEN(kept); i++)
        fl_json_copy_member(md, omd, kept[i]);
    if (r->generation) {
        json_int_t gen = json_integer_value(json_object_get(omd, "generation"));
        if (gen <= 0)
            gen = 1;
        if (spec_changed(old, doc))
            gen++;
        json_object_set_new(md, "generation", json_integer(gen));
    } else {
        fl_json_copy_member(md, omd, "generation");
    }

    json_t *fin = json_object_get(md, "finalizers");
    bool gone = json_object_get(omd, "deletionTimestamp") && json_array_size(fin) == 0 &&
                json_integer_value(json_object_get(omd, "deletionGracePeriodSeconds")) <= 0;
    /* An update that changes nothing is not a write (no new revision, no
     * event), as in kube-apiserver. */
    set_rv(md, n->obj->rev);
    if (!gone && json_equal(doc, old)) {
        if (out)
            *out = fl_obj_ref(n->obj);
        rc = FL_OK;
        goto out;
    }
    if (r->dry_run) {
        if (out)
            *out = gone ? fl_obj_ref(n->obj) : fl_obj_from_json(key, doc, n->obj->create_rev, n->obj->rev);
        *deleted = gone;
        rc = FL_OK;
        goto out;
    }
    if (gone) {
        rc = remove_node(s, n, out, err);
        *deleted = rc == FL_OK;
        goto out;
    }
    rc = replace(s, n, doc, out, err);
out:
    json_decref(old);
    return rc;
}

int fl_store_delete(struct fl_store *s, const struct fl_store_res *r, const char *key,
                    const struct fl_store_precond *pre, struct fl_obj **out, bool *deleted,
                    struct fl_err *err)
{
    int rc = FL_EFAIL;
    json_t *doc = NULL;
    struct node *n = find(s, key);
    *deleted = false;
    if (!n)
        return not_found(r, key, err);
    const struct fl_meta *m = fl_obj_meta(n->obj);
    if (pre && pre->uid && pre->uid[0] && strcmp(pre->uid, m->uid) != 0) {
        char why[160];
        snprintf(why, sizeof(why), "Precondition failed: UID in precondition: %s, UID in object meta: %s",
                 pre->uid, m->uid);
        return conflict(r, key, why, err);
    }
    if (pre && pre->rev && pre->rev != n->obj->rev) {
        char why[160];
        snprintf(why, sizeof(why),
                 "Precondition failed: ResourceVersion in precondition: %llu, ResourceVersion in object meta: %llu",
                 (unsigned long long)pre->rev, (unsigned long long)n->obj->rev);
        return conflict(r, key, why, err);
    }
    int64_t grace = pre && pre->grace > 0 ? pre->grace : 0;
    bool fins = json_array_size(m->finalizers) != 0;
    if (r->dry_run) {
        *deleted = !fins && grace == 0;
        if (out)
            *out = fl_obj_ref(n->obj);
        return FL_OK;
    }
    if (!fins && grace == 0) {
        rc = remove_node(s, n, out, err);
        *deleted = rc == FL_OK;
        return rc;
    }
    doc = fl_obj_json(n->obj);
    if (!doc)
        return fl_errf(err, 500, "InternalError", "stored object %s is corrupt", key);
    json_t *md = fl_json_metadata(doc);
    json_t *jgrace = json_object_get(md, "deletionGracePeriodSeconds");
    /* Already being deleted: only a shorter grace period changes anything. */
    if (m->deletion_timestamp[0] && (!jgrace || json_integer_value(jgrace) <= grace)) {
        json_decref(doc);
        if (out)
            *out = fl_obj_ref(n->obj);
        return FL_OK;
    }
    char ts[32];
    now_rfc3339_after(s, grace, ts, sizeof(ts));
    json_object_set_new(md, "deletionTimestamp", json_string(ts));
    json_object_set_new(md, "deletionGracePeriodSeconds", json_integer(grace));
    if (r->generation && !m->deletion_timestamp[0]) {
        json_int_t gen = json_integer_value(json_object_get(md, "generation"));
        json_object_set_new(md, "generation", json_integer(gen + 1));
    }
    rc = replace(s, n, doc, out, err);
    json_decref(doc);
    return rc;
}

/* ---- lists ------------------------------------------------------------ */

struct field_ctx {
    struct fl_obj *o;
    json_t *doc; /* parsed on the first path that needs it */
    char num[32];
};

/* Value of a dotted path as field selectors compare it: strings as they are,
 * booleans and numbers in their JSON spelling, anything else absent. */
static const char *field_get(const char *path, void *ctx)
{
    struct field_ctx *fc = ctx;
    if (!strcmp(path, "metadata.name"))
        return fl_obj_meta(fc->o)->name;
    if (!strcmp(path, "metadata.namespace"))
        return fl_obj_meta(fc->o)->ns;
    if (!fc->doc && !(fc->doc = fl_obj_json(fc->o)))
        return NULL;
    json_t *v = fc->doc;
    char part[256];
    for (const char *p = path; v && *p;) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof(part))
            return NULL;
        memcpy(part, p, n);
        part[n] = '\0';
        v = json_object_get(v, part);
        p += n + (p[n] == '.');
    }
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    if (json_is_integer(v)) {
        snprintf(fc->num, sizeof(fc->num), "%lld", (long long)json_integer_value(v));
        return fc->num;
    }
    return NULL;
}

bool fl_store_filter_match(const struct fl_store_filter *f, struct fl_obj *o)
{
    if (!f)
        return true;
    if (f->labels && !fl_labelsel_empty(f->labels) &&
        !fl_labelsel_match(f->labels, fl_obj_meta(o)->labels))
        return false;
    if (f->fields && !fl_fieldsel_empty(f->fields)) {
        struct field_ctx fc = {.o = o};
        bool ok = fl_fieldsel_match(f->fields, field_get, &fc);
        json_decref(fc.doc);
        if (!ok)
            return false;
    }
    return true;
}

/* A key as of some revision: obj NULL when the key did not exist then. */
struct past {
    const char *key;
    struct fl_obj *obj;
    uint64_t rev; /* revision of the first change after the snapshot */
};

static int past_cmp(const void *a, const void *b)
{
    const struct past *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->rev < y->rev ? -1 : x->rev > y->rev;
}

/* Keys under prefix (and after `after`, if not NULL) changed since snapshot
 * revision `rev`, with their state at `rev`: sorted by key, one per key. */
static struct past *changed_since(struct fl_store *s, uint64_t rev, const char *prefix,
                                  const char *after, size_t *np)
{
    size_t plen = strlen(prefix), cap = 0, n = 0;
    struct past *p = NULL;
    for (size_t i = ring_after(s, rev); i < s->n; i++) {
        struct fl_event *ev = ring_at(s, i);
        const char *key = ev->obj->key;
        if (!covers(prefix, plen, key) || (after && strcmp(key, after) <= 0))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            p = fl_xrealloc(p, cap * sizeof(*p));
        }
        p[n++] = (struct past){key, ev->prev, ev->rev};
    }
    if (n > 1)
        qsort(p, n, sizeof(*p), past_cmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || strcmp(p[u - 1].key, p[i].key) != 0)
            p[u++] = p[i];
    *np = u;
    return p;
}

static void list_push(struct fl_store_list *l, size_t *cap, struct fl_obj *o)
{
    if (l->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        l->items = fl_xrealloc(l->items, *cap * sizeof(*l->items));
    }
    l->items[l->n++] = fl_obj_ref(o);
}

int fl_store_list(struct fl_store *s, const char *prefix, const struct fl_store_filter *f,
                  size_t limit, const char *cont, struct fl_store_list *out,
                  struct fl_err *err)
{
    uint64_t rev = s->rev;
    char *start = NULL;
    char after[FL_KEY_MAX] = "";
    size_t plen = strlen(prefix), cap = 0, np = 0, pi = 0;
    struct past *past = NULL;

    memset(out, 0, sizeof(*out));
    if (cont && cont[0]) {
        if (fl_cont_decode(cont, &rev, &start, err) != 0)
            return FL_EFAIL;
        if (rev > s->rev) {
            free(start);
            return fl_errf(err, 400, "BadRequest",
                           "continue key is not valid: revision %llu is in the future",
                           (unsigned long long)rev);
        }
        if (rev < s->hist_base) {
            free(start);
            return fl_errf(err, 410, "Expired",
                           "The provided continue parameter is too old to display a consistent "
                           "list result. You can start a new list without the continue "
                           "parameter.");
        }
        snprintf(after, sizeof(after), "%s%s", prefix, start);
        free(start);
    } else {
        snprintf(after, sizeof(after), "%s", prefix);
    }
    /* A first page starts at the prefix itself (an exact key is listed);
     * a continued one strictly after the last key returned. */
    bool resume = cont && cont[0];
    if (rev != s->rev)
        past = changed_since(s, rev, prefix, resume ? after : NULL, &np);

    /* Walk current keys and past entries together, in key order. */
    struct node probe = {.key = after};
    struct node *n = RB_NFIND(fl_store_tree, &s->tree, &probe);
    if (resume && n && strcmp(n->key, after) == 0)
        n = RB_NEXT(fl_store_tree, &s->tree, n);
    const char *last = NULL;
    bool more = false;
    for (;;) {
        if (n && !covers(prefix, plen, n->key))
            n = NULL;
        struct fl_obj *o;
        const char *key;
        int c = !n ? 1 : pi == np ? -1 : strcmp(n->key, past[pi].key);
        if (!n && pi == np)
            break;
        if (c < 0) { /* unchanged since rev */
            o = n->obj;
            key = n->key;
            n = RB_NEXT(fl_store_tree, &s->tree, n);
        } else { /* changed since rev: its state back then */
            o = past[pi].obj;
            key = past[pi].key;
            pi++;
            if (c == 0)
                n = RB_NEXT(fl_store_tree, &s->tree, n);
        }
        if (!o)
            continue;
        if (limit && out->n == limit) {
            more = true;
            break;
        }
        if (!fl_store_filter_match(f, o))
            continue;
        list_push(out, &cap, o);
        last = key;
    }
    if (more && last)
        out->cont = fl_cont_encode(rev, last + plen);
    out->rev = rev;
    free(past);
    return FL_OK;
}

void fl_store_list_release(struct fl_store_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        fl_obj_unref(l->items[i]);
    free(l->items);
    free(l->cont);
    memset(l, 0, sizeof(*l));
}

/* ---- watches and commit ----------------------------------------------- */

static void deliver(struct fl_watch *w, const struct fl_event *ev)
{
    if (!w->closed && ev->rev > w->from && covers(w->prefix, w->prefix_len, ev->obj->key))
        w->fn(w, ev, w->ctx);
}

/* A copy of the event of revision rev, holding its own references: watcher
 * callbacks may write, which can grow (move) or advance the ring. */
static struct fl_event event_copy(struct fl_store *s, uint64_t rev)
{
    struct fl_event ev = *ring_at(s, ring_after(s, rev - 1));
    FL_ASSERT(ev.rev == rev);
    fl_obj_ref(ev.obj);
    fl_obj_ref(ev.prev);
    return ev;
}

static void event_release(struct fl_event *ev)
{
    fl_obj_unref(ev->obj);
    fl_obj_unref(ev->prev);
}

static void reap(struct fl_store *s)
{
    if (s->delivering || !s->reap)
        return;
    struct fl_watch *w, *next;
    for (w = TAILQ_FIRST(&s->watches); w; w = next) {
        next = TAILQ_NEXT(w, link);
        if (w->closed) {
            TAILQ_REMOVE(&s->watches, w, link);
            watch_free(w);
        }
    }
    s->reap = false;
}

int fl_store_watch(struct fl_store *s, const char *prefix, uint64_t from, fl_watch_fn fn,
                   void *ctx, struct fl_watch **out, struct fl_err *err)
{
    if (from && from < s->hist_base)
        return expired(from, s->hist_base, err);
    struct fl_watch *w = fl_xcalloc(1, sizeof(*w));
    w->s = s;
    w->prefix = fl_xstrdup(prefix);
    w->prefix_len = strlen(prefix);
    w->from = from ? from : s->rev;
    w->fn = fn;
    w->ctx = ctx;
    TAILQ_INSERT_TAIL(&s->watches, w, link);
    *out = w;
    if (from && from < s->delivered) {
        uint64_t upto = s->delivered;
        s->delivering++;
        for (uint64_t rev = from + 1; rev <= upto && !w->closed; rev++) {
            struct fl_event ev = event_copy(s, rev);
            deliver(w, &ev);
            event_release(&ev);
        }
        s->delivering--;
        reap(s);
    }
    return FL_OK;
}

void fl_watch_close(struct fl_watch *w)
{
    if (!w)
        return;
    w->closed = true;
    w->s->reap = true;
    reap(w->s);
}

int fl_store_commit(struct fl_store *s, struct fl_err *err)
{
    if (s->rev != s->committed) {
        if (fl_backend_commit(s->backend, s->rev, err) != 0)
            return FL_EFAIL;
        s->committed = s->rev;
    }
    if (s->delivered == s->committed)
        return FL_OK;
    /* Callbacks may write: those writes are after `upto` and wait for the
     * next commit. Watches opened by a callback start after s->rev. */
    uint64_t upto = s->committed;
    s->delivering++;
    while (s->delivered < upto) {
        struct fl_event ev = event_copy(s, s->delivered + 1);
        struct fl_watch *w;
        TAILQ_FOREACH(w, &s->watches, link)
        deliver(w, &ev);
        event_release(&ev);
        s->delivered = ev.rev;
    }
    s->delivering--;
    reap(s);
    return FL_OK;
}
