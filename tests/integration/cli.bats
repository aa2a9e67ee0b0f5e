#!/usr/bin/env bats
# Informational commands: version, help, features, spec.

load common

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
