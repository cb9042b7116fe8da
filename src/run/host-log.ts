import { closeSync, mkdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { openOwnFile } from '../util/own-file.js';
import { hostMasker, type Masker } from '../util/secret.js';
import { showUntrustedLines } from '../util/visible-text.js';

/** A host's log: 0600, never written through a link (util/own-file.ts). */
export function openPrivateLog(path: string): number {
  return openOwnFile(path, { what: 'log file', writes: 'logs', mode: 0o600, refuse: (m) => new UsageError(m) });
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
