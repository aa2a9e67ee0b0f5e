#!/usr/bin/env bats
# net_helper.bats: moat-net, the network helper, driven directly with JSON
# requests. Everything happens in namespaces the test makes: a "host" H
# (moat-net runs in it under `ip netns exec`, so its bridge is H's, never
# the real host's) and containers C1, C2 (fd 3 of a setup).

load common

NET=${MOAT_NET:-$(dirname "$MOAT")/moat-net}
# the sanitizer build: LeakSanitizer needs ptrace, which moat-net's seccomp
# filter denies (the last option given wins)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

setup() {
    [ "$(id -u)" -eq 0 ] || skip "needs root"
    H="moatnet-h-$$-$BATS_TEST_NUMBER"
    C1="moatnet-c1-$$-$BATS_TEST_NUMBER"
    C2="moatnet-c2-$$-$BATS_TEST_NUMBER"
    ip netns add "$H"
    ip netns add "$C1"
    ip netns add "$C2"
}

teardown() {
    local n
    for n in "$H" "$C1" "$C2"; do
        ip netns del "$n" 2>/dev/null || true
    done
}

# setup_req VETH ADDR [BRIDGE]: a setup request for 10.89.0.0/16
setup_req() {
    local last=${2##*.}
    printf '{"op":"setup","bridge":"%s","bridge_addr":"10.89.0.1","prefix":16,"mtu":1500,"veth":"%s","ifname":"eth0","addr":"%s","mac":"02:6d:0a:59:00:%02x","gateway":"10.89.0.1"}' \
        "${3:-moat0}" "$1" "$2" "$last"
}

# net NETNS: moat-net in H with NETNS as fd 3, the request on stdin
net() {
    ip netns exec "$H" "$NET" 3<"/run/netns/$1"
}

# the links of a namespace, without their changing details
links() {
    ip -n "$1" -br link | awk '{print $1, $2}' | sort
}

# H's links (name, administratively up, master, MAC), their IPv4
# addresses and the bridge's route_localnet (not the operational state or
# IPv6 link-local addresses: they follow by themselves)
host_state() {
    ip -n "$H" -j link |
        jq -c '[.[] | {ifname, up: (.flags | index("UP") != null), master, address}] | sort_by(.ifname)'
    ip -n "$H" -4 -j addr |
        jq -c '[.[] | {ifname, a: [.addr_info[] | "\(.local)/\(.prefixlen)"]}] | sort_by(.ifname)'
    ip netns exec "$H" sh -c 'cat /proc/sys/net/ipv4/conf/moat0/route_localnet 2>/dev/null || true'
}

@test "setup: bridge, veth, addresses, routes; two containers reach each other" {
    ip netns exec "$H" sh -c 'echo 0 > /proc/sys/net/ipv4/ip_forward'
    run net "$C1" <<<"$(setup_req mv0000000001 10.89.0.2)"
    [ "$status" -eq 0 ]
    [ "$output" = '{"ip_forward_set":true}' ]
    [ "$(ip netns exec "$H" cat /proc/sys/net/ipv4/ip_forward)" = 1 ]

    # the bridge: up, its address, route_localnet
    run ip -n "$H" -d link show moat0
    [[ "$output" == *"<BROADCAST,MULTICAST,UP"* ]]
    [[ "$output" == *"bridge forward_delay"* ]]
    [[ "$output" == *"link/ether 02:6d:0a:59:00:01 "* ]]
    run ip -n "$H" -4 -o addr show dev moat0
    [[ "$output" == *"inet 10.89.0.1/16 brd 10.89.255.255 scope global moat0"* ]]
    [ "$(ip netns exec "$H" cat /proc/sys/net/ipv4/conf/moat0/route_localnet)" = 1 ]
    # the host end: a veth on the bridge, hairpin mode on, up
    run ip -n "$H" -d link show mv0000000001
    [[ "$output" == *",UP"*"master moat0 "* ]]
    [[ "$output" == *"veth"* ]]
    [[ "$output" == *"hairpin on"* ]]
    # the container's end: eth0 with its MAC, address, default route; lo up
    run ip -n "$C1" link show eth0
    [[ "$output" == *",UP"* ]]
    [[ "$output" == *"link/ether 02:6d:0a:59:00:02 "* ]]
    [[ "$output" == *"mtu 1500 "* ]]
    run ip -n "$C1" -4 -o addr show dev eth0
    [[ "$output" == *"inet 10.89.0.2/16 brd 10.89.255.255 scope global eth0"* ]]
    [ "$(ip -n "$C1" route show default)" = "default via 10.89.0.1 dev eth0 " ] ||
        [ "$(ip -n "$C1" route show default)" = "default via 10.89.0.1 dev eth0" ]
    run ip -n "$C1" link show lo
    [[ "$output" == *"LOOPBACK,UP"* ]]
    run ip -n "$C1" -4 -o addr show dev lo
    [[ "$output" == *"127.0.0.1/8"* ]]
    # nothing else in the container's namespace
    [ "$(links "$C1" | cut -d' ' -f1 | tr '\n' ' ')" = "eth0@if3 lo " ]

    # a second container on the existing bridge; ip_forward already on
    run net "$C2" <<<"$(setup_req mv0000000002 10.89.0.3)"
    [ "$status" -eq 0 ]
    [ "$output" = '{"ip_forward_set":false}' ]
    run ip -n "$H" -4 -o addr show dev moat0
    [ "${#lines[@]}" -eq 1 ]
    ip netns exec "$C1" busybox ping -c 1 -W 5 10.89.0.3
    ip netns exec "$C2" busybox ping -c 1 -W 5 10.89.0.2
    ip netns exec "$C2" busybox ping -c 1 -W 5 10.89.0.1
}

@test "setup without a gateway: no default route; mtu and prefix as asked" {
    req='{"op":"setup","bridge":"moat5","bridge_addr":"10.95.0.1","prefix":24,"mtu":1400,"veth":"mv0000000051","ifname":"eth1","addr":"10.95.0.9","mac":"02:6d:0a:5f:00:09"}'
    run net "$C1" <<<"$req"
    [ "$status" -eq 0 ]
    [ -z "$(ip -n "$C1" route show default)" ]
    run ip -n "$C1" -4 -o addr show dev eth1
    [[ "$output" == *"inet 10.95.0.9/24 brd 10.95.0.255"* ]]
    run ip -n "$C1" link show eth1
    [[ "$output" == *"mtu 1400 "* ]]
    run ip -n "$H" link show mv0000000051
    [[ "$output" == *"mtu 1400 "* ]]
}

@test "teardown removes the veth and its peer; bridge-rm the bridge; both idempotent" {
    net "$C1" <<<"$(setup_req mv0000000001 10.89.0.2)"
    net "$C2" <<<"$(setup_req mv0000000002 10.89.0.3)"
    run net "$C1" <<<'{"op":"teardown","veth":"mv0000000001"}'
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    ! ip -n "$H" link show mv0000000001
    [ "$(links "$C1")" = "lo UNKNOWN" ]
    # the other container is still attached and reachable
    ip -n "$H" link show mv0000000002 | grep -q "master moat0"
    ip netns exec "$C2" busybox ping -c 1 -W 5 10.89.0.1
    # again: nothing to do, not an error (fd 3 is not needed)
    run ip netns exec "$H" "$NET" <<<'{"op":"teardown","veth":"mv0000000001"}'
    [ "$status" -eq 0 ]
    # the bridge keeps its MAC when its last port leaves
    net "$C2" <<<'{"op":"teardown","veth":"mv0000000002"}'
    [ "$(links "$C2")" = "lo UNKNOWN" ]
    ip -n "$H" link show moat0 | grep -q "link/ether 02:6d:0a:59:00:01 "

    run ip netns exec "$H" "$NET" <<<'{"op":"bridge-rm","bridge":"moat0"}'
    [ "$status" -eq 0 ]
    ! ip -n "$H" link show moat0
    run ip netns exec "$H" "$NET" <<<'{"op":"bridge-rm","bridge":"moat0"}'
    [ "$status" -eq 0 ]
}

@test "teardown and bridge-rm refuse a device of another kind and leave it" {
    ip -n "$H" link add mvbr0 type bridge
    ip -n "$H" link add moat9 type veth peer name mv9peer
    run ip netns exec "$H" "$NET" <<<'{"op":"teardown","veth":"mvbr0"}'
    [ "$status" -eq 1 ]
    [[ "$output" == *'teardown: "mvbr0" is not a veth (kind "bridge"): left as it is'* ]]
    run ip netns exec "$H" "$NET" <<<'{"op":"bridge-rm","bridge":"moat9"}'
    [ "$status" -eq 1 ]
    [[ "$output" == *'bridge-rm: "moat9" is not a bridge (kind "veth"): left as it is'* ]]
    ip -n "$H" link show mvbr0
    ip -n "$H" link show moat9
    # and never a device whose name is not moat's
    run ip netns exec "$H" "$NET" <<<'{"op":"teardown","veth":"moat9"}'
    [ "$status" -eq 2 ]
    [[ "$output" == *'"veth": "moat9": not one of moat'"'"'s (they start with "mv")'* ]]
    run ip netns exec "$H" "$NET" <<<'{"op":"bridge-rm","bridge":"lo"}'
    [ "$status" -eq 2 ]
    ip -n "$H" link show moat9
    ip -n "$H" link show lo
}

# malformed REQUEST MESSAGE [FD3-PATH]: exit 2, the message, nothing made
malformed() {
    local fd3=${3:-/run/netns/$C1}
    run ip netns exec "$H" "$NET" 3<"$fd3" <<<"$1"
    echo "$output"
    [ "$status" -eq 2 ]
    [[ "$output" == *"moat-net: request: $2"* ]]
    [ "$(links "$H")" = "lo DOWN" ]
    [ "$(links "$C1")" = "lo DOWN" ]
}

@test "a malformed request exits 2 with a message and makes nothing" {
    ok=$(setup_req mv0000000001 10.89.0.2)
    malformed '{"op":"setup",' "not JSON"
    malformed '' "not JSON"
    malformed '[1]' "not a JSON object"
    malformed '{"veth":"mv1"}' '"op": missing or not a string'
    malformed '{"op":"frob"}' '"op": unknown'
    malformed "${ok/mv0000000001/mv00000000000001}" '"veth": "mv00000000000001": an interface name is 1 to 15 characters'
    malformed "${ok/\"eth0\"/\"eth 0\"}" '"ifname": "eth 0": an interface name'
    malformed "${ok/10.89.0.2/192.168.1.2}" '"addr": 192.168.1.2 is outside the bridge'"'"'s subnet 10.89.0.0/16'
    malformed "${ok/10.89.0.2/10.89.255.255}" '"addr": 10.89.255.255 is the broadcast address'
    malformed "${ok//10.89.0.1/127.0.0.1}" '"bridge_addr": 127.0.0.1: not a usable unicast address'
    malformed "${ok/\"prefix\":16/\"prefix\":31}" '"prefix": 31: must be from 8 to 30'
    malformed "${ok/\"mtu\":1500/\"mtu\":100}" '"mtu": 100: must be from 576 to 65535'
    malformed "${ok/02:6d/ff:6d}" '"mac": "ff:6d:0a:59:00:02": not a unicast MAC'
    malformed "${ok/\}/,\"x\":1\}}" '"x": not a field of op setup'
    malformed "${ok/\}/,\"mtu\":1400\}}" 'not JSON: duplicate object key'
    malformed '{"op":"teardown","veth":"mv1","bridge":"moat0"}' '"bridge": not a field of op teardown'
    # fd 3 must be a network namespace
    malformed "$ok" "fd 3: not a namespace" /etc/hostname
    malformed "$ok" "fd 3: a namespace, not a network namespace" /proc/self/ns/uts
    malformed "$ok" "fd 3: the helper's own network namespace, not a container's" "/run/netns/$H"
    malformed "${ok/moat0/br0}" '"bridge": "br0": not one of moat'"'"'s'
    run ip netns exec "$H" "$NET" 3<&- <<<"$ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"fd 3: not open"* ]]
    run ip netns exec "$H" "$NET" --help </dev/null
    [ "$status" -eq 2 ]
    [ "$(links "$H")" = "lo DOWN" ]
}

@test "a failure midway leaves an existing bridge as it was and no new link" {
    net "$C1" <<<"$(setup_req mv0000000001 10.89.0.2)"
    before=$(host_state)
    # the host end's name is taken
    run net "$C2" <<<"$(setup_req mv0000000001 10.89.0.3)"
    [ "$status" -eq 1 ]
    [[ "$output" == *'moat-net: setup: veth "mv0000000001": a device of that name exists (veth)'* ]]
    [ "$(host_state)" = "$before" ]
    [ "$(links "$C2")" = "lo DOWN" ]

    # the container's name is taken: found before anything is made
    ip -n "$C2" link add eth0 type veth peer name other0
    run net "$C2" <<<"$(setup_req mv0000000002 10.89.0.3)"
    [ "$status" -eq 1 ]
    [[ "$output" == *'"eth0": a device of that name exists in the container'* ]]
    [ "$(host_state)" = "$before" ]
    ip -n "$C2" link del eth0
    [ "$(links "$C2")" = "lo DOWN" ]

    # a failure after the veth pair was made (the container has a default
    # route already): the pair goes, the bridge stays as it was
    ip -n "$C2" link set lo up
    ip -n "$C2" route add default dev lo
    run net "$C2" <<<"$(setup_req mv0000000002 10.89.0.3)"
    [ "$status" -eq 1 ]
    [[ "$output" == *'add the default route via 10.89.0.1 dev "eth0": File exists'* ]]
    [ "$(host_state)" = "$before" ]
    [ "$(links "$C2")" = "lo UNKNOWN" ]
}

@test "a failure midway removes the bridge the request made, and leaves one it found untouched" {
    ip -n "$C2" link set lo up
    ip -n "$C2" route add default dev lo
    run net "$C2" <<<"$(setup_req mv0000000002 10.89.0.3)"
    [ "$status" -eq 1 ]
    [ "$(links "$H")" = "lo DOWN" ]
    [ "$(links "$C2")" = "lo UNKNOWN" ]

    # a bridge that exists without an address and down: still so after
    # (with a MAC of its own, as moat-net makes them: without, the kernel
    # gives a bridge its port's MAC, and zeros when the port leaves)
    ip -n "$H" link add moat0 address 02:6d:0a:59:00:01 type bridge
    before=$(host_state)
    run net "$C2" <<<"$(setup_req mv0000000002 10.89.0.3)"
    [ "$status" -eq 1 ]
    [ "$(host_state)" = "$before" ]
    [ -z "$(ip -n "$H" -4 addr show dev moat0)" ]

    # a device of the bridge's name that is not a bridge
    ip -n "$H" link add moat7 type veth peer name other7
    run net "$C1" <<<"$(setup_req mv0000000001 10.89.0.2 moat7)"
    [ "$status" -eq 1 ]
    [[ "$output" == *'"moat7" exists and is not a bridge (veth)'* ]]
    [ "$(links "$C1")" = "lo DOWN" ]
}

@test "moat-net holds only CAP_NET_ADMIN, no_new_privs and a seccomp filter when it reads its request" {
    fifo="$BATS_TEST_TMPDIR/in"
    mkfifo "$fifo"
    exec 7<>"$fifo" # a writer, so the helper's open does not block
    FOO=bar ip netns exec "$H" "$NET" 3<"/run/netns/$C1" <"$fifo" >"$BATS_TEST_TMPDIR/out" 2>&1 &
    pid=$!
    # wait until it has dropped (the filter is the last step); it then
    # blocks reading stdin
    for _ in $(seq 1000); do
        grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status" 2>/dev/null && break
        sleep 0.01
    done
    status_file=$(cat "/proc/$pid/status")
    echo "$status_file"
    [ "$(cat "/proc/$pid/comm")" = moat-net ]
    for set in CapPrm CapEff CapBnd; do
        echo "$status_file" | grep -qx "$set:[[:space:]]*0000000000001000"
    done
    for set in CapInh CapAmb; do
        echo "$status_file" | grep -qx "$set:[[:space:]]*0000000000000000"
    done
    echo "$status_file" | grep -qx 'NoNewPrivs:[[:space:]]*1'
    echo "$status_file" | grep -qx 'Seccomp:[[:space:]]*2'
    # a clean environment
    [ ! -s "/proc/$pid/environ" ]
    # 0 to 3, then only what it opened itself: its netlink sockets (the
    # host's, the container's, libnftables') and ip_forward (the shell's
    # fd 7, the fifo, was not kept)
    for fd in /proc/$pid/fd/*; do
        n=${fd##*/}
        t=$(readlink "$fd")
        echo "$n -> $t"
        [ "$n" -le 3 ] || [[ "$t" == socket:* ]] || [ "$t" = /proc/sys/net/ipv4/ip_forward ]
    done
    [ "$(readlink "/proc/$pid/fd/0")" = "$(readlink "/proc/$$/fd/7")" ]
    [ "$(ls "/proc/$pid/fd" | wc -l)" -le 8 ]
    # and it still does its work
    setup_req mv0000000001 10.89.0.2 >&7
    exec 7>&-
    wait "$pid"
    [ "$(cat "$BATS_TEST_TMPDIR/out")" = '{"ip_forward_set":false}' ] ||
        [ "$(cat "$BATS_TEST_TMPDIR/out")" = '{"ip_forward_set":true}' ]
    ip -n "$C1" link show eth0
}
