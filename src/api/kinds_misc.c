/*
 * Kinds of the smaller built-in groups, after kube-apiserver 1.32:
 * policy/v1 PodDisruptionBudget, discovery.k8s.io/v1 EndpointSlice,
 * coordination.k8s.io/v1 Lease and apiextensions.k8s.io/v1
 * CustomResourceDefinition. For CRDs the schema itself is only checked for
 * presence and an object root; structural-schema rules are not enforced.
 */
#include "api/kinds_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"

#define REPR_MAX 1024

static const char *const eviction_policies[] = {"AlwaysAllow", "IfHealthyBudget", NULL};
static const char *const address_types[] = {"FQDN", "IPv4", "IPv6", NULL};
static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
static const char *const scopes[] = {"Cluster", "Namespaced", NULL};
static const char *const conversion_strategies[] = {"None", "Webhook", NULL};
static const char *const lease_strategies[] = {"OldestEmulationVersion", NULL};

/* ======================= PodDisruptionBudget ======================= */

void kinds_pdb_validate(const json_t *doc, struct fl_err *err)
{
    const json_t *spec = kv_obj(doc, "spec", "", err);
    const json_t *min = kj(spec, "minAvailable"), *max = kj(spec, "maxUnavailable");
    if (min && max) {
        char repr[REPR_MAX];
        snprintf(repr, sizeof(repr),
                 "policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000000000), "
                 "Selector:(*v1.LabelSelector)(%s), "
                 "MaxUnavailable:(*intstr.IntOrString)(0xc000000000), "
                 "UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(%s)}",
                 kj(spec, "selector") ? "0xc000000000" : "nil",
                 kj(spec, "unhealthyPodEvictionPolicy") ? "0xc000000000" : "nil");
        kv_invalid(err, "spec", repr, "minAvailable and maxUnavailable cannot be both set");
    }
    static const char *const keys[] = {"minAvailable", "maxUnavailable"};
    for (size_t i = 0; i < 2; i++) {
        kv_int_or_percent(spec, keys[i], "spec", err);
        kv_not_over_100(spec, keys[i], "spec", err);
    }
    kv_label_selector(kv_obj(spec, "selector", "spec", err), "spec.selector", err);
    const char *up = kv_str(spec, "unhealthyPodEvictionPolicy", "spec", err);
    if (up && !kin(up, eviction_policies))
        kv_unsupported(err, "spec.unhealthyPodEvictionPolicy", up, eviction_policies);
}

/* ======================= EndpointSlice ======================= */

void kinds_endpointslice_defaults(json_t *doc)
{
    size_t i;
    json_t *port;
    json_array_foreach(kj(doc, "ports"), i, port)
    {
        if (!json_is_object(port))
            continue;
        kd_json(port, "name", json_string(""));
        kd_json(port, "protocol", json_string("TCP"));
    }
}

static void too_many(struct fl_err *err, const char *path, size_t n, size_t max)
{
    fl_err_cause(err, "FieldValueTooMany", path, "Too many: %zu: must have at most %zu items", n,
                 max);
}

/* IsFullyQualifiedDomainName. */
static void fqdn(const char *name, const char *path, struct fl_err *err)
{
    char clean[512];
    snprintf(clean, sizeof(clean), "%s", name);
    size_t n = strlen(clean);
    if (n == 0) {
        kv_required(err, path, NULL);
        return;
    }
    if (clean[n - 1] == '.')
        clean[--n] = '\0';
    if (!kv_dns_subdomain(clean, path, err))
        return;
    if (!strchr(clean, '.'))
        kv_invalid_str(err, path, clean,
                       "should be a domain with at least two segments separated by dots");
}

