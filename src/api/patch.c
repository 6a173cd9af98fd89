/*
 * JSON Patch, JSON Merge Patch and strategic merge patch (see patch.h). Every
 * function works on a deep copy of the document that it owns: the copy may be
 * modified in place and half-patched when an error is found, because it is
 * then simply dropped, and the caller's `doc` and `patch` are never modified
 * (patch nodes are only read, at most referenced for a while; whatever goes
 * into the result is copied). The
 * recursive functions recurse along the patch, never along the document
 * alone, and the patch's nesting is checked against FL_PATCH_MAX_DEPTH before
 * anything else, so the C stack is bounded; the few helpers that walk a
 * document subtree (equality, copy accounting) recurse at most as deep as the
 * document, which jansson's parser and FL_PATCH_MAX_DOC_DEPTH bound. Strategic
 * merge follows k8s.io/apimachinery/pkg/util/strategicpatch's mergeMap /
 * mergeSlice / normalizeElementOrder, including the element order it
 * produces; where upstream would store a directive or a null from the patch
 * verbatim (new keys, replaced lists), we drop it, so no patch directive
 * ever reaches the result.
 */
#include "api/patch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ECHO_MAX 200 /* bytes of user text (paths, values) quoted in one message */
#define NONE SIZE_MAX

#define DIRECTIVE "$patch"
#define RETAIN_KEYS "$retainKeys"
#define SET_ORDER "$setElementOrder/"
#define DELETE_PRIMITIVE "$deleteFromPrimitiveList/"

/* ------------------------------------------------------------------------ */
/* Shared helpers                                                           */

/* jansson constructors return NULL only when out of memory: abort, as
 * fl_xmalloc does. */
static json_t *nn(json_t *v)
{
    FL_ASSERT(v != NULL);
    return v;
}

static json_t *deep(const json_t *v)
{
    return nn(json_deep_copy(v));
}

static void append(json_t *array, json_t *v)
{
    FL_ASSERT(json_array_append_new(array, v) == 0);
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* s, cut to fit cap bytes with "..." (never inside a UTF-8 sequence). */
static const char *echo(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n < cap) {
        memcpy(buf, s, n + 1);
        return buf;
    }
    n = cap - 4;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, s, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

/* v as compact ASCII JSON, cut to fit cap bytes. */
static const char *render(char *buf, size_t cap, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
    echo(buf, cap, s ? s : "?");
    free(s);
    return buf;
}

/* Containers on the deepest path of v (a scalar is 0), counting no further
 * than cap + 1, so the recursion is at most cap + 1 deep. */
static size_t nesting(const json_t *v, size_t cap)
{
    size_t max = 0, d;
    const char *key;
    json_t *c;
    size_t i;

    if (!json_is_object(v) && !json_is_array(v))
        return 0;
    if (cap == 0)
        return 1;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, c)
        {
            d = nesting(c, cap - 1);
            max = d > max ? d : max;
            if (max >= cap)
                break;
        }
    } else {
        json_array_foreach(v, i, c)
        {
            d = nesting(c, cap - 1);
            max = d > max ? d : max;
            if (max >= cap)
                break;
        }
    }
    return max + 1;
}

/* Take the number of values in v from *budget; false once it runs out. */
static bool spend(const json_t *v, size_t *budget)
{
    const char *key;
    json_t *c;
    size_t i;

    if (*budget == 0)
        return false;
    (*budget)--;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, c)
        {
            if (!spend(c, budget))
                return false;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, c)
        {
            if (!spend(c, budget))
                return false;
        }
    }
    return true;
}

/* JSON equality as upstream's Go sees it: numbers compare by value (1 equals
 * 1.0), object member order does not matter. */
static bool values_equal(const json_t *a, const json_t *b)
{
    const char *key;
    json_t *c;
    size_t i;

    if (a == b)
        return true;
    if (!a || !b)
        return false;
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    if (json_typeof(a) != json_typeof(b))
        return false;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_OBJECT:
        if (json_object_size(a) != json_object_size(b))
            return false;
        json_object_foreach((json_t *)a, key, c)
        {
            if (!values_equal(c, json_object_get(b, key)))
                return false;
        }
        return true;
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return false;
        json_array_foreach(a, i, c)
        {
            if (!values_equal(c, json_array_get(b, i)))
                return false;
        }
        return true;
    default:
        return true; /* true, false, null: the type is the value */
    }
}

static int too_deep(struct fl_err *err)
{
    return fl_errf(err, 400, "BadRequest", "the patch nests deeper than %d levels",
                   FL_PATCH_MAX_DEPTH);
}

/* ------------------------------------------------------------------------ */
/* RFC 6902 JSON Patch                                                      */

enum op_kind { OP_ADD, OP_REMOVE, OP_REPLACE, OP_MOVE, OP_COPY, OP_TEST };

static const char *const op_names[] = {"add", "remove", "replace", "move", "copy", "test"};

/* A parsed JSON Pointer: n decoded tokens, stored NUL-separated in buf. */
struct ptr {
    const char *text; /* as written, borrowed from the patch */
    size_t n;
    char **tok;
    char *buf;
};

struct op {
    enum op_kind kind;
    struct ptr path, from;
    const json_t *value; /* borrowed from the patch */
};

enum res { R_OK, R_MISSING, R_NOKEY, R_BADINDEX };

static void ptr_release(struct ptr *p)
{
    free(p->tok);
    free(p->buf);
}

static int ptr_parse(const json_t *s, const char *field, const char *opname, struct ptr *p,
                     struct fl_err *err)
{
    char e[ECHO_MAX];

