// Every command runs on the one executor: status and each lifecycle command driven end to end (task list,
// per-host log, steps, results) through the fake VM, which answers by command kind. No root, no lab.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCommandConfig, type LifecycleConfig, type StatusConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { newHandle, runOnHosts, type HostCommand } from '../../src/run/executor.js';
import { lifecycleCommand, type LifecycleResult } from '../../src/run/lifecycle.js';
import type { HostSession } from '../../src/run/session.js';
import { statusCommand } from '../../src/run/status.js';
import { FakeVm, fakeIO, type FakeVmOptions } from './fake-host.js';
import { config as provisionConfig, desiredFor, healthyProbe, LOGS, PASSWORD, withSystemd } from './host-run-kit.js';

const provisioned = provisionConfig();
const probe = healthyProbe(provisioned);
const desired = desiredFor(provisioned, probe);
/** What `status` reads back of the files provision wrote: the launcher and the 0600 secrets file. */
const lines = (text: string) => text.replace(/\n$/, '').split('\n');
const files = { launcher: lines(desired.launcher), secrets: lines(desired.secrets.reveal()) };
/** The same VM with its server stopped (no PID, nothing on the port). */
const stoppedProbe = probe.replace(/^server_(pid|fingerprint|listening)=.*\n/gm, '').replace(/^listener=.*\n/m, '');

function statusConfig(argv: Record<string, unknown> = {}): StatusConfig {
  return buildCommandConfig('status', readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS, ...argv }, {}));
}

function lifecycleConfig(command: LifecycleConfig['command'], more: Partial<LifecycleConfig> = {}): LifecycleConfig {
  return { ...statusConfig(), command, lines: 50, follow: false, purgeArtifacts: false, yes: false, interactive: false, ...more };
}

/** Runs a command on one fake VM through the real executor; its result and the VM's events. */
async function onFakeVm<S extends HostSession, R>(
  make: (io: ReturnType<typeof fakeIO>) => HostCommand<S, R>,
  config: StatusConfig,
  vm: FakeVmOptions,
): Promise<{ result: R; vm: FakeVm; log: string }> {
  const fake = new FakeVm(vm);
  const handle = newHandle<S, R>();
  await runOnHosts(make(fakeIO(fake)), config, handle, { silent: true });
  const result = handle.results.get('10.0.0.4');
  assert.ok(result, 'the host has a result');
  return { result, vm: fake, log: readFileSync(`${LOGS}/10.0.0.4.log`, 'utf8') };
}

const lifecycle = (config: LifecycleConfig, vm: FakeVmOptions) => onFakeVm((io) => lifecycleCommand(config, { io }), config, vm);

test('status on the executor: one probe, then database, /health, /version and a search at once; healthy, the password in no text', async () => {
  const { result, vm, log } = await onFakeVm((io) => statusCommand(statusConfig(), io), statusConfig(), {
    probe,
    serverUp: true,
    ...files,
    log: [`connecting with postgresql://mlflow:${PASSWORD}@db`, 'Uvicorn running'],
    answer: (req) => (req.path === '/version' ? { status: 200, body: '3.16.1' } : undefined),
  });
  assert.deepEqual(result.problems, []);
  assert.equal(result.healthy, true);
  assert.deepEqual([result.server.running, result.server.pid, result.health, result.api], [true, 4242, 200, 200]);
  assert.equal(result.database.reachable, true);
  assert.deepEqual(vm.commands, ['status-probe'], 'one remote command');
  assert.deepEqual(vm.events.filter((e) => e.startsWith('http ')).sort(), [
    'http DB mlflow',
    'http GET /health',
    'http GET /version',
    'http POST /api/2.0/mlflow/experiments/search',
  ]);
  assert.ok(!JSON.stringify(result).includes(PASSWORD), 'the password is masked in the report');
  assert.ok(result.log.lines[0]!.includes('***'));
  assert.match(log, /== read: unchanged/);
  assert.ok(!log.includes(PASSWORD), 'the per-host log has no password');
});

