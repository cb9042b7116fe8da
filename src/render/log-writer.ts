import { shq } from '../util/shell-quote.js';
import { tildePath } from './vm-files.js';

/** The server's log is rotated at this size unless --log-size says otherwise; this many older files are kept. */
export const LOG_ROTATION = { maxBytes: 10 * 1024 * 1024, keep: 5 } as const;

/**
 * The log writer: reads the server's output (stdout and stderr, one pipe) and appends it to the log, whole
 * lines at a time as they come (so `tail -F` streams them). Before a line that would take the log past
 * `limit` bytes it renames log.(k-1) -> log.k ... log -> log.1 and opens a new log: one process reads and
 * renames, so no line is lost or split at a rotation, and the server never restarts for it.
 * It runs in the server's process group, so a stop reaches it too: it ignores SIGTERM, SIGINT and SIGHUP and
 * ends at end-of-file, once every server process has exited, after writing their last lines. It never ends
 * early on an error (a full disk loses those lines, the next ones are tried again; a rename that fails
 * keeps the log growing until the next try), as the server's writes would then fail with EPIPE.
 * Python 3.6 and later, standard library only; `PY` never starts a line of it (it ends the here-document).
 */
export const LOG_WRITER_PY = `import os, signal, sys
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, signal.SIG_IGN)
log, limit, keep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def reopen():
    return os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
def rotate():
    global fd, size
    size = 0  # a failed rename: the log grows by another limit before the next try
    for i in range(keep - 1, 0, -1):
        if os.path.exists('%s.%d' % (log, i)):
            os.replace('%s.%d' % (log, i), '%s.%d' % (log, i + 1))
    os.replace(log, log + '.1')
    old, fd = fd, reopen()
    os.close(old)
def put(block):
    global size
    while block:
        room = limit - size
        n = len(block) if len(block) <= room else block.rfind(b'\\n', 0, max(room, 0)) + 1
        if n == 0 and size > 0:
            try:
                rotate()
            except OSError:
                pass
            continue
        if n == 0:  # one line longer than the limit: a log of its own
            n = block.find(b'\\n') + 1 or len(block)
        done = 0
        while done < n:
            done += os.write(fd, block[done:n])
        size += n
        block = block[n:]
fd = reopen()
size = os.fstat(fd).st_size
pending = b''
while True:
    data = os.read(0, 65536)
    if not data:
        break
    data = pending + data
    cut = data.rfind(b'\\n') + 1
    if cut == 0 and len(data) < 65536:
        pending = data  # the rest of the line is still to come
        continue
    cut = cut or len(data)
    pending = data[cut:]
    try:
        put(data[:cut])
    except OSError:
        pass  # e.g. a full disk: these lines are lost, the next ones are tried again
try:
    put(pending)
except OSError:
    pass
`;

/**
 * The launcher's lines that send everything after them (its own errors, then the server's output) through
 * the log writer. `exec > >(...)` starts the writer as a child of the launcher's shell, in its process
 * group; the shell then becomes the server (`exec mlflow`), so the PID recorded is still the server's and
 * its exit status is the server's own. `layout` is server-files.ts's RemoteLayout, named by its shape:
 * server-files.ts imports this file.
 */
export function logWriterLines(layout: { venv: string; log: string }, maxBytes: number = LOG_ROTATION.maxBytes): string[] {
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new Error(`the log size ${maxBytes} is not a whole number of bytes`);
  return [
    `# The output goes to ${tildePath('log')} through a small writer that rotates it at log_max_bytes, keeping`,
    `# log_keep older files (${tildePath('log')}.1 the newest), without a restart and without losing a line.`,
    `log_max_bytes=${maxBytes} log_keep=${LOG_ROTATION.keep}`,
    "IFS= read -r -d '' log_writer <<'PY' || true",
    LOG_WRITER_PY.trimEnd(),
    'PY',
    `exec > >(exec ${shq(`${layout.venv}/bin/python3`)} -c "$log_writer" ${shq(layout.log)} "$log_max_bytes" "$log_keep") 2>&1`,
  ];
}

/** The rotation bound a launcher was written with (its `log_max_bytes=` line); undefined for a launcher without one. */
export function launcherLogBound(lines: string[]): { maxBytes: number; keep: number } | undefined {
  for (const l of lines) {
    const m = /^log_max_bytes=(\d+) log_keep=(\d+)$/.exec(l);
    if (m) return { maxBytes: Number(m[1]), keep: Number(m[2]) };
  }
  return undefined;
}