    if (!json_is_string(s))
        return fl_errf(err, 400, "BadRequest", "jsonpatch %s operation: missing %s field", opname,
                       field);
    const char *str = json_string_value(s);
    size_t len = json_string_length(s);
    p->text = str;
    if (memchr(str, '\0', len))
        return fl_errf(err, 400, "BadRequest", "jsonpatch %s operation: invalid %s: NUL byte",
                       opname, field);
    if (len == 0)
        return 0; /* the whole document */
    if (str[0] != '/')
        return fl_errf(err, 400, "BadRequest",
                       "jsonpatch %s operation: invalid %s \"%s\": a JSON pointer must be empty "
                       "or start with '/'",
                       opname, field, echo(e, sizeof(e), str));
    for (size_t i = 0; i < len; i++)
        p->n += str[i] == '/';
    p->tok = fl_xcalloc(p->n, sizeof(*p->tok));
    p->buf = fl_xmalloc(len + 1);
    char *w = p->buf;
    size_t t = 0;
    for (size_t i = 0; i < len; i++) {
        if (str[i] == '/') {
            if (t > 0)
                *w++ = '\0';
            p->tok[t++] = w;
        } else if (str[i] == '~') {
            if (i + 1 < len && (str[i + 1] == '0' || str[i + 1] == '1')) {
                *w++ = str[i + 1] == '0' ? '~' : '/';
                i++;
            } else {
                return fl_errf(err, 400, "BadRequest",
                               "jsonpatch %s operation: invalid %s \"%s\": '~' must be followed "
                               "by '0' or '1'",
                               opname, field, echo(e, sizeof(e), str));
            }
        } else {
            *w++ = str[i];
        }
    }
    *w = '\0';
    return 0;
}

static bool ptr_equal(const struct ptr *a, const struct ptr *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->tok[i], b->tok[i]) != 0)
            return false;
    }
    return true;
}

/* An RFC 6901 array index: digits, no leading zero. */
static bool parse_index(const char *t, size_t *out)
{
    size_t v = 0;

    if (!*t || (t[0] == '0' && t[1]))
        return false;
    for (; *t; t++) {
        if (*t < '0' || *t > '9' || v > (SIZE_MAX - 9) / 10)
            return false;
        v = v * 10 + (size_t)(*t - '0');
    }
    *out = v;
    return true;
}

static json_t *child(json_t *c, const char *tok)
{
    size_t i;

    if (json_is_object(c))
        return json_object_get(c, tok);
    if (json_is_array(c) && parse_index(tok, &i))
        return json_array_get(c, i); /* NULL when out of range */
    return NULL;
}

/* The value at the first n tokens of p, or NULL. */
static json_t *walk(json_t *doc, const struct ptr *p, size_t n)
{
    json_t *c = doc;
    for (size_t i = 0; i < n && c; i++)
        c = child(c, p->tok[i]);
    return c;
}

/* Add value (stolen) at p, as the RFC's "add". */
static enum res insert(json_t **doc, const struct ptr *p, json_t *value)
{
    size_t i;

    if (p->n == 0) {
        json_decref(*doc);
        *doc = value;
        return R_OK;
    }
    json_t *parent = walk(*doc, p, p->n - 1);
    const char *last = p->tok[p->n - 1];
    if (json_is_object(parent))
        return json_object_set_new(parent, last, value) == 0 ? R_OK : R_MISSING;
    if (json_is_array(parent)) {
        if (strcmp(last, "-") == 0) {
            append(parent, value);
            return R_OK;
        }
        if (parse_index(last, &i) && i <= json_array_size(parent)) {
            FL_ASSERT(json_array_insert_new(parent, i, value) == 0);
            return R_OK;
        }
        json_decref(value);
        return R_BADINDEX;
    }
    json_decref(value);
    return R_MISSING;
}

/* Remove the value at p (not the root); *taken (if non-NULL) gets a new
 * reference to it. */
static enum res detach(json_t *doc, const struct ptr *p, json_t **taken)
{
    size_t i;

    json_t *parent = p->n ? walk(doc, p, p->n - 1) : NULL;
    const char *last = p->n ? p->tok[p->n - 1] : "";
    if (json_is_object(parent)) {
        json_t *v = json_object_get(parent, last);
        if (!v)
            return R_NOKEY;
        if (taken)
            *taken = json_incref(v);
        json_object_del(parent, last);
        return R_OK;
    }
    if (json_is_array(parent)) {
        if (!parse_index(last, &i) || i >= json_array_size(parent))
            return R_BADINDEX;
        if (taken)
            *taken = json_incref(json_array_get(parent, i));
        json_array_remove(parent, i);
        return R_OK;
    }
    return R_MISSING;
}

/* Would placing v at p nest the document deeper than FL_PATCH_MAX_DOC_DEPTH? */
static bool placement_too_deep(const struct ptr *p, const json_t *v)
{
    return p->n > FL_PATCH_MAX_DOC_DEPTH ||
           p->n + nesting(v, FL_PATCH_MAX_DOC_DEPTH) > FL_PATCH_MAX_DOC_DEPTH;
}

static int placement_err(struct fl_err *err, const char *opname, const char *path)
{
    return fl_errf(err, 422, "Invalid",
                   "jsonpatch %s operation does not apply: the document would nest deeper than "
                   "%d levels at %s",
                   opname, FL_PATCH_MAX_DOC_DEPTH, path);
}

static int apply_replace(json_t **doc, const struct op *o, const char *path, struct fl_err *err)
{
    size_t i;

    if (placement_too_deep(&o->path, o->value))
        return placement_err(err, "replace", path);
    if (o->path.n == 0) {
        json_decref(*doc);
        *doc = deep(o->value);
        return 0;
    }
    json_t *parent = walk(*doc, &o->path, o->path.n - 1);
    const char *last = o->path.tok[o->path.n - 1];
    if (!json_is_object(parent) && !json_is_array(parent))
        return fl_errf(err, 422, "Invalid",
                       "jsonpatch replace operation does not apply: doc is missing path: %s", path);
    if (json_is_object(parent) && json_object_get(parent, last)) {
        FL_ASSERT(json_object_set_new(parent, last, deep(o->value)) == 0);
        return 0;
    }
    if (json_is_array(parent) && parse_index(last, &i) && i < json_array_size(parent)) {
        FL_ASSERT(json_array_set_new(parent, i, deep(o->value)) == 0);
        return 0;
    }
    return fl_errf(err, 422, "Invalid",
                   "jsonpatch replace operation does not apply: doc is missing key: %s", path);
}

