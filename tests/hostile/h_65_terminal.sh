#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The caller's terminal through su and login: TIOCSTI (push input into a
# terminal) and TIOCLINUX from inside the box.  Two defences: seccomp
# refuses the ioctls, and the box's programs never hold the caller's
# terminal (a pty of the box's own devpts).  With seccomp off, the second
# one alone keeps an injection inside the box.
set -u
. "$(dirname "$0")/../integration/lib.sh"
t_plan 16
. "$(dirname "$0")/classic_lib.sh"

reset_conf
TAG=lbt$$
P=$(hc_put lbt-alice)

# su_pty STEPS: root's sh on a pty runs `su - lbt-alice` (the test PAM
# stack), then reads one line from the same terminal and prints it: any
# injected input would be read by root's shell there.
su_pty() { # STEPS of pty_run for the box's shell (the last one types exit)
	pty_run --expect "$PROMPT_RE" "$@" --expect 'ROOT-READS' --send "clean-line\n" -- \
		unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && su - lbt-alice; echo ROOT-READS; read -r l; echo "@@""GOT=$l@@"' \
		sh "$LBT_TMP/pam-su" 2>&1 | sed 's/\x1b\[[?0-9;]*[a-zA-Z]//g'
}

rm -f "/tmp/lbt-sti-$TAG"
out=$(su_pty --send "$(marker_cmd IN '$LOGINBOX_SESSION')python3 $P STI0 sti 0 'touch /tmp/lbt-sti-$TAG\\\\n' ';' STITTY sti 1 'id\\\\n' ';' LNX linux 0; exit\n")
t_like "$(marker "$out" IN)" '^[0-9]+$' "su: control: the attacker's shell ran in a box (session $(marker "$out" IN))"
t_is "$(kv "$out" STI0)" EPERM "su: TIOCSTI on stdin is refused (EPERM, seccomp)"
t_is "$(kv "$out" STITTY)" EPERM "su: TIOCSTI on stdout is refused (EPERM, seccomp)"
t_is "$(kv "$out" LNX)" EPERM "su: TIOCLINUX is refused (EPERM, seccomp)"
t_is "$(marker "$out" GOT)" clean-line "su: root's shell after su reads only what root types (nothing injected)"
t_check "su: the injected command did not run on the host" test ! -e "/tmp/lbt-sti-$TAG"

out=$(login_as lbt-alice "$(marker_cmd IN '$LOGINBOX_SESSION')python3 $P STI0 sti 0 'touch /tmp/lbt-sti-$TAG\\\\n' ';' LNX linux 0\nexit\n" 2>&1 | sed 's/\x1b\[[?0-9;]*[a-zA-Z]//g')
t_like "$(marker "$out" IN)" '^[0-9]+$' "login: control: the attacker's shell ran in a box"
t_is "$(kv "$out" STI0)" EPERM "login: TIOCSTI on the terminal is refused (EPERM, seccomp)"
t_is "$(kv "$out" LNX)" EPERM "login: TIOCLINUX is refused (EPERM, seccomp)"
t_check "login: the injected command did not run on the host" test ! -e "/tmp/lbt-sti-$TAG"

# seccomp = none: the kernel lets the terminal's owner push input, but
# the terminal is the box's own pty: the injection is read by the box's
# shell, inside, never by root's shell on the caller's terminal.
{ base_conf; printf '[user.lbt-alice]\nseccomp = none\n'; } | write_conf
# The injected line sits in the box's terminal input once the probe has
# printed STIDONE; what is typed after it is read after it.
out=$(su_pty --send "$(marker_cmd IN '$(sed -n "s/^Seccomp:[[:space:]]*//p" /proc/self/status)')python3 $P STI0 sti 0 'touch /tmp/lbt-sti-$TAG\\\\n'; echo @@\"\"STIDONE@@\n" \
	--expect '@@STIDONE@@' --send "$(marker_cmd INBOX "\$(test -e /tmp/lbt-sti-$TAG && echo yes)")exit\n")
t_is "$(marker "$out" IN)" 0 "su, seccomp = none: control: no filter in the box (Seccomp: 0)"
t_is "$(kv "$out" STI0)" OK "su, seccomp = none: control: TIOCSTI itself works (the kernel allows it on one's own terminal)"
t_is "$(marker "$out" INBOX)" yes "su, seccomp = none: the injected command ran inside the box (its own pty)"
t_is "$(marker "$out" GOT)" clean-line "su, seccomp = none: root's shell after su reads nothing injected"
t_check "su, seccomp = none: the injected command did not run on the host" test ! -e "/tmp/lbt-sti-$TAG"
reset_conf
rm -f "$P" "/tmp/lbt-sti-$TAG"
assert_no_leftovers "terminal attacks: nothing of these sessions remains"
exit 0
