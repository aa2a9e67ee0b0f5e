#!/usr/bin/env bats
# Docker's commands that came late: rename, pause/unpause, version, info,
# system df/prune, history, diff, export.

load common
load engine_common

bats_require_minimum_version 1.5.0

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
    run -1 m rename aa
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

# ---- version, info ----

@test "version: runc's lines plain; Docker's shape with --format" {
    run m version
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "moat version "* ]]
    [ "${lines[1]}" = "spec: 1.1.0" ]
    run "$MOAT" --version
    [[ "${lines[0]}" == "moat version "* ]]
    v=${lines[0]#moat version }
    [ "$(m version --format '{{.Server.Version}}')" = "$v" ]
    [ "$(m version -f '{{.Client.Version}} {{.Client.Os}}')" = "$v linux" ]
    [ "$(m version --format '{{.Server.ApiVersion}}')" = 1.44 ]
    [ "$(m version --format '{{.Server.KernelVersion}}')" = "$(uname -r)" ]
    m version --format json | jq -e '.Client.Arch and .Server.MinAPIVersion == "1.24" and
        (.Server.Components[0].Name == "Engine")'
    run -125 m version --format '{{.Nope'
    run -1 m version extra
    run -125 m version --bogus
    run m version --help
    [[ "$output" == *"-f, --format string"* ]]
}

@test "info and system info: Docker's keys with the store's counts and the host's facts" {
    r=$(m run -d bb:1 sleep 100)
    p=$(m run -d bb:1 sleep 100)
    m pause "$p"
    m create bb:1 true >/dev/null
    run m info --format '{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}} {{.Images}}'
    [ "$status" -eq 0 ]
    [ "$output" = "3 1 1 1 1" ]
    [ "$(m info -f '{{.DockerRootDir}}')" = "$STORE" ]
    [ "$(m info -f '{{.KernelVersion}} {{.OSType}} {{.Architecture}} {{.NCPU}}')" = \
        "$(uname -r) linux $(uname -m) $(nproc)" ]
    [ "$(m info -f '{{.Name}}')" = "$(hostname)" ]
    m info --format json | jq -e '.MemTotal > 0 and .CgroupDriver == "cgroupfs" and
        (.CgroupVersion == "1" or .CgroupVersion == "2") and .Driver and .OperatingSystem and
        (.SecurityOptions | index("name=seccomp,profile=builtin")) and
        (.SecurityOptions | index("name=userns")) and .ServerVersion and .Moat.RuntimeRoot'
    if grep -qw apparmor /sys/kernel/security/lsm 2>/dev/null; then
        m info -f json | jq -e '.SecurityOptions | index("name=apparmor")'
    else
        m info -f json | jq -e '.SecurityOptions | index("name=apparmor") | not'
    fi
    [ "$(m system info -f '{{.Containers}}')" = 3 ]
    run m info
    [[ "$output" == *" Containers: 3"* ]]
    [[ "$output" == *"  Paused: 1"* ]]
    [[ "$output" == *"Docker Root Dir: $STORE"* ]]
    run -125 m info --format '{{.X'
    run -1 m info x
    run -125 m system nosuch
    run m system --help
    [[ "$output" == *"df, events, info, prune"* ]]
}

# ---- system df, system prune ----

@test "system df: Docker's rows and columns, sizes of layers, writable layers and volumes" {
    r=$(m run -d -v dfvol:/data bb:1 sh -c 'head -c 300000 /dev/zero > /data/f; sleep 100')
    s=$(m run bb:1 sh -c 'head -c 200000 /dev/zero > /big')
    m volume create lonely >/dev/null
    sleep 0.5
    run m system df
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "TYPE"*"TOTAL"*"ACTIVE"*"SIZE"*"RECLAIMABLE" ]]
    [[ "${lines[1]}" == "Images "*" 1 "*" 1 "* ]]
    [[ "${lines[2]}" == "Containers "*" 2 "*" 1 "* ]]
    [[ "${lines[3]}" == "Local Volumes "*" 2 "*" 1 "* ]]
    [[ "${lines[4]}" == "Build Cache "* ]]
    # the stopped container's 200kB are reclaimable
    [ "$(m system df --format '{{if eq .Type "Containers"}}{{.Reclaimable}}{{end}}' | grep .)" = \
        "200kB (100%)" ]
    [ "$(m system df --format '{{if eq .Type "Local Volumes"}}{{.Size}}{{end}}' | grep .)" = 300kB ]
    m system df --format json | head -1 | jq -e '.Type == "Images" and .TotalCount == "1"'
    run m system df -v
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Images space usage:"* ]]
    [[ "$output" == *"${r:0:12}"* ]]
    [[ "$output" == *"${s:0:12}"*"200kB"* ]]
    [[ "$output" == *"dfvol"*"1"*"300kB"* ]]
    [[ "$output" == *"lonely"*"0"*"0B"* ]]
    run -125 m system df --format '{{.X'
    run -1 m system df extra
}

