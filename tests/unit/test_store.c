/*
 * Unit tests for store/store (the contract in store.h), over the memory
 * backend: object lifecycle (create, get, update with CAS, generation,
 * delete with and without finalizers, preconditions), lists (prefix order,
 * selectors, pagination, snapshot consistency of later pages, expired and
 * malformed continue tokens), watches (delivery at commit only, replay,
 * expiry, closing inside the callback, single-object watches), restarts on
 * the same backend and injected commit failures. A fake clock (opts.now)
 * pins every timestamp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fields.h"
#include "core/labels.h"
#include "store/backend.h"
#include "store/cont.h"
#include "store/store.h"

/* Generation managed, so the generation rules are tested here. */
static const struct fl_store_res CM = {"", "configmaps", false, true};

/* ---- fixture ---------------------------------------------------------- */

#define T0 1700000000 /* 2023-11-14T22:13:20Z */

static int64_t clock_now = T0;
/* The last revision handed to fl_store_commit: events above it are not
 * committed yet when a watcher sees them. */
static uint64_t commit_upto;

static int64_t fake_now(void)
{
    return clock_now;
}

struct fx {
    struct fl_backend *b;
    struct fl_store *s;
};

static struct fl_store *open_store(struct fl_backend *b, size_t history)
{
    struct fl_store_opts opts = {.history = history, .now = fake_now};
    struct fl_store *s = NULL;
    struct fl_err err = {0};
    int rc = fl_store_open(b, &opts, &s, &err);
    if (rc != 0)
        fail_msg("fl_store_open: %s", err.message);
    assert_non_null(s);
    return s;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    clock_now = T0;
    commit_upto = 0;
    f->b = fl_backend_memory_new();
    f->s = open_store(f->b, 0);
    *state = f;
    return 0;
}

static int setup_small_history(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    clock_now = T0;
    commit_upto = 0;
    f->b = fl_backend_memory_new();
    f->s = open_store(f->b, 8);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    fl_store_free(f->s);
    fl_backend_close(f->b);
    free(f);
    return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static void key_of(char *buf, const char *ns, const char *name)
{
    fl_store_key(buf, "", "configmaps", ns, name);
}

static json_t *cm_doc(const char *ns, const char *name, const char *val)
{
    json_t *d = json_pack("{s:s,s:s,s:{s:s,s:s}}", "apiVersion", "v1", "kind", "ConfigMap",
                          "metadata", "name", name, "namespace", ns);
    assert_non_null(d);
    if (val)
        json_object_set_new(d, "data", json_pack("{s:s}", "k", val));
    return d;
}

static void commit_ok(struct fl_store *s)
{
    struct fl_err err = {0};
    commit_upto = fl_store_rev(s);
    if (fl_store_commit(s, &err) != 0)
        fail_msg("commit: %s", err.message);
}

/* Create ns/name with data.k = val; returns a new reference. */
static struct fl_obj *create_doc(struct fl_store *s, const char *ns, const char *name, json_t *doc)
{
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    key_of(key, ns, name);
    if (fl_store_create(s, &CM, key, doc, &o, &err) != 0)
        fail_msg("create %s: %s", key, err.message);
    json_decref(doc);
    assert_non_null(o);
    return o;
}

static struct fl_obj *create(struct fl_store *s, const char *ns, const char *name, const char *val)
{
    return create_doc(s, ns, name, cm_doc(ns, name, val));
}

static void put(struct fl_store *s, const char *ns, const char *name, const char *val)
{
    fl_obj_unref(create(s, ns, name, val));
}

/* A fresh tree of the stored object, for editing; caller decrefs. */
static json_t *doc_of(struct fl_obj *o)
{
    json_t *d = fl_obj_json(o);
    assert_non_null(d);
    return d;
}

static struct fl_obj *get(struct fl_store *s, const char *ns, const char *name)
{
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    key_of(key, ns, name);
    if (fl_store_get(s, &CM, key, &o, &err) != 0)
        fail_msg("get %s: %s", key, err.message);
    return o;
}

static void assert_absent(struct fl_store *s, const char *ns, const char *name)
{
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    key_of(key, ns, name);
    assert_int_equal(fl_store_get(s, &CM, key, &o, &err), FL_EFAIL);
    assert_int_equal(err.code, 404);
    assert_null(o);
}

/* Update ns/name with doc (stolen); returns the new version (new reference). */
static struct fl_obj *update(struct fl_store *s, const char *ns, const char *name, json_t *doc,
                             bool *deleted)
{
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    bool del = true;
    key_of(key, ns, name);
    if (fl_store_update(s, &CM, key, doc, &o, &del, &err) != 0)
        fail_msg("update %s: %s", key, err.message);
    json_decref(doc);
    if (deleted)
        *deleted = del;
    else
        assert_false(del);
    return o;
}

/* Set data.k of ns/name to val (unconditional update). */
static void set_data(struct fl_store *s, const char *ns, const char *name, const char *val)
{
    struct fl_obj *cur = get(s, ns, name);
    json_t *d = doc_of(cur);
    fl_obj_unref(cur);
    json_object_del(fl_json_metadata(d), "resourceVersion");
    json_object_set_new(d, "data", json_pack("{s:s}", "k", val));
    fl_obj_unref(update(s, ns, name, d, NULL));
}

static void del(struct fl_store *s, const char *ns, const char *name, bool want_deleted)
{
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    bool deleted = !want_deleted;
    key_of(key, ns, name);
    if (fl_store_delete(s, &CM, key, NULL, NULL, &deleted, &err) != 0)
        fail_msg("delete %s: %s", key, err.message);
    assert_int_equal(deleted, want_deleted);
}

/* The object's bytes parse and carry metadata.resourceVersion == o->rev. */
static void assert_rv_consistent(struct fl_obj *o)
{
    char want[24];
    json_t *d = json_loads(o->bytes, 0, NULL);
    assert_non_null(d);
    assert_int_equal(strlen(o->bytes), o->len);
    snprintf(want, sizeof(want), "%llu", (unsigned long long)o->rev);
    assert_string_equal(fl_json_str(fl_json_metadata(d), "resourceVersion"), want);
    json_decref(d);
}

static const char *data_k(struct fl_obj *o, char *buf, size_t len)
{
    json_t *d = doc_of(o);
    snprintf(buf, len, "%s", fl_json_str(json_object_get(d, "data"), "k"));
    json_decref(d);
    return buf;
}

static const char *name_of(struct fl_obj *o)
{
    return fl_obj_meta(o)->name;
}

/* ---- watch recorder --------------------------------------------------- */

#define REC_MAX 128

struct rec_ev {
    uint64_t rev;
    enum fl_event_type type;
    char key[FL_KEY_MAX];
    uint64_t prev_rev; /* 0: no prev */
    bool committed;    /* had a commit covered it when it was delivered? */
};

struct rec {
    struct fl_store *s;
    struct fl_watch *w;
    size_t n;
    struct rec_ev ev[REC_MAX];
    size_t close_after;        /* close own watch after this many events (0: never) */
    struct fl_watch *close_me; /* another watch to close at the first event */
    const char *echo_on;       /* create "<name>-echo" when this name is ADDED */
};

static void on_event(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct rec *r = ctx;
    if (r->w)
        assert_ptr_equal(w, r->w);
    assert_true(r->n < REC_MAX);
    struct rec_ev *e = &r->ev[r->n++];
    e->rev = ev->rev;
    e->type = ev->type;
    snprintf(e->key, sizeof(e->key), "%s", ev->obj->key);
    e->prev_rev = ev->prev ? ev->prev->rev : 0;
    e->committed = ev->rev <= commit_upto;
    /* The event's object is the version at ev->rev, with matching bytes. */
    assert_int_equal(ev->obj->rev, ev->rev);
    assert_rv_consistent(ev->obj);
    if (ev->type == FL_ADDED)
        assert_null(ev->prev);
    else
        assert_non_null(ev->prev);
    if (r->close_after && r->n == r->close_after)
        fl_watch_close(w);
    if (r->close_me) {
        fl_watch_close(r->close_me);
        r->close_me = NULL;
    }
    if (r->echo_on && ev->type == FL_ADDED && !strcmp(fl_obj_meta(ev->obj)->name, r->echo_on)) {
        char name[128];
        snprintf(name, sizeof(name), "%s-echo", r->echo_on);
        put(r->s, fl_obj_meta(ev->obj)->ns, name, "echo");
    }
}

static struct fl_watch *watch(struct fl_store *s, const char *prefix, uint64_t from, struct rec *r)
{
    struct fl_err err = {0};
    struct fl_watch *w = NULL;
    r->s = s;
    if (fl_store_watch(s, prefix, from, on_event, r, &w, &err) != 0)
        fail_msg("watch %s from %llu: %s", prefix, (unsigned long long)from, err.message);
    assert_non_null(w);
    r->w = w;
    return w;
}

static void assert_event(const struct rec *r, size_t i, enum fl_event_type type, const char *ns,
                         const char *name, uint64_t rev)
{
    char key[FL_KEY_MAX];
    key_of(key, ns, name);
    assert_true(i < r->n);
    assert_string_equal(fl_event_type_name(r->ev[i].type), fl_event_type_name(type));
    assert_string_equal(r->ev[i].key, key);
    assert_int_equal(r->ev[i].rev, rev);
}

/* ---- list helpers ----------------------------------------------------- */

static void list_ok(struct fl_store *s, const char *prefix, const struct fl_store_filter *f,
                    size_t limit, const char *cont, struct fl_store_list *l)
{
    struct fl_err err = {0};
    if (fl_store_list(s, prefix, f, limit, cont, l, &err) != 0)
        fail_msg("list %s: %d %s", prefix, err.code, err.message);
}

/* "a,b,c": the names of the items, in order. */
static void names(const struct fl_store_list *l, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s/%s", i ? "," : "", fl_obj_meta(l->items[i])->ns,
                 name_of(l->items[i]));
    }
}

