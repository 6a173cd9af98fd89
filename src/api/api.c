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

#include "api/crd.h"
#include "api/kinds.h"
#include "api/openapi.h"
#include "api/protobuf.h"
#include "api/status.h"
#include "api/validate.h"
#include "core/names.h"
#include "store/cont.h"

static const char *const default_namespaces[] = {"default", "kube-system", "kube-public",
                                                 "kube-node-lease"};

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

void fl_call_reply_obj(struct fl_call *c, int code, struct fl_obj *o)
{
    struct evbuffer *b = evbuffer_new();
    add_obj(b, o);
    set_json_type(c->req);
    fl_http_reply(c->api->http, c->req, code, b);
}

void fl_call_reply_err(struct fl_call *c)
{
    fl_api_reply_err(c->api, c->req, &c->err);
}

/* ---- request pieces --------------------------------------------------- */

const char *fl_call_query(struct fl_call *c, const char *k)
{
    return evhttp_find_header(&c->q, k);
}

void fl_call_key(struct fl_call *c, const char *name, char *key)
{
    const struct fl_rtype *t = c->r.type;
    fl_store_key(key, t->group, t->resource, t->namespaced ? c->r.ns : "", name);
}

/* The request body as JSON: 413 past the limit, 415 for other media types,
 * 400 when it is not one JSON object. */
json_t *fl_call_body(struct fl_call *c)
{
    static const char pb[] = "application/vnd.kubernetes.protobuf";
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    size_t len = evbuffer_get_length(in);
    if (len > FL_API_BODY_MAX) {
        fl_errf(&c->err, 413, "RequestEntityTooLarge",
                "Request entity too large: limit is %d", FL_API_BODY_MAX);
        return NULL;
    }
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(c->req), "Content-Type");
    bool protobuf = ct && !strncmp(ct, pb, sizeof(pb) - 1);
    if (ct && !protobuf && strncmp(ct, "application/json", 16) != 0 &&
        strncmp(ct, "*/*", 3) != 0) {
        fl_errf(&c->err, 415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types "
                "include: application/json, application/vnd.kubernetes.protobuf");
        return NULL;
    }
    if (len == 0) {
        fl_errf(&c->err, 400, "BadRequest", "the request body is empty");
        return NULL;
    }
    const char *bytes = (const char *)evbuffer_pullup(in, -1);
    json_t *doc = NULL;
    if (protobuf) {
        if (fl_protobuf_decode(bytes, len, &doc, &c->err) != 0)
            return NULL;
    } else {
        json_error_t jerr;
        doc = json_loadb(bytes, len, 0, &jerr);
        if (!doc) {
            fl_errf(&c->err, 400, "BadRequest",
                    "the request body is not valid JSON: %s (line %d, column %d)", jerr.text,
                    jerr.line, jerr.column);
            return NULL;
        }
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
    const char *prefix = fl_json_str(md, "generateName");
    if (fl_json_str(md, "name")[0] || !prefix[0])
        return;
    uint64_t r;
    char name[FL_NAME_GENERATED_MAX + 1];
    FL_ASSERT(getrandom(&r, sizeof(r), 0) == sizeof(r));
    fl_name_generate(prefix, r, name);
    json_object_set_new(md, "name", json_string(name));
}

/* fieldValidation: Strict refuses unknown fields (400), Warn (the default)
 * names them in Warning headers, Ignore drops nothing and says nothing. */
