#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Root-run integration tests of loginbox: real sshd on 127.0.0.1 with a test
# PAM service, real ssh/scp/sftp/rsync, su, login, pamtester, test users
# with subordinate id ranges.  Called by `sudo make check-integration` (from
# the repository root, after `make all`).
#
#   tests/integration/run.sh [t_NN_name.sh | DIR/FILE.sh ...]
#                                  (default: every t_*.sh here)
#   LBT_TIER=hostile tests/integration/run.sh tests/hostile/h_*.sh
#                                  (the hostile tier: same set-up, own name)
#
# It installs the project (make install), sets up users lbt-* and groups,
# runs the t_*.sh files in order (each in its own bash, sharing the TAP
# numbering through $LBT_TMP/tap), and always cleans up on exit: the
# daemons it started (by pid), test boxes, users, groups, /etc/subuid,
# /etc/shells (it lists loginbox-shell there, as the package does),
# /etc/subgid, the config (restored, or removed if there was none), its PAM
# service files, its images, then `make uninstall`.
#
# Output is TAP with the plan first (the files' t_plan lines; at the end
# when a file has none); the last line is
#   integration: N passed, M failed, K skipped
# where tests planned but never run count as failed.
# and the exit status is non-zero when anything failed.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "integration: these tests need root (they install loginbox, add users," >&2
	echo "integration: start sshd and log in): run 'sudo make check-integration'" >&2
	exit 1
fi

LBT_TMP=$(mktemp -d /tmp/lbt-integration.XXXXXX) || exit 1
chmod 755 "$LBT_TMP"
export LBT_TMP LBT_DIR="$HERE" LBT_REPO="$REPO"
mkdir -p "$LBT_TMP/tap"
: >"$LBT_TMP/pids"
CLEANUP_LOG="$LBT_TMP/cleanup.log"
# Kept outside $LBT_TMP, which the cleanup removes.
FINAL_LOG=/tmp/lbt-integration-last.log

# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"

SUBUID_BAK="$LBT_TMP/subuid.bak"
SUBGID_BAK="$LBT_TMP/subgid.bak"
SHELLS_BAK="$LBT_TMP/shells.bak"
CONF_BAK="$LBT_TMP/loginbox.conf.bak"
PREV_INSTALL="$LBT_TMP/prev-install.tar"
CONF_EXISTED=no
INSTALLED=no
STARTED=no
FINISHED=no

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	{
		echo "== cleanup"
		# 1. daemons and clients we started, by pid (and start time)
		stop_tracked
		# 2. boxes of test users, then the stale ones
		if [ -x "$LB_ADMIN" ]; then
			clean_test_sessions
			"$LB_ADMIN" gc
		fi
		# 3. users and groups
		[ "$STARTED" = yes ] && delete_test_users
		# 4. files we changed
		[ -f "$SUBUID_BAK" ] && cat "$SUBUID_BAK" >/etc/subuid
		[ -f "$SUBGID_BAK" ] && cat "$SUBGID_BAK" >/etc/subgid
		[ -f "$SHELLS_BAK" ] && cat "$SHELLS_BAK" >/etc/shells
		if [ "$STARTED" = yes ]; then
			if [ "$CONF_EXISTED" = yes ]; then
				cp -p "$CONF_BAK" "$LB_CONF"
			else
				rm -f "$LB_CONF"
			fi
			rm -f "$LB_CONFD"/lbt-*.conf
			# shellcheck disable=SC2086
			rm -f $PAM_LBT_FILES
			rm -rf "$LB_IMAGES"/lbt-* "$LB_USERSDIR"/lbt-*
			[ -f "$LBT_TMP/created-run-sshd" ] && rmdir /run/sshd
		fi
		# 5. the install, and the one that was here before (quickstart)
		[ "$INSTALLED" = yes ] && make -C "$REPO" uninstall
		if [ -s "$PREV_INSTALL" ]; then
			lb_restore_install "$PREV_INSTALL" && echo "restored the install found before the run"
		fi
	} >>"$CLEANUP_LOG" 2>&1
	if [ "$STARTED" = yes ] && [ -x "$LB_ADMIN" ] && [ -n "$(test_session_ids 2>/dev/null)" ]; then
		diag "cleanup: test sessions remain in $LB_RUN: $(test_session_ids | tr '\n' ' ')"
	fi
	cp "$CLEANUP_LOG" "$FINAL_LOG" 2>/dev/null
	[ -f "$LBT_TMP/sshd.log" ] && cat "$LBT_TMP/sshd.log" >>"$FINAL_LOG"
	diag "cleanup done (log: $FINAL_LOG)"
	[ "$FINISHED" = yes ] || tap_fail "integration run finished (it was aborted, status $rc)"
	# a run without a whole plan (a file with no t_plan line) says it last
	[ -s "$TAP_DIR/plan" ] || echo "1..$(tap_count n)"
	# tests planned but never run count as failed (tests/tap.sh)
	local ok=0
	tap_summary || ok=1
	rm -rf "$LBT_TMP"
	exit "$ok"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