static void assert_list(struct fl_store *s, const char *prefix, const struct fl_store_filter *f,
                        const char *want)
{
    struct fl_store_list l;
    char got[4096];
    list_ok(s, prefix, f, 0, NULL, &l);
    names(&l, got, sizeof(got));
    assert_string_equal(got, want);
    assert_null(l.cont);
    assert_int_equal(l.rev, fl_store_rev(s));
    fl_store_list_release(&l);
}

/* ---- create / get ----------------------------------------------------- */

static void test_create(void **state)
{
    struct fx *f = *state;
    assert_int_equal(fl_store_rev(f->s), 0);
    assert_int_equal(fl_store_count(f->s), 0);
    assert_false(fl_store_dirty(f->s));

    json_t *doc = cm_doc("ns", "a", "1");
    json_t *md = fl_json_metadata(doc);
    /* Client-supplied system fields are overwritten or dropped. */
    json_object_set_new(md, "uid", json_string("client-uid"));
    json_object_set_new(md, "resourceVersion", json_string("999"));
    json_object_set_new(md, "generation", json_integer(7));
    json_object_set_new(md, "creationTimestamp", json_string("2000-01-01T00:00:00Z"));
    json_object_set_new(md, "deletionTimestamp", json_string("2000-01-01T00:00:00Z"));
    json_object_set_new(md, "deletionGracePeriodSeconds", json_integer(30));

    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    key_of(key, "ns", "a");
    assert_string_equal(key, "/configmaps/ns/a");
    assert_int_equal(fl_store_create(f->s, &CM, key, doc, &o, &err), 0);

    /* doc was modified in place to match what was stored. */
    assert_string_equal(fl_json_str(md, "resourceVersion"), "1");
    assert_null(json_object_get(md, "deletionTimestamp"));

    assert_int_equal(o->rev, 1);
    assert_int_equal(o->create_rev, 1);
    assert_string_equal(o->key, key);
    assert_rv_consistent(o);
    const struct fl_meta *m = fl_obj_meta(o);
    assert_int_equal(strlen(m->uid), 36);
    assert_string_not_equal(m->uid, "client-uid");
    assert_string_equal(m->uid, fl_json_str(md, "uid"));
    assert_int_equal(m->uid[14], '4'); /* version 4 UUID */
    assert_string_equal(m->creation_timestamp, "2023-11-14T22:13:20Z");
    assert_string_equal(m->deletion_timestamp, "");
    assert_int_equal(m->generation, 1);
    assert_string_equal(m->name, "a");
    assert_string_equal(m->ns, "ns");

    json_t *stored = doc_of(o);
    assert_null(json_object_get(fl_json_metadata(stored), "deletionGracePeriodSeconds"));
    assert_string_equal(fl_json_str(json_object_get(stored, "data"), "k"), "1");
    json_decref(stored);
    json_decref(doc);

    assert_int_equal(fl_store_rev(f->s), 1);
    assert_int_equal(fl_store_count(f->s), 1);
    assert_true(fl_store_dirty(f->s));
    commit_ok(f->s);
    assert_false(fl_store_dirty(f->s));

    /* get returns the same version. */
    struct fl_obj *g = get(f->s, "ns", "a");
    assert_int_equal(g->rev, 1);
    assert_int_equal(g->len, o->len);
    assert_memory_equal(g->bytes, o->bytes, o->len);
    fl_obj_unref(g);
    fl_obj_unref(o);

    /* Two objects get different uids; the clock is read per create. */
    clock_now = T0 + 61;
    struct fl_obj *b = create(f->s, "ns", "b", NULL);
    assert_int_equal(b->rev, 2);
    assert_string_equal(fl_obj_meta(b)->creation_timestamp, "2023-11-14T22:14:21Z");
    g = get(f->s, "ns", "a");
    assert_string_not_equal(fl_obj_meta(b)->uid, fl_obj_meta(g)->uid);
    fl_obj_unref(g);
    fl_obj_unref(b);
}

static void test_create_exists(void **state)
{
    struct fx *f = *state;
    struct fl_obj *a = create(f->s, "ns", "a", "1");
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    key_of(key, "ns", "a");
    json_t *doc = cm_doc("ns", "a", "2");
    assert_int_equal(fl_store_create(f->s, &CM, key, doc, &o, &err), FL_EFAIL);
    json_decref(doc);
    assert_null(o);
    assert_int_equal(err.code, 409);
    assert_string_equal(err.reason, "AlreadyExists");
    assert_string_equal(err.message, "configmaps \"a\" already exists");
    assert_string_equal(err.name, "a");
    assert_string_equal(err.kind, "configmaps");
    /* Nothing changed. */
    assert_int_equal(fl_store_rev(f->s), 1);
    assert_int_equal(fl_store_count(f->s), 1);
    struct fl_obj *g = get(f->s, "ns", "a");
    assert_ptr_equal(g, a);
    fl_obj_unref(g);
    fl_obj_unref(a);

    /* The same name in another namespace is another object. */
    put(f->s, "other", "a", "1");
    assert_int_equal(fl_store_count(f->s), 2);
}

static void test_get_not_found(void **state)
{
    struct fx *f = *state;
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    key_of(key, "ns", "x");
    assert_int_equal(fl_store_get(f->s, &CM, key, &o, &err), FL_EFAIL);
    assert_int_equal(err.code, 404);
    assert_string_equal(err.reason, "NotFound");
    assert_string_equal(err.message, "configmaps \"x\" not found");
    assert_string_equal(err.name, "x");
    assert_string_equal(err.kind, "configmaps");
    assert_string_equal(err.group, "");

    /* Grouped resources are named resource.group, as kube-apiserver does. */
    static const struct fl_store_res dep = {"apps", "deployments", false, true};
    fl_store_key(key, "apps", "deployments", "ns", "web");
    assert_string_equal(key, "apps/deployments/ns/web");
    memset(&err, 0, sizeof(err));
    assert_int_equal(fl_store_get(f->s, &dep, key, &o, &err), FL_EFAIL);
    assert_int_equal(err.code, 404);
    assert_string_equal(err.message, "deployments.apps \"web\" not found");
    assert_string_equal(err.group, "apps");

    /* Cluster-scoped keys have an empty namespace. */
    fl_store_key(key, "", "namespaces", "", "kube-system");
    assert_string_equal(key, "/namespaces//kube-system");

    /* A deleted object is not found either. */
    put(f->s, "ns", "x", "1");
    del(f->s, "ns", "x", true);
    assert_absent(f->s, "ns", "x");
}

/* ---- update ----------------------------------------------------------- */

