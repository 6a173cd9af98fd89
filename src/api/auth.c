/*
 * Authentication: see auth.h. The token file is CSV as Go's encoding/csv
 * reads it for kube-apiserver (TrimLeadingSpace, any number of fields,
 * quoted fields with "" for a quote and newlines allowed inside, a bare quote
 * in an unquoted field is an error), so a file kube accepts means the same
 * here.
 */
#include "api/auth.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DIGEST_LEN 32 /* SHA-256 */

struct entry {
    unsigned char digest[DIGEST_LEN];
    char *user, *uid, *groups; /* groups: as written, comma-separated */
};

struct fl_auth {
    struct entry *v;
    size_t n, cap;
};

static void digest(const char *token, size_t len, unsigned char out[DIGEST_LEN])
{
    unsigned int n = 0;
    FL_ASSERT(EVP_Digest(token, len, out, &n, EVP_sha256(), NULL) == 1 && n == DIGEST_LEN);
}

/* ---- the token file ---------------------------------------------------- */

/* A growing string (a field being read). */
struct str {
    char *s;
    size_t len, cap;
};

static void str_add(struct str *b, char c)
{
    if (b->len + 1 >= b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->s = fl_xrealloc(b->s, b->cap);
    }
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
}

struct rd {
    const char *p, *end; /* after \r\n became \n */
    const char *name;
    int line;
};

static int bad(struct rd *r, struct fl_err *err, const char *what)
{
    return fl_errf(err, 400, "BadRequest", "token file %s, line %d: %s", r->name, r->line, what);
}

/* One field into f (emptied first); *more: a comma followed it. */
static int field(struct rd *r, struct str *f, bool *more, struct fl_err *err)
{
    if (!f->s) { /* f->s is "" even for an empty field */
        f->cap = 64;
        f->s = fl_xmalloc(f->cap);
    }
    f->len = 0;
    f->s[0] = '\0';
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\v' || *r->p == '\f'))
        r->p++;
    if (r->p < r->end && *r->p == '"') {
        r->p++;
        for (;;) {
            if (r->p == r->end)
                return bad(r, err, "extraneous or missing \" in quoted-field");
            char c = *r->p++;
            if (c == '"') {
                if (r->p < r->end && *r->p == '"') {
                    str_add(f, '"');
                    r->p++;
                    continue;
                }
                if (r->p < r->end && *r->p == ',') {
                    r->p++;
                    *more = true;
                    return FL_OK;
                }
                if (r->p == r->end || *r->p == '\n') {
                    if (r->p < r->end) {
                        r->p++;
                        r->line++;
                    }
                    *more = false;
                    return FL_OK;
                }
                return bad(r, err, "extraneous or missing \" in quoted-field");
            }
            if (c == '\n')
                r->line++;
            str_add(f, c);
        }
    }
    while (r->p < r->end && *r->p != ',' && *r->p != '\n') {
        if (*r->p == '"')
            return bad(r, err, "bare \" in non-quoted-field");
        str_add(f, *r->p++);
    }
    *more = r->p < r->end && *r->p == ',';
    if (r->p < r->end) {
        if (*r->p == '\n')
            r->line++;
        r->p++;
    }
    return FL_OK;
}

static void add_entry(struct fl_auth *a, const char *token, size_t len, char *fields[4])
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->v = fl_xrealloc(a->v, a->cap * sizeof(*a->v));
    }
    struct entry *e = &a->v[a->n++];
    digest(token, len, e->digest);
    e->user = fields[1];
    e->uid = fields[2];
    e->groups = fields[3] ? fields[3] : fl_xstrdup("");
    fields[1] = fields[2] = fields[3] = NULL; /* owned by the entry now */
}

static int parse(struct fl_auth *a, struct rd *r, struct fl_err *err)
{
    struct str f = {0};
    char *fields[4] = {0};
    int rc = FL_EFAIL;
    while (r->p < r->end) {
        if (*r->p == '\n') { /* empty lines are skipped */
            r->p++;
            r->line++;
            continue;
        }
        int start = r->line, nfields = 0;
        bool more = true;
        while (more) {
            if (field(r, &f, &more, err) != 0)
                goto out;
            if (nfields < 4) {
                free(fields[nfields]);
                fields[nfields] = fl_xstrndup(f.s, f.len);
            }
            nfields++;
        }
        if (nfields < 3) {
            r->line = start;
            bad(r, err, "want at least 3 columns (token, user name, user uid)");
            goto out;
        }
        if (fields[0][0]) { /* kube skips empty tokens, and so do we */
            if (a->n == FL_AUTH_TOKENS_MAX) {
                r->line = start;
                fl_errf(err, 400, "BadRequest", "token file %s: more than %d tokens", r->name,
                        FL_AUTH_TOKENS_MAX);
                goto out;
            }
            add_entry(a, fields[0], strlen(fields[0]), fields);
        }
        for (int i = 0; i < 4; i++) {
            if (fields[i])
                OPENSSL_cleanse(fields[i], strlen(fields[i]));
            free(fields[i]);
            fields[i] = NULL;
        }
    }
    rc = FL_OK;
out:
    for (int i = 0; i < 4; i++) {
        if (fields[i])
            OPENSSL_cleanse(fields[i], strlen(fields[i]));
        free(fields[i]);
    }
    if (f.s)
        OPENSSL_cleanse(f.s, f.cap);
    free(f.s);
    return rc;
}

