/*
 * The object store: every object of the control plane, in memory, ordered by
 * key, with one global revision counter that is the resourceVersion.
 *
 * Keys are "<group>/<resource>/<namespace>/<name>" (core group "", cluster
 * scoped objects namespace ""), built with fl_store_key. Listing a prefix
 * (e.g. "/configmaps/default/") walks keys in order. Lists and watches take a
 * "prefix": one ending in '/' covers every key under it; any other is one
 * exact key (a watch of a single object).
 *
 * Writes apply to memory at once and are staged in the backend; they become
 * durable at fl_store_commit, which the server calls once per event-loop turn
 * before it sends any reply or watch event (group commit). Watchers see an
 * event only after the commit that made it durable.
 *
 * Recent events (a bounded ring, `history` entries) serve watches that start
 * from an older revision and let paginated lists read a consistent snapshot:
 * a continue token names the revision of the first page, and later pages are
 * the current objects with the changes since that revision undone. Both fail
 * with 410 Expired once the revision has left the ring.
 */
#ifndef FL_STORE_STORE_H
#define FL_STORE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/fields.h"
#include "core/labels.h"
#include "core/obj.h"
#include "store/backend.h"

#define FL_KEY_MAX 768 /* group(253)+resource(63)+namespace(63)+name(253)+slashes */

struct fl_store;

struct fl_store_opts {
    size_t history;          /* events kept for watch/continue (default 50,000) */
    int64_t (*now)(void);    /* clock in unix seconds (default time(NULL)) */
};

/* Open a store over backend `b` (borrowed: the caller closes it after
 * fl_store_free), loading every committed object. */
int fl_store_open(struct fl_backend *b, const struct fl_store_opts *opts, struct fl_store **out,
                  struct fl_err *err) FL_MUST_CHECK;
void fl_store_free(struct fl_store *s); /* NULL-safe; drops uncommitted writes */

/* The revision of the last write (committed or not). */
uint64_t fl_store_rev(const struct fl_store *s);
/* Number of stored objects. */
size_t fl_store_count(const struct fl_store *s);

/* Build a key into buf (FL_KEY_MAX bytes). name may be NULL for a prefix
 * ("<group>/<resource>/<ns>/"); ns NULL too for all namespaces. */
void fl_store_key(char *buf, const char *group, const char *resource, const char *ns,
                  const char *name);

/* The resource a call is about (it names objects in error messages), and
 * whether the call only checks: a dry run does every check and returns the
 * object as it would be stored, but changes nothing (create: no
 * resourceVersion yet; update: the old one; delete: the object as it is).
 * With `generation` (workloads, custom resources: the kinds whose upstream
 * strategy sets it) objects get 1 on create and a bump whenever something
 * outside metadata and status changes; without it the store keeps whatever
 * generation the stored object has (none, for objects it created). */
struct fl_store_res {
    const char *group;    /* "" for core */
    const char *resource; /* plural, e.g. "configmaps" */
    bool dry_run;
    bool generation;      /* the store manages metadata.generation for this kind */
};

/* Point read. On success *out is a new reference. 404 NotFound otherwise. */
int fl_store_get(struct fl_store *s, const struct fl_store_res *r, const char *key,
                 struct fl_obj **out, struct fl_err *err) FL_MUST_CHECK;

/* Create from doc (borrowed, modified in place: uid, creationTimestamp,
 * resourceVersion, generation are set; deletion fields removed). doc must
 * already be valid for its kind. 409 AlreadyExists if the key exists. */
int fl_store_create(struct fl_store *s, const struct fl_store_res *r, const char *key,
                    json_t *doc, struct fl_obj **out, struct fl_err *err) FL_MUST_CHECK;

/* Replace the object at key with doc (borrowed, modified in place). If doc's
 * metadata.resourceVersion is set it must equal the stored one (else 409
 * Conflict). uid, creationTimestamp and deletionTimestamp are kept from the
 * stored object; generation bumps when anything outside metadata and status
 * changed. An update that changes nothing writes nothing: *out is the stored
 * version. If the object is being deleted, its grace period is over (0) and
 * doc has no finalizers left, the object is deleted instead (*deleted =
 * true). 404 if absent. */
