// `provision backup` on the one executor, through the fake VM: the files it writes (modes, manifest, checksums),
// no secret anywhere, a failed dump leaving nothing that looks like a backup; and its pure builders.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCommandConfig, type BackupConfig } from '../../src/config/config.js';
import { optionsOf } from '../../src/config/options.js';
import { readSettings } from '../../src/config/settings.js';
import {
  artifactsLocation,
  backupCheckCommand,
  backupTimeName,
  hostFolderName,
  parseBackupCheck,
  pgDumpCommand,
  pgdgClientCommands,
  pgDumpTooOld,
  progressText,
} from '../../src/plan/backup.js';
import { remoteLayout, renderAuthIni, renderSecretsEnv } from '../../src/render/server-files.js';
import { Secret } from '../../src/util/secret.js';
import { backupCommand, type BackupResult, type BackupSession } from '../../src/run/backup.js';
import { newHandle, runOnHosts } from '../../src/run/executor.js';
import { UsageError } from '../../src/util/errors.js';
import { FakeVm, fakeIO, type FakeVmOptions } from './fake-host.js';
import { config as provisionConfig, desiredFor, healthyProbe, LOGS, PASSWORD } from './host-run-kit.js';

const provisioned = provisionConfig();
const probe = healthyProbe(provisioned);
const desired = desiredFor(provisioned, probe);
const lines = (text: string) => text.replace(/\n$/, '').split('\n');
const files = { launcher: lines(desired.launcher), secrets: lines(desired.secrets.reveal()) };
const DUMP = Buffer.concat([Buffer.from('PGDMP'), Buffer.from([0, 1, 2, 255, 254, 10, 13, 0])]);
const TAR = Buffer.alloc(3000, 0x61);

function backupConfig(to: string, argv: Record<string, unknown> = {}): BackupConfig {
  return buildCommandConfig(
    'backup',
    readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS, to, ...argv }, {}, optionsOf('backup')),
  );
}

async function backup(vm: Partial<FakeVmOptions> = {}, argv: Record<string, unknown> = {}, to = mkdtempSync(join(tmpdir(), 'prov-backup-'))) {
  const config = backupConfig(to, argv);
  const fake = new FakeVm({ probe, serverUp: true, ...files, streams: { 'backup-dump': DUMP, 'backup-artifacts': TAR }, ...vm });
  const handle = newHandle<BackupSession, BackupResult>();
  await runOnHosts(backupCommand(config, fakeIO(fake)), config, handle, { silent: true });
  const result = handle.results.get('10.0.0.4');
  assert.ok(result);
  return { result, vm: fake, to, log: readFileSync(`${LOGS}/10.0.0.4.log`, 'utf8') };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

test('backup: the dump and the tar streamed byte for byte into DIR/<host>/<time>/ (0700, files 0600), the manifest checksums them', async () => {
  const { result, vm, to, log } = await backup();
  assert.equal(result.status, 'ok', result.error);
  assert.deepEqual(vm.commands, ['status-probe', 'backup-check', 'backup-dump', 'backup-artifacts']);
  const [time] = readdirSync(join(to, '10.0.0.4'));
  assert.match(time!, /^\d{8}T\d{6}Z$/);
  const folder = join(to, '10.0.0.4', time!);
  assert.equal(result.folder, folder);
  assert.deepEqual(readdirSync(folder).sort(), ['artifacts.tar', 'database.dump', 'manifest.json']);
  assert.deepEqual([mode(join(to, '10.0.0.4')), mode(folder)], ['700', '700']);
  for (const f of readdirSync(folder)) assert.equal(mode(join(folder, f)), '600', f);
  assert.ok(readFileSync(join(folder, 'database.dump')).equals(DUMP), 'binary output intact');
  assert.ok(readFileSync(join(folder, 'artifacts.tar')).equals(TAR));
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.files, [
    { name: 'database.dump', bytes: DUMP.length, sha256: sha(DUMP) },
    { name: 'artifacts.tar', bytes: TAR.length, sha256: sha(TAR) },
  ]);
  assert.deepEqual([manifest.database.name, manifest.database.host, manifest.database.serverVersion], ['mlflow', provisioned.db.host, '16.4']);
  assert.equal(manifest.artifacts.dir, '/home/azureuser/mlruns-artifacts');
  assert.match(manifest.consistency, /one snapshot for the database.*artifacts copied after it/);
  assert.ok(Date.parse(manifest.endedAt) >= Date.parse(manifest.startedAt));
  // No secret: not in a file, the log, the result, or any command's text.
  for (const f of readdirSync(folder)) assert.ok(!readFileSync(join(folder, f)).includes(PASSWORD), f);
  assert.ok(!log.includes(PASSWORD) && !JSON.stringify(result).includes(PASSWORD));
  assert.ok(vm.commandsRun.every((c) => !c.command.includes(PASSWORD) && !c.label.includes(PASSWORD)));
});

