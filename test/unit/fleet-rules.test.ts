// The fleet rules through the real executor: several fake VMs on one database (fake-host.ts), provisioned by
// provisionCommand as `provision --hosts-file` would: VM-disk artifacts refused, one basic-auth key, the job
// runner's periodic tasks on one VM, the connection budget.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCommandConfig, type ProvisionConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { newHandle, runOnHosts } from '../../src/run/executor.js';
import type { HostResult } from '../../src/run/host-run.js';
import { provisionCommand } from '../../src/run/tasks.js';
import type { HostRun } from '../../src/run/host-run.js';
import { UsageError } from '../../src/util/errors.js';
import { FakeVm, fakeFleetIO, type FakeVmOptions } from './fake-host.js';
import { ADMIN_PASSWORD, fixture, LOGS, PASSWORD } from './host-run-kit.js';

const DEST = 'wasbs://mlflow-art@myacct.blob.core.windows.net/fleet';
const KEY_A = 'a1'.repeat(32);
const KEY_B = 'b2'.repeat(32);
const HOSTS = ['10.0.0.4', '10.0.0.5'];
const SECRETS = '/home/azureuser/.mlflow-server.env';
const LAUNCHER = '/home/azureuser/start-mlflow-server.sh';

function fleetConfig(argv: Record<string, unknown> = {}, blob = true): ProvisionConfig {
  return buildCommandConfig(
    'provision',
    readSettings(
      { host: HOSTS, 'ssh-config': '/nonexistent', 'log-dir': LOGS, ...(blob ? { 'artifacts-destination': DEST } : {}), ...argv },
      {
        POSTGRES_HOST: 'db.example.com',
        POSTGRES_PASSWORD: PASSWORD,
        MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PASSWORD,
        AZURE_STORAGE_ACCESS_KEY: 'c3RvcmFnZS1rZXktZm9yLXRlc3Rz',
      },
    ),
  );
}

/** A fresh Debian VM with this much memory, holding this basic-auth key in its secrets file (if any). */
function vmWith(memGb: number, key?: string): FakeVmOptions {
  const extra = [`mem_total_kb=${memGb * 1024 * 1024}`, ...(key ? [`flask_secret_key=${key}`] : [])].join('\n');
  return { probe: fixture('fresh-debian12.txt').replace('probe_done=1\n', `${extra}\nprobe_done=1\n`), database: { canCreateDatabase: true } };
}

/** Runs provisioning on the fake VMs (by address) through the real executor. */
async function onFleet(c: ProvisionConfig, vms: FakeVmOptions[]): Promise<{ results: HostResult[]; fakes: FakeVm[]; logs: string[] }> {
  const fakes = vms.map((o) => new FakeVm(o));
  const hosts = c.targets.map((t) => t.address);
  const byAddress = new Map(hosts.map((h, i) => [h, fakes[i]!]));
  const handle = newHandle<HostRun, HostResult>();
  await runOnHosts(provisionCommand(c, fakeFleetIO(byAddress)), c, handle, { silent: true });
  return { results: hosts.map((h) => handle.results.get(h)!), fakes, logs: hosts.map((h) => readFileSync(`${LOGS}/${h}.log`, 'utf8')) };
}

const secretKeyOf = (vm: FakeVm) => /^MLFLOW_FLASK_SERVER_SECRET_KEY='?([0-9a-f]+)'?$/m.exec(vm.uploads.get(SECRETS)?.content ?? '')?.[1];

test('VM-disk artifacts for 2 VMs on one database: refused before any VM is connected, one sentence naming Blob', async () => {
  const c = fleetConfig({}, false);
  assert.throws(
    () => provisionCommand(c),
    (err: unknown) =>
      err instanceof UsageError &&
      /^2 VMs share the database db\.example\.com:5432\/mlflow, so they must share their artifacts too.*--artifacts-destination wasbs:\/\/.*Nothing changed\.$/.test(
        err.message,
      ),
  );
  // One VM keeps its artifacts on its disk as before.
  assert.doesNotThrow(() => provisionCommand(fleetConfig({ host: ['10.0.0.4'] }, false)));
});

test('--auth basic: one session key for the fleet, the one a VM already holds, never in a log', async () => {
  const { results, fakes, logs } = await onFleet(fleetConfig({ auth: 'basic' }), [vmWith(4), vmWith(4, KEY_B)]);
  assert.deepEqual(
    results.map((r) => [r.status, r.error]),
    [
      ['ok', undefined],
      ['ok', undefined],
    ],
  );
  assert.equal(secretKeyOf(fakes[0]!), KEY_B, "the VM without a key gets the other VM's");
  assert.equal(secretKeyOf(fakes[1]!), KEY_B, 'the VM with one keeps it');
  for (const log of logs) assert.doesNotMatch(log, new RegExp(KEY_B));
  assert.deepEqual(
    results.map((r) => r.warnings.filter((w) => /session key/.test(w))),
    [[], []],
  );
});

test('--auth basic: no VM holds a key: one new key made for both', async () => {
  const { fakes, logs } = await onFleet(fleetConfig({ auth: 'basic' }), [vmWith(4), vmWith(4)]);
  const key = secretKeyOf(fakes[0]!);
  assert.match(key ?? '', /^[0-9a-f]{64}$/);
  assert.equal(secretKeyOf(fakes[1]!), key);
  for (const log of logs) assert.doesNotMatch(log, new RegExp(key!));
});

