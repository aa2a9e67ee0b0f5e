#!/usr/bin/env bash
# tests/peers/engines.sh MOAT: containerd (ctr --runc-binary) and dockerd
# (--add-runtime) driving moat through real scenarios. Private daemons with
# their own sockets and directories; everything is removed at the end.
# Prints "PASS|FAIL name: detail" per scenario, then "N passed, N failed".
# Needs root and Debian's docker.io (installed here if missing).
set -u
MOAT=$(realpath -s "${1:?usage: engines.sh MOAT}") # not resolved: moat-runtime is a link
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
W=$(mktemp -d /var/tmp/moat-engines.XXXXXX)
RUN=/run/moat-engines-$$
PASS=0
FAIL=0

if ! command -v dockerd >/dev/null || ! command -v ctr >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io; } \
        > "$W/apt.log" 2>&1 || { cat "$W/apt.log"; echo "0 passed, 1 failed"; exit 1; }
fi

ok() { PASS=$((PASS + 1)); echo "PASS $1: $2"; }
ko() { FAIL=$((FAIL + 1)); echo "FAIL $1: $2"; }
check() { # name detail command...
    local name=$1 detail=$2; shift 2
    if "$@" > "$W/out" 2>&1; then ok "$name" "$detail"; else ko "$name" "$detail: $(tail -3 "$W/out" | tr '\n' ' ')"; fi
}

cleanup() {
    [ -n "${D:-}" ] && $D rm -f $($D ps -aq 2>/dev/null) > /dev/null 2>&1
    [ -n "${P:-}" ] && $P rm -af > /dev/null 2>&1
    [ -f "$RUN/dockerd.pid" ] && kill "$(cat "$RUN/dockerd.pid")" 2>/dev/null
    for i in $(seq 50); do [ -e "$RUN/dockerd.pid" ] || break; sleep 0.2; done
    [ -n "${CTD_PID:-}" ] && kill "$CTD_PID" 2>/dev/null && wait "$CTD_PID" 2>/dev/null
    ip link del moatdk0 2>/dev/null
    grep -o " $W[^ ]*\| $RUN[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$W" "$RUN"
}
trap cleanup EXIT INT TERM

mkdir -p "$RUN"
sh "$REPO/tests/lib/mkrootfs.sh" "$W/rootfs" > /dev/null
sh "$REPO/tests/lib/mkimage.sh" "$W/rootfs" "$W/image.tar" moat-engines:latest

# ---- containerd ----
containerd --root "$W/containerd" --state "$RUN/containerd" --address "$RUN/containerd.sock" \
    > "$W/containerd.log" 2>&1 &
CTD_PID=$!
for i in $(seq 50); do [ -S "$RUN/containerd.sock" ] && break; sleep 0.2; done
C="ctr -a $RUN/containerd.sock"
IMG=docker.io/library/moat-engines:latest
$C image import "$W/image.tar" > /dev/null 2>&1 || ko ctr-import "ctr image import failed"

check ctr-run-rm "ctr run --rm prints" \
    sh -c "timeout 30 $C run --rm --runc-binary '$MOAT' $IMG c1 echo from-ctr | grep -qx from-ctr"
timeout 30 $C run -d --runc-binary "$MOAT" $IMG c2 sleep 300 > /dev/null 2>&1
check ctr-exec "task exec in the container's pid namespace" \
    sh -c "timeout 30 $C task exec --exec-id e1 c2 cat /proc/1/cmdline | tr '\0' ' ' | grep -q 'sleep 300'"
check ctr-ps "task ps lists the init" sh -c "$C task ps c2 | grep -q '^[0-9]'"
check ctr-pause "task pause / resume" sh -c "$C task pause c2 && $C task ls | grep -q 'c2.*PAUSED' &&
    $C task resume c2 && $C task ls | grep -q 'c2.*RUNNING'"
check ctr-kill-rm "task kill, task rm, container rm" sh -c "$C task kill -s SIGKILL c2 &&
    for i in \$(seq 50); do $C task ls | grep -q 'c2.*STOPPED' && break; sleep 0.1; done &&
    $C task rm c2 && $C container rm c2 && ! $C task ls | grep -q c2"

# ---- dockerd (sharing that containerd) ----
dockerd --data-root "$W/docker" --exec-root "$RUN/docker" --pidfile "$RUN/dockerd.pid" \
    -H "unix://$RUN/docker.sock" --containerd "$RUN/containerd.sock" \
    --add-runtime moat="$MOAT" --default-runtime moat \
    --bridge none --iptables=false --ip-masq=false > "$W/dockerd.log" 2>&1 &
D="docker -H unix://$RUN/docker.sock"
for i in $(seq 100); do $D info > /dev/null 2>&1 && break; sleep 0.2; done
$D load -i "$W/image.tar" > /dev/null 2>&1 || ko docker-load "docker load failed"
IMG=moat-engines:latest
NET="--network none"

check docker-run "run --rm prints and removes" \
    sh -c "timeout 30 $D run --rm $NET $IMG echo from-docker | grep -qx from-docker"
check docker-exit "run propagates the exit status" \
    sh -c "timeout 30 $D run --rm $NET $IMG sh -c 'exit 7'; [ \$? -eq 7 ]"
check docker-stdin "run -i pipes stdin" \
    sh -c "echo piped | timeout 30 $D run --rm -i $NET $IMG cat | grep -qx piped"
timeout 30 $D run -d $NET --name d1 --memory 64m $IMG sleep 300 > /dev/null 2>&1
check docker-exec "exec and exec -t" sh -c "timeout 30 $D exec d1 echo in-d1 | grep -qx in-d1 &&
    timeout 30 $D exec -t d1 tty | grep -q '^/dev/pts/'"
