/*
 * HTTP listener and deferred replies: see http.h. The queue holds replies in
 * arrival order; nothing in it has been written to a socket, so a connection
 * cannot go away underneath it within the turn (evhttp only notices a close
 * when it next reads, which is after the flush).
 *
 * HTTPS: evhttp asks our bevcb for each accepted connection's bufferevent,
 * and gets an OpenSSL one in the accepting state with no socket yet (evhttp
 * sets it). A 401 goes through the same queue as every other reply.
 */
#include "api/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/auth.h"
#include "api/status.h"

struct pending {
    struct evhttp_request *req;
    int code; /* 0: start of a chunked stream */
    struct evbuffer *body;
};

struct fl_http {
    struct evhttp *evh;
    int fd;
    int port;
    fl_http_handler handler;
    void *ctx;
    SSL_CTX *tls;               /* owned reference; NULL: plain HTTP */
    const struct fl_auth *auth; /* borrowed; NULL: no authentication */
    struct pending *q;
    size_t n, cap;
    /* Requests held back by fl_http_set_delay, oldest first. */
    uint32_t delay_ms;
    struct held *held;
    size_t nheld, held_cap;
    struct event *release;
};

#define FL_HTTP_MAX_WRITE (4 * 1024 * 1024) /* bytes written per connection per turn */

struct held {
    struct evhttp_request *req;
    struct evhttp_connection *conn;
    int64_t due_ms; /* monotonic; INT64_MAX while hung */
};

const char *fl_http_phrase(int code)
{
    switch (code) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Request Entity Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Unknown";
    }
}


static void free_cb(const void *data, size_t len, void *p)
{
    free(p);
}

static bool authenticated(struct fl_http *h, struct evhttp_request *req)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    if (uri && fl_auth_anonymous_path(evhttp_uri_get_path(uri)))
        return true;
    SSL *ssl = NULL;
    if (h->tls) {
        struct evhttp_connection *evcon = evhttp_request_get_connection(req);
        ssl = bufferevent_openssl_get_ssl(evhttp_connection_get_bufferevent(evcon));
        if (NEVER(ssl == NULL))
            return false;
    }
    const char *authz = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    struct fl_auth_user user;
    return fl_auth_request(h->auth, ssl, authz, &user) == 0;
}

/* The same Status kube-apiserver sends, whatever was wrong with the
 * credentials: no hint for someone guessing. */
