/*
 * The fleet file (fleet.h; the format is docs/fleet-file.md). libyaml loads
 * the whole file as a document (anchors become shared nodes, never copies),
 * then one walk over the fixed schema checks each field and fills the specs.
 * The walk's depth is bounded by the schema, not by the document, so
 * recursive aliases cannot make it loop; a budget on the values it visits
 * (aliases counted each time they are used) bounds its work. The first
 * problem wins and is reported as "FILE:LINE: path: message"; on any error
 * every spec built so far is freed, so a fleet is loaded whole or not at all.
 */
#include "member/fleet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/names.h"
#include "core/quantity.h"

#define MAX_FILE (16u << 20) /* bytes of a fleet file */
#define MAX_VALUES 500000    /* values visited, each alias use counted */
#define MAX_CLUSTERS 1000    /* clusters in one process */
#define MAX_POOLS 256        /* node pools of a cluster */
#define MAX_MAP 256          /* labels of a cluster or pool, capacity entries */
#define MAX_TAINTS 64        /* taints of a pool */
#define MAX_COUNT 65536      /* nodes of a pool (a /8 pod CIDR holds 65536 /24s) */
#define MAX_DELAY_NS (86400ull * 1000000000ull) /* 24h, for every duration */
#define MAX_LEASE_S 86400
#define MAX_TOLERATION_S 2147483647u
#define NODE_NAME_MAX 63 /* node names are kubernetes.io/hostname label values */

struct ctx {
    yaml_document_t *doc;
    const char *what;
    struct fl_err *err;
    size_t values;
};

/* ---- messages ----------------------------------------------------------- */

static int fail(struct ctx *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct ctx *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
    char msg[FL_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t line = n ? n->start_mark.line + 1 : 1;
    if (path && *path)
        return fl_errf(c->err, 400, "BadRequest", "%s:%zu: %s: %s", c->what, line, path, msg);
    return fl_errf(c->err, 400, "BadRequest", "%s:%zu: %s", c->what, line, msg);
}

/* User text for a message: at most 64 bytes, control bytes escaped. */
static const char *quote(const char *s, char *buf, size_t len)
{
    size_t o = 0, i = 0;
    for (; s[i] && i < 64 && o + 5 < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
            o += (size_t)snprintf(buf + o, len - o, ch == '"' || ch == '\\' ? "\\%c" : "\\x%02x",
                                  ch);
        else
            buf[o++] = (char)ch;
    }
    if (s[i] && o + 4 < len)
        o += (size_t)snprintf(buf + o, len - o, "...");
    buf[o] = '\0';
    return buf;
}

/* ---- nodes -------------------------------------------------------------- */

static yaml_node_t *node(struct ctx *c, int index)
{
    yaml_node_t *n = yaml_document_get_node(c->doc, index);
    FL_ASSERT(n != NULL);
    return n;
}

/* Every value the walk looks at passes here once per use. */
static int visit(struct ctx *c, const yaml_node_t *n, const char *path)
{
    if (++c->values > MAX_VALUES)
        return fail(c, n, path, "the file has more than %d values (aliases counted at each use)",
                    MAX_VALUES);
    return FL_OK;
}

static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* The text of a scalar (any style; null is the caller's business). */
static int text(struct ctx *c, const yaml_node_t *n, const char *path, const char *what,
                const char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return fail(c, n, path, "must be %s", what);
    const char *s = (const char *)n->data.scalar.value;
    if (strlen(s) != n->data.scalar.length)
        return fail(c, n, path, "must not contain NUL characters");
    *out = s;
    return FL_OK;
}

static int mapping(struct ctx *c, const yaml_node_t *n, const char *path)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n, path, "must be a mapping");
    return FL_OK;
}

