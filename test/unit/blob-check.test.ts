// The Blob access check (status, and verify after a failed round trip): the command it runs on the VM, the reading
// of its answer (untrusted text), and the one sentence each answer gets.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { blobCheckCommand } from '../../src/plan/blob-check.js';
import { remoteLayout } from '../../src/render/server-files.js';
import { judgeBlobCheck, parseBlobCheck, type BlobCheckAnswer, type BlobCheckContext } from '../../src/verdicts/blob-check.js';
import { judgeVerify } from '../../src/verdicts/verify.js';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { newHandle, runOnHosts } from '../../src/run/executor.js';
import { statusCommand, type HostStatus, type StatusSession } from '../../src/run/status.js';
import { statusJson, statusText } from '../../src/cli/render-status.js';
import { FakeVm, fakeIO } from './fake-host.js';
import { desiredFor, healthyProbe, LOGS, PASSWORD } from './host-run-kit.js';

const SECRET = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=S3cr3t+Key/==';

/** A home with the secrets file as provision writes it and a venv whose python is `python` (a script or python3). */
function fakeHome(python: string | { link: string }): string {
  const home = mkdtempSync(join(tmpdir(), 'blob-check-'));
  mkdirSync(join(home, 'mlflow-venv', 'bin'), { recursive: true });
  const bin = join(home, 'mlflow-venv', 'bin', 'python');
  if (typeof python === 'string') {
    writeFileSync(bin, python);
    chmodSync(bin, 0o755);
  } else symlinkSync(python.link, bin);
  writeFileSync(join(home, '.mlflow-server.env'), `AZURE_STORAGE_CONNECTION_STRING='${SECRET}'\nMLFLOW_BACKEND_STORE_URI='postgresql://u@h/db'\n`, {
    mode: 0o600,
  });
  return home;
}

const runLocally = (command: string) => spawnSync('bash', ['-c', command], { encoding: 'utf8', env: { PATH: process.env.PATH } });

test("the check's command: the credential from the secrets file into the environment, never the argv; names quoted", () => {
  const home = fakeHome('#!/bin/bash\nprintf "arg=%s\\n" "$3" "$4"\nprintf "env=%s\\n" "$AZURE_STORAGE_CONNECTION_STRING"\n');
  const dest = { container: "c'; touch pwned #", account: 'acct' };
  const cmd = blobCheckCommand(remoteLayout(home), dest);
  assert.equal(cmd.kind, 'blob-check');
  assert.equal(cmd.stdin, undefined);
  assert.ok(!cmd.command.includes('S3cr3t'), 'no secret in the command');
  assert.ok(cmd.timeoutSec > 0 && cmd.timeoutSec <= 60);
  const res = runLocally(cmd.command);
  assert.equal(res.status, 0, res.stderr);
  assert.deepEqual(res.stdout.trim().split('\n'), [`arg=${dest.container}`, 'arg=acct', `env=${SECRET}`]);
});

