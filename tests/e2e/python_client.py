"""The Python kubernetes client, unchanged, against Flotilla.

Run by t1200-python-client.sh with Debian's /usr/bin/python3 and its
python3-kubernetes: python_client.py KUBECONFIG. Each check is a function;
a check that raises is reported as one FAIL line (the call, what was
expected, what came back) and the others still run; the exit status is 1 if
any failed. The client is used as its users use it: typed models for core
and apps objects (so the client's own deserialization and required-field
validation judge the server's replies), dicts for custom objects, ApiException
for errors, kubernetes.watch for watches.
"""
import sys
import threading
import time
import traceback

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NS = "py-e2e"
FAILURES = []


class CheckFailed(Exception):
    pass


def expect(cond, what, got):
    if not cond:
        raise CheckFailed("expected %s, got %r" % (what, got))


def run(fn):
    name = fn.__name__
    try:
        fn()
        print("ok   %s" % name)
    except CheckFailed as e:
        FAILURES.append(name)
        print("FAIL: [%s] %s" % (name, e))
    except ApiException as e:
        FAILURES.append(name)
        print("FAIL: [%s] unexpected ApiException %s %s: %s" % (name, e.status, e.reason, (e.body or "")[:600]))
    except Exception as e:  # the client choking on a reply is a failure too
        FAILURES.append(name)
        tb = traceback.extract_tb(e.__traceback__)
        where = "; ".join("%s:%d %s" % (f.filename.rsplit("/", 1)[-1], f.lineno, f.name) for f in tb[-3:])
        print("FAIL: [%s] %s: %s (at %s)" % (name, type(e).__name__, str(e)[:600], where))


def api_error(call, *args, **kwargs):
    """call(*args) must raise ApiException; returns it."""
    try:
        r = call(*args, **kwargs)
    except ApiException as e:
        return e
    raise CheckFailed("expected an ApiException from %s, got a reply: %r" % (call.__name__, r))


config.load_kube_config(config_file=sys.argv[1])
core = client.CoreV1Api()
apps = client.AppsV1Api()
custom = client.CustomObjectsApi()


def deployment(name, replicas=2, labels=None):
    labels = labels or {"app": name}
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels={"app": name}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": name}),
                spec=client.V1PodSpec(containers=[
                    client.V1Container(name="web", image="nginx:1.27",
                                       ports=[client.V1ContainerPort(container_port=80)]),
                    client.V1Container(name="sidecar", image="busybox:1.36", command=["sleep", "infinity"]),
                ]))))


def merge_patch_deployment(name, body):
    """A JSON merge patch. python3-kubernetes 22 sends a dict body as a
    strategic merge patch and has no _content_type argument, so this is the
    call its users make for a merge patch (newer clients accept
    _content_type="application/merge-patch+json")."""
    return apps.api_client.call_api(
        "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "PATCH",
        path_params={"namespace": NS, "name": name}, query_params=[],
        header_params={"Content-Type": "application/merge-patch+json", "Accept": "application/json"},
        body=body, response_type="V1Deployment", auth_settings=["BearerToken"],
        _return_http_data_only=True, _preload_content=True)


# ---- checks ------------------------------------------------------------------

def create_namespace():
    ns = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS, labels={"team": "py"})))
    expect(ns.metadata.name == NS, "the created namespace named %s" % NS, ns.metadata.name)
    expect(bool(ns.metadata.uid) and bool(ns.metadata.resource_version), "uid and resourceVersion", ns.metadata)
    expect(ns.status is not None and ns.status.phase == "Active", "status.phase Active", ns.status)
    got = core.read_namespace(NS)
    expect(got.metadata.labels.get("team") == "py", "label team=py", got.metadata.labels)


def create_configmap():
    cm = core.create_namespaced_config_map(NS, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="cfg", labels={"app": "py", "tier": "be"}),
        data={"greeting": "hello", "multi": "a\nb\n"}))
    expect(cm.data == {"greeting": "hello", "multi": "a\nb\n"}, "the data back", cm.data)
    expect(cm.metadata.namespace == NS, "namespace %s" % NS, cm.metadata.namespace)
    expect(cm.metadata.creation_timestamp is not None, "a creationTimestamp (parsed to datetime)",
           cm.metadata.creation_timestamp)
    core.create_namespaced_config_map(NS, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="other", labels={"app": "other"}), data={"k": "v"}))


