#!/usr/bin/env bash
# bench/net.sh: what moat's networking costs, in a network namespace this
# script makes (moat's bridges and rules live there, and go with it):
#   1. `moat run --rm IMAGE true` on the default network against the same
#      with --network none and against `podman run --rm` on podman's
#      default network (netavark), timed with hyperfine in one run;
#   2. iperf3 (TCP, 5 s) to a container through a published port
#      (127.0.0.1:5201, the kernel's DNAT) against iperf3 over a plain veth
#      pair between two namespaces.
# Prints the medians and the ratios the issue sets: default <= 2x none,
# default <= 0.25x podman, published >= 0.8x veth. As root, after building.
# Knobs: N (runs, default 30), MOAT (binary), SECS (iperf3 seconds, 5).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
MOAT=${MOAT:-$REPO/build/moat}
N=${N:-30}
SECS=${SECS:-5}
for t in podman hyperfine jq iperf3 bc; do
    command -v $t > /dev/null || { echo "bench/net.sh: needs $t (apt-get install -y $t)" >&2; exit 2; }
done
OUT=$(mktemp -d /tmp/moat-bench-net.XXXXXX)
NS=moat-bench-$$ PEER=moat-bench-peer-$$
cleanup() {
    nsenter --net="/run/netns/$NS" "$MOAT" --root "$OUT/m" rm -f iperf > /dev/null 2>&1 || true
    ip netns pids "$NS" 2> /dev/null | xargs -r kill 2> /dev/null || true
    ip netns pids "$PEER" 2> /dev/null | xargs -r kill 2> /dev/null || true
    ip netns del "$NS" 2> /dev/null || true
    ip netns del "$PEER" 2> /dev/null || true
    awk -v d="$OUT/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
        xargs -r umount -l 2> /dev/null || true
    rm -rf "$OUT"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
"$REPO/scripts/setup.sh" > /dev/null

# an image of busybox and iperf3 with its libraries
sh "$REPO/tests/lib/mkrootfs.sh" "$OUT/rootfs" > /dev/null
for f in /usr/bin/iperf3 $(ldd /usr/bin/iperf3 | grep -o '/[^ ]*'); do
    mkdir -p "$OUT/rootfs$(dirname "$f")"
    cp -L "$f" "$OUT/rootfs$f"
done
tar -C "$OUT/rootfs" -czf "$OUT/rootfs.tgz" .
in_ns "$MOAT" --root "$OUT/m" import "$OUT/rootfs.tgz" bench:1 > /dev/null
in_ns "$MOAT" --root "$OUT/m" run --rm bench:1 true > /dev/null 2>&1 # the store's warnings

RT=${PODMAN_RUNTIME:-$(command -v runc)}
lim() { local v; v=$(ulimit -H "$1"); { [ "$v" = unlimited ] || [ "$v" -gt "$2" ]; } && v=$2; echo "$v"; }
cat > "$OUT/containers.conf" << EOC
[containers]
default_ulimits = ["nofile=$(lim -n 1048576):$(lim -n 1048576)", "nproc=$(lim -u 32768):$(lim -u 32768)"]
[network]
network_config_dir = "$OUT/pn"
EOC
export CONTAINERS_CONF=$OUT/containers.conf
P="podman --root $OUT/p --runroot $OUT/pr --cgroup-manager cgroupfs --events-backend file --runtime $RT"
in_ns $P import -q "$OUT/rootfs.tgz" localhost/bench:1 > /dev/null 2>&1

echo "== run --rm IMAGE true: moat on its default network, with --network none, podman on its default network ($N runs)"
in_ns hyperfine -N -w 3 -r "$N" --export-json "$OUT/e.json" \
    -n moat-bridge "$MOAT --root $OUT/m run --rm bench:1 true" \
    -n moat-none "$MOAT --root $OUT/m run --rm --network none bench:1 true" \
    -n podman "$P run --rm localhost/bench:1 true" > "$OUT/e.txt" 2>&1 ||
    { cat "$OUT/e.txt"; exit 1; }
b=$(jq '.results[0].median * 1000' "$OUT/e.json")
n=$(jq '.results[1].median * 1000' "$OUT/e.json")
p=$(jq '.results[2].median * 1000' "$OUT/e.json")
printf '  moat (bridge)         median %.1f ms\n  moat (--network none) median %.1f ms\n  podman (its network)  median %.1f ms\n' "$b" "$n" "$p"
printf '  bridge / none:   %.2f (target <= 2)\n' "$(echo "$b / $n" | bc -l)"
printf '  bridge / podman: %.3f (target <= 0.25)\n' "$(echo "$b / $p" | bc -l)"

echo "== iperf3 -t $SECS: through a published port (127.0.0.1:5201) vs a plain veth pair"
# bps HOST: iperf3 -c HOST for SECS seconds, once the server answers
bps() {
    local i v
    for i in $(seq 50); do
        v=$(in_ns iperf3 -c "$1" -p 5201 -t "$SECS" -J 2> /dev/null |
            jq '.end.sum_received.bits_per_second // empty' 2> /dev/null) && [ -n "$v" ] &&
            { echo "$v"; return 0; }
        sleep 0.2
    done
    echo "bench/net.sh: iperf3 to $1 never answered" >&2
    return 1
}
in_ns "$MOAT" --root "$OUT/m" run -d --name iperf -p 5201:5201 bench:1 iperf3 -s > /dev/null
pub=$(bps 127.0.0.1)
ip netns add "$PEER"
ip -n "$NS" link add vb0 type veth peer name vb1 netns "$PEER"
ip -n "$NS" addr add 10.98.0.1/24 dev vb0
ip -n "$PEER" addr add 10.98.0.2/24 dev vb1
ip -n "$NS" link set vb0 up
ip -n "$PEER" link set vb1 up
ip -n "$PEER" link set lo up
ip netns exec "$PEER" iperf3 -s -D
veth=$(bps 10.98.0.2)
printf '  published port %.2f Gbit/s\n  plain veth     %.2f Gbit/s\n' \
    "$(echo "$pub / 1000000000" | bc -l)" "$(echo "$veth / 1000000000" | bc -l)"
printf '  published / veth: %.2f (target >= 0.8)\n' "$(echo "$pub / $veth" | bc -l)"
