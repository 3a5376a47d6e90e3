#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# No terminal of the caller reaches a box.  `su - USER -c CMD </dev/null`
# from root's terminal used to hand root's terminal to the box on fds 1
# and 2 (reading root's keyboard, TIOCSTI, termios games); the same for
# `loginbox run`.  Every mix of terminal and non-terminal stdio is run from
# a real pty (pty_run.py); inside, a probe tells each fd's kind:
#   fifo | file | chr:MAJ:MIN (not a tty) | boxpty (a pty of the box's own
#   devpts) | HOSTTTY:MAJ:MIN (any other terminal: the failure)
# Then the box's init gets forged control messages with extra fds, fds of
# the wrong kind and truncated control data, from the user on the host: its
# fd table must not grow.
set -u
. "$(dirname "$0")/../integration/lib.sh"

W=$LBT_TMP/h45
mkdir -p "$W"
AHOME=$(getent passwd lbt-alice | cut -d: -f6)
PROBE=$AHOME/lbt-fdprobe.py
TAG=lbt$$

cat >"$PROBE" <<'EOF'
# Print the kind of fds 0-2, try TIOCSTI and a read on fd 1; then a
# marker on stdout and one on stderr, read a line of stdin, exit 7.
import ctypes, errno, os, stat, sys
libc = ctypes.CDLL(None, use_errno=True)
def kind(fd):
    try:
        st = os.fstat(fd)
    except OSError:
        return "closed"
    m = st.st_mode
    if stat.S_ISFIFO(m): return "fifo"
    if stat.S_ISSOCK(m): return "sock"
    if stat.S_ISREG(m): return "file"
    if stat.S_ISCHR(m):
        dev = "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        if not os.isatty(fd):
            return "chr:" + dev
        try:
            own = os.stat("/dev/pts/ptmx").st_dev == st.st_dev
        except OSError:
            own = False
        return "boxpty" if own else "HOSTTTY:" + dev
    return "other:%o" % stat.S_IFMT(m)
out = []
for fd in (0, 1, 2):
    out.append("@@FD%d=%s@@" % (fd, kind(fd)))
line = b"echo INJECTED-" + sys.argv[1].encode() + b"\n"
buf = ctypes.create_string_buffer(line)
for fd in (1, 2):
    r = libc.ioctl(fd, 0x5412, buf)  # TIOCSTI, first byte
    e = ctypes.get_errno()
    out.append("@@STI%d=%s@@" % (fd, "OK" if r == 0 else errno.errorcode.get(e, e)))
if os.isatty(1):
    out.append("@@READ1=TTY@@")  # would read the caller's keyboard
else:
    try:
        os.read(1, 1)
        out.append("@@READ1=OK@@")
    except OSError as e:
        out.append("@@READ1=%s@@" % errno.errorcode.get(e.errno, e.errno))
print("\n".join(out))
print("@@RAN=yes@@")
sys.stdout.flush()
sys.stderr.write("@@ERR=yes@@\n")
if not os.isatty(0):
    print("@@IN=%s@@" % sys.stdin.readline().strip())
sys.exit(7)
EOF
chmod 644 "$PROBE"

# on_pty SHELL-CMD: run bash -c SHELL-CMD on a fresh pty with the test PAM
# stack for su bound (private mount namespace).  After the command the
# caller reads its terminal for 1 s: what the box typed into it shows up.
on_pty() {
	pty_run -- unshare -m bash -c 'mount --bind "$1" /etc/pam.d/su && { '"$1"'; }; echo "@@RC=$?@@"; if read -r -t 1 line; then echo "@@CALLER_READ=$line@@"; else echo "@@CALLER_READ=nothing@@"; fi' \
		sh "$LBT_TMP/pam-su" 2>&1
}

