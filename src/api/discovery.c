/*
 * Discovery: /version, /api, /apis, /api/v1 and /apis/<group>/<version>,
 * generated from the registry, plus the health endpoints.
 */
#include <string.h>

#include "api/api_int.h"

#define K8S_VERSION "v1.32.0"
#define K8S_MINOR "32"

static json_t *version_doc(void)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "major", "1", "minor", K8S_MINOR,
                     "gitVersion", K8S_VERSION "+flotilla", "gitCommit", "", "gitTreeState",
                     "clean", "buildDate", "2026-11-23T00:00:00Z", "goVersion", "n/a",
                     "compiler", "gcc", "platform", "linux/amd64");
}

static json_t *resource_list(const char *group, const char *version)
{
    json_t *res = json_array();
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        if (strcmp(t->group, group) != 0 || strcmp(t->version, version) != 0)
            continue;
        json_t *shorts = json_array();
        for (const char *const *s = t->short_names; s && *s; s++)
            json_array_append_new(shorts, json_string(*s));
        json_array_append_new(
            res, json_pack("{s:s,s:s,s:b,s:s,s:[s,s,s,s,s,s,s],s:o}", "name", t->resource,
                           "singularName", t->singular, "namespaced", t->namespaced, "kind",
                           t->kind, "verbs", "create", "delete", "deletecollection", "get",
                           "list", "update", "watch", "shortNames", shorts));
    }
    char gv[400];
    snprintf(gv, sizeof(gv), "%s%s%s", group, group[0] ? "/" : "", version);
    return json_pack("{s:s,s:s,s:s,s:o}", "kind", "APIResourceList", "apiVersion", "v1",
                     "groupVersion", gv, "resources", res);
}

static bool group_served(const char *group, const char *version)
{
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++)
        if (!strcmp(t->group, group) && (!version || !strcmp(t->version, version)))
            return true;
    return false;
}

void fl_api_discovery(struct fl_api *api, struct evhttp_request *req, const struct fl_route *r)
{
    struct fl_err err;
    json_t *doc = NULL;
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
        doc = json_pack("{s:s,s:[s],s:[{s:s,s:s}]}", "kind", "APIVersions", "versions", "v1",
                        "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress",
                        "127.0.0.1");
        break;
    case FL_ROUTE_APIS:
        /* Only the core group is served so far. */
        doc = json_pack("{s:s,s:s,s:[]}", "kind", "APIGroupList", "apiVersion", "v1", "groups");
        break;
    case FL_ROUTE_GROUP_VERSION:
        if (group_served(r->group, r->version))
            doc = resource_list(r->group, r->version);
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
