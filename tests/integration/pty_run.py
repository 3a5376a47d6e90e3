#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a command on a fresh pty and drive it like a tiny `expect`.

    pty_run.py [--rows N --cols N] [--timeout S] STEP... -- CMD [ARG...]

STEPs run in order:
    --expect REGEX   wait until the output (since the last match) matches
    --send TEXT      type TEXT (backslash escapes: \\n \\r \\t \\x03 ...)
    --sleep S        wait S seconds (reading output meanwhile)
    --winsize R C    resize the terminal (the command gets SIGWINCH)

After the last step the output is read until the command closes the pty.
Everything the command wrote is copied to stdout.  Exit status: the
command's (128+N when killed by signal N), 124 on timeout (the command's
process group is killed), 125 when an --expect did not match before EOF.
"""
import codecs
import fcntl
import os
import re
import select
import signal
import struct
import sys
import termios
import time


def main():
    args = sys.argv[1:]
    rows, cols, timeout = 24, 80, 30.0
    steps = []
    while args and args[0] != "--":
        opt = args.pop(0)
        if opt == "--rows":
            rows = int(args.pop(0))
        elif opt == "--cols":
            cols = int(args.pop(0))
        elif opt == "--timeout":
            timeout = float(args.pop(0))
        elif opt == "--expect":
            steps.append(("expect", re.compile(args.pop(0).encode())))
        elif opt == "--send":
            text = codecs.decode(args.pop(0), "unicode_escape")
            steps.append(("send", text.encode("latin-1")))
        elif opt == "--sleep":
            steps.append(("sleep", float(args.pop(0))))
        elif opt == "--winsize":
            steps.append(("winsize", (int(args.pop(0)), int(args.pop(0)))))
        else:
            sys.stderr.write("pty_run.py: unknown option %s\n" % opt)
            return 2
    if not args or len(args) < 2:
        sys.stderr.write("pty_run.py: no command\n")
        return 2
    cmd = args[1:]

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            os.write(2, ("pty_run.py: exec %s: %s\n" % (cmd[0], e)).encode())
        os._exit(127)
    os.close(slave)

    deadline = time.monotonic() + timeout
    out = bytearray()
    seen = 0          # start of the not yet matched output
    eof = False
    status = None

    def pump(wait):
        nonlocal eof
        if eof:
            time.sleep(min(wait, 0.05))
            return
        r, _, _ = select.select([master], [], [], max(0.0, wait))
        if not r:
            return
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b""
        if not data:
            eof = True
            return
        out.extend(data)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def kill_and_exit(code, why):
        sys.stdout.buffer.write(("\n[pty_run.py: %s]\n" % why).encode())
        sys.stdout.buffer.flush()
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
        return code

    for kind, arg in steps:
        if kind == "expect":
            while True:
                m = arg.search(bytes(out[seen:]))
                if m:
                    seen += m.end()
                    break
                if eof:
                    return kill_and_exit(125, "EOF while expecting %r" % arg.pattern)
                if time.monotonic() > deadline:
                    return kill_and_exit(124, "timeout expecting %r" % arg.pattern)
                pump(0.2)
        elif kind == "send":
            try:
                os.write(master, arg)
            except OSError:
                pass
        elif kind == "winsize":
            fcntl.ioctl(master, termios.TIOCSWINSZ,
                        struct.pack("HHHH", arg[0], arg[1], 0, 0))
        elif kind == "sleep":
            end = time.monotonic() + arg
            while time.monotonic() < end:
                pump(end - time.monotonic())
    while not eof:
        if time.monotonic() > deadline:
            return kill_and_exit(124, "timeout")
        pump(0.2)
    # The pty is closed: wait for the command itself.
    while status is None:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            status = st
            break
        if time.monotonic() > deadline:
            return kill_and_exit(124, "timeout waiting for exit")
        time.sleep(0.05)
    os.close(master)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
