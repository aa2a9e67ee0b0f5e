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

@test "CVE-2019-5736: the init of a container runs a read-only view of moat" {
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
    "$RECVTTY" "$BATS_TEST_TMPDIR/sock" > "$BATS_TEST_TMPDIR/tty.out" &
    local rpid=$!
    for i in $(seq 30); do [ -S "$BATS_TEST_TMPDIR/sock" ] && break; sleep 0.1; done
    moat run -d --console-socket "$BATS_TEST_TMPDIR/sock" --bundle "$BUNDLE" "$ID"
    wait "$rpid"
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
