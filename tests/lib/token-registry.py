#!/usr/bin/env python3
"""token-registry.py DIR PORTFILE [MODE]: a read-only registry (API v2) that
serves the OCI layout in DIR behind Bearer-token auth, the way Docker Hub
does: /v2/ answers 401 with a challenge, /token hands out a token for the
user "moat" with password "secret" (Basic), and manifests and blobs need
that token. It listens on 127.0.0.1 on a free port, written to PORTFILE.

MODE makes it hostile: "corrupt" serves layer blobs with one byte changed,
"long" serves more bytes than the manifest says, "anon" needs no password
for a token (anonymous pulls, as Docker Hub allows for public images).
"huge" serves a manifest whose first layer declares 1 TB and streams zeros
for it (at most 256 MiB), writing the bytes it managed to send to
PORTFILE.sent. "hold" sends the first half of a layer blob, creates
PORTFILE.held and sends the rest only once PORTFILE.release exists (so a
test can look at the client while it runs)."""
import base64
import hashlib
import http.server
import json
import os
import sys
import time

DIR, PORTFILE = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else ""
TOKEN = "tok-" + hashlib.sha256(os.urandom(8)).hexdigest()[:16]
index = json.load(open(os.path.join(DIR, "index.json")))
manifest_digest = index["manifests"][0]["digest"]


def blob(d):
    return open(os.path.join(DIR, "blobs", "sha256", d.split(":", 1)[1]), "rb").read()


manifest = json.loads(blob(manifest_digest))


def layers_of(m):
    if "manifests" in m:  # an index: the layers of all its images
        return set().union(*(layers_of(json.loads(blob(e["digest"]))) for e in m["manifests"]))
    return {l["digest"] for l in m["layers"]}


layers = layers_of(manifest)
served = {}  # digest -> body, for manifests made here
if MODE == "huge":
    manifest["layers"][0]["size"] = 1 << 40
    body = json.dumps(manifest).encode()
    manifest_digest = "sha256:" + hashlib.sha256(body).hexdigest()
    served[manifest_digest] = body
    layers = {manifest["layers"][0]["digest"]}


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="application/json", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def challenge(self):
        port = self.server.server_address[1]
        self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', extra={
            "WWW-Authenticate": 'Bearer realm="http://127.0.0.1:%d/token",'
                                'service="test",scope="repository:app:pull"' % port})

    def do_GET(self):
        p = self.path
        if p.startswith("/token"):
            auth = self.headers.get("Authorization", "")
            ok = MODE == "anon" or auth == "Basic " + base64.b64encode(b"moat:secret").decode()
            if not ok:
                return self.send(401, b'{"errors":[{"code":"DENIED"}]}')
            return self.send(200, json.dumps({"token": TOKEN}).encode())
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.challenge()
        if p == "/v2/":
            return self.send(200, b"{}")
        parts = p.split("/")
        if len(parts) == 5 and parts[3] == "manifests":
            d = manifest_digest if parts[4] == "1" else parts[4]
            try:
                data = served[d] if d in served else blob(d)
            except (OSError, IndexError):
                return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
            return self.send(200, data, json.loads(data).get("mediaType", ""),
                             {"Docker-Content-Digest": d})
        if len(parts) == 5 and parts[3] == "blobs":
            if parts[4] in layers and MODE == "huge":
                return self.stream_zeros(256 << 20)
            data = blob(parts[4])
            if parts[4] in layers and MODE == "hold":
                return self.send_held(data)
            if parts[4] in layers and MODE == "corrupt":
                data = data[:-1] + bytes([data[-1] ^ 1])
            if parts[4] in layers and MODE == "long":
                data = data + b"extra bytes"
            return self.send(200, data, "application/octet-stream")
        self.send(404)

    def stream_zeros(self, limit):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(1 << 40))
        self.end_headers()
        sent, chunk = 0, bytes(1 << 16)
        try:
            while sent < limit:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        with open(PORTFILE + ".sent", "w") as f:
            f.write(str(sent))

    def send_held(self, data):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        open(PORTFILE + ".held", "w").close()
        for _ in range(1200):  # a minute at most
            if os.path.exists(PORTFILE + ".release"):
                break
            time.sleep(0.05)
        try:
            self.wfile.write(data[len(data) // 2 :])
        except OSError:
            pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
