#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Directory users, for real: an LDAP server (Debian's slapd on 127.0.0.1,
# its own database under $LBT_TMP) with a user and a group that exist only
# there, resolved through NSS by libnss-ldapd (nslcd); subordinate ids from
# an nsswitch `subid:` source through the real libsubid (a test provider,
# libsubid_lbtest.c: Debian 12 ships no libsubid provider for LDAP).
#
#   lbt-dir       LDAP only (uid, group, home), boxed by [group.lbt-dirbox]
#   lbt-dirlocal  a local user, member of the LDAP group lbt-dirbox
#   lbt-dirbox    an LDAP group: [group.lbt-dirbox] boxes its members
#
# Logins (ssh, su, scp) land in a box with the libsubid range; then the
# subid source fails, slapd stops, nslcd stops: nobody who could be boxed
# gets in, whatever on_error says (docs/SECURITY.md, "Directory outages").
#
# Nothing global is edited for NSS: nsswitch.conf (passwd/group: files
# ldap, subid: lbtest) and nslcd.conf are bind-mounted in private mount
# namespaces, in which this file's sshd, su, nslcd and loginbox run; a
# killed test leaves the host's files as they were.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t90
mkdir -p "$W/subid" "$W/db"
chmod 755 "$W" "$W/subid"
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
PROVIDER=/usr/lib/$MULTIARCH/libsubid_lbtest.so
BASE=dc=lbt,dc=test
ADMIN_DN=cn=admin,$BASE
ADMIN_PW=lbt-ldap-secret
PROVIDER_MADE=no
RUN_NSLCD_MADE=no
DIRHOME_MADE=no
LOCAL_MADE=no
SLAPD_PID=
NSLCD_PID=
SSHD2_PID=

cleanup_t90() {
	clean_test_sessions
	stop_pid "$SSHD2_PID"
	stop_pid "$NSLCD_PID"
	stop_pid "$SLAPD_PID"
	[ "$PROVIDER_MADE" = yes ] && rm -f "$PROVIDER"
	[ "$RUN_NSLCD_MADE" = yes ] && rm -rf /run/nslcd
	[ "$DIRHOME_MADE" = yes ] && rm -rf /home/lbt-dir
	if [ "$LOCAL_MADE" = yes ]; then
		userdel -r -f lbt-dirlocal >/dev/null 2>&1
		sed -i '/^lbt-dirlocal:/d' /etc/subuid /etc/subgid
	fi
	rm -f "$LBT_TMP/authorized_keys/lbt-dir" "$LBT_TMP/authorized_keys/lbt-dirlocal"
	reset_conf
}
trap cleanup_t90 EXIT

skip_all() { # REASON: this file cannot run here
	tap_skip "directory users (t_90_ldap)" "$1"
	exit 0
}

