/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The helper's audit records (audit.h): one per box start and per box
 * end, sent with syslog(3) to LOG_AUTHPRIV.  Refused logins are recorded
 * by pam_loginbox, which takes the decision.
 */
#ifndef LB_AUDIT_BOX_H
#define LB_AUDIT_BOX_H

#include <stdbool.h>

#include "session.h"

struct lb_box;

/* Why the next teardown happens: "logout" (the default: the login's
 * close_session, or the helper's own clean-up), "kill", "gc". */
extern const char *box_end_cause;

/* rhost: the login's remote host as PAM reported it, or NULL. */
void box_audit_start(const struct lb_box *b, const char *rhost);
/* ok: whether everything of the box could be removed. */
void box_audit_end(const struct lb_state *st, bool ok);

#endif
