#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A boxed user tries to run code on the host through the login's
# environment and sshd's host-side doors, with Debian's own PAM stacks as
# shipped (lib_stock.sh): a shared library built inside the box whose
# constructor records where it runs (uid_map, hostname, PID 1, program),
# named by LD_PRELOAD / LD_AUDIT (and LD_LIBRARY_PATH, GLIBC_TUNABLES,
# GCONV_PATH, LOCPATH, MALLOC_*, BASH_ENV beside them) in
# ~/.pam_environment, SendEnv, ~/.ssh/environment; ~/.ssh/rc, ssh -X
# (xauth), /etc/ssh/sshrc, unix-socket forwarding; su and login.
#
# First the library is shown to run inside the box (LD_PRELOAD and LD_AUDIT
# on a boxed command), and the same attack is shown to work for an unboxed
# user whose programs are dynamic (the doors are live in this sshd); then
# no marker with the host's uid_map may appear for the boxed user.
set -u
. "$(dirname "$0")/../integration/lib.sh"
STOCK=$LBT_TMP/h10
. "$LBT_DIR/lib_stock.sh"

lb_ensure_packages "$LBT_TMP/apt-h10.log" xauth xvfb x11-utils gcc libc6-dev ||
	{ diag_file "$LBT_TMP/apt-h10.log"; tap_fail "install xauth, xvfb, x11-utils, gcc"; exit 1; }

AHOME=$(getent passwd lbt-alice | cut -d: -f6)
PHOME=$(getent passwd lbt-plain | cut -d: -f6)
AMARKS=$AHOME/.lbt-marks
PMARKS=$PHOME/.lbt-marks
SSHRC_MADE=no
SOCK_PID=
XVFB_PID=
cleanup_h10() {
	[ "$SSHRC_MADE" = yes ] && rm -f /etc/ssh/sshrc
	[ -n "$SOCK_PID" ] && stop_pid "$SOCK_PID"
	[ -n "$XVFB_PID" ] && stop_pid "$XVFB_PID"
	rm -f "$AHOME/.pam_environment" "$PHOME/.pam_environment" \
		"$AHOME/.ssh/environment" "$PHOME/.ssh/environment" \
		"$AHOME/.ssh/rc" "$PHOME/.ssh/rc"
	return 0
}
trap cleanup_h10 EXIT
stock_setup

# The library: its constructor (and LD_AUDIT's la_version) writes one
# marker file per process; root's processes (the ssh client) are skipped.
cat >"$STOCK/x.c" <<'EOC'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static void first_line(const char *path, char *buf, int len)
{
	FILE *f = fopen(path, "r");
	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}
__attribute__((constructor)) static void lbt_mark(void)
{
	char map[128], pid1[64], host[128] = "", exe[256] = "", path[512];
	FILE *f;
	if (getuid() == 0)
		return;
	first_line("/proc/self/uid_map", map, sizeof(map));
	first_line("/proc/1/comm", pid1, sizeof(pid1));
	gethostname(host, sizeof(host) - 1);
	if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0)
		exe[0] = '\0';
	snprintf(path, sizeof(path), "%s/m.%d", MARKDIR, (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "uid_map=%s\nhost=%s\npid1=%s\nexe=%s\n", map, host, pid1, exe);
	fclose(f);
}
unsigned int la_version(unsigned int v) { return v; }
EOC

clear_marks() { rm -f "$AMARKS"/m.* "$PMARKS"/m.* "$AMARKS"/rc.* "$PMARKS"/rc.*; }
# no_host_marker NAME: nothing ran as lbt-alice on the host.
no_host_marker() { no_host_marker_in "$AMARKS" "$1"; }

# ---- the library is built inside the box, by the boxed user
out=$(ssh_as lbt-alice "mkdir -p ~/.lbt-marks && cat >~/x.c && gcc -shared -fPIC -DMARKDIR='\"$AMARKS\"' -o ~/x.so ~/x.c && echo \"@@BUILT=\$(hostname)@@\"" \
	<"$STOCK/x.c" 2>&1)
