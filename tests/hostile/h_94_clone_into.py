#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""h_94, inside a box as box root: clone3(CLONE_INTO_CGROUP) through the
box's read-only /sys/fs/cgroup (the permission is the kernel's inode check
of the target's cgroup.procs, not the mount's read-only flag) into each
directory given.  Prints @@CI_<name>=<child's cgroup line>@@ or the errno.
Not a test file itself (run.sh runs h_*.sh only).
"""
import ctypes
import errno
import os
import struct
import sys

CLONE_INTO_CGROUP = 0x200000000
SYS_clone3 = 435
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

for name in sys.argv[1:]:
    path = "/sys/fs/cgroup/" + ("" if name == "NODE" else name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as e:
        print("@@CI_%s=open:%s@@" % (name, errno.errorcode[e.errno]))
        continue
    r, w = os.pipe()
    args = struct.pack("=11Q", CLONE_INTO_CGROUP, 0, 0, 0, 17, 0, 0, 0, 0, 0, fd)
    buf = ctypes.create_string_buffer(args, len(args))
    sys.stdout.flush()
    pid = libc.syscall(SYS_clone3, buf, ctypes.c_size_t(len(args)))
    if pid == 0:
        with open("/proc/self/cgroup") as f:
            line = [l.strip() for l in f if l.startswith("0::")][0]
        os.write(w, line.encode())
        os._exit(0)
    os.close(w)
    if pid < 0:
        print("@@CI_%s=%s@@" % (name, errno.errorcode[ctypes.get_errno()]))
    else:
        print("@@CI_%s=%s@@" % (name, os.read(r, 256).decode()))
        os.waitpid(pid, 0)
    os.close(r)
    os.close(fd)
