#!/usr/bin/env bats
# Restart policies: the monitor starts a container again as its policy
# says; a stop by the user holds the policy off; after a reboot (here: the
# monitor and the container killed outright), `moat __boot`, which the
# installed systemd unit runs, brings back what always and unless-stopped
# keep running.

load common
load engine_common

# the power goes: the monitor and every process of the container die at once
crash() {
    local pid mon
    pid=$(m inspect -f '{{.State.Pid}}' "$1")
    mon=$(awk '{print $4}' "/proc/$pid/stat")
    kill -9 "$mon" "$pid"
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

@test "on-failure:N restarts a failing container N times, then it stays exited" {
    m run -d --name flaky --restart on-failure:3 bb:1 sh -c 'echo run; exit 3' >/dev/null
    wait_for flaky '{{.RestartCount}} {{.State.Status}}' "3 exited"
    [ "$(m logs flaky | grep -c '^run$')" = 4 ]
    [ "$(m inspect -f '{{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' flaky)" = "3 on-failure 3" ]
    # a success is not restarted by on-failure
    m run -d --name fine --restart on-failure bb:1 true >/dev/null
    wait_for fine '{{.State.Status}}' exited
    sleep 0.5
    [ "$(m inspect -f '{{.RestartCount}}' fine)" = 0 ]
}

@test "always brings a container back until the user stops it; start lets the policy hold again" {
    m run -d --name svc --restart always bb:1 sh -c 'echo up; sleep 0.2' >/dev/null
    wait_for svc '{{if ge .RestartCount 2}}yes{{end}}' yes
    m stop -t 1 svc
    wait_for svc '{{.State.Status}}' exited
    n=$(m inspect -f '{{.RestartCount}}' svc)
    sleep 1
    [ "$(m inspect -f '{{.State.Status}} {{.RestartCount}}' svc)" = "exited $n" ]
    m start svc
    wait_for svc '{{if gt .RestartCount '"$n"'}}yes{{end}}' yes
    m rm -f svc
}

@test "after a crash of the host, __boot starts always and unless-stopped, not what the user stopped" {
    m run -d --name a --restart always bb:1 sleep 100 >/dev/null
    m run -d --name u --restart unless-stopped bb:1 sleep 100 >/dev/null
    m run -d --name s --restart unless-stopped bb:1 sleep 100 >/dev/null
    m run -d --name n bb:1 sleep 100 >/dev/null
    m stop -t 1 s
    crash a
    crash u
    crash n
    [ "$(m inspect -f '{{.State.Status}}' a)" = exited ]
    run "$MOAT" --root "$STORE" __boot
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(m inspect -f '{{.State.Status}}' a)" = running ]
    [ "$(m inspect -f '{{.State.Status}}' u)" = running ]
    [ "$(m inspect -f '{{.State.Status}}' s)" = exited ]
    [ "$(m inspect -f '{{.State.Status}}' n)" = exited ]
}

@test "--restart: bad policies and --rm together are refused, nothing made" {
    for bad in "--restart sometimes" "--restart on-failure:x" "--restart always:3" "--restart always --rm"; do
        run m run $bad bb:1 true
        echo "$bad: $output"
        [ "$status" -eq 125 ]
    done
    [ -z "$(m ps -aq)" ]
}

@test "meson install provides the systemd unit that runs __boot" {
    [ -f "$REPO/build/build.ninja" ] || skip "no build directory to install from"
    meson install -C "$REPO/build" --no-rebuild --destdir "$BATS_TEST_TMPDIR/inst" >/dev/null
    unit=$(find "$BATS_TEST_TMPDIR/inst" -name moat-restart.service)
    [ -n "$unit" ]
    grep -q '^ExecStart=.*/moat __boot$' "$unit"
    grep -q '^WantedBy=multi-user.target$' "$unit"
}

@test "a crash-looping container: stop waits it out, restart starts it afresh, its count starts again" {
    m run -d --name loop --restart always bb:1 sh -c 'echo up; exit 1' >/dev/null
    wait_for loop '{{if ge .RestartCount 3}}yes{{end}}' yes
    # stop while it waits to restart: when stop returns, it is stopped for good
    m stop -t 2 loop
    [ "$(m inspect -f '{{.State.Status}} {{.State.Restarting}}' loop)" = "exited false" ]
    n=$(m logs loop | grep -c '^up$')
    sleep 1
    [ "$(m logs loop | grep -c '^up$')" = "$n" ]
    # a new start counts restarts from 0 again (Docker's), and its monitor is
    # the only one (rm right after stop does not find it starting)
    m start loop
    wait_for loop '{{if ge .RestartCount 1}}yes{{end}}' yes
    [ "$(m inspect -f '{{.RestartCount}}' loop)" -lt 10 ]
    m stop -t 2 loop
    m rm loop
}

@test "kill with a signal that does not end it leaves the policy on" {
    m run -d --name hup --restart always bb:1 sh -c 'trap "exit 3" HUP; echo trapped; while :; do sleep 0.1; done' >/dev/null
    # its trap is set (before it, pid 1 ignores HUP: the test would wait for
    # an exit that never comes)
    local i
    for i in $(seq 100); do m logs hup 2>/dev/null | grep -q trapped && break; sleep 0.1; done
    m kill -s HUP hup
    # it exits 3 on its own, and always brings it back
    wait_for hup '{{if ge .RestartCount 1}}yes{{end}}' yes
    m rm -f hup
}