static size_t map_len(const yaml_node_t *n)
{
    return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static size_t seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* The key of a pair as a string. */
static int key_text(struct ctx *c, const yaml_node_t *k, const char *path, const char **out)
{
    if (visit(c, k, path) != 0)
        return FL_EFAIL;
    if (k->type != YAML_SCALAR_NODE)
        return fail(c, k, path, "keys must be strings");
    return text(c, k, path, "a string", out);
}

/* Which of fields the key names; each may be given once. */
static int field(struct ctx *c, const yaml_node_t *k, const char *path, const char *const *fields,
                 size_t nfields, unsigned *seen, size_t *out)
{
    const char *s;
    char q[512];
    if (key_text(c, k, path, &s) != 0)
        return FL_EFAIL;
    for (size_t i = 0; i < nfields; i++) {
        if (strcmp(s, fields[i]) != 0)
            continue;
        if (*seen & (1u << i))
            return fail(c, k, path, "duplicate field \"%s\"", fields[i]);
        *seen |= 1u << i;
        *out = i;
        return FL_OK;
    }
    return fail(c, k, path, "unknown field \"%s\"", quote(s, q, sizeof(q)));
}

/* The value node of key in a mapping (NULL when absent): a second look at
 * fields already checked by the walk. */
static const yaml_node_t *map_get(struct ctx *c, const yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = node(c, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
            return node(c, p->value);
    }
    return NULL;
}

/* ---- scalars ------------------------------------------------------------ */

/* An optional string: null leaves *out as it is. */
static int opt_string(struct ctx *c, const yaml_node_t *n, const char *path, char **out)
{
    const char *s;
    if (is_null(n))
        return FL_OK;
    if (text(c, n, path, "a string", &s) != 0)
        return FL_EFAIL;
    free(*out);
    *out = fl_xstrdup(s);
    return FL_OK;
}

/* A plain decimal integer in [min, max]. Quoted numbers are strings. */
static int uint_field(struct ctx *c, const yaml_node_t *n, const char *path, unsigned long min,
                      unsigned long max, uint32_t *out)
{
    const char *what = min ? "must be a positive integer" : "must be a non-negative integer";
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return fail(c, n, path, "%s", what);
    const char *s = (const char *)n->data.scalar.value;
    size_t len = strspn(s, "0123456789");
    /* A leading 0 is octal to YAML 1.1 readers: refuse the ambiguity. */
    if (len == 0 || s[len] || (s[0] == '0' && len > 1))
        return fail(c, n, path, "%s", what);
    unsigned long long v = 0;
    for (size_t i = 0; i < len && v <= max; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    if (v < min)
        return fail(c, n, path, "%s", what);
    if (v > max)
        return fail(c, n, path, "must be at most %lu", max);
    *out = (uint32_t)v;
    return FL_OK;
}

/* Go's time.ParseDuration ("1h30m", "1.5s", "500ms", "-2s", units ns us µs
 * ms s m h), plus a bare number meaning seconds. NULL or what is wrong. */
static const char *parse_duration(const char *s, uint64_t *ns)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
        {"ns", 1},       {"us", 1000},      {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000},
        {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000},  {"h", 3600000000000},
    };
    const char *bad = "must be a duration such as \"500ms\", \"1.5s\" or \"2m\", or a number of "
                      "seconds";
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!*p)
        return bad;
    bool bare = p[strspn(p, "0123456789.")] == '\0';
    unsigned __int128 total = 0;
    while (*p) {
        uint64_t v = 0, f = 0, scale = 1;
        bool digits = false;
        for (; *p >= '0' && *p <= '9'; p++, digits = true)
            if (v <= MAX_DELAY_NS)
                v = v * 10 + (uint64_t)(*p - '0');
        if (*p == '.') {
            for (p++; *p >= '0' && *p <= '9'; p++, digits = true)
                if (scale < 1000000000000000000ull)
                    f = f * 10 + (uint64_t)(*p - '0'), scale *= 10;
        }
        if (!digits)
            return bad;
        uint64_t unit = 0;
        if (bare) {
            unit = 1000000000;
        } else {
            for (size_t i = 0; i < FL_ARRAY_LEN(units) && !unit; i++) {
                size_t n = strlen(units[i].name);
                if (!strncmp(p, units[i].name, n))
                    unit = units[i].ns, p += n;
            }
            if (!unit)
                return bad;
        }
        if (bare && *p)
            return bad; /* "1.2.3" */
        total += (unsigned __int128)v * unit + (unsigned __int128)f * unit / scale;
        if (total > MAX_DELAY_NS)
            return neg ? "must not be negative" : "must be at most 24h";
    }
    if (neg && total > 0)
        return "must not be negative";
    *ns = (uint64_t)total;
    return NULL;
}

/* A duration, scalar of any style. */
static int duration(struct ctx *c, const yaml_node_t *n, const char *path, uint64_t *ns)
{
    const char *s;
    if (text(c, n, path, "a duration such as \"500ms\"", &s) != 0)
        return FL_EFAIL;
    const char *why = parse_duration(s, ns);
    if (why)
        return fail(c, n, path, "%s", why);
    return FL_OK;
}

/* Milliseconds, sub-millisecond parts rounded up. */
static int duration_ms(struct ctx *c, const yaml_node_t *n, const char *path, uint32_t *out)
{
    uint64_t ns;
    if (duration(c, n, path, &ns) != 0)
        return FL_EFAIL;
    *out = (uint32_t)((ns + 999999) / 1000000);
    return FL_OK;
}

static int duration_s(struct ctx *c, const yaml_node_t *n, const char *path, uint32_t *out)
{
    uint64_t ns;
    if (duration(c, n, path, &ns) != 0)
        return FL_EFAIL;
    if (ns == 0 || ns % 1000000000)
        return fail(c, n, path, "must be a positive whole number of seconds");
    *out = (uint32_t)(ns / 1000000000);
    return FL_OK;
}

