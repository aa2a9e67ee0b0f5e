#!/usr/bin/env bats
# Filesystem: rootfs, mounts and options, /dev, masked and read-only paths,
# propagation.

load common

setup_file() { setup_rootfs; }
setup() { common_setup; }
teardown() { common_teardown; }

@test "root.readonly: / is read-only, mounts on it are not" {
    args sh -c 'touch /x 2>&1; touch /dev/shm/x && echo shm-ok'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"Read-only file system"* ]]
    [[ "$output" == *shm-ok* ]]
}

@test "bind mounts: rw, ro, rbind, file, relative source" {
    mkdir -p "$BUNDLE/data/sub" "$BATS_TEST_TMPDIR/sub-src"
    echo file-content > "$BUNDLE/afile"
    echo in-sub > "$BATS_TEST_TMPDIR/sub-src/f"
    mount --bind "$BATS_TEST_TMPDIR/sub-src" "$BUNDLE/data/sub"
    cfg '.mounts += [
      {"destination":"/rw","type":"bind","source":"data","options":["bind"]},
      {"destination":"/ro","type":"bind","source":"data","options":["rbind","ro"]},
      {"destination":"/etc/afile","type":"bind","source":"afile","options":["bind","ro"]}]'
    args sh -c 'touch /rw/w && echo rw-ok; touch /ro/w 2>&1; cat /ro/sub/f; cat /etc/afile'
    run moat run --bundle "$BUNDLE" "$ID"
    umount "$BUNDLE/data/sub"
    [[ "$output" == *rw-ok* ]]
    [[ "$output" == *"Read-only file system"* ]]
    [[ "$output" == *in-sub* ]]
    [[ "$output" == *file-content* ]]
    [ -e "$BUNDLE/data/w" ]
    assert_clean "$ID"
}

@test "a created container's init holds nothing of the host's: bind sources and cgroup handles are closed" {
    mkdir -p "$BUNDLE/srcdir"
    cfg '.mounts += [{"destination":"/b","type":"bind","source":"srcdir","options":["bind"]}]'
    args sleep 100
    for flag in "" --no-pivot; do
        moat create $flag --bundle "$BUNDLE" "$ID"
        pid=$(pid_of "$ID")
        # waiting for start, after pivot_root: its descriptors
        ls -l "/proc/$pid/fd" >&2
        [ -z "$(ls -l "/proc/$pid/fd" | grep -e "$BUNDLE" -e /sys/fs/cgroup)" ]
        moat delete -f "$ID"
    done
}

@test "mount options reach the kernel (tmpfs size, mode, nosuid, noexec)" {
    cfg '.mounts += [{"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["size=1m","mode=700","nosuid","noexec","nodev"]}]'
    args sh -c 'grep " /scratch " /proc/self/mountinfo; stat -c %a /scratch'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "${lines[0]}" == *"nosuid,nodev,noexec"* ]]
    [[ "${lines[0]}" == *"size=1024k"* ]]
    [ "${lines[1]}" = 700 ]
}

@test "mounts are made in the order of the config" {
    cfg '.mounts += [{"destination":"/a","type":"tmpfs","source":"tmpfs"},
                     {"destination":"/a/b","type":"bind","source":"/etc","options":["bind"]},
                     {"destination":"/a/b/c","type":"tmpfs","source":"tmpfs"}]'
    args sh -c 'cut -d" " -f5 /proc/self/mountinfo | grep "^/a" | tr "\n" " "'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$output" = "/a /a/b /a/b/c " ]
}

@test "default devices and /dev symlinks" {
    args sh -c 'for d in null zero full random urandom tty; do stat -c "%n %t:%T %a" /dev/$d; done; for l in fd ptmx stdin; do readlink /dev/$l; done'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"/dev/null 1:3 666"* ]]
    [[ "$output" == *"/dev/zero 1:5 666"* ]]
    [[ "$output" == *"/dev/full 1:7 666"* ]]
    [[ "$output" == *"/dev/random 1:8 666"* ]]
    [[ "$output" == *"/dev/urandom 1:9 666"* ]]
    [[ "$output" == *"/dev/tty 5:0 666"* ]]
    [[ "$output" == */proc/self/fd* ]]
    [[ "$output" == *pts/ptmx* ]]
}

@test "linux.devices: nodes with mode and owner; the cgroup decides access" {
    cfg '.linux.devices = [{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":438,"uid":1000,"gid":1000},
                           {"path":"/dev/sub/null2","type":"c","major":1,"minor":3}]'
    cfg '.linux.resources.devices += [{"allow":true,"type":"c","major":1,"minor":3,"access":"rw"}]'
    args sh -c 'stat -c "%n %t:%T %a %u:%g" /dev/fuse /dev/sub/null2; echo x > /dev/sub/null2 && echo write-ok; cat /dev/fuse 2>&1'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"/dev/fuse a:e5 666 1000:1000"* ]]
    [[ "$output" == *"/dev/sub/null2 1:3"* ]]
    [[ "$output" == *write-ok* ]]
    # 10:229 is not allowed by the device cgroup
    [[ "$output" == *"Operation not permitted"* ]]
}

