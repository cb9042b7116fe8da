import { X509Certificate } from 'node:crypto';
import { readInternalRootCommand, readStoredCertificatesCommand } from '../plan/proxy-commands.js';
import type { RemoteCommand } from '../action/action.js';
import type { ExecResult } from '../ssh/types.js';

/** Runs a reading command on the VM (HostSession.read). */
type ReadOnVm = (c: RemoteCommand) => Promise<ExecResult>;

/**
 * --tls internal: the VM's CA root, read as the caddy user from the file Caddy keeps it in (Caddy's admin API,
 * which used to serve it, is off: docs/security.md); undefined until Caddy has made its CA. Public: it is what
 * clients trust.
 */
export async function caddyInternalRoot(read: ReadOnVm): Promise<string | undefined> {
  const res = await read(readInternalRootCommand()).catch(() => undefined);
  return res?.code === 0 ? internalRootOf(res.stdout) : undefined;
}

/** The one CA certificate in what the VM sent (untrusted text), as PEM; undefined for anything else. */
export function internalRootOf(text: string): string | undefined {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g);
  const block = blocks?.length === 1 ? blocks[0] : undefined;
  if (block === undefined) return undefined;
  try {
    return new X509Certificate(block).ca ? `${block}\n` : undefined;
  } catch {
    return undefined;
  }
}

/** The issuer (CN, else O) of the first certificate in PEM text; undefined when there is none. */
export function issuerOf(pem: string): string | undefined {
  const block = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!block) return undefined;
  try {
    const issuer = new X509Certificate(block).issuer.split('\n');
    const field = (k: string) => issuer.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1);
    // Text from the VM goes into a sentence: printable characters only, bounded.
    return (field('CN') ?? field('O'))?.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
  } catch {
    return undefined;
  }
}

/** The issuer of the certificate Caddy stored for `name` (ACME), from its storage; undefined when there is none. */
export async function storedCertificateIssuer(read: ReadOnVm, name: string): Promise<string | undefined> {
  const res = await read(readStoredCertificatesCommand(name)).catch(() => undefined);
  return res?.code === 0 ? issuerOf(res.stdout) : undefined;
}
