/*
 * core/v1 kinds other than Pod: Service, Secret, ServiceAccount, Event, Node,
 * PersistentVolumeClaim and Endpoints, after pkg/apis/core/v1/defaults.go and
 * pkg/apis/core/validation in kube-apiserver 1.32.
 *
 * Two things upstream does outside SetDefaults_* are done here because a
 * client sees them as defaults: a Service's ipFamilyPolicy / ipFamilies
 * (the REST strategy's, single-stack IPv4 cluster) and nodePort's range
 * check (the allocator's, default range 30000-32767). Allocating cluster IPs
 * and node ports is not done here. A Secret's stringData is merged into data
 * here, as the v1 → internal conversion does on every write.
 */
#include "api/kinds_int.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"

#define REPR_MAX 1024
#define SECRET_MAX_BYTES (1024 * 1024)
#define NODE_PORT_MIN 30000
#define NODE_PORT_MAX 32767
#define CLIENT_IP_TIMEOUT_DEFAULT 10800
#define CLIENT_IP_TIMEOUT_MAX 86400

static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
static const char *const service_types[] = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort",
                                            NULL};
static const char *const affinities[] = {"ClientIP", "None", NULL};
static const char *const traffic_policies[] = {"Cluster", "Local", NULL};
static const char *const family_policies[] = {"PreferDualStack", "RequireDualStack", "SingleStack",
                                              NULL};
static const char *const families[] = {"IPv4", "IPv6", NULL};
static const char *const access_modes[] = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                           "ReadWriteOncePod", NULL};
static const char *const volume_modes[] = {"Block", "Filesystem", NULL};
static const char *const taint_effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};

#define IP_MSG "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

/* 4 or 6 for a valid address, else 0. */
static int ip_family(const char *s)
{
    unsigned char buf[16];
    if (!s)
        return 0;
    if (inet_pton(AF_INET, s, buf) == 1)
        return 4;
    if (inet_pton(AF_INET6, s, buf) == 1)
        return 6;
    return 0;
}

