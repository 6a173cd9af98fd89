/*
 * Structural schemas of custom resources: pruning, defaulting and validation
 * (see schema.h for what follows upstream and how problems are worded).
 * Three walks over the document, each bounded by FL_SCHEMA_MAX_DEPTH; the
 * document is only modified by the first two. Validation keeps the field
 * path of the value it looks at in one buffer, extended and cut back as it
 * descends and returns.
 */
#include "api/schema.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/obj.h"

#define PATH_LEN 512
#define VALUE_LEN 120 /* a bad value as quoted in a message */
#define PATTERN_MAX 4096

/* ObjectMeta's fields: what pruning keeps of metadata. */
static const char *const meta_fields[] = {
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
};

static bool flag(const json_t *s, const char *k)
{
    return json_is_true(json_object_get(s, k));
}

/* A member that is a schema (an object), or NULL. */
static const json_t *sub(const json_t *s, const char *k)
{
    const json_t *v = json_object_get(s, k);
    return json_is_object(v) ? v : NULL;
}

static bool is_resource(const json_t *s, bool root)
{
    return root || flag(s, "x-kubernetes-embedded-resource");
}

static bool resource_member(const char *k)
{
    return !strcmp(k, "apiVersion") || !strcmp(k, "kind") || !strcmp(k, "metadata");
}

/* ---- pruning ------------------------------------------------------------ */

static void prune_meta(json_t *md)
{
    void *tmp;
    const char *k;
    json_t *v;
    if (!json_is_object(md))
        return;
    json_object_foreach_safe(md, tmp, k, v)
    {
        size_t i = 0;
        while (i < FL_ARRAY_LEN(meta_fields) && strcmp(meta_fields[i], k) != 0)
            i++;
        if (i == FL_ARRAY_LEN(meta_fields))
            json_object_del(md, k);
    }
}

