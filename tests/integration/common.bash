# common.bash: loaded by every integration test. Tests run the real moat
# binary, as root, in real namespaces; each test gets its own state root
# (--root) and bundle, and teardown checks that nothing was left behind.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MOAT=${MOAT:-$REPO/build/moat}
RECVTTY=${RECVTTY:-$(dirname "$MOAT")/tests/recvtty}

# One busybox rootfs per test file (read-only use; copy it to write).
setup_rootfs() {
    export ROOTFS="$BATS_FILE_TMPDIR/rootfs"
    [ -d "$ROOTFS" ] || sh "$REPO/tests/lib/mkrootfs.sh" "$ROOTFS" >/dev/null
}

common_setup() {
    ROOT="$BATS_TEST_TMPDIR/state"
    BUNDLE="$BATS_TEST_TMPDIR/bundle"
    ID="moat-test-$$-$BATS_TEST_NUMBER"
    mkdir -p "$BUNDLE"
    # the runtime's tests start from runc's default config (the shape every
    # engine sends); moat's own hardened profile is tested in profile.bats
    cp "$REPO/tests/lib/base-config.json" "$BUNDLE/config.json"
    cfg ".root.path = \"$ROOTFS\""
}

common_teardown() {
    local id
    for id in $("$MOAT" --root "$ROOT" list -q 2>/dev/null); do
        "$MOAT" --root "$ROOT" delete --force "$id" 2>/dev/null || true
    done
}

moat() {
    "$MOAT" --root "$ROOT" "$@"
}

# cfg JQ-FILTER: edit the bundle's config.json
cfg() {
    jq "$1" "$BUNDLE/config.json" > "$BUNDLE/config.json.new" &&
        mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# args ARG...: set process.args
args() {
    cfg ".process.args = $(printf '%s\n' "$@" | jq -R . | jq -s -c .)"
}

# a private, writable copy of the rootfs for this test
writable_rootfs() {
    cp -a "$ROOTFS" "$BATS_TEST_TMPDIR/rootfs"
    cfg ".root.path = \"$BATS_TEST_TMPDIR/rootfs\" | .root.readonly = false"
}

# start_recvtty: a console-socket peer on $BATS_TEST_TMPDIR/sock writing what
# the pty shows to $BATS_TEST_TMPDIR/tty.out; its pid in RECVTTY_PID
start_recvtty() {
    "$RECVTTY" "$BATS_TEST_TMPDIR/sock" > "$BATS_TEST_TMPDIR/tty.out" &
    RECVTTY_PID=$!
    local i
    for i in $(seq 30); do [ -S "$BATS_TEST_TMPDIR/sock" ] && break; sleep 0.1; done
}

status_of() {
    moat state "$1" | jq -r .status
}

pid_of() {
    moat state "$1" | jq -r .pid
}

# wait_status ID STATUS: poll up to 5 s
wait_status() {
    local i
    for i in $(seq 50); do
        [ "$(status_of "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    echo "container $1 is $(status_of "$1"), not $2" >&2
    return 1
}

# assert_clean ID: no state dir, cgroup, mount or process of the container
assert_clean() {
    local id=$1
    [ ! -e "$ROOT/$id" ] || { echo "state directory left: $ROOT/$id" >&2; return 1; }
    local d
    for d in /sys/fs/cgroup/*/moat/"$id" /sys/fs/cgroup/moat/"$id"; do
        [ ! -e "$d" ] || { echo "cgroup left: $d" >&2; return 1; }
    done
    if grep -q " $BATS_TEST_TMPDIR" /proc/self/mountinfo; then
        echo "mount left under $BATS_TEST_TMPDIR" >&2
        return 1
    fi
    if pgrep -f -- "$id" >/dev/null; then
        echo "process left: $(pgrep -af -- "$id")" >&2
        return 1
    fi
}

# the error line: one line, "moat: ...", naming what is wrong
assert_error() {
    [ "$status" -ne 0 ] || { echo "expected failure, got status 0" >&2; return 1; }
    [[ "$output" == *"$1"* ]] || { echo "expected \"$1\" in: $output" >&2; return 1; }
    [ "$(printf '%s\n' "$output" | grep -c '^moat: ')" -eq 1 ] ||
        { echo "expected one 'moat:' error line: $output" >&2; return 1; }
}
