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
 *
 * Field management (api/apply.h): every write gives the fields it changes to
 * its fieldManager (operation Update) just before the store write; a PATCH
 * of type application/apply-patch+yaml is server-side apply, which builds
 * the new object and its managedFields itself and creates the object when
 * it does not exist.
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/kinds.h"
#include "api/apply.h"
#include "api/clusterip.h"
#include "api/crd.h"
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
    fl_crd_convert_json(c->r.type, *doc);
    return FL_OK;
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

/* The manager a write records in managedFields: ?fieldManager=, else the
 * program in the User-Agent (upstream's managerOrUserAgent). */
static const char *write_manager(struct fl_call *c, char *buf, size_t len)
{
    const char *m = fl_call_query(c, "fieldManager");
    if (m && m[0])
        return m;
    fl_apply_manager_from_agent(
        evhttp_find_header(evhttp_request_get_input_headers(c->req), "User-Agent"), buf, len);
    return buf;
}

/* Give the fields next changes to the call's manager (operation Update). */
static int track_update(struct fl_call *c, const json_t *cur, json_t *next, const char *sub)
{
    char av[320], mbuf[FL_APPLY_MANAGER_MAX + 1];
    fl_rtype_api_version(c->r.type, av, sizeof(av));
    return fl_apply_track_update_sub(cur, next, write_manager(c, mbuf, sizeof(mbuf)), av, sub,
                                     &c->err);
}

/* Write `next` over the object named by the call: status rules, checks,
 * field management (unless `applied`: fl_apply did it), store update,
 * reply. Takes ownership of next; cur is the stored version. */
