#!/usr/bin/env bats
# A container's files as tar streams and images: export, cp with "-"
# (and -a, -L), commit, import -c/-m. Hostile containers and archives
# included: symlinks planted where the copy goes, fifos, "../" names.

load common
load engine_common

bats_require_minimum_version 1.5.0

# no overlay of the store is mounted (a detached one is gone with moat)
no_mounts() {
    ! grep -q "$STORE" /proc/self/mountinfo
}

# ---- export ----

@test "export: a stopped container's files, ids as seen inside, its changes, -o" {
    id=$(m create --cap-add CHOWN bb:1 sh -c 'echo hi > /new; chown 1000:1001 /new; ln /new /new2; mkfifo /fifo; rm /bin/true; ln -s /etc/passwd /link; mkdir -p /d/e')
    m start -a "$id"
    m export "$id" > "$BATS_TEST_TMPDIR/out.tar"
    tar -tvf "$BATS_TEST_TMPDIR/out.tar" > "$BATS_TEST_TMPDIR/list"
    grep -E '^-rw-r--r-- 1000/1001 +3 .* new$' "$BATS_TEST_TMPDIR/list"
    grep -E '^p.* fifo$' "$BATS_TEST_TMPDIR/list"
    grep -E '^h.* new2 link to new$' "$BATS_TEST_TMPDIR/list"
    grep -E '^l.* link -> /etc/passwd$' "$BATS_TEST_TMPDIR/list"
    grep -E '^d.* 0/0 .* d/e/$' "$BATS_TEST_TMPDIR/list"
    grep -E ' bin/sh -> busybox$' "$BATS_TEST_TMPDIR/list"
    run -1 grep -E ' bin/true( |$)' "$BATS_TEST_TMPDIR/list"
    [ "$(tar -xOf "$BATS_TEST_TMPDIR/out.tar" new)" = hi ]
    # -o gives the same bytes; nothing else is left beside it
    m export -o "$BATS_TEST_TMPDIR/o.tar" "$id"
    cmp "$BATS_TEST_TMPDIR/out.tar" "$BATS_TEST_TMPDIR/o.tar"
    [ "$(ls "$BATS_TEST_TMPDIR" | grep -c moat-)" = 0 ]
    no_mounts
    # the container still starts afterwards
    m start -a "$id" 2>/dev/null || true
    [ "$(m inspect -f '{{.State.Status}}' "$id")" = exited ]
}

@test "export: a running container, by name; fifo and a symlink to / are not followed" {
    m run -d --name exp1 bb:1 sh -c 'mkfifo /p; ln -s / /up; ln -s /proc/1/root /pr; echo ok > /ready; sleep 100' >/dev/null
    for _ in $(seq 50); do m cp exp1:/ready - >/dev/null 2>&1 && break; sleep 0.1; done
    timeout 20 "$MOAT" --root "$STORE" export exp1 > "$BATS_TEST_TMPDIR/r.tar"
    tar -tvf "$BATS_TEST_TMPDIR/r.tar" > "$BATS_TEST_TMPDIR/list"
    grep -E '^p.* p$' "$BATS_TEST_TMPDIR/list"
    grep -E '^l.* up -> /$' "$BATS_TEST_TMPDIR/list"
    # only the container's own files: nothing of the host, no volumes, no /proc
    run -1 grep -E ' up/' "$BATS_TEST_TMPDIR/list"
    run -1 grep -E ' proc/1/' "$BATS_TEST_TMPDIR/list"
    [ "$(grep -c . "$BATS_TEST_TMPDIR/list")" -lt 2000 ]
    m rm -f exp1 >/dev/null
}

@test "export: a moat killed in the middle leaves no mount; the container starts as before" {
    id=$(m create bb:1 sh -c 'exit 3')
    mkfifo "$BATS_TEST_TMPDIR/f"
    "$MOAT" --root "$STORE" export "$id" > "$BATS_TEST_TMPDIR/f" &
    pid=$!
    exec {rd}< "$BATS_TEST_TMPDIR/f"
    head -c 4096 <&"$rd" > /dev/null # it is writing: its overlay is up
    kill -9 "$pid"
    wait "$pid" || true
    exec {rd}<&-
    no_mounts
    [ "$(m inspect -f '{{.State.Status}}' "$id")" = created ]
    run -3 m start -a "$id"
    [ "$(m inspect -f '{{.State.ExitCode}}' "$id")" = 3 ]
}

