/*
 * Discovery: /version, /api, /apis (legacy APIVersions/APIGroupList or, when
 * the client accepts it, the aggregated APIGroupDiscoveryList of
 * apidiscovery.k8s.io/v2 or v2beta1), /apis/<group>, /api/v1 and
 * /apis/<group>/<version> (APIResourceList), plus the health endpoints.
 * Everything is generated from the registry on each request: CRDs appear
 * and disappear as they are created and deleted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/openapi.h"

#define K8S_MINOR "32"
#define K8S_VERSION "v1." K8S_MINOR ".0"

static const char *const verbs[] = {"create", "delete", "deletecollection", "get",
                                    "list",   "patch",  "update",           "watch"};

static json_t *version_doc(void)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "major", "1", "minor", K8S_MINOR,
                     "gitVersion", K8S_VERSION "-flotilla", "gitCommit", "", "gitTreeState",
                     "clean", "buildDate", "2026-11-23T00:00:00Z", "goVersion", "go1.23.0",
                     "compiler", "gc", "platform", "linux/amd64");
}

static json_t *string_array(const char *const *l)
{
    json_t *a = json_array();
    for (; l && *l; l++)
        json_array_append_new(a, json_string(*l));
    return a;
}

static json_t *verb_array(const struct fl_rtype *t)
{
    if (t->computed) /* read-only */
        return json_pack("[s,s]", "get", "list");
    json_t *a = json_array();
    for (size_t i = 0; i < FL_ARRAY_LEN(verbs); i++)
        json_array_append_new(a, json_string(verbs[i]));
    return a;
}

/* Groups in the order they are served, each once. */
static size_t groups(const char **out, size_t cap)
{
    size_t n = 0;
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        size_t j = 0;
        while (j < n && strcmp(out[j], t->group) != 0)
            j++;
        if (j == n && n < cap)
            out[n++] = t->group;
    }
    return n;
}

/* Versions of a group, in order of first appearance (the first is preferred). */
static size_t versions(const char *group, const char **out, size_t cap)
{
    size_t n = 0;
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        if (strcmp(t->group, group) != 0)
            continue;
        size_t j = 0;
        while (j < n && strcmp(out[j], t->version) != 0)
            j++;
        if (j == n && n < cap)
            out[n++] = t->version;
    }
    return n;
}

static json_t *gvk(const char *group, const char *version, const char *kind)
{
    return json_pack("{s:s,s:s,s:s}", "group", group, "version", version, "kind", kind);
}

/* ---- aggregated (apidiscovery.k8s.io) ----------------------------------- */

static json_t *aggregated_resource(const struct fl_rtype *t)
{
    json_t *r = json_pack("{s:s,s:o,s:s,s:s,s:o}", "resource", t->resource, "responseKind",
                          gvk(t->group, t->version, t->kind), "scope",
                          t->namespaced ? "Namespaced" : "Cluster", "singularResource",
                          t->singular, "verbs", verb_array(t));
    if (t->short_names)
        json_object_set_new(r, "shortNames", string_array(t->short_names));
    if (t->categories)
        json_object_set_new(r, "categories", string_array(t->categories));
    json_t *subs = json_array();
    if (t->status)
        json_array_append_new(subs, json_pack("{s:s,s:o,s:[s,s,s]}", "subresource", "status",
                                              "responseKind",
                                              gvk(t->group, t->version, t->kind), "verbs",
                                              "get", "patch", "update"));
    if (t->scale)
        json_array_append_new(subs, json_pack("{s:s,s:o,s:[s,s,s]}", "subresource", "scale",
                                              "responseKind",
                                              gvk("autoscaling", "v1", "Scale"), "verbs", "get",
                                              "patch", "update"));
    if (json_array_size(subs))
        json_object_set_new(r, "subresources", subs);
    else
        json_decref(subs);
    return r;
}

static json_t *aggregated_group(const char *group)
{
    const char *vs[16];
    size_t nv = versions(group, vs, FL_ARRAY_LEN(vs));
    json_t *jvs = json_array();
    for (size_t v = 0; v < nv; v++) {
        json_t *res = json_array();
        const struct fl_rtype *t;
        for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++)
            if (!strcmp(t->group, group) && !strcmp(t->version, vs[v]))
                json_array_append_new(res, aggregated_resource(t));
        json_array_append_new(jvs, json_pack("{s:s,s:o,s:s}", "version", vs[v], "resources", res,
                                             "freshness", "Current"));
    }
    return json_pack("{s:{s:s,s:n},s:o}", "metadata", "name", group, "creationTimestamp",
                     "versions", jvs);
}

