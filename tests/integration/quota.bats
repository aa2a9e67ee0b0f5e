#!/usr/bin/env bats
# The size limit of a container's writable layer: a btrfs subvolume with a
# qgroup limit on a store on (loop-mounted) btrfs with quotas; refused with
# --storage-opt size=, and said once per store, where the store's
# filesystem cannot limit it (the host's ext4 here). Project quotas (xfs,
# ext4) cannot be tried on this kernel: see the README.

load common

setup_file() {
    setup_rootfs
    tar -C "$ROOTFS" -czf "$BATS_FILE_TMPDIR/rootfs.tgz" .
    # a plain store: on the filesystem of the test's tmp dir
    export PLAIN="$BATS_FILE_TMPDIR/plain"
    "$MOAT" --root "$PLAIN" import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
    # a store on a btrfs of its own, with quotas on
    export MNT="$BATS_FILE_TMPDIR/btrfs" LOOP=
    if command -v mkfs.btrfs >/dev/null && grep -qw btrfs /proc/filesystems; then
        truncate -s 1G "$BATS_FILE_TMPDIR/btrfs.img"
        mkfs.btrfs -q "$BATS_FILE_TMPDIR/btrfs.img"
        LOOP=$(losetup -f --show "$BATS_FILE_TMPDIR/btrfs.img")
        mkdir -p "$MNT"
        mount "$LOOP" "$MNT"
        btrfs quota enable "$MNT"
        "$MOAT" --root "$MNT/store" import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
    fi
    export STORE="$MNT/store"
}

teardown_file() {
    if [ -n "$LOOP" ]; then
        umount "$MNT" || umount -l "$MNT"
        losetup -d "$LOOP"
    fi
}

teardown() {
    local st id
    for st in "$STORE" "$PLAIN" "$BATS_TEST_TMPDIR/fresh"; do
        [ -d "$st" ] || continue
        for id in $("$MOAT" --root "$st" ps -aq --no-trunc 2>/dev/null); do
            "$MOAT" --root "$st" rm -f "$id" >/dev/null 2>&1 || true
        done
    done
    rm -f "$STORE/storage-opts"
    [ -z "$LOOP" ] || btrfs quota enable "$MNT"
}

need_btrfs() {
    [ -n "$LOOP" ] || skip "no btrfs here (btrfs-progs, CONFIG_BTRFS_FS)"
}

# the test's tmp dir is on a filesystem that cannot limit a layer
need_no_limit() {
    case $(stat -f -c %T "$BATS_FILE_TMPDIR") in
    btrfs | xfs) skip "the test's tmp dir is on btrfs or xfs" ;;
    esac
    ! findmnt -n -o OPTIONS -T "$BATS_FILE_TMPDIR" | grep -q prjquota ||
        skip "the test's tmp dir has project quotas"
}

m() {
    "$MOAT" --root "$STORE" "$@"
}

# the subvolumes of the loop btrfs, one path a line
subvols() {
    btrfs subvolume list -o "$MNT" | awk '{print $NF}'
}

# bytes used on the loop btrfs
used() {
    sync
    df --output=used -B1 "$MNT" | tail -1
}

