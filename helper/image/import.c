// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `loginbox image import NAME SOURCE`: a directory, a rootfs tarball
 * (.tar/.tar.gz/.tar.xz/.tar.zst), an OCI image layout (directory or
 * archive, [:TAG]) or a docker save archive, into the store (image.h).
 *
 * Every layer is a tar stream unpacked by the sandboxed extractor
 * (extract.c) into store/tmp, its sha256 checked against the digest the
 * manifest names (a mismatch refuses the import), then renamed into
 * layers/HEX: a layer already there is shared, not unpacked again.  The
 * version file is written last, then the name is switched to it with a
 * rename (atomic: a box build sees the old version or the new one).  A
 * failed import removes its tmp directory: nothing is left.
 */
#include "import.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../box/fsutil.h"
#include "extract.h"
#include "image.h"
#include "macros.h"
#include "syscalls.h"

#define RES (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
#define MAX_LAYERS_IN 256
#define MAX_JSON (4u << 20)

struct layer_in {
	char digest[65]; /* expected sha256 of the stream; "" if unknown */
	char path[300];  /* beneath srcfd */
};

struct imp {
	int storefd, tmpfd, srcfd;
	char tmpname[64];
	const struct image_opts *o;
	struct ex_stats st;
	int n;
	struct layer_in in[MAX_LAYERS_IN];
	int nenv;
	char *env[256];
	char layers[LB_IMAGE_MAX_LAYERS][65];
	int nlayers, reused;
};

int image_sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0, i;

	if (!EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -1;
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static bool is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

/* "sha256:HEX" -> HEX */
static int digest_of(const char *d, char out[65], struct lb_err *err)
{
	if (!d || strncmp(d, "sha256:", 7) || !is_hex64(d + 7))
		return lb_fail(err, EINVAL, "digest `%.80s` is not sha256:HEX",
			       d ? d : "(none)");
	memcpy(out, d + 7, 65);
	return 0;
}

/* A JSON file beneath srcfd, read whole and (when hex) verified. */
static struct json_object *read_json(struct imp *im, const char *path,
				     const char *hex, struct lb_err *err)
{
	cleanup_close int fd = -1;
	struct json_object *j;
	char *buf, sum[65];
	size_t o = 0;
	ssize_t r;

	fd = lb_openat2(im->srcfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0,
			RES);
	if (fd < 0) {
		lb_fail(err, errno, "open `%s` in the image", path);
		return NULL;
	}
	buf = malloc(MAX_JSON + 1);
	if (!buf) {
		lb_fail(err, ENOMEM, "read %s", path);
		return NULL;
	}
	while (o < MAX_JSON && (r = read(fd, buf + o, MAX_JSON - o)) > 0)
		o += (size_t)r;
	if (o >= MAX_JSON) {
		free(buf);
		lb_fail(err, EFBIG, "`%s` is larger than %u bytes", path, MAX_JSON);
		return NULL;
	}
	buf[o] = '\0';
	if (hex && (image_sha256_hex(buf, o, sum) < 0 || strcmp(sum, hex))) {
		free(buf);
		lb_fail(err, EBADMSG, "`%s`: sha256 is %s, the image names %s",
			path, sum, hex);
		lb_hint(err, "the image is damaged or was tampered with; "
			     "nothing was imported");
		return NULL;
	}
	j = json_tokener_parse(buf);
	free(buf);
	if (!j)
		lb_fail(err, EINVAL, "`%s` is not JSON", path);
	return j;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct json_object *jget(struct json_object *o, const char *key,
				json_type t)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, t))
		return NULL;
	return v;
}

static int take_env(struct imp *im, struct json_object *cfg)
{
	struct json_object *env = jget(jget(cfg, "config", json_type_object),
				       "Env", json_type_array);
	size_t i;

	for (i = 0; env && i < json_object_array_length(env) && im->nenv < 256;
	     i++) {
		struct json_object *e = json_object_array_get_idx(env, i);
		const char *s = json_object_get_string(e);

		/* One line each in the version file. */
		if (json_object_is_type(e, json_type_string) && strchr(s, '=') &&
		    s[0] != '=' && !strchr(s, '\n') && strlen(s) < 4096)
			im->env[im->nenv++] = strdup(s);
	}
	return 0;
}

static int blob_path(const char *hex, char *out, size_t len)
{
	snprintf(out, len, "blobs/sha256/%s", hex);
	return 0;
}

