#!/usr/bin/python3
"""Small helpers for bench/run.sh (standard library only).

  helper.py freeport
      print a free TCP port on 127.0.0.1
  helper.py busy SECONDS
      print how busy the CPUs are (percent of all cores, from /proc/stat)
  helper.py evict DIR
      drop DIR's files from the page cache (fsync, then posix_fadvise
      DONTNEED: as cold as an unprivileged process can make them)
  helper.py startup BIN DATA_DIR GET_PATH
      start `BIN serve` on DATA_DIR and time it: from just before the exec to
      the "listening on" line, and to the first 200 answer to GET GET_PATH;
      then read its VmRSS/VmHWM, SIGTERM it and wait for a clean exit.
      Prints key=value lines. Exits non-zero if the server fails to start,
      never answers 200, or does not exit cleanly.
"""
import http.client
import os
import signal
import socket
import subprocess
import sys
import time

child = None


def fail(msg):
    print("helper: " + msg, file=sys.stderr)
    sys.exit(1)


def on_signal(signum, frame):
    if child is not None and child.poll() is None:
        child.kill()
        child.wait()
    sys.exit(128 + signum)


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])  # kB
    return out


def freeport():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def busy(seconds):
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]  # idle + iowait
        return sum(v), idle
    t1, i1 = sample()
    time.sleep(seconds)
    t2, i2 = sample()
    print("%.0f" % (100.0 * (1 - (i2 - i1) / max(1, t2 - t1))))


def evict(path):
    for root, _, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def startup(binary, data_dir, get_path, timeout=120.0):
    global child
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    errlog = open(os.path.join(data_dir, "..", os.path.basename(data_dir) + ".startup.err"), "w")
    t0 = time.monotonic()
    child = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir,
                              "--insecure-http"],
                             stdout=subprocess.PIPE, stderr=errlog, text=True)
    port = None
    objects = "?"
    for line in child.stdout:
        if line.startswith("flotilla: "):
            objects = line.split()[1]
        if line.startswith("listening on "):
            port = int(line.rsplit(":", 1)[1])
            break
    t_listen = time.monotonic() - t0
    if port is None:
        child.wait()
        fail("server exited with status %s before listening" % child.returncode)

    deadline = t0 + timeout
    t_get = None
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            c.request("GET", get_path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                t_get = time.monotonic() - t0
                break
        except OSError:
            pass
        if child.poll() is not None:
            fail("server exited with status %s" % child.returncode)
        time.sleep(0.001)
    if t_get is None:
        child.kill()
        fail("no 200 for GET %s within %.0f s" % (get_path, timeout))

    st = proc_status(child.pid)
    child.send_signal(signal.SIGTERM)
    try:
        rc = child.wait(timeout=120)
    except subprocess.TimeoutExpired:
        child.kill()
        fail("server did not exit within 120 s of SIGTERM")
    print("objects=%s" % objects)
    print("listen_s=%.3f" % t_listen)
    print("get_s=%.3f" % t_get)
    print("rss_kb=%d" % st["VmRSS"])
    print("hwm_kb=%d" % st["VmHWM"])
    print("exit=%d" % rc)
    if rc != 0:
        fail("server exited with status %d after SIGTERM" % rc)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "freeport":
        freeport()
    elif len(sys.argv) == 3 and sys.argv[1] == "busy":
        busy(float(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "evict":
        evict(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "startup":
        startup(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
