#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Login storm driver: start many login clients at once, time each one.

    storm.py JOBS OUTDIR TIMEOUT

JOBS: one client a line, a JSON object {"id": str, "argv": [...]}.  Every
client is started as fast as we can fork (its own process group), its
stdout and stderr go to OUTDIR/<id>.out and .err.  A client still running
TIMEOUT seconds after the start of the storm is killed (its group, -9)
and counted as hung.

Prints one JSON object: per client {"id", "rc" (null when hung), "sec"},
and the storm's "last" (seconds from the first start to the last exit),
"p50", "p95", "max" of the per-client latencies (of the clients that
ended), "hung" (how many), "n".  The test and the bench read it; neither
synchronises with sleeps: os.wait() reports each exit as it happens.
"""
import json
import os
import signal
import subprocess
import sys
import time


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def main():
    jobs_file, outdir, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(jobs_file) as f:
        jobs = [json.loads(line) for line in f if line.strip()]
    os.makedirs(outdir, exist_ok=True)
    procs = {}
    t0 = time.monotonic()
    for j in jobs:
        out = open(os.path.join(outdir, j["id"] + ".out"), "wb")
        err = open(os.path.join(outdir, j["id"] + ".err"), "wb")
        p = subprocess.Popen(j["argv"], stdin=subprocess.DEVNULL, stdout=out,
                             stderr=err, start_new_session=True)
        out.close()
        err.close()
        procs[p.pid] = {"id": j["id"], "p": p, "start": time.monotonic(),
                        "rc": None, "sec": None}
    left = set(procs)
    deadline = t0 + timeout
    while left:
        if time.monotonic() >= deadline:
            for pid in left:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for pid in list(left):
                os.waitpid(pid, 0)
            break
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            time.sleep(0.005)  # polling for exits, bounded by the deadline
            continue
        if pid not in procs:
            continue
        now = time.monotonic()
        c = procs[pid]
        c["rc"] = os.waitstatus_to_exitcode(status)
        c["sec"] = now - c["start"]
        c["end"] = now
        left.discard(pid)
    res = [{"id": c["id"], "rc": c["rc"], "sec": c["sec"]}
           for c in procs.values()]
    done = [c for c in procs.values() if c["sec"] is not None]
    lat = [c["sec"] for c in done]
    print(json.dumps({
        "n": len(res),
        "hung": len(res) - len(done),
        "last": (max(c["end"] for c in done) - t0) if done else None,
        "p50": pct(lat, 50), "p95": pct(lat, 95),
        "max": max(lat) if lat else None,
        "clients": res,
    }))


if __name__ == "__main__":
    main()
