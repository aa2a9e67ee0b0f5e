#!/usr/bin/env bats
# Bad input: one clear error line that names the field and the reason, a
# non-zero exit, and nothing left behind (state dir, cgroup, mount, process).

load common

setup_file() { setup_rootfs; }
setup() {
    common_setup
    args true
}
teardown() { common_teardown; }

# bad JQ-FILTER EXPECTED-MESSAGE: create must fail and leave nothing
bad() {
    cfg "$1"
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error "$2"
    assert_clean "$ID"
}

# bad_run JQ-FILTER EXPECTED-MESSAGE: the same with run (where a create that
# succeeds would keep the output open, and the test would wait)
bad_run() {
    cfg "$1"
    run moat run --bundle "$BUNDLE" "$ID"
    assert_error "$2"
    assert_clean "$ID"
}

@test "broken JSON names the line and column" {
    echo '{"ociVersion": "1.1.0", "root": {' > "$BUNDLE/config.json"
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error "config.json: invalid JSON at line"
    assert_clean "$ID"
}

@test "missing bundle, missing config.json, missing rootfs" {
    run moat create --bundle /no/such/bundle "$ID"
    assert_error '--bundle: "/no/such/bundle": No such file or directory'
    rm "$BUNDLE/config.json"
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error "config.json: No such file or directory"
    cp "$REPO/tests/lib/base-config.json" "$BUNDLE/config.json"
    cfg '.root.path = "/no/such/rootfs"'
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error 'root.path: "/no/such/rootfs": No such file or directory'
    assert_clean "$ID"
}

@test "a config.json that is a FIFO or a device is refused, not read" {
    rm "$BUNDLE/config.json"
    mkfifo "$BUNDLE/config.json"
    # without O_NONBLOCK the open waits for a writer forever: timeout ends it
    run timeout 20 "$MOAT" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
    assert_error "config.json: not a regular file"
    rm "$BUNDLE/config.json"
    # a device (/dev/zero would be read forever before; /dev/null cannot hang this test)
    ln -s /dev/null "$BUNDLE/config.json"
    run timeout 20 "$MOAT" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
    assert_error "config.json: not a regular file"
    # a device is not even opened (opening one can act: a watchdog starts);
    # /dev/tty without a controlling terminal would fail the open itself
    rm "$BUNDLE/config.json"
    ln -s /dev/tty "$BUNDLE/config.json"
    run setsid "$MOAT" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
    assert_error "config.json: not a regular file"
    assert_clean "$ID"
}

@test "exec --process and update --resources refuse a FIFO" {
    args sleep 100
    moat create --bundle "$BUNDLE" "$ID"
    mkfifo "$BATS_TEST_TMPDIR/fifo"
    run timeout 20 "$MOAT" --root "$ROOT" exec --process "$BATS_TEST_TMPDIR/fifo" "$ID"
    assert_error "fifo: not a regular file"
    run timeout 20 "$MOAT" --root "$ROOT" update --resources "$BATS_TEST_TMPDIR/fifo" "$ID"
    assert_error "fifo: not a regular file"
    moat delete --force "$ID"
}

@test "a long value is cut in the error, not echoed back" {
    head -c 1000000 /dev/zero | tr '\0' a > "$BATS_TEST_TMPDIR/big"
    local f
    for f in '.process.cwd = $big' '.process.env += [$big]' '.linux.sysctl = {($big): "1"}' \
        '.mounts += [{"destination": ("/" + $big), "type": "tmpfs", "source": "tmpfs"}]' \
        '.hooks = {"prestart": [{"path": ("/" + $big)}]}' '.linux.cgroupsPath = $big'; do
        jq --rawfile big "$BATS_TEST_TMPDIR/big" "$f" "$BUNDLE/config.json" > "$BUNDLE/c.json"
        cp "$BUNDLE/config.json" "$BUNDLE/keep.json"
        mv "$BUNDLE/c.json" "$BUNDLE/config.json"
        run moat create --bundle "$BUNDLE" "$ID"
        mv "$BUNDLE/keep.json" "$BUNDLE/config.json"
        assert_error 'aaaaaaaa...'
        [ "${#output}" -lt 2000 ] || { echo "$f: ${#output} bytes of error" >&2; return 1; }
        assert_clean "$ID"
    done
}

@test "NUL bytes and out-of-range integers name the field" {
    bad '.process.args[0] = "a\u0000b"' 'config.json: process.args[0]: contains a NUL byte'
    bad '.process.args[0] = "true" | .linux.sysctl = {"a\u0000b": "1"}' \
        'config.json: linux.sysctl: an object key contains a NUL byte'
    cfg 'del(.linux.sysctl) | .process.user.uid = 12345'
    sed -i 's/12345/99999999999999999999999/' "$BUNDLE/config.json"
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error 'config.json: process.user.uid: integer out of range'
    assert_clean "$ID"
    sed -i 's/99999999999999999999999/-99999999999999999999999/' "$BUNDLE/config.json"
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error 'config.json: process.user.uid: integer out of range'
    assert_clean "$ID"
}

@test "linux.devices must name device nodes, below /dev" {
    bad_run '.linux.devices = [{"path":"/dev/../etc/hostname","type":"c","major":1,"minor":3}]' \
        'linux.devices[0].path: must be below /dev ("/dev/../etc/hostname")'
    # in a user namespace the host's node is bound: it must be the device asked for
    echo secret > "/dev/shm/moat-test-$$"
    cfg '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":200000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]'
    cfg ".linux.devices = [{\"path\":\"/dev/shm/moat-test-$$\",\"type\":\"c\",\"major\":1,\"minor\":3}]"
    run moat run --bundle "$BUNDLE" "$ID"
    rm "/dev/shm/moat-test-$$"
    assert_error "the host's /dev/shm/moat-test-$$ is not the character device 1:3"
    assert_clean "$ID"
    bad_run '.linux.devices = [{"path":"/dev/null","type":"c","major":1,"minor":5}]' \
        "the host's /dev/null is not the character device 1:5"
    bad_run '.linux.devices = [{"path":"/dev/null","type":"b","major":1,"minor":3}]' \
        "the host's /dev/null is not the block device 1:3"
    # the device itself still works
    cfg '.linux.devices = [{"path":"/dev/null","type":"c","major":1,"minor":3}]'
    args sh -c 'echo x > /dev/null && echo ok'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$output" = ok ]
}

