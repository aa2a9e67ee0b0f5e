#!/usr/bin/env bats
# The engine's networking, end to end: moat runs inside a network
# namespace this file makes ("host", $H), so its bridges, veths, rules
# and sysctls live there and never on the real host; an "outside"
# namespace ($O, 10.99.0.2) hangs off the host's uplink (10.99.0.1) with
# no route to the containers' subnets. Traffic is real and asserted.

bats_require_minimum_version 1.5.0
load common
load engine_common

HELPERS=${HELPERS:-$REPO/build/tests}

setup_file() {
    engine_setup_file
    export H="mh-$$" O="mo-$$"
    ip netns add "$H"
    ip netns add "$O"
    ip -n "$H" link set lo up
    ip -n "$O" link set lo up
    ip -n "$H" link add up0 type veth peer name eth0 netns "$O"
    ip -n "$H" addr add 10.99.0.1/24 dev up0
    ip -n "$O" addr add 10.99.0.2/24 dev eth0
    ip -n "$H" link set up0 up
    ip -n "$O" link set eth0 up
    mkdir -p "$BATS_FILE_TMPDIR/www"
    echo outside > "$BATS_FILE_TMPDIR/www/index.html"
    ip netns exec "$O" busybox httpd -p 10.99.0.2:8000 -h "$BATS_FILE_TMPDIR/www"
}

teardown_file() {
    for id in $(mh ps -aq --no-trunc 2>/dev/null); do mh rm -f "$id" >/dev/null 2>&1 || true; done
    ip netns pids "$O" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns pids "$H" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$O" 2>/dev/null || true
    ip netns del "$H" 2>/dev/null || true
}

teardown() {
    for id in $(mh ps -aq --no-trunc 2>/dev/null); do mh rm -f "$id" >/dev/null 2>&1 || true; done
    for n in $(mh network ls -q --filter type=custom 2>/dev/null); do mh network rm "$n" >/dev/null 2>&1 || true; done
}

# moat in the host namespace (its network namespace only: mounts as ours)
mh() {
    nsenter --net="/run/netns/$H" "$MOAT" --root "$STORE" "$@"
}

inh() {
    nsenter --net="/run/netns/$H" "$@"
}

# a container serving TEXT over http on port 80 (and what run prints)
web() {
    local text=$1
    shift
    mh run -d "$@" bb:1 sh -c "mkdir /www && echo $text > /www/index.html && exec httpd -f -p 80 -h /www"
}

ip_of() {
    mh inspect -f "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}" "$1"
}

# get URL from where ("host", "outside" or a container): the page, or
# fails (busybox 1.35's wget -T crashes even when it succeeds: timeout)
get_from() {
    local where=$1 url=$2
    case $where in
    host) inh timeout 3 busybox wget -q -O- "$url" ;;
    outside) ip netns exec "$O" timeout 3 busybox wget -q -O- "$url" ;;
    *) mh exec "$where" timeout 3 wget -q -O- "$url" ;;
    esac
}

