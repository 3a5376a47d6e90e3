/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Closing every descriptor but a few, before a process starts a life of
 * its own (the box's init, an agent relay): close_range over the gaps,
 * so nothing above any fixed bound survives and no thousand close calls
 * are made one by one.
 */
#ifndef LB_FDS_H
#define LB_FDS_H

#include <stddef.h>

/* Close every fd >= from except those in keep[0..n) (negative entries
 * are ignored). */
void lb_close_from_except(int from, const int *keep, size_t n);

#endif
