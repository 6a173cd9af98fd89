/*
 * The write verbs: create, update (PUT), patch, delete and deletecollection,
 * on objects and on their status and scale subresources. Every update goes
 * the same way: the complete new object is built (from the body, a patch of
 * the current object, or the current object with a new status or replica
 * count), checked and defaulted by fl_call_prepare, then handed to the store
 * (with the resourceVersion the client sent, if any, as precondition).
 *
 * Status subresources: a type with one ignores status in writes to the main
 * resource, and writes to /status change nothing but status.
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/clusterip.h"
#include "api/openapi.h"
#include "api/patch.h"
#include "api/registry.h"
#include "api/status.h"

/* ---- helpers ------------------------------------------------------------ */

/* Namespaced objects can only be created in an existing namespace. */
static int namespace_exists(struct fl_call *c)
{
    if (!c->r.type->namespaced)
        return FL_OK;
    char key[FL_KEY_MAX];
    fl_store_key(key, "", "namespaces", "", c->r.ns);
    struct fl_store_res nsres = {"", "namespaces", false};
    struct fl_obj *o = NULL;
    if (fl_store_get(c->api->store, &nsres, key, &o, &c->err) != 0)
        return FL_EFAIL;
    fl_obj_unref(o);
    return FL_OK;
}

/* The current object at the call's name, parsed: new references. */
static int current(struct fl_call *c, struct fl_obj **o, json_t **doc)
{
    char key[FL_KEY_MAX];
    fl_call_key(c, c->r.name, key);
    if (fl_store_get(c->api->store, &c->res, key, o, &c->err) != 0)
        return FL_EFAIL;
    *doc = fl_obj_json(*o);
    if (!*doc) {
        fl_obj_unref(*o);
        *o = NULL;
        return fl_errf(&c->err, 500, "InternalError", "stored object %s is corrupt", key);
    }
    return FL_OK;
}

/* Set member `key` of dst to src's (or remove it when src has none). */
static void copy_member(json_t *dst, const json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    if (v)
        json_object_set(dst, key, v);
    else
        json_object_del(dst, key);
}

/* Value at a dotted path (borrowed), or NULL. */
static json_t *at_path(const json_t *doc, const char *path)
{
    char part[128];
    const json_t *v = doc;
    while (v && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(part))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        v = json_object_get(v, part);
        path += n + (path[n] == '.');
    }
    return (json_t *)v;
}

/* Set the value at a dotted path, creating objects on the way. Steals v. */
static void set_path(json_t *doc, const char *path, json_t *v)
{
    char part[128];
    for (;;) {
        size_t n = strcspn(path, ".");
        FL_ASSERT(n < sizeof(part));
        memcpy(part, path, n);
        part[n] = '\0';
        if (!path[n]) {
            json_object_set_new(doc, part, v);
            return;
        }
        json_t *next = json_object_get(doc, part);
        if (!json_is_object(next)) {
            next = json_object();
            json_object_set_new(doc, part, next);
        }
        doc = next;
        path += n + 1;
    }
}

/* Write `next` over the object named by the call: status rules, checks,
 * store update, reply. Takes ownership of next; cur is the stored version. */