static void test_update_cas(void **state)
{
    struct fx *f = *state;
    struct fl_obj *v1 = create(f->s, "ns", "a", "1");
    put(f->s, "ns", "other", "x"); /* rev 2: v1 is now stale by revision too */
    commit_ok(f->s);

    /* Current resourceVersion: accepted. */
    json_t *d = doc_of(v1);
    json_object_set_new(d, "data", json_pack("{s:s}", "k", "2"));
    struct fl_obj *v2 = update(f->s, "ns", "a", d, NULL);
    assert_int_equal(v2->rev, 3);
    assert_int_equal(v2->create_rev, 1);
    assert_rv_consistent(v2);
    assert_int_equal(fl_store_rev(f->s), 3);

    /* Stale resourceVersion (v1's): 409 Conflict, nothing changes. */
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    bool deleted = true;
    key_of(key, "ns", "a");
    d = doc_of(v1);
    json_object_set_new(d, "data", json_pack("{s:s}", "k", "stale"));
    assert_int_equal(fl_store_update(f->s, &CM, key, d, &o, &deleted, &err), FL_EFAIL);
    json_decref(d);
    assert_null(o);
    assert_false(deleted);
    assert_int_equal(err.code, 409);
    assert_string_equal(err.reason, "Conflict");
    assert_string_equal(err.message,
                        "Operation cannot be fulfilled on configmaps \"a\": the object has been "
                        "modified; please apply your changes to the latest version and try "
                        "again");
    assert_string_equal(err.name, "a");
    assert_int_equal(fl_store_rev(f->s), 3);
    assert_true(fl_store_dirty(f->s)); /* v2 still staged */
    struct fl_obj *g = get(f->s, "ns", "a");
    assert_ptr_equal(g, v2);
    fl_obj_unref(g);

    /* A resourceVersion from the future is just as wrong. */
    d = doc_of(v2);
    json_object_set_new(fl_json_metadata(d), "resourceVersion", json_string("1000"));
    memset(&err, 0, sizeof(err));
    assert_int_equal(fl_store_update(f->s, &CM, key, d, &o, &deleted, &err), FL_EFAIL);
    json_decref(d);
    assert_int_equal(err.code, 409);
    assert_int_equal(fl_store_rev(f->s), 3);

    /* No resourceVersion: unconditional, even from the stale v1 copy. */
    d = doc_of(v1);
    json_object_del(fl_json_metadata(d), "resourceVersion");
    json_object_set_new(d, "data", json_pack("{s:s}", "k", "3"));
    struct fl_obj *v3 = update(f->s, "ns", "a", d, NULL);
    assert_int_equal(v3->rev, 4);
    char buf[16];
    assert_string_equal(data_k(v3, buf, sizeof(buf)), "3");
    /* An empty string resourceVersion is also "unconditional". */
    d = doc_of(v1);
    json_object_set_new(fl_json_metadata(d), "resourceVersion", json_string(""));
    struct fl_obj *v4 = update(f->s, "ns", "a", d, NULL);
    assert_int_equal(v4->rev, 5);
    assert_rv_consistent(v4);

    /* Update of a missing object: 404. */
    key_of(key, "ns", "missing");
    d = cm_doc("ns", "missing", "1");
    memset(&err, 0, sizeof(err));
    assert_int_equal(fl_store_update(f->s, &CM, key, d, &o, &deleted, &err), FL_EFAIL);
    json_decref(d);
    assert_int_equal(err.code, 404);
    assert_string_equal(err.message, "configmaps \"missing\" not found");
    assert_int_equal(fl_store_rev(f->s), 5);

    fl_obj_unref(v1);
    fl_obj_unref(v2);
    fl_obj_unref(v3);
    fl_obj_unref(v4);
}

static void test_update_keeps_system_fields(void **state)
{
    struct fx *f = *state;
    struct fl_obj *v1 = create(f->s, "ns", "a", "1");
    char uid[64];
    snprintf(uid, sizeof(uid), "%s", fl_obj_meta(v1)->uid);

    clock_now = T0 + 3600;
    /* The client drops uid and creationTimestamp and tries to set a deletion. */
    json_t *d = doc_of(v1);
    json_t *md = fl_json_metadata(d);
    json_object_del(md, "uid");
    json_object_set_new(md, "creationTimestamp", json_string("1999-01-01T00:00:00Z"));
    json_object_set_new(md, "deletionTimestamp", json_string("1999-01-01T00:00:00Z"));
    json_object_set_new(md, "generation", json_integer(42));
    /* ...and changes a label, so the update is a real write. */
    json_object_set_new(md, "labels", json_pack("{s:s}", "x", "y"));
    struct fl_obj *v2 = update(f->s, "ns", "a", d, NULL);
    const struct fl_meta *m = fl_obj_meta(v2);
    assert_string_equal(m->uid, uid);
    assert_string_equal(m->creation_timestamp, "2023-11-14T22:13:20Z");
    assert_string_equal(m->deletion_timestamp, "");
    assert_int_equal(m->generation, 1);
    assert_int_equal(v2->create_rev, 1);

    /* A different uid in the body is a precondition failure: 409. */
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    bool deleted;
    key_of(key, "ns", "a");
    d = doc_of(v2);
    json_object_set_new(fl_json_metadata(d), "uid", json_string("someone-else"));
    assert_int_equal(fl_store_update(f->s, &CM, key, d, &o, &deleted, &err), FL_EFAIL);
    json_decref(d);
    assert_int_equal(err.code, 409);
    assert_string_equal(err.reason, "Conflict");
    assert_non_null(strstr(err.message, "UID in precondition: someone-else"));
    assert_int_equal(fl_store_rev(f->s), 2);

    fl_obj_unref(v1);
    fl_obj_unref(v2);
}

static int64_t gen_of(struct fl_obj *o)
{
    return fl_obj_meta(o)->generation;
}

/* Apply edit to the current version of ns/a; returns the new generation. */
static int64_t edit_gen(struct fl_store *s, void (*edit)(json_t *d))
{
    struct fl_obj *cur = get(s, "ns", "a");
    json_t *d = doc_of(cur);
    fl_obj_unref(cur);
    edit(d);
    struct fl_obj *o = update(s, "ns", "a", d, NULL);
    int64_t g = gen_of(o);
    fl_obj_unref(o);
    return g;
}

static void edit_labels(json_t *d)
{
    json_object_set_new(fl_json_metadata(d), "labels", json_pack("{s:s}", "app", "web"));
}
static void edit_annotations(json_t *d)
{
    json_object_set_new(fl_json_metadata(d), "annotations", json_pack("{s:s}", "a", "b"));
}
static void edit_finalizers(json_t *d)
{
    json_object_set_new(fl_json_metadata(d), "finalizers", json_pack("[s]", "x/y"));
}
static void edit_status(json_t *d)
{
    json_object_set_new(d, "status", json_pack("{s:s}", "phase", "Ready"));
}
static void edit_data(json_t *d)
{
    json_object_set_new(d, "data", json_pack("{s:s}", "k", "changed"));
}
static void edit_nothing(json_t *d)
{
}
static void edit_new_member(json_t *d)
{
    json_object_set_new(d, "binaryData", json_pack("{s:s}", "b", "AAAA"));
}
static void edit_drop_member(json_t *d)
{
    json_object_del(d, "data");
}

static void test_generation(void **state)
{
    struct fx *f = *state;
    fl_obj_unref(create(f->s, "ns", "a", "1"));
    assert_int_equal(edit_gen(f->s, edit_labels), 1);
    assert_int_equal(edit_gen(f->s, edit_annotations), 1);
    assert_int_equal(edit_gen(f->s, edit_finalizers), 1);
    assert_int_equal(edit_gen(f->s, edit_status), 1);
    assert_int_equal(edit_gen(f->s, edit_nothing), 1);
    assert_int_equal(edit_gen(f->s, edit_data), 2);
    assert_int_equal(edit_gen(f->s, edit_data), 2); /* same data again: no change */
    assert_int_equal(edit_gen(f->s, edit_new_member), 3);
    assert_int_equal(edit_gen(f->s, edit_drop_member), 4);
    assert_int_equal(edit_gen(f->s, edit_labels), 4);
    /* Every update that changes something is a write, generation bump or
     * not; the three that change nothing (edit_nothing, the same data again,
     * the same labels again) are not. */
    assert_int_equal(fl_store_rev(f->s), 8);
}

static void test_revisions(void **state)
{
    struct fx *f = *state;
    uint64_t last = fl_store_rev(f->s);
    struct fl_err err = {0};
    char key[FL_KEY_MAX];
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof(name), "o%02d", i % 5);
        struct fl_obj *o = NULL;
        key_of(key, "ns", name);
        switch (i / 5) {
        case 0:
            o = create(f->s, "ns", name, "1");
            break;
        case 1:
        case 2: {
            struct fl_obj *cur = get(f->s, "ns", name);
            json_t *d = doc_of(cur);
            fl_obj_unref(cur);
            json_object_set_new(d, "data", json_pack("{s:i}", "k", i));
            o = update(f->s, "ns", name, d, NULL);
            break;
        }
        default: {
            bool deleted = false;
            assert_int_equal(fl_store_delete(f->s, &CM, key, NULL, &o, &deleted, &err), 0);
            assert_true(deleted);
            break;
        }
        }
        /* One revision per write, strictly increasing. */
        assert_int_equal(o->rev, last + 1);
        assert_int_equal(fl_store_rev(f->s), last + 1);
        assert_rv_consistent(o);
        last = o->rev;
        fl_obj_unref(o);
        if (i % 3 == 0)
            commit_ok(f->s);
    }
    assert_int_equal(fl_store_count(f->s), 0);
    /* Failed writes take no revision. */
    json_t *d = cm_doc("ns", "zz", "1");
    struct fl_obj *o = NULL;
    bool deleted;
    key_of(key, "ns", "zz");
    assert_int_equal(fl_store_update(f->s, &CM, key, d, &o, &deleted, &err), FL_EFAIL);
    assert_int_equal(fl_store_delete(f->s, &CM, key, NULL, &o, &deleted, &err), FL_EFAIL);
    json_decref(d);
    assert_int_equal(fl_store_rev(f->s), last);
    commit_ok(f->s);
    assert_int_equal(fl_store_rev(f->s), 20);
}

/* ---- delete ----------------------------------------------------------- */

