#!/usr/bin/env bats
# docker-compose 1.29 (Debian's, with python3-docker 5.0.3) driving moat's
# API daemon: a two-service project with a published port, a named volume
# and service-name DNS; ps, logs, exec, and down -v leaving nothing.

load common
load engine_common
load daemon_common

setup_file() {
    daemon_setup_file
    export PROJ="$DDIR/proj" PORT=$((20000 + RANDOM % 20000))
    mkdir -p "$PROJ"
    cat > "$PROJ/docker-compose.yml" <<EOY
version: "3"
services:
  web:
    image: bb:1
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    volumes: ["data:/www"]
    ports: ["127.0.0.1:$PORT:80"]
  client:
    image: bb:1
    command: ["sh", "-c", "echo client up; sleep 300"]
volumes:
  data: {}
EOY
}

teardown_file() {
    daemon_teardown_file
}

compose() {
    (cd "$PROJ" && DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$DDIR/cfg" COMPOSE_PROJECT_NAME=mproj \
        docker-compose "$@")
}

@test "compose: up -d, ps, a published port, a named volume, service names, logs, down -v" {
    command -v docker-compose > /dev/null || skip "docker-compose is not installed"
    run compose up -d
    echo "$output"
    [ "$status" -eq 0 ]
    run compose ps
    echo "$output"
    [[ "$output" == *mproj_web_1*Up* ]]
    [[ "$output" == *mproj_client_1*Up* ]]
    docker20 exec mproj_web_1 sh -c 'echo hello from web > /www/index.html'
    # the published port, on the host
    run curl -s "http://127.0.0.1:$PORT/"
    [ "$output" = "hello from web" ]
    # the other service, by its name, through the network's resolver
    run docker20 exec mproj_client_1 wget -qO- http://web/
    [ "$output" = "hello from web" ]
    run compose logs client
    [[ "$output" == *"client up"* ]]
    run docker20 volume ls --format '{{.Name}}'
    [[ "$output" == *mproj_data* ]]
    run compose down -v
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$(m ps -aq)" ]
    run m volume ls -q
    [[ "$output" != *mproj_data* ]]
    run m network ls --format '{{.Name}}'
    [[ "$output" != *mproj* ]]
    ! ip link show | grep -q 'moat[1-9]'
}
