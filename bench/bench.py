#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""loginbox benchmarks: the measuring half of `make bench`.

Started by bench/run.sh (which set up the private install, the users, sshd,
the floor program and the crun bundle) with the path of its setup.json.
Measures, prints a table on stdout and writes bench/results/<stamp>.json,
.csv, .txt and latest.{json,csv,txt}.  See bench/README.md.

    bench.py SETUP.json      the benchmark
    bench.py --runner        internal: runs commands sent as JSON lines on
                             stdin and answers their wall time (used inside
                             private mount namespaces for su and crun)
"""
import csv
import datetime
import io
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time

DEVNULL = subprocess.DEVNULL


# ------------------------------------------------------------ runner ---

def runner():
    """Time commands on request; lives in a private mount namespace."""
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


if len(sys.argv) > 1 and sys.argv[1] == "--runner":
    runner()
    sys.exit(0)


# ------------------------------------------------------------- setup ---

CFG = json.load(open(sys.argv[1]))
P = CFG["prefix"]
BOXED, PLAIN = CFG["boxed"], CFG["plain"]
HELPER = P + "/libexec/loginbox-helper"
ADMIN = P + "/sbin/loginbox"
RUNDIR = P + "/run"
PY = CFG["python"]
QUICK = os.environ.get("LBB_QUICK") == "1"
LOGINS = int(os.environ.get("LBB_LOGINS", "10" if QUICK else "200"))
ROUNDS = int(os.environ.get("LBB_ROUNDS", "10" if QUICK else "100"))
SCALES = [int(x) for x in os.environ.get(
    "LBB_SCALES", "20 50" if QUICK else "100 500 1000").split()]
WARMUP = 3
NOTES = []          # things the reader must know (printed and saved)
RESULTS = {"notes": NOTES}
T_START = time.time()


def note(text):
    NOTES.append(text)
    print("bench: note: " + text, file=sys.stderr, flush=True)


def progress(text):
    print("bench: [%5.0f s] %s" % (time.time() - T_START, text),
          file=sys.stderr, flush=True)


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


def subid_range(user, path="/etc/subuid"):
    try:
        for line in open(path):
            f = line.strip().split(":")
            if len(f) >= 3 and f[0] == user:
                return int(f[1]), int(f[2])
    except OSError:
        pass
    return None


SUBID_READDS = []


def ensure_subids():
    """Integration tests restore /etc/subuid from a backup when they end;
    if that removed our lines, add them again (and say so).  True when
    something was added."""
    added = False
    for u in (BOXED, PLAIN):
        if subid_range(u) and subid_range(u, "/etc/subgid"):
            continue
        end = 100000
        for path in ("/etc/subuid", "/etc/subgid"):
            for line in open(path):
                f = line.strip().split(":")
                if len(f) >= 3 and f[1].isdigit() and f[2].isdigit():
                    end = max(end, int(f[1]) + int(f[2]))
        subprocess.run(["usermod", "--add-subuids", "%d-%d" % (end, end + 65535),
                        "--add-subgids", "%d-%d" % (end, end + 65535), u],
                       check=False)
        SUBID_READDS.append((round(time.time() - T_START, 1), u))
        if len(SUBID_READDS) == 1:
            note("the /etc/subuid or /etc/subgid line of %s disappeared during "
                 "the run (another tool restored the file): added again; logins "
                 "or builds that failed because of it were retried" % u)
        added = True
    return added


class Runner:
    """bench.py --runner in a private mount namespace set up by SETUP_SH."""

    def __init__(self, setup_sh, *args):
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                setup_sh + ' && exec "$0" "$1" --runner', PY,
                os.path.abspath(__file__)] + list(args)
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


# ------------------------------------------------------- environment ---

def environment():
    env = {}
    u = os.uname()
    env["kernel"] = u.release
    env["cpus"] = os.cpu_count()
    env["loadavg_start"] = read_first_line("/proc/loadavg")
    env["date"] = datetime.datetime.now().isoformat(timespec="seconds")
    env["source"] = CFG.get("source", "working tree")
    if CFG.get("rev"):
        env["commit"], env["dirty"] = CFG["rev"], False
    else:
        try:
            env["commit"] = subprocess.run(
                ["git", "-C", CFG["repo"], "rev-parse", "--short", "HEAD"],
                capture_output=True, text=True).stdout.strip()
            # Product files changed against HEAD (bench/ does not count).
            dirty = subprocess.run(["git", "-C", CFG["repo"], "status", "--porcelain",
                                    "--untracked-files=no", "--", ".", ":!bench"],
                                   capture_output=True, text=True).stdout.strip()
            env["dirty"] = bool(dirty)
        except OSError:
            pass
    ver = {}
    for name, argv in (("bwrap", ["bwrap", "--version"]),
                       ("crun", ["crun", "--version"]),
                       ("ssh", ["ssh", "-V"]),
                       ("unshare", ["unshare", "--version"])):
        try:
            p = subprocess.run(argv, capture_output=True, text=True)
            ver[name] = (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            ver[name] = None
    env["versions"] = ver
    lim = {}
    for k in ("kernel/pid_max", "kernel/threads-max", "fs/mount-max",
              "user/max_user_namespaces", "user/max_net_namespaces",
              "user/max_mnt_namespaces", "user/max_pid_namespaces",
              "user/max_ipc_namespaces", "user/max_uts_namespaces",
              "user/max_cgroup_namespaces"):
        v = read_first_line("/proc/sys/" + k)
        lim[k] = int(v) if v and v.isdigit() else v
    import resource
    lim["RLIMIT_NOFILE"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    lim["RLIMIT_NPROC"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    cgmax = read_first_line("/sys/fs/cgroup/unified/cgroup.max.descendants")
    lim["cgroup2 max.descendants"] = cgmax
    env["limits"] = lim
    # Each idle box: 2 user namespaces (the box's, and the one describing
    # the idmapped lower layer, held by that mount), 1 of each other kind,
    # 1 process (init).  Everything else on the machine counts too.
    need = max(SCALES) if SCALES else 0
    short = []
    for k, per in (("kernel/pid_max", 1), ("user/max_user_namespaces", 2),
                   ("user/max_net_namespaces", 1), ("user/max_mnt_namespaces", 1),
                   ("user/max_pid_namespaces", 1), ("user/max_ipc_namespaces", 1),
                   ("user/max_uts_namespaces", 1)):
        v = lim.get(k)
        if isinstance(v, int) and v < need * per + 1000:
            short.append("%s=%d (need about %d)" % (k, v, need * per + 1000))
    if lim["RLIMIT_NOFILE"] not in (-1,) and lim["RLIMIT_NOFILE"] < 64:
        short.append("RLIMIT_NOFILE=%d" % lim["RLIMIT_NOFILE"])
    if short:
        note("limits may not allow %d boxes: %s" % (need, ", ".join(short)))
    env["limits_ok_for_max_scale"] = not short
    return env


# ------------------------------------------------ 1. login latency ---

SSH_BASE = ["ssh", "-F", "/dev/null", "-i", CFG["key"], "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes", "-o", "ControlMaster=no", "-o", "ControlPath=none",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
            "-p", str(CFG["port"])]


def ssh_argv(user, cmd):
    return SSH_BASE + ["%s@127.0.0.1" % user, cmd]


PROBE = "hostname; cat /proc/1/comm; id -u"


def verify_logins(su):
    """Before timing: the boxed login really lands in a box, the plain one
    does not (hostname, PID 1, uid)."""
    host = socket.gethostname().split(".")[0]
    out = {}
    for kind in ("ssh", "su"):
        for user in (BOXED, PLAIN):
            if kind == "ssh":
                _, p = run_timed(ssh_argv(user, PROBE))
                text, rc = p.stdout.decode(errors="replace"), p.returncode
            else:
                r = su.run(["su", user, "-c", PROBE])
                text, rc = r["out"], r["rc"]
            lines = text.split()
            boxed = (rc == 0 and len(lines) >= 2 and lines[1] == "loginbox-init"
                     and lines[0] != host)
            out["%s %s" % (kind, user)] = {"rc": rc, "output": lines,
                                           "in_box": boxed}
            want = user == BOXED
            if boxed != want:
                raise SystemExit("bench: %s as %s: expected %s a box, got rc=%d %r"
                                 % (kind, user, "in" if want else "outside",
                                    rc, text))
    return out


def login_latency(su):
    progress("1. login latency: %d x ssh, %d x su per user, interleaved"
             % (LOGINS, LOGINS))
    res = {}
    for kind in ("ssh", "su"):
        samples = {BOXED: [], PLAIN: []}
        pairs = []
        fails = {BOXED: 0, PLAIN: 0}
        for i in range(LOGINS + WARMUP):
            if kind == "ssh" and not os.path.isdir("/run/sshd"):
                # sshd needs its privilege separation directory; someone
                # (an integration test's cleanup) may have removed it.
                os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
            order = [BOXED, PLAIN]
            random.shuffle(order)
            got = {}
            ensure_subids()
            for user in order:
                for attempt in (1, 2):
                    if kind == "ssh":
                        ns, p = run_timed(ssh_argv(user, "true"))
                        rc, err = p.returncode, p.stderr.decode(errors="replace")
                    else:
                        r = su.run(["su", user, "-c", "true"])
                        ns, rc, err = r["ns"], r["rc"], r["err"]
                    if rc == 0 or not ensure_subids():
                        break
                if rc != 0:
                    fails[user] += 1
                    if fails[user] <= 3:
                        note("%s as %s failed (rc %d): %s"
                             % (kind, user, rc, err.strip()[-200:]))
                    continue
                got[user] = ms(ns)
            if i < WARMUP:
                continue
            for user, v in got.items():
                samples[user].append(v)
            if len(got) == 2:
                pairs.append(got[BOXED] - got[PLAIN])
        b, u = stats(samples[BOXED]), stats(samples[PLAIN])
        res[kind] = {"boxed": b, "plain": u, "paired_diff": stats(pairs),
                     "added_median": b.get("median", float("nan")) - u.get("median", float("nan")),
                     "added_p95": b.get("p95", float("nan")) - u.get("p95", float("nan")),
                     "failures": fails,
                     "samples_ms": {k: [round(x, 3) for x in v] for k, v in samples.items()}}
        progress("   %s: boxed median %.2f ms, plain %.2f ms"
                 % (kind, b.get("median", float("nan")), u.get("median", float("nan"))))
    return res


# ------------------------------------- 2+3. phases, peers, floor ---

TIMING_RE = re.compile(r"(\S+)=(\d+)")


def parse_timing(stderr):
    phases = {}
    for line in stderr.splitlines():
        if line.startswith("timing "):
            for k, v in TIMING_RE.findall(line):
                phases[k] = int(v)
    return phases


def peers_and_phases(crun):
    progress("2+3. build phases and peers: %d interleaved rounds" % ROUNDS)
    first_sub = subid_range(BOXED)[0]
    plain_sub = subid_range(PLAIN)[0]
    bundle = CFG["bundle"]
    # A minimal bundle: busybox true, no terminal, the isolation of a box
    # (user with 65536 ids, pid, net, ipc, uts, mount), read-only root.
    cfgp = os.path.join(bundle, "config.json")
    c = json.load(open(cfgp))
    c["process"]["args"] = ["/bin/true"]
    c["process"]["terminal"] = False
    c["root"] = {"path": "rootfs", "readonly": True}
    c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": plain_sub, "size": 65536}]
    c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": plain_sub, "size": 65536}]
    have = {n["type"] for n in c["linux"]["namespaces"]}
    for ns in ("pid", "network", "ipc", "uts", "user", "mount"):
        if ns not in have:
            c["linux"]["namespaces"].append({"type": ns})
    json.dump(c, open(cfgp, "w"), indent=1)

    plain_ids = subprocess.run(["id", "-u", PLAIN], capture_output=True, text=True)
    puid = int(plain_ids.stdout)
    pgid = int(subprocess.run(["id", "-g", PLAIN], capture_output=True, text=True).stdout)
    as_plain = {"user": puid, "group": pgid, "extra_groups": []}
    bw = ["bwrap", "--unshare-all", "--ro-bind", "/", "/", "--proc", "/proc",
          "--dev", "/dev", "true"]
    us = ["unshare", "-Urpfmniu", "--mount-proc", "true"]
    cases = {
        "true": (["true"], {}),
        "floor": ([CFG["floor"], "-t", "-m", str(first_sub)], {}),
        "unshare": (us, {}),
        "bwrap": (bw, {}),
        "unshare (as %s)" % PLAIN: (us, as_plain),
        "bwrap (as %s)" % PLAIN: (bw, as_plain),
        "crun": (None, {}),
        "loginbox run": ([ADMIN, "run", "--timing", "-u", BOXED, "--", "true"], {}),
        # exec + dynamic linking + exit of the helper alone (usage, rc 2)
        "helper (exec, usage)": ([HELPER], {}),
    }
    wall = {k: [] for k in cases}
    floor_build = []
    phases = []
    fails = {}
    counter = 0
    for i in range(ROUNDS + WARMUP):
        order = list(cases)
        random.shuffle(order)
        for name in order:
            argv, kw = cases[name]
            counter += 1
            if name == "loginbox run":
                ensure_subids()
            if name == "crun":
                r = crun.run(["crun", "--root", CFG["crun_state"],
                              "--cgroup-manager=disabled", "run", "-b", bundle,
                              "lbb%d" % counter])
                ns, rc, out, err = r["ns"], r["rc"], r["out"], r["err"]
            else:
                ns, p = run_timed(argv, **kw)
                rc = p.returncode
                if name == "loginbox run" and rc != 0 and ensure_subids():
                    ns, p = run_timed(argv, **kw)
                    rc = p.returncode
                out = p.stdout.decode(errors="replace")
                err = p.stderr.decode(errors="replace")
                if name == "helper (exec, usage)" and rc == 2:
                    rc = 0
            if rc != 0:
                fails[name] = fails.get(name, 0) + 1
                if fails[name] <= 2:
                    note("%s failed (rc %d): %s" % (name, rc, err.strip()[-300:]))
                continue
            if i < WARMUP:
                continue
            wall[name].append(ms(ns))
            if name == "floor":
                m = re.search(r"floor_build_us=(\d+)", out)
                if m:
                    floor_build.append(int(m.group(1)) / 1000)
            if name == "loginbox run":
                ph = parse_timing(err)
                if ph:
                    phases.append(ph)
    res = {"wall": {k: stats(v) for k, v in wall.items()},
           "wall_samples_ms": {k: [round(x, 3) for x in v] for k, v in wall.items()},
           "floor_build_inproc": stats(floor_build), "failures": fails,
           "run_as": {"floor": "root (writes the maps as root, like the helper)",
                      "unshare": "root", "bwrap": "root",
                      "unshare (as %s)" % PLAIN: PLAIN, "bwrap (as %s)" % PLAIN: PLAIN,
                      "crun": "root, rootless-style bundle (user ns, 65536 ids), "
                              "private mount ns with cgroup2 on /sys/fs/cgroup, "
                              "--cgroup-manager=disabled; only crun itself is timed",
                      "loginbox run": "root (loginbox run -u %s)" % BOXED,
                      "helper (exec, usage)": "root"}}
    # Phases: medians per phase over the loginbox run samples.
    names = []
    for ph in phases:
        for k in ph:
            if k not in names:
                names.append(k)
    per = {k: stats([ph[k] / 1000 for ph in phases if k in ph]) for k in names}
    build_names = [k for k in names if k not in ("helper_total", "join+run", "teardown")]
    # What helper_total holds beyond the named phases: fork+exec of the
    # helper, its start-up before the first mark, opening the netns, the
    # state file and the reply.
    rest = [ph["helper_total"] / 1000 - sum(ph.get(k, 0) for k in build_names) / 1000
            for ph in phases if "helper_total" in ph]
    per["(helper exec, state, reply)"] = stats(rest)
    sums = [sum(ph.get(k, 0) for k in build_names) / 1000 for ph in phases]
    res["phases"] = per
    res["phase_order"] = build_names + ["(helper exec, state, reply)",
                                        "helper_total", "join+run", "teardown"]
    res["build_phases_sum"] = stats(sums)
    res["build_plus_run"] = stats([(ph["helper_total"] + ph["join+run"]) / 1000
                                   for ph in phases
                                   if "helper_total" in ph and "join+run" in ph])
    res["phase_samples_us"] = phases
    progress("   loginbox helper_total median %.2f ms, floor %.2f ms, bwrap %.2f ms"
             % (per.get("helper_total", {}).get("median", float("nan")),
                res["wall"]["floor"].get("median", float("nan")),
                res["wall"]["bwrap"].get("median", float("nan"))))
    return res


# ---------------------------------------------------------- 4. scale ---

def meminfo():
    m = {}
    for line in open("/proc/meminfo"):
        k, v = line.split(":", 1)
        m[k] = int(v.split()[0])  # KiB
    return m


def used_kib(m):
    return m["MemTotal"] - m["MemAvailable"]


def read_state(box_id):
    st = {"phases": {}}
    try:
        for line in open("%s/%s/state" % (RUNDIR, box_id)):
            k, _, v = line.strip().partition("=")
            if k.startswith("phase."):
                st["phases"][k[6:]] = int(v)
            else:
                st[k] = v
    except OSError:
        pass
    return st


def box_dirs():
    try:
        return sorted(d for d in os.listdir(RUNDIR) if d.isdigit())
    except FileNotFoundError:
        return []


def box_processes(zombies=False):
    """Processes that belong to boxes of the bench user: running as its
    uid or as an id of its subordinate range (box root, init).  Zombies
    (dead inits their parent has not reaped yet) are counted apart: they
    hold no namespace, mount or memory beyond a task struct."""
    uid = int(subprocess.run(["id", "-u", BOXED], capture_output=True,
                             text=True).stdout)
    sub = subid_range(BOXED) or (-1, 0)
    live, dead = [], []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            state = "?"
            with open("/proc/%s/status" % d) as f:
                for line in f:
                    if line.startswith("State:"):
                        state = line.split()[1]
                    elif line.startswith("Uid:"):
                        ruid = int(line.split()[1])
                        if ruid == uid or sub[0] <= ruid < sub[0] + sub[1]:
                            (dead if state == "Z" else live).append(int(d))
                        break
        except (OSError, ValueError, IndexError):
            pass
    return (live, dead) if zombies else live


def cgroup_nodes():
    uid = subprocess.run(["id", "-u", BOXED], capture_output=True, text=True).stdout.strip()
    out = []
    for root in ("/sys/fs/cgroup/unified/loginbox", "/sys/fs/cgroup/loginbox"):
        d = "%s/u%s" % (root, uid)
        if os.path.isdir(d):
            out += [os.path.join(d, s) for s in os.listdir(d)
                    if s.startswith("s") and os.path.isdir(os.path.join(d, s))]
    return out


def our_mounts():
    n = 0
    with open("/proc/self/mountinfo") as f:
        for line in f:
            if P in line:
                n += 1
    return n


class Helper:
    """Calls loginbox-helper directly, as the PAM module does: this process
    is the owner of every box (the helper's parent)."""

    def __init__(self):
        # fd 3 of the helper is its reply socket.  If fd 3 is free here,
        # the child end is put there before each spawn (the fast
        # posix_spawn/vfork path of subprocess); if not, preexec_fn
        # dup2()s it (fork path).
        try:
            os.fstat(3)
            self.fd3_free = False
        except OSError:
            self.fd3_free = True
        # fd 3 stays taken (by /dev/null between calls), so that no socket
        # of ours is ever given number 3 and then overwritten.
        self.null = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
        if self.fd3_free:
            if self.null == 3:
                self.null = os.dup(3)
            else:
                os.dup2(self.null, 3, inheritable=False)
        self.errlog = open(os.path.join(CFG["tmp"], "helper.stderr"), "ab")

    def _call(self, argv):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            if self.fd3_free:
                # fd 3 of ours becomes the child's reply socket; posix_spawn
                # (vfork) path, no preexec_fn.
                os.dup2(child.fileno(), 3, inheritable=True)
                try:
                    p = subprocess.Popen(argv, stdin=DEVNULL, stdout=DEVNULL,
                                         stderr=self.errlog, pass_fds=(3,))
                finally:
                    os.dup2(self.null, 3, inheritable=False)
            else:
                cfd = child.fileno()
                # close_fds runs after preexec_fn: keep 3 in pass_fds.
                p = subprocess.Popen(argv, stdin=DEVNULL, stdout=DEVNULL,
                                     stderr=self.errlog, pass_fds=(cfd, 3),
                                     preexec_fn=lambda: os.dup2(cfd, 3))
            child.close()
            parent.settimeout(120)
            msg, anc, _, _ = parent.recvmsg(2048, socket.CMSG_SPACE(4))
            for level, typ, data in anc:
                if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                    for i in range(0, len(data) - len(data) % 4, 4):
                        os.close(int.from_bytes(data[i:i + 4], sys.byteorder))
            rc = p.wait()
            return msg.decode(errors="replace"), rc
        finally:
            parent.close()
            child.close()

    def reap(self):
        """Box inits may be children of the helper's caller (CLONE_PARENT):
        reap the dead ones as a login process does at close_session.  Only
        helpers (already waited for) and inits are our children here."""
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    def open(self):
        t0 = time.perf_counter_ns()
        msg, rc = self._call([HELPER, "open", BOXED, "lbbench"])
        ns = time.perf_counter_ns() - t0
        if not msg.startswith("ok "):
            raise RuntimeError("helper open: rc %d: %r" % (rc, msg))
        return msg.split()[1], ns

    def close(self, box_id):
        try:
            msg, rc = self._call([HELPER, "close", box_id])
        except OSError as e:  # a helper that never answers (timeout)
            msg, rc = str(e), -1
        self.reap()
        if rc != 0:
            note("helper close %s: rc %d %r" % (box_id, rc, msg))
        return rc == 0


def settle_used(before_used, tries=20):
    """Used memory, after letting asynchronous frees (net namespaces are
    destroyed by a kernel worker) finish: up to `tries` x 0.25 s."""
    last = used_kib(meminfo())
    for _ in range(tries):
        time.sleep(0.25)
        cur = used_kib(meminfo())
        if abs(cur - last) < 512:
            return cur
        last = cur
    return last


def scale():
    res = {}
    h = Helper()
    for n in SCALES:
        ensure_subids()
        progress("4. scale: %d idle boxes" % n)
        if box_dirs():
            note("boxes left before scale %d: %s" % (n, box_dirs()[:5]))
        procs0 = len(box_processes())
        time.sleep(0.5)
        m0, t_m0 = meminfo(), time.monotonic()
        ids, builds, phases = [], [], []
        error = None
        t_all = time.perf_counter_ns()
        for i in range(n):
            try:
                if i % 25 == 0:
                    ensure_subids()
                try:
                    box_id, ns = h.open()
                except RuntimeError:
                    if not ensure_subids():
                        raise
                    box_id, ns = h.open()
            except Exception as e:  # noqa: BLE001 - report, tear down, go on
                error = "box %d of %d: %s" % (i + 1, n, e)
                note("scale %d: %s" % (n, error))
                break
            ids.append(box_id)
            builds.append(ms(ns))
            phases.append(read_state(box_id)["phases"])
            if (i + 1) % 250 == 0:
                progress("   %d built" % (i + 1))
        build_total = ms(time.perf_counter_ns() - t_all)
        time.sleep(1.0)
        m1, t_m1 = meminfo(), time.monotonic()
        alive = box_processes()
        listed = subprocess.run([ADMIN, "list"], capture_output=True, text=True).stdout
        n_listed = sum(1 for line in listed.splitlines()[1:]
                       if line.split() and line.split()[0].isdigit()
                       and line.split()[-1] == "yes")
        init_rss = init_pss = init_dirty = 0
        for box_id in ids:
            st = read_state(box_id)
            try:
                for line in open("/proc/%s/smaps_rollup" % st.get("init_pid", "0")):
                    if line.startswith("Rss:"):
                        init_rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        init_pss += int(line.split()[1])
                    elif line.startswith("Private_Dirty:"):
                        init_dirty += int(line.split()[1])
            except OSError:
                pass
        progress("   built %d in %.1f s; tearing down" % (len(ids), build_total / 1000))
        t0 = time.perf_counter_ns()
        td_fail = 0
        for box_id in ids:
            if not h.close(box_id):
                td_fail += 1
        teardown_ms = ms(time.perf_counter_ns() - t0)
        used2 = settle_used(used_kib(m0))
        m2, t_m2 = meminfo(), time.monotonic()
        # Other jobs on the machine move MemAvailable too.  What our
        # teardown did not give back is taken as their drift, assumed
        # linear in time, and the baseline at the moment of measuring N
        # boxes is interpolated between "before" and "after teardown".
        base1 = used_kib(m0) + (used2 - used_kib(m0)) * (t_m1 - t_m0) / max(1e-9, t_m2 - t_m0)
        for _ in range(20):
            live, dead = box_processes(zombies=True)
            if len(live) <= procs0:
                break
            time.sleep(0.25)
        left = {"run_dirs": box_dirs(), "cgroup_nodes": cgroup_nodes(),
                "processes": live, "host_mounts_under_prefix": our_mounts()}
        nothing_left = (not left["run_dirs"] and not left["cgroup_nodes"]
                        and len(left["processes"]) <= procs0
                        and left["host_mounts_under_prefix"] == 0)
        k = min(10, max(1, len(builds) // 2))
        first, last = builds[:k], builds[-k:]
        ph_names = []
        for ph in phases:
            for x in ph:
                if x not in ph_names:
                    ph_names.append(x)
        nb = max(1, len(ids))
        r = {
            "requested": n, "built": len(ids), "error": error,
            "alive_processes": len(alive) - procs0, "listed_alive": n_listed,
            "mem_used_delta_kib_per_box": (used_kib(m1) - used_kib(m0)) / nb,
            "mem_used_drift_corrected_kib_per_box": (used_kib(m1) - base1) / nb,
            "sunreclaim_after_teardown_delta_kib": m2["SUnreclaim"] - m0["SUnreclaim"],
            "percpu_after_teardown_delta_kib": m2.get("Percpu", 0) - m0.get("Percpu", 0),
            "slab_delta_kib_per_box": (m1["Slab"] - m0["Slab"]) / nb,
            "sunreclaim_delta_kib_per_box": (m1["SUnreclaim"] - m0["SUnreclaim"]) / nb,
            "kernelstack_delta_kib_per_box": (m1["KernelStack"] - m0["KernelStack"]) / nb,
            "pagetables_delta_kib_per_box": (m1["PageTables"] - m0["PageTables"]) / nb,
            "shmem_delta_kib_per_box": (m1["Shmem"] - m0["Shmem"]) / nb,
            "init_rss_kib_per_box": init_rss / nb,
            "init_pss_kib_per_box": init_pss / nb,
            "init_private_dirty_kib_per_box": init_dirty / nb,
            "percpu_delta_kib_per_box": (m1.get("Percpu", 0) - m0.get("Percpu", 0)) / nb,
            # bottom-up: unreclaimable kernel memory + init's own pages
            "bottom_up_kib_per_box": (m1["SUnreclaim"] - m0["SUnreclaim"]
                                      + m1["KernelStack"] - m0["KernelStack"]
                                      + m1["PageTables"] - m0["PageTables"]
                                      + m1.get("Percpu", 0) - m0.get("Percpu", 0)
                                      + m1["Shmem"] - m0["Shmem"]) / nb + init_pss / nb,
            "mem_used_after_teardown_delta_kib": used2 - used_kib(m0),
            "slab_after_teardown_delta_kib": m2["Slab"] - m0["Slab"],
            "build_first": stats(first), "build_last": stats(last),
            "build_all": stats(builds), "build_total_ms": build_total,
            "last_over_first": (statistics.median(last) / statistics.median(first))
            if first else None,
            # the same without the gc phase (the sweep of every live box
            # that each open does first)
            "last_over_first_excl_gc": (
                statistics.median([b - ph.get("gc", 0) / 1000
                                   for b, ph in zip(builds[-k:], phases[-k:])]) /
                statistics.median([b - ph.get("gc", 0) / 1000
                                   for b, ph in zip(builds[:k], phases[:k])]))
            if first else None,
            "phases_first_us": {x: statistics.median([ph.get(x, 0) for ph in phases[:k]])
                                for x in ph_names},
            "phases_last_us": {x: statistics.median([ph.get(x, 0) for ph in phases[-k:]])
                               for x in ph_names},
            "teardown_total_ms": teardown_ms,
            "teardown_per_box_ms": teardown_ms / nb, "teardown_failures": td_fail,
            "left": {"run_dirs": len(left["run_dirs"]),
                     "cgroup_nodes": len(left["cgroup_nodes"]),
                     "processes_before": procs0,
                     "processes_after": len(left["processes"]),
                     "zombies_not_yet_reaped": len(dead),
                     "host_mounts_under_prefix": left["host_mounts_under_prefix"]},
            "nothing_left": nothing_left,
            "build_samples_ms": [round(x, 3) for x in builds],
        }
        res[str(n)] = r
        drift = used2 - used_kib(m0)
        r["memory_drift_kib"] = drift
        r["memory_disturbed"] = abs(drift) > 0.2 * max(1, used_kib(m1) - used_kib(m0))
        if r["memory_disturbed"]:
            note("scale %d: host memory in use changed by %+.0f MiB between before and "
                 "after teardown (other jobs); KiB/box is corrected for it, raw is not; "
                 "the bottom-up figure is the least disturbed" % (n, drift / 1024))
        progress("   %d boxes: %.0f KiB/box, build 1st %.2f ms vs last %.2f ms, "
                 "teardown %.1f s, nothing left: %s"
                 % (len(ids), r["mem_used_drift_corrected_kib_per_box"],
                    r["build_first"].get("median", float("nan")),
                    r["build_last"].get("median", float("nan")),
                    teardown_ms / 1000, nothing_left))
        if not nothing_left:
            note("scale %d: left behind: %s" % (n, json.dumps(left)[:500]))
        if error:
            break
    return res


# ------------------------------------------------------------ report ---

def f(x, nd=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return ("%." + str(nd) + "f") % x


def table(R):
    out = io.StringIO()
    w = out.write
    env = R["environment"]
    w("loginbox benchmark  %s  %s %s%s  kernel %s  %d cpus\n"
      % (env["date"], "commit" if CFG.get("rev") else "working tree at",
         env.get("commit", "?"), " + uncommitted changes" if env.get("dirty") else "",
         env["kernel"], env["cpus"]))
    w("load average at start: %s; at end: %s\n"
      % (env["loadavg_start"], env.get("loadavg_end")))
    w("all times in ms unless marked; median and p95 (nearest rank)\n\n")

    L = R.get("logins")
    if L:
        w("1. Added login latency (interleaved, real sshd/su with the module in the session stack)\n")
        w("   %-22s %5s %9s %9s %9s %9s\n" % ("", "n", "boxed", "unboxed", "added", "paired"))
        for kind, label in (("ssh", "ssh host true"), ("su", "su USER -c true")):
            x = L[kind]
            w("   %-22s %5d %9s %9s %9s %9s   median\n"
              % (label, x["boxed"].get("n", 0), f(x["boxed"].get("median")),
                 f(x["plain"].get("median")), f(x["added_median"]),
                 f(x["paired_diff"].get("median"))))
            w("   %-22s %5s %9s %9s %9s %9s   p95\n"
              % ("", "", f(x["boxed"].get("p95")), f(x["plain"].get("p95")),
                 f(x["added_p95"]), f(x["paired_diff"].get("p95"))))
        w("   (added = boxed - unboxed of the medians/p95s; paired = the same statistic\n"
          "    of the per-pair differences.  su runs in a private mount namespace that\n"
          "    binds the bench PAM stack over /etc/pam.d/su; only su itself is timed.)\n\n")

    B = R.get("build")
    if B:
        ph = B["phases"]
        w("2. Cost by phase of a box (loginbox run --timing -u %s -- true, n=%d)\n"
          % (BOXED, ph.get("helper_total", {}).get("n", 0)))
        build_names = [k for k in B["phase_order"]
                       if k not in ("helper_total", "join+run", "teardown")]
        tot = ph.get("helper_total", {}).get("median") or float("nan")
        slow = max(build_names, key=lambda k: ph.get(k, {}).get("median", -1))
        w("   %-30s %9s %9s %8s\n" % ("phase", "median", "p95", "% build"))
        for k in build_names:
            s = ph.get(k, {})
            w("   %-30s %9s %9s %7s%% %s\n"
              % (k, f(s.get("median"), 3), f(s.get("p95"), 3),
                 f(100 * s.get("median", 0) / tot, 0),
                 "<- slowest" if k == slow else ""))
        for k, label in (("helper_total", "= helper_total (build)"),
                         ("join+run", "join+run (true in the box)"),
                         ("teardown", "teardown")):
            s = ph.get(k, {})
            w("   %-30s %9s %9s\n" % (label, f(s.get("median"), 3), f(s.get("p95"), 3)))
        w("   (rootfs = idmap namespace + overlay + /dev, tmpfs, home and masks; clone+init =\n"
          "    clone, maps, init's /proc, /sys, devpts, pivot, hostname, lo; seccomp = compile,\n"
          "    the load is in join+run; the helper's own fork+exec is in the unnamed row)\n\n")

        w("3. Peers, same isolation, same machine, same run (whole process, %d interleaved rounds)\n"
          % ROUNDS)
        w("   %-34s %9s %9s   %s\n" % ("", "median", "p95", "runs as"))
        rows = [("true (fork+exec+reap baseline)", "true"),
                ("kernel floor (bench/floor.c)", "floor"),
                ("unshare -Urpfmniu --mount-proc", "unshare"),
                ("unshare ... (as %s)" % PLAIN, "unshare (as %s)" % PLAIN),
                ("bwrap --unshare-all ...", "bwrap"),
                ("bwrap ... (as %s)" % PLAIN, "bwrap (as %s)" % PLAIN),
                ("crun run (minimal bundle)", "crun"),
                ("loginbox run -- true (all)", "loginbox run"),
                ("loginbox-helper exec only (usage)", "helper (exec, usage)")]
        for label, key in rows:
            s = B["wall"].get(key, {})
            who = B["run_as"].get(key, "")
            w("   %-34s %9s %9s   %s\n" % (label, f(s.get("median")), f(s.get("p95")),
                                          who.split(",")[0]))
        s = B["floor_build_inproc"]
        w("   %-34s %9s %9s\n" % ("floor, in-process (main to exec)", f(s.get("median")), f(s.get("p95"))))
        s = B["build_phases_sum"]
        w("   %-34s %9s %9s\n" % ("loginbox, in-process (sum of phases)", f(s.get("median")), f(s.get("p95"))))
        s = ph.get("helper_total", {})
        w("   %-34s %9s %9s\n" % ("loginbox build (helper_total)", f(s.get("median")), f(s.get("p95"))))
        s = B["build_plus_run"]
        w("   %-34s %9s %9s\n\n" % ("loginbox build + run true", f(s.get("median")), f(s.get("p95"))))

    S = R.get("scale")
    if S:
        w("4. Scale: N idle boxes alive at once (helper called directly; each scale from zero)\n")
        w("   %5s %7s %7s %7s %7s %7s %7s %7s %7s %7s %8s %7s %5s\n"
          % ("N", "KiB/box", "raw", "bottom", "init", "1st 10", "last 10", "last/",
             "gc", "w/o gc", "teardown", "per box", "left"))
        w("   %5s %7s %7s %7s %7s %7s %7s %7s %7s %7s %8s %7s %5s\n"
          % ("", "", "", "up", "PSS", "", "", "1st", "last", "", "all", "", ""))
        for n, r in S.items():
            w("   %5s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7ss %7s %5s\n"
              % (r["built"] if r["built"] == r["requested"] else "%d/%d" % (r["built"], r["requested"]),
                 f(r["mem_used_drift_corrected_kib_per_box"], 0),
                 f(r["mem_used_delta_kib_per_box"], 0), f(r["bottom_up_kib_per_box"], 0),
                 f(r["init_pss_kib_per_box"], 0),
                 f(r["build_first"].get("median")), f(r["build_last"].get("median")),
                 f(r["last_over_first"]), f(r["phases_last_us"].get("gc", 0) / 1000),
                 f(r["last_over_first_excl_gc"]),
                 f(r["teardown_total_ms"] / 1000, 1), f(r["teardown_per_box_ms"]),
                 "none" if r["nothing_left"] else "YES"))
        w("   (raw = (MemTotal-MemAvailable) with N boxes minus before, / N; KiB/box = the same\n"
          "    with the baseline corrected for what other jobs took meanwhile (what teardown did\n"
          "    not give back, interpolated linearly in time); bottom up = (SUnreclaim +\n"
          "    KernelStack + PageTables + Percpu + Shmem deltas) / N + init PSS; init PSS =\n"
          "    proportional set size of a box's init; 1st/last 10 = median build time of the\n"
          "    first/last 10 boxes as the caller sees it (helper spawn to reply); gc last = median\n"
          "    gc phase of the last 10 (every open first sweeps all live boxes); w/o gc = last/1st\n"
          "    without that phase; teardown = helper close of all N, one after the other; left =\n"
          "    run dirs, cgroup nodes, live processes of the bench user's boxes, host mounts\n"
          "    under the prefix, after teardown)\n\n")

    w("Targets\n")
    for t in R["targets"]:
        w("   %-5s %-58s %s\n" % (t["status"], t["target"], t["measured"]))
    if R["notes"]:
        w("\nNotes\n")
        for n_ in R["notes"]:
            w("   - %s\n" % n_)
    return out.getvalue()


def targets(R):
    T = []

    def add(name, ok, measured):
        T.append({"target": name, "status": "-" if ok is None else ("PASS" if ok else "MISS"),
                  "measured": measured})
    L = R.get("logins")
    if L:
        a = L["ssh"]["added_median"]
        add("boxed login adds < 15 ms median to ssh host true",
            None if math.isnan(a) else a < 15,
            "%s ms (paired %s ms; su: %s ms)" % (f(a), f(L["ssh"]["paired_diff"].get("median")),
                                                  f(L["su"]["added_median"])))
    B = R.get("build")
    if B:
        h = B["phases"].get("helper_total", {}).get("median")
        fl = B["wall"]["floor"].get("median")
        bw = B["wall"]["bwrap"].get("median")
        if h and fl:
            add("building a box <= 1.5x the kernel floor", h / fl <= 1.5,
                "%.2fx (build %s ms / floor %s ms; in-process %.2fx)"
                % (h / fl, f(h), f(fl),
                   (B["build_phases_sum"]["median"] / B["floor_build_inproc"]["median"])
                   if B["floor_build_inproc"].get("median") else float("nan")))
        if h and bw:
            add("building a box < bubblewrap's median", h < bw,
                "build %s ms vs bwrap %s ms" % (f(h), f(bw)))
    S = R.get("scale")
    if S:
        top = S[max(S, key=int)]
        # Judged on the drift-corrected MemAvailable figure, unless other
        # jobs moved host memory by more than a fifth of what the boxes
        # took: then on the bottom-up figure, which they disturb least.
        disturbed = top.get("memory_disturbed")
        kib = top["bottom_up_kib_per_box" if disturbed else
                  "mem_used_drift_corrected_kib_per_box"]
        add("an idle box costs < 1 MiB of host memory (N=%s)" % max(S, key=int),
            kib < 1024, "%s KiB per box, %s (corrected %s, raw %s, bottom-up %s KiB)"
            % (f(kib, 0), "bottom-up: other jobs disturbed MemAvailable" if disturbed
               else "from MemAvailable",
               f(top["mem_used_drift_corrected_kib_per_box"], 0),
               f(top["mem_used_delta_kib_per_box"], 0),
               f(top["bottom_up_kib_per_box"], 0)))
        r = top["last_over_first"]
        n = int(max(S, key=int))
        add("the %dth box builds within 20%% of the 1st" % n,
            None if r is None or n < 1000 else r <= 1.2,
            "%sx (last 10 %s ms vs first 10 %s ms)%s"
            % (f(r), f(top["build_last"].get("median")), f(top["build_first"].get("median")),
               "" if n >= 1000 else " (scale below 1000: not judged)"))
        add("nothing left after teardown (every scale)",
            all(x["nothing_left"] for x in S.values()),
            ", ".join("N=%s: %s" % (k, "clean" if x["nothing_left"] else "LEFT") for k, x in S.items()))
    return T


def write_results(R, text):
    d = CFG["results"]
    os.makedirs(d, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    with open(os.path.join(d, stamp + ".json"), "w") as fh:
        json.dump(R, fh, indent=1, sort_keys=False)
    with open(os.path.join(d, stamp + ".txt"), "w") as fh:
        fh.write(text)
    # CSV: one row per summary statistic.
    rows = []
    L = R.get("logins", {})
    for kind, x in L.items():
        for who in ("boxed", "plain", "paired_diff"):
            for st in ("median", "p95", "n"):
                rows.append(("login", kind, who, st, x[who].get(st)))
    B = R.get("build", {})
    for k, s in B.get("phases", {}).items():
        for st in ("median", "p95", "n"):
            rows.append(("phase", k, "", st, s.get(st)))
    for k, s in B.get("wall", {}).items():
        for st in ("median", "p95", "n"):
            rows.append(("peer", k, "", st, s.get(st)))
    for k in ("floor_build_inproc", "build_phases_sum", "build_plus_run"):
        if k in B:
            for st in ("median", "p95"):
                rows.append(("peer", k, "", st, B[k].get(st)))
    for n, r in R.get("scale", {}).items():
        for k in ("mem_used_drift_corrected_kib_per_box", "mem_used_delta_kib_per_box",
                  "bottom_up_kib_per_box", "slab_delta_kib_per_box",
                  "init_rss_kib_per_box", "last_over_first", "teardown_total_ms",
                  "teardown_per_box_ms", "build_total_ms", "nothing_left"):
            rows.append(("scale", n, "", k, r[k]))
        rows.append(("scale", n, "", "build_first_median", r["build_first"].get("median")))
        rows.append(("scale", n, "", "build_last_median", r["build_last"].get("median")))
    for t in R.get("targets", []):
        rows.append(("target", t["target"], "", t["status"], t["measured"]))
    buf = io.StringIO()
    cw = csv.writer(buf)
    cw.writerow(("section", "name", "who", "stat", "value"))
    cw.writerows((a, b, c, d, round(v, 4) if isinstance(v, float) else v)
                 for a, b, c, d, v in rows)
    with open(os.path.join(d, stamp + ".csv"), "w") as fh:
        fh.write(buf.getvalue())
    for ext, data in (("json", json.dumps(R, indent=1)), ("txt", text), ("csv", buf.getvalue())):
        tmp = os.path.join(d, ".latest.%s.tmp" % ext)
        with open(tmp, "w") as fh:
            fh.write(data)
        os.replace(tmp, os.path.join(d, "latest." + ext))
    return os.path.join(d, stamp + ".json")


def main():
    random.seed()
    R = RESULTS
    R["environment"] = environment()
    R["config"] = {"logins": LOGINS, "rounds": ROUNDS, "scales": SCALES, "warmup": WARMUP,
                   "prefix": P, "quick": QUICK}
    su = Runner('mount --bind "$2" /etc/pam.d/su', CFG["pam_su"])
    crun = Runner("mount -t cgroup2 none /sys/fs/cgroup")
    try:
        ensure_subids()
        R["verified"] = verify_logins(su)
        R["logins"] = login_latency(su)
        ensure_subids()
        R["build"] = peers_and_phases(crun)
    finally:
        su.close()
        crun.close()
    R["scale"] = scale()
    R["environment"]["loadavg_end"] = read_first_line("/proc/loadavg")
    R["targets"] = targets(R)
    R["runtime_s"] = round(time.time() - T_START, 1)
    R["subid_readds"] = SUBID_READDS
    text = table(R)
    path = write_results(R, text)
    sys.stdout.write("\n" + text)
    sys.stdout.write("\nraw numbers: %s (and latest.json, latest.csv, latest.txt)\n" % path)
    sys.stdout.write("measuring took %.0f s\n" % R["runtime_s"])


if __name__ == "__main__":
    main()
