/*
 * Structural schemas of custom resources, as apiextensions-apiserver applies
 * a CRD version's openAPIV3Schema to a request body: prune the fields the
 * schema does not know, fill defaults, then validate. The module is pure (no
 * I/O, no global state); schemas and documents are jansson values.
 *
 * What it follows upstream on (k8s.io/apiextensions-apiserver 1.32 pruning,
 * structural defaulting and kube-openapi validation):
 *
 * - Pruning: in an object, a field is kept when `properties` names it, when
 *   `additionalProperties` is a schema (then its value is pruned against that
 *   schema) or true, or when the level says
 *   `x-kubernetes-preserve-unknown-fields: true`; otherwise it is dropped. An
 *   object schema with none of these keeps no fields. At the resource root and
 *   in `x-kubernetes-embedded-resource` objects, apiVersion and kind are always
 *   kept and metadata is pruned to ObjectMeta's fields. Nothing below
 *   `x-kubernetes-int-or-string` is touched.
 * - Defaulting: a property's `default` is deep-copied into objects that exist
 *   and lack the field (or hold null while the property is not nullable), then
 *   defaulting continues inside the value; a non-nullable null without a
 *   default is removed.
 * - Validation: type (object, array, string, integer, number, boolean; an
 *   integral JSON real counts as an integer), nullable, required, enum,
 *   minimum/maximum (+ exclusiveMinimum/exclusiveMaximum), multipleOf,
 *   minLength/maxLength (in code points), pattern, format date-time and date,
 *   minItems/maxItems, minProperties/maxProperties, properties, items,
 *   additionalProperties (schema or false), x-kubernetes-int-or-string,
 *   x-kubernetes-list-type set/map (duplicates; map keys from
 *   x-kubernetes-list-map-keys), allOf/anyOf/oneOf/not. Metadata is not
 *   validated here (api/validate.c does ObjectMeta for every kind).
 *
 * Patterns are compiled with POSIX regcomp(REG_EXTENDED), an approximation
 * of the ECMA 262 regexps upstream uses: \d \D \w \W \s \S, (?:...) and
 * escapes inside [...] are translated. A pattern that still does not compile
 * is ignored (upstream would have refused the CRD), and so is one whose
 * compiled form would be too costly for glibc (repetition bounds over 1000,
 * nested or stacked repetitions that expand past a node budget): everything
 * matches it. Each check compiles the pattern (no cache).
 *
 * Problems become fl_err causes (at most FL_ERR_CAUSES_MAX are kept), worded
 * and typed as kube-apiserver words the field errors of a custom resource,
 * with upstream field paths ("spec.replicas", "spec.items[0].name"):
 *   FieldValueTypeInvalid  Invalid value: "string": spec.replicas in body must
 *                          be of type integer: "string"
 *   FieldValueRequired     Required value
 *   FieldValueNotSupported Unsupported value: "x": supported values: "a", "b"
 *   FieldValueInvalid      Invalid value: 5: spec.replicas in body should be
 *                          less than or equal to 3
 *   FieldValueTooLong      Too long: may not be more than 5 bytes
 *   FieldValueTooMany      Too many: 4: must have at most 3 items
 *   FieldValueDuplicate    Duplicate value: "a"
 * Nesting deeper than FL_SCHEMA_MAX_DEPTH levels is not descended into (a
 * cause says so when validating).
 */
#ifndef FL_API_SCHEMA_H
#define FL_API_SCHEMA_H

#include <jansson.h>

#include "core/err.h"

#define FL_SCHEMA_MAX_DEPTH 64

/* Prune, default and validate doc (a whole resource: root rules apply) in
 * place against schema (borrowed; NULL or a non-object accepts anything and
 * changes nothing). Returns FL_OK when doc is valid; FL_EFAIL when it is not,
 * with one cause per problem appended to err (err's code, reason and message
 * are left alone: the caller wraps the causes in a 422 Invalid). */
int fl_schema_apply(const json_t *schema, json_t *doc, struct fl_err *err) FL_MUST_CHECK;

/* The three steps on their own (root rules apply to doc). */
void fl_schema_prune(const json_t *schema, json_t *doc);
void fl_schema_default(const json_t *schema, json_t *doc);
/* Returns the number of problems found (causes past the cap included). */
int fl_schema_validate(const json_t *schema, const json_t *doc, struct fl_err *err);

#endif
