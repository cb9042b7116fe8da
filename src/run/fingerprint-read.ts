import { configFingerprint, newFingerprintSalt, type RemoteLayout } from '../render/server-files.js';
import { StepError } from '../util/errors.js';
import { Secret } from '../util/secret.js';
import { shq } from '../util/shell-quote.js';
import type { HostSession } from './session.js';

/**
 * The configuration fingerprint of the files on the VM, keyed with the salt the server's record kept (or a
 * new one): what `provision` computes for unchanged files, so a rerun after `start` stays a no-op. The files
 * travel base64-encoded on this one command's output, which is read, never streamed or logged.
 */
export async function fingerprintOnVm(s: HostSession, layout: RemoteLayout): Promise<{ fingerprint: string; salt: string }> {
  const b64 = (path: string, key: string) => `[ -f ${shq(path)} ] && printf '${key}=%s\\n' "$(base64 -w0 < ${shq(path)})"`;
  const script = [
    b64(layout.launcher, 'launcher'),
    b64(layout.secrets, 'secrets'),
    b64(layout.authIni, 'auth'),
    `[ -f ${shq(layout.pidFile)} ] && { read -r _ _ _ s < ${shq(layout.pidFile)}; echo "salt=$s"; }`,
    'true',
  ].join('\n');
  const out = (await s.read({ kind: 'read-files', label: "read the server's files for their fingerprint", command: script, timeoutSec: 30 })).stdout;
  const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1];
  const decode = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8'));
  const launcher = decode(field('launcher'));
  const secrets = decode(field('secrets'));
  if (launcher === undefined || secrets === undefined)
    throw new StepError(`This VM is not provisioned (no ${launcher === undefined ? layout.launcher : layout.secrets}): run provision first.`);
  const secret = new Secret(secrets, s.masker);
  const kept = field('salt') ?? '';
  const salt = /^[0-9a-f]{32}$/.test(kept) ? kept : newFingerprintSalt();
  return { fingerprint: configFingerprint(launcher, secret, decode(field('auth')), salt), salt };
}
