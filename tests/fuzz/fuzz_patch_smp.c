/*
 * libFuzzer driver for api/patch's strategic merge patch with the built-in
 * strategy table. The input is JSON: {"doc": D, "patch": P, "kind": K}
 * (kind optional, default Deployment) applies P to D; anything else is taken
 * as the patch for a fixed Deployment. Applying must not crash, must leave
 * both inputs untouched, and must either return an object or fail with 400
 * or 422.
 */
#include <stdint.h>
#include <stdlib.h>

#include "api/patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_doc[] =
    "{\"metadata\":{\"name\":\"d\",\"finalizers\":[\"a\",\"b\"]},\"spec\":{\"strategy\":"
    "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}},\"template\":{\"spec\":"
    "{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"env\":[{\"name\":\"E\",\"value\":\"1\"}],"
    "\"ports\":[{\"containerPort\":80}]},{\"name\":\"s\"}],\"volumes\":[{\"name\":\"v\","
    "\"emptyDir\":{}}],\"tolerations\":[{\"key\":\"k\"}]}}},"
    "\"status\":{\"conditions\":[{\"type\":\"Available\",\"status\":\"True\"}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!in)
        return 0;
    json_t *fixed = json_loads(fixed_doc, 0, NULL), *doc = fixed, *patch = in;
    const char *kind = "Deployment";
    if (json_object_get(in, "doc") && json_object_get(in, "patch")) {
        doc = json_object_get(in, "doc");
        patch = json_object_get(in, "patch");
        if (json_is_string(json_object_get(in, "kind")))
            kind = json_string_value(json_object_get(in, "kind"));
    }
    json_t *before = json_deep_copy(in), *out = NULL;
    struct fl_err err;
    if (fl_patch_strategic(doc, patch, fl_patch_builtin_strategy, (void *)kind, &out, &err) == 0) {
        if (!json_is_object(out))
            abort();
        json_decref(out);
    } else if (out || (err.code != 400 && err.code != 422)) {
        abort();
    }
    if (!json_equal(in, before))
        abort();
    json_decref(before);
    json_decref(fixed);
    json_decref(in);
    return 0;
}
