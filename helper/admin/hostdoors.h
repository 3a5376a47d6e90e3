/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host-side doors around the box: what sshd, su, login and a mail server
 * run or serve on the host, outside the box, for a boxed user
 * (docs/SECURITY.md, "Side doors" and "The login's environment").
 *
 *   lb_sshd_dropin()   the sshd_config drop-in that closes sshd's doors
 *                      for the boxed groups and users of the config
 *   lb_*_doors()       `loginbox doctor`'s findings, one line each:
 *                      "warning: FILE: what is open; fix: what to do"
 */
#ifndef LB_HOSTDOORS_H
#define LB_HOSTDOORS_H

#include <stdio.h>

#include "config.h"
#include "paths.h"

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
/* Can ~/.pam_environment reach what sshd runs on the host for a login
 * of `service`?  1 with the reason in `why`, 0 when the stack scrubs. */
int lb_pam_env_open(const char *service, char *why, size_t len);
/* pam_mkhomedir.so after the session's pam_loginbox.so line. */
int lb_pam_mkhomedir(const char *service, FILE *out);

/* One line per open door to `out`; each returns how many:
 *   sshrc   /etc/ssh/sshrc exists (run by /bin/sh for every ssh login)
 *   dropin  LB_SSHD_DROPIN missing or not what the config asks for
 *   sshd    sshd -T for one user of each boxed section (root only)
 *   mta     an installed mail server that runs ~/.forward pipes */
int lb_sshrc_door(FILE *out);
int lb_dropin_doors(const struct lb_config *cfg, FILE *out);
int lb_sshd_doors(const struct lb_config *cfg, FILE *out);
int lb_mta_doors(FILE *out);

#endif
