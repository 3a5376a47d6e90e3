// SPDX-License-Identifier: GPL-2.0-or-later
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 4, 0))) static int
vfail(struct lb_err *err, bool admin, int errnum, const char *fmt, va_list ap)
{
	size_t n;

	if (!err)
		return -1;
	err->errnum = errnum;
	err->admin = admin;
	err->hint[0] = '\0';
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	n = strlen(err->msg);
	if (errnum && n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
			 strerror(errnum));
	return -1;
}

int lb_fail(struct lb_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(err, false, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int lb_fail_admin(struct lb_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(err, true, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int lb_hint(struct lb_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
	return -1;
}

int lb_prefix(struct lb_err *err, const char *fmt, ...)
{
	char pre[256], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", pre, old);
	return -1;
}

void lb_err_clear(struct lb_err *err)
{
	memset(err, 0, sizeof(*err));
}

const char *lb_err_text(const struct lb_err *err, char *buf, size_t len)
{
	if (err->hint[0])
		snprintf(buf, len, "%s (%s)", err->msg, err->hint);
	else
		snprintf(buf, len, "%s", err->msg);
	return buf;
}
