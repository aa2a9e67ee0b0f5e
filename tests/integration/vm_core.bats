#!/usr/bin/env bats
# The VM core without the runtime (src/vm): moat-vmm boots Debian's cloud
# kernel under QEMU with moat's initramfs (tests/helpers/vmkit.c makes it)
# and runs a process in a busybox rootfs shared with virtiofs. Each boot
# takes a few seconds under TCG. Skipped without QEMU or the kernel
# (scripts/setup.sh installs both).

load common
bats_require_minimum_version 1.5.0

VMKIT=${VMKIT:-$(dirname "$MOAT")/tests/vmkit}
VMEXEC=${VMEXEC:-$(dirname "$MOAT")/tests/vmexec}

setup_file() {
    [ "$(id -u)" = 0 ] || return 0
    command -v qemu-system-x86_64 > /dev/null || return 0
    [ -x /usr/lib/qemu/virtiofsd ] || return 0
    # the guest's init is the static release binary (an ASan build is dynamic)
    local init=$MOAT
    ldd "$init" > /dev/null 2>&1 && init=$REPO/build/moat
    local kit
    kit=$("$VMKIT" "$init") || return 0
    export VM_KERNEL=${kit%%$'\n'*} VM_INITRD=${kit#*$'\n'}
}

setup() {
    [ "$(id -u)" = 0 ] || skip "needs root"
    [ -n "${VM_KERNEL:-}" ] || skip "no QEMU, virtiofsd or VM kernel (run scripts/setup.sh)"
    VROOT=$BATS_TEST_TMPDIR/rootfs
    sh "$REPO/tests/lib/mkrootfs.sh" "$VROOT" > /dev/null
    RUN=$BATS_TEST_TMPDIR/run
    SPEC=$BATS_TEST_TMPDIR/spec.json
}

teardown() {
    # nothing of the VM is left: QEMU's and virtiofsd's command lines name
    # this test's directory (the kernel link, the rootfs)
    [ -z "${BATS_TEST_TMPDIR:-}" ] || ! pgrep -f "$BATS_TEST_TMPDIR" > /dev/null
}

# spec [-t] [-k KERNEL] [-b BOOT_TIMEOUT_MS] ARG...: the vm spec
spec() {
    local term=false kernel=$BATS_TEST_TMPDIR/vmlinux bt=30000
    ln -sf "$VM_KERNEL" "$BATS_TEST_TMPDIR/vmlinux"
    while :; do
        case $1 in
        -t) term=true; shift ;;
        -k) kernel=$2; shift 2 ;;
        -b) bt=$2; shift 2 ;;
        *) break ;;
        esac
    done
    local a; a=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
    jq -n --arg k "$kernel" --arg i "$VM_INITRD" --arg r "$VROOT" --arg d "$RUN" \
        --argjson a "$a" --argjson t "$term" --argjson bt "$bt" '{
        kernel: $k, initrd: $i, rootfs: $r, run_dir: $d, boot_timeout_ms: $bt,
        exec_socket: ($d + "/exec.sock"), accel: "tcg", memory_mib: 256,
        guest: {terminal: $t, hostname: "vmguest",
            process: {args: $a, cwd: "/", env: ["PATH=/bin:/usr/bin"], user: {uid: 0, gid: 0}},
            mounts: [{destination: "/proc", type: "proc", source: "proc"}]}}' > "$SPEC"
}

vmm() {
    timeout 60 bash -c 'exec -a moat-vmm "$0" "$1"' "$MOAT" "$SPEC"
}

# wait_for FILE TEXT: until FILE holds TEXT (the guest is slow to boot)
wait_for() {
    local i
    for i in $(seq 300); do grep -q "$2" "$1" 2> /dev/null && return 0; sleep 0.1; done
    cat "$1"
    return 1
}

@test "vm: the guest runs the cloud kernel, writes reach the host's rootfs, the exit code passes" {
    spec sh -c 'uname -r; hostname; echo from-guest > /written; exit 42'
    run vmm
    [ "$status" -eq 42 ]
    [ "${lines[0]}" != "$(uname -r)" ]
    [[ "${lines[0]}" == *-cloud-amd64 ]]
    [ "${lines[1]}" = vmguest ]
    [ "$(cat "$VROOT/written")" = from-guest ]
}

@test "vm: the container's process is pid 1 of a PID namespace of its own, as in a container" {
    # its own USR1 (no handler) does nothing to pid 1; the guest's init is
    # not in its /proc
    spec sh -c 'kill -USR1 $$; echo "pid $$ lives on"; cat /proc/1/comm; ls /proc | grep -c "^[0-9]"'
    run vmm
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "pid 1 lives on" ]
    [ "${lines[1]}" = sh ]
    [ "${lines[2]}" -le 3 ] # sh, ls, grep
}

@test "vm: stdin reaches the process and EOF ends it; stdout and stderr stay apart" {
    spec sh -c 'cat; echo done; echo to-stderr >&2'
    printf 'line 1\nline 2\n' | vmm > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err"
    [ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'line 1\nline 2\ndone')" ]
    [ "$(cat "$BATS_TEST_TMPDIR/err")" = to-stderr ]
}

