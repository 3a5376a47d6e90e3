// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * event=refuse records (audit_refuse.h).  Field order is fixed and listed
 * in loginbox(8), AUDIT RECORDS.
 */
#include "audit_refuse.h"

#include <syslog.h>

#include <security/pam_ext.h>

#include "audit.h"
#include "config_keys.h"

void lb_pam_audit_refuse(pam_handle_t *pamh, const char *name,
			 const struct lb_user *u, const struct lb_policy *p,
			 const char *reason)
{
	const char *service = NULL, *rhost = NULL, *ruser = NULL;
	struct lb_audit a;

	pam_get_item(pamh, PAM_SERVICE, (const void **)&service);
	pam_get_item(pamh, PAM_RHOST, (const void **)&rhost);
	pam_get_item(pamh, PAM_RUSER, (const void **)&ruser);
	if (!u && !name) /* the user could not be looked up */
		pam_get_item(pamh, PAM_USER, (const void **)&name);
	lb_audit_begin(&a, "refuse");
	lb_audit_str(&a, "user", u ? u->name : name);
	if (u)
		lb_audit_num(&a, "uid", u->uid);
	lb_audit_str(&a, "service", service);
	lb_audit_str(&a, "rhost", rhost);
	lb_audit_str(&a, "ruser", ruser);
	if (p)
		lb_audit_policy(&a, p);
	lb_audit_str(&a, "reason", reason);
	pam_syslog(pamh, LOG_NOTICE, "%s", lb_audit_text(&a));
}