@test "export: refuses a terminal, an unknown container; a failed -o leaves nothing" {
    run -125 script -qec "$MOAT --root $STORE export x" /dev/null
    [[ "$output" == *"cowardly refusing to save to a terminal. Use the -o flag or redirect"* ]]
    run -125 m export nosuch -o "$BATS_TEST_TMPDIR/n.tar"
    [[ "$output" == *nosuch* ]]
    [ ! -e "$BATS_TEST_TMPDIR/n.tar" ]
    [ "$(ls "$BATS_TEST_TMPDIR" | grep -c moat-)" = 0 ]
    run -1 m export
    no_mounts
}

# ---- cp with "-", -a, -L ----

@test "cp CTR:PATH -: a tar of a directory and a file; ids as seen inside; -L follows in the root" {
    id=$(m create --cap-add CHOWN bb:1 sh -c 'mkdir -p /src/sub; echo a > /src/sub/f; chown -R 7:8 /src; mkfifo /src/p; ln -s /etc /src/etc; ln -s /src/sub/f /flink; ln -s / /rootlink')
    m start -a "$id"
    m cp "$id:/src" - > "$BATS_TEST_TMPDIR/s.tar"
    tar -tvf "$BATS_TEST_TMPDIR/s.tar" > "$BATS_TEST_TMPDIR/list"
    grep -E '^d.* 7/8 .* src/$' "$BATS_TEST_TMPDIR/list"
    grep -E '^-.* 7/8 .* src/sub/f$' "$BATS_TEST_TMPDIR/list"
    grep -E '^p.* src/p$' "$BATS_TEST_TMPDIR/list"
    grep -E '^l.* src/etc -> /etc$' "$BATS_TEST_TMPDIR/list"
    run -1 grep -E 'src/etc/' "$BATS_TEST_TMPDIR/list"
    # a symlink source: the link itself, or with -L its target under its name
    [ "$(m cp "$id:/flink" - | tar -tvf - | cut -c1)" = l ]
    [ "$(m cp -L "$id:/flink" - | tar -xOf - flink)" = a ]
    # -L through a link to /: the container's root, never the host's
    m cp -L "$id:/rootlink" - | tar -tf - > "$BATS_TEST_TMPDIR/r"
    grep -qx 'rootlink/src/sub/f' "$BATS_TEST_TMPDIR/r"
    run -1 grep -q 'rootlink/work/' "$BATS_TEST_TMPDIR/r"
    # a link to / on the way: resolved in the container's root, not the host's
    [ "$(m cp "$id:/rootlink/src/sub/f" - | tar -xOf - f)" = a ]
    [ -e /etc/shadow ] && [ ! -e "$ROOTFS/etc/shadow" ]
    run -125 m cp "$id:/rootlink/etc/shadow" -
    run -125 m cp -L "$id:/rootlink/../../etc/shadow" -
    # a file
    [ "$(m cp "$id:/src/sub/f" - | tar -xOf - f)" = a ]
    run -125 m cp "$id:/nosuch" -
    [[ "$output" == *nosuch* ]]
    no_mounts
}

@test "cp - CTR:DIR: extracts a tar into the container, owned by its root, -a keeps ids (mapped)" {
    id=$(m run -d bb:1 sleep 100)
    src="$BATS_TEST_TMPDIR/t"
    mkdir -p "$src/d"
    echo hello > "$src/d/f"
    chown -R 1234:2345 "$src/d"
    tar -C "$src" -cf "$BATS_TEST_TMPDIR/in.tar" d
    m cp - "$id:/tmp" < "$BATS_TEST_TMPDIR/in.tar"
    [ "$(m exec "$id" cat /tmp/d/f)" = hello ]
    [ "$(m exec "$id" stat -c %u:%g /tmp/d/f)" = 0:0 ]
    m exec "$id" mkdir /tmp/a
    m cp -a - "$id:/tmp/a" < "$BATS_TEST_TMPDIR/in.tar"
    [ "$(m exec "$id" stat -c %u:%g /tmp/a/d/f)" = 1234:2345 ]
    # host -> container and back with -a, a stopped container too
    m stop -t 1 "$id" >/dev/null
    m cp -a "$src/d" "$id:/d2"
    m cp -a "$id:/d2" "$BATS_TEST_TMPDIR/back"
    [ "$(stat -c %u:%g "$BATS_TEST_TMPDIR/back/f")" = 1234:2345 ]
    m cp - "$id:/" < "$BATS_TEST_TMPDIR/in.tar"
    no_mounts
    m start "$id" >/dev/null
    [ "$(m exec "$id" cat /d/f)" = hello ]
    # the destination of a stream must be a directory
    run -125 m cp - "$id:/d/f" < "$BATS_TEST_TMPDIR/in.tar"
    [[ "$output" == *"must be a directory"* ]]
    # ids outside the container's range are refused with -a
    tar -C "$src" --owner=70000 -cf "$BATS_TEST_TMPDIR/big.tar" d
    run -125 m cp -a - "$id:/tmp" < "$BATS_TEST_TMPDIR/big.tar"
    [[ "$output" == *"outside the container's ids"* ]]
}

