/* Shared inside the api module only: the API state and reply helpers. */
#ifndef FL_API_API_INT_H
#define FL_API_API_INT_H

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sys/queue.h>

#include "api/api.h"
#include "api/http.h"
#include "api/route.h"

struct stream;
LIST_HEAD(stream_list, stream);

struct fl_api {
    struct event_base *base;
    struct fl_store *store;
    struct fl_http *http;
    struct fl_api_ext ext;
    bool crds; /* this API runs the (process-wide) CRD controller */
    /* How fl_api_relisten listens again: the address bound, the security. */
    char addr[64];
    SSL_CTX *tls;               /* own reference */
    const struct fl_auth *auth; /* borrowed */
    uint32_t delay_ms;
    struct stream_list streams; /* open watch streams */
    struct stream **dirty;      /* streams with events to send this turn */
    size_t ndirty, dirty_cap;
};

/* One request: what it is about and where its error goes. */
struct fl_call {
    struct fl_api *api;
    struct evhttp_request *req;
    struct fl_route r;
    struct evkeyvalq q;
    struct fl_store_res res;
    struct fl_err err;
};

/* Query parameter (borrowed) or NULL. */
const char *fl_call_query(struct fl_call *c, const char *k);
/* The store key of name in the call's resource (and namespace). */
void fl_call_key(struct fl_call *c, const char *name, char *key);
/* The request body as one JSON object, from JSON or from kubectl's
 * protobuf: 413 past the limit, 415 for other media types, 400 when it is
 * not one object. NULL on error (c->err set); else a new reference. */
json_t *fl_call_body(struct fl_call *c);
/* Check apiVersion/kind/namespace/metadata types of a create or update body,
 * fill defaults, validate. */
int fl_call_prepare(struct fl_call *c, json_t *doc, bool create) FL_MUST_CHECK;
/* Selectors of a list, watch or deletecollection (400 when malformed or
 * naming a field the kind does not support); release frees the selectors. */
int fl_call_filter(struct fl_call *c, struct fl_store_filter *f) FL_MUST_CHECK;
void fl_call_filter_release(struct fl_store_filter *f);
/* The store prefix the call's collection lists. */
void fl_call_list_prefix(struct fl_call *c, char *prefix);
/* Reply with an object's stored bytes, or with c->err as a Status. */
void fl_call_reply_obj(struct fl_call *c, int code, struct fl_obj *o);
void fl_call_reply_err(struct fl_call *c);

/* The write verbs (api/write.c): POST, PUT, PATCH, DELETE on objects and
 * their status and scale subresources, and DELETE on collections. */
void fl_write_create(struct fl_call *c);
void fl_write_update(struct fl_call *c);
void fl_write_patch(struct fl_call *c);
void fl_write_delete(struct fl_call *c);
void fl_write_delete_collection(struct fl_call *c);
/* GET of a subresource (status: the object; scale: a Scale). */
void fl_write_get_sub(struct fl_call *c);

/* Queue replies (see http.h: sent at the end of the turn). */
void fl_api_reply_json(struct fl_api *api, struct evhttp_request *req, int code, json_t *body);
void fl_api_reply_err(struct fl_api *api, struct evhttp_request *req, const struct fl_err *err);

/* Rendering for kubectl get (api/table.c): what the Accept header asks for. */
enum fl_render { FL_RENDER_JSON, FL_RENDER_TABLE, FL_RENDER_META };
enum fl_render fl_table_negotiate(struct evhttp_request *req, bool list);
/* Content-Type of a reply rendered r. */
const char *fl_table_ctype(enum fl_render r, bool list);
/* New references: PartialObjectMetadata of o; the column definitions of t;
 * o's row (object per includeObject: None, Metadata (NULL), Object); an
 * empty Table (with columns or with an empty columnDefinitions). */
json_t *fl_table_partial(struct fl_obj *o);
json_t *fl_table_columns(const struct fl_rtype *t);
json_t *fl_table_row(const struct fl_rtype *t, struct fl_obj *o, const char *include);
json_t *fl_table_new(const struct fl_rtype *t, uint64_t rev, const char *cont, bool columns);

/* How a watch renders its events. */
struct fl_watch_render {
    const struct fl_rtype *type;
    enum fl_render render;
    const char *include; /* borrowed only during fl_api_watch (copied) */
};

/* Serve a watch of `prefix` (api/watch.c). Takes ownership of the selectors
 * in *filter. from: NULL or "" or "0" = send current objects first, then
 * changes; else changes after that revision. timeout: seconds, 0 = none. */
void fl_api_watch(struct fl_api *api, struct evhttp_request *req, const char *prefix,
                  struct fl_store_filter *filter, const char *from, long timeout,
                  bool bookmarks, const struct fl_watch_render *how);

/* Send queued watch events and end streams that asked to (api/watch.c). */
void fl_api_watch_flush(struct fl_api *api);
void fl_api_watch_free_all(struct fl_api *api);

/* Discovery documents (api/discovery.c): reply to r. */
void fl_api_discovery(struct fl_api *api, struct evhttp_request *req, const struct fl_route *r);

#endif
