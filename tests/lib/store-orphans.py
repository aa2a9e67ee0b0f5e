#!/usr/bin/env python3
"""store-orphans.py STORE: list what in an engine store no image uses.

Prints, one a line, every blob in blobs/sha256 and every layer in layers/
that no image record (images/HEX.json -> its manifest -> config and layer
blobs, and the config's rootfs.diff_ids) references, every entry of tmp/,
and every temporary file (".NAME.tmpPID") in blobs/sha256, images/ and the
store's top. Exits 1 if it printed anything, 0 if the store holds only what
its images use."""
import json
import os
import sys

S = sys.argv[1]
blobs, diffs = set(), set()


def blob(d):
    with open(os.path.join(S, "blobs", "sha256", d.split(":", 1)[1]), "rb") as f:
        return json.load(f)


for rec in os.listdir(os.path.join(S, "images")):
    if rec.startswith(".") or not rec.endswith(".json"):
        continue
    with open(os.path.join(S, "images", rec)) as f:
        md = json.load(f)["manifest"]
    m = blob(md)
    cfg = m["config"]["digest"]
    blobs.update([md, cfg] + [l["digest"] for l in m["layers"]])
    diffs.update(blob(cfg)["rootfs"]["diff_ids"])

out = []
for name in os.listdir(os.path.join(S, "blobs", "sha256")):
    if "sha256:" + name not in blobs:
        out.append("blobs/sha256/" + name)
for name in os.listdir(os.path.join(S, "layers")):
    if "sha256:" + name not in diffs:
        out.append("layers/" + name)
out += ["tmp/" + n for n in os.listdir(os.path.join(S, "tmp"))]
for d in (".", "images"):
    out += [d + "/" + n for n in os.listdir(os.path.join(S, d)) if n.startswith(".") and ".tmp" in n]
for line in sorted(out):
    print(line)
sys.exit(1 if out else 0)
