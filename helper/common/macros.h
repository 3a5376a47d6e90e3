/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scoped cleanup (no free ladders): a variable declared with one of these
 * attributes is released when it leaves scope; steal_fd()/steal_ptr() hand
 * ownership on explicitly.  No free ladders.
 */
#ifndef LB_MACROS_H
#define LB_MACROS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define LB_EXPORT __attribute__((visibility("default")))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void lb_freep(void *p)
{
	free(*(void **)p);
}

static inline void lb_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void lb_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define cleanup_free __attribute__((cleanup(lb_freep)))
#define cleanup_close __attribute__((cleanup(lb_closep)))
#define cleanup_fclose __attribute__((cleanup(lb_fclosep)))

static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

#define steal_ptr(pp)                                                          \
	({                                                                     \
		__typeof__(*(pp)) _p = *(pp);                                  \
		*(pp) = NULL;                                                  \
		_p;                                                            \
	})

#endif
