/*
 * Pods and pod templates: the defaults kube-apiserver 1.32 fills in a PodSpec
 * (SetDefaults_PodSpec, _Container, _Probe, _Volume, ... and, for Pod objects
 * only, SetDefaults_Pod) and ValidatePodSpec / ValidatePodTemplateSpec. Every
 * workload kind (Deployment, StatefulSet, ReplicaSet, DaemonSet) reuses these
 * through kinds_int.h, with field paths prefixed by the template's path, e.g.
 * "spec.template.spec.containers[0].image".
 *
 * Covered: containers (names, images, ports, env, envFrom, volume mounts,
 * pull policy, termination message policy, resources, probes, lifecycle),
 * init and ephemeral containers, volumes (names, one source, the common
 * sources' required fields, modes), restart and DNS policies, node selector,
 * tolerations, names of the service account / node / priority class,
 * hostname, subdomain, activeDeadlineSeconds, hostNetwork ports. Not covered
 * (accepted as is): affinity, topology spread, security contexts, DNS config
 * contents, host aliases, readiness and scheduling gates, overhead, OS.
 */
#include "api/kinds_int.h"

#include <stdio.h>
#include <string.h>

#include "api/kinds.h"
#include "core/names.h"
#include "core/obj.h"

static const char *const volume_sources[] = {"hostPath",
                                             "emptyDir",
                                             "gcePersistentDisk",
                                             "awsElasticBlockStore",
                                             "gitRepo",
                                             "secret",
                                             "nfs",
                                             "iscsi",
                                             "glusterfs",
                                             "persistentVolumeClaim",
                                             "rbd",
                                             "flexVolume",
                                             "cinder",
                                             "cephfs",
                                             "flocker",
                                             "downwardAPI",
                                             "fc",
                                             "azureFile",
                                             "configMap",
                                             "vsphereVolume",
                                             "quobyte",
                                             "azureDisk",
                                             "photonPersistentDisk",
                                             "projected",
                                             "portworxVolume",
                                             "scaleIO",
                                             "storageos",
                                             "csi",
                                             "ephemeral",
                                             "image",
                                             NULL};

static const char *const restart_policies[] = {"Always", "OnFailure", "Never", NULL};
static const char *const dns_policies[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default",
                                           "None", NULL};
static const char *const pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};
static const char *const message_policies[] = {"File", "FallbackToLogsOnError", NULL};
static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
static const char *const http_schemes[] = {"HTTP", "HTTPS", NULL};
static const char *const env_field_paths[] = {
    "metadata.annotations", "metadata.labels", "metadata.name",           "metadata.namespace",
    "metadata.uid",         "spec.nodeName",   "spec.serviceAccountName", "status.hostIP",
    "status.hostIPs",       "status.podIP",    "status.podIPs",           NULL};
static const char *const always_only[] = {"Always", NULL};
static const char *const taint_effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};
static const char *const toleration_ops[] = {"Equal", "Exists", NULL};

#define FILE_MODE_MSG "must be a number between 0 and 0777 (octal), both inclusive"

/* ======================= defaults ======================= */

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A repository path component: [a-z0-9]+ joined by '.', '_', "__" or '-'+. */
static bool path_component_ok(const char *s, size_t n)
{
    if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
        return false;
    for (size_t i = 0; i < n;) {
        if (lower_alnum(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        if (s[i] == '.' || s[i] == '_') {
            j++;
            if (s[i] == '_' && j < n && s[j] == '_')
                j++;
        } else if (s[i] == '-') {
            while (j < n && s[j] == '-')
                j++;
        } else {
            return false;
        }
        if (j >= n || !lower_alnum(s[j]))
            return false;
        i = j;
    }
    return true;
}

/* SetDefaults_Container's pull policy: Always when the image's tag is
 * "latest" or it has neither tag nor digest; IfNotPresent otherwise,
 * including when the reference does not parse (parsers.ParseImageName). */
static bool pulls_always(const char *image)
{
    if (!image || !image[0])
        return false;
    char ref[1024];
    snprintf(ref, sizeof(ref), "%s", image);
    char *at = strchr(ref, '@');
    bool digest = false;
    if (at) {
        *at = '\0';
        if (!strchr(at + 1, ':'))
            return false;
        digest = true;
    }
    char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');
    const char *tag = NULL;
    if (colon && (!slash || colon > slash)) {
        *colon = '\0';
        tag = colon + 1;
        size_t tn = strlen(tag);
        if (tn == 0 || tn > 128)
            return false;
        for (const char *p = tag; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || (p != tag && (*p == '.' || *p == '-'))))
                return false;
    }
    /* Name: optional domain, then lower-case path components. */
    char *name = ref;
    char *first = strchr(name, '/');
    if (first) {
        size_t dn = (size_t)(first - name);
        bool domain = (dn == 9 && !strncmp(name, "localhost", 9));
        for (size_t i = 0; i < dn; i++)
            if (name[i] == '.' || name[i] == ':' || (name[i] >= 'A' && name[i] <= 'Z'))
                domain = true;
        if (domain)
            name = first + 1;
    }
    for (char *p = name;;) {
        char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!path_component_ok(p, n))
            return false;
        if (!e)
            break;
        p = e + 1;
    }
    if (tag)
        return !strcmp(tag, "latest");
    return !digest;
}

static void handler_defaults(json_t *h)
{
    json_t *get = kj(h, "httpGet");
    if (json_is_object(get)) {
        kd_str(get, "path", "/");
        kd_str(get, "scheme", "HTTP");
    }
}

static void probe_defaults(json_t *p)
{
    if (!json_is_object(p))
        return;
    kd_int0(p, "timeoutSeconds", 1);
    kd_int0(p, "periodSeconds", 10);
    kd_int0(p, "successThreshold", 1);
    kd_int0(p, "failureThreshold", 3);
    handler_defaults(p);
    json_t *grpc = kj(p, "grpc");
    if (json_is_object(grpc) && kd_absent(grpc, "service"))
        json_object_set_new(grpc, "service", json_string(""));
}

/* ObjectFieldSelector apiVersion "v1"; ResourceFieldSelector divisor "0" (a
 * non-pointer Quantity, always serialized) and canonical. */
static void field_refs_defaults(json_t *holder)
{
    json_t *fr = kj(holder, "fieldRef"), *rr = kj(holder, "resourceFieldRef");
    if (json_is_object(fr))
        kd_str(fr, "apiVersion", "v1");
    if (json_is_object(rr)) {
        if (kd_absent(rr, "divisor"))
            json_object_set_new(rr, "divisor", json_string("0"));
        kd_quantity(rr, "divisor");
    }
}

