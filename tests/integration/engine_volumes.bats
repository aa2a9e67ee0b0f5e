#!/usr/bin/env bats
# Anonymous volumes (-v /path, --mount without a source, an image's
# VOLUME), rm -v, run --rm, volume prune, and --volumes-from.

load common
load engine_common

bats_require_minimum_version 1.5.0

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

@test "volume create --label: kept and shown by inspect as Docker's; existing volume left as it is" {
    run -0 m volume create --label a=1 --label b --label c=x=y --label a=2 lv
    [ "$output" = lv ]
    run -0 m volume inspect -f '{{json .Labels}}' lv
    [ "$output" = '{"a":"2","b":"","c":"x=y"}' ]
    run -0 m volume inspect -f '{{.Name}} {{.Driver}} {{.Scope}} {{json .Options}} {{.Mountpoint}}' lv
    [ "$output" = "lv local local {} $STORE/volumes/lv/_data" ]
    [[ "$(m volume inspect -f '{{.CreatedAt}}' lv)" == 20*T*Z ]]
    # Docker's: create of a volume that exists returns it, labels unchanged
    run -0 m volume create --label other=1 lv
    [ "$output" = lv ]
    [ "$(m volume inspect -f '{{json .Labels}}' lv)" = '{"a":"2","b":"","c":"x=y"}' ]
    # a volume without labels has an empty map
    m volume create plain > /dev/null
    [ "$(m volume inspect -f '{{json .Labels}}' plain)" = '{}' ]
    # a record damaged in the store: labels that are not strings are left out
    local rec="$STORE/volumes/lv/volume.json"
    jq '.Labels = {"s": "ok", "n": 1, "o": {"x": "y"}, "z": null}' "$rec" > "$rec.new"
    mv "$rec.new" "$rec"
    run -0 m volume inspect -f '{{json .Labels}}' lv
    [ "$output" = '{"s":"ok"}' ]
    jq '.Labels = "junk"' "$rec" > "$rec.new"
    mv "$rec.new" "$rec"
    run -0 m volume inspect -f '{{json .Labels}}' lv
    [ "$output" = '{}' ]
    run -0 m volume ls -q --filter label=s
    [ -z "$output" ]
}

@test "volume create refuses any --opt and a bad --label with 125, and makes nothing" {
    local before
    before=$(m volume ls -q | sort)
    run -125 m volume create -o type=tmpfs -o device=tmpfs -o o=size=1m optvol
    [[ $output == *'--opt "type=tmpfs": moat'*"takes no options"* ]]
    run -125 m volume create --opt type=none --opt o=bind --opt device=/etc optvol
    [[ $output == *"takes no options"* ]]
    run -125 m volume create --label =x badvol
    [[ $output == *"invalid label '=x': empty name"* ]]
    run -125 m volume create --label ' =x' badvol
    [[ $output == *"empty name"* ]]
    run -125 m volume create --label $'k\xff=1' badvol
    [[ $output == *"not UTF-8"* ]]
    run -125 m volume create --label "k=$(head -c 40000 /dev/zero | tr '\0' a)" badvol
    [[ $output == *"bytes of labels, at most 32768"* ]]
    # nothing was made: no volume, no directory, no event
    [ "$(m volume ls -q | sort)" = "$before" ]
    [ ! -e "$STORE/volumes/optvol" ]
    [ ! -e "$STORE/volumes/badvol" ]
    run -0 m events --since 1m --until 0s --filter type=volume --filter event=create --format '{{.Actor.ID}}'
    [[ $output != *optvol* ]]
    [[ $output != *badvol* ]]
    # nor on a store that does not exist yet
    run -125 "$MOAT" --root "$BATS_TEST_TMPDIR/nostore" volume create -o type=tmpfs v
    [ ! -e "$BATS_TEST_TMPDIR/nostore" ]
}