/* "ADDR:PORT" with an IP address (IPv6 in brackets) and an explicit port. */
static int listen_addr(struct ctx *c, const yaml_node_t *n, const char *path, char **out)
{
    const char *s;
    char q[512];
    if (text(c, n, path, "a string", &s) != 0)
        return FL_EFAIL;
    const char *colon = strrchr(s, ':');
    char addr[INET6_ADDRSTRLEN + 2];
    struct in6_addr in6;
    bool ok = colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
              strlen(colon + 1) <= 5 && atoi(colon + 1) <= 65535 &&
              (size_t)(colon - s) < sizeof(addr);
    if (ok) {
        memcpy(addr, s, (size_t)(colon - s));
        addr[colon - s] = '\0';
        size_t alen = strlen(addr);
        if (addr[0] == '[' && alen > 2 && addr[alen - 1] == ']') {
            addr[alen - 1] = '\0';
            ok = inet_pton(AF_INET6, addr + 1, &in6) == 1;
        } else {
            ok = inet_pton(AF_INET, addr, &in6) == 1;
        }
    }
    if (!ok)
        return fail(c, n, path,
                    "invalid value \"%s\": must be ADDR:PORT with an IP address and a port "
                    "(e.g. \"127.0.0.1:0\"; port 0 picks a free port)",
                    quote(s, q, sizeof(q)));
    free(*out);
    *out = fl_xstrdup(s);
    return FL_OK;
}

/* An IPv4 CIDR with a /8../16 prefix and no host bits. */
static int pod_cidr(struct ctx *c, const yaml_node_t *n, const char *path, char **out)
{
    const char *s;
    char q[512], addr[32];
    if (text(c, n, path, "a string", &s) != 0)
        return FL_EFAIL;
    const char *slash = strchr(s, '/');
    struct in_addr in;
    size_t plen = slash ? strlen(slash + 1) : 0;
    if (!slash || (size_t)(slash - s) >= sizeof(addr) || plen < 1 || plen > 2 ||
        strspn(slash + 1, "0123456789") != plen || (plen == 2 && slash[1] == '0'))
        goto bad;
    memcpy(addr, s, (size_t)(slash - s));
    addr[slash - s] = '\0';
    if (inet_pton(AF_INET, addr, &in) != 1)
        goto bad;
    int prefix = atoi(slash + 1);
    if (prefix < 8 || prefix > 16)
        return fail(c, n, path, "invalid value \"%s\": the prefix must be between /8 and /16",
                    quote(s, q, sizeof(q)));
    uint32_t ip = ntohl(in.s_addr), mask = ~0u << (32 - prefix);
    if (ip & ~mask) {
        struct in_addr net = {htonl(ip & mask)};
        char nbuf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &net, nbuf, sizeof(nbuf));
        return fail(c, n, path, "invalid value \"%s\": host bits must be zero (%s/%d)",
                    quote(s, q, sizeof(q)), nbuf, prefix);
    }
    free(*out);
    *out = fl_xstrdup(s);
    return FL_OK;
bad:
    return fail(c, n, path, "invalid value \"%s\": must be an IPv4 CIDR such as \"10.128.0.0/9\"",
                quote(s, q, sizeof(q)));
}

/* A cluster's or pool's region/zone/provider: they become node labels. */
static int label_string(struct ctx *c, const yaml_node_t *n, const char *path, char **out)
{
    char msg[768], q[512];
    if (opt_string(c, n, path, out) != 0)
        return FL_EFAIL;
    if (*out && !fl_name_label_value(*out, msg, sizeof(msg)))
        return fail(c, n, path, "invalid value \"%s\": %s", quote(*out, q, sizeof(q)), msg);
    return FL_OK;
}

/* ---- maps and lists ----------------------------------------------------- */

/* Checks one value of a string map (v, at path; null allowed only if the
 * check allows it) and gives its text. */
typedef int (*value_fn)(struct ctx *c, const yaml_node_t *v, const char *path, const char **vs);

/* A map of label keys (what: how messages name a key) to strings checked by
 * check. *out a new reference. */
static int string_map(struct ctx *c, const yaml_node_t *n, const char *path, const char *what,
                      value_fn check, json_t **out)
{
    char msg[768], q[512], sub[512];
    json_t *o = json_object();
    if (mapping(c, n, path) != 0)
        goto out;
    if (map_len(n) > MAX_MAP) {
        fail(c, n, path, "must have at most %d entries", MAX_MAP);
        goto out;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
        const char *ks, *vs;
        if (key_text(c, k, path, &ks) != 0)
            goto out;
        if (!fl_name_label_key(ks, msg, sizeof(msg))) {
            fail(c, k, path, "invalid %s \"%s\": %s", what, quote(ks, q, sizeof(q)), msg);
            goto out;
        }
        if (json_object_get(o, ks)) {
            fail(c, k, path, "duplicate key \"%s\"", ks);
            goto out;
        }
        snprintf(sub, sizeof(sub), "%s.%s", path, ks);
        if (visit(c, v, sub) != 0 || check(c, v, sub, &vs) != 0)
            goto out;
        json_object_set_new(o, ks, json_string(vs));
    }
    *out = o;
    return FL_OK;
out:
    json_decref(o);
    return FL_EFAIL;
}