/* ValidateNonSpecialIP. */
static void non_special_ip(const char *s, const char *path, struct fl_err *err)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, s, b) == 1) {
        if (!b[0] && !b[1] && !b[2] && !b[3])
            kv_invalid_str(err, path, s, "may not be unspecified (0.0.0.0)");
        else if (b[0] == 127)
            kv_invalid_str(err, path, s, "may not be in the loopback range (127.0.0.0/8, ::1/128)");
        else if (b[0] == 169 && b[1] == 254)
            kv_invalid_str(err, path, s,
                           "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
        else if (b[0] == 224 && b[1] == 0 && b[2] == 0)
            kv_invalid_str(err, path, s,
                           "may not be in the link-local multicast range (224.0.0.0/24, "
                           "ff02::/10)");
    } else if (inet_pton(AF_INET6, s, b) == 1) {
        static const unsigned char zero[16], loop[16] = {[15] = 1};
        if (!memcmp(b, zero, 16))
            kv_invalid_str(err, path, s, "may not be unspecified (::)");
        else if (!memcmp(b, loop, 16))
            kv_invalid_str(err, path, s, "may not be in the loopback range (127.0.0.0/8, ::1/128)");
        else if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
            kv_invalid_str(err, path, s,
                           "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
        else if (b[0] == 0xff && (b[1] & 0x0f) == 0x02)
            kv_invalid_str(err, path, s,
                           "may not be in the link-local multicast range (224.0.0.0/24, "
                           "ff02::/10)");
    }
}

/* ======================= Service ======================= */

static bool externally_accessible(const json_t *spec)
{
    const char *type = json_string_value(kj(spec, "type"));
    if (!type)
        return false;
    return !strcmp(type, "LoadBalancer") || !strcmp(type, "NodePort") ||
           (!strcmp(type, "ClusterIP") && json_array_size(kj(spec, "externalIPs")) > 0);
}

static bool headless(const json_t *spec)
{
    const char *ip = json_string_value(kj(spec, "clusterIP"));
    const json_t *ips = kj(spec, "clusterIPs");
    if (json_array_size(ips) > 0)
        ip = json_string_value(json_array_get(ips, 0));
    return ip && !strcmp(ip, "None");
}

void kinds_service_defaults(json_t *doc)
{
    json_t *spec = kd_obj(doc, "spec");
    if (!spec)
        return;
    kd_str(spec, "sessionAffinity", "None");
    const char *aff = json_string_value(kj(spec, "sessionAffinity"));
    if (aff && !strcmp(aff, "None"))
        json_object_del(spec, "sessionAffinityConfig");
    kd_str(spec, "type", "ClusterIP");
    size_t i;
    json_t *port;
    json_array_foreach(kj(spec, "ports"), i, port)
    {
        if (!json_is_object(port))
            continue;
        kd_str(port, "protocol", "TCP");
        json_t *tp = kj(port, "targetPort"), *pn = kj(port, "port");
        bool unset = !tp || (json_is_integer(tp) && json_integer_value(tp) == 0) ||
                     (json_is_string(tp) && json_string_length(tp) == 0);
        if (unset && json_is_integer(pn))
            json_object_set_new(port, "targetPort", json_integer(json_integer_value(pn)));
    }
    const char *type = json_string_value(kj(spec, "type"));
    type = type ? type : "";
    if (externally_accessible(spec))
        kd_str(spec, "externalTrafficPolicy", "Cluster");
    if (!strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer") || !strcmp(type, "ClusterIP"))
        kd_str(spec, "internalTrafficPolicy", "Cluster");
    if (!strcmp(type, "LoadBalancer"))
        kd_bool(spec, "allocateLoadBalancerNodePorts", true);
    if (aff && !strcmp(aff, "ClientIP")) {
        json_t *cfg = kj(spec, "sessionAffinityConfig");
        json_t *cip = kj(cfg, "clientIP");
        if (!json_is_object(cfg) || !json_is_object(cip) || kd_absent(cip, "timeoutSeconds"))
            json_object_set_new(
                spec, "sessionAffinityConfig",
                json_pack("{s:{s:i}}", "clientIP", "timeoutSeconds", CLIENT_IP_TIMEOUT_DEFAULT));
    }
    /* IP families, as the REST strategy sets them on a single-stack IPv4
     * cluster: headless services without a selector ask for dual stack. */
    if (strcmp(type, "ExternalName") != 0) {
        bool no_selector = json_object_size(kj(spec, "selector")) == 0;
        kd_str(spec, "ipFamilyPolicy",
               headless(spec) && no_selector ? "RequireDualStack" : "SingleStack");
        if (kd_absent(spec, "ipFamilies") || json_array_size(kj(spec, "ipFamilies")) == 0) {
            const char *ip = json_string_value(kj(spec, "clusterIP"));
            json_object_set_new(spec, "ipFamilies",
                                json_pack("[s]", ip_family(ip) == 6 ? "IPv6" : "IPv4"));
        }
    }
}

/* core.ServicePort{...} as %#v prints the (protocol, port) key. */
static void go_service_port_key(const char *proto, long long port, char *out, size_t len)
{
    char q[128];
    kv_quote(q, sizeof(q), proto);
    snprintf(out, len,
             "core.ServicePort{Name:\"\", Protocol:%s, AppProtocol:(*string)(nil), Port:%lld, "
             "TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}",
             q, port);
}

static void service_ports(const json_t *spec, const char *type, struct fl_err *err)
{
    char pp[KP_MAX], p[KP_MAX], repr[REPR_MAX];
    const json_t *ports = kv_arr(spec, "ports", "spec", err);
    bool many = json_array_size(ports) > 1;
    json_t *names = json_object(), *keys = json_object(), *node_keys = json_object();
    size_t i;
    json_t *port;
    json_array_foreach(ports, i, port)
    {
        kp(pp, "spec.ports[%zu]", i);
        if (!json_is_object(port)) {
            kv_type(err, pp, port, "object");
            continue;
        }
        const char *name = kv_str(port, "name", pp, err);
        kchild(p, pp, "name");
        if (many && (!name || !name[0])) {
            kv_required(err, p, NULL);
        } else if (name && name[0]) {
            kv_dns_label(name, p, err);
            if (json_object_get(names, name))
                kv_duplicate_str(err, p, name);
            else
                json_object_set_new(names, name, json_true());
        }
        kv_port_num(port, "port", pp, KPORT_RANGE, err);
        const char *proto = kv_str(port, "protocol", pp, err);
        kchild(p, pp, "protocol");
        if (!proto || !proto[0])
            kv_required(err, p, NULL);
        else if (!kin(proto, protocols))
            kv_unsupported(err, p, proto, protocols);
        /* targetPort: ValidatePortNumOrName */
        int t = kv_intstr(port, "targetPort", pp, err);
        json_t *tp = kj(port, "targetPort");
        kchild(p, pp, "targetPort");
        if (t == 0 || t == 1) {
            long long n = t ? json_integer_value(tp) : 0;
            if (n < 1 || n > 65535)
                kv_invalid_int(err, p, n, "must be between 1 and 65535, inclusive");
        } else if (t == 2) {
            kv_port_name(json_string_value(tp), p, err);
        }
        const char *ap = kv_str(port, "appProtocol", pp, err);
        if (ap)
            kv_qualified_name(ap, kchild(p, pp, "appProtocol"), err);
        long long np = 0;
        kv_int(port, "nodePort", pp, err, &np);
        kchild(p, pp, "nodePort");
        if (np != 0 && !strcmp(type, "ClusterIP"))
            kv_forbidden(err, p, "may not be used when `type` is 'ClusterIP'");
        else if (np != 0 && (np < NODE_PORT_MIN || np > NODE_PORT_MAX))
            kv_invalid_int(err, p, np,
                           "provided port is not in the valid range. The range of valid ports "
                           "is 30000-32767");
        char key[160];
        long long pn = 0;
        kv_int(port, "port", pp, NULL, &pn);
        if (np != 0) {
            snprintf(key, sizeof(key), "%s/%lld", proto ? proto : "", np);
            if (json_object_get(node_keys, key)) {
                char v[32];
                snprintf(v, sizeof(v), "%lld", np);
                fl_err_cause(err, "FieldValueDuplicate", p, "Duplicate value: %s", v);
            }
            json_object_set_new(node_keys, key, json_true());
        }
        snprintf(key, sizeof(key), "%s/%lld", proto ? proto : "", pn);
        if (json_object_get(keys, key)) {
            go_service_port_key(proto ? proto : "", pn, repr, sizeof(repr));
            fl_err_cause(err, "FieldValueDuplicate", pp, "Duplicate value: %s", repr);
        }
        json_object_set_new(keys, key, json_true());
    }
    json_decref(names);
    json_decref(keys);
    json_decref(node_keys);
}

static void service_ips(const json_t *spec, const char *type, struct fl_err *err)
{
    char p[KP_MAX];
    const json_t *ips = kv_arr(spec, "clusterIPs", "spec", err);
    const char *ip = kv_str(spec, "clusterIP", "spec", err);
    size_t n = json_array_size(ips);
    json_t *one = NULL;
    if (n == 0 && ip && ip[0]) {
        ips = one = json_pack("[s]", ip);
        n = 1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ips, i, v)
    {
        kp(p, "spec.clusterIPs[%zu]", i);
        const char *s = json_string_value(v);
        if (!s) {
            kv_type(err, p, v, "string");
            continue;
        }
        if (i == 0 && !strcmp(s, "None")) {
            if (n > 1)
                kv_invalid_str(err, p, s, "'None' must be the first and only value");
            if (!strcmp(type, "LoadBalancer") || !strcmp(type, "NodePort")) {
                char d[64];
                snprintf(d, sizeof(d), "may not be set to 'None' for %s services", type);
                kv_invalid_str(err, p, s, d);
            }
            continue;
        }
        if (!ip_family(s))
            kv_invalid_str(err, p, s, IP_MSG);
    }
    json_decref(one);
    const char *fp = kv_str(spec, "ipFamilyPolicy", "spec", err);
    if (fp && !kin(fp, family_policies))
        kv_unsupported(err, "spec.ipFamilyPolicy", fp, family_policies);
    const json_t *fams = kv_arr(spec, "ipFamilies", "spec", err);
    json_array_foreach(fams, i, v)
    {
        kp(p, "spec.ipFamilies[%zu]", i);
        const char *s = json_string_value(v);
        if (!kin(s ? s : "", families))
            kv_unsupported(err, p, s ? s : "", families);
        else if (i == 1 && !strcmp(s, json_string_value(json_array_get(fams, 0)) ?: ""))
            kv_duplicate_str(err, p, s);
    }
    if (json_array_size(fams) > 2)
        kv_invalid(err, "spec.ipFamilies", "[]core.IPFamily{...}",
                   "may specify no more than one IP for each IP family");
}

void kinds_service_validate(const json_t *doc, struct fl_err *err)
{
    char p[KP_MAX];
    const json_t *spec = kv_obj(doc, "spec", "", err);
    const char *type = kv_str(spec, "type", "spec", err);
    type = type ? type : "";
    const json_t *ports = kj(spec, "ports");
    if (json_array_size(ports) == 0 && !headless(spec) && strcmp(type, "ExternalName") != 0)
        kv_required(err, "spec.ports", NULL);
    if (!strcmp(type, "ExternalName")) {
        if (json_array_size(kj(spec, "clusterIPs")) > 0 ||
            (json_string_length(kj(spec, "clusterIP")) > 0))
            kv_forbidden(err, "spec.clusterIPs", "may not be set for ExternalName services");
        if (json_array_size(kj(spec, "ipFamilies")) > 0)
            kv_forbidden(err, "spec.ipFamilies", "may not be set for ExternalName services");
        if (kj(spec, "ipFamilyPolicy"))
            kv_forbidden(err, "spec.ipFamilyPolicy", "may not be set for ExternalName services");
        const char *en = kv_str(spec, "externalName", "spec", err);
        char clean[512];
        snprintf(clean, sizeof(clean), "%s", en ? en : "");
        size_t n = strlen(clean);
        if (n && clean[n - 1] == '.')
            clean[--n] = '\0';
        if (n)
            kv_dns_subdomain(clean, "spec.externalName", err);
        else
            kv_required(err, "spec.externalName", NULL);
    }
    if (!strcmp(type, "LoadBalancer")) {
        size_t i;
        json_t *port;
        json_array_foreach(ports, i, port)
        {
            json_t *pn = kj(port, "port");
            if (json_is_integer(pn) && json_integer_value(pn) == 10250)
                kv_invalid_int(err, kp(p, "spec.ports[%zu]", i), 10250,
                               "may not expose port 10250 externally since it is used by kubelet");
        }
    }
    service_ports(spec, type, err);
    kv_labels(kv_strmap(spec, "selector", "spec", err), "spec.selector", err);

    const char *aff = kv_str(spec, "sessionAffinity", "spec", err);
    if (!aff || !aff[0])
        kv_required(err, "spec.sessionAffinity", NULL);
    else if (!kin(aff, affinities))
        kv_unsupported(err, "spec.sessionAffinity", aff, affinities);
    const json_t *cfg = kv_obj(spec, "sessionAffinityConfig", "spec", err);
    if (aff && !strcmp(aff, "ClientIP")) {
        const char *cp = "spec.sessionAffinityConfig";
        const json_t *cip = kv_obj(cfg, "clientIP", cp, err);
        long long t;
        if (!cfg)
            kv_required(err, cp, "when session affinity type is ClientIP");
        else if (!cip)
            kv_required(err, kp(p, "%s.clientIP", cp), "when session affinity type is ClientIP");
        else if (!kv_int(cip, "timeoutSeconds", "spec.sessionAffinityConfig.clientIP", err, &t))
            kv_required(err, kp(p, "%s.clientIP.timeoutSeconds", cp),
                        "when session affinity type is ClientIP");
        else if (t <= 0 || t > CLIENT_IP_TIMEOUT_MAX)
            kv_invalid_int(err, kp(p, "%s.clientIP.timeoutSeconds", cp), t,
                           "must be greater than 0 and less than 86400");
    } else if (aff && !strcmp(aff, "None") && cfg) {
        kv_forbidden(err, "spec.sessionAffinityConfig",
                     "must not be set when session affinity is None");
    }

    service_ips(spec, type, err);
    size_t i;
    json_t *v;
    json_array_foreach(kv_arr(spec, "externalIPs", "spec", err), i, v)
    {
        kp(p, "spec.externalIPs[%zu]", i);
        const char *s = json_string_value(v);
        if (!ip_family(s))
            kv_invalid_str(err, p, s ? s : "", IP_MSG);
        else
            non_special_ip(s, p, err);
    }
    if (!type[0])
        kv_required(err, "spec.type", NULL);
    else if (!kin(type, service_types))
        kv_unsupported(err, "spec.type", type, service_types);

    const char *etp = kv_str(spec, "externalTrafficPolicy", "spec", err);
    if (!externally_accessible(spec)) {
        if (etp && etp[0])
            kv_invalid_str(err, "spec.externalTrafficPolicy", etp,
                           "may only be set for externally-accessible services");
    } else if (!etp || !etp[0]) {
        kv_required(err, "spec.externalTrafficPolicy", NULL);
    } else if (!kin(etp, traffic_policies)) {
        kv_unsupported(err, "spec.externalTrafficPolicy", etp, traffic_policies);
    }
    long long hc = 0;
    kv_int(spec, "healthCheckNodePort", "spec", err, &hc);
    if (hc != 0 && !(!strcmp(type, "LoadBalancer") && etp && !strcmp(etp, "Local")))
        kv_invalid_int(err, "spec.healthCheckNodePort", hc,
                       "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` "
                       "is 'Local'");
    const char *itp = kv_str(spec, "internalTrafficPolicy", "spec", err);
    if (!itp &&
        (!strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer") || !strcmp(type, "ClusterIP")))
        kv_required(err, "spec.internalTrafficPolicy", "must be specified");
    if (itp && !kin(itp, traffic_policies))
        kv_unsupported(err, "spec.internalTrafficPolicy", itp, traffic_policies);
}

/* ======================= Secret ======================= */

static const char redacted[] = "\"<secret contents redacted>\"";

void kinds_secret_defaults(json_t *doc)
{
    kd_str(doc, "type", "Opaque");
    /* stringData wins over data, base64-encoded, and is never stored. */
    json_t *sd = kj(doc, "stringData");
    if (!json_is_object(sd)) {
        if (json_object_get(doc, "stringData") && json_is_null(json_object_get(doc, "stringData")))
            json_object_del(doc, "stringData");
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(sd, k, v)
    {
        if (!json_is_string(v))
            return; /* validation reports it */
    }
    json_t *data = kd_obj(doc, "data");
    if (!data)
        return;
    json_object_foreach(sd, k, v)
    {
        size_t n = json_string_length(v);
        unsigned char *out = fl_xmalloc(4 * ((n + 2) / 3) + 1);
        int len = EVP_EncodeBlock(out, (const unsigned char *)json_string_value(v), (int)n);
        json_object_set_new(data, k, json_stringn((const char *)out, (size_t)(len < 0 ? 0 : len)));
        free(out);
    }
    json_object_del(doc, "stringData");
}

/* Decoded length of standard base64 text as Go's StdEncoding reads it
 * (padding required, \r and \n ignored), or -1 with the offset of the
 * first bad byte. OpenSSL does the decoding; this only checks the shape
 * EVP_DecodeBlock is lenient about (whitespace, misplaced padding). */
static long long base64_len(const char *s, size_t *bad)
{
    size_t n = strlen(s), m = 0;
    char *clean = fl_xmalloc(n + 1);
    long long len = -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\r' || c == '\n')
            continue;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '=')) {
            *bad = i;
            goto out;
        }
        clean[m++] = c;
    }
    clean[m] = '\0';
    if (m % 4 != 0) {
        *bad = m;
        goto out;
    }
    size_t pad = 0;
    while (pad < 2 && pad < m && clean[m - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i + pad < m; i++)
        if (clean[i] == '=') {
            *bad = i;
            goto out;
        }
    if (m == 0) {
        len = 0;
        goto out;
    }
    unsigned char *dec = fl_xmalloc(m / 4 * 3 + 1);
    int r = EVP_DecodeBlock(dec, (const unsigned char *)clean, (int)m);
    free(dec);
    if (r < 0) {
        *bad = 0;
        goto out;
    }
    len = r - (long long)pad;
out:
    free(clean);
    return len;
}

void kinds_secret_validate(const json_t *doc, struct fl_err *err)
{
    char p[KP_MAX];
    const json_t *data = kv_strmap(doc, "data", "", err);
    kv_strmap(doc, "stringData", "", err);
    long long total = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)data, k, v)
    {
        kp(p, "data[%s]", k);
        kv_config_key(k, p, err);
        size_t bad = 0;
        long long n = base64_len(json_string_value(v), &bad);
        if (n < 0)
            kv_invalid(err, p, redacted, "illegal base64 data at input byte %zu", bad);
        else
            total += n;
    }
    if (total > SECRET_MAX_BYTES)
        kv_toolong(err, "data", SECRET_MAX_BYTES);
    const char *type = kv_str(doc, "type", "", err);
    type = type ? type : "";
    const json_t *md = kj(doc, "metadata");
#define HAS(key) (data && kj(data, key))
    if (!strcmp(type, "kubernetes.io/service-account-token")) {
        const char *sa =
            json_string_value(kj(kj(md, "annotations"), "kubernetes.io/service-account.name"));
        if (!sa || !sa[0])
            kv_required(err, "metadata.annotations[kubernetes.io/service-account.name]", NULL);
    } else if (!strcmp(type, "kubernetes.io/dockercfg")) {
        if (!HAS(".dockercfg"))
            kv_required(err, "data[.dockercfg]", NULL);
    } else if (!strcmp(type, "kubernetes.io/dockerconfigjson")) {
        if (!HAS(".dockerconfigjson"))
            kv_required(err, "data[.dockerconfigjson]", NULL);
    } else if (!strcmp(type, "kubernetes.io/basic-auth")) {
        if (!HAS("username") && !HAS("password")) {
            kv_required(err, "data[username]", NULL);
            kv_required(err, "data[password]", NULL);
        }
    } else if (!strcmp(type, "kubernetes.io/ssh-auth")) {
        if (!HAS("ssh-privatekey") || !json_string_length(kj(data, "ssh-privatekey")))
            kv_required(err, "data[ssh-privatekey]", NULL);
    } else if (!strcmp(type, "kubernetes.io/tls")) {
        if (!HAS("tls.crt"))
            kv_required(err, "data[tls.crt]", NULL);
        if (!HAS("tls.key"))
            kv_required(err, "data[tls.key]", NULL);
    }
#undef HAS
    bool b;
    kv_bool(doc, "immutable", "", err, &b);
}

/* ======================= ServiceAccount ======================= */

void kinds_serviceaccount_validate(const json_t *doc, struct fl_err *err)
{
    bool b;
    kv_arr(doc, "secrets", "", err);
    kv_arr(doc, "imagePullSecrets", "", err);
    kv_bool(doc, "automountServiceAccountToken", "", err, &b);
}

/* ======================= Event ======================= */

void kinds_event_validate(const json_t *doc, struct fl_err *err)
{
    const char *ns = json_string_value(kj(kj(doc, "metadata"), "namespace"));
    const json_t *io = kv_obj(doc, "involvedObject", "", err);
    const char *ions = kv_str(io, "namespace", "involvedObject", err);
    ns = ns ? ns : "";
    ions = ions ? ions : "";
    if (!kj(doc, "eventTime")) {
        if (!ions[0] ? (ns[0] && strcmp(ns, "default") != 0) : strcmp(ns, ions) != 0)
            kv_invalid_str(err, "involvedObject.namespace", ions, "does not match event.namespace");
        return;
    }
    /* "New" events (eventTime set). */
    if (!ions[0] && strcmp(ns, "default") != 0 && strcmp(ns, "kube-system") != 0)
        kv_invalid_str(err, "involvedObject.namespace", ions, "does not match event.namespace");
    const char *rc = kv_str(doc, "reportingComponent", "", err);
    if (!rc || !rc[0])
        kv_required(err, "reportingController", NULL);
    kv_qualified_name(rc ? rc : "", "reportingController", err);
    static const struct {
        const char *key, *path;
        size_t max;
        bool required;
    } lim[] = {{"reportingInstance", "reportingInstance", 128, true},
               {"action", "action", 128, true},
               {"reason", "reason", 128, true},
               {"message", "message", 1024, false}};
    for (size_t i = 0; i < FL_ARRAY_LEN(lim); i++) {
        const char *s = kv_str(doc, lim[i].key, "", err);
        if (lim[i].required && (!s || !s[0]))
            kv_required(err, lim[i].path, NULL);
        if (s && strlen(s) > lim[i].max) {
            char d[64];
            snprintf(d, sizeof(d), "can have at most %zu characters", lim[i].max);
            kv_invalid_str(err, lim[i].path, "", d);
        }
    }
}

/* ======================= Node ======================= */

void kinds_node_defaults(json_t *doc)
{
    json_t *st = kj(doc, "status");
    if (!json_is_object(st))
        return;
    kd_quantities(st, "capacity");
    kd_quantities(st, "allocatable");
    json_t *cap = kj(st, "capacity");
    if (json_is_object(cap) && kd_absent(st, "allocatable"))
        json_object_set_new(st, "allocatable", json_deep_copy(cap));
}

void kinds_taints_validate(const json_t *list, const char *path, const char *const *effects,
                           const char *go_type, struct fl_err *err)
{
    char tp[KP_MAX], p[KP_MAX], repr[REPR_MAX];
    json_t *seen = json_object();
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t)
    {
        kp(tp, "%s[%zu]", path, i);
        if (!json_is_object(t)) {
            kv_type(err, tp, t, "object");
            continue;
        }
        const char *key = kv_str(t, "key", tp, err);
        const char *value = kv_str(t, "value", tp, err);
        const char *effect = kv_str(t, "effect", tp, err);
        key = key ? key : "";
        value = value ? value : "";
        effect = effect ? effect : "";
        kv_qualified_name(key, kchild(p, tp, "key"), err);
        char msg[1024];
        if (!fl_name_label_value(value, msg, sizeof(msg))) {
            kmsg_rejoin(msg, ';');
            kv_invalid_str(err, kchild(p, tp, "value"), value, msg);
        }
        kchild(p, tp, "effect");
        if (!effect[0])
            kv_required(err, p, NULL);
        else if (!kin(effect, effects))
            kv_unsupported(err, p, effect, effects);
        char uk[600];
        snprintf(uk, sizeof(uk), "%s\n%s", effect, key);
        if (json_object_get(seen, uk)) {
            char qk[256], qv[256], qe[128];
            kv_quote(qk, sizeof(qk), key);
            kv_quote(qv, sizeof(qv), value);
            kv_quote(qe, sizeof(qe), effect);
            snprintf(repr, sizeof(repr),
                     "%s{Key:%s, Value:%s, Effect:%s, TimeAdded:(*v1.Time)(%s)}", go_type, qk, qv,
                     qe, kj(t, "timeAdded") ? "0xc000000000" : "nil");
            fl_err_cause(err, "FieldValueDuplicate", tp,
                         "Duplicate value: %s: taints must be unique by key and effect pair", repr);
            continue;
        }
        json_object_set_new(seen, uk, json_true());
    }
    json_decref(seen);
}

