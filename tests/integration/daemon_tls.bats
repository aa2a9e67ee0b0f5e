#!/usr/bin/env bats
# The API daemon over TCP: mutual TLS only, the certificate's CN is the
# caller (an admin by --tls-admin-cn, else scoped to its own objects), no
# browser requests.

load common
load engine_common

bats_require_minimum_version 1.5.0

# a CA, the daemon's certificate, and clients: admin, alice, and mallory
# (whose certificate another CA signed)
make_certs() {
    local d=$1 who
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca
    openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=other-ca
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
        -days 2 -extfile server.ext
    printf 'extendedKeyUsage=clientAuth\n' > client.ext
    for who in admin alice mallory; do
        local ca=ca
        [ "$who" = mallory ] && ca=other
        openssl req -newkey rsa:2048 -nodes -keyout "$who.key" -out "$who.csr" -subj "/CN=$who"
        openssl x509 -req -in "$who.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
            -out "$who.pem" -days 2 -extfile client.ext
        mkdir "c-$who"
        cp ca.pem "c-$who/ca.pem"
        cp "$who.pem" "c-$who/cert.pem"
        cp "$who.key" "c-$who/key.pem"
    done
    cd - >/dev/null
}

setup_file() {
    engine_setup_file
    export TDIR
    TDIR=$(mktemp -d /tmp/moat-tls.XXXXXX)
    make_certs "$TDIR" > /dev/null 2>&1
    local i
    for i in $(seq 20); do
        export PORT=$((20000 + RANDOM % 20000))
        "$MOAT" daemon --root "$STORE" -H "unix://$TDIR/moat.sock" --user-socket "" \
            -H "tcp://127.0.0.1:$PORT" --tlsverify --tlscacert "$TDIR/ca.pem" \
            --tlscert "$TDIR/server.pem" --tlskey "$TDIR/server.key" --tls-admin-cn admin \
            2> "$TDIR/daemon.log" &
        echo $! > "$TDIR/pid"
        local j
        for j in $(seq 50); do
            curl -sf --unix-socket "$TDIR/moat.sock" http://d/_ping >/dev/null && return 0
            kill -0 "$(cat "$TDIR/pid")" 2>/dev/null || break
            sleep 0.1
        done
    done
    cat "$TDIR/daemon.log" >&2
    return 1
}

teardown_file() {
    kill "$(cat "$TDIR/pid")" 2>/dev/null || true
    rm -rf "$TDIR"
}

as() {
    DOCKER_CERT_PATH="$TDIR/c-$1" DOCKER_TLS_VERIFY=1 DOCKER_HOST="tcp://127.0.0.1:$PORT" \
        DOCKER_CONFIG="$TDIR/cfg" /usr/bin/docker "${@:2}"
}

@test "tls: TCP without --tlsverify is refused at start, and leaves no socket" {
    run "$MOAT" daemon --root "$STORE" -H "unix://$TDIR/x.sock" --user-socket "" -H tcp://127.0.0.1:1
    [ "$status" -ne 0 ]
    [[ "$output" == *"moat serves TCP only with client certificates"* ]]
    [ ! -e "$TDIR/x.sock" ]
}

@test "tls: no client certificate, another CA's, or plain HTTP: refused" {
    run curl -s --cacert "$TDIR/ca.pem" "https://127.0.0.1:$PORT/_ping"
    [[ "$output" == *"client certificate signed by the daemon's CA is required"* ]]
    run curl -s --cacert "$TDIR/ca.pem" --cert "$TDIR/mallory.pem" --key "$TDIR/mallory.key" \
        "https://127.0.0.1:$PORT/v1.41/containers/json"
    [[ "$output" != "["* ]]
    run curl -s "http://127.0.0.1:$PORT/_ping"
    [ "$output" != OK ]
    run as mallory ps
    [ "$status" -ne 0 ]
}

@test "tls: the admin CN has full access, another CN sees only its own" {
    m run -d --name byadmin --network none bb:1 sleep 60
    run as admin ps --format '{{.Names}}'
    [ "$status" -eq 0 ]
    [ "$output" = byadmin ]
    run as alice ps -a --format '{{.Names}}'
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    run as alice inspect byadmin
    [ "$status" -ne 0 ]
    run as alice run -d --name alices --network none bb:1 sleep 60
    [ "$status" -eq 0 ]
    run as alice ps --format '{{.Names}}'
    [ "$output" = alices ]
    run as alice run -d --privileged --network none bb:1 true
    [ "$status" -ne 0 ]
    [[ "$output" == *"Privileged"* ]]
    run as admin ps --format '{{.Names}}'
    [[ "$output" == *alices* ]]
}

