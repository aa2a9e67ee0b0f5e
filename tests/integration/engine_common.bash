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

# dirty_pages FILE: how many of FILE's pages in the page cache are not yet
# written to the disk (cachestat(2), Linux 6.5); 'none' without it
dirty_pages() {
    python3 - "$1" << 'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
rng = (ctypes.c_uint64 * 2)(0, 0)
st = (ctypes.c_uint64 * 5)()
fd = os.open(sys.argv[1], os.O_RDONLY)
r = libc.syscall(451, fd, ctypes.byref(rng), ctypes.byref(st), 0)
print(st[1] if r == 0 else "none")
PY
}

# dirty_probe FILE: 8 MiB written to FILE, new, and not yet on the disk;
# skips the test where that cannot be seen
dirty_probe() {
    rm -f "$1"
    head -c 8388608 /dev/zero | tr '\0' x > "$1"
    local n
    n=$(dirty_pages "$1")
    [ "$n" != none ] || skip "this kernel has no cachestat(2)"
    [ "$n" -gt 1000 ] || skip "the probe's pages were written back already ($n dirty)"
}
