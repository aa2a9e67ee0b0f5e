#!/usr/bin/env bats
# The process: seccomp, capabilities, no_new_privs, user, umask, rlimits,
# personality, time namespace, idmapped mounts, LSM labels.

load common

setup_file() { setup_rootfs; }
setup() { common_setup; }
teardown() { common_teardown; }

SECCOMP_BASE='{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"]}'

@test "seccomp: SCMP_ACT_ERRNO with errnoRet and the default errno" {
    cfg ".linux.seccomp = $SECCOMP_BASE | .linux.seccomp.syscalls = [
        {\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":28},
        {\"names\":[\"rmdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]"
    args sh -c 'mkdir /tmp/x 2>&1; rmdir /tmp 2>&1; grep Seccomp: /proc/self/status'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"No space left on device"* ]]
    [[ "$output" == *"Operation not permitted"* ]]
    [[ "$output" == *"Seccomp:"*2* ]]
}

@test "seccomp: argument filters" {
    # personality(0xffffffff) only queries; anything else is refused
    cfg ".linux.seccomp = $SECCOMP_BASE | .linux.seccomp.syscalls = [
        {\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,
         \"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]"
    args sh -c 'linux32 true 2>&1; echo rc=$?; linux64 true; echo rc64=$?'
    run moat run --bundle "$BUNDLE" "$ID"
    # linux32 = personality(PER_LINUX32 = 8): refused; linux64 = personality(0): allowed
    [[ "$output" == *"Operation not permitted"* ]]
    [[ "$output" == *"rc64=0"* ]]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS and a default action of ERRNO" {
    cfg ".linux.seccomp = $SECCOMP_BASE | .linux.seccomp.syscalls = [
        {\"names\":[\"uname\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]"
    args uname
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 159 ]   # 128 + SIGSYS
}

@test "seccomp: SCMP_ACT_NOTIFY sends the listener fd and the state" {
    "$(dirname "$MOAT")/tests/seccomp-listener" "$BATS_TEST_TMPDIR/l.sock" 61 > "$BATS_TEST_TMPDIR/l.out" &
    local lpid=$!
    for i in $(seq 30); do [ -S "$BATS_TEST_TMPDIR/l.sock" ] && break; sleep 0.1; done
    cfg ".linux.seccomp = $SECCOMP_BASE | .linux.seccomp.listenerPath = \"$BATS_TEST_TMPDIR/l.sock\"
         | .linux.seccomp.listenerMetadata = \"meta-data\"
         | .linux.seccomp.syscalls = [{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_NOTIFY\"}]"
    args sh -c 'mkdir /tmp/notified 2>&1; true'
    run moat run --bundle "$BUNDLE" "$ID"
    wait "$lpid"
    # 61 = ENODATA, answered by the listener
    [[ "$output" == *"No data available"* ]]
    head -1 "$BATS_TEST_TMPDIR/l.out" | jq -e '.fds == ["seccompFd"] and .metadata == "meta-data" and .state.id != null and .pid > 0'
    grep -q "notified: syscall" "$BATS_TEST_TMPDIR/l.out"
}

@test "capabilities: the five sets as configured" {
    cfg '.process.capabilities = {"bounding":["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"],
        "effective":["CAP_CHOWN","CAP_KILL"],"permitted":["CAP_CHOWN","CAP_KILL"],
        "inheritable":["CAP_KILL"],"ambient":["CAP_KILL"]}'
    cfg '.process.user = {"uid": 1000, "gid": 1000}'
    args sh -c 'grep ^Cap /proc/self/status'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"CapInh:	0000000000000020"* ]]
    # a non-root user keeps only the ambient capabilities after exec
    [[ "$output" == *"CapPrm:	0000000000000020"* ]]
    [[ "$output" == *"CapEff:	0000000000000020"* ]]
    [[ "$output" == *"CapBnd:	0000000000000421"* ]]
    [[ "$output" == *"CapAmb:	0000000000000020"* ]]
}

@test "no capabilities object: the process has none" {
    cfg 'del(.process.capabilities)'
    args sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"CapEff:	0000000000000000"* ]]
    [[ "$output" == *"CapBnd:	0000000000000000"* ]]
}

