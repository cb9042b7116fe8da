// SCRAM's salted password derived once a run (checks/scram-key.ts): the same login derives once, another
// password, salt or iteration count derives its own, a failure is not kept; node-postgres's own helper is wrapped.
import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { test } from 'node:test';
import pgHelpers from 'pg/lib/crypto/utils.js';
import { loadDatabaseDriver } from '../../src/checks/database.js';
import { deriveScramKeyOnce } from '../../src/checks/scram-key.js';

function counting(fail = false) {
  const calls: string[] = [];
  const helpers = {
    deriveKey: (password: string, salt: Uint8Array, iterations: number): Promise<ArrayBuffer> => {
      calls.push(`${password}/${Buffer.from(salt).toString('hex')}/${iterations}`);
      if (fail) return Promise.reject(new Error('no key'));
      return Promise.resolve(new Uint8Array(pbkdf2Sync(password, salt, iterations, 32, 'sha256')).buffer);
    },
  };
  deriveScramKeyOnce(helpers);
  return { helpers, calls };
}

test('the same password, salt and iteration count derive once, also when 50 logins ask at once; another one derives', async () => {
  const { helpers, calls } = counting();
  const salt = Buffer.from('salt-of-the-role');
  const keys = await Promise.all(Array.from({ length: 50 }, () => helpers.deriveKey('pw', salt, 4096)));
  assert.equal(calls.length, 1);
  assert.deepEqual(Buffer.from(keys[49]!), pbkdf2Sync('pw', salt, 4096, 32, 'sha256'));
  await helpers.deriveKey('pw2', salt, 4096);
  await helpers.deriveKey('pw2', Buffer.from('another-salt'), 4096);
  await helpers.deriveKey('pw2', Buffer.from('another-salt'), 8192);
  assert.equal(calls.length, 4, 'a new password, salt or count is a new derivation');
});

test('a failed derivation is not kept: the next login derives again', async () => {
  const { helpers, calls } = counting(true);
  await assert.rejects(helpers.deriveKey('pw', Buffer.from('s'), 4096));
  await assert.rejects(helpers.deriveKey('pw', Buffer.from('s'), 4096));
  assert.equal(calls.length, 2);
});

test("node-postgres's own helper is wrapped once the driver loads, and still derives SCRAM's key", async () => {
  await loadDatabaseDriver();
  assert.equal(pgHelpers.deriveKey?.name, 'deriveKeyOnce');
  const salt = Buffer.from('0123456789abcdef');
  assert.deepEqual(Buffer.from(await pgHelpers.deriveKey('secret', salt, 4096)), pbkdf2Sync('secret', salt, 4096, 32, 'sha256'));
});
