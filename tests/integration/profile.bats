#!/usr/bin/env bats
# moat's hardening profile (`moat spec`): what it writes, what a container
# made from it can and cannot do, and every relaxation.

load common

ESCAPE=${ESCAPE:-$(dirname "$MOAT")/tests/escape}
CAPS=0x4ea # DAC_OVERRIDE FOWNER KILL SETGID SETUID NET_BIND_SERVICE

setup_file() {
    setup_rootfs
    "$REPO/scripts/setup.sh" > /dev/null
}

setup() {
    ROOT="$BATS_TEST_TMPDIR/state"
    BUNDLE="$BATS_TEST_TMPDIR/bundle"
    ID="moat-profile-$$-$BATS_TEST_NUMBER"
    mkdir -p "$BUNDLE"
    # a root-owned rootfs with the escape tester in it
    cp -a "$ROOTFS" "$BUNDLE/rootfs"
    cp "$ESCAPE" "$BUNDLE/rootfs/escape"
}
teardown() { common_teardown; }

spec() {
    rm -f "$BUNDLE/config.json"
    (cd "$BUNDLE" && "$MOAT" spec "$@")
    cfg '.process.terminal = false'
}

@test "spec writes the hardened profile" {
    spec
    local c="$BUNDLE/config.json"
    [ "$(jq -c '.process.capabilities.bounding' "$c")" = '["CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_NET_BIND_SERVICE"]' ]
    [ "$(jq -c '.process.capabilities.ambient' "$c")" = '[]' ]
    jq -e '.process.noNewPrivileges and .root.readonly' "$c"
    jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and (.linux.seccomp.architectures | index("SCMP_ARCH_X86"))' "$c"
    jq -e '[.linux.namespaces[].type] | (index("user") and index("cgroup") and index("network"))' "$c"
    jq -e '.annotations["run.moat.userns"] == "auto" and .annotations["run.moat.rootfs.idmap"] == "true"' "$c"
    jq -e '.linux.resources.memory.limit == 1073741824 and .linux.resources.pids.limit == 1024' "$c"
    jq -e '.linux.maskedPaths | (index("/proc/interrupts") and index("/sys/devices/virtual/powercap") and index("/proc/kallsyms"))' "$c"
    jq -e '.process.landlock.ruleset.scoped == ["abstract_unix_socket","signal"]' "$c"
    jq -e '[.mounts[].destination] | (index("/tmp") and index("/run"))' "$c"
}

@test "escape test: every denied operation fails, the process is confined" {
    spec
    args /escape "$CAPS" 1024 1073741824
    run moat run --bundle "$BUNDLE" "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *"not ok"* ]]
    [ "$(echo "$output" | grep -c '^ok ')" -ge 50 ]
}

@test "each container gets its own uid range; the rootfs is idmapped" {
    spec
    args sleep 60
    moat run -d --bundle "$BUNDLE" "$ID-a" > /dev/null
    moat run -d --bundle "$BUNDLE" "$ID-b" > /dev/null
    local pa pb ua ub
    pa=$(moat state "$ID-a" | jq .pid)
    pb=$(moat state "$ID-b" | jq .pid)
    ua=$(stat -c %u /proc/$pa)
    ub=$(stat -c %u /proc/$pb)
    [ "$ua" -ge 1000000000 ] && [ "$ub" -ge 1000000000 ]
    [ "$ua" -ne "$ub" ]
    [ $(( ua > ub ? ua - ub : ub - ua )) -ge 65536 ]
    # host root's files are the container root's
    [ "$(stat -c %u "$BUNDLE/rootfs/bin/busybox")" -eq 0 ]
    [ "$(moat exec "$ID-a" stat -c %u /bin/busybox)" -eq 0 ]
    # a deleted container's range is free again
    moat delete -f "$ID-a"
    moat run -d --bundle "$BUNDLE" "$ID-c" > /dev/null
    [ "$(stat -c %u /proc/$(moat state "$ID-c" | jq .pid))" -eq "$ua" ]
}

