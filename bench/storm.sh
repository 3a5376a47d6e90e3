#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Login storm benchmark (called by bench/run.sh with its setup.json, after
# bench.py): LBB_STORM_N (default 200) ssh logins started at once, boxed
# (lbb-boxed) and then unboxed (lbb-plain), against the bench's private
# sshd.  Prints the time from the first start to the last login's end,
# p50 and p95 of the per-login latency, and the boxed/unboxed p95 ratio
# against the target (1.5).  Every boxed login must print its box's
# marker from inside (its session id and PID 1 = loginbox-init): a storm
# of failed logins would otherwise look fast.  Writes
# bench/results/storm-<stamp>.json and storm-latest.json.
#
# Then the same with session = user (issue 15: many logins of few users):
# LBB_STORM_USER_N (default 60, under a box's cap of 64 logins) logins of
# the one boxed user at once, all of which must land in the same box (one
# builds it, the others wait on the user's lock and join), against as many
# unboxed logins.
#
#   bench/storm.sh SETUP.JSON

set -u
SETUP=$1
HERE=$(cd "$(dirname "$0")" && pwd)
N=${LBB_STORM_N:-200}
TARGET=1.5

get() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$SETUP" "$1"; }
PORT=$(get port)
KEY=$(get key)
BOXED=$(get boxed)
PLAIN=$(get plain)
T=$(get tmp)
RESULTS=$(get results)
W=$T/storm
mkdir -p "$W"

# shellcheck disable=SC2016
INSIDE='echo "@@IN=${LOGINBOX_SESSION:-none}:$(cat /proc/1/comm)@@"'
jobs() { # USER [N]
	python3 - "$1" "${2:-$N}" "$PORT" "$KEY" "$INSIDE" <<-'EOF'
		import json, sys
		user, n, port, key, inside = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
		for i in range(n):
		    print(json.dumps({"id": "%s-%d" % (user, i), "argv": [
		        "ssh", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes",
		        "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
		        "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		        "-o", "ConnectTimeout=60", "-p", port, user + "@127.0.0.1", inside]}))
	EOF
}

printf 'bench: login storm: %d concurrent ssh logins, boxed then unboxed\n' "$N" >&2
jobs "$BOXED" >"$W/jobs.boxed"
jobs "$PLAIN" >"$W/jobs.plain"
python3 "$HERE/storm.py" "$W/jobs.boxed" "$W/boxed" 180 >"$W/boxed.json" || exit 1
python3 "$HERE/storm.py" "$W/jobs.plain" "$W/plain" 180 >"$W/plain.json" || exit 1

# session = user: one box for all of them
P=$(get prefix)
UN=${LBB_STORM_USER_N:-60}
cp -p "$P/etc/loginbox.conf" "$W/conf.bak"
sed -i 's/^session = login$/session = user/' "$P/etc/loginbox.conf"
printf 'bench: login storm: %d concurrent ssh logins of one user (session = user), then unboxed\n' "$UN" >&2
jobs "$BOXED" "$UN" >"$W/jobs.user"
jobs "$PLAIN" "$UN" >"$W/jobs.uplain"
python3 "$HERE/storm.py" "$W/jobs.user" "$W/user" 180 >"$W/user.json"
urc=$?
python3 "$HERE/storm.py" "$W/jobs.uplain" "$W/uplain" 180 >"$W/uplain.json" || urc=1
cp -p "$W/conf.bak" "$P/etc/loginbox.conf"
"$P/sbin/loginbox" gc >/dev/null 2>&1
[ "$urc" = 0 ] || exit 1

python3 - "$W" "$N" "$TARGET" "$RESULTS" "$UN" <<-'EOF'
	import json, os, re, sys, time
	w, n, target, results, un = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
	out = {"n": n, "user_n": un, "target_p95_ratio": target}
	for who, marker in (("boxed", r"@@IN=[0-9]+:loginbox-init@@"), ("plain", r"@@IN=none:"),
	                    ("user", r"@@IN=[0-9]+:loginbox-init@@"), ("uplain", r"@@IN=none:")):
	    r = json.load(open(os.path.join(w, who + ".json")))
	    good, boxes = 0, set()
	    for c in r["clients"]:
	        txt = open(os.path.join(w, who, c["id"] + ".out"), errors="replace").read()
	        m = re.search(marker, txt)
	        if c["rc"] == 0 and m:
	            good += 1
	            boxes.add(m.group(0))
	    r["good"] = good
	    r["boxes"] = len(boxes)
	    del r["clients"]
	    out[who] = r
	b, p = out["boxed"], out["plain"]
	ratio = b["p95"] / p["p95"] if b["p95"] and p["p95"] else None
	out["p95_ratio"] = ratio
	print()
	print("login storm (%d ssh logins started at once, one user each)" % n)
	print("  %-8s %12s %8s %8s %8s %6s" % ("", "to last (s)", "p50 (s)", "p95 (s)", "max (s)", "in"))
	for who in ("boxed", "plain"):
	    r = out[who]
	    print("  %-8s %12.2f %8.2f %8.2f %8.2f %3d/%d%s" % (
	        "unboxed" if who == "plain" else who, r["last"] or -1, r["p50"] or -1,
	        r["p95"] or -1, r["max"] or -1, r["good"], n,
	        ", %d hung" % r["hung"] if r["hung"] else ""))
	if ratio is not None:
	    print("  p95 boxed/unboxed: %.2fx (target <= %.1fx: %s)" % (
	        ratio, target, "met" if ratio <= target else "NOT met"))
	u, up = out["user"], out["uplain"]
	uratio = u["p95"] / up["p95"] if u["p95"] and up["p95"] else None
	out["user_p95_ratio"] = uratio
	print("login storm, session = user (%d ssh logins of one user started at once)" % un)
	for who, name in (("user", "boxed"), ("uplain", "unboxed")):
	    r = out[who]
	    print("  %-8s %12.2f %8.2f %8.2f %8.2f %3d/%d%s" % (
	        name, r["last"] or -1, r["p50"] or -1, r["p95"] or -1, r["max"] or -1,
	        r["good"], un, ", %d hung" % r["hung"] if r["hung"] else ""))
	print("  boxes the boxed logins landed in: %d (must be 1)" % u["boxes"])
	if uratio is not None:
	    print("  p95 boxed/unboxed: %.2fx (target <= %.1fx: %s)" % (
	        uratio, target, "met" if uratio <= target else "NOT met"))
	stamp = time.strftime("%Y%m%d-%H%M%S")
	os.makedirs(results, exist_ok=True)
	for name in ("storm-%s.json" % stamp, "storm-latest.json"):
	    with open(os.path.join(results, name), "w") as f:
	        json.dump(out, f, indent=1)
	ok = (b["good"] == n and p["good"] == n and u["good"] == un and
	      up["good"] == un and u["boxes"] == 1)
	sys.exit(0 if ok else 1)
EOF
