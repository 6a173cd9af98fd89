/*
 * Server-side apply and field management: see apply.h. Reading order:
 *
 *   1. query checks and the default manager name;
 *   2. the body: JSON, else YAML through libyaml with the YAML 1.1 scalar
 *      rules of go-yaml v2 (what sigs.k8s.io/yaml, and so kube-apiserver,
 *      uses), bounded in depth and in values (aliases count what they expand
 *      to);
 *   3. the schema: what a node of an object is (a leaf, an object merged
 *      field by field, an associative list and its keys), from the OpenAPI
 *      schema of the kind, falling back to the value's own shape;
 *   4. the walks of structured-merge-diff's typed package, each over one or
 *      two values and the schema: to_set (ToFieldSet), merge (Merge),
 *      compare (Compare), remove_items (RemoveItems), ensure_named
 *      (EnsureNamedFieldsAreMembers);
 *   5. managedFields: decoding, the manager identities, the order and the
 *      cap on Update entries;
 *   6. fl_apply (merge.Updater.Apply with the fieldmanager wrappers around
 *      it) and fl_apply_track_update (merge.Updater.Update).
 *
 * Field sets are computed in full, not stripped, while an operation runs;
 * the fields upstream never records (apiVersion, kind, metadata.name, ...)
 * are stripped from the entry of the manager that wrote, as upstream's
 * stripMetaManager does.
 */
#include "api/apply.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "api/fieldset.h"
#include "api/openapi.h"
#include "core/obj.h"

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"
#define ANNOTATIONS_MAX (256 * 1024) /* total size of annotations (upstream) */
#define BEFORE_FIRST_APPLY "before-first-apply"
#define ANCIENT_CHANGES "ancient-changes"
#define MAX_KEYS 8 /* key fields of an associative list */
#define MAX_ANCHORS 1024
#define REF_HOPS 32

/* ---- clock -------------------------------------------------------------- */

static int64_t (*clock_now)(void);

void fl_apply_set_clock(int64_t (*now)(void))
{
    clock_now = now;
}

static void now_string(char *buf, size_t len)
{
    fl_time_rfc3339(clock_now ? clock_now() : (int64_t)time(NULL), buf, len);
}

/* ---- query checks ------------------------------------------------------- */

static int invalid_option(struct fl_err *err, const char *kind, const char *field, const char *type,
                          const char *detail)
{
    fl_errf(err, 422, "Invalid", "%s.meta.k8s.io \"\" is invalid: %s: %s", kind, field, detail);
    fl_err_details(err, "meta.k8s.io", kind, "");
    fl_err_cause(err, type, field, "%s", detail);
    return FL_EFAIL;
}

int fl_apply_check_options(const char *options_kind, bool apply, const char *field_manager,
                           bool force_given, struct fl_err *err)
{
    if (!apply && force_given && !strcmp(options_kind, "PatchOptions"))
        return invalid_option(err, options_kind, "force", "FieldValueForbidden",
                              "Forbidden: may not be specified for non-apply patch");
    if (apply && (!field_manager || !field_manager[0]))
        return invalid_option(err, options_kind, "fieldManager", "FieldValueRequired",
                              "Required value: is required for apply patch");
    if (!field_manager)
        return FL_OK;
    if (strlen(field_manager) > FL_APPLY_MANAGER_MAX)
        return invalid_option(err, options_kind, "fieldManager", "FieldValueTooLong",
                              "Too long: may not be more than 128 bytes");
    for (const unsigned char *p = (const unsigned char *)field_manager; *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            char field[64], detail[FL_APPLY_MANAGER_MAX + 64];
            snprintf(field, sizeof(field), "fieldManager[%d]",
                     (int)(p - (const unsigned char *)field_manager));
            snprintf(detail, sizeof(detail),
                     "Invalid value: \"%s\": invalid characters in fieldManager", field_manager);
            return invalid_option(err, options_kind, field, "FieldValueInvalid", detail);
        }
    return FL_OK;
}

void fl_apply_manager_from_agent(const char *user_agent, char *buf, size_t len)
{
    size_t o = 0, max = len - 1 < FL_APPLY_MANAGER_MAX ? len - 1 : FL_APPLY_MANAGER_MAX;
    const unsigned char *p = (const unsigned char *)(user_agent ? user_agent : "");
    FL_ASSERT(len > 0);
    while (*p && *p != '/') {
        if (*p < 0x20 || *p == 0x7f) {
            p++;
            continue;
        }
        /* Whole UTF-8 sequences only, as upstream counts runes. */
        size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
        size_t have = strnlen((const char *)p, n);
        if (o + have > max)
            break;
        memcpy(buf + o, p, have);
        o += have;
        p += have;
    }
    buf[o] = '\0';
}

/* ---- the body: JSON or YAML --------------------------------------------- */

struct anchor {
    char *name;
    json_t *v;
    size_t size; /* values it expands to */
};

struct ydec {
    yaml_parser_t p;
    struct anchor *anchors;
    size_t nanchors;
    size_t nodes;
    bool failed; /* err is filled: the first problem wins */
    struct fl_err *err;
};

static int yaml_fail(struct ydec *y, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int yaml_fail(struct ydec *y, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!y->failed)
        fl_errf(y->err, 400, "BadRequest", "error decoding YAML: error converting YAML to JSON: %s",
                msg);
    y->failed = true;
    return FL_EFAIL;
}

/* Next event, or an error worded like go-yaml's ("yaml: line 3: ..."). */
static int ynext(struct ydec *y, yaml_event_t *ev)
{
    if (yaml_parser_parse(&y->p, ev))
        return FL_OK;
    size_t line = 0;
    if (y->p.problem_mark.line != 0)
        line = y->p.problem_mark.line + (y->p.error == YAML_SCANNER_ERROR);
    else if (y->p.context_mark.line != 0)
        line = y->p.context_mark.line;
    if (line)
        return yaml_fail(y, "yaml: line %zu: %s", line,
                         y->p.problem ? y->p.problem : "unknown problem parsing YAML content");
    return yaml_fail(y, "yaml: %s",
                     y->p.problem ? y->p.problem : "unknown problem parsing YAML content");
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return true;
    return false;
}

/* strconv.ParseInt(s, 0, 64): sign, then 0x / 0o / 0b / leading-0 octal or
 * decimal digits. */
static bool parse_int(const char *s, long long *out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
        base = 8, p += 2;
    else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
        base = 2, p += 2;
    else if (p[0] == '0' && p[1])
        base = 8, p += 1;
    if (!*p || *p == '+' || *p == '-' || *p == ' ')
        return false;
    char *end;
    errno = 0;
    unsigned long long u = strtoull(p, &end, base);
    if (*end || errno)
        return false;
    if (u > (unsigned long long)LLONG_MAX + neg)
        return false;
    *out = neg ? (long long)(0 - u) : (long long)u;
    return true;
}

/* go-yaml's float pattern: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool float_like(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = strspn(p, "0123456789");
    if (digits) {
        p += digits;
        if (*p == '.')
            p += 1 + strspn(p + 1, "0123456789");
    } else {
        if (*p != '.' || !strspn(p + 1, "0123456789"))
            return false;
        p += 1 + strspn(p + 1, "0123456789");
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        size_t e = strspn(p, "0123456789");
        if (!e)
            return false;
        p += e;
    }
    return *p == '\0';
}

/* A plain scalar, resolved as go-yaml v2 does (timestamps stay strings). */
static json_t *plain_scalar(struct ydec *y, const char *s, size_t n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    static const char *const trues[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                        "True", "TRUE", "on",  "On",  "ON"};
    static const char *const falses[] = {"n",     "N",     "no",  "No",  "NO", "false",
                                         "False", "FALSE", "off", "Off", "OFF"};
    static const char *const specials[] = {".nan",  ".NaN",  ".NAN",  ".inf",  ".Inf",  ".INF",
                                           "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"};
    if (strlen(s) != n) /* a NUL inside: only a string can hold it */
        return json_stringn(s, n);
    if (in_list(s, nulls, FL_ARRAY_LEN(nulls)))
        return json_null();
    if (in_list(s, trues, FL_ARRAY_LEN(trues)))
        return json_true();
    if (in_list(s, falses, FL_ARRAY_LEN(falses)))
        return json_false();
    if (in_list(s, specials, FL_ARRAY_LEN(specials))) {
        yaml_fail(y, "json: unsupported value: %s", s);
        return NULL;
    }
    if (n < 64 && strchr("+-0123456789.", s[0])) {
        char plain[64];
        size_t o = 0;
        for (size_t i = 0; i < n; i++)
            if (s[i] != '_')
                plain[o++] = s[i];
        plain[o] = '\0';
        long long iv;
        if (s[0] != '.' && parse_int(plain, &iv))
            return json_integer((json_int_t)iv);
        if (float_like(plain)) {
            double d = strtod(plain, NULL);
            if (!isfinite(d)) {
                yaml_fail(y, "json: unsupported value: %s", s);
                return NULL;
            }
            /* Whole numbers in range become integers, as JSON would carry
             * them (go-yaml's float64 1.0 marshals as 1). */
            if (d > -9e15 && d < 9e15 && d == (double)(long long)d)
                return json_integer((json_int_t)d);
            return json_real(d);
        }
    }
    return json_stringn(s, n);
}

static json_t *scalar(struct ydec *y, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    json_t *v;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        (tag && (!strcmp(tag, "tag:yaml.org,2002:str") || !strcmp(tag, "!"))))
        v = json_stringn(s, n);
    else
        v = plain_scalar(y, s, n);
    if (!v)
        yaml_fail(y, "invalid UTF-8 in a string");
    return v;
}

