// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What goes on top of the box's root, made by the helper before the box
 * exists (so all of it is locked in the box, see rootfs.c):
 *
 *   /dev       tmpfs with null zero full random urandom tty bound from the
 *              host (a user namespace cannot mknod), pts/ and shm/
 *   /tmp /run /dev/shm   private tmpfs, bounded (tmpfs_at)
 *   home       the user's real home, bound (home = bind), or a tmpfs
 *   masks      host image only: secrets owned by root on the host's root
 *              filesystem, which box root would own through the idmap
 *
 * /proc, /sys and /dev/pts need the box's own pid and net namespaces and
 * are mounted by the box's init (init.c); here we only make their targets.
 * Every target is resolved with fsutil.c inside the root, never following
 * a symlink the image may carry.
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"
#include "mntapi.h"
#include "net.h"
#include "runtime_dir.h"
#include "strparse.h"
#include "syscalls.h"

/*
 * Root-owned secrets on a Debian root filesystem.  In the host image box
 * root owns what host root owns (rootfs.c), so these must not be visible.
 * A deny list is the weak spot of the host image: docs/SECURITY.md tells
 * admins to use a real image for root-in-box where / holds other secrets.
 */
static const char *const mask_dirs[] = {
	"/var/log", "/var/mail", "/var/spool/cron", "/var/backups",
	"/var/lib/loginbox", "/var/lib/sss", "/var/lib/sudo", "/var/lib/private",
	"/var/lib/systemd/credential", "/etc/ssl/private", "/etc/sudoers.d",
	"/etc/NetworkManager/system-connections", "/etc/wireguard",
	"/etc/credstore", "/etc/credstore.encrypted", "/lost+found", NULL};
static const char *const mask_files[] = {
	"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
	"/etc/sudoers", "/etc/security/opasswd", "/etc/krb5.keytab",
	"/etc/ppp/chap-secrets", "/etc/ppp/pap-secrets", "/etc/ldap.secret",
	"/var/lib/systemd/random-seed", "/var/lib/systemd/credential.secret",
	NULL};

/*
 * Every tmpfs of the box has a size in bytes and an inode count: tmpfs's
 * own defaults (half the host's RAM, and as many inodes as half the RAM
 * has pages) would let one box fill the host's memory, and empty files
 * take no blocks, so a size alone does not bound them.  One inode per
 * 4 KiB of size, at least 1024, is the default ratio of ext4.
 */
#define BOX_SMALL_TMPFS (256ULL << 20) /* /run and /root */

static int tmpfs_at(int rootfd, const char *path, const char *mode,
		    uint64_t size, uid_t uid, gid_t gid, uint64_t attrs,
		    struct lb_err *err)
{
	cleanup_close int tfd = -1, mfd = -1;
	char o_mode[32], o_size[48], o_ino[48], o_uid[32], o_gid[32];
	const char *opts[] = {o_mode, o_size, o_ino, o_uid, o_gid, NULL};
	uint64_t inodes = size / 4096 < 1024 ? 1024 : size / 4096;

	snprintf(o_mode, sizeof(o_mode), "mode=%s", mode);
	snprintf(o_size, sizeof(o_size), "size=%llu", (unsigned long long)size);
	snprintf(o_ino, sizeof(o_ino), "nr_inodes=%llu",
		 (unsigned long long)inodes);
	snprintf(o_uid, sizeof(o_uid), "uid=%u", (unsigned)uid);
	snprintf(o_gid, sizeof(o_gid), "gid=%u", (unsigned)gid);
	tfd = fs_mkdir_in_root(rootfd, path, 0755, uid, gid, err);
	if (tfd < 0)
		return -1;
	mfd = mnt_new("tmpfs", opts, attrs, err);
	if (mfd < 0 || mnt_attach(mfd, tfd, path, err) < 0)
		return lb_prefix(err, "tmpfs on %s", path);
	return 0;
}

