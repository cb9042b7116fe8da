// Issue 22, item 6: masking by value, per host. The laptop's secrets mask everything; a value read from a VM
// masks that VM's text only; every form a value takes is masked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostMasker, maskSecrets, Secret, VM_SECRET_MIN_LENGTH } from '../../src/util/secret.js';
import { readSecretsFile } from '../../src/render/server-files.js';
import { maskEnvironmentSecrets } from '../../src/config/resolve.js';
import { showUntrusted } from '../../src/util/visible-text.js';

test("a VM's secrets file masks that VM's text only: another VM's report and our own output keep their words", () => {
  const vm1 = hostMasker();
  const vm2 = hostMasker();
  readSecretsFile("MLFLOW_AUTH_ADMIN_PASSWORD='NOT HEALTHY'\nAZURE_STORAGE_ACCESS_KEY=CHANGED\n", vm1);
  assert.equal(vm2.mask('vm2: NOT HEALTHY, files CHANGED'), 'vm2: NOT HEALTHY, files CHANGED');
  assert.equal(maskSecrets('vm2: NOT HEALTHY, files CHANGED'), 'vm2: NOT HEALTHY, files CHANGED', 'stdout is not masked with it');
  assert.equal(vm1.mask('the log says NOT HEALTHY and CHANGED'), 'the log says *** and ***');
});

test('the password inside a VM URI masks that VM only, in every form', () => {
  const vm1 = hostMasker();
  const pw = 'vm-only/pässword:42';
  readSecretsFile(`MLFLOW_BACKEND_STORE_URI='postgresql://mlflow:${encodeURIComponent(pw)}@db:5432/mlflow?sslmode=require'\n`, vm1);
  assert.equal(vm1.mask(`password ${pw}`), 'password ***');
  assert.equal(maskSecrets(`password ${pw}`), `password ${pw}`);
  assert.equal(hostMasker().mask(`password ${pw}`), `password ${pw}`);
});

test("the laptop's secrets mask every host's text and every stream", () => {
  new Secret('laptop-only-secret-77');
  assert.equal(hostMasker().mask('x laptop-only-secret-77 y'), 'x *** y');
  assert.equal(maskSecrets('x laptop-only-secret-77 y'), 'x *** y');
});

test('forms: raw, percent-encoded with upper- and lower-case hex, JSON-escaped, base64 and the visible form', () => {
  const value = 'p@ss wörd/"x"\x1b';
  const vm = hostMasker();
  vm.add(value);
  const upper = encodeURIComponent(value);
  const lower = upper.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  assert.notEqual(upper, lower);
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  for (const form of [value, upper, lower, JSON.stringify(value).slice(1, -1), base64, showUntrusted(value)]) {
    assert.equal(vm.mask(`a ${form} b`), 'a *** b', form);
  }
  // Masked before or after its control characters are made visible: the same.
  assert.equal(showUntrusted(vm.mask(`a ${value} b`)), 'a *** b');
  assert.equal(vm.mask(showUntrusted(`a ${value} b`)), 'a *** b');
  // A laptop secret's base64 and lower-case percent forms too.
  new Secret('laptop/secret=1');
  assert.equal(maskSecrets(`u ${Buffer.from('laptop/secret=1').toString('base64')} ${'laptop%2fsecret%3d1'}`), 'u *** ***');
});

test(`a value read from a VM shorter than ${VM_SECRET_MIN_LENGTH} characters masks nothing (no blanked common words)`, () => {
  const vm = hostMasker();
  readSecretsFile('A=ok\nB=1\nC=the\nD=long-enough\n', vm);
  assert.equal(vm.mask('ok: 1 of the checks, long-enough'), 'ok: 1 of the checks, ***');
});

test('status and the lifecycle commands mask POSTGRES_PASSWORD and the other secrets of .env/the environment, also with no secrets file on the VM', () => {
  maskEnvironmentSecrets({ POSTGRES_PASSWORD: 'Env-Db-Pw!9', MLFLOW_AUTH_ADMIN_PASSWORD: 'admin-from-env-12', PATH: '/usr/bin' });
  const afterRemove = hostMasker(); // `remove` took the secrets file: nothing is read from the VM
  assert.equal(
    afterRemove.mask('FATAL: password authentication failed: postgresql://mlflow:Env-Db-Pw%219@db/mlflow admin-from-env-12'),
    'FATAL: password authentication failed: postgresql://mlflow:***@db/mlflow ***',
  );
  assert.equal(maskSecrets('Env-Db-Pw!9'), '***');
  assert.equal(maskSecrets('/usr/bin'), '/usr/bin');
});
