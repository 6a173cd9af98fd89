/*
 * The stored object: immutable and refcounted. It holds the serialized JSON
 * bytes (exactly what GET returns), the revisions that made it, its store key,
 * and metadata extracted lazily on first use.
 *
 * Why bytes and not the parsed tree: a parsed jansson tree of a 1 KiB
 * ConfigMap costs ~2.3 KiB more than its bytes (measured), which would break
 * the <= 3 KiB-per-object memory budget, and parsing 1M objects at startup
 * would break the 5 s startup budget. So reads serve the bytes, and code that
 * needs the tree asks for a fresh copy with fl_obj_json().
 *
 * Invariants: bytes are a valid JSON object whose metadata.resourceVersion is
 * the decimal of `rev`; nothing in the struct changes after construction
 * except `refs` and the lazily filled `meta` (single-threaded: no locks).
 */
#ifndef FL_CORE_OBJ_H
#define FL_CORE_OBJ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Metadata extracted once. Strings are borrowed from `doc` (the object's
 * "metadata" member plus apiVersion/kind) and never NULL (missing: ""). */
struct fl_meta {
    json_t *doc; /* owned: {"apiVersion", "kind", "metadata"} */
    const char *api_version, *kind;
    const char *ns, *name, *uid;
    const char *creation_timestamp, *deletion_timestamp;
    int64_t generation;
    json_t *labels, *annotations; /* objects, possibly empty */
    json_t *owner_refs, *finalizers; /* arrays, possibly empty */
};

struct fl_obj {
    int refs;
    uint64_t create_rev; /* revision that created the key */
    uint64_t rev;        /* revision of this version == resourceVersion */
    struct fl_meta *meta; /* lazily extracted, see fl_obj_meta */
    const char *key;     /* store key, inside the same allocation */
    size_t len;          /* length of bytes */
    char bytes[];        /* NUL-terminated serialized JSON */
};

/* New object (refs = 1) copying `bytes` and `key`. Does not parse. */
struct fl_obj *fl_obj_new(const char *key, size_t keylen, const char *bytes, size_t len,
                          uint64_t create_rev, uint64_t rev);

/* New object from a JSON tree: serializes it compactly (key order kept). */
struct fl_obj *fl_obj_from_json(const char *key, const json_t *doc, uint64_t create_rev,
                                uint64_t rev);

/* Takes a reference; returns o. NULL-safe. */
struct fl_obj *fl_obj_ref(struct fl_obj *o);
/* Drops a reference; frees at zero. NULL-safe. */
void fl_obj_unref(struct fl_obj *o);

/* A freshly parsed copy of the object: new reference, caller decrefs. Returns
 * NULL only if the bytes are not JSON (a corrupt store record). */
json_t *fl_obj_json(const struct fl_obj *o);

/* The extracted metadata (borrowed, lives as long as the object). Never NULL:
 * an object whose bytes do not parse gets empty metadata. */
const struct fl_meta *fl_obj_meta(struct fl_obj *o);

/* Small JSON helpers shared by the store and the API. */
/* metadata member of doc, created as {} if missing (borrowed). */
json_t *fl_json_metadata(json_t *doc);
/* String member or "" (borrowed). */
const char *fl_json_str(const json_t *obj, const char *key);
/* dst[key] = src[key] (a shared reference), or no dst[key] when src has none. */
void fl_json_copy_member(json_t *dst, const json_t *src, const char *key);
/* The JSON Schema type name of v: "object", "array", "string", "integer",
 * "number", "boolean" or "null". */
const char *fl_json_type_name(const json_t *v);

/* RFC 3339 UTC timestamp with second precision into buf (>= 21 bytes). */
void fl_time_rfc3339(int64_t unix_seconds, char *buf, size_t len);
/* A random RFC 4122 version 4 UUID into buf (>= 37 bytes). */
void fl_uuid4(char *buf, size_t len);

#endif
