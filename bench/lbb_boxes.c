// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lbb-boxes: open and close boxes the way pam_loginbox does, for the
 * benchmark's scale test (bench/scale.py).  It calls the helper through
 * the one C implementation of its reply protocol (helper_call.c: fork +
 * exec, the reply socket on fd 3, the netns fd passed back), so the
 * benchmark never re-implements it.  Built against the libcommon.a of the
 * build under test, so it runs that build's compiled-in helper path.
 *
 * It holds every box it opened (this process is their owner, as the login
 * process is, and the parent of their inits) until told to close it, or
 * until stdin ends (then it closes the rest).  One request a line on
 * stdin, one answer a line on stdout:
 *
 *   open USER SERVICE   ->  ok ID INIT-PID NS   |  error MESSAGE
 *   close ID            ->  ok NS               |  error MESSAGE
 *
 * NS is the wall time of the helper call in nanoseconds (fork to reply and
 * exit, as the PAM module sees it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "helper_call.h"

#define MAX_BOXES 8192

static struct lb_handle boxes[MAX_BOXES];
static size_t nboxes;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void answer_error(const struct lb_err *err)
{
	char text[1200];

	lb_err_text(err, text, sizeof(text));
	/* one line per answer */
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	printf("error %s\n", text);
}

/* Reap inits of boxes that are gone (a box whose init died is never
 * reaped by lb_helper_close if its close failed); only dead children. */
static void reap_dead(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void do_open(const char *user, const char *service)
{
	struct lb_err err = {0};
	struct lb_handle h;
	long long t0;
	int netns = -1;

	if (nboxes == MAX_BOXES) {
		printf("error more than %d boxes open\n", MAX_BOXES);
		return;
	}
	t0 = now_ns();
	if (lb_helper_open(user, service, &h, &netns, &err) < 0) {
		answer_error(&err);
		return;
	}
	t0 = now_ns() - t0;
	/* The PAM module joins the netns; the benchmark only holds the box. */
	close(netns);
	boxes[nboxes++] = h;
	printf("ok %lu %d %lld\n", h.id, (int)h.init_pid, t0);
}

static int do_close_at(size_t i, long long *ns, struct lb_err *err)
{
	struct lb_handle h = boxes[i];
	long long t0 = now_ns();
	int r;

	boxes[i] = boxes[--nboxes];
	r = lb_helper_close(&h, err);
	*ns = now_ns() - t0;
	reap_dead();
	return r;
}

static void do_close(const char *ids)
{
	struct lb_err err = {0};
	char *end;
	unsigned long id = strtoul(ids, &end, 10);
	long long ns;
	size_t i;

	if (*end != '\0' || id == 0) {
		printf("error bad box id '%s'\n", ids);
		return;
	}
	for (i = 0; i < nboxes && boxes[i].id != id; i++)
		;
	if (i == nboxes) {
		printf("error box %lu was not opened here\n", id);
		return;
	}
	if (do_close_at(i, &ns, &err) < 0)
		answer_error(&err);
	else
		printf("ok %lld\n", ns);
}

int main(int argc, char **argv)
{
	char line[512], a[256], b[256];
	int status = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: lbb-boxes  (requests on stdin: "
				"open USER SERVICE | close ID)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "open %255s %255s", a, b) == 2)
			do_open(a, b);
		else if (sscanf(line, "close %255s", a) == 1)
			do_close(a);
		else
			printf("error unknown request\n");
	}
	/* stdin ended (the benchmark exited or died): end what is left. */
	while (nboxes > 0) {
		struct lb_err err = {0};
		long long ns;

		if (do_close_at(nboxes - 1, &ns, &err) < 0) {
			answer_error(&err);
			status = 1;
		}
	}
	return status;
}
