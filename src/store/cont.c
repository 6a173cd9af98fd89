/*
 * Continue token codec: see cont.h. base64 comes from OpenSSL (EVP_Encode/
 * DecodeBlock); we only translate to and from the URL-safe alphabet.
 */
#include "store/cont.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *fl_cont_encode(uint64_t rev, const char *start)
{
    json_t *j = json_pack("{s:I,s:s}", "rv", (json_int_t)rev, "start", start);
    FL_ASSERT(j != NULL);
    char *raw = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    FL_ASSERT(raw != NULL);
    size_t n = strlen(raw);
    char *out = fl_xmalloc(4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)raw, (int)n);
    free(raw);
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    for (int i = 0; i < len; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    return out;
}

static int invalid(struct fl_err *err, const char *why)
{
    return fl_errf(err, 400, "BadRequest", "continue key is not valid: %s", why);
}

int fl_cont_decode(const char *token, uint64_t *rev, char **start, struct fl_err *err)
{
    int rc = FL_EFAIL;
    char *b64 = NULL;
    unsigned char *raw = NULL;
    json_t *j = NULL;
    size_t n = strlen(token);

    if (n == 0 || n > FL_CONT_MAX)
        return invalid(err, "bad length");
    /* Back to the standard alphabet, padded to a multiple of 4. */
    size_t padded = (n + 3) / 4 * 4;
    b64 = fl_xmalloc(padded + 1);
    for (size_t i = 0; i < n; i++) {
        char c = token[i];
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            rc = invalid(err, "not base64url");
            goto out;
        }
        b64[i] = c;
    }
    if (padded - n == 3) {
        rc = invalid(err, "not base64url");
        goto out;
    }
    memset(b64 + n, '=', padded - n);
    b64[padded] = '\0';
    raw = fl_xmalloc(padded / 4 * 3 + 1);
    int len = EVP_DecodeBlock(raw, (unsigned char *)b64, (int)padded);
    if (len < 0) {
        rc = invalid(err, "not base64url");
        goto out;
    }
    len -= (int)(padded - n); /* EVP_DecodeBlock counts the padding as zero bytes */
    j = json_loadb((const char *)raw, (size_t)len, JSON_REJECT_DUPLICATES, NULL);
    json_t *jrv = json_object_get(j, "rv");
    const char *s = json_string_value(json_object_get(j, "start"));
    if (!json_is_integer(jrv) || json_integer_value(jrv) <= 0 || !s) {
        rc = invalid(err, "not a continue token");
        goto out;
    }
    *rev = (uint64_t)json_integer_value(jrv);
    *start = fl_xstrdup(s);
    rc = FL_OK;
out:
    json_decref(j);
    free(raw);
    free(b64);
    return rc;
}
