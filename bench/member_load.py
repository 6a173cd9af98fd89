#!/usr/bin/python3
"""Load and measuring client of bench/member.sh (standard library only).

  member_load.py fleet FILE CLUSTERS NODES CPU MEMORY PODS [POD_START_DELAY]
      write a fleet file: CLUSTERS clusters (m000, m001, ...; one cluster is
      named "scale") with one pool "cpu" of NODES nodes each
  member_load.py nodes PID TIMEOUT_S NODES_PER_CLUSTER watch|list PORT...
      watch (or LIST, in pages) /api/v1/nodes on every port until each
      cluster has NODES_PER_CLUSTER nodes whose Ready condition is True
  member_load.py pods PID TIMEOUT_S PORT DEPLOYMENTS REPLICAS [KIND [WAIT [CREATORS]]]
      create DEPLOYMENTS Deployments of REPLICAS replicas each (small
      requests) over CREATORS connections (8) and wait until every pod is
      Running; KIND "pods" creates the DEPLOYMENTS x REPLICAS pods themselves
      (no workload controllers involved). WAIT "watch" (the default) watches
      /api/v1/pods from before the first create; "poll" opens no watch and
      polls the Deployments' status (see pods() below).

A watch (one stream per cluster) adds little to the server's CPU, as the
server encodes each event once and this process parses it, but a burst of
events waits in the server's output buffer, which shows in its RSS; so the
waits can also LIST (nodes, in pages) or poll the Deployments' status (pods).
Results are key=value lines on stdout (times are Unix epoch seconds, so the
caller can subtract its own start time); the server's CPU time (from
/proc/PID/stat) over the step is reported too, and so is this client's.
Exits non-zero, with the reason on stderr, on any error: a refused
connection, a non-2xx answer, an ERROR watch event, a watch the server ends,
a pod that fails, or the timeout.
"""
import asyncio
import http.client
import json
import os
import resource
import sys
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
HZ = os.sysconf("SC_CLK_TCK")


def fail(msg):
    print("member_load: " + msg, file=sys.stderr)
    sys.exit(1)


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / HZ  # utime + stime (fields 14, 15)


def self_cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# ---- fleet file --------------------------------------------------------------

def fleet(path, clusters, nodes, cpu, memory, pods, start_delay="0s"):
    clusters, nodes = int(clusters), int(nodes)
    out = ["clusters:"]
    for i in range(clusters):
        name = "scale" if clusters == 1 else "m%03d" % i
        out.append("- name: %s" % name)
        out.append("  nodePools:")
        out.append('  - {name: cpu, count: %d, capacity: {cpu: "%s", memory: %s, pods: "%s"}}'
                   % (nodes, cpu, memory, pods))
        out.append("  podStartDelay: %s" % start_delay)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# ---- watch streams -------------------------------------------------------------

class WatchEnded(Exception):
    pass


async def watch(port, path, on_event):
    """GET path (a watch) and call on_event(type, object) for each event until
    the task is cancelled. Chunked transfer encoding, one JSON event a line."""
    r, w = await asyncio.open_connection(HOST, port, limit=1 << 26)
    try:
        w.write(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: application/json\r\n"
                 "User-Agent: flotilla-bench-member\r\n\r\n" % (path, HOST, port)).encode())
        status = await r.readline()
        parts = status.split(None, 2)
        if len(parts) < 2 or parts[1] != b"200":
            body = await asyncio.wait_for(r.read(2000), 5)
            raise WatchEnded("port %d GET %s: %s %s" % (port, path, status.strip().decode(errors="replace"),
                                                        body[:500].decode(errors="replace")))
        chunked = False
        while True:
            h = await r.readline()
            if h in (b"\r\n", b"\n", b""):
                break
            k, _, v = h.partition(b":")
            if k.strip().lower() == b"transfer-encoding" and b"chunked" in v.lower():
                chunked = True
        buf = b""
        while True:
            if chunked:
                size = int((await r.readline()).split(b";")[0], 16)
                if size == 0:
                    break
                data = (await r.readexactly(size + 2))[:-2]
            else:
                data = await r.read(1 << 20)
                if not data:
                    break
            buf += data
            if b"\n" not in data:
                continue
            lines = buf.split(b"\n")
            buf = lines.pop()
            for line in lines:
                if line.strip():
                    ev = json.loads(line)
                    if ev.get("type") == "ERROR":
                        raise WatchEnded("port %d watch %s: ERROR event %s" % (port, path, line[:500]))
                    on_event(ev["type"], ev["object"])
        raise WatchEnded("port %d: the server ended the watch %s" % (port, path))
    except (ConnectionError, asyncio.IncompleteReadError) as e:
        raise WatchEnded("port %d watch %s: %s" % (port, path, e))
    finally:
        w.close()


