// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: /etc/shells and the PAM stacks of the services a boxed user
 * logs in through (doctor.h).  The stacks are read by pam_doors.c, as
 * Linux-PAM reads them: the module present and `required` (in
 * common-session or the service), no pam_env.so user_readenv=1 after its
 * last line (sshd's stock stack needs the `scrub` line, hostdoors.h), no
 * pam_exec.so in between, and pam_mkhomedir.so before it.
 */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostdoors.h"
#include "macros.h"
#include "paths.h"

static void shells(struct lb_doctor *d)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/etc/shells", "re");

	while (f && !found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = !strcmp(line, LB_SHELL_PATH);
	}
	if (f)
		fclose(f);
	if (found)
		lb_doc_add(d, LB_DOC_OK, "/etc/shells", NULL, "lists %s",
			   LB_SHELL_PATH);
	else
		lb_doc_add(d, LB_DOC_WARN, "/etc/shells",
			   "add-shell " LB_SHELL_PATH,
			   "%s is not listed: chsh and services that check "
			   "/etc/shells refuse boxed users",
			   LB_SHELL_PATH);
}

static void stack(struct lb_doctor *d, const char *service)
{
	cleanup_free char *text = NULL;
	char path[64], name[64];
	size_t len = 0;
	FILE *m;

	snprintf(path, sizeof(path), "/etc/pam.d/%s", service);
	if (access(path, F_OK) != 0)
		return; /* not installed: no way in */
	m = open_memstream(&text, &len);
	if (!m)
		return;
	lb_pam_doors(service, m);
	lb_pam_mkhomedir(service, m);
	fclose(m);
	snprintf(name, sizeof(name), "PAM %s", service);
	lb_doc_lines(d, name, text, LB_DOC_WARN,
		     "pam_loginbox.so is required in its session stack, with "
		     "nothing a user's environment reaches after it");
}

void lb_doctor_pam(struct lb_doctor *d)
{
	static const char *const services[] = {"sshd", "su", "su-l", "login",
					       NULL};
	int i;

	shells(d);
	if (!lb_doc_anyone_boxed(d->cfg)) {
		lb_doc_add(d, LB_DOC_OK, "PAM", NULL,
			   "nobody is boxed: the stacks are not checked");
		return;
	}
	for (i = 0; services[i]; i++)
		stack(d, services[i]);
}
