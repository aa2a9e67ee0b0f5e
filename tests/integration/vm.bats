#!/usr/bin/env bats
# --isolation vm: the container in a VM of its own (runtime/handler/vm.h),
# through the engine: QEMU (software emulation here, a few seconds a
# boot) in the container's sandbox, the image shared with virtiofs.
# Skipped without QEMU or the guest kernel (scripts/setup.sh installs
# them), and with a sanitizer build (the guest's init is moat's binary,
# which must be static).

load common
load engine_common

bats_require_minimum_version 1.5.0

setup_file() {
    engine_setup_file
}

teardown_file() {
    engine_remove_all
}

setup() {
    [ "$(id -u)" = 0 ] || skip "needs root"
    command -v qemu-system-x86_64 > /dev/null && [ -x /usr/lib/qemu/virtiofsd ] ||
        skip "no QEMU or virtiofsd (run scripts/setup.sh)"
    [ -e /var/lib/moat/vm/vmlinux ] || ls /boot/vmlinuz-*-cloud-amd64 > /dev/null 2>&1 ||
        skip "no VM kernel (run scripts/setup.sh)"
    ! ldd "$MOAT" > /dev/null 2>&1 || skip "moat is not static (a sanitizer build): it cannot be a VM's init"
}

teardown() {
    engine_remove_all
}

# the QEMU processes of this store's containers
vm_pids() {
    local id
    for id in $(m ps -q --no-trunc); do
        pgrep -f "qemu-system-x86_64" | while read -r p; do
            # in the container's cgroup: its sandbox's
            if grep -q "$id" "/proc/$p/cgroup" 2>/dev/null; then echo "$p"; fi
        done
    done
    return 0
}

@test "vm: the guest's kernel is not the host's; stdout and stderr apart; exit codes" {
    run -0 --separate-stderr m run --rm --network none --isolation vm bb:1 sh -c 'uname -r; echo err >&2'
    [ "$output" != "$(uname -r)" ]
    [[ "$output" == *cloud-amd64 ]]
    [ "$stderr" = err ]
    run -42 m run --rm --network none --isolation vm bb:1 sh -c 'exit 42'
    # as in any container, the process is pid 1 of its own PID namespace:
    # its own SIGKILL does nothing to it, and it cannot see the guest's
    # init (nor ptrace it, even with the capability)
    run -0 m run --rm --network none --isolation vm --cap-add SYS_PTRACE bb:1 \
        sh -c 'kill -KILL $$; echo "pid $$ lives on"; cat /proc/1/comm; ls /proc | grep -c "^[0-9]"'
    [ "${lines[0]}" = "pid 1 lives on" ]
    [ "${lines[1]}" = sh ]
    [ "${lines[2]}" -le 3 ]
    # a signal's death is 128 + its number, as for any container
    run -137 m run --rm --network none --isolation vm bb:1 sh -c 'sh -c "kill -KILL \$\$"; exit $?'
}

@test "vm: stdin, and a terminal with -t" {
    run -0 bash -c "printf 'one\ntwo\n' | $MOAT --root $STORE run --rm -i --network none --isolation vm bb:1 sh -c 'cat; echo end'"
    [ "$output" = "$(printf 'one\ntwo\nend')" ]
    run -0 script -qec "$MOAT --root $STORE run --rm -t --network none --isolation vm bb:1 sh -c 'test -t 0 && test -t 1 && echo is-a-tty'" /dev/null
    [[ "$output" == *is-a-tty* ]]
}

@test "vm: signals reach the process; stop, logs, exec, inspect" {
    local id
    id=$(m run -d --network none --isolation vm -e FOO=bar bb:1 \
        sh -c 'trap "echo got-term; exit 3" TERM; echo up; while :; do sleep 0.2; done')
    [ "$(m inspect -f '{{.HostConfig.Isolation}}' "$id")" = vm ]
    local i
    for i in $(seq 150); do m logs "$id" | grep -q up && break; sleep 0.2; done
    run -5 --separate-stderr m exec "$id" sh -c 'echo "in $FOO"; echo e >&2; exit 5'
    [ "$output" = "in bar" ]
    [ "$stderr" = e ]
    run -0 bash -c "echo piped | $MOAT --root $STORE exec -i $id cat"
    [ "$output" = piped ]
    run -0 m exec -u 1000 -w /tmp "$id" sh -c 'id -u; pwd'
    [ "$output" = "$(printf '1000\n/tmp')" ]
    # runc's exec --process with a file that is JSON but no object: refused
    echo '[]' > "$BATS_TEST_TMPDIR/p.json"
    run "$MOAT" --root "$STORE/run" exec --process "$BATS_TEST_TMPDIR/p.json" "$id"
    [ "$status" -ne 0 ]
    [[ "$output" == *"not a JSON object"* ]]
    m stop "$id"
    [ "$(m inspect -f '{{.State.ExitCode}}' "$id")" = 3 ]
    run -0 m logs "$id"
    [[ "$output" == *got-term* ]]
}

