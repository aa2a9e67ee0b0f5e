#!/usr/bin/env bats
# The engine's binds and volumes, attacked: the container's root is never
# the host's root on them, a bind source is resolved once and pinned, and
# sensitive places are refused by object, not by name.

load common
load engine_common

SUIDPROBE=${SUIDPROBE:-$REPO/build/tests/suidprobe}

setup_file() {
    engine_setup_file
}

teardown() {
    engine_remove_all
    for m in $(awk -v d="$BATS_TEST_TMPDIR" '$5 ~ "^" d {print $5}' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
}


# run the planted binary as an unprivileged host user
as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

@test "a setuid binary planted through a bind or a volume gives a host user nothing" {
    [ -x "$SUIDPROBE" ] || skip "no static suidprobe (release build only)"
    # the probe itself, where the container can read it
    d="$BATS_TEST_TMPDIR/plant"
    mkdir -m 0777 "$d"
    cp "$SUIDPROBE" "$d/probe"
    chmod 0755 "$d/probe"
    # the container copies it (as its root) into a directory it may write
    # and makes the copy setuid
    m run --rm -v "$d:/data" bb:1 sh -c 'cp /data/probe /data/su && chmod 4755 /data/su'
    [ -u "$d/su" ]
    [ "$(stat -c %u "$d/su")" -ne 0 ]
    run as_nobody "$d/su"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"cannot read /etc/shadow"* ]]
    # the same through a named volume
    m run --rm -v "$d:/src:ro" -v plant:/v bb:1 sh -c 'cp /src/probe /v/su && chmod 4755 /v/su'
    vdir="$STORE/volumes/plant/_data"
    [ "$(stat -c %u "$vdir/su")" -ge 1000000000 ]
    chmod 0755 "$STORE" "$STORE/volumes" "$STORE/volumes/plant" # let nobody reach it
    run as_nobody "$vdir/su"
    chmod 0700 "$STORE" "$STORE/volumes" "$STORE/volumes/plant"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"cannot read /etc/shadow"* ]]
    # inside the container too: binds and volumes are nosuid and nodev
    run m run --rm -v plant:/v bb:1 sh -c 'grep " /v " /proc/self/mountinfo'
    [[ "$output" == *nosuid* && "$output" == *nodev* ]]
}

@test "a bind: readable as it is, writable with :U, never written as host root" {
    d="$BATS_TEST_TMPDIR/data"
    mkdir "$d"
    echo host > "$d/f"
    [ "$(m run --rm -v "$d:/data" bb:1 cat /data/f)" = host ]
    # host root's files are nobody's in the container: not writable
    run m run --rm -v "$d:/data" bb:1 sh -c 'echo x > /data/g'
    [ "$status" -ne 0 ]
    [ ! -e "$d/g" ]
    # :U gives the source to the container's user first
    id=$(m create -v "$d:/data:U" bb:1 sh -c 'echo ctr > /data/g; ls -ln /data')
    base=$(m inspect "$id" | jq .[0].Moat.UsernsBase)
    out=$(m start -a "$id")
    [ "$(cat "$d/g")" = ctr ]
    [ "$(stat -c %u "$d/g")" = "$base" ]
    [ "$(stat -c %u "$d/f")" = "$base" ]
    # inside, they are root's
    [[ "$out" == *" 0        0 "* ]]
    # :idmap is the explicit opt-in to the old mapping (root is host root there)
    d2="$BATS_TEST_TMPDIR/shared"
    mkdir "$d2"
    m run --rm -v "$d2:/data:idmap" bb:1 sh -c 'echo x > /data/h'
    [ "$(stat -c %u "$d2/h")" = 0 ]
}