static void container_defaults(json_t *c)
{
    size_t i;
    json_t *x;
    if (!json_is_object(c))
        return;
    const char *image = json_string_value(kj(c, "image"));
    kd_str(c, "imagePullPolicy", pulls_always(image) ? "Always" : "IfNotPresent");
    kd_str(c, "terminationMessagePath", "/dev/termination-log");
    kd_str(c, "terminationMessagePolicy", "File");
    json_t *res = kd_obj(c, "resources");
    kd_quantities(res, "limits");
    kd_quantities(res, "requests");
    json_array_foreach(kj(c, "ports"), i, x)
    {
        if (json_is_object(x))
            kd_str(x, "protocol", "TCP");
    }
    json_array_foreach(kj(c, "env"), i, x)
    {
        field_refs_defaults(kj(x, "valueFrom"));
    }
    probe_defaults(kj(c, "livenessProbe"));
    probe_defaults(kj(c, "readinessProbe"));
    probe_defaults(kj(c, "startupProbe"));
    json_t *lc = kj(c, "lifecycle");
    handler_defaults(kj(lc, "postStart"));
    handler_defaults(kj(lc, "preStop"));
}

static void downward_items_defaults(json_t *dapi)
{
    size_t i;
    json_t *item;
    json_array_foreach(kj(dapi, "items"), i, item)
    {
        field_refs_defaults(item);
    }
}

static void volume_defaults(json_t *v)
{
    if (!json_is_object(v))
        return;
    bool any = false;
    for (size_t i = 0; volume_sources[i]; i++)
        if (kj(v, volume_sources[i]))
            any = true;
    if (!any)
        json_object_set_new(v, "emptyDir", json_object());
    json_t *s;
    if ((s = kj(v, "secret")) && json_is_object(s))
        kd_int(s, "defaultMode", 0644);
    if ((s = kj(v, "configMap")) && json_is_object(s))
        kd_int(s, "defaultMode", 0644);
    if ((s = kj(v, "downwardAPI")) && json_is_object(s)) {
        kd_int(s, "defaultMode", 0644);
        downward_items_defaults(s);
    }
    if ((s = kj(v, "projected")) && json_is_object(s)) {
        kd_int(s, "defaultMode", 0644);
        size_t i;
        json_t *src;
        json_array_foreach(kj(s, "sources"), i, src)
        {
            downward_items_defaults(kj(src, "downwardAPI"));
            json_t *tok = kj(src, "serviceAccountToken");
            if (json_is_object(tok))
                kd_int(tok, "expirationSeconds", 3600);
        }
    }
    if ((s = kj(v, "hostPath")) && json_is_object(s) && kd_absent(s, "type"))
        json_object_set_new(s, "type", json_string(""));
    if ((s = kj(v, "emptyDir")) && json_is_object(s))
        kd_quantity(s, "sizeLimit");
    if ((s = kj(v, "iscsi")) && json_is_object(s))
        kd_str(s, "iscsiInterface", "default");
    if ((s = kj(v, "rbd")) && json_is_object(s)) {
        kd_str(s, "pool", "rbd");
        kd_str(s, "user", "admin");
        kd_str(s, "keyring", "/etc/ceph/keyring");
    }
    if ((s = kj(v, "azureDisk")) && json_is_object(s)) {
        kd_str(s, "cachingMode", "ReadWrite");
        kd_str(s, "fsType", "ext4");
        kd_bool(s, "readOnly", false);
        kd_str(s, "kind", "Shared");
    }
    if ((s = kj(v, "scaleIO")) && json_is_object(s)) {
        kd_str(s, "storageMode", "ThinProvisioned");
        kd_str(s, "fsType", "xfs");
    }
    json_t *eph = kj(v, "ephemeral");
    json_t *vct = kj(eph, "volumeClaimTemplate");
    if (json_is_object(vct)) {
        json_t *spec = kj(vct, "spec");
        if (json_is_object(spec)) {
            kd_str(spec, "volumeMode", "Filesystem");
            json_t *res = kd_obj(spec, "resources");
            kd_quantities(res, "requests");
            kd_quantities(res, "limits");
        }
    }
}

/* SetDefaults_Pod: requests default to limits, per resource. */
static void requests_from_limits(json_t *c)
{
    json_t *res = kj(c, "resources");
    json_t *lim = kj(res, "limits");
    if (!json_is_object(lim))
        return;
    json_t *req = kd_obj(res, "requests");
    const char *k;
    json_t *v;
    json_object_foreach(lim, k, v)
    {
        if (req && kd_absent(req, k))
            json_object_set(req, k, v);
    }
}

/* hostNetwork pods: a port's hostPort defaults to its containerPort. */
static void host_network_ports(json_t *c)
{
    size_t i;
    json_t *p;
    json_array_foreach(kj(c, "ports"), i, p)
    {
        json_t *cp = kj(p, "containerPort");
        if (json_is_integer(cp))
            kd_int0(p, "hostPort", json_integer_value(cp));
    }
}

void kinds_podspec_defaults(json_t *spec, bool is_pod)
{
    static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
    size_t i;
    json_t *x;
    if (!json_is_object(spec))
        return;
    kd_str(spec, "dnsPolicy", "ClusterFirst");
    kd_str(spec, "restartPolicy", "Always");
    kd_obj(spec, "securityContext");
    kd_int(spec, "terminationGracePeriodSeconds", 30);
    kd_str(spec, "schedulerName", "default-scheduler");
    for (size_t l = 0; l < FL_ARRAY_LEN(lists); l++)
        json_array_foreach(kj(spec, lists[l]), i, x)
        {
            container_defaults(x);
        }
    json_array_foreach(kj(spec, "volumes"), i, x)
    {
        volume_defaults(x);
    }
    kd_quantities(spec, "overhead");
    if (!is_pod)
        return;
    kd_bool(spec, "enableServiceLinks", true);
    bool host_network = json_is_true(kj(spec, "hostNetwork"));
    for (size_t l = 0; l < 2; l++)
        json_array_foreach(kj(spec, lists[l]), i, x)
        {
            requests_from_limits(x);
            if (host_network)
                host_network_ports(x);
        }
}

void kinds_pod_template_defaults(json_t *tmpl)
{
    json_t *md = kd_obj(tmpl, "metadata");
    /* A zero metav1.Time serializes as null: 1.32 shows it in every template. */
    if (md && !json_object_get(md, "creationTimestamp"))
        json_object_set_new(md, "creationTimestamp", json_null());
    kinds_podspec_defaults(kd_obj(tmpl, "spec"), false);
}

void kinds_pod_defaults(json_t *doc)
{
    kinds_podspec_defaults(kd_obj(doc, "spec"), true);
}

/* ======================= validation ======================= */

/* Resource names: validateResourceName + validateContainerResourceName. The
 * value is a core.ResourceName, which Go prints through its String() method:
 * unquoted. */
static bool is_native(const char *name)
{
    return !strchr(name, '/') || strstr(name, "kubernetes.io/");
}

static bool is_hugepages(const char *name)
{
    return !strncmp(name, "hugepages-", 10);
}

static bool is_extended(const char *name)
{
    if (is_native(name) || !strncmp(name, "requests.", 9))
        return false;
    char q[512];
    snprintf(q, sizeof(q), "requests.%s", name);
    return fl_name_label_key(q, NULL, 0);
}

static bool is_standard_resource(const char *n)
{
    static const char *const std[] = {"cpu",
                                      "memory",
                                      "ephemeral-storage",
                                      "storage",
                                      "pods",
                                      "services",
                                      "replicationcontrollers",
                                      "resourcequotas",
                                      "secrets",
                                      "configmaps",
                                      "persistentvolumeclaims",
                                      "services.nodeports",
                                      "services.loadbalancers",
                                      NULL};
    return kin(n, std) || is_hugepages(n) || !strncmp(n, "requests.", 9) ||
           !strncmp(n, "limits.", 7);
}

