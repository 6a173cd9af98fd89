/* Object validation: see validate.h. */
#include "api/validate.h"

#include <stdio.h>
#include <string.h>

#include "api/kinds.h"
#include "core/names.h"
#include "core/obj.h"

static void check_labels(const json_t *md, struct fl_err *err)
{
    json_t *labels = json_object_get(md, "labels");
    if (!labels || json_is_null(labels))
        return;
    if (!json_is_object(labels)) {
        fl_err_cause(err, "FieldValueInvalid", "metadata.labels", "must be a map of strings");
        return;
    }
    const char *k;
    json_t *v;
    char msg[512], field[320];
    json_object_foreach(labels, k, v)
    {
        snprintf(field, sizeof(field), "metadata.labels");
        if (!fl_name_label_key(k, msg, sizeof(msg)))
            fl_err_cause(err, "FieldValueInvalid", field, "Invalid value: \"%s\": %s", k, msg);
        const char *s = json_string_value(v);
        if (!s)
            fl_err_cause(err, "FieldValueInvalid", field, "Invalid value: %s: must be a string", k);
        else if (!fl_name_label_value(s, msg, sizeof(msg)))
            fl_err_cause(err, "FieldValueInvalid", field, "Invalid value: \"%s\": %s", s, msg);
    }
}

static void check_annotations(const json_t *md, struct fl_err *err)
{
    json_t *ann = json_object_get(md, "annotations");
    if (!ann || json_is_null(ann))
        return;
    if (!json_is_object(ann)) {
        fl_err_cause(err, "FieldValueInvalid", "metadata.annotations", "must be a map of strings");
        return;
    }
    const char *k;
    json_t *v;
    size_t total = 0;
    char msg[512];
    json_object_foreach(ann, k, v)
    {
        if (!fl_name_label_key(k, msg, sizeof(msg)))
            fl_err_cause(err, "FieldValueInvalid", "metadata.annotations",
                         "Invalid value: \"%s\": %s", k, msg);
        if (!json_is_string(v))
            fl_err_cause(err, "FieldValueInvalid", "metadata.annotations",
                         "Invalid value: %s: must be a string", k);
        else
            total += strlen(k) + json_string_length(v);
    }
    if (total > FL_ANNOTATIONS_MAX_BYTES)
        fl_err_cause(err, "FieldValueTooLong", "metadata.annotations",
                     "Too long: must have at most %d bytes", FL_ANNOTATIONS_MAX_BYTES);
}

/* metadata.ownerReferences: apiVersion, kind, name and uid are required, and
 * at most one reference may be the controller. */
static void check_owner_refs(const json_t *md, struct fl_err *err)
{
    json_t *refs = json_object_get(md, "ownerReferences");
    size_t i;
    json_t *ref;
    int controllers = 0;
    if (!refs || json_is_null(refs))
        return;
    if (!json_is_array(refs)) {
        fl_err_cause(err, "FieldValueInvalid", "metadata.ownerReferences", "must be a list");
        return;
    }
    json_array_foreach(refs, i, ref)
    {
        static const char *const required[] = {"apiVersion", "kind", "name", "uid"};
        for (size_t k = 0; k < FL_ARRAY_LEN(required); k++) {
            const char *v = fl_json_str(ref, required[k]);
            char field[64];
            snprintf(field, sizeof(field), "metadata.ownerReferences.%s", required[k]);
            if (!v[0])
                fl_err_cause(err, "FieldValueInvalid", field,
                             "Invalid value: \"\": %s must not be empty",
                             !strcmp(required[k], "apiVersion") ? "version" : required[k]);
        }
        if (json_is_true(json_object_get(ref, "controller")))
            controllers++;
    }
    if (controllers > 1)
        fl_err_cause(err, "FieldValueInvalid", "metadata.ownerReferences",
                     "Invalid value: only one reference can have Controller set to true");
}

int fl_validate(const struct fl_rtype *t, const json_t *doc, struct fl_err *err)
{
    struct fl_err e;
    fl_err_clear(&e);
    json_t *md = json_object_get(doc, "metadata");
    const char *name = fl_json_str(md, "name");
    char msg[512];
    if (!json_is_object(md)) {
        fl_err_cause(&e, "FieldValueRequired", "metadata", "Required value");
    } else if (!name[0]) {
        fl_err_cause(&e, "FieldValueRequired", "metadata.name",
                     "Required value: name or generateName is required");
    } else {
        bool ok = !strcmp(t->resource, "namespaces")
                      ? fl_name_dns1123_label(name, msg, sizeof(msg))
                      : fl_name_dns1123_subdomain(name, msg, sizeof(msg));
        if (!ok)
            fl_err_cause(&e, "FieldValueInvalid", "metadata.name", "Invalid value: \"%s\": %s",
                         name, msg);
    }
    if (json_is_object(md)) {
        check_labels(md, &e);
        check_annotations(md, &e);
        check_owner_refs(md, &e);
        json_t *fin = json_object_get(md, "finalizers");
        if (fin && !json_is_null(fin)) {
            size_t i;
            json_t *f;
            if (!json_is_array(fin))
                fl_err_cause(&e, "FieldValueInvalid", "metadata.finalizers", "must be a list");
            else
                json_array_foreach(fin, i, f)
                {
                    if (!json_is_string(f) || !fl_name_label_key(json_string_value(f), msg,
                                                                  sizeof(msg)))
                        fl_err_cause(&e, "FieldValueInvalid", "metadata.finalizers",
                                     "Invalid value: must be qualified names");
                }
        }
    }
    const struct fl_kind_hooks *h = fl_kind_hooks_find(t->group, t->kind);
    if (h && h->validate)
        h->validate(doc, &e);
    if (e.ncauses == 0)
        return FL_OK;
    /* `The ConfigMap "x" is invalid: metadata.name: Invalid value: ...` */
    char summary[FL_ERR_MSG_MAX];
    bool many = e.ncauses > 1;
    size_t off = (size_t)snprintf(summary, sizeof(summary), "%s", many ? "[" : "");
    for (int i = 0; i < e.ncauses && off < sizeof(summary); i++)
        off += (size_t)snprintf(summary + off, sizeof(summary) - off, "%s%s: %s",
                                i ? ", " : "", e.causes[i].field, e.causes[i].message);
    if (many && off < sizeof(summary))
        snprintf(summary + off, sizeof(summary) - off, "]");
    fl_errf(err, 422, "Invalid", "%s \"%s\" is invalid: %s", t->kind, name, summary);
    fl_err_details(err, t->group, t->kind, name);
    err->ncauses = e.ncauses;
    memcpy(err->causes, e.causes, sizeof(e.causes));
    return FL_EFAIL;
}