# expect_relayed NAME OUT IN0 [IN]: the probe ran (status, markers through
# the caller's terminal), stdin was IN0's kind, stdout and stderr pipes.
expect_relayed() {
	local name=$1 out=$2 k0=$3
	t_is "$(marker "$out" RAN)" yes "$name: the command ran and its stdout reached the caller's terminal"
	t_is "$(marker "$out" ERR)" yes "$name: its stderr reached the caller's terminal"
	t_is "$(marker "$out" RC)" 7 "$name: its exit status (7) is returned"
	t_is "$(marker "$out" FD0)" "$k0" "$name: fd 0 in the box is $k0"
	t_is "$(marker "$out" FD1)" fifo "$name: fd 1 in the box is a pipe, not the caller's terminal"
	t_is "$(marker "$out" FD2)" fifo "$name: fd 2 in the box is a pipe, not the caller's terminal"
	t_is "$(marker "$out" STI1)" ENOTTY "$name: TIOCSTI on fd 1 is ENOTTY (not a terminal)"
	t_is "$(marker "$out" READ1)" EBADF "$name: fd 1 cannot be read (the caller's keyboard is not there)"
	t_is "$(marker "$out" CALLER_READ)" nothing "$name: nothing was typed into the caller's terminal"
	t_unlike "$out" 'HOSTTTY' "$name: no fd in the box is a terminal of the caller"
}

# seccomp = none: the fd itself must be safe, not only the TIOCSTI filter.
{ base_conf; printf '[user.lbt-alice]\nseccomp = none\n'; } | write_conf

# ---- su - USER -c CMD </dev/null: the case of the report
out=$(on_pty "su - lbt-alice -c 'python3 $PROBE $TAG-1' </dev/null")
expect_relayed "su - -c </dev/null on a pty" "$out" chr:1:3

# ---- stdin a pipe, stdout and stderr the terminal
out=$(on_pty "echo piped-in | su - lbt-alice -c 'python3 $PROBE $TAG-2'")
expect_relayed "su - -c with stdin a pipe on a pty" "$out" fifo
t_is "$(marker "$out" IN)" piped-in "su - -c with stdin a pipe on a pty: stdin reaches the command"

# ---- stdin /dev/null, stdout the terminal, stderr /dev/null: fd 2 goes as is
out=$(on_pty "su - lbt-alice -c 'python3 $PROBE $TAG-3' </dev/null 2>/dev/null")
t_is "$(marker "$out" RAN)" yes "su - -c </dev/null 2>/dev/null: the command ran"
t_is "$(marker "$out" FD1)" fifo "su - -c </dev/null 2>/dev/null: fd 1 is a pipe"
t_is "$(marker "$out" FD2)" chr:1:3 "su - -c </dev/null 2>/dev/null: fd 2 is the caller's /dev/null, as given"
t_unlike "$out" '@@ERR=' "su - -c </dev/null 2>/dev/null: stderr went to /dev/null"

# ---- stdin the terminal, stdout a file: the box gets a pty of its own
out=$(on_pty "su - lbt-alice -c 'python3 $PROBE $TAG-4' >$W/out4; cat $W/out4")
t_is "$(marker "$out" RAN)" yes "su - -c >file on a pty: the command ran, its output is in the file"
t_is "$(marker "$out" FD0)" boxpty "su - -c >file on a pty: fd 0 is a pty of the box's own devpts"
t_is "$(marker "$out" FD1)" boxpty "su - -c >file on a pty: fd 1 is that pty, not the caller's file"
t_is "$(marker "$out" CALLER_READ)" nothing "su - -c >file on a pty: nothing was typed into the caller's terminal"
t_unlike "$out" 'HOSTTTY' "su - -c >file on a pty: no fd in the box is a terminal of the caller"

# ---- loginbox run, stdin /dev/null, stdout/stderr the terminal
out=$(on_pty "$LB_ADMIN run -u lbt-alice -- python3 $PROBE $TAG-5 </dev/null")
expect_relayed "loginbox run </dev/null on a pty" "$out" chr:1:3

