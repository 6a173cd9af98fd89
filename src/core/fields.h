/*
 * Field selectors, as in k8s.io/apimachinery/pkg/fields: a comma-separated
 * AND of `path=value`, `path==value` or `path!=value`. Which paths are
 * allowed depends on the kind (metadata.name and metadata.namespace always;
 * the API layer checks the rest with fl_fieldsel_check). Values may use the
 * backslash escapes of the upstream parser (\, \= \! \\).
 */
#ifndef FL_CORE_FIELDS_H
#define FL_CORE_FIELDS_H

#include <stdbool.h>

#include "core/err.h"

#define FL_FIELDSEL_MAX_REQS 32
#define FL_FIELDSEL_MAX_LEN 8192

struct fl_fieldsel;

/* Returns the value of `path` for the object being matched, or NULL when the
 * object has no such field (NULL compares equal to ""). */
typedef const char *(*fl_field_get_fn)(const char *path, void *ctx);

/* Parse `text` (NULL or "" matches everything). Errors: 400 BadRequest. */
int fl_fieldsel_parse(const char *text, struct fl_fieldsel **out, struct fl_err *err)
    FL_MUST_CHECK;

/* Check that every path in the selector is in the NULL-terminated `allowed`
 * list; otherwise 400 BadRequest: `field label not supported: <path>`. */
int fl_fieldsel_check(const struct fl_fieldsel *sel, const char *const *allowed,
                      struct fl_err *err) FL_MUST_CHECK;

bool fl_fieldsel_match(const struct fl_fieldsel *sel, fl_field_get_fn get, void *ctx);

/* If the selector pins `path` with = or ==, the value (borrowed); else NULL.
 * Lets the store turn metadata.name=x into a point lookup. */
const char *fl_fieldsel_exact(const struct fl_fieldsel *sel, const char *path);

bool fl_fieldsel_empty(const struct fl_fieldsel *sel);

void fl_fieldsel_free(struct fl_fieldsel *sel);

#endif
