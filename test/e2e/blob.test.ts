// Issue 25 item 1: --artifacts-destination wasbs:// end to end, against Azurite in the lab (scripts/lab/azurite.sh).
// The product is not told it is a lab: AZURE_STORAGE_CONNECTION_STRING names the emulator's BlobEndpoint, as a
// team's would name their account. An artifact logged through the server's proxy lands as a blob in the container
// (seen from outside, through Azurite's REST API) and reads back byte for byte through the server; `status` checks the
// container from the VM with the server's credential; a wrong key and a missing container are one sentence each, in
// provision's verify step and in status. The wrong key is a sentinel: in no output, log or VM command line.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, provisionSampled, statusFlags } from './cli.js';
import { AZURITE_CONNECTION_STRING, AZURITE_KEY, azuriteDestination, azuriteListBlobs, azuriteReadBlob, ensureLab, requireLab, vmIp } from './lab.js';

const VM = 21;
const IP = vmIp(VM);
const SECRETS = '/home/azureuser/.mlflow-server.env';
/** A folder of its own in the shared container, so what this run finds there is what it put. */
const PREFIX = `e2e-blob-${Date.now().toString(36)}`;
const DEST = azuriteDestination(PREFIX);
/** Where the SDK on the VM went, as the sentences name it. */
const AT = String.raw`at http://10\.231\.0\.3:10000/devstoreaccount1/?`;
/** A wrong key (valid base64, 64 bytes, as Azure's are) that is also a sentinel. */
const WRONG_KEY = Buffer.from('Sentinel-wrong-AzuriteKey-'.padEnd(64, 'x')).toString('base64');
const WRONG = AZURITE_CONNECTION_STRING.replace(AZURITE_KEY, WRONG_KEY);

/** A request with a binary body to the server, the answer's bytes as they came. */
function rawHttp(method: string, path: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Host: `${IP}:5000` };
    if (body) Object.assign(headers, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    const req = http.request({ host: IP, port: 5000, method, path, agent: false, timeout: 30_000, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${IP}:5000 within 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function status(workdir: string): Promise<{ code: number; report: Record<string, unknown> & { problems: string[] } }> {
  const res = await provision(['status', ...statusFlags(VM, workdir), '--json'], { workdir });
  return { code: res.code, report: JSON.parse(res.stdout.trim()) as Record<string, unknown> & { problems: string[] } };
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (available) await ensureLab(VM);
});

test('wasbs:// on Azurite: the artifact lands in the container, reads back byte for byte; status checks Blob from the VM', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  // A provisioned VM (the suite's snapshot, restored in seconds): the run adds the Blob driver and restarts the server.
  await provisionedVm(VM);
  const run = await provision([...labFlags(VM, workdir), '--artifacts-destination', DEST], {
    workdir,
    env: { AZURE_STORAGE_CONNECTION_STRING: AZURITE_CONNECTION_STRING },
  });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /Health check: .*artifact round trip ok/);
  assert.equal((await azuriteListBlobs(`${PREFIX}/`)).length, 0, "verify's own artifact is deleted again");

  // An artifact as a client logs it: PUT through the server's proxy; it lands as a blob under the destination.
  const runId = randomBytes(8).toString('hex');
  const bytes = Buffer.concat([randomBytes(4096), Buffer.from([0, 0xff, 0xfe, 0x0a, 0x0d])]);
  const artifact = `1/${runId}/artifacts/model.bin`;
  const put = await rawHttp('PUT', `/api/2.0/mlflow-artifacts/artifacts/${artifact}`, bytes);
  assert.equal(put.status, 200, put.body.toString('utf8'));
  assert.deepEqual(await azuriteListBlobs(`${PREFIX}/`), [`${PREFIX}/${artifact}`]);
  assert.ok((await azuriteReadBlob(`${PREFIX}/${artifact}`)).equals(bytes), 'the blob holds the bytes sent');
  const got = await rawHttp('GET', `/api/2.0/mlflow-artifacts/artifacts/${artifact}`);
  assert.equal(got.status, 200);
  assert.ok(got.body.equals(bytes), 'the server reads the same bytes back from Blob');

  const st = await status(workdir);
  assert.equal(st.code, 0, JSON.stringify(st.report));
  assert.deepEqual(st.report.problems, []);
  const blob = st.report.blob as { uri: string; ok: boolean; detail: string };
  assert.equal(blob.uri, DEST);
  assert.equal(blob.ok, true);
  assert.match(blob.detail, /^the container mlflow answers at http:\/\/10\.231\.0\.3:10000\/devstoreaccount1\/? with AZURE_STORAGE_CONNECTION_STRING$/);
});

test('wasbs:// with a wrong key: one sentence in verify and in status; the key in no output, log or VM command line', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const run = await provisionSampled(VM, ['--artifacts-destination', DEST], { workdir, env: { AZURE_STORAGE_CONNECTION_STRING: WRONG } });
  assert.equal(run.res.code, 1, run.res.stdout);
  const sentence = new RegExp(
    `The storage account devstoreaccount1 refuses the server's key \\(403 (AuthenticationFailed|AuthorizationFailure) ${AT}\\): AZURE_STORAGE_CONNECTION_STRING in ${SECRETS.replace(/\./g, '\\.')} is not a current key of devstoreaccount1; set it from the storage account's Access keys and rerun provision\\.`,
  );
  assert.match(run.res.stdout, sentence);
  assert.doesNotMatch(run.res.stdout, /The artifact round trip through the server/, 'the Blob sentence, not the generic one');
  assert.ok(!run.res.everything.includes(WRONG_KEY), 'the key in the output or log');
  assert.ok(!run.cmdlines.some((c) => c.includes(WRONG_KEY)), 'the key on a VM command line');
  assert.ok(
    run.cmdlines.some((c) => c.includes('blob_check=')),
    'the Blob check ran on the VM',
  );

  const st = await status(workdir);
  assert.equal(st.code, 1);
  assert.equal(st.report.problems.length, 1, st.report.problems.join('\n'));
  assert.match(st.report.problems[0]!, sentence);
  assert.ok(!JSON.stringify(st.report).includes(WRONG_KEY));
});

test('wasbs:// to a container that does not exist: one sentence in verify and in status', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const run = await provision([...labFlags(VM, workdir), '--artifacts-destination', azuriteDestination(PREFIX, 'no-such-container')], {
    workdir,
    env: { AZURE_STORAGE_CONNECTION_STRING: AZURITE_CONNECTION_STRING },
  });
  assert.equal(run.code, 1, run.stdout);
  const sentence =
    /The container no-such-container does not exist in the storage account devstoreaccount1 \(404 ContainerNotFound at http:\/\/10\.231\.0\.3:10000\/devstoreaccount1\/?\): create it \(az storage container create --name no-such-container --account-name devstoreaccount1\); MLflow does not create it\./;
  assert.match(run.stdout, sentence);
  const st = await status(workdir);
  assert.equal(st.code, 1);
  assert.equal(st.report.problems.length, 1, st.report.problems.join('\n'));
  assert.match(st.report.problems[0]!, sentence);
});
