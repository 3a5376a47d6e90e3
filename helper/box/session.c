// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Session ids and state under /run/loginbox.
 *
 *   /run/loginbox/            root 0755
 *   /run/loginbox/.lock       flock()ed while allocating an id, never
 *                             longer (no kill, wait or rmtree under it)
 *   /run/loginbox/users/UID.lock
 *                             flock()ed while a box of user UID is torn
 *                             down: one user's slow teardown (a huge disk
 *                             upper to remove, processes slow to die) never
 *                             holds up another user's login or logout
 *   /run/loginbox/.next       next id to try
 *   /run/loginbox/ID/         root 0711: the user may reach `control` by
 *                             name but not list the directory
 *   /run/loginbox/ID/state    key=value lines (session_read_state)
 *   /run/loginbox/ID/control  the box's control socket, user 0600
 */
#include "box.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"
#include "paths.h"

/* flock with a bound: a lock held too long is reported, never waited on
 * for ever. */
static int flock_bounded(int fd, unsigned timeout_ms)
{
	unsigned waited = 0;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (waited >= timeout_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		nanosleep(&(struct timespec){.tv_nsec = 10 * 1000000}, NULL);
		waited += 10;
	}
}

static int open_rundir(bool create, struct lb_err *err)
{
	struct stat st;
	int fd;

	if (create && mkdir(LB_RUNDIR, 0755) < 0 && errno != EEXIST)
		return lb_fail(err, errno, "mkdir %s", LB_RUNDIR);
	fd = open(LB_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open %s", LB_RUNDIR);
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		return lb_fail(err, EPERM, "%s is not owned by root or is "
					   "writable by others; refusing",
			       LB_RUNDIR);
	}
	return fd;
}

int session_parse_id(const char *s, unsigned long *id)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s) || (s[0] == '0' && s[1]))
		return -1;
	errno = 0;
	*id = strtoul(s, &end, 10);
	if (errno || *end || *id == 0 || *id > 999999999UL)
		return -1;
	return 0;
}

