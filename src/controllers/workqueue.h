/*
 * A controller's work queue, after client-go's workqueue on our event loop:
 * string keys (store keys, usually) waiting for a reconcile function.
 *
 * The promises are client-go's:
 *  - a key added many times before it runs runs once (the queue is a set);
 *  - a key never runs twice at once, and a key added while it runs (by the
 *    reconcile itself, a watch, a timer) runs again after it returns;
 *  - a reconcile that fails is retried after a per-key exponential backoff
 *    (5 ms, 10 ms, 20 ms ... capped at 1000 s, client-go's default item
 *    limiter); a reconcile that succeeds or asks for a requeue forgets the
 *    key's failures.
 *
 * Keys run from the event loop, at most `batch` per loop turn: the queue's
 * event is made active when a key becomes ready, and when a batch leaves keys
 * behind the rest waits for the next turn (a zero timer, so the loop polls
 * sockets and runs its before-sleep hook in between: one controller cannot
 * starve the loop, and its writes are committed turn by turn). Delayed adds
 * and backoffs are libevent timers, one per waiting key.
 */
#ifndef FL_CONTROLLERS_WORKQUEUE_H
#define FL_CONTROLLERS_WORKQUEUE_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* What a reconcile returns (besides FL_EFAIL, see fl_reconcile_fn). */
#define FL_WQ_DONE 0    /* nothing more to do for the key */
#define FL_WQ_REQUEUE 1 /* run the key again after *requeue_ms */

/* Reconcile `key` (borrowed, valid during the call). Returns FL_WQ_DONE,
 * FL_WQ_REQUEUE with *requeue_ms set (it starts at 0), or FL_EFAIL with err
 * filled: 404 NotFound counts as done, anything else is logged and retried
 * after the key's backoff. May call fl_workqueue_add/add_after on its own
 * queue; must not free it. */
typedef int (*fl_reconcile_fn)(void *ctx, const char *key, uint32_t *requeue_ms,
                               struct fl_err *err);

struct fl_workqueue_opts {
    const char *name;          /* for log lines (copied) */
    fl_reconcile_fn reconcile; /* required */
    void *ctx;
    size_t batch;           /* keys per loop turn (default 100) */
    uint32_t base_delay_ms; /* first backoff (default 5) */
    uint32_t max_delay_ms;  /* backoff cap (default 1,000,000 = 1000 s) */
};

struct fl_workqueue;

/* A new, empty queue driven by base (borrowed: it must outlive the queue).
 * Never NULL. */
struct fl_workqueue *fl_workqueue_new(struct event_base *base, const struct fl_workqueue_opts *o);
/* Drop every key and timer. NULL-safe; not from inside the queue's reconcile. */
void fl_workqueue_free(struct fl_workqueue *q);

/* Queue key (copied) to run soon; a no-op if it is already waiting to run. */
void fl_workqueue_add(struct fl_workqueue *q, const char *key);
/* Queue key after ms milliseconds (0: now). A key already waiting for a
 * timer keeps the earlier of the two times. */
void fl_workqueue_add_after(struct fl_workqueue *q, const char *key, uint32_t ms);

/* Keys ready to run now (not counting the one running, nor timers). */
size_t fl_workqueue_len(const struct fl_workqueue *q);
/* Keys waiting for a timer (delayed adds and backoffs). */
size_t fl_workqueue_waiting(const struct fl_workqueue *q);
/* How many times in a row key has failed (client-go's NumRequeues). */
unsigned fl_workqueue_failures(const struct fl_workqueue *q, const char *key);
/* The backoff after the n-th consecutive failure (n >= 1) of q. */
uint32_t fl_workqueue_backoff(const struct fl_workqueue *q, unsigned n);

#endif
