// Issue 25 items 3 and 4: three VMs (15, 16, 17) on ONE database behind the lab's load balancer (HAProxy as an
// Azure Standard Load Balancer behaves: L4, a /health probe from its own address, no retry). A run logged through
// the load balancer reads back through each VM directly; a bounded client loop through the load balancer sees 0
// failed requests during `restart --hosts-file` and during a provision rerun that changes every server's
// configuration, and the load balancer never has more than one VM out at once. The same roll without draining
// is measured by `npm run bench:fleet-lb` (docs/benchmarks.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { provision } from './cli.js';
import { httpToVm } from './http.js';
import { ensureLab, requireLab, vmExec, vmIp, vmReadFile } from './lab.js';
import {
  clientLoopDuring,
  LAB_PROBE_SOURCE,
  lbAllUp,
  lbDown,
  lbSeesDown,
  lbUp,
  mostOutAtOnce,
  provisionFleet,
  reachOf,
  reprovisionFleet,
  restartFleet,
  throughLb,
  type Fleet,
} from './lb.js';

const VMS = [15, 16, 17];
/**
 * The lab's probe: every 2 s, down after 2 failures, up after 2 successes. An unanswered probe fails at its
 * timeout, after which the next one waits its interval: the drain is interval x (fall + 1), 6 s.
 */
const PROBE = { interval: 2, fall: 2, rise: 2 };
const DRAIN = PROBE.interval * (PROBE.fall + 1);
/** The client loop's bound: it stops when the restart ends, or after this many requests. */
const MAX_REQUESTS = 20_000;

let available = true;
let fleet: Fleet | undefined;
before(async (t) => {
  available = requireLab(t as never);
  if (available) await ensureLab(Math.max(...VMS));
});
after(async () => {
  if (available) await lbDown().catch(() => undefined);
  // The MLflow servers of these VMs are stopped by cli.ts's after hook (it read the hosts file).
});

