// SPDX-License-Identifier: GPL-2.0-or-later
/* Hostname templates: expansion and the forced hostname shape. */
#include "template.h"

#include "tap.h"

static const char *expand(const char *tmpl, const char *user, const char *host,
			  unsigned long session)
{
	static char out[64];
	struct lb_err err = { 0 };

	if (lb_template_hostname(tmpl, user, host, session, out, sizeof(out),
				 &err) < 0)
		return "(error)";
	return out;
}

int main(void)
{
	char long_user[101], want[64], small[16];
	struct lb_err err = { 0 };

	ok(lb_template_check("%u-box", &err) == 0, "check: %%u-box");
	ok(lb_template_check("%u-%h-%s-%%", &err) == 0, "check: all escapes");
	ok(lb_template_check("plain", &err) == 0, "check: no escapes");
	ok(lb_template_check("%x", &err) < 0, "check: %%x rejected");
	ok(strstr(err.msg, "%x") != NULL, "check: message names %%x (%s)",
	   err.msg);
	ok(err.hint[0] != '\0', "check: hint lists the escapes");
	ok(lb_template_check("box%", &err) < 0, "check: trailing %% rejected");
	ok(lb_template_check("%U", &err) < 0, "check: %%U rejected");
	ok(lb_template_check("", &err) < 0, "check: empty rejected");

	is_str(expand("%u-box", "alice", "srv", 1), "alice-box", "%%u");
	is_str(expand("%h-%u", "bob", "srv1.example.org", 1), "srv1-bob",
	       "%%h is the short hostname");
	is_str(expand("%u-%s", "bob", "srv", 42), "bob-42", "%%s");
	is_str(expand("a%%b", "bob", "srv", 1), "a-b", "%%%% is '%%', made '-'");
	is_str(expand("%u", "john_doe", "srv", 1), "john-doe",
	       "'_' becomes '-'");
	is_str(expand("%u", "a.b@c d", "srv", 1), "a-b-c-d",
	       "'.', '@', ' ' become '-'");
	is_str(expand("%u", "\xc3\x89mile", "srv", 1), "mile",
	       "non-ASCII becomes '-', then trimmed");
	is_str(expand("-%u-", "x", "srv", 1), "x", "leading/trailing '-' trimmed");
	is_str(expand("%u", "_", "srv", 1), "box", "empty result is \"box\"");
	is_str(expand("%u", "", "srv", 1), "box", "empty user is \"box\"");
	is_str(expand("Box-%u", "Alice", "srv", 1), "Box-Alice", "case kept");

	memset(long_user, 'a', 100);
	long_user[100] = '\0';
	memset(want, 'a', 63);
	want[63] = '\0';
	is_str(expand("%u", long_user, "srv", 1), want, "cut to 63 characters");
	long_user[62] = '_';
	want[62] = '\0';
	is_str(expand("%u", long_user, "srv", 1), want,
	       "a '-' at the cut is trimmed");
	is_int(strlen(expand("%u%u%u%u%u", long_user, "srv", 1)), 62,
	       "several long expansions still fit");
	is_str(expand("%x", "alice", "srv", 1), "(error)",
	       "expansion re-checks the template");
	ok(lb_template_hostname("%u", "alice", "srv", 1, small, sizeof(small),
				&err) < 0,
	   "output buffer under 64 bytes refused");
	return done_testing();
}
