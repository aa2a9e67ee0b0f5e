#!/usr/bin/env bats
# The engine's image store: import, load, save, tag, rmi, inspect, prune,
# and layers from hostile tarballs.

load common

setup_file() {
    setup_rootfs
    tar -C "$ROOTFS" -czf "$BATS_FILE_TMPDIR/rootfs.tgz" .
}

setup() {
    STORE="$BATS_TEST_TMPDIR/store"
    HOSTILE="$REPO/tests/lib/hostile-tar.py"
    rm -f /tmp/moat-escaped
}

teardown() {
    rm -f /tmp/moat-escaped
    [ -z "${holder:-}" ] || kill "$holder" 2>/dev/null || true
}

m() {
    "$MOAT" --root "$STORE" "$@"
}

# nothing but the empty skeleton left in the store
store_is_empty() {
    [ -z "$(find "$STORE/blobs/sha256" "$STORE/layers" "$STORE/images" "$STORE/tmp" -mindepth 1)" ]
}

@test "import: a rootfs tarball becomes a named image with one layer" {
    run m import "$BATS_FILE_TMPDIR/rootfs.tgz" busybox:1
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
    id=$output
    run m images
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE ]]
    [[ "${lines[1]}" =~ ^busybox\ +1\ +${id:7:12}\  ]]
    run m image inspect busybox:1
    [ "$(echo "$output" | jq -r '.[0].Id')" = "$id" ]
    [ "$(echo "$output" | jq -r '.[0].RepoTags[0]')" = "busybox:1" ]
    [ "$(echo "$output" | jq '.[0].RootFS.Layers | length')" = 1 ]
    # the layer is unpacked once, by diff_id, owned as in the tarball
    diff=$(echo "$output" | jq -r '.[0].RootFS.Layers[0]')
    [ "$diff" = "sha256:$(gzip -dc "$BATS_FILE_TMPDIR/rootfs.tgz" | sha256sum | cut -d' ' -f1)" ]
    [ -x "$STORE/layers/${diff#sha256:}/diff/bin/busybox" ]
    [ "$(stat -c %a "$STORE")" = 700 ]
    # an id prefix finds it too
    run m image inspect "${id:7:8}"
    [ "$status" -eq 0 ]
}

@test "save and load: round trip into another store, both archive formats in one" {
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" localhost:5000/app:2
    m save -o "$BATS_TEST_TMPDIR/app.tar" localhost:5000/app:2
    tar -tf "$BATS_TEST_TMPDIR/app.tar" | grep -qx manifest.json
    tar -tf "$BATS_TEST_TMPDIR/app.tar" | grep -qx index.json
    tar -tf "$BATS_TEST_TMPDIR/app.tar" | grep -qx oci-layout
    run "$MOAT" --root "$BATS_TEST_TMPDIR/other" load -i "$BATS_TEST_TMPDIR/app.tar"
    [ "$status" -eq 0 ]
    [ "$output" = "Loaded image: localhost:5000/app:2" ]
    a=$(m image inspect app 2>/dev/null | jq -r '.[0].Id' || true)
    [ "$(m images -q --no-trunc)" = "$("$MOAT" --root "$BATS_TEST_TMPDIR/other" images -q --no-trunc)" ]
    # stdin works, and the OCI layout alone (no manifest.json) loads
    mkdir "$BATS_TEST_TMPDIR/oci" && tar -C "$BATS_TEST_TMPDIR/oci" -xf "$BATS_TEST_TMPDIR/app.tar"
    rm "$BATS_TEST_TMPDIR/oci/manifest.json"
    tar -C "$BATS_TEST_TMPDIR/oci" -cf - . | "$MOAT" --root "$BATS_TEST_TMPDIR/third" load
    [ "$("$MOAT" --root "$BATS_TEST_TMPDIR/third" images -q)" = "$(m images -q)" ]
}

