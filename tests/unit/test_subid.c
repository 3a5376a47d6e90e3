// SPDX-License-Identifier: GPL-2.0-or-later
/* /etc/subuid parsing, on strings and on temporary files (never /etc). */
#include "subid.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

static const char text[] =
	"# comment\n"
	"\n"
	"root:10000:1000\n"
	"bob:garbage\n"                /* malformed, not alice's */
	"carol:1:2:3\n"                /* malformed, not alice's */
	"alice:200000:1000\n"          /* too small, skipped */
	"alice:300000:65536\n"
	"1002:400000:65536\n"
	"dave:500000:100\n"
	"erin:4294967200:1000\n";      /* overflows, not alice's */

static void t_parse(void)
{
	struct lb_subid_range r = { 0, 0 };
	struct lb_err err = { 0 };

	ok(lb_subid_parse(text, "/etc/subuid", "alice", 1001, 65536, &r,
			  &err) == 0,
	   "alice found by name, past malformed lines of others");
	is_int(r.start, 300000, "alice: first range big enough");
	is_int(r.count, 65536, "alice: count");
	ok(lb_subid_parse(text, "/etc/subuid", "frank", 1002, 65536, &r,
			  &err) == 0 && r.start == 400000,
	   "frank found by decimal uid");
	ok(lb_subid_parse(text, "/etc/subuid", "alice", 1001, 1000, &r,
			  &err) == 0 && r.start == 200000,
	   "smaller need takes the first range");

	ok(lb_subid_parse(text, "/etc/subuid", "grace", 1003, 65536, &r,
			  &err) < 0, "missing user");
	is_str(err.msg, "user grace has no range in /etc/subuid",
	       "missing user: message");
	ok(strstr(err.hint, "usermod --add-subuids") &&
		   strstr(err.hint, "grace") && strstr(err.hint, "65536 ids"),
	   "missing user: usermod hint (%s)", err.hint);
	ok(strstr(err.hint, "4294967296-") == NULL,
	   "missing user: hint does not count the overflowing line");
	ok(lb_subid_parse(text, "/etc/subgid", "grace", 1003, 65536, &r,
			  &err) < 0 && strstr(err.hint, "--add-subgids"),
	   "subgid file: --add-subgids hint");

	ok(lb_subid_parse(text, "/etc/subuid", "dave", 1004, 65536, &r,
			  &err) < 0, "range too small");
	ok(strstr(err.msg, "100") && strstr(err.msg, "65536"),
	   "too small: says how many it has and needs (%s)", err.msg);

	ok(lb_subid_parse("bob:garbage\n", "/etc/subuid", "bob", 1005, 65536,
			  &r, &err) < 0 && strstr(err.msg, "line 1"),
	   "malformed line of the user is an error (%s)", err.msg);
	ok(lb_subid_parse("bob:0x10:65536\n", "/etc/subuid", "bob", 1005, 1,
			  &r, &err) < 0, "hex start refused for the user");
	ok(lb_subid_parse("bob:100000:65536:\n", "/etc/subuid", "bob", 1005, 1,
			  &r, &err) < 0, "extra field refused for the user");
	ok(lb_subid_parse("bob:4294967200:1000\n", "/etc/subuid", "bob", 1005,
			  1, &r, &err) < 0, "range past 2^32 refused");
	ok(lb_subid_parse("bob:100000:65536", "/etc/subuid", "bob", 1005,
			  65536, &r, &err) == 0,
	   "last line without newline");
	ok(lb_subid_parse("bobby:100000:65536\n", "/etc/subuid", "bob", 1005,
			  65536, &r, &err) < 0, "name prefix does not match");
	ok(lb_subid_parse("01005:100000:65536\n", "/etc/subuid", "bob", 1005,
			  65536, &r, &err) < 0,
	   "uid owner must be the canonical decimal");
	ok(lb_subid_parse("", "/etc/subuid", "bob", 1005, 65536, &r, &err) < 0,
	   "empty file");
}