@test "volume ls --filter: dangling, driver, label, name as Docker's; a bad filter is 125" {
    m volume create --label env=prod v-a > /dev/null
    m volume create --label env=dev --label tier=db v-b > /dev/null
    m volume create other > /dev/null
    m create -v v-a:/d bb:1 true > /dev/null
    ls_q() { m volume ls -q "$@" | sort | tr '\n' ' '; }
    [ "$(ls_q)" = "other v-a v-b " ]
    [ "$(ls_q --filter dangling=true)" = "other v-b " ]
    [ "$(ls_q --filter dangling=0)" = "v-a " ]
    [ "$(ls_q -f label=env)" = "v-a v-b " ]
    [ "$(ls_q -f label=env=dev)" = "v-b " ]
    [ "$(ls_q -f label=env -f label=tier)" = "v-b " ]
    [ "$(ls_q -f label=env -f label=nope)" = "" ]
    [ "$(ls_q -f name=v-)" = "v-a v-b " ]
    [ "$(ls_q -f name=^oth)" = "other " ]
    [ "$(ls_q -f name=other -f name=v-b)" = "other v-b " ]
    [ "$(ls_q -f driver=local)" = "other v-a v-b " ]
    [ "$(ls_q -f driver=nfs)" = "" ]
    [ "$(ls_q -f label=env -f dangling=true)" = "v-b " ]
    # Docker's table, and the volume's labels for --format
    run -0 m volume ls -f name=v-a
    [ "${lines[0]}" = "DRIVER    VOLUME NAME" ]
    [ "${lines[1]}" = "local     v-a" ]
    run -0 m volume ls -f name=v-b --format '{{.Name}} {{.Driver}} {{.Labels}}'
    [ "$output" = "v-b local env=dev,tier=db" ]
    run -0 m volume ls -f name=v-a --format json
    [ "$(echo "$output" | jq -r '.Name + " " + .Labels + " " + .Mountpoint')" = \
        "v-a env=prod $STORE/volumes/v-a/_data" ]
    run -125 m volume ls --filter colour=red
    [[ $output == *"invalid filter 'colour'"* ]]
    run -125 m volume ls --filter dangling=maybe
    [[ $output == *"invalid filter 'dangling=maybe'"* ]]
    run -125 m volume ls --filter dangling
    [[ $output == *"bad format of filter (expected name=value)"* ]]
    run -125 m volume ls --filter label!=env
    [[ $output == *"invalid filter 'label!'"* ]]
}

@test "volume prune --filter: label, label!, all as Docker's; until and a second all refused" {
    m volume create --label env=dev named-dev > /dev/null
    m volume create --label env=prod named-prod > /dev/null
    m volume create plain > /dev/null
    m rm "$(m create -v /data bb:1 true)" > /dev/null
    local anon
    anon=$(m volume ls -q -f label=com.docker.volume.anonymous)
    [ ${#anon} -eq 64 ]
    ls_q() { m volume ls -q | sort | tr '\n' ' '; }
    local all4
    all4=$(ls_q)
    # refused before the question, nothing removed
    run -125 m volume prune -f --filter until=1h
    [[ $output == *"invalid filter 'until'"* ]]
    run -125 m volume prune -af --filter all=true
    [[ $output == *"conflicting options: cannot specify both --all and --filter all=1"* ]]
    run -125 m volume prune -f --filter all=maybe
    [[ $output == *"invalid filter 'all=maybe'"* ]]
    run -125 sh -c "echo y | $MOAT --root $STORE volume prune --filter colour=red"
    [[ $output != *"Are you sure"* ]]
    [ "$(ls_q)" = "$all4" ]
    # without all: anonymous ones only, and those must match too
    run -0 m volume prune -f --filter label=env
    [ "$(ls_q)" = "$all4" ]
    run -0 m volume prune -f --filter label!=com.docker.volume.anonymous
    [ "$(ls_q)" = "$all4" ]
    # all=true asks as --all does
    run -0 sh -c "echo n | $MOAT --root $STORE volume prune --filter all=1"
    [[ $output == *"remove all local volumes not used"* ]]
    [ "$(ls_q)" = "$all4" ]
    run -0 m volume prune -f --filter all=true --filter label=env=dev
    [[ $output == *named-dev* ]]
    [ "$(ls_q)" = "$(printf '%s\n' "$anon" named-prod plain | sort | tr '\n' ' ')" ]
    # label!: those without the label (the anonymous one and plain)
    run -0 m volume prune -af --filter 'label!=env'
    [[ $output == *plain* ]]
    [[ $output == *"$anon"* ]]
    [ "$(ls_q)" = "named-prod " ]
    # a volume in use is never pruned
    m create -v named-prod:/d bb:1 true > /dev/null
    run -0 m volume prune -af --filter label=env=prod
    [ "$(ls_q)" = "named-prod " ]
}