@test "vm: a volume's writes are the host's; QEMU runs unprivileged, under seccomp and no_new_privs" {
    m volume create vmvol > /dev/null
    local id p
    id=$(m run -d --network none --isolation vm -v vmvol:/data bb:1 sh -c 'echo from-guest > /data/f; sleep 1000')
    local mp
    mp=$(m volume inspect -f '{{.Mountpoint}}' vmvol)
    local i
    for i in $(seq 150); do [ -s "$mp/f" ] && break; sleep 0.2; done
    [ "$(cat "$mp/f")" = from-guest ]
    p=$(vm_pids)
    [ -n "$p" ]
    local uid
    uid=$(awk '/^Uid:/ {print $2}' "/proc/$p/status")
    [ "$uid" -ne 0 ]
    grep -q '^Seccomp:[[:space:]]*2' "/proc/$p/status"
    grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$p/status"
    # and of the sandbox's capabilities (virtiofsd's), only the one to
    # listen on the container's low ports
    [ "$(awk '/^CapBnd:/ {print $2}' "/proc/$p/status")" = 0000000000000400 ]
    # virtiofsd holds a descriptor per file the guest has cached: more
    # than the container's own open-files limit
    run -0 m exec "$id" sh -c 'mkdir /many; i=0; while [ $i -lt 600 ]; do echo $i > /many/f$i; i=$((i+1)); done; cat /many/* | wc -l'
    [ "$output" = 600 ]
    m rm -f "$id"
    m volume rm vmvol > /dev/null
}

@test "vm: the guest's sync, at its end and the container's own, does not flush the host's disk (--rm)" {
    local probe="$STORE/dirty-probe"
    dirty_probe "$probe"
    # the guest's sync is QEMU's file server's syncfs(2) of the overlay:
    # of the store's whole filesystem, but for a volatile overlay
    run -0 m run --rm --network none --isolation vm bb:1 sh -c 'echo x > /f; sync'
    local after
    after=$(dirty_pages "$probe")
    echo "dirty pages of the probe: $after of 2048 left"
    [ "$after" -gt 1000 ]
    rm -f "$probe"
}

@test "vm: the container's hardening holds in the guest too: seccomp, masked and read-only paths, sysctls" {
    run -0 m run --rm --network none --isolation vm --sysctl net.ipv4.ip_forward=1 bb:1 sh -c '
        grep "^Seccomp:" /proc/self/status
        echo "kcore $(wc -c < /proc/kcore)"
        ls -A /sys/firmware | wc -l
        { echo x > /proc/sys/kernel/hostname; } 2>/dev/null && echo written
        cat /proc/sys/net/ipv4/ip_forward'
    [ "$output" = "$(printf 'Seccomp:\t2\nkcore 0\n0\n1')" ]
    # a profile of the user's is the guest's; QEMU keeps moat's own
    printf '%s' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}' \
        > "$BATS_TEST_TMPDIR/nomkdir.json"
    run -0 m run --rm --network none --isolation vm --security-opt "seccomp=$BATS_TEST_TMPDIR/nomkdir.json" bb:1 \
        sh -c 'mkdir /tmp/x 2>&1; echo "rc=$?"'
    [[ "$output" == *"Operation not permitted"*"rc=1" ]]
    local id p i
    id=$(m run -d --network none --isolation vm --security-opt seccomp=unconfined bb:1 sh -c 'grep "^Seccomp:" /proc/self/status; sleep 1000')
    for i in $(seq 100); do p=$(vm_pids); [ -n "$p" ] && break; sleep 0.1; done
    [ -n "$p" ]
    grep -q '^Seccomp:[[:space:]]*2' "/proc/$p/status"
    for i in $(seq 150); do [[ "$(m logs "$id")" == Seccomp* ]] && break; sleep 0.2; done
    [ "$(m logs "$id")" = "$(printf 'Seccomp:\t0')" ]
    m rm -f "$id"
}

