// Issue 24 item 3: a schema upgrade that fails comes back. VM 20 runs the older tested MLflow with an experiment,
// a run and an artifact; a failure is injected into the migration from outside the tool and the product: a table
// the newer MLflow's second new revision creates (scheduler_leases, dc11669786a5) is made first in the database,
// so `mlflow db upgrade` fails with DuplicateTable as on a database someone touched by hand. The upgrade run must
// exit non-zero with the one sentence, the old version answering /version, the data reading back, the schema at
// its old revision (PostgreSQL rolled the migration back) and the backup's folder holding a manifest.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_MLFLOW_VERSION as NEW, UPGRADE_TESTED_FROM as OLD } from '../../src/config/mlflow-version.js';
import { MLFLOW_SCHEMA_HEADS } from '../../src/config/mlflow-schema.js';
import { labFlags, newWorkdir, provision } from './cli.js';
import { httpToVm, logRunThroughRest, statusAndBody } from './http.js';
import { ensureLab, labPsql, requireLab, vmExec, vmIp } from './lab.js';

const VM = 20;
const IP = vmIp(VM);
const DB = 'prov_upgrade_rollback_e2e';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(VM);
  await labPsql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE); CREATE DATABASE ${DB} OWNER mlflow;`);
  // No `lab reset` (it times out while the other helpers load the machine): the first provision below brings
  // VM 20 to the old version on this fresh database whatever an earlier run left there.
});
after(async () => {
  if (!available) return;
  await vmExec(VM, "pkill -KILL -f '^/home/[^/]+/mlflow-venv/bin/python' || true", { timeoutMs: 20_000 }).catch(() => undefined);
  await labPsql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE);`).catch(() => undefined);
});

test(`${OLD} -> ${NEW} with a migration that fails: ${OLD} back and healthy, the data intact, a backup with its manifest`, async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const env = { POSTGRES_DB: DB };
  const t0 = Date.now();
  const first = await provision([...labFlags(VM, workdir), '--mlflow-version', OLD], { workdir, env });
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  const logged = await logRunThroughRest(IP);
  const oldHead = MLFLOW_SCHEMA_HEADS[OLD]!;
  const revision = async () => (await labPsql(`\\c ${DB}\nSELECT version_num FROM alembic_version;`)).trim().split('\n').pop();
  assert.equal(await revision(), oldHead);
  // The injected failure: an object the new version's migration creates, already there.
  // Owned by the server's role, as a table made through MLflow's own connection would be (pg_dump can read it).
  await labPsql(`\\c ${DB}\nCREATE TABLE scheduler_leases (lease_key varchar(255));\nALTER TABLE scheduler_leases OWNER TO mlflow;`);

  const backups = join(workdir, 'upgrade-backups');
  const t1 = Date.now();
  const up = await provision([...labFlags(VM, workdir), '--mlflow-version', NEW, '--backup-dir', backups], { workdir, env });
  const upgradeMs = Date.now() - t1;
  assert.notEqual(up.code, 0, up.stdout);
  const [host] = readdirSync(backups);
  const [time, ...more] = readdirSync(join(backups, host!));
  assert.equal(more.length, 0, 'one backup, nothing partial');
  const folder = join(backups, host!, time!);
  assert.match(
    up.everything,
    new RegExp(
      `The schema upgrade to MLflow ${esc(NEW)} failed on ${esc(IP)} \\(.*DuplicateTable.*scheduler_leases.*\\); ` +
        `the schema was not changed \\(still revision ${oldHead}: PostgreSQL rolled the whole migration back\\); ` +
        `MLflow ${esc(OLD)} is back and answers /health; the backup taken before it is in ${esc(folder)}\\.`,
    ),
  );
  // The old version serves the old data.
  assert.deepEqual(await statusAndBody(IP, { path: '/version' }), { status: 200, body: OLD });
  const run = await httpToVm(IP, { path: `/api/2.0/mlflow/runs/get?run_id=${logged.runId}` });
  assert.equal(run.status, 200, run.body);
  assert.deepEqual((JSON.parse(run.body) as { run: { data: { metrics: unknown[] } } }).run.data.metrics, [logged.metric]);
  const exp = await httpToVm(IP, { path: `/api/2.0/mlflow/experiments/get?experiment_id=${logged.experimentId}` });
  assert.equal(exp.status, 200, exp.body);
  const artifact = await httpToVm(IP, { path: `/api/2.0/mlflow-artifacts/artifacts/${logged.artifactPath}` });
  assert.equal(artifact.body, logged.payload);
  assert.equal(await revision(), oldHead, 'nothing of the migration stayed');
  // The backup: the database and the artifacts, as the migration found them, with the version that wrote them.
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { mlflow: unknown; files: Array<{ name: string }> };
  assert.deepEqual(manifest.mlflow, { version: OLD, schemaRevision: oldHead });
  assert.deepEqual(manifest.files.map((f) => f.name).sort(), ['artifacts.tar', 'database.dump']);
  for (const f of manifest.files) assert.ok(existsSync(join(folder, f.name)));
  assert.equal(
    (await vmExec(VM, 'test -e /home/azureuser/mlflow-venv.previous || test -e /home/azureuser/mlflow-venv.failed', { user: 'azureuser' })).code,
    1,
    'no copy left beside the venv',
  );
  const said = (re: RegExp) => re.exec(up.everything)?.[1];
  t.diagnostic(
    `first provision ${((t1 - t0) / 1000).toFixed(1)} s; failed upgrade with rollback ${(upgradeMs / 1000).toFixed(1)} s; venv kept aside ${said(/venv kept aside in ([\d.]+) s/)} s; ` +
      `backup ${said(/backup before the upgrade: \S+ \(([^)]*)\)/)}; venv put back ${said(/is back in \S+ \(([\d.]+) s\)/)} s`,
  );
});
