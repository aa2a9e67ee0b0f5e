#!/usr/bin/env bats
# The OCI lifecycle: run, create/start/state/kill/delete, list, pause.

load common

setup_file() { setup_rootfs; }
setup() { common_setup; }
teardown() { common_teardown; }

@test "run: prints, exits 0 and leaves nothing behind" {
    args echo hello-moat
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "hello-moat" ]
    assert_clean "$ID"
}

@test "run: the container's exit status is moat's" {
    args sh -c 'exit 42'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 42 ]
    assert_clean "$ID"
}

@test "run: a container killed by a signal exits 128+N" {
    # pid 1 of a pid namespace cannot kill itself: run without one
    cfg '.linux.namespaces |= map(select(.type != "pid"))'
    args sh -c 'kill -9 $$'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 137 ]
}

@test "run: stdin reaches the container" {
    args cat
    run sh -c "echo piped-in | '$MOAT' --root '$ROOT' run --bundle '$BUNDLE' '$ID'"
    [ "$status" -eq 0 ]
    [ "$output" = "piped-in" ]
}

@test "run: signals to moat are forwarded to the container" {
    args sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.05; done'
    "$MOAT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" > "$BATS_TEST_TMPDIR/out" &
    local runpid=$!
    for i in $(seq 50); do grep -q ready "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
    kill -TERM "$runpid"
    wait "$runpid" && st=0 || st=$?
    [ "$st" -eq 3 ]
    grep -q got-term "$BATS_TEST_TMPDIR/out"
    assert_clean "$ID"
}

@test "run: other commands can act on a foreground container" {
    args sleep 30
    "$MOAT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" &
    local runpid=$!
    wait_status "$ID" running
    timeout 5 "$MOAT" --root "$ROOT" kill "$ID" KILL
    wait "$runpid" && st=0 || st=$?
    [ "$st" -eq 137 ]
    assert_clean "$ID"
}

@test "run --detach: returns at once, container keeps running" {
    args sleep 30
    # not under `run`: the container keeps its stdout open
    timeout 10 "$MOAT" --root "$ROOT" run --detach --bundle "$BUNDLE" "$ID" > /dev/null
    [ "$(status_of "$ID")" = running ]
    kill -0 "$(pid_of "$ID")"
    moat delete --force "$ID"
    assert_clean "$ID"
}