bool kinds_resource_name_ok(const char *name, const char *path, struct fl_err *err)
{
    if (!kv_qualified_name(name, path, err))
        return false;
    bool ok = true;
    if (!strchr(name, '/')) {
        if (!is_standard_resource(name)) {
            kv_invalid(err, path, name, "must be a standard resource type or fully qualified");
            ok = false;
        }
        if (strcmp(name, "cpu") && strcmp(name, "memory") && strcmp(name, "ephemeral-storage") &&
            !is_hugepages(name)) {
            kv_invalid(err, path, name, "must be a standard resource for containers");
            ok = false;
        }
    } else if (!is_native(name) && !is_extended(name)) {
        kv_invalid(err, path, name, "doesn't follow extended resource name standard");
        ok = false;
    }
    return ok;
}

static void quantity_list_validate(const json_t *list, const char *lpath, bool *cpu_mem, bool *huge,
                                   struct fl_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)list, k, v)
    {
        char pk[KP_MAX], canon[FL_QUANTITY_STR_MAX];
        struct fl_quantity q;
        kp(pk, "%s[%s]", lpath, k);
        kinds_resource_name_ok(k, pk, err);
        *cpu_mem |= !strcmp(k, "cpu") || !strcmp(k, "memory");
        *huge |= is_hugepages(k);
        if (!kv_quantity(list, k, pk, err, &q))
            continue;
        fl_quantity_format(&q, canon, sizeof(canon));
        if (fl_quantity_sign(&q) < 0)
            kv_invalid_str(err, pk, canon, "must be greater than or equal to 0");
        if (is_extended(k) && !fl_quantity_is_integer(&q))
            kv_invalid_str(err, pk, canon, "must be an integer");
    }
}

/* ValidateResourceRequirements for a container. */
static void resources_validate(const json_t *c, const char *cpath, struct fl_err *err)
{
    char path[KP_MAX], pl[KP_MAX], pr[KP_MAX];
    const json_t *res = kv_obj(c, "resources", cpath, err);
    kchild(path, cpath, "resources");
    const json_t *lim = kv_obj(res, "limits", path, err);
    const json_t *req = kv_obj(res, "requests", path, err);
    kchild(pl, path, "limits");
    kchild(pr, path, "requests");
    bool cpu_mem = false, huge = false;
    quantity_list_validate(lim, pl, &cpu_mem, &huge, err);
    quantity_list_validate(req, pr, &cpu_mem, &huge, err);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)req, k, v)
    {
        struct fl_quantity q, lq;
        char canon[FL_QUANTITY_STR_MAX], lcanon[FL_QUANTITY_STR_MAX];
        bool overcommit = is_native(k) && !is_hugepages(k);
        json_t *lv = kj(lim, k);
        if (!lv) {
            if (!overcommit)
                kv_required(err, pl, "Limit must be set for non overcommitable resources");
            continue;
        }
        if (!kq_value(v, &q) || !kq_value(lv, &lq))
            continue;
        fl_quantity_format(&q, canon, sizeof(canon));
        fl_quantity_format(&lq, lcanon, sizeof(lcanon));
        int cmp = fl_quantity_cmp(&q, &lq);
        if (cmp != 0 && !overcommit)
            fl_err_cause(err, "FieldValueInvalid", pr,
                         "Invalid value: \"%s\": must be equal to %s limit of %s", canon, k,
                         lcanon);
        else if (cmp > 0)
            fl_err_cause(err, "FieldValueInvalid", pr,
                         "Invalid value: \"%s\": must be less than or equal to %s limit of %s",
                         canon, k, lcanon);
    }
    if (huge && !cpu_mem)
        kv_forbidden(err, path, "HugePages require cpu or memory");
}

/* ValidatePortNumOrName. */
static void port_num_or_name(const json_t *obj, const char *key, const char *parent,
                             struct fl_err *err)
{
    char p[KP_MAX];
    int t = kv_intstr(obj, key, parent, err);
    json_t *v = kj(obj, key);
    kchild(p, parent, key);
    if (t == 0 || t == 1) {
        long long n = t ? json_integer_value(v) : 0;
        if (n < 1 || n > 65535)
            kv_invalid_int(err, p, n, "must be between 1 and 65535, inclusive");
    } else if (t == 2) {
        kv_port_name(json_string_value(v), p, err);
    }
}

/* validateHandler (probes and lifecycle hooks). */
static void handler_validate(const json_t *h, const char *path, bool probe, struct fl_err *err)
{
    static const char *const probe_kinds[] = {"exec", "httpGet", "tcpSocket", "grpc", NULL};
    static const char *const hook_kinds[] = {"exec", "httpGet", "tcpSocket", "sleep", NULL};
    const char *const *kinds = probe ? probe_kinds : hook_kinds;
    char p[KP_MAX], q[KP_MAX];
    int n = 0;
    for (size_t i = 0; kinds[i]; i++) {
        const json_t *x = kv_obj(h, kinds[i], path, err);
        if (!x)
            continue;
        kchild(p, path, kinds[i]);
        if (n > 0) {
            kv_forbidden(err, p, "may not specify more than 1 handler type");
            continue;
        }
        n++;
        if (!strcmp(kinds[i], "exec")) {
            if (json_array_size(kv_arr(x, "command", p, err)) == 0)
                kv_required(err, kchild(q, p, "command"), NULL);
        } else if (!strcmp(kinds[i], "httpGet")) {
            const char *hp = kv_str(x, "path", p, err);
            if (!hp || !hp[0])
                kv_required(err, kchild(q, p, "path"), NULL);
            port_num_or_name(x, "port", p, err);
            const char *scheme = kv_str(x, "scheme", p, err);
            if (!kin(scheme ? scheme : "", http_schemes))
                kv_unsupported(err, kchild(q, p, "scheme"), scheme ? scheme : "", http_schemes);
        } else if (!strcmp(kinds[i], "tcpSocket")) {
            port_num_or_name(x, "port", p, err);
        } else if (!strcmp(kinds[i], "grpc")) {
            kv_port_num(x, "port", p, KPORT_RANGE, err);
        } else if (!strcmp(kinds[i], "sleep")) {
            long long s = 0;
            kv_int(x, "seconds", p, err, &s);
            if (s <= 0)
                kv_invalid_int(err, kchild(q, p, "seconds"), s, "must be greater than 0");
        }
    }
    if (n == 0)
        kv_required(err, path, "must specify a handler type");
}

enum probe_kind { LIVENESS, READINESS, STARTUP };