/* A label value: a string (null is ""). */
static int label_value(struct ctx *c, const yaml_node_t *v, const char *path, const char **vs)
{
    char msg[768], q[512];
    *vs = "";
    if (!is_null(v) && text(c, v, path, "a string", vs) != 0)
        return FL_EFAIL;
    if (!fl_name_label_value(*vs, msg, sizeof(msg)))
        return fail(c, v, path, "invalid value \"%s\": %s", quote(*vs, q, sizeof(q)), msg);
    return FL_OK;
}

/* A capacity value: a non-negative quantity, kept as written. */
static int capacity_value(struct ctx *c, const yaml_node_t *v, const char *path, const char **vs)
{
    char msg[768], q[512];
    struct fl_quantity qty;
    static const char want[] = "a quantity such as \"64\" or \"256Gi\"";
    if (is_null(v))
        return fail(c, v, path, "must be %s", want);
    if (text(c, v, path, want, vs) != 0)
        return FL_EFAIL;
    if (fl_quantity_parse(*vs, &qty, msg, sizeof(msg)) != 0)
        return fail(c, v, path, "invalid value \"%s\": %s", quote(*vs, q, sizeof(q)), msg);
    if (fl_quantity_sign(&qty) < 0)
        return fail(c, v, path, "invalid value \"%s\": must not be negative",
                    quote(*vs, q, sizeof(q)));
    return FL_OK;
}

/* labels: key -> value; null is {}. *out a new reference. */
static int labels(struct ctx *c, const yaml_node_t *n, const char *path, json_t **out)
{
    if (is_null(n)) {
        *out = json_object();
        return FL_OK;
    }
    return string_map(c, n, path, "key", label_value, out);
}

/* capacity: resource name -> quantity, as written; cpu and memory required,
 * pods defaults to "110". *out a new reference. */
static int capacity(struct ctx *c, const yaml_node_t *n, const char *path, json_t **out)
{
    char sub[512];
    json_t *o;
    if (string_map(c, n, path, "resource name", capacity_value, &o) != 0)
        return FL_EFAIL;
    static const char *const required[] = {"cpu", "memory"};
    for (size_t i = 0; i < FL_ARRAY_LEN(required); i++) {
        if (!json_object_get(o, required[i])) {
            snprintf(sub, sizeof(sub), "%s.%s", path, required[i]);
            json_decref(o);
            return fail(c, n, sub, "required");
        }
    }
    if (!json_object_get(o, "pods"))
        json_object_set_new(o, "pods", json_string("110"));
    *out = o;
    return FL_OK;
}

/* One taint {key, value?, effect} appended to arr. */
static int taint(struct ctx *c, const yaml_node_t *n, const char *path, json_t *arr)
{
    static const char *const fields[] = {"key", "value", "effect"};
    static const char *const effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
    char msg[768], q[512], sub[512];
    const char *key = NULL, *value = NULL, *effect = NULL;
    unsigned seen = 0;
    if (mapping(c, n, path) != 0)
        return FL_EFAIL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
        size_t f;
        if (field(c, k, path, fields, FL_ARRAY_LEN(fields), &seen, &f) != 0)
            return FL_EFAIL;
        snprintf(sub, sizeof(sub), "%s.%s", path, fields[f]);
        if (visit(c, v, sub) != 0)
            return FL_EFAIL;
        const char *s = "";
        if (!is_null(v) && text(c, v, sub, "a string", &s) != 0)
            return FL_EFAIL;
        if (f == 0) {
            if (!fl_name_label_key(s, msg, sizeof(msg)))
                return fail(c, v, sub, "invalid value \"%s\": %s", quote(s, q, sizeof(q)), msg);
            key = s;
        } else if (f == 1) {
            if (!fl_name_label_value(s, msg, sizeof(msg)))
                return fail(c, v, sub, "invalid value \"%s\": %s", quote(s, q, sizeof(q)), msg);
            value = s;
        } else {
            for (size_t i = 0; i < FL_ARRAY_LEN(effects) && !effect; i++)
                if (!strcmp(s, effects[i]))
                    effect = effects[i];
            if (!effect)
                return fail(c, v, sub,
                            "unsupported value \"%s\": supported values: \"NoSchedule\", "
                            "\"PreferNoSchedule\", \"NoExecute\"",
                            quote(s, q, sizeof(q)));
        }
    }
    if (!key || !effect) {
        snprintf(sub, sizeof(sub), "%s.%s", path, key ? "effect" : "key");
        return fail(c, n, sub, "required");
    }
    size_t i;
    json_t *t;
    json_array_foreach(arr, i, t)
    {
        if (!strcmp(json_string_value(json_object_get(t, "key")), key) &&
            !strcmp(json_string_value(json_object_get(t, "effect")), effect))
            return fail(c, n, path,
                        "duplicate taint: taints must be unique by key and effect pair "
                        "(\"%s\", %s)",
                        key, effect);
    }
    t = json_object();
    json_object_set_new(t, "key", json_string(key));
    if (value && *value)
        json_object_set_new(t, "value", json_string(value));
    json_object_set_new(t, "effect", json_string(effect));
    json_array_append_new(arr, t);
    return FL_OK;
}

