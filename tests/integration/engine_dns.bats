#!/usr/bin/env bats
# The embedded DNS resolver at 127.0.0.11 of containers on user-defined
# networks (issue 12, Names): names, aliases and short ids of the running
# containers of the same networks, everything else forwarded (to --dns or
# the host's servers), nothing for the default network; the resolver as
# the user moat-dns, sandboxed, gone with its container.
#
# Every command runs in a network namespace of this file's own ($NS), so
# the bridges and rules live there; in it, tests/lib/dns-upstream.py plays
# the host's resolver on 198.51.100.53 (answering NAME.example.test with
# 203.0.113.7, anything else with NXDOMAIN, each question logged), and
# /etc/netns/$NS/resolv.conf (which `ip netns exec` mounts over
# /etc/resolv.conf) names it.

load common
load engine_common

bats_require_minimum_version 1.5.0

UPSTREAM=198.51.100.53

setup_file() {
    engine_setup_file
    export NS="moatdns$$"
    export UPLOG="$BATS_FILE_TMPDIR/upstream.log"
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    ip -n "$NS" addr add "$UPSTREAM/32" dev lo
    mkdir -p "/etc/netns/$NS"
    printf 'nameserver %s\nsearch corp.test\n' "$UPSTREAM" > "/etc/netns/$NS/resolv.conf"
    ip netns exec "$NS" python3 "$REPO/tests/lib/dns-upstream.py" "$UPSTREAM" "$UPLOG" \
        > "$BATS_FILE_TMPDIR/upstream.out" 2>&1 3>&- &
    echo $! > "$BATS_FILE_TMPDIR/upstream.pid"
    local i
    for i in $(seq 50); do
        grep -q ready "$BATS_FILE_TMPDIR/upstream.out" && return 0
        sleep 0.1
    done
    return 1
}

teardown() {
    engine_remove_all
    m network prune -f > /dev/null 2>&1 || true
}

teardown_file() {
    kill "$(cat "$BATS_FILE_TMPDIR/upstream.pid")" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "/etc/netns/$NS"
}

# moat in the test's namespace
m() {
    ip netns exec "$NS" "$MOAT" --root "$STORE" "$@"
}

# q CTR PROTO NAME [TYPE]: ask 127.0.0.11 from CTR's network namespace
q() {
    nsenter -t "$(m inspect -f '{{.State.Pid}}' "$1")" -n python3 "$REPO/tests/lib/dns-query.py" "${@:2}"
}

# its address (from its record: inspect does not show Networks yet)
ip_of() {
    jq -r '.NetworkSettings.Networks[].IPAddress' \
        "$STORE/containers/$(m inspect -f '{{.Id}}' "$1")/container.json"
}

# the resolver of container $1: the child moat-dns of its monitor (the
# parent of its init)
resolver() {
    local mon
    mon=$(ps -o ppid= -p "$(m inspect -f '{{.State.Pid}}' "$1")" | tr -d ' ')
    pgrep -P "$mon" -x moat-dns
}

@test "dns: --dns, --dns-search and --dns-option reach resolv.conf on the default network" {
    run -0 m run --rm --dns 192.0.2.9 --dns-search a.test --dns-search b.test \
        --dns-option ndots:2 --dns-option rotate bb:1 cat /etc/resolv.conf
    [ "$output" = "$(printf 'nameserver 192.0.2.9\nsearch a.test b.test\noptions ndots:2 rotate')" ]
}