static void probe_validate(const json_t *c, const char *key, const char *cpath,
                           enum probe_kind kind, struct fl_err *err)
{
    char path[KP_MAX], p[KP_MAX];
    const json_t *pr = kv_obj(c, key, cpath, err);
    if (!pr)
        return;
    kchild(path, cpath, key);
    handler_validate(pr, path, true, err);
    static const char *const nonneg[] = {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                                         "successThreshold", "failureThreshold"};
    for (size_t i = 0; i < FL_ARRAY_LEN(nonneg); i++)
        kv_nonneg(pr, nonneg[i], path, err);
    long long v;
    if (kv_int(pr, "terminationGracePeriodSeconds", path, err, &v)) {
        if (kind == READINESS)
            kv_invalid_int(err, kchild(p, path, "terminationGracePeriodSeconds"), v,
                           "must not be set for readinessProbes");
        else if (v <= 0)
            kv_invalid_int(err, kchild(p, path, "terminationGracePeriodSeconds"), v,
                           "must be greater than 0");
    }
    if (kind != READINESS) {
        long long st = 0;
        kv_int(pr, "successThreshold", path, err, &st);
        if (st != 1)
            kv_invalid_int(err, kchild(p, path, "successThreshold"), st, "must be 1");
    }
}

static void lifecycle_validate(const json_t *c, const char *cpath, struct fl_err *err)
{
    char path[KP_MAX], p[KP_MAX];
    const json_t *lc = kv_obj(c, "lifecycle", cpath, err);
    if (!lc)
        return;
    kchild(path, cpath, "lifecycle");
    const json_t *h;
    if ((h = kv_obj(lc, "postStart", path, err)))
        handler_validate(h, kchild(p, path, "postStart"), false, err);
    if ((h = kv_obj(lc, "preStop", path, err)))
        handler_validate(h, kchild(p, path, "preStop"), false, err);
}

static void ports_validate(const json_t *c, const char *cpath, struct fl_err *err)
{
    char pp[KP_MAX], p[KP_MAX];
    const json_t *ports = kv_arr(c, "ports", cpath, err);
    json_t *names = json_object();
    size_t i;
    json_t *port;
    json_array_foreach(ports, i, port)
    {
        kp(pp, "%s.ports[%zu]", cpath, i);
        if (!json_is_object(port)) {
            kv_type(err, pp, port, "object");
            continue;
        }
        const char *name = kv_str(port, "name", pp, err);
        if (name && name[0]) {
            kchild(p, pp, "name");
            if (!kv_port_name(name, p, err))
                ;
            else if (json_object_get(names, name))
                kv_duplicate_str(err, p, name);
            else
                json_object_set_new(names, name, json_true());
        }
        kv_port_num(port, "containerPort", pp, KPORT_REQUIRED, err);
        kv_port_num(port, "hostPort", pp, KPORT_OPTIONAL, err);
        const char *proto = kv_str(port, "protocol", pp, err);
        kchild(p, pp, "protocol");
        if (!proto || !proto[0])
            kv_required(err, p, NULL);
        else if (!kin(proto, protocols))
            kv_unsupported(err, p, proto, protocols);
    }
    json_decref(names);
}

static bool relaxed_env_name_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '=')
            return false;
    return true;
}

/* Key selectors of env (configMapKeyRef, secretKeyRef). */
static void key_selector_validate(const json_t *sel, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    const char *name = kv_str(sel, "name", path, err);
    if (name && name[0])
        kv_dns_subdomain(name, kchild(p, path, "name"), err);
    const char *key = kv_str(sel, "key", path, err);
    kchild(p, path, "key");
    if (!key || !key[0])
        kv_required(err, p, NULL);
    else
        kv_config_key(key, p, err);
}

/* ObjectFieldSelector of the downward API (env and volumes). */
static void field_selector_validate(const json_t *fs, const char *path, struct fl_err *err)
{
    char p[KP_MAX];
    static const char *const convertible[] = {"metadata.annotations",
                                              "metadata.labels",
                                              "metadata.name",
                                              "metadata.namespace",
                                              "metadata.uid",
                                              "spec.nodeName",
                                              "spec.restartPolicy",
                                              "spec.serviceAccountName",
                                              "spec.schedulerName",
                                              "status.phase",
                                              "status.hostIP",
                                              "status.hostIPs",
                                              "status.podIP",
                                              "status.podIPs",
                                              NULL};
    const char *api = kv_str(fs, "apiVersion", path, err);
    const char *fp = kv_str(fs, "fieldPath", path, err);
    if (!api || !api[0])
        kv_required(err, kchild(p, path, "apiVersion"), NULL);
    kchild(p, path, "fieldPath");
    if (!fp || !fp[0]) {
        kv_required(err, p, NULL);
        return;
    }
    if (api && api[0] && strcmp(api, "v1") != 0) {
        char d[256];
        snprintf(d, sizeof(d), "error converting fieldPath: unsupported pod version: %s", api);
        kv_invalid_str(err, p, fp, d);
        return;
    }
    /* metadata.labels['k'] / metadata.annotations['k'] */
    const char *br = strchr(fp, '[');
    if (br) {
        size_t n = (size_t)(br - fp), len = strlen(fp);
        bool shape = len > n + 4 && !strncmp(br, "['", 2) && !strcmp(fp + len - 2, "']");
        char base[64], sub[256];
        snprintf(base, sizeof(base), "%.*s", (int)(n < 63 ? n : 63), fp);
        if (!shape || (strcmp(base, "metadata.labels") && strcmp(base, "metadata.annotations"))) {
            char d[512];
            snprintf(d, sizeof(d), "error converting fieldPath: field label not supported: %s", fp);
            kv_invalid_str(err, p, fp, d);
            return;
        }
        snprintf(sub, sizeof(sub), "%.*s", (int)(len - n - 4), br + 2);
        if (!strcmp(base, "metadata.annotations"))
            for (char *c = sub; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c + 32);
        kv_qualified_name(sub, p, err);
        return;
    }
    if (!kin(fp, convertible)) {
        char d[512];
        snprintf(d, sizeof(d), "error converting fieldPath: field label not supported: %s", fp);
        kv_invalid_str(err, p, fp, d);
    } else if (!kin(fp, env_field_paths)) {
        kv_unsupported(err, p, fp, env_field_paths);
    }
}

static void resource_field_selector_validate(const json_t *rs, const char *path, struct fl_err *err)
{
    static const char *const names[] = {"limits.cpu",
                                        "limits.ephemeral-storage",
                                        "limits.memory",
                                        "requests.cpu",
                                        "requests.ephemeral-storage",
                                        "requests.memory",
                                        NULL};
    char p[KP_MAX];
    const char *r = kv_str(rs, "resource", path, err);
    kchild(p, path, "resource");
    if (!r || !r[0])
        kv_required(err, p, NULL);
    else if (!kin(r, names) && strncmp(r, "limits.hugepages-", 17) &&
             strncmp(r, "requests.hugepages-", 19))
        kv_unsupported(err, p, r, names);
}

