// Issue 24 item 3: a change of --mlflow-version on a database with MLflow's schema takes a backup first (with
// the same functions as `provision backup`), and a failed schema upgrade puts the previous MLflow back. The real
// steps of a HostRun against the fake VM (fake-host.ts), which answers by command kind.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HostLog } from '../../src/run/host-log.js';
import { HostRun } from '../../src/run/host-run.js';
import { SchemaGate } from '../../src/run/schema-gate.js';
import { stepsFor } from '../../src/run/tasks.js';
import { UPGRADE_CONSISTENCY } from '../../src/run/upgrade-backup.js';
import { FakeVm, fakeIO } from './fake-host.js';
import { config, healthyProbe, LOGS, provision } from './host-run-kit.js';

const OLD_HEAD = 'b7e2c1a4d9f3'; // MLflow 3.16.1's head (src/config/mlflow-schema.ts)
const database = { hasMlflowSchema: true, schemaRevision: OLD_HEAD };
const DUPLICATE = 'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.DuplicateTable) relation "scheduler_leases" already exists';

/** The backups under DIR/<host>/: complete ones only (a .partial is never left). */
function backupsIn(dir: string, host = '10.0.0.4'): string[] {
  const hostDir = join(dir, host);
  return existsSync(hostDir) ? readdirSync(hostDir).map((n) => join(hostDir, n)) : [];
}

test('an upgrade that works: venv kept aside, backup with the server stopped, one migration, new server, the copy dropped', async () => {
  const dir = join(LOGS, 'ok-backups');
  const c = config({ 'mlflow-version': '3.17.2', 'backup-dir': dir });
  const { vm, error, run } = await provision(c, { probe: healthyProbe(c), serverUp: true, database });
  assert.equal(error, undefined);
  const cmds = vm.commands;
  // The dump only once the server is stopped, and before the migration.
  assert.ok(cmds.indexOf('stop') < cmds.indexOf('backup-dump') && cmds.indexOf('backup-artifacts') < cmds.indexOf('db-upgrade'), cmds.join(' '));
  assert.deepEqual(vm.startedVersions, ['3.17.2']);
  assert.equal(vm.keptVersion, undefined, 'the kept venv is dropped once the new version runs');
  const [folder, ...more] = backupsIn(dir);
  assert.equal(more.length, 0);
  const manifest = JSON.parse(readFileSync(join(folder!, 'manifest.json'), 'utf8')) as {
    mlflow: { version: string; schemaRevision: string };
    consistency: string;
  };
  assert.deepEqual(manifest.mlflow, { version: '3.16.1', schemaRevision: OLD_HEAD }, 'the version and revision the data was written by');
  assert.equal(manifest.consistency, UPGRADE_CONSISTENCY);
  assert.match(readFileSync(run.log.path, 'utf8'), new RegExp(`== server: changed \\(MLflow was reinstalled; backup in ${folder}; database schema upgraded`));
});

test('mlflow db upgrade fails: the kept venv comes back, the server starts on the old version, one sentence with the backup', async () => {
  const dir = join(LOGS, 'fail-backups');
  const c = config({ 'mlflow-version': '3.17.2', 'backup-dir': dir });
  const { vm, error } = await provision(c, { probe: healthyProbe(c), serverUp: true, database, failOn: { 'db-upgrade': DUPLICATE } });
  assert.ok(error instanceof Error);
  const cmds = vm.commands;
  assert.deepEqual(cmds.slice(cmds.indexOf('db-upgrade')), ['db-upgrade', 'stop', 'upgrade-restore-venv', 'start', 'upgrade-drop-venv']);
  assert.deepEqual(vm.startedVersions, ['3.16.1'], 'the one start after the failure runs the old MLflow');
  assert.ok(vm.serverUp);
  const [folder] = backupsIn(dir);
  assert.ok(folder && existsSync(join(folder, 'manifest.json')));
  assert.equal(
    error.message,
    `The schema upgrade to MLflow 3.17.2 failed on 10.0.0.4 ("mlflow db upgrade postgresql+psycopg2://mlflow@db.example.com:5432/mlflow?sslmode=require&connect_timeout=10 (password in PGPASSWORD, from stdin)" failed on 10.0.0.4 (exit 1): ${DUPLICATE}); ` +
      `the schema was not changed (still revision ${OLD_HEAD}: PostgreSQL rolled the whole migration back); MLflow 3.16.1 is back and answers /health; the backup taken before it is in ${folder}.`,
  );
});

