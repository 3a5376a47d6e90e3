# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmarks 1 to 3: the machine, added login latency (ssh, su), the cost
of a box by phase and its peers (bench/README.md)."""
import datetime
import json
import os
import random
import re
import resource
import socket
import subprocess

from lbb_common import ensure_subids, ms, read_first_line, run_timed, stats, subid_range

# ------------------------------------------------------- environment ---

NS_LIMITS = ("kernel/pid_max", "kernel/threads-max", "fs/mount-max",
             "user/max_user_namespaces", "user/max_net_namespaces",
             "user/max_mnt_namespaces", "user/max_pid_namespaces",
             "user/max_ipc_namespaces", "user/max_uts_namespaces",
             "user/max_cgroup_namespaces")

# What one idle box holds of each limit: 2 user namespaces (the box's, and
# the one describing the idmapped lower layer, held by that mount), 1 of
# each other kind, 1 process (init).  Everything else on the machine
# counts too (the 1000 spare).
PER_BOX = (("kernel/pid_max", 1), ("user/max_user_namespaces", 2),
           ("user/max_net_namespaces", 1), ("user/max_mnt_namespaces", 1),
           ("user/max_pid_namespaces", 1), ("user/max_ipc_namespaces", 1),
           ("user/max_uts_namespaces", 1))


def short_limits(lim, need):
    """The limits of LIM too small for NEED idle boxes, as text."""
    short = []
    for k, per in PER_BOX:
        v = lim.get(k)
        if isinstance(v, int) and v < need * per + 1000:
            short.append("%s=%d (need about %d)" % (k, v, need * per + 1000))
    if lim.get("RLIMIT_NOFILE", -1) not in (-1,) and lim["RLIMIT_NOFILE"] < 64:
        short.append("RLIMIT_NOFILE=%d" % lim["RLIMIT_NOFILE"])
    return short


def _git_state(cfg):
    out = {}
    if cfg.get("rev"):
        return {"commit": cfg["rev"], "dirty": False}
    try:
        out["commit"] = subprocess.run(
            ["git", "-C", cfg["repo"], "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True).stdout.strip()
        # Product files changed against HEAD (bench/ does not count).
        dirty = subprocess.run(["git", "-C", cfg["repo"], "status", "--porcelain",
                                "--untracked-files=no", "--", ".", ":!bench"],
                               capture_output=True, text=True).stdout.strip()
        out["dirty"] = bool(dirty)
    except OSError:
        pass
    return out


def _versions():
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
    return ver


def environment(ctx):
    env = {}
    u = os.uname()
    env["kernel"] = u.release
    env["cpus"] = os.cpu_count()
    env["loadavg_start"] = read_first_line("/proc/loadavg")
    env["date"] = datetime.datetime.now().isoformat(timespec="seconds")
    env["source"] = ctx.cfg.get("source", "working tree")
    env.update(_git_state(ctx.cfg))
    env["versions"] = _versions()
    lim = {}
    for k in NS_LIMITS:
        v = read_first_line("/proc/sys/" + k)
        lim[k] = int(v) if v and v.isdigit() else v
    lim["RLIMIT_NOFILE"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    lim["RLIMIT_NPROC"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    lim["cgroup2 max.descendants"] = read_first_line(
        "/sys/fs/cgroup/unified/cgroup.max.descendants")
    env["limits"] = lim
    need = max(ctx.scales) if ctx.scales else 0
    short = short_limits(lim, need)
    if short:
        ctx.note("limits may not allow %d boxes: %s" % (need, ", ".join(short)))
    env["limits_ok_for_max_scale"] = not short
    return env


# ------------------------------------------------ 1. login latency ---

PROBE = "hostname; cat /proc/1/comm; id -u"


def ssh_argv(ctx, user, cmd):
    return ["ssh", "-F", "/dev/null", "-i", ctx.cfg["key"], "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes", "-o", "ControlMaster=no", "-o", "ControlPath=none",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
            "-p", str(ctx.cfg["port"]), "%s@127.0.0.1" % user, cmd]


def in_box(rc, text, host):
    """Did PROBE run in a box: PID 1 is loginbox-init, the hostname is not
    the host's."""
    lines = text.split()
    return (rc == 0 and len(lines) >= 2 and lines[1] == "loginbox-init"
            and lines[0] != host)


def login(ctx, su, kind, user, cmd):
    """One ssh or su login running CMD: (ns, rc, stdout, stderr)."""
    if kind == "ssh":
        ns, p = run_timed(ssh_argv(ctx, user, cmd))
        return (ns, p.returncode, p.stdout.decode(errors="replace"),
                p.stderr.decode(errors="replace"))
    r = su.run(["su", user, "-c", cmd])
    return r["ns"], r["rc"], r["out"], r["err"]