test('status: a stopped server and a VM never provisioned are each one sentence; not healthy', async () => {
  const stopped = await onFakeVm((io) => statusCommand(statusConfig(), io), statusConfig(), { probe: stoppedProbe, ...files });
  assert.equal(stopped.result.healthy, false);
  assert.match(stopped.result.problems.join(' '), /The MLflow server is not running \(no live process in \/home\/azureuser\/mlflow-server\.pid\)/);
  assert.ok(!stopped.vm.events.includes('http GET /health'), 'no request to a server that does not run');
  const bare = await onFakeVm((io) => statusCommand(statusConfig(), io), statusConfig(), { probe: stoppedProbe });
  assert.deepEqual(bare.result.problems, ['10.0.0.4 is not provisioned (no /home/azureuser/start-mlflow-server.sh): run provision --host 10.0.0.4.']);
});

test('stop: the recorded server stops and keeps its record; a second stop is unchanged; --dry-run touches nothing', async () => {
  const first = await lifecycle(lifecycleConfig('stop'), { probe, serverUp: true, ...files });
  assert.deepEqual([first.result.status, first.result.changed], ['ok', true]);
  assert.match(first.result.summary, /^stopped pid 4242/);
  assert.deepEqual(first.vm.commands, ['status-probe', 'stop']);
  assert.match(first.vm.commandsRun[1]!.command, /echo "0 0 \$fp \$salt"/, 'the record stays for start');
  assert.equal(first.vm.serverUp, false);
  const again = await lifecycle(lifecycleConfig('stop'), { probe: stoppedProbe, ...files });
  assert.deepEqual([again.result.changed, again.result.summary, again.vm.commands], [false, 'not running', ['status-probe']]);
  const dry = await lifecycle(lifecycleConfig('stop', { dryRun: true }), { probe, serverUp: true, ...files });
  assert.deepEqual([dry.result.changed, dry.result.summary, dry.vm.commands, dry.vm.serverUp], [true, 'the server runs as pid 4242', ['status-probe'], true]);
});

test('start: the files fingerprinted on the VM, the server started, then the one wait for /health; a running one is only asked', async () => {
  const started = await lifecycle(lifecycleConfig('start'), { probe: stoppedProbe, ...files });
  assert.deepEqual([started.result.status, started.result.summary], ['ok', 'started, /health ok']);
  assert.deepEqual(started.vm.commands, ['status-probe', 'read-files', 'start']);
  assert.ok(started.vm.events.includes('http GET /health'));
  // The fingerprint of unchanged files is the one provision computes, so a rerun after start is a no-op.
  assert.match(started.vm.commandsRun[2]!.command, new RegExp(`echo "\\$pid \\$start ${desired.fingerprint} `));
  assert.ok(!started.log.includes(PASSWORD), 'the secrets file read for the fingerprint is not logged');
  const running = await lifecycle(lifecycleConfig('start'), { probe, serverUp: true, ...files });
  assert.deepEqual([running.result.changed, running.vm.commands], [false, ['status-probe']]);
  assert.match(running.result.summary, /already running \(pid 4242\), \/health ok/);
});

test('start under systemd starts the unit; restart stops, then starts; a server that never answers fails with its log', async () => {
  const unit = withSystemd(stoppedProbe, { sha256: 'ab'.repeat(32), active: 'inactive' });
  const started = await lifecycle(lifecycleConfig('start'), { probe: unit, ...files });
  assert.deepEqual(started.vm.commands, ['status-probe', 'read-files', 'unit-start']);
  assert.equal(started.result.summary, 'started under systemd, /health ok');
  const restarted = await lifecycle(lifecycleConfig('restart'), { probe, serverUp: true, ...files });
  assert.deepEqual(restarted.vm.commands, ['status-probe', 'stop', 'read-files', 'start']);
  assert.equal(restarted.result.summary, 'restarted, /health ok');
  const wedged = await lifecycle(lifecycleConfig('start'), { probe: stoppedProbe, ...files, failOn: { start: 'setsid: failed to execute' } });
  assert.equal(wedged.result.status, 'failed');
  assert.match(wedged.result.error!, /^"nohup \/home\/azureuser\/start-mlflow-server\.sh" failed on 10\.0\.0\.4 \(exit 1\): setsid: failed to execute\.$/);
});

