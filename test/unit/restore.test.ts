// `provision restore` on the one executor, through the fake VM: the backup checked on this machine first, the
// refusals before anything changes, the data put back between the files step and the server's start, the backup's
// MLflow installed; no secret in any command, log or result; and the restore command run by bash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCommandConfig, type RestoreConfig } from '../../src/config/config.js';
import { optionsOf } from '../../src/config/options.js';
import { readSettings } from '../../src/config/settings.js';
import { backupManifest } from '../../src/plan/backup.js';
import { artifactsUntarCommand, parseManifest, pgRestoreCommand, restoreRefusal, type Manifest } from '../../src/plan/restore.js';
import { remoteLayout, renderSecretsEnv } from '../../src/render/server-files.js';
import { newHandle, runOnHosts } from '../../src/run/executor.js';
import { readBackup, restoreCommand, type RestoreResult, type RestoreSession } from '../../src/run/restore.js';
import { UsageError } from '../../src/util/errors.js';
import { Secret } from '../../src/util/secret.js';
import { FakeVm, fakeIO, type FakeVmOptions } from './fake-host.js';
import { config as provisionConfig, fixture, healthyProbe, LOGS, PASSWORD } from './host-run-kit.js';

const DUMP = Buffer.concat([Buffer.from('PGDMP'), Buffer.from([0, 1, 2, 255, 254, 10, 13, 0])]);
const TAR = Buffer.alloc(3000, 0x61);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** MLflow 3.16.1's head revision: a backup its server wrote. */
const REVISION = 'b7e2c1a4d9f3';

/** A backup folder as `provision backup` writes it (0700, files 0600, the manifest from its own builder). */
function backupFolder(o: { mlflowVersion?: string; schemaRevision?: string; tar?: boolean } = {}): string {
  const folder = mkdtempSync(join(tmpdir(), 'prov-restore-'));
  const files = [{ name: 'database.dump', bytes: DUMP.length, sha256: sha(DUMP) }];
  writeFileSync(join(folder, 'database.dump'), DUMP, { mode: 0o600 });
  if (o.tar !== false) {
    writeFileSync(join(folder, 'artifacts.tar'), TAR, { mode: 0o600 });
    files.push({ name: 'artifacts.tar', bytes: TAR.length, sha256: sha(TAR) });
  }
  const manifest = backupManifest({
    host: '10.0.0.9',
    mlflowVersion: o.mlflowVersion ?? '3.16.1',
    schemaRevision: o.schemaRevision ?? REVISION,
    database: { host: 'old-db.example.com', port: 5432, name: 'mlflow', serverVersion: '16.4', pgDumpVersion: '16.4' },
    artifacts: o.tar === false ? { dir: '/home/azureuser/mlruns-artifacts', missing: true } : { dir: '/home/azureuser/mlruns-artifacts' },
    files,
    startedAt: new Date('2026-12-06T09:30:00Z'),
    endedAt: new Date('2026-12-06T09:30:05Z'),
  });
  writeFileSync(join(folder, 'manifest.json'), manifest, { mode: 0o600 });
  return folder;
}

function restoreConfig(from: string, argv: Record<string, unknown> = {}): RestoreConfig {
  return buildCommandConfig(
    'restore',
    readSettings(
      { host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS, from, ...argv },
      { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: PASSWORD },
      optionsOf('restore'),
    ),
  );
}

async function restore(vm: Partial<FakeVmOptions> = {}, argv: Record<string, unknown> = {}, folder = backupFolder()) {
  const config = restoreConfig(folder, argv);
  const fake = new FakeVm({ probe: fixture('fresh-debian12.txt'), ...vm });
  const handle = newHandle<RestoreSession, RestoreResult>();
  await runOnHosts(restoreCommand(config, await readBackup(folder), fakeIO(fake)), config, handle, { silent: true });
  const result = handle.results.get('10.0.0.4');
  assert.ok(result);
  return { result, vm: fake, folder, log: readFileSync(result.log ?? `${LOGS}/10.0.0.4.log`, 'utf8') };
}

test("restore onto a fresh VM: the backup's MLflow installed, the dump and the tar fed byte for byte after the files and before the start", async () => {
  const { result, vm, log, folder } = await restore();
  assert.equal(result.status, 'ok', result.error);
  const kinds = vm.commands;
  const at = (k: string) => kinds.indexOf(k);
  assert.ok(at('pip-install') < at('restore-db') && at('restore-db') < at('restore-artifacts') && at('restore-artifacts') < at('start'), kinds.join(' '));
  const secretsUpload = vm.events.indexOf('upload /home/azureuser/.mlflow-server.env 600');
  assert.ok(secretsUpload >= 0 && secretsUpload < vm.events.indexOf('restore-db'), 'the secrets file the restore reads is there first');
  assert.match(vm.commandsRun.find((c) => c.kind === 'pip-install')!.label, /mlflow(\[[a-z,]+\])?==3\.16\.1/, "the backup's MLflow");
  assert.deepEqual(
    vm.fed.map((f) => [f.kind, f.bytes.equals(f.kind === 'restore-db' ? DUMP : TAR)]),
    [
      ['restore-db', true],
      ['restore-artifacts', true],
    ],
  );
  const pgRestore = vm.commandsRun.find((c) => c.kind === 'restore-db')!;
  assert.match(pgRestore.label, /--no-owner --no-privileges --exit-on-error --single-transaction into/);
  assert.doesNotMatch(pgRestore.command, /--clean/, 'an empty database is not cleaned');
  assert.deepEqual(result.restored, { from: folder, files: ['database.dump', 'artifacts.tar'] });
  assert.match(log, /database\.dump: 13 B in [\d.]+ s/);
  // No secret: not in a command, the log or the result.
  assert.ok(vm.commandsRun.every((c) => !c.command.includes(PASSWORD) && !c.label.includes(PASSWORD)));
  assert.ok(!log.includes(PASSWORD) && !JSON.stringify(result).includes(PASSWORD));
});

