// Rolling restarts (issue 25 item 4): the decision (plan/rolling.ts), the drain commands (plan/drain.ts), and a
// restart of three fake VMs through the real executor: one VM at a time, drained, restarted, back; a failure
// stops the roll.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RemoteCommand } from '../../src/action/action.js';
import { buildCommandConfig, type LifecycleConfig, type StatusConfig } from '../../src/config/config.js';
import { optionsOf } from '../../src/config/options.js';
import { readSettings } from '../../src/config/settings.js';
import { AZURE_PROBE_SOURCE, drainCommand, probedPort, rejoinCommand } from '../../src/plan/drain.js';
import { rollingPlan } from '../../src/plan/rolling.js';
import { newHandle, runOnHosts } from '../../src/run/executor.js';
import type { HostIO } from '../../src/run/host-io.js';
import { lifecycleCommand, rollOf, type LifecycleResult, type LifecycleSession } from '../../src/run/lifecycle.js';
import { rollingRun } from '../../src/run/rolling.js';
import { FakeVm, fakeIO, type FakeVmOptions } from './fake-host.js';
import { config as provisionConfig, desiredFor, healthyProbe, LOGS } from './host-run-kit.js';

const HOSTS = ['10.0.0.4', '10.0.0.5', '10.0.0.6'];
const probe = healthyProbe(provisionConfig());
const desired = desiredFor(provisionConfig(), probe);
const lines = (text: string) => text.replace(/\n$/, '').split('\n');
const files = { launcher: lines(desired.launcher), secrets: lines(desired.secrets.reveal()) };

function restartConfig(hosts: string[], argv: Record<string, unknown> = {}): LifecycleConfig {
  const argvOf = { host: hosts, 'ssh-config': '/nonexistent', 'log-dir': LOGS, ...argv };
  return buildCommandConfig('restart', readSettings(argvOf, {}, optionsOf('restart')));
}

test("a restart of several VMs rolls with a 15 s drain from Azure's probe address; one VM rolls only when --drain-seconds asks; other commands never", () => {
  assert.deepEqual(rollingPlan(true, restartConfig(HOSTS)), { rolling: true, drainSeconds: 15, probeSource: '168.63.129.16' });
  assert.deepEqual(rollingPlan(true, restartConfig(HOSTS, { 'drain-seconds': 0 })), { rolling: true, drainSeconds: 0, probeSource: '168.63.129.16' });
  assert.equal(rollingPlan(true, restartConfig(['10.0.0.4'])).rolling, false);
  assert.deepEqual(rollingPlan(true, restartConfig(['10.0.0.4'], { 'drain-seconds': 3, 'lb-probe-source': '10.231.0.9' })), {
    rolling: true,
    drainSeconds: 3,
    probeSource: '10.231.0.9',
  });
  const stop: StatusConfig = buildCommandConfig('stop', readSettings({ host: HOSTS, 'ssh-config': '/nonexistent', 'log-dir': LOGS }, {}, optionsOf('stop')));
  assert.equal(rollOf({ ...(stop as LifecycleConfig), command: 'stop' }), undefined);
  assert.throws(() => restartConfig(HOSTS, { 'lb-probe-source': '168.63.129.16; reboot' }), /--lb-probe-source must be an IPv4 address/);
  assert.equal(rollingRun({ concurrency: 5 }, rollOf(restartConfig(HOSTS))).concurrency, 1);
  assert.equal(rollingRun({ concurrency: 5 }, rollOf(restartConfig(['10.0.0.4']))).concurrency, 5);
});

test("the drain is one policy-routing rule: the server port's replies to the probe's address only, replacing any left over; rejoin removes it", () => {
  const drain = drainCommand(5000, AZURE_PROBE_SOURCE);
  assert.equal(drain.kind, 'drain-start');
  assert.match(
    drain.command,
    /while sudo -n ip rule del pref 32100 2>\/dev\/null; do :; done; sudo -n ip rule add pref 32100 to 168\.63\.129\.16\/32 ipproto tcp sport 5000 prohibit$/,
  );
  const rejoin = rejoinCommand();
  assert.equal(rejoin.kind, 'drain-end');
  assert.match(rejoin.command, /^while sudo -n ip rule del pref 32100 2>\/dev\/null; do :; done; true$/);
  assert.doesNotMatch(rejoin.command, /ip rule add/);
});

