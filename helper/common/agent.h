/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssh -A into a box (docs/SECURITY.md, "Agent forwarding").
 *
 * sshd makes the forwarded agent's socket in the host's /tmp, after
 * open_session, where the box cannot see it: a bind mount is not
 * possible.  Instead the box's init serves /run/user/UID/ssh-agent.sock
 * inside, and for each connection asks a live login's loginbox-shell
 * (running on the host as the user) over its control connection
 * (LB_MSG_AGENT) to connect to that login's own agent socket and send the
 * connected socket back (SCM_RIGHTS); init relays between the two.
 *
 * The shell connects only to a socket that is provably sshd's for this
 * login, never to a path the user picked: SSH_AUTH_SOCK must be
 * /tmp/ssh-XXXXXXXXXX/agent.N where N is the shell's parent (the sshd
 * process of the login that listens there), the directory must be the
 * user's with mode 0700, the socket the user's, and the peer of the
 * connection (SO_PEERCRED) process N as the user.  Anything else would
 * hand the box a connection to any host socket the user can reach
 * (docker.sock with a host group, a root daemon that trusts the uid).
 */
#ifndef LB_AGENT_H
#define LB_AGENT_H

#include "err.h"

/* The agent socket's name inside the box, under XDG_RUNTIME_DIR. */
#define LB_AGENT_SOCK_NAME "ssh-agent.sock"

/* Connect to sock_path (SSH_AUTH_SOCK) if it is sshd's agent socket of
 * this login (see above): the connected fd, or -1 with the reason. */
int lb_agent_connect(const char *sock_path, struct lb_err *err);

#endif
