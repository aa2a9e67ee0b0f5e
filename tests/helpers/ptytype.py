#!/usr/bin/env python3
"""ptytype.py WAIT TEXT CMD...: run CMD on a new pty (its stdin, stdout and
stderr); once its output holds WAIT, type TEXT (backslash escapes: \\r);
print everything it wrote (Python's repr) and exit with its status. For
the terminal tests of tests/integration/vm_core.bats."""
import os
import pty
import select
import sys
import time

wait = sys.argv[1].encode()
text = sys.argv[2].encode().decode("unicode_escape").encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[3], sys.argv[3:])
out, typed, end = b"", False, time.time() + 60
while time.time() < end:
    if not typed and wait in out:
        os.write(fd, text)
        typed = True
    if fd in select.select([fd], [], [], 0.2)[0]:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the other side is closed
            break
        if not data:
            break
        out += data
else:
    os.kill(pid, 9)
status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
print(repr(out))
sys.exit(status)