static void store_update(struct fl_call *c, const json_t *cur, json_t *next, bool status_only)
{
    char key[FL_KEY_MAX];
    struct fl_obj *o = NULL;
    bool deleted;
    const struct fl_rtype *t = c->r.type;

    json_t *md = json_object_get(next, "metadata");
    if (!json_is_object(next) || (md && !json_is_object(md))) {
        fl_errf(&c->err, 400, "BadRequest", "the object and its metadata must be JSON objects");
        goto fail;
    }
    if (status_only) {
        /* /status: everything but status (and the resourceVersion the
         * client checks against) stays as stored. */
        json_t *rv = json_incref(json_object_get(md, "resourceVersion"));
        json_t *merged = json_deep_copy(cur);
        copy_member(merged, next, "status");
        if (rv)
            json_object_set_new(fl_json_metadata(merged), "resourceVersion", rv);
        json_decref(next);
        next = merged;
    } else if (t->status && cur) {
        copy_member(next, cur, "status");
    }
    if (fl_call_prepare(c, next, false) != 0)
        goto fail;
    const char *name = fl_json_str(fl_json_metadata(next), "name");
    if (strcmp(name, c->r.name) != 0) {
        fl_errf(&c->err, 400, "BadRequest",
                "the name of the object (%s) does not match the name on the URL (%s)", name,
                c->r.name);
        goto fail;
    }
    fl_call_key(c, name, key);
    if (fl_store_update(c->api->store, &c->res, key, next, &o, &deleted, &c->err) != 0)
        goto fail;
    fl_call_reply_obj(c, 200, o);
    fl_obj_unref(o);
    json_decref(next);
    return;
fail:
    json_decref(next);
    fl_call_reply_err(c);
}

/* ---- scale subresource -------------------------------------------------- */

/* metav1.LabelSelector → its string form ("app=x,tier in (a,b)"). */
static void selector_string(const json_t *sel, char *buf, size_t len)
{
    size_t off = 0;
    const char *k;
    json_t *v;
    buf[0] = '\0';
    json_object_foreach((json_t *)json_object_get(sel, "matchLabels"), k, v)
    {
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? "," : "", k,
                                    json_string_value(v) ? json_string_value(v) : "");
    }
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(sel, "matchExpressions"), i, e)
    {
        const char *op = fl_json_str(e, "operator"), *key = fl_json_str(e, "key");
        if (off >= len)
            break;
        if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) {
            off += (size_t)snprintf(buf + off, len - off, "%s%s%s", off ? "," : "",
                                    op[0] == 'D' ? "!" : "", key);
            continue;
        }
        off += (size_t)snprintf(buf + off, len - off, "%s%s %s (", off ? "," : "", key,
                                !strcmp(op, "In") ? "in" : "notin");
        size_t j;
        json_t *val;
        json_array_foreach(json_object_get(e, "values"), j, val)
        {
            if (off < len)
                off += (size_t)snprintf(buf + off, len - off, "%s%s", j ? "," : "",
                                        json_string_value(val) ? json_string_value(val) : "");
        }
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, ")");
    }
}

/* The autoscaling/v1 Scale of an object. New reference. */
static json_t *scale_of(const struct fl_rtype *t, const json_t *doc)
{
    const json_t *md = json_object_get(doc, "metadata");
    json_t *smd = json_object();
    static const char *const keep[] = {"name", "namespace", "uid", "resourceVersion",
                                       "creationTimestamp"};
    for (size_t i = 0; i < FL_ARRAY_LEN(keep); i++)
        copy_member(smd, md, keep[i]);
    json_t *spec_r = at_path(doc, t->scale->spec_replicas);
    json_t *stat_r = at_path(doc, t->scale->status_replicas);
    json_t *scale = json_pack("{s:s,s:s,s:o,s:{s:I},s:{s:I}}", "kind", "Scale", "apiVersion",
                              "autoscaling/v1", "metadata", smd, "spec", "replicas",
                              (json_int_t)json_integer_value(spec_r), "status", "replicas",
                              (json_int_t)json_integer_value(stat_r));
    char sel[1024];
    selector_string(json_object_get(json_object_get(doc, "spec"), "selector"), sel, sizeof(sel));
    if (sel[0])
        json_object_set_new(json_object_get(scale, "status"), "selector", json_string(sel));
    return scale;
}

