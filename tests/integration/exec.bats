#!/usr/bin/env bats
# exec, terminals and console sockets.

load common

setup_file() { setup_rootfs; }
setup() {
    common_setup
    args sleep 60
}
teardown() { common_teardown; }

start_bg() {
    timeout 10 "$MOAT" --root "$ROOT" run -d --bundle "$BUNDLE" "$ID" > /dev/null
}

@test "exec: runs in the container's namespaces, status propagates" {
    start_bg
    run moat exec "$ID" sh -c 'echo in-container; exit 7'
    [ "$status" -eq 7 ]
    [ "$output" = in-container ]
    local pid; pid=$(pid_of "$ID")
    run moat exec "$ID" sh -c 'for n in pid mnt net; do readlink /proc/self/ns/$n; done'
    [ "${lines[0]}" = "$(readlink /proc/$pid/ns/pid)" ]
    [ "${lines[1]}" = "$(readlink /proc/$pid/ns/mnt)" ]
    [ "${lines[2]}" = "$(readlink /proc/$pid/ns/net)" ]
    # and in its cgroups: the same as the init's
    run moat exec "$ID" sh -c 'diff /proc/self/cgroup /proc/1/cgroup && echo same'
    [ "$output" = same ]
}

@test "exec: --user, --env, --cwd" {
    start_bg
    run moat exec --user 1000:1000 --env FOO=bar --cwd /tmp "$ID" sh -c 'id -u; id -g; echo $FOO; pwd'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 1000 ]
    [ "${lines[2]}" = bar ]
    [ "${lines[3]}" = /tmp ]
}

@test "exec: the container's capabilities apply, --cap adds one" {
    start_bg
    run moat exec "$ID" sh -c 'grep CapEff /proc/self/status'
    [[ "$output" == *"0000000020000420"* ]]
    run moat exec --cap CAP_CHOWN "$ID" sh -c 'grep CapEff /proc/self/status'
    [[ "$output" == *"0000000020000421"* ]]
    run moat exec --cap CAP_NOPE "$ID" true
    assert_error 'unknown capability "CAP_NOPE"'
}

@test "exec --process process.json" {
    start_bg
    cat > "$BATS_TEST_TMPDIR/p.json" <<'J'
{"cwd":"/root","args":["sh","-c","pwd; echo $X; id -u"],"env":["X=from-json","PATH=/bin"],
 "user":{"uid":1,"gid":1}}
J
    run moat exec --process "$BATS_TEST_TMPDIR/p.json" "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = /root ]
    [ "${lines[1]}" = from-json ]
    [ "${lines[2]}" = 1 ]
    echo '{"args":["true"]}' > "$BATS_TEST_TMPDIR/bad.json"
    run moat exec --process "$BATS_TEST_TMPDIR/bad.json" "$ID"
    assert_error "bad.json: cwd: is required"
}

@test "exec --detach --pid-file" {
    start_bg
    moat exec --detach --pid-file "$BATS_TEST_TMPDIR/epid" "$ID" sleep 30 > /dev/null
    local epid; epid=$(cat "$BATS_TEST_TMPDIR/epid")
    [ "$(cat /proc/$epid/comm)" = sleep ]
    grep -q "/moat/$ID" /proc/$epid/cgroup
    [ "$(readlink /proc/$epid/ns/pid)" = "$(readlink /proc/$(pid_of "$ID")/ns/pid)" ]
}

@test "exec: errors for stopped, paused and missing containers" {
    run moat exec nope true
    assert_error "does not exist"
    start_bg
    moat pause "$ID"
    run moat exec "$ID" true
    assert_error "it is paused"
    moat resume "$ID"
    run moat exec "$ID" /no/such/binary
    assert_error 'exec "/no/such/binary"'
    moat kill "$ID" KILL
    wait_status "$ID" stopped
    run moat exec "$ID" true
    assert_error "it is stopped"
}

@test "exec: no fd of the runtime leaks into the process" {
    start_bg
    run moat exec "$ID" sh -c 'ls /proc/self/fd | wc -l'
    # 0, 1, 2 and the directory ls reads
    [ "$output" -eq 4 ]
}

@test "terminal: create --console-socket gets the pty master" {
    args sh -c 'tty; echo size $(stty size)'
    cfg '.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}'
    start_recvtty
    moat create --console-socket "$BATS_TEST_TMPDIR/sock" --bundle "$BUNDLE" "$ID"
    moat start "$ID"
    wait "$RECVTTY_PID"
    grep -q "^/dev/pts/0" "$BATS_TEST_TMPDIR/tty.out"
    grep -q "size 30 100" "$BATS_TEST_TMPDIR/tty.out"
}

@test "terminal: /dev/console is the container's pty" {
    args sh -c 'ls -l /dev/console; tty'
    cfg '.process.terminal = true'
    start_recvtty
    moat run -d --console-socket "$BATS_TEST_TMPDIR/sock" --bundle "$BUNDLE" "$ID"
    wait "$RECVTTY_PID"
    grep -q "136, *0" "$BATS_TEST_TMPDIR/tty.out"
}

@test "terminal: exec --tty --console-socket" {
    start_bg
    start_recvtty
    moat exec --tty --detach --console-socket "$BATS_TEST_TMPDIR/sock" "$ID" tty
    wait "$RECVTTY_PID"
    grep -q "^/dev/pts/" "$BATS_TEST_TMPDIR/tty.out"
}

@test "terminal: run in the foreground proxies the pty" {
    args sh -c 'tty; read line; echo got:$line'
    cfg '.process.terminal = true'
    run sh -c "echo typed | '$MOAT' --root '$ROOT' run --bundle '$BUNDLE' '$ID'"
    [ "$status" -eq 0 ]
    [[ "$output" == */dev/pts/0* ]]
    [[ "$output" == *got:typed* ]]
}

@test "terminal: true without --console-socket is refused for create" {
    cfg '.process.terminal = true'
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error "--console-socket is required"
    assert_clean "$ID"
}

@test "exec: a foreground exec does not keep other execs of the container waiting" {
    start_bg
    moat exec "$ID" sleep 30 &
    local first=$!
    sleep 0.5
    run timeout 5 "$MOAT" --root "$ROOT" exec "$ID" echo second
    [ "$status" -eq 0 ]
    [ "$output" = second ]
    kill "$first" 2>/dev/null || true
    moat delete -f "$ID"
}