def create_deployment():
    d = apps.create_namespaced_deployment(NS, deployment("web"))
    expect(d.spec.replicas == 2, "spec.replicas 2", d.spec.replicas)
    expect([c.name for c in d.spec.template.spec.containers] == ["web", "sidecar"], "containers web, sidecar",
           d.spec.template.spec.containers)
    expect(d.metadata.generation == 1, "metadata.generation 1", d.metadata.generation)


def deployment_defaults():
    # What kube-apiserver's defaulting fills in, read back through the models.
    d = apps.read_namespaced_deployment("web", NS)
    s = d.spec
    got = (s.progress_deadline_seconds, s.revision_history_limit, s.strategy and s.strategy.type,
           s.template.spec.restart_policy, s.template.spec.containers[0].image_pull_policy,
           s.template.spec.containers[0].ports[0].protocol)
    expect(got == (600, 10, "RollingUpdate", "Always", "IfNotPresent", "TCP"),
           "defaults (600, 10, RollingUpdate, Always, IfNotPresent, TCP)", got)


def list_label_selector():
    names = sorted(i.metadata.name for i in core.list_namespaced_config_map(NS, label_selector="app=py").items)
    expect(names == ["cfg"], "['cfg'] for app=py", names)
    names = sorted(i.metadata.name for i in core.list_namespaced_config_map(NS, label_selector="app in (py,other),tier!=x").items)
    expect(names == ["cfg", "other"], "['cfg', 'other'] for app in (py,other),tier!=x", names)
    names = [i.metadata.name for i in core.list_namespaced_config_map(NS, label_selector="app=none").items]
    expect(names == [], "no items for app=none", names)
    lst = core.list_namespaced_config_map(NS, field_selector="metadata.name=other")
    expect([i.metadata.name for i in lst.items] == ["other"], "['other'] by field selector",
           [i.metadata.name for i in lst.items])
    expect(bool(lst.metadata.resource_version), "a list resourceVersion", lst.metadata)
    deps = apps.list_namespaced_deployment(NS, label_selector="app=web")
    expect([i.metadata.name for i in deps.items] == ["web"], "['web'] deployments", [i.metadata.name for i in deps.items])
    allns = core.list_config_map_for_all_namespaces(label_selector="app=py")
    expect([(i.metadata.namespace, i.metadata.name) for i in allns.items] == [(NS, "cfg")],
           "[(%r, 'cfg')] across namespaces" % NS, [(i.metadata.namespace, i.metadata.name) for i in allns.items])
    page = core.list_namespaced_config_map(NS, limit=1)
    expect(len(page.items) == 1 and bool(page.metadata._continue), "one item and a continue token", page.metadata)
    rest = core.list_namespaced_config_map(NS, limit=1, _continue=page.metadata._continue)
    expect(len(rest.items) == 1 and rest.items[0].metadata.name != page.items[0].metadata.name,
           "the next item on the second page", [i.metadata.name for i in rest.items])


def watch_query_true():
    # The client sends ?watch=True (Python's str(True)); kube-apiserver takes
    # any value but "0"/"false" as true, so this is a watch, not a list.
    r = core.list_namespaced_config_map(NS, watch=True, timeout_seconds=1, _preload_content=False)
    first = r.readline()[:300] if hasattr(r, "readline") else r.data[:300]
    r.close()  # not release_conn(): the unread stream must not go back to the pool
    r.release_conn()
    expect(first.startswith(b'{"type":"ADDED"'), "a watch event first for ?watch=True (not a ConfigMapList)", first)


