import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { backendStoreUri, backendUriWithoutPassword, displayBackendUri, parseBackendUri, type DatabaseSettings } from '../../src/render/backend-uri.js';
import { autoWorkers, configFingerprint, remoteLayout, renderLauncher, renderSecretsEnv } from '../../src/render/server-files.js';
import { maskSecrets, Secret } from '../../src/util/secret.js';

const PASSWORD = "p@ss:w/rd#1?x%2'q";
const db: DatabaseSettings = { host: 'db.example.com', port: 5432, user: 'mlflow', database: 'mlflow', password: new Secret(PASSWORD), sslmode: 'require' };

test('the backend URI percent-encodes every URI-special character of the password', () => {
  const uri = backendStoreUri(db).reveal();
  assert.equal(uri, `postgresql+psycopg2://mlflow:${encodeURIComponent(PASSWORD)}@db.example.com:5432/mlflow?sslmode=require&connect_timeout=10`);
  const parsed = new URL(uri.replace('postgresql+psycopg2', 'http'));
  assert.equal(decodeURIComponent(parsed.password), PASSWORD);
  assert.equal(parsed.hostname, 'db.example.com');
  assert.equal(parsed.pathname, '/mlflow');
});

test('IPv6 database hosts are bracketed', () => {
  const uri = backendStoreUri({ ...db, host: 'fd00::5' }).reveal();
  assert.match(uri, /@\[fd00::5\]:5432\//);
});

test('a Secret never prints its value', () => {
  const s = new Secret(PASSWORD);
  // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what a template makes of a Secret is the point
  assert.equal(`${s}`, '***');
  assert.equal(JSON.stringify({ s }), '{"s":"***"}');
  assert.equal(inspect({ s }), '{ s: *** }');
  assert.equal(displayBackendUri(db).includes(PASSWORD), false);
  assert.equal(maskSecrets(`error near ${encodeURIComponent(PASSWORD)} and ${PASSWORD}`), 'error near *** and ***');
});

test('the launcher holds no secret, uses proxied artifacts and sources the secrets file', () => {
  const layout = remoteLayout('/home/azureuser');
  const launcher = renderLauncher(layout, { port: 5000, workers: 1, allowedHosts: ['10.0.0.4', '10.0.0.4:5000'] });
  assert.equal(launcher.includes(PASSWORD), false);
  assert.match(launcher, /--default-artifact-root mlflow-artifacts:\/ /);
  assert.match(launcher, /--artifacts-destination \/home\/azureuser\/mlruns-artifacts/);
  assert.match(launcher, /--allowed-hosts 10\.0\.0\.4,10\.0\.0\.4:5000/);
  assert.match(launcher, /--host 0\.0\.0\.0/);
  assert.match(launcher, /^\. \/home\/azureuser\/\.mlflow-server\.env$/m);
  assert.doesNotMatch(launcher, /backend-store-uri/);
  execFileSync('bash', ['-n'], { input: launcher });
});

test('sourcing the secrets file in bash yields exactly the URI, whatever the password holds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-'));
  const file = join(dir, 'env');
  writeFileSync(file, renderSecretsEnv(db).reveal());
  const out = execFileSync('bash', ['-c', `set -a; . "$1"; printf %s "$MLFLOW_BACKEND_STORE_URI"`, 'x', file], { encoding: 'utf8' });
  assert.equal(out, backendStoreUri(db).reveal());
});

test('the fingerprint changes with the launcher or the secrets, not otherwise', () => {
  const layout = remoteLayout('/home/u');
  const l1 = renderLauncher(layout, { port: 5000, workers: 1, allowedHosts: ['a'] });
  const l2 = renderLauncher(layout, { port: 5001, workers: 1, allowedHosts: ['a'] });
  const s1 = renderSecretsEnv(db);
  const s2 = renderSecretsEnv({ ...db, password: new Secret('other-password') });
  assert.equal(configFingerprint(l1, s1), configFingerprint(l1, renderSecretsEnv(db)));
  assert.notEqual(configFingerprint(l1, s1), configFingerprint(l2, s1));
  assert.notEqual(configFingerprint(l1, s1), configFingerprint(l1, s2));
});

test('sizing: workers from the VM memory (1 per 2 GiB, 1 to 4), capped database pools, the job runner off unless asked', () => {
  assert.deepEqual([0, 900, 1024, 3900, 4096, 7900, 8192, 65536].map(autoWorkers), [1, 1, 1, 1, 2, 3, 4, 4]);
  const layout = remoteLayout('/home/azureuser');
  const launcher = renderLauncher(layout, { port: 5000, workers: 2, allowedHosts: ['a'] });
  assert.match(launcher, /--workers 2 \\$/m);
  assert.match(launcher, /^export MLFLOW_SQLALCHEMYSTORE_POOL_SIZE=2 MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW=3$/m);
  assert.match(launcher, /^export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false$/m);
  assert.match(renderLauncher(layout, { port: 5000, workers: 1, jobRunner: true, allowedHosts: ['a'] }), /^export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=true$/m);
  execFileSync('bash', ['-n'], { input: launcher });
});

test('every database URI bounds the connect wait (connect_timeout), and status reads it back', () => {
  const dbs: DatabaseSettings = { host: 'db.example.com', port: 5432, user: 'u', database: 'd', password: new Secret('pw-secret-1'), sslmode: 'require' };
  assert.match(backendStoreUri(dbs).reveal(), /\?sslmode=require&connect_timeout=10$/);
  assert.match(backendUriWithoutPassword(dbs), /\?sslmode=require&connect_timeout=10$/);
  assert.equal(parseBackendUri(backendStoreUri(dbs))?.sslmode, 'require');
});

test('--metrics: the launcher passes --expose-prometheus and empties its folder before each start', () => {
  const layout = remoteLayout('/home/azureuser');
  const launcher = renderLauncher(layout, { port: 5000, workers: 2, metrics: true, allowedHosts: ['a'] });
  assert.match(launcher, /^ {2}--expose-prometheus \/home\/azureuser\/\.mlflow-metrics( \\)?$/m);
  const empty = launcher.indexOf('\nrm -rf -- /home/azureuser/.mlflow-metrics\n');
  const make = launcher.indexOf('\nmkdir -m 0700 -- /home/azureuser/.mlflow-metrics\n');
  assert.ok(empty > 0 && make > empty && make < launcher.lastIndexOf('\nexec '), 'emptied, made again, then the server starts');
  assert.doesNotMatch(renderLauncher(layout, { port: 5000, workers: 2, allowedHosts: ['a'] }), /prometheus|mlflow-metrics/);
  execFileSync('bash', ['-n'], { input: launcher });
});
