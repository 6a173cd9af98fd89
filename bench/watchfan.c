/*
 * watchfan: the watch benchmarks of bench/run.sh, a libevent client that
 * holds many watch streams at once without being the bottleneck (one thread,
 * one bufferevent per connection, events found by a substring search in each
 * JSON line, no JSON parsing).
 *
 *   watchfan [--ca FILE --token TOKEN] [--pid PID] fan URL WATCHERS CHANGES INTERVAL_MS
 *       WATCHERS streams watch URL's namespace's configmaps from the current
 *       resourceVersion; then one writer connection merge-patches one
 *       configmap CHANGES times, INTERVAL_MS apart, each change carrying a
 *       unique marker. For every (change, watcher) the delay is from just
 *       before the PATCH is written to the socket to the read that brings the
 *       event line with that marker. Prints the delays' p50/p99/max over all
 *       deliveries and the worst per-change p99.
 *   watchfan [--ca FILE --token TOKEN] [--pid PID] stream URL WATCHERS WRITERS EVENTS
 *       WATCHERS streams as above; then WRITERS keep-alive connections create
 *       EVENTS configmaps (1 KiB data value) back to back; done when every
 *       watcher has received EVENTS events. Prints the events delivered per
 *       second (WATCHERS * EVENTS over the time from the first create sent to
 *       the last event received) and the creates per second.
 *
 * URL is http://127.0.0.1:PORT or https://127.0.0.1:PORT (IPv4 literal);
 * over HTTPS the server is verified against --ca and the bearer --token is
 * sent on every request. With --pid (the server's), the server's CPU time
 * while the changes or creates run is reported too, next to watchfan's own.
 * Output: key=value lines on stdout. Exits 1, with the
 * reason on stderr, on any error: a failed connect, a non-200 watch, a stream
 * that ends, a write answered with an unexpected status, an event missing
 * after the timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NS "default"
#define CM_PATH "/api/v1/namespaces/" NS "/configmaps"
#define TARGET "watchfan-target"
#define MARK "\"fanmark-"
#define SETUP_TIMEOUT_S 60  /* connecting every watcher */
#define DELIVER_TIMEOUT_S 10 /* last event after the last write */

enum kind { WATCHER, WRITER };
enum state { CONNECTING, HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, IDLE };

struct conn {
    struct bufferevent *bev;
    enum kind kind;
    int id;
    enum state state;
    int status;
    bool chunked;
    size_t remaining;     /* body bytes (Content-Length) or chunk bytes left */
    struct evbuffer *line; /* watch: event bytes not yet ending in '\n' */
    struct evbuffer *body; /* writer: the response body so far */
    long events;          /* watch: event lines received */
    double sent_at;       /* writer: when the pending request was written */
};

static struct {
    struct event_base *base;
    SSL_CTX *tls;
    const char *token;
    char host[64]; /* 127.0.0.1:PORT, for Host: */
    struct sockaddr_in addr;
    enum { FAN, STREAM } mode;
    int nwatch, nwrite;
    long changes, interval_ms, events;
    struct conn *watchers, *writers;
    int heads;              /* watchers that have their 200 head */
    char rv[32];            /* resourceVersion the watches start from */
    bool target_made;       /* fan: the target's create is answered */
    /* fan */
    double *t_change;       /* [change]: just before the PATCH went out */
    double *arrive;         /* [change * nwatch + watcher], 0: not yet */
    long next_change, delivered, unexpected;
    long write_pending;     /* a change waiting for the writer to be free */
    double write_max_ms;
    struct event *tick;
    /* stream */
    long sent, created, done_watchers;
    double t_first_send, t_last_create, t_last_event;
    /* the client's own CPU time while running, to show it is not the bottleneck */
    double cpu_start, wall_start, cpu_run, wall_run;
    long server_pid;
    double srv_start, srv_run; /* the server's CPU ms, from /proc/PID/stat */
    /* phases */
    int phase;              /* 0 setup writes, 1 connecting watchers, 2 running, 3 done */
    struct event *deadline;
    int rc;
} g;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* The server's user + system CPU time in ms, or -1. */
static double server_cpu_ms(void)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", g.server_pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields 14 and 15 (utime, stime), counted after the ")" that ends comm. */
    char *p = strrchr(buf, ')');
    unsigned long ut, st;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (ut + st) * 1e3 / sysconf(_SC_CLK_TCK);
}

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "watchfan: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    g.rc = 1;
    event_base_loopbreak(g.base);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        fprintf(stderr, "watchfan: out of memory\n");
        exit(1);
    }
    return p;
}