test('logs: the last lines masked, the unit journal under systemd; --follow streams until Ctrl-C ends the session', async () => {
  const plain = await lifecycle(lifecycleConfig('logs'), { probe, serverUp: true, ...files, log: [`pw ${PASSWORD}`, 'ok'] });
  assert.deepEqual(plain.result.lines, ['pw ***', 'ok']);
  assert.equal(plain.result.journal, undefined);
  const unit = await lifecycle(lifecycleConfig('logs'), { probe: withSystemd(probe, { sha256: 'ab'.repeat(32) }), ...files, log: ['x'] });
  assert.deepEqual(unit.vm.commands, ['status-probe', 'journal']);
  assert.match(unit.result.journal![0]!, /Started mlflow-server\.service/);

  const config = lifecycleConfig('logs', { follow: true });
  const fake = new FakeVm({ probe, serverUp: true, ...files, log: ['before'] });
  const followed: string[] = [];
  const handle = newHandle<HostSession, LifecycleResult>();
  const command = lifecycleCommand(config, {
    io: fakeIO(fake),
    onFollowLine: (host, line) => {
      followed.push(`${host} ${line}`);
      if (line === 'another new line') for (const s of handle.sessions) void s.interrupt();
    },
  });
  await runOnHosts(command as HostCommand<HostSession, LifecycleResult>, config, handle, { silent: true });
  assert.deepEqual(followed, ['10.0.0.4 before', '10.0.0.4 a new line', '10.0.0.4 another new line']);
  assert.deepEqual([handle.results.get('10.0.0.4')!.status, handle.results.get('10.0.0.4')!.summary], ['ok', 'followed until interrupted']);
});

test('remove: unit, files and venv go, artifacts and log stay; --dry-run lists and runs nothing; not provisioned is unchanged', async () => {
  const dry = await lifecycle(lifecycleConfig('remove', { dryRun: true }), { probe, serverUp: true, ...files });
  assert.deepEqual(dry.vm.commands, ['status-probe']);
  assert.match(dry.result.summary, /^would remove \/home\/azureuser\/start-mlflow-server\.sh/);
  const removed = await lifecycle(lifecycleConfig('remove'), { probe, serverUp: true, ...files });
  assert.deepEqual(removed.vm.commands, ['status-probe', 'stop', 'remove-files', 'remove-venv']);
  assert.ok(removed.result.kept!.some((k) => k.startsWith('/home/azureuser/mlflow-server.log')));
  assert.ok(removed.result.removed!.includes('/home/azureuser/mlflow-venv'));
  const nothing = await lifecycle(lifecycleConfig('remove'), { probe: fixtureFresh() });
  assert.deepEqual([nothing.result.changed, nothing.result.summary], [false, 'nothing of provision is on this VM']);
});

test('a lifecycle command on a VM never provisioned fails in one sentence, before any change', async () => {
  const { result, vm } = await lifecycle(lifecycleConfig('stop'), { probe: fixtureFresh() });
  assert.deepEqual([result.status, result.error], ['failed', '10.0.0.4 is not provisioned (no /home/azureuser/start-mlflow-server.sh): run provision first.']);
  assert.deepEqual(vm.commands, ['status-probe']);
});

function fixtureFresh(): string {
  return readFileSync(new URL('../../fixtures/probe/fresh-debian12.txt', import.meta.url), 'utf8');
}
