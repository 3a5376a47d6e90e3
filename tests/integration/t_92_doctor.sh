#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `loginbox doctor` (loginbox(8)): on the test host made healthy in a
# private mount namespace (Debian's stock PAM stacks with the loginbox
# lines, the sshd drop-in written on a private tmpfs), every line read and
# the exit status as its lines warrant; then one thing broken at a time,
# each the admin's real mistake, with its own message and exit status: a
# subuid range overlapping another test user's (and a login really
# refused for it), loginbox-shell missing from /etc/shells, the drop-in
# removed, pam_mkhomedir after pam_loginbox, an image or a device a
# policy names missing (a login refused for each), limits = required on
# this host's cgroups, a foreign FORWARD drop for bridge networking, a store with the
# wrong mode; --json parses and says the same as the text.  And `loginbox
# check` no longer reports the host, it points at doctor.
# Nothing on the host changes but the config (reset) and, briefly, the
# store's mode (restored by the EXIT trap).
set -u
. "$(dirname "$0")/lib.sh"
STOCK=$LBT_TMP/t92
. "$(dirname "$0")/lib_stock.sh"
W=$STOCK
STORE=/var/lib/loginbox/store
STORE_MODE=
cleanup_t92() {
	[ -n "$STORE_MODE" ] && chmod "$STORE_MODE" "$STORE"
	reset_conf
	return 0
}
trap cleanup_t92 EXIT

stock_setup
reset_conf

# The healthy namespace: stock stacks with the module (and the scrub line
# sshd's stack needs), a private sshd_config.d with the drop-in written
# (NODROPIN=1: not written), then NS_BINDS ("SRC DST" pairs), then the
# command.
cat >"$W/ns.sh" <<'EOS'
set -u
lb=$1 stock=$2 binds=$3
shift 3
mount --bind "$stock/common-session" /etc/pam.d/common-session || exit 90
mount --bind "${SSHD_STACK:-$stock/sshd-scrub}" /etc/pam.d/sshd || exit 90
mount -t tmpfs -o mode=0755 tmpfs /etc/ssh/sshd_config.d || exit 90
[ "${NODROPIN:-0}" = 1 ] || "$lb" sshd-config --write >/dev/null || exit 90
set -- $binds -- "$@"
while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 90; shift 2; done
shift
exec "$@"
EOS
NS_BINDS=
# in_ns CMD...: CMD in the healthy namespace; OUT and RC.
in_ns() {
	OUT=$(unshare -m bash "$W/ns.sh" "$LB_ADMIN" "$STOCK" "$NS_BINDS" "$@" 2>&1)
	RC=$?
}
doctor() { in_ns "$LB_ADMIN" doctor "$@"; }

# The status the lines call for: 2 with an ERROR, 1 with a WARN, else 0.
want_rc() {
	if printf '%s\n' "$1" | grep -q '^ERROR '; then echo 2
	elif printf '%s\n' "$1" | grep -q '^WARN '; then echo 1
	else echo 0; fi
}
HYBRID=no
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || HYBRID=yes

# ---- a healthy host: every line read
doctor
BASE=$OUT BASE_RC=$RC
# (drop-ins an install left, e.g. make quickstart's, add files and sections)
t_like "$(printf '%s\n' "$BASE" | head -n 1)" '^OK  config: [0-9]+ files?, [0-9]+ sections$' "healthy: the config loads (its line is first)"
t_is "$(printf '%s\n' "$BASE" | grep -Ev '^(OK  [^:]+(: .*)?|(WARN|ERROR) [^:]+: .*)$')" "" \
	"healthy: every line is OK NAME[: what], or WARN/ERROR NAME: what"
