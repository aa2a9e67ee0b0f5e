#!/usr/bin/env bats
# Registry pulls: Debian's docker-registry on 127.0.0.1 (images pushed with
# skopeo from a tarball moat saved), and a Bearer-token registry that can
# turn hostile (tests/lib/token-registry.py).

load common

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# registry_config ADDR [CERT KEY]: docker-registry's config, serving the
# file's images (TLS with CERT and KEY)
registry_config() {
    printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n'
    printf '    rootdirectory: %s\nhttp:\n  addr: %s\n' "$BATS_FILE_TMPDIR/regdata" "$1"
    [ $# -lt 3 ] || printf '  tls:\n    certificate: %s\n    key: %s\n' "$2" "$3"
}

setup_file() {
    command -v docker-registry >/dev/null || skip "docker-registry not installed"
    command -v skopeo >/dev/null || skip "skopeo not installed"
    "$REPO/scripts/setup.sh" > /dev/null # the user moat-fetch
    setup_rootfs
    export SEED="$BATS_FILE_TMPDIR/seed"
    tar -C "$ROOTFS" -czf "$BATS_FILE_TMPDIR/rootfs.tgz" .
    "$MOAT" --root "$SEED" import "$BATS_FILE_TMPDIR/rootfs.tgz" app:1 >/dev/null
    "$MOAT" --root "$SEED" save -o "$BATS_FILE_TMPDIR/app.tar" app:1
    mkdir "$BATS_FILE_TMPDIR/layout"
    tar -C "$BATS_FILE_TMPDIR/layout" -xf "$BATS_FILE_TMPDIR/app.tar"
    export PORT=$(free_port)
    export REG="127.0.0.1:$PORT"
    registry_config "$REG" > "$BATS_FILE_TMPDIR/reg.yml"
    docker-registry serve "$BATS_FILE_TMPDIR/reg.yml" > "$BATS_FILE_TMPDIR/reg.log" 2>&1 &
    echo $! > "$BATS_FILE_TMPDIR/reg.pid"
    for i in $(seq 50); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.1; done
    skopeo copy -q --dest-tls-verify=false "oci-archive:$BATS_FILE_TMPDIR/app.tar" "docker://$REG/app:1"
    skopeo copy -q --dest-tls-verify=false --format v2s2 "oci-archive:$BATS_FILE_TMPDIR/app.tar" \
        "docker://$REG/app:v2s2"
}

teardown_file() {
    [ -f "$BATS_FILE_TMPDIR/reg.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/reg.pid")" 2>/dev/null || true
}

setup() {
    STORE="$BATS_TEST_TMPDIR/store"
}

teardown() {
    [ -n "${TOKPID:-}" ] && kill "$TOKPID" 2>/dev/null || true
    [ -n "${PULLPID:-}" ] && kill -9 "$PULLPID" 2>/dev/null || true
    [ -z "${LIEDIR:-}" ] || rm -rf "$LIEDIR"
    for id in $("$MOAT" --root "$STORE" ps -aq --no-trunc 2>/dev/null); do
        "$MOAT" --root "$STORE" rm -f "$id" >/dev/null 2>&1 || true
    done
}

m() {
    "$MOAT" --root "$STORE" "$@"
}

store_is_empty() {
    [ -z "$(find "$STORE/blobs/sha256" "$STORE/layers" "$STORE/images" "$STORE/tmp" -mindepth 1)" ]
    [ ! -e "$STORE/digests.json" ] || [ "$(jq length "$STORE/digests.json")" = 0 ]
}

# the digest of what the registry serves for $REG/app:TAG, asked two ways
reg_digest() {
    local a b
    a=sha256:$(skopeo inspect --raw --tls-verify=false "docker://$REG/app:$1" | sha256sum | cut -d' ' -f1)
    b=$(curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REG/v2/app/manifests/$1" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
    [ "$a" = "$b" ] && echo "$a"
}

start_token_registry() { # [MODE]
    python3 "$REPO/tests/lib/token-registry.py" "$BATS_FILE_TMPDIR/layout" "$BATS_TEST_TMPDIR/port" ${1:-} &
    TOKPID=$!
    for i in $(seq 50); do [ -f "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.1; done
    TREG="127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")"
}

@test "pull from a registry, run, pull again (up to date), by digest" {
    run m pull "$REG/app:1"
    [ "$status" -eq 0 ]
    [[ "$output" == *"1: Pulling from app"* ]]
    [[ "$output" == *"Pull complete"* ]]
    [[ "$output" == *"Status: Downloaded newer image for $REG/app:1"* ]]
    [ "${lines[-1]}" = "$REG/app:1" ]
    [ "$(m run --rm "$REG/app:1" echo hello)" = hello ]
    run m pull "$REG/app:1"
    [[ "$output" == *"Already exists"* ]]
    [[ "$output" == *"Image is up to date for $REG/app:1"* ]]
    digest=$(echo "$output" | sed -n 's/^Digest: //p')
    run m pull "$REG/app@$digest"
    [ "$status" -eq 0 ]
    # the image is the one that was pushed: same config digest
    [ "$(m images -q --no-trunc | sort -u)" = "$("$MOAT" --root "$SEED" images -q --no-trunc)" ]
}

@test "pull: Docker schema 2 manifests; run pulls what is missing" {
    run m pull -q "$REG/app:v2s2"
    [ "$status" -eq 0 ]
    [ "$output" = "$REG/app:v2s2" ]
    run m run --rm "$REG/app:1" true
    [ "$status" -eq 0 ]
}

@test "pull: a missing tag or registry fails with the reason, leaving nothing" {
    run m pull "$REG/app:nosuch"
    [ "$status" -ne 0 ]
    [[ "$output" == *"manifest unknown"* ]]
    store_is_empty
    run m pull "127.0.0.1:9/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"127.0.0.1:9"* ]]
    run m pull 'Bad/Name'
    [ "$status" -ne 0 ]
    [[ "$output" == *"not a valid name"* ]]
    store_is_empty
}

@test "parallel pulls of one image into one store" {
    for i in 1 2 3 4 5 6; do m pull -q "$REG/app:1" > /dev/null & done
    wait
    [ "$(m images -q | wc -l)" = 1 ]
    [ -z "$(ls "$STORE/tmp")" ]
    [ "$(m run --rm "$REG/app:1" echo ok)" = ok ]
}

@test "bearer tokens: login, pull, logout" {
    start_token_registry
    run m pull "$TREG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"HTTP 401"* ]]
    run m login -u moat -p wrong "$TREG"
    [ "$status" -ne 0 ]
    echo secret | m login -u moat --password-stdin "$TREG"
    [ "$(stat -c %a "$STORE/auth.json")" = 600 ]
    run m pull "$TREG/app:1"
    [ "$status" -eq 0 ]
    [ "$(m run --rm "$TREG/app:1" echo authed)" = authed ]
    m logout "$TREG"
    m rmi "$TREG/app:1"
    run m pull "$TREG/app:1"
    [ "$status" -ne 0 ]
}

@test "anonymous bearer tokens (public images)" {
    start_token_registry anon
    run m pull "$TREG/app:1"
    [ "$status" -eq 0 ]
}

@test "hostile registry: a corrupted or oversized layer is refused and nothing is kept" {
    start_token_registry corrupt
    echo secret | m login -u moat --password-stdin "$TREG"
    run m pull "$TREG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"its content has digest"* ]]
    store_is_empty
    kill "$TOKPID"
    rm -f "$BATS_TEST_TMPDIR/port"
    start_token_registry long
    echo secret | m login -u moat --password-stdin "$TREG"
    run m pull "$TREG/app:1"
    [ "$status" -ne 0 ]
    store_is_empty
}

@test "hostile registry: a blob that declares 1 TB is refused before a byte of it is fetched" {
    start_token_registry huge
    echo secret | m login -u moat --password-stdin "$TREG"
    run m pull "$TREG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"declares 1099511627776 bytes, more than the limit of 17179869184 (MOAT_PULL_MAX_BLOB_BYTES)"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/port.sent" ]
    store_is_empty
}

@test "pull limits: MOAT_PULL_MAX_BLOB_BYTES and MOAT_PULL_MAX_BYTES" {
    MOAT_PULL_MAX_BLOB_BYTES=1000 run m pull "$REG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"more than the limit of 1000 (MOAT_PULL_MAX_BLOB_BYTES)"* ]]
    store_is_empty
    MOAT_PULL_MAX_BYTES=1k run m pull "$REG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"more than the limit of 1024 bytes for a pull (MOAT_PULL_MAX_BYTES)"* ]]
    store_is_empty
    MOAT_PULL_MAX_BYTES=lots run m pull "$REG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *'MOAT_PULL_MAX_BYTES="lots": not a size'* ]]
    MOAT_PULL_MAX_BLOB_BYTES=64m MOAT_PULL_MAX_BYTES=max run m pull -q "$REG/app:1"
    [ "$status" -eq 0 ]
}

# hold_pull ARGS: start `moat pull ARGS` against a registry in hold mode;
# returns once the helper is in the middle of a blob, with PULLPID (moat)
# and HPID (the helper) set
hold_pull() {
    "$MOAT" --root "$STORE" pull "$@" > "$BATS_TEST_TMPDIR/pull.out" 2>&1 &
    PULLPID=$!
    for i in $(seq 600); do [ -e "$BATS_TEST_TMPDIR/port.held" ] && break; sleep 0.05; done
    [ -e "$BATS_TEST_TMPDIR/port.held" ]
    HPID=$(awk '{ print $1 }' "/proc/$PULLPID/task/$PULLPID/children")
    [ -n "$HPID" ] && [ -d "/proc/$HPID" ]
}

@test "the registry client runs as moat-fetch: clean environment, limits, seccomp, undumpable" {
    start_token_registry hold
    echo secret | m login -u moat --password-stdin "$TREG"
    SECRET_VAR=leak OPENSSL_CONF=/nonexistent no_proxy=127.0.0.1 hold_pull "$TREG/app:1"
    # no other uid, and no other process of its own uid, reads anything of it
    for u in nobody moat-fetch; do
        setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups true # it can run at all
        for f in environ cwd/auth.json cwd/have fd/3 mem; do
            run setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups cat "/proc/$HPID/$f"
            [ "$status" -ne 0 ]
        done
        run setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups ls "/proc/$HPID/cwd/" "/proc/$HPID/fd/"
        [ "$status" -ne 0 ]
    done
    uid=$(id -u moat-fetch)
    gid=$(id -g moat-fetch)
    [ "$uid" != 0 ] && [ "$uid" != "$(id -u nobody)" ]
    grep -q "^Uid:	$uid	$uid	$uid	$uid$" /proc/$HPID/status
    grep -q "^Gid:	$gid	$gid	$gid	$gid$" /proc/$HPID/status
    grep -q "^Groups:[[:space:]]*$" /proc/$HPID/status
    grep -q "^NoNewPrivs:	1$" /proc/$HPID/status
    grep -q "^Seccomp:	2$" /proc/$HPID/status
    grep -q "^CapEff:	0000000000000000$" /proc/$HPID/status
    # (the ASan build adds ASAN_OPTIONS and UBSAN_OPTIONS)
    [ "$(tr '\0' '\n' < /proc/$HPID/environ | grep -v '^[A-Z]*SAN_OPTIONS=')" = "no_proxy=127.0.0.1" ]
    grep -q "^Max core file size *0 *0 " /proc/$HPID/limits
    grep -q "^Max open files *1024 *1024 " /proc/$HPID/limits
    grep -q "^Max processes *512 *512 " /proc/$HPID/limits
    grep -q "^Max file size *17184063488 *17184063488 " /proc/$HPID/limits
    # no descriptor of moat's but its stdio: the credentials' memfd is read and closed
    for fd in /proc/$HPID/fd/*; do
        t=$(readlink "$fd")
        case "$t" in socket:*|pipe:*|anon_inode:*|/dev/null|"$BATS_TEST_TMPDIR/pull.out"|"$STORE"/tmp/*/layout/*) ;;
            *) echo "unexpected fd $fd -> $t"; false ;; esac
    done
    touch "$BATS_TEST_TMPDIR/port.release"
    wait "$PULLPID"
    PULLPID=
    grep -q "Downloaded newer image" "$BATS_TEST_TMPDIR/pull.out"
}

@test "the registry client refuses root and writes nowhere but below its output directory" {
    start_token_registry anon
    F=$(dirname "$MOAT")/moat-fetch
    run "$F" --insecure "$TREG/app:1" "$BATS_TEST_TMPDIR/out"
    [ "$status" -ne 0 ]
    [[ "$output" == *"refusing to run as root"* ]]
    # its output directory's blobs/ is a symlink to a directory of its own
    # user elsewhere: DAC allows the write there, Landlock does not
    O=$(mktemp -d /tmp/moat-landlock.XXXXXX)
    mkdir -p "$O/out" "$O/elsewhere/sha256"
    ln -s "$O/elsewhere" "$O/out/blobs"
    chown -R moat-fetch: "$O"
    chmod 755 "$O"
    as_fetch() { env -i ASAN_OPTIONS=detect_leaks=0 setpriv --reuid=moat-fetch \
        --regid="$(id -g moat-fetch)" --clear-groups "$F" --insecure "$TREG/app:1" "$1"; }
    run as_fetch "$O/out"
    rmdir "$O/elsewhere/sha256" || { rm -rf "$O"; false; }
    [ "$status" -ne 0 ]
    [[ "$output" == *"/out/blobs/sha256/"*"Permission denied"* ]]
    run as_fetch "$O/fine"
    rm -rf "$O"
    [ "$status" -eq 0 ]
}

@test "pull killed midway: the helper dies with moat, the next command leaves no orphans" {
    command -v strace >/dev/null || skip "strace not installed"
    start_token_registry hold
    echo secret | m login -u moat --password-stdin "$TREG"
    hold_pull "$TREG/app:1"
    kill -9 "$PULLPID"
    wait "$PULLPID" || true
    PULLPID=
    for i in $(seq 200); do [ -d "/proc/$HPID" ] || break; sleep 0.05; done
    [ ! -d "/proc/$HPID" ]
    m images >/dev/null
    python3 "$REPO/tests/lib/store-orphans.py" "$STORE"
    # killed at each rename of its own (blobs, layers, records)
    n=0
    while :; do
        n=$((n + 1))
        rm -rf "$STORE"
        rc=0
        # LeakSanitizer cannot run under ptrace (the ASan build)
        ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null -e trace=renameat -e inject="renameat:signal=SIGKILL:when=$n" \
            "$MOAT" --root "$STORE" pull -q "$REG/app:1" >/dev/null 2>&1 || rc=$?
        [ "$rc" -eq 137 ] || break
        m images >/dev/null
        python3 "$REPO/tests/lib/store-orphans.py" "$STORE"
    done
    [ "$rc" -eq 0 ]
    [ "$n" -gt 2 ]
}

@test "RepoDigests: a pull by tag records REPO@DIGEST, the registry's digest; images --digests; rmi takes it" {
    want=$(reg_digest 1)
    [ -n "$want" ]
    run m pull "$REG/app:1"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | sed -n 's/^Digest: //p')" = "$want" ]
    [ "$(m image inspect -f '{{json .RepoDigests}}' "$REG/app:1")" = "[\"$REG/app@$want\"]" ]
    run m images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}'
    [ "$output" = "$REG/app 1 $want" ]
    [ "$(m images --format '{{.Digest}}')" = "$want" ]
    [ "$(m images --format '{{.Repository}}:{{.Tag}}')" = "$REG/app:1" ]
    run m images --digests
    [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +DIGEST\ +IMAGE\ ID ]]
    [[ "${lines[1]}" =~ ^$REG/app\ +1\ +$want\ + ]]
    # a Docker schema 2 manifest of the same image: its own digest, its own reference
    v2=$(reg_digest v2s2)
    [ -n "$v2" ] && [ "$v2" != "$want" ]
    run m pull "$REG/app:v2s2"
    [ "$(echo "$output" | sed -n 's/^Digest: //p')" = "$v2" ]
    [ "$(m image inspect -f '{{json .RepoDigests}}' "$REG/app:1")" = "[\"$REG/app@$v2\",\"$REG/app@$want\"]" ] ||
        [ "$(m image inspect -f '{{json .RepoDigests}}' "$REG/app:1")" = "[\"$REG/app@$want\",\"$REG/app@$v2\"]" ]
    [ "$(m images --digests --format '{{.Tag}} {{.Digest}}' | sort | wc -l)" = 4 ]
    # a tag's removal takes its repository's digests only with the last tag there
    run m rmi "$REG/app:v2s2"
    [ "$status" -eq 0 ]
    [ "$output" = "Untagged: $REG/app:v2s2" ]
    run m rmi "$REG/app:1"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Untagged: $REG/app:1" ]
    [[ "${lines[1]} ${lines[2]}" == *"Untagged: $REG/app@$want"* ]]
    [[ "${lines[1]} ${lines[2]}" == *"Untagged: $REG/app@$v2"* ]]
    [[ "${lines[3]}" =~ ^Deleted:\ sha256: ]]
    # (the manifest the second pull replaced in the image's record stays
    # until a prune sweeps it)
    m image prune -f >/dev/null
    store_is_empty
}

@test "pull by digest: recorded; run and inspect find it without pulling; not dangling; rmi REPO@DIGEST" {
    want=$(reg_digest 1)
    run m pull "$REG/app@$want"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | sed -n 's/^Digest: //p')" = "$want" ]
    [ "$(m image inspect -f '{{json .RepoTags}} {{json .RepoDigests}}' "$REG/app@$want")" = "[] [\"$REG/app@$want\"]" ]
    [ "$(m inspect -f '{{json .RepoDigests}}' "$REG/app@$want")" = "[\"$REG/app@$want\"]" ]
    run m run --rm "$REG/app@$want" echo hi
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = hi ]
    [[ "$output" != *"Unable to find image"* ]] && [[ "$output" != *"Pulling"* ]]
    [ "$(m run --rm --pull never "$REG/app@$want" echo again)" = again ]
    # a tag beside the digest is only a label: the digest decides, as in Docker
    [ "$(m run --rm --pull never "$REG/app:v2s2@$want" echo tagged)" = tagged ]
    run m pull "$REG/app@$want"
    [[ "$output" == *"Image is up to date for $REG/app@$want"* ]]
    # listed as Docker lists it: the repository, no tag, the digest
    [ "$(m images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}')" = "$REG/app <none> $want" ]
    [ "$(m images --format '{{.Repository}} {{.Tag}}')" = "$REG/app <none>" ]
    [ "$(m images "$REG/app" -q | wc -l)" = 1 ]
    # a digest reference is a reference: not dangling, and prune keeps it
    id=$(m images -q --no-trunc)
    [ -z "$(m images -q -f dangling=true)" ]
    [ "$(m images -q --no-trunc -f dangling=false)" = "$id" ]
    run m image prune -f
    [ "$status" -eq 0 ]
    [ "$(m images -q --no-trunc)" = "$id" ]
    run m rmi "$REG/app@$want"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Untagged: $REG/app@$want" ]
    [ "${lines[1]}" = "Deleted: $id" ]
    store_is_empty
    # a digest the registry does not have: nothing
    run m pull "$REG/app@sha256:$(printf '%064d' 0)"
    [ "$status" -ne 0 ]
    [[ "$output" == *"manifest unknown"* ]]
    store_is_empty
}

@test "digest references and tags, as Docker: rmi of one keeps the image while another holds it; a moved tag leaves it dangling" {
    want=$(reg_digest 1)
    m pull -q "$REG/app:1" >/dev/null
    id=$(m images -q --no-trunc)
    m tag "$REG/app:1" mine:1
    run m rmi "$REG/app@$want"
    [ "$status" -eq 0 ]
    [ "$output" = "Untagged: $REG/app@$want" ]
    [ "$(m image inspect -f '{{json .RepoDigests}}' mine:1)" = "[]" ]
    m pull -q "$REG/app:1" >/dev/null
    [ "$(m images --digests --format '{{.Repository}} {{.Digest}}' | sort | tr '\n' ' ')" = "$REG/app $want mine <none> " ]
    # the last tag of the repository takes its digests along; mine:1 keeps the image
    run m rmi "$REG/app:1"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Untagged: $REG/app:1" ]
    [ "${lines[1]}" = "Untagged: $REG/app@$want" ]
    [ "${#lines[@]}" = 2 ]
    [ "$(m image inspect -f '{{json .RepoTags}} {{json .RepoDigests}}' "$id")" = '["mine:1"] []' ]
    # by id: a tag and digests of one repository go with it, no --force needed
    m rmi mine:1 >/dev/null
    m pull -q "$REG/app:1" >/dev/null
    run m rmi "${id:7:12}"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" = 3 ]
    store_is_empty
    # a tag that moves to another image takes its repository's digests from the old one
    m pull -q "$REG/app:1" >/dev/null
    m import -c 'ENV MOVED=1' "$BATS_FILE_TMPDIR/rootfs.tgz" "$REG/app:1" >/dev/null
    [ "$(m image inspect -f '{{json .RepoTags}} {{json .RepoDigests}}' "$id")" = "[] []" ]
    [ "$(m images -q --no-trunc -f dangling=true)" = "$id" ]
    run m image prune -f
    [[ "$output" == *"deleted: $id"* ]]
}

@test "a helper whose layout lies about the repo digest is refused, and nothing is kept" {
    command -v cc >/dev/null || skip "no C compiler"
    want=$(reg_digest 1)
    O=$(mktemp -d /tmp/moat-lie.XXXXXX)
    LIEDIR=$O
    chmod 755 "$O"
    mkdir "$O/good" "$O/bin"
    chown moat-fetch: "$O/good"
    env -i ASAN_OPTIONS=detect_leaks=0 setpriv --reuid=moat-fetch --regid="$(id -g moat-fetch)" \
        --clear-groups "$(dirname "$MOAT")/moat-fetch" --insecure "$REG/app:1" "$O/good" >/dev/null
    [ "$(jq -r '.manifests[0].annotations["run.moat.repo-digest"]' "$O/good/index.json")" = "$want" ]
    # a moat whose helper hands over a prepared layout
    cp "$MOAT" "$O/bin/moat"
    printf '#include <unistd.h>\nint main(void) { execl("/bin/cp", "cp", "-R", "%s/lie/.", "layout", (char *)0); return 127; }\n' "$O" > "$O/fake.c"
    cc -o "$O/bin/moat-fetch" "$O/fake.c"
    lie() { # JQ-EDIT [FILE DIGEST]: the good layout, index.json edited (and a file added)
        rm -rf "$O/lie"
        cp -a "$O/good" "$O/lie"
        jq "$1" "$O/good/index.json" > "$O/lie/index.json"
        [ $# -lt 3 ] || cp "$2" "$O/lie/blobs/sha256/${3#sha256:}"
        chown -R moat-fetch: "$O/lie"
    }
    pull_lie() { run "$O/bin/moat" --root "$STORE" pull "$@"; }
    ann='.manifests[0].annotations["run.moat.repo-digest"]'
    zero=sha256:$(printf '%064d' 0)
    lie .
    pull_lie "$REG/app:1" # the stand-in works: the layout as it came
    [ "$status" -eq 0 ]
    [ "$(m image inspect -f '{{json .RepoDigests}}' "$REG/app:1")" = "[\"$REG/app@$want\"]" ]
    m rmi "$REG/app:1" >/dev/null
    store_is_empty
    lie "$ann = \"sha256:XYZ\""
    pull_lie "$REG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"annotations.run.moat.repo-digest: not a sha256 digest"* ]]
    store_is_empty
    lie "$ann = \"$zero\""
    pull_lie "$REG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"pull: the repo digest $zero: blobs/sha256/"*"No such file"* ]]
    store_is_empty
    # an index that does not lead to the manifest (linux/arm64 only)
    printf '{"schemaVersion":2,"manifests":[{"digest":"%s","platform":{"os":"linux","architecture":"arm64"}}]}' \
        "$want" > "$O/ix.json"
    ix=sha256:$(sha256sum "$O/ix.json" | cut -d' ' -f1)
    lie "$ann = \"$ix\"" "$O/ix.json" "$ix"
    pull_lie "$REG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"the repo digest $ix does not lead to the manifest $want"* ]]
    store_is_empty
    # a document whose content is not its digest
    echo '{}' > "$O/fake.json"
    lie "$ann = \"$zero\"" "$O/fake.json" "$zero"
    pull_lie "$REG/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"its content has digest"* ]]
    store_is_empty
    # a pull by digest gets what it asked for, or nothing
    lie .
    pull_lie "$REG/app@$zero"
    [ "$status" -ne 0 ]
    [[ "$output" == *"pull: $zero was asked for, the fetched layout holds $want"* ]]
    store_is_empty
}

@test "image index: the linux/amd64 image is chosen" {
    # two images, one marked arm64, behind one index (arm64 listed first)
    mk() { mkdir -p "$BATS_TEST_TMPDIR/$1/etc"; cp -a "$ROOTFS/." "$BATS_TEST_TMPDIR/$1/"
           echo "$1" > "$BATS_TEST_TMPDIR/$1/etc/arch"
           tar -C "$BATS_TEST_TMPDIR/$1" -cf "$BATS_TEST_TMPDIR/$1.tar" .
           "$MOAT" --root "$BATS_TEST_TMPDIR/mk" import "$BATS_TEST_TMPDIR/$1.tar" "$1:1" >/dev/null; }
    mk amd64
    mk arm64
    "$MOAT" --root "$BATS_TEST_TMPDIR/mk" save -o "$BATS_TEST_TMPDIR/both.tar" arm64:1 amd64:1
    L="$BATS_TEST_TMPDIR/multi"
    mkdir "$L" && tar -C "$L" -xf "$BATS_TEST_TMPDIR/both.tar"
    idx=sha256:$(python3 - "$L" <<'PY'
import hashlib, json, os, sys
L = sys.argv[1]
ix = json.load(open(L + "/index.json"))
ms = ix["manifests"]
ms[0]["platform"] = {"os": "linux", "architecture": "arm64"}
ms[1]["platform"] = {"os": "linux", "architecture": "amd64"}
for m in ms:
    m.pop("annotations", None)
body = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": ms}).encode()
d = hashlib.sha256(body).hexdigest()
open(L + "/blobs/sha256/" + d, "wb").write(body)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
           "digest": "sha256:" + d, "size": len(body)}]}, open(L + "/index.json", "w"))
print(d)
PY
)
    python3 "$REPO/tests/lib/token-registry.py" "$L" "$BATS_TEST_TMPDIR/port" anon &
    TOKPID=$!
    for i in $(seq 50); do [ -f "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.1; done
    TREG="127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")"
    run m pull "$TREG/multi:1"
    [ "$status" -eq 0 ]
    # the repo digest is the index's (what the registry serves for the tag), as Docker's
    [ "$(echo "$output" | sed -n 's/^Digest: //p')" = "$idx" ]
    [ "$(m image inspect -f '{{json .RepoDigests}}' "$TREG/multi:1")" = "[\"$TREG/multi@$idx\"]" ]
    [ "$(m run --rm "$TREG/multi:1" cat /etc/arch)" = amd64 ]
    # by the index's digest: the same image, found without a pull
    [ "$(m run --rm --pull never "$TREG/multi@$idx" cat /etc/arch)" = amd64 ]
    run m pull "$TREG/multi@$idx"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Image is up to date for $TREG/multi@$idx"* ]]
    [ "$(m images -q | wc -l)" = 1 ]
}

@test "the whole flow on a pulled image: run -d, exec, logs, stop, rm, rmi" {
    m pull -q "$REG/app:1" >/dev/null
    id=$(m run -d --name flow "$REG/app:1" sh -c 'echo up; trap "echo down; exit 0" TERM; while :; do sleep 0.1; done')
    [ "$(m exec flow echo inside)" = inside ]
    for i in $(seq 30); do m logs flow | grep -q up && break; sleep 0.1; done
    m stop flow >/dev/null
    [ "$(m logs flow | tr '\n' ' ')" = "up down " ]
    [ "$(m wait flow)" = 0 ]
    m rm flow >/dev/null
    m rmi "$REG/app:1" >/dev/null
    store_is_empty
}

@test "TLS: a registry's own CA from /etc/moat/certs.d; an unknown CA is refused" {
    command -v openssl >/dev/null || skip "openssl not installed"
    T="$BATS_TEST_TMPDIR/tls"
    mkdir -p "$T"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=moat-test-ca \
        -keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$T/srv.key" \
        -out "$T/srv.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' > "$T/ext"
    openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
        -days 2 -extfile "$T/ext" -out "$T/srv.crt" 2>/dev/null
    TPORT=$(free_port)
    registry_config "127.0.0.1:$TPORT" "$T/srv.crt" "$T/srv.key" > "$T/reg.yml"
    docker-registry serve "$T/reg.yml" > "$T/log" 2>&1 &
    TOKPID=$!
    for i in $(seq 50); do curl -sf --cacert "$T/ca.crt" "https://127.0.0.1:$TPORT/v2/" >/dev/null && break; sleep 0.1; done
    # no CA for it: TLS verification fails (and plain HTTP gets nothing)
    run m pull "127.0.0.1:$TPORT/app:1"
    [ "$status" -ne 0 ]
    store_is_empty
    mkdir -p "/etc/moat/certs.d/127.0.0.1:$TPORT"
    cp "$T/ca.crt" "/etc/moat/certs.d/127.0.0.1:$TPORT/ca.crt"
    run m pull "127.0.0.1:$TPORT/app:1"
    rm -rf "/etc/moat/certs.d/127.0.0.1:$TPORT"
    [ "$status" -eq 0 ]
    [ "$(m run --rm "127.0.0.1:$TPORT/app:1" echo over-tls)" = over-tls ]
}
