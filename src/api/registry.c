/*
 * The served resource types: see registry.h. The built-in table follows
 * kube-apiserver 1.32 (names, short names, categories, field selectors,
 * subresources) and Karmada's CRDs for its API groups. Dynamic entries come
 * from CustomResourceDefinitions; they live in a growable array of owned
 * copies that are retired (kept, marked) rather than freed on removal.
 */
#include "api/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Field selector paths: metadata.name always, metadata.namespace for
 * namespaced types, then the kind's own. */
#define META "metadata.name", "metadata.namespace"

/* Built-in workloads: the Scale's selector is spec.selector in string form. */
static const struct fl_scale_paths workload_scale = {"spec.replicas", "status.replicas", NULL};

static const struct fl_rtype builtins[] = {
    /* core/v1 */
    {.group = "", .version = "v1", .resource = "namespaces", .singular = "namespace",
     .kind = "Namespace", .list_kind = "NamespaceList", .short_names = L("ns"),
     .fields = L("metadata.name", "status.phase"), .status = true, .builtin = true},
    {.group = "", .version = "v1", .resource = "configmaps", .singular = "configmap",
     .kind = "ConfigMap", .list_kind = "ConfigMapList", .namespaced = true,
     .short_names = L("cm"), .fields = L(META), .builtin = true},
    {.group = "", .version = "v1", .resource = "secrets", .singular = "secret", .kind = "Secret",
     .list_kind = "SecretList", .namespaced = true, .fields = L(META, "type"), .builtin = true},
    {.group = "", .version = "v1", .resource = "services", .singular = "service",
     .kind = "Service", .list_kind = "ServiceList", .namespaced = true, .short_names = L("svc"),
     .categories = L("all"), .fields = L(META), .status = true, .builtin = true},
    {.group = "", .version = "v1", .resource = "serviceaccounts", .singular = "serviceaccount",
     .kind = "ServiceAccount", .list_kind = "ServiceAccountList", .namespaced = true,
     .short_names = L("sa"), .fields = L(META), .builtin = true},
    {.group = "", .version = "v1", .resource = "events", .singular = "event", .kind = "Event",
     .list_kind = "EventList", .namespaced = true, .short_names = L("ev"),
     .fields = L(META, "involvedObject.kind", "involvedObject.namespace",
                 "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                 "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                 "reportingComponent", "source", "type"),
     .builtin = true},
    {.group = "", .version = "v1", .resource = "pods", .singular = "pod", .kind = "Pod",
     .list_kind = "PodList", .namespaced = true, .short_names = L("po"),
     .categories = L("all"),
     .fields = L(META, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                 "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                 "status.podIP", "status.nominatedNodeName"),
     .status = true, .builtin = true},
    {.group = "", .version = "v1", .resource = "nodes", .singular = "node", .kind = "Node",
     .list_kind = "NodeList", .short_names = L("no"),
     .fields = L("metadata.name", "spec.unschedulable"),
     .status = true, .builtin = true},
    {.group = "", .version = "v1", .resource = "persistentvolumeclaims",
     .singular = "persistentvolumeclaim", .kind = "PersistentVolumeClaim",
     .list_kind = "PersistentVolumeClaimList", .namespaced = true, .short_names = L("pvc"),
     .fields = L(META), .status = true, .builtin = true},
    {.group = "", .version = "v1", .resource = "endpoints", .singular = "endpoints",
     .kind = "Endpoints", .list_kind = "EndpointsList", .namespaced = true,
     .short_names = L("ep"), .fields = L(META), .builtin = true},
    /* apps/v1 */
    {.group = "apps", .version = "v1", .resource = "deployments", .singular = "deployment",
     .kind = "Deployment", .list_kind = "DeploymentList", .namespaced = true,
     .short_names = L("deploy"), .categories = L("all"), .fields = L(META), .status = true,
     .scale = &workload_scale, .builtin = true, .generation = true},
    {.group = "apps", .version = "v1", .resource = "statefulsets", .singular = "statefulset",
     .kind = "StatefulSet", .list_kind = "StatefulSetList", .namespaced = true,
     .short_names = L("sts"), .categories = L("all"), .fields = L(META), .status = true,
     .scale = &workload_scale, .builtin = true, .generation = true},
    {.group = "apps", .version = "v1", .resource = "replicasets", .singular = "replicaset",
     .kind = "ReplicaSet", .list_kind = "ReplicaSetList", .namespaced = true,
     .short_names = L("rs"), .categories = L("all"), .fields = L(META), .status = true,
     .scale = &workload_scale, .builtin = true, .generation = true},
    {.group = "apps", .version = "v1", .resource = "daemonsets", .singular = "daemonset",
     .kind = "DaemonSet", .list_kind = "DaemonSetList", .namespaced = true,
     .short_names = L("ds"), .categories = L("all"), .fields = L(META), .status = true,
     .builtin = true, .generation = true},
    {.group = "apps", .version = "v1", .resource = "controllerrevisions",
     .singular = "controllerrevision", .kind = "ControllerRevision",
     .list_kind = "ControllerRevisionList", .namespaced = true, .fields = L(META),
     .builtin = true},
    /* autoscaling, policy, discovery, coordination */
    {.group = "autoscaling", .version = "v2", .resource = "horizontalpodautoscalers",
     .singular = "horizontalpodautoscaler", .kind = "HorizontalPodAutoscaler",
     .list_kind = "HorizontalPodAutoscalerList", .namespaced = true, .short_names = L("hpa"),
     .categories = L("all"), .fields = L(META), .status = true, .builtin = true, .generation = true},
    {.group = "policy", .version = "v1", .resource = "poddisruptionbudgets",
     .singular = "poddisruptionbudget", .kind = "PodDisruptionBudget",
     .list_kind = "PodDisruptionBudgetList", .namespaced = true, .short_names = L("pdb"),
     .fields = L(META), .status = true, .builtin = true, .generation = true},
    {.group = "discovery.k8s.io", .version = "v1", .resource = "endpointslices",
     .singular = "endpointslice", .kind = "EndpointSlice", .list_kind = "EndpointSliceList",
     .namespaced = true, .fields = L(META), .builtin = true},
    {.group = "coordination.k8s.io", .version = "v1", .resource = "leases", .singular = "lease",
     .kind = "Lease", .list_kind = "LeaseList", .namespaced = true, .fields = L(META),
     .builtin = true},
    {.group = "apiextensions.k8s.io", .version = "v1", .resource = "customresourcedefinitions",
     .singular = "customresourcedefinition", .kind = "CustomResourceDefinition",
     .list_kind = "CustomResourceDefinitionList", .short_names = L("crd", "crds"),
     .categories = L("api-extensions"), .fields = L("metadata.name"), .status = true,
     .builtin = true, .generation = true},
    /* Karmada: served natively, as its CRDs define them */
    {.group = "cluster.karmada.io", .version = "v1alpha1", .resource = "clusters",
     .singular = "cluster", .kind = "Cluster", .list_kind = "ClusterList",
     .fields = L("metadata.name"),
     .status = true, .generation = true},
    {.group = "policy.karmada.io", .version = "v1alpha1", .resource = "propagationpolicies",
     .singular = "propagationpolicy", .kind = "PropagationPolicy",
     .list_kind = "PropagationPolicyList", .namespaced = true, .short_names = L("pp"),
     .fields = L(META), .generation = true},
    {.group = "policy.karmada.io", .version = "v1alpha1",
     .resource = "clusterpropagationpolicies", .singular = "clusterpropagationpolicy",
     .kind = "ClusterPropagationPolicy", .list_kind = "ClusterPropagationPolicyList",
     .short_names = L("cpp"), .fields = L("metadata.name"), .generation = true},
    {.group = "policy.karmada.io", .version = "v1alpha1", .resource = "overridepolicies",
     .singular = "overridepolicy", .kind = "OverridePolicy", .list_kind = "OverridePolicyList",
     .namespaced = true, .short_names = L("op"), .fields = L(META), .generation = true},
    {.group = "policy.karmada.io", .version = "v1alpha1", .resource = "clusteroverridepolicies",
     .singular = "clusteroverridepolicy", .kind = "ClusterOverridePolicy",
     .list_kind = "ClusterOverridePolicyList", .short_names = L("cop"),
     .fields = L("metadata.name"), .generation = true},
    {.group = "work.karmada.io", .version = "v1alpha2", .resource = "resourcebindings",
     .singular = "resourcebinding", .kind = "ResourceBinding",
     .list_kind = "ResourceBindingList", .namespaced = true, .short_names = L("rb"),
     .fields = L(META), .status = true, .generation = true},
    {.group = "work.karmada.io", .version = "v1alpha2", .resource = "clusterresourcebindings",
     .singular = "clusterresourcebinding", .kind = "ClusterResourceBinding",
     .list_kind = "ClusterResourceBindingList", .short_names = L("crb"),
     .fields = L("metadata.name"),
     .status = true, .generation = true},
    {.group = "autoscaling.karmada.io", .version = "v1alpha1", .resource = "federatedhpas",
     .singular = "federatedhpa", .kind = "FederatedHPA", .list_kind = "FederatedHPAList",
     .namespaced = true, .short_names = L("fhpa"), .fields = L(META), .status = true, .generation = true},
    {.group = "autoscaling.karmada.io", .version = "v1alpha1", .resource = "cronfederatedhpas",
     .singular = "cronfederatedhpa", .kind = "CronFederatedHPA",
     .list_kind = "CronFederatedHPAList", .namespaced = true, .short_names = L("cronfhpa"),
     .fields = L(META), .status = true, .generation = true},
};

/* Types an extension computes (api.h), served once a process asks for them. */
static const struct fl_rtype computed[] = {
    {.group = "metrics.k8s.io", .version = "v1beta1", .resource = "pods", .singular = "",
     .kind = "PodMetrics", .list_kind = "PodMetricsList", .namespaced = true,
     .fields = L(META), .computed = true},
    {.group = "metrics.k8s.io", .version = "v1beta1", .resource = "nodes", .singular = "",
     .kind = "NodeMetrics", .list_kind = "NodeMetricsList", .fields = L(META),
     .computed = true},
};
static size_t ncomputed;

void fl_registry_serve_computed(void)
{
    ncomputed = FL_ARRAY_LEN(computed);
}

/* A CRD-defined type: the entry plus the storage its strings live in. */
struct dyn {
    struct fl_rtype t;
    bool retired;
    char **strings; /* owned copies the entry points into */
    size_t nstrings;
};

static struct dyn **dyns;
static size_t ndyns;

static bool same(const struct fl_rtype *t, const char *group, const char *version,
                 const char *resource)
{
    return !strcmp(t->group, group) && !strcmp(t->version, version) &&
           !strcmp(t->resource, resource);
}

const struct fl_rtype *fl_registry_find(const char *group, const char *version,
                                        const char *resource)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(builtins); i++)
        if (same(&builtins[i], group, version, resource))
            return &builtins[i];
    for (size_t i = 0; i < ncomputed; i++)
        if (same(&computed[i], group, version, resource))
            return &computed[i];
    for (size_t i = 0; i < ndyns; i++)
        if (!dyns[i]->retired && same(&dyns[i]->t, group, version, resource))
            return &dyns[i]->t;
    return NULL;
}