/* A mapping key as a string (go-yaml keys of other types are formatted). */
static char *key_string(const json_t *k)
{
    switch (json_typeof(k)) {
    case JSON_STRING:
        return fl_xstrndup(json_string_value(k), json_string_length(k));
    case JSON_INTEGER:
        return fl_xasprintf("%lld", (long long)json_integer_value(k));
    case JSON_REAL:
        return fl_xasprintf("%g", json_real_value(k));
    case JSON_TRUE:
        return fl_xstrdup("true");
    case JSON_FALSE:
        return fl_xstrdup("false");
    case JSON_NULL:
        return fl_xstrdup("null");
    default:
        return NULL;
    }
}

static size_t count_values(const json_t *v)
{
    size_t n = 1, i;
    const char *k;
    json_t *c;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, c)
        {
            n += count_values(c);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, c)
        {
            n += count_values(c);
        }
    }
    return n;
}

static void add_anchor(struct ydec *y, const char *name, json_t *v)
{
    if (y->nanchors == MAX_ANCHORS) {
        yaml_fail(y, "more than %d anchors", MAX_ANCHORS);
        return;
    }
    y->anchors = fl_xrealloc(y->anchors, (y->nanchors + 1) * sizeof(*y->anchors));
    struct anchor *a = &y->anchors[y->nanchors++];
    a->name = fl_xstrdup(name);
    a->v = json_incref(v);
    a->size = count_values(v);
}

/* "<<: *base" (or a list of them): keys of the merged mappings that the
 * mapping does not set itself. */
static int merge_key(struct ydec *y, json_t *into, const json_t *v)
{
    const char *k;
    size_t i;
    json_t *c;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, c)
        {
            if (!json_object_get(into, k))
                json_object_set(into, k, c);
        }
        return FL_OK;
    }
    if (!json_is_array(v))
        return yaml_fail(y, "map merge requires map or sequence of maps as the value");
    json_array_foreach(v, i, c)
    {
        if (!json_is_object(c))
            return yaml_fail(y, "map merge requires map or sequence of maps as the value");
        if (merge_key(y, into, c) != 0)
            return FL_EFAIL;
    }
    return FL_OK;
}

/* The value an event starts (consumed, children included). NULL + y->err. */
static json_t *ynode(struct ydec *y, yaml_event_t *ev, int depth)
{
    json_t *v = NULL;
    const char *anchor = NULL;
    yaml_event_t e;
    if (depth > FL_APPLY_MAX_DEPTH) {
        yaml_fail(y, "the document nests deeper than %d levels", FL_APPLY_MAX_DEPTH);
        goto out;
    }
    if (++y->nodes > FL_APPLY_MAX_NODES) {
        yaml_fail(y, "the document has more than %d values", FL_APPLY_MAX_NODES);
        goto out;
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        for (size_t i = y->nanchors; i-- > 0;)
            if (!strcmp(y->anchors[i].name, name)) {
                y->nodes += y->anchors[i].size;
                if (y->nodes > FL_APPLY_MAX_NODES)
                    yaml_fail(y, "the document has more than %d values", FL_APPLY_MAX_NODES);
                else
                    v = json_incref(y->anchors[i].v);
                goto out;
            }
        yaml_fail(y, "unknown anchor '%s' referenced", name);
        goto out;
    }
    case YAML_SCALAR_EVENT:
        anchor = (const char *)ev->data.scalar.anchor;
        v = scalar(y, ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = (const char *)ev->data.sequence_start.anchor;
        v = json_array();
        for (;;) {
            if (ynext(y, &e) != 0)
                goto fail;
            if (e.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&e);
                break;
            }
            json_t *c = ynode(y, &e, depth + 1);
            if (!c)
                goto fail;
            json_array_append_new(v, c);
        }
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = (const char *)ev->data.mapping_start.anchor;
        v = json_object();
        for (;;) {
            if (ynext(y, &e) != 0)
                goto fail;
            if (e.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&e);
                break;
            }
            bool merge = e.type == YAML_SCALAR_EVENT &&
                         e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                         !strcmp((const char *)e.data.scalar.value, "<<");
            json_t *k = ynode(y, &e, depth + 1);
            if (!k)
                goto fail;
            char *ks = key_string(k);
            json_decref(k);
            if (!ks) {
                yaml_fail(y, "a mapping key must be a scalar");
                goto fail;
            }
            if (ynext(y, &e) != 0) {
                free(ks);
                goto fail;
            }
            json_t *c = ynode(y, &e, depth + 1);
            int rc = c ? FL_OK : FL_EFAIL;
            if (c && merge)
                rc = merge_key(y, v, c);
            else if (c)
                json_object_set(v, ks, c);
            json_decref(c);
            free(ks);
            if (rc != 0)
                goto fail;
        }
        break;
    default:
        yaml_fail(y, "unexpected YAML event %d", (int)ev->type);
        goto out;
    }
    if (v && anchor)
        add_anchor(y, anchor, v);
    if (y->failed)
        goto fail;
    goto out;
fail:
    json_decref(v);
    v = NULL;
out:
    yaml_event_delete(ev);
    return v;
}

/* The first document of a YAML stream (JSON is YAML): a new reference,
 * json null for an empty stream. */
static json_t *parse_yaml(const char *body, size_t len, struct fl_err *err)
{
    struct ydec y = {.err = err};
    yaml_event_t e;
    json_t *doc = NULL;
    FL_ASSERT(yaml_parser_initialize(&y.p));
    yaml_parser_set_input_string(&y.p, (const unsigned char *)body, len);
    for (;;) {
        if (ynext(&y, &e) != 0)
            break;
        yaml_event_type_t type = e.type;
        if (type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&e);
            doc = json_null();
            break;
        }
        if (type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&e);
            continue;
        }
        doc = ynode(&y, &e, 1);
        break;
    }
    for (size_t i = 0; i < y.nanchors; i++) {
        free(y.anchors[i].name);
        json_decref(y.anchors[i].v);
    }
    free(y.anchors);
    yaml_parser_delete(&y.p);
    return doc;
}

/* The applied configuration: a new object, sharing no node with another. */
static int decode_body(const char *body, size_t len, json_t **out, struct fl_err *err)
{
    size_t i = 0;
    json_t *doc = NULL;
    while (i < len && strchr(" \t\r\n", body[i]))
        i++;
    if (i < len && body[i] == '{')
        doc = json_loadb(body, len, 0, NULL); /* kubectl sends JSON */
    if (!doc)
        doc = parse_yaml(body, len, err);
    if (!doc)
        return FL_EFAIL;
    if (json_is_null(doc)) { /* an empty document: an empty object, as upstream */
        json_decref(doc);
        doc = json_object();
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        return fl_errf(err, 400, "BadRequest",
                       "error decoding YAML: the applied configuration must be an object");
    }
    /* Aliases share nodes; later steps may edit the document. */
    *out = json_deep_copy(doc);
    json_decref(doc);
    return FL_OK;
}

/* ---- schema ------------------------------------------------------------- */

/* What a schema node says a value is. */
enum stype { ST_DEDUCED, ST_SCALAR, ST_MAP, ST_MAP_ATOMIC, ST_LIST_ATOMIC, ST_LIST_ASSOC };

/* What a node is for an operation, given its schema and its value(s). */
enum nkind { NK_LEAF, NK_MAP, NK_LIST };

struct ntype {
    enum nkind kind;
    const json_t *res;          /* resolved schema node, NULL when deduced */
    const json_t *items;        /* NK_LIST: the element schema (unresolved) */
    const char *keys[MAX_KEYS]; /* NK_LIST: key fields, ascending; none for a set */
    size_t nkeys;
};

/* A walk over one or two values: the schema it follows and the path of the
 * node it is at (elements borrowed from the values or the walk's lists). */
struct ctx {
    const json_t *root; /* the kind's schema, NULL if unknown */
    const json_t *defs; /* where $ref names resolve (fetched on first use) */
    struct fl_pe path[FL_APPLY_MAX_DEPTH + 1];
    size_t depth;
    char what[1024]; /* "ns/name; group/version, Kind=K" for error messages */
    struct fl_err *err;
};

static void ctx_init(struct ctx *c, const char *group, const char *version, const char *kind,
                     struct fl_err *err)
{
    memset(c, 0, sizeof(*c));
    c->err = err;
    if (kind && version)
        c->root = fl_openapi_schema(group ? group : "", version, kind);
}

/* Follow $ref (v3 or v2 form) and one-schema allOf wrappers. */
static const json_t *resolve(struct ctx *c, const json_t *s)
{
    for (int hops = 0; s && hops < REF_HOPS; hops++) {
        const char *ref = json_string_value(json_object_get(s, "$ref"));
        const json_t *all = json_object_get(s, "allOf");
        if (ref) {
            static const char *const prefixes[] = {"#/components/schemas/", "#/definitions/"};
            const char *name = NULL;
            for (size_t i = 0; i < FL_ARRAY_LEN(prefixes) && !name; i++)
                if (!strncmp(ref, prefixes[i], strlen(prefixes[i])))
                    name = ref + strlen(prefixes[i]);
            if (!name)
                return NULL;
            /* The v2 document holds every group-version's schemas under
             * their v3 names; it is built once and kept until a CRD
             * changes, which cannot happen during one walk. */
            if (!c->defs)
                c->defs = json_object_get(fl_openapi_v2(), "definitions");
            s = json_object_get(c->defs, name);
        } else if (json_array_size(all) == 1 && !json_object_get(s, "properties") &&
                   !json_object_get(s, "items") && !json_object_get(s, "type")) {
            s = json_array_get(all, 0);
        } else {
            return s;
        }
    }
    return NULL;
}

