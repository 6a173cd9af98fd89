/*
 * Watch streams: a chunked HTTP response of JSON lines
 * {"type":"ADDED","object":{...}}, one per event. Events are appended to
 * the stream's buffer while the store delivers them (after its commit) and
 * written once per loop turn by fl_api_watch_flush, after the turn's replies
 * (so the response has started). The object bytes are the stored object's
 * cached bytes: no event is encoded more than once.
 *
 * A stream ends when the client goes away (evhttp close callback), when its
 * timeoutSeconds pass, or when the API is freed.
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/crd.h"
#include "api/status.h"

#define BOOKMARK_INTERVAL 60 /* seconds between bookmarks, when asked for */

struct stream {
    LIST_ENTRY(stream) link;
    struct fl_api *api;
    struct evhttp_request *req;
    struct evhttp_connection *conn;
    struct fl_watch *w;
    struct fl_store_filter filter;
    struct evbuffer *out;
    struct event *timer;    /* timeoutSeconds */
    struct event *bookmark; /* periodic BOOKMARK, if allowWatchBookmarks */
    uint64_t last_rev;
    bool dirty, ending;
    const struct fl_rtype *type;
    enum fl_render render;
    char *include;     /* includeObject, for Table rows */
    bool columns_sent; /* a Table stream sends its columns with the first row */
};

static void mark_dirty(struct stream *st)
{
    struct fl_api *api = st->api;
    if (st->dirty)
        return;
    if (api->ndirty == api->dirty_cap) {
        api->dirty_cap = api->dirty_cap ? api->dirty_cap * 2 : 64;
        api->dirty = fl_xrealloc(api->dirty, api->dirty_cap * sizeof(*api->dirty));
    }
    api->dirty[api->ndirty++] = st;
    st->dirty = true;
}

static void add_event(struct stream *st, const char *type, struct fl_obj *o)
{
    fl_obj_ref(o);
    fl_crd_convert(st->type, &o); /* served version of a CRD's object */
    evbuffer_add_printf(st->out, "{\"type\":\"%s\",\"object\":", type);
    if (st->render == FL_RENDER_JSON) {
        evbuffer_add(st->out, o->bytes, o->len);
    } else {
        json_t *doc;
        if (st->render == FL_RENDER_TABLE) {
            doc = fl_table_new(st->type, o->rev, NULL, !st->columns_sent);
            json_array_append_new(json_object_get(doc, "rows"),
                                  fl_table_row(st->type, o, st->include));
            st->columns_sent = true;
        } else {
            doc = fl_table_partial(o);
        }
        char *txt = json_dumps(doc, JSON_COMPACT);
        evbuffer_add(st->out, txt, strlen(txt));
        free(txt);
        json_decref(doc);
    }
    evbuffer_add(st->out, "}\n", 2);
    fl_obj_unref(o);
    mark_dirty(st);
}

/* Selector-aware delivery: an object that stops matching is DELETED for this
 * watcher, one that starts matching is ADDED (as kube-apiserver's cache does). */
static void on_event(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    struct stream *st = ctx;
    bool now = ev->type != FL_DELETED && fl_store_filter_match(&st->filter, ev->obj);
    bool before = ev->prev && fl_store_filter_match(&st->filter, ev->prev);
    st->last_rev = ev->rev;
    if (ev->type == FL_DELETED) {
        if (before)
            add_event(st, "DELETED", ev->obj);
    } else if (now && before) {
        add_event(st, "MODIFIED", ev->obj);
    } else if (now) {
        add_event(st, "ADDED", ev->obj);
    } else if (before) {
        add_event(st, "DELETED", ev->obj);
    }
}

static void stream_free(struct stream *st)
{
    fl_watch_close(st->w);
    if (st->timer)
        event_free(st->timer);
    if (st->bookmark)
        event_free(st->bookmark);
    evbuffer_free(st->out);
    free(st->include);
    fl_labelsel_free((struct fl_labelsel *)st->filter.labels);
    fl_fieldsel_free((struct fl_fieldsel *)st->filter.fields);
    LIST_REMOVE(st, link);
    struct fl_api *api = st->api;
    for (size_t i = 0; i < api->ndirty; i++)
        if (api->dirty[i] == st)
            api->dirty[i] = NULL;
    free(st);
}

/* The client went away. evhttp detaches a request whose reply is still in
 * progress from the dying connection and leaves it to us to free. */