# ------------------------------------------------------------ packages
# slapd and nslcd must not start (nor listen on :389) when installed:
# a policy-rc.d that denies it, only while apt runs.
NSS_BAK=$W/nsswitch.conf.host
cp -p /etc/nsswitch.conf "$NSS_BAK"
POLICY_RCD=/usr/sbin/policy-rc.d
POLICY_MADE=no
if [ ! -e "$POLICY_RCD" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$POLICY_RCD" && chmod 755 "$POLICY_RCD"
	POLICY_MADE=yes
fi
# No debconf question may change nsswitch.conf.
printf '%s\n' 'libnss-ldapd libnss-ldapd/nsswitch multiselect' \
	'libnss-ldapd libnss-ldapd/clean_nsswitch boolean false' |
	debconf-set-selections 2>/dev/null
lb_ensure_packages "$W/apt.log" slapd ldap-utils nslcd libnss-ldapd libsubid-dev
apt_rc=$?
[ "$POLICY_MADE" = yes ] && rm -f "$POLICY_RCD"
if ! cmp -s "$NSS_BAK" /etc/nsswitch.conf; then
	diag "installing libnss-ldapd changed /etc/nsswitch.conf: restored"
	cat "$NSS_BAK" >/etc/nsswitch.conf
fi
if [ "$apt_rc" -ne 0 ]; then
	diag_file "$W/apt.log"
	tap_fail "apt-get install slapd ldap-utils nslcd libnss-ldapd"
	exit 0
fi
[ -e /run/nslcd/socket ] && skip_all "an nslcd already runs here (/run/nslcd/socket)"
[ -e "$PROVIDER" ] && skip_all "$PROVIDER exists (not ours)"
for n in lbt-dir lbt-dirlocal lbt-dirbox; do
	getent passwd "$n" >/dev/null || getent group "$n" >/dev/null &&
		skip_all "$n exists on this host already"
done
[ -e /home/lbt-dir ] && skip_all "/home/lbt-dir exists"

# A free uid/gid for the directory's user and group.
DUID=39400
while getent passwd "$DUID" >/dev/null || getent group "$DUID" >/dev/null; do
	DUID=$((DUID + 1))
done
DGID=$DUID

# ------------------------------------------------------------ slapd
cat >"$W/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $W/slapd.pid
database mdb
maxsize 10485760
suffix "$BASE"
rootdn "$ADMIN_DN"
rootpw $ADMIN_PW
directory $W/db
access to * by * read
EOF
SLAPD_PORT=$(free_port)
# -d 0: in the foreground, so $! is slapd itself.
/usr/sbin/slapd -h "ldap://127.0.0.1:$SLAPD_PORT/" -f "$W/slapd.conf" -d 0 \
	>"$W/slapd.log" 2>&1 &
SLAPD_PID=$!
track_pid "$SLAPD_PID"
if ! wait_port "$SLAPD_PORT" 10; then
	diag_file "$W/slapd.log" "slapd"
	tap_fail "slapd starts on 127.0.0.1:$SLAPD_PORT"
	exit 0
fi

cat >"$W/data.ldif" <<EOF
dn: $BASE
objectClass: dcObject
objectClass: organization
o: loginbox tests
dc: lbt

dn: ou=people,$BASE
objectClass: organizationalUnit
ou: people

dn: ou=groups,$BASE
objectClass: organizationalUnit
ou: groups

dn: uid=lbt-dir,ou=people,$BASE
objectClass: account
objectClass: posixAccount
uid: lbt-dir
cn: lbt-dir
uidNumber: $DUID
gidNumber: $DGID
homeDirectory: /home/lbt-dir
loginShell: $LB_SHELL

dn: cn=lbt-dirbox,ou=groups,$BASE
objectClass: posixGroup
cn: lbt-dirbox
gidNumber: $DGID
memberUid: lbt-dir
memberUid: lbt-dirlocal
EOF
t_check "slapd: the directory's users and groups load (ldapadd)" \
	ldapadd -x -H "ldap://127.0.0.1:$SLAPD_PORT/" -D "$ADMIN_DN" -w "$ADMIN_PW" -f "$W/data.ldif"

# ------------------------------------------------------------ nslcd
cat >"$W/nslcd.conf" <<EOF
uid nslcd
gid nslcd
uri ldap://127.0.0.1:$SLAPD_PORT/
base $BASE
bind_timelimit 2
timelimit 3
reconnect_sleeptime 1
reconnect_retrytime 2
EOF
chmod 600 "$W/nslcd.conf"
if [ ! -d /run/nslcd ]; then
	mkdir -p /run/nslcd && chown nslcd:nslcd /run/nslcd
	RUN_NSLCD_MADE=yes
fi
# nslcd reads /etc/nslcd.conf only: ours is bound over it in nslcd's own
# mount namespace.  The socket it makes in /run/nslcd is the host's.
unshare -m sh -c 'mount --bind "$1" /etc/nslcd.conf && exec /usr/sbin/nslcd -d' \
	sh "$W/nslcd.conf" >"$W/nslcd.log" 2>&1 &
NSLCD_PID=$!
track_pid "$NSLCD_PID"
for _ in $(seq 1 50); do
	[ -S /run/nslcd/socket ] && break
	sleep 0.1
done
[ -S /run/nslcd/socket ] || { diag_file "$W/nslcd.log" nslcd; tap_fail "nslcd starts"; exit 0; }

# ------------------------------------------------ NSS, in namespaces only
sed -e 's/^passwd:.*/passwd:         files ldap/' \
	-e 's/^group:.*/group:          files ldap/' \
	-e '/^subid:/d' "$NSS_BAK" >"$W/nsswitch.conf"
echo 'subid:          lbtest' >>"$W/nsswitch.conf"
chmod 644 "$W/nsswitch.conf"

# in_ns CMD...: CMD sees our nsswitch.conf.
in_ns() {
	unshare -m sh -c 'mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"' \
		sh "$W/nsswitch.conf" "$@"
}

# su_ns USER CMD: "su - USER -c CMD" from root, our NSS, the test PAM su.
su_ns() {
	timeout -k 5 "$LBT_T" unshare -m sh -c \
		'mount --bind "$1" /etc/nsswitch.conf && mount --bind "$2" /etc/pam.d/su && exec su - "$3" -c "$4"' \
		sh "$W/nsswitch.conf" "$LBT_TMP/pam-su" "$1" "$2"
}

# ------------------------------------------- the subordinate-id provider
gcc -Wall -Wextra -Werror -O2 -shared -fPIC -fvisibility=hidden \
	-DLBT_SUBID_DIR="\"$W/subid\"" -o "$W/libsubid_lbtest.so" \
	"$LBT_DIR/libsubid_lbtest.c" 2>"$W/gcc.log" ||
	{ diag_file "$W/gcc.log"; tap_fail "build the test subid provider"; exit 0; }
install -m 0644 "$W/libsubid_lbtest.so" "$PROVIDER" && PROVIDER_MADE=yes
S1=$(_next_subid)
S1=$(((S1 / 65536 + 16) * 65536)) # well above every /etc/subuid range
S2=$((S1 + 65536))
printf 'lbt-dir:%s:65536\nlbt-dirlocal:%s:65536\n' "$S1" "$S2" >"$W/subid/subuid"
cp "$W/subid/subuid" "$W/subid/subgid"
chmod 644 "$W/subid/subuid" "$W/subid/subgid"
# assert_no_leftovers looks for loginbox-init in these ranges too.
printf 'lbt-dir %s 65536\nlbt-dirlocal %s 65536\n' "$S1" "$S2" >>"$LBT_TMP/subids"

# ------------------------------------------------------------ users
mkdir /home/lbt-dir && DIRHOME_MADE=yes
chown "$DUID:$DGID" /home/lbt-dir
chmod 700 /home/lbt-dir
useradd -m -s "$LB_SHELL" lbt-dirlocal && LOCAL_MADE=yes
for u in lbt-dir lbt-dirlocal; do
	cp "$LBT_TMP/id_ed25519.pub" "$LBT_TMP/authorized_keys/$u"
	chmod 644 "$LBT_TMP/authorized_keys/$u"
done
LUID=$(id -u lbt-dirlocal)

# What is left of this file's logins (lib.sh's _leftovers, for our users:
# a stale cgroup node of another run's user with a reused uid is not ours).
_t90_left() {
	local id pid uid start cg
	for id in $(test_session_ids); do
		echo "session dir $LB_RUN/$id ($(session_field "$id" user))"
	done
	while read -r pid uid; do
		for start in "$S1" "$S2"; do
			[ "$uid" -ge "$start" ] && [ "$uid" -lt $((start + 65536)) ] &&
				echo "loginbox-init pid $pid (uid $uid)"
		done
	done < <(ps -eo pid=,uid=,stat=,comm= | awk '$4 == "loginbox-init" && $3 !~ /^Z/ {print $1, $2}')
	for uid in "$DUID" "$LUID"; do
		for cg in /sys/fs/cgroup/unified/loginbox /sys/fs/cgroup/loginbox; do
			[ -e "$cg/u$uid" ] && echo "cgroup node $cg/u$uid"
		done
		ps -o pid=,stat=,args= -U "$uid" 2>/dev/null | awk '$2 !~ /^Z/' | sed "s/^/process of $uid: /"
	done
	grep loginbox /proc/self/mountinfo | sed 's/^/host mount: /'
}

# assert_no_leftovers, for this file's users (see _t90_left).
assert_no_leftovers() { t_until_empty "$1" "${2:-10}" _t90_left; }

conf_t90() { # ON_ERROR [EXTRA SECTION TEXT]
	{
		base_conf | sed "s/^on_error = .*/on_error = $1/"
		cat <<-'EOF'

			[group.lbt-dirbox]
			image = host
			network = none
			inside_uid = self
			upper = tmpfs
			home = bind
			hostname = %u-dirbox
		EOF
		[ $# -gt 1 ] && printf '%s\n' "$2"
	} | write_conf
}
conf_t90 deny

# ------------------------------------------------- an sshd with our NSS
SSHD2_PORT=$(free_port)
D2=$W/sshd
mkdir -p "$D2"
chmod 755 "$D2"
ssh-keygen -q -t ed25519 -N '' -f "$D2/hostkey"
lb_sshd_config "$D2" "$SSHD2_PORT" "$LBT_TMP/authorized_keys" <<-EOF
	Subsystem sftp /usr/lib/openssh/sftp-server
	PermitRootLogin no
	PrintMotd no
	PrintLastLog no
	UseDNS no
	LogLevel INFO
EOF
# The PAM service is sshd-loginbox-test, as for run.sh's sshd.
ln -sf /usr/sbin/sshd "$D2/sshd-loginbox-test"
# unshare itself in the background (not the in_ns function, which bash
# would run in a subshell): $! is then the pid that becomes sshd (unshare
# and sh exec), so stopping it stops sshd.
unshare -m sh -c 'mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"' \
	sh "$W/nsswitch.conf" "$D2/sshd-loginbox-test" -f "$D2/sshd_config" -D -e >>"$D2/sshd.log" 2>&1 &
SSHD2_PID=$!
track_pid "$SSHD2_PID"
wait_port "$SSHD2_PORT" 10 || { diag_file "$D2/sshd.log" sshd; tap_fail "sshd (our NSS) starts"; exit 0; }

ssh2_as() { # USER CMD
	local u=$1
	shift
	timeout -k 5 "$LBT_T" ssh "${SSH_COMMON[@]}" -p "$SSHD2_PORT" "$u@127.0.0.1" "$@"
}

# ====================================================== the directory is up
t_is "$(in_ns getent passwd lbt-dir | cut -d: -f3,7)" "$DUID:$LB_SHELL" \
	"NSS: lbt-dir comes from LDAP (uid $DUID, loginbox-shell)"
t_is "$(grep -c '^lbt-dir:' /etc/passwd)" 0 "NSS: lbt-dir is in no local file"
t_like "$(in_ns id -Gn lbt-dirlocal)" '(^| )lbt-dirbox( |$)' \
	"NSS: the local user lbt-dirlocal is in the LDAP group lbt-dirbox"
t_is "$(id -Gn lbt-dirlocal)" "lbt-dirlocal" \
	"NSS: ... which the host without LDAP does not know (control)"
t_is "$(in_ns getsubids lbt-dir)" "0: lbt-dir $S1 65536" \
	"libsubid: getsubids lbt-dir answers from the subid: lbtest provider"
out=$(in_ns "$LB_ADMIN" policy lbt-dir 2>&1)
t_like "$out" 'group\.lbt-dirbox' "loginbox policy lbt-dir: boxed by [group.lbt-dirbox]"
out=$(in_ns "$LB_ADMIN" check 2>&1)
t_unlike "$out" 'warning: \[group\.' "loginbox check: every group section's group is known (no group warning)"

# A made-up group next to the real ones: the directory says "no such
# group", which is not an outage.
conf_t90 deny '[group.lbt-no-such-group]
image = host'
out=$(in_ns "$LB_ADMIN" check 2>&1)
t_like "$out" 'warning: \[group\.lbt-no-such-group\].*no group lbt-no-such-group is known' \
	"loginbox check: a group the directory does not have is reported (a typo?)"
conf_t90 deny

# --- ssh: the LDAP-only user lands in a box
cat >"$W/probe.sh" <<'EOF'
echo "@@RAN@@"
echo "HOSTNAME=$(hostname)"
echo "ID_U=$(id -u)"
echo "ID_UN=$(id -un)"
echo "UIDMAP=$(tr -s ' ' < /proc/self/uid_map | sed 's/^ //' | tr '\n' '/')"
echo "GIDMAP=$(tr -s ' ' < /proc/self/gid_map | sed 's/^ //' | tr '\n' '/')"
echo "PID1=$(cat /proc/1/comm)"
echo "NPROC=$(ls /proc | grep -c '^[0-9]')"
echo "NS_USER=$(readlink /proc/self/ns/user)"
echo "NS_NET=$(readlink /proc/self/ns/net)"
echo "LINKS=$(ls /sys/class/net | tr '\n' ' ')"
for k in NoNewPrivs Seccomp CapEff CapBnd; do
	echo "$k=$(sed -n "s/^$k:[[:space:]]*//p" /proc/self/status)"
done
echo "HOMES=$(ls -A /home | tr '\n' ' ')"
echo "RUNLB=$(test -e /run/loginbox && echo visible || echo absent)"
echo "HOME=$HOME"
echo "PWSUM=$(md5sum < /etc/passwd | cut -d' ' -f1)"
echo "PWLINE=$(grep "^$(id -un):" /etc/passwd | cut -d: -f1,3,4,6,7)"
touch "$HOME/written-in-box" && echo "HOMEWRITE=ok"
EOF
chmod 644 "$W/probe.sh"
HOST_USERNS=$(readlink /proc/self/ns/user)
HOST_NETNS=$(readlink /proc/self/ns/net)

# expected_map ID START: a box map of one identity-mapped id (as t_30).
expected_map() {
	echo "0 $2 $1/$1 $1 1/$(($1 + 1)) $(($2 + $1 + 1)) $((65536 - $1 - 1))/"
}

A=$(ssh2_as lbt-dir "$(cat "$W/probe.sh")" 2>"$W/dir.err")
rc=$?
g() { kv "$A" "$1"; }
t_is "$rc:$(g HOMEWRITE)" "0:ok" "ssh lbt-dir: the probe ran (status 0)"
[ "$rc" -ne 0 ] && { diag_file "$W/dir.err" "ssh stderr"; diag_file "$D2/sshd.log" sshd; }
t_is "$(g HOSTNAME)" "lbt-dir-dirbox" "ssh lbt-dir: hostname of [group.lbt-dirbox] (%u-dirbox)"
t_is "$(g ID_U)" "$DUID" "ssh lbt-dir: keeps the directory's uid inside"
t_is "$(g ID_UN)" lbt-dir "ssh lbt-dir: the box knows the directory user's name"
t_is "$(g PWLINE)" "lbt-dir:$DUID:$DGID:/home/lbt-dir:/bin/bash" \
	"ssh lbt-dir: the box's /etc/passwd has the directory user's entry (with the box's shell)"
t_is "$(g UIDMAP)" "$(expected_map "$DUID" "$S1")" \
	"ssh lbt-dir: uid_map from the libsubid range ($S1), the uid to itself"
t_is "$(g GIDMAP)" "$(expected_map "$DGID" "$S1")" \
	"ssh lbt-dir: gid_map from the libsubid subgid range"
t_is "$(g PID1)" loginbox-init "ssh lbt-dir: PID 1 is loginbox-init"
n=$(g NPROC)
if [ -n "$n" ] && [ "$n" -le 10 ]; then
	tap_ok "ssh lbt-dir: /proc lists only this login's few processes ($n)"
else
	tap_fail "ssh lbt-dir: /proc lists only this login's few processes" "got '$n'"
fi
t_isnt "$(g NS_USER)" "$HOST_USERNS" "ssh lbt-dir: own user namespace"
t_isnt "$(g NS_NET)" "$HOST_NETNS" "ssh lbt-dir: own network namespace"
t_is "$(g LINKS)" "lo " "ssh lbt-dir: network = none: only lo"
t_is "$(g NoNewPrivs):$(g Seccomp)" "1:2" "ssh lbt-dir: NoNewPrivs and a seccomp filter"
t_is "$(g CapEff):$(g CapBnd)" "0000000000000000:0000000000000000" \
	"ssh lbt-dir: no capabilities, empty bounding set"
t_is "$(g HOMES)" "lbt-dir " "ssh lbt-dir: /home shows only the user's own home"
t_is "$(g RUNLB)" absent "ssh lbt-dir: /run/loginbox is not visible"
t_is "$(stat -c %u /home/lbt-dir/written-in-box 2>/dev/null)" "$DUID" \
	"ssh lbt-dir: home = bind: the file written inside is in /home/lbt-dir, the user's"
assert_no_leftovers "ssh lbt-dir: the box is gone after logout" 10

# --- su and scp
out=$(su_ns lbt-dir 'echo "@@RAN@@"; echo "H=$(hostname)"; echo "M=$(head -n 1 /proc/self/uid_map | tr -s " " | sed "s/^ //")"' 2>&1)
t_is "$(kv "$out" H)|$(kv "$out" M)" "lbt-dir-dirbox|0 $S1 $DUID" \
	"su - lbt-dir: in the box (hostname, box root from the libsubid range)"
assert_no_leftovers "su - lbt-dir: nothing left" 10
echo "scp payload $$" >"$W/payload"
chmod 644 "$W/payload"
if timeout -k 5 "$LBT_T" scp -q "${SSH_COMMON[@]}" -P "$SSHD2_PORT" "$W/payload" \
	"lbt-dir@127.0.0.1:payload-in" 2>"$W/scp.err"; then
	tap_ok "scp to lbt-dir: the copy succeeds"
else
	tap_fail "scp to lbt-dir: the copy succeeds" "$(cat "$W/scp.err")"
fi
t_is "$(cat /home/lbt-dir/payload-in 2>/dev/null):$(stat -c %u /home/lbt-dir/payload-in 2>/dev/null)" \
	"scp payload $$:$DUID" "scp to lbt-dir: the file landed in the home, owned by the user"
rm -f "$W/down"
out=$(timeout -k 5 "$LBT_T" scp -q "${SSH_COMMON[@]}" -P "$SSHD2_PORT" \
	"lbt-dir@127.0.0.1:/proc/self/uid_map" "$W/down" 2>&1)
t_like "$(cat "$W/down" 2>/dev/null)" "^ *0 +$S1 " \
	"scp from lbt-dir: the server side (sftp-server) runs in the box (its uid_map) $out"
assert_no_leftovers "scp lbt-dir: nothing left" 10

# --- the local user whose boxed group is in LDAP: boxed (positive control)
L=$(ssh2_as lbt-dirlocal "$(cat "$W/probe.sh")" 2>&1)
t_is "$(kv "$L" HOSTNAME)|$(kv "$L" UIDMAP)" \
	"lbt-dirlocal-dirbox|$(expected_map "$LUID" "$S2")" \
	"ssh lbt-dirlocal (local user, LDAP group): boxed by [group.lbt-dirbox], libsubid range"
t_is "$(kv "$L" PWSUM)" "$(md5sum </etc/passwd | cut -d' ' -f1)" \
	"ssh lbt-dirlocal: the box's /etc/passwd is the host's, untouched (a local user is in it)"
out=$(ssh2_as lbt-plain 'echo "@@RAN@@"; head -n 1 /proc/self/uid_map' 2>&1)
t_like "$out" '^ *0 +0 +4294967295' "ssh lbt-plain (in no boxed group): not boxed (control)"
assert_no_leftovers "logins while the directory is up: nothing left" 10

# ================================================ the subid source fails
touch "$W/subid/fail"
if in_ns getsubids lbt-dir >/dev/null 2>&1; then
	tap_fail "libsubid: getsubids lbt-dir fails while the provider fails"
else
	tap_ok "libsubid: getsubids lbt-dir fails while the provider fails"
fi
SUBID_RE='subordinate uid source \(subid: lbtest, through libsubid\) did not answer'
refused_ssh "subid source failing, lbt-dir" lbt-dir "$SUBID_RE" ssh2_as
refused_ssh "subid source failing, lbt-dirlocal" lbt-dirlocal "$SUBID_RE" ssh2_as
if grep -q lb_fail_admin "$LBT_REPO/helper/common/err.h" 2>/dev/null; then
	conf_t90 allow
	refused_ssh "subid source failing, on_error = allow, lbt-dir" lbt-dir "$SUBID_RE" ssh2_as
	conf_t90 deny
else
	tap_skip "subid source failing, on_error = allow: refused" \
		"this tree has no error classes yet (on_error = allow allows every helper failure)"
fi
rm -f "$W/subid/fail"
mv "$PROVIDER" "$W/provider.moved"
refused_ssh "subid provider missing (libsubid would fall back to /etc/subuid)" lbt-dir \
	'libsubid_lbtest\.so cannot be loaded' ssh2_as
mv "$W/provider.moved" "$PROVIDER"
out=$(ssh2_as lbt-dir 'echo "@@RAN@@"; hostname' 2>&1)
t_like "$out" '^lbt-dir-dirbox' "provider back: lbt-dir logs in, boxed, again"

# ==================================================== slapd stops
stop_pid "$SLAPD_PID"
SLAPD_PID=
if (exec 3<>"/dev/tcp/127.0.0.1/$SLAPD_PORT") 2>/dev/null; then
	tap_fail "slapd is stopped (port $SLAPD_PORT closed)"
else
	tap_ok "slapd is stopped (port $SLAPD_PORT closed)"
fi
out=$(in_ns "$LB_ADMIN" check 2>&1)
t_like "$out" 'warning: \[group\.lbt-dirbox\].*cannot be looked up' \
	"loginbox check: the LDAP group cannot be looked up (an error, not 'no such group')"

# The LDAP user: sshd does not know them; no shell of any kind.
ssh2_as lbt-dir 'echo "@@RAN@@"' >"$W/out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/out"; then
	tap_ok "slapd down: ssh lbt-dir is refused, no shell ran"
else
	tap_fail "slapd down: ssh lbt-dir is refused, no shell ran" "status $rc: $(cat "$W/out")"
fi
for _ in $(seq 1 20); do
	grep -q 'Invalid user lbt-dir' "$D2/sshd.log" && break
	sleep 0.1
done
t_like "$(cat "$D2/sshd.log")" 'Invalid user lbt-dir ' "slapd down: sshd says the user is unknown"
out=$(su_ns lbt-dir 'echo "@@RAN@@"' 2>&1)
t_unlike "$out" '@@RAN@@' "slapd down: su - lbt-dir runs nothing ($(printf '%s' "$out" | head -n 1))"

# The local user whose boxed group is in LDAP: getgrouplist() now says
# "no LDAP groups", and loginbox refuses.
t_unlike "$(in_ns id -Gn lbt-dirlocal 2>/dev/null)" 'lbt-dirbox' \
	"slapd down: NSS no longer lists lbt-dirbox for lbt-dirlocal (why the rule is needed)"
DIR_RE='group lbt-dirbox of \[group\.lbt-dirbox\].*cannot be looked up'
out=$(in_ns "$LB_ADMIN" policy lbt-dirlocal 2>&1)
rc=$?
t_like "$rc: $out" "^[1-9][0-9]*: .*$DIR_RE" "slapd down: loginbox policy lbt-dirlocal fails, naming the group"
refused_ssh "slapd down, lbt-dirlocal" lbt-dirlocal "$DIR_RE" ssh2_as
conf_t90 allow
refused_ssh "slapd down, on_error = allow, lbt-dirlocal" lbt-dirlocal "$DIR_RE" ssh2_as
out=$(su_ns lbt-dirlocal 'echo "@@RAN@@"' 2>&1)
if ! printf '%s' "$out" | grep -q '@@RAN@@' && printf '%s' "$out" | grep -Eq "$DIR_RE"; then
	tap_ok "slapd down, on_error = allow: su - lbt-dirlocal is refused with the message"
else
	tap_fail "slapd down, on_error = allow: su - lbt-dirlocal is refused with the message" "$out"
fi
conf_t90 deny
# A local user in no boxed group cannot be told from one whose boxed group
# is out of reach: refused too, until the admin exempts them.
refused_ssh "slapd down, lbt-plain (not exempt)" lbt-plain "$DIR_RE" ssh2_as
conf_t90 deny '[user.lbt-plain]
box = no'
out=$(ssh2_as lbt-plain 'echo "@@RAN@@"; head -n 1 /proc/self/uid_map' 2>&1)
t_like "$out" '^ *0 +0 +4294967295' \
	"slapd down: [user.lbt-plain] box = no (break-glass) still logs in, unboxed"
conf_t90 deny

# ==================================================== nslcd stops too
stop_pid "$NSLCD_PID"
NSLCD_PID=
out=$(in_ns "$LB_ADMIN" check 2>&1)
t_like "$out" 'warning: \[group\.lbt-dirbox\].*cannot be looked up' \
	"nslcd down: the LDAP group still cannot be looked up (an error)"
conf_t90 allow
refused_ssh "nslcd down, on_error = allow, lbt-dirlocal" lbt-dirlocal "$DIR_RE" ssh2_as
conf_t90 deny
exit 0