static void send_request(struct conn *c, const char *method, const char *path,
                         const char *ctype, const char *body)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    evbuffer_add_printf(out, "%s %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n",
                        method, path, g.host);
    if (g.token)
        evbuffer_add_printf(out, "Authorization: Bearer %s\r\n", g.token);
    if (body)
        evbuffer_add_printf(out, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%s", ctype,
                            strlen(body), body);
    else
        evbuffer_add(out, "\r\n", 2);
    c->state = HEAD;
    c->sent_at = now_ms();
}

/* ---- what happens on a complete response or event ---------------------- */

static void start_watchers(void);
static void start_run(void);
static void writer_next(struct conn *c);

static void check_done(void)
{
    if (g.phase != 2)
        return;
    bool done = g.mode == FAN ? g.next_change == g.changes &&
                                    g.delivered == g.changes * g.nwatch && !g.write_pending
                              : g.done_watchers == g.nwatch && g.created == g.events;
    if (done) {
        g.phase = 3;
        g.cpu_run = cpu_ms() - g.cpu_start;
        g.wall_run = now_ms() - g.wall_start;
        if (g.server_pid)
            g.srv_run = server_cpu_ms() - g.srv_start;
        event_base_loopbreak(g.base);
    }
}

/* A writer's response is complete (body in c->body). */
static void on_response(struct conn *c)
{
    size_t n = evbuffer_get_length(c->body);
    char *body = xcalloc(1, n + 1);
    evbuffer_remove(c->body, body, n);
    c->state = IDLE;
    if (g.phase == 0 && g.mode == FAN && !g.target_made) {
        /* The fan target's create: 201, or 409 if a previous run made it. */
        g.target_made = true;
        if (c->status != 201 && c->status != 409)
            fail("creating " TARGET ": HTTP %d: %.300s", c->status, body);
        else
            send_request(c, "GET", CM_PATH "?limit=1", NULL, NULL);
    } else if (g.phase == 0) {
        /* The list's own resourceVersion comes before any item's. */
        const char *p = strstr(body, "\"resourceVersion\":\"");
        if (c->status != 200 || !p || sscanf(p + 19, "%31[0-9]", g.rv) != 1) {
            fail("GET " CM_PATH "?limit=1: HTTP %d: %.300s", c->status, body);
        } else {
            g.phase = 1;
            start_watchers();
        }
    } else if (g.mode == FAN) {
        double ms = now_ms() - c->sent_at;
        if (ms > g.write_max_ms)
            g.write_max_ms = ms;
        if (c->status != 200)
            fail("PATCH " TARGET ": HTTP %d: %.300s", c->status, body);
        else if (g.write_pending)
            writer_next(c);
        check_done();
    } else {
        if (c->status != 201) {
            fail("create: HTTP %d: %.300s", c->status, body);
        } else {
            g.created++;
            g.t_last_create = now_ms();
            writer_next(c);
            check_done();
        }
    }
    free(body);
}

/* One complete event line (without its '\n') arrived on watcher c at t. */
static void on_event(struct conn *c, const char *line, size_t n, double t)
{
    c->events++;
    if (n < 9 || strncmp(line, "{\"type\":\"", 9) != 0 || strncmp(line + 9, "ERROR", 5) == 0) {
        fail("watcher %d: bad event: %.300s", c->id, line);
        return;
    }
    if (g.mode == STREAM) {
        if (c->events == g.events) {
            g.done_watchers++;
            if (t > g.t_last_event)
                g.t_last_event = t;
            check_done();
        }
        return;
    }
    const char *p = memmem(line, n, MARK, strlen(MARK));
    long k = p ? strtol(p + strlen(MARK), NULL, 10) : -1;
    if (k < 0 || k >= g.next_change) {
        g.unexpected++;
        if (g.unexpected <= 3)
            fprintf(stderr, "watchfan: watcher %d: unexpected event: %.200s\n", c->id, line);
        return;
    }
    double *a = &g.arrive[k * g.nwatch + c->id];
    if (*a == 0) {
        *a = t;
        g.delivered++;
        check_done();
    }
}

