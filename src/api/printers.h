/*
 * Table printers: what kube-apiserver answers when a client asks for
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get). For each
 * resource this module knows the column definitions (name, type, format,
 * description, priority; priority 1 = only shown by `kubectl get -o wide`) and
 * how to turn one object into the cells of its row. It mirrors upstream:
 *
 * - built-in kinds: k8s.io/kubernetes pkg/printers/internalversion (1.32), with
 *   the server's behaviour of always generating the wide cells (the client drops
 *   the priority-1 columns it does not want);
 * - custom resources: apiextensions-apiserver's tableconvertor: a Name column
 *   first, then one column per additionalPrinterColumns entry evaluated with a
 *   JSONPath; a CRD that declares no columns gets a single Age column (type date);
 * - Karmada kinds: clusters.cluster.karmada.io has a real printer upstream (the
 *   aggregated apiserver); the policy/work/autoscaling CRD kinds use the
 *   additionalPrinterColumns their CRDs declare, evaluated as above;
 * - anything else: Name + Age, what a custom resource without printer columns
 *   prints.
 *
 * Cells are JSON values: strings, JSON integers where upstream puts an int64 in
 * the cell (even under a column whose type says "string", as upstream does),
 * booleans, or null. Ages are human durations ("21s", "5m3s", "2d3h") computed
 * from RFC 3339 timestamps against a caller-supplied `now`, so rows are
 * reproducible in tests. The module is pure: no I/O, no global mutable state.
 */
#ifndef FL_API_PRINTERS_H
#define FL_API_PRINTERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* One column of a meta.k8s.io/v1 Table. Strings are static and never NULL. */
struct fl_column {
    const char *name, *type, *format, *description;
    int priority;
};

/* The columns for a resource (lowercase plural; group "" = core). Unknown
 * resources get the default Name + Age columns. Returns a borrowed static
 * array (never NULL); *n gets its length. */
const struct fl_column *fl_printer_columns(const char *group, const char *resource, size_t *n);

/* The columnDefinitions JSON array for `cols` (as returned above): a new
 * reference, every member present ("format": "" included), as the Table wire
 * format has it. */
json_t *fl_printer_columns_json(const struct fl_column *cols, size_t n);

/* The cells of one object's row, one JSON value per column of
 * fl_printer_columns(group, resource) and in the same order. `obj` is the full
 * object (borrowed, not modified); missing fields print as upstream prints
 * their zero value. `now` is unix seconds. Returns a new reference to a JSON
 * array (never NULL). */
json_t *fl_printer_cells(const char *group, const char *resource, const json_t *obj, int64_t now);

/* The row conditions upstream attaches (pods only: a Succeeded or Failed pod
 * carries [{"type":"Completed","status":"True","reason":...,"message":...}]).
 * Returns a new reference to a JSON array, or NULL when the row has none (then
 * the row has no "conditions" member). */
json_t *fl_printer_row_conditions(const char *group, const char *resource, const json_t *obj);

/* Column definitions for a custom resource, from the served version's
 * spec.versions[].additionalPrinterColumns (a JSON array of
 * {name, type, format, description, priority, jsonPath}; NULL or empty = none
 * declared). Name comes first; a missing description becomes
 * "Custom resource definition column (in JSONPath format): <jsonPath>"; with no
 * columns declared, a single Age column of type date is served, as upstream
 * does. Returns a new reference to the columnDefinitions JSON array. */
json_t *fl_printer_crd_columns(const json_t *additional_printer_columns);

/* The cells for one custom resource under those columns: metadata.name, then
 * each jsonPath's first match converted by the column type (string: printed as
 * kubectl's JSONPath prints it; integer/number/boolean: the JSON value or null;
 * date: a human age). The JSONPath subset: dotted fields, `['key']`, `[N]`
 * (negative from the end), `[*]`, `.*`, and filters `[?(@.a.b == "x")]` with
 * ==, !=, <, <=, >, >= or bare existence. A missing value, or a path outside
 * the subset, gives null. Returns a new reference to a JSON array (never NULL). */
json_t *fl_printer_crd_cells(const json_t *additional_printer_columns, const json_t *obj,
                             int64_t now);

/* `seconds` as apimachinery's duration.HumanDuration prints it: "<invalid>"
 * below -1s, "0s" for -1s, "Ns" below 2 minutes, then "4m5s", "45m", "5h3m",
 * "10h", "3d4h", "40d", "2y30d", "9y". buf must hold at least 32 bytes. */
void fl_printer_age(int64_t seconds, char *buf, size_t len);

#endif
