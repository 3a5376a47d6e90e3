# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared helpers of the root-run integration tests (tests/integration/).
#
# run.sh sources this file to set the machine up; every t_*.sh runs in its
# own bash (started by run.sh) and sources it too.  State shared between
# them lives under $LBT_TMP (made by run.sh):
#
#   tap/{n,pass,fail,skip}  TAP counters: numbering runs across all files
#   pids                    background daemons we started (killed by pid)
#   sshd.port sshd.pid      the test sshd
#   id_ed25519              client key (authorized for every lbt- user)
#   pam-su pam-login        PAM stacks bound over /etc/pam.d/{su,login} in
#                           a private mount namespace only
#   subids                  "user start count" of the test users
#   baseline.*              what existed before the suite (never ours)
#
# Test users (all named lbt-*; created by setup_users, removed by run.sh):
#   lbt-alice  boxed (group lbt-boxed), also in lbt-docker, password known
#   lbt-bob    boxed (group lbt-boxed)
#   lbt-root   boxed with inside_uid = root (group lbt-rootbox) in the
#              directory image lbt-rootimg (make_root_image), in lbt-docker
#   lbt-plain  not boxed, /bin/bash
#   lbt-nosub  boxed, but no /etc/subuid nor /etc/subgid line
#   lbt-small  boxed, a subordinate range of only 1000 ids

: "${LBT_TMP:?LBT_TMP is not set: run tests/integration/run.sh}"
LBT_DIR=${LBT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
# shellcheck source=../shlib.sh
. "$LBT_DIR/../shlib.sh"

LB_SHELL=/usr/sbin/loginbox-shell
LB_ADMIN=/usr/sbin/loginbox
LB_HELPER=/usr/libexec/loginbox/loginbox-helper
LB_CONF=/etc/loginbox/loginbox.conf
LB_CONFD=/etc/loginbox/conf.d
LB_RUN=/run/loginbox
LB_IMAGES=/var/lib/loginbox/images
LB_SESSIONS=/var/lib/loginbox/sessions
LB_USERSDIR=/var/lib/loginbox/users
LB_PAM_MODULE=/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/security/pam_loginbox.so
PAM_SSHD=/etc/pam.d/sshd-loginbox-test
PAM_TESTER=/etc/pam.d/lbt-pamtester
PAM_DENY=/etc/pam.d/lbt-pamdeny
# The module where pam-auth-update's profile puts it (in common-session,
# after pam_systemd), and the rest of the session stack without it: copies
# of the host's common-session, made whatever state it is in (a quickstart
# or an installed package may have listed the module there already).
PAM_CS_PROFILE=/etc/pam.d/lbt-common-session
PAM_CS_PLAIN=/etc/pam.d/lbt-common-session-plain
PAM_DOUBLE=/etc/pam.d/lbt-pamdouble
PAM_DENY_AFTER=/etc/pam.d/lbt-pamdeny-after
PAM_LBT_FILES="$PAM_SSHD $PAM_TESTER $PAM_DENY $PAM_CS_PROFILE $PAM_CS_PLAIN $PAM_DOUBLE $PAM_DENY_AFTER"
LBT_USERS="lbt-alice lbt-bob lbt-root lbt-plain lbt-nosub lbt-small"
LBT_GROUPS="lbt-boxed lbt-rootbox lbt-docker"
LBT_PASSWORD='Lbt-pass-4711'
PTY_RUN="$LBT_DIR/pty_run.py"
# A short timeout for every client, so a hang fails one test, not CI.
LBT_T=${LBT_T:-30}

# ----------------------------------------------------------------- TAP ---

# t_plan N: this file runs N tests.  run.sh reads the line before it runs
# anything (so the whole plan is printed first) and checks each file's
# count after it: a file that stopped early cannot lose tests silently.
# Write it right after sourcing lib.sh, as a plain "t_plan N" line.
t_plan() { :; }

# tap_ok, tap_fail, tap_skip (with a reason), diag, diag_file: the TAP
# library of every tier; its counters are $LBT_TMP/tap, so the numbering
# runs across all files.
# shellcheck source=../tap.sh
. "$LBT_DIR/../tap.sh"
TAP_DIR=$LBT_TMP/tap
TAP_TIER=${LBT_TIER:-integration}
export TAP_DIR TAP_TIER

# t_check NAME CMD...: ok when CMD exits 0 (its output is shown otherwise).
t_check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "command: $*" "exit status: $rc" \
			"output: $(printf '%s' "$out" | tail -n 20)"
	fi
}

# t_is GOT WANT NAME
t_is() {
	if [ "$1" = "$2" ]; then
		tap_ok "$3"
	else
		tap_fail "$3" "got:      '$1'" "expected: '$2'"
	fi
}

# t_isnt GOT UNWANTED NAME
t_isnt() {
	if [ "$1" != "$2" ]; then
		tap_ok "$3"
	else
		tap_fail "$3" "got '$1', which it must not be"
	fi
}

