/*
 * libFuzzer driver for core/labels (and the name checks it relies on):
 * parses the input as a label selector and, when it parses, matches it
 * against a few fixed label sets. An empty selector must match everything.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/labels.h"
#include "core/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const label_sets[] = {
    "{}",
    "{\"x\":\"\"}",
    "{\"x\":\"a\",\"y\":\"5\"}",
    "{\"in\":\"notin\",\"example.com/k\":\"-1\"}",
    "{\"x\":1}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fl_xstrndup((const char *)data, size);
    char msg[256];
    (void)fl_name_label_key(text, msg, sizeof(msg));
    (void)fl_name_label_value(text, msg, sizeof(msg));
    (void)fl_name_dns1123_subdomain(text, msg, sizeof(msg));

    struct fl_labelsel *sel = NULL;
    struct fl_err err;
    if (fl_labelsel_parse(text, &sel, &err) == 0) {
        bool empty = fl_labelsel_empty(sel);
        if (empty && !fl_labelsel_match(sel, NULL))
            abort();
        for (size_t i = 0; i < FL_ARRAY_LEN(label_sets); i++) {
            json_t *labels = json_loads(label_sets[i], 0, NULL);
            if (!fl_labelsel_match(sel, labels) && empty)
                abort();
            json_decref(labels);
        }
        fl_labelsel_free(sel);
    } else if (sel != NULL || err.code != 400) {
        abort();
    }
    free(text);
    return 0;
}