static int apply_move(json_t **doc, const struct op *o, const char *path, struct fl_err *err)
{
    char fb[ECHO_MAX];
    const char *from = echo(fb, sizeof(fb), o->from.text);
    json_t *v = NULL;

    if (!walk(*doc, &o->from, o->from.n))
        return fl_errf(err, 422, "Invalid",
                       "jsonpatch move operation does not apply: doc is missing from path: %s",
                       from);
    if (ptr_equal(&o->from, &o->path))
        return 0;
    /* Moving the root (or anything) into itself: after the remove, the
     * destination no longer exists. */
    if (o->from.n == 0 || detach(*doc, &o->from, &v) != R_OK)
        return fl_errf(err, 422, "Invalid",
                       "jsonpatch move operation does not apply: doc is missing destination "
                       "path: %s",
                       path);
    if (placement_too_deep(&o->path, v)) {
        json_decref(v);
        return placement_err(err, "move", path);
    }
    if (insert(doc, &o->path, v) != R_OK)
        return fl_errf(err, 422, "Invalid",
                       "jsonpatch move operation does not apply: doc is missing destination "
                       "path: %s",
                       path);
    return 0;
}

static int apply_copy(json_t **doc, const struct op *o, const char *path, size_t *budget,
                      struct fl_err *err)
{
    char fb[ECHO_MAX];
    json_t *src = walk(*doc, &o->from, o->from.n);

    if (!src)
        return fl_errf(err, 422, "Invalid",
                       "jsonpatch copy operation does not apply: doc is missing from path: %s",
                       echo(fb, sizeof(fb), o->from.text));
    if (!spend(src, budget))
        return fl_errf(err, 422, "Invalid",
                       "Unable to complete the copy, the accumulated size increase of copy "
                       "exceeds the limit of %d values",
                       FL_PATCH_MAX_COPY_NODES);
    if (placement_too_deep(&o->path, src))
        return placement_err(err, "copy", path);
    if (insert(doc, &o->path, deep(src)) != R_OK)
        return fl_errf(err, 422, "Invalid",
                       "jsonpatch copy operation does not apply: doc is missing destination "
                       "path: %s",
                       path);
    return 0;
}

static int apply_op(json_t **doc, const struct op *o, size_t *budget, struct fl_err *err)
{
    char pb[ECHO_MAX], tb[ECHO_MAX];
    const char *path = echo(pb, sizeof(pb), o->path.text);
    const char *last = o->path.n ? echo(tb, sizeof(tb), o->path.tok[o->path.n - 1]) : "";
    json_t *target;

    switch (o->kind) {
    case OP_ADD:
        if (placement_too_deep(&o->path, o->value))
            return placement_err(err, "add", path);
        switch (insert(doc, &o->path, deep(o->value))) {
        case R_OK:
            return 0;
        case R_BADINDEX:
            return fl_errf(err, 422, "Invalid",
                           "error in add for path: '%s': Unable to access invalid index: %s", path,
                           last);
        default:
            return fl_errf(err, 422, "Invalid",
                           "jsonpatch add operation does not apply: doc is missing path: \"%s\"",
                           path);
        }
    case OP_REMOVE:
        switch (detach(*doc, &o->path, NULL)) {
        case R_OK:
            return 0;
        case R_NOKEY:
            return fl_errf(err, 422, "Invalid",
                           "error in remove for path: '%s': Unable to remove nonexistent key: %s",
                           path, last);
        case R_BADINDEX:
            return fl_errf(err, 422, "Invalid",
                           "error in remove for path: '%s': Unable to access invalid index: %s",
                           path, last);
        default:
            return fl_errf(err, 422, "Invalid",
                           "jsonpatch remove operation does not apply: doc is missing path: %s",
                           path);
        }
    case OP_REPLACE:
        return apply_replace(doc, o, path, err);
    case OP_MOVE:
        return apply_move(doc, o, path, err);
    case OP_COPY:
        return apply_copy(doc, o, path, budget, err);
    case OP_TEST:
        target = walk(*doc, &o->path, o->path.n);
        if (!target) {
            json_t *parent = walk(*doc, &o->path, o->path.n - 1);
            if (!json_is_object(parent) && !json_is_array(parent))
                return fl_errf(err, 422, "Invalid",
                               "jsonpatch test operation does not apply: is missing path: %s",
                               path);
        }
        if (!values_equal(target, o->value))
            return fl_errf(err, 422, "Invalid", "testing value %s failed", path);
        return 0;
    }
    return fl_errf(err, 500, "InternalError", "unknown JSON patch operation");
}

static const char *go_type(const json_t *v)
{
    if (!v)
        return "null";
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    default:
        return "null";
    }
}

static int decode_op(const json_t *j, struct op *o, struct fl_err *err)
{
    char e[ECHO_MAX];

    if (!json_is_object(j))
        return fl_errf(err, 400, "BadRequest",
                       "json: cannot unmarshal %s into Go value of type jsonpatch.Operation",
                       go_type(j));
    const json_t *kind = json_object_get(j, "op");
    const char *name = json_is_string(kind) ? json_string_value(kind) : "unknown";
    size_t k = 0;
    while (k < FL_ARRAY_LEN(op_names) && strcmp(name, op_names[k]) != 0)
        k++;
    if (k == FL_ARRAY_LEN(op_names))
        return fl_errf(err, 400, "BadRequest", "Unexpected kind: %s", echo(e, sizeof(e), name));
    o->kind = (enum op_kind)k;
    if (ptr_parse(json_object_get(j, "path"), "path", name, &o->path, err))
        return FL_EFAIL;
    if ((o->kind == OP_MOVE || o->kind == OP_COPY) &&
        ptr_parse(json_object_get(j, "from"), "from", name, &o->from, err))
        return FL_EFAIL;
    if (o->kind == OP_ADD || o->kind == OP_REPLACE || o->kind == OP_TEST) {
        o->value = json_object_get(j, "value");
        if (!o->value)
            return fl_errf(err, 400, "BadRequest", "jsonpatch %s operation: missing value field",
                           name);
    }
    return 0;
}

