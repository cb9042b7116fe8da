// The host executor through its one seam: the real HostRun and steps, a scripted VM (fake-host.ts). What is
// checked: the order of what reaches the VM, dry-run, the restart after a reinstall, Ctrl-C, and the verdicts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HostLog } from '../../src/run/host-log.js';
import { HostRun } from '../../src/run/host-run.js';
import { stepsFor } from '../../src/run/tasks.js';
import { ConnectionDropped, exitCodeOf, Interrupted, ProbeIncomplete } from '../../src/util/errors.js';
import { FakeVm, fakeIO } from './fake-host.js';
import { ADMIN_PASSWORD, config, fixture, healthyProbe, LOGS, PASSWORD, provision, SAFE_UPGRADE_COMMANDS } from './host-run-kit.js';

test('a fresh VM: every step changes, in order; secrets go up 0600 before the launcher, the server starts last', async () => {
  const { vm, run, error } = await provision(config(), { probe: fixture('fresh-debian12.txt') });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe', 'apt-update', 'apt-upgrade', 'apt-install', 'venv', 'pip-install', 'mlflow-version', 'mkdir-artifacts', 'start']);
  const uploads = vm.events.filter((e) => e.startsWith('upload '));
  assert.deepEqual(uploads, [
    'upload /home/azureuser/.mlflow-server.env 600',
    'upload /home/azureuser/start-mlflow-server.sh 700',
    'upload /home/azureuser/.mlflow-provision.json 600',
  ]);
  assert.deepEqual(
    JSON.parse(vm.uploads.get('/home/azureuser/.mlflow-provision.json')!.content),
    {
      version: 1,
      writtenBy: 'provision (mlflow-provision); remove --purge-artifacts reads it',
      artifactsDir: '/home/azureuser/mlruns-artifacts',
      artifactsDirCreated: true,
    },
    'the folder this run made is recorded as made by provision',
  );
  assert.ok(vm.events.indexOf(uploads[1]!) < vm.events.indexOf('start'), 'the launcher is there before it starts');
  assert.match(vm.uploads.get('/home/azureuser/.mlflow-server.env')!.content, new RegExp(PASSWORD));
  assert.doesNotMatch(vm.uploads.get('/home/azureuser/start-mlflow-server.sh')!.content, new RegExp(PASSWORD));
  assert.ok(vm.events.indexOf('http GET /health') > vm.events.indexOf('start'), 'health is asked after the start');
  assert.ok(
    vm.events.some((e) => e.startsWith('http PUT /api/2.0/mlflow-artifacts/artifacts/provision-check/')),
    'an artifact round trip',
  );
  const result = run.result();
  assert.deepEqual(result.changed, ['packages', 'python', 'artifacts', 'files', 'server']);
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.warnings, []);
  assert.equal(vm.artifacts.size, 0, 'the check artifact was deleted');
});

