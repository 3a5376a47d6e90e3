# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark 4: N idle boxes alive at once.  Boxes are opened and closed by
bench/lbb_boxes.c (built against the build under test), which calls the
helper through the C implementation of its reply protocol, as the PAM
module does; nothing here speaks that protocol."""
import json
import os
import statistics
import subprocess
import time

from lbb_common import ensure_subids, meminfo, ms, stats, subid_range, used_kib


# ------------------------------------------------------ box bookkeeping ---

def parse_state(lines):
    """A box's state file: its keys, and phase.NAME=us under "phases"."""
    st = {"phases": {}}
    for line in lines:
        k, _, v = line.strip().partition("=")
        if k.startswith("phase."):
            st["phases"][k[6:]] = int(v)
        else:
            st[k] = v
    return st


def read_state(ctx, box_id):
    try:
        with open("%s/%s/state" % (ctx.rundir, box_id)) as fh:
            return parse_state(fh)
    except OSError:
        return {"phases": {}}


def box_dirs(ctx):
    try:
        return sorted(d for d in os.listdir(ctx.rundir) if d.isdigit())
    except FileNotFoundError:
        return []


def _uid(user):
    return int(subprocess.run(["id", "-u", user], capture_output=True, text=True).stdout)


def box_processes(ctx, zombies=False):
    """Processes that belong to boxes of the bench user: running as its
    uid or as an id of its subordinate range (box root, init).  Zombies
    (dead inits their parent has not reaped yet) are counted apart: they
    hold no namespace, mount or memory beyond a task struct."""
    uid = _uid(ctx.boxed)
    sub = subid_range(ctx.boxed) or (-1, 0)
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


def cgroup_nodes(ctx):
    uid = _uid(ctx.boxed)
    out = []
    for root in ("/sys/fs/cgroup/unified/loginbox", "/sys/fs/cgroup/loginbox"):
        d = "%s/u%s" % (root, uid)
        if os.path.isdir(d):
            out += [os.path.join(d, s) for s in os.listdir(d)
                    if s.startswith("s") and os.path.isdir(os.path.join(d, s))]
    return out


def our_mounts(ctx):
    with open("/proc/self/mountinfo") as f:
        return sum(1 for line in f if ctx.prefix in line)


def count_listed_alive(listing):
    """Boxes `loginbox list` shows alive ("yes" in the last column)."""
    n = 0
    for line in listing.splitlines()[1:]:
        f = line.split()
        if f and f[0].isdigit() and f[-1] == "yes":
            n += 1
    return n


def smaps_rollup(pid):
    """(Rss, Pss, Private_Dirty) KiB of a process; zeros when it is gone."""
    rss = pss = dirty = 0
    try:
        with open("/proc/%s/smaps_rollup" % pid) as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Private_Dirty:"):
                    dirty += int(line.split()[1])
    except OSError:
        pass
    return rss, pss, dirty


# ------------------------------------------------------------ lbb-boxes ---

def parse_answer(line):
    """An answer line of lbb-boxes: ("ok", [fields]) or ("error", text)."""
    line = line.rstrip("\n")
    if line.startswith("ok"):
        return "ok", line.split()[1:]
    if line.startswith("error "):
        return "error", line[6:]
    return "error", "lbb-boxes answered %r" % line if line else "lbb-boxes exited"


