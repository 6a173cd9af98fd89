/*
 * Field sets: see fieldset.h. A set is a node holding a sorted array of
 * children; a child owns a deep copy of its path element, a member flag and
 * an optional subtree. Binary operations walk two sorted arrays side by side,
 * so union, difference and intersection are linear in the sizes of the sets.
 */
#include "api/fieldset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kid {
    struct fl_pe pe; /* owned: name (FIELD), value (KEY, VALUE) */
    bool member;
    struct fl_fieldset *sub; /* NULL or non-empty */
};

struct fl_fieldset {
    struct kid *kids;
    size_t n, cap;
};

/* ---- path elements ------------------------------------------------------ */

static int type_rank(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER:
    case JSON_REAL:
        return 0;
    case JSON_STRING:
        return 1;
    case JSON_TRUE:
    case JSON_FALSE:
        return 2;
    case JSON_ARRAY:
        return 3;
    case JSON_OBJECT:
        return 4;
    default:
        return 5; /* null */
    }
}

static int cmp_num(double a, double b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

static int cmp_key_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object in lexical order: a new array of borrowed strings. */
static const char **sorted_keys(const json_t *o, size_t *n)
{
    *n = json_object_size(o);
    const char **keys = fl_xcalloc(*n ? *n : 1, sizeof(*keys));
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) keys[i++] = k;
    qsort(keys, *n, sizeof(*keys), cmp_key_names);
    return keys;
}

int fl_json_compare(const json_t *a, const json_t *b)
{
    int ra = type_rank(a), rb = type_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    switch (ra) {
    case 0:
        if (json_is_integer(a) && json_is_integer(b)) {
            json_int_t x = json_integer_value(a), y = json_integer_value(b);
            return x < y ? -1 : x > y ? 1 : 0;
        }
        return cmp_num(json_number_value(a), json_number_value(b));
    case 1: {
        size_t la = json_string_length(a), lb = json_string_length(b);
        int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
        return c ? (c < 0 ? -1 : 1) : la < lb ? -1 : la > lb ? 1 : 0;
    }
    case 2:
        return json_is_true(a) == json_is_true(b) ? 0 : json_is_true(a) ? 1 : -1;
    case 3: {
        size_t la = json_array_size(a), lb = json_array_size(b);
        for (size_t i = 0; i < la && i < lb; i++) {
            int c = fl_json_compare(json_array_get(a, i), json_array_get(b, i));
            if (c)
                return c;
        }
        return la < lb ? -1 : la > lb ? 1 : 0;
    }
    case 4: {
        /* Keys in lexical order; the first key only one side has decides
         * (the side that lacks it sorts after), then the values. */
        size_t na, nb, i = 0, j = 0;
        const char **ka = sorted_keys(a, &na), **kb = sorted_keys(b, &nb);
        int c = 0;
        while (!c && (i < na || j < nb)) {
            if (i == na)
                c = -1;
            else if (j == nb)
                c = 1;
            else if ((c = strcmp(ka[i], kb[j])) != 0)
                c = c < 0 ? -1 : 1;
            else
                c = fl_json_compare(json_object_get(a, ka[i++]), json_object_get(b, kb[j++]));
        }
        free(ka);
        free(kb);
        return c;
    }
    default:
        return 0;
    }
}

int fl_pe_compare(const struct fl_pe *a, const struct fl_pe *b)
{
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    switch (a->type) {
    case FL_PE_FIELD: {
        int c = strcmp(a->name, b->name);
        return c < 0 ? -1 : c > 0;
    }
    case FL_PE_KEY: {
        /* Key fields are sorted by name: compare as lists of (name, value). */
        const char *ka, *kb;
        json_t *va, *vb;
        void *ia = json_object_iter((json_t *)a->value), *ib = json_object_iter((json_t *)b->value);
        for (;;) {
            if (!ia || !ib)
                return !ia && !ib ? 0 : !ia ? -1 : 1;
            ka = json_object_iter_key(ia);
            kb = json_object_iter_key(ib);
            int c = strcmp(ka, kb);
            if (c)
                return c < 0 ? -1 : 1;
            va = json_object_iter_value(ia);
            vb = json_object_iter_value(ib);
            if ((c = fl_json_compare(va, vb)) != 0)
                return c;
            ia = json_object_iter_next((json_t *)a->value, ia);
            ib = json_object_iter_next((json_t *)b->value, ib);
        }
    }
    case FL_PE_VALUE:
        return fl_json_compare(a->value, b->value);
    default:
        return a->index < b->index ? -1 : a->index > b->index;
    }
}

