import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { patternsMatch } from './known-hosts.js';

export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** HostKeyAlias as written (not lowercased, not expanded: OpenSSH lowercases it and expands nothing). */
  hostKeyAlias?: string;
  /** ProxyJump as written: `[user@]host[:port]`, comma-separated hops, or `none`. */
  proxyJump?: string;
  /** UserKnownHostsFile's arguments as written (tokens not expanded yet: %r and %p need the final user and port). */
  userKnownHostsFiles?: string[];
  /** GlobalKnownHostsFile's arguments as written. */
  globalKnownHostsFiles?: string[];
  /** Where each of the known_hosts options above was set (`/home/me/.ssh/config line 12`), for messages. */
  origins: Partial<Record<'hostkeyalias' | 'userknownhostsfile' | 'globalknownhostsfile', string>>;
}

/** OpenSSH's READCONF_MAX_DEPTH: an Include nested deeper than this is refused (it is almost surely a loop). */
export const MAX_INCLUDE_DEPTH = 16;

interface ConfigOption {
  key: string;
  args: string[];
  where: string;
}

interface ParseContext {
  alias: string;
  readFile: (path: string) => string;
  home: string;
}

/** OpenSSH's argv_split: whitespace-separated words, double or single quotes group, no escapes but quotes. */
export function splitArgs(value: string): string[] {
  const args: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (const ch of value) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}

function expandTilde(p: string, home: string): string {
  return p.replace(/^~(?=\/|$)/, home);
}

function globSegmentRegExp(segment: string): RegExp {
  let body = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') body += '[^/]*';
    else if (ch === '?') body += '[^/]';
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) {
        body += '\\[';
        continue;
      }
      let set = segment.slice(i + 1, end);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      body += `[${set.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else body += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${body}$`);
}

/** glob(3) as OpenSSH's Include uses it: `*`, `?` and `[...]` per path segment, sorted, no hidden files by wildcard. */
export function globPaths(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) {
    try {
      statSync(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  let paths = [absolute ? '/' : '.'];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const next: string[] = [];
    for (const base of paths) {
      if (!/[*?[]/.test(segment)) {
        const p = join(base, segment);
        try {
          const st = statSync(p);
          if (last || st.isDirectory()) next.push(p);
        } catch {
          // no such path: this branch matches nothing
        }
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      const re = globSegmentRegExp(segment);
      for (const name of names.sort()) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (!re.test(name)) continue;
        const p = join(base, name);
        if (!last) {
          try {
            if (!statSync(p).isDirectory()) continue;
          } catch {
            continue;
          }
        }
        next.push(p);
      }
    }
    paths = next;
  }
  return absolute ? paths : paths.map((p) => (p.startsWith('./') ? p.slice(2) : p));
}

/**
 * Reads one config file's lines into `out`, in order, keeping only the options of blocks that apply to the
 * alias, and following `Include` as OpenSSH's readconf.c does: the included file is read in place, with the
 * including block's state (an Include inside a Host block that does not apply is parsed but never applies),
 * and that state is restored after it.
 */
function collect(text: string, file: string, ctx: ParseContext, depth: number, startActive: boolean, neverMatch: boolean, out: ConfigOption[]): void {
  if (depth > MAX_INCLUDE_DEPTH) {
    throw new UsageError(`${file} is included more than ${MAX_INCLUDE_DEPTH} levels deep in the ssh config (an Include loop?): fix the Include lines.`);
  }
  let active = startActive;
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) return;
    const key = m[1]!.toLowerCase();
    const args = splitArgs(m[2]!.trim());
    const where = `${file} line ${index + 1}`;
    if (key === 'host') {
      active = !neverMatch && patternsMatch(args.join(','), ctx.alias);
      return;
    }
    // `Match` conditions would need to run commands; such blocks are not applied.
    if (key === 'match') {
      active = false;
      return;
    }
    if (key === 'include') {
      for (const arg of args) {
        for (const included of includedFiles(arg, where, ctx)) {
          let includedText: string;
          try {
            includedText = ctx.readFile(included);
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code === 'ENOENT') continue;
            throw new UsageError(`Cannot read ${included} (${code ?? 'error'}), included by ${where}: fix its permissions or the Include line.`);
          }
          collect(includedText, included, ctx, depth + 1, active, neverMatch || !active, out);
        }
      }
      return;
    }
    if (active) out.push({ key, args, where });
  });
}

/** An Include argument's files: %tokens and ${VAR} expanded, a relative path taken in ~/.ssh, then globbed. */
function includedFiles(arg: string, where: string, ctx: ParseContext): string[] {
  const expanded = expandTokens(
    arg,
    {
      home: ctx.home,
      host: ctx.alias,
      hostArg: ctx.alias,
      keyAlias: ctx.alias,
      port: 22,
      remoteUser: userInfo().username,
    },
    { what: `Include ${arg}`, where, dollar: true },
  );
  const path = expanded.startsWith('~') || isAbsolute(expanded) ? expandTilde(expanded, ctx.home) : join(ctx.home, '.ssh', expanded);
  return globPaths(path);
}

