#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# loginbox list/show/policy --json parse as JSON and say what the live box's
# state file says; `loginbox list` keeps its human output.  Audit records
# (loginbox-audit:, LOG_AUTHPRIV): one per box start and per end (logout,
# kill, gc after a crashed login), one per refused login, with their fields.  pam_systemd in Debian's
# common-session (the test stacks include it) fails harmlessly without
# systemd and the box is still built.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/syslog_lib.sh"

W=$LBT_TMP/t96
mkdir -p "$W"
chmod 755 "$W"
start_syslog "$W/syslog"
trap 'stop_syslog; reset_conf' EXIT

# jget JSON-FILE PY-EXPR: the expression's value, with d = the document;
# "!parse: ..." when the file is not JSON.
jget() {
	python3 -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("!parse: %s" % e); sys.exit(0)
try:
    v = eval(sys.argv[2])
except Exception as e:
    v = "!error: %r" % e
print(json.dumps(v) if not isinstance(v, str) else v)
' "$1" "$2"
}

# audit_count ERE: how many audit records match, now.
audit_count() { syslog_lines "loginbox-audit: $1" | wc -l; }

# wait_audit ERE: poll (5 s) until a record matches.
wait_audit() {
	local i
	for i in $(seq 25); do
		[ "$(audit_count "$1")" -ge 1 ] && return 0
		sleep 0.2
	done
	return 1
}

ALICE_UID=$(lbt_uid lbt-alice)
# A limit in the policy, to see it in the records (best-effort: this host
# may not enforce it; the record says what the policy asks).
{ base_conf; printf '[user.lbt-alice]\nlimits = best-effort\npids_max = 300\n'; } | write_conf

# ---- a live box: the JSON says what its state says
if ! bg_session lbt-alice live 'echo "@@IN=$(cat /proc/1/comm)@@"; sleep 60'; then
	tap_fail "a live boxed login for the JSON checks" "no session"
	exit 0
fi
for _ in $(seq 25); do grep -q '@@IN=' "$W/live.out" && break; sleep 0.2; done
t_is "$(marker "$(cat "$W/live.out")" IN)" "loginbox-init" \
	"the background login runs inside its box (PID 1 is loginbox-init)"
INIT=$(session_field "$SID" init_pid)
OWNER=$(session_field "$SID" owner_pid)
CG=$(session_field "$SID" cgroup)

"$LB_ADMIN" list --json >"$W/list.json" 2>"$W/list.err"
t_is "$?" 0 "list --json: exits 0"
t_is "$(jget "$W/list.json" 'type(d).__name__')" list "list --json: a JSON array"
E="[b for b in d if b['id'] == $SID][0]"
t_is "$(jget "$W/list.json" "$E['user']")" lbt-alice "list --json: the box's user"
t_is "$(jget "$W/list.json" "$E['uid']")" "$ALICE_UID" "list --json: uid is a number, the user's"
t_is "$(jget "$W/list.json" "$E['init_pid']")" "$INIT" "list --json: init_pid is the state's"
t_is "$(jget "$W/list.json" "$E['login_pid']")" "$OWNER" "list --json: login_pid is the state's owner_pid"
t_is "$(jget "$W/list.json" "$E['service']")" sshd-loginbox-test "list --json: service"
t_is "$(jget "$W/list.json" "$E['alive']")" true "list --json: alive is the boolean true"
t_is "$(jget "$W/list.json" "sorted($E)")" \
	'["age_seconds", "alive", "cgroup", "created", "id", "image", "init_pid", "login_pid", "service", "uid", "upper", "user"]' \
	"list --json: exactly the documented fields"

"$LB_ADMIN" list >"$W/list.txt" 2>&1
t_like "$(head -n 1 "$W/list.txt")" '^ID +USER +INIT +SERVICE +AGE +IMAGE +ALIVE +SESSION +LOGINS +STATE +VERSION$' \
	"list (human): the header (columns added at the end only)"
t_like "$(grep -E "^$SID " "$W/list.txt")" "^$SID +lbt-alice +$INIT +sshd-loginbox-test +[0-9]+ +host +yes +login +[0-9]+ +live +-\$" \
	"list (human): the box's row"

