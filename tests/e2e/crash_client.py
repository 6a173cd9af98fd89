#!/usr/bin/python3
"""Load generator and checker for the crash test (t0400-crash.sh).

  crash_client.py run --port P --state S --out R --round N [--workers W]
      Writes as fast as it can until the server goes away: W threads, each on
      one keep-alive connection, creating configmaps with unique names, doing
      compare-and-swap updates (PUT with the resourceVersion it last got) and
      deletes (with a resourceVersion precondition) of the objects it owns, and
      reading them back. Every operation is logged before it is sent; the log
      says whether the reply came (acknowledged) and what it held. The objects
      of the state file S (left by earlier rounds) are shared out among the
      threads, so every object has exactly one writer. Writes the log to R.

  crash_client.py verify --port P --state S --records R --new-state S2
      After the restart: every acknowledged write must be there with exactly
      its acknowledged resourceVersion, content and uid, every acknowledged
      delete must be gone; the only other outcome allowed for an object is the
      one unacknowledged operation its writer had in flight at the crash.
      No unknown or duplicate objects; the list revision is at least every
      acknowledged one, and a new write gets a higher one. Writes the state
      actually found to S2.

Standard library only: run it with /usr/bin/python3.
"""
import argparse
import http.client
import json
import random
import sys
import threading
import time
import zlib

NS = "crash"
BASE = "/api/v1/namespaces/%s/configmaps" % NS


def body(name, marker, rnd, rv=None):
    md = {"name": name, "namespace": NS, "labels": {"round": str(rnd)}}
    if rv is not None:
        md["resourceVersion"] = str(rv)
    pad = "x" * random.choice((0, 10, 100, 1000, 3000))
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": md,
                       "data": {"m": marker, "pad": pad}})


class Worker(threading.Thread):
    def __init__(self, idx, port, rnd, owned, stop):
        super().__init__(daemon=True)
        self.idx, self.port, self.rnd, self.stop = idx, port, rnd, stop
        self.owned = owned          # name -> {"rv", "m", "uid"}: the last acknowledged state
        self.log = []               # operations in order, see op()
        self.errors = []            # replies that must not happen
        self.n = 0

    def request(self, conn, method, path, data=None):
        headers = {"Content-Type": "application/json"} if data is not None else {}
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        return r.status, raw

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            while not self.stop.is_set():
                self.step(conn)
        except (OSError, http.client.HTTPException):
            pass  # the server went away: the operation in flight stays unacknowledged
        finally:
            conn.close()

    def step(self, conn):
        self.n += 1
        x = random.random()
        if not self.owned or x < 0.35:
            name = "r%d-w%d-%d" % (self.rnd, self.idx, self.n)
            marker = "%s:c" % name
            op = {"op": "create", "name": name, "m": marker, "acked": False}
            self.log.append(op)
            st, raw = self.request(conn, "POST", BASE, body(name, marker, self.rnd))
            op["acked"] = True
            op["status"] = st
            if st != 201:
                self.errors.append("create %s: HTTP %d %s" % (name, st, raw[:300]))
                return
            md = json.loads(raw)["metadata"]
            op["rv"], op["uid"] = int(md["resourceVersion"]), md["uid"]
            self.owned[name] = {"rv": op["rv"], "m": marker, "uid": op["uid"]}
            return
        name = random.choice(list(self.owned))
        cur = self.owned[name]
        if x < 0.85:
            marker = "%s:u%d-%d" % (name, self.rnd, self.n)
            op = {"op": "update", "name": name, "m": marker, "base": cur["rv"], "acked": False}
            self.log.append(op)
            st, raw = self.request(conn, "PUT", "%s/%s" % (BASE, name),
                                   body(name, marker, self.rnd, cur["rv"]))
            op["acked"] = True
            op["status"] = st
            if st != 200:
                self.errors.append("CAS update %s from rv %d (the last acknowledged): HTTP %d %s"
                                   % (name, cur["rv"], st, raw[:300]))
                return
            md = json.loads(raw)["metadata"]
            op["rv"] = int(md["resourceVersion"])
            if op["rv"] <= cur["rv"] or md["uid"] != cur["uid"]:
                self.errors.append("update %s: rv %d after %d, uid %s vs %s"
                                   % (name, op["rv"], cur["rv"], md["uid"], cur["uid"]))
            self.owned[name] = {"rv": op["rv"], "m": marker, "uid": cur["uid"]}
        elif x < 0.93:
            op = {"op": "delete", "name": name, "base": cur["rv"], "acked": False}
            self.log.append(op)
            pre = json.dumps({"kind": "DeleteOptions", "apiVersion": "v1",
                              "preconditions": {"resourceVersion": str(cur["rv"])}})
            st, raw = self.request(conn, "DELETE", "%s/%s" % (BASE, name), pre)
            op["acked"] = True
            op["status"] = st
            if st != 200:
                self.errors.append("delete %s at rv %d: HTTP %d %s" % (name, cur["rv"], st, raw[:300]))
                return
            del self.owned[name]
        else:
            st, raw = self.request(conn, "GET", "%s/%s" % (BASE, name))
            got = json.loads(raw) if st == 200 else None
            if (not got or int(got["metadata"]["resourceVersion"]) != cur["rv"]
                    or got["data"]["m"] != cur["m"]):
                self.errors.append("read of %s: want rv %d %s, got HTTP %d %s"
                                   % (name, cur["rv"], cur["m"], st, raw[:300]))