/** OpenSSH semantics: for each option the first value found wins; IdentityFile accumulates. */
export function lookupSshConfig(
  text: string,
  alias: string,
  options: { file?: string; home?: string; readFile?: (path: string) => string } = {},
): SshConfigHost {
  const ctx: ParseContext = { alias, home: options.home ?? homedir(), readFile: options.readFile ?? ((p) => readFileSync(p, 'utf8')) };
  const collected: ConfigOption[] = [];
  collect(text, options.file ?? 'ssh config', ctx, 0, true, false, collected);
  const result: SshConfigHost = { identityFiles: [], origins: {} };
  const rawIdentities: string[] = [];
  for (const { key, args, where } of collected) {
    const value = args.join(' ');
    if (key === 'hostname' && result.hostName === undefined) result.hostName = value;
    else if (key === 'user' && result.user === undefined) result.user = value;
    else if (key === 'port' && result.port === undefined) result.port = Number(value);
    else if (key === 'identityfile') rawIdentities.push(value);
    else if (key === 'proxyjump' && result.proxyJump === undefined) result.proxyJump = value;
    else if (key === 'hostkeyalias' && result.hostKeyAlias === undefined && args[0] !== undefined) {
      result.hostKeyAlias = args[0];
      result.origins.hostkeyalias = where;
    } else if (key === 'userknownhostsfile' && result.userKnownHostsFiles === undefined && args.length > 0) {
      result.userKnownHostsFiles = knownHostsArgs(args, 'UserKnownHostsFile', where);
      result.origins.userknownhostsfile = where;
    } else if (key === 'globalknownhostsfile' && result.globalKnownHostsFiles === undefined && args.length > 0) {
      result.globalKnownHostsFiles = knownHostsArgs(args, 'GlobalKnownHostsFile', where);
      result.origins.globalknownhostsfile = where;
    }
  }
  if (result.hostName) result.hostName = result.hostName.replace(/%h/g, alias);
  result.identityFiles = rawIdentities.map((p) => expandPath(p, alias, result.hostName ?? alias, result.user));
  return result;
}

/** `none` means no file, and must stand alone (readconf.c). */
function knownHostsArgs(args: string[], keyword: string, where: string): string[] {
  if (args.some((a) => a.toLowerCase() === 'none')) {
    if (args.length > 1) throw new UsageError(`${where}: ${keyword} "none" must be the only argument; fix that line.`);
    return [];
  }
  return args;
}

function expandPath(p: string, alias: string, hostName: string, user: string | undefined): string {
  return p
    .replace(/^~(?=\/|$)/, homedir())
    .replace(/%d/g, homedir())
    .replace(/%h/g, hostName)
    .replace(/%n/g, alias)
    .replace(/%r/g, user ?? '')
    .replace(/%%/g, '%');
}

/** What OpenSSH's %tokens stand for, for one connection. */
export interface TokenValues {
  /** %d: the local home directory. */
  home: string;
  /** %h: the remote host name (HostName, lowercased as OpenSSH does). */
  host: string;
  /** %n: the host as given on the command line. */
  hostArg: string;
  /** %k: HostKeyAlias (lowercased), else the host as given. */
  keyAlias: string;
  /** %p */
  port: number;
  /** %r */
  remoteUser: string;
}

/**
 * OpenSSH's percent_expand (and, with `dollar`, percent_dollar_expand): %% %C %d %h %i %j %k %L %l %n %p %r %u,
 * plus ${VAR} from the environment. An unknown token or unset variable is a mistake in the config (OpenSSH
 * stops too).
 */
export function expandTokens(value: string, t: TokenValues, how: { what: string; where: string; dollar?: boolean }): string {
  let text = value;
  if (how.dollar) {
    text = text.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
      const v = process.env[name];
      if (v === undefined) throw new UsageError(`${how.where}: ${how.what} uses \${${name}}, which is not set in the environment; set it or fix that line.`);
      return v;
    });
  }
  const thisHost = hostname();
  const values: Record<string, () => string> = {
    '%': () => '%',
    C: () => createHash('sha1').update(`${thisHost}${t.host}${t.port}${t.remoteUser}`).digest('hex'),
    d: () => t.home,
    h: () => t.host,
    i: () => String(process.getuid?.() ?? ''),
    j: () => '',
    k: () => t.keyAlias,
    L: () => thisHost.split('.')[0]!,
    l: () => thisHost,
    n: () => t.hostArg,
    p: () => String(t.port),
    r: () => t.remoteUser,
    u: () => userInfo().username,
  };
  return text.replace(/%(.?)/g, (_, token: string) => {
    const fn = values[token];
    if (!fn) throw new UsageError(`${how.where}: ${how.what} uses the unknown token %${token}; write %% for a literal %.`);
    return fn();
  });
}

export function readSshConfig(path: string, alias: string): SshConfigHost {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { identityFiles: [], origins: {} };
    throw new UsageError(`Cannot read the ssh config ${path} (${code ?? 'error'}): fix its permissions or pass another file with --ssh-config.`);
  }
  return lookupSshConfig(text, alias, { file: path });
}