static unsigned long next_id(int rfd)
{
	char buf[32] = "";
	unsigned long id = 0;
	int fd;

	fd = openat(rfd, ".next", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return 1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		session_parse_id(strtok(buf, "\n") ? buf : "1", &id);
	if (id == 0 || id >= 999999999UL)
		id = 1;
	snprintf(buf, sizeof(buf), "%lu\n", id + 1);
	/* A failed update only costs a retry: mkdir below keeps ids unique. */
	if (pwrite(fd, buf, strlen(buf), 0) == (ssize_t)strlen(buf))
		(void)!ftruncate(fd, (off_t)strlen(buf));
	close(fd);
	return id;
}

int session_create(struct lb_box *b, struct lb_err *err)
{
	cleanup_close int rfd = -1;
	cleanup_close int lfd = -1;
	int tries;

	rfd = open_rundir(true, err);
	if (rfd < 0)
		return -1;
	lfd = openat(rfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (lfd < 0)
		return lb_fail(err, errno, "open %s/.lock", LB_RUNDIR);
	/* Held only for the mkdir below by anyone: seconds mean trouble. */
	if (flock_bounded(lfd, 10000) < 0) {
		lb_fail(err, errno, "lock %s/.lock (session ids)", LB_RUNDIR);
		return lb_hint(err, "another loginbox-helper holds it: see "
				    "`fuser -v %s/.lock`", LB_RUNDIR);
	}
	for (tries = 0; tries < 1000; tries++) {
		char name[32];

		b->id = next_id(rfd);
		snprintf(name, sizeof(name), "%lu", b->id);
		if (mkdirat(rfd, name, 0700) == 0) {
			snprintf(b->dir, sizeof(b->dir), "%s/%s", LB_RUNDIR,
				 name);
			b->dirfd = openat(rfd, name,
					  O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						  O_CLOEXEC);
			if (b->dirfd < 0)
				return lb_fail(err, errno, "open %s", b->dir);
			/* reachable (x) for the user, not listable */
			if (fchmod(b->dirfd, 0711) < 0)
				return lb_fail(err, errno, "chmod %s", b->dir);
			return 0;
		}
		if (errno != EEXIST)
			return lb_fail(err, errno, "mkdir %s/%s", LB_RUNDIR,
				       name);
	}
	return lb_fail(err, EEXIST, "no free session id in %s", LB_RUNDIR);
}

int session_write_state(const struct lb_box *b, struct lb_err *err)
{
	char buf[4096];
	int fd, n;

	n = snprintf(buf, sizeof(buf),
		     "id=%lu\nuser=%s\nuid=%u\ninit_pid=%d\ninit_start=%llu\n"
		     "owner_pid=%d\nowner_start=%llu\nservice=%s\nimage=%s\n"
		     "image_version=%s\ncgroup=%s\nupper=%s\nupper_dir=%s\n"
		     "created=%lld\nsession=%s\nhash=%s\n"
		     "net=%s\nnet_if=%s\nnet_addr=%s\nnet_addr6=%s\n"
		     "net_egress=%s\n",
		     b->id, b->user.name, (unsigned)b->user.uid,
		     (int)b->init_pid, proc_start_time(b->init_pid),
		     (int)b->owner_pid, proc_start_time(b->owner_pid),
		     b->service, b->pol.image, b->image_version,
		     b->have_cgroup ? b->cg_path : "",
		     b->pol.upper == LB_UPPER_TMPFS	   ? "tmpfs"
		     : b->pol.upper == LB_UPPER_DISK ? "disk"
						     : "persistent",
		     b->upper_dir, (long long)time(NULL),
		     b->pol.session_mode == LB_SESSION_USER ? "user" : "login",
		     b->hash, b->net_mode[0] ? b->net_mode : "none", b->net_if,
		     b->net_addr, b->net_addr6,
		     strcmp(b->net_mode, "bridge") == 0 ? b->pol.egress : "");
	for (int i = 0; i < b->n_phases && n > 0 && (size_t)n < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "phase.%s=%llu\n",
			      b->phase[i].name,
			      (unsigned long long)b->phase[i].usec);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return lb_fail(err, ENAMETOOLONG, "state too long");
	fd = openat(b->dirfd, "state.tmp",
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return lb_fail(err, errno, "create %s/state.tmp", b->dir);
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return lb_fail(err, errno, "write %s/state.tmp", b->dir);
	}
	close(fd);
	if (renameat(b->dirfd, "state.tmp", b->dirfd, "state") < 0)
		return lb_fail(err, errno, "rename %s/state", b->dir);
	return 0;
}

static void copy_field(char *dst, size_t cap, const char *v)
{
	snprintf(dst, cap, "%s", v);
}

void session_parse_state(char *buf, struct lb_state *st)
{
	char *line, *save = NULL;

	memset(st, 0, sizeof(*st));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, '=');

		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(line, "id"))
			st->id = strtoul(v, NULL, 10);
		else if (!strcmp(line, "user"))
			copy_field(st->user, sizeof(st->user), v);
		else if (!strcmp(line, "uid"))
			st->uid = (uid_t)strtoul(v, NULL, 10);
		else if (!strcmp(line, "init_pid"))
			st->init_pid = (pid_t)strtol(v, NULL, 10);
		else if (!strcmp(line, "init_start"))
			st->init_start = strtoull(v, NULL, 10);
		else if (!strcmp(line, "owner_pid"))
			st->owner_pid = (pid_t)strtol(v, NULL, 10);
		else if (!strcmp(line, "owner_start"))
			st->owner_start = strtoull(v, NULL, 10);
		else if (!strcmp(line, "service"))
			copy_field(st->service, sizeof(st->service), v);
		else if (!strcmp(line, "image"))
			copy_field(st->image, sizeof(st->image), v);
		else if (!strcmp(line, "image_version"))
			copy_field(st->image_version, sizeof(st->image_version),
				   v);
		else if (!strcmp(line, "cgroup"))
			copy_field(st->cgroup, sizeof(st->cgroup), v);
		else if (!strcmp(line, "upper"))
			copy_field(st->upper, sizeof(st->upper), v);
		else if (!strcmp(line, "upper_dir"))
			copy_field(st->upper_dir, sizeof(st->upper_dir), v);
		else if (!strcmp(line, "created"))
			st->created = strtoll(v, NULL, 10);
		else if (!strcmp(line, "session"))
			copy_field(st->session, sizeof(st->session), v);
		else if (!strcmp(line, "hash"))
			copy_field(st->hash, sizeof(st->hash), v);
		else if (!strcmp(line, "net"))
			copy_field(st->net_mode, sizeof(st->net_mode), v);
		else if (!strcmp(line, "net_if"))
			copy_field(st->net_if, sizeof(st->net_if), v);
		else if (!strcmp(line, "net_addr"))
			copy_field(st->net_addr, sizeof(st->net_addr), v);
		else if (!strcmp(line, "net_addr6"))
			copy_field(st->net_addr6, sizeof(st->net_addr6), v);
		else if (!strcmp(line, "net_egress"))
			copy_field(st->net_egress, sizeof(st->net_egress), v);
		else if (!strncmp(line, "phase.", 6) && st->n_phases < 16) {
			copy_field(st->phase_name[st->n_phases],
				   sizeof(st->phase_name[0]), line + 6);
			st->phase_usec[st->n_phases++] = strtoull(v, NULL, 10);
		}
	}
}

