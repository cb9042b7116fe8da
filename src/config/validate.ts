import { isIP } from 'node:net';
import { UsageError } from '../util/errors.js';

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$/;

/**
 * A value as a message shows it: in double quotes, with line breaks, control and bidi characters escaped
 * (`"/x\nY"`), so a hostile value can neither split the one-sentence message nor drive the terminal.
 */
export function shown(value: unknown): string {
  return JSON.stringify(String(value)).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `fe80::1%eth0` (or `[fe80::1%eth0]`): node's isIP accepts IPv6 zone ids; nothing after validation handles them. */
export function hasZoneId(value: string): boolean {
  const m = /^\[?([^%\]]*)%[^\]]*\]?$/.exec(value.trim());
  return m !== null && isIP(m[1]!) === 6;
}

/** The clause that refuses a zone id; a VM can also be named by a ~/.ssh/config alias, other hosts by a DNS name. */
export function zoneIdProblem(value: string, vm: boolean): string {
  return `${shown(value)} has an IPv6 zone id, which is not supported: use a global address or ${vm ? 'a ~/.ssh/config alias' : 'a DNS name'}`;
}

export function isValidHostName(value: string): boolean {
  if (value.includes('%')) return false;
  return isIP(value) !== 0 || HOSTNAME.test(value);
}

/**
 * What is wrong with a host name or address, as a clause naming it (for messages and hosts-file lines), or
 * undefined. `vm`: the host is a VM we SSH to (so a ~/.ssh/config alias is a way out of a zone id).
 */
export function hostProblem(value: string, vm = true): string | undefined {
  if (hasZoneId(value)) return zoneIdProblem(value, vm);
  if (!isValidHostName(value)) return `${shown(value)} is not a valid host name or IP address`;
  return undefined;
}

export function requireHost(value: string, what: string, vm = true): string {
  const v = value.trim();
  const problem = hostProblem(v, vm);
  if (problem) throw new UsageError(`${what} ${problem}.`);
  return v;
}

/**
 * SSH user names, wherever they come from (--user, PROVISION_USER, a hosts-file line, ~/.ssh/config): POSIX-ish,
 * as useradd accepts them, so a name is never a shell word or an option.
 */
export const USER_NAME = /^[a-z_][a-z0-9_.-]*\$?$/i;
export const MAX_USER_NAME = 32;

/** What is wrong with an SSH user name, as a clause naming it, or undefined. */
export function userNameProblem(value: string): string | undefined {
  if (USER_NAME.test(value) && value.length <= MAX_USER_NAME) return undefined;
  return `${shown(value)} is not a valid SSH user name (at most ${MAX_USER_NAME} letters, digits, _, . or -, starting with a letter or _)`;
}

/** `what` says where the name came from: `--user`, `PROVISION_USER`, `hosts.txt line 3: user`. */
export function requireUserName(value: string, what: string): string {
  const problem = userNameProblem(value);
  if (problem) throw new UsageError(`${what} ${problem}.`);
  return value;
}

/** The range of a number option; `unit` words the message for non-integers ("a number of seconds"). */
export interface NumberRule {
  min: number;
  max: number;
  /** Decimals allowed (--connect-timeout); otherwise a whole number. */
  decimals?: boolean;
  unit?: string;
}

export const PORT_RULE: NumberRule = { min: 1, max: 65535 };

/**
 * A number option's value as typed (a flag or an environment variable: text; a test: a number), checked
 * against its range. The message shows what was typed: `--ssh-port must be a whole number from 1 to 65535, not "abc".`
 */
export function requireNumber(value: unknown, what: string, rule: NumberRule): number {
  const text = typeof value === 'number' ? String(value) : String(value).trim();
  const form = rule.decimals ? /^[0-9]+(\.[0-9]+)?$/ : /^[0-9]+$/;
  const n = typeof value === 'number' ? value : form.test(text) ? Number(text) : Number.NaN;
  const ok = Number.isFinite(n) && (rule.decimals || Number.isInteger(n)) && n >= rule.min && n <= rule.max;
  if (!ok) {
    const kind = rule.decimals ? `a number${rule.unit ? ` of ${rule.unit}` : ''}` : 'a whole number';
    throw new UsageError(`${what} must be ${kind} from ${rule.min} to ${rule.max}, not ${shown(Array.isArray(value) ? value.join(' ') : text)}.`);
  }
  return n;
}