t_is "$(marker "$out" BUILT)" lbt-alice-box "x.so is built inside the box" || diag "$out"
# The unboxed control user gets the same library, writing to its own home.
mkdir -p "$PMARKS"
gcc -shared -fPIC -DMARKDIR="\"$PMARKS\"" -o "$PHOME/x.so" "$STOCK/x.c"
chown -R lbt-plain: "$PMARKS" "$PHOME/x.so"

# ---- positive control: the library runs inside the box
clear_marks
out=$(ssh_as lbt-alice 'LD_PRELOAD=$HOME/x.so /bin/true; echo "@@H=$(hostname)@@"' 2>&1)
t_like "$(box_markers "$AMARKS")" "pid1=loginbox-init exe=/usr/bin/true" \
	"control: LD_PRELOAD=x.so on a boxed command runs the library inside the box"
clear_marks
out=$(ssh_as lbt-alice 'LD_AUDIT=$HOME/x.so /bin/true' 2>&1)
t_like "$(box_markers "$AMARKS")" "pid1=loginbox-init exe=/usr/bin/true" \
	"control: LD_AUDIT=x.so on a boxed command runs the library inside the box"

# ~/.pam_environment, written from inside the box by the user
penv() { # HOME
	cat <<-EOP
		LD_PRELOAD DEFAULT=$1/x.so
		LD_AUDIT DEFAULT=$1/x.so
		LD_LIBRARY_PATH DEFAULT=$1/lib
		GLIBC_TUNABLES DEFAULT=glibc.malloc.check=3
		GCONV_PATH DEFAULT=$1/gconv
		LOCPATH DEFAULT=$1/locale
		MALLOC_TRACE DEFAULT=$1/mtrace
		MALLOC_CHECK_ DEFAULT=3
		BASH_ENV DEFAULT=$1/bashenv
		LBT_KEEP DEFAULT=kept
	EOP
}
out=$(penv "$AHOME" | ssh_as lbt-alice 'cat >~/.pam_environment && echo "@@W=$(hostname)@@"' 2>&1)
t_is "$(marker "$out" W)" lbt-alice-box "~/.pam_environment is written from inside the box"
penv "$PHOME" >"$PHOME/.pam_environment"
chown lbt-plain: "$PHOME/.pam_environment"

DANGER='^(LD_[A-Z_]*|GLIBC_TUNABLES|GCONV_PATH|LOCPATH|MALLOC_[A-Z_]*|BASH_ENV)='
SHOWENV='echo "@@H=$(hostname)@@"; echo "@@KEEP=${LBT_KEEP-unset}@@"; echo "@@SENT=${LBT_SENT-unset}@@"; echo "@@EF=${LBT_ENVFILE-unset}@@"; env | grep -E "'"$DANGER"'" | sed "s/^/@@DANGER /"'

# ---- an sshd with every door open globally, and loginbox's drop-in as
# `loginbox sshd-config` writes it with Debian's sshd stack
in_stock_ns "$LB_ADMIN" sshd-config >"$STOCK/loginbox.conf"
t_like "$(cat "$STOCK/loginbox.conf")" '^# X11 forwarding is off for boxed users: /etc/pam.d/sshd line [0-9]+: pam_env.so user_readenv=1 runs after the last pam_loginbox.so line that scrubs; fix: add `session .* pam_loginbox.so scrub` after it\.$' \
	"drop-in with Debian's sshd stack: X11 stays off for boxed users, and it says why"
cat >"$STOCK/doors.conf" <<EOC
Include $STOCK/loginbox.conf
Subsystem sftp /usr/lib/openssh/sftp-server
X11Forwarding yes
X11UseLocalhost yes
XAuthLocation /usr/bin/xauth
PermitUserRC yes
PermitUserEnvironment yes
AcceptEnv LANG LC_* LD_* GLIBC_TUNABLES GCONV_PATH LOCPATH MALLOC_* BASH_ENV LBT_*
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
LogLevel VERBOSE
EOC

