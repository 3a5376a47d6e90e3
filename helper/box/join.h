/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * session = user: a login joins the user's live box instead of building
 * one (join.c).  Building, joining and ending one user's boxes are
 * serialised by the per-user lock (session_lock_user): a login never
 * joins a box that is being built or torn down, it waits for the outcome.
 */
#ifndef LB_JOIN_H
#define LB_JOIN_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "err.h"
#include "session.h"

struct lb_box;

/* The policy's linger in seconds, capped by max_linger. */
unsigned box_linger(const struct lb_policy *p);

/* Hash of the resolved policy (image included), as hex. */
int join_hash(const struct lb_policy *p, char *out, size_t len);

/* 1: joined a live box (b->id, init_pid, netns_fd set); 0: build one
 * (with session = user the user's lock is held in b->user_lock_fd until
 * the helper exits); <0: refused. */
int join_box(struct lb_box *b, struct lb_err *err);

/* Waiting for a build or a teardown of the user's box. */
#define JOIN_LOCK_MS 30000

/* A login of box id leaves (the user's lock waited for up to lock_ms; 0:
 * not at all, the keeper's way).  1: other logins keep the box; 0: the
 * caller tears it down (*lockfd: the user's lock, held, or -1). */
int join_leave(unsigned long id, pid_t login, unsigned lock_ms, int *lockfd,
	       struct lb_err *err);

/* gc: a lingering box (no login) whose user is locked, expired, gone or
 * no longer boxed, which must end now. */
bool join_linger_void(const struct lb_state *st);

#endif