test("--auth basic: two VMs with different keys: the first VM's kept, the other told its sessions reset", async () => {
  const { results, fakes } = await onFleet(fleetConfig({ auth: 'basic' }), [vmWith(4, KEY_A), vmWith(4, KEY_B)]);
  assert.equal(secretKeyOf(fakes[0]!), KEY_A);
  assert.equal(secretKeyOf(fakes[1]!), KEY_A);
  assert.deepEqual(results[0]!.warnings, []);
  assert.match(
    results[1]!.warnings.join('\n'),
    /session key differs from 10\.0\.0\.4's, the fleet's one key: it is replaced, so users logged in through this VM log in again/,
  );
  assert.doesNotMatch(JSON.stringify(results), new RegExp(`${KEY_A}|${KEY_B}`));
});

test("--job-runner: the periodic tasks on the fleet's first VM only; the other says so", async () => {
  const { results, fakes } = await onFleet(fleetConfig({ 'job-runner': true }), [vmWith(4), vmWith(4)]);
  const launchers = fakes.map((f) => f.uploads.get(LAUNCHER)!.content);
  assert.match(launchers[0]!, /MLFLOW_SERVER_ENABLE_JOB_EXECUTION=true/);
  assert.doesNotMatch(launchers[0]!, /PERIODIC/);
  assert.match(launchers[1]!, /MLFLOW_SERVER_ENABLE_JOB_EXECUTION=true/);
  assert.match(launchers[1]!, /^export MLFLOW_SERVER_JOB_ENABLE_PERIODIC_TASKS=false$/m);
  assert.deepEqual(results[0]!.warnings, []);
  assert.match(results[1]!.warnings.join('\n'), /periodic tasks run on 10\.0\.0\.4 only/);
  // Without --job-runner nobody mentions them.
  const off = await onFleet(fleetConfig(), [vmWith(4), vmWith(4)]);
  for (const f of off.fakes) assert.doesNotMatch(f.uploads.get(LAUNCHER)!.content, /PERIODIC/);
});

test('the connection budget: fewer workers when the fleet would not fit, said per host', async () => {
  // 2 servers x 4 workers x (2 + 3) + 1 = 41 > 25 - 3: 2 workers each (21) fit.
  const limits = { connectionLimits: { maxConnections: 25, superuserReserved: 3, reserved: 0 } };
  const vms = [vmWith(16), vmWith(16)].map((v) => ({ ...v, database: { ...v.database, ...limits } }));
  const { results, fakes } = await onFleet(fleetConfig({ workers: 4 }), vms);
  assert.deepEqual(
    results.map((r) => r.status),
    ['ok', 'ok'],
  );
  for (const f of fakes) assert.match(f.uploads.get(LAUNCHER)!.content, /--workers '?2'? \\/);
  for (const r of results)
    assert.match(r.warnings.join('\n'), /2 workers instead of 4: the fleet's servers need 21 of the 22 connections db\.example\.com:5432\/mlflow allows/);
});

test('the connection budget: at 1 worker still too many: refused with the numbers before anything changes', async () => {
  const limits = { connectionLimits: { maxConnections: 12, superuserReserved: 3, reserved: 0 } };
  const vms = [vmWith(4), vmWith(4)].map((v) => ({ ...v, database: { ...v.database, ...limits } }));
  const { results, fakes } = await onFleet(fleetConfig({ auth: 'basic' }), vms);
  for (const r of results) {
    assert.equal(r.status, 'failed');
    assert.match(
      r.error ?? '',
      /^The database db\.example\.com:5432\/mlflow allows 9 connections \(max_connections 12 less 3 reserved\), and 2 servers at 1 worker each need 21 /,
    );
  }
  for (const f of fakes) {
    assert.deepEqual(f.commands, ['probe'], 'nothing ran but the probe');
    assert.equal(f.uploads.size, 0, 'nothing uploaded');
  }
});

test('a single VM is budgeted too: 4 workers on 20 allowed connections become 3', async () => {
  const v = vmWith(16);
  const limits = { connectionLimits: { maxConnections: 20, superuserReserved: 3, reserved: 0 } };
  const { results, fakes } = await onFleet(fleetConfig({ host: ['10.0.0.4'], workers: 4 }, false), [{ ...v, database: { ...v.database, ...limits } }]);
  assert.equal(results[0]!.status, 'ok');
  assert.match(fakes[0]!.uploads.get(LAUNCHER)!.content, /--workers '?3'? \\/);
  assert.match(results[0]!.warnings.join('\n'), /3 workers instead of 4: the fleet's servers need 16 of the 17 connections/);
});

test("--concurrency 1: no VM waits for one not started; the later VM gets the fleet's key as decided, and says so", async () => {
  const { results, fakes } = await onFleet(fleetConfig({ auth: 'basic', concurrency: 1 }), [vmWith(4), vmWith(4, KEY_B)]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['ok', 'ok'],
  );
  const key = secretKeyOf(fakes[0]!);
  assert.match(key ?? '', /^[0-9a-f]{64}$/);
  assert.notEqual(key, KEY_B, 'the first VM decided alone: a new key');
  assert.equal(secretKeyOf(fakes[1]!), key);
  assert.match(results[1]!.warnings.join('\n'), /session key differs from the one made for the fleet/);
});
