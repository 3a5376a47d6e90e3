// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The list-valued policy keys: capabilities, groups and io_max.  Each is
 * parsed whole or refused whole; a half-understood capability list or
 * io_max line would be a box with other rights or limits than the admin
 * wrote.
 */
#include "config_keys.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "cdi.h"
#include "strparse.h"

/* Split a comma list in place; trims blanks; empty items are an error. */
static int next_item(char **cursor, char **item)
{
	char *s = *cursor, *e;

	if (!s)
		return 0;
	e = strchr(s, ',');
	if (e)
		*e = '\0';
	*cursor = e ? e + 1 : NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	*item = s;
	return *s ? 1 : -1;
}

static int cap_value(const char *item, cap_value_t *cap)
{
	char name[48];
	size_t i, o = 0;

	if (strncasecmp(item, "cap_", 4) == 0)
		item += 4;
	memcpy(name, "cap_", 4);
	o = 4;
	for (i = 0; item[i]; i++) {
		char c = (char)tolower((unsigned char)item[i]);

		/* letters and '_' only: cap_from_name also takes numbers */
		if ((c < 'a' || c > 'z') && c != '_')
			return -1;
		if (o + 1 >= sizeof(name))
			return -1;
		name[o++] = c;
	}
	name[o] = '\0';
	if (o == 4 || cap_from_name(name, cap) != 0 || *cap < 0 || *cap > 63)
		return -1;
	return 0;
}

int lb_parse_caps_value(const char *val, uint64_t *out, struct lb_err *err)
{
	char buf[512], show[80], *cur = buf, *item;
	bool adjust = false, first = true;
	uint64_t set = 0;
	cap_value_t cap;
	int r;

	if (strlen(val) >= sizeof(buf))
		return lb_fail(err, 0, "value too long");
	strcpy(buf, val);
	if (strcasecmp(val, "none") == 0) {
		*out = 0;
		return 0;
	}
	while ((r = next_item(&cur, &item)) != 0) {
		if (r < 0)
			return lb_fail(err, 0, "\"%s\": empty item in list",
				       lb_show(val, show, sizeof(show)));
		if (first && strcasecmp(item, "default") == 0) {
			set = lb_caps_default();
			adjust = true;
			first = false;
			continue;
		}
		first = false;
		if (adjust != (item[0] == '+' || item[0] == '-')) {
			lb_fail(err, 0, "\"%s\": bad item \"%s\"",
				lb_show(val, show, sizeof(show)), item);
			return lb_hint(err, "use \"default\", \"none\", a list "
				       "(\"chown, kill\") or \"default, "
				       "+sys_ptrace, -kill\"");
		}
		if (cap_value(adjust ? item + 1 : item, &cap) < 0)
			return lb_fail(err, 0, "\"%s\": unknown capability \"%s\"",
				       lb_show(val, show, sizeof(show)), item);
		if (adjust && item[0] == '-')
			set &= ~(1ULL << cap);
		else
			set |= 1ULL << cap;
	}
	*out = set;
	return 0;
}

int lb_parse_groups_value(const char *val, struct lb_policy *p,
			  struct lb_err *err)
{
	char buf[LB_MAX_KEEP_GROUPS * LB_NAME_MAX], show[80], *cur = buf, *item;
	int n = 0, i, r;

	if (strlen(val) >= sizeof(buf))
		return lb_fail(err, 0, "value too long");
	strcpy(buf, val);
	if (strcmp(val, "none") == 0) {
		p->n_keep_groups = 0;
		return 0;
	}
	while ((r = next_item(&cur, &item)) != 0) {
		if (r < 0 || !lb_valid_name(item, true))
			return lb_fail(err, 0, "\"%s\": \"%s\" is not a group "
				       "name", lb_show(val, show, sizeof(show)),
				       r < 0 ? "" : item);
		for (i = 0; i < n; i++)
			if (strcmp(p->keep_groups[i], item) == 0)
				break;
		if (i < n)
			continue;
		if (n >= LB_MAX_KEEP_GROUPS)
			return lb_fail(err, 0, "more than %d groups",
				       LB_MAX_KEEP_GROUPS);
		snprintf(p->keep_groups[n++], LB_NAME_MAX, "%s", item);
	}
	p->n_keep_groups = n;
	return 0;
}

/* One io_max entry: "MAJ:MIN key=value ..." */
static int parse_io_entry(char *entry, struct lb_io_max *io,
			  struct lb_err *err)
{
	char *tok, *save = NULL, *colon, *eq;
	long long maj, min;
	bool any = false;