async def until(done, tasks, deadline, what):
    """Wait for the future done; a task that fails (a watch ending, the
    creates) raises its error at once."""
    pending = set(tasks)
    while not done.done():
        left = deadline - time.time()
        if left <= 0:
            raise TimeoutError(what)
        finished, pending = await asyncio.wait(pending | {done}, timeout=left,
                                               return_when=asyncio.FIRST_COMPLETED)
        pending.discard(done)
        for t in finished:
            if t is not done:
                t.result()  # raises the task's error


def is_ready(node):
    for c in (node.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


# ---- nodes --------------------------------------------------------------------

def list_all(conn, path, page=500):
    """Every item of a LIST, in pages of `page` (limit/continue), so no
    answer is larger than a page; conn is a keep-alive HTTPConnection."""
    items, cont = [], ""
    while True:
        q = "%s?limit=%d" % (path, page) + ("&continue=" + urllib.parse.quote(cont) if cont else "")
        conn.request("GET", q)
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("GET %s: HTTP %d %s" % (q, r.status, data[:500]))
        d = json.loads(data)
        items += d["items"]
        cont = d["metadata"].get("continue")
        if not cont:
            return items


def nodes_listed(pid, deadline, per_cluster, ports):
    """The list wait: LIST each cluster's nodes (pages of 500) until it has
    per_cluster Ready; a cluster is not listed again once it has. Round after
    round, 0.2 s apart. Returns (time all were Ready, LISTs, nodes)."""
    conns = {p: http.client.HTTPConnection(HOST, p, timeout=120) for p in ports}
    left, lists, seen = list(ports), 0, {}
    try:
        while True:
            for p in list(left):
                items = list_all(conns[p], "/api/v1/nodes")
                lists += 1
                seen[p] = len(items)
                if sum(1 for n in items if is_ready(n)) >= per_cluster:
                    left.remove(p)
                    conns.pop(p).close()
            if not left:
                return time.time(), lists, sum(seen.values())
            if time.time() > deadline:
                fail("%d of %d clusters do not have %d Ready nodes (port %d lists %d nodes)"
                     % (len(left), len(ports), per_cluster, left[0], seen[left[0]]))
            time.sleep(0.2)
    finally:
        for c in conns.values():
            c.close()


def nodes(pid, timeout, per_cluster, mode, *ports):
    """mode "watch": a watch per cluster, the time is when the last node
    Ready arrives; "list": nodes_listed (no watch: a watch's first burst of
    ADDED events sits in the server's output buffers and so in its RSS)."""
    pid, per_cluster = int(pid), int(per_cluster)
    ports = [int(p) for p in ports]
    deadline = time.time() + float(timeout)
    cpu0, me0 = cpu_s(pid), self_cpu_s()
    events = [0]
    state = {}
    if mode == "list":
        try:
            ready_at, lists, n = nodes_listed(pid, deadline, per_cluster, ports)
        except (RuntimeError, OSError, http.client.HTTPException) as e:
            fail(str(e))
        print("ready_at=%.3f" % ready_at)
        print("nodes=%d" % n)
        print("lists=%d" % lists)
        print("server_cpu_s=%.2f" % (cpu_s(pid) - cpu0))
        print("client_cpu_s=%.2f" % (self_cpu_s() - me0))
        return

    async def main():
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        ready_clusters = [0]
        for p in ports:
            state[p] = {}

        def handler(port):
            nodes_ready = state[port]
            count = [0]  # Ready nodes of this cluster

            def on_event(typ, obj):
                events[0] += 1
                name = obj["metadata"]["name"]
                was = nodes_ready.get(name, False)
                now = typ != "DELETED" and is_ready(obj)
                if typ == "DELETED":
                    nodes_ready.pop(name, None)
                else:
                    nodes_ready[name] = now
                if now != was:
                    before = count[0] >= per_cluster
                    count[0] += 1 if now else -1
                    after = count[0] >= per_cluster
                    if after != before:
                        ready_clusters[0] += 1 if after else -1
                        if ready_clusters[0] == len(ports) and not done.done():
                            done.set_result(time.time())
            return on_event

        tasks = [asyncio.create_task(watch(p, "/api/v1/nodes?watch=1&timeoutSeconds=3600", handler(p)))
                 for p in ports]
        try:
            await until(done, tasks, deadline, "nodes not all Ready")
            return done.result()
        except TimeoutError:
            short = ["port %d: %d of %d" % (p, sum(state[p].values()), per_cluster)
                     for p in ports if sum(state[p].values()) < per_cluster]
            fail("after %s s, %d of %d clusters have all their nodes Ready; Ready nodes %s"
                 % (timeout, len(ports) - len(short), len(ports), ", ".join(short[:10])))
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    try:
        ready_at = asyncio.run(main())
    except WatchEnded as e:
        fail(str(e))
    print("ready_at=%.3f" % ready_at)
    print("nodes=%d" % sum(len(s) for s in state.values()))
    print("events=%d" % events[0])
    print("server_cpu_s=%.2f" % (cpu_s(pid) - cpu0))
    print("client_cpu_s=%.2f" % (self_cpu_s() - me0))


# ---- pods ---------------------------------------------------------------------

def deployment(i, replicas):
    name = "bench-%03d" % i
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{
                    "name": "app", "image": "registry.k8s.io/pause:3.10",
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                                  "limits": {"cpu": "100m", "memory": "64Mi"}}}]}}}}