test("the check's Python runs (here without the SDK): one answer line naming the missing module", () => {
  const probe = spawnSync('python3', ['-c', 'import azure.storage.blob'], { encoding: 'utf8' });
  const python = spawnSync('bash', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim();
  if (probe.status === 0 || !python) return; // an SDK on this machine: the lab test runs the real one
  const res = runLocally(blobCheckCommand(remoteLayout(fakeHome({ link: python })), { container: 'mlflow', account: 'acct' }).command);
  assert.equal(res.status, 0, res.stderr);
  const answer = parseBlobCheck({ code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr });
  assert.equal(answer.outcome, 'error');
  assert.match((answer as { error: string }).error, /ImportError|ModuleNotFoundError/);
});

test('reading the answer: the last answer line, its fields checked; anything else is no answer', () => {
  const read = (stdout: string, stderr = '', code = 0) => parseBlobCheck({ code, stdout, stderr });
  assert.deepEqual(read('noise\nblob_check={"outcome":"ok","endpoint":"https://acct.blob.core.windows.net/"}\n'), {
    outcome: 'ok',
    endpoint: 'https://acct.blob.core.windows.net/',
  });
  assert.deepEqual(read('blob_check={"outcome":"ok"}\nblob_check={"outcome":"http","status":404,"code":"ContainerNotFound","endpoint":"e","message":"m"}'), {
    outcome: 'http',
    status: 404,
    code: 'ContainerNotFound',
    endpoint: 'e',
    message: 'm',
  });
  assert.equal((read(`blob_check={"outcome":"error","error":"X","message":"${'m'.repeat(5000)}"}`) as { message: string }).message.length, 300);
  for (const bad of [
    '',
    'blob_check={',
    'blob_check=[1]',
    'blob_check="ok"',
    'blob_check={"outcome":"http","status":"403"}',
    'blob_check={"outcome":"maybe"}',
  ]) {
    assert.equal(read(bad, 'Traceback\nboom', 1).outcome, 'none', bad);
  }
  assert.deepEqual(read('', 'line 1\nNo such file or directory\n', 127), { outcome: 'none', message: 'No such file or directory' });
  assert.deepEqual(read('', '', 124), { outcome: 'none', message: 'exit 124, no answer line' });
});

const ctx: BlobCheckContext = {
  dest: { uri: 'wasbs://mlflow@acct.blob.core.windows.net/a', container: 'mlflow', account: 'acct' },
  credential: 'connection-string',
  secretsPath: '/home/u/.mlflow-server.env',
};
const http = (status: number, code: string): Extract<BlobCheckAnswer, { outcome: 'http' }> => ({
  outcome: 'http',
  status,
  code,
  endpoint: 'http://10.0.0.3:10000/acct/',
  message: 'msg',
});

test('judging: the container found; a wrong key and a missing container, one sentence each with the fix', () => {
  assert.deepEqual(judgeBlobCheck({ outcome: 'ok', endpoint: 'https://acct.blob.core.windows.net/' }, ctx), {
    ok: true,
    cause: 'ok',
    sentence: 'the container mlflow answers at https://acct.blob.core.windows.net/ with AZURE_STORAGE_CONNECTION_STRING',
  });
  assert.deepEqual(judgeBlobCheck(http(403, 'AuthenticationFailed'), { ...ctx, credential: 'access-key' }), {
    ok: false,
    cause: 'credential',
    sentence:
      "The storage account acct refuses the server's key (403 AuthenticationFailed at http://10.0.0.3:10000/acct/): AZURE_STORAGE_ACCESS_KEY in /home/u/.mlflow-server.env is not a current key of acct; set it from the storage account's Access keys and rerun provision.",
  });
  assert.deepEqual(judgeBlobCheck(http(404, 'ContainerNotFound'), ctx), {
    ok: false,
    cause: 'container',
    sentence:
      'The container mlflow does not exist in the storage account acct (404 ContainerNotFound at http://10.0.0.3:10000/acct/): create it (az storage container create --name mlflow --account-name acct); MLflow does not create it.',
  });
});

test('judging: the managed identity without its role, no answer, another status, a command that failed', () => {
  const mi = judgeBlobCheck(http(403, 'AuthorizationPermissionMismatch'), { ...ctx, credential: 'managed-identity' });
  assert.equal(mi.cause, 'credential');
  assert.match(
    mi.sentence,
    /managed identity may not list the container mlflow \(403 AuthorizationPermissionMismatch .*"Storage Blob Data Contributor" on the storage account acct/,
  );
  const down = judgeBlobCheck({ outcome: 'error', error: 'ServiceRequestError', endpoint: '', message: 'Name or service not known' }, ctx);
  assert.equal(down.cause, 'unreachable');
  assert.match(
    down.sentence,
    /does not answer from the VM \(ServiceRequestError: Name or service not known\): .*reaches https:\/\/acct\.blob\.core\.windows\.net/,
  );
  // Azurite's wrong key: another code, Azure's message; Azure's network rule: that code, another message.
  const emulated = judgeBlobCheck({ ...http(403, 'AuthorizationFailure'), message: 'Server failed to authenticate the request. Make sure ...' }, ctx);
  assert.equal(emulated.cause, 'credential');
  assert.match(emulated.sentence, /refuses the server's key \(403 AuthorizationFailure at /);
  const firewall = judgeBlobCheck({ ...http(403, 'AuthorizationFailure'), message: 'This request is not authorized to perform this operation.' }, ctx);
  assert.equal(firewall.cause, 'other');
  assert.match(firewall.sentence, /HTTP 403 AuthorizationFailure .*network rules/);
  const none = judgeBlobCheck({ outcome: 'none', message: 'No such file or directory' }, ctx);
  assert.deepEqual([none.ok, none.cause], [false, 'other']);
  assert.match(none.sentence, /gave no answer \(No such file or directory\)/);
});

test("verify: after a failed round trip, a wrong key or a missing container is the Blob check's sentence; else its own", () => {
  const vctx = {
    address: '10.0.0.4',
    port: 5000,
    publicHost: '10.0.0.4:5000',
    launcherPath: '/l',
    logPath: '/log',
    artifactsDir: '/a',
    blob: { ...ctx.dest, path: '/a', credential: { kind: 'managed-identity' as const } },
  };
  const ok = { status: 200, body: '' };
  const failed = { health: ok, searches: [{ name: '10.0.0.4:5000', ...ok }], put: { status: 500, body: '' }, payload: 'x', fromHere: true, foreignHost: 403 };
  const container = judgeBlobCheck(http(404, 'ContainerNotFound'), ctx);
  assert.equal(judgeVerify(vctx, { ...failed, blobCheck: container }).error, container.sentence);
  const down = judgeBlobCheck({ outcome: 'error', error: 'ServiceRequestError', endpoint: '', message: '' }, ctx);
  assert.match(judgeVerify(vctx, { ...failed, blobCheck: down }).error!, /^The artifact round trip through the server to wasbs:/);
  // A round trip that worked is not judged again, whatever the check said.
  assert.equal(judgeVerify(vctx, { ...failed, put: ok, got: { status: 200, body: 'x' }, blobCheck: container }).error, undefined);
});

test('status with Blob artifacts: the check runs beside the others, its sentence is the one problem, no secret in the report', async () => {
  const withConn = buildCommandConfig(
    'provision',
    readSettings(
      { host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS, 'artifacts-destination': 'wasbs://mlflow@acct.blob.core.windows.net/a' },
      { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: PASSWORD, AZURE_STORAGE_CONNECTION_STRING: SECRET },
    ),
  );
  const probe = healthyProbe(withConn);
  const desired = desiredFor(withConn, probe);
  const lines = (text: string) => text.replace(/\n$/, '').split('\n');
  const answer = 'blob_check={"outcome":"http","status":403,"code":"AuthenticationFailed","endpoint":"https://acct.blob.core.windows.net/","message":"m"}\n';
  const statusConfig = buildCommandConfig('status', readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS }, {}));
  const fake = new FakeVm({
    probe,
    serverUp: true,
    launcher: lines(desired.launcher),
    secrets: lines(desired.secrets.reveal()),
    stdoutOf: { 'blob-check': answer },
  });
  const handle = newHandle<StatusSession, HostStatus>();
  await runOnHosts(statusCommand(statusConfig, fakeIO(fake)), statusConfig, handle, { silent: true });
  const result = handle.results.get('10.0.0.4')!;
  assert.deepEqual(fake.commands, ['status-probe', 'blob-check']);
  assert.deepEqual(result.problems, [
    "The storage account acct refuses the server's key (403 AuthenticationFailed at https://acct.blob.core.windows.net/): AZURE_STORAGE_CONNECTION_STRING in /home/azureuser/.mlflow-server.env is not a current key of acct; set it from the storage account's Access keys and rerun provision.",
  ]);
  assert.deepEqual(result.blob && [result.blob.uri, result.blob.ok], ['wasbs://mlflow@acct.blob.core.windows.net/a', false]);
  assert.equal(result.healthy, false);
  assert.match(statusText(result), /\n {2}blob {7}wasbs:\/\/mlflow@acct\.blob\.core\.windows\.net\/a: the check failed \(see below\)\n/);
  assert.deepEqual((JSON.parse(statusJson(result)) as { blob: unknown }).blob, { uri: result.blob!.uri, ok: false, detail: result.problems[0] });
  assert.ok(!JSON.stringify(result).includes('S3cr3t'), 'the key is not in the report');
  assert.ok(!fake.commandsRun.some((c) => c.command.includes('S3cr3t')), 'nor on a command line');
});
