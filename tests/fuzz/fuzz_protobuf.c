/*
 * libFuzzer driver for api/protobuf. An input starting with "k8s\0" is a
 * whole request body; any other input is the raw object of one of the kinds
 * decoded (its first byte picks which), wrapped here in a runtime.Unknown so
 * the fuzzer spends its time inside the objects. A decoded body must be a
 * JSON object that leads with apiVersion and kind and dumps; a refused one
 * must say 400, 413 or 415 and return nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/protobuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[][2] = {
    {"v1", "ConfigMap"},
    {"v1", "Secret"},
    {"v1", "Namespace"},
    {"v1", "Service"},
    {"v1", "Pod"},
    {"apps/v1", "Deployment"},
    {"policy/v1", "PodDisruptionBudget"},
    {"v1", "ServiceAccount"},
};

/* Appends tag, a varint length and the bytes. */
static size_t put(uint8_t *p, uint8_t tag, const void *s, size_t n)
{
    size_t at = 0;
    p[at++] = tag;
    for (size_t v = n;; v >>= 7) {
        p[at++] = (uint8_t)(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
        if (v < 0x80)
            break;
    }
    memcpy(p + at, s, n);
    return at + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *body = NULL;
    if (size > 0 && (size < 4 || memcmp(data, "k8s", 4) != 0)) {
        const char *const *k = kinds[data[0] % FL_ARRAY_LEN(kinds)];
        uint8_t tm[64];
        size_t n = put(tm, 0x0a, k[0], strlen(k[0]));
        n += put(tm + n, 0x12, k[1], strlen(k[1]));
        body = fl_xmalloc(size + 96);
        memcpy(body, "k8s", 4);
        size_t len = 4 + put(body + 4, 0x0a, tm, n);
        len += put(body + len, 0x12, data + 1, size - 1);
        data = body, size = len;
    }
    json_t *out = (json_t *)1;
    struct fl_err err;
    if (fl_protobuf_decode(data, size, &out, &err) == 0) {
        const char *first = json_object_iter_key(json_object_iter(out));
        char *text = json_dumps(out, JSON_COMPACT);
        if (!json_is_object(out) || !first || strcmp(first, "apiVersion") != 0 || !text ||
            !json_is_string(json_object_get(out, "kind")))
            abort();
        free(text);
        json_decref(out);
    } else if (out != NULL || (err.code != 400 && err.code != 413 && err.code != 415)) {
        abort();
    }
    free(body);
    return 0;
}
