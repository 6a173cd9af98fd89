/*
 * libFuzzer driver for the kind hooks (api/kinds*.c): the input, when it is
 * a JSON object, goes through the defaults and validation of every kind.
 * Defaults must be idempotent and never fail on any shape of input, and
 * validation must leave a well-formed error (at most FL_ERR_CAUSES_MAX
 * causes, NUL-terminated fields and messages).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/kinds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[][2] = {
    {"", "Namespace"},
    {"", "ConfigMap"},
    {"", "Secret"},
    {"", "Service"},
    {"", "ServiceAccount"},
    {"", "Event"},
    {"", "Pod"},
    {"", "Node"},
    {"", "PersistentVolumeClaim"},
    {"", "Endpoints"},
    {"apps", "Deployment"},
    {"apps", "StatefulSet"},
    {"apps", "ReplicaSet"},
    {"apps", "DaemonSet"},
    {"apps", "ControllerRevision"},
    {"autoscaling", "HorizontalPodAutoscaler"},
    {"policy", "PodDisruptionBudget"},
    {"discovery.k8s.io", "EndpointSlice"},
    {"coordination.k8s.io", "Lease"},
    {"apiextensions.k8s.io", "CustomResourceDefinition"},
    {"cluster.karmada.io", "Cluster"},
    {"policy.karmada.io", "PropagationPolicy"},
    {"policy.karmada.io", "ClusterPropagationPolicy"},
    {"policy.karmada.io", "OverridePolicy"},
    {"policy.karmada.io", "ClusterOverridePolicy"},
    {"work.karmada.io", "ResourceBinding"},
    {"work.karmada.io", "ClusterResourceBinding"},
    {"autoscaling.karmada.io", "FederatedHPA"},
    {"autoscaling.karmada.io", "CronFederatedHPA"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    if (!json_is_object(in)) {
        json_decref(in);
        return 0;
    }
    for (size_t i = 0; i < FL_ARRAY_LEN(kinds); i++) {
        const struct fl_kind_hooks *h = fl_kind_hooks_find(kinds[i][0], kinds[i][1]);
        if (!h)
            abort();
        json_t *doc = json_deep_copy(in);
        if (h->defaults) {
            h->defaults(doc);
            json_t *again = json_deep_copy(doc);
            h->defaults(again);
            /* the permanent-id labels and taint timestamps are set once, then kept */
            if (!json_equal(doc, again))
                abort();
            json_decref(again);
        }
        struct fl_err err;
        fl_err_clear(&err);
        if (h->validate)
            h->validate(doc, &err);
        if (err.ncauses < 0 || err.ncauses > FL_ERR_CAUSES_MAX)
            abort();
        for (int c = 0; c < err.ncauses; c++)
            if (!memchr(err.causes[c].message, 0, sizeof(err.causes[c].message)) ||
                !memchr(err.causes[c].field, 0, sizeof(err.causes[c].field)))
                abort();
        json_decref(doc);
    }
    json_decref(in);
    return 0;
}