@test "load: a docker-archive written by podman" {
    command -v podman >/dev/null || skip "podman not installed"
    P="podman --root $BATS_TEST_TMPDIR/p --runroot $BATS_TEST_TMPDIR/pr --storage-driver vfs"
    $P import "$BATS_FILE_TMPDIR/rootfs.tgz" localhost/fromp:1 >/dev/null
    $P save --format docker-archive -o "$BATS_TEST_TMPDIR/d.tar" localhost/fromp:1 2>/dev/null
    $P save --format oci-archive -o "$BATS_TEST_TMPDIR/o.tar" localhost/fromp:1 2>/dev/null
    pid=$($P image inspect localhost/fromp:1 --format '{{.Id}}')
    $P rmi -a -f >/dev/null 2>&1 || true
    run m load -i "$BATS_TEST_TMPDIR/d.tar"
    [ "$status" -eq 0 ]
    [ "$output" = "Loaded image: localhost/fromp:1" ]
    [ "$(m image inspect localhost/fromp:1 | jq -r '.[0].Id')" = "sha256:$pid" ]
    run "$MOAT" --root "$BATS_TEST_TMPDIR/o" load -i "$BATS_TEST_TMPDIR/o.tar"
    [ "$status" -eq 0 ]
    [ "$("$MOAT" --root "$BATS_TEST_TMPDIR/o" images -q)" = "${pid:0:12}" ]
}

@test "tag and rmi: names go first, the image with its last name; the store is empty after" {
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" one:1 >/dev/null
    m tag one:1 two
    [ "$(m images | grep -c '^one\|^two')" = 2 ]
    run m rmi one:1
    [ "$status" -eq 0 ]
    [ "$output" = "Untagged: one:1" ]
    run m rmi two
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Untagged: two:latest" ]
    [[ "${lines[1]}" =~ ^Deleted:\ sha256: ]]
    store_is_empty
    run m rmi two
    [ "$status" -ne 0 ]
    [[ "$output" == *'"two": no such image'* ]]
}

@test "rmi of an image by id with two names needs --force; prune removes untagged images" {
    id=$(m import "$BATS_FILE_TMPDIR/rootfs.tgz" a:1)
    m tag a:1 b:1
    run m rmi "${id:7:12}"
    [ "$status" -ne 0 ]
    [[ "$output" == *"referenced by 2 names"* ]]
    m rmi -f "${id:7:12}"
    store_is_empty
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" >/dev/null
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" kept:1 >/dev/null
    # it asks: anything but y removes nothing
    before=$(m images -q | wc -l)
    run sh -c "echo n | $MOAT --root $STORE image prune -a"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Are you sure you want to continue? [y/N]"* ]]
    [ "$(m images -q | wc -l)" = "$before" ]
    run m image prune -f
    [ "$status" -eq 0 ]
    m images | grep -q '^kept '
    run sh -c "echo y | $MOAT --root $STORE image prune -a"
    [[ "$output" == *"deleted: sha256:"* ]]
    store_is_empty
}

@test "image names: bad references are refused with the reason" {
    run m import "$BATS_FILE_TMPDIR/rootfs.tgz" 'UPPER:case'
    [ "$status" -ne 0 ]
    [[ "$output" == *'image reference "UPPER:case": not a valid name'* ]]
    run m tag nosuch x
    [ "$status" -ne 0 ]
    [[ "$output" == *'"nosuch": no such image'* ]]
    run m load -i /nonexistent
    [ "$status" -ne 0 ]
    [[ "$output" == *"/nonexistent"* ]]
    store_is_empty
}

@test "load: a docker-archive image without RepoTags loads by its id" {
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" real:1 >/dev/null
    m save -o "$BATS_TEST_TMPDIR/real.tar" real:1
    mkdir "$BATS_TEST_TMPDIR/x" && tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/real.tar"
    rm "$BATS_TEST_TMPDIR/x/index.json"
    jq '.[0].RepoTags = []' "$BATS_TEST_TMPDIR/x/manifest.json" > "$BATS_TEST_TMPDIR/m.json"
    mv "$BATS_TEST_TMPDIR/m.json" "$BATS_TEST_TMPDIR/x/manifest.json"
    tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/untagged.tar" .
    run "$MOAT" --root "$BATS_TEST_TMPDIR/s2" load -i "$BATS_TEST_TMPDIR/untagged.tar"
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^Loaded\ image\ ID:\ sha256:[0-9a-f]{64}$ ]]
    [ "$("$MOAT" --root "$BATS_TEST_TMPDIR/s2" images -q | wc -l)" -eq 1 ]
}