@test "vm: an exec whose reader stops reading holds only its own process: not the container's output, nor other execs" {
    # runc's CLI: the supervisor writes to the exec's caller's own pipe
    local b=$BATS_TEST_TMPDIR/bundle rt=$BATS_TEST_TMPDIR/rt a z
    mkdir -p "$b/rootfs"
    tar -C "$b/rootfs" -xzf "$BATS_FILE_TMPDIR/rootfs.tgz"
    (cd "$b" && "$MOAT" spec)
    jq '.annotations = {"run.oci.handler": "vm"} | .process.terminal = false
        | .process.args = ["sh", "-c", "i=0; while :; do echo tick$i; i=$((i+1)); sleep 0.2; done"]' \
        "$b/config.json" > "$b/c.json"
    mv "$b/c.json" "$b/config.json"
    "$MOAT" --root "$rt" run -d -b "$b" vmslow < /dev/null > "$BATS_TEST_TMPDIR/main.log" 2>&1
    for i in $(seq 150); do grep -q tick "$BATS_TEST_TMPDIR/main.log" && break; sleep 0.2; done
    jq '.process | .args = ["sh", "-c", "head -c 8000000 /dev/zero; echo exec-done >&2"]' "$b/config.json" > "$BATS_TEST_TMPDIR/big.json"
    jq '.process | .args = ["echo", "other-exec"]' "$b/config.json" > "$BATS_TEST_TMPDIR/other.json"
    # 8 MB to a reader that reads nothing for 16 s
    ("$MOAT" --root "$rt" exec --process "$BATS_TEST_TMPDIR/big.json" vmslow 2> "$BATS_TEST_TMPDIR/e.err" |
        { sleep 16; wc -c; } > "$BATS_TEST_TMPDIR/count") &
    sleep 5
    a=$(wc -l < "$BATS_TEST_TMPDIR/main.log")
    run -0 timeout 6 "$MOAT" --root "$rt" exec --process "$BATS_TEST_TMPDIR/other.json" vmslow
    [ "$output" = other-exec ]
    sleep 3
    z=$(wc -l < "$BATS_TEST_TMPDIR/main.log")
    [ "$z" -gt "$a" ]
    wait
    [ "$(cat "$BATS_TEST_TMPDIR/count")" = 8000000 ]
    [ "$(cat "$BATS_TEST_TMPDIR/e.err")" = exec-done ]
    "$MOAT" --root "$rt" delete -f vmslow
}

@test "vm: a reader that goes ends the writer (EPIPE, as from a pipe); stdin larger than the guest holds arrives whole" {
    local id
    id=$(m run -d --network none --isolation vm bb:1 sleep 1000)
    run -0 timeout 60 bash -c "'$MOAT' --root '$STORE' exec '$id' yes | head -c 2"
    [ "$output" = y ]
    run -0 timeout 90 bash -c "head -c 20000000 /dev/zero | '$MOAT' --root '$STORE' exec -i '$id' sh -c 'sleep 3; wc -c'"
    [ "$output" = 20000000 ]
    m rm -f "$id"
    run -0 timeout 60 bash -c "'$MOAT' --root '$STORE' run --rm --network none --isolation vm bb:1 yes | head -c 2"
    [ "$output" = y ]
}

