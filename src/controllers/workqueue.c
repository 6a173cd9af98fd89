/*
 * The work queue: see workqueue.h for the promises.
 *
 * State per key is one item in a tree by key. Invariants:
 *  - an item is in the ready FIFO iff it is dirty and not processing
 *    (client-go's queue = dirty minus processing, in order of arrival);
 *  - an item exists while it is dirty, processing, waiting for its timer or
 *    has failures to remember, and is freed as soon as it is none of these;
 *  - the run event is active or pending whenever the FIFO is not empty and
 *    no batch is under way.
 */
#include "controllers/workqueue.h"

#include <bsd/sys/tree.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#define DEFAULT_BATCH 100
#define DEFAULT_BASE_MS 5
#define DEFAULT_MAX_MS 1000000

struct item {
    RB_ENTRY(item) link;
    TAILQ_ENTRY(item) fifo;
    struct fl_workqueue *q;
    struct event *timer; /* made on the first delayed add, kept until the item goes */
    int64_t due_ms;      /* monotonic deadline while the timer is pending */
    unsigned failures;
    bool dirty, processing, waiting;
    char key[];
};

static int item_cmp(const struct item *a, const struct item *b)
{
    return strcmp(a->key, b->key);
}

RB_HEAD(fl_wq_tree, item);
RB_PROTOTYPE(fl_wq_tree, item, link, item_cmp)
RB_GENERATE(fl_wq_tree, item, link, item_cmp)

TAILQ_HEAD(item_fifo, item);

