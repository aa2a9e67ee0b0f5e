#!/usr/bin/env bats
# Rootless: an unprivileged user runs containers in its own user namespace.

load common

RUSER=moat-rootless-test

setup_file() {
    id "$RUSER" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$RUSER"
    # the checkout may be where the user cannot read (a 0700 directory):
    # the user gets its own copy of the binary and of the rootfs script
    RBIN=$(mktemp -d /tmp/moat-rootless-bin.XXXXXX)
    chmod 755 "$RBIN"
    cp "$MOAT" "$RBIN/moat"
    cp "$REPO/tests/lib/mkrootfs.sh" "$RBIN/"
    export RBIN
}

teardown_file() {
    rm -rf "$RBIN"
}

setup() {
    DIR=$(mktemp -d /tmp/moat-rootless.XXXXXX)
    chown "$RUSER:" "$DIR"
    UMOAT=$RBIN/moat
    as_user sh "$RBIN/mkrootfs.sh" "$DIR/bundle/rootfs" > /dev/null
    as_user sh -c "cd '$DIR/bundle' && '$UMOAT' spec --rootless"
    ID="rootless-$$-$BATS_TEST_NUMBER"
}

teardown() {
    as_user "$UMOAT" --root "$DIR/state" delete --force "$ID" 2>/dev/null || true
    rm -rf "$DIR"
}

as_user() {
    runuser -u "$RUSER" -- "$@"
}

rmoat() {
    as_user "$UMOAT" --root "$DIR/state" "$@"
}

rcfg() {
    as_user sh -c "jq '$1' '$DIR/bundle/config.json' > '$DIR/c.json' && mv '$DIR/c.json' '$DIR/bundle/config.json'"
}

@test "spec --rootless maps the caller to root in a user namespace" {
    run jq -c '.linux.uidMappings' "$DIR/bundle/config.json"
    [ "$output" = "[{\"containerID\":0,\"hostID\":$(id -u "$RUSER"),\"size\":1}]" ]
    jq -e '.linux.namespaces | map(.type) | index("user")' "$DIR/bundle/config.json"
}

@test "run as an unprivileged user" {
    rcfg '.process.terminal = false | .process.args = ["sh","-c","id -u; cat /proc/self/uid_map; hostname"]'
    run rmoat run --bundle "$DIR/bundle" "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [[ "${lines[1]}" == *"0"*"$(id -u "$RUSER")"*"1" ]]
    [ "${lines[2]}" = moat ]
    [ ! -e "$DIR/state/$ID" ]
}

@test "create, start, exec, kill, delete as an unprivileged user" {
    rcfg '.process.terminal = false | .process.args = ["sleep","30"]'
    rmoat create --bundle "$DIR/bundle" "$ID" > /dev/null
    [ "$(rmoat state "$ID" | jq -r .status)" = created ]
    rmoat start "$ID"
    [ "$(rmoat state "$ID" | jq -r .status)" = running ]
    local pid; pid=$(rmoat state "$ID" | jq .pid)
    [ "$(stat -c %u /proc/$pid)" -eq "$(id -u "$RUSER")" ]
    run rmoat exec "$ID" sh -c 'id -u; readlink /proc/1/exe'
    [ "${lines[0]}" = 0 ]
    rmoat kill "$ID" KILL
    for i in $(seq 30); do [ "$(rmoat state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
    rmoat delete "$ID"
    [ ! -e "$DIR/state/$ID" ]
}

@test "an unprivileged user cannot run without a user namespace" {
    rcfg '.process.terminal = false | .linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'
    run rmoat run --bundle "$DIR/bundle" "$ID"
    [ "$status" -ne 0 ]
    [[ "$output" == *"an unprivileged container needs a user namespace"* ]]
}

@test "an unprivileged user cannot map ids it does not own" {
    rcfg '.process.terminal = false | .linux.uidMappings = [{"containerID":0,"hostID":0,"size":1}]'
    run rmoat run --bundle "$DIR/bundle" "$ID"
    [ "$status" -ne 0 ]
    [[ "$output" == *"linux."?"idMappings"* ]]
    [ ! -e "$DIR/state/$ID" ]
}

@test "the engine's commands say that they need root" {
    run as_user "$UMOAT" --root "$DIR/store" images
    [ "$status" -ne 0 ]
    [[ "$output" == *"the engine runs as root"* ]]
    run as_user "$UMOAT" run --rm busybox true
    [ "$status" -eq 125 ]
    [[ "$output" == *"the engine runs as root"* ]]
    [ ! -e "$DIR/store" ]
}

@test "a state root someone else made (/tmp/moat-UID) is refused, not trusted" {
    uid=$(id -u "$RUSER")
    tmproot=/tmp/moat-$uid
    rm -rf "$tmproot"
    # made first by another user (root here), open to all, with a forged
    # container whose state names a hook
    mkdir -m 0777 "$tmproot"
    mkdir "$tmproot/forged"
    echo '{"id":"forged","pid":1,"status":"created"}' > "$tmproot/forged/state.json"
    run as_user env -u XDG_RUNTIME_DIR "$UMOAT" list
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"state root must be the caller's"* ]]
    [[ "$output" != *forged* ]] || [[ "$output" == *"refusing"* ]]
    # a symlink in its place is refused too
    rm -rf "$tmproot"
    ln -s "$DIR" "$tmproot"
    run as_user env -u XDG_RUNTIME_DIR "$UMOAT" list
    [ "$status" -ne 0 ]
    rm -f "$tmproot"
    # made by moat itself: the caller's, 0700
    as_user sh -c "cd '$DIR/bundle' && jq '.process.terminal = false | .process.args = [\"true\"]' config.json > c2 && mv c2 config.json"
    as_user env -u XDG_RUNTIME_DIR "$UMOAT" run --bundle "$DIR/bundle" "$ID"
    [ "$(stat -c '%u %a' "$tmproot")" = "$uid 700" ]
    rm -rf "$tmproot"
}
