// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CDI spec files, JSON and YAML (cdi.c, cdi_yaml.c).  Root writes them,
 * but a spec comes from a vendor's generator and names the host files a
 * box sees: a damaged, hostile or huge one must be refused, never crash
 * the helper, and anything accepted must satisfy what devices.c relies
 * on.  The first byte picks the format (even: YAML, odd: JSON); the
 * device looked up is test.example/t=x.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cdi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lb_devset set;
	struct lb_err err;
	const char *file;
	int r, i;

	if (size < 1)
		return 0;
	file = data[0] & 1 ? "fuzz.json" : "fuzz.yaml";
	memset(&set, 0, sizeof(set));
	lb_err_clear(&err);
	r = lb_cdi_spec_text((const char *)data + 1, size - 1, file,
			     "test.example/t", "x", &set, &err);
	if (r < 0 && (!err.msg[0] || !strstr(err.msg, file)))
		abort(); /* every refusal names the spec file */
	if (r < 0)
		return 0;
	if (set.n_nodes > LB_DEV_MAX_NODES ||
	    set.n_mounts > LB_DEV_MAX_MOUNTS || set.n_env > LB_DEV_MAX_ENV ||
	    set.n_ld_dirs > 8)
		abort();
	for (i = 0; i < set.n_nodes; i++)
		if (strncmp(set.nodes[i].path, "/dev/", 5) ||
		    !lb_dev_path_valid(set.nodes[i].path) ||
		    !lb_dev_path_valid(set.nodes[i].host) ||
		    (set.nodes[i].type != S_IFCHR &&
		     set.nodes[i].type != S_IFBLK))
			abort();
	for (i = 0; i < set.n_mounts; i++)
		if (!lb_dev_path_valid(set.mounts[i].host) ||
		    !lb_dev_path_valid(set.mounts[i].target) ||
		    !strncmp(set.mounts[i].target, "/proc", 5) ||
		    !strncmp(set.mounts[i].target, "/sys", 4))
			abort();
	for (i = 0; i < set.n_env; i++)
		if (!strchr(set.env[i], '=') || !strncmp(set.env[i], "LD_", 3))
			abort();
	for (i = 0; i < set.n_ld_dirs; i++)
		if (!lb_dev_path_valid(set.ld_dirs[i]))
			abort();
	return 0;
}
