import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { caddyInternalRoot } from '../checks/caddy.js';
import type { HostRun } from './host-run.js';
import type { TlsCheck } from '../checks/http.js';

/** Where the VM's CA root is saved on this machine: beside the host's log. */
export function caCertPath(run: HostRun): string {
  return resolve(join(run.config.output.logDir, `${run.target.label.replace(/[^A-Za-z0-9_.-]/g, '_')}-ca.pem`));
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
    const root = await caddyInternalRoot((port, req) => run.conn.http(port, req));
    if (root === undefined) return undefined;
    run.notes.internalRoot = root;
    if (!run.config.dryRun) {
      const path = caCertPath(run);
      writeFileSync(path, root, { mode: 0o644 });
      run.notes.caCertPath = path;
    }
  }
  return { servername: name, ca: run.notes.internalRoot };
}