def watch_events():
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS + "-watch")))
    wns = NS + "-watch"
    core.create_namespaced_config_map(wns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="marker")))
    seen = []
    errors = []

    def writer():
        try:
            core.create_namespaced_config_map(wns, client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name="w1"), data={"v": "1"}))
            core.patch_namespaced_config_map("w1", wns, {"data": {"v": "2"}})
            core.delete_namespaced_config_map("w1", wns)
        except Exception as e:  # reported below
            errors.append(e)

    w = watch.Watch()
    started = None
    t0 = time.time()
    for ev in w.stream(core.list_namespaced_config_map, wns, timeout_seconds=5):
        obj = ev["object"]
        expect(isinstance(obj, client.V1ConfigMap), "events deserialized to V1ConfigMap", type(obj))
        seen.append((ev["type"], obj.metadata.name, (obj.data or {}).get("v")))
        if started is None:
            # The first event (the marker, ADDED) shows the watch is open.
            started = threading.Thread(target=writer)
            started.start()
        if ev["type"] == "DELETED" and obj.metadata.name == "w1":
            w.stop()
    if started:
        started.join(10)
    expect(not errors, "the writes from the thread to succeed", errors)
    expect(seen[:1] == [("ADDED", "marker", None)], "the marker ADDED first (the watch's initial state)", seen)
    w1 = [s for s in seen if s[1] == "w1"]
    expect(w1 == [("ADDED", "w1", "1"), ("MODIFIED", "w1", "2"), ("DELETED", "w1", "2")],
           "ADDED, MODIFIED, DELETED for w1", seen)
    expect(time.time() - t0 < 5, "the events before the 5 s timeout", time.time() - t0)

    # A watch that sees nothing ends by itself at timeout_seconds.
    t0 = time.time()
    events = list(watch.Watch().stream(core.list_namespaced_config_map, wns, label_selector="none=here",
                                       timeout_seconds=1))
    took = time.time() - t0
    expect(events == [] and took < 4, "no events and the end of the stream after ~1 s", (events, took))


def patch_merge_replicas():
    d = merge_patch_deployment("web", {"spec": {"replicas": 4}})
    expect(d.spec.replicas == 4, "spec.replicas 4 from the merge patch", d.spec.replicas)
    expect(len(d.spec.template.spec.containers) == 2, "both containers still there", d.spec.template.spec.containers)
    expect(apps.read_namespaced_deployment("web", NS).spec.replicas == 4, "replicas 4 when read back", None)


def patch_strategic_labels():
    # A dict body goes as application/strategic-merge-patch+json.
    d = apps.patch_namespaced_deployment("web", NS, {"metadata": {"labels": {"release": "stable"}}})
    expect(d.metadata.labels == {"app": "web", "release": "stable"}, "labels app=web, release=stable",
           d.metadata.labels)
    # Containers merge by name: the other container stays.
    d = apps.patch_namespaced_deployment("web", NS, {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "image": "busybox:1.37"}]}}}})
    got = [(c.name, c.image) for c in d.spec.template.spec.containers]
    expect(got == [("web", "nginx:1.27"), ("sidecar", "busybox:1.37")], "the sidecar's image changed, web kept", got)
    # A list body goes as a JSON patch.
    d = apps.patch_namespaced_deployment("web", NS, [{"op": "remove", "path": "/metadata/labels/release"}])
    expect(d.metadata.labels == {"app": "web"}, "the release label removed by the JSON patch", d.metadata.labels)


def patch_scale():
    s = apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 6}})
    expect(s.spec.replicas == 6, "the scale subresource at 6", s.spec.replicas)
    s = apps.read_namespaced_deployment_scale("web", NS)
    expect(s.kind == "Scale" and s.spec.replicas == 6, "a Scale of 6 read back", s)
    expect(apps.read_namespaced_deployment("web", NS).spec.replicas == 6, "the deployment at 6", None)


def read_objects():
    cm = core.read_namespaced_config_map("cfg", NS)
    expect(cm.data["greeting"] == "hello" and cm.metadata.labels["app"] == "py", "cfg as created", cm)
    d = apps.read_namespaced_deployment("web", NS)
    expect(d.metadata.name == "web" and d.spec.selector.match_labels == {"app": "web"}, "web as created", d)
    # _preload_content=False: the raw JSON, as kubernetes' own helpers read it.
    import json
    raw = json.loads(core.read_namespaced_config_map("cfg", NS, _preload_content=False).data)
    expect(raw["kind"] == "ConfigMap" and raw["apiVersion"] == "v1", "kind/apiVersion in the raw reply",
           (raw.get("kind"), raw.get("apiVersion")))


def replace_configmap():
    cm = core.read_namespaced_config_map("cfg", NS)
    old_rv = cm.metadata.resource_version
    cm.data = {"greeting": "bonjour"}
    new = core.replace_namespaced_config_map("cfg", NS, cm)
    expect(new.data == {"greeting": "bonjour"}, "the replaced data", new.data)
    expect(new.metadata.resource_version != old_rv, "a new resourceVersion", new.metadata.resource_version)
    # The old resourceVersion is stale now: 409 Conflict.
    cm.metadata.resource_version = old_rv
    cm.data = {"greeting": "hallo"}
    e = api_error(core.replace_namespaced_config_map, "cfg", NS, cm)
    expect(e.status == 409, "status 409 for a stale resourceVersion", (e.status, e.body))
    expect('"reason":"Conflict"' in e.body.replace(" ", ""), "reason Conflict in the Status", e.body)
    d = apps.read_namespaced_deployment("web", NS)
    d.spec.template.spec.containers[0].image = "nginx:1.28"
    d = apps.replace_namespaced_deployment("web", NS, d)
    expect(d.spec.template.spec.containers[0].image == "nginx:1.28", "the replaced image",
           d.spec.template.spec.containers[0].image)
    expect(d.metadata.generation > 1, "generation bumped by a spec change",
           d.metadata.generation)


