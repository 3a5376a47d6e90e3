#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""h_94: a host process of the boxed user (a cron job, say) plays sshd for
loginbox-shell: it is the shell's parent and offers it SSH_AUTH_SOCK.

  h_94_agent_parent.py MODE SHELL SESSION TARGET CMD

MODE symlink: /tmp/ssh-XXXXXXXXXX/agent.<our pid> (0700, ours) is a
              symlink to TARGET (a root socket: docker.sock's stand-in)
MODE child:   the same name is a socket, but a child of ours listens on it
MODE path:    SSH_AUTH_SOCK=TARGET as it is (another login's real socket)

Then SHELL -c CMD runs as our child with LOGINBOX_SESSION=SESSION; its
output goes to ours.  Not a test file itself (run.sh runs h_*.sh only).
"""
import os
import random
import signal
import socket
import string
import subprocess
import sys
import time

mode, shell, sess, target, cmd = sys.argv[1:6]
d = None
child = 0
if mode == "path":
    path = target
else:
    d = "/tmp/ssh-" + "".join(random.choice(string.ascii_letters) for _ in range(10))
    os.mkdir(d, 0o700)
    path = "%s/agent.%d" % (d, os.getpid())
    if mode == "symlink":
        os.symlink(target, path)
    else:
        r, w = os.pipe()
        child = os.fork()
        if child == 0:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(path)
            s.listen(4)
            os.write(w, b"k")
            while True:
                c, _ = s.accept()
                c.close()
        os.read(r, 1)
env = {"PATH": "/usr/bin:/bin", "LOGINBOX_SESSION": sess, "SSH_AUTH_SOCK": path}
sys.stdout.flush()
rc = subprocess.run([shell, "-c", cmd], env=env, timeout=60).returncode
print("@@PARENT_RC=%d@@" % rc)
if child:
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
if d:
    try:
        os.unlink(path)
    except OSError:
        pass
    os.rmdir(d)