@test "load: a 10 MB name in RepoTags is refused with a short error, nothing stored" {
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" real:1 >/dev/null
    m save -o "$BATS_TEST_TMPDIR/real.tar" real:1
    mkdir "$BATS_TEST_TMPDIR/x" && tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/real.tar"
    head -c $((10 << 20)) /dev/zero | tr '\0' a > "$BATS_TEST_TMPDIR/big"
    jq --rawfile big "$BATS_TEST_TMPDIR/big" '.[0].RepoTags = [$big + ":1"]' \
        "$BATS_TEST_TMPDIR/x/manifest.json" > "$BATS_TEST_TMPDIR/m.json"
    mv "$BATS_TEST_TMPDIR/m.json" "$BATS_TEST_TMPDIR/x/manifest.json"
    tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/big.tar" .
    run "$MOAT" --root "$BATS_TEST_TMPDIR/s2" load -i "$BATS_TEST_TMPDIR/big.tar"
    [ "$status" -ne 0 ]
    [[ "$output" == *"manifest.json[0].RepoTags[0]: image reference \"aaaa"*"the name is longer than 255 characters"* ]]
    [ "${#output}" -lt 1000 ]
    STORE=$BATS_TEST_TMPDIR/s2 store_is_empty
}

# hostile layers: each refused with its entry and reason, nothing left

refused() { # CASE EXPECTED-TEXT
    python3 "$HOSTILE" "$1" "$BATS_TEST_TMPDIR/$1.tar.gz"
    run m import "$BATS_TEST_TMPDIR/$1.tar.gz" hostile:1
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"$2"* ]]
    [ ! -e /tmp/moat-escaped ]
    store_is_empty
    [ -z "$(m images -q)" ]
}

@test "hostile layer: .. components are refused" {
    refused dotdot 'entry "../../../../tmp/moat-escaped": path contains ".."'
    refused dotdot-inner 'entry "a/../../moat-escaped": path contains ".."'
}

@test "hostile layer: absolute paths are refused" {
    refused absolute 'entry "/tmp/moat-escaped": absolute path'
}

@test "hostile layer: hard links must point inside the layer" {
    refused hardlink-out 'hard link target "/etc/passwd": absolute path'
    refused hardlink-dotdot 'path contains ".."'
    refused hardlink-missing 'it must be in the same layer'
    refused hardlink-dir 'is a directory'
}

@test "hostile layer: symlinks are resolved inside the layer, never on the host" {
    for c in symlink-parent symlink-dotdot symlink-replace; do
        python3 "$HOSTILE" $c "$BATS_TEST_TMPDIR/$c.tar"
        run m import "$BATS_TEST_TMPDIR/$c.tar" $c:1
        [ "$status" -eq 0 ]
        [ ! -e /tmp/moat-escaped ]
    done
    d=$(m image inspect symlink-parent:1 | jq -r '.[0].RootFS.Layers[0]' | cut -d: -f2)
    [ -f "$STORE/layers/$d/diff/tmp/moat-escaped" ]
    d=$(m image inspect symlink-replace:1 | jq -r '.[0].RootFS.Layers[0]' | cut -d: -f2)
    [ "$(cat "$STORE/layers/$d/diff/f")" = inside ]
    [ ! -L "$STORE/layers/$d/diff/f" ]
}

@test "hostile layer: device nodes are dropped, whiteouts become overlayfs whiteouts" {
    python3 "$HOSTILE" device "$BATS_TEST_TMPDIR/dev.tar"
    m import "$BATS_TEST_TMPDIR/dev.tar" dev:1
    d=$(m image inspect dev:1 | jq -r '.[0].RootFS.Layers[0]' | cut -d: -f2)
    [ ! -e "$STORE/layers/$d/diff/dev/null2" ]
    [ -f "$STORE/layers/$d/diff/ok" ]
    python3 "$HOSTILE" whiteout "$BATS_TEST_TMPDIR/wh.tar"
    m import "$BATS_TEST_TMPDIR/wh.tar" wh:1
    d=$(m image inspect wh:1 | jq -r '.[0].RootFS.Layers[0]' | cut -d: -f2)
    [ -c "$STORE/layers/$d/diff/etc/passwd" ]
    [ "$(stat -c %t:%T "$STORE/layers/$d/diff/etc/passwd")" = 0:0 ]
    [ "$(getfattr --only-values -n trusted.overlay.opaque "$STORE/layers/$d/diff/opq" 2>/dev/null || python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode())' "$STORE/layers/$d/diff/opq")" = y ]
    [ ! -e "$STORE/layers/$d/diff/opq/.wh..wh..opq" ]
}

@test "hostile layer: entry count and size limits" {
    python3 "$HOSTILE" many "$BATS_TEST_TMPDIR/many.tar"
    MOAT_LAYER_MAX_ENTRIES=10 run m import "$BATS_TEST_TMPDIR/many.tar" many:1
    [ "$status" -ne 0 ]
    [[ "$output" == *'entry "f10": more than 10 entries'* ]]
    python3 "$HOSTILE" big "$BATS_TEST_TMPDIR/big.tar.gz"
    MOAT_LAYER_MAX_BYTES=100000 run m import "$BATS_TEST_TMPDIR/big.tar.gz" big:1
    [ "$status" -ne 0 ]
    [[ "$output" == *"more than 100000"* || "$output" == *"exceed 100000 bytes"* ]]
    store_is_empty
}

