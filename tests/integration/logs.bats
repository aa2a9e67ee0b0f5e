#!/usr/bin/env bats
# The engine's container logs: kept byte for byte, compact, capped by
# --log-opt max-size/max-file (and by default), read from the end for
# --tail.

load common

setup_file() {
    setup_rootfs
    tar -C "$ROOTFS" -czf "$BATS_FILE_TMPDIR/rootfs.tgz" .
    export STORE="$BATS_FILE_TMPDIR/store"
    "$MOAT" --root "$STORE" import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
}

teardown() {
    [ -z "${FOLLOW_PID:-}" ] || kill "$FOLLOW_PID" 2>/dev/null || true
    for id in $("$MOAT" --root "$STORE" ps -aq --no-trunc 2>/dev/null); do
        "$MOAT" --root "$STORE" rm -f "$id" >/dev/null 2>&1 || true
    done
}

m() {
    "$MOAT" --root "$STORE" "$@"
}

# run a container named $1 (then flags, image, command) to its end (an
# attached run can lose output it cannot take fast enough)
runw() {
    local name=$1
    shift
    m run -d --name "$name" "$@" >/dev/null
    m wait "$name" >/dev/null
}

# the container directory of $1
cdir() {
    echo "$STORE/containers/$(m inspect "$1" | jq -r '.[0].Id')"
}

# bytes of all log files of container $1
log_bytes() {
    cat "$(cdir "$1")"/log* | wc -c
}

@test "logs: NUL bytes and invalid UTF-8 come back as written, each stream on its own" {
    runw bin bb:1 sh -c 'printf "a\000b\377\376c\n"; printf "e\000\377x\n" >&2; printf "no newline"'
    printf 'a\000b\377\376c\nno newline' > "$BATS_TEST_TMPDIR/want.out"
    printf 'e\000\377x\n' > "$BATS_TEST_TMPDIR/want.err"
    m logs bin > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err"
    cmp "$BATS_TEST_TMPDIR/want.out" "$BATS_TEST_TMPDIR/out"
    cmp "$BATS_TEST_TMPDIR/want.err" "$BATS_TEST_TMPDIR/err"
    # -t: an RFC 3339 time with nanoseconds before each line, the bytes after it
    m logs -t bin > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err"
    [ "$(grep -ac . "$BATS_TEST_TMPDIR/out")" = 2 ]
    ! grep -avE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z ' "$BATS_TEST_TMPDIR/out"
    cut -d' ' -f2- "$BATS_TEST_TMPDIR/out" | head -c -1 | cmp - "$BATS_TEST_TMPDIR/want.out"
    cut -d' ' -f2- "$BATS_TEST_TMPDIR/err" | cmp - "$BATS_TEST_TMPDIR/want.err"
}

@test "logs: 2 MB of short lines make about 2 MB of log" {
    # each "y\n" was a JSON object of 72 bytes (2 MB made a 72 MB log)
    runw amp bb:1 sh -c 'yes | head -c 2000000'
    [ "$(m logs amp | wc -c)" = 2000000 ]
    [ "$(m logs amp | sort -u)" = y ]
    local n
    n=$(log_bytes amp)
    echo "2000000 bytes of output: $n bytes of log" >&3
    [ "$n" -le 2020000 ]
}

@test "logs: without --log-opt the log is capped at 3 files of 10 MiB" {
    # 40 MB in lines of 1000 bytes
    runw big bb:1 sh -c 'yes "$(printf "%0999d" 0)" | head -c 40000000'
    [ "$(log_bytes big)" -le $((3 * 10485760)) ]
    [ "$(ls "$(cdir big)" | grep -c '^log')" -le 3 ]
    [ "$(m logs --tail 1 big)" = "$(printf "%0999d" 0)" ]
}

@test "logs --tail reads from the end: the start of the file is not read" {
    runw tl bb:1 seq 1 100000
    [ "$(m logs --tail 3 tl | tr '\n' ' ')" = "99998 99999 100000 " ]
    [ -z "$(m logs --tail 0 tl)" ]
    [ "$(m logs --tail 100000 tl | wc -l)" = 100000 ]
    [ "$(m logs --tail 200000 tl | wc -l)" = 100000 ]
    [ "$(log_bytes tl)" -gt 500000 ]
    # the bytes --tail 1 reads (read and pread) of the log: its last
    # record, not the file (no leak check: LeakSanitizer cannot run under strace)
    ASAN_OPTIONS=detect_leaks=0 strace -f -y -e trace=read,pread64 -o "$BATS_TEST_TMPDIR/trace" \
        "$MOAT" --root "$STORE" logs --tail 1 tl
    local n f
    n=$(grep -E '^[0-9]+ +p?read(64)?\([0-9]+</[^>]*/log[^/>]*>' "$BATS_TEST_TMPDIR/trace" |
        grep -Eo '= [0-9]+$' | awk '{s += $2} END {print s + 0}')
    echo "logs --tail 1 read $n bytes of a $(log_bytes tl) byte log" >&3
    [ "$n" -gt 0 ]
    [ "$n" -lt 100000 ]
    f=$(cdir tl)/log.1
    # garbage over the first 200 KB: --tail 1 still works ...
    head -c 200000 /dev/zero | tr '\0' G | dd of="$f" bs=200000 seek=8 oflag=seek_bytes conv=notrunc status=none
    run m logs --tail 1 tl
    [ "$status" -eq 0 ]
    [ "$output" = 100000 ]
    # ... and reading from the start finds it
    run m logs tl
    [ "$status" -eq 1 ]
    [[ "$output" == *"log.1: not a log record at byte 8"* ]]
}

@test "logs: a half-written record (a killed monitor) is left out; the next start goes on in a new file" {
    # two runs: two records in log.1, whatever the timing
    runw torn bb:1 echo one
    m start torn >/dev/null
    m wait torn >/dev/null
    local d
    d=$(cdir torn)
    [ "$(m logs torn | tr '\n' ' ')" = "one one " ]
    truncate -s -3 "$d/log.1"
    [ "$(m logs torn | tr '\n' ' ')" = "one " ]
    [ "$(m logs --tail 1 torn)" = one ]
    m start torn >/dev/null
    m wait torn >/dev/null
    [ -e "$d/log.2" ]
    [ "$(m logs torn | tr '\n' ' ')" = "one one " ]
    [ "$(m logs --tail 1 torn | tr '\n' ' ')" = "one " ]
}