/* An extension of a field: on the field's own schema (next to a $ref) or on
 * the schema it refers to. */
static const json_t *ext(const json_t *raw, const json_t *res, const char *name)
{
    const json_t *v = json_object_get(raw, name);
    return v ? v : json_object_get(res, name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Classify a schema node (kube-openapi's schemaconv rules). */
static enum stype schema_type(struct ctx *c, const json_t *raw, struct ntype *nt)
{
    memset(nt, 0, sizeof(*nt));
    const json_t *res = raw ? resolve(c, raw) : NULL;
    nt->res = res;
    if (!res)
        return ST_DEDUCED;
    if (json_is_true(ext(raw, res, "x-kubernetes-int-or-string")))
        return ST_SCALAR;
    const char *type = json_string_value(json_object_get(res, "type"));
    if ((type && !strcmp(type, "array")) || json_object_get(res, "items")) {
        nt->items = json_object_get(res, "items");
        const char *lt = json_string_value(ext(raw, res, "x-kubernetes-list-type"));
        const char *ps = json_string_value(ext(raw, res, "x-kubernetes-patch-strategy"));
        if (lt) {
            if (!strcmp(lt, "set"))
                return ST_LIST_ASSOC;
            if (strcmp(lt, "map") != 0)
                return ST_LIST_ATOMIC;
            const json_t *keys = ext(raw, res, "x-kubernetes-list-map-keys");
            size_t i;
            const json_t *k;
            if (!json_array_size(keys) || json_array_size(keys) > MAX_KEYS)
                return ST_LIST_ATOMIC;
            json_array_foreach(keys, i, k)
            {
                if (!json_is_string(k))
                    return ST_LIST_ATOMIC;
                nt->keys[nt->nkeys++] = json_string_value(k);
            }
            qsort(nt->keys, nt->nkeys, sizeof(nt->keys[0]), cmp_str);
            return ST_LIST_ASSOC;
        }
        if (ps && (!strcmp(ps, "merge") || !strcmp(ps, "merge,retainKeys"))) {
            const char *mk = json_string_value(ext(raw, res, "x-kubernetes-patch-merge-key"));
            if (mk)
                nt->keys[nt->nkeys++] = mk;
            return ST_LIST_ASSOC;
        }
        return ST_LIST_ATOMIC;
    }
    if ((type && !strcmp(type, "object")) || json_object_get(res, "properties") ||
        json_object_get(res, "additionalProperties")) {
        const char *mt = json_string_value(ext(raw, res, "x-kubernetes-map-type"));
        return mt && !strcmp(mt, "atomic") ? ST_MAP_ATOMIC : ST_MAP;
    }
    return type ? ST_SCALAR : ST_DEDUCED;
}

static bool all_of(const json_t *a, const json_t *b, json_type t, bool null_ok)
{
    const json_t *v[2] = {a, b};
    for (int i = 0; i < 2; i++)
        if (v[i] && json_typeof(v[i]) != t && !(null_ok && json_is_null(v[i])))
            return false;
    return true;
}

/* What the node with schema raw and values a, b (either may be NULL) is.
 * A value of another shape than its schema says is a leaf. */
static void classify(struct ctx *c, const json_t *raw, const json_t *a, const json_t *b,
                     struct ntype *nt)
{
    switch (schema_type(c, raw, nt)) {
    case ST_DEDUCED: /* objects merge, everything else is a leaf */
        nt->kind = all_of(a, b, JSON_OBJECT, false) ? NK_MAP : NK_LEAF;
        break;
    case ST_MAP:
        nt->kind = all_of(a, b, JSON_OBJECT, true) ? NK_MAP : NK_LEAF;
        break;
    case ST_LIST_ASSOC:
        nt->kind = all_of(a, b, JSON_ARRAY, true) ? NK_LIST : NK_LEAF;
        break;
    default:
        nt->kind = NK_LEAF;
    }
}

/* The schema of member `key` of an object node: a declared field
 * (properties), a map value (additionalProperties), or NULL (deduced). */
static const json_t *field_schema(const struct ntype *nt, const char *key, bool *declared)
{
    const json_t *f = json_object_get(json_object_get(nt->res, "properties"), key);
    *declared = f != NULL;
    if (f)
        return f;
    const json_t *ap = json_object_get(nt->res, "additionalProperties");
    return json_is_object(ap) ? ap : NULL;
}

static bool empty(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_object(v) && !json_object_size(v)) ||
           (json_is_array(v) && !json_array_size(v));
}

/* ---- walk helpers ------------------------------------------------------- */

static int push(struct ctx *c, const struct fl_pe *pe)
{
    if (c->depth >= FL_APPLY_MAX_DEPTH) {
        char p[256];
        fl_path_string(c->path, c->depth, p, sizeof(p));
        return fl_errf(c->err, 400, "BadRequest", "%s: the object nests deeper than %d levels", p,
                       FL_APPLY_MAX_DEPTH);
    }
    c->path[c->depth++] = *pe;
    return FL_OK;
}

static void pop(struct ctx *c)
{
    c->depth--;
}

static void insert_here(struct ctx *c, struct fl_fieldset *set)
{
    if (c->depth > 0)
        fl_fieldset_insert(set, c->path, c->depth);
}

/* A missing key field takes its schema default. Upstream's schema gives
 * ports' protocol the default "TCP"; the generated documents served here do
 * not carry it, so it is known here too. New reference or NULL. */
static json_t *key_default(struct ctx *c, const struct ntype *nt, const char *key)
{
    const json_t *item = resolve(c, nt->items);
    const json_t *f = json_object_get(json_object_get(item, "properties"), key);
    const json_t *d = json_object_get(f, "default");
    if (!d)
        d = json_object_get(resolve(c, f), "default");
    if (d)
        return json_deep_copy(d);
    if (!strcmp(key, "protocol"))
        return json_string("TCP");
    return NULL;
}

/* The elements of an associative list with their path elements. */
struct elems {
    size_t n;
    const json_t **v;
    struct fl_pe *pe;
    json_t **own;   /* key objects built for pe[i] */
    bool *dup;      /* a later element with the path element of an earlier one */
    size_t *sorted; /* first occurrences, ordered by path element */
    size_t nsorted;
};

static int cmp_elems(const void *a, const void *b, void *arg)
{
    const struct elems *e = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = fl_pe_compare(&e->pe[i], &e->pe[j]);
    return c ? c : i < j ? -1 : i > j;
}

static void elems_release(struct elems *e)
{
    for (size_t i = 0; i < e->n; i++)
        json_decref(e->own[i]);
    free(e->v);
    free(e->pe);
    free(e->own);
    free(e->dup);
    free(e->sorted);
    memset(e, 0, sizeof(*e));
}

/* Path element of element v: false with `why` when it has none. */
static bool elem_pe(struct ctx *c, const struct ntype *nt, const json_t *v, struct fl_pe *pe,
                    json_t **own, char *why, size_t whylen)
{
    memset(pe, 0, sizeof(*pe));
    *own = NULL;
    if (!nt->nkeys) {
        const char *bad = json_is_object(v)  ? "associative list without keys has an element "
                                               "that's a map type"
                          : json_is_array(v) ? "not supported: associative list with lists as "
                                               "elements"
                          : json_is_null(v)  ? "associative list without keys has an element "
                                               "that's an explicit null"
                                             : NULL;
        if (bad) {
            snprintf(why, whylen, "%s", bad);
            return false;
        }
        pe->type = FL_PE_VALUE;
        pe->value = v;
        return true;
    }
    if (!json_is_object(v)) {
        snprintf(why, whylen, "associative list with keys may not have %s",
                 json_is_null(v) ? "a null element" : "non-map elements");
        return false;
    }
    json_t *key = json_object();
    for (size_t i = 0; i < nt->nkeys; i++) {
        /* A null key field counts as missing: merged objects drop applied
         * nulls, so the element must key the same without it. */
        json_t *kv = json_object_get(v, nt->keys[i]);
        if (kv && !json_is_null(kv)) {
            json_object_set(key, nt->keys[i], kv);
            continue;
        }
        if ((kv = key_default(c, nt, nt->keys[i])) == NULL) {
            json_decref(key);
            snprintf(why, whylen,
                     "associative list with keys has an element that omits key field \"%s\" "
                     "(and doesn't have default value)",
                     nt->keys[i]);
            return false;
        }
        json_object_set_new(key, nt->keys[i], kv);
    }
    pe->type = FL_PE_KEY;
    pe->value = *own = key;
    return true;
}

/* Index list `arr` (an array or null). *ok false when an element has no
 * path element (the list is then treated as atomic), unless strict: then
 * that, and duplicates, are errors (400, upstream's wording). */
static int elems_init(struct ctx *c, const struct ntype *nt, const json_t *arr, bool strict,
                      struct elems *e, bool *ok)
{
    size_t n = json_array_size(arr);
    char why[256], where[512];
    memset(e, 0, sizeof(*e));
    e->n = n;
    e->v = fl_xcalloc(n + 1, sizeof(*e->v));
    e->pe = fl_xcalloc(n + 1, sizeof(*e->pe));
    e->own = fl_xcalloc(n + 1, sizeof(*e->own));
    e->dup = fl_xcalloc(n + 1, sizeof(*e->dup));
    e->sorted = fl_xcalloc(n + 1, sizeof(*e->sorted));
    *ok = true;
    for (size_t i = 0; i < n; i++) {
        e->v[i] = json_array_get(arr, i);
        if (!elem_pe(c, nt, e->v[i], &e->pe[i], &e->own[i], why, sizeof(why))) {
            *ok = false;
            if (!strict)
                return FL_OK;
            fl_path_string(c->path, c->depth, where, sizeof(where));
            return fl_errf(c->err, 400, "BadRequest",
                           "failed to create typed patch object (%s): %s: element %zu: %s", c->what,
                           where, i, why);
        }
        e->sorted[i] = i;
    }
    qsort_r(e->sorted, n, sizeof(*e->sorted), cmp_elems, e);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o && fl_pe_compare(&e->pe[e->sorted[o - 1]], &e->pe[e->sorted[i]]) == 0) {
            e->dup[e->sorted[i]] = true;
            if (strict) {
                fl_path_string(c->path, c->depth, where, sizeof(where));
                fl_path_string(&e->pe[e->sorted[i]], 1, why, sizeof(why));
                return fl_errf(c->err, 400, "BadRequest",
                               "failed to create typed patch object (%s): %s: duplicate entries "
                               "for key %s",
                               c->what, where, why);
            }
            continue;
        }
        e->sorted[o++] = e->sorted[i];
    }
    e->nsorted = o;
    return FL_OK;
}

