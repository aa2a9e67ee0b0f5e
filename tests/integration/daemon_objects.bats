#!/usr/bin/env bats
# The API daemon's networks, volumes, events and image verbs (tag, rmi,
# pull), driven by Docker's CLI 20.10 and python3-docker; and what a
# restricted caller (moat-users, uids 1501 and 1502) may see and touch.

load common
load engine_common
load daemon_common

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

setup_file() {
    daemon_setup_file
    # a registry to pull from (as registry.bats), when the machine has one
    if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
        "$MOAT" --root "$STORE" save -o "$BATS_FILE_TMPDIR/bb.tar" bb:1
        export REG="127.0.0.1:$(free_port)"
        printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
            "$BATS_FILE_TMPDIR/regdata" "$REG" > "$BATS_FILE_TMPDIR/reg.yml"
        docker-registry serve "$BATS_FILE_TMPDIR/reg.yml" > "$BATS_FILE_TMPDIR/reg.log" 2>&1 &
        echo $! > "$BATS_FILE_TMPDIR/reg.pid"
        for i in $(seq 50); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.1; done
        skopeo copy -q --dest-tls-verify=false "oci-archive:$BATS_FILE_TMPDIR/bb.tar" "docker://$REG/app:1"
    fi
}

teardown_file() {
    [ -f "$BATS_FILE_TMPDIR/reg.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/reg.pid")" 2>/dev/null || true
    daemon_teardown_file
}

teardown() {
    engine_remove_all
    local n v
    for n in $(m network ls -q --filter type=custom); do m network rm "$n" >/dev/null 2>&1 || true; done
    for v in $(m volume ls -q); do m volume rm -f "$v" >/dev/null 2>&1 || true; done
}

py() {
    python3 -c "import docker; c = docker.DockerClient(base_url='unix://$SOCK', version='1.41'); $1"
}

@test "daemon objects: network create, ls, inspect, connect, disconnect, rm (CLI 20.10)" {
    run docker20 network create --subnet 10.99.0.0/24 --gateway 10.99.0.1 --label team=a --internal n1
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${#output}" = 64 ]
    run docker20 network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Internal}}' n1
    [ "$output" = "10.99.0.0/24 10.99.0.1 true" ]
    run docker20 network ls --filter label=team=a --format '{{.Name}} {{.Driver}}'
    [ "$output" = "n1 bridge" ]
    run docker20 network ls --format '{{.Name}}'
    [[ "$output" == *bridge*host*n1*none* ]]
    m create --name c1 bb:1 sleep 60 >/dev/null
    run docker20 network connect --alias web n1 c1
    echo "$output"
    [ "$status" -eq 0 ]
    run docker20 network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}' n1
    [ "$output" = "c1 10.99.0.2/24" ]
    run docker20 network rm n1
    [ "$status" -ne 0 ]
    [[ "$output" == *"active endpoints"* ]]
    run docker20 network disconnect n1 c1
    [ "$status" -eq 0 ]
    run docker20 network rm n1
    [ "$status" -eq 0 ]
    run m network inspect n1
    [ "$status" -ne 0 ]
    run docker20 network rm bridge
    [ "$status" -ne 0 ]
    [[ "$output" == *"pre-defined network and cannot be removed"* ]]
    run docker20 network inspect nosuch
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "${output,,}" == *"no such network: nosuch"* ]]
    api GET /v1.41/networks/nosuch
    [ "$STATUS" = 404 ]
    [ "$(jq -r .message <<< "$BODY")" = "network nosuch not found" ]
}

@test "daemon objects: a bad network body or filter is a 400 naming the field" {
    local body
    for body in '{"Name":"x","IPAM":{"Config":[{"Subnet":"10.1.2.0/33"}]}}' \
        '{"Name":"x","IPAM":{"Config":[{"Subnet":"10.98.0.0/24","Gateway":"10.97.0.1"}]}}' \
        '{"Name":"x","Options":{"no.such.option":"1"}}' '{"Name":"-x"}' '{"Driver":"bridge"}' \
        '{"Name":"x","Driver":"overlay"}' '{"Name":"x","Labels":{"a":5}}' '{"Name":"x","Internal":"yes"}'; do
        api POST /v1.41/networks/create -H 'Content-Type: application/json' -d "$body"
        echo "$body: $STATUS $BODY"
        [ "$STATUS" = 400 ]
    done
    api POST /v1.41/networks/create -H 'Content-Type: application/json' \
        -d '{"Name":"x","IPAM":{"Config":[{"Subnet":"10.1.2.0/33"}]}}'
    [[ "$(jq -r .message <<< "$BODY")" == *IPAM.Config.Subnet* ]]
    api POST /v1.41/networks/create -H 'Content-Type: application/json' -d '{"Name":"x","Internal":"yes"}'
    [[ "$(jq -r .message <<< "$BODY")" == Internal:* ]]
    api GET '/v1.41/networks?filters=%7Bnot-json'
    [ "$STATUS" = 400 ]
    [[ "$(jq -r .message <<< "$BODY")" == *filters* ]]
    api GET '/v1.41/networks?filters=%7B%22color%22%3A%5B%22red%22%5D%7D'
    [ "$STATUS" = 400 ]
    api GET '/v1.41/volumes?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D'
    [ "$STATUS" = 400 ]
    [ -z "$(m network ls -q --filter type=custom)" ]
}

