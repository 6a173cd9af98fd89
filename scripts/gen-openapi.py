#!/usr/bin/python3
"""Generate src/api/openapi_data.c: the OpenAPI v3 documents Flotilla serves.

One document per group-version, in the shape kube-apiserver serves at
/openapi/v3/apis/<group>/<version>: "openapi": "3.0.0", info, paths (the
collection and item operations, each with x-kubernetes-group-version-kind and
x-kubernetes-action, which is how kubectl explain finds a kind) and
components.schemas (the GV's kinds and every schema they reference).

Sources:
  * Kubernetes types: the model classes of python3-kubernetes (22.x, a
    1.22-era client): openapi_types, attribute_map and the property
    docstrings. Fields added since 1.22 that matter to us, the strategic-merge
    metadata (patch strategy / merge key / list type, which the python client
    does not carry) and descriptions of fields whose type is a reference (the
    python client drops them) are tables below.
  * Karmada types: written by hand below from Karmada's Go API types.

Run: /usr/bin/python3 scripts/gen-openapi.py [--out src/api/openapi_data.c]
     [--json-dir DIR]   (also write each document as pretty JSON, for review)
"""

import argparse
import inspect
import json
import os
import re
import sys

try:
    import kubernetes.client as kc
except ImportError:  # pragma: no cover
    sys.exit("gen-openapi.py needs python3-kubernetes (apt-get install python3-kubernetes)")

META = "io.k8s.apimachinery.pkg.apis.meta.v1."
RUNTIME = "io.k8s.apimachinery.pkg.runtime."
CORE = "io.k8s.api.core.v1."
APPS = "io.k8s.api.apps.v1."
AS1 = "io.k8s.api.autoscaling.v1."
AS2 = "io.k8s.api.autoscaling.v2."
POLICY = "io.k8s.api.policy.v1."
DISC = "io.k8s.api.discovery.v1."
COORD = "io.k8s.api.coordination.v1."
APIEXT = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INTSTR = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
KCLUSTER = "com.github.karmada-io.karmada.pkg.apis.cluster.v1alpha1."
KPOLICY = "com.github.karmada-io.karmada.pkg.apis.policy.v1alpha1."
KWORK = "com.github.karmada-io.karmada.pkg.apis.work.v1alpha2."
KAS = "com.github.karmada-io.karmada.pkg.apis.autoscaling.v1alpha1."

MORE_INFO_META = ("Standard object's metadata. More info: "
                  "https://git.k8s.io/community/contributors/devel/sig-architecture/"
                  "api-conventions.md#metadata")
MORE_INFO_LISTMETA = ("Standard list metadata. More info: "
                      "https://git.k8s.io/community/contributors/devel/sig-architecture/"
                      "api-conventions.md#types-kinds")
SPEC_STATUS = ("More info: https://git.k8s.io/community/contributors/devel/"
               "sig-architecture/api-conventions.md#spec-and-status")
APIVERSION_DESC = (
    "APIVersion defines the versioned schema of this representation of an object. "
    "Servers should convert recognized schemas to the latest internal value, and may "
    "reject unrecognized values. More info: https://git.k8s.io/community/contributors/"
    "devel/sig-architecture/api-conventions.md#resources")
KIND_DESC = (
    "Kind is a string value representing the REST resource this object represents. "
    "Servers may infer this from the endpoint the client submits requests to. Cannot be "
    "updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/"
    "sig-architecture/api-conventions.md#types-kinds")

# --------------------------------------------------------------------------
# What is served: group, version, kind, plural, namespaced, subresources,
# python model class (None: a Karmada kind written by hand below).
# --------------------------------------------------------------------------
SERVED = [
    ("", "v1", "Namespace", "namespaces", False, ["status"], "V1Namespace"),
    ("", "v1", "ConfigMap", "configmaps", True, [], "V1ConfigMap"),
    ("", "v1", "Secret", "secrets", True, [], "V1Secret"),
    ("", "v1", "Service", "services", True, ["status"], "V1Service"),
    ("", "v1", "ServiceAccount", "serviceaccounts", True, [], "V1ServiceAccount"),
    ("", "v1", "Event", "events", True, [], "CoreV1Event"),
    ("", "v1", "Pod", "pods", True, ["status"], "V1Pod"),
    ("", "v1", "Node", "nodes", False, ["status"], "V1Node"),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ["status"],
     "V1PersistentVolumeClaim"),
    ("", "v1", "Endpoints", "endpoints", True, [], "V1Endpoints"),
    ("apps", "v1", "Deployment", "deployments", True, ["status", "scale"], "V1Deployment"),
    ("apps", "v1", "StatefulSet", "statefulsets", True, ["status", "scale"], "V1StatefulSet"),
    ("apps", "v1", "ReplicaSet", "replicasets", True, ["status", "scale"], "V1ReplicaSet"),
    ("apps", "v1", "DaemonSet", "daemonsets", True, ["status"], "V1DaemonSet"),
    ("apps", "v1", "ControllerRevision", "controllerrevisions", True, [],
     "V1ControllerRevision"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True,
     ["status"], "V2beta2HorizontalPodAutoscaler"),
    ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ["status"],
     "V1PodDisruptionBudget"),
    ("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True, [], "V1EndpointSlice"),
    ("coordination.k8s.io", "v1", "Lease", "leases", True, [], "V1Lease"),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
     False, ["status"], "V1CustomResourceDefinition"),
    ("cluster.karmada.io", "v1alpha1", "Cluster", "clusters", False, ["status"], None),
    ("policy.karmada.io", "v1alpha1", "PropagationPolicy", "propagationpolicies", True, [],
     None),
    ("policy.karmada.io", "v1alpha1", "ClusterPropagationPolicy", "clusterpropagationpolicies",
     False, [], None),
    ("policy.karmada.io", "v1alpha1", "OverridePolicy", "overridepolicies", True, [], None),
    ("policy.karmada.io", "v1alpha1", "ClusterOverridePolicy", "clusteroverridepolicies",
     False, [], None),
    ("work.karmada.io", "v1alpha2", "ResourceBinding", "resourcebindings", True, ["status"],
     None),
    ("work.karmada.io", "v1alpha2", "ClusterResourceBinding", "clusterresourcebindings",
     False, ["status"], None),
    ("autoscaling.karmada.io", "v1alpha1", "FederatedHPA", "federatedhpas", True, ["status"],
     None),
    ("autoscaling.karmada.io", "v1alpha1", "CronFederatedHPA", "cronfederatedhpas", True,
     ["status"], None),
]
# Group-versions served with schemas only (no paths of their own).
EXTRA_KINDS = {("autoscaling", "v1"): [("Scale", "V1Scale")]}

GROUP_PKG = {
    ("", "v1"): CORE, ("apps", "v1"): APPS, ("autoscaling", "v1"): AS1,
    ("autoscaling", "v2"): AS2, ("policy", "v1"): POLICY,
    ("discovery.k8s.io", "v1"): DISC, ("coordination.k8s.io", "v1"): COORD,
    ("apiextensions.k8s.io", "v1"): APIEXT, ("cluster.karmada.io", "v1alpha1"): KCLUSTER,
    ("policy.karmada.io", "v1alpha1"): KPOLICY, ("work.karmada.io", "v1alpha2"): KWORK,
    ("autoscaling.karmada.io", "v1alpha1"): KAS,
}

# --------------------------------------------------------------------------
# Python class name -> upstream definition name.
# --------------------------------------------------------------------------
META_CLASSES = {"V1Condition", "V1DeleteOptions", "V1LabelSelector",
                "V1LabelSelectorRequirement", "V1ListMeta", "V1ManagedFieldsEntry",
                "V1ObjectMeta", "V1OwnerReference", "V1Preconditions", "V1Status",
                "V1StatusCause", "V1StatusDetails"}
RENAMED = {
    "CoreV1EndpointPort": CORE + "EndpointPort",
    "CoreV1Event": CORE + "Event",
    "CoreV1EventList": CORE + "EventList",
    "CoreV1EventSeries": CORE + "EventSeries",
    "DiscoveryV1EndpointPort": DISC + "EndpointPort",
    "ApiextensionsV1ServiceReference": APIEXT + "ServiceReference",
    "ApiextensionsV1WebhookClientConfig": APIEXT + "WebhookClientConfig",
    "V1Handler": CORE + "LifecycleHandler",
}


def upstream_name(cls):
    if cls in RENAMED:
        return RENAMED[cls]
    if cls in META_CLASSES:
        return META + cls[2:]
    if cls.startswith("V2beta2"):
        return AS2 + cls[7:]
    short = cls[2:]
    if re.match(r"(Deployment|StatefulSet|ReplicaSet|DaemonSet|ControllerRevision|"
                r"RollingUpdate)", short):
        return APPS + short
    if short in ("Scale", "ScaleSpec", "ScaleStatus"):
        return AS1 + short
    if short.startswith("PodDisruptionBudget"):
        return POLICY + short
    if short.startswith("EndpointSlice") or short in (
            "Endpoint", "EndpointConditions", "EndpointHints", "ForZone"):
        return DISC + short
    if short.startswith("Lease"):
        return COORD + short
    if short.startswith("CustomResource") or short in (
            "JSONSchemaProps", "ExternalDocumentation", "WebhookConversion"):
        return APIEXT + short
    return CORE + short


def short(name):
    return name.rsplit(".", 1)[1]


# --------------------------------------------------------------------------
# Hand tables for Kubernetes types.
# --------------------------------------------------------------------------

# Fields whose python type is "object" / "str" / "dict(str, str)" but whose
# upstream type is a named schema.
def _map(ref):
    return {"type": "object", "additionalProperties": {"$ref": ref}}


TYPE_OVERRIDES = {
    (META + "ManagedFieldsEntry", "fieldsV1"): {"$ref": META + "FieldsV1"},
    (CORE + "ServicePort", "targetPort"): {"$ref": INTSTR},
    (CORE + "HTTPGetAction", "port"): {"$ref": INTSTR},
    (CORE + "TCPSocketAction", "port"): {"$ref": INTSTR},
    (APPS + "RollingUpdateDeployment", "maxSurge"): {"$ref": INTSTR},
    (APPS + "RollingUpdateDeployment", "maxUnavailable"): {"$ref": INTSTR},
    (APPS + "RollingUpdateDaemonSet", "maxSurge"): {"$ref": INTSTR},
    (APPS + "RollingUpdateDaemonSet", "maxUnavailable"): {"$ref": INTSTR},
    (APPS + "ControllerRevision", "data"): {"$ref": RUNTIME + "RawExtension"},
    (POLICY + "PodDisruptionBudgetSpec", "maxUnavailable"): {"$ref": INTSTR},
    (POLICY + "PodDisruptionBudgetSpec", "minAvailable"): {"$ref": INTSTR},
    (APIEXT + "JSONSchemaProps", "additionalItems"): {"$ref": APIEXT + "JSONSchemaPropsOrBool"},
    (APIEXT + "JSONSchemaProps", "additionalProperties"): {
        "$ref": APIEXT + "JSONSchemaPropsOrBool"},
    (APIEXT + "JSONSchemaProps", "default"): {"$ref": APIEXT + "JSON"},
    (APIEXT + "JSONSchemaProps", "example"): {"$ref": APIEXT + "JSON"},
    (APIEXT + "JSONSchemaProps", "enum"): {"type": "array", "items": {"$ref": APIEXT + "JSON"}},
    (APIEXT + "JSONSchemaProps", "dependencies"): _map(APIEXT + "JSONSchemaPropsOrStringArray"),
    (APIEXT + "JSONSchemaProps", "items"): {"$ref": APIEXT + "JSONSchemaPropsOrArray"},
    (APIEXT + "CustomResourceSubresources", "status"): {
        "$ref": APIEXT + "CustomResourceSubresourceStatus"},
    (CORE + "ResourceRequirements", "limits"): _map(QUANTITY),
    (CORE + "ResourceRequirements", "requests"): _map(QUANTITY),
    (CORE + "EmptyDirVolumeSource", "sizeLimit"): {"$ref": QUANTITY},
    (CORE + "NodeStatus", "allocatable"): _map(QUANTITY),
    (CORE + "NodeStatus", "capacity"): _map(QUANTITY),
    (CORE + "PodSpec", "overhead"): _map(QUANTITY),
    (CORE + "ResourceFieldSelector", "divisor"): {"$ref": QUANTITY},
    (CORE + "PersistentVolumeClaimStatus", "capacity"): _map(QUANTITY),
    (CORE + "PersistentVolumeClaimSpec", "resources"): {
        "$ref": CORE + "VolumeResourceRequirements"},
    (CORE + "PersistentVolumeClaimSpec", "dataSourceRef"): {
        "$ref": CORE + "TypedObjectReference"},
    (AS2 + "MetricTarget", "value"): {"$ref": QUANTITY},
    (AS2 + "MetricTarget", "averageValue"): {"$ref": QUANTITY},
    (AS2 + "MetricValueStatus", "value"): {"$ref": QUANTITY},
    (AS2 + "MetricValueStatus", "averageValue"): {"$ref": QUANTITY},
    (CORE + "Event", "eventTime"): {"$ref": META + "MicroTime"},
    (CORE + "EventSeries", "lastObservedTime"): {"$ref": META + "MicroTime"},
    (COORD + "LeaseSpec", "acquireTime"): {"$ref": META + "MicroTime"},
    (COORD + "LeaseSpec", "renewTime"): {"$ref": META + "MicroTime"},
}

# Fields that are gone upstream.
REMOVED_FIELDS = {(META + "ObjectMeta", "clusterName")}

INT64_FIELDS = {
    "generation", "observedGeneration", "deletionGracePeriodSeconds",
    "terminationGracePeriodSeconds", "activeDeadlineSeconds", "runAsUser", "runAsGroup",
    "fsGroup", "supplementalGroups", "gracePeriodSeconds", "expirationSeconds",
    "tolerationSeconds", "revision", "remainingItemCount", "sizeBytes", "maxItems",
    "minItems", "maxLength", "minLength", "maxProperties", "minProperties",
}

