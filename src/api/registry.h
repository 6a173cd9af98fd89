/*
 * The resource types the API serves: one entry per (group, version,
 * resource) with its kind, scope, short names, categories, field selector
 * paths, subresources and the kind's defaulting and validation. The router
 * resolves URLs against it; discovery, tables and patch strategy follow it.
 * Kind-specific defaulting and validation live in kinds.h.
 *
 * Built-in types are a static table; CustomResourceDefinitions add and remove
 * entries at run time (fl_registry_add/remove). Entries are never freed while
 * the process runs (a removed CRD's entry is retired, not freed), so a
 * pointer obtained during a request stays valid.
 */
#ifndef FL_API_REGISTRY_H
#define FL_API_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "core/obj.h"

/* Where the scale subresource reads and writes (dotted JSON paths). */
struct fl_scale_paths {
    const char *spec_replicas;   /* "spec.replicas" */
    const char *status_replicas; /* "status.replicas" */
    const char *label_selector;  /* a CRD's labelSelectorPath ("status.selector"),
                                    a string; NULL: spec.selector (built-ins) */
};

struct fl_rtype {
    const char *group;    /* "" for core */
    const char *version;  /* "v1" */
    const char *resource; /* plural, lower case */
    const char *singular;
    const char *kind;
    const char *list_kind;
    bool namespaced;
    const char *const *short_names; /* NULL-terminated, may be NULL */
    const char *const *categories;  /* NULL-terminated, may be NULL ("all") */
    const char *const *fields;      /* field selector paths, NULL-terminated */
    bool status;                    /* has a status subresource */
    const struct fl_scale_paths *scale; /* has a scale subresource */
    bool builtin;                   /* strategic merge patch applies */
    bool generation;                /* objects carry metadata.generation */
    bool computed;                  /* not stored: read-only, answered by the API's
                                       extension (api.h), e.g. metrics.k8s.io */
    /* For CRD-defined types: the served version's openAPIV3Schema and
     * additionalPrinterColumns (owned by the entry; NULL for built-ins). */
    json_t *schema;
    json_t *printer_columns;
};

/* The resource `resource` of group/version, or NULL. */
const struct fl_rtype *fl_registry_find(const char *group, const char *version,
                                        const char *resource);

/* Serve the computed types (metrics.k8s.io PodMetrics and NodeMetrics) from
 * now on: for processes whose APIs have an extension answering them
 * (`flotilla member`). Process-wide. */
void fl_registry_serve_computed(void);

/* Iterate: the i-th served type, NULL past the end. Built-ins first. */
const struct fl_rtype *fl_registry_at(size_t i);

/* Serve a new type (a CRD version): copies everything in t (schema and
 * printer_columns are taken as new references). Replaces an existing dynamic
 * entry for the same group/version/resource. 409 if it would shadow a
 * built-in type. */
int fl_registry_add(const struct fl_rtype *t, struct fl_err *err) FL_MUST_CHECK;

/* Stop serving every version of group/resource added by fl_registry_add. */
void fl_registry_remove(const char *group, const char *resource);

/* "v1" or "group/version". buf >= 320 bytes. */
void fl_rtype_api_version(const struct fl_rtype *t, char *buf, size_t len);

/* Drop every dynamic entry (for tests and shutdown). */
void fl_registry_reset(void);

#endif