int fl_patch_json(const json_t *doc, const json_t *patch, json_t **out, struct fl_err *err)
{
    struct op *ops = NULL;
    size_t nops = 0, budget = FL_PATCH_MAX_COPY_NODES;
    json_t *work = NULL;
    int rc = FL_EFAIL;

    if (!json_is_array(patch)) {
        fl_errf(err, 400, "BadRequest",
                "json: cannot unmarshal %s into Go value of type jsonpatch.Patch", go_type(patch));
        goto out;
    }
    if (json_array_size(patch) > FL_PATCH_MAX_OPS) {
        fl_errf(err, 413, "RequestEntityTooLarge",
                "The allowed maximum operations in a JSON patch is %d, got %zu", FL_PATCH_MAX_OPS,
                json_array_size(patch));
        goto out;
    }
    if (nesting(patch, FL_PATCH_MAX_DEPTH) > FL_PATCH_MAX_DEPTH) {
        too_deep(err);
        goto out;
    }
    nops = json_array_size(patch);
    ops = fl_xcalloc(nops, sizeof(*ops));
    for (size_t i = 0; i < nops; i++) {
        if (decode_op(json_array_get(patch, i), &ops[i], err))
            goto out;
    }
    work = deep(doc);
    for (size_t i = 0; i < nops; i++) {
        if (apply_op(&work, &ops[i], &budget, err))
            goto out;
    }
    *out = work;
    work = NULL;
    rc = 0;
out:
    json_decref(work);
    for (size_t i = 0; i < nops; i++) {
        ptr_release(&ops[i].path);
        ptr_release(&ops[i].from);
    }
    free(ops);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* RFC 7386 JSON Merge Patch                                                */

/* MergePatch(target, patch) of RFC 7386 section 2; target is stolen (may be
 * NULL), the result is a new reference. */
static json_t *merge(json_t *target, const json_t *patch)
{
    const char *key;
    json_t *v;

    if (!json_is_object(patch)) {
        json_decref(target);
        return deep(patch);
    }
    if (!json_is_object(target)) {
        json_decref(target);
        target = nn(json_object());
    }
    json_object_foreach((json_t *)patch, key, v)
    {
        if (json_is_null(v)) {
            json_object_del(target, key);
            continue;
        }
        json_t *cur = json_incref(json_object_get(target, key));
        FL_ASSERT(json_object_set_new(target, key, merge(cur, v)) == 0);
    }
    return target;
}

int fl_patch_merge(const json_t *doc, const json_t *patch, json_t **out, struct fl_err *err)
{
    if (nesting(patch, FL_PATCH_MAX_DEPTH) > FL_PATCH_MAX_DEPTH)
        return too_deep(err);
    *out = merge(deep(doc), patch);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Strategic merge patch                                                    */

struct smp {
    fl_patch_strategy_fn strategy;
    void *ctx;
    struct fl_err *err;
    size_t depth;
    const char *path[FL_PATCH_MAX_DEPTH + 2];
};

enum jkind { K_OBJECT, K_ARRAY, K_STRING, K_NUMBER, K_BOOL, K_NULL };

/* The type as Go's encoding/json decodes it: all numbers are float64. */
static enum jkind kind_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return K_OBJECT;
    case JSON_ARRAY:
        return K_ARRAY;
    case JSON_STRING:
        return K_STRING;
    case JSON_INTEGER:
    case JSON_REAL:
        return K_NUMBER;
    case JSON_TRUE:
    case JSON_FALSE:
        return K_BOOL;
    default:
        return K_NULL;
    }
}

static void push(struct smp *s, const char *field)
{
    FL_ASSERT(s->depth < FL_ARRAY_LEN(s->path));
    s->path[s->depth++] = field;
}

static void pop(struct smp *s)
{
    FL_ASSERT(s->depth > 0);
    s->depth--;
}

/* The strategy of the field at the current path (atomic when unknown). */
static void lookup(struct smp *s, struct fl_patch_list_strategy *st)
{
    memset(st, 0, sizeof(*st));
    if (s->strategy && !s->strategy(s->path, s->depth, st, s->ctx))
        memset(st, 0, sizeof(*st));
}

static bool is_directive_key(const char *k)
{
    return strcmp(k, DIRECTIVE) == 0 || strcmp(k, RETAIN_KEYS) == 0 || has_prefix(k, SET_ORDER) ||
           has_prefix(k, DELETE_PRIMITIVE);
}

static json_t *clean(const json_t *v);

/* The members of a patch map, cleaned (see clean), without "$patch". */
static json_t *clean_members(const json_t *v)
{
    json_t *o = nn(json_object());
    const char *key;
    json_t *m;

    json_object_foreach((json_t *)v, key, m)
    {
        if (json_is_null(m) || is_directive_key(key))
            continue;
        json_t *c = clean(m);
        if (c)
            FL_ASSERT(json_object_set_new(o, key, c) == 0);
    }
    return o;
}

/* A copy of a patch value for a place the document does not have yet, as
 * upstream stores it (discardNullValuesFromPatch + removeDirectives): null
 * members dropped, maps holding "$patch" dropped (NULL is returned for such a
 * map itself), and also the other directive keys removed. */
static json_t *clean(const json_t *v)
{
    size_t i;
    json_t *e;

    if (json_is_object(v))
        return json_object_get(v, DIRECTIVE) ? NULL : clean_members(v);
    if (json_is_array(v)) {
        json_t *a = nn(json_array());
        json_array_foreach(v, i, e)
        {
            json_t *c = clean(e);
            if (c)
                append(a, c);
        }
        return a;
    }
    return deep(v);
}

static int bad_patch_type(struct smp *s, const json_t *d, const json_t *map)
{
    char a[ECHO_MAX], b[ECHO_MAX];
    return fl_errf(s->err, 400, "BadRequest", "unknown patch type: %s in map: %s",
                   json_is_string(d) ? echo(a, sizeof(a), json_string_value(d))
                                     : render(a, sizeof(a), d),
                   render(b, sizeof(b), map));
}

