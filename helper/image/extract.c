// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unpacking an image's tar streams without privilege (docs/SECURITY.md
 * "Images").  Archives are hostile input: the parser (libarchive) runs in a
 * child that
 *  - is root only of a user namespace of its own whose ids 0..65535 are
 *    host ids LB_IMAGE_ID_BASE..: it can give files the image's owners
 *    (on disk: BASE+id, never host root) and has no capability over any
 *    host file, which are owned by ids it does not map;
 *  - has new network, mount, ipc and uts namespaces, is chrooted into the
 *    layer, holds only the fds it needs, runs with no_new_privs under a
 *    seccomp filter that refuses sockets, mounts, namespaces, exec, ptrace;
 *  - resolves every entry beneath the layer root one component at a time
 *    with openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS): `..`, absolute
 *    paths and symlinks (in the stream or planted earlier) never lead out;
 *  - drops device nodes (a user namespace cannot make them anyway: the box
 *    gets /dev from loginbox) and setuid/setgid bits unless asked, and stops
 *    at the limits (bytes, entries, path length, compression ratio).
 * OCI whiteouts become what overlayfs expects: `.wh.NAME` a 0/0 character
 * device (allowed without CAP_MKNOD since Linux 5.8), `.wh..wh..opq` is
 * reported to the parent, which sets trusted.overlay.opaque (a trusted.*
 * xattr needs CAP_SYS_ADMIN of the host).
 */
#include "extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <openssl/evp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../box/fsutil.h"
#include "idmap.h"
#include "image.h"
#include "macros.h"
#include "syscalls.h"

#define RES (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
#define FD_IN 3
#define FD_LAYER 4
#define FD_OUT 5
#define FD_SYNC 6
#define FD_LOWER 7

/* ---------------------------------------------------------------- child */

static const struct ex_limits *L;
static struct ex_stats *S;
static enum ex_mode M;
static int nlow;

static void rec(char type, const char *payload)
{
	size_t n = strlen(payload);
	char t = type;

	if (write(FD_OUT, &t, 1) != 1 || write(FD_OUT, payload, n + 1) !=
						 (ssize_t)(n + 1))
		_exit(3);
}

static void printable(const char *in, char *out, size_t cap)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < cap; i++)
		out[i] = isprint((unsigned char)in[i]) ? in[i] : '?';
	out[i] = '\0';
}

static __attribute__((noreturn, format(printf, 1, 2))) void
die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rec('E', msg);
	_exit(1);
}

/* Entry names as the archive gives them: relative, no `..`.  A leading
 * "./" (tar -C DIR .) is fine; an absolute path is refused, not stripped:
 * an archive with one was not made for a layer. */
static void clean_path(const char *in, char *out, size_t cap)
{
	char show[256];
	const char *p = in;
	size_t o = 0;

	printable(in, show, sizeof(show));
	if (strlen(in) > L->max_path)
		die("entry `%.80s...` has a path of %zu bytes; the limit is "
		    "%llu (image_max_path)",
		    show, strlen(in), (unsigned long long)L->max_path);
	if (in[0] == '/')
		die("entry `%s` has an absolute path", show);
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !strncmp(p, "..", 2))
			die("entry `%s` climbs out of the layer (`..`)", show);
		if (n > 255)
			die("entry `%s` has a name longer than 255 bytes", show);
		if (n && !(n == 1 && p[0] == '.')) {
			if (o + n + 2 > cap)
				die("entry `%s` is too long", show);
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	out[o] = '\0';
}

static void rm_any(int dirfd, const char *name)
{
	struct lb_err err;
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		if (fs_rmtree_at(dirfd, name, &err) < 0)
			die("remove `%s`: %s", name, err.msg);
	} else if (unlinkat(dirfd, name, 0) < 0) {
		die("remove `%s`: %s", name, strerror(errno));
	}
}

static void empty_dir(int dirfd, const char *show)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd)))
		die("open `%s`: %s", show, strerror(errno));
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			rm_any(dirfd, d->d_name);
	closedir(dir);
}

/* The directory holding `rel` (created as needed: archives may omit
 * parents), its last component in *leaf.  A non-directory on the way is
 * replaced by a directory, as the layer above it would on overlayfs. */
