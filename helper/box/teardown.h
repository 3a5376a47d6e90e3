/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ending boxes (teardown.c): one box by id, or every box whose login or
 * init is gone (gc).  Works from the state file alone (session.h), so the
 * admin command links it without the builder.
 */
#ifndef LB_TEARDOWN_H
#define LB_TEARDOWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

int teardown_session(unsigned long id, struct lb_err *err);
/* The same, for a caller that holds the user's lock (session_lock_user). */
int teardown_session_held(unsigned long id, struct lb_err *err);
/* Tear down boxes whose login or init is gone; returns how many. */
int teardown_gc(bool verbose, struct lb_err *err);
/* The same for one user's boxes only (the login path: another user's slow
 * teardown is never this login's business). */
int teardown_gc_user(uid_t uid, struct lb_err *err);

#endif