abort() {
	tap_fail "setup: $*"
	FINISHED=yes
	exit 1
}

# --------------------------------------------------------------- packages
lb_ensure_packages "$LBT_TMP/apt.log" openssh-server openssh-client rsync \
	pamtester uidmap curl python3 busybox-static iproute2 util-linux \
	libcap2-bin || { diag_file "$LBT_TMP/apt.log"; abort "apt-get install"; }

# ------------------------------------------------------ baseline, backups
ls "$LB_RUN" 2>/dev/null | grep -E '^[0-9]+$' >"$LBT_TMP/baseline.run"
ls "$LB_RUN" 2>/dev/null | grep '^allow-' >"$LBT_TMP/baseline.allow"
ls "$LB_SESSIONS" 2>/dev/null >"$LBT_TMP/baseline.sessions"
cp -p /etc/subuid "$SUBUID_BAK" 2>/dev/null || : >"$SUBUID_BAK"
cp -p /etc/subgid "$SUBGID_BAK" 2>/dev/null || : >"$SUBGID_BAK"
cp -p /etc/shells "$SHELLS_BAK"
if [ -e "$LB_CONF" ]; then
	CONF_EXISTED=yes
	cp -p "$LB_CONF" "$CONF_BAK"
fi
STARTED=yes

# ---------------------------------------------------------------- install
# An install already here (make quickstart: common-session names the
# module) is put back after our uninstall.
lb_save_install "$PREV_INSTALL" && diag "note: loginbox is already installed here: restored after the run"
diag "make install"
if ! make -C "$REPO" install >"$LBT_TMP/install.log" 2>&1; then
	diag_file "$LBT_TMP/install.log"
	abort "make install"
fi
INSTALLED=yes
for f in "$LB_SHELL" "$LB_ADMIN" "$LB_HELPER" "$LB_PAM_MODULE"; do
	[ -e "$f" ] || abort "make install did not install $f"
done
if ls "$LB_CONFD"/*.conf >/dev/null 2>&1; then
	diag "note: $LB_CONFD holds files not made by these tests:" \
		"$(ls "$LB_CONFD")" "they may change the policies tested here"
fi

# An interrupted earlier run (or another checkout's) may have left stale
# boxes or empty cgroup nodes of uids our test users get again: sweep them,
# as an admin would, before anything is counted as ours.
"$LB_ADMIN" gc >/dev/null 2>&1

# ---------------------------------------------------------- users, config
setup_users || abort "create test users"
setup_pam || abort "write the test PAM services"
reset_conf || abort "write $LB_CONF"
start_sshd || abort "start the test sshd"
# lib.sh read the port before sshd existed: the t_*.sh files read it again.

# ------------------------------------------------------------------ tests
if [ $# -gt 0 ]; then
	files=""
	for a in "$@"; do
		case $a in
		*/*) files="$files $(cd "$(dirname "$a")" && pwd)/${a##*/}" ;;
		*) files="$files $HERE/$a" ;;
		esac
	done
else
	files=$(ls "$HERE"/t_*.sh | sort)
fi
# The plan first: the sum of the files' "t_plan N" lines (lib.sh).  Files
# without one are counted at the end only, as before.
file_plan() { sed -n 's/^t_plan \([0-9][0-9]*\)$/\1/p' "$1" 2>/dev/null | head -n 1; }
PLANNED=0
unplanned=""
for t in $files; do
	p=$(file_plan "$t")
	if [ -n "$p" ]; then PLANNED=$((PLANNED + p)); else unplanned="$unplanned ${t##*/}"; fi
done
if [ -z "$unplanned" ]; then
	tap_plan "$PLANNED"
else
	diag "no t_plan line in:$unplanned: the plan comes at the end"
fi
for t in $files; do
	[ -f "$t" ] || { tap_fail "test file $t exists"; continue; }
	echo "# ${t##*/}"
	ensure_installed
	reset_conf
	before=$(tap_count n)
	timeout -k 10 300 bash "$t"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		tap_fail "${t##*/} ran to its end" "it exited with status $rc (124: timed out)"
	fi
	p=$(file_plan "$t")
	ran=$(($(tap_count n) - before))
	if [ -n "$p" ] && [ "$ran" -ne "$p" ]; then
		tap_fail "${t##*/} ran its planned $p tests" "it ran $ran"
	fi
	clean_test_sessions
done
FINISHED=yes
exit 0
