/*
 * The fleet file: the clusters one `flotilla member` process hosts (YAML,
 * documented in docs/fleet-file.md). Parsing checks every field and reports
 * the first problem with its place in the file; nothing is half-loaded.
 */
#ifndef FL_MEMBER_FLEET_H
#define FL_MEMBER_FLEET_H

#include <stddef.h>

#include "core/err.h"
#include "member/member.h"

struct fl_fleet {
    struct fl_member_spec **clusters; /* owned; an entry set to NULL was taken */
    size_t n;
};

/* Parse a fleet file from text (what: a name for messages, e.g. the path).
 * Errors: 400 BadRequest naming the file, line and field
 * ("fleet.yaml:7: clusters[0].nodePools[1].count: must be a non-negative integer"). */
int fl_fleet_parse(const char *text, size_t len, const char *what, struct fl_fleet *out,
                   struct fl_err *err) FL_MUST_CHECK;
/* Read and parse a file. */
int fl_fleet_load(const char *path, struct fl_fleet *out, struct fl_err *err) FL_MUST_CHECK;
void fl_fleet_release(struct fl_fleet *f); /* frees the specs not taken */

/* A spec with every default and no node pools, named name (copied). */
struct fl_member_spec *fl_member_spec_new(const char *name);

#endif
