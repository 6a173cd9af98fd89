/*
 * TLS for the API server, after kube-apiserver: the PKI that `flotilla serve`
 * generates under <data-dir>/pki on first start and reuses later, the
 * server's SSL_CTX, and kubeconfig files that trust it.
 *
 * The PKI is a CA (EC P-256, 10 years, CN flotilla-ca), a serving
 * certificate it signs (1 year; SANs 127.0.0.1, localhost and the listen
 * IP), an admin client certificate (CN flotilla-admin, O system:masters, 1
 * year) and tokens.csv, a --token-auth-file with one random admin token.
 * Invariants: private keys and tokens.csv are mode 0600 in a 0700 directory;
 * every file is written to a temporary name, fsynced and renamed, so a crash
 * leaves the old file or the new one. The CA is only ever created when
 * ca.crt is missing, never replaced: clients keep trusting it across
 * restarts. A leaf (key first, then certificate) is issued again when it is
 * missing or unreadable, has less than 30 days left, was not signed by the
 * CA, does not match its key (a crash between the two), or, for the serving
 * certificate, does not cover the listen IP. tokens.csv is only created.
 */
#ifndef FL_API_TLS_H
#define FL_API_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>

#include "core/err.h"

#define FL_TLS_FILE_MAX (1024 * 1024) /* PEM files read for a kubeconfig */

/* Paths of the generated PKI; owned strings. */
struct fl_tls_pki {
    char *dir; /* <data-dir>/pki */
    char *ca_cert, *ca_key;
    char *cert, *key; /* serving */
    char *admin_cert, *admin_key;
    char *tokens;
};

/* Fill pki (caller-owned; release with fl_tls_pki_release, also after an
 * error) with the paths under <data_dir>/pki and create what is missing or
 * stale (see above). serving = false: leave the serving certificate alone
 * (the user brings one). ip: the IPv4 literal served on; 0.0.0.0 adds no
 * SAN. Errors: 500 with the file concerned. */
int fl_tls_pki_ensure(struct fl_tls_pki *pki, const char *data_dir, const char *ip, bool serving,
                      struct fl_err *err) FL_MUST_CHECK;
void fl_tls_pki_release(struct fl_tls_pki *pki);

/* New server context (a new reference: SSL_CTX_free it): TLS 1.2+, the
 * certificate chain and key from PEM files, ALPN http/1.1 only. Client
 * certificates are asked for (the CAs of client_ca named in the request) and
 * verified against client_ca, but the handshake never fails on them: the
 * verdict stays in SSL_get_verify_result for fl_auth_request, so a bad
 * certificate gets a 401 Status like kube-apiserver's. */
int fl_tls_server_ctx_new(const char *cert_file, const char *key_file, const char *client_ca,
                          SSL_CTX **out, struct fl_err *err) FL_MUST_CHECK;

/* Write a kubeconfig (mode 0600, atomically) with one cluster, user and
 * context, all called name (a DNS label), the current context: server (an
 * https:// URL), certificate-authority-data = the certificates of ca_file
 * and, if not NULL, of extra_ca_file (for a serving certificate the CA did
 * not sign), and the client certificate and key of client_cert/client_key,
 * all base64-encoded PEM. Only certificates and the key are copied. */
int fl_tls_write_kubeconfig(const char *path, const char *name, const char *server,
                            const char *ca_file,
                            const char *extra_ca_file, const char *client_cert,
                            const char *client_key, struct fl_err *err) FL_MUST_CHECK;

#endif
