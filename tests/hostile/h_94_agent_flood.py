#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""h_94, inside a box: N connections to the box's agent socket at once,
each asking for the identities (SSH2_AGENTC_REQUEST_IDENTITIES), all held
open while the relays are counted, then M more one after the other.
Prints @@ANSWERED=..@@ @@HELD_RELAYS=..@@ @@SEQ_OK=..@@.  Not a test
file itself (run.sh runs h_*.sh only).
"""
import os
import socket
import struct
import sys

sock = os.environ.get("SSH_AUTH_SOCK", "")
n, m = int(sys.argv[1]), int(sys.argv[2])


def ask(s):
    """One identities request; True when the agent answered it."""
    try:
        s.settimeout(10)
        s.sendall(struct.pack(">IB", 1, 11))
        hdr = s.recv(4)
        if len(hdr) < 4:
            return False
        body = s.recv(struct.unpack(">I", hdr)[0])
        return len(body) > 0 and body[0] == 12
    except OSError:
        return False


def relays():
    k = 0
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/comm" % p) as f:
                    k += f.read().strip() == "loginbox-agent"
            except OSError:
                pass
    return k


held, answered = [], 0
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(sock)
    except OSError:
        continue
    held.append(s)
    answered += ask(s)
print("@@ANSWERED=%d@@" % answered)
print("@@HELD_RELAYS=%d@@" % relays())
for s in held:
    s.close()
ok = 0
for _ in range(m):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(sock)
        ok += ask(s)
    except OSError:
        pass
    s.close()
print("@@SEQ_OK=%d@@" % ok)
sys.stdout.flush()