@test "cp - CTR:DIR: a hostile tar (../, absolute, symlink then file, planted link) stays in the target" {
    id=$(m run -d bb:1 sh -c 'mkdir -p /tmp/t/tmp; ln -s / /tmp/t/planted; sleep 100')
    for _ in $(seq 50); do m exec "$id" test -L /tmp/t/planted && break; sleep 0.1; done
    w="$BATS_TEST_TMPDIR/w"
    mkdir -p "$w"
    marker="moat-tar-escape-$$"
    rm -f "/tmp/$marker" "/$marker"
    # "../" names and absolute names: refused with the entry's name
    python3 - "$w" "$marker" <<'PY'
import io, sys, tarfile
w, marker = sys.argv[1], sys.argv[2]
def add(t, name, data=b"x", kind=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link
    if kind == tarfile.REGTYPE:
        i.size = len(data); t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
with tarfile.open(w + "/dotdot.tar", "w") as t:
    add(t, "ok"); add(t, "../../../../tmp/" + marker)
with tarfile.open(w + "/abs.tar", "w") as t:
    add(t, "/tmp/" + marker)
with tarfile.open(w + "/link.tar", "w") as t:
    add(t, "l", kind=tarfile.SYMTYPE, link="/tmp")
    add(t, "l/" + marker, b"through the link")
    add(t, "planted/" + marker + ".p", b"through the planted link")
    add(t, "up", kind=tarfile.SYMTYPE, link="../../../..")
    add(t, "up/" + marker + ".u", b"up")
with tarfile.open(w + "/nodir.tar", "w") as t:
    add(t, "n", kind=tarfile.SYMTYPE, link="/nosuchdir")
    add(t, "n/" + marker, b"x")
PY
    run -125 m cp - "$id:/tmp/t" < "$w/dotdot.tar"
    [[ "$output" == *'"../../../../tmp/'*'"'* ]]
    run -125 m cp - "$id:/tmp/t" < "$w/abs.tar"
    [[ "$output" == *"/tmp/$marker"* ]]
    # links (planted or from the archive) resolve inside the target
    m cp - "$id:/tmp/t" < "$w/link.tar"
    [ ! -e "/tmp/$marker" ] && [ ! -e "/$marker.p" ] && [ ! -e "/$marker.u" ]
    run -1 m exec "$id" test -e "/tmp/$marker"
    run -1 m exec "$id" test -e "/$marker.p"
    [ "$(m exec "$id" cat "/tmp/t/tmp/$marker")" = "through the link" ]
    [ "$(m exec "$id" cat "/tmp/t/$marker.p")" = "through the planted link" ]
    [ "$(m exec "$id" cat "/tmp/t/$marker.u")" = up ]
    # a link to where nothing is: the entry behind it is refused
    run -125 m cp - "$id:/tmp/t" < "$w/nodir.tar"
    [[ "$output" == *"n/$marker"* ]]
    [ ! -e "/nosuchdir" ]
    # a corrupt stream: a clear error
    head -c 700 "$w/link.tar" > "$w/cut.tar"
    run -125 m cp - "$id:/tmp/t" < "$w/cut.tar"
    [[ "$output" == *"/tmp/t"* ]]
}

# ---- commit ----

@test "commit: the container's changes as a new layer; deletions, opaque dirs, ids; run and history" {
    id=$(m create --cap-add CHOWN -e A=1 -w /tmp --label x=y bb:1 sh -c 'echo hi > /hello; chown 1000:1001 /hello; rm /bin/true; rm -rf /usr; mkdir -p /usr/new; mkfifo /fifo; ln -s / /up')
    m start -a "$id"
    n=$(m images -q | wc -l)
    img=$(m commit -m "a message" -a "Me <me@x>" -c 'ENV B="two words"' -c 'EXPOSE 80 90/udp' \
        -c 'LABEL y=z' -c 'WORKDIR sub' "$id" cm:1)
    [[ "$img" == sha256:* ]]
    [ "$(m images -q | wc -l)" -eq $((n + 1)) ]
    run m run --rm cm:1 sh -c 'cat /hello; stat -c %u:%g /hello; test -e /bin/true || echo gone; ls /usr; echo "$A|$B"; pwd; test -p /fifo && echo fifo; readlink /up; test -s /etc/hosts && echo hosts'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = hi ]
    [ "${lines[1]}" = 1000:1001 ]
    [ "${lines[2]}" = gone ]
    [ "${lines[3]}" = new ]
    [ "${lines[4]}" = "1|two words" ]
    [ "${lines[5]}" = /tmp/sub ]
    [ "${lines[6]}" = fifo ]
    [ "${lines[7]}" = / ]
    [ "${lines[8]}" = hosts ]
    [ "$(m inspect -f '{{json .Config.ExposedPorts}}' cm:1)" = '{"80/tcp":{},"90/udp":{}}' ]
    [ "$(m inspect -f '{{.Config.Labels.x}} {{.Config.Labels.y}}' cm:1)" = "y z" ]
    [ "$(m inspect -f '{{.Author}}' cm:1)" = "Me <me@x>" ]
    # Docker's (API 1.44) keys of image inspect
    [ "$(m image inspect -f '{{.Comment}}|{{.Parent}}|{{json .ContainerConfig.Cmd}}|{{.ContainerConfig.Tty}}|{{.Metadata.LastTagTime}}' cm:1)" = \
        "a message||null|false|0001-01-01T00:00:00Z" ]
    m history --format '{{.Comment}}|{{.CreatedBy}}' --no-trunc cm:1 | head -1 | grep -q '^a message|sh -c echo hi'
    [ "$(m history -q cm:1 | wc -l)" -eq 2 ]
    # the layer itself: OCI whiteouts, ids as seen inside
    m save cm:1 -o "$BATS_TEST_TMPDIR/cm.tar"
    mkdir "$BATS_TEST_TMPDIR/x"
    tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/cm.tar"
    layer=$(jq -r '.[0].Layers[-1]' "$BATS_TEST_TMPDIR/x/manifest.json")
    tar -tvf "$BATS_TEST_TMPDIR/x/$layer" > "$BATS_TEST_TMPDIR/list"
    grep -E ' bin/\.wh\.true$' "$BATS_TEST_TMPDIR/list"
    grep -E ' usr/\.wh\.\.wh\.\.opq$' "$BATS_TEST_TMPDIR/list"
    grep -E '1000/1001 .* hello$' "$BATS_TEST_TMPDIR/list"
    run -1 grep -E 'etc/host' "$BATS_TEST_TMPDIR/list"
    no_mounts
}

