/*
 * ClusterIP allocation for Services, from the service CIDR 10.96.0.0/12
 * (kube-apiserver's default). The allocator learns the IPs in use from the
 * stored Services the first time it is asked, then tracks what it hands out.
 * An IP given back by a deleted Service is not reused until a restart: with
 * a million addresses that is a simplification, not a leak that matters.
 */
#ifndef FL_API_CLUSTERIP_H
#define FL_API_CLUSTERIP_H

#include <jansson.h>

#include "core/err.h"
#include "store/store.h"

/* Fill spec.clusterIP (and spec.clusterIPs) of a Service being created:
 * allocate one when absent or empty; accept "None" (headless) and a free
 * address inside the range; 422 Invalid otherwise. ExternalName services get
 * none. dry_run: check and fill, but do not mark the IP used. */
int fl_clusterip_assign(struct fl_store *store, json_t *svc, bool dry_run, struct fl_err *err)
    FL_MUST_CHECK;

/* Forget everything (tests). */
void fl_clusterip_reset(void);

#endif
