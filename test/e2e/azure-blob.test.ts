// Issue 8: --artifacts-destination wasbs://... The lab cannot reach Azure, so this proves everything up to
// the server's start: the URI checked before connecting, the packages installed, the credential only in the
// 0600 secrets file (a sentinel, also sampled on the VM's command lines), no artifacts folder on the VM, the
// server started with the destination and healthy; the artifact round trip then fails with the server's own
// "cannot reach Azure Blob in the lab", which the tool reports as it would a real Azure failure.
import assert from 'node:assert/strict';
import { httpToVm } from './http.js';
import { before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, provisionSampled } from './cli.js';
import { ensureLab, requireLab, vmExec, vmFileStat, vmIp, vmReadFile } from './lab.js';
import { DEFAULT_MLFLOW_VERSION } from '../../src/config/mlflow-version.js';

const VM = 23;
const IP = vmIp(VM);
const HOME = '/home/azureuser';
const DEST = 'wasbs://mlflow-artifacts@provlabacct.blob.core.windows.net/e2e/runs';
const KEY = 'Sentinel+AzureKey/0123456789abcdef==';
const get = async (path: string) => (await httpToVm(IP, { path })).status;
const CONN = `DefaultEndpointsProtocol=https;AccountName=provlabacct;AccountKey=${KEY};EndpointSuffix=core.windows.net`;

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (available) await ensureLab(25);
});

test('--artifacts-destination: a malformed URI or a missing credential stops before connecting (exit 2)', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [
      ['--artifacts-destination', 's3://bucket/mlflow'],
      { AZURE_STORAGE_ACCESS_KEY: KEY },
      /--artifacts-destination "s3:\/\/bucket\/mlflow" is not an Azure Blob URI: use wasbs:\/\/<container>@<account>\.blob\.core\.windows\.net\/<path>/,
    ],
    [
      ['--artifacts-destination', 'wasbs://Bad_Container@provlabacct.blob.core.windows.net/x'],
      { AZURE_STORAGE_ACCESS_KEY: KEY },
      /--artifacts-destination "wasbs:\/\/Bad_Container@provlabacct\.blob\.core\.windows\.net\/x" is not an Azure Blob URI: .*container: 3-63 lowercase letters, digits and hyphens/,
    ],
    [
      ['--artifacts-destination', DEST],
      {},
      /--artifacts-destination wasbs:\/\/\.\.\. needs a storage credential: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCESS_KEY in the environment or \.env, or use --azure-identity/,
    ],
    [
      ['--artifacts-destination', DEST, '--artifacts-dir', '/data/a'],
      { AZURE_STORAGE_ACCESS_KEY: KEY },
      /--artifacts-dir and --artifacts-destination exclude each other/,
    ],
    [
      ['--artifacts-destination', DEST],
      { AZURE_STORAGE_CONNECTION_STRING: CONN.replace('provlabacct', 'otheracct') },
      /AZURE_STORAGE_CONNECTION_STRING is for the storage account "otheracct", but --artifacts-destination names "provlabacct"/,
    ],
  ];
  for (const [args, env, expect] of cases) {
    const res = await provision([...labFlags(VM, workdir), ...args], { workdir, env });
    assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, expect);
    assert.doesNotMatch(res.stderr + res.stdout, /new host key|Connect and check/, 'nothing connected');
    assert.ok(!res.everything.includes(KEY));
  }
});

