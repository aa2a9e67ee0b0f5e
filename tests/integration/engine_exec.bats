#!/usr/bin/env bats
# The engine's exec, attacked from inside the container: the moat binary
# stays out of reach (CVE-2019-5736), the caller's descriptors never reach
# the process, and exec'd processes keep the Landlock scope that matters.

load common
load engine_common

bats_require_minimum_version 1.5.0

HELPERS=${HELPERS:-$REPO/build/tests}

teardown() {
    engine_remove_all
    [ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
}

# wait_log ID TEXT: the container's output shows TEXT (up to 10 s)
wait_log() {
    local i
    for i in $(seq 100); do
        m logs "$1" 2>/dev/null | grep -q -- "$2" && return 0
        sleep 0.1
    done
    m logs "$1" >&2
    return 1
}

@test "exec into a --userns host container: /proc/self/exe as an interpreter leaves the binary read-only" {
    # the attack runs moat inside the image: a dynamic build (ASan) cannot
    # start there at all
    ! readelf -l "$MOAT" | grep -q 'program interpreter' ||
        skip "moat is dynamically linked: it cannot run inside the image"
    # a copy of moat runs this test, so that the build is never at risk
    bin="$BATS_TEST_TMPDIR/bin"
    mkdir "$bin"
    cp -p "$MOAT" "$bin/moat"
    for h in moat-fetch moat-net; do
        [ ! -e "$(dirname "$MOAT")/$h" ] || cp -p "$(dirname "$MOAT")/$h" "$bin/"
    done
    mc() { "$bin/moat" --root "$STORE" "$@"; }
    # The container's root is host root (--userns host) and Landlock is off,
    # as in the reported attack. /evil's interpreter is /proc/self/exe: run
    # by exec, it is whatever binary the exec'd process was running. It
    # blocks opening the FIFO /fifo (its --log) until the watcher, which
    # has opened its exe, tries to make that file setuid through the fd.
    id=$(mc run -d --userns host --security-opt landlock=unconfined bb:1 sh -c '
        printf "#!/proc/self/exe --log=/fifo\n" > /evil && chmod 755 /evil && mkfifo /fifo
        echo ready
        while :; do
            for p in /proc/[0-9]*; do
                case "$(tr "\0" " " < $p/cmdline 2>/dev/null)" in
                "/proc/self/exe "*)
                    exec 3< $p/exe || echo OPEN-FAILED
                    if chmod 4755 /proc/self/fd/3 2>/tmp/err; then echo CHMOD-DONE
                    else echo "CHMOD-REFUSED: $(cat /tmp/err)"; fi
                    cat /fifo > /dev/null
                    exit 0;;
                esac
            done
        done')
    wait_log "$id" ready
    run timeout 30 "$bin/moat" --root "$STORE" exec "$id" /evil
    wait_log "$id" CHMOD-
    m logs "$id"
    [[ "$(m logs "$id")" == *"CHMOD-REFUSED"*"Read-only file system"* ]]
    [ ! -u "$bin/moat" ]
}

@test "exec: the process gets pipes, never the caller's terminal or descriptors" {
    id=$(m run -d --security-opt seccomp=unconfined bb:1 sleep 100)
    # under a terminal (script(1)), without -t: stdio are moat's pipes
    run script -qec "$MOAT --root $STORE exec $id sh -c 'for f in 0 1 2; do readlink /proc/self/fd/\$f; done'" /dev/null
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *"/dev/pts"* ]]
    [[ "$output" == *"/dev/null"* ]] # no -i: stdin is empty
    [ "$(echo "$output" | grep -c 'pipe:')" -eq 2 ]
    # -i relays stdin; output and exit code come back
    run sh -c "echo hello | $MOAT --root $STORE exec -i $id sh -c 'cat; echo err >&2; exit 3'"
    [ "$status" -eq 3 ]
    [[ "$output" == *hello*err* ]]
    # -d: nothing of the caller's, not even its stdout (a subshell reads the
    # shell's own descriptors: its redirection does not touch them)
    m exec -d "$id" sh -c '(for f in 0 1 2; do readlink /proc/$$/fd/$f; done) > /tmp/fds; echo late'
    for i in $(seq 50); do m exec "$id" test -s /tmp/fds && break; sleep 0.1; done
    [ "$(m exec "$id" cat /tmp/fds | sort -u)" = /dev/null ]
    # -t: a terminal of the container's own, and TERM set
    run script -qec "$MOAT --root $STORE exec -t $id sh -c 'readlink /proc/self/fd/0; echo \$TERM'" /dev/null
    [[ "$output" == *"/dev/pts/0"* ]]
    [[ "$output" == *xterm* ]]
}

@test "exec -i: an ended stdin is no longer polled (moat idles while the process runs)" {
    id=$(m run -d bb:1 sleep 100)
    # stdin is a pipe whose writer is gone: its hang-up must not wake the
    # relay again and again for as long as the process runs
    TIMEFORMAT='%R %U %S'
    t=$( { time sh -c ': | "$0" --root "$1" exec -i "$2" sleep 3 2>/dev/null' "$MOAT" "$STORE" "$id"; } 2>&1)
    echo "real user sys: $t"
    read -r _ user sys <<<"$t"
    # a busy relay burns the whole 3 s; an idle one a few hundredths
    [ "$(echo "$user + $sys < 1.0" | bc)" = 1 ]
}

