// Runs with --artifacts-destination wasbs:// through the real HostRun and a scripted VM (fake-host.ts), for what
// test/e2e/azure-blob.test.ts no longer runs on the lab (each lab run waits 20 s for a storage account it cannot
// reach): a rerun on a VM already set up that way changes nothing and says the storage failure again, a
// connection string in place of the access key rewrites the secrets file with it alone, and --azure-identity adds
// azure-identity to the venv and leaves no storage secret on the VM.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import type { HttpRequest } from '../../src/checks/http.js';
import { Secret } from '../../src/util/secret.js';
import { healthyProbe, LOGS, PASSWORD, provision } from './host-run-kit.js';

const DEST = 'wasbs://mlflow-artifacts@provlabacct.blob.core.windows.net/e2e/runs';
const KEY = 'Sentinel+AzureKey/0123456789abcdef==';
const CONN_KEY = 'Other+ConnKey/abcdef0123456789==';
const CONN = `DefaultEndpointsProtocol=https;AccountName=provlabacct;AccountKey=${CONN_KEY};EndpointSuffix=core.windows.net`;
const SECRETS = '/home/azureuser/.mlflow-server.env';

/** The storage account's secrets, as the environment (or .env) gives them. */
interface BlobSecrets {
  azureConnectionString?: Secret;
  azureAccessKey?: Secret;
}

function blobConfig(more: BlobSecrets, argv: Record<string, unknown> = {}) {
  return buildCommandConfig(
    'provision',
    readSettings(
      { host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS, 'artifacts-destination': DEST, ...argv },
      {
        POSTGRES_HOST: 'db.example.com',
        POSTGRES_PASSWORD: PASSWORD,
        ...(more.azureConnectionString ? { AZURE_STORAGE_CONNECTION_STRING: more.azureConnectionString.reveal() } : {}),
        ...(more.azureAccessKey ? { AZURE_STORAGE_ACCESS_KEY: more.azureAccessKey.reveal() } : {}),
      },
    ),
  );
}

const withKey = blobConfig({ azureAccessKey: new Secret(KEY) });
const withConnectionString = blobConfig({ azureConnectionString: new Secret(CONN) });

/** A VM provisioned with the access key: its files, its venv with azure-storage-blob, its server running. */
const keyVm = healthyProbe(withKey, (p) => p.replace('driver_importable=1\n', 'driver_importable=1\nmodule=azure/storage/blob\n'));

/** MLflow cannot reach the storage account: the PUT of the round trip never answers (the run's bound ends it). */
function storageUnreachable(req: HttpRequest): undefined {
  if (req.method === 'PUT' && req.path.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) throw new Error('socket timeout');
  return undefined;
}

test('wasbs:// rerun on a VM already set up that way: only the probe runs, nothing changes, the storage failure is said again', async () => {
  const { vm, run, error } = await provision(withKey, { probe: keyVm, serverUp: true, database: { hasMlflowSchema: true }, answer: storageUnreachable });
  // The failed round trip adds the read-only Blob check (its answer here: none, so the round trip's sentence stays).
  assert.deepEqual(vm.commands, ['probe', 'blob-check'], 'no install, no upload, no restart');
  assert.equal(vm.events.filter((e) => e.startsWith('upload ')).length, 0);
  const result = run.result(error);
  assert.deepEqual(result.changed, []);
  assert.equal(result.status, 'failed');
  assert.match(result.error ?? '', /failed \(PUT timeout: no answer within 20 s; MLflow retries/);
  assert.match(result.error ?? '', /check AZURE_STORAGE_ACCESS_KEY, that the container mlflow-artifacts exists in the storage account provlabacct/);
  assert.ok(!readFileSync(run.log.path, 'utf8').includes(KEY), 'the key is not in the host log');
});

test('wasbs:// with a connection string where the key was: the secrets file holds it alone, the server restarts on it; the failure names it', async () => {
  const { vm, run, error } = await provision(withConnectionString, {
    probe: keyVm,
    serverUp: true,
    database: { hasMlflowSchema: true },
    answer: storageUnreachable,
  });
  const secrets = vm.uploads.get(SECRETS);
  assert.ok(secrets, `the secrets file is rewritten: ${vm.events.join(', ')}`);
  assert.equal(secrets.mode, 0o600);
  assert.match(secrets.content, /^AZURE_STORAGE_CONNECTION_STRING=/m);
  assert.ok(secrets.content.includes(CONN_KEY), 'the connection string is in the secrets file');
  assert.doesNotMatch(secrets.content, /^AZURE_STORAGE_ACCESS_KEY=/m);
  assert.ok(!secrets.content.includes(KEY));
  const result = run.result(error);
  assert.equal(result.status, 'failed');
  assert.deepEqual(result.changed, ['files', 'server'], 'the venv already has azure-storage-blob; the server restarts on the new credential');
  assert.deepEqual(vm.commands, ['probe', 'stop', 'start', 'blob-check']);
  assert.match(result.error ?? '', /check AZURE_STORAGE_CONNECTION_STRING, that the container mlflow-artifacts exists/);
  const log = readFileSync(run.log.path, 'utf8');
  assert.ok(!log.includes(CONN_KEY) && !log.includes(KEY), 'no storage secret in the host log');
  for (const e of vm.events) assert.ok(!e.includes(CONN_KEY), `a secret in "${e}"`);
});

test('--azure-identity where the key was: azure-identity goes into the venv, no storage secret stays on the VM, the failure names the role', async () => {
  const managed = blobConfig({}, { 'azure-identity': true });
  const { vm, run, error } = await provision(managed, { probe: keyVm, serverUp: true, database: { hasMlflowSchema: true }, answer: storageUnreachable });
  assert.deepEqual(vm.commands, ['probe', 'pip-install', 'mlflow-version', 'stop', 'start', 'blob-check']);
  assert.match(readFileSync(run.log.path, 'utf8'), /\$ install mlflow psycopg2-binary azure-storage-blob azure-identity with uv/);
  assert.match(readFileSync(run.log.path, 'utf8'), /== python: changed \(azure-identity is missing;/);
  const secrets = vm.uploads.get(SECRETS);
  assert.equal(secrets?.mode, 0o600);
  assert.doesNotMatch(secrets.content, /AZURE_STORAGE/, 'the key the VM had is gone, none replaces it');
  const result = run.result(error);
  assert.deepEqual(result.changed, ['python', 'files', 'server']);
  assert.match(
    result.error ?? '',
    /the VM's managed identity \(--azure-identity\) has the role "Storage Blob Data Contributor" on the storage account provlabacct/,
  );
});