test('a migration that moved the schema: the old MLflow cannot run on it, the server stays stopped, the backup restores it', async () => {
  const dir = join(LOGS, 'partial-backups');
  const c = config({ 'mlflow-version': '3.17.2', 'backup-dir': dir });
  const { vm, error } = await provision(c, {
    probe: healthyProbe(c),
    serverUp: true,
    database,
    failOn: { 'db-upgrade': 'psycopg2.OperationalError: server closed the connection unexpectedly' },
    databaseAfterUpgrade: { schemaRevision: '75868b020152' },
  });
  assert.ok(error instanceof Error);
  assert.ok(!vm.commands.includes('upgrade-restore-venv') && vm.startedVersions.length === 0, vm.commands.join(' '));
  assert.equal(vm.serverUp, false);
  const [folder] = backupsIn(dir);
  assert.match(
    error.message,
    new RegExp(
      `the database schema moved from revision ${OLD_HEAD} to 75868b020152, which MLflow 3\\.16\\.1 cannot run on, so the server stays stopped: ` +
        `restore it with provision restore --from ${folder}, or fix the cause and rerun with --mlflow-version 3\\.17\\.2\\.$`,
    ),
  );
});

test('the new server does not start on the migrated schema: no rollback onto a schema the old MLflow cannot read', async () => {
  const c = config({ 'mlflow-version': '3.17.2', 'backup-dir': join(LOGS, 'start-backups') });
  const { vm, error } = await provision(c, {
    probe: healthyProbe(c),
    serverUp: true,
    database,
    failOn: { start: 'setsid: failed to execute' },
    databaseAfterUpgrade: { schemaRevision: 'dc11669786a5' },
  });
  assert.ok(error instanceof Error);
  assert.ok(!vm.commands.includes('upgrade-restore-venv'));
  assert.match(
    error.message,
    /^The schema upgrade to MLflow 3\.17\.2 failed on 10\.0\.0\.4 \(.*setsid: failed to execute\); the database schema moved from revision b7e2c1a4d9f3 to dc11669786a5/,
  );
});

test('a backup that fails: no migration, the old MLflow back and running; the sentence says no backup was kept', async () => {
  const dir = join(LOGS, 'dumpfail-backups');
  const c = config({ 'mlflow-version': '3.17.2', 'backup-dir': dir });
  const { vm, error } = await provision(c, { probe: healthyProbe(c), serverUp: true, database, failOn: { 'backup-dump': 'pg_dump: error: connection lost' } });
  assert.ok(error instanceof Error);
  assert.ok(!vm.commands.includes('db-upgrade'));
  assert.deepEqual(vm.startedVersions, ['3.16.1']);
  assert.deepEqual(backupsIn(dir), [], 'nothing incomplete left looking like a backup');
  assert.match(
    error.message,
    /The backup before the schema upgrade failed \(.*pg_dump: error: connection lost.*\), so mlflow db upgrade did not run\).*MLflow 3\.16\.1 is back and answers \/health; no backup was kept\.$/,
  );
});

test('--no-backup: said in the output, nothing dumped; a failed upgrade still puts the old version back', async () => {
  const c = config({ 'mlflow-version': '3.17.2', 'no-backup': true });
  const { vm, error, run } = await provision(c, { probe: healthyProbe(c), serverUp: true, database, failOn: { 'db-upgrade': DUPLICATE } });
  assert.ok(error instanceof Error);
  assert.ok(!vm.commands.some((k) => k.startsWith('backup-')), vm.commands.join(' '));
  assert.match(readFileSync(run.log.path, 'utf8'), /--no-backup: no backup is taken before the schema upgrade to MLflow 3\.17\.2/);
  assert.deepEqual(vm.startedVersions, ['3.16.1']);
  assert.match(error.message, /MLflow 3\.16\.1 is back and answers \/health; no backup was taken \(--no-backup\)\.$/);
});

