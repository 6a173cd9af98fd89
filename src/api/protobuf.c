/*
 * Kubernetes protobuf request bodies to JSON: see protobuf.h. protobuf-c
 * unpacks the envelope and then the object with the generated descriptors;
 * one generic walk over those descriptors writes the JSON. It is steered by
 * a table of the fields whose Go JSON form is not the default omitempty
 * (pointer and required fields, which keep a zero value; inline embedded
 * structs) and by the four message types with a JSON form of their own
 * (Time, IntOrString, Quantity, FieldsV1). Message fields are written when
 * present on the wire, which is exactly when Go writes them: gogo-protobuf
 * sends plain structs always and pointers when set.
 *
 * Invariants: every allocation protobuf-c makes for one body is counted
 * against FL_PROTOBUF_ALLOC_MAX and every JSON value against
 * FL_PROTOBUF_NODES_MAX; the walk's depth is bounded by the schema (no
 * message contains itself: check_schema asserts it once) and checked
 * anyway. Strings are C strings in protobuf-c, so one holding a NUL byte
 * ends there.
 */
#include "api/protobuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/pb_apps.pb-c.h"
#include "api/pb_core.pb-c.h"
#include "api/pb_intstr.pb-c.h"
#include "api/pb_meta.pb-c.h"
#include "api/pb_policy.pb-c.h"
#include "api/pb_resource.pb-c.h"
#include "api/pb_runtime.pb-c.h"

#define CORE(m) (&k8s__io__api__core__v1__##m##__descriptor)
#define APPS(m) (&k8s__io__api__apps__v1__##m##__descriptor)
#define POLICY(m) (&k8s__io__api__policy__v1__##m##__descriptor)
#define META(m) (&k8s__io__apimachinery__pkg__apis__meta__v1__##m##__descriptor)
#define INTSTR (&k8s__io__apimachinery__pkg__util__intstr__int_or_string__descriptor)
#define QUANTITY (&k8s__io__apimachinery__pkg__api__resource__quantity__descriptor)

typedef K8s__Io__Apimachinery__Pkg__Runtime__Unknown Unknown;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__Time Time;
typedef K8s__Io__Apimachinery__Pkg__Apis__Meta__V1__FieldsV1 FieldsV1;
typedef K8s__Io__Apimachinery__Pkg__Util__Intstr__IntOrString IntOrString;
typedef K8s__Io__Apimachinery__Pkg__Api__Resource__Quantity Quantity;

#define DEPTH_MAX 64     /* the schema needs about 16 */
#define WIRE_DEPTH_MAX 8 /* nesting looked into inside an unknown field */

static const uint8_t magic[4] = {'k', '8', 's', '\0'};

/* The kinds decoded, by apiVersion and kind. */
static const struct kind {
    const char *api_version;
    const char *kind;
    const ProtobufCMessageDescriptor *desc;
} kinds[] = {
    {"v1", "ConfigMap", CORE(config_map)},
    {"v1", "Namespace", CORE(namespace)},
    {"v1", "Pod", CORE(pod)},
    {"v1", "Secret", CORE(secret)},
    {"v1", "Service", CORE(service)},
    {"v1", "ServiceAccount", CORE(service_account)},
    {"apps/v1", "Deployment", APPS(deployment)},
    {"policy/v1", "PodDisruptionBudget", POLICY(pod_disruption_budget)},
};

/*
 * How a field's Go JSON differs from the default, which is `omitempty`: a
 * scalar equal to zero is left out. KEEP: a pointer field (`*int32`,
 * `*bool`, `*string`) or one without omitempty, written whenever present on
 * the wire even when zero (replicas: 0 is not replicas unset). INLINE: an
 * embedded struct (`json:",inline"`) whose fields go into the parent object.
 * Names are proto field names, space-separated; checked against the
 * descriptors on first use.
 */
enum rule { OMITEMPTY, KEEP, INLINE };

