# shellcheck shell=bash
# Image builders for t_85_images.sh and h_88_archives.sh: OCI layouts and
# docker save archives made by hand (tar + sha256sum + JSON), no registry.

# img_sha FILE -> hex
img_sha() { sha256sum "$1" | cut -d' ' -f1; }

# img_busybox_root DIR: a small rootfs from busybox-static
img_busybox_root() {
	local d=$1 a
	mkdir -p "$d"/bin "$d"/etc "$d"/tmp "$d"/root "$d"/home "$d"/usr/bin
	cp /bin/busybox "$d"/bin/busybox
	for a in sh ls cat id echo env test stat touch rm mkdir readlink sleep \
		printf grep head wc; do
		ln -sf busybox "$d/bin/$a"
	done
	chmod 1777 "$d"/tmp
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$d"/etc/passwd
	printf 'root:x:0:\n' >"$d"/etc/group
}

# img_test_root DIR: that rootfs with the test users lbt-alice and lbt-bob
# (and root) in its passwd and group files, as the host resolves them.
img_test_root() {
	img_busybox_root "$1"
	getent passwd root lbt-alice lbt-bob >"$1/etc/passwd"
	getent group root lbt-alice lbt-bob lbt-boxed >"$1/etc/group"
}

# img_drop NAME...: remove these store images, then gc what they held.
img_drop() {
	local n
	for n in "$@"; do
		"$LB_ADMIN" image rm "$n" >/dev/null 2>&1
	done
	"$LB_ADMIN" image gc >/dev/null 2>&1
}

# img_oci DIR TAG ENVJSON LAYER.tar[.gz]...: an OCI image layout by hand.
# ENVJSON is a JSON array of "K=V" strings.
img_oci() {
	local dir=$1 tag=$2 env=$3 l d u diffs="" layers="" cfg man cd md cs ms
	shift 3
	mkdir -p "$dir"/blobs/sha256
	printf '{"imageLayoutVersion":"1.0.0"}' >"$dir"/oci-layout
	for l in "$@"; do
		d=$(img_sha "$l")
		cp "$l" "$dir/blobs/sha256/$d"
		case $l in
		*.gz) u=$(gzip -dc "$l" | sha256sum | cut -d' ' -f1)
		      mt=application/vnd.oci.image.layer.v1.tar+gzip ;;
		*) u=$d; mt=application/vnd.oci.image.layer.v1.tar ;;
		esac
		diffs="$diffs${diffs:+,}\"sha256:$u\""
		layers="$layers${layers:+,}{\"mediaType\":\"$mt\",\"digest\":\"sha256:$d\",\"size\":$(stat -c %s "$l")}"
	done
	cfg=$(mktemp)
	printf '{"architecture":"amd64","os":"linux","config":{"Env":%s},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$env" "$diffs" >"$cfg"
	cd=$(img_sha "$cfg"); cs=$(stat -c %s "$cfg")
	mv "$cfg" "$dir/blobs/sha256/$cd"
	man=$(mktemp)
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
		"$cd" "$cs" "$layers" >"$man"
	md=$(img_sha "$man"); ms=$(stat -c %s "$man")
	mv "$man" "$dir/blobs/sha256/$md"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
		"$md" "$ms" "$tag" >"$dir"/index.json
}

# img_docker_save OUT.tar TAG ENVJSON LAYER.tar...: a docker save archive
# (uncompressed layers, as docker writes them).
img_docker_save() {
	local out=$1 tag=$2 env=$3 l d w diffs="" paths="" cfg cd
	shift 3
	w=$(mktemp -d)
	for l in "$@"; do
		d=$(img_sha "$l")
		mkdir -p "$w/$d"
		cp "$l" "$w/$d/layer.tar"
		diffs="$diffs${diffs:+,}\"sha256:$d\""
		paths="$paths${paths:+,}\"$d/layer.tar\""
	done
	cfg=$(mktemp)
	printf '{"architecture":"amd64","os":"linux","config":{"Env":%s},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$env" "$diffs" >"$cfg"
	cd=$(img_sha "$cfg")
	mv "$cfg" "$w/$cd.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' \
		"$cd" "$tag" "$paths" >"$w"/manifest.json
	tar -C "$w" -cf "$out" .
	rm -rf "$w"
}