@test "hostile archive: not a tarball, a truncated gzip, a load with a layer that lies" {
    head -c 3000 /dev/urandom > "$BATS_TEST_TMPDIR/junk"
    run m import "$BATS_TEST_TMPDIR/junk"
    [ "$status" -ne 0 ]
    [[ "$output" == *"not a tar archive"* || "$output" == *"cannot read the archive"* ]]
    head -c 20000 "$BATS_FILE_TMPDIR/rootfs.tgz" > "$BATS_TEST_TMPDIR/trunc.tgz"
    run m import "$BATS_TEST_TMPDIR/trunc.tgz"
    [ "$status" -ne 0 ]
    store_is_empty
    # a saved image whose layer blob was swapped: digest mismatch, nothing kept
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" real:1 >/dev/null
    m save -o "$BATS_TEST_TMPDIR/real.tar" real:1
    mkdir "$BATS_TEST_TMPDIR/x" && tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/real.tar"
    layer=$(jq -r '.[0].Layers[0]' "$BATS_TEST_TMPDIR/x/manifest.json")
    python3 "$HOSTILE" setuid "$BATS_TEST_TMPDIR/x/$layer"
    tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/lie.tar" .
    run "$MOAT" --root "$BATS_TEST_TMPDIR/s2" load -i "$BATS_TEST_TMPDIR/lie.tar"
    [ "$status" -ne 0 ]
    [[ "$output" == *"its content has diff_id"* ]]
    rm "$BATS_TEST_TMPDIR/x/manifest.json"
    tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/lie2.tar" .
    run "$MOAT" --root "$BATS_TEST_TMPDIR/s2" load -i "$BATS_TEST_TMPDIR/lie2.tar"
    [ "$status" -ne 0 ]
    [[ "$output" == *"its content has digest"* ]]
    STORE=$BATS_TEST_TMPDIR/s2 store_is_empty
}

@test "hostile archive: FIFOs and an oversized manifest are refused, not waited for" {
    # a FIFO opened for reading would block until a writer comes
    mkdir "$BATS_TEST_TMPDIR/f"
    mkfifo "$BATS_TEST_TMPDIR/f/manifest.json"
    tar -C "$BATS_TEST_TMPDIR/f" -cf "$BATS_TEST_TMPDIR/fifo.tar" manifest.json
    run timeout -k 5 20 "$MOAT" --root "$STORE" load -i "$BATS_TEST_TMPDIR/fifo.tar"
    [ "$status" -eq 1 ]
    [[ "$output" == *"manifest.json: not a regular file"* ]]
    store_is_empty
    # a real manifest whose layer is a FIFO
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" real:1 >/dev/null
    m save -o "$BATS_TEST_TMPDIR/real.tar" real:1
    mkdir "$BATS_TEST_TMPDIR/x" && tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/real.tar"
    layer=$(jq -r '.[0].Layers[0]' "$BATS_TEST_TMPDIR/x/manifest.json")
    rm "$BATS_TEST_TMPDIR/x/$layer" && mkfifo "$BATS_TEST_TMPDIR/x/$layer"
    tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/fifo2.tar" .
    run timeout -k 5 20 "$MOAT" --root "$BATS_TEST_TMPDIR/s2" load -i "$BATS_TEST_TMPDIR/fifo2.tar"
    [ "$status" -eq 1 ]
    [[ "$output" == *"not a regular file"* ]]
    STORE=$BATS_TEST_TMPDIR/s2 store_is_empty
    # 17 MiB of blanks around an empty list: refused before it is read
    mkdir "$BATS_TEST_TMPDIR/big"
    { printf '['; head -c $((17 << 20)) /dev/zero | tr '\0' ' '; printf ']'; } > "$BATS_TEST_TMPDIR/big/manifest.json"
    tar -C "$BATS_TEST_TMPDIR/big" -cf "$BATS_TEST_TMPDIR/big.tar" manifest.json
    run "$MOAT" --root "$BATS_TEST_TMPDIR/s3" load -i "$BATS_TEST_TMPDIR/big.tar"
    [ "$status" -eq 1 ]
    [[ "$output" == *"manifest.json: larger than 16 MiB"* ]]
    STORE=$BATS_TEST_TMPDIR/s3 store_is_empty
}