@test "system df: a container's symlinks, fifos and deep trees are not followed nor opened" {
    id=$(m run bb:1 sh -c 'ln -s / /escape; ln -s /etc/passwd /pw; mkfifo /fifo;
        d=/deep; for i in $(seq 300); do d=$d/d; done; mkdir -p $d 2>/dev/null; true')
    run timeout 20 "$MOAT" --root "$STORE" system df
    [ "$status" -eq 0 ]
    [[ "$output" == *"Containers"* ]]
    # the links count as links (a few bytes), not as what they point at
    size=$(m system df --format '{{if eq .Type "Containers"}}{{.Size}}{{end}}' | grep .)
    echo "$size"
    [[ "$size" =~ ^[0-9.]+k?B$ ]]
}

@test "system prune: asks, then removes stopped containers and dangling images; -a, --volumes" {
    keep=$(m run -d bb:1 sleep 100)
    gone=$(m create bb:1 true)
    m tag bb:1 bb:extra
    m rmi bb:extra >/dev/null
    m volume create named1 >/dev/null
    # no: nothing changes
    run sh -c "echo n | $MOAT --root $STORE system prune"
    [ "$status" -eq 0 ]
    [[ "$output" == *"WARNING! This will remove:"* ]]
    [[ "$output" == *"all stopped containers"* ]]
    [[ "$output" == *"all dangling images"* ]]
    m inspect "$gone" >/dev/null
    run sh -c "echo y | $MOAT --root $STORE system prune --volumes"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Deleted Containers:"*"$gone"* ]]
    [[ "$output" == *"Total reclaimed space:"* ]]
    run -1 m inspect "$gone"
    [ "$(m inspect -f '{{.State.Status}}' "$keep")" = running ]
    # a named volume is not anonymous: kept; the image in use stays
    m volume inspect named1 >/dev/null
    m image inspect bb:1 >/dev/null
    # -a: images no container uses go too (this one is used)
    run m system prune -a -f
    [ "$status" -eq 0 ]
    m image inspect bb:1 >/dev/null
    m rm -f "$keep" >/dev/null
    m save -o "$BATS_TEST_TMPDIR/bb.tar" bb:1
    run m system prune -af
    echo "$output"
    [[ "$output" == *"Deleted Images:"*"deleted: sha256:"* ]]
    run -1 m image inspect bb:1
    m load -i "$BATS_TEST_TMPDIR/bb.tar" >/dev/null
    m image inspect bb:1 >/dev/null
    run -125 m system prune --bogus
    run -1 m system prune extra
}

# ---- the prunes' --filter ----

@test "container prune --filter: until (a time or a duration), label, label!; a bad filter is 125 before the question" {
    local a b c r t
    a=$(m create --label tier=web --label keep=1 bb:1 true)
    b=$(m create --label tier=db bb:1 true)
    sleep 0.2
    t=$(date +%s.%N)
    sleep 0.2
    c=$(m create bb:1 true)
    r=$(m run -d --label tier=web bb:1 sleep 100)
    run -125 m container prune -f --filter colour=red
    [[ $output == *"invalid filter 'colour'"* ]]
    run -125 m container prune -f --filter until=soon
    [[ $output == *"invalid value for 'until' filter"* ]]
    run -125 m container prune -f --filter until=1h --filter until=2h
    [[ $output == *"more than one until filter specified"* ]]
    run -125 m container prune -f --filter label
    [[ $output == *"bad format of filter"* ]]
    run -125 sh -c "echo y | $MOAT --root $STORE container prune --filter all=1"
    [[ $output == *"invalid filter 'all'"* ]]
    [[ $output != *"Are you sure"* ]]
    [ "$(m ps -aq | wc -l)" = 4 ]
    # created an hour ago or before: none
    run -0 m container prune -f --filter until=1h
    [ "$(m ps -aq | wc -l)" = 4 ]
    # before $t and without the label keep: b only
    run -0 m container prune -f --filter until="$t" --filter 'label!=keep'
    [[ $output == *"$b"* ]]
    [[ $output != *"$a"* ]]
    [[ $output != *"$c"* ]]
    run -1 m inspect "$b"
    # tier=web: a, not the running r
    run -0 m container prune -f --filter label=tier=web
    [[ $output == *"$a"* ]]
    [[ $output != *"$r"* ]]
    run -0 m inspect -f '{{.Id}}' "$c"
    # 0s: created up to now, the rest of the stopped ones
    run -0 m container prune -f --filter until=0s
    [[ $output == *"$c"* ]]
    [ "$(m ps -aq --no-trunc)" = "$r" ]
}

@test "image prune --filter: label, label!, until, with -a and on dangling images" {
    m create bb:1 true > /dev/null # bb:1 is in use: never pruned
    local d="$BATS_TEST_TMPDIR"
    MKIMAGE_CONFIG='{"Labels": {"keep": "yes"}}' sh "$BATS_TEST_DIRNAME/../lib/mkimage.sh" "$ROOTFS" "$d/a.tar" la:1
    MKIMAGE_CONFIG='{"Labels": {"keep": "no", "x": "1"}}' sh "$BATS_TEST_DIRNAME/../lib/mkimage.sh" "$ROOTFS" "$d/b.tar" lb:1
    MKIMAGE_CONFIG='{"Labels": {"old": "1"}}' sh "$BATS_TEST_DIRNAME/../lib/mkimage.sh" "$ROOTFS" "$d/c.tar" la:1
    m load -i "$d/a.tar" > /dev/null
    local aid
    aid=$(m image inspect -f '{{.Id}}' la:1)
    m load -i "$d/b.tar" > /dev/null
    m load -i "$d/c.tar" > /dev/null # la:1 moves to it: a is dangling
    run -125 m image prune -f --filter dangling=true
    [[ $output == *"invalid filter 'dangling'"* ]]
    run -125 m image prune -af --filter until=junk
    run -0 m image inspect "$aid"
    # made before 2000: none
    run -0 m image prune -af --filter until=2000-01-01T00:00:00Z
    m image inspect "$aid" lb:1 la:1 > /dev/null
    # without -a: dangling ones only, and only those the filter passes
    run -0 m image prune -f --filter label=keep=no
    m image inspect "$aid" lb:1 la:1 > /dev/null
    run -0 m image prune -f --filter label=keep=yes
    [[ $output == *"deleted: $aid"* ]]
    run -1 m image inspect "$aid"
    # -a: any unused image the filter passes
    run -0 m image prune -af --filter label=keep --filter 'label!=x'
    m image inspect lb:1 la:1 > /dev/null
    run -0 m image prune -af --filter label=x=1
    run -1 m image inspect lb:1
    run -0 m image prune -af --filter 'label!=old'
    m image inspect la:1 bb:1 > /dev/null
    run -0 m image prune -af --filter until=0s --filter label=old
    run -1 m image inspect la:1
    m image inspect bb:1 > /dev/null
}

@test "system prune --filter: label and until reach containers and images; until refused with --volumes" {
    local p n
    p=$(m create --label p=1 bb:1 true)
    n=$(m create bb:1 true)
    m rm "$(m create -v /data bb:1 true)" > /dev/null # an anonymous volume left
    run -125 m system prune -f --volumes --filter until=1h
    [[ $output == *'the "until" filter is not supported with "--volumes"'* ]]
    run -125 m system prune -f --filter all=true
    [[ $output == *"invalid filter 'all'"* ]]
    # the question lists the filters, as Docker's does
    run -0 sh -c "echo n | $MOAT --root $STORE system prune --filter until=24h --filter label=p"
    [[ $output == *"Items to be pruned will be filtered with:"*"  - label=p"*"  - until=24h"* ]]
    m inspect "$p" "$n" > /dev/null
    run -0 m system prune -f --filter label=p --volumes
    [[ $output == *"$p"* ]]
    [[ $output != *"$n"* ]]
    [[ $output != *"Deleted Volumes"* ]]
    [ "$(m volume ls -q -f label=com.docker.volume.anonymous | wc -l)" = 1 ]
    local p2
    p2=$(m create --label p=2 bb:1 true)
    run -0 m system prune -f --volumes --filter 'label!=p'
    [[ $output != *"$p2"* ]]
    m inspect "$p2" > /dev/null
    [[ $output == *"$n"* ]]
    [[ $output == *"Deleted Volumes"* ]]
    [ "$(m volume ls -q -f label=com.docker.volume.anonymous | wc -l)" = 0 ]
}

# ---- history ----

# a docker-archive of ROOTFS as one layer, with a history of three steps
# (two without a layer) in $BATS_TEST_TMPDIR/hist.tar, named hist:1
make_hist_image() {
    local work=$BATS_TEST_TMPDIR/himg
    mkdir -p "$work"
    tar -C "$ROOTFS" --numeric-owner -cf "$work/layer.tar" .
    local diff cid
    diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
    mkdir "$work/$diff"
    mv "$work/layer.tar" "$work/$diff/layer.tar"
    jq -n --arg d "sha256:$diff" '{architecture: "amd64", os: "linux",
      created: "2020-01-02T03:04:05Z", config: {Cmd: ["/bin/sh"]},
      rootfs: {type: "layers", diff_ids: [$d]},
      history: [
        {created: "2020-01-01T00:00:00Z", created_by: "/bin/sh -c #(nop) ADD file:abc in / "},
        {created: "2020-01-02T00:00:00Z", created_by: "/bin/sh -c #(nop)  ENV A=1 B=2 C=3 D=4 E=5 F=6 G=7 H=8 I=9", empty_layer: true, comment: "a comment"},
        {created: "2020-01-02T03:04:05Z", created_by: "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", empty_layer: true}]}' \
        > "$work/config.json"
    cid=$(sha256sum "$work/config.json" | cut -d' ' -f1)
    mv "$work/config.json" "$work/$cid.json"
    jq -n --arg c "$cid.json" --arg l "$diff/layer.tar" \
        '[{Config: $c, RepoTags: ["hist:1"], Layers: [$l]}]' > "$work/manifest.json"
    tar -C "$work" -cf "$BATS_TEST_TMPDIR/hist.tar" manifest.json "$cid.json" "$diff"
    m load -i "$BATS_TEST_TMPDIR/hist.tar" >/dev/null
    HIST_ID=sha256:$cid
}

