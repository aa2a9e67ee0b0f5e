#!/usr/bin/env bats
# The engine's event log (engine/events.c, `moat events`) and `moat update`
# of engine containers (engine/ctr_update.c).

load common
load engine_common

bats_require_minimum_version 1.5.0

now() {
    date +%s.%N
}

# the container's cgroup file, v1 or v2 (seen from inside it): cgfile CTRL V1FILE V2FILE
cgfile() {
    if [ -d /sys/fs/cgroup/$1 ]; then echo "/sys/fs/cgroup/$1/$2"; else echo "/sys/fs/cgroup/$3"; fi
}

@test "a run, stop and rm are logged in order with Docker's attributes" {
    local t0 t1 id
    t0=$(now)
    id=$(m run -d --name ev1 --label team=a bb:1 sh -c 'trap "exit 3" TERM; sleep 100 & wait')
    sleep 0.3
    m stop -t 5 ev1
    m rm ev1
    t1=$(now)
    run -0 m events --since "$t0" --until "$t1" --filter container=ev1 --format '{{.Action}}'
    [ "$(echo "$output" | tr '\n' ' ')" = "create start kill die stop destroy " ]
    # the JSON of a real client: Docker's message
    run -0 m events --since "$t0" --until "$t1" --filter event=die --format json
    [ "${#lines[@]}" -eq 1 ]
    jq -e --arg id "$id" '.Type == "container" and .Action == "die" and .status == "die" and
        .id == $id and .from == "bb:1" and .Actor.ID == $id and .scope == "local" and
        .Actor.Attributes == {"exitCode": "3", "image": "bb:1", "name": "ev1", "team": "a"} and
        (.time | type) == "number" and (.timeNano / 1000000000 | floor) == .time' <<< "$output"
    run -0 m events --since "$t0" --until "$t1" --filter event=kill --format '{{.Actor.Attributes.signal}}'
    [ "$output" = 15 ]
    # the default text line
    run -0 m events --since "$t0" --until "$t1" --filter event=create
    [[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\ container\ create\ $id\ \(image=bb:1,\ name=ev1,\ team=a\)$ ]]
}

@test "pause, unpause, rename, exec, restart and health_status are logged" {
    local t0 id i
    t0=$(now)
    id=$(m run -d --name evp --health-cmd true --health-interval 1s bb:1 sleep 100)
    m pause evp
    m unpause evp
    m rename evp evp2
    m exec evp2 true
    m restart -t 0 evp2 > /dev/null
    for i in $(seq 50); do
        m events --since "$t0" --until 0s --filter event=health_status | grep -q . && break
        sleep 0.2
    done
    run -0 m events --since "$t0" --until 0s --filter container="$id" \
        --format '{{.Action}}|{{.Actor.Attributes.name}}|{{.Actor.Attributes.oldName}}'
    echo "$output"
    [[ "$output" == *"pause|evp|"*"unpause|evp|"*"rename|evp2|/evp"*"exec_create: true|evp2|"*"exec_start: true|evp2|"*"exec_die|evp2|"*"restart|evp2|"* ]]
    [[ "$output" == *"health_status: healthy|evp2|"* ]]
    # the health checks' execs are logged too, as Docker's
    run -0 m events --since "$t0" --until 0s --filter event=exec_die --format '{{.Actor.Attributes.exitCode}}'
    [ "${lines[0]}" = 0 ]
}

@test "--since and --until take Unix times, RFC 3339 and durations" {
    local t0 t1
    t0=$(now)
    m volume create evvol1 > /dev/null
    t1=$(now)
    sleep 1.1
    m volume create evvol2 > /dev/null
    run -0 m events --since "$t0" --until "$t1" --format '{{.Actor.ID}}'
    [ "$output" = evvol1 ]
    run -0 m events --since "$t1" --until 0s --filter type=volume --format '{{.Actor.ID}}'
    [ "$output" = evvol2 ]
    run -0 m events --since "$(date -u -d "@${t0%.*}" +%Y-%m-%dT%H:%M:%SZ)" --until 0s \
        --filter type=volume --format '{{.Actor.ID}}'
    [ "$(echo "$output" | tr '\n' ' ')" = "evvol1 evvol2 " ]
    run -0 m events --since 1m --until 0s --filter type=volume --format '{{.Actor.ID}}'
    [ "$(echo "$output" | tr '\n' ' ')" = "evvol1 evvol2 " ]
    # an until an hour ago: none of them
    run -0 m events --since 0 --until 1h --filter type=volume
    [ -z "$output" ]
    run -125 m events --since yesterday --until 0s
    [[ "$output" == *"failed to parse"* ]]
    run -125 m events --since 0 --until 0s --filter colour=red
    [[ "$output" == *"invalid filter 'colour'"* ]]
    run -125 m events --since 0 --until 0s --format '{{.Nope'
    run -125 m events --since 0s --until 1h
    [[ "$output" == *"--since must not be after --until"* ]]
    m volume rm evvol1 evvol2 > /dev/null
}

