/*
 * libFuzzer driver for member/fleet: parses the input as a fleet file. On
 * success every cluster must be complete (name, listen, pod CIDR, labels,
 * pools with cpu/memory/pods capacity); on failure nothing is left loaded
 * and the message names the file. Everything is freed (leaks fail under ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "member/fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_spec(const struct fl_member_spec *s)
{
    if (!s || !s->name[0] || !s->listen || !s->pod_cidr || !json_is_object(s->labels))
        abort();
    for (size_t i = 0; i < s->npools; i++) {
        const struct fl_member_pool *p = &s->pools[i];
        if (!p->name || !json_is_object(p->labels) || !json_is_array(p->taints) ||
            !json_is_string(json_object_get(p->capacity, "cpu")) ||
            !json_is_string(json_object_get(p->capacity, "memory")) ||
            !json_is_string(json_object_get(p->capacity, "pods")))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fl_fleet f;
    struct fl_err err;
    if (fl_fleet_parse((const char *)data, size, "fuzz.yaml", &f, &err) == FL_OK) {
        if (f.n == 0)
            abort();
        for (size_t i = 0; i < f.n; i++)
            check_spec(f.clusters[i]);
        fl_fleet_release(&f);
    } else if (f.clusters || f.n || err.code != 400 || strncmp(err.message, "fuzz.yaml:", 10)) {
        abort();
    }
    return 0;
}
