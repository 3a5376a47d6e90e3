// SPDX-License-Identifier: GPL-2.0-or-later
/* Id maps: exact extents for the box and the image maps. */
#include "idmap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "tap.h"

static const char *fmt(const struct lb_idmap *m)
{
	static char buf[4096];

	if (lb_idmap_format(m, buf, sizeof(buf)) < 0)
		return "(overflow)";
	return buf;
}

static void t_box(void)
{
	struct lb_subid_range r = { 100000, 65536 };
	struct lb_err err = { 0 };
	struct lb_idmap m;
	uint32_t id[4];

	id[0] = 1000;
	ok(lb_idmap_box(&r, id, 1, &m, &err) == 0, "box: uid 1000, 100000:65536");
	is_int(m.n, 3, "box: three extents");
	is_str(fmt(&m), "0 100000 1000\n1000 1000 1\n1001 101001 64535\n",
	       "box: exact extents");
	is_int(lb_idmap_to_host(&m, 0), 100000, "box: root -> first subuid");
	is_int(lb_idmap_to_host(&m, 1000), 1000, "box: user -> themselves");
	is_int(lb_idmap_to_host(&m, 999), 100999, "box: 999 -> range");
	is_int(lb_idmap_to_host(&m, 65535), 165535, "box: 65535 -> range end");
	is_int(lb_idmap_to_host(&m, 65536), -1, "box: 65536 unmapped");

	id[0] = 1234567;
	ok(lb_idmap_box(&r, id, 1, &m, &err) == 0, "box: identity >= 65536");
	is_str(fmt(&m), "0 100000 65536\n1234567 1234567 1\n",
	       "box: whole range plus the identity");

	/* gid map: primary gid and kept groups, unsorted, with duplicates */
	id[0] = 1001;
	id[1] = 27;
	id[2] = 1000;
	id[3] = 27;
	ok(lb_idmap_box(&r, id, 4, &m, &err) == 0, "box: several identities");
	is_str(fmt(&m),
	       "0 100000 27\n27 27 1\n28 100028 972\n1000 1000 2\n"
	       "1002 101002 64534\n",
	       "box: sorted, consecutive identities merged");

	id[0] = 0;
	ok(lb_idmap_box(&r, id, 1, &m, &err) < 0, "box: identity 0 refused");
	id[0] = 100500;
	ok(lb_idmap_box(&r, id, 1, &m, &err) < 0,
	   "box: range containing the identity id refused");
	ok(strstr(err.msg, "100500") != NULL, "box: message names the id (%s)",
	   err.msg);
	id[0] = 165535;
	ok(lb_idmap_box(&r, id, 1, &m, &err) < 0,
	   "box: identity at the range's last id refused");
	id[0] = 165536;
	ok(lb_idmap_box(&r, id, 1, &m, &err) == 0,
	   "box: identity just past the range accepted");

	id[0] = 1000;
	r = (struct lb_subid_range){ 0, 65536 };
	ok(lb_idmap_box(&r, id, 1, &m, &err) < 0,
	   "box: range containing 0 refused");
	r = (struct lb_subid_range){ 100000, 65535 };
	ok(lb_idmap_box(&r, id, 1, &m, &err) < 0, "box: range too small");
	r = (struct lb_subid_range){ 4294967295u - 65535, 65536 };
	ok(lb_idmap_box(&r, id, 1, &m, &err) < 0,
	   "box: range reaching 4294967295 refused");
	r = (struct lb_subid_range){ 4294967294u - 65536, 65536 };
	ok(lb_idmap_box(&r, id, 1, &m, &err) == 0,
	   "box: range ending at 4294967293 accepted");
	r = (struct lb_subid_range){ 100000, 65536 };
	ok(lb_idmap_box(&r, NULL, 0, &m, &err) == 0 && m.n == 1,
	   "box: no identity, one extent");
}

static void t_format_write(void)
{
	struct lb_subid_range r = { 100000, 65536 };
	struct lb_err err = { 0 };
	struct lb_idmap m;
	uint32_t id = 1000;
	char buf[8], path[] = "/tmp/lb-idmap-XXXXXX", file[64];
	int dfd, fd;
	ssize_t n;

	lb_idmap_box(&r, &id, 1, &m, &err);
	is_int(lb_idmap_format(&m, buf, sizeof(buf)), -1,
	       "format: short buffer is -1");
	if (!mkdtemp(path)) {
		ok(0, "mkdtemp");
		return;
	}
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	snprintf(file, sizeof(file), "%s/uid_map", path);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ok(lb_idmap_write(dfd, "uid_map", &m, &err) == 0, "write: to a file");
	fd = open(file, O_RDONLY);
	{
		char got[256] = "";

		n = read(fd, got, sizeof(got) - 1);
		got[n > 0 ? n : 0] = '\0';
		is_str(got, fmt(&m), "write: content is the formatted map");
	}
	close(fd);
	ok(lb_idmap_write(dfd, "gid_map", &m, &err) < 0,
	   "write: missing file is an error");
	ok(strstr(err.msg, path) && strstr(err.msg, "gid_map"),
	   "write: error names the file (%s)", err.msg);
	unlink(file);
	close(dfd);
	rmdir(path);
}

int main(void)
{
	t_box();
	t_format_write();
	return done_testing();
}
