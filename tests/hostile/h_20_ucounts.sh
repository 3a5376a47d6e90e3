#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A boxed user exhausts per-uid kernel counts (inotify instances, nested
# user namespaces) from inside its box.  The kernel charges them to the
# owner of the box's user namespace in the host's namespace (inc_ucount
# walks up the namespace tree): that owner is the user's first subordinate
# uid, so root's tools and other users' logins are untouched, and the
# user's own boxes share one quota.
set -u
. "$(dirname "$0")/../integration/lib.sh"

W=$LBT_TMP/h20
mkdir -p "$W"
chmod 755 "$W"
reset_conf

ALICE_SUB=$(awk '$1 == "lbt-alice" {print $2; exit}' "$LBT_TMP/subids")
INOTIFY_MAX=$(cat /proc/sys/fs/inotify/max_user_instances)

# inotify_hog N: python3 that makes up to N inotify instances, prints
# GOT=count ERR=errno-name, then keeps them open for 60 s (HOLD=0: exits).
INOTIFY_HOG='import ctypes, errno, sys, time
libc = ctypes.CDLL(None, use_errno=True)
fds, err = [], 0
while len(fds) < int(sys.argv[1]):
    fd = libc.inotify_init1(0)
    if fd < 0:
        err = ctypes.get_errno()
        break
    fds.append(fd)
print("GOT=%d ERR=%s" % (len(fds), errno.errorcode.get(err, "none")), flush=True)
if sys.argv[2] == "hold":
    time.sleep(60)'
printf '%s\n' "$INOTIFY_HOG" >"$W/hog.py"
# nested user namespaces, held by fds, until the kernel refuses
gcc -O2 -Wall -o "$W/nestns" "$(dirname "$0")/h_20_nestns.c" 2>"$W/cc.err" || diag "cc: $(cat "$W/cc.err")"
chmod 644 "$W/hog.py"
cp "$W/hog.py" /home/lbt-alice/lbt-hog.py
cp "$W/hog.py" /home/lbt-bob/lbt-hog.py
cp "$W/nestns" /home/lbt-alice/lbt-nestns
chmod 644 /home/lbt-alice/lbt-hog.py /home/lbt-bob/lbt-hog.py
chmod 755 /home/lbt-alice/lbt-nestns

# ---- inotify instances
if bg_session lbt-alice hog 'echo IN=$(hostname); python3 ~/lbt-hog.py 100000 hold'; then
	bg_wait hog ^GOT= 20
	out=$(cat "$W/hog.out")
	t_is "$(kv "$out" IN)" lbt-alice-box "inotify: the hog runs inside lbt-alice's box"
	init=$(session_field "$SID" init_pid)
	t_is "$(ns_owner "$init")" "$ALICE_SUB" "inotify: the box's user namespace is owned by lbt-alice's first subuid ($ALICE_SUB)"
	got=$(printf '%s\n' "$out" | sed -n 's/^GOT=\([0-9]*\) .*/\1/p')
	t_like "$out" "^GOT=[0-9]+ ERR=EMFILE\$" "inotify: the box runs out (positive control: $got instances, then EMFILE)"
	if [ -n "$got" ] && [ "$got" -ge 1 ] && [ "$got" -le "$INOTIFY_MAX" ]; then
		tap_ok "inotify: the box's instances are capped by fs.inotify.max_user_instances ($got <= $INOTIFY_MAX)"
	else
		tap_fail "inotify: the box's instances are capped by fs.inotify.max_user_instances" "got '$got', limit $INOTIFY_MAX"
	fi
	# root on the host, while the box holds all of its instances
	out=$(python3 "$W/hog.py" 5 exit 2>&1)
	t_is "$out" "GOT=5 ERR=none" "inotify: root on the host still creates instances while the box holds $got"
	# the same user's second box shares the quota (one owner per user)
	out=$(ssh_as lbt-alice 'echo "@@IN@@$(hostname)"; python3 ~/lbt-hog.py 5 exit' 2>&1)
	t_like "$out" '@@IN@@lbt-alice-box' "inotify: lbt-alice's second login still works"
	t_like "$out" '^GOT=0 ERR=EMFILE' "inotify: lbt-alice's second box shares her quota (0 instances left)"
	# another boxed user: login and instances of its own
	out=$(ssh_as lbt-bob 'echo "@@IN@@$(hostname)"; python3 ~/lbt-hog.py 5 exit' 2>&1)
	t_like "$out" '@@IN@@lbt-bob-box' "inotify: lbt-bob logs in while lbt-alice's box holds all of hers"
	t_like "$out" '^GOT=5 ERR=none' "inotify: lbt-bob creates instances in his box"
	# and a host user who is not boxed
	out=$(su_c_as lbt-plain "python3 $W/hog.py 5 exit" 2>&1)
	t_is "$out" "GOT=5 ERR=none" "inotify: an unboxed user on the host creates instances"
	stop_pid "$BG_PID"
