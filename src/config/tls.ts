import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { UsageError } from '../util/errors.js';
import { Secret } from '../util/secret.js';
import { parseRootCertificates } from './root-certificates.js';
import { expandHome } from './home.js';
import { TLS_MODES, type TlsMode } from './options/https.js';
import { defaultOf, given, valueOf, type Settings } from './settings.js';
import type { HostTarget, PemFile, TlsSettings } from './types.js';

export type { TlsSettings } from './types.js';

type ReadFile = (path: string) => string;

function readPem(file: string, flag: string, readFile: ReadFile): string {
  try {
    return readFile(expandHome(file));
  } catch (err) {
    throw new UsageError(`Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check ${flag}.`);
  }
}

function certificatesOf(file: string, flag: string, readFile: ReadFile): PemFile {
  const pem = readPem(file, flag, readFile);
  const parsed = parseRootCertificates(pem, file);
  if ('problem' in parsed) throw new UsageError(parsed.problem.replace('--pg-ssl-root-cert', flag));
  return { pem, source: file };
}

/**
 * --tls and its companions, checked before anything runs: acme needs DNS names (--public-name), files needs a
 * certificate and its matching key that cover those names, and no option is given that the mode ignores.
 */
/** The names each VM will be reached by: --public-name, or its hosts-file line's public-name=. */
export interface TlsNames {
  global: string[];
  targets: Array<Pick<HostTarget, 'label' | 'address'> & { overrides: { publicNames?: string[] } }>;
}

export function tlsSettings(settings: Settings, names: TlsNames, port: number, readFile: ReadFile, now = new Date()): TlsSettings | undefined {
  const mode = valueOf(settings, 'tls');
  if (!(TLS_MODES as readonly string[]).includes(mode)) throw new UsageError(`--tls must be one of ${TLS_MODES.join(', ')}, not "${mode}".`);
  const companion = (name: TlsFileOption) => nonEmpty(settings, name);
  const stray = TLS_COMPANIONS.filter((n) => companion(n) !== undefined);
  if (mode === 'none') {
    if (stray.length > 0) throw new UsageError(`--${stray[0]} goes with --tls: add --tls acme, internal or files (see docs/tls.md).`);
    return undefined;
  }
  const belongs: Record<string, TlsMode> = { 'acme-ca': 'acme', 'acme-ca-root': 'acme', 'acme-email': 'acme', 'tls-cert': 'files', 'tls-key': 'files' };
  const misplaced = stray.find((n) => belongs[n] !== undefined && belongs[n] !== mode);
  if (misplaced) throw new UsageError(`--${misplaced} goes with --tls ${belongs[misplaced]}, not --tls ${mode}.`);
  if (port === 80 || port === 443) {
    throw new UsageError(
      `--mlflow-port ${port} is the proxy's with --tls: MLflow listens on 127.0.0.1 behind it; keep the default ${defaultOf('mlflow-port')} or another port.`,
    );
  }
  const trustFile = companion('tls-ca-cert');
  const trust = trustFile ? certificatesOf(trustFile, '--tls-ca-cert', readFile) : undefined;
  const tls: TlsSettings = { mode: mode as TlsMode, ...(trust ? { trust } : {}) };
  const perTarget = names.targets.map((t) => ({ ...t, names: t.overrides.publicNames ?? names.global }));
  if (mode === 'acme') tls.acme = acmeSettings(companion, perTarget, readFile);
  if (mode === 'files') tls.files = filesSettings(companion, perTarget, readFile, now);
  return tls;
}

/** The options that only --tls acme or files (and the checks' trust) use. */
const TLS_COMPANIONS = ['acme-ca', 'acme-ca-root', 'acme-email', 'tls-cert', 'tls-key', 'tls-ca-cert'] as const;
type TlsFileOption = (typeof TLS_COMPANIONS)[number];

/** A companion option as given, trimmed; blank counts as not given. */
function nonEmpty(settings: Settings, name: TlsFileOption): string | undefined {
  const value = given(settings, name)?.trim();
  return value === '' ? undefined : value;
}

type TargetNames = Array<Pick<HostTarget, 'label' | 'address'> & { names: string[] }>;

