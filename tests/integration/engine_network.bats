#!/usr/bin/env bats
# Networks in the store (issue 12): network create, ls, inspect, rm and
# prune, Docker's flags, filters and output; the subnet choice and its
# checks. No data plane here: records only.

load common
load engine_common

bats_require_minimum_version 1.5.0

teardown() {
    engine_remove_all
    m network prune -f > /dev/null 2>&1 || true
}

# the network files in the store
netfiles() {
    ls "$STORE/networks" 2>/dev/null | sort
}

# a container whose record refers to network $1 (the lead's fields:
# NetworkSettings.Networks), by editing its record
ctr_on() {
    local id rec
    id=$(m create bb:1 true)
    rec="$STORE/containers/$id/container.json"
    jq --arg n "$1" '.NetworkSettings.Networks[$n] = {"IPAddress": "10.90.0.2", "IPPrefixLen": 16, "MacAddress": "02:6d:0a:5a:00:02", "EndpointID": ""}' "$rec" > "$rec.new"
    mv "$rec.new" "$rec"
    echo "$id"
}

@test "network ls: bridge, host and none as Docker lists them; bridge is moat0 on 10.87.0.0/16" {
    run -0 m network ls
    [ "${lines[0]}" = "NETWORK ID     NAME      DRIVER    SCOPE" ]
    [[ ${lines[1]} =~ ^[0-9a-f]{12}\ +bridge\ +bridge\ +local$ ]]
    [[ ${lines[2]} =~ ^[0-9a-f]{12}\ +host\ +host\ +local$ ]]
    [[ ${lines[3]} =~ ^[0-9a-f]{12}\ +none\ +null\ +local$ ]]
    [ ${#lines[@]} = 4 ]
    run -0 m network inspect -f '{{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{index .Options "com.docker.network.bridge.enable_icc"}} {{.Moat.Device}}' bridge
    [ "$output" = "bridge 10.87.0.0/16 10.87.0.1 false moat0" ]
    # one file: the default network's; host and none have none
    [ "$(netfiles | grep -c '\.json$')" = 1 ]
    run -0 m network inspect -f '{{.Name}} {{.Driver}} {{len .IPAM.Config}}' host none default
    [ "$output" = "$(printf 'host host 0\nnone null 0\nbridge bridge 1')" ]
    # their ids are the same each time
    [ "$(m network ls -q)" = "$(m network ls -q)" ]
}

@test "network create prints the id; inspect finds it by name, id and id prefix" {
    local id
    id=$(m network create web)
    [[ $id =~ ^[0-9a-f]{64}$ ]]
    [ -f "$STORE/networks/$id.json" ]
    run -0 m network inspect -f '{{.Name}} {{.Id}} {{.Scope}} {{.Driver}} {{.Internal}} {{.EnableIPv6}}' "${id:0:5}"
    [ "$output" = "web $id local bridge false false" ]
    run -0 m network inspect web
    [ "$(echo "$output" | jq -r '.[0].Id')" = "$id" ]
    [ "$(echo "$output" | jq -c '.[0].Containers')" = "{}" ]
    [ "$(echo "$output" | jq -r '.[0].Moat.Device')" = moat1 ]
    run -0 m network ls --filter name=web
    [[ ${lines[1]} =~ ^${id:0:12}\ +web\ +bridge\ +local$ ]]
    # not found: Docker's words, exit 1, and what was found is printed
    run -1 --separate-stderr m network inspect -f '{{.Name}}' web nosuch
    [ "$output" = web ]
    [[ $stderr == *"network nosuch not found"* ]]
}

@test "network create: a name taken, a predefined or a bad name is refused and leaves nothing" {
    m network create web > /dev/null
    local before
    before=$(netfiles)
    run -1 m network create web
    [[ $output == *"network with name web already exists"* ]]
    run -1 m network create bridge
    [[ $output == *"operation is not permitted on predefined bridge network"* ]]
    run -1 m network create host
    run -1 m network create 'bad/name'
    [[ $output == *"invalid network name"* ]]
    run -1 m network create -- -x
    [ "$(netfiles)" = "$before" ]
}

@test "network create chooses a distinct free /16 of 10.90..10.127 for each network" {
    local i subnets devs
    for i in 1 2 3 4 5; do
        m network create "n$i" > /dev/null
    done
    subnets=$(m network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' n1 n2 n3 n4 n5)
    [ "$(echo "$subnets" | sort -u | wc -l)" = 5 ]
    while read -r s; do
        [[ $s =~ ^10\.([0-9]+)\.0\.0/16$ ]]
        [ "${BASH_REMATCH[1]}" -ge 90 ] && [ "${BASH_REMATCH[1]}" -le 127 ]
    done <<< "$subnets"
    run -0 m network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' n1
    [ "$output" = "$(m network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' n1 | sed 's|0/16$|1|')" ]
    devs=$(m network inspect -f '{{.Moat.Device}}' n1 n2 n3 n4 n5)
    [ "$(echo "$devs" | sort -u | wc -l)" = 5 ]
    # a removed network's subnet and device are free again, and taken by the next
    local s3 d3
    s3=$(m network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' n3)
    d3=$(m network inspect -f '{{.Moat.Device}}' n3)
    m network rm n3 > /dev/null
    m network create n6 > /dev/null
    [ "$(m network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Moat.Device}}' n6)" = "$s3 $d3" ]
    # a subnet given is skipped by the choice
    m network prune -f > /dev/null
    m network create --subnet 10.90.0.0/16 given > /dev/null
    m network create auto > /dev/null
    [ "$(m network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' auto)" = 10.91.0.0/16 ]
}

# the host's first route but the default one, as A.B.C.D/N (the words
# are little-endian here)
host_route() {
    local dev dst gw rest mask d m n i
    while read -r dev dst gw _ _ _ _ mask rest; do
        # moat's own bridges are checked through their networks
        [ "$dev" = Iface ] || [ "$dst" = 00000000 ] || [[ $dev == moat* ]] && continue
        d=$((16#$dst)) m=$((16#$mask)) n=0
        for ((i = 0; i < 32; i++)); do ((m >> i & 1)) && n=$((n + 1)); done
        echo "$((d & 255)).$((d >> 8 & 255)).$((d >> 16 & 255)).$((d >> 24 & 255))/$n"
        return
    done < /proc/net/route
}

@test "network create --subnet and --gateway are checked: overlaps, the subnet's edges, syntax" {
    m network create --subnet 10.100.0.0/24 --gateway 10.100.0.254 a > /dev/null
    run -0 m network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' a
    [ "$output" = "10.100.0.0/24 10.100.0.254" ]
    local before
    before=$(netfiles)
    run -1 m network create --subnet 10.100.0.0/16 b
    [[ $output == *"overlaps network a (10.100.0.0/24)"* ]]
    run -1 m network create --subnet 10.100.0.128/25 b
    [[ $output == *"overlaps network a"* ]]
    run -1 m network create --subnet 10.87.5.0/24 b
    [[ $output == *"overlaps network bridge (10.87.0.0/16)"* ]]
    run -1 m network create --subnet 127.0.0.0/16 b
    [[ $output == *"overlaps the host's address on lo"* ]]
    local r
    r=$(host_route)
    if [ -n "$r" ]; then
        run -1 m network create --subnet "$r" b
        [[ $output == *"overlaps the host's"* ]]
    fi
    run -1 m network create --subnet 10.101.0.1/24 b
    [[ $output == *"invalid subnet 10.101.0.1/24: it should be 10.101.0.0/24"* ]]
    run -1 m network create --subnet 10.101.0.0 b
    [[ $output == *"invalid CIDR block notation"* ]]
    run -1 m network create --subnet 10.101.0.0/31 b
    run -1 m network create --subnet 10.101.0.0/24 --gateway 10.102.0.1 b
    [[ $output == *"invalid gateway 10.102.0.1: parent subnet 10.101.0.0/24 doesn't contain this address"* ]]
    run -1 m network create --subnet 10.101.0.0/24 --gateway 10.101.0.0 b
    run -1 m network create --subnet 10.101.0.0/24 --gateway 10.101.0.255 b
    run -1 m network create --subnet 10.101.0.0/24 --gateway 10.101.0.300 b
    [[ $output == *"invalid gateway 10.101.0.300: invalid address"* ]]
    run -1 m network create --gateway 10.101.0.1 b
    [[ $output == *"every ip-range or gateway must have a corresponding subnet"* ]]
    run -1 m network create --subnet 10.101.0.0/24 --subnet 10.102.0.0/24 b
    [ "$(netfiles)" = "$before" ]
}

@test "network create: --opt only the options moat takes, --ipv6 and other drivers refused" {
    local before
    m network ls > /dev/null
    before=$(netfiles)
    run -1 m network create -o com.docker.network.bridge.name=br0 b
    [[ $output == *"--opt com.docker.network.bridge.name: not an option moat's bridge driver takes"* ]]
    run -1 m network create -o com.docker.network.bridge.enable_icc=maybe b
    [[ $output == *"true or false"* ]]
    run -1 m network create -o com.docker.network.driver.mtu=10 b
    run -1 m network create --ipv6 b
    [[ $output == *"IPv6 networks are not supported yet"* ]]
    run -1 m network create -d overlay b
    [[ $output == *"bridge driver only"* ]]
    run -1 m network create -d host b
    [[ $output == *'only one instance of "host" network is allowed'* ]]
    run -1 m network create --label '=x' b
    [ "$(netfiles)" = "$before" ]
    m network create --internal --attachable -o com.docker.network.bridge.enable_icc=false \
        -o com.docker.network.driver.mtu=1400 -o run.moat.network.host_access=true \
        --label a=b --label c b > /dev/null
    run -0 m network inspect -f '{{.Internal}} {{.Attachable}} {{json .Options}} {{json .Labels}}' b
    [ "$output" = 'true true {"com.docker.network.bridge.enable_icc":"false","com.docker.network.driver.mtu":"1400","run.moat.network.host_access":"true"} {"a":"b","c":""}' ]
}

@test "network rm: several at once, each printed; a missing one fails the command; builtins stay" {
    m network create a > /dev/null
    m network create b > /dev/null
    run -1 --separate-stderr m network rm a nosuch b
    [ "$output" = "$(printf 'a\nb')" ]
    [[ $stderr == *"network nosuch not found"* ]]
    run -0 m network ls -q --filter type=custom
    [ -z "$output" ]
    run -0 m network rm -f nosuch
    [ -z "$output" ]
    local name
    for name in bridge host none; do
        run -1 m network rm "$name"
        [[ $output == *"$name is a pre-defined network and cannot be removed"* ]]
    done
    [ "$(m network ls -q | wc -l)" = 3 ]
    # by id prefix
    local id
    id=$(m network create c)
    run -0 m network rm "${id:0:8}"
    [ "$output" = "${id:0:8}" ]
    [ ! -e "$STORE/networks/$id.json" ]
}

@test "network rm is refused while a container refers to the network" {
    m network create web > /dev/null
    local id
    id=$(ctr_on web)
    run -1 m network rm web
    [[ $output == *"network web has active endpoints (container ${id:0:12})"* ]]
    run -0 m network inspect -f '{{json .Containers}}' web
    [ "$(echo "$output" | jq -r 'to_entries[] | .key + " " + .value.Name + " " + .value.IPv4Address')" = \
        "$id $(m inspect -f '{{.Name}}' "$id" | sed 's|^/||') 10.90.0.2/16" ]
    m rm "$id" > /dev/null
    run -0 m network rm web
}

@test "network connect --alias is checked as --network-alias is: a newline or a space is refused" {
    m network create a1 > /dev/null
    m network create a2 > /dev/null
    local id
    id=$(m create --network a1 bb:1 true)
    run -1 m network connect --alias $'web\nevil' a2 "$id"
    [[ $output == *'--alias "web'* ]]
    run -1 m network connect --alias 'web evil' a2 "$id"
    [ "$(m inspect -f '{{len .NetworkSettings.Networks}}' "$id")" = 1 ]
    run -0 m network connect --alias web-2 a2 "$id"
    [ "$(m inspect -f '{{.NetworkSettings.Networks.a2.Aliases}}' "$id")" = "[web-2]" ]
}

@test "network ls: filters, --format, -q and --no-trunc" {
    local a b
    a=$(m network create --label env=prod --label tier front)
    b=$(m network create --label env=dev back)
    run -0 m network ls --format '{{.Name}}' --filter type=custom
    [ "$output" = "$(printf 'back\nfront')" ]
    run -0 m network ls --format '{{.Name}}' --filter type=builtin
    [ "$output" = "$(printf 'bridge\nhost\nnone')" ]
    run -0 m network ls --format '{{.Name}}' --filter label=env=prod
    [ "$output" = front ]
    run -0 m network ls --format '{{.Name}}' --filter label=env
    [ "$output" = "$(printf 'back\nfront')" ]
    run -0 m network ls --format '{{.Name}}' --filter driver=null
    [ "$output" = none ]
    run -0 m network ls --format '{{.Name}}' --filter "id=${b:0:6}"
    [ "$output" = back ]
    run -0 m network ls --format '{{.Name}}' --filter name=ack
    [ "$output" = back ]
    run -0 m network ls --format '{{.Name}}' --filter scope=local --filter name=front
    [ "$output" = front ]
    ctr_on back > /dev/null
    run -0 m network ls --format '{{.Name}}' --filter dangling=true
    [ "$output" = front ]
    run -0 m network ls --format '{{.Name}}' --filter dangling=false
    [ "$output" = "$(printf 'back\nbridge\nhost\nnone')" ]
    run -125 m network ls --filter type=other
    [[ $output == *"invalid filter: 'type'='other'"* ]]
    run -125 m network ls --filter color=red
    [[ $output == *"invalid filter 'color'"* ]]
    run -125 m network ls --filter dangling=maybe
    run -0 m network ls -q --filter name=front
    [ "$output" = "${a:0:12}" ]
    run -0 m network ls -q --no-trunc --filter name=front
    [ "$output" = "$a" ]
    run -0 m network ls --format json --filter name=front
    [ "$(echo "$output" | jq -r '.Name + " " + .Driver + " " + .Labels + " " + .Internal')" = "front bridge env=prod,tier= false" ]
    run -0 m network ls --format 'table {{.Name}}\t{{.Driver}}' --filter name=front
    [ "${lines[0]}" = "NAME      DRIVER" ]
}

@test "network prune removes custom networks no container refers to, with Docker's report" {
    m network create used > /dev/null
    m network create unused > /dev/null
    m network create --label keep=1 labelled > /dev/null
    ctr_on used > /dev/null
    run -0 m network prune -f --filter 'label!=keep'
    [ "$output" = "$(printf 'Deleted Networks:\nunused\n')" ]
    run -0 m network ls --format '{{.Name}}' --filter type=custom
    [ "$output" = "$(printf 'labelled\nused')" ]
    run -0 m network prune -f --filter until=1h
    [ -z "$output" ]
    run -125 m network prune -f --filter all=1
    [[ $output == *"invalid filter 'all'"* ]]
    # asked, and no is no
    run -0 m network prune <<< n
    run -0 m network ls --format '{{.Name}}' --filter type=custom
    [ "$output" = "$(printf 'labelled\nused')" ]
    run -0 m network prune <<< y
    [[ $output == *"Deleted Networks:"*labelled* ]]
    [ "$(m network ls -q | wc -l)" = 4 ]
}

@test "moat network --help lists the commands; each has its page" {
    run -0 m network --help
    [[ $output == *"create"*"inspect"*"ls"*"prune"*"rm"* ]]
    run -0 m network create --help
    [[ $output == *"--subnet"*  ]]
    run -0 "$MOAT" __docs bash
    [[ $output == *"network) COMPREPLY"* ]]
    [[ $output == *"'network create') flags="* ]]
}

@test "system prune removes unused user networks too, and says so first" {
    m network create used > /dev/null
    m network create unused > /dev/null
    ctr_on used > /dev/null
    run sh -c "echo n | $MOAT --root $STORE system prune"
    [[ $output == *"all networks not used by at least one container"* ]]
    [ "$(m network ls -q --filter type=custom | wc -l)" = 2 ]
    # containers go first (Docker's order): the stopped one that used
    # "used" is gone, so both networks are unused then
    run -0 m system prune -f
    [[ $output == *"Deleted Containers:"*"$(printf 'Deleted Networks:\nunused\nused\n')"* ]]
    run -0 m network ls -q --filter type=custom
    [ -z "$output" ]
}