# Strategic-merge and list metadata, as upstream (k8s.io/api struct tags and
# +listType markers, 1.32).
def _lm(keys, merge_key=None, strategy="merge"):
    e = {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": keys}
    if merge_key:
        e["x-kubernetes-patch-merge-key"] = merge_key
        e["x-kubernetes-patch-strategy"] = strategy
    return e


ATOMIC = {"x-kubernetes-list-type": "atomic"}
SET = {"x-kubernetes-list-type": "set"}
MERGE_SET = {"x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"}
COND = _lm(["type"], "type")
ATOMIC_MAP = {"x-kubernetes-map-type": "atomic"}

EXTENSIONS = {
    # meta
    (META + "ObjectMeta", "finalizers"): MERGE_SET,
    (META + "ObjectMeta", "ownerReferences"): _lm(["uid"], "uid"),
    (META + "ObjectMeta", "managedFields"): ATOMIC,
    (META + "LabelSelector", "matchExpressions"): ATOMIC,
    (META + "LabelSelectorRequirement", "values"): ATOMIC,
    (META + "StatusDetails", "causes"): ATOMIC,
    (META + "DeleteOptions", "dryRun"): ATOMIC,
    # core: pods
    (CORE + "PodSpec", "volumes"): _lm(["name"], "name", "merge,retainKeys"),
    (CORE + "PodSpec", "initContainers"): _lm(["name"], "name"),
    (CORE + "PodSpec", "containers"): _lm(["name"], "name"),
    (CORE + "PodSpec", "ephemeralContainers"): _lm(["name"], "name"),
    (CORE + "PodSpec", "imagePullSecrets"): _lm(["name"], "name"),
    (CORE + "PodSpec", "hostAliases"): _lm(["ip"], "ip"),
    (CORE + "PodSpec", "tolerations"): ATOMIC,
    (CORE + "PodSpec", "readinessGates"): ATOMIC,
    (CORE + "PodSpec", "topologySpreadConstraints"): _lm(
        ["topologyKey", "whenUnsatisfiable"], "topologyKey"),
    (CORE + "PodSpec", "schedulingGates"): _lm(["name"], "name"),
    (CORE + "PodSpec", "resourceClaims"): _lm(["name"], "name", "merge,retainKeys"),
    (CORE + "PodSpec", "nodeSelector"): ATOMIC_MAP,
    (CORE + "Container", "ports"): _lm(["containerPort", "protocol"], "containerPort"),
    (CORE + "Container", "env"): _lm(["name"], "name"),
    (CORE + "Container", "envFrom"): ATOMIC,
    (CORE + "Container", "volumeMounts"): _lm(["mountPath"], "mountPath"),
    (CORE + "Container", "volumeDevices"): _lm(["devicePath"], "devicePath"),
    (CORE + "Container", "command"): ATOMIC,
    (CORE + "Container", "args"): ATOMIC,
    (CORE + "Container", "resizePolicy"): ATOMIC,
    (CORE + "EphemeralContainer", "ports"): _lm(["containerPort", "protocol"], "containerPort"),
    (CORE + "EphemeralContainer", "env"): _lm(["name"], "name"),
    (CORE + "EphemeralContainer", "envFrom"): ATOMIC,
    (CORE + "EphemeralContainer", "volumeMounts"): _lm(["mountPath"], "mountPath"),
    (CORE + "EphemeralContainer", "volumeDevices"): _lm(["devicePath"], "devicePath"),
    (CORE + "EphemeralContainer", "command"): ATOMIC,
    (CORE + "EphemeralContainer", "args"): ATOMIC,
    (CORE + "EphemeralContainer", "resizePolicy"): ATOMIC,
    (CORE + "PodStatus", "conditions"): COND,
    (CORE + "PodStatus", "podIPs"): _lm(["ip"], "ip"),
    (CORE + "PodStatus", "hostIPs"): dict(ATOMIC, **{"x-kubernetes-patch-merge-key": "ip",
                                                     "x-kubernetes-patch-strategy": "merge"}),
    (CORE + "PodStatus", "containerStatuses"): ATOMIC,
    (CORE + "PodStatus", "initContainerStatuses"): ATOMIC,
    (CORE + "PodStatus", "ephemeralContainerStatuses"): ATOMIC,
    (CORE + "PodSecurityContext", "supplementalGroups"): ATOMIC,
    (CORE + "PodSecurityContext", "sysctls"): ATOMIC,
    (CORE + "Capabilities", "add"): ATOMIC,
    (CORE + "Capabilities", "drop"): ATOMIC,
    (CORE + "NodeSelector", "nodeSelectorTerms"): ATOMIC,
    (CORE + "NodeSelectorTerm", "matchExpressions"): ATOMIC,
    (CORE + "NodeSelectorTerm", "matchFields"): ATOMIC,
    (CORE + "NodeSelectorRequirement", "values"): ATOMIC,
    (CORE + "NodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution"): ATOMIC,
    (CORE + "PodAffinity", "requiredDuringSchedulingIgnoredDuringExecution"): ATOMIC,
    (CORE + "PodAffinity", "preferredDuringSchedulingIgnoredDuringExecution"): ATOMIC,
    (CORE + "PodAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"): ATOMIC,
    (CORE + "PodAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"): ATOMIC,
    (CORE + "PodAffinityTerm", "namespaces"): ATOMIC,
    (CORE + "PodAffinityTerm", "matchLabelKeys"): ATOMIC,
    (CORE + "PodAffinityTerm", "mismatchLabelKeys"): ATOMIC,
    (CORE + "TopologySpreadConstraint", "matchLabelKeys"): ATOMIC,
    (CORE + "PodDNSConfig", "nameservers"): ATOMIC,
    (CORE + "PodDNSConfig", "searches"): ATOMIC,
    (CORE + "PodDNSConfig", "options"): ATOMIC,
    (CORE + "HostAlias", "hostnames"): ATOMIC,
    (CORE + "HTTPGetAction", "httpHeaders"): ATOMIC,
    (CORE + "ExecAction", "command"): ATOMIC,
    (CORE + "ProjectedVolumeSource", "sources"): ATOMIC,
    (CORE + "ConfigMapVolumeSource", "items"): ATOMIC,
    (CORE + "SecretVolumeSource", "items"): ATOMIC,
    (CORE + "ConfigMapProjection", "items"): ATOMIC,
    (CORE + "SecretProjection", "items"): ATOMIC,
    (CORE + "DownwardAPIVolumeSource", "items"): ATOMIC,
    (CORE + "DownwardAPIProjection", "items"): ATOMIC,
    (CORE + "ResourceRequirements", "claims"): SET,
    (CORE + "PersistentVolumeClaimSpec", "accessModes"): ATOMIC,
    (CORE + "PersistentVolumeClaimStatus", "accessModes"): ATOMIC,
    (CORE + "PersistentVolumeClaimStatus", "conditions"): COND,
    # core: services, endpoints, nodes, namespaces, accounts, events
    (CORE + "ServiceSpec", "ports"): _lm(["port", "protocol"], "port"),
    (CORE + "ServiceSpec", "selector"): ATOMIC_MAP,
    (CORE + "ServiceSpec", "clusterIPs"): ATOMIC,
    (CORE + "ServiceSpec", "externalIPs"): ATOMIC,
    (CORE + "ServiceSpec", "ipFamilies"): ATOMIC,
    (CORE + "ServiceSpec", "loadBalancerSourceRanges"): ATOMIC,
    (CORE + "ServiceStatus", "conditions"): _lm(["type"], "type"),
    (CORE + "LoadBalancerStatus", "ingress"): ATOMIC,
    (CORE + "LoadBalancerIngress", "ports"): ATOMIC,
    (CORE + "Endpoints", "subsets"): ATOMIC,
    (CORE + "EndpointSubset", "addresses"): ATOMIC,
    (CORE + "EndpointSubset", "notReadyAddresses"): ATOMIC,
    (CORE + "EndpointSubset", "ports"): ATOMIC,
    (CORE + "NodeSpec", "taints"): ATOMIC,
    (CORE + "NodeSpec", "podCIDRs"): MERGE_SET,
    (CORE + "NodeStatus", "conditions"): COND,
    (CORE + "NodeStatus", "addresses"): _lm(["type"], "type"),
    (CORE + "NodeStatus", "images"): ATOMIC,
    (CORE + "NodeStatus", "volumesInUse"): ATOMIC,
    (CORE + "NodeStatus", "volumesAttached"): ATOMIC,
    (CORE + "ContainerImage", "names"): ATOMIC,
    (CORE + "NamespaceSpec", "finalizers"): ATOMIC,
    (CORE + "NamespaceStatus", "conditions"): COND,
    (CORE + "ServiceAccount", "secrets"): _lm(["name"], "name"),
    (CORE + "ServiceAccount", "imagePullSecrets"): ATOMIC,
    # apps
    (APPS + "DeploymentSpec", "strategy"): {"x-kubernetes-patch-strategy": "retainKeys"},
    (APPS + "DeploymentStatus", "conditions"): COND,
    (APPS + "StatefulSetSpec", "volumeClaimTemplates"): ATOMIC,
    (APPS + "StatefulSetStatus", "conditions"): COND,
    (APPS + "ReplicaSetStatus", "conditions"): COND,
    (APPS + "DaemonSetStatus", "conditions"): COND,
    # autoscaling/v2, policy/v1, discovery/v1
    (AS2 + "HorizontalPodAutoscalerSpec", "metrics"): ATOMIC,
    (AS2 + "HorizontalPodAutoscalerStatus", "conditions"): COND,
    (AS2 + "HorizontalPodAutoscalerStatus", "currentMetrics"): ATOMIC,
    (AS2 + "HPAScalingRules", "policies"): ATOMIC,
    (POLICY + "PodDisruptionBudgetStatus", "conditions"): COND,
    (DISC + "EndpointSlice", "endpoints"): ATOMIC,
    (DISC + "EndpointSlice", "ports"): ATOMIC,
    (DISC + "Endpoint", "addresses"): SET,
    (DISC + "EndpointHints", "forZones"): ATOMIC,
    # apiextensions
    (APIEXT + "CustomResourceDefinitionSpec", "versions"): ATOMIC,
    (APIEXT + "CustomResourceDefinitionStatus", "conditions"): _lm(["type"]),
    (APIEXT + "CustomResourceDefinitionStatus", "storedVersions"): ATOMIC,
    (APIEXT + "CustomResourceDefinitionNames", "shortNames"): ATOMIC,
    (APIEXT + "CustomResourceDefinitionNames", "categories"): ATOMIC,
    (APIEXT + "CustomResourceDefinitionVersion", "additionalPrinterColumns"): ATOMIC,
    (APIEXT + "CustomResourceDefinitionVersion", "selectableFields"): ATOMIC,
    (APIEXT + "CustomResourceConversion", "conversionReviewVersions"): ATOMIC,
    (APIEXT + "WebhookConversion", "conversionReviewVersions"): ATOMIC,
    (APIEXT + "JSONSchemaProps", "x-kubernetes-validations"): _lm(["rule"], "rule"),
    (APIEXT + "JSONSchemaProps", "x-kubernetes-list-map-keys"): ATOMIC,
    (APIEXT + "JSONSchemaProps", "required"): ATOMIC,
    (APIEXT + "JSONSchemaProps", "allOf"): ATOMIC,
    (APIEXT + "JSONSchemaProps", "anyOf"): ATOMIC,
    (APIEXT + "JSONSchemaProps", "oneOf"): ATOMIC,
    (APIEXT + "JSONSchemaProps", "enum"): ATOMIC,
}

# Descriptions of fields the python client leaves empty (mostly fields whose
# type is a reference), by (owner, field) first, then by field name alone.
REF_FIELD_DESC_BY_OWNER = {
    (CORE + "Pod", "spec"): "Specification of the desired behavior of the pod. " + SPEC_STATUS,
    (CORE + "Pod", "status"): ("Most recently observed status of the pod. This data may not "
                               "be up to date. Populated by the system. Read-only. "
                               + SPEC_STATUS),
    (APPS + "Deployment", "spec"): "Specification of the desired behavior of the Deployment.",
    (APPS + "Deployment", "status"): "Most recently observed status of the Deployment.",
    (APPS + "StatefulSet", "spec"): "Spec defines the desired identities of pods in this set.",
    (APPS + "StatefulSet", "status"): (
        "Status is the current status of Pods in this StatefulSet. This data may be out of "
        "date by some window of time."),
    (APPS + "DeploymentSpec", "template"): (
        "Template describes the pods that will be created. The only allowed "
        "template.spec.restartPolicy value is \"Always\"."),
    (APPS + "DeploymentSpec", "selector"): (
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will "
        "be the ones affected by this deployment. It must match the pod template's labels."),
    (APPS + "DeploymentSpec", "strategy"): (
        "The deployment strategy to use to replace existing pods with new ones."),
    (APPS + "StatefulSetSpec", "template"): (
        "template is the object that describes the pod that will be created if insufficient "
        "replicas are detected. Each pod stamped out by the StatefulSet will fulfill this "
        "Template, but have a unique identity from the rest of the StatefulSet."),
    (APPS + "StatefulSetSpec", "selector"): (
        "selector is a label query over pods that should match the replica count. It must "
        "match the pod template's labels."),
    (APPS + "StatefulSetSpec", "updateStrategy"): (
        "updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to "
        "update Pods in the StatefulSet when a revision is made to Template."),
    (APPS + "ReplicaSetSpec", "selector"): (
        "Selector is a label query over pods that should match the replica count. Label keys "
        "and values that must match in order to be controlled by this replica set. It must "
        "match the pod template's labels."),
    (APPS + "ReplicaSetSpec", "template"): (
        "Template is the object that describes the pod that will be created if insufficient "
        "replicas are detected."),
    (APPS + "DaemonSetSpec", "selector"): (
        "A label query over pods that are managed by the daemon set. Must match in order to "
        "be controlled. It must match the pod template's labels."),
    (APPS + "DaemonSetSpec", "template"): (
        "An object that describes the pod that will be created. The DaemonSet will create "
        "exactly one copy of this pod on every node that matches the template's node "
        "selector (or on every node if no node selector is specified)."),
    (APPS + "DaemonSetSpec", "updateStrategy"): (
        "An update strategy to replace existing DaemonSet pods with new pods."),
    (APPS + "ControllerRevision", "data"): "Data is the serialized representation of the state.",
    (POLICY + "PodDisruptionBudgetSpec", "selector"): (
        "Label query over pods whose evictions are managed by the disruption budget. A null "
        "selector will match no pods, while an empty ({}) selector will select all pods "
        "within the namespace."),
    (AS2 + "HorizontalPodAutoscalerSpec", "scaleTargetRef"): (
        "scaleTargetRef points to the target resource to scale, and is used to the pods for "
        "which metrics should be collected, as well as to actually change the replica count."),
    (AS2 + "HorizontalPodAutoscalerSpec", "behavior"): (
        "behavior configures the scaling behavior of the target in both Up and Down "
        "directions (scaleUp and scaleDown fields respectively). If not set, the default "
        "HPAScalingRules for scale up and scale down are used."),
    (CORE + "PodTemplateSpec", "spec"): (
        "Specification of the desired behavior of the pod. " + SPEC_STATUS),
    (CORE + "PersistentVolumeClaimTemplate", "spec"): (
        "The specification for the PersistentVolumeClaim. The entire content is copied "
        "unchanged into the PVC that gets created from this template."),
    (CORE + "PersistentVolumeClaimTemplate", "metadata"): (
        "May contain labels and annotations that will be copied into the PVC when creating "
        "it. No other fields are allowed and will be rejected during validation."),
    (CORE + "EnvVar", "valueFrom"): (
        "Source for the environment variable's value. Cannot be used if value is not empty."),
}

REF_FIELD_DESC = {
    "metadata": MORE_INFO_META,
    "spec": "Spec defines the desired state of this object. " + SPEC_STATUS,
    "status": "Status is the most recently observed status of this object. " + SPEC_STATUS,
    "template": "Template describes the pods that will be created.",
    "selector": "A label query over a set of resources.",
    "labelSelector": "A label query over a set of resources, in this case pods.",
    "namespaceSelector": "A label query over the set of namespaces that the term applies to.",
    "securityContext": "SecurityContext holds security configuration that will be applied.",
    "resources": "Compute resources required by this container or claim.",
    "affinity": "If specified, the pod's scheduling constraints.",
    "nodeAffinity": "Describes node affinity scheduling rules for the pod.",
    "podAffinity": "Describes pod affinity scheduling rules.",
    "podAntiAffinity": "Describes pod anti-affinity scheduling rules.",
    "lifecycle": ("Actions that the management system should take in response to container "
                  "lifecycle events. Cannot be updated."),
    "livenessProbe": ("Periodic probe of container liveness. Container will be restarted if "
                      "the probe fails. Cannot be updated."),
    "readinessProbe": ("Periodic probe of container service readiness. Container will be "
                       "removed from service endpoints if the probe fails. Cannot be updated."),
    "startupProbe": ("StartupProbe indicates that the Pod has successfully initialized. If "
                     "specified, no other probes are executed until this completes "
                     "successfully."),
    "postStart": "PostStart is called immediately after a container is created.",
    "preStop": ("PreStop is called immediately before a container is terminated due to an "
                "API request or management event."),
    "exec": "Exec specifies a command to execute in the container.",
    "httpGet": "HTTPGet specifies an HTTP GET request to perform.",
    "tcpSocket": "TCPSocket specifies a connection to a TCP port.",
    "grpc": "GRPC specifies a GRPC HealthCheckRequest.",
    "rollingUpdate": "Rolling update config params. Present only if type = \"RollingUpdate\".",
    "updateStrategy": "The strategy used to replace existing pods with new ones.",
    "strategy": "The strategy used to replace existing pods with new ones.",
    "dnsConfig": "Specifies the DNS parameters of a pod.",
    "seLinuxOptions": "The SELinux context to be applied.",
    "seccompProfile": "The seccomp options to use.",
    "windowsOptions": "The Windows specific settings.",
    "capabilities": "The capabilities to add/drop when running containers.",
    "valueFrom": "Source for the value.",
    "configMapKeyRef": "Selects a key of a ConfigMap.",
    "secretKeyRef": "Selects a key of a secret in the pod's namespace.",
    "fieldRef": "Selects a field of the pod.",
    "resourceFieldRef": "Selects a resource of the container.",
    "configMapRef": "The ConfigMap to select from.",
    "secretRef": "The Secret to select from.",
    "targetRef": "Reference to the object providing the endpoint.",
    "involvedObject": "The object that this event is about.",
    "related": "Optional secondary object for more complex actions.",
    "source": "The component reporting this event.",
    "series": "Data about the Event series this event represents.",
    "state": "Details about the container's current condition.",
    "lastState": "Details about the container's last termination condition.",
    "running": "Details about a running container.",
    "terminated": "Details about a terminated container.",
    "waiting": "Details about a waiting container.",
    "nodeInfo": "Set of ids/uuids to uniquely identify the node.",
    "daemonEndpoints": "Endpoints of daemons running on the Node.",
    "kubeletEndpoint": "Endpoint on which Kubelet is listening.",
    "config": "Status of the config assigned to the node via the dynamic Kubelet config feature.",
    "configSource": "Deprecated: previously used to specify the source of the node's configuration.",
    "loadBalancer": "LoadBalancer contains the current status of the load-balancer, if one is present.",
    "sessionAffinityConfig": "sessionAffinityConfig contains the configurations of session affinity.",
    "clientIP": "clientIP contains the configurations of Client IP based session affinity.",
    "dataSource": "dataSource field can be used to specify an existing object to populate the volume.",
    "dataSourceRef": ("dataSourceRef specifies the object from which to populate the volume "
                      "with data, if a non-empty volume is desired."),
    "hints": "hints contains information associated with how an endpoint should be consumed.",
    "conditions": "conditions contains information about the current status of the endpoint.",
    "details": "Extended data associated with the reason.",
    "preconditions": "Must be fulfilled before a deletion is carried out.",
    "names": "names specify the resource and kind names for the custom resource.",
    "acceptedNames": "acceptedNames are the names that are actually being used to serve discovery.",
    "conversion": "conversion defines conversion settings for the CRD.",
    "schema": "schema describes the schema used for validation, pruning, and defaulting of this version.",
    "subresources": "subresources specify what subresources this version of the defined custom resource have.",
    "openAPIV3Schema": "openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.",
    "scale": "scale indicates the custom resource should serve a /scale subresource.",
    "webhook": "webhook describes how to call the conversion webhook.",
    "clientConfig": "clientConfig is the instructions for how to call the webhook.",
    "service": "service is a reference to the service for this webhook.",
    "scaleUp": "scaleUp is scaling policy for scaling Up.",
    "scaleDown": "scaleDown is scaling policy for scaling Down.",
    "metric": "metric identifies the target metric by name and selector.",
    "target": "target specifies the target value for the given metric.",
    "current": "current contains the current value for the given metric.",
    "describedObject": "describedObject specifies the descriptions of an object.",
    "resource": ("resource refers to a resource metric (such as those specified in requests "
                 "and limits) known to Kubernetes."),
    "containerResource": ("containerResource refers to a resource metric (such as those "
                          "specified in requests and limits) known to Kubernetes describing "
                          "a single container in each pod of the current scale target."),
    "pods": ("pods refers to a metric describing each pod in the current scale target (for "
             "example, transactions-processed-per-second)."),
    "object": ("object refers to a metric describing a single kubernetes object (for example, "
               "hits-per-second on an Ingress object)."),
    "external": ("external refers to a global metric that is not associated with any "
                 "Kubernetes object."),
    "podAffinityTerm": "Required. A pod affinity term, associated with the corresponding weight.",
    "preference": "A node selector term, associated with the corresponding weight.",
    "requiredDuringSchedulingIgnoredDuringExecution": (
        "If the affinity requirements specified by this field are not met at scheduling time, "
        "the pod will not be scheduled onto the node."),
    "volumeClaimTemplate": "Will be used to create a stand-alone PVC to provision the volume.",
    "emptyDir": "emptyDir represents a temporary directory that shares a pod's lifetime.",
    "hostPath": "hostPath represents a pre-existing file or directory on the host machine.",
    "secret": "secret represents a secret that should populate this volume.",
    "configMap": "configMap represents a configMap that should populate this volume.",
    "persistentVolumeClaim": ("persistentVolumeClaimVolumeSource represents a reference to a "
                              "PersistentVolumeClaim in the same namespace."),
    "projected": "projected items for all in one resources secrets, configmaps, and downward API.",
    "downwardAPI": "downwardAPI represents downward API about the pod that should populate this volume.",
    "ephemeral": "ephemeral represents a volume that is handled by a cluster storage driver.",
    "csi": "csi (Container Storage Interface) represents ephemeral storage handled by certain external CSI drivers.",
    "nfs": "nfs represents an NFS mount on the host that shares a pod's lifetime.",
    "iscsi": "iscsi represents an ISCSI Disk resource that is attached to a kubelet's host machine.",
    "serviceAccountToken": "serviceAccountToken is information about the serviceAccountToken data to project.",
    "externalDocs": "External documentation for this schema.",
}


def _typ(t, desc=None, **ext):
    """Compact field spec used by the hand tables: 'string', 'int32', 'int64',
    'bool', 'ref:Name', '[]T', 'map:T', 'quantity', 'intstr', 'json' (any JSON),
    'object' (an object of fields not described)."""
    return (t, desc, ext)


# Fields added to Kubernetes types since the python client's 1.22.
ADDED_FIELDS = {
    CORE + "PodSpec": {
        "schedulingGates": _typ("[]ref:" + CORE + "PodSchedulingGate", (
            "SchedulingGates is an opaque list of values that if specified will block "
            "scheduling the pod. If schedulingGates is not empty, the pod will stay in the "
            "SchedulingGated state and the scheduler will not attempt to schedule the pod.")),
        "os": _typ("ref:" + CORE + "PodOS", (
            "Specifies the OS of the containers in the pod. Some pod and container fields are "
            "restricted if this is set.")),
        "hostUsers": _typ("bool", (
            "Use the host's user namespace. Optional: Default to true. If set to true or not "
            "present, the pod will be run in the host user namespace.")),
        "resourceClaims": _typ("[]ref:" + CORE + "PodResourceClaim", (
            "ResourceClaims defines which ResourceClaims must be allocated and reserved before "
            "the Pod is allowed to start.")),
        "resources": _typ("ref:" + CORE + "ResourceRequirements", (
            "Resources is the total amount of CPU and Memory resources required by all "
            "containers in the pod. It supports specifying Requests and Limits for \"cpu\" "
            "and \"memory\" resource names only.")),
    },
    CORE + "Container": {
        "resizePolicy": _typ("[]ref:" + CORE + "ContainerResizePolicy",
                             "Resources resize policy for the container."),
        "restartPolicy": _typ("string", (
            "RestartPolicy defines the restart behavior of individual containers in a pod. "
            "This field may only be set for init containers, and the only allowed value is "
            "\"Always\" (a sidecar container).")),
    },
    CORE + "EphemeralContainer": {
        "resizePolicy": _typ("[]ref:" + CORE + "ContainerResizePolicy",
                             "Resources resize policy for the container."),
        "restartPolicy": _typ("string", "Restart policy for the container; not allowed for "
                                        "ephemeral containers."),
    },
    CORE + "ContainerStatus": {
        "allocatedResources": _typ("map:quantity", (
            "AllocatedResources represents the compute resources allocated for this container "
            "by the node.")),
        "resources": _typ("ref:" + CORE + "ResourceRequirements", (
            "Resources represents the compute resource requests and limits that have been "
            "successfully enacted on the running container after it has been started or has "
            "been successfully resized.")),
        "volumeMounts": _typ("[]ref:" + CORE + "VolumeMountStatus", (
            "Status of volume mounts.")),
        "user": _typ("object", (
            "User represents user identity information initially attached to the first "
            "process of the container")),
        "allocatedResourcesStatus": _typ("[]object", (
            "AllocatedResourcesStatus represents the status of various resources allocated "
            "for this Pod.")),
    },
    CORE + "PodStatus": {
        "hostIPs": _typ("[]ref:" + CORE + "HostIP", (
            "hostIPs holds the IP addresses allocated to the host. If this field is specified, "
            "the first entry must match the hostIP field.")),
        "resize": _typ("string", "Status of resources resize desired for pod's containers."),
        "resourceClaimStatuses": _typ("[]ref:" + CORE + "PodResourceClaimStatus", (
            "Status of resource claims.")),
    },
    CORE + "Volume": {
        "image": _typ("ref:" + CORE + "ImageVolumeSource", (
            "image represents an OCI object (a container image or artifact) pulled and "
            "mounted on the kubelet's host machine.")),
    },
    CORE + "VolumeProjection": {
        "clusterTrustBundle": _typ("ref:" + CORE + "ClusterTrustBundleProjection", (
            "ClusterTrustBundle allows a pod to access the `.spec.trustBundle` field of "
            "ClusterTrustBundle objects in an auto-updating file.")),
    },
    CORE + "NodeStatus": {
        "runtimeHandlers": _typ("[]object", "The available runtime handlers."),
        "features": _typ("object", "Features describes the set of features implemented by the "
                                 "CRI implementation."),
    },
    META + "DeleteOptions": {
        "ignoreStoreReadErrorWithClusterBreakingPotential": _typ("bool", (
            "if set to true, it will trigger an unsafe deletion of the resource in case the "
            "normal deletion flow fails with a corrupt object error.")),
    },
    COORD + "LeaseSpec": {
        "strategy": _typ("string", "Strategy indicates the strategy for picking the leader "
                                   "for coordinated leader election."),
        "preferredHolder": _typ("string", "PreferredHolder signals to a lease holder that the "
                                          "lease has a more optimal holder and should be "
                                          "given up."),
    },
    CORE + "ResourceRequirements": {
        "claims": _typ("[]ref:" + CORE + "ResourceClaim", (
            "Claims lists the names of resources, defined in spec.resourceClaims, that are "
            "used by this container.")),
    },
    CORE + "SecurityContext": {
        "appArmorProfile": _typ("ref:" + CORE + "AppArmorProfile", (
            "appArmorProfile is the AppArmor options to use by this container.")),
    },
    CORE + "PodSecurityContext": {
        "appArmorProfile": _typ("ref:" + CORE + "AppArmorProfile", (
            "appArmorProfile is the AppArmor options to use by the containers in this pod.")),
        "supplementalGroupsPolicy": _typ("string", (
            "Defines how supplemental groups of the first container processes are "
            "calculated. Valid values are \"Merge\" and \"Strict\".")),
        "seLinuxChangePolicy": _typ("string", (
            "seLinuxChangePolicy defines how the container's SELinux label is applied to all "
            "volumes used by the Pod. Valid values are \"MountOption\" and \"Recursive\".")),
    },
    CORE + "Probe": {
        "grpc": _typ("ref:" + CORE + "GRPCAction", "GRPC specifies a GRPC HealthCheckRequest."),
    },
    CORE + "LifecycleHandler": {
        "sleep": _typ("ref:" + CORE + "SleepAction",
                      "Sleep represents a duration that the container should sleep."),
    },
    CORE + "VolumeMount": {
        "recursiveReadOnly": _typ("string", (
            "RecursiveReadOnly specifies whether read-only mounts should be handled "
            "recursively. Valid values: Disabled, IfPossible, Enabled.")),
    },
    CORE + "PodAffinityTerm": {
        "matchLabelKeys": _typ("[]string", (
            "MatchLabelKeys is a set of pod label keys to select which pods will be taken into "
            "consideration.")),
        "mismatchLabelKeys": _typ("[]string", (
            "MismatchLabelKeys is a set of pod label keys to select which pods will be taken "
            "into consideration.")),
    },
    CORE + "TopologySpreadConstraint": {
        "minDomains": _typ("int32", (
            "MinDomains indicates a minimum number of eligible domains. When the number of "
            "eligible domains with matching topology keys is less than minDomains, Pod "
            "Topology Spread treats \"global minimum\" as 0.")),
        "nodeAffinityPolicy": _typ("string", (
            "NodeAffinityPolicy indicates how we will treat Pod's nodeAffinity/nodeSelector "
            "when calculating pod topology spread skew. Options are Honor and Ignore.")),
        "nodeTaintsPolicy": _typ("string", (
            "NodeTaintsPolicy indicates how we will treat node taints when calculating pod "
            "topology spread skew. Options are Honor and Ignore.")),
        "matchLabelKeys": _typ("[]string", (
            "MatchLabelKeys is a set of pod label keys to select the pods over which spreading "
            "will be calculated.")),
    },
    CORE + "ServiceSpec": {
        "trafficDistribution": _typ("string", (
            "TrafficDistribution offers a way to express preferences for how traffic is "
            "distributed to Service endpoints.")),
    },
    CORE + "LoadBalancerIngress": {
        "ipMode": _typ("string", "IPMode specifies how the load-balancer IP behaves."),
    },
    CORE + "PersistentVolumeClaimSpec": {
        "volumeAttributesClassName": _typ("string", (
            "volumeAttributesClassName may be used to set the VolumeAttributesClass used by "
            "this claim.")),
    },
    CORE + "PersistentVolumeClaimStatus": {
        "allocatedResources": _typ("map:quantity", (
            "allocatedResources tracks the resources allocated to a PVC including its "
            "capacity.")),
        "currentVolumeAttributesClassName": _typ("string", (
            "currentVolumeAttributesClassName is the current name of the "
            "VolumeAttributesClass the PVC is using.")),
        "allocatedResourceStatuses": _typ("map:string", (
            "allocatedResourceStatuses stores status of resource being resized for the given "
            "PVC.")),
        "modifyVolumeStatus": _typ("object", (
            "ModifyVolumeStatus represents the status object of ControllerModifyVolume "
            "operation.")),
    },
    APPS + "StatefulSetSpec": {
        "ordinals": _typ("ref:" + APPS + "StatefulSetOrdinals", (
            "ordinals controls the numbering of replica indices in a StatefulSet. The default "
            "ordinals behavior assigns a \"0\" index to the first replica and increments the "
            "index by one for each additional replica requested.")),
        "persistentVolumeClaimRetentionPolicy": _typ(
            "ref:" + APPS + "StatefulSetPersistentVolumeClaimRetentionPolicy", (
                "persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent "
                "volume claims created from volumeClaimTemplates. By default, all persistent "
                "volume claims are created as needed and retained until manually deleted.")),
    },
    APPS + "RollingUpdateStatefulSetStrategy": {
        "maxUnavailable": _typ("intstr", (
            "The maximum number of pods that can be unavailable during the update. Value can "
            "be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Absolute "
            "number is calculated from percentage by rounding up. This can not be 0. Defaults "
            "to 1.")),
    },
    POLICY + "PodDisruptionBudgetSpec": {
        "unhealthyPodEvictionPolicy": _typ("string", (
            "UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should "
            "be considered for eviction. Valid policies are IfHealthyBudget and "
            "AlwaysAllow.")),
    },
    APIEXT + "JSONSchemaProps": {
        "x-kubernetes-validations": _typ("[]ref:" + APIEXT + "ValidationRule", (
            "x-kubernetes-validations describes a list of validation rules written in the CEL "
            "expression language.")),
    },
    APIEXT + "CustomResourceDefinitionVersion": {
        "selectableFields": _typ("[]ref:" + APIEXT + "SelectableField", (
            "selectableFields specifies paths to fields that may be used as field selectors.")),
    },
}

# Schemas not in the python client (new since 1.22, or special types).
def _obj(desc, props, required=None, **ext):
    return ("object", desc, props, required or [], ext)


NEW_SCHEMAS = {
    CORE + "PodSchedulingGate": _obj(
        "PodSchedulingGate is associated to a Pod to guard its scheduling.",
        {"name": _typ("string", "Name of the scheduling gate. Each scheduling gate must have "
                                "a unique name field.")}, ["name"]),
    CORE + "PodOS": _obj("PodOS defines the OS parameters of a pod.", {
        "name": _typ("string", "Name is the name of the operating system. The currently "
                               "supported values are linux and windows.")}, ["name"]),
    CORE + "PodResourceClaim": _obj(
        "PodResourceClaim references exactly one ResourceClaim, either directly or by naming "
        "a ResourceClaimTemplate which is then turned into a ResourceClaim for the pod.", {
            "name": _typ("string", "Name uniquely identifies this resource claim inside the pod."),
            "resourceClaimName": _typ("string", "ResourceClaimName is the name of a "
                                                "ResourceClaim object in the same namespace."),
            "resourceClaimTemplateName": _typ("string", "ResourceClaimTemplateName is the name "
                                                        "of a ResourceClaimTemplate object."),
        }, ["name"]),
    CORE + "ResourceClaim": _obj("ResourceClaim references one entry in PodSpec.ResourceClaims.", {
        "name": _typ("string", "Name must match the name of one entry in pod.spec.resourceClaims "
                               "of the Pod where this field is used."),
        "request": _typ("string", "Request is the name chosen for a request in the referenced "
                                  "claim."),
    }, ["name"]),
    CORE + "ContainerResizePolicy": _obj("ContainerResizePolicy represents resource resize "
                                         "policy for the container.", {
        "resourceName": _typ("string", "Name of the resource to which this resource resize "
                                       "policy applies. Supported values: cpu, memory."),
        "restartPolicy": _typ("string", "Restart policy to apply when specified resource is "
                                        "resized. If not specified, it defaults to NotRequired."),
    }, ["resourceName", "restartPolicy"]),
    CORE + "VolumeMountStatus": _obj("VolumeMountStatus shows status of volume mounts.", {
        "name": _typ("string", "Name corresponds to the name of the original VolumeMount."),
        "mountPath": _typ("string", "MountPath corresponds to the original VolumeMount."),
        "readOnly": _typ("bool", "ReadOnly corresponds to the original VolumeMount."),
        "recursiveReadOnly": _typ("string", "RecursiveReadOnly must be set to Disabled, "
                                            "Enabled, or unspecified (for non-readonly "
                                            "mounts)."),
    }, ["name", "mountPath"]),
    CORE + "PodResourceClaimStatus": _obj(
        "PodResourceClaimStatus is stored in the PodStatus for each PodResourceClaim which "
        "references a ResourceClaimTemplate.", {
            "name": _typ("string", "Name uniquely identifies this resource claim inside the "
                                   "pod."),
            "resourceClaimName": _typ("string", "ResourceClaimName is the name of the "
                                                "ResourceClaim that was generated for the Pod "
                                                "in the namespace of the Pod."),
        }, ["name"]),
    CORE + "ImageVolumeSource": _obj("ImageVolumeSource represents a image volume resource.", {
        "reference": _typ("string", "Required: Image or artifact reference to be used."),
        "pullPolicy": _typ("string", "Policy for pulling OCI objects. Possible values are: "
                                     "Always, Never, IfNotPresent."),
    }),
    CORE + "ClusterTrustBundleProjection": _obj(
        "ClusterTrustBundleProjection describes how to select a set of ClusterTrustBundle "
        "objects and project their contents into the pod filesystem.", {
            "name": _typ("string", "Select a single ClusterTrustBundle by object name."),
            "signerName": _typ("string", "Select all ClusterTrustBundles that match this "
                                         "signer name."),
            "labelSelector": _typ("ref:" + META + "LabelSelector", (
                "Select all ClusterTrustBundles that match this label selector.")),
            "optional": _typ("bool", "If true, don't block pod startup if the referenced "
                                     "ClusterTrustBundle(s) aren't available."),
            "path": _typ("string", "Relative path from the volume root to write the bundle."),
        }, ["path"]),
    CORE + "HostIP": _obj("HostIP represents a single IP address allocated to the host.", {
        "ip": _typ("string", "IP is the IP address assigned to the host")}, ["ip"]),
    CORE + "GRPCAction": _obj("GRPCAction specifies an action involving a GRPC service.", {
        "port": _typ("int32", "Port number of the gRPC service. Number must be in the range 1 "
                              "to 65535."),
        "service": _typ("string", "Service is the name of the service to place in the gRPC "
                                  "HealthCheckRequest. If this is not specified, the default "
                                  "behavior is defined by gRPC."),
    }, ["port"]),
    CORE + "SleepAction": _obj("SleepAction describes a \"sleep\" action.", {
        "seconds": _typ("int64", "Seconds is the number of seconds to sleep.")}, ["seconds"]),
    CORE + "AppArmorProfile": _obj("AppArmorProfile defines a pod or container's AppArmor "
                                   "settings.", {
        "type": _typ("string", "type indicates which kind of AppArmor profile will be applied. "
                               "Valid options are Localhost, RuntimeDefault and Unconfined."),
        "localhostProfile": _typ("string", "localhostProfile indicates a profile loaded on the "
                                           "node that should be used."),
    }, ["type"]),
    CORE + "VolumeResourceRequirements": _obj(
        "VolumeResourceRequirements describes the storage resource requirements for a volume.", {
            "limits": _typ("map:quantity", "Limits describes the maximum amount of compute "
                                           "resources allowed."),
            "requests": _typ("map:quantity", "Requests describes the minimum amount of compute "
                                             "resources required."),
        }),
    CORE + "TypedObjectReference": _obj(
        "TypedObjectReference contains enough information to let you locate the typed "
        "referenced object", {
            "apiGroup": _typ("string", "APIGroup is the group for the resource being referenced."),
            "kind": _typ("string", "Kind is the type of resource being referenced"),
            "name": _typ("string", "Name is the name of resource being referenced"),
            "namespace": _typ("string", "Namespace is the namespace of resource being "
                                        "referenced"),
        }, ["kind", "name"]),
    APPS + "StatefulSetOrdinals": _obj(
        "StatefulSetOrdinals describes the policy used for replica ordinal assignment in this "
        "StatefulSet.", {
            "start": _typ("int32", (
                "start is the number representing the first replica's index. It may be used to "
                "number replicas from an alternate index (eg: 1-indexed) over the default "
                "0-indexed names, or to orchestrate progressive movement of replicas from one "
                "StatefulSet to another. If set, replica indices will be in the range "
                "[.spec.ordinals.start, .spec.ordinals.start + .spec.replicas). If unset, "
                "defaults to 0.")),
        }),
    APPS + "StatefulSetPersistentVolumeClaimRetentionPolicy": _obj(
        "StatefulSetPersistentVolumeClaimRetentionPolicy describes the policy used for PVCs "
        "created from the StatefulSet VolumeClaimTemplates.", {
            "whenDeleted": _typ("string", (
                "WhenDeleted specifies what happens to PVCs created from StatefulSet "
                "VolumeClaimTemplates when the StatefulSet is deleted. The default policy of "
                "`Retain` causes PVCs to not be affected by StatefulSet deletion. The `Delete` "
                "policy causes those PVCs to be deleted.")),
            "whenScaled": _typ("string", (
                "WhenScaled specifies what happens to PVCs created from StatefulSet "
                "VolumeClaimTemplates when the StatefulSet is scaled down. The default policy "
                "of `Retain` causes PVCs to not be affected by a scaledown. The `Delete` policy "
                "causes the associated PVCs for any excess pods above the replica count to be "
                "deleted.")),
        }),
    APIEXT + "ValidationRule": _obj(
        "ValidationRule describes a validation rule written in the CEL expression language.", {
            "rule": _typ("string", "Rule represents the expression which will be evaluated by "
                                   "CEL."),
            "message": _typ("string", "Message represents the message displayed when "
                                      "validation fails."),
            "messageExpression": _typ("string", "MessageExpression declares a CEL expression "
                                                "that evaluates to the validation failure "
                                                "message."),
            "reason": _typ("string", "reason provides a machine-readable validation failure "
                                     "reason."),
            "fieldPath": _typ("string", "fieldPath represents the field path returned when the "
                                        "validation fails."),
            "optionalOldSelf": _typ("bool", "optionalOldSelf is used to opt a transition rule "
                                            "into evaluation even when the object is first "
                                            "created."),
        }, ["rule"]),
    APIEXT + "SelectableField": _obj(
        "SelectableField specifies the JSON path of a field that may be used with field "
        "selectors.", {
            "jsonPath": _typ("string", "jsonPath is a simple JSON path which is evaluated "
                                       "against each custom resource to produce a field "
                                       "selector value."),
        }, ["jsonPath"]),
}

# Scalar schemas (no properties) referenced by name.
SCALARS = {
    QUANTITY: {
        "type": "string",
        "description": (
            "Quantity is a fixed-point representation of a number. It provides convenient "
            "marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() "
            "accessors. The serialization format is a signed number followed by an optional "
            "suffix: a binary SI suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal SI suffix (n, u, "
            "m, \"\", k, M, G, T, P, E) or a decimal exponent (e/E followed by a number)."),
    },
    INTSTR: {
        "type": "string", "format": "int-or-string", "x-kubernetes-int-or-string": True,
        "description": ("IntOrString is a type that can hold an int32 or a string. When used "
                        "in JSON or YAML marshalling and unmarshalling, it produces or consumes "
                        "the inner type."),
    },
    META + "Time": {
        "type": "string", "format": "date-time",
        "description": ("Time is a wrapper around time.Time which supports correct marshaling "
                        "to YAML and JSON. Wrappers are provided for many of the factory "
                        "methods that the time package offers."),
    },
    META + "MicroTime": {
        "type": "string", "format": "date-time",
        "description": "MicroTime is version of Time with microsecond level precision.",
    },
    META + "FieldsV1": {
        "type": "object",
        "description": ("FieldsV1 stores a set of fields in a data structure like a Trie, in "
                        "JSON format."),
    },
    META + "Patch": {
        "type": "object",
        "description": ("Patch is provided to give a concrete name and type to the Kubernetes "
                        "PATCH request body."),
    },
    RUNTIME + "RawExtension": {
        "type": "object",
        "description": "RawExtension is used to hold extensions in external versions.",
    },
    APIEXT + "JSON": {
        "description": ("JSON represents any valid JSON value. These types are supported: "
                        "bool, int64, float64, string, []interface{}, map[string]interface{} "
                        "and nil."),
    },
    APIEXT + "JSONSchemaPropsOrArray": {
        "description": ("JSONSchemaPropsOrArray represents a value that can either be a "
                        "JSONSchemaProps or an array of JSONSchemaProps. Mainly here for "
                        "serialization purposes."),
    },
    APIEXT + "JSONSchemaPropsOrBool": {
        "description": ("JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. "
                        "Defaults to true for the boolean property."),
    },
    APIEXT + "JSONSchemaPropsOrStringArray": {
        "description": ("JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string "
                        "array."),
    },
    APIEXT + "CustomResourceSubresourceStatus": {
        "type": "object",
        "description": ("CustomResourceSubresourceStatus defines how to serve the status "
                        "subresource for CustomResources."),
    },
}

# Descriptions of Kubernetes types (the python client does not carry them).
TYPE_DESC = {
    CORE + "Namespace": "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
    CORE + "ConfigMap": "ConfigMap holds configuration data for pods to consume.",
    CORE + "Secret": ("Secret holds secret data of a certain type. The total bytes of the values "
                      "in the Data field must be less than MaxSecretSize bytes."),
    CORE + "Service": ("Service is a named abstraction of software service (for example, mysql) "
                       "consisting of local port (for example 3306) that the proxy listens on, "
                       "and the selector that determines which pods will answer requests sent "
                       "through the proxy."),
    CORE + "ServiceAccount": ("ServiceAccount binds together: * a name, understood by users, and "
                              "perhaps by peripheral systems, for an identity * a principal that "
                              "can be authenticated and authorized * a set of secrets"),
    CORE + "Event": ("Event is a report of an event somewhere in the cluster. Events have a "
                     "limited retention time and triggers and messages may evolve with time."),
    CORE + "Pod": ("Pod is a collection of containers that can run on a host. This resource is "
                   "created by clients and scheduled onto hosts."),
    CORE + "Node": ("Node is a worker node in Kubernetes. Each node will have a unique "
                    "identifier in the cache (i.e. in etcd)."),
    CORE + "PersistentVolumeClaim": ("PersistentVolumeClaim is a user's request for and claim "
                                     "to a persistent volume"),
    CORE + "Endpoints": "Endpoints is a collection of endpoints that implement the actual service.",
    CORE + "PodSpec": "PodSpec is a description of a pod.",
    CORE + "PodStatus": ("PodStatus represents information about the status of a pod. Status "
                         "may trail the actual state of a system."),
    CORE + "PodTemplateSpec": "PodTemplateSpec describes the data a pod should have when created "
                              "from a template",
    CORE + "Container": "A single application container that you want to run within a pod.",
    CORE + "ContainerPort": "ContainerPort represents a network port in a single container.",
    CORE + "ServiceSpec": "ServiceSpec describes the attributes that a user creates on a service.",
    CORE + "ServicePort": "ServicePort contains information on service's port.",
    CORE + "Volume": ("Volume represents a named volume in a pod that may be accessed by any "
                      "container in the pod."),
    CORE + "VolumeMount": "VolumeMount describes a mounting of a Volume within a container.",
    CORE + "EnvVar": "EnvVar represents an environment variable present in a Container.",
    CORE + "ResourceRequirements": "ResourceRequirements describes the compute resource "
                                   "requirements.",
    CORE + "Toleration": ("The pod this Toleration is attached to tolerates any taint that "
                          "matches the triple <key,value,effect> using the matching operator "
                          "<operator>."),
    CORE + "Taint": ("The node this Taint is attached to has the \"effect\" on any pod that "
                     "does not tolerate the Taint."),
    CORE + "Probe": ("Probe describes a health check to be performed against a container to "
                     "determine whether it is alive or ready to receive traffic."),
    CORE + "Affinity": "Affinity is a group of affinity scheduling rules.",
    CORE + "NodeSelectorRequirement": (
        "A node selector requirement is a selector that contains values, a key, and an "
        "operator that relates the key and values."),
    CORE + "ObjectReference": "ObjectReference contains enough information to let you inspect "
                              "or modify the referred object.",
    CORE + "LocalObjectReference": "LocalObjectReference contains enough information to let you "
                                   "locate the referenced object inside the same namespace.",
    APPS + "Deployment": "Deployment enables declarative updates for Pods and ReplicaSets.",
    APPS + "DeploymentSpec": "DeploymentSpec is the specification of the desired behavior of the "
                             "Deployment.",
    APPS + "DeploymentStatus": "DeploymentStatus is the most recently observed status of the "
                               "Deployment.",
    APPS + "DeploymentStrategy": "DeploymentStrategy describes how to replace existing pods "
                                 "with new ones.",
    APPS + "StatefulSet": (
        "StatefulSet represents a set of pods with consistent identities. Identities are "
        "defined as: - Network: A single stable DNS and hostname. - Storage: As many "
        "VolumeClaims as requested. The StatefulSet guarantees that a given network identity "
        "will always map to the same storage identity."),
    APPS + "StatefulSetSpec": "A StatefulSetSpec is the specification of a StatefulSet.",
    APPS + "StatefulSetStatus": "StatefulSetStatus represents the current state of a "
                                "StatefulSet.",
    APPS + "StatefulSetUpdateStrategy": (
        "StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will "
        "use to perform updates. It includes any additional parameters necessary to perform "
        "the update for the indicated strategy."),
    APPS + "RollingUpdateStatefulSetStrategy": (
        "RollingUpdateStatefulSetStrategy is used to communicate parameter for "
        "RollingUpdateStatefulSetStrategyType."),
    APPS + "ReplicaSet": "ReplicaSet ensures that a specified number of pod replicas are "
                         "running at any given time.",
    APPS + "DaemonSet": "DaemonSet represents the configuration of a daemon set.",
    APPS + "ControllerRevision": (
        "ControllerRevision implements an immutable snapshot of state data. Clients are "
        "responsible for serializing and deserializing the objects that contain their "
        "internal state. Once a ControllerRevision has been successfully created, it can not "
        "be updated."),
    AS1 + "Scale": "Scale represents a scaling request for a resource.",
    AS1 + "ScaleSpec": "ScaleSpec describes the attributes of a scale subresource.",
    AS1 + "ScaleStatus": "ScaleStatus represents the current status of a scale subresource.",
    AS2 + "HorizontalPodAutoscaler": (
        "HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which "
        "automatically manages the replica count of any resource implementing the scale "
        "subresource based on the metrics specified."),
    AS2 + "HorizontalPodAutoscalerSpec": "HorizontalPodAutoscalerSpec describes the desired "
                                         "functionality of the HorizontalPodAutoscaler.",
    AS2 + "HorizontalPodAutoscalerStatus": "HorizontalPodAutoscalerStatus describes the current "
                                           "status of a horizontal pod autoscaler.",
    AS2 + "CrossVersionObjectReference": "CrossVersionObjectReference contains enough "
                                         "information to let you identify the referred resource.",
    AS2 + "MetricSpec": "MetricSpec specifies how to scale based on a single metric (only "
                        "`type` and one other matching field should be set at once).",
    AS2 + "HorizontalPodAutoscalerBehavior": (
        "HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in "
        "both Up and Down directions (scaleUp and scaleDown fields respectively)."),
    POLICY + "PodDisruptionBudget": (
        "PodDisruptionBudget is an object to define the max disruption that can be caused to "
        "a collection of pods"),
    POLICY + "PodDisruptionBudgetSpec": "PodDisruptionBudgetSpec is a description of a "
                                        "PodDisruptionBudget.",
    DISC + "EndpointSlice": (
        "EndpointSlice represents a subset of the endpoints that implement a service. For a "
        "given service there may be multiple EndpointSlice objects, selected by labels, which "
        "must be joined to produce the full set of endpoints."),
    DISC + "Endpoint": "Endpoint represents a single logical \"backend\" implementing a service.",
    COORD + "Lease": "Lease defines a lease concept.",
    COORD + "LeaseSpec": "LeaseSpec is a specification of a Lease.",
    APIEXT + "CustomResourceDefinition": (
        "CustomResourceDefinition represents a resource that should be exposed on the API "
        "server. Its name MUST be in the format <.spec.name>.<.spec.group>."),
    APIEXT + "CustomResourceDefinitionSpec": "CustomResourceDefinitionSpec describes how a user "
                                             "wants their resource to appear",
    APIEXT + "JSONSchemaProps": "JSONSchemaProps is a JSON-Schema following Specification "
                                "Draft 4 (http://json-schema.org/).",
    META + "ObjectMeta": ("ObjectMeta is metadata that all persisted resources must have, which "
                          "includes all objects users must create."),
    META + "ListMeta": ("ListMeta describes metadata that synthetic resources must have, "
                        "including lists and various status objects."),
    META + "LabelSelector": (
        "A label selector is a label query over a set of resources. The result of matchLabels "
        "and matchExpressions are ANDed. An empty label selector matches all objects. A null "
        "label selector matches no objects."),
    META + "LabelSelectorRequirement": (
        "A label selector requirement is a selector that contains values, a key, and an "
        "operator that relates the key and values."),
    META + "OwnerReference": (
        "OwnerReference contains enough information to let you identify an owning object. An "
        "owning object must be in the same namespace as the dependent, or be cluster-scoped, "
        "so there is no namespace field."),
    META + "ManagedFieldsEntry": (
        "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the "
        "resource that the fieldset applies to."),
    META + "Status": "Status is a return value for calls that don't return other objects.",
    META + "StatusDetails": (
        "StatusDetails is a set of additional properties that MAY be set by the server to "
        "provide additional information about a response."),
    META + "StatusCause": ("StatusCause provides more information about an api.Status "
                           "failure, including cases when multiple errors are encountered."),
    META + "DeleteOptions": "DeleteOptions may be provided when deleting an API object.",
    META + "Preconditions": ("Preconditions must be fulfilled before an operation (update, "
                             "delete, etc.) is carried out."),
    META + "Condition": "Condition contains details for one aspect of the current state of this "
                        "API Resource.",
}

# --------------------------------------------------------------------------
# Karmada types, by hand from Karmada's Go API (pkg/apis/...).
# --------------------------------------------------------------------------
def K(pkg, name):
    return "ref:" + pkg + name


LS = "ref:" + META + "LabelSelector"
TOLERATION = "ref:" + CORE + "Toleration"
CONDITION = "ref:" + META + "Condition"

KARMADA = {
    # ---- policy.karmada.io/v1alpha1
    KPOLICY + "PropagationSpec": _obj(
        "PropagationSpec represents the desired behavior of PropagationPolicy.", {
            "resourceSelectors": _typ("[]" + K(KPOLICY, "ResourceSelector"), (
                "ResourceSelectors used to select resources. Nil or empty selector is not "
                "allowed and doesn't mean match all kinds of resources for security concerns "
                "that sensitive resources(like Secret) might be accidentally propagated.")),
            "association": _typ("bool", (
                "Association tells if relevant resources should be selected automatically. "
                "e.g. a ConfigMap referred by a Deployment. default false. Deprecated: in "
                "favor of PropagateDeps.")),
            "propagateDeps": _typ("bool", (
                "PropagateDeps tells if relevant resources should be propagated automatically. "
                "Take 'Deployment' which referencing 'ConfigMap' and 'Secret' as an example, "
                "when 'propagateDeps' is 'true', the referencing resources could be omitted(for "
                "saving config effort) from 'resourceSelectors' as they will be propagated "
                "along with the Deployment. In addition to the propagating process, the "
                "referencing resources will be migrated along with the Deployment in the "
                "fail-over scenario. Defaults to false.")),
            "placement": _typ(K(KPOLICY, "Placement"), (
                "Placement represents the rule for select clusters to propagate resources.")),
            "priority": _typ("int32", (
                "Priority indicates the importance of a policy(PropagationPolicy or "
                "ClusterPropagationPolicy). A policy will be applied for the matched resource "
                "templates if there is no other policies with higher priority at the point of "
                "the resource template be processed. Once a resource template has been claimed "
                "by a policy, by default it will not be preempted by following policies even "
                "with a higher priority. See Preemption for more details. In case of two "
                "policies have the same priority, the one with a more precise matching rules in "
                "ResourceSelectors wins: matching by name(resourceSelector.name) has higher "
                "priority than by selector(resourceSelector.labelSelector), matching by "
                "selector has higher priority than by APIVersion and Kind. If there is still no "
                "winner at this point, the one with the lower alphabetic order wins. The higher "
                "the value, the higher the priority. Defaults to zero.")),
            "preemption": _typ("string", (
                "Preemption declares the behaviors for preempting. Valid options are \"Always\" "
                "and \"Never\"."), enum=["Always", "Never"]),
            "dependentOverrides": _typ("[]string", (
                "DependentOverrides represents the list of overrides(OverridePolicy) which must "
                "present before the current PropagationPolicy takes effect. It used to "
                "explicitly specify overrides which current PropagationPolicy rely on. A "
                "typical scenario is the users create OverridePolicy(ies) and resources at the "
                "same time, they want to ensure the new-created policies would be adopted. "
                "Note: For the overrides, OverridePolicy(ies) in current namespace and "
                "ClusterOverridePolicy(ies), which not present in this list will still be "
                "applied if they matches the resources.")),
            "schedulerName": _typ("string", (
                "SchedulerName represents which scheduler to proceed the scheduling. If "
                "specified, the policy will be dispatched by specified scheduler. If not "
                "specified, the policy will be dispatched by default scheduler.")),
            "failover": _typ(K(KPOLICY, "FailoverBehavior"), (
                "Failover indicates how Karmada migrates applications in case of failures. If "
                "this value is nil, failover is disabled.")),
            "conflictResolution": _typ("string", (
                "ConflictResolution declares how potential conflict should be handled when a "
                "resource that is being propagated already exists in the target cluster. It "
                "defaults to \"Abort\" which means stop propagating to avoid unexpected "
                "overwrites. The \"Overwrite\" might be useful when migrating legacy cluster "
                "resources to Karmada, in which case conflict is predictable and can be "
                "instructed to Karmada take over the resource by overwriting."),
                enum=["Abort", "Overwrite"]),
            "activationPreference": _typ("string", (
                "ActivationPreference indicates how the referencing resource template will be "
                "propagated, in case of policy changes. If empty, the resource template will "
                "respond to policy changes immediately. If the value is 'Lazy' means the "
                "policy changes will not take effect for now but defer to the resource "
                "template changes."), enum=["Lazy"]),
            "suspension": _typ(K(KPOLICY, "Suspension"), (
                "Suspension declares the policy for suspending different aspects of "
                "propagation. nil means no suspension. no default values.")),
            "preserveResourcesOnDeletion": _typ("bool", (
                "PreserveResourcesOnDeletion controls whether resources should be preserved on "
                "the member clusters when the resource template is deleted. If set to true, "
                "resources will be preserved on the member clusters. Default is false, which "
                "means resources will be deleted along with the resource template.")),
            "schedulePriority": _typ(K(KPOLICY, "SchedulePriority"), (
                "SchedulePriority defines how Karmada should resolve the priority and "
                "preemption policy for workload scheduling.")),
        }, ["resourceSelectors"]),
    KPOLICY + "ResourceSelector": _obj("ResourceSelector the resources will be selected.", {
        "apiVersion": _typ("string", "APIVersion represents the API version of the target "
                                     "resources."),
        "kind": _typ("string", "Kind represents the Kind of the target resources."),
        "namespace": _typ("string", "Namespace of the target resource. Default is empty, which "
                                    "means inherit from the parent object scope."),
        "name": _typ("string", "Name of the target resource. Default is empty, which means "
                               "selecting all resources."),
        "labelSelector": _typ(LS, "A label query over a set of resources. If name is not empty, "
                                  "labelSelector will be ignored."),
    }, ["apiVersion", "kind"]),
    KPOLICY + "FieldSelector": _obj("FieldSelector is a field filter.", {
        "matchExpressions": _typ("[]ref:" + CORE + "NodeSelectorRequirement",
                                 "A list of field selector requirements."),
    }),
    KPOLICY + "Suspension": _obj(
        "Suspension defines the policy for suspending different aspects of propagation.", {
            "dispatching": _typ("bool", (
                "Dispatching controls whether dispatching should be suspended. nil means not "
                "suspend, no default value, only accepts 'true'. Note: true means stop "
                "propagating to all clusters. Can not co-exist with DispatchingOnClusters which "
                "is used to suspend particular clusters.")),
            "dispatchingOnClusters": _typ(K(KPOLICY, "SuspendClusters"), (
                "DispatchingOnClusters declares a list of clusters to which the dispatching "
                "should be suspended. Note: Can not co-exist with Dispatching which is used to "
                "suspend all.")),
        }),
    KPOLICY + "SuspendClusters": _obj(
        "SuspendClusters represents a group of clusters that should be suspended from "
        "propagating.", {
            "clusterNames": _typ("[]string", "ClusterNames is the list of clusters to be "
                                             "selected."),
        }),
    KPOLICY + "FailoverBehavior": _obj(
        "FailoverBehavior indicates failover behaviors in case of an application or cluster "
        "failure.", {
            "application": _typ(K(KPOLICY, "ApplicationFailoverBehavior"), (
                "Application indicates failover behaviors in case of application failure. If "
                "this value is nil, failover is disabled. If set, the PropagateDeps should be "
                "true so that the dependencies could be migrated along with the application.")),
            "cluster": _typ(K(KPOLICY, "ClusterFailoverBehavior"), (
                "Cluster indicates failover behaviors in case of cluster failure. If this value "
                "is nil, the failover behavior in case of cluster failure will be controlled by "
                "the controller's no-execute-taint-eviction-purge-mode parameter.")),
        }),
    KPOLICY + "ApplicationFailoverBehavior": _obj(
        "ApplicationFailoverBehavior indicates application failover behaviors.", {
            "decisionConditions": _typ(K(KPOLICY, "DecisionConditions"), (
                "DecisionConditions indicates the decision conditions of performing the "
                "failover process. Only when all conditions are met can the failover process be "
                "performed. Currently, DecisionConditions includes several conditions: - "
                "TolerationSeconds (optional)")),
            "purgeMode": _typ("string", (
                "PurgeMode represents how to deal with the legacy applications on the cluster "
                "from which the application is migrated. Valid options are \"Immediately\", "
                "\"Graciously\" and \"Never\". Defaults to \"Graciously\"."),
                enum=["Immediately", "Graciously", "Never"]),
            "gracePeriodSeconds": _typ("int32", (
                "GracePeriodSeconds is the maximum waiting duration in seconds before "
                "application on the migrated cluster should be deleted. Required only when "
                "PurgeMode is \"Graciously\" and defaults to 600s. If the application on the new "
                "cluster cannot reach a Healthy state, Karmada will delete the application after "
                "GracePeriodSeconds is reached. Value must be positive integer.")),
            "statePreservation": _typ(K(KPOLICY, "StatePreservation"), (
                "StatePreservation defines the policy for preserving and restoring state data "
                "during failover events for stateful applications. When an application fails "
                "over from one cluster to another, this policy enables the extraction of "
                "critical data from the original resource configuration. Upon successful "
                "migration, the extracted data is then re-injected into the new resource.")),
        }, ["decisionConditions"]),
    KPOLICY + "ClusterFailoverBehavior": _obj(
        "ClusterFailoverBehavior indicates cluster failover behaviors.", {
            "purgeMode": _typ("string", (
                "PurgeMode represents how to deal with the legacy applications on the cluster "
                "from which the application is migrated. Valid options are \"Directly\" and "
                "\"Gracefully\". Defaults to \"Gracefully\"."), enum=["Directly", "Gracefully"]),
            "statePreservation": _typ(K(KPOLICY, "StatePreservation"), (
                "StatePreservation defines the policy for preserving and restoring state data "
                "during failover events for stateful applications.")),
        }),
    KPOLICY + "DecisionConditions": _obj(
        "DecisionConditions represents the decision conditions of performing the failover "
        "process.", {
            "tolerationSeconds": _typ("int32", (
                "TolerationSeconds represents the period of time Karmada should wait after "
                "reaching the desired state before performing failover process. If not "
                "specified, Karmada will immediately perform failover process. Defaults to "
                "300s.")),
        }),
    KPOLICY + "StatePreservation": _obj(
        "StatePreservation defines the policy for preserving state during failover events.", {
            "rules": _typ("[]" + K(KPOLICY, "StatePreservationRule"), (
                "Rules contains a list of StatePreservationRule configurations. Each rule "
                "specifies a JSONPath expression targeting specific pieces of state data to be "
                "preserved during failover events. An AliasLabelName is associated with each "
                "rule, serving as a label key when the preserved data is passed to the new "
                "cluster.")),
        }, ["rules"]),
    KPOLICY + "StatePreservationRule": _obj(
        "StatePreservationRule defines a single rule for state preservation. It includes a "
        "JSONPath expression and an alias name that will be used as a label key when passing "
        "state information to the new cluster.", {
            "aliasLabelName": _typ("string", (
                "AliasLabelName is the name that will be used as a label key when the preserved "
                "data is passed to the new cluster.")),
            "jsonPath": _typ("string", (
                "JSONPath is the JSONPath template used to identify the state data to be "
                "preserved from the original resource configuration. The JSONPath expression "
                "will start searching from the \"status\" field of the API resource object by "
                "default.")),
        }, ["aliasLabelName", "jsonPath"]),
    KPOLICY + "Placement": _obj("Placement represents the rule for select clusters.", {
        "clusterAffinity": _typ(K(KPOLICY, "ClusterAffinity"), (
            "ClusterAffinity represents scheduling restrictions to a certain set of clusters. "
            "Note: 1. ClusterAffinity can not co-exist with ClusterAffinities. 2. If both "
            "ClusterAffinity and ClusterAffinities are not set, any cluster can be scheduling "
            "candidates.")),
        "clusterAffinities": _typ("[]" + K(KPOLICY, "ClusterAffinityTerm"), (
            "ClusterAffinities represents scheduling restrictions to multiple cluster groups "
            "that indicated by ClusterAffinityTerm. The scheduler will evaluate these groups one "
            "by one in the order they appear in the spec, the group that does not satisfy "
            "scheduling restrictions will be ignored which means all clusters in this group "
            "will not be selected unless it also belongs to the next group(a cluster could "
            "belong to multiple groups). If none of the groups satisfy the scheduling "
            "restrictions, then scheduling fails, which means no cluster will be selected. "
            "Note: 1. ClusterAffinities can not co-exist with ClusterAffinity. 2. If both "
            "ClusterAffinity and ClusterAffinities are not set, any cluster can be scheduling "
            "candidates.")),
        "clusterTolerations": _typ("[]" + TOLERATION, (
            "ClusterTolerations represents the tolerations that allow the resource to be "
            "scheduled onto clusters with matching taints.")),
        "spreadConstraints": _typ("[]" + K(KPOLICY, "SpreadConstraint"),
                                  "SpreadConstraints represents a list of the scheduling "
                                  "constraints."),
        "replicaScheduling": _typ(K(KPOLICY, "ReplicaSchedulingStrategy"), (
            "ReplicaScheduling represents the scheduling policy on dealing with the number of "
            "replicas when propagating resources that have replicas in spec (e.g. deployments, "
            "statefulsets) to member clusters.")),
    }),
    KPOLICY + "SpreadConstraint": _obj(
        "SpreadConstraint represents the spread constraints on resources.", {
            "spreadByField": _typ("string", (
                "SpreadByField represents the fields on Karmada cluster API used for "
                "dynamically grouping member clusters into different groups. Resources will be "
                "spread among different cluster groups. Available fields for spreading are: "
                "cluster, region, zone, and provider. SpreadByField should not co-exist with "
                "SpreadByLabel. If both SpreadByField and SpreadByLabel are empty, "
                "SpreadByField will be set to \"cluster\" by system."),
                enum=["cluster", "region", "zone", "provider"]),
            "spreadByLabel": _typ("string", (
                "SpreadByLabel represents the label key used for grouping member clusters into "
                "different groups. Resources will be spread among different cluster groups. "
                "SpreadByLabel should not co-exist with SpreadByField.")),
            "maxGroups": _typ("int32", "MaxGroups restricts the maximum number of cluster "
                                       "groups to be selected."),
            "minGroups": _typ("int32", "MinGroups restricts the minimum number of cluster "
                                       "groups to be selected. Defaults to 1."),
        }),
    KPOLICY + "ClusterAffinity": _obj("ClusterAffinity represents the filter to select "
                                      "clusters.", {
        "labelSelector": _typ(LS, (
            "LabelSelector is a filter to select member clusters by labels. If non-nil and "
            "non-empty, only the clusters match this filter will be selected.")),
        "fieldSelector": _typ(K(KPOLICY, "FieldSelector"), (
            "FieldSelector is a filter to select member clusters by fields. The key(field) of "
            "the match expression should be 'provider', 'region', or 'zone', and the operator "
            "of the match expression should be 'In' or 'NotIn'. If non-nil and non-empty, only "
            "the clusters match this filter will be selected.")),
        "clusterNames": _typ("[]string", "ClusterNames is the list of clusters to be selected."),
        "exclude": _typ("[]string", "ExcludedClusters is the list of clusters to be ignored."),
    }),
    KPOLICY + "ClusterAffinityTerm": _obj("ClusterAffinityTerm selects a set of cluster.", {
        "affinityName": _typ("string", "AffinityName is the name of the cluster group."),
        "labelSelector": _typ(LS, (
            "LabelSelector is a filter to select member clusters by labels. If non-nil and "
            "non-empty, only the clusters match this filter will be selected.")),
        "fieldSelector": _typ(K(KPOLICY, "FieldSelector"), (
            "FieldSelector is a filter to select member clusters by fields. If non-nil and "
            "non-empty, only the clusters match this filter will be selected.")),
        "clusterNames": _typ("[]string", "ClusterNames is the list of clusters to be selected."),
        "exclude": _typ("[]string", "ExcludedClusters is the list of clusters to be ignored."),
    }, ["affinityName"]),
    KPOLICY + "ReplicaSchedulingStrategy": _obj(
        "ReplicaSchedulingStrategy represents the assignment strategy of replicas.", {
            "replicaSchedulingType": _typ("string", (
                "ReplicaSchedulingType determines how the replicas is scheduled when karmada "
                "propagating a resource. Valid options are Duplicated and Divided. "
                "\"Duplicated\" duplicates the same replicas to each candidate member cluster "
                "from resource. \"Divided\" divides replicas into parts according to number of "
                "valid candidate member clusters, and exact replicas for each cluster are "
                "determined by ReplicaDivisionPreference."), enum=["Duplicated", "Divided"]),
            "replicaDivisionPreference": _typ("string", (
                "ReplicaDivisionPreference determines how the replicas is divided when "
                "ReplicaSchedulingType is \"Divided\". Valid options are Aggregated and "
                "Weighted. \"Aggregated\" divides replicas into clusters as few as possible, "
                "while respecting clusters' resource availabilities during the division. "
                "\"Weighted\" divides replicas by weight according to WeightPreference."),
                enum=["Aggregated", "Weighted"]),
            "weightPreference": _typ(K(KPOLICY, "ClusterPreferences"), (
                "WeightPreference describes weight for each cluster or for each group of "
                "cluster If ReplicaDivisionPreference is set to \"Weighted\", and "
                "WeightPreference is not set, scheduler will weight all clusters the same.")),
        }),
    KPOLICY + "ClusterPreferences": _obj(
        "ClusterPreferences describes weight for each cluster or for each group of cluster.", {
            "staticWeightList": _typ("[]" + K(KPOLICY, "StaticClusterWeight"),
                                     "StaticWeightList defines the static cluster weight."),
            "dynamicWeight": _typ("string", (
                "DynamicWeight specifies the factor to generates dynamic weight list. If "
                "specified, StaticWeightList will be ignored."), enum=["AvailableReplicas"]),
        }),
    KPOLICY + "StaticClusterWeight": _obj(
        "StaticClusterWeight defines the static cluster weight.", {
            "targetCluster": _typ(K(KPOLICY, "ClusterAffinity"),
                                  "TargetCluster describes the filter to select clusters."),
            "weight": _typ("int64", "Weight expressing the preference to the cluster(s) "
                                    "specified by 'TargetCluster'."),
        }, ["targetCluster", "weight"]),
    KPOLICY + "SchedulePriority": _obj(
        "SchedulePriority defines how Karmada should resolve the priority and preemption "
        "policy for workload scheduling.", {
            "priorityClassSource": _typ("string", (
                "PriorityClassSource specifies where Karmada should look for the PriorityClass "
                "definition. Available options: KubePriorityClass (Kubernetes PriorityClass, "
                "scheduling.k8s.io/v1), PodPriorityClass and FederatedPriorityClass (not yet "
                "implemented)."), enum=["KubePriorityClass"]),
            "priorityClassName": _typ("string", (
                "PriorityClassName specifies which PriorityClass to use. Its behavior depends "
                "on PriorityClassSource.")),
        }, ["priorityClassSource", "priorityClassName"]),
    KPOLICY + "OverrideSpec": _obj("OverrideSpec defines the desired behavior of "
                                   "OverridePolicy.", {
        "resourceSelectors": _typ("[]" + K(KPOLICY, "ResourceSelector"), (
            "ResourceSelectors restricts resource types that this override policy applies to. "
            "nil means matching all resources.")),
        "overrideRules": _typ("[]" + K(KPOLICY, "RuleWithCluster"), (
            "OverrideRules defines a collection of override rules on target clusters.")),
        "targetCluster": _typ(K(KPOLICY, "ClusterAffinity"), (
            "TargetCluster defines restrictions on this override policy that only applies to "
            "resources propagated to the matching clusters. nil means matching all clusters. "
            "Deprecated: This filed is deprecated in v1.0 and please use the OverrideRules "
            "instead.")),
        "overriders": _typ(K(KPOLICY, "Overriders"), (
            "Overriders represents the override rules that would apply on resources. "
            "Deprecated: This filed is deprecated in v1.0 and please use the OverrideRules "
            "instead.")),
    }),
    KPOLICY + "RuleWithCluster": _obj("RuleWithCluster defines the override rules on "
                                      "clusters.", {
        "targetCluster": _typ(K(KPOLICY, "ClusterAffinity"), (
            "TargetCluster defines restrictions on this override policy that only applies to "
            "resources propagated to the matching clusters. nil means matching all clusters.")),
        "overriders": _typ(K(KPOLICY, "Overriders"), (
            "Overriders represents the override rules that would apply on resources")),
    }, ["overriders"]),
    KPOLICY + "Overriders": _obj(
        "Overriders offers various alternatives to represent the override rules. If more than "
        "one alternative exists, they will be applied with following order: - ImageOverrider "
        "- CommandOverrider - ArgsOverrider - LabelsOverrider - AnnotationsOverrider - "
        "FieldOverrider - Plaintext", {
            "plaintext": _typ("[]" + K(KPOLICY, "PlaintextOverrider"), (
                "Plaintext represents override rules defined with plaintext overriders.")),
            "imageOverrider": _typ("[]" + K(KPOLICY, "ImageOverrider"), (
                "ImageOverrider represents the rules dedicated to handling image overrides.")),
            "commandOverrider": _typ("[]" + K(KPOLICY, "CommandArgsOverrider"), (
                "CommandOverrider represents the rules dedicated to handling container "
                "command")),
            "argsOverrider": _typ("[]" + K(KPOLICY, "CommandArgsOverrider"), (
                "ArgsOverrider represents the rules dedicated to handling container args")),
            "labelsOverrider": _typ("[]" + K(KPOLICY, "LabelAnnotationOverrider"), (
                "LabelsOverrider represents the rules dedicated to handling workload labels")),
            "annotationsOverrider": _typ("[]" + K(KPOLICY, "LabelAnnotationOverrider"), (
                "AnnotationsOverrider represents the rules dedicated to handling workload "
                "annotations")),
            "fieldOverrider": _typ("[]" + K(KPOLICY, "FieldOverrider"), (
                "FieldOverrider represents the rules dedicated to modifying a specific field in "
                "any Kubernetes resource, allowing changes to the values of structured data "
                "(JSON or YAML) embedded in string fields, such as ConfigMap data.")),
        }),
    KPOLICY + "LabelAnnotationOverrider": _obj(
        "LabelAnnotationOverrider represents the rules dedicated to handling workload "
        "labels/annotations", {
            "operator": _typ("string", "Operator represents the operator which will apply on "
                                       "the workload.", enum=["add", "remove", "replace"]),
            "value": _typ("map:string", (
                "Value to be applied to annotations/labels of workload. Items in Value which "
                "will be appended after annotations/labels when Operator is 'add'. Items in "
                "Value which match in annotations/labels will be deleted when Operator is "
                "'remove'. Items in Value which match in annotations/labels will be replaced "
                "when Operator is 'replace'.")),
        }, ["operator"]),
    KPOLICY + "ImageOverrider": _obj(
        "ImageOverrider represents the rules dedicated to handling image overrides.", {
            "predicate": _typ(K(KPOLICY, "ImagePredicate"), (
                "Predicate filters images before applying the rule. Defaults to nil, in that "
                "case, the system will automatically detect image fields if the resource type "
                "is Pod, ReplicaSet, Deployment, StatefulSet, DaemonSet or Job. If not nil, "
                "only images matches the filters will be processed.")),
            "component": _typ("string", (
                "Component is part of image name. Basically we presume an image can be made of "
                "'[registry/]repository[:tag]'."), enum=["Registry", "Repository", "Tag"]),
            "operator": _typ("string", "Operator represents the operator which will apply on "
                                       "the image.", enum=["add", "remove", "replace"]),
            "value": _typ("string", (
                "Value to be applied to image. Must not be empty when operator is 'add' or "
                "'replace'. Defaults to empty and ignored when operator is 'remove'.")),
        }, ["component", "operator"]),
    KPOLICY + "ImagePredicate": _obj("ImagePredicate describes images filter.", {
        "path": _typ("string", "Path indicates the path of target field")}, ["path"]),
    KPOLICY + "CommandArgsOverrider": _obj(
        "CommandArgsOverrider represents the rules dedicated to handling command/args "
        "overrides.", {
            "containerName": _typ("string", "The name of container"),
            "operator": _typ("string", "Operator represents the operator which will apply on "
                                       "the command/args.", enum=["add", "remove"]),
            "value": _typ("[]string", (
                "Value to be applied to command/args. Items in Value which will be appended "
                "after command/args when Operator is 'add'. Items in Value which match in "
                "command/args will be deleted when Operator is 'remove'. If Value is empty, "
                "then the command/args will remain the same.")),
        }, ["containerName", "operator"]),
    KPOLICY + "PlaintextOverrider": _obj(
        "PlaintextOverrider is a simple overrider that overrides target fields according to "
        "path, operator and value.", {
            "path": _typ("string", "Path indicates the path of target field"),
            "operator": _typ("string", "Operator indicates the operation on target field. "
                                       "Available operators are: add, replace and remove.",
                             enum=["add", "remove", "replace"]),
            "value": _typ("json", "Value to be applied to target field. Must be empty when "
                                  "operator is Remove."),
        }, ["path", "operator"]),
    KPOLICY + "FieldOverrider": _obj(
        "FieldOverrider represents the rules dedicated to modifying a specific field in any "
        "Kubernetes resource. Only one of JSON or YAML may be set.", {
            "fieldPath": _typ("string", (
                "FieldPath specifies the initial location in the instance document where the "
                "operation should take place. The path uses RFC 6901 for navigating into nested "
                "structures, e.g. \"/data/db-config.yaml\".")),
            "json": _typ("[]" + K(KPOLICY, "JSONPatchOperation"), (
                "JSON represents the operations performed on the JSON document specified by the "
                "FieldPath.")),
            "yaml": _typ("[]" + K(KPOLICY, "YAMLPatchOperation"), (
                "YAML represents the operations performed on the YAML document specified by the "
                "FieldPath.")),
        }, ["fieldPath"]),
    KPOLICY + "JSONPatchOperation": _obj(
        "JSONPatchOperation represents a single field modification operation for JSON format.", {
            "subPath": _typ("string", "SubPath specifies the relative location within the "
                                      "initial FieldPath where the operation should take place."),
            "operator": _typ("string", "Operator indicates the operation on target field.",
                             enum=["add", "remove", "replace"]),
            "value": _typ("json", "Value is the new value to set for the specified field if "
                                  "the operation is add or replace."),
        }, ["subPath", "operator"]),
    KPOLICY + "YAMLPatchOperation": _obj(
        "YAMLPatchOperation represents a single field modification operation for YAML format.", {
            "subPath": _typ("string", "SubPath specifies the relative location within the "
                                      "initial FieldPath where the operation should take place."),
            "operator": _typ("string", "Operator indicates the operation on target field.",
                             enum=["add", "remove", "replace"]),
            "value": _typ("json", "Value is the new value to set for the specified field if "
                                  "the operation is add or replace."),
        }, ["subPath", "operator"]),
    # ---- cluster.karmada.io/v1alpha1
    KCLUSTER + "ClusterSpec": _obj("ClusterSpec defines the desired state of a member "
                                   "cluster.", {
        "id": _typ("string", (
            "ID is the unique identifier for the cluster. It is different from the object "
            "uid(.metadata.uid) and typically collected automatically from member cluster "
            "during the progress of registration.")),
        "syncMode": _typ("string", "SyncMode describes how a cluster sync resources from "
                                   "karmada control plane.", enum=["Push", "Pull"]),
        "apiEndpoint": _typ("string", "The API endpoint of the member cluster. This can be a "
                                      "hostname, hostname:port, IP or IP:port."),
        "secretRef": _typ(K(KCLUSTER, "LocalSecretReference"), (
            "SecretRef represents the secret contains mandatory credentials to access the "
            "member cluster. The secret should hold credentials as follows: - "
            "secret.data.token - secret.data.caBundle")),
        "impersonatorSecretRef": _typ(K(KCLUSTER, "LocalSecretReference"), (
            "ImpersonatorSecretRef represents the secret contains the token of impersonator. "
            "The secret should hold credentials as follows: - secret.data.token")),
        "insecureSkipTLSVerification": _typ("bool", (
            "InsecureSkipTLSVerification indicates that the karmada control plane should not "
            "confirm the validity of the serving certificate of the cluster it is connecting "
            "to. This will make the HTTPS connection between the karmada control plane and the "
            "member cluster insecure. Defaults to false.")),
        "proxyURL": _typ("string", (
            "ProxyURL is the proxy URL for the cluster. If not empty, the karmada control plane "
            "will use this proxy to talk to the cluster.")),
        "proxyHeader": _typ("map:string", (
            "ProxyHeader is the HTTP header required by proxy server. The key in the key-value "
            "pair is HTTP header key and value is the associated header payloads. For the "
            "header with multiple values, the values should be separated by comma(e.g. 'k1': "
            "'v1,v2,v3').")),
        "provider": _typ("string", "Provider represents the cloud provider name of the member "
                                   "cluster."),
        "region": _typ("string", "Region represents the region in which the member cluster is "
                                 "located."),
        "zone": _typ("string", (
            "Zone represents the zone in which the member cluster is located. Deprecated: This "
            "field was never used by Karmada, and it will not be removed from v1alpha1 for "
            "backward compatibility, use Zones instead.")),
        "zones": _typ("[]string", (
            "Zones represents the failure zones(also called availability zones) of the member "
            "cluster. The zones are presented as a slice to support the case that cluster runs "
            "across multiple failure zones.")),
        "taints": _typ("[]ref:" + CORE + "Taint", (
            "Taints attached to the member cluster. Taints on the cluster have the \"effect\" "
            "on any resource that does not tolerate the Taint.")),
        "resourceModels": _typ("[]" + K(KCLUSTER, "ResourceModel"), (
            "ResourceModels is the list of resource modeling in this cluster. Each modeling "
            "quota can be customized by the user. Modeling name must be one of the following: "
            "cpu, memory, storage, ephemeral-storage. If the user does not define the modeling "
            "name and modeling quota, it will be the default model.")),
    }, ["syncMode"]),
    KCLUSTER + "ResourceModel": _obj("ResourceModel describes the modeling that you want to "
                                     "statistics.", {
        "grade": _typ("int32", "Grade is the index for the resource modeling."),
        "ranges": _typ("[]" + K(KCLUSTER, "ResourceModelRange"),
                       "Ranges describes the resource quota ranges."),
    }, ["grade", "ranges"]),
    KCLUSTER + "ResourceModelRange": _obj(
        "ResourceModelRange describes the detail of each modeling quota that ranges from min to "
        "max. The min value is inclusive and the max value is exclusive.", {
            "name": _typ("string", "Name is the name for the resource that you want to "
                                   "categorize."),
            "min": _typ("quantity", "Min is the minimum amount of this resource represented by "
                                    "resource name."),
            "max": _typ("quantity", "Max is the maximum amount of this resource represented by "
                                    "resource name."),
        }, ["name", "min", "max"]),
    KCLUSTER + "LocalSecretReference": _obj(
        "LocalSecretReference is a reference to a secret within the enclosing namespace.", {
            "namespace": _typ("string", "Namespace is the namespace for the resource being "
                                        "referenced."),
            "name": _typ("string", "Name is the name of resource being referenced."),
        }, ["namespace", "name"]),
    KCLUSTER + "ClusterStatus": _obj(
        "ClusterStatus contains information about the current status of a cluster updated "
        "periodically by cluster controller.", {
            "kubernetesVersion": _typ("string", "KubernetesVersion represents version of the "
                                                "member cluster."),
            "apiEnablements": _typ("[]" + K(KCLUSTER, "APIEnablement"), (
                "APIEnablements represents the list of APIs installed in the member cluster.")),
            "conditions": _typ("[]" + CONDITION, "Conditions is an array of current cluster "
                                                 "conditions."),
            "nodeSummary": _typ(K(KCLUSTER, "NodeSummary"), (
                "NodeSummary represents the summary of nodes status in the member cluster.")),
            "resourceSummary": _typ(K(KCLUSTER, "ResourceSummary"), (
                "ResourceSummary represents the summary of resources in the member cluster.")),
            "remedyActions": _typ("[]string", (
                "RemedyActions represents the remedy actions that needs to be performed on the "
                "cluster.")),
        }),
    KCLUSTER + "APIEnablement": _obj(
        "APIEnablement is a list of API resource, it is used to expose the name of the "
        "resources supported in a specific group and version.", {
            "groupVersion": _typ("string", "GroupVersion is the group and version this "
                                           "APIEnablement is for."),
            "resources": _typ("[]" + K(KCLUSTER, "APIResource"), "Resources is a list of "
                                                                 "APIResource."),
        }, ["groupVersion"]),
    KCLUSTER + "APIResource": _obj("APIResource specifies the name and kind names for the "
                                   "resource.", {
        "name": _typ("string", "Name is the plural name of the resource."),
        "kind": _typ("string", "Kind is the kind for the resource (e.g. 'Deployment' is the "
                               "kind for resource 'deployments')"),
    }, ["name", "kind"]),
    KCLUSTER + "NodeSummary": _obj("NodeSummary represents the summary of nodes status in a "
                                   "specific cluster.", {
        "totalNum": _typ("int32", "TotalNum is the total number of nodes in the cluster."),
        "readyNum": _typ("int32", "ReadyNum is the number of ready nodes in the cluster."),
    }),
    KCLUSTER + "ResourceSummary": _obj("ResourceSummary represents the summary of resources "
                                       "in the member cluster.", {
        "allocatable": _typ("map:quantity", (
            "Allocatable represents the resources of a cluster that are available for "
            "scheduling. Total amount of allocatable resources on all nodes.")),
        "allocating": _typ("map:quantity", (
            "Allocating represents the resources of a cluster that are pending for scheduling. "
            "Total amount of required resources of all Pods that are waiting for scheduling.")),
        "allocated": _typ("map:quantity", (
            "Allocated represents the resources of a cluster that have been scheduled. Total "
            "amount of required resources of all Pods that have been scheduled to nodes.")),
        "allocatableModelings": _typ("[]" + K(KCLUSTER, "AllocatableModeling"), (
            "AllocatableModelings represents the statistical resource modeling.")),
    }),
    KCLUSTER + "AllocatableModeling": _obj(
        "AllocatableModeling represents the number of nodes in which allocatable resources in "
        "a specific resource model grade.", {
            "grade": _typ("int32", "Grade is the index of ResourceModel."),
            "count": _typ("int32", "Count is the number of nodes that own the resources "
                                   "delineated by this modeling."),
        }, ["grade", "count"]),
    # ---- work.karmada.io/v1alpha2
    KWORK + "ResourceBindingSpec": _obj(
        "ResourceBindingSpec represents the expectation of ResourceBinding.", {
            "resource": _typ(K(KWORK, "ObjectReference"), (
                "Resource represents the Kubernetes resource to be propagated.")),
            "propagateDeps": _typ("bool", (
                "PropagateDeps tells if relevant resources should be propagated automatically. "
                "It is inherited from PropagationPolicy or ClusterPropagationPolicy. default "
                "false.")),
            "replicaRequirements": _typ(K(KWORK, "ReplicaRequirements"), (
                "ReplicaRequirements represents the requirements required by each replica.")),
            "replicas": _typ("int32", "Replicas represents the replica number of the "
                                      "referencing resource."),
            "clusters": _typ("[]" + K(KWORK, "TargetCluster"), (
                "Clusters represents target member clusters where the resource to be "
                "deployed.")),
            "placement": _typ(K(KPOLICY, "Placement"), (
                "Placement represents the rule for select clusters to propagate resources.")),
            "gracefulEvictionTasks": _typ("[]" + K(KWORK, "GracefulEvictionTask"), (
                "GracefulEvictionTasks holds the eviction tasks that are expected to perform "
                "the eviction in a graceful way.")),
            "requiredBy": _typ("[]" + K(KWORK, "BindingSnapshot"), (
                "RequiredBy represents the list of Bindings that depend on the referencing "
                "resource.")),
            "schedulerName": _typ("string", (
                "SchedulerName represents which scheduler to proceed the scheduling. It "
                "inherits directly from the associated PropagationPolicy(or "
                "ClusterPropagationPolicy).")),
            "failover": _typ(K(KPOLICY, "FailoverBehavior"), (
                "Failover indicates how Karmada migrates applications in case of failures. It "
                "inherits directly from the associated PropagationPolicy(or "
                "ClusterPropagationPolicy).")),
            "conflictResolution": _typ("string", (
                "ConflictResolution declares how potential conflict should be handled when a "
                "resource that is being propagated already exists in the target cluster. It "
                "defaults to \"Abort\"."), enum=["Abort", "Overwrite"]),
            "rescheduleTriggeredAt": _typ("ref:" + META + "Time", (
                "RescheduleTriggeredAt is a timestamp representing when the referenced resource "
                "is triggered rescheduling.")),
            "suspension": _typ(K(KWORK, "Suspension"), (
                "Suspension declares the policy for suspending different aspects of "
                "propagation. nil means no suspension. no default values.")),
            "preserveResourcesOnDeletion": _typ("bool", (
                "PreserveResourcesOnDeletion controls whether resources should be preserved on "
                "the member clusters when the binding object is deleted.")),
            "schedulePriority": _typ(K(KPOLICY, "SchedulePriority"), (
                "SchedulePriority represents the scheduling priority assigned to workloads.")),
        }, ["resource"]),
    KWORK + "Suspension": _obj(
        "Suspension defines the policy for suspending dispatching and scheduling.", {
            "dispatching": _typ("bool", "Dispatching controls whether dispatching should be "
                                        "suspended."),
            "dispatchingOnClusters": _typ(K(KPOLICY, "SuspendClusters"), (
                "DispatchingOnClusters declares a list of clusters to which the dispatching "
                "should be suspended.")),
            "scheduling": _typ("bool", "Scheduling controls whether scheduling should be "
                                       "suspended."),
        }),
    KWORK + "ObjectReference": _obj(
        "ObjectReference contains enough information to locate the referenced object inside "
        "current cluster.", {
            "apiVersion": _typ("string", "APIVersion represents the API version of the "
                                         "referent."),
            "kind": _typ("string", "Kind represents the Kind of the referent."),
            "namespace": _typ("string", (
                "Namespace represents the namespace for the referent. For non-namespace scoped "
                "resources(e.g. 'ClusterRole'), do not need specify Namespace, and for "
                "namespace scoped resources, Namespace is required. If Namespace is not "
                "specified, means the resource is non-namespace scoped.")),
            "name": _typ("string", "Name represents the name of the referent."),
            "uid": _typ("string", "UID of the referent."),
            "resourceVersion": _typ("string", (
                "ResourceVersion represents the internal version of the referenced object, "
                "that can be used by clients to determine when object has changed.")),
        }, ["apiVersion", "kind", "name"]),
    KWORK + "ReplicaRequirements": _obj(
        "ReplicaRequirements represents the requirements required by each replica.", {
            "nodeClaim": _typ(K(KWORK, "NodeClaim"), (
                "NodeClaim represents the node claim HardNodeAffinity, NodeSelector and "
                "Tolerations required by each replica.")),
            "resourceRequest": _typ("map:quantity", "ResourceRequest represents the resources "
                                                    "required by each replica."),
            "namespace": _typ("string", "Namespace represents the resources namespaces"),
            "priorityClassName": _typ("string", "PriorityClassName represents the resources "
                                                "priorityClassName"),
        }),
    KWORK + "NodeClaim": _obj(
        "NodeClaim represents the node claim HardNodeAffinity, NodeSelector and Tolerations "
        "required by each replica.", {
            "hardNodeAffinity": _typ("ref:" + CORE + "NodeSelector", (
                "A node selector represents the union of the results of one or more label "
                "queries over a set of nodes; that is, it represents the OR of the selectors "
                "represented by the node selector terms. Note that only "
                "PodSpec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution is "
                "included here because it has a hard limit on pod scheduling.")),
            "nodeSelector": _typ("map:string", (
                "NodeSelector is a selector which must be true for the pod to fit on a node. "
                "Selector which must match a node's labels for the pod to be scheduled on that "
                "node.")),
            "tolerations": _typ("[]" + TOLERATION, "If specified, the pod's tolerations."),
        }),
    KWORK + "TargetCluster": _obj("TargetCluster represents the identifier of a member "
                                  "cluster.", {
        "name": _typ("string", "Name of target cluster."),
        "replicas": _typ("int32", "Replicas in target cluster"),
    }, ["name"]),
    KWORK + "GracefulEvictionTask": _obj(
        "GracefulEvictionTask represents a graceful eviction task.", {
            "fromCluster": _typ("string", "FromCluster which cluster the eviction perform "
                                          "from."),
            "purgeMode": _typ("string", (
                "PurgeMode represents how to deal with the legacy applications on the cluster "
                "from which the application is migrated.")),
            "replicas": _typ("int32", (
                "Replicas indicates the number of replicas should be evicted. Should be ignored "
                "for resource type that doesn't have replica.")),
            "reason": _typ("string", (
                "Reason contains a programmatic identifier indicating the reason for the "
                "eviction. Producers may define expected values and meanings for this field, "
                "and whether the values are considered a guaranteed API. The value should be a "
                "CamelCase string. This field may not be empty.")),
            "message": _typ("string", (
                "Message is a human-readable message indicating details about the eviction. "
                "This may be an empty string.")),
            "producer": _typ("string", "Producer indicates the controller who triggered the "
                                       "eviction."),
            "gracePeriodSeconds": _typ("int32", (
                "GracePeriodSeconds is the maximum waiting duration in seconds before the item "
                "should be deleted. If the application on the new cluster cannot reach a "
                "Healthy state, Karmada will delete the item after GracePeriodSeconds is "
                "reached. Value must be positive integer. It can not co-exist with "
                "SuppressDeletion.")),
            "suppressDeletion": _typ("bool", (
                "SuppressDeletion represents the grace period will be persistent until the "
                "tools or human intervention stops it. It can not co-exist with "
                "GracePeriodSeconds.")),
            "preservedLabelState": _typ("map:string", (
                "PreservedLabelState represents the application state information collected "
                "from the original cluster, and it will be injected into the new cluster in "
                "form of application labels.")),
            "clustersBeforeFailover": _typ("[]string", (
                "ClustersBeforeFailover records the clusters where running the application "
                "before failover.")),
            "creationTimestamp": _typ("ref:" + META + "Time", (
                "CreationTimestamp is a timestamp representing the server time when this object "
                "was created. Clients should not set this value to avoid the time inconsistency "
                "issue. It is represented in RFC3339 form(like '2021-04-25T10:02:10Z') and is in "
                "UTC. Populated by the system. Read-only.")),
        }, ["fromCluster", "reason", "producer"]),
    KWORK + "BindingSnapshot": _obj(
        "BindingSnapshot is a snapshot of a ResourceBinding or ClusterResourceBinding.", {
            "namespace": _typ("string", (
                "Namespace represents the namespace of the Binding. It is required for "
                "ResourceBinding. If Namespace is not specified, means the referencing is "
                "ClusterResourceBinding.")),
            "name": _typ("string", "Name represents the name of the Binding."),
            "clusters": _typ("[]" + K(KWORK, "TargetCluster"), "Clusters represents the "
                                                               "scheduled result."),
        }, ["name"]),
    KWORK + "ResourceBindingStatus": _obj(
        "ResourceBindingStatus represents the overall status of the strategy as well as the "
        "referenced resources.", {
            "schedulerObservedGeneration": _typ("int64", (
                "SchedulerObservedGeneration is the generation(.metadata.generation) observed "
                "by the scheduler. If SchedulerObservedGeneration is less than the generation in "
                "metadata means the scheduler hasn't confirmed the scheduling result or hasn't "
                "done the schedule yet.")),
            "schedulerObservingAffinityName": _typ("string", (
                "SchedulerObservedAffinityName is the name of affinity term that is the basis "
                "of current scheduling.")),
            "lastScheduledTime": _typ("ref:" + META + "Time", (
                "LastScheduledTime representing the latest timestamp when scheduler "
                "successfully finished a scheduling. It is represented in RFC3339 form (like "
                "'2006-01-02T15:04:05Z') and is in UTC.")),
            "conditions": _typ("[]" + CONDITION, "Conditions contain the different condition "
                                                 "statuses."),
            "aggregatedStatus": _typ("[]" + K(KWORK, "AggregatedStatusItem"), (
                "AggregatedStatus represents status list of the resource running in each member "
                "cluster.")),
        }),
    KWORK + "AggregatedStatusItem": _obj(
        "AggregatedStatusItem represents status of the resource running in a member cluster.", {
            "clusterName": _typ("string", "ClusterName represents the member cluster name which "
                                          "the resource deployed on."),
            "status": _typ("json", "Status reflects running status of current manifest."),
            "applied": _typ("bool", (
                "Applied represents if the resource referencing by ResourceBinding or "
                "ClusterResourceBinding is successfully applied on the cluster.")),
            "appliedMessage": _typ("string", (
                "AppliedMessage is a human readable message indicating details about the "
                "applied status. This is usually holds the error message in case of apply "
                "failed.")),
            "health": _typ("string", (
                "Health represents the healthy state of the current resource. There maybe "
                "different rules for different resources to achieve health status."),
                enum=["Healthy", "Unhealthy", "Unknown"]),
        }, ["clusterName"]),
    # ---- autoscaling.karmada.io/v1alpha1
    KAS + "FederatedHPASpec": _obj(
        "FederatedHPASpec describes the desired functionality of the FederatedHPA.", {
            "scaleTargetRef": _typ("ref:" + AS2 + "CrossVersionObjectReference", (
                "ScaleTargetRef points to the target resource to scale, and is used to the pods "
                "for which metrics should be collected, as well as to actually change the "
                "replica count.")),
            "minReplicas": _typ("int32", (
                "MinReplicas is the lower limit for the number of replicas to which the "
                "autoscaler can scale down. It defaults to 1 pod.")),
            "maxReplicas": _typ("int32", (
                "MaxReplicas is the upper limit for the number of replicas to which the "
                "autoscaler can scale up. It cannot be less that minReplicas.")),
            "metrics": _typ("[]ref:" + AS2 + "MetricSpec", (
                "Metrics contains the specifications for which to use to calculate the desired "
                "replica count (the maximum replica count across all metrics will be used). If "
                "not set, the default metric will be set to 80% average CPU utilization.")),
            "behavior": _typ("ref:" + AS2 + "HorizontalPodAutoscalerBehavior", (
                "Behavior configures the scaling behavior of the target in both Up and Down "
                "directions (scaleUp and scaleDown fields respectively). If not set, the "
                "default HPAScalingRules for scale up and scale down are used.")),
        }, ["scaleTargetRef", "maxReplicas"]),
    KAS + "CronFederatedHPASpec": _obj(
        "CronFederatedHPASpec is the specification of the CronFederatedHPA.", {
            "scaleTargetRef": _typ("ref:" + AS2 + "CrossVersionObjectReference", (
                "ScaleTargetRef points to the target resource to scale. Target resource could "
                "be any resource that implementing the scale subresource like Deployment, or "
                "FederatedHPA.")),
            "rules": _typ("[]" + K(KAS, "CronFederatedHPARule"), (
                "Rules contains a collection of schedules that declares when and how the "
                "referencing target resource should be scaled.")),
        }, ["scaleTargetRef", "rules"]),
    KAS + "CronFederatedHPARule": _obj(
        "CronFederatedHPARule declares a schedule as well as scale actions.", {
            "name": _typ("string", (
                "Name of the rule. Each rule in a CronFederatedHPA must have a unique name. "
                "Note: the name will be used as an identifier to record its execution history. "
                "Changing the name will be considered as deleting the old rule and adding a new "
                "rule, that means the original execution history will be discarded.")),
            "schedule": _typ("string", (
                "Schedule is the cron expression that represents a periodical time. The syntax "
                "follows https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/"
                "#schedule-syntax.")),
            "targetReplicas": _typ("int32", (
                "TargetReplicas is the target replicas to be scaled for resources referencing "
                "by ScaleTargetRef of this CronFederatedHPA. Only needed when referencing "
                "resource is not FederatedHPA.")),
            "targetMinReplicas": _typ("int32", (
                "TargetMinReplicas is the target MinReplicas to be set for FederatedHPA. Only "
                "needed when referencing resource is FederatedHPA. nil means the "
                "MinReplicas(.spec.minReplicas) of the referencing FederatedHPA will not be "
                "updated.")),
            "targetMaxReplicas": _typ("int32", (
                "TargetMaxReplicas is the target MaxReplicas to be set for FederatedHPA. Only "
                "needed when referencing resource is FederatedHPA. nil means the "
                "MaxReplicas(.spec.maxReplicas) of the referencing FederatedHPA will not be "
                "updated.")),
            "suspend": _typ("bool", "Suspend tells the controller to suspend subsequent "
                                    "executions. Defaults to false."),
            "timeZone": _typ("string", (
                "TimeZone for the giving schedule. If not specified, this will default to the "
                "time zone of the karmada-controller-manager process. Invalid TimeZone will be "
                "rejected when applying by karmada-webhook.")),
            "successfulHistoryLimit": _typ("int32", (
                "SuccessfulHistoryLimit represents the count of successful execution items for "
                "each rule. The value must be a positive integer. It defaults to 3.")),
            "failedHistoryLimit": _typ("int32", (
                "FailedHistoryLimit represents the count of failed execution items for each "
                "rule. The value must be a positive integer. It defaults to 3.")),
        }, ["name", "schedule"]),
    KAS + "CronFederatedHPAStatus": _obj(
        "CronFederatedHPAStatus represents the current status of a CronFederatedHPA.", {
            "executionHistories": _typ("[]" + K(KAS, "ExecutionHistory"), (
                "ExecutionHistories record the execution histories of CronFederatedHPARule.")),
        }),
    KAS + "ExecutionHistory": _obj(
        "ExecutionHistory records the execution history of specific CronFederatedHPARule.", {
            "ruleName": _typ("string", "RuleName is the name of the CronFederatedHPARule."),
            "nextExecutionTime": _typ("ref:" + META + "Time", (
                "NextExecutionTime is the next time to execute. Nil means the rule has been "
                "suspended.")),
            "successfulExecutions": _typ("[]" + K(KAS, "SuccessfulExecution"),
                                         "SuccessfulExecutions records successful executions."),
            "failedExecutions": _typ("[]" + K(KAS, "FailedExecution"),
                                     "FailedExecutions records failed executions."),
        }, ["ruleName"]),
    KAS + "SuccessfulExecution": _obj("SuccessfulExecution records a successful execution.", {
        "scheduleTime": _typ("ref:" + META + "Time", (
            "ScheduleTime is the expected execution time declared in CronFederatedHPARule.")),
        "executionTime": _typ("ref:" + META + "Time", (
            "ExecutionTime is the actual execution time of CronFederatedHPARule. Tasks may not "
            "always be executed at ScheduleTime. ExecutionTime is used to evaluate the "
            "efficiency of the controller's execution.")),
        "appliedReplicas": _typ("int32", (
            "AppliedReplicas is the replicas have been applied. It is required if "
            ".spec.rules[*].targetReplicas is not empty.")),
        "appliedMaxReplicas": _typ("int32", (
            "AppliedMaxReplicas is the MaxReplicas have been applied. It is required if "
            ".spec.rules[*].targetMaxReplicas is not empty.")),
        "appliedMinReplicas": _typ("int32", (
            "AppliedMinReplicas is the MinReplicas have been applied. It is required if "
            ".spec.rules[*].targetMinReplicas is not empty.")),
    }, ["scheduleTime", "executionTime"]),
    KAS + "FailedExecution": _obj("FailedExecution records a failed execution.", {
        "scheduleTime": _typ("ref:" + META + "Time", (
            "ScheduleTime is the expected execution time declared in CronFederatedHPARule.")),
        "executionTime": _typ("ref:" + META + "Time", (
            "ExecutionTime is the actual execution time of CronFederatedHPARule.")),
        "message": _typ("string", "Message is the human-readable message indicating details "
                                  "about the failure."),
    }, ["scheduleTime", "executionTime", "message"]),
}

# Karmada top-level kinds: kind -> (package, description, spec type, status type,
# spec required).
KARMADA_KINDS = {
    "Cluster": (KCLUSTER, "Cluster represents the desire state and status of a member cluster.",
                ("ClusterSpec", "Spec represents the specification of the desired behavior of "
                                "member cluster."),
                ("ClusterStatus", "Status represents the status of member cluster."), True),
    "PropagationPolicy": (
        KPOLICY, ("PropagationPolicy represents the policy that propagates a group of resources "
                  "to one or more clusters."),
        ("PropagationSpec", "Spec represents the desired behavior of PropagationPolicy."),
        None, True),
    "ClusterPropagationPolicy": (
        KPOLICY, ("ClusterPropagationPolicy represents the cluster-wide policy that propagates a "
                  "group of resources to one or more clusters. Different with PropagationPolicy "
                  "that could only propagate resources in its own namespace, "
                  "ClusterPropagationPolicy is able to propagate cluster level resources and "
                  "resources in any namespace other than system reserved ones. System reserved "
                  "namespaces are: karmada-system, karmada-cluster, karmada-es-*."),
        ("PropagationSpec", "Spec represents the desired behavior of "
                            "ClusterPropagationPolicy."),
        None, True),
    "OverridePolicy": (
        KPOLICY, ("OverridePolicy represents the policy that overrides a group of resources to "
                  "one or more clusters."),
        ("OverrideSpec", "Spec represents the desired behavior of OverridePolicy."), None, True),
    "ClusterOverridePolicy": (
        KPOLICY, ("ClusterOverridePolicy represents the cluster-wide policy that overrides a "
                  "group of resources to one or more clusters."),
        ("OverrideSpec", "Spec represents the desired behavior of ClusterOverridePolicy."),
        None, True),
    "ResourceBinding": (
        KWORK, ("ResourceBinding represents a binding of a kubernetes resource with a "
                "propagation policy."),
        ("ResourceBindingSpec", "Spec represents the desired behavior."),
        ("ResourceBindingStatus", "Status represents the most recently observed status of the "
                                  "ResourceBinding."), True),
    "ClusterResourceBinding": (
        KWORK, ("ClusterResourceBinding represents a binding of a kubernetes resource with a "
                "ClusterPropagationPolicy."),
        ("ResourceBindingSpec", "Spec represents the desired behavior."),
        ("ResourceBindingStatus", "Status represents the most recently observed status of the "
                                  "ResourceBinding."), True),
    "FederatedHPA": (
        KAS, ("FederatedHPA is centralized HPA that can aggregate the metrics in multiple "
              "clusters. When the system load increases, it will query the metrics from "
              "multiple clusters and scales up the replicas. When the system load decreases, it "
              "will query the metrics from multiple clusters and scales down the replicas. After "
              "the replicas are scaled up/down, karmada-scheduler will schedule the replicas "
              "based on the policy."),
        ("FederatedHPASpec", "Spec is the specification of the FederatedHPA."),
        ("ref:" + AS2 + "HorizontalPodAutoscalerStatus", "Status is the current status of the "
                                                         "FederatedHPA."), True),
    "CronFederatedHPA": (
        KAS, ("CronFederatedHPA represents a collection of repeating schedule to scale replica "
              "number of a specific workload. It can scale any resource implementing the scale "
              "subresource as well as FederatedHPA."),
        ("CronFederatedHPASpec", "Spec is the specification of the CronFederatedHPA."),
        ("CronFederatedHPAStatus", "Status is the current status of the CronFederatedHPA."),
        True),
}

# --------------------------------------------------------------------------
# Building schemas.
# --------------------------------------------------------------------------
SCHEMAS = {}  # name -> schema


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def with_desc(s, desc, ext=None):
    """A property schema: a $ref gets wrapped in allOf (OpenAPI 3.0 forbids
    siblings of $ref), as kube-apiserver does."""
    s = dict(s)
    extra = {}
    if desc:
        extra["description"] = desc
    if ext:
        extra.update(ext)
    if "$ref" in s and extra:
        s = {"allOf": [s]}
    s.update(extra)
    return s


def spec_schema(t, field=None):
    """Schema for a compact type spec (see _typ)."""
    if t.startswith("[]"):
        return {"type": "array", "items": spec_schema(t[2:], field)}
    if t.startswith("map:"):
        return {"type": "object", "additionalProperties": spec_schema(t[4:], field)}
    if t.startswith("ref:"):
        name = t[4:]
        ensure(name)
        return ref(name)
    if t == "string":
        return {"type": "string"}
    if t == "bool":
        return {"type": "boolean"}
    if t in ("int32", "int64"):
        return {"type": "integer", "format": t}
    if t == "quantity":
        ensure(QUANTITY)
        return ref(QUANTITY)
    if t == "intstr":
        ensure(INTSTR)
        return ref(INTSTR)
    if t == "json":
        return {"x-kubernetes-preserve-unknown-fields": True}
    if t == "object":  # an object whose fields we do not describe
        return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    raise ValueError("bad type spec " + t)


def field_schema(spec, owner=None, field=None):
    t, desc, ext = spec
    ext = dict(ext)
    enum = ext.pop("enum", None)
    s = spec_schema(t, field)
    if enum:
        s = dict(s, enum=enum)
    merged = dict(EXTENSIONS.get((owner, field), {}))
    merged.update(ext)
    return with_desc(s, desc, merged)


def build_obj(name, spec):
    _, desc, props, required, ext = spec
    s = {"type": "object"}
    if desc:
        s["description"] = desc
    s["properties"] = {}
    SCHEMAS[name] = s
    for f in sorted(props):
        s["properties"][f] = field_schema(props[f], name, f)
    if required:
        s["required"] = list(required)
    s.update(ext)
    return s


def pydesc(cls, attr):
    d = getattr(cls, attr).__doc__ or ""
    body = []
    for line in d.split("\n")[1:]:
        line = line.strip()
        if line.startswith(":return:"):
            break
        body.append(line.replace("# noqa: E501", "").strip())
    return " ".join(x for x in body if x).strip()


def pyrequired(cls, attr):
    try:
        src = inspect.getsource(getattr(cls, attr).fset)
    except (TypeError, OSError):
        return False
    return re.search(r"and %s is None:" % re.escape(attr), src) is not None


PY_BY_NAME = {}


def py_type_schema(t, owner, field):
    o = TYPE_OVERRIDES.get((owner, field))
    if o is not None:
        o = json.loads(json.dumps(o))
        for r in _refs(o):
            ensure(r)
        return _localize(o)
    m = re.match(r"list\[(.*)\]$", t)
    if m:
        return {"type": "array", "items": py_type_schema(m.group(1), None, field)}
    m = re.match(r"dict\(str, (.*)\)$", t)
    if m:
        return {"type": "object", "additionalProperties": py_type_schema(m.group(1), None, field)}
    if t == "str":
        return {"type": "string"}
    if t == "bool":
        return {"type": "boolean"}
    if t == "int":
        return {"type": "integer", "format": "int64" if field in INT64_FIELDS else "int32"}
    if t == "float":
        return {"type": "number", "format": "double"}
    if t == "datetime":
        ensure(META + "Time")
        return ref(META + "Time")
    if t == "date":
        return {"type": "string", "format": "date"}
    if t == "object":
        return {}
    if hasattr(kc, t):
        name = upstream_name(t)
        ensure(name)
        return ref(name)
    raise ValueError("unknown python type %s (%s.%s)" % (t, owner, field))


def _refs(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(o, list):
        for v in o:
            yield from _refs(v)


def _localize(o):
    """Turn bare definition names in $ref into component references."""
    if isinstance(o, dict):
        return {k: ("#/components/schemas/" + v if k == "$ref" and not v.startswith("#")
                    else _localize(v)) for k, v in o.items()}
    if isinstance(o, list):
        return [_localize(v) for v in o]
    return o


def build_py(name, clsname):
    cls = getattr(kc, clsname)
    s = {"type": "object"}
    if name in TYPE_DESC:
        s["description"] = TYPE_DESC[name]
    s["properties"] = {}
    SCHEMAS[name] = s
    props = {}
    required = []
    for attr, t in cls.openapi_types.items():
        f = cls.attribute_map[attr]
        if (name, f) in REMOVED_FIELDS:
            continue
        p = py_type_schema(t, name, f)
        d = pydesc(cls, attr)
        if not d:
            d = REF_FIELD_DESC_BY_OWNER.get((name, f))
        if not d:
            if f == "items" and name.endswith("List"):
                d = "Items is the list of %s." % short(name)[:-4]
            elif f == "metadata" and name.endswith("List"):
                d = MORE_INFO_LISTMETA
            elif "$ref" in p or p.get("items", {}).get("$ref"):
                d = REF_FIELD_DESC.get(f)
        props[f] = with_desc(p, d, EXTENSIONS.get((name, f)))
        if pyrequired(cls, attr):
            required.append(f)
    for f, spec in ADDED_FIELDS.get(name, {}).items():
        props[f] = field_schema(spec, name, f)
    for f in sorted(props):
        s["properties"][f] = props[f]
    if required:
        s["required"] = sorted(required)
    return s


def py_class_for(name):
    if not PY_BY_NAME:
        for n in dir(kc):
            if (re.match(r"(V1|V2beta2|CoreV1|DiscoveryV1|ApiextensionsV1)[A-Z]", n)
                    and hasattr(getattr(kc, n), "openapi_types")):
                PY_BY_NAME.setdefault(upstream_name(n), n)
    return PY_BY_NAME.get(name)


def ensure(name):
    if name in SCHEMAS:
        return
    if name in SCALARS:
        SCHEMAS[name] = dict(SCALARS[name])
    elif name in NEW_SCHEMAS:
        build_obj(name, NEW_SCHEMAS[name])
    elif name in KARMADA:
        build_obj(name, KARMADA[name])
    else:
        cls = py_class_for(name)
        if cls is None:
            raise KeyError("no source for schema " + name)
        build_py(name, cls)


def top_kind(group, version, kind, clsname):
    """Ensure the schema of a top-level kind and its list; tag them with GVK."""
    pkg = GROUP_PKG[(group, version)]
    gvk = {"group": group, "kind": kind, "version": version}
    name = pkg + kind
    if clsname:
        ensure(name)
        s = SCHEMAS[name]
        for f, d in (("apiVersion", APIVERSION_DESC), ("kind", KIND_DESC)):
            if f in s["properties"]:
                s["properties"][f]["description"] = d
    else:
        _, desc, spec, status, spec_req = KARMADA_KINDS[kind]
        props = {
            "apiVersion": _typ("string", APIVERSION_DESC),
            "kind": _typ("string", KIND_DESC),
            "metadata": _typ("ref:" + META + "ObjectMeta", MORE_INFO_META),
            "spec": _typ(spec[0] if spec[0].startswith("ref:") else "ref:" + pkg + spec[0],
                         spec[1]),
        }
        if status:
            props["status"] = _typ(status[0] if status[0].startswith("ref:")
                                   else "ref:" + pkg + status[0], status[1])
        build_obj(name, _obj(desc, props, ["spec"] if spec_req else []))
    SCHEMAS[name]["x-kubernetes-group-version-kind"] = [gvk]
    if kind == "Scale":  # a subresource kind: no list
        return name, None
    lname = name + "List"
    if clsname:
        ensure(lname)
        s = SCHEMAS[lname]
        for f, d in (("apiVersion", APIVERSION_DESC), ("kind", KIND_DESC)):
            if f in s["properties"]:
                s["properties"][f]["description"] = d
    else:
        build_obj(lname, _obj("%sList is a list of %s." % (kind, kind), {
            "apiVersion": _typ("string", APIVERSION_DESC),
            "kind": _typ("string", KIND_DESC),
            "metadata": _typ("ref:" + META + "ListMeta", MORE_INFO_LISTMETA),
            "items": _typ("[]ref:" + name, "Items is the list of %s." % kind),
        }, ["items"]))
    SCHEMAS[lname]["description"] = SCHEMAS[lname].get(
        "description", "%sList is a list of %s." % (kind, kind))
    SCHEMAS[lname]["x-kubernetes-group-version-kind"] = [dict(gvk, kind=kind + "List")]
    return name, lname


# --------------------------------------------------------------------------
# Paths.
# --------------------------------------------------------------------------
def qparam(name, desc, typ="string"):
    return {"name": name, "in": "query", "description": desc, "schema": {"type": typ,
                                                                          "uniqueItems": True}}


P_DRYRUN = qparam("dryRun", "When present, indicates that modifications should not be "
                            "persisted. Valid value: All.")
P_FM = qparam("fieldManager", "fieldManager is a name associated with the actor or entity that "
                              "is making these changes.")
P_FV = qparam("fieldValidation", "fieldValidation instructs the server on how to handle objects "
                                 "in the request (POST/PUT/PATCH) containing unknown or "
                                 "duplicate fields. Valid values are: Ignore, Warn, Strict.")
P_FORCE = qparam("force", "Force is going to \"force\" Apply requests. It means user will "
                          "re-acquire conflicting fields owned by other people.", "boolean")
P_NAME = {"name": "name", "in": "path", "required": True, "description": "name of the object",
          "schema": {"type": "string", "uniqueItems": True}}
P_NS = {"name": "namespace", "in": "path", "required": True,
        "description": "object name and auth scope, such as for teams and projects",
        "schema": {"type": "string", "uniqueItems": True}}
PATCH_TYPES = ["application/apply-patch+yaml", "application/json-patch+json",
               "application/merge-patch+json", "application/strategic-merge-patch+json"]


def op(action, verb_id, gvk, resp, body=None, params=None, patch=False):
    o = {"operationId": verb_id, "x-kubernetes-action": action,
         "x-kubernetes-group-version-kind": gvk}
    if params:
        o["parameters"] = params
    if patch:
        ensure(META + "Patch")
        # Karmada's kinds are custom resources upstream: no strategic merge
        # patch for them, so kubectl apply sends a JSON merge patch, as it
        # does against Karmada.
        types = [t for t in PATCH_TYPES
                 if "karmada.io" not in gvk["group"] or "strategic" not in t]
        o["requestBody"] = {"required": True, "content": {
            t: {"schema": ref(META + "Patch")} for t in types}}
    elif body:
        o["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": ref(body)}}}
    o["responses"] = {"200": {"description": "OK", "content": {
        "application/json": {"schema": ref(resp)}}}}
    return o