static int no_merge_key(struct smp *s, const json_t *map, const char *key)
{
    char a[ECHO_MAX];
    return fl_errf(s->err, 400, "BadRequest", "map: %s does not contain declared merge key: %s",
                   render(a, sizeof(a), map), key);
}

static int bad_format(struct smp *s, const char *what)
{
    return fl_errf(s->err, 400, "BadRequest", "invalid patch format of %s", what);
}

/* The current path, dotted, cut to fit cap bytes. */
static const char *path_str(struct smp *s, char *buf, size_t cap)
{
    char full[4 * ECHO_MAX];
    size_t n = 0;

    full[0] = '\0';
    for (size_t i = 0; i < s->depth && n + 1 < sizeof(full); i++)
        n += (size_t)snprintf(full + n, sizeof(full) - n, "%s%s", i ? "." : "", s->path[i]);
    return echo(buf, cap, full);
}

/* The merge key value of a list element (the element itself for lists of
 * primitives), or NULL. */
static const json_t *key_of(const json_t *v, const char *mk)
{
    if (!mk)
        return v;
    return json_is_object(v) ? json_object_get(v, mk) : NULL;
}

/* Index in list of the first element whose key equals key, or NONE. */
static size_t index_of(const json_t *list, const json_t *key, const char *mk)
{
    size_t i;
    json_t *e;

    if (!key)
        return NONE;
    json_array_foreach(list, i, e)
    {
        if (values_equal(key_of(e, mk), key))
            return i;
    }
    return NONE;
}

struct item {
    json_t *v;
    size_t order;  /* index in the order this partition is sorted by */
    size_t server; /* index in the server (document) order */
    size_t pos;    /* index in the merged list: makes the sort stable */
};

