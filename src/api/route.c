/*
 * URL routing: see route.h. The path is split into at most MAX_SEGS
 * segments, each copied into a bounded field of the route; a segment too
 * long for its field names nothing we serve and is a 404.
 */
#include "api/route.h"

#include <stdio.h>
#include <string.h>

#define MAX_SEGS 10
#define SEG_MAX 254

struct segs {
    int n;
    char s[MAX_SEGS][SEG_MAX];
};

static int not_found(struct fl_err *err)
{
    return fl_errf(err, 404, "NotFound", "the server could not find the requested resource");
}

static int split(const char *path, struct segs *sg)
{
    sg->n = 0;
    if (path[0] != '/')
        return FL_EFAIL;
    const char *p = path + 1;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        /* An empty segment is "//"; one trailing slash ends the loop
         * before it gets here. */
        if (len == 0 || len >= SEG_MAX || sg->n == MAX_SEGS)
            return FL_EFAIL;
        memcpy(sg->s[sg->n], p, len);
        sg->s[sg->n][len] = '\0';
        sg->n++;
        p += len;
        if (*p == '/')
            p++;
    }
    return FL_OK;
}

static int copy(char *dst, size_t cap, const char *src)
{
    if (strlen(src) >= cap)
        return FL_EFAIL;
    strcpy(dst, src);
    return FL_OK;
}

/* Resolve the segments after /api/v1 or /apis/g/v. */
static int resource(struct fl_route *r, char (*s)[SEG_MAX], int n)
{
    const struct fl_rtype *t;
    r->kind = FL_ROUTE_RESOURCE;
    if (n > 0 && !strcmp(s[0], "watch")) {
        r->watch = true;
        s++;
        n--;
    }
    if (n == 0)
        return FL_EFAIL;
    /* namespaces/<ns>/<resource>[/<name>[/<sub>]] */
    if (n >= 3 && !strcmp(s[0], "namespaces") &&
        (t = fl_registry_find(r->group, r->version, s[2])) != NULL && t->namespaced) {
        r->type = t;
        if (copy(r->ns, sizeof(r->ns), s[1]) != 0 || n > 5)
            return FL_EFAIL;
        if (n >= 4 && copy(r->name, sizeof(r->name), s[3]) != 0)
            return FL_EFAIL;
        if (n == 5 && copy(r->sub, sizeof(r->sub), s[4]) != 0)
            return FL_EFAIL;
        return FL_OK;
    }
    /* <resource>[/<name>[/<sub>]]: cluster scoped, or all namespaces */
    t = fl_registry_find(r->group, r->version, s[0]);
    if (!t || n > 3 || (t->namespaced && n > 1))
        return FL_EFAIL;
    r->type = t;
    if (n >= 2 && copy(r->name, sizeof(r->name), s[1]) != 0)
        return FL_EFAIL;
    if (n == 3 && copy(r->sub, sizeof(r->sub), s[2]) != 0)
        return FL_EFAIL;
    return FL_OK;
}

int fl_route_parse(const char *path, struct fl_route *r, struct fl_err *err)
{
    struct segs sg;
    memset(r, 0, sizeof(*r));
    if (split(path, &sg) != 0 || sg.n == 0)
        return not_found(err);
    char (*s)[SEG_MAX] = sg.s;
    if (sg.n == 1 && !strcmp(s[0], "version")) {
        r->kind = FL_ROUTE_VERSION;
        return FL_OK;
    }
    if (sg.n == 1 &&
        (!strcmp(s[0], "healthz") || !strcmp(s[0], "livez") || !strcmp(s[0], "readyz"))) {
        r->kind = FL_ROUTE_HEALTH;
        return FL_OK;
    }
    if (!strcmp(s[0], "openapi") && sg.n >= 2) {
        if (sg.n == 2 && !strcmp(s[1], "v2")) {
            r->kind = FL_ROUTE_OPENAPI_V2;
            return FL_OK;
        }
        if (strcmp(s[1], "v3") != 0 || sg.n > 5)
            return not_found(err);
        r->kind = FL_ROUTE_OPENAPI_V3;
        size_t off = 0;
        for (int i = 2; i < sg.n; i++)
            off += (size_t)snprintf(r->gv_path + off, sizeof(r->gv_path) - off, "%s%s",
                                    i > 2 ? "/" : "", s[i]);
        return off < sizeof(r->gv_path) ? FL_OK : not_found(err);
    }
    if (!strcmp(s[0], "api")) {
        if (sg.n == 1) {
            r->kind = FL_ROUTE_API;
            return FL_OK;
        }
        if (strcmp(s[1], "v1") != 0)
            return not_found(err);
        strcpy(r->version, "v1");
        if (sg.n == 2) {
            r->kind = FL_ROUTE_GROUP_VERSION;
            return FL_OK;
        }
        return resource(r, s + 2, sg.n - 2) == 0 ? FL_OK : not_found(err);
    }
    if (!strcmp(s[0], "apis")) {
        if (sg.n == 1) {
            r->kind = FL_ROUTE_APIS;
            return FL_OK;
        }
        if (copy(r->group, sizeof(r->group), s[1]) != 0)
            return not_found(err);
        if (sg.n == 2) {
            r->kind = FL_ROUTE_GROUP;
            return FL_OK;
        }
        if (copy(r->version, sizeof(r->version), s[2]) != 0)
            return not_found(err);
        if (sg.n == 3) {
            r->kind = FL_ROUTE_GROUP_VERSION;
            return FL_OK;
        }
        return resource(r, s + 3, sg.n - 3) == 0 ? FL_OK : not_found(err);
    }
    return not_found(err);
}