test('a backup in a second that already has one (complete or cut short) takes the next free name; the other stays as it was', async () => {
  const to = mkdtempSync(join(tmpdir(), 'prov-backup-'));
  const now = Date.now();
  // Every second the backup may start in already has a backup, and -2 of the first one a cut-short one.
  const taken = Array.from({ length: 10 }, (_, i) => backupTimeName(new Date(now + i * 1000)));
  for (const name of taken) mkdirSync(join(to, '10.0.0.4', name), { recursive: true });
  mkdirSync(join(to, '10.0.0.4', `${taken[0]}-2.partial`));
  writeFileSync(join(to, '10.0.0.4', taken[0]!, 'manifest.json'), '{"kept":true}');
  const { result } = await backup({}, {}, to);
  assert.equal(result.status, 'ok', result.error);
  assert.match(result.folder ?? '', /\/\d{8}T\d{6}Z-(2|3)$/);
  assert.ok(taken.includes(result.folder!.split('/').pop()!.replace(/-\d$/, '')));
  assert.deepEqual(readdirSync(result.folder!).sort(), ['artifacts.tar', 'database.dump', 'manifest.json']);
  assert.equal(readFileSync(join(to, '10.0.0.4', taken[0]!, 'manifest.json'), 'utf8'), '{"kept":true}');
});

test('a failing pg_dump is one sentence and leaves no backup folder, partial or not', async () => {
  const { result, to, vm } = await backup({ failOn: { 'backup-dump': 'pg_dump: error: connection to server failed: FATAL: password authentication failed' } });
  assert.equal(result.status, 'failed');
  assert.equal(
    result.error,
    '"pg_dump -Fc of the backend store (settings from the secrets file)" failed on 10.0.0.4 (exit 1): pg_dump: error: connection to server failed: FATAL: password authentication failed; no backup was kept.',
  );
  assert.deepEqual(readdirSync(join(to, '10.0.0.4')), []);
  assert.ok(!vm.commands.includes('backup-artifacts'));
  const tar = await backup({ failOn: { 'backup-artifacts': 'tar: ./x: file changed as we read it' } });
  assert.equal(tar.result.status, 'failed');
  assert.deepEqual(readdirSync(join(tar.to, '10.0.0.4')), [], 'the dump already written goes with it');
  const dropped = await backup({ dropOn: 'backup-artifacts' });
  assert.match(dropped.result.error!, /dropped/);
  assert.deepEqual(readdirSync(join(dropped.to, '10.0.0.4')), [], 'a connection lost mid-stream leaves nothing either');
});

