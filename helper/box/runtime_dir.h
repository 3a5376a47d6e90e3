/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef LB_RUNTIME_DIR_H
#define LB_RUNTIME_DIR_H

#include "box.h"

/* Make /run/user/UID in the box's root (after its /run tmpfs). */
int runtime_dir_make(const struct lb_box *b, int rootfd, struct lb_err *err);

#endif