for variant in sshd-stock sshd-scrub; do
	port=$(start_stock_sshd "h10-$variant" "$variant" "$STOCK/doors.conf") ||
		{ tap_fail "$variant: sshd starts"; continue; }

	# positive control: the same attack works for an unboxed user whose
	# shell is dynamic (pam_env read the file, ld.so loaded the library)
	clear_marks
	ssh_port "$port" lbt-plain true >/dev/null 2>&1
	t_like "$(host_markers "$PMARKS")" "host=$(hostname)" \
		"$variant: control: ~/.pam_environment LD_PRELOAD runs x.so on the host for unboxed lbt-plain"

	# ~/.pam_environment: ssh host true, then the environment seen inside
	clear_marks
	ssh_port "$port" lbt-alice true >/dev/null 2>&1
	out=$(ssh_port "$port" lbt-alice "$SHOWENV" 2>&1)
	t_is "$(marker "$out" H)" lbt-alice-box "$variant: ~/.pam_environment: the login runs in the box"
	t_is "$(marker "$out" KEEP)" kept "$variant: ~/.pam_environment was read (LBT_KEEP reached the login)"
	t_unlike "$out" '@@DANGER' "$variant: ~/.pam_environment: no loader or shell-startup variable reaches the box's command"
	no_host_marker "$variant: ~/.pam_environment LD_PRELOAD/LD_AUDIT: nothing runs as lbt-alice on the host"

	# SendEnv with AcceptEnv LD_* (the client, root, skips the marker)
	clear_marks
	out=$(env LD_PRELOAD="$AHOME/x.so" LD_AUDIT="$AHOME/x.so" GLIBC_TUNABLES=glibc.malloc.check=3 \
		GCONV_PATH="$AHOME/gconv" LOCPATH="$AHOME/locale" MALLOC_CHECK_=3 LBT_SENT=sent \
		timeout -k 5 "$LBT_T" ssh "${SSH_COMMON[@]}" -p "$port" -o 'SendEnv=LD_* GLIBC_TUNABLES GCONV_PATH LOCPATH MALLOC_* LBT_*' \
		lbt-alice@127.0.0.1 "$SHOWENV" 2>&1)
	t_is "$(marker "$out" SENT)" sent "$variant: SendEnv: accepted variables reach the login (LBT_SENT)"
	t_unlike "$out" '@@DANGER' "$variant: SendEnv: no loader variable reaches the box's command"
	no_host_marker "$variant: SendEnv LD_PRELOAD/LD_AUDIT: nothing runs as lbt-alice on the host"

	# ~/.ssh/environment with PermitUserEnvironment yes
	clear_marks
	out=$(printf 'LD_PRELOAD=%s/x.so\nLD_AUDIT=%s/x.so\nLBT_ENVFILE=yes\n' "$AHOME" "$AHOME" |
		ssh_port "$port" lbt-alice 'mkdir -p ~/.ssh && cat >~/.ssh/environment' 2>&1)
	out=$(ssh_port "$port" lbt-alice "$SHOWENV" 2>&1)
	t_is "$(marker "$out" EF)" yes "$variant: ~/.ssh/environment was read (LBT_ENVFILE)"
	t_unlike "$out" '@@DANGER' "$variant: ~/.ssh/environment: no loader variable reaches the box's command"
	no_host_marker "$variant: ~/.ssh/environment LD_PRELOAD: nothing runs as lbt-alice on the host"
	rm -f "$AHOME/.ssh/environment"

	# ~/.ssh/rc: sshd would run it with /bin/sh (dynamic) on the host
	clear_marks
	printf 'echo ran >"%s/rc.$(hostname)"\n' "$PMARKS" >"$PHOME/.ssh-rc.tmp"
	mkdir -p "$PHOME/.ssh" && mv "$PHOME/.ssh-rc.tmp" "$PHOME/.ssh/rc" && chown -R lbt-plain: "$PHOME/.ssh"
	ssh_port "$port" lbt-plain true >/dev/null 2>&1
	t_like "$(ls "$PMARKS")" '^rc\.' "$variant: control: ~/.ssh/rc runs for unboxed lbt-plain"
	rm -f "$PHOME/.ssh/rc"
	out=$(printf 'echo ran >"%s/rc.$(hostname)"\n' "$AMARKS" |
		ssh_port "$port" lbt-alice 'mkdir -p ~/.ssh && cat >~/.ssh/rc && echo "@@RCW=$(hostname)@@"' 2>&1)
	clear_marks
	out=$(ssh_port "$port" lbt-alice 'echo "@@H=$(hostname)@@"' 2>&1)
	t_is "$(marker "$out" H)" lbt-alice-box "$variant: with ~/.ssh/rc the boxed login still runs in the box"
	t_unlike "$(ls "$AMARKS")" '^rc\.' "$variant: ~/.ssh/rc of a boxed user is not run (PermitUserRC no in the drop-in)"
	no_host_marker "$variant: ~/.ssh/rc: nothing runs as lbt-alice on the host"
	rm -f "$AHOME/.ssh/rc"

	# ssh -X: sshd would run xauth through /bin/sh on the host
	clear_marks
	out=$(DISPLAY=127.0.0.1:42 ssh_port "$port" lbt-plain -X -o LogLevel=INFO true 2>&1)
	t_like "$(host_markers "$PMARKS")" 'exe=/usr/bin/(xauth|dash)' \
		"$variant: control: ssh -X runs xauth (and /bin/sh) on the host for lbt-plain, with the library"
	clear_marks
	out=$(DISPLAY=127.0.0.1:42 ssh_port "$port" lbt-alice -X -o LogLevel=INFO 'echo "@@H=$(hostname)@@"' 2>&1)
	t_is "$(marker "$out" H)" lbt-alice-box "$variant: ssh -X as a boxed user: the command runs in the box"
	t_like "$out" 'X11 forwarding request failed' "$variant: ssh -X as a boxed user: sshd refuses X11 forwarding"
	no_host_marker "$variant: ssh -X: no xauth or /bin/sh runs as lbt-alice on the host"

	stop_stock_sshd "h10-$variant"
