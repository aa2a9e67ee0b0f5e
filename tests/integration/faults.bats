#!/usr/bin/env bats
# Fault injection: a moat command (or the container init, or the engine's
# monitor) is killed with SIGKILL at a chosen system call, and the next
# command must leave nothing behind: no state directory, cgroup (in every
# hierarchy of this cgroup v1 hybrid host, and the unified one), mount or
# process of the container, and an engine name that can be used again.
#
# A point is "SYSCALL:when=N": strace (-f, so the init and the monitor
# too) delivers SIGKILL when a process enters its Nth call of SYSCALL.
# Counts are per process, so a point is the same place in every run; a
# process that does not reach N calls is not touched. The points were
# picked from `strace -f` of each command (see the notes at each list),
# among calls that a sanitizer runtime does not make. Each point must
# kill something: a point the code no longer reaches fails the test, so
# that the list is kept up to date rather than silently testing nothing.

load common

setup_file() {
    setup_rootfs
    command -v strace >/dev/null || skip "strace is not installed"
    tar -C "$ROOTFS" -czf "$BATS_FILE_TMPDIR/rootfs.tgz" .
    export STORE="$BATS_FILE_TMPDIR/store"
    "$MOAT" --root "$STORE" import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
}

setup() {
    common_setup
    TRACE="$BATS_TEST_TMPDIR/trace"
    # a container process that names its container (pgrep -f finds it)
    args sh -c 'while :; do sleep 1; done' "$ID"
}

teardown() {
    common_teardown
    for id in $("$MOAT" --root "$STORE" ps -aq --no-trunc 2>/dev/null); do
        "$MOAT" --root "$STORE" rm -f "$id" >/dev/null 2>&1 || true
    done
}

m() {
    "$MOAT" --root "$STORE" "$@"
}

# inject POINT CMD...: run CMD with SIGKILL at POINT in it or any process
# it starts; returns CMD's status. strace runs detached (-D) and goes on
# tracing what is left (a container init) until that is gone. A command
# that hangs is stopped after 60 s (status 124). CMD runs as $AS_USER if
# that is set.
inject() {
    local point=$1 sys=${1%%:*}
    shift
    : > "$TRACE"
    timeout 60 strace -D -f -q -o "$TRACE" ${AS_USER:+-u "$AS_USER"} -e trace="$sys" \
        -e inject="$sys:signal=SIGKILL:${point#*:}" "$@" 3>&-
}

# after_fault POINT ID: the point was reached, strace is gone (so is every
# process it traced), and nothing of container ID is left
after_fault() {
    local point=$1 id=$2 i
    for i in $(seq 100); do
        pgrep -f -- "-o $TRACE" >/dev/null || break
        sleep 0.1
    done
    if pgrep -f -- "-o $TRACE" >/dev/null; then
        echo "$point: a traced process is left: $(pgrep -af -- "$id")" >&2
        return 1
    fi
    grep -q 'killed by SIGKILL' "$TRACE" ||
        { echo "$point: no process reached this point: update the list" >&2; return 1; }
    assert_clean "$id" || { echo "$point: left behind" >&2; return 1; }
    [ -z "$(ls -A "$ROOT" | grep -v '^\.seccomp-cache$')" ] ||
        { echo "$point: left in the state root: $(ls -A "$ROOT")" >&2; return 1; }
}

@test "start: an init that dies after start opened its fifo is an error, not a hang" {
    moat create --bundle "$BUNDLE" "$ID"
    local pid; pid=$(pid_of "$ID")
    # the init's next write is the byte that says "started"
    strace -q -p "$pid" -o "$TRACE" -e trace=write -e inject=write:signal=SIGKILL:when=1 3>&- &
    local i
    for i in $(seq 50); do grep -q "^Process $pid attached" "$TRACE" 2>/dev/null && break; sleep 0.1; done
    sleep 0.2
    run timeout 20 "$MOAT" --root "$ROOT" start "$ID"
    [ "$status" -ne 124 ] || { echo "start hangs" >&2; return 1; }
    assert_error "exited before it started the process"
    wait
    moat delete --force "$ID"
    assert_clean "$ID"
}

