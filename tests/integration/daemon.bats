#!/usr/bin/env bats
# The API daemon: its sockets, who may use them, the Engine API's
# framing, and the Docker CLIs driving it.

load common
load engine_common
load daemon_common

bats_require_minimum_version 1.5.0

setup_file() {
    daemon_setup_file
}

teardown_file() {
    daemon_teardown_file
}

@test "daemon: sockets are root:moat and root:moat-users 0660; the front runs as moat-api" {
    [ "$(stat -c '%U:%G %a' "$SOCK")" = "root:moat 660" ]
    [ "$(stat -c '%U:%G %a' "$USOCK")" = "root:moat-users 660" ]
    local front
    front=$(pgrep -f "moat-api --ctl" -P "$(cat "$DDIR/pid")")
    [ "$(ps -o user= -p "$front")" = "moat-api" ]
    grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$front/status"
    grep -q '^Seccomp:[[:space:]]*2' "/proc/$front/status"
    grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$front/status"
}

@test "daemon: _ping and version as Docker's clients read them" {
    run curl -sI --unix-socket "$SOCK" http://d/_ping
    [[ "$output" == *"Api-Version: 1.44"* ]]
    [[ "$output" == *"Ostype: linux"* ]]
    run docker20 version --format '{{.Server.APIVersion}} {{.Client.APIVersion}}'
    [ "$status" -eq 0 ]
    [ "$output" = "1.44 1.41" ]
}

@test "daemon: versions outside 1.24-1.44 and unknown paths are Docker's errors" {
    api GET /v1.45/version
    [ "$STATUS" = 400 ]
    [[ "$BODY" == *"client version 1.45 is too new. Maximum supported API version is 1.44"* ]]
    api GET /v1.12/version
    [ "$STATUS" = 400 ]
    [[ "$BODY" == *"is too old"* ]]
    api GET /v1.41/nothing/here
    [ "$STATUS" = 404 ]
    api POST /v1.41/containers/json
    [ "$STATUS" = 404 ]
    api GET '/v1.41/containers/json?all=1&all=0'
    [ "$STATUS" = 400 ]
    [ "$(jq -r .message <<< "$BODY")" = 'query parameter "all" is given more than once' ]
    api GET '/v1.41/containers/json?all=maybe'
    [ "$STATUS" = 400 ]
    api GET '/v1.41/containers/json?filters=%7B%22label%22%3A5%7D'
    [ "$STATUS" = 400 ]
}

@test "daemon: a body over 1 MiB is refused, not cut; a body where none belongs too" {
    head -c 1100000 /dev/zero | tr '\0' ' ' > "$DDIR/big"
    api POST /v1.41/networks/create --data-binary "@$DDIR/big" -H 'Content-Type: application/json'
    [ "$STATUS" = 413 ]
    api POST /v1.41/containers/x/stop -d '{}'
    [ "$STATUS" = 400 ]
    [[ "$BODY" == *"takes no request body"* ]]
}

@test "daemon: the CLI's containers are the API's (one store)" {
    m run -d --name clidemo bb:1 sh -c 'echo out; echo err >&2; sleep 60'
    run docker20 ps --format '{{.Names}} {{.Status}}'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == "clidemo Up "* ]]
    run docker20 logs clidemo
    [ "$status" -eq 0 ]
    [[ "$output" == *out* ]]
    [[ "$output" == *err* ]]
    run docker20 inspect -f '{{.State.Running}} {{.Name}}' clidemo
    [ "$output" = "true /clidemo" ]
    run docker20 stop -t 1 clidemo
    [ "$status" -eq 0 ]
    [ "$(m inspect -f '{{.State.Running}}' clidemo)" = false ]
    run docker20 rm clidemo
    [ "$status" -eq 0 ]
    run m inspect clidemo
    [ "$status" -ne 0 ]
}

@test "daemon: images as the CLIs list and inspect them" {
    run docker20 images --format '{{.Repository}}:{{.Tag}}'
    [[ "$output" == *"bb:1"* ]]
    api GET /v1.41/images/bb:1/json
    [ "$STATUS" = 200 ]
    [ "$(jq -r '.ContainerConfig | type' <<< "$BODY")" = object ]
    api GET /v1.41/images/nosuch:1/json
    [ "$STATUS" = 404 ]
}