	tok = strtok_r(entry, " \t", &save);
	colon = tok ? strchr(tok, ':') : NULL;
	if (!colon)
		return lb_fail(err, 0, "\"%s\" does not start with MAJOR:MINOR",
			       entry);
	*colon = '\0';
	if (lb_parse_int(tok, 0, 4095, &maj) < 0 ||
	    lb_parse_int(colon + 1, 0, 1048575, &min) < 0)
		return lb_fail(err, 0, "\"%s:%s\" is not a MAJOR:MINOR device",
			       tok, colon + 1);
	io->major = (unsigned)maj;
	io->minor = (unsigned)min;
	io->rbps = io->wbps = io->riops = io->wiops = LB_UNLIMITED;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		uint64_t *dst, v;
		long long n;
		bool bytes;

		eq = strchr(tok, '=');
		if (!eq)
			return lb_fail(err, 0, "\"%s\" is not key=value", tok);
		*eq++ = '\0';
		bytes = strcmp(tok, "rbps") == 0 || strcmp(tok, "wbps") == 0;
		if (strcmp(tok, "rbps") == 0)
			dst = &io->rbps;
		else if (strcmp(tok, "wbps") == 0)
			dst = &io->wbps;
		else if (strcmp(tok, "riops") == 0)
			dst = &io->riops;
		else if (strcmp(tok, "wiops") == 0)
			dst = &io->wiops;
		else
			return lb_fail(err, 0, "\"%s\" is not rbps, wbps, riops "
				       "or wiops", tok);
		if (bytes) {
			if (lb_parse_size(eq, true, 1, UINT64_MAX - 1, &v) < 0)
				return lb_fail(err, 0, "%s=\"%s\" is not a size "
					       "(use e.g. 10M or max)", tok, eq);
		} else if (strcasecmp(eq, "max") == 0) {
			v = LB_UNLIMITED;
		} else if (lb_parse_int(eq, 1, INT64_MAX, &n) == 0) {
			v = (uint64_t)n;
		} else {
			return lb_fail(err, 0, "%s=\"%s\" is not a number or max",
				       tok, eq);
		}
		*dst = v;
		any = true;
	}
	if (!any)
		return lb_fail(err, 0, "device %lld:%lld has no limit", maj, min);
	return 0;
}

int lb_parse_io_value(const char *val, struct lb_limits_set *ls,
		      struct lb_err *err)
{
	char buf[1024], *cur, *entry, show[80];
	int n = 0, i;

	if (strlen(val) >= sizeof(buf))
		return lb_fail(err, 0, "value too long");
	if (strcmp(val, "none") == 0) {
		ls->n_io = 0;
		return 0;
	}
	strcpy(buf, val);
	/* Entries are separated by ';', which starts a comment unless the
	 * value is quoted: config.c catches the unquoted case. */
	for (cur = buf; cur; n++) {
		entry = cur;
		cur = strchr(cur, ';');
		if (cur)
			*cur++ = '\0';
		if (n >= LB_MAX_IO)
			return lb_fail(err, 0, "more than %d devices", LB_MAX_IO);
		if (parse_io_entry(entry, &ls->io_max[n], err) < 0)
			return lb_prefix(err, "\"%s\"",
					 lb_show(val, show, sizeof(show)));
		for (i = 0; i < n; i++)
			if (ls->io_max[i].major == ls->io_max[n].major &&
			    ls->io_max[i].minor == ls->io_max[n].minor)
				return lb_fail(err, 0, "\"%s\": device %u:%u "
					       "listed twice",
					       lb_show(val, show, sizeof(show)),
					       ls->io_max[n].major,
					       ls->io_max[n].minor);
	}
	ls->n_io = n;
	return 0;
}

int lb_parse_devices_value(const char *val, struct lb_policy *p,
			   struct lb_err *err)
{
	char buf[LB_MAX_DEVICES * LB_DEVICE_NAME_MAX], show[80], *cur = buf;
	char *item;
	int n = 0, i, r;

	if (strlen(val) >= sizeof(buf))
		return lb_fail(err, 0, "value too long");
	strcpy(buf, val);
	if (strcmp(val, "none") == 0) {
		p->n_devices = 0;
		return 0;
	}
	while ((r = next_item(&cur, &item)) != 0) {
		if (r < 0 || strlen(item) >= LB_DEVICE_NAME_MAX ||
		    !lb_device_name_valid(item)) {
			lb_fail(err, 0, "\"%s\": \"%s\" is not a device",
				lb_show(val, show, sizeof(show)),
				r < 0 ? "" : item);
			return lb_hint(err, "name a host device path (/dev/kvm) "
					    "or a CDI device (nvidia.com/gpu=0"
					    ", nvidia.com/gpu=all)");
		}
		for (i = 0; i < n; i++)
			if (strcmp(p->devices[i], item) == 0)
				break;
		if (i < n)
			continue;
		if (n >= LB_MAX_DEVICES)
			return lb_fail(err, 0, "more than %d devices",
				       LB_MAX_DEVICES);
		snprintf(p->devices[n++], LB_DEVICE_NAME_MAX, "%s", item);
	}
	p->n_devices = n;
	return 0;
}