done

# ---- X11 forwarding on for boxed users: Debian's sshd stack with the scrub
# line, and sshd settings that let nothing of the user's into what it runs
# on the host (no PermitUserEnvironment, AcceptEnv LANG LC_* only).  The
# drop-in then leaves X11Forwarding to sshd and makes loginbox-xauth the
# XAuthLocation, which has the box's own xauth store the cookie.  A real X server (Xvfb) on the client side: a property set
# on its root window by the client is read by an X client in the box.
dropin=$(x11_dropin sshd-scrub)
t_like "$dropin" '^XAuthLocation /usr/libexec/loginbox/loginbox-xauth$' \
	"X11 drop-in: with the scrub line and safe sshd settings XAuthLocation is loginbox-xauth"
t_unlike "$dropin" 'X11Forwarding no' "X11 drop-in: X11Forwarding is left to sshd for boxed users"
t_like "$dropin" 'PermitUserRC no' "X11 drop-in: the other doors stay closed (PermitUserRC no)"
start_xvfb
XMARK=lbt-x11-$RANDOM$RANDOM
DISPLAY=":$XN" XAUTHORITY="$XAUTH_C" xprop -root -f LBT_MARK 8s -set LBT_MARK "$XMARK"
t_like "$(DISPLAY=":$XN" XAUTHORITY="$XAUTH_C" xprop -root LBT_MARK 2>&1)" "\"$XMARK\"" \
	"X11: the client's X server (Xvfb :$XN) holds the marker property"