static void store_update(struct fl_call *c, const json_t *cur, json_t *next, bool status_only,
                         bool applied)
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
        fl_json_copy_member(merged, next, "status");
        if (rv)
            json_object_set_new(fl_json_metadata(merged), "resourceVersion", rv);
        json_decref(next);
        next = merged;
    } else if (t->status && cur) {
        fl_json_copy_member(next, cur, "status");
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
    if (!applied && track_update(c, cur, next, status_only ? "status" : NULL) != 0)
        goto fail;
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
        fl_json_copy_member(smd, md, keep[i]);
    json_t *spec_r = at_path(doc, t->scale->spec_replicas);
    json_t *stat_r = at_path(doc, t->scale->status_replicas);
    json_t *scale = json_pack("{s:s,s:s,s:o,s:{s:I},s:{s:I}}", "kind", "Scale", "apiVersion",
                              "autoscaling/v1", "metadata", smd, "spec", "replicas",
                              (json_int_t)json_integer_value(spec_r), "status", "replicas",
                              (json_int_t)json_integer_value(stat_r));
    char sel[1024];
    const char *path_sel = t->scale->label_selector
                               ? json_string_value(at_path(doc, t->scale->label_selector))
                               : NULL;
    if (path_sel)
        snprintf(sel, sizeof(sel), "%s", path_sel);
    else
        selector_string(json_object_get(json_object_get(doc, "spec"), "selector"), sel,
                        sizeof(sel));
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
    if (fl_call_prepare(c, next, false) != 0 || track_update(c, cur, next, "scale") != 0 ||
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
    if (no_subresource(c) != 0 ||
        fl_apply_check_options("CreateOptions", false, fl_call_query(c, "fieldManager"), false,
                               &c->err) != 0)
        return fl_call_reply_err(c);
    json_t *doc = fl_call_body(c);
    if (!doc)
        return fl_call_reply_err(c);
    if (fl_call_prepare(c, doc, true) != 0 || namespace_exists(c) != 0 ||
        track_update(c, NULL, doc, NULL) != 0)
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
    if (subresource(c, &which) != 0 ||
        fl_apply_check_options("UpdateOptions", false, fl_call_query(c, "fieldManager"), false,
                               &c->err) != 0 ||
        !(doc = fl_call_body(c)) || current(c, &o, &cur) != 0) {
        json_decref(doc);
        return fl_call_reply_err(c);
    }
    if (which == 'c')
        write_scale(c, cur, doc);
    else
        store_update(c, cur, doc, which == 's', false);
    json_decref(cur);
    fl_obj_unref(o);
}

/* ---- patch -------------------------------------------------------------- */

static const char *const patch_types[] = {
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    FL_APPLY_CTYPE,
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
            "application/json-patch+json, application/merge-patch+json%s, "
            "application/apply-patch+yaml",
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

/* Server-side apply (application/apply-patch+yaml): creates the object when
 * it does not exist (201), else updates it. */
static void apply_patch(struct fl_call *c, char which)
{
    char key[FL_KEY_MAX];
    struct fl_obj *o = NULL;
    json_t *cur = NULL, *next = NULL;
    const char *manager = fl_call_query(c, "fieldManager");
    const char *force = fl_call_query(c, "force");
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    size_t len = evbuffer_get_length(in);
    if (which) {
        fl_errf(&c->err, 415, "UnsupportedMediaType",
                "apply patches are not supported on the %s subresource", c->r.sub);
        goto fail;
    }
    if (len > FL_API_BODY_MAX) {
        fl_errf(&c->err, 413, "RequestEntityTooLarge", "Request entity too large: limit is %d",
                FL_API_BODY_MAX);
        goto fail;
    }
    fl_call_key(c, c->r.name, key);
    if (fl_store_get(c->api->store, &c->res, key, &o, &c->err) == 0) {
        if (!(cur = fl_obj_json(o))) {
            fl_errf(&c->err, 500, "InternalError", "stored object %s is corrupt", key);
            goto fail;
        }
    } else if (c->err.code == 404) {
        fl_err_clear(&c->err);
    } else {
        goto fail;
    }
    bool forced = force && (!strcmp(force, "true") || !strcmp(force, "1"));
    if (fl_apply(c->r.type, cur, len ? (const char *)evbuffer_pullup(in, -1) : "", len, manager,
                 forced, &next, &c->err) != 0)
        goto fail;
    if (cur) {
        store_update(c, cur, next, false, true);
        next = NULL;
        goto out;
    }
    struct fl_obj *created = NULL;
    if (fl_call_prepare(c, next, true) != 0 || namespace_exists(c) != 0)
        goto fail;
    const char *name = fl_json_str(fl_json_metadata(next), "name");
    if (strcmp(name, c->r.name) != 0) {
        fl_errf(&c->err, 400, "BadRequest",
                "the name of the object (%s) does not match the name on the URL (%s)", name,
                c->r.name);
        goto fail;
    }
    if (!strcmp(c->r.type->kind, "Service") && !c->r.type->group[0] &&
        fl_clusterip_assign(c->api->store, next, c->res.dry_run, &c->err) != 0)
        goto fail;
    if (fl_store_create(c->api->store, &c->res, key, next, &created, &c->err) != 0)
        goto fail;
    fl_call_reply_obj(c, 201, created);
    fl_obj_unref(created);
    goto out;
fail:
    fl_call_reply_err(c);
out:
    json_decref(next);
    json_decref(cur);
    fl_obj_unref(o);
}

void fl_write_patch(struct fl_call *c)
{
    char which;
    struct fl_obj *o = NULL;
    json_t *cur = NULL, *patch = NULL, *base = NULL, *next = NULL;
    int type = -1;
    if (subresource(c, &which) != 0 || (type = patch_type(c)) < 0 ||
        fl_apply_check_options("PatchOptions", type == 3, fl_call_query(c, "fieldManager"),
                               fl_call_query(c, "force") != NULL, &c->err) != 0)
        goto fail;
    if (type == 3)
        return apply_patch(c, which);
    if (!(patch = patch_body(c, type)) || current(c, &o, &cur) != 0)
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
        store_update(c, cur, next, which == 's', false);
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

/* DeleteOptions.propagationPolicy and the deprecated orphanDependents: what
 * the garbage collector does with the object's dependents. */
struct propagation {
    char policy[16]; /* "Foreground", "Background", "Orphan" or "" (not given) */
    int orphan;      /* orphanDependents: -1 not given, 0, 1 */
};

/* Check and keep a propagation choice (kube-apiserver's
 * ValidateDeleteOptions: a 422 on DeleteOptions). */
static int propagation_set(struct fl_call *c, struct propagation *prop, const char *policy,
                           int orphan)
{
    prop->policy[0] = '\0';
    prop->orphan = orphan;
    if (!policy)
        return FL_OK;
    if (strcmp(policy, "Foreground") != 0 && strcmp(policy, "Background") != 0 &&
        strcmp(policy, "Orphan") != 0) {
        fl_errf(&c->err, 422, "Invalid",
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported "
                "value: \"%.64s\": supported values: \"Foreground\", \"Background\", "
                "\"Orphan\", \"nil\"",
                policy);
        fl_err_details(&c->err, "meta.k8s.io", "DeleteOptions", "");
        fl_err_cause(&c->err, "FieldValueNotSupported", "propagationPolicy",
                     "Unsupported value: \"%.64s\": supported values: \"Foreground\", "
                     "\"Background\", \"Orphan\", \"nil\"",
                     policy);
        return FL_EFAIL;
    }
    if (orphan >= 0) {
        fl_errf(&c->err, 422, "Invalid",
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: "
                "\"%s\": orphanDependents and deletionPropagation cannot be both set",
                policy);
        fl_err_details(&c->err, "meta.k8s.io", "DeleteOptions", "");
        fl_err_cause(&c->err, "FieldValueInvalid", "propagationPolicy",
                     "Invalid value: \"%s\": orphanDependents and deletionPropagation cannot "
                     "be both set",
                     policy);
        return FL_EFAIL;
    }
    snprintf(prop->policy, sizeof(prop->policy), "%s", policy);
    return FL_OK;
}

/* DeleteOptions from an optional body: preconditions and propagation. Without
 * a body, propagationPolicy and orphanDependents may come as query
 * parameters (kube-apiserver reads one or the other). */
static int delete_options(struct fl_call *c, struct fl_store_precond *pre, char *uid,
                          size_t uidlen, struct propagation *prop)
{
    memset(pre, 0, sizeof(*pre));
    pre->grace = -1;
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    if (evbuffer_get_length(in) == 0) {
        const char *gp = fl_call_query(c, "gracePeriodSeconds");
        if (gp && gp[0]) {
            char *end;
            pre->grace = strtoll(gp, &end, 10);
            if (*end)
                return fl_errf(&c->err, 400, "BadRequest", "gracePeriodSeconds: invalid integer %.64s",
                               gp);
        }
        const char *od = fl_call_query(c, "orphanDependents");
        if (od && strcmp(od, "true") != 0 && strcmp(od, "false") != 0)
            return fl_errf(&c->err, 400, "BadRequest", "orphanDependents: invalid boolean %.64s",
                           od);
        return propagation_set(c, prop, fl_call_query(c, "propagationPolicy"),
                               od ? !strcmp(od, "true") : -1);
    }
    json_t *doc = fl_call_body(c);
    if (!doc)
        return FL_EFAIL;
    json_t *jpol = json_object_get(doc, "propagationPolicy");
    json_t *jorph = json_object_get(doc, "orphanDependents");
    if ((jpol && !json_is_string(jpol) && !json_is_null(jpol)) ||
        (jorph && !json_is_boolean(jorph) && !json_is_null(jorph))) {
        json_decref(doc);
        return fl_errf(&c->err, 400, "BadRequest",
                       "propagationPolicy must be a string and orphanDependents a boolean");
    }
    if (propagation_set(c, prop, json_string_value(jpol),
                        json_is_boolean(jorph) ? json_is_true(jorph) : -1) != 0) {
        json_decref(doc);
        return FL_EFAIL;
    }
    json_t *jgp = json_object_get(doc, "gracePeriodSeconds");
    if (jgp && !json_is_integer(jgp) && !json_is_null(jgp)) {
        json_decref(doc);
        return fl_errf(&c->err, 400, "BadRequest", "gracePeriodSeconds must be an integer");
    }
    if (json_is_integer(jgp))
        pre->grace = json_integer_value(jgp);
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

/* The grace period of deleting the object at key: pods are deleted
 * gracefully (kinds.h), everything else at once. pre->grace holds what the
 * client asked for (-1: nothing). */
static void delete_grace(struct fl_call *c, const char *key, struct fl_store_precond *pre)
{
    int64_t requested = pre->grace;
    pre->grace = 0;
    if (c->r.type->group[0] || strcmp(c->r.type->kind, "Pod") != 0)
        return;
    struct fl_obj *o = NULL;
    if (fl_store_get(c->api->store, &c->res, key, &o, &c->err) != 0) {
        fl_err_clear(&c->err); /* the delete says NotFound */
        return;
    }
    json_t *pod = fl_obj_json(o);
    pre->grace = pod ? fl_kind_pod_delete_grace(pod, requested) : 0;
    json_decref(pod);
    fl_obj_unref(o);
}

static bool has_finalizer(const json_t *fins, const char *f)
{
    size_t i;
    json_t *v;
    json_array_foreach(fins, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), f))
            return true;
    }
    return false;
}

/* Give the object at key the garbage collector's finalizers that the
 * propagation asks for ("orphan" for Orphan, "foregroundDeletion" for
 * Foreground, neither for Background), before it is deleted; the collector
 * (controllers/gc.c) does the rest. As kube-apiserver's
 * deletionFinalizersForGarbageCollection: without a choice the object's own
 * finalizers stand, else the type's default (orphan for the legacy
 * replicationcontrollers/v1 and the beta workload versions, background for
 * everything else). Preconditions are checked here because the update
 * moves the resourceVersion; *gone is set when the update removed the last
 * finalizer of an object already being deleted (*o: its final version). */
static int gc_finalizers(struct fl_call *c, const char *key, const struct propagation *prop,
                         struct fl_store_precond *pre, struct fl_obj **o, bool *gone)
{
    struct fl_obj *cur = NULL;
    json_t *doc = NULL;
    int rc = FL_OK;
    *gone = false;
    if (fl_store_get(c->api->store, &c->res, key, &cur, &c->err) != 0) {
        fl_err_clear(&c->err);
        return FL_OK; /* the delete says NotFound */
    }
    const struct fl_meta *m = fl_obj_meta(cur);
    if ((pre->uid && pre->uid[0] && strcmp(pre->uid, m->uid) != 0) ||
        (pre->rev && pre->rev != cur->rev))
        goto out; /* the delete says Conflict */
    bool has_orphan = has_finalizer(m->finalizers, "orphan");
    bool has_fg = has_finalizer(m->finalizers, "foregroundDeletion");
    bool orphan, fg;
    const struct fl_rtype *t = c->r.type;
    if (prop->orphan >= 0) {
        orphan = prop->orphan;
        fg = false;
    } else if (prop->policy[0]) {
        orphan = !strcmp(prop->policy, "Orphan");
        fg = !strcmp(prop->policy, "Foreground");
    } else if (has_orphan || has_fg) {
        goto out;
    } else {
        orphan = (!t->group[0] && !strcmp(t->resource, "replicationcontrollers")) ||
                 ((!strcmp(t->group, "apps") || !strcmp(t->group, "extensions")) &&
                  strcmp(t->version, "v1") != 0);
        fg = false;
    }
    if (orphan == has_orphan && fg == has_fg)
        goto out;
    doc = fl_obj_json(cur);
    if (!doc) {
        rc = fl_errf(&c->err, 500, "InternalError", "stored object %s is corrupt", key);
        goto out;
    }
    json_t *md = fl_json_metadata(doc);
    json_t *fins = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(m->finalizers, i, v)
    {
        const char *f = json_is_string(v) ? json_string_value(v) : "";
        if (strcmp(f, "orphan") != 0 && strcmp(f, "foregroundDeletion") != 0)
            json_array_append(fins, v);
    }
    if (orphan)
        json_array_append_new(fins, json_string("orphan"));
    if (fg)
        json_array_append_new(fins, json_string("foregroundDeletion"));
    json_object_set_new(md, "finalizers", fins);
    rc = fl_store_update(c->api->store, &c->res, key, doc, o, gone, &c->err);
    pre->rev = 0; /* checked above */
out:
    json_decref(doc);
    fl_obj_unref(cur);
    return rc;
}

void fl_write_delete(struct fl_call *c)
{
    char key[FL_KEY_MAX], uid[64];
    struct fl_store_precond pre;
    struct propagation prop;
    struct fl_obj *o = NULL;
    bool deleted;
    if (no_subresource(c) != 0 || delete_options(c, &pre, uid, sizeof(uid), &prop) != 0)
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
    if (gc_finalizers(c, key, &prop, &pre, &o, &deleted) != 0)
        return fl_call_reply_err(c);
    if (!deleted) {
        fl_obj_unref(o);
        o = NULL;
        delete_grace(c, key, &pre);
        if (fl_store_delete(c->api->store, &c->res, key, &pre, &o, &deleted, &c->err) != 0)
            return fl_call_reply_err(c);
    }
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
    char prefix[FL_KEY_MAX], uid[64];
    struct fl_store_filter f;
    struct fl_store_list l;
    struct fl_store_precond pre;
    struct propagation prop;
    if (fl_call_filter(c, &f) != 0)
        return fl_call_reply_err(c);
    if (delete_options(c, &pre, uid, sizeof(uid), &prop) != 0) {
        fl_call_filter_release(&f);
        return fl_call_reply_err(c);
    }
    int64_t requested = pre.grace;
    fl_call_list_prefix(c, prefix);
    int rc = fl_store_list(c->api->store, prefix, &f, 0, NULL, &l, &c->err);
    fl_call_filter_release(&f);
    if (rc != 0)
        return fl_call_reply_err(c);
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        bool deleted;
        struct fl_store_precond one = {.grace = requested};
        delete_grace(c, l.items[i]->key, &one);
        rc = fl_store_delete(c->api->store, &c->res, l.items[i]->key, &one, NULL, &deleted,
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
