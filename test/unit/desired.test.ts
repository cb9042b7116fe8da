// The desired state of a VM as one pure function of the configuration and the probed facts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { desiredState, type DesiredInput } from '../../src/plan/desired.js';
import { parseFacts } from '../../src/plan/facts.js';
import { Secret } from '../../src/util/secret.js';

const fresh = parseFacts(readFileSync(new URL('../../fixtures/probe/fresh-debian12.txt', import.meta.url), 'utf8'));

function input(argv: Record<string, unknown> = {}, facts = fresh): DesiredInput {
  const c = buildCommandConfig(
    'provision',
    readSettings(
      { host: ['10.0.0.4'], 'ssh-config': '/nonexistent', ...argv },
      { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: 'pw-desired-test', MLFLOW_AUTH_ADMIN_PASSWORD: 'admin-password-123' },
    ),
  );
  return { config: c, target: c.targets[0]!, server: c.server, facts, newFlaskKey: () => new Secret('ab'.repeat(32)), newSalt: () => 'cd'.repeat(16) };
}

test('the default: allow-list and CORS from the address, workers from memory, files in the home, secrets only in the secrets file', () => {
  const d = desiredState(input());
  assert.equal(d.layout.launcher, '/home/azureuser/start-mlflow-server.sh');
  assert.match(d.launcher, /--allowed-hosts 10\.0\.0\.4,10\.0\.0\.4:5000,localhost,localhost:5000,127\.0\.0\.1,127\.0\.0\.1:5000/);
  assert.match(d.launcher, /--cors-allowed-origins http:\/\/10\.0\.0\.4:5000/);
  assert.match(d.launcher, /--workers 1\b/, 'no memory reading: one worker');
  assert.doesNotMatch(d.launcher, /pw-desired-test/);
  assert.match(d.secrets.reveal(), /pw-desired-test/);
  assert.equal(d.fingerprintSalt, 'cd'.repeat(16));
  assert.equal(d.pip, undefined);
  assert.equal(d.authIni, undefined);
});

test("the same input gives the same state; the live server's salt is kept; a new salt only without one", () => {
  const a = desiredState(input());
  assert.equal(desiredState(input()).fingerprint, a.fingerprint);
  const live = { ...fresh, server: { ...fresh.server, fingerprintSalt: 'ef'.repeat(16) } };
  const i = input({}, live);
  const kept = desiredState({ ...i, newSalt: () => assert.fail('a live server has a salt') });
  assert.equal(kept.fingerprintSalt, 'ef'.repeat(16));
  assert.notEqual(kept.fingerprint, a.fingerprint);
});

test('options add to it: public names, workers from memory, auth and a pinned version', () => {
  const big = { ...fresh, memTotalMb: 16000 };
  const d = desiredState(input({ 'public-name': ['mlflow.example.com'], auth: 'basic', 'mlflow-version': '3.16.1', 'job-runner': true }, big));
  assert.match(d.launcher, /--allowed-hosts [^\n]*mlflow\.example\.com:5000/);
  assert.match(d.launcher, /--cors-allowed-origins http:\/\/10\.0\.0\.4:5000,http:\/\/mlflow\.example\.com:5000/);
  assert.match(d.launcher, /--workers 4\b/);
  assert.match(d.launcher, /MLFLOW_SERVER_ENABLE_JOB_EXECUTION=true/);
  assert.match(d.launcher, /--app-name basic-auth/);
  assert.deepEqual(d.pip?.extras, ['auth']);
  assert.match(d.secrets.reveal(), /^MLFLOW_FLASK_SERVER_SECRET_KEY=.*(ab){32}/m);
  assert.equal(d.mlflowVersion, '3.16.1');
  assert.match(d.authIni!, /mlflow_auth/);
  const explicit = desiredState(input({ 'allowed-hosts': 'a.example,b.example' }));
  assert.match(explicit.launcher, /--allowed-hosts a\.example,b\.example\s/);
});

test('a hosts file naming one address twice (another SSH port): the renamed label stays out of the allow-list and CORS', () => {
  const hosts: Record<string, string> = { 'two.txt': '10.0.0.4:2222\n10.0.0.4\n', 'one.txt': '10.0.0.4\n' };
  const build = (file: string) =>
    buildCommandConfig(
      'provision',
      readSettings({ 'hosts-file': file, 'ssh-config': '/nonexistent' }, { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: 'pw-desired-test' }),
      { readFile: (p) => hosts[p.split('/').pop()!]! },
    );
  const two = build('two.txt');
  const second = two.targets[1]!;
  assert.equal(second.label, 'azureuser@10.0.0.4:22', 'the output tells the two apart');
  const state = (c: ReturnType<typeof build>, t: (typeof c.targets)[number]) =>
    desiredState({ config: c, target: t, server: c.server, facts: fresh, newFlaskKey: () => new Secret('ab'.repeat(32)), newSalt: () => 'cd'.repeat(16) });
  const d = state(two, second);
  const flag = (name: string) => new RegExp(`${name} '?([^'\\s]+)`).exec(d.launcher)?.[1]?.split(',');
  assert.deepEqual(flag('--allowed-hosts'), ['10.0.0.4', '10.0.0.4:5000', 'localhost', 'localhost:5000', '127.0.0.1', '127.0.0.1:5000']);
  assert.deepEqual(flag('--cors-allowed-origins'), ['http://10.0.0.4:5000']);
  assert.doesNotMatch(d.launcher, /azureuser@/);
  const single = build('one.txt');
  assert.equal(d.fingerprint, state(single, single.targets[0]!).fingerprint, 'the same files as a one-line hosts file: no restart');
});
