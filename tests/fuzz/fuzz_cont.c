/* Fuzz driver for continue tokens (store/cont.c): decoding never crashes, and
 * whatever decodes re-encodes to a token that decodes to the same values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/cont.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *tok = malloc(size + 1);
    memcpy(tok, data, size);
    tok[size] = '\0';
    uint64_t rev, rev2;
    char *start = NULL, *start2 = NULL;
    struct fl_err err;
    if (fl_cont_decode(tok, &rev, &start, &err) == 0) {
        char *again = fl_cont_encode(rev, start);
        if (fl_cont_decode(again, &rev2, &start2, &err) != 0 || rev2 != rev ||
            strcmp(start, start2) != 0)
            abort();
        free(again);
    } else if (err.code != 400) {
        abort();
    }
    free(start);
    free(start2);
    free(tok);
    return 0;
}