test('a healthy VM with the same configuration: only the probe runs, the server is kept', async () => {
  const c = config();
  const { vm, run, error } = await provision(c, { probe: healthyProbe(c), serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe']);
  assert.equal(vm.events.filter((e) => e.startsWith('upload ')).length, 0);
  assert.deepEqual(run.result().changed, []);
});

test('an install older than the record: a rerun writes the record (the folder was there: not made by provision) and keeps the server', async () => {
  const c = config();
  const probe = healthyProbe(c, (p) => p.replace(/^record(_stat)?=.*\n/gm, ''));
  const { vm, run, error } = await provision(c, { probe, serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe'], 'no stop, no start');
  assert.deepEqual(
    vm.events.filter((e) => e.startsWith('upload ')),
    ['upload /home/azureuser/.mlflow-provision.json 600'],
  );
  assert.equal(JSON.parse(vm.uploads.get('/home/azureuser/.mlflow-provision.json')!.content).artifactsDirCreated, false);
  assert.deepEqual(run.result().changed, ['files']);
});

test('--dry-run on a fresh VM: the probe only, no upload, every step "would change", no health check', async () => {
  const c = config({ 'dry-run': true });
  const { vm, run, error } = await provision(c, { probe: fixture('fresh-debian12.txt') });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe']);
  assert.deepEqual(
    vm.events.filter((e) => e.startsWith('upload ') || e.startsWith('http GET')),
    [],
  );
  assert.deepEqual(run.result().changed, ['packages', 'python', 'artifacts', 'files', 'server']);
  assert.match(readFileSync(run.log.path, 'utf8'), /== server: changed \(would start: the server is not running\)/);
});

test('a reinstall restarts a server whose configuration did not change (the driver was missing)', async () => {
  const c = config();
  const probe = healthyProbe(c, (p) => p.replace('driver_importable=1\n', ''));
  const { vm, run, error } = await provision(c, { probe, serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe', 'pip-install', 'mlflow-version', 'stop', 'start']);
  assert.deepEqual(run.result().changed, ['python', 'server']);
  assert.match(readFileSync(run.log.path, 'utf8'), /== server: changed \(MLflow was reinstalled; started pid 5001\)/);
});

test('--dry-run of that reinstall says the server would restart', async () => {
  const c = config({ 'dry-run': true });
  const probe = healthyProbe(c, (p) => p.replace('driver_importable=1\n', ''));
  const { run } = await provision(c, { probe, serverUp: true, database: { hasMlflowSchema: true } });
  assert.match(readFileSync(run.log.path, 'utf8'), /== server: changed \(would restart: running as pid 4242 with this configuration\)/);
});

test('a newer MLflow on a database with a schema: stop, one mlflow db upgrade, then start', async () => {
  const c = config({ 'mlflow-version': '3.17.2' });
  const { vm, error } = await provision(c, { probe: healthyProbe(c), serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(error, undefined);
  // The venv kept aside and a backup taken with the server stopped (issue 24 item 3; test/unit/upgrade-rollback.test.ts).
  assert.deepEqual(vm.commands, SAFE_UPGRADE_COMMANDS);
});

test('Ctrl-C during apt: the command ends, the step fails as interrupted (exit 130), nothing else runs', async () => {
  const c = config();
  const fake = new FakeVm({ probe: fixture('fresh-debian12.txt'), hangOn: 'apt-update' });
  const run = new HostRun(c.targets[0]!, c, new HostLog(LOGS, 'ctrl-c'), undefined, fakeIO(fake));
  const [connect, database, packages, ...rest] = stepsFor(c);
  await run.execute(connect!);
  await run.execute(database!);
  const pending = run.execute(packages!);
  setTimeout(() => void run.interrupt(), 20);
  const err = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof Interrupted, String(err));
  assert.equal(exitCodeOf(err), 130);
  assert.match((err as Error).message, /Interrupted while "apt-get update" was running/);
  await assert.rejects(run.execute(rest[0]!), Interrupted);
  assert.deepEqual(fake.commands, ['probe', 'apt-update']);
  run.log.close();
});

test('a dropped connection names the command it cut short; exit 1', async () => {
  const { error, vm } = await provision(config(), { probe: fixture('fresh-debian12.txt'), dropOn: 'pip-install' });
  assert.ok(error instanceof ConnectionDropped);
  assert.equal(exitCodeOf(error), 1);
  assert.match((error as Error).message, /dropped while "install mlflow==[0-9.]+ psycopg2-binary with uv \(pip if uv fails\)" was running; rerun provision/);
  assert.equal(vm.commands.at(-1), 'pip-install');
});

test('a probe cut short decides nothing', async () => {
  const { error, vm } = await provision(config(), { probe: 'os_id=debian\n' });
  assert.ok(error instanceof ProbeIncomplete);
  assert.deepEqual(vm.commands, ['probe']);
});

test('a foreign process on the port stops the run before anything changes', async () => {
  const probe = `${fixture('fresh-debian12.txt').replace('probe_done=1\n', '')}listener=777 777 postgres 0 /usr/bin/nginx -g daemon off;\nprobe_done=1\n`;
  const { error, vm } = await provision(config(), { probe });
  assert.match(
    String((error as Error).message),
    /Port 5000 on 10\.0\.0\.4 is already in use by "\/usr\/bin\/nginx -g daemon off;" \(pid 777, user postgres\).*Nothing was changed or killed/,
  );
  assert.deepEqual(vm.commands, ['probe']);
});

test('verdicts: a refused admin password (401) fails the host with the fix; a closed NSG is a warning', async () => {
  const c = config({ auth: 'basic' });
  const refused = await provision(c, {
    probe: fixture('fresh-debian12.txt'),
    database: { hasMlflowSchema: true, hasAuthSchema: true },
    answer: (req) => (req.path.endsWith('/experiments/search') ? { status: 401, body: '' } : undefined),
  });
  assert.match(
    String((refused.error as Error).message),
    /refuses the admin credentials \(401\): user "admin" already exists in database "mlflow_auth" with another password/,
  );
  assert.equal(refused.run.result(refused.error).status, 'failed');
  const closed = await provision(config(), { probe: fixture('fresh-debian12.txt'), reachableFromHere: false });
  assert.equal(closed.error, undefined);
  assert.match(closed.run.result().warnings.join('\n'), /open TCP port 5000 in the VM's network security group/);
});

test('--auth basic on a fresh VM: the auth configuration goes up 0600, calls carry credentials, and anonymous calls must be refused', async () => {
  const c = config({ auth: 'basic' });
  const { vm, error } = await provision(c, { probe: fixture('fresh-debian12.txt'), database: { canCreateDatabase: true } });
  assert.equal(error, undefined);
  assert.equal(vm.uploads.get('/home/azureuser/mlflow-auth.ini')?.mode, 0o600);
  assert.doesNotMatch(vm.uploads.get('/home/azureuser/mlflow-auth.ini')!.content, new RegExp(`${PASSWORD}|${ADMIN_PASSWORD}`));
  const open = await provision(c, {
    probe: fixture('fresh-debian12.txt'),
    answer: (req) => (req.path.endsWith('/experiments/search') ? { status: 200, body: '{}' } : undefined),
  });
  assert.match(String((open.error as Error).message), /Basic auth is not in force: a call without credentials got HTTP 200, not 401/);
});
