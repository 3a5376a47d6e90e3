# Shell helpers shared by the test tiers (tests/integration, tests/package)
# and the benchmark (bench/).  Sourced, not run.

# lb_stop_pid PID: end a process we started (TERM, then KILL after 3 s)
# and reap it.  Only ever a pid the caller started itself.
lb_stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 1 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# lb_ensure_packages LOG PKG...: install the Debian packages that are
# missing (apt-get update only then); apt's output goes to LOG.  Prints
# what it installs; returns non-zero when apt-get fails.
lb_ensure_packages() {
	local log=$1 p missing=""
	shift
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "# installing:$missing"
	# shellcheck disable=SC2086
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1
}

# lb_sshd_config DIR PORT KEYS_DIR: write DIR/sshd_config for a test sshd
# on 127.0.0.1:PORT with host key DIR/hostkey, keys in KEYS_DIR/USER and
# PAM; extra lines come on stdin.
lb_sshd_config() {
	local dir=$1 port=$2 keys=$3
	{
		cat <<-EOF
			Port $port
			ListenAddress 127.0.0.1
			HostKey $dir/hostkey
			UsePAM yes
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			PubkeyAuthentication yes
			AuthorizedKeysFile $keys/%u
			StrictModes no
			PidFile $dir/sshd.pid
		EOF
		cat
	} >"$dir/sshd_config"
	mkdir -p /run/sshd
}

# An install already on the machine (make install, make quickstart) that a
# tier's own `make install` / `make uninstall` would overwrite and remove,
# leaving common-session naming a module that is gone.  The tiers save it
# first and put it back after their uninstall.
LB_INSTALL_PATHS="/usr/sbin/loginbox /usr/sbin/loginbox-shell /usr/libexec/loginbox
	/usr/share/pam-configs/loginbox /usr/share/doc/loginbox
	/usr/share/man/man5/loginbox.conf.5 /usr/share/man/man8/loginbox.8
	/usr/share/man/man8/loginbox-helper.8 /usr/share/man/man8/loginbox-shell.8
	/usr/share/man/man8/pam_loginbox.8 /etc/ssh/sshd_config.d/loginbox.conf"

# lb_save_install TARFILE: save an existing install to TARFILE; status 1
# (and no file) when there is none.
lb_save_install() {
	local p list=""
	for p in $LB_INSTALL_PATHS /lib/*/security/pam_loginbox.so; do
		[ -e "$p" ] && list="$list ${p#/}"
	done
	[ -n "$list" ] || return 1
	# shellcheck disable=SC2086
	tar -cpf "$1" -C / $list
}

# lb_restore_install TARFILE: put a saved install back (after uninstall).
lb_restore_install() {
	[ -s "$1" ] && tar -xpf "$1" -C /
}