def gv_camel(group, version):
    g = group.split(".")[0] if group else "core"
    return g[:1].upper() + g[1:] + version[:1].upper() + version[1:]


def paths_for(group, version, kind, plural, namespaced, subres, name, lname):
    gvk = {"group": group, "kind": kind, "version": version}
    prefix = "/api/" + version if not group else "/apis/%s/%s" % (group, version)
    status = META + "Status"
    ensure(status)
    ensure(META + "DeleteOptions")
    c = gv_camel(group, version)
    scope = "Namespaced" if namespaced else ""
    coll = prefix + ("/namespaces/{namespace}/" if namespaced else "/") + plural
    write = [P_DRYRUN, P_FM, P_FV]
    paths = {}
    top = {
        "get": op("list", "list%s%s%s" % (c, scope, kind), gvk, lname),
        "post": op("post", "create%s%s%s" % (c, scope, kind), gvk, name, name, write),
        "delete": op("deletecollection", "deleteCollection%s%s%s" % (c, scope, kind), gvk,
                     status, META + "DeleteOptions", [P_DRYRUN]),
    }
    if namespaced:
        top["parameters"] = [P_NS]
    paths[coll] = top
    item = {
        "get": op("get", "read%s%s%s" % (c, scope, kind), gvk, name),
        "put": op("put", "replace%s%s%s" % (c, scope, kind), gvk, name, name, write),
        "patch": op("patch", "patch%s%s%s" % (c, scope, kind), gvk, name, None,
                    write + [P_FORCE], patch=True),
        "delete": op("delete", "delete%s%s%s" % (c, scope, kind), gvk, status,
                     META + "DeleteOptions", [P_DRYRUN]),
        "parameters": [P_NAME] + ([P_NS] if namespaced else []),
    }
    paths[coll + "/{name}"] = item
    if namespaced:
        paths[prefix + "/" + plural] = {
            "get": op("list", "list%s%sForAllNamespaces" % (c, kind), gvk, lname)}
    for sub in subres:
        if sub == "status":
            sname, sgvk = name, gvk
        elif sub == "scale":
            sname = AS1 + "Scale"
            ensure(sname)
            sgvk = {"group": "autoscaling", "kind": "Scale", "version": "v1"}
        sub_c = sub[:1].upper() + sub[1:]
        paths[coll + "/{name}/" + sub] = {
            "get": op("get", "read%s%s%s%s" % (c, scope, kind, sub_c), sgvk, sname),
            "put": op("put", "replace%s%s%s%s" % (c, scope, kind, sub_c), sgvk, sname, sname,
                      write),
            "patch": op("patch", "patch%s%s%s%s" % (c, scope, kind, sub_c), sgvk, sname, None,
                        write + [P_FORCE], patch=True),
            "parameters": [P_NAME] + ([P_NS] if namespaced else []),
        }
    return paths


