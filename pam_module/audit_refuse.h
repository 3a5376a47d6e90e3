/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef LB_AUDIT_REFUSE_H
#define LB_AUDIT_REFUSE_H

#include <security/pam_modules.h>

#include "config.h"
#include "user.h"

/*
 * The audit record of a refused login (audit.h, event=refuse), written
 * here because the module takes the decision (on_error, deny, the login
 * shell, su's arguments) and knows the login's service and remote host.
 * Sent with pam_syslog (LOG_AUTHPRIV): nothing beyond libpam and libc is
 * linked into the login process.  u and p may be NULL (the user or the
 * config could not be read); name NULL means PAM_USER.
 */
void lb_pam_audit_refuse(pam_handle_t *pamh, const char *name,
			 const struct lb_user *u, const struct lb_policy *p,
			 const char *reason);

#endif
