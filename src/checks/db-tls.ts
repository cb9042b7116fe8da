import { checkServerIdentity, createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import type { DatabaseSettings } from '../render/backend-uri.js';
import { StepError } from '../util/errors.js';

/**
 * What libpq on the VM verifies: the chain whenever it has a root certificate (verify-ca and verify-full
 * always have one here; with require, prefer or allow libpq verifies the chain too once sslrootcert is
 * given), the host name only with verify-full.
 */
export function tlsChecks(db: Pick<DatabaseSettings, 'sslmode' | 'sslRootCert' | 'sslRootCertPath'>): { chain: boolean; hostName: boolean } {
  const verify = db.sslmode === 'verify-ca' || db.sslmode === 'verify-full';
  return { chain: verify || db.sslRootCert !== undefined || db.sslRootCertPath !== undefined, hostName: db.sslmode === 'verify-full' };
}

/**
 * node-postgres's TLS options for a TLS attempt: exactly the given root certificate(s) as the trust store (never
 * this machine's), the host name checked only for verify-full; without a root certificate, encrypted and not
 * verified (libpq's meaning of require/prefer/allow).
 */
export function tlsOptions(db: DatabaseSettings): ConnectionOptions {
  const checks = tlsChecks(db);
  if (!checks.chain) return { rejectUnauthorized: false };
  if (!db.sslRootCert) {
    throw new StepError(`sslmode=${db.sslmode} needs the database server's root certificate, and none is given: pass --pg-ssl-root-cert FILE.`);
  }
  return {
    rejectUnauthorized: true,
    ca: db.sslRootCert.pem,
    checkServerIdentity: checks.hostName ? (_name, cert) => checkServerIdentity(db.host, cert) : () => undefined,
  };
}

/** This run's TLS contexts by their trusted root certificate(s) ('' for none). */
const secureContexts = new Map<string, SecureContext>();

/**
 * One TLS context per run for the same root certificate(s): a fleet's 200 database checks make one, not 200 (a
 * context is a new CA store; measured in docs/benchmarks.md, fleet scale). It holds what tls.connect would make
 * from these options, the trust store only; the per-connection checks (rejectUnauthorized, the host name) stay
 * in each connection's options.
 */
export function sharedSecureContext(options: Pick<ConnectionOptions, 'ca'>): SecureContext {
  const ca = typeof options.ca === 'string' ? options.ca : '';
  let context = secureContexts.get(ca);
  if (!context) {
    context = createSecureContext(ca ? { ca } : {});
    secureContexts.set(ca, context);
  }
  return context;
}

/** The options with this run's shared context: node-postgres passes them to tls.connect, which then makes none. */
export function withSharedContext(options: ConnectionOptions): ConnectionOptions {
  return { ...options, secureContext: sharedSecureContext(options) };
}