static const struct field_rule {
    const ProtobufCMessageDescriptor *msg;
    enum rule rule;
    const char *fields;
} rules[] = {
    {META(object_meta), KEEP, "deletionGracePeriodSeconds"},
    {META(owner_reference), KEEP, "apiVersion kind name uid controller blockOwnerDeletion"},
    {META(label_selector_requirement), KEEP, "key operator"},
    {META(condition), KEEP, "type status reason message"},
    {CORE(app_armor_profile), KEEP, "type localhostProfile"},
    {CORE(client_ipconfig), KEEP, "timeoutSeconds"},
    {CORE(cluster_trust_bundle_projection), KEEP, "name signerName optional path"},
    {CORE(config_map), KEEP, "immutable"},
    {CORE(config_map_env_source), INLINE, "localObjectReference"},
    {CORE(config_map_env_source), KEEP, "optional"},
    {CORE(config_map_key_selector), INLINE, "localObjectReference"},
    {CORE(config_map_key_selector), KEEP, "key optional"},
    {CORE(config_map_projection), INLINE, "localObjectReference"},
    {CORE(config_map_projection), KEEP, "optional"},
    {CORE(config_map_volume_source), INLINE, "localObjectReference"},
    {CORE(config_map_volume_source), KEEP, "defaultMode optional"},
    {CORE(container), KEEP, "name restartPolicy"},
    {CORE(container_port), KEEP, "containerPort"},
    {CORE(container_resize_policy), KEEP, "resourceName restartPolicy"},
    {CORE(csivolume_source), KEEP, "driver readOnly fsType"},
    {CORE(downward_apivolume_file), KEEP, "path mode"},
    {CORE(downward_apivolume_source), KEEP, "defaultMode"},
    {CORE(env_var), KEEP, "name"},
    {CORE(grpcaction), KEEP, "port service"},
    {CORE(httpheader), KEEP, "name value"},
    {CORE(host_alias), KEEP, "ip"},
    {CORE(host_path_volume_source), KEEP, "path type"},
    {CORE(key_to_path), KEEP, "key path mode"},
    {CORE(load_balancer_ingress), KEEP, "ipMode"},
    {CORE(namespace_condition), KEEP, "type status"},
    {CORE(nfsvolume_source), KEEP, "server path"},
    {CORE(node_selector_requirement), KEEP, "key operator"},
    {CORE(object_field_selector), KEEP, "fieldPath"},
    {CORE(persistent_volume_claim_volume_source), KEEP, "claimName"},
    {CORE(pod_affinity_term), KEEP, "topologyKey"},
    {CORE(pod_dnsconfig_option), KEEP, "value"},
    {CORE(pod_os), KEEP, "name"},
    {CORE(pod_readiness_gate), KEEP, "conditionType"},
    {CORE(pod_resource_claim), KEEP, "name resourceClaimName resourceClaimTemplateName"},
    {CORE(pod_scheduling_gate), KEEP, "name"},
    {CORE(pod_security_context), KEEP,
     "runAsUser runAsGroup runAsNonRoot supplementalGroupsPolicy fsGroup fsGroupChangePolicy "
     "seLinuxChangePolicy"},
    {CORE(pod_spec), KEEP,
     "terminationGracePeriodSeconds activeDeadlineSeconds automountServiceAccountToken "
     "shareProcessNamespace priority runtimeClassName enableServiceLinks preemptionPolicy "
     "setHostnameAsFQDN hostUsers"},
    {CORE(port_status), KEEP, "port protocol error"},
    {CORE(preferred_scheduling_term), KEEP, "weight"},
    {CORE(probe), INLINE, "handler"},
    {CORE(probe), KEEP, "terminationGracePeriodSeconds"},
    {CORE(projected_volume_source), KEEP, "defaultMode"},
    {CORE(resource_claim), KEEP, "name"},
    {CORE(resource_field_selector), KEEP, "resource"},
    {CORE(seccomp_profile), KEEP, "type localhostProfile"},
    {CORE(secret), KEEP, "immutable"},
    {CORE(secret_env_source), INLINE, "localObjectReference"},
    {CORE(secret_env_source), KEEP, "optional"},
    {CORE(secret_key_selector), INLINE, "localObjectReference"},
    {CORE(secret_key_selector), KEEP, "key optional"},
    {CORE(secret_projection), INLINE, "localObjectReference"},
    {CORE(secret_projection), KEEP, "optional"},
    {CORE(secret_volume_source), KEEP, "defaultMode optional"},
    {CORE(security_context), KEEP,
     "privileged runAsUser runAsGroup runAsNonRoot readOnlyRootFilesystem "
     "allowPrivilegeEscalation procMount"},
    {CORE(service_account), KEEP, "automountServiceAccountToken"},
    {CORE(service_account_token_projection), KEEP, "expirationSeconds path"},
    {CORE(service_port), KEEP, "appProtocol port"},
    {CORE(service_spec), KEEP,
     "ipFamilyPolicy allocateLoadBalancerNodePorts loadBalancerClass internalTrafficPolicy "
     "trafficDistribution"},
    {CORE(sleep_action), KEEP, "seconds"},
    {CORE(sysctl), KEEP, "name value"},
    {CORE(toleration), KEEP, "tolerationSeconds"},
    {CORE(topology_spread_constraint), KEEP,
     "maxSkew topologyKey whenUnsatisfiable minDomains nodeAffinityPolicy nodeTaintsPolicy"},
    {CORE(volume), INLINE, "volumeSource"},
    {CORE(volume), KEEP, "name"},
    {CORE(volume_device), KEEP, "name devicePath"},
    {CORE(volume_mount), KEEP, "name recursiveReadOnly mountPath mountPropagation"},
    {CORE(weighted_pod_affinity_term), KEEP, "weight"},
    {CORE(windows_security_context_options), KEEP,
     "gmsaCredentialSpecName gmsaCredentialSpec runAsUserName hostProcess"},
    {APPS(deployment_spec), KEEP, "replicas revisionHistoryLimit progressDeadlineSeconds"},
    {APPS(deployment_status), KEEP, "collisionCount"},
    {APPS(deployment_condition), KEEP, "type status"},
    {POLICY(pod_disruption_budget_spec), KEEP, "unhealthyPodEvictionPolicy"},
    {POLICY(pod_disruption_budget_status), KEEP,
     "disruptionsAllowed currentHealthy desiredHealthy expectedPods"},
};