static void t_lookup(void)
{
	char dir[] = "/tmp/lb-subid-XXXXXX", file[64], link[64];
	struct lb_subid_range r;
	struct lb_err err = { 0 };
	int fd;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(file, sizeof(file), "%s/subuid", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	if (write(fd, text, sizeof(text) - 1) < 0)
		diag("write failed");
	close(fd);
	chmod(file, 0644);

	if (geteuid() == 0) {
		ok(lb_subid_lookup(file, "alice", 1001, 65536, &r, &err) == 0 &&
			   r.start == 300000,
		   "lookup: root-owned file read");
	} else {
		ok(lb_subid_lookup(file, "alice", 1001, 65536, &r, &err) < 0 &&
			   strstr(err.msg, "not root"),
		   "lookup: file not owned by root refused (%s)", err.msg);
	}
	chmod(file, 0666);
	ok(lb_subid_lookup(file, "alice", 1001, 65536, &r, &err) < 0,
	   "lookup: world-writable file refused");
	chmod(file, 0664);
	ok(lb_subid_lookup(file, "alice", 1001, 65536, &r, &err) < 0,
	   "lookup: group-writable file refused");
	ok(geteuid() != 0 || strstr(err.msg, "writable"),
	   "lookup: message says writable (%s)", err.msg);
	if (symlink(file, link) < 0)
		diag("symlink failed");
	ok(lb_subid_lookup(link, "alice", 1001, 65536, &r, &err) < 0 &&
		   strstr(err.msg, "symbolic link"),
	   "lookup: symlink refused (%s)", err.msg);
	ok(lb_subid_lookup(dir, "alice", 1001, 65536, &r, &err) < 0,
	   "lookup: directory refused");
	unlink(link);
	unlink(file);
	ok(lb_subid_lookup(file, "alice", 1001, 65536, &r, &err) < 0 &&
		   err.errnum != 0,
	   "lookup: missing file (%s)", err.msg);
	rmdir(dir);
}

/* Ranges that others hold: another user's line, an account's id. */
static void t_owned(void)
{
	static const char sub[] =
		"alice:300000:65536\n"
		"bob:400000:65536\n"
		"carol:365535:10\n"            /* inside alice's last id */
		"1002:500000:65536\n";
	static const char pw[] =
		"root:x:0:0:root:/root:/bin/sh\n"
		"alice:x:1001:1001::/home/alice:/bin/sh\n"
		"svc:x:410000:410000::/:/bin/false\n";
	struct lb_subid_range r = {300000, 65536};
	struct lb_err err = {0};

	ok(lb_subid_check_others(sub, "/etc/subuid", "alice", 1001, &r,
				 &err) < 0 &&
	   strstr(err.msg, "/etc/subuid line 3: the range of carol "
			   "(365535-365544) overlaps the range of alice "
			   "(300000-365535, line 1)") &&
	   strstr(err.hint, "usermod --del-subuids 365535-365544 carol"),
	   "another user's overlapping line refused (%s / %s)", err.msg,
	   err.hint);
	r = (struct lb_subid_range){400000, 65536};
	lb_err_clear(&err);
	ok(lb_subid_check_others(sub, "/etc/subuid", "bob", 1003, &r, &err) ==
		   0,
	   "a disjoint range passes (%s)", err.msg);
	r = (struct lb_subid_range){500000, 65536};
	ok(lb_subid_check_others(sub, "/etc/subuid", "dave", 1002, &r, &err) ==
		   0,
	   "the user's own line by uid is not another's");
	r = (struct lb_subid_range){400000, 65536};
	ok(lb_subid_check_accounts(pw, "/etc/passwd", "/etc/subuid", "bob", &r,
				   &err) < 0 &&
	   strstr(err.msg, "holds uid 410000 of svc (/etc/passwd line 3)") &&
	   strstr(err.hint, "usermod --del-subuids 400000-465535 bob"),
	   "a range holding an account's uid refused (%s / %s)", err.msg,
	   err.hint);
	r = (struct lb_subid_range){1000, 65536};
	ok(lb_subid_check_accounts(pw, "/etc/passwd", "/etc/subuid", "alice",
				   &r, &err) < 0 &&
	   strstr(err.msg, "holds uid 1001 of alice"),
	   "a range holding the user's own uid refused (%s)", err.msg);
	r = (struct lb_subid_range){300000, 65536};
	lb_err_clear(&err);
	ok(lb_subid_check_accounts(pw, "/etc/passwd", "/etc/subuid", "alice",
				   &r, &err) == 0,
	   "a range clear of accounts passes (%s)", err.msg);
}

int main(void)
{
	t_parse();
	t_lookup();
	t_owned();
	return done_testing();
}
