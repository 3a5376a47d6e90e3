/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one reply of loginbox-helper on its reply socket (helper_call.h),
 * written and read only here:
 *
 *   ok ID PID           the box is built (its netns fd attached)
 *   ok                  "close" is done
 *   error MSG\nHINT     a failure: the login is refused, whatever on_error
 *                       says
 *   error-admin MSG\nHINT
 *                       a failure only the admin can cause (err.h,
 *                       lb_fail_admin): on_error = allow may let the login
 *                       in unboxed
 *
 * HINT may be empty.  Anything else is not a reply.
 */
#ifndef LB_REPLY_H
#define LB_REPLY_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

enum lb_reply { LB_REPLY_NONE, LB_REPLY_OK, LB_REPLY_ERROR };

/* The reply of a built or joined box: "ok ID PID". */
void lb_reply_format_open(unsigned long id, pid_t init_pid, char *buf,
			  size_t len);

/* The error reply for err into buf (truncated to fit). */
void lb_reply_format_error(const struct lb_err *err, char *buf, size_t len);

/*
 * Classify a reply (NUL-terminated).  LB_REPLY_ERROR fills err (message,
 * hint and its class); LB_REPLY_OK leaves *args pointing after "ok" (the
 * rest of the line, maybe ""); LB_REPLY_NONE for anything else.
 */
enum lb_reply lb_reply_parse(const char *buf, const char **args,
			     struct lb_err *err);

/*
 * Receive one reply message on sock (the helper's reply socket, a keeper's
 * join socket): its text NUL-terminated into buf (cap bytes, one kept for
 * the NUL), at most one attached fd into *fd (-1 if none).  Returns the
 * text's length; 0 when the peer closed without a reply; -1 on an error
 * or a truncated message or control data (any fd closed then, buf "").
 */
ssize_t lb_reply_recv(int sock, char *buf, size_t cap, int *fd);

#endif