/* Apply a Scale the client wrote to the current object. Takes scale. */
static void write_scale(struct fl_call *c, json_t *cur, json_t *scale)
{
    json_t *r = at_path(scale, "spec.replicas");
    if (!json_is_integer(r) || json_integer_value(r) < 0) {
        json_decref(scale);
        fl_errf(&c->err, 422, "Invalid",
                "Scale.autoscaling \"%s\" is invalid: spec.replicas: Invalid value: must be "
                "greater than or equal to 0",
                c->r.name);
        fl_err_cause(&c->err, "FieldValueInvalid", "spec.replicas",
                     "Invalid value: must be greater than or equal to 0");
        return fl_call_reply_err(c);
    }
    json_t *next = json_deep_copy(cur);
    set_path(next, c->r.type->scale->spec_replicas, json_incref(r));
    const char *rv = fl_json_str(fl_json_metadata(scale), "resourceVersion");
    if (rv[0])
        json_object_set_new(fl_json_metadata(next), "resourceVersion", json_string(rv));
    json_decref(scale);

    char key[FL_KEY_MAX];
    struct fl_obj *o = NULL;
    bool deleted;
    fl_call_key(c, c->r.name, key);
    if (fl_call_prepare(c, next, false) != 0 ||
        fl_store_update(c->api->store, &c->res, key, next, &o, &deleted, &c->err) != 0) {
        json_decref(next);
        return fl_call_reply_err(c);
    }
    json_decref(next);
    json_t *doc = fl_obj_json(o);
    json_t *reply = scale_of(c->r.type, doc);
    fl_api_reply_json(c->api, c->req, 200, reply);
    json_decref(reply);
    json_decref(doc);
    fl_obj_unref(o);
}

/* Which subresource the call names: 0 none, 's' status, 'c' scale; 404 else. */
static int subresource(struct fl_call *c, char *which)
{
    *which = 0;
    if (!c->r.sub[0])
        return FL_OK;
    if (!strcmp(c->r.sub, "status") && c->r.type->status) {
        *which = 's';
        return FL_OK;
    }
    if (!strcmp(c->r.sub, "scale") && c->r.type->scale) {
        *which = 'c';
        return FL_OK;
    }
    return fl_errf(&c->err, 404, "NotFound", "the server could not find the requested resource");
}

void fl_write_get_sub(struct fl_call *c)
{
    char which;
    struct fl_obj *o = NULL;
    json_t *doc = NULL;
    if (subresource(c, &which) != 0 || current(c, &o, &doc) != 0)
        return fl_call_reply_err(c);
    if (which == 'c') {
        json_t *scale = scale_of(c->r.type, doc);
        fl_api_reply_json(c->api, c->req, 200, scale);
        json_decref(scale);
    } else {
        fl_call_reply_obj(c, 200, o);
    }
    json_decref(doc);
    fl_obj_unref(o);
}

/* ---- create and update -------------------------------------------------- */

/* POST and DELETE do not apply to subresources (the router has already
 * answered 404 for unknown ones). */
static int no_subresource(struct fl_call *c)
{
    if (!c->r.sub[0])
        return FL_OK;
    return fl_errf(&c->err, 405, "MethodNotAllowed",
                   "the server does not allow this method on the requested resource");
}

void fl_write_create(struct fl_call *c)
{
    char key[FL_KEY_MAX];
    struct fl_obj *o = NULL;
    if (no_subresource(c) != 0)
        return fl_call_reply_err(c);
    json_t *doc = fl_call_body(c);
    if (!doc)
        return fl_call_reply_err(c);
    if (fl_call_prepare(c, doc, true) != 0 || namespace_exists(c) != 0)
        goto out;
    fl_call_key(c, fl_json_str(fl_json_metadata(doc), "name"), key);
    if (!strcmp(c->r.type->kind, "Service") && !c->r.type->group[0]) {
        struct fl_obj *existing = NULL;
        /* AlreadyExists wins over allocation, so no IP is marked for a
         * create that fails. */
        if (fl_store_get(c->api->store, &c->res, key, &existing, &c->err) == 0) {
            fl_obj_unref(existing);
        } else if (fl_clusterip_assign(c->api->store, doc, c->res.dry_run, &c->err) != 0) {
            goto out;
        }
        fl_err_clear(&c->err);
    }
    if (fl_store_create(c->api->store, &c->res, key, doc, &o, &c->err) != 0)
        goto out;
    fl_call_reply_obj(c, 201, o);
    fl_obj_unref(o);
    json_decref(doc);
    return;
out:
    json_decref(doc);
    fl_call_reply_err(c);
}

