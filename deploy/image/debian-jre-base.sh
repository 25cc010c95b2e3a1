#!/usr/bin/env bash
# Makes a Java 17 base image from Debian packages alone, as a docker-save tarball that Jib reads with
# a tar:// base. For machines that reach a Debian mirror but no container registry:
#
#   sudo apt-get install -y mmdebstrap
#   deploy/image/debian-jre-base.sh /tmp/debian-jre17.tar
#   mvn -B -Pimage -pl simulator -am package -DskipTests -Dsluice.image.base=tar:///tmp/debian-jre17.tar
#
# The result is Debian bookworm's "essential" set plus openjdk-17-jre-headless and ca-certificates
# (about 230 MB unpacked), with a user nonroot (65532) like distroless's. Run as root (or give
# mmdebstrap --mode=unshare where user namespaces are allowed).
set -euo pipefail

out=${1:?usage: $0 OUTPUT.tar [MIRROR]}
mirror=${2:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mmdebstrap --variant=essential --include=openjdk-17-jre-headless,ca-certificates \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='echo "nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin" >> "$1/etc/passwd"' \
  --customize-hook='echo "nonroot:x:65532:" >> "$1/etc/group"' \
  --customize-hook='mkdir -p "$1/home/nonroot" && chown 65532:65532 "$1/home/nonroot"' \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*' \
  bookworm "$work/layer.tar" "$mirror"

diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat > "$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"$created",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64","LANG=C.UTF-8"],
           "User":"65532:65532","WorkingDir":"/home/nonroot"},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"$created","created_by":"deploy/image/debian-jre-base.sh (mmdebstrap bookworm openjdk-17-jre-headless)"}]}
EOF
echo '[{"Config":"config.json","RepoTags":["sluice-base/debian-jre17:local"],"Layers":["layer.tar"]}]' \
  > "$work/manifest.json"
tar -C "$work" -cf "$out" manifest.json config.json layer.tar
echo "wrote $out ($diff_id)"
