/*
 * libFuzzer driver for api/patch's RFC 7386 JSON Merge Patch. The input is
 * JSON: {"doc": D, "patch": P} merges P into D; anything else is taken as
 * the patch for a fixed document. Merging must not crash, must leave both
 * inputs untouched, fails only with 400 (nesting), and is idempotent:
 * merging the same patch into the result again changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>

#include "api/patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_doc[] =
    "{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"1\"}},\"spec\":{\"l\":[1],\"n\":null}}";

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
    json_t *before = json_deep_copy(in), *once = NULL, *twice = NULL;
    struct fl_err err;
    if (fl_patch_merge(doc, patch, &once, &err) == 0) {
        if (fl_patch_merge(once, patch, &twice, &err) != 0 || !json_equal(once, twice))
            abort();
    } else if (once || err.code != 400) {
        abort();
    }
    if (!json_equal(in, before))
        abort();
    json_decref(once);
    json_decref(twice);
    json_decref(before);
    json_decref(fixed);
    json_decref(in);
    return 0;
}