/* Does the space-separated list hold the word? */
static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        size_t m = strcspn(p, " ");
        if (m == n && memcmp(p, word, n) == 0)
            return true;
        p += m;
        p += strspn(p, " ");
    }
    return false;
}

static enum rule rule_of(const ProtobufCMessageDescriptor *msg, const char *field)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(rules); i++)
        if (rules[i].msg == msg && has_word(rules[i].fields, field))
            return rules[i].rule;
    return OMITEMPTY;
}

/* What the walk relies on, checked once against the generated descriptors:
 * proto2 optional or repeated fields of the types it writes, no message
 * that contains itself (so depth is bounded by the schema), and no
 * misspelt name in the rules table, which would silently mean omitempty. */
static void check_message(const ProtobufCMessageDescriptor *desc, int depth)
{
    FL_ASSERT(depth < DEPTH_MAX);
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        FL_ASSERT(f->label == PROTOBUF_C_LABEL_OPTIONAL || f->label == PROTOBUF_C_LABEL_REPEATED);
        FL_ASSERT(!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF));
        switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_BOOL:
        case PROTOBUF_C_TYPE_STRING:
        case PROTOBUF_C_TYPE_BYTES:
            break;
        case PROTOBUF_C_TYPE_MESSAGE:
            check_message(f->descriptor, depth + 1);
            break;
        default:
            FL_ASSERT(!"protobuf field type the walk does not write");
        }
    }
}

static void check_schema(void)
{
    static bool checked;
    if (checked)
        return;
    check_message(&k8s__io__apimachinery__pkg__runtime__unknown__descriptor, 0);
    for (size_t i = 0; i < FL_ARRAY_LEN(kinds); i++)
        check_message(kinds[i].desc, 0);
    for (size_t i = 0; i < FL_ARRAY_LEN(rules); i++) {
        for (const char *p = rules[i].fields; *p;) {
            size_t m = strcspn(p, " ");
            char name[64];
            FL_ASSERT(m > 0 && m < sizeof(name));
            memcpy(name, p, m);
            name[m] = '\0';
            const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field_by_name(rules[i].msg, name);
            FL_ASSERT(f != NULL);
            FL_ASSERT(rules[i].rule != INLINE || f->type == PROTOBUF_C_TYPE_MESSAGE);
            p += m;
            p += strspn(p, " ");
        }
    }
    checked = true;
}

