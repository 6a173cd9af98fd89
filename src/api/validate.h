/*
 * Validation of a create/update body against its resource type: metadata for
 * every kind (name, labels, annotations), then the kind's own checks. All
 * problems are gathered as causes of one 422 Invalid error, which kubectl
 * prints as `The ConfigMap "x" is invalid: metadata.name: Invalid value: ...`.
 */
#ifndef FL_API_VALIDATE_H
#define FL_API_VALIDATE_H

#include <jansson.h>

#include "api/registry.h"
#include "core/err.h"

#define FL_ANNOTATIONS_MAX_BYTES (256 * 1024)

int fl_validate(const struct fl_rtype *t, const json_t *doc, struct fl_err *err) FL_MUST_CHECK;

#endif