def cmd_run(a):
    state = json.load(open(a.state))
    owned = [dict() for _ in range(a.workers)]
    for name, o in state["objects"].items():
        owned[zlib.crc32(name.encode()) % a.workers][name] = dict(o)
    stop = threading.Event()
    ws = [Worker(i, a.port, a.round, owned[i], stop) for i in range(a.workers)]
    for w in ws:
        w.start()
    deadline = time.time() + a.max_seconds
    for w in ws:
        w.join(max(0.0, deadline - time.time()))
    stop.set()  # only reached if the server outlived max_seconds
    for w in ws:
        w.join(25)
    alive = [w.idx for w in ws if w.is_alive()]
    out = {"workers": [{"log": w.log, "errors": w.errors} for w in ws],
           "stuck": alive}
    json.dump(out, open(a.out, "w"))
    acked = sum(1 for w in ws for op in w.log if op["acked"])
    print("round %d: %d operations acknowledged, %d in flight at the crash"
          % (a.round, acked, sum(1 for w in ws for op in w.log if not op["acked"])),
          file=sys.stderr)
    return 0


def get(port, method, path, data=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=data,
                 headers={"Content-Type": "application/json"} if data else {})
    r = conn.getresponse()
    raw = r.read()
    conn.close()
    return r.status, raw


