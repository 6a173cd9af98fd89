/*
 * TLS: the generated PKI, the server context and kubeconfig files; see
 * tls.h for the invariants. All cryptography is OpenSSL 3's: keys from
 * EVP_PKEY_Q_keygen, certificates built with X509_* and X509v3 extensions,
 * randomness from RAND_bytes. OpenSSL keeps its own error queue; every
 * failure here empties it into the message of a struct fl_err.
 */
#include "api/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CA_DAYS 3650
#define LEAF_DAYS 365
#define RENEW_DAYS 30   /* a leaf with less left is issued again at start */
#define MAX_CA_CERTS 64 /* certificates copied from one file into a kubeconfig */
#define ADMIN_USER "flotilla-admin"
#define ADMIN_GROUP "system:masters"

/* ---- errors and files ------------------------------------------------- */

/* fl_errf with the oldest OpenSSL error appended; empties the queue. */
__attribute__((format(printf, 2, 3))) static int ossl_err(struct fl_err *err, const char *fmt, ...)
{
    char msg[512], detail[256] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, detail, sizeof(detail));
    ERR_clear_error();
    return fl_errf(err, 500, "InternalError", "%s%s%s", msg, e ? ": " : "", detail);
}

static int fsync_parent(const char *path, struct fl_err *err)
{
    char *copy = fl_xstrdup(path);
    int rc = FL_OK;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        rc = fl_errf(err, 500, "InternalError", "fsync the directory of %s: %s", path,
                     strerror(errno));
    if (fd >= 0)
        close(fd);
    free(copy);
    return rc;
}

/* Replace path with data: write path.tmp with mode, fsync, rename. */
static int write_atomic(const char *path, mode_t mode, const void *data, size_t len,
                        struct fl_err *err)
{
    char *tmp = fl_xasprintf("%s.tmp", path);
    int rc = FL_EFAIL;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        fl_errf(err, 500, "InternalError", "create %s: %s", tmp, strerror(errno));
        goto out;
    }
    /* O_CREAT's mode does not apply to a stale tmp file left by a crash. */
    if (fchmod(fd, mode) != 0)
        goto io;
    for (const char *p = data; len > 0;) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto io;
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) != 0)
        goto io;
    if (close(fd) != 0) {
        fd = -1;
        goto io;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        fl_errf(err, 500, "InternalError", "rename %s to %s: %s", tmp, path, strerror(errno));
        goto out;
    }
    rc = fsync_parent(path, err);
    goto out;
io:
    fl_errf(err, 500, "InternalError", "write %s: %s", tmp, strerror(errno));
out:
    if (fd >= 0)
        close(fd);
    if (rc != FL_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}

