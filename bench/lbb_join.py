# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark 1b: the latency a JOINING login adds (issue 11, "Speed").

The join user (lbb-join, group lbb-boxed) gets `session = user` from a
drop-in of the private config written here and removed at the end; one
background ssh login of it holds its box.  Then interleaved rounds (every
case once per round, in a random order) of `ssh host true` and
`su USER -c true` as: lbb-join (joins the held box: the box's keeper
answers, no helper runs), lbb-boxed (`session = login`: builds a box and
tears it down) and lbb-plain (unboxed).  Reported per kind: median and p95
of each, and of the per-round differences to the unboxed login.

What was measured is proved, and the figures are marked invalid when a
proof fails (the table and the target say so; bench.py exits non-zero):
* before timing, one joining login of each kind prints its
  LOGINBOX_SESSION and PID 1's name from inside: the held box, loginbox-init;
* that login runs under `strace -f -e trace=execve` (su: strace around
  su; ssh: strace attached to the private sshd) and execs no
  loginbox-helper, while a building login traced the same way does (the
  trace can see a helper when there is one);
* the helper rewrites RUNDIR/users/UID.box at every open of a
  `session = user` box, joins included, and the keeper never does: its
  inode is the same after the timed rounds as before them, so no timed
  join was the helper's;
* after timing the held box is still alive and the only box of the user.
The held login is ended by its pid, the box must be gone (polled,
bounded), the drop-in is removed.

LBB_JOIN_NO_KEEPER=1 kills the held box's keeper before the proofs (its
joins are then the helper's, as before the keeper served them): a run
that shows the proofs fail and the figures marked invalid."""
import json
import os
import random
import re
import signal
import subprocess
import time

from lbb_common import ensure_subids, ms, stats
from lbb_measure import login, ssh_argv

KINDS = ("ssh", "su")
WHO = ("join", "build", "plain")
DROPIN = "50-lbb-join.conf"
MARK = 'echo "S=${LOGINBOX_SESSION:-none}"; echo "P1=$(cat /proc/1/comm)"'
HOLD_CMD = 'echo "S=${LOGINBOX_SESSION:-none}"; exec sleep 3600'


# ------------------------------------------------------ pure helpers ---

def kv(text, key):
    """The value of the last KEY=value line of TEXT, or None."""
    val = None
    for line in text.splitlines():
        if line.startswith(key + "="):
            val = line[len(key) + 1:].strip()
    return val


def boxes_of(listing_json, user):
    """Ids of the live boxes of USER in `loginbox list --json`'s output."""
    try:
        boxes = json.loads(listing_json)
    except ValueError:
        return None
    return sorted(str(b["id"]) for b in boxes
                  if b.get("user") == user and b.get("alive"))


EXECVE_RE = re.compile(r'execve\("([^"]*)"')


def helper_execs(trace, helper):
    """The argv[1]s (open, close, ...) of the execve()s of HELPER in an
    `strace -f -e trace=execve` output (failed ones too: they were
    attempts to run it)."""
    out = []
    for line in trace.splitlines():
        m = EXECVE_RE.search(line)
        if m and m.group(1) == helper:
            args = re.findall(r'"([^"]*)"', line[m.end():])
            out.append(args[1] if len(args) > 1 else "?")
    return out


def execs_of(trace, path):
    """How many execve()s of PATH the trace shows."""
    return sum(1 for line in trace.splitlines()
               if (EXECVE_RE.search(line) or [None, None])[1] == path)


def join_summary(samples, added, fails):
    """The section-1b figures of one kind of login (ms): stats of the
    joining, building and unboxed samples and of the per-round added
    times of a join and of a build over the unboxed login."""
    r = {who: stats(samples[who]) for who in WHO}
    r["join_added"] = stats(added["join"])
    r["build_added"] = stats(added["build"])
    r["failures"] = fails
    return r


# ------------------------------------------------- on the machine ---

