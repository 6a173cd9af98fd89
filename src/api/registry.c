/*
 * The served resource types: see registry.h. Validation here is the
 * kind-specific part; metadata (names, labels) is checked for every kind in
 * api/validate.c.
 */
#include "api/registry.h"

#include <stdio.h>
#include <string.h>

#define CONFIGMAP_MAX_BYTES (1024 * 1024)

static const char *const ns_short[] = {"ns", NULL};
static const char *const cm_short[] = {"cm", NULL};
static const char *const ns_fields[] = {"metadata.name", "status.phase", NULL};
static const char *const meta_fields[] = {"metadata.name", "metadata.namespace", NULL};

static void namespace_defaults(json_t *doc)
{
    json_t *spec = json_object_get(doc, "spec");
    if (!json_is_object(spec)) {
        spec = json_object();
        json_object_set_new(doc, "spec", spec);
    }
    if (!json_object_get(spec, "finalizers"))
        json_object_set_new(spec, "finalizers", json_pack("[s]", "kubernetes"));
    json_t *status = json_object_get(doc, "status");
    if (!json_is_object(status)) {
        status = json_object();
        json_object_set_new(doc, "status", status);
    }
    if (!json_object_get(status, "phase"))
        json_object_set_new(status, "phase", json_string("Active"));
}

static const char *namespace_field(struct fl_obj *o, const char *path)
{
    static char phase[32];
    if (strcmp(path, "status.phase") != 0)
        return NULL;
    json_t *doc = fl_obj_json(o);
    snprintf(phase, sizeof(phase), "%s", fl_json_str(json_object_get(doc, "status"), "phase"));
    json_decref(doc);
    return phase;
}

/* A ConfigMap key: [-._a-zA-Z0-9]+, at most 253 characters, not "." or "..". */
static bool config_key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 253 || !strcmp(k, ".") || !strcmp(k, ".."))
        return false;
    for (const char *p = k; *p; p++)
        if (!(*p == '-' || *p == '.' || *p == '_' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

static size_t check_map(const json_t *doc, const char *member, bool base64, struct fl_err *err)
{
    json_t *m = json_object_get(doc, member);
    size_t total = 0;
    if (!m || json_is_null(m))
        return 0;
    if (!json_is_object(m)) {
        fl_err_cause(err, "FieldValueInvalid", member, "must be a map of strings");
        return 0;
    }
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        char field[160];
        snprintf(field, sizeof(field), "%s[%s]", member, k);
        if (!config_key_ok(k))
            fl_err_cause(err, "FieldValueInvalid", field,
                         "Invalid value: \"%s\": a valid config key must consist of "
                         "alphanumeric characters, '-', '_' or '.'",
                         k);
        if (!json_is_string(v)) {
            fl_err_cause(err, "FieldValueInvalid", field, "must be a string");
            continue;
        }
        total += strlen(k) + json_string_length(v);
        (void)base64; /* binaryData is base64 text; its length bounds the data */
    }
    return total;
}

static void configmap_validate(const json_t *doc, struct fl_err *err)
{
    size_t total = check_map(doc, "data", false, err) + check_map(doc, "binaryData", true, err);
    if (total > CONFIGMAP_MAX_BYTES)
        fl_err_cause(err, "FieldValueTooLong", "[]",
                     "Too long: must have at most %d bytes", CONFIGMAP_MAX_BYTES);
    json_t *data = json_object_get(doc, "data"), *bin = json_object_get(doc, "binaryData");
    const char *k;
    json_t *v;
    if (json_is_object(data) && json_is_object(bin))
        json_object_foreach(data, k, v)
        {
            if (json_object_get(bin, k)) {
                char field[160];
                snprintf(field, sizeof(field), "data[%s]", k);
                fl_err_cause(err, "FieldValueInvalid", field,
                             "Invalid value: \"%s\": duplicate of key present in binaryData",
                             k);
            }
        }
}

static const struct fl_rtype types[] = {
    {
        .group = "",
        .version = "v1",
        .resource = "namespaces",
        .singular = "namespace",
        .kind = "Namespace",
        .list_kind = "NamespaceList",
        .namespaced = false,
        .short_names = ns_short,
        .fields = ns_fields,
        .defaults = namespace_defaults,
        .field = namespace_field,
    },
    {
        .group = "",
        .version = "v1",
        .resource = "configmaps",
        .singular = "configmap",
        .kind = "ConfigMap",
        .list_kind = "ConfigMapList",
        .namespaced = true,
        .short_names = cm_short,
        .fields = meta_fields,
        .validate = configmap_validate,
    },
};

const struct fl_rtype *fl_registry_find(const char *group, const char *version,
                                        const char *resource)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(types); i++)
        if (!strcmp(types[i].group, group) && !strcmp(types[i].version, version) &&
            !strcmp(types[i].resource, resource))
            return &types[i];
    return NULL;
}

const struct fl_rtype *fl_registry_at(size_t i)
{
    return i < FL_ARRAY_LEN(types) ? &types[i] : NULL;
}

void fl_rtype_api_version(const struct fl_rtype *t, char *buf, size_t len)
{
    if (t->group[0])
        snprintf(buf, len, "%s/%s", t->group, t->version);
    else
        snprintf(buf, len, "%s", t->version);
}