@test "concurrent imports and loads into one store do not corrupt it" {
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" seed:1 >/dev/null
    m save -o "$BATS_TEST_TMPDIR/seed.tar" seed:1
    m rmi seed:1 >/dev/null
    for i in $(seq 8); do
        m import "$BATS_FILE_TMPDIR/rootfs.tgz" "par:$i" > /dev/null &
        m load -i "$BATS_TEST_TMPDIR/seed.tar" > /dev/null &
    done
    wait
    [ "$(m images | grep -c '^par ')" = 8 ]
    m images | grep -q '^seed '
    for i in $(seq 8); do m rmi "par:$i" >/dev/null; done
    m rmi seed:1 >/dev/null
    store_is_empty
}

@test "load: a 10 MB name is refused with a short error before anything is stored" {
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" real:1 >/dev/null
    m save -o "$BATS_TEST_TMPDIR/real.tar" real:1
    mkdir "$BATS_TEST_TMPDIR/x" && tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/real.tar"
    # a second, valid tag after the long one: nothing of the archive is kept
    python3 - "$BATS_TEST_TMPDIR/x/manifest.json" <<'PY'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
m[0]["RepoTags"] = ["ok:1", "a" * (10 << 20) + ":1"]
json.dump(m, open(p, "w"))
PY
    tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/long.tar" .
    run "$MOAT" --root "$BATS_TEST_TMPDIR/s2" load -i "$BATS_TEST_TMPDIR/long.tar"
    [ "$status" -ne 0 ]
    [ "${#output}" -lt 400 ]
    [[ "$output" == *"RepoTags[1]"*"10485762 bytes"* ]]
    STORE=$BATS_TEST_TMPDIR/s2 store_is_empty
    # the OCI index's name, too
    rm "$BATS_TEST_TMPDIR/x/manifest.json"
    python3 - "$BATS_TEST_TMPDIR/x/index.json" <<'PY'
import json, sys
p = sys.argv[1]
ix = json.load(open(p))
ix["manifests"][0]["annotations"] = {"io.containerd.image.name": "b" * (10 << 20) + ":1"}
json.dump(ix, open(p, "w"))
PY
    tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/long2.tar" .
    run "$MOAT" --root "$BATS_TEST_TMPDIR/s2" load -i "$BATS_TEST_TMPDIR/long2.tar"
    [ "$status" -ne 0 ]
    [ "${#output}" -lt 400 ]
    [[ "$output" == *"index.json: manifests[0]: name"*"bytes"* ]]
    STORE=$BATS_TEST_TMPDIR/s2 store_is_empty
}

# kill_at CMD SYSCALL ARGS...: run moat ARGS on a fresh store $K, killed
# (SIGKILL) at the first, second, ... call of SYSCALL until it completes;
# after each kill the next command (images) must leave nothing that no
# image uses. Prints how often it was killed.
kill_at() {
    local sc=$1 n=0 rc; shift
    while :; do
        n=$((n + 1))
        rm -rf "$K"
        rc=0
        # LeakSanitizer cannot run under ptrace (the ASan build)
        ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null -e trace="$sc" -e inject="$sc:signal=SIGKILL:when=$n" \
            "$MOAT" --root "$K" "$@" >/dev/null 2>&1 || rc=$?
        [ "$rc" -eq 137 ] || break
        "$MOAT" --root "$K" images >/dev/null
        python3 "$REPO/tests/lib/store-orphans.py" "$K" || { echo "orphans after a kill at $sc #$n" >&2; return 1; }
    done
    [ "$rc" -eq 0 ] || { echo "moat $* failed unkilled: $rc" >&2; return 1; }
    echo $((n - 1))
}

@test "import and load killed midway: the next command leaves no orphan blob, layer or temporary" {
    command -v strace >/dev/null || skip "strace not installed"
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" seed:1 >/dev/null
    m save -o "$BATS_TEST_TMPDIR/seed.tar" seed:1
    K=$BATS_TEST_TMPDIR/k
    for sc in renameat mkdirat fsync; do
        n=$(kill_at $sc import "$BATS_FILE_TMPDIR/rootfs.tgz" x:1)
        [ "$n" -gt 0 ]
        n=$(kill_at $sc load -i "$BATS_TEST_TMPDIR/seed.tar")
        [ "$n" -gt 0 ]
    done
}

