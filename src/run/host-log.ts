import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { hostMasker, type Masker } from '../util/secret.js';
import { showUntrustedLines } from '../util/visible-text.js';

/**
 * Opens a log for writing as 0600 whatever was there: never through a symbolic link (O_NOFOLLOW: a link
 * planted at the log's name could point the log at any file the user may write), and an existing file's
 * wider mode is narrowed, since open() keeps the mode of a file it did not create.
 */
export function openPrivateLog(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new UsageError(`The log file ${path} is a symbolic link; provision does not write logs through links: remove it or choose another --log-dir.`);
    throw new UsageError(`Cannot write the log file ${path} (${code ?? 'error'}): choose a writable --log-dir.`);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new UsageError(`The log file ${path} is not a regular file: remove it or choose another --log-dir.`);
  }
  fchmodSync(fd, 0o600);
  return fd;
}

/**
 * The full, secret-masked record of one host's run, in <log-dir>/<host>.log. It holds the host's masker (the
 * laptop's secrets and the values read from this VM), which masks every line written here and what the run
 * shows of the VM's text.
 */
export class HostLog {
  private fd?: number;
  readonly path: string;

  constructor(
    dir: string,
    host: string,
    readonly masker: Masker = hostMasker(),
  ) {
    this.path = join(dir, `${host.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.fd = openPrivateLog(this.path);
  }

  write(line: string): void {
    if (this.fd === undefined) return;
    // Masked on the raw text, then made visible: the VM's control characters never reach the file as such.
    writeSync(this.fd, `${new Date().toISOString()} ${showUntrustedLines(this.masker.mask(line))}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