static int taints(struct ctx *c, const yaml_node_t *n, const char *path, json_t **out)
{
    char sub[512];
    json_t *arr = json_array();
    if (is_null(n))
        goto done;
    if (n->type != YAML_SEQUENCE_NODE) {
        fail(c, n, path, "must be a list");
        goto err;
    }
    if (seq_len(n) > MAX_TAINTS) {
        fail(c, n, path, "must have at most %d entries", MAX_TAINTS);
        goto err;
    }
    for (size_t i = 0; i < seq_len(n); i++) {
        const yaml_node_t *t = node(c, n->data.sequence.items.start[i]);
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (visit(c, t, sub) != 0 || taint(c, t, sub, arr) != 0)
            goto err;
    }
done:
    *out = arr;
    return FL_OK;
err:
    json_decref(arr);
    return FL_EFAIL;
}

/* ---- node pools and clusters -------------------------------------------- */

static void pool_release(struct fl_member_pool *p)
{
    free(p->name);
    json_decref(p->capacity);
    json_decref(p->labels);
    json_decref(p->taints);
}

enum { P_NAME, P_COUNT, P_CAPACITY, P_LABELS, P_TAINTS };
static const char *const pool_fields[] = {"name", "count", "capacity", "labels", "taints"};

/* One node pool into *p (zeroed; released by the caller on failure). */
static int pool(struct ctx *c, const yaml_node_t *n, const char *path, struct fl_member_pool *p)
{
    char msg[768], q[512], sub[512];
    unsigned seen = 0;
    if (mapping(c, n, path) != 0)
        return FL_EFAIL;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k = node(c, pr->key), *v = node(c, pr->value);
        size_t f;
        if (field(c, k, path, pool_fields, FL_ARRAY_LEN(pool_fields), &seen, &f) != 0)
            return FL_EFAIL;
        snprintf(sub, sizeof(sub), "%s.%s", path, pool_fields[f]);
        if (visit(c, v, sub) != 0)
            return FL_EFAIL;
        int rc = FL_OK;
        switch (f) {
        case P_NAME:
            rc = opt_string(c, v, sub, &p->name);
            if (rc == 0 && p->name && !*p->name)
                rc = fail(c, v, sub, "required");
            else if (rc == 0 && p->name && !fl_name_dns1123_label(p->name, msg, sizeof(msg)))
                rc = fail(c, v, sub, "invalid value \"%s\": %s", quote(p->name, q, sizeof(q)), msg);
            break;
        case P_COUNT:
            rc = uint_field(c, v, sub, 0, MAX_COUNT, &p->count);
            break;
        case P_CAPACITY:
            rc = capacity(c, v, sub, &p->capacity);
            break;
        case P_LABELS:
            rc = labels(c, v, sub, &p->labels);
            break;
        case P_TAINTS:
            rc = taints(c, v, sub, &p->taints);
            break;
        }
        if (rc != 0)
            return FL_EFAIL;
    }
    static const int required[] = {P_NAME, P_COUNT, P_CAPACITY};
    for (size_t i = 0; i < FL_ARRAY_LEN(required); i++) {
        int f = required[i];
        if (!(seen & (1u << f)) || (f == P_NAME && !p->name)) {
            snprintf(sub, sizeof(sub), "%s.%s", path, pool_fields[f]);
            return fail(c, n, sub, "required");
        }
    }
    if (!p->labels)
        p->labels = json_object();
    if (!p->taints)
        p->taints = json_array();
    return FL_OK;
}