/* ---- allocation budget ---------------------------------------------------- */

/* Counts what protobuf-c allocates for one body, with malloc's overhead (a
 * one-byte string costs 32 bytes of heap); frees are not subtracted, so the
 * count only errs on the safe side. */
struct budget {
    size_t used;
    bool exceeded;
};

static void *budget_alloc(void *data, size_t size)
{
    struct budget *b = data;
    size_t cost = size < FL_PROTOBUF_ALLOC_MAX ? (size + 16 + 15) & ~(size_t)15 : SIZE_MAX;
    if (cost > FL_PROTOBUF_ALLOC_MAX - b->used) {
        b->exceeded = true;
        return NULL; /* protobuf-c fails the unpack and frees what it built */
    }
    b->used += cost;
    return fl_xmalloc(size ? size : 1);
}

static void budget_free(void *data, void *p)
{
    (void)data;
    free(p);
}

/* ---- the walk --------------------------------------------------------------- */

struct dec {
    struct fl_err *err;
    size_t nodes;
    int depth;
    size_t pathlen;
    char path[256]; /* where we are, for messages: spec.ports[0].targetPort */
};

static size_t path_push(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append to the path; returns the length to pop back to. */
static size_t path_push(struct dec *d, const char *fmt, ...)
{
    size_t old = d->pathlen;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(d->path + old, sizeof(d->path) - old, fmt, ap);
    va_end(ap);
    if (n > 0)
        d->pathlen = old + (size_t)n < sizeof(d->path) ? old + (size_t)n : sizeof(d->path) - 1;
    return old;
}

static void path_pop(struct dec *d, size_t old)
{
    d->pathlen = old;
    d->path[old] = '\0';
}

static int fail(struct dec *d, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An error about the value at the current path. */
static int fail(struct dec *d, int code, const char *reason, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return fl_errf(d->err, code, reason, "protobuf body: %s%s%s", d->path, d->path[0] ? ": " : "",
                   what);
}

/* Count one JSON value against the cap; v NULL (jansson refused it) is an
 * error too. */
static int node(struct dec *d, json_t *v, json_t **out)
{
    *out = v;
    if (!v)
        return fail(d, 400, "BadRequest", "value cannot be represented in JSON");
    if (++d->nodes > FL_PROTOBUF_NODES_MAX) {
        json_decref(v);
        *out = NULL;
        return fl_errf(d->err, 413, "RequestEntityTooLarge",
                       "protobuf body: the object has more than %d values", FL_PROTOBUF_NODES_MAX);
    }
    return 0;
}

static int string_json(struct dec *d, const char *s, json_t **out)
{
    json_t *v = json_string(s ? s : "");
    if (!v)
        return fail(d, 400, "BadRequest", "invalid UTF-8 in string");
    return node(d, v, out);
}

/* Go's encoding/json writes []byte as standard base64 with padding. */
static int bytes_json(struct dec *d, const ProtobufCBinaryData *b, json_t **out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = b->len;
    char *s = fl_xmalloc(4 * ((n + 2) / 3) + 1);
    char *o = s;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)b->data[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)b->data[i + 1] << 8;
        if (i + 2 < n)
            v |= b->data[i + 2];
        *o++ = tab[(v >> 18) & 63];
        *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *o = '\0';
    json_t *v = json_stringn_nocheck(s, (size_t)(o - s));
    free(s);
    return node(d, v, out);
}

/* ---- unknown fields ----------------------------------------------------------- */

static bool read_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64 && *i < n; shift += 7) {
        uint8_t c = p[(*i)++];
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Is the payload of a length-delimited field the zero value: empty, or a
 * message whose fields are all zero (what gogo-protobuf sends for a struct
 * field left at its zero value)? */
static bool wire_zero(const uint8_t *p, size_t n, int depth)
{
    if (depth > WIRE_DEPTH_MAX)
        return false;
    size_t i = 0;
    while (i < n) {
        uint64_t tag, v;
        if (!read_varint(p, n, &i, &tag) || (tag >> 3) == 0)
            return false;
        switch (tag & 7) {
        case 0:
            if (!read_varint(p, n, &i, &v) || v != 0)
                return false;
            break;
        case 1:
        case 5: {
            size_t w = (tag & 7) == 1 ? 8 : 4;
            if (n - i < w || !all_zero(p + i, w))
                return false;
            i += w;
            break;
        }
        case 2:
            if (!read_varint(p, n, &i, &v) || v > n - i || !wire_zero(p + i, (size_t)v, depth + 1))
                return false;
            i += (size_t)v;
            break;
        default:
            return false;
        }
    }
    return true;
}

/* protobuf-c keeps fields it has no descriptor for; one that holds anything
 * but zero was set by the client to something this server would drop. */
static int check_unknown(struct dec *d, const ProtobufCMessage *m)
{
    for (unsigned i = 0; i < m->n_unknown_fields; i++) {
        const ProtobufCMessageUnknownField *u = &m->unknown_fields[i];
        bool zero = false;
        size_t at = 0;
        uint64_t len;
        switch (u->wire_type) {
        case PROTOBUF_C_WIRE_TYPE_VARINT:
            zero = read_varint(u->data, u->len, &at, &len) && len == 0;
            break;
        case PROTOBUF_C_WIRE_TYPE_64BIT:
        case PROTOBUF_C_WIRE_TYPE_32BIT:
            zero = all_zero(u->data, u->len);
            break;
        case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED: /* data starts with the length */
            zero = read_varint(u->data, u->len, &at, &len) && len == u->len - at &&
                   wire_zero(u->data + at, u->len - at, 0);
            break;
        default:
            break;
        }
        if (!zero)
            return fail(d, 415, "UnsupportedMediaType",
                        "field number %u of %s is not supported in %s bodies by this server; "
                        "send the object as application/json",
                        u->tag, m->descriptor->name, FL_PROTOBUF_CONTENT_TYPE);
    }
    return 0;
}

/* ---- values --------------------------------------------------------------------- */

static int message_json(struct dec *d, const ProtobufCMessageDescriptor *desc,
                        const ProtobufCMessage *m, json_t **out);

/* metav1.Time: RFC 3339 in UTC, whole seconds. An empty message is the zero
 * time, JSON null: *out stays NULL and the caller leaves the field out. */
static int time_json(struct dec *d, const Time *t, json_t **out)
{
    *out = NULL;
    if (!t || (!t->has_seconds && !t->has_nanos))
        return 0;
    time_t secs = (time_t)t->seconds;
    struct tm tm;
    if ((int64_t)secs != t->seconds || !gmtime_r(&secs, &tm) || tm.tm_year + 1900 < 1 ||
        tm.tm_year + 1900 > 9999)
        return fail(d, 400, "BadRequest", "time %" PRId64 " is out of range", t->seconds);
    char buf[32];
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return node(d, json_string(buf), out);
}

/* intstr.IntOrString: type 0 is intVal as a number, type 1 strVal as a
 * string; an empty message is 0, as in Go. */
static int intstr_json(struct dec *d, const IntOrString *v, json_t **out)
{
    int64_t type = v && v->has_type ? v->type : 0;
    if (type == 0)
        return node(d, json_integer(v && v->has_intval ? v->intval : 0), out);
    if (type == 1)
        return string_json(d, v->strval, out);
    return fail(d, 400, "BadRequest", "invalid IntOrString type %" PRId64, type);
}

/* resource.Quantity: its string. An empty message is the zero quantity;
 * an empty string is refused, as upstream's parser does. The string's
 * syntax is left to validation, as for JSON bodies. */
static int quantity_json(struct dec *d, const Quantity *q, json_t **out)
{
    if (!q || !q->string)
        return node(d, json_string("0"), out);
    if (!q->string[0])
        return fail(d, 400, "BadRequest",
                    "quantities must match the regular expression "
                    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    return string_json(d, q->string, out);
}

/* metav1.FieldsV1: the raw bytes are JSON already. */
static int fieldsv1_json(struct dec *d, const FieldsV1 *f, json_t **out)
{
    *out = NULL;
    if (!f || !f->has_raw || f->raw.len == 0)
        return 0;
    json_t *v = json_loadb((const char *)f->raw.data, f->raw.len, 0, NULL);
    if (!v)
        return fail(d, 400, "BadRequest", "fieldsV1 is not valid JSON");
    return node(d, v, out);
}

/* One value of field f stored at p (a member, or an element of a repeated
 * field). *out NULL means "no value" (a zero Time). */
static int value_json(struct dec *d, const ProtobufCFieldDescriptor *f, const void *p, json_t **out)
{
    *out = NULL;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
        return node(d, json_integer(*(const int32_t *)p), out);
    case PROTOBUF_C_TYPE_INT64:
        return node(d, json_integer(*(const int64_t *)p), out);
    case PROTOBUF_C_TYPE_BOOL:
        return node(d, json_boolean(*(const protobuf_c_boolean *)p), out);
    case PROTOBUF_C_TYPE_STRING:
        return string_json(d, *(char *const *)p, out);
    case PROTOBUF_C_TYPE_BYTES:
        return bytes_json(d, p, out);
    case PROTOBUF_C_TYPE_MESSAGE:
        return message_json(d, f->descriptor, *(ProtobufCMessage *const *)p, out);
    default:
        break; /* check_schema() rules the others out */
    }
    return fail(d, 400, "BadRequest", "field type %d not supported", (int)f->type);
}

static bool value_zero(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
        return *(const int32_t *)p == 0;
    case PROTOBUF_C_TYPE_INT64:
        return *(const int64_t *)p == 0;
    case PROTOBUF_C_TYPE_BOOL:
        return !*(const protobuf_c_boolean *)p;
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return !s || !s[0];
    }
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *)p)->len == 0;
    default:
        return false;
    }
}

