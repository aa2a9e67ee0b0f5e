#!/usr/bin/env bats
# cgroups: limits, update, on this host's v1, v2 or hybrid layout.

load common

setup_file() { setup_rootfs; }
setup() {
    common_setup
    args sleep 60
}
teardown() { common_teardown; }

# cgfile CTRL V1FILE V2FILE: the container's file for a controller
cgfile() {
    local d
    for d in /sys/fs/cgroup/$1/moat/$ID /sys/fs/cgroup/moat/$ID /sys/fs/cgroup/unified/moat/$ID; do
        [ -e "$d/$2" ] && { echo "$d/$2"; return; }
        [ -e "$d/$3" ] && { echo "$d/$3"; return; }
    done
    echo "no $2/$3 for $ID" >&2
    return 1
}

start_bg() {
    timeout 10 "$MOAT" --root "$ROOT" run -d --bundle "$BUNDLE" "$ID" > /dev/null
}

@test "memory, pids and cpu limits are written where this host keeps them" {
    cfg '.linux.resources.memory = {"limit": 67108864, "swap": 134217728}
       | .linux.resources.pids = {"limit": 20}
       | .linux.resources.cpu = {"quota": 50000, "period": 100000, "shares": 512}'
    start_bg
    f=$(cgfile memory memory.limit_in_bytes memory.max)
    [ "$(cat "$f")" -eq 67108864 ]
    [ "$(cat "$(cgfile pids pids.max pids.max)")" -eq 20 ]
    f=$(cgfile cpu cpu.cfs_quota_us cpu.max)
    [[ "$(cat "$f")" == 50000* ]]
    # the init is in the container cgroup of each configured controller
    local pid; pid=$(pid_of "$ID")
    in_cgroup "$pid" memory "/moat/$ID"
    in_cgroup "$pid" pids "/moat/$ID"
    in_cgroup "$pid" cpu "/moat/$ID"
}

# in_cgroup PID CTRL PATH: PID's cgroup for CTRL (the unified one when no v1
# hierarchy has CTRL) is PATH
in_cgroup() {
    local line
    line=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print }' /proc/$1/cgroup)
    [ -n "$line" ] || line=$(grep '^0::' /proc/$1/cgroup)
    [ "${line##*:}" = "$3" ] || { echo "$2 of $1: $line, not $3" >&2; return 1; }
}

@test "without cgroupsPath, only the configured hierarchies are joined" {
    cfg 'del(.linux.resources) | del(.linux.cgroupsPath)'
    start_bg
    local pid; pid=$(pid_of "$ID")
    cat /proc/$pid/cgroup
    if grep -q '^0::' /proc/self/cgroup; then
        [ "$(grep '^0::' /proc/$pid/cgroup)" = "0::/moat/$ID" ]
    else
        in_cgroup "$pid" freezer "/moat/$ID"   # pure v1: freezer tracks and pauses
    fi
    # a v1 memory hierarchy is not touched: the init stays where moat was
    if grep -qE '^[0-9]+:([^:]*,)?memory(,[^:]*)?:' /proc/self/cgroup; then
        [ ! -e /sys/fs/cgroup/memory/moat/$ID ]
        run in_cgroup "$pid" memory "/moat/$ID"
        [ "$status" -ne 0 ]
    fi
    # pause and ps still see the process
    moat pause "$ID"
    [ "$(moat state "$ID" | jq -r .status)" = paused ]
    moat resume "$ID"
    run moat ps "$ID"
    [[ "$output" == *"$pid"* ]]
    # a limit set later joins its hierarchy, with the process
    moat update --memory 64m "$ID"
    [ "$(cat "$(cgfile memory memory.limit_in_bytes memory.max)")" -eq 67108864 ]
    in_cgroup "$pid" memory "/moat/$ID"
    moat delete -f "$ID"
    [ ! -e /sys/fs/cgroup/memory/moat/$ID ] && [ ! -e /sys/fs/cgroup/unified/moat/$ID ]
}

@test "with cgroupsPath, as an engine gives it, every hierarchy is joined" {
    cfg 'del(.linux.resources) | .linux.cgroupsPath = "/moat-all-test/'"$ID"'"'
    start_bg
    local pid; pid=$(pid_of "$ID")
    run grep -c ":/moat-all-test/$ID\$" /proc/$pid/cgroup
    [ "$output" -eq "$(grep -c . /proc/$pid/cgroup)" ]
    moat delete -f "$ID"
    run grep -l . /sys/fs/cgroup/*/moat-all-test/$ID/cgroup.procs /sys/fs/cgroup/moat-all-test/$ID/cgroup.procs
    [ "$status" -ne 0 ]
    rmdir /sys/fs/cgroup/*/moat-all-test /sys/fs/cgroup/moat-all-test 2>/dev/null || true
}

@test "the pids limit stops a fork bomb" {
    cfg '.linux.resources.pids = {"limit": 8}'
    args sh -c 'for i in $(seq 20); do sleep 5 & done; echo all-forked'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Resource temporarily unavailable"* ]]
    [[ "$output" != *all-forked* ]]
}

