#!/usr/bin/env bats
# What the engine takes from the user is checked before a container
# exists: a refused run or create leaves nothing behind, tmpfs options and
# hostnames are allow-listed, a seccomp profile is read once and its
# conditional rules honoured, and a non-root user can use the image.

load common
load engine_common

# refused ARGS...: run and create both exit 125 with one error line and
# leave no container, record, volume or mount
refused() {
    local verb
    for verb in run create; do
        run m "$verb" "$@"
        [ "$status" -eq 125 ] || { echo "$verb $*: status $status: $output"; return 1; }
        [ "$(printf '%s\n' "$output" | grep -c '^moat: ')" -eq 1 ] || { echo "$output"; return 1; }
        [ -z "$(ls "$STORE/containers")" ] || { echo "$verb $*: a container was left"; return 1; }
        [ -z "$(ls "$STORE/volumes" 2>/dev/null)" ] || { echo "$verb $*: a volume was left"; return 1; }
    done
    ! grep -q "$STORE/containers" /proc/self/mountinfo
}

@test "a refused run or create leaves no record: ulimit, tmpfs, user, seccomp, hostname, memory" {
    refused --ulimit nofile=abc bb:1 true
    [[ "$output" == *'--ulimit "nofile=abc"'* ]]
    refused --tmpfs relative bb:1 true
    refused -u nosuchuser bb:1 true
    [[ "$output" == *'user "nosuchuser": not found'* ]]
    refused -u app:nosuchgroup bb:1 true
    echo 'not json' > "$BATS_TEST_TMPDIR/garbage.json"
    refused --security-opt "seccomp=$BATS_TEST_TMPDIR/garbage.json" bb:1 true
    [[ "$output" == *"garbage.json"* ]]
    refused --security-opt "seccomp=$BATS_TEST_TMPDIR/missing.json" bb:1 true
    refused --security-opt seccomp=/dev/zero bb:1 true
    refused -h "$(printf 'x%.0s' $(seq 300))" bb:1 true
    [ "${#output}" -lt 400 ] # the value is cut, not echoed whole
    refused -h "$(printf 'evil\n10.0.0.1 bank.example')" bb:1 true
    refused --memory -1 bb:1 true
    refused --memory 1k bb:1 true
    # a volume named by a run that is refused is not made
    refused -v newvol:/v -u nosuchuser bb:1 true
}

@test "--tmpfs: only options a tmpfs may take; nosuid and nodev always" {
    for bad in /x:bind /x:rbind /x:suid /x:dev /x:shared /x:rshared /x:remount \
        /x:uid=70000 /x:mode=abc /x:size=lots /x:nosuchopt /x:huge=sometimes; do
        refused --tmpfs "$bad" bb:1 true
        [[ "$output" == *"--tmpfs"* ]] || { echo "$bad: $output"; false; }
    done
    run m run --rm --tmpfs /data:size=1m,mode=0700,uid=1000,gid=1000,noexec bb:1 \
        sh -c 'stat -c "%a %u %g" /data; grep " /data " /proc/self/mountinfo'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"700 1000 1000"* ]]
    [[ "$output" == *nosuid* && "$output" == *nodev* && "$output" == *noexec* ]]
    [[ "$output" == *"size=1024k"* ]]
}

@test "--hostname: a valid one is set, /etc/hosts cannot be injected" {
    [ "$(m run --rm -h web-1.example bb:1 hostname)" = web-1.example ]
    refused -h "a
10.0.0.1 bank" bb:1 true
    refused -h -leading-dash bb:1 true
}

@test "seccomp=FILE is read once, at create: a file swapped later changes nothing" {
    p="$BATS_TEST_TMPDIR/profile.json"
    cat > "$p" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF
    id=$(m create --security-opt "seccomp=$p" bb:1 mkdir /tmp/d)
    echo '{"defaultAction": "SCMP_ACT_ALLOW"}' > "$p"
    run m start -a "$id"
    echo "$output"
    [[ "$output" == *"Operation not permitted"* ]]
    [ "$status" -ne 0 ]
    # and removing it does not stop a restart
    rm "$p"
    run m start -a "$id"
    [[ "$output" == *"Operation not permitted"* ]]
}

@test "seccomp=FILE in Docker's format: includes and excludes are honoured, the rest refused" {
    p="$BATS_TEST_TMPDIR/docker.json"
    cat > "$p" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
             {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
 "syscalls": [
  {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
   "comment": "only for those who hold CAP_SYS_ADMIN", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
  {"names": ["symlink", "symlinkat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
   "excludes": {"caps": ["CAP_CHOWN"]}},
  {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "includes": {"minKernel": "99.0"}}
 ]}
EOF
    # no CAP_SYS_ADMIN: mkdir is not denied; no CAP_CHOWN: symlink is
    run m run --rm --security-opt "seccomp=$p" bb:1 sh -c 'mkdir /tmp/a && echo mkdir-ok; ln -s x /tmp/l && echo ln-ok; rmdir /tmp/a && echo rmdir-ok'
    echo "$output"
    [[ "$output" == *mkdir-ok* ]]
    [[ "$output" != *ln-ok* ]]
    [[ "$output" == *rmdir-ok* ]]
    run m run --rm --cap-add CHOWN --security-opt "seccomp=$p" bb:1 sh -c 'ln -s x /tmp/l && echo ln-ok'
    [[ "$output" == *ln-ok* ]]
    # a condition moat does not know is refused, not ignored
    cat > "$p" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "includes": {"cgroupVersion": 2}}]}
EOF
    refused --security-opt "seccomp=$p" bb:1 true
    [[ "$output" == *'"cgroupVersion" is not understood'* ]]
}

@test "seccomp=FILE: a condition of the wrong type is refused, not dropped" {
    p="$BATS_TEST_TMPDIR/docker.json"
    # Docker refuses these; dropping the condition would allow the rule's
    # syscalls to every container, not only to those holding CAP_SYS_ADMIN
    for cond in '"caps": "CAP_SYS_ADMIN"' '"arches": "s390x"' '"minKernel": 99' \
        '"minKernel": "new"' '"caps": [1]'; do
        printf '%s\n' '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [' \
            '{"names": ["unshare"], "action": "SCMP_ACT_ALLOW", "includes": {'"$cond"'}}]}' > "$p"
        refused --security-opt "seccomp=$p" bb:1 true || { echo "$cond: accepted"; false; }
        [[ "$output" == *"syscalls[0].includes"* ]] || { echo "$cond: $output"; false; }
    done
}

@test "a non-root user can use the image: its root is not 0700, its group comes from passwd" {
    run m run --rm -u 1000 bb:1 sh -c 'id; ls / > /dev/null && echo can-list; cat /etc/hostname > /dev/null && echo can-read'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"uid=1000(app) gid=1000(app)"* ]]
    [[ "$output" == *can-list* && "$output" == *can-read* ]]
    id=$(m run -d bb:1 sleep 100)
    run m exec -u app "$id" sh -c 'cd / && ls bin > /dev/null && echo exec-ok'
    [[ "$output" == *exec-ok* ]]
    [ "$(m exec -u 1000 "$id" id -g)" = 1000 ]
}
