import { X509Certificate } from 'node:crypto';
import { AZURE_PG_ROOTS, type DatabaseSettings, type SslMode } from '../render/backend-uri.js';
import { UsageError } from '../util/errors.js';
import { expandHome } from './home.js';
import { given, type Settings } from './settings.js';

/**
 * The PEM certificates in a root-certificate file; a problem (no certificate, an unparsable one, a private key)
 * is a sentence naming the file. Pure, for the up-front check of --pg-ssl-root-cert.
 */
export function parseRootCertificates(text: string, file: string): { certificates: X509Certificate[] } | { problem: string } {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return {
      problem: `${file} holds a private key: --pg-ssl-root-cert takes only the root certificate(s), which are public (the file is copied to the VM readable by all).`,
    };
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    return {
      problem: `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): pass the root certificate(s) in PEM form; a DER file (.crt or .cer) converts with \`openssl x509 -inform der -in ${file} -out root.pem\`.`,
    };
  }
  const certificates: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch (err) {
      return { problem: `Certificate ${i + 1} in ${file} cannot be read (${(err as Error).message}): pass the root certificate(s) in PEM form.` };
    }
  }
  return { certificates };
}

/**
 * --pg-ssl-root-cert: read and checked up front (exists, readable, at least one PEM certificate). verify-ca and
 * verify-full need it: libpq on the VM verifies against ~/.postgresql/root.crt otherwise, and this machine's CA
 * store proves nothing about the VM.
 */
export function rootCertSettings(settings: Settings, sslmode: SslMode, readFile: (path: string) => string): DatabaseSettings['sslRootCert'] {
  const file = given(settings, 'pg-ssl-root-cert');
  if (file === undefined || file.trim() === '') {
    if (sslmode === 'verify-ca' || sslmode === 'verify-full') {
      throw new UsageError(
        `--pg-sslmode ${sslmode} needs the database server's root certificate: pass --pg-ssl-root-cert FILE (or set POSTGRES_SSLROOTCERT) with the PEM root certificate(s) its certificate chains to — ${AZURE_PG_ROOTS}.`,
      );
    }
    return undefined;
  }
  if (sslmode === 'disable') {
    throw new UsageError(
      '--pg-ssl-root-cert goes with a TLS mode: with --pg-sslmode disable there is no certificate to verify; use verify-full (or leave the root certificate out).',
    );
  }
  let text: string;
  try {
    text = readFile(expandHome(file));
  } catch (err) {
    throw new UsageError(`Cannot read the root certificate file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check --pg-ssl-root-cert.`);
  }
  const parsed = parseRootCertificates(text, file);
  if ('problem' in parsed) throw new UsageError(parsed.problem);
  return { pem: text, source: file };
}