@test "--filter: type, event, image, label, container and volume; one key's values are alternatives" {
    local t0 t1 id
    t0=$(now)
    id=$(m create --name evf1 --label tier=web bb:1 true)
    m create --name evf2 bb:1 true > /dev/null
    m tag bb:1 evimg:2
    m rmi evimg:2 > /dev/null
    m volume create evfvol > /dev/null
    m volume rm evfvol > /dev/null
    t1=$(now)
    q() { m events --since "$t0" --until "$t1" "$@"; }
    run -0 q --filter type=image --format '{{.Action}} {{.Actor.Attributes.name}}'
    [ "${#lines[@]}" -eq 2 ]
    [ "${lines[0]}" = "tag evimg:2" ]
    [[ "${lines[1]}" == "untag sha256:"* ]]
    run -0 q --filter type=volume --format '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}'
    [ "$(echo "$output" | tr '\n' ',')" = "create evfvol local,destroy evfvol local," ]
    run -0 q --filter volume=evfvol --filter event=destroy --format '{{.Type}}'
    [ "$output" = volume ]
    run -0 q --filter label=tier=web --format '{{.Actor.Attributes.name}}'
    [ "$output" = evf1 ]
    run -0 q --filter label=tier --filter type=container --format '{{.Actor.Attributes.name}}'
    [ "$output" = evf1 ]
    run -0 q --filter container="${id:0:12}" --format '{{.Actor.Attributes.name}}'
    [ "$output" = evf1 ]
    run -0 q --filter container=evf1 --filter container=evf2 --format '{{.Actor.Attributes.name}}'
    [ "$(echo "$output" | tr '\n' ' ')" = "evf1 evf2 " ]
    run -0 q --filter image=bb:1 --filter event=create --format '{{.Actor.Attributes.name}}'
    [ "$(echo "$output" | tr '\n' ' ')" = "evf1 evf2 " ]
    run -0 q --filter image=bb --filter event=create --format '{{.Actor.Attributes.name}}'
    [ "${#lines[@]}" -eq 2 ]
    run -0 q --filter event=create --filter type=image
    [ -z "$output" ]
}

@test "without --until it follows: a new event is seen, and it ends when --until passes" {
    local out="$BATS_TEST_TMPDIR/out" t0 until pid
    # to the nanosecond: a create of an earlier test in the same second is not "since"
    t0=$(date +%s.%N)
    until=$((${t0%.*} + 6))
    "$MOAT" --root "$STORE" events --since "$t0" --until "$until" --filter event=create \
        --format '{{.Actor.Attributes.name}}' > "$out" &
    pid=$!
    sleep 1
    m create --name evfollow bb:1 true > /dev/null
    wait "$pid"
    run cat "$out"
    [ "$output" = evfollow ]
    [ "$(date +%s)" -ge "$until" ]
    # no since and no until: only what comes, until Ctrl-C (status 0)
    "$MOAT" --root "$STORE" events --format '{{.Action}}' > "$out" &
    pid=$!
    sleep 0.5
    m rm evfollow > /dev/null
    sleep 0.5
    kill -INT "$pid"
    wait "$pid"
    [ "$(cat "$out")" = destroy ]
}

@test "a damaged line of the log is skipped" {
    local t0
    t0=$(now)
    {
        echo '{"Type":"container","Action":'
        echo 'not json at all'
        echo '{"Type":1,"Action":"x"}'
        echo '{"Type":"container","Action":"start","Actor":{"ID":"x","Attributes":{"a":1}},"time":1,"timeNano":1}'
        printf '\0\1\2\n'
        head -c 100000 /dev/zero | tr '\0' 'x'
        echo
    } >> "$STORE/events.log"
    m volume create evdamaged > /dev/null
    run -0 m events --since "$t0" --until 0s --format '{{.Action}} {{.Actor.ID}}'
    [ "$output" = "create evdamaged" ]
    run -0 m events --since 0 --until 0s
    m volume rm evdamaged > /dev/null
}

