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
