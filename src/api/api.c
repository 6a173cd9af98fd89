/*
 * Request handling: route the request, check and decode the body, call the
 * store, queue the reply. Every error becomes a metav1.Status through
 * fl_api_reply_err; nothing is written to the store unless the request was
 * valid as a whole.
 */
#include "api/api_int.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/status.h"
#include "api/validate.h"

static const char *const default_namespaces[] = {"default", "kube-system", "kube-public",
                                                 "kube-node-lease"};

/* What one request is about. */
struct call {
    struct fl_api *api;
    struct evhttp_request *req;
    struct fl_route r;
    struct evkeyvalq q;
    struct fl_store_res res;
    struct fl_err err;
};

/* ---- replies ---------------------------------------------------------- */

static void free_cb(const void *data, size_t len, void *p)
{
    free(p);
}

static struct evbuffer *json_body(json_t *body)
{
    struct evbuffer *b = evbuffer_new();
    char *s = json_dumps(body, JSON_COMPACT);
    FL_ASSERT(b && s);
    evbuffer_add_reference(b, s, strlen(s), free_cb, s);
    return b;
}

static void set_json_type(struct evhttp_request *req)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json");
}

void fl_api_reply_json(struct fl_api *api, struct evhttp_request *req, int code, json_t *body)
{
    set_json_type(req);
    fl_http_reply(api->http, req, code, json_body(body));
}

void fl_api_reply_err(struct fl_api *api, struct evhttp_request *req, const struct fl_err *err)
{
    json_t *st = fl_status_json(err);
    fl_api_reply_json(api, req, err->code ? err->code : 500, st);
    json_decref(st);
}

/* Objects are sent as their cached bytes: no encoding on the read path. */
static void obj_unref_cb(const void *data, size_t len, void *o)
{
    fl_obj_unref(o);
}

static void add_obj(struct evbuffer *b, struct fl_obj *o)
{
    evbuffer_add_reference(b, o->bytes, o->len, obj_unref_cb, fl_obj_ref(o));
}

static void reply_obj(struct call *c, int code, struct fl_obj *o)
{
    struct evbuffer *b = evbuffer_new();
    add_obj(b, o);
    set_json_type(c->req);
    fl_http_reply(c->api->http, c->req, code, b);
}

static void reply_err(struct call *c)
{
    fl_api_reply_err(c->api, c->req, &c->err);
}

/* ---- request pieces --------------------------------------------------- */

static const char *query(struct call *c, const char *k)
{
    return evhttp_find_header(&c->q, k);
}

static void key_of(struct call *c, const char *name, char *key)
{
    const struct fl_rtype *t = c->r.type;
    fl_store_key(key, t->group, t->resource, t->namespaced ? c->r.ns : "", name);
}

/* The request body as JSON: 413 past the limit, 415 for other media types,
 * 400 when it is not one JSON object. */
static json_t *read_body(struct call *c)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    size_t len = evbuffer_get_length(in);
    if (len > FL_API_BODY_MAX) {
        fl_errf(&c->err, 413, "RequestEntityTooLarge",
                "Request entity too large: limit is %d", FL_API_BODY_MAX);
        return NULL;
    }
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(c->req), "Content-Type");
    if (ct && strncmp(ct, "application/json", 16) != 0 && strncmp(ct, "*/*", 3) != 0) {
        fl_errf(&c->err, 415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types "
                "include: application/json");
        return NULL;
    }
    if (len == 0) {
        fl_errf(&c->err, 400, "BadRequest", "the request body is empty");
        return NULL;
    }
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)evbuffer_pullup(in, -1), len, 0, &jerr);
    if (!doc) {
        fl_errf(&c->err, 400, "BadRequest", "the request body is not valid JSON: %s (line %d, column %d)",
                jerr.text, jerr.line, jerr.column);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        fl_errf(&c->err, 400, "BadRequest", "the request body must be a JSON object");
        return NULL;
    }
    return doc;
}

