/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A joining login served by the box's keeper, without starting
 * loginbox-helper (docs/JOIN_SPEED.md).  The keeper of a session = user box
 * listens on /run/loginbox/ID/join (SOCK_SEQPACKET, 0600, in the root-owned
 * session directory that only root may write); the builder names its box in
 * /run/loginbox/users/UID.box (0700 root directory).  One request per
 * connection, fields separated by NUL:
 *
 *   V1 \0 open \0 USER \0 SERVICE \0 RHOST \0   + SCM_RIGHTS: the login
 *                                                 process's own pidfd
 *   V1 \0 close \0 ID \0                        + the same pidfd
 *
 * The reply is the helper's (reply.h): "ok ID PID" with the box's netns
 * fd, "ok" for close; or "fallback": the caller runs the helper as it
 * would have without a keeper.  Anything unexpected is a fallback too, so
 * no login ever depends on this path.
 */
#ifndef LB_KEEPER_CALL_H
#define LB_KEEPER_CALL_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "helper_call.h"

#define LB_KEEPER_VERSION "V1"
#define LB_KEEPER_SOCK "join"
#define LB_KEEPER_FALLBACK "fallback"
#define LB_KEEPER_INDEX_SUFFIX ".box"
#define LB_KEEPER_TIMEOUT_MS 2000

/*
 * Join uid's live box through its keeper.  1: joined (h, *netns_fd set,
 * h->via_keeper); 0: use the helper (no keeper, busy, a policy change,
 * anything odd); never a refusal: those are the helper's to give.
 */
int lb_keeper_open(uid_t uid, const char *user, const char *service,
		   const char *rhost, struct lb_handle *h, int *netns_fd);

/* Leave box h->id through its keeper.  1: done; 0: use the helper. */
int lb_keeper_close(const struct lb_handle *h);

#endif