static int item_cmp(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Upstream's normalizeElementOrder: the elements of merged that `order`
 * names, sorted by `order`, interleaved with the others, sorted by `server`
 * (the document's list; may be NULL): a server-only element goes before a
 * patch element only when both are in `server` and it comes first there.
 * Where upstream's sort is undefined (an element missing from the order it
 * is sorted by) ours keeps such elements last, in merged order. Returns a new
 * array.
 */
static json_t *normalize(const json_t *merged, const json_t *order, const json_t *server,
                         const char *mk)
{
    size_t n = json_array_size(merged), np = 0, ns = 0, i;
    struct item *p = fl_xcalloc(n, sizeof(*p)), *o = fl_xcalloc(n, sizeof(*o));
    json_t *e, *res = nn(json_array());

    json_array_foreach(merged, i, e)
    {
        const json_t *k = key_of(e, mk);
        size_t oi = index_of(order, k, mk);
        size_t si = server ? index_of(server, k, mk) : NONE;
        if (oi != NONE)
            p[np++] = (struct item){e, oi, si, i};
        else
            o[ns++] = (struct item){e, si, si, i};
    }
    qsort(p, np, sizeof(*p), item_cmp);
    qsort(o, ns, sizeof(*o), item_cmp);
    size_t a = 0, b = 0;
    while (a < ns || b < np) {
        bool left = b >= np || (a < ns && o[a].server != NONE && p[b].server != NONE &&
                                o[a].server < p[b].server);
        append(res, json_incref(left ? o[a++].v : p[b++].v));
    }
    free(p);
    free(o);
    return res;
}

static int merge_map(struct smp *s, json_t *orig, const json_t *patch, json_t **res);

/* All elements of both lists must have one type, and not be lists. */
static int element_kind(struct smp *s, const json_t *a, const json_t *b, enum jkind *out)
{
    char buf[ECHO_MAX];
    const json_t *lists[2] = {a, b};
    bool first = true;
    size_t i;
    json_t *e;

    for (size_t l = 0; l < 2; l++) {
        json_array_foreach(lists[l], i, e)
        {
            enum jkind k = kind_of(e);
            if (first && k == K_ARRAY)
                return fl_errf(s->err, 422, "Invalid", "lists of lists are not supported");
            if (!first && k != *out)
                return fl_errf(s->err, 422, "Invalid", "list element types are not identical: %s",
                               render(buf, sizeof(buf), b));
            *out = k;
            first = false;
        }
    }
    return 0;
}

/* Lists of primitives with strategy merge: the union, in upstream's order. */
static json_t *merge_primitives(const json_t *orig, const json_t *patch)
{
    json_t *merged = nn(json_array()), *e;
    size_t i;

    json_array_foreach(orig, i, e)
    {
        if (index_of(merged, e, NULL) == NONE)
            append(merged, json_incref(e));
    }
    json_array_foreach(patch, i, e)
    {
        if (index_of(merged, e, NULL) == NONE)
            append(merged, deep(e));
    }
    json_t *res = normalize(merged, patch, orig, NULL);
    json_decref(merged);
    return res;
}

/* Lists of maps with strategy merge (upstream's mergeSliceWithSpecialElements
 * + mergeSliceWithoutSpecialElements + normalizeElementOrder). orig is stolen
 * and left as it was (a caller may still use it as the server order); the
 * elements it shares with the result may be merged in place. */
static int merge_maps(struct smp *s, json_t *orig, const json_t *patch, const char *mk,
                      json_t **res)
{
    char buf[ECHO_MAX];
    json_t *items = nn(json_array()), *work = nn(json_array()), *server = NULL, *e, *d;
    bool replace = false;
    int rc = FL_EFAIL;
    size_t i;

    if (!mk) {
        fl_errf(s->err, 422, "Invalid", "cannot merge lists without merge key for %s",
                path_str(s, buf, sizeof(buf)));
        goto out;
    }
    json_array_foreach(orig, i, e)
    {
        append(work, json_incref(e));
    }
    json_array_foreach(patch, i, e)
    {
        d = json_object_get(e, DIRECTIVE);
        if (!d) {
            append(items, json_incref(e));
        } else if (json_is_string(d) && strcmp(json_string_value(d), "delete") == 0) {
            const json_t *key = json_object_get(e, mk);
            if (!key) {
                no_merge_key(s, e, mk);
                goto out;
            }
            for (size_t j = json_array_size(work); j-- > 0;) {
                if (values_equal(key_of(json_array_get(work, j), mk), key))
                    json_array_remove(work, j);
            }
        } else if (json_is_string(d) && strcmp(json_string_value(d), "replace") == 0) {
            replace = true; /* and go on, pruning the other directive elements */
        } else if (json_is_string(d) && strcmp(json_string_value(d), "merge") == 0) {
            fl_errf(s->err, 400, "BadRequest",
                    "merging lists cannot yet be specified in the patch");
            goto out;
        } else {
            bad_patch_type(s, d, e);
            goto out;
        }
    }
    if (replace) {
        json_decref(work);
        work = clean(items);
        json_array_clear(items);
    }
    server = json_copy(work); /* the order before the patch's elements go in */
    FL_ASSERT(server != NULL);
    json_array_foreach(items, i, e)
    {
        const json_t *key = json_object_get(e, mk);
        if (!key) {
            no_merge_key(s, e, mk);
            goto out;
        }
        size_t at = index_of(work, key, mk);
        if (at == NONE) {
            append(work, clean(e));
            continue;
        }
        json_t *merged = NULL;
        if (merge_map(s, json_incref(json_array_get(work, at)), e, &merged))
            goto out;
        FL_ASSERT(json_array_set_new(work, at, merged) == 0);
    }
    *res = normalize(work, items, server, mk);
    rc = 0;
out:
    json_decref(items);
    json_decref(work);
    json_decref(server);
    json_decref(orig);
    return rc;
}

/* Merge a patch list into the document's list at the current path (upstream's
 * mergeSliceHandler + mergeSlice). orig is stolen. */
static int merge_list(struct smp *s, json_t *orig, const json_t *patch,
                      const struct fl_patch_list_strategy *st, json_t **res)
{
    char buf[ECHO_MAX];
    enum jkind k = K_NULL;

    if (!st->merge) {
        json_decref(orig);
        *res = clean(patch);
        return 0;
    }
    if (json_array_size(orig) == 0 && json_array_size(patch) == 0) {
        *res = orig;
        return 0;
    }
    if (json_array_size(orig) > FL_PATCH_MAX_LIST || json_array_size(patch) > FL_PATCH_MAX_LIST) {
        json_decref(orig);
        return fl_errf(s->err, 422, "Invalid", "list %s is too long to merge (over %d elements)",
                       path_str(s, buf, sizeof(buf)), FL_PATCH_MAX_LIST);
    }
    if (element_kind(s, orig, patch, &k)) {
        json_decref(orig);
        return FL_EFAIL;
    }
    if (k != K_OBJECT) {
        *res = merge_primitives(orig, patch);
        json_decref(orig);
        return 0;
    }
    return merge_maps(s, orig, patch, st->merge_key, res);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool retained(const char **keys, size_t n, const char *key)
{
    return n > 0 && bsearch(&key, keys, n, sizeof(*keys), str_cmp) != NULL;
}

/* applyRetainKeysDirective: check that the patch only sets retained keys,
 * then drop the document's others. */
static int retain_keys(struct smp *s, json_t *orig, const json_t *patch)
{
    const json_t *list = json_object_get(patch, RETAIN_KEYS);
    const char **keys = NULL, *key;
    size_t n = 0, i;
    json_t *v;
    void *tmp;
    int rc = FL_EFAIL;

    if (!list)
        return 0;
    if (!json_is_array(list))
        return bad_format(s, "retainKeys");
    keys = fl_xcalloc(json_array_size(list), sizeof(*keys));
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v))
            keys[n++] = json_string_value(v);
    }
    qsort(keys, n, sizeof(*keys), str_cmp);
    json_object_foreach((json_t *)patch, key, v)
    {
        if (json_is_null(v) || strcmp(key, RETAIN_KEYS) == 0 || has_prefix(key, SET_ORDER) ||
            has_prefix(key, DELETE_PRIMITIVE))
            continue;
        if (!retained(keys, n, key)) {
            bad_format(s, "retainKeys");
            goto out;
        }
    }
    json_object_foreach_safe(orig, tmp, key, v)
    {
        if (!retained(keys, n, key))
            json_object_del(orig, key);
    }
    rc = 0;
out:
    free(keys);
    return rc;
}

/* validatePatchWithSetOrderList: the patch list's elements (directive
 * elements aside) appear in the $setElementOrder list, in the same order. */
static int validate_order(struct smp *s, const json_t *list, const json_t *order, const char *mk)
{
    char a[ECHO_MAX], b[ECHO_MAX];
    size_t n = json_array_size(list), m = json_array_size(order), pi = 0, oi = 0;

    if (n == 0 || m == 0)
        return 0;
    while (pi < n && oi < m) {
        const json_t *e = json_array_get(list, pi), *o = json_array_get(order, oi);
        if (json_is_object(e) && json_object_get(e, DIRECTIVE)) {
            pi++;
            continue;
        }
        const json_t *ek = key_of(e, mk), *ok = key_of(o, mk);
        if (!ek)
            return no_merge_key(s, e, mk);
        if (!ok)
            return no_merge_key(s, o, mk);
        if (values_equal(ek, ok))
            pi++;
        oi++;
    }
    while (pi < n && json_is_object(json_array_get(list, pi)) &&
           json_object_get(json_array_get(list, pi), DIRECTIVE))
        pi++;
    if (pi < n)
        return fl_errf(s->err, 400, "BadRequest",
                       "the order in patch list:\n%s\n doesn't match $setElementOrder list:\n%s",
                       render(a, sizeof(a), list), render(b, sizeof(b), order));
    return 0;
}

/* One "$setElementOrder/<name>": merge the list named there and sort it
 * (upstream's mergePatchIntoOriginal). */