/* generateName: the prefix plus five random characters, as upstream. */
static void generate_name(json_t *md)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    const char *prefix = fl_json_str(md, "generateName");
    if (fl_json_str(md, "name")[0] || !prefix[0])
        return;
    unsigned char r[5];
    char name[260];
    FL_ASSERT(getrandom(r, sizeof(r), 0) == sizeof(r));
    snprintf(name, sizeof(name), "%.*s", 248, prefix);
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof(r); i++)
        name[n + i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
    name[n + sizeof(r)] = '\0';
    json_object_set_new(md, "name", json_string(name));
}

/* Check apiVersion/kind against the endpoint (filling them when absent), the
 * namespace against the URL, then (on create) generateName, defaults and
 * validation. */
static int prepare(struct call *c, json_t *doc, bool create)
{
    const struct fl_rtype *t = c->r.type;
    char av[128];
    fl_rtype_api_version(t, av, sizeof(av));
    json_t *jav = json_object_get(doc, "apiVersion"), *jkind = json_object_get(doc, "kind");
    if ((jav && !json_is_string(jav)) || (jkind && !json_is_string(jkind)))
        return fl_errf(&c->err, 400, "BadRequest", "apiVersion and kind must be strings");
    if (jav && strcmp(json_string_value(jav), av) != 0)
        return fl_errf(&c->err, 400, "BadRequest",
                       "the API version in the data (%s) does not match the expected API "
                       "version (%s)",
                       json_string_value(jav), av);
    if (jkind && strcmp(json_string_value(jkind), t->kind) != 0)
        return fl_errf(&c->err, 400, "BadRequest",
                       "the kind in the data (%s) does not match the expected kind (%s)",
                       json_string_value(jkind), t->kind);
    json_object_set_new(doc, "apiVersion", json_string(av));
    json_object_set_new(doc, "kind", json_string(t->kind));
    json_t *md = json_object_get(doc, "metadata");
    if (md && !json_is_object(md))
        return fl_errf(&c->err, 400, "BadRequest", "metadata must be an object");
    md = fl_json_metadata(doc);
    json_t *jns = json_object_get(md, "namespace");
    if (jns && !json_is_string(jns))
        return fl_errf(&c->err, 400, "BadRequest", "metadata.namespace must be a string");
    if (t->namespaced) {
        const char *ns = json_string_value(jns);
        if (ns && ns[0] && strcmp(ns, c->r.ns) != 0)
            return fl_errf(&c->err, 400, "BadRequest",
                           "the namespace of the provided object does not match the namespace "
                           "sent on the request");
        json_object_set_new(md, "namespace", json_string(c->r.ns));
    } else {
        json_object_del(md, "namespace");
    }
    /* ObjectMeta's string fields: anything else is a decoding error upstream. */
    static const char *const strings[] = {"name", "generateName", "resourceVersion", "uid",
                                          "creationTimestamp", "deletionTimestamp"};
    for (size_t i = 0; i < FL_ARRAY_LEN(strings); i++) {
        json_t *v = json_object_get(md, strings[i]);
        if (v && !json_is_string(v) && !json_is_null(v))
            return fl_errf(&c->err, 400, "BadRequest", "metadata.%s must be a string",
                           strings[i]);
        if (json_is_null(v))
            json_object_del(md, strings[i]);
    }
    if (create)
        generate_name(md);
    if (t->defaults)
        t->defaults(doc);
    return fl_validate(t, doc, &c->err);
}

/* Namespaced objects can only be created in an existing namespace. */
static int namespace_exists(struct call *c)
{
    if (!c->r.type->namespaced)
        return FL_OK;
    char key[FL_KEY_MAX];
    fl_store_key(key, "", "namespaces", "", c->r.ns);
    struct fl_store_res nsres = {"", "namespaces"};
    struct fl_obj *o = NULL;
    if (fl_store_get(c->api->store, &nsres, key, &o, &c->err) != 0)
        return FL_EFAIL;
    fl_obj_unref(o);
    return FL_OK;
}

