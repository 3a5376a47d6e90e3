// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: the kernel features every box needs (doctor.h).
 *
 * The sysctls only say what is allowed; whether a box can really be
 * built is probed the way the helper builds one: in a child, in a private
 * mount namespace (nothing it mounts is seen outside, and it all goes
 * when the child exits), a user namespace made by userns_make_idmap_fd as
 * for a box's image map, an overlay made with fsopen/fsconfig on a tmpfs,
 * and a clone of the root filesystem (the host image; the state directory's
 * too when images live on another one) made idmapped with
 * mount_setattr(MOUNT_ATTR_IDMAP): a tmpfs would not tell, tmpfs takes
 * idmaps only from Linux 6.3.  The clones stay detached.
 */
#include "doctor.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../box/userns.h"
#include "../box/mntapi.h"
#include "../image/image.h"
#include "macros.h"
#include "syscalls.h"

/* A sysctl as a number, or -1 when the file does not exist. */
static long sysctl_num(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

static bool any_nested_userns(const struct lb_config *cfg)
{
	int i;

	for (i = 0; i < cfg->n_sections; i++)
		if ((cfg->sections[i].set_mask &
		     LB_KEY_BIT(LB_KEY_NESTED_USERNS)) &&
		    cfg->sections[i].values.nested_userns)
			return true;
	return false;
}

static void userns_sysctls(struct lb_doctor *d)
{
	long max = sysctl_num("/proc/sys/user/max_user_namespaces");
	long clone = sysctl_num("/proc/sys/kernel/unprivileged_userns_clone");
	long aa = sysctl_num(
		"/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	bool nested = any_nested_userns(d->cfg);
	const char *what, *fix;

	if (max == 0)
		lb_doc_add(d, LB_DOC_ERROR, "user namespaces",
			   "sysctl -w user.max_user_namespaces=65536, and the "
			   "same in /etc/sysctl.d/",
			   "user.max_user_namespaces = 0: no box can be built");
	else if (max < 0)
		lb_doc_add(d, LB_DOC_ERROR, "user namespaces",
			   "a kernel with CONFIG_USER_NS=y",
			   "/proc/sys/user/max_user_namespaces is missing: "
			   "the kernel has no user namespaces");
	else
		lb_doc_add(d, LB_DOC_OK, "user namespaces", NULL,
			   "user.max_user_namespaces = %ld", max);
	/* The helper creates a box's namespace with capabilities, so these
	 * two only stop what runs unprivileged: user namespaces inside a
	 * box (nested_userns = yes) and a user's own rootless tools. */
	if (clone != 0 && aa != 1) {
		lb_doc_add(d, LB_DOC_OK, "unprivileged user namespaces", NULL,
			   "%s", clone < 0 ? "no kernel switch restricts them"
					   : "kernel.unprivileged_userns_clone = 1");
		return;
	}
	if (clone == 0) {
		what = "kernel.unprivileged_userns_clone = 0";
		fix = "sysctl -w kernel.unprivileged_userns_clone=1, and the "
		      "same in /etc/sysctl.d/";
	} else {
		what = "kernel.apparmor_restrict_unprivileged_userns = 1";
		fix = "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, "
		      "or an AppArmor profile that allows them";
	}
	if (nested)
		lb_doc_add(d, LB_DOC_WARN, "unprivileged user namespaces", fix,
			   "%s: boxes with nested_userns = yes get no user "
			   "namespaces inside", what);
	else
		lb_doc_add(d, LB_DOC_OK, "unprivileged user namespaces", NULL,
			   "%s (no policy sets nested_userns = yes)", what);
}

/* ---------------------------------------------------------- the probe --- */

/* One result line to the parent: STATUS \t NAME \t FIX \t MESSAGE. */
static void say(int fd, enum lb_doc_status st, const char *name,
		const char *fix, const char *msg)
{
	dprintf(fd, "%d\t%s\t%s\t%s\n", (int)st, name, fix ? fix : "", msg);
}

static void probe_idmap(int fd, int nsfd, const char *path, const char *what)
{
	char name[160], text[1200];
	struct lb_err err;
	int mfd;

	lb_err_clear(&err);
	snprintf(name, sizeof(name), "idmapped mounts (%s)", what);
	mfd = mnt_clone(AT_FDCWD, path, 0, &err);
	if (mfd >= 0 && mnt_setattr(mfd, 0, 0, nsfd, &err) == 0) {
		close(mfd);
		snprintf(text, sizeof(text), "mount_setattr(MOUNT_ATTR_IDMAP) "
			 "works on a clone of %s", path);
		say(fd, LB_DOC_OK, name, NULL, text);
		return;
	}
	if (mfd >= 0)
		close(mfd);
	lb_err_text(&err, text, sizeof(text));
	say(fd, LB_DOC_ERROR, name,
	    "Linux 5.19 or later and a filesystem that supports idmapped "
	    "mounts (ext4, xfs, btrfs, tmpfs from 6.3)", text);
}

static __attribute__((noreturn)) void probe_child(int fd)
{
	static const char *const ovl[] = {"lowerdir=/tmp/l", "upperdir=/tmp/u",
					  "workdir=/tmp/w", NULL};
	struct lb_idmap m = {.n = 1,
			     .ext = {{0, LB_IMAGE_ID_BASE, LB_IMAGE_ID_COUNT}}};
	char text[1200];
	struct lb_err err;
	struct stat root, st;
	int nsfd, mfd;

	lb_err_clear(&err);
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("loginbox-doctor", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0700,size=1m") < 0 ||
	    mkdir("/tmp/l", 0755) < 0 || mkdir("/tmp/u", 0755) < 0 ||
	    mkdir("/tmp/w", 0755) < 0) {
		snprintf(text, sizeof(text), "a private mount namespace with a "
			 "tmpfs: %s", strerror(errno));
		say(fd, LB_DOC_ERROR, "mount namespaces",
		    "a kernel with mount namespaces and tmpfs", text);
		_exit(0);
	}
	mfd = mnt_new("overlay", ovl, 0, &err);
	if (mfd >= 0) {
		close(mfd);
		say(fd, LB_DOC_OK, "overlayfs", NULL,
		    "an overlay on a tmpfs mounts (fsopen)");
	} else {
		say(fd, LB_DOC_ERROR, "overlayfs", "modprobe overlay",
		    lb_err_text(&err, text, sizeof(text)));
	}
	lb_err_clear(&err);
	nsfd = userns_make_idmap_fd(&m, &m, LB_IMAGE_ID_BASE, &err);
	if (nsfd < 0) {
		say(fd, LB_DOC_ERROR, "user namespace probe",
		    "see the user namespaces lines above",
		    lb_err_text(&err, text, sizeof(text)));
		_exit(0);
	}
	say(fd, LB_DOC_OK, "user namespace probe", NULL,
	    "a user namespace with an image map is made and mapped");
	probe_idmap(fd, nsfd, "/", "the root filesystem, for image = host");
	/* Images live under the state directory: probe its filesystem too
	 * when it is another one. */
	if (stat("/", &root) == 0 && stat(LB_STATEDIR, &st) == 0 &&
	    st.st_dev != root.st_dev)
		probe_idmap(fd, nsfd, LB_STATEDIR, LB_STATEDIR);
	_exit(0);
}

static void probe(struct lb_doctor *d)
{
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 0;
	int p[2], status;
	char *line, *save = NULL;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		lb_doc_add(d, LB_DOC_ERROR, "mount probe", NULL, "fork: %s",
			   strerror(errno));
		return;
	}
	if (pid == 0) {
		close(p[0]);
		probe_child(p[1]);
	}
	close(p[1]);
	for (;;) {
		if (len + 1024 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 4096);

			if (!nb)
				break;
			buf = nb;
		}
		n = read(p[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!buf)
		return;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *name = strchr(line, '\t'), *fix, *msg;

		fix = name ? strchr(name + 1, '\t') : NULL;
		msg = fix ? strchr(fix + 1, '\t') : NULL;
		if (!msg)
			continue;
		*name++ = *fix++ = *msg++ = '\0';
		lb_doc_add(d, (enum lb_doc_status)atoi(line), name,
			   fix[0] ? fix : NULL, "%s", msg);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		lb_doc_add(d, LB_DOC_ERROR, "mount probe", NULL,
			   "the probe child died (status %d)", status);
}

void lb_doctor_kernel(struct lb_doctor *d)
{
	userns_sysctls(d);
	probe(d);
}
