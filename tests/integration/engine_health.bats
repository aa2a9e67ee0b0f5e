#!/usr/bin/env bats
# Health checks (Docker's --health-*, an image's Healthcheck): the monitor
# runs the check inside the container as `moat exec` runs a process, keeps
# State.Health (Status, FailingStreak, the last 5 results) in the record,
# and ps shows it.

bats_require_minimum_version 1.5.0

load common
load engine_common

health() {
    m inspect -f '{{json .State.Health}}' "$1"
}

# hc ID PYTHON-EXPR: the expression over h, State.Health as JSON
hc() {
    health "$1" | python3 -c "import json, sys; h = json.load(sys.stdin); print($2)"
}

@test "a check that succeeds makes it healthy; Config.Healthcheck is Docker's" {
    id=$(m run -d --health-cmd 'echo ok' --health-interval 200ms bb:1 sleep 60)
    [ "$(m inspect -f '{{.State.Health.Status}}' "$id")" = starting ]
    wait_for "$id" '{{.State.Health.Status}}' healthy
    [ "$(hc "$id" 'h["FailingStreak"], h["Log"][-1]["ExitCode"], repr(h["Log"][-1]["Output"])')" = "0 0 'ok\n'" ]
    [ "$(m inspect -f '{{json .Config.Healthcheck}}' "$id")" = '{"Test":["CMD-SHELL","echo ok"],"Interval":200000000}' ]
    [[ "$(m ps)" == *"Up "*" (healthy)"* ]]
}

@test "retries failures in a row make it unhealthy; the log keeps the last 5" {
    id=$(m run -d --health-cmd 'echo bad >&2; exit 3' --health-interval 100ms --health-retries 2 bb:1 sleep 60)
    wait_for "$id" '{{.State.Health.Status}}' unhealthy
    [ "$(hc "$id" 'h["Log"][-1]["ExitCode"], repr(h["Log"][-1]["Output"])')" = "3 'bad\n'" ]
    s=$(hc "$id" 'h["FailingStreak"]')
    [ "$s" -ge 2 ]
    sleep 1
    [ "$(hc "$id" 'len(h["Log"])')" = 5 ]
    [ "$(hc "$id" 'h["FailingStreak"]')" -gt 5 ]
    [[ "$(m ps)" == *"(unhealthy)"* ]]
}

@test "a check past its timeout is killed with what it started, and fails (-1)" {
    # the first check hangs (and leaves a process behind), the next ones pass
    id=$(m run -d --health-cmd 'test -e /tmp/once && exit 0; touch /tmp/once; echo begun; sleep 100 & sleep 100' \
        --health-interval 200ms --health-timeout 300ms --health-retries 1 bb:1 sleep 60)
    wait_for "$id" '{{.State.Health.Status}}' healthy
    [ "$(hc "$id" 'h["Log"][0]["ExitCode"], h["Log"][0]["Output"]')" = "-1 Health check exceeded timeout (300ms): begun" ]
    # nothing of that check runs on: its sleeps are dead (zombies of the init, which reaps nothing)
    run m exec "$id" sh -c 'grep -l "(sleep) [SRD]" /proc/[0-9]*/stat'
    [ "$output" = /proc/1/stat ]
}

@test "failures during the start period do not count while it starts" {
    id=$(m run -d --health-cmd 'test -e /tmp/ready' --health-interval 100ms \
        --health-start-period 6s --health-start-interval 100ms --health-retries 1 bb:1 sleep 60)
    # a few failed checks (slow builds take longer for each)
    for i in $(seq 40); do
        [ "$(m inspect -f '{{len .State.Health.Log}}' "$id")" -ge 3 ] && break
        sleep 0.1
    done
    [ "$(m inspect -f '{{.State.Health.Status}}' "$id")" = starting ]
    [ "$(hc "$id" 'h["FailingStreak"], h["Log"][-1]["ExitCode"]')" = "0 1" ]
    m exec "$id" touch /tmp/ready
    wait_for "$id" '{{.State.Health.Status}}' healthy
    m exec "$id" rm /tmp/ready
    # healthy: the start period no longer protects it
    wait_for "$id" '{{.State.Health.Status}}' unhealthy
}

@test "after a stop Health stays (unhealthy); a start makes it starting again" {
    id=$(m run -d --health-cmd true --health-interval 100ms bb:1 sleep 60)
    wait_for "$id" '{{.State.Health.Status}}' healthy
    m stop -t 1 "$id" >/dev/null
    [ "$(m inspect -f '{{.State.Health.Status}}' "$id")" = unhealthy ]
    [ "$(hc "$id" 'len(h["Log"]) > 0')" = True ]
    m start "$id" >/dev/null
    [ "$(m inspect -f '{{.State.Health.Status}}' "$id")" = starting ]
    wait_for "$id" '{{.State.Health.Status}}' healthy
}

