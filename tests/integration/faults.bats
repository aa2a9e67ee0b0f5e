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
    [ -z "$(ls -A "$ROOT" | grep -vxF -e .seccomp-cache -e .lock)" ] ||
        { echo "$point: left in the state root: $(ls -A "$ROOT")" >&2; return 1; }
}

# runtime create: before the clone only the runtime runs; the points in
# the init are calls the runtime does not make (prctl:when=3 is the init's
# handover; setresuid and capset come after it)
CREATE_POINTS="flock:when=1 mkdirat:when=1 flock:when=2 mknodat:when=1 fsetxattr:when=1
    mkdir:when=1 mkdir:when=2 open_tree:when=1 mount_setattr:when=2 socketpair:when=1
    clone3:when=1 sendto:when=1 unshare:when=1 move_mount:when=1 pivot_root:when=1
    sethostname:when=1 close_range:when=1 prctl:when=3 renameat:when=1 sendto:when=2
    setresuid:when=1 capset:when=1 exit_group:when=1"

@test "create killed anywhere: delete --force removes state, cgroups, init" {
    local p
    for p in $CREATE_POINTS; do
        inject "$p" "$MOAT" --root "$ROOT" create --bundle "$BUNDLE" "$ID" || true
        moat delete --force "$ID"
        after_fault "$p" "$ID"
    done
}

@test "run -d killed anywhere: delete --force removes it, running or not" {
    local p
    # the state rename, the handover, the wait for the exec, and the end
    for p in fsetxattr:when=1 mkdir:when=2 renameat:when=1 sendto:when=2 pidfd_open:when=1 \
        poll:when=2 exit_group:when=1; do
        inject "$p" "$MOAT" --root "$ROOT" run -d --bundle "$BUNDLE" "$ID" || true
        moat delete --force "$ID"
        after_fault "$p" "$ID"
    done
}

@test "run in the foreground killed while it waits and deletes: delete --force cleans up" {
    args sh -c 'exit 3' "$ID"
    local p
    for p in signalfd4:when=1 wait4:when=1 rmdir:when=1 unlinkat:when=1; do
        inject "$p" "$MOAT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" || true
        moat delete --force "$ID"
        after_fault "$p" "$ID"
    done
}

@test "start killed: delete --force removes the container" {
    local p
    for p in flock:when=1 pidfd_open:when=1 unlinkat:when=1 poll:when=1 exit_group:when=1; do
        moat create --bundle "$BUNDLE" "$ID"
        inject "$p" "$MOAT" --root "$ROOT" start "$ID" || true
        moat delete --force "$ID"
        after_fault "$p" "$ID"
    done
}

@test "exec killed (the runtime, its helper, the new process): delete --force cleans up" {
    local p
    # execveat: the re-exec through the sealed binary; setns and chroot:
    # the helper; setresuid and capset: the exec'd process
    for p in execveat:when=1 socketpair:when=1 clone3:when=1 sendto:when=1 setns:when=1 \
        chroot:when=1 setresuid:when=1 capset:when=1 wait4:when=1; do
        moat run -d --bundle "$BUNDLE" "$ID"
        inject "$p" "$MOAT" --root "$ROOT" exec -d "$ID" sh -c 'while :; do sleep 1; done' "$ID" || true
        moat delete --force "$ID"
        after_fault "$p" "$ID"
    done
}

@test "delete killed midway: the next delete --force finishes it" {
    local p
    for p in pidfd_send_signal:when=1 rmdir:when=1 rmdir:when=2 unlinkat:when=1 \
        getdents64:when=1; do
        moat run -d --bundle "$BUNDLE" "$ID"
        inject "$p" "$MOAT" --root "$ROOT" delete --force "$ID" || true
        moat delete --force "$ID"
        after_fault "$p" "$ID"
    done
}