@test "the memory limit OOM-kills a process that exceeds it" {
    cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
    # busybox: a 64 MB string in a shell variable
    args sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 137 ] || [[ "$output" != *survived* ]]
    [[ "$output" != *survived* ]]
}

@test "update: flags and --resources change the limits" {
    cfg '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 20}'
    start_bg
    moat update --memory 128m --pids-limit 30 --cpu-quota 20000 --cpu-period 100000 "$ID"
    [ "$(cat "$(cgfile memory memory.limit_in_bytes memory.max)")" -eq 134217728 ]
    [ "$(cat "$(cgfile pids pids.max pids.max)")" -eq 30 ]
    [[ "$(cat "$(cgfile cpu cpu.cfs_quota_us cpu.max)")" == 20000* ]]
    in_cgroup "$(pid_of "$ID")" cpu "/moat/$ID"
    echo '{"pids":{"limit":40}}' | moat update --resources - "$ID"
    [ "$(cat "$(cgfile pids pids.max pids.max)")" -eq 40 ]
    echo '{"memory":{"limit":100663296}}' > "$BATS_TEST_TMPDIR/r.json"
    moat update --resources "$BATS_TEST_TMPDIR/r.json" "$ID"
    [ "$(cat "$(cgfile memory memory.limit_in_bytes memory.max)")" -eq 100663296 ]
    # the stored config follows
    tail -n +2 "$ROOT/$ID/state" | jq -e '.linux.resources.pids.limit == 40'
    run moat update --memory lots "$ID"
    assert_error '--memory: "lots" is not a size'
    echo '{"pids":{"limit":"x"}}' | { run moat update --resources - "$ID"; assert_error 'resources: pids.limit: must be an integer'; }
}

@test "devices: the default rule set denies, allowed devices work" {
    args sh -c 'head -c 1 /dev/zero | wc -c; mknod /tmp/sda b 8 0 2>&1 && head -c 1 /tmp/sda 2>&1; true'
    writable_rootfs
    cfg '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "${lines[0]}" = 1 ]
    [[ "$output" == *"Operation not permitted"* ]]
}

@test "hugetlb limits go to whichever hierarchy has the controller" {
    grep -qw hugetlb /proc/cgroups || skip "the kernel has no hugetlb controller"
    [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
    cfg '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
    start_bg
    f=$(cgfile hugetlb hugetlb.2MB.limit_in_bytes hugetlb.2MB.max)
    [ "$(cat "$f")" -eq 4194304 ]
}

@test "a pageSize the host does not have is an error naming it" {
    cfg '.linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 1}]'
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error 'linux.resources.hugepageLimits[0].pageSize: "3MB" is not a huge page size of this host'
    assert_clean "$ID"
}

@test "relative cgroupsPath is below the caller's cgroup, absolute below the root" {
    cfg '.linux.cgroupsPath = "/moat-abs-test/x"'
    start_bg
    [ -d /sys/fs/cgroup/pids/moat-abs-test/x ] || [ -d /sys/fs/cgroup/moat-abs-test/x ]
    moat delete -f "$ID"
    [ ! -e /sys/fs/cgroup/pids/moat-abs-test/x ] && [ ! -e /sys/fs/cgroup/moat-abs-test/x ]
    rmdir /sys/fs/cgroup/*/moat-abs-test /sys/fs/cgroup/moat-abs-test 2>/dev/null || true
}

@test "on a cgroup v1 host (the unified hierarchy hidden) limits, pause and delete work" {
    [ -d /sys/fs/cgroup/unified ] && [ -d /sys/fs/cgroup/memory ] || skip "not a hybrid host"
    cfg '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 20}'
    # a private mount namespace where this host looks like cgroup v1 only
    export MOAT ROOT BUNDLE ID
    run unshare -m --propagation private sh -c '
        umount -l /sys/fs/cgroup/unified || exit 9
        m() { "$MOAT" --root "$ROOT" "$@"; }
        m run -d --bundle "$BUNDLE" "$ID" > /dev/null || exit 1
        pid=$(m state "$ID" | jq -r .pid)
        grep -E ":(memory|pids|freezer):" /proc/$pid/cgroup
        cat /sys/fs/cgroup/memory/moat/$ID/memory.limit_in_bytes
        m pause "$ID" && m state "$ID" | jq -r .status
        cat /sys/fs/cgroup/freezer/moat/$ID/freezer.state
        m resume "$ID" && m delete -f "$ID" && echo deleted
        ls /sys/fs/cgroup/memory/moat/$ID 2>&1 | head -1'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *":memory:/moat/$ID"* ]]
    [[ "$output" == *":pids:/moat/$ID"* ]]
    [[ "$output" == *":freezer:/moat/$ID"* ]]
    [[ "$output" == *67108864* ]]
    [[ "$output" == *paused*FROZEN* ]]
    [[ "$output" == *deleted*"No such file"* ]]
    assert_clean "$ID"
}
