#!/usr/bin/env bats
# Regression tests for the container escapes that hit runc and crun.

load common

setup_file() { setup_rootfs; }
setup() {
    common_setup
    args sleep 60
}
teardown() { common_teardown; }

py() { python3 -c "$@"; }

@test "CVE-2019-5736: the init is closed to the container's processes before start" {
    moat create --bundle "$BUNDLE" "$ID" > /dev/null
    # in a pid namespace of its own the init runs moat itself, non-dumpable:
    # root in the container (same uid, same capabilities) cannot open it
    run moat exec "$ID" ls -l /proc/1/exe
    [[ "$output" == *"cannot read link: Permission denied"* ]]
    run moat exec "$ID" cat /proc/1/exe
    [ "$status" -ne 0 ]
    [[ "$output" == *"Permission denied"* ]]
    # CAP_SYS_PTRACE would open it: such an exec waits for start
    run moat exec --cap CAP_SYS_PTRACE "$ID" readlink /proc/1/exe
    assert_error "cannot exec with CAP_SYS_PTRACE in container \"$ID\" before it is started"
    moat start "$ID"
    run moat exec --cap CAP_SYS_PTRACE "$ID" readlink /proc/1/exe
    [ "$status" -eq 0 ]
    [ "$output" = /bin/busybox ]
    cmp "$MOAT" "$(dirname "$MOAT")/moat"
}

# a running container whose pid namespace others join
start_pidns_owner() {
    OWNER="pidns-owner-$$-$BATS_TEST_NUMBER"
    moat run -d --bundle "$BUNDLE" "$OWNER" > /dev/null
    [ "$(status_of "$OWNER")" = running ]
    NSPATH=/proc/$(pid_of "$OWNER")/ns/pid
}

@test "CVE-2019-5736: an init joining a pid namespace runs a read-only view of moat" {
    start_pidns_owner
    cfg ".linux.namespaces |= map(if .type == \"pid\" then .path = \"$NSPATH\" else . end)"
    moat create --bundle "$BUNDLE" "$ID" > /dev/null
    local pid; pid=$(pid_of "$ID")
    # the binary behind /proc/PID/exe is on a read-only mount
    [ "$(py "import os; print(os.statvfs('/proc/$pid/exe').f_flag & os.ST_RDONLY)")" -eq 1 ]
    [ "$(readlink /proc/$pid/exe)" != "$(readlink -f "$MOAT")" ]
    # the attack: keep a handle while moat runs in the container, reopen it
    # for writing once the container's process has replaced moat
    run py "
import os, subprocess, errno
fd = os.open('/proc/$pid/exe', os.O_PATH)
subprocess.run(['$MOAT', '--root', '$ROOT', 'start', '$ID'], check=True)
try:
    w = os.open('/proc/self/fd/%d' % fd, os.O_WRONLY)
    os.close(w)
    print('WRITABLE')
except OSError as e:
    print(errno.errorcode[e.errno])
"
    [ "$output" = EROFS ]
    cmp "$MOAT" "$(dirname "$MOAT")/moat"
}

