#!/usr/bin/env bats
# An engine container with moat's defaults, probed from inside: it blocks
# every check the runtime's own probe blocks, and the resources it can
# grow on the host have limits.

load common
load engine_common

HELPERS=${HELPERS:-$REPO/build/tests}

@test "an engine container with defaults blocks every in-container check of the runtime's probe" {
    [ -x "$HELPERS/escape" ] || skip "no static escape helper (release build only)"
    # the default capabilities: DAC_OVERRIDE FOWNER KILL NET_BIND_SERVICE SETGID SETUID
    run m run --rm -v "$HELPERS:/h:ro" bb:1 /h/escape 4ea 1024 1073741824 writable-root
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *"not ok"* ]]
    [ "$(echo "$output" | grep -c '^ok ')" -ge 50 ]
    # and a process started by exec is held to the same
    id=$(m run -d -v "$HELPERS:/h:ro" bb:1 sleep 100)
    run m exec "$id" /h/escape 4ea 1024 1073741824 writable-root
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *"not ok"* ]]
}

@test "open files: a default container can hold at most an eighth of the host's" {
    fmax=$(cat /proc/sys/fs/file-max)
    out=$(m run --rm bb:1 sh -c 'echo $(ulimit -n) $(ulimit -Hn) $(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)')
    set -- $out
    echo "nofile $1/$2, pids $3, file-max $fmax"
    [ "$1" = "$2" ]
    [ $(( $2 * $3 )) -le $(( fmax / 8 )) ] || [ "$2" -eq 64 ]
    # --ulimit still sets it
    [ "$(m run --rm --ulimit nofile=2048 bb:1 sh -c 'ulimit -n')" = 2048 ]
}

@test "containers and volumes of two stores never share an id range" {
    other="$BATS_TEST_TMPDIR/other"
    "$MOAT" --root "$other" import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
    # (without networks: one store at a time has a network namespace's)
    a=$(m run -d --network none -v va:/v bb:1 sleep 100)
    b=$("$MOAT" --root "$other" run -d --network none -v vb:/v bb:1 sleep 100)
    ca=$(m inspect "$a" | jq .[0].Moat.UsernsBase)
    cb=$("$MOAT" --root "$other" inspect "$b" | jq .[0].Moat.UsernsBase)
    [ "$ca" != "$cb" ]
    bases="$ca
$cb
$(jq .UsernsBase "$STORE/volumes/va/volume.json")
$(jq .UsernsBase "$other/volumes/vb/volume.json")"
    echo "$bases"
    [ "$(echo "$bases" | sort -u | wc -l)" -eq 4 ]
    "$MOAT" --root "$other" rm -f "$b" >/dev/null
}

@test "a range held off the slots (an older /etc/subuid) is avoided wherever it overlaps" {
    id=$(m create bb:1 true)
    b=$(m inspect "$id" | jq .[0].Moat.UsernsBase)
    m rm "$id" >/dev/null
    # a volume recorded with a range across the two slots at b and b+65536
    mkdir -p "$STORE/volumes/oldrange/_data"
    echo "{\"Name\":\"oldrange\",\"UsernsBase\":$((b + 32768))}" > "$STORE/volumes/oldrange/volume.json"
    id=$(m create bb:1 true)
    n=$(m inspect "$id" | jq .[0].Moat.UsernsBase)
    echo "held $((b + 32768)), given $n"
    [ $((n + 65536)) -le $((b + 32768)) ] || [ "$n" -ge $((b + 32768 + 65536)) ]
    m rm "$id" >/dev/null
    rm -rf "$STORE/volumes/oldrange"
}