static int open_parent(int root, char *rel, const char **leaf, bool create)
{
	char *p = rel, *slash;
	int cur = dup(root), next;

	if (cur < 0)
		die("dup: %s", strerror(errno));
	while ((slash = strchr(p, '/'))) {
		*slash = '\0';
		next = lb_openat2(cur, p, O_PATH | O_DIRECTORY | O_NOFOLLOW |
						  O_CLOEXEC, 0, RES);
		if (next < 0 && !create) {
			close(cur);
			*slash = '/';
			return -1;
		}
		if (next < 0 && (errno == ENOTDIR || errno == ELOOP)) {
			rm_any(cur, p);
			errno = ENOENT;
		}
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(cur, p, 0755) < 0)
				die("mkdir `%s`: %s", p, strerror(errno));
			next = lb_openat2(cur, p, O_PATH | O_DIRECTORY |
							  O_NOFOLLOW | O_CLOEXEC,
					  0, RES);
		}
		if (next < 0)
			die("open `%s`: %s", p, strerror(errno));
		close(cur);
		cur = next;
		*slash = '/';
		p = slash + 1;
	}
	*leaf = p;
	return cur;
}

static uid_t clamp_id(la_int64_t id)
{
	return id < 0 || id >= (la_int64_t)LB_IMAGE_ID_COUNT ? 65534
							     : (uid_t)id;
}

static void set_meta(int fd, struct archive_entry *e, bool dir)
{
	mode_t mode = archive_entry_perm(e) & 07777;

	if (fchown(fd, clamp_id(archive_entry_uid(e)),
		   clamp_id(archive_entry_gid(e))) < 0)
		die("chown `%s`: %s", archive_entry_pathname(e),
		    strerror(errno));
	/* setgid on a directory only makes new files inherit its group. */
	if (!L->keep_setuid && (mode & (dir ? S_ISUID : (S_ISUID | S_ISGID)))) {
		mode &= dir ? ~(mode_t)S_ISUID : ~(mode_t)(S_ISUID | S_ISGID);
		S->dropped_suid++;
	}
	if (fchmod(fd, mode) < 0)
		die("chmod `%s`: %s", archive_entry_pathname(e), strerror(errno));
}

static void set_time(int dirfd, const char *leaf, struct archive_entry *e)
{
	struct timespec ts[2] = {
		{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
		{archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};

	utimensat(dirfd, leaf, ts, AT_SYMLINK_NOFOLLOW);
}

static void check_ratio(struct archive *a, uint64_t raw)
{
	uint64_t out = (uint64_t)archive_filter_bytes(a, 0);

	if (out > (16u << 20) && raw && out / raw > L->max_ratio)
		die("the stream expands more than %llu times (%llu bytes from "
		    "%llu): a decompression bomb? (image_max_ratio)",
		    (unsigned long long)L->max_ratio, (unsigned long long)out,
		    (unsigned long long)raw);
}

static void write_data(struct archive *a, int fd, const char *show,
		       uint64_t *raw)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	for (;;) {
		r = archive_read_data_block(a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return;
		if (r < ARCHIVE_WARN)
			die("read `%s`: %s", show, archive_error_string(a));
		while (size) {
			ssize_t w = pwrite(fd, buf, size, off);

			if (w <= 0)
				die("write `%s`: %s", show, strerror(errno));
			buf = (const char *)buf + w;
			size -= (size_t)w;
			off += w;
		}
		check_ratio(a, *raw);
	}
}

/* A hardlink whose target is in an earlier layer: copied (a link cannot
 * cross layers).  The topmost earlier layer that has it wins. */
static bool copy_from_lower(const char *target, int dirfd, const char *leaf)
{
	char buf[65536];
	struct stat st;
	ssize_t r;
	int i;

	for (i = 0; i < nlow; i++) {
		int in = lb_openat2(FD_LOWER + i, target,
				    O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0, RES);
		int out;

		if (in < 0)
			continue;
		if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(in);
			continue;
		}
		out = openat(dirfd, leaf,
			     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     0600);
		if (out < 0)
			die("create `%s`: %s", leaf, strerror(errno));
		while ((r = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)r) != r)
				die("copy `%s`: %s", target, strerror(errno));
		/* Ids as this namespace sees them: the image's own. */
		if (fchown(out, st.st_uid, st.st_gid) < 0 ||
		    fchmod(out, st.st_mode & (L->keep_setuid ? 07777 : 01777)) < 0)
			die("copy `%s`: %s", target, strerror(errno));
		close(in);
		close(out);
		return true;
	}
	return false;
}

