#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults at every step of building and tearing down a box: the helper, the
# box's init and the PAM module (in sshd's [priv] process) are stopped at a
# test-only fault point (helper/common/fault.h, `make FAULTS=1`, installed
# by this file only and replaced by the normal build at its end), then
# killed with -9 there.  After each: the login failed with a message (or,
# when the box was already built, ran), `loginbox gc` leaves nothing of it
# (no process, mount, cgroup node, state file, upper), and the next login
# of that user works (a marker from inside its box).  Then: kill -9 of the
# user's shell mid-session; the config edited between open and close
# (close still ends the box built under the old config, without gc); and
# full state directories (small tmpfs mounts over /run/loginbox and
# /var/lib/loginbox/sessions in a private mount namespace only: the
# machine's real /run and /var are never filled): refused naming ENOSPC,
# nothing half-built.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 102

W=$LBT_TMP/t98
mkdir -p "$W"
chmod 755 "$W"
FAULT=/run/loginbox-fault
U=lbt-alice
# In the box: its session id and what its PID 1 is.
# shellcheck disable=SC2016
INSIDE='echo "@@IN=${LOGINBOX_SESSION:-none}:$(cat /proc/1/comm)@@"'
BOXED_RE='^[0-9]+:loginbox-init$'

restore98() {
	rm -f "$FAULT"
	# The normal build back in place (run.sh's uninstall removes it later).
	make -C "$LBT_REPO" -s install >>"$W/install.log" 2>&1 ||
		diag "t_98: reinstalling the normal build failed (see $W/install.log)"
	reset_conf
}
trap restore98 EXIT

# ------------------------------------------------ the fault build ---
rm -f "$FAULT"
if make -C "$LBT_REPO" -s -j2 FAULTS=1 all install >"$W/install.log" 2>&1 &&
	grep -q loginbox-fault "$LB_HELPER" && grep -q loginbox-fault "$LB_PAM_MODULE"; then
	tap_ok "the fault-point build (make FAULTS=1) is installed: helper and module name $FAULT"
else
	tap_fail "the fault-point build is installed" "$(tail -n 20 "$W/install.log")"
fi
if grep -q loginbox-fault "$LBT_REPO/build/loginbox-helper" 2>/dev/null; then
	tap_fail "the normal build has no fault points" "build/loginbox-helper names $FAULT"
else
	tap_ok "the normal build has no fault points (build/loginbox-helper does not name $FAULT)"
fi

# arm POINT ACTION: root:root 0600, as fault.h insists.
arm() {
	local tmp
	tmp=$(mktemp /run/loginbox-fault.XXXXXX) || return 1
	printf '%s %s\n' "$1" "$2" >"$tmp"
	chown root:root "$tmp" && chmod 0600 "$tmp" && mv -f "$tmp" "$FAULT"
}

# wait_stopped SECONDS: the pid of the one process stopped at a point.
# Not a zombie: a process killed in an earlier case keeps its name until
# its parent reaps it.  (A box's init is PID 1 of its namespace: its own
# SIGSTOP is ignored, so it waits in pause(), state S, not T.)
wait_stopped() {
	local _ p q
	for _ in $(seq 1 $(($1 * 10))); do
		p=""
		for q in $(pgrep -x lb-fault-stop); do
			grep -q '^State:[[:space:]]*[^Z[:space:]]' "/proc/$q/status" 2>/dev/null && { p=$q; break; }
		done
		[ -n "$p" ] && {
			echo "$p"
			return 0
		}
		sleep 0.1
	done
	return 1
}

# role PID: helper, init (the helper's clone in the box's PID namespace)
# or sshd.
role() {
	local nspid cmd
	# (status and cmdline: /proc/PID/exe and ns/ are closed once a
	# process is not dumpable, as sshd and a set-up init are)
	nspid=$(sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	case $nspid in *[[:space:]]1)
		echo init
		return
		;;
	esac
	cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)
	case $cmd in
	*loginbox-helper*) echo helper ;;
	*sshd*) echo sshd ;;
	*) echo "other($cmd)" ;;
	esac
}

age_stateless() {
	local d
	for d in "$LB_RUN"/[0-9]*; do
		[ -d "$d" ] || continue
		[ -e "$d/state" ] && continue
		grep -qx "${d##*/}" "$LBT_TMP/baseline.run" 2>/dev/null && continue
		touch -d '2 minutes ago' "$d"
	done
}