@test "daemon objects: volume create, ls, inspect, rm, prune (CLI 20.10)" {
    run docker20 volume create --label k=v v1
    [ "$status" -eq 0 ]
    [ "$output" = v1 ]
    run docker20 volume ls --format '{{.Name}} {{.Driver}}'
    [ "$output" = "v1 local" ]
    run docker20 volume inspect -f '{{.Labels.k}} {{.Mountpoint}}' v1
    [ "$output" = "v $STORE/volumes/v1/_data" ]
    run docker20 volume create --opt type=tmpfs v2
    [ "$status" -ne 0 ]
    [[ "$output" == *DriverOpts* ]]
    run docker20 volume rm v1
    [ "$status" -eq 0 ]
    run m volume inspect v1
    [ "$status" -ne 0 ]
    run docker20 volume inspect v1
    [ "$status" -ne 0 ]
    [[ "${output,,}" == *"no such volume"* ]]
    m volume create v3 >/dev/null
    m volume create v4 >/dev/null
    m create --name user -v v4:/d bb:1 true >/dev/null
    # API 1.41: a prune takes named volumes too, not those in use
    run docker20 volume prune -f
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *v3* ]]
    [ "$(m volume ls -q)" = v4 ]
    run docker20 volume rm v4
    [ "$status" -ne 0 ]
    [[ "$output" == *"in use"* ]]
}

@test "daemon objects: python3-docker creates and lists networks and volumes" {
    run py "n = c.networks.create('pynet', driver='bridge', labels={'a': 'b'}); print(n.name, [x.name for x in c.networks.list(names=['pynet'])])"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "pynet ['pynet']" ]
    run py "v = c.volumes.create('pyvol', labels={'a': 'b'}); print(v.name, [x.name for x in c.volumes.list(filters={'label': 'a=b'})])"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "pyvol ['pyvol']" ]
    [ "$(m network inspect -f '{{.Labels.a}}' pynet)" = b ]
}

@test "daemon objects: a restricted caller's networks are its own; another's are absent" {
    as_user 1501 "$USOCK" POST /v1.41/networks/create -H 'Content-Type: application/json' -d '{"Name":"net1501"}'
    echo "$STATUS $BODY"
    [ "$STATUS" = 201 ]
    local id
    id=$(jq -r .Id <<< "$BODY")
    [ "$(m network inspect -f '{{.Owner}}' net1501)" = uid:1501 ]
    m network create adminnet >/dev/null
    local aid
    aid=$(m network inspect -f '{{.Id}}' adminnet)
    # its own, bridge and none; not host, not the admin's
    as_user 1501 "$USOCK" GET /v1.41/networks
    [ "$(jq -r '[.[].Name] | sort | join(" ")' <<< "$BODY")" = "bridge net1501 none" ]
    as_user 1501 "$USOCK" GET '/v1.41/networks?filters=%7B%22name%22%3A%5B%22adminnet%22%5D%7D'
    [ "$BODY" = "[]" ]
    for what in net1501 "$id" "${id:0:12}"; do
        as_user 1502 "$USOCK" GET "/v1.41/networks/$what"
        [ "$STATUS" = 404 ]
        [ "$(jq -r .message <<< "$BODY")" = "network $what not found" ]
        as_user 1502 "$USOCK" DELETE "/v1.41/networks/$what"
        [ "$STATUS" = 404 ]
    done
    for what in adminnet "$aid" "${aid:0:5}" host; do
        as_user 1501 "$USOCK" GET "/v1.41/networks/$what"
        [ "$STATUS" = 404 ]
        as_user 1501 "$USOCK" DELETE "/v1.41/networks/$what"
        [ "$STATUS" = 404 ]
    done
    as_user 1501 "$USOCK" DELETE /v1.41/networks/bridge
    [ "$STATUS" = 403 ]
    as_user 1502 "$USOCK" GET /v1.41/networks
    [ "$(jq -r '[.[].Name] | sort | join(" ")' <<< "$BODY")" = "bridge none" ]
    # prune by another takes none of it; the admin sees it
    as_user 1502 "$USOCK" POST /v1.41/networks/prune
    [ "$STATUS" = 200 ]
    [ "$(jq -c .NetworksDeleted <<< "$BODY")" = "[]" ]
    api GET /v1.41/networks/net1501
    [ "$STATUS" = 200 ]
    # host access is not for it
    as_user 1501 "$USOCK" POST /v1.41/networks/create -H 'Content-Type: application/json' \
        -d '{"Name":"hostly","Options":{"run.moat.network.host_access":"true"}}'
    [ "$STATUS" = 403 ]
    # its own prune takes its own only
    as_user 1501 "$USOCK" POST /v1.41/networks/prune
    [ "$(jq -c .NetworksDeleted <<< "$BODY")" = '["net1501"]' ]
    m network inspect adminnet >/dev/null
}