static bool src_name_ok(const char *p, bool dir)
{
	size_t n = strlen(p);
	size_t i;
	bool hexpre = n >= 64;

	for (i = 0; i < 64 && i < n; i++)
		if (!isxdigit((unsigned char)p[i]) || isupper((unsigned char)p[i]))
			hexpre = false;
	if (dir)
		return !strcmp(p, "") || !strcmp(p, "blobs") ||
		       !strcmp(p, "blobs/sha256") || (hexpre && n == 64);
	if (!strcmp(p, "oci-layout") || !strcmp(p, "index.json") ||
	    !strcmp(p, "manifest.json") || !strcmp(p, "repositories"))
		return true;
	if (!strncmp(p, "blobs/sha256/", 13))
		return src_name_ok(p + 13, true) && strlen(p + 13) == 64;
	return hexpre && (!strcmp(p + 64, ".json") ||
			  !strcmp(p + 64, "/layer.tar") ||
			  !strcmp(p + 64, "/json") || !strcmp(p + 64, "/VERSION"));
}

struct src {
	EVP_MD_CTX *md;
	uint64_t raw;
	char buf[1 << 16];
};

static la_ssize_t src_read(struct archive *a, void *cd, const void **b)
{
	struct src *s = cd;
	ssize_t n;

	do
		n = read(FD_IN, s->buf, sizeof(s->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	EVP_DigestUpdate(s->md, s->buf, (size_t)n);
	s->raw += (uint64_t)n;
	*b = s->buf;
	return n;
}

static void one_entry(struct archive *a, struct archive_entry *e,
		      struct src *s)
{
	char path[8192], show[256], tpath[8192];
	const char *leaf, *hl = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	int dirfd, fd;
	la_int64_t size = archive_entry_size(e);

	printable(archive_entry_pathname(e) ? archive_entry_pathname(e) : "",
		  show, sizeof(show));
	if (!archive_entry_pathname(e))
		die("an entry without a name");
	if (++S->entries > L->max_entries)
		die("more than %llu entries (image_max_entries)",
		    (unsigned long long)L->max_entries);
	if (size > 0 && !hl) {
		if ((uint64_t)size > L->max_bytes - S->bytes ||
		    S->bytes + (uint64_t)size > L->max_bytes)
			die("entry `%s` (%lld bytes) goes over the limit of %llu "
			    "bytes per import (image_max_bytes)",
			    show, (long long)size,
			    (unsigned long long)L->max_bytes);
		S->bytes += (uint64_t)size;
	}
	clean_path(archive_entry_pathname(e), path, sizeof(path));

	if (M == EX_SRC) {
		bool dir = type == AE_IFDIR;

		if ((type != AE_IFDIR && type != AE_IFREG) || hl ||
		    !src_name_ok(path, dir)) {
			S->not_container = true;
			rec('N', path);
			_exit(0);
		}
		if (!path[0])
			return;
		dirfd = open_parent(FD_LAYER, path, &leaf, true);
		if (dir) {
			if (mkdirat(dirfd, leaf, 0700) < 0 && errno != EEXIST)
				die("mkdir `%s`: %s", show, strerror(errno));
		} else {
			rm_any(dirfd, leaf);
			fd = openat(dirfd, leaf, O_WRONLY | O_CREAT | O_EXCL |
							 O_NOFOLLOW | O_CLOEXEC,
				    0600);
			if (fd < 0)
				die("create `%s`: %s", show, strerror(errno));
			write_data(a, fd, show, &s->raw);
			close(fd);
		}
		close(dirfd);
		return;
	}

	if (!path[0]) { /* the layer root itself: "./" */
		if (type == AE_IFDIR)
			set_meta(FD_LAYER, e, true);
		return;
	}
	dirfd = open_parent(FD_LAYER, path, &leaf, true);
	if (!strncmp(leaf, ".wh.", 4)) {
		if (!strcmp(leaf, ".wh..wh..opq")) {
			if (M == EX_LAYER) {
				char dir[8192];

				snprintf(dir, sizeof(dir), "%.*s",
					 (int)(leaf - path), path);
				if (dir[0])
					dir[strlen(dir) - 1] = '\0';
				rec('O', dir);
			} else {
				/* Flattening: what earlier layers put here
				 * goes.  Archives list the marker first. */
				empty_dir(dirfd, show);
			}
		} else {
			rm_any(dirfd, leaf + 4);
			if (M == EX_LAYER &&
			    mknodat(dirfd, leaf + 4, S_IFCHR | 0, makedev(0, 0)) < 0)
				die("whiteout `%s`: %s", show, strerror(errno));
		}
		close(dirfd);
		return;
	}
	if (type != AE_IFDIR)
		rm_any(dirfd, leaf);
	if (hl) {
		const char *tleaf;
		int tdir;

		clean_path(hl, tpath, sizeof(tpath));
		tdir = open_parent(FD_LAYER, tpath, &tleaf, false);
		if ((tdir < 0 || linkat(tdir, tleaf, dirfd, leaf, 0) < 0) &&
		    !copy_from_lower(tpath, dirfd, leaf))
			die("hardlink `%s` -> `%.200s`: no such file in this "
			    "layer or an earlier one",
			    show, tpath);
		if (tdir >= 0)
			close(tdir);
		close(dirfd);
		return;
	}
	switch (type) {
	case AE_IFDIR: {
		struct stat st;

		if (fstatat(dirfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISDIR(st.st_mode))
			rm_any(dirfd, leaf);
		if (mkdirat(dirfd, leaf, 0700) < 0 && errno != EEXIST)
			die("mkdir `%s`: %s", show, strerror(errno));
		fd = lb_openat2(dirfd, leaf,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
				0, RES);
		if (fd < 0)
			die("open `%s`: %s", show, strerror(errno));
		set_meta(fd, e, true);
		close(fd);
		break;
	}
	case AE_IFREG:
		fd = openat(dirfd, leaf,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd < 0)
			die("create `%s`: %s", show, strerror(errno));
		write_data(a, fd, show, &s->raw);
		if (size > 0 && ftruncate(fd, size) < 0)
			die("truncate `%s`: %s", show, strerror(errno));
		set_meta(fd, e, false);
		close(fd);
		break;
	case AE_IFLNK:
		/* Stored, never followed here: where it points is the box's
		 * business, resolved inside the box's root. */
		if (!archive_entry_symlink(e) ||
		    symlinkat(archive_entry_symlink(e), dirfd, leaf) < 0)
			die("symlink `%s`: %s", show, strerror(errno));
		if (fchownat(dirfd, leaf, clamp_id(archive_entry_uid(e)),
			     clamp_id(archive_entry_gid(e)),
			     AT_SYMLINK_NOFOLLOW) < 0)
			die("chown `%s`: %s", show, strerror(errno));
		break;
	case AE_IFIFO:
		if (mkfifoat(dirfd, leaf, 0600) < 0)
			die("mkfifo `%s`: %s", show, strerror(errno));
		fd = openat(dirfd, leaf, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
						 O_CLOEXEC);
		if (fd < 0)
			die("open `%s`: %s", show, strerror(errno));
		set_meta(fd, e, false);
		close(fd);
		break;
	default: /* devices, sockets */
		S->dropped_dev++;
		close(dirfd);
		return;
	}
	set_time(dirfd, leaf, e);
	close(dirfd);
}

static void sandbox(void)
{
	static const int deny[] = {
		SCMP_SYS(socket),	 SCMP_SYS(socketpair),
		SCMP_SYS(connect),	 SCMP_SYS(bind),
		SCMP_SYS(ptrace),	 SCMP_SYS(mount),
		SCMP_SYS(umount2),	 SCMP_SYS(pivot_root),
		SCMP_SYS(chroot),	 SCMP_SYS(unshare),
		SCMP_SYS(setns),	 SCMP_SYS(clone),
		SCMP_SYS(clone3),	 SCMP_SYS(fork),
		SCMP_SYS(vfork),	 SCMP_SYS(execve),
		SCMP_SYS(execveat),	 SCMP_SYS(open_tree),
		SCMP_SYS(move_mount),	 SCMP_SYS(fsopen),
		SCMP_SYS(fsconfig),	 SCMP_SYS(fsmount),
		SCMP_SYS(fspick),	 SCMP_SYS(mount_setattr),
		SCMP_SYS(keyctl),	 SCMP_SYS(add_key),
		SCMP_SYS(request_key),	 SCMP_SYS(bpf),
		SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
		SCMP_SYS(init_module),	 SCMP_SYS(finit_module),
		SCMP_SYS(kexec_load),	 SCMP_SYS(process_vm_readv),
		SCMP_SYS(process_vm_writev), SCMP_SYS(io_uring_setup),
		SCMP_SYS(setxattr),	 SCMP_SYS(fsetxattr),
		SCMP_SYS(lsetxattr),	 SCMP_SYS(name_to_handle_at),
		SCMP_SYS(open_by_handle_at),
	};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	size_t i;

	if (!ctx)
		die("seccomp_init");
	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), deny[i], 0) < 0)
			die("seccomp rule %zu", i);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0)
		die("seccomp_load: %s", strerror(errno));
	seccomp_release(ctx);
}