int fl_store_update(struct fl_store *s, const struct fl_store_res *r, const char *key,
                    json_t *doc, struct fl_obj **out, bool *deleted,
                    struct fl_err *err) FL_MUST_CHECK;

/* Preconditions of a delete (metav1.Preconditions); NULL/0 = none. And the
 * grace period: > 0 deletes gracefully, as kube-apiserver does pods. */
struct fl_store_precond {
    const char *uid;
    uint64_t rev;
    int64_t grace; /* seconds */
};

/* Delete the object at key. With finalizers pending, or a grace period, it is
 * only marked (deletionTimestamp set, *deleted = false; with a grace period
 * deletionTimestamp is now + grace and deletionGracePeriodSeconds = grace). A
 * marked object goes when an update leaves it no finalizers and no grace
 * period (0), or when a delete with grace 0 finds it without finalizers; a
 * delete with a shorter grace period than the pending one shortens it. *out
 * (may be NULL) gets the last version: new reference. */
int fl_store_delete(struct fl_store *s, const struct fl_store_res *r, const char *key,
                    const struct fl_store_precond *pre, struct fl_obj **out, bool *deleted,
                    struct fl_err *err) FL_MUST_CHECK;

/* Filters of a list or watch; all optional. Field selector paths are dotted
 * JSON paths into the object ("spec.nodeName"); metadata.name and
 * metadata.namespace are answered without parsing the object. */
struct fl_store_filter {
    const struct fl_labelsel *labels;
    const struct fl_fieldsel *fields;
};

bool fl_store_filter_match(const struct fl_store_filter *f, struct fl_obj *o);

struct fl_store_list {
    struct fl_obj **items; /* new references, key order */
    size_t n;
    uint64_t rev;          /* the revision the list is consistent with */
    char *cont;            /* continue token for the next page, or NULL */
};

/* List prefix. limit 0 = no limit. cont (may be NULL) is a token from a
 * previous page of the same prefix: 400 if malformed, 410 Expired if its
 * revision left the history. */
int fl_store_list(struct fl_store *s, const char *prefix, const struct fl_store_filter *f,
                  size_t limit, const char *cont, struct fl_store_list *out,
                  struct fl_err *err) FL_MUST_CHECK;
void fl_store_list_release(struct fl_store_list *l);

/* Watch events. */
enum fl_event_type { FL_ADDED, FL_MODIFIED, FL_DELETED };
const char *fl_event_type_name(enum fl_event_type t); /* "ADDED", ... */

struct fl_event {
    uint64_t rev;
    enum fl_event_type type;
    struct fl_obj *obj;  /* the new version; for DELETED the final version */
    struct fl_obj *prev; /* the version before (NULL for ADDED) */
};

struct fl_watch;
/* Called for each committed event under the watch prefix, in revision order.
 * Borrowed event. */
typedef void (*fl_watch_fn)(struct fl_watch *w, const struct fl_event *ev, void *ctx);

/* Watch prefix from revision `from` (0: from now). Events after `from` still
 * in the history are delivered at once, inside this call; 410 Expired when
 * `from` is older than the history. The watch lives until fl_watch_close. */
int fl_store_watch(struct fl_store *s, const char *prefix, uint64_t from, fl_watch_fn fn,
                   void *ctx, struct fl_watch **out, struct fl_err *err) FL_MUST_CHECK;
void fl_watch_close(struct fl_watch *w); /* NULL-safe; safe inside fn */

/* Make every write so far durable, then deliver their events to watchers.
 * Called once per event-loop turn. Returns FL_EFAIL if the backend failed:
 * the caller must stop (memory is ahead of disk). */
int fl_store_commit(struct fl_store *s, struct fl_err *err) FL_MUST_CHECK;

/* True when writes are waiting for fl_store_commit. */
bool fl_store_dirty(const struct fl_store *s);

#endif
