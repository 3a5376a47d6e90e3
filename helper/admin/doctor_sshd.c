// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: sshd and the other host-side doors around the box (doctor.h,
 * hostdoors.c): the generated drop-in present and what the config asks
 * for, sshd's effective settings for one user of each boxed section,
 * /etc/ssh/sshrc, and a mail server that would run ~/.forward pipes on
 * the host.
 */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hostdoors.h"
#include "macros.h"

static void run(struct lb_doctor *d, const char *name,
		int (*fn)(const struct lb_config *, FILE *), const char *ok)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return;
	fn(d->cfg, m);
	fclose(m);
	lb_doc_lines(d, name, text, LB_DOC_WARN, ok);
}

static int sshrc(const struct lb_config *cfg, FILE *out)
{
	return lb_sshrc_door(out);
}

static int mta(const struct lb_config *cfg, FILE *out)
{
	return lb_mta_doors(out);
}

void lb_doctor_sshd(struct lb_doctor *d)
{
	if (!lb_doc_anyone_boxed(d->cfg)) {
		lb_doc_add(d, LB_DOC_OK, "sshd", NULL,
			   "nobody is boxed: no door to a box");
		return;
	}
	if (access("/etc/ssh/sshd_config", F_OK) != 0) {
		lb_doc_add(d, LB_DOC_OK, "sshd", NULL, "not installed");
	} else {
		run(d, "sshd drop-in", lb_dropin_doors,
		    LB_SSHD_DROPIN " is what the config asks for");
		run(d, "sshd settings", lb_sshd_doors,
		    "~/.ssh/rc, unix-socket forwarding, tunnels, "
		    "PermitUserEnvironment, AcceptEnv and sftp are closed for "
		    "boxed users, and X11 is off or safe");
		run(d, "/etc/ssh/sshrc", sshrc, "absent");
	}
	run(d, "mail server", mta, "none that runs ~/.forward pipes");
}