void fl_write_update(struct fl_call *c)
{
    char which;
    struct fl_obj *o = NULL;
    json_t *cur = NULL, *doc = NULL;
    if (subresource(c, &which) != 0 || !(doc = fl_call_body(c)) ||
        current(c, &o, &cur) != 0) {
        json_decref(doc);
        return fl_call_reply_err(c);
    }
    if (which == 'c')
        write_scale(c, cur, doc);
    else
        store_update(c, cur, doc, which == 's');
    json_decref(cur);
    fl_obj_unref(o);
}

/* ---- patch -------------------------------------------------------------- */

static const char *const patch_types[] = {
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
};

/* The patch media type of the request (index in patch_types), or -1 + 415. */
static int patch_type(struct fl_call *c)
{
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(c->req), "Content-Type");
    for (size_t i = 0; ct && i < FL_ARRAY_LEN(patch_types); i++)
        if (!strncmp(ct, patch_types[i], strlen(patch_types[i])) &&
            (i != 2 || c->r.type->builtin))
            return (int)i;
    fl_errf(&c->err, 415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json%s",
            c->r.type->builtin ? ", application/strategic-merge-patch+json" : "");
    return -1;
}

/* The patch body: a JSON array for JSON patch, an object otherwise. */
static json_t *patch_body(struct fl_call *c, int type)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    size_t len = evbuffer_get_length(in);
    if (len > FL_API_BODY_MAX) {
        fl_errf(&c->err, 413, "RequestEntityTooLarge", "Request entity too large: limit is %d",
                FL_API_BODY_MAX);
        return NULL;
    }
    json_error_t jerr;
    json_t *p = json_loadb((const char *)evbuffer_pullup(in, -1), len, 0, &jerr);
    if (!p) {
        fl_errf(&c->err, 400, "BadRequest", "the patch is not valid JSON: %s (line %d, column %d)",
                jerr.text, jerr.line, jerr.column);
        return NULL;
    }
    if (type == 0 ? !json_is_array(p) : !json_is_object(p)) {
        json_decref(p);
        fl_errf(&c->err, 400, "BadRequest", "%s",
                type == 0 ? "a JSON patch must be an array of operations"
                          : "a merge patch must be a JSON object");
        return NULL;
    }
    return p;
}

/* Strategic merge metadata: the served OpenAPI schema, then the built-in
 * table for what the schema does not describe. ctx: the call's type, or
 * NULL for a Scale (no lists: every list in it is atomic). */
static bool smp_strategy(const char *const *path, size_t depth,
                         struct fl_patch_list_strategy *out, void *ctx)
{
    const struct fl_rtype *t = ctx;
    if (!t)
        return false;
    if (fl_openapi_patch_strategy(t->group, t->version, t->kind, path, depth, out))
        return true;
    return fl_patch_builtin_strategy(path, depth, out, (void *)t->kind);
}

