// Issue 8: --auth basic. MLflow's basic-auth app with its users in a database of their own on the same
// Postgres server; checked from outside the tool: HTTP from this machine (401 / 200 / open /health), the
// files and modes on the VM, the users table through psql, the VM's command lines sampled during the runs.
// The admin password and the session key are sentinels that must appear nowhere but the 0600 secrets file.
import assert from 'node:assert/strict';
import { httpToVm, type VmRequest } from './http.js';
import { after, before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, type CliRun, provisionSampled, statusFlags, withLabFlags } from './cli.js';
import { ensureLab, labPsql, requireLab, vmExec, vmFileStat, vmIp, vmReadFile } from './lab.js';
import { DEFAULT_MLFLOW_VERSION } from '../../src/config/mlflow-version.js';

const VM = 25;
const IP = vmIp(VM);
const HOME = '/home/azureuser';
const AUTH_DB = 'prov_auth_e2e';
const ADMIN_PW = "Adm1n-Sentinel@:/#?%'x";
const req = (r: VmRequest) => httpToVm(IP, r);
const CREATED_DB = 'prov_auth_created';
const AUTH_ENV = { MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PW, POSTGRES_AUTH_DB: AUTH_DB };

const search = (auth?: { user: string; password: string }) =>
  req({ method: 'POST', path: '/api/2.0/mlflow/experiments/search', body: '{"max_results":1,"filter":"name = \'Default\'"}', ...(auth ?? {}) });

function assertNowhere(secret: string, label: string, run: { res: CliRun; cmdlines: string[] }): void {
  for (const form of [secret, encodeURIComponent(secret), Buffer.from(`admin:${secret}`).toString('base64')]) {
    assert.ok(!run.res.everything.includes(form), `${label}: a secret in the output or log`);
    assert.ok(!run.cmdlines.some((c) => c.includes(form)), `${label}: a secret on a VM command line`);
  }
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(25);
  await labPsql(
    `DROP DATABASE IF EXISTS ${AUTH_DB} WITH (FORCE); CREATE DATABASE ${AUTH_DB} OWNER mlflow; DROP DATABASE IF EXISTS prov_auth_missing WITH (FORCE); DROP DATABASE IF EXISTS ${CREATED_DB} WITH (FORCE);`,
  );
  await provisionedVm(VM);
});
after(async () => {
  if (!available) return;
  await labPsql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${AUTH_DB}';`).catch(() => undefined);
  await labPsql(`ALTER ROLE mlflow NOCREATEDB; DROP DATABASE IF EXISTS ${CREATED_DB} WITH (FORCE);`).catch(() => undefined);
});

test('--auth basic: bad input stops before anything is touched (exit 2)', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [
      ['--auth', 'basic'],
      { MLFLOW_AUTH_ADMIN_PASSWORD: 'short-pw' },
      /MLFLOW_AUTH_ADMIN_PASSWORD must be at least 12 characters: MLflow refuses shorter admin passwords\./,
    ],
    [['--auth', 'basic'], {}, /Missing the MLflow admin password for --auth basic \(MLFLOW_AUTH_ADMIN_PASSWORD in \.env\)/],
    [
      ['--auth', 'basic', '--auth-admin-password', 'x'],
      AUTH_ENV,
      /--auth-admin-password is not accepted: a password on the command line leaks into shell history and ps\./,
    ],
    [['--auth', 'basic', '--auth-db', 'mlflow'], AUTH_ENV, /--auth-db must name another database than --pg-db \("mlflow"\)/],
    [['--auth', 'maybe'], AUTH_ENV, /Invalid values:[\s\S]*auth/],
  ];
  for (const [args, env, expect] of cases) {
    const res = await provision([...labFlags(VM, workdir), ...args], { workdir, env });
    assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, expect);
    assert.ok(!res.everything.includes(ADMIN_PW));
  }
});

test('--auth basic with a missing auth database: exit 1, the database named, nothing changed', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const files = `sha256sum ${HOME}/start-mlflow-server.sh ${HOME}/.mlflow-server.env; ls ${HOME}`;
  const before = (await vmExec(VM, files)).stdout;
  const res = await provision([...labFlags(VM, workdir), '--auth', 'basic', '--auth-db', 'prov_auth_missing'], {
    workdir,
    env: { MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PW },
  });
  assert.equal(res.code, 1, res.stdout);
  assert.match(
    res.stdout,
    /The database "prov_auth_missing" for MLflow's users and permissions \(--auth basic\) does not exist on 10\.231\.0\.2:5432, and user "mlflow" may not create databases: create it on the same server \(az postgres flexible-server db create --database-name prov_auth_missing \.\.\., or CREATE DATABASE prov_auth_missing OWNER "mlflow";\) or name an existing one with --auth-db\./,
  );
  assert.equal((await vmExec(VM, files)).stdout, before);
});

