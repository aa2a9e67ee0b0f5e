#!/usr/bin/env bats
# The engine's containers: run, create, start, stop, kill, rm, ps, logs,
# inspect, wait and exec, on images from the store, with the hardening
# profile, and what is left behind (nothing).

load common
load engine_common

bats_require_minimum_version 1.5.0

# nothing of container $1 anywhere: record, mount, runtime state, cgroup
gone() {
    [ ! -e "$STORE/containers/$1" ]
    ! grep -q "$1" /proc/self/mountinfo
    [ ! -e "$STORE/run/$1" ]
    ! find /sys/fs/cgroup -maxdepth 4 -name "$1" | grep -q .
}

@test "run: output, exit code, and --rm leaves nothing behind" {
    run m run --rm --name once bb:1 sh -c 'echo out; echo err >&2; exit 3'
    [ "$status" -eq 3 ]
    [[ "$output" == *out* && "$output" == *err* ]]
    [ -z "$(m ps -aq)" ]
    [ -z "$(ls "$STORE/containers")" ]
    ! grep -q "$STORE/containers" /proc/self/mountinfo
    [ -z "$(ls "$STORE/run")" ]
    # run --rm returns once the container is gone, not just exited: look
    # right away, with the shell's own glob (an ls would give it time)
    local left=0 i
    for i in $(seq 30); do
        m run --rm bb:1 true
        set -- "$STORE"/containers/*
        [ -e "$1" ] && left=$((left + 1))
    done
    [ "$left" -eq 0 ]
}

@test "--rm: a volatile layer; its end does not flush the host's disk; it mounts again (cp, start)" {
    local probe="$STORE/dirty-probe"
    dirty_probe "$probe"
    # the overlay's unmount synced the store's whole filesystem
    run -0 m run --rm bb:1 sh -c 'echo x > /f'
    local after
    after=$(dirty_pages "$probe")
    echo "dirty pages of the probe: $after of 2048 left"
    [ "$after" -gt 1000 ]
    rm -f "$probe"
    # a volatile mount's marker refuses a second mount of the layer
    m create --rm --name twice bb:1 cat /in > /dev/null
    echo in > "$BATS_TEST_TMPDIR/in"
    m cp "$BATS_TEST_TMPDIR/in" twice:/in
    run -0 m start -a twice
    [ "$output" = in ]
}

@test "run -d, ps, logs, exec, stop, inspect, rm" {
    id=$(m run -d --name web bb:1 sh -c 'trap "echo bye; exit 7" TERM; echo hello; while :; do sleep 0.1; done')
    [[ "$id" =~ ^[0-9a-f]{64}$ ]]
    run m ps
    [[ "${lines[0]}" =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
    [[ "${lines[1]}" =~ ^${id:0:12}\ +bb:1\ .*Up\ .*web$ ]]
    [ "$(m ps --format '{{.Names}} {{.State}}')" = "web running" ]
    for i in $(seq 50); do m logs web | grep -q hello && break; sleep 0.1; done
    [ "$(m logs web)" = hello ]
    run m exec web sh -c 'echo exec-out; exit 5'
    [ "$status" -eq 5 ]
    [ "$output" = exec-out ]
    [ "$(m exec -u nobody -e X=1 -w /tmp web sh -c 'id -u; echo $X; pwd' | tr '\n' ' ')" = "65534 1 /tmp " ]
    run m stop web
    [ "$status" -eq 0 ]
    [ "$(m inspect web | jq -r '.[0].State.Status, .[0].State.ExitCode' | tr '\n' ' ')" = "exited 7 " ]
    [ "$(m logs web | tr '\n' ' ')" = "hello bye " ]
    m ps -a | grep -q 'Exited (7)'
    [ -z "$(m ps -q)" ]
    ! grep -q "$id" /proc/self/mountinfo
    m rm web
    gone "$id"
}

@test "stop: a container that ignores TERM is killed after -t seconds" {
    id=$(m run -d bb:1 sh -c 'trap "" TERM; while :; do sleep 0.1; done')
    start=$(date +%s%N)
    m stop -t 1 "${id:0:12}"
    end=$(date +%s%N)
    [ $(((end - start) / 1000000)) -ge 900 ]
    [ "$(m inspect "$id" | jq .[0].State.ExitCode)" = 137 ]
    run m wait "$id"
    [ "$output" = 137 ]
}

@test "create, start -a, start again, kill, wait" {
    id=$(m create --name c1 bb:1 sh -c 'echo run')
    [ "$(m ps -a --format '{{.Names}} {{.Status}}')" = "c1 Created" ]
    run m start -a c1
    [ "$status" -eq 0 ]
    [ "$output" = run ]
    m start -a c1 >/dev/null
    [ "$(m logs c1 | tr '\n' ' ')" = "run run " ]
    m rm c1
    gone "$id"
    id=$(m run -d bb:1 sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done')
    m kill -s USR1 "$id"
    [ "$(m wait "$id")" = 9 ]
    id=$(m run -d bb:1 sleep 100)
    m kill "$id"
    [ "$(m wait "$id")" = 137 ]
}

@test "run -i passes stdin; env, env-file, workdir, user, hostname" {
    [ "$(echo piped | m run -i --rm bb:1 cat)" = piped ]
    printf 'A=from-file\n# comment\nB=2\n' > "$BATS_TEST_TMPDIR/env"
    export HOSTVAR=taken
    out=$(m run --rm -e C=3 -e HOSTVAR --env-file "$BATS_TEST_TMPDIR/env" -w /tmp -u 1000:1001 \
        --hostname box bb:1 sh -c 'echo $A $B $C $HOSTVAR; pwd; id -u; id -g; hostname')
    [ "$(echo $out)" = "from-file 2 3 taken /tmp 1000 1001 box" ]
    run m run --rm -u nosuchuser bb:1 true
    [ "$status" -ne 0 ]
    [[ "$output" == *'user "nosuchuser": not found in the image'* ]]
}

@test "run -u NAME: an image whose /etc/passwd is a FIFO gets an error, not a hang" {
    cp -a "$ROOTFS" "$BATS_TEST_TMPDIR/r"
    rm "$BATS_TEST_TMPDIR/r/etc/passwd"
    mkfifo "$BATS_TEST_TMPDIR/r/etc/passwd"
    tar -C "$BATS_TEST_TMPDIR/r" -cf "$BATS_TEST_TMPDIR/fifo.tar" .
    m import "$BATS_TEST_TMPDIR/fifo.tar" fifo:1 >/dev/null
    run timeout -k 5 20 "$MOAT" --root "$STORE" run --rm -u app fifo:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"user \"app\": not found in the image's /etc/passwd"* ]]
    [ -z "$(m ps -aq)" ]
    # a numeric user needs no passwd line (id(1) would read the FIFO itself)
    [ "$(m run --rm -u 1000 fifo:1 awk '/^Uid:/ {print $2}' /proc/self/status)" = 1000 ]
    m rmi fifo:1 >/dev/null
}

@test "hardened by default: own user namespace range, few capabilities, seccomp, no mount" {
    id=$(m run -d bb:1 sleep 100)
    base=$(m inspect "$id" | jq .[0].Moat.UsernsBase)
    [ "$base" -ge 1000000000 ]
    pid=$(m inspect "$id" | jq .[0].State.Pid)
    [ "$(stat -c %u /proc/$pid)" = "$base" ]
    run m exec "$id" cat /proc/self/status
    [[ "$output" == *"Seccomp:	2"* ]]
    [[ "$output" == *"NoNewPrivs:	1"* ]]
    # DAC_OVERRIDE FOWNER KILL SETGID SETUID NET_BIND_SERVICE, nothing else
    [[ "$output" == *"CapEff:	00000000000004ea"* ]]
    [[ "$output" == *"CapBnd:	00000000000004ea"* ]]
    run m exec "$id" mount -t tmpfs none /mnt
    [ "$status" -ne 0 ]
    # the image's files are root's inside, the host's layer is untouched
    [ "$(m exec "$id" stat -c %u /bin/busybox)" = 0 ]
    m exec "$id" touch /newfile
    [ "$(stat -c %u "$STORE/containers/$id/layer/upper/newfile")" = "$base" ]
    # a second container gets another range
    id2=$(m run -d bb:1 sleep 100)
    [ "$(m inspect "$id2" | jq .[0].Moat.UsernsBase)" != "$base" ]
}

@test "volumes: bind mounts rw and ro, named volumes, sensitive sources refused" {
    mkdir "$BATS_TEST_TMPDIR/data"
    echo host > "$BATS_TEST_TMPDIR/data/f"
    m run --rm -v "$BATS_TEST_TMPDIR/data:/data:U" bb:1 sh -c 'cat /data/f; echo ctr > /data/g'
    [ "$(cat "$BATS_TEST_TMPDIR/data/g")" = ctr ]
    # the container's root writes as its own unprivileged host uid (binds.bats)
    [ "$(stat -c %u "$BATS_TEST_TMPDIR/data/g")" -ge 1000000000 ]
    run m run --rm -v "$BATS_TEST_TMPDIR/data:/data:ro,U" bb:1 sh -c 'echo x > /data/h'
    [ "$status" -ne 0 ]
    [ ! -e "$BATS_TEST_TMPDIR/data/h" ]
    m run --rm -v vol1:/v bb:1 sh -c 'echo kept > /v/f'
    [ "$(m run --rm -v vol1:/v bb:1 cat /v/f)" = kept ]
    mkdir -p /run/moat # the runtime's default root: there on any host that ran moat
    for src in / /proc /sys/fs /dev "$STORE" "$STORE/containers" /run/moat /var; do
        run m run --rm -v "$src:/x" bb:1 true
        [ "$status" -eq 125 ]
        [[ "$output" == *"refusing to mount"* ]] || { echo "$src: $output"; false; }
    done
    [ -z "$(m ps -aq)" ]
    run m run --rm --security-opt allow-sensitive-mounts -v /:/host:ro bb:1 cat /host/etc/hostname
    [ "$status" -eq 0 ]
}

@test "read-only root, tmpfs, memory and pids limits" {
    run m run --rm --read-only bb:1 sh -c 'touch /x'
    [ "$status" -ne 0 ]
    m run --rm --read-only --tmpfs /data bb:1 sh -c 'touch /tmp/x /data/y'
    id=$(m run -d --memory 64m --pids-limit 50 bb:1 sleep 100)
    pid=$(m inspect "$id" | jq .[0].State.Pid)
    mem=$(awk -F: '$2 ~ /memory/ {print $3}' /proc/$pid/cgroup)
    pids=$(awk -F: '$2 ~ /pids/ {print $3}' /proc/$pid/cgroup)
    if [ -n "$mem" ]; then
        [ "$(cat /sys/fs/cgroup/memory$mem/memory.limit_in_bytes)" = $((64 << 20)) ]
        [ "$(cat /sys/fs/cgroup/pids$pids/pids.max)" = 50 ]
    else
        cg=$(awk -F: '$1 == 0 {print $3}' /proc/$pid/cgroup)
        [ "$(cat /sys/fs/cgroup/$cg/memory.max)" = $((64 << 20)) ]
    fi
}

@test "--network none: lo is up, so a server and a client in one container talk" {
    run m run --rm --network none bb:1 sh -c \
        'mkdir /tmp/w && echo served > /tmp/w/i && httpd -p 127.0.0.1:8080 -h /tmp/w && wget -qO- http://127.0.0.1:8080/i'
    [ "$status" -eq 0 ]
    [ "$output" = served ]
}

@test "a name that is the start of another container's id is free, as in Docker" {
    id=$(m create --network none bb:1 true)
    m create --name "${id:0:2}" --network none bb:1 true >/dev/null
    run m create --name "${id:0:2}" --network none bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"is in use by container"* ]]
}

@test "bad input: a clear error, exit 125, and no container left" {
    # not in the store: pulled first, and the pull fails (nothing listens there)
    run m run 127.0.0.1:9/nosuch:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"Unable to find image '127.0.0.1:9/nosuch:1' locally"* ]]
    [[ "$output" == *"registry client failed"* ]]
    run m run --memory lots bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *'--memory "lots"'* ]]
    run m run --network nosuch bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"--network nosuch: network nosuch not found"* ]]
    run m run --name 'bad name' bb:1 true
    [ "$status" -eq 125 ]
    run m run --rm bb:1 /no/such/binary
    [ "$status" -ne 0 ]
    [ -z "$(m ps -aq)" ]
    [ -z "$(ls "$STORE/containers")" ]
    m create --name dup bb:1 true >/dev/null
    run m create --name dup bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *'"dup" is in use'* ]]
    run m stop nosuch
    [ "$status" -ne 0 ]
    [[ "$output" == *"no such container: nosuch"* ]]
    run m rmi bb:1
    [ "$status" -ne 0 ]
    [[ "$output" == *"is used by container"* ]]
    run m rm dup
    [ "$status" -eq 0 ]
}

@test "a killed monitor is repaired by the next command" {
    id=$(m run -d bb:1 sleep 100)
    mon=$(pgrep -f moat-monitor -n || true)
    # the monitor holds monitor.lock; find it by the lock
    mon=$(fuser "$STORE/containers/$id/monitor.lock" 2>/dev/null | tr -s ' ' '\n' | grep . | head -1)
    [ -n "$mon" ]
    kill -9 "$mon"
    sleep 0.2
    run m ps -a --format '{{.Status}}'
    [[ "$output" == "Exited (255)"* ]]
    ! grep -q "$id" /proc/self/mountinfo
    [ ! -e "$STORE/run/$id" ]
    m rm "$id"
    gone "$id"
}

@test "many containers started at once" {
    for i in $(seq 10); do m run -d --name "par$i" bb:1 sleep 100 > /dev/null & done
    wait
    [ "$(m ps -q | wc -l)" = 10 ]
    [ "$(for i in $(seq 10); do m inspect par$i | jq .[0].Moat.UsernsBase; done | sort -u | wc -l)" = 10 ]
    m rm -f $(m ps -q) > /dev/null
    [ -z "$(m ps -aq)" ]
    ! grep -q "$STORE/containers" /proc/self/mountinfo
}

@test "restart, top, stats" {
    id=$(m run -d --name svc bb:1 sh -c 'echo start; while :; do sleep 0.1; done')
    pid1=$(m inspect svc | jq .[0].State.Pid)
    run m restart -t 0 svc
    [ "$status" -eq 0 ]
    [ "$output" = svc ]
    pid2=$(m inspect svc | jq .[0].State.Pid)
    [ "$pid1" != "$pid2" ]
    [ "$(m inspect svc | jq -r .[0].State.Status)" = running ]
    for i in $(seq 30); do [ "$(m logs svc | grep -c start)" = 2 ] && break; sleep 0.1; done
    [ "$(m logs svc | grep -c start)" = 2 ]
    run m top svc
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +STIME\ +TTY\ +TIME\ +CMD ]]
    [[ "$output" == *"$pid2 "*"sh -c echo start"* ]]
    base=$(m inspect svc | jq .[0].Moat.UsernsBase)
    [[ "${lines[1]}" == "$base "* ]]
    run m stats --no-stream svc
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT ]]
    [[ "${lines[1]}" =~ ^${id:0:12}\ +svc\ +[0-9.]+%\ +[0-9.]+[KM]iB\ /\ 1\.00GiB ]]
    [[ "${lines[1]}" =~ \ [0-9]+$ ]]
}

@test "cp: in and out, running and stopped, through the container's own mounts" {
    id=$(m run -d --name files -v cpvol:/vol bb:1 sh -c 'while :; do sleep 0.1; done')
    echo from-host > "$BATS_TEST_TMPDIR/f"
    m cp "$BATS_TEST_TMPDIR/f" files:/tmp/
    m cp "$BATS_TEST_TMPDIR/f" files:/vol/g
    [ "$(m exec files cat /tmp/f /vol/g | tr '\n' ' ')" = "from-host from-host " ]
    # the container's root owns what comes in
    [ "$(m exec files stat -c %u:%g /tmp/f)" = 0:0 ]
    m exec files sh -c 'mkdir -p /out/d; echo inner > /out/d/x; cp /bin/busybox /out/suid; chmod 4755 /out/suid; mkfifo /out/fifo'
    timeout -k 5 20 "$MOAT" --root "$STORE" cp files:/out "$BATS_TEST_TMPDIR/"
    [ "$(cat "$BATS_TEST_TMPDIR/out/d/x")" = inner ]
    # a FIFO is not copied (nor read, which would wait for a writer)
    [ ! -e "$BATS_TEST_TMPDIR/out/fifo" ]
    # set-id bits do not come out
    [ "$(stat -c %a "$BATS_TEST_TMPDIR/out/suid")" = 755 ]
    m stop -t 0 files >/dev/null
    m cp "$BATS_TEST_TMPDIR/f" files:/stopped
    m cp files:/out/d/x "$BATS_TEST_TMPDIR/x2"
    [ "$(cat "$BATS_TEST_TMPDIR/x2")" = inner ]
    ! grep -q "$id" /proc/self/mountinfo
    m start files >/dev/null
    [ "$(m exec files cat /stopped)" = from-host ]
}

@test "cp: symlinks planted in the container never lead to the host" {
    m run -d --name trap bb:1 sh -c 'ln -s / /tmp/root; ln -s /etc /tmp/etc; while :; do sleep 0.1; done' >/dev/null
    for i in $(seq 30); do m exec trap test -L /tmp/etc && break; sleep 0.1; done
    echo planted > "$BATS_TEST_TMPDIR/p"
    rm -f /etc/moat-cp-escape
    m cp "$BATS_TEST_TMPDIR/p" trap:/tmp/etc/moat-cp-escape
    [ ! -e /etc/moat-cp-escape ]
    [ "$(m exec trap cat /etc/moat-cp-escape)" = planted ]
    m cp trap:/tmp/root/etc/hostname "$BATS_TEST_TMPDIR/hn"
    [ "$(cat "$BATS_TEST_TMPDIR/hn")" = "$(m exec trap hostname)" ]
    [ "$(cat "$BATS_TEST_TMPDIR/hn")" != "$(hostname)" ]
    run m cp trap:/tmp/etc "$BATS_TEST_TMPDIR/link"
    [ -L "$BATS_TEST_TMPDIR/link" ]
}

@test "--init: a tiny init as pid 1 passes signals on and reaps orphans" {
    if readelf -l "$MOAT" | grep -q 'Requesting program interpreter'; then
        run m run --rm --init bb:1 true
        [ "$status" -ne 0 ]
        [[ "$output" == *"--init needs the static build"* ]]
        skip "a dynamically linked moat (the sanitizer build) cannot be the container's init"
    fi
    run m run --rm --init bb:1 sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "; exit 6'
    [ "$status" -eq 6 ]
    [ "${lines[0]}" = 2 ]
    [[ "${lines[1]}" == "/dev/init -- sh -c"* ]]
    # sleep as pid 1 ignores TERM; behind --init it gets it
    id=$(m run -d --init bb:1 sleep 100)
    start=$(date +%s)
    m stop -t 20 "$id" >/dev/null
    [ $(($(date +%s) - start)) -lt 10 ]
    [ "$(m inspect "$id" | jq .[0].State.ExitCode)" = 143 ]
    # orphans are reaped: no zombie is left under pid 1
    out=$(m run --rm --init bb:1 sh -c '(sleep 0.1 &) ; sleep 0.5; ps -o stat | grep -c Z || true')
    [ "$out" = 0 ]
    # the binary in the container is read-only
    run m run --rm --init bb:1 sh -c 'echo x >> /dev/init'
    [ "$status" -ne 0 ]
}

@test "--mount: bind, volume and tmpfs; bad specs refused" {
    mkdir "$BATS_TEST_TMPDIR/src"
    echo in > "$BATS_TEST_TMPDIR/src/f"
    out=$(m run --rm --mount "type=bind,source=$BATS_TEST_TMPDIR/src,target=/h,readonly" \
        --mount type=tmpfs,target=/t,tmpfs-size=1m --mount type=volume,src=mv,dst=/v bb:1 \
        sh -c 'cat /h/f; touch /h/x 2>/dev/null || echo ro; df -k /t | tail -1 | awk "{print \$2}"; touch /v/y && echo vol')
    [ "$(echo $out)" = "in ro 1024 vol" ]
    run m run --rm --mount type=foo,target=/x bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"type must be bind, volume or tmpfs"* ]]
    run m run --rm --mount type=bind,source=/,target=/x bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"refusing to mount"* ]]
}

@test "volume create, ls, inspect, rm (refused while used), prune" {
    [ "$(m volume create data1)" = data1 ]
    m volume ls | grep -q '^local  *data1$'
    [ "$(m volume inspect data1 | jq -r .[0].Mountpoint)" = "$STORE/volumes/data1/_data" ]
    id=$(m run -d -v data1:/d bb:1 sleep 100)
    run m volume rm data1
    [ "$status" -ne 0 ]
    [[ "$output" == *"in use by container ${id:0:12}"* ]]
    m rm -f "$id" >/dev/null
    m volume rm data1
    [ -z "$(m volume ls -q | grep data1)" ]
    m volume create data2 >/dev/null
    # a named volume stays unless --all; prune asks unless -f
    m volume prune -f
    m volume ls -q | grep -qx data2
    run sh -c "echo n | $MOAT --root $STORE volume prune -a"
    m volume ls -q | grep -qx data2
    m volume prune -af | grep -q '^data2$'
    run m volume create '../x'
    [ "$status" -ne 0 ]
}

@test "a container directory left by a killed create is removed by the next command" {
    partial="$STORE/containers/$(printf '%064d' 7)"
    mkdir -p "$partial/upper"
    m ps -a >/dev/null
    [ ! -e "$partial" ]
}

@test "run -it: a terminal, its size, and the exit code" {
    command -v script >/dev/null || skip "script (util-linux) not installed"
    run script -qec "stty rows 33 cols 101; $MOAT --root $STORE run -it --rm bb:1 sh -c 'tty; stty size; exit 4'" /dev/null
    [ "$status" -eq 4 ]
    [[ "$output" == *"/dev/pts/0"* ]]
    [[ "$output" == *"33 101"* ]]
}

@test "security options: seccomp, landlock, apparmor, no-new-privileges, caps, privileged" {
    [ "$(m run --rm --security-opt seccomp=unconfined bb:1 grep ^Seccomp: /proc/self/status | cut -f2)" = 0 ]
    [ "$(m run --rm --security-opt no-new-privileges bb:1 grep ^NoNewPrivs: /proc/self/status | cut -f2)" = 1 ]
    # a seccomp profile file: one that denies mkdir with EPERM, else allows
    printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}' > "$BATS_TEST_TMPDIR/sc.json"
    run m run --rm --security-opt "seccomp=$BATS_TEST_TMPDIR/sc.json" bb:1 mkdir /tmp/x
    [ "$status" -ne 0 ]
    run m run --rm --security-opt seccomp=/nonexistent bb:1 true
    [ "$status" -eq 125 ]
    if [ -d /sys/kernel/security/apparmor ]; then
        skip "AppArmor is enabled here: the refusal below is for hosts without it"
    fi
    run m run --rm --security-opt apparmor=myprofile bb:1 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"AppArmor is not enabled on this host"* ]]
    m run --rm --security-opt apparmor=unconfined --security-opt landlock=unconfined bb:1 true
    [ "$(m run --rm --cap-drop ALL --cap-add NET_RAW bb:1 grep ^CapEff: /proc/self/status | cut -f2)" = 0000000000002000 ]
    [ "$(m run --rm --cap-drop KILL bb:1 grep ^CapEff: /proc/self/status | cut -f2)" = 00000000000004ca ]
    run m run --rm --privileged bb:1 sh -c 'grep ^CapEff: /proc/self/status; cat /proc/self/uid_map'
    # every capability the host's bounding set has, and the host's ids
    [[ "$output" == *"CapEff:	$(grep ^CapBnd: /proc/self/status | cut -f2)"* ]]
    [[ "$output" == *"0          0 4294967295"* ]]
    run m run --rm --security-opt bogus bb:1 true
    [ "$status" -eq 125 ]
}

@test "an image's config: Cmd, Env, WorkingDir, User; a bare Env name never reads the host's" {
    m save -o "$BATS_TEST_TMPDIR/i.tar" bb:1
    mkdir "$BATS_TEST_TMPDIR/i" && tar -C "$BATS_TEST_TMPDIR/i" -xf "$BATS_TEST_TMPDIR/i.tar"
    python3 - "$BATS_TEST_TMPDIR/i" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/manifest.json"))
c = json.load(open(d + "/" + m[0]["Config"]))
c["config"] = {"Env": ["MOAT_HOST_SECRET", "FROM_IMAGE=1"], "WorkingDir": "/etc", "User": "nobody",
               "Cmd": ["sh", "-c", "echo secret=$MOAT_HOST_SECRET image=$FROM_IMAGE $(pwd) $(id -u)"]}
json.dump(c, open(d + "/cfg.json", "w"))
m[0]["Config"] = "cfg.json"
m[0]["RepoTags"] = ["envimg:1"]
json.dump(m, open(d + "/manifest.json", "w"))
PY
    tar -C "$BATS_TEST_TMPDIR/i" -cf "$BATS_TEST_TMPDIR/env.tar" manifest.json cfg.json blobs
    m load -i "$BATS_TEST_TMPDIR/env.tar"
    [ "$(MOAT_HOST_SECRET=leaked m run --rm envimg:1)" = "secret= image=1 /etc 65534" ]
    # the user's -e NAME does take moat's value
    [ "$(MOAT_HOST_SECRET=given m run --rm -e MOAT_HOST_SECRET envimg:1)" = "secret=given image=1 /etc 65534" ]
}

@test "wait on a created container waits for it to run and end" {
    id=$(m create bb:1 sh -c 'exit 3')
    m wait "$id" > "$BATS_TEST_TMPDIR/w" &
    w=$!
    sleep 0.5
    [ ! -s "$BATS_TEST_TMPDIR/w" ]
    m start "$id" >/dev/null
    wait "$w"
    [ "$(cat "$BATS_TEST_TMPDIR/w")" = 3 ]
}

@test "run, attached: a slow reader gets every byte and the exit code" {
    # the reader stalls first, so the monitor's socket to the client fills:
    # the container must wait for it, not lose output or its exit code
    run bash -c "set -o pipefail; '$MOAT' --root '$STORE' run --rm bb:1 sh -c 'yes 0123456789abcde | head -c 8000000; exit 3' | (sleep 1; wc -c)"
    echo "$output"
    [ "$status" -eq 3 ]
    [ "$output" = 8000000 ]
    id=$(m create bb:1 sh -c 'yes 0123456789abcde | head -c 4000000; exit 5')
    run bash -c "set -o pipefail; '$MOAT' --root '$STORE' start -a $id | (sleep 1; wc -c)"
    [ "$status" -eq 5 ]
    [ "$output" = 4000000 ]
}

@test "a relative --root is the same store, wherever its paths are used" {
    cd "$BATS_TEST_TMPDIR"
    "$MOAT" --root rel import "$BATS_FILE_TMPDIR/rootfs.tgz" bb:1 >/dev/null
    [ "$("$MOAT" --root rel run --rm -v vol:/v bb:1 sh -c 'echo hi > /v/f; cat /v/f')" = hi ]
    [ "$("$MOAT" --root "$BATS_TEST_TMPDIR/rel" volume ls -q)" = vol ]
}

@test "--cap-add ALL: every capability this kernel has, no more; inspect records those" {
    local last want id
    last=$(cat /proc/sys/kernel/cap_last_cap)
    want=$(printf '%016x' $(((1 << (last + 1)) - 1)))
    run -0 m run --rm --cap-add ALL bb:1 sh -c 'grep CapEff /proc/self/status'
    [ "$output" = "CapEff:	$want" ]
    id=$(m create --cap-add all bb:1 true)
    [ "$(m inspect -f '{{json .HostConfig.CapAdd}}' "$id" | jq length)" = $((last + 1)) ]
}

@test "top: a command line that is not printable UTF-8 is shown, made printable" {
    local id
    id=$(m run -d bb:1 sleep 100)
    m exec -d "$id" sh -c 'while :; do sleep 5; done' "$(printf 'hid\377\033[2J')"
    sleep 0.3
    run -0 m top "$id"
    [[ "$output" == *'while :; do sleep 5; done hid??[2J'* ]]
    [[ "$output" != *$'\033'* ]]
}