/* Index of the first element with path element pe, or -1. */
static long elems_find(const struct elems *e, const struct fl_pe *pe)
{
    size_t lo = 0, hi = e->nsorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = fl_pe_compare(&e->pe[e->sorted[mid]], pe);
        if (!c)
            return (long)e->sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- ToFieldSet --------------------------------------------------------- */

/* Add the fields of v to set: leaves; object members that are null, empty,
 * or not declared fields (map entries); list elements. */
static int to_set(struct ctx *c, const json_t *raw, const json_t *v, bool strict,
                  struct fl_fieldset *set)
{
    struct ntype nt;
    int rc = FL_OK;
    classify(c, raw, v, NULL, &nt);
    if (nt.kind == NK_MAP) {
        const char *k;
        json_t *cv;
        json_object_foreach((json_t *)v, k, cv)
        {
            bool declared;
            const json_t *cs = field_schema(&nt, k, &declared);
            struct fl_pe pe = {.type = FL_PE_FIELD, .name = k};
            if (push(c, &pe) != 0)
                return FL_EFAIL;
            rc = to_set(c, cs, cv, strict, set);
            if (!rc &&
                (json_is_null(cv) || (json_is_object(cv) && !json_object_size(cv)) || !declared))
                insert_here(c, set);
            pop(c);
            if (rc)
                return rc;
        }
        return FL_OK;
    }
    if (nt.kind == NK_LIST) {
        struct elems e;
        bool ok;
        rc = elems_init(c, &nt, v, strict, &e, &ok);
        if (!rc && !ok)
            insert_here(c, set);
        for (size_t i = 0; !rc && ok && i < e.n; i++) {
            if (e.dup[i])
                continue;
            if ((rc = push(c, &e.pe[i])) != 0)
                break;
            rc = to_set(c, nt.items, e.v[i], strict, set);
            if (!rc)
                insert_here(c, set);
            pop(c);
        }
        elems_release(&e);
        return rc;
    }
    insert_here(c, set);
    return FL_OK;
}

/* ---- Merge -------------------------------------------------------------- */

static int merge(struct ctx *c, const json_t *raw, const json_t *l, const json_t *r, json_t **out);

static int merge_member(struct ctx *c, const struct ntype *nt, json_t *o, const char *k,
                        const json_t *lv, const json_t *rv)
{
    bool declared;
    json_t *m = NULL;
    struct fl_pe pe = {.type = FL_PE_FIELD, .name = k};
    if (push(c, &pe) != 0)
        return FL_EFAIL;
    int rc = merge(c, field_schema(nt, k, &declared), lv, rv, &m);
    pop(c);
    if (rc)
        return rc;
    /* An applied null leaves the field out (a typed object drops it). */
    if (rv && json_is_null(rv) && json_is_null(m))
        json_decref(m);
    else
        json_object_set_new(o, k, m);
    return FL_OK;
}

static int merge_map(struct ctx *c, const struct ntype *nt, const json_t *l, const json_t *r,
                     json_t **out)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)l, k, v)
    {
        if (merge_member(c, nt, o, k, v, json_object_get(r, k)) != 0)
            goto fail;
    }
    json_object_foreach((json_t *)r, k, v)
    {
        if (!json_object_get(l, k) && merge_member(c, nt, o, k, NULL, v) != 0)
            goto fail;
    }
    *out = o;
    return FL_OK;
fail:
    json_decref(o);
    return FL_EFAIL;
}

static int merge_elem(struct ctx *c, const struct ntype *nt, const struct fl_pe *pe,
                      const json_t *l, const json_t *r, json_t *o)
{
    json_t *m = NULL;
    if (push(c, pe) != 0)
        return FL_EFAIL;
    int rc = merge(c, nt->items, l, r, &m);
    pop(c);
    if (!rc)
        json_array_append_new(o, m);
    return rc;
}

/* structured-merge-diff's list merge: elements in the applied order, live
 * elements the configuration does not name staying where they were
 * relative to the shared ones. */
static int merge_list(struct ctx *c, const struct ntype *nt, const json_t *l, const json_t *r,
                      json_t **out)
{
    struct elems le, re;
    bool lok, rok;
    int rc = FL_EFAIL;
    json_t *o = NULL;
    if (elems_init(c, nt, l, false, &le, &lok) != 0) {
        elems_release(&le);
        return FL_EFAIL;
    }
    if (elems_init(c, nt, r, false, &re, &rok) != 0)
        goto out;
    if (!lok || !rok) { /* not associative after all: the applied list wins */
        *out = json_deep_copy(r ? r : l);
        rc = FL_OK;
        goto out;
    }
    /* The orders of both sides (a live duplicate stays, unless the
     * configuration names its key), which elements the other side names,
     * and the shared ones in applied order. */
    size_t *lo = fl_xcalloc(le.n + 1, sizeof(*lo)), *ro = fl_xcalloc(re.n + 1, sizeof(*ro));
    size_t *shared = fl_xcalloc(re.n + 1, sizeof(*shared));
    long *l_in_r = fl_xcalloc(le.n + 1, sizeof(*l_in_r)),
         *r_in_l = fl_xcalloc(re.n + 1, sizeof(*r_in_l));
    bool *merged = fl_xcalloc(le.n + 1, sizeof(*merged)); /* by index in l */
    size_t ln = 0, rn = 0, sn = 0, si = 0;
    for (size_t i = 0; i < le.n; i++) {
        long in_r = elems_find(&re, &le.pe[i]);
        if (le.dup[i] && in_r >= 0)
            continue;
        l_in_r[ln] = le.dup[i] ? -1 : in_r;
        lo[ln++] = i;
    }
    for (size_t i = 0; i < re.n; i++)
        if (!re.dup[i]) {
            r_in_l[rn] = elems_find(&le, &re.pe[i]);
            if (r_in_l[rn] >= 0)
                shared[sn++] = i;
            ro[rn++] = i;
        }
    o = json_array();
    const struct fl_pe *next = sn ? &re.pe[shared[si++]] : NULL;
    size_t li = 0, ri = 0;
    rc = FL_OK;
    while (!rc && (li < ln || ri < rn)) {
        if (li < ln && ri < rn) {
            const struct fl_pe *pe = &le.pe[lo[li]];
            if (l_in_r[li] >= 0 && fl_pe_compare(pe, &re.pe[ro[ri]]) == 0) {
                rc = merge_elem(c, nt, pe, le.v[lo[li]], re.v[ro[ri]], o);
                merged[lo[li]] = true;
                li++, ri++;
                next = si < sn ? &re.pe[shared[si++]] : NULL;
                continue;
            }
            if (l_in_r[li] >= 0 && next && fl_pe_compare(next, pe) != 0) {
                li++; /* shared, but not the one due now: it comes with the rhs */
                continue;
            }
        }
        if (li < ln) {
            if (l_in_r[li] < 0) {
                rc = merge_elem(c, nt, &le.pe[lo[li]], le.v[lo[li]], NULL, o);
                li++;
                continue;
            }
            if (merged[lo[li]] || ri == rn) { /* merged already */
                li++;
                continue;
            }
        }
        if (ri < rn) {
            const struct fl_pe *pe = &re.pe[ro[ri]];
            long lidx = r_in_l[ri];
            rc = merge_elem(c, nt, pe, lidx >= 0 ? le.v[lidx] : NULL, re.v[ro[ri]], o);
            if (lidx >= 0)
                merged[lidx] = true;
            ri++;
            if (next && fl_pe_compare(next, pe) == 0)
                next = si < sn ? &re.pe[shared[si++]] : NULL;
        }
    }
    free(lo);
    free(ro);
    free(shared);
    free(l_in_r);
    free(r_in_l);
    free(merged);
    if (!rc) {
        *out = o;
        o = NULL;
    }
out:
    json_decref(o);
    elems_release(&le);
    elems_release(&re);
    return rc;
}

/* The live value l with the applied value r merged in (either may be NULL,
 * not both). *out: a new value. */
