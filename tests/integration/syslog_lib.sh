# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# A syslog sink for tests that read LOG_AUTHPRIV lines (pam_syslog from the
# module, syslog(3) from the helper).  Source after lib.sh.  When no syslog
# daemon owns /dev/log (this machine runs none), start_syslog binds it and
# appends every datagram to a file, one line each; when one does, the
# checks are skipped with that reason rather than read a log we do not own.
#
#   start_syslog FILE     catch /dev/log into FILE (sets SYSLOG, OWN_DEVLOG)
#   stop_syslog           end our listener, remove our /dev/log
#   syslog_has NAME ERE   TAP: an authpriv line (<80>..<87>) matches, polled
#   syslog_lines ERE      the authpriv lines that match, now

start_syslog() {
	SYSLOG=$1
	: >"$SYSLOG"
	OWN_DEVLOG=no
	if [ ! -e /dev/log ]; then
		python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
' "$SYSLOG" &
		SYSLOG_PID=$!
		track_pid "$SYSLOG_PID"
		OWN_DEVLOG=yes
		for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
	fi
}

stop_syslog() {
	[ "$OWN_DEVLOG" = yes ] || return 0
	stop_pid "$SYSLOG_PID"
	rm -f /dev/log
}

# syslog_has NAME ERE: an authpriv line (facility 10: <80>..<87>) matches.
syslog_has() {
	local i
	if [ "$OWN_DEVLOG" != yes ]; then
		tap_skip "$1" "/dev/log belongs to a syslog daemon here; its lines are not read by this test"
		return
	fi
	for i in $(seq 25); do
		grep -Eq -- "^<8[0-7]>.*$2" "$SYSLOG" && break
		sleep 0.2
	done
	if grep -Eq -- "^<8[0-7]>.*$2" "$SYSLOG"; then
		tap_ok "$1"
	else
		tap_fail "$1" "no LOG_AUTHPRIV line matches /$2/; last lines:" "$(tail -n 5 "$SYSLOG")"
	fi
}

syslog_lines() {
	grep -E -- "^<8[0-7]>.*$1" "$SYSLOG"
}