next_login_works() {
	local name=$1 out
	out=$(ssh_as "$U" "$INSIDE" 2>&1)
	if marker "$out" IN | grep -Eq "$BOXED_RE"; then
		tap_ok "$name: the next login of $U works (marker from inside its box)"
	else
		tap_fail "$name: the next login of $U works" "$out"
	fi
}

# fault_case POINT ROLE WHEN: WHEN is build (the login must fail with a
# message), built (the box was built: the login may run or fail, either
# way cleanly) or close (the login ran: the marker came from inside).
fault_case() {
	local p=$1 want=$2 when=$3 cpid pid r rc out
	"$LB_ADMIN" gc >/dev/null 2>&1
	arm "$p" stop
	timeout -k 5 60 ssh "${SSH_OPTS[@]}" "$U@127.0.0.1" "$INSIDE" >"$W/out" 2>"$W/err" &
	cpid=$!
	pid=$(wait_stopped 30)
	rm -f "$FAULT"
	if [ -z "$pid" ]; then
		tap_fail "fault $p: a $want process stops there" "none within 30 s" "$(cat "$W/out" "$W/err")"
		wait "$cpid"
	else
		r=$(role "$pid")
		kill -9 "$pid"
		wait "$cpid"
		rc=$?
		out=$(cat "$W/out" "$W/err")
		if [ "$r" != "$want" ]; then
			tap_fail "fault $p: the $want stopped there" "it was: $r"
		elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			tap_fail "fault $p: the login did not hang after kill -9 of the $r" "$out"
		else
			case $when in
			build)
				if [ "$rc" -ne 0 ] && ! printf '%s\n' "$out" | grep -q '@@IN=' &&
					printf '%s\n' "$out" | grep -Eq 'loginbox: |closed by|Connection (reset|closed)|Broken pipe'; then
					tap_ok "fault $p: $r stopped there, killed -9: the login failed with a message ($(printf '%s' "$out" | grep -Eo 'loginbox: .*|Connection.*' | head -n 1 | cut -c1-120))"
				else
					tap_fail "fault $p: the login failed with a message" "status $rc" "$out"
				fi
				;;
			built)
				if marker "$out" IN | grep -Eq "$BOXED_RE" ||
					{ [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -Eq 'loginbox|closed by|Connection (reset|closed)|Broken pipe'; }; then
					tap_ok "fault $p: $r stopped there, killed -9: the login ran or failed with a message (status $rc)"
				else
					tap_fail "fault $p: the login ran or failed with a message" "status $rc" "$out"
				fi
				;;
			close)
				if marker "$out" IN | grep -Eq "$BOXED_RE"; then
					tap_ok "fault $p: the login ran in its box; its $r stopped in teardown, killed -9"
				else
					tap_fail "fault $p: the login ran in its box" "status $rc" "$out"
				fi
				;;
			esac
		fi
	fi
	# gc gives a session dir without a state file a minute (it may be a
	# build in progress); this build is dead (killed above): its dir is
	# aged past that instead of waiting a minute.
	age_stateless
	"$LB_ADMIN" gc >"$W/gc.out" 2>&1
	assert_no_leftovers "fault $p: after loginbox gc nothing remains (process, mount, cgroup node, state, upper)" 15
	next_login_works "fault $p"
}

# ----------------------------------------- every point, kill -9 there ---
# Box build, in the helper (box.c phases, then the reply to the module).
for p in nss config+policy subid+maps gc session cgroup control seccomp rootfs clone+init; do
	fault_case "$p" helper build
done
fault_case helper:reply helper build
# The first process (userns.c), after it cloned init and before it
# reports init's pid: the helper never learns of that init (born in its
# leaf, waiting for its maps), which must go with the failed build.
fault_case init:first helper build
# ... and with session = user, where the first process is the keeper's
# fork's child and init, left to PID 1 when that fork exits, holds the
# other end of its own sync socket (only the node's kill ends it).
{ base_conf | sed 's/^session = login$/session = user/'; } | write_conf
fault_case init:first helper build
reset_conf
# The box's init, before and after its own set-up; after its "ready".
fault_case init:start init build
fault_case init:setup init build
fault_case init:ready init built
# The module in sshd [priv]: before the helper, after the box is built.
fault_case pam:open sshd build
fault_case pam:opened sshd built
# Teardown at logout: the module, then the helper's steps.
fault_case pam:close sshd close
for p in teardown:locked teardown:init-killed teardown:cgroup teardown:upper; do
	fault_case "$p" helper close
done