"$LB_ADMIN" show --json "$SID" >"$W/show.json" 2>"$W/show.err"
t_is "$?" 0 "show --json ID: exits 0"
t_is "$(jget "$W/show.json" "d['id']")" "$SID" "show --json: id"
t_is "$(jget "$W/show.json" "d['user']")" lbt-alice "show --json: user"
t_is "$(jget "$W/show.json" "d['init_pid']")" "$INIT" "show --json: init_pid"
t_is "$(jget "$W/show.json" "d['cgroup']")" "$CG" "show --json: cgroup is the state's"
t_is "$(jget "$W/show.json" "type(d['build_phases_usec']).__name__")" dict "show --json: build_phases_usec is an object"
t_is "$(jget "$W/show.json" "all(isinstance(v, int) for v in d['build_phases_usec'].values()) and len(d['build_phases_usec']) > 0")" true \
	"show --json: build phases are numbers"
if [ -n "$CG" ] && [ -r "$CG/pids.current" ]; then
	t_is "$(jget "$W/show.json" "d['pids_current'] >= 2")" true \
		"show --json: pids_current (init + the login's shell) is a number >= 2"
else
	tap_skip "show --json: pids_current" "the box has no cgroup with a pids controller on this host"
fi

out=$("$LB_ADMIN" show --json 999999998 2>&1 >"$W/show-none.json")
rc=$?
if [ "$rc" -ne 0 ] && [ ! -s "$W/show-none.json" ] && printf '%s' "$out" | grep -q 'session 999999998'; then
	tap_ok "show --json of no such box: fails, prints no JSON, names the session"
else
	tap_fail "show --json of no such box: fails, prints no JSON, names the session" "status $rc" "$out" "$(cat "$W/show-none.json")"
fi

"$LB_ADMIN" policy --json lbt-alice >"$W/pol.json" 2>"$W/pol.err"
t_is "$?" 0 "policy --json USER: exits 0"
t_is "$(jget "$W/pol.json" "d['boxed']")" true "policy --json: boxed is true for lbt-alice"
t_is "$(jget "$W/pol.json" "d['section']")" group.lbt-boxed "policy --json: the winning section"
t_is "$(jget "$W/pol.json" "d['user_section']")" user.lbt-alice "policy --json: the user section"
t_is "$(jget "$W/pol.json" "d['keys']['pids_max']")" \
	"{\"value\": \"300\", \"file\": \"$LB_CONF\", \"section\": \"user.lbt-alice\"}" \
	"policy --json: a key's value and origin (file, section)"
t_is "$(jget "$W/pol.json" "d['keys']['memory_max']")" \
	'{"value": "(unset)", "file": "", "section": ""}' "policy --json: an unset key from the defaults"
t_is "$(jget "$W/pol.json" "len(d['keys'])")" "$("$LB_ADMIN" policy lbt-alice | grep -c '^[a-z_]* = ')" \
	"policy --json: as many keys as the human output"
"$LB_ADMIN" policy --json lbt-plain >"$W/pol-plain.json" 2>&1
t_is "$(jget "$W/pol-plain.json" "d['boxed']")" false "policy --json: boxed is false for lbt-plain"

# ---- audit: the start record of this box
REC_START="event=start box=$SID "
if [ "$OWN_DEVLOG" != yes ]; then
	tap_skip "audit records" "/dev/log belongs to a syslog daemon here"
else
	t_is "$(audit_count "$REC_START")" 1 "audit: exactly one start record for box $SID"
	line=$(syslog_lines "$REC_START")
	t_like "$line" "^<85>.* loginbox-helper\[[0-9]+\]: loginbox-audit: event=start box=$SID user=lbt-alice uid=$ALICE_UID service=sshd-loginbox-test rhost=127\.0\.0\.1 login_pid=$OWNER init_pid=$INIT section=group\.lbt-boxed file=/etc/loginbox/loginbox\.conf user_section=user\.lbt-alice image=host network=none " \
		"audit start: from the helper (authpriv.notice), user, uid, box, login, policy section and file, image, network"
	t_like "$line" " pids_max=300( |$)" "audit start: the policy's limits"
	if [ -n "$CG" ]; then
		t_like "$line" " cgroup=$CG\$" "audit start: the box's cgroup"
	fi
fi