@test "quota: --storage-opt size= limits what a container writes, on a btrfs store" {
    need_btrfs
    local before after
    before=$(used)
    run m run --name q --storage-opt size=64m bb:1 sh -c \
        'dd if=/dev/zero of=/big bs=1M count=200; echo "dd=$?"; wc -c < /big'
    [ "$status" -eq 0 ]
    [[ "$output" == *"Disk quota exceeded"* ]]
    [[ "$output" == *"dd=1"* ]]
    # it stopped near the limit, not before
    local wrote=${lines[${#lines[@]} - 1]}
    [ "$wrote" -gt $((48 << 20)) ] && [ "$wrote" -le $((64 << 20)) ]
    after=$(used)
    [ $((after - before)) -lt $((80 << 20)) ]
    [ "$(m inspect q | jq -c '.[0].HostConfig.StorageOpt')" = '{"size":"67108864"}' ]
    [ "$(m inspect q | jq -r '.[0].Moat.WritableLayer | "\(.Mechanism) \(.Limit)"')" = "btrfs-qgroup 67108864" ]
    # the layer is a subvolume of its own, with its qgroup limited
    local id
    id=$(m inspect q | jq -r '.[0].Id')
    [ "$(subvols)" = "store/containers/$id/layer" ]
    btrfs qgroup show -r --raw "$MNT" | grep -qw 67108864
    m rm q >/dev/null
    [ -z "$(subvols)" ]
    [ ! -e "$STORE/containers/$id" ]
}

@test "quota: the default limit on a btrfs store, and the store's own default" {
    need_btrfs
    m create --name d bb:1 true >/dev/null
    [ "$(m inspect d | jq -c '.[0].HostConfig.StorageOpt')" = '{"size":"10737418240"}' ]
    btrfs qgroup show -r --raw "$MNT" | grep -qw 10737418240
    m rm d >/dev/null
    # storage-opts in the store changes the default
    echo "size=32m" > "$STORE/storage-opts"
    run m run --rm bb:1 sh -c 'dd if=/dev/zero of=/big bs=1M count=100'
    [ "$status" -ne 0 ]
    [[ "$output" == *"Disk quota exceeded"* ]]
    # ... to no limit, and --storage-opt wins over it
    echo "size=max" > "$STORE/storage-opts"
    run m run --name u bb:1 sh -c 'dd if=/dev/zero of=/big bs=1M count=100 2>/dev/null; wc -c < /big'
    [ "$status" -eq 0 ]
    [ "$output" = $((100 << 20)) ]
    [ "$(m inspect u | jq -c '.[0].HostConfig.StorageOpt, .[0].Moat.WritableLayer.Limit' | tr '\n' ' ')" = "null 0 " ]
    run m run --rm --storage-opt size=16m bb:1 sh -c 'dd if=/dev/zero of=/big bs=1M count=100'
    [[ "$output" == *"Disk quota exceeded"* ]]
    # a bad default is refused, and nothing is made
    printf '# the default\nsize=lots\n' > "$STORE/storage-opts"
    run m run --rm bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"$STORE/storage-opts: line 2: size=lots: not a size"* ]]
    m rm u >/dev/null
    [ -z "$(ls "$STORE/containers")" ]
    [ -z "$(subvols)" ]
}

@test "quota: run --rm, a failed create and a killed create leave no subvolume" {
    need_btrfs
    m run --rm bb:1 sh -c 'echo x > /f'
    [ -z "$(subvols)" ]
    [ -z "$(ls "$STORE/containers")" ]
    # the container's hosts file is written after its layer was made: fail
    # its rename (LeakSanitizer cannot run under ptrace)
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    run strace -f -qq -o /dev/null -P hosts -e trace=renameat,renameat2 \
        -e inject=renameat,renameat2:error=EIO:when=1 "$MOAT" --root "$STORE" create bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"rename hosts: Input/output error"* ]]
    [ -z "$(subvols)" ]
    [ -z "$(ls "$STORE/containers")" ]
    # killed there: the next command removes what it left
    run strace -f -qq -o /dev/null -P hosts -e trace=renameat,renameat2 \
        -e inject=renameat,renameat2:signal=SIGKILL:when=1 "$MOAT" --root "$STORE" create bb:1 true
    [ "$status" -ne 0 ]
    [ -n "$(subvols)" ]
    [ -z "$(m ps -aq)" ]
    [ -z "$(subvols)" ]
    [ -z "$(ls "$STORE/containers")" ]
}

@test "quota: where the store cannot limit the layer, --storage-opt size= is refused" {
    need_no_limit
    run "$MOAT" --root "$PLAIN" run --rm --storage-opt size=1g bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"--storage-opt size: the store $PLAIN is on "*": it cannot limit a container's writable layer"* ]]
    [ -z "$(ls "$PLAIN/containers")" ]
    # size=max asks for no limit: it runs
    run "$MOAT" --root "$PLAIN" run --rm --storage-opt size=max bb:1 echo ok
    [ "$status" -eq 0 ]
    [ "$output" = ok ]
}

@test "quota: btrfs with quotas off cannot limit: refused, and the warning says how to enable them" {
    need_btrfs
    btrfs quota disable "$MNT"
    run m run --rm --storage-opt size=64m bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"btrfs with quotas off (\`btrfs quota enable $STORE\` turns them on)"* ]]
    rm -f "$STORE/unlimited-layers"
    run m run --rm bb:1 echo ok
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "moat: warning: the store $STORE is on btrfs with quotas off (\`btrfs quota enable $STORE\` turns them on): the writable layers of its containers have no size limit (said once per store)" ]
    [ "${lines[1]}" = ok ]
    [ -z "$(subvols)" ]
}

@test "quota: no limit possible and none asked: the container runs, and the store is told once" {
    need_no_limit
    local fresh="$BATS_TEST_TMPDIR/fresh"
    "$MOAT" --root "$fresh" import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
    run "$MOAT" --root "$fresh" run --name one bb:1 echo ok
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    [[ "${lines[0]}" == "moat: warning: the store $fresh is on "*": the writable layers of its containers have no size limit (said once per store)" ]]
    [ "${lines[1]}" = ok ]
    [ "$("$MOAT" --root "$fresh" inspect one | jq -c '.[0].HostConfig.StorageOpt, .[0].Moat.WritableLayer.Mechanism' | tr '\n' ' ')" = 'null "none" ' ]
    # not again, for run or create
    run "$MOAT" --root "$fresh" run --rm bb:1 echo ok
    [ "$output" = ok ]
    run "$MOAT" --root "$fresh" create bb:1 true
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
}

@test "quota: bad --storage-opt values are refused, nothing is left behind" {
    local st bad
    for st in "$PLAIN" ${LOOP:+"$STORE"}; do
        for bad in size=0 size=100k size=1x size= size=-5m size=max2 foo=1 size; do
            run "$MOAT" --root "$st" run --rm --storage-opt "$bad" bb:1 true
            [ "$status" -eq 125 ]
            [[ "$output" == *"--storage-opt "* ]]
            run "$MOAT" --root "$st" create --storage-opt "$bad" bb:1 true
            [ "$status" -eq 125 ]
        done
        [ -z "$(ls "$st/containers")" ]
    done
    [ -z "$LOOP" ] || [ -z "$(subvols)" ]
}
