#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# loginbox benchmarks: `sudo make bench` (see bench/README.md).
#
# Builds and installs a PRIVATE copy of loginbox under $LBB_PREFIX
# (default /run/loginbox-bench; paths are compiled in, so that copy reads
# its own config and keeps its own state there), creates three users
# (lbb-boxed: boxed; lbb-plain: not boxed; lbb-join: boxed, given
# session = user by bench/lbb_join.py while it measures joins), starts a private sshd on
# 127.0.0.1 with its own PAM service, compiles the kernel floor
# (bench/floor.c), a minimal crun bundle and the box owner of the scale
# test (bench/lbb_boxes.c, against the private build), and runs bench/bench.py,
# which measures, prints the table and writes bench/results/.
# Everything it made is removed on exit, whatever happens.  It never
# touches the system install (/usr/sbin/loginbox, /etc/loginbox,
# /run/loginbox) that integration tests may be using at the same time.
#
# Knobs (environment):
#   LBB_LOGINS=200        ssh and su logins per user (the issue asks >= 50)
#   LBB_ROUNDS=100        rounds of the peer comparison and phase timing
#   LBB_SCALES="100 500 1000"   idle-box counts of the scale test
#   LBB_QUICK=1           smoke run: 10 logins, 10 rounds, scales "20 50"
#   LBB_PORT=2299         sshd port (another free port if it is taken)
#   LBB_KEEP=1            keep the temp dir (logs) on exit
#   LBB_REV=REV           measure committed revision REV (git archive)
#                         instead of the working tree
#   LBB_PREFIX=DIR        the private install (default /run/loginbox-bench;
#                         every directory on the path must be root-owned and
#                         not group/world writable; it is removed at the end)
#   LBB_ONLY=net          only the network figures (bench/net.sh, knobs
#                         LBN_* there), right after the private install:
#                         no sshd, no table, no storm
#   LBB_ONLY=storm        only the login storms (bench/storm.sh), after the
#                         private sshd is up
#   LBB_ONLY=join         only the joining logins (1b, bench/lbb_join.py),
#                         after the private sshd is up
#   LBB_JOIN_NO_KEEPER=1  1b kills the held box's keeper first: its proofs
#                         must then fail (a check of the bench itself)

set -u
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
P=${LBB_PREFIX:-/run/loginbox-bench}
BOXED=lbb-boxed
PLAIN=lbb-plain
JOIN=lbb-join
PAM_SSHD_NAME=sshd-lbbench
PAM_SSHD=/etc/pam.d/$PAM_SSHD_NAME
LOCK=/run/loginbox-bench.lock
PY=/usr/bin/python3
START_TS=$(date +%s)

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (it installs a private copy of loginbox, adds" >&2
	echo "bench: users, starts sshd and builds boxes): run 'sudo make bench'" >&2
	exit 1
fi

# One benchmark at a time on this machine.
exec 9>"$LOCK" || die "cannot open $LOCK"
flock -n 9 || die "another benchmark holds $LOCK"

T=$(mktemp -d /tmp/lbbench.XXXXXX) || die "mktemp"
# sshd reads $T/keys/%u as the user: the directory must be traversable.
chmod 755 "$T"
SSHD_PID=""
RUNNING=no

# ----------------------------------------------------------- cleanup ---

# shellcheck source=../tests/shlib.sh
. "$HERE/../tests/shlib.sh"
stop_pid() { lb_stop_pid "$@"; }

# The sshd of an earlier run whose cleanup never ran (killed with -9):
# its process title names our PAM service and a /tmp/lbbench.* dir.
stale_sshd() {
	local pid args
	for pid in $(pgrep -x "$PAM_SSHD_NAME" 2>/dev/null) $(pgrep -f "^$PAM_SSHD_NAME: /tmp/lbbench\\." 2>/dev/null); do
		args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
		case $args in
		*"/tmp/lbbench."*"/$PAM_SSHD_NAME "*|"$PAM_SSHD_NAME: /tmp/lbbench."*) echo "$pid" ;;
		esac
	done | sort -u
}

