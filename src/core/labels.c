/*
 * Label selector parser and matcher (see labels.h), following the grammar and
 * error wording of k8s.io/apimachinery/pkg/labels Parse: a lexer producing
 * one token of lookahead over the input (no copies until a key or value is
 * kept), and a recursive-descent parser. As upstream, `in` and `notin` are
 * keywords only where an operator is expected, `()` is the set {""}, `x=` pins
 * the empty value, and `gt`/`lt` (`>`/`<`) compare integers. Invariants: a
 * parsed selector holds at most FL_LABELSEL_MAX_REQS requirements, every key
 * and value in it passed fl_name_label_key/fl_name_label_value, a set holds
 * 1..FL_LABELSEL_MAX_VALUES distinct values, and the selector is never
 * modified after parse. User text echoed in error messages is escaped to
 * printable ASCII and truncated, so messages are always valid UTF-8.
 */
#include "core/labels.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"

#define ECHO_MAX 128 /* bytes of user text quoted in one error message */

enum op { OP_EXISTS, OP_NOT_EXISTS, OP_IN, OP_NOT_IN, OP_EQ, OP_NE, OP_GT, OP_LT };

struct req {
    char *key;
    enum op op;
    size_t nvalues;
    char **values;
};

struct fl_labelsel {
    size_t nreqs;
    struct req reqs[FL_LABELSEL_MAX_REQS];
};

enum tok {
    T_END,
    T_IDENT,
    T_IN,
    T_NOTIN,
    T_BANG,
    T_EQ,
    T_EQEQ,
    T_NE,
    T_GT,
    T_LT,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
};

struct token {
    enum tok kind;
    const char *text; /* into the input; not NUL-terminated */
    size_t len;
};

struct parser {
    const char *s;
    size_t pos;
    struct token la; /* lookahead */
    struct fl_err *err;
};

/* Copies s[0..len) into buf as printable ASCII (\xNN for anything else),
 * with "..." when cut. Returns buf. */
