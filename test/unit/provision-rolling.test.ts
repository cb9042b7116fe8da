// A provision run that restarts the servers of a fleet rolls them (issue 25 item 4): every other step runs on
// every VM at once, the restarts one VM at a time, each drained before its stop and back in the load balancer
// before the next VM's; a failed restart ends the turns. Three fake VMs through the real executor.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { RemoteCommand } from '../../src/action/action.js';
import { buildCommandConfig, type ProvisionConfig } from '../../src/config/config.js';
import type { LifecycleConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { statusJson } from '../../src/cli/render-status.js';
import { parseFacts } from '../../src/plan/facts.js';
import { lifecycleCommand, type LifecycleResult } from '../../src/run/lifecycle.js';
import { statusCommand, type HostStatus } from '../../src/run/status.js';
import { newHandle, runOnHosts } from '../../src/run/executor.js';
import type { HostResult, HostRun } from '../../src/run/host-run.js';
import { provisionCommand } from '../../src/run/tasks.js';
import { FakeVm, fakeFleetIO, fakeIO, type FakeVmOptions } from './fake-host.js';
import { config, desiredFor, healthyProbe, LOGS, PASSWORD } from './host-run-kit.js';

const HOSTS = ['10.0.0.4', '10.0.0.5', '10.0.0.6'];
const BLOB = { 'artifacts-destination': 'wasbs://mlflow-art@myacct.blob.core.windows.net/fleet' };
const ROLL_KINDS = new Set(['drain-start', 'stop', 'start', 'drain-end']);

/** The run's configuration: the fleet on Blob, as the fleet rules want. */
function fleetConfig(argv: Record<string, unknown> = {}): ProvisionConfig {
  const env = { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: PASSWORD, AZURE_STORAGE_ACCESS_KEY: 'c3RvcmFnZS1rZXktZm9yLXRlc3Rz' };
  return buildCommandConfig('provision', readSettings({ host: HOSTS, 'ssh-config': '/nonexistent', 'log-dir': LOGS, ...BLOB, ...argv }, env));
}

/**
 * A VM of the fleet whose server runs with this configuration but whose venv lacks the database driver: the
 * run reinstalls it, so the server restarts.
 */
function reinstallVm(host: string, c: ProvisionConfig, extra: Partial<FakeVmOptions> = {}): FakeVmOptions {
  const own = { ...c, targets: [c.targets.find((t) => t.address === host)!] };
  const probe = healthyProbe(own, (p) => p.replace('driver_importable=1\n', ''));
  return { probe, serverUp: true, database: { hasMlflowSchema: true }, ...extra };
}

/**
 * Runs provisioning on three fake VMs; every command of every VM in one list, in the order they ran. The
 * restarts take turns in the order the VMs reach them: `lateBy` holds a VM's reinstall back (ms) to set it.
 */
async function onFleet(c: ProvisionConfig, vm: (host: string) => FakeVmOptions, lateBy: (host: string) => number = (h) => 20 * HOSTS.indexOf(h)) {
  const order: string[] = [];
  const fakes = new Map<string, FakeVm>();
  const hosts = c.targets.map((t) => t.address);
  for (const host of hosts) {
    const fake = new FakeVm(vm(host));
    const exec = fake.exec.bind(fake);
    fake.exec = async (command: RemoteCommand, o) => {
      if (command.kind === 'pip-install') await new Promise((r) => setTimeout(r, lateBy(host)));
      order.push(`${host} ${command.kind}`);
      return exec(command, o);
    };
    fakes.set(host, fake);
  }
  const handle = newHandle<HostRun, HostResult>();
  await runOnHosts(provisionCommand(c, fakeFleetIO(fakes)), c, handle, { silent: true });
  const results = hosts.map((h) => handle.results.get(h)!);
  return { order, results, fakes, restarts: order.filter((e) => ROLL_KINDS.has(e.split(' ')[1]!)) };
}

test('a rerun that restarts three servers of a fleet: one VM at a time, drained first, back in the load balancer before the next', async () => {
  const c = { ...fleetConfig({ concurrency: 3 }), drainSeconds: 0.05 };
  const { order, results, restarts } = await onFleet(c, (h) => reinstallVm(h, c));
  assert.deepEqual(
    results.map((r) => [r.status, r.error]),
    HOSTS.map(() => ['ok', undefined]),
  );
  assert.deepEqual(
    restarts,
    HOSTS.flatMap((h) => ['drain-start', 'stop', 'start', 'drain-end'].map((k) => `${h} ${k}`)),
    "no VM's server stops before the previous VM is back",
  );
  // The other steps ran on every VM at once: the second VM reinstalled while the first one was out.
  assert.ok(order.indexOf(`${HOSTS[1]} pip-install`) < order.indexOf(`${HOSTS[0]} drain-end`));
  const log = readFileSync(results[1]!.log!, 'utf8');
  assert.match(
    log,
    /== server: changed \(MLflow was reinstalled; started pid \d+; one VM at a time: drained for 0\.05 s .*, rejoined: the probe answered for 0\.05 s\)/,
  );
  assert.match(log, /waiting for 10\.0\.0\.4 to be back in the load balancer/);
});

test("a fleet's restart that fails ends the turns: the VMs after it keep their servers running and say why; --dry-run says how it would roll", async () => {
  const c = { ...fleetConfig(), drainSeconds: 0.01 };
  const failing = await onFleet(
    c,
    (h) => reinstallVm(h, c, h === HOSTS[1] ? { failOn: { start: 'mlflow: address already in use' } } : {}),
    (h) => [20, 0, 40][HOSTS.indexOf(h)]!,
  );
  assert.deepEqual(
    failing.results.map((r) => r.status),
    ['failed', 'failed', 'failed'],
  );
  assert.match(failing.results[2]!.error ?? '', /server not restarted: the fleet's restarts go one VM at a time and stopped when 10\.0\.0\.5 failed/);
  assert.match(failing.results[0]!.error ?? '', /stopped when 10\.0\.0\.5 failed/);
  assert.ok(!failing.restarts.some((e) => !e.startsWith(HOSTS[1]!)), 'the VMs after the failed one were neither drained nor stopped');
  assert.ok(!failing.restarts.includes(`${HOSTS[1]} drain-end`), 'the failed VM stays out of the load balancer');

  const dry = { ...fleetConfig({ 'dry-run': true }), drainSeconds: 15 };
  const planned = await onFleet(dry, (h) => reinstallVm(h, dry));
  assert.deepEqual(planned.restarts, []);
  assert.match(readFileSync(planned.results[0]!.log!, 'utf8'), /would restart one VM at a time, out of the load balancer for 15 s first: /);
});

test('one VM restarts at once without --drain-seconds, and drains with it; a server that does not serve is not drained', async () => {
  const one = fleetConfig({ host: [HOSTS[0]] });
  const plain = await onFleet(one, (h) => reinstallVm(h, one));
  assert.deepEqual(plain.restarts, [`${HOSTS[0]} stop`, `${HOSTS[0]} start`]);

  const drained = { ...fleetConfig({ host: [HOSTS[0]] }), drainSeconds: 0.01 };
  const asked = await onFleet(drained, (h) => reinstallVm(h, drained));
  assert.deepEqual(
    asked.restarts,
    ['drain-start', 'stop', 'start', 'drain-end'].map((k) => `${HOSTS[0]} ${k}`),
  );

  // The server process lives but nothing listens: out of the pool already, restarted without a drain, then back.
  const deaf = { ...fleetConfig({ host: [HOSTS[0]] }), drainSeconds: 0.01 };
  const notServing = await onFleet(deaf, (h) =>
    reinstallVm(h, deaf, { probe: reinstallVm(h, deaf).probe.replace('server_listening=1', 'server_listening=0') }),
  );
  assert.deepEqual(notServing.restarts, [`${HOSTS[0]} stop`, `${HOSTS[0]} start`, `${HOSTS[0]} drain-end`]);
});

const LEFT_DRAIN = 'drain_rule=32100:\tfrom all to 168.63.129.16 ipproto tcp sport 5000 prohibit';
const withDrain = (probe: string) => probe.replace('probe_done=1', `${LEFT_DRAIN}\nprobe_done=1`);

test('a drain an interrupted roll left: the probe reads it, status calls the VM out of its load balancer, a rerun and start put it back', async () => {
  assert.deepEqual(parseFacts(`${LEFT_DRAIN}\nprobe_done=1\n`).drain, { probeSource: '168.63.129.16', port: 5000 });
  assert.deepEqual(parseFacts('drain_rule=32100:\tfrom all to $(reboot) prohibit\nprobe_done=1\n').drain, {}, 'only an address and a number are read');
  assert.equal(parseFacts('probe_done=1\n').drain, undefined);

  // provision: the server is kept (nothing changed), the drain goes.
  const one = config();
  const kept = await onFleet(one, (h) => ({ ...reinstallVm(h, one), probe: withDrain(healthyProbe(one)) }));
  assert.equal(kept.results[0]!.status, 'ok');
  assert.deepEqual(kept.restarts, [`${HOSTS[0]} drain-end`], 'no restart, the drain removed');
  assert.match(
    readFileSync(kept.results[0]!.log!, 'utf8'),
    /== server: changed \(running as pid \d+ with this configuration; rejoined the load balancer: the VM was out of its load balancer/,
  );
  const clean = await onFleet(one, (h) => ({ ...reinstallVm(h, one), probe: healthyProbe(one) }));
  assert.deepEqual(clean.restarts, [], 'a VM without a drain: no rejoin command');

  // status: one problem sentence, exit-worthy; the JSON line names the rule.
  const d = desiredFor(one, healthyProbe(one));
  const files = { launcher: d.launcher.replace(/\n$/, '').split('\n'), secrets: d.secrets.reveal().replace(/\n$/, '').split('\n') };
  const statusOf = buildCommandConfig('status', readSettings({ host: [HOSTS[0]], 'ssh-config': '/nonexistent', 'log-dir': LOGS }, {}));
  const vm = new FakeVm({ probe: withDrain(healthyProbe(one)), serverUp: true, ...files });
  const handle = newHandle();
  await runOnHosts(statusCommand(statusOf, fakeIO(vm)), statusOf, handle, { silent: true });
  const status = handle.results.get(HOSTS[0]!) as HostStatus;
  assert.equal(status.healthy, false);
  assert.ok(
    status.problems.some((p) => /^The VM is out of its load balancer: a drain rule .* port 5000 .* 168\.63\.129\.16\) was left by a rolling restart/.test(p)),
    status.problems.join('; '),
  );
  assert.deepEqual(JSON.parse(statusJson(status)).drained, { probeSource: '168.63.129.16', port: 5000 });

  // start of a running server: it answers, so it rejoins.
  const startOf: LifecycleConfig = { ...statusOf, command: 'start', lines: 50, follow: false, purgeArtifacts: false, yes: false, interactive: false };
  const started = new FakeVm({ probe: withDrain(healthyProbe(one)), serverUp: true, ...files });
  const lh = newHandle();
  await runOnHosts(lifecycleCommand(startOf, { io: fakeIO(started) }), startOf, lh, { silent: true });
  assert.deepEqual(started.commands, ['status-probe', 'drain-end']);
  assert.match((lh.results.get(HOSTS[0]!) as LifecycleResult).summary, /already running .*; rejoined the load balancer/);
});
