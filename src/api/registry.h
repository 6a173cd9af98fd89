/*
 * The resource types the API serves: one table entry per resource with its
 * group/version, kind, scope, the field selector paths it supports and its
 * validation and defaulting. The router resolves URLs against it and
 * discovery documents are generated from it. Later kinds are added here.
 */
#ifndef FL_API_REGISTRY_H
#define FL_API_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "core/obj.h"

struct fl_rtype {
    const char *group;    /* "" for core */
    const char *version;  /* "v1" */
    const char *resource; /* plural, lower case */
    const char *singular;
    const char *kind;
    const char *list_kind;
    bool namespaced;
    const char *const *short_names; /* NULL-terminated, may be NULL */
    const char *const *fields;      /* field selector paths, NULL-terminated */
    /* Fill defaults in a create/update body (may be NULL). */
    void (*defaults)(json_t *doc);
    /* Kind-specific checks beyond metadata; add causes to err (422). */
    void (*validate)(const json_t *doc, struct fl_err *err);
    /* Value of a kind-specific field selector path (may be NULL). */
    const char *(*field)(struct fl_obj *o, const char *path);
};

/* The resource `resource` of group/version, or NULL. */
const struct fl_rtype *fl_registry_find(const char *group, const char *version,
                                        const char *resource);

/* Iterate: the i-th type, NULL past the end. */
const struct fl_rtype *fl_registry_at(size_t i);

/* "v1" or "group/version". buf >= 128 bytes. */
void fl_rtype_api_version(const struct fl_rtype *t, char *buf, size_t len);

#endif
