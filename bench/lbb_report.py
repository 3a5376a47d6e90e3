# SPDX-License-Identifier: GPL-2.0-or-later
"""The benchmark's report: the printed table, the targets (PASS/MISS), and
the files under bench/results/.  Pure functions of the results dict R."""
import csv
import datetime
import io
import json
import math
import os

# The targets of issue 5 (bench/README.md, "Targets"): one place, read by
# targets() and by the self-test.
TARGETS = {
    "login_added_ms": 15,        # boxed ssh login, added median
    "join_su_added_ms": 4,       # joining su USER -c true, added median (issue 11)
    "build_over_floor": 1.5,     # helper_total / kernel floor
    "idle_box_kib": 1024,        # host memory of an idle box
    "last_over_first": 1.2,      # the Nth box against the 1st
    "last_over_first_min_n": 1000,  # judged only from this many boxes
}


def f(x, nd=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return ("%." + str(nd) + "f") % x


def _header(R, w):
    env = R["environment"]
    committed = env.get("source", "").startswith("commit")
    w("loginbox benchmark  %s  %s %s%s  kernel %s  %d cpus\n"
      % (env["date"], "commit" if committed else "working tree at",
         env.get("commit", "?"), " + uncommitted changes" if env.get("dirty") else "",
         env["kernel"], env["cpus"]))
    w("load average at start: %s; at end: %s\n"
      % (env["loadavg_start"], env.get("loadavg_end")))
    w("all times in ms unless marked; median and p95 (nearest rank)\n\n")


def _logins(L, w):
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


def _join(J, w):
    w("1b. Added latency of a JOINING login (%s: session = user, its box %s held by one\n"
      "    background ssh login), beside a building one and an unboxed one, %d interleaved rounds\n"
      % (J["user"], J.get("held_box", "?"), J["rounds"]))
    w("   %-22s %5s %9s %9s %9s %9s %9s\n"
      % ("", "n", "joining", "building", "unboxed", "+join", "+build"))
    for kind, label in (("ssh", "ssh host true"), ("su", "su USER -c true")):
        x = J.get(kind)
        if not x:
            continue
        for st in ("median", "p95"):
            w("   %-22s %5s %9s %9s %9s %9s %9s   %s\n"
              % (label if st == "median" else "",
                 x["join"].get("n", 0) if st == "median" else "",
                 f(x["join"].get(st)), f(x["build"].get(st)), f(x["plain"].get(st)),
                 f(x["join_added"].get(st)), f(x["build_added"].get(st)), st))
    w("   (+join, +build = the statistic of the per-round differences to the unboxed login\n"
      "    of the same kind; joining = the held box's keeper answers, no helper runs;\n"
      "    building = session = login, a box built and torn down per login)\n")
    if J.get("problems"):
        w("   !!! THESE FIGURES ARE NOT OF KEEPER JOINS:\n")
        for p in J["problems"]:
            w("   !!!   %s\n" % p)
    else:
        for k, ok in J.get("checks", {}).items():
            w("   %s %s\n" % ("checked:" if ok else "FAILED: ", k))
    w("\n")


def _phases(B, boxed, w):
    ph = B["phases"]
    w("2. Cost by phase of a box (loginbox run --timing -u %s -- true, n=%d)\n"
      % (boxed, ph.get("helper_total", {}).get("n", 0)))
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


def _peers(B, rounds, plain, w):
    ph = B["phases"]
    w("3. Peers, same isolation, same machine, same run (whole process, %d interleaved rounds)\n"
      % rounds)
    w("   %-34s %9s %9s   %s\n" % ("", "median", "p95", "runs as"))
    rows = [("true (fork+exec+reap baseline)", "true"),
            ("kernel floor (bench/floor.c)", "floor"),
            ("unshare -Urpfmniu --mount-proc", "unshare"),
            ("unshare ... (as %s)" % plain, "unshare (as %s)" % plain),
            ("bwrap --unshare-all ...", "bwrap"),
            ("bwrap ... (as %s)" % plain, "bwrap (as %s)" % plain),
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


def _scale(S, w):
    w("4. Scale: N idle boxes alive at once (helper called directly; each scale from zero)\n")
    w("   %5s %7s %7s %7s %7s %7s %7s %7s %7s %7s %8s %7s %5s\n"
      % ("N", "KiB/box", "raw", "bottom", "init", "1st 10", "last 10", "last/",
         "gc", "w/o gc", "teardown", "per box", "left"))
    w("   %5s %7s %7s %7s %7s %7s %7s %7s %7s %7s %8s %7s %5s\n"
      % ("", "", "", "up", "PSS", "", "", "1st", "last", "", "all", "", ""))
    for r in S.values():
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


def table(R):
    """The printed report of results R (R["config"] names the users and
    the rounds)."""
    out = io.StringIO()
    w = out.write
    cfg = R["config"]
    _header(R, w)
    if R.get("logins"):
        _logins(R["logins"], w)
    if R.get("join"):
        _join(R["join"], w)
    if R.get("build"):
        _phases(R["build"], cfg["boxed"], w)
        _peers(R["build"], cfg["rounds"], cfg["plain"], w)
    if R.get("scale"):
        _scale(R["scale"], w)
    w("Targets\n")
    for t in R["targets"]:
        w("   %-5s %-58s %s\n" % (t["status"], t["target"], t["measured"]))
    if R["notes"]:
        w("\nNotes\n")
        for n_ in R["notes"]:
            w("   - %s\n" % n_)
    return out.getvalue()


def targets(R, tg=None):
    """The targets, each PASS, MISS or "-" (not judged), with what was
    measured."""
    tg = TARGETS if tg is None else tg
    T = []

    def add(name, ok, measured):
        T.append({"target": name, "status": "-" if ok is None else ("PASS" if ok else "MISS"),
                  "measured": measured})
    L = R.get("logins")
    if L:
        a = L["ssh"]["added_median"]
        add("boxed login adds < %g ms median to ssh host true" % tg["login_added_ms"],
            None if math.isnan(a) else a < tg["login_added_ms"],
            "%s ms (paired %s ms; su: %s ms)" % (f(a), f(L["ssh"]["paired_diff"].get("median")),
                                                  f(L["su"]["added_median"])))
    J = R.get("join")
    if J and J.get("su"):
        a = J["su"]["join_added"].get("median", float("nan"))
        lim = tg["join_su_added_ms"]
        measured = "%s ms per round (p95 %s; building adds %s; ssh: a join adds %s)" % (
            f(a), f(J["su"]["join_added"].get("p95")),
            f(J["su"]["build_added"].get("median")),
            f(J.get("ssh", {}).get("join_added", {}).get("median")))
        if J.get("problems"):
            T.append({"target": "joining su USER -c true adds < %g ms median" % lim,
                      "status": "INVALID",
                      "measured": "not keeper joins (see 1b): " + measured})
        else:
            add("joining su USER -c true adds < %g ms median" % lim,
                None if math.isnan(a) else a < lim, measured)
    B = R.get("build")
    if B:
        h = B["phases"].get("helper_total", {}).get("median")
        fl = B["wall"]["floor"].get("median")
        bw = B["wall"]["bwrap"].get("median")
        if h and fl:
            add("building a box <= %gx the kernel floor" % tg["build_over_floor"],
                h / fl <= tg["build_over_floor"],
                "%.2fx (build %s ms / floor %s ms; in-process %.2fx)"
                % (h / fl, f(h), f(fl),
                   (B["build_phases_sum"]["median"] / B["floor_build_inproc"]["median"])
                   if B["floor_build_inproc"].get("median") else float("nan")))
        if h and bw:
            add("building a box < bubblewrap's median", h < bw,
                "build %s ms vs bwrap %s ms" % (f(h), f(bw)))
    S = R.get("scale")
    if S:
        top_n = max(S, key=int)
        top = S[top_n]
        # Judged on the drift-corrected MemAvailable figure, unless other
        # jobs moved host memory by more than a fifth of what the boxes
        # took: then on the bottom-up figure, which they disturb least.
        disturbed = top.get("memory_disturbed")
        kib = top["bottom_up_kib_per_box" if disturbed else
                  "mem_used_drift_corrected_kib_per_box"]
        lim = tg["idle_box_kib"]
        add("an idle box costs < %s of host memory (N=%s)"
            % ("%g MiB" % (lim / 1024) if lim % 1024 == 0 else "%g KiB" % lim, top_n),
            kib < lim, "%s KiB per box, %s (corrected %s, raw %s, bottom-up %s KiB)"
            % (f(kib, 0), "bottom-up: other jobs disturbed MemAvailable" if disturbed
               else "from MemAvailable",
               f(top["mem_used_drift_corrected_kib_per_box"], 0),
               f(top["mem_used_delta_kib_per_box"], 0),
               f(top["bottom_up_kib_per_box"], 0)))
        r = top["last_over_first"]
        n = int(top_n)
        min_n = tg["last_over_first_min_n"]
        add("the %dth box builds within %g%% of the 1st"
            % (n, round(100 * (tg["last_over_first"] - 1), 6)),
            None if r is None or n < min_n else r <= tg["last_over_first"],
            "%sx (last 10 %s ms vs first 10 %s ms)%s"
            % (f(r), f(top["build_last"].get("median")), f(top["build_first"].get("median")),
               "" if n >= min_n else " (scale below %d: not judged)" % min_n))
        add("nothing left after teardown (every scale)",
            all(x["nothing_left"] for x in S.values()),
            ", ".join("N=%s: %s" % (k, "clean" if x["nothing_left"] else "LEFT") for k, x in S.items()))
    return T


def csv_rows(R):
    """One row per summary statistic: (section, name, who, stat, value)."""
    rows = []
    for kind, x in R.get("logins", {}).items():
        for who in ("boxed", "plain", "paired_diff"):
            for st in ("median", "p95", "n"):
                rows.append(("login", kind, who, st, x[who].get(st)))
    J = R.get("join", {})
    for kind in ("ssh", "su"):
        for who in ("join", "build", "plain", "join_added", "build_added"):
            for st in ("median", "p95", "n"):
                if kind in J:
                    rows.append(("join", kind, who, st, J[kind][who].get(st)))
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
    return rows


def csv_text(R):
    buf = io.StringIO()
    cw = csv.writer(buf)
    cw.writerow(("section", "name", "who", "stat", "value"))
    cw.writerows((a, b, c, d, round(v, 4) if isinstance(v, float) else v)
                 for a, b, c, d, v in csv_rows(R))
    return buf.getvalue()


def write_results(R, text, d, stamp=None, prefix=""):
    """PREFIX<stamp>.json/.txt/.csv and PREFIXlatest.* under D; the path
    of the json."""
    os.makedirs(d, exist_ok=True)
    stamp = stamp or datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    data = {"json": json.dumps(R, indent=1), "txt": text, "csv": csv_text(R)}
    for ext, s in data.items():
        with open(os.path.join(d, "%s%s.%s" % (prefix, stamp, ext)), "w") as fh:
            fh.write(s)
    for ext, s in data.items():
        tmp = os.path.join(d, ".%slatest.%s.tmp" % (prefix, ext))
        with open(tmp, "w") as fh:
            fh.write(s)
        os.replace(tmp, os.path.join(d, prefix + "latest." + ext))
    return os.path.join(d, prefix + stamp + ".json")