static int field_validation(struct fl_call *c, const json_t *doc)
{
    const char *fv = fl_call_query(c, "fieldValidation");
    if (fv && strcmp(fv, "Strict") != 0 && strcmp(fv, "Warn") != 0 && strcmp(fv, "Ignore") != 0)
        return fl_errf(&c->err, 400, "BadRequest",
                       "fieldValidation must be one of Ignore, Warn, Strict, got %s", fv);
    if (fv && !strcmp(fv, "Ignore"))
        return FL_OK;
    const struct fl_rtype *t = c->r.type;
    char found[FL_ERR_MSG_MAX - 64];
    if (fl_openapi_unknown_fields(t->group, t->version, t->kind, doc, found, sizeof(found)) == 0)
        return FL_OK;
    if (fv && !strcmp(fv, "Strict"))
        return fl_errf(&c->err, 400, "BadRequest", "strict decoding error: %s", found);
    /* One Warning header per field: `299 - "unknown field \"spec.foo\""`. */
    struct evkeyvalq *out = evhttp_request_get_output_headers(c->req);
    for (char *p = found; *p;) {
        size_t n = strcspn(p, ",");
        char warn[600], field[512];
        snprintf(field, sizeof(field), "%.*s", (int)n, p);
        size_t o = 0;
        for (const char *q = field; *q && o + 2 < sizeof(warn) - 16; q++) {
            if (*q == '"' || *q == '\\')
                warn[o++] = '\\';
            warn[o++] = *q;
        }
        warn[o] = '\0';
        char header[700];
        snprintf(header, sizeof(header), "299 - \"%s\"", warn);
        evhttp_add_header(out, "Warning", header);
        p += n;
        p += strspn(p, ", ");
    }
    return FL_OK;
}

/* Check apiVersion/kind against the endpoint (filling them when absent), the
 * namespace against the URL, then (on create) generateName, defaults and
 * validation. */
int fl_call_prepare(struct fl_call *c, json_t *doc, bool create)
{
    const struct fl_rtype *t = c->r.type;
    char av[320];
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
    if (field_validation(c, doc) != 0)
        return FL_EFAIL;
    if (create)
        generate_name(md);
    if (fl_crd_prepare(t, doc, create, &c->err) != 0) /* CRD schema: prune, default, validate */
        return FL_EFAIL;
    const struct fl_kind_hooks *h = fl_kind_hooks_find(t->group, t->kind);
    if (h && h->defaults)
        h->defaults(doc);
    if (h && create && h->prepare_create)
        h->prepare_create(doc);
    return fl_validate(t, doc, &c->err);
}

/* ---- verbs ------------------------------------------------------------ */

/* Reply with a rendered document (Table, PartialObjectMetadata[List]). */
static void reply_rendered(struct fl_call *c, enum fl_render r, bool list, json_t *doc)
{
    evhttp_add_header(evhttp_request_get_output_headers(c->req), "Content-Type",
                      fl_table_ctype(r, list));
    fl_http_reply(c->api->http, c->req, 200, json_body(doc));
    json_decref(doc);
}

static void do_get(struct fl_call *c)
{
    char key[FL_KEY_MAX];
    struct fl_obj *o = NULL;
    fl_call_key(c, c->r.name, key);
    if (fl_store_get(c->api->store, &c->res, key, &o, &c->err) != 0)
        return fl_call_reply_err(c);
    fl_crd_convert(c->r.type, &o);
    enum fl_render r = fl_table_negotiate(c->req, false);
    if (r == FL_RENDER_TABLE) {
        json_t *t = fl_table_new(c->r.type, o->rev, NULL, true);
        json_array_append_new(json_object_get(t, "rows"),
                              fl_table_row(c->r.type, o, fl_call_query(c, "includeObject")));
        reply_rendered(c, r, false, t);
    } else if (r == FL_RENDER_META) {
        reply_rendered(c, r, false, fl_table_partial(o));
    } else {
        fl_call_reply_obj(c, 200, o);
    }
    fl_obj_unref(o);
}

/* Selectors of a list, watch or deletecollection: 400 when malformed or
 * naming a field the kind does not support. */
