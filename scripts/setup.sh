#!/bin/sh
# scripts/setup.sh: one-time host setup for moat's defaults (as root).
# Creates the system user "moat" and gives it 1e9 subordinate uids and gids
# (ids 1000000000-1999999999) in /etc/subuid and /etc/subgid: moat takes a
# range of 65536 of them for each container (run.moat.userns=auto), so host
# processes of different containers never share a uid. Creates the system
# user "moat-fetch", as which moat runs its registry client (moat-fetch) and
# nothing else runs, and the system user "moat-dns", as which the embedded
# DNS resolvers of containers on user-defined networks run (and nothing
# else). Idempotent.
set -eu
start=1000000000
count=1000000000
for u in moat moat-fetch moat-dns; do
    if ! getent passwd "$u" >/dev/null; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$u"
    fi
done
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
echo "moat: users moat, moat-fetch and moat-dns and subordinate ids ready ($(grep '^moat:' /etc/subuid))"