# wait until the container's httpd listens
up() {
    local i
    for i in $(seq 50); do
        mh exec "$1" sh -c 'netstat -ltn | grep -q ":80 "' 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

@test "default network: an address of 10.87.0.0/16, a route out, outbound NAT, and DNS from the host" {
    id=$(mh run -d bb:1 sleep 100)
    run -0 mh exec "$id" ip -4 -o addr show eth0
    [[ $output == *"inet 10.87."*"/16"* ]]
    run -0 mh exec "$id" ip route
    [[ $output == *"default via 10.87.0.1 dev eth0"* ]]
    # the outside host has no route back: only masquerading gets an answer
    [ "$(get_from "$id" http://10.99.0.2:8000/)" = outside ]
    # the host's resolvers, loopback ones left out
    run -0 mh exec "$id" cat /etc/resolv.conf
    [[ $output != *"nameserver 127."* ]]
    [ "$(mh inspect -f '{{.HostConfig.NetworkMode}} {{.NetworkSettings.Networks.bridge.Gateway}}' "$id")" = "bridge 10.87.0.1" ]
    [[ $(mh exec "$id" cat /etc/hosts) == *"$(ip_of "$id")"* ]]
}

@test "-p publishes on 127.0.0.1 by default: the host reaches it, the outside does not" {
    id=$(web inside -p 8080:80)
    up "$id"
    [ "$(get_from host http://127.0.0.1:8080/)" = inside ]
    run ! get_from outside http://10.99.0.1:8080/
    [ "$(mh port "$id")" = "80/tcp -> 127.0.0.1:8080" ]
    [ "$(mh port "$id" 80)" = "127.0.0.1:8080" ]
    run -1 mh port "$id" 81
    [[ $output == *"No public port '81/tcp' published"* ]]
    [[ $(mh ps --format '{{.Ports}}') == "127.0.0.1:8080->80/tcp" ]]
    [ "$(mh inspect -f '{{json .HostConfig.PortBindings}}' "$id")" = '{"80/tcp":[{"HostIp":"","HostPort":"8080"}]}' ]
}

@test "-p 0.0.0.0: published on every address, reached from the outside and the host" {
    id=$(web everywhere -p 0.0.0.0:8081:80)
    up "$id"
    [ "$(get_from outside http://10.99.0.1:8081/)" = everywhere ]
    [ "$(get_from host http://10.99.0.1:8081/)" = everywhere ]
    [ "$(get_from host http://127.0.0.1:8081/)" = everywhere ]
}

@test "udp, and -P with --expose on a port the kernel picks" {
    # the image's busybox has no UDP server: the tests' static udpecho
    id=$(mh run -d -v "$HELPERS:/h:ro" -p 127.0.0.1:5514:514/udp bb:1 /h/udpecho 514)
    run -0 inh python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for i in range(20):
    s.sendto(b"hello-udp", ("127.0.0.1", 5514))
    try:
        print(s.recvfrom(100)[0].decode()); break
    except socket.timeout:
        pass'
    [ "$output" = HELLO-UDP ]
    id2=$(web random --expose 80 -P)
    up "$id2"
    hp=$(mh port "$id2" 80)
    [[ $hp == 127.0.0.1:* ]]
    [ "$(get_from host "http://$hp/")" = random ]
}

@test "hairpin: a container reaches published ports through the host's address; not the others directly" {
    a=$(web alpha -p 0.0.0.0:8082:80)
    b=$(web beta)
    up "$a" && up "$b"
    # its own published port, and another's, through the host's address
    [ "$(get_from "$a" http://10.99.0.1:8082/)" = alpha ]
    [ "$(get_from "$b" http://10.99.0.1:8082/)" = alpha ]
    # on the default network containers cannot reach each other
    run ! get_from "$b" "http://$(ip_of "$a")/"
    run ! get_from "$a" "http://$(ip_of "$b")/"
}

@test "user networks: members reach each other, other networks do not, enable_icc=false is honoured" {
    mh network create n1 >/dev/null
    mh network create n2 >/dev/null
    mh network create --opt com.docker.network.bridge.enable_icc=false n3 >/dev/null
    a=$(web a1 --network n1)
    b=$(web b1 --network n1)
    c=$(web c2 --network n2)
    d=$(web d3 --network n3)
    e=$(web e3 --network n3)
    for x in $a $b $c $d $e; do up "$x"; done
    [ "$(get_from "$b" "http://$(ip_of "$a")/")" = a1 ]
    run ! get_from "$c" "http://$(ip_of "$a")/"
    run ! get_from "$a" "http://$(ip_of "$c")/"
    run ! get_from "$d" "http://$(ip_of "$e")/"
    # and all of them reach the outside
    [ "$(get_from "$e" http://10.99.0.2:8000/)" = outside ]
}

@test "a container cannot send with an address or MAC not its own, even with NET_ADMIN and NET_RAW" {
    mh network create n1 >/dev/null
    a=$(web target --network n1)
    up "$a"
    s=$(mh run -d --network n1 --cap-add NET_ADMIN --cap-add NET_RAW -v "$HELPERS:/h:ro" bb:1 sleep 100)
    [ "$(get_from "$s" "http://$(ip_of "$a")/")" = target ]
    own=$(ip_of "$s")
    # another address on its interface, the only one: the source
    mh exec "$s" sh -c "ip addr flush dev eth0 && ip addr add 10.90.200.200/16 dev eth0"
    run ! get_from "$s" "http://$(ip_of "$a")/"
    # its own address back, another MAC
    mh exec "$s" sh -c "ip addr flush dev eth0 && ip addr add $own/16 dev eth0"
    [ "$(get_from "$s" "http://$(ip_of "$a")/")" = target ]
    mh exec "$s" /h/setmac eth0 02:00:00:00:00:99
    run ! get_from "$s" "http://$(ip_of "$a")/"
}

@test "--mac-address of a running container's endpoint is refused; the firewall stays whole" {
    a=$(mh run -d bb:1 sleep 100)
    mac=$(mh inspect -f '{{.NetworkSettings.MacAddress}}' "$a")
    # upper case is the same address
    run mh run -d --name dup --mac-address "${mac^^}" bb:1 sleep 100
    [ "$status" -eq 125 ]
    [[ $output == *"MAC address ${mac^^} is already in use by container ${a:0:12}"* ]]
    [ "$(ls "$STORE/endpoints" | grep -c json)" -eq 1 ]
    [ "$(inh ip -o link show type veth | grep -c ' mv')" -eq 1 ]
    # with two ports of one MAC, the whole ruleset was refused: moat could
    # not restore its rules after a flush
    inh nft flush ruleset
    run -0 mh network reload
    run -0 inh nft list table bridge moat
}

@test "the host's services through the gateway: closed unless the network opts in" {
    mkdir -p "$BATS_TEST_TMPDIR/h"
    echo host-service > "$BATS_TEST_TMPDIR/h/index.html"
    inh busybox httpd -p 0.0.0.0:9000 -h "$BATS_TEST_TMPDIR/h"
    id=$(mh run -d bb:1 sleep 100)
    run ! get_from "$id" http://10.87.0.1:9000/
    run ! get_from "$id" http://10.99.0.1:9000/
    mh network create --opt run.moat.network.host_access=true open >/dev/null
    id2=$(mh run -d --network open bb:1 sleep 100)
    gw=$(mh network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' open)
    [ "$(get_from "$id2" "http://$gw:9000/")" = host-service ]
    inh pkill -f "httpd -p 0.0.0.0:9000" || true
}

@test "connect and disconnect a running container" {
    mh network create n1 >/dev/null
    a=$(web peer --network n1)
    up "$a"
    id=$(mh run -d bb:1 sleep 100)
    run ! get_from "$id" "http://$(ip_of "$a")/"
    mh network connect --alias extra n1 "$id"
    run -0 mh exec "$id" ip -4 -o addr show eth1
    [ "$(get_from "$id" "http://$(ip_of "$a")/")" = peer ]
    [ "$(mh inspect -f '{{json .NetworkSettings.Networks.n1.Aliases}}' "$id")" = '["extra"]' ]
    mh network disconnect n1 "$id"
    run ! mh exec "$id" ip link show eth1
    run ! get_from "$id" "http://$(ip_of "$a")/"
    run -1 mh network disconnect n1 "$id"
    [[ $output == *"is not connected to network n1"* ]]
    # from its last network too, and back
    mh network disconnect bridge "$id"
    run ! mh exec "$id" ip link show eth0
    mh network connect n1 "$id"
    [ "$(get_from "$id" "http://$(ip_of "$a")/")" = peer ]
}

@test "20 containers started at once on one network get distinct addresses" {
    mh network create many >/dev/null
    for i in $(seq 20); do mh run -d --network many bb:1 sleep 100 > "$BATS_TEST_TMPDIR/id.$i" & done
    wait
    for i in $(seq 20); do ip_of "$(cat "$BATS_TEST_TMPDIR/id.$i")"; done > "$BATS_TEST_TMPDIR/ips"
    [ "$(sort -u "$BATS_TEST_TMPDIR/ips" | grep -c '^10\.')" = 20 ]
    [ "$(mh ps -q | wc -l)" = 20 ]
    [ "$(inh ip -o link show type veth | grep -c ' mv')" = 20 ]
}

@test "nothing is left: no veth, rule, endpoint or bridge after rm -f and network rm; an admin's table is untouched" {
    inh nft -f - <<'EOF'
table inet admin {
    chain c {
        type filter hook input priority 10; policy accept;
        tcp dport 7777 counter accept
    }
}
EOF
    before=$(inh nft list table inet admin)
    mh network create gone >/dev/null
    a=$(web x --network gone -p 8083:80)
    b=$(mh run -d bb:1 sleep 100)
    up "$a"
    dev=$(mh network inspect -f '{{.Moat.Device}}' gone)
    inh ip link show "$dev" >/dev/null
    mh rm -f "$a" "$b" >/dev/null
    [ -z "$(inh ip -o link show type veth | grep ' mv' || true)" ]
    [ -z "$(ls "$STORE/endpoints" | grep json || true)" ]
    run -0 inh nft list table bridge moat
    [[ ! $output =~ \"mv[0-9a-f] ]]
    run -0 inh nft list table inet moat
    [[ $output != *"dport 8083"* ]]
    mh network rm gone
    run ! inh ip link show "$dev"
    [ "$(inh nft list table inet admin)" = "$before" ]
}

@test "a host port in use is a clear error and leaves nothing behind" {
    inh python3 -c 'import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 8090))
s.listen()
time.sleep(20)' &
    for i in $(seq 50); do inh ss -ltn | grep -q '127.0.0.1:8090 ' && break; sleep 0.1; done
    run mh run --rm -p 8090:80 bb:1 true
    [ "$status" -eq 125 ]
    [[ $output == *"127.0.0.1:8090"*"already allocated"* ]]
    [ -z "$(mh ps -aq)" ]
    [ -z "$(inh ip -o link show type veth | grep ' mv' || true)" ]
    [ -z "$(ls "$STORE/endpoints" | grep json || true)" ]
    kill %1 2>/dev/null || true
}

@test "after an admin flushes the ruleset, the next container brings moat's rules back" {
    id=$(web back -p 8084:80)
    up "$id"
    inh nft flush ruleset
    id2=$(mh run -d bb:1 sleep 100)
    [ "$(get_from host http://127.0.0.1:8084/)" = back ]
    run -0 inh nft list table bridge moat
}

@test "--network none, host and container:NAME" {
    run -0 mh run --rm --network none bb:1 ip -o link
    [[ $output != *eth0* ]]
    run -0 mh run --rm --network host bb:1 ip -o link
    [[ $output == *up0* ]]
    a=$(mh run -d --name shared bb:1 sleep 100)
    run -0 mh run --rm --network container:shared bb:1 ip -4 -o addr show eth0
    [[ $output == *"$(ip_of "$a")/"* ]]
    run -125 mh run --rm --network container:shared -p 80:80 bb:1 true
    [[ $output == *"conflicting options: port publishing"* ]]
}

@test "a container whose monitor was killed: the next command removes its veth, endpoint and rules" {
    id=$(web killed -p 8085:80)
    up "$id"
    mon=$(fuser "$STORE/containers/$id/monitor.lock" 2>/dev/null | tr -s ' ' '\n' | grep . | head -1)
    [ -n "$mon" ]
    pid=$(mh inspect -f '{{.State.Pid}}' "$id")
    kill -9 "$mon" "$pid"
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    [ -n "$(ls "$STORE/endpoints" | grep json)" ]
    run -0 mh ps -a --format '{{.Status}}'
    [[ $output == "Exited (255)"* ]]
    [ -z "$(ls "$STORE/endpoints" | grep json || true)" ]
    [ -z "$(inh ip -o link show type veth | grep ' mv' || true)" ]
    run -0 inh nft list table inet moat
    [[ $output != *"dport 8085"* ]]
}

@test "ps --filter network=, publish= and expose=" {
    mh network create flt >/dev/null
    a=$(mh run -d --name fa --network flt -p 8086:80 --expose 9000 bb:1 sleep 100)
    b=$(mh run -d --name fb bb:1 sleep 100)
    [ "$(mh ps --filter network=flt --format '{{.Names}}')" = fa ]
    [ "$(mh ps --filter network=bridge --format '{{.Names}}')" = fb ]
    [ "$(mh ps --filter publish=8086 --format '{{.Names}}')" = fa ]
    [ -z "$(mh ps --filter publish=8086/udp --format '{{.Names}}')" ]
    [ "$(mh ps --filter expose=9000/tcp --format '{{.Names}}')" = fa ]
    [ "$(mh ps --filter expose=80 --format '{{.Names}}')" = fa ]
    [ -z "$(mh ps --filter expose=81 --format '{{.Names}}')" ]
}

@test "--dns, --dns-search, --dns-option, --add-host, --link, --ip, --mac-address, --hostname" {
    mh network create lnk >/dev/null
    t=$(mh run -d --name target --network lnk bb:1 sleep 100)
    id=$(mh run -d --network lnk --ip 10.90.0.77 --mac-address 02:aa:bb:cc:dd:ee --hostname box \
        --dns 192.0.2.53 --dns-search example.test --dns-option ndots:2 \
        --add-host db:192.0.2.10 --add-host gw:host-gateway --link target:tgt bb:1 sleep 100)
    run -0 mh exec "$id" ip -o link show eth0
    [[ $output == *"02:aa:bb:cc:dd:ee"* ]]
    run -0 mh exec "$id" ip -4 -o addr show eth0
    [[ $output == *"10.90.0.77/16"* ]]
    hosts=$(mh exec "$id" cat /etc/hosts)
    [[ $hosts == *"10.90.0.77	box"* ]]
    [[ $hosts == *"192.0.2.10	db"* ]]
    [[ $hosts == *"10.90.0.1	gw"* ]]
    [[ $hosts == *"$(ip_of "$t")	tgt target"* ]]
    resolv=$(mh exec "$id" cat /etc/resolv.conf)
    [[ $resolv == *"search example.test"* ]]
    [[ $resolv == *"ndots:2"* ]]
    [ "$(mh exec "$id" hostname)" = box ]
    # the same address twice, and addresses where they are not allowed
    run -125 mh run -d --network lnk --ip 10.90.0.77 bb:1 true
    run -125 mh run --rm --ip 10.87.0.9 bb:1 true
    [[ $output == *"user-defined networks"* ]]
    run -125 mh run --rm --network lnk --ip 10.91.0.9 bb:1 true
}

@test "bad network flags: a clear error, exit 125, nothing made" {
    before=$(ls "$STORE/containers" | wc -l)
    for bad in "-p 70000:80" "-p 80:0" "-p 1.2.3:80:80" "-p 80/sctp" "-p 8000-8002:80-81" \
        "--expose 80-70" "--dns nope" "--dns-option a$'\n'nameserver" "--add-host x" \
        "--add-host bad..name!:1.2.3.4" "--mac-address 01:00:5e:00:00:01" \
        "--mac-address zz" "--network-alias a --network bridge" "--link no" \
        "--network container:nosuch" "--network host -p 80:80 --network-alias x" "--ip6 fd00::1"; do
        eval "run mh run --rm $bad bb:1 true"
        echo "$bad: $status $output"
        [ "$status" -eq 125 ]
        [[ $output == *moat* ]]
    done
    [ "$(ls "$STORE/containers" | wc -l)" = "$before" ]
    [ -z "$(ls "$STORE/endpoints" 2>/dev/null | grep json || true)" ]
}

@test "two stores: the second cannot take the networks while the first runs containers on them" {
    a=$(web first)
    up "$a"
    S2="$BATS_TEST_TMPDIR/store2"
    m2() { nsenter --net="/run/netns/$H" "$MOAT" --root "$S2" "$@"; }
    m2 import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
    run -125 m2 run --rm bb:1 true
    [[ $output == *"in use by the store at $STORE"* ]]
    # the first store's container is untouched
    [ "$(inh ip -o link show type veth | grep -c ' mv')" = 1 ]
    [ "$(mh exec "$a" cat /www/index.html)" = first ]
    run -0 m2 run --rm --network none bb:1 true
    # once the first has none running, the second may
    mh rm -f "$a" >/dev/null
    run -0 m2 run --rm bb:1 true
    m2 rm -f $(m2 ps -aq) >/dev/null 2>&1 || true
}