# Boxes of this private install: gc sweeps those whose owner is gone; any
# still alive (owner still running: should not happen once bench.py has
# exited) are ended one by one.
end_private_boxes() {
	[ -x "$P/sbin/loginbox" ] || return 0
	"$P/sbin/loginbox" gc >/dev/null 2>&1
	local id
	for id in $(ls "$P/run" 2>/dev/null | grep -E '^[0-9]+$'); do
		"$P/sbin/loginbox" kill "$id" >/dev/null 2>&1 ||
			"$P/libexec/loginbox-helper" close "$id" >/dev/null 2>&1
	done
	"$P/sbin/loginbox" gc >/dev/null 2>&1
	return 0
}

remove_users() {
	local u pids
	for u in $BOXED $PLAIN $JOIN; do
		if id "$u" >/dev/null 2>&1; then
			pids=$(ps -o pid= -u "$u" 2>/dev/null)
			# shellcheck disable=SC2086
			[ -n "$pids" ] && kill -9 $pids 2>/dev/null
			userdel -r -f "$u" >/dev/null 2>&1
		fi
	done
	getent group $BOXED >/dev/null && groupdel $BOXED >/dev/null 2>&1
	# Our own subordinate-id lines only (userdel removes them; a restore
	# of /etc/subuid by another tool may have brought them back).
	sed -i "/^$BOXED:/d;/^$PLAIN:/d;/^$JOIN:/d" /etc/subuid /etc/subgid 2>/dev/null
	return 0
}

# The box's cgroup nodes live under the shared name
# /sys/fs/cgroup/unified/loginbox/u<UID>: remove our empty user node.
remove_cgroup_node() {
	local uid=$1 d
	[ -n "$uid" ] || return 0
	for d in /sys/fs/cgroup/unified/loginbox/u"$uid" /sys/fs/cgroup/loginbox/u"$uid"; do
		[ -d "$d" ] && rmdir "$d"/s* "$d" 2>/dev/null
	done
	return 0
}