@test "create, start, state, kill, delete" {
    args sleep 30
    moat create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" > /dev/null
    [ "$(status_of "$ID")" = created ]
    local pid; pid=$(pid_of "$ID")
    [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
    # before start the init is moat waiting, not the user's program
    [ "$(cat /proc/$pid/comm)" != sleep ]
    run moat state "$ID"
    [ "$(echo "$output" | jq -r .id)" = "$ID" ]
    [ "$(echo "$output" | jq -r .bundle)" = "$BUNDLE" ]
    moat start "$ID"
    [ "$(status_of "$ID")" = running ]
    [ "$(cat /proc/$pid/comm)" = sleep ]
    moat kill "$ID" KILL
    wait_status "$ID" stopped
    [ "$(moat state "$ID" | jq .pid)" -eq 0 ]
    moat delete "$ID"
    assert_clean "$ID"
}

@test "start: errors name the reason (twice, missing id)" {
    args true
    moat create --bundle "$BUNDLE" "$ID"
    moat start "$ID"
    wait_status "$ID" stopped
    run moat start "$ID"
    assert_error "it is stopped, not created"
    run moat start
    assert_error "missing container id"
    run moat start nosuchcontainer
    assert_error "does not exist"
}

@test "start: reports an exec failure of the user program" {
    args /no/such/program
    moat create --bundle "$BUNDLE" "$ID"
    run moat start "$ID"
    assert_error 'exec "/no/such/program": No such file or directory'
}

@test "run: a command not in PATH is reported as such" {
    args no-such-command
    run moat run --bundle "$BUNDLE" "$ID"
    assert_error 'executable file not found in $PATH'
    assert_clean "$ID"
}

@test "kill: signal names and numbers; the process receives them" {
    args sh -c 'trap "echo usr1 > /tmp/sig" USR1; while :; do sleep 0.05; done'
    writable_rootfs
    moat run -d --bundle "$BUNDLE" "$ID"
    sleep 0.3
    moat kill "$ID" USR1
    for i in $(seq 30); do [ -e "$BATS_TEST_TMPDIR/rootfs/tmp/sig" ] && break; sleep 0.1; done
    [ "$(cat "$BATS_TEST_TMPDIR/rootfs/tmp/sig")" = usr1 ]
    rm "$BATS_TEST_TMPDIR/rootfs/tmp/sig"
    moat kill "$ID" SIGUSR1
    for i in $(seq 30); do [ -e "$BATS_TEST_TMPDIR/rootfs/tmp/sig" ] && break; sleep 0.1; done
    [ -e "$BATS_TEST_TMPDIR/rootfs/tmp/sig" ]
    run moat kill "$ID" NOTASIGNAL
    assert_error 'unknown signal "NOTASIGNAL"'
    moat kill "$ID" 9
    wait_status "$ID" stopped
    run moat kill "$ID" 9
    assert_error "is not running"
}

@test "kill --all signals every process of the container" {
    args sh -c 'sleep 100 & sleep 100 & wait'
    cfg '.linux.namespaces |= map(select(.type != "pid"))'
    moat run -d --bundle "$BUNDLE" "$ID"
    sleep 0.3
    [ "$(moat ps --format json "$ID" | jq length)" -eq 3 ]
    moat kill --all "$ID" KILL
    wait_status "$ID" stopped
    for i in $(seq 30); do
        [ "$(moat ps --format json "$ID" 2>/dev/null | jq length)" = "" ] && break
        [ "$(cat /sys/fs/cgroup/pids/moat/$ID/cgroup.procs | wc -l)" -eq 0 ] && break
        sleep 0.1
    done
    [ "$(cat /sys/fs/cgroup/pids/moat/$ID/cgroup.procs | wc -l)" -eq 0 ]
}

@test "delete: refuses a running container, --force kills it" {
    args sleep 30
    moat run -d --bundle "$BUNDLE" "$ID"
    local pid; pid=$(pid_of "$ID")
    run moat delete "$ID"
    assert_error "it is running"
    [ "$(status_of "$ID")" = running ]
    moat delete --force "$ID"
    ! kill -0 "$pid" 2>/dev/null
    assert_clean "$ID"
}

@test "delete: a created container needs --force" {
    args true
    moat create --bundle "$BUNDLE" "$ID"
    run moat delete "$ID"
    assert_error "it is created"
    moat delete -f "$ID"
    assert_clean "$ID"
}

@test "delete --force of a missing container succeeds; plain delete fails" {
    run moat delete --force no-such-id
    [ "$status" -eq 0 ]
    run moat delete no-such-id
    assert_error 'container "no-such-id" does not exist'
}

@test "create: a duplicate id is refused and the first container is untouched" {
    args sleep 30
    moat create --bundle "$BUNDLE" "$ID"
    local pid; pid=$(pid_of "$ID")
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error "already exists"
    [ "$(status_of "$ID")" = created ]
    [ "$(pid_of "$ID")" = "$pid" ]
}

@test "list: table, -q and -f json" {
    args sleep 30
    moat run -d --bundle "$BUNDLE" "$ID"
    run moat list
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED* ]]
    [[ "${lines[1]}" == "$ID"*running*"$BUNDLE"* ]]
    run moat list -q
    [ "$output" = "$ID" ]
    run moat list -f json
    [ "$(echo "$output" | jq -r '.[0].status')" = running ]
    [ "$(echo "$output" | jq -r '.[0].id')" = "$ID" ]
    run moat list --format yaml
    assert_error 'not table or json'
}

@test "pause and resume freeze every process" {
    args sh -c 'while :; do echo x >> /tmp/ticks; sleep 0.05; done'
    writable_rootfs
    moat run -d --bundle "$BUNDLE" "$ID"
    sleep 0.3
    moat pause "$ID"
    [ "$(status_of "$ID")" = paused ]
    local n; n=$(wc -l < "$BATS_TEST_TMPDIR/rootfs/tmp/ticks")
    sleep 0.4
    [ "$(wc -l < "$BATS_TEST_TMPDIR/rootfs/tmp/ticks")" -eq "$n" ]
    run moat pause "$ID"
    assert_error "it is paused"
    moat resume "$ID"
    [ "$(status_of "$ID")" = running ]
    sleep 0.4
    [ "$(wc -l < "$BATS_TEST_TMPDIR/rootfs/tmp/ticks")" -gt "$n" ]
}

@test "delete --force of a paused container" {
    args sleep 30
    moat run -d --bundle "$BUNDLE" "$ID"
    moat pause "$ID"
    moat delete --force "$ID"
    assert_clean "$ID"
}