struct fl_workqueue {
    struct event_base *base;
    struct fl_workqueue_opts o;
    char *name;
    struct fl_wq_tree items;
    struct item_fifo ready;
    size_t nready, nwaiting;
    struct event *run;
    bool running; /* a batch is under way */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Walk the tree by hand: RB_FIND needs a probe item, and items hold their
 * key inline. */
static struct item *find(const struct fl_workqueue *q, const char *key)
{
    struct item *n = RB_ROOT(&q->items);
    while (n) {
        int c = strcmp(key, n->key);
        if (c == 0)
            return n;
        n = c < 0 ? RB_LEFT(n, link) : RB_RIGHT(n, link);
    }
    return NULL;
}

static struct item *get(struct fl_workqueue *q, const char *key)
{
    struct item *it = find(q, key);
    if (it)
        return it;
    size_t len = strlen(key);
    it = fl_xcalloc(1, sizeof(*it) + len + 1);
    memcpy(it->key, key, len + 1);
    it->q = q;
    RB_INSERT(fl_wq_tree, &q->items, it);
    return it;
}

/* Free it if nothing about it is left to remember. */
static void maybe_free(struct item *it)
{
    if (it->dirty || it->processing || it->waiting || it->failures)
        return;
    RB_REMOVE(fl_wq_tree, &it->q->items, it);
    if (it->timer)
        event_free(it->timer);
    free(it);
}

/* Make the run event fire soon, unless a batch will look at the FIFO anyway. */
static void schedule(struct fl_workqueue *q)
{
    if (!q->running && !TAILQ_EMPTY(&q->ready))
        event_active(q->run, EV_TIMEOUT, 0);
}

static void add_item(struct item *it)
{
    struct fl_workqueue *q = it->q;
    if (it->dirty)
        return;
    it->dirty = true;
    if (it->processing)
        return; /* runs again when the current run ends */
    TAILQ_INSERT_TAIL(&q->ready, it, fifo);
    q->nready++;
    schedule(q);
}

void fl_workqueue_add(struct fl_workqueue *q, const char *key)
{
    add_item(get(q, key));
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct item *it = arg;
    it->waiting = false;
    it->q->nwaiting--;
    add_item(it);
    maybe_free(it);
}

static void add_item_after(struct item *it, uint32_t ms)
{
    struct fl_workqueue *q = it->q;
    if (ms == 0) {
        add_item(it);
        return;
    }
    int64_t due = now_ms() + ms;
    if (it->waiting && it->due_ms <= due)
        return;
    if (!it->timer)
        it->timer = evtimer_new(q->base, on_timer, it);
    FL_ASSERT(it->timer != NULL);
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    evtimer_add(it->timer, &tv); /* re-adding a pending timer moves it */
    if (!it->waiting)
        q->nwaiting++;
    it->waiting = true;
    it->due_ms = due;
}

void fl_workqueue_add_after(struct fl_workqueue *q, const char *key, uint32_t ms)
{
    struct item *it = get(q, key);
    add_item_after(it, ms);
    maybe_free(it); /* a no-op add of a new key must not leave it behind */
}

uint32_t fl_workqueue_backoff(const struct fl_workqueue *q, unsigned n)
{
    uint64_t ms = q->o.base_delay_ms;
    for (unsigned i = 1; i < n && ms < q->o.max_delay_ms; i++)
        ms *= 2;
    return ms < q->o.max_delay_ms ? (uint32_t)ms : q->o.max_delay_ms;
}

/* Run one key and settle what comes after, as client-go's processNextWorkItem
 * followed by Done: Forget on success, AddAfter on requeue, AddRateLimited on
 * failure. */
static void run_one(struct fl_workqueue *q, struct item *it)
{
    TAILQ_REMOVE(&q->ready, it, fifo);
    q->nready--;
    it->dirty = false;
    it->processing = true;
    uint32_t after = 0;
    struct fl_err err;
    fl_err_clear(&err);
    int rc = q->o.reconcile(q->o.ctx, it->key, &after, &err);
    it->processing = false;
    if (it->dirty) { /* added while it ran: to the back of the FIFO */
        TAILQ_INSERT_TAIL(&q->ready, it, fifo);
        q->nready++;
    }
    if (rc == FL_WQ_REQUEUE) {
        it->failures = 0;
        add_item_after(it, after);
    } else if (rc < 0 && err.code != 404) {
        uint32_t delay = fl_workqueue_backoff(q, ++it->failures);
        fprintf(stderr, "flotilla: %s: %s: %s (retry %u in %u ms)\n", q->name, it->key,
                err.message[0] ? err.message : "failed", it->failures, delay);
        add_item_after(it, delay);
    } else {
        it->failures = 0;
    }
    maybe_free(it);
}

static void on_run(evutil_socket_t fd, short what, void *arg)
{
    struct fl_workqueue *q = arg;
    struct item *it;
    q->running = true;
    for (size_t n = 0; n < q->o.batch && (it = TAILQ_FIRST(&q->ready)) != NULL; n++)
        run_one(q, it);
    q->running = false;
    if (!TAILQ_EMPTY(&q->ready)) {
        /* Not event_active: an event activated from its own callback runs again
         * in the same pass, before the loop polls or commits. */
        static const struct timeval zero = {0, 0};
        evtimer_add(q->run, &zero);
    }
}

struct fl_workqueue *fl_workqueue_new(struct event_base *base, const struct fl_workqueue_opts *o)
{
    FL_ASSERT(o->reconcile != NULL);
    struct fl_workqueue *q = fl_xcalloc(1, sizeof(*q));
    q->base = base;
    q->o = *o;
    q->name = fl_xstrdup(o->name ? o->name : "workqueue");
    q->o.name = q->name;
    if (!q->o.batch)
        q->o.batch = DEFAULT_BATCH;
    if (!q->o.base_delay_ms)
        q->o.base_delay_ms = DEFAULT_BASE_MS;
    if (!q->o.max_delay_ms)
        q->o.max_delay_ms = DEFAULT_MAX_MS;
    RB_INIT(&q->items);
    TAILQ_INIT(&q->ready);
    q->run = evtimer_new(base, on_run, q);
    FL_ASSERT(q->run != NULL);
    return q;
}

void fl_workqueue_free(struct fl_workqueue *q)
{
    if (!q)
        return;
    FL_ASSERT(!q->running);
    struct item *it, *next;
    RB_FOREACH_SAFE(it, fl_wq_tree, &q->items, next)
    {
        RB_REMOVE(fl_wq_tree, &q->items, it);
        if (it->timer)
            event_free(it->timer);
        free(it);
    }
    event_free(q->run);
    free(q->name);
    free(q);
}

size_t fl_workqueue_len(const struct fl_workqueue *q)
{
    return q->nready;
}

size_t fl_workqueue_waiting(const struct fl_workqueue *q)
{
    return q->nwaiting;
}

unsigned fl_workqueue_failures(const struct fl_workqueue *q, const char *key)
{
    const struct item *it = find(q, key);
    return it ? it->failures : 0;
}