@test "commit: a running container is paused meanwhile and runs on; -p=false; CMD and ENTRYPOINT" {
    id=$(m run -d bb:1 sh -c 'echo up > /state; sleep 100')
    for _ in $(seq 50); do m exec "$id" test -e /state && break; sleep 0.1; done
    m commit -c 'CMD ["cat", "/state"]' "$id" run:1 >/dev/null
    [ "$(m inspect -f '{{.State.Status}}' "$id")" = running ]
    [ "$(m run --rm run:1)" = up ]
    m commit --pause=false -c 'ENTRYPOINT echo from entrypoint' "$id" run:2 >/dev/null
    [ "$(m run --rm run:2)" = "from entrypoint" ]
    [ "$(m inspect -f '{{json .Config.Cmd}}' run:2)" = null ]
    # a paused container stays paused
    m pause "$id" >/dev/null
    m commit "$id" run:3 >/dev/null
    [ "$(m inspect -f '{{.State.Status}}' "$id")" = paused ]
    m unpause "$id" >/dev/null
    # without a name: an image with only its id
    img=$(m commit "$id")
    m images -q --no-trunc | grep -q "${img#sha256:}"
}

@test "commit: bad changes and containers: exit 125, Docker's words, no image, nothing left" {
    id=$(m create bb:1 true)
    n=$(m images -q | wc -l)
    run -125 m commit -c 'RUN rm -rf /' "$id" bad:1
    [[ "$output" == *"RUN is not a valid change command"* ]]
    run -125 m commit -c 'ONBUILD RUN x' "$id" bad:1
    [[ "$output" == *ONBUILD* ]]
    run -125 m commit -c 'EXPOSE 99999' "$id" bad:1
    [[ "$output" == *99999* ]]
    run -125 m commit -c 'STOPSIGNAL NOPE' "$id" bad:1
    run -125 m commit -c 'ENV "unterminated' "$id" bad:1
    run -125 m commit "$id" 'Bad Name'
    run -125 m commit nosuch bad:1
    [ "$(m images -q | wc -l)" -eq "$n" ]
    run -1 m inspect bad:1
    [ -z "$(ls -A "$STORE/tmp")" ]
    no_mounts
}

