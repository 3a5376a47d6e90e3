/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process is named by pid and start time together (field 22 of
 * /proc/PID/stat): a pid alone can be recycled between two looks.
 */
#ifndef LB_PROC_H
#define LB_PROC_H

#include <sys/types.h>

/* Start time of pid in clock ticks since boot, 0 if it is gone (or a
 * zombie). */
unsigned long long proc_start_time(pid_t pid);

#endif
