#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-test of the benchmark's parts, without root and without building a
box: parsers, statistics, the targets and the report on made-up results,
and the request loop of bench/lbb_boxes.c (LBB_BOXES names the binary; its
requests here never run the helper).  Prints TAP; run by `make check-unit`
(as one of the unit programs) and `make bench-selftest`."""
import io
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lbb_common as C  # noqa: E402
import lbb_join as J  # noqa: E402
import lbb_measure as M  # noqa: E402
import lbb_report as R  # noqa: E402
import lbb_scale as S  # noqa: E402

CFG = {"prefix": "/run/lbb-test", "boxed": "lbb-boxed", "plain": "lbb-plain",
       "join": "lbb-join",
       "python": sys.executable, "tmp": "/tmp", "key": "/k", "port": 2299}


def ctx(environ=None):
    return C.Ctx(CFG, environ or {}, stderr=io.StringIO())


def st(median, p95=None, n=10):
    return {"n": n, "median": median, "p95": median if p95 is None else p95,
            "mean": median, "min": median, "max": median}


def scale_result(n, kib, last_over_first, clean=True, disturbed=False):
    return {"requested": n, "built": n, "error": None,
            "mem_used_drift_corrected_kib_per_box": kib,
            "mem_used_delta_kib_per_box": kib + 10, "bottom_up_kib_per_box": kib - 10,
            "init_pss_kib_per_box": 100, "build_first": st(5.0), "build_last": st(5.5),
            "last_over_first": last_over_first, "last_over_first_excl_gc": 1.0,
            "phases_last_us": {"gc": 300}, "teardown_total_ms": 1500.0,
            "teardown_per_box_ms": 1.5, "nothing_left": clean,
            "memory_disturbed": disturbed, "slab_delta_kib_per_box": 50,
            "init_rss_kib_per_box": 200, "build_total_ms": 5000.0}


def join_result(su_added=3.0, problems=()):
    kinds = {}
    for k, base in (("ssh", 200.0), ("su", 12.0)):
        kinds[k] = {"join": st(base + su_added), "build": st(base + 11.0),
                    "plain": st(base), "join_added": st(su_added, su_added + 2),
                    "build_added": st(11.0), "failures": {}}
    return dict(kinds, user="lbb-join", rounds=100, held_box="7",
                checks={"held box the same": True}, problems=list(problems))


def results(login_added=10.0, helper=6.0, floor=5.0, bwrap=8.0, scales=None,
            join=None):
    phases = {"rootfs": st(2.0), "clone+init": st(1.5), M.UNNAMED: st(0.5),
              "helper_total": st(helper), "join+run": st(3.0), "teardown": st(2.0)}
    return {
        "notes": ["a note"],
        "environment": {"date": "2026-01-01T00:00:00", "source": "working tree",
                        "commit": "abc1234", "dirty": False, "kernel": "6.1.0",
                        "cpus": 2, "loadavg_start": "0.1", "loadavg_end": "0.2"},
        "config": {"boxed": "lbb-boxed", "plain": "lbb-plain", "rounds": 100},
        "logins": {k: {"boxed": st(30.0 + login_added), "plain": st(30.0),
                       "paired_diff": st(login_added), "added_median": login_added,
                       "added_p95": login_added}
                   for k in ("ssh", "su")},
        "join": join if join is not None else join_result(),
        "build": {"phases": phases,
                  "phase_order": ["rootfs", "clone+init", M.UNNAMED] + list(M.NOT_BUILD),
                  "wall": {"floor": st(floor), "bwrap": st(bwrap), "true": st(1.0)},
                  "run_as": {"floor": "root (writes the maps)"},
                  "floor_build_inproc": st(3.0), "build_phases_sum": st(3.5),
                  "build_plus_run": st(9.0)},
        "scale": scales if scales is not None else {"1000": scale_result(1000, 600, 1.1)},
    }


class Parsers(unittest.TestCase):
    def test_stats_median_and_nearest_rank_p95(self):
        s = C.stats(list(range(1, 21)))
        self.assertEqual((s["n"], s["median"], s["p95"], s["min"], s["max"]),
                         (20, 10.5, 19, 1, 20))
        self.assertEqual(C.stats([]), {"n": 0})

    def test_parse_timing(self):
        err = "noise\ntiming rootfs=1200 clone+init=800\ntiming helper_total=3000\n"
        self.assertEqual(M.parse_timing(err),
                         {"rootfs": 1200, "clone+init": 800, "helper_total": 3000})
        self.assertEqual(M.parse_timing("timingrootfs=1\n"), {})

    def test_summarize_phases_unnamed_rest(self):
        ph = [{"rootfs": 1000, "seccomp": 500, "helper_total": 2000, "join+run": 700,
               "teardown": 100}] * 3
        r = M.summarize_phases(ph)
        self.assertAlmostEqual(r["phases"][M.UNNAMED]["median"], 0.5)
        self.assertAlmostEqual(r["build_phases_sum"]["median"], 1.5)
        self.assertAlmostEqual(r["build_plus_run"]["median"], 2.7)
        self.assertEqual(r["phase_order"], ["rootfs", "seccomp", M.UNNAMED] + list(M.NOT_BUILD))

    def test_subid_lines(self):
        self.assertEqual(C.parse_subid_line("lbb-boxed:165536:65536\n", "lbb-boxed"),
                         (165536, 65536))
        self.assertIsNone(C.parse_subid_line("lbb-boxed:x:65536", "lbb-boxed"))
        self.assertIsNone(C.parse_subid_line("other:1:2", "lbb-boxed"))
        self.assertEqual(C.subid_end(["a:100000:65536", "b:300000:10", "junk"]), 300010)
        self.assertEqual(C.subid_end([]), 100000)

    def test_meminfo(self):
        m = C.parse_meminfo(["MemTotal:  1000 kB\n", "MemAvailable: 400 kB\n"])
        self.assertEqual(C.used_kib(m), 600)

    def test_state_file(self):
        s = S.parse_state(["user=lbb-boxed\n", "init_pid=42\n", "phase.gc=300\n"])
        self.assertEqual((s["user"], s["init_pid"], s["phases"]),
                         ("lbb-boxed", "42", {"gc": 300}))

    def test_list_alive(self):
        listing = "ID USER ALIVE\n12 lbb-boxed yes\n13 lbb-boxed no\nx y yes\n14 z yes\n"
        self.assertEqual(S.count_listed_alive(listing), 2)

    def test_in_box(self):
        self.assertTrue(M.in_box(0, "lbb-box\nloginbox-init\n1000\n", "host"))
        self.assertFalse(M.in_box(0, "host\nloginbox-init\n1000\n", "host"))
        self.assertFalse(M.in_box(0, "lbb-box\nsystemd\n1000\n", "host"))
        self.assertFalse(M.in_box(1, "lbb-box\nloginbox-init\n", "host"))

    def test_short_limits(self):
        lim = {"user/max_user_namespaces": 2500, "kernel/pid_max": 10 ** 6,
               "RLIMIT_NOFILE": 1024}
        self.assertEqual(len(M.short_limits(lim, 1000)), 1)
        self.assertEqual(M.short_limits(lim, 100), [])

    def test_ctx_knobs(self):
        c = ctx({"LBB_QUICK": "1"})
        self.assertEqual((c.logins, c.rounds, c.scales), (10, 10, [20, 50]))
        c = ctx({"LBB_SCALES": "5 7", "LBB_LOGINS": "3"})
        self.assertEqual((c.logins, c.rounds, c.scales), (3, 100, [5, 7]))
        self.assertEqual(c.helper, "/run/lbb-test/libexec/loginbox-helper")
        c.note("seen")
        self.assertEqual(c.notes, ["seen"])


class JoinParts(unittest.TestCase):
    def test_kv(self):
        self.assertEqual(J.kv("x\nS=12\nP1=loginbox-init\n", "S"), "12")
        self.assertEqual(J.kv("S=1\nS=2\n", "S"), "2")
        self.assertIsNone(J.kv("XS=1\n", "S"))

    def test_boxes_of(self):
        listing = ('[{"id": 7, "user": "lbb-join", "alive": true},'
                   ' {"id": 9, "user": "lbb-join", "alive": false},'
                   ' {"id": 8, "user": "lbb-boxed", "alive": true},'
                   ' {"id": 3, "user": "lbb-join", "alive": true}]')
        self.assertEqual(J.boxes_of(listing, "lbb-join"), ["3", "7"])
        self.assertEqual(J.boxes_of("[]", "lbb-join"), [])
        self.assertIsNone(J.boxes_of("no boxes", "lbb-join"))

    def test_helper_execs(self):
        h = "/run/lbb/libexec/loginbox-helper"
        trace = ('101 execve("/usr/bin/su", ["su", "x"], 0x7ff /* 9 vars */) = 0\n'
                 '102 execve("%s", ["loginbox-helper", "open", "lbb-boxed", "su"], 0x1) = 0\n'
                 '102 +++ exited with 0 +++\n'
                 '103 execve("%s", ["loginbox-helper", "close", "12"], 0x1) = 0\n'
                 '104 execve("%s-not", ["x", "open"], 0x1) = 0\n'
                 '105 execve("/run/lbb/sbin/loginbox-shell", ["-loginbox-shell"], 0x1) = 0\n'
                 % (h, h, h))
        self.assertEqual(J.helper_execs(trace, h), ["open", "close"])
        self.assertEqual(J.helper_execs(trace.splitlines()[0], h), [])
        self.assertEqual(J.execs_of(trace, "/run/lbb/sbin/loginbox-shell"), 1)
        self.assertEqual(J.execs_of(trace, "/usr/bin/true"), 0)

    def test_join_summary(self):
        r = J.join_summary({"join": [15.0, 16.0, 17.0], "build": [20.0] * 3,
                            "plain": [12.0] * 3},
                           {"join": [3.0, 4.0, 5.0], "build": [8.0] * 3}, {"join": 1})
        self.assertEqual((r["join"]["median"], r["join_added"]["median"],
                          r["join_added"]["p95"], r["build_added"]["median"]),
                         (16.0, 4.0, 5.0, 8.0))
        self.assertEqual(r["failures"], {"join": 1})


class Figures(unittest.TestCase):
    def test_build_figures(self):
        builds = [1.0] * 10 + [2.0] * 10
        phases = [{"gc": 0}] * 10 + [{"gc": 500}] * 10
        r = S.build_figures(builds, phases)
        self.assertAlmostEqual(r["last_over_first"], 2.0)
        self.assertAlmostEqual(r["last_over_first_excl_gc"], 1.5)
        self.assertEqual(r["phases_last_us"], {"gc": 500})

    def test_memory_figures(self):
        keys = ("SUnreclaim", "KernelStack", "PageTables", "Percpu", "Shmem", "Slab")
        m0 = dict({k: 0 for k in keys}, MemTotal=10000, MemAvailable=10000)
        m1 = dict({k: 100 for k in keys}, MemTotal=10000, MemAvailable=9000)
        r = S.memory_figures(m0, m1, m0, 0, 0.0, 1.0, 2.0, 10, (50, 40, 30))
        self.assertAlmostEqual(r["mem_used_delta_kib_per_box"], 100)
        self.assertAlmostEqual(r["mem_used_drift_corrected_kib_per_box"], 100)
        self.assertAlmostEqual(r["bottom_up_kib_per_box"], 500 / 10 + 4)
        # other jobs took 1000 KiB meanwhile (not given back): half of it
        # is taken off at the midpoint
        r = S.memory_figures(m0, m1, m0, 1000, 0.0, 1.0, 2.0, 10, (0, 0, 0))
        self.assertAlmostEqual(r["mem_used_drift_corrected_kib_per_box"], 50)

    def test_parse_answer(self):
        self.assertEqual(S.parse_answer("ok 12 345 6789\n"), ("ok", ["12", "345", "6789"]))
        self.assertEqual(S.parse_answer("error no such user\n"), ("error", "no such user"))
        self.assertEqual(S.parse_answer(""), ("error", "lbb-boxes exited"))


class Report(unittest.TestCase):
    def status(self, T, word):
        return [t["status"] for t in T if word in t["target"]]

    def test_targets_pass(self):
        T = R.targets(results())
        self.assertEqual([t["status"] for t in T], ["PASS"] * 7)
        self.assertEqual([t["target"] for t in T], [
            "boxed login adds < 15 ms median to ssh host true",
            "joining su USER -c true adds < 4 ms median",
            "building a box <= 1.5x the kernel floor",
            "building a box < bubblewrap's median",
            "an idle box costs < 1 MiB of host memory (N=1000)",
            "the 1000th box builds within 20% of the 1st",
            "nothing left after teardown (every scale)"])

    def test_targets_miss_at_the_thresholds(self):
        T = R.targets(results(login_added=15.0, helper=8.0, floor=5.0, bwrap=8.0,
                              scales={"1000": scale_result(1000, 1024, 1.21, clean=False)},
                              join=join_result(su_added=4.0)))
        self.assertEqual([t["status"] for t in T], ["MISS"] * 7)

    def test_join_target(self):
        T = R.targets(results(join=join_result(su_added=3.99)))
        t = [t for t in T if "joining su" in t["target"]][0]
        self.assertEqual(t["status"], "PASS")
        self.assertTrue(t["measured"].startswith("3.99 ms per round (p95 5.99; "
                                                 "building adds 11.00; ssh: a join adds 3.99"),
                        t["measured"])
        T = R.targets(results(join=join_result(su_added=float("nan"))))
        self.assertEqual(self.status(T, "joining su"), ["-"])
        # a failed proof: the figures are not judged, and say why
        res = results(join=join_result(su_added=1.0, problems=["the helper ran"]))
        T = R.targets(res)
        self.assertEqual(self.status(T, "joining su"), ["INVALID"])
        res["targets"] = T
        text = R.table(res)
        self.assertIn("!!! THESE FIGURES ARE NOT OF KEEPER JOINS", text)
        self.assertIn("!!!   the helper ran", text)
        self.assertNotIn("checked:", text)
        # only the join part (LBB_ONLY=join): its section and target alone
        res = results()
        for k in ("logins", "build", "scale"):
            del res[k]
        res["targets"] = R.targets(res)
        self.assertEqual([t["target"] for t in res["targets"]],
                         ["joining su USER -c true adds < 4 ms median"])
        text = R.table(res)
        self.assertIn("1b. Added latency of a JOINING login (lbb-join", text)
        self.assertNotIn("1. Added login latency", text)

    def test_targets_from_the_table(self):
        tg = dict(R.TARGETS, login_added_ms=5)
        self.assertEqual(self.status(R.targets(results(), tg), "login"), ["MISS"])

    def test_small_scale_not_judged_disturbed_uses_bottom_up(self):
        T = R.targets(results(scales={"50": scale_result(50, 2000, 3.0, disturbed=True)}))
        self.assertEqual(self.status(T, "th box"), ["-"])
        self.assertIn("not judged", [t for t in T if "th box" in t["target"]][0]["measured"])
        self.assertEqual(self.status(T, "idle box"), ["MISS"])  # bottom-up 1990
        T = R.targets(results(scales={"50": scale_result(50, 1030, 1.0, disturbed=True)}))
        self.assertEqual(self.status(T, "idle box"), ["PASS"])  # bottom-up 1020

    def test_nan_login_not_judged(self):
        T = R.targets(results(login_added=float("nan")))
        self.assertEqual(self.status(T, "login"), ["-"])

    def test_table_and_files(self):
        res = results()
        res["targets"] = R.targets(res)
        text = R.table(res)
        for want in ("1. Added login latency", "1b. Added latency of a JOINING login",
                     "checked: held box the same",
                     "   PASS  joining su USER -c true adds < 4 ms median",
                     "2. Cost by phase", "<- slowest",
                     "3. Peers", "100 interleaved rounds", "4. Scale", "Targets\n",
                     "   PASS  boxed login adds < 15 ms", "Notes\n   - a note"):
            self.assertIn(want, text)
        self.assertIn("su USER -c true 10 15.00 23.00 12.00 3.00 11.00 median",
                      [" ".join(line.split()) for line in text.splitlines()])
        with tempfile.TemporaryDirectory() as d:
            path = R.write_results(res, text, d, stamp="s")
            self.assertEqual(path, os.path.join(d, "s.json"))
            self.assertEqual(sorted(os.listdir(d)), sorted(
                ["s.json", "s.txt", "s.csv", "latest.json", "latest.txt", "latest.csv"]))
            with open(os.path.join(d, "latest.csv")) as fh:
                rows = fh.read().splitlines()
        self.assertEqual(rows[0], "section,name,who,stat,value")
        self.assertEqual(len(rows) - 1, len(R.csv_rows(res)))
        self.assertIn("join,su,join_added,median,3.0", rows)
        with tempfile.TemporaryDirectory() as d:
            path = R.write_results(res, text, d, stamp="s", prefix="join-")
            self.assertEqual(path, os.path.join(d, "join-s.json"))
            self.assertEqual(sorted(os.listdir(d)), sorted(
                ["join-s.json", "join-s.txt", "join-s.csv", "join-latest.json",
                 "join-latest.txt", "join-latest.csv"]))


class BoxesTool(unittest.TestCase):
    """The request loop of lbb-boxes; nothing here runs the helper."""

    def test_requests(self):
        tool = os.environ.get("LBB_BOXES")
        if not tool:
            self.skipTest("LBB_BOXES (the built bench/lbb_boxes.c) is not set")
        p = subprocess.run([tool], input="hello\nclose 7\nclose x\n", text=True,
                           capture_output=True, timeout=10)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), [
            "error unknown request", "error box 7 was not opened here",
            "error bad box id 'x'"])
        p = subprocess.run([tool, "extra"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 2)


class Tap(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.n = 0

    def _line(self, test, ok, extra=""):
        self.n += 1
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.n, test.id(), extra))

    def addSuccess(self, test):
        self._line(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(test, False)
        print("# " + self._exc_info_to_string(err, test).replace("\n", "\n# "))

    addError = addFailure

    def addSkip(self, test, reason):
        self._line(test, True, " # SKIP " + reason)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    print("1..%d" % suite.countTestCases())
    r = Tap()
    suite.run(r)
    return 0 if r.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
