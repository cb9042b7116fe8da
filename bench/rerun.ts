// `npm run bench:rerun` (root, the lab; not a test): how long a no-op rerun takes and what it costs.
// Restores (or provisions) vm6 as a provisioned VM, times the first run on it, then N no-op reruns of the
// built CLI (dist/cli/main.js; run `npm run build` first), and where a rerun's time goes.
//   BENCH_RUNS=N     no-op reruns to time (default 10)
//   BENCH_FRESH=1    start from a fresh VM instead: the first run is then a full provision (about a minute)
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CLI, dbEnv, labFlags, newWorkdir, provision, provisionedSnapshotName, provisionedVm } from '../test/e2e/cli.js';
import { ensureLab, hasSnapshot, labAvailable, LAB_KEY, resetVm, restoreVm, run, vmIp, vmReadFile } from '../test/e2e/lab.js';
import { Remote } from '../src/ssh/connection.js';
import { buildProbeScript } from '../src/plan/facts.js';
import { checkDatabase, loadDatabaseDriver } from '../src/checks/database.js';
import { httpDirect, httpOnVm } from '../src/checks/http.js';
import { Secret } from '../src/util/secret.js';

const VM = 6;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

interface Result {
  status: string;
  changed: string[];
  durationMs: number;
  sshConnections: number;
  remoteCommands: number;
  portForwards: number;
}

