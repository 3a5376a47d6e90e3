#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ssh into a box: commands (status, stdout/stderr, stdin), a pty with its
# window size, an interactive login shell, scp, sftp, rsync, two
# concurrent logins, and an unboxed user who logs in normally.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 42

W=$LBT_TMP/t20
mkdir -p "$W"
HOST_HOSTNAME=$(hostname)
HOST_PIDNS=$(readlink /proc/self/ns/pid)
AHOME=$(getent passwd lbt-alice | cut -d: -f6)

# ---- ssh CMD
ssh_as lbt-alice 'echo to-stdout; echo to-stderr >&2; exit 3' >"$W/out" 2>"$W/err"
rc=$?
t_is "$rc" 3 "ssh CMD: the command's exit status (3) reaches the client"
t_is "$(cat "$W/out")" "to-stdout" "ssh CMD: stdout holds only what went to stdout"
t_is "$(cat "$W/err")" "to-stderr" "ssh CMD: stderr holds only what went to stderr"

out=$(ssh_as lbt-alice 'hostname; cat /proc/1/comm; echo "S=$LOGINBOX_SESSION"' 2>&1)
t_like "$out" '^lbt-alice-box$' "ssh CMD: runs in the box (hostname lbt-alice-box)"
t_like "$out" '^loginbox-init$' "ssh CMD: PID 1 of its pid namespace is loginbox-init"
t_like "$out" '^S=[0-9]+$' "ssh CMD: LOGINBOX_SESSION is set to a session id"

out=$(printf 'hello box\n' | ssh_as lbt-alice 'tr a-z A-Z' 2>&1)
t_is "$out" "HELLO BOX" "ssh CMD: stdin is piped through to the command"

head -c 2000000 /dev/urandom >"$W/big"
want=$(sha256sum <"$W/big" | cut -d' ' -f1)
got=$(ssh_as lbt-alice 'sha256sum' <"$W/big" 2>&1 | cut -d' ' -f1)
t_is "$got" "$want" "ssh CMD: 2 MB of stdin arrive intact (sha256)"
got=$(ssh_as lbt-alice 'head -c 2000000 /dev/zero' 2>/dev/null | wc -c)
t_is "$got" 2000000 "ssh CMD: 2 MB of stdout arrive intact"

out=$(ssh_as lbt-alice 'kill -TERM $$' 2>&1)
rc=$?
t_isnt "$rc" 0 "ssh CMD: a command killed by a signal is not reported as success"

