/*
 * Unit tests for controllers/gc over a memory-backend store and a real event
 * base. A "turn" is one libevent pass followed by fl_store_commit, as the
 * server's loop does, so the collector sees its own writes only once they
 * are committed. Cases: background deletion down an owner chain, orphaning,
 * foreground deletion (a blocking dependent holds the owner, a non-blocking
 * one does not; nested owners go bottom-up), dependents with several owners,
 * owners that never existed or live in another namespace, a cluster-scoped
 * dependent of a namespaced kind (never collected), an owner kind that is not
 * served (backoff), a restart with an owner deleted while the collector was
 * down, and a start over more objects than one sync chunk with deletes
 * arriving during the sync.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controllers/gc.h"
#include "store/backend.h"
#include "store/store.h"

#define DEPLOY "apps/deployments/default/"
#define RS "apps/replicasets/default/"
#define CM "/configmaps/default/"

struct fx {
    struct event_base *base;
    struct fl_backend *b;
    struct fl_store *s;
    struct fl_gc *gc;
    struct fl_watch *w;
    char deleted[64][128]; /* keys of DELETED events, in order */
    int ndeleted;
};

static void on_event(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct fx *f = ctx;
    if (ev->type == FL_DELETED && f->ndeleted < 64)
        snprintf(f->deleted[f->ndeleted++], sizeof(f->deleted[0]), "%s", ev->obj->key);
}

static void commit(struct fx *f)
{
    struct fl_err err = {0};
    if (fl_store_commit(f->s, &err) != 0)
        fail_msg("commit: %s", err.message);
}

static void gc_start(struct fx *f)
{
    struct fl_err err = {0};
    if (fl_gc_start(f->base, f->s, &f->gc, &err) != 0)
        fail_msg("fl_gc_start: %s", err.message);
}