interface Sample {
  wallMs: number;
  result: Result;
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const msf = (ms: number) => `${ms.toFixed(0)} ms`;

async function cliRun(workdir: string): Promise<Sample> {
  const res = await provision([...labFlags(VM, workdir), '--json'], { workdir, timeoutMs: 600_000 });
  const line = res.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (res.code !== 0 || !line) throw new Error(`provision exited ${res.code}\n${res.stdout}\n${res.stderr}`);
  return { wallMs: res.wallMs, result: JSON.parse(line) as Result };
}

async function serverPid(): Promise<string> {
  return (await vmReadFile(VM, '/home/azureuser/mlflow-server.pid')).split(' ')[0]!;
}

/** Times `fn` `n` times; returns the median. */
async function median(n: number, fn: () => Promise<unknown>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return stats(xs).median;
}

/** Where a rerun's time goes: each part measured on its own, with the same code the CLI runs. */
async function breakdown(workdir: string): Promise<string[]> {
  const n = 5;
  // Start-up as a rerun pays it: every module a run loads, the arguments parsed (the fast path), the
  // configuration resolved; it stops at the missing database settings (exit 2), before any network I/O.
  const startup = await median(n, async () => {
    const r = await run(process.execPath, [CLI, '--host', '127.0.0.1', '--yes'], {
      timeoutMs: 30_000,
      env: { PATH: process.env.PATH, HOME: workdir },
      cwd: workdir,
    });
    if (r.code !== 2) throw new Error(`start-up probe: exit ${r.code}: ${r.stderr}`);
  });
  const withYargs = await median(n, async () => {
    const r = await run(process.execPath, [CLI, '--version'], { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(r.stderr);
  });
  const bare = await median(n, () => run(process.execPath, ['-e', '0'], { timeoutMs: 30_000 }));
  const target = { label: vmIp(VM), name: vmIp(VM), address: vmIp(VM), port: 22, user: 'azureuser', identityFiles: [LAB_KEY], origin: '--host', overrides: {} };
  const connect = () => Remote.connect(target, { knownHostsPath: `${workdir}/known_hosts`, hostKeyPolicy: 'strict', connectTimeoutMs: 20_000 });
  const handshake = await median(n, async () => (await connect()).close());
  await loadDatabaseDriver();
  const remote = await connect();
  const env = dbEnv();
  const db = {
    host: env.POSTGRES_HOST!,
    port: Number(env.POSTGRES_PORT),
    user: env.POSTGRES_USER!,
    database: env.POSTGRES_DB!,
    password: new Secret(env.POSTGRES_PASSWORD!),
    sslmode: 'require' as const,
  };
  try {
    const probeScript = buildProbeScript({ mlflowPort: 5000 });
    const exec = await median(n, () => remote.exec('true', { timeoutSec: 30 }));
    const probe = await median(n, () => remote.exec(probeScript, { timeoutSec: 60 }));
    const dbCheck = await median(n, () => checkDatabase(remote, db));
    const host = `${vmIp(VM)}:5000`;
    const health = await median(n, () => httpOnVm(remote, 5000, { path: '/health' }));
    const search = await median(n, () =>
      httpOnVm(remote, 5000, { method: 'POST', path: '/api/2.0/mlflow/experiments/search', hostHeader: host, body: '{"max_results":1}' }),
    );
    const artifact = await median(n, async () => {
      const path = '/api/2.0/mlflow-artifacts/artifacts/bench/check.txt';
      await httpOnVm(remote, 5000, { method: 'PUT', path, hostHeader: host, body: 'x', contentType: 'text/plain' });
      await httpOnVm(remote, 5000, { path, hostHeader: host });
      await httpOnVm(remote, 5000, { method: 'DELETE', path, hostHeader: host });
    });
    const direct = await median(n, () => httpDirect(vmIp(VM), 5000, { path: '/health', timeoutMs: 5000 }));
    return [
      `  node start-up, imports, parsing     ${msf(startup)}   (bare node: ${msf(bare)}; --version: ${msf(withYargs)})`,
      `  SSH handshake + login               ${msf(handshake)}`,
      `  one remote command (true)           ${msf(exec)}`,
      `  probe (one remote command)          ${msf(probe)}   (runs alongside the database check)`,
      `  database check through the VM       ${msf(dbCheck)}`,
      `  /health through the VM              ${msf(health)}`,
      `  experiments search through the VM   ${msf(search)}`,
      `  artifact PUT + GET + DELETE         ${msf(artifact)}`,
      `  /health from this machine           ${msf(direct)}   (the health checks all run at once)`,
    ];
  } finally {
    remote.close();
  }
}

async function main(): Promise<void> {
  const lab = labAvailable();
  if (!lab.ok) throw new Error(`the benchmark needs the lab: ${lab.reason}`);
  await ensureLab(VM);
  const workdir = newWorkdir();
  const fresh = process.env.BENCH_FRESH === '1';
  const loadBefore = loadavg()[0]!;
  process.stderr.write(`vm${VM}: ${fresh ? 'fresh disk' : 'provisioned snapshot (restored, or provisioned and saved)'}...\n`);
  const snapshot = provisionedSnapshotName();
  if (fresh) await resetVm(VM);
  else {
    // provisionedVm leaves a VM it provisioned running if another process saved the snapshot meanwhile:
    // restore it, so the first run always meets a provisioned VM with no server running.
    if (!hasSnapshot(snapshot)) await provisionedVm(VM, snapshot);
    await restoreVm(VM, snapshot);
  }

  const first = await cliRun(workdir);
  const pid = await serverPid();
  const reruns: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await cliRun(workdir);
    if (s.result.changed.length > 0) throw new Error(`rerun ${i + 1} changed ${s.result.changed.join(', ')}: not a no-op`);
    if ((await serverPid()) !== pid) throw new Error(`rerun ${i + 1} restarted the server`);
    reruns.push(s);
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const parts = await breakdown(workdir);

  const w = stats(reruns.map((s) => s.wallMs));
  const d = stats(reruns.map((s) => s.result.durationMs));
  const r0 = reruns[0]!.result;
  const same = reruns.every(
    (s) => s.result.sshConnections === r0.sshConnections && s.result.remoteCommands === r0.remoteCommands && s.result.portForwards === r0.portForwards,
  );
  const lines = [
    `provision rerun benchmark: vm${VM} (${vmIp(VM)}), ${RUNS} no-op reruns, node ${process.version}, ${new Date().toISOString()}`,
    // The lab shares this machine's CPUs with everything else running: the figures scale with the load.
    `machine: ${cpus().length} CPUs, load average ${loadBefore.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end`,
    '',
    `first run (${fresh ? 'fresh VM' : 'restored provisioned VM, no server running'}): ${sec(first.wallMs)} wall, changed [${first.result.changed.join(', ')}], ` +
      `${first.result.sshConnections} SSH connection(s), ${first.result.remoteCommands} remote commands, ${first.result.portForwards} port forwards`,
    `no-op rerun:  median ${sec(w.median)}   min ${sec(w.min)}   max ${sec(w.max)}   (wall, process start to exit)`,
    `              median ${sec(d.median)}   min ${sec(d.min)}   max ${sec(d.max)}   (durationMs: the host's run inside the process)`,
    `              ${r0.sshConnections} SSH connection(s), ${r0.remoteCommands} remote command(s), ${r0.portForwards} port forwards per rerun${same ? '' : ' (varied between reruns!)'}; changed [] every time, server PID ${pid} kept`,
    '',
    "where a rerun's time goes (each part on its own, median of 5):",
    ...parts,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:rerun failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
