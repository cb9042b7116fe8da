import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { maskSecrets } from '../util/secret.js';

/** The full, secret-masked record of one host's run, in <log-dir>/<host>.log. */
export class HostLog {
  private fd?: number;
  readonly path: string;

  constructor(dir: string, host: string) {
    this.path = join(dir, `${host.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
    mkdirSync(dir, { recursive: true });
    this.fd = openSync(this.path, 'w', 0o600);
  }

  write(line: string): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${new Date().toISOString()} ${maskSecrets(line)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