@test "daemon: a user in neither group cannot connect; one in moat-users only to its socket" {
    run setpriv --reuid=1501 --regid=1501 --clear-groups curl -s --unix-socket "$SOCK" http://d/_ping
    [ "$status" -ne 0 ]
    run setpriv --reuid=1501 --regid=1501 --clear-groups curl -s --unix-socket "$USOCK" http://d/_ping
    [ "$status" -ne 0 ]
    as_user 1501 "$SOCK" GET /_ping
    [ "$STATUS" = 000 ]
    as_user 1501 "$USOCK" GET /_ping
    [ "$STATUS" = 200 ]
}

@test "daemon: a moat-users member sees none of an admin's containers" {
    m run -d --name admins bb:1 sleep 60
    local id
    id=$(m inspect -f '{{.Id}}' admins)
    as_user 1501 "$USOCK" GET '/v1.41/containers/json?all=1'
    echo "$STATUS $BODY"
    [ "$STATUS" = 200 ]
    [ "$BODY" = "[]" ]
    for what in admins "$id" "${id:0:12}" "${id:0:3}"; do
        as_user 1501 "$USOCK" GET "/v1.41/containers/$what/json"
        [ "$STATUS" = 404 ]
        [ "$(jq -r .message <<< "$BODY")" = "No such container: $what" ]
        as_user 1501 "$USOCK" POST "/v1.41/containers/$what/kill"
        [ "$STATUS" = 404 ]
        as_user 1501 "$USOCK" DELETE "/v1.41/containers/$what?force=1"
        [ "$STATUS" = 404 ]
        as_user 1501 "$USOCK" GET "/v1.41/containers/$what/logs?stdout=1"
        [ "$STATUS" = 404 ]
    done
    as_user 1501 "$USOCK" GET '/v1.41/info'
    [ "$(jq .Containers <<< "$BODY")" = 0 ]
    [ "$(m inspect -f '{{.State.Running}}' admins)" = true ]
    api GET '/v1.41/containers/json'
    [ "$(jq -r '.[0].Names[0]' <<< "$BODY")" = /admins ]
}

@test "daemon: docker run -d, ps, logs, stop, rm (CLI 20.10)" {
    run docker20 run -d --name d20 --network none bb:1 sh -c 'echo hello; sleep 60'
    [ "$status" -eq 0 ]
    [ "$(m inspect -f '{{.State.Running}}' d20)" = true ]
    run docker20 logs d20
    [ "$output" = hello ]
    run docker20 ps --format '{{.Names}}'
    [[ "$output" == *d20* ]]
    run docker20 rm -f d20
    [ "$status" -eq 0 ]
    run m inspect d20
    [ "$status" -ne 0 ]
}

@test "daemon: create with a missing image is Docker's 404; bad fields are 400 naming them" {
    api POST '/v1.41/containers/create' -H 'Content-Type: application/json' -d '{"Image":"nosuch:9"}'
    [ "$STATUS" = 404 ]
    [[ "$(jq -r .message <<< "$BODY")" == *"No such image"* ]]
    api POST '/v1.41/containers/create' -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","HostConfig":{"Memory":"lots"}}'
    [ "$STATUS" = 400 ]
    [[ "$(jq -r .message <<< "$BODY")" == *"HostConfig.Memory"* ]]
    [ -z "$(m ps -aq)" ]
}