@test "tls: requests from browsers and for other host names are refused" {
    local c=(--cacert "$TDIR/ca.pem" --cert "$TDIR/admin.pem" --key "$TDIR/admin.key")
    run curl -s "${c[@]}" -H 'Origin: http://evil.example' "https://127.0.0.1:$PORT/v1.41/info"
    [[ "$output" == *"Origin header"* ]]
    run curl -s "${c[@]}" -H "Host: evil.example:$PORT" "https://127.0.0.1:$PORT/v1.41/info"
    [[ "$output" == *"not one of this daemon's names"* ]]
    run curl -s "${c[@]}" "https://127.0.0.1:$PORT/v1.41/info"
    [[ "$output" == *'"ServerVersion"'* ]]
}

@test "activation: the daemon serves the sockets systemd passes (LISTEN_FDS), as moat.socket does" {
    command -v systemd-socket-activate > /dev/null || skip "systemd-socket-activate is not installed"
    local d="$TDIR/act"
    mkdir -p "$d"
    chmod 755 "$TDIR" "$d"
    systemd-socket-activate -l "$d/moat.sock" -l "$d/user.sock" \
        "$MOAT" daemon --root "$STORE" -H "unix://$d/moat.sock" --user-socket "$d/user.sock" \
        2> "$d/log" &
    local pid=$! i
    for i in $(seq 50); do [ -S "$d/user.sock" ] && break; sleep 0.1; done
    run curl -s --unix-socket "$d/moat.sock" http://d/v1.41/version
    [[ "$output" == *'"ApiVersion":"1.44"'* ]]
    # the daemon took them from systemd: no socket of its own replaced them
    grep -q "serving API" "$d/log"
    local g
    g=$(getent group moat-users | cut -d: -f3)
    chmod 666 "$d/user.sock"
    run setpriv --reuid=1501 --regid=1501 --groups="$g" curl -s --unix-socket "$d/user.sock" \
        http://d/v1.41/containers/json
    [ "$output" = "[]" ]
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

@test "tls: docker run attaches and exec streams over TLS" {
    run --separate-stderr as alice run --rm --network none bb:1 sh -c 'echo tls-out; echo tls-err >&2; exit 6'
    [ "$status" -eq 6 ]
    [ "$output" = tls-out ]
    [ "$stderr" = tls-err ]
    as alice run -d --name tlsexec --network none bb:1 sleep 60
    run as alice exec tlsexec sh -c 'echo in-exec'
    [ "$output" = in-exec ]
}

@test "tls: a certificate for another purpose (the server's) is not a client's" {
    run curl -s --cacert "$TDIR/ca.pem" --cert "$TDIR/server.pem" --key "$TDIR/server.key" \
        "https://127.0.0.1:$PORT/v1.41/containers/json"
    [[ "$output" == *"not one for TLS clients"* ]]
}

@test "tls: a client's half-close reaches the container (docker run -i and exec -i with piped input)" {
    # the client ends its input with a TLS close_notify; the container's
    # cat must see the end of its stdin and exit (before, it waited on)
    run bash -c "printf 'over tls\n' | timeout 60 env DOCKER_CERT_PATH=$TDIR/c-alice DOCKER_TLS_VERIFY=1 \
        DOCKER_HOST=tcp://127.0.0.1:$PORT DOCKER_CONFIG=$TDIR/cfg /usr/bin/docker run -i --rm --network none bb:1 cat"
    [ "$status" -eq 0 ]
    [ "$output" = "over tls" ]
    as alice run -d --name tlscat --network none bb:1 sleep 60
    run bash -c "printf 'exec in\n' | timeout 60 env DOCKER_CERT_PATH=$TDIR/c-alice DOCKER_TLS_VERIFY=1 \
        DOCKER_HOST=tcp://127.0.0.1:$PORT DOCKER_CONFIG=$TDIR/cfg /usr/bin/docker exec -i tlscat sh -c 'cat; echo done'"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'exec in\ndone')" ]
}
