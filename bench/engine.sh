#!/usr/bin/env bash
# bench/engine.sh: `moat run --rm IMAGE true` against `podman run --rm IMAGE
# true`, on the same locally built image (a busybox rootfs imported by both),
# both without a network (moat's default; podman --network none), timed with
# hyperfine. Prints both medians and the ratio. As root, after building.
# Knobs: N (runs, default 30), MOAT (binary).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
MOAT=${MOAT:-$REPO/build/moat}
N=${N:-30}
for t in podman hyperfine jq; do
    command -v $t > /dev/null || { echo "bench/engine.sh: needs $t" >&2; exit 2; }
done
OUT=$(mktemp -d /tmp/moat-bench-engine.XXXXXX)
cleanup() {
    awk -v d="$OUT/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
        xargs -r umount -l 2> /dev/null || true
    rm -rf "$OUT"
}
trap cleanup EXIT
"$REPO/scripts/setup.sh" > /dev/null
sh "$REPO/tests/lib/mkrootfs.sh" "$OUT/rootfs" > /dev/null
tar -C "$OUT/rootfs" -czf "$OUT/rootfs.tgz" .
"$MOAT" --root "$OUT/m" import "$OUT/rootfs.tgz" bench:1 > /dev/null
# podman as its own harness runs it here: cgroupfs, no systemd, the host's
# ulimits (this VM lacks CAP_SYS_RESOURCE headroom), and runc (crun 1.8
# refuses cgroup-v1 hybrid hosts; PODMAN_RUNTIME=path to change it)
RT=${PODMAN_RUNTIME:-$(command -v runc)}
lim() { local v; v=$(ulimit -H "$1"); { [ "$v" = unlimited ] || [ "$v" -gt "$2" ]; } && v=$2; echo "$v"; }
cat > "$OUT/containers.conf" <<EOC
[containers]
default_ulimits = ["nofile=$(lim -n 1048576):$(lim -n 1048576)", "nproc=$(lim -u 32768):$(lim -u 32768)"]
EOC
export CONTAINERS_CONF=$OUT/containers.conf
P="podman --root $OUT/p --runroot $OUT/pr --cgroup-manager cgroupfs --events-backend file --runtime $RT"
$P import -q "$OUT/rootfs.tgz" localhost/bench:1 > /dev/null 2>&1
echo "== moat run --rm vs podman run --rm (image from the same tarball, $N runs)"
hyperfine -N -w 3 -r "$N" --export-json "$OUT/e.json" \
    -n moat "$MOAT --root $OUT/m run --rm bench:1 true" \
    -n podman "$P run --rm --network none localhost/bench:1 true" > "$OUT/e.txt" 2>&1 ||
    { grep -v CNI "$OUT/e.txt"; exit 1; }
m=$(jq '.results[0].median * 1000' "$OUT/e.json")
p=$(jq '.results[1].median * 1000' "$OUT/e.json")
printf '  moat   median %.1f ms\n  podman median %.1f ms  (runtime: %s)\n' "$m" "$p" \
    "$(basename "$RT")"
printf '  moat / podman: %.2f\n' "$(echo "$m / $p" | bc -l)"
