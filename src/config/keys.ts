import { accessSync, constants, readFileSync } from 'node:fs';
import ssh2, { type ParsedKey } from 'ssh2';
import type { HostTarget } from './types.js';
import { UsageError } from '../util/errors.js';
import type { Secret } from '../util/secret.js';

export type KeyCheck = { ok: true } | { ok: false; encrypted: true; file: string };

/**
 * Checks every explicit identity file before anything connects: readable, a private key, and decryptable
 * with the passphrase we have. An encrypted key without a passphrase is reported so the caller can prompt.
 */
export function checkIdentityFiles(targets: HostTarget[], passphrase?: Secret): KeyCheck {
  const files = [...new Set(targets.flatMap((t) => t.identityFiles))];
  for (const file of files) {
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(
        `Cannot read the identity file ${file} (${code === 'ENOENT' ? 'no such file' : code}): check --identity-file or the IdentityFile line in ~/.ssh/config.`,
      );
    }
    // ssh2 returns an array for a file that holds several keys, which its typings leave out.
    const parsed = ssh2.utils.parseKey(readFileSync(file), passphrase?.reveal()) as ParsedKey | ParsedKey[] | Error;
    if (parsed instanceof Error) {
      if (/encrypted/i.test(parsed.message) && /no passphrase/i.test(parsed.message)) return { ok: false, encrypted: true, file };
      if (/bad passphrase|decrypt|integrity/i.test(parsed.message)) {
        throw new UsageError(`The passphrase for ${file} is wrong: check PROVISION_SSH_PASSPHRASE.`);
      }
      throw new UsageError(`${file} is not a usable private key (${parsed.message}): point --identity-file at your private key, not the .pub file.`);
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key?.isPrivateKey()) throw new UsageError(`${file} is a public key: point --identity-file at the private key.`);
  }
  return { ok: true };
}