@test "two containers share a named volume, each in its own range, with one set of owners" {
    m run --rm --cap-add CHOWN -v shared:/v bb:1 sh -c 'echo a > /v/a; touch /v/b; chown 1000:1000 /v/b'
    vbase=$(jq .UsernsBase "$STORE/volumes/shared/volume.json")
    [ "$vbase" -ge 1000000000 ]
    [ "$(stat -c %u "$STORE/volumes/shared/_data/a")" = "$vbase" ]
    [ "$(stat -c %u "$STORE/volumes/shared/_data/b")" = $((vbase + 1000)) ]
    id1=$(m run -d -v shared:/v bb:1 sleep 100)
    id2=$(m run -d -v shared:/v bb:1 sleep 100)
    [ "$(m inspect "$id1" | jq .[0].Moat.UsernsBase)" != "$(m inspect "$id2" | jq .[0].Moat.UsernsBase)" ]
    [ "$(m exec "$id1" stat -c %u:%g /v/a /v/b | tr '\n' ' ')" = "0:0 1000:1000 " ]
    [ "$(m exec "$id2" stat -c %u:%g /v/a /v/b | tr '\n' ' ')" = "0:0 1000:1000 " ]
    m exec "$id2" sh -c 'echo from2 >> /v/a'
    [ "$(m exec "$id1" cat /v/a | tr '\n' ' ')" = "a from2 " ]
    # a volume's range is not given to a container
    [ "$(m inspect "$id1" | jq .[0].Moat.UsernsBase)" != "$vbase" ]
    [ "$(m inspect "$id2" | jq .[0].Moat.UsernsBase)" != "$vbase" ]
}

@test "a bind source swapped after create is refused at start" {
    d="$BATS_TEST_TMPDIR/src"
    mkdir "$d"
    id=$(m create -v "$d:/data" bb:1 ls /data)
    # a symlink to / in its place
    mv "$d" "$d.old"
    ln -s / "$d"
    run m start -a "$id"
    [ "$status" -ne 0 ]
    [[ "$output" == *"replaced since the container was created"* ]]
    # another directory in its place
    rm "$d"
    mkdir "$d"
    run m start -a "$id"
    [ "$status" -ne 0 ]
    [[ "$output" == *"is not the directory or file it was"* ]]
    # a symlink above it
    rmdir "$d"
    mv "$d.old" "$BATS_TEST_TMPDIR/real"
    mkdir "$BATS_TEST_TMPDIR/up"
    mv "$BATS_TEST_TMPDIR/real" "$BATS_TEST_TMPDIR/up/src"
    rmdir "$BATS_TEST_TMPDIR/up/src" && mkdir "$BATS_TEST_TMPDIR/up/src" || true
    run m start -a "$id"
    [ "$status" -ne 0 ]
    # nothing of it was started or left mounted
    ! grep -q "$BATS_TEST_TMPDIR" /proc/self/mountinfo
}

@test "nested binds: a container that swaps another's source for a symlink cannot reach the host" {
    d="$BATS_TEST_TMPDIR/shared"
    mkdir -p "$d/app"
    chmod 0777 "$d" "$d/app" # writable to the first container's root
    victim=$(m create -v "$d/app:/data" bb:1 ls /data/etc/shadow)
    m run --rm -v "$d:/shared" bb:1 sh -c 'mv /shared/app /shared/old && ln -s / /shared/app'
    [ -L "$d/app" ]
    run m start -a "$victim"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"replaced since the container was created"* ]]
    [[ "$output" != *"/data/etc/shadow"* ]]
}

