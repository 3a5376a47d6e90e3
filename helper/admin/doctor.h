/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `loginbox doctor [--json]`: is this host ready for boxes?  One result
 * per check, each "ok", "warn" (something will not work as the policy
 * says, or a door stays open) or "error" (logins of some boxed user will
 * be refused, or a box would not be the boundary it should be).  The exit
 * status is 0 when all pass, 1 with warnings only, 2 with errors.
 *
 * One file per group of checks, each adding its results through
 * lb_doc_add():
 *   doctor_kernel.c  user namespaces; overlayfs and idmapped mounts,
 *                    probed for real in a child's private mount namespace
 *   doctor_cgroup.c  cgroup v2: where, controllers, delegation, limits
 *   doctor_ids.c     every range of /etc/subuid and /etc/subgid
 *   doctor_pam.c     /etc/shells and the PAM stacks (pam_doors.c)
 *   doctor_sshd.c    the sshd drop-in and the host doors (hostdoors.c)
 *   doctor_images.c  the store and the images and devices policies name
 *   doctor_net.c     bridge networking and /dev/net/tun
 */
#ifndef LB_DOCTOR_H
#define LB_DOCTOR_H

#include <stdbool.h>

#include "config.h"

enum lb_doc_status { LB_DOC_OK, LB_DOC_WARN, LB_DOC_ERROR };

struct lb_doc_result {
	enum lb_doc_status status;
	char *name, *message, *fix; /* message and fix may be "" */
};

struct lb_doctor {
	const struct lb_config *cfg;
	int n, cap;
	struct lb_doc_result *r;
};

/* One result; `fix` may be NULL (nothing to do, or an ok). */
__attribute__((format(printf, 5, 6))) void
lb_doc_add(struct lb_doctor *d, enum lb_doc_status st, const char *name,
	   const char *fix, const char *fmt, ...);

/*
 * Turn the findings of an older report ("warning: WHAT; fix: FIX" or
 * "error: ..." lines, as `loginbox check` printed them) into results
 * named `name`; with none, one ok result with `ok_msg`.  `status` is what
 * a "warning:" line counts as.  Returns how many findings there were.
 */
int lb_doc_lines(struct lb_doctor *d, const char *name, const char *text,
		 enum lb_doc_status status, const char *ok_msg);

/* Does anybody get a box under this config (a group or user section
 * that boxes, or a default section)? */
bool lb_doc_anyone_boxed(const struct lb_config *cfg);

/* The limits value that applies to a section: its own, else [global]. */
int lb_doc_section_limits(const struct lb_config *cfg,
			  const struct lb_section *s);

void lb_doctor_kernel(struct lb_doctor *d);
void lb_doctor_cgroup(struct lb_doctor *d);
void lb_doctor_ids(struct lb_doctor *d);
void lb_doctor_pam(struct lb_doctor *d);
void lb_doctor_sshd(struct lb_doctor *d);
void lb_doctor_images(struct lb_doctor *d);
void lb_doctor_net(struct lb_doctor *d);

/* loginbox doctor [--json]: the exit status. */
int lb_doctor_main(int argc, char **argv);

#endif