@test "daemon: moat-users members create only safe containers, and only see their own" {
    local g refused
    for refused in '"Privileged":true' '"Binds":["/:/host"]' '"NetworkMode":"host"' \
        '"PidMode":"host"' '"UsernsMode":"host"' '"CapAdd":["SYS_ADMIN"]' \
        '"Devices":[{"PathOnHost":"/dev/sda","PathInContainer":"/dev/sda","CgroupPermissions":"rwm"}]' \
        '"SecurityOpt":["seccomp=unconfined"]' '"SecurityOpt":["apparmor=unconfined"]' \
        '"Mounts":[{"Type":"bind","Source":"/etc","Target":"/x"}]'; do
        as_user 1501 "$USOCK" POST /v1.41/containers/create -H 'Content-Type: application/json' \
            -d "{\"Image\":\"bb:1\",\"HostConfig\":{$refused}}"
        echo "$refused: $STATUS $BODY"
        [ "$STATUS" = 403 ]
    done
    [ -z "$(m ps -aq)" ]
    as_user 1501 "$USOCK" POST '/v1.41/containers/create?name=mine' -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","Cmd":["sleep","60"],"HostConfig":{"NetworkMode":"none","Binds":["vol1501:/data"]}}'
    echo "$STATUS $BODY"
    [ "$STATUS" = 201 ]
    as_user 1501 "$USOCK" POST /v1.41/containers/mine/start
    [ "$STATUS" = 204 ]
    as_user 1501 "$USOCK" GET '/v1.41/containers/json'
    [ "$(jq -r '.[].Names[0]' <<< "$BODY")" = /mine ]
    # another member sees nothing of it, the admin sees it
    as_user 1502 "$USOCK" GET '/v1.41/containers/json?all=1'
    [ "$BODY" = "[]" ]
    as_user 1502 "$USOCK" POST /v1.41/containers/create -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","HostConfig":{"Binds":["vol1501:/steal"]}}'
    [ "$STATUS" = 403 ]
    as_user 1502 "$USOCK" POST /v1.41/containers/create -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","HostConfig":{"VolumesFrom":["mine"]}}'
    [ "$STATUS" = 403 ]
    as_user 1502 "$USOCK" POST /v1.41/containers/create -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","HostConfig":{"NetworkMode":"container:mine"}}'
    [ "$STATUS" = 403 ]
    [ "$(m ps -q | wc -l)" = 1 ]
    api GET '/v1.41/containers/mine/json'
    [ "$STATUS" = 200 ]
    as_user 1501 "$USOCK" DELETE '/v1.41/containers/mine?force=1'
    [ "$STATUS" = 204 ]
    [ -z "$(m ps -aq)" ]
}

@test "daemon: docker run --rm streams stdout and stderr apart, stdin, the exit code (CLI 20.10)" {
    run --separate-stderr docker20 run --rm --network none bb:1 sh -c 'echo out; echo err >&2; exit 3'
    [ "$status" -eq 3 ]
    [ "$output" = out ]
    [ "$stderr" = err ]
    run bash -c "printf 'line1\nline2\n' | DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$DDIR/cfg /usr/bin/docker run -i --rm --network none bb:1 sh -c 'cat; echo done'"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'line1\nline2\ndone')" ]
    run docker20 run --rm --network none -t bb:1 sh -c 'test -t 1 && echo tty'
    [ "$status" -eq 0 ]
    [[ "$output" == tty* ]]
    [ -z "$(m ps -aq)" ]
}

@test "daemon: docker run --rm with the first line of a fast command, 5 times (CLI 20.10)" {
    local i
    for i in 1 2 3 4 5; do
        run docker20 run --rm --network none bb:1 echo "first $i"
        [ "$status" -eq 0 ]
        [ "$output" = "first $i" ]
    done
}

@test "daemon: the Docker CLI 28 runs, attaches and waits" {
    need_docker28
    run --separate-stderr docker28 run --rm --network none bb:1 sh -c 'echo out28; echo err28 >&2; exit 5'
    [ "$status" -eq 5 ]
    [ "$output" = out28 ]
    [ "$stderr" = err28 ]
    run docker28 run -d --name d28 --network none bb:1 sleep 60
    [ "$status" -eq 0 ]
    run docker28 ps --format '{{.Names}} {{.State}}'
    [ "$output" = "d28 running" ]
    run docker28 rm -f d28
    [ "$status" -eq 0 ]
}