@test "sensitive places are refused by object: aliases, stores, /etc, and what contains them" {
    mkdir -p /run/moat
    a="$BATS_TEST_TMPDIR/alias"
    mkdir "$a"
    mount --bind / "$a"
    run m run --rm -v "$a:/x" bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"it is the host's root"* ]]
    run m run --rm -v "$a/etc:/x:ro" bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"it is /etc"* ]]
    # below /etc, /usr, /root: read-only only
    run m run --rm -v "$a/etc/ssl:/x" bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"only read-only binds"* ]]
    m run --rm -v /etc/ssl:/x:ro bb:1 true
    m run --rm -v /etc/hostname:/etc/host-name:ro bb:1 cat /etc/host-name
    p="$BATS_TEST_TMPDIR/p"
    mkdir "$p"
    mount --bind /proc "$p"
    for src in /usr /root /var/lib /var /proc/sys "$p" "$p/sys" /sys/fs /dev /boot /run/moat; do
        [ -e "$src" ] || continue
        run m run --rm -v "$src:/x:ro" bb:1 true
        [ "$status" -eq 125 ] || { echo "$src: $output"; false; }
        [[ "$output" == *"refusing to mount"* ]]
    done
    # this store, any other moat store, and what contains one
    other="$BATS_TEST_TMPDIR/other-store"
    "$MOAT" --root "$other" images >/dev/null
    for src in "$STORE" "$STORE/containers" "$other" "$other/layers" "$BATS_TEST_TMPDIR"; do
        run m run --rm -v "$src:/x:ro" bb:1 true
        [ "$status" -eq 125 ] || { echo "$src: $output"; false; }
        [[ "$output" == *"store"* ]]
    done
    # a symlink to a store is the store
    ln -s "$other" "$BATS_TEST_TMPDIR/link"
    run m run --rm -v "$BATS_TEST_TMPDIR/link:/x:ro" bb:1 true
    [ "$status" -eq 125 ]
    [ -z "$(m ps -aq)" ]
    run m run --rm --security-opt allow-sensitive-mounts -v "$a:/host:ro" bb:1 cat /host/etc/hostname
    [ "$status" -eq 0 ]
}

@test "binds are kept as records: a source with ':' is the one given, read-only as asked" {
    d="$BATS_TEST_TMPDIR/a:b"
    mkdir -p "$d" "$BATS_TEST_TMPDIR/a"
    echo right > "$d/f"
    echo wrong > "$BATS_TEST_TMPDIR/a/f"
    chmod 0777 "$d" "$BATS_TEST_TMPDIR/a"
    run m run --rm --mount "type=bind,source=$d,target=/data,readonly" bb:1 \
        sh -c 'cat /data/f; echo x > /data/new'
    echo "$output"
    [[ "$output" == *right* ]]
    [[ "$output" != *wrong* ]]
    [ ! -e "$d/new" ] && [ ! -e "$BATS_TEST_TMPDIR/a/new" ]
    id=$(m create --mount "type=bind,source=$d,target=/data,readonly" bb:1 true)
    m inspect "$id" | jq -e --arg d "$d" '.[0].Mounts[0] | .Source == $d and .Destination == "/data" and .RW == false'
}

@test ":U writes the host's tree: a read-only bind is no excuse below /etc, /usr, /root, /var/lib" {
    # a root-only secret below /var/lib (read-only binds are allowed there)
    d=$(mktemp -d -p /var/lib moat-test.XXXXXX)
    echo secret > "$d/key"
    chmod 0600 "$d/key"
    run m run --rm -v "$d:/x:ro" bb:1 cat /x/key
    [ "$status" -ne 0 ] # not readable: it is host root's
    # ro,U would first give the tree to the container's user
    run m run --rm -v "$d:/x:ro,U" bb:1 cat /x/key
    echo "$output"
    run2=$(m run --rm --mount "type=bind,source=$d,target=/x,readonly,U" bb:1 cat /x/key 2>&1 || true)
    owner=$(stat -c %u "$d/key")
    rm -rf "$d"
    [ "$owner" = 0 ]
    [ "$status" -eq 125 ]
    [[ "$output" == *"only read-only binds"* ]]
    [[ "$output$run2" != *secret* ]]
}

@test ":U stops at every mount point in the tree, of the same filesystem too" {
    d="$BATS_TEST_TMPDIR/u"
    v="$BATS_TEST_TMPDIR/victim" # stands for /etc, bound there by the host
    mkdir -p "$d/m" "$v"
    echo v > "$v/file"
    echo mine > "$d/own"
    mount --bind "$v" "$d/m"
    [ "$(stat -c %d "$d")" = "$(stat -c %d "$d/m")" ] # one filesystem
    run m run --rm -v "$d:/x:U" bb:1 cat /x/own
    umount "$d/m"
    [ "$status" -eq 0 ]
    base=$(stat -c %u "$d/own")
    [ "$base" -ge 1000000000 ]
    [ "$(stat -c %u:%g "$v/file")" = 0:0 ]
    [ "$(stat -c %u:%g "$v")" = 0:0 ]
}

