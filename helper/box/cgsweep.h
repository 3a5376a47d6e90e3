/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef LB_CGSWEEP_H
#define LB_CGSWEEP_H

#include <stdbool.h>

/* Remove session cgroup nodes whose session dir is gone (cgsweep.c). */
void teardown_sweep_cgroups(bool verbose);

#endif