@test "the log stays bounded and keeps the newest events" {
    local line i total
    line=$(printf '{"Type":"volume","Action":"create","Actor":{"ID":"filler%0200d","Attributes":{}},"scope":"local","time":1000,"timeNano":1000000000000}' 0)
    m volume create evfirst > /dev/null
    for i in $(seq 12); do
        # about 200 KiB of old events a round, then a real one
        yes "$line" | head -n 800 >> "$STORE/events.log"
        m volume create "evbound$i" > /dev/null
    done
    # (events.log is made again by the next event after a rotation)
    total=$(cat "$STORE/events.log" "$STORE/events.log.1" 2> /dev/null | wc -c)
    echo "total $total"
    [ "$total" -lt $((1500 * 1024)) ]
    [ -f "$STORE/events.log.1" ]
    [ "$(stat -c %s "$STORE/events.log.1")" -lt $((800 * 1024)) ]
    run -0 m events --since 1000 --until 0s --filter type=volume --filter event=create --format '{{.Actor.ID}}'
    [[ "$output" == *evbound12* ]]
    [[ "$output" != *evfirst* ]]
    for i in $(seq 12); do m volume rm "evbound$i" > /dev/null; done
    m volume rm evfirst > /dev/null
}

@test "update changes a running container's memory limit in its cgroup and its record" {
    local f t0
    f=$(cgfile memory memory.limit_in_bytes memory.max)
    m run -d --name evu bb:1 sleep 100 > /dev/null
    t0=$(now)
    run -0 m update -m 96m --pids-limit 77 --restart on-failure:3 evu
    [ "$output" = evu ]
    run -0 m exec evu cat "$f"
    [ "$output" = 100663296 ]
    run -0 m exec evu cat /sys/fs/cgroup/pids/pids.max
    [ "$output" = 77 ] || [ ! -d /sys/fs/cgroup/pids ]
    run -0 m inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' evu
    [ "$output" = "100663296 77 on-failure 3" ]
    run -0 m events --since "$t0" --until 0s --filter event=update --format '{{.Action}} {{.Actor.Attributes.name}}'
    [ "$output" = "update evu" ]
    # the next start uses it
    m stop -t 0 evu > /dev/null
    m update -m 80m evu > /dev/null
    m start evu > /dev/null
    run -0 m exec evu cat "$f"
    [ "$output" = 83886080 ]
    # -m max: no limit, and a container without one can be updated
    run -0 m update -m max evu
    run -0 m inspect -f '{{.HostConfig.Memory}}' evu
    [ "$output" = -1 ]
    run -0 m exec evu cat "$f"
    [ "$output" -gt 1000000000000 ] || [ "$output" = max ]
    run -0 m update --pids-limit 50 evu
    run -0 m update -m 64m evu
    run -0 m exec evu cat "$f"
    [ "$output" = 67108864 ]
}

@test "update refuses bad values with 125 and changes nothing" {
    local f
    f=$(cgfile memory memory.limit_in_bytes memory.max)
    m run -d --name evb -m 64m bb:1 sleep 100 > /dev/null
    run -125 m update -m 1k evb
    [[ "$output" == *"minimum is 6MB"* ]]
    run -125 m update --memory-swap 10m evb
    run -125 m update -m 128m --memory-reservation 200m evb
    run -125 m update --pids-limit 0 evb
    # past the kernel's limit: refused before any limit is written
    run -125 m update -m 100m --pids-limit 99999999999 evb
    run -0 m exec evb cat "$(cgfile memory memory.limit_in_bytes memory.max)"
    [ "$output" = 67108864 ]
    run -125 m update --cpus 0.5 --cpu-quota 20000 evb
    run -125 m update --cpu-period 10 evb
    run -125 m update --blkio-weight 5 evb
    run -125 m update --restart sometimes evb
    run -125 m update -m lots evb
    run -125 m update evb
    run -125 m update --no-such-flag 1 evb
    run -0 m inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}' evb
    [ "$output" = "67108864 0 1024 0 no" ]
    run -0 m exec evb cat "$f"
    [ "$output" = 67108864 ]
    # --rm containers keep their restart policy
    m run -d --rm --name evrm bb:1 sleep 100 > /dev/null
    run -125 m update --restart always evrm
    [[ "$output" == *AutoRemove* ]]
    run -1 m update -m 64m no-such-container
}
