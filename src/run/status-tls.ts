import { caddyInternalRoot } from '../checks/caddy.js';
import type { HostSession } from './session.js';
import { errorMessage } from '../util/errors.js';
import { judgeCertificate } from '../verdicts/status.js';

/** The proxy as `status` reports it: mode, names, the certificate served for the first name. */
export interface TlsStatus {
  mode: string;
  names: string[];
  /** The certificate verified (chain, dates, name) against the CA the user trusts. */
  verified: boolean;
  validTo?: string;
  issuer?: string;
  problems: string[];
}

/**
 * An https request to the proxy from the VM's side (through the SSH connection), verified against --tls-ca-cert,
 * the VM's internal CA (--tls internal), or this machine's roots; then the certificate's expiry judged.
 */
export async function tlsStatus(
  session: HostSession,
  site: { mode: string; names: string[] },
  trust: string | undefined,
  now = new Date(),
): Promise<TlsStatus> {
  const name = site.names[0]!;
  const ca = trust ?? (site.mode === 'internal' ? await caddyInternalRoot((c) => session.read(c)) : undefined);
  const status: TlsStatus = { mode: site.mode, names: site.names, verified: false, problems: [] };
  try {
    const res = await session.conn.http(443, { path: '/health', timeoutMs: 5000, tls: { servername: name, ...(ca ? { ca } : {}) } });
    status.verified = true;
    if (res.cert) {
      status.validTo = res.cert.validTo;
      status.issuer = res.cert.issuer;
    }
    status.problems = judgeCertificate({ name, mode: site.mode, ...(res.cert ? { validFrom: res.cert.validFrom, validTo: res.cert.validTo } : {}), now });
    if (res.status !== 200) status.problems.push(`https://${name}/health answers HTTP ${res.status} through the proxy.`);
  } catch (err) {
    const hint = site.mode === 'internal' || trust ? '' : ' (a private or staging CA: pass its root with --tls-ca-cert)';
    status.problems = judgeCertificate({ name, mode: site.mode, error: `${errorMessage(err)}${hint}`, now });
  }
  return status;
}
