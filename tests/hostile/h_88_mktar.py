#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# h_88_mktar.py KIND OUT.tar: one hostile tar archive for h_88_archives.sh
# (tarfile writes what tar(1) would refuse to create).
import tarfile, io, sys, os
def add(t, name, data=b"", **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items(): setattr(ti, k, v)
    if ti.type == tarfile.REGTYPE: ti.size = len(data)
    t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
kind, out = sys.argv[1], sys.argv[2]
mode = "w:gz" if out.endswith(".gz") else "w"
with tarfile.open(out, mode, format=tarfile.GNU_FORMAT) as t:
    add(t, "etc/", type=tarfile.DIRTYPE, mode=0o755)
    if kind == "dotdot": add(t, "etc/../../escape", b"x")
    if kind == "abs": add(t, "/tmp/lbimg-abs-escape", b"x")
    if kind == "symlink":
        add(t, "etc/link", type=tarfile.SYMTYPE, linkname="/tmp")
        add(t, "etc/link/lbimg-sym-escape", b"x")
    if kind == "symdir":
        add(t, "etc/up", type=tarfile.SYMTYPE, linkname="../../../../../../tmp")
        add(t, "etc/up/lbimg-sym2-escape", b"x")
    if kind == "hardlink": add(t, "etc/hl", type=tarfile.LNKTYPE, linkname="../../../etc/shadow")
    if kind == "hardlink2": add(t, "etc/hl", type=tarfile.LNKTYPE, linkname="/etc/shadow")
    if kind == "dev":
        add(t, "etc/sda", type=tarfile.BLKTYPE, devmajor=8, devminor=0, mode=0o666)
        add(t, "etc/mem", type=tarfile.CHRTYPE, devmajor=1, devminor=1, mode=0o666)
        add(t, "etc/ok", b"ok")
    if kind == "suid": add(t, "etc/suid", b"#!/bin/sh\n", mode=0o4755, uid=0)
    if kind == "filedir":
        add(t, "etc/x", b"file")
        add(t, "etc/x/", type=tarfile.DIRTYPE, mode=0o755)
        add(t, "etc/x/y", b"in dir")
    if kind == "huge":
        ti = tarfile.TarInfo("etc/huge"); ti.size = 1 << 40
        t.addfile(ti, None)  # header only; stream ends early
    if kind == "entries":
        for i in range(3000): add(t, "etc/f%d" % i, b"")
    if kind == "longpath": add(t, "etc/" + "a/" * 3000 + "f", b"x")
    if kind == "hlbelow":  # a hardlink to a file of the layer below
        add(t, "etc/copy", type=tarfile.LNKTYPE, linkname="etc/below")
    if kind == "hlchain":  # a symlink, then a hardlink through it
        add(t, "etc/s", type=tarfile.SYMTYPE, linkname="/etc")
        add(t, "etc/hl2", type=tarfile.LNKTYPE, linkname="etc/s/shadow")