static int bind_at(int rootfd, const char *target, int srcfd, bool is_file,
		   uid_t uid, gid_t gid, uint64_t attrs, int recursive,
		   struct lb_err *err)
{
	cleanup_close int tfd = -1, mfd = -1;

	tfd = is_file ? fs_file_in_root(rootfd, target, 0644, uid, gid, err)
		      : fs_mkdir_in_root(rootfd, target, 0755, uid, gid, err);
	if (tfd < 0)
		return -1;
	mfd = mnt_clone(srcfd, "", recursive, err);
	if (mfd < 0)
		return -1;
	if (attrs && (recursive ? mnt_setattr_tree(mfd, attrs, err)
				: mnt_setattr(mfd, attrs, 0, -1, err)) < 0)
		return -1;
	return mnt_attach(mfd, tfd, target, err);
}

/*
 * /dev/shm: shm_size, or tmpfs_size when unset; never more than a memory
 * limit that applies to the box.  Its pages are charged to the cgroup of
 * the process that writes them (the box's), so a bigger tmpfs would not
 * give more: a program sizing itself by /dev/shm (PyTorch's DataLoader)
 * would meet the OOM killer instead of ENOSPC.
 */
static uint64_t shm_bytes(const struct lb_box *b)
{
	uint64_t v = b->pol.shm_size != LB_UNLIMITED ? b->pol.shm_size
						     : b->pol.tmpfs_size;

	if (b->pol.session.memory_max != LB_UNLIMITED &&
	    b->pol.session.memory_max < v)
		v = b->pol.session.memory_max;
	if (b->pol.user.memory_max != LB_UNLIMITED &&
	    b->pol.user.memory_max < v)
		v = b->pol.user.memory_max;
	return v < (1ULL << 20) ? 1ULL << 20 : v;
}

