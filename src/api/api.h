/*
 * The Kubernetes REST API over a store: routing, CRUD, lists, watches and
 * discovery, served by libevent's evhttp. A library, so both the control
 * plane (`flotilla serve`) and simulated member clusters can serve it.
 *
 * Requests run on the loop thread. Every reply waits for the end of the loop
 * turn: fl_api_before_sleep commits the store, then sends the turn's
 * replies, then the watch events, in that order.
 */
#ifndef FL_API_API_H
#define FL_API_API_H

#include <event2/event.h>

#include "core/err.h"
#include "store/store.h"

#define FL_API_BODY_MAX (3 * 1024 * 1024) /* kube-apiserver's request limit */

struct fl_api;

/* New API over store (borrowed; must outlive the API). Creates the default
 * namespaces if they are missing. */
int fl_api_new(struct event_base *base, struct fl_store *store, struct fl_api **out,
               struct fl_err *err) FL_MUST_CHECK;

/* Listen on "ADDR:PORT" (port 0: any free port). */
int fl_api_listen(struct fl_api *api, const char *addr, struct fl_err *err) FL_MUST_CHECK;
int fl_api_port(const struct fl_api *api);

/* The loop's before-sleep hook (ctx = the api): commit, replies, watch events.
 * A failed commit is fatal: the process exits without replying. */
void fl_api_before_sleep(void *api);

void fl_api_free(struct fl_api *api); /* NULL-safe; ends open watches */

#endif