export function requirePort(value: unknown, flag: string): number {
  return requireNumber(value, `--${flag}`, PORT_RULE);
}

export function requireAbsolutePath(value: string, flag: string): string {
  if (!value.startsWith('/')) {
    throw new UsageError(`--${flag} must be an absolute path on the VM (starting with /), not ${shown(value)}.`);
  }
  if (/\p{Cc}/u.test(value)) {
    throw new UsageError(`--${flag} ${shown(value)} holds a line break or control character: give the path on one line, as it is on the VM.`);
  }
  return value.replace(/\/+$/, '') || '/';
}

/** `host`, `host:port`, `*`, or a wildcard such as `*.example.com`, comma-separated. */
export function parseAllowedHosts(value: string): string[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new UsageError('--allowed-hosts must list at least one host, e.g. "mlflow.example.com,10.0.0.4:5000".');
  for (const entry of entries) {
    if (entry === '*') continue;
    if (hasZoneId(entry) || hasZoneId(entry.replace(/^(\[[^\]]*\]):\d*$/, '$1'))) {
      throw new UsageError(`--allowed-hosts entry ${zoneIdProblem(entry, false)}.`);
    }
    const m = /^(\[[0-9A-Fa-f:.]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(entry);
    const host = m?.[1]?.startsWith('[') ? m[1].slice(1, -1) : m?.[1];
    const port = m?.[2];
    const hostOk = host !== undefined && (isIP(host) !== 0 || /^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(host) || host === '*');
    const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
    if (!hostOk || !portOk) {
      throw new UsageError(
        `--allowed-hosts entry ${shown(entry)} is not a host, host:port or *; give a comma-separated list such as "mlflow.example.com,10.0.0.4:5000".`,
      );
    }
  }
  return entries;
}

export function requireMlflowVersion(value: string): string {
  if (!/^[0-9]+(\.[0-9]+)*([a-z]+[0-9]*)?(\.post[0-9]+|\.dev[0-9]+)?$/.test(value)) {
    throw new UsageError(`--mlflow-version ${shown(value)} is not a version number such as 3.16.1.`);
  }
  return value;
}

export function requireSqlName(value: string, flag: string): string {
  if (value === '') throw new UsageError(`--${flag} must not be empty.`);
  if (/\p{Cc}/u.test(value)) throw new UsageError(`--${flag} ${shown(value)} holds a line break or control character: give the name on one line.`);
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
  const m = /^wasbs:\/\/([^@/]+)@([^./]+)\.blob\.core\.windows\.net((?:\/[^\s?#\p{Cc}]*)?)$/u.exec(v);
  const container = m?.[1] ?? '';
  const account = m?.[2] ?? '';
  const containerOk = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(container);
  const accountOk = /^[a-z0-9]{3,24}$/.test(account);
  if (!m || !containerOk || !accountOk) {
    throw new UsageError(
      `--artifacts-destination ${shown(value)} is not an Azure Blob URI: use wasbs://<container>@<account>.blob.core.windows.net/<path> ` +
        '(container: 3-63 lowercase letters, digits and hyphens; account: 3-24 lowercase letters and digits).',
    );
  }
  return { uri: v, container, account, path: m[3] ?? '' };
}

export const SUPERVISORS = ['nohup', 'systemd'] as const;
export type Supervisor = (typeof SUPERVISORS)[number];

/** --supervisor (or a hosts-file line's supervisor=): nohup or systemd. */
export function requireSupervisor(value: string, what: string): Supervisor {
  if ((SUPERVISORS as readonly string[]).includes(value)) return value as Supervisor;
  throw new UsageError(`--${what} must be nohup or systemd, not ${shown(value)}.`);
}

/** One --public-name (or hosts-file public-name= entry): a host name or address alone, lower-cased. */
export function requirePublicName(value: string): string {
  const name = value.replace(/^\[(.*)\]$/, '$1');
  if (hasZoneId(name)) throw new UsageError(`--public-name ${zoneIdProblem(name, false)}.`);
  if (!isValidHostName(name) || /^https?:/i.test(value)) {
    throw new UsageError(`--public-name ${shown(value)} is not a host name or IP address: give the name alone, e.g. mlflow.example.com (no scheme, no port).`);
  }
  return name.toLowerCase();
}

/** A comma-separated list of public names, each checked, without repeats. */
export function parsePublicNames(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '')
        .map(requirePublicName),
    ),
  ];
}