static int merge(struct ctx *c, const json_t *raw, const json_t *l, const json_t *r, json_t **out)
{
    struct ntype nt;
    classify(c, raw, l, r, &nt);
    if (!empty(l) || !empty(r)) { /* both empty: a leaf, keeping empty vs null */
        if (nt.kind == NK_MAP)
            return merge_map(c, &nt, l, r, out);
        if (nt.kind == NK_LIST)
            return merge_list(c, &nt, l, r, out);
    }
    *out = json_deep_copy(r ? r : l);
    return FL_OK;
}

/* ---- Compare ------------------------------------------------------------ */

struct cmp {
    struct fl_fieldset *added, *removed, *modified;
};

static void cmp_init(struct cmp *d)
{
    d->added = fl_fieldset_new();
    d->removed = fl_fieldset_new();
    d->modified = fl_fieldset_new();
}

static void cmp_release(struct cmp *d)
{
    fl_fieldset_free(d->added);
    fl_fieldset_free(d->removed);
    fl_fieldset_free(d->modified);
    memset(d, 0, sizeof(*d));
}

static int compare(struct ctx *c, const json_t *raw, const json_t *l, const json_t *r,
                   struct cmp *d);

static int compare_child(struct ctx *c, const struct fl_pe *pe, const json_t *raw, const json_t *l,
                         const json_t *r, struct cmp *d)
{
    if (push(c, pe) != 0)
        return FL_EFAIL;
    int rc = compare(c, raw, l, r, d);
    pop(c);
    return rc;
}

/* Record what changed from l to r: leaves added, removed or modified, and
 * objects and list elements that appear or disappear as a whole. */
static int compare(struct ctx *c, const json_t *raw, const json_t *l, const json_t *r,
                   struct cmp *d)
{
    struct ntype nt;
    int rc = FL_OK;
    bool leaf = true;
    classify(c, raw, l, r, &nt);
    if (nt.kind == NK_MAP && (!empty(l) || !empty(r))) {
        const char *k;
        json_t *v;
        bool declared;
        leaf = false;
        json_object_foreach((json_t *)l, k, v)
        {
            struct fl_pe pe = {.type = FL_PE_FIELD, .name = k};
            if ((rc = compare_child(c, &pe, field_schema(&nt, k, &declared), v,
                                    json_object_get(r, k), d)) != 0)
                return rc;
        }
        json_object_foreach((json_t *)r, k, v)
        {
            struct fl_pe pe = {.type = FL_PE_FIELD, .name = k};
            if (!json_object_get(l, k) &&
                (rc = compare_child(c, &pe, field_schema(&nt, k, &declared), NULL, v, d)) != 0)
                return rc;
        }
    } else if (nt.kind == NK_LIST && (!empty(l) || !empty(r))) {
        struct elems le, re;
        bool lok = false, rok = false;
        if (elems_init(c, &nt, l, false, &le, &lok) == 0 &&
            elems_init(c, &nt, r, false, &re, &rok) == 0 && lok && rok) {
            leaf = false;
            for (size_t i = 0; !rc && i < le.n; i++) {
                if (le.dup[i])
                    continue;
                long j = elems_find(&re, &le.pe[i]);
                rc = compare_child(c, &le.pe[i], nt.items, le.v[i], j >= 0 ? re.v[j] : NULL, d);
            }
            for (size_t i = 0; !rc && i < re.n; i++)
                if (!re.dup[i] && elems_find(&le, &re.pe[i]) < 0)
                    rc = compare_child(c, &re.pe[i], nt.items, NULL, re.v[i], d);
        }
        elems_release(&le);
        elems_release(&re);
        if (rc)
            return rc;
    }
    if (c->depth == 0)
        return FL_OK;
    if (!l)
        insert_here(c, d->added);
    else if (!r)
        insert_here(c, d->removed);
    else if (leaf && !json_equal((json_t *)l, (json_t *)r))
        insert_here(c, d->modified);
    return FL_OK;
}

/* ---- RemoveItems -------------------------------------------------------- */

/* v without the members of set (a member goes with all it holds). *out:
 * a new value, NULL when nothing is left of an object or list that lost
 * members (the typed object would not keep it). */
static int remove_items(struct ctx *c, const json_t *raw, const json_t *v,
                        const struct fl_fieldset *set, json_t **out)
{
    struct ntype nt;
    int rc = FL_OK;
    bool member, found;
    classify(c, raw, v, NULL, &nt);
    *out = NULL;
    if (nt.kind == NK_MAP) {
        json_t *o = json_object();
        const char *k;
        json_t *cv;
        json_object_foreach((json_t *)v, k, cv)
        {
            bool declared;
            struct fl_pe pe = {.type = FL_PE_FIELD, .name = k};
            struct fl_fieldset *sub = fl_fieldset_child(set, &pe, &member, &found);
            if (found && member)
                continue;
            json_t *nv = NULL;
            if (!found || !sub) {
                nv = json_deep_copy(cv);
            } else {
                if ((rc = push(c, &pe)) != 0)
                    break;
                rc = remove_items(c, field_schema(&nt, k, &declared), cv, sub, &nv);
                pop(c);
                if (rc)
                    break;
            }
            if (nv)
                json_object_set_new(o, k, nv);
        }
        if (rc || !json_object_size(o))
            json_decref(o);
        else
            *out = o;
        return rc;
    }
    if (nt.kind == NK_LIST) {
        struct elems e;
        bool ok;
        json_t *o = json_array();
        rc = elems_init(c, &nt, v, false, &e, &ok);
        for (size_t i = 0; !rc && i < e.n; i++) {
            struct fl_fieldset *sub = ok ? fl_fieldset_child(set, &e.pe[i], &member, &found) : NULL;
            json_t *nv = NULL;
            if (ok && found && member)
                continue;
            if (!ok || !found || !sub) {
                nv = json_deep_copy(e.v[i]);
            } else {
                if ((rc = push(c, &e.pe[i])) != 0)
                    break;
                rc = remove_items(c, nt.items, e.v[i], sub, &nv);
                pop(c);
            }
            if (nv)
                json_array_append_new(o, nv);
        }
        elems_release(&e);
        if (rc || !json_array_size(o))
            json_decref(o);
        else
            *out = o;
        return rc;
    }
    *out = json_deep_copy(v);
    return FL_OK;
}

/* ---- EnsureNamedFieldsAreMembers ---------------------------------------- */

/* Make every declared field that holds members a member itself, so that
 * removing it removes the whole field. */
static void ensure_named(struct ctx *c, const json_t *raw, struct fl_fieldset *set, int depth)
{
    struct ntype nt;
    enum stype st = schema_type(c, raw, &nt);
    if (depth > FL_APPLY_MAX_DEPTH)
        return;
    for (size_t i = 0; i < fl_fieldset_width(set); i++) {
        bool member, declared = false;
        struct fl_fieldset *sub;
        const struct fl_pe *pe = fl_fieldset_at(set, i, &member, &sub);
        if (!sub)
            continue;
        if (pe->type == FL_PE_FIELD) {
            const json_t *cs = field_schema(&nt, pe->name, &declared);
            if (declared && st == ST_MAP && !member)
                fl_fieldset_insert(set, pe, 1);
            ensure_named(c, cs, sub, depth + 1);
        } else {
            ensure_named(c, nt.items, sub, depth + 1);
        }
    }
}

/* ---- managedFields ------------------------------------------------------ */

struct mgr {
    char *manager, *operation, *api_version, *subresource;
    char *time; /* NULL: none */
    struct fl_fieldset *set;
};

struct mgrs {
    struct mgr *v;
    size_t n;
};

static void mgr_release(struct mgr *m)
{
    free(m->manager);
    free(m->operation);
    free(m->api_version);
    free(m->subresource);
    free(m->time);
    fl_fieldset_free(m->set);
}

static void mgrs_release(struct mgrs *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        mgr_release(&ms->v[i]);
    free(ms->v);
    ms->v = NULL;
    ms->n = 0;
}

static void mgrs_remove(struct mgrs *ms, size_t i)
{
    mgr_release(&ms->v[i]);
    memmove(&ms->v[i], &ms->v[i + 1], (ms->n - i - 1) * sizeof(*ms->v));
    ms->n--;
}

static bool is_apply(const struct mgr *m)
{
    return !strcmp(m->operation, "Apply");
}

/* Upstream's manager identifier: manager, operation, subresource, and the
 * apiVersion of Update entries (an applier is one entry whatever version it
 * applies). */
static long mgrs_find(const struct mgrs *ms, const char *manager, const char *op,
                      const char *api_version, const char *sub)
{
    for (size_t i = 0; i < ms->n; i++) {
        const struct mgr *m = &ms->v[i];
        if (!strcmp(m->manager, manager) && !strcmp(m->operation, op) &&
            !strcmp(m->subresource, sub) && (is_apply(m) || !strcmp(m->api_version, api_version)))
            return (long)i;
    }
    return -1;
}

/* The entry with this identity, added (empty, no time) if missing. */
static size_t mgrs_get(struct mgrs *ms, const char *manager, const char *op,
                       const char *api_version, const char *sub)
{
    long at = mgrs_find(ms, manager, op, api_version, sub);
    if (at >= 0)
        return (size_t)at;
    ms->v = fl_xrealloc(ms->v, (ms->n + 1) * sizeof(*ms->v));
    struct mgr *m = &ms->v[ms->n];
    m->manager = fl_xstrdup(manager);
    m->operation = fl_xstrdup(op);
    m->api_version = fl_xstrdup(api_version);
    m->subresource = fl_xstrdup(sub);
    m->time = NULL;
    m->set = fl_fieldset_new();
    return ms->n++;
}

