/*
 * Helpers shared by the kind hooks (see kinds_int.h): field paths, causes in
 * upstream's wording, type-checked JSON reading, defaulting primitives, and
 * the small validators many kinds use (names, ports, labels, selectors,
 * int-or-percent, quantities). Everything here is a pure function of its
 * arguments except that causes are appended to the caller's fl_err.
 */
#include "api/kinds_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/validate.h"
#include "core/names.h"

#define MSG_MAX 1024
#define REPR_MAX 512

static const char percent_msg[] =
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  "
    "or '93%', regex used for validation is '[0-9]+%')";
static const char dns1035_msg[] =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
    "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
static const char config_key_msg[] =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
    "'[-._a-zA-Z0-9]+')";

/* ---- paths and causes ---- */

const char *kp(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, KP_MAX, fmt, ap);
    va_end(ap);
    return out;
}

const char *kchild(char *out, const char *parent, const char *key)
{
    if (!parent || !parent[0])
        return kp(out, "%s", key);
    return kp(out, "%s.%s", parent, key);
}

void kv_quote(char *out, size_t len, const char *s)
{
    size_t o = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (o + 1 < len)                                                                           \
            out[o++] = (c);                                                                        \
    } while (0)
    PUT('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\a':
            esc = "\\a";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\v':
            esc = "\\v";
            break;
        }
        if (esc) {
            for (; *esc; esc++)
                PUT(*esc);
        } else if (*p < 0x20 || *p == 0x7f) {
            char hex[5];
            snprintf(hex, sizeof(hex), "\\x%02x", *p);
            for (const char *h = hex; *h; h++)
                PUT(*h);
        } else {
            PUT((char)*p);
        }
    }
    PUT('"');
#undef PUT
    if (len)
        out[o] = '\0';
}

void kv_required(struct fl_err *err, const char *path, const char *detail)
{
    if (detail && detail[0])
        fl_err_cause(err, "FieldValueRequired", path, "Required value: %s", detail);
    else
        fl_err_cause(err, "FieldValueRequired", path, "Required value");
}

void kv_forbidden(struct fl_err *err, const char *path, const char *detail)
{
    if (detail && detail[0])
        fl_err_cause(err, "FieldValueForbidden", path, "Forbidden: %s", detail);
    else
        fl_err_cause(err, "FieldValueForbidden", path, "Forbidden");
}

