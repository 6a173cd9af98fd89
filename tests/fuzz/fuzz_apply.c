/*
 * libFuzzer driver for api/apply: the input is an applied configuration
 * (YAML or JSON) for a fixed live Deployment that two managers own. An
 * apply must not crash, fails only with 400 or 409 (never with force), and
 * is idempotent: applying the same input again to the result changes
 * nothing. Inputs that are JSON objects also go through the FieldsV1
 * decoder, whose sets must survive an encode/decode round trip.
 */
#include <stdint.h>
#include <stdlib.h>

#include "api/apply.h"
#include "api/fieldset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char live_doc[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"ssa\","
    "\"namespace\":\"default\",\"labels\":{\"app\":\"ssa\"},\"managedFields\":[{\"manager\":"
    "\"kubectl\",\"operation\":\"Apply\",\"apiVersion\":\"apps/v1\",\"fieldsType\":\"FieldsV1\","
    "\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:replicas\":{}}}},"
    "{\"manager\":\"kubectl-edit\",\"operation\":\"Update\",\"apiVersion\":\"apps/v1\",\"time\":"
    "\"2024-01-01T00:00:00Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:spec\":{"
    "\"f:template\":{\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"web\\\"}\":{\".\":{},"
    "\"f:image\":{},\"f:name\":{}}}}}}}}]},\"spec\":{\"replicas\":3,\"template\":{\"spec\":{"
    "\"containers\":[{\"name\":\"web\",\"image\":\"nginx\"}]}}}}";

static void check_fields(const uint8_t *data, size_t size)
{
    struct fl_err err;
    struct fl_fieldset *a = NULL, *b = NULL;
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    if (json_is_object(in) && fl_fieldset_from_json(in, &a, &err) == 0) {
        json_t *enc = fl_fieldset_to_json(a);
        if (fl_fieldset_from_json(enc, &b, &err) != 0 || !fl_fieldset_equal(a, b))
            abort();
        json_decref(enc);
    }
    fl_fieldset_free(a);
    fl_fieldset_free(b);
    json_decref(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct fl_rtype *t = fl_registry_find("apps", "v1", "deployments");
    json_t *live = json_loads(live_doc, 0, NULL), *once = NULL, *twice = NULL;
    struct fl_err err;
    check_fields(data, size);
    for (int force = 0; force < 2; force++) {
        if (fl_apply(t, live, (const char *)data, size, "fuzz", force, &once, &err) == 0) {
            if (fl_apply(t, once, (const char *)data, size, "fuzz", false, &twice, &err) != 0 ||
                !json_equal(once, twice))
                abort();
        } else if (once || (err.code != 400 && (err.code != 409 || force))) {
            abort();
        }
        json_decref(once);
        json_decref(twice);
        once = twice = NULL;
    }
    json_decref(live);
    return 0;
}