int fl_auth_new_from_buf(const char *buf, size_t len, const char *name, struct fl_auth **out,
                         struct fl_err *err)
{
    if (len > FL_AUTH_FILE_MAX)
        return fl_errf(err, 400, "BadRequest", "token file %s: larger than %d bytes", name,
                       FL_AUTH_FILE_MAX);
    /* \r\n becomes \n, and a \r at the very end goes, as in Go's reader. */
    char *text = fl_xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\r' && (i + 1 == len || buf[i + 1] == '\n'))
            continue;
        text[n++] = buf[i];
    }
    struct fl_auth *a = fl_xcalloc(1, sizeof(*a));
    struct rd r = {text, text + n, name, 1};
    int rc = parse(a, &r, err);
    OPENSSL_cleanse(text, len + 1);
    free(text);
    if (rc != 0) {
        fl_auth_free(a);
        return FL_EFAIL;
    }
    *out = a;
    return FL_OK;
}

int fl_auth_new(const char *token_file, struct fl_auth **out, struct fl_err *err)
{
    if (!token_file) {
        *out = fl_xcalloc(1, sizeof(struct fl_auth));
        return FL_OK;
    }
    int rc = FL_EFAIL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = fopen(token_file, "re");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        fl_errf(err, 400, "BadRequest", "token file %s: %s", token_file, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > FL_AUTH_FILE_MAX) {
        fl_errf(err, 400, "BadRequest", "token file %s: not a regular file of at most %d bytes",
                token_file, FL_AUTH_FILE_MAX);
        goto out;
    }
    /* Read up to one byte past the cap: the file may have grown since fstat. */
    buf = fl_xmalloc(FL_AUTH_FILE_MAX + 1);
    len = fread(buf, 1, FL_AUTH_FILE_MAX + 1, f);
    if (ferror(f)) {
        fl_errf(err, 400, "BadRequest", "token file %s: read error", token_file);
        goto out;
    }
    rc = fl_auth_new_from_buf(buf, len, token_file, out, err);
out:
    if (buf) {
        OPENSSL_cleanse(buf, len);
        free(buf);
    }
    if (f)
        fclose(f);
    return rc;
}

void fl_auth_free(struct fl_auth *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].user);
        free(a->v[i].uid);
        free(a->v[i].groups);
    }
    free(a->v);
    free(a);
}

size_t fl_auth_ntokens(const struct fl_auth *a)
{
    return a->n;
}

/* ---- requests ---------------------------------------------------------- */

static void set_user(struct fl_auth_user *u, const char *name, size_t len, const char *method)
{
    if (len >= sizeof(u->name))
        len = sizeof(u->name) - 1;
    memcpy(u->name, name, len);
    u->name[len] = '\0';
    u->method = method;
}

/* A verified client certificate with a CN (kube ignores certificates
 * without one). Of several CNs the last counts, as in Go's pkix.Name. */
static bool by_certificate(SSL *ssl, struct fl_auth_user *user)
{
    X509 *peer = SSL_get0_peer_certificate(ssl);
    if (!peer || SSL_get_verify_result(ssl) != X509_V_OK)
        return false;
    X509_NAME *subject = X509_get_subject_name(peer);
    int i = -1, last = -1;
    while ((i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0)
        last = i;
    if (last < 0)
        return false;
    unsigned char *cn = NULL;
    int len =
        ASN1_STRING_to_UTF8(&cn, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, last)));
    bool ok = len > 0;
    if (ok)
        set_user(user, (const char *)cn, (size_t)len, "x509");
    OPENSSL_free(cn);
    return ok;
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* "Bearer <token>", as kube reads it: the header trimmed, split at single
 * spaces, the scheme case-insensitive, the token the second part (possibly
 * empty, which matches nothing). */
static bool by_token(const struct fl_auth *a, const char *h, struct fl_auth_user *user)
{
    if (!h || a->n == 0)
        return false;
    while (space(*h))
        h++;
    const char *end = h + strlen(h);
    while (end > h && space(end[-1]))
        end--;
    const char *sp = memchr(h, ' ', (size_t)(end - h));
    if (!sp || sp - h != 6 || strncasecmp(h, "bearer", 6) != 0)
        return false;
    const char *tok = sp + 1;
    const char *tend = memchr(tok, ' ', (size_t)(end - tok));
    if (!tend)
        tend = end;
    if (tend == tok)
        return false;
    unsigned char d[DIGEST_LEN];
    digest(tok, (size_t)(tend - tok), d);
    const struct entry *match = NULL;
    for (size_t i = 0; i < a->n; i++) /* all of them, whatever matched */
        if (CRYPTO_memcmp(a->v[i].digest, d, DIGEST_LEN) == 0)
            match = &a->v[i];
    if (!match)
        return false;
    set_user(user, match->user, strlen(match->user), "token");
    return true;
}

int fl_auth_request(const struct fl_auth *a, SSL *ssl, const char *authorization,
                    struct fl_auth_user *user)
{
    if ((ssl && by_certificate(ssl, user)) || by_token(a, authorization, user))
        return FL_OK;
    return FL_EFAIL;
}

bool fl_auth_anonymous_path(const char *path)
{
    static const char *const open[] = {"/healthz", "/livez", "/readyz", "/version"};
    if (!path)
        return false;
    for (size_t i = 0; i < FL_ARRAY_LEN(open); i++) {
        size_t n = strlen(open[i]);
        if (!strncmp(path, open[i], n) && (!path[n] || (path[n] == '/' && !path[n + 1])))
            return true;
    }
    return false;
}