static void prune(const json_t *s, json_t *v, bool root, int depth)
{
    if (!s || depth > FL_SCHEMA_MAX_DEPTH || flag(s, "x-kubernetes-int-or-string"))
        return;
    if (json_is_array(v)) {
        const json_t *items = sub(s, "items");
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) prune(items, e, false, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    const json_t *props = json_object_get(s, "properties");
    const json_t *ap = json_object_get(s, "additionalProperties");
    bool preserve = flag(s, "x-kubernetes-preserve-unknown-fields");
    bool resource = is_resource(s, root);
    void *tmp;
    const char *k;
    json_t *f;
    json_object_foreach_safe(v, tmp, k, f)
    {
        const json_t *ps = json_object_get(props, k);
        if (resource && resource_member(k)) {
            if (!strcmp(k, "metadata"))
                prune_meta(f);
        } else if (ps) {
            prune(json_is_object(ps) ? ps : NULL, f, false, depth + 1);
        } else if (json_is_object(ap)) {
            prune(ap, f, false, depth + 1);
        } else if (!json_is_true(ap) && !preserve) {
            json_object_del(v, k);
        }
    }
}

void fl_schema_prune(const json_t *schema, json_t *doc)
{
    prune(json_is_object(schema) ? schema : NULL, doc, true, 0);
}

/* ---- defaulting --------------------------------------------------------- */

static void set_defaults(const json_t *s, json_t *v, int depth)
{
    if (!s || depth > FL_SCHEMA_MAX_DEPTH)
        return;
    if (json_is_array(v)) {
        const json_t *items = sub(s, "items");
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) set_defaults(items, e, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    const json_t *props = json_object_get(s, "properties");
    const json_t *ap = sub(s, "additionalProperties");
    const char *k;
    json_t *ps, *f;
    void *tmp;
    json_object_foreach((json_t *)props, k, ps)
    {
        json_t *def = json_object_get(ps, "default");
        json_t *cur = json_object_get(v, k);
        if (def && (!cur || (json_is_null(cur) && !flag(ps, "nullable")))) {
            /* Pruned like the rest (upstream refuses CRDs with unpruned
             * defaults), so applying a schema twice changes nothing more. */
            json_t *copy = json_deep_copy(def);
            prune(ps, copy, false, depth + 1);
            json_object_set_new(v, k, copy);
        }
    }
    json_object_foreach_safe(v, tmp, k, f)
    {
        const json_t *fs = json_object_get(props, k);
        if (!fs)
            fs = ap;
        if (!json_is_object(fs))
            continue;
        /* A null where null is not allowed and no default replaces it. */
        if (json_is_null(f) && !flag(fs, "nullable") && !json_object_get(fs, "default")) {
            json_object_del(v, k);
            continue;
        }
        set_defaults(fs, f, depth + 1);
    }
}

void fl_schema_default(const json_t *schema, json_t *doc)
{
    set_defaults(json_is_object(schema) ? schema : NULL, doc, 0);
}

/* ---- values in messages ------------------------------------------------- */

/* A double as Go's %v prints a float64: the shortest representation that
 * reads back, in exponent form below 1e-4 and from 1e21. */
static void go_float(double d, char *buf, size_t len)
{
    if (!isfinite(d)) {
        snprintf(buf, len, "%s", isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf");
        return;
    }
    char tmp[40];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
    int exp = atoi(strchr(tmp, 'e') + 1);
    if (d == 0 || (exp >= -4 && exp < 21))
        snprintf(buf, len, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
    else
        snprintf(buf, len, "%s", tmp);
}

/* A value as a field error prints its bad value: strings quoted, numbers and
 * booleans bare, null, and (where Go would print a struct) compact JSON. */
static void fmt_value(const json_t *v, char *buf, size_t len)
{
    char *s = NULL;
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
        return;
    case JSON_REAL:
        go_float(json_real_value(v), buf, len);
        return;
    case JSON_TRUE:
    case JSON_FALSE:
        snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
        return;
    case JSON_NULL:
        snprintf(buf, len, "null");
        return;
    default:
        s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(buf, len, "%s", s ? s : "?");
        if (s && strlen(s) >= len && len > 4)
            memcpy(buf + len - 4, "...", 4);
        free(s);
    }
}

static void fmt_number(const json_t *v, char *buf, size_t len)
{
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else
        go_float(json_number_value(v), buf, len);
}

/* ---- validation --------------------------------------------------------- */

struct vctx {
    struct fl_err *err; /* NULL: only count */
    int n;              /* problems found */
    char path[PATH_LEN];
    size_t len;
};

static void problem(struct vctx *c, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct vctx *c, const char *type, const char *fmt, ...)
{
    c->n++;
    if (!c->err)
        return;
    char msg[sizeof(c->err->causes[0].message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fl_err_cause(c->err, type, c->path, "%s", msg);
}

/* `Invalid value: <v>: <path> in body <what>` (field.Invalid). */
static void invalid(struct vctx *c, const json_t *v, const char *what)
{
    char val[VALUE_LEN];
    fmt_value(v, val, sizeof(val));
    problem(c, "FieldValueInvalid", "Invalid value: %s: %s in body %s", val, c->path, what);
}

static size_t push(struct vctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t push(struct vctx *c, const char *fmt, ...)
{
    size_t old = c->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + c->len, sizeof(c->path) - c->len, fmt, ap);
    va_end(ap);
    c->len += n < 0 ? 0 : (size_t)n;
    if (c->len >= sizeof(c->path))
        c->len = sizeof(c->path) - 1;
    return old;
}

static size_t push_field(struct vctx *c, const char *k)
{
    return push(c, "%s%s", c->len ? "." : "", k);
}

static void pop(struct vctx *c, size_t old)
{
    c->len = old;
    c->path[old] = '\0';
}

static bool integral(const json_t *v)
{
    if (json_is_integer(v))
        return true;
    double d = json_real_value(v);
    return json_is_real(v) && isfinite(d) && floor(d) == d;
}

static bool type_ok(const char *want, const json_t *v)
{
    if (!strcmp(want, "object"))
        return json_is_object(v);
    if (!strcmp(want, "array"))
        return json_is_array(v);
    if (!strcmp(want, "string"))
        return json_is_string(v);
    if (!strcmp(want, "boolean"))
        return json_is_boolean(v);
    if (!strcmp(want, "integer"))
        return integral(v);
    if (!strcmp(want, "number"))
        return json_is_number(v);
    return true; /* no type or an unknown one constrains nothing */
}

/* `Invalid value: "<actual>": <path> in body must be of type <want>: "<actual>"`
 * (field.TypeInvalid with the actual type as the bad value, as upstream). */
static void type_problem(struct vctx *c, const char *want, const char *actual)
{
    problem(c, "FieldValueTypeInvalid",
            "Invalid value: \"%s\": %s in body must be of type %s: \"%s\"", actual, c->path, want,
            actual);
}

/* Numbers compare by value (1 == 1.0); the rest as JSON. */
static bool same_value(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static void check_enum(const json_t *s, const json_t *v, struct vctx *c)
{
    const json_t *en = json_object_get(s, "enum");
    size_t i;
    json_t *e;
    if (!json_is_array(en) || json_array_size(en) == 0)
        return;
    json_array_foreach(en, i, e) if (same_value(e, v)) return;
    /* `Unsupported value: "x": supported values: "a", "b"` */
    char val[VALUE_LEN], list[200], one[VALUE_LEN];
    size_t off = 0;
    list[0] = '\0';
    json_array_foreach(en, i, e)
    {
        fmt_value(e, one, sizeof(one));
        if (off < sizeof(list))
            off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", one);
    }
    fmt_value(v, val, sizeof(val));
    problem(c, "FieldValueNotSupported", "Unsupported value: %s: supported values: %s", val, list);
}

static void check_number(const json_t *s, const json_t *v, struct vctx *c)
{
    double d = json_number_value(v);
    char lim[40], what[96];
    const json_t *max = json_object_get(s, "maximum"), *min = json_object_get(s, "minimum");
    const json_t *mult = json_object_get(s, "multipleOf");
    if (json_is_number(max)) {
        bool excl = flag(s, "exclusiveMaximum");
        double m = json_number_value(max);
        if (excl ? d >= m : d > m) {
            fmt_number(max, lim, sizeof(lim));
            snprintf(what, sizeof(what), "should be less than %s%s", excl ? "" : "or equal to ",
                     lim);
            invalid(c, v, what);
        }
    }
    if (json_is_number(min)) {
        bool excl = flag(s, "exclusiveMinimum");
        double m = json_number_value(min);
        if (excl ? d <= m : d < m) {
            fmt_number(min, lim, sizeof(lim));
            snprintf(what, sizeof(what), "should be greater than %s%s", excl ? "" : "or equal to ",
                     lim);
            invalid(c, v, what);
        }
    }
    if (json_is_number(mult) && json_number_value(mult) > 0) {
        bool bad;
        if (json_is_integer(v) && json_is_integer(mult))
            bad = json_integer_value(v) % json_integer_value(mult) != 0;
        else
            bad = fmod(d, json_number_value(mult)) != 0;
        if (bad) {
            fmt_number(mult, lim, sizeof(lim));
            snprintf(what, sizeof(what), "should be a multiple of %s", lim);
            invalid(c, v, what);
        }
    }
}

/* Code points of a UTF-8 string. */
static size_t runes(const char *s, size_t n)
{
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        r += ((unsigned char)s[i] & 0xC0) != 0x80;
    return r;
}

/* ECMA 262 → POSIX ERE, for the constructs CRD patterns use: the class
 * escapes \d \w \s (and negations), (?: groups, escapes inside brackets
 * (POSIX takes a backslash there literally: an escaped ']', '^' or '-' is
 * moved where POSIX reads it as itself). Returns false when it cannot. */
static bool ecma_to_posix(const char *p, char *out, size_t cap)
{
    static const struct {
        char esc;
        const char *set;
        bool neg;
    } classes[] = {{'d', "0-9", false},         {'D', "0-9", true},
                   {'w', "A-Za-z0-9_", false},  {'W', "A-Za-z0-9_", true},
                   {'s', " \t\n\r\f\v", false}, {'S', " \t\n\r\f\v", true}};
    size_t o = 0;
    char br[PATTERN_MAX]; /* contents of the open bracket expression */
    size_t bo = 0;
    bool in = false, neg = false, dash = false, close = false, caret = false;
#define PUT(ch)                                                                                    \
    do {                                                                                           \
        if (o + 1 >= cap)                                                                          \
            return false;                                                                          \
        out[o++] = (ch);                                                                           \
    } while (0)
#define PUTS(str)                                                                                  \
    do {                                                                                           \
        for (const char *q_ = (str); *q_; q_++)                                                    \
            PUT(*q_);                                                                              \
    } while (0)
#define BPUT(ch)                                                                                   \
    do {                                                                                           \
        if (bo + 1 >= sizeof(br))                                                                  \
            return false;                                                                          \
        br[bo++] = (ch);                                                                           \
    } while (0)
    for (size_t i = 0; p[i]; i++) {
        char ch = p[i];
        if (in) {
            if (ch == ']') {
                PUT('[');
                if (neg)
                    PUT('^');
                if (close)
                    PUT(']');
                for (size_t j = 0; j < bo; j++)
                    PUT(br[j]);
                if (caret)
                    PUT('^');
                if (dash)
                    PUT('-');
                PUT(']');
                in = false;
                continue;
            }
            if (ch == '\\' && p[i + 1]) {
                char e = p[++i];
                size_t k = 0;
                while (k < FL_ARRAY_LEN(classes) && classes[k].esc != e)
                    k++;
                if (k < FL_ARRAY_LEN(classes)) {
                    if (classes[k].neg)
                        return false;
                    for (const char *q = classes[k].set; *q; q++)
                        BPUT(*q);
                } else if (e == ']') {
                    close = true;
                } else if (e == '-') {
                    dash = true;
                } else if (e == '^') {
                    caret = true;
                } else {
                    BPUT(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
                }
                continue;
            }
            if (ch == '^' && bo == 0 && !close) {
                caret = true;
                continue;
            }
            BPUT(ch);
            continue;
        }
        if (ch == '[') {
            in = true;
            bo = 0;
            dash = close = caret = false;
            neg = p[i + 1] == '^';
            if (neg)
                i++;
            if (p[i + 1] == ']') { /* a leading ']' is literal in POSIX, empty in ECMA */
                close = true;
                i++;
            }
            continue;
        }
        if (ch == '(' && p[i + 1] == '?' && p[i + 2] == ':') {
            PUT('(');
            i += 2;
            continue;
        }
        if (ch == '\\' && p[i + 1]) {
            char e = p[++i];
            size_t k = 0;
            while (k < FL_ARRAY_LEN(classes) && classes[k].esc != e)
                k++;
            if (k < FL_ARRAY_LEN(classes)) {
                PUTS(classes[k].neg ? "[^" : "[");
                PUTS(classes[k].set);
                PUT(']');
            } else if (e == 'n' || e == 't' || e == 'r') {
                PUT(e == 'n' ? '\n' : e == 't' ? '\t' : '\r');
            } else if (e == '/' || e == '-' || e == '"' || e == '\'') {
                PUT(e); /* escaped without need in ECMA; undefined in ERE */
            } else {
                PUT('\\');
                PUT(e);
            }
            continue;
        }
        PUT(ch);
    }
#undef PUT
#undef PUTS
#undef BPUT
    if (in)
        return false;
    out[o] = '\0';
    return true;
}

/* Is the regcomp of ere cheap enough? glibc expands bounded and stacked
 * repetitions by copying their subtree (a+ is a a*, x{3} is x x x), so
 * `(x{1000}){1000}` has a million nodes and `a++++...` or `((a+)+)+...`
 * grow exponentially; and the epsilon closures of copies of an expression
 * that matches the empty string ((a?){1,500}, ((()+)+)+...) take time that
 * grows much faster than their size (seconds for a few hundred nodes).
 * Estimate both as regcomp builds them and refuse past a budget (RE2, which
 * upstream uses, also caps repetition at 1000). Measured with glibc 2.36
 * (-O2): patterns near the budgets compile in 10-80 ms; DNS-name patterns
 * with {0,61} in well under 1 ms. */
static bool ere_small(const char *p)
{
    enum { DEPTH = 64, NODES = 2000, EMPTY_COPIES = 150, REPEAT_MAX = 1000 };
    /* Per open group: its size so far, the last atom's size, whether the
     * last atom / the branch before it / some earlier branch match "". */
    struct {
        double total, last;
        bool last_empty, before_empty, branch_empty;
    } g[DEPTH];
    double empty_copies = 0;
    int d = 0;
    memset(&g[0], 0, sizeof(g[0]));
    g[0].before_empty = true;
    for (size_t i = 0; p[i]; i++) {
        char ch = p[i];
        double copies = 0;  /* a repetition: how many copies of the last atom */
        bool inner = false; /* whether what it copies matches "" */
        if (ch == '(') {
            if (++d >= DEPTH)
                return false;
            memset(&g[d], 0, sizeof(g[d]));
            g[d].before_empty = true;
            continue;
        }
        if (ch == ')' && d > 0) {
            /* the group is an atom of its parent (open and close nodes) */
            bool empty =
                g[d].branch_empty || (g[d].before_empty && g[d].last_empty) || g[d].last == 0;
            double size = g[d--].total + 2;
            g[d].before_empty = g[d].before_empty && (g[d].last == 0 || g[d].last_empty);
            g[d].total += size;
            g[d].last = size;
            g[d].last_empty = empty;
        } else if (ch == '*' || ch == '?') {
            copies = 1;
            inner = g[d].last_empty;
            g[d].total += g[d].last + 1;
            g[d].last = g[d].last * 2 + 1;
            g[d].last_empty = true;
        } else if (ch == '+') {
            copies = 2;
            inner = g[d].last_empty;
            g[d].total += g[d].last + 1;
            g[d].last = g[d].last * 2 + 1;
        } else if (ch == '{' && p[i + 1] >= '0' && p[i + 1] <= '9') {
            char *end;
            long n = strtol(p + i + 1, &end, 10), m = n;
            if (*end == ',')
                m = end[1] >= '0' && end[1] <= '9' ? strtol(end + 1, &end, 10) : n + 1;
            if (n > REPEAT_MAX || m > REPEAT_MAX)
                return false;
            i = (size_t)(strchrnul(end, '}') - p);
            if (!p[i])
                return false;
            copies = m > 1 ? (double)m : 1;
            inner = g[d].last_empty;
            g[d].total += g[d].last * (copies - 1) + 1;
            g[d].last = g[d].last * copies + 1;
            g[d].last_empty = g[d].last_empty || n == 0;
        } else if (ch == '|') {
            g[d].branch_empty =
                g[d].branch_empty || (g[d].before_empty && (g[d].last == 0 || g[d].last_empty));
            g[d].last = 0;
            g[d].last_empty = false;
            g[d].before_empty = true;
        } else {
            if (ch == '\\' && p[i + 1]) {
                i++;
            } else if (ch == '[') { /* one atom: skip to its closing ']' */
                i += p[i + 1] == '^';
                i += p[i + 1] == ']';
                while (p[i + 1] && p[i + 1] != ']') {
                    i++;
                    if (p[i] == '[' && (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
                        const char *e = strstr(p + i + 2, (char[]){p[i + 1], ']', 0});
                        if (!e)
                            return false;
                        i = (size_t)(e - p) + 1;
                    }
                }
                if (!p[i + 1])
                    return false;
                i++;
            }
            g[d].before_empty = g[d].before_empty && (g[d].last == 0 || g[d].last_empty);
            g[d].total += 1;
            g[d].last = 1;
            g[d].last_empty = ch == '^' || ch == '$';
        }
        if (copies > 1 && inner)
            empty_copies += copies * ((g[d].last - 1) / copies);
        if (g[d].total > NODES || g[d].last > NODES || empty_copies > EMPTY_COPIES)
            return false;
    }
    return true;
}

/* Does s match pattern? A pattern that cannot be compiled (or would be too
 * big compiled) matches. */
static bool pattern_match(const char *pattern, const char *s)
{
    size_t n = strlen(pattern);
    if (n > PATTERN_MAX)
        return true;
    size_t cap = n * 12 + 1;
    char *ere = fl_xmalloc(cap);
    bool ok = true;
    regex_t re;
    if (ecma_to_posix(pattern, ere, cap) && ere_small(ere) &&
        regcomp(&re, ere, REG_EXTENDED | REG_NOSUB) == 0) {
        ok = regexec(&re, s, 0, NULL, 0) == 0;
        regfree(&re);
    }
    free(ere);
    return ok;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* YYYY-MM-DD, a real day (Go's time.Parse("2006-01-02")). */
static bool is_date(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return false;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* go-openapi strfmt.IsDateTime: a date, 't' (any case), hh:mm:ss, an
 * optional fraction, then 'z' or ±hh:mm. */
static bool is_datetime(const char *s)
{
    if (strlen(s) < 20 || !is_date(s) || (s[10] != 'T' && s[10] != 't'))
        return false;
    const char *t = s + 11;
    if (!digits(t, 2) || t[2] != ':' || !digits(t + 3, 2) || t[5] != ':' || !digits(t + 6, 2))
        return false;
    t += 8;
    if (*t == '.') {
        if (!digits(t + 1, 1))
            return false;
        t += 2;
        while (*t >= '0' && *t <= '9')
            t++;
    }
    if (*t == 'Z' || *t == 'z')
        return t[1] == '\0';
    return (*t == '+' || *t == '-') && digits(t + 1, 2) && t[3] == ':' && digits(t + 4, 2) &&
           t[6] == '\0';
}

static void check_string(const json_t *s, const json_t *v, struct vctx *c)
{
    const char *str = json_string_value(v);
    size_t n = runes(str, json_string_length(v));
    const json_t *maxl = json_object_get(s, "maxLength"), *minl = json_object_get(s, "minLength");
    const char *pattern = json_string_value(json_object_get(s, "pattern"));
    const char *format = json_string_value(json_object_get(s, "format"));
    char what[256];
    if (json_is_integer(maxl) && (json_int_t)n > json_integer_value(maxl)) {
        json_int_t m = json_integer_value(maxl);
        problem(c, "FieldValueTooLong", "Too long: may not be more than %lld %s", (long long)m,
                m == 1 ? "byte" : "bytes");
    }
    if (json_is_integer(minl) && (json_int_t)n < json_integer_value(minl)) {
        snprintf(what, sizeof(what), "should be at least %lld chars long",
                 (long long)json_integer_value(minl));
        invalid(c, v, what);
    }
    if (pattern && !pattern_match(pattern, str)) {
        snprintf(what, sizeof(what), "should match '%s'", pattern);
        invalid(c, v, what);
    }
    if (format && ((!strcmp(format, "date-time") && !is_datetime(str)) ||
                   (!strcmp(format, "date") && !is_date(str)))) {
        char val[VALUE_LEN];
        fmt_value(v, val, sizeof(val));
        problem(c, "FieldValueTypeInvalid", "Invalid value: %s: %s in body must be of type %s: %s",
                val, c->path, format, val);
    }
}

/* One element of a list, as compared for x-kubernetes-list-type. */
struct elem {
    char *key; /* canonical JSON of the element (set) or of its keys (map) */
    size_t i;
};

static int elem_cmp(const void *a, const void *b)
{
    const struct elem *x = a, *y = b;
    int r = strcmp(x->key, y->key);
    return r ? r : (x->i < y->i ? -1 : x->i > y->i);
}

/* x-kubernetes-list-type set (whole elements) and map (the map keys) must
 * not repeat: `Duplicate value: ...` at each repetition. Sorting the
 * canonical forms keeps a long list O(n log n). */
static void check_list_type(const json_t *s, const json_t *v, struct vctx *c)
{
    const char *lt = json_string_value(json_object_get(s, "x-kubernetes-list-type"));
    const json_t *keys = json_object_get(s, "x-kubernetes-list-map-keys");
    bool set = lt && !strcmp(lt, "set"), map = lt && !strcmp(lt, "map") && json_is_array(keys);
    size_t n = json_array_size(v);
    if ((!set && !map) || n < 2)
        return;
    struct elem *es = fl_xcalloc(n, sizeof(*es));
    bool *dup = fl_xcalloc(n, sizeof(*dup));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i), *k = NULL;
        if (map) {
            k = json_object();
            size_t j;
            json_t *name;
            json_array_foreach(keys, j, name)
            {
                json_t *kv =
                    json_is_string(name) ? json_object_get(e, json_string_value(name)) : NULL;
                if (kv)
                    json_object_set(k, json_string_value(name), kv);
            }
        }
        es[i].key = json_dumps(map ? k : e, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        FL_ASSERT(es[i].key);
        es[i].i = i;
        json_decref(k);
    }
    qsort(es, n, sizeof(*es), elem_cmp);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(es[i].key, es[i - 1].key))
            dup[es[i].i] = true;
    for (size_t i = 0; i < n; i++) {
        if (!dup[i])
            continue;
        char val[VALUE_LEN];
        size_t old = push(c, "[%zu]", i);
        if (map) {
            /* the element's keys, as the sorted entry holds them */
            for (size_t j = 0; j < n; j++)
                if (es[j].i == i)
                    snprintf(val, sizeof(val), "%s", es[j].key);
        } else {
            fmt_value(json_array_get(v, i), val, sizeof(val));
        }
        problem(c, "FieldValueDuplicate", "Duplicate value: %s", val);
        pop(c, old);
    }
    for (size_t i = 0; i < n; i++)
        free(es[i].key);
    free(es);
    free(dup);
}

static void validate(const json_t *s, const json_t *v, struct vctx *c, bool root, int depth);

static void check_array(const json_t *s, const json_t *v, struct vctx *c, int depth)
{
    size_t n = json_array_size(v);
    const json_t *maxi = json_object_get(s, "maxItems"), *mini = json_object_get(s, "minItems");
    if (json_is_integer(maxi) && (json_int_t)n > json_integer_value(maxi)) {
        json_int_t m = json_integer_value(maxi);
        problem(c, "FieldValueTooMany", "Too many: %zu: must have at most %lld %s", n, (long long)m,
                m == 1 ? "item" : "items");
    }
    if (json_is_integer(mini) && (json_int_t)n < json_integer_value(mini)) {
        char what[80];
        json_t *jn = json_integer((json_int_t)n);
        snprintf(what, sizeof(what), "should have at least %lld items",
                 (long long)json_integer_value(mini));
        invalid(c, jn, what);
        json_decref(jn);
    }
    const json_t *items = sub(s, "items");
    size_t i;
    json_t *e;
    if (items)
        json_array_foreach(v, i, e)
        {
            size_t old = push(c, "[%zu]", i);
            validate(items, e, c, flag(items, "x-kubernetes-embedded-resource"), depth + 1);
            pop(c, old);
        }
    check_list_type(s, v, c);
}

static void check_object(const json_t *s, const json_t *v, struct vctx *c, bool root, int depth)
{
    const json_t *props = json_object_get(s, "properties");
    const json_t *ap = json_object_get(s, "additionalProperties");
    const json_t *req = json_object_get(s, "required");
    const json_t *maxp = json_object_get(s, "maxProperties");
    const json_t *minp = json_object_get(s, "minProperties");
    size_t n = json_object_size(v), i;
    const char *k;
    json_t *f;
    json_array_foreach(req, i, f)
    {
        if (!json_is_string(f) || json_object_get(v, json_string_value(f)))
            continue;
        size_t old = push_field(c, json_string_value(f));
        problem(c, "FieldValueRequired", "Required value");
        pop(c, old);
    }
    if (json_is_integer(maxp) && (json_int_t)n > json_integer_value(maxp))
        problem(c, "FieldValueTooMany", "Too many: %zu: must have at most %lld items", n,
                (long long)json_integer_value(maxp));
    if (json_is_integer(minp) && (json_int_t)n < json_integer_value(minp)) {
        char what[80];
        json_t *jn = json_integer((json_int_t)n);
        snprintf(what, sizeof(what), "should have at least %lld properties",
                 (long long)json_integer_value(minp));
        invalid(c, jn, what);
        json_decref(jn);
    }
    json_object_foreach((json_t *)v, k, f)
    {
        if (root && resource_member(k))
            continue; /* ObjectMeta is validated for every kind elsewhere */
        const json_t *ps = json_object_get(props, k);
        size_t old = push_field(c, k);
        if (json_is_object(ps))
            validate(ps, f, c, flag(ps, "x-kubernetes-embedded-resource"), depth + 1);
        else if (!ps && json_is_object(ap))
            validate(ap, f, c, flag(ap, "x-kubernetes-embedded-resource"), depth + 1);
        else if (!ps && json_is_false(ap))
            problem(c, "FieldValueForbidden", "Forbidden: %s in body is a forbidden property",
                    c->path);
        pop(c, old);
    }
}

/* How many problems v has against s, counted without reporting. */
static int count(const json_t *s, const json_t *v, const struct vctx *c, bool root, int depth)
{
    struct vctx *scratch = fl_xmalloc(sizeof(*scratch));
    *scratch = *c;
    scratch->err = NULL;
    scratch->n = 0;
    validate(s, v, scratch, root, depth);
    int n = scratch->n;
    free(scratch);
    return n;
}

static void check_combinators(const json_t *s, const json_t *v, struct vctx *c, bool root,
                              int depth)
{
    const json_t *all = json_object_get(s, "allOf"), *any = json_object_get(s, "anyOf");
    const json_t *one = json_object_get(s, "oneOf"), *neg = sub(s, "not");
    size_t i;
    json_t *x;
    json_array_foreach(all, i, x) validate(json_is_object(x) ? x : NULL, v, c, root, depth + 1);
    if (json_array_size(any) > 0) {
        bool ok = false;
        json_array_foreach(any, i, x) if (!ok && count(x, v, c, root, depth + 1) == 0) ok = true;
        if (!ok)
            invalid(c, v, "must validate at least one schema (anyOf)");
    }
    if (json_array_size(one) > 0) {
        int ok = 0;
        json_array_foreach(one, i, x) ok += count(x, v, c, root, depth + 1) == 0;
        if (ok != 1)
            invalid(c, v, "must validate one and only one schema (oneOf)");
    }
    if (neg && count(neg, v, c, root, depth + 1) == 0)
        invalid(c, v, "must not validate the schema (not)");
}

static void validate(const json_t *s, const json_t *v, struct vctx *c, bool root, int depth)
{
    if (!json_is_object(s))
        return;
    if (depth > FL_SCHEMA_MAX_DEPTH) {
        problem(c, "FieldValueInvalid",
                "Invalid value: \"%s\": %s in body is nested deeper than %d levels", fl_json_type_name(v),
                c->path, FL_SCHEMA_MAX_DEPTH);
        return;
    }
    if (json_is_null(v) && flag(s, "nullable"))
        return;
    /* A value of the wrong type is reported once, with nothing else. */
    if (flag(s, "x-kubernetes-int-or-string")) {
        if (!json_is_string(v) && !integral(v)) {
            type_problem(c, "integer,string", fl_json_type_name(v));
            return;
        }
    } else {
        const char *type = json_string_value(json_object_get(s, "type"));
        if (type && !type_ok(type, v)) {
            type_problem(c, type, fl_json_type_name(v));
            return;
        }
    }
    check_enum(s, v, c);
    if (json_is_number(v))
        check_number(s, v, c);
    else if (json_is_string(v))
        check_string(s, v, c);
    else if (json_is_array(v))
        check_array(s, v, c, depth);
    else if (json_is_object(v))
        check_object(s, v, c, root || flag(s, "x-kubernetes-embedded-resource"), depth);
    check_combinators(s, v, c, root, depth);
}

int fl_schema_validate(const json_t *schema, const json_t *doc, struct fl_err *err)
{
    struct vctx *c = fl_xcalloc(1, sizeof(*c));
    c->err = err;
    validate(schema, doc, c, true, 0);
    int n = c->n;
    free(c);
    return n;
}

int fl_schema_apply(const json_t *schema, json_t *doc, struct fl_err *err)
{
    if (!json_is_object(schema))
        return FL_OK;
    fl_schema_prune(schema, doc);
    fl_schema_default(schema, doc);
    return fl_schema_validate(schema, doc, err) ? FL_EFAIL : FL_OK;
}
