/*
 * Event loop with a before-sleep hook: see loop.h. EVLOOP_ONCE returns once
 * every callback made active by one poll has run, which is exactly one
 * "turn"; the hook runs between turns.
 */
#include "core/loop.h"

static int stopping;

void fl_loop_run(struct event_base *base, fl_before_sleep_fn fn, void *ctx)
{
    stopping = 0;
    while (!stopping) {
        if (event_base_loop(base, EVLOOP_ONCE) != 0)
            break;
        fn(ctx);
    }
    fn(ctx);
}

void fl_loop_stop(struct event_base *base)
{
    stopping = 1;
    event_base_loopbreak(base);
}