static void test_delete_plain(void **state)
{
    struct fx *f = *state;
    struct rec r = {0};
    put(f->s, "ns", "a", "1");
    put(f->s, "ns", "b", "1");
    commit_ok(f->s);
    watch(f->s, "/configmaps/", 0, &r);

    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    bool deleted = false;
    key_of(key, "ns", "a");
    assert_int_equal(fl_store_delete(f->s, &CM, key, NULL, &o, &deleted, &err), 0);
    assert_true(deleted);
    /* The final version carries the deleting revision. */
    assert_non_null(o);
    assert_int_equal(o->rev, 3);
    assert_int_equal(o->create_rev, 1);
    assert_rv_consistent(o);
    assert_string_equal(name_of(o), "a");
    fl_obj_unref(o);
    assert_int_equal(fl_store_rev(f->s), 3);
    assert_int_equal(fl_store_count(f->s), 1);
    assert_absent(f->s, "ns", "a");
    assert_list(f->s, "/configmaps/", NULL, "ns/b");

    assert_int_equal(r.n, 0);
    commit_ok(f->s);
    assert_int_equal(r.n, 1);
    assert_event(&r, 0, FL_DELETED, "ns", "a", 3);
    assert_int_equal(r.ev[0].prev_rev, 1);

    /* Deleting again: 404, no revision. */
    memset(&err, 0, sizeof(err));
    assert_int_equal(fl_store_delete(f->s, &CM, key, NULL, NULL, &deleted, &err), FL_EFAIL);
    assert_int_equal(err.code, 404);
    assert_string_equal(err.message, "configmaps \"a\" not found");
    assert_int_equal(fl_store_rev(f->s), 3);

    /* out may be NULL; the key can be created again, with a new uid. */
    del(f->s, "ns", "b", true);
    struct fl_obj *again = create(f->s, "ns", "a", "2");
    assert_int_equal(again->rev, 5);
    assert_int_equal(again->create_rev, 5);
    assert_int_equal(fl_obj_meta(again)->generation, 1);
    fl_obj_unref(again);
}

static json_t *with_finalizers(json_t *d)
{
    json_object_set_new(fl_json_metadata(d), "finalizers", json_pack("[s,s]", "a/x", "b/y"));
    return d;
}

static void test_delete_finalizers(void **state)
{
    struct fx *f = *state;
    struct rec r = {0};
    struct fl_obj *v1 = create_doc(f->s, "ns", "a", with_finalizers(cm_doc("ns", "a", "1")));
    commit_ok(f->s);
    watch(f->s, "/configmaps/", 0, &r);

    clock_now = T0 + 100;
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    bool deleted = true;
    key_of(key, "ns", "a");
    assert_int_equal(fl_store_delete(f->s, &CM, key, NULL, &o, &deleted, &err), 0);
    assert_false(deleted);
    assert_non_null(o);
    assert_int_equal(o->rev, 2);
    assert_rv_consistent(o);
    assert_string_equal(fl_obj_meta(o)->deletion_timestamp, "2023-11-14T22:15:00Z");
    assert_string_equal(fl_obj_meta(o)->uid, fl_obj_meta(v1)->uid);
    assert_int_equal(json_array_size(fl_obj_meta(o)->finalizers), 2);
    fl_obj_unref(o);

    /* Still there, marked. */
    assert_int_equal(fl_store_count(f->s), 1);
    struct fl_obj *g = get(f->s, "ns", "a");
    assert_int_equal(g->rev, 2);
    assert_string_equal(fl_obj_meta(g)->deletion_timestamp, "2023-11-14T22:15:00Z");
    commit_ok(f->s);
    assert_int_equal(r.n, 1);
    assert_event(&r, 0, FL_MODIFIED, "ns", "a", 2);

    /* A second delete changes nothing, not even the timestamp. */
    clock_now = T0 + 200;
    o = NULL;
    deleted = true;
    assert_int_equal(fl_store_delete(f->s, &CM, key, NULL, &o, &deleted, &err), 0);
    assert_false(deleted);
    assert_ptr_equal(o, g);
    fl_obj_unref(o);
    assert_int_equal(fl_store_rev(f->s), 2);
    assert_false(fl_store_dirty(f->s));

    /* An update that keeps a finalizer keeps the object and its
     * deletionTimestamp, even if the body leaves it out. */
    json_t *d = doc_of(g);
    json_t *md = fl_json_metadata(d);
    json_object_del(md, "deletionTimestamp");
    json_object_set_new(md, "finalizers", json_pack("[s]", "b/y"));
    struct fl_obj *v3 = update(f->s, "ns", "a", d, &deleted);
    assert_false(deleted);
    assert_int_equal(v3->rev, 3);
    assert_string_equal(fl_obj_meta(v3)->deletion_timestamp, "2023-11-14T22:15:00Z");
    assert_int_equal(json_array_size(fl_obj_meta(v3)->finalizers), 1);
    fl_obj_unref(g);

    /* The update that removes the last finalizer deletes it. */
    d = doc_of(v3);
    json_object_del(fl_json_metadata(d), "finalizers");
    o = update(f->s, "ns", "a", d, &deleted);
    assert_true(deleted);
    assert_non_null(o);
    assert_int_equal(o->rev, 4);
    assert_rv_consistent(o);
    fl_obj_unref(o);
    assert_absent(f->s, "ns", "a");
    assert_int_equal(fl_store_count(f->s), 0);
    commit_ok(f->s);
    assert_int_equal(r.n, 3);
    assert_event(&r, 1, FL_MODIFIED, "ns", "a", 3);
    assert_event(&r, 2, FL_DELETED, "ns", "a", 4);
    assert_int_equal(r.ev[2].prev_rev, 3);

    /* An empty finalizer list on an object not being deleted is just an update. */
    struct fl_obj *b = create_doc(f->s, "ns", "b", with_finalizers(cm_doc("ns", "b", "1")));
    d = doc_of(b);
    json_object_set_new(fl_json_metadata(d), "finalizers", json_array());
    o = update(f->s, "ns", "b", d, &deleted);
    assert_false(deleted);
    fl_obj_unref(o);
    fl_obj_unref(b);
    assert_int_equal(fl_store_count(f->s), 1);

    fl_obj_unref(v1);
    fl_obj_unref(v3);
}

static void test_delete_preconditions(void **state)
{
    struct fx *f = *state;
    struct fl_obj *a = create(f->s, "ns", "a", "1");
    put(f->s, "ns", "b", "1");
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    struct fl_obj *o = NULL;
    bool deleted = true;
    key_of(key, "ns", "a");

    struct fl_store_precond bad_uid = {.uid = "00000000-0000-4000-8000-000000000000"};
    assert_int_equal(fl_store_delete(f->s, &CM, key, &bad_uid, &o, &deleted, &err), FL_EFAIL);
    assert_int_equal(err.code, 409);
    assert_string_equal(err.reason, "Conflict");
    assert_non_null(strstr(err.message, "Precondition failed: UID in precondition: "
                                        "00000000-0000-4000-8000-000000000000"));
    assert_false(deleted);
    assert_null(o);

    struct fl_store_precond bad_rev = {.rev = 2};
    memset(&err, 0, sizeof(err));
    assert_int_equal(fl_store_delete(f->s, &CM, key, &bad_rev, &o, &deleted, &err), FL_EFAIL);
    assert_int_equal(err.code, 409);
    assert_string_equal(err.reason, "Conflict");
    assert_string_equal(err.message,
                        "Operation cannot be fulfilled on configmaps \"a\": Precondition failed: "
                        "ResourceVersion in precondition: 2, ResourceVersion in object meta: 1");
    assert_int_equal(fl_store_rev(f->s), 2);
    assert_int_equal(fl_store_count(f->s), 2);

    /* Both right: deleted. Empty uid / zero rev mean "no precondition". */
    struct fl_store_precond good = {.uid = fl_obj_meta(a)->uid, .rev = 1};
    assert_int_equal(fl_store_delete(f->s, &CM, key, &good, NULL, &deleted, &err), 0);
    assert_true(deleted);
    struct fl_store_precond none = {.uid = "", .rev = 0};
    key_of(key, "ns", "b");
    assert_int_equal(fl_store_delete(f->s, &CM, key, &none, NULL, &deleted, &err), 0);
    assert_true(deleted);
    assert_int_equal(fl_store_count(f->s), 0);
    fl_obj_unref(a);
}

/* ---- list ------------------------------------------------------------- */

