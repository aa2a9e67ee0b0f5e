#!/usr/bin/env bats
# Attacks on the API daemon by a restricted caller (moat-users, uids 1501
# and 1502 on the user socket): what another made stays absent, whatever
# the request names.

load common
load engine_common
load daemon_common

setup_file() {
    daemon_setup_file
}

teardown_file() {
    daemon_teardown_file
}

teardown() {
    engine_remove_all
    local v
    for v in $(m volume ls -q); do m volume rm -f "$v" >/dev/null 2>&1 || true; done
}

create_as() {
    local uid=$1 name=$2 body=$3
    as_user "$uid" "$USOCK" POST "/v1.41/containers/create?name=$name" \
        -H 'Content-Type: application/json' -d "$body"
}

@test "daemon attack: a reference in a create resolves as the engine does: another's name that is a prefix of the caller's id" {
    create_as 1501 mine '{"Image":"bb:1","Cmd":["true"]}'
    [ "$STATUS" = 201 ]
    local p
    p=$(jq -r .Id <<< "$BODY")
    p=${p:0:12}
    # the victim's container is named what is a prefix of the attacker's id
    create_as 1502 "$p" '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"Mounts":[{"Type":"volume","Source":"secret","Target":"/data"}]}}'
    [ "$STATUS" = 201 ]
    local body
    for body in "{\"VolumesFrom\":[\"$p\"]}" "{\"VolumesFrom\":[\"$p:ro\"]}" \
        "{\"NetworkMode\":\"container:$p\"}" "{\"PidMode\":\"container:$p\"}" \
        "{\"IpcMode\":\"container:$p\"}" "{\"Links\":[\"$p:x\"]}"; do
        create_as 1501 thief "{\"Image\":\"bb:1\",\"Cmd\":[\"true\"],\"HostConfig\":$body}"
        echo "$body: $STATUS $BODY"
        [ "$STATUS" = 403 ]
        [[ "$BODY" == *"no such container: $p"* ]]
    done
    run m inspect thief
    [ "$status" -ne 0 ]
    # its own container by that prefix, when no one's is named so, is still its own
    m rm -f "$p" >/dev/null
    create_as 1501 ok "{\"Image\":\"bb:1\",\"Cmd\":[\"true\"],\"HostConfig\":{\"VolumesFrom\":[\"$p\"]}}"
    echo "$STATUS $BODY"
    [ "$STATUS" = 201 ]
}

@test "daemon attack: a restricted create names no host path in Blkio*Device (no oracle of root's files)" {
    local key
    for key in BlkioWeightDevice BlkioDeviceReadBps BlkioDeviceWriteBps BlkioDeviceReadIOps BlkioDeviceWriteIOps; do
        local unit=Rate
        [ "$key" = BlkioWeightDevice ] && unit=Weight
        for p in /root /root/nonexistent; do
            create_as 1501 "" "{\"Image\":\"bb:1\",\"Cmd\":[\"true\"],\"HostConfig\":{\"$key\":[{\"Path\":\"$p\",\"$unit\":10}]}}"
            echo "$key $p: $STATUS $BODY"
            [ "$STATUS" = 403 ]
            [ "$(jq -r .message <<< "$BODY")" = "HostConfig.$key names a host path: not allowed on the user socket" ]
        done
    done
    # Docker's clients send them empty
    create_as 1501 "" '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"BlkioDeviceReadBps":[],"BlkioWeightDevice":null}}'
    [ "$STATUS" = 201 ]
}

@test "daemon attack: a member holding the user socket's connections locks out neither the admin socket nor other members" {
    # a daemon of its own, with systemd's default soft limit of open files
    local d="$DDIR/own"
    mkdir -p "$d"
    chmod 755 "$d"
    (ulimit -Sn 1024 && exec "$MOAT" daemon --root "$STORE" -H "unix://$d/a.sock" \
        --user-socket "$d/u.sock" 2> "$d/log") &
    local pid=$! i
    for i in $(seq 100); do
        curl -sf --unix-socket "$d/a.sock" http://d/_ping >/dev/null && [ -S "$d/u.sock" ] && break
        sleep 0.1
    done
    # uid 1501 tries to open all of the user socket's 512 connections,
    # each an events stream; it gets its share (64), no more
    cat > "$d/hold.py" <<'PY'
import socket, sys, time
ss, refused = [], 0
for i in range(512):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sys.argv[1])
        s.send(b'GET /events HTTP/1.1\r\nHost: d\r\n\r\n')
        ss.append(s)
    except OSError:
        refused += 1
time.sleep(600)
PY
    chmod 644 "$d/hold.py"
    setpriv --reuid=1501 --regid=1501 --groups="$(getent group moat-users | cut -d: -f3)" \
        /usr/bin/python3 "$d/hold.py" "$d/u.sock" &
    local hold=$!
    # until the daemon serves its share (a worker each, and moat-api)
    for i in $(seq 300); do
        [ "$(pgrep -c -P "$pid")" -ge 65 ] && break
        sleep 0.1
    done
    sleep 1 # more would come now if they were let in
    local workers
    workers=$(pgrep -c -P "$pid")
    run curl -s --max-time 20 --unix-socket "$d/a.sock" http://d/_ping
    local admin=$output
    as_user 1502 "$d/u.sock" GET /_ping
    local other=$STATUS
    as_user 1501 "$d/u.sock" GET /_ping
    local same=$STATUS
    kill "$hold" "$pid" || true
    echo "workers $workers admin $admin other $other same $same"
    tail -3 "$d/log"
    [ "$admin" = OK ]
    [ "$other" = 200 ]
    [ "$same" != 200 ]
    [ "$workers" -le 66 ]
}

@test "attack: a member may not tag (squat a name an admin runs), remove limits, or learn who holds a name" {
    as_user 1501 "$USOCK" POST '/v1.41/images/bb:1/tag?repo=docker.io/library/nginx&tag=latest'
    [ "$STATUS" = 403 ]
    run m images -q nginx
    [ -z "$output" ]
    as_user 1501 "$USOCK" POST /v1.41/containers/create -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none","PidsLimit":-1}}'
    [ "$STATUS" = 403 ]
    as_user 1501 "$USOCK" POST /v1.41/containers/create -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none","Memory":-1}}'
    [ "$STATUS" = 400 ]
    m create --name taken --network none bb:1 true
    local id
    id=$(m inspect -f '{{.Id}}' taken)
    as_user 1501 "$USOCK" POST '/v1.41/containers/create?name=taken' -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}'
    [ "$STATUS" = 409 ]
    [[ "$BODY" != *"${id:0:12}"* ]]
    as_user 1501 "$USOCK" POST '/v1.41/containers/create?name=mine' -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","Cmd":["sleep","60"],"HostConfig":{"NetworkMode":"none"}}'
    [ "$STATUS" = 201 ]
    as_user 1501 "$USOCK" POST '/v1.41/containers/mine/rename?name=taken'
    [ "$STATUS" = 409 ]
    [[ "$BODY" != *"${id:0:12}"* ]]
    as_user 1501 "$USOCK" POST /v1.41/containers/mine/start
    as_user 1501 "$USOCK" POST /v1.41/containers/mine/update -H 'Content-Type: application/json' \
        -d '{"PidsLimit":-1}'
    [ "$STATUS" = 403 ]
}