static void on_close(struct evhttp_connection *conn, void *arg)
{
    struct stream *st = arg;
    struct evhttp_request *req = st->req;
    stream_free(st);
    if (evhttp_request_get_connection(req) == NULL)
        evhttp_request_free(req);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct stream *st = arg;
    st->ending = true;
    mark_dirty(st);
}

static void on_bookmark(evutil_socket_t fd, short what, void *arg)
{
    struct stream *st = arg;
    evbuffer_add_printf(st->out,
                        "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"\",\"apiVersion\":\"\","
                        "\"metadata\":{\"resourceVersion\":\"%llu\"}}}\n",
                        (unsigned long long)st->last_rev);
    mark_dirty(st);
}

void fl_api_watch(struct fl_api *api, struct evhttp_request *req, const char *prefix,
                  struct fl_store_filter *filter, const char *from, long timeout,
                  bool bookmarks, const struct fl_watch_render *how)
{
    struct fl_err err;
    struct stream *st = fl_xcalloc(1, sizeof(*st));
    st->api = api;
    st->type = how->type;
    st->render = how->render;
    st->include = how->include ? fl_xstrdup(how->include) : NULL;
    st->req = req;
    st->filter = *filter;
    memset(filter, 0, sizeof(*filter));
    st->out = evbuffer_new();
    LIST_INSERT_HEAD(&api->streams, st, link);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      st->render == FL_RENDER_TABLE ? fl_table_ctype(FL_RENDER_TABLE, true)
                                                    : "application/json");
    fl_http_stream_start(api->http, req);
    st->conn = evhttp_request_get_connection(req);
    evhttp_connection_set_closecb(st->conn, on_close, st);

    uint64_t rev = 0;
    if (from && from[0] && strcmp(from, "0") != 0) {
        char *end;
        rev = strtoull(from, &end, 10);
        if (*end || rev == 0) {
            fl_errf(&err, 400, "BadRequest", "invalid resourceVersion %s", from);
            goto fail;
        }
    } else {
        /* No revision: the current objects first, as ADDED events. */
        struct fl_store_list l;
        if (fl_store_list(api->store, prefix, &st->filter, 0, NULL, &l, &err) != 0)
            goto fail;
        for (size_t i = 0; i < l.n; i++)
            add_event(st, "ADDED", l.items[i]);
        rev = l.rev;
        fl_store_list_release(&l);
        mark_dirty(st);
    }
    st->last_rev = rev;
    if (fl_store_watch(api->store, prefix, rev, on_event, st, &st->w, &err) != 0)
        goto fail;
    if (timeout > 0) {
        struct timeval tv = {timeout, 0};
        st->timer = evtimer_new(api->base, on_timeout, st);
        evtimer_add(st->timer, &tv);
    }
    if (bookmarks) {
        struct timeval tv = {BOOKMARK_INTERVAL, 0};
        st->bookmark = event_new(api->base, -1, EV_PERSIST, on_bookmark, st);
        evtimer_add(st->bookmark, &tv);
    }
    return;
fail:
    /* Watch errors travel as an ERROR event on a 200 stream, as upstream. */
    {
        json_t *s = fl_status_json(&err);
        char *txt = json_dumps(s, JSON_COMPACT);
        evbuffer_add_printf(st->out, "{\"type\":\"ERROR\",\"object\":%s}\n", txt);
        free(txt);
        json_decref(s);
    }
    st->ending = true;
    mark_dirty(st);
}

void fl_api_watch_flush(struct fl_api *api)
{
    for (size_t i = 0; i < api->ndirty; i++) {
        struct stream *st = api->dirty[i];
        if (!st)
            continue;
        st->dirty = false;
        if (evbuffer_get_length(st->out))
            evhttp_send_reply_chunk(st->req, st->out);
        if (st->ending) {
            evhttp_connection_set_closecb(st->conn, NULL, NULL);
            evhttp_send_reply_end(st->req);
            api->dirty[i] = NULL;
            stream_free(st);
        }
    }
    api->ndirty = 0;
}

void fl_api_watch_free_all(struct fl_api *api)
{
    struct stream *st;
    while ((st = LIST_FIRST(&api->streams)) != NULL) {
        evhttp_connection_set_closecb(st->conn, NULL, NULL);
        stream_free(st);
    }
}
