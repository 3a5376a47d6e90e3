/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiled-in paths.  Nothing privileged takes a path from its caller or
 * its environment: the Makefile may move these at build time, nothing else.
 */
#ifndef LB_PATHS_H
#define LB_PATHS_H

#ifndef LB_SYSCONFDIR
#define LB_SYSCONFDIR "/etc/loginbox"
#endif
#ifndef LB_LIBEXECDIR
#define LB_LIBEXECDIR "/usr/libexec/loginbox"
#endif
#ifndef LB_SBINDIR
#define LB_SBINDIR "/usr/sbin"
#endif
#ifndef LB_STATEDIR
#define LB_STATEDIR "/var/lib/loginbox"
#endif
#ifndef LB_RUNDIR
#define LB_RUNDIR "/run/loginbox"
#endif

#define LB_CONF_FILE LB_SYSCONFDIR "/loginbox.conf"
#define LB_CONF_DIR LB_SYSCONFDIR "/conf.d"
#define LB_HELPER_PATH LB_LIBEXECDIR "/loginbox-helper"
/* sshd's XAuthLocation when boxed users may forward X11 (helper/xauth/) */
#define LB_XAUTH_WRAPPER LB_LIBEXECDIR "/loginbox-xauth"
#define LB_SHELL_PATH LB_SBINDIR "/loginbox-shell"
#define LB_ADMIN_PATH LB_SBINDIR "/loginbox"
#define LB_IMAGES_DIR LB_STATEDIR "/images"
#define LB_USERS_DIR LB_STATEDIR "/users"
#define LB_DISK_DIR LB_STATEDIR "/sessions"

/* Name of the cgroup v2 subtree that holds one node per user and session. */
#define LB_CGROUP_NAME "loginbox"
/* beside the users' nodes: the boxes' keepers (keeper.h) */
#define LB_CGROUP_KEEPERS "keepers"
/* On systemd hosts: the cgroup delegated to loginbox.service. */
#define LB_SYSTEMD_CGROUP "/sys/fs/cgroup/system.slice/loginbox.service"

/* Environment variable the module exports with pam_putenv(). */
#define LB_ENV_SESSION "LOGINBOX_SESSION"
/* the host pid of the login process (sshd, su, login) a program runs
 * for: init puts it into that login's cgroup leaf (init.c) */
#define LB_ENV_LOGIN "LOGINBOX_LOGIN"

#endif