check docker-top "top (runtime ps --format json)" sh -c "$D top d1 | grep -q 'sleep 300'"
check docker-pause "pause / unpause" sh -c "$D pause d1 && $D ps --format '{{.Status}}' | grep -q Paused &&
    $D unpause d1 && timeout 30 $D exec d1 true"
check docker-update "update --memory (runtime update --resources -)" \
    sh -c "$D update --memory 128m --memory-swap 256m d1 > /dev/null &&
    [ \$($D exec d1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null ||
         $D exec d1 cat /sys/fs/cgroup/memory.max) -eq 134217728 ]"
check docker-kill "kill -s USR1 reaches pid 1, which ignores it" sh -c "$D kill -s USR1 d1 > /dev/null &&
    sleep 0.3 && $D ps --format '{{.Names}}' | grep -qx d1"
check docker-stop "stop: TERM ignored by pid 1, then KILL (137)" sh -c "$D stop -t 1 d1 > /dev/null &&
    [ \$($D inspect -f '{{.State.ExitCode}}' d1) -eq 137 ]"
check docker-rm "rm -f" sh -c "$D rm -f d1 > /dev/null && ! $D ps -a --format '{{.Names}}' | grep -qx d1"
check docker-hardening "--read-only --user --cap-drop ALL" sh -c "timeout 30 $D run --rm $NET --read-only \
    --user 1000:1000 --cap-drop ALL $IMG sh -c 'id -u; touch /x 2>&1; grep CapEff /proc/self/status' > $W/h.out;
    grep -qx 1000 $W/h.out && grep -q 'Read-only file system' $W/h.out && grep -q 'CapEff:.0000000000000000' $W/h.out"

# bridge networking: dockerd's prestart hook wires the network namespace
kill "$(cat "$RUN/dockerd.pid")"
for i in $(seq 50); do [ -e "$RUN/dockerd.pid" ] || break; sleep 0.2; done
ip link add moatdk0 type bridge && ip addr add 10.78.0.1/24 dev moatdk0 && ip link set moatdk0 up
dockerd --data-root "$W/docker" --exec-root "$RUN/docker" --pidfile "$RUN/dockerd.pid" \
    -H "unix://$RUN/docker.sock" --containerd "$RUN/containerd.sock" \
    --add-runtime moat="$MOAT" --default-runtime moat \
    --bridge moatdk0 --iptables=false --ip-masq=false > "$W/dockerd2.log" 2>&1 &
for i in $(seq 100); do $D info > /dev/null 2>&1 && break; sleep 0.2; done
timeout 30 $D run -d --name web $IMG sh -c 'mkdir /w; echo served-by-moat > /w/i; httpd -f -p 8080 -h /w' > /dev/null 2>&1
ip=$($D inspect -f '{{.NetworkSettings.IPAddress}}' web 2>/dev/null)
check docker-bridge "container -> container over the bridge (prestart hook)" \
    sh -c "[ -n '$ip' ] && timeout 30 $D run --rm $IMG wget -q -O - http://$ip:8080/i | grep -qx served-by-moat"
check docker-host-to-container "host -> container over the bridge" \
    sh -c "for i in \$(seq 30); do timeout 2 wget -q -O - http://$ip:8080/i 2>/dev/null | grep -qx served-by-moat && exit 0; sleep 0.2; done; exit 1"

# ---- Podman driving moat's VM handler (the annotation of crun's krun) ----
if command -v podman > /dev/null && command -v qemu-system-x86_64 > /dev/null &&
    [ -x /usr/lib/qemu/virtiofsd ] && ! ldd "$MOAT" > /dev/null 2>&1 &&
    { [ -e /var/lib/moat/vm/vmlinux ] || ls /boot/vmlinuz-*-cloud-amd64 > /dev/null 2>&1; }; then
    P="podman --root $W/podman --runroot $RUN/podman --runtime $MOAT"
    $P load -i "$W/image.tar" > /dev/null 2>&1 || ko podman-load "podman load failed"
    VM="--network none --annotation run.oci.handler=vm --uidmap 0:300000:65536 --gidmap 0:300000:65536"
    check podman-vm-run "run in a VM: the guest's kernel, the exit status" sh -c "
        out=\$(timeout 120 $P run --rm $VM $IMG sh -c 'uname -r; exit 4'); [ \$? -eq 4 ] &&
        [ \"\$out\" != \"\$(uname -r)\" ] && echo \"\$out\" | grep -q cloud-amd64"
    timeout 120 $P run -d --name pv1 $VM $IMG sleep 300 > /dev/null 2>&1
    check podman-vm-exec "exec (conmon's exec --detach, its pipes), -i, -t" sh -c "
        for i in \$(seq 100); do timeout 60 $P exec pv1 true 2> /dev/null && break; sleep 0.3; done
        [ \"\$(timeout 60 $P exec pv1 sh -c 'echo out; echo err >&2; exit 3' 2>&1; echo rc=\$?)\" = \"\$(printf 'out\\nerr\\nrc=3')\" ] &&
        echo piped | timeout 60 $P exec -i pv1 cat | grep -qx piped &&
        timeout 60 script -qec '$P exec -it pv1 tty' /dev/null | grep -q /dev/pts/"
    id=$($P inspect -f '{{.Id}}' pv1 2> /dev/null)
    check podman-vm-rm "rm -f: no process of the VM left" sh -c "[ -n '$id' ] && $P rm -f pv1 > /dev/null &&
        ! grep -qs '$id' /proc/[0-9]*/cgroup"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