def verify_logins(ctx, su):
    """Before timing: the boxed login really lands in a box, the plain one
    does not (hostname, PID 1, uid)."""
    host = socket.gethostname().split(".")[0]
    out = {}
    for kind in ("ssh", "su"):
        for user in (ctx.boxed, ctx.plain):
            _, rc, text, _ = login(ctx, su, kind, user, PROBE)
            boxed = in_box(rc, text, host)
            out["%s %s" % (kind, user)] = {"rc": rc, "output": text.split(),
                                           "in_box": boxed}
            want = user == ctx.boxed
            if boxed != want:
                raise SystemExit("bench: %s as %s: expected %s a box, got rc=%d %r"
                                 % (kind, user, "in" if want else "outside",
                                    rc, text))
    return out


def latency_summary(boxed, plain, pairs, fails):
    """The section-1 figures of one kind of login from its samples (ms)."""
    b, u = stats(boxed), stats(plain)
    nan = float("nan")
    return {"boxed": b, "plain": u, "paired_diff": stats(pairs),
            "added_median": b.get("median", nan) - u.get("median", nan),
            "added_p95": b.get("p95", nan) - u.get("p95", nan),
            "failures": fails}


def _login_round(ctx, su, kind, fails):
    """Both users once, in a random order; {user: ms} of those that worked."""
    if kind == "ssh" and not os.path.isdir("/run/sshd"):
        # sshd needs its privilege separation directory; someone (an
        # integration test's cleanup) may have removed it.
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    order = [ctx.boxed, ctx.plain]
    random.shuffle(order)
    got = {}
    ensure_subids(ctx)
    for user in order:
        for _attempt in (1, 2):
            ns, rc, _, err = login(ctx, su, kind, user, "true")
            if rc == 0 or not ensure_subids(ctx):
                break
        if rc != 0:
            fails[user] += 1
            if fails[user] <= 3:
                ctx.note("%s as %s failed (rc %d): %s"
                         % (kind, user, rc, err.strip()[-200:]))
            continue
        got[user] = ms(ns)
    return got


def login_latency(ctx, su):
    ctx.progress("1. login latency: %d x ssh, %d x su per user, interleaved"
                 % (ctx.logins, ctx.logins))
    res = {}
    for kind in ("ssh", "su"):
        samples = {ctx.boxed: [], ctx.plain: []}
        pairs = []
        fails = {ctx.boxed: 0, ctx.plain: 0}
        for i in range(ctx.logins + ctx.warmup):
            got = _login_round(ctx, su, kind, fails)
            if i < ctx.warmup:
                continue
            for user, v in got.items():
                samples[user].append(v)
            if len(got) == 2:
                pairs.append(got[ctx.boxed] - got[ctx.plain])
        r = latency_summary(samples[ctx.boxed], samples[ctx.plain], pairs, fails)
        r["samples_ms"] = {k: [round(x, 3) for x in v] for k, v in samples.items()}
        res[kind] = r
        ctx.progress("   %s: boxed median %.2f ms, plain %.2f ms"
                     % (kind, r["boxed"].get("median", float("nan")),
                        r["plain"].get("median", float("nan"))))
    return res


# ------------------------------------- 2+3. phases, peers, floor ---

TIMING_RE = re.compile(r"(\S+)=(\d+)")
FLOOR_RE = re.compile(r"floor_build_us=(\d+)")
# Rows of `loginbox run --timing` that are not phases of the build.
NOT_BUILD = ("helper_total", "join+run", "teardown")
UNNAMED = "(helper exec, state, reply)"


def parse_timing(stderr):
    """The phases (us) of `loginbox run --timing`'s "timing k=v ..." lines."""
    phases = {}
    for line in stderr.splitlines():
        if line.startswith("timing "):
            for k, v in TIMING_RE.findall(line):
                phases[k] = int(v)
    return phases


def summarize_phases(phases):
    """Section 2 from the per-run phase dicts (us): stats (ms) per phase,
    their order, the unnamed rest of helper_total, and the sums."""
    names = []
    for ph in phases:
        for k in ph:
            if k not in names:
                names.append(k)
    per = {k: stats([ph[k] / 1000 for ph in phases if k in ph]) for k in names}
    build_names = [k for k in names if k not in NOT_BUILD]
    # What helper_total holds beyond the named phases: fork+exec of the
    # helper, its start-up before the first mark, opening the netns, the
    # state file and the reply.
    rest = [ph["helper_total"] / 1000 - sum(ph.get(k, 0) for k in build_names) / 1000
            for ph in phases if "helper_total" in ph]
    per[UNNAMED] = stats(rest)
    sums = [sum(ph.get(k, 0) for k in build_names) / 1000 for ph in phases]
    return {"phases": per,
            "phase_order": build_names + [UNNAMED] + list(NOT_BUILD),
            "build_phases_sum": stats(sums),
            "build_plus_run": stats([(ph["helper_total"] + ph["join+run"]) / 1000
                                     for ph in phases
                                     if "helper_total" in ph and "join+run" in ph])}


