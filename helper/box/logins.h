/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The set of logins a box serves (session = user: every login of the
 * user joins one box; session = login: a set of one).
 *
 * Init holds a pidfd of each login process (sshd's privileged process,
 * su, login) and ends the box when the last one is gone.  Root (the
 * helper, loginbox(8)) talks to init over /run/loginbox/ID/logins, a
 * SOCK_SEQPACKET socket owned by host root, mode 0600: only host root can
 * connect (the box's processes cannot see the path, and the user is not
 * root).  One request, one reply:
 *
 *   J PID START  + the login's pidfd and its cgroup leaf (SCM_RIGHTS;
 *                  the leaf is optional)           ->  K COUNT | E TEXT
 *   L PID START                                    ->  K COUNT [linger]
 *   Q                                              ->  K COUNT PID:START...
 *
 * PID and START (/proc/PID/stat start time) are checked by the root
 * caller against the pidfd it opened; init, in its own pid namespace,
 * cannot read host pids and only keeps them to name the logins.  A J of
 * a PID START already in the set keeps its one slot (K COUNT): a login
 * whose keeper join (keeper_serve.c) answered after the login gave up
 * on it joins again through the helper, and is still one login.
 *
 * linger: when the last login is gone and the box still has processes
 * (a tmux server, a nohup job), init keeps the box that many seconds (a
 * login joining meanwhile ends the wait), then ends it; with no process
 * left it ends at once.  "K 0 linger" tells the leaving login's helper
 * not to tear the box down.
 */
#ifndef LB_LOGINS_H
#define LB_LOGINS_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/* The most logins one box serves; one more is refused (join.c). */
#define LB_MAX_LOGINS 64

/* init side */
void logins_init(int listen_fd, int first_pidfd, int first_cgfd, pid_t pid,
		 unsigned long long start, unsigned linger_sec);
/* The cgroup leaf of login pid (host pid), or -1. */
int logins_cgroup_fd(pid_t pid);
/* Append the socket and the pidfds to p; returns how many were added. */
int logins_poll_fds(struct pollfd *p, int max);
/* Handle the revents of the n entries logins_poll_fds added; true when
 * the last login is gone and the box must end. */
bool logins_handle(const struct pollfd *p, int n);
/* poll timeout while the box lingers (no login, processes left), else -1 */
int logins_timeout_ms(void);
int logins_count(void);

/* root side: one request to box id's init; the reply in buf.  fd (or -1)
 * is attached. */
int logins_request(unsigned long id, const char *req, int fd, char *buf,
		   size_t cap, struct lb_err *err);
int logins_request_fds(unsigned long id, const char *req, const int *fds,
		       int nfds, char *buf, size_t cap, struct lb_err *err);
/* Create /run/loginbox/ID/logins (listening) in dirfd. */
int logins_listen(int dirfd, const char *dir, struct lb_err *err);

#endif
