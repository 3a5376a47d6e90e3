#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Classic attacks on executables (CVE-2019-5736 and kin): overwrite the
# binary behind /proc/self/exe or behind /proc/1/exe (the box's init is a
# fork of the host's loginbox-helper, so /proc/1/exe is a host binary),
# re-exec init's binary, and write through the image's lower layer.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/classic_lib.sh"

reset_conf
PY=$(readlink -f /usr/bin/python3)
sum() { sha256sum "$1" | cut -d' ' -f1; }
PY_SUM=$(sum "$PY")
HELPER_SUM=$(sum "$LB_HELPER")
ENV_SUM=$(sum /usr/bin/env)

for u in lbt-alice lbt-root; do
	P=$(hc_put "$u")
	who=${u#lbt-}
	out=$(ssh_as "$u" "echo @@IN=\$(id -u)@@; python3 $P \
		SELF readlink /proc/self/exe \; SELFW append /proc/self/exe LBT-OWNED \; \
		INIT read /proc/1/comm \; INITLINK readlink /proc/1/exe \; \
		INITR open /proc/1/exe r \; INITW open /proc/1/exe w \; INITP open /proc/1/exe path \; \
		INITX exec /proc/1/exe" 2>&1)
	t_like "$(marker "$out" IN)" '^[0-9]+$' "$who: the probe ran inside the box"
	t_is "$(kv "$out" SELF)" "$PY" "$who: control: /proc/self/exe names the running python ($PY)"
	if [ "$u" = lbt-alice ]; then
		t_is "$(kv "$out" SELFW)" EACCES "$who: writing through /proc/self/exe is refused (EACCES: the file is box root's)"
	else
		# Box root owns the image's files: the write may go to the
		# overlay's copy (or ETXTBSY); the host binary must not change.
		t_like "$(kv "$out" SELFW)" '^(OK|ETXTBSY|EROFS|EACCES|EPERM)$' "$who: the write through /proc/self/exe was tried ($(kv "$out" SELFW))"
	fi
	t_is "$(sum "$PY")" "$PY_SUM" "$who: the host's $PY is unchanged after the write through /proc/self/exe"
	t_is "$(kv "$out" INIT)" loginbox-init "$who: control: /proc/1 is the box's loginbox-init"
	t_is "$(kv "$out" INITLINK)" EACCES "$who: readlink /proc/1/exe is refused (EACCES: init is not dumpable)"
	t_is "$(kv "$out" INITR)" EACCES "$who: opening /proc/1/exe for reading is refused (EACCES)"
	t_is "$(kv "$out" INITW)" EACCES "$who: opening /proc/1/exe for writing is refused (EACCES)"
	t_is "$(kv "$out" INITP)" EACCES "$who: even an O_PATH open of /proc/1/exe is refused (EACCES)"
	t_is "$(kv "$out" INITX)" EACCES "$who: execve(/proc/1/exe) (a copy of the host helper inside) is refused (EACCES)"
	t_is "$(sum "$LB_HELPER")" "$HELPER_SUM" "$who: the host's $LB_HELPER is unchanged"
	rm -f "$P"
done

# The same from a nested user namespace, where box root holds every
# capability of its own namespace.
P=$(hc_put lbt-root)
out=$(ssh_as lbt-root "unshare -Ur sh -c 'echo @@NESTED=\$(cat /proc/self/uid_map | tr -s \" \" | tr \" \" _)@@; python3 $P INITW open /proc/1/exe w \; PT ptrace 1 \; INITLINK readlink /proc/1/exe'" 2>&1)
t_like "$(marker "$out" NESTED)" '^_?0_0_1' "nested userns: the probe runs as root of a nested user namespace"
t_is "$(kv "$out" INITW)" EACCES "nested userns: opening /proc/1/exe for writing is refused (EACCES)"
t_is "$(kv "$out" INITLINK)" EACCES "nested userns: readlink /proc/1/exe is refused (EACCES)"
rm -f "$P"

# The lower layer is read-only: box root changes the box's files in its
# own upper layer only.
out=$(ssh_as lbt-root 'printf "\n# LBT-OWNED\n" >>/usr/bin/env && echo "@@W=ok@@"; echo "@@T=$(tail -c 12 /usr/bin/env | tr -d "\n")@@"; f=$(grep -o "upperdir=[^,]*" /proc/self/mountinfo | head -n1); echo "@@UP=$f@@"' 2>&1)
t_is "$(marker "$out" W)" ok "root: box root can append to /usr/bin/env inside (it owns the image's files)"
t_is "$(marker "$out" T)" "# LBT-OWNED" "root: control: the box sees its change in /usr/bin/env"
t_is "$(sum /usr/bin/env)" "$ENV_SUM" "root: the host's /usr/bin/env is unchanged (the lower layer is read-only)"

# An image's lower layer is read-only as well.
make_image lbt-ro
echo "image file" >"$LB_IMAGES/lbt-ro/etc/lbt-data"
IMG_SUM=$(sum "$LB_IMAGES/lbt-ro/etc/lbt-data")
{ base_conf; printf '[user.lbt-root]\nimage = lbt-ro\nshell = /bin/sh\n'; } | write_conf
out=$(ssh_as lbt-root 'echo LBT-OWNED >>/etc/lbt-data && echo "@@W=ok@@"; rm -f /etc/passwd && echo "@@RM=ok@@"' 2>&1)
t_is "$(marker "$out" W)" ok "image: box root can change the image's /etc/lbt-data inside"
t_is "$(sum "$LB_IMAGES/lbt-ro/etc/lbt-data")" "$IMG_SUM" "image: the image's /etc/lbt-data on the host is unchanged"
t_is "$(marker "$out" RM)" ok "image: box root can remove the image's /etc/passwd inside"
t_check "image: the image's /etc/passwd on the host is still there" test -s "$LB_IMAGES/lbt-ro/etc/passwd"
reset_conf
rm -rf "${LB_IMAGES:?}/lbt-ro"

assert_no_leftovers "proc exe attacks: nothing of these sessions remains"
exit 0
