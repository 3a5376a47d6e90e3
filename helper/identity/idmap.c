// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uid_map/gid_map contents (idmap.h has the two maps and why).  The
 * computation is pure so that the exact extents are unit-tested: a wrong
 * map is either a login that cannot see its home or, worse, a box that
 * owns host ids it was never given.
 */
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macros.h"

struct seg {
	uint32_t a, b; /* box ids [a, b) that go through the range */
};

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

static int cmp_ext(const void *x, const void *y)
{
	const struct lb_extent *a = x, *b = y;

	return a->inside < b->inside ? -1 : a->inside > b->inside;
}

/* Check the range and the identity ids; ids gets them sorted, unique. */
static int validate(const struct lb_subid_range *r, const uint32_t *identity,
		    int n_identity, uint32_t *ids, int *n_ids,
		    struct lb_err *err)
{
	uint64_t end = (uint64_t)r->start + r->count;
	int i, n = 0;

	if (r->count < LB_BOX_IDS) {
		lb_fail(err, 0, "subordinate range %" PRIu32 ":%" PRIu32
			" has fewer than %u ids", r->start, r->count,
			LB_BOX_IDS);
		return lb_hint(err, "give the user a range of %u ids",
			       LB_BOX_IDS);
	}
	/* host root must never be reachable from a box */
	if (r->start == 0)
		return lb_fail(err, 0, "subordinate range %" PRIu32 ":%" PRIu32
			       " contains id 0 (root)", r->start, r->count);
	/* 4294967295 is (uid_t)-1, "no id", and cannot be mapped */
	if (end > UINT32_MAX)
		return lb_fail(err, 0, "subordinate range %" PRIu32 ":%" PRIu32
			       " runs past id 4294967294", r->start, r->count);
	if (n_identity < 0 || n_identity > LB_IDMAP_MAX)
		return lb_fail(err, 0, "%d identity ids (at most %d)",
			       n_identity, LB_IDMAP_MAX);
	if (n_identity)
		memcpy(ids, identity, (size_t)n_identity * sizeof(*ids));
	qsort(ids, (size_t)n_identity, sizeof(*ids), cmp_u32);
	for (i = 0; i < n_identity; i++) {
		if (n && ids[n - 1] == ids[i])
			continue;
		if (ids[i] == 0)
			return lb_fail(err, 0, "id 0 (root) cannot be mapped "
				       "into a box");
		if (ids[i] == UINT32_MAX)
			return lb_fail(err, 0, "id 4294967295 cannot be mapped");
		/* the user's own id inside their subordinate range would be
		 * mapped twice; the kernel refuses, and it means the admin
		 * handed out ids that are in use */
		if (ids[i] >= r->start && ids[i] < end) {
			lb_fail(err, 0, "subordinate range %" PRIu32 ":%" PRIu32
				" contains the user's own id %" PRIu32,
				r->start, r->count, ids[i]);
			return lb_hint(err, "give the user a range that does "
				       "not overlap id %" PRIu32, ids[i]);
		}
		ids[n++] = ids[i];
	}
	*n_ids = n;
	return 0;
}

static int build(const struct lb_subid_range *r, const uint32_t *identity,
		 int n_identity, const struct seg *segs, int n_segs,
		 struct lb_idmap *m, struct lb_err *err)
{
	struct lb_extent tmp[4 * LB_IDMAP_MAX + 8];
	uint32_t ids[LB_IDMAP_MAX];
	int n_ids = 0, n = 0, i, j;
	uint32_t cur;

#define PUSH(in, out, cnt)                                                     \
	do {                                                                   \
		if (n >= (int)ARRAY_SIZE(tmp))                                 \
			goto too_many;                                         \
		tmp[n++] = (struct lb_extent){ (in), (out), (cnt) };           \
	} while (0)

	memset(m, 0, sizeof(*m));
	if (validate(r, identity, n_identity, ids, &n_ids, err) < 0)
		return -1;
	for (i = 0; i < n_segs; i++) {
		cur = segs[i].a;
		for (j = 0; j < n_ids; j++) {
			if (ids[j] < cur || ids[j] >= segs[i].b)
				continue;
			if (ids[j] > cur)
				PUSH(cur, r->start + cur, ids[j] - cur);
			cur = ids[j] + 1;
		}
		if (cur < segs[i].b)
			PUSH(cur, r->start + cur, segs[i].b - cur);
	}
	for (j = 0; j < n_ids; j++)
		PUSH(ids[j], ids[j], 1);
#undef PUSH

