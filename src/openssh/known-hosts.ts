import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { shq } from '../util/shell-quote.js';

export interface KnownHostEntry {
  line: number;
  marker: '' | '@cert-authority' | '@revoked';
  patterns: string;
  keyType: string;
  keyBase64: string;
  /** The file the line is in, when entries from several files are checked together. */
  file?: string;
}

export type HostKeyVerdict =
  | { status: 'match'; line: number; file?: string }
  | { status: 'unknown' }
  | { status: 'changed'; line: number; knownType: string; file?: string }
  | { status: 'revoked'; line: number; file?: string };

/**
 * The name a host's keys are stored under: OpenSSH lowercases the host name (ssh.c) and HostKeyAlias before
 * it looks them up, hashes them or records them, so `VM1` and `vm1` are one host. Port 22 hosts are bare,
 * any other port is `[host]:port`.
 */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = '';
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m !== '@cert-authority' && m !== '@revoked') return;
      marker = m;
    }
    const [patterns, keyType, keyBase64] = fields;
    if (!patterns || !keyType || !keyBase64) return;
    entries.push({ line: index + 1, marker, patterns, keyType, keyBase64 });
  });
  return entries;
}

/** Compiled wildcard patterns: every host of a run looks up every line of the file (bench:fleet-cli). */
const globs = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  let re = globs.get(pattern);
  if (re) return re;
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  re = new RegExp(`^${body}$`, 'i');
  if (globs.size < 10_000) globs.set(pattern, re);
  return re;
}

/** One pattern of a list against the name: a plain name is compared as is (the usual line), else as a glob. */
function patternMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  return globToRegExp(pattern).test(name);
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name.toLowerCase()).digest('base64');
  return digest === hash;
}

