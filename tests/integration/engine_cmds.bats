#!/usr/bin/env bats
# Docker's commands that came late: rename, pause/unpause, version, info,
# system df/prune, history, diff, export.

load common
load engine_common

bats_require_minimum_version 1.5.0

setup_file() {
    engine_setup_file
}

teardown() {
    engine_remove_all
}

# ---- rename ----

@test "rename: a stopped and a running container get the new name; the old one is gone" {
    id=$(m create --name old1 bb:1 true)
    run m rename old1 new1
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    [ "$(m inspect -f '{{.Name}}' "$id")" = /new1 ]
    run -1 m inspect old1
    [ "$(m inspect -f '{{.Id}}' new1)" = "$id" ]
    # running: the name changes, the container goes on
    r=$(m run -d --name run1 bb:1 sleep 100)
    m rename run1 run2
    [ "$(m inspect -f '{{.Name}} {{.State.Status}}' "$r")" = "/run2 running" ]
    m ps --format '{{.Names}}' | grep -qx run2
    # the old name is free again
    m create --name run1 bb:1 true
    # by id prefix too; stop by the new name works
    m rename "${r:0:12}" run3
    m stop -t 1 run3 >/dev/null
    [ "$(m inspect -f '{{.Name}}' "$r")" = /run3 ]
}

@test "rename: a name in use, a bad name, the same name, no such container: exit 125, nothing changed" {
    a=$(m create --name aa bb:1 true)
    b=$(m create --name bb bb:1 true)
    run -125 m rename aa bb
    echo "$output"
    [[ "$output" == *"Conflict. The container name \"/bb\" is already in use by container \"$b\""* ]]
    for bad in x -x .x 'a b' 'a/b' 'a:b' "$(printf 'a%.0s' $(seq 200))"; do
        run -125 m rename -- aa "$bad"
        echo "$bad: $output"
        [[ "$output" == *"Invalid container name"* ]]
    done
    run -125 m rename aa aa
    [[ "$output" == *"same name"* ]]
    run -125 m rename nosuch cc
    [[ "$output" == *"no such container: nosuch"* ]]
    run -125 m rename aa
    [[ "$output" == *"requires exactly 2 arguments"* ]]
    [ "$(m inspect -f '{{.Name}}' "$a")" = /aa ]
    [ "$(m inspect -f '{{.Name}}' "$b")" = /bb ]
    # the record survives a container that ends meanwhile (the monitor
    # writes its state under the same record lock)
    c=$(m run -d --name cc bb:1 sleep 0.3)
    m rename cc dd
    m wait "$c" >/dev/null
    [ "$(m inspect -f '{{.Name}} {{.State.Status}}' "$c")" = "/dd exited" ]
}

# ---- pause / unpause ----

@test "pause and unpause: frozen processes, State.Paused, ps shows (Paused)" {
    id=$(m run -d --name p1 bb:1 sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done')
    sleep 0.3
    run m pause p1
    [ "$status" -eq 0 ]
    [ "$output" = p1 ]
    [ "$(m inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' "$id")" = \
        "paused true true" ]
    m ps --format '{{.Status}}' | grep -q '^Up .* (Paused)$'
    m ps --filter status=paused -q | grep -q "${id:0:12}"
    # frozen: the counter does not move
    pid=$(m inspect -f '{{.State.Pid}}' "$id")
    grep -q frozen "/proc/$pid/status" || grep -qE '^State:\s+[DS]' "/proc/$pid/status"
    run -125 m pause p1
    [[ "$output" == *"is already paused"* ]]
    run -125 m exec p1 true
    [[ "$output" == *"is paused, unpause the container before exec"* ]]
    run m unpause p1
    [ "$status" -eq 0 ]
    [ "$(m inspect -f '{{.State.Status}} {{.State.Paused}}' "$id")" = "running false" ]
    run -125 m unpause p1
    [[ "$output" == *"is not paused"* ]]
    m exec p1 true
    # the container group has them too
    m container pause p1
    [ "$(m inspect -f '{{.State.Status}}' "$id")" = paused ]
    m container unpause p1
    [ "$(m inspect -f '{{.State.Status}}' "$id")" = running ]
}

@test "pause: a stopped or unknown container is refused (exit 125); one error does not stop the rest" {
    s=$(m create bb:1 true)
    r=$(m run -d bb:1 sleep 100)
    run -125 m pause "$s" nosuch "$r"
    [[ "$output" == *"is not running"* ]]
    [[ "$output" == *"no such container: nosuch"* ]]
    [ "$(m inspect -f '{{.State.Status}}' "$r")" = paused ]
    run -125 m unpause "$s"
    [ "$(m inspect -f '{{.State.Status}}' "$s")" = created ]
}

@test "a paused container can be stopped, killed and removed with -f" {
    a=$(m run -d bb:1 sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done')
    sleep 0.3
    m pause "$a"
    start=$(date +%s)
    m stop -t 10 "$a"
    # the TERM is delivered on the thaw: a graceful stop, not the timeout
    [ $(( $(date +%s) - start )) -lt 8 ]
    [ "$(m inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$a")" = "exited 3" ]
    b=$(m run -d bb:1 sleep 100)
    m pause "$b"
    m kill "$b"
    m wait "$b" >/dev/null
    [ "$(m inspect -f '{{.State.Status}}' "$b")" = exited ]
    c=$(m run -d bb:1 sleep 100)
    m pause "$c"
    m rm -f "$c"
    run -1 m inspect "$c"
    # a paused container's restart (stop, then start)
    d=$(m run -d bb:1 sleep 100)
    m pause "$d"
    m restart -t 1 "$d"
    [ "$(m inspect -f '{{.State.Status}}' "$d")" = running ]
}

@test "rename, pause, unpause: --help; pause with a runtime's --root is the runtime's" {
    run -1 "$MOAT" --root "$BATS_TEST_TMPDIR/rt" pause xyz
    [[ "$output" == *'container "xyz" does not exist'* ]]
    run m pause --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"Usage:  moat pause CONTAINER"* ]]
    run m unpause --help
    [[ "$output" == *"Usage:  moat unpause CONTAINER"* ]]
    run m rename --help
    [[ "$output" == *"Usage:  moat rename CONTAINER NEW_NAME"* ]]
}