# ---- loginbox run, stdin the terminal, stdout a file
out=$(on_pty "$LB_ADMIN run -u lbt-alice -- python3 $PROBE $TAG-6 >$W/out6; cat $W/out6")
t_is "$(marker "$out" RAN)" yes "loginbox run >file on a pty: the command ran"
t_is "$(marker "$out" FD1)" boxpty "loginbox run >file on a pty: fd 1 is a pty of the box"
t_unlike "$out" 'HOSTTTY' "loginbox run >file on a pty: no fd in the box is a terminal of the caller"

# ---- closed stdin: the box gets /dev/null, never an fd the client opened
out=$(on_pty "$LB_ADMIN run -u lbt-alice -- python3 $PROBE $TAG-8 0<&-")
t_is "$(marker "$out" RAN)" yes "loginbox run 0<&- on a pty: the command ran"
t_is "$(marker "$out" FD0)" chr:1:3 "loginbox run 0<&- on a pty: fd 0 in the box is /dev/null"
out=$(on_pty "su - lbt-alice -c 'python3 $PROBE $TAG-9' 0<&-")
t_is "$(marker "$out" RAN)" yes "su - -c 0<&- on a pty: the command ran"
t_is "$(marker "$out" FD0)" chr:1:3 "su - -c 0<&- on a pty: fd 0 in the box is /dev/null"

# ---- the default policy (seccomp on) works the same
reset_conf
out=$(on_pty "su - lbt-alice -c 'python3 $PROBE $TAG-7' </dev/null")
t_is "$(marker "$out" RAN)" yes "su - -c </dev/null, default policy: the command ran"
t_is "$(marker "$out" FD1)" fifo "su - -c </dev/null, default policy: fd 1 is a pipe"
t_is "$(marker "$out" RC)" 7 "su - -c </dev/null, default policy: its exit status is returned"
t_unlike "$out" "INJECTED-$TAG" "no probe typed into any caller's terminal"
assert_no_leftovers "tty probes: nothing of these sessions remains"

# ---- init closes the fds of every message (forged by the user on the host)
cat >"$W/forge.py" <<'EOF'
import array, os, socket, struct, sys
path, rounds = sys.argv[1], int(sys.argv[2])
MAGIC = 0x4c42
def spawn(pty, argv):
    s = b"".join(a.encode() + b"\0" for a in argv)
    return struct.pack("=HHIIIHHII", MAGIC, 1, 28 + len(s), 3, pty, 0, 0,
                       len(argv), 0) + s
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.settimeout(10)
    return s
def send(s, msg, fds):
    s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                       array.array("i", fds))] if fds else [])
def reply(s):
    try:
        d = s.recv(2048)
    except socket.timeout:
        return "TIMEOUT"
    except OSError as e:
        return "CLOSED"
    if not d:
        return "CLOSED"
    t = struct.unpack("=HHI", d[:8])[1]
    if t == 5:
        return "ERROR:" + d[8:].split(b"\0")[0].decode()
    if t == 4:
        return "EXIT:%d" % struct.unpack("=i", d[8:12])
    return "TYPE%d" % t
r, w = os.pipe()
null = os.open("/dev/null", os.O_RDWR)
d = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
p = os.open("/", os.O_PATH)
m, sl = os.openpty()
res = {}
for i in range(rounds):
    cases = [("TWO", spawn(0, ["true"]), [r, w]),
             ("PTYFDS", spawn(1, ["true"]), [null, null, null]),
             ("TTY", spawn(0, ["true"]), [null, sl, null]),
             ("DIR", spawn(0, ["true"]), [null, d, null]),
             ("OPATH", spawn(0, ["true"]), [null, p, null]),
             ("FIVE", spawn(0, ["true"]), [null] * 5),
             ("CTRUNC", spawn(0, ["true"]), [null] * 40),
             ("EMPTY", b"", [null, null, null])]
    for name, msg, fds in cases:
        s = conn()
        send(s, msg, fds)
        res[name] = reply(s)
        s.close()
    # a signal message with fds, then a spawn on the same connection:
    # the answer shows the first one was read (and its fds dropped)
    s = conn()
    send(s, struct.pack("=HHIi", MAGIC, 3, 12, 0), [null, null, null])
    send(s, spawn(0, ["true"]), [])
    res["SIGNAL"] = reply(s)
    s.close()
