#!/usr/bin/env bash
# Runs the image tarball Jib wrote without Docker: unpacks its layers, mounts them read-only with a
# tmpfs at /tmp, starts the emulator and the router (the image's own entrypoint and environment) as
# user 65532 in a chroot, and sends a chat completion through the router. Needs root (chroot,
# mount) and a base image with a shell (e.g. deploy/image/debian-jre-base.sh; distroless has none).
#
#   deploy/image/smoke-test.sh simulator/target/jib-image.tar
set -euo pipefail

tar_file=$(realpath "${1:-simulator/target/jib-image.tar}")
work=$(mktemp -d)
root=$work/rootfs
ro=$work/ro
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for m in "$ro/tmp" "$ro/proc" "$ro/dev" "$ro"; do umount "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$root" "$ro" "$work/image"
tar -xf "$tar_file" -C "$work/image"
read_config() { python3 -c "import json,sys; c=json.load(open('$work/image/config.json'))['config']; $1"; }
for layer in $(python3 -c "import json; print(' '.join(json.load(open('$work/image/manifest.json'))[0]['Layers']))"); do
  tar -xzf "$work/image/$layer" -C "$root" 2>/dev/null
done
user=$(read_config "print(c['User'])")
mapfile -t env < <(read_config "print('\n'.join(c['Env']))")
mapfile -t entrypoint < <(read_config "print('\n'.join(c['Entrypoint']))")

mount --bind "$root" "$ro" && mount -o remount,bind,ro "$ro"
mount -t tmpfs -o mode=1777 tmpfs "$ro/tmp"
mount --bind /proc "$ro/proc" && mount --bind /dev "$ro/dev"
cat > "$ro/tmp/sluice.yaml" <<'EOF'
apiVersion: sluice.io/v1alpha1
kind: ModelPool
metadata: {name: qwen}
spec:
  models: [qwen3-8b]
  endpoints: ["http://127.0.0.1:18001"]
  engine: vllm
EOF

in_image() { # runs a command in the image as its user, in the background, from /tmp
  chroot --userspec="$user" "$ro" env -i "${env[@]}" /bin/sh -c 'cd /tmp && exec "$@"' sh "$@" &
  pids+=($!)
}
in_image java -cp @/app/jib-classpath-file io.sluice.sim.cli.SimMain engine --port 18001 --model qwen3-8b --kv-tokens 20000
in_image "${entrypoint[@]}" serve --config /tmp/sluice.yaml --port 18080 --admin-port 19090

for _ in $(seq 1 120); do
  code=$(curl -s -o "$work/answer" -w '%{http_code}' -m 20 http://127.0.0.1:18080/v1/chat/completions \
    -H 'Content-Type: application/json' \
    -d '{"model":"qwen3-8b","max_tokens":16,"messages":[{"role":"user","content":"Hello from the image"}]}' || true)
  [ "$code" = 200 ] && break
  sleep 1
done
[ "$code" = 200 ] || { echo "FAIL: no 200 from the router in the image (last: $code)"; exit 1; }
if touch "$ro/app/written" 2>/dev/null; then echo "FAIL: the root filesystem is writable"; exit 1; fi
echo "OK: router and emulator ran from the image as user $user on a read-only root; answer:"
cat "$work/answer"; echo
