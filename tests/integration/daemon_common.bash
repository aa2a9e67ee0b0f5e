# daemon_common.bash: loaded by the API daemon's test files (after
# engine_common). Each file runs one `moat daemon` on its own store and
# sockets; the clients are the real ones (Debian's docker.io 20.10 CLI,
# the Docker CLI 28 where the machine has it, curl, python3-docker).

daemon_setup_file() {
    engine_setup_file
    # a directory others may pass through: tests connect as other users
    export DDIR
    DDIR=$(mktemp -d /tmp/moat-daemon.XXXXXX)
    chmod 755 "$DDIR"
    export SOCK="$DDIR/moat.sock" USOCK="$DDIR/user.sock"
    "$MOAT" daemon --root "$STORE" -H "unix://$SOCK" --user-socket "$USOCK" \
        2> "$DDIR/daemon.log" &
    echo $! > "$DDIR/pid"
    local i
    for i in $(seq 100); do
        [ -S "$SOCK" ] && [ -S "$USOCK" ] && curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null &&
            return 0
        sleep 0.1
    done
    cat "$DDIR/daemon.log" >&2
    return 1
}

daemon_teardown_file() {
    local pid
    pid=$(cat "$DDIR/pid")
    kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -rf "$DDIR"
}

# the Docker CLIs, on the admin socket
docker20() {
    DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$DDIR/cfg" /usr/bin/docker "$@"
}
docker28() {
    DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$DDIR/cfg" /usr/local/bin/docker "$@"
}
need_docker28() {
    [ -x /usr/local/bin/docker ] || skip "the Docker CLI 28 (/usr/local/bin/docker) is not on this machine"
}

# api METHOD PATH [curl args]: a request on the admin socket, as root: the
# status to STATUS, the body to BODY
api() {
    local m=$1 p=$2 out
    shift 2
    out=$(curl -s -w '\n%{http_code}' -X "$m" --unix-socket "$SOCK" "http://d$p" "$@") || true
    STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
    BODY=${BODY%$'\n'}
}

# as_user UID SOCKET METHOD PATH [curl args]: the same as uid UID, a
# member of moat-users (and not of moat), on SOCKET
as_user() {
    local uid=$1 sock=$2 m=$3 p=$4 g out
    shift 4
    g=$(getent group moat-users | cut -d: -f3)
    out=$(setpriv --reuid="$uid" --regid="$uid" --groups="$g" \
        curl -s -w '\n%{http_code}' -X "$m" --unix-socket "$sock" "http://d$p" "$@") || true
    STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
    BODY=${BODY%$'\n'}
}
