// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The box's root: an overlay whose lower layer is the image, idmapped, and
 * whose upper layer is per session.
 *
 * Built by the helper, as root, in a private mount namespace of its own,
 * under /run/loginbox/ID/{lower,rw,root}.  Two reasons it is not built by
 * the box itself (docs/SECURITY.md, hard spot 1):
 *  - an overlay mounted inside an unprivileged user namespace cannot take
 *    `/` as its lower layer ("failed to clone lowerpath": `/` has locked
 *    submounts there), and
 *  - everything built here is copied into the box's mount namespace when
 *    the box's init, already in the box's user namespace, unshares
 *    CLONE_NEWNS, and the kernel locks copied mounts together
 *    (MNT_LOCKED): box root can never unmount a mask to see what lies
 *    under it.
 *
 * The lower layer is idmapped (mount_setattr MOUNT_ATTR_IDMAP, overlay
 * accepts idmapped lower layers since 5.19) so that the image's root-owned
 * files are owned by box root: `ls -l /usr/bin/env` shows root, not nobody
 * (hard spot 2).  For the host image only uid/gid 0 is mapped that way;
 * files of daemons and other users show as nobody and box root has no
 * capability over them.  Other images are the admin's content for boxes
 * and are mapped whole.
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"
#include "mntapi.h"
#include "paths.h"
#include "strparse.h"
#include "syscalls.h"
#include "../image/image.h"

/* The idmap of the lower layer: see the comment at the top. */
static void image_maps(const struct lb_box *b, struct lb_idmap *u,
		       struct lb_idmap *g)
{
	int i;

	if (strcmp(b->pol.image, "host") != 0) {
		*u = b->uidmap;
		*g = b->gidmap;
		return;
	}
	u->n = 0;
	u->ext[u->n++] = (struct lb_extent){0, b->root_host_uid, 1};
	u->ext[u->n++] = (struct lb_extent){b->user.uid, b->user.uid, 1};
	g->n = 0;
	g->ext[g->n++] = (struct lb_extent){0, b->root_host_gid, 1};
	for (i = 0; i < b->ngroups && g->n < LB_IDMAP_MAX; i++)
		g->ext[g->n++] = (struct lb_extent){b->groups[i], b->groups[i], 1};
}

/* Store layers are owned on disk by LB_IMAGE_ID_BASE + the image's id
 * (image.h): the same map as a directory image, shifted by the base. */
static void shift_map(const struct lb_idmap *in, struct lb_idmap *out)
{
	int i;

	out->n = 0;
	for (i = 0; i < in->n; i++) {
		const struct lb_extent *e = &in->ext[i];
		uint32_t c = e->count;

		if (e->inside >= LB_IMAGE_ID_COUNT)
			continue;
		if (c > LB_IMAGE_ID_COUNT - e->inside)
			c = LB_IMAGE_ID_COUNT - e->inside;
		out->ext[out->n++] = (struct lb_extent){
			LB_IMAGE_ID_BASE + e->inside, e->outside, c};
	}
}

/*
 * A store image: its current version's layers, each cloned and idmapped
 * into b->dir/lowerN, named top first in *lopt.  The version is pinned
 * (LB_RUNDIR/ID/image_version) under the store's shared lock, so a
 * concurrent gc (exclusive) keeps it for as long as the box lives.
 * Returns 1 when the image is in the store, 0 when it is not.
 */
static int store_layers(struct lb_box *b, char *lopt, size_t len, int *keep,
			struct lb_err *err)
{
	cleanup_close int sfd = -1, lock = -1, ns = -1, pin = -1;
	struct lb_image_ver v;
	struct lb_idmap su, sg;
	size_t o;
	ssize_t w;
	int i, r;