/* ---- verbs ------------------------------------------------------------ */

static void do_get(struct call *c)
{
    char key[FL_KEY_MAX];
    struct fl_obj *o = NULL;
    key_of(c, c->r.name, key);
    if (fl_store_get(c->api->store, &c->res, key, &o, &c->err) != 0)
        return reply_err(c);
    reply_obj(c, 200, o);
    fl_obj_unref(o);
}

static void do_create(struct call *c)
{
    char key[FL_KEY_MAX];
    struct fl_obj *o = NULL;
    json_t *doc = read_body(c);
    if (!doc)
        return reply_err(c);
    if (prepare(c, doc, true) != 0 || namespace_exists(c) != 0)
        goto out;
    key_of(c, fl_json_str(fl_json_metadata(doc), "name"), key);
    if (fl_store_create(c->api->store, &c->res, key, doc, &o, &c->err) != 0)
        goto out;
    reply_obj(c, 201, o);
    fl_obj_unref(o);
    json_decref(doc);
    return;
out:
    json_decref(doc);
    reply_err(c);
}

static void do_update(struct call *c)
{
    char key[FL_KEY_MAX];
    struct fl_obj *o = NULL;
    bool deleted;
    json_t *doc = read_body(c);
    if (!doc)
        return reply_err(c);
    if (prepare(c, doc, false) != 0)
        goto out;
    const char *name = fl_json_str(fl_json_metadata(doc), "name");
    if (strcmp(name, c->r.name) != 0) {
        fl_errf(&c->err, 400, "BadRequest",
                "the name of the object (%s) does not match the name on the URL (%s)", name,
                c->r.name);
        goto out;
    }
    key_of(c, name, key);
    if (fl_store_update(c->api->store, &c->res, key, doc, &o, &deleted, &c->err) != 0)
        goto out;
    reply_obj(c, 200, o);
    fl_obj_unref(o);
    json_decref(doc);
    return;
out:
    json_decref(doc);
    reply_err(c);
}

/* DeleteOptions.preconditions from an optional body. */
static int delete_options(struct call *c, struct fl_store_precond *pre, char *uid, size_t uidlen)
{
    memset(pre, 0, sizeof(*pre));
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    if (evbuffer_get_length(in) == 0)
        return FL_OK;
    json_t *doc = read_body(c);
    if (!doc)
        return FL_EFAIL;
    json_t *p = json_object_get(doc, "preconditions");
    json_t *juid = json_object_get(p, "uid"), *jrv = json_object_get(p, "resourceVersion");
    if ((p && !json_is_object(p) && !json_is_null(p)) || (juid && !json_is_string(juid)) ||
        (jrv && !json_is_string(jrv))) {
        json_decref(doc);
        return fl_errf(&c->err, 400, "BadRequest",
                       "preconditions must be an object with string uid and resourceVersion");
    }
    snprintf(uid, uidlen, "%s", fl_json_str(p, "uid"));
    pre->uid = uid;
    const char *rv = fl_json_str(p, "resourceVersion");
    int rc = FL_OK;
    if (rv[0]) {
        char *end;
        pre->rev = strtoull(rv, &end, 10);
        if (*end || pre->rev == 0)
            rc = fl_errf(&c->err, 400, "BadRequest", "invalid resourceVersion precondition %s",
                         rv);
    }
    json_decref(doc);
    return rc;
}

/* Delete what a namespace holds, then the namespace (until a namespace
 * controller exists, deletion is immediate). */
static int delete_namespace_contents(struct call *c, const char *ns)
{
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        if (!t->namespaced)
            continue;
        char prefix[FL_KEY_MAX];
        struct fl_store_list l;
        struct fl_store_res res = {t->group, t->resource};
        fl_store_key(prefix, t->group, t->resource, ns, NULL);
        if (fl_store_list(c->api->store, prefix, NULL, 0, NULL, &l, &c->err) != 0)
            return FL_EFAIL;
        for (size_t j = 0; j < l.n; j++) {
            bool deleted;
            if (fl_store_delete(c->api->store, &res, l.items[j]->key, NULL, NULL, &deleted,
                                &c->err) != 0) {
                fl_store_list_release(&l);
                return FL_EFAIL;
            }
        }
        fl_store_list_release(&l);
    }
    return FL_OK;
}

