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

@test "dns: containers of a user network find each other by name, alias and short id" {
    m network create web > /dev/null
    local id srv
    id=$(m run -d --name srv --network web --network-alias www bb:1 \
        sh -c 'mkdir /www && echo hello from srv > /www/index.html && exec httpd -f -p 80 -h /www')
    srv=$(ip_of srv)
    run -0 m run --rm --network web bb:1 sh -c \
        "cat /etc/resolv.conf; for n in srv www ${id:0:12} SRV.; do nslookup \$n 127.0.0.11; done; wget -qO- http://www/"
    [ "${lines[0]}" = "nameserver 127.0.0.11" ]
    [ "${lines[1]}" = "search corp.test" ]
    [ "${lines[2]}" = "options ndots:0" ]
    [ "$(grep -c "^Address: $srv\$" <<< "$output")" = 4 ]
    [[ $output == *"hello from srv"* ]]
    # A with TTL 600, no AAAA: no data (not NXDOMAIN), over UDP and TCP;
    # none of it asked upstream
    m run -d --name cli --network web bb:1 sleep 300 > /dev/null
    run -0 q cli udp srv
    [ "$output" = "$(printf 'rcode 0\nA %s 600' "$srv")" ]
    run -0 q cli tcp www
    [ "$output" = "$(printf 'rcode 0\nA %s 600' "$srv")" ]
    run -0 q cli udp www 28
    [ "$output" = "rcode 0" ]
    ! grep -Eq " (srv|www|${id:0:12})\$" "$UPLOG"
}