void kv_invalid(struct fl_err *err, const char *path, const char *repr, const char *fmt, ...)
{
    char detail[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (detail[0])
        fl_err_cause(err, "FieldValueInvalid", path, "Invalid value: %s: %s", repr, detail);
    else
        fl_err_cause(err, "FieldValueInvalid", path, "Invalid value: %s", repr);
}

void kv_invalid_int(struct fl_err *err, const char *path, long long v, const char *detail)
{
    char repr[32];
    snprintf(repr, sizeof(repr), "%lld", v);
    kv_invalid(err, path, repr, "%s", detail ? detail : "");
}

void kv_invalid_str(struct fl_err *err, const char *path, const char *v, const char *detail)
{
    char repr[REPR_MAX];
    kv_quote(repr, sizeof(repr), v);
    kv_invalid(err, path, repr, "%s", detail ? detail : "");
}

void kv_unsupported_repr(struct fl_err *err, const char *path, const char *repr,
                         const char *const *valid)
{
    char list[MSG_MAX];
    size_t off = 0;
    list[0] = '\0';
    for (size_t i = 0; valid && valid[i] && off < sizeof(list); i++) {
        char q[128];
        kv_quote(q, sizeof(q), valid[i]);
        off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", q);
    }
    if (list[0])
        fl_err_cause(err, "FieldValueNotSupported", path,
                     "Unsupported value: %s: supported values: %s", repr, list);
    else
        fl_err_cause(err, "FieldValueNotSupported", path, "Unsupported value: %s", repr);
}

void kv_unsupported(struct fl_err *err, const char *path, const char *v, const char *const *valid)
{
    char repr[REPR_MAX];
    kv_quote(repr, sizeof(repr), v);
    kv_unsupported_repr(err, path, repr, valid);
}

void kv_duplicate_str(struct fl_err *err, const char *path, const char *v)
{
    char repr[REPR_MAX];
    kv_quote(repr, sizeof(repr), v);
    fl_err_cause(err, "FieldValueDuplicate", path, "Duplicate value: %s", repr);
}

void kv_notfound_str(struct fl_err *err, const char *path, const char *v)
{
    char repr[REPR_MAX];
    kv_quote(repr, sizeof(repr), v);
    fl_err_cause(err, "FieldValueNotFound", path, "Not found: %s", repr);
}

void kv_toolong(struct fl_err *err, const char *path, long long max)
{
    /* Same wording as the generic metadata checks in validate.c. */
    fl_err_cause(err, "FieldValueTooLong", path, "Too long: must have at most %lld bytes", max);
}

void kv_type(struct fl_err *err, const char *path, const json_t *v, const char *want)
{
    const char *got = fl_json_type_name(v);
    fl_err_cause(err, "FieldValueTypeInvalid", path,
                 "Invalid value: \"%s\": %s in body must be of type %s: \"%s\"", got, path, want,
                 got);
}

/* ---- type-checked reading ---- */

json_t *kj(const json_t *obj, const char *key)
{
    if (!json_is_object(obj))
        return NULL;
    json_t *v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

const char *kv_str(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    json_t *v = kj(obj, key);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        char p[KP_MAX];
        kv_type(err, kchild(p, parent, key), v, "string");
        return NULL;
    }
    return json_string_value(v);
}

bool kv_int(const json_t *obj, const char *key, const char *parent, struct fl_err *err,
            long long *out)
{
    json_t *v = kj(obj, key);
    if (!v)
        return false;
    if (!json_is_integer(v)) {
        char p[KP_MAX];
        kv_type(err, kchild(p, parent, key), v, "integer");
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

bool kv_bool(const json_t *obj, const char *key, const char *parent, struct fl_err *err, bool *out)
{
    json_t *v = kj(obj, key);
    if (!v)
        return false;
    if (!json_is_boolean(v)) {
        char p[KP_MAX];
        kv_type(err, kchild(p, parent, key), v, "boolean");
        return false;
    }
    *out = json_is_true(v);
    return true;
}

const json_t *kv_obj(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    json_t *v = kj(obj, key);
    if (v && !json_is_object(v)) {
        char p[KP_MAX];
        kv_type(err, kchild(p, parent, key), v, "object");
        return NULL;
    }
    return v;
}

const json_t *kv_arr(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    json_t *v = kj(obj, key);
    if (v && !json_is_array(v)) {
        char p[KP_MAX];
        kv_type(err, kchild(p, parent, key), v, "array");
        return NULL;
    }
    return v;
}

const json_t *kv_strmap(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    const json_t *m = kv_obj(obj, key, parent, err);
    if (!m)
        return NULL;
    const char *k;
    json_t *v;
    bool ok = true;
    json_object_foreach((json_t *)m, k, v)
    {
        if (!json_is_string(v)) {
            char p[KP_MAX], pk[KP_MAX];
            kchild(p, parent, key);
            kv_type(err, kp(pk, "%s.%s", p, k), v, "string");
            ok = false;
        }
    }
    return ok ? m : NULL;
}

bool kin(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (!strcmp(s, list[i]))
            return true;
    return false;
}

/* ---- defaulting ---- */

void kd_json(json_t *obj, const char *key, json_t *val)
{
    if (json_is_object(obj) && kd_absent(obj, key))
        json_object_set_new(obj, key, val);
    else
        json_decref(val);
}

bool kd_absent(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return !v || json_is_null(v);
}

json_t *kd_obj(json_t *obj, const char *key)
{
    if (!json_is_object(obj))
        return NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        v = json_object();
        json_object_set_new(obj, key, v);
    }
    return json_is_object(v) ? v : NULL;
}

void kd_str(json_t *obj, const char *key, const char *val)
{
    if (!json_is_object(obj))
        return;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
        json_object_set_new(obj, key, json_string(val));
}

void kd_int(json_t *obj, const char *key, long long val)
{
    if (json_is_object(obj) && kd_absent(obj, key))
        json_object_set_new(obj, key, json_integer(val));
}

void kd_int0(json_t *obj, const char *key, long long val)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (json_is_object(obj) &&
        (!v || json_is_null(v) || (json_is_integer(v) && !json_integer_value(v))))
        json_object_set_new(obj, key, json_integer(val));
}

void kd_bool(json_t *obj, const char *key, bool val)
{
    if (json_is_object(obj) && kd_absent(obj, key))
        json_object_set_new(obj, key, json_boolean(val));
}

/* ---- names ---- */

/* One Invalid cause per message of a names.h check ("; "-joined there). */
static bool name_causes(bool ok, const char *msg, const char *v, const char *path,
                        struct fl_err *err)
{
    if (ok)
        return true;
    char copy[MSG_MAX];
    snprintf(copy, sizeof(copy), "%s", msg);
    char *start = copy;
    for (;;) {
        char *sep = strstr(start, "; ");
        if (sep)
            *sep = '\0';
        kv_invalid_str(err, path, v, start);
        if (!sep)
            break;
        start = sep + 2;
    }
    return false;
}

bool kv_dns_label(const char *v, const char *path, struct fl_err *err)
{
    char msg[MSG_MAX];
    return name_causes(fl_name_dns1123_label(v, msg, sizeof(msg)), msg, v, path, err);
}

bool kv_dns_subdomain(const char *v, const char *path, struct fl_err *err)
{
    char msg[MSG_MAX];
    return name_causes(fl_name_dns1123_subdomain(v, msg, sizeof(msg)), msg, v, path, err);
}

bool kv_qualified_name(const char *v, const char *path, struct fl_err *err)
{
    char msg[MSG_MAX];
    return name_causes(fl_name_label_key(v, msg, sizeof(msg)), msg, v, path, err);
}

bool kv_label_value(const char *v, const char *path, struct fl_err *err)
{
    char msg[MSG_MAX];
    return name_causes(fl_name_label_value(v, msg, sizeof(msg)), msg, v, path, err);
}

bool kv_is_dns1035(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 63 || !(v[0] >= 'a' && v[0] <= 'z'))
        return false;
    char last = v[n - 1];
    if (!((last >= 'a' && last <= 'z') || (last >= '0' && last <= '9')))
        return false;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    return true;
}

