/*
 * HTTP listener and deferred replies: see http.h. The queue holds replies in
 * arrival order; nothing in it has been written to a socket, so a connection
 * cannot go away underneath it within the turn (evhttp only notices a close
 * when it next reads, which is after the flush).
 */
#include "api/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
    struct pending *q;
    size_t n, cap;
};

const char *fl_http_phrase(int code)
{
    switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct fl_http *h = arg;
    h->handler(req, h->ctx);
}

static int parse_addr(const char *addr, struct sockaddr_in *sin, struct fl_err *err)
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

int fl_http_listen(struct event_base *base, const char *addr, fl_http_handler handler,
                   void *ctx, struct fl_http **out, struct fl_err *err)
{
    struct sockaddr_in sin;
    if (parse_addr(addr, &sin, err) != 0)
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
    evhttp_set_max_body_size(h->evh, FL_HTTP_HARD_BODY_MAX);
    evhttp_set_max_headers_size(h->evh, 64 * 1024);
    evhttp_set_timeout(h->evh, 3600);
    evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                           EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                           EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
    evhttp_set_gencb(h->evh, on_request, h);
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
    if (h->evh)
        evhttp_free(h->evh); /* closes the bound socket too */
    free(h);
}
