#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every entry of the host image's mask list (helper/box/mounts.c:
# mask_dirs, mask_files, the ssh host private keys), read as box root.
#
# In the host image box root owns what host root owns (the lower layer is
# idmapped: uid 0 shows as box root), so the masks are all that keeps
# root-only secrets of / from box root.  No login gets box root on the
# host image (inside_uid = root needs a directory image, t_75), so the
# test makes the strongest process a box could ever hold: host root enters
# a live box's user, mount and pid namespaces as its uid 0 (box root, every
# capability of the box's user namespace, no seccomp) and reads every
# entry.  Positive control first: a root-only file of the host that is not
# on the list is readable by that process, so a missing mask would show.
# Entries this host lacks are made for the test (a secret inside each
# directory, a secret file) and removed after; existing files are never
# written, they are checked by content and by the mount on them.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/classic_lib.sh"
t_plan 39

reset_conf
W=$LBT_TMP/h90
mkdir -p "$W"
TAG=lbt-h90-$$
SRC=${LBT_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}/helper/box/mounts.c

# list ARRAY: the quoted entries of one array of mounts.c.
list() {
	sed -n "/^static const char \*const $1\[\] = {/,/};/p" "$SRC" |
		grep -o '"/[^"]*"' | tr -d '"'
}
DIRS=$(list mask_dirs)
FILES=$(list mask_files)
KEYS=$(ls /etc/ssh/ssh_host_*_key 2>/dev/null)
t_ge "$(printf '%s\n' $DIRS | grep -c .)" 10 "mounts.c: the directory mask list is read ($(echo $DIRS | wc -w) entries)"
t_ge "$(printf '%s\n' $FILES | grep -c .)" 10 "mounts.c: the file mask list is read ($(echo $FILES | wc -w) entries)"

# ---- fixtures: what this host lacks is made, everything is undone
: >"$W/made" # paths we created, removed deepest first
cleanup_h90() {
	tac "$W/made" 2>/dev/null | while read -r p; do
		if [ -d "$p" ] && [ ! -L "$p" ]; then rmdir "$p" 2>/dev/null; else rm -f "$p"; fi
	done
	: >"$W/made"
}
trap cleanup_h90 EXIT
mkdir_made() { # DIR: mkdir -p, recording each directory made
	local d=$1 todo=""
	while [ ! -e "$d" ]; do
		todo="$d $todo"
		d=$(dirname "$d")
	done
	for d in $todo; do
		mkdir -m 0755 "$d" && echo "$d" >>"$W/made"
	done
}
secret_file() { # PATH: a root-only file holding the secret
	printf 'LBT-SECRET-%s %s\n' "$TAG" "$1" >"$1" && chmod 0600 "$1" && echo "$1" >>"$W/made"
}
for d in $DIRS; do
	[ -L "$d" ] && continue
	[ -d "$d" ] || mkdir_made "$d"
	secret_file "$d/$TAG"
done
for f in $FILES; do
	[ -e "$f" ] || [ -L "$f" ] && continue
	mkdir_made "$(dirname "$f")"
	secret_file "$f"
done
# The control: root-only, not on the list.
secret_file "/etc/$TAG-control"

# The probe, run inside the box: the mount points of its mount namespace,
# then one R_KEY= line per entry (DATA:first line, EMPTY, LIST:names or
# the errno) and one M_KEY= line (yes: a mount sits on the path).
cat >"$W/probe.py" <<'PYEOF'
import errno, os, sys
mounts = set(l.split()[4].replace("\\040", " ") for l in open("/proc/self/mountinfo"))
def key(p):
    return "".join(c if c.isalnum() else "_" for c in p.strip("/"))
