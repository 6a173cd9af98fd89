/*
 * Label selectors, as in k8s.io/apimachinery/pkg/labels: a comma-separated
 * AND of requirements, each one of
 *   key=value  key==value  key!=value        equality
 *   key in (a,b)  key notin (a,b)            set-based
 *   key  !key                                exists / does not exist
 *   key>N  key<N                             integer comparison (upstream gt/lt;
 *                                            an absent or non-integer label fails)
 * As upstream, `key in ()` is the set {""} and `key=` pins the empty value.
 * Keys and values are validated as Kubernetes label keys/values (names.h).
 * A parsed selector is immutable and owned by the caller.
 */
#ifndef FL_CORE_LABELS_H
#define FL_CORE_LABELS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"

#define FL_LABELSEL_MAX_REQS 64    /* requirements per selector */
#define FL_LABELSEL_MAX_VALUES 256 /* values in one in/notin set */
#define FL_LABELSEL_MAX_LEN 8192   /* selector string length */

struct fl_labelsel;

/* Parse `text` (may be NULL or "": the selector that matches everything).
 * On success *out is a new selector. On error returns FL_EFAIL with err set to
 * 400 BadRequest and a message naming the offending part. */
int fl_labelsel_parse(const char *text, struct fl_labelsel **out, struct fl_err *err)
    FL_MUST_CHECK;

/* Does the selector match this labels object (a JSON object of string values;
 * NULL means no labels)? */
bool fl_labelsel_match(const struct fl_labelsel *sel, const json_t *labels);

/* True when the selector has no requirements (matches everything). */
bool fl_labelsel_empty(const struct fl_labelsel *sel);

void fl_labelsel_free(struct fl_labelsel *sel);

/* metav1.LabelSelector given as JSON (matchLabels, matchExpressions with In,
 * NotIn, Exists, DoesNotExist): does it match labels? A NULL selector or
 * absent parts require nothing; an expression without a string key or
 * operator, or with another operator, matches nothing (validation rejects
 * those). */
bool fl_labelsel_json_match(const json_t *sel, const json_t *labels);

#endif
