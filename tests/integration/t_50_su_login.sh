#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# su and login put a boxed user in a box: su - USER, su USER -c CMD from
# root and from another (unboxed) user with the password, su on a pty that
# a boxed process cannot type into (TIOCSTI/TIOCLINUX), console login.
# The PAM stacks are bound over /etc/pam.d/{su,login} in a private mount
# namespace only.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 41

W=$LBT_TMP/t50
mkdir -p "$W"
HOST_HOSTNAME=$(hostname)
AHOME=$(getent passwd lbt-alice | cut -d: -f6)
TAG=lbt$$

# ---- su - USER -c CMD from root
out=$(su_as lbt-alice 'echo "H=$(hostname)"; echo "P=$(cat /proc/1/comm)"; echo "U=$(id -un)"; echo "HOME=$HOME"; echo "PWD=$(pwd)"; echo "S=$LOGINBOX_SESSION"; exit 4' 2>&1)
rc=$?
t_is "$rc" 4 "su - USER -c: the command's exit status (4) is returned"
t_is "$(kv "$out" H)" lbt-alice-box "su - USER -c: runs in the box (hostname)"
t_is "$(kv "$out" P)" loginbox-init "su - USER -c: PID 1 is loginbox-init"
t_is "$(kv "$out" U)" lbt-alice "su - USER -c: runs as the user"
t_is "$(kv "$out" PWD)" "$AHOME" "su - USER -c: a login starts in the home"
t_like "$(kv "$out" S)" '^[0-9]+$' "su - USER -c: LOGINBOX_SESSION is set"

# ---- su USER -c CMD (no login) from root, with stdin
out=$(printf 'through su\n' | su_c_as lbt-alice 'echo "H=$(hostname)"; echo "IN=$(cat)"; exit 5' 2>&1)
rc=$?
t_is "$rc" 5 "su USER -c: the command's exit status (5) is returned"
t_is "$(kv "$out" H)" lbt-alice-box "su USER -c: runs in the box"
t_is "$(kv "$out" IN)" "through su" "su USER -c: stdin reaches the command"

# ---- su to an unboxed user stays on the host
out=$(su_as lbt-plain 'echo "H=$(hostname)"; echo "S=${LOGINBOX_SESSION-unset}"' 2>&1)
t_is "$(kv "$out" H)" "$HOST_HOSTNAME" "su - unboxed user: stays on the host"
t_is "$(kv "$out" S)" unset "su - unboxed user: no LOGINBOX_SESSION"

