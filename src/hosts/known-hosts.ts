import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  line: number;
  marker: '' | '@cert-authority' | '@revoked';
  patterns: string;
  keyType: string;
  keyBase64: string;
}

export type HostKeyVerdict =
  | { status: 'match'; line: number }
  | { status: 'unknown' }
  | { status: 'changed'; line: number; knownType: string }
  | { status: 'revoked'; line: number };

/** known_hosts stores port 22 hosts bare and any other port as `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
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

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

/** OpenSSH host pattern list semantics: comma-separated, wildcards, `!` negation wins, `|1|` hashed names. */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    const pattern = negated ? p.slice(1) : p;
    if (globToRegExp(pattern).test(name)) {
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
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && patternsMatch(e.patterns, name));
  const revoked = entries.find((e) => e.marker === '@revoked' && e.keyBase64 === b64);
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = forHost.filter((e) => e.marker === '');
  const same = plain.find((e) => e.keyType === type && e.keyBase64 === b64);
  if (same) return { status: 'match', line: same.line };
  const other = plain[0];
  if (other) return { status: 'changed', line: other.line, knownType: other.keyType };
  return { status: 'unknown' };
}

/** Key types the file already holds for this host, so the handshake can prefer them (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], name: string): string[] {
  return [
    ...new Set(
      entries.filter((e) => e.marker === '' && patternsMatch(e.patterns, name)).map((e) => e.keyType),
    ),
  ];
}

export function readKnownHosts(path: string): KnownHostEntry[] {
  if (!existsSync(path)) return [];
  return parseKnownHosts(readFileSync(path, 'utf8'));
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
  appendFileSync(path, `${prefix}${name} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o644 });
}