else
	tap_fail "inotify: a background login of lbt-alice" "no session"
fi
assert_no_leftovers "inotify: nothing remains"
out=$(ssh_as lbt-alice 'python3 ~/lbt-hog.py 5 exit' 2>&1)
t_like "$out" '^GOT=5 ERR=none' "inotify: once the hog's box is gone, lbt-alice's quota is back"

# ---- nested user namespaces (only where the policy lets a box make them)
nested_conf() {
	base_conf
	# the key exists once nested user namespaces are a policy of their own
	if [ "$NESTED_KEY" = yes ]; then
		printf '[user.lbt-alice]\nnested_userns = yes\n[user.lbt-bob]\nnested_userns = yes\n'
	fi
}
printf '[group.lbt-boxed]\nnested_userns = yes\n' >"$W/probe.conf"
if "$LB_ADMIN" check "$W/probe.conf" >"$W/probe.out" 2>&1; then NESTED_KEY=yes; else NESTED_KEY=no; fi
nested_conf | write_conf
out=$(ssh_as lbt-alice 'unshare -U true && echo "@@NESTED@@ok"' 2>&1)
if ! printf '%s' "$out" | grep -q '@@NESTED@@ok'; then
	tap_skip "nested user namespaces: exhausted from a box" \
		"this box cannot make nested user namespaces (nested_userns key known: $NESTED_KEY): tested via inotify only"
else
	NS_MAX=$(cat /proc/sys/user/max_user_namespaces)
	if LBT_T=120 bg_session lbt-alice nest 'echo IN=$(hostname); ~/lbt-nestns 1000000 100'; then
		for i in $(seq 1 600); do grep -q '^NEST=' "$W/nest.out" && break; sleep 0.1; done
		out=$(cat "$W/nest.out")
		n=$(printf '%s\n' "$out" | sed -n 's/^NEST=\([0-9]*\) .*/\1/p')
		t_like "$out" '^NEST=[0-9]+ ERR=ENOSPC$' "nested user namespaces: the box runs out (positive control: $n made, then ENOSPC; user.max_user_namespaces = $NS_MAX)"
		out=$(unshare -U sh -c 'echo ROOT=ok' 2>&1)
		t_is "$(kv "$out" ROOT)" ok "nested user namespaces: root on the host still creates one"
		out=$(ssh_as lbt-bob 'echo "@@IN@@$(hostname)"; unshare -U true && echo "B=ok"' 2>&1)
		t_like "$out" '@@IN@@lbt-bob-box' "nested user namespaces: lbt-bob logs in meanwhile"
		t_is "$(kv "$out" B)" ok "nested user namespaces: lbt-bob makes one in his box"
		# the quota is the user's own: she can only starve herself
		out=$(ssh_as lbt-alice 'echo "@@RAN@@"' 2>&1)
		t_unlike "$out" '@@RAN@@' "nested user namespaces: lbt-alice's own next box cannot be made (her quota is used up)"
		t_like "$out" 'owned by '"$(awk '$1 == "lbt-alice" {print $2; exit}' "$LBT_TMP/subids")"'.*No space left' \
			"nested user namespaces: and she is told why"
		stop_pid "$BG_PID"
	else
		tap_fail "nested user namespaces: a background login of lbt-alice" "no session"
	fi
fi
reset_conf
rm -f /home/lbt-alice/lbt-hog.py /home/lbt-bob/lbt-hog.py /home/lbt-alice/lbt-nestns
assert_no_leftovers "nested user namespaces: nothing remains"
exit 0
