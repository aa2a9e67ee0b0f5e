#!/usr/bin/env bash
# bench/api.sh: the API daemon. `docker run --rm --network none IMAGE true`
# (Debian's docker.io 20.10 CLI) through `moat daemon` and through a
# private dockerd 20.10 (its own data root, containerd and runc), on the
# same locally built image, timed with hyperfine in a network namespace
# the script makes; then the daemon's resident memory (moat daemon + its
# front moat-api) idle and after 50 `docker run --rm` at once. Prints the
# medians, the ratio moat / dockerd (target <= 0.25) and the RSS (target:
# idle <= 10 MiB). As root, after building. Knobs: N (runs, default 20),
# MOAT (binary).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
MOAT=${MOAT:-$REPO/build/moat}
N=${N:-20}
DOCKER=/usr/bin/docker
for t in hyperfine jq dockerd $DOCKER; do
    command -v $t > /dev/null || { echo "bench/api.sh: needs $t (docker.io, hyperfine)" >&2; exit 2; }
done
OUT=$(mktemp -d /tmp/moat-bench-api.XXXXXX)
chmod 755 "$OUT"
NS=moat-bench-api-$$
ip netns add "$NS"
ip -n "$NS" link set lo up
IN() { nsenter --net="/run/netns/$NS" "$@"; }
cleanup() {
    [ -f "$OUT/moatd.pid" ] && kill "$(cat "$OUT/moatd.pid")" 2> /dev/null || true
    [ -f "$OUT/dockerd.pid" ] && kill "$(cat "$OUT/dockerd.pid")" 2> /dev/null || true
    sleep 1
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

nsenter --net="/run/netns/$NS" "$MOAT" daemon --root "$OUT/m" -H "unix://$OUT/moat.sock" --user-socket "" > "$OUT/moatd.log" 2>&1 &
echo $! > "$OUT/moatd.pid"
nsenter --net="/run/netns/$NS" dockerd --data-root "$OUT/d" --exec-root "$OUT/dx" --pidfile "$OUT/dockerd.pid.own" \
    -H "unix://$OUT/docker.sock" --iptables=false --ip6tables=false --bridge=none \
    > "$OUT/dockerd.log" 2>&1 &
echo $! > "$OUT/dockerd.pid"
for i in $(seq 300); do
    curl -sf --unix-socket "$OUT/moat.sock" http://d/_ping > /dev/null 2>&1 && DOCKER_HOST=unix://$OUT/docker.sock $DOCKER version > /dev/null 2>&1 && break
    sleep 0.1
done
DOCKER_HOST=unix://$OUT/docker.sock $DOCKER import "$OUT/rootfs.tgz" bench:1 > /dev/null
M="env DOCKER_HOST=unix://$OUT/moat.sock DOCKER_CONFIG=$OUT/cfg $DOCKER"
D="env DOCKER_HOST=unix://$OUT/docker.sock DOCKER_CONFIG=$OUT/cfg $DOCKER"

rss() { # the daemon's and its front's resident KiB
    local d f
    d=$(cat "$OUT/moatd.pid")
    f=$(pgrep -P "$d" -f 'moat-api --ctl' | head -1) || { cat "$OUT/moatd.log" >&2; exit 1; }
    echo $(($(awk '/^VmRSS/ {print $2}' "/proc/$d/status") + $(awk '/^VmRSS/ {print $2}' "/proc/$f/status")))
}
idle=$(rss)

echo "== docker run --rm --network none IMAGE true: moat daemon vs dockerd 20.10 ($N runs)"
IN hyperfine -N -w 3 -r "$N" --export-json "$OUT/a.json" \
    -n moat "$M run --rm --network none bench:1 true" \
    -n dockerd "$D run --rm --network none bench:1 true" > "$OUT/a.txt" 2>&1 ||
    { cat "$OUT/a.txt" "$OUT/moatd.log"; exit 1; }
m=$(jq '.results[0].median * 1000' "$OUT/a.json")
d=$(jq '.results[1].median * 1000' "$OUT/a.json")
printf '  moat daemon median %.1f ms\n  dockerd     median %.1f ms\n' "$m" "$d"
printf '  moat / dockerd: %.3f  (target <= 0.25)\n' "$(echo "$m / $d" | bc -l)"

seq 50 | IN xargs -P 50 -I{} $M run --rm --network none bench:1 true
after=$(rss)
printf '  RSS of moat daemon + moat-api: idle %d KiB (target <= 10240), after 50 concurrent runs %d KiB\n' \
    "$idle" "$after"