static const char *str_member(const json_t *o, const char *k, bool *bad)
{
    const json_t *v = json_object_get(o, k);
    if (v && !json_is_string(v) && !json_is_null(v))
        *bad = true;
    return json_is_string(v) ? json_string_value(v) : "";
}

/* Decode metadata.managedFields (NULL or null: none), with upstream's
 * checks. Errors: 400 with the reason in the message. */
static int mgrs_decode(const json_t *mf, struct mgrs *ms, struct fl_err *err)
{
    size_t i;
    const json_t *e;
    memset(ms, 0, sizeof(*ms));
    if (!mf || json_is_null(mf))
        return FL_OK;
    if (!json_is_array(mf))
        return fl_errf(err, 400, "BadRequest", "managedFields must be a list");
    json_array_foreach(mf, i, e)
    {
        bool bad = !json_is_object(e);
        const char *manager = str_member(e, "manager", &bad);
        const char *op = str_member(e, "operation", &bad);
        const char *av = str_member(e, "apiVersion", &bad);
        const char *ft = str_member(e, "fieldsType", &bad);
        const char *sub = str_member(e, "subresource", &bad);
        const char *tm = str_member(e, "time", &bad);
        struct fl_fieldset *set = NULL;
        if (bad) {
            mgrs_release(ms);
            return fl_errf(err, 400, "BadRequest", "malformed managed fields entry %zu", i);
        }
        if (strcmp(op, "Apply") != 0 && strcmp(op, "Update") != 0) {
            mgrs_release(ms);
            return fl_errf(err, 400, "BadRequest", "operation must be `Apply` or `Update`");
        }
        if (!av[0]) {
            mgrs_release(ms);
            return fl_errf(err, 400, "BadRequest", "apiVersion must not be empty");
        }
        if (strcmp(ft, "FieldsV1") != 0) {
            mgrs_release(ms);
            if (!ft[0])
                return fl_errf(err, 400, "BadRequest",
                               "missing fieldsType in managed fields entry %zu", i);
            return fl_errf(err, 400, "BadRequest",
                           "invalid fieldsType \"%s\" in managed fields entry %zu", ft, i);
        }
        if (fl_fieldset_from_json(json_object_get(e, "fieldsV1"), &set, err) != 0) {
            mgrs_release(ms);
            return FL_EFAIL;
        }
        /* A repeated identity replaces the earlier entry, as upstream's map. */
        long at = mgrs_find(ms, manager, op, av, sub);
        if (at >= 0)
            mgrs_remove(ms, (size_t)at);
        size_t at_new = mgrs_get(ms, manager, op, av, sub);
        struct mgr *m = &ms->v[at_new];
        fl_fieldset_free(m->set);
        m->set = set;
        m->time = tm[0] ? fl_xstrdup(tm) : NULL;
    }
    return FL_OK;
}

/* [] or [{}] in a request: the client asks to clear managedFields. */
static bool is_reset(const json_t *mf)
{
    return json_is_array(mf) &&
           (json_array_size(mf) == 0 ||
            (json_array_size(mf) == 1 && json_is_object(json_array_get(mf, 0)) &&
             json_object_size(json_array_get(mf, 0)) == 0));
}

/* Seconds of an RFC 3339 time (0 when it does not parse). */
static int64_t time_secs(const char *t)
{
    struct tm tm;
    int off = 0;
    if (!t)
        return 0;
    memset(&tm, 0, sizeof(tm));
    const char *p = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return 0;
    if (*p == '.')
        p += 1 + strspn(p + 1, "0123456789");
    if (*p == '+' || *p == '-') {
        int h = 0, m = 0;
        if (sscanf(p + 1, "%2d:%2d", &h, &m) == 2)
            off = (*p == '-' ? -1 : 1) * (h * 3600 + m * 60);
    }
    return (int64_t)timegm(&tm) - off;
}

/* sortEncodedManagedFields: Apply before Update, then oldest first, then by
 * manager, apiVersion, subresource. */
static int mgr_cmp(const void *a, const void *b)
{
    const struct mgr *p = a, *q = b;
    int c = strcmp(p->operation, q->operation);
    if (c)
        return c;
    int64_t tp = time_secs(p->time), tq = time_secs(q->time);
    if (tp != tq)
        return tp < tq ? -1 : 1;
    if ((c = strcmp(p->manager, q->manager)) != 0)
        return c;
    if ((c = strcmp(p->api_version, q->api_version)) != 0)
        return c;
    return strcmp(p->subresource, q->subresource);
}

static void mgrs_drop_empty(struct mgrs *ms)
{
    for (size_t i = ms->n; i-- > 0;)
        if (fl_fieldset_empty(ms->v[i].set))
            mgrs_remove(ms, i);
}

/* capManagersManager: past FL_APPLY_MAX_UPDATE_MANAGERS Update entries, the
 * oldest are merged, per apiVersion, into an "ancient-changes" entry that
 * keeps the time of the newest entry merged. */
static void mgrs_cap(struct mgrs *ms)
{
    for (;;) {
        size_t updates = 0;
        for (size_t i = 0; i < ms->n; i++)
            updates += !is_apply(&ms->v[i]);
        if (updates <= FL_APPLY_MAX_UPDATE_MANAGERS)
            return;
        qsort(ms->v, ms->n, sizeof(*ms->v), mgr_cmp);
        /* Oldest Update entry, and the next oldest of its apiVersion. */
        long a = -1, b = -1;
        for (size_t i = 0; i < ms->n && b < 0; i++) {
            if (is_apply(&ms->v[i]))
                continue;
            if (a < 0)
                a = (long)i;
            else if (!strcmp(ms->v[i].api_version, ms->v[a].api_version))
                b = (long)i;
        }
        if (b < 0) { /* every version once: nothing to merge with; drop none */
            return;
        }
        struct mgr *ma = &ms->v[a], *mb = &ms->v[b];
        struct fl_fieldset *u = fl_fieldset_union(ma->set, mb->set);
        fl_fieldset_free(ma->set);
        ma->set = u;
        free(ma->manager);
        ma->manager = fl_xstrdup(ANCIENT_CHANGES);
        free(ma->time);
        ma->time = mb->time ? fl_xstrdup(mb->time) : NULL;
        free(ma->subresource);
        ma->subresource = fl_xstrdup("");
        mgrs_remove(ms, (size_t)b);
        /* An older bucket of the same version absorbs the new one. */
        long other = -1;
        for (size_t i = 0; i < ms->n; i++)
            if ((long)i != a && !strcmp(ms->v[i].manager, ANCIENT_CHANGES) &&
                !is_apply(&ms->v[i]) && !strcmp(ms->v[i].api_version, ms->v[a].api_version))
                other = (long)i;
        if (other >= 0) {
            u = fl_fieldset_union(ms->v[other].set, ms->v[a].set);
            fl_fieldset_free(ms->v[a].set);
            ms->v[a].set = u;
            mgrs_remove(ms, (size_t)other);
        }
    }
}

/* The managedFields array (sorted), or NULL when there is no entry. */
static json_t *mgrs_encode(struct mgrs *ms)
{
    if (!ms->n)
        return NULL;
    qsort(ms->v, ms->n, sizeof(*ms->v), mgr_cmp);
    json_t *a = json_array();
    for (size_t i = 0; i < ms->n; i++) {
        const struct mgr *m = &ms->v[i];
        json_t *e = json_object();
        if (m->manager[0])
            json_object_set_new(e, "manager", json_string(m->manager));
        json_object_set_new(e, "operation", json_string(m->operation));
        json_object_set_new(e, "apiVersion", json_string(m->api_version));
        if (m->time)
            json_object_set_new(e, "time", json_string(m->time));
        json_object_set_new(e, "fieldsType", json_string("FieldsV1"));
        json_object_set_new(e, "fieldsV1", fl_fieldset_to_json(m->set));
        if (m->subresource[0])
            json_object_set_new(e, "subresource", json_string(m->subresource));
        json_array_append_new(a, e);
    }
    return a;
}

/* Put ms into doc's metadata.managedFields (removing it when empty). */
static void mgrs_store(struct mgrs *ms, json_t *doc)
{
    mgrs_drop_empty(ms);
    mgrs_cap(ms);
    json_t *a = mgrs_encode(ms), *md = fl_json_metadata(doc);
    if (a)
        json_object_set_new(md, "managedFields", a);
    else
        json_object_del(md, "managedFields");
}

/* stripMetaManager: fields no manager records. */
static void strip(struct fl_fieldset **set)
{
    static const char *const paths[][2] = {
        {"apiVersion", NULL},
        {"kind", NULL},
        {"metadata", NULL},
        {"metadata", "name"},
        {"metadata", "namespace"},
        {"metadata", "creationTimestamp"},
        {"metadata", "selfLink"},
        {"metadata", "uid"},
        {"metadata", "clusterName"},
        {"metadata", "generation"},
        {"metadata", "managedFields"},
        {"metadata", "resourceVersion"},
    };
    struct fl_fieldset *st = fl_fieldset_new();
    for (size_t i = 0; i < FL_ARRAY_LEN(paths); i++) {
        struct fl_pe p[2] = {{.type = FL_PE_FIELD, .name = paths[i][0]},
                             {.type = FL_PE_FIELD, .name = paths[i][1]}};
        fl_fieldset_insert(st, p, paths[i][1] ? 2 : 1);
    }
    struct fl_fieldset *d = fl_fieldset_difference(*set, st);
    fl_fieldset_free(st);
    fl_fieldset_free(*set);
    *set = d;
}