/* ---- HTTP/1.1 response parsing ------------------------------------------ */

static bool parse_head(struct conn *c, struct evbuffer *in)
{
    struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
    if (end.pos < 0)
        return false;
    size_t n = (size_t)end.pos + 4;
    char *head = xcalloc(1, n + 1);
    evbuffer_remove(in, head, n);
    c->status = 0;
    sscanf(head, "HTTP/1.%*d %d", &c->status);
    c->chunked = false;
    c->remaining = 0;
    for (char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
        const char *h = l + 2;
        if (strncasecmp(h, "transfer-encoding:", 18) == 0 && strstr(h, "chunked") &&
            strstr(h, "chunked") < strstr(h, "\r\n"))
            c->chunked = true;
        else if (strncasecmp(h, "content-length:", 15) == 0)
            c->remaining = strtoul(h + 15, NULL, 10);
    }
    free(head);
    c->state = c->chunked ? CHUNK_SIZE : BODY;
    if (c->kind == WATCHER) {
        if (c->status != 200 || !c->chunked) {
            fail("watcher %d: HTTP %d%s", c->id, c->status, c->chunked ? "" : ", not chunked");
            return false;
        }
        if (++g.heads == g.nwatch)
            start_run();
    }
    return true;
}

/* Event lines in c->line, each handled once complete. */
static void scan_lines(struct conn *c, double t)
{
    for (;;) {
        struct evbuffer_ptr eol = evbuffer_search(c->line, "\n", 1, NULL);
        if (eol.pos < 0)
            return;
        size_t n = (size_t)eol.pos;
        const char *p = (const char *)evbuffer_pullup(c->line, (ev_ssize_t)n + 1);
        on_event(c, p, n, t);
        evbuffer_drain(c->line, n + 1);
        if (g.rc)
            return;
    }
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    double t = now_ms(); /* the read that brought these bytes */
    while (!g.rc) {
        switch (c->state) {
        case CONNECTING:
        case IDLE:
            if (evbuffer_get_length(in))
                fail("conn %d: %zu unexpected bytes", c->id, evbuffer_get_length(in));
            return;
        case HEAD:
            if (!parse_head(c, in))
                return;
            if (c->state == BODY && c->remaining == 0) {
                on_response(c);
                continue;
            }
            break;
        case BODY: {
            size_t have = evbuffer_get_length(in);
            size_t n = have < c->remaining ? have : c->remaining;
            evbuffer_remove_buffer(in, c->body, n);
            c->remaining -= n;
            if (c->remaining)
                return;
            on_response(c);
            break;
        }
        case CHUNK_SIZE: {
            size_t n;
            char *l = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF_STRICT);
            if (!l)
                return;
            c->remaining = strtoul(l, NULL, 16);
            free(l);
            if (c->remaining == 0) {
                if (c->kind == WATCHER)
                    fail("watcher %d: the server ended the stream", c->id);
                else
                    fail("writer %d: chunked response", c->id);
                return;
            }
            c->state = CHUNK_DATA;
            break;
        }
        case CHUNK_DATA: {
            size_t have = evbuffer_get_length(in);
            if (have == 0)
                return;
            size_t n = have < c->remaining ? have : c->remaining;
            evbuffer_remove_buffer(in, c->line, n);
            c->remaining -= n;
            scan_lines(c, t);
            if (c->remaining == 0)
                c->state = CHUNK_CRLF;
            break;
        }
        case CHUNK_CRLF:
            if (evbuffer_get_length(in) < 2)
                return;
            evbuffer_drain(in, 2);
            c->state = CHUNK_SIZE;
            break;
        }
    }
}

static void on_bev_event(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;
    const char *who = c->kind == WATCHER ? "watcher" : "writer";
    if (what & BEV_EVENT_CONNECTED) {
        int one = 1;
        setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        return;
    }
    if (g.phase == 3)
        return;
    unsigned long e = g.tls ? bufferevent_get_openssl_error(bev) : 0;
    fail("%s %d: %s%s%s (%s)", who, c->id,
         (what & BEV_EVENT_EOF) ? "the server closed the connection" : "connection error",
         e ? ": " : "", e ? ERR_error_string(e, NULL) : "",
         (what & BEV_EVENT_ERROR) ? strerror(errno) : "eof");
}

