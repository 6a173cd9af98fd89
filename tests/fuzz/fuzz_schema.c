/*
 * libFuzzer driver for api/schema: the input is JSON {"schema": S, "doc": D}
 * (anything else is used as the document for a fixed schema). Pruning,
 * defaulting and validation must not crash, must keep the schema unchanged,
 * and must be stable: applying the schema again to its own result changes
 * nothing and finds the same number of problems.
 */
#include <stdint.h>
#include <stdlib.h>

#include "api/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_schema[] =
    "{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\",\"required\":[\"n\"],"
    "\"properties\":{\"n\":{\"type\":\"integer\",\"default\":1,\"maximum\":5},"
    "\"s\":{\"type\":\"string\",\"pattern\":\"^[a-z]\\\\d*$\",\"enum\":[\"a\",\"b1\"]},"
    "\"l\":{\"type\":\"array\",\"x-kubernetes-list-type\":\"set\",\"items\":{\"type\":\"string\"}},"
    "\"m\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"object\","
    "\"properties\":{\"d\":{\"type\":\"boolean\",\"default\":true}}}},"
    "\"p\":{\"x-kubernetes-preserve-unknown-fields\":true,\"type\":\"object\"}}}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!in)
        return 0;
    json_t *fixed = json_loads(fixed_schema, 0, NULL);
    const json_t *schema = fixed;
    json_t *doc;
    if (json_object_get(in, "schema") && json_object_get(in, "doc")) {
        schema = json_object_get(in, "schema");
        doc = json_deep_copy(json_object_get(in, "doc"));
    } else {
        doc = json_deep_copy(in);
    }
    json_t *schema_before = json_deep_copy(schema);
    struct fl_err err;
    fl_err_clear(&err);
    int rc = fl_schema_apply(schema, doc, &err);
    if ((rc == FL_OK) != (err.ncauses == 0) || err.code != 0)
        abort();
    json_t *once = json_deep_copy(doc);
    fl_err_clear(&err);
    int rc2 = fl_schema_apply(schema, doc, &err);
    if (rc2 != rc || !json_equal(doc, once) || !json_equal((json_t *)schema, schema_before))
        abort();
    json_decref(once);
    json_decref(schema_before);
    json_decref(doc);
    json_decref(fixed);
    json_decref(in);
    return 0;
}
