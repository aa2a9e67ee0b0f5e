#!/bin/sh
# scripts/demo.sh: build a busybox image locally (no network), load it into
# moat's store and run a container from it with `moat run`, showing how it
# is confined. Run as root after building (README, first command).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
moat=${MOAT:-$here/build/moat}
dir=${1:-/tmp/moat-demo}
"$here/scripts/setup.sh" > /dev/null
rm -rf "$dir"
mkdir -p "$dir"
sh "$here/tests/lib/mkrootfs.sh" "$dir/rootfs" >/dev/null
tar -C "$dir/rootfs" -czf "$dir/rootfs.tgz" .
"$moat" import "$dir/rootfs.tgz" moat-demo:latest > /dev/null
"$moat" images moat-demo
exec "$moat" run --rm moat-demo sh -c 'echo "hello from $(hostname): uid $(id -u), pid $$"
    grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status
    echo "visible processes: $(ls /proc | grep -c "^[0-9]")"
    echo "host uid of root: $(awk "{print \$2}" /proc/self/uid_map)"
    mount -t tmpfs none /tmp 2>/dev/null || echo "mount: refused"
    echo "network: $(ls /sys/class/net | tr "\n" " ")"'