@test "daemon objects: connect and disconnect only the caller's containers to its networks" {
    as_user 1501 "$USOCK" POST /v1.41/networks/create -H 'Content-Type: application/json' -d '{"Name":"cn1501"}'
    [ "$STATUS" = 201 ]
    as_user 1501 "$USOCK" POST '/v1.41/containers/create?name=mine' -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","Cmd":["true"]}'
    [ "$STATUS" = 201 ]
    m create --name theirs bb:1 true >/dev/null
    m network create adminnet2 >/dev/null
    as_user 1501 "$USOCK" POST /v1.41/networks/cn1501/connect -H 'Content-Type: application/json' -d '{"Container":"theirs"}'
    [ "$STATUS" = 404 ]
    [ "$(jq -r .message <<< "$BODY")" = "No such container: theirs" ]
    as_user 1501 "$USOCK" POST /v1.41/networks/adminnet2/connect -H 'Content-Type: application/json' -d '{"Container":"mine"}'
    [ "$STATUS" = 404 ]
    [ "$(jq -r .message <<< "$BODY")" = "network adminnet2 not found" ]
    as_user 1502 "$USOCK" POST /v1.41/networks/cn1501/connect -H 'Content-Type: application/json' -d '{"Container":"mine"}'
    [ "$STATUS" = 404 ]
    as_user 1501 "$USOCK" POST /v1.41/networks/cn1501/connect -H 'Content-Type: application/json' \
        -d '{"Container":"mine","EndpointConfig":{"Aliases":["m"]}}'
    echo "$STATUS $BODY"
    [ "$STATUS" = 200 ]
    # the admin connects its container too: the member does not see it there
    m network connect cn1501 theirs
    as_user 1501 "$USOCK" GET /v1.41/networks/cn1501
    [ "$(jq -r '[.Containers[].Name] | join(" ")' <<< "$BODY")" = mine ]
    as_user 1501 "$USOCK" DELETE /v1.41/networks/cn1501
    [ "$STATUS" = 403 ]
    [[ "$(jq -r .message <<< "$BODY")" != *"$(m inspect -f '{{.Id}}' theirs | cut -c1-12)"* ]]
    as_user 1502 "$USOCK" POST /v1.41/networks/cn1501/disconnect -H 'Content-Type: application/json' -d '{"Container":"mine"}'
    [ "$STATUS" = 404 ]
    as_user 1501 "$USOCK" POST /v1.41/networks/cn1501/disconnect -H 'Content-Type: application/json' -d '{"Container":"theirs"}'
    [ "$STATUS" = 404 ]
    as_user 1501 "$USOCK" POST /v1.41/networks/cn1501/disconnect -H 'Content-Type: application/json' -d '{"Container":"mine"}'
    [ "$STATUS" = 200 ]
    [ "$(m network inspect -f '{{len .Containers}}' cn1501)" = 1 ]
}

