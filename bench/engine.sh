#!/usr/bin/env bash
# bench/engine.sh: `moat run --rm IMAGE true` on moat's default network
# (bridge: a veth, its firewall elements) and with --network none, against
# `podman run --rm --network none IMAGE true`, on the same locally built
# image (a busybox rootfs imported by both), timed with hyperfine in a
# network namespace the script makes (moat's bridge and nftables tables
# live there, not in the host's), entered with nsenter: ip netns exec
# would remount /sys and hide the cgroup mounts podman needs. Prints the
# medians and the ratios: moat bridge / moat none (target <= 2), moat none
# / podman none. As root, after building. Knobs: N (runs, default 30),
# MOAT (binary).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
MOAT=${MOAT:-$REPO/build/moat}
N=${N:-30}
for t in podman hyperfine jq; do
    command -v $t > /dev/null || { echo "bench/engine.sh: needs $t" >&2; exit 2; }
done
OUT=$(mktemp -d /tmp/moat-bench-engine.XXXXXX)
NS=moat-bench-$$
ip netns add "$NS"
ip -n "$NS" link set lo up
cleanup() {
    awk -v d="$OUT/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
        xargs -r umount -l 2> /dev/null || true
    ip netns del "$NS" 2> /dev/null || true
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
echo "== moat run --rm (default network, --network none) vs podman run --rm --network none ($N runs)"
nsenter --net="/run/netns/$NS" hyperfine -N -w 3 -r "$N" --export-json "$OUT/e.json" \
    -n moat-bridge "$MOAT --root $OUT/m run --rm bench:1 true" \
    -n moat-none "$MOAT --root $OUT/m run --rm --network none bench:1 true" \
    -n podman "$P run --rm --network none localhost/bench:1 true" > "$OUT/e.txt" 2>&1 ||
    { grep -v CNI "$OUT/e.txt"; exit 1; }
b=$(jq '.results[0].median * 1000' "$OUT/e.json")
m=$(jq '.results[1].median * 1000' "$OUT/e.json")
p=$(jq '.results[2].median * 1000' "$OUT/e.json")
printf '  moat default network median %.1f ms\n  moat --network none   median %.1f ms\n' "$b" "$m"
printf '  podman --network none median %.1f ms  (runtime: %s)\n' "$p" "$(basename "$RT")"
printf '  moat bridge / moat none: %.2f  (target <= 2)\n' "$(echo "$b / $m" | bc -l)"
printf '  moat none / podman none: %.2f\n' "$(echo "$m / $p" | bc -l)"
