#!/usr/bin/env python3
"""dns-query.py: a DNS client for the embedded resolver's tests
(engine_dns.bats), run in a container's network namespace (nsenter -n).

  dns-query.py udp|tcp NAME [TYPE]   ask 127.0.0.11:53 (TYPE a number, 1: A);
                                     prints "rcode N" and "A ADDR" per answer
  dns-query.py junk                  send it malformed messages, UDP and TCP
"""
import os
import socket
import struct
import sys

SERVER = ("127.0.0.11", 53)


def query(name, qtype=1, qid=0x4242):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", qtype, 1)


def ask(proto, name, qtype):
    q = query(name, qtype)
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(8)
        s.sendto(q, SERVER)
        r = s.recv(65535)
    else:
        s = socket.create_connection(SERVER, timeout=8)
        s.sendall(struct.pack(">H", len(q)) + q)
        n = struct.unpack(">H", s.recv(2, socket.MSG_WAITALL))[0]
        r = s.recv(n, socket.MSG_WAITALL)
    qid, flags, qd, an = struct.unpack(">HHHH", r[:8])
    assert qid == 0x4242 and flags & 0x8000, "not our reply"
    print("rcode", flags & 15)
    p = len(q)
    for _ in range(an):
        p += 2  # a pointer to the question's name
        t, _, ttl, ln = struct.unpack(">HHIH", r[p:p + 10])
        if t == 1:
            print("A", socket.inet_ntoa(r[p + 10:p + 14]), ttl)
        p += 10 + ln


def junk():
    good = query("x")
    bad = [b"", b"\0", good[:5], good[:12], good[:-1], good[:14],
           good[:12] + b"\xc0\x0c\0\1\0\1",            # a pointer to itself
           good[:12] + b"\x3f" + b"a" * 10,             # a label past the end
           good[:12] + b"\x01a" * 200 + b"\0\0\1\0\1",  # 400 bytes of name
           good[:2] + b"\x81\x80" + good[4:],           # a response
           good[:2] + b"\x29\x00" + good[4:],           # opcode UPDATE
           good[:4] + b"\xff\xff" + good[6:],           # 65535 questions
           good[:6] + b"\xff\xff" + good[8:],           # answers in a query
           good + os.urandom(3000), os.urandom(70000 // 20)]
    bad += [os.urandom(n) for n in (1, 11, 12, 13, 40, 300, 511, 4096) for _ in range(20)]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for b in bad:
        u.sendto(b[:65000], SERVER)
    for b in bad[:12] + [b"\xff\xff" + good, b"\0\0", b"\0\x05abc"]:
        try:
            t = socket.create_connection(SERVER, timeout=2)
            t.sendall(struct.pack(">H", len(b) & 0xffff) + b if len(b) > 2 else b)
            t.shutdown(socket.SHUT_WR)
            t.recv(100)
            t.close()
        except OSError:
            pass
    print("sent", len(bad))


if sys.argv[1] == "junk":
    junk()
else:
    ask(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1)