static void env_validate(const json_t *c, const char *cpath, struct fl_err *err)
{
    char ep[KP_MAX], p[KP_MAX], vp[KP_MAX];
    size_t i;
    json_t *ev;
    json_array_foreach(kv_arr(c, "env", cpath, err), i, ev)
    {
        kp(ep, "%s.env[%zu]", cpath, i);
        if (!json_is_object(ev)) {
            kv_type(err, ep, ev, "object");
            continue;
        }
        const char *name = kv_str(ev, "name", ep, err);
        kchild(p, ep, "name");
        if (!name || !name[0])
            kv_required(err, p, NULL);
        else if (!relaxed_env_name_ok(name))
            kv_invalid_str(err, p, name,
                           "a valid environment variable name must consist only of printable "
                           "ASCII characters other than '='");
        const char *value = kv_str(ev, "value", ep, err);
        const json_t *vf = kv_obj(ev, "valueFrom", ep, err);
        if (!vf)
            continue;
        kchild(vp, ep, "valueFrom");
        int n = 0;
        const json_t *x;
        if ((x = kv_obj(vf, "fieldRef", vp, err))) {
            n++;
            field_selector_validate(x, kchild(p, vp, "fieldRef"), err);
        }
        if ((x = kv_obj(vf, "resourceFieldRef", vp, err))) {
            n++;
            resource_field_selector_validate(x, kchild(p, vp, "resourceFieldRef"), err);
        }
        if ((x = kv_obj(vf, "configMapKeyRef", vp, err))) {
            n++;
            key_selector_validate(x, kchild(p, vp, "configMapKeyRef"), err);
        }
        if ((x = kv_obj(vf, "secretKeyRef", vp, err))) {
            n++;
            key_selector_validate(x, kchild(p, vp, "secretKeyRef"), err);
        }
        if (n == 0)
            kv_invalid(err, vp, "\"\"",
                       "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` "
                       "or `secretKeyRef`");
        else if (value && value[0])
            kv_invalid(err, vp, "\"\"", "may not be specified when `value` is not empty");
        else if (n > 1)
            kv_invalid(err, vp, "\"\"", "may not have more than one field specified at a time");
    }
}

static void env_from_validate(const json_t *c, const char *cpath, struct fl_err *err)
{
    char fp[KP_MAX], ip[KP_MAX], p[KP_MAX];
    size_t i;
    json_t *ev;
    kchild(fp, cpath, "envFrom");
    json_array_foreach(kv_arr(c, "envFrom", cpath, err), i, ev)
    {
        kp(ip, "%s[%zu]", fp, i);
        if (!json_is_object(ev)) {
            kv_type(err, ip, ev, "object");
            continue;
        }
        const char *prefix = kv_str(ev, "prefix", ip, err);
        if (prefix && prefix[0] && !relaxed_env_name_ok(prefix))
            kv_invalid_str(err, kchild(p, ip, "prefix"), prefix,
                           "a valid environment variable name must consist only of printable "
                           "ASCII characters other than '='");
        int n = 0;
        static const char *const refs[] = {"configMapRef", "secretRef"};
        for (size_t r = 0; r < 2; r++) {
            const json_t *ref = kv_obj(ev, refs[r], ip, err);
            if (!ref)
                continue;
            n++;
            char rp[KP_MAX];
            kchild(rp, ip, refs[r]);
            const char *name = kv_str(ref, "name", rp, err);
            kchild(p, rp, "name");
            if (!name || !name[0])
                kv_required(err, p, NULL);
            else
                kv_dns_subdomain(name, p, err);
        }
        if (n == 0)
            kv_invalid(err, fp, "\"\"", "must specify one of: `configMapRef` or `secretRef`");
        else if (n > 1)
            kv_invalid(err, fp, "\"\"", "may not have more than one field specified at a time");
    }
}

/* validateLocalDescendingPath: relative, no "..". */
static void descending_path(const char *v, const char *path, struct fl_err *err)
{
    if (v[0] == '/')
        kv_invalid_str(err, path, v, "must be a relative path");
    for (const char *p = v; (p = strstr(p, "..")); p += 2) {
        bool start = p == v || p[-1] == '/';
        bool end = p[2] == '\0' || p[2] == '/';
        if (start && end) {
            kv_invalid_str(err, path, v, "must not contain '..'");
            break;
        }
    }
}

static void mounts_validate(const json_t *c, const char *cpath, const json_t *volumes,
                            struct fl_err *err)
{
    char mp[KP_MAX], p[KP_MAX];
    json_t *points = json_object();
    size_t i;
    json_t *m;
    json_array_foreach(kv_arr(c, "volumeMounts", cpath, err), i, m)
    {
        kp(mp, "%s.volumeMounts[%zu]", cpath, i);
        if (!json_is_object(m)) {
            kv_type(err, mp, m, "object");
            continue;
        }
        const char *name = kv_str(m, "name", mp, err);
        kchild(p, mp, "name");
        if (!name || !name[0])
            kv_required(err, p, NULL);
        if (!json_object_get(volumes, name ? name : ""))
            kv_notfound_str(err, p, name ? name : "");
        const char *path = kv_str(m, "mountPath", mp, err);
        kchild(p, mp, "mountPath");
        if (!path || !path[0])
            kv_required(err, p, NULL);
        if (json_object_get(points, path ? path : ""))
            kv_invalid_str(err, p, path ? path : "", "must be unique");
        json_object_set_new(points, path ? path : "", json_true());
        const char *sub = kv_str(m, "subPath", mp, err);
        if (sub && sub[0])
            descending_path(sub, kchild(p, mp, "subPath"), err);
    }
    json_decref(points);
}

/* validateContainerCommon. */
static void container_common(const json_t *c, const char *cpath, const json_t *volumes, bool is_pod,
                             struct fl_err *err)
{
    char p[KP_MAX];
    const char *name = kv_str(c, "name", cpath, err);
    kchild(p, cpath, "name");
    if (!name || !name[0])
        kv_required(err, p, NULL);
    else
        kv_dns_label(name, p, err);
    const char *image = kv_str(c, "image", cpath, err);
    kchild(p, cpath, "image");
    if (!image || !image[0]) {
        kv_required(err, p, NULL);
    } else if (is_pod) {
        size_t n = strlen(image);
        if (image[0] == ' ' || image[0] == '\t' || image[0] == '\n' || image[0] == '\r' ||
            image[n - 1] == ' ' || image[n - 1] == '\t' || image[n - 1] == '\n' ||
            image[n - 1] == '\r')
            kv_invalid_str(err, p, image, "must not have leading or trailing whitespace");
    }
    const char *tmp = kv_str(c, "terminationMessagePolicy", cpath, err);
    kchild(p, cpath, "terminationMessagePolicy");
    if (!tmp || !tmp[0])
        kv_required(err, p, NULL);
    else if (!kin(tmp, message_policies))
        kv_unsupported(err, p, tmp, message_policies);
    ports_validate(c, cpath, err);
    env_validate(c, cpath, err);
    env_from_validate(c, cpath, err);
    mounts_validate(c, cpath, volumes, err);
    const char *pull = kv_str(c, "imagePullPolicy", cpath, err);
    kchild(p, cpath, "imagePullPolicy");
    if (!pull || !pull[0])
        kv_required(err, p, NULL);
    else if (!kin(pull, pull_policies))
        kv_unsupported(err, p, pull, pull_policies);
    resources_validate(c, cpath, err);
}

