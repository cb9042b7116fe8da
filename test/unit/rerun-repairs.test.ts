// A venv broken in place (the mlflow package gone from site-packages, its dist-info left): what
// test/e2e/rerun.test.ts case (2) proved on the lab with a second 50 s rebuild, here in two halves. The probe's own
// shell, run by this machine's bash on such a venv, says MLflow is not importable; a run on a VM whose probe says
// so rebuilds the venv and restarts the server, and its dry run names the same steps.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildProbeScript, parseFacts } from '../../src/plan/facts.js';
import { config, healthyProbe, provision } from './host-run-kit.js';
import { writeFakeVenv } from './fake-venv.js';

/** A home with a venv as uv leaves it (python3.N link, site-packages with mlflow and psycopg2), then `damage`. */
function probeVenv(damage: (sitePackages: string) => void) {
  const root = mkdtempSync(join(tmpdir(), 'rerun-repairs-'));
  try {
    const home = join(root, 'home');
    const venv = join(home, 'mlflow-venv');
    const sp = writeFakeVenv(root, venv, { modules: ['mlflow', 'psycopg2'], mlflowVersion: '3.17.2' });
    // `sudo -n ss` (the listeners) prints nothing here.
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin', 'sudo'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    damage(sp);
    const out = execFileSync('bash', ['-c', buildProbeScript({ mlflowPort: 5000 })], {
      env: { HOME: home, USER: userInfo().username, PATH: `${join(root, 'bin')}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    return parseFacts(out);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the probe on a venv whose mlflow package was removed from site-packages: a python, but MLflow not importable', () => {
  const whole = probeVenv(() => {});
  assert.deepEqual([whole.venvPython, whole.mlflowImportable, whole.driverImportable], [true, true, true]);
  const broken = probeVenv((sp) => rmSync(join(sp, 'mlflow'), { recursive: true }));
  assert.equal(broken.venvPython, true);
  assert.equal(broken.mlflowImportable, false, 'the package directory is gone');
  assert.equal(broken.driverImportable, true);
  assert.equal(broken.mlflowVersion, '3.17.2', 'its dist-info still names a version: not enough to keep it');
});

test('a run on a VM whose venv lost MLflow: the venv rebuilt, the server restarted on it; the dry run names the same steps', async () => {
  const c = config();
  const broken = healthyProbe(c, (p) => p.replace('mlflow_importable=1', 'mlflow_importable=0'));
  const real = await provision(c, { probe: broken, serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(real.error, undefined);
  assert.deepEqual(real.vm.commands, ['probe', 'venv', 'pip-install', 'mlflow-version', 'stop', 'start']);
  assert.deepEqual(real.run.result().changed, ['python', 'server']);
  const dry = await provision(config({ 'dry-run': true }), { probe: broken, serverUp: true, database: { hasMlflowSchema: true } });
  assert.deepEqual(dry.vm.commands, ['probe']);
  assert.deepEqual(dry.run.result().changed, real.run.result().changed);
});