static char *dump(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    FL_ASSERT(s != NULL);
    return s;
}

char *fl_pe_string(const struct fl_pe *pe)
{
    switch (pe->type) {
    case FL_PE_FIELD:
        return fl_xasprintf("f:%s", pe->name);
    case FL_PE_KEY:
    case FL_PE_VALUE: {
        char *j = dump(pe->value);
        char *s = fl_xasprintf("%c:%s", pe->type == FL_PE_KEY ? 'k' : 'v', j);
        free(j);
        return s;
    }
    default:
        return fl_xasprintf("i:%ld", pe->index);
    }
}

/* Append to buf at *off (truncating, always NUL-terminated). */
static void put(char *buf, size_t len, size_t *off, const char *s)
{
    if (*off + 1 >= len)
        return;
    size_t n = strlen(s), room = len - 1 - *off;
    if (n > room)
        n = room;
    memcpy(buf + *off, s, n);
    *off += n;
    buf[*off] = '\0';
}

void fl_path_string(const struct fl_pe *path, size_t n, char *buf, size_t len)
{
    size_t off = 0;
    if (!len)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const struct fl_pe *pe = &path[i];
        char *j;
        switch (pe->type) {
        case FL_PE_FIELD:
            put(buf, len, &off, ".");
            put(buf, len, &off, pe->name);
            break;
        case FL_PE_KEY: {
            const char *k;
            json_t *v;
            bool first = true;
            put(buf, len, &off, "[");
            json_object_foreach((json_t *)pe->value, k, v)
            {
                put(buf, len, &off, first ? "" : ",");
                put(buf, len, &off, k);
                put(buf, len, &off, "=");
                j = dump(v);
                put(buf, len, &off, j);
                free(j);
                first = false;
            }
            put(buf, len, &off, "]");
            break;
        }
        case FL_PE_VALUE:
            j = dump(pe->value);
            put(buf, len, &off, "[=");
            put(buf, len, &off, j);
            put(buf, len, &off, "]");
            free(j);
            break;
        default: {
            char num[32];
            snprintf(num, sizeof(num), "[%ld]", pe->index);
            put(buf, len, &off, num);
        }
        }
    }
}

static void pe_copy(struct fl_pe *dst, const struct fl_pe *src)
{
    *dst = *src;
    if (src->type == FL_PE_FIELD)
        dst->name = fl_xstrdup(src->name);
    else if (src->type != FL_PE_INDEX)
        dst->value = json_deep_copy(src->value);
}

static void pe_release(struct fl_pe *pe)
{
    if (pe->type == FL_PE_FIELD)
        free((char *)pe->name);
    else if (pe->type != FL_PE_INDEX)
        json_decref((json_t *)pe->value);
}

/* ---- sets --------------------------------------------------------------- */

struct fl_fieldset *fl_fieldset_new(void)
{
    return fl_xcalloc(1, sizeof(struct fl_fieldset));
}

void fl_fieldset_free(struct fl_fieldset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        pe_release(&s->kids[i].pe);
        fl_fieldset_free(s->kids[i].sub);
    }
    free(s->kids);
    free(s);
}

bool fl_fieldset_empty(const struct fl_fieldset *s)
{
    return !s || s->n == 0;
}