# a good request still works: echo through a pipe, exit status back
s = conn()
send(s, spawn(0, ["echo", "forged-ok"]), [null, w, w])
res["GOOD"] = reply(s)
os.close(w)
res["GOOD_OUT"] = os.read(r, 100).decode().strip()
for k, v in res.items():
    print("@@%s=%s@@" % (k, v))
EOF
chmod 644 "$W/forge.py"

# A session that stays up until we create ~/lbt-h45-done (bounded).
rm -f "$AHOME/lbt-h45-done"
su_as lbt-alice 'echo @@UP@@; i=0; while [ ! -e ~/lbt-h45-done ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done' >"$W/hold" 2>&1 &
hold=$!
track_pid "$hold"
id=""
for i in $(seq 1 100); do
	grep -q '@@UP@@' "$W/hold" 2>/dev/null && id=$(for s in $(test_session_ids); do [ "$(session_field "$s" user)" = lbt-alice ] && echo "$s"; done | head -n 1)
	[ -n "$id" ] && break
	sleep 0.1
done
init=$( [ -n "$id" ] && session_field "$id" init_pid)
if [ -z "$id" ] || [ -z "$init" ] || [ ! -d "/proc/$init/fd" ]; then
	tap_fail "init fds: a live box of lbt-alice to talk to" "id '$id' init '$init'" "$(cat "$W/hold")"
else
	before=$(ls "/proc/$init/fd" | wc -l)
	out=$(timeout -k 5 "$LBT_T" setpriv --reuid="$(id -u lbt-alice)" --regid="$(id -g lbt-alice)" --clear-groups \
		/usr/bin/python3 "$W/forge.py" "$LB_RUN/$id/control" 3 2>&1)
	t_is "$(marker "$out" GOOD)" EXIT:0 "init fds: a well-formed request from the user runs (positive control)"
	t_is "$(marker "$out" GOOD_OUT)" forged-ok "init fds: its output came back through the user's pipe"
	t_like "$(marker "$out" TWO)" '^ERROR:.*with 2 fds \(direct mode takes 3\)' "init fds: 2 fds for a direct spawn are refused with a message"
	t_like "$(marker "$out" PTYFDS)" '^ERROR:.*with 3 fds \(pty mode takes 0\)' "init fds: fds with a pty spawn are refused"
	t_like "$(marker "$out" TTY)" '^ERROR:.*fd 1 .* is a terminal' "init fds: a terminal as stdout is refused"
	t_like "$(marker "$out" DIR)" '^ERROR:.*fd 1 .* is not a pipe, socket, file' "init fds: a directory fd is refused"
	t_like "$(marker "$out" OPATH)" '^ERROR:.*fd 1 .* O_PATH' "init fds: an O_PATH fd is refused"
	t_is "$(marker "$out" FIVE)" CLOSED "init fds: 5 fds: init drops the connection"
	t_is "$(marker "$out" CTRUNC)" CLOSED "init fds: 40 fds (truncated control data): init drops the connection"
	t_is "$(marker "$out" EMPTY)" CLOSED "init fds: an empty message with fds reads as a close"
	t_like "$(marker "$out" SIGNAL)" '^ERROR:.*with 0 fds' "init fds: a signal message with fds was read (the next request is answered)"
	after=""
	for i in $(seq 1 50); do
		after=$(ls "/proc/$init/fd" | wc -l)
		[ "$after" -le "$before" ] && break
		sleep 0.1
	done
	t_is "$after" "$before" "init fds: init's fd table did not grow (/proc/$init/fd: $before before, after 3 rounds)"
	[ -n "$(marker "$out" GOOD)" ] || diag "forge.py:" "$out"
fi
touch "$AHOME/lbt-h45-done"
wait "$hold"
rm -f "$AHOME/lbt-h45-done"
assert_no_leftovers "init fds: nothing of the session remains"

rm -f "$PROBE"
reset_conf