void fl_write_patch(struct fl_call *c)
{
    char which;
    struct fl_obj *o = NULL;
    json_t *cur = NULL, *patch = NULL, *base = NULL, *next = NULL;
    int type = -1;
    if (subresource(c, &which) != 0 || (type = patch_type(c)) < 0 ||
        !(patch = patch_body(c, type)) || current(c, &o, &cur) != 0)
        goto fail;
    /* A patch applies to what the endpoint serves: the object or its Scale. */
    base = which == 'c' ? scale_of(c->r.type, cur) : json_incref(cur);
    int rc;
    if (type == 0)
        rc = fl_patch_json(base, patch, &next, &c->err);
    else if (type == 1)
        rc = fl_patch_merge(base, patch, &next, &c->err);
    else
        rc = fl_patch_strategic(base, patch, smp_strategy,
                                which == 'c' ? NULL : (void *)c->r.type, &next, &c->err);
    if (rc != 0)
        goto fail;
    if (which == 'c')
        write_scale(c, cur, next);
    else
        store_update(c, cur, next, which == 's');
    next = NULL;
    goto out;
fail:
    fl_call_reply_err(c);
out:
    json_decref(next);
    json_decref(base);
    json_decref(patch);
    json_decref(cur);
    fl_obj_unref(o);
}


/* ---- delete ------------------------------------------------------------- */

/* DeleteOptions.preconditions from an optional body. */
static int delete_options(struct fl_call *c, struct fl_store_precond *pre, char *uid,
                          size_t uidlen)
{
    memset(pre, 0, sizeof(*pre));
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    if (evbuffer_get_length(in) == 0)
        return FL_OK;
    json_t *doc = fl_call_body(c);
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

/* Delete what a namespace holds (until a namespace controller exists,
 * namespace deletion is immediate). */
static int delete_namespace_contents(struct fl_call *c, const char *ns)
{
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        if (!t->namespaced)
            continue;
        char prefix[FL_KEY_MAX];
        struct fl_store_list l;
        struct fl_store_res res = {t->group, t->resource, c->res.dry_run};
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

void fl_write_delete(struct fl_call *c)
{
    char key[FL_KEY_MAX], uid[64];
    struct fl_store_precond pre;
    struct fl_obj *o = NULL;
    bool deleted;
    if (no_subresource(c) != 0 || delete_options(c, &pre, uid, sizeof(uid)) != 0)
        return fl_call_reply_err(c);
    fl_call_key(c, c->r.name, key);
    if (!strcmp(c->r.type->resource, "namespaces")) {
        struct fl_obj *cur = NULL;
        if (fl_store_get(c->api->store, &c->res, key, &cur, &c->err) != 0)
            return fl_call_reply_err(c);
        fl_obj_unref(cur);
        if (delete_namespace_contents(c, c->r.name) != 0)
            return fl_call_reply_err(c);
    }
    if (fl_store_delete(c->api->store, &c->res, key, &pre, &o, &deleted, &c->err) != 0)
        return fl_call_reply_err(c);
    if (deleted) {
        json_t *st = fl_status_success(c->r.type->group, c->r.type->resource, c->r.name,
                                       fl_obj_meta(o)->uid);
        fl_api_reply_json(c->api, c->req, 200, st);
        json_decref(st);
    } else {
        fl_call_reply_obj(c, 200, o);
    }
    fl_obj_unref(o);
}

void fl_write_delete_collection(struct fl_call *c)
{
    char prefix[FL_KEY_MAX];
    struct fl_store_filter f;
    struct fl_store_list l;
    if (fl_call_filter(c, &f) != 0)
        return fl_call_reply_err(c);
    fl_call_list_prefix(c, prefix);
    int rc = fl_store_list(c->api->store, prefix, &f, 0, NULL, &l, &c->err);
    fl_call_filter_release(&f);
    if (rc != 0)
        return fl_call_reply_err(c);
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        bool deleted;
        rc = fl_store_delete(c->api->store, &c->res, l.items[i]->key, NULL, NULL, &deleted,
                             &c->err);
    }
    fl_store_list_release(&l);
    if (rc != 0)
        return fl_call_reply_err(c);
    json_t *st = json_pack("{s:s,s:s,s:{},s:s}", "kind", "Status", "apiVersion", "v1", "metadata",
                           "status", "Success");
    fl_api_reply_json(c->api, c->req, 200, st);
    json_decref(st);
}
