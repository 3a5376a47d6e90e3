// SPDX-License-Identifier: GPL-2.0-or-later
/* Audit record formatting (helper/common/audit.c): a value a user can
 * choose (remote host name, an error text) can never add a field or a
 * line; absent values are left out; an overlong record says so. */
#include <string.h>

#include "audit.h"
#include "config_keys.h"
#include "tap.h"

int main(void)
{
	struct lb_audit a;
	struct lb_policy p;
	char big[1500];

	lb_audit_begin(&a, "start");
	lb_audit_num(&a, "box", 12);
	lb_audit_str(&a, "user", "alice");
	lb_audit_str(&a, "rhost", "");
	lb_audit_str(&a, "ruser", NULL);
	lb_audit_str(&a, "file", "/etc/loginbox/conf.d/a-b_c.conf");
	is_str(lb_audit_text(&a),
	       "loginbox-audit: event=start box=12 user=alice "
	       "file=/etc/loginbox/conf.d/a-b_c.conf",
	       "bare values; empty and NULL values are left out");

	lb_audit_begin(&a, "refuse");
	lb_audit_str(&a, "rhost", "x user=root\nloginbox-audit: event=start");
	is_str(lb_audit_text(&a),
	       "loginbox-audit: event=refuse rhost=\"x user=root\\x0aloginbox-"
	       "audit: event=start\"",
	       "a space or newline quotes the value; the newline is \\x0a");

	lb_audit_begin(&a, "refuse");
	lb_audit_str(&a, "reason", "say \"hi\" \\ \xc3\xa9\x7f");
	is_str(lb_audit_text(&a),
	       "loginbox-audit: event=refuse reason=\"say \\\"hi\\\" \\\\ "
	       "\\xc3\\xa9\\x7f\"",
	       "quotes and backslashes escaped, non-ASCII and DEL as \\xHH");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	lb_audit_begin(&a, "refuse");
	lb_audit_str(&a, "one", big);
	lb_audit_str(&a, "two", big);
	lb_audit_str(&a, "three", "x");
	ok(strstr(lb_audit_text(&a), big) != NULL, "a long value is kept whole");
	ok(strlen(lb_audit_text(&a)) < sizeof(a.buf), "an overlong record fits");
	ok(strstr(lb_audit_text(&a), " two=") == NULL,
	   "a field that does not fit is left out whole");
	is_str(lb_audit_text(&a) + strlen(lb_audit_text(&a)) -
		       strlen(" truncated=yes"),
	       " truncated=yes", "and the record ends in truncated=yes");

	{
		char huge[3000];

		memset(huge, 'b', sizeof(huge) - 1);
		huge[sizeof(huge) - 1] = '\0';
		lb_audit_begin(&a, "refuse");
		lb_audit_str(&a, "huge", huge);
		is_str(lb_audit_text(&a),
		       "loginbox-audit: event=refuse truncated=yes",
		       "a value longer than a record: left out, marked");
	}

	lb_policy_defaults(&p);
	snprintf(p.section, sizeof(p.section), "group.staff");
	snprintf(p.source, sizeof(p.source), "/etc/loginbox/loginbox.conf");
	p.session.pids_max = 300;
	lb_audit_begin(&a, "start");
	lb_audit_policy(&a, &p);
	is_str(lb_audit_text(&a),
	       "loginbox-audit: event=start section=group.staff "
	       "file=/etc/loginbox/loginbox.conf image=host network=none "
	       "pids_max=300 session=user linger=no max_linger=8h devices=none "
	       "lxcfs=no",
	       "policy fields: section, file, image, network, set limits only, "
	       "lifetime");
	return done_testing();
}
