#!/usr/bin/env bats
# The engine's container logs: kept byte for byte, compact, capped by
# --log-opt max-size/max-file (and by default), read from the end for
# --tail and followed across rotation with -f.

load common
load engine_common

setup_file() {
    engine_setup_file
}

teardown() {
    [ -z "${FOLLOW_PID:-}" ] || kill "$FOLLOW_PID" 2>/dev/null || true
    engine_remove_all
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

@test "logs: max-size and max-file cap the log of a container that writes much more" {
    runw rot --log-opt max-size=64k --log-opt max-file=3 bb:1 seq 1 300000
    [ "$(m inspect rot | jq -c .[0].HostConfig.LogConfig)" = '{"Type":"local","Config":{"max-size":"64k","max-file":"3"}}' ]
    local d n first
    d=$(cdir rot)
    [ "$(ls "$d" | grep -c '^log')" -le 3 ]
    n=$(log_bytes rot)
    [ "$n" -le $((3 * 65536)) ]
    # what is kept is the end, whole and in order
    first=$(m logs rot | head -1)
    [ "$first" -gt 250000 ]
    diff <(m logs rot) <(seq "$first" 300000)
    [ "$(m logs --tail 2 rot | tr '\n' ' ')" = "299999 300000 " ]
}

@test "logs: without --log-opt the log is capped at 3 files of 10 MiB" {
    # 40 MB in lines of 1000 bytes
    runw big bb:1 sh -c 'yes "$(printf "%0999d" 0)" | head -c 40000000'
    [ "$(log_bytes big)" -le $((3 * 10485760)) ]
    [ "$(m inspect big | jq -c .[0].HostConfig.LogConfig)" = '{"Type":"local","Config":{"max-size":"10m","max-file":"3"}}' ]
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

@test "logs -f follows the log across rotation" {
    mkdir "$BATS_TEST_TMPDIR/sync"
    # batches of 10 lines (about 800 bytes of log each, under max-size:
    # one rotation at most per batch); the next batch once -f showed this one
    m run -d --name fol --log-opt max-size=1k --log-opt max-file=2 -v "$BATS_TEST_TMPDIR/sync:/sync:ro" bb:1 sh -c '
        for b in 1 2 3 4 5 6; do
            for i in 1 2 3 4 5 6 7 8 9 10; do echo "b$b-l$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done
            while [ ! -e /sync/go$b ]; do sleep 0.05; done
        done' >/dev/null
    m logs -f fol > "$BATS_TEST_TMPDIR/out" &
    FOLLOW_PID=$!
    local b i
    for b in 1 2 3 4 5 6; do
        for i in $(seq 100); do grep -q "^b$b-l10-" "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
        grep -q "^b$b-l10-" "$BATS_TEST_TMPDIR/out"
        touch "$BATS_TEST_TMPDIR/sync/go$b"
    done
    # -f ends when the container does
    for i in $(seq 100); do kill -0 "$FOLLOW_PID" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$FOLLOW_PID" 2>/dev/null
    FOLLOW_PID=
    for b in 1 2 3 4 5 6; do for i in $(seq 10); do echo "b$b-l$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done; done > "$BATS_TEST_TMPDIR/want"
    diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"
    # it did rotate: the first files are gone, two are left
    local d
    d=$(cdir fol)
    [ ! -e "$d/log.1" ]
    [ "$(ls "$d" | grep -c '^log')" = 2 ]
}

@test "logs: bad --log-opt and --log-driver values are refused, nothing is left behind" {
    local bad
    for bad in max-size=0 max-size=10x max-size=100 max-size= max-file=0 max-file=101 max-file=two \
        max-size compress=true; do
        run m run --log-opt "$bad" bb:1 true
        [ "$status" -eq 125 ]
        [[ "$output" == *"--log-opt"*"$bad"* ]]
    done
    run m create --log-driver syslog bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *'--log-driver "syslog"'* ]]
    [ -z "$(m ps -aq)" ]
    [ -z "$(ls "$STORE/containers")" ]
    # json-file is taken as moat's format; -1 lifts the cap
    m create --name ok --log-driver json-file --log-opt max-size=-1 --log-opt max-file=1 bb:1 true
    [ "$(m inspect ok | jq -c .[0].HostConfig.LogConfig)" = '{"Type":"local","Config":{"max-size":"-1","max-file":"1"}}' ]
}

@test "logs: --log-driver none keeps nothing, and logs says so" {
    runw quiet --log-driver none bb:1 echo hi
    [ -z "$(ls "$(cdir quiet)" | grep '^log')" ]
    run m logs quiet
    [ "$status" -eq 1 ]
    [[ "$output" == *"log driver is none"* ]]
}