# t_like TEXT ERE NAME: some line of TEXT matches ERE.
t_like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		tap_ok "$3"
	else
		tap_fail "$3" "no line matches /$2/ in:" "$(printf '%s' "$1" | tail -n 25)"
	fi
}

# t_unlike TEXT ERE NAME: no line of TEXT matches ERE.
t_unlike() {
	local hit
	hit=$(printf '%s\n' "$1" | grep -E -- "$2")
	if [ -z "$hit" ]; then
		tap_ok "$3"
	else
		tap_fail "$3" "lines matching /$2/ (must be none):" "$(printf '%s' "$hit" | head -n 20)"
	fi
}

# kv TEXT KEY: the value of the first "KEY=value" line of TEXT.  A missing
# key is loud: it prints "<no KEY= line>" and returns 1, so a probe that
# died before printing KEY never passes `t_is "$(kv "$out" KEY)" ''`.
# (Polling until a line appears: kv_opt, or test kv's status.)
kv() {
	local line
	line=$(printf '%s\n' "$1" | tr -d '\r' | grep -m 1 -- "^$2=") || {
		printf '<no %s= line>\n' "$2"
		return 1
	}
	printf '%s\n' "${line#"$2="}"
}

# kv_opt TEXT KEY: like kv, but prints nothing for a missing key (for
# polling loops and for keys that are absent on purpose).
kv_opt() {
	printf '%s\n' "$1" | tr -d '\r' | sed -n "s/^$2=//p" | head -n 1
}

# t_refused NAME STATUS OUTPUT WANT-STATUS ERE [RAN-ERE]: a refusal is its
# own status and its own message: STATUS is WANT-STATUS ("nonzero" for
# any failure status), OUTPUT matches ERE, and (when given) nothing matches
# RAN-ERE, the marker the refused command would have printed.
t_refused() {
	local name=$1 rc=$2 out=$3 want=$4 re=$5 ran=${6:-}
	if [ "$want" = nonzero ] && [ "$rc" -eq 0 ]; then
		tap_fail "$name" "exit status 0, expected a refusal" "output: $out"
	elif [ "$want" != nonzero ] && [ "$rc" != "$want" ]; then
		tap_fail "$name" "exit status $rc, expected $want" "output: $out"
	elif [ -n "$ran" ] && printf '%s\n' "$out" | grep -Eq -- "$ran"; then
		tap_fail "$name" "the refused command ran (/$ran/ matched)" "output: $out"
	elif ! printf '%s\n' "$out" | grep -Eq -- "$re"; then
		tap_fail "$name" "status $rc, but the refusal's message /$re/ is not there:" "$out"
	else
		tap_ok "$name"
	fi
}

# t_ge GOT MIN NAME: GOT is a number and at least MIN (a count with a
# lower bound: 0 processes must not pass a "at most N" check).
t_ge() {
	case $1 in
	'' | *[!0-9]*) tap_fail "$3" "got '$1', not a number" ;;
	*) if [ "$1" -ge "$2" ]; then tap_ok "$3"; else tap_fail "$3" "got $1, expected at least $2"; fi ;;
	esac
}

# t_between GOT MIN MAX NAME
t_between() {
	case $1 in
	'' | *[!0-9]*) tap_fail "$4" "got '$1', not a number" ;;
	*) if [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; then tap_ok "$4"; else
		tap_fail "$4" "got $1, expected $2..$3"; fi ;;
	esac
}

# --------------------------------------------------------- processes ---

# proc_start PID: the process's start time (field 22 of /proc/PID/stat),
# which tells a process from a later one that reuses its pid.
proc_start() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# Remember a background process we started, so run.sh can end it by pid
# (and only it: the start time is kept with the pid).
track_pid() { echo "$1 $(proc_start "$1")" >>"$LBT_TMP/pids"; }

# stop_pid PID: end one process we started (TERM, then KILL) and reap it.
stop_pid() { lb_stop_pid "$@"; }

# stop_tracked: end every tracked process that still is the one we started.
stop_tracked() {
	local pid start
	while read -r pid start; do
		[ -n "$pid" ] && [ -n "$start" ] || continue
		[ "$(proc_start "$pid")" = "$start" ] && stop_pid "$pid"
	done <"$LBT_TMP/pids"
	return 0
}