/**
 * OpenSSH host pattern list semantics: comma-separated, wildcards, `!` negation wins, `|1|` hashed names;
 * the name is compared in lower case, as OpenSSH's match_hostname() and hashed lookups do.
 */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    const pattern = negated ? p.slice(1) : p;
    if (patternMatches(pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The key type and blob of an SSH wire-format public key. */
export function keyTypeOf(keyBlob: Buffer): string {
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('ascii');
}

export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export function verifyHostKey(entries: KnownHostEntry[], name: string, keyBlob: Buffer): HostKeyVerdict {
  const type = keyTypeOf(keyBlob);
  const b64 = keyBlob.toString('base64');
  const where = (e: KnownHostEntry) => ({ line: e.line, ...(e.file !== undefined ? { file: e.file } : {}) });
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && patternsMatch(e.patterns, name));
  const revoked = entries.find((e) => e.marker === '@revoked' && e.keyBase64 === b64);
  if (revoked) return { status: 'revoked', ...where(revoked) };
  const plain = forHost.filter((e) => e.marker === '');
  const same = plain.find((e) => e.keyType === type && e.keyBase64 === b64);
  if (same) return { status: 'match', ...where(same) };
  const other = plain[0];
  if (other) return { status: 'changed', ...where(other), knownType: other.keyType };
  return { status: 'unknown' };
}

/** Key types the file already holds for this host, so the handshake can prefer them (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => e.marker === '' && patternsMatch(e.patterns, name)).map((e) => e.keyType))];
}

/**
 * Appends one line with O_APPEND (never rewrites the file), so parallel hosts cannot clobber each
 * other's entries or the user's own lines.
 */
export function appendKnownHost(path: string, name: string, keyBlob: Buffer): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(path) && statSync(path).size > 0) {
    const fd = openSync(path, 'r');
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, statSync(path).size - 1);
    closeSync(fd);
    if (last.toString() !== '\n') prefix = '\n';
  }
  appendFileSync(path, `${prefix}${name.toLowerCase()} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o644 });
}

/** Where a host's keys are looked up and recorded (ssh_config UserKnownHostsFile, GlobalKnownHostsFile, HostKeyAlias). */
export interface KnownHostsFiles {
  /** The name in known_hosts: HostKeyAlias, else `host` or `[host]:port`; lower case. */
  name: string;
  /** Looked up; new keys are recorded in the first (none: new keys cannot be recorded). */
  userFiles: string[];
  /** Looked up, never written (OpenSSH's GlobalKnownHostsFile, /etc/ssh/ssh_known_hosts by default). */
  globalFiles: string[];
}

/** OpenSSH's defaults for GlobalKnownHostsFile. */
export const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

/**
 * Every entry of the user files and the global files, each tagged with its file. A missing file holds no
 * keys; any other file that cannot be read is skipped as OpenSSH skips it, except the file new keys are
 * recorded in, whose problem is an error (appending to a file we cannot read would duplicate its lines).
 */
export function loadKnownHosts(files: KnownHostsFiles): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  [...files.userFiles, ...files.globalFiles].forEach((file, index) => {
    let fileEntries: KnownHostEntry[];
    try {
      fileEntries = readKnownHostsFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || index > 0) return;
      throw new Error(
        `Cannot read ${file} (${code ?? 'error'}) to check the host key of ${files.name}: fix its permissions or give another file with --known-hosts.`,
        { cause: err },
      );
    }
    entries.push(...fileEntries);
  });
  return entries;
}

/** The files read this run: each login of a fleet looks its host up in the same file (200 x 200 lines, twice). */
const readFiles = new Map<string, { stamp: string; entries: KnownHostEntry[] }>();

/** A file changed this recently is read again: its time stamps are a clock tick coarse (as git's "racy" entries). */
const SETTLED_MS = 2000;

/**
 * A file's entries, tagged with it; parsed again when the file changed (its inode, size, modification or change
 * time differ: an appended key changes the size) or changed too recently for its time stamps to tell.
 */
function readKnownHostsFile(file: string): KnownHostEntry[] {
  const st = statSync(file);
  const stamp = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = readFiles.get(file);
  const settled = Date.now() - Math.max(st.mtimeMs, st.ctimeMs) > SETTLED_MS;
  if (known?.stamp === stamp && settled) return known.entries;
  const entries = parseKnownHosts(readFileSync(file, 'utf8')).map((e) => ({ ...e, file }));
  readFiles.set(file, { stamp, entries });
  return entries;
}

export type HostKeyPolicyName = 'accept-new' | 'strict';

/**
 * Decides on the host key of one connection. ssh2 calls `verify` at the first key exchange AND at every
 * re-key: the first key accepted is pinned, so a re-key must present exactly that key (OpenSSH's
 * kex_verify_host_key refuses another key too) and never records anything again.
 */
export class HostKeyVerifier {
  /** Why the key was refused, one sentence (set when `verify` returns false). */
  problem: string | undefined;
  private accepted: Buffer | undefined;

  constructor(
    readonly files: KnownHostsFiles,
    readonly policy: HostKeyPolicyName,
    private readonly onNewHostKey?: (fingerprint: string, keyType: string, file: string) => void,
  ) {}

  /** Key types known for the host, so the handshake can prefer them (as OpenSSH does). */
  knownKeyTypes(): string[] {
    try {
      return knownKeyTypes(loadKnownHosts(this.files), this.files.name);
    } catch {
      return []; // the handshake's verify says what is wrong with the file
    }
  }

  verify(key: Buffer): boolean {
    const { name } = this.files;
    const fp = fingerprint(key);
    if (this.accepted) {
      if (this.accepted.equals(key)) return true;
      this.problem =
        `${name} presented another host key (${fp}) when the SSH connection re-keyed than the one it was verified with (${fingerprint(this.accepted)}); ` +
        'a server does not change its key within a connection: this may be an attack, so the connection was closed.';
      return false;
    }
    let entries: KnownHostEntry[];
    try {
      entries = loadKnownHosts(this.files); // read now, not before the connection: what is on disk at this moment
    } catch (err) {
      this.problem = (err as Error).message;
      return false;
    }
    const verdict = verifyHostKey(entries, name, key);
    if (verdict.status === 'match') {
      this.accepted = key;
      return true;
    }
    if (verdict.status === 'revoked') {
      this.problem = `The host key of ${name} (${fp}) is marked @revoked in ${verdict.file} line ${verdict.line}; refusing to connect.`;
      return false;
    }
    if (verdict.status === 'changed') {
      const global = verdict.file !== undefined && !this.files.userFiles.includes(verdict.file);
      this.problem =
        `The host key of ${name} has CHANGED (now ${fp}; ${verdict.file} line ${verdict.line} holds another ${verdict.knownType} key). ` +
        `This may be a reinstalled VM or an attack. If you expect it, run: ${global ? 'sudo ' : ''}ssh-keygen -R ${shq(name)} -f ${shq(verdict.file ?? '')} and rerun.`;
      return false;
    }
    const record = this.files.userFiles[0];
    const where = [...new Set([...this.files.userFiles, ...this.files.globalFiles.filter((f) => existsSync(f))])].join(', ') || 'any known_hosts file';
    if (this.policy === 'strict') {
      this.problem = `${name} is not in ${where} (key ${fp}) and --host-key-policy is strict: verify the fingerprint and add it (e.g. ssh-keyscan), or use --host-key-policy accept-new.`;
      return false;
    }
    if (record === undefined) {
      this.problem = `${name} is not in ${where} (key ${fp}) and the ssh config says UserKnownHostsFile none, so its key cannot be recorded: name a file there or pass --known-hosts.`;
      return false;
    }
    try {
      appendKnownHost(record, name, key);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      this.problem = `The new host key of ${name} (${fp}) could not be recorded in ${record} (${code}): fix the file's permissions or give another file with --known-hosts.`;
      return false;
    }
    this.accepted = key;
    this.onNewHostKey?.(fp, keyTypeOf(key), record);
    return true;
  }
}