@test "maskedPaths: files read as empty, directories are empty" {
    # /proc/keys and /sys/firmware exist on this kernel (kcore does not)
    cfg '.linux.maskedPaths += ["/proc/tty"]'
    args sh -c 'wc -c < /proc/keys; ls /sys/firmware | wc -l; stat -c %t:%T /proc/keys; ls /proc/tty | wc -l; touch /proc/tty/x /sys/firmware/x 2>&1'
    [ -n "$(ls /sys/firmware)" ]
    [ -n "$(ls /proc/tty)" ]
    [ -n "$(cat /proc/keys)" ]
    run moat run --bundle "$BUNDLE" "$ID"
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = 0 ]
    [ "${lines[2]}" = 1:3 ]
    [ "${lines[3]}" = 0 ]
    # both directories are masked read-only (one shared empty tmpfs)
    [ "$(echo "$output" | grep -c 'Read-only file system')" -eq 2 ]
}

@test "readonlyPaths are read-only, recursively" {
    cfg '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
    cfg '.linux.readonlyPaths += ["/proc/bus", "/dev"]'
    args sh -c 'echo 1 > /proc/sys/kernel/shmmax 2>&1; touch /dev/x 2>&1; awk "\$5 ~ \"^/dev\" {print \$5, \$6}" /proc/self/mountinfo'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$(echo "$output" | grep -c 'Read-only file system')" -eq 2 ]
    # recursive: the mounts below /dev are read-only too
    [[ "$output" == *"/dev/pts ro,"* ]]
    [[ "$output" == *"/dev/shm ro,"* ]]
}

@test "rootfsPropagation=shared: / is shared inside the container" {
    cfg '.linux.rootfsPropagation = "shared"'
    args sh -c 'awk "\$5 == \"/\"" /proc/self/mountinfo'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *shared:* ]]
}

@test "mounts made in the container never propagate to a shared host mount" {
    # the rootfs sits on a shared mount of the host
    mkdir -p "$BATS_TEST_TMPDIR/shared"
    cp -a "$ROOTFS" "$BATS_TEST_TMPDIR/shared/rootfs"
    mount --bind "$BATS_TEST_TMPDIR/shared" "$BATS_TEST_TMPDIR/shared"
    mount --make-shared "$BATS_TEST_TMPDIR/shared"
    cfg ".root.path = \"$BATS_TEST_TMPDIR/shared/rootfs\""
    args sh -c 'grep -c . /proc/self/mountinfo'
    run moat run --bundle "$BUNDLE" "$ID"
    local leaked; leaked=$(grep -c " $BATS_TEST_TMPDIR/shared/rootfs/" /proc/self/mountinfo || true)
    umount "$BATS_TEST_TMPDIR/shared"
    [ "$status" -eq 0 ]
    [ "$leaked" -eq 0 ]
}

@test "cgroup mount: the container sees its own cgroups" {
    args sh -c 'ls /sys/fs/cgroup; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
    cfg '.linux.resources.pids = {"limit": 33}'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "${lines[-1]}" = 33 ]
}

@test "tmpcopyup copies the directory below into the tmpfs" {
    writable_rootfs
    mkdir -p "$BATS_TEST_TMPDIR/rootfs/opt/app"
    echo seeded > "$BATS_TEST_TMPDIR/rootfs/opt/app/f"
    cfg '.mounts += [{"destination":"/opt/app","type":"tmpfs","source":"tmpfs","options":["tmpcopyup"]}]'
    args sh -c 'cat /opt/app/f; echo new > /opt/app/g; grep -c " /opt/app " /proc/self/mountinfo'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "${lines[0]}" = seeded ]
    [ "${lines[1]}" = 1 ]
    [ ! -e "$BATS_TEST_TMPDIR/rootfs/opt/app/g" ]
}

@test "--no-pivot uses chroot" {
    args sh -c 'ls /; echo ok'
    run moat run --no-pivot --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [[ "$output" == *ok* ]]
    [[ "$output" == *bin* ]]
}

@test "hostname and domainname" {
    cfg '.hostname = "box" | .domainname = "example.org"'
    args sh -c 'hostname; cat /proc/sys/kernel/domainname'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "${lines[0]}" = box ]
    [ "${lines[1]}" = example.org ]
    [ "$(hostname)" != box ]
}

@test "sysctl in the container's IPC and network namespaces" {
    cfg '.linux.sysctl = {"kernel.msgmax": "12345", "net.ipv4.ip_forward": "1"}'
    args sh -c 'cat /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ip_forward'
    local host_fwd; host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
    run moat run --bundle "$BUNDLE" "$ID"
    [ "${lines[0]}" = 12345 ]
    [ "${lines[1]}" = 1 ]
    [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
    [ "$(cat /proc/sys/kernel/msgmax)" != 12345 ]
}