test('--auth basic: 401 without credentials, 200 with them, /health open; the key is kept; secrets stay in the 0600 file', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const first = await provisionSampled(VM, ['--auth', 'basic', '--verbose'], { env: AUTH_ENV, workdir });
  assert.equal(first.res.code, 0, `${first.res.stdout}\n${first.res.stderr}`);
  assert.match(first.res.stdout, /install mlflow\[auth\] psycopg2-binary with uv \(pip if uv fails\)/);
  assert.match(first.res.stdout, /Database check through the VM: unchanged \(.*login ok; auth database prov_auth_e2e ok\)/);
  assert.match(first.res.stdout, /uploaded \/home\/azureuser\/mlflow-auth\.ini \(0600\)/);
  assert.match(
    first.res.stdout,
    /Health check: unchanged \(\/health ok, experiments search ok \(as admin; 401 without credentials\), artifact round trip ok, answers from here, refuses a foreign Host header\)/,
  );
  assert.match(first.res.stdout, /Log in: +user admin with the password from MLFLOW_AUTH_ADMIN_PASSWORD \(the browser asks; \/health stays open\)/);
  assert.match(first.res.stdout, /Clients log in with: export MLFLOW_TRACKING_USERNAME=admin MLFLOW_TRACKING_PASSWORD='<the admin password>'/);
  assert.match(first.res.stdout, /Network: +the login travels over plain HTTP/);

  // From this machine, as a client would.
  assert.deepEqual((await req({ path: '/health' })).status, 200);
  const anonymous = await search();
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="mlflow"');
  assert.match(anonymous.body, /You are not authenticated/);
  assert.equal((await search({ user: 'admin', password: `${ADMIN_PW}x` })).status, 401, 'a wrong password is refused');
  const ok = await search({ user: 'admin', password: ADMIN_PW });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(JSON.parse(ok.body).experiments[0].name, 'Default');
  assert.equal((await req({ path: '/version', user: 'admin', password: ADMIN_PW })).status, 200);
  assert.equal(
    (await req({ method: 'POST', path: '/api/2.0/mlflow/experiments/search', host: 'evil.example.com', body: '{}' })).status,
    403,
    'the Host check still comes first',
  );

  // The users live in the auth database; the files on the VM.
  assert.equal((await labPsql(`\\c ${AUTH_DB}\nSELECT username || ' ' || is_admin FROM users;`)).trim(), 'admin true');
  const launcher = await vmReadFile(VM, `${HOME}/start-mlflow-server.sh`);
  assert.match(launcher, /--app-name basic-auth/);
  assert.match(launcher, /^export MLFLOW_AUTH_CONFIG_PATH=\/home\/azureuser\/mlflow-auth\.ini$/m);
  const ini = await vmReadFile(VM, `${HOME}/mlflow-auth.ini`);
  assert.match(ini, /^database_uri = postgresql\+psycopg2:\/\/mlflow@10\.231\.0\.2:5432\/prov_auth_e2e\?sslmode=require&connect_timeout=10$/m);
  assert.deepEqual(await vmFileStat(VM, `${HOME}/mlflow-auth.ini`), { mode: 0o600, uid: 1000, user: 'azureuser' });
  assert.deepEqual(await vmFileStat(VM, `${HOME}/.mlflow-server.env`), { mode: 0o600, uid: 1000, user: 'azureuser' });
  const secrets = await vmReadFile(VM, `${HOME}/.mlflow-server.env`);
  const key = /^MLFLOW_FLASK_SERVER_SECRET_KEY=([0-9a-f]{64})$/m.exec(secrets)?.[1];
  assert.ok(key, 'a 64-hex-digit session key in the secrets file');
  assert.match(secrets, /^MLFLOW_AUTH_ADMIN_PASSWORD=/m);
  assert.match(secrets, /^PGPASSWORD=/m);

  // The admin password and the session key: in the secrets file only, in no output, log or command line.
  assertNowhere(ADMIN_PW, 'first run', first);
  assertNowhere(key, 'first run', first);
  const holders = await vmExec(VM, `grep -rlF -e ${shq(ADMIN_PW)} -e ${key} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null`, {
    timeoutMs: 120_000,
  });
  assert.deepEqual(holders.stdout.trim().split('\n'), [`${HOME}/.mlflow-server.env`]);
  const log = await vmReadFile(VM, `${HOME}/mlflow-server.log`);
  assert.ok(!log.includes(ADMIN_PW) && !log.includes(key), 'nor in the server log');
  assert.doesNotMatch(log, /ignoring unknown option/);

  // A rerun: the key is read back, not regenerated; nothing changes, the server keeps its PID.
  const pid = (await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0];
  const again = await provisionSampled(VM, ['--auth', 'basic', '--json'], { env: AUTH_ENV, workdir });
  assert.equal(again.res.code, 0, again.res.stderr);
  assert.deepEqual(JSON.parse(again.res.stdout.trim()).changed, []);
  assert.equal(await vmReadFile(VM, `${HOME}/.mlflow-server.env`), secrets, 'the secrets file is byte-identical');
  assert.equal((await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0], pid);
  assertNowhere(ADMIN_PW, 'rerun', again);
  assertNowhere(key, 'rerun', again);

  // status authenticates with the credentials on the VM.
  const status = await provision(['status', ...statusFlags(VM, workdir), '--json'], { workdir, noDbEnv: true });
  assert.equal(status.code, 0, status.stdout);
  const s = JSON.parse(status.stdout.trim());
  assert.equal(s.auth, 'basic');
  assert.equal(s.api, 200);
  assert.equal(s.mlflow.running, DEFAULT_MLFLOW_VERSION);
  assert.ok(!status.everything.includes(ADMIN_PW) && !status.everything.includes(key));

  // Another admin password later: MLflow keeps the admin it created, so the tool says what happened.
  const other = await provision([...labFlags(VM, workdir), '--auth', 'basic'], {
    workdir,
    env: { ...AUTH_ENV, MLFLOW_AUTH_ADMIN_PASSWORD: 'another-Passw0rd-1' },
  });
  assert.equal(other.code, 1, other.stdout);
  assert.match(
    other.stdout,
    /The server refuses the admin credentials \(401\): user "admin" already exists in database "prov_auth_e2e" with another password\. MLflow uses MLFLOW_AUTH_ADMIN_PASSWORD only when it creates the admin/,
  );
  assert.ok(!other.everything.includes('another-Passw0rd-1'));
  const back = await provision([...labFlags(VM, workdir), '--auth', 'basic'], { workdir, env: AUTH_ENV });
  assert.equal(back.code, 0, back.stdout);
  assert.match(await vmReadFile(VM, `${HOME}/.mlflow-server.env`), new RegExp(`^MLFLOW_FLASK_SERVER_SECRET_KEY=${key}$`, 'm'), 'the key survived both runs');
});