XSHOW='echo "@@H=$(hostname)@@"; echo "@@KEEP=${LBT_KEEP-unset}@@"; echo "@@D=${DISPLAY-unset}@@"; echo "@@X=$(xprop -root LBT_MARK 2>&1 | tr -d "\n")@@"'
if port=$(start_stock_sshd h10-x11 sshd-scrub "$STOCK/x11-sshd-scrub.conf"); then
	# control: for unboxed lbt-plain the scrub line does nothing, and
	# xauth's /bin/sh on the host loads ~/.pam_environment's library
	clear_marks
	out=$(xssh "$port" lbt-plain "$XSHOW" 2>&1)
	t_like "$(marker "$out" X)" "\"$XMARK\"" "X11: control: unboxed lbt-plain's X client reaches the X server"
	t_like "$(host_markers "$PMARKS")" 'exe=/usr/bin/(xauth|dash)' \
		"X11: control: sshd's xauth (loginbox-xauth execs it for an unboxed login) runs on the host for lbt-plain, with the library"
	# the boxed user: X works in the box, nothing of theirs on the host
	clear_marks
	out=$(xssh "$port" lbt-alice "$XSHOW" 2>&1)
	t_is "$(marker "$out" H)" lbt-alice-box "X11: ssh -X as a boxed user runs in the box"
	t_is "$(marker "$out" KEEP)" kept "X11: ~/.pam_environment was read for the boxed login (LBT_KEEP)"
	t_like "$(marker "$out" D)" '^localhost:[0-9]+\.0$' "X11: the box has sshd's DISPLAY"
	t_like "$(marker "$out" X)" "\"$XMARK\"" \
		"X11: an X client in the box reads the client's root-window property (sshd's listener in the box's network, the cookie found under the box's hostname)" ||
		diag "$out"
	no_host_marker "X11: sshd's /bin/sh ran loginbox-xauth for lbt-alice (the cookie worked) but nothing loaded on the host"
	xa=$(xauth -f "$AHOME/.Xauthority" list 2>&1)
	t_like "$xa" '^lbt-alice-box/unix:[0-9]+ +MIT-MAGIC-COOKIE-1 ' \
		"X11: the cookie was stored by the box's xauth, under the box's hostname" || diag "$xa"
	t_unlike "$xa" "^$(hostname)/unix:" "X11: no xauth on the host stored it (no entry under the host's name)"
	stop_stock_sshd h10-x11
else
	tap_fail "X11: sshd starts"
fi
stop_pid "$XVFB_PID"
XVFB_PID=
rm -f "$AHOME/.Xauthority" "$PHOME/.Xauthority"

# ---- /etc/ssh/sshrc (sshd runs it with /bin/sh for every user): with the
# scrub line, ~/.pam_environment's loader variables are gone before it
if [ -e /etc/ssh/sshrc ]; then
	tap_skip "/etc/ssh/sshrc with the scrub line" "the host has its own /etc/ssh/sshrc"
else
	printf '# made by loginbox tests\ntrue\n' >/etc/ssh/sshrc
	SSHRC_MADE=yes
	printf 'Include %s\nLogLevel VERBOSE\n' "$STOCK/loginbox.conf" >"$STOCK/sshrc.conf"
	if port=$(start_stock_sshd h10-sshrc sshd-scrub "$STOCK/sshrc.conf"); then
		clear_marks
		ssh_port "$port" lbt-plain true >/dev/null 2>&1
		t_like "$(host_markers "$PMARKS")" 'exe=/usr/bin/dash' \
			"sshrc: control: /etc/ssh/sshrc's /bin/sh loads x.so on the host for unboxed lbt-plain"
		clear_marks
		out=$(ssh_port "$port" lbt-alice "$SHOWENV" 2>&1)
		t_is "$(marker "$out" KEEP)" kept "sshrc + scrub: ~/.pam_environment was read (LBT_KEEP)"
		t_is "$(marker "$out" H)" lbt-alice-box "sshrc + scrub: the boxed login runs in the box"
		no_host_marker "sshrc + scrub: /etc/ssh/sshrc's /bin/sh loads nothing as lbt-alice on the host"
		stop_stock_sshd h10-sshrc
	else
		tap_fail "sshrc: sshd starts"
	fi
	rm -f /etc/ssh/sshrc
	SSHRC_MADE=no
fi

# ---- unix-socket forwarding to a host socket the user's host group opens
SOCK=$STOCK/hostsock
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.listen(4)
while True:
    c, _ = s.accept(); c.sendall(b"HOSTSOCK\n"); c.close()' "$SOCK" &