@test "daemon: attach with logs=1 sends the log so far; StdinOnce false keeps stdin open for the next attach" {
    docker20 run -d -i --name so --network none bb:1 sh -c 'echo early; while read l; do echo "got $l"; done; echo stdin-ended; sleep 60'
    [ "$(docker20 inspect -f '{{.Config.OpenStdin}} {{.Config.StdinOnce}}' so)" = "true false" ]
    run python3 - "$SOCK" <<'PY'
import docker, socket, sys, time
c = docker.APIClient(base_url='unix://' + sys.argv[1])
for _ in range(100):
    if b'early' in c.logs('so'):
        break
    time.sleep(0.1)
# logs=1, stream=0: what it wrote so far, then the end. Read raw: a
# client's HTTP reader may buffer the frames that follow the 101 at once
# (python3-docker's attach then loses them, whoever the daemon)
r = socket.socket(socket.AF_UNIX)
r.connect(sys.argv[1])
r.sendall(b'POST /v1.41/containers/so/attach?logs=1&stream=0&stdout=1&stderr=1 HTTP/1.1\r\n'
          b'Host: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n')
r.settimeout(30)
raw = b''
while True:
    b = r.recv(4096)
    if not b:
        break
    raw += b
body = raw.split(b'\r\n\r\n', 1)[-1]
out = b''
while len(body) >= 8:
    n = int.from_bytes(body[4:8], 'big')
    out += body[8:8 + n]
    body = body[8 + n:]
print('logs', out.decode().strip())
def send(line):
    s = c.attach_socket('so', params={'stdin': 1, 'stdout': 1, 'stream': 1})._sock
    s.sendall(line)
    s.shutdown(socket.SHUT_WR)  # a client's end of its input
    s.settimeout(30)
    got = b''
    while b'got' not in got:
        b = s.recv(4096)
        if not b:
            break
        got += b
    s.close()
send(b'one\n')
send(b'two\n')
for _ in range(100):
    if b'got two' in c.logs('so'):
        break
    time.sleep(0.1)
print('after', c.logs('so').decode().replace('\n', '|'))
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"logs early"* ]]
    # the first client's half-close did not end the container's stdin
    [[ "$output" == *"after early|got one|got two|"* ]]
    [[ "$output" != *stdin-ended* ]]
    [ "$(docker20 inspect -f '{{.State.Running}}' so)" = true ]
}

@test "daemon: a moat-users member cannot attach to another's container" {
    m run -d --name target --network none bb:1 sleep 60
    as_user 1501 "$USOCK" POST '/v1.41/containers/target/attach?stream=1&stdout=1' \
        -H 'Connection: Upgrade' -H 'Upgrade: tcp'
    [ "$STATUS" = 404 ]
}

@test "daemon: docker exec: stdout and stderr apart, stdin, a tty, exit codes; python3-docker's exec_run" {
    docker20 run -d --name ex --network none bb:1 sleep 60
    run --separate-stderr docker20 exec ex sh -c 'echo out; echo err >&2; exit 4'
    [ "$status" -eq 4 ]
    [ "$output" = out ]
    [ "$stderr" = err ]
    run bash -c "echo piped | DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$DDIR/cfg /usr/bin/docker exec -i ex cat"
    [ "$output" = piped ]
    run docker20 exec -t ex sh -c 'test -t 0 && echo tty'
    [[ "$output" == tty* ]]
    run docker20 exec -u 1000 -w /tmp -e A=b ex sh -c 'id -u; pwd; echo $A'
    [ "$output" = "$(printf '1000\n/tmp\nb')" ]
    run -127 docker20 exec ex nosuchcommand
    run python3 -c "
import docker
c = docker.DockerClient(base_url='unix://$SOCK')
r = c.containers.get('ex').exec_run(['sh', '-c', 'echo py; exit 2'])
print(r.exit_code, r.output.decode().strip())"
    [ "$output" = "2 py" ]
    api POST /v1.41/containers/ex/exec -H 'Content-Type: application/json' \
        -d '{"Cmd":["true"],"Privileged":true}'
    [ "$STATUS" = 400 ]
    [[ "$BODY" == *Privileged* ]]
}

