import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { fleetJson, fleetText, fleetVerdictsOf } from '../../src/cli/render-fleet.js';
import { statusJson, statusText } from '../../src/cli/render-status.js';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { fleetVerdicts, type FleetMemberFacts } from '../../src/plan/fleet.js';
import { newHandle, runOnHosts } from '../../src/run/executor.js';
import { statusCommand, type HostStatus, type StatusSession } from '../../src/run/status.js';
import { FakeVm, fakeIO } from './fake-host.js';
import { config, desiredFor, healthyProbe, LOGS } from './host-run-kit.js';

const DB = { host: 'pg.example.com', port: 5432, database: 'mlflow' };
const BLOB = 'wasbs://mlflow@acct.blob.core.windows.net/artifacts';
const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);
const member = (host: string, more: Partial<FleetMemberFacts> = {}): FleetMemberFacts => ({
  host,
  database: DB,
  artifacts: BLOB,
  keyHash: H1,
  mlflowVersion: '3.17.2',
  ...more,
});

test('a consistent fleet: one database, one Blob container, one key, one version; single VMs have no fleet verdict', () => {
  const [f, ...rest] = fleetVerdicts([member('vm1'), member('vm2'), member('solo', { database: { ...DB, database: 'other' } })]);
  assert.equal(rest.length, 0);
  assert.deepEqual(f, {
    database: 'pg.example.com:5432/mlflow',
    hosts: ['vm1', 'vm2'],
    container: 'mlflow@acct',
    sameSecretKey: true,
    mlflowVersion: '3.17.2',
    problems: [],
  });
  assert.deepEqual(fleetVerdicts([member('vm1', { database: undefined }), member('vm2')]), [], 'a VM without a database joins no fleet');
});

test('differences: one sentence each, naming the VMs; never a key or its hash', () => {
  const [f] = fleetVerdicts([
    member('vm1'),
    member('vm2', { keyHash: H2, mlflowVersion: '3.16.1' }),
    member('vm3', { artifacts: undefined, keyHash: undefined }),
  ]);
  assert.equal(f!.sameSecretKey, false);
  assert.deepEqual(f!.problems, [
    'The VMs use different artifact stores (Blob mlflow@acct on vm1, vm2; the VM disk on vm3): rerun provision with one --artifacts-destination for all.',
    "The basic-auth session keys differ (key 1 on vm1; key 2 on vm2; key 3 on vm3): a login made through one VM is refused by another; rerun provision on the fleet to give every VM the first VM's key.",
    'The VMs run different MLflow versions (3.17.2 on vm1, vm3; 3.16.1 on vm2): mixed versions on one database are not supported; rerun provision with one --mlflow-version.',
  ]);
  const disks = fleetVerdicts([member('vm1', { artifacts: undefined, keyHash: undefined }), member('vm2', { artifacts: undefined, keyHash: undefined })])[0]!;
  assert.match(disks.problems[0]!, /^The VMs keep artifacts on their own disks/);
  assert.equal(disks.sameSecretKey, null, 'no basic auth anywhere');
  for (const text of [fleetText(f!), fleetJson(f!)]) assert.doesNotMatch(text, new RegExp(`${H1}|${H2}|${H1.slice(0, 12)}`));
});

test('status reports into fleet verdicts: text and one JSON line', () => {
  const status = (host: string, keyHash: string): HostStatus =>
    ({ host, mlflow: { installed: '3.17.2', running: '3.17.2' }, fleet: { database: DB, artifacts: BLOB, keyHash } }) as unknown as HostStatus;
  const [same] = fleetVerdictsOf([status('vm1', H1), status('vm2', H1)]);
  assert.match(fleetText(same!), /fleet pg\.example\.com:5432\/mlflow \(2 VMs: vm1, vm2\): .*consistent/);
  assert.match(fleetText(same!), /the same session key on every VM \(compared by hash\)/);
  assert.deepEqual(JSON.parse(fleetJson(same!)), {
    fleet: {
      database: 'pg.example.com:5432/mlflow',
      hosts: ['vm1', 'vm2'],
      consistent: true,
      blobContainer: 'mlflow@acct',
      sameSecretKey: true,
      mlflowVersion: '3.17.2',
      problems: [],
    },
  });
  const [differ] = fleetVerdictsOf([status('vm1', H1), status('vm2', H2)]);
  assert.equal(JSON.parse(fleetJson(differ!)).fleet.consistent, false);
  assert.match(fleetText(differ!), /NOT CONSISTENT[\s\S]*different session keys/);
});

test('status on the executor reads what the fleet must share: the database, the Blob destination, the key as a hash only', async () => {
  const provisioned = config({ auth: 'basic' });
  const probe = healthyProbe(provisioned);
  const desired = desiredFor(provisioned, probe);
  const lines = (text: string) => text.replace(/\n$/, '').split('\n');
  const launcher = lines(desired.launcher).map((l) => l.replace(/--artifacts-destination '?[^' ]+'?/, `--artifacts-destination '${BLOB}'`));
  const fake = new FakeVm({ probe, serverUp: true, authApp: true, launcher, secrets: lines(desired.secrets.reveal()) });
  const c = buildCommandConfig('status', readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS }, {}));
  const handle = newHandle<StatusSession, HostStatus>();
  await runOnHosts(statusCommand(c, fakeIO(fake)), c, handle, { silent: true });
  const s = handle.results.get('10.0.0.4')!;
  assert.deepEqual(s.fleet?.database, { host: 'db.example.com', port: 5432, database: 'mlflow' });
  assert.equal(s.fleet?.artifacts, BLOB);
  // desiredFor makes the key 'ab' x 32: its SHA-256, never the key.
  assert.equal(s.fleet?.keyHash, createHash('sha256').update('ab'.repeat(32)).digest('hex'));
  for (const text of [statusJson(s), statusText(s)]) assert.ok(!text.includes(s.fleet.keyHash) && !text.includes('ab'.repeat(32)));
});