SOCK_PID=$!
track_pid "$SOCK_PID"
port=$(start_stock_sshd h10-fwd sshd-stock "$STOCK/doors.conf")
fwd() { # USER -> what a client of the forwarded port reads, and ssh's stderr
	local lport pid
	lport=$(free_port)
	ssh "${SSH_COMMON[@]}" -p "$port" -N -L "127.0.0.1:$lport:$SOCK" "$1@127.0.0.1" \
		2>"$STOCK/fwd.$1.err" &
	pid=$!
	wait_port "$lport" 10
	r=$(python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5); s.settimeout(5)
try: print("READ=" + s.recv(100).decode(errors="replace").strip())
except Exception as e: print("READ=" + type(e).__name__)' "$lport")
	echo "$r"
	# A channel that got nothing: wait (bounded) for sshd to log its
	# refusal before the client is stopped.
	for _ in $(seq 1 50); do
		[ "$r" = READ=HOSTSOCK ] && break
		grep -q "refused streamlocal port forward: .*target $SOCK" "$STOCK/srv.h10-fwd/sshd.log" && break
		sleep 0.1
	done
	stop_pid "$pid"
	cat "$STOCK/fwd.$1.err"
}
out=$(fwd lbt-plain 2>&1)
t_like "$out" '^READ=HOSTSOCK$' "unix-socket forwarding: control: unboxed lbt-plain reaches the host socket"
out=$(fwd lbt-alice 2>&1)
t_unlike "$out" 'HOSTSOCK' "unix-socket forwarding: boxed lbt-alice does not reach the host socket"
t_like "$(cat "$STOCK/srv.h10-fwd/sshd.log")" "refused streamlocal port forward: .*target $SOCK" \
	"unix-socket forwarding: sshd refuses the boxed user's channel (AllowStreamLocalForwarding no)"
stop_stock_sshd h10-fwd
stop_pid "$SOCK_PID"
SOCK_PID=

# ---- su and login with their stock stacks
clear_marks
out=$(in_stock_ns timeout -k 5 "$LBT_T" su - lbt-alice -c "$SHOWENV" 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "stock su -: the boxed user lands in the box"
t_unlike "$out" '@@DANGER' "stock su -: no loader variable reaches the box's command"
no_host_marker "stock su -: nothing runs as lbt-alice on the host"
# From lbt-plain, with the library in its own environment.
cat >"$STOCK/su-inner.sh" <<EOI
#!/bin/sh
LD_PRELOAD=$AHOME/x.so LD_AUDIT=$AHOME/x.so exec su lbt-alice -c 'echo "@@H=\$(hostname)@@"; env | grep -E "^(LD_|GLIBC_TUNABLES|MALLOC_)" | sed "s/^/@@DANGER /"'
EOI
chmod 755 "$STOCK/su-inner.sh"
out=$(pty_run --expect '[Pp]assword: ?$' --send "$LBT_PASSWORD\\n" -- \
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && exec su lbt-plain -c "$2"' \
	sh "$STOCK/common-session" "$STOCK/su-inner.sh" 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "su from lbt-plain with LD_PRELOAD set: lands in the box"
t_unlike "$out" '@@DANGER' "su from lbt-plain with LD_PRELOAD set: it does not reach the box's command"
no_host_marker "su from lbt-plain with LD_PRELOAD set: nothing runs as lbt-alice on the host"
# util-linux's --session-command takes a value: the -s after it is su's.
cat >"$STOCK/evil" <<'EOE'
#!/bin/sh
echo "@@EVIL=$(hostname)@@"
EOE
chmod 755 "$STOCK/evil"
out=$(pty_run --expect '[Pp]assword: ?$' --send "$LBT_PASSWORD\\n" -- \
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && exec su lbt-plain -c "$2"' \
	sh "$STOCK/common-session" "su --session-command 'echo @@H=\$(hostname)@@' lbt-alice" 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "su --session-command CMD from lbt-plain: control: lands in the box"
out=$(pty_run --expect '[Pp]assword: ?$' --send "$LBT_PASSWORD\\n" -- \
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && exec su lbt-plain -c "$2"' \
	sh "$STOCK/common-session" "su --session-command -c -s $STOCK/evil lbt-alice" 2>&1)
t_unlike "$out" '@@EVIL=' "su --session-command -c -s EVIL: the other shell does not run"
t_like "$out" 'loginbox: .*su was asked for another shell' "su --session-command -c -s EVIL: refused with loginbox's message"

out=$(pty_run --expect "$PROMPT_RE" --send "$(marker_cmd H '$(hostname)')$(marker_cmd KEEP '${LBT_KEEP-unset}')exit\\n" -- \
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session && exec login -f lbt-alice' \
	sh "$STOCK/common-session" 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "stock login: lands in the box"
no_host_marker "stock login: nothing runs as lbt-alice on the host"

assert_no_leftovers "h_10: nothing of these sessions remains"
exit 0
