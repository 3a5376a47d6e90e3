#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The attacker's tool of the classic hostile tests (h_50 .. h_85).

Run inside a box (copied into the user's home) or on the host as the
user's own process (setpriv).  Every step prints KEY=RESULT, RESULT being
OK (or a value) or the errno name that stopped it, so a test can tell a
refusal by the kernel's own answer from a probe that never ran.

  classic_probe.py KEY CMD ARGS...    (several "KEY CMD ARGS ;" groups)

Commands:
  open PATH MODE        MODE r | w | a | rw | path
  append PATH TEXT      open for append and write TEXT
  readlink PATH
  read PATH             the first line (or EMPTY)
  ptrace PID            PTRACE_SEIZE
  ptrace_child          PTRACE_SEIZE of a child of ours (the control)
  setns PATH            open the namespace file, then setns()
  exec PATH             execve (prints only on failure)
  sti FD TEXT           TIOCSTI every byte of TEXT into FD
  linux FD              TIOCLINUX (subcode 2: set selection) on FD
  open_tree PATH REC    open_tree(OPEN_TREE_CLONE [| AT_RECURSIVE])
  mknod PATH            a char device 1:1 (/dev/mem's numbers)
  fds                   every fd of every process we may look at
  chroot_escape DIR     chroot(DIR), climb out with .. and chroot(.): list /tmp
  umount PATH           umount2(PATH, 0)
  remount PATH KEEP     bind-remount keeping only the flags KEEP
  ctl SOCK KIND         talk to a box's control socket (see ctl())
"""
import ctypes
import errno
import fcntl
import os
import socket
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def ename(e):
    return errno.errorcode.get(e, str(e))


def sc(nr, *args):
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return "OK" if r >= 0 else ename(ctypes.get_errno())


def osres(fn):
    try:
        r = fn()
        return "OK" if r is None else r
    except OSError as e:
        return ename(e.errno)


MODES = {"r": os.O_RDONLY, "w": os.O_WRONLY, "a": os.O_WRONLY | os.O_APPEND,
         "rw": os.O_RDWR, "path": os.O_PATH}


def c_open(path, mode):
    def f():
        os.close(os.open(path, MODES[mode] | os.O_CLOEXEC))
    return osres(f)


def c_append(path, text):
    def f():
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)
    return osres(f)


def c_read(path):
    def f():
        with open(path, "rb") as fh:
            line = fh.read(200).split(b"\n")[0]
        return line.decode(errors="replace") or "EMPTY"
    return osres(f)


PTRACE_SEIZE = 0x4206


def c_ptrace(pid):
    return sc(101, PTRACE_SEIZE, int(pid), 0, 0)


def c_ptrace_child():
    pid = os.fork()
    if pid == 0:
        import time
        time.sleep(30)
        os._exit(0)
    r = c_ptrace(pid)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return r


def c_setns(path):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        return "OPEN:" + ename(e.errno)
    r = sc(308, fd, 0)
    os.close(fd)
    return "SETNS:" + r


def c_exec(path):
    try:
        os.execv(path, [path, "--version"])
    except OSError as e:
        return ename(e.errno)


def c_sti(fd, text):
    fd = int(fd)
    for ch in text.encode().decode("unicode_escape").encode():
        b = ctypes.c_char(ch)
        r = libc.ioctl(fd, 0x5412, ctypes.byref(b))
        if r < 0:
            return ename(ctypes.get_errno())
    return "OK"


def c_linux(fd):
    buf = ctypes.create_string_buffer(b"\x02" + b"\x00" * 16)
    r = libc.ioctl(int(fd), 0x541C, buf)
    return "OK" if r >= 0 else ename(ctypes.get_errno())


def c_open_tree(path, rec):
    flags = 1 | 0o2000000  # OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
    if rec == "1":
        flags |= 0x8000  # AT_RECURSIVE
    r = libc.syscall(ctypes.c_long(428), ctypes.c_long(-100),
                     ctypes.c_char_p(path.encode()), ctypes.c_long(flags))
    if r < 0:
        return ename(ctypes.get_errno())
    os.close(r)
    return "OK"


def c_mknod(path):
    import stat
    return osres(lambda: os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 1)))


def c_fds():
    out = []
    for p in sorted(os.listdir("/proc"), key=lambda s: (len(s), s)):
        if not p.isdigit() or int(p) == os.getpid():
            continue
        try:
            fds = os.listdir("/proc/%s/fd" % p)
        except OSError:
            continue
        for f in fds:
            try:
                out.append("%s:%s:%s" % (p, f, os.readlink("/proc/%s/fd/%s" % (p, f))))
            except OSError:
                pass
    return "|".join(out) or "NONE"


def c_chroot_escape(d):
    try:
        # The classic: chroot without entering it, so the cwd is left
        # outside the new root and ".." is never stopped at it.
        os.chdir(os.path.dirname(d.rstrip("/")) or "/")
        os.chroot(d)
        before = sorted(os.listdir("/"))
        for _ in range(30):
            os.chdir("..")
        os.chroot(".")
        after = sorted(os.listdir("/tmp"))
        return "in:%s,out-tmp:%s" % (",".join(before) or "-", ",".join(after))
    except OSError as e:
        return ename(e.errno)


MAGIC = 0x4C42
SPAWN, PTY, SIGNAL, EXIT, ERROR = 1, 2, 3, 4, 5


def spawn_msg(mode, args, env=(), argc=None, envc=None, pty=0, magic=MAGIC,
              badlen=None, terminate=True):
    strs = b"".join(s.encode() + (b"\0" if terminate else b"") for s in list(args) + list(env))
    n = 28 + len(strs)
    hdr = struct.pack("<HHI", magic, SPAWN, badlen if badlen is not None else n)
    body = struct.pack("<IIHHII", mode, pty, 24, 80,
                       len(args) if argc is None else argc,
                       len(env) if envc is None else envc)
    return hdr + body + strs


def ctl_talk(path, msg, fds=(), timeout=5):
    """Send one message; return the replies until EOF or EXIT."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError as e:
        return "CONNECT:" + ename(e.errno)
    out = []
    try:
        if fds:
            s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                               struct.pack("%di" % len(fds), *fds))])
        else:
            s.send(msg)
    except OSError as e:
        # The peer may have answered and closed before our message: what
        # it sent is still to be read.
        out.append("SEND:" + ename(e.errno))
    try:
        while True:
            data, anc, flags, _ = s.recvmsg(2048, 256)
            for lvl, typ, d in anc:
                if lvl == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                    for fd in struct.unpack("%di" % (len(d) // 4), d[:len(d) // 4 * 4]):
                        os.close(fd)
            if not data:
                out.append("EOF")
                break
            magic, typ, n = struct.unpack("<HHI", data[:8])
            if typ == EXIT:
                out.append("EXIT:%d" % struct.unpack("<i", data[8:12])[0])
                break
            if typ == ERROR:
                out.append("ERROR:" + data[8:].split(b"\0")[0].decode(errors="replace"))
                break
            elif typ == PTY:
                out.append("PTY")
            else:
                out.append("TYPE%d" % typ)
    except socket.timeout:
        out.append("TIMEOUT")
    except OSError as e:
        out.append(ename(e.errno))
    s.close()
    return ",".join(out)


def c_ctl(path, kind, arg=""):
    """kind: run CMD (direct mode, our stdin/stdout/stderr), and forged
    messages: badmagic, shortlen, longlen, bigargc, unterminated, badmode,
    cmd0args, signal_first, manyfds, huge."""
    dn = os.open("/dev/null", os.O_RDWR)
    std = (dn, dn, dn)
    if kind == "run":
        return ctl_talk(path, spawn_msg(2, [arg], ["PATH=/usr/bin:/bin"]), std)
    if kind == "badmagic":
        return ctl_talk(path, spawn_msg(2, [arg], magic=0x1234), std)
    if kind == "shortlen":
        return ctl_talk(path, spawn_msg(2, [arg], badlen=12), std)
    if kind == "longlen":
        return ctl_talk(path, spawn_msg(2, [arg], badlen=100000), std)
    if kind == "bigargc":
        return ctl_talk(path, spawn_msg(3, [arg], argc=0xFFFFFFFF), std)
    if kind == "manystrings":
        return ctl_talk(path, spawn_msg(3, [arg], argc=5000), std)
    if kind == "unterminated":
        return ctl_talk(path, spawn_msg(2, [arg], terminate=False), std)
    if kind == "badmode":
        return ctl_talk(path, spawn_msg(99, [arg]), std)
    if kind == "cmd0args":
        return ctl_talk(path, spawn_msg(2, []), std)
    if kind == "signal_first":
        return ctl_talk(path, struct.pack("<HHIi", MAGIC, SIGNAL, 12, 9), std)
    if kind == "exit_forged":
        return ctl_talk(path, struct.pack("<HHIi", MAGIC, EXIT, 12, 0), std)
    if kind == "manyfds":
        extra = tuple(os.dup(dn) for _ in range(20))
        return ctl_talk(path, spawn_msg(2, [arg], ["PATH=/usr/bin:/bin"]), std + extra)
    if kind == "huge":
        return ctl_talk(path, spawn_msg(2, ["x" * 140000]), std)
    return "UNKNOWN"


MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND = 32, 4096


def c_umount(path):
    r = libc.umount2(path.encode(), 0)
    return "OK" if r == 0 else ename(ctypes.get_errno())


def c_remount(path, keep):
    """Bind-remount PATH with only the flags named in KEEP (a subset of
    ro,nosuid,nodev,noexec, or "-"): the others are dropped."""
    flags = MS_REMOUNT | MS_BIND
    names = {"ro": MS_RDONLY, "nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC}
    for k in keep.split(","):
        flags |= names.get(k, 0)
    r = libc.mount(None, path.encode(), None, ctypes.c_ulong(flags), None)
    return "OK" if r == 0 else ename(ctypes.get_errno())


CMDS = {"umount": c_umount, "remount": c_remount, "open": c_open, "append": c_append, "readlink": lambda p: osres(lambda: os.readlink(p)),
        "read": c_read, "ptrace": c_ptrace, "ptrace_child": c_ptrace_child,
        "setns": c_setns, "exec": c_exec, "sti": c_sti, "linux": c_linux,
        "open_tree": c_open_tree, "mknod": c_mknod, "fds": c_fds,
        "chroot_escape": c_chroot_escape, "ctl": c_ctl}


def main(argv):
    groups, cur = [], []
    for a in argv:
        if a == ";":
            groups.append(cur)
            cur = []
        else:
            cur.append(a)
    if cur:
        groups.append(cur)
    for g in groups:
        key, cmd, args = g[0], g[1], g[2:]
        try:
            res = CMDS[cmd](*args)
        except Exception as e:  # a probe bug must show, not pass
            res = "PROBE-ERROR:%s" % e
        print("%s=%s" % (key, res), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
