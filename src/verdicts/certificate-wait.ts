/**
 * Judging the proxy step's wait for Caddy's certificate, pure: a certificate that is served but does not chain to
 * what the checks trust will not start verifying by waiting longer, unlike one that is not there yet.
 */

/** OpenSSL's verdicts (Node's error codes) for a chain that does not end at a trusted root. */
const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
]);

/** Answers in a row that say "served, not trusted" before the wait ends (a restart may briefly serve an older one). */
export const UNTRUSTED_ANSWERS = 3;

/** Whether a failed https request's error says the certificate was served and its chain is not trusted. */
export function isUntrustedChain(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && UNTRUSTED.has(code) ? code : undefined;
}

export interface UntrustedCertificate {
  name: string;
  mode: 'acme' | 'files' | 'internal';
  /** OpenSSL's code for the failed chain. */
  code: string;
  /** The served certificate's issuer (its CN), when it could be read. */
  issuer?: string;
  /** --tls-ca-cert was given: its CA is the one that does not vouch for the certificate. */
  trustFile?: string;
}

/** One sentence: who issued the certificate, that the checks do not trust it, and the flag that fixes it. */
export function untrustedSentence(c: UntrustedCertificate): string {
  const by = c.issuer ? `is issued by "${c.issuer}"` : 'is issued by a CA';
  const whom = c.trustFile ? `the CA in --tls-ca-cert ${c.trustFile} does not vouch for` : 'this machine does not trust';
  const fix =
    c.mode === 'files'
      ? `pass that CA's root certificate with --tls-ca-cert FILE (or a --tls-cert from a CA this machine trusts)`
      : c.mode === 'acme'
        ? `if that is the CA you meant (a staging or private ACME CA), pass its root certificate with --tls-ca-cert FILE; otherwise check --acme-ca`
        : `see Caddy's log (sudo journalctl -u caddy.service)`;
  return `The certificate Caddy serves for ${c.name} ${by}, which ${whom} (${c.code}): ${fix}.`;
}