/* checkHostPortConflicts over one list: "<proto>/<hostIP>/<port>" unique. */
static void host_ports_unique(const json_t *list, const char *lpath, struct fl_err *err)
{
    json_t *seen = json_object();
    size_t ci, pi;
    json_t *c, *port;
    json_array_foreach(list, ci, c)
    {
        json_array_foreach(kj(c, "ports"), pi, port)
        {
            json_t *hp = kj(port, "hostPort");
            if (!json_is_integer(hp) || json_integer_value(hp) == 0)
                continue;
            char key[300], p[KP_MAX];
            const char *proto = json_string_value(kj(port, "protocol"));
            const char *ip = json_string_value(kj(port, "hostIP"));
            snprintf(key, sizeof(key), "%s/%s/%lld", proto ? proto : "", ip ? ip : "",
                     (long long)json_integer_value(hp));
            if (json_object_get(seen, key))
                kv_duplicate_str(err, kp(p, "%s[%zu].ports[%zu].hostPort", lpath, ci, pi), key);
            else
                json_object_set_new(seen, key, json_true());
        }
    }
    json_decref(seen);
}

static void containers_validate(const json_t *spec, const char *path, const json_t *volumes,
                                json_t *names, bool is_pod, struct fl_err *err)
{
    char lp[KP_MAX], cp[KP_MAX], p[KP_MAX];
    const json_t *list = kv_arr(spec, "containers", path, err);
    kchild(lp, path, "containers");
    if (json_array_size(list) == 0 && !(kj(spec, "containers") && !list))
        kv_required(err, lp, NULL);
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        kp(cp, "%s[%zu]", lp, i);
        if (!json_is_object(c)) {
            kv_type(err, cp, c, "object");
            continue;
        }
        container_common(c, cp, volumes, is_pod, err);
        const char *name = json_string_value(kj(c, "name"));
        if (name) {
            if (json_object_get(names, name))
                kv_duplicate_str(err, kchild(p, cp, "name"), name);
            else
                json_object_set_new(names, name, json_true());
        }
        lifecycle_validate(c, cp, err);
        probe_validate(c, "livenessProbe", cp, LIVENESS, err);
        probe_validate(c, "readinessProbe", cp, READINESS, err);
        probe_validate(c, "startupProbe", cp, STARTUP, err);
        if (kj(c, "restartPolicy"))
            kv_forbidden(err, kchild(p, cp, "restartPolicy"),
                         "may not be set for non-init containers");
    }
    host_ports_unique(list, lp, err);
}

static void init_containers_validate(const json_t *spec, const char *path, const json_t *volumes,
                                     json_t *names, bool is_pod, struct fl_err *err)
{
    char lp[KP_MAX], cp[KP_MAX], p[KP_MAX];
    const json_t *list = kv_arr(spec, "initContainers", path, err);
    kchild(lp, path, "initContainers");
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        kp(cp, "%s[%zu]", lp, i);
        if (!json_is_object(c)) {
            kv_type(err, cp, c, "object");
            continue;
        }
        container_common(c, cp, volumes, is_pod, err);
        const char *rp = kv_str(c, "restartPolicy", cp, err);
        bool always = rp && !strcmp(rp, "Always");
        if (rp && !always)
            kv_unsupported(err, kchild(p, cp, "restartPolicy"), rp, always_only);
        const char *name = json_string_value(kj(c, "name"));
        if (name && json_object_get(names, name))
            kv_duplicate_str(err, kchild(p, cp, "name"), name);
        else if (name && name[0])
            json_object_set_new(names, name, json_true());
        if (always) {
            lifecycle_validate(c, cp, err);
            probe_validate(c, "livenessProbe", cp, LIVENESS, err);
            probe_validate(c, "readinessProbe", cp, READINESS, err);
            probe_validate(c, "startupProbe", cp, STARTUP, err);
            continue;
        }
        static const char *const no_always =
            "may not be set for init containers without restartPolicy=Always";
        if (kj(c, "lifecycle"))
            kv_forbidden(err, kchild(p, cp, "lifecycle"), no_always);
        if (kj(c, "livenessProbe"))
            kv_forbidden(err, kchild(p, cp, "livenessProbe"), no_always);
        if (kj(c, "readinessProbe"))
            kv_forbidden(err, kchild(p, cp, "readinessProbe"),
                         "may not be set for init containers");
        if (kj(c, "startupProbe"))
            kv_forbidden(err, kchild(p, cp, "startupProbe"), no_always);
    }
}

static void file_mode(const json_t *obj, const char *key, const char *parent, struct fl_err *err)
{
    long long m;
    char p[KP_MAX];
    if (kv_int(obj, key, parent, err, &m) && (m < 0 || m > 0777))
        kv_invalid_int(err, kchild(p, parent, key), m, FILE_MODE_MSG);
}

static void key_to_path_items(const json_t *src, const char *path, struct fl_err *err)
{
    char ip[KP_MAX], p[KP_MAX];
    size_t i;
    json_t *it;
    json_array_foreach(kv_arr(src, "items", path, err), i, it)
    {
        kp(ip, "%s.items[%zu]", path, i);
        const char *key = kv_str(it, "key", ip, err);
        if (!key || !key[0])
            kv_required(err, kchild(p, ip, "key"), NULL);
        const char *ipath = kv_str(it, "path", ip, err);
        kchild(p, ip, "path");
        if (!ipath || !ipath[0])
            kv_required(err, p, NULL);
        else
            descending_path(ipath, p, err);
        file_mode(it, "mode", ip, err);
    }
}

static const char *const host_path_types[] = {
    "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
    "File", "FileOrCreate", "Socket",     NULL};

