#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two refusals of docs/SECURITY.md ("Invariants", "Side doors"):
#   - a broken config refuses every login but root's (who is boxed cannot
#     be told), so root can still log in and fix it;
#   - cron, atd and systemd-user are refused for boxed users by service
#     name alone (they start a user's processes without the login shell),
#     with a LOG_AUTHPRIV line; unboxed users pass.
# Each refusal comes after its positive control (the same stack and user
# with a sound config, or under another service name, builds a box).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/syslog_lib.sh"
t_plan 28

W=$LBT_TMP/t72
mkdir -p "$W"
reset_conf
start_syslog "$W/syslog"
trap 'stop_syslog; reset_conf' EXIT
RAN='echo "@@U=$(id -u)@@"; echo "@@S=${LOGINBOX_SESSION:-none}@@"'

# ---- a broken config: positive control first (the same su stack)
out=$(su_as lbt-alice "$RAN" 2>&1)
t_like "$(marker "$out" S)" '^[0-9]+$' "sound config: su - lbt-alice lands in a box (session $(marker "$out" S))"
out=$(su_as lbt-plain "$RAN" 2>&1)
t_is "$(marker "$out" U)/$(marker "$out" S)" "$(id -u lbt-plain)/none" "sound config: su - lbt-plain runs unboxed"
out=$(su_as root "$RAN" 2>&1)
t_is "$(marker "$out" U)/$(marker "$out" S)" "0/none" "sound config: su - root runs, unboxed"

{ base_conf; printf '[group.lbt-docker\nimage = host\n'; } | write_conf
t_isnt "$("$LB_ADMIN" check >/dev/null 2>&1; echo $?)" 0 "broken config: control: loginbox check rejects it"
: >"$SYSLOG"
out=$(su_as root "$RAN" 2>&1)
rc=$?
t_is "$rc/$(marker "$out" U)/$(marker "$out" S)" "0/0/none" "broken config: su - root still logs in (status 0, uid 0, no box)"
out=$(timeout -k 5 "$LBT_T" pamtester lbt-pamtester root open_session close_session 2>&1)
t_is "$?" 0 "broken config: root's session through the module's own line opens ($(printf '%s' "$out" | tail -n 1))"
for u in lbt-alice lbt-plain; do
	out=$(su_as "$u" "$RAN" 2>&1)
	t_refused "broken config: su - $u is refused, naming the config" "$?" "$out" nonzero \
		"loginbox: your session could not be started in its box \\(.*$LB_CONF" '@@U='
done
out=$(ssh_as lbt-plain "$RAN" 2>&1)
t_refused "broken config: ssh as the unboxed lbt-plain is refused too (who is boxed cannot be told)" "$?" "$out" nonzero \
	"loginbox: your session could not be started in its box" '@@U='
syslog_has "broken config: syslog (authpriv) has the refusal with the file" \
	"user lbt-plain: login refused, box not built: .*$LB_CONF"
assert_no_leftovers "broken config: nothing is left behind" 5
reset_conf
out=$(su_as lbt-plain "$RAN" 2>&1)
t_is "$(marker "$out" U)" "$(id -u lbt-plain)" "config fixed: lbt-plain logs in again"

# ---- services that cannot be boxed, by name
# A copy of /etc/pam.d bound over it in private mount namespaces: the
# services cron, atd, systemd-user and lbt-other get the same stack (the
# module's own line without `deny`, then the session stack without it).
PD=$W/pam.d
rm -rf "$PD"
cp -a /etc/pam.d "$PD"
for s in cron atd systemd-user lbt-other; do
	cat >"$PD/$s" <<-'EOF'
		auth sufficient pam_rootok.so
		@include common-account
		session required pam_loginbox.so
		@include lbt-common-session-plain
	EOF
	chmod 644 "$PD/$s"
done
svc() { # SERVICE USER PAMTESTER-OPS...
	local s=$1 u=$2
	shift 2
	timeout -k 5 "$LBT_T" unshare -m sh -c 'mount --bind "$1" /etc/pam.d && shift && exec "$@"' \
		sh "$PD" pamtester "$s" "$u" "$@"
}
# Positive control: the stack builds a box under another service name.
before=$(test_session_ids)
out=$(svc lbt-other lbt-alice open_session 2>&1)
t_is "$?" 0 "service lbt-other (control): open_session succeeds for lbt-alice"
new=$(test_session_ids | grep -cvxF -e "${before:-@none@}")
t_is "$new" 1 "service lbt-other (control): the same stack builds one box"
"$LB_ADMIN" gc >/dev/null 2>&1
assert_no_leftovers "service lbt-other (control): loginbox gc removes that box" 5
for s in cron atd systemd-user; do
	: >"$SYSLOG"
	before=$(test_session_ids)
	out=$(svc "$s" lbt-alice open_session close_session 2>&1)
	t_refused "service $s: lbt-alice's session is refused, saying why" "$?" "$out" nonzero \
		"loginbox: $s is not available for boxed accounts"
	t_is "$(test_session_ids | grep -cvxF -e "${before:-@none@}")" 0 "service $s: no box is built"
	syslog_has "service $s: syslog (authpriv) names user, section and service" \
		"user lbt-alice is boxed \\(\\[group.lbt-boxed\\]\\) and service $s cannot be boxed \\(it does not run the login shell\\): refused"
	out=$(svc "$s" lbt-plain open_session close_session 2>&1)
	t_is "$?" 0 "service $s: the unboxed lbt-plain's session opens"
done
assert_no_leftovers "services: nothing is left behind" 5
exit 0
