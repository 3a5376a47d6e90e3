// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The devices a policy gives a box (cdi.h resolves them): their nodes in
 * the box's /dev, the specs' mounts, read-only.  Made by the helper (real
 * root, in its private mount namespace) before the box exists.
 *
 * Nodes are made, not bound from the host: a bind keeps the host node's
 * owner and mode (/dev/kvm is root:kvm 0660), which the box's user cannot
 * open, and keeping the device's group in the box would give the device
 * to every box of every member of that group and put a host group in the
 * box's gid map.  A node made with mknod() on the box's own /dev tmpfs
 * (mounted by real root, so not SB_I_NODEV) and owned by the box's user
 * (mode 0600) gives exactly this box exactly the listed devices: the
 * user cannot make another node (no CAP_MKNOD over that tmpfs), and its
 * rdev is fixed by us.  docs/SECURITY.md, "Devices".
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cdi.h"
#include "fsutil.h"
#include "macros.h"
#include "mntapi.h"
#include "syscalls.h"

/* Paths of /dev the box already has or mounts: a spec may not replace
 * them (a "/dev/null" node of another device would be a trap). */
static bool reserved(const char *rel)
{
	static const char *const names[] = {"null", "zero", "full", "random",
					    "urandom", "tty", "ptmx", "fd",
					    "stdin", "stdout", "stderr",
					    "pts", "shm", "console", NULL};
	size_t i, l;

	for (i = 0; names[i]; i++) {
		l = strlen(names[i]);
		if (!strncmp(rel, names[i], l) &&
		    (rel[l] == '\0' || rel[l] == '/'))
			return true;
	}
	return false;
}

int devices_nodes(const struct lb_box *b, int rootfd, struct lb_err *err)
{
	uid_t ou = (uid_t)lb_idmap_to_host(&b->uidmap, b->inside_uid);
	gid_t og = (gid_t)lb_idmap_to_host(&b->gidmap, b->inside_gid);
	int i;

	if (!b->devs)
		return 0;
	for (i = 0; i < b->devs->n_nodes; i++) {
		const struct lb_dev_node *n = &b->devs->nodes[i];
		const char *rel = n->path + 5; /* after "/dev/" */
		const char *slash = strrchr(n->path, '/');
		char parent[LB_DEV_PATH_MAX];
		cleanup_close int pfd = -1;

		if (reserved(rel))
			return lb_fail(err, 0, "device node %s would replace "
					       "the box's own", n->path);
		snprintf(parent, sizeof(parent), "%.*s",
			 (int)(slash - n->path), n->path);
		pfd = fs_mkdir_in_root(rootfd, parent, 0755, b->root_host_uid,
				       b->root_host_gid, err);
		if (pfd < 0)
			return lb_prefix(err, "device node %s", n->path);
		/* O_PATH fds cannot be used for mknodat: reopen the dir. */
		{
			int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY |
							  O_NOFOLLOW | O_CLOEXEC);

			if (dfd < 0)
				return lb_fail(err, errno, "open %s", parent);
			close(pfd);
			pfd = dfd;
		}
		if (mknodat(pfd, slash + 1, n->type | 0600, n->rdev) < 0)
			return lb_fail(err, errno, "mknod %s in the box",
				       n->path);
		if (fchownat(pfd, slash + 1, ou, og, AT_SYMLINK_NOFOLLOW) < 0)
			return lb_fail(err, errno, "chown %s in the box",
				       n->path);
	}
	return 0;
}

int devices_mounts(const struct lb_box *b, int rootfd, struct lb_err *err)
{
	int i;

	if (!b->devs)
		return 0;
	for (i = 0; i < b->devs->n_mounts; i++) {
		const struct lb_dev_mount *m = &b->devs->mounts[i];
		cleanup_close int src = -1, tfd = -1, mfd = -1;
		struct stat st;

		/* The spec is root's (checked like the config): its host
		 * paths may be links (libcuda.so.1 -> libcuda.so.550...). */
		src = open(m->host, O_PATH | O_CLOEXEC);
		if (src < 0 || fstat(src, &st) < 0) {
			lb_fail(err, errno, "device mount: host %s", m->host);
			return lb_hint(err, "regenerate the CDI spec after a "
					    "driver upgrade (nvidia-ctk cdi "
					    "generate)");
		}
		/* Created beneath the box root, never following a link the
		 * image carries (fsutil.c). */
		tfd = S_ISDIR(st.st_mode)
			      ? fs_mkdir_in_root(rootfd, m->target, 0755,
						 b->root_host_uid,
						 b->root_host_gid, err)
			      : fs_file_in_root(rootfd, m->target, 0644,
						b->root_host_uid,
						b->root_host_gid, err);
		if (tfd < 0)
			return lb_prefix(err, "device mount %s", m->target);
		mfd = mnt_clone(src, "", 0, err);
		if (mfd < 0 ||
		    mnt_setattr(mfd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					     MOUNT_ATTR_NODEV,
				0, -1, err) < 0 ||
		    mnt_attach(mfd, tfd, m->target, err) < 0)
			return lb_prefix(err, "device mount %s", m->target);
	}
	return 0;
}

/*
 * The library cache update a spec asks for (update-ldcache), done our
 * way: ldconfig of the box's image, run by the box's init as box root in
 * the box's user namespace after pivot_root, so it reads and writes only
 * the box's own files, with the policy's capabilities, no_new_privs and
 * the box's seccomp filter, like any program root-in-box would run.
 * Never host root against a root the box can write.
 */
int devices_ldconfig(const struct lb_box *b, struct lb_err *err)
{
	char *argv[2 + ARRAY_SIZE(b->devs->ld_dirs)];
	char *envp[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	const char *prog = "/sbin/ldconfig";
	int i, n = 0, status;
	pid_t pid;

	if (!b->devs || !b->devs->ldconfig)
		return 0;
	if (access(prog, X_OK) < 0) {
		lb_fail(err, errno, "a device's CDI spec asks for the library "
				    "cache update, but the image has no %s",
			prog);
		return lb_hint(err, "install libc-bin in the image, or use a "
				    "spec without the update-ldcache hook");
	}
	argv[n++] = (char *)"ldconfig";
	for (i = 0; i < b->devs->n_ld_dirs; i++)
		argv[n++] = (char *)b->devs->ld_dirs[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return lb_fail(err, errno, "fork for ldconfig");
	if (pid == 0) {
		struct lb_err e;
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 ||
		    dup2(fd, 2) < 0)
			_exit(126);
		close_range(3, ~0U, 0);
		if (caps_drop_bounding(b->pol.caps, &e) < 0 ||
		    caps_set_final(b->pol.caps, true, &e) < 0 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    sc_load(b->bpf, b->bpf_len, &e) < 0)
			_exit(126);
		execve(prog, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return lb_fail(err, errno, "wait for ldconfig");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return lb_fail(err, 0, "ldconfig in the box failed (status "
				       "%d) for a device's update-ldcache",
			       WIFEXITED(status) ? WEXITSTATUS(status)
					         : 128 + WTERMSIG(status));
	return 0;
}
