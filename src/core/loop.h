/*
 * The event loop: one libevent base that owns all state, plus one
 * "before sleep" hook run after every batch of callbacks and before the loop
 * blocks again (Redis beforeSleep). The server commits the store and sends
 * the turn's replies there, so nothing leaves the process before it is
 * durable, and all writes of a turn share one commit.
 */
#ifndef FL_CORE_LOOP_H
#define FL_CORE_LOOP_H

#include <event2/event.h>

typedef void (*fl_before_sleep_fn)(void *ctx);

/* A new event base tuned for a server loop: epoll changes are batched per
 * turn (a reply toggles write interest on and off within one turn; without
 * the changelist each toggle is an epoll_ctl syscall). Never NULL. */
struct event_base *fl_loop_base_new(void);

/* Run until fl_loop_stop (or until no events are left). */
void fl_loop_run(struct event_base *base, fl_before_sleep_fn fn, void *ctx);
/* Ask the loop to return after the current turn. */
void fl_loop_stop(struct event_base *base);

#endif