# ---- end by logout
stop_pid "$BG_PID"
if [ "$OWN_DEVLOG" = yes ]; then
	wait_audit "event=end box=$SID "
	t_is "$(audit_count "event=end box=$SID ")" 1 "audit: exactly one end record for box $SID (logout)"
	t_like "$(syslog_lines "event=end box=$SID ")" \
		"loginbox-audit: event=end box=$SID user=lbt-alice uid=$ALICE_UID service=sshd-loginbox-test image=host cause=logout seconds=[0-9]+ result=ok\$" \
		"audit end: user, uid, box, cause = logout, result"
fi
assert_no_leftovers "after the logout: nothing remains"

# ---- end by loginbox kill
if bg_session lbt-alice killed 'sleep 60'; then
	KSID=$SID
	if [ "$OWN_DEVLOG" = yes ]; then
		wait_audit "event=start box=$KSID "
		t_is "$(audit_count "event=start box=$KSID ")" 1 "audit: one start record for the second box"
	fi
	out=$("$LB_ADMIN" kill "$KSID" 2>&1)
	t_like "$out" "box $KSID of lbt-alice ended" "loginbox kill ends the second box"
	if [ "$OWN_DEVLOG" = yes ]; then
		wait_audit "event=end box=$KSID "
		# the login's own close_session finds it gone: no second record
		for _ in $(seq 25); do kill -0 "$BG_PID" 2>/dev/null || break; sleep 0.2; done
		t_is "$(audit_count "event=end box=$KSID ")" 1 "audit: exactly one end record for the killed box"
		t_like "$(syslog_lines "event=end box=$KSID ")" " cause=kill " "audit end: cause = kill"
	fi
	stop_pid "$BG_PID"
else
	tap_fail "a second boxed login to kill" "no session"
fi
assert_no_leftovers "after loginbox kill: nothing remains"

# ---- a crashed login (its sshd [priv] killed): alive = false, then gc ends
# the box and records cause = gc
if bg_session lbt-alice crashed 'sleep 60'; then
	CSID=$SID
	owner=$(session_field "$CSID" owner_pid)
	case $(tr '\0' ' ' <"/proc/$owner/cmdline" 2>/dev/null) in
	*"lbt-alice [priv]"*) is_priv=yes ;;
	*) is_priv=no ;;
	esac
	# only that session's [priv]: its parent is our sshd
	if [ "$is_priv" = yes ] && [ "$(ps -o ppid= -p "$owner" | tr -d ' ')" = "$(cat "$LBT_TMP/sshd.mainpid")" ]; then
		kill -9 "$owner"
		cinit=$(session_field "$CSID" init_pid)
		for _ in $(seq 50); do
			st=$(awk '{print $3}' "/proc/$cinit/stat" 2>/dev/null)
			[ -z "$st" ] || [ "$st" = Z ] && break
			sleep 0.2
		done
		"$LB_ADMIN" list --json >"$W/list-crashed.json" 2>&1
		t_is "$(jget "$W/list-crashed.json" "[b['alive'] for b in d if b['id'] == $CSID]")" "[false]" \
			"list --json: a box whose login crashed is listed with alive = false"
		"$LB_ADMIN" gc >"$W/gc.out" 2>&1
		t_like "$(cat "$W/gc.out")" "session $CSID \(lbt-alice\): removed" "loginbox gc removes the crashed login's box"
		if [ "$OWN_DEVLOG" = yes ]; then
			wait_audit "event=end box=$CSID "
			t_is "$(audit_count "event=end box=$CSID ")" 1 "audit: exactly one end record for the crashed login's box"
			t_like "$(syslog_lines "event=end box=$CSID ")" " cause=gc " "audit end: cause = gc"
		fi
	else
		tap_fail "a crashed login for the gc record" "login pid $owner is not this session's sshd [priv]"
	fi
	stop_pid "$BG_PID"
else
	tap_fail "a crashed login for the gc record" "no session"
fi
assert_no_leftovers "after the crashed login's gc: nothing remains"

# ---- a refused login: lbt-nosub has no subordinate ids
NOSUB_UID=$(lbt_uid lbt-nosub)
ssh_as lbt-nosub 'echo "@@RAN@@"' >"$W/nosub.out" 2>"$W/nosub.err"
rc=$?
cat "$W/nosub.out" "$W/nosub.err" >"$W/nosub.both"
if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/nosub.out" && grep -q 'lbt-nosub has no range in /etc/subuid' "$W/nosub.both"; then
	tap_ok "lbt-nosub: the login is refused, the client told why"