test('a batch on one database: one backup (by the host that migrates), the other host names it; a failure rolls back both', async () => {
  const dir = join(LOGS, 'batch-backups');
  const c = config({ host: ['10.0.0.4', '10.0.0.5'], 'mlflow-version': '3.17.2', 'backup-dir': dir });
  const gate = new SchemaGate();
  const hosts = c.targets.map((target) => {
    const vm = new FakeVm({ probe: healthyProbe(c), serverUp: true, database, failOn: { 'db-upgrade': DUPLICATE } });
    const run = new HostRun(target, c, new HostLog(LOGS, `batch-${target.label}`), gate, fakeIO(vm));
    gate.join(target.label);
    return { vm, run };
  });
  const errors = await Promise.all(
    hosts.map(async ({ run }) => {
      try {
        for (const step of stepsFor(c)) await run.execute(step);
        return undefined;
      } catch (err) {
        return err as Error;
      } finally {
        gate.leave(run.target.label);
        run.close();
        run.log.close();
      }
    }),
  );
  const dumps = hosts.map(({ vm }) => vm.commands.filter((k) => k === 'backup-dump').length);
  assert.deepEqual(dumps.sort(), [0, 1], 'one dump for the database');
  const folders = [...backupsIn(dir, '10.0.0.4'), ...backupsIn(dir, '10.0.0.5')];
  assert.equal(folders.length, 1);
  for (const { vm } of hosts) assert.deepEqual(vm.startedVersions, ['3.16.1']);
  for (const err of errors)
    assert.match(err?.message ?? '', new RegExp(`MLflow 3\\.16\\.1 is back and answers /health; the backup taken before it is in ${folders[0]}\\.$`));
});

test('a venv that cannot be copied aside (a full disk): the upgrade goes on; a failure reinstalls the old version with uv', async () => {
  const c = config({ 'mlflow-version': '3.17.2', 'backup-dir': join(LOGS, 'nocopy-backups') });
  const { vm, error, run } = await provision(c, {
    probe: healthyProbe(c),
    serverUp: true,
    database,
    failOn: { 'upgrade-keep-venv': 'cp: error writing: No space left on device', 'db-upgrade': DUPLICATE },
  });
  assert.ok(error instanceof Error);
  assert.match(
    readFileSync(run.log.path, 'utf8'),
    /the venv could not be copied aside \(.*No space left on device.*\); a failed upgrade would reinstall MLflow 3\.16\.1 with uv/,
  );
  const cmds = vm.commands;
  assert.deepEqual(cmds.slice(cmds.indexOf('db-upgrade')), ['db-upgrade', 'stop', 'pip-install', 'start']);
  assert.deepEqual(vm.startedVersions, ['3.16.1']);
  assert.match(error.message, /MLflow 3\.16\.1 is back and answers \/health; the backup taken before it is in /);
});

test('--dry-run of an upgrade says what the safe upgrade would do, the backup folder included, and touches nothing', async () => {
  const dir = join(LOGS, 'dry-backups');
  const c = config({ 'mlflow-version': '3.17.2', 'backup-dir': dir, 'dry-run': true });
  const { vm, error, run } = await provision(c, { probe: healthyProbe(c), serverUp: true, database });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe']);
  assert.deepEqual(backupsIn(dir), []);
  assert.match(
    readFileSync(run.log.path, 'utf8'),
    new RegExp(
      `== server: changed \\(would upgrade MLflow 3\\.16\\.1 -> 3\\.17\\.2: keep the venv aside, stop every server of this run on the database, back up the database and the artifacts into ${dir}/, run mlflow db upgrade once`,
    ),
  );
  const off = config({ 'mlflow-version': '3.17.2', 'no-backup': true, 'dry-run': true });
  const none = await provision(off, { probe: healthyProbe(off), serverUp: true, database });
  assert.match(
    readFileSync(none.run.log.path, 'utf8'),
    /stop every server of this run on the database, take no backup \(--no-backup\), run mlflow db upgrade once/,
  );
});