@test "a killed create is not listed, and list or the next create of its id clears it" {
    inject renameat:when=1 "$MOAT" --root "$ROOT" create --bundle "$BUNDLE" "$ID" || true
    # the intent is there: a state directory without state, and a cgroup
    [ -d "$ROOT/$ID" ] && [ ! -e "$ROOT/$ID/state" ]
    ls -d /sys/fs/cgroup/*/moat/"$ID"
    run moat state "$ID"
    assert_error "does not exist"
    [ -z "$(moat list -q)" ]
    after_fault renameat:when=1 "$ID"

    inject renameat:when=1 "$MOAT" --root "$ROOT" create --bundle "$BUNDLE" "$ID" || true
    [ -d "$ROOT/$ID" ]
    moat create --bundle "$BUNDLE" "$ID"
    [ "$(status_of "$ID")" = created ]
    moat delete --force "$ID"
    after_fault renameat:when=1 "$ID"
}

@test "a killed create that joined an existing cgroup: cleanup spares that cgroup and its processes" {
    # the unified hierarchy's directory exists, with another process in it;
    # the create only joins it there (and makes its own in the others)
    local cg=/sys/fs/cgroup/unified/shared-$$ victim
    mkdir -p "$cg"
    sleep 100 3>&- &
    victim=$!
    echo "$victim" > "$cg/cgroup.procs"
    cfg ".linux.cgroupsPath = \"/shared-$$\""
    inject renameat:when=1 "$MOAT" --root "$ROOT" create --bundle "$BUNDLE" "$ID" || true
    moat delete --force "$ID"
    local left=0
    kill -0 "$victim" 2>/dev/null && [ -d "$cg" ] || left=1
    kill "$victim" 2>/dev/null || true
    wait "$victim" 2>/dev/null || true
    # the killed create's own process in it is gone with its namespace
    for i in $(seq 50); do [ "$(cat "$cg/cgroup.procs")" = "" ] && break; sleep 0.1; done
    rmdir "$cg" 2>/dev/null || true
    [ "$left" = 0 ] || { echo "cleanup killed a process of a cgroup it did not make" >&2; return 1; }
    # the directories it made itself are gone
    [ -z "$(ls -d /sys/fs/cgroup/*/shared-$$ 2>/dev/null)" ]
}

@test "a record of what to clean up that moat did not write is not acted on" {
    # a cgroup that a forged record names: it must stay, with its process
    local cg=/sys/fs/cgroup/unified/moat/forged-$$ victim
    mkdir -p "$cg"
    sleep 100 3>&- &
    victim=$!
    echo "$victim" > "$cg/cgroup.procs"
    mkdir -p "$ROOT/forged-$$"
    printf '*:/moat/%%\n' > "$ROOT/forged-$$/intent"
    chown nobody "$ROOT/forged-$$/intent"
    moat list >/dev/null
    local left=0
    kill -0 "$victim" 2>/dev/null && [ -d "$cg" ] || left=1
    kill "$victim" 2>/dev/null || true
    wait "$victim" 2>/dev/null || true
    rmdir "$cg" 2>/dev/null || true
    [ "$left" = 0 ] || { echo "a forged record killed a process" >&2; return 1; }
    # the directory itself was not a container: it is gone
    [ ! -e "$ROOT/forged-$$" ]
}

@test "another user cannot hold up creates by locking a readable state root" {
    local d; d=$(mktemp -d /tmp/moat-faults.XXXXXX)
    chmod 755 "$d"
    mkdir -m 755 "$d/state"
    # flock(1) holds the lock and runs sleep (without the lock's fd) once
    # it has it
    setpriv --reuid=nobody --regid=nogroup --clear-groups flock -o "$d/state" sleep 60 3>&- &
    local holder=$! i
    for i in $(seq 50); do pgrep -P "$holder" >/dev/null && break; sleep 0.1; done
    pgrep -P "$holder" >/dev/null
    args true
    local st=0
    timeout 20 "$MOAT" --root "$d/state" run --bundle "$BUNDLE" "$ID" || st=$?
    kill $(pgrep -P "$holder") "$holder" 2>/dev/null || true
    wait "$holder" 2>/dev/null || true
    rm -rf "$d"
    [ "$st" -eq 0 ] || { echo "run: status $st (124: it waited for the other user's lock)" >&2; return 1; }
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

@test "an init whose runtime is killed dies with it, even after its ids changed" {
    # a user namespace: the init's setuid to root in it clears the
    # parent-death signal. A createContainer hook (run by the init) keeps
    # it busy; the runtime is killed meanwhile.
    cfg '.linux.namespaces += [{"type":"user"}] |
        .linux.uidMappings = [{"containerID":0,"hostID":200000,"size":65536}] |
        .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]'
    # where the hook (host uid 200000) can write: not under the test's 0700 tmpdir
    W=$(mktemp -d /tmp/moat-faults.XXXXXX)
    chmod 1777 "$W"
    cfg '.hooks = {"createContainer":[{"path":"/bin/sh","args":["sh","-c","echo > '"$W"'/busy; sleep 60"]}]}'
    "$MOAT" --root "$ROOT" create --bundle "$BUNDLE" "$ID" 3>&- &
    local rt=$! i
    for i in $(seq 100); do [ -e "$W/busy" ] && break; sleep 0.1; done
    rm -rf "$W"
    [ "$i" -lt 100 ]
    local init; init=$(pgrep -P "$rt")
    [ -n "$init" ]
    kill -9 "$rt"
    for i in $(seq 100); do kill -0 "$init" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$init" 2>/dev/null || { echo "the init outlived its runtime" >&2; return 1; }
    moat delete --force "$ID"
    assert_clean "$ID"
}