static int oci_manifest(struct imp *im, const char *hex, struct lb_err *err)
{
	struct json_object *m, *layers, *cfg;
	char path[300], chex[65];
	size_t i;
	int ret = 0;

	blob_path(hex, path, sizeof(path));
	m = read_json(im, path, hex, err);
	if (!m)
		return -1;
	layers = jget(m, "layers", json_type_array);
	if (!layers || digest_of(jstr(jget(m, "config", json_type_object),
				      "digest"),
				 chex, err) < 0) {
		json_object_put(m);
		return layers ? lb_prefix(err, "manifest %s: config", hex)
			      : lb_fail(err, EINVAL, "manifest %s has no layers",
					hex);
	}
	blob_path(chex, path, sizeof(path));
	cfg = read_json(im, path, chex, err);
	if (!cfg) {
		json_object_put(m);
		return -1;
	}
	take_env(im, cfg);
	json_object_put(cfg);
	for (i = 0; i < json_object_array_length(layers) && ret == 0; i++) {
		struct json_object *l = json_object_array_get_idx(layers, i);

		if (im->n >= MAX_LAYERS_IN) {
			ret = lb_fail(err, E2BIG, "more than %d layers",
				      MAX_LAYERS_IN);
			break;
		}
		char d[65];

		ret = digest_of(jstr(l, "digest"), d, err);
		if (ret == 0) {
			memcpy(im->in[im->n].digest, d, sizeof(d));
			blob_path(d, im->in[im->n].path, sizeof(im->in[0].path));
			im->n++;
		}
	}
	json_object_put(m);
	return ret;
}

static int oci_layout(struct imp *im, const char *tag, struct lb_err *err)
{
	struct json_object *idx, *ms, *pick = NULL;
	char hex[65];
	size_t i, n;
	int depth, ret;

	idx = read_json(im, "index.json", NULL, err);
	if (!idx)
		return -1;
	for (depth = 0; depth < 2; depth++) {
		ms = jget(idx, "manifests", json_type_array);
		n = ms ? json_object_array_length(ms) : 0;
		pick = NULL;
		for (i = 0; i < n; i++) {
			struct json_object *m = json_object_array_get_idx(ms, i);
			const char *ref = jstr(jget(m, "annotations",
						    json_type_object),
					       "org.opencontainers.image.ref.name");
			struct json_object *pl = jget(m, "platform",
						      json_type_object);

			if (depth == 0 && tag && ref && !strcmp(ref, tag))
				pick = m;
			if (depth == 1 && pl && jstr(pl, "architecture") &&
			    !strcmp(jstr(pl, "architecture"), "amd64"))
				pick = m;
		}
		if (!pick && n == 1 && (!tag || depth == 1))
			pick = json_object_array_get_idx(ms, 0);
		if (!pick) {
			json_object_put(idx);
			if (tag && depth == 0)
				return lb_fail(err, ENOENT, "no manifest tagged "
							    "`%s` in index.json",
					       tag);
			lb_fail(err, EINVAL, "index.json lists %zu manifests",
				n);
			return lb_hint(err, "name one: SOURCE:TAG");
		}
		if (digest_of(jstr(pick, "digest"), hex, err) < 0) {
			json_object_put(idx);
			return -1;
		}
		if (!jstr(pick, "mediaType") ||
		    !strstr(jstr(pick, "mediaType"), "index")) {
			json_object_put(idx);
			return oci_manifest(im, hex, err);
		}
		/* A multi-platform index: descend once. */
		json_object_put(idx);
		{
			char path[300];

			blob_path(hex, path, sizeof(path));
			idx = read_json(im, path, hex, err);
			if (!idx)
				return -1;
		}
	}
	json_object_put(idx);
	ret = lb_fail(err, EINVAL, "nested image indexes");
	return ret;
}