static int write_bio(const char *path, mode_t mode, BIO *mem, struct fl_err *err)
{
    char *data;
    long len = BIO_get_mem_data(mem, &data);
    return write_atomic(path, mode, data, (size_t)len, err);
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* An open PEM file, NULL with err filled if it cannot be read or is too
 * large to be one. */
static BIO *open_pem(const char *path, struct fl_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fl_errf(err, 500, "InternalError", "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > FL_TLS_FILE_MAX) {
        fl_errf(err, 500, "InternalError", "%s: not a regular file of at most %d bytes", path,
                FL_TLS_FILE_MAX);
        return NULL;
    }
    BIO *b = BIO_new_file(path, "r");
    if (!b)
        ossl_err(err, "open %s", path);
    return b;
}

/* The first certificate of a PEM file: *out NULL if the file is missing. */
static int load_cert(const char *path, X509 **out, struct fl_err *err)
{
    *out = NULL;
    if (!exists(path))
        return FL_OK;
    BIO *b = open_pem(path, err);
    if (!b)
        return FL_EFAIL;
    *out = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    return *out ? FL_OK : ossl_err(err, "%s: no PEM certificate", path);
}

/* A PEM private key: *out NULL if the file is missing. */
static int load_key(const char *path, EVP_PKEY **out, struct fl_err *err)
{
    *out = NULL;
    if (!exists(path))
        return FL_OK;
    BIO *b = open_pem(path, err);
    if (!b)
        return FL_EFAIL;
    *out = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    return *out ? FL_OK : ossl_err(err, "%s: no PEM private key", path);
}

/* ---- issuing ---------------------------------------------------------- */

struct ext {
    int nid;
    const char *value;
};

/* A new certificate for key's public half, signed by issuer_key; issuer
 * NULL: self-signed. */
static X509 *issue(EVP_PKEY *key, const char *cn, const char *org, X509 *issuer,
                   EVP_PKEY *issuer_key, long days, const struct ext *exts, size_t nexts,
                   struct fl_err *err)
{
    X509 *x = X509_new();
    BIGNUM *serial = BN_new();
    FL_ASSERT(x && serial);
    X509_NAME *name = X509_get_subject_name(x);
    /* Serial: 127 random bits, positive, as RFC 5280 wants (<= 20 bytes). */
    if (!X509_set_version(x, X509_VERSION_3) ||
        !BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
        !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) ||
        /* An hour back, for clocks a little behind ours (as kube does). */
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) ||
        (org && !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org,
                                            -1, -1, 0)) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                    0) ||
        !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
        !X509_set_pubkey(x, key))
        goto fail;
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    for (size_t i = 0; i < nexts; i++) {
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, exts[i].nid, exts[i].value);
        if (!e)
            goto fail;
        int ok = X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
        if (!ok)
            goto fail;
    }
    if (X509_sign(x, issuer_key, EVP_sha256()) <= 0)
        goto fail;
    BN_free(serial);
    return x;
fail:
    ossl_err(err, "issue the certificate for %s", cn);
    BN_free(serial);
    X509_free(x);
    return NULL;
}

static EVP_PKEY *new_key(struct fl_err *err)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!k)
        ossl_err(err, "generate an EC P-256 key");
    return k;
}

/* Write key (0600) then cert (0644). */
static int save_pair(const char *cert_path, X509 *cert, const char *key_path, EVP_PKEY *key,
                     struct fl_err *err)
{
    BIO *m = BIO_new(BIO_s_secmem()); /* cleansed when freed: it holds the key */
    FL_ASSERT(m != NULL);
    int rc = FL_EFAIL;
    if (!PEM_write_bio_PrivateKey(m, key, NULL, NULL, 0, NULL, NULL)) {
        ossl_err(err, "encode %s", key_path);
        goto out;
    }
    if (write_bio(key_path, 0600, m, err) != 0)
        goto out;
    BIO_reset(m);
    if (!PEM_write_bio_X509(m, cert)) {
        ossl_err(err, "encode %s", cert_path);
        goto out;
    }
    rc = write_bio(cert_path, 0644, m, err);
out:
    BIO_free(m);
    return rc;
}

/* The time a certificate is good until is more than `days` from now. */
static bool valid_for(X509 *x, long days)
{
    time_t t = time(NULL) + days * 86400;
    return X509_cmp_time(X509_get0_notAfter(x), &t) > 0;
}

/* A leaf on disk is kept if it matches its key, the CA signed it, it has
 * RENEW_DAYS left and (ip non-NULL) covers ip. */
static bool leaf_ok(X509 *x, EVP_PKEY *k, X509 *ca, const char *ip)
{
    bool ok = x && k && X509_check_private_key(x, k) == 1 &&
              X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca)) == 0 &&
              X509_verify(x, X509_get0_pubkey(ca)) == 1 && valid_for(x, RENEW_DAYS) &&
              (!ip || X509_check_ip_asc(x, ip, 0) == 1);
    ERR_clear_error(); /* a failed check leaves errors that are not ours to report */
    return ok;
}

struct ca {
    X509 *cert;
    EVP_PKEY *key; /* NULL: ca.key is missing; fine until something must be issued */
    const char *key_path;
};