class Boxes:
    """The box owner: a running lbb-boxes (bench/lbb_boxes.c).  Its stdin
    ending (this process exits or dies) makes it close what is left."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.errlog = open(os.path.join(ctx.cfg["tmp"], "lbb-boxes.stderr"), "ab")
        self.p = subprocess.Popen([ctx.cfg["boxes_tool"]], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=self.errlog,
                                  text=True, bufsize=1)

    def _ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return parse_answer(self.p.stdout.readline())

    def open(self):
        """(box id, ns of the helper call); RuntimeError when it failed."""
        kind, a = self._ask("open %s lbbench" % self.ctx.boxed)
        if kind != "ok" or len(a) < 3:
            raise RuntimeError("helper open: %s" % (a if kind != "ok" else " ".join(a)))
        return a[0], int(a[2])

    def close(self, box_id):
        kind, a = self._ask("close %s" % box_id)
        if kind != "ok":
            self.ctx.note("helper close %s: %s" % (box_id, a))
        return kind == "ok"

    def end(self):
        try:
            self.p.stdin.close()
            self.p.wait(timeout=120)
        except Exception:  # noqa: BLE001 - it must not outlive us
            self.p.kill()
        self.errlog.close()


# ---------------------------------------------------------------- scale ---

def settle_used(tries=20):
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


def _build(ctx, boxes, n):
    """Open N boxes: (ids, build ms, phases, error)."""
    ids, builds, phases = [], [], []
    for i in range(n):
        try:
            if i % 25 == 0:
                ensure_subids(ctx)
            try:
                box_id, ns = boxes.open()
            except RuntimeError:
                if not ensure_subids(ctx):
                    raise
                box_id, ns = boxes.open()
        except Exception as e:  # noqa: BLE001 - report, tear down, go on
            error = "box %d of %d: %s" % (i + 1, n, e)
            ctx.note("scale %d: %s" % (n, error))
            return ids, builds, phases, error
        ids.append(box_id)
        builds.append(ms(ns))
        phases.append(read_state(ctx, box_id)["phases"])
        if (i + 1) % 250 == 0:
            ctx.progress("   %d built" % (i + 1))
    return ids, builds, phases, None


def memory_figures(m0, m1, m2, used2, t_m0, t_m1, t_m2, nb, init):
    """The memory columns of one scale from meminfo before (m0), with the
    N boxes (m1) and after teardown (m2, used2 settled), and the inits'
    (Rss, Pss, Private_Dirty) sums."""
    # Other jobs on the machine move MemAvailable too.  What our teardown
    # did not give back is taken as their drift, assumed linear in time,
    # and the baseline at the moment of measuring N boxes is interpolated
    # between "before" and "after teardown".
    base1 = used_kib(m0) + (used2 - used_kib(m0)) * (t_m1 - t_m0) / max(1e-9, t_m2 - t_m0)
    d = {k: m1.get(k, 0) - m0.get(k, 0) for k in
         ("SUnreclaim", "KernelStack", "PageTables", "Percpu", "Shmem", "Slab")}
    return {
        "mem_used_delta_kib_per_box": (used_kib(m1) - used_kib(m0)) / nb,
        "mem_used_drift_corrected_kib_per_box": (used_kib(m1) - base1) / nb,
        "sunreclaim_after_teardown_delta_kib": m2["SUnreclaim"] - m0["SUnreclaim"],
        "percpu_after_teardown_delta_kib": m2.get("Percpu", 0) - m0.get("Percpu", 0),
        "slab_delta_kib_per_box": d["Slab"] / nb,
        "sunreclaim_delta_kib_per_box": d["SUnreclaim"] / nb,
        "kernelstack_delta_kib_per_box": d["KernelStack"] / nb,
        "pagetables_delta_kib_per_box": d["PageTables"] / nb,
        "shmem_delta_kib_per_box": d["Shmem"] / nb,
        "init_rss_kib_per_box": init[0] / nb,
        "init_pss_kib_per_box": init[1] / nb,
        "init_private_dirty_kib_per_box": init[2] / nb,
        "percpu_delta_kib_per_box": d["Percpu"] / nb,
        # bottom-up: unreclaimable kernel memory + init's own pages
        "bottom_up_kib_per_box": (d["SUnreclaim"] + d["KernelStack"] + d["PageTables"]
                                  + d["Percpu"] + d["Shmem"]) / nb + init[1] / nb,
        "mem_used_after_teardown_delta_kib": used2 - used_kib(m0),
        "slab_after_teardown_delta_kib": m2["Slab"] - m0["Slab"],
    }


def build_figures(builds, phases):
    """First against last boxes: build times (ms) and phases (us)."""
    k = min(10, max(1, len(builds) // 2))
    first, last = builds[:k], builds[-k:]
    names = []
    for ph in phases:
        for x in ph:
            if x not in names:
                names.append(x)

    def no_gc(bs, phs):
        return statistics.median([b - ph.get("gc", 0) / 1000 for b, ph in zip(bs, phs)])
    return {
        "build_first": stats(first), "build_last": stats(last),
        "build_all": stats(builds),
        "last_over_first": (statistics.median(last) / statistics.median(first))
        if first else None,
        # the same without the gc phase (the sweep of every live box that
        # each open does first)
        "last_over_first_excl_gc": (no_gc(builds[-k:], phases[-k:]) /
                                    no_gc(builds[:k], phases[:k])) if first else None,
        "phases_first_us": {x: statistics.median([ph.get(x, 0) for ph in phases[:k]])
                            for x in names},
        "phases_last_us": {x: statistics.median([ph.get(x, 0) for ph in phases[-k:]])
                           for x in names},
    }


def _leftovers(ctx, procs0):
    for _ in range(20):
        live, dead = box_processes(ctx, zombies=True)
        if len(live) <= procs0:
            break
        time.sleep(0.25)
    left = {"run_dirs": box_dirs(ctx), "cgroup_nodes": cgroup_nodes(ctx),
            "processes": live, "host_mounts_under_prefix": our_mounts(ctx)}
    clean = (not left["run_dirs"] and not left["cgroup_nodes"]
             and len(left["processes"]) <= procs0
             and left["host_mounts_under_prefix"] == 0)
    return left, dead, clean


def one_scale(ctx, boxes, n):
    ensure_subids(ctx)
    ctx.progress("4. scale: %d idle boxes" % n)
    if box_dirs(ctx):
        ctx.note("boxes left before scale %d: %s" % (n, box_dirs(ctx)[:5]))
    procs0 = len(box_processes(ctx))
    time.sleep(0.5)
    m0, t_m0 = meminfo(), time.monotonic()
    t_all = time.perf_counter_ns()
    ids, builds, phases, error = _build(ctx, boxes, n)
    build_total = ms(time.perf_counter_ns() - t_all)
    time.sleep(1.0)
    m1, t_m1 = meminfo(), time.monotonic()
    alive = box_processes(ctx)
    listed = subprocess.run([ctx.admin, "list"], capture_output=True, text=True).stdout
    init = [0, 0, 0]
    for box_id in ids:
        for j, v in enumerate(smaps_rollup(read_state(ctx, box_id).get("init_pid", "0"))):
            init[j] += v
    ctx.progress("   built %d in %.1f s; tearing down" % (len(ids), build_total / 1000))
    t0 = time.perf_counter_ns()
    td_fail = sum(1 for box_id in ids if not boxes.close(box_id))
    teardown_ms = ms(time.perf_counter_ns() - t0)
    used2 = settle_used()
    m2, t_m2 = meminfo(), time.monotonic()
    left, dead, nothing_left = _leftovers(ctx, procs0)
    nb = max(1, len(ids))
    r = {"requested": n, "built": len(ids), "error": error,
         "alive_processes": len(alive) - procs0,
         "listed_alive": count_listed_alive(listed)}
    r.update(memory_figures(m0, m1, m2, used2, t_m0, t_m1, t_m2, nb, init))
    bf = build_figures(builds, phases)
    r.update({k: bf[k] for k in ("build_first", "build_last", "build_all")})
    r["build_total_ms"] = build_total
    r.update({k: bf[k] for k in ("last_over_first", "last_over_first_excl_gc",
                                 "phases_first_us", "phases_last_us")})
    r.update({
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
    })
    drift = used2 - used_kib(m0)
    r["memory_drift_kib"] = drift
    r["memory_disturbed"] = abs(drift) > 0.2 * max(1, used_kib(m1) - used_kib(m0))
    if r["memory_disturbed"]:
        ctx.note("scale %d: host memory in use changed by %+.0f MiB between before and "
                 "after teardown (other jobs); KiB/box is corrected for it, raw is not; "
                 "the bottom-up figure is the least disturbed" % (n, drift / 1024))
    ctx.progress("   %d boxes: %.0f KiB/box, build 1st %.2f ms vs last %.2f ms, "
                 "teardown %.1f s, nothing left: %s"
                 % (len(ids), r["mem_used_drift_corrected_kib_per_box"],
                    r["build_first"].get("median", float("nan")),
                    r["build_last"].get("median", float("nan")),
                    teardown_ms / 1000, nothing_left))
    if not nothing_left:
        ctx.note("scale %d: left behind: %s" % (n, json.dumps(left)[:500]))
    return r


def scale(ctx):
    res = {}
    boxes = Boxes(ctx)
    try:
        for n in ctx.scales:
            r = one_scale(ctx, boxes, n)
            res[str(n)] = r
            if r["error"]:
                break
    finally:
        boxes.end()
    return res
