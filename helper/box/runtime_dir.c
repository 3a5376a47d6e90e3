// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * XDG_RUNTIME_DIR inside the box: /run/user/UID (UID as seen inside),
 * owned by the user, mode 0700, on the box's own /run tmpfs, so it lives
 * exactly as long as the box and is shared by every login of it
 * (session = user).  The host's /run/user is never visible.
 */
#include "runtime_dir.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

int runtime_dir_make(const struct lb_box *b, int rootfd, struct lb_err *err)
{
	char path[64];
	int fd;

	fd = fs_mkdir_in_root(rootfd, "/run/user", 0755, b->root_host_uid,
			      b->root_host_gid, err);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(path, sizeof(path), "/run/user/%u", (unsigned)b->inside_uid);
	fd = fs_mkdir_in_root(rootfd, path, 0700,
			      (uid_t)lb_idmap_to_host(&b->uidmap, b->inside_uid),
			      (gid_t)lb_idmap_to_host(&b->gidmap, b->inside_gid),
			      err);
	if (fd < 0)
		return lb_prefix(err, "XDG_RUNTIME_DIR");
	close(fd);
	return 0;
}
