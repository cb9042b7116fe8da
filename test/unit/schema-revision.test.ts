// Issue 22, item 8: MLflow has no schema downgrades. Which release knows which revision (the table read from
// the real wheels), the one sentence, and through the fake VM: refused before anything changes when the table
// decides, checked after the install (the old release put back) when only the installed package can tell.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MLFLOW_SCHEMA_CHAIN, MLFLOW_SCHEMA_HEADS } from '../../src/config/mlflow-schema.js';
import { DEFAULT_MLFLOW_VERSION, UPGRADE_TESTED_FROM } from '../../src/config/mlflow-version.js';
import { downgradeProblem, knowsRevision } from '../../src/plan/schema-revision.js';
import { exitCodeOf } from '../../src/util/errors.js';
import { config, healthyProbe, provision, SAFE_UPGRADE_COMMANDS } from './host-run-kit.js';

const HEAD_3_16 = 'b7e2c1a4d9f3';
const HEAD_3_17 = 'dc11669786a5';

test('the table names both pinned versions, and its history is one line with each head on it', () => {
  for (const v of [DEFAULT_MLFLOW_VERSION, UPGRADE_TESTED_FROM]) assert.ok(MLFLOW_SCHEMA_HEADS[v], `no schema head for MLflow ${v}`);
  assert.equal(new Set(MLFLOW_SCHEMA_CHAIN).size, MLFLOW_SCHEMA_CHAIN.length);
  for (const head of Object.values(MLFLOW_SCHEMA_HEADS)) assert.ok(MLFLOW_SCHEMA_CHAIN.includes(head), head);
  assert.equal(MLFLOW_SCHEMA_CHAIN.at(-1), MLFLOW_SCHEMA_HEADS[DEFAULT_MLFLOW_VERSION], 'the chain ends at the newest head');
});

test('a release knows the revisions up to its head; for one the table does not name, the releases around it decide, or nothing does', () => {
  assert.equal(knowsRevision('3.17.2', HEAD_3_16), true, 'an upgrade');
  assert.equal(knowsRevision('3.16.1', HEAD_3_16), true);
  assert.equal(knowsRevision('3.16.1', HEAD_3_17), false, 'a downgrade');
  assert.equal(knowsRevision('3.16.1', 'ffffffffffff'), false, 'a revision unknown to the whole table');
  assert.equal(knowsRevision('3.17.2', MLFLOW_SCHEMA_CHAIN[0]!), true);
  // Not in the table: newer than a release that knows it, older than one that does not.
  assert.equal(knowsRevision('3.18.0', HEAD_3_17), true);
  assert.equal(knowsRevision('3.17.0', HEAD_3_16), true);
  assert.equal(knowsRevision('3.15.0', HEAD_3_17), false);
  assert.equal(knowsRevision('3.15.0', HEAD_3_16), undefined, 'only the installed package tells');
  assert.equal(knowsRevision('3.18.0', 'ffffffffffff'), undefined);
});

test('the sentence: the release asked for, the revision, what stays installed, and what to do', () => {
  const problem = downgradeProblem({ version: '3.16.1', revision: HEAD_3_17, database: 'database mlflow at db:5432', vm: '10.0.0.4', installed: '3.17.2' });
  assert.equal(
    problem,
    'MLflow 3.16.1 cannot use the database mlflow at db:5432: its schema is at revision dc11669786a5 (MLflow 3.17.2 or newer wrote it), unknown to MLflow 3.16.1, ' +
      'and MLflow has no schema downgrades; nothing was changed on 10.0.0.4, where MLflow 3.17.2 stays installed: pass --mlflow-version 3.17.2 or newer, or point --pg-db at a fresh database.',
  );
  assert.equal(downgradeProblem({ version: '3.17.2', revision: HEAD_3_16, database: 'd', vm: 'v' }), undefined, 'upgrades pass');
});

test('--mlflow-version 3.16.1 on a schema 3.17.2 wrote: refused at the database step, before apt, pip or the server change (dry run too)', async () => {
  for (const dry of [false, true]) {
    const c = config({ 'mlflow-version': '3.16.1', ...(dry ? { 'dry-run': true } : {}) });
    const probe = healthyProbe(c, (p) => p.replace('mlflow_version=3.16.1', 'mlflow_version=3.17.2'));
    const { vm, run, error } = await provision(c, { probe, serverUp: true, database: { hasMlflowSchema: true, schemaRevision: HEAD_3_17 } });
    assert.equal(exitCodeOf(error), 1);
    assert.match(
      String((error as Error).message),
      /^MLflow 3\.16\.1 cannot use the database mlflow at db\.example\.com:5432: its schema is at revision dc11669786a5/,
    );
    assert.deepEqual(vm.commands, ['probe'], 'nothing ran after the probe');
    assert.equal(vm.mlflowVersion, '3.17.2');
    assert.equal(run.result(error).status, 'failed');
  }
});

test('the pinned upgrade and a plain rerun on their own schema pass', async () => {
  const up = config({ 'mlflow-version': '3.17.2' });
  const upgrade = await provision(up, { probe: healthyProbe(up), serverUp: true, database: { hasMlflowSchema: true, schemaRevision: HEAD_3_16 } });
  assert.equal(upgrade.error, undefined);
  // The venv kept aside and a backup with the server stopped (issue 24 item 3: test/unit/upgrade-rollback.test.ts).
  assert.deepEqual(upgrade.vm.commands, SAFE_UPGRADE_COMMANDS);
  const c = config();
  const rerun = await provision(c, { probe: healthyProbe(c), serverUp: true, database: { hasMlflowSchema: true, schemaRevision: HEAD_3_16 } });
  assert.equal(rerun.error, undefined);
  assert.deepEqual(rerun.vm.commands, ['probe']);
});

test('a release the table cannot judge is checked after its install: unknown revision, the old MLflow back, the server untouched', async () => {
  const c = config({ 'mlflow-version': '3.15.0' });
  const { vm, error } = await provision(c, {
    probe: healthyProbe(c),
    serverUp: true,
    database: { hasMlflowSchema: true, schemaRevision: HEAD_3_16 },
    revisions: MLFLOW_SCHEMA_CHAIN.slice(0, 60),
  });
  assert.match(
    String((error as Error).message),
    /^MLflow 3\.15\.0 cannot use .*revision b7e2c1a4d9f3 .*; MLflow 3\.16\.1 was put back on 10\.0\.0\.4 and its server was not touched: pass --mlflow-version 3\.16\.1 or newer/,
  );
  // The venv kept before the install comes back by renames (no second install).
  assert.deepEqual(vm.commands, [
    'probe',
    'upgrade-keep-venv',
    'pip-install',
    'mlflow-version',
    'mlflow-revisions',
    'upgrade-restore-venv',
    'upgrade-drop-venv',
  ]);
  assert.equal(vm.mlflowVersion, '3.16.1');
  assert.ok(vm.serverUp, 'the server was never stopped');
  // The same release knowing the revision goes on.
  const ok = await provision(c, {
    probe: healthyProbe(c),
    serverUp: true,
    database: { hasMlflowSchema: true, schemaRevision: HEAD_3_16 },
    revisions: [...MLFLOW_SCHEMA_CHAIN.slice(0, 65)],
  });
  assert.equal(ok.error, undefined);
});
