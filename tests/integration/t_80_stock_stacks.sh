#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boxed logins through Debian's own PAM stacks as shipped (/etc/pam.d/sshd,
# su, login, with the common-session line of `pam-auth-update --enable
# loginbox`), with and without the `pam_loginbox.so scrub` line; what
# `loginbox doctor` says about each door on the host (PAM stacks,
# /etc/ssh/sshrc, sshd's effective settings for boxed users, a mail
# server); and that the generated sshd drop-in takes effect for boxed users
# only, under Debian's stock sshd_config and its Include.
# Attacks through these doors are in tests/hostile/h_10_env.sh.
set -u
. "$(dirname "$0")/lib.sh"
STOCK=$LBT_TMP/t80
. "$(dirname "$0")/lib_stock.sh"

HOST_HOSTNAME=$(hostname)
SSHRC_MADE=no
cleanup_t80() {
	[ "$SSHRC_MADE" = yes ] && rm -f /etc/ssh/sshrc
	return 0
}
trap cleanup_t80 EXIT

stock_setup
WHERE='echo "@@H=$(hostname)@@"; echo "@@P=$(cat /proc/1/comm)@@"'

# ---- loginbox-shell runs on the host: no dynamic loader may run for it
t_unlike "$(readelf -l "$LB_SHELL" 2>&1)" 'INTERP|Requesting program interpreter' \
	"loginbox-shell has no program interpreter (static): LD_PRELOAD/LD_AUDIT reach nothing"
t_like "$(file -b "$LB_SHELL" 2>&1)" 'static-pie' "loginbox-shell is static-pie"

# ---- loginbox-shell fails closed when it cannot tell box from host
out=$(setpriv --reuid=lbt-alice --regid=lbt-alice --init-groups "$LB_SHELL" -c 'echo @@RAN@@' 2>&1)
t_like "$out" 'this login has no box' "loginbox-shell on the host without a box: refused (control: it can tell)"
out=$(unshare -m sh -c 'mount -t tmpfs tmpfs /proc && exec setpriv --reuid=lbt-alice --regid=lbt-alice --init-groups "$1" -c "echo @@RAN@@"' \
	sh "$LB_SHELL" 2>&1)
t_unlike "$out" '@@RAN@@' "loginbox-shell without a readable uid_map runs nothing"
t_like "$out" 'cannot tell whether this runs inside a box .*refusing' \
	"loginbox-shell without a readable uid_map: refused with its own message"

# ---- sshd with Debian's stack: boxed users land in the box, others not
for variant in sshd-stock sshd-scrub; do
	port=$(start_stock_sshd "$variant" "$variant") ||
		{ tap_fail "sshd with $variant starts"; continue; }
	out=$(ssh_port "$port" lbt-alice "$WHERE" 2>&1)
	t_is "$(marker "$out" H)" lbt-alice-box "$variant: ssh as a boxed user lands in the box (hostname)"
	t_is "$(marker "$out" P)" loginbox-init "$variant: ssh as a boxed user: PID 1 is loginbox-init"
	out=$(ssh_port "$port" lbt-plain "$WHERE" 2>&1)
	t_is "$(marker "$out" H)" "$HOST_HOSTNAME" "$variant: ssh as an unboxed user stays on the host"
	stop_stock_sshd "$variant"
done