function acmeSettings(companion: (n: TlsFileOption) => string | undefined, targets: TargetNames, readFile: ReadFile): NonNullable<TlsSettings['acme']> {
  const unnamed = targets.find((t) => t.names.length === 0);
  if (unnamed) {
    throw new UsageError(
      `--tls acme needs --public-name: the DNS name that points at the VM's public address (on Azure: the VM's DNS label, NAME.REGION.cloudapp.azure.com)${targets.length > 1 ? `; ${unnamed.label} has none (public-name= on its hosts-file line)` : ''}.`,
    );
  }
  const owner = new Map<string, string>();
  for (const t of targets) {
    for (const n of t.names) {
      const other = owner.get(n);
      if (other !== undefined && other !== t.label) {
        throw new UsageError(
          `--tls acme: ${other} and ${t.label} would both ask for a certificate for ${n}: give each VM its own name (public-name= on its hosts-file line).`,
        );
      }
      owner.set(n, t.label);
    }
  }
  const ip = targets.flatMap((t) => t.names).find((n) => isIP(n) !== 0);
  if (ip) throw new UsageError(`--tls acme needs DNS names, and --public-name ${ip} is an address: give the VM's DNS name, or use --tls internal.`);
  const directory = companion('acme-ca');
  if (directory !== undefined && !/^https:\/\/[^\s/]+(\/\S*)?$/i.test(directory)) {
    throw new UsageError(
      `--acme-ca must be the https:// URL of an ACME directory (e.g. https://acme-staging-v02.api.letsencrypt.org/directory), not "${directory}".`,
    );
  }
  const rootFile = companion('acme-ca-root');
  if (rootFile && !directory) throw new UsageError("--acme-ca-root goes with --acme-ca: it is the root that directory's own HTTPS certificate chains to.");
  const email = companion('acme-email');
  if (email !== undefined && !/^[^\s@"{}]+@[^\s@"{}]+\.[^\s@"{}]+$/.test(email)) throw new UsageError(`--acme-email "${email}" is not an e-mail address.`);
  return {
    ...(directory ? { directory } : {}),
    ...(rootFile ? { directoryRoot: certificatesOf(rootFile, '--acme-ca-root', readFile) } : {}),
    ...(email ? { email } : {}),
  };
}

function filesSettings(
  companion: (n: TlsFileOption) => string | undefined,
  targets: TargetNames,
  readFile: ReadFile,
  now: Date,
): NonNullable<TlsSettings['files']> {
  const certFile = companion('tls-cert');
  const keyFile = companion('tls-key');
  if (!certFile || !keyFile)
    throw new UsageError('--tls files needs --tls-cert FILE (the certificate, then its chain) and --tls-key FILE (its private key), both PEM.');
  const certPem = readPem(certFile, '--tls-cert', readFile);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(certPem))
    throw new UsageError(`${certFile} holds a private key: pass it with --tls-key, and the certificate with --tls-cert.`);
  const cert = certificatesOf(certFile, '--tls-cert', readFile);
  const leaf = new X509Certificate(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(certPem)![0]);
  const keyText = readPem(keyFile, '--tls-key', readFile);
  const key = new Secret(keyText);
  // Defence in depth: each line of the key is masked wherever it would be printed, not only the whole key.
  for (const line of keyText.split(/\r?\n/)) if (line.length >= 16 && !line.startsWith('-----')) new Secret(line);
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(key.reveal()));
  } catch {
    throw new UsageError(`${keyFile} holds no readable private key (PEM, without a passphrase): check --tls-key.`);
  }
  if (!matches)
    throw new UsageError(`The key in ${keyFile} does not belong to the first certificate in ${certFile}: the certificate must come first, then its chain.`);
  if (new Date(leaf.validTo) <= now)
    throw new UsageError(`The certificate in ${certFile} expired on ${new Date(leaf.validTo).toISOString().slice(0, 10)}: renew it.`);
  const covers = (n: string) => (isIP(n) ? leaf.checkIP(n) : leaf.checkHost(n)) !== undefined;
  const forWhom = leaf.subjectAltName ?? leaf.subject;
  for (const t of targets) {
    const uncovered = t.names.find((n) => !covers(n));
    if (uncovered) throw new UsageError(`The certificate in ${certFile} does not cover --public-name ${uncovered} (it is for ${forWhom}).`);
    if (t.names.length === 0 && !covers(t.address)) {
      throw new UsageError(
        `The certificate in ${certFile} does not cover ${t.address} (it is for ${forWhom}): pass --public-name with the name it is for (and point that name at the VM).`,
      );
    }
  }
  return { cert, key, keySource: keyFile };
}

/** --tls-ca-cert for `provision status`: the CA its HTTPS check trusts. */
export function statusTrust(settings: Settings, readFile: ReadFile): PemFile | undefined {
  const file = given(settings, 'tls-ca-cert')?.trim();
  return file ? certificatesOf(file, '--tls-ca-cert', readFile) : undefined;
}
