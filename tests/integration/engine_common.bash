# engine_common.bash: loaded by the engine's test files (after common).
# Each file gets a store of its own with a busybox image, bb:1.

engine_setup_file() {
    setup_rootfs
    tar -C "$ROOTFS" -czf "$BATS_FILE_TMPDIR/rootfs.tgz" .
    export STORE="$BATS_FILE_TMPDIR/store"
    "$MOAT" --root "$STORE" import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
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