# free_port: an unused TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT [SECONDS]: until something listens on 127.0.0.1:PORT.
wait_port() {
	local i n=$((${2:-10} * 10))
	for i in $(seq 1 "$n"); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# start_http_server DIR: a host-side python3 http.server on 127.0.0.1;
# sets HTTP_PORT and HTTP_PID (tracked).  Serves DIR.
start_http_server() {
	HTTP_PORT=$(free_port)
	python3 -m http.server --bind 127.0.0.1 --directory "$1" "$HTTP_PORT" \
		>"$LBT_TMP/http.$HTTP_PORT.log" 2>&1 &
	HTTP_PID=$!
	track_pid "$HTTP_PID"
	wait_port "$HTTP_PORT" 10
}

# ---------------------------------------------------------------- sshd ---

start_sshd() {
	local port T=$LBT_TMP
	port=$(free_port)
	mkdir -p "$T/authorized_keys"
	[ -d /run/sshd ] || { mkdir -p /run/sshd && touch "$T/created-run-sshd"; }
	[ -f "$T/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" || return 1
	[ -f "$T/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$T/id_ed25519" || return 1
	local u
	for u in $LBT_USERS; do
		cp "$T/id_ed25519.pub" "$T/authorized_keys/$u"
	done
	chmod 755 "$T" "$T/authorized_keys"
	chmod 644 "$T"/authorized_keys/*
	lb_sshd_config "$T" "$port" "$T/authorized_keys" <<-EOF
		Subsystem sftp /usr/lib/openssh/sftp-server
		AllowTcpForwarding yes
		PermitRootLogin no
		PrintMotd no
		PrintLastLog no
		UseDNS no
		MaxStartups 50
		MaxSessions 20
		LogLevel INFO
	EOF
	# sshd takes its PAM service name from argv[0].
	ln -sf /usr/sbin/sshd "$T/sshd-loginbox-test"
	"$T/sshd-loginbox-test" -f "$T/sshd_config" -D -e >>"$T/sshd.log" 2>&1 &
	local pid=$!
	track_pid "$pid"
	echo "$pid" >"$T/sshd.mainpid"
	echo "$port" >"$T/sshd.port"
	if ! wait_port "$port" 10; then
		diag "sshd did not start:"
		diag_file "$T/sshd.log"
		return 1
	fi
	return 0
}

stop_sshd() {
	local pid
	pid=$(cat "$LBT_TMP/sshd.mainpid" 2>/dev/null) || return 0
	stop_pid "$pid"
	rm -f "$LBT_TMP/sshd.mainpid"
}

SSH_PORT=$(cat "$LBT_TMP/sshd.port" 2>/dev/null || echo 22)
SSH_COMMON=(-F /dev/null -i "$LBT_TMP/id_ed25519" -o IdentitiesOnly=yes
	-o BatchMode=yes -o StrictHostKeyChecking=no
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
	-o ConnectTimeout=10)
SSH_OPTS=("${SSH_COMMON[@]}" -p "$SSH_PORT")
SCP_OPTS=("${SSH_COMMON[@]}" -P "$SSH_PORT")
# For rsync -e and the like: one string.
SSH_CMDLINE="ssh -F /dev/null -i $LBT_TMP/id_ed25519 -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10 -p $SSH_PORT"

# ssh_as USER [SSH-OPTION...] CMD: run CMD over ssh as USER (timeout).
ssh_as() {
	local u=$1
	shift
	timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" "$u@127.0.0.1" "$@"
}

# ------------------------------------------------------------ su, login ---

# su_as USER CMD: "su - USER -c CMD" from root, with the test PAM stack for
# su bound over /etc/pam.d/su in a private mount namespace only.
su_as() {
	timeout -k 5 "$LBT_T" unshare -m sh -c \
		'mount --bind "$1" /etc/pam.d/su && exec su - "$2" -c "$3"' \
		sh "$LBT_TMP/pam-su" "$1" "$2"
}

# su_c_as USER CMD: "su USER -c CMD" (no login) from root.
su_c_as() {
	timeout -k 5 "$LBT_T" unshare -m sh -c \
		'mount --bind "$1" /etc/pam.d/su && exec su "$2" -c "$3"' \
		sh "$LBT_TMP/pam-su" "$1" "$2"
}

# in_pam_ns PAMFILE TARGET CMD...: run CMD with PAMFILE bound on TARGET in a
# private mount namespace (the host's /etc/pam.d is never touched).
in_pam_ns() {
	local src=$1 dst=$2
	shift 2
	unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
		sh "$src" "$dst" "$@"
}

# pty_run [pty_run.py STEPS...] -- CMD...
pty_run() {
	timeout -k 5 $((LBT_T + 10)) python3 "$PTY_RUN" --timeout "$LBT_T" "$@"
}

# A shell prompt of bash (user or root) at the end of the output.
PROMPT_RE='[$#] $'

# login_as USER SEND-TEXT: console login (`login -f USER`) on a pty with the
# test PAM stack for login; waits for the prompt, types SEND-TEXT (escapes
# allowed, end it with "exit\n").  Output on stdout, status of login.
login_as() {
	pty_run --expect "$PROMPT_RE" --send "$2" -- \
		unshare -m sh -c \
		'mount --bind "$1" /etc/pam.d/login && exec login -f "$2"' \
		sh "$LBT_TMP/pam-login" "$1"
}

# marker_cmd KEY SHELL-EXPR: text to type that prints "@@KEY=value@@" but
# whose terminal echo does not match the "@@KEY=" pattern.
marker_cmd() { printf 'echo "@@""%s=%s@@"\\n' "$1" "$2"; }
# marker TEXT KEY: the value printed by marker_cmd KEY.
marker() {
	printf '%s\n' "$1" | tr -d '\r' | sed -n "s/.*@@$2=\(.*\)@@.*/\1/p" | head -n 1
}

# ---------------------------------------------------------- the config ---

# write_conf: stdin becomes /etc/loginbox/loginbox.conf (root, 0644).
write_conf() {
	local tmp
	mkdir -p "${LB_CONF%/*}"
	tmp=$(mktemp "$LB_CONF.lbt.XXXXXX") || return 1
	cat >"$tmp"
	chown root:root "$tmp"
	chmod 0644 "$tmp"
	mv -f "$tmp" "$LB_CONF"
}

# base_conf: the suite's normal config (session = login: most files count
# boxes per login; t_95_sessions.sh tests session = user).
base_conf() {
	cat <<-'EOF'
		# written by loginbox integration tests (tests/integration)
		[global]
		on_error = deny
		default = none

		[group.lbt-boxed]
		image = host
		network = none
		inside_uid = self
		upper = tmpfs
		home = bind
		session = login

		[group.lbt-rootbox]
		image = lbt-rootimg
		inside_uid = root
		session = login
	EOF
}

# reset_conf: back to base_conf, no conf.d files of ours.
reset_conf() {
	rm -f "$LB_CONFD"/lbt-*.conf
	base_conf | write_conf
}

# ------------------------------------------------------------- users ---

lbt_uid() { id -u "$1" 2>/dev/null; }

# A free subordinate range start above everything in /etc/subuid, subgid.
_next_subid() {
	awk -F: 'BEGIN{m=100000} NF>=3 {e=$2+$3; if (e>m) m=e} END{print m}' \
		/etc/subuid /etc/subgid
}

# ensure_subids USER: the user has a 65536 range in both files.
ensure_subids() {
	local start
	if ! grep -q "^$1:" /etc/subuid || ! grep -q "^$1:" /etc/subgid; then
		sed -i "/^$1:/d" /etc/subuid /etc/subgid
		start=$(_next_subid)
		echo "$1:$start:65536" >>/etc/subuid
		echo "$1:$start:65536" >>/etc/subgid
	fi
}

delete_test_users() {
	local u g pids
	for u in $LBT_USERS; do
		id "$u" >/dev/null 2>&1 || continue
		# Whatever still runs as the test user was started by this suite.
		pids=$(ps -o pid= -u "$u" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		userdel -r -f "$u" >/dev/null 2>&1
		sed -i "/^$u:/d" /etc/subuid /etc/subgid 2>/dev/null
	done
	for g in $LBT_GROUPS; do
		getent group "$g" >/dev/null && groupdel "$g" >/dev/null 2>&1
	done
	return 0
}

setup_users() {
	local u
	delete_test_users
	for g in $LBT_GROUPS; do groupadd "$g" || return 1; done
	useradd -m -s "$LB_SHELL" -G lbt-boxed,lbt-docker lbt-alice || return 1
	useradd -m -s "$LB_SHELL" -G lbt-boxed lbt-bob || return 1
	useradd -m -s "$LB_SHELL" -G lbt-rootbox,lbt-docker lbt-root || return 1
	useradd -m -s /bin/bash lbt-plain || return 1
	useradd -m -s "$LB_SHELL" -G lbt-boxed lbt-nosub || return 1
	useradd -m -s "$LB_SHELL" -G lbt-boxed lbt-small || return 1
	for u in lbt-alice lbt-bob lbt-root lbt-small; do
		ensure_subids "$u"
	done
	# lbt-nosub: no range at all; lbt-small: 1000 ids only.
	sed -i '/^lbt-nosub:/d' /etc/subuid /etc/subgid
	sed -i 's/^\(lbt-small:[0-9]*\):.*/\1:1000/' /etc/subuid /etc/subgid
	# As a packaged install does (add-shell): su treats a shell missing
	# from /etc/shells as restricted, which would hide the su -s checks.
	grep -qx "$LB_SHELL" /etc/shells || echo "$LB_SHELL" >>/etc/shells
	# A password for su from another (unboxed) user.
	echo "lbt-alice:$LBT_PASSWORD" | chpasswd || return 1
	make_root_image || return 1
	: >"$LBT_TMP/subids"
	for u in $LBT_USERS; do
		grep "^$u:" /etc/subuid | awk -F: '{print $1, $2, $3}' >>"$LBT_TMP/subids"
	done
	return 0
}

# The PAM stacks of the test services.  The host's common-session may or
# may not list pam_loginbox (make quickstart, the package): the stacks
# include our copies instead, so every run sees the same stacks:
#   lbt-common-session        the module after pam_systemd, as Debian's
#                             profile puts it (Priority 0, Additional)
#   lbt-common-session-plain  the same without the module
#   sshd-loginbox-test, login the module in lbt-common-session only (a
#                             stock Debian service after pam-auth-update)
#   lbt-pamtester, su         minimal: the module's own line + plain
#   lbt-pamdouble             own line + lbt-common-session (listed twice)
#   lbt-pamdeny               own `deny` line, then lbt-common-session
#   lbt-pamdeny-after         lbt-common-session, then a `deny` line
setup_pam() {
	local cs=/etc/pam.d/common-session
	[ -f "$cs" ] || return 1
	{
		echo "# loginbox integration tests: $cs without pam_loginbox"
		grep -v 'pam_loginbox' "$cs"
	} >"$PAM_CS_PLAIN"
	{
		echo "# loginbox integration tests: $cs with pam_loginbox where"
		echo "# pam-auth-update puts it (end of the Additional block)"
		if grep -q '^# end of pam-auth-update config' "$cs"; then
			grep -v 'pam_loginbox' "$cs" | sed '/^# end of pam-auth-update config/i session\trequired\tpam_loginbox.so'
		else
			grep -v 'pam_loginbox' "$cs"
			printf 'session\trequired\tpam_loginbox.so\n'
		fi
	} >"$PAM_CS_PROFILE"
	cat >"$PAM_SSHD" <<-'EOF'
		# loginbox integration tests (tests/integration/run.sh removes it)
		@include common-account
		@include lbt-common-session
	EOF
	cat >"$PAM_TESTER" <<-'EOF'
		# loginbox integration tests (tests/integration/run.sh removes it)
		# (the session stack after it: a stack of PAM_IGNOREs alone fails)
		auth sufficient pam_rootok.so
		@include common-account
		session required pam_loginbox.so
		@include lbt-common-session-plain
	EOF
	cat >"$PAM_DOUBLE" <<-'EOF'
		# loginbox integration tests (tests/integration/run.sh removes it)
		auth sufficient pam_rootok.so
		@include common-account
		session required pam_loginbox.so
		@include lbt-common-session
	EOF
	cat >"$PAM_DENY" <<-'EOF'
		# loginbox integration tests (tests/integration/run.sh removes it)
		auth sufficient pam_rootok.so
		@include common-account
		session required pam_loginbox.so deny
		@include lbt-common-session
	EOF
	cat >"$PAM_DENY_AFTER" <<-'EOF'
		# loginbox integration tests (tests/integration/run.sh removes it)
		auth sufficient pam_rootok.so
		@include common-account
		@include lbt-common-session
		session required pam_loginbox.so deny
	EOF
	cat >"$LBT_TMP/pam-su" <<-'EOF'
		auth sufficient pam_rootok.so
		@include common-auth
		@include common-account
		session required pam_loginbox.so
		@include lbt-common-session-plain
	EOF
	cat >"$LBT_TMP/pam-login" <<-'EOF'
		auth requisite pam_nologin.so
		@include common-auth
		@include common-account
		session required pam_loginuid.so
		@include lbt-common-session
	EOF
	# shellcheck disable=SC2086
	chmod 644 $PAM_LBT_FILES "$LBT_TMP/pam-su" "$LBT_TMP/pam-login"
}

# ensure_installed: the installed files are there; if something else on the
# machine ran `make uninstall` meanwhile, install again (and say so).
ensure_installed() {
	local f missing=""
	for f in "$LB_SHELL" "$LB_ADMIN" "$LB_HELPER" "$LB_PAM_MODULE"; do
		[ -e "$f" ] || missing="$missing $f"
	done
	[ -e "$LB_CONF" ] || missing="$missing $LB_CONF"
	[ -z "$missing" ] && return 0
	diag "note: missing:$missing (another process uninstalled loginbox?): make install again"
	make -C "${LBT_REPO:-$LBT_DIR/../..}" install >>"$LBT_TMP/install.log" 2>&1 || return 1
	[ -e "$LB_CONF" ] && grep -q 'loginbox integration tests' "$LB_CONF" || reset_conf
}

# ---------------------------------------------------------- leftovers ---

# test_session_ids: ids of live /run/loginbox sessions of lbt- users, and of
# session dirs without a state file that were not there before the suite.
test_session_ids() {
	local d id user
	for d in "$LB_RUN"/[0-9]*; do
		[ -d "$d" ] || continue
		id=${d##*/}
		if [ -f "$d/state" ]; then
			user=$(sed -n 's/^user=//p' "$d/state" 2>/dev/null)
			case $user in lbt-*) echo "$id" ;; esac
		elif ! grep -qx "$id" "$LBT_TMP/baseline.run" 2>/dev/null; then
			echo "$id"
		fi
	done
}

# session_user ID
session_field() { sed -n "s/^$2=//p" "$LB_RUN/$1/state" 2>/dev/null; }

# _leftovers: print what remains of test sessions on the host (one line per
# finding); nothing printed = clean.
_leftovers() {
	local id pid uid u start count cg d f
	for id in $(test_session_ids); do
		echo "session dir $LB_RUN/$id ($(session_field "$id" user))"
	done
	# loginbox-init processes run as box root = a test user's first subuid
	# (zombies are not counted: reaping them is PID 1's job, not ours)
	while read -r pid uid; do
		while read -r u start count; do
			[ -n "$start" ] || continue
			if [ "$uid" -ge "$start" ] && [ "$uid" -lt $((start + count)) ]; then
				echo "loginbox-init pid $pid (uid $uid, $u's range)"
			fi
		done <"$LBT_TMP/subids"
	done < <(ps -eo pid=,uid=,stat=,comm= | awk '$4 == "loginbox-init" && $3 !~ /^Z/ {print $1, $2}')
	for u in $LBT_USERS; do
		uid=$(lbt_uid "$u") || continue
		for cg in /sys/fs/cgroup/unified/loginbox /sys/fs/cgroup/loginbox; do
			[ -e "$cg/u$uid" ] && echo "cgroup node $cg/u$uid"
		done
		ps -o pid=,stat=,args= -u "$u" 2>/dev/null | awk '$2 !~ /^Z/' | sed "s/^/process of $u: /"
	done
	grep loginbox /proc/self/mountinfo | sed 's/^/host mount: /'
	for d in "$LB_SESSIONS"/*; do
		[ -e "$d" ] || continue
		grep -qx "${d##*/}" "$LBT_TMP/baseline.sessions" 2>/dev/null ||
			echo "disk upper $d"
	done
	for f in "$LB_RUN"/allow-*; do
		[ -e "$f" ] || continue
		grep -qx "${f##*/}" "$LBT_TMP/baseline.allow" 2>/dev/null ||
			echo "allow token $f"
	done
}

# t_until_empty NAME SECONDS CMD...: poll (5 times a second, at most
# SECONDS) until CMD prints nothing: ok; else not ok with what it printed
# last.
t_until_empty() {
	local name=$1 secs=$2 i left
	shift 2
	for i in $(seq 1 $((secs * 5))); do
		left=$("$@")
		[ -z "$left" ] && break
		sleep 0.2
	done
	if [ -z "$left" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "still there after ${secs}s:" "$left"
	fi
}

# assert_no_leftovers NAME [SECONDS]: nothing of any test session remains
# (close_session may still be running when a client returns: wait a bit).
assert_no_leftovers() { t_until_empty "$1" "${2:-10}" _leftovers; }

# refused_ssh NAME USER ERE [SSH-FUNCTION]: an ssh login of USER (through
# ssh_as, or SSH-FUNCTION) is refused before any shell ran, the client is
# told why by loginbox (ERE), and nothing is left behind.
refused_ssh() {
	local name=$1 u=$2 re=$3 via=${4:-ssh_as} rc
	"$via" "$u" 'echo "@@RAN@@"; hostname' >"$W/out" 2>"$W/err"
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/out"; then
		tap_ok "$name: the ssh login is refused"
	else
		tap_fail "$name: the ssh login is refused" "status $rc" "stdout: $(cat "$W/out")" "stderr: $(cat "$W/err")"
	fi
	# sshd shows PAM's messages with the login messages, on the session's
	# stdout (display_loginmsg), not on stderr: look at both.
	cat "$W/out" "$W/err" >"$W/both"
	if grep -q 'loginbox' "$W/both" && grep -Eq -- "$re" "$W/both"; then
		tap_ok "$name: the client is told why (/$re/)"
	else
		tap_fail "$name: the client is told why (/$re/)" "stdout: $(cat "$W/out")" "stderr: $(cat "$W/err")"
	fi
	assert_no_leftovers "$name: nothing is left behind" 5
}

# ------------------------------------ proof first, then "nothing remains" ---

# session_proof SID: while session SID is live, record what it has on the
# host ($LBT_TMP/proof/SID: its dir, its init by pid and start time, its
# cgroup node, a disk upper); fails with a diagnostic when it is not live
# (a login that never ran has nothing to prove gone).
session_proof() {
	local id=$1 init start cg upd p
	case $id in '' | *[!0-9]*)
		diag "session_proof: '$id' is not a session id"
		return 1
		;;
	esac
	if [ ! -f "$LB_RUN/$id/state" ]; then
		diag "session_proof: $LB_RUN/$id/state does not exist"
		return 1
	fi
	init=$(session_field "$id" init_pid)
	start=$(session_field "$id" init_start)
	if [ -z "$init" ] || [ "$(proc_start "$init")" != "$start" ] ||
		[ "$(cat "/proc/$init/comm" 2>/dev/null)" != loginbox-init ]; then
		diag "session_proof: the init of session $id (pid '$init') is not running"
		return 1
	fi
	mkdir -p "$LBT_TMP/proof"
	p=$LBT_TMP/proof/$id
	{
		echo "dir $LB_RUN/$id"
		echo "init $init $start"
	} >"$p"
	cg=$(session_field "$id" cgroup)
	if [ -n "$cg" ]; then
		if [ ! -d "$cg" ]; then
			diag "session_proof: the cgroup node $cg of session $id does not exist"
			return 1
		fi
		echo "cgroup $cg" >>"$p"
	fi
	upd=$(session_field "$id" upper_dir)
	case $upd in "$LB_SESSIONS"/*) [ -d "$upd" ] && echo "upper $upd" >>"$p" ;; esac
	return 0
}

# proof_add_pid SID PID: a process of the session (seen on the host) that
# must be gone with it.
proof_add_pid() {
	local st
	st=$(proc_start "$2")
	[ -n "$st" ] || return 1
	echo "pid $2 $st" >>"$LBT_TMP/proof/$1"
}

_proof_left() { # PROOF-FILE
	local kind a b
	while read -r kind a b; do
		case $kind in
		dir | cgroup | upper) [ -e "$a" ] && echo "$kind $a still exists" ;;
		init | pid) [ -n "$(proc_start "$a")" ] && [ "$(proc_start "$a")" = "$b" ] &&
			[ "$(awk '{print $3}' "/proc/$a/stat" 2>/dev/null)" != Z ] &&
			echo "$kind $a still runs" ;;
		esac
	done <"$1"
}

# assert_session_gone NAME SID [SECONDS]: everything session_proof saw of
# SID is gone, and nothing else of any test session remains.  Fails when
# there is no proof that SID ever existed.
assert_session_gone() {
	local name=$1 id=$2 secs=${3:-10} p=$LBT_TMP/proof/$2
	if [ -z "$id" ] || [ ! -s "$p" ]; then
		tap_fail "$name" "no proof that session '$id' existed (the login did not run, or was not seen live)"
		return 0
	fi
	t_until_empty "$name" "$secs" _session_left "$p"
}
_session_left() { # PROOF-FILE
	_proof_left "$1"
	_leftovers
}

# hold_cmd TAG USER: shell text for USER's (boxed) login to run: prints
# @@S=<session id>@@ and waits (at most $LBT_T s) for release_login USER
# TAG, so the host can look at the live session first.  (The home is
# bound at its host path inside the box, whatever $HOME is there.)
hold_cmd() {
	local h
	h=$(getent passwd "$2" | cut -d: -f6)
	printf 'echo "@@""S=$LOGINBOX_SESSION@@"; i=0; while [ ! -e %s/.lbt-go-%s ] && [ $i -lt %d ]; do sleep 0.1; i=$((i + 1)); done; echo "@@""HELD=$i@@"' \
		"$h" "$1" $((LBT_T * 10))
}

# release_login USER TAG: let the login waiting in hold_cmd TAG go on.
release_login() {
	local h
	h=$(getent passwd "$1" | cut -d: -f6)
	touch "$h/.lbt-go-$2" && chmod 644 "$h/.lbt-go-$2"
}

# unrelease_login USER TAG: remove the release file again.
unrelease_login() {
	local h
	h=$(getent passwd "$1" | cut -d: -f6)
	rm -f "$h/.lbt-go-$2"
}

# bg_session USER NAME CMD: an ssh login of USER running CMD in the
# background, its output in $W/NAME.out and $W/NAME.err ($W: the test
# file's work directory).  Polls (10 s, kv_opt: the line may not be there
# yet) for the session id the login prints first; sets SID and BG_PID
# (timeout is the background process, tracked: TERM to it ends ssh too).
# Status 1, with the login's output as a diagnostic, when no id came.
bg_session() {
	local u=$1 name=$2 cmd=$3 i
	SID=""
	# A holder outlives the checks made while it runs (they may take more
	# than one client's $LBT_T on a loaded machine); callers end it.
	timeout -k 5 $((LBT_T * 4)) ssh "${SSH_OPTS[@]}" "$u@127.0.0.1" "echo S=\$LOGINBOX_SESSION; $cmd" \
		>"$W/$name.out" 2>"$W/$name.err" &
	BG_PID=$!
	track_pid "$BG_PID"
	for i in $(seq 1 50); do
		SID=$(kv_opt "$(cat "$W/$name.out")" S)
		[ -n "$SID" ] && return 0
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.2
	done
	diag "no session id from the background login $name:" "$(cat "$W/$name.out" "$W/$name.err")"
	return 1
}

# bg_wait NAME ERE [SECONDS]: poll (10 s) until a line of the background
# login NAME's output matches ERE.
bg_wait() {
	local i
	for i in $(seq 1 $((${3:-10} * 10))); do
		grep -Eq -- "$2" "$W/$1.out" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ns_owner PID: the owner uid of PID's user namespace (NS_GET_OWNER_UID).
ns_owner() {
	python3 -c 'import fcntl, os, struct, sys
fd = os.open("/proc/%s/ns/user" % sys.argv[1], os.O_RDONLY)
print(struct.unpack("I", fcntl.ioctl(fd, 0xb704, bytes(4)))[0])' "$1"
}

# wait_marker FILE KEY [SECONDS]: poll FILE until it holds @@KEY=value@@;
# prints the value; status 1 when it never came.
wait_marker() {
	local i v
	for i in $(seq 1 $((${3:-$LBT_T} * 10))); do
		v=$(marker "$(cat "$1" 2>/dev/null)" "$2")
		[ -n "$v" ] && {
			printf '%s\n' "$v"
			return 0
		}
		sleep 0.1
	done
	return 1
}

# wait_new_session USER BEFORE [SECONDS]: poll until a live session of USER
# appears whose id is not in the list BEFORE; prints its id.
wait_new_session() {
	local i id
	for i in $(seq 1 $((${3:-10} * 10))); do
		for id in $(test_session_ids); do
			printf '%s\n' "$2" | grep -qx "$id" && continue
			[ "$(session_field "$id" user)" = "$1" ] && [ -n "$(session_field "$id" init_pid)" ] && {
				echo "$id"
				return 0
			}
		done
		sleep 0.1
	done
	return 1
}

# must_not_reach NAME SECRET-ERE CONTROL-ERE CONTROL-CMD... -- PROBE-CMD...
# A "cannot reach" that cannot pass on a broken path: first, in the same
# session, CONTROL-CMD (retried for up to 10 s) must print a line matching
# CONTROL-ERE (what is served inside the box comes through this path);
# then PROBE-CMD's output must not match SECRET-ERE (the host's thing does
# not).  One TAP line.
must_not_reach() {
	local name=$1 secret=$2 want=$3 i out="" ctl=() probe=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		ctl+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	probe=("$@")
	if [ ${#ctl[@]} -eq 0 ] || [ ${#probe[@]} -eq 0 ]; then
		tap_fail "$name" "must_not_reach: needs CONTROL-CMD -- PROBE-CMD"
		return 0
	fi
	for i in $(seq 1 50); do
		out=$("${ctl[@]}" 2>&1)
		printf '%s\n' "$out" | grep -Eq -- "$want" && break
		out="(control failed) $out"
		sleep 0.2
	done
	case $out in "(control failed)"*)
		tap_fail "$name" "positive control: '${ctl[*]}' never printed /$want/ (the path itself does not work, so 'not reached' would prove nothing)" "$out"
		return 0
		;;
	esac
	out=$("${probe[@]}" 2>&1)
	if printf '%s\n' "$out" | grep -Eq -- "$secret"; then
		tap_fail "$name" "the host's /$secret/ came through: $out"
	else
		tap_ok "$name"
	fi
}

# clean_test_sessions: end whatever test boxes remain (between tests, so a
# failure does not cascade), quietly.
clean_test_sessions() {
	local id
	for id in $(test_session_ids); do
		"$LB_ADMIN" kill "$id" >/dev/null 2>&1
	done
}

# ------------------------------------------------------------ images ---

# make_image NAME: a tiny busybox image under /var/lib/loginbox/images,
# every directory real.  Variants are made by the caller afterwards.
make_image() {
	local img="$LB_IMAGES/$1" a
	rm -rf "$img"
	mkdir -p "$img"/bin "$img"/etc "$img"/proc "$img"/sys "$img"/dev \
		"$img"/tmp "$img"/home "$img"/root "$img"/run
	cp /usr/bin/busybox "$img/bin/busybox"
	for a in sh ls hostname cat id echo ps mount grep env readlink sleep; do
		ln -s busybox "$img/bin/$a"
	done
	getent passwd root lbt-alice lbt-bob >"$img/etc/passwd"
	getent group root lbt-alice lbt-bob lbt-boxed >"$img/etc/group"
	chown -R root:root "$img"
	chmod 0755 "$img"
}

# make_root_image: the directory image lbt-rootimg of lbt-root (root in the
# box needs an image of its own): the host's /usr hard-linked (the programs
# the probes use, no copy; the lower layer is read-only and box root's
# writes go to the upper), a few files of /etc, no secret of the host.
make_root_image() {
	local img="$LB_IMAGES/lbt-rootimg" d f
	rm -rf "$img"
	mkdir -p "$img" || return 1
	cp -al /usr "$img/usr" || return 1
	for d in bin sbin lib lib32 lib64 libx32; do
		[ -L "/$d" ] && ln -s "$(readlink "/$d")" "$img/$d"
	done
	mkdir -p "$img"/etc "$img"/proc "$img"/sys "$img"/dev "$img"/tmp 		"$img"/home "$img"/root "$img"/run "$img"/var/tmp
	for f in alternatives nsswitch.conf ld.so.cache ld.so.conf ld.so.conf.d 		hosts bash.bashrc profile profile.d services protocols localtime 		inputrc shells login.defs; do
		[ -e "/etc/$f" ] && cp -a "/etc/$f" "$img/etc/"
	done
	getent passwd root >"$img/etc/passwd"
	getent group root >"$img/etc/group"
	chown root:root "$img"
	chmod 0755 "$img"
}

# snapshot_host_root: a fingerprint of the host's / and /etc, to show that
# building a box did not write there.
snapshot_host_root() {
	{
		ls -A / /etc /dev
		stat -c '%n %F %i' /etc /proc /dev /tmp /run /sys
		stat -c '%n %i %Y %s' /etc/passwd /etc/shadow /etc/hostname
	} 2>&1
}
