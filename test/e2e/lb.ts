// The lab's load balancer (scripts/lab/haproxy.sh) for the fleet test and benchmark: three VMs on one database
// behind it, requests through it, its view of the servers, and a bounded client loop.
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fleetBlob, newWorkdir, provision, provisionedVm, type CliRun } from './cli.js';
import { lab, LAB_HOST_IP, LAB_KEY, labPsql, vmIp } from './lab.js';

export const LB_PORT = 18080;
const LB_STATS = 'http://127.0.0.1:18404/;csv';
/** The lab's probe address (scripts/lab/haproxy.sh): Azure's would be 168.63.129.16. */
export const LAB_PROBE_SOURCE = '10.231.0.9';

export interface LabProbe {
  interval: number;
  fall: number;
  rise: number;
}

/** VMs on one fresh database, provisioned by one hosts file; `reach` are the flags every later command needs. */
export interface Fleet {
  vms: number[];
  workdir: string;
  env: Record<string, string>;
  reach: string[];
  /** The first run's other flags: a rerun with them changes nothing. */
  flags: string[];
}

/**
 * Provisioned VMs (the saved provisioned disk: the venv is there, as after any first run), a fresh database, one
 * provision run of the hosts file that puts them all on it (artifacts in Blob: shared, not on a VM's disk).
 */
export async function provisionFleet(vms: number[], db: string): Promise<{ fleet: Fleet; run: CliRun }> {
  const workdir = newWorkdir();
  const hostsFile = join(workdir, 'hosts.txt');
  for (const k of vms) await provisionedVm(k);
  await labPsql(`CREATE DATABASE ${db} OWNER mlflow;`);
  writeFileSync(hostsFile, `${vms.map((k) => `azureuser@${vmIp(k)}`).join('\n')}\n`);
  const blob = fleetBlob(`rolling-${db}`);
  const env = { POSTGRES_DB: db, ...blob.env };
  const reach = ['--hosts-file', hostsFile, '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'known_hosts'), '--connect-timeout', '10'];
  // Clients reach the servers through the load balancer's address too: MLflow checks the Host header.
  const allowed = [
    `${LAB_HOST_IP}:${LB_PORT}`,
    LAB_HOST_IP,
    ...vms.flatMap((k) => [`${vmIp(k)}:5000`, vmIp(k)]),
    'localhost:5000',
    'localhost',
    '127.0.0.1:5000',
    '127.0.0.1',
  ];
  const flags = ['--yes', '--workers', '1', '--concurrency', String(vms.length), ...blob.args, '--allowed-hosts', allowed.join(',')];
  const run = await provision([...reach, ...flags], { workdir, env });
  return { fleet: { vms, workdir, env, reach, flags }, run };
}

/**
 * `provision --hosts-file` of the fleet again: the first run's flags with `changes` (flag -> value) in place;
 * `only` runs it for that one VM of the fleet (`--host`) instead.
 */
export function reprovisionFleet(fleet: Fleet, changes: Record<string, string>, only?: number): Promise<CliRun> {
  const flags = fleet.flags.map((arg, i) => (fleet.flags[i - 1]! in changes ? changes[fleet.flags[i - 1]!]! : arg));
  const added = Object.entries(changes).filter(([flag]) => !fleet.flags.includes(flag));
  return provision([...reachOf(fleet, only), ...flags, ...added.flat()], { workdir: fleet.workdir, env: fleet.env, timeoutMs: 600_000 });
}

/** The flags that reach the fleet's VMs, or only VM `only` (`--host` instead of `--hosts-file`). */
export function reachOf(fleet: Fleet, only?: number): string[] {
  if (only === undefined) return fleet.reach;
  const i = fleet.reach.indexOf('--hosts-file');
  return [...fleet.reach.filter((_, j) => j !== i && j !== i + 1), '--host', vmIp(only), '--user', 'azureuser'];
}

/** `provision restart` of the whole fleet, rolling, the lab's probe address given. */
export function restartFleet(fleet: Fleet, drainSeconds?: number): Promise<CliRun> {
  const drain = drainSeconds === undefined ? [] : ['--drain-seconds', String(drainSeconds)];
  return provision(['restart', ...fleet.reach, ...drain, '--lb-probe-source', LAB_PROBE_SOURCE], {
    workdir: fleet.workdir,
    env: fleet.env,
    timeoutMs: 600_000,
  });
}

/** `lab lb up` in front of `vms`, then waits until it sees each of them up. */
export async function lbUp(vms: number[], probe: LabProbe): Promise<void> {
  const flags = Object.entries(probe).flatMap(([k, v]) => [`--${k}`, String(v)]);
  await lab(['lb', 'up', '--vms', vms.join(','), '--port', String(LB_PORT), ...flags]);
  await lbAllUp(vms);
}

export async function lbDown(): Promise<void> {
  await lab(['lb', 'down']);
}

/** One request through the load balancer on a new connection (as many clients do: each may land on another VM). */
export function throughLb(path: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Host: `${LAB_HOST_IP}:${LB_PORT}` };
    if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    const r = http.request({ host: LAB_HOST_IP, port: LB_PORT, method, path, agent: false, timeout: 10_000, headers }, (res) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (d: string) => (text += d))
        .on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        .on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error('no answer within 10 s')));
    r.on('error', reject);
    r.end(body);
  });
}

