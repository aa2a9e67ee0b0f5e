# engine_common.bash: loaded by the engine's test files (after common).
# Each file gets a store of its own with a busybox image, bb:1, that has
# said its one-time warnings already.

engine_setup_file() {
    setup_rootfs
    tar -C "$ROOTFS" -czf "$BATS_FILE_TMPDIR/rootfs.tgz" .
    export STORE="$BATS_FILE_TMPDIR/store"
    "$MOAT" --root "$STORE" import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
    # the store's one-time warnings (quota support), out of the tests' output
    "$MOAT" --root "$STORE" run --rm bb:1 true >/dev/null 2>&1 || true
}

# An engine test file's defaults; a file defines its own to do more.
setup_file() {
    engine_setup_file
}

teardown() {
    engine_remove_all
}

# remove every container of the store
engine_remove_all() {
    local id
    for id in $("$MOAT" --root "$STORE" ps -aq --no-trunc 2>/dev/null); do
        "$MOAT" --root "$STORE" rm -f "$id" >/dev/null 2>&1 || true
    done
}

m() {
    "$MOAT" --root "$STORE" "$@"
}

# wait_for ID TEMPLATE VALUE: inspect's TEMPLATE of ID shows VALUE (up to 10 s)
wait_for() {
    local i
    for i in $(seq 100); do
        [ "$(m inspect -f "$2" "$1")" = "$3" ] && return 0
        sleep 0.1
    done
    m inspect -f "$2" "$1" >&2
    return 1
}