@test "sensitive places reached through a bind mount of a directory inside one are refused" {
    # the host has bound a directory inside /etc, inside this store and
    # inside /sys elsewhere; each alias is the object it stands for
    for t in /etc/ssl "$STORE/containers" /sys/fs; do
        a="$BATS_TEST_TMPDIR/alias$(echo "$t" | tr / _)"
        mkdir "$a"
        mount --bind "$t" "$a"
    done
    run m run --rm -v "$BATS_TEST_TMPDIR/alias_etc_ssl:/x" bb:1 true
    echo "$output"
    [ "$status" -eq 125 ]
    [[ "$output" == *"inside /etc"* ]]
    m run --rm -v "$BATS_TEST_TMPDIR/alias_etc_ssl:/x:ro" bb:1 true # as /etc/ssl:ro
    run m run --rm -v "$BATS_TEST_TMPDIR/alias$(echo "$STORE" | tr / _)_containers:/x:ro" bb:1 true
    echo "$output"
    [ "$status" -eq 125 ]
    [[ "$output" == *"store"* ]]
    run m run --rm -v "$BATS_TEST_TMPDIR/alias_sys_fs/cgroup:/x:ro" bb:1 true
    echo "$output"
    [ "$status" -eq 125 ]
    # a file bound elsewhere is where it comes from
    touch "$BATS_TEST_TMPDIR/hn"
    mount --bind /etc/hostname "$BATS_TEST_TMPDIR/hn"
    run m run --rm -v "$BATS_TEST_TMPDIR/hn:/x" bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"inside /etc"* ]]
    [ -z "$(m ps -aq)" ]
}

@test "the kernel's filesystems are refused wherever they are mounted" {
    # a procfs of its own (a superblock of its own) and a second mount of a
    # cgroup v1 hierarchy (whose release_agent host root may write)
    p="$BATS_TEST_TMPDIR/proc2"
    mkdir "$p"
    mount -t proc proc "$p"
    run m run --rm --userns host -v "$p:/x" bb:1 true
    echo "$output"
    [ "$status" -eq 125 ]
    [[ "$output" == *"proc"* ]]
    run m run --rm -v "$p/sys/kernel:/x:ro" bb:1 true
    [ "$status" -eq 125 ]
    if [ "$(stat -f -c %T /sys/fs/cgroup/pids 2>/dev/null)" = cgroupfs ]; then
        c="$BATS_TEST_TMPDIR/cg"
        mkdir "$c"
        mount -t cgroup -o pids cgroup "$c"
        run m run --rm --userns host -v "$c:/x" bb:1 true
        echo "$output"
        [ "$status" -eq 125 ]
        [[ "$output" == *"cgroup"* ]]
    fi
    [ -z "$(m ps -aq)" ]
}

@test "U and idmap act as root on the host's tree: never through a symbolic link" {
    # alice's directory, bound for her container; she points it at bob's
    home="$BATS_TEST_TMPDIR/home"
    mkdir -p "$home/alice" "$home/bob"
    echo private > "$home/bob/notes"
    chown 1234:1234 "$home/bob" "$home/bob/notes"
    chmod 0700 "$home/bob"
    ln -s "$home/bob" "$home/alice/data"
    chown -h 4321:4321 "$home/alice" "$home/alice/data"
    run m run --rm -v "$home/alice/data:/data:U" bb:1 cat /data/notes
    echo "$output"
    [ "$(stat -c %u "$home/bob/notes")" = 1234 ]
    [ "$status" -eq 125 ]
    [[ "$output" == *"symbolic link"* ]]
    [[ "$output" != *private* ]]
    run m run --rm -v "$home/alice/data:/data:idmap" bb:1 sh -c 'cat /data/notes; touch /data/planted'
    echo "$output"
    [ ! -e "$home/bob/planted" ]
    [ "$status" -eq 125 ]
    [[ "$output" != *private* ]]
    # the real path is fine, and a plain bind may still follow the link
    m run --rm -v "$home/bob:/data:U" bb:1 cat /data/notes
    # (bob's tree is the first container's now: another one, in another
    # id range, may mount it but not read inside)
    m run --rm -v "$home/alice/data:/data:ro" bb:1 ls -d /data
}

