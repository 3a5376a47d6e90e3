/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host-side doors around the box: what sshd, su, login and a mail server
 * run or serve on the host, outside the box, for a boxed user
 * (docs/SECURITY.md, "Side doors" and "The login's environment").
 *
 *   lb_sshd_dropin()   the sshd_config drop-in that closes sshd's doors
 *                      for the boxed groups and users of the config
 *   lb_host_doors()    `loginbox check`'s findings, one line each:
 *                      "warning: FILE: what is open; fix: what to do"
 */
#ifndef LB_HOSTDOORS_H
#define LB_HOSTDOORS_H

#include <stdio.h>

#include "config.h"

#define LB_SSHD_DROPIN "/etc/ssh/sshd_config.d/loginbox.conf"

/* The line that goes after pam_env.so user_readenv=1 (pam_loginbox(8)):
 * a failure counts, a module that is gone (package removed) does not lock
 * everybody out of sshd. */
#define LB_SCRUB_LINE                                                          \
	"session [success=ok ignore=ignore module_unknown=ignore default=bad] " \
	"pam_loginbox.so scrub"

/* Write the drop-in's text for `cfg` to `out`. */
void lb_sshd_dropin(const struct lb_config *cfg, FILE *out);

/* Findings for the PAM stack of one service (pam_doors.c). */
int lb_pam_doors(const char *service, FILE *out);

/* Print one line per open door to `out`; returns how many. */
int lb_host_doors(const struct lb_config *cfg, FILE *out);

#endif