static void store_open(struct fx *f)
{
    struct fl_err err = {0};
    struct fl_store_opts opts = {0};
    if (fl_store_open(f->b, &opts, &f->s, &err) != 0)
        fail_msg("fl_store_open: %s", err.message);
    if (fl_store_watch(f->s, "", 0, on_event, f, &f->w, &err) != 0)
        fail_msg("watch: %s", err.message);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->base = event_base_new();
    f->b = fl_backend_memory_new();
    store_open(f);
    gc_start(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    fl_gc_stop(f->gc);
    fl_watch_close(f->w);
    fl_store_free(f->s);
    fl_backend_close(f->b);
    event_base_free(f->base);
    free(f);
    return 0;
}

/* Loop turns until the collector is idle and everything is committed (or
 * max turns). Returns the turns it took. */
static int settle(struct fx *f, int max)
{
    int i;
    commit(f);
    for (i = 0; i < max; i++) {
        event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        commit(f);
        if (fl_gc_synced(f->gc) && fl_gc_pending(f->gc) == 0 && !fl_store_dirty(f->s))
            break;
    }
    return i;
}

static struct fl_store_res res_of(const char *key, char *group, char *resource)
{
    const char *a = strchr(key, '/'), *b = strchr(a + 1, '/');
    memcpy(group, key, a - key);
    group[a - key] = '\0';
    memcpy(resource, a + 1, b - a - 1);
    resource[b - a - 1] = '\0';
    return (struct fl_store_res){.group = group, .resource = resource};
}

/* Create key from a JSON doc (printf format); returns the uid (static,
 * rotating buffers). */
static const char *mk(struct fx *f, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *mk(struct fx *f, const char *key, const char *fmt, ...)
{
    static char uids[8][64];
    static int next;
    char g[64], r[64], *text;
    va_list ap;
    va_start(ap, fmt);
    assert_true(vasprintf(&text, fmt, ap) > 0);
    va_end(ap);
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (!doc)
        fail_msg("bad test JSON %s: %s", text, jerr.text);
    free(text);
    struct fl_store_res res = res_of(key, g, r);
    struct fl_obj *o = NULL;
    struct fl_err err = {0};
    if (fl_store_create(f->s, &res, key, doc, &o, &err) != 0)
        fail_msg("create %s: %s", key, err.message);
    char *uid = uids[next++ % 8];
    snprintf(uid, 64, "%s", fl_obj_meta(o)->uid);
    fl_obj_unref(o);
    json_decref(doc);
    return uid;
}

static const char *deploy(struct fx *f, const char *name, const char *finalizers)
{
    char key[128];
    snprintf(key, sizeof(key), DEPLOY "%s", name);
    return mk(f, key,
              "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"%s\","
              "\"namespace\":\"default\",\"finalizers\":[%s]}}",
              name, finalizers ? finalizers : "");
}

/* An ownerReference JSON object. */
static char *oref(const char *av, const char *kind, const char *name, const char *uid, bool block)
{
    static char bufs[8][256];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 256,
             "{\"apiVersion\":\"%s\",\"kind\":\"%s\",\"name\":\"%s\",\"uid\":\"%s\","
             "\"controller\":true,\"blockOwnerDeletion\":%s}",
             av, kind, name, uid, block ? "true" : "false");
    return b;
}

/* A dependent of kind ReplicaSet (rs) or ConfigMap (cm) with these refs. */
static const char *dependent(struct fx *f, const char *prefix, const char *name, const char *refs,
                             const char *finalizers)
{
    char key[128];
    bool rs = !strcmp(prefix, RS);
    snprintf(key, sizeof(key), "%s%s", prefix, name);
    return mk(f, key,
              "{\"apiVersion\":\"%s\",\"kind\":\"%s\",\"metadata\":{\"name\":\"%s\","
              "\"namespace\":\"default\",\"ownerReferences\":[%s],\"finalizers\":[%s]}}",
              rs ? "apps/v1" : "v1", rs ? "ReplicaSet" : "ConfigMap", name, refs,
              finalizers ? finalizers : "");
}

static bool exists(struct fx *f, const char *key)
{
    char g[64], r[64];
    struct fl_store_res res = res_of(key, g, r);
    struct fl_obj *o = NULL;
    struct fl_err err = {0};
    if (fl_store_get(f->s, &res, key, &o, &err) != 0)
        return false;
    fl_obj_unref(o);
    return true;
}

/* A copy of the object at key, parsed (new reference); fails if absent. */
static json_t *get(struct fx *f, const char *key)
{
    char g[64], r[64];
    struct fl_store_res res = res_of(key, g, r);
    struct fl_obj *o = NULL;
    struct fl_err err = {0};
    if (fl_store_get(f->s, &res, key, &o, &err) != 0)
        fail_msg("get %s: %s", key, err.message);
    json_t *doc = fl_obj_json(o);
    fl_obj_unref(o);
    return doc;
}

static json_t *md_of(json_t *doc)
{
    return json_object_get(doc, "metadata");
}

static void del(struct fx *f, const char *key)
{
    char g[64], r[64];
    struct fl_store_res res = res_of(key, g, r);
    struct fl_err err = {0};
    bool deleted;
    if (fl_store_delete(f->s, &res, key, NULL, NULL, &deleted, &err) != 0)
        fail_msg("delete %s: %s", key, err.message);
}

/* Replace the finalizers of key. */
static void set_finalizers(struct fx *f, const char *key, const char *json_array)
{
    char g[64], r[64];
    struct fl_store_res res = res_of(key, g, r);
    struct fl_err err = {0};
    bool deleted;
    json_t *doc = get(f, key);
    json_object_set_new(md_of(doc), "finalizers", json_loads(json_array, 0, NULL));
    if (fl_store_update(f->s, &res, key, doc, NULL, &deleted, &err) != 0)
        fail_msg("update %s: %s", key, err.message);
    json_decref(doc);
}

static int deleted_at(struct fx *f, const char *key)
{
    for (int i = 0; i < f->ndeleted; i++)
        if (!strcmp(f->deleted[i], key))
            return i;
    return -1;
}

/* ---- cases ---------------------------------------------------------------- */

static void background_chain(void **state)
{
    struct fx *f = *state;
    const char *d = deploy(f, "x", NULL);
    const char *rs = dependent(f, RS, "x-1", oref("apps/v1", "Deployment", "x", d, true), NULL);
    dependent(f, CM, "x-cm", oref("apps/v1", "ReplicaSet", "x-1", rs, true), NULL);
    dependent(f, CM, "other", "", NULL); /* no owners: never touched */
    settle(f, 50);
    assert_true(exists(f, RS "x-1"));
    assert_true(exists(f, CM "x-cm"));
    del(f, DEPLOY "x");
    settle(f, 50);
    assert_false(exists(f, RS "x-1"));
    assert_false(exists(f, CM "x-cm"));
    assert_true(exists(f, CM "other"));
    assert_true(deleted_at(f, RS "x-1") < deleted_at(f, CM "x-cm"));
}

static void orphan(void **state)
{
    struct fx *f = *state;
    const char *d = deploy(f, "y", "\"orphan\"");
    dependent(f, RS, "y-1", oref("apps/v1", "Deployment", "y", d, true), NULL);
    /* A second dependent with another, live owner: only the ref goes. */
    const char *o2 = deploy(f, "y2", NULL);
    char refs[600];
    snprintf(refs, sizeof(refs), "%s,%s", oref("apps/v1", "Deployment", "y", d, false),
             oref("apps/v1", "Deployment", "y2", o2, false));
    dependent(f, CM, "y-cm", refs, NULL);
    settle(f, 50);
    del(f, DEPLOY "y");
    assert_true(exists(f, DEPLOY "y")); /* the finalizer holds it */
    settle(f, 50);
    assert_false(exists(f, DEPLOY "y"));
    json_t *rs = get(f, RS "y-1");
    assert_null(json_object_get(md_of(rs), "ownerReferences"));
    json_decref(rs);
    json_t *cm = get(f, CM "y-cm");
    json_t *refs_left = json_object_get(md_of(cm), "ownerReferences");
    assert_int_equal(json_array_size(refs_left), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(refs_left, 0), "uid")),
                        o2);
    json_decref(cm);
    /* Orphaned for good: later turns leave them alone. */
    settle(f, 20);
    assert_true(exists(f, RS "y-1"));
    assert_true(exists(f, CM "y-cm"));
}

