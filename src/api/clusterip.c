/*
 * ClusterIP allocation: see clusterip.h. A bitmap of the 2^20 addresses of
 * 10.96.0.0/12 (128 KiB) and a rotating cursor; the network and broadcast
 * addresses and 10.96.0.1 (the kubernetes Service's, by convention) are never
 * handed out.
 */
#include "api/clusterip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE 0x0a600000u /* 10.96.0.0 */
#define SIZE (1u << 20)  /* /12 */

static unsigned char *used; /* NULL until loaded from the store */
static uint32_t cursor = 2;

static bool in_range(uint32_t ip)
{
    return ip >= BASE && ip < BASE + SIZE;
}

static void mark(uint32_t ip)
{
    if (in_range(ip))
        used[(ip - BASE) / 8] |= (unsigned char)(1u << ((ip - BASE) % 8));
}

static bool taken(uint32_t ip)
{
    return used[(ip - BASE) / 8] & (1u << ((ip - BASE) % 8));
}

static int parse(const char *s, uint32_t *ip)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return FL_EFAIL;
    *ip = ntohl(a.s_addr);
    return FL_OK;
}

static int load(struct fl_store *store, struct fl_err *err)
{
    char prefix[FL_KEY_MAX];
    struct fl_store_list l;
    fl_store_key(prefix, "", "services", NULL, NULL);
    if (fl_store_list(store, prefix, NULL, 0, NULL, &l, err) != 0)
        return FL_EFAIL;
    used = fl_xcalloc(SIZE / 8, 1);
    mark(BASE);
    mark(BASE + 1);
    mark(BASE + SIZE - 1);
    for (size_t i = 0; i < l.n; i++) {
        json_t *doc = fl_obj_json(l.items[i]);
        uint32_t ip;
        const char *s = fl_json_str(json_object_get(doc, "spec"), "clusterIP");
        if (s[0] && parse(s, &ip) == 0)
            mark(ip);
        json_decref(doc);
    }
    fl_store_list_release(&l);
    return FL_OK;
}

static int invalid(struct fl_err *err, const json_t *svc, const char *value, const char *why)
{
    const char *name = fl_json_str(json_object_get(svc, "metadata"), "name");
    fl_errf(err, 422, "Invalid", "Service \"%s\" is invalid: spec.clusterIPs: Invalid value: "
            "[]string{\"%s\"}: %s", name, value, why);
    fl_err_details(err, "", "Service", name);
    fl_err_cause(err, "FieldValueInvalid", "spec.clusterIPs",
                 "Invalid value: []string{\"%s\"}: %s", value, why);
    return FL_EFAIL;
}

int fl_clusterip_assign(struct fl_store *store, json_t *svc, bool dry_run, struct fl_err *err)
{
    json_t *spec = json_object_get(svc, "spec");
    if (!json_is_object(spec))
        return FL_OK; /* validation reports a missing spec */
    if (!strcmp(fl_json_str(spec, "type"), "ExternalName"))
        return FL_OK;
    if (!used && load(store, err) != 0)
        return FL_EFAIL;
    const char *want = fl_json_str(spec, "clusterIP");
    char buf[INET_ADDRSTRLEN];
    uint32_t ip = 0;
    if (!strcmp(want, "None")) {
        snprintf(buf, sizeof(buf), "None");
    } else if (want[0]) {
        if (parse(want, &ip) != 0)
            return invalid(err, svc, want, "must be a valid IP address");
        if (!in_range(ip))
            return invalid(err, svc, want,
                           "failed to allocate IP: the provided IP is not in the valid range. "
                           "The range of valid IPs is 10.96.0.0/12");
        if (taken(ip))
            return invalid(err, svc, want,
                           "failed to allocate IP: provided IP is already allocated");
        snprintf(buf, sizeof(buf), "%s", want);
    } else {
        uint32_t n = 0;
        while (n < SIZE && taken(BASE + cursor)) {
            cursor = (cursor + 1) % SIZE;
            n++;
        }
        if (n == SIZE)
            return fl_errf(err, 500, "InternalError",
                           "failed to allocate a serviceIP: range is full");
        ip = BASE + cursor;
        struct in_addr a = {htonl(ip)};
        inet_ntop(AF_INET, &a, buf, sizeof(buf));
    }
    if (ip && !dry_run)
        mark(ip);
    json_object_set_new(spec, "clusterIP", json_string(buf));
    json_object_set_new(spec, "clusterIPs", json_pack("[s]", buf));
    return FL_OK;
}

void fl_clusterip_reset(void)
{
    free(used);
    used = NULL;
    cursor = 2;
}