static const char *echo(char *buf, size_t cap, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o + 8 >= cap) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c >= 0x20 && c < 0x7f) {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    buf[o] = '\0';
    return buf;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(char c)
{
    return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

/* Reads the next token into p->la. Operators are the longest match among
 * the two-character ones (== !=) and the one-character ones. */
static void lex(struct parser *p)
{
    const char *s = p->s;
    while (is_space(s[p->pos]))
        p->pos++;
    struct token *t = &p->la;
    t->text = s + p->pos;
    t->len = 0;
    char c = s[p->pos];
    if (c == '\0') {
        t->kind = T_END;
        return;
    }
    if (is_special(c)) {
        char d = s[p->pos + 1];
        t->len = (c == '=' || c == '!') && d == '=' ? 2 : 1;
        if (t->len == 2) {
            t->kind = c == '=' ? T_EQEQ : T_NE;
        } else {
            t->kind = c == '='   ? T_EQ
                      : c == '!' ? T_BANG
                      : c == '(' ? T_LPAREN
                      : c == ')' ? T_RPAREN
                      : c == ',' ? T_COMMA
                      : c == '>' ? T_GT
                                 : T_LT;
        }
        p->pos += t->len;
        return;
    }
    while (s[p->pos] != '\0' && !is_special(s[p->pos]) && !is_space(s[p->pos]))
        p->pos++;
    t->len = (size_t)(s + p->pos - t->text);
    if (t->len == 2 && memcmp(t->text, "in", 2) == 0)
        t->kind = T_IN;
    else if (t->len == 5 && memcmp(t->text, "notin", 5) == 0)
        t->kind = T_NOTIN;
    else
        t->kind = T_IDENT;
}

/* Where a key or value is expected, the keywords are plain identifiers. */
static enum tok as_value(enum tok k)
{
    return k == T_IN || k == T_NOTIN ? T_IDENT : k;
}

static enum tok peek(const struct parser *p)
{
    return as_value(p->la.kind);
}

/* Returns the current token (raw kind) and advances. */
static struct token next(struct parser *p)
{
    struct token t = p->la;
    lex(p);
    return t;
}

static int fail_found(struct parser *p, bool in_req, const struct token *t, const char *expected)
{
    char lit[ECHO_MAX];
    return fl_errf(p->err, 400, "BadRequest", "%sfound '%s', %s",
                   in_req ? "unable to parse requirement: " : "",
                   echo(lit, sizeof(lit), t->text, t->len), expected);
}

static void req_release(struct req *r)
{
    free(r->key);
    for (size_t i = 0; i < r->nvalues; i++)
        free(r->values[i]);
    free(r->values);
}

static int add_value(struct parser *p, struct req *r, const char *text, size_t len)
{
    for (size_t i = 0; i < r->nvalues; i++)
        if (strlen(r->values[i]) == len && memcmp(r->values[i], text, len) == 0)
            return 0;
    if (r->nvalues >= FL_LABELSEL_MAX_VALUES) {
        char key[ECHO_MAX];
        return fl_errf(p->err, 400, "BadRequest",
                       "unable to parse requirement: too many values for key \"%s\" (max %d)",
                       echo(key, sizeof(key), r->key, strlen(r->key)), FL_LABELSEL_MAX_VALUES);
    }
    r->values = fl_xrealloc(r->values, (r->nvalues + 1) * sizeof(*r->values));
    r->values[r->nvalues++] = fl_xstrndup(text, len);
    return 0;
}

/* "(" values ")" where values may be empty or have empty members. */
static int parse_set(struct parser *p, struct req *r)
{
    struct token t = next(p);
    if (as_value(t.kind) != T_LPAREN)
        return fail_found(p, true, &t, "expected: '('");
    switch (peek(p)) {
    case T_RPAREN:
        next(p);
        return add_value(p, r, "", 0);
    case T_IDENT:
    case T_COMMA:
        break;
    default:
        return fail_found(p, true, &p->la, "expected: ',', ')' or identifier");
    }
    for (;;) {
        t = next(p);
        if (as_value(t.kind) == T_IDENT) {
            if (add_value(p, r, t.text, t.len) != 0)
                return FL_EFAIL;
            if (peek(p) == T_COMMA)
                continue;
            if (peek(p) == T_RPAREN)
                break;
            return fail_found(p, true, &p->la, "expected: ',' or ')'");
        }
        if (as_value(t.kind) != T_COMMA)
            return fail_found(p, true, &t, "expected: ',', or identifier");
        /* A comma with nothing before or after it contributes "". */
        if (r->nvalues == 0 && add_value(p, r, "", 0) != 0)
            return FL_EFAIL;
        if (peek(p) == T_RPAREN || peek(p) == T_COMMA) {
            if (add_value(p, r, "", 0) != 0)
                return FL_EFAIL;
            if (peek(p) == T_RPAREN)
                break;
        }
    }
    next(p); /* the ')' seen above */
    return 0;
}

static int parse_exact_value(struct parser *p, struct req *r)
{
    if (peek(p) == T_END || peek(p) == T_COMMA)
        return add_value(p, r, "", 0);
    struct token t = next(p);
    if (as_value(t.kind) != T_IDENT)
        return fail_found(p, true, &t, "expected: identifier");
    return add_value(p, r, t.text, t.len);
}

/* strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no overflow. */
static bool parse_int64(const char *s, long long *out)
{
    const char *d = (*s == '+' || *s == '-') ? s + 1 : s;
    if (*d < '0' || *d > '9')
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

static int validate_values(struct parser *p, const struct req *r)
{
    char msg[768], a[ECHO_MAX], b[ECHO_MAX];
    for (size_t i = 0; i < r->nvalues; i++) {
        const char *v = r->values[i];
        long long n;
        if ((r->op == OP_GT || r->op == OP_LT) && !parse_int64(v, &n))
            return fl_errf(p->err, 400, "BadRequest",
                           "unable to parse requirement: invalid value \"%s\" for key \"%s\": "
                           "for 'Gt', 'Lt' operators, the value must be an integer",
                           echo(a, sizeof(a), v, strlen(v)),
                           echo(b, sizeof(b), r->key, strlen(r->key)));
        if (!fl_name_label_value(v, msg, sizeof(msg)))
            return fl_errf(p->err, 400, "BadRequest",
                           "unable to parse requirement: invalid label value \"%s\" for key "
                           "\"%s\": %s",
                           echo(a, sizeof(a), v, strlen(v)),
                           echo(b, sizeof(b), r->key, strlen(r->key)), msg);
    }
    return 0;
}

/* [!] KEY [ op value | (in|notin) set ]. Fills r; r owns what it holds even
 * on error. */
static int parse_requirement(struct parser *p, struct req *r)
{
    char msg[768], a[ECHO_MAX];
    bool negated = false;
    struct token t = next(p);
    if (t.kind == T_BANG) {
        negated = true;
        t = next(p);
    }
    if (as_value(t.kind) != T_IDENT)
        return fail_found(p, true, &t, "expected: identifier");
    r->key = fl_xstrndup(t.text, t.len);
    if (!fl_name_label_key(r->key, msg, sizeof(msg)))
        return fl_errf(p->err, 400, "BadRequest",
                       "unable to parse requirement: invalid label key \"%s\": %s",
                       echo(a, sizeof(a), t.text, t.len), msg);
    /* `!key` ends the requirement whatever follows; the caller then wants
     * ',' or the end, as upstream. */
    if (negated) {
        r->op = OP_NOT_EXISTS;
        return 0;
    }
    if (peek(p) == T_END || peek(p) == T_COMMA) {
        r->op = OP_EXISTS;
        return 0;
    }
    t = next(p);
    int rc;
    switch (t.kind) {
    case T_IN:
    case T_NOTIN:
        r->op = t.kind == T_IN ? OP_IN : OP_NOT_IN;
        rc = parse_set(p, r);
        break;
    case T_EQ:
    case T_EQEQ:
    case T_NE:
    case T_GT:
    case T_LT:
        r->op = t.kind == T_NE ? OP_NE : t.kind == T_GT ? OP_GT : t.kind == T_LT ? OP_LT : OP_EQ;
        rc = parse_exact_value(p, r);
        break;
    default:
        return fail_found(p, true, &t, "expected: in, notin, =, ==, !=, gt, lt");
    }
    if (rc != 0)
        return rc;
    return validate_values(p, r);
}

int fl_labelsel_parse(const char *text, struct fl_labelsel **out, struct fl_err *err)
{
    struct fl_labelsel *sel = fl_xcalloc(1, sizeof(*sel));
    struct parser p = {.s = text ? text : "", .err = err};
    int rc = FL_EFAIL;

    *out = NULL;
    size_t len = strlen(p.s);
    if (len > FL_LABELSEL_MAX_LEN) {
        fl_errf(err, 400, "BadRequest", "label selector too long: %zu bytes (max %d)", len,
                FL_LABELSEL_MAX_LEN);
        goto out;
    }
    lex(&p);
    while (peek(&p) != T_END) {
        if (peek(&p) != T_IDENT && peek(&p) != T_BANG) {
            fail_found(&p, false, &p.la, "expected: !, identifier, or 'end of string'");
            goto out;
        }
        if (sel->nreqs >= FL_LABELSEL_MAX_REQS) {
            fl_errf(err, 400, "BadRequest", "too many requirements in label selector (max %d)",
                    FL_LABELSEL_MAX_REQS);
            goto out;
        }
        /* Counted before parsing so a half-parsed requirement is freed. */
        if (parse_requirement(&p, &sel->reqs[sel->nreqs++]) != 0)
            goto out;
        struct token t = next(&p);
        if (t.kind == T_END)
            break;
        if (t.kind != T_COMMA) {
            fail_found(&p, false, &t, "expected: ',' or 'end of string'");
            goto out;
        }
        if (peek(&p) != T_IDENT && peek(&p) != T_BANG) {
            fail_found(&p, false, &p.la, "expected: identifier after ','");
            goto out;
        }
    }
    *out = sel;
    sel = NULL; /* owned by the caller now */
    rc = 0;
out:
    fl_labelsel_free(sel);
    return rc;
}

/* The label's value, or NULL when absent. A non-string value (labels are
 * validated as strings elsewhere) counts as present but equal to nothing. */
static const json_t *lookup(const json_t *labels, const char *key)
{
    if (!labels || !json_is_object(labels))
        return NULL;
    return json_object_get(labels, key);
}

static bool has_value(const struct req *r, const json_t *v)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    for (size_t i = 0; i < r->nvalues; i++)
        if (strlen(r->values[i]) == n && memcmp(r->values[i], s, n) == 0)
            return true;
    return false;
}

static bool compare(const struct req *r, const json_t *v)
{
    long long have, want;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
        !parse_int64(json_string_value(v), &have) || !parse_int64(r->values[0], &want))
        return false;
    return r->op == OP_GT ? have > want : have < want;
}

static bool req_match(const struct req *r, const json_t *labels)
{
    const json_t *v = lookup(labels, r->key);
    switch (r->op) {
    case OP_EXISTS:
        return v != NULL;
    case OP_NOT_EXISTS:
        return v == NULL;
    case OP_IN:
    case OP_EQ:
        return v != NULL && has_value(r, v);
    case OP_NOT_IN:
    case OP_NE:
        return v == NULL || !has_value(r, v);
    case OP_GT:
    case OP_LT:
        return v != NULL && compare(r, v);
    }
    return false;
}

bool fl_labelsel_match(const struct fl_labelsel *sel, const json_t *labels)
{
    for (size_t i = 0; i < sel->nreqs; i++)
        if (!req_match(&sel->reqs[i], labels))
            return false;
    return true;
}

bool fl_labelsel_empty(const struct fl_labelsel *sel)
{
    return sel->nreqs == 0;
}

void fl_labelsel_free(struct fl_labelsel *sel)
{
    if (!sel)
        return;
    for (size_t i = 0; i < sel->nreqs; i++)
        req_release(&sel->reqs[i]);
    free(sel);
}

/* Is v one of the strings of the JSON array values? */
static bool json_values_have(const json_t *values, const char *v)
{
    size_t i;
    const json_t *x;
    json_array_foreach(values, i, x)
        if (json_is_string(x) && !strcmp(json_string_value(x), v))
            return true;
    return false;
}

bool fl_labelsel_json_match(const json_t *sel, const json_t *labels)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(sel, "matchLabels"), k, v) {
        const json_t *have = json_object_get(labels, k);
        if (!json_is_string(have) || !json_is_string(v) ||
            strcmp(json_string_value(have), json_string_value(v)) != 0)
            return false;
    }
    size_t i;
    const json_t *req;
    json_array_foreach(json_object_get(sel, "matchExpressions"), i, req) {
        const char *op = json_string_value(json_object_get(req, "operator"));
        const char *key = json_string_value(json_object_get(req, "key"));
        if (!op || !key)
            return false;
        const char *have = json_string_value(json_object_get(labels, key));
        const json_t *values = json_object_get(req, "values");
        bool ok = !strcmp(op, "In")             ? have && json_values_have(values, have)
                  : !strcmp(op, "NotIn")        ? !have || !json_values_have(values, have)
                  : !strcmp(op, "Exists")       ? have != NULL
                  : !strcmp(op, "DoesNotExist") ? have == NULL
                                                : false;
        if (!ok)
            return false;
    }
    return true;
}
