/* Fuzz driver for URL routing (api/route.c): any path either routes or is a
 * 404, and a routed resource always names a registered type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = malloc(size + 1);
    memcpy(path, data, size);
    path[size] = '\0';
    struct fl_route r;
    struct fl_err err;
    if (fl_route_parse(path, &r, &err) == 0) {
        if (r.kind == FL_ROUTE_RESOURCE && !r.type)
            abort();
    } else if (err.code != 404) {
        abort();
    }
    free(path);
    return 0;
}