else
	tap_fail "lbt-nosub: the login is refused, the client told why" "status $rc" "$(cat "$W/nosub.both")"
fi
if [ "$OWN_DEVLOG" = yes ]; then
	wait_audit "event=refuse user=lbt-nosub "
	t_is "$(audit_count "event=refuse user=lbt-nosub ")" 1 "audit: exactly one refuse record for lbt-nosub's login"
	t_like "$(syslog_lines "event=refuse user=lbt-nosub ")" \
		"^<85>.* sshd-loginbox-test(\[[0-9]+\])?: pam_loginbox\(sshd-loginbox-test:session\): loginbox-audit: event=refuse user=lbt-nosub uid=$NOSUB_UID service=sshd-loginbox-test rhost=127\.0\.0\.1 section=group\.lbt-boxed file=/etc/loginbox/loginbox\.conf image=host network=none session=login linger=no max_linger=8h devices=none lxcfs=no reason=\"[^\"]*lbt-nosub has no range in /etc/subuid" \
		"audit refuse: from the module, user, uid, service, remote host, policy, the quoted reason"
	t_is "$(audit_count "event=start box=[0-9]+ user=lbt-nosub ")" 0 "audit: no start record for the refused login"
fi

# A service the module refuses (option deny): its own reason
out=$(timeout -k 5 "$LBT_T" pamtester -v lbt-pamdeny lbt-alice open_session 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q 'not available for boxed'; then
	tap_ok "module option deny: pamtester open_session is refused with the module's message"
else
	tap_fail "module option deny: pamtester open_session is refused with the module's message" "status $rc" "$out"
fi
if [ "$OWN_DEVLOG" = yes ]; then
	wait_audit "event=refuse user=lbt-alice uid=$ALICE_UID service=lbt-pamdeny "
	t_like "$(syslog_lines "event=refuse user=lbt-alice uid=$ALICE_UID service=lbt-pamdeny ")" \
		'reason="service cannot be boxed \(module option deny\)"$' \
		"audit refuse: module option deny, with its reason"
fi

# ---- pam_systemd (Debian's common-session) without systemd
if grep -Eq '^session[[:space:]]+optional[[:space:]]+pam_systemd\.so' /etc/pam.d/common-session &&
	[ ! -d /run/systemd/system ]; then
	: >"$SYSLOG"
	if bg_session lbt-alice logind 'echo "@@IN=$(cat /proc/1/comm)@@"; echo "@@XDG=${XDG_SESSION_ID:-none}@@"; echo "@@DBUS=$(test -e /run/dbus && echo yes || echo no)@@"'; then
		for _ in $(seq 25); do grep -q '@@XDG=' "$W/logind.out" && break; sleep 0.2; done
		t_is "$(marker "$(cat "$W/logind.out")" IN)" loginbox-init \
			"pam_systemd in the stack, no systemd running: the login is still boxed"
		t_is "$(marker "$(cat "$W/logind.out")" XDG)" none \
			"pam_systemd without logind: no logind session was registered (XDG_SESSION_ID unset)"
		# logind's and the system bus's sockets live in the host's /run;
		# the box has its own /run (a tmpfs), so loginctl inside cannot
		# reach logind
		if [ -d /run/dbus ]; then
			t_is "$(marker "$(cat "$W/logind.out")" DBUS)" no \
				"the host's /run/dbus is not in the box (its /run is its own)"
		else
			tap_skip "the host's /run/dbus is not in the box" "the host has no /run/dbus"
		fi
		# it did run, after pam_loginbox, and failed (optional: harmless)
		syslog_has "pam_systemd ran for the boxed login and failed: no system bus" \
			'pam_systemd\(sshd-loginbox-test:session\): Failed to connect to system bus'
		stop_pid "$BG_PID"
	else
		tap_fail "pam_systemd in the stack, no systemd running: the login is still boxed" "no session"
	fi
	assert_no_leftovers "pam_systemd without systemd: nothing remains"
else
	tap_skip "pam_systemd without systemd" "common-session has no pam_systemd line, or systemd runs here"
fi
