/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Audit records: one syslog line (LOG_AUTHPRIV) per box start and end,
 * and per refused login, for the admin's log tools and fleet monitoring.
 *
 *   loginbox-audit: event=start box=12 user=alice uid=1001 ...
 *
 * key=value pairs, space separated, in a fixed order per event.  A value
 * is written bare when it holds only [A-Za-z0-9._:/@+,=-]; otherwise in
 * double quotes, with \" \\ and \xHH for control and non-ASCII bytes, so
 * a user's remote host name or an error text can never forge a field or
 * a second record.  A field whose value does not exist is left out, never
 * invented.  The fields are listed in loginbox(8), AUDIT RECORDS.
 *
 * Only formatting lives here: the helper sends with syslog(3), the PAM
 * module with pam_syslog(3) (which prefixes the module and service).  No
 * journal library: journald indexes these lines by SYSLOG_IDENTIFIER.
 */
#ifndef LB_AUDIT_H
#define LB_AUDIT_H

#include <stddef.h>

#define LB_AUDIT_PREFIX "loginbox-audit:"

struct lb_audit {
	char buf[2048];
	size_t len;
};

/* Start a record: the prefix and event=EVENT. */
void lb_audit_begin(struct lb_audit *a, const char *event);
/* One field; NULL or "" leaves it out. */
void lb_audit_str(struct lb_audit *a, const char *key, const char *val);
void lb_audit_num(struct lb_audit *a, const char *key, unsigned long long v);
/* The policy's fields: lb_audit_policy() (config_keys.h). */
/* The record so far (always NUL-terminated; a record too long for the
 * buffer ends in " truncated=yes"). */
const char *lb_audit_text(struct lb_audit *a);

#endif