@test "dns: another network's containers are not found; a stopped container is not either" {
    m network create web > /dev/null
    m network create other > /dev/null
    m run -d --name srv --network web bb:1 sleep 300 > /dev/null
    m run -d --name far --network other bb:1 sleep 300 > /dev/null
    # asked upstream (which does not know it) instead
    run -0 q far udp srv
    [ "$output" = "rcode 3" ]
    grep -q '^udp srv$' "$UPLOG"
    m run -d --name near --network web bb:1 sleep 300 > /dev/null
    run -0 q near udp srv
    [ "$output" = "rcode 0
A $(ip_of srv) 600" ]
    m stop -t 0 srv > /dev/null
    run -0 q near udp srv
    [ "$output" = "rcode 3" ]
}

@test "dns: --dns, --dns-search and --dns-option reach resolv.conf on the default network" {
    run -0 m run --rm --dns 192.0.2.9 --dns-search a.test --dns-search b.test \
        --dns-option ndots:2 --dns-option rotate bb:1 cat /etc/resolv.conf
    [ "$output" = "$(printf 'nameserver 192.0.2.9\nsearch a.test b.test\noptions ndots:2 rotate')" ]
}

@test "dns: the default network has no 127.0.0.11 and no resolver" {
    run -0 m run --rm bb:1 cat /etc/resolv.conf
    [[ $output != *127.0.0.11* ]]
    [[ $output == *"nameserver $UPSTREAM"* ]]
    m run -d --name d bb:1 sleep 300 > /dev/null
    run -1 resolver d
}

@test "dns: other names go to the host's servers, or to --dns; over UDP and TCP" {
    m network create web > /dev/null
    m run -d --name h --network web bb:1 sleep 300 > /dev/null
    run -0 q h udp www.Example.test
    [ "$output" = "$(printf 'rcode 0\nA 203.0.113.7 60')" ]
    grep -q '^udp www.example.test$' "$UPLOG"
    run -0 q h tcp tcp.example.test
    [ "$output" = "$(printf 'rcode 0\nA 203.0.113.7 60')" ]
    grep -q '^tcp tcp.example.test$' "$UPLOG"
    run -0 q h udp nosuch.invalid
    [ "$output" = "rcode 3" ]
    # --dns: still 127.0.0.11 in resolv.conf (with --dns-search and
    # --dns-option), forwarding to the server given; the host's is not asked
    m run -d --name g --network web --dns 192.0.2.1 --dns-search a.test --dns-option timeout:1 \
        bb:1 sleep 300 > /dev/null
    run -0 m exec g cat /etc/resolv.conf
    [ "$output" = "$(printf 'nameserver 127.0.0.11\nsearch a.test\noptions ndots:0 timeout:1')" ]
    : > "$UPLOG"
    run -0 q g udp via-dns.example.test
    [ "$output" = "rcode 2" ] # 192.0.2.1 does not answer: SERVFAIL
    ! grep -q via-dns "$UPLOG"
    m run -d --name g2 --network web --dns "$UPSTREAM" bb:1 sleep 300 > /dev/null
    run -0 q g2 udp via-dns.example.test
    [ "$output" = "$(printf 'rcode 0\nA 203.0.113.7 60')" ]
    run -0 m exec g2 nslookup via-dns.example.test 127.0.0.11
    [[ $output == *"Address: 203.0.113.7"* ]]
}

@test "dns: an --internal network's names are answered, nothing is forwarded (REFUSED)" {
    m network create --internal inside > /dev/null
    m run -d --name i1 --network inside bb:1 sleep 300 > /dev/null
    m run -d --name i2 --network inside bb:1 sleep 300 > /dev/null
    : > "$UPLOG"
    run -0 q i2 udp i1
    [ "$output" = "$(printf 'rcode 0\nA %s 600' "$(ip_of i1)")" ]
    run -0 q i2 udp leak.example.test
    [ "$output" = "rcode 5" ]
    run -0 q i2 tcp leak.example.test
    [ "$output" = "rcode 5" ]
    [ ! -s "$UPLOG" ]
}

@test "dns: malformed messages from a container get no crash; the resolver keeps answering" {
    m network create web > /dev/null
    m run -d --name j --network web bb:1 sleep 300 > /dev/null
    local pid
    pid=$(resolver j)
    run -0 q j junk
    run -0 q j junk
    # the same process, answering
    [ "$(resolver j)" = "$pid" ]
    run -0 q j udp j
    [ "$output" = "$(printf 'rcode 0\nA %s 600' "$(ip_of j)")" ]
    run -0 q j tcp j
    [ "$output" = "$(printf 'rcode 0\nA %s 600' "$(ip_of j)")" ]
    # and from the container's own processes too (TCP: busybox nc has no UDP)
    run m exec j sh -c 'printf "\0\022\022\064\1\0\0\1\0\0\0\0\0\0\300\014\0\1\0\1" | nc -w1 127.0.0.11 53'
    run -0 m exec j nslookup j 127.0.0.11
    [[ $output == *"Address: $(ip_of j)"* ]]
}

@test "dns: the resolver runs as moat-dns, without capabilities, sandboxed; rm -f leaves none" {
    m network create web > /dev/null
    m run -d --name s --network web bb:1 sleep 300 > /dev/null
    local pid st
    pid=$(resolver s)
    [ -n "$pid" ]
    st=$(cat "/proc/$pid/status")
    local uid
    uid=$(id -u moat-dns)
    [[ $st == *"Uid:	$uid	$uid	$uid	$uid"* ]]
    [[ $st == *"Gid:	$(id -g moat-dns)	"* ]]
    for c in CapInh CapPrm CapEff CapBnd CapAmb; do
        [[ $st == *"$c:	0000000000000000"* ]]
    done
    [[ $st == *"NoNewPrivs:	1"* ]]
    [[ $st == *"Seccomp:	2"* ]]
    # its environment is empty (but the sanitizers' options in the ASan
    # build), its descriptors only its three sockets
    [ -z "$(tr '\0' '\n' < "/proc/$pid/environ" | grep -Ev '^(ASAN|UBSAN)_OPTIONS=')" ]
    [ "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" = "0 1 2 3 4 5 " ]
    m rm -f s > /dev/null
    [ ! -e "/proc/$pid" ]
    # no resolver in the test's namespace at all
    local p ns
    ns=$(stat -L -c %i "/run/netns/$NS")
    for p in $(pgrep -x moat-dns); do
        [ "$(stat -L -c %i "/proc/$p/ns/net")" != "$ns" ]
    done
}

@test "dns: a monitor killed with -9 takes its resolver with it" {
    m network create web > /dev/null
    m run -d --name k --network web bb:1 sleep 300 > /dev/null
    local pid mon i
    pid=$(resolver k)
    mon=$(ps -o ppid= -p "$pid" | tr -d ' ')
    [ "$(cat "/proc/$mon/comm")" = moat-monitor ]
    kill -9 "$mon"
    for i in $(seq 50); do
        [ -e "/proc/$pid" ] || break
        sleep 0.1
    done
    [ ! -e "/proc/$pid" ]
}

@test "dns: a network connected to a running container is resolved, a disconnected one no longer" {
    m network create web > /dev/null
    m network create other > /dev/null
    m run -d --name srv --network other bb:1 sleep 300 > /dev/null
    m run -d --name cli --network web bb:1 sleep 300 > /dev/null
    run -0 q cli udp srv
    [ "$output" = "rcode 3" ]
    # the endpoints change: the monitor's table of names is read again
    m network connect other cli
    run -0 q cli udp srv
    [ "$output" = "$(printf 'rcode 0\nA %s 600' "$(ip_of srv)")" ]
    m network disconnect other cli
    run -0 q cli udp srv
    [ "$output" = "rcode 3" ]
}
