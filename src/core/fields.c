/*
 * Field selector parser and matcher (see fields.h), following
 * k8s.io/apimachinery/pkg/fields ParseSelector: split on commas not escaped
 * by a backslash, drop empty terms, sort the rest bytewise (so the same term
 * is reported first on error and fl_fieldsel_exact picks the same one as
 * upstream), split each at the first `!=`, `==` or `=`, and unescape the
 * value. The path is kept literally, as upstream, and judged by
 * fl_fieldsel_check. Besides upstream's \\ \, \= we also accept \! (a
 * superset: no valid upstream selector changes meaning). Invariants: a
 * parsed selector holds at most FL_FIELDSEL_MAX_REQS terms, values are
 * unescaped, and it is never modified after parse. User text echoed in error
 * messages is escaped to printable ASCII and truncated.
 */
#include "core/fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ECHO_MAX 128 /* bytes of user text quoted in one error message */

struct term {
    char *path;
    char *value; /* unescaped */
    bool negated;
};

struct fl_fieldsel {
    size_t nterms;
    struct term terms[FL_FIELDSEL_MAX_REQS];
};

struct span {
    const char *s;
    size_t len;
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

/* Go string order: bytewise, a prefix first. */
static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (c != 0)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Value unescaping: \\ \, \= \! stand for the character; any other escape,
 * a trailing backslash or a bare '=' is an error. Returns a new string. */
static int unescape(const char *s, size_t len, char **out, struct fl_err *err)
{
    char *v = fl_xmalloc(len + 1), lit[ECHO_MAX];
    size_t o = 0;
    int rc = FL_EFAIL;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\') {
            if (i + 1 == len) {
                fl_errf(err, 400, "BadRequest",
                        "invalid field selector: invalid escape sequence: \\");
                goto out;
            }
            char c = s[++i];
            if (c != '\\' && c != ',' && c != '=' && c != '!') {
                fl_errf(err, 400, "BadRequest",
                        "invalid field selector: invalid escape sequence: \\%s",
                        echo(lit, sizeof(lit), &c, 1));
                goto out;
            }
            v[o++] = c;
        } else if (s[i] == '=' || s[i] == ',') {
            fl_errf(err, 400, "BadRequest",
                    "invalid field selector: unescaped character in value: '%c'", s[i]);
            goto out;
        } else {
            v[o++] = s[i];
        }
    }
    v[o] = '\0';
    *out = v;
    v = NULL;
    rc = 0;
out:
    free(v);
    return rc;
}

/* Splits at the first operator, trying != then == then = at each offset. */
static bool split_term(const struct span *t, struct term *term, struct span *rhs)
{
    for (size_t i = 0; i < t->len; i++) {
        size_t oplen = 0;
        const char *p = t->s + i;
        if (i + 1 < t->len && (p[0] == '!' || p[0] == '=') && p[1] == '=')
            oplen = 2;
        else if (p[0] == '=')
            oplen = 1;
        if (oplen == 0)
            continue;
        term->negated = p[0] == '!';
        term->path = fl_xstrndup(t->s, i);
        rhs->s = p + oplen;
        rhs->len = t->len - i - oplen;
        return true;
    }
    return false;
}

int fl_fieldsel_parse(const char *text, struct fl_fieldsel **out, struct fl_err *err)
{
    struct fl_fieldsel *sel = fl_xcalloc(1, sizeof(*sel));
    struct span *parts = NULL;
    size_t nparts = 0;
    int rc = FL_EFAIL;
    char a[ECHO_MAX], b[ECHO_MAX];

    *out = NULL;
    text = text ? text : "";
    size_t len = strlen(text);
    if (len > FL_FIELDSEL_MAX_LEN) {
        fl_errf(err, 400, "BadRequest", "field selector too long: %zu bytes (max %d)", len,
                FL_FIELDSEL_MAX_LEN);
        goto out;
    }
    /* At most len/2 + 1 non-empty terms: each needs a byte and a comma. */
    parts = fl_xcalloc(len / 2 + 1, sizeof(*parts));
    size_t start = 0;
    bool escaped = false;
    for (size_t i = 0; i <= len; i++) {
        if (escaped && i < len) {
            escaped = false;
        } else if (text[i] == '\\') {
            escaped = true;
        } else if (i == len || text[i] == ',') {
            if (i > start)
                parts[nparts++] = (struct span){text + start, i - start};
            start = i + 1;
        }
    }
    if (nparts > FL_FIELDSEL_MAX_REQS) {
        fl_errf(err, 400, "BadRequest", "too many terms in field selector: %zu (max %d)", nparts,
                FL_FIELDSEL_MAX_REQS);
        goto out;
    }
    qsort(parts, nparts, sizeof(*parts), span_cmp);
    for (size_t i = 0; i < nparts; i++) {
        struct term *t = &sel->terms[sel->nterms];
        struct span rhs;
        if (!split_term(&parts[i], t, &rhs)) {
            fl_errf(err, 400, "BadRequest", "invalid selector: '%s'; can't understand '%s'",
                    echo(a, sizeof(a), text, len), echo(b, sizeof(b), parts[i].s, parts[i].len));
            goto out;
        }
        sel->nterms++; /* t->path is owned by sel now */
        if (unescape(rhs.s, rhs.len, &t->value, err) != 0)
            goto out;
    }
    *out = sel;
    sel = NULL; /* owned by the caller now */
    rc = 0;
out:
    free(parts);
    fl_fieldsel_free(sel);
    return rc;
}

int fl_fieldsel_check(const struct fl_fieldsel *sel, const char *const *allowed, struct fl_err *err)
{
    char a[ECHO_MAX];
    for (size_t i = 0; i < sel->nterms; i++) {
        const char *path = sel->terms[i].path;
        bool ok = false;
        for (size_t j = 0; allowed && allowed[j] && !ok; j++)
            ok = strcmp(path, allowed[j]) == 0;
        if (!ok)
            return fl_errf(err, 400, "BadRequest", "field label not supported: %s",
                           echo(a, sizeof(a), path, strlen(path)));
    }
    return 0;
}

bool fl_fieldsel_match(const struct fl_fieldsel *sel, fl_field_get_fn get, void *ctx)
{
    for (size_t i = 0; i < sel->nterms; i++) {
        const struct term *t = &sel->terms[i];
        const char *v = get(t->path, ctx);
        bool eq = strcmp(v ? v : "", t->value) == 0;
        if (eq == t->negated)
            return false;
    }
    return true;
}

const char *fl_fieldsel_exact(const struct fl_fieldsel *sel, const char *path)
{
    for (size_t i = 0; i < sel->nterms; i++)
        if (!sel->terms[i].negated && strcmp(sel->terms[i].path, path) == 0)
            return sel->terms[i].value;
    return NULL;
}

bool fl_fieldsel_empty(const struct fl_fieldsel *sel)
{
    return sel->nterms == 0;
}

void fl_fieldsel_free(struct fl_fieldsel *sel)
{
    if (!sel)
        return;
    for (size_t i = 0; i < sel->nterms; i++) {
        free(sel->terms[i].path);
        free(sel->terms[i].value);
    }
    free(sel);
}