/* Index of pe in s, or -(insertion point) - 1. */
static long search(const struct fl_fieldset *s, const struct fl_pe *pe)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = fl_pe_compare(&s->kids[mid].pe, pe);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

/* Append a kid (the caller keeps the order). Takes sub. */
static struct kid *push(struct fl_fieldset *s, const struct fl_pe *pe, bool member,
                        struct fl_fieldset *sub)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4;
        s->kids = fl_xrealloc(s->kids, s->cap * sizeof(*s->kids));
    }
    struct kid *k = &s->kids[s->n++];
    pe_copy(&k->pe, pe);
    k->member = member;
    if (fl_fieldset_empty(sub)) {
        fl_fieldset_free(sub);
        sub = NULL;
    }
    k->sub = sub;
    return k;
}

static struct kid *find_or_add(struct fl_fieldset *s, const struct fl_pe *pe)
{
    long at = search(s, pe);
    if (at >= 0)
        return &s->kids[at];
    size_t pos = (size_t)(-at - 1);
    push(s, pe, false, NULL);
    struct kid added = s->kids[s->n - 1];
    memmove(&s->kids[pos + 1], &s->kids[pos], (s->n - 1 - pos) * sizeof(*s->kids));
    s->kids[pos] = added;
    return &s->kids[pos];
}

struct fl_fieldset *fl_fieldset_copy(const struct fl_fieldset *s)
{
    struct fl_fieldset *out = fl_fieldset_new();
    for (size_t i = 0; s && i < s->n; i++)
        push(out, &s->kids[i].pe, s->kids[i].member,
             s->kids[i].sub ? fl_fieldset_copy(s->kids[i].sub) : NULL);
    return out;
}

bool fl_fieldset_equal(const struct fl_fieldset *a, const struct fl_fieldset *b)
{
    size_t na = a ? a->n : 0, nb = b ? b->n : 0;
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (a->kids[i].member != b->kids[i].member ||
            fl_pe_compare(&a->kids[i].pe, &b->kids[i].pe) != 0 ||
            !fl_fieldset_equal(a->kids[i].sub, b->kids[i].sub))
            return false;
    return true;
}

void fl_fieldset_insert(struct fl_fieldset *s, const struct fl_pe *path, size_t n)
{
    FL_ASSERT(n >= 1);
    for (size_t i = 0;; i++) {
        struct kid *k = find_or_add(s, &path[i]);
        if (i + 1 == n) {
            k->member = true;
            return;
        }
        if (!k->sub)
            k->sub = fl_fieldset_new();
        s = k->sub;
    }
}

/* The kid at the end of path, or NULL. */
static const struct kid *lookup(const struct fl_fieldset *s, const struct fl_pe *path, size_t n)
{
    const struct kid *k = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!s)
            return NULL;
        long at = search(s, &path[i]);
        if (at < 0)
            return NULL;
        k = &s->kids[at];
        s = k->sub;
    }
    return k;
}

bool fl_fieldset_has(const struct fl_fieldset *s, const struct fl_pe *path, size_t n)
{
    const struct kid *k = lookup(s, path, n);
    return k && k->member;
}

bool fl_fieldset_has_prefix(const struct fl_fieldset *s, const struct fl_pe *path, size_t n)
{
    if (n == 0)
        return !fl_fieldset_empty(s);
    return lookup(s, path, n) != NULL;
}

size_t fl_fieldset_width(const struct fl_fieldset *s)
{
    return s ? s->n : 0;
}

const struct fl_pe *fl_fieldset_at(const struct fl_fieldset *s, size_t i, bool *member,
                                   struct fl_fieldset **sub)
{
    FL_ASSERT(s && i < s->n);
    if (member)
        *member = s->kids[i].member;
    if (sub)
        *sub = s->kids[i].sub;
    return &s->kids[i].pe;
}

struct fl_fieldset *fl_fieldset_child(const struct fl_fieldset *s, const struct fl_pe *pe,
                                      bool *member, bool *found)
{
    const struct kid *k = lookup(s, pe, 1);
    *found = k != NULL;
    *member = k && k->member;
    return k ? k->sub : NULL;
}