static void test_list_prefix(void **state)
{
    struct fx *f = *state;
    /* Created out of order; other resources and a namespace that shares a
     * prefix ("ns" / "ns1") must not leak in. */
    put(f->s, "ns1", "b", "1");
    put(f->s, "ns", "c", "1");
    put(f->s, "ns1", "a", "1");
    put(f->s, "ns", "a", "1");
    put(f->s, "a", "z", "1");
    put(f->s, "ns", "b", "1");
    char key[FL_KEY_MAX];
    struct fl_err err = {0};
    json_t *d = json_pack("{s:{s:s,s:s}}", "metadata", "name", "x", "namespace", "ns");
    fl_store_key(key, "", "secrets", "ns", "x");
    assert_int_equal(fl_store_create(f->s, &CM, key, d, NULL, &err), 0);
    json_decref(d);
    d = json_pack("{s:{s:s}}", "metadata", "name", "ns");
    fl_store_key(key, "", "namespaces", "", "ns");
    assert_int_equal(fl_store_create(f->s, &CM, key, d, NULL, &err), 0);
    json_decref(d);
    assert_int_equal(fl_store_count(f->s), 8);

    fl_store_key(key, "", "configmaps", NULL, NULL);
    assert_string_equal(key, "/configmaps/");
    assert_list(f->s, key, NULL, "a/z,ns/a,ns/b,ns/c,ns1/a,ns1/b");
    key_of(key, "ns", NULL);
    assert_string_equal(key, "/configmaps/ns/");
    assert_list(f->s, key, NULL, "ns/a,ns/b,ns/c");
    assert_list(f->s, "/configmaps/ns1/", NULL, "ns1/a,ns1/b");
    assert_list(f->s, "/configmaps/none/", NULL, "");
    assert_list(f->s, "/secrets/", NULL, "ns/x");
    assert_list(f->s, "/namespaces//", NULL, "/ns");

    /* Items are the stored versions. */
    struct fl_store_list l;
    list_ok(f->s, "/configmaps/ns/", NULL, 0, NULL, &l);
    assert_int_equal(l.n, 3);
    for (size_t i = 0; i < l.n; i++) {
        struct fl_obj *g = get(f->s, "ns", name_of(l.items[i]));
        assert_ptr_equal(g, l.items[i]);
        fl_obj_unref(g);
    }
    fl_store_list_release(&l);
    assert_null(l.items);
}

static void put_labeled(struct fl_store *s, const char *ns, const char *name, const char *val,
                        const char *app, const char *tier)
{
    json_t *d = cm_doc(ns, name, val);
    json_t *labels = json_object();
    if (app)
        json_object_set_new(labels, "app", json_string(app));
    if (tier)
        json_object_set_new(labels, "tier", json_string(tier));
    json_object_set_new(fl_json_metadata(d), "labels", labels);
    fl_obj_unref(create_doc(s, ns, name, d));
}

static void assert_filtered(struct fl_store *s, const char *prefix, const char *labels,
                            const char *fields, const char *want)
{
    struct fl_labelsel *ls = NULL;
    struct fl_fieldsel *fs = NULL;
    struct fl_err err = {0};
    assert_int_equal(fl_labelsel_parse(labels, &ls, &err), 0);
    assert_int_equal(fl_fieldsel_parse(fields, &fs, &err), 0);
    /* "data.k" is resolved by the store as a dotted path into the object. */
    struct fl_store_filter f = {.labels = ls, .fields = fs};
    assert_list(s, prefix, &f, want);
    fl_labelsel_free(ls);
    fl_fieldsel_free(fs);
}

static void test_list_selectors(void **state)
{
    struct fx *f = *state;
    put_labeled(f->s, "ns1", "a", "x", "web", "front");
    put_labeled(f->s, "ns1", "b", "y", "web", "back");
    put_labeled(f->s, "ns1", "c", "x", "db", NULL);
    put_labeled(f->s, "ns2", "a", "y", "web", "front");
    put_labeled(f->s, "ns2", "d", "x", NULL, NULL);

    assert_filtered(f->s, "/configmaps/", NULL, NULL, "ns1/a,ns1/b,ns1/c,ns2/a,ns2/d");
    assert_filtered(f->s, "/configmaps/", "app=web", NULL, "ns1/a,ns1/b,ns2/a");
    assert_filtered(f->s, "/configmaps/", "app!=web", NULL, "ns1/c,ns2/d");
    assert_filtered(f->s, "/configmaps/", "app in (db,web),tier", NULL, "ns1/a,ns1/b,ns2/a");
    assert_filtered(f->s, "/configmaps/", "!app", NULL, "ns2/d");
    assert_filtered(f->s, "/configmaps/ns1/", "tier=front", NULL, "ns1/a");
    assert_filtered(f->s, "/configmaps/", NULL, "metadata.name=a", "ns1/a,ns2/a");
    assert_filtered(f->s, "/configmaps/", NULL, "metadata.namespace!=ns1", "ns2/a,ns2/d");
    assert_filtered(f->s, "/configmaps/", NULL, "metadata.namespace=ns2,metadata.name!=a", "ns2/d");
    assert_filtered(f->s, "/configmaps/", NULL, "data.k=x", "ns1/a,ns1/c,ns2/d");
    assert_filtered(f->s, "/configmaps/", "app=web", "data.k=y", "ns1/b,ns2/a");
    assert_filtered(f->s, "/configmaps/", "app=none", NULL, "");
    /* Paths the object does not have read as "". */
    struct fl_fieldsel *fs = NULL;
    struct fl_err err = {0};
    assert_int_equal(fl_fieldsel_parse("spec.nothing=", &fs, &err), 0);
    struct fl_store_filter flt = {.fields = fs};
    assert_list(f->s, "/configmaps/ns2/", &flt, "ns2/a,ns2/d");
    fl_fieldsel_free(fs);
    /* fl_store_filter_match: NULL filter matches everything. */
    struct fl_obj *o = get(f->s, "ns2", "d");
    assert_true(fl_store_filter_match(NULL, o));
    fl_obj_unref(o);
}

/* Walk prefix with limit; returns the names joined, checks every page's rev. */
static size_t walk(struct fl_store *s, const char *prefix, const struct fl_store_filter *f,
                   size_t limit, char *out, size_t len)
{
    char *cont = NULL;
    size_t pages = 0;
    uint64_t rev = 0;
    out[0] = '\0';
    do {
        struct fl_store_list l;
        char page[4096];
        list_ok(s, prefix, f, limit, cont, &l);
        free(cont);
        cont = l.cont ? strdup(l.cont) : NULL;
        assert_true(l.n <= limit);
        if (pages == 0)
            rev = l.rev;
        assert_int_equal(l.rev, rev);
        names(&l, page, sizeof(page));
        if (l.n) {
            size_t used = strlen(out);
            snprintf(out + used, len - used, "%s%s", used ? "," : "", page);
        }
        fl_store_list_release(&l);
        pages++;
        assert_true(pages < 1000);
    } while (cont);
    return pages;
}

static void test_list_pagination(void **state)
{
    struct fx *f = *state;
    char want[4096] = "", got[4096];
    for (int i = 0; i < 25; i++) {
        char name[16];
        snprintf(name, sizeof(name), "o%02d", i);
        put(f->s, i % 2 ? "ns2" : "ns1", name, "1");
    }
    struct fl_store_list l;
    list_ok(f->s, "/configmaps/", NULL, 0, NULL, &l);
    assert_int_equal(l.n, 25);
    names(&l, want, sizeof(want));
    fl_store_list_release(&l);

    for (size_t limit = 1; limit <= 26; limit++) {
        size_t pages = walk(f->s, "/configmaps/", NULL, limit, got, sizeof(got));
        assert_string_equal(got, want);
        assert_int_equal(pages, limit >= 25 ? 1 : (25 + limit - 1) / limit);
    }
    /* A namespace prefix pages within the namespace only. */
    walk(f->s, "/configmaps/ns2/", NULL, 5, got, sizeof(got));
    assert_string_equal(got, "ns2/o01,ns2/o03,ns2/o05,ns2/o07,ns2/o09,ns2/o11,ns2/o13,"
                             "ns2/o15,ns2/o17,ns2/o19,ns2/o21,ns2/o23");

    /* With a filter: each match exactly once, in order. */
    struct fl_fieldsel *fs = NULL;
    struct fl_err err = {0};
    assert_int_equal(fl_fieldsel_parse("metadata.namespace=ns1", &fs, &err), 0);
    struct fl_store_filter flt = {.fields = fs};
    for (size_t limit = 1; limit <= 14; limit++) {
        walk(f->s, "/configmaps/", &flt, limit, got, sizeof(got));
        assert_string_equal(got, "ns1/o00,ns1/o02,ns1/o04,ns1/o06,ns1/o08,ns1/o10,ns1/o12,"
                                 "ns1/o14,ns1/o16,ns1/o18,ns1/o20,ns1/o22,ns1/o24");
    }
    fl_fieldsel_free(fs);
}