@test "exec'd processes are confined as the container is" {
    spec
    args sleep 60
    moat run -d --bundle "$BUNDLE" "$ID" > /dev/null
    run moat exec "$ID" sh -c 'grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status; echo x > /proc/self/comm'
    [[ "$output" == *"CapEff:	00000000000004ea"* ]]
    [[ "$output" == *"Seccomp:	2"* ]]
    [[ "$output" == *"NoNewPrivs:	1"* ]]
    [[ "$output" == *"Permission denied"* ]]
    # ... and can still signal the container's processes (no Landlock scope)
    run moat exec "$ID" kill -0 1
    [ "$status" -eq 0 ]
}

@test "relaxations: --cap-add, --cap-drop ALL, --seccomp unconfined, --no-landlock" {
    spec --cap-add CAP_CHOWN --cap-drop CAP_KILL --seccomp unconfined --no-landlock
    args sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; echo x > /proc/self/comm && echo comm-ok'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"CapEff:	00000000000004cb"* ]]
    [[ "$output" == *"Seccomp:	0"* ]]
    [[ "$output" == *comm-ok* ]]
    spec --cap-drop ALL
    args grep CapEff /proc/self/status
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"0000000000000000"* ]]
    run "$MOAT" spec --bundle "$BATS_TEST_TMPDIR" --cap-add CAP_NOPE
    assert_error 'unknown capability "CAP_NOPE"'
}

@test "relaxations: --userns host, --memory, --pids-limit, --writable-rootfs" {
    spec --userns host --memory 256m --pids-limit 99 --writable-rootfs
    jq -e '.annotations["run.moat.userns"] == null' "$BUNDLE/config.json"
    args sh -c 'cat /proc/self/uid_map; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max; touch /rootfs-write && echo writable'
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "${lines[0]}" == *"0"*"0"*"4294967295"* ]]
    [ "${lines[1]}" = 99 ]
    [ "${lines[2]}" = 268435456 ]
    [[ "$output" == *writable* ]]
    spec --memory max --pids-limit max
    jq -e '.linux.resources.memory == null and .linux.resources.pids == null' "$BUNDLE/config.json"
}

@test "--privileged is the one loud opt-out" {
    spec --privileged
    jq -e '.annotations["run.moat.profile"] == "privileged" and (.linux.seccomp == null) and (.process.landlock == null) and (.process.noNewPrivileges == false)' "$BUNDLE/config.json"
    args grep -E "^(CapEff|Seccomp):" /proc/self/status
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"CapEff:	000001f"* ]]
    [[ "$output" == *"Seccomp:	0"* ]]
}

@test "the seccomp profile is compiled once and cached" {
    spec
    args true
    moat run --bundle "$BUNDLE" "$ID"
    local f; f=$(ls "$ROOT/.seccomp-cache"/*.bpf)
    [ "$(ls "$ROOT/.seccomp-cache" | wc -l)" -eq 1 ]
    local before; before=$(stat -c %Y.%i "$f")
    moat run --bundle "$BUNDLE" "$ID"
    [ "$(stat -c %Y.%i "$f")" = "$before" ]
    # a damaged cache entry is not trusted: the profile is compiled again
    printf 'xyz' > "$f"
    args grep Seccomp: /proc/self/status
    run moat run --bundle "$BUNDLE" "$ID"
    [[ "$output" == *"Seccomp:	2"* ]]
    [ $(( $(stat -c %s "$f") % 8 )) -eq 0 ]
}

@test "the profile runs with runc too (it is plain OCI)" {
    command -v runc > /dev/null || skip "runc not installed"
    spec
    # runc's mapped root cannot enter a 0700 test directory: use /var/tmp
    local b; b=$(mktemp -d /var/tmp/moat-runc.XXXXXX)
    chmod 755 "$b"
    cp -a "$BUNDLE/rootfs" "$b/rootfs"
    jq '.process.args = ["sh", "-c", "id -u; grep Seccomp: /proc/self/status"] | .linux.cgroupsPath = "/moat-runc-test"' "$BUNDLE/config.json" > "$b/config.json"
    run runc --root "$BATS_TEST_TMPDIR/runc" run --bundle "$b" "$ID-runc"
    rm -rf "$b"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Seccomp:	2"* ]]
}
