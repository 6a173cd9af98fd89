/*
 * The HTTP listener: libevent's evhttp on a socket we bind ourselves (so
 * TCP_NODELAY is set once on the listener and inherited by every accepted
 * connection), with replies deferred to the end of the loop turn.
 *
 * Handlers never send directly: fl_http_reply queues the reply and
 * fl_http_flush, called by the server after the store commit, sends them
 * all. Streaming responses (watch) start with fl_http_stream_start, which is
 * also deferred; their later chunks carry only committed events.
 */
#ifndef FL_API_HTTP_H
#define FL_API_HTTP_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "core/err.h"

#define FL_HTTP_HARD_BODY_MAX (16 * 1024 * 1024) /* beyond: evhttp's own 413 */

struct fl_http;

typedef void (*fl_http_handler)(struct evhttp_request *req, void *ctx);

/* Listen on "ADDR:PORT" (IPv4 literal; port 0 picks a free one). */
int fl_http_listen(struct event_base *base, const char *addr, fl_http_handler handler,
                   void *ctx, struct fl_http **out, struct fl_err *err) FL_MUST_CHECK;

/* The port actually bound (useful with port 0). */
int fl_http_port(const struct fl_http *h);

/* Queue a complete reply; takes ownership of body (may be NULL). */
void fl_http_reply(struct fl_http *h, struct evhttp_request *req, int code, struct evbuffer *body);

/* Queue the start of a chunked reply (status 200). */
void fl_http_stream_start(struct fl_http *h, struct evhttp_request *req);

/* Send every queued reply. */
void fl_http_flush(struct fl_http *h);

void fl_http_free(struct fl_http *h); /* NULL-safe */

/* Reason phrase for an HTTP status code. */
const char *fl_http_phrase(int code);

#endif