test('three VMs on one database behind the load balancer: a run logged through it reads back through each VM', async (t) => {
  if (!requireLab(t)) return;
  const made = await provisionFleet(VMS, `rolling_${process.pid}`);
  t.diagnostic(`provisioning 3 VMs onto one database: ${(made.run.wallMs / 1000).toFixed(1)} s`);
  assert.equal(made.run.code, 0, made.run.stdout + made.run.stderr);
  fleet = made.fleet;
  await lbUp(VMS, PROBE);

  const call = async (path: string, body: unknown) => {
    const r = await throughLb(path, 'POST', JSON.stringify(body));
    assert.equal(r.status, 200, `${path}: ${r.body}`);
    return JSON.parse(r.body) as Record<string, any>;
  };
  const { experiment_id: experimentId } = await call('/api/2.0/mlflow/experiments/create', { name: `through-lb-${Date.now()}` });
  const { run } = await call('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, start_time: Date.now() });
  const runId = String(run.info.run_id);
  await call('/api/2.0/mlflow/runs/log-metric', { run_id: runId, key: 'loss', value: 0.125, timestamp: Date.now(), step: 1 });
  for (const k of VMS) {
    const got = await httpToVm(vmIp(k), { path: `/api/2.0/mlflow/runs/get?run_id=${runId}` });
    assert.equal(got.status, 200, `vm${k}: ${got.body}`);
    const metrics = (JSON.parse(got.body) as { run: { data: { metrics: Array<{ key: string; value: number }> } } }).run.data.metrics;
    assert.deepEqual(
      metrics.map((m) => [m.key, m.value]),
      [['loss', 0.125]],
      `the run through vm${k}`,
    );
  }
  // An artifact logged through the load balancer lands in the fleet's Blob container: every VM serves it.
  const artifact = `${experimentId}/${runId}/artifacts/through-lb-${Date.now()}.txt`;
  const payload = `logged through the load balancer ${Date.now()}`;
  const put = await throughLb(`/api/2.0/mlflow-artifacts/artifacts/${artifact}`, 'PUT', payload);
  assert.equal(put.status, 200, put.body);
  for (const k of VMS) {
    const got = await httpToVm(vmIp(k), { path: `/api/2.0/mlflow-artifacts/artifacts/${artifact}` });
    assert.deepEqual([got.status, got.body], [200, payload], `the artifact through vm${k}`);
  }
});

test('restart --hosts-file rolls one VM at a time: 0 failed requests through the load balancer, never two VMs out', async (t) => {
  if (!requireLab(t)) return;
  assert.ok(fleet, 'the fleet the first test provisioned');
  await lbAllUp(VMS);
  const watched = await mostOutAtOnce(clientLoopDuring(restartFleet(fleet, DRAIN), MAX_REQUESTS));
  const drained = watched.value;
  const rolled = drained.value;
  assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
  for (const k of VMS) assert.match(rolled.stdout, new RegExp(`${vmIp(k).replace(/\./g, '\\.')}: restart changed \\(rejoined`));
  console.log(
    `rolling restart of 3 VMs, ${DRAIN} s drain: ${(rolled.wallMs / 1000).toFixed(1)} s; ${drained.sent} requests through the load balancer, ${drained.failed} failed; at most ${watched.most} VM out at once`,
  );
  assert.equal(drained.failed, 0, `failed requests with draining: ${drained.failures.join('; ')}\n${rolled.stdout}`);
  assert.ok(drained.sent >= 100, `the loop ran during the roll (${drained.sent} requests)`);
  assert.equal(watched.most, 1, 'the load balancer saw one VM out at a time (and saw the drain)');
});

test("a provision rerun that changes every server's configuration rolls: one VM at a time, 0 failed requests", async (t) => {
  if (!requireLab(t)) return;
  assert.ok(fleet, 'the fleet the first test provisioned');
  await lbAllUp(VMS);
  const change = { '--workers': '2', '--drain-seconds': String(DRAIN), '--lb-probe-source': LAB_PROBE_SOURCE };
  const watched = await mostOutAtOnce(clientLoopDuring(reprovisionFleet(fleet, change), MAX_REQUESTS));
  const loop = watched.value;
  const rerun = loop.value;
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  console.log(
    `provision rerun of 3 VMs (--workers 1 -> 2), ${DRAIN} s drain: ${(rerun.wallMs / 1000).toFixed(1)} s; ${loop.sent} requests through the load balancer, ${loop.failed} failed; at most ${watched.most} VM out at once`,
  );
  const rolled =
    rerun.everything.match(/== server: changed \(the server runs an older configuration; started pid \d+.*; one VM at a time: drained for \d+ s/g) ?? [];
  assert.equal(rolled.length, VMS.length, `every VM's server restarted in its turn, drained first:\n${rerun.everything}`);
  assert.equal(loop.failed, 0, `failed requests during the rerun: ${loop.failures.join('; ')}`);
  assert.ok(loop.sent >= 100, `the loop ran during the rerun (${loop.sent} requests)`);
  assert.equal(watched.most, 1, 'the load balancer saw one VM out at a time');
  // Each server was restarted from the new launcher, answers, and no drain rule is left on any VM.
  for (const k of VMS) {
    assert.match(await vmReadFile(k, '/home/azureuser/start-mlflow-server.sh'), /--workers '?2'? /, `vm${k}'s launcher`);
    const got = await httpToVm(vmIp(k), { path: '/health' });
    assert.equal(got.status, 200, `vm${k} after the rerun`);
    assert.equal((await vmExec(k, 'ip rule show pref 32100', { user: 'root' })).stdout.trim(), '', `vm${k}: no drain rule left`);
  }
  await lbAllUp(VMS);
});

test('a drain left behind on a real VM: the load balancer drops it, status says so (exit 1), a provision rerun of that VM puts it back', async (t) => {
  if (!requireLab(t)) return;
  assert.ok(fleet, 'the fleet the first test provisioned');
  const [k] = VMS as [number];
  // What an interrupted roll leaves: the drain rule, by hand, as provision writes it.
  await vmExec(k, `ip rule add pref 32100 to ${LAB_PROBE_SOURCE}/32 ipproto tcp sport 5000 prohibit`, { user: 'root' });
  await lbSeesDown(k);
  const status = await provision(['status', ...reachOf(fleet, k)], { workdir: fleet.workdir, env: fleet.env });
  assert.equal(status.code, 1, status.stdout + status.stderr);
  assert.match(
    status.stdout,
    new RegExp(
      `The VM is out of its load balancer: a drain rule \\(ip rule pref 32100: no answer from port 5000 to the probe's address ${LAB_PROBE_SOURCE.replace(/\./g, '\\.')}\\)`,
    ),
  );
  const rerun = await reprovisionFleet(fleet, { '--workers': '2' }, k);
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.match(
    rerun.everything,
    /== server: changed \(running as pid \d+ with this configuration; rejoined the load balancer: the VM was out of its load balancer/,
  );
  assert.equal((await vmExec(k, 'ip rule show pref 32100', { user: 'root' })).stdout.trim(), '');
  await lbAllUp(VMS);
});