cleanup() {
	local rc=$? uid juid log=$T/cleanup.log
	trap - EXIT INT TERM HUP
	# Never skip the cleanup because its log cannot be written.
	mkdir -p "$T" 2>/dev/null && : >>"$log" 2>/dev/null || log=/dev/null
	{
		echo "== cleanup (status $rc)"
		stop_pid "$SSHD_PID"
		end_private_boxes
		uid=$(id -u $BOXED 2>/dev/null)
		juid=$(id -u $JOIN 2>/dev/null)
		remove_users
		remove_cgroup_node "$uid"
		remove_cgroup_node "$juid"
		rm -f "$PAM_SSHD"
		# the private `make install` registered its loginbox-shell
		sed -i "\\#^$P/sbin/loginbox-shell\$#d" /etc/shells
		if [ -d "$P" ]; then
			if grep -q " $P" /proc/self/mountinfo; then
				echo "mounts under $P remain; not removing it"
			else
				rm -rf "$P"
			fi
		fi
	} >>"$log" 2>&1
	if [ "${LBB_KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
		say "logs kept in $T"
	else
		rm -rf "$T"
	fi
	[ "$RUNNING" = yes ] && say "total time: $(($(date +%s) - START_TS)) s"
	rm -f "$LOCK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------- packages ---
lb_ensure_packages "$T/apt.log" bubblewrap crun openssh-server openssh-client \
	python3 busybox-static uidmap util-linux strace gcc make libc6-dev libpam0g-dev \
	libcap-dev libseccomp-dev libiniparser-dev libjson-c-dev >&2 ||
	{ tail -n 20 "$T/apt.log" >&2; die "apt-get install"; }
[ -x "$PY" ] || PY=$(command -v python3)

# -------------------------------------------- a stale run, then build ---
for pid in $(stale_sshd); do
	say "stopping the sshd of an earlier run (pid $pid)"
	stop_pid "$pid"
done
if [ -e "$P" ] || id $BOXED >/dev/null 2>&1 || id $PLAIN >/dev/null 2>&1 ||
	id $JOIN >/dev/null 2>&1; then
	say "removing leftovers of an earlier run ($P, users $BOXED $PLAIN $JOIN)"
	end_private_boxes
	olduid=$(id -u $BOXED 2>/dev/null)
	oldjuid=$(id -u $JOIN 2>/dev/null)
	remove_users
	remove_cgroup_node "$olduid"
	remove_cgroup_node "$oldjuid"
	grep -q " $P" /proc/self/mountinfo && die "mounts under $P remain"
	rm -rf "$P"
fi
rm -f "$PAM_SSHD"
sed -i "/^$BOXED:/d;/^$PLAIN:/d;/^$JOIN:/d" /etc/subuid /etc/subgid

RUNNING=yes
# What is measured: the working tree (default), or a committed revision
# (LBB_REV=HEAD, LBB_REV=v1.2, ...) exported into the temp dir.
SRC=$REPO
SOURCE="working tree"
if [ -n "${LBB_REV:-}" ]; then
	rev=$(git -C "$REPO" rev-parse --verify --short "${LBB_REV}^{commit}" 2>/dev/null) ||
		die "LBB_REV=$LBB_REV is not a commit of $REPO"
	mkdir -p "$T/src"
	git -C "$REPO" archive --format=tar "$rev" | tar -x -C "$T/src" || die "git archive $rev"
	SRC=$T/src
	SOURCE="commit $rev"
fi
say "building a private copy of loginbox ($SOURCE) into $P"
mkdir -p "$P" && chown root:root "$P" && chmod 0755 "$P" || die "mkdir $P"
make -C "$SRC" -s B="$T/build" prefix="$P/usr" sbindir="$P/sbin" \
	libexecdir="$P/libexec" pamdir="$P/pam" sysconfdir="$P/etc" \
	statedir="$P/state" rundir="$P/run" mandir="$P/man" docdir="$P/doc" \
	pamconfigdir="$P/pam-configs" all install >"$T/build.log" 2>&1 ||
	{ tail -n 30 "$T/build.log" >&2; die "private build failed"; }
cat >"$P/etc/loginbox.conf" <<EOF
# loginbox benchmark (bench/run.sh): removed at the end
[global]
on_error = deny

[group.$BOXED]
image = host
# a box per login: the scale runs measure building many boxes
session = login
EOF
chown root:root "$P/etc/loginbox.conf" && chmod 0644 "$P/etc/loginbox.conf"
"$P/sbin/loginbox" check >"$T/check.log" 2>&1 ||
	{ cat "$T/check.log" >&2; die "loginbox check"; }

# ------------------------------------------------------------- users ---
groupadd $BOXED || die "groupadd $BOXED"
useradd -m -g $BOXED -s "$P/sbin/loginbox-shell" $BOXED || die "useradd $BOXED"
# The same shell as in the box (the policy default, shell = /bin/bash).
useradd -m -s /bin/bash $PLAIN || die "useradd $PLAIN"
# Boxed by the same group section; 1b gives it session = user (a drop-in).
useradd -m -g $BOXED -s "$P/sbin/loginbox-shell" $JOIN || die "useradd $JOIN"
for u in $BOXED $PLAIN $JOIN; do
	if ! grep -q "^$u:" /etc/subuid || ! grep -q "^$u:" /etc/subgid; then
		start=$(awk -F: 'BEGIN{m=100000} NF>=3 {e=$2+$3; if (e>m) m=e} END{print m}' /etc/subuid /etc/subgid)
		usermod --add-subuids "$start-$((start + 65535))" \
			--add-subgids "$start-$((start + 65535))" "$u" || die "subids of $u"
	fi
done
"$P/sbin/loginbox" policy $BOXED >"$T/policy.log" 2>&1 || { cat "$T/policy.log" >&2; die "policy $BOXED"; }
"$P/sbin/loginbox" run -u $BOXED -- true >"$T/smoke.log" 2>&1 ||
	{ cat "$T/smoke.log" >&2; die "a box of $BOXED cannot be built (loginbox run)"; }

case ${LBB_ONLY:-} in
"") ;;
net)
	say "setup done in $(($(date +%s) - START_TS)) s; network only (LBB_ONLY=net)"
	"$HERE/net.sh" "$P" "$BOXED"
	exit
	;;
storm | join) ;;
*) die "LBB_ONLY=$LBB_ONLY: the parts that run alone are net, storm and join" ;;
esac