static void conn_open(struct conn *c, enum kind kind, int id)
{
    c->kind = kind;
    c->id = id;
    c->state = CONNECTING;
    c->line = evbuffer_new();
    c->body = evbuffer_new();
    if (g.tls) {
        SSL *ssl = SSL_new(g.tls);
        if (!ssl) {
            fprintf(stderr, "watchfan: SSL_new failed\n");
            exit(1);
        }
        c->bev = bufferevent_openssl_socket_new(g.base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                                BEV_OPT_CLOSE_ON_FREE);
        bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
    } else {
        c->bev = bufferevent_socket_new(g.base, -1, BEV_OPT_CLOSE_ON_FREE);
    }
    if (!c->bev) {
        fprintf(stderr, "watchfan: bufferevent_socket_new failed\n");
        exit(1);
    }
    bufferevent_setcb(c->bev, on_read, NULL, on_bev_event, c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&g.addr, sizeof(g.addr)) != 0)
        fail("%s %d: connect: %s", kind == WATCHER ? "watcher" : "writer", id, strerror(errno));
}

/* ---- the phases ---------------------------------------------------------- */

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    if (g.phase == 1)
        fail("only %d of %d watchers got their 200 within %d s", g.heads, g.nwatch,
             SETUP_TIMEOUT_S);
    else if (g.mode == FAN)
        fail("%ld of %ld events delivered %d s after the last change", g.delivered,
             g.changes * g.nwatch, DELIVER_TIMEOUT_S);
    else
        fail("%ld of %ld creates answered, %ld of %d watchers got all %ld events, %d s after "
             "the last create was sent",
             g.created, g.events, g.done_watchers, g.nwatch, g.events, DELIVER_TIMEOUT_S);
}

static void arm_deadline(int seconds)
{
    struct timeval tv = {seconds, 0};
    evtimer_add(g.deadline, &tv);
}

static void start_watchers(void)
{
    char path[256];
    snprintf(path, sizeof(path), CM_PATH "?watch=true&resourceVersion=%s", g.rv);
    arm_deadline(SETUP_TIMEOUT_S);
    for (int i = 0; i < g.nwatch; i++) {
        conn_open(&g.watchers[i], WATCHER, i);
        send_request(&g.watchers[i], "GET", path, NULL, NULL);
    }
}

static void writer_next(struct conn *c)
{
    char path[128], body[1200];
    if (g.mode == FAN) {
        long k = g.next_change++;
        g.write_pending = 0;
        snprintf(body, sizeof(body), "{\"data\":{\"mark\":\"fanmark-%ld\"}}", k);
        send_request(c, "PATCH", CM_PATH "/" TARGET, "application/merge-patch+json", body);
        g.t_change[k] = c->sent_at; /* just before the bytes go out (this turn) */
        if (g.next_change == g.changes) {
            event_del(g.tick);
            arm_deadline(DELIVER_TIMEOUT_S);
        }
        return;
    }
    if (g.sent == g.events)
        return;
    long n = g.sent++;
    if (n == 0)
        g.t_first_send = now_ms();
    snprintf(path, sizeof(path), "%s", CM_PATH);
    int len = snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"ws-%s-%ld\"},\"data\":{\"v\":\"", g.rv, n);
    for (int i = 0; i < 64; i++)
        len += snprintf(body + len, sizeof(body) - len, "0123456789abcdef");
    snprintf(body + len, sizeof(body) - len, "\"}}");
    send_request(c, "POST", path, "application/json", body);
    if (g.sent == g.events)
        arm_deadline(DELIVER_TIMEOUT_S);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct conn *w = &g.writers[0];
    if (w->state == IDLE)
        writer_next(w);
    else
        g.write_pending = 1; /* sent when the previous PATCH is answered */
}

