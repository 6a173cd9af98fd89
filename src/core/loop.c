/*
 * Event loop with a before-sleep hook: see loop.h. EVLOOP_ONCE returns once
 * every callback made active by one poll has run, which is exactly one
 * "turn"; the hook runs between turns.
 */
#include "core/loop.h"

#include "core/alloc.h"

static int stopping;

struct event_base *fl_loop_base_new(void)
{
    struct event_config *cfg = event_config_new();
    FL_ASSERT(cfg != NULL);
    /* Safe here: we never dup() descriptors registered with the base. */
    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    FL_ASSERT(base != NULL);
    return base;
}

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
