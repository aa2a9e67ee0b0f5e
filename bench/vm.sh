#!/usr/bin/env bash
# bench/vm.sh: boot to exit of `moat run --rm --isolation vm IMAGE true`
# (QEMU microvm, Debian's cloud kernel, moat's initramfs, the image shared
# with virtiofs), the median of N runs with hyperfine, beside the same
# without a VM. The budget under software emulation (TCG, no /dev/kvm) is
# 2 s; with KVM the figure is printed as such. As root, after building
# and scripts/setup.sh (QEMU and the kernel). Knobs: N (default 10), MOAT.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
MOAT=${MOAT:-$REPO/build/moat}
N=${N:-10}
for t in hyperfine jq qemu-system-x86_64; do
    command -v $t > /dev/null || { echo "bench/vm.sh: needs $t (scripts/setup.sh)" >&2; exit 2; }
done
OUT=$(mktemp -d /tmp/moat-bench-vm.XXXXXX)
cleanup() {
    "$MOAT" --root "$OUT/m" ps -aq 2> /dev/null | xargs -r "$MOAT" --root "$OUT/m" rm -f > /dev/null 2>&1 || true
    rm -rf "$OUT"
}
trap cleanup EXIT
sh "$REPO/tests/lib/mkrootfs.sh" "$OUT/rootfs" > /dev/null
tar -C "$OUT/rootfs" -czf "$OUT/rootfs.tgz" .
"$MOAT" --root "$OUT/m" import "$OUT/rootfs.tgz" bench:1 > /dev/null
accel=TCG
[ -w /dev/kvm ] && accel=KVM
echo "== moat run --rm --isolation vm bench:1 true ($accel, $N runs)"
hyperfine -N -w 1 -r "$N" --export-json "$OUT/v.json" \
    -n vm "$MOAT --root $OUT/m run --rm --network none --isolation vm bench:1 true" \
    -n container "$MOAT --root $OUT/m run --rm --network none bench:1 true" > "$OUT/v.txt" 2>&1 ||
    { cat "$OUT/v.txt"; exit 1; }
v=$(jq '.results[0].median * 1000' "$OUT/v.json")
c=$(jq '.results[1].median * 1000' "$OUT/v.json")
printf '  vm median        %.1f ms (%s)\n  container median %.1f ms\n' "$v" "$accel" "$c"
if [ "$accel" = TCG ]; then
    printf '  vm within the TCG budget of 2000 ms: %s\n' "$(echo "$v <= 2000" | bc -l | sed 's/1/yes/;s/0/no/')"
else
    echo "  (KVM: no budget set here; this machine's figure above)"
fi