@test "history: Docker's columns, newest first, the image's id on top, -q, --no-trunc, -H, --format" {
    make_hist_image
    run m history hist:1
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "IMAGE"*"CREATED"*"CREATED BY"*"SIZE"*"COMMENT" ]]
    [ "${#lines[@]}" -eq 4 ]
    [[ "${lines[1]}" == "${HIST_ID:7:12} "*"CMD"*" 0B "* ]]
    [[ "${lines[2]}" == "<missing> "*"ENV A=1"*"…"*"a comment" ]]
    [[ "${lines[3]}" == "<missing> "*"ADD file:abc"*"B"* ]]
    [[ "${lines[3]}" != *" 0B"* ]]
    run m history -q hist:1
    [ "${lines[0]}" = "${HIST_ID:7:12}" ]
    [ "$(m image history -q hist:1)" = "$output" ] # Docker's image group has it too
    [ "${lines[1]}" = "<missing>" ]
    run m history --no-trunc hist:1
    [[ "$output" == *"$HIST_ID"* ]]
    [[ "$output" == *"I=9"* ]]
    run m history --human=false --format '{{.CreatedSince}} {{.Size}}' hist:1
    echo "$output"
    [ "${lines[0]}" = "2020-01-02T03:04:05Z 0" ]
    [[ "${lines[2]}" =~ ^2020-01-01T00:00:00Z\ [0-9]+$ ]]
    [ "$(m history --format '{{.Comment}}' hist:1 | sed -n 2p)" = "a comment" ]
    m history --format json hist:1 | head -1 | jq -e '.CreatedBy'
    # an image without a history: a row a layer
    run m history bb:1
    [ "$status" -eq 0 ]
    run -125 m history nosuch:1
    [[ "$output" == *"nosuch"* ]]
    run -1 m history
    run -125 m history --format '{{.X' hist:1
}

