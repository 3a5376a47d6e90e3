# SPDX-License-Identifier: GPL-2.0-or-later
"""What every part of the benchmark shares: the run's context (read from
bench/run.sh's setup.json and the LBB_* environment, never at import),
statistics, timing of whole processes, subordinate ids, the runner in a
private mount namespace, /proc/meminfo."""
import json
import math
import os
import statistics
import subprocess
import sys
import time

DEVNULL = subprocess.DEVNULL
WARMUP = 3


class Ctx:
    """One benchmark run: paths of the private install, users, knobs, and
    the notes the reader must see (printed at once and saved)."""

    def __init__(self, cfg, environ=None, stderr=None):
        env = os.environ if environ is None else environ
        self.cfg = cfg
        self.prefix = cfg["prefix"]
        self.boxed, self.plain = cfg["boxed"], cfg["plain"]
        self.join = cfg.get("join")  # the session = user user of 1b
        self.helper = self.prefix + "/libexec/loginbox-helper"
        self.admin = self.prefix + "/sbin/loginbox"
        self.rundir = self.prefix + "/run"
        self.python = cfg.get("python", sys.executable)
        self.quick = env.get("LBB_QUICK") == "1"
        self.logins = int(env.get("LBB_LOGINS", "10" if self.quick else "200"))
        self.rounds = int(env.get("LBB_ROUNDS", "10" if self.quick else "100"))
        self.scales = [int(x) for x in env.get(
            "LBB_SCALES", "20 50" if self.quick else "100 500 1000").split()]
        self.warmup = WARMUP
        self.notes = []
        self.subid_readds = []
        self.t_start = time.time()
        self.stderr = stderr or sys.stderr

    @classmethod
    def load(cls, path, environ=None):
        with open(path) as fh:
            return cls(json.load(fh), environ)

    def note(self, text):
        self.notes.append(text)
        print("bench: note: " + text, file=self.stderr, flush=True)

    def progress(self, text):
        print("bench: [%5.0f s] %s" % (time.time() - self.t_start, text),
              file=self.stderr, flush=True)


def stats(xs):
    """median, p95 (nearest rank), mean, min, max of a list (ms)."""
    if not xs:
        return {"n": 0}
    s = sorted(xs)
    n = len(s)
    return {"n": n, "median": statistics.median(s),
            "p95": s[max(0, math.ceil(0.95 * n) - 1)],
            "mean": statistics.fmean(s), "min": s[0], "max": s[-1]}


def ms(ns):
    return ns / 1e6


def run_timed(argv, **kw):
    """Wall time (ns) of one whole process, and its CompletedProcess; a
    process that hangs for 60 s is killed and counts as failed (rc -1)."""
    t0 = time.perf_counter_ns()
    try:
        p = subprocess.run(argv, stdin=DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60, **kw)
    except subprocess.TimeoutExpired:
        p = subprocess.CompletedProcess(argv, -1, b"", b"timed out after 60 s")
    return time.perf_counter_ns() - t0, p


def read_first_line(path):
    try:
        with open(path) as f:
            return f.readline().strip()
    except OSError:
        return None


def parse_subid_line(line, user):
    """(start, count) of USER's "user:start:count" line, else None."""
    f = line.strip().split(":")
    if len(f) >= 3 and f[0] == user and f[1].isdigit() and f[2].isdigit():
        return int(f[1]), int(f[2])
    return None


def subid_range(user, path="/etc/subuid"):
    try:
        with open(path) as fh:
            for line in fh:
                r = parse_subid_line(line, user)
                if r:
                    return r
    except OSError:
        pass
    return None


def subid_end(lines):
    """The first id above every range of these subuid/subgid lines (at
    least 100000, as useradd starts)."""
    end = 100000
    for line in lines:
        f = line.strip().split(":")
        if len(f) >= 3 and f[1].isdigit() and f[2].isdigit():
            end = max(end, int(f[1]) + int(f[2]))
    return end


def ensure_subids(ctx):
    """Integration tests restore /etc/subuid from a backup when they end;
    if that removed our lines, add them again (and say so).  True when
    something was added."""
    added = False
    for u in (ctx.boxed, ctx.plain) + ((ctx.join,) if ctx.join else ()):
        if subid_range(u) and subid_range(u, "/etc/subgid"):
            continue
        lines = []
        for path in ("/etc/subuid", "/etc/subgid"):
            with open(path) as fh:
                lines += fh.readlines()
        end = subid_end(lines)
        subprocess.run(["usermod", "--add-subuids", "%d-%d" % (end, end + 65535),
                        "--add-subgids", "%d-%d" % (end, end + 65535), u],
                       check=False)
        ctx.subid_readds.append((round(time.time() - ctx.t_start, 1), u))
        if len(ctx.subid_readds) == 1:
            ctx.note("the /etc/subuid or /etc/subgid line of %s disappeared during "
                     "the run (another tool restored the file): added again; logins "
                     "or builds that failed because of it were retried" % u)
        added = True
    return added


def runner():
    """bench.py --runner: time commands sent as JSON lines on stdin; lives
    in a private mount namespace."""
    for line in sys.stdin:
        req = json.loads(line)
        t0 = time.perf_counter_ns()
        try:
            p = subprocess.run(req["argv"], stdin=DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=60)
            rc, so, se = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            rc, so, se = -1, b"", b"timed out after 60 s"
        ns = time.perf_counter_ns() - t0
        out = {"ns": ns, "rc": rc,
               "out": so.decode(errors="replace")[-2000:],
               "err": se.decode(errors="replace")[-500:]}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


class Runner:
    """bench.py --runner in a private mount namespace set up by SETUP_SH."""

    def __init__(self, ctx, setup_sh, *args):
        main = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.py")
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                setup_sh + ' && exec "$0" "$1" --runner', ctx.python,
                main] + list(args)
        # sh -c SCRIPT $0 $1 ...: $0 = python, $1 = bench.py; extra args
        # are $2... for the setup script.
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)

    def run(self, argv):
        self.p.stdin.write(json.dumps({"argv": argv}) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("runner died (%s)" % argv)
        return json.loads(line)

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(timeout=10)
        except Exception:
            self.p.kill()


def parse_meminfo(lines):
    m = {}
    for line in lines:
        k, v = line.split(":", 1)
        m[k] = int(v.split()[0])  # KiB
    return m


def meminfo():
    with open("/proc/meminfo") as fh:
        return parse_meminfo(fh)


def used_kib(m):
    return m["MemTotal"] - m["MemAvailable"]