def pod(i, j):
    d = deployment(i, 1)
    t = d["spec"]["template"]
    t["metadata"]["name"] = "%s-%05d" % (d["metadata"]["name"], j)
    return dict(apiVersion="v1", kind="Pod", **t)


def create_all(port, kind, ndeploy, replicas, creators, t):
    """POST every object over `creators` keep-alive connections in parallel
    (threads); t["first_create"] is the first 201, t["creates_done"] the
    last. Raises RuntimeError on an answer other than 201."""
    if kind == "pods":
        path = "/api/v1/namespaces/default/pods"
        bodies = [pod(i, j) for i in range(ndeploy) for j in range(replicas)]
    else:
        path = "/apis/apps/v1/namespaces/default/deployments"
        bodies = [deployment(i, replicas) for i in range(ndeploy)]
    errors, firsts = [], []

    def run(part):
        c = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            for b in part:
                c.request("POST", path, json.dumps(b), {"Content-Type": "application/json"})
                r = c.getresponse()
                data = r.read()
                if r.status != 201:
                    raise RuntimeError("creating %s: HTTP %d %s" % (b["metadata"]["name"], r.status, data[:500]))
                if not firsts:
                    firsts.append(time.time())
        except Exception as e:  # reported by the caller
            errors.append("%s" % e)
        finally:
            c.close()

    threads = [threading.Thread(target=run, args=(bodies[k::creators],)) for k in range(creators)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise RuntimeError(errors[0])
    t["first_create"] = min(firsts)
    t["creates_done"] = time.time()


def pods(pid, timeout, port, ndeploy, replicas, kind="deployments", wait="watch", creators="8"):
    """Create the pods (kind: deployments or pods) and wait until all are
    Running: wait "watch" follows a pod watch opened before the first create
    (bind and Running times per pod); "poll" opens no watch and GETs the
    Deployments' status (readyReplicas) every 0.5 s, or for bare pods lists
    the pods not Running (limit=1) once all are created."""
    pid, port, ndeploy, replicas = int(pid), int(port), int(ndeploy), int(replicas)
    want = ndeploy * replicas
    deadline = time.time() + float(timeout)
    t = {"first_create": 0.0, "creates_done": 0.0, "first_bound": 0.0, "all_bound": 0.0,
         "first_running": 0.0, "all_running": 0.0}
    bound, running, seen = set(), set(), set()
    failed = []
    events = [0]
    polls = [0]
    cpu = {}

    def done_at(now):
        t["all_running"] = now
        cpu["all_running"] = cpu_s(pid)

    async def main():
        loop = asyncio.get_running_loop()
        all_running = loop.create_future()

        def on_event(typ, obj):
            events[0] += 1
            md = obj["metadata"]
            name = md["name"]
            if typ == "DELETED":
                return
            seen.add(name)
            now = time.time()
            if obj["spec"].get("nodeName") and name not in bound:
                bound.add(name)
                if len(bound) == 1:
                    t["first_bound"] = now
                if len(bound) == want:
                    t["all_bound"] = now
            phase = (obj.get("status") or {}).get("phase")
            if phase == "Running" and name not in running:
                running.add(name)
                if len(running) == 1:
                    t["first_running"] = now
                if len(running) == want:
                    done_at(now)
                    if not all_running.done():
                        all_running.set_result(now)
            elif phase == "Failed" and len(failed) < 5:
                failed.append("%s: %s" % (name, json.dumps(obj.get("status"))[:400]))

        def get(path):
            c = http.client.HTTPConnection(HOST, port, timeout=120)
            try:
                c.request("GET", path)
                r = c.getresponse()
                data = r.read()
                if r.status != 200:
                    raise RuntimeError("GET %s: HTTP %d %s" % (path, r.status, data[:500]))
                return json.loads(data)
            finally:
                c.close()

        def poll():
            """The poll wait, in a thread; returns when every pod is Running."""
            while time.time() < deadline:
                time.sleep(0.5)
                polls[0] += 1
                if kind == "pods":
                    if not t["creates_done"]:
                        continue
                    d = get("/api/v1/namespaces/default/pods?limit=1&fieldSelector=status.phase%21%3DRunning")
                    if not d["items"]:
                        return done_at(time.time())
                else:
                    d = get("/apis/apps/v1/namespaces/default/deployments")
                    ready = sum((x.get("status") or {}).get("readyReplicas", 0) for x in d["items"])
                    running.clear()
                    running.update(range(ready))  # for the timeout message
                    if ready >= want:
                        return done_at(time.time())

        cpu["start"] = cpu_s(pid)
        t["create_start"] = time.time()
        tasks = []
        if wait == "watch":
            # The watch starts before the first create: the server has no pods yet.
            tasks.append(asyncio.create_task(watch(port, "/api/v1/pods?watch=1&timeoutSeconds=3600", on_event)))
            await asyncio.sleep(0.2)
            if tasks[0].done():
                tasks[0].result()
            t["create_start"] = time.time()
        else:
            async def poller():
                await loop.run_in_executor(None, poll)
                if t["all_running"] and not all_running.done():
                    all_running.set_result(t["all_running"])
            tasks.append(asyncio.create_task(poller()))
        tasks.append(loop.run_in_executor(None, create_all, port, kind, ndeploy, replicas, int(creators), t))
        try:
            await until(all_running, tasks, deadline, "pods not all Running")
            await tasks[-1]
        except TimeoutError:
            fail("after %s s: %d pods seen, %d bound, %d Running, %d wanted%s"
                 % (timeout, len(seen), len(bound), len(running), want,
                    "; failed pods: " + "; ".join(failed) if failed else ""))
        finally:
            if wait == "watch":
                tasks[0].cancel()
                await asyncio.gather(tasks[0], return_exceptions=True)

    me0 = self_cpu_s()
    try:
        asyncio.run(main())
    except (WatchEnded, RuntimeError, OSError) as e:
        fail(str(e))
    if failed:
        fail("pods failed: " + "; ".join(failed))
    t0 = t["create_start"]
    print("create_start=%.3f" % t0)
    for k in ("first_create", "creates_done", "first_bound", "all_bound", "first_running", "all_running"):
        print("%s_s=%.3f" % (k, t[k] - t0 if t[k] else 0))
    print("pods=%d" % len(seen))
    if wait == "watch":
        print("bind_rate=%.0f" % (want / max(1e-3, t["all_bound"] - t["first_bound"])))
    print("events=%d" % events[0])
    print("polls=%d" % polls[0])
    print("server_cpu_s=%.2f" % (cpu["all_running"] - cpu["start"]))
    print("client_cpu_s=%.2f" % (self_cpu_s() - me0))


def main():
    if len(sys.argv) < 2:
        fail(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"fleet": fleet, "nodes": nodes, "pods": pods}.get(cmd)
    if not fn:
        fail("unknown command %r\n%s" % (cmd, __doc__))
    fn(*args)


if __name__ == "__main__":
    main()
