#!/usr/bin/env bash
# bench/run.sh: moat against crun and runc, side by side. Prints each
# table and the ratios the performance targets are stated in:
#   run of /bin/true          moat / kernel floor    target <= 1.3
#   run, hardened spec        moat / crun            target <= 0.5
#   create+start+wait+delete  moat / crun            target <= 0.5
#   start, state, kill, delete: work beyond process start   < 1 ms each
#   peak RSS of run           moat, KiB              target <= 2048
#   50 (and 500) started      moat / crun            target <= 0.5
# 1. ../shared/bench/lifecycle.sh with runc's spec (run, seq, RSS, 50).
#    50 at once is the median of SCALE_REPS=9 reps per runtime, taken in
#    turns: one rep moves by 10-20 %. Part of each rep is the shell and
#    timeout(1) starting the runtime, the same for every runtime: the
#    "launcher alone" line times that with a static true in its place.
# 2. moat's hardened spec (`moat spec`: seccomp, user namespace, Landlock)
#    for every runtime, timed with hyperfine. Not through lifecycle.sh: its
#    bundle is in a 0700 directory that the user namespace's root of crun
#    and runc cannot enter (moat opens the rootfs before it switches).
# 3. state and kill timed with hyperfine against a running container;
#    start and delete from lifecycle.sh's phases. "Process start" is
#    exec-true, a static binary that does nothing.
# 4. BIG containers at once, moat and crun: the median of BIG_REPS reps
#    taken in turns (one rep swings by 10-20 %, and each runtime's rep
#    follows the other's teardown).
# 5. the engine: `moat run --rm IMAGE true` against podman (bench/engine.sh).
# A benchmark, not a test: noise never fails CI. Needs root.
# Knobs: LIFECYCLE=path/to/lifecycle.sh, BIG=500 (0 skips it), BIG_REPS=3, N (timed
# runs, default 100), and lifecycle.sh's own (ROUNDS, SCALE, SCALE_REPS, ...).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED=$REPO/../shared
LIFECYCLE=${LIFECYCLE:-$SHARED/bench/lifecycle.sh}
MOAT=$REPO/build/moat
BIG=${BIG:-500}
BIG_REPS=${BIG_REPS:-3}
N=${N:-100}
export N
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 2; }
[ -x "$LIFECYCLE" ] || { echo "bench: $LIFECYCLE not found (set LIFECYCLE=)" >&2; exit 2; }
[ -x "$MOAT" ] || { echo "bench: build first (ninja -C build)" >&2; exit 2; }
"$REPO/scripts/setup.sh" > /dev/null

OUT=$(mktemp -d /tmp/moat-bench.XXXXXX)
chmod 755 "$OUT"
cleanup() {
    local id
    for id in bhcrun bhmoat bhrunc bmstate; do
        "$MOAT" delete -f "$id" > /dev/null 2>&1
    done
    rm -rf "$OUT"
}
trap cleanup EXIT

# crun first: every ratio line then reads "moat/crun"
runtimes=("crun=@hybrid crun" "moat=$MOAT" "runc")