void kinds_endpointslice_validate(const json_t *doc, struct fl_err *err)
{
    char ep[KP_MAX], p[KP_MAX], ap[KP_MAX];
    const char *at = kv_str(doc, "addressType", "", err);
    if (!at || !at[0])
        kv_required(err, "addressType", NULL);
    else if (!kin(at, address_types))
        kv_unsupported(err, "addressType", at, address_types);
    at = at ? at : "";
    const json_t *eps = kv_arr(doc, "endpoints", "", err);
    if (json_array_size(eps) > 1000) {
        too_many(err, "endpoints", json_array_size(eps), 1000);
        eps = NULL;
    }
    size_t i, j;
    json_t *e, *a;
    json_array_foreach(eps, i, e)
    {
        kp(ep, "endpoints[%zu]", i);
        if (!json_is_object(e)) {
            kv_type(err, ep, e, "object");
            continue;
        }
        const json_t *addrs = kv_arr(e, "addresses", ep, err);
        kchild(ap, ep, "addresses");
        if (json_array_size(addrs) == 0)
            kv_required(err, ap, "must contain at least 1 address");
        else if (json_array_size(addrs) > 100)
            too_many(err, ap, json_array_size(addrs), 100);
        json_array_foreach(addrs, j, a)
        {
            const char *s = json_string_value(a);
            unsigned char buf[16];
            kp(p, "%s[%zu]", ap, j);
            s = s ? s : "";
            if (!strcmp(at, "IPv4") && inet_pton(AF_INET, s, buf) != 1)
                kv_invalid_str(err, p, s, "must be a valid IPv4 address");
            else if (!strcmp(at, "IPv6") && inet_pton(AF_INET6, s, buf) != 1)
                kv_invalid_str(err, p, s, "must be a valid IPv6 address");
            else if (!strcmp(at, "FQDN"))
                fqdn(s, p, err);
        }
        const char *nn = kv_str(e, "nodeName", ep, err);
        if (nn)
            kv_dns_subdomain(nn, kchild(p, ep, "nodeName"), err);
        const json_t *topo = kv_strmap(e, "deprecatedTopology", ep, err);
        kchild(p, ep, "deprecatedTopology");
        if (json_object_size(topo) > 16)
            too_many(err, p, json_object_size(topo), 16);
        kv_labels(topo, p, err);
        const char *hn = kv_str(e, "hostname", ep, err);
        if (hn)
            kv_dns_label(hn, kchild(p, ep, "hostname"), err);
    }
    const json_t *ports = kv_arr(doc, "ports", "", err);
    if (json_array_size(ports) > 20000) {
        too_many(err, "ports", json_array_size(ports), 20000);
        return;
    }
    json_t *names = json_object();
    json_array_foreach(ports, i, e)
    {
        kp(ep, "ports[%zu]", i);
        if (!json_is_object(e)) {
            kv_type(err, ep, e, "object");
            continue;
        }
        const char *name = kv_str(e, "name", ep, err);
        name = name ? name : "";
        kchild(p, ep, "name");
        if (name[0])
            kv_dns_label(name, p, err);
        if (json_object_get(names, name))
            kv_duplicate_str(err, p, name);
        else
            json_object_set_new(names, name, json_true());
        const char *proto = kv_str(e, "protocol", ep, err);
        kchild(p, ep, "protocol");
        if (!proto)
            kv_required(err, p, NULL);
        else if (!kin(proto, protocols))
            kv_unsupported(err, p, proto, protocols);
        const char *app = kv_str(e, "appProtocol", ep, err);
        if (app)
            kv_qualified_name(app, kchild(p, ep, "appProtocol"), err);
        long long port;
        kv_int(e, "port", ep, err, &port);
    }
    json_decref(names);
}

/* ======================= Lease ======================= */

void kinds_lease_validate(const json_t *doc, struct fl_err *err)
{
    const json_t *spec = kv_obj(doc, "spec", "", err);
    long long v;
    if (kv_int(spec, "leaseDurationSeconds", "spec", err, &v) && v <= 0)
        kv_invalid_int(err, "spec.leaseDurationSeconds", v, "must be greater than 0");
    if (kv_int(spec, "leaseTransitions", "spec", err, &v) && v < 0)
        kv_invalid_int(err, "spec.leaseTransitions", v, "must be greater than or equal to 0");
    const char *strategy = kv_str(spec, "strategy", "spec", err);
    if (strategy && !kin(strategy, lease_strategies))
        kv_unsupported(err, "spec.strategy", strategy, lease_strategies);
    const char *ph = kv_str(spec, "preferredHolder", "spec", err);
    if (ph && ph[0] && (!strategy || !strategy[0]))
        kv_forbidden(err, "spec.preferredHolder", "may only be specified if `strategy` is defined");
    kv_str(spec, "holderIdentity", "spec", err);
    kv_str(spec, "acquireTime", "spec", err);
    kv_str(spec, "renewTime", "spec", err);
}