@test "ps: table (filtered ps -ef) and json" {
    args sleep 30
    moat run -d --bundle "$BUNDLE" "$ID"
    local pid; pid=$(pid_of "$ID")
    run moat ps --format json "$ID"
    [ "$output" = "[$pid]" ]
    run moat ps "$ID"
    [[ "${lines[0]}" == *PID* ]]
    [ "${#lines[@]}" -eq 2 ]
    [[ "${lines[1]}" == *" $pid "*sleep* ]]
}

@test "the runtime's state is in --root, and state JSON is complete" {
    args sleep 30
    moat run -d --bundle "$BUNDLE" "$ID"
    # one file per container: the state as a JSON line, then the config
    [ -f "$ROOT/$ID/state" ]
    head -1 "$ROOT/$ID/state" | jq -e ".id == \"$ID\" and .pid > 0"
    tail -n +2 "$ROOT/$ID/state" | jq -e '.process.args == ["sleep", "30"]'
    [ "$(ls "$ROOT/$ID")" = state ]
    run moat state "$ID"
    echo "$output" | jq -e '.ociVersion and .id and .pid > 0 and .status and .bundle and .created'
}

@test "--preserve-fds passes extra fds to the container, others are closed" {
    args sh -c 'for f in 3 4 5 6; do [ -e /proc/self/fd/$f ] && printf "%s " $f; done; echo'
    run sh -c "exec 3</dev/null 4</dev/null 5</dev/null; '$MOAT' --root '$ROOT' run --preserve-fds 2 --bundle '$BUNDLE' '$ID'"
    [ "$status" -eq 0 ]
    [ "$output" = "3 4 " ]
    # without --preserve-fds nothing but stdio reaches the container
    run sh -c "exec 3</dev/null 4</dev/null 5</dev/null; '$MOAT' --root '$ROOT' run --bundle '$BUNDLE' '$ID'"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
}

@test "the default state root gets a tmpfs where /run is on a disk, unless it holds containers" {
    # in a private mount namespace, /run is an empty directory on disk (stat
    # -f: the host's own /run/moat may be a tmpfs under it, which findmnt lists)
    mkdir -p "$BATS_TEST_TMPDIR/run1" "$BATS_TEST_TMPDIR/run2/moat/keep"
    args /bin/true
    run unshare -m sh -c "mount --make-rprivate / && mount --bind '$BATS_TEST_TMPDIR/run1' /run &&
        '$MOAT' run --bundle '$BUNDLE' t1 && stat -f -c %T /run/moat && '$MOAT' list -q"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = tmpfs ]
    [ "${#lines[@]}" -eq 1 ]
    # a root that holds a container directory stays where it is
    run unshare -m sh -c "mount --make-rprivate / && mount --bind '$BATS_TEST_TMPDIR/run2' /run &&
        '$MOAT' run --bundle '$BUNDLE' t2 && stat -f -c %T /run/moat"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" != tmpfs ]
    [ -d "$BATS_TEST_TMPDIR/run2/moat/keep" ]
}

@test "run: a network namespace of its own has lo up; a joined one is left as it is" {
    args cat /sys/class/net/lo/operstate /sys/class/net/lo/flags
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    # UP shows as bit 0 of the flags (operstate of lo stays "unknown")
    [ $(( $(sed -n 2p <<<"$output") & 1 )) -eq 1 ]
    # a namespace made by the test, joined by path: its lo stays down
    ns=moat-lo-$$
    ip netns add "$ns"
    cfg ".linux.namespaces |= map(if .type == \"network\" then .path = \"/run/netns/$ns\" else . end)"
    run moat run --bundle "$BUNDLE" "$ID"
    ip netns del "$ns"
    [ "$status" -eq 0 ]
    [ $(( $(sed -n 2p <<<"$output") & 1 )) -eq 0 ]
}

@test "run with its stdin, stdout and stderr closed: the container's are /dev/null, none of the runtime's descriptors" {
    args sleep 60
    "$MOAT" --root "$ROOT" run -d --bundle "$BUNDLE" "$ID" <&- >&- 2>&-
    local pid fd
    pid=$(pid_of "$ID")
    for fd in 0 1 2; do
        [ "$(readlink "/proc/$pid/fd/$fd")" = /dev/null ]
    done
    moat delete -f "$ID"
}

@test "run: the container's process starts with no signal ignored, whatever its runtime's caller ignored (nohup)" {
    args grep SigIgn /proc/self/status
    run bash -c 'trap "" HUP QUIT; exec "$0" --root "$1" run --bundle "$2" "$3"' "$MOAT" "$ROOT" "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'SigIgn:\t0000000000000000')" ]
}