@test "noNewPrivileges true and false" {
    args sh -c 'grep NoNewPrivs /proc/self/status'
    cfg '.process.noNewPrivileges = true'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"NoNewPrivs:	1"* ]]
    cfg '.process.noNewPrivileges = false'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"NoNewPrivs:	0"* ]]
}

@test "user, additionalGids, umask, env, HOME from /etc/passwd" {
    cfg '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [5, 65534], "umask": 63}'
    cfg '.process.env = ["PATH=/bin", "GREETING=hi there"]'
    args sh -c 'id; umask; echo "$GREETING"; echo "$HOME"'
    run moat run --bundle "$BUNDLE" "$ID"
    # additionalGids are the supplementary groups, exactly (as runc)
    [ "${lines[0]}" = "uid=1000(app) gid=1000(app) groups=5(tty),65534(nogroup)" ]
    [ "${lines[1]}" = 0077 ]
    [ "${lines[2]}" = "hi there" ]
    [ "${lines[3]}" = /home/app ]
}

@test "an image's /etc/passwd that is a FIFO holds nothing up: HOME is /" {
    writable_rootfs
    rm "$BATS_TEST_TMPDIR/rootfs/etc/passwd"
    mkfifo "$BATS_TEST_TMPDIR/rootfs/etc/passwd"
    cfg '.process.user = {"uid": 1000, "gid": 1000} | .process.env = ["PATH=/bin"]'
    args sh -c 'echo "$HOME"'
    run timeout -k 5 20 "$MOAT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = / ]
}

@test "rlimits and oomScoreAdj" {
    cfg '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":100,"hard":200},{"type":"RLIMIT_CORE","soft":0,"hard":0}]
         | .process.oomScoreAdj = 300'
    args sh -c 'ulimit -n; ulimit -Hn; ulimit -c; cat /proc/self/oom_score_adj'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "${lines[0]}" = 100 ]
    [ "${lines[1]}" = 200 ]
    [ "${lines[2]}" = 0 ]
    [ "${lines[3]}" = 300 ]
}

@test "personality LINUX32" {
    cfg '.linux.personality = {"domain": "LINUX32"}'
    args uname -m
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$output" = i686 ]
}

@test "time namespace with offsets (two-stage start)" {
    cfg '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime":{"secs":31536000,"nanosecs":0}}'
    args sh -c 'cut -d. -f1 /proc/uptime'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$output" -gt 31536000 ]
    [ "$(cut -d. -f1 /proc/uptime)" -lt 31536000 ]
}

@test "idmapped bind mount with its own mapping" {
    mkdir "$BATS_TEST_TMPDIR/owned"
    touch "$BATS_TEST_TMPDIR/owned/f"
    chown 0:0 "$BATS_TEST_TMPDIR/owned/f"
    cfg ".mounts += [{\"destination\":\"/idm\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/owned\",
        \"options\":[\"bind\",\"idmap\"],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],
        \"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}]"
    args stat -c %u:%g /idm/f
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = 1000:1000 ]
    # the host file is unchanged
    [ "$(stat -c %u "$BATS_TEST_TMPDIR/owned/f")" -eq 0 ]
}

@test "AppArmor and SELinux labels: a clear error where the LSM is absent" {
    [ -d /sys/kernel/security/apparmor ] && skip "AppArmor is enabled here"
    cfg '.process.apparmorProfile = "docker-default"'
    run moat run --bundle "$BUNDLE" "$ID"
    assert_error 'process.apparmorProfile: "docker-default" requested but AppArmor is not enabled on this host'
    assert_clean "$ID"
    [ -d /sys/fs/selinux ] && skip "SELinux is enabled here"
    cfg 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
    run moat run --bundle "$BUNDLE" "$ID"
    assert_error 'process.selinuxLabel: "system_u:system_r:container_t:s0" requested but SELinux is not enabled'
    assert_clean "$ID"
}

@test "scheduler and ioPriority" {
    cfg '.process.scheduler = {"policy":"SCHED_BATCH","nice":5} | .process.ioPriority = {"class":"IOPRIO_CLASS_IDLE","priority":0}'
    args sh -c 'cut -d" " -f19 /proc/self/stat; awk "/^policy/ {print \$3}" /proc/self/sched'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "${lines[0]}" = 5 ]
    [ "${lines[1]}" = 3 ]   # SCHED_BATCH
}
