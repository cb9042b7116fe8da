// Issue 8: --mlflow-version pins MLflow; a rerun with another version upgrades it in the venv and, when MLflow
// reports an out-of-date schema, runs `mlflow db upgrade` once with the password kept off every command line.
// The lab's wheelhouse serves both releases (src/config/mlflow-version.ts pins them); its own database, checked from outside the tool: the
// server's /version from this machine, the schema revision through psql, the VM's command lines sampled.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { statusAndBody } from './http.js';
import { after, before, test } from 'node:test';
import { fleetBlob, labFlags, newWorkdir, provision, provisionedVm, provisionSampled, statusFlags } from './cli.js';
import { ensureLab, LAB_KEY, labDbEnv, labPsql, requireLab, vmExec, vmIp, vmReadFile } from './lab.js';
import { DEFAULT_MLFLOW_VERSION as NEW, UPGRADE_TESTED_FROM as OLD } from '../../src/config/mlflow-version.js';

const VM = 24;
const IP = vmIp(VM);
const HOME = '/home/azureuser';
const DB = 'prov_version_e2e';
const get = (path: string) => statusAndBody(IP, { path });
const BATCH = [32, 33];
const BATCH_DB = 'prov_version_batch_e2e';

async function revision(): Promise<string> {
  return (await labPsql(`\\c ${DB}\nSELECT version_num FROM alembic_version;`)).trim();
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(Math.max(25, ...BATCH));
  await labPsql(
    `DROP DATABASE IF EXISTS ${DB} WITH (FORCE); CREATE DATABASE ${DB} OWNER mlflow; DROP DATABASE IF EXISTS ${BATCH_DB} WITH (FORCE); CREATE DATABASE ${BATCH_DB} OWNER mlflow;`,
  );
  await provisionedVm(VM);
});
after(async () => {
  if (available) await labPsql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ('${DB}', '${BATCH_DB}');`).catch(() => undefined);
});

test(`--mlflow-version ${OLD}, then ${NEW} (the real releases): upgraded in the venv, schema migrated once, password on no command line`, async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const password = labDbEnv().password;

  const first = await provision([...labFlags(VM, workdir), '--mlflow-version', OLD], { workdir, env: { POSTGRES_DB: DB } });
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  assert.match(
    first.stdout,
    new RegExp(`MLflow in a virtual environment: changed \\(MLflow ${esc(NEW)} installed, ${esc(OLD)} asked for; MLflow ${esc(OLD)} installed\\)`),
  );
  assert.deepEqual(await get('/version'), { status: 200, body: OLD });
  const oldHead = await revision();
  assert.match(oldHead, /^[0-9a-f]{12}$/, `${OLD} created its schema`);
  const pidBefore = (await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0];

  const dry = await provision([...labFlags(VM, workdir), '--mlflow-version', NEW, '--dry-run'], { workdir, env: { POSTGRES_DB: DB } });
  assert.equal(dry.code, 0, dry.stdout);
  assert.match(dry.stdout, new RegExp(`MLflow in a virtual environment: would change \\(MLflow ${esc(OLD)} installed, ${esc(NEW)} asked for\\)`));
  assert.match(
    dry.stdout,
    new RegExp(
      `MLflow server: would change \\(would upgrade MLflow ${esc(OLD)} -> ${esc(NEW)}: keep the venv aside, stop every server of this run on the database, back up the database and the artifacts into .*/backups/, run mlflow db upgrade once`,
    ),
  );

  const { res: upgrade, cmdlines } = await provisionSampled(VM, ['--mlflow-version', NEW, '--verbose'], { env: { POSTGRES_DB: DB }, workdir });
  assert.equal(upgrade.code, 0, `${upgrade.stdout}\n${upgrade.stderr}`);
  // A coordinated upgrade, as MLflow asks: the server stopped first, the schema migrated once, then the start.
  assert.match(
    upgrade.stdout,
    new RegExp(`MLflow ${esc(OLD)} -> ${esc(NEW)}: every server of this run on the database is stopped; running mlflow db upgrade once`),
  );
  assert.match(
    upgrade.stdout,
    /\$ mlflow db upgrade postgresql\+psycopg2:\/\/mlflow@10\.231\.0\.2:5432\/prov_version_e2e\?sslmode=require&connect_timeout=10 \(password in PGPASSWORD, from stdin\)/,
  );
  // MLflow's own line from `mlflow db upgrade` is streamed (alembic itself logs nothing at MLflow's level).
  assert.match(upgrade.stdout, /INFO mlflow\.store\.db\.utils: Updating database tables/, "the migration's output is streamed");
  assert.match(
    upgrade.stdout,
    new RegExp(
      `MLflow server: changed \\(MLflow was reinstalled; backup in ${esc(upgrade.workdir)}/provision-logs/backups/10\\.231\\.0\\.\\d+/\\d{8}T\\d{6}Z; database schema upgraded for MLflow ${esc(NEW)} with every server on it stopped; started pid \\d+\\)`,
    ),
  );
  // The backup taken before the migration (issue 24): its manifest names the version it came from.
  const backups = join(upgrade.workdir, 'provision-logs', 'backups', IP);
  const [taken] = readdirSync(backups);
  assert.equal(JSON.parse(readFileSync(join(backups, taken!, 'manifest.json'), 'utf8')).mlflow.version, OLD);
  assert.equal(upgrade.stdout.match(/\$ mlflow db upgrade/g)?.length, 1, 'mlflow db upgrade ran once');
  assert.doesNotMatch(upgrade.everything, /out-of-date database schema/, 'the new server never met the old schema');

  // From outside: the new version answers, the schema is at its head, the old server is gone.
  assert.deepEqual(await get('/version'), { status: 200, body: NEW });
  const newHead = await revision();
  assert.notEqual(newHead, oldHead, 'the schema moved on');
  assert.match((await vmExec(VM, `${HOME}/mlflow-venv/bin/pip show mlflow`, { user: 'azureuser' })).stdout, new RegExp(`^Version: ${esc(NEW)}$`, 'm'));
  assert.notEqual((await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0], pidBefore);

  // The password: on no command line sampled during the run (the upgrade included), in no output or log.
  assert.ok(
    cmdlines.some((c) => c.includes('db upgrade postgresql+psycopg2://mlflow@10.231.0.2')),
    'the sampler saw the upgrade run',
  );
  for (const form of [password, encodeURIComponent(password)]) {
    assert.ok(!cmdlines.some((c) => c.includes(form)), 'password on a VM command line');
    assert.ok(!upgrade.everything.includes(form), 'password in the output or log');
  }
  const holders = await vmExec(VM, `grep -rlF -e ${shq(password)} -e ${shq(encodeURIComponent(password))} /home /tmp /root 2>/dev/null`);
  assert.deepEqual(holders.stdout.trim().split('\n'), [`${HOME}/.mlflow-server.env`], 'no .pgpass or other file holds it');

  // A rerun with the same pin changes nothing and migrates nothing.
  const again = await provision([...labFlags(VM, workdir), '--mlflow-version', NEW, '--json'], { workdir, env: { POSTGRES_DB: DB } });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout.trim()).changed, []);
  assert.doesNotMatch(again.everything, /db upgrade/);

  const status = await provision(['status', ...statusFlags(VM, workdir), '--json'], { workdir, noDbEnv: true });
  assert.equal(status.code, 0, status.stdout);
  assert.deepEqual(JSON.parse(status.stdout.trim()).mlflow, { installed: NEW, running: NEW });

  // Issue 22: back to the older release on the schema the newer one wrote. MLflow has no schema downgrades: refused before anything
  // changes, in one sentence (the release, the revision, what stays installed, what to do).
  const pidNow = (await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0];
  const down = await provision([...labFlags(VM, workdir), '--mlflow-version', OLD], { workdir, env: { POSTGRES_DB: DB } });
  assert.equal(down.code, 1, down.stdout);
  assert.match(
    down.stdout,
    new RegExp(
      `MLflow ${esc(OLD)} cannot use the database ${DB} at 10\\.231\\.0\\.2:5432: its schema is at revision ${newHead} \\(MLflow ${esc(NEW)} or newer wrote it\\), ` +
        `unknown to MLflow ${esc(OLD)}, and MLflow has no schema downgrades; nothing was changed on ${esc(IP)}, where MLflow ${esc(NEW)} stays installed: ` +
        `pass --mlflow-version ${esc(NEW)} or newer, or point --pg-db at a fresh database\\.`,
    ),
  );
  assert.doesNotMatch(down.everything, /Traceback|Can't locate revision|\$ (install mlflow|stop the running server|nohup )/, 'nothing ran after the checks');
  assert.match((await vmExec(VM, `${HOME}/mlflow-venv/bin/pip show mlflow`, { user: 'azureuser' })).stdout, new RegExp(`^Version: ${esc(NEW)}$`, 'm'));
  assert.equal((await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0], pidNow, 'the same server runs');
  assert.deepEqual(await get('/version'), { status: 200, body: NEW });
  const plain = await provision([...labFlags(VM, workdir), '--json'], { workdir, env: { POSTGRES_DB: DB } });
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(JSON.parse(plain.stdout.trim()).changed, [], 'a plain rerun after the refusal is a no-op');
});

test(`a batch on one database, ${OLD} to ${NEW}: every server stopped before the one schema upgrade, all started after it`, async (t) => {
  if (!requireLab(t)) return;
  for (const k of BATCH) await provisionedVm(k);
  const workdir = newWorkdir();
  const hostsFile = join(workdir, 'hosts.txt');
  writeFileSync(hostsFile, `${BATCH.map(vmIp).join('\n')}\n`);
  const blob = fleetBlob(`version-batch-${Date.now()}`);
  const batch = (version: string, extra: string[] = []) =>
    provision(
      [
        '--hosts-file',
        hostsFile,
        '--identity-file',
        LAB_KEY,
        '--known-hosts',
        join(workdir, 'known_hosts'),
        '--yes',
        '--workers',
        '1',
        '--mlflow-version',
        version,
        ...blob.args,
        ...extra,
      ],
      { workdir, env: { POSTGRES_DB: BATCH_DB, ...blob.env } },
    );
  const first = await batch(OLD);
  assert.equal(first.code, 0, first.stdout);
  for (const k of BATCH) assert.deepEqual(await statusAndBody(vmIp(k), { path: '/version' }), { status: 200, body: OLD });
  // Two first starts on one empty database (the schema gate): one schema, no server that lost a migration race.
  const oldHead = (await labPsql(`\\c ${BATCH_DB}\nSELECT version_num FROM alembic_version;`)).trim();
  assert.match(oldHead, /^[0-9a-f]{12}$/, 'one schema revision');
  for (const k of BATCH) assert.doesNotMatch(await vmReadFile(k, `${HOME}/mlflow-server.log`), /Error initializing backend store|Traceback/);

  const up = await batch(NEW, ['--json']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  const results = up.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { status: string; changed: string[] });
  assert.deepEqual(
    results.map((r) => r.status),
    ['ok', 'ok'],
  );
  for (const k of BATCH) assert.deepEqual(await statusAndBody(vmIp(k), { path: '/version' }), { status: 200, body: NEW });
  assert.notEqual((await labPsql(`\\c ${BATCH_DB}\nSELECT version_num FROM alembic_version;`)).trim(), oldHead);

  // From the hosts' logs: one migration, and it began after both servers had stopped; both starts after it ended.
  // The log files only: the folder also holds the backup the migrating host took (backups/).
  const logs = readdirSync(join(workdir, 'provision-logs'), { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(workdir, 'provision-logs', e.name), 'utf8'));
  assert.equal(readdirSync(join(workdir, 'provision-logs', 'backups')).length, 1, 'one backup for the database, by the migrating host');
  const at = (log: string, re: RegExp): number => {
    const line = log.split('\n').find((l) => re.test(l));
    assert.ok(line, `no line ${re} in a host log`);
    return Date.parse(line.slice(0, 24));
  };
  const migrating = logs.filter((l) => /\$ mlflow db upgrade/.test(l));
  assert.equal(migrating.length, 1, 'one host ran mlflow db upgrade');
  const migrationStart = at(migrating[0]!, /\$ mlflow db upgrade/);
  const migrationEnd = at(migrating[0]!, /\$ nohup /);
  for (const log of logs) {
    assert.ok(at(log, /\$ stop the running server/) <= migrationStart, 'a server still ran when the migration began');
    assert.ok(at(log, /\$ nohup /) >= migrationEnd, 'a server started before the migration ended');
  }
  assert.equal(logs.filter((l) => /upgraded for MLflow \S+ by another host of this run/.test(l)).length, 1);
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