static void reply_unauthorized(struct fl_http *h, struct evhttp_request *req)
{
    struct fl_err err;
    fl_errf(&err, 401, "Unauthorized", "Unauthorized");
    json_t *st = fl_status_json(&err);
    char *s = json_dumps(st, JSON_COMPACT);
    struct evbuffer *b = evbuffer_new();
    FL_ASSERT(s && b);
    evbuffer_add_reference(b, s, strlen(s), free_cb, s);
    json_decref(st);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    fl_http_reply(h, req, 401, b);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void serve(struct fl_http *h, struct evhttp_request *req);

static void arm_release(struct fl_http *h, int64_t ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(h->release, &tv);
}

/* The connection of held requests closed: evhttp frees them. */
static void held_conn_closed(struct evhttp_connection *conn, void *arg)
{
    struct fl_http *h = arg;
    size_t k = 0;
    for (size_t i = 0; i < h->nheld; i++)
        if (h->held[i].conn != conn)
            h->held[k++] = h->held[i];
    h->nheld = k;
}

/* Serve the held requests that are due; wait for the next one. */
static void release_held(evutil_socket_t fd, short what, void *arg)
{
    struct fl_http *h = arg;
    int64_t now = mono_ms();
    size_t k = 0, n = h->nheld;
    struct held *due = fl_xcalloc(n ? n : 1, sizeof(*due));
    size_t ndue = 0;
    for (size_t i = 0; i < n; i++) {
        if (h->held[i].due_ms <= now)
            due[ndue++] = h->held[i];
        else
            h->held[k++] = h->held[i];
    }
    h->nheld = k;
    for (size_t i = 0; i < ndue; i++) {
        evhttp_connection_set_closecb(due[i].conn, NULL, NULL);
        serve(h, due[i].req);
    }
    free(due);
    if (h->nheld && h->held[0].due_ms != INT64_MAX) {
        int64_t wait = h->held[0].due_ms - now;
        arm_release(h, wait);
    }
}

void fl_http_set_delay(struct fl_http *h, uint32_t ms)
{
    h->delay_ms = ms;
    int64_t now = mono_ms();
    for (size_t i = 0; i < h->nheld; i++)
        h->held[i].due_ms = ms == FL_HTTP_HOLD ? INT64_MAX : now; /* re-timed: due now */
    if (h->nheld && ms != FL_HTTP_HOLD)
        arm_release(h, 0);
}

static void hold(struct fl_http *h, struct evhttp_request *req)
{
    if (h->nheld == h->held_cap) {
        h->held_cap = h->held_cap ? h->held_cap * 2 : 16;
        h->held = fl_xrealloc(h->held, h->held_cap * sizeof(*h->held));
    }
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    int64_t due = h->delay_ms == FL_HTTP_HOLD ? INT64_MAX : mono_ms() + h->delay_ms;
    h->held[h->nheld++] = (struct held){req, conn, due};
    evhttp_connection_set_closecb(conn, held_conn_closed, h);
    if (h->nheld == 1 && due != INT64_MAX)
        arm_release(h, h->delay_ms);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct fl_http *h = arg;
    /* libevent writes at most 16 KiB per connection per loop turn by default:
     * a watch stream of a busy turn (thousands of events) or a large LIST
     * would trickle out over many turns while the rest waits in memory. */
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    bufferevent_set_max_single_write(evhttp_connection_get_bufferevent(conn), FL_HTTP_MAX_WRITE);
    if (h->delay_ms) {
        hold(h, req);
        return;
    }
    serve(h, req);
}

static void serve(struct fl_http *h, struct evhttp_request *req)
{
    if (h->auth && !authenticated(h, req)) {
        reply_unauthorized(h, req);
        return;
    }
    h->handler(req, h->ctx);
}

/* evhttp's bufferevent for an accepted connection: TLS, socket set later.
 * Never NULL: evhttp would fall back to a plain socket. */
static struct bufferevent *tls_bev(struct event_base *base, void *arg)
{
    struct fl_http *h = arg;
    SSL *ssl = SSL_new(h->tls);
    FL_ASSERT(ssl != NULL);
    /* With CLOSE_ON_FREE the bufferevent frees ssl and closes the socket. */
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    FL_ASSERT(bev != NULL);
    /* Clients (curl, Go) often close without close_notify: that is an end
     * of the connection, not an error. */
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

int fl_http_parse_addr(const char *addr, struct sockaddr_in *sin, struct fl_err *err)
{
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr || !colon[1])
        return fl_errf(err, 400, "BadRequest", "listen address %s: want ADDR:PORT", addr);
    char host[64];
    size_t hl = (size_t)(colon - addr);
    if (hl >= sizeof(host))
        return fl_errf(err, 400, "BadRequest", "listen address %s: host too long", addr);
    memcpy(host, addr, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return fl_errf(err, 400, "BadRequest", "listen address %s: bad port", addr);
    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
        return fl_errf(err, 400, "BadRequest", "listen address %s: not an IPv4 address", addr);
    return FL_OK;
}


int fl_http_listen_sec(struct event_base *base, const char *addr, const struct fl_http_sec *sec,
                       fl_http_handler handler, void *ctx, struct fl_http **out, struct fl_err *err)
{
    struct sockaddr_in sin;
    if (fl_http_parse_addr(addr, &sin, err) != 0)
        return FL_EFAIL;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fl_errf(err, 500, "InternalError", "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* Inherited by accepted sockets on Linux: replies are not held back by Nagle. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        return fl_errf(err, 500, "InternalError", "listen on %s: %s", addr, strerror(e));
    }
    socklen_t sl = sizeof(sin);
    getsockname(fd, (struct sockaddr *)&sin, &sl);

    struct fl_http *h = fl_xcalloc(1, sizeof(*h));
    h->fd = fd;
    h->port = ntohs(sin.sin_port);
    h->handler = handler;
    h->ctx = ctx;
    h->evh = evhttp_new(base);
    FL_ASSERT(h->evh != NULL);
    h->release = evtimer_new(base, release_held, h);
    evhttp_set_max_body_size(h->evh, FL_HTTP_HARD_BODY_MAX);
    evhttp_set_max_headers_size(h->evh, 64 * 1024);
    evhttp_set_timeout(h->evh, 3600);
    evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                           EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_HEAD |
                                           EVHTTP_REQ_OPTIONS);
    evhttp_set_gencb(h->evh, on_request, h);
    if (sec && sec->tls) {
        SSL_CTX_up_ref(sec->tls);
        h->tls = sec->tls;
        evhttp_set_bevcb(h->evh, tls_bev, h);
    }
    h->auth = sec ? sec->auth : NULL;
    if (!evhttp_accept_socket_with_handle(h->evh, fd)) {
        fl_http_free(h);
        return fl_errf(err, 500, "InternalError", "evhttp could not accept on %s", addr);
    }
    *out = h;
    return FL_OK;
}

int fl_http_port(const struct fl_http *h)
{
    return h->port;
}

static void enqueue(struct fl_http *h, struct evhttp_request *req, int code, struct evbuffer *body)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->q = fl_xrealloc(h->q, h->cap * sizeof(*h->q));
    }
    h->q[h->n++] = (struct pending){req, code, body};
}

void fl_http_reply(struct fl_http *h, struct evhttp_request *req, int code, struct evbuffer *body)
{
    enqueue(h, req, code, body);
}

void fl_http_stream_start(struct fl_http *h, struct evhttp_request *req)
{
    enqueue(h, req, 0, NULL);
}

void fl_http_flush(struct fl_http *h)
{
    for (size_t i = 0; i < h->n; i++) {
        struct pending *p = &h->q[i];
        if (p->code == 0) {
            evhttp_send_reply_start(p->req, 200, "OK");
            continue;
        }
        evhttp_send_reply(p->req, p->code, fl_http_phrase(p->code), p->body);
        if (p->body)
            evbuffer_free(p->body);
    }
    h->n = 0;
}

void fl_http_free(struct fl_http *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        if (h->q[i].body)
            evbuffer_free(h->q[i].body);
    free(h->q);
    for (size_t i = 0; i < h->nheld; i++)
        evhttp_connection_set_closecb(h->held[i].conn, NULL, NULL);
    free(h->held);
    if (h->release)
        event_free(h->release);
    if (h->evh)
        evhttp_free(h->evh); /* closes the bound socket too */
    SSL_CTX_free(h->tls);    /* after the connections that use it */
    free(h);
}
