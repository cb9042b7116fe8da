import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { featureState } from '../../src/plan/desired.js';
import { configFingerprint, remoteLayout, renderAuthIni, renderLauncher, renderSecretsEnv, sha256 } from '../../src/render/server-files.js';
import { pythonCommands } from '../../src/plan/commands.js';
import { buildProbeScript, parseFacts } from '../../src/plan/facts.js';
import { planFiles, planPython, pythonInstallChanged, type Desired } from '../../src/plan/plan.js';
import { Secret } from '../../src/util/secret.js';

const fixture = readFileSync(new URL('../../fixtures/probe/healthy.txt', import.meta.url), 'utf8');
const pw = new Secret('db-pass%word@1');
const ADMIN = 'admin-password-123';

function config(env: Record<string, string> = {}, argv: Record<string, unknown> = {}) {
  return buildCommandConfig(
    'provision',
    readSettings(
      { host: ['10.0.0.4'], 'ssh-config': '/nonexistent', ...argv },
      { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: pw.reveal(), MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN, ...env },
    ),
  );
}

test('--auth basic settings: admin user, database, password length, and the database must differ', () => {
  const c = config({ MLFLOW_AUTH_ADMIN_USERNAME: 'boss' }, { auth: 'basic' });
  assert.equal(c.auth?.adminUser, 'boss');
  assert.equal(c.auth?.database, 'mlflow_auth');
  assert.equal(config({}, {}).auth, undefined, 'off by default');
  assert.throws(() => config({ MLFLOW_AUTH_ADMIN_PASSWORD: 'elevenchars' }, { auth: 'basic' }), /at least 12 characters/);
  assert.throws(() => config({ POSTGRES_AUTH_DB: 'mlflow' }, { auth: 'basic' }), /--auth-db must name another database than --pg-db/);
  assert.throws(() => config({}, { auth: 'basic', 'auth-admin-user': 'a:b' }), /not a usable user name/);
});

test('the auth configuration: no password, % doubled for configparser; the launcher selects the app', () => {
  const db = { host: 'db.example.com', port: 5432, user: 'ml%user', database: 'mlflow', password: pw, sslmode: 'require' as const };
  const ini = renderAuthIni(db, { adminUser: 'admin', database: 'mlflow_auth' });
  assert.ok(!ini.includes(pw.reveal()) && !ini.includes(encodeURIComponent(pw.reveal())));
  assert.match(ini, /^database_uri = postgresql\+psycopg2:\/\/ml%%25user@db\.example\.com:5432\/mlflow_auth\?sslmode=require&connect_timeout=10$/m);
  const parsed = execFileSync(
    'python3',
    ['-c', 'import configparser,sys; c=configparser.ConfigParser(); c.read_string(sys.stdin.read()); print(c["mlflow"]["database_uri"])'],
    { input: ini, encoding: 'utf8' },
  );
  assert.equal(parsed.trim(), 'postgresql+psycopg2://ml%25user@db.example.com:5432/mlflow_auth?sslmode=require&connect_timeout=10');
  const launcher = renderLauncher(remoteLayout('/home/u'), { port: 5000, workers: 1, allowedHosts: ['a'], auth: { adminUser: 'admin' } });
  assert.match(launcher, /--app-name basic-auth/);
  assert.match(launcher, /^export MLFLOW_AUTH_CONFIG_PATH=\/home\/u\/mlflow-auth\.ini$/m);
  execFileSync('bash', ['-n'], { input: launcher });
  // Without auth, the files and the fingerprint are exactly what they were before the option existed.
  const plain = renderLauncher(remoteLayout('/home/u'), { port: 5000, workers: 1, allowedHosts: ['a'] });
  assert.doesNotMatch(plain, /app-name|MLFLOW_AUTH/);
  assert.equal(configFingerprint(plain, renderSecretsEnv(db)), sha256(`${sha256(plain)}\n${sha256(renderSecretsEnv(db).reveal())}`).slice(0, 16));
});

test('the session key is read back from the VM and kept; a new one only when the VM has none', () => {
  const key = 'ab'.repeat(32);
  execFileSync('bash', ['-n'], { input: buildProbeScript({ mlflowPort: 5000, readFlaskSecretKey: true }) });
  const facts = parseFacts(`${fixture.replace('probe_done=1', '')}flask_secret_key=${key}\nmodule=flask_wtf\nprobe_done=1\n`);
  assert.equal(facts.flaskSecretKey?.reveal(), key);
  assert.deepEqual(facts.modules, ['flask_wtf']);
  const c = config({}, { auth: 'basic' });
  let made = 0;
  const state = featureState(c, facts, () => {
    made += 1;
    return new Secret('cd'.repeat(32));
  });
  assert.equal(made, 0);
  assert.deepEqual(
    state.secrets.map(([n, v]) => [n, v.reveal()]),
    [
      ['MLFLOW_FLASK_SERVER_SECRET_KEY', key],
      ['MLFLOW_AUTH_ADMIN_PASSWORD', ADMIN],
      ['PGPASSWORD', pw.reveal()],
    ],
  );
  featureState(c, parseFacts(fixture), () => {
    made += 1;
    return new Secret('cd'.repeat(32));
  });
  assert.equal(made, 1);
  assert.equal(parseFacts(`flask_secret_key='not ours'\nprobe_done=1\n`).flaskSecretKey, undefined);
});

test('mlflow[auth] is installed when Flask-WTF is missing; the auth configuration is a third file', () => {
  const c = config({}, { auth: 'basic' });
  const facts = parseFacts(fixture);
  const state = featureState(c, facts, () => new Secret('ef'.repeat(32)));
  const layout = remoteLayout('/home/azureuser');
  const launcher = renderLauncher(layout, { port: 5000, workers: 1, allowedHosts: ['a'], ...state.launcher });
  const secrets = renderSecretsEnv(c.db, state.secrets);
  const d: Desired = {
    user: 'azureuser',
    layout,
    launcher,
    secrets,
    fingerprint: configFingerprint(launcher, secrets, state.authIni),
    port: 5000,
    upgrade: false,
    supervisor: 'nohup',
    authIni: state.authIni!,
    pip: state.pip!,
    record: '',
  };
  const plan = planPython(facts, d);
  assert.deepEqual(
    { change: plan.change, recreate: plan.recreate, reason: plan.reason },
    { change: true, recreate: false, reason: 'Flask-WTF (mlflow[auth]) is missing' },
  );
  assert.equal(pythonInstallChanged(facts, false, facts.mlflowVersion!, d), true);
  assert.equal(
    pythonCommands(layout, { recreate: false, upgrade: false, mlflowVersion: '3.16.1', extras: ['auth'] })[0]!.label,
    'install mlflow[auth]==3.16.1 psycopg2-binary with uv (pip if uv fails)',
  );
  const files = planFiles(facts, d);
  assert.equal(files.authIni, true);
  assert.match(files.reason, /auth configuration missing/);
});
