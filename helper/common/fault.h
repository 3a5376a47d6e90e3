/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only fault points (tests/integration/t_98_faults.sh).
 *
 * LB_FAULT("point") marks a step of building or tearing down a box.  In
 * a normal build it is nothing at all.  Built with -DLB_FAULT_POINTS
 * (`make FAULTS=1`, into build-fault/; never packaged, installed only by
 * that test) it reads LB_FAULT_FILE once per process, the first time a
 * point is passed, and when the file names this point it acts there:
 *
 *   stop  renames the process (comm) to "lb-fault-stop", then
 *         raise(SIGSTOP): the test finds the exact process at the exact
 *         step and kills it with -9.  A box's init is PID 1 of its
 *         namespace, which ignores signals it sends itself: it waits in
 *         pause() instead (still killable from the host)
 *   kill  raise(SIGKILL) on the spot (_exit for that init)
 *
 * The file: one line "POINT ACTION", a regular file owned by root, mode
 * 0600, not a symlink (O_NOFOLLOW), so nobody but root arms a point even
 * in a fault build.  It is read once and cached: loginbox-init is cloned
 * from the helper and inherits the cache, because after it becomes box
 * root it can no longer read a root-only file.  A point that fires
 * unlinks the file (when it still can), so one arming stops one process.
 */
#ifndef LB_FAULT_H
#define LB_FAULT_H

#define LB_FAULT_FILE "/run/loginbox-fault"

#ifndef LB_FAULT_POINTS

#define LB_FAULT(point) ((void)0)

#else

/* fault.c: one cache per process (not one per file that uses it). */
void lb_fault(const char *point);

#define LB_FAULT(point) lb_fault(point)

#endif /* LB_FAULT_POINTS */
#endif /* LB_FAULT_H */