static void set_sub(struct fl_fieldset **a, const struct fl_fieldset *b)
{
    if (fl_fieldset_empty(b))
        return;
    struct fl_fieldset *d = fl_fieldset_difference(*a, b);
    fl_fieldset_free(*a);
    *a = d;
}

/* ---- conflicts ---------------------------------------------------------- */

/* printManager: "name", ` with subresource "s"`, ` using apps/v1` for an
 * Update entry. */
static void manager_label(const struct mgr *m, char *buf, size_t len)
{
    int n = snprintf(buf, len, "\"%s\"", m->manager);
    if (m->subresource[0] && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " with subresource \"%s\"", m->subresource);
    if (!is_apply(m) && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " using %s", m->api_version);
}

struct conflicts {
    struct fl_err *err;
    const struct mgr *m;
    char label[FL_APPLY_MANAGER_MAX + 200];
    size_t count;
    char *msg; /* the multi-conflict message being built */
    size_t len;
};

static void count_path(const struct fl_pe *path, size_t n, void *ctx)
{
    (void)path;
    (void)n;
    ((struct conflicts *)ctx)->count++;
}

static void add_msg(struct conflicts *cf, const char *s)
{
    size_t n = strlen(s);
    cf->msg = fl_xrealloc(cf->msg, cf->len + n + 1);
    memcpy(cf->msg + cf->len, s, n + 1);
    cf->len += n;
}

static void conflict_path(const struct fl_pe *path, size_t n, void *ctx)
{
    struct conflicts *cf = ctx;
    char p[FL_ERR_MSG_MAX];
    fl_path_string(path, n, p, sizeof(p));
    fl_err_cause(cf->err, "FieldManagerConflict", p, "conflict with %s", cf->label);
    add_msg(cf, "\n- ");
    add_msg(cf, p);
}

static int by_identity(const void *a, const void *b)
{
    const struct mgr *p = *(const struct mgr *const *)a, *q = *(const struct mgr *const *)b;
    int c = strcmp(p->manager, q->manager);
    if (!c)
        c = strcmp(p->operation, q->operation);
    if (!c)
        c = strcmp(p->api_version, q->api_version);
    return c ? c : strcmp(p->subresource, q->subresource);
}

/* The 409 of upstream's NewConflictError. conf[i] is what entry i of ms
 * conflicts on (NULL: nothing). */
static int conflict_error(struct fl_err *err, const struct mgrs *ms, struct fl_fieldset **conf)
{
    struct conflicts cf = {.err = err};
    const struct mgr **order = fl_xcalloc(ms->n + 1, sizeof(*order));
    struct fl_fieldset **sets = fl_xcalloc(ms->n + 1, sizeof(*sets));
    size_t n = 0;
    for (size_t i = 0; i < ms->n; i++)
        if (conf[i])
            order[n++] = &ms->v[i];
    qsort(order, n, sizeof(*order), by_identity);
    for (size_t i = 0; i < n; i++)
        sets[i] = conf[order[i] - ms->v];
    for (size_t i = 0; i < n; i++)
        fl_fieldset_iterate(sets[i], count_path, &cf);
    fl_errf(err, 409, "Conflict", "Apply failed");
    add_msg(&cf, "");
    for (size_t i = 0; i < n; i++) {
        cf.m = order[i];
        manager_label(order[i], cf.label, sizeof(cf.label));
        add_msg(&cf, i ? "\n" : "");
        add_msg(&cf, "conflicts with ");
        add_msg(&cf, cf.label);
        add_msg(&cf, ":");
        fl_fieldset_iterate(sets[i], conflict_path, &cf);
    }
    if (cf.count == 1) {
        snprintf(err->message, sizeof(err->message),
                 "Apply failed with 1 conflict: conflict with %s: %s", cf.label,
                 err->causes[0].field);
    } else {
        snprintf(err->message, sizeof(err->message), "Apply failed with %zu conflicts: %s",
                 cf.count, cf.msg);
    }
    free(cf.msg);
    free(order);
    free(sets);
    return FL_EFAIL;
}

/* ---- last-applied-configuration (client-side apply) --------------------- */

static const char *last_applied(const json_t *doc)
{
    const json_t *ann = json_object_get(json_object_get(doc, "metadata"), "annotations");
    return json_string_value(json_object_get(ann, LAST_APPLIED));
}

/* lastAppliedManager: the fields of the last-applied configuration that the
 * live object still has with the same value; kubectl may take them over
 * without a conflict. NULL when there is no annotation. */
static struct fl_fieldset *last_applied_allowed(struct ctx *c, const json_t *live)
{
    const char *la = last_applied(live);
    struct fl_err saved = *c->err;
    if (!la || !la[0])
        return NULL;
    json_t *doc = json_loads(la, 0, NULL);
    struct fl_fieldset *set = fl_fieldset_new(), *out = NULL;
    struct cmp d;
    cmp_init(&d);
    if (json_is_object(doc) && to_set(c, c->root, doc, false, set) == 0 &&
        compare(c, c->root, doc, live, &d) == 0) {
        struct fl_fieldset *a = fl_fieldset_difference(set, d.modified);
        struct fl_fieldset *b = fl_fieldset_difference(a, d.added);
        out = fl_fieldset_difference(b, d.removed);
        fl_fieldset_free(a);
        fl_fieldset_free(b);
    }
    *c->err = saved; /* a walk error only means no allowance */
    c->depth = 0;
    cmp_release(&d);
    fl_fieldset_free(set);
    json_decref(doc);
    return out;
}

/* lastAppliedUpdater: kubectl's apply keeps client-side apply's annotation
 * (when the object has it) equal to what it applied. */
static void update_last_applied(json_t *obj, const json_t *config)
{
    json_t *copy = json_deep_copy(config);
    json_t *ann = json_object_get(json_object_get(copy, "metadata"), "annotations");
    if (json_is_object(ann))
        json_object_del(ann, LAST_APPLIED);
    char *s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    FL_ASSERT(s != NULL);
    char *value = fl_xasprintf("%s\n", s);
    free(s);
    json_t *anns = json_object_get(fl_json_metadata(obj), "annotations");
    json_object_set_new(anns, LAST_APPLIED, json_string(value));
    free(value);
    size_t total = 0;
    const char *k;
    json_t *v;
    json_object_foreach(anns, k, v)
    {
        total += strlen(k) + json_string_length(v);
    }
    if (total > ANNOTATIONS_MAX) /* as upstream: rather no annotation than an invalid object */
        json_object_del(anns, LAST_APPLIED);
}

/* ---- apply -------------------------------------------------------------- */

/* "group/version, Kind=K" (GroupVersionKind.String()). */
static void gvk_string(const char *api_version, const char *kind, char *buf, size_t len)
{
    if (strchr(api_version, '/'))
        snprintf(buf, len, "%s, Kind=%s", api_version, kind);
    else
        snprintf(buf, len, "/%s, Kind=%s", api_version, kind);
}

/* The object's type and metadata as upstream's apply checks them. */
static int check_config(const struct fl_rtype *t, const char *av, json_t *config,
                        struct fl_err *err)
{
    const char *cav = json_string_value(json_object_get(config, "apiVersion"));
    const char *ckind = json_string_value(json_object_get(config, "kind"));
    if (!cav || !ckind || strcmp(cav, av) != 0 || strcmp(ckind, t->kind) != 0) {
        char gvk[640];
        gvk_string(cav ? cav : "", ckind ? ckind : "", gvk, sizeof(gvk));
        return fl_errf(err, 400, "BadRequest", "invalid object type: %s", gvk);
    }
    json_t *md = json_object_get(config, "metadata");
    if (md && !json_is_object(md))
        return fl_errf(err, 400, "BadRequest", "error decoding YAML: metadata must be an object");
    json_t *mf = json_object_get(md, "managedFields");
    if (mf && !json_is_null(mf))
        return fl_errf(err, 400, "BadRequest", "metadata.managedFields must be nil");
    json_object_del(md, "managedFields");
    return FL_OK;
}

/* A copy of doc without metadata.managedFields ({} for NULL); *mf gets
 * them (borrowed from doc). */
static json_t *without_managed(const json_t *doc, const json_t **mf)
{
    json_t *c = doc ? json_deep_copy(doc) : json_object();
    const json_t *md = json_object_get(doc, "metadata");
    if (mf)
        *mf = json_object_get(md, "managedFields");
    json_object_del(json_object_get(c, "metadata"), "managedFields");
    return c;
}

/* What changed from a to b: added ∪ modified (in *changed) and d. */
static int diff(struct ctx *c, const json_t *a, const json_t *b, struct cmp *d,
                struct fl_fieldset **changed)
{
    cmp_init(d);
    c->depth = 0;
    if (compare(c, c->root, a, b, d) != 0)
        return FL_EFAIL;
    *changed = fl_fieldset_union(d->added, d->modified);
    return FL_OK;
}

/* Remove what the applier owned before, owns no more, and nobody else owns
 * (merge.Updater.prune): the removal takes whole declared fields and list
 * elements. */
