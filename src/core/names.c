/*
 * Validation of Kubernetes names (see names.h), hand-checked character
 * classes instead of the upstream regular expressions. Each check is a pure
 * function of its input: it reads the string, never writes it, and on failure
 * writes the upstream messages, joined by "; " as upstream joins them, into a
 * caller buffer that is always NUL-terminated and never overflowed (long
 * messages are truncated). A NULL string is checked as "".
 */
#include "core/names.h"

#include <stdio.h>
#include <string.h>

#define DNS1123_LABEL_MAX 63
#define DNS1123_SUBDOMAIN_MAX 253
#define QUALIFIED_NAME_MAX 63
#define LABEL_VALUE_MAX 63

#define LABEL_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define SUBDOMAIN_FMT LABEL_FMT "(\\." LABEL_FMT ")*"
#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define QNAME_MSG                                                                                  \
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "    \
    "alphanumeric character"
#define QNAME_EXAMPLES "(e.g. 'MyName',  or 'my.name',  or '123-abc', "

static const char label_msg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '" LABEL_FMT "')";
static const char subdomain_msg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '" SUBDOMAIN_FMT "')";
static const char qname_msg[] =
    QNAME_MSG " " QNAME_EXAMPLES "regex used for validation is '" QNAME_FMT "')";
static const char qname_slashes_msg[] =
    "a qualified name " QNAME_MSG " " QNAME_EXAMPLES "regex used for validation is '" QNAME_FMT
    "') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
static const char value_msg[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is '(" QNAME_FMT ")?')";

/* Accumulates messages into the caller's buffer, "; "-separated. */
struct msgbuf {
    char *buf;
    size_t cap;
    size_t used;
    int count;
};

static void msg_init(struct msgbuf *m, char *buf, size_t cap)
{
    m->buf = cap ? buf : NULL;
    m->cap = cap;
    m->used = 0;
    m->count = 0;
    if (m->buf)
        m->buf[0] = '\0';
}

static void msg_add(struct msgbuf *m, const char *prefix, const char *text)
{
    m->count++;
    if (!m->buf || m->used + 1 >= m->cap)
        return;
    int n = snprintf(m->buf + m->used, m->cap - m->used, "%s%s%s", m->count > 1 ? "; " : "", prefix,
                     text);
    if (n > 0)
        m->used += (size_t)n;
    if (m->used >= m->cap)
        m->used = m->cap - 1; /* truncated; snprintf kept the NUL */
}

static void msg_maxlen(struct msgbuf *m, const char *prefix, int max)
{
    char text[64];
    snprintf(text, sizeof(text), "must be no more than %d characters", max);
    msg_add(m, prefix, text);
}

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static bool label_fmt(const char *s, size_t n)
{
    if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

/* Dot-separated labels, each matching label_fmt. */
static bool subdomain_fmt(const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!label_fmt(s + start, i - start))
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n) */
static bool qname_fmt(const char *s, size_t n)
{
    if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

static void check_subdomain(struct msgbuf *m, const char *prefix, const char *s, size_t n)
{
    if (n > DNS1123_SUBDOMAIN_MAX)
        msg_maxlen(m, prefix, DNS1123_SUBDOMAIN_MAX);
    if (!subdomain_fmt(s, n))
        msg_add(m, prefix, subdomain_msg);
}

bool fl_name_dns1123_subdomain(const char *s, char *msg, size_t msglen)
{
    struct msgbuf m;
    msg_init(&m, msg, msglen);
    s = s ? s : "";
    check_subdomain(&m, "", s, strlen(s));
    return m.count == 0;
}

bool fl_name_dns1123_label(const char *s, char *msg, size_t msglen)
{
    struct msgbuf m;
    msg_init(&m, msg, msglen);
    s = s ? s : "";
    size_t n = strlen(s);
    if (n > DNS1123_LABEL_MAX)
        msg_maxlen(&m, "", DNS1123_LABEL_MAX);
    if (!label_fmt(s, n)) {
        /* A valid subdomain that is not a valid label can only have dots. */
        if (subdomain_fmt(s, n))
            msg_add(&m, "", "must not contain dots");
        else
            msg_add(&m, "", label_msg);
    }
    return m.count == 0;
}

bool fl_name_label_key(const char *s, char *msg, size_t msglen)
{
    struct msgbuf m;
    msg_init(&m, msg, msglen);
    s = s ? s : "";
    const char *slash = strchr(s, '/');
    const char *name = s;
    if (slash) {
        if (strchr(slash + 1, '/')) {
            msg_add(&m, "", qname_slashes_msg);
            return false;
        }
        size_t plen = (size_t)(slash - s);
        if (plen == 0)
            msg_add(&m, "prefix part ", "must be non-empty");
        else
            check_subdomain(&m, "prefix part ", s, plen);
        name = slash + 1;
    }
    size_t n = strlen(name);
    if (n == 0)
        msg_add(&m, "name part ", "must be non-empty");
    else if (n > QUALIFIED_NAME_MAX)
        msg_maxlen(&m, "name part ", QUALIFIED_NAME_MAX);
    if (!qname_fmt(name, n))
        msg_add(&m, "name part ", qname_msg);
    return m.count == 0;
}

bool fl_name_label_value(const char *s, char *msg, size_t msglen)
{
    struct msgbuf m;
    msg_init(&m, msg, msglen);
    s = s ? s : "";
    size_t n = strlen(s);
    if (n > LABEL_VALUE_MAX)
        msg_maxlen(&m, "", LABEL_VALUE_MAX);
    if (n != 0 && !qname_fmt(s, n))
        msg_add(&m, "", value_msg);
    return m.count == 0;
}

void fl_name_generate(const char *prefix, uint64_t random, char *out)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    const size_t nrand = 5, alpha = sizeof(alphabet) - 1;
    int n = snprintf(out, FL_NAME_GENERATED_MAX + 1, "%.*s", (int)(FL_NAME_GENERATED_MAX - nrand),
                     prefix);
    for (size_t i = 0; i < nrand; i++, random /= alpha)
        out[n + i] = alphabet[random % alpha];
    out[n + nrand] = '\0';
}