# an image whose config has a Healthcheck (hc as JSON), as NAME
health_image() {
    m save -o "$BATS_TEST_TMPDIR/i.tar" bb:1
    rm -rf "$BATS_TEST_TMPDIR/i"
    mkdir "$BATS_TEST_TMPDIR/i" && tar -C "$BATS_TEST_TMPDIR/i" -xf "$BATS_TEST_TMPDIR/i.tar"
    python3 - "$BATS_TEST_TMPDIR/i" "$1" "$2" <<'PY'
import json, sys
d, name, hc = sys.argv[1:]
m = json.load(open(d + "/manifest.json"))
c = json.load(open(d + "/" + m[0]["Config"]))
c.setdefault("config", {})["Healthcheck"] = json.loads(hc)
json.dump(c, open(d + "/cfg.json", "w"))
m[0]["Config"] = "cfg.json"
m[0]["RepoTags"] = [name]
json.dump(m, open(d + "/manifest.json", "w"))
PY
    tar -C "$BATS_TEST_TMPDIR/i" -cf "$BATS_TEST_TMPDIR/h.tar" manifest.json cfg.json blobs
    m load -i "$BATS_TEST_TMPDIR/h.tar" >/dev/null
}

@test "an image's Healthcheck is inherited, flags override it field by field, --no-healthcheck drops it" {
    health_image hcimg:1 '{"Test": ["CMD", "sh", "-c", "exit 1"], "Interval": 100000000, "Retries": 1}'
    id=$(m run -d hcimg:1 sleep 60)
    wait_for "$id" '{{.State.Health.Status}}' unhealthy
    [ "$(m inspect -f '{{json .Config.Healthcheck}}' "$id")" = '{"Test":["CMD","sh","-c","exit 1"],"Interval":100000000,"Retries":1}' ]
    # the command replaced, the image's interval and retries kept
    id=$(m run -d --health-cmd true hcimg:1 sleep 60)
    [ "$(m inspect -f '{{json .Config.Healthcheck}}' "$id")" = '{"Test":["CMD-SHELL","true"],"Interval":100000000,"Retries":1}' ]
    wait_for "$id" '{{.State.Health.Status}}' healthy
    id=$(m run -d --no-healthcheck hcimg:1 sleep 60)
    [ "$(m inspect -f '{{json .Config.Healthcheck}}' "$id")" = '{"Test":["NONE"]}' ]
    sleep 0.3
    [ "$(m inspect -f '{{json .State.Health}}' "$id")" = null ]
    [[ "$(m ps --filter id="$id")" != *"health"* ]]
}

@test "a hostile image Healthcheck is refused with what is wrong" {
    health_image bad1:1 '{"Test": ["CMD", "true"], "Interval": -5}'
    run -125 m run -d bad1:1 sleep 60
    [[ "$output" == *"Interval in Healthcheck cannot be less than 1ms"* ]]
    health_image bad2:1 "{\"Test\": [\"CMD\"$(printf ', "x"%.0s' $(seq 2000))]}"
    run -125 m create bad2:1 sleep 60
    [[ "$output" == *"image config: Healthcheck.Test: 2001 entries (at most 1024)"* ]]
    health_image bad3:1 '{"Test": ["CMD", "true"], "Timeout": 1.5e30}'
    run -125 m create bad3:1 sleep 60
    [[ "$output" == *"image config: Healthcheck.Timeout: not an integer"* ]]
    health_image bad4:1 '{"Test": ["EXEC", "true"]}'
    run -125 m create bad4:1 sleep 60
    [[ "$output" == *'Healthcheck.Test[0]: "EXEC": not CMD, CMD-SHELL or NONE'* ]]
    # a huge interval is a check that never comes, not an overflow
    health_image big:1 '{"Test": ["CMD", "true"], "Interval": 9223372036854775807, "Timeout": 9223372036854775807, "StartPeriod": 9223372036854775807}'
    id=$(m run -d big:1 sleep 60)
    sleep 0.3
    [ "$(m inspect -f '{{.State.Health.Status}}' "$id")" = starting ]
    # the user can still run what the image holds without its check
    m run --rm --no-healthcheck bad4:1 true
    [ "$(m ps -aq | wc -l)" = 1 ]
}