static int pools(struct ctx *c, const yaml_node_t *n, const char *path, struct fl_member_spec *s)
{
    char sub[512];
    if (is_null(n))
        return FL_OK;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, n, path, "must be a list");
    size_t len = seq_len(n);
    if (len > MAX_POOLS)
        return fail(c, n, path, "must have at most %d entries", MAX_POOLS);
    s->pools = fl_xcalloc(len ? len : 1, sizeof(*s->pools));
    for (size_t i = 0; i < len; i++) {
        const yaml_node_t *pn = node(c, n->data.sequence.items.start[i]);
        struct fl_member_pool *p = &s->pools[i];
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (visit(c, pn, sub) != 0)
            return FL_EFAIL;
        int rc = pool(c, pn, sub, p);
        s->npools++; /* released with the spec, even half-filled */
        if (rc != 0)
            return FL_EFAIL;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->pools[j].name, p->name)) {
                snprintf(sub, sizeof(sub), "%s[%zu].name", path, i);
                return fail(c, map_get(c, pn, "name"), sub,
                            "duplicate pool name \"%s\" (also %s[%zu])", p->name, path, j);
            }
    }
    return FL_OK;
}

enum {
    C_NAME,
    C_PROVIDER,
    C_REGION,
    C_ZONE,
    C_LABELS,
    C_LISTEN,
    C_POOLS,
    C_START,
    C_JITTER,
    C_READY,
    C_STOP,
    C_LEASE,
    C_GRACE,
    C_TOLERATION,
    C_CIDR,
};
static const char *const cluster_fields[] = {
    "name",
    "provider",
    "region",
    "zone",
    "labels",
    "listen",
    "nodePools",
    "podStartDelay",
    "podStartJitter",
    "podReadyDelay",
    "podStopDelay",
    "leaseDurationSeconds",
    "nodeMonitorGracePeriod",
    "evictionTolerationSeconds",
    "podCIDR",
};

static unsigned digits(unsigned v)
{
    unsigned d = 1;
    while (v >= 10)
        v /= 10, d++;
    return d;
}

/* Checks that need the whole cluster: node names fit, the pod CIDR holds
 * a /24 for every node. */
static int cluster_checks(struct ctx *c, const yaml_node_t *n, const char *path,
                          const struct fl_member_spec *s)
{
    char sub[512];
    const yaml_node_t *pn = map_get(c, n, "nodePools");
    uint64_t nodes = 0;
    for (size_t i = 0; i < s->npools; i++) {
        const struct fl_member_pool *p = &s->pools[i];
        nodes += p->count;
        if (!p->count)
            continue;
        size_t len = strlen(s->name) + strlen(p->name) + 2 + digits(p->count - 1);
        if (len > NODE_NAME_MAX) {
            const yaml_node_t *item = node(c, pn->data.sequence.items.start[i]);
            snprintf(sub, sizeof(sub), "%s.nodePools[%zu].name", path, i);
            return fail(c, map_get(c, item, "name"), sub,
                        "node names \"%s-%s-N\" would be up to %zu characters, more than %d "
                        "(a node name is also its kubernetes.io/hostname label)",
                        s->name, p->name, len, NODE_NAME_MAX);
        }
    }
    int prefix = atoi(strchr(s->pod_cidr, '/') + 1);
    uint64_t room = 1ull << (24 - prefix);
    if (nodes > room) {
        const yaml_node_t *cn = map_get(c, n, "podCIDR");
        snprintf(sub, sizeof(sub), "%s.podCIDR", path);
        return fail(c, cn ? cn : n, sub,
                    "%s has room for %llu nodes (a /24 each) but the node pools have %llu",
                    s->pod_cidr, (unsigned long long)room, (unsigned long long)nodes);
    }
    return FL_OK;
}