static void do_delete(struct call *c)
{
    char key[FL_KEY_MAX], uid[64];
    struct fl_store_precond pre;
    struct fl_obj *o = NULL;
    bool deleted;
    if (delete_options(c, &pre, uid, sizeof(uid)) != 0)
        return reply_err(c);
    key_of(c, c->r.name, key);
    if (!strcmp(c->r.type->resource, "namespaces")) {
        struct fl_obj *cur = NULL;
        if (fl_store_get(c->api->store, &c->res, key, &cur, &c->err) != 0)
            return reply_err(c);
        fl_obj_unref(cur);
        if (delete_namespace_contents(c, c->r.name) != 0)
            return reply_err(c);
    }
    if (fl_store_delete(c->api->store, &c->res, key, &pre, &o, &deleted, &c->err) != 0)
        return reply_err(c);
    if (deleted) {
        json_t *st = fl_status_success(c->r.type->group, c->r.type->resource, c->r.name,
                                       fl_obj_meta(o)->uid);
        fl_api_reply_json(c->api, c->req, 200, st);
        json_decref(st);
    } else {
        reply_obj(c, 200, o);
    }
    fl_obj_unref(o);
}

/* Selectors of a list, watch or deletecollection: 400 when malformed or
 * naming a field the kind does not support. */
static int filter_of(struct call *c, struct fl_store_filter *f)
{
    memset(f, 0, sizeof(*f));
    struct fl_labelsel *ls = NULL;
    struct fl_fieldsel *fs = NULL;
    if (fl_labelsel_parse(query(c, "labelSelector"), &ls, &c->err) != 0)
        return FL_EFAIL;
    if (fl_fieldsel_parse(query(c, "fieldSelector"), &fs, &c->err) != 0 ||
        fl_fieldsel_check(fs, c->r.type->fields, &c->err) != 0) {
        fl_labelsel_free(ls);
        fl_fieldsel_free(fs);
        return FL_EFAIL;
    }
    f->labels = ls;
    f->fields = fs;
    f->field = c->r.type->field;
    return FL_OK;
}

static void filter_release(struct fl_store_filter *f)
{
    fl_labelsel_free((struct fl_labelsel *)f->labels);
    fl_fieldsel_free((struct fl_fieldsel *)f->fields);
}

static void list_prefix(struct call *c, char *prefix)
{
    const struct fl_rtype *t = c->r.type;
    fl_store_key(prefix, t->group, t->resource, t->namespaced ? (c->r.ns[0] ? c->r.ns : NULL) : "",
                 NULL);
}

static int parse_limit(struct call *c, size_t *limit)
{
    const char *s = query(c, "limit");
    *limit = 0;
    if (!s || !s[0])
        return FL_OK;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0)
        return fl_errf(&c->err, 400, "BadRequest", "invalid limit %s: must be a non-negative integer", s);
    *limit = (size_t)v;
    return FL_OK;
}

