// `npm run bench:fleet-lb` (needs root and the lab; not a test): three VMs on one database behind the lab's load
// balancer (HAProxy as an Azure Standard Load Balancer: L4, /health probe every 5 s, 2 failures, 2 successes):
// (a) requests per second through it with 1, 2 and 3 VMs in the pool (a bounded number of requests, a few
// clients at once, each request on a new connection); (b) a rolling restart of the 3 VMs with the default drain
// and with none, and a provision rerun that changes every server's configuration (it rolls too): its duration,
// and the failed requests of a client loop through the load balancer meanwhile. BENCH_SKIP_THROUGHPUT=1 skips (a).
import { DEFAULT_DRAIN_SECONDS } from '../src/plan/rolling.js';
import { ensureLab, labAvailable, vmExec } from '../test/e2e/lab.js';
import {
  clientLoop,
  clientLoopDuring,
  LAB_PROBE_SOURCE,
  lbAllUp,
  lbDown,
  lbUp,
  provisionFleet,
  reprovisionFleet,
  restartFleet,
  type Fleet,
} from '../test/e2e/lb.js';
import type { CliRun } from '../test/e2e/cli.js';

const VMS = [15, 16, 17];
const AZURE_PROBE = { interval: 5, fall: 2, rise: 2 };
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const ROLL_LOOP_MAX = 20_000;

async function throughput(fleet: Fleet, n: number): Promise<string> {
  const pool = fleet.vms.slice(0, n);
  await lbUp(pool, AZURE_PROBE);
  await clientLoop(50, undefined, CLIENTS); // warm-up: each server's first requests are slower
  const r = await clientLoop(REQUESTS, undefined, CLIENTS);
  return `${n} VM${n > 1 ? 's' : ' '}  ${((r.sent / r.ms) * 1000).toFixed(0).padStart(5)} requests/s   (${r.sent} requests, ${CLIENTS} clients, ${r.failed} failed, ${(r.ms / 1000).toFixed(1)} s)`;
}

/** A roll (`what` runs it) under a client loop through the load balancer: its duration and the failed requests. */
async function roll(fleet: Fleet, label: string, what: () => Promise<CliRun>): Promise<string> {
  await lbAllUp(fleet.vms);
  const r = await clientLoopDuring(what(), ROLL_LOOP_MAX);
  if (r.value.code !== 0) throw new Error(`${label} failed (exit ${r.value.code}):\n${r.value.stdout}\n${r.value.stderr}`);
  return `${label.padEnd(52)} ${(r.value.wallMs / 1000).toFixed(1).padStart(6)} s   ${r.failed} of ${r.sent} requests failed${r.failed ? ` (${r.failures.join('; ')})` : ''}`;
}

async function main(): Promise<void> {
  const lab = labAvailable();
  if (!lab.ok) throw new Error(`bench:fleet-lb needs the lab: ${lab.reason}`);
  await ensureLab(Math.max(...VMS));
  const { fleet, run } = await provisionFleet(VMS, `fleetlb_${process.pid}`);
  if (run.code !== 0) throw new Error(`provisioning the fleet failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  const lines: string[] = [];
  try {
    if (process.env.BENCH_SKIP_THROUGHPUT !== '1') for (const n of [1, 2, 3]) lines.push(await throughput(fleet, n));
    else await lbUp(VMS, AZURE_PROBE);
    lines.push(await roll(fleet, `restart, default drain (${DEFAULT_DRAIN_SECONDS} s)`, () => restartFleet(fleet)));
    lines.push(await roll(fleet, 'restart, --drain-seconds 0', () => restartFleet(fleet, 0)));
    const rerun = { '--workers': '2', '--lb-probe-source': LAB_PROBE_SOURCE };
    lines.push(await roll(fleet, `provision rerun (--workers 1 -> 2), default drain`, () => reprovisionFleet(fleet, rerun)));
  } finally {
    await lbDown().catch(() => undefined);
    for (const k of VMS) await vmExec(k, "pkill -KILL -f '^/home/[^/]+/mlflow-venv/bin/python' || true").catch(() => undefined);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
