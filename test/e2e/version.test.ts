// Issue 8: --mlflow-version pins MLflow; a rerun with another version upgrades it in the venv and, when MLflow
// reports an out-of-date schema, runs `mlflow db upgrade` once with the password kept off every command line.
// Its own database (the lab's shared one is at the newest schema), checked from outside the tool: the
// server's /version from this machine, the schema revision through psql, the VM's command lines sampled.
import assert from 'node:assert/strict';
import { statusAndBody } from './http.js';
import { after, before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, provisionSampled } from './cli.js';
import { ensureLab, labDbEnv, labPsql, requireLab, vmExec, vmIp, vmReadFile } from './lab.js';

const VM = 24;
const IP = vmIp(VM);
const HOME = '/home/azureuser';
const DB = 'prov_version_e2e';
const get = (path: string) => statusAndBody(IP, { path });


async function revision(): Promise<string> {
  return (await labPsql(`\\c ${DB}\nSELECT version_num FROM alembic_version;`)).trim();
}


let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(25);
  await labPsql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE); CREATE DATABASE ${DB} OWNER mlflow;`);
  await provisionedVm(VM);
});
after(async () => {
  if (available) await labPsql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${DB}';`).catch(() => undefined);
});

test('--mlflow-version 3.15.1, then 3.16.1: upgraded in the venv, schema migrated once, password on no command line', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const password = labDbEnv().password;

  const first = await provision([...labFlags(VM, workdir), '--mlflow-version', '3.15.1'], { workdir, env: { POSTGRES_DB: DB } });
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  assert.match(first.stdout, /MLflow in a virtual environment: changed \(MLflow 3\.16\.1 installed, 3\.15\.1 asked for; MLflow 3\.15\.1 installed\)/);
  assert.deepEqual(await get('/version'), { status: 200, body: '3.15.1' });
  assert.equal(await revision(), 'b7e2c1a4d9f3', '3.15.1 created its schema');
  const pidBefore = (await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0];

  const dry = await provision([...labFlags(VM, workdir), '--mlflow-version', '3.16.1', '--dry-run'], { workdir, env: { POSTGRES_DB: DB } });
  assert.equal(dry.code, 0, dry.stdout);
  assert.match(dry.stdout, /MLflow in a virtual environment: would change \(MLflow 3\.15\.1 installed, 3\.16\.1 asked for\)/);
  assert.match(dry.stdout, /MLflow server: would change \(would restart/);

  const { res: upgrade, cmdlines } = await provisionSampled(VM, ['--mlflow-version', '3.16.1', '--verbose'], { env: { POSTGRES_DB: DB }, workdir });
  assert.equal(upgrade.code, 0, `${upgrade.stdout}\n${upgrade.stderr}`);
  assert.match(upgrade.stdout, /MLflow reports an out-of-date database schema \(found version b7e2c1a4d9f3, but expected c9d8e7f6a5b4\): running mlflow db upgrade once/);
  assert.match(upgrade.stdout, /\$ mlflow db upgrade postgresql\+psycopg2:\/\/mlflow@10\.231\.0\.2:5432\/prov_version_e2e\?sslmode=require \(password in PGPASSWORD, from stdin\)/);
  assert.match(upgrade.stdout, /Running upgrade b7e2c1a4d9f3 -> c9d8e7f6a5b4/, 'alembic\'s output is streamed');
  assert.match(upgrade.stdout, /MLflow server: changed \(MLflow was reinstalled; database schema upgraded \(found version b7e2c1a4d9f3, but expected c9d8e7f6a5b4\); started pid \d+\)/);
  assert.equal(upgrade.stdout.match(/\$ mlflow db upgrade/g)?.length, 1, 'mlflow db upgrade ran once');

  // From outside: the new version answers, the schema is at its head, the old server is gone.
  assert.deepEqual(await get('/version'), { status: 200, body: '3.16.1' });
  assert.equal(await revision(), 'c9d8e7f6a5b4');
  assert.match((await vmExec(VM, `${HOME}/mlflow-venv/bin/pip show mlflow`, { user: 'azureuser' })).stdout, /^Version: 3\.16\.1$/m);
  assert.notEqual((await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0], pidBefore);

  // The password: on no command line sampled during the run (the upgrade included), in no output or log.
  assert.ok(cmdlines.some((c) => c.includes('db upgrade postgresql+psycopg2://mlflow@10.231.0.2')), 'the sampler saw the upgrade run');
  for (const form of [password, encodeURIComponent(password)]) {
    assert.ok(!cmdlines.some((c) => c.includes(form)), 'password on a VM command line');
    assert.ok(!upgrade.everything.includes(form), 'password in the output or log');
  }
  const holders = await vmExec(VM, `grep -rlF -e ${shq(password)} -e ${shq(encodeURIComponent(password))} /home /tmp /root 2>/dev/null`);
  assert.deepEqual(holders.stdout.trim().split('\n'), [`${HOME}/.mlflow-server.env`], 'no .pgpass or other file holds it');

  // A rerun with the same pin changes nothing and migrates nothing.
  const again = await provision([...labFlags(VM, workdir), '--mlflow-version', '3.16.1', '--json'], { workdir, env: { POSTGRES_DB: DB } });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout.trim()).changed, []);
  assert.doesNotMatch(again.everything, /db upgrade/);

  const status = await provision(['status', ...labFlags(VM, workdir).filter((a) => a !== '--yes'), '--json'], { workdir, noDbEnv: true });
  assert.equal(status.code, 0, status.stdout);
  assert.deepEqual(JSON.parse(status.stdout.trim()).mlflow, { installed: '3.16.1', running: '3.16.1' });
});

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
