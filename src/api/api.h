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

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdint.h>

#include "api/http.h"
#include "api/registry.h"
#include "core/labels.h"

#include "core/err.h"
#include "store/store.h"

#define FL_API_BODY_MAX (3 * 1024 * 1024) /* kube-apiserver's request limit */

struct fl_api;

/* New API over store (borrowed; must outlive the API). Creates the default
 * namespaces if they are missing. */
int fl_api_new(struct event_base *base, struct fl_store *store, struct fl_api **out,
               struct fl_err *err) FL_MUST_CHECK;

/* Options of fl_api_new_opts. */
struct fl_api_opts {
    /* Don't serve CustomResourceDefinitions' types. Served types are
     * process-wide (api/registry.h) and only one API per process can run the
     * CRD controller: a process hosting several clusters gives it to none. */
    bool no_crds;
};
int fl_api_new_opts(struct event_base *base, struct fl_store *store, const struct fl_api_opts *o,
                    struct fl_api **out, struct fl_err *err) FL_MUST_CHECK;

/* Listen on "ADDR:PORT" (port 0: any free port) with sec (NULL: plain HTTP,
 * anyone; sec->tls gets its own reference, sec->auth is borrowed and must
 * outlive the API). */
int fl_api_listen_sec(struct fl_api *api, const char *addr, const struct fl_http_sec *sec,
                      struct fl_err *err) FL_MUST_CHECK;
int fl_api_port(const struct fl_api *api);

/* Faults of a simulated cluster. Stop listening: every open connection and
 * watch ends, new connections are refused; listen again on the same port with
 * the same security (409 if the port was taken meanwhile). */
void fl_api_unlisten(struct fl_api *api);
int fl_api_relisten(struct fl_api *api, struct fl_err *err) FL_MUST_CHECK;
/* Answer requests ms late (FL_HTTP_HOLD: not until set again; 0: at once). */
void fl_api_set_delay(struct fl_api *api, uint32_t ms);

/* What a process serves beyond stored objects (`flotilla member`'s
 * simulated components). Both hooks may be NULL. */
struct fl_api_ext {
    void *ctx;
    /* GET of a computed type (registry.h): one object (name != "") or a
     * list of them; ns "" = all namespaces or cluster scope; labels may be
     * NULL. *out a new reference. */
    int (*get)(void *ctx, const struct fl_rtype *t, const char *ns, const char *name,
               const struct fl_labelsel *labels, json_t **out, struct fl_err *err);
    /* GET of a subresource the registry does not know (pods/log): write the
     * text/plain body to out. 404 when there is no such subresource. */
    int (*get_sub)(void *ctx, const struct fl_rtype *t, const char *ns, const char *name,
                   const char *sub, const struct evkeyvalq *query, struct evbuffer *out,
                   struct fl_err *err);
};
/* Set the extension (copied). */
void fl_api_set_ext(struct fl_api *api, const struct fl_api_ext *ext);

/* The loop's before-sleep hook (ctx = the api): commit, replies, watch events.
 * A failed commit is fatal: the process exits without replying. */
void fl_api_before_sleep(void *api);

void fl_api_free(struct fl_api *api); /* NULL-safe; ends open watches */

#endif
