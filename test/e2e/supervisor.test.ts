// Issue 13: --supervisor systemd on lab VMs that really boot (systemd as PID 1), Debian 12 and Debian 13, with the
// real MLflow: a first provision while apt-daily runs, a no-op rerun, kill -9, `sudo reboot`, switching
// supervisors both ways, a reboot under nohup, a unit edited by hand, --auth basic. Checked from outside the tool.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { DEFAULT_MLFLOW_VERSION } from '../../src/config/mlflow-version.js';
import { dbEnv, newWorkdir, provision, provisionSampled, statusFlags, withLabFlags, type CliRun } from './cli.js';
import { httpToVm } from './http.js';
import {
  ensureBootedVm,
  ensureLab,
  labPsql,
  labSsh,
  rebootVm,
  requireLab,
  stopVm,
  vmBootId,
  vmExec,
  vmFileStat,
  vmIp,
  vmProcesses,
  vmReadFile,
  vmSystemState,
  waitForReboot,
  type VmImage,
} from './lab.js';

const UNIT = '/etc/systemd/system/mlflow-server.service';
const AUTH_DB = 'prov_supervisor_auth';
const ADMIN_PW = 'Sup3rvisor-Admin@:/#?%x';
const IMAGES: Array<[number, VmImage]> = [
  [41, 'debian12'],
  [43, 'debian13'],
];

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(1);
  await labPsql(`DROP DATABASE IF EXISTS ${AUTH_DB} WITH (FORCE); CREATE DATABASE ${AUTH_DB} OWNER mlflow;`);
});
after(async () => {
  if (!available) return;
  // Powered off: their servers (under systemd, a killed server comes back) hold hundreds of MB.
  for (const [vm] of IMAGES) await stopVm(vm).catch(() => undefined);
  await labPsql(`DROP DATABASE IF EXISTS ${AUTH_DB} WITH (FORCE);`).catch(() => undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secrets = () => [dbEnv().POSTGRES_PASSWORD!, encodeURIComponent(dbEnv().POSTGRES_PASSWORD!), ADMIN_PW];

async function mainPid(vm: number): Promise<number> {
  return Number((await vmExec(vm, 'systemctl show mlflow-server.service -p MainPID --value')).stdout.trim());
}

async function healthFromLaptop(vm: number): Promise<number> {
  return httpToVm(vmIp(vm), { path: '/health' }).then(
    (r) => r.status,
    () => 0,
  );
}

/** Polls /health from the laptop (every 250 ms, bounded); the milliseconds until it answered 200. */
async function untilHealthy(vm: number, boundMs: number, also: () => Promise<boolean> = async () => true): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < boundMs) {
    if ((await healthFromLaptop(vm)) === 200 && (await also())) return Date.now() - start;
    await sleep(250);
  }
  throw new Error(`vm${vm} was not healthy within ${boundMs / 1000} s`);
}

/** `mlflow server` parent processes on the VM: one server, whatever runs it. */
async function mlflowServers(vm: number): Promise<number[]> {
  return (await vmProcesses(vm)).filter((p) => /\/mlflow-venv\/bin\/mlflow server\b/.test(p.cmdline)).map((p) => p.pid);
}

function json(res: CliRun): { status: string; changed: string[]; supervisor: string | null } {
  return JSON.parse(
    res.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .at(-1)!,
  );
}

function ok(res: CliRun): void {
  assert.equal(res.code, 0, `exit code\n${res.stdout}\n${res.stderr}`);
}

for (const [vm, image] of IMAGES) {
  const workdir = newWorkdir();
  const run = (args: string[], env: Record<string, string> = {}) => provision(withLabFlags(vm, workdir, args), { workdir, env });

  test(`${image}: a first provision with --supervisor systemd on a freshly booted VM while apt-daily runs; no secret in the unit, systemctl or the journal; a no-op rerun`, async (t: TestContext) => {
    if (!requireLab(t)) return;
    await ensureBootedVm(vm, image, { fresh: true });
    const state = await vmSystemState(vm);
    assert.equal(state.state, 'running', `failed units: ${state.failed.join(', ')}`);
    // What a fresh Azure VM does in its first minutes: apt's daily jobs take the apt and dpkg locks.
    await vmExec(vm, 'systemctl start --no-block apt-daily.service apt-daily-upgrade.service');
    t.diagnostic(
      `apt jobs at the start: ${(await vmExec(vm, 'systemctl is-active apt-daily.service apt-daily-upgrade.service; true')).stdout.trim().replace(/\n/g, ', ')}`,
    );
    const res = await run(['--supervisor', 'systemd']);
    ok(res);
    t.diagnostic(`${image}: first provision under systemd ${(res.wallMs / 1000).toFixed(1)} s`);
    assert.match(res.stdout, /MLflow server: changed \(no systemd unit yet; started pid \d+ under systemd\)/);
    assert.match(res.stdout, /Supervisor: +systemd \(mlflow-server\.service\): restarted after a crash, started at boot/);
    assert.deepEqual(await vmFileStat(vm, UNIT), { mode: 0o644, uid: 0, user: 'root' });
    assert.equal((await vmExec(vm, 'systemctl is-enabled mlflow-server.service; systemctl is-active mlflow-server.service')).stdout.trim(), 'enabled\nactive');
    assert.deepEqual(await httpToVm(vmIp(vm), { path: '/version' }).then((r) => [r.status, r.body]), [200, DEFAULT_MLFLOW_VERSION]);
    const where = [
      await vmReadFile(vm, UNIT),
      (await vmExec(vm, 'systemctl show mlflow-server.service')).stdout,
      (await vmExec(vm, 'journalctl -u mlflow-server.service --no-pager -o cat')).stdout,
    ];
    for (const s of secrets()) assert.ok(!where.some((w) => w.includes(s)), 'a secret in the unit, systemctl show or the journal');
    const python = (await vmExec(vm, '/home/azureuser/mlflow-venv/bin/python -c "import sys; print(sys.version.split()[0])"')).stdout.trim();
    t.diagnostic(`${image}: MLflow ${DEFAULT_MLFLOW_VERSION} on CPython ${python} under systemd`);
    if (image === 'debian13') assert.match(python, /^3\.13\./);

    const pid = await mainPid(vm);
    const again = await run(['--supervisor', 'systemd', '--json']);
    ok(again);
    assert.deepEqual(json(again).changed, []);
    assert.equal(json(again).supervisor, 'systemd');
    assert.equal(await mainPid(vm), pid, 'the same server');
    const status = await provision(['status', ...statusFlags(vm, workdir), '--json'], { workdir });
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const report = JSON.parse(status.stdout.trim().split('\n').at(-1)!) as { supervisor: string; server: { pid: number } };
    assert.deepEqual([report.supervisor, report.server.pid], ['systemd', pid]);
    t.diagnostic(`${image}: no-op rerun under systemd ${(again.wallMs / 1000).toFixed(2)} s`);
  });

  test(`${image}: kill -9 of the server and sudo reboot: healthy again with no CLI`, async (t: TestContext) => {
    if (!requireLab(t)) return;
    const killed = await mainPid(vm);
    assert.ok(killed > 0);
    await vmExec(vm, `kill -9 ${killed}`);
    const back = await untilHealthy(vm, 60_000, async () => ![0, killed].includes(await mainPid(vm)));
    t.diagnostic(`${image}: kill -9 -> healthy again in ${(back / 1000).toFixed(1)} s (systemd restarted it)`);
    // status follows the restarted server: its PID, and an uptime counted from systemd's start of it.
    const status = await provision(['status', ...statusFlags(vm, workdir), '--json'], { workdir });
    const report = JSON.parse(status.stdout.trim().split('\n').at(-1)!) as { healthy: boolean; server: { pid: number; uptimeSec: number | null } };
    assert.deepEqual([report.healthy, report.server.pid], [true, await mainPid(vm)], status.stdout);
    assert.ok(report.server.uptimeSec !== null && report.server.uptimeSec <= 120, `uptime ${report.server.uptimeSec}`);

    const boot = await vmBootId(vm);
    const rebootAt = Date.now();
    await labSsh(vm, 'sudo reboot', { timeoutMs: 30_000 }).catch(() => undefined); // the session ends with the VM
    await waitForReboot(vm, boot);
    await untilHealthy(vm, 120_000);
    t.diagnostic(`${image}: sudo reboot -> healthy again in ${((Date.now() - rebootAt) / 1000).toFixed(1)} s`);
    assert.equal((await mlflowServers(vm)).length, 1, 'one server');
  });

  test(`${image}: a unit edited by hand or stopped is repaired; nohup and back leaves one server; a reboot under nohup is repaired by the next run`, async (t: TestContext) => {
    if (!requireLab(t)) return;
    await vmExec(vm, `sed -i 's/^RestartSec=2$/RestartSec=30/' ${UNIT} && systemctl daemon-reload`);
    const edited = await run(['--supervisor', 'systemd', '--json']);
    ok(edited);
    assert.deepEqual(json(edited).changed, ['server']);
    assert.match(await vmReadFile(vm, UNIT), /^RestartSec=2$/m);

    await vmExec(vm, 'systemctl stop mlflow-server.service');
    const stopped = await run(['--supervisor', 'systemd']);
    ok(stopped);
    assert.match(stopped.stdout, /MLflow server: changed \(the unit is inactive; started pid/);

    const toNohup = await run(['--supervisor', 'nohup']);
    ok(toNohup);
    assert.match(toNohup.stdout, /the server runs under systemd; --supervisor nohup asked for/);
    assert.match(toNohup.stdout, /a reboot of the VM \(or an Azure stop\/start\) stops the server/);
    assert.equal(await vmFileStat(vm, UNIT), null, 'the unit is gone');
    assert.equal((await vmExec(vm, 'systemctl is-enabled mlflow-server.service')).code === 0, false);
    assert.equal((await mlflowServers(vm)).length, 1, 'one server after the switch to nohup');

    await rebootVm(vm);
    assert.equal(await healthFromLaptop(vm), 0, 'a reboot stops a nohup server');
    const repaired = await run(['--supervisor', 'nohup', '--json']);
    ok(repaired);
    assert.deepEqual(json(repaired).changed, ['server']);

    const toUnit = await run(['--supervisor', 'systemd']);
    ok(toUnit);
    assert.match(toUnit.stdout, /the server runs under nohup; --supervisor systemd asked for/);
    assert.equal((await mlflowServers(vm)).length, 1, 'one server after the switch back');
    assert.equal((await vmExec(vm, 'systemctl is-active mlflow-server.service')).stdout.trim(), 'active');
    assert.equal(await healthFromLaptop(vm), 200);
  });

  test(`${image}: --auth basic under systemd; no secret on any command line while it restarts`, async (t: TestContext) => {
    if (!requireLab(t)) return;
    const sampled = await provisionSampled(vm, ['--supervisor', 'systemd', '--auth', 'basic'], {
      workdir,
      env: { MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PW, POSTGRES_AUTH_DB: AUTH_DB },
    });
    ok(sampled.res);
    for (const s of secrets()) assert.ok(!sampled.cmdlines.some((c) => c.includes(s)), 'a secret on a VM command line');
    const search = (auth: { user?: string; password?: string }) =>
      httpToVm(vmIp(vm), { method: 'POST', path: '/api/2.0/mlflow/experiments/search', body: '{"max_results":1}', ...auth }).then((r) => r.status);
    assert.equal(await search({}), 401);
    assert.equal(await search({ user: 'admin', password: ADMIN_PW }), 200);
    const where = [
      await vmReadFile(vm, UNIT),
      (await vmExec(vm, 'systemctl show mlflow-server.service; journalctl -u mlflow-server.service --no-pager -o cat')).stdout,
    ];
    assert.ok(!where.some((w) => w.includes(ADMIN_PW)), 'the admin password in the unit, systemctl show or the journal');
    t.diagnostic(`${image}: --auth basic under systemd ${(sampled.res.wallMs / 1000).toFixed(1)} s`);
  });
}