@test "CVE-2019-5736: CAP_SYS_PTRACE may not join a pid namespace whose init has not started" {
    OWNER="pidns-owner-$$-$BATS_TEST_NUMBER"
    moat create --bundle "$BUNDLE" "$OWNER" > /dev/null
    local opid; opid=$(pid_of "$OWNER")
    cfg ".linux.namespaces |= map(if .type == \"pid\" then .path = \"/proc/$opid/ns/pid\" else . end)
       | .process.capabilities.bounding += [\"CAP_SYS_PTRACE\"]"
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error "linux.namespaces: pid: \"/proc/$opid/ns/pid\" holds a container init that has not started (pid $opid)"
    assert_clean "$ID"
    # once it has started, the join is fine
    moat start "$OWNER"
    moat create --bundle "$BUNDLE" "$ID" > /dev/null
    [ "$(status_of "$ID")" = created ]
}

@test "CVE-2019-5736: no re-exec where the container's root cannot write the binary" {
    # root mapped to an unprivileged uid: the binary (owned by root) is safe
    cfg '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":200000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]'
    cfg '.mounts |= map(select(.type != "cgroup"))'
    moat create --bundle "$BUNDLE" "$ID" > /dev/null
    local pid; pid=$(pid_of "$ID")
    [ "$(py "import os; print(os.statvfs('/proc/$pid/exe').f_flag & os.ST_RDONLY)")" -eq 0 ]
    [ "$(stat -c %u "$(readlink -f /proc/$pid/exe)")" -eq 0 ]
}

@test "CVE-2021-30465: a symlink in the rootfs cannot point a mount outside it" {
    writable_rootfs
    local victim="$BATS_TEST_TMPDIR/host-victim"
    mkdir -p "$victim/sub"
    ln -s "$victim" "$BATS_TEST_TMPDIR/rootfs/abs-link"
    ln -s ../../../../../../../../../../.. "$BATS_TEST_TMPDIR/rootfs/rel-link"
    cfg ".mounts += [{\"destination\":\"/abs-link/sub\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},
                    {\"destination\":\"/rel-link$victim/sub\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]"
    args sh -c "grep -c \"$victim/sub\" /proc/self/mountinfo"
    local before; before=$(grep -c . /proc/self/mountinfo)
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    # both landed inside the rootfs (at rootfs/$victim/sub), not on the host
    [ "$output" -eq 2 ]
    [ -d "$BATS_TEST_TMPDIR/rootfs$victim/sub" ]
    ! grep -q " $victim/sub " /proc/self/mountinfo
    [ "$(grep -c . /proc/self/mountinfo)" -eq "$before" ]
}

@test "CVE-2021-30465: magic links are refused as mount destinations" {
    cfg '.mounts += [{"destination":"/proc/self/root/etc","type":"tmpfs","source":"tmpfs"}]'
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error 'mounts[7] (tmpfs on /proc/self/root/etc): resolve "/proc/self/root/etc"'
    assert_clean "$ID"
}

@test "CVE-2024-21626: a leaked fd can never become the cwd" {
    local fd
    for fd in 3 4 5 6 7 8 9 10; do
        cfg ".process.cwd = \"/proc/self/fd/$fd\""
        run moat run --bundle "$BUNDLE" "$ID-$fd"
        [ "$status" -ne 0 ]
        [[ "$output" == *'process.cwd'* ]]
        assert_clean "$ID-$fd"
    done
    cfg '.process.cwd = "/"'
    timeout 10 "$MOAT" --root "$ROOT" run -d --bundle "$BUNDLE" "$ID" > /dev/null
    for fd in 3 4 5 6 7; do
        run moat exec --cwd "/proc/self/fd/$fd" "$ID" pwd
        [ "$status" -ne 0 ]
        [[ "$output" != /* ]]
    done
}

@test "CVE-2025-31133: masked paths use the host's real /dev/null" {
    # the container's /dev is a bind mount whose "null" is a symlink to a
    # sensitive procfs file: masking must not mount that file anywhere
    mkdir -p "$BATS_TEST_TMPDIR/devdir"
    ln -s /proc/sys/kernel/core_pattern "$BATS_TEST_TMPDIR/devdir/null"
    cfg ".mounts |= map(if .destination == \"/dev\" then {\"destination\":\"/dev\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/devdir\",\"options\":[\"rbind\"]} else . end)
         | .mounts |= map(select(.destination | startswith(\"/dev/\") | not))"
    args sh -c 'stat -c %t:%T /proc/keys; grep -c core_pattern /proc/self/mountinfo; true'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "${lines[0]}" = 1:3 ]
    [ "${lines[1]}" = 0 ]
}

@test "CVE-2025-52565: /dev/console is checked before the pty is mounted on it" {
    mkdir -p "$BATS_TEST_TMPDIR/devdir/pts"
    ln -s /proc/sys/kernel/core_pattern "$BATS_TEST_TMPDIR/devdir/console"
    cfg ".mounts |= map(if .destination == \"/dev\" then {\"destination\":\"/dev\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/devdir\",\"options\":[\"rbind\"]} else . end)
         | .mounts |= map(select(.destination != \"/dev/shm\" and .destination != \"/dev/mqueue\"))
         | .process.terminal = true"
    ln -s pts/ptmx "$BATS_TEST_TMPDIR/devdir/ptmx"
    args sh -c 'stat -c %t /dev/console; grep -c core_pattern /proc/self/mountinfo; true'
    start_recvtty
    moat run -d --console-socket "$BATS_TEST_TMPDIR/sock" --bundle "$BUNDLE" "$ID"
    wait "$RECVTTY_PID"
    tr -d '\r' < "$BATS_TEST_TMPDIR/tty.out" > "$BATS_TEST_TMPDIR/tty.txt"
    # 0x88 = 136: a pty slave; nothing is mounted on core_pattern
    [ "$(sed -n 1p "$BATS_TEST_TMPDIR/tty.txt")" = 88 ]
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/tty.txt")" = 0 ]
}

@test "CVE-2025-52881: sysctl writes land in the real procfs" {
    # a file bind-mounted over the sysctl's path must not receive the write
    echo host-file > "$BATS_TEST_TMPDIR/decoy"
    cfg ".mounts += [{\"destination\":\"/proc/sys/kernel/msgmax\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/decoy\",\"options\":[\"bind\"]}]
         | .linux.sysctl = {\"kernel.msgmax\": \"23456\"}
         | .linux.readonlyPaths |= map(select(. != \"/proc/sys\"))"
    timeout 10 "$MOAT" --root "$ROOT" run -d --bundle "$BUNDLE" "$ID" > /dev/null
    [ "$(cat "$BATS_TEST_TMPDIR/decoy")" = host-file ]
    [ "$(nsenter --ipc=/proc/$(pid_of "$ID")/ns/ipc cat /proc/sys/kernel/msgmax)" = 23456 ]
}

@test "CVE-2025-52881: a fake /proc does not receive procfs writes" {
    cfg '.mounts |= map(if .destination == "/proc" then {"destination":"/proc","type":"tmpfs","source":"tmpfs"} else . end)
         | .linux.sysctl = {"kernel.msgmax": "34567"} | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
    timeout 10 "$MOAT" --root "$ROOT" run -d --bundle "$BUNDLE" "$ID" > /dev/null
    [ "$(nsenter --ipc=/proc/$(pid_of "$ID")/ns/ipc cat /proc/sys/kernel/msgmax)" = 34567 ]
    [ ! -e "/proc/$(pid_of "$ID")/root/proc/sys" ]
}

@test "the init is not dumpable while moat runs in the container" {
    moat create --bundle "$BUNDLE" "$ID" > /dev/null
    local pid; pid=$(pid_of "$ID")
    # a non-dumpable process' /proc files belong to root, not to its user
    [ "$(stat -c %U /proc/$pid/fd)" = root ]
    run py "import os; os.readlink('/proc/$pid/exe')"
    [ "$status" -eq 0 ]
}
