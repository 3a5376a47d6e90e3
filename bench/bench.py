#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""loginbox benchmarks: the measuring half of `make bench`.

Started by bench/run.sh (which set up the private install, the users, sshd,
the floor program, the crun bundle and bench/lbb_boxes.c) with the path of
its setup.json.  Measures, prints a table on stdout and writes
bench/results/<stamp>.json, .csv, .txt and latest.{json,csv,txt}.  See
bench/README.md.  The parts: lbb_common.py (context, statistics, timing),
lbb_measure.py (benchmarks 1-3), lbb_join.py (1b, joining logins),
lbb_scale.py (4), lbb_report.py (table, targets, files); bench/selftest.py
tests them without root.

    bench.py SETUP.json      the benchmark
    bench.py --join SETUP.json   only 1b (LBB_ONLY=join): results in
                             bench/results/join-<stamp>.* and join-latest.*
    bench.py --runner        internal: runs commands sent as JSON lines on
                             stdin and answers their wall time (used inside
                             private mount namespaces for su and crun)
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lbb_common  # noqa: E402
import lbb_join  # noqa: E402
import lbb_measure  # noqa: E402
import lbb_report  # noqa: E402
import lbb_scale  # noqa: E402


def measure(ctx, only=None):
    random.seed()
    R = {"notes": ctx.notes}
    R["environment"] = lbb_measure.environment(ctx)
    R["config"] = {"logins": ctx.logins, "rounds": ctx.rounds, "scales": ctx.scales,
                   "warmup": ctx.warmup, "prefix": ctx.prefix, "quick": ctx.quick,
                   "boxed": ctx.boxed, "plain": ctx.plain, "join": ctx.join}
    su = lbb_common.Runner(ctx, 'mount --bind "$2" /etc/pam.d/su', ctx.cfg["pam_su"])
    crun = lbb_common.Runner(ctx, "mount -t cgroup2 none /sys/fs/cgroup")
    try:
        lbb_common.ensure_subids(ctx)
        R["verified"] = lbb_measure.verify_logins(ctx, su)
        if only != "join":
            R["logins"] = lbb_measure.login_latency(ctx, su)
        R["join"] = lbb_join.join_latency(ctx, su)
        if only != "join":
            lbb_common.ensure_subids(ctx)
            R["build"] = lbb_measure.peers_and_phases(ctx, crun)
    finally:
        su.close()
        crun.close()
    if only != "join":
        R["scale"] = lbb_scale.scale(ctx)
    R["environment"]["loadavg_end"] = lbb_common.read_first_line("/proc/loadavg")
    R["targets"] = lbb_report.targets(R)
    R["runtime_s"] = round(time.time() - ctx.t_start, 1)
    R["subid_readds"] = ctx.subid_readds
    return R


def main(argv):
    if len(argv) > 1 and argv[1] == "--runner":
        lbb_common.runner()
        return 0
    only = None
    if len(argv) == 3 and argv[1] == "--join":
        only = "join"
        argv = argv[1:]
    if len(argv) != 2:
        print("usage: bench.py [--join] SETUP.json | --runner", file=sys.stderr)
        return 2
    ctx = lbb_common.Ctx.load(argv[1])
    R = measure(ctx, only)
    text = lbb_report.table(R)
    name = "join-" if only else ""
    path = lbb_report.write_results(R, text, ctx.cfg["results"], prefix=name)
    sys.stdout.write("\n" + text)
    sys.stdout.write("\nraw numbers: %s (and %slatest.json, .csv, .txt)\n" % (path, name))
    sys.stdout.write("measuring took %.0f s\n" % R["runtime_s"])
    if R["join"]["problems"]:
        sys.stdout.write("\nbench: the JOINING LOGIN FIGURES ARE INVALID (see 1b and the "
                         "notes): they are not of joins served by the box's keeper\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