def not_found_404():
    e = api_error(core.read_namespaced_config_map, "missing", NS)
    expect(e.status == 404, "status 404", e.status)
    expect(e.reason == "Not Found", "reason 'Not Found'", e.reason)
    expect('configmaps \\"missing\\" not found' in e.body, 'the message configmaps "missing" not found', e.body)
    e = api_error(apps.read_namespaced_deployment, "missing", NS)
    expect(e.status == 404 and 'deployments.apps \\"missing\\" not found' in e.body,
           '404 deployments.apps "missing" not found', (e.status, e.body))
    e = api_error(core.delete_namespaced_config_map, "missing", NS)
    expect(e.status == 404, "404 deleting a missing object", e.status)
    e = api_error(core.list_namespaced_config_map, NS, label_selector="a in (")
    expect(e.status == 400, "400 for a bad label selector", (e.status, e.body))


def conflict_409():
    e = api_error(core.create_namespaced_config_map, NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="cfg")))
    expect(e.status == 409, "status 409", e.status)
    expect('"reason":"AlreadyExists"' in e.body.replace(" ", ""), "reason AlreadyExists", e.body)
    expect('configmaps \\"cfg\\" already exists' in e.body, 'the message configmaps "cfg" already exists', e.body)
    e = api_error(apps.create_namespaced_deployment, NS, deployment("web"))
    expect(e.status == 409, "409 for a duplicate deployment", (e.status, e.body))
    e = api_error(core.create_namespace, client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
    expect(e.status == 409, "409 for a duplicate namespace", (e.status, e.body))


def invalid_422():
    e = api_error(core.create_namespaced_config_map, NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="Not_Valid")))
    expect(e.status == 422, "status 422 for an invalid name", (e.status, e.body))
    expect('"reason":"Invalid"' in e.body.replace(" ", ""), "reason Invalid", e.body)


def delete_objects():
    st = core.delete_namespaced_config_map("other", NS)
    expect(st is not None, "a reply to the delete", st)
    e = api_error(core.read_namespaced_config_map, "other", NS)
    expect(e.status == 404, "404 after the delete", e.status)
    apps.create_namespaced_deployment(NS, deployment("doomed"))
    apps.delete_namespaced_deployment("doomed", NS, body=client.V1DeleteOptions(propagation_policy="Foreground"))
    for _ in range(50):
        try:
            apps.read_namespaced_deployment("doomed", NS)
        except ApiException as e:
            expect(e.status == 404, "404 for the deleted deployment", e.status)
            break
        time.sleep(0.1)
    else:
        raise CheckFailed("expected deployment doomed gone within 5 s after a foreground delete")
    core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="c-1", labels={"batch": "1"})))
    core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="c-2", labels={"batch": "1"})))
    core.delete_collection_namespaced_config_map(NS, label_selector="batch=1")
    left = [i.metadata.name for i in core.list_namespaced_config_map(NS, label_selector="batch=1").items]
    expect(left == [], "no batch=1 configmaps after delete_collection", left)


PP = {
    "apiVersion": "policy.karmada.io/v1alpha1",
    "kind": "PropagationPolicy",
    "metadata": {"name": "web-pp", "labels": {"owner": "py"}},
    "spec": {
        "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
        "placement": {
            "clusterAffinity": {"clusterNames": ["member1", "member2"]},
            "replicaScheduling": {
                "replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {"staticWeightList": [
                    {"targetCluster": {"clusterNames": ["member1"]}, "weight": 1},
                    {"targetCluster": {"clusterNames": ["member2"]}, "weight": 3},
                ]},
            },
        },
    },
}
G, V, P = "policy.karmada.io", "v1alpha1", "propagationpolicies"