test('a database holding MLflow tables is refused with one sentence before anything changes; --replace cleans it, the running server stopped first', async () => {
  const c = provisionConfig();
  const refused = await restore({ probe: healthyProbe(c), serverUp: true, database: { hasMlflowSchema: true, schemaRevision: REVISION } });
  assert.equal(refused.result.status, 'failed');
  assert.equal(
    refused.result.error,
    'The database mlflow already holds MLflow tables: restore into an empty database, or pass --replace to drop them and restore the backup in their place. Nothing was changed on 10.0.0.4.',
  );
  assert.deepEqual(refused.vm.commands, ['probe'], 'only the probe ran');
  assert.equal(refused.vm.events.filter((e) => e.startsWith('upload ')).length, 0);

  const replaced = await restore(
    { probe: healthyProbe(c), serverUp: true, database: { hasMlflowSchema: true, schemaRevision: 'dc11669786a5' } },
    { replace: true },
  );
  assert.equal(replaced.result.status, 'ok', replaced.result.error);
  const kinds = replaced.vm.commands;
  assert.ok(kinds.indexOf('stop') < kinds.indexOf('restore-db') && kinds.indexOf('restore-db') < kinds.lastIndexOf('start'), kinds.join(' '));
  assert.match(replaced.vm.commandsRun.find((c) => c.kind === 'restore-db')!.command, / --clean --if-exists/);
  assert.equal(replaced.vm.serverUp, true, 'started again after the data is in');
  assert.equal(kinds.filter((k) => k === 'stop').length, 1, 'stopped once, before the restore');
  assert.match(replaced.log, /== server: changed \(the server is not running; started pid/);
});

test("an MLflow older than the backup's schema is refused before anything changes", async () => {
  // A backup MLflow 3.17.2 wrote, restored with --mlflow-version 3.16.1.
  const folder = backupFolder({ mlflowVersion: '3.17.2', schemaRevision: 'dc11669786a5' });
  const { result, vm } = await restore({}, { 'mlflow-version': '3.16.1' }, folder);
  assert.equal(result.status, 'failed');
  assert.match(
    result.error!,
    /^MLflow 3\.16\.1 cannot use the backup's database \(mlflow from 10\.0\.0\.9\): its schema is at revision dc11669786a5 \(MLflow 3\.17\.2 or newer wrote it\)/,
  );
  assert.match(result.error!, /nothing was changed on 10\.0\.0\.4: pass --mlflow-version 3\.17\.2 or newer/);
  assert.deepEqual(vm.commands, ['probe']);
});

test("a pg_restore older than the backup's pg_dump: one sentence, the matching client installed from PGDG first", async () => {
  const { result, vm, log } = await restore({ stdoutOf: { 'backup-check': 'pg_dump=pg_dump (PostgreSQL) 15.10\nos_codename=bookworm\n' } });
  assert.equal(result.status, 'ok', result.error);
  const kinds = vm.commands.slice(vm.commands.indexOf('backup-check'));
  assert.deepEqual(kinds.slice(0, 4), ['backup-check', 'pgdg-install', 'apt-update', 'restore-db']);
  assert.match(vm.commandsRun.filter((c) => c.kind === 'apt-update').at(-1)!.label, /apt-get install postgresql-client-16$/);
  assert.match(log, /The VM's pg_restore is 15\.10, older than the pg_dump that wrote the backup \(16\.4\): installing postgresql-client-16/);
});

test('a failing pg_restore is one sentence and the server is not started', async () => {
  const { result, vm } = await restore({ failOn: { 'restore-db': 'pg_restore: error: could not execute query: ERROR:  permission denied for schema public' } });
  assert.equal(result.status, 'failed');
  assert.match(
    result.error!,
    /^"pg_restore .*" failed on 10\.0\.0\.4 \(exit 1\): pg_restore: error: .*permission denied for schema public; the server was not started\.$/,
  );
  assert.ok(!vm.commands.includes('start') && !vm.commands.includes('restore-artifacts'));
});

test('the backup is checked on this machine first: missing, damaged, readable by others, not a manifest', async () => {
  const missing = mkdtempSync(join(tmpdir(), 'prov-restore-'));
  await assert.rejects(
    readBackup(missing),
    (e: Error) => e instanceof UsageError && /holds no manifest\.json: pass --from DIR\/<host>\/<UTC time>/.test(e.message),
  );
  const noTar = backupFolder();
  rmSync(join(noTar, 'artifacts.tar'));
  await assert.rejects(readBackup(noTar), /The backup in .* is incomplete: artifacts\.tar is missing\. Nothing was changed\./);
  const damaged = backupFolder();
  writeFileSync(join(damaged, 'database.dump'), Buffer.from('PGDMX\0\x01\x02\xff\xfe\n\r\0'));
  await assert.rejects(readBackup(damaged), /database\.dump does not match its manifest .*: the backup is damaged\. Nothing was changed\./);
  const open = backupFolder();
  chmodSync(join(open, 'database.dump'), 0o644);
  await assert.rejects(readBackup(open), /database\.dump is readable by others \(mode 0644\): .*chmod 600/);
  assert.equal(typeof parseManifest('{"format":"other"}', 'm.json'), 'string');
  assert.match(parseManifest('not json', 'm.json') as string, /^m\.json is not valid JSON/);
  const ok = parseManifest(readFileSync(join(backupFolder({ tar: false }), 'manifest.json'), 'utf8'), 'm.json') as Manifest;
  assert.deepEqual([ok.mlflowVersion, ok.schemaRevision, ok.artifacts.copied, ok.files.length], ['3.16.1', REVISION, false, 1]);
});

test('pure refusals: auth backup without --auth, a disk backup into Blob; restore takes one VM and needs --from', () => {
  const m = parseManifest(readFileSync(join(backupFolder(), 'manifest.json'), 'utf8'), 'm') as Manifest;
  const empty = { database: 'mlflow', hasMlflowSchema: false, canCreateTables: true };
  const o = { replace: false, authAsked: false, blob: false, vm: 'vm' };
  assert.equal(restoreRefusal(empty, m, o), undefined);
  assert.match(restoreRefusal(empty, { ...m, authDatabase: 'mlflow_auth' }, o)!, /holds MLflow's users .*restore it with --auth basic/);
  assert.match(restoreRefusal(empty, m, { ...o, blob: true })!, /leave --artifacts-destination out/);
  assert.match(restoreRefusal({ ...empty, canCreateTables: false }, m, o)!, /may not create tables in database mlflow/);
  assert.match(
    restoreRefusal({ ...empty, auth: { database: 'mlflow_auth', hasAuthSchema: true } }, m, { ...o, authAsked: true })!,
    /^The auth database mlflow_auth already holds MLflow tables/,
  );
  assert.throws(() => restoreConfig('/tmp/x', { host: ['10.0.0.4', '10.0.0.5'] }), /restore restores one VM/);
  assert.throws(
    () => buildCommandConfig('restore', readSettings({ host: ['10.0.0.4'] }, { POSTGRES_HOST: 'db', POSTGRES_PASSWORD: 'x' }, optionsOf('restore'))),
    /No backup given: pass --from/,
  );
  assert.ok(
    optionsOf('restore').some((s) => s.name === 'pg-host') && optionsOf('restore').some((s) => s.name === 'replace'),
    "provisioning's options and its own",
  );
  assert.equal(artifactsUntarCommand("/home/u/it's").command, "mkdir -p -- '/home/u/it'\\''s' && exec tar -C '/home/u/it'\\''s' --no-same-owner -xf -");
});

test('the restore command, run by bash: the dump on standard input, the password by environment only', () => {
  const home = mkdtempSync(join(tmpdir(), 'prov-pgrestore-'));
  const layout = remoteLayout(home);
  const password = "p@ss:w/o'rd %1";
  mkdirSync(`${layout.venv}/bin`, { recursive: true });
  symlinkSync(execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim(), `${layout.venv}/bin/python`);
  const db = { host: 'db.example', port: 6432, user: 'mlflow', database: 'ml flow', password: new Secret(password), sslmode: 'require' as const };
  writeFileSync(layout.secrets, renderSecretsEnv(db, [['PGPASSWORD', new Secret(password)]]).reveal(), { mode: 0o600 });
  // A pg_restore that prints what it was given: its arguments, libpq's password, and the bytes of its input.
  writeFileSync(`${home}/pg_restore`, '#!/bin/sh\necho "argv=$*"\necho "pw=$PGPASSWORD ssl=$PGSSLMODE"\necho "stdin=$(od -An -tx1 | tr -d " \\n")"\n', {
    mode: 0o755,
  });
  const c = pgRestoreCommand(layout, 'backend', true);
  assert.ok(!c.command.includes(password));
  const out = execFileSync('bash', ['-c', c.command], { encoding: 'utf8', input: DUMP, env: { PATH: `${home}:${process.env.PATH}` } });
  assert.equal(
    out,
    `argv=--no-password -h db.example -p 6432 -U mlflow -d ml flow --no-owner --no-privileges --exit-on-error --single-transaction --clean --if-exists\npw=${password} ssl=require\nstdin=${DUMP.toString('hex')}\n`,
  );
});
