// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON an imported image brings (helper/image/import.c): an OCI
 * layout's index.json, its manifest and config blobs, and a docker save
 * archive's manifest.json and config.  All of it comes from whoever built
 * the image: hostile input, read as root by `loginbox image import`.
 *
 * import.c is compiled into this target, so its static readers are
 * reached as the import reaches them, with no entry point kept for tests.
 * The input goes into a scratch source directory; its first byte picks
 * which file it becomes, and the files that name it by digest are written
 * around it (a fuzzer cannot forge a sha256), so every level is reached:
 *   0  index.json
 *   1  an OCI manifest blob named by a generated index.json
 *   2  an OCI config blob named by a generated manifest
 *   3  docker's manifest.json
 *   4  a docker config named by a generated manifest.json
 * Checked: no crash, leak or read out of bounds; on success every layer
 * has a 64-hex digest (or none) and a path that stays relative.
 */
#include "../../helper/image/import.c"

#include <ftw.h>
#include <stdint.h>

static char dir[64];

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void put(const char *name, const void *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || (len && fwrite(buf, 1, len, f) != len) || fclose(f))
		abort();
}

/* blobs/sha256/HEX holding buf; HEX out */
static void put_blob(const void *buf, size_t len, char hex[65])
{
	char name[128];

	if (image_sha256_hex(buf, len, hex) < 0)
		abort();
	snprintf(name, sizeof(name), "blobs/sha256/%s", hex);
	put(name, buf, len);
}

static void check(const struct imp *im)
{
	int i;

	if (im->n < 0 || im->n > MAX_LAYERS_IN || im->nenv < 0 ||
	    im->nenv > 256)
		abort();
	for (i = 0; i < im->n; i++) {
		if (!memchr(im->in[i].digest, '\0', sizeof(im->in[i].digest)) ||
		    !memchr(im->in[i].path, '\0', sizeof(im->in[i].path)))
			abort();
		if (im->in[i].digest[0] && !is_hex64(im->in[i].digest))
			abort();
	}
	for (i = 0; i < im->nenv; i++)
		if (!strchr(im->env[i], '=') || strchr(im->env[i], '\n'))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct imp im;
	struct lb_err err;
	char hex[65], gen[1024], path[128];
	unsigned mode;
	int i;

	if (size < 1 || size > 65536)
		return 0;
	mode = data[0] % 5;
	data++;
	size--;
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/tmp/lb-fuzz-image.%d", (int)getpid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		abort();
	snprintf(path, sizeof(path), "%s/blobs", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/blobs/sha256", dir);
	mkdir(path, 0700);

	memset(&im, 0, sizeof(im));
	im.storefd = im.tmpfd = -1;
	im.srcfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (im.srcfd < 0)
		abort();
	switch (mode) {
	case 0:
		put("index.json", data, size);
		oci_layout(&im, (size & 1) ? "t" : NULL, &err);
		break;
	case 1:
		put_blob(data, size, hex);
		snprintf(gen, sizeof(gen),
			 "{\"manifests\":[{\"mediaType\":\"application/vnd.oci."
			 "image.manifest.v1+json\",\"digest\":\"sha256:%s\"}]}",
			 hex);
		put("index.json", gen, strlen(gen));
		oci_layout(&im, NULL, &err);
		break;
	case 2: {
		char mhex[65];

		put_blob(data, size, hex);
		snprintf(gen, sizeof(gen),
			 "{\"config\":{\"digest\":\"sha256:%s\"},\"layers\":"
			 "[{\"digest\":\"sha256:%s\"}]}",
			 hex, hex);
		put_blob(gen, strlen(gen), mhex);
		oci_manifest(&im, mhex, &err);
		break;
	}
	case 3:
		put("manifest.json", data, size);
		docker_save(&im, (size & 1) ? "t" : NULL, &err);
		break;
	default:
		put_blob(data, size, hex);
		snprintf(gen, sizeof(gen),
			 "[{\"Config\":\"blobs/sha256/%s\",\"Layers\":"
			 "[\"a/layer.tar\"]}]",
			 hex);
		put("manifest.json", gen, strlen(gen));
		docker_save(&im, NULL, &err);
		break;
	}
	check(&im);
	for (i = 0; i < im.nenv; i++)
		free(im.env[i]);
	close(im.srcfd);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}
