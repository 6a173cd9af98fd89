/*
 * Unit tests for controllers/workqueue on a real libevent base with short
 * timers: deduplication of keys added before they run, a key added while it
 * runs runs again after (never nested), the per-turn batch bound, per-key
 * exponential backoff on failure and its reset, NotFound as done,
 * requeue-after, the earlier-deadline rule of delayed adds, and freeing a
 * queue with keys and timers pending.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "controllers/workqueue.h"

#define MAXRUNS 64
/* libevent's timers run on CLOCK_MONOTONIC_COARSE (a few ms per tick) unless
 * the base asks for precise timers, so a timer may fire up to a tick before
 * the fine clock these tests read says it is due. */
#define SLACK 5

/* What the reconcile saw and what it is told to answer. */
struct rec {
    struct fl_workqueue *q;
    char keys[MAXRUNS][32];
    int64_t at[MAXRUNS]; /* ms since the test started */
    int n;
    bool running;        /* to catch nested runs */
    int fail_first;      /* fail this many runs (500) */
    int notfound;        /* answer 404 */
    uint32_t requeue_ms; /* the first run asks for a requeue after this */
    bool readd_once;     /* the first run adds its own key again */
};

static int64_t t0;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - t0;
}

static int reconcile(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err)
{
    struct rec *r = ctx;
    assert_false(r->running);
    assert_true(r->n < MAXRUNS);
    r->running = true;
    snprintf(r->keys[r->n], sizeof(r->keys[0]), "%s", key);
    r->at[r->n] = now_ms();
    int n = r->n++;
    int rc = FL_WQ_DONE;
    if (r->readd_once && n == 0)
        fl_workqueue_add(r->q, key);
    if (n < r->fail_first)
        rc = fl_errf(err, 500, "InternalError", "injected failure %d", n + 1);
    else if (r->notfound)
        rc = fl_errf(err, 404, "NotFound", "gone");
    else if (r->requeue_ms && n == 0) {
        *requeue_ms = r->requeue_ms;
        rc = FL_WQ_REQUEUE;
    }
    r->running = false;
    return rc;
}

struct fx {
    struct event_base *base;
    struct fl_workqueue *q;
    struct rec r;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->base = event_base_new();
    struct fl_workqueue_opts o = {.name = "test", .reconcile = reconcile, .ctx = &f->r};
    f->q = fl_workqueue_new(f->base, &o);
    f->r.q = f->q;
    t0 = 0;
    t0 = now_ms();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    fl_workqueue_free(f->q);
    event_base_free(f->base);
    free(f);
    return 0;
}

/* Run loop turns until the reconcile has run n times (or ms pass). */
static void run_until(struct fx *f, int n, int ms)
{
    int64_t end = now_ms() + ms;
    while (f->r.n < n && now_ms() < end) {
        struct timeval tv = {0, 2000};
        event_base_loopexit(f->base, &tv); /* never block for long */
        event_base_loop(f->base, EVLOOP_ONCE);
    }
}

/* Run turns for ms without expecting anything. */
static void run_for(struct fx *f, int ms)
{
    run_until(f, MAXRUNS + 1, ms);
}

static void dedup(void **state)
{
    struct fx *f = *state;
    fl_workqueue_add(f->q, "a");
    fl_workqueue_add(f->q, "b");
    fl_workqueue_add(f->q, "a");
    fl_workqueue_add(f->q, "a");
    assert_int_equal(fl_workqueue_len(f->q), 2);
    run_for(f, 30);
    assert_int_equal(f->r.n, 2);
    assert_string_equal(f->r.keys[0], "a");
    assert_string_equal(f->r.keys[1], "b");
    assert_int_equal(fl_workqueue_len(f->q), 0);
    /* Once run, a key can be added again. */
    fl_workqueue_add(f->q, "a");
    run_for(f, 20);
    assert_int_equal(f->r.n, 3);
}

static void readd_while_running(void **state)
{
    struct fx *f = *state;
    f->r.readd_once = true;
    fl_workqueue_add(f->q, "a");
    fl_workqueue_add(f->q, "b");
    run_for(f, 30);
    /* "a" ran, was re-added while running (not nested: asserted), and ran
     * again after "b", which was queued first. */
    assert_int_equal(f->r.n, 3);
    assert_string_equal(f->r.keys[0], "a");
    assert_string_equal(f->r.keys[1], "b");
    assert_string_equal(f->r.keys[2], "a");
}

static void batch_per_turn(void **state)
{
    struct fx *f = *state;
    fl_workqueue_free(f->q);
    struct fl_workqueue_opts o = {.reconcile = reconcile, .ctx = &f->r, .batch = 2};
    f->q = f->r.q = fl_workqueue_new(f->base, &o);
    for (int i = 0; i < 5; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        fl_workqueue_add(f->q, k);
    }
    event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    assert_int_equal(f->r.n, 2);
    assert_int_equal(fl_workqueue_len(f->q), 3);
    event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    assert_int_equal(f->r.n, 4);
    event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    assert_int_equal(f->r.n, 5);
    assert_string_equal(f->r.keys[4], "k4");
}