/* ======================= CustomResourceDefinition ======================= */

void kinds_crd_defaults(json_t *doc)
{
    json_t *spec = kd_obj(doc, "spec");
    json_t *names = kd_obj(spec, "names");
    const char *kind = json_string_value(kj(names, "kind"));
    if (kind && kind[0]) {
        char lower[256], list[300];
        size_t i = 0;
        for (; kind[i] && i + 1 < sizeof(lower); i++)
            lower[i] = (char)tolower((unsigned char)kind[i]);
        lower[i] = '\0';
        kd_str(names, "singular", lower);
        snprintf(list, sizeof(list), "%s", kind);
        strncat(list, "List", sizeof(list) - strlen(list) - 1);
        kd_str(names, "listKind", list);
    }
    json_t *conv = kd_obj(spec, "conversion");
    kd_str(conv, "strategy", "None");
    json_t *svc = kj(kj(kj(conv, "webhook"), "clientConfig"), "service");
    if (json_is_object(svc))
        kd_int(svc, "port", 443);
    /* status.storedVersions: the storage version, when empty. */
    json_t *st = kj(doc, "status");
    if (st && !json_is_object(st))
        return;
    if (json_array_size(kj(st, "storedVersions")) > 0)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(kj(spec, "versions"), i, v)
    {
        if (json_is_true(kj(v, "storage")) && json_is_string(kj(v, "name"))) {
            st = kd_obj(doc, "status");
            json_object_set_new(st, "storedVersions", json_pack("[O]", kj(v, "name")));
            break;
        }
    }
}

static void crd_name_field(const json_t *names, const char *key, bool mixed_case,
                           struct fl_err *err)
{
    char p[KP_MAX], lower[256], msg[1024];
    const char *v = kv_str(names, key, "spec.names", err);
    kp(p, "spec.names.%s", key);
    if (!v || !v[0]) {
        kv_required(err, p, NULL);
        return;
    }
    size_t i = 0;
    for (; v[i] && i + 1 < sizeof(lower); i++)
        lower[i] = (char)(mixed_case ? tolower((unsigned char)v[i]) : v[i]);
    lower[i] = '\0';
    if (kdns1035(lower, msg, sizeof(msg)))
        return;
    if (mixed_case) {
        char detail[1200];
        snprintf(detail, sizeof(detail), "may have mixed case, but should otherwise match: %s",
                 msg);
        kv_invalid_str(err, p, v, detail);
    } else {
        kv_invalid_str(err, p, v, msg);
    }
}

static void dns1035_list(const json_t *names, const char *key, struct fl_err *err)
{
    char p[KP_MAX], pl[KP_MAX];
    size_t i;
    json_t *v;
    kp(pl, "spec.names.%s", key);
    json_array_foreach(kv_arr(names, key, "spec.names", err), i, v)
    {
        const char *s = json_string_value(v);
        kp(p, "%s[%zu]", pl, i);
        if (!s)
            kv_type(err, p, v, "string");
        else if (!kv_is_dns1035(s))
            kv_dns1035(s, p, err);
    }
}