static void foreground(void **state)
{
    struct fx *f = *state;
    char d[64];
    snprintf(d, sizeof(d), "%s", deploy(f, "z", "\"foregroundDeletion\""));
    /* RS blocks and has a dependent of its own; a non-blocking ConfigMap
     * held by a finalizer must not hold the deployment. */
    const char *rs =
        dependent(f, RS, "z-1", oref("apps/v1", "Deployment", "z", d, true), "\"test/hold\"");
    dependent(f, CM, "z-pod", oref("apps/v1", "ReplicaSet", "z-1", rs, true), NULL);
    dependent(f, CM, "z-loose", oref("apps/v1", "Deployment", "z", d, false), "\"test/hold\"");
    settle(f, 50);
    del(f, DEPLOY "z");
    settle(f, 50);
    /* The RS is being deleted in the foreground (it has a dependent): its
     * dependent went, it stays for its own finalizer, and the deployment
     * waits for it. */
    assert_false(exists(f, CM "z-pod"));
    json_t *doc = get(f, RS "z-1");
    assert_non_null(json_object_get(md_of(doc), "deletionTimestamp"));
    json_decref(doc);
    doc = get(f, DEPLOY "z");
    assert_non_null(json_object_get(md_of(doc), "deletionTimestamp"));
    json_decref(doc);
    doc = get(f, CM "z-loose");
    assert_non_null(json_object_get(md_of(doc), "deletionTimestamp"));
    json_decref(doc);
    /* Release the RS: then the deployment goes. */
    set_finalizers(f, RS "z-1", "[\"foregroundDeletion\"]");
    settle(f, 50);
    assert_false(exists(f, RS "z-1"));
    assert_false(exists(f, DEPLOY "z"));
    assert_true(exists(f, CM "z-loose")); /* still held by its own finalizer */
    assert_true(deleted_at(f, CM "z-pod") < deleted_at(f, RS "z-1"));
    assert_true(deleted_at(f, RS "z-1") < deleted_at(f, DEPLOY "z"));
}

static void foreground_no_dependents(void **state)
{
    struct fx *f = *state;
    deploy(f, "lonely", "\"foregroundDeletion\"");
    settle(f, 20);
    del(f, DEPLOY "lonely");
    assert_true(exists(f, DEPLOY "lonely"));
    settle(f, 20);
    assert_false(exists(f, DEPLOY "lonely"));
}