static int set_order(struct smp *s, json_t *orig, const json_t *patch, const char *name,
                     const json_t *order)
{
    struct fl_patch_list_strategy st;
    json_t *merged = NULL;
    int rc = FL_EFAIL;

    if (!json_is_array(order))
        return bad_format(s, "setElementOrder list");
    json_t *ol = json_object_get(orig, name);
    const json_t *pl = json_object_get(patch, name);
    if (ol && !json_is_array(ol))
        ol = NULL; /* the patch's list (if any) replaces it */
    if (pl && !json_is_array(pl))
        return bad_format(s, "setElementOrder list");
    if (json_array_size(order) > FL_PATCH_MAX_LIST)
        return fl_errf(s->err, 422, "Invalid", "%s%s has over %d elements", SET_ORDER, name,
                       FL_PATCH_MAX_LIST);
    push(s, name);
    lookup(s, &st);
    if (pl && validate_order(s, pl, order, st.merge_key))
        goto out;
    if (!ol && !pl) {
        rc = 0;
        goto out;
    }
    if (!pl)
        merged = json_incref(ol);
    else if (!ol)
        merged = clean(pl);
    else if (merge_list(s, json_incref(ol), pl, &st, &merged))
        goto out;
    FL_ASSERT(json_object_set_new(orig, name, normalize(merged, order, ol, st.merge_key)) == 0);
    rc = 0;
out:
    pop(s);
    json_decref(merged);
    return rc;
}

/* Is there a "$setElementOrder/<key>" in the patch (which then merged key)? */
static bool ordered(const json_t *patch, const char *key)
{
    char *k = fl_xasprintf("%s%s", SET_ORDER, key);
    bool found = json_object_get(patch, k) != NULL;
    free(k);
    return found;
}

/* "$deleteFromPrimitiveList/<name>": remove those values from the list. */
static int delete_from_list(struct smp *s, json_t *orig, const char *name, const json_t *values)
{
    json_t *cur = json_object_get(orig, name);

    if (!json_is_array(values))
        return bad_format(s, "primitive list");
    if (!json_is_array(cur))
        return 0;
    if (json_array_size(cur) > FL_PATCH_MAX_LIST || json_array_size(values) > FL_PATCH_MAX_LIST)
        return fl_errf(s->err, 422, "Invalid", "%s%s: list over %d elements", DELETE_PRIMITIVE,
                       name, FL_PATCH_MAX_LIST);
    for (size_t i = json_array_size(cur); i-- > 0;) {
        if (index_of(values, json_array_get(cur, i), NULL) != NONE)
            json_array_remove(cur, i);
    }
    return 0;
}

/* Merge one patch member into the document map. */
static int merge_field(struct smp *s, json_t *orig, const char *key, const json_t *v)
{
    struct fl_patch_list_strategy st;
    json_t *cur = json_object_get(orig, key), *res = NULL;
    int rc;

    if (json_is_null(v)) {
        json_object_del(orig, key);
        return 0;
    }
    if (!cur || kind_of(cur) != kind_of(v)) {
        json_t *c = clean(v);
        if (c)
            FL_ASSERT(json_object_set_new(orig, key, c) == 0);
        else
            json_object_del(orig, key);
        return 0;
    }
    if (!json_is_object(v) && !json_is_array(v)) {
        FL_ASSERT(json_object_set_new(orig, key, deep(v)) == 0);
        return 0;
    }
    push(s, key);
    if (json_is_object(v)) {
        rc = merge_map(s, json_incref(cur), v, &res);
    } else {
        lookup(s, &st);
        rc = merge_list(s, json_incref(cur), v, &st, &res);
    }
    pop(s);
    if (rc == 0)
        FL_ASSERT(json_object_set_new(orig, key, res) == 0);
    return rc;
}

/* Upstream's mergeMap. orig (stolen, may be NULL) is modified in place; *res
 * is a new reference. */
static int merge_map(struct smp *s, json_t *orig, const json_t *patch, json_t **res)
{
    const json_t *d = json_object_get(patch, DIRECTIVE);
    const char *key;
    json_t *v;
    int rc = FL_EFAIL;

    if (d) {
        if (json_is_string(d) && strcmp(json_string_value(d), "replace") == 0) {
            *res = clean_members(patch);
            rc = 0;
        } else if (json_is_string(d) && strcmp(json_string_value(d), "delete") == 0) {
            *res = nn(json_object());
            rc = 0;
        } else {
            bad_patch_type(s, d, patch);
        }
        goto out;
    }
    if (!orig)
        orig = nn(json_object());
    if (retain_keys(s, orig, patch))
        goto out;
    json_object_foreach((json_t *)patch, key, v)
    {
        if (has_prefix(key, SET_ORDER) && set_order(s, orig, patch, key + strlen(SET_ORDER), v))
            goto out;
    }
    json_object_foreach((json_t *)patch, key, v)
    {
        if (is_directive_key(key) || ordered(patch, key))
            continue;
        if (merge_field(s, orig, key, v))
            goto out;
    }
    /* Deletions last, so that a value both added and deleted ends deleted
     * (upstream's order depends on Go's map iteration). */
    json_object_foreach((json_t *)patch, key, v)
    {
        if (has_prefix(key, DELETE_PRIMITIVE) &&
            delete_from_list(s, orig, key + strlen(DELETE_PRIMITIVE), v))
            goto out;
    }
    *res = orig;
    orig = NULL;
    rc = 0;
out:
    json_decref(orig);
    return rc;
}

int fl_patch_strategic(const json_t *doc, const json_t *patch, fl_patch_strategy_fn strategy,
                       void *ctx, json_t **out, struct fl_err *err)
{
    struct smp s = {.strategy = strategy, .ctx = ctx, .err = err};

    if (!json_is_object(patch) || !json_is_object(doc))
        return fl_errf(err, 400, "BadRequest", "invalid JSON document");
    if (nesting(patch, FL_PATCH_MAX_DEPTH) > FL_PATCH_MAX_DEPTH)
        return too_deep(err);
    return merge_map(&s, deep(doc), patch, out);
}