for re in '^OK  user namespaces: user.max_user_namespaces = [1-9]' \
	'^OK  overlayfs: an overlay on a tmpfs mounts' \
	'^OK  user namespace probe: ' \
	'^OK  idmapped mounts \(the root filesystem, for image = host\): mount_setattr\(MOUNT_ATTR_IDMAP\) works' \
	'^OK  subordinate ids /etc/subuid: [0-9]+ ranges, none overlaps' \
	'^OK  subordinate ids /etc/subgid: [0-9]+ ranges, none overlaps' \
	'^OK  /etc/shells: lists /usr/sbin/loginbox-shell$' \
	'^OK  PAM sshd: pam_loginbox.so is required' \
	'^OK  PAM su: ' '^OK  PAM login: ' \
	'^OK  sshd drop-in: /etc/ssh/sshd_config.d/loginbox.conf is what the config asks for' \
	'^OK  sshd settings: ' \
	'^OK  image lbt-rootimg \[group.lbt-rootbox\]: directory /var/lib/loginbox/images/lbt-rootimg$' \
	'^OK  bridge networking: no policy uses network = bridge$' \
	'^OK  pasta networking: no policy uses network = pasta$'; do
	t_like "$BASE" "$re" "healthy: ${re#^}"
done
if [ -e /etc/ssh/sshrc ]; then
	tap_skip "healthy: /etc/ssh/sshrc absent" "the host has its own /etc/ssh/sshrc"
else
	t_like "$BASE" '^OK  /etc/ssh/sshrc: absent$' "healthy: /etc/ssh/sshrc absent"
fi
if [ "$HYBRID" = yes ]; then
	t_like "$BASE" '^WARN cgroup v2: hybrid host: the v2 tree is /sys/fs/cgroup/unified with controllers: none; .*not enforced; fix: boot with cgroup v2 only' \
		"healthy: this hybrid host's cgroups are a warning (limits not enforced)"
	t_is "$(printf '%s\n' "$BASE" | grep -Ev '^OK  ' | cut -d: -f1)" "WARN cgroup v2" \
		"healthy: the cgroup line is the only one that is not OK"
else
	t_like "$BASE" '^OK  cgroup v2: /sys/fs/cgroup' "healthy: cgroup v2 only"
fi
t_is "$BASE_RC" "$(want_rc "$BASE")" "healthy: exit status $BASE_RC is what the lines call for"

# ---- --json: parses and says the same as the text
# json_vs_text TEXT LABEL: doctor --json in the same namespace, compared
# with TEXT (a doctor run's output) check by check; JRC its status.
json_vs_text() {
	local out
	in_ns "$LB_ADMIN" doctor --json
	JRC=$RC
	printf '%s\n' "$OUT" >"$W/doctor.json"
	printf '%s\n' "$1" >"$W/doctor.txt"
	out=$(python3 - "$W/doctor.json" "$W/doctor.txt" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
text = [l for l in open(sys.argv[2]).read().splitlines() if l]
lines = []
for c in d["checks"]:
    assert set(c) == {"name", "status", "message", "fix"}, sorted(c)
    assert c["status"] in ("ok", "warn", "error"), c["status"]
    if c["status"] == "ok":
        lines.append("OK  " + c["name"] + (": " + c["message"] if c["message"] else ""))
    else:
        lines.append(c["status"].upper() + " " + c["name"] + ": " + c["message"] +
                     ("; fix: " + c["fix"] if c["fix"] else ""))
worst = max([{"ok": 0, "warn": 1, "error": 2}[c["status"]] for c in d["checks"]])
print("status=%s" % d["status"])
print("worst=%s" % ["ok", "warn", "error"][worst])
print("same=%s" % ("yes" if lines == text else "no: %r" % [(a, b) for a, b in zip(lines, text) if a != b][:3]))
print("n=%d" % len(d["checks"]))
EOF
)
	t_is "$(kv "$out" same)" yes "--json ($2): its checks, written as text lines, are the text output line for line"
	t_is "$(kv "$out" status)" "$(kv "$out" worst)" "--json ($2): status is the worst check's"
	t_is "$(kv "$out" n)" "$(printf '%s\n' "$1" | grep -c .)" "--json ($2): one check per text line"
}
json_vs_text "$BASE" healthy
t_is "$JRC" "$BASE_RC" "--json (healthy): the same exit status as the text"

# ---- a subuid range overlapping another test user's
alice=$(grep '^lbt-alice:' /etc/subuid | head -n 1)
astart=$(echo "$alice" | cut -d: -f2)
{ cat /etc/subuid; echo "lbt-plain:$((astart + 100)):1000"; } >"$W/subuid.overlap"
chmod 644 "$W/subuid.overlap"
NS_BINDS="$W/subuid.overlap /etc/subuid"
doctor
t_like "$OUT" "^ERROR subordinate ids /etc/subuid: /etc/subuid line [0-9]+: the range of lbt-alice \\($astart-$((astart + 65535))\\) overlaps the range of lbt-plain \\($((astart + 100))-$((astart + 1099)), line $(($(wc -l </etc/subuid) + 1))\\); a box cannot share its ids; fix: give every user a range of its own" \
	"subuid overlap: named with both owners, both ranges and the lines"