@test "daemon: an exec's terminal takes ConsoleSize at start and each resize after" {
    docker20 run -d --name exr --network none bb:1 sleep 60
    run python3 - "$SOCK" <<'PY'
import docker, json, socket, sys
sock = sys.argv[1]
c = docker.APIClient(base_url='unix://' + sock)
def read_until(s, want):
    got = b''
    s.settimeout(30)
    while want not in got:
        b = s.recv(4096)
        if not b:
            break
        got += b
    return got.decode(errors='replace')
# ConsoleSize in the start body: the first size, before the process runs
e = c.exec_create('exr', ['stty', 'size'], tty=True)['Id']
body = json.dumps({'Tty': True, 'ConsoleSize': [21, 77]})
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
s.sendall(('POST /v1.44/exec/%s/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\n'
           'Upgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s'
           % (e, len(body), body)).encode())
print('start', read_until(s, b'21 77').split('\r\n\r\n', 1)[-1].strip())
s.close()
# a resize while it runs: the process sees SIGWINCH and the new size
e = c.exec_create('exr', ['sh', '-c', 'trap "stty size; exit 0" WINCH; echo ready; '
                          'while :; do sleep 0.1; done'], tty=True)['Id']
s = c.exec_start(e, tty=True, socket=True)._sock
read_until(s, b'ready')
c.exec_resize(e, height=33, width=101)
print('resize', read_until(s, b'33 101').strip().splitlines()[-1])
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"start 21 77"* ]]
    [[ "$output" == *"resize 33 101"* ]]
    # no terminal, or not running: refused, and the socket is gone
    api POST /v1.41/containers/exr/exec -H 'Content-Type: application/json' -d '{"Cmd":["true"]}'
    local eid
    eid=$(jq -r .Id <<< "$BODY")
    api POST "/v1.41/exec/$eid/resize?h=10&w=10"
    [ "$STATUS" = 400 ]
    [ -z "$(ls "$STORE/execs/" | grep '\.sock$')" ]
}

@test "daemon: a moat-users member cannot exec in, or see the execs of, another's container" {
    m run -d --name victim --network none bb:1 sleep 60
    as_user 1501 "$USOCK" POST /v1.41/containers/victim/exec -H 'Content-Type: application/json' \
        -d '{"Cmd":["cat","/etc/shadow"],"AttachStdout":true}'
    [ "$STATUS" = 404 ]
    api POST /v1.41/containers/victim/exec -H 'Content-Type: application/json' -d '{"Cmd":["true"]}'
    [ "$STATUS" = 201 ]
    local eid
    eid=$(jq -r .Id <<< "$BODY")
    as_user 1501 "$USOCK" GET "/v1.41/exec/$eid/json"
    [ "$STATUS" = 404 ]
    as_user 1501 "$USOCK" POST "/v1.41/exec/$eid/start" -H 'Content-Type: application/json' \
        -d '{"Detach":true}'
    [ "$STATUS" = 404 ]
    api GET "/v1.41/exec/$eid/json"
    [ "$STATUS" = 200 ]
    [ "$(jq -r .Running <<< "$BODY")" = false ]
}

@test "daemon: top, stats, diff, pause, rename, update (CLI 20.10)" {
    docker20 run -d --name ops --network none bb:1 sh -c 'touch /newfile; sleep 60'
    run docker20 top ops
    [[ "$output" == *"sleep 60"* ]]
    run docker20 stats --no-stream --format '{{.Name}} {{.PIDs}}' ops
    [ "$output" = "ops 2" ] || [ "$output" = "ops 1" ]
    wait_for ops '{{.State.Running}}' true
    run docker20 diff ops
    [[ "$output" == *"A /newfile"* ]]
    docker20 pause ops
    [ "$(m inspect -f '{{.State.Paused}}' ops)" = true ]
    docker20 unpause ops
    docker20 rename ops ops2
    [ "$(m inspect -f '{{.Name}}' ops2)" = /ops2 ]
    docker20 update --memory 64m --restart on-failure:3 ops2
    [ "$(m inspect -f '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}' ops2)" = "67108864 on-failure" ]
}