def cmd_verify(a):
    problems = []
    state = json.load(open(a.state))
    rec = json.load(open(a.records)) if a.records else {"workers": [], "stuck": []}
    if rec["stuck"]:
        problems.append("workers %s never finished (a request hung)" % rec["stuck"])
    # want[name]: the definite state from acknowledged operations (None: absent)
    # maybe[name]: the outcome of the unacknowledged operation, if any
    want = {n: dict(o) for n, o in state["objects"].items()}
    maybe = {}
    max_acked = state["max_rv"]
    for w in rec["workers"]:
        problems += w["errors"]
        for op in w["log"]:
            name = op["name"]
            if op["acked"]:
                if op.get("status") not in (200, 201):
                    continue  # rejected: already reported as an error
                if op["op"] == "delete":
                    want[name] = None
                else:
                    uid = op.get("uid") or want[name]["uid"]
                    want[name] = {"rv": op["rv"], "m": op["m"], "uid": uid}
                    max_acked = max(max_acked, op["rv"])
            else:
                maybe[name] = op
    st, raw = get(a.port, "GET", BASE)
    if st != 200:
        print("FAIL: list after restart: HTTP %d %s" % (st, raw[:300]), file=sys.stderr)
        return 1
    lst = json.loads(raw)
    list_rv = int(lst["metadata"]["resourceVersion"])
    names = [i["metadata"]["name"] for i in lst["items"]]
    if len(names) != len(set(names)):
        problems.append("duplicate items in the list: %s" % sorted({n for n in names if names.count(n) > 1}))
    if names != sorted(names):
        problems.append("list not in key order")
    have = {i["metadata"]["name"]: i for i in lst["items"]}
    for name in sorted(set(have) - set(want) - set(maybe)):
        problems.append("%s: an object nobody created (rv %s)" % (name, have[name]["metadata"]["resourceVersion"]))
    landed = 0  # unacknowledged writes that made it to disk anyway
    for name in sorted(set(want) | set(maybe)):
        d, m, h = want.get(name), maybe.get(name), have.get(name)
        got = None if h is None else {"rv": int(h["metadata"]["resourceVersion"]),
                                      "m": h.get("data", {}).get("m"), "uid": h["metadata"]["uid"]}
        if got == d:
            continue
        if m is not None:
            landed += 1
            if m["op"] == "delete" and got is None:
                continue
            if m["op"] == "create" and got is not None and got["m"] == m["m"] and d is None:
                continue
            if (m["op"] == "update" and got is not None and d is not None and got["m"] == m["m"]
                    and got["uid"] == d["uid"] and got["rv"] > d["rv"]):
                continue
            landed -= 1
        problems.append("%s: acknowledged state %s, unacknowledged %s, found %s"
                        % (name, d, m and {k: m[k] for k in ("op", "m") if k in m}, got))
    max_item = max([int(i["metadata"]["resourceVersion"]) for i in lst["items"]] or [0])
    if list_rv < max_acked or list_rv < max_item:
        problems.append("list revision %d is behind: max acknowledged %d, max item %d"
                        % (list_rv, max_acked, max_item))
    st, raw = get(a.port, "POST", "/api/v1/namespaces/default/configmaps",
                  json.dumps({"metadata": {"generateName": "probe-"}}))
    if st != 201:
        problems.append("a write after restart: HTTP %d %s" % (st, raw[:300]))
    else:
        rv = int(json.loads(raw)["metadata"]["resourceVersion"])
        if rv <= max(list_rv, max_acked):
            problems.append("revision went backwards: a new write got %d, list %d, acknowledged %d"
                            % (rv, list_rv, max_acked))
        max_acked = max(max_acked, rv)
    for p in problems[:40]:
        print("FAIL: " + p, file=sys.stderr)
    if len(problems) > 40:
        print("FAIL: ... %d more" % (len(problems) - 40), file=sys.stderr)
    new = {"objects": {n: {"rv": int(i["metadata"]["resourceVersion"]), "m": i["data"]["m"],
                           "uid": i["metadata"]["uid"]} for n, i in have.items()},
           "max_rv": max(max_acked, list_rv)}
    json.dump(new, open(a.new_state, "w"))
    print("verified %d objects (list revision %d, max acknowledged %d, %d of %d writes in flight landed)"
          % (len(have), list_rv, max_acked, landed, len(maybe)), file=sys.stderr)
    return 1 if problems else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--state", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--round", type=int, required=True)
    r.add_argument("--workers", type=int, default=12)
    r.add_argument("--max-seconds", type=float, default=20)
    v = sub.add_parser("verify")
    v.add_argument("--port", type=int, required=True)
    v.add_argument("--state", required=True)
    v.add_argument("--records")
    v.add_argument("--new-state", required=True)
    a = p.parse_args()
    return cmd_run(a) if a.cmd == "run" else cmd_verify(a)


if __name__ == "__main__":
    sys.exit(main())