class Join:
    """The join part's state: the user, the held login, what was proved."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.user = ctx.join
        self.uid = int(subprocess.run(["id", "-u", self.user], capture_output=True,
                                      text=True).stdout)
        self.dir = os.path.join(ctx.cfg["tmp"], "join")
        os.makedirs(self.dir, exist_ok=True)
        self.dropin = os.path.join(ctx.prefix, "etc", "conf.d", DROPIN)
        self.index = os.path.join(ctx.rundir, "users", "%d.box" % self.uid)
        self.hold = None
        self.box = None
        self.problems = []
        self.checks = {}

    def problem(self, text):
        self.problems.append(text)
        self.ctx.note("JOIN FIGURES INVALID: " + text)

    def listed(self):
        p = subprocess.run([self.ctx.admin, "list", "--json"], capture_output=True,
                           text=True)
        return boxes_of(p.stdout, self.user)

    def write_dropin(self):
        os.makedirs(os.path.dirname(self.dropin), mode=0o755, exist_ok=True)
        with open(self.dropin, "w") as fh:
            fh.write("# loginbox benchmark (bench/lbb_join.py): removed at the end\n"
                     "[user.%s]\nsession = user\n" % self.user)
        os.chmod(self.dropin, 0o644)
        p = subprocess.run([self.ctx.admin, "policy", self.user], capture_output=True,
                           text=True)
        if p.returncode != 0 or not re.search(r"^session\s*=\s*user\b", p.stdout, re.M):
            raise SystemExit("bench: the drop-in %s does not give %s session = user:\n%s%s"
                             % (self.dropin, self.user, p.stdout, p.stderr))

    def start_hold(self):
        """One background ssh login of the join user; the id of its box."""
        out = os.path.join(self.dir, "hold.out")
        with open(out, "wb") as o, open(out[:-3] + "err", "wb") as e:
            self.hold = subprocess.Popen(ssh_argv(self.ctx, self.user, HOLD_CMD),
                                         stdin=subprocess.DEVNULL, stdout=o, stderr=e)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.hold.poll() is None:
            with open(out) as fh:
                s = kv(fh.read(), "S")
            if s:
                break
            time.sleep(0.1)  # polling the login's output, bounded
        with open(out) as fh:
            s = kv(fh.read(), "S")
        if not s or not s.isdigit():
            with open(out[:-3] + "err") as fh:
                err = fh.read()
            raise SystemExit("bench: the holding ssh login of %s printed no box id "
                             "(got %r, rc %s): %s"
                             % (self.user, s, self.hold.poll(), err.strip()[-300:]))
        self.box = s
        return s

    def end_hold(self):
        """End the held login by its pid; its box must end with it."""
        if self.hold is None:
            return
        self.hold.send_signal(signal.SIGTERM)
        try:
            self.hold.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.hold.kill()
            self.hold.wait()
        self.hold = None
        # Not listed alive once init is dead; the session directory goes
        # at the end of the teardown.
        deadline = time.monotonic() + 20
        while True:
            left = self.listed()
            gone = self.box is None or not os.path.exists(
                os.path.join(self.ctx.rundir, self.box))
            if (not left and gone) or time.monotonic() >= deadline:
                break
            time.sleep(0.1)  # polling for the teardown, bounded
        self.checks["box ended with the held login"] = not left and gone
        if left or not gone:
            self.ctx.note("the held box of %s did not end with its login (left: %s, "
                          "session dir %s); ending it" % (self.user, left, self.box))
            for b in (left or []) + ([self.box] if self.box else []):
                subprocess.run([self.ctx.admin, "kill", b], capture_output=True)

    def kill_keeper(self):
        """LBB_JOIN_NO_KEEPER=1: end the held box's keeper (init's parent)
        by its pid and remove its socket, so that joins go to the helper."""
        p = subprocess.run([self.ctx.admin, "list", "--json"], capture_output=True,
                           text=True)
        init = [b["init_pid"] for b in json.loads(p.stdout) if str(b["id"]) == self.box]
        with open("/proc/%d/stat" % init[0]) as fh:
            keeper = int(fh.read().rsplit(")", 1)[1].split()[1])
        with open("/proc/%d/cmdline" % keeper, "rb") as fh:
            argv = fh.read().split(b"\0")
        if argv[:3] != [b"loginbox-helper", b"keep", self.box.encode()]:
            raise SystemExit("bench: the parent of box %s's init is not its keeper: %r"
                             % (self.box, argv))
        self.ctx.note("LBB_JOIN_NO_KEEPER=1: killed the keeper (pid %d) of box %s; "
                      "its joins are the helper's" % (keeper, self.box))
        os.kill(keeper, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while _alive(keeper) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling for the keeper's end, bounded
        try:
            os.unlink(os.path.join(self.ctx.rundir, self.box, "join"))
        except FileNotFoundError:
            pass

    def index_id(self):
        """(inode, mtime_ns, content) of RUNDIR/users/UID.box."""
        try:
            st = os.stat(self.index)
            with open(self.index) as fh:
                return (st.st_ino, st.st_mtime_ns, fh.read().strip())
        except OSError:
            return None

    # ------------------------------------------- proofs before timing ---

    def traced_su(self, su, user, tag):
        path = os.path.join(self.dir, "strace-su-%s" % tag)
        r = su.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", path,
                    "su", user, "-c", MARK])
        with open(path) as fh:
            return r["rc"], r["out"], fh.read()

    def traced_ssh(self, user, tag):
        """One ssh login of USER with the private sshd under strace -f."""
        path = os.path.join(self.dir, "strace-ssh-%s" % tag)
        errp = path + ".err"
        with open(errp, "wb") as e:
            tr = subprocess.Popen(["strace", "-f", "-e", "trace=execve", "-o", path,
                                   "-p", str(self.ctx.cfg["sshd_pid"])],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=e)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and tr.poll() is None:
                with open(errp) as fh:
                    if "attached" in fh.read():
                        break
                time.sleep(0.05)  # polling for strace's attach, bounded
            else:
                raise SystemExit("bench: strace did not attach to sshd (pid %s)"
                                 % self.ctx.cfg["sshd_pid"])
            _, p = _run(ssh_argv(self.ctx, user, MARK))
            # sshd closes the PAM session after the client has its exit
            # status: wait for the connection's sshd to end, so that the
            # close (keeper or helper) is in the trace too.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _children(self.ctx.cfg["sshd_pid"]):
                time.sleep(0.05)  # polling for the session's end, bounded
        finally:
            tr.send_signal(signal.SIGINT)
            try:
                tr.wait(timeout=10)
            except subprocess.TimeoutExpired:
                tr.kill()
                tr.wait()
        with open(path) as fh:
            return p.returncode, p.stdout.decode(errors="replace"), fh.read()

    def prove_before(self, su):
        """The joining logins land in the held box and exec no helper; a
        building one traced the same way does exec it."""
        helper = self.ctx.helper
        shell = os.path.join(self.ctx.prefix, "sbin", "loginbox-shell")
        out = {}
        for kind in KINDS:
            traced = (lambda u, t, k=kind: self.traced_su(su, u, t) if k == "su"
                      else self.traced_ssh(u, t))
            rc, text, trace = traced(self.user, "join")
            s, p1 = kv(text, "S"), kv(text, "P1")
            hx = helper_execs(trace, helper)
            out["%s join" % kind] = {"rc": rc, "session": s, "pid1": p1,
                                     "helper_execs": hx,
                                     "shell_execs": execs_of(trace, shell)}
            if rc != 0 or s != self.box or p1 != "loginbox-init":
                raise SystemExit("bench: a joining %s of %s did not land in the held box "
                                 "%s (rc %d, LOGINBOX_SESSION %s, PID 1 %s): the join "
                                 "figures would be of something else"
                                 % (kind, self.user, self.box, rc, s, p1))
            if hx:
                self.problem("a joining %s of %s ran loginbox-helper (%s), not the "
                             "box's keeper alone" % (kind, self.user, " ".join(hx)))
            if execs_of(trace, shell) == 0:
                self.problem("the strace of a joining %s did not see the login's "
                             "shell (%s) start: it did not trace the login" % (kind, shell))
            rc, text, trace = traced(self.ctx.boxed, "build")
            s = kv(text, "S")
            hx = helper_execs(trace, helper)
            out["%s build" % kind] = {"rc": rc, "session": s, "helper_execs": hx}
            if rc != 0 or "open" not in hx or s in (None, "none", self.box):
                self.problem("a building %s of %s traced the same way shows no helper "
                             "open (rc %d, box %s, helper runs %s): the trace cannot tell "
                             "a join from a build" % (kind, self.ctx.boxed, rc, s, hx))
        self.checks["joining ssh and su print the held box, PID 1 loginbox-init"] = True
        self.checks["no loginbox-helper exec in a traced joining ssh and su "
                    "(a building one: yes)"] = not self.problems
        return out

    def prove_after(self, index0):
        index1 = self.index_id()
        same = index0 is not None and index0 == index1
        self.checks["no helper open during the timed rounds (%s unchanged)"
                    % os.path.basename(self.index)] = same
        if not same:
            self.problem("%s changed during the timed rounds (%s -> %s): the helper "
                         "opened the box of %s for at least one timed join"
                         % (self.index, index0, index1, self.user))
        left = self.listed()
        alive = self.hold is not None and self.hold.poll() is None
        self.checks["held login alive; box %s still the only box of %s"
                    % (self.box, self.user)] = alive and left == [self.box]
        if not alive or left != [self.box]:
            self.problem("after timing, the held login is %s and the boxes of %s are "
                         "%s (held box %s)" % ("alive" if alive else "gone", self.user,
                                               left, self.box))


def _alive(pid):
    """PID runs (not gone, not a zombie)."""
    try:
        with open("/proc/%d/stat" % pid) as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _children(pid):
    """The pids of PID's children (the listening sshd's connections)."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as fh:
            return fh.read().split()
    except OSError:
        return []


