/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hostname templates: %u user, %h host's short hostname, %s session
 * number, %% a percent sign.  Any other %X is an error (caught by
 * lb_template_check at config load).  The expansion is made a valid
 * hostname: characters other than [A-Za-z0-9-] become '-', it is cut to 63
 * characters, and leading/trailing '-' are trimmed; an empty result
 * becomes "box".
 */
#ifndef LB_TEMPLATE_H
#define LB_TEMPLATE_H

#include <stddef.h>

#include "err.h"

int lb_template_check(const char *tmpl, struct lb_err *err);

int lb_template_hostname(const char *tmpl, const char *user, const char *host,
			 unsigned long session, char *out, size_t len,
			 struct lb_err *err);

#endif
