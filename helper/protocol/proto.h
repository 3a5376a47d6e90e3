/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol between a client outside the box (loginbox-shell,
 * `loginbox run`) and the box's init (PID 1 inside).
 *
 * The box's root-owned user namespace cannot be joined by the user's own
 * processes (docs/SECURITY.md), so the user's shell does not setns: it
 * connects to /run/loginbox/ID/control (a SOCK_SEQPACKET socket owned by
 * the user, mode 0600), init checks SO_PEERCRED, and init starts the
 * program inside the box on the client's behalf.
 *
 *   client -> init   LB_MSG_SPAWN  header + argv and env strings; in direct
 *                                  mode with stdin/stdout/stderr attached
 *                                  (SCM_RIGHTS)
 *   init -> client   LB_MSG_PTY    in pty mode: the master of a fresh pty
 *                                  of the box's own devpts (SCM_RIGHTS)
 *   client -> init   LB_MSG_SIGNAL forward a signal to the program's group
 *   init -> client   LB_MSG_EXIT   wait status of the program
 *   init -> client   LB_MSG_ERROR  the program could not be started
 *   init -> client   LB_MSG_AGENT  a box process opened the agent socket:
 *                                  connect to this login's agent (agent.h)
 *   client -> init   LB_MSG_AGENT  that connection (SCM_RIGHTS), or
 *                    LB_MSG_ERROR  why not
 * A closed connection makes init hang up the program (SIGHUP to its
 * session), as a terminal hangup would.
 */
#ifndef LB_PROTO_H
#define LB_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define LB_PROTO_MAGIC 0x4c42u /* "LB" */
#define LB_PROTO_MAX 131072    /* one message, argv + env included */

enum lb_msg_type {
	LB_MSG_SPAWN = 1,
	LB_MSG_PTY,
	LB_MSG_SIGNAL,
	LB_MSG_EXIT,
	LB_MSG_ERROR,
	LB_MSG_INIT, /* keeper -> helper: init's pid, its pidfd attached
		      * (keeper.h; never on a user's socket) */
	LB_MSG_AGENT, /* init -> client: connect to your agent (agent.h);
		       * client -> init: the same, the connection attached
		       * (or LB_MSG_ERROR with the refusal) */
};

enum lb_spawn_mode {
	LB_SPAWN_LOGIN = 1, /* the policy shell as a login shell ("-bash") */
	LB_SPAWN_COMMAND,   /* shell -c STRING (argv[0] is the string) */
	LB_SPAWN_EXEC,      /* execvp argv as given */
	LB_SPAWN_SHELL,     /* the policy shell, interactive, not login */
};

struct lb_msg_hdr {
	uint16_t magic;
	uint16_t type;
	uint32_t len; /* whole message, header included */
};

struct lb_msg_spawn {
	struct lb_msg_hdr hdr;
	uint32_t mode;      /* enum lb_spawn_mode */
	uint32_t pty;       /* 1: allocate a pty inside the box */
	uint16_t rows, cols;
	uint32_t argc, envc;
	/* followed by argc + envc NUL-terminated strings */
};

struct lb_msg_int {
	struct lb_msg_hdr hdr;
	int32_t value; /* signal number, wait status */
};

struct lb_msg_error {
	struct lb_msg_hdr hdr;
	char text[512];
};

/* Send one message with up to 3 fds attached. */
int lb_proto_send(int sock, const void *msg, size_t len, const int *fds,
		  int nfds, struct lb_err *err);

/*
 * Receive one message into buf (cap bytes).  Attached fds are stored in
 * fds[0..*nfds) and belong to the caller, who must close or keep each one
 * (lb_proto_close_fds).  Returns the message length; 0 on orderly close
 * (no fds then); -1 on error or a malformed message: truncated data or
 * control data, or more than maxfds fds (all of them closed then).
 */
ssize_t lb_proto_recv(int sock, void *buf, size_t cap, int *fds, int maxfds,
		      int *nfds, struct lb_err *err);

/* Close fds[0..*nfds) (entries < 0 are skipped) and set *nfds to 0. */
void lb_proto_close_fds(int *fds, int *nfds);

int lb_proto_send_int(int sock, enum lb_msg_type type, int32_t value,
		      struct lb_err *err);

#endif
