/*
 * Stored objects: see obj.h. One allocation holds the header, the key and the
 * bytes, so an object costs its bytes plus ~64 bytes until someone asks for
 * its metadata.
 */
#include "core/obj.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

struct fl_obj *fl_obj_new(const char *key, size_t keylen, const char *bytes, size_t len,
                          uint64_t create_rev, uint64_t rev)
{
    struct fl_obj *o = fl_xmalloc(sizeof(*o) + len + 1 + keylen + 1);
    o->refs = 1;
    o->create_rev = create_rev;
    o->rev = rev;
    o->meta = NULL;
    o->len = len;
    memcpy(o->bytes, bytes, len);
    o->bytes[len] = '\0';
    char *k = o->bytes + len + 1;
    memcpy(k, key, keylen);
    k[keylen] = '\0';
    o->key = k;
    return o;
}

struct fl_obj *fl_obj_from_json(const char *key, const json_t *doc, uint64_t create_rev,
                                uint64_t rev)
{
    char *s = json_dumps(doc, JSON_COMPACT);
    FL_ASSERT(s != NULL);
    struct fl_obj *o = fl_obj_new(key, strlen(key), s, strlen(s), create_rev, rev);
    free(s);
    return o;
}

struct fl_obj *fl_obj_ref(struct fl_obj *o)
{
    if (o)
        o->refs++;
    return o;
}

static void meta_free(struct fl_meta *m)
{
    if (!m)
        return;
    json_decref(m->doc);
    free(m);
}

void fl_obj_unref(struct fl_obj *o)
{
    if (!o)
        return;
    FL_ASSERT(o->refs > 0);
    if (--o->refs > 0)
        return;
    meta_free(o->meta);
    free(o);
}

json_t *fl_obj_json(const struct fl_obj *o)
{
    return json_loadb(o->bytes, o->len, 0, NULL);
}

const char *fl_json_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

void fl_json_copy_member(json_t *dst, const json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    if (v)
        json_object_set(dst, key, v);
    else
        json_object_del(dst, key);
}

const char *fl_json_type_name(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

json_t *fl_json_metadata(json_t *doc)
{
    json_t *md = json_object_get(doc, "metadata");
    if (!json_is_object(md)) {
        md = json_object();
        json_object_set_new(doc, "metadata", md);
    }
    return md;
}

/* Member `key` of md if it has type `type`, else a new empty one stored in md. */
static json_t *member_of_type(json_t *md, const char *key, json_type type)
{
    json_t *v = json_object_get(md, key);
    if (v && json_typeof(v) == type)
        return v;
    v = type == JSON_OBJECT ? json_object() : json_array();
    json_object_set_new(md, key, v);
    return v;
}

const struct fl_meta *fl_obj_meta(struct fl_obj *o)
{
    if (o->meta)
        return o->meta;
    struct fl_meta *m = fl_xcalloc(1, sizeof(*m));
    json_t *full = fl_obj_json(o);
    m->doc = json_object();
    if (full) {
        json_object_set(m->doc, "apiVersion", json_object_get(full, "apiVersion"));
        json_object_set(m->doc, "kind", json_object_get(full, "kind"));
        json_object_set(m->doc, "metadata", json_object_get(full, "metadata"));
        json_decref(full);
    }
    /* json_object_set with a NULL value fails and leaves the key out: fine. */
    json_t *md = fl_json_metadata(m->doc);
    m->api_version = fl_json_str(m->doc, "apiVersion");
    m->kind = fl_json_str(m->doc, "kind");
    m->ns = fl_json_str(md, "namespace");
    m->name = fl_json_str(md, "name");
    m->uid = fl_json_str(md, "uid");
    m->creation_timestamp = fl_json_str(md, "creationTimestamp");
    m->deletion_timestamp = fl_json_str(md, "deletionTimestamp");
    m->generation = json_integer_value(json_object_get(md, "generation"));
    m->labels = member_of_type(md, "labels", JSON_OBJECT);
    m->annotations = member_of_type(md, "annotations", JSON_OBJECT);
    m->owner_refs = member_of_type(md, "ownerReferences", JSON_ARRAY);
    m->finalizers = member_of_type(md, "finalizers", JSON_ARRAY);
    o->meta = m;
    return m;
}

void fl_time_rfc3339(int64_t unix_seconds, char *buf, size_t len)
{
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void fl_uuid4(char *buf, size_t len)
{
    unsigned char r[16];
    size_t got = 0;
    while (got < sizeof(r)) {
        ssize_t n = getrandom(r + got, sizeof(r) - got, 0);
        FL_ASSERT(n > 0);
        got += (size_t)n;
    }
    r[6] = (r[6] & 0x0f) | 0x40;
    r[8] = (r[8] & 0x3f) | 0x80;
    snprintf(buf, len,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
             r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
             r[14], r[15]);
}