static void do_list(struct call *c)
{
    char prefix[FL_KEY_MAX];
    struct fl_store_filter f;
    struct fl_store_list l;
    size_t limit;
    if (parse_limit(c, &limit) != 0 || filter_of(c, &f) != 0)
        return reply_err(c);
    list_prefix(c, prefix);
    int rc = fl_store_list(c->api->store, prefix, &f, limit, query(c, "continue"), &l, &c->err);
    filter_release(&f);
    if (rc != 0)
        return reply_err(c);

    /* Items are the objects' cached bytes, joined: the list is never re-encoded. */
    char av[128], head[512];
    fl_rtype_api_version(c->r.type, av, sizeof(av));
    struct evbuffer *b = evbuffer_new();
    int n = snprintf(head, sizeof(head),
                     "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"%llu\"",
                     c->r.type->list_kind, av, (unsigned long long)l.rev);
    evbuffer_add(b, head, (size_t)n);
    if (l.cont)
        evbuffer_add_printf(b, ",\"continue\":\"%s\"", l.cont);
    evbuffer_add(b, "},\"items\":[", 11);
    /* One contiguous copy: cheaper to build and to write than a chain per
     * item (10,000 references mean 20,000 small chains and as many iovecs). */
    size_t total = 2 + l.n;
    for (size_t i = 0; i < l.n; i++)
        total += l.items[i]->len;
    evbuffer_expand(b, total);
    for (size_t i = 0; i < l.n; i++) {
        if (i)
            evbuffer_add(b, ",", 1);
        evbuffer_add(b, l.items[i]->bytes, l.items[i]->len);
    }
    evbuffer_add(b, "]}", 2);
    fl_store_list_release(&l);
    set_json_type(c->req);
    fl_http_reply(c->api->http, c->req, 200, b);
}

static void do_delete_collection(struct call *c)
{
    char prefix[FL_KEY_MAX];
    struct fl_store_filter f;
    struct fl_store_list l;
    if (filter_of(c, &f) != 0)
        return reply_err(c);
    list_prefix(c, prefix);
    int rc = fl_store_list(c->api->store, prefix, &f, 0, NULL, &l, &c->err);
    filter_release(&f);
    if (rc != 0)
        return reply_err(c);
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        bool deleted;
        rc = fl_store_delete(c->api->store, &c->res, l.items[i]->key, NULL, NULL, &deleted,
                             &c->err);
    }
    fl_store_list_release(&l);
    if (rc != 0)
        return reply_err(c);
    json_t *st = json_pack("{s:s,s:s,s:{},s:s}", "kind", "Status", "apiVersion", "v1", "metadata",
                           "status", "Success");
    fl_api_reply_json(c->api, c->req, 200, st);
    json_decref(st);
}

static void do_watch(struct call *c)
{
    char prefix[FL_KEY_MAX];
    struct fl_store_filter f;
    const char *ts = query(c, "timeoutSeconds");
    long timeout = 0;
    if (ts && ts[0]) {
        char *end;
        timeout = strtol(ts, &end, 10);
        if (*end || timeout < 0) {
            fl_errf(&c->err, 400, "BadRequest", "invalid timeoutSeconds %s", ts);
            return reply_err(c);
        }
    }
    if (filter_of(c, &f) != 0)
        return reply_err(c);
    if (c->r.name[0]) { /* /watch/.../name: a watch of one object */
        char key[FL_KEY_MAX];
        key_of(c, c->r.name, key);
        snprintf(prefix, sizeof(prefix), "%s", key);
    } else {
        list_prefix(c, prefix);
    }
    const char *bm = query(c, "allowWatchBookmarks");
    fl_api_watch(c->api, c->req, prefix, &f, query(c, "resourceVersion"), timeout,
                 bm && !strcmp(bm, "true"));
}

static bool is_true(const char *v)
{
    return v && (!strcmp(v, "true") || !strcmp(v, "1"));
}

static void dispatch(struct call *c)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(c->req);
    const struct fl_rtype *t = c->r.type;
    c->res = (struct fl_store_res){t->group, t->resource};
    if (c->r.sub[0]) {
        fl_errf(&c->err, 404, "NotFound", "the server could not find the requested resource");
        return reply_err(c);
    }
    bool collection = c->r.name[0] == '\0';
    /* /api/v1/configmaps (all namespaces) only lists and watches. */
    bool all_namespaces = t->namespaced && !c->r.ns[0];
    if (c->r.watch || (m == EVHTTP_REQ_GET && is_true(query(c, "watch"))))
        return m == EVHTTP_REQ_GET ? do_watch(c) : (void)0;
    if (all_namespaces && m != EVHTTP_REQ_GET)
        m = EVHTTP_REQ_OPTIONS; /* falls through to 405 */
    switch (m) {
    case EVHTTP_REQ_GET:
        return collection ? do_list(c) : do_get(c);
    case EVHTTP_REQ_POST:
        if (collection)
            return do_create(c);
        break;
    case EVHTTP_REQ_PUT:
        if (!collection)
            return do_update(c);
        break;
    case EVHTTP_REQ_DELETE:
        return collection ? do_delete_collection(c) : do_delete(c);
    default:
        break;
    }
    fl_errf(&c->err, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    reply_err(c);
}

