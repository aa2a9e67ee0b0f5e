#!/bin/sh
# scripts/demo.sh: make a busybox root filesystem locally (no network),
# write moat's hardened default config for it and run a container that
# shows how it is confined. Run as root after building (README, first command).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
moat=${MOAT:-$here/build/moat}
dir=${1:-/tmp/moat-demo}
"$here/scripts/setup.sh" > /dev/null
rm -rf "$dir"
mkdir -p "$dir"
sh "$here/tests/lib/mkrootfs.sh" "$dir/rootfs" >/dev/null
cd "$dir"
"$moat" spec
# no terminal, and a command that shows the confinement
jq '.process.terminal = false
  | .process.args = ["sh", "-c", "echo \"hello from $(hostname): uid $(id -u), pid $$\";
      grep -E \"^(CapEff|NoNewPrivs|Seccomp):\" /proc/self/status;
      touch /etc/x 2>/dev/null || echo \"root filesystem: read-only\";
      echo \"visible processes: $(ls /proc | grep -c \"^[0-9]\")\";
      echo \"host uid of root: $(awk \"{print \\$2}\" /proc/self/uid_map)\";
      mount -t tmpfs none /tmp 2>/dev/null || echo \"mount: refused\""]' config.json > config.new
mv config.new config.json
exec "$moat" run --bundle "$dir" "demo-$$"