void kinds_crd_validate(const json_t *doc, struct fl_err *err)
{
    char p[KP_MAX], vp[KP_MAX];
    const json_t *spec = kv_obj(doc, "spec", "", err);
    const json_t *names = kv_obj(spec, "names", "spec", err);
    const char *group = kv_str(spec, "group", "spec", err);
    const char *plural = json_string_value(kj(names, "plural"));
    const char *name = json_string_value(kj(kj(doc, "metadata"), "name"));
    char want[600];
    snprintf(want, sizeof(want), "%s.%s", plural ? plural : "", group ? group : "");
    if (name && strcmp(name, want) != 0)
        kv_invalid_str(err, "metadata.name", name, "must be spec.names.plural+\".\"+spec.group");

    if (!group || !group[0]) {
        kv_required(err, "spec.group", NULL);
    } else {
        char msg[1024];
        if (!fl_name_dns1123_subdomain(group, msg, sizeof(msg))) {
            kmsg_rejoin(msg, ',');
            kv_invalid_str(err, "spec.group", group, msg);
        } else if (!strchr(group, '.')) {
            kv_invalid_str(err, "spec.group", group, "should be a domain with at least one dot");
        }
    }
    const char *scope = kv_str(spec, "scope", "spec", err);
    if (!scope || !scope[0])
        kv_required(err, "spec.scope", NULL);
    else if (!kin(scope, scopes))
        kv_unsupported(err, "spec.scope", scope, scopes);

    const json_t *versions = kv_arr(spec, "versions", "spec", err);
    static const char versions_repr[] = "[]apiextensions.CustomResourceDefinitionVersion{...}";
    if (json_array_size(versions) == 0)
        kv_invalid(err, "spec.versions", versions_repr,
                   "must have exactly one version marked as storage version");
    int storage = 0;
    bool unique = true;
    json_t *seen = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(versions, i, v)
    {
        kp(vp, "spec.versions[%zu]", i);
        if (!json_is_object(v)) {
            kv_type(err, vp, v, "object");
            continue;
        }
        bool b = false;
        if (kv_bool(v, "storage", vp, err, &b) && b)
            storage++;
        kv_bool(v, "served", vp, err, &b);
        const char *vn = kv_str(v, "name", vp, err);
        vn = vn ? vn : "";
        if (json_object_get(seen, vn))
            unique = false;
        json_object_set_new(seen, vn, json_true());
        if (!kv_is_dns1035(vn))
            kv_dns1035(vn, kchild(p, vp, "name"), err);
        const json_t *schema = kv_obj(v, "schema", vp, err);
        const json_t *root = kv_obj(schema, "openAPIV3Schema", kchild(p, vp, "schema"), err);
        kp(p, "%s.schema.openAPIV3Schema", vp);
        if (!root) {
            kv_required(err, p, "schemas are required");
        } else {
            const char *t = json_string_value(kj(root, "type"));
            char tp[KP_MAX];
            kchild(tp, p, "type");
            if (!t || !t[0])
                kv_required(err, tp, "must not be empty at the root");
            else if (strcmp(t, "object") != 0)
                kv_invalid_str(err, tp, t, "must be object at the root");
        }
    }
    json_decref(seen);
    if (json_array_size(versions) > 0 && storage != 1)
        kv_invalid(err, "spec.versions", versions_repr,
                   "must have exactly one version marked as storage version");
    if (!unique)
        kv_invalid(err, "spec.versions", versions_repr, "must contain unique version names");

    if (names) {
        crd_name_field(names, "plural", false, err);
        crd_name_field(names, "singular", false, err);
        crd_name_field(names, "kind", true, err);
        crd_name_field(names, "listKind", true, err);
        dns1035_list(names, "shortNames", err);
        dns1035_list(names, "categories", err);
        const char *kind = json_string_value(kj(names, "kind"));
        const char *list = json_string_value(kj(names, "listKind"));
        if (kind && kind[0] && list && !strcmp(kind, list))
            kv_invalid_str(err, "spec.names.listKind", list,
                           "kind and listKind may not be the same");
    } else {
        kv_required(err, "spec.names.plural", NULL);
        kv_required(err, "spec.names.kind", NULL);
    }
    const json_t *conv = kv_obj(spec, "conversion", "spec", err);
    const char *cs = kv_str(conv, "strategy", "spec.conversion", err);
    if (cs && !kin(cs, conversion_strategies))
        kv_unsupported(err, "spec.conversion.strategy", cs, conversion_strategies);
    if (cs && !strcmp(cs, "Webhook") && !kj(conv, "webhook"))
        kv_required(err, "spec.conversion.webhook", "required when strategy is set to Webhook");
}