@test "the --health-* flags are checked as Docker checks them (exit 125)" {
    run -125 m run --rm --health-interval 5 bb:1 true
    [[ "$output" == *'invalid argument "5" for "--health-interval" flag: time: invalid duration "5"'* ]]
    run -125 m run --rm --no-healthcheck --health-cmd true bb:1 true
    [[ "$output" == *"--no-healthcheck conflicts with --health-* options"* ]]
    run -125 m run --rm --health-cmd true --health-timeout -1s bb:1 true
    [[ "$output" == *"--health-timeout cannot be negative"* ]]
    run -125 m run --rm --health-cmd true --health-retries -1 bb:1 true
    [[ "$output" == *"--health-retries cannot be negative"* ]]
    run -125 m create --health-cmd true --health-interval 500us bb:1 true
    [[ "$output" == *"Interval in Healthcheck cannot be less than 1ms"* ]]
    run -125 m create --health-cmd true --health-start-interval 1ns bb:1 true
    [[ "$output" == *"StartInterval in Healthcheck cannot be less than 1ms"* ]]
    [ -z "$(m ps -aq)" ]
    m run --rm --health-cmd true --health-interval 1m30s --health-timeout 2s --health-start-period 0 bb:1 true
    m run --help | grep -q -- '--health-start-interval duration'
}

@test "ps shows the health and filters on it" {
    a=$(m run -d --name good --health-cmd true --health-interval 100ms bb:1 sleep 60)
    b=$(m run -d --name sick --health-cmd false --health-interval 100ms --health-retries 1 bb:1 sleep 60)
    c=$(m run -d --name slow --health-cmd true --health-interval 1h bb:1 sleep 60)
    d=$(m run -d --name plain bb:1 sleep 60)
    wait_for "$a" '{{.State.Health.Status}}' healthy
    wait_for "$b" '{{.State.Health.Status}}' unhealthy
    [ "$(m ps --filter health=healthy --format '{{.Names}}')" = good ]
    [ "$(m ps --filter health=unhealthy --format '{{.Names}}')" = sick ]
    [ "$(m ps --filter health=starting --format '{{.Names}}')" = slow ]
    [ "$(m ps --filter health=none --format '{{.Names}}')" = plain ]
    [[ "$(m ps --filter name=slow --format '{{.Status}}')" == "Up "*" (health: starting)" ]]
    [[ "$(m ps --filter name=plain --format '{{.Status}}')" != *"("* ]]
    run -125 m ps --filter health=sickly
    [[ "$output" == *"health is starting, healthy, unhealthy or none"* ]]
}

@test "the check runs confined as the container is, never as the host" {
    id=$(m run -d --cap-drop ALL --health-cmd 'id -u; grep ^CapEff: /proc/self/status; cat /proc/self/uid_map; cat /proc/self/cgroup; grep ^NoNewPrivs: /proc/self/status; grep ^Seccomp: /proc/self/status; ls /proc/self/fd | wc -l' \
        --health-interval 200ms bb:1 sleep 60)
    wait_for "$id" '{{.State.Health.Status}}' healthy
    out=$(hc "$id" 'h["Log"][-1]["Output"]')
    want=$(m exec "$id" sh -c 'id -u; grep ^CapEff: /proc/self/status; cat /proc/self/uid_map; cat /proc/self/cgroup; grep ^NoNewPrivs: /proc/self/status; grep ^Seccomp: /proc/self/status; ls /proc/self/fd | wc -l')
    [ "$out" = "$want" ]
    [[ "$out" == *"CapEff:	0000000000000000"* ]]
    [[ "$out" == *"NoNewPrivs:	1"* ]]
    [[ "$out" == *"Seccomp:	2"* ]]
    [[ "$out" != *"0          0 4294967295"* ]]
}

@test "the output kept is Docker's: 4096 bytes and ..., a flood costs the monitor no memory" {
    id=$(m run -d --health-cmd 'head -c 100000 /dev/zero | tr "\0" a; echo; printf "\377\376"' \
        --health-interval 200ms bb:1 sleep 60)
    wait_for "$id" '{{.State.Health.Status}}' healthy
    [ "$(hc "$id" 'len(h["Log"][0]["Output"]), h["Log"][0]["Output"][-5:]')" = "4099 aa..." ]
    # a check that writes without end: the timeout ends it; the container's own output still flows
    id=$(m run -d --health-cmd 'cat /dev/zero' --health-interval 100ms --health-timeout 1s \
        bb:1 sh -c 'while :; do echo tick; sleep 0.1; done')
    sleep 2.5
    # NUL bytes as U+FFFD: the record holds no NUL
    [ "$(hc "$id" 'h["Log"][0]["ExitCode"], h["Log"][0]["Output"] == "Health check exceeded timeout (1s): " + "\ufffd" * 4096 + "..."')" = "-1 True" ]
    n=$(m logs "$id" | wc -l)
    [ "$n" -ge 15 ]
    # the monitor (the record's Pid's parent) stays small
    mon=$(ps -o ppid= -p "$(m inspect -f '{{.State.Pid}}' "$id")")
    rss=$(ps -o rss= -p $mon)
    # KiB; a sanitizer build keeps its shadow memory and quarantine too
    limit=20000
    [[ $MOAT == *asan* ]] && limit=200000
    [ "$rss" -lt "$limit" ]
}