@test "daemon objects: a restricted caller's volumes are its own; another's are absent" {
    as_user 1501 "$USOCK" POST /v1.41/volumes/create -H 'Content-Type: application/json' -d '{"Name":"v1501"}'
    echo "$STATUS $BODY"
    [ "$STATUS" = 201 ]
    [ "$(jq -r .Name <<< "$BODY")" = v1501 ]
    grep -q '"Owner": "uid:1501"' "$STORE/volumes/v1501/volume.json"
    m volume create adminvol >/dev/null
    as_user 1501 "$USOCK" GET /v1.41/volumes
    [ "$(jq -r '[.Volumes[].Name] | join(" ")' <<< "$BODY")" = v1501 ]
    as_user 1502 "$USOCK" GET /v1.41/volumes
    [ "$(jq -c .Volumes <<< "$BODY")" = "[]" ]
    as_user 1502 "$USOCK" GET /v1.41/volumes/v1501
    [ "$STATUS" = 404 ]
    [ "$(jq -r .message <<< "$BODY")" = "get v1501: no such volume" ]
    as_user 1502 "$USOCK" DELETE /v1.41/volumes/v1501
    [ "$STATUS" = 404 ]
    as_user 1502 "$USOCK" DELETE '/v1.41/volumes/v1501?force=1'
    [ -d "$STORE/volumes/v1501" ]
    as_user 1501 "$USOCK" GET /v1.41/volumes/adminvol
    [ "$STATUS" = 404 ]
    # a name another holds is not given to it
    as_user 1502 "$USOCK" POST /v1.41/volumes/create -H 'Content-Type: application/json' -d '{"Name":"v1501"}'
    [ "$STATUS" = 409 ]
    ! grep -q 1502 "$STORE/volumes/v1501/volume.json"
    # a prune (API 1.41: named too) takes only its own
    as_user 1502 "$USOCK" POST /v1.41/volumes/prune
    [ "$(jq -c .VolumesDeleted <<< "$BODY")" = "[]" ]
    as_user 1501 "$USOCK" POST /v1.41/volumes/prune
    [ "$(jq -c .VolumesDeleted <<< "$BODY")" = '["v1501"]' ]
    [ "$(m volume ls -q)" = adminvol ]
    # a volume made with no name is its own too
    as_user 1501 "$USOCK" POST /v1.41/volumes/create -H 'Content-Type: application/json' -d '{}'
    [ "$STATUS" = 201 ]
    local anon
    anon=$(jq -r .Name <<< "$BODY")
    as_user 1501 "$USOCK" DELETE "/v1.41/volumes/$anon"
    [ "$STATUS" = 204 ]
}

@test "daemon objects: events --since --until (CLI 20.10); a member sees only its own" {
    local t0 t1
    sleep 1 # the events of the tests before are a second older than t0
    t0=$(date +%s)
    m volume create evadmin >/dev/null
    as_user 1501 "$USOCK" POST /v1.41/volumes/create -H 'Content-Type: application/json' -d '{"Name":"ev1501"}'
    as_user 1501 "$USOCK" DELETE /v1.41/volumes/ev1501
    sleep 1
    t1=$(date +%s)
    run docker20 events --since "$t0" --until "$t1" --format '{{.Type}} {{.Action}} {{.Actor.ID}}'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"volume create evadmin"* ]]
    [[ "$output" == *"volume create ev1501"* ]]
    [[ "$output" == *"volume destroy ev1501"* ]]
    as_user 1501 "$USOCK" GET "/v1.41/events?since=$t0&until=$t1"
    echo "$BODY"
    [ "$STATUS" = 200 ]
    [ "$(jq -r '"\(.Action) \(.Actor.ID)"' <<< "$BODY" | tr '\n' ,)" = "create ev1501,destroy ev1501," ]
    [[ "$BODY" != *Owner* ]]
    as_user 1502 "$USOCK" GET "/v1.41/events?since=$t0&until=$t1"
    [ "$STATUS" = 200 ]
    [ -z "$BODY" ]
    as_user 1501 "$USOCK" GET "/v1.41/events?since=$t0&until=$t1&filters=%7B%22type%22%3A%5B%22container%22%5D%7D"
    [ -z "$BODY" ]
    api GET "/v1.41/events?since=$t0&until=$t1&filters=%7B%22colour%22%3A%5B%22x%22%5D%7D"
    [ "$STATUS" = 400 ]
    api GET "/v1.41/events?since=yesterday"
    [ "$STATUS" = 400 ]
    [[ "$(jq -r .message <<< "$BODY")" == *since* ]]
}

@test "daemon objects: events follow until the client goes away" {
    DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$DDIR/cfg" /usr/bin/docker events --filter type=volume \
        --format '{{.Action}} {{.Actor.ID}}' > "$DDIR/ev.out" &
    local pid=$!
    local i
    for i in $(seq 50); do
        [ "$(pgrep -c -P "$(cat "$DDIR/pid")")" -ge 2 ] && break
        sleep 0.1
    done
    sleep 0.5
    m volume create followed >/dev/null
    for i in $(seq 50); do grep -q "create followed" "$DDIR/ev.out" && break; sleep 0.1; done
    grep -q "create followed" "$DDIR/ev.out"
    local workers
    workers=$(pgrep -c -P "$(cat "$DDIR/pid")")
    kill "$pid"
    wait "$pid" || true
    # its worker ends (the heartbeat finds the client gone) with no event to send
    for i in $(seq 60); do
        [ "$(pgrep -c -P "$(cat "$DDIR/pid")")" -lt "$workers" ] && break
        sleep 0.1
    done
    [ "$(pgrep -c -P "$(cat "$DDIR/pid")")" -lt "$workers" ]
}

