/*
 * Table printers: see printers.h. The column tables and the cell logic follow
 * k8s.io/kubernetes pkg/printers/internalversion/printers.go (1.32) column by
 * column; descriptions are the upstream strings (the swagger docs of the fields
 * named in upstream's tables). Invariants: every printer emits exactly as many
 * cells as its table has columns, always including the wide (priority 1) ones,
 * because the server generates wide rows and the client hides columns; objects
 * are only read, never modified; nothing here allocates outside the returned
 * JSON.
 *
 * Reading objects: fields are looked up by dotted path ("status.podIP"); a
 * missing field, or one of the wrong JSON type, reads as the Go zero value
 * (0, "", false), which is what upstream prints for it. Where upstream reads a
 * field that API defaulting always fills (Deployment spec.replicas, Service
 * type, port protocol, Secret type, Namespace phase), the default is used when
 * the stored object lacks it, so a row shows what kube-apiserver would show.
 */
#include "api/printers.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/obj.h"

/* ------------------------------------------------------------------------- */
/* Column tables                                                             */
/* ------------------------------------------------------------------------- */

#define D_NAME                                                                                     \
    "Name must be unique within a namespace. Is required when creating resources, although some "  \
    "resources may allow a client to request the generation of an appropriate name "               \
    "automatically. Name is primarily intended for creation idempotence and configuration "        \
    "definition. Cannot be updated. More info: "                                                   \
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
#define D_AGE                                                                                      \
    "CreationTimestamp is a timestamp representing the server time when this object was "          \
    "created. It is not guaranteed to be set in happens-before order across separate operations. " \
    "Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\n"         \
    "Populated by the system. Read-only. Null for lists. More info: "                              \
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"                            \
    "api-conventions.md#metadata"
#define D_CONTAINERS "Names of each container in the template."
#define D_IMAGES "Images referenced by each container in the template."

#define COL_NAME                                                                                   \
    {                                                                                              \
        "Name", "string", "name", D_NAME, 0                                                        \
    }
#define COL_AGE                                                                                    \
    {                                                                                              \
        "Age", "string", "", D_AGE, 0                                                              \
    }
#define COL(n, t, d)                                                                               \
    {                                                                                              \
        n, t, "", d, 0                                                                             \
    }
#define WIDE(n, t, d)                                                                              \
    {                                                                                              \
        n, t, "", d, 1                                                                             \
    }

static const struct fl_column default_cols[] = {
    COL_NAME,
    {"Age", "date", "", D_AGE, 0},
};

static const struct fl_column crd_cols[] = {
    COL_NAME,
    {"Created At", "date", "", D_AGE, 0},
};

static const struct fl_column namespace_cols[] = {
    COL_NAME,
    COL("Status", "string", "The status of the namespace"),
    COL_AGE,
};

static const struct fl_column configmap_cols[] = {
    COL_NAME,
    COL("Data", "string",
        "Data contains the configuration data. Each key must consist of alphanumeric characters, "
        "'-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The "
        "keys stored in Data must not overlap with the keys in the BinaryData field, this is "
        "enforced during validation process."),
    COL_AGE,
};

