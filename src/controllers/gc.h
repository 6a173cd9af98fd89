/*
 * The garbage collector, after kube-controller-manager's
 * (k8s.io/kubernetes/pkg/controller/garbagecollector): objects whose owners
 * (metadata.ownerReferences) are gone are deleted, and the "orphan" and
 * "foregroundDeletion" finalizers an API delete sets for
 * propagationPolicy=Orphan / Foreground are carried out.
 *
 *  - Background: when every owner of an object is absent (deleted, or no
 *    object of that kind and name with that uid in the places it may live:
 *    the dependent's namespace, or cluster scope) the object is deleted. An
 *    object with a live owner left only loses the references to absent owners.
 *  - Orphan: an owner being deleted with the "orphan" finalizer has its
 *    ownerReferences removed from every dependent, then loses the finalizer
 *    (so the store deletes it).
 *  - Foreground: an owner being deleted with "foregroundDeletion" has its
 *    dependents deleted (in the foreground themselves when they have
 *    dependents); it loses the finalizer once no dependent with
 *    blockOwnerDeletion: true is left.
 *  - A cluster-scoped object naming a namespaced owner kind is never
 *    collected; an owner kind the registry does not serve is retried with
 *    backoff (both as Kubernetes does).
 *
 * The owner graph (dependent -> owner uids, owner uid -> dependents) is built
 * from a list of every served type, a few hundred objects per loop turn so
 * a large store does not hold up the loop, and kept current by one watch of
 * every key. Decisions read the store itself (owners are looked up by kind,
 * name and namespace and compared by uid), so a graph that lags by the
 * current turn's uncommitted writes only delays work. Writes go straight to
 * the store (fl_store_update / fl_store_delete, uid preconditions) and become
 * durable at the turn's commit like the API's.
 */
#ifndef FL_CONTROLLERS_GC_H
#define FL_CONTROLLERS_GC_H

#include <event2/event.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

struct fl_gc;

/* Start collecting garbage in store on base (both borrowed: they must outlive
 * the collector). *out is the new collector. Fails only if the watch cannot
 * be opened (err says why). */
int fl_gc_start(struct event_base *base, struct fl_store *store, struct fl_gc **out,
                struct fl_err *err) FL_MUST_CHECK;
/* Stop and free. NULL-safe. */
void fl_gc_stop(struct fl_gc *gc);

/* True once the initial list is in the graph (work before that waits). */
bool fl_gc_synced(const struct fl_gc *gc);
/* Keys queued or waiting for a retry (0 once the collector is idle). */
size_t fl_gc_pending(const struct fl_gc *gc);

#endif