@test "vm: rm -f leaves no process, mount or cgroup" {
    local id
    id=$(m run -d --network none --isolation vm bb:1 sleep 1000)
    local i p
    for i in $(seq 100); do p=$(vm_pids); [ -n "$p" ] && break; sleep 0.1; done
    [ -n "$p" ]
    m rm -f "$id"
    ! kill -0 "$p" 2>/dev/null
    ! grep -q "$id" /proc/self/mountinfo
    ! grep -rqs "$id" /proc/*/cgroup
    [ -z "$(find /sys/fs/cgroup -name "*$id*" 2>/dev/null | head -1)" ]
}

@test "vm: what cannot be a VM is refused before anything is made" {
    run -125 m run --rm --isolation vm --privileged bb:1 true
    [[ "$output" == *"--isolation vm"*"--privileged"* ]]
    run -125 m run --rm --isolation nosuch bb:1 true
    [[ "$output" == *"default or vm"* ]]
    # a kernel that does not boot: a clear error, nothing left
    printf 'not a kernel' > "$BATS_TEST_TMPDIR/bad"
    run env MOAT_VM_KERNEL="$BATS_TEST_TMPDIR/bad" "$MOAT" --root "$STORE" run --rm --network none --isolation vm bb:1 true
    [ "$status" -ne 0 ]
    echo "$output"
    [[ "$output" == *bad* ]] || [[ "$output" == *kernel* ]]
    [ -z "$(m ps -aq)" ]
    ! pgrep -f "$BATS_TEST_TMPDIR/bad" > /dev/null
}

@test "vm: making an initramfs prunes the cache's old ones, not the fresh" {
    local kd=/var/lib/moat/vm k
    k=$(ls /var/lib/moat/vm/vmlinux 2>/dev/null || ls /boot/vmlinuz-*-cloud-amd64 | sort -V | tail -1)
    touch -d '2 hours ago' "$kd/initrd-0000old.cpio"
    touch "$kd/initrd-0000fresh.cpio"
    # a copy of the kernel is another kernel to the cache: a miss
    cp "$k" "$BATS_TEST_TMPDIR/vmlinux"
    run -0 env MOAT_VM_KERNEL="$BATS_TEST_TMPDIR/vmlinux" "$MOAT" --root "$STORE" run --rm --network none --isolation vm bb:1 echo booted
    [ "$output" = booted ]
    [ ! -e "$kd/initrd-0000old.cpio" ]
    [ -e "$kd/initrd-0000fresh.cpio" ]
    rm -f "$kd/initrd-0000fresh.cpio"
}

@test "vm attack: a symlink in the image cannot lead a volume out of the image, over QEMU's files" {
    # the image's /data is a link to /usr: in the sandbox /usr is QEMU's
    local r=$BATS_TEST_TMPDIR/evil
    mkdir -p "$r"
    tar -C "$r" -xzf "$BATS_FILE_TMPDIR/rootfs.tgz"
    ln -s /usr "$r/data"
    ln -s ../../usr "$r/up"
    tar -C "$r" -czf "$BATS_TEST_TMPDIR/evil.tgz" .
    m import "$BATS_TEST_TMPDIR/evil.tgz" evil:1 > /dev/null
    run -125 m run --rm --network none --isolation vm -v evvol:/data evil:1 true
    [[ "$output" == *'"/data" goes through a symlink'* ]]
    run -125 m run --rm --network none --isolation vm -v evvol:/up/x evil:1 true
    [[ "$output" == *symlink* ]]
    # nor a bind under another (its path runs through the other's content)
    run -125 m run --rm --network none --isolation vm -v evvol:/v -v evvol2:/v/sub bb:1 true
    [[ "$output" == *"under the bind mount at /v"* ]]
    [ -z "$(m ps -aq)" ]
    ! pgrep -f qemu-system-x86_64 > /dev/null || [ -z "$(vm_pids)" ]
}

@test "vm: the guest is on the container's network (QEMU's user-mode network): names and addresses of its network" {
    m network create vmnet > /dev/null
    m run -d --network vmnet --name vmweb bb:1 \
        sh -c 'mkdir -p /www; echo hello-from-web > /www/index.html; exec httpd -f -p 80 -h /www' > /dev/null
    local ip
    ip=$(m inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' vmweb)
    [ -n "$ip" ]
    run -0 m run --rm --network vmnet --isolation vm bb:1 \
        sh -c "ip -4 addr show eth0 | grep -o 'inet [0-9./]*'; wget -q -O- http://$ip/; wget -q -O- http://vmweb/"
    [ "$output" = "$(printf 'inet 10.0.2.15/24\nhello-from-web\nhello-from-web')" ]
    # a published port reaches the guest (QEMU forwards the container's ports)
    local port=$((20000 + RANDOM % 20000)) id out i
    id=$(m run -d --network vmnet -p "127.0.0.1:$port:80" --isolation vm bb:1 \
        sh -c 'mkdir -p /www; echo hello-from-vm > /www/index.html; exec httpd -f -p 80 -h /www')
    for i in $(seq 100); do
        out=$(curl -s -m 2 "http://127.0.0.1:$port/") && [ -n "$out" ] && break
        sleep 0.3
    done
    [ "$out" = hello-from-vm ]
    m rm -f "$id" > /dev/null
    # --network none: no network device at all, nor its driver (the
    # guest loads what only a network needs only with one)
    run -0 m run --rm --network none --isolation vm bb:1 sh -c 'ls /sys/class/net; ls /sys/module'
    [ "${lines[0]}" = lo ]
    [[ " ${lines[*]} " != *" virtio_net "* ]]
    [[ " ${lines[*]} " == *" virtio_console "* ]]
    m rm -f vmweb > /dev/null
    m network rm vmnet > /dev/null
}

@test "vm: the runtime's CLI (as engines drive it) takes the annotation run.oci.handler=vm" {
    local b=$BATS_TEST_TMPDIR/bundle
    mkdir -p "$b/rootfs"
    tar -C "$b/rootfs" -xzf "$BATS_FILE_TMPDIR/rootfs.tgz"
    (cd "$b" && "$MOAT" spec)
    jq '.annotations = {"run.oci.handler": "vm"} | .process.terminal = false
        | .process.args = ["sh", "-c", "uname -r; exit 7"]' "$b/config.json" > "$b/c.json"
    mv "$b/c.json" "$b/config.json"
    run -7 "$MOAT" --root "$BATS_TEST_TMPDIR/rt" run -b "$b" vmoci
    [[ "$output" == *cloud-amd64 ]]
    [ "$output" != "$(uname -r)" ]
    run -0 "$MOAT" --root "$BATS_TEST_TMPDIR/rt" list -q
    [ -z "$output" ]
    # exec as containerd and conmon drive it: --process with a terminal,
    # --console-socket, --pid-file, detached; the pid is a process that
    # takes the exec's signals and ends with its status
    jq '.process.args = ["sleep", "1000"]' "$b/config.json" > "$b/c.json"
    mv "$b/c.json" "$b/config.json"
    "$MOAT" --root "$BATS_TEST_TMPDIR/rt" run -d -b "$b" vmoci2 < /dev/null > /dev/null 2>&1
    jq '.process | .terminal = true | .args = ["sh", "-c",
        "tty; stty size; trap \"echo got-term; exit 5\" TERM; echo ready; while :; do sleep 0.1; done"]' \
        "$b/config.json" > "$BATS_TEST_TMPDIR/p.json"
    start_recvtty
    run -0 python3 - "$MOAT" "$BATS_TEST_TMPDIR" <<'PYEOF'
import ctypes, os, subprocess, sys, time
moat, d = sys.argv[1], sys.argv[2]
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: the holder is ours to reap
subprocess.run([moat, "--root", d + "/rt", "exec", "--detach", "--pid-file", d + "/exec.pid",
                "--console-socket", d + "/sock", "--process", d + "/p.json", "vmoci2"], check=True)
pid = int(open(d + "/exec.pid").read())
for _ in range(300):
    if "ready" in open(d + "/tty.out").read():
        break
    time.sleep(0.1)
os.kill(pid, 15)
_, st = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(st))
PYEOF
    [ "$output" = 5 ]
    local out i
    for i in $(seq 50); do out=$(cat "$BATS_TEST_TMPDIR/tty.out"); [[ "$out" == *got-term* ]] && break; sleep 0.1; done
    [[ "$out" == */dev/pts/* ]]
    [[ "$out" == *got-term* ]]
    # detached without a terminal, the process writes to the caller's
    # stdio (conmon's and the shims' pipes), as runc's exec -d
    jq '.process | .args = ["sh", "-c", "echo detached-out; echo detached-err >&2"]' \
        "$b/config.json" > "$BATS_TEST_TMPDIR/p2.json"
    "$MOAT" --root "$BATS_TEST_TMPDIR/rt" exec --detach --process "$BATS_TEST_TMPDIR/p2.json" vmoci2 \
        > "$BATS_TEST_TMPDIR/d.out" 2> "$BATS_TEST_TMPDIR/d.err"
    for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/d.err" ] && break; sleep 0.1; done
    [ "$(cat "$BATS_TEST_TMPDIR/d.out")" = detached-out ]
    [ "$(cat "$BATS_TEST_TMPDIR/d.err")" = detached-err ]
    # as for any container: a detached terminal needs --console-socket
    # (the caller's own would outlive it in the sandbox)
    run -1 "$MOAT" --root "$BATS_TEST_TMPDIR/rt" exec --tty --detach vmoci2 true
    [[ "$output" == *"needs --console-socket"* ]]
    # a pid file that cannot be written: the exec fails, and nothing of it runs on
    jq '.process | .args = ["sleep", "60"]' "$b/config.json" > "$BATS_TEST_TMPDIR/p3.json"
    run -1 "$MOAT" --root "$BATS_TEST_TMPDIR/rt" exec --detach --pid-file "$BATS_TEST_TMPDIR/no/such/pid" \
        --process "$BATS_TEST_TMPDIR/p3.json" vmoci2
    sleep 0.5
    ! pgrep -f "$BATS_TEST_TMPDIR/no/such/pid" > /dev/null
    "$MOAT" --root "$BATS_TEST_TMPDIR/rt" delete -f vmoci2
}

@test "vm attack: exec goes only to the supervisor's own socket, never a link or another listener the sandbox put there" {
    local id pid
    id=$(m run -d --network none --isolation vm bb:1 sleep 1000)
    pid=$(m inspect -f '{{.State.Pid}}' "$id")
    local run=/proc/$pid/root/run/moat-vm i
    for i in $(seq 100); do [ -S "$run/exec.sock" ] && break; sleep 0.1; done
    run -0 m exec "$id" echo reached
    [ "$output" = reached ]
    # a listener of the host's, reached through a link in the sandbox
    local evil=$BATS_TEST_TMPDIR/evil.sock
    python3 -c "
import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
try:
    c, _ = s.accept(); open(sys.argv[1] + '.got', 'w').write('connected')
except OSError:
    pass" "$evil" &
    local lp=$!
    for i in $(seq 50); do [ -S "$evil" ] && break; sleep 0.1; done
    # as the sandbox's root (a process that escaped QEMU)
    nsenter -t "$pid" -U -m sh -c "mv /run/moat-vm/exec.sock /run/moat-vm/real.sock && ln -s $evil /run/moat-vm/exec.sock"
    run m exec "$id" echo reached
    [ "$status" -ne 0 ]
    [ ! -e "$evil.got" ]
    kill "$lp" 2> /dev/null || true
    nsenter -t "$pid" -U -m sh -c "rm /run/moat-vm/exec.sock && mv /run/moat-vm/real.sock /run/moat-vm/exec.sock"
    run -0 m exec "$id" echo again
    [ "$output" = again ]
}

@test "vm: the runtime refuses a VM without a user namespace of its own, and odd bind paths" {
    local b=$BATS_TEST_TMPDIR/bundle
    mkdir -p "$b/rootfs" "$BATS_TEST_TMPDIR/v"
    tar -C "$b/rootfs" -xzf "$BATS_FILE_TMPDIR/rootfs.tgz"
    (cd "$b" && "$MOAT" spec)
    jq '.annotations = {"run.oci.handler": "vm"} | .process.terminal = false
        | .linux.namespaces |= map(select(.type != "user"))
        | del(.linux.uidMappings) | del(.linux.gidMappings)' "$b/config.json" > "$b/c.json"
    cp "$b/c.json" "$b/config.json"
    run -1 "$MOAT" --root "$BATS_TEST_TMPDIR/rt" run -b "$b" vmroot
    [[ "$output" == *"new user namespace whose root is not the host's"* ]]
    rm -f "$b/config.json"
    (cd "$b" && "$MOAT" spec)
    jq --arg v "$BATS_TEST_TMPDIR/v" '.annotations = {"run.oci.handler": "vm"} | .process.terminal = false
        | .mounts += [{"destination": "/./x", "type": "bind", "source": $v, "options": ["rbind"]}]' \
        "$b/config.json" > "$b/c.json"
    cp "$b/c.json" "$b/config.json"
    run -1 "$MOAT" --root "$BATS_TEST_TMPDIR/rt" run -b "$b" vmdot
    [[ "$output" == *"not a plain path"* ]]
    run -0 "$MOAT" --root "$BATS_TEST_TMPDIR/rt" list -q
    [ -z "$output" ]
}