int fl_call_filter(struct fl_call *c, struct fl_store_filter *f)
{
    memset(f, 0, sizeof(*f));
    struct fl_labelsel *ls = NULL;
    struct fl_fieldsel *fs = NULL;
    if (fl_labelsel_parse(fl_call_query(c, "labelSelector"), &ls, &c->err) != 0)
        return FL_EFAIL;
    if (fl_fieldsel_parse(fl_call_query(c, "fieldSelector"), &fs, &c->err) != 0 ||
        fl_fieldsel_check(fs, c->r.type->fields, &c->err) != 0) {
        fl_labelsel_free(ls);
        fl_fieldsel_free(fs);
        return FL_EFAIL;
    }
    f->labels = ls;
    f->fields = fs;
    return FL_OK;
}

void fl_call_filter_release(struct fl_store_filter *f)
{
    fl_labelsel_free((struct fl_labelsel *)f->labels);
    fl_fieldsel_free((struct fl_fieldsel *)f->fields);
}

void fl_call_list_prefix(struct fl_call *c, char *prefix)
{
    const struct fl_rtype *t = c->r.type;
    fl_store_key(prefix, t->group, t->resource, t->namespaced ? (c->r.ns[0] ? c->r.ns : NULL) : "",
                 NULL);
}

static int parse_limit(struct fl_call *c, size_t *limit)
{
    const char *s = fl_call_query(c, "limit");
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

/* resourceVersion and resourceVersionMatch of a list. Unset, "0" and
 * NotOlderThan all read the current state (always at least as new as asked,
 * the store being the cache); Exact reads the snapshot at that revision,
 * which is what a continue token from revision N lists, so *cont gets one
 * (new string). A revision from the future cannot be served: 504 Timeout, as
 * kube-apiserver answers once its wait runs out. */
static int list_snapshot(struct fl_call *c, char **cont)
{
    const char *rv = fl_call_query(c, "resourceVersion");
    const char *match = fl_call_query(c, "resourceVersionMatch");
    const char *token = fl_call_query(c, "continue");
    *cont = NULL;
    if (match && match[0] && strcmp(match, "Exact") != 0 && strcmp(match, "NotOlderThan") != 0)
        return fl_errf(&c->err, 400, "BadRequest",
                       "resourceVersionMatch: Unsupported value: \"%s\": supported values: "
                       "\"Exact\", \"NotOlderThan\"",
                       match);
    if (match && match[0] && (!rv || !rv[0]))
        return fl_errf(&c->err, 400, "BadRequest",
                       "resourceVersionMatch is forbidden unless resourceVersion is provided");
    if (!rv || !rv[0])
        return FL_OK;
    if (token && token[0])
        return fl_errf(&c->err, 400, "BadRequest",
                       "specifying resource version is not allowed when using continue");
    char *end;
    unsigned long long n = strtoull(rv, &end, 10);
    if (*end)
        return fl_errf(&c->err, 400, "BadRequest", "invalid resourceVersion %s", rv);
    if (n > fl_store_rev(c->api->store))
        return fl_errf(&c->err, 504, "Timeout",
                       "Too large resource version: %llu, current: %llu", n,
                       (unsigned long long)fl_store_rev(c->api->store));
    if (match && !strcmp(match, "Exact")) {
        if (n == 0)
            return fl_errf(&c->err, 400, "BadRequest",
                           "resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"");
        *cont = fl_cont_encode(n, "");
    }
    return FL_OK;
}

static void do_list(struct fl_call *c)
{
    char prefix[FL_KEY_MAX];
    struct fl_store_filter f;
    struct fl_store_list l;
    size_t limit;
    char *cont = NULL;
    if (parse_limit(c, &limit) != 0 || list_snapshot(c, &cont) != 0 ||
        fl_call_filter(c, &f) != 0) {
        free(cont);
        return fl_call_reply_err(c);
    }
    fl_call_list_prefix(c, prefix);
    int rc = fl_store_list(c->api->store, prefix, &f, limit,
                           cont ? cont : fl_call_query(c, "continue"), &l, &c->err);
    fl_call_filter_release(&f);
    for (size_t i = 0; rc == 0 && i < l.n; i++)
        fl_crd_convert(c->r.type, &l.items[i]);
    if (rc != 0 && cont && c->err.code == 410)
        fl_errf(&c->err, 410, "Expired", "too old resource version: %s",
                fl_call_query(c, "resourceVersion"));
    free(cont);
    if (rc != 0)
        return fl_call_reply_err(c);

    enum fl_render r = fl_table_negotiate(c->req, true);
    if (r != FL_RENDER_JSON) {
        json_t *doc;
        if (r == FL_RENDER_TABLE) {
            doc = fl_table_new(c->r.type, l.rev, l.cont, true);
            const char *inc = fl_call_query(c, "includeObject");
            for (size_t i = 0; i < l.n; i++)
                json_array_append_new(json_object_get(doc, "rows"),
                                      fl_table_row(c->r.type, l.items[i], inc));
        } else {
            char rv[24];
            snprintf(rv, sizeof(rv), "%llu", (unsigned long long)l.rev);
            doc = json_pack("{s:s,s:s,s:{s:s},s:[]}", "kind", "PartialObjectMetadataList",
                            "apiVersion", "meta.k8s.io/v1", "metadata", "resourceVersion", rv,
                            "items");
            if (l.cont)
                json_object_set_new(json_object_get(doc, "metadata"), "continue",
                                    json_string(l.cont));
            for (size_t i = 0; i < l.n; i++)
                json_array_append_new(json_object_get(doc, "items"),
                                      fl_table_partial(l.items[i]));
        }
        fl_store_list_release(&l);
        return reply_rendered(c, r, true, doc);
    }

    /* Items are the objects' cached bytes, joined: the list is never re-encoded. */
    char av[320], head[512];
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

/* A boolean query parameter, as Go's strconv.ParseBool reads it ("True",
 * "t", "1", ...): the Python client sends watch=True. */
static bool is_true(const char *v)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    for (size_t i = 0; v && i < FL_ARRAY_LEN(yes); i++)
        if (!strcmp(v, yes[i]))
            return true;
    return false;
}

static void do_watch(struct fl_call *c)
{
    char prefix[FL_KEY_MAX];
    struct fl_store_filter f;
    const char *ts = fl_call_query(c, "timeoutSeconds");
    long timeout = 0;
    if (ts && ts[0]) {
        char *end;
        timeout = strtol(ts, &end, 10);
        if (*end || timeout < 0) {
            fl_errf(&c->err, 400, "BadRequest", "invalid timeoutSeconds %s", ts);
            return fl_call_reply_err(c);
        }
    }
    if (fl_call_filter(c, &f) != 0)
        return fl_call_reply_err(c);
    if (c->r.name[0]) { /* /watch/.../name: a watch of one object */
        char key[FL_KEY_MAX];
        fl_call_key(c, c->r.name, key);
        snprintf(prefix, sizeof(prefix), "%s", key);
    } else {
        fl_call_list_prefix(c, prefix);
    }
    const char *bm = fl_call_query(c, "allowWatchBookmarks");
    struct fl_watch_render how = {c->r.type, fl_table_negotiate(c->req, true),
                                  fl_call_query(c, "includeObject")};
    fl_api_watch(c->api, c->req, prefix, &f, fl_call_query(c, "resourceVersion"), timeout,
                 is_true(bm), &how);
}

/* GET of a computed type: the extension answers (JSON only). */
static void do_computed(struct fl_call *c)
{
    struct fl_store_filter f;
    json_t *out = NULL;
    if (evhttp_request_get_command(c->req) != EVHTTP_REQ_GET || c->r.watch ||
        is_true(fl_call_query(c, "watch")) || c->r.sub[0]) {
        fl_errf(&c->err, 405, "MethodNotAllowed",
                "the server does not allow this method on the requested resource");
        return fl_call_reply_err(c);
    }
    if (!c->api->ext.get) {
        fl_errf(&c->err, 503, "ServiceUnavailable", "the server is currently unable to handle the request");
        return fl_call_reply_err(c);
    }
    if (fl_call_filter(c, &f) != 0)
        return fl_call_reply_err(c);
    int rc = c->api->ext.get(c->api->ext.ctx, c->r.type, c->r.ns, c->r.name, f.labels, &out,
                             &c->err);
    fl_call_filter_release(&f);
    if (rc != 0)
        return fl_call_reply_err(c);
    fl_api_reply_json(c->api, c->req, 200, out);
    json_decref(out);
}

/* GET of a subresource only the extension knows (pods/log). */
static void do_ext_sub(struct fl_call *c)
{
    struct evbuffer *b = evbuffer_new();
    FL_ASSERT(b != NULL);
    if (c->api->ext.get_sub(c->api->ext.ctx, c->r.type, c->r.ns, c->r.name, c->r.sub, &c->q, b,
                            &c->err) != 0) {
        evbuffer_free(b);
        return fl_call_reply_err(c);
    }
    evhttp_add_header(evhttp_request_get_output_headers(c->req), "Content-Type",
                      "text/plain");
    fl_http_reply(c->api->http, c->req, 200, b);
}

static void dispatch(struct fl_call *c)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(c->req);
    const struct fl_rtype *t = c->r.type;
    if (t->computed)
        return do_computed(c);
    if (c->r.sub[0] && c->r.name[0] && m == EVHTTP_REQ_GET && c->api->ext.get_sub &&
        strcmp(c->r.sub, "status") != 0 && strcmp(c->r.sub, "scale") != 0)
        return do_ext_sub(c);
    const char *dry = fl_call_query(c, "dryRun");
    if (dry && strcmp(dry, "All") != 0) {
        fl_errf(&c->err, 400, "BadRequest", "Invalid dryRun value: %s (only \"All\" is supported)",
                dry);
        return fl_call_reply_err(c);
    }
    c->res = (struct fl_store_res){t->group, t->resource, dry != NULL, t->generation};
    if (c->r.sub[0] && !(t->status && !strcmp(c->r.sub, "status")) &&
        !(t->scale && !strcmp(c->r.sub, "scale"))) {
        fl_errf(&c->err, 404, "NotFound", "the server could not find the requested resource");
        return fl_call_reply_err(c);
    }
    bool collection = c->r.name[0] == '\0';
    /* /api/v1/configmaps (all namespaces) only lists and watches. */
    bool all_namespaces = t->namespaced && !c->r.ns[0];
    if (c->r.watch || (m == EVHTTP_REQ_GET && is_true(fl_call_query(c, "watch"))))
        return m == EVHTTP_REQ_GET ? do_watch(c) : (void)0;
    if (all_namespaces && m != EVHTTP_REQ_GET)
        m = EVHTTP_REQ_OPTIONS; /* falls through to 405 */
    switch (m) {
    case EVHTTP_REQ_GET:
        if (c->r.sub[0])
            return fl_write_get_sub(c);
        return collection ? do_list(c) : do_get(c);
    case EVHTTP_REQ_POST:
        if (collection)
            return fl_write_create(c);
        break;
    case EVHTTP_REQ_PUT:
        if (!collection)
            return fl_write_update(c);
        break;
    case EVHTTP_REQ_PATCH:
        if (!collection)
            return fl_write_patch(c);
        break;
    case EVHTTP_REQ_DELETE:
        return collection ? fl_write_delete_collection(c) : fl_write_delete(c);
    default:
        break;
    }
    fl_errf(&c->err, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    fl_call_reply_err(c);
}

static void handle(struct evhttp_request *req, void *ctx)
{
    struct fl_call c = {.api = ctx, .req = req};
    TAILQ_INIT(&c.q);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *qs = uri ? evhttp_uri_get_query(uri) : NULL;
    if (!path || (qs && evhttp_parse_query_str(qs, &c.q) != 0)) {
        fl_errf(&c.err, 400, "BadRequest", "malformed request URI");
        fl_call_reply_err(&c);
        goto out;
    }
    if (fl_route_parse(path, &c.r, &c.err) != 0) {
        fl_call_reply_err(&c);
        goto out;
    }
    if (c.r.kind == FL_ROUTE_RESOURCE) {
        /* Watches (legacy path or ?watch) take over the request; a watch
         * with a bad method falls through to 405 here. */
        if (c.r.watch && evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
            fl_errf(&c.err, 405, "MethodNotAllowed", "watch requires GET");
            fl_call_reply_err(&c);
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
    struct fl_store_res res = {"", "namespaces", false};
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
        fl_kind_hooks_find("", "Namespace")->defaults(doc);
        int rc = fl_store_create(api->store, &res, key, doc, NULL, err);
        json_decref(doc);
        if (rc != 0)
            return FL_EFAIL;
    }
    fl_err_clear(err);
    return FL_OK;
}

int fl_api_new_opts(struct event_base *base, struct fl_store *store,
                    const struct fl_api_opts *o, struct fl_api **out, struct fl_err *err)
{
    struct fl_api *api = fl_xcalloc(1, sizeof(*api));
    api->base = base;
    api->store = store;
    api->crds = !o->no_crds;
    LIST_INIT(&api->streams);
    if (ensure_namespaces(api, err) != 0 ||
        (api->crds && fl_crd_start(base, store, err) != 0)) {
        fl_api_free(api);
        return FL_EFAIL;
    }
    *out = api;
    return FL_OK;
}

int fl_api_new(struct event_base *base, struct fl_store *store, struct fl_api **out,
               struct fl_err *err)
{
    return fl_api_new_opts(base, store, &(struct fl_api_opts){0}, out, err);
}

int fl_api_listen_sec(struct fl_api *api, const char *addr, const struct fl_http_sec *sec,
                      struct fl_err *err)
{
    if (fl_http_listen_sec(api->base, addr, sec, handle, api, &api->http, err) != 0)
        return FL_EFAIL;
    /* The port actually bound, so a relisten keeps it. */
    const char *colon = strrchr(addr, ':');
    snprintf(api->addr, sizeof(api->addr), "%.*s:%d", (int)(colon - addr), addr,
             fl_http_port(api->http));
    if (sec && sec->tls) {
        SSL_CTX_up_ref(sec->tls);
        api->tls = sec->tls;
    }
    api->auth = sec ? sec->auth : NULL;
    return FL_OK;
}

void fl_api_unlisten(struct fl_api *api)
{
    fl_api_watch_free_all(api);
    fl_http_free(api->http);
    api->http = NULL;
}

int fl_api_relisten(struct fl_api *api, struct fl_err *err)
{
    if (api->http)
        return FL_OK;
    if (!api->addr[0])
        return fl_errf(err, 500, "InternalError", "the API never listened");
    struct fl_http_sec sec = {api->tls, api->auth};
    if (fl_http_listen_sec(api->base, api->addr, &sec, handle, api, &api->http, err) != 0) {
        err->code = 409;
        return FL_EFAIL;
    }
    fl_http_set_delay(api->http, api->delay_ms);
    return FL_OK;
}

void fl_api_set_delay(struct fl_api *api, uint32_t ms)
{
    api->delay_ms = ms;
    if (api->http)
        fl_http_set_delay(api->http, ms);
}

void fl_api_set_ext(struct fl_api *api, const struct fl_api_ext *ext)
{
    api->ext = *ext;
}

int fl_api_port(const struct fl_api *api)
{
    if (!api->http) { /* unlistened: the port it will listen on again */
        const char *colon = strrchr(api->addr, ':');
        return colon ? atoi(colon + 1) : 0;
    }
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
    if (api->crds)
        fl_crd_stop();
    fl_api_watch_free_all(api);
    fl_http_free(api->http);
    SSL_CTX_free(api->tls);
    free(api->dirty);
    free(api);
}