def closure(roots):
    out = set()
    todo = list(roots)
    while todo:
        n = todo.pop()
        if n in out:
            continue
        out.add(n)
        for r in _refs(SCHEMAS[n]):
            todo.append(r.rsplit("/", 1)[1])
    return out


def build_docs():
    gvs = []
    for g, v, *_ in SERVED:
        if (g, v) not in gvs:
            gvs.append((g, v))
    for gv in EXTRA_KINDS:
        if gv not in gvs:
            gvs.append(gv)
    docs = []
    for g, v in gvs:
        paths = {}
        roots = [META + "Status", META + "DeleteOptions"]
        for (sg, sv, kind, plural, namespaced, subres, cls) in SERVED:
            if (sg, sv) != (g, v):
                continue
            name, lname = top_kind(g, v, kind, cls)
            roots += [name, lname]
            paths.update(paths_for(g, v, kind, plural, namespaced, subres, name, lname))
        for kind, cls in EXTRA_KINDS.get((g, v), []):
            name, lname = top_kind(g, v, kind, cls)
            roots.append(name)
        for p in paths.values():
            for r in _refs(p):
                roots.append(r.rsplit("/", 1)[1])
        names = closure(roots)
        doc = {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "v1.32.0"},
            "paths": paths,
            "components": {"schemas": {n: SCHEMAS[n] for n in sorted(names)}},
        }
        key = "api/" + v if not g else "apis/%s/%s" % (g, v)
        docs.append((key, doc))
    return docs