# ---- diff ----

@test "diff: A, C and D of the writable layer against the image, running or stopped" {
    id=$(m run -d bb:1 sh -c 'echo new > /added; mkdir -p /newdir/sub; echo x > /newdir/sub/f;
        echo changed >> /etc/passwd; rm /etc/group; rm -rf /home 2>/dev/null; mkdir -p /home;
        echo y > /home/z; ln -s / /escape; mkfifo /fifo; sleep 100')
    sleep 0.5
    run m diff "$id"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"A /added"* ]]
    [[ "$output" == *"A /newdir"* ]]
    [[ "$output" == *"A /newdir/sub/f"* ]]
    [[ "$output" == *"C /etc"* ]]
    [[ "$output" == *"C /etc/passwd"* ]]
    [[ "$output" == *"D /etc/group"* ]]
    [[ "$output" == *"A /escape"* ]]
    [[ "$output" == *"A /fifo"* ]]
    # a container's symlink is listed, never followed
    [[ "$output" != *"/escape/"* ]]
    m stop -t 1 "$id" >/dev/null
    run m diff "$id"
    [ "$status" -eq 0 ]
    [[ "$output" == *"D /etc/group"* ]]
    # a fresh container changed nothing
    f=$(m create bb:1 true)
    run m diff "$f"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    # nor did a running one whose /etc/hosts and /etc/hostname are the
    # engine's binds (their mount points are not changes, as in Docker)
    f=$(m run -d bb:1 sleep 100)
    run -0 m exec "$f" test -s /etc/hosts
    run -0 m diff "$f"
    [ "$output" = "" ]
    # a directory given to another owner is a change (commit keeps it)
    f=$(m run -d --cap-add CHOWN bb:1 sh -c 'chown 1234:1234 /root; sleep 100')
    sleep 0.5
    run -0 m diff "$f"
    [ "$output" = "C /root" ]
    run -125 m diff nosuch
    [[ "$output" == *"no such container: nosuch"* ]]
    run -1 m diff
}
