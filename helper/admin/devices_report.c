// SPDX-License-Identifier: GPL-2.0-or-later
/* Devices in `loginbox check` and `loginbox show` (devices_report.h). */
#include "devices_report.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../box/lxcfs.h"
#include "cdi.h"
#include "macros.h"

int lb_devices_report(const struct lb_config *cfg, FILE *out)
{
	struct lb_devset *set = malloc(sizeof(*set));
	int i, k, missing = 0;

	if (!set)
		return 0;
	for (i = 0; i < cfg->n_sections; i++) {
		const struct lb_section *s = &cfg->sections[i];

		if ((s->set_mask & LB_KEY_BIT(LB_KEY_LXCFS)) &&
		    s->values.lxcfs) {
			struct lb_err err;
			char text[1200];

			lb_err_clear(&err);
			if (lxcfs_check(&err) < 0) {
				fprintf(out, "warning: lxcfs = yes [%s]: %s "
					     "(limits = required refuses the "
					     "login, best-effort boxes see the "
					     "host's /proc)\n", s->name,
					lb_err_text(&err, text, sizeof(text)));
				missing++;
			} else {
				fprintf(out, "lxcfs [%s]: ok (running)\n",
					s->name);
			}
		}
		if (!(s->set_mask & LB_KEY_BIT(LB_KEY_DEVICES)))
			continue;
		for (k = 0; k < s->values.n_devices; k++) {
			const char *name = s->values.devices[k];
			struct lb_err err;
			char text[1200];

			memset(set, 0, sizeof(*set));
			lb_err_clear(&err);
			if (lb_device_resolve(name, lb_cdi_dirs, true, set,
					      &err) < 0) {
				fprintf(out, "warning: device %s [%s] is "
					     "missing: %s\n", name, s->name,
					lb_err_text(&err, text, sizeof(text)));
				missing++;
				continue;
			}
			fprintf(out, "device %s [%s]: ok (%d node%s, %d "
				     "mount%s, %d variable%s%s)\n",
				name, s->name, set->n_nodes,
				set->n_nodes == 1 ? "" : "s", set->n_mounts,
				set->n_mounts == 1 ? "" : "s", set->n_env,
				set->n_env == 1 ? "" : "s",
				set->ldconfig ? ", ldconfig" : "");
		}
	}
	free(set);
	return missing;
}

/* What every box's /dev has (mounts.c make_dev). */
static bool base_node(const char *rel)
{
	static const char *const names[] = {"null", "zero", "full", "random",
					    "urandom", "tty", NULL};
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(rel, names[i]))
			return true;
	return false;
}

static void walk(int dfd, const char *rel, int depth, FILE *out)
{
	struct dirent *de;
	DIR *d;

	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[512];
		struct stat st;

		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", rel, rel[0] ? "/" : "",
			 de->d_name);
		if (S_ISDIR(st.st_mode) && depth < 4 && strcmp(path, "pts") &&
		    strcmp(path, "shm")) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						 O_CLOEXEC);

			if (sub >= 0)
				walk(sub, path, depth + 1, out);
		} else if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) &&
			   !base_node(path)) {
			fprintf(out, "device           /dev/%s (%c %u:%u)\n",
				path, S_ISCHR(st.st_mode) ? 'c' : 'b',
				major(st.st_rdev), minor(st.st_rdev));
		}
	}
	closedir(d);
}

void lb_devices_show(pid_t init_pid, FILE *out)
{
	char p[64];
	int fd;

	if (init_pid <= 0)
		return;
	snprintf(p, sizeof(p), "/proc/%d/root/dev", (int)init_pid);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	walk(fd, "", 0, out);
}
