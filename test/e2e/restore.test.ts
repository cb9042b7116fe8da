// Issue 24 item 2: `provision restore --from DIR/<host>/<time>` on the lab, the round trip checked from outside
// the tool: an experiment with a run (params, tags, metrics with history), a registered model version and an
// artifact, backed up; the VM reset (a fresh Debian) and the database dropped and made anew, empty; restored;
// every one of them reads back identical through the REST API and the artifact byte for byte. A second restore
// onto the now non-empty database without --replace is refused with one sentence, nothing changed; with --replace
// the tables are replaced by the backup's.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { labFlags, newWorkdir, provision, statusFlags } from './cli.js';
import { httpToVm, logRunThroughRest } from './http.js';
import { ensureLab, labDbEnv, labPsql, requireLab, resetVm, vmIp } from './lab.js';

const VM = 19;
const IP = vmIp(VM);
/** A database of this test's own on the lab's server: the shared one stays untouched. */
const DB = 'prov_restore_e2e';

const freshDatabase = () => labPsql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE); CREATE DATABASE ${DB} OWNER ${labDbEnv().user};`);

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(VM);
  await freshDatabase();
  // No provisionedVm snapshot: the test provisions vm19 itself on its own database (from whatever state an
  // earlier run left), and a snapshot would take the lab's lock twice more, which six helpers share.
});

/** The lab's reset waits for the lab's lock, which other test files hold for minutes at times: one more try. */
async function resetVmPatiently(k: number): Promise<void> {
  await resetVm(k).catch(() => resetVm(k));
}

after(async () => {
  if (available) await labPsql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE);`).catch(() => undefined);
});

async function call(method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  const res = await httpToVm(IP, { method, path, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body}`);
  return JSON.parse(res.body || '{}') as Record<string, any>;
}

/** What the server says of everything the test made, as a client reads it. */
async function readBack(ids: { experimentId: string; runId: string; model: string; artifactPath: string }) {
  const q = (s: string) => encodeURIComponent(s);
  const artifact = await httpToVm(IP, { path: `/api/2.0/mlflow-artifacts/artifacts/${ids.artifactPath}` });
  return {
    experiment: await call('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${ids.experimentId}`),
    run: await call('GET', `/api/2.0/mlflow/runs/get?run_id=${ids.runId}`),
    history: await call('GET', `/api/2.0/mlflow/metrics/get-history?run_id=${ids.runId}&metric_key=acc`),
    model: await call('GET', `/api/2.0/mlflow/registered-models/get?name=${q(ids.model)}`),
    version: await call('GET', `/api/2.0/mlflow/model-versions/get?name=${q(ids.model)}&version=1`),
    artifacts: await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${ids.runId}`),
    artifact: { status: artifact.status, body: artifact.body },
  };
}

test('restore: backup, a fresh VM and an empty database, restore; everything reads back identical; a second restore is refused', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const flags = [...labFlags(VM, workdir), '--pg-db', DB];
  const provisioned = await provision(flags, { workdir });
  assert.equal(provisioned.code, 0, `${provisioned.stdout}\n${provisioned.stderr}`);

  // The data: an experiment with a run (a metric and an artifact through the artifact proxy), then params,
  // tags and a metric with a history of several steps, and a registered model with a version of the run.
  const logged = await logRunThroughRest(IP);
  const t0 = Date.now();
  await call('POST', '/api/2.0/mlflow/runs/log-batch', {
    run_id: logged.runId,
    params: [
      { key: 'lr', value: '0.003' },
      { key: 'optimizer', value: 'adam' },
    ],
    tags: [{ key: 'team', value: 'vision' }],
    metrics: [0, 1, 2, 3, 4].map((step) => ({ key: 'acc', value: 0.5 + step / 10, timestamp: t0 + step, step })),
  });
  const model = `restore-e2e-${t0}`;
  await call('POST', '/api/2.0/mlflow/registered-models/create', { name: model, description: 'restored?' });
  const run = await call('GET', `/api/2.0/mlflow/runs/get?run_id=${logged.runId}`);
  await call('POST', '/api/2.0/mlflow/model-versions/create', { name: model, source: `${run.run.info.artifact_uri}/model.txt`, run_id: logged.runId });
  const ids = { experimentId: logged.experimentId, runId: logged.runId, model, artifactPath: logged.artifactPath };
  const before = await readBack(ids);
  assert.equal(before.history.metrics.length, 5);
  assert.equal(before.artifact.body, logged.payload);

  const to = join(workdir, 'backups');
  const backedUp = await provision(['backup', ...statusFlags(VM, workdir), '--to', to], { workdir, noDbEnv: true });
  assert.equal(backedUp.code, 0, `${backedUp.stdout}\n${backedUp.stderr}`);
  const folder = join(to, IP, readdirSync(join(to, IP))[0]!);

  // A new VM and a new, empty database (as an admin makes one on a new server): nothing of the old is left.
  await resetVmPatiently(VM);
  await freshDatabase();

  const restoreDir = newWorkdir();
  const restoreFlags = ['restore', ...labFlags(VM, restoreDir), '--pg-db', DB, '--from', folder];
  const restored = await provision(restoreFlags, { workdir: restoreDir });
  t.diagnostic(`restore wall time ${restored.wallMs} ms (a fresh VM: packages, venv, then the data; timings noisy: other helpers share the machine)`);
  assert.equal(restored.code, 0, `${restored.stdout}\n${restored.stderr}`);
  assert.match(restored.stdout, /restored database\.dump, artifacts\.tar from /);
  assert.ok(!restored.everything.includes(labDbEnv().password), 'the password is in no output and no log');

  const after = await readBack(ids);
  assert.deepEqual(after, before, 'every entity reads back identical, the artifact byte for byte');

  // The database now holds MLflow's tables: a restore without --replace is one sentence, nothing changed.
  const again = await provision(restoreFlags, { workdir: restoreDir });
  assert.notEqual(again.code, 0);
  assert.match(again.stdout, /already holds MLflow tables: restore into an empty database, or pass --replace/);
  assert.deepEqual(await readBack(ids), before, 'the refused restore changed nothing');

  // --replace (confirmed by the lab flags' --yes): MLflow's tables dropped and the backup put back, in one transaction.
  await call('POST', '/api/2.0/mlflow/experiments/create', { name: `made-after-the-backup-${t0}` });
  const replaced = await provision([...restoreFlags, '--replace'], { workdir: restoreDir });
  t.diagnostic(`restore --replace onto the provisioned VM: ${replaced.wallMs} ms`);
  assert.equal(replaced.code, 0, `${replaced.stdout}\n${replaced.stderr}`);
  assert.deepEqual(await readBack(ids), before);
  const later = await httpToVm(IP, { path: `/api/2.0/mlflow/experiments/get-by-name?experiment_name=made-after-the-backup-${t0}` });
  assert.equal(later.status, 404, 'what was made after the backup is gone');
});
