#!/usr/bin/env bats
# Anonymous volumes (-v /path, --mount without a source, an image's
# VOLUME), rm -v, run --rm, volume prune, and --volumes-from.

load common
load engine_common

bats_require_minimum_version 1.5.0

setup_file() {
    engine_setup_file
    m run --rm bb:1 true > /dev/null 2>&1 # the store's warnings, said once
}

teardown() {
    engine_remove_all
    m volume prune -af > /dev/null 2>&1 || true
}

@test "-v /path makes an anonymous volume: kept by rm, removed by rm -v" {
    local id v
    id=$(m run -d -v /data bb:1 sh -c 'echo kept > /data/f; sleep 100')
    v=$(m inspect -f '{{range .Mounts}}{{.Name}}{{end}}' "$id")
    [ ${#v} -eq 64 ]
    run -0 m volume inspect -f '{{json .Labels}}' "$v"
    [ "$output" = '{"com.docker.volume.anonymous":""}' ]
    # the container's root owns it inside, not the host's root outside
    run -0 m exec "$id" stat -c %u /data
    [ "$output" = 0 ]
    [ "$(stat -c %u "$STORE/volumes/$v/_data")" -ne 0 ]
    m rm -f "$id" > /dev/null
    run -0 m volume ls -q
    [ "$output" = "$v" ]
    id=$(m create -v /data --mount type=volume,target=/other -v named:/named bb:1 true)
    [ "$(m volume ls -q | wc -l)" = 4 ]
    m rm -v "$id" > /dev/null
    # its two anonymous volumes are gone, the named one and the other stay
    run -0 m volume ls -q
    [ "$(echo "$output" | sort)" = "$(printf '%s\n' "$v" named | sort)" ]
}

@test "run --rm removes its anonymous volumes; volume prune removes unused anonymous ones only" {
    m run --rm -v /data bb:1 sh -c 'echo x > /data/f'
    run -0 m volume ls -q
    [ -z "$output" ]
    m create -v /data bb:1 true > /dev/null
    m volume create keep > /dev/null
    local anon
    anon=$(m volume ls -q | grep -v '^keep$')
    engine_remove_all
    run -0 m volume prune -f
    [[ $output == *"$anon"* ]]
    run -0 m volume ls -q
    [ "$output" = keep ]
}

@test "an image's VOLUME gets an anonymous volume unless a mount covers it" {
    MKIMAGE_CONFIG='{"Volumes": {"/vol": {}, "/cover": {}}}' \
        sh "$BATS_TEST_DIRNAME/../lib/mkimage.sh" "$ROOTFS" "$BATS_TEST_TMPDIR/img.tar" vimg:1
    m load -i "$BATS_TEST_TMPDIR/img.tar" > /dev/null
    local id
    id=$(m create -v named2:/cover vimg:1 true)
    run -0 m inspect -f '{{range .Mounts}}{{.Destination}}={{.Type}} {{end}}' "$id"
    [[ $output == *"/vol=volume"* ]]
    [[ $output == *"/cover=volume"* ]]
    [ "$(m volume ls -q | wc -l)" = 2 ]
    m rm -v "$id" > /dev/null
    run -0 m volume ls -q
    [ "$output" = named2 ]
    # a hostile image: too many volumes, or a bad path
    MKIMAGE_CONFIG="$(jq -nc '{Volumes: ([range(100)] | map({key: "/v\(.)", value: {}}) | from_entries)}')" \
        sh "$BATS_TEST_DIRNAME/../lib/mkimage.sh" "$ROOTFS" "$BATS_TEST_TMPDIR/many.tar" many:1
    m load -i "$BATS_TEST_TMPDIR/many.tar" > /dev/null
    run -125 m create many:1 true
    [[ $output == *"declares 100 volumes"* ]]
    MKIMAGE_CONFIG='{"Volumes": {"/ok": {}, "relative/x": {}}}' \
        sh "$BATS_TEST_DIRNAME/../lib/mkimage.sh" "$ROOTFS" "$BATS_TEST_TMPDIR/rel.tar" rel:1
    m load -i "$BATS_TEST_TMPDIR/rel.tar" > /dev/null
    run -125 m create rel:1 true
    run -0 m volume ls -q
    [ "$output" = named2 ]
}

@test "--volumes-from shares another container's mounts, read-only with :ro" {
    mkdir -p "$BATS_TEST_TMPDIR/hd"
    echo host > "$BATS_TEST_TMPDIR/hd/h"
    m create --name src1 -v /data -v "$BATS_TEST_TMPDIR/hd:/hd:ro" bb:1 true > /dev/null
    m run --rm --volumes-from src1 bb:1 sh -c 'echo shared > /data/f'
    run -0 m run --rm --volumes-from src1:ro bb:1 sh -c 'cat /data/f /hd/h; touch /data/g || echo refused'
    [ "${lines[0]}" = shared ]
    [ "${lines[1]}" = host ]
    [[ $output == *refused* ]]
    run -0 m inspect -f '{{json .HostConfig.VolumesFrom}}' "$(m create --volumes-from src1:ro bb:1 true)"
    [ "$output" = '["src1:ro"]' ]
    # the shared anonymous volume outlives the --rm containers that used it
    [ "$(m volume ls -q | wc -l)" = 1 ]
    run -125 m run --rm --volumes-from nosuch bb:1 true
    [[ $output == *"no such container"* ]]
    run -125 m run --rm --volumes-from src1:rx bb:1 true
    # a :U bind belongs to one container
    mkdir -p "$BATS_TEST_TMPDIR/u"
    m create --name src2 -v "$BATS_TEST_TMPDIR/u:/u:U" bb:1 true > /dev/null
    run -125 m create --volumes-from src2 bb:1 true
    [[ $output == *":U"* ]]
}