# -------------------------------- a join served by the box's keeper ---
# session = user: a su joining a held box is served by a fork of the box's
# keeper (keeper_serve.c), stopped at POINT and killed -9 there: the su
# goes to the helper and joins; once both logins end, nothing remains,
# without a gc.
keeper_case() {
	local p=$1 sid pid out n
	{ base_conf; printf '[user.%s]\nsession = user\n' "$U"; } | write_conf
	unrelease_login "$U" kf98
	# (the last case's output gone first: the hold's own comes later)
	rm -f "$W/kf.out" "$W/ks.out"
	timeout -k 5 60 ssh "${SSH_OPTS[@]}" "$U@127.0.0.1" "$(hold_cmd kf98 "$U")" >"$W/kf.out" 2>"$W/kf.err" &
	cpid=$!
	sid=$(wait_marker "$W/kf.out" S 20)
	arm "$p" stop
	su_c_as "$U" 'echo "@@SID=$LOGINBOX_SESSION@@"; '"$INSIDE" >"$W/ks.out" 2>&1 &
	spid=$!
	pid=$(wait_stopped 30)
	rm -f "$FAULT"
	t_like "$(tr '\0' ' ' <"/proc/${pid:-0}/cmdline" 2>/dev/null)" "^loginbox-helper keep $sid " \
		"keeper $p: a handler of box ${sid:-?}'s keeper stopped there"
	[ -n "$pid" ] && kill -9 "$pid"
	wait "$spid"
	out=$(cat "$W/ks.out")
	if [ "$(marker "$out" SID)" = "$sid" ] && marker "$out" IN | grep -Eq "$BOXED_RE"; then
		tap_ok "keeper $p: killed -9, the su still ran in box $sid (through the helper)"
	else
		tap_fail "keeper $p: killed -9, the su still ran in box $sid" "$out"
	fi
	for _ in $(seq 1 25); do
		n=$("$LB_ADMIN" show "$sid" 2>/dev/null | sed -n 's/^logins  *//p')
		[ "$n" = 1 ] && break
		sleep 0.2
	done
	t_is "$n" 1 "keeper $p: the box serves its held login only"
	release_login "$U" kf98
	wait "$cpid"
	unrelease_login "$U" kf98
	assert_no_leftovers "keeper $p: the box ends with its logins, nothing remains (no gc)" 15
	reset_conf
}
for p in nss keeper:joined keeper:left; do
	keeper_case "$p"
done

# --------------------------------------- kill -9 of the user's shell ---
"$LB_ADMIN" gc >/dev/null 2>&1
unrelease_login "$U" sh98
timeout -k 5 60 ssh "${SSH_OPTS[@]}" "$U@127.0.0.1" "$(hold_cmd sh98 "$U")" >"$W/sh.out" 2>"$W/sh.err" &
cpid=$!
sid=$(wait_marker "$W/sh.out" S 20)
if [ -n "$sid" ] && session_proof "$sid"; then
	tap_ok "shell kill: the login runs in box $sid (id printed inside, state live)"
else
	tap_fail "shell kill: the login runs in a box" "$(cat "$W/sh.out" "$W/sh.err")"
fi
spid=""
for p in $(pgrep -u "$U" -x loginbox-shell); do
	tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "LOGINBOX_SESSION=$sid" && spid=$p
done
if [ -n "$spid" ] && kill -9 "$spid"; then
	wait "$cpid"
	rc=$?
	t_isnt "$rc" 124 "shell kill: loginbox-shell (pid $spid) killed -9, the client ended (status $rc)"
else
	tap_fail "shell kill: the session's loginbox-shell is found and killed" "pids: $(pgrep -u "$U" -x loginbox-shell | tr '\n' ' ')"
	kill "$cpid" 2>/dev/null
	wait "$cpid"
fi
assert_session_gone "shell kill: its box ends with the login (no gc)" "$sid"
"$LB_ADMIN" gc >/dev/null 2>&1
assert_no_leftovers "shell kill: after loginbox gc nothing remains" 10
next_login_works "shell kill"

# ------------------------------------ config edited between open and close ---
unrelease_login "$U" cf98
timeout -k 5 60 ssh "${SSH_OPTS[@]}" "$U@127.0.0.1" "$(hold_cmd cf98 "$U")" >"$W/cf.out" 2>"$W/cf.err" &
cpid=$!
sid=$(wait_marker "$W/cf.out" S 20)
if [ -n "$sid" ] && session_proof "$sid"; then
	tap_ok "config edit: the login runs in box $sid under the old config"
else
	tap_fail "config edit: the login runs in a box" "$(cat "$W/cf.out" "$W/cf.err")"