static int prune(struct ctx *c, const struct mgrs *ms, const struct fl_fieldset *last,
                 json_t **merged)
{
    struct fl_fieldset *owned = fl_fieldset_new(), *last_e = fl_fieldset_copy(last);
    for (size_t i = 0; i < ms->n; i++) {
        struct fl_fieldset *u = fl_fieldset_union(owned, ms->v[i].set);
        fl_fieldset_free(owned);
        owned = u;
    }
    ensure_named(c, c->root, owned, 0);
    ensure_named(c, c->root, last_e, 0);
    struct fl_fieldset *gone = fl_fieldset_difference(last_e, owned);
    int rc = FL_OK;
    if (!fl_fieldset_empty(gone)) {
        json_t *pruned = NULL;
        c->depth = 0;
        rc = remove_items(c, c->root, *merged, gone, &pruned);
        if (!rc) {
            json_decref(*merged);
            *merged = pruned ? pruned : json_object();
        }
    }
    fl_fieldset_free(gone);
    fl_fieldset_free(owned);
    fl_fieldset_free(last_e);
    return rc;
}

int fl_apply(const struct fl_rtype *t, const json_t *live, const char *body, size_t len,
             const char *manager, bool force, json_t **out, struct fl_err *err)
{
    char av[320], now[32], gvk[640];
    int rc = FL_EFAIL;
    json_t *config = NULL, *cur = NULL, *merged = NULL;
    const json_t *live_mf = NULL;
    struct mgrs ms = {0};
    struct fl_fieldset *set = NULL, *last = NULL, *changed = NULL, *allowed = NULL;
    struct fl_fieldset **conf = NULL;
    struct cmp d = {0};
    struct ctx *c = fl_xcalloc(1, sizeof(*c));
    bool any = false;

    fl_rtype_api_version(t, av, sizeof(av));
    now_string(now, sizeof(now));
    ctx_init(c, t->group, t->version, t->kind, err);
    if (decode_body(body, len, &config, err) != 0 || check_config(t, av, config, err) != 0)
        goto out;
    if (t->status) /* the status subresource owns it: a write here would be reset */
        json_object_del(config, "status");
    const json_t *cmd = json_object_get(config, "metadata");
    gvk_string(av, t->kind, gvk, sizeof(gvk));
    snprintf(c->what, sizeof(c->what), "%.63s/%.253s; %s", fl_json_str(cmd, "namespace"),
             fl_json_str(cmd, "name"), gvk);

    /* Stored entries that do not decode count as none (upstream's
     * decodeLiveManagedFields); every write re-encodes them anyway. */
    cur = without_managed(live, &live_mf);
    if (mgrs_decode(live_mf, &ms, err) != 0) {
        mgrs_release(&ms);
        fl_err_clear(err);
    }

    /* skipNonAppliedManager: an object nobody tracked yet gets its fields
     * recorded for "before-first-apply" first, so an apply conflicts with
     * them as with any other manager's. */
    if (live && ms.n == 0) {
        json_t *nothing = json_object();
        rc = diff(c, nothing, cur, &d, &changed);
        json_decref(nothing);
        if (rc != 0)
            goto out;
        rc = FL_EFAIL;
        strip(&changed);
        size_t i = mgrs_get(&ms, BEFORE_FIRST_APPLY, "Update", av, "");
        fl_fieldset_free(ms.v[i].set);
        ms.v[i].set = changed;
        ms.v[i].time = fl_xstrdup(now);
        changed = NULL;
        cmp_release(&d);
    }

    set = fl_fieldset_new();
    c->depth = 0;
    if (to_set(c, c->root, config, true, set) != 0)
        goto out;
    c->depth = 0;
    if (merge(c, c->root, cur, config, &merged) != 0)
        goto out;
    size_t me = mgrs_get(&ms, manager, "Apply", av, "");
    last = ms.v[me].set;
    ms.v[me].set = set;
    set = NULL;
    free(ms.v[me].api_version);
    ms.v[me].api_version = fl_xstrdup(av);
    if (!fl_fieldset_empty(last) && prune(c, &ms, last, &merged) != 0)
        goto out;

    /* Who else owns what changes (merge.Updater.update). */
    if (diff(c, cur, merged, &d, &changed) != 0)
        goto out;
    conf = fl_xcalloc(ms.n + 1, sizeof(*conf));
    for (size_t i = 0; i < ms.n; i++) {
        if (i == me)
            continue;
        conf[i] = fl_fieldset_intersection(ms.v[i].set, changed);
        if (fl_fieldset_empty(conf[i])) {
            fl_fieldset_free(conf[i]);
            conf[i] = NULL;
        }
        any = any || conf[i];
    }
    if (any && !force) {
        struct fl_fieldset **left = fl_xcalloc(ms.n + 1, sizeof(*left));
        bool remain = false;
        if (!strcmp(manager, "kubectl"))
            allowed = last_applied_allowed(c, cur);
        for (size_t i = 0; i < ms.n; i++) {
            if (!conf[i])
                continue;
            left[i] =
                allowed ? fl_fieldset_difference(conf[i], allowed) : fl_fieldset_copy(conf[i]);
            if (fl_fieldset_empty(left[i])) {
                fl_fieldset_free(left[i]);
                left[i] = NULL;
            }
            remain = remain || left[i];
        }
        if (remain)
            conflict_error(err, &ms, left);
        for (size_t i = 0; i < ms.n; i++)
            fl_fieldset_free(left[i]);
        free(left);
        if (remain)
            goto out;
    }
    for (size_t i = 0; i < ms.n; i++) {
        if (i == me)
            continue;
        set_sub(&ms.v[i].set, conf[i]);
        set_sub(&ms.v[i].set, d.removed);
    }
    strip(&ms.v[me].set);
    if (!json_equal(cur, merged)) {
        free(ms.v[me].time);
        ms.v[me].time = fl_xstrdup(now);
    }
    if (!strcmp(manager, "kubectl") && last_applied(merged))
        update_last_applied(merged, config);
    mgrs_store(&ms, merged);
    *out = merged;
    merged = NULL;
    rc = FL_OK;
out:
    for (size_t i = 0; conf && i < ms.n; i++)
        fl_fieldset_free(conf[i]);
    free(conf);
    cmp_release(&d);
    fl_fieldset_free(set);
    fl_fieldset_free(last);
    fl_fieldset_free(changed);
    fl_fieldset_free(allowed);
    mgrs_release(&ms);
    json_decref(merged);
    json_decref(cur);
    json_decref(config);
    free(c);
    return rc;
}

/* ---- update tracking ---------------------------------------------------- */

int fl_apply_track_update_sub(const json_t *old, json_t *next, const char *manager,
                              const char *api_version, const char *subresource, struct fl_err *err)
{
    const char *sub = subresource ? subresource : "";
    json_t *md = json_object_get(next, "metadata");
    if (!json_is_object(next) || (md && !json_is_object(md)))
        return FL_OK; /* nothing to track; validation says why */
    md = fl_json_metadata(next);
    json_t *sent = json_incref(json_object_get(md, "managedFields"));
    const json_t *old_mf = NULL;
    json_t *before = without_managed(old, &old_mf);
    struct mgrs ms = {0};
    struct fl_err ignored;
    struct fl_fieldset *changed = NULL, *take = NULL;
    struct cmp d = {0};
    struct ctx *c = fl_xcalloc(1, sizeof(*c));
    int rc = FL_OK;

    /* decodeLiveOrNew: the request's entries if they decode (a reset
     * clears them), else the stored ones; a subresource write cannot set
     * them. */
    json_object_del(md, "managedFields");
    if (sent && !sub[0] && is_reset(sent)) {
        /* cleared */
    } else if (!sent || sub[0] || mgrs_decode(sent, &ms, &ignored) != 0 || !ms.n) {
        mgrs_release(&ms);
        if (mgrs_decode(old_mf, &ms, &ignored) != 0)
            mgrs_release(&ms);
    }
    /* skipNonAppliedManager: updates do not start tracking an object. */
    if (old && !ms.n)
        goto out;

    char group[256] = "";
    const char *version = api_version ? api_version : "";
    const char *slash = strchr(version, '/');
    if (slash) {
        snprintf(group, sizeof(group), "%.*s", (int)(slash - version), version);
        version = slash + 1;
    }
    ctx_init(c, group, version, json_string_value(json_object_get(next, "kind")), err);
    if ((rc = diff(c, before, next, &d, &changed)) != 0) {
        if (sent) /* leave the request's entries as they came */
            json_object_set(md, "managedFields", sent);
        goto out;
    }
    take = fl_fieldset_union(changed, d.removed);
    for (size_t i = 0; i < ms.n; i++)
        set_sub(&ms.v[i].set, take);
    strip(&changed);
    if (!fl_fieldset_empty(changed)) {
        char now[32];
        size_t i =
            mgrs_get(&ms, manager ? manager : "", "Update", api_version ? api_version : "", sub);
        struct fl_fieldset *u = fl_fieldset_union(ms.v[i].set, changed);
        fl_fieldset_free(ms.v[i].set);
        ms.v[i].set = u;
        now_string(now, sizeof(now));
        free(ms.v[i].time);
        ms.v[i].time = fl_xstrdup(now);
    }
    mgrs_store(&ms, next);
out:
    cmp_release(&d);
    fl_fieldset_free(changed);
    fl_fieldset_free(take);
    mgrs_release(&ms);
    json_decref(before);
    json_decref(sent);
    free(c);
    return rc;
}

int fl_apply_track_update(const json_t *old, json_t *next, const char *manager,
                          const char *api_version, struct fl_err *err)
{
    return fl_apply_track_update_sub(old, next, manager, api_version, NULL, err);
}
