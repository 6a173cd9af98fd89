/*
 * URL routing: a request path ("/api/v1/namespaces/x/configmaps/y") becomes
 * a struct fl_route naming the endpoint, resolved against the registry.
 * Paths that name nothing give 404 NotFound; nothing here allocates.
 */
#ifndef FL_API_ROUTE_H
#define FL_API_ROUTE_H

#include <stdbool.h>

#include "api/registry.h"
#include "core/err.h"

enum fl_route_kind {
    FL_ROUTE_VERSION,       /* /version */
    FL_ROUTE_HEALTH,        /* /healthz /livez /readyz */
    FL_ROUTE_API,           /* /api */
    FL_ROUTE_APIS,          /* /apis */
    FL_ROUTE_GROUP,         /* /apis/<group> */
    FL_ROUTE_GROUP_VERSION, /* /api/v1, /apis/<group>/<version> */
    FL_ROUTE_RESOURCE,      /* a collection, an object or a subresource */
    FL_ROUTE_OPENAPI_V2,    /* /openapi/v2 */
    FL_ROUTE_OPENAPI_V3,    /* /openapi/v3, or one group-version's document */
};

struct fl_route {
    enum fl_route_kind kind;
    char group[254];
    char version[64];
    const struct fl_rtype *type; /* FL_ROUTE_RESOURCE */
    char ns[64];                 /* "" when not namespaced or all namespaces */
    char name[254];              /* "" for a collection */
    char sub[32];                /* subresource, "" for none */
    bool watch;                  /* legacy /watch/ path */
    char gv_path[320];           /* FL_ROUTE_OPENAPI_V3: "api/v1", "apis/apps/v1" or "" */
};

/* Parse `path` (no query string). 404 NotFound for unknown paths. */
int fl_route_parse(const char *path, struct fl_route *r, struct fl_err *err) FL_MUST_CHECK;

#endif
