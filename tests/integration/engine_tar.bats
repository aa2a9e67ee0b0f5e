#!/usr/bin/env bats
# A container's files as tar streams and images: export, cp with "-"
# (and -a, -L), commit, import -c/-m. Hostile containers and archives
# included: symlinks planted where the copy goes, fifos, "../" names.

load common
load engine_common

bats_require_minimum_version 1.5.0

setup_file() {
    engine_setup_file
    m run --rm bb:1 true >/dev/null 2>&1 || true
}

teardown() {
    engine_remove_all
}

# no overlay of the store is mounted (a detached one is gone with moat)
no_mounts() {
    ! grep -q "$STORE" /proc/self/mountinfo
}

# ---- export ----

@test "export: a stopped container's files, ids as seen inside, its changes, -o" {
    id=$(m create --cap-add CHOWN bb:1 sh -c 'echo hi > /new; chown 1000:1001 /new; mkfifo /fifo; rm /bin/true; ln -s /etc/passwd /link; mkdir -p /d/e')
    m start -a "$id"
    m export "$id" > "$BATS_TEST_TMPDIR/out.tar"
    tar -tvf "$BATS_TEST_TMPDIR/out.tar" > "$BATS_TEST_TMPDIR/list"
    grep -E '^-rw-r--r-- 1000/1001 +3 .* new$' "$BATS_TEST_TMPDIR/list"
    grep -E '^p.* fifo$' "$BATS_TEST_TMPDIR/list"
    grep -E '^l.* link -> /etc/passwd$' "$BATS_TEST_TMPDIR/list"
    grep -E '^d.* 0/0 .* d/e/$' "$BATS_TEST_TMPDIR/list"
    grep -E ' bin/sh -> busybox$' "$BATS_TEST_TMPDIR/list"
    run -1 grep -E ' bin/true( |$)' "$BATS_TEST_TMPDIR/list"
    [ "$(tar -xOf "$BATS_TEST_TMPDIR/out.tar" new)" = hi ]
    # -o gives the same bytes; nothing else is left beside it
    m export -o "$BATS_TEST_TMPDIR/o.tar" "$id"
    cmp "$BATS_TEST_TMPDIR/out.tar" "$BATS_TEST_TMPDIR/o.tar"
    [ "$(ls "$BATS_TEST_TMPDIR" | grep -c moat-)" = 0 ]
    no_mounts
    # the container still starts afterwards
    m start -a "$id" 2>/dev/null || true
    [ "$(m inspect -f '{{.State.Status}}' "$id")" = exited ]
}

@test "export: a running container, by name; fifo and a symlink to / are not followed" {
    m run -d --name exp1 bb:1 sh -c 'mkfifo /p; ln -s / /up; ln -s /proc/1/root /pr; echo ok > /ready; sleep 100' >/dev/null
    for _ in $(seq 50); do m cp exp1:/ready - >/dev/null 2>&1 && break; sleep 0.1; done
    timeout 20 "$MOAT" --root "$STORE" export exp1 > "$BATS_TEST_TMPDIR/r.tar"
    tar -tvf "$BATS_TEST_TMPDIR/r.tar" > "$BATS_TEST_TMPDIR/list"
    grep -E '^p.* p$' "$BATS_TEST_TMPDIR/list"
    grep -E '^l.* up -> /$' "$BATS_TEST_TMPDIR/list"
    # only the container's own files: nothing of the host, no volumes, no /proc
    run -1 grep -E ' up/' "$BATS_TEST_TMPDIR/list"
    run -1 grep -E ' proc/1/' "$BATS_TEST_TMPDIR/list"
    [ "$(grep -c . "$BATS_TEST_TMPDIR/list")" -lt 2000 ]
    m rm -f exp1 >/dev/null
}

@test "export: refuses a terminal, an unknown container; a failed -o leaves nothing" {
    run -125 script -qec "$MOAT --root $STORE export x" /dev/null
    [[ "$output" == *"cowardly refusing to save to a terminal. Use the -o flag or redirect"* ]]
    run -125 m export nosuch -o "$BATS_TEST_TMPDIR/n.tar"
    [[ "$output" == *nosuch* ]]
    [ ! -e "$BATS_TEST_TMPDIR/n.tar" ]
    [ "$(ls "$BATS_TEST_TMPDIR" | grep -c moat-)" = 0 ]
    run -125 m export
    no_mounts
}