# ------------------------------------------------------------ sshd ---
mkdir -p "$T/keys" "$T/id"
chmod 700 "$T/id"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" || die "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -f "$T/id/key" || die "ssh-keygen"
for u in $BOXED $PLAIN $JOIN; do cp "$T/id/key.pub" "$T/keys/$u"; done
chmod 755 "$T/keys" && chmod 644 "$T"/keys/*
PORT=${LBB_PORT:-2299}
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
	PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	say "port ${LBB_PORT:-2299} is taken; sshd uses $PORT"
fi
lb_sshd_config "$T" "$PORT" "$T/keys" <<EOF
PermitRootLogin no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups 250:30:300
LogLevel ERROR
EOF
# A stack of PAM_IGNOREs alone fails: pam_permit after the module lets the
# unboxed user in (and costs both users the same).
cat >"$PAM_SSHD" <<EOF
# loginbox benchmark (bench/run.sh removes it)
@include common-account
session required $P/pam/pam_loginbox.so
session required pam_permit.so
EOF
cat >"$T/pam-su" <<EOF
auth sufficient pam_rootok.so
@include common-account
session required $P/pam/pam_loginbox.so
session required pam_permit.so
EOF
chmod 644 "$PAM_SSHD" "$T/pam-su"
ln -s /usr/sbin/sshd "$T/$PAM_SSHD_NAME"
"$T/$PAM_SSHD_NAME" -f "$T/sshd_config" -D -e >>"$T/sshd.log" 2>&1 9>&- &
SSHD_PID=$!
for _ in $(seq 1 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
	sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { cat "$T/sshd.log" >&2; die "sshd did not start"; }

# ------------------------------------------------ floor, crun bundle ---
gcc -O2 -Wall -Wextra -Werror -o "$T/floor" "$HERE/floor.c" || die "compile floor.c"
# The scale test's box owner, linked with the private build's libcommon.a
# (its compiled-in helper path; bench/ comes from the working tree, the
# headers from the tree under test).
# shellcheck disable=SC2046 # one -I per directory
gcc -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $(find "$SRC/helper" -name '*.h' -printf '-I%h\n' | sort -u) \
	-o "$T/lbb-boxes" "$HERE/lbb_boxes.c" "$T/build/libcommon.a" \
	-Wl,--as-needed -lseccomp -lcap -liniparser -lnftables -ljson-c || die "compile lbb_boxes.c"
mkdir -p "$T/bundle/rootfs/bin" "$T/bundle/rootfs/proc" "$T/bundle/rootfs/dev" \
	"$T/bundle/rootfs/sys" "$T/bundle/rootfs/tmp" "$T/crun-state"
cp /bin/busybox "$T/bundle/rootfs/bin/busybox"
ln -s busybox "$T/bundle/rootfs/bin/true"
ln -s busybox "$T/bundle/rootfs/bin/sh"
(cd "$T/bundle" && crun spec --rootless) || die "crun spec"

# ------------------------------------------------------------- run ---
cat >"$T/setup.json" <<EOF
{"prefix": "$P", "tmp": "$T", "repo": "$REPO", "source": "$SOURCE",
 "rev": "${rev:-}", "boxed": "$BOXED",
 "plain": "$PLAIN", "join": "$JOIN", "port": $PORT, "key": "$T/id/key",
 "floor": "$T/floor", "bundle": "$T/bundle", "crun_state": "$T/crun-state",
 "pam_su": "$T/pam-su", "sshd_pid": $SSHD_PID,
 "boxes_tool": "$T/lbb-boxes",
 "results": "$HERE/results", "python": "$PY"}
EOF
mkdir -p "$HERE/results"
[ -e "$HERE/results/.keep" ] || : >"$HERE/results/.keep"
say "setup done in $(($(date +%s) - START_TS)) s; measuring"
if [ "${LBB_ONLY:-}" = storm ]; then
	"$HERE/storm.sh" "$T/setup.json"
	exit
fi
if [ "${LBB_ONLY:-}" = join ]; then
	"$PY" "$HERE/bench.py" --join "$T/setup.json"
	exit
fi
"$PY" "$HERE/bench.py" "$T/setup.json" && "$HERE/net.sh" "$P" "$BOXED" &&
	"$HERE/image_build.sh" "$P" "$BOXED" && "$HERE/storm.sh" "$T/setup.json"
