// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: cgroup v2 (doctor.h).  A box needs a v2 node even without
 * controllers (cgroup.kill and cgroup.events end and watch it, cgroup.c);
 * limits need the memory, cpu, pids and io controllers in the v2 tree
 * and enabled down to loginbox's node.  On a hybrid host the v2 tree
 * (/sys/fs/cgroup/unified) has none of them: nothing is enforced, and a
 * section with limits = required that sets a limit has its logins
 * refused (limits.c).
 */
#include "doctor.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../box/cgroup.h"
#include "paths.h"

enum { C_MEMORY = 1, C_CPU = 2, C_PIDS = 4, C_IO = 8 };

static const struct {
	const char *name;
	unsigned bit;
} ctls[] = {{"memory", C_MEMORY}, {"cpu", C_CPU}, {"pids", C_PIDS},
	    {"io", C_IO}};

/* The controllers listed in DIR/FILE, as bits. */
static unsigned read_ctls(const char *dir, const char *file)
{
	char path[320], buf[512] = "", *tok, *save = NULL;
	unsigned have = 0;
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		for (i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++)
			if (!strcmp(tok, ctls[i].name))
				have |= ctls[i].bit;
	return have;
}

static void ctl_names(unsigned bits, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++)
		if (bits & ctls[i].bit)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", ctls[i].name);
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* The controllers a section's limit keys need (limits.c, needed()). */
static unsigned section_needs(const struct lb_section *s, char *keys,
			      size_t len)
{
	static const struct {
		enum lb_key key;
		unsigned bit;
	} k[] = {
		{LB_KEY_MEMORY_MAX, C_MEMORY},	   {LB_KEY_MEMORY_HIGH, C_MEMORY},
		{LB_KEY_MEMORY_SWAP_MAX, C_MEMORY}, {LB_KEY_CPU_MAX, C_CPU},
		{LB_KEY_CPU_WEIGHT, C_CPU},	   {LB_KEY_PIDS_MAX, C_PIDS},
		{LB_KEY_IO_WEIGHT, C_IO},	   {LB_KEY_IO_MAX, C_IO},
		{LB_KEY_USER_MEMORY_MAX, C_MEMORY},
		{LB_KEY_USER_MEMORY_HIGH, C_MEMORY},
		{LB_KEY_USER_MEMORY_SWAP_MAX, C_MEMORY},
		{LB_KEY_USER_CPU_MAX, C_CPU},	   {LB_KEY_USER_CPU_WEIGHT, C_CPU},
		{LB_KEY_USER_PIDS_MAX, C_PIDS},	   {LB_KEY_USER_IO_WEIGHT, C_IO},
		{LB_KEY_USER_IO_MAX, C_IO},
	};
	unsigned need = 0;
	size_t i;

	keys[0] = '\0';
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		if (!(s->set_mask & LB_KEY_BIT(k[i].key)))
			continue;
		need |= k[i].bit;
		snprintf(keys + strlen(keys), len - strlen(keys), "%s%s",
			 keys[0] ? ", " : "", lb_config_key_name(k[i].key));
	}
	return need;
}

static void limits_sections(struct lb_doctor *d, unsigned have,
			    const char *root)
{
	const struct lb_config *cfg = d->cfg;
	char keys[512], miss[64], name[160], fix[600];
	int i;

	for (i = 0; i < cfg->n_sections; i++) {
		const struct lb_section *s = &cfg->sections[i];
		unsigned need = section_needs(s, keys, sizeof(keys));
		bool required =
			lb_doc_section_limits(cfg, s) == LB_LIMITS_REQUIRED;

		if (!need)
			continue;
		snprintf(name, sizeof(name), "limits [%s]", s->name);
		if (!(need & ~have)) {
			lb_doc_add(d, LB_DOC_OK, name, NULL,
				   "%s enforced (limits = %s)", keys,
				   required ? "required" : "best-effort");
			continue;
		}
		ctl_names(need & ~have, miss, sizeof(miss));
		if (required) {
			snprintf(fix, sizeof(fix),
				 "boot with cgroup v2 only "
				 "(systemd.unified_cgroup_hierarchy=1), or set "
				 "limits = best-effort in [%s] (%s)",
				 s->name, s->source);
			lb_doc_add(d, LB_DOC_ERROR, name, fix,
				   "limits = required and %s need the %s "
				   "controller%s, which %s does not offer: "
				   "its logins are refused",
				   keys, miss, strchr(miss, ' ') ? "s" : "",
				   root ? root : "this host");
		} else {
			snprintf(fix, sizeof(fix),
				 "boot with cgroup v2 only "
				 "(systemd.unified_cgroup_hierarchy=1)");
			lb_doc_add(d, LB_DOC_WARN, name, fix,
				   "%s are not enforced: no %s controller in "
				   "%s (limits = best-effort builds the box "
				   "without them)",
				   keys, miss, root ? root : "this host");
		}
	}
}

void lb_doctor_cgroup(struct lb_doctor *d)
{
	char names[64], lbnode[320], deleg[64];
	unsigned have, down;
	const char *root;
	bool pure = false;

	root = cg_v2_root(&pure);
	if (!root) {
		bool sd = access("/run/systemd/system", F_OK) == 0;

		lb_doc_add(d, LB_DOC_ERROR, "cgroup v2",
			   sd ? "systemctl enable --now loginbox.service"
			      : "mount -t cgroup2 none /sys/fs/cgroup/unified "
				"(or boot with cgroup v2)",
			   sd ? "no delegated cgroup %s: boxes cannot be built"
			      : "no cgroup v2 hierarchy is mounted%s: boxes "
				"cannot be built (teardown needs cgroup.kill)",
			   sd ? LB_SYSTEMD_CGROUP : "");
		limits_sections(d, 0, NULL);
		return;
	}
	have = read_ctls(root, "cgroup.controllers");
	ctl_names(have, names, sizeof(names));
	snprintf(lbnode, sizeof(lbnode), "%s/%s", root, LB_CGROUP_NAME);
	/* What reaches the boxes: enabled in loginbox's node when it
	 * exists (the first box makes it), else what the root enables. */
	down = access(lbnode, F_OK) == 0
		       ? read_ctls(lbnode, "cgroup.subtree_control")
		       : have;
	ctl_names(down, deleg, sizeof(deleg));
	if (!pure) {
		lb_doc_add(d, LB_DOC_WARN, "cgroup v2",
			   "boot with cgroup v2 only "
			   "(systemd.unified_cgroup_hierarchy=1)",
			   "hybrid host: the v2 tree is %s with controllers: "
			   "%s; memory, cpu, pids and io limits that need a "
			   "missing controller are not enforced",
			   root, names);
	} else if ((have & (C_MEMORY | C_PIDS)) != (C_MEMORY | C_PIDS)) {
		lb_doc_add(d, LB_DOC_WARN, "cgroup v2",
			   "enable them in the parent's cgroup.subtree_control "
			   "(Delegate=yes for loginbox.service)",
			   "%s offers controllers: %s; limits that need "
			   "others are not enforced", root, names);
	} else {
		lb_doc_add(d, LB_DOC_OK, "cgroup v2", NULL,
			   "%s, controllers: %s; enabled for %s: %s", root,
			   names, lbnode, deleg);
	}
	/* the helper enables whatever the root offers at each box */
	limits_sections(d, have, root);
}