t_is "$(printf '%s\n' "$OUT" | grep -c '^ERROR subordinate ids /etc/subuid')" 1 "subuid overlap: the pair is reported once"
t_like "$OUT" '^OK  subordinate ids /etc/subgid: ' "subuid overlap: /etc/subgid is still OK"
t_is "$RC" 2 "subuid overlap: exit status 2"
in_ns "$LB_ADMIN" run -u lbt-alice -- /bin/echo @@RAN@@
t_unlike "$OUT" '@@RAN@@' "subuid overlap: lbt-alice's box is really refused (nothing ran)"
t_like "$OUT" 'overlaps the range of lbt-alice' "subuid overlap: the refusal is the same finding"
in_ns "$LB_ADMIN" run -u lbt-bob -- /bin/echo @@RAN@@
t_like "$OUT" '@@RAN@@' "subuid overlap: control: lbt-bob's box in the same namespace runs"
# a range over an account's uid
{ cat /etc/subuid; echo "lbt-t92:$(id -u lbt-plain):10"; } >"$W/subuid.acct"
chmod 644 "$W/subuid.acct"
NS_BINDS="$W/subuid.acct /etc/subuid"
doctor
t_like "$OUT" "^ERROR subordinate ids /etc/subuid: /etc/subuid: the range of lbt-t92 \\($(id -u lbt-plain)-[0-9]+\\) holds uid $(id -u lbt-plain) of lbt-plain \\(/etc/passwd line [0-9]+\\)" \
	"subuid over an account: the account and its line are named"
t_is "$RC" 2 "subuid over an account: exit status 2"
NS_BINDS=

# ---- loginbox-shell missing from /etc/shells
grep -vx "$LB_SHELL" /etc/shells >"$W/shells"
chmod 644 "$W/shells"
NS_BINDS="$W/shells /etc/shells"
doctor
NS_BINDS=
t_like "$OUT" '^WARN /etc/shells: /usr/sbin/loginbox-shell is not listed: chsh and services that check /etc/shells refuse boxed users; fix: add-shell /usr/sbin/loginbox-shell$' \
	"/etc/shells without loginbox-shell: a warning with its fix"
t_is "$RC" "$([ "$BASE_RC" -gt 1 ] && echo "$BASE_RC" || echo 1)" "/etc/shells without loginbox-shell: exit status 1 (warnings only)"

# ---- the drop-in removed
NODROPIN=1 doctor
t_like "$OUT" '^WARN sshd drop-in: /etc/ssh/sshd_config.d/loginbox.conf: missing \(sshd.s doors stay open for boxed users\); fix: loginbox sshd-config --write$' \
	"drop-in removed: a warning with its fix"
t_like "$OUT" '^WARN sshd settings: /etc/ssh/sshd_config: for boxed user lbt-alice \(\[group.lbt-boxed\]\) PermitUserRC yes' \
	"drop-in removed: sshd's PermitUserRC yes for a boxed user is named"
t_is "$RC" 1 "drop-in removed: exit status 1"
# a stale one
{ base_conf; printf '[user.lbt-bob]\nhostname = bob\n'; } >"$W/stale.conf"
chmod 644 "$W/stale.conf"
NS_BINDS="$W/stale.conf $LB_CONF" # bound after the drop-in was written
doctor
NS_BINDS=
t_like "$OUT" '^WARN sshd drop-in: /etc/ssh/sshd_config.d/loginbox.conf: out of date with the config, /etc/pam.d/sshd or sshd.s settings; fix: loginbox sshd-config --write$' \
	"drop-in older than the config: a warning"