static void handle(struct evhttp_request *req, void *ctx)
{
    struct call c = {.api = ctx, .req = req};
    TAILQ_INIT(&c.q);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *qs = uri ? evhttp_uri_get_query(uri) : NULL;
    if (!path || (qs && evhttp_parse_query_str(qs, &c.q) != 0)) {
        fl_errf(&c.err, 400, "BadRequest", "malformed request URI");
        reply_err(&c);
        goto out;
    }
    if (fl_route_parse(path, &c.r, &c.err) != 0) {
        reply_err(&c);
        goto out;
    }
    if (c.r.kind == FL_ROUTE_RESOURCE) {
        /* Watches (legacy path or ?watch) take over the request; a watch
         * with a bad method falls through to 405 here. */
        if (c.r.watch && evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
            fl_errf(&c.err, 405, "MethodNotAllowed", "watch requires GET");
            reply_err(&c);
        } else {
            dispatch(&c);
        }
    } else {
        fl_api_discovery(c.api, req, &c.r);
    }
out:
    evhttp_clear_headers(&c.q);
}

/* ---- lifecycle -------------------------------------------------------- */

static int ensure_namespaces(struct fl_api *api, struct fl_err *err)
{
    struct fl_store_res res = {"", "namespaces"};
    for (size_t i = 0; i < FL_ARRAY_LEN(default_namespaces); i++) {
        char key[FL_KEY_MAX];
        struct fl_obj *o = NULL;
        fl_store_key(key, "", "namespaces", "", default_namespaces[i]);
        if (fl_store_get(api->store, &res, key, &o, err) == 0) {
            fl_obj_unref(o);
            continue;
        }
        json_t *doc = json_pack("{s:s,s:s,s:{s:s}}", "apiVersion", "v1", "kind", "Namespace",
                                "metadata", "name", default_namespaces[i]);
        fl_registry_find("", "v1", "namespaces")->defaults(doc);
        int rc = fl_store_create(api->store, &res, key, doc, NULL, err);
        json_decref(doc);
        if (rc != 0)
            return FL_EFAIL;
    }
    fl_err_clear(err);
    return FL_OK;
}

int fl_api_new(struct event_base *base, struct fl_store *store, struct fl_api **out,
               struct fl_err *err)
{
    struct fl_api *api = fl_xcalloc(1, sizeof(*api));
    api->base = base;
    api->store = store;
    LIST_INIT(&api->streams);
    if (ensure_namespaces(api, err) != 0) {
        fl_api_free(api);
        return FL_EFAIL;
    }
    *out = api;
    return FL_OK;
}

int fl_api_listen(struct fl_api *api, const char *addr, struct fl_err *err)
{
    return fl_http_listen(api->base, addr, handle, api, &api->http, err);
}

int fl_api_port(const struct fl_api *api)
{
    return fl_http_port(api->http);
}

void fl_api_before_sleep(void *arg)
{
    struct fl_api *api = arg;
    struct fl_err err;
    if (fl_store_commit(api->store, &err) != 0) {
        fprintf(stderr, "flotilla: store commit failed, exiting without acknowledging: %s\n",
                err.message);
        exit(70);
    }
    if (api->http)
        fl_http_flush(api->http);
    fl_api_watch_flush(api);
}

void fl_api_free(struct fl_api *api)
{
    if (!api)
        return;
    fl_api_watch_free_all(api);
    fl_http_free(api->http);
    free(api->dirty);
    free(api);
}