/* One volume's source: exactly one, with the common sources' checks. */
static bool volume_source_validate(const json_t *v, const char *vpath, struct fl_err *err)
{
    static const char *const order[] = {"emptyDir",
                                        "hostPath",
                                        "gitRepo",
                                        "gcePersistentDisk",
                                        "awsElasticBlockStore",
                                        "secret",
                                        "nfs",
                                        "iscsi",
                                        "glusterfs",
                                        "flocker",
                                        "persistentVolumeClaim",
                                        "rbd",
                                        "cinder",
                                        "cephfs",
                                        "quobyte",
                                        "downwardAPI",
                                        "fc",
                                        "flexVolume",
                                        "configMap",
                                        "azureFile",
                                        "vsphereVolume",
                                        "photonPersistentDisk",
                                        "portworxVolume",
                                        "azureDisk",
                                        "storageos",
                                        "projected",
                                        "scaleIO",
                                        "csi",
                                        "ephemeral",
                                        "image",
                                        NULL};
    char sp[KP_MAX], p[KP_MAX];
    int n = 0;
    bool ok = true;
    for (size_t i = 0; order[i]; i++) {
        const json_t *s = kv_obj(v, order[i], vpath, err);
        if (!s)
            continue;
        kchild(sp, vpath, order[i]);
        if (n > 0) {
            kv_forbidden(err, sp, "may not specify more than 1 volume type");
            ok = false;
            continue;
        }
        n++;
        const char *x;
        const char *src = order[i];
        if (!strcmp(src, "emptyDir")) {
            struct fl_quantity q;
            if (kv_quantity(s, "sizeLimit", kchild(p, sp, "sizeLimit"), err, &q) &&
                fl_quantity_sign(&q) < 0) {
                kv_forbidden(err, p, "SizeLimit field must be a valid resource quantity");
                ok = false;
            }
        } else if (!strcmp(src, "hostPath")) {
            x = kv_str(s, "path", sp, err);
            if (!x || !x[0]) {
                kv_required(err, kchild(p, sp, "path"), NULL);
                ok = false;
            }
            const char *t = kv_str(s, "type", sp, err);
            if (t && !kin(t, host_path_types)) {
                kv_unsupported(err, kchild(p, sp, "type"), t, host_path_types);
                ok = false;
            }
        } else if (!strcmp(src, "secret")) {
            x = kv_str(s, "secretName", sp, err);
            if (!x || !x[0]) {
                kv_required(err, kchild(p, sp, "secretName"), NULL);
                ok = false;
            }
            file_mode(s, "defaultMode", sp, err);
            key_to_path_items(s, sp, err);
        } else if (!strcmp(src, "configMap")) {
            x = kv_str(s, "name", sp, err);
            if (!x || !x[0]) {
                kv_required(err, kchild(p, sp, "name"), NULL);
                ok = false;
            }
            file_mode(s, "defaultMode", sp, err);
            key_to_path_items(s, sp, err);
        } else if (!strcmp(src, "persistentVolumeClaim")) {
            x = kv_str(s, "claimName", sp, err);
            if (!x || !x[0]) {
                kv_required(err, kchild(p, sp, "claimName"), NULL);
                ok = false;
            }
        } else if (!strcmp(src, "nfs")) {
            x = kv_str(s, "server", sp, err);
            if (!x || !x[0]) {
                kv_required(err, kchild(p, sp, "server"), NULL);
                ok = false;
            }
            x = kv_str(s, "path", sp, err);
            kchild(p, sp, "path");
            if (!x || !x[0]) {
                kv_required(err, p, NULL);
                ok = false;
            } else if (x[0] != '/') {
                kv_invalid_str(err, p, x, "must be an absolute path");
                ok = false;
            }
        } else if (!strcmp(src, "downwardAPI") || !strcmp(src, "projected")) {
            file_mode(s, "defaultMode", sp, err);
        } else if (!strcmp(src, "csi")) {
            x = kv_str(s, "driver", sp, err);
            if (!x || !x[0]) {
                kv_required(err, kchild(p, sp, "driver"), NULL);
                ok = false;
            }
        }
    }
    if (n == 0) {
        kv_required(err, vpath, "must specify a volume type");
        ok = false;
    }
    return ok;
}

/* ValidateVolumes; the names of the valid ones go into `valid`. */
static void volumes_validate(const json_t *spec, const char *path, json_t *valid,
                             struct fl_err *err)
{
    char vp[KP_MAX], p[KP_MAX];
    size_t i;
    json_t *v;
    json_array_foreach(kv_arr(spec, "volumes", path, err), i, v)
    {
        kp(vp, "%s.volumes[%zu]", path, i);
        if (!json_is_object(v)) {
            kv_type(err, vp, v, "object");
            continue;
        }
        bool ok = volume_source_validate(v, vp, err);
        const char *name = kv_str(v, "name", vp, err);
        kchild(p, vp, "name");
        if (!name || !name[0]) {
            kv_required(err, p, NULL);
            ok = false;
        } else {
            ok &= kv_dns_label(name, p, err);
        }
        if (name && json_object_get(valid, name)) {
            kv_duplicate_str(err, p, name);
            ok = false;
        }
        if (ok)
            json_object_set_new(valid, name, json_true());
    }
}

void kinds_tolerations_validate(const json_t *list, const char *path, struct fl_err *err)
{
    char tp[KP_MAX], p[KP_MAX];
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
        const char *op = kv_str(t, "operator", tp, err);
        const char *value = kv_str(t, "value", tp, err);
        const char *effect = kv_str(t, "effect", tp, err);
        long long secs;
        bool has_secs = kv_int(t, "tolerationSeconds", tp, err, &secs);
        op = op ? op : "";
        value = value ? value : "";
        effect = effect ? effect : "";
        if (key && key[0])
            kv_qualified_name(key, kchild(p, tp, "key"), err);
        if ((!key || !key[0]) && strcmp(op, "Exists") != 0)
            kv_invalid_str(err, kchild(p, tp, "operator"), op,
                           "operator must be Exists when `key` is empty, which means \"match "
                           "all values and all keys\"");
        if (has_secs && strcmp(effect, "NoExecute") != 0)
            kv_invalid_str(err, kchild(p, tp, "effect"), effect,
                           "effect must be 'NoExecute' when `tolerationSeconds` is set");
        kchild(p, tp, "operator");
        if (!strcmp(op, "Equal") || !op[0]) {
            char msg[1024];
            if (!fl_name_label_value(value, msg, sizeof(msg))) {
                kmsg_rejoin(msg, ';'); /* strings.Join(errs, ";") */
                kv_invalid_str(err, p, value, msg);
            }
        } else if (!strcmp(op, "Exists")) {
            if (value[0]) {
                char repr[1024], k2[256], v2[256], e2[256];
                kv_quote(k2, sizeof(k2), key ? key : "");
                kv_quote(v2, sizeof(v2), value);
                kv_quote(e2, sizeof(e2), effect);
                snprintf(repr, sizeof(repr),
                         "core.Toleration{Key:%s, Operator:\"Exists\", Value:%s, Effect:%s, "
                         "TolerationSeconds:%s}",
                         k2, v2, e2, has_secs ? "(*int64)(0xc000000000)" : "(*int64)(nil)");
                kv_invalid(err, p, repr, "value must be empty when `operator` is 'Exists'");
            }
        } else {
            kv_unsupported(err, p, op, toleration_ops);
        }
        if (effect[0] && !kin(effect, taint_effects))
            kv_unsupported(err, kchild(p, tp, "effect"), effect, taint_effects);
    }
}

/* validatePodHostNetworkDeps: a hostNetwork pod's ports bind the host. */
static void host_network_validate(const json_t *spec, const char *path, bool is_pod,
                                  struct fl_err *err)
{
    if (!json_is_true(kj(spec, "hostNetwork")))
        return;
    size_t ci, pi;
    json_t *c, *port;
    json_array_foreach(kj(spec, "containers"), ci, c)
    {
        json_array_foreach(kj(c, "ports"), pi, port)
        {
            json_t *hp = kj(port, "hostPort"), *cp = kj(port, "containerPort");
            long long h = json_is_integer(hp) ? json_integer_value(hp) : 0;
            long long cpn = json_is_integer(cp) ? json_integer_value(cp) : 0;
            if ((is_pod || h != 0) && h != cpn) {
                char p[KP_MAX];
                kv_invalid_int(err, kp(p, "%s.containers[%zu].ports[%zu].hostPort", path, ci, pi),
                               h, "must match `containerPort` when `hostNetwork` is true");
            }
        }
    }
}