static void test_list_snapshot(void **state)
{
    struct fx *f = *state;
    struct fl_obj *orig[10];
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof(name), "o%02d", i);
        orig[i] = create(f->s, "ns", name, "orig");
    }
    commit_ok(f->s);

    struct fl_store_list l;
    char got[4096];
    list_ok(f->s, "/configmaps/ns/", NULL, 4, NULL, &l);
    names(&l, got, sizeof(got));
    assert_string_equal(got, "ns/o00,ns/o01,ns/o02,ns/o03");
    uint64_t snap = l.rev;
    assert_int_equal(snap, 10);
    char *cont = strdup(l.cont);
    fl_store_list_release(&l);

    /* Before the cursor. */
    set_data(f->s, "ns", "o01", "new");
    del(f->s, "ns", "o02", true);
    put(f->s, "ns", "o00a", "new");
    put(f->s, "ns", "o02a", "new");
    /* After the cursor: an update (twice), a delete, creations, a delete and
     * re-create of the same key, a delete after several updates. */
    set_data(f->s, "ns", "o05", "new");
    set_data(f->s, "ns", "o05", "newer");
    del(f->s, "ns", "o06", true);
    put(f->s, "ns", "o07a", "new");
    del(f->s, "ns", "o08", true);
    put(f->s, "ns", "o08", "reborn");
    set_data(f->s, "ns", "o09", "new");
    del(f->s, "ns", "o09", true);
    put(f->s, "ns", "o99", "new");
    put(f->s, "ns", "o04a", "uncommitted"); /* visible to lists at once, not to the snapshot */
    commit_ok(f->s);
    put(f->s, "ns", "o03a", "uncommitted");
    /* Outside the prefix. */
    put(f->s, "other", "o05", "x");

    list_ok(f->s, "/configmaps/ns/", NULL, 4, cont, &l);
    free(cont);
    assert_int_equal(l.rev, snap);
    names(&l, got, sizeof(got));
    assert_string_equal(got, "ns/o04,ns/o05,ns/o06,ns/o07");
    for (size_t i = 0; i < l.n; i++) {
        struct fl_obj *want = orig[4 + i];
        assert_int_equal(l.items[i]->rev, want->rev);
        assert_int_equal(l.items[i]->len, want->len);
        assert_memory_equal(l.items[i]->bytes, want->bytes, want->len);
    }
    assert_non_null(l.cont);
    cont = strdup(l.cont);
    fl_store_list_release(&l);

    list_ok(f->s, "/configmaps/ns/", NULL, 4, cont, &l);
    free(cont);
    assert_int_equal(l.rev, snap);
    names(&l, got, sizeof(got));
    assert_string_equal(got, "ns/o08,ns/o09");
    for (size_t i = 0; i < l.n; i++) {
        struct fl_obj *want = orig[8 + i];
        assert_int_equal(l.items[i]->rev, want->rev);
        assert_memory_equal(l.items[i]->bytes, want->bytes, want->len);
    }
    assert_null(l.cont);
    fl_store_list_release(&l);

    /* A new list sees the current state. */
    assert_list(f->s, "/configmaps/ns/", NULL,
                "ns/o00,ns/o00a,ns/o01,ns/o02a,ns/o03,ns/o03a,ns/o04,ns/o04a,ns/o05,ns/o07,"
                "ns/o07a,ns/o08,ns/o99");
    for (int i = 0; i < 10; i++)
        fl_obj_unref(orig[i]);
}

/* A snapshot walk with a filter: matches judged on the old versions. */
static void test_list_snapshot_filtered(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 6; i++) {
        char name[16];
        snprintf(name, sizeof(name), "o%d", i);
        put_labeled(f->s, "ns", name, "1", i % 2 ? "odd" : "even", NULL);
    }
    struct fl_labelsel *ls = NULL;
    struct fl_err err = {0};
    assert_int_equal(fl_labelsel_parse("app=even", &ls, &err), 0);
    struct fl_store_filter flt = {.labels = ls};
    struct fl_store_list l;
    char got[1024];
    list_ok(f->s, "/configmaps/", &flt, 1, NULL, &l);
    names(&l, got, sizeof(got));
    assert_string_equal(got, "ns/o0");
    char *cont = strdup(l.cont);
    fl_store_list_release(&l);
    /* o2 stops matching now, o3 starts: the snapshot keeps the old labels. */
    struct fl_obj *o = get(f->s, "ns", "o2");
    json_t *d = doc_of(o);
    fl_obj_unref(o);
    json_object_set_new(fl_json_metadata(d), "labels", json_pack("{s:s}", "app", "odd"));
    fl_obj_unref(update(f->s, "ns", "o2", d, NULL));
    o = get(f->s, "ns", "o3");
    d = doc_of(o);
    fl_obj_unref(o);
    json_object_set_new(fl_json_metadata(d), "labels", json_pack("{s:s}", "app", "even"));
    fl_obj_unref(update(f->s, "ns", "o3", d, NULL));

    list_ok(f->s, "/configmaps/", &flt, 10, cont, &l);
    free(cont);
    names(&l, got, sizeof(got));
    assert_string_equal(got, "ns/o2,ns/o4");
    fl_store_list_release(&l);
    fl_labelsel_free(ls);
}

static void test_list_cont_expired(void **state)
{
    struct fx *f = *state; /* history 8 */
    put(f->s, "ns", "a", "1");
    put(f->s, "ns", "b", "1");
    put(f->s, "ns", "c", "1");
    commit_ok(f->s);
    struct fl_store_list l;
    list_ok(f->s, "/configmaps/", NULL, 1, NULL, &l);
    char *cont = strdup(l.cont);
    fl_store_list_release(&l);

    /* Within the history the token still works. */
    set_data(f->s, "ns", "c", "2");
    commit_ok(f->s);
    list_ok(f->s, "/configmaps/", NULL, 1, cont, &l);
    assert_int_equal(l.rev, 3);
    fl_store_list_release(&l);

    /* Many more writes, each committed so its event is delivered and may
     * leave the ring. */
    for (int i = 0; i < 20; i++) {
        char v[16];
        snprintf(v, sizeof(v), "%d", i);
        set_data(f->s, "ns", "c", v);
        commit_ok(f->s);
    }
    struct fl_err err = {0};
    assert_int_equal(fl_store_list(f->s, "/configmaps/", NULL, 1, cont, &l, &err), FL_EFAIL);
    assert_int_equal(err.code, 410);
    assert_string_equal(err.reason, "Expired");
    assert_non_null(strstr(err.message, "too old"));
    assert_null(l.items);
    free(cont);

    /* A new walk works, and is consistent. */
    char got[256];
    walk(f->s, "/configmaps/", NULL, 1, got, sizeof(got));
    assert_string_equal(got, "ns/a,ns/b,ns/c");
}

static void expect_bad_cont(struct fl_store *s, const char *cont, int code)
{
    struct fl_store_list l;
    struct fl_err err = {0};
    assert_int_equal(fl_store_list(s, "/configmaps/", NULL, 1, cont, &l, &err), FL_EFAIL);
    assert_int_equal(err.code, code);
    if (code == 400) {
        assert_string_equal(err.reason, "BadRequest");
        assert_non_null(strstr(err.message, "continue key is not valid"));
    }
}

static void test_list_cont_bad(void **state)
{
    struct fx *f = *state;
    put(f->s, "ns", "a", "1");
    put(f->s, "ns", "b", "1");
    expect_bad_cont(f->s, "garbage!", 400);
    expect_bad_cont(f->s, "bm90IGpzb24", 400); /* "not json" */
    expect_bad_cont(f->s, "e30", 400);         /* "{}" */
    char *future = fl_cont_encode(1000, "ns/a");
    expect_bad_cont(f->s, future, 400);
    free(future);
    /* An empty token means "first page". */
    struct fl_store_list l;
    list_ok(f->s, "/configmaps/", NULL, 1, "", &l);
    assert_int_equal(l.n, 1);
    fl_store_list_release(&l);
    /* A token naming the last key gives an empty final page. */
    char *end = fl_cont_encode(2, "ns/b");
    list_ok(f->s, "/configmaps/", NULL, 1, end, &l);
    assert_int_equal(l.n, 0);
    assert_null(l.cont);
    fl_store_list_release(&l);
    free(end);
}

/* ---- watch ------------------------------------------------------------ */

static void test_watch_commit(void **state)
{
    struct fx *f = *state;
    struct rec all = {0}, ns = {0}, other = {0}, secrets = {0};
    watch(f->s, "/configmaps/", 0, &all);
    watch(f->s, "/configmaps/ns/", 0, &ns);
    watch(f->s, "/configmaps/other/", 0, &other);
    watch(f->s, "/secrets/", 0, &secrets);

    put(f->s, "ns", "a", "1");
    set_data(f->s, "ns", "a", "2");
    put(f->s, "ns2", "b", "1");
    del(f->s, "ns", "a", true);
    /* Nothing before the commit. */
    assert_int_equal(all.n, 0);
    assert_int_equal(ns.n, 0);

    commit_ok(f->s);
    assert_int_equal(all.n, 4);
    assert_event(&all, 0, FL_ADDED, "ns", "a", 1);
    assert_event(&all, 1, FL_MODIFIED, "ns", "a", 2);
    assert_int_equal(all.ev[1].prev_rev, 1);
    assert_event(&all, 2, FL_ADDED, "ns2", "b", 3);
    assert_event(&all, 3, FL_DELETED, "ns", "a", 4);
    assert_int_equal(all.ev[3].prev_rev, 2);
    for (size_t i = 0; i < all.n; i++)
        assert_true(all.ev[i].committed);
    assert_int_equal(ns.n, 3);
    assert_event(&ns, 2, FL_DELETED, "ns", "a", 4);
    assert_int_equal(other.n, 0);
    assert_int_equal(secrets.n, 0);

    /* A commit with nothing new delivers nothing again. */
    commit_ok(f->s);
    assert_int_equal(all.n, 4);
    put(f->s, "other", "c", "1");
    commit_ok(f->s);
    assert_int_equal(all.n, 5);
    assert_event(&all, 4, FL_ADDED, "other", "c", 5);
    assert_int_equal(other.n, 1);
    assert_int_equal(ns.n, 3);
    assert_string_equal(fl_event_type_name(FL_ADDED), "ADDED");
    assert_string_equal(fl_event_type_name(FL_MODIFIED), "MODIFIED");
    assert_string_equal(fl_event_type_name(FL_DELETED), "DELETED");

    /* A closed watch hears nothing more. */
    fl_watch_close(all.w);
    fl_watch_close(NULL);
    put(f->s, "ns", "d", "1");
    commit_ok(f->s);
    assert_int_equal(all.n, 5);
    assert_int_equal(ns.n, 4);
}

