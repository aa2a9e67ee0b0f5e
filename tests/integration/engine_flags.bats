#!/usr/bin/env bats
# Docker flags of the listing and image commands: images --filter and
# --digests, pull --platform, stats --format, ps -s, inspect --size,
# start --checkpoint, logs --details.

load common
load engine_common

bats_require_minimum_version 1.5.0

@test "images --filter: dangling, label, reference, before, since; --digests" {
    sleep 1 # a later "created" (whole seconds) than bb:1's
    MKIMAGE_CONFIG='{"Labels": {"tier": "web"}}' \
        sh "$BATS_TEST_DIRNAME/../lib/mkimage.sh" "$ROOTFS" "$BATS_TEST_TMPDIR/w.tar" web:2
    m load -i "$BATS_TEST_TMPDIR/w.tar" > /dev/null
    run -0 m images --filter label=tier=web --format '{{.Repository}}:{{.Tag}}'
    [ "$output" = web:2 ]
    run -0 m images --filter label=tier --filter reference='b*' --format '{{.Repository}}'
    [ -z "$output" ]
    run -0 m images -f reference='b*' --format '{{.Repository}}:{{.Tag}}'
    [ "$output" = bb:1 ]
    run -0 m images -f since=bb:1 --format '{{.Repository}}'
    [ "$output" = web ]
    run -0 m images -f before=web:2 --format '{{.Repository}}'
    [ "$output" = bb ]
    run -0 m images -f dangling=true -q
    [ -z "$output" ]
    run -0 m images -f dangling=false -q
    [ "$(echo "$output" | wc -l)" = 2 ]
    run -125 m images -f colour=red
    [[ $output == *"invalid filter 'colour'"* ]]
    run -125 m images -f before=nosuch:1
    run -125 m images -f dangling=maybe
    run -0 m images --digests
    [[ ${lines[0]} == *DIGEST* ]]
    # the argument is a reference filter, as Docker's CLI makes it: a glob
    run -0 m images --format '{{.Repository}}:{{.Tag}}' 'w*'
    [ "$output" = web:2 ]
    run -0 m images --format '{{.Repository}}:{{.Tag}}' bb
    [ "$output" = bb:1 ]
    # Docker's CreatedAt
    [[ "$(m images --format '{{.CreatedAt}}' bb:1)" =~ ^20[0-9-]+\ [0-9:]+\ \+0000\ UTC$ ]]
    m rmi web:2 > /dev/null
}

@test "pull, run and the image commands take this host's --platform only" {
    run -125 m pull --platform linux/riscv64 localhost:1/x:1
    [[ $output == *"does not emulate"* ]]
    run -125 m run --platform windows/amd64 bb:1 true
    run -0 m run --rm --platform linux bb:1 true
    # Docker's --platform of history, image inspect, save, load and rmi
    local host arch
    arch=$(m image inspect -f '{{.Architecture}}' bb:1)
    host="linux/$arch"
    run -0 m history --platform "$host" -q bb:1
    run -0 m image inspect --platform "$host" -f '{{.Os}}' bb:1
    [ "$output" = linux ]
    m save --platform "$host" -o "$BATS_TEST_TMPDIR/bb.tar" bb:1
    run -0 m load --platform "$host" -i "$BATS_TEST_TMPDIR/bb.tar"
    m tag bb:1 plat:1
    for cmd in "history" "image inspect" "save -o $BATS_TEST_TMPDIR/x.tar" "rmi"; do
        run -125 m $cmd --platform linux/s390x plat:1
        [[ $output == *"does not emulate"* ]]
    done
    run -125 m load --platform linux/s390x -i "$BATS_TEST_TMPDIR/bb.tar"
    [ ! -e "$BATS_TEST_TMPDIR/x.tar" ]
    m image inspect plat:1 > /dev/null # not removed
    run -0 m rmi --platform "$host" plat:1
    run -1 m image inspect plat:1
}

@test "stats --format, ps -s and inspect --size" {
    m run -d --name st -m 64m bb:1 sh -c 'head -c 100000 /dev/zero > /big; sleep 100' > /dev/null
    sleep 0.5
    run -0 m stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}'
    [[ $output == "st "*" / 64.00MiB "* ]]
    run -0 m stats --no-stream --format json
    [ "$(jq -r .Name <<< "$output")" = st ]
    run -125 m stats --no-stream --format '{{.Name'
    run -0 m ps -s --format '{{.Size}}'
    [[ $output == "100kB (virtual "* ]]
    run -0 m inspect --size -f '{{.SizeRw}}' st
    [ "$output" = 100000 ]
    run -0 m inspect -f '{{json .SizeRw}}' st
    [ "$output" = null ]
}

@test "start --checkpoint is refused; logs --details is accepted" {
    local id
    id=$(m create bb:1 echo hi)
    run -125 m start --checkpoint c1 "$id"
    [[ $output == *"checkpoint"* ]]
    [ "$(m inspect -f '{{.State.Status}}' "$id")" = created ]
    m start -a "$id" > /dev/null
    run -0 m logs --details "$id"
    [ "$output" = hi ]
}

@test "logs --since and --until pick the lines written in between" {
    local id t0 t1
    id=$(m run -d bb:1 sh -c 'echo one; sleep 1.2; echo two; sleep 1.2; echo three')
    m wait "$id" > /dev/null
    run -0 m logs -t "$id"
    t0=$(sed -n 2p <<< "$output" | cut -d' ' -f1)
    t1=$(sed -n 3p <<< "$output" | cut -d' ' -f1)
    run -0 m logs --since "$t0" "$id"
    [ "$output" = "$(printf 'two\nthree')" ]
    run -0 m logs --until "$t0" "$id"
    [ "$output" = "$(printf 'one\ntwo')" ]
    run -0 m logs --since "$t0" --until "$t1" "$id"
    [ "$output" = "$(printf 'two\nthree')" ]
    run -0 m logs --since 1h "$id"
    [ "$(wc -l <<< "$output")" = 3 ]
    run -0 m logs --since "$(date -d '+1 hour' +%s)" "$id"
    [ -z "$output" ]
    run -125 m logs --since yesterday "$id"
    [[ $output == *"not a time"* ]]
}
