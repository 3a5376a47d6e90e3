/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The box's side of ssh -A: see agent_box.c and helper/common/agent.h. */
#ifndef LB_AGENT_BOX_H
#define LB_AGENT_BOX_H

#include <sys/types.h>

#include "box.h"

/* In init, after pivot_root: listen on /run/user/UID/ssh-agent.sock. */
int agent_listen(const struct lb_box *b, struct lb_err *err);
/* The login (host pid, from the peer's cgroup leaf) of an accepted
 * connection; 0 unknown; -1 a peer that is not the user. */
pid_t agent_peer_login(int fd, uid_t uid);
/* Fork a relay between the two connections (the caller closes its own). */
void agent_relay(int in_box, int agent, uid_t uid, gid_t gid);

#endif