	sfd = open(LB_STORE_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return 0; /* no store: directory images only */
	close(sfd);
	sfd = image_store_open(false, err);
	if (sfd < 0)
		return -1;
	lock = image_store_lock(sfd, false, err);
	if (lock < 0)
		return -1;
	r = image_resolve(sfd, b->pol.image, &v, err);
	if (r <= 0)
		return r;
	pin = openat(b->dirfd, LB_IMAGE_PIN_FILE,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (pin < 0) {
		lb_fail(err, errno, "pin image %s: create %s/%s", b->pol.image,
			b->dir, LB_IMAGE_PIN_FILE);
		goto fail;
	}
	w = write(pin, v.vid, 64);
	if (w != 64) {
		/* a short write sets no errno */
		lb_fail(err, w < 0 ? errno : EIO, "pin image %s: write %s/%s",
			b->pol.image, b->dir, LB_IMAGE_PIN_FILE);
		goto fail;
	}
	shift_map(&b->uidmap, &su);
	shift_map(&b->gidmap, &sg);
	ns = userns_make_idmap_fd(&su, &sg, b->subuid.start, err);
	if (ns < 0) {
		lb_prefix(err, "idmap namespace for image %s", b->pol.image);
		goto fail;
	}
	o = (size_t)snprintf(lopt, len, "lowerdir=");
	for (i = v.nlayers - 1; i >= 0; i--) {
		cleanup_close int lfd = -1, mfd = -1, at = -1;
		char path[96], name[16];

		snprintf(path, sizeof(path), "layers/%s", v.layer[i]);
		lfd = lb_openat2(sfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
				 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		if (lfd < 0) {
			lb_fail(err, errno, "image %s: layer %s/%s",
				b->pol.image, LB_STORE_DIR, path);
			goto fail;
		}
		mfd = mnt_clone(lfd, "", 0, err);
		if (mfd < 0 ||
		    mnt_setattr(mfd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					     MOUNT_ATTR_NODEV,
				0, ns, err) < 0) {
			lb_prefix(err, "image %s: layer %.12s", b->pol.image,
				  v.layer[i]);
			goto fail;
		}
		snprintf(name, sizeof(name), "lower%d", i);
		if (mkdirat(b->dirfd, name, 0700) < 0) {
			lb_fail(err, errno, "mkdir %s/%s", b->dir, name);
			goto fail;
		}
		at = openat(b->dirfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (at < 0) {
			lb_fail(err, errno, "open %s/%s", b->dir, name);
			goto fail;
		}
		if (mnt_attach(mfd, at, "image layer", err) < 0)
			goto fail;
		keep[i] = openat(b->dirfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (keep[i] < 0) {
			lb_fail(err, errno, "open %s/%s", b->dir, name);
			goto fail;
		}
		o += (size_t)snprintf(lopt + o, len > o ? len - o : 0, "%s/proc/self/fd/%d",
				      i == v.nlayers - 1 ? "" : ":", keep[i]);
	}
	if (o >= len) {
		lb_fail(err, ENAMETOOLONG, "image %s: lowerdir option", b->pol.image);
		goto fail;
	}
	snprintf(b->image_version, sizeof(b->image_version), "%s", v.vid);
	b->image_env = v.env; /* the box's processes get it (spawn.c) */
	b->image_nenv = v.nenv;
	return 1;
fail:
	image_ver_free(&v);
	return -1;
}

/* An image that is missing or unusable is the admin's doing (the images
 * directory is root's): lb_fail_admin, so that on_error = allow may cover
 * it.  Nothing after this point is. */
static int open_image(const struct lb_box *b, struct lb_err *err)
{
	cleanup_close int imgs = -1;
	struct stat st;
	int fd;

	if (!strcmp(b->pol.image, "host"))
		return mnt_clone(AT_FDCWD, "/", 0, err);
	imgs = open(LB_IMAGES_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (imgs < 0) {
		lb_fail_admin(err, errno, "image %s: open %s", b->pol.image,
			      LB_IMAGES_DIR);
		return lb_hint(err, "create the image under %s/%s or fix "
				    "`image` in [%s] (%s)",
			       LB_IMAGES_DIR, b->pol.image, b->pol.section,
			       b->pol.source);
	}
	fd = lb_openat2(imgs, b->pol.image, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
			RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (fd < 0) {
		lb_fail_admin(err, errno, "image %s: %s/%s", b->pol.image,
			      LB_IMAGES_DIR, b->pol.image);
		return lb_hint(err, "policy [%s] in %s names an image that "
				    "does not exist (or is a symlink); create "
				    "it or fix `image`",
			       b->pol.section, b->pol.source);
	}
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		return lb_fail_admin(err, EPERM,
				     "image %s: %s/%s must be owned by root "
				     "and not writable by group or others",
				     b->pol.image, LB_IMAGES_DIR, b->pol.image);
	}
	{
		int tree = mnt_clone(fd, "", 0, err);

		close(fd);
		return tree;
	}
}

/* One overlay per upper directory: overlayfs does not support two mounts
 * sharing an upper.  A user's second concurrent session gets a tmpfs. */
static void lock_persistent(struct lb_box *b, const char *base)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", base);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
		b->persist_lock_fd = fd;
		return;
	}
	if (fd >= 0)
		close(fd);
	syslog(LOG_AUTHPRIV | LOG_NOTICE,
	       "user %s: persistent upper %s is in use by another session; "
	       "box %lu gets a tmpfs upper",
	       b->user.name, base, b->id);
	b->pol.upper = LB_UPPER_TMPFS;
	b->upper_dir[0] = '\0';
}

/*
 * A layer on disk is bounded only by the file system it is on: one box
 * could fill /var/lib/loginbox's file system (on most hosts `/`) and stop
 * every service writing there.  Project quota would bound it, but the
 * overlay writes its upper with the helper's credentials, and
 * CAP_SYS_RESOURCE ignores quota hard limits (fs/quota/dquot.c,
 * ignore_hardlimit), so a quota needs the overlay to be created without
 * that capability; loginbox does not do that yet.  Until then a disk or
 * persistent layer needs the admin's explicit upper_size = max.
 */
static int check_upper_bound(const struct lb_box *b, struct lb_err *err)
{
	const char *kind = b->pol.upper == LB_UPPER_DISK ? "disk" : "persistent";

	if (b->pol.upper == LB_UPPER_TMPFS) {
		if (b->pol.upper_size != LB_UNLIMITED)
			return 0;
		lb_fail(err, EINVAL, "upper = tmpfs with upper_size = max: a "
				     "tmpfs layer needs a size");
		return lb_hint(err, "set upper_size to a size (e.g. 1G) in "
				    "[%s] of %s",
			       b->pol.section, b->pol.source);
	}
	if (b->pol.upper_size == LB_UNLIMITED)
		return 0;
	lb_fail(err, EFBIG, "upper = %s: loginbox cannot bound a writable "
			    "layer on disk to upper_size = %lluM (no project "
			    "quota); refusing an unbounded one",
		kind, (unsigned long long)(b->pol.upper_size >> 20));
	return lb_hint(err, "set upper_size = max in [%s] of %s to accept a "
			    "layer that can fill the file system of %s, or use "
			    "upper = tmpfs (loginbox.conf(5), upper_size)",
		       b->pol.section, b->pol.source, LB_STATEDIR);
}

static int make_upper(struct lb_box *b, char *upper, char *work, size_t len,
		      struct lb_err *err)
{
	char base[256];

	upper[0] = work[0] = '\0'; /* named in the caller's message */
	if (check_upper_bound(b, err) < 0)
		return -1;
	if (b->pol.upper == LB_UPPER_PERSISTENT) {
		const char *dirs[] = {LB_STATEDIR, LB_USERS_DIR, base};
		const mode_t modes[] = {0755, 0700, 0700};

		snprintf(base, sizeof(base), "%s/users/%s", LB_STATEDIR,
			 b->user.name);
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
			if (mkdir(dirs[i], modes[i]) < 0 && errno != EEXIST)
				return lb_fail(err, errno, "mkdir %s", dirs[i]);
		lock_persistent(b, base);
	}
	if (b->pol.upper == LB_UPPER_TMPFS) {
		char size[64], ino[64];
		const char *opts[] = {size, ino, "mode=0700", NULL};
		cleanup_close int mfd = -1, tfd = -1;
		/* upper_size = max reaches here only as the fallback of a
		 * persistent layer in use: that tmpfs gets the default. */
		uint64_t bytes = b->pol.upper_size == LB_UNLIMITED
					 ? 1ULL << 30
					 : b->pol.upper_size;

		/* Inodes bounded too, as for every tmpfs (mounts.c). */
		snprintf(size, sizeof(size), "size=%llu",
			 (unsigned long long)bytes);
		snprintf(ino, sizeof(ino), "nr_inodes=%llu",
			 (unsigned long long)(bytes / 4096 < 1024 ? 1024
							  : bytes / 4096));
		if (mkdirat(b->dirfd, "rw", 0700) < 0)
			return lb_fail(err, errno, "mkdir %s/rw", b->dir);
		mfd = mnt_new("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
			      err);
		if (mfd < 0)
			return -1;
		tfd = openat(b->dirfd, "rw", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (tfd < 0)
			return lb_fail(err, errno, "open %s/rw", b->dir);
		if (mnt_attach(mfd, tfd, "upper tmpfs", err) < 0)
			return -1;
		snprintf(base, sizeof(base), "%s/rw", b->dir);
	} else {
		const char *kind = b->pol.upper == LB_UPPER_DISK ? "sessions"
								  : "users";
		char leaf[80];

		if (b->pol.upper == LB_UPPER_DISK) {
			if (session_upper_name(b->id, leaf, sizeof(leaf),
					       err) < 0)
				return -1;
		} else {
			snprintf(leaf, sizeof(leaf), "%s", b->user.name);
		}
		snprintf(base, sizeof(base), "%s/%s", LB_STATEDIR, kind);
		if ((mkdir(LB_STATEDIR, 0755) < 0 && errno != EEXIST) ||
		    (mkdir(base, 0700) < 0 && errno != EEXIST))
			return lb_fail(err, errno, "mkdir %s", base);
		snprintf(base + strlen(base), sizeof(base) - strlen(base),
			 "/%s", leaf);
		/* A disk upper is always new, never a leftover that had
		 * this name before (session_upper_name). */
		if (mkdir(base, 0700) < 0 &&
		    (errno != EEXIST || b->pol.upper == LB_UPPER_DISK)) {
			int e = errno;

			lb_fail(err, e, "mkdir %s", base);
			if (e == EEXIST)
				lb_hint(err, "a leftover of an earlier session "
					     "with this id (was %s cleared?); "
					     "`loginbox gc` removes it",
					LB_RUNDIR);
			return -1;
		}
		snprintf(b->upper_dir, sizeof(b->upper_dir), "%s", base);
	}
	snprintf(upper, len, "%s/upper", base);
	snprintf(work, len, "%s/work", base);
	/* The upper root is box root's: it is the box's `/`. */
	if ((mkdir(upper, 0755) < 0 && errno != EEXIST) ||
	    chown(upper, b->root_host_uid, b->root_host_gid) < 0)
		return lb_fail(err, errno, "prepare %s", upper);
	if (mkdir(work, 0700) < 0 && errno != EEXIST)
		return lb_fail(err, errno, "mkdir %s", work);
	return 0;
}

int rootfs_build(struct lb_box *b, struct lb_err *err)
{
	cleanup_close int imgns = -1, lower = -1, lowerdir = -1, ovl = -1,
			  rootdir = -1, rootfd = -1, lfd = -1, ufd = -1, wfd = -1;
	char upper[300], work[300], lopt[320], uopt[320], wopt[320];
	int keep[LB_IMAGE_MAX_LAYERS], i, stored = 0;
	struct lb_idmap iu, ig;
	const char *opts[] = {lopt, uopt, wopt, NULL};
	int ret = -1;

	for (i = 0; i < LB_IMAGE_MAX_LAYERS; i++)
		keep[i] = -1;

	/* Private: nothing mounted from here on is seen by the host. */
	if (unshare(CLONE_NEWNS) < 0)
		return lb_fail(err, errno, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return lb_fail(err, errno, "make / private");
	/* Fds opened before the unshare name mounts of the host's namespace,
	 * and move_mount() only attaches in our own: reopen the session dir. */
	close(b->dirfd);
	b->dirfd = open(b->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (b->dirfd < 0)
		return lb_fail(err, errno, "reopen %s", b->dir);

	if (strcmp(b->pol.image, "host") != 0) {
		stored = store_layers(b, lopt, sizeof(lopt), keep, err);
		if (stored < 0)
			goto out;
	}
	if (stored)
		goto upper;
	image_maps(b, &iu, &ig);
	imgns = userns_make_idmap_fd(&iu, &ig, b->subuid.start, err);
	if (imgns < 0)
		return lb_prefix(err, "idmap namespace for image %s",
				 b->pol.image);
	lower = open_image(b, err);
	if (lower < 0)
		return -1;
	if (mnt_setattr(lower, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				       MOUNT_ATTR_NODEV,
			0, imgns, err) < 0) {
		/* Filesystems without idmapped-mount support (overlayfs or
		 * 9p before 6.x kernels) still make a box: image files then
		 * show as nobody, and box root has no power over them. */
		if (err->errnum != EINVAL && err->errnum != EOPNOTSUPP)
			return lb_prefix(err, "image %s", b->pol.image);
		syslog(LOG_AUTHPRIV | LOG_NOTICE,
		       "image %s: the filesystem cannot be idmapped (%s); "
		       "its files will show as nobody in the box",
		       b->pol.image, err->msg);
		if (mnt_setattr(lower, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					       MOUNT_ATTR_NODEV,
				0, -1, err) < 0)
			return lb_prefix(err, "image %s", b->pol.image);
	}
	if (mkdirat(b->dirfd, "lower", 0700) < 0)
		return lb_fail(err, errno, "mkdir %s/lower", b->dir);
	lowerdir = openat(b->dirfd, "lower", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (lowerdir < 0)
		return lb_fail(err, errno, "open %s/lower", b->dir);
	if (mnt_attach(lower, lowerdir, "lower layer", err) < 0)
		return -1;

	lfd = openat(b->dirfd, "lower", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0)
		return lb_fail(err, errno, "open %s/lower", b->dir);
	snprintf(lopt, sizeof(lopt), "lowerdir=/proc/self/fd/%d", lfd);
upper:
	ret = -1;
	if (make_upper(b, upper, work, sizeof(upper), err) < 0) {
		lb_prefix(err, "upper layer (%s)",
			  b->pol.upper == LB_UPPER_TMPFS ? "tmpfs" : upper);
		goto out;
	}
	/* Layers named through our own fds: the box reads its mount options
	 * in /proc/self/mountinfo, and host paths have no business there. */
	ufd = open(upper, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd < 0) {
		lb_fail(err, errno, "open upper layer %s", upper);
		goto out;
	}
	wfd = open(work, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (wfd < 0) {
		lb_fail(err, errno, "open overlay workdir %s", work);
		goto out;
	}
	snprintf(uopt, sizeof(uopt), "upperdir=/proc/self/fd/%d", ufd);
	snprintf(wopt, sizeof(wopt), "workdir=/proc/self/fd/%d", wfd);
	ovl = mnt_new("overlay", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
		      err);
	if (ovl < 0) {
		lb_prefix(err, "overlay root for image %s", b->pol.image);
		goto out;
	}
	if (mkdirat(b->dirfd, "root", 0700) < 0) {
		lb_fail(err, errno, "mkdir %s/root", b->dir);
		goto out;
	}
	rootdir = openat(b->dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootdir < 0) {
		lb_fail(err, errno, "open %s/root", b->dir);
		goto out;
	}
	if (mnt_attach(ovl, rootdir, "box root", err) < 0)
		goto out;
	rootfd = openat(b->dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		lb_fail(err, errno, "open %s/root", b->dir);
		goto out;
	}
	ret = mounts_populate(b, rootfd, err);
out:
	for (i = 0; i < LB_IMAGE_MAX_LAYERS; i++)
		if (keep[i] >= 0)
			close(keep[i]);
	return ret;
}