/* core: only the "" group; else every named group. */
static json_t *aggregated_list(bool core, const char *api_version)
{
    json_t *items = json_array();
    if (core) {
        json_array_append_new(items, aggregated_group(""));
    } else {
        const char *gs[64];
        size_t ng = groups(gs, FL_ARRAY_LEN(gs));
        for (size_t i = 0; i < ng; i++)
            if (gs[i][0])
                json_array_append_new(items, aggregated_group(gs[i]));
    }
    return json_pack("{s:s,s:s,s:{},s:o}", "kind", "APIGroupDiscoveryList", "apiVersion",
                     api_version, "metadata", "items", items);
}

/* Which aggregated version the client accepts (v2 preferred), or NULL. */
static const char *accepts_aggregated(struct evhttp_request *req)
{
    const char *accept =
        evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");
    if (!accept || !strstr(accept, "as=APIGroupDiscoveryList"))
        return NULL;
    if (strstr(accept, "g=apidiscovery.k8s.io;v=v2;"))
        return "v2";
    if (strstr(accept, "g=apidiscovery.k8s.io;v=v2beta1;"))
        return "v2beta1";
    return NULL;
}

/* ---- legacy ------------------------------------------------------------- */

static json_t *legacy_group(const char *group)
{
    const char *vs[16];
    size_t nv = versions(group, vs, FL_ARRAY_LEN(vs));
    json_t *jvs = json_array();
    char gv[320];
    for (size_t v = 0; v < nv; v++) {
        snprintf(gv, sizeof(gv), "%s/%s", group, vs[v]);
        json_array_append_new(jvs, json_pack("{s:s,s:s}", "groupVersion", gv, "version", vs[v]));
    }
    snprintf(gv, sizeof(gv), "%s/%s", group, nv ? vs[0] : "");
    return json_pack("{s:s,s:o,s:{s:s,s:s}}", "name", group, "versions", jvs,
                     "preferredVersion", "groupVersion", gv, "version", nv ? vs[0] : "");
}

static json_t *legacy_groups(void)
{
    const char *gs[64];
    size_t ng = groups(gs, FL_ARRAY_LEN(gs));
    json_t *items = json_array();
    for (size_t i = 0; i < ng; i++)
        if (gs[i][0])
            json_array_append_new(items, legacy_group(gs[i]));
    return json_pack("{s:s,s:s,s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups",
                     items);
}

static json_t *legacy_resource(const struct fl_rtype *t, const char *sub, const char *kind)
{
    char name[128];
    snprintf(name, sizeof(name), "%s%s%s", t->resource, sub ? "/" : "", sub ? sub : "");
    json_t *r = json_pack("{s:s,s:s,s:b,s:s}", "name", name, "singularName",
                          sub ? "" : t->singular, "namespaced", t->namespaced, "kind", kind);
    if (sub) {
        json_object_set_new(r, "verbs", json_pack("[s,s,s]", "get", "patch", "update"));
        if (!strcmp(sub, "scale")) {
            json_object_set_new(r, "group", json_string("autoscaling"));
            json_object_set_new(r, "version", json_string("v1"));
        }
        return r;
    }
    json_object_set_new(r, "verbs", verb_array(t));
    if (t->short_names)
        json_object_set_new(r, "shortNames", string_array(t->short_names));
    if (t->categories)
        json_object_set_new(r, "categories", string_array(t->categories));
    return r;
}

static json_t *resource_list(const char *group, const char *version)
{
    json_t *res = json_array();
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        if (strcmp(t->group, group) != 0 || strcmp(t->version, version) != 0)
            continue;
        json_array_append_new(res, legacy_resource(t, NULL, t->kind));
        if (t->status)
            json_array_append_new(res, legacy_resource(t, "status", t->kind));
        if (t->scale)
            json_array_append_new(res, legacy_resource(t, "scale", "Scale"));
    }
    char gv[320];
    snprintf(gv, sizeof(gv), "%s%s%s", group, group[0] ? "/" : "", version);
    return json_pack("{s:s,s:s,s:s,s:o}", "kind", "APIResourceList", "apiVersion", "v1",
                     "groupVersion", gv, "resources", res);
}

static bool served(const char *group, const char *version)
{
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++)
        if (!strcmp(t->group, group) && (!version || !strcmp(t->version, version)))
            return true;
    return false;
}

