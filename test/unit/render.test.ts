import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { backendStoreUri, displayBackendUri, type DatabaseSettings } from '../../src/render/backend-uri.js';
import { configFingerprint, remoteLayout, renderLauncher, renderSecretsEnv } from '../../src/render/server-files.js';
import { maskSecrets, Secret } from '../../src/util/secret.js';

const PASSWORD = "p@ss:w/rd#1?x%2'q";
const db: DatabaseSettings = { host: 'db.example.com', port: 5432, user: 'mlflow', database: 'mlflow', password: new Secret(PASSWORD), sslmode: 'require' };

test('the backend URI percent-encodes every URI-special character of the password', () => {
  const uri = backendStoreUri(db).reveal();
  assert.equal(uri, `postgresql+psycopg2://mlflow:${encodeURIComponent(PASSWORD)}@db.example.com:5432/mlflow?sslmode=require`);
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
  assert.equal(`${s}`, '***');
  assert.equal(JSON.stringify({ s }), '{"s":"***"}');
  assert.equal(inspect({ s }), "{ s: *** }");
  assert.equal(displayBackendUri(db).includes(PASSWORD), false);
  assert.equal(maskSecrets(`error near ${encodeURIComponent(PASSWORD)} and ${PASSWORD}`), 'error near *** and ***');
});

test('the launcher holds no secret, uses proxied artifacts and sources the secrets file', () => {
  const layout = remoteLayout('/home/azureuser');
  const launcher = renderLauncher(layout, { port: 5000, allowedHosts: ['10.0.0.4', '10.0.0.4:5000'] });
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
  const l1 = renderLauncher(layout, { port: 5000, allowedHosts: ['a'] });
  const l2 = renderLauncher(layout, { port: 5001, allowedHosts: ['a'] });
  const s1 = renderSecretsEnv(db);
  const s2 = renderSecretsEnv({ ...db, password: new Secret('other-password') });
  assert.equal(configFingerprint(l1, s1), configFingerprint(l1, renderSecretsEnv(db)));
  assert.notEqual(configFingerprint(l1, s1), configFingerprint(l2, s1));
  assert.notEqual(configFingerprint(l1, s1), configFingerprint(l1, s2));
});
