#!/usr/bin/env bats
# attach, run -a, --sig-proxy and the detach keys (engine/attach.c).

load common
load engine_common

bats_require_minimum_version 1.5.0

# until the foreground run's container has said "up" (and its relay runs)
wait_up() {
    local i
    for i in $(seq 100); do
        grep -q up "$BATS_TEST_TMPDIR/$1" 2> /dev/null && return 0
        sleep 0.1
    done
    return 1
}

# a container that echoes its input until it ends
echoer() {
    m run -d -i "$@" bb:1 sh -c 'echo ready; while read l; do echo "got $l"; done; echo end'
}

@test "run -a picks the streams printed; -a with -d is refused" {
    run -0 --separate-stderr m run --rm -a stdout bb:1 sh -c 'echo out; echo err >&2'
    [ "$output" = out ]
    [ -z "$stderr" ]
    run -0 --separate-stderr m run --rm -a stderr bb:1 sh -c 'echo out; echo err >&2'
    [ -z "$output" ]
    [ "$stderr" = err ]
    # stdin only with -i (or when named)
    run -0 bash -c "echo typed | $MOAT --root $STORE run --rm -a stdout bb:1 sh -c 'read l; echo \"[\$l]\"'"
    [ "$output" = "[]" ]
    run -0 bash -c "echo typed | $MOAT --root $STORE run --rm -i -a stdin -a stdout bb:1 sh -c 'read l; echo \"[\$l]\"'"
    [ "$output" = "[typed]" ]
    run -125 m run -d -a stdout bb:1 true
    [[ $output == *"--attach and --detach"* ]]
    run -125 m run -a stdnothing bb:1 true
    run -0 m ps -aq
    [ -z "$output" ]
}

@test "attach relays input and output and returns the exit code" {
    local id
    id=$(echoer)
    run -0 bash -c "printf 'hello\n' | $MOAT --root $STORE attach $id"
    [[ $output == *"got hello"*end* ]]
    id=$(m run -d bb:1 sh -c 'sleep 2; exit 3')
    run -3 m attach --no-stdin "$id"
    run -125 m attach "$id"
    [[ $output == *"stopped container"* ]]
    run -125 m attach nosuch
}

@test "the detach keys leave the container running; bytes that only begin them go through" {
    local id
    id=$(echoer)
    run -0 bash -c "printf 'one\n\020\021' | $MOAT --root $STORE attach $id"
    [ "$(m inspect -f '{{.State.Running}}' "$id")" = true ]
    run -0 m logs "$id"
    [[ $output == *"got one"* ]]
    # other keys; a ctrl-x not followed by ctrl-y is input
    run -0 bash -c "printf 'a\030b\n\030\031' | $MOAT --root $STORE attach --detach-keys ctrl-x,ctrl-y $id"
    [ "$(m inspect -f '{{.State.Running}}' "$id")" = true ]
    run -0 m logs "$id"
    [[ $output == *$'got a\030b'* ]]
    run -125 m attach --detach-keys ctrl-0 "$id"
    [[ $output == *"invalid detach keys"* ]]
    run -125 m run --detach-keys nonsense,, bb:1 true
}

@test "run --detach-keys detaches the foreground run; --rm is then the monitor's" {
    run -0 bash -c "{ sleep 0.5; printf '\001'; } | $MOAT --root $STORE run -i --rm --name det \
        --detach-keys ctrl-a bb:1 sh -c 'sleep 1; echo done'"
    # detached before the command ended: it runs on, and is removed after
    [ "$(m inspect -f '{{.State.Running}}' det)" = true ]
    sleep 1.5
    run -1 m inspect det
}

@test "start -a -i attaches stdin; --sig-proxy=false keeps signals from the container" {
    local id pid
    id=$(m create -i bb:1 sh -c 'read l; echo "got $l"')
    run -0 bash -c "echo input | $MOAT --root $STORE start -a -i $id"
    [ "$output" = "got input" ]
    # the signal reaches the container by default, not with --sig-proxy=false
    "$MOAT" --root "$STORE" run --name sp1 --sig-proxy=false bb:1 sh -c 'echo up; trap "echo TERM; exit 5" TERM; sleep 2; echo slept' > "$BATS_TEST_TMPDIR/sp1" &
    pid=$!
    wait_up sp1
    kill -TERM $pid
    wait $pid || true
    sleep 2
    run -0 m logs sp1
    [[ $output == *slept* ]]
    [[ $output != *TERM* ]]
    "$MOAT" --root "$STORE" run --name sp2 bb:1 sh -c 'echo up; trap "echo TERM; exit 5" TERM; sleep 2; echo slept' > "$BATS_TEST_TMPDIR/sp2" &
    pid=$!
    wait_up sp2
    kill -TERM $pid
    wait $pid || true
    run -0 m logs sp2
    [[ $output == *TERM* ]]
}

@test "stdin the container does not read never holds its monitor: output, logs and rm -f go on" {
    # a terminal in raw mode takes no more input once its buffer is full:
    # the monitor's write of what a client sends would wait for ever
    m run -d -it --network none --name flood bb:1 \
        sh -c 'stty raw -echo; while :; do echo tick; sleep 0.2; done' > /dev/null
    head -c 2000000 /dev/zero | timeout -k 5 60 "$MOAT" --root "$STORE" attach flood > /dev/null 2>&1 &
    local n1 n2
    sleep 2
    n1=$(m logs flood | wc -l)
    sleep 2
    n2=$(m logs flood | wc -l)
    echo "log lines: $n1, 2 s later $n2"
    local bad=0
    [ "$n2" -ge "$((n1 + 4))" ] || bad=1
    timeout 20 "$MOAT" --root "$STORE" rm -f flood > /dev/null || bad=2
    # a monitor held for ever would hold the teardown too
    [ "$bad" = 0 ] || pkill -9 -f -- '--name flood .*stty raw' || true
    wait
    [ "$bad" = 0 ]
}

@test "attach: input that waits for the container never stops its output to the same client" {
    # with a terminal the container's output is the echo of its input
    # too: a client that blocked sending input would not read, and a
    # monitor that blocked sending output would not take input
    m run -d -it --network none --name echoes bb:1 cat > /dev/null
    local got
    got=$(yes hello | head -c 5000000 | timeout -k 2 15 "$MOAT" --root "$STORE" attach echoes | wc -c)
    echo "bytes back: $got"
    local bad=0
    # each line comes back twice (echo, cat), as CR LF
    [ "$got" -ge 10000000 ] || bad=1
    timeout 20 "$MOAT" --root "$STORE" rm -f echoes > /dev/null || bad=2
    # a monitor held for ever would hold the teardown too
    [ "$bad" = 0 ] || pkill -9 -f -- '--name echoes bb:1 cat' || true
    [ "$bad" = 0 ]
}
