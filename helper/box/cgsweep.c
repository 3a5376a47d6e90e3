/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Session cgroup nodes no session owns, for `loginbox gc`.
 *
 * A helper killed between cg_create and writing the state file (a crash,
 * kill -9, the OOM killer) leaves /run/loginbox/ID without a state file
 * and a node loginbox/u<UID>/s<ID>.  gc removes such a dir after a
 * minute, but without the state it cannot know the uid, so it never found
 * the node, and an empty u<UID> stayed too.  The node is an orphan exactly
 * when /run/loginbox/ID is gone: session_create makes the dir before
 * cg_create makes the node, and teardown removes the node before the dir,
 * so a live build or box always has its dir.
 */
#include "cgsweep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "paths.h"

static bool digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void sweep_user(const char *base, const char *uname, bool verbose)
{
	char upath[256], spath[320], run[96];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	snprintf(upath, sizeof(upath), "%s/%s", base, uname);
	d = opendir(upath);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct lb_err e;

		if (de->d_name[0] != 's' || !digits(de->d_name + 1) ||
		    de->d_type != DT_DIR)
			continue;
		snprintf(run, sizeof(run), "%s/%s", LB_RUNDIR, de->d_name + 1);
		if (lstat(run, &sb) == 0 || errno != ENOENT)
			continue;
		snprintf(spath, sizeof(spath), "%s/%s", upath, de->d_name);
		lb_err_clear(&e);
		cg_kill_and_remove(spath, &e);
		if (verbose)
			printf("gc: cgroup node %s (no session): %s\n", spath,
			       e.msg[0] ? e.msg : "removed");
	}
	closedir(d);
	/* An empty user node left by such a session. */
	rmdir(upath);
}

void teardown_sweep_cgroups(bool verbose)
{
	char base[256];
	struct dirent *de;
	bool pure;
	const char *root = cg_v2_root(&pure);
	DIR *d;

	if (!root)
		return;
	snprintf(base, sizeof(base), "%s/%s", root, LB_CGROUP_NAME);
	d = opendir(base);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] == 'u' && digits(de->d_name + 1) &&
		    de->d_type == DT_DIR)
			sweep_user(base, de->d_name, verbose);
	closedir(d);
}