int session_read_state(unsigned long id, struct lb_state *st,
		       struct lb_err *err)
{
	char path[64], buf[4096];
	cleanup_close int rfd = -1;

	memset(st, 0, sizeof(*st));
	rfd = open_rundir(false, err);
	if (rfd < 0)
		return -1;
	snprintf(path, sizeof(path), "%lu/state", id);
	if (fs_read_small(rfd, path, buf, sizeof(buf), err) < 0)
		return lb_prefix(err, "session %lu", id);
	session_parse_state(buf, st);
	if (st->id != id)
		return lb_fail(err, EINVAL, "session %lu: state file is damaged",
			       id);
	return 0;
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

int session_list(unsigned long **out, struct lb_err *err)
{
	unsigned long *ids = NULL;
	int n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rfd;

	*out = NULL;
	rfd = open_rundir(false, err);
	if (rfd < 0)
		return errno == ENOENT ? 0 : -1;
	d = fdopendir(rfd);
	if (!d) {
		close(rfd);
		return lb_fail(err, errno, "opendir %s", LB_RUNDIR);
	}
	while ((de = readdir(d))) {
		unsigned long id;

		if (session_parse_id(de->d_name, &id) < 0)
			continue;
		if (n == cap) {
			unsigned long *nids;

			cap = cap ? cap * 2 : 64;
			nids = realloc(ids, (size_t)cap * sizeof(*ids));
			if (!nids) {
				free(ids);
				closedir(d);
				return lb_fail(err, ENOMEM, "session list");
			}
			ids = nids;
		}
		ids[n++] = id;
	}
	closedir(d);
	if (n)
		qsort(ids, (size_t)n, sizeof(*ids), cmp_ul);
	*out = ids;
	return n;
}

int session_lock_user(uid_t uid, unsigned timeout_ms, struct lb_err *err)
{
	cleanup_close int rfd = -1, ufd = -1;
	char name[32];
	int fd;

	rfd = open_rundir(true, err);
	if (rfd < 0)
		return -1;
	if (mkdirat(rfd, "users", 0700) < 0 && errno != EEXIST)
		return lb_fail(err, errno, "mkdir %s/users", LB_RUNDIR);
	ufd = openat(rfd, "users", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					   O_CLOEXEC);
	if (ufd < 0)
		return lb_fail(err, errno, "open %s/users", LB_RUNDIR);
	snprintf(name, sizeof(name), "%u.lock", (unsigned)uid);
	fd = openat(ufd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return lb_fail(err, errno, "open %s/users/%s", LB_RUNDIR, name);
	if (flock_bounded(fd, timeout_ms) < 0) {
		int e = errno;

		close(fd);
		if (e == ETIMEDOUT && timeout_ms == 0)
			return -EWOULDBLOCK;
		lb_fail(err, e, "uid %u: another teardown of this user's boxes "
				"still holds %s/users/%s after %u s",
			(unsigned)uid, LB_RUNDIR, name, timeout_ms / 1000);
		return lb_hint(err, "it is still removing a box (processes "
				    "slow to die, a large upper layer); "
				    "`loginbox gc` finishes the rest later");
	}
	return fd;
}

/*
 * Disk uppers are named ID-BOOTID: session ids start again at 1 when /run
 * is cleared (a reboot), and an upper left by a crash before it must never
 * become the next session's root (stale files, or another user's).  The
 * boot id tells this boot's uppers from older ones, and rootfs.c creates
 * the directory exclusively.
 */
int session_upper_name(unsigned long id, char *out, size_t len,
		       struct lb_err *err)
{
	static char boot[40];

	if (!boot[0]) {
		char buf[64];

		if (fs_read_small(AT_FDCWD, "/proc/sys/kernel/random/boot_id",
				  buf, sizeof(buf), err) < 0)
			return -1;
		buf[strcspn(buf, "\n")] = '\0';
		if (strlen(buf) != 36 || strspn(buf, "0123456789abcdef-") != 36)
			return lb_fail(err, EINVAL,
				       "/proc/sys/kernel/random/boot_id: `%s`",
				       buf);
		memcpy(boot, buf, 37);
	}
	if ((size_t)snprintf(out, len, "%lu-%s", id, boot) >= len)
		return lb_fail(err, ENAMETOOLONG, "upper name");
	return 0;
}