@test "binds are recursive: what is mounted below a source is judged as a source too" {
    d="$BATS_TEST_TMPDIR/tree"
    mkdir -p "$d/etc" "$d/proc" "$d/data"
    echo ok > "$d/data/f"
    mount --bind /etc "$d/etc"
    run m run --rm -v "$d:/x:ro" bb:1 true
    echo "$output"
    [ "$status" -eq 125 ]
    [[ "$output" == *"a mount below it"*"it is /etc"* ]]
    umount "$d/etc"
    mount -t proc proc "$d/proc"
    run m run --rm -v "$d:/x:ro" bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"a mount below it"*"proc filesystem"* ]]
    umount "$d/proc"
    # a harmless mount below is fine
    mount -t tmpfs tmp "$d/data"
    echo ok > "$d/data/f"
    [ "$(m run --rm -v "$d:/x:ro" bb:1 cat /x/data/f)" = ok ]
}

@test "a directory bound onto itself does not end the walk up: what holds it is judged" {
    d=/var/lib/moat-selfbind-$$
    mkdir -p "$d/x"
    mount --bind "$d" "$d"
    run m run --rm -v "$d/x:/x:U" bb:1 true
    umount "$d"
    rm -rf "$d"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"inside /var/lib"* ]]
}

@test "idmap reads as the files' root: below /etc even read-only it is refused" {
    run m run --rm -v /etc/apt:/k:ro,idmap bb:1 true
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"inside /etc"* ]]
    # plain read-only stays allowed
    m run --rm -v /etc/apt:/k:ro bb:1 true
}

@test "a file with other hard links: only a plain read-only bind may use it" {
    f="$BATS_TEST_TMPDIR/f"
    echo data > "$f"
    ln "$f" "$BATS_TEST_TMPDIR/elsewhere"
    run m run --rm -v "$f:/f:U" bb:1 true
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"hard links"* ]]
    run m run --rm -v "$f:/f" bb:1 true
    [ "$status" -ne 0 ]
    [ "$(m run --rm -v "$f:/f:ro" bb:1 cat /f)" = data ]
    [ "$(stat -c %u "$f")" = 0 ]
}

@test "mount destinations are checked at create, for -v and --mount alike" {
    d="$BATS_TEST_TMPDIR/src"
    mkdir -p "$d"
    for bad in "--mount type=bind,source=$d,target=/." "--mount type=bind,source=$d,target=/a/../b" \
        "-v $d:/x/./y" "-v $d:/d -v $d:/d/" "-v $d:/d:U,idmap"; do
        run m create $bad bb:1 true
        echo "$bad: $output"
        [ "$status" -eq 125 ]
    done
    [ -z "$(m ps -aq)" ]
}

@test "the host's list of stores counts only stores that are root's alone" {
    list=/var/lib/moat/stores.list
    cp "$list" "$BATS_TEST_TMPDIR/list.saved"
    # a store root once in the list, gone, and made again by another user:
    # a directory of theirs, and a symbolic link to a directory
    u="$BATS_TEST_TMPDIR/userstore"
    mkdir -p "$u/sub" "$BATS_TEST_TMPDIR/data"
    chown -R 65534 "$u"
    ln -s "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/linkstore"
    printf '%s\n%s\n' "$u" "$BATS_TEST_TMPDIR/linkstore" >> "$list"
    run m run --rm -v "$u/sub:/d" bb:1 true
    r1=$status
    run m run --rm -v "$BATS_TEST_TMPDIR/data:/d" bb:1 true
    r2=$status
    cp "$BATS_TEST_TMPDIR/list.saved" "$list"
    echo "$output"
    [ "$r1" -eq 0 ] && [ "$r2" -eq 0 ]
    # and such a directory is no store for this engine either
    run "$MOAT" --root "$u" images
    [ "$status" -ne 0 ]
    [[ "$output" == *"must be root's alone"* ]]
}