fi
# The new config no longer boxes the user at all, and would give a new
# box a disk upper and no cgroup limits: none of that may change how the
# running box is torn down.
cat <<-'EOF' | write_conf
	# written by loginbox integration tests (t_98: edited mid-session)
	[global]
	on_error = deny
	default = none

	[group.lbt-rootbox]
	image = lbt-rootimg
	inside_uid = root
	upper = disk
EOF
ssh_as lbt-bob true >/dev/null 2>&1
release_login "$U" cf98
wait "$cpid"
rc=$?
t_is "$rc" 0 "config edit: the login ends normally after the edit"
assert_session_gone "config edit: logout ends the box built under the old config, without gc" "$sid"
unrelease_login "$U" cf98
reset_conf
assert_no_leftovers "config edit: nothing remains" 10
next_login_works "config edit"

# ---------------------------------------------- full state directories ---
# full_ns DIR CONF-UPPER: in a private mount namespace, a small tmpfs over
# DIR (one of loginbox's own); `loginbox run` first with room (positive
# control), then with DIR filled (data and inodes) to ENOSPC.  Prints
# markers: CTL (the control's inside marker), FULL (the refused run's
# output, one line), LEFT (session dirs and uppers in the namespace after
# the refused run).
full_ns() {
	unshare -m --propagation private bash -s "$1" "$LB_ADMIN" "$U" "$INSIDE" <<-'EOF'
		dir=$1 admin=$2 u=$3 inside=$4
		mount -t tmpfs -o size=512k,nr_inodes=200,mode=0755 lbt-full "$dir" || exit 1
		out=$("$admin" run -u "$u" -- sh -c "$inside" 2>&1)
		echo "@@CTL=$(printf '%s\n' "$out" | sed -n 's/.*@@IN=\(.*\)@@.*/\1/p' | head -n 1)@@"
		"$admin" gc >/dev/null 2>&1
		dd if=/dev/zero of="$dir/.fill" bs=4k >/dev/null 2>&1
		mkdir "$dir/.fill.d"
		i=0
		while : >"$dir/.fill.d/$i" 2>/dev/null; do i=$((i + 1)); done
		out=$("$admin" run -u "$u" -- sh -c "$inside" 2>&1)
		echo "@@FULL=$(printf '%s' "$out" | tr '\n' ' ')@@"
		left=$(ls -A /run/loginbox /var/lib/loginbox/sessions 2>/dev/null | grep -E '^[0-9]' | tr '\n' ' ')
		echo "@@LEFT=$left@@"
		rm -rf "$dir/.fill" "$dir/.fill.d"
		"$admin" gc >/dev/null 2>&1
	EOF
}

full_case() {
	local name=$1 dir=$2 out ctl full left made=""
	# loginbox makes sessions/ at the first disk upper: the tmpfs needs
	# a mount point now (removed again below).
	[ -d "$dir" ] || { mkdir -m 0700 "$dir" && made=yes; }
	out=$(full_ns "$dir" 2>&1)
	[ -n "$made" ] && rmdir "$dir"
	ctl=$(marker "$out" CTL)
	full=$(marker "$out" FULL)
	left=$(marker "$out" LEFT)
	if printf '%s\n' "$ctl" | grep -Eq "$BOXED_RE"; then
		tap_ok "$name: with room on the small tmpfs over $dir, loginbox run builds a box (marker from inside)"
	else
		tap_fail "$name: positive control: loginbox run works with the tmpfs over $dir" "$out"
	fi
	if printf '%s\n' "$full" | grep -q '@@IN=' || ! printf '%s\n' "$full" | grep -Eqi 'No space left on device|ENOSPC'; then
		tap_fail "$name: $dir full: refused with a message naming ENOSPC" "$out"
	else
		tap_ok "$name: $dir full: refused, the message names it ($(printf '%s' "$full" | grep -Eo '[^:]*: No space left on device' | head -n 1 | cut -c1-100))"
	fi
	t_is "$left" "" "$name: nothing half-built in the namespace (no session dir, no upper)"
	assert_no_leftovers "$name: nothing remains on the host (inits, cgroup nodes, mounts)" 10
}

full_case "full /run/loginbox" /run/loginbox
# Disk uppers: lbt-alice's box keeps its upper under sessions/.
# (upper_size = max: this file system has no project quota to bound it)
base_conf | sed 's/^upper = tmpfs$/upper = disk\nupper_size = max/' | write_conf
full_case "full sessions dir" /var/lib/loginbox/sessions
reset_conf
next_login_works "full state directories"
