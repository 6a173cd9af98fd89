/*
 * libFuzzer driver for api/patch's RFC 6902 JSON Patch. The input is JSON:
 * {"doc": D, "patch": P} applies P to D; anything else is taken as the patch
 * for a fixed Kubernetes-like document. Applying must not crash, must leave
 * both inputs untouched, and must either return a document or fail with
 * 400, 413 or 422.
 */
#include <stdint.h>
#include <stdlib.h>

#include "api/patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_doc[] =
    "{\"metadata\":{\"name\":\"x\",\"labels\":{\"a/b\":\"1\",\"~\":\"2\"}},"
    "\"spec\":{\"list\":[1,2,{\"k\":[]}],\"m\":{\"k\":null}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!in)
        return 0;
    json_t *fixed = json_loads(fixed_doc, 0, NULL), *doc = fixed, *patch = in;
    if (json_object_get(in, "doc") && json_object_get(in, "patch")) {
        doc = json_object_get(in, "doc");
        patch = json_object_get(in, "patch");
    }
    json_t *before = json_deep_copy(in), *out = NULL;
    struct fl_err err;
    if (fl_patch_json(doc, patch, &out, &err) == 0) {
        if (!out)
            abort();
        json_decref(out);
    } else if (out || (err.code != 400 && err.code != 413 && err.code != 422)) {
        abort();
    }
    if (!json_equal(in, before))
        abort();
    json_decref(before);
    json_decref(fixed);
    json_decref(in);
    return 0;
}
