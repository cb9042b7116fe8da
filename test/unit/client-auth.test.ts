// The identity files a login offers: read and parsed once a run (a fleet logs in with the same key 200 times),
// and signing with a key object made once gives what ssh2's own signing gives.
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ssh2, { type ParsedKey } from 'ssh2';
import type { HostTarget } from '../../src/config/config.js';
import { keyCandidates } from '../../src/ssh/client-auth.js';
import { Secret } from '../../src/util/secret.js';

const dir = mkdtempSync(join(tmpdir(), 'client-auth-'));

function target(file: string): HostTarget {
  return { label: 'vm', name: 'vm', address: '10.0.0.1', port: 22, user: 'azureuser', identityFiles: [file], origin: '--host', overrides: {} };
}

function keyFile(name: string, type: 'ed25519' | 'ecdsa' | 'rsa', passphrase?: string): { file: string; own: ParsedKey } {
  // The typings want each type's options apart; one call with the options each type takes.
  const generate: (t: string, o: object) => { private: string } = ssh2.utils.generateKeyPairSync;
  const pair = generate(type, {
    ...(type === 'ecdsa' ? { bits: 256 } : type === 'rsa' ? { bits: 2048 } : {}),
    ...(passphrase ? { passphrase, cipher: 'aes256-cbc', rounds: 4 } : {}),
  });
  const file = join(dir, name);
  writeFileSync(file, pair.private, { mode: 0o600 });
  const own = ssh2.utils.parseKey(pair.private, passphrase) as ParsedKey;
  return { file, own };
}

const offered = (file: string, passphrase?: Secret): ParsedKey => keyCandidates(target(file), passphrase)[0]!.key as ParsedKey;
const data = Buffer.from('session id and the userauth request');

test('an identity file is read and parsed once a run: every login offers the same parsed key', () => {
  const { file } = keyFile('id_once', 'ed25519');
  const first = offered(file);
  assert.equal(typeof first.getPublicSSH, 'function', 'a parsed key, not the file bytes');
  writeFileSync(file, 'not a key any more');
  assert.equal(offered(file), first, 'the second login does not read or parse the file again');
});

test('signing with the key object made once gives the bytes ssh2 signs (ed25519, RSA with each hash); ECDSA verifies', () => {
  const ed = keyFile('id_ed', 'ed25519');
  assert.deepEqual(offered(ed.file).sign(data), ed.own.sign(data));
  const rsa = keyFile('id_rsa', 'rsa');
  for (const hash of [undefined, 'sha256', 'sha512']) assert.deepEqual(offered(rsa.file).sign(data, hash), rsa.own.sign(data, hash), `rsa ${hash}`);
  const ec = keyFile('id_ec', 'ecdsa');
  const signature = offered(ec.file).sign(data);
  assert.ok(verify('sha256', data, ec.own.getPublicPEM(), signature), 'ECDSA P-256 signs with SHA-256 by default');
});

test('an encrypted key is decrypted once with the passphrase; a file that is no key goes to ssh2 as it is', () => {
  const enc = keyFile('id_enc', 'ed25519', 'correct horse');
  const key = offered(enc.file, new Secret('correct horse'));
  assert.deepEqual(key.sign(data), enc.own.sign(data));
  const junk = join(dir, 'id_junk');
  writeFileSync(junk, 'hello');
  assert.ok(Buffer.isBuffer(offered(junk)), 'ssh2 then skips it and says why, as before');
  const wrong = keyFile('id_enc2', 'ed25519', 'right');
  assert.ok(Buffer.isBuffer(offered(wrong.file, new Secret('wrong'))), 'a wrong passphrase: the bytes, for ssh2 to refuse');
});
