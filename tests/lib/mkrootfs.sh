#!/bin/sh
# mkrootfs.sh DIR: a busybox root filesystem for the integration tests.
# Needs a statically linked busybox (Debian: busybox-static).
set -eu
dir=${1:?usage: mkrootfs.sh DIR}
bb=$(command -v busybox) || { echo "mkrootfs: busybox is not installed" >&2; exit 1; }
if ldd "$bb" >/dev/null 2>&1; then
    echo "mkrootfs: $bb is dynamically linked (install busybox-static)" >&2
    exit 1
fi
for d in bin sbin usr/bin usr/sbin etc proc sys dev tmp root run var/tmp home; do
    mkdir -p "$dir/$d"
done
cp "$bb" "$dir/bin/busybox"
for applet in $("$dir/bin/busybox" --list); do
    [ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
done
chmod 1777 "$dir/tmp" "$dir/var/tmp"
cat > "$dir/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$dir/etc/group" <<'G'
root:x:0:
tty:x:5:
app:x:1000:
nogroup:x:65534:
G
