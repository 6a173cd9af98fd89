/* Fuzz driver for token files and bearer headers (api/auth.c): parsing never
 * crashes and either succeeds or fails with a 400; the input as an
 * Authorization header never crashes, and a file whose first record's token
 * has no blank, comma, quote or newline authenticates "Bearer <token>". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fl_auth *a = NULL;
    struct fl_err err;
    struct fl_auth_user user;
    if (fl_auth_new_from_buf((const char *)data, size, "fuzz", &a, &err) != 0) {
        if (err.code != 400 || a)
            abort();
        return 0;
    }
    char *s = malloc(size + 8);
    memcpy(s, "Bearer ", 7);
    memcpy(s + 7, data, size);
    s[size + 7] = '\0';
    int any = fl_auth_request(a, NULL, s + 7, &user);
    any |= fl_auth_request(a, NULL, s, &user);
    (void)any;
    /* The first record's token, if it is a plain one. */
    size_t n = strcspn(s + 7, " \t\v\f\r\n,\"");
    if (n > 0 && n < size && data[n] == ',') {
        s[7 + n] = '\0';
        if (fl_auth_request(a, NULL, s, &user) != 0)
            abort();
    }
    free(s);
    fl_auth_free(a);
    return 0;
}
