#!/usr/bin/env bats
# Informational commands: version, help, features, spec.

load common

bats_require_minimum_version 1.5.0

setup_file() { setup_rootfs; }
setup() { common_setup; }

@test "--version and version" {
    run "$MOAT" --version
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "moat version "* ]]
    [[ "${lines[1]}" == "spec: 1.1."* ]]
    run "$MOAT" version
    [[ "${lines[0]}" == "moat version "* ]]
}

@test "help lists runc's commands" {
    run "$MOAT" --help
    [ "$status" -eq 0 ]
    for c in create start run state list kill delete exec ps pause resume update features spec; do
        [[ "$output" == *"  $c "* ]]
    done
}

@test "features describes what this runtime and host support" {
    run "$MOAT" features
    [ "$status" -eq 0 ]
    echo "$output" | jq -e '.ociVersionMax == "1.1.0"'
    echo "$output" | jq -e '.hooks | index("createContainer")'
    echo "$output" | jq -e '.linux.namespaces | index("time")'
    echo "$output" | jq -e '.linux.capabilities | index("CAP_CHECKPOINT_RESTORE")'
    echo "$output" | jq -e '.linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY"))'
    echo "$output" | jq -e '.linux.mountExtensions.idmap.enabled'
    # this host: no AppArmor, no SELinux; Landlock as the kernel reports it
    [ "$(echo "$output" | jq .linux.apparmor.enabled)" = "$([ -d /sys/kernel/security/apparmor ] && echo true || echo false)" ]
    [ "$(echo "$output" | jq .linux.selinux.enabled)" = "$([ -d /sys/fs/selinux ] && echo true || echo false)" ]
}

@test "spec writes a valid config; refuses to overwrite; --bundle" {
    mkdir "$BATS_TEST_TMPDIR/b"
    run "$MOAT" spec --bundle "$BATS_TEST_TMPDIR/b"
    [ "$status" -eq 0 ]
    jq -e '.ociVersion and .process.args and .root.path == "rootfs"' "$BATS_TEST_TMPDIR/b/config.json"
    run "$MOAT" spec --bundle "$BATS_TEST_TMPDIR/b"
    assert_error "config.json exists"
    run "$MOAT" spec --bundle /no/such/dir
    assert_error '--bundle: "/no/such/dir"'
}

@test "moat-runtime is always the runtime; moat never picks it because of a config.json here" {
    local rt
    rt=$(dirname "$MOAT")/moat-runtime
    [ -L "$rt" ] || [ -x "$rt" ]
    cfg '.process.terminal = false | .process.args = ["echo", "from the runtime"]'
    # runc's way: the bundle is the current directory, no --root
    run -0 bash -c "cd '$BUNDLE' && '$rt' --root '$ROOT' run rt1"
    [ "$output" = "from the runtime" ]
    # moat without --root in a bundle: the engine (an image named rt2 is
    # looked for in the default store, and never pulled), not the runtime
    run bash -c "cd '$BUNDLE' && '$MOAT' run --pull=never rt2"
    [ "$status" -eq 125 ]
    [[ $output == *"rt2"* ]]
    [[ $output != *"from the runtime"* ]]
    # the engine's commands are not moat-runtime's, nor in its help
    run -0 "$rt" --help
    [[ $output == *"usage: moat-runtime"* ]]
    [[ $output != *images* ]]
    run "$rt" --root "$ROOT" images
    [ "$status" -ne 0 ]
    [[ $output == *'unknown command "images"'* ]]
}