static size_t value_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64:
        return sizeof(int64_t);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    default:
        return sizeof(int32_t);
    }
}

/* protoc writes map<K, V> as a repeated message XxxEntry {key = 1; value = 2}. */
static bool is_map(const ProtobufCFieldDescriptor *f)
{
    if (f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE)
        return false;
    const ProtobufCMessageDescriptor *e = f->descriptor;
    size_t n = strlen(e->short_name);
    return e->n_fields == 2 && n > 5 && strcmp(e->short_name + n - 5, "Entry") == 0 &&
           e->fields[0].id == 1 && strcmp(e->fields[0].name, "key") == 0 &&
           e->fields[0].type == PROTOBUF_C_TYPE_STRING && e->fields[1].id == 2 &&
           strcmp(e->fields[1].name, "value") == 0;
}

static int map_json(struct dec *d, const ProtobufCFieldDescriptor *f, size_t n,
                    ProtobufCMessage *const *entries, json_t **out)
{
    const ProtobufCMessageDescriptor *e = f->descriptor;
    const ProtobufCFieldDescriptor *kf = &e->fields[0], *vf = &e->fields[1];
    json_t *obj;
    int rc = node(d, json_object(), &obj);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const ProtobufCMessage *m = entries[i];
        rc = check_unknown(d, m);
        if (rc)
            break;
        const char *key = *(char *const *)((const char *)m + kf->offset);
        size_t old = path_push(d, "[%s]", key ? key : "");
        json_t *v;
        rc = value_json(d, vf, (const char *)m + vf->offset, &v);
        if (rc == 0 && !v)
            rc = node(d, json_null(), &v); /* a zero Time in a map is null in Go */
        if (rc == 0 && json_object_set_new(obj, key ? key : "", v) != 0)
            rc = fail(d, 400, "BadRequest", "invalid UTF-8 in map key");
        path_pop(d, old);
        if (rc)
            break;
    }
    if (rc) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