@test "daemon objects: tag and rmi (CLI 20.10); a member neither tags nor removes" {
    run docker20 tag bb:1 other:2
    [ "$status" -eq 0 ]
    [ "$(m image inspect -f '{{.Id}}' other:2)" = "$(m image inspect -f '{{.Id}}' bb:1)" ]
    run docker20 rmi other:2
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "Untagged: other:2" ]
    # images are everyone's: a member neither names nor removes one (a free
    # name it tagged would be what an admin's `run NAME` finds)
    as_user 1501 "$USOCK" POST '/v1.41/images/bb:1/tag?repo=mine&tag=1'
    [ "$STATUS" = 403 ]
    run m image inspect mine:1
    [ "$status" -ne 0 ]
    as_user 1501 "$USOCK" DELETE /v1.41/images/bb:1
    [ "$STATUS" = 403 ]
    m image inspect bb:1 >/dev/null
    api POST '/v1.41/images/bb:1/tag?repo=Bad%20Name'
    [ "$STATUS" = 400 ]
    api POST '/v1.41/images/nosuch:1/tag?repo=x'
    [ "$STATUS" = 404 ]
    api DELETE /v1.41/images/nosuch:1
    [ "$STATUS" = 404 ]
    m create --name holds bb:1 true >/dev/null
    run docker20 rmi -f "$(m image inspect -f '{{.Id}}' bb:1)"
    [ "$status" -ne 0 ]
    [[ "$output" == *"used by container"* ]]
}

@test "daemon objects: pull as Docker's progress stream (CLI 20.10), a failure in the stream" {
    [ -n "${REG:-}" ] || skip "docker-registry or skopeo is not installed"
    run docker20 pull "$REG/app:1"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Pulling from app"* ]]
    [[ "$output" == *"Digest: sha256:"* ]]
    [[ "$output" == *"Status: Downloaded newer image for $REG/app:1"* ]]
    m image inspect "$REG/app:1" >/dev/null
    run docker20 pull "$REG/app:1"
    [[ "$output" == *"Image is up to date for $REG/app:1"* ]]
    run docker20 pull "$REG/app:nosuch"
    echo "$output"
    [ "$status" -ne 0 ]
    api POST "/v1.41/images/create?fromImage=$REG/app&tag=nosuch"
    [ "$STATUS" = 200 ]
    [ -n "$(tail -n1 <<< "$BODY" | jq -r .errorDetail.message)" ]
    api POST "/v1.41/images/create?fromImage=Bad%20Name"
    [ "$STATUS" = 400 ]
    # a member pulls too
    m rmi "$REG/app:1" >/dev/null
    as_user 1501 "$USOCK" POST "/v1.41/images/create?fromImage=$REG/app&tag=1"
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *"Downloaded newer image"* ]]
    m rmi "$REG/app:1" >/dev/null
}

@test "objects: save, load and import through the API (CLI 20.10); a restricted caller may not load" {
    docker20 save bb:1 -o "$DDIR/bb.tar"
    [ -s "$DDIR/bb.tar" ]
    docker20 tag bb:1 bb:saved
    docker20 rmi bb:saved
    run docker20 load -i "$DDIR/bb.tar"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Loaded image: bb:1"* ]]
    head -c 4000 /dev/urandom > "$DDIR/junk.tar"
    run docker20 load -i "$DDIR/junk.tar"
    [ "$status" -ne 0 ]
    [[ "$output" == *"not a tar archive"* ]]
    tar -C "$ROOTFS" -cf "$DDIR/r.tar" .
    run docker20 import -c 'CMD ["echo","imported"]' "$DDIR/r.tar" imp:1
    [ "$status" -eq 0 ]
    run docker20 run --rm --network none imp:1
    [ "$output" = imported ]
    docker20 rmi imp:1
    local before
    before=$(m images -q bb:1)
    as_user 1501 "$USOCK" POST /v1.41/images/load --data-binary "@$DDIR/bb.tar"
    [ "$STATUS" = 403 ]
    as_user 1501 "$USOCK" POST '/v1.41/images/create?fromSrc=-&repo=bb&tag=1' --data-binary "@$DDIR/r.tar"
    [ "$STATUS" = 403 ]
    [ "$(m images -q bb:1)" = "$before" ]
}