test("--artifacts-destination wasbs://: up to the server's start on the lab; the key only in the 0600 file", async (t) => {
  if (!requireLab(t)) return;
  // A provisioned VM (a snapshot restore) without its artifacts folder: the Blob driver goes into its venv and the
  // server starts with the destination. A fresh VM is provisioned in provision.test.ts; here it cost 35 s more.
  await provisionedVm(VM);
  assert.equal((await vmExec(VM, `rm -rf ${HOME}/mlruns-artifacts`)).code, 0);
  const workdir = newWorkdir();
  const run = await provisionSampled(VM, ['--artifacts-destination', DEST, '--verbose'], { env: { AZURE_STORAGE_ACCESS_KEY: KEY }, workdir });
  const out = run.res.stdout;
  // Exit 1: the lab has no Azure. Everything before the artifact round trip worked.
  assert.equal(run.res.code, 1, out);
  // The Blob driver goes into the venv beside the tested MLflow.
  assert.match(out, /install mlflow psycopg2-binary azure-storage-blob with uv/);
  assert.match(
    out,
    new RegExp(
      `MLflow in a virtual environment: changed \\(azure-storage-blob is missing; MLflow ${DEFAULT_MLFLOW_VERSION.replace(/\./g, '\\.')} installed\\)`,
    ),
  );
  assert.match(
    out,
    /Artifacts folder: unchanged \(artifacts go to wasbs:\/\/mlflow-artifacts@provlabacct\.blob\.core\.windows\.net\/e2e\/runs: no folder on the VM\)/,
  );
  assert.match(out, /MLflow server: changed \(the server is not running; started pid \d+\)/);
  assert.match(
    out,
    /The artifact round trip through the server to wasbs:\/\/mlflow-artifacts@provlabacct\.blob\.core\.windows\.net\/e2e\/runs failed \(PUT timeout: no answer within 20 s; MLflow retries a storage account it cannot reach for over a minute\): check AZURE_STORAGE_ACCESS_KEY, that the container mlflow-artifacts exists in the storage account provlabacct, and that the VM reaches provlabacct\.blob\.core\.windows\.net/,
  );

  // The server runs with the destination; /health and the API answer; no local artifacts folder.
  assert.equal(await get('/health'), 200);
  const launcher = await vmReadFile(VM, `${HOME}/start-mlflow-server.sh`);
  assert.match(launcher, /--artifacts-destination wasbs:\/\/mlflow-artifacts@provlabacct\.blob\.core\.windows\.net\/e2e\/runs/);
  assert.equal(await vmFileStat(VM, `${HOME}/mlruns-artifacts`), null, 'no artifacts folder on the VM');
  assert.match((await vmExec(VM, `${HOME}/mlflow-venv/bin/pip list 2>/dev/null`, { user: 'azureuser' })).stdout, /azure-storage-blob/);
  const secrets = await vmReadFile(VM, `${HOME}/.mlflow-server.env`);
  assert.ok(secrets.includes(`AZURE_STORAGE_ACCESS_KEY=${shq(KEY)}`) || secrets.includes(`AZURE_STORAGE_ACCESS_KEY=${KEY}`), 'the key is in the secrets file');
  assert.deepEqual(await vmFileStat(VM, `${HOME}/.mlflow-server.env`), { mode: 0o600, uid: 1000, user: 'azureuser' });
  const log = await vmReadFile(VM, `${HOME}/mlflow-server.log`);
  assert.doesNotMatch(log, /ignoring unknown option/);

  // The key: nowhere but the secrets file.
  assert.ok(!run.res.everything.includes(KEY), 'the key in the output or log');
  assert.ok(!run.cmdlines.some((c) => c.includes(KEY)), 'the key on a VM command line');
  const holders = await vmExec(VM, `grep -rlF -e ${shq(KEY)} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null`, { timeoutMs: 120_000 });
  assert.deepEqual(holders.stdout.trim().split('\n'), [`${HOME}/.mlflow-server.env`]);

  // A no-op rerun and a connection string in place of the key are decisions and files, not something only this VM
  // proves; each run here waits 30 s in the health check for the storage account: test/unit/azure-blob-runs.test.ts
  // runs both through the fake VM (nothing changes and the failure is said again; the secrets file takes the
  // connection string), and the decisions of the run below.

  // --azure-identity: the VM's managed identity; azure-identity really installed from the index, no key on the VM.
  const mi = await provision([...labFlags(VM, workdir), '--artifacts-destination', DEST, '--azure-identity'], { workdir });
  assert.equal(mi.code, 1, mi.stdout);
  assert.match(mi.stdout, /MLflow in a virtual environment: changed \(azure-identity is missing/);
  assert.match(mi.stdout, /the VM's managed identity \(--azure-identity\) has the role "Storage Blob Data Contributor" on the storage account provlabacct/);
  assert.doesNotMatch(await vmReadFile(VM, `${HOME}/.mlflow-server.env`), /AZURE_STORAGE/);
  assert.equal(await get('/health'), 200);
});