static __attribute__((noreturn)) void child(void)
{
	struct archive *a;
	struct archive_entry *e;
	struct src *s = calloc(1, sizeof(*s));
	unsigned char md[32];
	char hex[65], c = 'x';
	unsigned i;
	int r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!s || setgroups(0, NULL) < 0)
		die("setgroups: %s", strerror(errno));
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC |
		    CLONE_NEWUTS) < 0)
		die("unshare: %s", strerror(errno));
	if (write(FD_SYNC, &c, 1) != 1 || read(FD_SYNC, &c, 1) != 1 || c != 'm')
		die("no id map from the parent");
	close(FD_SYNC);
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		die("become root of the extraction namespace: %s",
		    strerror(errno));
	/* The layer is all there is to see. */
	if (fchdir(FD_LAYER) < 0 || chroot(".") < 0 || chdir("/") < 0)
		die("chroot into the layer: %s", strerror(errno));
	umask(0);
	s->md = EVP_MD_CTX_new();
	if (!s->md || !EVP_DigestInit_ex(s->md, EVP_sha256(), NULL))
		die("sha256 init");
	a = archive_read_new();
	if (!a)
		die("archive_read_new");
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	sandbox();
	if (archive_read_open(a, s, NULL, src_read, NULL) != ARCHIVE_OK)
		die("not a tar stream: %s", archive_error_string(a));
	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN)
			die("bad archive: %s", archive_error_string(a));
		one_entry(a, e, s);
		check_ratio(a, s->raw);
	}
	/* The digest covers every byte, the padding after the end too. */
	while (src_read(a, s, (const void **)&e) > 0)
		;
	archive_read_free(a);
	if (!EVP_DigestFinal_ex(s->md, md, NULL))
		die("sha256 final");
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	{
		char st[160];

		snprintf(st, sizeof(st), "%llu %llu %llu %llu",
			 (unsigned long long)S->bytes,
			 (unsigned long long)S->entries,
			 (unsigned long long)S->dropped_dev,
			 (unsigned long long)S->dropped_suid);
		rec('S', st);
	}
	rec('D', hex);
	_exit(0);
}

