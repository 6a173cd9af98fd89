/*
 * libFuzzer driver for core/quantity: parses the input as a quantity and,
 * when it parses, checks that the canonical string parses back to an equal
 * value, is its own canonical form, and compares consistently.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fl_xstrndup((const char *)data, size);
    char msg[256], canon[FL_QUANTITY_STR_MAX], again[FL_QUANTITY_STR_MAX];
    struct fl_quantity q, r;
    if (fl_quantity_parse(text, &q, msg, sizeof(msg)) == FL_OK) {
        fl_quantity_format(&q, canon, sizeof(canon));
        if (fl_quantity_parse(canon, &r, NULL, 0) != FL_OK)
            abort();
        if (fl_quantity_cmp(&q, &r) != 0 || fl_quantity_sign(&q) != fl_quantity_sign(&r))
            abort();
        fl_quantity_format(&r, again, sizeof(again));
        if (strcmp(canon, again) != 0)
            abort();
        if (fl_quantity_is_integer(&q) != fl_quantity_is_integer(&r))
            abort();
    } else if (!msg[0]) {
        abort();
    }
    free(text);
    return 0;
}
