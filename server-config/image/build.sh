#!/usr/bin/env bash
# Builds the lhttp container image from the top-level Dockerfile on a machine WITHOUT a container
# registry (CI, these VMs): the Java base image is made from Debian packages (mmdebstrap + podman
# import) instead of being pulled, then `podman build --pull=never --build-arg BASE_IMAGE=<that base>`.
# Also makes the image of nats-server (Debian's package) that ContainerImageIT runs the cluster on.
#
#   mvn package -DskipTests && server-config/image/build.sh      # then: podman run -p 8080:8080 localhost/lhttp:ci
#
# `mvn verify` runs it (pom.xml, exec "container-image", pre-integration-test), so ContainerImageIT
# tests the image of this build. Idempotent and cached:
#   - a base is made once per package list: the rootfs tar is kept in ~/.cache/lhttp-image (or
#     LHTTP_IMAGE_CACHE) under a name that hashes the list, and imported only when podman lacks it;
#   - `podman build` reuses its layer cache while target/lhttp.jar is unchanged.
# Without podman it prints how to install it and exits 0: ContainerImageIT then fails saying the
# same (the other tests still run). With a registry, build as a user would instead:
#   podman build -t lhttp .      (or docker build; BASE_IMAGE defaults to eclipse-temurin:17-jre)
#
# Images: localhost/lhttp:ci (LHTTP_IMAGE), localhost/lhttp-nats:ci (LHTTP_NATS_IMAGE).
# Times go to target/image-build-times.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
podman="$here/podman.sh"
image="${LHTTP_IMAGE:-localhost/lhttp:ci}"
nats_image="${LHTTP_NATS_IMAGE:-localhost/lhttp-nats:ci}"
cache="${LHTTP_IMAGE_CACHE:-$HOME/.cache/lhttp-image}"
suite="${LHTTP_IMAGE_SUITE:-bookworm}"
times="$root/target/image-build-times.txt"
# What the bases hold. Changing a list (or this version) makes a new base; the old tar stays in the cache.
base_recipe="v1 $suite essential openjdk-17-jre-headless ca-certificates"
nats_recipe="v1 $suite essential nats-server"

say() { echo "image/build.sh: $*"; }

if ! command -v podman >/dev/null 2>&1 || ! command -v mmdebstrap >/dev/null 2>&1; then
  say "podman or mmdebstrap not found: no image built; ContainerImageIT will fail."
  say "install them: apt-get install -y podman mmdebstrap runc (.ci/run does), then run mvn verify again"
  exit 0
fi
[ -f "$root/target/lhttp.jar" ] || { say "target/lhttp.jar missing: run mvn package first" >&2; exit 1; }
[ -f "$root/target/lhttp-healthcheck.jar" ] || { say "target/lhttp-healthcheck.jar missing: run mvn package first" >&2; exit 1; }
mkdir -p "$cache" "$root/target"

# make_rootfs RECIPE: the cached rootfs tar of RECIPE ("v1 SUITE VARIANT PACKAGE..."), made when missing.
make_rootfs() {
  local recipe="$1" key tar suite_ variant packages start
  key="$(printf '%s' "$recipe" | sha256sum | cut -c1-16)"
  tar="$cache/rootfs-$key.tar"
  [ -f "$tar" ] && return
  read -r _ suite_ variant packages <<< "$recipe"
  start=$SECONDS
  say "making a base from Debian packages: $packages (mmdebstrap, a few minutes; cached in $cache)"
  # essential + the named packages; no docs, man pages or locales. The empty man1 directory keeps
  # openjdk's update-alternatives step from failing on the missing path.
  mmdebstrap --quiet --variant="$variant" --include="${packages// /,}" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
    "$suite_" "$cache/partial-$key.tar"
  mv "$cache/partial-$key.tar" "$tar"
  echo "$(date -u +%FT%TZ) mmdebstrap ($packages): $((SECONDS - start)) s" >> "$times"
}

# ensure_base TAG RECIPE: podman has image TAG made from RECIPE's rootfs.
ensure_base() {
  local tag="$1" recipe="$2" key start
  key="$(printf '%s' "$recipe" | sha256sum | cut -c1-16)"
  if ! "$podman" image exists "$tag-$key"; then
    start=$SECONDS
    "$podman" import --quiet "$cache/rootfs-$key.tar" "$tag-$key" >/dev/null
    echo "$(date -u +%FT%TZ) podman import $tag: $((SECONDS - start)) s" >> "$times"
  fi
  "$podman" tag "$tag-$key" "$tag"
}

# Both bases at once when both are missing (mostly downloading): a fresh machine pays the longer one.
make_rootfs "$base_recipe" & java_base=$!
make_rootfs "$nats_recipe" & nats_base=$!
wait "$java_base" || { say "making the Java base failed" >&2; exit 1; }
wait "$nats_base" || { say "making the nats-server base failed" >&2; exit 1; }
ensure_base localhost/lhttp-base:"$suite" "$base_recipe"
ensure_base localhost/lhttp-nats-base:"$suite" "$nats_recipe"
"$podman" tag localhost/lhttp-nats-base:"$suite" "$nats_image"

previous="$("$podman" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
start=$SECONDS
"$podman" build --quiet --pull=never --format docker \
  --build-arg BASE_IMAGE=localhost/lhttp-base:"$suite" \
  -t "$image" -f "$root/Dockerfile" "$root" >/dev/null
echo "$(date -u +%FT%TZ) podman build $image: $((SECONDS - start)) s" >> "$times"
# The image of the previous build, now untagged (447 MB each): removed unless a container still uses it.
if [ -n "$previous" ] && [ "$previous" != "$("$podman" image inspect --format '{{.Id}}' "$image")" ]; then
  "$podman" rmi "$previous" >/dev/null 2>&1 || true
fi
say "built $image ($("$podman" image inspect --format '{{.Size}}' "$image") bytes) on localhost/lhttp-base:$suite, and $nats_image"
