/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client side of proto.h: run a program in a box and relay.
 *
 * When stdin is a terminal, the program gets a fresh pty of the box's own
 * devpts (so `tty` names a device that exists in the box, and nothing in
 * the box holds the caller's terminal: docs/SECURITY.md, hard spot 5); this
 * process puts the caller's terminal in raw mode and copies bytes both
 * ways, and passes window size changes on.  Otherwise stdin, stdout and
 * stderr themselves are handed to the program (ssh host cmd, scp, sftp,
 * rsync keep their pipes and exit codes), except a stdout or stderr that
 * is a terminal (`su - user -c cmd </dev/null` from root's terminal):
 * the program gets a pipe and this process copies it to the terminal, so
 * no terminal of the caller ever reaches a box (init refuses one too).
 */
#ifndef LB_CLIENT_H
#define LB_CLIENT_H

#include "err.h"
#include "proto.h"

/* Returns 0 and the program's wait status in *wstatus, or -1. */
int lb_client_run(unsigned long id, enum lb_spawn_mode mode,
		  char *const *args, int nargs, char *const *env,
		  int *wstatus, struct lb_err *err);

/* Read one message from the box's init: 1 and *wstatus for EXIT, 0 for
 * PTY (its fd in *master when master is given and *master < 0) and any
 * other type, -1 for ERROR, a malformed message or the close.  No other
 * fd init attaches is kept. */
int lb_client_read_ctl(int sock, int *wstatus, int *master,
		       struct lb_err *err);

/* Exit the calling process the way the program ended. */
void lb_client_exit_like(int wstatus) __attribute__((noreturn));

#endif