# ---- import -c/-m ----

@test "import -c/-m: the changes in the image's config, the message in its history; export | import" {
    id=$(m create bb:1 sh -c 'echo exported > /mark')
    m start -a "$id"
    m export "$id" | m import -c 'CMD ["cat", "/mark"]' -c 'ENV X=1 Y="a b"' -c 'ENV X=$X:2' -c 'USER 1000:1000' \
        -c 'VOLUME /data' -c 'STOPSIGNAL SIGINT' -c 'workdir /w' -m "from export" - imp:1 >/dev/null
    [ "$(m inspect -f '{{json .Config.Cmd}}' imp:1)" = '["cat","/mark"]' ]
    [ "$(m inspect -f '{{json .Config.Env}}' imp:1)" = '["X=1:2","Y=a b"]' ]
    [ "$(m inspect -f '{{.Config.User}} {{.Config.StopSignal}} {{.Config.WorkingDir}}' imp:1)" = "1000:1000 SIGINT /w" ]
    [ "$(m inspect -f '{{json .Config.Volumes}}' imp:1)" = '{"/data":{}}' ]
    [ "$(m history --format '{{.Comment}}' imp:1)" = "from export" ]
    [ "$(m run --rm -u 0 imp:1)" = exported ]
    # a bad change: exit 125, nothing read, no image
    n=$(m images -q | wc -l)
    run -125 m import -c 'FROM scratch' - bad:2 < /dev/null
    [[ "$output" == *"FROM is not a valid change command"* ]]
    run -125 m import -c 'HEALTHCHECK NONE' - bad:2 < /dev/null
    run -125 m import --platform linux/arm64 - bad:2 < /dev/null
    [ "$(m images -q | wc -l)" -eq "$n" ]
    [ -z "$(ls -A "$STORE/tmp")" ]
}

@test "cp into a container never writes through its bind mounts as the host's root" {
    local h="$BATS_TEST_TMPDIR/h" t="$BATS_TEST_TMPDIR/t"
    mkdir -p "$h/sub" "$t/one/sub" "$t/two/data"
    echo keep > "$h/sub/keep"
    echo top > "$h/top"
    m run -d --name bm -v "$h:/data" bb:1 sleep 300 > /dev/null
    # a file where the container has its bind: the host's tree stays
    echo x > "$t/one/data"
    run -125 bash -c "tar -C '$t/one' -cf - data | $MOAT --root $STORE cp - bm:/"
    [[ $output == *"mount point"* ]]
    [ "$(cat "$h/sub/keep")" = keep ]
    # through a link the container planted onto its bind: refused, no chown
    m exec bm ln -s /data /app
    echo t > "$t/one/sub/top"
    run -125 bash -c "tar -C '$t/one/sub' -cf - . | $MOAT --root $STORE cp - bm:/app"
    [ "$(stat -c %u "$h/sub")" = 0 ]
    [ "$(cat "$h/top")" = top ]
    # a host directory named like the bind: its mode and owner stay
    chmod 777 "$t/two/data"
    local before
    before=$(stat -c '%a %u' "$h")
    run -125 m cp "$t/two/data" bm:/
    [ "$(stat -c '%a %u' "$h")" = "$before" ]
    # the container's own files are copied to as before
    run -0 bash -c "tar -C '$t/one/sub' -cf - . | $MOAT --root $STORE cp - bm:/tmp"
    run -0 m exec bm cat /tmp/top
    [ "$output" = t ]
}

@test "save -o: a link planted beside the output (a guessable temporary name) is not written through" {
    local d="$BATS_TEST_TMPDIR/shared" victim="$BATS_TEST_TMPDIR/victim"
    mkdir -m 1777 "$d"
    echo precious > "$victim"
    # another user of a sticky directory, such as /tmp, expects moat to
    # write its temporary file at OUTPUT.tmp
    ln -s "$victim" "$d/out.tar.tmp"
    m save -o "$d/out.tar" bb:1
    [ "$(cat "$victim")" = precious ]
    [ -L "$d/out.tar.tmp" ]
    tar -tf "$d/out.tar" | grep -q '^manifest.json$'
    # a failed save leaves neither the output nor a temporary file
    run -1 m save -o "$d/fail.tar" nosuch:1
    [ ! -e "$d/fail.tar" ]
    [ -z "$(ls "$d" | grep -v '^out\.tar')" ]
}
