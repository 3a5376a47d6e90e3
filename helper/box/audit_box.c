// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Box start and end records (audit_box.h).  The field order is fixed;
 * loginbox(8) lists every field.  New fields: one line each, here and
 * there.
 */
#include "audit_box.h"

#include <syslog.h>
#include <time.h>

#include "audit.h"
#include "config_keys.h"
#include "box.h"

const char *box_end_cause = "logout";

void box_audit_start(const struct lb_box *b, const char *rhost)
{
	struct lb_audit a;

	lb_audit_begin(&a, b->joined ? "join" : "start");
	lb_audit_num(&a, "box", b->id);
	lb_audit_str(&a, "user", b->user.name);
	lb_audit_num(&a, "uid", b->user.uid);
	lb_audit_str(&a, "service", b->service);
	lb_audit_str(&a, "rhost", rhost);
	lb_audit_num(&a, "login_pid", (unsigned long long)b->owner_pid);
	lb_audit_num(&a, "init_pid", (unsigned long long)b->init_pid);
	lb_audit_policy(&a, &b->pol);
	lb_audit_str(&a, "cgroup", b->have_cgroup ? b->cg_path : NULL);
	/* a join served by the box's keeper, no helper started */
	lb_audit_str(&a, "via", b->via_keeper ? "keeper" : NULL);
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", lb_audit_text(&a));
}

void box_audit_end(const struct lb_state *st, bool ok)
{
	struct lb_audit a;
	long long age = (long long)time(NULL) - st->created;

	lb_audit_begin(&a, "end");
	lb_audit_num(&a, "box", st->id);
	lb_audit_str(&a, "user", st->user);
	lb_audit_num(&a, "uid", st->uid);
	lb_audit_str(&a, "service", st->service);
	lb_audit_str(&a, "image", st->image);
	lb_audit_str(&a, "cause", box_end_cause);
	if (st->created > 0 && age >= 0)
		lb_audit_num(&a, "seconds", (unsigned long long)age);
	lb_audit_str(&a, "result", ok ? "ok" : "incomplete");
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", lb_audit_text(&a));
}