static void reply_aggregated(struct fl_api *api, struct evhttp_request *req, json_t *doc,
                             const char *v)
{
    char ctype[128];
    snprintf(ctype, sizeof(ctype), "application/json;g=apidiscovery.k8s.io;v=%s;as=APIGroupDiscoveryList", v);
    struct evbuffer *b = evbuffer_new();
    char *s = json_dumps(doc, JSON_COMPACT);
    evbuffer_add(b, s, strlen(s));
    free(s);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
    fl_http_reply(api->http, req, 200, b);
}

/* Reply with raw JSON bytes (copied) and extra headers. */
static void reply_bytes(struct fl_api *api, struct evhttp_request *req, const char *bytes,
                        size_t len)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, bytes, len);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    fl_http_reply(api->http, req, 200, b);
}

/* /openapi/v2 and /openapi/v3[/<gv>]: 0 when replied, -1 for a 404. */
static int openapi(struct fl_api *api, struct evhttp_request *req, const struct fl_route *r)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    if (r->kind == FL_ROUTE_OPENAPI_V2) {
        /* kubectl asks for the protobuf form first and only falls back to v2:
         * 406 sends it on to v3. */
        const char *accept = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");
        if (accept && strstr(accept, "protobuf") && !strstr(accept, "application/json")) {
            struct fl_err err;
            fl_errf(&err, 406, "NotAcceptable", "only application/json is served here");
            fl_api_reply_err(api, req, &err);
            return 0;
        }
        size_t len;
        const char *b = fl_openapi_v2_bytes(&len);
        if (!b)
            return -1;
        reply_bytes(api, req, b, len);
        return 0;
    }
    if (!r->gv_path[0]) {
        json_t *root = fl_openapi_v3_root();
        fl_api_reply_json(api, req, 200, root);
        json_decref(root);
        return 0;
    }
    size_t len;
    const char *hash = NULL;
    const char *b = fl_openapi_v3_doc(r->gv_path, &len, &hash);
    if (!b)
        return -1;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    char want[160] = "";
    if (hash)
        snprintf(want, sizeof(want), "hash=%s", hash);
    bool immutable = hash && q && strstr(q, want);
    char etag[160];
    snprintf(etag, sizeof(etag), "\"%s\"", hash ? hash : "");
    evhttp_add_header(out, "Etag", etag);
    evhttp_add_header(out, "Cache-Control", immutable ? "public, immutable" : "no-cache, private");
    reply_bytes(api, req, b, len);
    return 0;
}

void fl_api_discovery(struct fl_api *api, struct evhttp_request *req, const struct fl_route *r)
{
    struct fl_err err;
    json_t *doc = NULL;
    const char *agg = accepts_aggregated(req);
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        fl_errf(&err, 405, "MethodNotAllowed", "only GET is allowed here");
        fl_api_reply_err(api, req, &err);
        return;
    }
    switch (r->kind) {
    case FL_ROUTE_VERSION:
        doc = version_doc();
        break;
    case FL_ROUTE_HEALTH: {
        struct evbuffer *b = evbuffer_new();
        evbuffer_add(b, "ok", 2);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
        fl_http_reply(api->http, req, 200, b);
        return;
    }
    case FL_ROUTE_API:
    case FL_ROUTE_APIS:
        if (agg) {
            char av[64];
            snprintf(av, sizeof(av), "apidiscovery.k8s.io/%s", agg);
            doc = aggregated_list(r->kind == FL_ROUTE_API, av);
            reply_aggregated(api, req, doc, agg);
            json_decref(doc);
            return;
        }
        if (r->kind == FL_ROUTE_API)
            doc = json_pack("{s:s,s:[s],s:[{s:s,s:s}]}", "kind", "APIVersions", "versions",
                            "v1", "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0",
                            "serverAddress", "127.0.0.1");
        else
            doc = legacy_groups();
        break;
    case FL_ROUTE_GROUP:
        if (served(r->group, NULL)) {
            doc = legacy_group(r->group);
            json_object_set_new(doc, "kind", json_string("APIGroup"));
            json_object_set_new(doc, "apiVersion", json_string("v1"));
        }
        break;
    case FL_ROUTE_GROUP_VERSION:
        if (served(r->group, r->version))
            doc = resource_list(r->group, r->version);
        break;
    case FL_ROUTE_OPENAPI_V2:
    case FL_ROUTE_OPENAPI_V3:
        if (openapi(api, req, r) == 0)
            return;
        break;
    default:
        break;
    }
    if (!doc) {
        fl_errf(&err, 404, "NotFound", "the server could not find the requested resource");
        fl_api_reply_err(api, req, &err);
        return;
    }
    fl_api_reply_json(api, req, 200, doc);
    json_decref(doc);
}