static void test_watch_replay(void **state)
{
    struct fx *f = *state;
    put(f->s, "ns", "a", "1");
    put(f->s, "ns", "b", "1");
    set_data(f->s, "ns", "a", "2");
    commit_ok(f->s);
    put(f->s, "ns", "c", "uncommitted");

    /* From revision 1: events 2 and 3 at once, inside the call; 4 is not
     * committed yet so it waits for the commit. */
    struct rec r = {0};
    watch(f->s, "/configmaps/", 1, &r);
    assert_int_equal(r.n, 2);
    assert_event(&r, 0, FL_ADDED, "ns", "b", 2);
    assert_event(&r, 1, FL_MODIFIED, "ns", "a", 3);
    commit_ok(f->s);
    assert_int_equal(r.n, 3);
    assert_event(&r, 2, FL_ADDED, "ns", "c", 4);

    /* From the current revision or 0: nothing to replay. */
    struct rec now = {0}, zero = {0}, nsb = {0};
    watch(f->s, "/configmaps/", fl_store_rev(f->s), &now);
    watch(f->s, "/configmaps/", 0, &zero);
    /* A narrower prefix replays only its own events. */
    watch(f->s, "/configmaps/ns/b", 1, &nsb);
    assert_int_equal(nsb.n, 1);
    assert_event(&nsb, 0, FL_ADDED, "ns", "b", 2);
    assert_int_equal(now.n, 0);
    assert_int_equal(zero.n, 0);
    put(f->s, "ns", "d", "1");
    commit_ok(f->s);
    assert_int_equal(now.n, 1);
    assert_int_equal(zero.n, 1);
    assert_int_equal(r.n, 4);
    assert_event(&r, 3, FL_ADDED, "ns", "d", 5);

    /* Staged writes are part of "now": a list taken now shows them (as the
     * API does before a watch without resourceVersion), so a watch from 0 or
     * from the list's revision must not deliver them again at the commit. */
    put(f->s, "ns", "e", "1");
    struct fl_store_list l;
    list_ok(f->s, "/configmaps/", NULL, 0, NULL, &l);
    assert_int_equal(l.rev, 6);
    struct rec from0 = {0}, froml = {0};
    watch(f->s, "/configmaps/", 0, &from0);
    watch(f->s, "/configmaps/", l.rev, &froml);
    fl_store_list_release(&l);
    commit_ok(f->s);
    assert_int_equal(from0.n, 0);
    assert_int_equal(froml.n, 0);
    assert_int_equal(r.n, 5);
    put(f->s, "ns", "f", "1");
    commit_ok(f->s);
    assert_int_equal(from0.n, 1);
    assert_event(&from0, 0, FL_ADDED, "ns", "f", 7);
    assert_int_equal(froml.n, 1);
}

static void test_watch_expired(void **state)
{
    struct fx *f = *state; /* history 8 */
    put(f->s, "ns", "a", "0");
    commit_ok(f->s);
    for (int i = 1; i < 20; i++) {
        char v[16];
        snprintf(v, sizeof(v), "%d", i);
        set_data(f->s, "ns", "a", v);
        commit_ok(f->s);
    }
    assert_int_equal(fl_store_rev(f->s), 20);
    struct fl_err err = {0};
    struct fl_watch *w = NULL;
    struct rec r = {0};
    assert_int_equal(fl_store_watch(f->s, "/configmaps/", 1, on_event, &r, &w, &err), FL_EFAIL);
    assert_int_equal(err.code, 410);
    assert_string_equal(err.reason, "Expired");
    assert_non_null(strstr(err.message, "too old resource version: 1"));
    assert_int_equal(r.n, 0);
    /* The newest history entries still replay. */
    watch(f->s, "/configmaps/", 18, &r);
    assert_int_equal(r.n, 2);
    assert_event(&r, 0, FL_MODIFIED, "ns", "a", 19);
    assert_event(&r, 1, FL_MODIFIED, "ns", "a", 20);
    /* 12 = 20 - 8 is the oldest revision a watch can start from. */
    struct rec r12 = {0}, r11 = {0};
    watch(f->s, "/configmaps/", 12, &r12);
    assert_int_equal(r12.n, 8);
    memset(&err, 0, sizeof(err));
    assert_int_equal(fl_store_watch(f->s, "/configmaps/", 11, on_event, &r11, &w, &err), FL_EFAIL);
    assert_int_equal(err.code, 410);
}

static void test_watch_close_in_callback(void **state)
{
    struct fx *f = *state;
    struct rec once = {.close_after = 1}, twice = {.close_after = 2}, keeps = {0};
    struct rec closer = {0}, victim = {0};
    watch(f->s, "/configmaps/", 0, &once);
    watch(f->s, "/configmaps/", 0, &twice);
    watch(f->s, "/configmaps/", 0, &keeps);
    /* closer closes another watch, registered after it, at its first event. */
    watch(f->s, "/configmaps/", 0, &closer);
    closer.close_me = watch(f->s, "/configmaps/", 0, &victim);

    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof(name), "o%d", i);
        put(f->s, "ns", name, "1");
    }
    commit_ok(f->s);
    assert_int_equal(once.n, 1);
    assert_int_equal(twice.n, 2);
    assert_int_equal(keeps.n, 4);
    assert_int_equal(closer.n, 4);
    /* closer runs before victim for the first event, so victim hears none. */
    assert_int_equal(victim.n, 0);

    put(f->s, "ns", "o9", "1");
    commit_ok(f->s);
    assert_int_equal(once.n, 1);
    assert_int_equal(twice.n, 2);
    assert_int_equal(keeps.n, 5);

    /* Closing during the replay inside fl_store_watch. */
    struct rec replay = {.close_after = 2};
    watch(f->s, "/configmaps/", 1, &replay);
    assert_int_equal(replay.n, 2);
    put(f->s, "ns", "o10", "1");
    commit_ok(f->s);
    assert_int_equal(replay.n, 2);
    assert_int_equal(keeps.n, 6);
}

/* A watch of one object (api.c passes its key, not ending in '/') must not
 * see keys that merely start with it. Before the fix: api.c watched one object by passing its
 * key as the prefix, and the store matches prefixes by bytes, so a watch on
 * ".../a" also sees ".../ab". Expected: only ns/a's events. */
static void test_watch_single_object(void **state)
{
    struct fx *f = *state;
    char key[FL_KEY_MAX];
    struct rec r = {0};
    key_of(key, "ns", "a");
    watch(f->s, key, 0, &r);
    put(f->s, "ns", "b", "1");
    put(f->s, "ns2", "a", "1");
    put(f->s, "ns", "a", "1");
    put(f->s, "ns", "ab", "1"); /* shares the key as a prefix */
    set_data(f->s, "ns", "ab", "2");
    set_data(f->s, "ns", "a", "2");
    del(f->s, "ns", "a", true);
    commit_ok(f->s);
    for (size_t i = 0; i < r.n; i++)
        assert_string_equal(r.ev[i].key, key);
    assert_int_equal(r.n, 3);
    assert_event(&r, 0, FL_ADDED, "ns", "a", 3);
    assert_event(&r, 1, FL_MODIFIED, "ns", "a", 6);
    assert_event(&r, 2, FL_DELETED, "ns", "a", 7);
}

/* Regression: a write made inside a watch callback during fl_store_commit is
 * delivered in the same delivery loop, before it is committed (watchers see
 * an uncommitted event), and delivered again at the next commit. Expected:
 * the echo's ADDED reaches `seen` once, after the second commit. */
static void test_watch_write_in_callback(void **state)
{
    struct fx *f = *state;
    struct rec writer = {.echo_on = "trigger"}, seen = {0};
    watch(f->s, "/configmaps/", 0, &writer);
    watch(f->s, "/configmaps/", 0, &seen);
    put(f->s, "ns", "trigger", "1");
    commit_ok(f->s);
    assert_int_equal(fl_store_count(f->s), 2);
    assert_true(fl_store_dirty(f->s)); /* the echo waits for the next commit */
    for (size_t i = 0; i < seen.n; i++)
        assert_true(seen.ev[i].committed);
    assert_int_equal(seen.n, 1);
    assert_event(&seen, 0, FL_ADDED, "ns", "trigger", 1);
    commit_ok(f->s);
    assert_int_equal(seen.n, 2);
    assert_event(&seen, 1, FL_ADDED, "ns", "trigger-echo", 2);
    commit_ok(f->s);
    assert_int_equal(seen.n, 2);
}

