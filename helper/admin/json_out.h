/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `loginbox list|show|policy --json`: the same facts as the human output,
 * as one JSON document on stdout, for monitoring and fleet tools.  Field
 * names and types are stable and listed in loginbox(8), JSON OUTPUT; new
 * fields may be added, none renamed or retyped.  Each returns the exit
 * status.
 */
#ifndef LB_JSON_OUT_H
#define LB_JSON_OUT_H

int lb_json_list(void);
int lb_json_show(const char *id);
int lb_json_policy(const char *user);

#endif