static int docker_save(struct imp *im, const char *tag, struct lb_err *err)
{
	struct json_object *man, *pick = NULL, *layers, *cfg, *diff;
	const char *cpath;
	char chex[65];
	size_t i, n;
	int ret = 0;

	man = read_json(im, "manifest.json", NULL, err);
	if (!man)
		return -1;
	n = json_object_is_type(man, json_type_array)
		    ? json_object_array_length(man)
		    : 0;
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(man, i);
		struct json_object *tags = jget(m, "RepoTags", json_type_array);
		size_t k;

		for (k = 0; tag && tags && k < json_object_array_length(tags); k++) {
			const char *t = json_object_get_string(
				json_object_array_get_idx(tags, k));
			const char *c = t ? strrchr(t, ':') : NULL;

			if (t && (!strcmp(t, tag) || (c && !strcmp(c + 1, tag))))
				pick = m;
		}
	}
	if (!pick && n == 1)
		pick = json_object_array_get_idx(man, 0);
	if (!pick) {
		json_object_put(man);
		if (tag)
			return lb_fail(err, ENOENT, "no image tagged `%s` in "
						    "manifest.json", tag);
		lb_fail(err, EINVAL, "manifest.json lists %zu images", n);
		return lb_hint(err, "name one: SOURCE:TAG");
	}
	cpath = jstr(pick, "Config");
	layers = jget(pick, "Layers", json_type_array);
	/* The config's name is its digest (HEX.json, or blobs/sha256/HEX). */
	if (!cpath || !layers || strlen(cpath) < 64) {
		json_object_put(man);
		return lb_fail(err, EINVAL, "manifest.json: no Config/Layers");
	}
	snprintf(chex, sizeof(chex), "%.64s",
		 !strncmp(cpath, "blobs/sha256/", 13) ? cpath + 13 : cpath);
	cfg = read_json(im, cpath, is_hex64(chex) ? chex : "-", err);
	if (!cfg) {
		json_object_put(man);
		return -1;
	}
	take_env(im, cfg);
	diff = jget(jget(cfg, "rootfs", json_type_object), "diff_ids",
		    json_type_array);
	if (!diff || json_object_array_length(diff) !=
			     json_object_array_length(layers))
		ret = lb_fail(err, EINVAL, "config: rootfs.diff_ids does not "
					   "match the layers");
	for (i = 0; ret == 0 && i < json_object_array_length(layers); i++) {
		const char *p = json_object_get_string(
			json_object_array_get_idx(layers, i));

		if (im->n >= MAX_LAYERS_IN || !p || strlen(p) >= 300) {
			ret = lb_fail(err, EINVAL, "manifest.json: bad layer %zu",
				      i);
			break;
		}
		/* docker save writes layers uncompressed: the stream's digest
		 * is the diff id. */
		ret = digest_of(json_object_get_string(
					json_object_array_get_idx(diff, i)),
				im->in[im->n].digest, err);
		snprintf(im->in[im->n].path, sizeof(im->in[0].path), "%s", p);
		im->n++;
	}
	json_object_put(cfg);
	json_object_put(man);
	return ret;
}

/* A directory: its tree as a tar stream, written by a child (root: the
 * directory is the admin's) into a pipe the extractor reads. */
