#!/usr/bin/env python3
"""hostile-tar.py CASE OUT: write a layer tarball that tries CASE.

Each case is something a hostile image could put in a layer; moat must
refuse it (or, for the confined ones, keep it inside the layer)."""
import gzip
import io
import sys
import tarfile


def reg(name, data=b"x", mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = mode
    return ti, io.BytesIO(data)


def sym(name, target):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.SYMTYPE
    ti.linkname = target
    return ti, None


def hard(name, target):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.LNKTYPE
    ti.linkname = target
    return ti, None


def dev(name):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.CHRTYPE
    ti.devmajor, ti.devminor = 1, 3
    return ti, None


def dirent(name):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE
    ti.mode = 0o755
    return ti, None


CASES = {
    # refused
    "dotdot": [reg("../../../../tmp/moat-escaped")],
    "dotdot-inner": [dirent("a"), reg("a/../../moat-escaped")],
    "absolute": [reg("/tmp/moat-escaped")],
    "hardlink-out": [hard("passwd", "/etc/passwd")],
    "hardlink-dotdot": [hard("passwd", "../../../../etc/passwd")],
    "hardlink-missing": [hard("x", "not/in/this/layer")],
    "hardlink-dir": [dirent("d"), hard("x", "d")],
    # confined: the symlink is followed inside the layer, never outside
    "symlink-parent": [sym("link", "/"), reg("link/tmp/moat-escaped")],
    "symlink-dotdot": [sym("up", "../../../../../.."), reg("up/tmp/moat-escaped")],
    "symlink-replace": [sym("f", "/tmp/moat-escaped"), reg("f", b"inside")],
    # policy
    "device": [dirent("dev"), dev("dev/null2"), reg("ok")],
    "setuid": [reg("suid", b"#!/bin/sh\n", 0o4755)],
    "whiteout": [dirent("etc"), reg("etc/.wh.passwd", b""), dirent("opq"),
                 reg("opq/.wh..wh..opq", b"")],
    "many": [reg("f%d" % i) for i in range(20)],
    "big": [reg("big", b"y" * 200000)],
}


def main():
    case, out = sys.argv[1], sys.argv[2]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for ti, data in CASES[case]:
            t.addfile(ti, data)
    raw = buf.getvalue()
    with open(out, "wb") as f:
        f.write(gzip.compress(raw) if out.endswith(".gz") else raw)


if __name__ == "__main__":
    main()
