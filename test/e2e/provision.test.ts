// Issue 3: `provision --host` on a fresh lab VM, checked from outside the tool.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { logRunThroughRest, statusAndBody, type VmRequest } from './http.js';
import { DEFAULT_MLFLOW_VERSION } from '../../src/config/mlflow-version.js';
import { autoWorkers } from '../../src/render/server-files.js';
import { dbEnv, labFlags, newWorkdir, provision, provisionedSnapshotName, saveSnapshotOnce } from './cli.js';
import { dbAllow, dbBlock, ensureLab, hasSnapshot, labPsql, requireLab, resetVm, restoreVm, vmExec, vmFileStat, vmIp, vmProcesses, vmReadFile } from './lab.js';

const VM = 4;
const IP = vmIp(VM);
const HOME = '/home/azureuser';
const httpFromLaptop = (req: VmRequest) => statusAndBody(IP, req);

function secretForms(): string[] {
  const pw = dbEnv().POSTGRES_PASSWORD!;
  return [pw, encodeURIComponent(pw)];
}

async function mlflowProcesses(): Promise<Array<{ pid: number; cmdline: string }>> {
  return (await vmProcesses(VM)).filter((p) => /mlflow/.test(p.cmdline));
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (available) await ensureLab(VM);
});
after(async () => {
  if (available) await dbAllow(VM).catch(() => undefined);
});

test('a fresh VM becomes a working MLflow server, verified from outside the tool', async (t) => {
  if (!requireLab(t)) return;
  await resetVm(VM);
  const workdir = newWorkdir();
  const res = await provision(labFlags(VM, workdir), { workdir });
  t.diagnostic(`fresh provision wall time: ${(res.wallMs / 1000).toFixed(1)} s`);
  assert.equal(res.code, 0, `exit code\n${res.stdout}\n${res.stderr}`);

  // What the user sees: every step, live remote output, the URL and next steps.
  for (const step of [
    'Connect and check the VM',
    'System packages: changed',
    'MLflow in a virtual environment: changed',
    'Artifacts folder: changed',
    'Database check through the VM',
    'Launcher and secrets file: changed',
    'MLflow server: changed',
    'Health check',
  ]) {
    assert.ok(res.stdout.includes(step), `output shows "${step}"`);
  }
  assert.match(res.stdout, /apt-get|Setting up python3/, 'remote apt output is streamed');
  assert.match(res.stdout, /new host key ssh-ed25519 SHA256:/);
  assert.match(res.stdout, new RegExp(`MLflow tracking server is running: http://${IP.replace(/\./g, '\\.')}:5000`));
  assert.match(res.stdout, /mlflow\.set_tracking_uri/);

  // The server answers from the laptop, with the VM's public Host header, and refuses a foreign one.
  const health = await httpFromLaptop({ path: '/health' });
  assert.deepEqual(health, { status: 200, body: 'OK' });
  // The real MLflow, at the tested version, answers from the VM (the CI log shows this line).
  const version = await httpFromLaptop({ path: '/version' });
  assert.deepEqual(version, { status: 200, body: DEFAULT_MLFLOW_VERSION });
  const served = (await vmExec(VM, `${HOME}/mlflow-venv/bin/python -c 'import mlflow, uvicorn; print(mlflow.__file__, uvicorn.__version__)'`)).stdout.trim();
  t.diagnostic(`MLflow ${version.body} answers /version from ${IP}:5000 (${served})`);
  const search = await httpFromLaptop({ method: 'POST', path: '/api/2.0/mlflow/experiments/search', body: '{"max_results":1,"filter":"name = \'Default\'"}' });
  assert.equal(search.status, 200, search.body);
  assert.equal(JSON.parse(search.body).experiments[0].name, 'Default');
  const foreign = await httpFromLaptop({ method: 'POST', path: '/api/2.0/mlflow/experiments/search', host: 'evil.example.com', body: '{}' });
  assert.equal(foreign.status, 403);

  // An artifact sent through the server lands in the artifacts folder on the VM.
  const payload = `artifact from the laptop ${Date.now()}`;
  const put = await httpFromLaptop({ method: 'PUT', path: '/api/2.0/mlflow-artifacts/artifacts/e2e/run1/model.txt', body: payload, contentType: 'text/plain' });
  assert.equal(put.status, 200, put.body);
  assert.equal(await vmReadFile(VM, `${HOME}/mlruns-artifacts/e2e/run1/model.txt`), payload);

  // A run as a client logs it (REST API): metric and artifact read back; the artifact is on the VM's disk.
  const run = await logRunThroughRest(IP);
  assert.deepEqual(run.metric, { key: 'loss', value: 0.25, timestamp: (run.metric as { timestamp: number }).timestamp, step: 3 });
  assert.deepEqual(run.listed, ['model.txt']);
  assert.equal(await vmReadFile(VM, `${HOME}/mlruns-artifacts/${run.artifactPath}`), run.payload);
  assert.deepEqual(await httpFromLaptop({ path: `/api/2.0/mlflow-artifacts/artifacts/${run.artifactPath}` }), { status: 200, body: run.payload });

  // No command line on the VM holds the password; the only file that holds it is the 0600 secrets file.
  for (const p of await vmProcesses(VM)) {
    for (const s of secretForms()) assert.ok(!p.cmdline.includes(s), `process ${p.pid} shows the password: ${p.cmdline}`);
  }
  const holders = await vmExec(
    VM,
    `grep -rlF -e ${shellQuote(secretForms()[0]!)} -e ${shellQuote(secretForms()[1]!)} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null`,
    { timeoutMs: 120_000 },
  );
  assert.deepEqual(holders.stdout.trim().split('\n'), [`${HOME}/.mlflow-server.env`]);
  assert.deepEqual(await vmFileStat(VM, `${HOME}/.mlflow-server.env`), { mode: 0o600, uid: 1000, user: 'azureuser' });
  const launcher = await vmFileStat(VM, `${HOME}/start-mlflow-server.sh`);
  assert.equal(launcher?.user, 'azureuser');
  assert.equal(launcher.mode & 0o077, 0, 'launcher not readable by others');
  assert.match(await vmReadFile(VM, `${HOME}/start-mlflow-server.sh`), /--default-artifact-root mlflow-artifacts:\/ /);

  // The task list and the logs never show the password.
  for (const s of secretForms()) assert.ok(!res.everything.includes(s), 'password in output or logs');

  // The server outlives the SSH session: still there, same PID, a while after the CLI exited.
  const pidBefore = (await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0];
  await new Promise((r) => setTimeout(r, 2000));
  const procs = await mlflowProcesses();
  assert.ok(
    procs.some((p) => String(p.pid) === pidBefore),
    `server pid ${pidBefore} still running`,
  );
  assert.equal((await httpFromLaptop({ path: '/health' })).status, 200);

  // --json gives a machine-readable line per host; a rerun changes nothing and keeps the server's PID.
  const again = await provision([...labFlags(VM, workdir), '--json'], { workdir });
  assert.equal(again.code, 0, again.stderr);
  const result = JSON.parse(again.stdout.trim());
  assert.equal(result.host, IP);
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.changed, []);
  assert.equal(result.url, `http://${IP}:5000`);
  assert.equal(typeof result.durationMs, 'number');
  assert.equal((await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0], pidBefore);

  await saveSnapshotOnce(VM, provisionedSnapshotName());
});

