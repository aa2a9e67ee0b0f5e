#!/usr/bin/env bats
# Docker's cgroup, device and namespace flags of run/create (engine/ctr_res.c,
# ctr_ns.c): what the container's cgroup and namespaces really get, and the
# flag list checked against Docker 28's.

load common
load engine_common

bats_require_minimum_version 1.5.0

# a device node of this run's own (runs may overlap on one host)
TDEV=/dev/moat-test-$BATS_ROOT_PID

teardown() {
    engine_remove_all
    rm -f $TDEV
    [ -d /sys/fs/cgroup/memory/moat-test-parent ] && rmdir /sys/fs/cgroup/*/moat-test-parent 2>/dev/null
    true
}

# the container's cgroup file, v1 or v2: cg CTRL V1FILE V2FILE
cgfile() {
    if [ -d /sys/fs/cgroup/$1 ]; then echo "/sys/fs/cgroup/$1/$2"; else echo "/sys/fs/cgroup/$3"; fi
}

@test "run accepts every flag of docker run but the documented exceptions" {
    run -0 m run --help
    local missing=() f
    while read -r f rest; do
        case $f in '#'*|'') continue ;; esac
        case $rest in except:*) continue ;; esac
        grep -qE -- "--$f( |$)" <<< "$output" || missing+=("$f")
    done < "$BATS_TEST_DIRNAME/../data/docker-run-flags.txt"
    [ ${#missing[@]} -eq 0 ] || { echo "moat run lacks: ${missing[*]}"; false; }
    # and create has the same table
    run -0 m create --help
    grep -q -- "--device-read-bps" <<< "$output"
}

@test "--cpu-period and --cpu-quota set the CFS bandwidth; --cpus with them is refused" {
    local p q
    p=$(cgfile cpu cpu.cfs_period_us cpu.max)
    run -0 m run --rm --cpu-period 50000 --cpu-quota 25000 bb:1 cat "$p"
    if [ -d /sys/fs/cgroup/cpu ]; then
        q=$(cgfile cpu cpu.cfs_quota_us cpu.max)
        [ "$output" = 50000 ]
        run -0 m run --rm --cpu-period 50000 --cpu-quota 25000 bb:1 cat "$q"
        [ "$output" = 25000 ]
    else
        [ "$output" = "25000 50000" ]
    fi
    run -125 m run --rm --cpus 1 --cpu-period 50000 bb:1 true
    [[ $output == *"--cpus and --cpu-period"* ]]
    run -125 m run --rm --cpu-period 500 bb:1 true
    [[ $output == *"less than 1ms"* ]]
    run -125 m run --rm --cpu-quota 10 bb:1 true
}

@test "--memory-swappiness and --oom-kill-disable reach the memory cgroup (v1)" {
    [ -d /sys/fs/cgroup/memory ] || skip "cgroup v1 memory controller only"
    run -0 m run --rm --memory-swappiness 17 --oom-kill-disable -m 64m bb:1 \
        cat /sys/fs/cgroup/memory/memory.swappiness /sys/fs/cgroup/memory/memory.oom_control
    [ "${lines[0]}" = 17 ]
    [[ $output == *"oom_kill_disable 1"* ]]
    run -125 m run --rm --memory-swappiness 101 bb:1 true
    [[ $output == *"0 to 100"* || $output == *"0-100"* || $output == *"from -1 to 100"* ]]
}

@test "--device-read-bps and --device-write-iops throttle the device; a non-device is refused" {
    local dev rdev f
    dev=$(findmnt -no SOURCE / | head -1)
    [ -b "$dev" ] || dev=/dev/loop0
    [ -b "$dev" ] || skip "no block device"
    rdev=$(printf '%d:%d' "0x$(stat -c %t "$dev")" "0x$(stat -c %T "$dev")")
    f=$(cgfile blkio blkio.throttle.read_bps_device io.max)
    run -0 m run --rm --device-read-bps "$dev:1mb" --device-write-iops "$dev:77" bb:1 cat "$f"
    [[ $output == *"$rdev 1048576"* || $output == *"$rdev rbps=1048576"* ]]
    run -125 m run --rm --device-read-bps /etc/passwd:1mb bb:1 true
    [[ $output == *"not a block device"* ]]
    run -125 m run --rm --device-read-bps "$dev" bb:1 true
    [[ $output == *"PATH:RATE"* ]]
}

@test "--device binds the host's node with a cgroup rule; other paths and bad modes are refused" {
    # fuse's numbers, which no default device has
    mknod -m 666 $TDEV c 10 229
    run -0 m run --rm -e TDEV=$TDEV --device $TDEV bb:1 sh -c \
        'exec 3<> $TDEV && stat -c "%t:%T" $TDEV'
    [ "$output" = "a:e5" ]
    # read-only in the cgroup: opening it to write is refused
    run -0 m run --rm -e TDEV=$TDEV --device $TDEV:$TDEV:r bb:1 sh -c \
        'exec 3< $TDEV && echo read; (exec 4> $TDEV) || echo refused'
    [[ $output == *read*refused* ]]
    # without the flag it is not there
    run -1 m run --rm bb:1 ls $TDEV
    run -125 m run --rm --device $TDEV:/dev/other bb:1 true
    [[ $output == *"same path"* ]]
    run -125 m run --rm --device $TDEV:$TDEV:rwx bb:1 true
    run -125 m run --rm --device /etc/passwd bb:1 true
    [[ $output == *"not a device"* ]]
    run -125 m run --rm --device-cgroup-rule 'c 1:3 rwx' bb:1 true
    [[ $output == *"TYPE MAJOR:MINOR"* ]]
    run -125 m run --rm --device-cgroup-rule 'x *:* m' bb:1 true
    # nothing was left of the refused ones
    run -0 m ps -aq
    [ -z "$output" ]
    run -0 m inspect -f '{{range .HostConfig.Devices}}{{.CgroupPermissions}}{{end}}' \
        "$(m create --device $TDEV:$TDEV:rw bb:1 true)"
    [ "$output" = rw ]
}

@test "--pid host needs --userns host, and then sees the host's processes" {
    run -125 m run --rm --pid host bb:1 true
    [[ $output == *"--userns host"* ]]
    sleep 300 & local pid=$!
    run -0 m run --rm --userns host --pid host bb:1 sh -c "test -d /proc/$pid && readlink /proc/self/ns/pid"
    kill $pid
    [ "$output" = "$(readlink /proc/self/ns/pid)" ]
    # a private pid namespace by default
    run -0 m run --rm bb:1 readlink /proc/self/ns/pid
    [ "$output" != "$(readlink /proc/self/ns/pid)" ]
}

@test "--uts host shares the host's name and refuses --hostname; --ipc host and none" {
    run -0 m run --rm --uts host bb:1 hostname
    [ "$output" = "$(hostname)" ]
    run -125 m run --rm --uts host -h other bb:1 true
    [[ $output == *"conflicting options"* ]]
    run -0 m run --rm --ipc host bb:1 readlink /proc/self/ns/ipc
    [ "$output" = "$(readlink /proc/self/ns/ipc)" ]
    run -0 m run --rm bb:1 readlink /proc/self/ns/ipc
    [ "$output" != "$(readlink /proc/self/ns/ipc)" ]
    run -0 m run --rm --ipc none bb:1 sh -c 'grep -c " /dev/shm " /proc/mounts || true'
    [ "$output" = 0 ]
    run -125 m run --rm --ipc container:x bb:1 true
    [[ $output == *"no such container"* ]]
    run -125 m run --rm --pid bogus bb:1 true
}

@test "--cgroupns host and --cgroup-parent place the container's cgroup" {
    run -0 m run --rm --cgroupns host bb:1 readlink /proc/self/ns/cgroup
    [ "$output" = "$(readlink /proc/self/ns/cgroup)" ]
    run -0 m run --rm --cgroupns host --cgroup-parent moat-test-parent bb:1 cat /proc/self/cgroup
    [[ $output == *":/moat-test-parent/"* ]]
    run -125 m run --rm --cgroup-parent ../escape bb:1 true
    run -125 m run --rm --cgroupns other bb:1 true
}

@test "the single-choice flags: --platform, --runtime, --volume-driver, --gpus, --isolation" {
    run -0 m run --rm --platform linux/amd64 --runtime moat --volume-driver local \
        --isolation default --disable-content-trust bb:1 true
    run -125 m run --rm --platform linux/s390x bb:1 true
    [[ $output == *"does not emulate"* ]]
    run -125 m run --rm --runtime kata bb:1 true
    run -125 m run --rm --volume-driver nfs bb:1 true
    run -125 m run --rm --gpus all bb:1 true
    [[ $output == *"GPU"* ]]
    run -0 m run --rm --kernel-memory 64m bb:1 true
    [[ $output == *"deprecated"* ]]
    run -0 m inspect -f '{{.HostConfig.CpuPeriod}} {{.HostConfig.IpcMode}} {{.HostConfig.PidMode}}' \
        "$(m create --cpu-period 20000 --pid host --userns host bb:1 true)"
    [ "$output" = "20000 private host" ]
    run -0 m inspect -f '{{.HostConfig.Runtime}}' "$(m create --runtime runc bb:1 true)"
    [ "$output" = moat ]
}

@test "--pid and --ipc container:NAME join that container's namespaces (and its user namespace)" {
    m run -d --name tgt bb:1 sh -c 'echo shm > /dev/shm/mark; sleep 300' > /dev/null
    sleep 0.3
    local want
    want=$(m exec tgt sh -c 'for f in pid ipc user; do readlink /proc/self/ns/$f; done')
    run -0 m run --rm --pid container:tgt --ipc container:tgt bb:1 sh -c \
        'for f in pid ipc user; do readlink /proc/self/ns/$f; done; ps -o comm | grep -c "^sleep"'
    [ "${lines[0]}" = "$(sed -n 1p <<< "$want")" ]
    [ "${lines[1]}" = "$(sed -n 2p <<< "$want")" ]
    [ "${lines[2]}" = "$(sed -n 3p <<< "$want")" ]
    [ "${lines[3]}" = 1 ]
    # the same id range: its root is the target's, never the host's
    run -0 m inspect -f '{{.Moat.UsernsBase}} {{.HostConfig.PidMode}}' \
        "$(m create --pid container:tgt bb:1 true)"
    [[ $output == "$(m inspect -f '{{.Moat.UsernsBase}}' tgt) container:"* ]]
    [ "${output##*container:}" = "$(m inspect -f '{{.Id}}' tgt)" ]
    # a container with no user namespace of its own cannot be joined privately
    run -125 m run --rm --userns host --pid container:tgt bb:1 true
    [[ $output == *"--userns host"* ]]
    # the target must run
    m stop -t 0 tgt > /dev/null
    run -125 m run --rm --pid container:tgt bb:1 true
    [[ $output == *"not running"* ]]
}
