/*
 * The HTTP listener: libevent's evhttp on a socket we bind ourselves (so
 * TCP_NODELAY is set once on the listener and inherited by every accepted
 * connection), with replies deferred to the end of the loop turn. It speaks
 * HTTPS when given a TLS context (bufferevent_openssl under evhttp), and
 * authenticates every request before the handler sees it when given an
 * authenticator: the handler is never called for a request that failed, it
 * gets a 401 Status here.
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
#include <netinet/in.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "core/err.h"

#define FL_HTTP_HARD_BODY_MAX (16 * 1024 * 1024) /* beyond: evhttp's own 413 */

struct fl_http;

struct fl_auth;

typedef void (*fl_http_handler)(struct evhttp_request *req, void *ctx);

/* What a listener asks of its clients. All NULL: plain HTTP, anyone. */
struct fl_http_sec {
    SSL_CTX *tls;               /* HTTPS; the listener takes its own reference */
    const struct fl_auth *auth; /* authenticate requests; borrowed, must outlive the listener */
};

/* Listen on "ADDR:PORT" (IPv4 literal; port 0 picks a free one) with sec
 * (NULL: plain HTTP, anyone). */
int fl_http_listen_sec(struct event_base *base, const char *addr, const struct fl_http_sec *sec,
                       fl_http_handler handler, void *ctx, struct fl_http **out,
                       struct fl_err *err) FL_MUST_CHECK;

/* Parse "ADDR:PORT" (IPv4 literal) as the listeners do. Errors: 400. */
int fl_http_parse_addr(const char *addr, struct sockaddr_in *sin, struct fl_err *err) FL_MUST_CHECK;

/* The port actually bound (useful with port 0). */
int fl_http_port(const struct fl_http *h);

/* Hold every request for ms milliseconds before the handler sees it (a
 * slow server); FL_HTTP_HOLD: until the delay is set again (a hung one).
 * Setting 0 releases what is held. Requests whose connection closes while
 * held are dropped. */
#define FL_HTTP_HOLD UINT32_MAX
void fl_http_set_delay(struct fl_http *h, uint32_t ms);

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