static int array_json(struct dec *d, const ProtobufCFieldDescriptor *f, size_t n, const void *arr,
                      json_t **out)
{
    json_t *a;
    int rc = node(d, json_array(), &a);
    if (rc)
        return rc;
    size_t size = value_size(f);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t old = path_push(d, "[%zu]", i);
        json_t *v;
        rc = value_json(d, f, (const char *)arr + i * size, &v);
        if (rc == 0 && !v)
            rc = node(d, json_null(), &v);
        if (rc == 0)
            json_array_append_new(a, v);
        path_pop(d, old);
    }
    if (rc) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* Is the optional field f set in the message at base? A proto2 string or
 * message is a pointer, NULL when absent; other types have a has_ flag. */
static bool present(const ProtobufCFieldDescriptor *f, const char *base)
{
    if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(void *const *)(base + f->offset) != NULL;
    return *(const protobuf_c_boolean *)(base + f->quantifier_offset);
}

/* Write the fields of m into obj (obj is the parent's for an inline struct). */
static int fields_json(struct dec *d, const ProtobufCMessage *m, json_t *obj)
{
    if (NEVER(++d->depth > DEPTH_MAX))
        return fail(d, 400, "BadRequest", "nested too deeply");
    int rc = check_unknown(d, m);
    const ProtobufCMessageDescriptor *desc = m->descriptor;
    const char *base = (const char *)m;
    for (unsigned i = 0; i < desc->n_fields && rc == 0; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        enum rule rule = rule_of(desc, f->name);
        json_t *v = NULL;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            if (n == 0)
                continue; /* Go: nil slices and maps are omitempty or null */
            const void *arr = *(void *const *)(base + f->offset);
            size_t old = path_push(d, "%s%s", d->pathlen ? "." : "", f->name);
            rc = is_map(f) ? map_json(d, f, n, arr, &v) : array_json(d, f, n, arr, &v);
            path_pop(d, old);
        } else {
            if (!present(f, base))
                continue;
            const void *p = base + f->offset;
            if (rule == INLINE) {
                rc = fields_json(d, *(ProtobufCMessage *const *)p, obj);
                continue;
            }
            if (f->type != PROTOBUF_C_TYPE_MESSAGE && rule != KEEP && value_zero(f, p))
                continue;
            size_t old = path_push(d, "%s%s", d->pathlen ? "." : "", f->name);
            rc = value_json(d, f, p, &v);
            path_pop(d, old);
        }
        if (v)
            json_object_set_new(obj, f->name, v);
    }
    d->depth--;
    return rc;
}

