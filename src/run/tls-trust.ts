import { closeSync, mkdirSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { caddyInternalRoot } from '../checks/caddy.js';
import { StepError } from '../util/errors.js';
import { openOwnFile } from '../util/own-file.js';
import type { HostRun } from './host-run.js';
import type { TlsCheck } from '../checks/http.js';

/** Where the VM's CA root is saved on this machine: beside the host's log. */
export function caCertPath(run: HostRun): string {
  return resolve(join(run.config.output.logDir, `${run.target.label.replace(/[^A-Za-z0-9_.-]/g, '_')}-ca.pem`));
}

/**
 * Saves the CA root as the log is opened: in a folder made 0700, never through a symbolic link (a planted
 * `<host>-ca.pem` link must not overwrite its target), only into a regular file, 0644 (a certificate is public).
 */
export function saveCaRoot(path: string, pem: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openOwnFile(path, { what: 'CA root file', writes: '', mode: 0o644, refuse: (m) => new StepError(m) });
  try {
    writeSync(fd, pem, 0);
  } finally {
    closeSync(fd);
  }
}

/**
 * How the HTTPS checks verify the server's certificate for `name`: against --tls-ca-cert, this machine's
 * roots, or (internal) the VM's own CA, read once and saved for the user. Undefined: not known yet.
 */
export async function tlsCheckFor(run: HostRun, name: string): Promise<TlsCheck | undefined> {
  const proxy = run.need(run.desired).proxy;
  if (!proxy) return undefined;
  if (proxy.trust) return { servername: name, ca: proxy.trust };
  if (proxy.mode !== 'internal') return { servername: name };
  if (run.notes.internalRoot === undefined) {
    const root = await caddyInternalRoot((c) => run.read(c));
    if (root === undefined) return undefined;
    run.notes.internalRoot = root;
    if (!run.config.dryRun) {
      const path = caCertPath(run);
      saveCaRoot(path, root);
      run.notes.caCertPath = path;
    }
  }
  return { servername: name, ca: run.notes.internalRoot };
}