static const struct fl_column secret_cols[] = {
    COL_NAME,
    COL("Type", "string",
        "Used to facilitate programmatic handling of secret data. More info: "
        "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
    COL("Data", "string",
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', "
        "'_' or '.'. The serialized form of the secret data is a base64 encoded string, "
        "representing the arbitrary (possibly non-string) data value here. Described in "
        "https://tools.ietf.org/html/rfc4648#section-4"),
    COL_AGE,
};

static const struct fl_column service_cols[] = {
    COL_NAME,
    COL("Type", "string",
        "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
        "ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a "
        "cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by "
        "the selector or if that is not specified, by manual construction of an Endpoints object "
        "or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the "
        "endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" "
        "builds on ClusterIP and allocates a port on every node which routes to the same "
        "endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external "
        "load-balancer (if supported in the current cloud) which routes to the same endpoints as "
        "the clusterIP. \"ExternalName\" aliases this service to the specified externalName. "
        "Several other fields do not apply to ExternalName services. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/"
        "#publishing-services-service-types"),
    COL("Cluster-IP", "string",
        "clusterIP is the IP address of the service and is usually assigned randomly. If an "
        "address is specified manually, is in-range (as per system configuration), and is not in "
        "use, it will be allocated to the service; otherwise creation of the service will fail. "
        "This field may not be changed through updates unless the type field is also being "
        "changed to ExternalName (which requires this field to be blank) or the type field is "
        "being changed from ExternalName (in which case this field may optionally be specified, "
        "as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP "
        "address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is "
        "useful when direct endpoint connections are preferred and proxying is not required.  "
        "Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified "
        "when creating a Service of type ExternalName, creation will fail. This field will be "
        "wiped when updating a Service to type ExternalName. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/"
        "#virtual-ips-and-service-proxies"),
    COL("External-IP", "string",
        "externalIPs is a list of IP addresses for which nodes in the cluster will also accept "
        "traffic for this service.  These IPs are not managed by Kubernetes.  The user is "
        "responsible for ensuring that traffic arrives at a node with this IP.  A common example "
        "is external load-balancers that are not part of the Kubernetes system."),
    COL("Port(s)", "string",
        "The list of ports that are exposed by this service. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/"
        "#virtual-ips-and-service-proxies"),
    COL_AGE,
    WIDE("Selector", "string",
         "Route service traffic to pods with label keys and values matching this selector. If "
         "empty or not present, the service is assumed to have an external process managing its "
         "endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, "
         "and LoadBalancer. Ignored if type is ExternalName. More info: "
         "https://kubernetes.io/docs/concepts/services-networking/service/"),
};

static const struct fl_column serviceaccount_cols[] = {
    COL_NAME,
    COL("Secrets", "string",
        "Secrets is a list of the secrets in the same namespace that pods running using this "
        "ServiceAccount are allowed to use. Pods are only limited to this list if this service "
        "account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". "
        "The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. "
        "Prefer separate namespaces to isolate access to mounted secrets. This field should not "
        "be used to find auto-generated service account token secrets for use outside of pods. "
        "Instead, tokens can be requested directly using the TokenRequest API, or service account "
        "token secrets can be manually created. More info: "
        "https://kubernetes.io/docs/concepts/configuration/secret"),
    COL_AGE,
};

static const struct fl_column event_cols[] = {
    COL("Last Seen", "string",
        "The time at which the most recent occurrence of this event was recorded."),
    COL("Type", "string",
        "Type of this event (Normal, Warning), new types could be added in the "
        "future"),
    COL("Reason", "string",
        "This should be a short, machine understandable string that gives the reason for the "
        "transition into the object's current status."),
    COL("Object", "string", "The object that this event is about."),
    WIDE("Subobject", "string",
         "If referring to a piece of an object instead of an entire object, this string should "
         "contain a valid JSON/Go field access statement, such as "
         "desiredState.manifest.containers[2]. For example, if the object reference is to a "
         "container within a pod, this would take on a value like: \"spec.containers{name}\" "
         "(where \"name\" refers to the name of the container that triggered the event) or if no "
         "container name is specified \"spec.containers[2]\" (container with index 2 in this "
         "pod). This syntax is chosen only to have some well-defined way of referencing a part of "
         "an object."),
    WIDE("Source", "string",
         "The component reporting this event. Should be a short machine understandable string."),
    COL("Message", "string", "A human-readable description of the status of this operation."),
    WIDE("First Seen", "string",
         "The time at which the event was first recorded. (Time of server receipt is in "
         "TypeMeta.)"),
    WIDE("Count", "string", "The number of times this event has occurred."),
    {"Name", "string", "name", D_NAME, 1},
};

static const struct fl_column pod_cols[] = {
    COL_NAME,
    COL("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    COL("Status", "string", "The aggregate status of the containers in this pod."),
    COL("Restarts", "string",
        "The number of times the containers in this pod have been restarted and when the last "
        "container in this pod has restarted."),
    COL_AGE,
    WIDE("IP", "string",
         "podIP address allocated to the pod. Routable at least within the cluster. Empty if not "
         "yet allocated."),
    WIDE("Node", "string",
         "NodeName indicates in which node this pod is scheduled. If empty, this pod is a "
         "candidate for scheduling by the scheduler defined in schedulerName. Once this field is "
         "set, the kubelet for this node becomes responsible for the lifecycle of this pod. This "
         "field should not be used to express a desire for the pod to be scheduled on a specific "
         "node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/"
         "#nodename"),
    WIDE("Nominated Node", "string",
         "nominatedNodeName is set only when this pod preempts other pods on the node, but it "
         "cannot be scheduled right away as preemption victims receive their graceful termination "
         "periods. This field does not guarantee that the pod will be scheduled on this node. "
         "Scheduler may decide to place the pod elsewhere if other nodes become available sooner. "
         "Scheduler may also decide to give the resources on this node to a higher priority pod "
         "that is created after preemption. As a result, this field may be different than "
         "PodSpec.nodeName when the pod is scheduled."),
    WIDE("Readiness Gates", "string",
         "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready "
         "when all its containers are ready AND all conditions specified in the readiness gates "
         "have status equal to \"True\" More info: "
         "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates"),
};

#define D_NODE_ADDRESSES                                                                           \
    "List of addresses reachable to the node. Queried from cloud provider, if available. More "    \
    "info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is "  \
    "declared as mergeable, but the merge key is not sufficiently unique, which can cause data "   \
    "corruption when it is merged. Callers should instead use a full-replacement patch. See "      \
    "https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change "   \
    "during the lifetime of a Node. However, there are some exceptions where this may not be "     \
    "possible, such as Pods that inherit a Node's address in its own status or consumers of the "  \
    "downward API (status.hostIP)."

static const struct fl_column node_cols[] = {
    COL_NAME,
    COL("Status", "string", "The status of the node"),
    COL("Roles", "string", "The roles of the node"),
    COL_AGE,
    COL("Version", "string", "Kubelet Version reported by the node."),
    WIDE("Internal-IP", "string", D_NODE_ADDRESSES),
    WIDE("External-IP", "string", D_NODE_ADDRESSES),
    WIDE("OS-Image", "string",
         "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
    WIDE("Kernel-Version", "string",
         "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    WIDE("Container-Runtime", "string",
         "ContainerRuntime Version reported by the node through runtime remote API (e.g. "
         "containerd://1.4.2)."),
};

static const struct fl_column pvc_cols[] = {
    COL_NAME,
    COL("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
    COL("Volume", "string",
        "volumeName is the binding reference to the PersistentVolume backing this claim."),
    COL("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
    COL("Access Modes", "string",
        "accessModes contains the actual access modes the volume backing the PVC has. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"),
    COL("StorageClass", "string", "StorageClass of the pvc"),
    COL("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
    COL_AGE,
    WIDE("VolumeMode", "string",
         "volumeMode defines what type of volume is required by the claim. Value of Filesystem is "
         "implied when not included in claim spec."),
};

static const struct fl_column endpoints_cols[] = {
    COL_NAME,
    COL("Endpoints", "string",
        "The set of all endpoints is the union of all subsets. Addresses are placed into subsets "
        "according to the IPs they share. A single address with multiple ports, some of which are "
        "ready and some of which are not (because they come from different containers) will "
        "result in the address being displayed in different subsets for the different ports. No "
        "address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of "
        "addresses and ports that comprise a service."),
    COL_AGE,
};

static const struct fl_column deployment_cols[] = {
    COL_NAME,
    COL("Ready", "string", "Number of the pod with ready state"),
    COL("Up-to-date", "string",
        "Total number of non-terminated pods targeted by this deployment that have the desired "
        "template spec."),
    COL("Available", "string",
        "Total number of available pods (ready for at least minReadySeconds) targeted by this "
        "deployment."),
    COL_AGE,
    WIDE("Containers", "string", D_CONTAINERS),
    WIDE("Images", "string", D_IMAGES),
    WIDE("Selector", "string",
         "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be "
         "the ones affected by this deployment."),
};

static const struct fl_column statefulset_cols[] = {
    COL_NAME,
    COL("Ready", "string", "Number of the pod with ready state"),
    COL_AGE,
    WIDE("Containers", "string", D_CONTAINERS),
    WIDE("Images", "string", D_IMAGES),
};

#define D_RC_URL "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/"

static const struct fl_column replicaset_cols[] = {
    COL_NAME,
    COL("Desired", "integer",
        "Replicas is the number of desired replicas. This is a pointer to distinguish between "
        "explicit zero and unspecified. Defaults to 1. More info: " D_RC_URL
        "#what-is-a-replicationcontroller"),
    COL("Current", "integer",
        "Replicas is the most recently observed number of replicas. More info: " D_RC_URL
        "#what-is-a-replicationcontroller"),
    COL("Ready", "integer", "The number of ready replicas for this replica set."),
    COL_AGE,
    WIDE("Containers", "string", D_CONTAINERS),
    WIDE("Images", "string", D_IMAGES),
    WIDE("Selector", "string",
         "Selector is a label query over pods that should match the replica count. If the "
         "selector is empty, it is defaulted to the labels present on the pod template. Label "
         "keys and values that must match in order to be controlled by this replica set. More "
         "info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
         "#label-selectors"),
};

#define D_DS_URL "More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"

static const struct fl_column daemonset_cols[] = {
    COL_NAME,
    COL("Desired", "integer",
        "The total number of nodes that should be running the daemon pod (including nodes "
        "correctly running the daemon pod). " D_DS_URL),
    COL("Current", "integer",
        "The number of nodes that are running at least 1 daemon pod and are supposed to run the "
        "daemon pod. " D_DS_URL),
    COL("Ready", "integer",
        "The number of nodes that should be running the daemon pod and have one or more of the "
        "daemon pod running and ready."),
    COL("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
    COL("Available", "integer",
        "The number of nodes that should be running the daemon pod and have one or more of the "
        "daemon pod running and available (ready for at least spec.minReadySeconds)"),
    COL("Node Selector", "string",
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector "
        "which must match a node's labels for the pod to be scheduled on that node. More info: "
        "https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
    COL_AGE,
    WIDE("Containers", "string", D_CONTAINERS),
    WIDE("Images", "string", D_IMAGES),
    WIDE("Selector", "string",
         "A label query over pods that are managed by the daemon set. Must match in order to be "
         "controlled. If empty, defaulted to labels on Pod template. More info: "
         "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
         "#label-selectors"),
};

static const struct fl_column controllerrevision_cols[] = {
    COL_NAME,
    COL("Controller", "string", "Controller of the object"),
    COL("Revision", "string", "Revision indicates the revision of the state represented by Data."),
    COL_AGE,
};

static const struct fl_column hpa_cols[] = {
    COL_NAME,
    COL("Reference", "string",
        "scaleTargetRef points to the target resource to scale, and is used to the pods for which "
        "metrics should be collected, as well as to actually change the replica count."),
    COL("Targets", "string",
        "metrics contains the specifications for which to use to calculate the desired replica "
        "count (the maximum replica count across all metrics will be used).  The desired replica "
        "count is calculated multiplying the ratio between the target value and the current "
        "value by the current number of pods.  Ergo, metrics used must decrease as the pod count "
        "is increased, and vice-versa.  See the individual metric source types for more "
        "information about how each type of metric must respond."),
    COL("MinPods", "string",
        "minReplicas is the lower limit for the number of replicas to which the autoscaler can "
        "scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature "
        "gate HPAScaleToZero is enabled and at least one Object or External metric is "
        "configured.  Scaling is active as long as at least one metric value is available."),
    COL("MaxPods", "string",
        "maxReplicas is the upper limit for the number of replicas to which the autoscaler can "
        "scale up. It cannot be less that minReplicas."),
    COL("Replicas", "string",
        "currentReplicas is current number of replicas of pods managed by this autoscaler, as "
        "last seen by the autoscaler."),
    COL_AGE,
};

static const struct fl_column pdb_cols[] = {
    COL_NAME,
    COL("Min Available", "string", "The minimum number of pods that must be available."),
    COL("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    COL("Allowed Disruptions", "integer",
        "Calculated number of pods that may be disrupted at this time."),
    COL_AGE,
};

static const struct fl_column endpointslice_cols[] = {
    COL_NAME,
    COL("AddressType", "string",
        "addressType specifies the type of address carried by this EndpointSlice. All addresses "
        "in this slice must be the same type. This field is immutable after creation. The "
        "following address types are currently supported: * IPv4: Represents an IPv4 Address. * "
        "IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name."),
    COL("Ports", "string",
        "ports specifies the list of network ports exposed by each endpoint in this slice. Each "
        "port must have a unique name. When ports is empty, it indicates that there are no "
        "defined ports. When a port is defined with a nil port value, it indicates \"all "
        "ports\". Each slice may include a maximum of 100 ports."),
    COL("Endpoints", "string",
        "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum "
        "of 1000 endpoints."),
    COL_AGE,
};

static const struct fl_column lease_cols[] = {
    COL_NAME,
    COL("Holder", "string",
        "holderIdentity contains the identity of the holder of a current lease. If Coordinated "
        "Leader Election is used, the holder identity must be equal to the elected "
        "LeaseCandidate.metadata.name field."),
    COL_AGE,
};

/* clusters.cluster.karmada.io: karmada pkg/printers/internalversion. */
static const struct fl_column cluster_cols[] = {
    COL_NAME,
    COL("Version", "string", "KubernetesVersion represents version of the member cluster."),
    COL("Mode", "string",
        "SyncMode describes how a cluster sync resources from karmada control plane."),
    COL("Ready", "string",
        "The aggregate readiness state of this cluster for accepting workloads."),
    COL_AGE,
    WIDE("Zones", "string",
         "Zones represents the failure zones(also called availability zones) of the member "
         "cluster. The zones are presented as a slice to support the case that cluster runs "
         "across multiple failure zones."),
    WIDE("Region", "string", "Region represents the region of the member cluster locate in."),
    WIDE("Provider", "string",
         "Provider represents the cloud provider name of the member cluster."),
    WIDE("API-Endpoint", "string", "The API endpoint of the member cluster."),
    WIDE("Proxy-URL", "string", "ProxyURL is the proxy URL for the cluster."),
};

/*
 * Karmada kinds that are CRDs upstream: their columns are the CRDs'
 * additionalPrinterColumns (from the +kubebuilder:printcolumn markers), served
 * as the CRD table convertor serves them. `paths` parallels the columns; the
 * Name column (index 0) has none.
 */
#define D_CRD_COL "Custom resource definition column (in JSONPath format): "
#define CRDCOL(n, t, path)                                                                         \
    {                                                                                              \
        n, t, "", D_CRD_COL path, 0                                                                \
    }

static const struct fl_column pp_cols[] = {
    COL_NAME,
    CRDCOL("CONFLICT-RESOLUTION", "string", ".spec.conflictResolution"),
    CRDCOL("PRIORITY", "string", ".spec.priority"),
    CRDCOL("AGE", "date", ".metadata.creationTimestamp"),
};
static const char *const pp_paths[] = {NULL, ".spec.conflictResolution", ".spec.priority",
                                       ".metadata.creationTimestamp"};

static const struct fl_column binding_cols[] = {
    COL_NAME,
    CRDCOL("Scheduled", "string", ".status.conditions[?(@.type==\"Scheduled\")].status"),
    CRDCOL("FullyApplied", "string", ".status.conditions[?(@.type==\"FullyApplied\")].status"),
    CRDCOL("Age", "date", ".metadata.creationTimestamp"),
};
static const char *const binding_paths[] = {
    NULL, ".status.conditions[?(@.type==\"Scheduled\")].status",
    ".status.conditions[?(@.type==\"FullyApplied\")].status", ".metadata.creationTimestamp"};

static const struct fl_column fhpa_cols[] = {
    COL_NAME,
    CRDCOL("REFERENCE-KIND", "string", ".spec.scaleTargetRef.kind"),
    CRDCOL("REFERENCE-NAME", "string", ".spec.scaleTargetRef.name"),
    CRDCOL("MINPODS", "integer", ".spec.minReplicas"),
    CRDCOL("MAXPODS", "integer", ".spec.maxReplicas"),
    CRDCOL("REPLICAS", "integer", ".status.currentReplicas"),
    CRDCOL("AGE", "date", ".metadata.creationTimestamp"),
};
static const char *const fhpa_paths[] = {NULL,
                                         ".spec.scaleTargetRef.kind",
                                         ".spec.scaleTargetRef.name",
                                         ".spec.minReplicas",
                                         ".spec.maxReplicas",
                                         ".status.currentReplicas",
                                         ".metadata.creationTimestamp"};

static const struct fl_column cronfhpa_cols[] = {
    COL_NAME,
    CRDCOL("REFERENCE-KIND", "string", ".spec.scaleTargetRef.kind"),
    CRDCOL("REFERENCE-NAME", "string", ".spec.scaleTargetRef.name"),
    CRDCOL("AGE", "date", ".metadata.creationTimestamp"),
};
static const char *const cronfhpa_paths[] = {
    NULL, ".spec.scaleTargetRef.kind", ".spec.scaleTargetRef.name", ".metadata.creationTimestamp"};

/* A CRD without additionalPrinterColumns: upstream serves one Age column. */
static const char *const default_paths[] = {NULL, ".metadata.creationTimestamp"};

/* ------------------------------------------------------------------------- */
/* Small helpers: strings, JSON reads, time                                  */
/* ------------------------------------------------------------------------- */

/* A growable string; p is NUL-terminated whenever len > 0. */
struct sb {
    char *p;
    size_t len, cap;
};

static void sb_putn(struct sb *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = fl_xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sb *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    FL_ASSERT(n >= 0 && (size_t)n < sizeof(tmp)); /* only used for short numeric pieces */
    sb_putn(b, tmp, (size_t)n);
}

static const char *sb_str(const struct sb *b)
{
    return b->len ? b->p : "";
}

static void sb_release(struct sb *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* A JSON string cell. Input comes from jansson strings and ASCII, so it is
 * valid UTF-8; recover with "" if it somehow is not. */
static json_t *cell_str(const char *s)
{
    json_t *j = json_string(s);
    if (NEVER(j == NULL))
        j = json_string("");
    return j;
}

static json_t *cell_sb(struct sb *b)
{
    json_t *j = cell_str(sb_str(b));
    sb_release(b);
    return j;
}

static json_t *cell_int(int64_t v)
{
    return json_integer((json_int_t)v);
}

static void add(json_t *row, json_t *cell)
{
    FL_ASSERT(cell != NULL);
    json_array_append_new(row, cell);
}

/* The member at a dotted path ("spec.template.spec"), or NULL. Keys containing
 * dots (labels, annotations) are read with json_object_get directly. */
static const json_t *jget(const json_t *o, const char *path)
{
    char key[64];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        FL_ASSERT(n < sizeof(key));
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_is_object(o) ? json_object_get(o, key) : NULL;
        path += n + (dot ? 1 : 0);
    }
    return o;
}

/* String at path, "" when missing or not a string. */
static const char *jstr(const json_t *o, const char *path)
{
    const char *s = json_string_value(jget(o, path));
    return s ? s : "";
}

/* Integer at path (a real is truncated, as Go's int conversion does), or dflt. */
static int64_t jint(const json_t *o, const char *path, int64_t dflt)
{
    const json_t *v = jget(o, path);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (int64_t)json_real_value(v);
    return dflt;
}

static bool jbool(const json_t *o, const char *path)
{
    return json_is_true(jget(o, path));
}

/* Array length at path (0 when missing); object size for objects. */
static size_t jlen(const json_t *o, const char *path)
{
    const json_t *v = jget(o, path);
    if (json_is_array(v))
        return json_array_size(v);
    if (json_is_object(v))
        return json_object_size(v);
    return 0;
}

/* Read-only iteration over an object's members: jansson's iterator API takes a
 * non-const pointer but does not modify the object. */
static void *obj_iter(const json_t *o)
{
    return json_object_iter((json_t *)o);
}

static void ascii_lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* A point in time; set == false is Go's zero time. */
struct ts {
    bool set;
    int64_t sec;
    long nsec;
};

/* RFC 3339 ("2026-11-22T22:52:29Z", fractions and offsets allowed). */
static bool parse_time(const char *s, struct ts *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    memset(out, 0, sizeof(*out));
    if (!s || !*s)
        return false;
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return false;
    long nsec = 0;
    if (*p == '.') {
        long scale = 100000000;
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        for (; isdigit((unsigned char)*p); p++) {
            nsec += (*p - '0') * scale;
            scale /= 10;
        }
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        unsigned hh, mm;
        int used = 0;
        if (sscanf(p + 1, "%2u:%2u%n", &hh, &mm, &used) != 2 || used != 5 || hh > 23 || mm > 59)
            return false;
        offset = sign * (int64_t)(hh * 3600 + mm * 60);
        p += 6;
    } else {
        return false;
    }
    if (*p)
        return false;
    out->set = true;
    out->sec = (int64_t)timegm(&tm) - offset;
    out->nsec = nsec;
    return true;
}

static bool ts_before(const struct ts *a, const struct ts *b)
{
    if (!a->set)
        return b->set;
    if (!b->set)
        return false;
    return a->sec < b->sec || (a->sec == b->sec && a->nsec < b->nsec);
}

/* Whole seconds from t to now, truncated toward zero like Go's
 * int(d.Seconds()). */
static int64_t seconds_since(const struct ts *t, int64_t now)
{
    int64_t d = now - t->sec;
    if (t->nsec > 0 && d > 0)
        d--;
    return d;
}

void fl_printer_age(int64_t seconds, char *buf, size_t len)
{
    int64_t s = seconds;
    if (s < -1) {
        snprintf(buf, len, "<invalid>");
        return;
    }
    if (s < 0) {
        snprintf(buf, len, "0s");
        return;
    }
    if (s < 60 * 2) {
        snprintf(buf, len, "%llds", (long long)s);
        return;
    }
    int64_t minutes = s / 60;
    if (minutes < 10) {
        if (s % 60 == 0)
            snprintf(buf, len, "%lldm", (long long)minutes);
        else
            snprintf(buf, len, "%lldm%llds", (long long)minutes, (long long)(s % 60));
        return;
    }
    if (minutes < 60 * 3) {
        snprintf(buf, len, "%lldm", (long long)minutes);
        return;
    }
    int64_t hours = s / 3600;
    if (hours < 8) {
        if (minutes % 60 == 0)
            snprintf(buf, len, "%lldh", (long long)hours);
        else
            snprintf(buf, len, "%lldh%lldm", (long long)hours, (long long)(minutes % 60));
    } else if (hours < 48) {
        snprintf(buf, len, "%lldh", (long long)hours);
    } else if (hours < 24 * 8) {
        if (hours % 24 == 0)
            snprintf(buf, len, "%lldd", (long long)(hours / 24));
        else
            snprintf(buf, len, "%lldd%lldh", (long long)(hours / 24), (long long)(hours % 24));
    } else if (hours < 24 * 365 * 2) {
        snprintf(buf, len, "%lldd", (long long)(hours / 24));
    } else if (hours < 24 * 365 * 8) {
        int64_t dy = (hours / 24) % 365;
        if (dy == 0)
            snprintf(buf, len, "%lldy", (long long)(hours / 24 / 365));
        else
            snprintf(buf, len, "%lldy%lldd", (long long)(hours / 24 / 365), (long long)dy);
    } else {
        snprintf(buf, len, "%lldy", (long long)(hours / 24 / 365));
    }
}

/* upstream translateTimestampSince: "<unknown>" for the zero time. */
static void since(const struct ts *t, int64_t now, char *buf, size_t len)
{
    if (!t->set)
        snprintf(buf, len, "<unknown>");
    else
        fl_printer_age(seconds_since(t, now), buf, len);
}

static json_t *cell_since_str(const char *timestamp, int64_t now)
{
    struct ts t;
    char buf[32];
    parse_time(timestamp, &t);
    since(&t, now, buf, sizeof(buf));
    return cell_str(buf);
}

static json_t *cell_name(const json_t *obj)
{
    return cell_str(jstr(obj, "metadata.name"));
}

static json_t *cell_age(const json_t *obj, int64_t now)
{
    return cell_since_str(jstr(obj, "metadata.creationTimestamp"), now);
}

/* "<none>" for an empty string. */
static const char *or_none(const char *s)
{
    return *s ? s : "<none>";
}

/* ------------------------------------------------------------------------- */
/* Labels and selectors, as apimachinery formats them                        */
/* ------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* labels.Set(m).String(): "k=v" sorted by key, comma-joined; "" when empty. */
static void format_label_set(const json_t *m, struct sb *out)
{
    size_t n = json_is_object(m) ? json_object_size(m) : 0;
    if (n == 0)
        return;
    const char **keys = fl_xcalloc(n, sizeof(*keys));
    size_t i = 0;
    for (void *it = obj_iter(m); it && i < n; it = json_object_iter_next((json_t *)m, it))
        keys[i++] = json_object_iter_key(it);
    qsort(keys, i, sizeof(*keys), cmp_str);
    for (size_t k = 0; k < i; k++) {
        if (k)
            sb_puts(out, ",");
        sb_puts(out, keys[k]);
        sb_puts(out, "=");
        sb_puts(out, json_string_value(json_object_get(m, keys[k])) ?: "");
    }
    free(keys);
}

/* labels.FormatLabels: the set, or "<none>". */
static json_t *cell_labels(const json_t *m)
{
    struct sb b = {0};
    format_label_set(m, &b);
    if (b.len == 0)
        sb_puts(&b, "<none>");
    return cell_sb(&b);
}

struct req {
    const char *key;
    char *text;
    size_t order;
};

static int cmp_req(const void *a, const void *b)
{
    const struct req *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * metav1.LabelSelectorAsSelector(sel).String(): requirements from matchLabels
 * ("k=v") and matchExpressions ("k in (a,b)", "k notin (a)", "k", "!k"),
 * sorted by key, values sorted. A nil or empty selector prints "". Returns
 * false (out untouched) when the selector is invalid.
 */
static bool format_selector(const json_t *sel, struct sb *out)
{
    if (!json_is_object(sel))
        return true;
    const json_t *ml = json_object_get(sel, "matchLabels");
    const json_t *me = json_object_get(sel, "matchExpressions");
    size_t cap = (json_is_object(ml) ? json_object_size(ml) : 0) +
                 (json_is_array(me) ? json_array_size(me) : 0);
    if (cap == 0)
        return true;
    struct req *reqs = fl_xcalloc(cap, sizeof(*reqs));
    size_t n = 0;
    bool ok = true;
    if (json_is_object(ml)) {
        for (void *it = obj_iter(ml); it; it = json_object_iter_next((json_t *)ml, it)) {
            const char *v = json_string_value(json_object_iter_value(it));
            reqs[n].key = json_object_iter_key(it);
            reqs[n].text = fl_xasprintf("%s=%s", reqs[n].key, v ? v : "");
            reqs[n].order = n;
            n++;
        }
    }
    for (size_t i = 0; ok && json_is_array(me) && i < json_array_size(me); i++) {
        const json_t *e = json_array_get(me, i);
        const char *key = jstr(e, "key"), *op = jstr(e, "operator");
        const json_t *vals = json_object_get(e, "values");
        size_t nv = json_is_array(vals) ? json_array_size(vals) : 0;
        struct sb t = {0};
        if (!strcmp(op, "In") || !strcmp(op, "NotIn")) {
            if (nv == 0) {
                ok = false;
                break;
            }
            const char **v = fl_xcalloc(nv, sizeof(*v));
            for (size_t k = 0; k < nv; k++)
                v[k] = json_string_value(json_array_get(vals, k)) ?: "";
            qsort(v, nv, sizeof(*v), cmp_str);
            sb_puts(&t, key);
            sb_puts(&t, !strcmp(op, "In") ? " in (" : " notin (");
            for (size_t k = 0; k < nv; k++) {
                if (k)
                    sb_puts(&t, ",");
                sb_puts(&t, v[k]);
            }
            sb_puts(&t, ")");
            free(v);
        } else if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) {
            if (nv != 0) {
                ok = false;
                break;
            }
            if (!strcmp(op, "DoesNotExist"))
                sb_puts(&t, "!");
            sb_puts(&t, key);
        } else {
            ok = false;
            break;
        }
        reqs[n].key = key;
        reqs[n].text = fl_xstrdup(sb_str(&t));
        reqs[n].order = n;
        n++;
        sb_release(&t);
    }
    if (ok) {
        qsort(reqs, n, sizeof(*reqs), cmp_req);
        for (size_t i = 0; i < n; i++) {
            if (i)
                sb_puts(out, ",");
            sb_puts(out, reqs[i].text);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(reqs[i].text);
    free(reqs);
    return ok;
}

/* metav1.FormatLabelSelector: "<none>" when empty, "<error>" when invalid. */
static json_t *cell_format_selector(const json_t *sel)
{
    struct sb b = {0};
    if (!format_selector(sel, &b)) {
        sb_release(&b);
        return cell_str("<error>");
    }
    if (b.len == 0)
        sb_puts(&b, "<none>");
    return cell_sb(&b);
}

/* layoutContainerCells: names and images, comma-joined. */
static void add_containers(json_t *row, const json_t *containers)
{
    struct sb names = {0}, images = {0};
    for (size_t i = 0; json_is_array(containers) && i < json_array_size(containers); i++) {
        const json_t *c = json_array_get(containers, i);
        if (i) {
            sb_puts(&names, ",");
            sb_puts(&images, ",");
        }
        sb_puts(&names, jstr(c, "name"));
        sb_puts(&images, jstr(c, "image"));
    }
    add(row, cell_sb(&names));
    add(row, cell_sb(&images));
}

/* IntOrString.String(). */
static void int_or_string(const json_t *v, struct sb *out)
{
    if (json_is_integer(v))
        sb_printf(out, "%lld", (long long)json_integer_value(v));
    else
        sb_puts(out, json_string_value(v) ?: "");
}

/* A resource.Quantity as stored. Upstream prints the canonical form
 * (Quantity.String()); objects that went through kube-apiserver are already
 * canonical, so the stored string is printed as is. */
static const char *quantity(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return "0";
}

/* ------------------------------------------------------------------------- */
/* Built-in printers                                                         */
/* ------------------------------------------------------------------------- */

typedef void (*cells_fn)(json_t *row, const json_t *obj, int64_t now);

static void namespace_cells(json_t *row, const json_t *obj, int64_t now)
{
    const char *phase = jstr(obj, "status.phase");
    add(row, cell_name(obj));
    /* Namespace creation sets phase Active; a stored object without it is one
     * that never went through that strategy. */
    add(row, cell_str(*phase ? phase : "Active"));
    add(row, cell_age(obj, now));
}

static void configmap_cells(json_t *row, const json_t *obj, int64_t now)
{
    add(row, cell_name(obj));
    add(row, cell_int((int64_t)(jlen(obj, "data") + jlen(obj, "binaryData"))));
    add(row, cell_age(obj, now));
}

static void secret_cells(json_t *row, const json_t *obj, int64_t now)
{
    const char *type = jstr(obj, "type");
    const json_t *data = jget(obj, "data");
    const json_t *sdata = jget(obj, "stringData");
    int64_t n = (int64_t)jlen(obj, "data");
    /* kube-apiserver folds stringData into data on write; count a key that is
     * still only in stringData as that write would have. */
    if (json_is_object(sdata)) {
        for (void *it = obj_iter(sdata); it; it = json_object_iter_next((json_t *)sdata, it))
            if (!json_is_object(data) || !json_object_get(data, json_object_iter_key(it)))
                n++;
    }
    add(row, cell_name(obj));
    add(row, cell_str(*type ? type : "Opaque"));
    add(row, cell_int(n));
    add(row, cell_age(obj, now));
}

static void serviceaccount_cells(json_t *row, const json_t *obj, int64_t now)
{
    add(row, cell_name(obj));
    add(row, cell_int((int64_t)jlen(obj, "secrets")));
    add(row, cell_age(obj, now));
}

/* loadBalancerStatusStringer, wide: unique ingress IPs (or hostnames),
 * sorted, comma-joined. */
static void lb_ingress(const json_t *ingress, struct sb *out)
{
    size_t n = json_is_array(ingress) ? json_array_size(ingress) : 0;
    if (n == 0)
        return;
    const char **v = fl_xcalloc(n, sizeof(*v));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(ingress, i);
        const char *ip = jstr(e, "ip"), *host = jstr(e, "hostname");
        if (*ip)
            v[m++] = ip;
        else if (*host)
            v[m++] = host;
    }
    qsort(v, m, sizeof(*v), cmp_str);
    for (size_t i = 0, k = 0; i < m; i++) {
        if (i && !strcmp(v[i], v[i - 1]))
            continue;
        if (k++)
            sb_puts(out, ",");
        sb_puts(out, v[i]);
    }
    free(v);
}

static void join_strings(const json_t *arr, const char *sep, struct sb *out)
{
    for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
        if (i)
            sb_puts(out, sep);
        sb_puts(out, json_string_value(json_array_get(arr, i)) ?: "");
    }
}

static void service_cells(json_t *row, const json_t *obj, int64_t now)
{
    const char *type = jstr(obj, "spec.type");
    if (!*type)
        type = "ClusterIP"; /* the API default */
    const json_t *ips = jget(obj, "spec.clusterIPs");
    const char *cluster_ip = json_string_value(json_array_get(ips, 0));
    if (!cluster_ip || !*cluster_ip) /* clusterIPs is defaulted from clusterIP */
        cluster_ip = jstr(obj, "spec.clusterIP");
    const json_t *ext = jget(obj, "spec.externalIPs");
    bool has_ext = json_is_array(ext) && json_array_size(ext) > 0;

    struct sb e = {0};
    if (!strcmp(type, "ClusterIP") || !strcmp(type, "NodePort")) {
        if (has_ext)
            join_strings(ext, ",", &e);
        else
            sb_puts(&e, "<none>");
    } else if (!strcmp(type, "LoadBalancer")) {
        lb_ingress(jget(obj, "status.loadBalancer.ingress"), &e);
        if (has_ext) {
            if (e.len)
                sb_puts(&e, ",");
            join_strings(ext, ",", &e);
        } else if (e.len == 0) {
            sb_puts(&e, "<pending>");
        }
    } else if (!strcmp(type, "ExternalName")) {
        sb_puts(&e, jstr(obj, "spec.externalName"));
    } else {
        sb_puts(&e, "<unknown>");
    }

    struct sb ports = {0};
    const json_t *pa = jget(obj, "spec.ports");
    for (size_t i = 0; json_is_array(pa) && i < json_array_size(pa); i++) {
        const json_t *p = json_array_get(pa, i);
        const char *proto = jstr(p, "protocol");
        if (!*proto)
            proto = "TCP"; /* the API default */
        int64_t node_port = jint(p, "nodePort", 0);
        if (i)
            sb_puts(&ports, ",");
        if (node_port > 0)
            sb_printf(&ports, "%lld:%lld/", (long long)jint(p, "port", 0), (long long)node_port);
        else
            sb_printf(&ports, "%lld/", (long long)jint(p, "port", 0));
        sb_puts(&ports, proto);
    }
    if (ports.len == 0)
        sb_puts(&ports, "<none>");

    add(row, cell_name(obj));
    add(row, cell_str(type));
    add(row, cell_str(cluster_ip && *cluster_ip ? cluster_ip : "<none>"));
    add(row, cell_sb(&e));
    add(row, cell_sb(&ports));
    add(row, cell_age(obj, now));
    add(row, cell_labels(jget(obj, "spec.selector")));
}

/* net.JoinHostPort: IPv6 literals get brackets. */
static void host_port(struct sb *out, const char *host, int64_t port)
{
    if (strchr(host, ':'))
        sb_printf(out, "[%s]:%lld", host, (long long)port);
    else
        sb_printf(out, "%s:%lld", host, (long long)port);
}

/* The "a,b,c + N more..." lists share this tail. */
static void more_tail(struct sb *out, bool more, size_t count, size_t max)
{
    if (more)
        sb_printf(out, " + %zu more...", count - max);
}

static void endpoints_cells(json_t *row, const json_t *obj, int64_t now)
{
    const json_t *subsets = jget(obj, "subsets");
    struct sb b = {0};
    const size_t max = 3;
    if (!json_is_array(subsets) || json_array_size(subsets) == 0) {
        sb_puts(&b, "<none>");
    } else {
        size_t listed = 0, count = 0;
        bool more = false;
        for (size_t s = 0; s < json_array_size(subsets); s++) {
            const json_t *ss = json_array_get(subsets, s);
            const json_t *addrs = json_object_get(ss, "addresses");
            const json_t *ports = json_object_get(ss, "ports");
            size_t na = json_is_array(addrs) ? json_array_size(addrs) : 0;
            size_t np = json_is_array(ports) ? json_array_size(ports) : 0;
            if (np == 0) { /* headless services may have no ports */
                count += na;
                for (size_t a = 0; a < na; a++) {
                    if (listed == max) {
                        more = true;
                        break;
                    }
                    if (listed++)
                        sb_puts(&b, ",");
                    sb_puts(&b, jstr(json_array_get(addrs, a), "ip"));
                }
                continue;
            }
            for (size_t p = 0; p < np; p++) {
                int64_t port = jint(json_array_get(ports, p), "port", 0);
                count += na;
                for (size_t a = 0; a < na; a++) {
                    if (listed == max) {
                        more = true;
                        break;
                    }
                    if (listed++)
                        sb_puts(&b, ",");
                    host_port(&b, jstr(json_array_get(addrs, a), "ip"), port);
                }
            }
        }
        more_tail(&b, more, count, max);
    }
    add(row, cell_name(obj));
    add(row, cell_sb(&b));
    add(row, cell_age(obj, now));
}

/* listWithMoreString: "<unset>" for an empty list. */
static json_t *cell_list_more(struct sb *b, bool more, size_t count, size_t max)
{
    more_tail(b, more, count, max);
    if (b->len == 0)
        sb_puts(b, "<unset>");
    return cell_sb(b);
}

static void endpointslice_cells(json_t *row, const json_t *obj, int64_t now)
{
    const size_t max = 3;
    struct sb ports = {0}, eps = {0};
    size_t listed = 0, count = 0;
    bool more = false;
    const json_t *pa = jget(obj, "ports");
    for (size_t i = 0; json_is_array(pa) && i < json_array_size(pa); i++) {
        const json_t *p = json_array_get(pa, i);
        if (listed < max) {
            if (listed++)
                sb_puts(&ports, ",");
            if (json_is_integer(json_object_get(p, "port")))
                sb_printf(&ports, "%lld", (long long)jint(p, "port", 0));
            else if (json_is_string(json_object_get(p, "name")))
                sb_puts(&ports, jstr(p, "name"));
            else
                sb_puts(&ports, "*");
        } else if (listed == max) {
            more = true;
        }
        count++;
    }
    add(row, cell_name(obj));
    add(row, cell_str(jstr(obj, "addressType")));
    add(row, cell_list_more(&ports, more, count, max));

    listed = count = 0;
    more = false;
    const json_t *ea = jget(obj, "endpoints");
    for (size_t i = 0; json_is_array(ea) && i < json_array_size(ea); i++) {
        const json_t *addrs = jget(json_array_get(ea, i), "addresses");
        for (size_t a = 0; json_is_array(addrs) && a < json_array_size(addrs); a++) {
            if (listed < max) {
                if (listed++)
                    sb_puts(&eps, ",");
                sb_puts(&eps, json_string_value(json_array_get(addrs, a)) ?: "");
            } else if (listed == max) {
                more = true;
            }
            count++;
        }
    }
    add(row, cell_list_more(&eps, more, count, max));
    add(row, cell_age(obj, now));
}

static const char *node_address(const json_t *obj, const char *type)
{
    const json_t *addrs = jget(obj, "status.addresses");
    for (size_t i = 0; json_is_array(addrs) && i < json_array_size(addrs); i++) {
        const json_t *a = json_array_get(addrs, i);
        if (!strcmp(jstr(a, "type"), type))
            return jstr(a, "address");
    }
    return "<none>";
}

#define NODE_ROLE_PREFIX "node-role.kubernetes.io/"

static void node_cells(json_t *row, const json_t *obj, int64_t now)
{
    struct sb status = {0}, roles = {0};
    const json_t *conds = jget(obj, "status.conditions");
    for (size_t i = 0; json_is_array(conds) && i < json_array_size(conds); i++) {
        const json_t *c = json_array_get(conds, i);
        if (strcmp(jstr(c, "type"), "Ready"))
            continue;
        /* upstream keys conditions by type: the last Ready condition wins */
        status.len = 0;
        sb_puts(&status, !strcmp(jstr(c, "status"), "True") ? "Ready" : "NotReady");
    }
    if (status.len == 0)
        sb_puts(&status, "Unknown");
    if (jbool(obj, "spec.unschedulable"))
        sb_puts(&status, ",SchedulingDisabled");

    const json_t *labels = jget(obj, "metadata.labels");
    size_t nl = json_is_object(labels) ? json_object_size(labels) : 0;
    const char **r = fl_xcalloc(nl ? nl : 1, sizeof(*r));
    size_t nr = 0;
    for (void *it = nl ? obj_iter(labels) : NULL; it;
         it = json_object_iter_next((json_t *)labels, it)) {
        const char *k = json_object_iter_key(it);
        const char *v = json_string_value(json_object_iter_value(it));
        if (!strncmp(k, NODE_ROLE_PREFIX, strlen(NODE_ROLE_PREFIX))) {
            if (k[strlen(NODE_ROLE_PREFIX)])
                r[nr++] = k + strlen(NODE_ROLE_PREFIX);
        } else if (!strcmp(k, "kubernetes.io/role") && v && *v) {
            r[nr++] = v;
        }
    }
    qsort(r, nr, sizeof(*r), cmp_str);
    for (size_t i = 0, k = 0; i < nr; i++) {
        if (i && !strcmp(r[i], r[i - 1]))
            continue;
        if (k++)
            sb_puts(&roles, ",");
        sb_puts(&roles, r[i]);
    }
    free(r);
    if (roles.len == 0)
        sb_puts(&roles, "<none>");

    const char *os = jstr(obj, "status.nodeInfo.osImage");
    const char *kernel = jstr(obj, "status.nodeInfo.kernelVersion");
    const char *cr = jstr(obj, "status.nodeInfo.containerRuntimeVersion");
    add(row, cell_name(obj));
    add(row, cell_sb(&status));
    add(row, cell_sb(&roles));
    add(row, cell_age(obj, now));
    add(row, cell_str(jstr(obj, "status.nodeInfo.kubeletVersion")));
    add(row, cell_str(node_address(obj, "InternalIP")));
    add(row, cell_str(node_address(obj, "ExternalIP")));
    add(row, cell_str(*os ? os : "<unknown>"));
    add(row, cell_str(*kernel ? kernel : "<unknown>"));
    add(row, cell_str(*cr ? cr : "<unknown>"));
}

/* helper.GetAccessModesAsString: fixed order, duplicates dropped. */
static void access_modes(const json_t *modes, struct sb *out)
{
    static const struct {
        const char *mode, *abbrev;
    } order[] = {{"ReadWriteOnce", "RWO"},
                 {"ReadOnlyMany", "ROX"},
                 {"ReadWriteMany", "RWX"},
                 {"ReadWriteOncePod", "RWOP"}};
    for (size_t k = 0; k < FL_ARRAY_LEN(order); k++) {
        for (size_t i = 0; json_is_array(modes) && i < json_array_size(modes); i++) {
            const char *m = json_string_value(json_array_get(modes, i));
            if (m && !strcmp(m, order[k].mode)) {
                if (out->len)
                    sb_puts(out, ",");
                sb_puts(out, order[k].abbrev);
                break;
            }
        }
    }
}

static void pvc_cells(json_t *row, const json_t *obj, int64_t now)
{
    const char *phase = jstr(obj, "status.phase");
    if (jget(obj, "metadata.deletionTimestamp"))
        phase = "Terminating";
    const char *volume = jstr(obj, "spec.volumeName");
    struct sb modes = {0};
    char qbuf[32];
    const char *capacity = "";
    if (*volume) {
        access_modes(jget(obj, "status.accessModes"), &modes);
        capacity = quantity(jget(obj, "status.capacity.storage"), qbuf, sizeof(qbuf));
    }
    /* helper.GetPersistentVolumeClaimClass: the beta annotation wins */
    const json_t *ann = jget(obj, "metadata.annotations");
    const json_t *beta = json_is_object(ann)
                             ? json_object_get(ann, "volume.beta.kubernetes.io/storage-class")
                             : NULL;
    const char *klass =
        json_is_string(beta) ? json_string_value(beta) : jstr(obj, "spec.storageClassName");
    const json_t *vac = jget(obj, "spec.volumeAttributesClassName");
    const json_t *mode = jget(obj, "spec.volumeMode");

    add(row, cell_name(obj));
    add(row, cell_str(phase));
    add(row, cell_str(volume));
    add(row, cell_str(capacity));
    add(row, cell_sb(&modes));
    add(row, cell_str(klass));
    add(row, cell_str(json_is_string(vac) ? json_string_value(vac) : "<unset>"));
    add(row, cell_age(obj, now));
    add(row, cell_str(json_is_string(mode) ? json_string_value(mode) : "<unset>"));
}

static void deployment_cells(json_t *row, const json_t *obj, int64_t now)
{
    char ready[48];
    snprintf(ready, sizeof(ready), "%lld/%lld", (long long)jint(obj, "status.readyReplicas", 0),
             (long long)jint(obj, "spec.replicas", 1));
    add(row, cell_name(obj));
    add(row, cell_str(ready));
    add(row, cell_int(jint(obj, "status.updatedReplicas", 0)));
    add(row, cell_int(jint(obj, "status.availableReplicas", 0)));
    add(row, cell_age(obj, now));
    add_containers(row, jget(obj, "spec.template.spec.containers"));
    struct sb sel = {0};
    if (!format_selector(jget(obj, "spec.selector"), &sel)) {
        sb_release(&sel);
        sb_puts(&sel, "<invalid>");
    }
    add(row, cell_sb(&sel));
}

static void statefulset_cells(json_t *row, const json_t *obj, int64_t now)
{
    char ready[48];
    snprintf(ready, sizeof(ready), "%lld/%lld", (long long)jint(obj, "status.readyReplicas", 0),
             (long long)jint(obj, "spec.replicas", 1));
    add(row, cell_name(obj));
    add(row, cell_str(ready));
    add(row, cell_age(obj, now));
    add_containers(row, jget(obj, "spec.template.spec.containers"));
}

static void replicaset_cells(json_t *row, const json_t *obj, int64_t now)
{
    add(row, cell_name(obj));
    add(row, cell_int(jint(obj, "spec.replicas", 1)));
    add(row, cell_int(jint(obj, "status.replicas", 0)));
    add(row, cell_int(jint(obj, "status.readyReplicas", 0)));
    add(row, cell_age(obj, now));
    add_containers(row, jget(obj, "spec.template.spec.containers"));
    add(row, cell_format_selector(jget(obj, "spec.selector")));
}

static void daemonset_cells(json_t *row, const json_t *obj, int64_t now)
{
    add(row, cell_name(obj));
    add(row, cell_int(jint(obj, "status.desiredNumberScheduled", 0)));
    add(row, cell_int(jint(obj, "status.currentNumberScheduled", 0)));
    add(row, cell_int(jint(obj, "status.numberReady", 0)));
    add(row, cell_int(jint(obj, "status.updatedNumberScheduled", 0)));
    add(row, cell_int(jint(obj, "status.numberAvailable", 0)));
    add(row, cell_labels(jget(obj, "spec.template.spec.nodeSelector")));
    add(row, cell_age(obj, now));
    add_containers(row, jget(obj, "spec.template.spec.containers"));
    add(row, cell_format_selector(jget(obj, "spec.selector")));
}

static void controllerrevision_cells(json_t *row, const json_t *obj, int64_t now)
{
    struct sb ctl = {0};
    const json_t *owners = jget(obj, "metadata.ownerReferences");
    for (size_t i = 0; json_is_array(owners) && i < json_array_size(owners); i++) {
        const json_t *o = json_array_get(owners, i);
        if (!jbool(o, "controller"))
            continue;
        /* formatResourceName(GroupKind, name): "kind.group/name", lowercased */
        const char *api_version = jstr(o, "apiVersion");
        const char *slash = strchr(api_version, '/');
        const char *kind = jstr(o, "kind");
        if (*kind || slash) {
            char *gk = slash
                           ? fl_xasprintf("%s.%.*s", kind, (int)(slash - api_version), api_version)
                           : fl_xstrdup(kind);
            ascii_lower(gk);
            sb_puts(&ctl, gk);
            sb_puts(&ctl, "/");
            free(gk);
        }
        sb_puts(&ctl, jstr(o, "name"));
        break;
    }
    if (ctl.len == 0)
        sb_puts(&ctl, "<none>");
    add(row, cell_name(obj));
    add(row, cell_sb(&ctl));
    add(row, cell_int(jint(obj, "revision", 0)));
    add(row, cell_age(obj, now));
}

static void pdb_cells(json_t *row, const json_t *obj, int64_t now)
{
    struct sb min = {0}, max = {0};
    const json_t *v = jget(obj, "spec.minAvailable");
    if (v && !json_is_null(v))
        int_or_string(v, &min);
    else
        sb_puts(&min, "N/A");
    v = jget(obj, "spec.maxUnavailable");
    if (v && !json_is_null(v))
        int_or_string(v, &max);
    else
        sb_puts(&max, "N/A");
    add(row, cell_name(obj));
    add(row, cell_sb(&min));
    add(row, cell_sb(&max));
    add(row, cell_int(jint(obj, "status.disruptionsAllowed", 0)));
    add(row, cell_age(obj, now));
}

static void lease_cells(json_t *row, const json_t *obj, int64_t now)
{
    add(row, cell_name(obj));
    add(row, cell_str(jstr(obj, "spec.holderIdentity")));
    add(row, cell_age(obj, now));
}

static void crd_cells(json_t *row, const json_t *obj, int64_t now)
{
    struct ts t;
    char buf[32] = "0001-01-01T00:00:00Z"; /* Go's zero time, UTC, RFC 3339 */
    if (parse_time(jstr(obj, "metadata.creationTimestamp"), &t))
        fl_time_rfc3339(t.sec, buf, sizeof(buf));
    add(row, cell_name(obj));
    add(row, cell_str(buf));
}

static void cluster_cells(json_t *row, const json_t *obj, int64_t now)
{
    const char *ready = "Unknown";
    const json_t *conds = jget(obj, "status.conditions");
    for (size_t i = 0; json_is_array(conds) && i < json_array_size(conds); i++) {
        const json_t *c = json_array_get(conds, i);
        if (!strcmp(jstr(c, "type"), "Ready")) {
            ready = jstr(c, "status");
            break;
        }
    }
    struct sb zones = {0};
    join_strings(jget(obj, "spec.zones"), ",", &zones);
    if (zones.len == 0)
        sb_puts(&zones, "<none>");
    add(row, cell_name(obj));
    add(row, cell_str(jstr(obj, "status.kubernetesVersion")));
    add(row, cell_str(jstr(obj, "spec.syncMode")));
    add(row, cell_str(ready));
    add(row, cell_age(obj, now));
    add(row, cell_sb(&zones));
    add(row, cell_str(or_none(jstr(obj, "spec.region"))));
    add(row, cell_str(or_none(jstr(obj, "spec.provider"))));
    add(row, cell_str(jstr(obj, "spec.apiEndpoint")));
    add(row, cell_str(or_none(jstr(obj, "spec.proxyURL"))));
}

/* --- events (core/v1 and events.k8s.io/v1 shapes) ------------------------ */

static void event_common(json_t *row, const json_t *obj, int64_t now, bool v1events)
{
    /* events.k8s.io/v1 renames the core/v1 fields; upstream prints both
     * through the same internal type. */
    const char *f_first = v1events ? "deprecatedFirstTimestamp" : "firstTimestamp";
    const char *f_last = v1events ? "deprecatedLastTimestamp" : "lastTimestamp";
    const char *f_count = v1events ? "deprecatedCount" : "count";
    const char *f_obj = v1events ? "regarding" : "involvedObject";
    const char *f_msg = v1events ? "note" : "message";
    const char *f_comp = v1events ? "deprecatedSource.component" : "source.component";
    const char *f_host = v1events ? "deprecatedSource.host" : "source.host";
    const char *f_rc = v1events ? "reportingController" : "reportingComponent";

    char first[32], last[32];
    struct ts t;
    parse_time(jstr(obj, f_first), &t);
    if (t.set) {
        since(&t, now, first, sizeof(first));
    } else {
        parse_time(jstr(obj, "eventTime"), &t);
        since(&t, now, first, sizeof(first));
    }
    parse_time(jstr(obj, f_last), &t);
    if (t.set)
        since(&t, now, last, sizeof(last));
    else
        snprintf(last, sizeof(last), "%s", first);

    int64_t count = jint(obj, f_count, 0);
    const json_t *series = jget(obj, "series");
    if (series && !json_is_null(series)) {
        parse_time(jstr(series, "lastObservedTime"), &t);
        since(&t, now, last, sizeof(last));
        count = jint(series, "count", 0);
    } else if (count == 0) {
        count = 1; /* singleton events carry no count in the new API */
    }

    const json_t *involved = jget(obj, f_obj);
    char *kind = fl_xstrdup(jstr(involved, "kind")); /* only the kind is lowercased */
    ascii_lower(kind);
    char *target = *jstr(involved, "name") ? fl_xasprintf("%s/%s", kind, jstr(involved, "name"))
                                           : fl_xstrdup(kind);
    free(kind);

    const char *comp = jstr(obj, f_comp), *host = jstr(obj, f_host);
    if (!*comp)
        comp = jstr(obj, f_rc);
    if (!*host)
        host = jstr(obj, "reportingInstance");
    struct sb source = {0};
    sb_puts(&source, comp);
    if (*host) {
        sb_puts(&source, ", ");
        sb_puts(&source, host);
    }

    const char *msg = jstr(obj, f_msg);
    size_t mlen = strlen(msg);
    while (mlen && isspace((unsigned char)*msg)) {
        msg++;
        mlen--;
    }
    while (mlen && isspace((unsigned char)msg[mlen - 1]))
        mlen--;
    char *message = fl_xstrndup(msg, mlen);

    add(row, cell_str(last));
    add(row, cell_str(jstr(obj, "type")));
    add(row, cell_str(jstr(obj, "reason")));
    add(row, cell_str(target));
    add(row, cell_str(jstr(involved, "fieldPath")));
    add(row, cell_sb(&source));
    add(row, cell_str(message));
    add(row, cell_str(first));
    add(row, cell_int(count));
    add(row, cell_name(obj));
    free(target);
    free(message);
}

static void event_cells(json_t *row, const json_t *obj, int64_t now)
{
    event_common(row, obj, now, false);
}

static void v1event_cells(json_t *row, const json_t *obj, int64_t now)
{
    event_common(row, obj, now, true);
}

/* --- horizontalpodautoscalers ------------------------------------------- */

/* One "current/target" metric, as formatHPAMetrics prints it. */
static void hpa_metric(const json_t *spec, const json_t *status, struct sb *out)
{
    char q1[32], q2[32];
    const char *type = jstr(spec, "type");
    if (!strcmp(type, "External") || !strcmp(type, "Object")) {
        const char *src = !strcmp(type, "External") ? "external" : "object";
        const json_t *target = jget(json_object_get(spec, src), "target");
        const json_t *cur = jget(json_object_get(status, src), "current");
        bool has_status = json_is_object(json_object_get(status, src));
        if (jget(target, "averageValue")) {
            const json_t *cav = jget(cur, "averageValue");
            sb_puts(out, has_status && cav ? quantity(cav, q1, sizeof(q1)) : "<unknown>");
            sb_puts(out, "/");
            sb_puts(out, quantity(jget(target, "averageValue"), q2, sizeof(q2)));
            sb_puts(out, " (avg)");
        } else {
            sb_puts(out, has_status ? quantity(jget(cur, "value"), q1, sizeof(q1)) : "<unknown>");
            sb_puts(out, "/");
            sb_puts(out, quantity(jget(target, "value"), q2, sizeof(q2)));
        }
    } else if (!strcmp(type, "Pods")) {
        bool has_status = json_is_object(json_object_get(status, "pods"));
        sb_puts(out, has_status
                         ? quantity(jget(status, "pods.current.averageValue"), q1, sizeof(q1))
                         : "<unknown>");
        sb_puts(out, "/");
        sb_puts(out, quantity(jget(spec, "pods.target.averageValue"), q2, sizeof(q2)));
    } else if (!strcmp(type, "Resource") || !strcmp(type, "ContainerResource")) {
        const char *src = !strcmp(type, "Resource") ? "resource" : "containerResource";
        const json_t *s = json_object_get(spec, src);
        const json_t *st = json_object_get(status, src);
        sb_puts(out, jstr(s, "name"));
        sb_puts(out, ": ");
        if (jget(s, "target.averageValue")) {
            sb_puts(out, json_is_object(st)
                             ? quantity(jget(st, "current.averageValue"), q1, sizeof(q1))
                             : "<unknown>");
            sb_puts(out, "/");
            sb_puts(out, quantity(jget(s, "target.averageValue"), q2, sizeof(q2)));
        } else {
            const json_t *cu = jget(st, "current.averageUtilization");
            if (json_is_object(st) && json_is_integer(cu))
                sb_printf(out, "%lld%%", (long long)json_integer_value(cu));
            else
                sb_puts(out, "<unknown>");
            sb_puts(out, "/");
            const json_t *tu = jget(s, "target.averageUtilization");
            if (json_is_integer(tu))
                sb_printf(out, "%lld%%", (long long)json_integer_value(tu));
            else
                sb_puts(out, "<auto>");
        }
    } else {
        sb_puts(out, "<unknown type>");
    }
}

static void hpa_cells(json_t *row, const json_t *obj, int64_t now)
{
    const size_t max = 2;
    struct sb metrics = {0};
    const json_t *specs = jget(obj, "spec.metrics");
    const json_t *statuses = jget(obj, "status.currentMetrics");
    size_t n = json_is_array(specs) ? json_array_size(specs) : 0;
    if (n == 0 && jget(obj, "spec.targetCPUUtilizationPercentage")) {
        /* autoscaling/v1: one CPU utilization target */
        const json_t *cur = jget(obj, "status.currentCPUUtilizationPercentage");
        sb_puts(&metrics, "cpu: ");
        if (json_is_integer(cur))
            sb_printf(&metrics, "%lld%%", (long long)json_integer_value(cur));
        else
            sb_puts(&metrics, "<unknown>");
        sb_printf(&metrics, "/%lld%%",
                  (long long)jint(obj, "spec.targetCPUUtilizationPercentage", 0));
    } else if (n == 0) {
        sb_puts(&metrics, "<none>");
    } else {
        for (size_t i = 0; i < n && i < max; i++) {
            if (i)
                sb_puts(&metrics, ", ");
            hpa_metric(json_array_get(specs, i), json_array_get(statuses, i), &metrics);
        }
        more_tail(&metrics, n > max, n, max);
    }
    char *ref = fl_xasprintf("%s/%s", jstr(obj, "spec.scaleTargetRef.kind"),
                             jstr(obj, "spec.scaleTargetRef.name"));
    const json_t *minr = jget(obj, "spec.minReplicas");
    char minp[32] = "<unset>";
    if (json_is_integer(minr))
        snprintf(minp, sizeof(minp), "%lld", (long long)json_integer_value(minr));
    add(row, cell_name(obj));
    add(row, cell_str(ref));
    add(row, cell_sb(&metrics));
    add(row, cell_str(minp));
    add(row, cell_int(jint(obj, "spec.maxReplicas", 0)));
    add(row, cell_int(jint(obj, "status.currentReplicas", 0)));
    add(row, cell_age(obj, now));
    free(ref);
}

/* --- pods ---------------------------------------------------------------- */

static bool has_condition(const json_t *pod, const char *type, const char *status)
{
    const json_t *conds = jget(pod, "status.conditions");
    for (size_t i = 0; json_is_array(conds) && i < json_array_size(conds); i++) {
        const json_t *c = json_array_get(conds, i);
        if (!strcmp(jstr(c, "type"), type))
            return !strcmp(jstr(c, "status"), status);
    }
    return false;
}

/* podutil.IsRestartableInitContainer: a sidecar (restartPolicy Always). */
static bool restartable_init(const json_t *pod, const char *name)
{
    const json_t *ics = jget(pod, "spec.initContainers");
    for (size_t i = 0; json_is_array(ics) && i < json_array_size(ics); i++) {
        const json_t *c = json_array_get(ics, i);
        if (!strcmp(jstr(c, "name"), name))
            return !strcmp(jstr(c, "restartPolicy"), "Always");
    }
    return false;
}

static void later_termination(const json_t *cs, struct ts *last)
{
    const json_t *term = jget(cs, "lastState.terminated");
    if (!json_is_object(term))
        return;
    struct ts t;
    parse_time(jstr(term, "finishedAt"), &t);
    if (ts_before(last, &t))
        *last = t;
}

static void pod_cells(json_t *row, const json_t *pod, int64_t now)
{
    int64_t restarts = 0, sidecar_restarts = 0, ready = 0;
    int64_t total = (int64_t)jlen(pod, "spec.containers");
    struct ts last_restart = {0}, last_sidecar_restart = {0};
    const char *phase = jstr(pod, "status.phase");
    struct sb reason = {0};
    sb_puts(&reason, *jstr(pod, "status.reason") ? jstr(pod, "status.reason") : phase);

    const json_t *conds = jget(pod, "status.conditions");
    for (size_t i = 0; json_is_array(conds) && i < json_array_size(conds); i++) {
        const json_t *c = json_array_get(conds, i);
        if (!strcmp(jstr(c, "type"), "PodScheduled") &&
            !strcmp(jstr(c, "reason"), "SchedulingGated")) {
            reason.len = 0;
            sb_puts(&reason, "SchedulingGated");
        }
    }

    const json_t *ics = jget(pod, "spec.initContainers");
    size_t n_init = json_is_array(ics) ? json_array_size(ics) : 0;
    for (size_t i = 0; i < n_init; i++)
        if (!strcmp(jstr(json_array_get(ics, i), "restartPolicy"), "Always"))
            total++;

    bool initializing = false;
    const json_t *iss = jget(pod, "status.initContainerStatuses");
    for (size_t i = 0; json_is_array(iss) && i < json_array_size(iss); i++) {
        const json_t *cs = json_array_get(iss, i);
        bool sidecar = restartable_init(pod, jstr(cs, "name"));
        restarts += jint(cs, "restartCount", 0);
        later_termination(cs, &last_restart);
        if (sidecar) {
            sidecar_restarts += jint(cs, "restartCount", 0);
            later_termination(cs, &last_sidecar_restart);
        }
        const json_t *term = jget(cs, "state.terminated");
        const json_t *wait = jget(cs, "state.waiting");
        if (json_is_object(term) && jint(term, "exitCode", 0) == 0)
            continue;
        if (sidecar && jbool(cs, "started")) {
            if (jbool(cs, "ready"))
                ready++;
            continue;
        }
        reason.len = 0;
        if (json_is_object(term)) { /* initialization failed */
            if (*jstr(term, "reason")) {
                sb_puts(&reason, "Init:");
                sb_puts(&reason, jstr(term, "reason"));
            } else if (jint(term, "signal", 0) != 0) {
                sb_printf(&reason, "Init:Signal:%lld", (long long)jint(term, "signal", 0));
            } else {
                sb_printf(&reason, "Init:ExitCode:%lld", (long long)jint(term, "exitCode", 0));
            }
        } else if (json_is_object(wait) && *jstr(wait, "reason") &&
                   strcmp(jstr(wait, "reason"), "PodInitializing")) {
            sb_puts(&reason, "Init:");
            sb_puts(&reason, jstr(wait, "reason"));
        } else {
            sb_printf(&reason, "Init:%zu/%zu", i, n_init);
        }
        initializing = true;
        break;
    }

    if (!initializing || has_condition(pod, "Initialized", "True")) {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        bool has_running = false;
        const json_t *css = jget(pod, "status.containerStatuses");
        for (size_t k = json_is_array(css) ? json_array_size(css) : 0; k > 0; k--) {
            const json_t *cs = json_array_get(css, k - 1);
            restarts += jint(cs, "restartCount", 0);
            later_termination(cs, &last_restart);
            const json_t *term = jget(cs, "state.terminated");
            const json_t *wait = jget(cs, "state.waiting");
            if (json_is_object(wait) && *jstr(wait, "reason")) {
                reason.len = 0;
                sb_puts(&reason, jstr(wait, "reason"));
            } else if (json_is_object(term) && *jstr(term, "reason")) {
                reason.len = 0;
                sb_puts(&reason, jstr(term, "reason"));
            } else if (json_is_object(term)) {
                reason.len = 0;
                if (jint(term, "signal", 0) != 0)
                    sb_printf(&reason, "Signal:%lld", (long long)jint(term, "signal", 0));
                else
                    sb_printf(&reason, "ExitCode:%lld", (long long)jint(term, "exitCode", 0));
            } else if (jbool(cs, "ready") && json_is_object(jget(cs, "state.running"))) {
                has_running = true;
                ready++;
            }
        }
        /* back to Running if a container still reports running */
        if (!strcmp(sb_str(&reason), "Completed") && has_running) {
            reason.len = 0;
            sb_puts(&reason, has_condition(pod, "Ready", "True") ? "Running" : "NotReady");
        }
    }

    if (jget(pod, "metadata.deletionTimestamp")) {
        if (!strcmp(jstr(pod, "status.reason"), "NodeLost")) {
            reason.len = 0;
            sb_puts(&reason, "Unknown");
        } else if (strcmp(phase, "Succeeded") && strcmp(phase, "Failed")) {
            reason.len = 0;
            sb_puts(&reason, "Terminating");
        }
    }

    char restarts_s[64], ago[32], ready_s[48];
    snprintf(restarts_s, sizeof(restarts_s), "%lld", (long long)restarts);
    if (restarts != 0 && last_restart.set) {
        since(&last_restart, now, ago, sizeof(ago));
        snprintf(restarts_s, sizeof(restarts_s), "%lld (%s ago)", (long long)restarts, ago);
    }
    snprintf(ready_s, sizeof(ready_s), "%lld/%lld", (long long)ready, (long long)total);

    const char *ip = jstr(json_array_get(jget(pod, "status.podIPs"), 0), "ip");
    struct sb gates = {0};
    const json_t *rg = jget(pod, "spec.readinessGates");
    size_t ngates = json_is_array(rg) ? json_array_size(rg) : 0;
    if (ngates == 0) {
        sb_puts(&gates, "<none>");
    } else {
        size_t ok = 0;
        for (size_t g = 0; g < ngates; g++)
            if (has_condition(pod, jstr(json_array_get(rg, g), "conditionType"), "True"))
                ok++;
        sb_printf(&gates, "%zu/%zu", ok, ngates);
    }

    add(row, cell_name(pod));
    add(row, cell_str(ready_s));
    add(row, cell_sb(&reason));
    add(row, cell_str(restarts_s));
    add(row, cell_age(pod, now));
    add(row, cell_str(or_none(ip)));
    add(row, cell_str(or_none(jstr(pod, "spec.nodeName"))));
    add(row, cell_str(or_none(jstr(pod, "status.nominatedNodeName"))));
    add(row, cell_sb(&gates));
}

/* ------------------------------------------------------------------------- */
/* JSONPath (the subset CRD printer columns use)                             */
/* ------------------------------------------------------------------------- */

#define JP_MAX_STEPS 32
#define JP_MAX_LEN 1024

enum jp_kind { JP_FIELD, JP_INDEX, JP_WILD, JP_FILTER };

struct jp_path;

struct jp_step {
    enum jp_kind kind;
    char *field;         /* JP_FIELD */
    long long index;     /* JP_INDEX */
    struct jp_path *lhs; /* JP_FILTER: path relative to @ */
    char op[3];          /* JP_FILTER: "" (exists), "==", "!=", "<", "<=", ">", ">=" */
    json_t *literal;     /* JP_FILTER: right-hand side, or NULL */
};

struct jp_path {
    struct jp_step steps[JP_MAX_STEPS];
    size_t n;
};

static void jp_free(struct jp_path *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->steps[i].field);
        jp_free(p->steps[i].lhs);
        json_decref(p->steps[i].literal);
    }
    free(p);
}

static struct jp_step *jp_push(struct jp_path *p, enum jp_kind kind)
{
    if (p->n == JP_MAX_STEPS)
        return NULL;
    struct jp_step *s = &p->steps[p->n++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    return s;
}

static void skip_ws(const char **s)
{
    while (**s == ' ' || **s == '\t')
        (*s)++;
}

/* A quoted string ('x' or "x", backslash escapes the next byte). */
static char *jp_quoted(const char **s)
{
    char q = **s;
    struct sb b = {0};
    (*s)++;
    while (**s && **s != q) {
        if (**s == '\\' && (*s)[1])
            (*s)++;
        sb_putn(&b, *s, 1);
        (*s)++;
    }
    if (**s != q) {
        sb_release(&b);
        return NULL;
    }
    (*s)++;
    char *r = fl_xstrdup(sb_str(&b));
    sb_release(&b);
    return r;
}

static json_t *jp_literal(const char **s)
{
    if (**s == '"' || **s == '\'') {
        char *q = jp_quoted(s);
        if (!q)
            return NULL;
        json_t *j = json_string(q);
        free(q);
        return j;
    }
    if (!strncmp(*s, "true", 4)) {
        *s += 4;
        return json_true();
    }
    if (!strncmp(*s, "false", 5)) {
        *s += 5;
        return json_false();
    }
    char *end;
    double d = strtod(*s, &end);
    if (end == *s)
        return NULL;
    bool integral = true;
    for (const char *c = *s; c < end; c++)
        if (*c == '.' || *c == 'e' || *c == 'E')
            integral = false;
    json_t *j = integral ? json_integer((json_int_t)strtoll(*s, NULL, 10)) : json_real(d);
    *s = end;
    return j;
}

static struct jp_path *jp_parse_rel(const char **s, bool in_filter);

/* The inside of [...], *s just past '['. */
static bool jp_bracket(const char **s, struct jp_path *p)
{
    struct jp_step *st;
    skip_ws(s);
    if (**s == '*') {
        (*s)++;
        if (!(st = jp_push(p, JP_WILD)))
            return false;
    } else if (**s == '\'' || **s == '"') {
        char *key = jp_quoted(s);
        if (!key || !(st = jp_push(p, JP_FIELD))) {
            free(key);
            return false;
        }
        st->field = key;
    } else if (**s == '?') {
        (*s)++;
        skip_ws(s);
        if (**s != '(')
            return false;
        (*s)++;
        skip_ws(s);
        if (**s != '@')
            return false;
        (*s)++;
        if (!(st = jp_push(p, JP_FILTER)))
            return false;
        st->lhs = jp_parse_rel(s, true);
        if (!st->lhs)
            return false;
        skip_ws(s);
        static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">"};
        for (size_t i = 0; i < FL_ARRAY_LEN(ops); i++) {
            if (!strncmp(*s, ops[i], strlen(ops[i]))) {
                snprintf(st->op, sizeof(st->op), "%s", ops[i]);
                *s += strlen(ops[i]);
                break;
            }
        }
        if (st->op[0]) {
            skip_ws(s);
            st->literal = jp_literal(s);
            if (!st->literal)
                return false;
            skip_ws(s);
        }
        if (**s != ')')
            return false;
        (*s)++;
    } else {
        char *end;
        long long idx = strtoll(*s, &end, 10);
        if (end == *s)
            return false; /* slices and unions are outside the subset */
        *s = end;
        if (!(st = jp_push(p, JP_INDEX)))
            return false;
        st->index = idx;
    }
    skip_ws(s);
    if (**s != ']')
        return false;
    (*s)++;
    return true;
}

/* A relative path: (.name | .* | [..])*. Inside a filter it stops at
 * whitespace, an operator or ')'. */
static struct jp_path *jp_parse_rel(const char **s, bool in_filter)
{
    struct jp_path *p = fl_xcalloc(1, sizeof(*p));
    for (;;) {
        if (**s == '.') {
            (*s)++;
            if (**s == '.')
                goto fail; /* recursive descent is outside the subset */
            if (**s == '*') {
                (*s)++;
                if (!jp_push(p, JP_WILD))
                    goto fail;
                continue;
            }
            struct sb name = {0};
            while (**s && **s != '.' && **s != '[' && !(in_filter && strchr(" \t=!<>)", **s))) {
                if (**s == '\\' && (*s)[1])
                    (*s)++;
                sb_putn(&name, *s, 1);
                (*s)++;
            }
            if (name.len == 0) {
                sb_release(&name);
                goto fail;
            }
            struct jp_step *st = jp_push(p, JP_FIELD);
            if (!st) {
                sb_release(&name);
                goto fail;
            }
            st->field = fl_xstrdup(sb_str(&name));
            sb_release(&name);
        } else if (**s == '[') {
            (*s)++;
            if (!jp_bracket(s, p))
                goto fail;
        } else {
            break;
        }
    }
    return p;
fail:
    jp_free(p);
    return NULL;
}

/* A whole printer-column path (".spec.x", "$.spec.x" or "{.spec.x}"). */
static struct jp_path *jp_parse(const char *path)
{
    if (!path || strlen(path) > JP_MAX_LEN)
        return NULL;
    char *copy = fl_xstrdup(path);
    char *s = copy;
    size_t len = strlen(s);
    if (len >= 2 && s[0] == '{' && s[len - 1] == '}') {
        s[len - 1] = '\0';
        s++;
    }
    if (*s == '$')
        s++;
    if (!*s) { /* printer columns name a field, never the whole object */
        free(copy);
        return NULL;
    }
    const char *c = s;
    struct jp_path *p = jp_parse_rel(&c, false);
    if (p && *c) { /* trailing garbage */
        jp_free(p);
        p = NULL;
    }
    free(copy);
    return p;
}

static const json_t *jp_first(const struct jp_step *s, size_t n, const json_t *cur);

static bool jp_filter_pass(const struct jp_step *st, const json_t *elem)
{
    const json_t *l = jp_first(st->lhs->steps, st->lhs->n, elem);
    if (!l)
        return false;
    if (!st->op[0])
        return true;
    const json_t *r = st->literal;
    int cmp;
    if (json_is_string(l) && json_is_string(r)) {
        cmp = strcmp(json_string_value(l), json_string_value(r));
    } else if (json_is_number(l) && json_is_number(r)) {
        double a = json_number_value(l), b = json_number_value(r);
        cmp = a < b ? -1 : a > b;
    } else if (json_is_boolean(l) && json_is_boolean(r)) {
        cmp = json_is_true(l) == json_is_true(r) ? 0 : 1;
        if (strcmp(st->op, "==") && strcmp(st->op, "!="))
            return false;
    } else {
        return false;
    }
    if (!strcmp(st->op, "=="))
        return cmp == 0;
    if (!strcmp(st->op, "!="))
        return cmp != 0;
    if (!strcmp(st->op, "<"))
        return cmp < 0;
    if (!strcmp(st->op, "<="))
        return cmp <= 0;
    if (!strcmp(st->op, ">"))
        return cmp > 0;
    return cmp >= 0;
}

/* The first value the steps reach from cur (document order), or NULL. Only
 * the first result is used for a cell, as upstream does. */
static const json_t *jp_first(const struct jp_step *s, size_t n, const json_t *cur)
{
    if (!cur)
        return NULL;
    if (n == 0)
        return cur;
    switch (s->kind) {
    case JP_FIELD:
        return json_is_object(cur) ? jp_first(s + 1, n - 1, json_object_get(cur, s->field)) : NULL;
    case JP_INDEX: {
        if (!json_is_array(cur))
            return NULL;
        long long len = (long long)json_array_size(cur);
        long long i = s->index < 0 ? len + s->index : s->index;
        if (i < 0 || i >= len)
            return NULL;
        return jp_first(s + 1, n - 1, json_array_get(cur, (size_t)i));
    }
    case JP_WILD:
        if (json_is_array(cur)) {
            for (size_t i = 0; i < json_array_size(cur); i++) {
                const json_t *r = jp_first(s + 1, n - 1, json_array_get(cur, i));
                if (r)
                    return r;
            }
        } else if (json_is_object(cur)) {
            for (void *it = obj_iter(cur); it; it = json_object_iter_next((json_t *)cur, it)) {
                const json_t *r = jp_first(s + 1, n - 1, json_object_iter_value(it));
                if (r)
                    return r;
            }
        }
        return NULL;
    case JP_FILTER:
        for (size_t i = 0; json_is_array(cur) && i < json_array_size(cur); i++) {
            const json_t *e = json_array_get(cur, i);
            if (jp_filter_pass(s, e)) {
                const json_t *r = jp_first(s + 1, n - 1, e);
                if (r)
                    return r;
            }
        }
        return NULL;
    }
    return NULL;
}

/* A float as Go's fmt %v prints it (strconv 'g', precision -1): the shortest
 * digits that round-trip, in exponent form when the exponent is below -4 or
 * at least 6 ("1e+06"), else plain ("123456.7"). */
static void go_float(double v, char *buf, size_t len)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* tmp is "[-]d.ddde[+-]XX": split digits and exponent */
    char digits[24];
    size_t nd = 0;
    const char *p = tmp;
    bool neg = *p == '-';
    if (neg)
        p++;
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p) && nd < sizeof(digits) - 1)
            digits[nd++] = *p;
    digits[nd] = '\0';
    int exp = *p == 'e' ? atoi(p + 1) : 0;
    if (exp < -4 || exp >= 6)
        snprintf(buf, len, "%s%c%s%se%c%02d", neg ? "-" : "", digits[0], nd > 1 ? "." : "",
                 nd > 1 ? digits + 1 : "", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    else
        snprintf(buf, len, "%.*f", (int)nd - 1 - exp > 0 ? (int)nd - 1 - exp : 0, v);
}

/* tableconvertor: the cell for a value under a column type. */
static json_t *crd_cell(const char *type, const json_t *v, int64_t now)
{
    if (!v)
        return json_null();
    if (!strcmp(type, "string")) {
        /* printed as kubectl's JSONPath prints a result */
        char buf[64];
        switch (json_typeof(v)) {
        case JSON_STRING:
            return json_deep_copy(v);
        case JSON_INTEGER:
            snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
            return cell_str(buf);
        case JSON_REAL:
            go_float(json_real_value(v), buf, sizeof(buf));
            return cell_str(buf);
        case JSON_TRUE:
            return cell_str("true");
        case JSON_FALSE:
            return cell_str("false");
        case JSON_NULL:
            return cell_str("<no value>");
        case JSON_OBJECT:
        case JSON_ARRAY: {
            char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
            json_t *c = cell_str(s ? s : "");
            free(s);
            return c;
        }
        }
        return json_null();
    }
    if (json_is_null(v))
        return json_null();
    if (!strcmp(type, "integer")) {
        if (json_is_integer(v))
            return json_integer(json_integer_value(v));
        if (json_is_real(v))
            return json_integer((json_int_t)json_real_value(v));
    } else if (!strcmp(type, "number")) {
        if (json_is_number(v))
            return json_real(json_number_value(v));
    } else if (!strcmp(type, "boolean")) {
        if (json_is_boolean(v))
            return json_boolean(json_is_true(v));
    } else if (!strcmp(type, "date")) {
        if (json_is_string(v)) {
            const char *s = json_string_value(v);
            struct ts t = {0};
            char buf[32];
            if (*s && strcmp(s, "null") && !parse_time(s, &t))
                return cell_str("<invalid>");
            since(&t, now, buf, sizeof(buf));
            return cell_str(buf);
        }
    }
    return json_null();
}

static json_t *path_cell(const char *type, const char *path, const json_t *obj, int64_t now)
{
    struct jp_path *p = jp_parse(path);
    if (!p)
        return json_null();
    json_t *c = crd_cell(type, jp_first(p->steps, p->n, obj), now);
    jp_free(p);
    return c;
}

/* Cells for a column table whose columns after Name are JSONPaths. */
static void path_cells(json_t *row, const struct fl_column *cols, const char *const *paths,
                       size_t n, const json_t *obj, int64_t now)
{
    add(row, cell_name(obj));
    for (size_t i = 1; i < n; i++)
        add(row, path_cell(cols[i].type, paths[i], obj, now));
}

/* ------------------------------------------------------------------------- */
/* Registry and public entry points                                          */
/* ------------------------------------------------------------------------- */

struct printer {
    const char *group, *resource;
    const struct fl_column *cols;
    size_t ncols;
    cells_fn cells;           /* code printer, or NULL: */
    const char *const *paths; /* CRD-style columns evaluated by JSONPath */
};

#define PRINTER(g, r, cols, fn)                                                                    \
    {                                                                                              \
        g, r, cols, FL_ARRAY_LEN(cols), fn, NULL                                                   \
    }
#define CRD_PRINTER(g, r, cols, paths)                                                             \
    {                                                                                              \
        g, r, cols, FL_ARRAY_LEN(cols), NULL, paths                                                \
    }

static const struct printer printers[] = {
    PRINTER("", "namespaces", namespace_cols, namespace_cells),
    PRINTER("", "configmaps", configmap_cols, configmap_cells),
    PRINTER("", "secrets", secret_cols, secret_cells),
    PRINTER("", "services", service_cols, service_cells),
    PRINTER("", "serviceaccounts", serviceaccount_cols, serviceaccount_cells),
    PRINTER("", "events", event_cols, event_cells),
    PRINTER("events.k8s.io", "events", event_cols, v1event_cells),
    PRINTER("", "pods", pod_cols, pod_cells),
    PRINTER("", "nodes", node_cols, node_cells),
    PRINTER("", "persistentvolumeclaims", pvc_cols, pvc_cells),
    PRINTER("", "endpoints", endpoints_cols, endpoints_cells),
    PRINTER("apps", "deployments", deployment_cols, deployment_cells),
    PRINTER("apps", "statefulsets", statefulset_cols, statefulset_cells),
    PRINTER("apps", "replicasets", replicaset_cols, replicaset_cells),
    PRINTER("apps", "daemonsets", daemonset_cols, daemonset_cells),
    PRINTER("apps", "controllerrevisions", controllerrevision_cols, controllerrevision_cells),
    PRINTER("autoscaling", "horizontalpodautoscalers", hpa_cols, hpa_cells),
    PRINTER("policy", "poddisruptionbudgets", pdb_cols, pdb_cells),
    PRINTER("discovery.k8s.io", "endpointslices", endpointslice_cols, endpointslice_cells),
    PRINTER("coordination.k8s.io", "leases", lease_cols, lease_cells),
    PRINTER("apiextensions.k8s.io", "customresourcedefinitions", crd_cols, crd_cells),
    PRINTER("cluster.karmada.io", "clusters", cluster_cols, cluster_cells),
    CRD_PRINTER("policy.karmada.io", "propagationpolicies", pp_cols, pp_paths),
    CRD_PRINTER("policy.karmada.io", "clusterpropagationpolicies", pp_cols, pp_paths),
    CRD_PRINTER("policy.karmada.io", "overridepolicies", default_cols, default_paths),
    CRD_PRINTER("policy.karmada.io", "clusteroverridepolicies", default_cols, default_paths),
    CRD_PRINTER("work.karmada.io", "resourcebindings", binding_cols, binding_paths),
    CRD_PRINTER("work.karmada.io", "clusterresourcebindings", binding_cols, binding_paths),
    CRD_PRINTER("autoscaling.karmada.io", "federatedhpas", fhpa_cols, fhpa_paths),
    CRD_PRINTER("autoscaling.karmada.io", "cronfederatedhpas", cronfhpa_cols, cronfhpa_paths),
};

static const struct printer default_printer = CRD_PRINTER("", "", default_cols, default_paths);

static const struct printer *find_printer(const char *group, const char *resource)
{
    for (size_t i = 0; i < FL_ARRAY_LEN(printers); i++)
        if (!strcmp(printers[i].group, group ? group : "") &&
            !strcmp(printers[i].resource, resource ? resource : ""))
            return &printers[i];
    return &default_printer;
}

const struct fl_column *fl_printer_columns(const char *group, const char *resource, size_t *n)
{
    const struct printer *p = find_printer(group, resource);
    *n = p->ncols;
    return p->cols;
}

static json_t *column_json(const char *name, const char *type, const char *format,
                           const char *description, json_int_t priority)
{
    json_t *c = json_object();
    json_object_set_new(c, "name", cell_str(name));
    json_object_set_new(c, "type", cell_str(type));
    json_object_set_new(c, "format", cell_str(format));
    json_object_set_new(c, "description", cell_str(description));
    json_object_set_new(c, "priority", json_integer(priority));
    return c;
}

json_t *fl_printer_columns_json(const struct fl_column *cols, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, column_json(cols[i].name, cols[i].type, cols[i].format,
                                             cols[i].description, cols[i].priority));
    return a;
}

json_t *fl_printer_cells(const char *group, const char *resource, const json_t *obj, int64_t now)
{
    const struct printer *p = find_printer(group, resource);
    json_t *row = json_array();
    if (p->cells)
        p->cells(row, obj, now);
    else
        path_cells(row, p->cols, p->paths, p->ncols, obj, now);
    if (NEVER(json_array_size(row) != p->ncols)) {
        /* a printer bug; keep the table well-formed */
        while (json_array_size(row) < p->ncols)
            json_array_append_new(row, json_null());
        while (json_array_size(row) > p->ncols)
            json_array_remove(row, json_array_size(row) - 1);
    }
    return row;
}

json_t *fl_printer_row_conditions(const char *group, const char *resource, const json_t *obj)
{
    if (strcmp(group ? group : "", "") || strcmp(resource ? resource : "", "pods"))
        return NULL;
    const char *phase = jstr(obj, "status.phase");
    const char *msg;
    if (!strcmp(phase, "Succeeded"))
        msg = "The pod has completed successfully.";
    else if (!strcmp(phase, "Failed"))
        msg = "The pod failed.";
    else
        return NULL;
    return json_pack("[{s:s, s:s, s:s, s:s}]", "type", "Completed", "status", "True", "reason",
                     phase, "message", msg);
}

/* The declared columns, or upstream's default when none are. */
static bool crd_declares(const json_t *apc)
{
    return json_is_array(apc) && json_array_size(apc) > 0;
}

json_t *fl_printer_crd_columns(const json_t *apc)
{
    if (!crd_declares(apc))
        return fl_printer_columns_json(default_cols, FL_ARRAY_LEN(default_cols));
    json_t *a = json_array();
    json_array_append_new(a, column_json("Name", "string", "name", D_NAME, 0));
    for (size_t i = 0; i < json_array_size(apc); i++) {
        const json_t *c = json_array_get(apc, i);
        const char *desc = jstr(c, "description");
        char *fallback = NULL;
        if (!*desc)
            desc = fallback = fl_xasprintf(D_CRD_COL "%s", jstr(c, "jsonPath"));
        json_array_append_new(a, column_json(jstr(c, "name"), jstr(c, "type"), jstr(c, "format"),
                                             desc, (json_int_t)jint(c, "priority", 0)));
        free(fallback);
    }
    return a;
}

json_t *fl_printer_crd_cells(const json_t *apc, const json_t *obj, int64_t now)
{
    json_t *row = json_array();
    if (!crd_declares(apc)) {
        path_cells(row, default_cols, default_paths, FL_ARRAY_LEN(default_cols), obj, now);
        return row;
    }
    add(row, cell_name(obj));
    for (size_t i = 0; i < json_array_size(apc); i++) {
        const json_t *c = json_array_get(apc, i);
        add(row, path_cell(jstr(c, "type"), jstr(c, "jsonPath"), obj, now));
    }
    return row;
}