const struct fl_rtype *fl_registry_at(size_t i)
{
    if (i < FL_ARRAY_LEN(builtins))
        return &builtins[i];
    i -= FL_ARRAY_LEN(builtins);
    if (i < ncomputed)
        return &computed[i];
    i -= ncomputed;
    for (size_t j = 0; j < ndyns; j++) {
        if (dyns[j]->retired)
            continue;
        if (i-- == 0)
            return &dyns[j]->t;
    }
    return NULL;
}

static const char *keep(struct dyn *d, const char *s)
{
    if (!s)
        return NULL;
    d->strings = fl_xrealloc(d->strings, (d->nstrings + 1) * sizeof(*d->strings));
    return d->strings[d->nstrings++] = fl_xstrdup(s);
}

static const char *const *keep_list(struct dyn *d, const char *const *l)
{
    if (!l)
        return NULL;
    size_t n = 0;
    while (l[n])
        n++;
    const char **copy = fl_xcalloc(n + 1, sizeof(*copy));
    for (size_t i = 0; i < n; i++)
        copy[i] = keep(d, l[i]);
    d->strings = fl_xrealloc(d->strings, (d->nstrings + 1) * sizeof(*d->strings));
    d->strings[d->nstrings++] = (char *)copy;
    return copy;
}

static void retire(struct dyn *d)
{
    d->retired = true;
    json_decref(d->t.schema);
    json_decref(d->t.printer_columns);
    d->t.schema = d->t.printer_columns = NULL;
}