test('a pg_dump older than the server says so in one sentence and installs the matching client from PGDG first', async () => {
  const { result, vm, log } = await backup({ stdoutOf: { 'backup-check': 'pg_dump=pg_dump (PostgreSQL) 15.10\nos_codename=bookworm\nartifacts=missing\n' } });
  assert.equal(result.status, 'ok', result.error);
  assert.deepEqual(vm.commands, ['status-probe', 'backup-check', 'pgdg-install', 'apt-update', 'backup-dump']);
  assert.match(log, /The VM's pg_dump is 15\.10, older than the database server \(16\.4\): installing postgresql-client-16/);
  const manifest = JSON.parse(readFileSync(join(result.folder!, 'manifest.json'), 'utf8'));
  assert.deepEqual([manifest.artifacts.copied, manifest.files.length], [false, 1]);
  const dry = await backup({ stdoutOf: { 'backup-check': 'pg_dump=missing\nos_codename=bookworm\n' } }, { 'dry-run': true });
  assert.deepEqual(dry.vm.commands, ['status-probe', 'backup-check'], 'a dry run installs and writes nothing');
  assert.deepEqual(readdirSync(dry.to), []);
});

test('--auth basic: the auth database dumped too, into auth.dump, and named in the manifest', async () => {
  const launcher = [...files.launcher, 'export MLFLOW_AUTH_CONFIG_PATH=/home/azureuser/mlflow-auth.ini', 'exec x \\', '  --app-name basic-auth'];
  const check =
    'pg_dump=pg_dump (PostgreSQL) 16.4\nos_codename=bookworm\nartifacts=missing\nauth_uri=postgresql+psycopg2://mlflow@db:5432/mlflow_auth?sslmode=require\n';
  const { result, vm } = await backup({ launcher, stdoutOf: { 'backup-check': check } });
  assert.equal(result.status, 'ok', result.error);
  assert.deepEqual(vm.commands, ['status-probe', 'backup-check', 'backup-dump', 'backup-dump']);
  assert.deepEqual(readdirSync(result.folder!).sort(), ['auth.dump', 'database.dump', 'manifest.json']);
  const manifest = JSON.parse(readFileSync(join(result.folder!, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.authDatabase, { name: 'mlflow_auth', file: 'auth.dump', format: 'pg_dump custom (-Fc)' });
  assert.deepEqual(
    manifest.files.map((f: { name: string }) => f.name),
    ['database.dump', 'auth.dump'],
  );
});

test('artifacts in Blob are not copied: the manifest names the container', async () => {
  const blob = 'wasbs://mlflow@acct.blob.core.windows.net/artifacts';
  const launcher = files.launcher.map((l) => l.replace(/--artifacts-destination \S+/, `--artifacts-destination ${blob}`));
  assert.notDeepEqual(launcher, files.launcher);
  const { result, vm } = await backup({ launcher });
  assert.ok(!vm.commands.includes('backup-artifacts'));
  const manifest = JSON.parse(readFileSync(join(result.folder!, 'manifest.json'), 'utf8'));
  assert.deepEqual([manifest.artifacts.location, manifest.artifacts.container, manifest.artifacts.copied], ['azure-blob', blob, false]);
});

test('the dump command, run by bash: the URI read from the secrets file in the shell, pg_dump given the password by environment only', () => {
  const home = mkdtempSync(join(tmpdir(), 'prov-dump-'));
  const layout = remoteLayout(home);
  const password = "p@ss:w/o'rd %1";
  mkdirSync(`${layout.venv}/bin`, { recursive: true });
  symlinkSync(execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim(), `${layout.venv}/bin/python`);
  const db = { host: 'db.example', port: 6432, user: 'mlflow', database: 'ml flow', password: new Secret(password), sslmode: 'verify-full' as const };
  const withRoot = { ...db, sslRootCertPath: `${home}/root.crt` };
  writeFileSync(layout.secrets, renderSecretsEnv(withRoot, [['PGPASSWORD', new Secret(password)]]).reveal(), { mode: 0o600 });
  writeFileSync(layout.authIni, renderAuthIni(withRoot, { adminUser: 'admin', database: 'mlflow 100%auth' }));
  // A pg_dump that prints what it was given: its arguments, and libpq's variables.
  writeFileSync(
    `${home}/pg_dump`,
    '#!/bin/sh\necho "argv=$*"\necho "pw=$PGPASSWORD ssl=$PGSSLMODE root=$PGSSLROOTCERT uri=${MLFLOW_BACKEND_STORE_URI:-none}"\n',
    { mode: 0o755 },
  );
  const c = pgDumpCommand(layout);
  assert.ok(!c.command.includes(password));
  const out = execFileSync('bash', ['-c', c.command], { encoding: 'utf8', env: { PATH: `${home}:${process.env.PATH}` } });
  assert.equal(out, `argv=-Fc --no-password -h db.example -p 6432 -U mlflow -d ml flow\npw=${password} ssl=verify-full root=${home}/root.crt uri=none\n`);
  // --auth basic: the auth database from the ini (its URI without a password), the password from PGPASSWORD.
  const auth = pgDumpCommand(layout, 'auth');
  const authOut = execFileSync('bash', ['-c', auth.command], { encoding: 'utf8', env: { PATH: `${home}:${process.env.PATH}` } });
  assert.equal(
    authOut,
    `argv=-Fc --no-password -h db.example -p 6432 -U mlflow -d mlflow 100%auth\npw=${password} ssl=verify-full root=${home}/root.crt uri=none\n`,
  );
  const check = execFileSync('bash', ['-c', backupCheckCommand(undefined, layout.authIni).command], { encoding: 'utf8' });
  assert.equal(parseBackupCheck(check).authDatabase, 'mlflow 100%auth');
});

test('pure parts: pg_dump versions, the PGDG commands, names, progress, where the artifacts are; --to is required', () => {
  assert.deepEqual(
    parseBackupCheck('pg_dump=pg_dump (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)\nos_codename=bookworm\nartifacts=present\nartifacts_bytes=42\n'),
    {
      pgDump: '15.10',
      codename: 'bookworm',
      artifacts: { present: true, bytes: 42 },
    },
  );
  assert.equal(pgDumpTooOld('16.4', '16.9'), undefined);
  assert.equal(pgDumpTooOld('17.0', '16.9'), undefined);
  assert.match(pgDumpTooOld(undefined, '17.2')!, /^The VM has no pg_dump: installing postgresql-client-17/);
  const [repo, install] = pgdgClientCommands('17.2', 'bookworm');
  assert.match(repo!.command, /https:\/\/www\.postgresql\.org\/media\/keys\/ACCC4CF8\.asc/);
  assert.match(
    repo!.command,
    /'deb \[signed-by=\/usr\/share\/keyrings\/postgresql-archive-keyring\.gpg\] https:\/\/apt\.postgresql\.org\/pub\/repos\/apt bookworm-pgdg main'/,
  );
  assert.match(install!.command, /install --no-install-recommends postgresql-client-17 /);
  assert.equal(backupTimeName(new Date('2026-12-06T09:30:05.123Z')), '20261206T093005Z');
  assert.equal(hostFolderName('azureuser@10.0.0.4:2222'), 'azureuser_10.0.0.4_2222');
  assert.equal(hostFolderName('../x'), '__x');
  assert.ok(!hostFolderName('..').startsWith('.'));
  assert.equal(progressText(5_000_000, 2000, 10_000_000), '5.0 MB of 10 MB at 2.5 MB/s, about 2 s left');
  assert.deepEqual(artifactsLocation('wasbs://c@a.blob.core.windows.net/p', '/x'), { blob: 'wasbs://c@a.blob.core.windows.net/p' });
  assert.deepEqual(artifactsLocation(undefined, '/home/u/mlruns-artifacts'), { dir: '/home/u/mlruns-artifacts' });
  assert.throws(() => buildCommandConfig('backup', readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent' }, {}, optionsOf('backup'))), UsageError);
  assert.ok(backupConfig('rel/dir').to.startsWith('/'), '--to is made absolute');
  assert.ok(!existsSync('rel/dir'));
});
