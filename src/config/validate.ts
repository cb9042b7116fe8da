import { isIP } from 'node:net';
import { UsageError } from '../util/errors.js';

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$/;

export function isValidHostName(value: string): boolean {
  return isIP(value) !== 0 || HOSTNAME.test(value);
}

export function requireHost(value: string, what: string): string {
  const v = value.trim();
  if (!isValidHostName(v)) {
    throw new UsageError(`${what} "${value}" is not a valid host name or IP address.`);
  }
  return v;
}

export function requirePort(value: unknown, flag: string): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UsageError(`--${flag} must be a whole number from 1 to 65535, not "${String(value)}".`);
  }
  return n;
}

export function requireAbsolutePath(value: string, flag: string): string {
  if (!value.startsWith('/') || /[\0\n\r]/.test(value)) {
    throw new UsageError(`--${flag} must be an absolute path on the VM (starting with /), not "${value}".`);
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

/** `host`, `host:port`, `*`, or a wildcard such as `*.example.com`, comma-separated. */
export function parseAllowedHosts(value: string): string[] {
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw new UsageError('--allowed-hosts must list at least one host, e.g. "mlflow.example.com,10.0.0.4:5000".');
  for (const entry of entries) {
    if (entry === '*') continue;
    const m = /^(\[[0-9A-Fa-f:.]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(entry);
    const host = m?.[1]?.replace(/^\[|\]$/g, '');
    const port = m?.[2];
    const hostOk = host !== undefined && (isIP(host) !== 0 || /^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(host) || host === '*');
    const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
    if (!hostOk || !portOk) {
      throw new UsageError(`--allowed-hosts entry "${entry}" is not a host, host:port or *; give a comma-separated list such as "mlflow.example.com,10.0.0.4:5000".`);
    }
  }
  return entries;
}

export function requireMlflowVersion(value: string): string {
  if (!/^[0-9]+(\.[0-9]+)*([a-z]+[0-9]*)?(\.post[0-9]+|\.dev[0-9]+)?$/.test(value)) {
    throw new UsageError(`--mlflow-version "${value}" is not a version number such as 3.16.1.`);
  }
  return value;
}

export function requireSqlName(value: string, flag: string): string {
  if (value === '' || /[\0\n\r]/.test(value)) throw new UsageError(`--${flag} must not be empty.`);
  return value;
}

/** `wasbs://<container>@<account>.blob.core.windows.net[/<path>]`, parsed; Azure's naming rules checked. */
export interface BlobDestination {
  uri: string;
  container: string;
  account: string;
  path: string;
}

export function parseWasbsUri(value: string): BlobDestination {
  const v = value.trim().replace(/\/+$/, '');
  const m = /^wasbs:\/\/([^@/]+)@([^./]+)\.blob\.core\.windows\.net((?:\/[^\s?#]*)?)$/.exec(v);
  const container = m?.[1] ?? '';
  const account = m?.[2] ?? '';
  const containerOk = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(container);
  const accountOk = /^[a-z0-9]{3,24}$/.test(account);
  if (!m || !containerOk || !accountOk) {
    throw new UsageError(
      `--artifacts-destination "${value}" is not an Azure Blob URI: use wasbs://<container>@<account>.blob.core.windows.net/<path> ` +
      '(container: 3-63 lowercase letters, digits and hyphens; account: 3-24 lowercase letters and digits).',
    );
  }
  return { uri: v, container, account, path: m[3] ?? '' };
}