bool kdns1035(const char *v, char *msg, size_t len)
{
    size_t n = strlen(v);
    bool fmt = n > 0 && v[0] >= 'a' && v[0] <= 'z' &&
               ((v[n - 1] >= 'a' && v[n - 1] <= 'z') || (v[n - 1] >= '0' && v[n - 1] <= '9'));
    for (const char *p = v; fmt && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            fmt = false;
    if (len)
        msg[0] = '\0';
    if (n <= 63 && fmt)
        return true;
    snprintf(msg, len, "%s%s%s", n > 63 ? "must be no more than 63 characters" : "",
             n > 63 && !fmt ? "," : "", fmt ? "" : dns1035_msg);
    return false;
}

/* One cause, messages joined by "," (how apiextensions reports it). */
bool kv_dns1035(const char *v, const char *path, struct fl_err *err)
{
    char msg[MSG_MAX];
    if (kdns1035(v, msg, sizeof(msg)))
        return true;
    kv_invalid_str(err, path, v, msg);
    return false;
}

void kmsg_rejoin(char *msg, char sep)
{
    char *o = msg;
    for (const char *c = msg; *c; c++) {
        if (c[0] == ';' && c[1] == ' ') {
            *o++ = sep;
            c++;
            continue;
        }
        *o++ = *c;
    }
    *o = '\0';
}

bool kv_is_port_name(const char *v)
{
    size_t n = strlen(v);
    bool letter = false;
    if (n == 0 || n > 15 || v[0] == '-' || v[n - 1] == '-' || strstr(v, "--"))
        return false;
    for (const char *p = v; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            letter = true;
        else if (!((*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    }
    return letter;
}

bool kv_port_name(const char *v, const char *path, struct fl_err *err)
{
    size_t n = strlen(v);
    bool ok = true, charset = n > 0, letter = false;
    for (const char *p = v; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            letter = true;
        else if (!((*p >= '0' && *p <= '9') || *p == '-'))
            charset = false;
    }
    if (n > 15) {
        kv_invalid_str(err, path, v, "must be no more than 15 characters");
        ok = false;
    }
    if (!charset) {
        kv_invalid_str(err, path, v,
                       "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        ok = false;
    }
    if (!letter) {
        kv_invalid_str(err, path, v, "must contain at least one letter (a-z)");
        ok = false;
    }
    if (strstr(v, "--")) {
        kv_invalid_str(err, path, v, "must not contain consecutive hyphens");
        ok = false;
    }
    if (n > 0 && (v[0] == '-' || v[n - 1] == '-')) {
        kv_invalid_str(err, path, v, "must not begin or end with a hyphen");
        ok = false;
    }
    return ok;
}

bool kv_is_config_key(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 253 || !strcmp(k, ".") || !strcmp(k, ".."))
        return false;
    for (const char *p = k; *p; p++)
        if (!(*p == '-' || *p == '.' || *p == '_' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* IsConfigMapKey: length, charset, then "." / ".." / leading "..". */
bool kv_config_key(const char *k, const char *path, struct fl_err *err)
{
    bool ok = true;
    size_t n = strlen(k);
    if (n > 253) {
        kv_invalid_str(err, path, k, "must be no more than 253 characters");
        ok = false;
    }
    bool charset = n > 0;
    for (const char *p = k; *p; p++)
        if (!(*p == '-' || *p == '.' || *p == '_' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            charset = false;
    if (!charset) {
        kv_invalid_str(err, path, k, config_key_msg);
        ok = false;
    }
    if (!strcmp(k, ".")) {
        kv_invalid_str(err, path, k, "must not be '.'");
        ok = false;
    } else if (!strcmp(k, "..")) {
        kv_invalid_str(err, path, k, "must not be '..'");
        ok = false;
    } else if (!strncmp(k, "..", 2)) {
        kv_invalid_str(err, path, k, "must not start with '..'");
        ok = false;
    }
    return ok;
}

/* ---- common validators ---- */

void kv_nonneg(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    long long v;
    char p[KP_MAX];
    if (kv_int(obj, key, parent, err, &v) && v < 0)
        kv_invalid_int(err, kchild(p, parent, key), v, "must be greater than or equal to 0");
}

void kv_port_num(const json_t *obj, const char *key, const char *parent, int mode,
                 struct fl_err *err)
{
    char p[KP_MAX];
    json_t *v = kj(obj, key);
    kchild(p, parent, key);
    if (v && !json_is_integer(v)) {
        kv_type(err, p, v, "integer");
        return;
    }
    long long n = v ? json_integer_value(v) : 0;
    if (n == 0 && mode == KPORT_OPTIONAL)
        return;
    if (n == 0 && mode == KPORT_REQUIRED) {
        kv_required(err, p, NULL);
        return;
    }
    if (n < 1 || n > 65535)
        kv_invalid_int(err, p, n, "must be between 1 and 65535, inclusive");
}

void kv_labels(const json_t *map, const char *path, struct fl_err *err)
{
    const char *k;
    json_t *v;
    if (!json_is_object(map))
        return;
    json_object_foreach((json_t *)map, k, v)
    {
        kv_qualified_name(k, path, err);
        if (json_is_string(v))
            kv_label_value(json_string_value(v), path, err);
    }
}

void kv_annotations(const json_t *map, const char *path, struct fl_err *err)
{
    const char *k;
    json_t *v;
    size_t total = 0;
    if (!json_is_object(map))
        return;
    json_object_foreach((json_t *)map, k, v)
    {
        /* Qualified names, case-insensitively. */
        char lower[512];
        size_t i = 0;
        for (; k[i] && i + 1 < sizeof(lower); i++)
            lower[i] = (char)((k[i] >= 'A' && k[i] <= 'Z') ? k[i] + 32 : k[i]);
        lower[i] = '\0';
        char msg[MSG_MAX];
        if (!fl_name_label_key(lower, msg, sizeof(msg)))
            name_causes(false, msg, k, path, err);
        total += strlen(k) + (json_is_string(v) ? json_string_length(v) : 0);
    }
    if (total > FL_ANNOTATIONS_MAX_BYTES)
        kv_toolong(err, path, FL_ANNOTATIONS_MAX_BYTES);
}

/* ---- label selectors ---- */

bool kv_label_selector(const json_t *sel, const char *path, struct fl_err *err)
{
    char p[KP_MAX], pe[KP_MAX], pv[KP_MAX];
    bool ok = true;
    if (!sel)
        return true;
    if (!json_is_object(sel)) {
        kv_type(err, path, sel, "object");
        return false;
    }
    const json_t *ml = kv_strmap(sel, "matchLabels", path, err);
    if (!ml && kj(sel, "matchLabels"))
        ok = false;
    if (ml) {
        const char *k;
        json_t *v;
        kchild(p, path, "matchLabels");
        json_object_foreach((json_t *)ml, k, v)
        {
            ok &= kv_qualified_name(k, p, err);
            ok &= kv_label_value(json_string_value(v), p, err);
        }
    }
    const json_t *me = kv_arr(sel, "matchExpressions", path, err);
    if (!me && kj(sel, "matchExpressions"))
        ok = false;
    size_t i;
    json_t *req;
    json_array_foreach(me, i, req)
    {
        kp(pe, "%s.matchExpressions[%zu]", path, i);
        if (!json_is_object(req)) {
            kv_type(err, pe, req, "object");
            ok = false;
            continue;
        }
        const char *op = kv_str(req, "operator", pe, err);
        const char *key = kv_str(req, "key", pe, err);
        const json_t *vals = kv_arr(req, "values", pe, err);
        size_t nvals = json_array_size(vals);
        if (op && (!strcmp(op, "In") || !strcmp(op, "NotIn"))) {
            if (nvals == 0) {
                kv_required(err, kp(p, "%s.values", pe),
                            "must be specified when `operator` is 'In' or 'NotIn'");
                ok = false;
            }
        } else if (op && (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist"))) {
            if (nvals > 0) {
                kv_forbidden(err, kp(p, "%s.values", pe),
                             "may not be specified when `operator` is 'Exists' or "
                             "'DoesNotExist'");
                ok = false;
            }
        } else {
            kv_invalid_str(err, kp(p, "%s.operator", pe), op ? op : "",
                           "not a valid selector operator");
            ok = false;
        }
        ok &= kv_qualified_name(key ? key : "", kp(p, "%s.key", pe), err);
        size_t j;
        json_t *val;
        json_array_foreach(vals, j, val)
        {
            kp(pv, "%s.values[%zu]", pe, j);
            if (!json_is_string(val)) {
                kv_type(err, pv, val, "string");
                ok = false;
            } else {
                ok &= kv_label_value(json_string_value(val), pv, err);
            }
        }
    }
    return ok;
}

bool ksel_empty(const json_t *sel)
{
    return json_object_size(kj(sel, "matchLabels")) == 0 &&
           json_array_size(kj(sel, "matchExpressions")) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Append to a bounded buffer. */
struct sbuf {
    char *p;
    size_t len, off;
};

static void sb_add(struct sbuf *b, const char *s)
{
    if (b->off >= b->len)
        return;
    int n = snprintf(b->p + b->off, b->len - b->off, "%s", s);
    if (n > 0)
        b->off += (size_t)n;
    if (b->off >= b->len)
        b->off = b->len - 1;
}

static void sb_quote(struct sbuf *b, const char *s)
{
    char q[REPR_MAX];
    kv_quote(q, sizeof(q), s);
    sb_add(b, q);
}

static void go_strmap(struct sbuf *b, const json_t *map)
{
    if (!json_is_object(map)) {
        sb_add(b, "map[string]string(nil)");
        return;
    }
    size_t n = json_object_size(map), i = 0;
    const char **keys = fl_xcalloc(n ? n : 1, sizeof(*keys));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)map, k, v)
    {
        keys[i++] = k;
    }
    qsort(keys, n, sizeof(*keys), cmp_str);
    sb_add(b, "map[string]string{");
    for (i = 0; i < n; i++) {
        if (i)
            sb_add(b, ", ");
        sb_quote(b, keys[i]);
        sb_add(b, ":");
        sb_quote(b, json_string_value(json_object_get(map, keys[i])));
    }
    sb_add(b, "}");
    free(keys);
}

void kgo_strmap(const json_t *map, char *out, size_t len)
{
    struct sbuf b = {out, len, 0};
    if (len)
        out[0] = '\0';
    go_strmap(&b, map);
}

void kgo_selector(const json_t *sel, char *out, size_t len)
{
    struct sbuf b = {out, len, 0};
    if (len)
        out[0] = '\0';
    if (!json_is_object(sel)) {
        sb_add(&b, "null");
        return;
    }
    sb_add(&b, "v1.LabelSelector{MatchLabels:");
    go_strmap(&b, kj(sel, "matchLabels"));
    sb_add(&b, ", MatchExpressions:");
    const json_t *me = kj(sel, "matchExpressions");
    if (!json_is_array(me)) {
        sb_add(&b, "[]v1.LabelSelectorRequirement(nil)}");
        return;
    }
    sb_add(&b, "[]v1.LabelSelectorRequirement{");
    size_t i;
    json_t *req;
    json_array_foreach(me, i, req)
    {
        sb_add(&b, i ? ", v1.LabelSelectorRequirement{Key:" : "v1.LabelSelectorRequirement{Key:");
        sb_quote(&b, json_string_value(kj(req, "key")));
        sb_add(&b, ", Operator:");
        sb_quote(&b, json_string_value(kj(req, "operator")));
        sb_add(&b, ", Values:");
        const json_t *vals = kj(req, "values");
        if (!json_is_array(vals)) {
            sb_add(&b, "[]string(nil)}");
            continue;
        }
        sb_add(&b, "[]string{");
        size_t j;
        json_t *v;
        json_array_foreach(vals, j, v)
        {
            if (j)
                sb_add(&b, ", ");
            sb_quote(&b, json_string_value(v));
        }
        sb_add(&b, "}}");
    }
    sb_add(&b, "}}");
}

/* ---- int-or-string ---- */

int kv_intstr(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    json_t *v = kj(obj, key);
    if (!v)
        return 0;
    if (json_is_integer(v))
        return 1;
    if (json_is_string(v))
        return 2;
    char p[KP_MAX];
    kv_type(err, kchild(p, parent, key), v, "integer or string");
    return -1;
}

void kgo_intstr(const json_t *v, char *out, size_t len)
{
    if (json_is_string(v)) {
        char q[REPR_MAX];
        kv_quote(q, sizeof(q), json_string_value(v));
        snprintf(out, len, "intstr.IntOrString{Type:1, IntVal:0, StrVal:%s}", q);
    } else {
        snprintf(out, len, "intstr.IntOrString{Type:0, IntVal:%lld, StrVal:\"\"}",
                 json_is_integer(v) ? (long long)json_integer_value(v) : 0LL);
    }
}

/* "N%" with N digits: N, else -1. */
static long long percent_value(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || s[n - 1] != '%')
        return -1;
    long long v = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v < 1000000000000LL)
            v = v * 10 + (s[i] - '0');
    }
    return v;
}

long long kintstr_value(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_string(v)) {
        long long p = percent_value(json_string_value(v));
        if (p >= 0)
            return p;
        return strtoll(json_string_value(v), NULL, 10); /* IntValue(): Atoi, 0 on error */
    }
    return 0;
}

void kv_int_or_percent(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    char p[KP_MAX], repr[REPR_MAX];
    int t = kv_intstr(obj, key, parent, err);
    json_t *v = kj(obj, key);
    kchild(p, parent, key);
    if (t == 1 && json_integer_value(v) < 0)
        kv_invalid_int(err, p, json_integer_value(v), "must be greater than or equal to 0");
    if (t == 2 && percent_value(json_string_value(v)) < 0) {
        kgo_intstr(v, repr, sizeof(repr));
        kv_invalid(err, p, repr, "%s", percent_msg);
    }
}

void kv_not_over_100(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    char p[KP_MAX], repr[REPR_MAX];
    json_t *v = kj(obj, key);
    if (!json_is_string(v) || percent_value(json_string_value(v)) <= 100)
        return;
    kgo_intstr(v, repr, sizeof(repr));
    kv_invalid(err, kchild(p, parent, key), repr, "must not be greater than 100%%");
}

/* ---- quantities ---- */

/* The text of a quantity member: a string, or a JSON number as written. */
static bool quantity_text(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v)) {
        snprintf(buf, len, "%s", json_string_value(v));
        return true;
    }
    if (json_is_integer(v)) {
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, len, "%.*g", prec, d);
            if (strtod(buf, NULL) == d)
                break;
        }
        return true;
    }
    return false;
}

bool kv_quantity(const json_t *obj, const char *key, const char *path, struct fl_err *err,
                 struct fl_quantity *q)
{
    json_t *v = kj(obj, key);
    char text[256], msg[256];
    if (!v)
        return false;
    if (!quantity_text(v, text, sizeof(text))) {
        kv_type(err, path, v, "string");
        return false;
    }
    if (fl_quantity_parse(text, q, msg, sizeof(msg)) != FL_OK) {
        kv_invalid_str(err, path, text, msg);
        return false;
    }
    return true;
}

bool kq_value(const json_t *v, struct fl_quantity *q)
{
    char text[256];
    return v && quantity_text(v, text, sizeof(text)) &&
           fl_quantity_parse(text, q, NULL, 0) == FL_OK;
}

void kd_quantity(json_t *obj, const char *key)
{
    json_t *v = kj(obj, key);
    char text[256], canon[FL_QUANTITY_STR_MAX];
    struct fl_quantity q;
    if (!v || !quantity_text(v, text, sizeof(text)) ||
        fl_quantity_parse(text, &q, NULL, 0) != FL_OK)
        return;
    fl_quantity_format(&q, canon, sizeof(canon));
    if (!json_is_string(v) || strcmp(json_string_value(v), canon) != 0)
        json_object_set_new(obj, key, json_string(canon));
}

void kd_quantities(json_t *obj, const char *key)
{
    json_t *m = kj(obj, key);
    const char *k;
    json_t *v;
    void *tmp;
    if (!json_is_object(m))
        return;
    json_object_foreach_safe(m, tmp, k, v)
    {
        kd_quantity(m, k);
    }
}
