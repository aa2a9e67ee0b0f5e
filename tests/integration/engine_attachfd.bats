#!/usr/bin/env bats
# Docker's attach streams served by the container's monitor itself
# (engine/attach_fd.c, engine/monclient.c), through the test helper
# attachfd, which calls ctr_attach_fd as the API daemon does. --network
# none: no network is needed, and the host's networks are one store's.

load common
load engine_common

bats_require_minimum_version 1.5.0

ATTACHFD=${ATTACHFD:-$(dirname "$MOAT")/tests/attachfd}

# until FILE exists (up to 10 s)
wait_file() {
    local i
    for i in $(seq 100); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# attach_start ID ARGS...: attach (ARGS to attachfd) to the created
# container ID, start it once the attach waits, and end with the attach's
# exit status; its stdout in $T/out, its stderr in $T/err
attach_start() {
    local id=$1
    shift
    T=$BATS_TEST_TMPDIR
    rm -f "$T/ready"
    "$ATTACHFD" -r "$T/ready" "$@" "$STORE" "$id" < /dev/null > "$T/out" 2> "$T/err" &
    local pid=$!
    wait_file "$T/ready"
    m start "$id" > /dev/null 2>&1 || true # a start that fails: the attach says so
    wait "$pid"
}

@test "attach before start: Docker's frames, stdout and stderr apart, from the first byte" {
    local id i
    for i in 1 2 3 4 5; do
        id=$(m create --network none bb:1 sh -c 'echo first; echo err >&2; echo last')
        attach_start "$id" -o -e -d
        [ "$(cat "$T/out")" = "$(printf 'first\nlast')" ]
        [ "$(cat "$T/err")" = err ]
    done
    # only the streams asked for
    id=$(m create --network none bb:1 sh -c 'echo out; echo err >&2')
    attach_start "$id" -e -d
    [ -z "$(cat "$T/out")" ]
    [ "$(cat "$T/err")" = err ]
    # the bytes on the wire: {1, 0, 0, 0, length} then the data
    id=$(m create --network none bb:1 printf abc)
    attach_start "$id" -o
    [ "$(od -An -tx1 "$T/out" | tr -s ' \n' ' ')" = " 01 00 00 00 00 00 00 03 61 62 63 " ]
    id=$(m create --network none bb:1 sh -c 'printf e >&2')
    attach_start "$id" -e
    [ "$(od -An -tx1 "$T/out" | tr -s ' \n' ' ')" = " 02 00 00 00 00 00 00 01 65 " ]
    # nothing is left waiting in the container's directory
    [ ! -e "$STORE/containers/$id/attach-wait" ]
}

@test "with a terminal the output is raw" {
    local id
    id=$(m create --network none -t bb:1 printf 'a\n')
    attach_start "$id" -o -e
    [ "$(od -An -tx1 "$T/out" | tr -s ' \n' ' ')" = " 61 0d 0a " ]
}

@test "stdin goes to the container; the client's half-close ends it (StdinOnce); the output goes on" {
    local id
    # create -i (no -d): StdinOnce, as Docker's CLI sets it
    id=$(m create --network none -i bb:1 sh -c 'while read l; do echo "got $l"; done; echo end')
    [ "$(m inspect -f '{{.Config.StdinOnce}}' "$id")" = true ]
    m start "$id"
    run -0 --separate-stderr bash -c "printf 'one\ntwo\n' | $ATTACHFD -i -o -d $STORE $id"
    [ "$output" = "$(printf 'got one\ngot two\nend')" ]
    wait_for "$id" '{{.State.Status}} {{.State.ExitCode}}' "exited 0"
}

@test "without stdin asked for, what the client sends is dropped and does not end stdin" {
    local id T=$BATS_TEST_TMPDIR
    id=$(m run -d --network none -i bb:1 sh -c 'read l; echo "[$l]"')
    echo hi | "$ATTACHFD" -S "$T/sent" -o -d "$STORE" "$id" > "$T/out" 2> "$T/err" &
    local pid=$!
    # its bytes and its end are with the monitor before the next client's
    wait_file "$T/sent"
    run -0 bash -c "echo there | $MOAT --root $STORE attach $id"
    [ "$output" = "[there]" ]
    wait "$pid"
    [ "$(cat "$T/out")" = "[there]" ]
}

@test "an attach to a running container connects at once; one that goes away is dropped" {
    local id
    id=$(m run -d --network none bb:1 sh -c 'while :; do echo x; sleep 0.05; done')
    # head goes after one line, the helper with it (SIGPIPE), its
    # connection too: the monitor drops it and serves the next
    run -0 bash -c "$ATTACHFD -o -d $STORE $id | head -n1"
    [ "$output" = x ]
    run -0 bash -c "$ATTACHFD -o -d $STORE $id | head -n1"
    [ "$output" = x ]
    [ "$(m inspect -f '{{.State.Running}}' "$id")" = true ]
    m rm -f "$id"
}

@test "an attach to an exited or missing container fails at once" {
    local id T=$BATS_TEST_TMPDIR
    id=$(m run -d --network none bb:1 true)
    wait_for "$id" '{{.State.Status}}' exited
    run -1 "$ATTACHFD" -o "$STORE" "$id"
    [[ $output == *"is not running [ESRCH]"* ]]
    # one waiting for a start that fails hears it
    id=$(m create --network none bb:1 /no/such/command)
    run -1 attach_start "$id" -o
    [[ $(cat "$T/err") == *"[ESRCH]"* ]]
    # one waiting for a container that is removed
    id=$(m create --network none bb:1 true)
    "$ATTACHFD" -r "$T/ready" -o "$STORE" "$id" > "$T/out" 2> "$T/err" &
    local pid=$!
    wait_file "$T/ready"
    m rm "$id"
    local rc=0
    wait "$pid" || rc=$?
    [ "$rc" = 1 ]
    [[ $(cat "$T/err") == *"no such container"*"[ENOENT]"* ]]
}

@test "a waiting attach that died does not hold up the start" {
    local id T=$BATS_TEST_TMPDIR
    id=$(m create --network none bb:1 echo hello)
    "$ATTACHFD" -H -r "$T/ready" -o "$STORE" "$id" &
    local pid=$!
    wait_file "$T/ready"
    [ -n "$(ls "$STORE/containers/$id/attach-wait")" ]
    kill -9 "$pid"
    wait "$pid" || true
    # the start finds nobody at its socket, removes it and goes on
    run -0 timeout 10 "$MOAT" --root "$STORE" start "$id"
    run -0 m wait "$id"
    [ "$output" = 0 ]
    [ -z "$(ls "$STORE/containers/$id/attach-wait" 2> /dev/null)" ]
    run -0 m logs "$id"
    [ "$output" = hello ]
}

@test "a client that reads slowly gets every byte, in whole frames" {
    local id T=$BATS_TEST_TMPDIR
    id=$(m create --network none bb:1 sh -c 'head -c 3000000 /dev/zero; echo; echo done')
    rm -f "$T/ready"
    "$ATTACHFD" -r "$T/ready" -o -d "$STORE" "$id" < /dev/null | { sleep 1; wc -c; } > "$T/n" &
    local pid=$!
    wait_file "$T/ready"
    m start "$id" > /dev/null
    wait "$pid"
    [ "$(cat "$T/n")" = 3000006 ]
}
