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