static void backoff_values(void **state)
{
    struct fx *f = *state;
    assert_int_equal(fl_workqueue_backoff(f->q, 1), 5);
    assert_int_equal(fl_workqueue_backoff(f->q, 2), 10);
    assert_int_equal(fl_workqueue_backoff(f->q, 3), 20);
    assert_int_equal(fl_workqueue_backoff(f->q, 18), 655360);
    assert_int_equal(fl_workqueue_backoff(f->q, 19), 1000000);
    assert_int_equal(fl_workqueue_backoff(f->q, 1000), 1000000);
}

static void backoff_on_failure(void **state)
{
    struct fx *f = *state;
    fl_workqueue_free(f->q); /* 20 ms steps: well above the timer tick */
    struct fl_workqueue_opts o = {.reconcile = reconcile, .ctx = &f->r, .base_delay_ms = 20};
    f->q = f->r.q = fl_workqueue_new(f->base, &o);
    f->r.fail_first = 3;
    fl_workqueue_add(f->q, "a");
    run_until(f, 1, 50);
    assert_int_equal(fl_workqueue_failures(f->q, "a"), 1);
    assert_int_equal(fl_workqueue_waiting(f->q), 1);
    /* An add during the backoff runs it at once (client-go: Add is not rate
     * limited), so leave it alone here. */
    run_until(f, 4, 2000);
    assert_int_equal(f->r.n, 4);
    /* Retries after >= 20, 40, 80 ms. */
    assert_true(f->r.at[1] - f->r.at[0] >= 20 - SLACK);
    assert_true(f->r.at[2] - f->r.at[1] >= 40 - SLACK);
    assert_true(f->r.at[3] - f->r.at[2] >= 80 - SLACK);
    /* Success forgets the failures. */
    assert_int_equal(fl_workqueue_failures(f->q, "a"), 0);
    assert_int_equal(fl_workqueue_waiting(f->q), 0);
    run_for(f, 30);
    assert_int_equal(f->r.n, 4);
}

static void notfound_is_done(void **state)
{
    struct fx *f = *state;
    f->r.notfound = 1;
    fl_workqueue_add(f->q, "gone");
    run_for(f, 30);
    assert_int_equal(f->r.n, 1);
    assert_int_equal(fl_workqueue_failures(f->q, "gone"), 0);
    assert_int_equal(fl_workqueue_waiting(f->q), 0);
}

static void requeue_after(void **state)
{
    struct fx *f = *state;
    f->r.fail_first = 1;
    f->r.requeue_ms = 0;
    fl_workqueue_add(f->q, "a");
    run_until(f, 1, 50);
    assert_int_equal(fl_workqueue_failures(f->q, "a"), 1);
    run_until(f, 2, 100);
    assert_int_equal(fl_workqueue_failures(f->q, "a"), 0);

    /* A requeue runs it again after the time asked, and resets failures. */
    memset(&f->r, 0, sizeof(f->r));
    f->r.q = f->q;
    f->r.requeue_ms = 40;
    int64_t start = now_ms();
    fl_workqueue_add(f->q, "b");
    run_until(f, 2, 500);
    assert_int_equal(f->r.n, 2);
    assert_true(f->r.at[1] - start >= 40 - SLACK);
    run_for(f, 60);
    assert_int_equal(f->r.n, 2);
}

static void add_after_keeps_earlier(void **state)
{
    struct fx *f = *state;
    int64_t start = now_ms();
    fl_workqueue_add_after(f->q, "a", 300);
    fl_workqueue_add_after(f->q, "a", 20);
    fl_workqueue_add_after(f->q, "a", 200); /* later than the pending 20: ignored */
    assert_int_equal(fl_workqueue_waiting(f->q), 1);
    assert_int_equal(fl_workqueue_len(f->q), 0);
    run_until(f, 1, 500);
    assert_int_equal(f->r.n, 1);
    assert_true(f->r.at[0] - start >= 20 - SLACK);
    assert_true(f->r.at[0] - start < 200);
    run_for(f, 350); /* neither 200 nor 300 fires */
    assert_int_equal(f->r.n, 1);
    /* 0 ms is an add. */
    fl_workqueue_add_after(f->q, "b", 0);
    assert_int_equal(fl_workqueue_len(f->q), 1);
    run_for(f, 20);
    assert_int_equal(f->r.n, 2);
}

static void free_with_pending(void **state)
{
    struct fx *f = *state;
    fl_workqueue_add(f->q, "a");
    fl_workqueue_add_after(f->q, "b", 1000);
    f->r.fail_first = 1;
    fl_workqueue_add(f->q, "c");
    /* teardown frees it with keys, a timer and a backoff pending (ASan). */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(dedup),          T(readd_while_running),     T(batch_per_turn),
        T(backoff_values), T(backoff_on_failure),      T(notfound_is_done),
        T(requeue_after),  T(add_after_keeps_earlier), T(free_with_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