void kinds_podspec_validate(const json_t *spec, const char *path, bool is_pod, struct fl_err *err)
{
    char p[KP_MAX];
    json_t *empty = NULL;
    if (!spec)
        spec = empty = json_object();
    if (!json_is_object(spec)) {
        kv_type(err, path, spec, "object");
        return;
    }
    json_t *volumes = json_object(), *names = json_object();
    volumes_validate(spec, path, volumes, err);
    containers_validate(spec, path, volumes, names, is_pod, err);
    init_containers_validate(spec, path, volumes, names, is_pod, err);
    host_network_validate(spec, path, is_pod, err);

    const char *rp = kv_str(spec, "restartPolicy", path, err);
    kchild(p, path, "restartPolicy");
    if (!rp || !rp[0])
        kv_required(err, p, NULL);
    else if (!kin(rp, restart_policies))
        kv_unsupported(err, p, rp, restart_policies);

    const char *dp = kv_str(spec, "dnsPolicy", path, err);
    kchild(p, path, "dnsPolicy");
    if (!dp || !dp[0])
        kv_required(err, p, NULL);
    else if (!kin(dp, dns_policies))
        kv_unsupported(err, p, dp, dns_policies);
    const json_t *dc = kv_obj(spec, "dnsConfig", path, err);
    if (dp && !strcmp(dp, "None")) {
        kchild(p, path, "dnsConfig");
        if (!dc)
            kv_required(err, p, "must provide `dnsConfig` when `dnsPolicy` is None");
        else if (json_array_size(kj(dc, "nameservers")) == 0)
            kv_required(err, kchild(p, p, "nameservers"),
                        "must provide at least one DNS nameserver when `dnsPolicy` is None");
    }

    kv_labels(kv_strmap(spec, "nodeSelector", path, err), kchild(p, path, "nodeSelector"), err);
    kv_obj(spec, "securityContext", path, err);
    const char *s;
    if ((s = kv_str(spec, "serviceAccountName", path, err)) && s[0])
        kv_dns_subdomain(s, kchild(p, path, "serviceAccountName"), err);
    if ((s = kv_str(spec, "nodeName", path, err)) && s[0])
        kv_dns_subdomain(s, kchild(p, path, "nodeName"), err);
    long long ads;
    if (kv_int(spec, "activeDeadlineSeconds", path, err, &ads) && (ads < 1 || ads > 2147483647))
        kv_invalid_int(err, kchild(p, path, "activeDeadlineSeconds"), ads,
                       "must be between 1 and 2147483647, inclusive");
    if ((s = kv_str(spec, "hostname", path, err)) && s[0])
        kv_dns_label(s, kchild(p, path, "hostname"), err);
    if ((s = kv_str(spec, "subdomain", path, err)) && s[0])
        kv_dns_label(s, kchild(p, path, "subdomain"), err);
    kinds_tolerations_validate(kv_arr(spec, "tolerations", path, err),
                               kchild(p, path, "tolerations"), err);
    if ((s = kv_str(spec, "priorityClassName", path, err)) && s[0])
        kv_dns_subdomain(s, kchild(p, path, "priorityClassName"), err);
    long long tg;
    kv_int(spec, "terminationGracePeriodSeconds", path, err, &tg);
    json_decref(volumes);
    json_decref(names);
    json_decref(empty);
}

void kinds_pod_template_validate(const json_t *tmpl, const char *path, struct fl_err *err)
{
    char mp[KP_MAX], p[KP_MAX];
    if (tmpl && !json_is_object(tmpl)) {
        kv_type(err, path, tmpl, "object");
        return;
    }
    const json_t *md = kv_obj(tmpl, "metadata", path, err);
    kchild(mp, path, "metadata");
    /* Upstream validates template labels at "<path>.labels", not ".metadata.labels". */
    kv_labels(kv_strmap(md, "labels", mp, err), kchild(p, path, "labels"), err);
    kv_annotations(kv_strmap(md, "annotations", mp, err), kchild(p, path, "annotations"), err);
    const json_t *spec = kv_obj(tmpl, "spec", path, err);
    kchild(p, path, "spec");
    kinds_podspec_validate(spec, p, false, err);
    if (json_array_size(kj(spec, "ephemeralContainers")) > 0)
        kv_forbidden(err, kp(mp, "%s.ephemeralContainers", p),
                     "ephemeral containers not allowed in pod template");
}

void kinds_pod_validate(const json_t *doc, struct fl_err *err)
{
    const json_t *spec = kv_obj(doc, "spec", "", err);
    kinds_podspec_validate(spec, "spec", true, err);
    if (json_array_size(kj(spec, "ephemeralContainers")) > 0)
        kv_forbidden(err, "spec.ephemeralContainers", "cannot be set on create");
}

int64_t fl_kind_pod_delete_grace(const json_t *pod, int64_t requested)
{
    const json_t *spec = json_object_get(pod, "spec");
    const char *phase = fl_json_str(json_object_get(pod, "status"), "phase");
    /* Never started, or already done: nothing to stop (upstream's
     * podStrategy.CheckGracefulDelete). */
    if (!fl_json_str(spec, "nodeName")[0] || !strcmp(phase, "Failed") ||
        !strcmp(phase, "Succeeded"))
        return 0;
    if (requested >= 0)
        return requested;
    json_t *g = json_object_get(spec, "terminationGracePeriodSeconds");
    return json_is_integer(g) ? json_integer_value(g) : 30;
}

/* A container's cpu or memory (res) quantity in list, in milli-units; -1 when
 * absent or malformed. */
static int64_t res_milli(const json_t *list, const char *res)
{
    struct fl_quantity q;
    const char *s = json_string_value(json_object_get(list, res));
    if (!s || fl_quantity_parse(s, &q, NULL, 0) != 0)
        return -1;
    return fl_quantity_scaled(&q, 3);
}

const char *fl_kind_pod_qos_class(const json_t *pod)
{
    static const char *const res[] = {"cpu", "memory"};
    static const char *const lists[] = {"initContainers", "containers"};
    int64_t req[2] = {0}, lim[2] = {0};
    bool any = false, guaranteed = true;
    const json_t *spec = json_object_get(pod, "spec");
    for (size_t l = 0; l < FL_ARRAY_LEN(lists); l++) {
        size_t i;
        const json_t *c;
        json_array_foreach(json_object_get(spec, lists[l]), i, c) {
            const json_t *r = json_object_get(c, "resources");
            for (int x = 0; x < 2; x++) {
                int64_t q = res_milli(json_object_get(r, "requests"), res[x]);
                int64_t m = res_milli(json_object_get(r, "limits"), res[x]);
                any |= q > 0 || m > 0;
                /* Saturating: a request of 7Ei is 7e21 milli-bytes. */
                if (q > 0 && __builtin_add_overflow(req[x], q, &req[x]))
                    req[x] = INT64_MAX;
                if (m > 0 && __builtin_add_overflow(lim[x], m, &lim[x]))
                    lim[x] = INT64_MAX;
                if (m <= 0) /* every container must limit cpu and memory */
                    guaranteed = false;
            }
        }
    }
    if (!any)
        return "BestEffort";
    if (guaranteed && req[0] == lim[0] && req[1] == lim[1])
        return "Guaranteed";
    return "Burstable";
}

void fl_kind_pod_prepare_create(json_t *pod)
{
    json_object_set_new(pod, "status", json_pack("{s:s,s:s}", "phase", "Pending", "qosClass",
                                                 fl_kind_pod_qos_class(pod)));
}