static pid_t dir_stream(const char *dir, int *rfd, struct lb_err *err)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return lb_fail(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return lb_fail(err, errno, "fork");
	}
	if (pid == 0) {
		struct archive *d = archive_read_disk_new();
		struct archive *w = archive_write_new();
		struct archive_entry *e;
		char buf[65536];
		int r;

		close(p[0]);
		if (!d || !w || archive_write_set_format_pax_restricted(w) ||
		    archive_write_open_fd(w, p[1]) ||
		    archive_read_disk_set_symlink_physical(d) ||
		    archive_read_disk_set_behavior(d, ARCHIVE_READDISK_NO_XATTR |
							      ARCHIVE_READDISK_NO_ACL |
							      ARCHIVE_READDISK_NO_FFLAGS) ||
		    archive_read_disk_open(d, dir))
			_exit(1);
		for (;;) {
			e = archive_entry_new();
			r = archive_read_next_header2(d, e);
			if (r == ARCHIVE_EOF)
				break;
			if (r < ARCHIVE_WARN)
				_exit(1);
			archive_read_disk_descend(d);
			{
				/* Names relative to the directory. */
				const char *n = archive_entry_pathname(e);
				size_t dl = strlen(dir);
				char rel[8192];

				if (!strncmp(n, dir, dl))
					n += dl;
				snprintf(rel, sizeof(rel), ".%s%s",
					 n[0] == '/' || !n[0] ? "" : "/", n);
				archive_entry_copy_pathname(e, rel);
			}
			if (archive_write_header(w, e) < ARCHIVE_WARN)
				_exit(1);
			if (archive_entry_filetype(e) == AE_IFREG &&
			    archive_entry_size(e) > 0) {
				int fd = open(archive_entry_sourcepath(e),
					      O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
				ssize_t n;

				while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
					archive_write_data(w, buf, (size_t)n);
				if (fd >= 0)
					close(fd);
			}
			archive_entry_free(e);
		}
		archive_write_close(w);
		_exit(0);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static int new_layer_dir(struct imp *im, int i, char *name, size_t len,
			 struct lb_err *err)
{
	int fd;

	snprintf(name, len, "L%d", i);
	if (mkdirat(im->tmpfd, name, 0755) < 0)
		return lb_fail(err, errno, "mkdir tmp/%s", name);
	fd = openat(im->tmpfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
	if (fd < 0 || fchown(fd, LB_IMAGE_ID_BASE, LB_IMAGE_ID_BASE) < 0)
		return lb_fail(err, errno, "prepare tmp/%s", name);
	return fd;
}

static int open_stream(struct imp *im, const struct layer_in *l,
		       struct lb_err *err)
{
	int fd = lb_openat2(im->srcfd, l->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
			    0, RES);

	if (fd < 0)
		return lb_fail(err, errno, "open layer `%s` in the image",
			       l->path);
	return fd;
}

/* Layers [from, to) into one directory, or one layer as it is; lower[]
 * (top first) are the layers below, where a hardlink not in this layer is
 * copied from. */
static int unpack(struct imp *im, int from, int to, const char *key,
		  const int *lower, int nlower, struct lb_err *err)
{
	cleanup_close int lfd = -1;
	char name[32], got[65], path[96];
	struct stat st;
	int i;

	snprintf(path, sizeof(path), "layers/%s", key);
	if (key[0] && fstatat(im->storefd, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		im->reused++;
		return 0;
	}
	lfd = new_layer_dir(im, from, name, sizeof(name), err);
	if (lfd < 0)
		return -1;
	for (i = from; i < to; i++) {
		cleanup_close int in = open_stream(im, &im->in[i], err);

		if (in < 0)
			return -1;
		if (ex_run(in, lfd, to - from > 1 ? EX_APPLY : EX_LAYER, lower,
			   nlower, &im->o->lim, &im->st, got, err) < 0)
			return lb_prefix(err, "layer %s", im->in[i].path);
		if (strcmp(got, im->in[i].digest)) {
			lb_fail(err, EBADMSG, "layer %s: sha256 is %s, the "
					      "manifest names %s",
				im->in[i].path, got, im->in[i].digest);
			return lb_hint(err, "the image is damaged or was "
					    "tampered with; nothing was "
					    "imported");
		}
	}
	if (renameat(im->tmpfd, name, im->storefd, path) < 0 && errno != EEXIST &&
	    errno != ENOTEMPTY)
		return lb_fail(err, errno, "rename into %s/%s", LB_STORE_DIR, path);
	return 0;
}

/* tmp (a new file in the store) holds exactly buf, on disk. */
static int write_synced(struct imp *im, const char *tmp, const char *buf,
			size_t len, struct lb_err *err)
{
	cleanup_close int fd = -1;
	ssize_t w;

	fd = openat(im->storefd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return lb_fail(err, errno, "create %s/%s", LB_STORE_DIR, tmp);
	w = write(fd, buf, len);
	if (w != (ssize_t)len) /* a short write sets no errno */
		return lb_fail(err, w < 0 ? errno : EIO, "write %s/%s",
			       LB_STORE_DIR, tmp);
	if (fsync(fd) < 0)
		return lb_fail(err, errno, "fsync %s/%s", LB_STORE_DIR, tmp);
	return 0;
}

static int write_version(struct imp *im, const char *name, const char *source,
			 char vid[65], struct lb_err *err)
{
	char *buf = NULL, path[96], tmp[96], ref[8192];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i, r;

	if (!f)
		return lb_fail(err, ENOMEM, "version");
	for (i = 0; i < im->nlayers; i++)
		fprintf(f, "layer=%s\n", im->layers[i]);
	for (i = 0; i < im->nenv; i++)
		fprintf(f, "env=%s\n", im->env[i]);
	fclose(f);
	image_sha256_hex(buf, len, vid);
	snprintf(path, sizeof(path), "versions/%s", vid);
	snprintf(tmp, sizeof(tmp), "%s/version", im->tmpname);
	r = write_synced(im, tmp, buf, len, err);
	free(buf);
	if (r < 0)
		return -1;
	/* Immutable: an existing version with this digest is the same. */
	if (renameat2(im->storefd, tmp, im->storefd, path, RENAME_NOREPLACE) < 0 &&
	    errno != EEXIST)
		return lb_fail(err, errno, "rename %s/%s", LB_STORE_DIR, path);
	snprintf(ref, sizeof(ref), "version=%s\nsource=%s\nimported=%lld\n", vid,
		 source, (long long)time(NULL));
	snprintf(tmp, sizeof(tmp), "%s/ref", im->tmpname);
	snprintf(path, sizeof(path), "images/%s", name);
	if (write_synced(im, tmp, ref, strlen(ref), err) < 0)
		return -1;
	/* The switch: new boxes get the new version from here on. */
	if (renameat(im->storefd, tmp, im->storefd, path) < 0)
		return lb_fail(err, errno, "rename %s/%s", LB_STORE_DIR, path);
	return 0;
}

static int layers_to_store(struct imp *im, struct lb_err *err)
{
	int first = 0, i, j, ret = 0, nlow;
	int low[LB_IMAGE_MAX_LAYERS];

	if (im->n == 0)
		return lb_fail(err, EINVAL, "the image has no layers");
	/* Too deep for one overlay mount: the bottom layers become one. */
	if (im->n > LB_IMAGE_MAX_LAYERS) {
		char *cat = calloc((size_t)im->n, 65);
		int k = im->n - LB_IMAGE_MAX_LAYERS + 1;

		if (!cat)
			return lb_fail(err, ENOMEM, "flatten");
		strcpy(cat, "flatten:");
		for (i = 0; i < k; i++)
			strcat(cat, im->in[i].digest);
		image_sha256_hex(cat, strlen(cat), im->layers[0]);
		free(cat);
		if (unpack(im, 0, k, im->layers[0], NULL, 0, err) < 0)
			return -1;
		im->nlayers = 1;
		first = k;
	}
	for (i = first; i < im->n && ret == 0; i++) {
		nlow = 0;
		for (j = im->nlayers - 1; j >= 0; j--) {
			char path[96];

			snprintf(path, sizeof(path), "layers/%s", im->layers[j]);
			low[nlow] = lb_openat2(im->storefd, path,
					       O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
					       RES);
			if (low[nlow] >= 0)
				nlow++;
		}
		ret = unpack(im, i, i + 1, im->in[i].digest, low, nlow, err);
		for (j = 0; j < nlow; j++)
			close(low[j]);
		if (ret == 0)
			snprintf(im->layers[im->nlayers++], 65, "%s",
				 im->in[i].digest);
	}
	return ret;
}

/* A single stream whose digest nobody names (a rootfs tarball or a
 * directory): unpacked, then keyed by what it hashed to. */
static int single_layer(struct imp *im, int in, struct lb_err *err)
{
	cleanup_close int lfd = -1;
	char name[32], got[65], path[96];

	lfd = new_layer_dir(im, 0, name, sizeof(name), err);
	if (lfd < 0)
		return -1;
	if (ex_run(in, lfd, EX_LAYER, NULL, 0, &im->o->lim, &im->st, got,
		   err) < 0)
		return -1;
	snprintf(path, sizeof(path), "layers/%s", got);
	if (renameat(im->tmpfd, name, im->storefd, path) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY)
			return lb_fail(err, errno, "rename into %s/%s",
				       LB_STORE_DIR, path);
		im->reused++;
	}
	snprintf(im->layers[0], 65, "%s", got);
	im->nlayers = 1;
	return 0;
}

static int do_import(struct imp *im, const char *name, const char *source,
		     struct lb_err *err)
{
	char path[4096], *tag = NULL, vid[65];
	cleanup_close int sfd = -1, dfd = -1;
	struct stat st;

	snprintf(path, sizeof(path), "%s", source);
	if (stat(path, &st) < 0 && strrchr(path, ':')) {
		tag = strrchr(path, ':');
		*tag++ = '\0';
	}
	if (stat(path, &st) < 0)
		return lb_fail(err, errno, "source `%s`", path);
	if (S_ISDIR(st.st_mode)) {
		sfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (sfd < 0)
			return lb_fail(err, errno, "open %s", path);
		im->srcfd = sfd;
		if (faccessat(sfd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
			if (oci_layout(im, tag, err) < 0)
				return -1;
		} else if (faccessat(sfd, "manifest.json", F_OK,
				     AT_SYMLINK_NOFOLLOW) == 0 &&
			   faccessat(sfd, "etc", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
			if (docker_save(im, tag, err) < 0)
				return -1;
		} else {
			int in;
			pid_t pid = dir_stream(path, &in, err);
			int status, r;

			if (pid < 0)
				return -1;
			r = single_layer(im, in, err);
			close(in);
			waitpid(pid, &status, 0);
			if (r < 0)
				return -1;
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				return lb_fail(err, EIO, "reading %s failed",
					       path);
			goto version;
		}
	} else if (S_ISREG(st.st_mode)) {
		cleanup_close int in = open(path, O_RDONLY | O_CLOEXEC);
		char dig[65];

		if (in < 0)
			return lb_fail(err, errno, "open %s", path);
		/* An image archive (OCI or docker save) holds only index,
		 * manifest and blob names; anything else makes it a rootfs. */
		if (mkdirat(im->tmpfd, "src", 0700) < 0)
			return lb_fail(err, errno, "mkdir tmp/src");
		dfd = openat(im->tmpfd, "src", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || fchown(dfd, LB_IMAGE_ID_BASE, LB_IMAGE_ID_BASE) < 0)
			return lb_fail(err, errno, "prepare tmp/src");
		if (ex_run(in, dfd, EX_SRC, NULL, 0, &im->o->lim, &im->st, dig,
			   err) < 0)
			return lb_prefix(err, "%s", path);
		if (im->st.not_container) {
			memset(&im->st, 0, sizeof(im->st));
			if (lseek(in, 0, SEEK_SET) < 0)
				return lb_fail(err, errno, "rewind %s", path);
			if (single_layer(im, in, err) < 0)
				return lb_prefix(err, "%s", path);
			goto version;
		}
		im->srcfd = dfd;
		if (faccessat(dfd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
			if (oci_layout(im, tag, err) < 0)
				return -1;
		} else if (docker_save(im, tag, err) < 0) {
			return -1;
		}
	} else {
		return lb_fail(err, EINVAL, "source `%s` is neither a directory "
					    "nor a file",
			       path);
	}
	if (layers_to_store(im, err) < 0)
		return -1;
version:
	if (write_version(im, name, source, vid, err) < 0)
		return -1;
	printf("image %s: version %.12s, %d layer%s (%d shared), %llu files, "
	       "%llu MB; %llu device node%s and %llu setuid/setgid bit%s "
	       "dropped\n",
	       name, vid, im->nlayers, im->nlayers == 1 ? "" : "s", im->reused,
	       (unsigned long long)im->st.entries,
	       (unsigned long long)(im->st.bytes >> 20),
	       (unsigned long long)im->st.dropped_dev,
	       im->st.dropped_dev == 1 ? "" : "s",
	       (unsigned long long)im->st.dropped_suid,
	       im->st.dropped_suid == 1 ? "" : "s");
	return 0;
}

int image_import(const char *name, const char *source,
		 const struct image_opts *o, struct lb_err *err)
{
	struct imp *im;
	cleanup_close int lock = -1;
	int ret, i;

	if (!image_name_valid(name))
		return lb_fail(err, EINVAL, "image name `%s`: use letters, "
					    "digits, . _ - (not `host`, at "
					    "most 63)", name);
	im = calloc(1, sizeof(*im));
	if (!im)
		return lb_fail(err, ENOMEM, "import");
	im->o = o;
	im->srcfd = -1;
	im->storefd = image_store_open(true, err);
	if (im->storefd < 0) {
		free(im);
		return -1;
	}
	lock = image_store_lock(im->storefd, true, err);
	if (lock < 0) {
		close(im->storefd);
		free(im);
		return -1;
	}
	snprintf(im->tmpname, sizeof(im->tmpname), "tmp/import-%d", (int)getpid());
	fs_rmtree_at(im->storefd, im->tmpname, err);
	lb_err_clear(err);
	if (mkdirat(im->storefd, im->tmpname, 0700) < 0 ||
	    (im->tmpfd = openat(im->storefd, im->tmpname,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					O_CLOEXEC)) < 0) {
		ret = lb_fail(err, errno, "mkdir %s/%s", LB_STORE_DIR,
			      im->tmpname);
	} else {
		ret = do_import(im, name, source, err);
		close(im->tmpfd);
	}
	{
		struct lb_err e2;

		lb_err_clear(&e2);
		fs_rmtree_at(im->storefd, im->tmpname, &e2);
	}
	if (ret < 0)
		lb_prefix(err, "import %s from %s (nothing was imported)", name,
			  source);
	for (i = 0; i < im->nenv; i++)
		free(im->env[i]);
	close(im->storefd);
	free(im);
	return ret;
}