def _run(argv):
    t0 = time.perf_counter_ns()
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
    except subprocess.TimeoutExpired:
        p = subprocess.CompletedProcess(argv, -1, b"", b"timed out after 60 s")
    return time.perf_counter_ns() - t0, p


def _round(ctx, su, users, fails):
    """Every (kind, who) once, in a random order; {(kind, who): ms}."""
    if not os.path.isdir("/run/sshd"):
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    order = [(k, w) for k in KINDS for w in WHO]
    random.shuffle(order)
    got = {}
    ensure_subids(ctx)
    for kind, who in order:
        for _attempt in (1, 2):
            ns, rc, _, err = login(ctx, su, kind, users[who], "true")
            if rc == 0 or not ensure_subids(ctx):
                break
        if rc != 0:
            key = "%s %s" % (kind, who)
            fails[key] = fails.get(key, 0) + 1
            if fails[key] <= 3:
                ctx.note("%s as %s failed (rc %d): %s"
                         % (kind, users[who], rc, err.strip()[-200:]))
            continue
        got[(kind, who)] = ms(ns)
    return got


def join_latency(ctx, su):
    """Section 1b; the figures, the proofs, and "problems" (empty when
    the figures are of joins)."""
    j = Join(ctx)
    users = {"join": j.user, "build": ctx.boxed, "plain": ctx.plain}
    ctx.progress("1b. joining logins: %d interleaved rounds of ssh and su as %s "
                 "(joins a held box), %s (builds) and %s (unboxed)"
                 % (ctx.logins, j.user, ctx.boxed, ctx.plain))
    res = {"user": j.user, "rounds": ctx.logins}
    try:
        j.write_dropin()
        res["held_box"] = j.start_hold()
        # The helper names the box in the index after its reply (under
        # the user's lock still), so it may come a moment after the login.
        deadline = time.monotonic() + 10
        index0 = j.index_id()
        while (index0 is None or index0[2] != j.box) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling for the index, bounded
            index0 = j.index_id()
        if index0 is None or index0[2] != j.box:
            raise SystemExit("bench: the held box %s of %s was built but %s names %s"
                             % (j.box, j.user, j.index, index0))
        if os.environ.get("LBB_JOIN_NO_KEEPER") == "1":
            j.kill_keeper()
        res["before"] = j.prove_before(su)
        index0 = j.index_id()
        samples = {k: {w: [] for w in WHO} for k in KINDS}
        added = {k: {"join": [], "build": []} for k in KINDS}
        fails = {}
        for i in range(ctx.logins + ctx.warmup):
            got = _round(ctx, su, users, fails)
            if i < ctx.warmup:
                continue
            for (kind, who), v in got.items():
                samples[kind][who].append(v)
            for kind in KINDS:
                for who in ("join", "build"):
                    if (kind, who) in got and (kind, "plain") in got:
                        added[kind][who].append(got[(kind, who)] - got[(kind, "plain")])
        j.prove_after(index0)
        for kind in KINDS:
            kf = {w: fails.get("%s %s" % (kind, w), 0) for w in WHO}
            r = join_summary(samples[kind], added[kind], kf)
            r["samples_ms"] = {w: [round(x, 3) for x in samples[kind][w]] for w in WHO}
            res[kind] = r
            ctx.progress("   %s: joining median %.2f ms, building %.2f, unboxed %.2f; "
                         "a join adds %.2f ms (per-round median)"
                         % (kind, r["join"].get("median", float("nan")),
                            r["build"].get("median", float("nan")),
                            r["plain"].get("median", float("nan")),
                            r["join_added"].get("median", float("nan"))))
    finally:
        j.end_hold()
        try:
            os.unlink(j.dropin)
        except FileNotFoundError:
            pass
    res["checks"] = j.checks
    res["problems"] = j.problems
    return res
