// SPDX-License-Identifier: GPL-2.0-or-later
#include "envscrub.h"

#include <string.h>

/* glibc 2.36 unsecvars.h, less TMPDIR (harmless for a login, and used). */
static const char *const exact[] = {
	"GCONV_PATH",	 "GETCONF_DIR",	 "GLIBC_TUNABLES", "HOSTALIASES",
	"LOCALDOMAIN",	 "LOCPATH",	 "NIS_PATH",	   "NLSPATH",
	"RESOLV_HOST_CONF", "RES_OPTIONS", "TZDIR",
	/* shells: code before the command */
	"BASH_ENV",	 "ENV",		 "SHELLOPTS",	   "BASHOPTS",
	"PS4",		 NULL,
};

/* Whole families: the loader's (LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH,
 * and any LD_ a later glibc adds), malloc's (MALLOC_TRACE writes a file
 * of the user's naming; MALLOC_CHECK_ and friends change the allocator),
 * and bash's exported functions (BASH_FUNC_name%%). */
static const char *const prefix[] = {"LD_", "MALLOC_", "BASH_FUNC_", NULL};

bool lb_env_dangerous(const char *entry)
{
	size_t len = strcspn(entry, "=");
	int i;

	for (i = 0; exact[i]; i++)
		if (strlen(exact[i]) == len && !strncmp(entry, exact[i], len))
			return true;
	for (i = 0; prefix[i]; i++)
		if (!strncmp(entry, prefix[i], strlen(prefix[i])))
			return true;
	return false;
}

int lb_env_scrub(char **envp)
{
	int i, n = 0, removed = 0;

	if (!envp)
		return 0;
	for (i = 0; envp[i]; i++) {
		if (lb_env_dangerous(envp[i]))
			removed++;
		else
			envp[n++] = envp[i];
	}
	envp[n] = NULL;
	return removed;
}