/* One cluster into *out (a new spec). */
static int cluster(struct ctx *c, const yaml_node_t *n, const char *path,
                   struct fl_member_spec **out)
{
    char msg[768], q[512], sub[512];
    unsigned seen = 0;
    struct fl_member_spec *s = fl_member_spec_new("");
    int rc = FL_EFAIL;
    if (mapping(c, n, path) != 0)
        goto out;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
        size_t f;
        if (field(c, k, path, cluster_fields, FL_ARRAY_LEN(cluster_fields), &seen, &f) != 0)
            goto out;
        snprintf(sub, sizeof(sub), "%s.%s", path, cluster_fields[f]);
        if (visit(c, v, sub) != 0)
            goto out;
        int r = FL_OK;
        switch (f) {
        case C_NAME:
            if (is_null(v))
                break;
            r = opt_string(c, v, sub, &s->name);
            if (r == 0 && !*s->name)
                r = fail(c, v, sub, "required");
            else if (r == 0 && !fl_name_dns1123_label(s->name, msg, sizeof(msg)))
                r = fail(c, v, sub, "invalid value \"%s\": %s", quote(s->name, q, sizeof(q)), msg);
            break;
        case C_PROVIDER:
            r = label_string(c, v, sub, &s->provider);
            break;
        case C_REGION:
            r = label_string(c, v, sub, &s->region);
            break;
        case C_ZONE:
            r = label_string(c, v, sub, &s->zone);
            break;
        case C_LABELS:
            json_decref(s->labels);
            s->labels = NULL;
            r = labels(c, v, sub, &s->labels);
            break;
        case C_LISTEN:
            if (!is_null(v))
                r = listen_addr(c, v, sub, &s->listen);
            break;
        case C_POOLS:
            r = pools(c, v, sub, s);
            break;
        case C_START:
            r = duration_ms(c, v, sub, &s->pod_start_delay_ms);
            break;
        case C_JITTER:
            r = duration_ms(c, v, sub, &s->pod_start_jitter_ms);
            break;
        case C_READY:
            r = duration_ms(c, v, sub, &s->pod_ready_delay_ms);
            break;
        case C_STOP:
            r = duration_ms(c, v, sub, &s->pod_stop_delay_ms);
            break;
        case C_LEASE:
            r = uint_field(c, v, sub, 1, MAX_LEASE_S, &s->lease_duration_s);
            break;
        case C_GRACE:
            r = duration_s(c, v, sub, &s->node_monitor_grace_s);
            break;
        case C_TOLERATION:
            r = uint_field(c, v, sub, 0, MAX_TOLERATION_S, &s->eviction_toleration_s);
            break;
        case C_CIDR:
            if (!is_null(v))
                r = pod_cidr(c, v, sub, &s->pod_cidr);
            break;
        }
        if (r != 0)
            goto out;
    }
    if (!*s->name) {
        snprintf(sub, sizeof(sub), "%s.name", path);
        fail(c, n, sub, "required");
        goto out;
    }
    if (cluster_checks(c, n, path, s) != 0)
        goto out;
    *out = s;
    s = NULL;
    rc = FL_OK;
out:
    fl_member_spec_free(s);
    return rc;
}

/* Two clusters may not share a name, nor a fixed listen address. */
static int cluster_unique(struct ctx *c, const yaml_node_t *n, const char *path,
                          const struct fl_fleet *f)
{
    const struct fl_member_spec *s = f->clusters[f->n - 1];
    char sub[512];
    bool fixed = strcmp(strrchr(s->listen, ':'), ":0") != 0;
    for (size_t i = 0; i + 1 < f->n; i++) {
        if (!strcmp(f->clusters[i]->name, s->name)) {
            snprintf(sub, sizeof(sub), "%s.name", path);
            return fail(c, map_get(c, n, "name"), sub,
                        "duplicate cluster name \"%s\" (also clusters[%zu])", s->name, i);
        }
        if (fixed && !strcmp(f->clusters[i]->listen, s->listen)) {
            snprintf(sub, sizeof(sub), "%s.listen", path);
            return fail(c, map_get(c, n, "listen"), sub,
                        "\"%s\" is also the listen address of cluster \"%s\"", s->listen,
                        f->clusters[i]->name);
        }
    }
    return FL_OK;
}

/* The document's root: {clusters: [...]}. */
static int root(struct ctx *c, struct fl_fleet *f)
{
    static const char *const fields[] = {"clusters"};
    static const char no_clusters[] = "no clusters: the file needs a top-level \"clusters\" list";
    const yaml_node_t *r = yaml_document_get_root_node(c->doc), *list = NULL;
    char sub[64];
    unsigned seen = 0;
    if (!r || is_null(r))
        return fail(c, r, NULL, "%s", no_clusters);
    if (visit(c, r, "") != 0)
        return FL_EFAIL;
    if (r->type != YAML_MAPPING_NODE)
        return fail(c, r, NULL, "the file must be a mapping with a \"clusters\" list");
    for (yaml_node_pair_t *p = r->data.mapping.pairs.start; p < r->data.mapping.pairs.top; p++) {
        size_t i;
        if (field(c, node(c, p->key), "", fields, FL_ARRAY_LEN(fields), &seen, &i) != 0)
            return FL_EFAIL;
        list = node(c, p->value);
    }
    if (!list || is_null(list))
        return fail(c, list ? list : r, NULL, "%s", no_clusters);
    if (visit(c, list, "clusters") != 0)
        return FL_EFAIL;
    if (list->type != YAML_SEQUENCE_NODE)
        return fail(c, list, "clusters", "must be a list");
    size_t len = seq_len(list);
    if (len == 0)
        return fail(c, list, "clusters", "no clusters");
    if (len > MAX_CLUSTERS)
        return fail(c, list, "clusters", "must have at most %d entries", MAX_CLUSTERS);
    f->clusters = fl_xcalloc(len, sizeof(*f->clusters));
    for (size_t i = 0; i < len; i++) {
        const yaml_node_t *cn = node(c, list->data.sequence.items.start[i]);
        snprintf(sub, sizeof(sub), "clusters[%zu]", i);
        if (visit(c, cn, sub) != 0 || cluster(c, cn, sub, &f->clusters[i]) != 0)
            return FL_EFAIL;
        f->n++;
        if (cluster_unique(c, cn, sub, f) != 0)
            return FL_EFAIL;
    }
    return FL_OK;
}

