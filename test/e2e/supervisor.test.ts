// Issue 13: --supervisor systemd on lab VMs that really boot (systemd as PID 1), Debian 12 and Debian 13, with the
// real MLflow: a first provision while apt-daily runs and a no-op rerun (both images); kill -9, `sudo reboot`,
// switching supervisors both ways, a reboot under nohup, a unit edited by hand, --auth basic, log rotation (Debian 12).
// Checked from outside the tool.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { DEFAULT_MLFLOW_VERSION } from '../../src/config/mlflow-version.js';
import { bootedSnapshotName, dbEnv, newWorkdir, provision, provisionSampled, statusFlags, withLabFlags, type CliRun } from './cli.js';
import { httpToVm } from './http.js';
import {
  ensureBootedVm,
  ensureLab,
  hasSnapshot,
  labPsql,
  labSsh,
  rebootVm,
  requireLab,
  snapshotVm,
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
/** --log-size 0.01: the log is rotated at 10486 bytes (about 100 access-log lines), 5 older files kept. */
const LOG_SIZE = ['--log-size', '0.01'];
const LOG_BOUND = Math.round(0.01 * 1024 * 1024);
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
/** The images whose flow ran to its end: their VM is saved for tls.test.ts (provisionedBootedVm in cli.ts). */
const finished = new Set<VmImage>();
after(async () => {
  if (!available) return;
  for (const [vm, image] of IMAGES) {
    const name = bootedSnapshotName(image);
    if (finished.has(image) && !hasSnapshot(name)) await snapshotVm(vm, name).catch(() => undefined);
  }
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

/** GET /PREFIX-00001 ... /PREFIX-0000N from the laptop, one after another: N access-log lines, in order. */
async function sendMarkers(vm: number, prefix: string, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    const res = await fetch(`http://${vmIp(vm)}:5000/${prefix}-${String(i).padStart(5, '0')}`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
  }
}

/**
 * The log and its rotated files as the VM has them, read without the tool: each file's size (the log last,
 * rotated ones oldest first) and the numbers of PREFIX's markers across them, oldest first.
 */
async function logOnVm(vm: number, prefix: string): Promise<{ sizes: Array<[string, number]>; markers: number[] }> {
  const out = await vmExec(
    vm,
    `cd /home/azureuser && files=$(for i in $(seq 20 -1 1); do [ -f mlflow-server.log.$i ] && echo mlflow-server.log.$i; done; echo mlflow-server.log) && ` +
      `stat -c 'size %n %s' $files && cat $files | grep -o '${prefix}-[0-9]*'`,
  );
  const lines = out.stdout.split('\n');
  return {
    sizes: lines.filter((l) => l.startsWith('size ')).map((l) => [l.split(' ')[1]!, Number(l.split(' ')[2])]),
    markers: lines.filter((l) => l.startsWith(`${prefix}-`)).map((l) => Number(l.slice(prefix.length + 1))),
  };
}

/**
 * Sends more marker requests than the log and its 5 rotated files hold, then checks from outside the tool:
 * every file within the bound, 5 rotated ones, and the markers kept are the last ones without a gap (no line
 * lost or split at any of the rotations); the server (and its PID) the same throughout.
 */
async function checkRotation(t: TestContext, vm: number, prefix: string, serverPid: () => Promise<number>): Promise<void> {
  const pid = await serverPid();
  const started = Date.now();
  await sendMarkers(vm, prefix, 1000);
  t.diagnostic(`${prefix}: 1000 requests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const log = await logOnVm(vm, prefix);
  assert.deepEqual(
    log.sizes.map(([name]) => name),
    ['mlflow-server.log.5', 'mlflow-server.log.4', 'mlflow-server.log.3', 'mlflow-server.log.2', 'mlflow-server.log.1', 'mlflow-server.log'],
  );
  for (const [name, size] of log.sizes) assert.ok(size <= LOG_BOUND, `${name}: ${size} bytes, over ${LOG_BOUND}`);
  assert.equal(log.markers.at(-1), 1000);
  log.markers.forEach((m, i) => assert.equal(m, log.markers[0]! + i, `marker ${log.markers[0]! + i} lost`));
  assert.ok(log.markers.length >= 200, `only ${log.markers.length} markers kept`);
  assert.equal(await serverPid(), pid, 'the same server: rotation restarts nothing');
  // The writer runs in the server's process group, so a stop (or systemd's) reaches it too.
  const groups = await vmExec(vm, `ps -eo pgid=,args= | grep -F 'import os, signal, sys' | grep -v grep | awk '{print $1}'`);
  assert.equal(groups.stdout.trim(), String(pid), 'one log writer, in the server’s process group');
}

function ok(res: CliRun): void {
  assert.equal(res.code, 0, `exit code\n${res.stdout}\n${res.stderr}`);
}

for (const [vm, image] of IMAGES) {
  const workdir = newWorkdir();
  // Every run of the flow rotates the log at 10 KiB: the writer is in place through kill -9, reboots and switches.
  const run = (args: string[], env: Record<string, string> = {}) => provision(withLabFlags(vm, workdir, [...LOG_SIZE, ...args]), { workdir, env });

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
    if (image === 'debian13') finished.add(image); // the last test of Debian 13's flow
  });

  // Debian 13 stops here: its systemd installs, starts and reports the unit above. What kill -9 and a reboot do to an
  // enabled unit with Restart=on-failure is systemd's, the same on both releases: Debian 12 proves it below, and a
  // Debian 13 VM's own reboot is lab-boot.test.ts's (vm42).
  if (image === 'debian12')
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

  // The repairs, the switches and --auth basic below are the same plan on either systemd: Debian 12 proves them on a
  // real VM, and test/unit/supervisor.test.ts and supervisor-repairs.test.ts through the fake VM.
  if (image === 'debian12')
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

  if (image === 'debian12')
    test(`${image}: --auth basic under systemd; no secret on any command line while it restarts`, async (t: TestContext) => {
      if (!requireLab(t)) return;
      const sampled = await provisionSampled(vm, [...LOG_SIZE, '--supervisor', 'systemd', '--auth', 'basic'], {
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

  if (image === 'debian12')
    test(`${image}: the log is rotated by size under systemd and under nohup, with the same server; status shows its size; a stop ends the writer`, async (t: TestContext) => {
      if (!requireLab(t)) return;
      const authEnv = { MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PW, POSTGRES_AUTH_DB: AUTH_DB };
      // Under systemd, as the flow left it.
      await checkRotation(t, vm, 'unit-marker', () => mainPid(vm));
      const status = await provision(['status', ...statusFlags(vm, workdir), '--json'], { workdir });
      assert.equal(status.code, 0, status.stdout + status.stderr);
      const report = JSON.parse(status.stdout.trim().split('\n').at(-1)!) as {
        logSize: { bytes: number; rotatedFiles: number; totalBytes: number; maxBytes: number };
      };
      assert.equal(report.logSize.rotatedFiles, 5);
      assert.equal(report.logSize.maxBytes, LOG_BOUND);
      assert.ok(report.logSize.bytes <= LOG_BOUND && report.logSize.totalBytes > 5 * (LOG_BOUND - 200), JSON.stringify(report.logSize));
      const text = await provision(['status', ...statusFlags(vm, workdir)], { workdir });
      assert.match(text.stdout, /\n {2}log +[\d.]+ (B|KiB), and 5 rotated files: [\d.]+ KiB in all \(rotated at 10\.2 KiB, 5 kept\)\n/);

      // Under nohup: the server the PID file names.
      ok(await run(['--supervisor', 'nohup', '--auth', 'basic'], authEnv));
      const recorded = async () => Number((await vmReadFile(vm, '/home/azureuser/mlflow-server.pid')).split(' ')[0]);
      await checkRotation(t, vm, 'nohup-marker', recorded);
      const stop = await provision(['stop', ...statusFlags(vm, workdir)], { workdir });
      assert.equal(stop.code, 0, stop.stdout + stop.stderr);
      assert.deepEqual(
        (await vmProcesses(vm)).filter((p) => p.cmdline.includes('/mlflow-venv/bin/')).map((p) => p.cmdline.slice(0, 80)),
        [],
        'no server process and no log writer left',
      );
      assert.match(await vmReadFile(vm, '/home/azureuser/mlflow-server.log'), /Finished server process/, 'the server’s last lines are in the log');
      finished.add(image); // the last test of Debian 12's flow
    });
}
