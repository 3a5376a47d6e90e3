#!/bin/bash
# `sudo make quickstart`: set this machine up with loginbox and show a real
# boxed login.  Installs the build and runtime packages, builds, installs,
# enables the PAM profile (pam-auth-update), creates the demo group
# loginbox-demo with user lbdemo (login shell loginbox-shell, a subuid
# range), boxes that group on the built-in `host` image, then logs in with
# `su - lbdemo` (a real PAM login) and shows what the user sees.
# Undo with: sudo make quickstart-undo
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "quickstart: run as root (sudo make quickstart)" >&2
	exit 1
fi

pkgs="build-essential pkg-config libpam0g-dev libcap-dev libseccomp-dev
      libiniparser-dev libjson-c-dev libsubid-dev libnftables-dev libarchive-dev
      libssl-dev uidmap iproute2 procps libpam-runtime"
# shellcheck source=shlib.sh
. tests/shlib.sh
apt_log=$(mktemp)
# shellcheck disable=SC2086 # one argument per package
lb_ensure_packages "$apt_log" $pkgs || {
	tail -n 20 "$apt_log" >&2
	echo "quickstart: apt-get install failed (above)" >&2
	exit 1
}
rm -f "$apt_log"

echo "== building and installing"
make -s all
make -s install >/dev/null
grep -qx /usr/sbin/loginbox-shell /etc/shells ||
	echo /usr/sbin/loginbox-shell >>/etc/shells
pam-auth-update --package --enable loginbox
if ! grep -q 'pam_loginbox\.so' /etc/pam.d/common-session; then
	echo "quickstart: pam-auth-update did not add pam_loginbox.so to /etc/pam.d/common-session" >&2
	echo "  (it leaves common-* alone when they were edited by hand: see its message above;" >&2
	echo "  add 'session required pam_loginbox.so' at the end of common-session yourself, or run" >&2
	echo "  'pam-auth-update --force' after checking what it would overwrite)" >&2
	exit 1
fi

echo "== demo user lbdemo in group loginbox-demo, boxed on the host image"
getent group loginbox-demo >/dev/null || groupadd loginbox-demo
if ! id lbdemo >/dev/null 2>&1; then
	useradd -m -s /usr/sbin/loginbox-shell -G loginbox-demo lbdemo
fi
for f in /etc/subuid /etc/subgid; do
	grep -q '^lbdemo:' "$f" || usermod --add-subuids 1000000-1065535 \
		--add-subgids 1000000-1065535 lbdemo
done
install -d -m 0755 /etc/loginbox/conf.d
cat >/etc/loginbox/conf.d/50-quickstart-demo.conf <<'CONF'
# Written by `make quickstart`; remove with `make quickstart-undo`.
[group.loginbox-demo]
image = host
network = none
hostname = %u-box
CONF
chmod 0644 /etc/loginbox/conf.d/50-quickstart-demo.conf
# Debian's sshd stack reads ~/.pam_environment after common-session: strip
# loader variables of boxed users after it (docs/SECURITY.md).
if [ -f /etc/pam.d/sshd ] && ! grep -q 'pam_loginbox.so scrub' /etc/pam.d/sshd; then
	printf '%s\n%s\n' '# loginbox quickstart: after pam_env user_readenv=1' \
		'session [success=ok ignore=ignore module_unknown=ignore default=bad] pam_loginbox.so scrub' >>/etc/pam.d/sshd
fi
# After the scrub line: with it, the drop-in lets ssh -X work in the box.
if [ -d /etc/ssh/sshd_config.d ]; then
	echo "== sshd: host-side doors closed for boxed users"
	loginbox sshd-config --write
fi
loginbox check
echo "== is this host ready? (loginbox doctor; warnings and errors say their fix)"
loginbox doctor || :

echo
echo "== the host:  hostname $(hostname), $(ps -e --no-headers | wc -l) processes,"\
	"interfaces: $(ls /sys/class/net | tr '\n' ' ')"
echo "== su - lbdemo (a real login through PAM), as lbdemo sees it:"
su - lbdemo -c 'echo "hostname:   $(hostname)"
echo "id:         $(id)"
echo "uid_map:    $(tr -s " " < /proc/self/uid_map | tr "\n" ";")"
echo "interfaces: $(ls /sys/class/net 2>/dev/null | tr "\n" " ")"
echo "processes:"; ps -e
echo "seccomp:    $(grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr "\n\t" "  ")"
echo "/usr/bin/env: $(ls -l /usr/bin/env)"
echo "box id:     $LOGINBOX_SESSION"'
echo
echo "== after logout, boxes left: $(loginbox list)"
echo "Log in yourself: set a password (passwd lbdemo) or an ssh key for"\
	"lbdemo, then ssh lbdemo@localhost or su - lbdemo."
