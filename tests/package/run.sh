#!/bin/bash
# Package test: build the Debian packages from this tree, install them,
# log in over real ssh as a boxed user through the SYSTEM PAM stack
# (/etc/pam.d/sshd -> common-session, where pam-auth-update put the
# module), check that removal ends a live box, purge, and check that
# nothing is left.  Prints its plan first, TAP, and
# "package: N passed, M failed, K skipped"; tests that never ran (an early
# stop) count as failed.
#
# A source install found here (make install, make quickstart: files not
# owned by a package, the module in common-session) is saved, taken away
# for the test (so "purge leaves nothing" means something), and put back
# at the end with the PAM profile as it was.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../shlib.sh
. "$top/tests/shlib.sh"
T=$(mktemp -d /tmp/lbpkg.XXXXXX)
chmod 0755 "$T"
PLAN=20
# shellcheck source=../tap.sh
. "$top/tests/tap.sh"
tap_init package || exit 1
# What a source install puts on the machine (Makefile install, quickstart).
# /var/lib/pam is pam-auth-update's record of what it wrote in common-*:
# common-* put back without it looks edited by hand to pam-auth-update
# ("Local modifications"), and it would never add or remove a line again.
SRC_PATHS="/usr/sbin/loginbox /usr/sbin/loginbox-shell /usr/libexec/loginbox
	$(ls -d /lib/*/security/pam_loginbox.so 2>/dev/null) /usr/share/pam-configs/loginbox
	/usr/share/doc/loginbox /etc/loginbox /var/lib/loginbox
	/etc/pam.d/common-session /etc/pam.d/common-session-noninteractive /etc/shells
	/var/lib/pam /etc/ssh/sshd_config.d/loginbox.conf"
SAVED=no
U=lbp-user G=lbp-boxed PORT=2399
sshd_pid= sleeper=

cleanup() {
	[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	if dpkg -s loginbox >/dev/null 2>&1 || dpkg -s libpam-loginbox >/dev/null 2>&1; then
		apt-get purge -y -qq libpam-loginbox loginbox >/dev/null 2>&1
	fi
	id "$U" >/dev/null 2>&1 && userdel -r "$U" 2>/dev/null
	getent group "$G" >/dev/null && groupdel "$G"
	# put a source install back as it was (files, PAM profile, shells)
	if [ "$SAVED" = yes ] && [ -s "$T/source-install.tar" ]; then
		tar -xpf "$T/source-install.tar" -C / &&
			echo "# restored the source install found before the test"
	fi
	if [ -s "$T/etc-loginbox.tar" ]; then
		tar -xpf "$T/etc-loginbox.tar" -C / &&
			echo "# restored /etc/loginbox as it was before the test"
	fi
	tap_done
	rm -rf "$T"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
	echo "package: must run as root (sudo make check)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
lb_ensure_packages "$T/apt.log" dpkg-dev debhelper lintian fakeroot \
	openssh-server openssh-client libcap2-bin || {
	echo "package: apt-get install failed"; exit 1; }
# A source install (not owned by any package): save it, then take it away.
if [ -e /usr/sbin/loginbox ] && ! dpkg -S /usr/sbin/loginbox >/dev/null 2>&1; then
	existing=""
	for p in $SRC_PATHS; do [ -e "$p" ] && existing="$existing ${p#/}"; done
	# shellcheck disable=SC2086
	tar -cpf "$T/source-install.tar" -C / $existing || {
		echo "package: cannot save the source install found here"
		exit 1
	}
	SAVED=yes
	echo "# a source install is here (make install/quickstart): saved, removed for the test, restored after"
	pam-auth-update --package --remove loginbox >/dev/null 2>&1
	make -s -C "$top" uninstall >/dev/null 2>&1
	rm -rf /etc/loginbox /usr/libexec/loginbox /usr/share/doc/loginbox
	rmdir /var/lib/loginbox/images /var/lib/loginbox 2>/dev/null
fi
# A config left without a package (make install keeps it at uninstall):
# dpkg would ask about the conffile at configure, and with no terminal
# the install fails.  Set it aside; put it back at the end.
if [ -e /etc/loginbox ] && ! dpkg -S /etc/loginbox/loginbox.conf >/dev/null 2>&1; then
	tar -cpf "$T/etc-loginbox.tar" -C / etc/loginbox &&
		rm -rf /etc/loginbox &&
		echo "# /etc/loginbox (no package owns it) set aside for the test"
fi
tap_plan "$PLAN"
# Build-deps as the package declares them (debian/control).
apt-get build-dep -y -qq "$top" >/dev/null 2>&1 || true

# 1. Build from a clean copy of the tree (what the admin would build).
git -C "$top" ls-files -z | (cd "$top" && cpio -0pdm --quiet "$T/src")
(cd "$T/src" && dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1)
tap_result $? "dpkg-buildpackage -us -uc -b builds (log: last lines below on failure)"
[ -f "$T"/loginbox_*_amd64.deb ] || { tail -n 20 "$T/build.log" | sed 's/^/# /'; tap_summary; exit 1; }
lint=$(cd "$T" && lintian --tag-display-limit 0 ./*.changes 2>&1)
lrc=$?
lint=$(echo "$lint" | grep -v 'running with root')
echo "$lint" | sed 's/^/# lintian: /'
[ "$lrc" = 0 ] && ! echo "$lint" | grep -q '^E:'; tap_result $? "lintian runs and reports no errors (status $lrc)"

# 2. Install; the maintainer scripts do the admin's set-up.
apt-get install -y -qq "$T"/loginbox_*_amd64.deb "$T"/libpam-loginbox_*_amd64.deb >"$T/install.log" 2>&1
rc=$?
tap_result $rc "both packages install with apt-get"
[ "$rc" = 0 ] || tail -n 25 "$T/install.log" | sed 's/^/# /'

grep -qx /usr/sbin/loginbox-shell /etc/shells; tap_result $? "loginbox-shell registered in /etc/shells"
grep -q pam_loginbox /etc/pam.d/common-session; tap_result $? "pam-auth-update added the session line"
grep -q 'Local modifications' "$T/install.log" &&
	echo "# pam-auth-update found common-* edited by hand (its record is /var/lib/pam): it changes nothing until 'pam-auth-update --force'"
grep -q '^# /etc/ssh/sshd_config.d/loginbox.conf' /etc/ssh/sshd_config.d/loginbox.conf
tap_result $? "postinst wrote the sshd drop-in (loginbox sshd-config --write)"
[ -d /var/lib/loginbox/images ]; tap_result $? "/var/lib/loginbox/images exists"
dpkg-query -W -f='${Conffiles}\n' loginbox | grep -q /etc/loginbox/loginbox.conf
tap_result $? "/etc/loginbox/loginbox.conf is a conffile"
# The checks below read dpkg -L: first prove it lists what was installed.
files=$(dpkg -L loginbox libpam-loginbox 2>/dev/null | grep -v '^/\.$')
echo "$files" | grep -qx /usr/sbin/loginbox-shell && echo "$files" | grep -q '/security/pam_loginbox\.so$' &&
	[ -x /usr/sbin/loginbox-shell ]
tap_result $? "dpkg -L lists the installed files ($(echo "$files" | grep -c .) paths)"
[ -n "$files" ] && ! find $files -maxdepth 0 -perm /6000 2>/dev/null | grep -q .
tap_result $? "nothing setuid or setgid in the packages"
[ -n "$files" ] && ! getcap $files 2>/dev/null | grep -q .
tap_result $? "no file capabilities"

# 3. A boxed login over real ssh through the system PAM stack.
groupadd "$G"
useradd -m -s /usr/sbin/loginbox-shell -G "$G" "$U"
grep -q "^$U:" /etc/subuid || usermod --add-subuids 3000000-3065535 --add-subgids 3000000-3065535 "$U"
printf '[group.%s]\nimage = host\n' "$G" >/etc/loginbox/conf.d/50-pkgtest.conf
chmod 0644 /etc/loginbox/conf.d/50-pkgtest.conf
loginbox check >/dev/null; tap_result $? "loginbox check accepts the test config"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/key"
mkdir -p "$T/keys" && cp "$T/key.pub" "$T/keys/$U" && chmod 0644 "$T/keys/$U"
lb_sshd_config "$T" "$PORT" "$T/keys" </dev/null
/usr/sbin/sshd -f "$T/sshd_config" -D -e 2>"$T/sshd.log" &
sshd_pid=$!
for i in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
SSH="ssh -p $PORT -i $T/key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes"
out=$(timeout 30 $SSH "$U@127.0.0.1" 'hostname; cat /proc/1/comm' 2>&1)
[ "$(echo "$out" | head -n1)" = "$U-box" ] && echo "$out" | grep -qx loginbox-init
tap_result $? "ssh through /etc/pam.d/sshd lands in a box ($(echo $out))"

# 4. Removal ends a live box.
timeout 60 $SSH "$U@127.0.0.1" 'sleep 50' >/dev/null 2>&1 &
sleeper=$!
for i in $(seq 100); do [ -n "$(ls /run/loginbox 2>/dev/null | grep -E '^[0-9]+$')" ] && break; sleep 0.1; done
box=$(ls /run/loginbox | grep -E '^[0-9]+$' | head -n1)
init_pid=$(sed -n 's/^init_pid=//p' "/run/loginbox/$box/state" 2>/dev/null)
[ -n "$init_pid" ] && [ -d "/proc/$init_pid" ]; tap_result $? "a live box exists before removal (box $box, init $init_pid)"
apt-get purge -y -qq libpam-loginbox loginbox >"$T/purge.log" 2>&1
tap_result $? "apt-get purge of both packages succeeds"
# Gone, or a zombie waiting for PID 1 to reap it (this test machine's
# PID 1 reaps nothing; every real init does).
dead() { [ ! -d "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
[ -n "$init_pid" ] && dead "$init_pid"; tap_result $? "removal ended the live box (its init $init_pid has exited)"
kill "$sleeper" 2>/dev/null; wait "$sleeper" 2>/dev/null; sleeper=

# 5. Nothing is left.
left=$(ls -d /usr/sbin/loginbox /usr/sbin/loginbox-shell /usr/libexec/loginbox \
	/lib/*/security/pam_loginbox.so /usr/share/pam-configs/loginbox \
	/etc/loginbox /var/lib/loginbox /run/loginbox \
	/etc/ssh/sshd_config.d/loginbox.conf 2>/dev/null)
[ -z "$left" ]; tap_result $? "purge leaves no files ($left)"
! grep -qx /usr/sbin/loginbox-shell /etc/shells; tap_result $? "purge removed the /etc/shells line"
! grep -q pam_loginbox /etc/pam.d/common-session /etc/pam.d/common-session-noninteractive
tap_result $? "purge removed the PAM line from common-session"
! ls -d /sys/fs/cgroup/unified/loginbox/u* /sys/fs/cgroup/loginbox/u* 2>/dev/null | grep -q .
tap_result $? "no cgroup node left"

tap_summary
