import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { parseWasbsUri } from '../../src/config/validate.js';
import { desiredState } from '../../src/plan/desired.js';
import { parseFacts } from '../../src/plan/facts.js';
import { planArtifacts } from '../../src/plan/plan.js';
import { Secret } from '../../src/util/secret.js';

const DEST = 'wasbs://mlflow-art@myacct.blob.core.windows.net/team/a';

/** The storage secrets, given to the configuration the way the environment gives them. */
interface MoreSecrets {
  azureConnectionString?: Secret;
  azureAccessKey?: Secret;
}

function config(argv: Record<string, unknown>, more: MoreSecrets = {}) {
  return buildCommandConfig(
    'provision',
    readSettings(
      { host: ['10.0.0.4'], 'ssh-config': '/nonexistent', ...argv },
      {
        POSTGRES_HOST: 'db.example.com',
        POSTGRES_PASSWORD: 'pw-blob-test',
        ...(more.azureConnectionString ? { AZURE_STORAGE_CONNECTION_STRING: more.azureConnectionString.reveal() } : {}),
        ...(more.azureAccessKey ? { AZURE_STORAGE_ACCESS_KEY: more.azureAccessKey.reveal() } : {}),
      },
    ),
  );
}

test('wasbs:// URIs: Azure naming rules for container and account; a path is optional', () => {
  assert.deepEqual(parseWasbsUri(`${DEST}/`), { uri: DEST, container: 'mlflow-art', account: 'myacct', path: '/team/a' });
  assert.equal(parseWasbsUri('wasbs://abc@abc.blob.core.windows.net').path, '');
  for (const bad of [
    's3://b/x',
    'wasb://c1c@acct.blob.core.windows.net/x',
    'wasbs://ab@acct.blob.core.windows.net/x',
    'wasbs://a--b@acct.blob.core.windows.net/x',
    'wasbs://abc-@acct.blob.core.windows.net/x',
    'wasbs://abc@ACCT.blob.core.windows.net/x',
    'wasbs://abc@ac.blob.core.windows.net/x',
    'wasbs://abc@acct.example.com/x',
    'https://acct.blob.core.windows.net/abc',
  ]) {
    assert.throws(() => parseWasbsUri(bad), /is not an Azure Blob URI/, bad);
  }
});

test('the credential: connection string before access key; managed identity writes none; one is required', () => {
  const conn = new Secret('DefaultEndpointsProtocol=https;AccountName=myacct;AccountKey=k1;EndpointSuffix=core.windows.net');
  const key = new Secret('key-abc');
  assert.equal(
    config({ 'artifacts-destination': DEST }, { azureConnectionString: conn, azureAccessKey: key }).server.blob?.credential.kind,
    'connection-string',
  );
  assert.equal(config({ 'artifacts-destination': DEST }, { azureAccessKey: key }).server.blob?.credential.kind, 'access-key');
  const mi = config({ 'artifacts-destination': DEST, 'azure-identity': true }, { azureAccessKey: key });
  assert.equal(mi.server.blob?.credential.kind, 'managed-identity');
  assert.match(mi.warnings.join('\n'), /--azure-identity: the storage key or connection string in the environment is not written to the VM/);
  assert.throws(() => config({ 'artifacts-destination': DEST }), /needs a storage credential/);
  assert.throws(
    () => config({ 'artifacts-destination': DEST }, { azureConnectionString: new Secret('AccountName=other;AccountKey=x') }),
    /is for the storage account "other"/,
  );
  assert.throws(() => config({ 'azure-identity': true }), /--azure-identity goes with --artifacts-destination/);
  assert.throws(() => config({ 'artifacts-destination': DEST, 'artifacts-dir': '/data' }, { azureAccessKey: key }), /exclude each other/);
});

test('Blob artifacts: the launcher points there, no folder is planned, the packages and the secret line follow', () => {
  const facts = parseFacts(readFileSync(new URL('../../fixtures/probe/fresh-debian12.txt', import.meta.url), 'utf8'));
  const desiredFor = (c: ReturnType<typeof config>) =>
    desiredState({
      config: c,
      target: c.targets[0]!,
      server: c.server,
      facts,
      newFlaskKey: () => new Secret('00'.repeat(32)),
      newSalt: () => 'salt',
    });
  const d = desiredFor(config({ 'artifacts-destination': DEST, 'azure-identity': true }));
  assert.doesNotMatch(d.secrets.reveal(), /AZURE/, 'a managed identity writes no storage secret');
  assert.deepEqual(d.pip?.packages, ['azure-storage-blob', 'azure-identity']);
  const k = desiredFor(config({ 'artifacts-destination': DEST }, { azureAccessKey: new Secret('key-xyz') }));
  assert.match(k.secrets.reveal(), /^AZURE_STORAGE_ACCESS_KEY=.*key-xyz/m);
  assert.deepEqual(k.pip?.packages, ['azure-storage-blob']);
  assert.match(d.launcher, /--artifacts-destination wasbs:\/\/mlflow-art@myacct\.blob\.core\.windows\.net\/team\/a/);
  assert.doesNotMatch(d.launcher, /mlruns-artifacts/);
  assert.equal(d.artifactsRemote, DEST);
  assert.deepEqual(planArtifacts(facts, d), { change: false, reason: `artifacts go to ${DEST}: no folder on the VM` });
});
