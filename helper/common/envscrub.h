/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Environment variables a boxed user must not be able to hand to a program
 * that runs on the host.  ~/.pam_environment (pam_env user_readenv=1, which
 * Debian's /etc/pam.d/sshd runs after common-session), ~/.ssh/environment
 * (PermitUserEnvironment) and AcceptEnv put values of the user's choosing
 * into the environment that sshd, su and login use for everything they
 * exec for the login: the login shell, and sshd's /bin/sh runs of
 * ~/.ssh/rc, /etc/ssh/sshrc and xauth.  ld.so loads LD_PRELOAD and LD_AUDIT
 * libraries before main(), so one such variable is code execution on the
 * host, outside the box (docs/SECURITY.md, "The login's environment").
 *
 * The list: everything glibc's ld.so itself drops for setuid programs
 * (UNSECURE_ENVVARS, elf/dl-support / sysdeps/generic/unsecvars.h) but
 * TMPDIR, every LD_* and MALLOC_* name, and the variables that make a
 * shell run code before its command (BASH_ENV, ENV, exported bash
 * functions, SHELLOPTS, BASHOPTS, PS4).
 */
#ifndef LB_ENVSCRUB_H
#define LB_ENVSCRUB_H

#include <stdbool.h>

/* Is the "NAME=value" (or bare NAME) entry one that must not pass? */
bool lb_env_dangerous(const char *entry);

/* Remove every dangerous entry from envp in place (keeps the order);
 * returns how many were removed. */
int lb_env_scrub(char **envp);

#endif