# ---- pty: ssh -tt with a window size set on the client's terminal
out=$(pty_run --rows 33 --cols 111 -- ssh -tt "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 \
	't=$(tty); echo "TTY=$t"; echo "SIZE=$(stty size)"; test -c "$t" && echo "EXISTS=yes"; echo "PID1=$(cat /proc/1/comm)"' 2>&1)
rc=$?
t_is "$rc" 0 "ssh -tt CMD: exits 0"
t_like "$(kv "$out" TTY)" '^/dev/pts/[0-9]+$' "ssh -tt: tty names a /dev/pts/N"
t_is "$(kv "$out" EXISTS)" yes "ssh -tt: that /dev/pts/N exists inside the box"
t_is "$(kv "$out" SIZE)" "33 111" "ssh -tt: stty size is the client's window size (33 111)"
t_is "$(kv "$out" PID1)" loginbox-init "ssh -tt: the command runs in the box"

# ---- interactive login shell
out=$(pty_run --rows 40 --cols 100 --expect "$PROMPT_RE" \
	--send "$(marker_cmd H '$(hostname)')$(marker_cmd T '$(tty)')$(marker_cmd SZ '$(stty size)')$(marker_cmd L '$0')exit\\n" \
	-- ssh -tt "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 2>&1)
rc=$?
t_is "$rc" 0 "ssh interactive: the login shell exits 0 on exit"
t_is "$(marker "$out" H)" lbt-alice-box "ssh interactive: the shell runs in the box"
t_like "$(marker "$out" T)" '^/dev/pts/[0-9]+$' "ssh interactive: the shell has a pty"
t_is "$(marker "$out" SZ)" "40 100" "ssh interactive: the pty has the client's size (40 100)"
t_is "$(marker "$out" L)" "-bash" "ssh interactive: the shell is a login shell (-bash)"

out=$(pty_run --rows 40 --cols 100 --expect "$PROMPT_RE" \
	--send "$(marker_cmd SZ1 '$(stty size)')" --expect '@@SZ1=' \
	--winsize 50 132 --send "i=0; while [ \"\$(stty size)\" != '50 132' ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done\\n$(marker_cmd SZ2 '$(stty size)')exit\\n" \
	-- ssh -tt "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 2>&1)
t_is "$(marker "$out" SZ2)" "50 132" "ssh interactive: a window resize (SIGWINCH) reaches the box's pty"

# ---- scp both ways (SFTP protocol, the default, and the legacy one)
head -c 300000 /dev/urandom >"$W/f1"
rm -f "$AHOME/up.sftp" "$AHOME/up.scp"
timeout -k 5 "$LBT_T" scp "${SCP_OPTS[@]}" "$W/f1" lbt-alice@127.0.0.1:up.sftp >"$W/scp.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$W/f1" "$AHOME/up.sftp"; then
	tap_ok "scp upload: the file lands intact in the real home"
else
	tap_fail "scp upload: the file lands intact in the real home" "status $rc" "$(cat "$W/scp.log")"
fi
t_is "$(stat -c %U "$AHOME/up.sftp" 2>&1)" lbt-alice "scp upload: the host sees the file owned by the user"
timeout -k 5 "$LBT_T" scp "${SCP_OPTS[@]}" lbt-alice@127.0.0.1:up.sftp "$W/f1.down" >"$W/scp.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$W/f1" "$W/f1.down"; then
	tap_ok "scp download: the file arrives intact"
else
	tap_fail "scp download: the file arrives intact" "status $rc" "$(cat "$W/scp.log")"
fi
timeout -k 5 "$LBT_T" scp -O "${SCP_OPTS[@]}" "$W/f1" lbt-alice@127.0.0.1:up.scp >"$W/scp.log" 2>&1 &&
	timeout -k 5 "$LBT_T" scp -O "${SCP_OPTS[@]}" lbt-alice@127.0.0.1:up.scp "$W/f1.down2" >>"$W/scp.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$W/f1" "$AHOME/up.scp" && cmp -s "$W/f1" "$W/f1.down2"; then
	tap_ok "scp -O (legacy protocol): upload and download intact"
else
	tap_fail "scp -O (legacy protocol): upload and download intact" "status $rc" "$(cat "$W/scp.log")"
fi

# ---- sftp
rm -f "$AHOME/sf1" "$W/sf1.back"
printf 'put %s sf1\nget sf1 %s\nls -1 /home\n' "$W/f1" "$W/sf1.back" >"$W/batch"
out=$(timeout -k 5 "$LBT_T" sftp "${SCP_OPTS[@]}" -b "$W/batch" lbt-alice@127.0.0.1 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$W/f1" "$AHOME/sf1" && cmp -s "$W/f1" "$W/sf1.back"; then
	tap_ok "sftp: put and get are intact"
else
	tap_fail "sftp: put and get are intact" "status $rc" "$out"
fi
homes=$(printf '%s\n' "$out" | grep '^/home/' | sort | tr '\n' ' ')
t_is "$homes" "/home/lbt-alice " "sftp: the sftp-server runs in the box (/home shows only the user's home)"

# ---- rsync over ssh
rm -rf "$W/rs" "$AHOME/rsdir"
mkdir -p "$W/rs/sub"
echo alpha >"$W/rs/a"
head -c 100000 /dev/urandom >"$W/rs/sub/b"
out=$(timeout -k 5 "$LBT_T" rsync -a -e "$SSH_CMDLINE" "$W/rs/" lbt-alice@127.0.0.1:rsdir/ 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && diff -r "$W/rs" "$AHOME/rsdir" >/dev/null; then
	tap_ok "rsync over ssh: a tree is copied into the box's home"
else
	tap_fail "rsync over ssh: a tree is copied into the box's home" "status $rc" "$out"
fi
rm -rf "$W/rs.back"
out=$(timeout -k 5 "$LBT_T" rsync -a -e "$SSH_CMDLINE" lbt-alice@127.0.0.1:rsdir/ "$W/rs.back/" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && diff -r "$W/rs" "$W/rs.back" >/dev/null; then
	tap_ok "rsync over ssh: and back out again"
else
	tap_fail "rsync over ssh: and back out again" "status $rc" "$out"
fi

# ---- two concurrent logins of one user: two boxes
{ base_conf; printf '[user.lbt-alice]\nhostname = %%u-s%%s\n'; } | write_conf
# Each login starts a "sleep", says READY and waits until the host has
# seen both READY (both logins live at once), then counts the sleeps it
# can see (comm, not args: a forked bash shows its parent's args until it
# execs) and ends its own.
unrelease_login lbt-alice conc
probe='echo "S=$LOGINBOX_SESSION"; echo "H=$(hostname)"; echo "P=$(readlink /proc/self/ns/pid)"; echo "N=$(readlink /proc/self/ns/net)"; sleep 60 & sp=$!; echo READY; i=0; while [ ! -e '"$AHOME"'/.lbt-go-conc ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; echo "SLEEPS=$(ps -e -o comm= | grep -cx sleep)"; kill $sp; wait'
ssh_as lbt-alice "$probe" >"$W/c1" 2>&1 &
p1=$!
ssh_as lbt-alice "$probe" >"$W/c2" 2>&1 &
p2=$!
for i in $(seq 1 200); do
	grep -qx READY "$W/c1" && grep -qx READY "$W/c2" && break
	sleep 0.1
done
t_check "concurrent logins: both are live at the same time (both said READY)" \
	sh -c 'grep -qx READY "$1" && grep -qx READY "$2"' sh "$W/c1" "$W/c2"
release_login lbt-alice conc
wait "$p1"
r1=$?
wait "$p2"
r2=$?
unrelease_login lbt-alice conc
c1=$(cat "$W/c1")
c2=$(cat "$W/c2")
if [ "$r1" -eq 0 ] && [ "$r2" -eq 0 ]; then
	tap_ok "concurrent logins: both succeed"
else
	tap_fail "concurrent logins: both succeed" "status $r1 and $r2" "$c1" "$c2"
fi
s1=$(kv "$c1" S)
s2=$(kv "$c2" S)
if [ -n "$s1" ] && [ -n "$s2" ] && [ "$s1" != "$s2" ]; then
	tap_ok "concurrent logins: two different session ids ($s1, $s2)"
else
	tap_fail "concurrent logins: two different session ids" "got '$s1' and '$s2'"
fi
t_is "$(kv "$c1" H)" "lbt-alice-s$s1" "concurrent logins: hostname template %s gives the session id (1st)"
t_is "$(kv "$c2" H)" "lbt-alice-s$s2" "concurrent logins: hostname template %s gives the session id (2nd)"
t_isnt "$(kv "$c1" P)" "$(kv "$c2" P)" "concurrent logins: different pid namespaces"
t_isnt "$(kv "$c1" N)" "$(kv "$c2" N)" "concurrent logins: different network namespaces"
t_is "$(kv "$c1" SLEEPS) $(kv "$c2" SLEEPS)" "1 1" "concurrent logins: each box sees only its own login's processes"
reset_conf

# ---- an unboxed user logs in normally
out=$(ssh_as lbt-plain 'echo "H=$(hostname)"; echo "S=${LOGINBOX_SESSION-unset}"; echo "P=$(readlink /proc/self/ns/pid)"; echo "SH=$0"; exit 5' 2>&1)
rc=$?
t_is "$rc" 5 "unboxed user: ssh CMD runs, status preserved"
t_is "$(kv "$out" H)" "$HOST_HOSTNAME" "unboxed user: hostname is the host's"
t_is "$(kv "$out" S)" unset "unboxed user: no LOGINBOX_SESSION"
t_is "$(kv "$out" P)" "$HOST_PIDNS" "unboxed user: the host's pid namespace"

assert_no_leftovers "ssh: nothing of these sessions remains after logout"
exit 0
