#!/usr/bin/env python3
"""dns-upstream.py ADDR LOG: a tiny DNS server for the embedded resolver's
tests (engine_dns.bats), playing the host's upstream resolver: on ADDR:53,
UDP and TCP, it answers an A question for a name ending in .example.test
with 203.0.113.7 (TTL 60), any other name with NXDOMAIN, and appends
"udp NAME" or "tcp NAME" to LOG for each question."""
import socket
import struct
import sys
import threading

addr, log = sys.argv[1], sys.argv[2]


def answer(q):
    if len(q) < 12:
        return None
    qid, flags = struct.unpack(">HH", q[:4])
    p, labels = 12, []
    while p < len(q) and q[p]:
        labels.append(q[p + 1:p + 1 + q[p]].decode("ascii", "replace"))
        p += 1 + q[p]
    p += 5
    name = ".".join(labels).lower()
    known = name.endswith(".example.test")
    rflags = 0x8000 | (flags & 0x0100) | 0x0080 | (0 if known else 3)
    head = struct.pack(">HHHHHH", qid, rflags, 1, 1 if known else 0, 0, 0)
    rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([203, 0, 113, 7]) if known else b""
    return name, head + q[12:p] + rr


def note(kind, name):
    with open(log, "a") as f:
        f.write(f"{kind} {name}\n")


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        q, peer = s.recvfrom(4096)
        a = answer(q)
        if a:
            note("udp", a[0])
            s.sendto(a[1], peer)


def tcp():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 53))
    s.listen(4)
    while True:
        c, _ = s.accept()
        c.settimeout(5)
        try:
            n = struct.unpack(">H", c.recv(2, socket.MSG_WAITALL))[0]
            a = answer(c.recv(n, socket.MSG_WAITALL))
            if a:
                note("tcp", a[0])
                c.sendall(struct.pack(">H", len(a[1])) + a[1])
        except (OSError, struct.error):
            pass
        c.close()


threading.Thread(target=tcp, daemon=True).start()
print("ready", flush=True)
udp()