/* Every watcher has its 200: the streams are open, start writing. */
static void start_run(void)
{
    evtimer_del(g.deadline);
    g.phase = 2;
    g.cpu_start = cpu_ms();
    g.wall_start = now_ms();
    if (g.server_pid)
        g.srv_start = server_cpu_ms();
    fprintf(stderr, "watchfan: %d watchers connected\n", g.nwatch);
    if (g.mode == FAN) {
        struct timeval tv = {g.interval_ms / 1000, (g.interval_ms % 1000) * 1000};
        g.tick = event_new(g.base, -1, EV_PERSIST, on_tick, NULL);
        event_add(g.tick, &tv);
        on_tick(-1, 0, NULL);
        return;
    }
    for (int i = 0; i < g.nwrite; i++)
        writer_next(&g.writers[i]);
}

/* ---- results --------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank percentile of sorted v[0..n). */
static double pct(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p / 100.0 * n + 0.999999);
    if (i < 1)
        i = 1;
    if (i > n)
        i = n;
    return v[i - 1];
}

static void report_fan(void)
{
    size_t n = (size_t)(g.changes * g.nwatch);
    double *all = xcalloc(n, sizeof(double));
    double *one = xcalloc((size_t)g.nwatch, sizeof(double));
    double worst_p99 = 0, worst_p50 = 0;
    for (long k = 0; k < g.changes; k++) {
        for (int w = 0; w < g.nwatch; w++) {
            one[w] = g.arrive[k * g.nwatch + w] - g.t_change[k];
            all[k * g.nwatch + w] = one[w];
        }
        qsort(one, (size_t)g.nwatch, sizeof(double), cmp_double);
        double p50 = pct(one, (size_t)g.nwatch, 50), p99 = pct(one, (size_t)g.nwatch, 99);
        if (p99 > worst_p99)
            worst_p99 = p99;
        if (p50 > worst_p50)
            worst_p50 = p50;
    }
    qsort(all, n, sizeof(double), cmp_double);
    printf("watchers=%d\nchanges=%ld\ndeliveries=%zu\n", g.nwatch, g.changes, n);
    printf("p50_ms=%.2f\np99_ms=%.2f\nmax_ms=%.2f\nmin_ms=%.2f\n", pct(all, n, 50),
           pct(all, n, 99), all[n - 1], all[0]);
    printf("worst_change_p50_ms=%.2f\nworst_change_p99_ms=%.2f\n", worst_p50, worst_p99);
    printf("write_max_ms=%.2f\nunexpected=%ld\n", g.write_max_ms, g.unexpected);
    printf("client_cpu_pct=%.0f\n", 100 * g.cpu_run / g.wall_run);
    if (g.server_pid)
        printf("server_cpu_pct=%.0f\nserver_cpu_ms_per_change=%.1f\n",
               100 * g.srv_run / g.wall_run, g.srv_run / g.changes);
    free(all);
    free(one);
}

static void report_stream(void)
{
    double secs = (g.t_last_event - g.t_first_send) / 1e3;
    double csecs = (g.t_last_create - g.t_first_send) / 1e3;
    printf("watchers=%d\nevents=%ld\ndelivered=%ld\nseconds=%.3f\n", g.nwatch, g.events,
           g.events * g.nwatch, secs);
    printf("events_per_s=%.0f\ncreates_per_s=%.0f\n", g.events * g.nwatch / secs,
           g.events / csecs);
    printf("client_cpu_pct=%.0f\n", 100 * g.cpu_run / g.wall_run);
    if (g.server_pid)
        printf("server_cpu_pct=%.0f\nserver_cpu_us_per_event=%.2f\n", 100 * g.srv_run / g.wall_run,
               g.srv_run * 1e3 / (g.events * g.nwatch));
}

/* ---- setup ----------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: watchfan [--ca FILE --token TOKEN] [--pid PID] fan URL WATCHERS CHANGES "
                    "INTERVAL_MS\n"
                    "       watchfan [--ca FILE --token TOKEN] [--pid PID] stream URL WATCHERS WRITERS "
                    "EVENTS\n");
    exit(2);
}

static long num(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v <= 0)
        usage();
    return v;
}

static void setup_tls(const char *ca)
{
    g.tls = SSL_CTX_new(TLS_client_method());
    if (!g.tls || SSL_CTX_load_verify_locations(g.tls, ca, NULL) != 1) {
        fprintf(stderr, "watchfan: cannot load CA %s\n", ca);
        exit(1);
    }
    SSL_CTX_set_verify(g.tls, SSL_VERIFY_PEER, NULL);
    /* The serving certificate must name the address we connect to. */
    X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(g.tls), "127.0.0.1");
}