med() { # med FILE LABEL COLUMN: a median from a lifecycle table row
    awk -v l="$2" -v c="$3" -F'|' '$1 ~ "^"l" " { split($c, a, " "); sub(/\/.*/, "", a[1]); print a[1]; exit }' "$1"
}
phase() { # phase FILE LABEL N: the Nth (1-4) of a runtime's (b) phases
    awk -v l="$2" -v n="$3" '$1 == l && $3 == "/" { split($0, a, "/"); sub(/^ *[^ ]+ +/, "", a[1]); print a[n] + 0; exit }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" -v p="${3:-2}" 'BEGIN { if (a == "" || b == "") print "-"; else printf "%.*f", p, a - b }'; }
hmed() { # hmed JSON INDEX: median of a hyperfine result, ms
    jq -r ".results[$2].median * 1000 | . * 100 | round / 100" "$1"
}

echo "== 1. runc's spec for every runtime"
SCALE_REPS=${SCALE_REPS:-9} "$LIFECYCLE" "${runtimes[@]}" | tee "$OUT/default.txt"

echo
echo "== 2. moat's hardened spec for every runtime (\`moat spec\`, run of /bin/true)"
hb=$OUT/hardened
mkdir -p "$hb"
sh "$SHARED/bundle/make-rootfs.sh" "$hb/rootfs" > /dev/null
(cd "$hb" && "$MOAT" spec && jq '.process.terminal = false | .process.args = ["/bin/true"]' \
    config.json > c.json && mv c.json config.json)
gcc -O2 -o "$OUT/hybrid-wrap" "$SHARED/bench/hybrid-wrap.c"
hyperfine -N -w 3 -r "$N" --export-json "$OUT/hardened.json" \
    -n crun "$OUT/hybrid-wrap crun run --bundle $hb bhcrun" \
    -n moat "$MOAT run --bundle $hb bhmoat" \
    -n runc "runc run --bundle $hb bhrunc" > "$OUT/hardened.txt" 2>&1
for i in 0 1 2; do
    jq -r ".results[$i] | \"\(.command | split(\" \")[0] | split(\"/\")[-1])  median \(.median * 1000 | . * 100 | round / 100) ms  [\(.min * 1000 | . * 100 | round / 100)-\(.max * 1000 | . * 100 | round / 100)]\"" "$OUT/hardened.json"
done

echo
echo "== 3. moat state and kill on a running container (hyperfine, ms)"
sb=$OUT/sleeper
mkdir -p "$sb"
ln -s "$hb/rootfs" "$sb/rootfs"
(cd "$sb" && runc spec && jq '.process.terminal = false | .process.args = ["sleep", "600"]' \
    config.json > c.json && mv c.json config.json)
"$MOAT" run -d --bundle "$sb" bmstate > /dev/null
hyperfine -N -w 10 -r "$N" --export-json "$OUT/cmds.json" \
    -n process-start "$MOAT --version" \
    -n state "$MOAT state bmstate" \
    -n kill "$MOAT kill bmstate CONT" > "$OUT/cmds.txt" 2>&1
printf '  moat --version %s   state %s   kill %s\n' "$(hmed "$OUT/cmds.json" 0)" \
    "$(hmed "$OUT/cmds.json" 1)" "$(hmed "$OUT/cmds.json" 2)"
"$MOAT" delete -f bmstate

launch() { # launch N: seconds for N `timeout 30 TRUE` started at once, as lifecycle.sh does
    local k t0 t1 pids=() t
    t=$EPOCHREALTIME t0=${t/./}
    for k in $(seq 1 "$1"); do
        timeout 30 "$hb/rootfs/bin/true" run -d < /dev/null > /dev/null 2>&1 &
        pids+=($!)
    done
    for k in "${pids[@]}"; do wait "$k"; done
    t=$EPOCHREALTIME t1=${t/./}
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }'
}
launch_med() { # launch_med N REPS
    local r
    for r in $(seq 1 "$2"); do launch "$1"; done | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo
echo "== launcher alone: bash + timeout(1) starting a static true, as lifecycle.sh starts a runtime"
l50=$(launch_med 50 9) lbig=
printf '  50 at once %s s (median of 9)\n' "$l50"
if [ "$BIG" -gt 0 ]; then
    lbig=$(launch_med "$BIG" 9)
    printf '  %s at once %s s (median of 9)\n' "$BIG" "$lbig"
fi

if [ "$BIG" -gt 0 ]; then
    echo
    echo "== 4. $BIG containers at once (median of $BIG_REPS reps each)"
    SCALE=$BIG SCALE_REPS=$BIG_REPS N=10 ROUNDS=1 RSS_REPS=1 "$LIFECYCLE" "crun=@hybrid crun" "moat=$MOAT" | tee "$OUT/big.txt"
fi

echo
echo "== 5. the engine: moat run --rm against podman run --rm (bench/engine.sh)"
eng=
if command -v podman > /dev/null; then
    "$HERE/engine.sh" 2>&1 | grep -v CNI | tee "$OUT/engine.txt"
    eng=$(sed -n 's/.*moat \/ podman: //p' "$OUT/engine.txt")
fi

d=$OUT/default.txt h=$OUT/hardened.json c=$OUT/cmds.json
true_ms=$(med "$d" exec-true 2)
echo
echo "== targets (medians of this run)"
row() { printf '%-52s %8s %8s\n' "$@"; }
row "figure" "value" "target"
row "run /bin/true: moat / kernel floor" "$(ratio "$(med "$d" moat 2)" "$(med "$d" floor 2)")" "<= 1.3"
row "run, hardened spec: moat / crun" "$(ratio "$(hmed "$h" 1)" "$(hmed "$h" 0)")" "<= 0.5"
row "create+start+wait+delete: moat / crun" "$(ratio "$(med "$d" moat 3)" "$(med "$d" crun 3)")" "<= 0.5"
row "start: ms beyond process start (exec-true)" "$(minus "$(phase "$d" moat 2)" "$true_ms")" "< 1"
row "state: ms beyond process start" "$(minus "$(hmed "$c" 1)" "$true_ms")" "< 1"
row "kill: ms beyond process start" "$(minus "$(hmed "$c" 2)" "$true_ms")" "< 1"
row "delete: ms beyond process start" "$(minus "$(phase "$d" moat 4)" "$true_ms")" "< 1"
row "peak RSS of run, KiB (moat)" "$(med "$d" moat 4)" "<= 2048"
row "50 started at once: moat / crun" "$(ratio "$(med "$d" moat 5)" "$(med "$d" crun 5)")" "<= 0.5"
row "  the same, less the launcher alone" "$(ratio "$(minus "$(med "$d" moat 5)" "$l50" 3)" "$(minus "$(med "$d" crun 5)" "$l50" 3)")" "-"
if [ "$BIG" -gt 0 ]; then
    row "$BIG started at once: moat / crun" "$(ratio "$(med "$OUT/big.txt" moat 5)" "$(med "$OUT/big.txt" crun 5)")" "<= 0.5"
    row "  the same, less the launcher alone" "$(ratio "$(minus "$(med "$OUT/big.txt" moat 5)" "$lbig" 3)" "$(minus "$(med "$OUT/big.txt" crun 5)" "$lbig" 3)")" "-"
fi
[ -n "$eng" ] && row "engine: moat run --rm / podman run --rm" "$eng" "-"
exit 0