def custom_objects_propagation_policy():
    o = custom.create_namespaced_custom_object(G, V, NS, P, PP)
    expect(o["metadata"]["name"] == "web-pp" and o["kind"] == "PropagationPolicy", "the created policy",
           (o.get("kind"), o.get("metadata")))
    expect(bool(o["metadata"].get("uid")), "a uid", o["metadata"])
    o = custom.get_namespaced_custom_object(G, V, NS, P, "web-pp")
    w = o["spec"]["placement"]["replicaScheduling"]["weightPreference"]["staticWeightList"]
    expect([x["weight"] for x in w] == [1, 3], "the static weights 1, 3", w)
    lst = custom.list_namespaced_custom_object(G, V, NS, P, label_selector="owner=py")
    expect(lst["kind"] == "PropagationPolicyList" and [i["metadata"]["name"] for i in lst["items"]] == ["web-pp"],
           "a PropagationPolicyList with web-pp", (lst.get("kind"), [i["metadata"]["name"] for i in lst["items"]]))
    lst = custom.list_cluster_custom_object(G, V, P)
    expect(any(i["metadata"]["name"] == "web-pp" and i["metadata"]["namespace"] == NS for i in lst["items"]),
           "web-pp in the list across namespaces", [i["metadata"] for i in lst["items"]])
    # patch_namespaced_custom_object sends a JSON merge patch.
    o = custom.patch_namespaced_custom_object(G, V, NS, P, "web-pp",
                                              {"spec": {"placement": {"clusterAffinity": {"clusterNames": ["member3"]}}}})
    expect(o["spec"]["placement"]["clusterAffinity"]["clusterNames"] == ["member3"], "clusterNames [member3]",
           o["spec"]["placement"]["clusterAffinity"])
    expect(o["spec"]["placement"]["replicaScheduling"]["replicaDivisionPreference"] == "Weighted",
           "the rest of placement kept by the merge patch", o["spec"]["placement"])
    e = api_error(custom.create_namespaced_custom_object, G, V, NS, P, PP)
    expect(e.status == 409, "409 for a duplicate policy", (e.status, e.body))
    custom.delete_namespaced_custom_object(G, V, NS, P, "web-pp")
    e = api_error(custom.get_namespaced_custom_object, G, V, NS, P, "web-pp")
    expect(e.status == 404, "404 after the delete", (e.status, e.body))


def custom_objects_cluster_scoped():
    cpp = {"apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterPropagationPolicy",
           "metadata": {"name": "py-cpp"},
           "spec": {"resourceSelectors": [{"apiVersion": "v1", "kind": "Namespace", "name": NS}],
                    "placement": {"clusterAffinity": {"clusterNames": ["member1"]}}}}
    o = custom.create_cluster_custom_object(G, V, "clusterpropagationpolicies", cpp)
    expect(o["metadata"]["name"] == "py-cpp" and "namespace" not in o["metadata"], "a cluster-scoped policy",
           o["metadata"])
    o = custom.get_cluster_custom_object(G, V, "clusterpropagationpolicies", "py-cpp")
    expect(o["spec"]["resourceSelectors"][0]["name"] == NS, "the selector back", o["spec"])
    custom.delete_cluster_custom_object(G, V, "clusterpropagationpolicies", "py-cpp")
    e = api_error(custom.get_cluster_custom_object, G, V, "clusterpropagationpolicies", "py-cpp")
    expect(e.status == 404, "404 after the delete", e.status)


def propagation_policy_defaults():
    o = custom.create_namespaced_custom_object(G, V, NS, P, dict(PP, metadata={"name": "defaults-pp"}))
    got = {k: o["spec"].get(k) for k in ("conflictResolution", "preemption", "priority", "schedulerName")}
    expect(got == {"conflictResolution": "Abort", "preemption": "Never", "priority": 0,
                   "schedulerName": "default-scheduler"}, "Karmada's CRD defaults", got)


CHECKS = [create_namespace, create_configmap, create_deployment, list_label_selector, watch_query_true, watch_events,
          patch_merge_replicas, patch_strategic_labels, patch_scale, read_objects, replace_configmap,
          not_found_404, conflict_409, invalid_422, delete_objects, custom_objects_propagation_policy,
          custom_objects_cluster_scoped, deployment_defaults, propagation_policy_defaults]

if __name__ == "__main__":
    for check in CHECKS:
        run(check)
    if FAILURES:
        print("%d check(s) failed: %s" % (len(FAILURES), ", ".join(FAILURES)))
        sys.exit(1)