enum setop { OP_UNION, OP_DIFF, OP_INTER };

static struct fl_fieldset *combine(const struct fl_fieldset *a, const struct fl_fieldset *b,
                                   enum setop op)
{
    struct fl_fieldset *out = fl_fieldset_new();
    size_t i = 0, j = 0, na = a ? a->n : 0, nb = b ? b->n : 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : fl_pe_compare(&a->kids[i].pe, &b->kids[j].pe);
        if (c < 0) { /* only in a */
            const struct kid *k = &a->kids[i++];
            if (op != OP_INTER)
                push(out, &k->pe, k->member, k->sub ? fl_fieldset_copy(k->sub) : NULL);
        } else if (c > 0) { /* only in b */
            const struct kid *k = &b->kids[j++];
            if (op == OP_UNION)
                push(out, &k->pe, k->member, k->sub ? fl_fieldset_copy(k->sub) : NULL);
        } else {
            const struct kid *ka = &a->kids[i++], *kb = &b->kids[j++];
            bool member = op == OP_UNION  ? ka->member || kb->member
                          : op == OP_DIFF ? ka->member && !kb->member
                                          : ka->member && kb->member;
            struct fl_fieldset *sub = NULL;
            if (ka->sub || kb->sub)
                sub = combine(ka->sub, kb->sub, op);
            if (member || !fl_fieldset_empty(sub))
                push(out, &ka->pe, member, sub);
            else
                fl_fieldset_free(sub);
        }
    }
    return out;
}

struct fl_fieldset *fl_fieldset_union(const struct fl_fieldset *a, const struct fl_fieldset *b)
{
    return combine(a, b, OP_UNION);
}

struct fl_fieldset *fl_fieldset_difference(const struct fl_fieldset *a, const struct fl_fieldset *b)
{
    return combine(a, b, OP_DIFF);
}

struct fl_fieldset *fl_fieldset_intersection(const struct fl_fieldset *a,
                                             const struct fl_fieldset *b)
{
    return combine(a, b, OP_INTER);
}

/* ---- iteration ---------------------------------------------------------- */

struct walk {
    struct fl_pe *path;
    size_t cap;
    fl_fieldset_fn fn;
    void *ctx;
};

static void iterate(const struct fl_fieldset *s, struct walk *w, size_t depth)
{
    if (depth + 1 > w->cap) {
        w->cap = 2 * (depth + 1);
        w->path = fl_xrealloc(w->path, w->cap * sizeof(*w->path));
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->kids[i].member) {
            w->path[depth] = s->kids[i].pe;
            w->fn(w->path, depth + 1, w->ctx);
        }
    for (size_t i = 0; i < s->n; i++)
        if (s->kids[i].sub) {
            w->path[depth] = s->kids[i].pe;
            iterate(s->kids[i].sub, w, depth + 1);
        }
}

void fl_fieldset_iterate(const struct fl_fieldset *s, fl_fieldset_fn fn, void *ctx)
{
    struct walk w = {NULL, 0, fn, ctx};
    if (s)
        iterate(s, &w, 0);
    free(w.path);
}

/* ---- FieldsV1 ----------------------------------------------------------- */

/* Add the children of s to o, in order. */
static void to_json(const struct fl_fieldset *s, json_t *o)
{
    for (size_t i = 0; s && i < s->n; i++) {
        const struct kid *k = &s->kids[i];
        json_t *child = json_object();
        if (k->sub) {
            if (k->member)
                json_object_set_new(child, ".", json_object());
            to_json(k->sub, child);
        }
        char *key = fl_pe_string(&k->pe);
        json_object_set_new(o, key, child);
        free(key);
    }
}

json_t *fl_fieldset_to_json(const struct fl_fieldset *s)
{
    json_t *o = json_object();
    to_json(s, o);
    return o;
}

