// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The built-in defaults of loginbox.conf(5): what a key is when no file
 * sets it, and what an empty value puts it back to.  Here rather than in
 * policy.c so that the config parser does not call up into policy
 * resolution (config_*.c -> policy.c -> config_*.c was a cycle).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

#include "macros.h"
#include "strparse.h"

uint64_t lb_caps_default(void)
{
	/* Docker's default set minus CAP_MKNOD (the box's /dev is fixed)
	 * and CAP_NET_RAW (raw sockets serve little but spoofing). */
	static const cap_value_t caps[] = {
		CAP_CHOWN,	  CAP_DAC_OVERRIDE, CAP_FOWNER,
		CAP_FSETID,	  CAP_KILL,	    CAP_SETGID,
		CAP_SETUID,	  CAP_SETPCAP,	    CAP_NET_BIND_SERVICE,
		CAP_SYS_CHROOT, CAP_AUDIT_WRITE,  CAP_SETFCAP,
	};
	uint64_t set = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caps); i++)
		set |= 1ULL << caps[i];
	return set;
}

static void limits_unset(struct lb_limits_set *l)
{
	memset(l, 0, sizeof(*l));
	l->memory_max = l->memory_high = l->memory_swap_max = LB_UNLIMITED;
	l->cpu_max = l->cpu_weight = l->pids_max = l->io_weight = LB_UNLIMITED;
	l->n_io = 0;
}

void lb_policy_defaults(struct lb_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->boxed = true;
	snprintf(p->image, sizeof(p->image), "host");
	p->network = LB_NET_NONE;
	snprintf(p->egress, sizeof(p->egress), "any");
	snprintf(p->hostname, sizeof(p->hostname), "%%u-box");
	p->inside_uid = LB_INSIDE_SELF;
	p->upper = LB_UPPER_TMPFS;
	p->upper_size = 1ULL << 30;
	p->home = LB_HOME_BIND;
	p->tmpfs_size = 1ULL << 30;
	snprintf(p->shell, sizeof(p->shell), "/bin/bash");
	p->seccomp = LB_SECCOMP_DEFAULT;
	p->caps = lb_caps_default();
	p->n_keep_groups = 0;
	p->n_devices = 0;
	p->shm_size = LB_UNLIMITED;
	p->lxcfs = false;
	p->on_error = LB_ON_ERROR_DENY;
	p->limits = LB_LIMITS_BEST_EFFORT;
	p->priority = 0;
	limits_unset(&p->session);
	limits_unset(&p->user);
	p->session_mode = LB_SESSION_USER;
	p->linger = 0;
	p->max_linger = 8 * 3600;
}
