/*
 * Kind hooks of built-in types: see kinds.h. The table at the end maps
 * group/kind to its defaulting and validation functions.
 */
#include "api/kinds.h"

#include <stdio.h>
#include <string.h>

#include "core/obj.h"

#define CONFIGMAP_MAX_BYTES (1024 * 1024)

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

static const struct fl_kind_hooks hooks[] = {
    {"", "Namespace", namespace_defaults, NULL},
    {"", "ConfigMap", NULL, configmap_validate},
};

const struct fl_kind_hooks *fl_kind_hooks_find(const char *group, const char *kind)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(hooks); i++)
        if (!strcmp(hooks[i].group, group) && !strcmp(hooks[i].kind, kind))
            return &hooks[i];
    return NULL;
}