@test "exec -i: a process that writes before it reads does not stall the relay" {
    id=$(m run -d bb:1 sleep 100)
    # 1 MiB out before any of the 1 MiB in is read: both pipes fill up
    run timeout 30 sh -c "head -c 1048576 /dev/zero | $MOAT --root $STORE exec -i $id \
        sh -c 'head -c 1048576 /dev/zero; cat | wc -c >&2' | wc -c"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1048576 ] || [ "${lines[1]}" = 1048576 ]
    [ "$(echo "$output" | grep -c '^1048576$')" = 2 ]
}

@test "exec in a --network host container cannot reach the host's abstract sockets" {
    [ -x "$HELPERS/uconnect" ] || skip "no static uconnect (release build only)"
    [ "$("$MOAT" features | jq '.linux.landlock.abi // 0')" -ge 6 ] ||
        skip "Landlock scopes need ABI 6"
    name="moat-test-$$-$BATS_TEST_NUMBER"
    "$HELPERS/uconnect" listen "$name" > "$BATS_TEST_TMPDIR/l.out" &
    LISTENER=$!
    for i in $(seq 50); do grep -q listening "$BATS_TEST_TMPDIR/l.out" && break; sleep 0.1; done
    "$HELPERS/uconnect" connect "$name"
    id=$(m run -d --network host -v "$HELPERS:/h:ro" bb:1 sleep 100)
    run m exec "$id" /h/uconnect connect "$name"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"Operation not permitted"* ]]
    # in a network namespace of its own, an exec'd process still reaches
    # the container's own abstract sockets
    id2=$(m run -d -v "$HELPERS:/h:ro" bb:1 /h/uconnect listen inside)
    wait_log "$id2" listening
    run m exec "$id2" /h/uconnect connect inside
    [ "$status" -eq 0 ]
}

@test "exec into a container without a user namespace: the sealed re-exec keeps every flag" {
    # no user namespace: moat re-executes itself from a sealed view of its
    # binary (CVE-2019-5736) with the arguments it was given; the flag
    # parser must not have reordered them (it ran the command as root)
    id=$(m run -d --privileged bb:1 sleep 100)
    run m exec -u nobody -e X=1 -w /tmp "$id" sh -c 'id -u; echo $X; pwd'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | tr '\n' ' ')" = "65534 1 /tmp " ]
}

@test "exec -it: the detach keys leave the process running, its output drained" {
    local id i
    id=$(m run -d bb:1 sleep 600)
    # ctrl-p,ctrl-q by default, as Docker: exec returns; the process reads
    # its line, and after the detach writes more than a pty holds
    run -0 bash -c "{ printf 'one\n'; sleep 1; printf '\020\021'; } | $MOAT --root $STORE exec -it $id \
        sh -c 'read l; echo \"got \$l\"; sleep 2; yes out | head -c 300000; echo \$l > /tmp/done'"
    [[ "$output" == *"got one"* ]]
    [[ "$output" != *"out"* ]]
    # the drain holds the pty and nothing else of ours, without privilege
    local drain
    drain=$(pgrep -f "exec -it $id" | head -1)
    [ -n "$drain" ]
    [ "$(ls "/proc/$drain/fd" | wc -l)" -le 5 ]
    grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$drain/status"
    grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$drain/status"
    run -0 m exec "$id" ps -o args
    [[ $output == *"read l"* ]]
    for i in $(seq 100); do
        m exec "$id" test -e /tmp/done && break
        sleep 0.1
    done
    run -0 m exec "$id" cat /tmp/done
    [ "$output" = one ]
    # what drained its output ends with it
    for i in $(seq 50); do
        pgrep -f "exec -it $id" >/dev/null || break
        sleep 0.1
    done
    ! pgrep -f "exec -it $id"
    # other keys; a ctrl-x not followed by ctrl-y is input
    run -0 bash -c "{ printf 'a\030b\n'; sleep 1; printf '\030\031'; } | $MOAT --root $STORE exec -it \
        --detach-keys ctrl-x,ctrl-y $id sh -c 'stty raw -echo; head -c 4 | od -An -c; sleep 30'"
    [[ "$output" == *"a 030   b  \n"* ]]
    run -0 m exec "$id" ps -o args
    [[ $output == *"sleep 30"* ]]
    run -125 m exec --detach-keys ctrl-0 "$id" true
    [[ $output == *"invalid detach keys"* ]]
}

@test "exec -i without a terminal: every byte of a pipe reaches the process, the keys too" {
    local id
    id=$(m run -d bb:1 sleep 600)
    run -0 bash -c "printf 'head\020\021tail\n' | $MOAT --root $STORE exec -i $id sh -c 'cat > /got; echo done'"
    [ "$output" = done ]
    [ "$(m exec "$id" od -An -c /got | tr -s ' ')" = " h e a d 020 021 t a i l \n" ]
}
