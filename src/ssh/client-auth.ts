import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
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

/** The keys to offer, in OpenSSH's order: --identity-file (or the config's), ssh-agent, then the default files. */
export function keyCandidates(target: HostTarget, passphrase?: Secret): Array<Record<string, unknown>> {
  const methods: Array<Record<string, unknown>> = [];
  const pass = passphrase?.reveal();
  const explicit = target.identityFiles.length > 0;
  if (explicit) {
    for (const file of target.identityFiles) {
      methods.push({ type: 'publickey', username: target.user, key: readFileSync(file), ...(pass ? { passphrase: pass } : {}) });
    }
  }
  if (process.env.SSH_AUTH_SOCK) methods.push({ type: 'agent', username: target.user, agent: process.env.SSH_AUTH_SOCK });
  if (!explicit) {
    for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const file = join(homedir(), '.ssh', name);
      if (existsSync(file)) methods.push({ type: 'publickey', username: target.user, key: readFileSync(file), ...(pass ? { passphrase: pass } : {}) });
    }
  }
  return methods;
}