@test "image prune removes blobs, layers and temporary files that no image uses" {
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" keep:1 >/dev/null
    # what a killed import of an older moat left: a blob, a layer, a record temp
    printf 'orphan' > "$BATS_TEST_TMPDIR/o"
    h=$(sha256sum "$BATS_TEST_TMPDIR/o" | cut -d' ' -f1)
    cp "$BATS_TEST_TMPDIR/o" "$STORE/blobs/sha256/$h"
    mkdir -p "$STORE/layers/$h/diff"
    dead=$(sh -c 'echo $$')
    echo "{}" > "$STORE/images/.$h.json.tmp$dead"
    ! python3 "$REPO/tests/lib/store-orphans.py" "$STORE"
    run m image prune -f
    [ "$status" -eq 0 ]
    python3 "$REPO/tests/lib/store-orphans.py" "$STORE"
    [ "$(m run --rm keep:1 echo kept)" = kept ]
}

@test "tmp/: a live staging area is kept, a dead one is removed by the next command" {
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" keep:1 >/dev/null
    # a staging area whose journal another process holds (as a monitor
    # would, which does not count as a user of the store)
    mkdir "$STORE/tmp/0123456789abcdef"
    touch "$STORE/tmp/0123456789abcdef/work" "$STORE/tmp/0123456789abcdef.journal"
    python3 -c 'import fcntl, sys, time
f = open(sys.argv[1])
fcntl.flock(f, fcntl.LOCK_EX)
time.sleep(600)' "$STORE/tmp/0123456789abcdef.journal" &
    holder=$!
    for i in $(seq 100); do flock -n "$STORE/tmp/0123456789abcdef.journal" true || break; sleep 0.05; done
    m images >/dev/null
    [ -e "$STORE/tmp/0123456789abcdef/work" ]
    kill "$holder"
    wait "$holder" || true
    m images >/dev/null
    [ ! -e "$STORE/tmp/0123456789abcdef" ]
    [ ! -e "$STORE/tmp/0123456789abcdef.journal" ]
    python3 "$REPO/tests/lib/store-orphans.py" "$STORE"
}

@test "recovery of a dead journal spares what a live one is making (two pulls of one layer)" {
    m import "$BATS_FILE_TMPDIR/rootfs.tgz" keep:1 >/dev/null
    # a layer no image uses yet, being made by a live moat (its journal held)
    # and listed as well by the journal of a dead one
    hex=$(printf 'moat-test-%s' "$BATS_TEST_NUMBER" | sha256sum | cut -c1-64)
    mkdir -p "$STORE/layers/$hex/diff"
    echo "layers/$hex" > "$STORE/tmp/aaaaaaaaaaaaaaaa.journal"
    echo "layers/$hex" > "$STORE/tmp/bbbbbbbbbbbbbbbb.journal"
    python3 -c 'import fcntl, sys, time
f = open(sys.argv[1])
fcntl.flock(f, fcntl.LOCK_EX)
time.sleep(600)' "$STORE/tmp/aaaaaaaaaaaaaaaa.journal" &
    holder=$!
    for i in $(seq 100); do flock -n "$STORE/tmp/aaaaaaaaaaaaaaaa.journal" true || break; sleep 0.05; done
    m images >/dev/null # recovers the dead journal
    [ ! -e "$STORE/tmp/bbbbbbbbbbbbbbbb.journal" ]
    [ -d "$STORE/layers/$hex" ]
    kill "$holder"
    wait "$holder" || true
    m images >/dev/null # now nobody is making it: it goes
    [ ! -e "$STORE/layers/$hex" ]
}

@test "a staging journal is locked before it has a name: no recovery can take it for a dead one" {
    command -v strace >/dev/null || skip "strace not installed"
    # LeakSanitizer cannot run under ptrace
    ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat,linkat,flock -o "$BATS_TEST_TMPDIR/trace" \
        "$MOAT" --root "$STORE" import "$BATS_FILE_TMPDIR/rootfs.tgz" j:1 >/dev/null
    # the first time a journal's name appears, it is linked in from a
    # descriptor that was locked before
    line=$(grep -n 'journal"' "$BATS_TEST_TMPDIR/trace" | head -1)
    echo "$line"
    [[ "$line" == *linkat* ]]
    fd=$(echo "$line" | sed -n 's/.*linkat(\([0-9]*\),.*/\1/p')
    n=${line%%:*}
    head -n "$n" "$BATS_TEST_TMPDIR/trace" | grep -q "flock($fd, LOCK_EX)"
}