int fl_registry_add(const struct fl_rtype *t, struct fl_err *err)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(builtins); i++)
        if (same(&builtins[i], t->group, t->version, t->resource))
            return fl_errf(err, 409, "Conflict", "%s/%s %s is a built-in type", t->group,
                           t->version, t->resource);
    for (size_t i = 0; i < ndyns; i++)
        if (!dyns[i]->retired && same(&dyns[i]->t, t->group, t->version, t->resource))
            retire(dyns[i]);
    struct dyn *d = fl_xcalloc(1, sizeof(*d));
    d->t = *t;
    d->t.group = keep(d, t->group);
    d->t.version = keep(d, t->version);
    d->t.resource = keep(d, t->resource);
    d->t.singular = keep(d, t->singular);
    d->t.kind = keep(d, t->kind);
    d->t.list_kind = keep(d, t->list_kind);
    d->t.short_names = keep_list(d, t->short_names);
    d->t.categories = keep_list(d, t->categories);
    d->t.fields = keep_list(d, t->fields          ? t->fields
                               : t->namespaced ? L(META)
                                               : L("metadata.name"));
    if (t->scale) {
        struct fl_scale_paths *sp = fl_xcalloc(1, sizeof(*sp));
        sp->spec_replicas = keep(d, t->scale->spec_replicas);
        sp->status_replicas = keep(d, t->scale->status_replicas);
        sp->label_selector = keep(d, t->scale->label_selector);
        d->t.scale = sp;
        d->strings = fl_xrealloc(d->strings, (d->nstrings + 1) * sizeof(*d->strings));
        d->strings[d->nstrings++] = (char *)sp;
    }
    d->t.builtin = false;
    d->t.generation = true; /* custom resources always have one */
    d->t.schema = json_incref(t->schema);
    d->t.printer_columns = json_incref(t->printer_columns);
    dyns = fl_xrealloc(dyns, (ndyns + 1) * sizeof(*dyns));
    dyns[ndyns++] = d;
    return FL_OK;
}

void fl_registry_remove(const char *group, const char *resource)
{
    for (size_t i = 0; i < ndyns; i++)
        if (!dyns[i]->retired && !strcmp(dyns[i]->t.group, group) &&
            !strcmp(dyns[i]->t.resource, resource))
            retire(dyns[i]);
}

void fl_registry_reset(void)
{
    for (size_t i = 0; i < ndyns; i++) {
        retire(dyns[i]);
        for (size_t j = 0; j < dyns[i]->nstrings; j++)
            free(dyns[i]->strings[j]);
        free(dyns[i]->strings);
        free(dyns[i]);
    }
    free(dyns);
    dyns = NULL;
    ndyns = 0;
}

void fl_rtype_api_version(const struct fl_rtype *t, char *buf, size_t len)
{
    if (t->group[0])
        snprintf(buf, len, "%s/%s", t->group, t->version);
    else
        snprintf(buf, len, "%s", t->version);
}