# ---- su from another (unboxed) user, with the password on a pty
out=$(pty_run --expect '[Pp]assword: ?$' --send "$LBT_PASSWORD\\n" -- \
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su lbt-plain -c "su lbt-alice -c '\''echo @@H=\$(hostname)@@; echo @@P=\$(cat /proc/1/comm)@@; echo @@U=\$(id -un)@@; exit 6'\''"' \
	sh "$LBT_TMP/pam-su" 2>&1)
rc=$?
t_is "$rc" 6 "su from lbt-plain with the password: the command's status (6) is returned"
t_is "$(marker "$out" H)" lbt-alice-box "su from lbt-plain with the password: lands in the box"
t_is "$(marker "$out" P)" loginbox-init "su from lbt-plain with the password: PID 1 is loginbox-init"
t_is "$(marker "$out" U)" lbt-alice "su from lbt-plain with the password: runs as lbt-alice"
out=$(pty_run --expect '[Pp]assword: ?$' --send "wrong-$LBT_PASSWORD\\n" -- \
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su lbt-plain -c "su lbt-alice -c \"echo @@RAN@@\""' \
	sh "$LBT_TMP/pam-su" 2>&1)
rc=$?
t_refused "su from lbt-plain with a wrong password: refused by su's authentication" \
	"$rc" "$out" 1 '^su: Authentication failure' '@@RAN@@'


# ---- su from lbt-plain asking for another shell or the caller's environment
# (-s, --shell, -m, -p, options after the user name): such a shell would run
# outside the box, so it must be refused (or end up in the box anyway).
# setup_users lists loginbox-shell in /etc/shells, as a packaged install does.
for args in "-s /bin/bash" "--shell=/bin/sh" "-m" "-p" "--preserve-environment" "SWAP -s /bin/bash"; do
	case $args in
	SWAP*) cmdline="su lbt-alice ${args#SWAP } -c 'echo @@H=\$(hostname)@@'" ;;
	*) cmdline="su $args lbt-alice -c 'echo @@H=\$(hostname)@@'" ;;
	esac
	out=$(pty_run --expect '[Pp]assword: ?$' --send "$LBT_PASSWORD\\n" -- \
		unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su lbt-plain -c "$2"' \
		sh "$LBT_TMP/pam-su" "$cmdline" 2>&1)
	rc=$?
	# su itself fails (status 1) with the module's refusal; the password
	# prompt in the output proves su got that far.
	if ! printf '%s' "$out" | grep -Eq '[Pp]assword: ?'; then
		tap_fail "su from lbt-plain: '${cmdline%% -c *}' is refused by loginbox" "su never asked for the password" "$out"
	else
		t_refused "su from lbt-plain: '${cmdline%% -c *}' is refused by loginbox, no shell outside the box" \
			"$rc" "$out" 1 'loginbox: user lbt-alice is boxed .*(-s, -m, -p)' '@@H='
	fi
done

# ---- su - USER on a pty: the box has its own pty; TIOCSTI/TIOCLINUX are denied
cat >"$AHOME/lbt-tiocsti.py" <<'EOF'
# Try to type "echo INJECTED-TAG" into the terminal on fd 0, and TIOCLINUX.
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
def ioctl(name, req, data):
    buf = ctypes.create_string_buffer(data)
    for i in range(len(data)):
        r = libc.syscall(ctypes.c_long(16), ctypes.c_long(0), ctypes.c_ulong(req),
                         ctypes.c_void_p(ctypes.addressof(buf) + i))
        if r < 0:
            e = ctypes.get_errno()
            print("@@%s=%s@@" % (name, errno.errorcode.get(e, e)))
            return
        if name == "TIOCLINUX":
            break
    print("@@%s=OK@@" % name)
line = b"echo INJECTED-" + sys.argv[1].encode() + b"\n"
ioctl("TIOCSTI", 0x5412, line)
ioctl("TIOCSTI_HIGHBITS", 0x5412 | (1 << 32), line)
ioctl("TIOCLINUX", 0x541C, b"\x03")
EOF
chmod 644 "$AHOME/lbt-tiocsti.py"

# su_pty_tiocsti KEY: run the script in "su - lbt-alice" on a pty; after su
# returns, the caller (bash) reads its terminal for 2 s: anything the box
# typed into the caller's terminal would show up there.
su_pty_tiocsti() {
	pty_run --expect "$PROMPT_RE" \
		--send "$(marker_cmd TTY '$(tty)')python3 ~/lbt-tiocsti.py $1; exit\\n" -- \
		unshare -m bash -c 'mount --bind "$1" /etc/pam.d/su && su - lbt-alice; echo "@@SU_EXIT=$?@@"; if read -r -t 2 line; then echo "@@CALLER_READ=$line@@"; else echo "@@CALLER_READ=nothing@@"; fi' \
		sh "$LBT_TMP/pam-su" 2>&1
}
out=$(su_pty_tiocsti "$TAG-a")
t_is "$(marker "$out" SU_EXIT)" 0 "su - on a pty: the login shell runs and exits 0"
t_like "$(marker "$out" TTY)" '^/dev/pts/[0-9]+$' "su - on a pty: the box's shell has a pty of its own"
t_is "$(marker "$out" TIOCSTI)" EPERM "su - on a pty: TIOCSTI fails with EPERM inside"
t_is "$(marker "$out" TIOCSTI_HIGHBITS)" EPERM "su - on a pty: TIOCSTI with high bits set in the request fails with EPERM"
t_is "$(marker "$out" TIOCLINUX)" EPERM "su - on a pty: TIOCLINUX fails with EPERM inside"
t_is "$(marker "$out" CALLER_READ)" nothing "su - on a pty: nothing was typed into the caller's terminal"

# Without seccomp the fresh pty alone must keep the caller's terminal safe.
{ base_conf; printf '[user.lbt-alice]\nseccomp = none\n'; } | write_conf
out=$(su_pty_tiocsti "$TAG-b")
t_is "$(marker "$out" SU_EXIT)" 0 "su - on a pty, seccomp = none: the login works"
# Without the filter TIOCSTI may succeed (it types into the box's own pty)
# or the kernel refuses it (dev.tty.legacy_tiocsti = 0): either way it ran.
t_like "$(marker "$out" TIOCSTI)" '^(OK|EPERM|EIO)$' "su - on a pty, seccomp = none: the TIOCSTI probe ran ($(marker "$out" TIOCSTI))"
t_is "$(marker "$out" CALLER_READ)" nothing \
	"su - on a pty, seccomp = none: TIOCSTI still cannot type into the caller's terminal"
reset_conf
rm -f "$AHOME/lbt-tiocsti.py"

# ---- console login: login -f USER on a pty
out=$(login_as lbt-alice "$(marker_cmd H '$(hostname)')$(marker_cmd P '$(cat /proc/1/comm)')$(marker_cmd T '$(tty)')$(marker_cmd L '$0')$(marker_cmd S '$LOGINBOX_SESSION')exit\\n" 2>&1)
rc=$?
t_is "$rc" 0 "login -f: the console login session ends with status 0"
t_is "$(marker "$out" H)" lbt-alice-box "login -f: lands in the box (hostname)"
t_is "$(marker "$out" P)" loginbox-init "login -f: PID 1 is loginbox-init"
t_like "$(marker "$out" T)" '^/dev/pts/[0-9]+$' "login -f: the shell has a pty inside the box"
t_is "$(marker "$out" L)" -bash "login -f: the shell is a login shell"
t_like "$(marker "$out" S)" '^[0-9]+$' "login -f: LOGINBOX_SESSION is set"
[ "$rc" -ne 0 ] && diag "login output:" "$out"

out=$(login_as lbt-plain "$(marker_cmd H '$(hostname)')exit\\n" 2>&1)
t_is "$(marker "$out" H)" "$HOST_HOSTNAME" "login -f: an unboxed user's console login stays on the host"

# ---- a boxed user whose login shell is not loginbox-shell is refused
usermod -s /bin/bash lbt-bob
out=$(su_as lbt-bob 'echo "@@RAN@@ $(hostname)"' 2>&1)
rc=$?
usermod -s "$LB_SHELL" lbt-bob
if [ "$rc" -ne 0 ] && ! printf '%s' "$out" | grep -q '@@RAN@@'; then
	tap_ok "su - boxed user with /bin/bash as login shell: refused"
else
	tap_fail "su - boxed user with /bin/bash as login shell: refused" "status $rc" "$out"
fi
t_like "$out" 'login shell is /bin/bash' "su - boxed user with /bin/bash: the message names the wrong login shell"

assert_no_leftovers "su/login: nothing of these sessions remains after logout"
exit 0
