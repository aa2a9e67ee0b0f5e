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