static void multi_owner(void **state)
{
    struct fx *f = *state;
    char a[64], b[64], refs[600];
    snprintf(a, sizeof(a), "%s", deploy(f, "a", NULL));
    snprintf(b, sizeof(b), "%s", deploy(f, "b", NULL));
    snprintf(refs, sizeof(refs), "%s,%s", oref("apps/v1", "Deployment", "a", a, true),
             oref("apps/v1", "Deployment", "b", b, true));
    dependent(f, CM, "shared", refs, NULL);
    settle(f, 50);
    del(f, DEPLOY "a");
    settle(f, 50);
    json_t *doc = get(f, CM "shared");
    json_t *left = json_object_get(md_of(doc), "ownerReferences");
    assert_int_equal(json_array_size(left), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(left, 0), "uid")), b);
    json_decref(doc);
    del(f, DEPLOY "b");
    settle(f, 50);
    assert_false(exists(f, CM "shared"));
}

static void absent_and_misplaced_owners(void **state)
{
    struct fx *f = *state;
    /* An owner that never existed. */
    dependent(f, CM, "never", oref("apps/v1", "Deployment", "ghost", "no-such-uid", false), NULL);
    /* A namespaced owner in another namespace: absent for a dependent here. */
    const char *other = mk(f, "apps/deployments/elsewhere/o",
                           "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":"
                           "{\"name\":\"o\",\"namespace\":\"elsewhere\"}}");
    dependent(f, CM, "crossns", oref("apps/v1", "Deployment", "o", other, false), NULL);
    /* The right name with another uid (a recreated owner) is absent too. */
    deploy(f, "re", NULL);
    dependent(f, CM, "stale", oref("apps/v1", "Deployment", "re", "old-uid", false), NULL);
    /* A cluster-scoped owner of a namespaced dependent is fine. */
    const char *ns = mk(f, "/namespaces//default",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":"
                        "\"default\"}}");
    dependent(f, CM, "by-ns", oref("v1", "Namespace", "default", ns, false), NULL);
    /* A cluster-scoped dependent naming a namespaced kind: never collected. */
    mk(f, "/namespaces//odd",
       "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"odd\","
       "\"ownerReferences\":[%s]}}",
       oref("apps/v1", "Deployment", "o", other, false));
    settle(f, 50);
    assert_false(exists(f, CM "never"));
    assert_false(exists(f, CM "crossns"));
    assert_false(exists(f, CM "stale"));
    assert_true(exists(f, CM "by-ns"));
    assert_true(exists(f, "/namespaces//odd"));
    assert_true(exists(f, "apps/deployments/elsewhere/o"));
    assert_int_equal(fl_gc_pending(f->gc), 0);
}

static void unknown_owner_kind(void **state)
{
    struct fx *f = *state;
    dependent(f, CM, "alien", oref("example.com/v1", "Gizmo", "g", "uid-g", false), NULL);
    settle(f, 5);
    /* Not decided: kept, and retried with backoff. */
    assert_true(exists(f, CM "alien"));
    assert_int_equal(fl_gc_pending(f->gc), 1);
}

static void restart(void **state)
{
    struct fx *f = *state;
    const char *d = deploy(f, "r", NULL);
    dependent(f, RS, "r-1", oref("apps/v1", "Deployment", "r", d, true), NULL);
    settle(f, 50);
    /* Stop the collector and the store; delete the owner while it is down. */
    fl_gc_stop(f->gc);
    f->gc = NULL;
    del(f, DEPLOY "r");
    commit(f);
    fl_watch_close(f->w);
    fl_store_free(f->s);
    store_open(f);
    assert_true(exists(f, RS "r-1"));
    gc_start(f);
    settle(f, 50);
    assert_false(exists(f, RS "r-1"));
}

static void big_sync_with_events(void **state)
{
    struct fx *f = *state;
    fl_gc_stop(f->gc);
    const char *d = deploy(f, "big", NULL);
    char refs[256];
    snprintf(refs, sizeof(refs), "%s", oref("apps/v1", "Deployment", "big", d, false));
    for (int i = 0; i < 5000; i++) {
        char name[32];
        snprintf(name, sizeof(name), "big-%05d", i);
        dependent(f, CM, name, refs, NULL);
    }
    commit(f);
    gc_start(f);
    /* One chunk in, delete the owner: the event waits for the sync. */
    event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    assert_false(fl_gc_synced(f->gc));
    del(f, DEPLOY "big");
    settle(f, 500);
    assert_true(fl_gc_synced(f->gc));
    assert_int_equal(fl_store_count(f->s), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(background_chain),         T(orphan),      T(foreground),
        T(foreground_no_dependents), T(multi_owner), T(absent_and_misplaced_owners),
        T(unknown_owner_kind),       T(restart),     T(big_sync_with_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