/* A message value; m NULL is an empty message (a map entry without value). */
static int message_json(struct dec *d, const ProtobufCMessageDescriptor *desc,
                        const ProtobufCMessage *m, json_t **out)
{
    *out = NULL;
    bool special =
        desc == META(time) || desc == INTSTR || desc == QUANTITY || desc == META(fields_v1);
    if (special && m) {
        int rc = check_unknown(d, m); /* fields_json checks the others */
        if (rc)
            return rc;
    }
    if (desc == META(time))
        return time_json(d, (const Time *)m, out);
    if (desc == INTSTR)
        return intstr_json(d, (const IntOrString *)m, out);
    if (desc == QUANTITY)
        return quantity_json(d, (const Quantity *)m, out);
    if (desc == META(fields_v1))
        return fieldsv1_json(d, (const FieldsV1 *)m, out);
    json_t *obj;
    int rc = node(d, json_object(), &obj);
    if (rc == 0 && m)
        rc = fields_json(d, m, obj);
    if (rc) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

/* ---- the body --------------------------------------------------------------------- */

static int unpack_failed(const struct budget *b, struct fl_err *err, const char *what)
{
    if (b->exceeded)
        return fl_errf(err, 413, "RequestEntityTooLarge",
                       "protobuf body: decoding %s needs more than %d bytes of memory", what,
                       FL_PROTOBUF_ALLOC_MAX);
    return fl_errf(err, 400, "BadRequest",
                   "protobuf body: %s could not be decoded (truncated or malformed)", what);
}

static int unsupported_kind(struct fl_err *err, const char *api_version, const char *kind)
{
    char list[512];
    size_t n = 0;
    for (size_t i = 0; i < FL_ARRAY_LEN(kinds) && n < sizeof(list); i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s %s", i ? ", " : "",
                              kinds[i].api_version, kinds[i].kind);
    /* api_version and kind came off the wire: %.*s keeps them short, and
     * jansson escapes them when this becomes a Status. */
    return fl_errf(err, 415, "UnsupportedMediaType",
                   "%.64s %.64s is not supported in %s bodies by this server (supported: %s); "
                   "send it as application/json",
                   api_version, kind, FL_PROTOBUF_CONTENT_TYPE, list);
}

int fl_protobuf_decode(const void *body, size_t len, json_t **out, struct fl_err *err)
{
    static const uint8_t empty[1];
    struct budget b = {0};
    ProtobufCAllocator alloc = {.alloc = budget_alloc, .free = budget_free, .allocator_data = &b};
    struct dec d = {.err = err};
    Unknown *unk = NULL;
    ProtobufCMessage *obj = NULL;
    json_t *doc = NULL;
    const struct kind *k = NULL;
    int rc;

    *out = NULL;
    check_schema();
    if (len > FL_PROTOBUF_BODY_MAX) {
        rc = fl_errf(err, 413, "RequestEntityTooLarge", "Request entity too large: limit is %d",
                     FL_PROTOBUF_BODY_MAX);
        goto out;
    }
    if (len < sizeof(magic) || memcmp(body, magic, sizeof(magic)) != 0) {
        rc = fl_errf(err, 400, "BadRequest",
                     "protobuf body: it does not start with the magic \"k8s\\0\"");
        goto out;
    }
    unk = k8s__io__apimachinery__pkg__runtime__unknown__unpack(
        &alloc, len - sizeof(magic), (const uint8_t *)body + sizeof(magic));
    if (!unk) {
        rc = unpack_failed(&b, err, "the envelope (runtime.Unknown)");
        goto out;
    }
    rc = check_unknown(&d, &unk->base);
    if (rc == 0 && unk->typemeta)
        rc = check_unknown(&d, &unk->typemeta->base);
    if (rc)
        goto out;
    const char *api_version =
        unk->typemeta && unk->typemeta->apiversion ? unk->typemeta->apiversion : "";
    const char *kind = unk->typemeta && unk->typemeta->kind ? unk->typemeta->kind : "";
    if (!kind[0]) {
        rc = fl_errf(err, 400, "BadRequest", "Object 'Kind' is missing in the protobuf body");
        goto out;
    }
    if (!api_version[0]) {
        rc = fl_errf(err, 400, "BadRequest", "Object 'apiVersion' is missing in the protobuf body");
        goto out;
    }
    for (size_t i = 0; i < FL_ARRAY_LEN(kinds) && !k; i++)
        if (strcmp(kinds[i].api_version, api_version) == 0 && strcmp(kinds[i].kind, kind) == 0)
            k = &kinds[i];
    if (!k) {
        rc = unsupported_kind(err, api_version, kind);
        goto out;
    }
    bool has_raw = unk->has_raw && unk->raw.len > 0;
    obj = protobuf_c_message_unpack(k->desc, &alloc, has_raw ? unk->raw.len : 0,
                                    has_raw ? unk->raw.data : empty);
    if (!obj) {
        char what[96];
        snprintf(what, sizeof(what), "the %s", k->kind);
        rc = unpack_failed(&b, err, what);
        goto out;
    }
    doc = json_pack("{s:s,s:s}", "apiVersion", k->api_version, "kind", k->kind);
    FL_ASSERT(doc != NULL);
    d.nodes = 3;
    rc = fields_json(&d, obj, doc);
    if (rc)
        goto out;
    *out = doc;
    doc = NULL;
    rc = 0;
out:
    json_decref(doc);
    if (obj)
        protobuf_c_message_free_unpacked(obj, &alloc);
    if (unk)
        k8s__io__apimachinery__pkg__runtime__unknown__free_unpacked(unk, &alloc);
    return rc;
}
