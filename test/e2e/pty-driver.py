"""Runs a command on a pseudo-terminal, as a person at a terminal would: waits for each expected text,
types the answer, then reads until the command ends. Prints everything the terminal showed and exits with
the command's exit code (99 if an expected text never came).

usage: pty-driver.py STEPS_JSON TOTAL_TIMEOUT_SECONDS COLUMNS -- COMMAND [ARG...]
STEPS_JSON: [{"expect": "<regex>", "send": "<text>"}, ...]
"""
import fcntl
import json
import os
import pty
import struct
import re
import select
import signal
import sys
import termios
import time

steps = json.loads(sys.argv[1])
deadline = time.time() + float(sys.argv[2])
columns = int(sys.argv[3])
cmd = sys.argv[sys.argv.index("--") + 1:]

pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
# A terminal window of COLUMNS x 40, as a person's would report; 0 leaves it unsized (0 x 0).
if columns:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))

seen = b""


def read_some(until):
    """Reads what the terminal shows until `until` seconds; False at the end of output."""
    global seen
    wait = until - time.time()
    if wait <= 0:
        return True
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: the command closed the terminal
        return False
    if not data:
        return False
    seen += data
    return True


def finish(code):
    sys.stdout.buffer.write(seen)
    sys.stdout.flush()
    sys.exit(code)


for step in steps:
    pattern = re.compile(step["expect"].encode())
    while not pattern.search(seen):
        if time.time() >= deadline or not read_some(deadline):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stderr.write(f"pty-driver: never saw {step['expect']!r}\n")
            finish(99)
    time.sleep(0.2)  # let the prompt finish drawing before typing, as a person would
    os.write(fd, step["send"].encode())

while time.time() < deadline and read_some(deadline):
    pass
if time.time() >= deadline:
    os.kill(pid, signal.SIGKILL)
    sys.stderr.write("pty-driver: the command did not end in time\n")
_, status = os.waitpid(pid, 0)
finish(os.waitstatus_to_exitcode(status))
