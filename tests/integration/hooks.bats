#!/usr/bin/env bats
# Hooks: all six kinds, the state on stdin, order, failures, timeouts.

load common

setup_file() { setup_rootfs; }
setup() {
    common_setup
    LOG="$BATS_TEST_TMPDIR/hooks.log"
    touch "$LOG"
    # a host-side hook script: records its name and the state it was given
    cat > "$BATS_TEST_TMPDIR/hook.sh" <<EOF
#!/bin/sh
read -r state
echo "\$1 \$(echo "\$state" | jq -c '{status,pid: (.pid > 0),id,bundle}')" >> $LOG
EOF
    chmod +x "$BATS_TEST_TMPDIR/hook.sh"
}
teardown() { common_teardown; }

hook() { # hook KIND NAME -> json
    printf '{"path":"%s","args":["hook.sh","%s"]}' "$BATS_TEST_TMPDIR/hook.sh" "$2"
}

@test "prestart, createRuntime, poststart, poststop: order and state on stdin" {
    args true
    cfg ".hooks = {\"prestart\":[$(hook x prestart)],\"createRuntime\":[$(hook x createRuntime)],
        \"poststart\":[$(hook x poststart1),$(hook x poststart2)],\"poststop\":[$(hook x poststop)]}"
    moat run --bundle "$BUNDLE" "$ID"
    run cut -d' ' -f1 "$LOG"
    [ "${lines[*]}" = "prestart createRuntime poststart1 poststart2 poststop" ]
    grep -q "^prestart {\"status\":\"created\",\"pid\":true,\"id\":\"$ID\",\"bundle\":\"$BUNDLE\"}" "$LOG"
    grep -q '^poststart1 {"status":"running","pid":true' "$LOG"
    grep -q '^poststop {"status":"stopped"' "$LOG"
}

@test "a re-exec to seal the binary leaves no trace in what hooks inherit" {
    # no pid namespace of its own: create re-executes from a sealed view
    # of the binary (CVE-2019-5736); the marker of that re-exec must not
    # reach the hooks (a moat they run would take it for its own)
    printf '#!/bin/sh\nenv > %s/env.out\n' "$BATS_TEST_TMPDIR" > "$BATS_TEST_TMPDIR/env.sh"
    chmod +x "$BATS_TEST_TMPDIR/env.sh"
    args true
    cfg ".linux.namespaces |= map(select(.type != \"pid\"))
        | .hooks = {\"createRuntime\":[{\"path\":\"$BATS_TEST_TMPDIR/env.sh\"}]}"
    moat run --bundle "$BUNDLE" "$ID"
    cat "$BATS_TEST_TMPDIR/env.out"
    [ -z "$(grep MOAT_REEXEC "$BATS_TEST_TMPDIR/env.out")" ]
}

@test "createContainer and startContainer run in the container's namespaces" {
    writable_rootfs
    args true
    # startContainer resolves its path in the container: the rootfs's sh
    cfg '.hooks = {"createContainer":[{"path":"/bin/sh","args":["sh","-c","readlink /proc/self/ns/uts > '"$BATS_TEST_TMPDIR"'/cc"]}],
                   "startContainer":[{"path":"/bin/sh","args":["sh","-c","hostname > /tmp/sc"]}]}'
    cfg '.hostname = "hooked"'
    moat create --bundle "$BUNDLE" "$ID"
    local pid; pid=$(pid_of "$ID")
    [ "$(cat "$BATS_TEST_TMPDIR/cc")" = "$(readlink /proc/$pid/ns/uts)" ]
    [ "$(cat "$BATS_TEST_TMPDIR/cc")" != "$(readlink /proc/self/ns/uts)" ]
    [ ! -e "$BATS_TEST_TMPDIR/rootfs/tmp/sc" ]
    moat start "$ID"
    [ "$(cat "$BATS_TEST_TMPDIR/rootfs/tmp/sc")" = hooked ]
}

@test "a failing prestart hook fails create and leaves nothing behind" {
    args true
    cfg '.hooks = {"prestart":[{"path":"/bin/sh","args":["sh","-c","echo hook-says-no >&2; exit 3"]}]}'
    run moat create --bundle "$BUNDLE" "$ID"
    assert_error 'hooks.prestart[0] (/bin/sh): exit status 3: hook-says-no'
    assert_clean "$ID"
}

@test "a failed create whose cgroup cannot be removed keeps its record: delete --force finishes" {
    # the hook makes a cgroup below the container's, which blocks its
    # removal, then fails the create
    local cg=/sys/fs/cgroup/unified/moat/$ID
    args true
    cfg ".hooks = {\"prestart\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"mkdir $cg/sub; exit 3\"]}]}"
    run moat create --bundle "$BUNDLE" "$ID"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"delete --force $ID"* ]]
    [ -d "$cg" ]
    rmdir "$cg/sub"
    moat delete --force "$ID"
    [ ! -e "$cg" ]
    assert_clean "$ID"
}

@test "a hook that outlives its timeout is killed and reported" {
    args true
    cfg '.hooks = {"createRuntime":[{"path":"/bin/sleep","args":["sleep","30"],"timeout":1}]}'
    SECONDS=0
    run moat run --bundle "$BUNDLE" "$ID"
    assert_error 'hooks.createRuntime[0] (/bin/sleep): timed out after 1 seconds'
    [ "$SECONDS" -lt 10 ]
    assert_clean "$ID"
}

@test "failing poststart and poststop hooks are warnings" {
    args true
    cfg '.hooks = {"poststart":[{"path":"/bin/false"}],"poststop":[{"path":"/bin/false"}]}'
    run moat run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: hooks.poststart[0]"* ]]
    [[ "$output" == *"warning: hooks.poststop[0]"* ]]
    assert_clean "$ID"
}

@test "poststop runs at delete, with the container stopped" {
    args sleep 30
    cfg ".hooks = {\"poststop\":[$(hook x poststop)]}"
    moat run -d --bundle "$BUNDLE" "$ID" > /dev/null
    [ ! -s "$LOG" ]
    moat delete --force "$ID"
    grep -q '^poststop {"status":"stopped"' "$LOG"
}
