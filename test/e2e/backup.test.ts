// Issue 24 item 1: `provision backup --to DIR` on a provisioned lab VM, checked from outside the tool: the dump
// restores its table list with pg_restore, the tar holds the artifact byte for byte, the manifest's checksums
// match, folders are 0700 and files 0600, and the database password is in no file and no output.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, statusFlags } from './cli.js';
import { logRunThroughRest, httpToVm } from './http.js';
import { ensureLab, labDbEnv, requireLab, run, vmIp } from './lab.js';

const VM = 18;
const IP = vmIp(VM);

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(VM);
  await provisionedVm(VM);
});

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('backup: pg_dump of the backend store and the artifacts tar, streamed to DIR/<host>/<time>/ with a manifest; no secret anywhere', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const started = await provision(labFlags(VM, workdir), { workdir }); // the snapshot is a rebooted VM: start it
  assert.equal(started.code, 0, started.stdout);
  const logged = await logRunThroughRest(IP);
  const param = { key: `bk_param_${Date.now()}`, value: 'lr=0.003' };
  const put = await httpToVm(IP, { method: 'POST', path: '/api/2.0/mlflow/runs/log-parameter', body: JSON.stringify({ run_id: logged.runId, ...param }) });
  assert.equal(put.status, 200, put.body);

  const to = join(workdir, 'backups');
  const t0 = Date.now();
  // Without the database variables in the environment: no mask from this machine hides a leak in the output.
  const res = await provision(['backup', ...statusFlags(VM, workdir), '--to', to], { workdir, noDbEnv: true });
  const wallMs = Date.now() - t0;
  assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
  t.diagnostic(`backup wall time ${wallMs} ms`);

  const [time, ...more] = readdirSync(join(to, IP));
  assert.deepEqual(more, [], 'one backup, no partial folder');
  assert.match(time!, /^\d{8}T\d{6}Z$/);
  const folder = join(to, IP, time!);
  assert.deepEqual(readdirSync(folder).sort(), ['artifacts.tar', 'database.dump', 'manifest.json']);
  assert.deepEqual([mode(to), mode(join(to, IP)), mode(folder)], ['700', '700', '700']);
  for (const f of readdirSync(folder)) assert.equal(mode(join(folder, f)), '600', f);

  const dump = join(folder, 'database.dump');
  const list = await run('pg_restore', ['--list', dump]);
  assert.equal(list.code, 0, list.stderr);
  for (const table of ['experiments', 'runs', 'params', 'metrics', 'alembic_version']) assert.match(list.stdout, new RegExp(`TABLE public ${table} `), table);
  const params = await run('pg_restore', ['--data-only', '--table=params', '-f', '-', dump]);
  assert.match(params.stdout, new RegExp(`${param.key}\\t${param.value.replace('.', '\\.')}\\t${logged.runId}`));

  const tar = await run('tar', ['-xOf', join(folder, 'artifacts.tar'), `./${logged.artifactPath}`]);
  assert.equal(tar.code, 0, tar.stderr);
  assert.equal(tar.stdout, logged.payload, 'the artifact, byte for byte');

  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
  assert.deepEqual(
    manifest.files.map((f: { name: string; bytes: number; sha256: string }) => [f.name, f.bytes, f.sha256]),
    ['database.dump', 'artifacts.tar'].map((n) => [n, statSync(join(folder, n)).size, sha256(join(folder, n))]),
  );
  assert.equal(manifest.database.name, labDbEnv().db);
  assert.match(manifest.database.serverVersion, /^15\./);
  assert.match(manifest.mlflow.version, /^\d+\.\d+/);
  assert.match(manifest.consistency, /artifacts copied after it/);

  const password = labDbEnv().password;
  for (const f of readdirSync(folder)) assert.ok(!readFileSync(join(folder, f)).includes(password), `the password is not in ${f}`);
  assert.ok(!res.everything.includes(password), 'the password is not in the output or the log');
});