/* Many sockets: lift the soft descriptor limit to the hard one. */
static void raise_nofile(long need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if ((long)rl.rlim_cur < need) {
        fprintf(stderr, "watchfan: need %ld file descriptors, the limit is %ld (ulimit -n)\n",
                need, (long)rl.rlim_cur);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    const char *ca = NULL;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--ca") == 0)
            ca = argv[i + 1];
        else if (strcmp(argv[i], "--token") == 0)
            g.token = argv[i + 1];
        else if (strcmp(argv[i], "--pid") == 0)
            g.server_pid = num(argv[i + 1]);
        else
            usage();
    }
    if (argc - i != 5)
        usage();
    const char *mode = argv[i], *url = argv[i + 1];
    g.nwatch = (int)num(argv[i + 2]);
    if (strcmp(mode, "fan") == 0) {
        g.mode = FAN;
        g.nwrite = 1;
        g.changes = num(argv[i + 3]);
        g.interval_ms = num(argv[i + 4]);
    } else if (strcmp(mode, "stream") == 0) {
        g.mode = STREAM;
        g.nwrite = (int)num(argv[i + 3]);
        g.events = num(argv[i + 4]);
    } else {
        usage();
    }
    int port = 0;
    bool https = strncmp(url, "https://", 8) == 0;
    const char *hp = https ? url + 8 : strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
    if (!hp || sscanf(hp, "%63[0-9.]:%d", g.host, &port) != 2 || port <= 0 || port > 65535)
        usage();
    memset(&g.addr, 0, sizeof(g.addr));
    g.addr.sin_family = AF_INET;
    g.addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, g.host, &g.addr.sin_addr) != 1)
        usage();
    snprintf(g.host + strlen(g.host), sizeof(g.host) - strlen(g.host), ":%d", port);
    if (https != (ca != NULL))
        usage();
    if (ca)
        setup_tls(ca);
    signal(SIGPIPE, SIG_IGN);
    raise_nofile(g.nwatch + g.nwrite + 64);

    g.base = event_base_new();
    g.deadline = evtimer_new(g.base, on_deadline, NULL);
    g.watchers = xcalloc((size_t)g.nwatch, sizeof(struct conn));
    g.writers = xcalloc((size_t)g.nwrite, sizeof(struct conn));
    if (g.mode == FAN) {
        g.t_change = xcalloc((size_t)g.changes, sizeof(double));
        g.arrive = xcalloc((size_t)(g.changes * g.nwatch), sizeof(double));
    }
    for (int w = 0; w < g.nwrite; w++)
        conn_open(&g.writers[w], WRITER, w);
    /* The first writer sets up: the fan target (fan), then the current
     * resourceVersion from a one-item list. */
    if (g.mode == FAN)
        send_request(&g.writers[0], "POST", CM_PATH, "application/json",
                     "{\"metadata\":{\"name\":\"" TARGET "\"},\"data\":{\"mark\":\"none\"}}");
    else
        send_request(&g.writers[0], "GET", CM_PATH "?limit=1", NULL, NULL);
    for (int w = 1; w < g.nwrite; w++)
        g.writers[w].state = IDLE;
    arm_deadline(SETUP_TIMEOUT_S);
    event_base_dispatch(g.base);
    if (g.rc == 0 && g.phase != 3) {
        fprintf(stderr, "watchfan: the event loop ended early\n");
        g.rc = 1;
    }
    if (g.rc == 0) {
        if (g.mode == FAN)
            report_fan();
        else
            report_stream();
    }
    /* Close every connection before exiting, so the server sees clean EOFs. */
    for (int w = 0; w < g.nwatch; w++)
        if (g.watchers[w].bev)
            bufferevent_free(g.watchers[w].bev);
    for (int w = 0; w < g.nwrite; w++)
        if (g.writers[w].bev)
            bufferevent_free(g.writers[w].bev);
    return g.rc;
}
