/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A box's session as others see it: the id, /run/loginbox/ID/state, the
 * per-user lock (session.c).  Read by the helper, teardown and gc, and
 * the admin command (list, show, kill), none of which needs the builder;
 * the builder's own steps (session_create, session_write_state) are in
 * box.h.
 */
#ifndef LB_SESSION_H
#define LB_SESSION_H

#include <stddef.h>
#include <sys/types.h>

#include "egress.h"
#include "err.h"

struct lb_state {
	unsigned long id;
	char user[64];
	uid_t uid;
	pid_t init_pid;
	unsigned long long init_start;  /* /proc/PID/stat starttime */
	pid_t owner_pid;
	unsigned long long owner_start;
	char service[64];
	char image[64];
	char image_version[65];         /* "" for host or a directory image */
	char cgroup[256];
	char upper[16];
	char upper_dir[256];
	long long created;              /* unix time */
	char session[8];                /* "user" or "login" */
	char hash[20];                  /* policy hash (join.c) */
	char net_mode[8];
	char net_if[16];
	char net_addr[16];
	char net_addr6[48];
	char net_egress[LB_EGRESS_MAX];
	int n_phases;                   /* phase.NAME=usec lines */
	char phase_name[16][24];
	unsigned long long phase_usec[16];
};

int session_read_state(unsigned long id, struct lb_state *st,
		       struct lb_err *err);
/* Parse a state file's text (NUL-terminated, cut up in place) into st. */
void session_parse_state(char *buf, struct lb_state *st);
/* Iterate over session ids in LB_RUNDIR; returns the count, ids in *out
 * (malloc'ed). */
int session_list(unsigned long **out, struct lb_err *err);
int session_parse_id(const char *s, unsigned long *id);
/* flock /run/loginbox/users/UID.lock, waiting at most timeout_ms; the fd,
 * or <0 (-EWOULDBLOCK, err untouched, when timeout_ms is 0 and it is held). */
int session_lock_user(uid_t uid, unsigned timeout_ms, struct lb_err *err);
/* The name of session id's disk upper under LB_DISK_DIR: ID-BOOTID. */
int session_upper_name(unsigned long id, char *out, size_t len,
		       struct lb_err *err);

#endif