# ---- pam_mkhomedir after pam_loginbox (home = bind needs the home first)
{ cat "$STOCK/sshd-scrub"; printf 'session optional pam_mkhomedir.so\n'; } >"$W/sshd-mkhome"
{ printf 'session optional pam_mkhomedir.so\n'; cat "$STOCK/sshd-scrub"; } >"$W/sshd-mkhome-first"
chmod 644 "$W"/sshd-mkhome*
SSHD_STACK=$W/sshd-mkhome doctor
t_like "$OUT" "^WARN PAM sshd: /etc/pam.d/sshd line $(wc -l <"$W/sshd-mkhome"): pam_mkhomedir.so runs after pam_loginbox.so \\(/etc/pam.d/common-session line [0-9]+\\): a new user's box is built before their home exists; fix: move the pam_mkhomedir.so line before" \
	"pam_mkhomedir after pam_loginbox: a warning naming both lines"
SSHD_STACK=$W/sshd-mkhome-first doctor
t_like "$OUT" '^OK  PAM sshd: ' "pam_mkhomedir before pam_loginbox: OK"

# ---- an image a policy names is missing
{ base_conf; printf '[user.lbt-bob]\nimage = lbt-t92-gone\nshell = /bin/sh\n'; } | write_conf
doctor
t_like "$OUT" '^ERROR image lbt-t92-gone \[user.lbt-bob\]: in neither the store nor /var/lib/loginbox/images/lbt-t92-gone \(No such file or directory\): logins of \[user.lbt-bob\] are refused; fix: loginbox image import lbt-t92-gone SOURCE, or create /var/lib/loginbox/images/lbt-t92-gone, or fix `image` in \[user.lbt-bob\] \(/etc/loginbox/loginbox.conf\)$' \
	"missing image: an error naming the section, file and fix"
t_like "$OUT" '^OK  image lbt-rootimg \[group.lbt-rootbox\]' "missing image: the other section's image is still OK"
t_is "$RC" 2 "missing image: exit status 2"
in_ns "$LB_ADMIN" run -u lbt-bob -- /bin/echo @@RAN@@
t_unlike "$OUT" '@@RAN@@' "missing image: lbt-bob's box is really refused"
t_like "$OUT" 'lbt-t92-gone' "missing image: the refusal names the image"

# ---- a device a policy names is missing (and one that is there)
{ base_conf; printf '[user.lbt-bob]\ndevices = /dev/lbt-t92-none, /dev/null\n'; } | write_conf
doctor
t_like "$OUT" '^ERROR device /dev/lbt-t92-none \[user.lbt-bob\]: missing: devices: device node /dev/lbt-t92-none is missing: No such file or directory.*; logins of that section are refused; fix: make the device available' \
	"missing device: an error naming the device, the section and why"
t_like "$OUT" '^OK  device /dev/null \[user.lbt-bob\]: \(1 node, 0 mounts, 0 variables\)$' "missing device: control: the device that is there is OK"
t_is "$RC" 2 "missing device: exit status 2"
in_ns "$LB_ADMIN" run -u lbt-bob -- /bin/echo @@RAN@@
t_unlike "$OUT" '@@RAN@@' "missing device: lbt-bob's box is really refused"
t_like "$OUT" '/dev/lbt-t92-none' "missing device: the refusal names the device"

# ---- limits = required on this host's cgroups
{ base_conf; printf '[user.lbt-bob]\nlimits = required\nmemory_max = 256M\npids_max = 100\n'; } | write_conf
doctor
if [ "$HYBRID" = yes ]; then
	t_like "$OUT" '^ERROR limits \[user.lbt-bob\]: limits = required and memory_max, pids_max need the memory pids controllers, which /sys/fs/cgroup/unified does not offer: its logins are refused; fix: boot with cgroup v2 only \(systemd.unified_cgroup_hierarchy=1\), or set limits = best-effort in \[user.lbt-bob\] \(/etc/loginbox/loginbox.conf\)$' \
		"limits = required on hybrid cgroups: an error with both fixes"
	t_is "$RC" 2 "limits = required on hybrid cgroups: exit status 2"
	json_vs_text "$OUT" "limits = required"
	t_is "$JRC" 2 "--json (limits = required): exit status 2, and status error"
	in_ns "$LB_ADMIN" run -u lbt-bob -- /bin/echo @@RAN@@
	t_unlike "$OUT" '@@RAN@@' "limits = required on hybrid cgroups: lbt-bob's box is really refused"
	t_like "$OUT" 'offers no memory pids +controller' "limits = required: the refusal says the same"
	{ base_conf; printf '[user.lbt-bob]\nlimits = best-effort\nmemory_max = 256M\n'; } | write_conf
	doctor
	t_like "$OUT" '^WARN limits \[user.lbt-bob\]: memory_max are not enforced: no memory controller in /sys/fs/cgroup/unified' \
		"limits = best-effort on hybrid cgroups: a warning"
	t_is "$RC" 1 "limits = best-effort on hybrid cgroups: exit status 1"
