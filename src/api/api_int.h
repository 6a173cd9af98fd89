/* Shared inside the api module only: the API state and reply helpers. */
#ifndef FL_API_API_INT_H
#define FL_API_API_INT_H

#include <event2/http.h>
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
    struct stream_list streams; /* open watch streams */
    struct stream **dirty;      /* streams with events to send this turn */
    size_t ndirty, dirty_cap;
};

/* Queue replies (see http.h: sent at the end of the turn). */
void fl_api_reply_json(struct fl_api *api, struct evhttp_request *req, int code, json_t *body);
void fl_api_reply_err(struct fl_api *api, struct evhttp_request *req, const struct fl_err *err);

/* Serve a watch of `prefix` (api/watch.c). Takes ownership of the selectors
 * in *filter. from: NULL or "" or "0" = send current objects first, then
 * changes; else changes after that revision. timeout: seconds, 0 = none. */
void fl_api_watch(struct fl_api *api, struct evhttp_request *req, const char *prefix,
                  struct fl_store_filter *filter, const char *from, long timeout,
                  bool bookmarks);

/* Send queued watch events and end streams that asked to (api/watch.c). */
void fl_api_watch_flush(struct fl_api *api);
void fl_api_watch_free_all(struct fl_api *api);

/* Discovery documents (api/discovery.c): reply to r. */
void fl_api_discovery(struct fl_api *api, struct evhttp_request *req, const struct fl_route *r);

#endif