/** HAProxy's view of the data servers (its stats page, CSV): vm15 -> UP | DOWN | MAINT ... */
async function lbStates(): Promise<Map<string, string>> {
  const res = await fetch(LB_STATS);
  const states = new Map<string, string>();
  for (const line of (await res.text()).split('\n')) {
    const [proxy, server, ...rest] = line.split(',');
    if (proxy === 'fleet' && server?.startsWith('vm')) states.set(server, rest[15] ?? '');
  }
  return states;
}

/** Until the load balancer sees VM `k` down (its probe failing), bounded. */
export async function lbSeesDown(k: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await lbStates()).get(`vm${k}`)?.startsWith('DOWN')) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the load balancer still sees vm${k} up after ${timeoutMs / 1000} s`);
}

/** Until the load balancer sees every VM up (a rolling restart's last VM may still be rising). */
export async function lbAllUp(vms: number[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = new Map<string, string>();
  while (Date.now() < deadline) {
    last = await lbStates();
    if (vms.every((k) => last.get(`vm${k}`)?.startsWith('UP'))) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the load balancer does not see every VM up: ${JSON.stringify([...last])}`);
}

/**
 * The most VMs the load balancer saw out of its pool at once (not UP) while `until` ran: polled every 250 ms,
 * bounded by `until` and 10 minutes.
 */
export async function mostOutAtOnce<T>(until: Promise<T>): Promise<{ most: number; value: T }> {
  let done = false;
  const ended = until.finally(() => (done = true));
  const deadline = Date.now() + 600_000;
  let most = 0;
  while (!done && Date.now() < deadline) {
    const states = await lbStates().catch(() => new Map<string, string>());
    most = Math.max(most, [...states.values()].filter((s) => !s.startsWith('UP')).length);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { most, value: await ended };
}

export const SEARCH = '/api/2.0/mlflow/experiments/search?max_results=1';

/** What a client loop saw: requests sent, failed, and the distinct failures (first 5). */
export interface LoopResult {
  sent: number;
  failed: number;
  failures: string[];
  ms: number;
}

/**
 * `clients` sequential loops of GET `path` through the load balancer, until `stop()` says so or `max` requests
 * in all were sent (bounded either way).
 */
export async function clientLoop(max: number, stop: () => boolean = () => false, clients = 1, path = SEARCH): Promise<LoopResult> {
  const started = Date.now();
  let sent = 0;
  const failures: string[] = [];
  const one = async () => {
    while (!stop() && sent < max) {
      sent += 1;
      try {
        const res = await throughLb(path);
        if (res.status !== 200) failures.push(`HTTP ${res.status} ${res.body.slice(0, 80)}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, one));
  return { sent, failed: failures.length, failures: [...new Set(failures)].slice(0, 5), ms: Date.now() - started };
}

/** A bounded client loop through the load balancer for as long as `until` runs. */
export async function clientLoopDuring<T>(until: Promise<T>, max: number): Promise<LoopResult & { value: T }> {
  let done = false;
  const ended = until.finally(() => (done = true));
  const loop = await clientLoop(max, () => done);
  return { ...loop, value: await ended };
}