else
	t_like "$OUT" '^OK  limits \[user.lbt-bob\]: memory_max, pids_max enforced \(limits = required\)' \
		"limits = required with the controllers: OK"
fi
reset_conf

# ---- bridge networking: a foreign FORWARD drop (in a network namespace
# of its own: the host's ruleset is not touched)
{ base_conf | sed 's/^default = none$/default = none\nbridge_subnet = 10.203.0.0\/16/'
  printf '[user.lbt-bob]\nnetwork = bridge\n'; } | write_conf
in_ns unshare -n "$LB_ADMIN" doctor
t_like "$OUT" '^OK  bridge nftables: libnftables lists the ruleset$' "bridge: nftables answers"
t_like "$OUT" '^OK  bridge forwarding: no other table drops on the forward hook$' "bridge: control: no foreign drop, OK"
t_like "$OUT" '^OK  bridge ip_forward: ' "bridge: ip_forward is reported"
in_ns unshare -n sh -c 'nft add table ip filter && nft add chain ip filter FORWARD "{ type filter hook forward priority 0; policy drop; }" && exec "$1" doctor' sh "$LB_ADMIN"
t_like "$OUT" '^WARN bridge forwarding: table .ip filter. chain .FORWARD. drops forwarded packets \(policy drop\) \(iptables-nft: docker, ufw or a hand-made rule\): bridged boxes reach nothing beyond this host; fix: let the boxes. subnet through that chain, e.g. nft insert rule ip filter FORWARD ip saddr 10.203.0.0/16 accept' \
	"bridge: docker/ufw's FORWARD policy drop is found, with the rule that fixes it"
reset_conf

# ---- the store's mode
if [ -d "$STORE" ]; then
	STORE_MODE=$(stat -c %a "$STORE")
	chmod 0755 "$STORE"
	doctor
	chmod "$STORE_MODE" "$STORE"
	STORE_MODE=
	t_like "$OUT" '^ERROR image store: /var/lib/loginbox/store is a directory owned by uid 0 with mode 0755: it must be a directory of root.s with mode 0700 .*; fix: chown root:root /var/lib/loginbox/store; chmod 0700 /var/lib/loginbox/store$' \
		"store with mode 0755: an error with its fix"
	t_is "$RC" 2 "store with mode 0755: exit status 2"
	doctor
	t_like "$OUT" '^OK  image store: /var/lib/loginbox/store: root.s, mode 0700$' "store back to 0700: OK"
else
	tap_skip "store mode" "no $STORE on this host"
fi

# ---- a config that does not load: nothing else can be judged
printf '[user.lbt-bob]\nno_such_key = 1\n' >"$LB_CONFD/lbt-t92.conf"
chmod 644 "$LB_CONFD/lbt-t92.conf"
NODROPIN=1 doctor # (sshd-config needs a config that loads)
rm -f "$LB_CONFD/lbt-t92.conf"
t_like "$OUT" "^ERROR config: .*lbt-t92.conf.*no_such_key.*; fix: loginbox check\$" "bad config: one error naming the file and key"
t_is "$(printf '%s\n' "$OUT" | grep -c .)" 1 "bad config: no other check is run against it"
t_is "$RC" 2 "bad config: exit status 2"

# ---- check: the config only; the host is doctor's
out=$(NODROPIN=1 unshare -m bash "$W/ns.sh" "$LB_ADMIN" "$STOCK" "" "$LB_ADMIN" check 2>&1)
t_like "$out" '^ok: [0-9]+ sections: \[group\.lbt-boxed\] \[group\.lbt-rootbox\]' "check: still validates the config"
t_like "$out" '^note: run loginbox doctor for the host' "check: points at doctor for the host"
t_unlike "$out" '^warning: /etc/(ssh|pam.d)' "check: no host findings any more (the drop-in is missing here)"

assert_no_leftovers "doctor: nothing of the probes or the runs remains"
exit 0