/* Make sure cert_path/key_path hold a good leaf; issue one if not. */
static int ensure_leaf(struct ca *ca, const char *cert_path, const char *key_path, const char *cn,
                       const char *org, const char *ip, const struct ext *exts, size_t nexts,
                       struct fl_err *err)
{
    X509 *x = NULL;
    EVP_PKEY *k = NULL;
    int rc = FL_EFAIL;
    /* Unreadable leaves are issued again: they are ours, not the user's. */
    if (load_cert(cert_path, &x, err) != 0 || load_key(key_path, &k, err) != 0)
        fl_err_clear(err);
    if (leaf_ok(x, k, ca->cert, ip)) {
        rc = FL_OK;
        goto out;
    }
    if (!ca->key) {
        fl_errf(err, 500, "InternalError",
                "%s must be issued again but the CA key %s is missing: restore it, or remove "
                "the pki directory to start over with a new CA",
                cert_path, ca->key_path);
        goto out;
    }
    X509_free(x);
    EVP_PKEY_free(k);
    x = NULL;
    if (!(k = new_key(err)) ||
        !(x = issue(k, cn, org, ca->cert, ca->key, LEAF_DAYS, exts, nexts, err)))
        goto out;
    rc = save_pair(cert_path, x, key_path, k, err);
out:
    X509_free(x);
    EVP_PKEY_free(k);
    return rc;
}

/* Load the CA, or create it when ca.crt is missing. */
static int ensure_ca(struct fl_tls_pki *pki, struct ca *ca, struct fl_err *err)
{
    static const struct ext exts[] = {
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"},
        {NID_subject_key_identifier, "hash"},
    };
    ca->key_path = pki->ca_key;
    if (load_cert(pki->ca_cert, &ca->cert, err) != 0)
        return FL_EFAIL;
    if (!ca->cert) {
        if (!(ca->key = new_key(err)) ||
            !(ca->cert = issue(ca->key, "flotilla-ca", NULL, NULL, ca->key, CA_DAYS, exts,
                               FL_ARRAY_LEN(exts), err)))
            return FL_EFAIL;
        return save_pair(pki->ca_cert, ca->cert, pki->ca_key, ca->key, err);
    }
    if (load_key(pki->ca_key, &ca->key, err) != 0)
        return FL_EFAIL;
    if (ca->key && X509_check_private_key(ca->cert, ca->key) != 1)
        return ossl_err(err, "%s does not match %s", pki->ca_key, pki->ca_cert);
    if (!valid_for(ca->cert, 0))
        return fl_errf(err, 500, "InternalError",
                       "the CA %s has expired: remove the pki directory to start over",
                       pki->ca_cert);
    return FL_OK;
}

static int ensure_tokens(const char *path, struct fl_err *err)
{
    if (exists(path))
        return FL_OK;
    unsigned char raw[32];
    char hex[2 * sizeof(raw) + 1];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return ossl_err(err, "random bytes for the admin token");
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    char *line = fl_xasprintf("%s,%s,%s,\"%s\"\n", hex, ADMIN_USER, ADMIN_USER, ADMIN_GROUP);
    int rc = write_atomic(path, 0600, line, strlen(line), err);
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(hex, sizeof(hex));
    OPENSSL_cleanse(line, strlen(line));
    free(line);
    return rc;
}

/* mkdir -p, new directories 0700 and made durable in their parents. */
static int make_dirs(const char *path, struct fl_err *err)
{
    char *p = fl_xstrdup(path);
    int rc = FL_OK;
    for (char *c = p + 1; rc == FL_OK; c++) {
        if (*c != '/' && *c != '\0')
            continue;
        char saved = *c;
        *c = '\0';
        if (mkdir(p, 0700) == 0)
            rc = fsync_parent(p, err);
        else if (errno != EEXIST)
            rc = fl_errf(err, 500, "InternalError", "create directory %s: %s", p, strerror(errno));
        *c = saved;
        if (!saved)
            break;
    }
    free(p);
    return rc;
}