def write_bundle(bundle, plain_sub):
    """A minimal crun bundle: busybox true, no terminal, the isolation of a
    box (user with 65536 ids, pid, net, ipc, uts, mount), read-only root."""
    cfgp = os.path.join(bundle, "config.json")
    with open(cfgp) as fh:
        c = json.load(fh)
    c["process"]["args"] = ["/bin/true"]
    c["process"]["terminal"] = False
    c["root"] = {"path": "rootfs", "readonly": True}
    c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": plain_sub, "size": 65536}]
    c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": plain_sub, "size": 65536}]
    have = {n["type"] for n in c["linux"]["namespaces"]}
    for ns in ("pid", "network", "ipc", "uts", "user", "mount"):
        if ns not in have:
            c["linux"]["namespaces"].append({"type": ns})
    with open(cfgp, "w") as fh:
        json.dump(c, fh, indent=1)


def peer_cases(ctx, first_sub, as_plain):
    """name -> (argv, Popen keywords); crun runs through its runner."""
    bw = ["bwrap", "--unshare-all", "--ro-bind", "/", "/", "--proc", "/proc",
          "--dev", "/dev", "true"]
    us = ["unshare", "-Urpfmniu", "--mount-proc", "true"]
    return {
        "true": (["true"], {}),
        "floor": ([ctx.cfg["floor"], "-t", "-m", str(first_sub)], {}),
        "unshare": (us, {}),
        "bwrap": (bw, {}),
        "unshare (as %s)" % ctx.plain: (us, as_plain),
        "bwrap (as %s)" % ctx.plain: (bw, as_plain),
        "crun": (None, {}),
        "loginbox run": ([ctx.admin, "run", "--timing", "-u", ctx.boxed, "--", "true"], {}),
        # exec + dynamic linking + exit of the helper alone (usage, rc 2)
        "helper (exec, usage)": ([ctx.helper], {}),
    }


def run_as(ctx):
    p = ctx.plain
    return {"floor": "root (writes the maps as root, like the helper)",
            "unshare": "root", "bwrap": "root",
            "unshare (as %s)" % p: p, "bwrap (as %s)" % p: p,
            "crun": "root, rootless-style bundle (user ns, 65536 ids), "
                    "private mount ns with cgroup2 on /sys/fs/cgroup, "
                    "--cgroup-manager=disabled; only crun itself is timed",
            "loginbox run": "root (loginbox run -u %s)" % ctx.boxed,
            "helper (exec, usage)": "root"}


def _run_case(ctx, crun, name, argv, kw, counter):
    """(ns, rc, stdout, stderr) of one peer case."""
    if name == "crun":
        r = crun.run(["crun", "--root", ctx.cfg["crun_state"],
                      "--cgroup-manager=disabled", "run", "-b", ctx.cfg["bundle"],
                      "lbb%d" % counter])
        return r["ns"], r["rc"], r["out"], r["err"]
    if name == "loginbox run":
        ensure_subids(ctx)
    ns, p = run_timed(argv, **kw)
    if name == "loginbox run" and p.returncode != 0 and ensure_subids(ctx):
        ns, p = run_timed(argv, **kw)
    rc = p.returncode
    if name == "helper (exec, usage)" and rc == 2:
        rc = 0
    return ns, rc, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def peers_and_phases(ctx, crun):
    ctx.progress("2+3. build phases and peers: %d interleaved rounds" % ctx.rounds)
    first_sub = subid_range(ctx.boxed)[0]
    write_bundle(ctx.cfg["bundle"], subid_range(ctx.plain)[0])
    puid = int(subprocess.run(["id", "-u", ctx.plain], capture_output=True, text=True).stdout)
    pgid = int(subprocess.run(["id", "-g", ctx.plain], capture_output=True, text=True).stdout)
    cases = peer_cases(ctx, first_sub, {"user": puid, "group": pgid, "extra_groups": []})
    wall = {k: [] for k in cases}
    floor_build, phases, fails = [], [], {}
    counter = 0
    for i in range(ctx.rounds + ctx.warmup):
        order = list(cases)
        random.shuffle(order)
        for name in order:
            argv, kw = cases[name]
            counter += 1
            ns, rc, out, err = _run_case(ctx, crun, name, argv, kw, counter)
            if rc != 0:
                fails[name] = fails.get(name, 0) + 1
                if fails[name] <= 2:
                    ctx.note("%s failed (rc %d): %s" % (name, rc, err.strip()[-300:]))
                continue
            if i < ctx.warmup:
                continue
            wall[name].append(ms(ns))
            m = FLOOR_RE.search(out) if name == "floor" else None
            if m:
                floor_build.append(int(m.group(1)) / 1000)
            ph = parse_timing(err) if name == "loginbox run" else None
            if ph:
                phases.append(ph)
    res = {"wall": {k: stats(v) for k, v in wall.items()},
           "wall_samples_ms": {k: [round(x, 3) for x in v] for k, v in wall.items()},
           "floor_build_inproc": stats(floor_build), "failures": fails,
           "run_as": run_as(ctx)}
    res.update(summarize_phases(phases))
    res["phase_samples_us"] = phases
    per = res["phases"]
    ctx.progress("   loginbox helper_total median %.2f ms, floor %.2f ms, bwrap %.2f ms"
                 % (per.get("helper_total", {}).get("median", float("nan")),
                    res["wall"]["floor"].get("median", float("nan")),
                    res["wall"]["bwrap"].get("median", float("nan"))))
    return res