/* ------------------------------------------------------------------------ */
/* Built-in strategy table                                                  */

struct rule {
    const char *path; /* dotted field names */
    const char *merge_key;
    bool merge;
    bool retain_keys;
};

/* ObjectMeta, of the object and of pod templates. */
static const struct rule meta_rules[] = {
    {"finalizers", NULL, true, false},
    {"ownerReferences", "uid", true, false},
};

/* PodSpec. */
static const struct rule podspec_rules[] = {
    {"containers", "name", true, false},
    {"initContainers", "name", true, false},
    {"ephemeralContainers", "name", true, false},
    {"volumes", "name", true, true},
    {"imagePullSecrets", "name", true, false},
    {"hostAliases", "ip", true, false},
    {"topologySpreadConstraints", "topologyKey", true, false},
    {"resourceClaims", "name", true, true},
    {"schedulingGates", "name", true, false},
    /* tolerations, readinessGates: no patch strategy upstream (atomic) */
};

/* Container and EphemeralContainer, under each of the container lists. */
static const char *const container_lists[] = {"containers", "initContainers",
                                              "ephemeralContainers"};
static const struct rule container_rules[] = {
    {"ports", "containerPort", true, false},
    {"env", "name", true, false},
    {"volumeMounts", "mountPath", true, false},
    {"volumeDevices", "devicePath", true, false},
    /* envFrom, resizePolicy, resources.claims: atomic */
};

/* Where each workload keeps its pod template. */
static const struct {
    const char *kind;
    const char *podspec;
    const char *meta; /* the template's ObjectMeta; NULL: the object's own */
} templates[] = {
    {"Pod", "spec", NULL},
    {"PodTemplate", "template.spec", "template.metadata"},
    {"Deployment", "spec.template.spec", "spec.template.metadata"},
    {"StatefulSet", "spec.template.spec", "spec.template.metadata"},
    {"DaemonSet", "spec.template.spec", "spec.template.metadata"},
    {"ReplicaSet", "spec.template.spec", "spec.template.metadata"},
    {"ReplicationController", "spec.template.spec", "spec.template.metadata"},
    {"Job", "spec.template.spec", "spec.template.metadata"},
    {"CronJob", "spec.jobTemplate.spec.template.spec", "spec.jobTemplate.spec.template.metadata"},
};

/* Rules from the object root; kind NULL: every kind. */
static const struct {
    const char *kind;
    struct rule rule;
} root_rules[] = {
    {NULL, {"status.conditions", "type", true, false}},
    {"Pod", {"status.podIPs", "ip", true, false}},
    {"Pod", {"status.hostIPs", "ip", true, false}},
    {"Pod", {"status.resourceClaimStatuses", "name", true, true}},
    {"Service", {"spec.ports", "port", true, false}},
    {"Node", {"spec.podCIDRs", NULL, true, false}},
    {"Node", {"status.addresses", "type", true, false}},
    {"Deployment", {"spec.strategy", NULL, false, true}},
    {"ServiceAccount", {"secrets", "name", true, false}},
};

/* Does path start with the dotted field names? *used: how many it took. */
static bool match_dotted(const char *const *path, size_t depth, const char *dotted, size_t *used)
{
    size_t i = 0;
    const char *p = dotted;

    while (*p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (i >= depth || strlen(path[i]) != len || memcmp(path[i], p, len) != 0)
            return false;
        i++;
        p = dot ? dot + 1 : p + len;
    }
    *used = i;
    return true;
}

static bool match_exact(const char *const *path, size_t depth, const char *dotted)
{
    size_t used;
    return match_dotted(path, depth, dotted, &used) && used == depth;
}

static bool match_rules(const char *const *path, size_t depth, const struct rule *rules, size_t n,
                        struct fl_patch_list_strategy *out)
{
    for (size_t i = 0; i < n; i++) {
        if (match_exact(path, depth, rules[i].path)) {
            out->merge_key = rules[i].merge_key;
            out->merge = rules[i].merge;
            out->retain_keys = rules[i].retain_keys;
            return true;
        }
    }
    return false;
}

static bool match_under(const char *const *path, size_t depth, const char *root,
                        const struct rule *rules, size_t n, struct fl_patch_list_strategy *out)
{
    size_t used;
    return match_dotted(path, depth, root, &used) &&
           match_rules(path + used, depth - used, rules, n, out);
}

static bool match_podspec(const char *const *path, size_t depth, struct fl_patch_list_strategy *out)
{
    if (match_rules(path, depth, podspec_rules, FL_ARRAY_LEN(podspec_rules), out))
        return true;
    for (size_t i = 0; i < FL_ARRAY_LEN(container_lists); i++) {
        if (match_under(path, depth, container_lists[i], container_rules,
                        FL_ARRAY_LEN(container_rules), out))
            return true;
    }
    return false;
}

bool fl_patch_builtin_strategy(const char *const *path, size_t depth,
                               struct fl_patch_list_strategy *out, void *kind)
{
    const char *k = kind;
    size_t used;

    memset(out, 0, sizeof(*out));
    if (match_under(path, depth, "metadata", meta_rules, FL_ARRAY_LEN(meta_rules), out))
        return true;
    for (size_t i = 0; i < FL_ARRAY_LEN(root_rules); i++) {
        if (root_rules[i].kind && (!k || strcmp(root_rules[i].kind, k) != 0))
            continue;
        if (match_rules(path, depth, &root_rules[i].rule, 1, out))
            return true;
    }
    for (size_t i = 0; k && i < FL_ARRAY_LEN(templates); i++) {
        if (strcmp(templates[i].kind, k) != 0)
            continue;
        if (match_dotted(path, depth, templates[i].podspec, &used) &&
            match_podspec(path + used, depth - used, out))
            return true;
        if (templates[i].meta &&
            match_under(path, depth, templates[i].meta, meta_rules, FL_ARRAY_LEN(meta_rules), out))
            return true;
    }
    memset(out, 0, sizeof(*out));
    return false;
}
