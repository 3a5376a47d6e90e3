// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The box's network: a fresh network namespace with only loopback, up
 * (network = none).  SIOCSIFFLAGS on an inet socket is all it takes; no
 * rtnetlink needed for one flag.
 */
#include "box.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macros.h"

int net_lo_up(struct lb_err *err)
{
	cleanup_close int s = -1;
	struct ifreq ifr;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return lb_fail(err, errno, "socket for lo");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return lb_fail(err, errno, "SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return lb_fail(err, errno, "bring lo up");
	return 0;
}
