/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one error contract of loginbox (after crun's libcrun_error_t).
 *
 * Every fallible function returns an int: >= 0 on success, < 0 on failure,
 * and takes `struct lb_err *err` as its last argument.  On failure it fills
 * err with the errno it saw, a message naming the syscall and the object
 * ("open /etc/subuid: Permission denied") and, where an admin can act, a
 * hint ("chmod 0644 /etc/loginbox/loginbox.conf").  Only main() (or a child
 * before exec) turns an error into an exit.
 */
#ifndef LB_ERR_H
#define LB_ERR_H

#include <stdbool.h>
#include <stddef.h>

struct lb_err {
	int errnum;      /* errno of the failing call, 0 for a policy error */
	bool admin;      /* set by lb_fail_admin only: see there */
	char msg[768];   /* what failed, on which object */
	char hint[384];  /* what the admin can do about it; may be empty */
};

/* Record a failure; appends strerror(errnum) when errnum != 0. Returns -1. */
int lb_fail(struct lb_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Record a failure that only the admin can cause and the user cannot (the
 * image is missing, the helper is not installed): the one kind of error
 * on_error = allow may turn into an unboxed login.  Every other failure
 * (lb_fail) refuses the login whatever on_error says, because a user who
 * can make the box fail on purpose (a limit hit, their own persistent
 * upper, a full disk, an NSS or subordinate-id error) would otherwise get
 * an unboxed shell.  Call it only where the cause is out of the user's
 * reach, and list the place in loginbox.conf(5) under on_error.
 */
int lb_fail_admin(struct lb_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Attach an admin hint to an already recorded failure. Returns -1. */
int lb_hint(struct lb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the recorded message with context ("user alice: ..."). Returns -1. */
int lb_prefix(struct lb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void lb_err_clear(struct lb_err *err);

/* "msg (hint)" or just "msg", into buf. */
const char *lb_err_text(const struct lb_err *err, char *buf, size_t len);

#endif
