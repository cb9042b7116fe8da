import { hostProblem, parseAllowedHosts, requireAbsolutePath, requirePort, shown, userNameProblem, requireSupervisor, parsePublicNames } from './validate.js';
import { UsageError } from '../util/errors.js';

/** Per-host settings a hosts-file line may override. */
export const HOST_OVERRIDE_KEYS = ['artifacts-dir', 'mlflow-port', 'allowed-hosts', 'public-name', 'supervisor', 'user', 'identity-file'] as const;
export type HostOverrideKey = (typeof HOST_OVERRIDE_KEYS)[number];

export interface HostEntry {
  /** Where it came from, for messages: `hosts.txt:3` or `--host`. */
  origin: string;
  host: string;
  user?: string;
  port?: number;
  overrides: Partial<Record<HostOverrideKey, string>>;
}

export interface HostsFileProblem {
  line: number;
  message: string;
}

/** `[user@]host[:port]`, with IPv6 as `[fd00::4]` or `[fd00::4]:2222`. */
export function parseHostSpec(spec: string): { host: string; user?: string; port?: number } | string {
  let rest = spec;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const problem = userNameProblem(user);
    if (problem) return problem;
  }
  let host = rest;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host, portText] = rest.split(':') as [string, string];
  }
  const problem = hostProblem(host);
  if (problem) return problem;
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return `port ${shown(portText)} is not a number from 1 to 65535`;
  }
  return { host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

/** What is wrong with a setting's value, as a clause (`mlflow-port must be ...`), by the same validators as the flags. */
function valueProblem(key: HostOverrideKey, value: string): string | undefined {
  const clause = (check: () => unknown): string | undefined => {
    try {
      check();
      return undefined;
    } catch (err) {
      if (err instanceof UsageError) return err.message.replace(/^--/, '').replace(/\.$/, '');
      throw err;
    }
  };
  switch (key) {
    case 'mlflow-port':
      return clause(() => requirePort(value, 'mlflow-port'));
    case 'artifacts-dir':
      return clause(() => requireAbsolutePath(value, 'artifacts-dir'));
    case 'allowed-hosts':
      return clause(() => parseAllowedHosts(value));
    case 'supervisor':
      return clause(() => requireSupervisor(value, 'supervisor'));
    case 'public-name':
      return clause(() => parsePublicNames(value));
    case 'user':
      return userNameProblem(value);
    case 'identity-file':
      return /\p{Cc}/u.test(value) ? `identity-file ${shown(value)} holds a control character` : undefined;
  }
}

/**
 * One host a line: `[user@]host[:port] [key=value ...]`, `#` comments and blank lines allowed. Every bad
 * line is reported with its number (a malformed host or value, an unknown or repeated setting); what is
 * returned as entries passes the same validators as the flags. Duplicates (same user, host and port) are
 * reported, not run twice.
 */
export function parseHostsFile(text: string, name: string): { entries: HostEntry[]; problems: HostsFileProblem[]; duplicates: HostsFileProblem[] } {
  const entries: HostEntry[] = [];
  const problems: HostsFileProblem[] = [];
  const duplicates: HostsFileProblem[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/(^|\s)#[^]*$/, '').trim();
    if (line === '') return;
    const [spec, ...pairs] = line.split(/\s+/);
    const parsed = parseHostSpec(spec!);
    if (typeof parsed === 'string') {
      problems.push({ line: lineNo, message: parsed });
      return;
    }
    const overrides: HostEntry['overrides'] = {};
    const given = new Set<string>();
    const before = problems.length;
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      const key = eq > 0 ? pair.slice(0, eq) : pair;
      if (eq <= 0 || pair.slice(eq + 1) === '') {
        problems.push({ line: lineNo, message: `${shown(pair)} is not a key=value setting` });
        continue;
      }
      if (!(HOST_OVERRIDE_KEYS as readonly string[]).includes(key)) {
        problems.push({ line: lineNo, message: `unknown setting ${shown(key)} (allowed: ${HOST_OVERRIDE_KEYS.join(', ')})` });
        continue;
      }
      const value = pair.slice(eq + 1);
      if (given.has(key) || (key === 'user' && parsed.user !== undefined)) {
        problems.push({ line: lineNo, message: `${shown(key)} is given twice${given.has(key) ? '' : ` (as ${parsed.user}@ and as user=)`}` });
        continue;
      }
      given.add(key);
      const problem = valueProblem(key as HostOverrideKey, value);
      if (problem) {
        problems.push({ line: lineNo, message: problem });
        continue;
      }
      overrides[key as HostOverrideKey] = value;
    }
    if (problems.length > before) return;
    const user = parsed.user ?? overrides.user;
    const key = `${user ?? ''}@${parsed.host.toLowerCase()}:${parsed.port ?? ''}`;
    const first = seen.get(key);
    if (first !== undefined) {
      duplicates.push({ line: lineNo, message: `${spec} repeats line ${first}; it runs once` });
      return;
    }
    seen.set(key, lineNo);
    entries.push({
      origin: `${name}:${lineNo}`,
      host: parsed.host,
      ...(user !== undefined ? { user } : {}),
      ...(parsed.port !== undefined ? { port: parsed.port } : {}),
      overrides,
    });
  });
  return { entries, problems, duplicates };
}