/** Three fake VMs behind one IO; every command of every VM in one list, in the order they ran. */
function fleet(options: (host: string) => Partial<FakeVmOptions> = () => ({})) {
  const order: string[] = [];
  const vms = new Map<string, FakeVm>();
  for (const host of HOSTS) {
    const vm = new FakeVm({ probe, serverUp: true, ...files, ...options(host) });
    const exec = vm.exec.bind(vm);
    vm.exec = (c: RemoteCommand, o) => {
      order.push(`${host} ${c.kind}`);
      return exec(c, o);
    };
    vms.set(host, vm);
  }
  const io: HostIO = { ...fakeIO(vms.get(HOSTS[0]!)!), connect: async (target) => vms.get(target.address)! };
  return { order, io };
}

async function roll(config: LifecycleConfig, io: HostIO): Promise<LifecycleResult[]> {
  const r = rollOf(config);
  const handle = newHandle<LifecycleSession, LifecycleResult>();
  await runOnHosts(lifecycleCommand(config, { io, ...(r ? { roll: r } : {}) }), rollingRun(config, r), handle, { silent: true });
  return HOSTS.map((h) => handle.results.get(h)!);
}

test('a rolling restart of three VMs: one at a time in the order given, each drained, stopped, started (/health), back in the load balancer', async () => {
  const { order, io } = fleet();
  const config = { ...restartConfig(HOSTS, { concurrency: 3 }), drainSeconds: 0.05 };
  const started = Date.now();
  const results = await roll(config, io);
  assert.deepEqual(
    results.map((r) => r.status),
    ['ok', 'ok', 'ok'],
  );
  const perVm = ['status-probe', 'drain-start', 'stop', 'read-files', 'start', 'drain-end'];
  assert.deepEqual(
    order,
    HOSTS.flatMap((h) => perVm.map((k) => `${h} ${k}`)),
    'no VM begins before the previous one is back',
  );
  assert.ok(Date.now() - started >= 6 * 50, 'each VM waits the drain and the rejoin');
  assert.match(results[0]!.summary, /rejoined: the probe answered for 0\.05 s/);
});

test('--drain-seconds 0 still restarts one VM at a time, with no drain rule; the first failure stops the roll, the VMs after it untouched', async () => {
  const noDrain = fleet();
  await roll({ ...restartConfig(HOSTS), drainSeconds: 0 }, noDrain.io);
  assert.deepEqual(
    noDrain.order.filter((e) => e.startsWith(HOSTS[0]!)),
    ['status-probe', 'stop', 'read-files', 'start', 'drain-end'].map((k) => `${HOSTS[0]} ${k}`),
  );

  const failing = fleet((host) => (host === HOSTS[1] ? { failOn: { start: 'mlflow: address already in use' } } : {}));
  const results = await roll({ ...restartConfig(HOSTS), drainSeconds: 0.01 }, failing.io);
  assert.deepEqual(
    results.map((r) => r.status),
    ['ok', 'failed', 'failed'],
  );
  assert.deepEqual(
    failing.order.filter((e) => e.startsWith(HOSTS[2]!)),
    [`${HOSTS[2]} status-probe`],
    'the VM after the failed one is only read',
  );
  assert.match(results[2]!.error ?? '', /not restarted: the rolling restart stopped when 10\.0\.0\.5 failed/);
  assert.ok(!failing.order.includes(`${HOSTS[1]} drain-end`), 'the failed VM stays out of the load balancer');
});

test('with --tls (Caddy of ours on the VM) the drain names port 443, the port the load balancer probes', async () => {
  assert.equal(probedPort(5000, true), 443);
  assert.equal(probedPort(5001, false), 5001);
  const proxied = probe.replace('probe_done=1', 'proxy_ours=1\nprobe_done=1');
  const { io } = fleet(() => ({ probe: proxied }));
  const drains: string[] = [];
  const watched: HostIO = {
    ...io,
    connect: async (target, ...rest) => {
      const vm = await io.connect(target, ...rest);
      const exec = vm.exec.bind(vm);
      vm.exec = (c: RemoteCommand, o) => {
        if (c.kind === 'drain-start') drains.push(c.command);
        return exec(c, o);
      };
      return vm;
    },
  };
  await roll({ ...restartConfig(HOSTS), drainSeconds: 0.01 }, watched);
  assert.equal(drains.length, 3);
  for (const d of drains) assert.match(d, /ipproto tcp sport 443 prohibit$/);
});