int fl_tls_pki_ensure(struct fl_tls_pki *pki, const char *data_dir, const char *ip, bool serving,
                      struct fl_err *err)
{
    memset(pki, 0, sizeof(*pki));
    if (!data_dir[0])
        return fl_errf(err, 400, "BadRequest", "the data directory is an empty path");
    pki->dir = fl_xasprintf("%s/pki", data_dir);
    pki->ca_cert = fl_xasprintf("%s/ca.crt", pki->dir);
    pki->ca_key = fl_xasprintf("%s/ca.key", pki->dir);
    pki->cert = fl_xasprintf("%s/apiserver.crt", pki->dir);
    pki->key = fl_xasprintf("%s/apiserver.key", pki->dir);
    pki->admin_cert = fl_xasprintf("%s/admin.crt", pki->dir);
    pki->admin_key = fl_xasprintf("%s/admin.key", pki->dir);
    pki->tokens = fl_xasprintf("%s/tokens.csv", pki->dir);

    /* SANs: loopback always, the listen IP unless it is the wildcard. */
    bool wildcard = !strcmp(ip, "0.0.0.0");
    bool loopback = !strcmp(ip, "127.0.0.1");
    char *san = fl_xasprintf("IP:127.0.0.1,DNS:localhost%s%s",
                             wildcard || loopback ? "" : ",IP:", wildcard || loopback ? "" : ip);
    const struct ext serving_exts[] = {
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_authority_key_identifier, "keyid:always"},
        {NID_subject_alt_name, san},
    };
    static const struct ext client_exts[] = {
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, "clientAuth"},
        {NID_authority_key_identifier, "keyid:always"},
    };
    struct ca ca = {0};
    int rc = FL_EFAIL;
    if (make_dirs(pki->dir, err) != 0 || ensure_ca(pki, &ca, err) != 0 ||
        (serving && ensure_leaf(&ca, pki->cert, pki->key, "flotilla-apiserver", NULL,
                                wildcard ? "127.0.0.1" : ip, serving_exts,
                                FL_ARRAY_LEN(serving_exts), err) != 0) ||
        ensure_leaf(&ca, pki->admin_cert, pki->admin_key, ADMIN_USER, ADMIN_GROUP, NULL,
                    client_exts, FL_ARRAY_LEN(client_exts), err) != 0 ||
        ensure_tokens(pki->tokens, err) != 0)
        goto out;
    rc = FL_OK;
out:
    X509_free(ca.cert);
    EVP_PKEY_free(ca.key);
    free(san);
    return rc;
}

void fl_tls_pki_release(struct fl_tls_pki *pki)
{
    free(pki->dir);
    free(pki->ca_cert);
    free(pki->ca_key);
    free(pki->cert);
    free(pki->key);
    free(pki->admin_cert);
    free(pki->admin_key);
    free(pki->tokens);
    memset(pki, 0, sizeof(*pki));
}

/* ---- server context --------------------------------------------------- */

/* Accept any client certificate during the handshake: the verdict is kept
 * in SSL_get_verify_result and judged per request (see tls.h). */
static int accept_any(int preverify_ok, X509_STORE_CTX *x)
{
    return 1;
}

/* ALPN: http/1.1 or nothing. evhttp speaks no HTTP/2, and Go clients
 * (kubectl) offer h2 first. */