test('--auth basic when the login role may CREATE DATABASE: the auth database is created (a dry run only says so), migrated once, the admin made once', async (t) => {
  if (!requireLab(t)) return;
  const exists = async () => (await labPsql(`SELECT count(*) FROM pg_database WHERE datname = '${CREATED_DB}';`)).trim() === '1';
  await labPsql('ALTER ROLE mlflow CREATEDB;');
  try {
    const workdir = newWorkdir();
    // Two workers, racing for the auth schema if anything races.
    const args = withLabFlags(VM, workdir, ['--auth', 'basic', '--auth-db', CREATED_DB, '--workers', '2']);
    const dry = await provision([...args, '--dry-run'], { workdir, env: { MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PW } });
    assert.equal(dry.code, 0, dry.stdout);
    assert.match(
      dry.stdout,
      new RegExp(
        `Database check through the VM: would change \\(.*; would create the database ${CREATED_DB} for MLflow's users and permissions \\(user "mlflow" may create databases\\)\\)`,
      ),
    );
    assert.equal(await exists(), false, 'a dry run creates nothing');

    const res = await provision(args, { workdir, env: { MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PW } });
    assert.equal(res.code, 0, res.stdout);
    assert.match(
      res.stdout,
      new RegExp(
        `Database check through the VM: changed \\(.*; created the database ${CREATED_DB} for MLflow's users and permissions \\(user "mlflow" may create databases\\)\\)`,
      ),
    );
    assert.equal(await exists(), true);
    assert.equal((await labPsql(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${CREATED_DB}';`)).trim(), 'mlflow');
    // Two workers, one migration: one row in the auth schema's Alembic table, one admin, no race in the log.
    assert.equal((await labPsql(`\\c ${CREATED_DB}\nSELECT count(*) FROM alembic_version_auth;`)).trim(), '1');
    assert.equal((await labPsql(`\\c ${CREATED_DB}\nSELECT username || ' ' || is_admin FROM users;`)).trim(), 'admin true');
    const log = await vmReadFile(VM, `${HOME}/mlflow-server.log`);
    assert.doesNotMatch(log, /IntegrityError|DuplicateTable|already exists|Traceback/);
    assert.equal((await search({ user: 'admin', password: ADMIN_PW })).status, 200);
    assert.equal((await search()).status, 401);

    const again = await provision([...args, '--json'], { workdir, env: { MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PW } });
    assert.equal(again.code, 0, again.stdout);
    assert.deepEqual(JSON.parse(again.stdout.trim()).changed, [], 'a rerun finds the database and changes nothing');
  } finally {
    await labPsql('ALTER ROLE mlflow NOCREATEDB;');
  }
});
