#!/usr/bin/env bash
# bench/run.sh: moat against crun and runc, side by side, in one run of
# ../shared/bench/lifecycle.sh (start latency, memory, scale), then the
# same with moat's own hardened spec for every runtime. Prints the table of
# each run and the ratios the performance targets are stated in:
#   run of /bin/true          moat / kernel floor    target <= 1.3
#   run, hardened spec        moat / crun            target <= 0.5
#   create+start+wait+delete  moat / crun            target <= 0.5
#   peak RSS of run           moat, KiB              target <= 2048
#   50 (and 500) started      moat / crun            target <= 0.5
# A benchmark, not a test: noise never fails CI. Needs root.
# Knobs: LIFECYCLE=path/to/lifecycle.sh, BIG=500 (0 skips the 500 run),
# and lifecycle.sh's own (N, ROUNDS, SCALE, ...).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
LIFECYCLE=${LIFECYCLE:-$REPO/../shared/bench/lifecycle.sh}
MOAT=$REPO/build/moat
BIG=${BIG:-500}
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 2; }
[ -x "$LIFECYCLE" ] || { echo "bench: $LIFECYCLE not found (set LIFECYCLE=)" >&2; exit 2; }
[ -x "$MOAT" ] || { echo "bench: build first (ninja -C build)" >&2; exit 2; }
"$REPO/scripts/setup.sh" > /dev/null

OUT=$(mktemp -d /tmp/moat-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

# crun first: every ratio line then reads "moat/crun"
runtimes=("crun=@hybrid crun" "moat=$MOAT" "runc")

med() { # med FILE LABEL COLUMN: a median from a lifecycle table row
    awk -v l="$2" -v c="$3" -F'|' '$1 ~ "^"l" " { split($c, a, " "); sub(/\/.*/, "", a[1]); print a[1]; exit }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }

echo "== runc's spec for every runtime"
"$LIFECYCLE" "${runtimes[@]}" | tee "$OUT/default.txt"
echo
echo "== moat's hardened spec for every runtime (SPEC_CMD=\"$MOAT spec\")"
SPEC_CMD="$MOAT spec" SCALE=0 "$LIFECYCLE" "${runtimes[@]}" | tee "$OUT/hardened.txt"
if [ "$BIG" -gt 0 ]; then
    echo
    echo "== $BIG containers at once"
    SCALE=$BIG SCALE_REPS=1 N=10 ROUNDS=1 RSS_REPS=1 "$LIFECYCLE" "crun=@hybrid crun" "moat=$MOAT" | tee "$OUT/big.txt"
fi

d=$OUT/default.txt h=$OUT/hardened.txt
echo
echo "== targets (medians of this run)"
printf '%-44s %8s %8s\n' "figure" "value" "target"
printf '%-44s %8s %8s\n' "run /bin/true: moat / kernel floor" "$(ratio "$(med $d moat 2)" "$(med $d floor 2)")" "<= 1.3"
printf '%-44s %8s %8s\n' "run, hardened spec: moat / crun" "$(ratio "$(med $h moat 2)" "$(med $h crun 2)")" "<= 0.5"
printf '%-44s %8s %8s\n' "create+start+wait+delete: moat / crun" "$(ratio "$(med $d moat 3)" "$(med $d crun 3)")" "<= 0.5"
printf '%-44s %8s %8s\n' "peak RSS of run, KiB (moat)" "$(med $d moat 4)" "<= 2048"
printf '%-44s %8s %8s\n' "50 started at once: moat / crun" "$(ratio "$(med $d moat 5)" "$(med $d crun 5)")" "<= 0.5"
[ "$BIG" -gt 0 ] &&
    printf '%-44s %8s %8s\n' "$BIG started at once: moat / crun" "$(ratio "$(med $OUT/big.txt moat 5)" "$(med $OUT/big.txt crun 5)")" "<= 0.5"
exit 0