def check(docs):
    """Cheap self-checks: every $ref resolves inside its document."""
    for key, doc in docs:
        schemas = doc["components"]["schemas"]
        for r in _refs(doc):
            n = r.rsplit("/", 1)[1]
            if n not in schemas:
                raise SystemExit("%s: dangling $ref %s" % (key, r))


def c_literal(s, width=96):
    """Split s into C string literal lines shorter than 100 characters."""
    out = []
    cur = ""
    for ch in s:
        if ch == "\\":
            e = "\\\\"
        elif ch == '"':
            e = '\\"'
        elif ch == "\n":
            e = "\\n"
        elif ch == "?":
            e = "\\?"  # no trigraphs
        elif ord(ch) < 0x20:
            e = "\\%03o" % ord(ch)
        else:
            e = ch
        if len(cur) + len(e) > width - 4:
            out.append('    "' + cur + '"')
            cur = ""
        cur += e
    if cur or not out:
        out.append('    "' + cur + '"')
    return "\n".join(out)


def write_c(docs, path):
    lines = [
        "/*",
        " * generated by scripts/gen-openapi.py, do not edit.",
        " *",
        " * The OpenAPI v3 documents served at /openapi/v3/<gv>, one per group-version:",
        " * {path, minified JSON}, terminated by {NULL, NULL}. See api/openapi.c.",
        " */",
        "/* clang-format off */",
        "#include <stddef.h>",
        "",
        "extern const char *const fl_openapi_docs[][2];",
        "",
        "const char *const fl_openapi_docs[][2] = {",
    ]
    for key, doc in docs:
        js = json.dumps(doc, separators=(",", ":"))
        lines.append('    {"%s",' % key)
        lines.append(c_literal(js) + "},")
    lines.append("    {NULL, NULL},")
    lines.append("};")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "src", "api", "openapi_data.c"))
    ap.add_argument("--json-dir", help="also write each document as pretty JSON here")
    a = ap.parse_args()
    docs = build_docs()
    check(docs)
    write_c(docs, a.out)
    if a.json_dir:
        os.makedirs(a.json_dir, exist_ok=True)
        for key, doc in docs:
            with open(os.path.join(a.json_dir, key.replace("/", "__") + ".json"), "w") as f:
                json.dump(doc, f, indent=1, sort_keys=True)
    total = sum(len(json.dumps(d, separators=(",", ":"))) for _, d in docs)
    print("%d documents, %d schemas, %d bytes of JSON -> %s"
          % (len(docs), len(SCHEMAS), total, os.path.relpath(a.out)), file=sys.stderr)


if __name__ == "__main__":
    main()
