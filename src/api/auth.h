/*
 * Authentication, as kube-apiserver's x509 and static-token authenticators:
 * a request is authenticated by a client certificate that verified against
 * the client CA (user = the certificate's CN), or else by
 * `Authorization: Bearer <token>` with a token of the token file (kube's
 * --token-auth-file: token,user,uid[,"group1,group2"]). There is no
 * authorization yet: every authenticated user may do everything.
 *
 * Invariants: the token file is read once, when the authenticator is made,
 * and is capped (FL_AUTH_FILE_MAX bytes, FL_AUTH_TOKENS_MAX tokens). Tokens
 * are kept only as SHA-256 digests and a presented token is compared with
 * every one of them with CRYPTO_memcmp, so the time taken says nothing about
 * which token, or how much of one, matched.
 */
#ifndef FL_API_AUTH_H
#define FL_API_AUTH_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define FL_AUTH_FILE_MAX (1024 * 1024)
#define FL_AUTH_TOKENS_MAX 10000

struct fl_auth;

/* Who a request is from. */
struct fl_auth_user {
    char name[256];     /* truncated if longer */
    const char *method; /* static: "x509" or "token" */
};

/* New authenticator with the tokens of token_file (NULL: client certificates
 * only). Errors (400 BadRequest, naming the file and line): unreadable, too
 * large, bad CSV, a record with fewer than 3 columns, too many tokens. As
 * kube, records with an empty token are skipped and of duplicate tokens the
 * last one counts. */
int fl_auth_new(const char *token_file, struct fl_auth **out, struct fl_err *err) FL_MUST_CHECK;

/* The same from the bytes of a token file (at most FL_AUTH_FILE_MAX); name
 * is what messages call it. */
int fl_auth_new_from_buf(const char *buf, size_t len, const char *name, struct fl_auth **out,
                         struct fl_err *err) FL_MUST_CHECK;

void fl_auth_free(struct fl_auth *a); /* NULL-safe */

/* Tokens held (after skipping empty ones and merging duplicates). */
size_t fl_auth_ntokens(const struct fl_auth *a);

/* Authenticate a request: ssl is its TLS connection (NULL over plain HTTP),
 * authorization its Authorization header (NULL if none). 0 and *user filled
 * if authenticated, FL_EFAIL if not (the caller replies 401). A verified
 * certificate counts before the header, as in kube's union authenticator. */
int fl_auth_request(const struct fl_auth *a, SSL *ssl, const char *authorization,
                    struct fl_auth_user *user) FL_MUST_CHECK;

/* The paths served without authentication: /healthz, /livez, /readyz and
 * /version (kube-apiserver's system:public-info-viewer), with or without one
 * trailing slash. path is the raw request path, without the query. */
bool fl_auth_anonymous_path(const char *path);

#endif
