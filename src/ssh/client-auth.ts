import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import type { HostTarget } from '../config/config.js';
import { DEFAULT_GLOBAL_KNOWN_HOSTS, knownHostsName, type KnownHostsFiles } from '../openssh/known-hosts.js';
import type { Secret } from '../util/secret.js';

/** The known_hosts files and name one connection verifies its host key with. */
export function knownHostsFilesFor(target: HostTarget, knownHostsPath: string): KnownHostsFiles {
  return (
    target.knownHosts ?? {
      name: knownHostsName(target.address, target.port),
      userFiles: [knownHostsPath],
      globalFiles: DEFAULT_GLOBAL_KNOWN_HOSTS,
    }
  );
}

/** Algorithm names a known_hosts key type can be negotiated as. */
export const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
export const ALL_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** The hash each key type signs with when the negotiated algorithm names none (as ssh2's key parser has it). */
const DEFAULT_SIGN_HASH: Record<string, string | null> = {
  'ssh-ed25519': null,
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
  'ssh-rsa': 'sha1',
};

/**
 * The key as ssh2 parsed it, signing with a key object made once: ssh2 signs with the PEM text, which OpenSSL
 * parses again at each login (~0.5 ms a host for ed25519). Any other type is signed as ssh2 does.
 */
function signingOnce(parsed: ParsedKey): ParsedKey {
  const pem = parsed.getPrivatePEM();
  const hash = DEFAULT_SIGN_HASH[parsed.type];
  if (!pem || hash === undefined) return parsed;
  const privateKey = createPrivateKey(pem);
  const key = Object.create(parsed) as ParsedKey;
  // As ssh2's own: an error is returned, not thrown (its client checks `instanceof Error`); its typings omit that.
  key.sign = ((data: Buffer | string, algo?: string) => {
    try {
      return cryptoSign(algo || hash, typeof data === 'string' ? Buffer.from(data) : data, privateKey);
    } catch (err) {
      return err as Error;
    }
  }) as ParsedKey['sign'];
  return key;
}

/** This run's identity files by path, read and parsed once: a fleet logs in to every host with the same key. */
const identities = new Map<string, { pass: string | undefined; key: ParsedKey | Buffer }>();

/**
 * An identity file for ssh2: parsed once a run (an encrypted key's KDF once, not once a host). A file ssh2
 * cannot parse as one private key goes to it as it is, so it says why as before.
 */
function identity(file: string, pass: string | undefined): ParsedKey | Buffer {
  const known = identities.get(file);
  if (known && known.pass === pass) return known.key;
  const data = readFileSync(file);
  const parsed = ssh2.utils.parseKey(data, pass) as ParsedKey | ParsedKey[] | Error;
  const key = parsed instanceof Error || Array.isArray(parsed) || !parsed.isPrivateKey() ? data : signingOnce(parsed);
  identities.set(file, { pass, key });
  return key;
}

/** The keys to offer, in OpenSSH's order: --identity-file (or the config's), ssh-agent, then the default files. */
export function keyCandidates(target: HostTarget, passphrase?: Secret): Array<Record<string, unknown>> {
  const methods: Array<Record<string, unknown>> = [];
  const pass = passphrase?.reveal();
  const explicit = target.identityFiles.length > 0;
  if (explicit) {
    for (const file of target.identityFiles) {
      methods.push({ type: 'publickey', username: target.user, key: identity(file, pass), ...(pass ? { passphrase: pass } : {}) });
    }
  }
  if (process.env.SSH_AUTH_SOCK) methods.push({ type: 'agent', username: target.user, agent: process.env.SSH_AUTH_SOCK });
  if (!explicit) {
    for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const file = join(homedir(), '.ssh', name);
      if (existsSync(file)) methods.push({ type: 'publickey', username: target.user, key: identity(file, pass), ...(pass ? { passphrase: pass } : {}) });
    }
  }
  return methods;
}
