/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Calling loginbox-helper from a root process (pam_loginbox, loginbox run),
 * the pam_mkhomedir way: fork + exec at the compiled-in absolute path, an
 * empty environment (PATH only), stdin/stdout/stderr on /dev/null, every
 * other fd closed but the reply socket on fd 3, signal mask and SIGCHLD
 * reset for the call, exit status read back.
 */
#ifndef LB_HELPER_CALL_H
#define LB_HELPER_CALL_H

#include <sys/types.h>

#include "err.h"

#define LB_HELPER_REPLY_FD 3

/* Build a box for user; returns its id, the box's netns fd, and the pid
 * of the box's init, which is the caller's child (the helper clones it
 * with CLONE_PARENT) and must be given back to lb_helper_close. */
int lb_helper_open(const char *user, const char *service, unsigned long *id,
		   int *netns_fd, pid_t *init_pid, struct lb_err *err);

/* End a box, and reap its init when it is the caller's child. */
int lb_helper_close(unsigned long id, pid_t init_pid, struct lb_err *err);

#endif
