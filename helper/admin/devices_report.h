/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Devices in `loginbox check` and `loginbox show` (cdi.h):
 *
 *   lb_devices_report()  every device a policy section names, resolved
 *                        now: "device NAME [SECTION]: ok (N nodes ...)"
 *                        or "warning: device NAME [SECTION] is missing:
 *                        why"; returns how many are missing
 *   lb_devices_show()    the device nodes a running box has, beyond the
 *                        base ones every box gets
 */
#ifndef LB_DEVICES_REPORT_H
#define LB_DEVICES_REPORT_H

#include <stdio.h>
#include <sys/types.h>

#include "config.h"

int lb_devices_report(const struct lb_config *cfg, FILE *out);
void lb_devices_show(pid_t init_pid, FILE *out);

#endif