@test "vm: a terminal spec gives the process a tty, and only the guest's echoes" {
    spec -t sh -c 'test -t 0 && test -t 1 && echo is-a-tty; read x; echo "got:$x"'
    # the supervisor on a pty of its own: it makes that one raw, so what is
    # typed is echoed once (by the guest's pty) and lines end in one \r
    run python3 "$REPO/tests/helpers/ptytype.py" is-a-tty 'hello\r' \
        bash -c 'exec -a moat-vmm "$0" "$1"' "$MOAT" "$SPEC"
    [ "$status" -eq 0 ]
    [ "$output" = "b'is-a-tty\\r\\nhello\\r\\ngot:hello\\r\\n'" ]
}

@test "vm: SIGTERM to the supervisor reaches the process; exec runs a second process in the same guest" {
    spec sh -c 'trap "echo got-term; exit 7" TERM; cat /proc/sys/kernel/random/boot_id; echo ready; while :; do sleep 0.1; done'
    # timeout passes the TERM on to its process group: the supervisor's
    # children, in sessions of their own, are not in it
    timeout 60 bash -c 'exec -a moat-vmm "$0" "$1"' "$MOAT" "$SPEC" < /dev/null > "$BATS_TEST_TMPDIR/out" 2>&1 &
    local pid=$!
    wait_for "$BATS_TEST_TMPDIR/out" ready
    # QEMU: its own seccomp filter, and no fd of the host's but its
    # sockets, its log pipe and /dev/null (its memory and eventfds are its own)
    local q; q=$(pgrep -f "qemu-system-x86_64 .*$BATS_TEST_TMPDIR")
    grep -q '^Seccomp:[[:space:]]*2' "/proc/$q/status"
    grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$q/status"
    local fd
    for fd in /proc/"$q"/fd/*; do
        [[ "$(readlink "$fd")" =~ ^(/dev/null|pipe:|socket:|anon_inode:|/memfd:) ]] || {
            echo "QEMU holds $fd -> $(readlink "$fd")"; false; }
    done
    run "$VMEXEC" "$RUN/exec.sock" cat /proc/sys/kernel/random/boot_id
    [ "$status" -eq 0 ]
    [ "$output" = "$(head -1 "$BATS_TEST_TMPDIR/out")" ]
    run bash -c 'echo to-exec | "$0" "$1" sh -c "cat; exit 5"' "$VMEXEC" "$RUN/exec.sock"
    [ "$status" -eq 5 ]
    [ "$output" = to-exec ]
    # a process killed by a signal in the guest gives 128 + n; an exec is
    # in the container's PID namespace (its pid 1 is the container's)
    run "$VMEXEC" "$RUN/exec.sock" sh -c 'cat /proc/1/cmdline | tr "\0" " "; kill -USR1 $$'
    [ "$status" -eq 138 ]
    [[ "$output" == "sh -c trap"* ]]
    # two at once, the first ending last: each gets its own status
    "$VMEXEC" "$RUN/exec.sock" sh -c 'sleep 1; echo slow; exit 3' > "$BATS_TEST_TMPDIR/slow" &
    local slow=$!
    run "$VMEXEC" "$RUN/exec.sock" sh -c 'echo fast; exit 4'
    [ "$status" -eq 4 ]
    [ "$output" = fast ]
    local sst=0
    wait "$slow" || sst=$?
    [ "$sst" -eq 3 ]
    [ "$(cat "$BATS_TEST_TMPDIR/slow")" = slow ]
    run -127 "$VMEXEC" "$RUN/exec.sock" /no/such/program
    [[ "$output" == *'exec "/no/such/program"'* ]]
    kill -TERM "$pid"
    local st=0
    wait "$pid" || st=$?
    [ "$st" -eq 7 ]
    grep -q got-term "$BATS_TEST_TMPDIR/out"
    [ ! -e "$RUN/exec.sock" ]
}

@test "vm: a kernel that does not boot ends with an error and status 125, and nothing left" {
    head -c 1048576 /dev/urandom > "$BATS_TEST_TMPDIR/bogus"
    spec -k "$BATS_TEST_TMPDIR/bogus" true
    run vmm
    [ "$status" -eq 125 ]
    [[ "$output" == *"QEMU exited with status 1 before the container's process ended"* ]]
    # virtiofsd fails (no such rootfs): said so, not blamed on QEMU
    VROOT=$BATS_TEST_TMPDIR/no-such-rootfs spec true
    run vmm
    [ "$status" -eq 125 ]
    [[ "$output" == *"virtiofsd exited with status 1 before the container's process ended"* ]]
    [[ "$output" == *'failed to stat source'* ]]
    # a kernel that boots too slowly for its timeout: killed at the deadline
    spec -b 200 true
    run vmm
    [ "$status" -eq 125 ]
    [[ "$output" == *"the VM did not boot within 200 ms"* ]]
    [ -z "$(ls -A "$RUN")" ]
}
