/*
 * libFuzzer driver for core/fields: parses the input as a field selector
 * and, when it parses, checks it against an allowed list, matches it
 * against a fixed object and asks for the pinned metadata.name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fields.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *get(const char *path, void *ctx)
{
    if (strcmp(path, "metadata.name") == 0)
        return "web-1";
    if (strcmp(path, "status.phase") == 0)
        return "a,b=c\\d";
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {"metadata.name", "metadata.namespace", NULL};
    char *text = fl_xstrndup((const char *)data, size);
    struct fl_fieldsel *sel = NULL;
    struct fl_err err;
    if (fl_fieldsel_parse(text, &sel, &err) == 0) {
        if (fl_fieldsel_check(sel, allowed, &err) != 0 && err.code != 400)
            abort();
        bool m = fl_fieldsel_match(sel, get, NULL);
        const char *exact = fl_fieldsel_exact(sel, "metadata.name");
        /* A pinned name that matches "web-1" means the name is "web-1". */
        if (m && exact && strcmp(exact, "web-1") != 0)
            abort();
        if (fl_fieldsel_empty(sel) && (!m || exact))
            abort();
        fl_fieldsel_free(sel);
    } else if (sel != NULL || err.code != 400) {
        abort();
    }
    free(text);
    return 0;
}