	qsort(tmp, (size_t)n, sizeof(tmp[0]), cmp_ext);
	for (i = 0; i < n; i++) {
		struct lb_extent *last = m->n ? &m->ext[m->n - 1] : NULL;

		if (last && last->inside + last->count == tmp[i].inside &&
		    last->outside + last->count == tmp[i].outside) {
			last->count += tmp[i].count;
			continue;
		}
		if (m->n >= LB_IDMAP_MAX)
			goto too_many;
		m->ext[m->n++] = tmp[i];
	}
	return 0;

too_many:
	memset(m, 0, sizeof(*m));
	return lb_fail(err, 0, "id map needs more than %d extents",
		       LB_IDMAP_MAX);
}

int lb_idmap_box(const struct lb_subid_range *range, const uint32_t *identity,
		 int n_identity, struct lb_idmap *m, struct lb_err *err)
{
	static const struct seg all[] = { { 0, LB_BOX_IDS } };

	return build(range, identity, n_identity, all, 1, m, err);
}

int64_t lb_idmap_to_host(const struct lb_idmap *m, uint32_t inside)
{
	int i;

	for (i = 0; i < m->n; i++) {
		const struct lb_extent *e = &m->ext[i];

		if (inside >= e->inside && inside - e->inside < e->count)
			return (int64_t)e->outside + (inside - e->inside);
	}
	return -1;
}

int lb_idmap_format(const struct lb_idmap *m, char *buf, size_t len)
{
	size_t o = 0;
	int i, w;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < m->n; i++) {
		w = snprintf(buf + o, len - o, "%" PRIu32 " %" PRIu32 " %" PRIu32
			     "\n", m->ext[i].inside, m->ext[i].outside,
			     m->ext[i].count);
		if (w < 0 || (size_t)w >= len - o)
			return -1;
		o += (size_t)w;
	}
	return (int)o;
}

/* "/proc/1234/uid_map" for messages, from the directory fd. */
static const char *map_path(int dirfd, const char *name, char *buf,
			    size_t len)
{
	char link[64], dir[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, dir, sizeof(dir) - 1);
	if (n <= 0)
		snprintf(dir, sizeof(dir), "/proc/<pid>");
	else
		dir[n] = '\0';
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

int lb_idmap_write(int proc_pid_fd, const char *name, const struct lb_idmap *m,
		   struct lb_err *err)
{
	char buf[LB_IDMAP_MAX * 36 + 1], path[160];
	cleanup_close int fd = -1;
	ssize_t w;
	int len;

	len = lb_idmap_format(m, buf, sizeof(buf));
	if (len <= 0)
		return lb_fail(err, 0, "%s: empty or oversized map",
			       map_path(proc_pid_fd, name, path, sizeof(path)));
	fd = openat(proc_pid_fd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return lb_fail(err, errno, "open %s",
			       map_path(proc_pid_fd, name, path, sizeof(path)));
	/* The kernel takes a map in exactly one write (user_namespaces(7)). */
	w = write(fd, buf, (size_t)len);
	if (w < 0)
		return lb_fail(err, errno, "write %s",
			       map_path(proc_pid_fd, name, path, sizeof(path)));
	if (w != len)
		return lb_fail(err, 0, "write %s: short write (%zd of %d)",
			       map_path(proc_pid_fd, name, path, sizeof(path)),
			       w, len);
	return 0;
}

int lb_idmap_apply(pid_t pid, const struct lb_idmap *uids,
		      const struct lb_idmap *gids, bool setgroups_allow,
		      struct lb_err *err)
{
	cleanup_close int pfd = -1;
	cleanup_close int sfd = -1;
	char path[64];
	const char *sg = setgroups_allow ? "allow" : "deny";
	ssize_t w;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	pfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return lb_fail(err, errno, "open %s", path);
	/* setgroups must be decided before gid_map is written. */
	sfd = openat(pfd, "setgroups", O_WRONLY | O_CLOEXEC);
	if (sfd < 0)
		return lb_fail(err, errno, "open %s/setgroups", path);
	w = write(sfd, sg, strlen(sg));
	if (w != (ssize_t)strlen(sg)) /* a short write sets no errno */
		return lb_fail(err, w < 0 ? errno : EIO, "write %s/setgroups",
			       path);
	if (lb_idmap_write(pfd, "uid_map", uids, err) < 0 ||
	    lb_idmap_write(pfd, "gid_map", gids, err) < 0)
		return lb_prefix(err, "%s", path);
	return 0;
}