test("without --workers: workers from the VM's memory, no job runner, database connections within the pools", async (t) => {
  if (!requireLab(t)) return;
  await restoreVm(VM, provisionedSnapshotName());
  const workdir = newWorkdir();
  const flags = labFlags(VM, workdir);
  const res = await provision(flags.slice(0, flags.indexOf('--workers')), { workdir });
  assert.equal(res.code, 0, res.stdout);
  const memMb = Number(/MemTotal:\s+(\d+)/.exec(await vmReadFile(VM, '/proc/meminfo'))![1]) / 1024;
  const expected = autoWorkers(memMb);
  assert.match(await vmReadFile(VM, `${HOME}/start-mlflow-server.sh`), new RegExp(`--workers ${expected} `));
  const procs = await mlflowProcesses();
  assert.equal(procs.filter((p) => p.cmdline.includes('multiprocessing.spawn')).length, expected, procs.map((p) => p.cmdline).join('\n'));
  assert.deepEqual(
    procs.filter((p) => /huey|_job_runner/.test(p.cmdline)),
    [],
    'the job runner is off',
  );
  // A burst of database calls from 20 clients at once: each worker's pool holds at most 2 + 3 connections.
  await Promise.all(
    Array.from({ length: 20 }, () => httpFromLaptop({ method: 'POST', path: '/api/2.0/mlflow/experiments/search', body: '{"max_results":5}' })),
  );
  const conns = Number((await labPsql(`SELECT count(*) FROM pg_stat_activity WHERE client_addr = '${IP}';`)).trim());
  assert.ok(conns >= 1 && conns <= expected * 5 + 1, `${conns} connections from the VM for ${expected} workers`);
  const rss = (await vmExec(VM, `for p in ${procs.map((p) => p.pid).join(' ')}; do awk '/^VmRSS:/{print $2}' /proc/$p/status; done`)).stdout
    .trim()
    .split('\n')
    .reduce((a, b) => a + Number(b), 0);
  t.diagnostic(
    `default sizing on a VM that sees ${(memMb / 1024).toFixed(1)} GiB: ${expected} workers, ${procs.length} processes, ${(rss / 1024).toFixed(0)} MB summed RSS, ${conns} database connections after a burst`,
  );
});

test('a VM blocked from the database: exit 1, the firewall named, nothing started', async (t) => {
  if (!requireLab(t)) return;
  const name = provisionedSnapshotName();
  assert.ok(hasSnapshot(name), 'the fresh-provision test saved a snapshot');
  await restoreVm(VM, name); // a provisioned VM after a reboot: no server running
  await dbBlock(VM);
  const workdir = newWorkdir();
  const res = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(res.code, 1, res.stdout);
  assert.match(res.stdout, /refuses connections from the VM 10\.231\.0\.14 \(no pg_hba\.conf entry\): add a firewall rule for the VM's address/);
  assert.doesNotMatch(res.stdout + res.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(await mlflowProcesses(), [], 'no server was started');
  for (const s of secretForms()) assert.ok(!res.everything.includes(s));
  await dbAllow(VM);
});

test('a wrong database password: exit 1, named, nothing on the VM changes', async (t) => {
  if (!requireLab(t)) return;
  await restoreVm(VM, provisionedSnapshotName());
  const before = await vmExec(VM, `sha256sum ${HOME}/.mlflow-server.env ${HOME}/start-mlflow-server.sh`);
  const workdir = newWorkdir();
  const res = await provision(labFlags(VM, workdir), { workdir, env: { POSTGRES_PASSWORD: 'wrong-Password-123' } });
  assert.equal(res.code, 1);
  assert.match(res.stdout, /The database rejected the password for user "mlflow": check POSTGRES_PASSWORD\./);
  assert.ok(!res.everything.includes('wrong-Password-123'), 'the wrong password is not echoed either');
  assert.equal((await vmExec(VM, `sha256sum ${HOME}/.mlflow-server.env ${HOME}/start-mlflow-server.sh`)).stdout, before.stdout);
  assert.deepEqual(await mlflowProcesses(), []);
});

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