/* A libyaml error as "FILE:LINE: invalid YAML: ...". */
static int yaml_error(struct ctx *c, const yaml_parser_t *p, const char *text, size_t len)
{
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_READER_ERROR) {
        size_t line = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++)
            line += text[i] == '\n';
        return fl_errf(c->err, 400, "BadRequest", "%s:%zu: invalid YAML: %s (byte %zu)", c->what,
                       line, problem, p->problem_offset);
    }
    if (p->context)
        return fl_errf(c->err, 400, "BadRequest", "%s:%zu: invalid YAML: %s (%s at line %zu)",
                       c->what, p->problem_mark.line + 1, problem, p->context,
                       p->context_mark.line + 1);
    return fl_errf(c->err, 400, "BadRequest", "%s:%zu: invalid YAML: %s", c->what,
                   p->problem_mark.line + 1, problem);
}

/* ---- public ------------------------------------------------------------- */

int fl_fleet_parse(const char *text, size_t len, const char *what, struct fl_fleet *out,
                   struct fl_err *err)
{
    struct ctx c = {.what = what ? what : "fleet", .err = err};
    struct fl_fleet f = {0};
    yaml_parser_t p;
    yaml_document_t doc, extra;
    bool loaded = false;
    int rc = FL_EFAIL;
    *out = (struct fl_fleet){0};
    if (len > MAX_FILE)
        return fl_errf(err, 400, "BadRequest", "%s: larger than %u MiB", c.what, MAX_FILE >> 20);
    FL_ASSERT(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &doc)) {
        yaml_error(&c, &p, text, len);
        goto out;
    }
    loaded = true;
    c.doc = &doc;
    if (root(&c, &f) != 0)
        goto out;
    if (yaml_document_get_root_node(&doc)) {
        /* A second document would be silently ignored: refuse it. */
        if (!yaml_parser_load(&p, &extra)) {
            yaml_error(&c, &p, text, len);
            goto out;
        }
        const yaml_node_t *r = yaml_document_get_root_node(&extra);
        size_t line = r ? r->start_mark.line + 1 : 0;
        yaml_document_delete(&extra);
        if (r) {
            fl_errf(err, 400, "BadRequest", "%s:%zu: only one YAML document is allowed", c.what,
                    line);
            goto out;
        }
    }
    *out = f;
    f = (struct fl_fleet){0};
    rc = FL_OK;
out:
    if (loaded)
        yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    fl_fleet_release(&f);
    return rc;
}

int fl_fleet_load(const char *path, struct fl_fleet *out, struct fl_err *err)
{
    *out = (struct fl_fleet){0};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return fl_errf(err, 400, "BadRequest", "%s: %s", path, strerror(errno));
    char *buf = fl_xmalloc(MAX_FILE + 1);
    size_t n = fread(buf, 1, MAX_FILE + 1, fp);
    int rc;
    if (ferror(fp))
        rc = fl_errf(err, 400, "BadRequest", "%s: %s", path, strerror(errno));
    else if (n > MAX_FILE)
        rc = fl_errf(err, 400, "BadRequest", "%s: larger than %u MiB", path, MAX_FILE >> 20);
    else
        rc = fl_fleet_parse(buf, n, path, out, err);
    fclose(fp);
    free(buf);
    return rc;
}

void fl_fleet_release(struct fl_fleet *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        fl_member_spec_free(f->clusters[i]);
    free(f->clusters);
    f->clusters = NULL;
    f->n = 0;
}

struct fl_member_spec *fl_member_spec_new(const char *name)
{
    FL_ASSERT(name != NULL);
    struct fl_member_spec *s = fl_xcalloc(1, sizeof(*s));
    s->name = fl_xstrdup(name);
    s->labels = json_object();
    s->listen = fl_xstrdup("127.0.0.1:0");
    s->pod_start_delay_ms = 500;
    s->pod_start_jitter_ms = 0;
    s->pod_ready_delay_ms = 0;
    s->pod_stop_delay_ms = 100;
    s->lease_duration_s = 40;
    s->node_monitor_grace_s = 40;
    s->eviction_toleration_s = 300;
    s->pod_cidr = fl_xstrdup("10.128.0.0/9");
    return s;
}

void fl_member_spec_free(struct fl_member_spec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->npools; i++)
        pool_release(&s->pools[i]);
    free(s->pools);
    free(s->name);
    free(s->provider);
    free(s->region);
    free(s->zone);
    json_decref(s->labels);
    free(s->listen);
    free(s->pod_cidr);
    free(s);
}