/* The same, when the write grows the event ring while the delivery loop holds
 * a pointer into it. Run in a child process: on the current store this is a
 * heap-use-after-free that ASan aborted on (regression test). */
static void ring_grow_scenario(void **state)
{
    struct fl_backend *b = fl_backend_memory_new();
    struct fl_store *s = open_store(b, 4);
    struct rec writer = {.echo_on = "o0"}, seen = {0};
    watch(s, "/configmaps/", 0, &writer);
    watch(s, "/configmaps/", 0, &seen);
    for (int i = 0; i < 4; i++) { /* fill the ring with undelivered events */
        char name[16];
        snprintf(name, sizeof(name), "o%d", i);
        put(s, "ns", name, "1");
    }
    commit_ok(s);
    commit_ok(s);
    assert_int_equal(seen.n, 5);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(seen.ev[i].rev, i + 1);
    fl_store_free(s);
    fl_backend_close(b);
}

static void test_watch_write_in_callback_ring_grow(void **state)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const struct CMUnitTest t[] = {cmocka_unit_test(ring_grow_scenario)};
        _exit(cmocka_run_group_tests_name("child: ring grow in callback", t, NULL, NULL) ? 1 : 0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("child failed (%s %d): see its output above",
                 WIFEXITED(status) ? "exit" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* ---- restart and failures --------------------------------------------- */

static void test_restart(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof(name), "o%02d", i);
        put(f->s, i % 3 ? "ns" : "kube-system", name, "1");
    }
    set_data(f->s, "ns", "o01", "2");
    del(f->s, "ns", "o02", true);
    fl_obj_unref(create_doc(f->s, "ns", "fin", with_finalizers(cm_doc("ns", "fin", "1"))));
    del(f->s, "ns", "fin", false);
    commit_ok(f->s);
    uint64_t rev = fl_store_rev(f->s);
    assert_int_equal(rev, 14);

    struct fl_store_list before;
    list_ok(f->s, "/", NULL, 0, NULL, &before);
    assert_int_equal(before.n, 10);
    struct fl_store_list page;
    list_ok(f->s, "/configmaps/", NULL, 3, NULL, &page);
    char *cont = strdup(page.cont);
    fl_store_list_release(&page);
    fl_store_free(f->s);

    f->s = open_store(f->b, 0);
    assert_int_equal(fl_store_rev(f->s), rev);
    assert_int_equal(fl_store_count(f->s), 10);
    assert_false(fl_store_dirty(f->s));
    struct fl_store_list after;
    list_ok(f->s, "/", NULL, 0, NULL, &after);
    assert_int_equal(after.n, before.n);
    assert_int_equal(after.rev, rev);
    for (size_t i = 0; i < after.n; i++) {
        struct fl_obj *x = before.items[i], *y = after.items[i];
        assert_string_equal(y->key, x->key);
        assert_int_equal(y->rev, x->rev);
        assert_int_equal(y->create_rev, x->create_rev);
        assert_int_equal(y->len, x->len);
        assert_memory_equal(y->bytes, x->bytes, x->len);
    }
    fl_store_list_release(&before);
    fl_store_list_release(&after);
    struct fl_obj *o = get(f->s, "ns", "fin");
    assert_string_equal(fl_obj_meta(o)->deletion_timestamp, "2023-11-14T22:13:20Z");
    fl_obj_unref(o);
    /* A token taken just before the restart names the loaded revision: it
     * still reads a consistent page. */
    list_ok(f->s, "/configmaps/", NULL, 3, cont, &page);
    free(cont);
    assert_int_equal(page.rev, rev);
    assert_int_equal(page.n, 3);
    fl_store_list_release(&page);

    /* Revisions continue; the history restarts at the loaded revision. */
    struct rec r = {0};
    watch(f->s, "/configmaps/", rev, &r);
    struct fl_err err = {0};
    struct fl_watch *w = NULL;
    assert_int_equal(fl_store_watch(f->s, "/configmaps/", rev - 1, on_event, &r, &w, &err),
                     FL_EFAIL);
    assert_int_equal(err.code, 410);
    o = create(f->s, "ns", "new", "1");
    assert_int_equal(o->rev, rev + 1);
    fl_obj_unref(o);
    commit_ok(f->s);
    assert_int_equal(r.n, 1);
    assert_event(&r, 0, FL_ADDED, "ns", "new", rev + 1);

    /* Finishing the deletion after a restart works too. */
    o = get(f->s, "ns", "fin");
    json_t *d = doc_of(o);
    fl_obj_unref(o);
    json_object_del(fl_json_metadata(d), "finalizers");
    bool deleted = false;
    fl_obj_unref(update(f->s, "ns", "fin", d, &deleted));
    assert_true(deleted);
    commit_ok(f->s);
    fl_store_free(f->s);
    f->s = open_store(f->b, 0);
    assert_absent(f->s, "ns", "fin");
    assert_int_equal(fl_store_rev(f->s), rev + 2);
}

static void test_uncommitted_lost(void **state)
{
    struct fx *f = *state;
    put(f->s, "ns", "a", "1");
    put(f->s, "ns", "b", "1");
    commit_ok(f->s);
    struct fl_obj *a = get(f->s, "ns", "a");
    /* Not committed: an update, a delete, a create. */
    set_data(f->s, "ns", "a", "2");
    del(f->s, "ns", "b", true);
    put(f->s, "ns", "c", "1");
    assert_true(fl_store_dirty(f->s));
    assert_int_equal(fl_store_rev(f->s), 5);
    fl_store_free(f->s);

    f->s = open_store(f->b, 0);
    assert_int_equal(fl_store_rev(f->s), 2);
    assert_list(f->s, "/configmaps/", NULL, "ns/a,ns/b");
    struct fl_obj *g = get(f->s, "ns", "a");
    assert_int_equal(g->rev, a->rev);
    assert_memory_equal(g->bytes, a->bytes, a->len);
    fl_obj_unref(g);
    fl_obj_unref(a);
    /* The lost revisions are handed out again. */
    struct fl_obj *c = create(f->s, "ns", "c", "1");
    assert_int_equal(c->rev, 3);
    fl_obj_unref(c);
    commit_ok(f->s);
    fl_store_free(f->s);
    f->s = open_store(f->b, 0);
    assert_list(f->s, "/configmaps/", NULL, "ns/a,ns/b,ns/c");
}

static void test_commit_failure(void **state)
{
    struct fx *f = *state;
    struct rec r = {0};
    put(f->s, "ns", "a", "1");
    commit_ok(f->s);
    watch(f->s, "/configmaps/", 0, &r);

    put(f->s, "ns", "b", "1");
    fl_backend_memory_fail_commit(f->b, 1);
    struct fl_err err = {0};
    assert_int_equal(fl_store_commit(f->s, &err), FL_EFAIL);
    assert_int_equal(err.code, 500);
    assert_true(err.message[0] != '\0');
    /* Nothing was acknowledged: no event, and the store knows it is behind. */
    assert_int_equal(r.n, 0);
    assert_true(fl_store_dirty(f->s));
    fl_store_free(f->s);

    /* The failed write is not durable. */
    f->s = open_store(f->b, 0);
    assert_int_equal(fl_store_rev(f->s), 1);
    assert_list(f->s, "/configmaps/", NULL, "ns/a");
    /* The injection was one-shot. */
    put(f->s, "ns", "c", "1");
    commit_ok(f->s);
    fl_store_free(f->s);
    f->s = open_store(f->b, 0);
    assert_list(f->s, "/configmaps/", NULL, "ns/a,ns/c");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TS(fn) cmocka_unit_test_setup_teardown(fn, setup_small_history, teardown)
    const struct CMUnitTest tests[] = {
        T(test_create),
        T(test_create_exists),
        T(test_get_not_found),
        T(test_update_cas),
        T(test_update_keeps_system_fields),
        T(test_generation),
        T(test_revisions),
        T(test_delete_plain),
        T(test_delete_finalizers),
        T(test_delete_preconditions),
        T(test_list_prefix),
        T(test_list_selectors),
        T(test_list_pagination),
        T(test_list_snapshot),
        T(test_list_snapshot_filtered),
        TS(test_list_cont_expired),
        T(test_list_cont_bad),
        T(test_watch_commit),
        T(test_watch_replay),
        TS(test_watch_expired),
        T(test_watch_close_in_callback),
        T(test_watch_single_object),
        T(test_watch_write_in_callback),
        T(test_watch_write_in_callback_ring_grow),
        T(test_restart),
        T(test_uncommitted_lost),
        T(test_commit_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