@test "daemon: a moat-users member's prune removes only its own stopped containers" {
    m create --name adminstopped --network none bb:1 true
    as_user 1501 "$USOCK" POST '/v1.41/containers/create?name=u1' -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}'
    echo "$STATUS $BODY"
    [ "$STATUS" = 201 ]
    as_user 1502 "$USOCK" POST '/v1.41/containers/create?name=u2' -H 'Content-Type: application/json' \
        -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}'
    as_user 1501 "$USOCK" POST /v1.41/containers/prune
    [ "$STATUS" = 200 ]
    [ "$(jq '.ContainersDeleted | length' <<< "$BODY")" = 1 ]
    run m ps -a --format '{{.Names}}'
    [[ "$output" == *adminstopped* ]]
    [[ "$output" == *u2* ]]
    [[ "$output" != *u1* ]]
}

@test "daemon: containers outlive the daemon; a new daemon serves them; sockets go with it" {
    docker20 run -d --name survivor --network none bb:1 sleep 60
    local pid
    pid=$(cat "$DDIR/pid")
    kill "$pid"
    local i
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null
    [ ! -e "$SOCK" ]
    [ ! -e "$USOCK" ]
    ! pgrep -f "moat-api --ctl" -P "$pid"
    [ "$(m inspect -f '{{.State.Running}}' survivor)" = true ]
    "$MOAT" daemon --root "$STORE" -H "unix://$SOCK" --user-socket "$USOCK" 2>> "$DDIR/daemon.log" &
    echo $! > "$DDIR/pid"
    for i in $(seq 100); do curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null && break; sleep 0.1; done
    run docker20 ps --format '{{.Names}}'
    [ "$output" = survivor ]
    run docker20 exec survivor echo still
    [ "$output" = still ]
}

@test "daemon: python3-docker runs a container, reads its logs, lists it" {
    run python3 -c "
import docker
c = docker.DockerClient(base_url='unix://$SOCK')
print(c.containers.run('bb:1', ['sh', '-c', 'echo from python'], network_mode='none', remove=True).decode().strip())
ct = c.containers.run('bb:1', ['sh', '-c', 'echo bg; sleep 60'], network_mode='none', detach=True, name='pyc')
ct.reload()
print(ct.status, [x.name for x in c.containers.list()])
import time
for i in range(50):
    if b'bg' in ct.logs(): break
    time.sleep(0.1)
print(ct.logs().decode().strip())
ct.remove(force=True)
print(len(c.containers.list(all=True)))"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf "from python\nrunning ['pyc']\nbg\n0")" ]
}

@test "daemon: docker cp both ways, inside the container's root only (CLI 20.10)" {
    docker20 run -d --name cpc --network none bb:1 sh -c 'echo incontainer > /f; mkdir /dir; ln -s /etc/hostname /dir/out; sleep 60'
    wait_for cpc '{{.State.Running}}' true
    sleep 0.3
    docker20 cp cpc:/f "$DDIR/f.out"
    [ "$(cat "$DDIR/f.out")" = incontainer ]
    echo fromhost > "$DDIR/h.txt"
    docker20 cp "$DDIR/h.txt" cpc:/dir/
    [ "$(docker20 exec cpc cat /dir/h.txt)" = fromhost ]
    # a link inside is copied as a link, never followed to the host's file
    docker20 cp cpc:/dir/out "$DDIR/l.out"
    [ -L "$DDIR/l.out" ]
    run docker20 cp cpc:/nosuch "$DDIR/x"
    [ "$status" -ne 0 ]
    api GET '/v1.41/containers/cpc/archive?path=/f'
    [ "$STATUS" = 200 ]
    as_user 1501 "$USOCK" GET '/v1.41/containers/cpc/archive?path=/f'
    [ "$STATUS" = 404 ]
    as_user 1501 "$USOCK" PUT '/v1.41/containers/cpc/archive?path=/' --data-binary "@$DDIR/f.out"
    [ "$STATUS" = 404 ]
}

@test "daemon: system df counts a restricted caller's containers only" {
    m create --name dfadmin --network none bb:1 true
    run docker20 system df --format '{{.Type}} {{.TotalCount}}'
    [[ "$output" == *"Containers 1"* ]]
    as_user 1501 "$USOCK" GET /v1.41/system/df
    [ "$STATUS" = 200 ]
    [ "$(jq '.Containers | length' <<< "$BODY")" = 0 ]
}