/* Parse a FieldsV1 key. 1: *pe filled (its value a new reference in *own);
 * 0: an unknown element type, to skip; -1: malformed. */
static int parse_pe(const char *key, struct fl_pe *pe, json_t **own)
{
    *own = NULL;
    memset(pe, 0, sizeof(*pe));
    if (strlen(key) < 2 || key[1] != ':')
        return -1;
    const char *rest = key + 2;
    switch (key[0]) {
    case 'f':
        pe->type = FL_PE_FIELD;
        pe->name = rest;
        return 1;
    case 'v': {
        json_t *v = json_loads(rest, JSON_DECODE_ANY, NULL);
        if (!v)
            return -1;
        pe->type = FL_PE_VALUE;
        pe->value = *own = v;
        return 1;
    }
    case 'k': {
        json_t *v = json_loads(rest, 0, NULL);
        if (!json_is_object(v)) {
            json_decref(v);
            return -1;
        }
        /* Key fields in ascending order of name, as fl_pe_compare expects. */
        size_t n;
        const char **names = sorted_keys(v, &n);
        json_t *sorted = json_object();
        for (size_t i = 0; i < n; i++)
            json_object_set(sorted, names[i], json_object_get(v, names[i]));
        free(names);
        json_decref(v);
        pe->type = FL_PE_KEY;
        pe->value = *own = sorted;
        return 1;
    }
    case 'i': {
        char *end;
        long i = strtol(rest, &end, 10);
        if (!*rest || *end)
            return -1;
        pe->type = FL_PE_INDEX;
        pe->index = i;
        return 1;
    }
    default:
        return 0;
    }
}

/* Read the node o into s (its children). *member: the node itself is a
 * member ("." or no children at all, as upstream's readIterV1). */
static int from_json(const json_t *o, struct fl_fieldset *s, bool *member, int depth,
                     struct fl_err *err)
{
    const char *key;
    json_t *v;
    bool any = false;
    *member = false;
    if (depth > FL_FIELDSET_MAX_DEPTH)
        return fl_errf(err, 400, "BadRequest", "fieldsV1 nests deeper than %d levels",
                       FL_FIELDSET_MAX_DEPTH);
    json_object_foreach((json_t *)o, key, v)
    {
        if (!strcmp(key, ".")) {
            *member = true;
            continue;
        }
        struct fl_pe pe;
        json_t *own;
        int r = parse_pe(key, &pe, &own);
        if (r == 0)
            continue;
        if (r < 0 || !json_is_object(v)) {
            json_decref(own);
            return fl_errf(err, 400, "BadRequest", "invalid fieldsV1 entry %s", key);
        }
        struct fl_fieldset *sub = fl_fieldset_new();
        bool child_member;
        if (from_json(v, sub, &child_member, depth + 1, err) != 0) {
            fl_fieldset_free(sub);
            json_decref(own);
            return FL_EFAIL;
        }
        struct kid *k = find_or_add(s, &pe);
        json_decref(own);
        k->member = k->member || child_member;
        if (!fl_fieldset_empty(sub)) {
            struct fl_fieldset *u = fl_fieldset_union(k->sub, sub);
            fl_fieldset_free(k->sub);
            k->sub = u;
        }
        fl_fieldset_free(sub);
        any = true;
    }
    if (!any)
        *member = true;
    return FL_OK;
}

int fl_fieldset_from_json(const json_t *fields, struct fl_fieldset **out, struct fl_err *err)
{
    bool member;
    if (fields && !json_is_object(fields) && !json_is_null(fields))
        return fl_errf(err, 400, "BadRequest", "fieldsV1 must be a JSON object");
    struct fl_fieldset *s = fl_fieldset_new();
    if (json_is_object(fields) && from_json(fields, s, &member, 1, err) != 0) {
        fl_fieldset_free(s);
        return FL_EFAIL;
    }
    *out = s;
    return FL_OK;
}