@test "invalid values name their JSON path" {
    bad '.ociVersion = "invalid"' 'ociVersion: unsupported version "invalid"'
    bad '.ociVersion = "1.1.0" | .linux.namespaces += [{"type":"bogus"}]' \
        'linux.namespaces[6].type: unknown namespace type "bogus"'
    bad 'del(.linux.namespaces[6]) | .process.capabilities.bounding += ["CAP_BOGUS"]' \
        'process.capabilities.bounding[3]: unknown capability "CAP_BOGUS"'
    bad '.process.capabilities.bounding |= .[0:3] | .process.rlimits[0].type = "RLIMIT_BOGUS"' \
        'process.rlimits[0].type: unknown rlimit "RLIMIT_BOGUS"'
    bad '.process.rlimits[0].type = "RLIMIT_NOFILE" | .mounts[0].destination = "relative"' \
        'mounts[0].destination: must be an absolute path'
    bad '.mounts[0].destination = "/proc" | .linux.seccomp = {"defaultAction":"SCMP_ACT_NOPE"}' \
        'linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_NOPE"'
    bad 'del(.linux.seccomp) | .linux.resources.memory = {"limit": "1g"}' \
        'linux.resources.memory.limit: must be an integer, not a string'
    bad '.linux.resources.memory = {} | .process.cwd = "relative"' \
        'process.cwd: must be an absolute path'
    bad '.process.cwd = "/" | .hooks.prestart = [{"path":"relative"}]' \
        'hooks.prestart[0].path: must be an absolute path'
    bad 'del(.hooks) | .process.args = []' 'process.args: must not be empty'
}

@test "a user namespace without mappings, mappings without one" {
    bad '.linux.namespaces += [{"type":"user"}]' 'needs both uidMappings and gidMappings'
    bad '.linux.namespaces |= map(select(.type != "user")) | .linux.uidMappings = [{"containerID":0,"hostID":1000,"size":1}]' \
        'there is no user namespace'
}

@test "a sysctl that is not namespaced is refused" {
    bad '.linux.sysctl = {"vm.swappiness": "10"}' 'linux.sysctl.vm.swappiness: not namespaced'
    bad '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))' \
        'linux.sysctl.net.ipv4.ip_forward: needs a network namespace'
}

@test "a namespace path of the wrong type is refused" {
    bad '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/ipc" else . end)' \
        'is a ipc namespace, not net'
}

@test "a missing bind source fails before anything starts" {
    bad '.mounts += [{"destination":"/data","type":"bind","source":"/no/such/dir","options":["bind"]}]' \
        'mounts[7].source: "/no/such/dir": No such file or directory'
}

@test "a mount the kernel refuses fails in the init, which is cleaned up" {
    bad '.mounts += [{"destination":"/x","type":"nosuchfs","source":"none"}]' \
        'mounts[7] (nosuchfs on /x): mount nosuchfs: the kernel has no such filesystem'
    bad '.mounts[7] = {"destination":"/x","type":"tmpfs","source":"tmpfs","options":["size=nonsense"]}' \
        'mounts[7] (tmpfs on /x): mount tmpfs: option "size=nonsense"'
}

@test "a cgroup value the kernel refuses fails create and removes the cgroup" {
    bad '.linux.resources.cpu = {"cpus": "9999"}' 'linux.resources.cpu.cpus: write "9999" to'
}

@test "container ids are checked" {
    run moat create --bundle "$BUNDLE" "../escape"
    assert_error 'invalid container id "../escape"'
    run moat create --bundle "$BUNDLE" "a/b"
    assert_error 'invalid container id'
    [ ! -e "$ROOT/../escape" ]
}

@test "unknown flags and commands are reported" {
    run moat create --bogus "$ID"
    assert_error 'unknown flag or missing value: --bogus'
    run moat frobnicate
    assert_error 'unknown command "frobnicate"'
    run "$MOAT" --bogus-global list
    assert_error 'unknown or incomplete flag "--bogus-global"'
    run moat create
    assert_error 'missing container id'
    run moat kill a b c
    assert_error 'too many arguments'
}

@test "--log-format json writes the error as a JSON line" {
    echo '{' > "$BUNDLE/config.json"
    run "$MOAT" --root "$ROOT" --log "$BATS_TEST_TMPDIR/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    run jq -r 'select(.level == "error") | .msg' "$BATS_TEST_TMPDIR/log.json"
    [[ "$output" == "config.json: invalid JSON"* ]]
    jq -e '.time' "$BATS_TEST_TMPDIR/log.json" > /dev/null
    run "$MOAT" --root "$ROOT" --log-format yaml list
    assert_error '--log-format: "yaml" is not text or json'
}

@test "--systemd-cgroup is refused clearly; checkpoint is not supported" {
    run "$MOAT" --root "$ROOT" --systemd-cgroup create --bundle "$BUNDLE" "$ID"
    assert_error '--systemd-cgroup: not supported'
    run moat checkpoint "$ID"
    assert_error 'checkpoint: not supported on this host'
    run moat restore "$ID"
    assert_error 'restore: not supported on this host'
    assert_clean "$ID"
}
