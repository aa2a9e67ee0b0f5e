#!/bin/sh
# scripts/setup.sh: one-time host setup for moat's defaults (as root).
# Creates the system user "moat" and gives it 1e9 subordinate uids and gids
# (ids 1000000000-1999999999) in /etc/subuid and /etc/subgid: moat takes a
# range of 65536 of them for each container (run.moat.userns=auto), so host
# processes of different containers never share a uid. Creates the system
# user "moat-fetch", as which moat runs its registry client (moat-fetch) and
# nothing else runs, and the system user "moat-dns", as which the embedded
# DNS resolvers of containers on user-defined networks run (and nothing
# else), and the system user "moat-api", as which the API daemon's front
# (moat-api: HTTP and TLS) runs. The group "moat" (the user moat's own) may
# use the daemon's admin socket; the group "moat-users" its user socket,
# each member scoped to what it made. Idempotent.
set -eu
start=1000000000
count=1000000000
for u in moat moat-fetch moat-dns moat-api; do
    if ! getent passwd "$u" >/dev/null; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$u"
    fi
done
if ! getent group moat-users >/dev/null; then
    groupadd --system moat-users
fi
for f in /etc/subuid /etc/subgid; do
    touch "$f"
    if ! grep -q '^moat:' "$f"; then
        # keep clear of ranges already given out
        if awk -F: -v s=$start -v c=$count '$2 < s + c && $2 + $3 > s { bad = 1 } END { exit !bad }' "$f"; then
            echo "setup: $f already has ids in $start-$((start + count - 1)); give moat a free range by hand" >&2
            exit 1
        fi
        echo "moat:$start:$count" >> "$f"
    fi
done
echo "moat: users moat, moat-fetch, moat-dns and moat-api, group moat-users and subordinate ids ready ($(grep '^moat:' /etc/subuid))"

# VM isolation (--isolation vm): QEMU, Debian's cloud kernel and lz4, and
# the kernel as an uncompressed ELF with its PVH entry at
# /var/lib/moat/vm/vmlinux (QEMU boots it directly: about 0.3 s faster than
# the bzImage). The bzImage holds it LZ4-compressed (magic 02 21 4c 18).
# MOAT_SETUP_NO_VM=1 skips this part.
if [ "${MOAT_SETUP_NO_VM:-0}" != 1 ]; then
    vmpkgs="qemu-system-x86 linux-image-cloud-amd64 lz4"
    need=
    for p in $vmpkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need="$need $p"
    done
    if [ -n "$need" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need
    fi
    bz=$(ls -1 /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bz" ]; then
        echo "setup: no /boot/vmlinuz-*-cloud-amd64 (apt-get install linux-image-cloud-amd64)" >&2
        exit 1
    fi
    mkdir -p /var/lib/moat/vm
    chmod 755 /var/lib/moat/vm
    out=/var/lib/moat/vm/vmlinux
    tmp=$out.tmp.$$
    ok=
    for off in $(LC_ALL=C grep -obUaP '\x02\x21\x4c\x18' "$bz" | cut -d: -f1); do
        # lz4 stops at the end of the frame and complains about what follows
        tail -c +$((off + 1)) "$bz" | lz4 -dc > "$tmp" 2>/dev/null || true
        if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
            ok=1
            break
        fi
    done
    if [ -z "$ok" ]; then
        rm -f "$tmp"
        echo "setup: no LZ4-compressed ELF kernel found in $bz" >&2
        exit 1
    fi
    chmod 644 "$tmp"
    mv -f "$tmp" "$out"
    echo "moat: VM kernel $out (from $bz)"
fi