static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    static const unsigned char ours[] = "\x08http/1.1";
    unsigned char *sel;
    if (SSL_select_next_proto(&sel, outlen, ours, sizeof(ours) - 1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

int fl_tls_server_ctx_new(const char *cert_file, const char *key_file, const char *client_ca,
                          SSL_CTX **out, struct fl_err *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    FL_ASSERT(ctx != NULL);
    STACK_OF(X509_NAME) *names = NULL;
    int rc = FL_EFAIL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_COMPRESSION);
    /* Idle keep-alive and watch connections do not hold 34 KiB of buffers. */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    /* TLS 1.2: forward-secret AEAD suites only (TLS 1.3's are all such). */
    if (!SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20")) {
        ossl_err(err, "set the TLS 1.2 cipher suites");
        goto out;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        ossl_err(err, "load the serving certificate %s", cert_file);
        goto out;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        ossl_err(err, "load the serving key %s", key_file);
        goto out;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ossl_err(err, "%s does not match %s", key_file, cert_file);
        goto out;
    }
    if (SSL_CTX_load_verify_locations(ctx, client_ca, NULL) != 1 ||
        !(names = SSL_load_client_CA_file(client_ca))) {
        ossl_err(err, "load the client CA %s", client_ca);
        goto out;
    }
    SSL_CTX_set_client_CA_list(ctx, names); /* takes names */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
    /* Needed to resume sessions of connections that presented a client
     * certificate; the session keeps the verify result. */
    static const unsigned char sid[] = "flotilla";
    SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
    *out = ctx;
    ctx = NULL;
    rc = FL_OK;
out:
    SSL_CTX_free(ctx);
    return rc;
}

/* ---- kubeconfig ------------------------------------------------------- */

static int add_certs(BIO *m, const char *path, struct fl_err *err)
{
    BIO *b = open_pem(path, err);
    if (!b)
        return FL_EFAIL;
    int n = 0;
    X509 *x;
    while (n < MAX_CA_CERTS && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        int ok = PEM_write_bio_X509(m, x);
        X509_free(x);
        FL_ASSERT(ok);
        n++;
    }
    ERR_clear_error(); /* the end of the file reads as an error */
    BIO_free(b);
    if (n == 0)
        return fl_errf(err, 500, "InternalError", "%s: no PEM certificate", path);
    return FL_OK;
}

/* base64 of a memory BIO's contents; a new string. */
static char *b64(BIO *m)
{
    char *data;
    long len = BIO_get_mem_data(m, &data);
    char *out = fl_xmalloc(4 * (((size_t)len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)len);
    return out;
}

int fl_tls_write_kubeconfig(const char *path, const char *name, const char *server,
                            const char *ca_file,
                            const char *extra_ca_file, const char *client_cert,
                            const char *client_key, struct fl_err *err)
{
    BIO *ca = BIO_new(BIO_s_mem()), *cert = BIO_new(BIO_s_mem());
    BIO *key = BIO_new(BIO_s_secmem());
    FL_ASSERT(ca && cert && key);
    EVP_PKEY *k = NULL;
    char *ca64 = NULL, *cert64 = NULL, *key64 = NULL, *doc = NULL;
    int rc = FL_EFAIL;
    if (add_certs(ca, ca_file, err) != 0 ||
        (extra_ca_file && add_certs(ca, extra_ca_file, err) != 0) ||
        add_certs(cert, client_cert, err) != 0 || load_key(client_key, &k, err) != 0)
        goto out;
    if (!k) {
        fl_errf(err, 500, "InternalError", "%s: %s", client_key, strerror(ENOENT));
        goto out;
    }
    if (!PEM_write_bio_PrivateKey(key, k, NULL, NULL, 0, NULL, NULL)) {
        ossl_err(err, "encode %s", client_key);
        goto out;
    }
    ca64 = b64(ca);
    cert64 = b64(cert);
    key64 = b64(key);
    doc = fl_xasprintf("apiVersion: v1\n"
                       "kind: Config\n"
                       "clusters:\n"
                       "- name: %s\n"
                       "  cluster:\n"
                       "    server: %s\n"
                       "    certificate-authority-data: %s\n"
                       "users:\n"
                       "- name: %s\n"
                       "  user:\n"
                       "    client-certificate-data: %s\n"
                       "    client-key-data: %s\n"
                       "contexts:\n"
                       "- name: %s\n"
                       "  context:\n"
                       "    cluster: %s\n"
                       "    user: %s\n"
                       "current-context: %s\n"
                       "preferences: {}\n",
                       name, server, ca64, name, cert64, key64, name, name, name, name);
    rc = write_atomic(path, 0600, doc, strlen(doc), err);
out:
    if (doc)
        OPENSSL_cleanse(doc, strlen(doc));
    if (key64)
        OPENSSL_cleanse(key64, strlen(key64));
    free(doc);
    free(ca64);
    free(cert64);
    free(key64);
    EVP_PKEY_free(k);
    BIO_free(ca);
    BIO_free(cert);
    BIO_free(key);
    return rc;
}