/* --------------------------------------------------------------- parent */

static int set_opaque(int layer_fd, const char *dir, struct lb_err *err)
{
	cleanup_close int fd = -1;

	fd = dir[0] ? lb_openat2(layer_fd, dir,
				 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
				 0, RES | RESOLVE_NO_XDEV)
		    : dup(layer_fd);
	if (fd < 0)
		return lb_fail(err, errno, "opaque directory `%s`", dir);
	if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return lb_fail(err, errno, "set trusted.overlay.opaque on `%s`",
			       dir);
	return 0;
}

int ex_run(int in_fd, int layer_fd, enum ex_mode mode, const int *lower_fds,
	   int nlower, const struct ex_limits *lim, struct ex_stats *stats,
	   char *digest, struct lb_err *err)
{
	int out[2], sync[2], status, ret = 0, i;
	size_t len = 0, cap = 1 << 16;
	char *buf = NULL, c;
	ssize_t r;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) < 0)
		return lb_fail(err, errno, "pipe");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0) {
		close(out[0]);
		close(out[1]);
		return lb_fail(err, errno, "socketpair");
	}
	pid = fork();
	if (pid < 0) {
		ret = lb_fail(err, errno, "fork");
		goto out;
	}
	if (pid == 0) {
		/* fds in place: dup2 through high numbers first so no
		 * source is overwritten before it is copied. */
		int src[4] = {in_fd, layer_fd, out[1], sync[1]};
		int tmp[4 + LB_IMAGE_MAX_LAYERS];

		for (i = 0; i < 4; i++)
			tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 100);
		for (i = 0; i < nlower && i < LB_IMAGE_MAX_LAYERS; i++)
			tmp[4 + i] = fcntl(lower_fds[i], F_DUPFD_CLOEXEC, 100);
		for (i = 0; i < 4 + nlower; i++)
			if (tmp[i] < 0 || dup2(tmp[i], FD_IN + i) < 0)
				_exit(4);
		close_range(FD_LOWER + (unsigned)nlower, ~0U, 0);
		L = lim;
		S = stats;
		M = mode;
		nlow = nlower;
		child();
	}
	close(out[1]);
	out[1] = -1;
	close(sync[1]);
	sync[1] = -1;
	/* The child has its user namespace: map it. */
	if (read(sync[0], &c, 1) == 1) {
		struct lb_idmap m = {.n = 1,
				     .ext = {{0, LB_IMAGE_ID_BASE,
					      LB_IMAGE_ID_COUNT}}};
		struct lb_err merr;

		lb_err_clear(&merr);
		if (lb_idmap_apply(pid, &m, &m, false, &merr) == 0) {
			c = 'm';
			if (write(sync[0], &c, 1) != 1)
				ret = lb_fail(err, errno, "wake the extractor");
		} else {
			ret = lb_fail(err, merr.errnum, "%s", merr.msg);
		}
	}
	buf = malloc(cap);
	while (buf && (r = read(out[0], buf + len, cap - len - 1)) > 0) {
		len += (size_t)r;
		if (len + 1 >= cap) {
			char *n = realloc(buf, cap * 2);

			if (!n)
				break;
			buf = n;
			cap *= 2;
		}
	}
	if (!buf) {
		kill(pid, SIGKILL);
		ret = lb_fail(err, ENOMEM, "extractor output");
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret < 0)
		goto out;
	buf[len] = '\0';
	digest[0] = '\0';
	for (size_t o = 0; o < len; o += strlen(buf + o) + 1) {
		const char *p = buf + o + 1;

		switch (buf[o]) {
		case 'E':
			if (ret == 0)
				ret = lb_fail(err, 0, "%s", p);
			break;
		case 'N':
			stats->not_container = true;
			break;
		case 'O':
			if (ret == 0 && set_opaque(layer_fd, p, err) < 0)
				ret = -1;
			break;
		case 'S': {
			unsigned long long b, n, d, u;

			if (sscanf(p, "%llu %llu %llu %llu", &b, &n, &d, &u) == 4) {
				stats->bytes = b;
				stats->entries = n;
				stats->dropped_dev = d;
				stats->dropped_suid = u;
			}
			break;
		}
		case 'D':
			snprintf(digest, 65, "%s", p);
			break;
		}
	}
	if (ret == 0 && !stats->not_container &&
	    (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !digest[0]))
		ret = lb_fail(err, EIO, "the extractor failed (%s %d)",
			      WIFSIGNALED(status) ? "signal" : "status",
			      WIFSIGNALED(status) ? WTERMSIG(status)
						  : WEXITSTATUS(status));
out:
	free(buf);
	for (i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (sync[i] >= 0)
			close(sync[i]);
	}
	return ret;
}
