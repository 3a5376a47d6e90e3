// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The syntax of device names (cdi.h), apart from the spec reader so that
 * the config parser (also in the PAM module) needs no JSON library.
 */
#include "cdi.h"

#include <ctype.h>
#include <string.h>

/* vendor: [A-Za-z0-9][A-Za-z0-9.-]*, class: [A-Za-z0-9][A-Za-z0-9_.-]*. */
bool lb_cdi_kind_valid(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);
	size_t i;

	if (!slash || slash == s || slash == s + len - 1)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (s + i == slash)
			continue;
		if (isalnum((unsigned char)c) || c == '.' || c == '-' ||
		    (c == '_' && s + i > slash))
			continue;
		return false;
	}
	return isalnum((unsigned char)s[0]) &&
	       isalnum((unsigned char)slash[1]);
}

static bool valid_devname(const char *s)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]))
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.:-", s[i]))
			return false;
	return i < 128;
}

/* Absolute, no "..", no "//", printable without blanks, bounded. */
bool lb_dev_path_valid(const char *s)
{
	size_t i;

	if (s[0] != '/' || strlen(s) >= LB_DEV_PATH_MAX || strstr(s, "//") ||
	    !strcmp(s, "/"))
		return false;
	if (strstr(s, "/../") || strstr(s, "/./"))
		return false;
	i = strlen(s);
	if ((i >= 3 && !strcmp(s + i - 3, "/..")) ||
	    (i >= 2 && !strcmp(s + i - 2, "/.")))
		return false;
	for (i = 0; s[i]; i++)
		if (!isgraph((unsigned char)s[i]))
			return false;
	return true;
}

bool lb_device_name_valid(const char *s)
{
	const char *eq;

	if (s[0] == '/')
		return !strncmp(s, "/dev/", 5) && s[5] && lb_dev_path_valid(s);
	eq = strchr(s, '=');
	return eq && lb_cdi_kind_valid(s, (size_t)(eq - s)) && valid_devname(eq + 1);
}

