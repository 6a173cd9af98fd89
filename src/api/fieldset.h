/*
 * Field sets: the sets of field paths server-side apply records per manager
 * (sigs.k8s.io/structured-merge-diff's fieldpath.Set), and their wire form,
 * the FieldsV1 JSON of metadata.managedFields[].fieldsV1.
 *
 * A path is a sequence of path elements: a field of an object (`f:name`), an
 * element of an associative list named by its key fields
 * (`k:{"name":"nginx"}`), an element of a set named by its value
 * (`v:"example.com/x"`), or a list index (`i:0`). A set is a tree whose nodes
 * keep their children sorted as upstream orders path elements (fields, then
 * keys, then values, then indexes; within a type by name, key, value or
 * number), and a node is a member when the path ending there is in the set.
 *
 * Invariants: every node below the root is a member or has children (empty
 * nodes are removed by every operation), so equal sets have equal trees and
 * encode to the same bytes; path elements are deep copies, never borrowed
 * from the documents they were taken from. Decoding is bounded in depth.
 */
#ifndef FL_API_FIELDSET_H
#define FL_API_FIELDSET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define FL_FIELDSET_MAX_DEPTH 100 /* nesting of a fieldsV1 document (= object nesting) */

enum fl_pe_type { FL_PE_FIELD, FL_PE_KEY, FL_PE_VALUE, FL_PE_INDEX };

/* One path element. A view: the strings and values are borrowed. */
struct fl_pe {
    enum fl_pe_type type;
    const char *name;    /* FIELD: the field name */
    const json_t *value; /* KEY: an object of the key fields, names in ascending
                            order; VALUE: the element (a scalar) */
    long index;          /* INDEX */
};

struct fl_fieldset;

/* A new empty set (free with fl_fieldset_free; NULL-safe). */
struct fl_fieldset *fl_fieldset_new(void);
void fl_fieldset_free(struct fl_fieldset *s);
struct fl_fieldset *fl_fieldset_copy(const struct fl_fieldset *s);

bool fl_fieldset_empty(const struct fl_fieldset *s);
bool fl_fieldset_equal(const struct fl_fieldset *a, const struct fl_fieldset *b);

/* Add the path (n >= 1 elements; copied). */
void fl_fieldset_insert(struct fl_fieldset *s, const struct fl_pe *path, size_t n);
/* Is the path a member? */
bool fl_fieldset_has(const struct fl_fieldset *s, const struct fl_pe *path, size_t n);
/* Does the set hold the path or anything below it? */
bool fl_fieldset_has_prefix(const struct fl_fieldset *s, const struct fl_pe *path, size_t n);

/* Direct children: how many, and the i-th one's path element (borrowed),
 * whether it is a member, and its subtree (borrowed, mutable through
 * fl_fieldset_insert only; NULL when it has no children). */
size_t fl_fieldset_width(const struct fl_fieldset *s);
const struct fl_pe *fl_fieldset_at(const struct fl_fieldset *s, size_t i, bool *member,
                                   struct fl_fieldset **sub);
/* The child at pe: NULL if absent, else its subtree (may be NULL: a member
 * without children) with *member set. *found tells the two NULLs apart. */
struct fl_fieldset *fl_fieldset_child(const struct fl_fieldset *s, const struct fl_pe *pe,
                                      bool *member, bool *found);

/* New sets: a ∪ b, a − b (paths of a that are not members of b; b's members
 * do not remove what a holds below them), a ∩ b. */
struct fl_fieldset *fl_fieldset_union(const struct fl_fieldset *a, const struct fl_fieldset *b);
struct fl_fieldset *fl_fieldset_difference(const struct fl_fieldset *a,
                                           const struct fl_fieldset *b);
struct fl_fieldset *fl_fieldset_intersection(const struct fl_fieldset *a,
                                             const struct fl_fieldset *b);

/* Call fn for every member path, upstream's order: at each node its member
 * children first, then the subtrees. path is valid during the call only. */
typedef void (*fl_fieldset_fn)(const struct fl_pe *path, size_t n, void *ctx);
void fl_fieldset_iterate(const struct fl_fieldset *s, fl_fieldset_fn fn, void *ctx);

/* FieldsV1 JSON: {"f:spec": {"f:replicas": {}}, ...}, "." marking a node
 * that is a member and has children. New reference. */
json_t *fl_fieldset_to_json(const struct fl_fieldset *s);
/* Parse FieldsV1 (what upstream accepts: unknown path element types are
 * skipped, "." anywhere). On success *out is a new set. Errors: 400
 * BadRequest for a malformed document or nesting over FL_FIELDSET_MAX_DEPTH. */
int fl_fieldset_from_json(const json_t *fields, struct fl_fieldset **out,
                          struct fl_err *err) FL_MUST_CHECK;

/* Upstream's order of path elements: <0, 0, >0. */
int fl_pe_compare(const struct fl_pe *a, const struct fl_pe *b);
/* The FieldsV1 key of pe ("f:name", "k:{...}", "v:...", "i:3"): new string. */
char *fl_pe_string(const struct fl_pe *pe);
/* A path as upstream prints it in conflicts:
 * .spec.template.spec.containers[name="nginx"].image, [=value], [0].
 * Truncated to fit buf. */
void fl_path_string(const struct fl_pe *path, size_t n, char *buf, size_t len);

/* Total order of JSON values used for keys and set elements (upstream's
 * value.Compare: numbers, strings, booleans, lists, objects, null). */
int fl_json_compare(const json_t *a, const json_t *b);

#endif