@test "rootless, in no cgroup: an init whose create is killed before the state is recorded exits" {
    local ruser=moat-rootless-test d pid
    id "$ruser" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$ruser"
    d=$(mktemp -d /tmp/moat-faults.XXXXXX)
    chmod 755 "$d"
    chown "$ruser:" "$d"
    cp "$MOAT" "$d/moat"
    # the checkout may be where the user cannot read (a 0700 directory)
    cp "$REPO/tests/lib/mkrootfs.sh" "$d/mkrootfs.sh"
    runuser -u "$ruser" -- sh "$d/mkrootfs.sh" "$d/bundle/rootfs" >/dev/null
    runuser -u "$ruser" -- sh -c "cd '$d/bundle' && '$d/moat' spec --rootless &&
        jq 'del(.linux.seccomp) | .process.terminal = false |
            .process.args = [\"sh\",\"-c\",\"sleep 100\",\"$ID\"]' config.json > c &&
        mv c config.json"
    # the state rename (no seccomp filter to cache before it): the init is
    # waiting for the word that the state is recorded
    grep -q '^\s*"seccomp"' "$d/bundle/config.json" && return 1
    AS_USER=$ruser inject renameat:when=1 "$d/moat" --root "$d/state" create --bundle "$d/bundle" "$ID" || true
    runuser -u "$ruser" -- "$d/moat" --root "$d/state" delete --force "$ID"
    local st=0
    after_fault renameat:when=1 "$ID" || st=1
    [ ! -e "$d/state/$ID" ] || st=1
    rm -rf "$d"
    return $st
}

# ---- the engine ----

# every container id the store has a trace of (records, runtime state)
engine_ids() {
    ls -A "$STORE/containers" "$STORE/run" 2>/dev/null | grep -E '^[0-9a-f]{64}$' | sort -u
}

# engine_after POINT NAME MARKER: what a user does after a failure: ps,
# then rm -f NAME if the record got as far as having it. Then nothing of
# the container is left (record, runtime state, mount, cgroup, process
# MARKER) and NAME can be used again.
engine_after() {
    local point=$1 name=$2 marker=$3 ids id d i
    m ps -a >/dev/null
    ids=$(engine_ids)
    if m inspect "$name" >/dev/null 2>&1; then
        m rm -f "$name" >/dev/null || { echo "$point: rm -f $name failed" >&2; return 1; }
    fi
    [ -z "$(m ps -aq)" ] || { echo "$point: still listed: $(m ps -a)" >&2; return 1; }
    for i in $(seq 100); do
        pgrep -f -- "-o $TRACE" >/dev/null || break
        sleep 0.1
    done
    ! pgrep -f -- "-o $TRACE" >/dev/null || { echo "$point: a traced process is left" >&2; return 1; }
    grep -q 'killed by SIGKILL' "$TRACE" ||
        { echo "$point: no process reached this point: update the list" >&2; return 1; }
    [ -z "$(ls -A "$STORE/containers")" ] ||
        { echo "$point: record left: $(ls "$STORE/containers")" >&2; return 1; }
    [ -z "$(engine_ids)" ] || { echo "$point: runtime state left: $(ls -A "$STORE/run")" >&2; return 1; }
    ! grep -q "$STORE" /proc/self/mountinfo || { echo "$point: mount left" >&2; return 1; }
    for id in $ids; do
        d=$(find /sys/fs/cgroup -maxdepth 5 -name "$id")
        [ -z "$d" ] || { echo "$point: cgroup left: $d" >&2; return 1; }
    done
    ! pgrep -f -- "$marker" >/dev/null || { echo "$point: process left: $(pgrep -af -- "$marker")" >&2; return 1; }
    m run -d --name "$name" bb:1 true >/dev/null || { echo "$point: $name is not free" >&2; return 1; }
    m rm -f "$name" >/dev/null
}

# run -d: renameat 1 and clone are the CLI's (its record, its fork of the
# monitor); mount (the overlay), fsetxattr (the intent), clone3 (the
# init), sendmsg (the bind mounts), sendto 2 (the handover), pidfd_open
# (the wait for the exec) and signalfd4 (the container runs) the
# monitor's; unshare, pivot_root, setresuid (1: before the handover, 2:
# after it) the init's
ENGINE_POINTS="renameat:when=1 clone:when=1 mount:when=1 fsetxattr:when=1 clone3:when=1
    sendmsg:when=1 unshare:when=1 pivot_root:when=1 setresuid:when=1 sendto:when=2
    setresuid:when=2 pidfd_open:when=1 signalfd4:when=1"

@test "engine run -d killed anywhere (CLI, monitor, init): no hang; rm -f cleans up, the name is free" {
    local p st
    for p in $ENGINE_POINTS; do
        st=0
        inject "$p" "$MOAT" --root "$STORE" run -d --name faulty bb:1 \
            sh -c 'while :; do sleep 1; done' faulty-proc >/dev/null 2>&1 || st=$?
        [ "$st" -ne 124 ] || { echo "$p: run -d hangs" >&2; return 1; }
        engine_after "$p" faulty faulty-proc
    done
}

@test "engine: an init that dies during setup fails run -d; the record says why; rm -f frees the name" {
    run inject setresuid:when=2 "$MOAT" --root "$STORE" run -d --name dies bb:1 true
    [ "$status" -ne 124 ]
    [ "$status" -ne 0 ]
    [[ "$output" == *"exited before it started the process"* ]]
    [ "$(m inspect dies | jq -r '.[0].State.Status')" = exited ]
    [[ "$(m inspect dies | jq -r '.[0].State.Error')" == *"exited before it started"* ]]
    engine_after setresuid:when=2 dies dies-proc
}

@test "engine: a monitor killed after the state was recorded: the record says so, rm -f cleans up" {
    # pidfd_open: the monitor's wait for the exec; the container runs on
    inject pidfd_open:when=1 "$MOAT" --root "$STORE" run -d --name half bb:1 \
        sh -c 'while :; do sleep 1; done' half-proc >/dev/null 2>&1 || true
    [ "$(m inspect half | jq -r '.[0].State.Status')" = exited ]
    [[ "$(m inspect half | jq -r '.[0].State.Error')" == *"died while it started it"* ]]
    # the repair removed the container it had started
    ! pgrep -f -- half-proc >/dev/null
    engine_after pidfd_open:when=1 half half-proc
}

@test "engine rm -f killed midway: the next rm -f finishes" {
    local p
    # pidfd_send_signal: the kill; renameat: the record moved to tmp/;
    # unlinkat and getdents64: its removal
    for p in pidfd_send_signal:when=1 renameat:when=1 unlinkat:when=1 getdents64:when=3; do
        m run -d --name gone bb:1 sh -c 'while :; do sleep 1; done' gone-proc >/dev/null
        inject "$p" "$MOAT" --root "$STORE" rm -f gone >/dev/null 2>&1 || true
        engine_after "$p" gone gone-proc
    done
}

@test "engine: the monitor killed while the container runs or ends: rm -f cleans up" {
    local p
    # poll 3: the monitor's loop (1 and 2 are its wait for the exec);
    # wait4 2: its reaping of the container
    for p in poll:when=3 wait4:when=2; do
        inject "$p" "$MOAT" --root "$STORE" run -d --name mon bb:1 \
            sh -c 'sleep 1; exit 3' mon-proc >/dev/null 2>&1 || true
        engine_after "$p" mon mon-proc
    done
}