/* A CIDR "<ip>/<bits>". */
static bool cidr_ok(const char *s)
{
    char ip[64];
    const char *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) >= sizeof(ip))
        return false;
    memcpy(ip, s, (size_t)(slash - s));
    ip[slash - s] = '\0';
    int fam = ip_family(ip);
    char *end;
    long bits = strtol(slash + 1, &end, 10);
    return fam && *end == '\0' && slash[1] && bits >= 0 && bits <= (fam == 4 ? 32 : 128);
}

void kinds_node_validate(const json_t *doc, struct fl_err *err)
{
    char p[KP_MAX];
    const json_t *spec = kv_obj(doc, "spec", "", err);
    const json_t *st = kv_obj(doc, "status", "", err);
    static const char *const lists[] = {"capacity", "allocatable"};
    for (size_t l = 0; l < 2; l++) {
        const char *k;
        json_t *v;
        char lp[KP_MAX];
        kp(lp, "status.%s", lists[l]);
        json_object_foreach((json_t *)kv_obj(st, lists[l], "status", err), k, v)
        {
            struct fl_quantity q;
            char canon[FL_QUANTITY_STR_MAX];
            kp(p, "%s.%s", lp, k);
            if (kv_quantity(kj(st, lists[l]), k, p, err, &q) && fl_quantity_sign(&q) < 0) {
                fl_quantity_format(&q, canon, sizeof(canon));
                kv_invalid_str(err, p, canon, "must be greater than or equal to 0");
            }
        }
    }
    const json_t *cidrs = kv_arr(spec, "podCIDRs", "spec", err);
    size_t i;
    json_t *c;
    json_array_foreach(cidrs, i, c)
    {
        const char *s = json_string_value(c);
        kp(p, "spec.podCIDRs[%zu]", i);
        if (!s || !cidr_ok(s))
            kv_invalid_str(err, p, s ? s : "",
                           "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
    }
    if (json_array_size(cidrs) > 2)
        kv_invalid(err, "spec.podCIDRs", "[]string{...}",
                   "may specify no more than one CIDR for each IP family");
    bool b;
    kv_bool(spec, "unschedulable", "spec", err, &b);
    kinds_taints_validate(kv_arr(spec, "taints", "spec", err), "spec.taints", taint_effects,
                          "core.Taint", err);
}

/* ======================= PersistentVolumeClaim ======================= */

void kinds_pvc_defaults(json_t *pvc)
{
    json_t *spec = kd_obj(pvc, "spec");
    kd_str(spec, "volumeMode", "Filesystem");
    json_t *res = kd_obj(spec, "resources");
    kd_quantities(res, "requests");
    kd_quantities(res, "limits");
    json_t *st = kd_obj(pvc, "status");
    kd_str(st, "phase", "Pending");
}

void kinds_pvc_object_defaults(json_t *doc)
{
    kinds_pvc_defaults(doc);
}

void kinds_pvc_spec_validate(const json_t *spec, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    const json_t *modes = kv_arr(spec, "accessModes", path, err);
    kchild(p, path, "accessModes");
    if (json_array_size(modes) == 0)
        kv_required(err, p, "at least 1 access mode is required");
    bool rwop = false;
    size_t i;
    json_t *m;
    json_array_foreach(modes, i, m)
    {
        const char *s = json_string_value(m);
        if (!kin(s ? s : "", access_modes))
            kv_unsupported(err, p, s ? s : "", access_modes);
        rwop |= s && !strcmp(s, "ReadWriteOncePod");
    }
    if (rwop && json_array_size(modes) > 1)
        kv_forbidden(err, p, "may not use ReadWriteOncePod with other access modes");
    kv_label_selector(kv_obj(spec, "selector", path, err), kchild(p, path, "selector"), err);
    const json_t *res = kv_obj(spec, "resources", path, err);
    const json_t *req = kv_obj(res, "requests", kchild(p, path, "resources"), err);
    kp(p, "%s.resources[storage]", path);
    struct fl_quantity q;
    char canon[FL_QUANTITY_STR_MAX];
    if (!kj(req, "storage")) {
        kv_required(err, p, NULL);
    } else if (kv_quantity(req, "storage", p, err, &q) && fl_quantity_sign(&q) <= 0) {
        fl_quantity_format(&q, canon, sizeof(canon));
        kv_invalid_str(err, p, canon, "must be greater than zero");
    }
    const char *sc = kv_str(spec, "storageClassName", path, err);
    if (sc && sc[0])
        kv_dns_subdomain(sc, kchild(p, path, "storageClassName"), err);
    const char *vm = kv_str(spec, "volumeMode", path, err);
    if (vm && !kin(vm, volume_modes))
        kv_unsupported(err, kchild(p, path, "volumeMode"), vm, volume_modes);
}

void kinds_pvc_validate(const json_t *doc, struct fl_err *err)
{
    kinds_pvc_spec_validate(kv_obj(doc, "spec", "", err), "spec", err);
}

/* ======================= Endpoints ======================= */

void kinds_endpoints_defaults(json_t *doc)
{
    size_t i, j;
    json_t *ss, *port;
    json_array_foreach(kj(doc, "subsets"), i, ss)
    {
        json_array_foreach(kj(ss, "ports"), j, port)
        {
            if (json_is_object(port))
                kd_str(port, "protocol", "TCP");
        }
    }
}

static void endpoint_address(const json_t *a, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    if (!json_is_object(a)) {
        kv_type(err, path, a, "object");
        return;
    }
    const char *ip = kv_str(a, "ip", path, err);
    kchild(p, path, "ip");
    if (!ip_family(ip))
        kv_invalid_str(err, p, ip ? ip : "", IP_MSG);
    const char *hn = kv_str(a, "hostname", path, err);
    if (hn && hn[0])
        kv_dns_label(hn, kchild(p, path, "hostname"), err);
    const char *nn = kv_str(a, "nodeName", path, err);
    if (nn)
        kv_dns_subdomain(nn, kchild(p, path, "nodeName"), err);
    if (ip_family(ip))
        non_special_ip(ip, kchild(p, path, "ip"), err);
}

void kinds_endpoints_validate(const json_t *doc, struct fl_err *err)
{
    char sp[KP_MAX], p[KP_MAX], pp[KP_MAX];
    size_t i, j;
    json_t *ss, *x;
    json_array_foreach(kv_arr(doc, "subsets", "", err), i, ss)
    {
        kp(sp, "subsets[%zu]", i);
        if (!json_is_object(ss)) {
            kv_type(err, sp, ss, "object");
            continue;
        }
        const json_t *addrs = kv_arr(ss, "addresses", sp, err);
        const json_t *nready = kv_arr(ss, "notReadyAddresses", sp, err);
        if (json_array_size(addrs) == 0 && json_array_size(nready) == 0)
            kv_required(err, sp, "must specify `addresses` or `notReadyAddresses`");
        json_array_foreach(addrs, j, x)
        {
            endpoint_address(x, kp(p, "%s.addresses[%zu]", sp, j), err);
        }
        json_array_foreach(nready, j, x)
        {
            endpoint_address(x, kp(p, "%s.notReadyAddresses[%zu]", sp, j), err);
        }
        const json_t *ports = kv_arr(ss, "ports", sp, err);
        bool many = json_array_size(ports) > 1;
        json_array_foreach(ports, j, x)
        {
            kp(pp, "%s.ports[%zu]", sp, j);
            if (!json_is_object(x)) {
                kv_type(err, pp, x, "object");
                continue;
            }
            const char *name = kv_str(x, "name", pp, err);
            kchild(p, pp, "name");
            if (many && (!name || !name[0]))
                kv_required(err, p, NULL);
            else if (name && name[0])
                kv_dns_label(name, p, err);
            kv_port_num(x, "port", pp, KPORT_RANGE, err);
            const char *proto = kv_str(x, "protocol", pp, err);
            kchild(p, pp, "protocol");
            if (!proto || !proto[0])
                kv_required(err, p, NULL);
            else if (!kin(proto, protocols))
                kv_unsupported(err, p, proto, protocols);
            const char *ap = kv_str(x, "appProtocol", pp, err);
            if (ap)
                kv_qualified_name(ap, kchild(p, pp, "appProtocol"), err);
        }
    }
}