# ---- su and login with their stock stacks
out=$(in_stock_ns timeout -k 5 "$LBT_T" su - lbt-alice -c "$WHERE" 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "stock su: su - boxed user lands in the box"
out=$(in_stock_ns timeout -k 5 "$LBT_T" su lbt-alice -c "$WHERE" 2>&1)
t_is "$(marker "$out" P)" loginbox-init "stock su: su boxed user -c lands in the box"
out=$(pty_run --expect "$PROMPT_RE" --send "$(marker_cmd H '$(hostname)')exit\\n" -- \
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && exec login -f lbt-alice' \
	sh "$STOCK/common-session" 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "stock login: login -f boxed user lands in the box"

# ---- loginbox doctor: the PAM stacks
envline=$(grep -n 'pam_env.so.*user_readenv=1' "$STOCK/sshd-stock" | head -n 1 | cut -d: -f1)
out=$(unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && mount --bind "$2" /etc/pam.d/sshd && exec "$3" doctor' \
	sh "$STOCK/common-session" "$STOCK/sshd-stock" "$LB_ADMIN" 2>&1)
t_like "$out" "^WARN PAM sshd: /etc/pam.d/sshd line $envline: pam_env.so user_readenv=1 runs after the last pam_loginbox.so line.*fix: add \`session \[success=ok ignore=ignore module_unknown=ignore default=bad\] pam_loginbox.so scrub\`" \
	"doctor: Debian's sshd stack without the scrub line is flagged at the pam_env line ($envline)"
t_unlike "$out" '^WARN PAM (su|su-l|login):' "doctor: Debian's su and login stacks (pam_env before common-session) are not flagged"
t_unlike "$out" 'no pam_loginbox.so session line' "doctor: with the common-session line no stack lacks the module"
out=$(unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && mount --bind "$2" /etc/pam.d/sshd && exec "$3" doctor' \
	sh "$STOCK/common-session" "$STOCK/sshd-scrub" "$LB_ADMIN" 2>&1)
t_unlike "$out" '^WARN PAM sshd:' "doctor: Debian's sshd stack with the scrub line at its end is not flagged"
{ cat "$STOCK/sshd-stock"; printf 'session optional pam_exec.so /bin/true\n'; } >"$STOCK/sshd-exec"
out=$(unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && mount --bind "$2" /etc/pam.d/sshd && exec "$3" doctor' \
	sh "$STOCK/common-session" "$STOCK/sshd-exec" "$LB_ADMIN" 2>&1)
t_like "$out" "^WARN PAM sshd: /etc/pam.d/sshd line $(($(wc -l <"$STOCK/sshd-stock") + 1)): pam_exec.so runs after pam_env.so user_readenv=1 \(/etc/pam.d/sshd line $envline\).*fix: put" \
	"doctor: a pam_exec line after pam_env user_readenv=1 is flagged"
grep -v 'pam_loginbox\.so' /etc/pam.d/common-session >"$STOCK/common-session-none"
out=$(unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && exec "$2" doctor' \
	sh "$STOCK/common-session-none" "$LB_ADMIN" 2>&1)
for s in sshd su login; do
	t_like "$out" "^WARN PAM $s: /etc/pam.d/$s: no pam_loginbox.so session line.*fix: pam-auth-update --enable loginbox" \
		"doctor: /etc/pam.d/$s without the module is flagged"
done
sed 's/required\tpam_loginbox.so/optional\tpam_loginbox.so/' "$STOCK/common-session" >"$STOCK/common-session-opt"
out=$(unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && exec "$2" doctor' \
	sh "$STOCK/common-session-opt" "$LB_ADMIN" 2>&1)
t_like "$out" "^WARN PAM [a-z-]+: /etc/pam.d/common-session line [0-9]+: pam_loginbox.so is \`optional\`.*fix: make it required" \
	"doctor: an optional pam_loginbox line is flagged"

# ---- loginbox doctor: /etc/ssh/sshrc
if [ -e /etc/ssh/sshrc ]; then
	tap_skip "doctor: /etc/ssh/sshrc is flagged" "the host has its own /etc/ssh/sshrc"
else
	out=$(in_stock_ns "$LB_ADMIN" doctor 2>&1)
	t_like "$out" '^OK  /etc/ssh/sshrc: absent$' "doctor: no /etc/ssh/sshrc, no finding"
	printf '# made by loginbox tests\n' >/etc/ssh/sshrc
	SSHRC_MADE=yes
	out=$(in_stock_ns "$LB_ADMIN" doctor 2>&1)
	t_like "$out" '^WARN /etc/ssh/sshrc: /etc/ssh/sshrc: sshd runs it with /bin/sh on the host.*fix: remove it' \
		"doctor: /etc/ssh/sshrc is flagged"
	rm -f /etc/ssh/sshrc
	SSHRC_MADE=no
fi

# ---- the sshd drop-in, under Debian's stock sshd_config and its Include
# (a private tmpfs over /etc/ssh/sshd_config.d: the host's stays as it is)
cat >"$STOCK/dropin.sh" <<'EOS'
set -u
mount -t tmpfs -o mode=0755 tmpfs /etc/ssh/sshd_config.d || exit 1
echo "== check before"; "$1" doctor
echo "== write"; "$1" sshd-config --write
echo "== mode $(stat -c '%a %U' /etc/ssh/sshd_config.d/loginbox.conf)"
for u in lbt-alice lbt-root lbt-plain; do
	/usr/sbin/sshd -T -C "user=$u,host=localhost,addr=127.0.0.1" | sed "s/^/$u: /"
done
echo "== check after"; "$1" doctor
EOS
out=$(in_stock_ns bash "$STOCK/dropin.sh" "$LB_ADMIN" 2>&1)
before=$(printf '%s\n' "$out" | sed -n '/^== check before/,/^== write/p')
after=$(printf '%s\n' "$out" | sed -n '/^== check after/,$p')
t_like "$before" '^WARN sshd drop-in: /etc/ssh/sshd_config.d/loginbox.conf: missing.*fix: loginbox sshd-config --write' \
	"doctor: a missing sshd drop-in is flagged"
t_like "$before" '^WARN sshd settings: /etc/ssh/sshd_config: for boxed user lbt-alice \(\[group.lbt-boxed\]\) X11Forwarding yes: sshd runs xauth' \
	"doctor: Debian's X11Forwarding yes is flagged for a boxed user"
t_like "$before" 'for boxed user lbt-alice .* PermitUserRC yes' "doctor: PermitUserRC yes is flagged for a boxed user"
t_like "$before" 'for boxed user lbt-alice .* AllowStreamLocalForwarding is not no' \
	"doctor: unix-socket forwarding is flagged for a boxed user"
t_like "$out" '^== mode 644 root' "sshd-config --write: the drop-in is root's, 0644"
for kv in "x11forwarding no" "permituserrc no" "allowstreamlocalforwarding no" "permittunnel no"; do
	t_like "$out" "^lbt-alice: $kv\$" "drop-in: sshd -T for boxed lbt-alice says $kv"
	t_like "$out" "^lbt-root: $kv\$" "drop-in: sshd -T for boxed lbt-root (other group) says $kv"
done
t_like "$out" '^lbt-plain: x11forwarding yes$' "drop-in: unboxed lbt-plain keeps X11Forwarding yes"
t_like "$out" '^lbt-plain: permituserrc yes$' "drop-in: unboxed lbt-plain keeps PermitUserRC yes"
t_like "$out" '^lbt-plain: allowstreamlocalforwarding yes$' "drop-in: unboxed lbt-plain keeps unix-socket forwarding"
t_unlike "$after" '^WARN sshd settings:' "doctor: with the drop-in no sshd setting is flagged"
t_like "$after" '^OK  sshd drop-in: ' "doctor: the written drop-in is not flagged"
# With the scrub line (and Debian's sshd_config: no PermitUserEnvironment,
# AcceptEnv LANG LC_*) X11 is no door: the drop-in leaves it on and makes
# loginbox-xauth the XAuthLocation; without the drop-in, sshd's own xauth
# is named (the box would get a DISPLAY but no cookie it can find).
cat >"$STOCK/x11.sh" <<'EOS'
set -u
mount -t tmpfs -o mode=0755 tmpfs /etc/ssh/sshd_config.d || exit 1
echo "== check before"; "$1" doctor
echo "== write"; "$1" sshd-config --write; cat /etc/ssh/sshd_config.d/loginbox.conf
/usr/sbin/sshd -T -C "user=lbt-alice,host=localhost,addr=127.0.0.1" | sed "s/^/lbt-alice: /"
echo "== check after"; "$1" doctor
EOS
out=$(in_stock_ns_sshd sshd-scrub bash "$STOCK/x11.sh" "$LB_ADMIN" 2>&1)
before=$(printf '%s\n' "$out" | sed -n '/^== check before/,/^== write/p')
after=$(printf '%s\n' "$out" | sed -n '/^== check after/,$p')
t_like "$before" 'for boxed user lbt-alice \(\[group.lbt-boxed\]\) XAuthLocation is /usr/bin/xauth: ssh -X gets a DISPLAY in the box but no cookie its clients find' \
	"doctor, scrub line, no drop-in: sshd's own XAuthLocation is named for a boxed user"
t_unlike "$before" 'X11Forwarding yes: sshd runs xauth' "doctor, scrub line: X11Forwarding yes is not flagged as a door"
t_like "$before" 'for boxed user lbt-alice .* PermitUserRC yes' "doctor, scrub line, no drop-in: PermitUserRC yes still is"
t_like "$out" '^XAuthLocation /usr/libexec/loginbox/loginbox-xauth$' "drop-in, scrub line: XAuthLocation is loginbox-xauth"
t_like "$out" '^lbt-alice: x11forwarding yes$' "drop-in, scrub line: X11 forwarding stays on for boxed lbt-alice"
t_like "$out" '^lbt-alice: permituserrc no$' "drop-in, scrub line: PermitUserRC is still no for lbt-alice"
t_unlike "$after" '^WARN sshd' "doctor, scrub line, with the drop-in: no sshd finding"
# Stack made unsafe again after the drop-in was written: stale, and X11 named
cat >"$STOCK/x11b.sh" <<'EOS'
set -u
mount -t tmpfs -o mode=0755 tmpfs /etc/ssh/sshd_config.d || exit 1
"$1" sshd-config --write >/dev/null && mount --bind "$2" /etc/pam.d/sshd && "$1" doctor
EOS
out=$(in_stock_ns_sshd sshd-scrub bash "$STOCK/x11b.sh" "$LB_ADMIN" "$STOCK/sshd-stock" 2>&1)
t_like "$out" 'loginbox.conf: out of date with the config, /etc/pam.d/sshd or sshd.s settings; fix: loginbox sshd-config --write' \
	"doctor: a drop-in that let X11 on is stale once the scrub line is gone"
t_like "$out" 'for boxed user lbt-alice .* X11Forwarding yes: sshd runs xauth with /bin/sh on the host in the login.s environment, and /etc/pam.d/sshd line [0-9]+: pam_env.so user_readenv=1 runs after the last pam_loginbox.so line' \
	"doctor: X11 on with the scrub line gone is flagged, with the reason"

# A config change makes the drop-in stale.
{ base_conf; printf '[user.lbt-bob]\nhostname = bob\n'; } | write_conf
out=$(in_stock_ns bash -c 'mount -t tmpfs tmpfs /etc/ssh/sshd_config.d && "$1" sshd-config --write >/dev/null &&
	printf "[user.lbt-small]\nimage = host\n" >/etc/loginbox/conf.d/lbt-t80.conf && "$1" doctor' sh "$LB_ADMIN" 2>&1)
rm -f "$LB_CONFD/lbt-t80.conf"
reset_conf
t_like "$out" 'loginbox.conf: out of date with the config, /etc/pam.d/sshd or sshd.s settings; fix: loginbox sshd-config --write' \
	"doctor: a drop-in older than the config is flagged"
out=$("$LB_ADMIN" sshd-config 2>&1)
t_like "$out" '^Match Group (.*,)?lbt-boxed,lbt-rootbox(,.*)?$' "sshd-config: one Match Group line for the boxed groups"
{ base_conf | sed 's/^default = none$/default = group.lbt-boxed/'; printf '[user.lbt-plain]\nbox = no\n'; } | write_conf
out=$("$LB_ADMIN" sshd-config 2>&1)
t_like "$out" '^Match User \*,!root,!lbt-plain$' "sshd-config: with a default section every user but root and box = no users gets the block"
{ base_conf; printf '[group.lbt-docker]\nbox = no\npriority = 100\n[user.lbt-bob]\nhostname = b\n'; } | write_conf
out=$("$LB_ADMIN" sshd-config 2>&1)
t_like "$out" '^Match User lbt-bob$' "sshd-config: a boxed user section gets a Match User block"
t_unlike "$out" 'lbt-docker' "sshd-config: a box = no group is not matched"
reset_conf

# ---- sshd settings no Match block can fix, and internal-sftp
sed -e 's#^Subsystem.*#Subsystem sftp internal-sftp#' /etc/ssh/sshd_config >"$STOCK/sshd_config.bad"
printf 'PermitUserEnvironment yes\nAcceptEnv LD_*\n' >>"$STOCK/sshd_config.bad"
out=$(in_stock_ns bash -c 'mount --bind "$2" /etc/ssh/sshd_config && mount -t tmpfs tmpfs /etc/ssh/sshd_config.d &&
	"$1" sshd-config --write >/dev/null && "$1" doctor' sh "$LB_ADMIN" "$STOCK/sshd_config.bad" 2>&1)
t_like "$out" 'for boxed user lbt-alice .* sftp is internal-sftp, served by sshd on the host.*fix: Subsystem sftp /usr/lib/openssh/sftp-server' \
	"doctor: internal-sftp is flagged"
t_like "$out" 'for boxed user lbt-alice .* PermitUserEnvironment is not no' "doctor: PermitUserEnvironment yes is flagged"
t_like "$out" 'for boxed user lbt-alice .* AcceptEnv LD_\* lets a client send LD_PRELOAD' "doctor: AcceptEnv LD_* is flagged"

# ---- a mail server that would run ~/.forward pipes on the host
if [ -e /usr/sbin/exim4 ]; then
	out=$("$LB_ADMIN" doctor 2>&1)
else
	cp -a /usr/sbin "$STOCK/sbin"
	printf '#!/bin/sh\nexit 1\n' >"$STOCK/sbin/exim4"
	chmod 755 "$STOCK/sbin/exim4"
	out=$(unshare -m sh -c 'mount --bind "$1" /usr/sbin && exec /usr/sbin/loginbox doctor' sh "$STOCK/sbin" 2>&1)
	rm -rf "$STOCK/sbin"
fi
t_like "$out" '^WARN mail server: /usr/sbin/exim4: a mail server delivers boxed users.*~/.forward.*fix: set forbid_pipe' \
	"doctor: an installed exim4 is flagged"

assert_no_leftovers "stock stacks: nothing of these sessions remains"
exit 0