static int make_dev(const struct lb_box *b, int rootfd, struct lb_err *err)
{
	static const char *const nodes[] = {"null", "zero", "full", "random",
					    "urandom", "tty", NULL};
	static const char *const links[][2] = {
		{"ptmx", "pts/ptmx"},	     {"fd", "/proc/self/fd"},
		{"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
		{"stderr", "/proc/self/fd/2"}};
	uid_t ru = b->root_host_uid;
	gid_t rg = b->root_host_gid;
	cleanup_close int devfd = -1;
	size_t i;

	if (tmpfs_at(rootfd, "/dev", "0755", 1ULL << 20, ru, rg,
		     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, err) < 0)
		return -1;
	devfd = fs_open_in_root(rootfd, "/dev", O_DIRECTORY, err);
	if (devfd < 0)
		return -1;
	for (i = 0; nodes[i]; i++) {
		cleanup_close int src = -1;
		char host[32];

		snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
		src = open(host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0)
			return lb_fail(err, errno, "open host %s", host);
		if (bind_at(devfd, nodes[i], src, true, ru, rg,
			    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0, err) < 0)
			return lb_prefix(err, "/dev/%s", nodes[i]);
	}
	for (i = 0; i < ARRAY_SIZE(links); i++) {
		if (symlinkat(links[i][1], devfd, links[i][0]) < 0 ||
		    fchownat(devfd, links[i][0], ru, rg, AT_SYMLINK_NOFOLLOW) < 0)
			return lb_fail(err, errno, "symlink /dev/%s", links[i][0]);
	}
	if (mkdirat(devfd, "pts", 0755) < 0 ||
	    fchownat(devfd, "pts", ru, rg, 0) < 0)
		return lb_fail(err, errno, "mkdir /dev/pts");
	if (devices_nodes(b, rootfd, err) < 0)
		return -1;
	return tmpfs_at(rootfd, "/dev/shm", "1777", shm_bytes(b), ru, rg,
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
}

static int mask_path(const struct lb_box *b, int rootfd, const char *path,
		     bool dir, int emptyfd, struct lb_err *err)
{
	cleanup_close int tfd = -1, mfd = -1;
	struct stat st;
	struct lb_err ignore;

	/* Only mask what is there and is what we expect; a symlink in the
	 * host root is reached again through the path it points to. */
	tfd = fs_open_in_root(rootfd, path, 0, &ignore);
	if (tfd < 0)
		return 0;
	if (fstat(tfd, &st) < 0 || (dir ? !S_ISDIR(st.st_mode)
				       : !S_ISREG(st.st_mode)))
		return 0;
	if (dir) {
		const char *opts[] = {"mode=0755", "size=4k", NULL};

		mfd = mnt_new("tmpfs", opts,
			      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			      err);
	} else {
		mfd = mnt_clone(emptyfd, "", 0, err);
		if (mfd >= 0 && mnt_setattr(mfd, MOUNT_ATTR_RDONLY, 0, -1, err) < 0)
			return lb_prefix(err, "mask %s", path);
	}
	if (mfd < 0 || mnt_attach(mfd, tfd, path, err) < 0)
		return lb_prefix(err, "mask %s", path);
	(void)b;
	return 0;
}

static int mask_secrets(const struct lb_box *b, int rootfd, struct lb_err *err)
{
	cleanup_close int emptyfd = -1;
	glob_t g;
	size_t i;
	int fd;

	/* An empty, unreadable file to bind over secret files, on a tmpfs of
	 * its own: a bind shows its source path in the box's mountinfo. */
	{
		const char *opts[] = {"mode=0700", "size=4k", NULL};
		cleanup_close int mfd = -1, tfd = -1;

		if (mkdirat(b->dirfd, "masks", 0700) < 0)
			return lb_fail(err, errno, "mkdir %s/masks", b->dir);
		tfd = openat(b->dirfd, "masks", O_PATH | O_DIRECTORY | O_CLOEXEC);
		mfd = mnt_new("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					     MOUNT_ATTR_NOEXEC, err);
		if (tfd < 0 || mfd < 0 || mnt_attach(mfd, tfd, "masks", err) < 0)
			return lb_prefix(err, "masks tmpfs");
	}
	fd = openat(b->dirfd, "masks/empty",
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return lb_fail(err, errno, "create %s/masks/empty", b->dir);
	close(fd);
	emptyfd = openat(b->dirfd, "masks/empty", O_PATH | O_CLOEXEC);
	if (emptyfd < 0)
		return lb_fail(err, errno, "open %s/masks/empty", b->dir);
	for (i = 0; mask_dirs[i]; i++)
		if (mask_path(b, rootfd, mask_dirs[i], true, emptyfd, err) < 0)
			return -1;
	for (i = 0; mask_files[i]; i++)
		if (mask_path(b, rootfd, mask_files[i], false, emptyfd, err) < 0)
			return -1;
	/* SSH host private keys; the .pub files stay visible. */
	if (glob("/etc/ssh/ssh_host_*_key", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			if (mask_path(b, rootfd, g.gl_pathv[i], false, emptyfd,
				      err) < 0) {
				globfree(&g);
				return -1;
			}
		globfree(&g);
	}
	return 0;
}

static int make_home(const struct lb_box *b, int rootfd, struct lb_err *err)
{
	const char *home = b->user.home;
	uid_t u = b->user.uid;
	gid_t g = b->user.gid;
	cleanup_close int src = -1;
	struct stat st;
	char parent[256];

	if (home[0] != '/' || strstr(home, "/../") || !strcmp(home, "/"))
		return lb_fail(err, EINVAL, "user %s: home %s is not usable",
			       b->user.name, home);
	/* On the host image, hide the other homes next to this one, whatever
	 * the home mode. */
	snprintf(parent, sizeof(parent), "%s", home);
	dirname(parent);
	if (!strcmp(b->pol.image, "host") && strcmp(parent, "/") != 0 &&
	    tmpfs_at(rootfd, parent, "0755", 1ULL << 20, b->root_host_uid,
		     b->root_host_gid, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
		     err) < 0)
		return -1;
	if (b->pol.home == LB_HOME_NONE)
		return 0;
	if (b->pol.home == LB_HOME_TMPFS)
		return tmpfs_at(rootfd, home, "0700", b->pol.tmpfs_size, u, g,
				MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
	/* The passwd entry is the admin's; the directory itself must be
	 * the user's, or we would hand them someone else's files. */
	src = lb_openat2(AT_FDCWD, home, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
			 RESOLVE_NO_MAGICLINKS);
	if (src < 0) {
		lb_fail(err, errno, "user %s: home %s", b->user.name, home);
		return lb_hint(err, "create it (mkhomedir_helper %s) or set "
				    "home = tmpfs for this policy",
			       b->user.name);
	}
	if (fstat(src, &st) < 0 || st.st_uid != u)
		return lb_fail(err, EPERM, "user %s: home %s is not owned by "
					   "the user; refusing to bind it",
			       b->user.name, home);
	if (bind_at(rootfd, home, src, false, u, g,
		    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 1, err) < 0)
		return lb_prefix(err, "home %s", home);
	return 0;
}

static int make_root_home(const struct lb_box *b, int rootfd,
			  struct lb_err *err)
{
	cleanup_close int src = -1;
	char dir[300];

	if (b->pol.upper != LB_UPPER_PERSISTENT || !b->upper_dir[0])
		return tmpfs_at(rootfd, "/root", "0700", BOX_SMALL_TMPFS,
				b->root_host_uid, b->root_host_gid,
				MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
	snprintf(dir, sizeof(dir), "%s/root", b->upper_dir);
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    chown(dir, b->root_host_uid, b->root_host_gid) < 0)
		return lb_fail(err, errno, "prepare %s", dir);
	src = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return lb_fail(err, errno, "open %s", dir);
	return bind_at(rootfd, "/root", src, false, b->root_host_uid,
		       b->root_host_gid, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0,
		       err);
}

/* Does the image's /etc/`path` (read through `fd`) have an entry `key`
 * (the name followed by ':')?  The file's size in *size. */
static int has_entry(int fd, const char *path, const char *key, ssize_t *size,
		     struct lb_err *err)
{
	char buf[65536], want[128];
	struct stat st;
	ssize_t n;

	/* A persistent upper is the user's: /etc/passwd there may be a FIFO
	 * (opened O_NONBLOCK, so the open did not wait for a writer). */
	if (fstat(fd, &st) < 0)
		return lb_fail(err, errno, "fstat /etc/%s", path);
	if (!S_ISREG(st.st_mode))
		return lb_fail(err, 0, "/etc/%s in the box is not a regular "
				       "file", path);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return lb_fail(err, errno, "read /etc/%s", path);
	buf[n] = '\0';
	*size = n;
	snprintf(want, sizeof(want), "\n%s:", key);
	return !strncmp(buf, want + 1, strlen(want + 1)) || strstr(buf, want);
}

/* Append `line` to the image's file `path` unless an entry `key` is
 * there.  Written into the session's upper.  Read-only first: opening a
 * lower file for writing copies it up, and a copy in a persistent upper
 * would hide the host's later changes to /etc/passwd for good. */
static int ensure_entry(const struct lb_box *b, int rootfd, const char *path,
			const char *key, const char *line, struct lb_err *err)
{
	cleanup_close int dfd = -1, fd = -1;
	ssize_t n = 0;
	int r;

	dfd = fs_open_in_root(rootfd, "/etc", O_DIRECTORY, err);
	if (dfd < 0)
		return -1;
	fd = lb_openat2(dfd, path,
			O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0,
			RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (fd < 0 && errno != ENOENT)
		return lb_fail(err, errno, "image %s: open /etc/%s",
			       b->pol.image, path);
	if (fd >= 0) {
		r = has_entry(fd, path, key, &n, err);
		if (r != 0)
			return r < 0 ? -1 : 0;
		close(fd);
	}
	fd = lb_openat2(dfd, path,
			O_RDWR | O_CREAT | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC,
			0644, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (fd < 0)
		return lb_fail(err, errno, "image %s: open /etc/%s",
			       b->pol.image, path);
	r = has_entry(fd, path, key, &n, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (n > 0) {
		char last = '\n';

		if (pread(fd, &last, 1, n - 1) != 1)
			return lb_fail(err, errno, "read /etc/%s", path);
		if (last != '\n' && pwrite(fd, "\n", 1, n++) != 1)
			return lb_fail(err, errno, "write /etc/%s", path);
	}
	if (pwrite(fd, line, strlen(line), n) != (ssize_t)strlen(line))
		return lb_fail(err, errno, "write /etc/%s", path);
	return 0;
}

/* Add the user (with the box's shell) and their groups to the image's
 * /etc/passwd and /etc/group when they are not there (an image of its own,
 * or a directory user on the host image), so `id`, `ls -l` and
 * sftp-server (which exits when getpwuid fails) know them.  A user the
 * file already has (a local user on the host image) writes nothing. */
static int image_knows_user(const struct lb_box *b, int rootfd,
			    struct lb_err *err)
{
	const struct lb_user *u = &b->user;
	char line[700];
	int i;

	snprintf(line, sizeof(line), "%s:x:%u:%u::%s:%s\n", u->name,
		 (unsigned)u->uid, (unsigned)u->gid, u->home, b->pol.shell);
	if (ensure_entry(b, rootfd, "passwd", u->name, line, err) < 0)
		return -1;
	for (i = 0; i < b->ngroups; i++) {
		const char *name = NULL;
		int k;

		for (k = 0; k < u->ngroups; k++)
			if (u->groups[k] == b->groups[i])
				name = u->group_names[k];
		if (!name || !name[0])
			continue;
		snprintf(line, sizeof(line), "%s:x:%u:%s\n", name,
			 (unsigned)b->groups[i], u->name);
		if (ensure_entry(b, rootfd, "group", name, line, err) < 0)
			return -1;
	}
	return 0;
}

int mounts_populate(struct lb_box *b, int rootfd, struct lb_err *err)
{
	uid_t ru = b->root_host_uid;
	gid_t rg = b->root_host_gid;
	int fd;

	/* Targets for init's own mounts. */
	fd = fs_mkdir_in_root(rootfd, "/proc", 0555, ru, rg, err);
	if (fd < 0)
		return -1;
	close(fd);
	fd = fs_mkdir_in_root(rootfd, "/sys", 0555, ru, rg, err);
	if (fd < 0)
		return -1;
	close(fd);
	if (make_dev(b, rootfd, err) < 0)
		return -1;
	if (tmpfs_at(rootfd, "/tmp", "1777", b->pol.tmpfs_size, ru, rg,
		     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err) < 0)
		return -1;
	if (tmpfs_at(rootfd, "/run", "0755", BOX_SMALL_TMPFS, ru, rg,
		     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err) < 0 ||
	    runtime_dir_make(b, rootfd, err) < 0)
		return -1;
	/* Box root's own home: private and writable, whatever the image's
	 * /root holds (on the host image: host root's files); kept across
	 * sessions with a persistent upper. */
	if (make_root_home(b, rootfd, err) < 0)
		return -1;
	/* Every image, the host's too: a directory (LDAP) user is in no
	 * /etc/passwd, and the box cannot reach nslcd or sssd (own /run),
	 * so sftp-server, id and ls -l would not know them. */
	if (image_knows_user(b, rootfd, err) < 0 ||
	    net_resolv_conf(b, rootfd, err) < 0 ||
	    net_pasta_resolv_conf(b, rootfd, err) < 0)
		return -1;
	if (devices_mounts(b, rootfd, err) < 0)
		return -1;
	if (!strcmp(b->pol.image, "host") && mask_secrets(b, rootfd, err) < 0)
		return -1;
	return make_home(b, rootfd, err);
}