print("UID=%d" % os.getuid())
print("UIDMAP=" + " ".join(open("/proc/self/uid_map").read().split()))
print("CAPEFF=" + [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff:")][0])
for a in sys.argv[1:]:
    kind, p = a.split(":", 1)
    k = key(p)
    try:
        if kind == "d":
            r = "LIST:" + ",".join(sorted(os.listdir(p)))
        else:
            with open(p, "rb") as fh:
                d = fh.read(4096)
            r = ("DATA:" + d.split(b"\n")[0].decode(errors="replace")) if d else "EMPTY"
    except OSError as e:
        r = errno.errorcode.get(e.errno, str(e.errno))
    print("R_%s=%s" % (k, r))
    print("M_%s=%s" % (k, "yes" if p in mounts else "no"))
print("DONE=1")
PYEOF
AHOME=$(hc_home lbt-alice)
install -m 0644 "$W/probe.py" "$AHOME/.lbt-h90.py"
key() { printf '%s' "${1#/}" | sed 's/[^A-Za-z0-9]/_/g'; }

args=("f:/etc/$TAG-control")
for d in $DIRS; do [ -L "$d" ] || args+=("d:$d"); done
for f in $FILES $KEYS; do [ -L "$f" ] || args+=("f:$f"); done
# one line per entry of mounts.c (the plan counts them: 16 + 12), one for
# all ssh host keys (their number differs between hosts)

if hc_box_start lbt-alice; then
	A_SUB=$(awk '$1 == "lbt-alice" {print $2}' "$LBT_TMP/subids")
	# Box root: uid 0 of the box's user namespace, every capability in it.
	out=$(timeout -k 5 "$LBT_T" nsenter -t "$HC_INIT" -U -m -p -i -u -n -- \
		python3 "$AHOME/.lbt-h90.py" "${args[@]}" 2>&1)
	t_is "$(kv "$out" DONE)" 1 "box root: the probe ran in the box's namespaces"
	t_is "$(kv "$out" UID)" 0 "box root: control: the probe is uid 0 of the box"
	t_like "$(kv "$out" UIDMAP)" "^0 $A_SUB [0-9]+" "box root: control: uid 0 of the box is lbt-alice's first subordinate id $A_SUB (box root)"
	t_like "$(kv "$out" CAPEFF)" '^0*1?[f]{9,}$' "box root: control: it holds every capability of the box's user namespace ($(kv "$out" CAPEFF))"
	t_is "$(kv "$out" "R_$(key "/etc/$TAG-control")")" "DATA:LBT-SECRET-$TAG /etc/$TAG-control" \
		"box root: control: a root-only host file not on the list (/etc/$TAG-control, 0600) is readable: box root owns what host root owns"
	# The same file is not readable by the user herself in the box.
	u=$(ssh_as lbt-alice "python3 $AHOME/.lbt-h90.py f:/etc/$TAG-control" 2>&1)
	t_is "$(kv "$u" "R_$(key "/etc/$TAG-control")")" EACCES "control: lbt-alice herself cannot read that file (EACCES)"
	for d in $DIRS; do
		k=$(key "$d")
		if [ -L "$d" ]; then
			tap_skip "box root: $d is masked" "a symlink on this host ($(readlink "$d")): reached through its target"
			continue
		fi
		r=$(kv "$out" "R_$k")
		m=$(kv "$out" "M_$k")
		if [ "$m" = yes ] && { [ "$r" = LIST: ] || [ "$r" = EACCES ]; } &&
			! printf '%s' "$r" | grep -q "$TAG"; then
			tap_ok "box root: directory $d is masked (a mount on it, read: $r)"
		else
			tap_fail "box root: directory $d is masked" "mount on it: $m" "read: $r" \
				"on the host it holds: $(ls "$d" | head -n 5 | tr '\n' ' ')"
		fi
	done
	bad=""
	for f in $KEYS; do
		r=$(kv "$out" "R_$(key "$f")")
		m=$(kv "$out" "M_$(key "$f")")
		[ "$m" = yes ] && { [ "$r" = EMPTY ] || [ "$r" = EACCES ]; } || bad="$bad $f(mount $m, read $r)"
	done
	if [ -n "$KEYS" ] && [ -z "$bad" ]; then
		tap_ok "box root: every ssh host private key is masked ($(echo $KEYS | wc -w): $(echo $KEYS))"
	else
		tap_fail "box root: every ssh host private key is masked" "keys on the host: '$KEYS'" "not masked:$bad"
	fi
	for f in $FILES; do
		k=$(key "$f")
		if [ -L "$f" ]; then
			tap_skip "box root: $f is masked" "a symlink on this host ($(readlink "$f")): reached through its target"
			continue
		fi
		r=$(kv "$out" "R_$k")
		m=$(kv "$out" "M_$k")
		host=$(head -c 4096 "$f" | head -n 1)
		if [ "$m" = yes ] && { [ "$r" = EMPTY ] || [ "$r" = EACCES ]; }; then
			tap_ok "box root: file $f is masked (a mount on it, read: $r; $(stat -c %s "$f") bytes on the host)"
		else
			tap_fail "box root: file $f is masked" "mount on it: $m" "read: $r" \
				"host's first line is ${#host} characters"
		fi
	done
	hc_box_stop
else
	tap_fail "box root: a login of lbt-alice that stays came up" "$(cat "$HC_OUT")"
fi
rm -f "$AHOME/.lbt-h90.py"
cleanup_h90
t_is "$(ls -d "/etc/$TAG-control" 2>&1 | grep -c "^/etc/$TAG")" 0 "the fixtures are removed from the host"
assert_no_leftovers "masks as box root: nothing of the session remains"
exit 0
