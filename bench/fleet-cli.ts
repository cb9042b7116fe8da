// `npm run bench:fleet-cli` (root: the lab's Postgres and its settings; not a test): the CLI's own cost at
// fleet scale. `status --hosts-file` and a no-op `provision --hosts-file` over N simulated healthy VMs
// (bench/sim-vm.ts, in its own process so its CPU is not counted) at --concurrency 10 and 50: wall time, the
// CLI's CPU (user + system, from process.resourceUsage() at its exit) per host, its peak RSS (VmHWM). The
// database check goes through each simulated VM's forward to the lab's real Postgres (carried by vm13, whose
// address the database allows; vm13 needs only sshd). Prints a table; it asserts nothing timed (goals: at most
// 25 ms CPU a host, 250 MB peak RSS at 200 hosts), but exits non-zero with a sentence when any host is not
// healthy in status or not a no-op in the rerun (or the simulator saw a command it does not know, or SFTP).
//   BENCH_HOSTS=N      simulated VMs (default 200)
//   BENCH_REPEATS=N    runs of each row, the median shown (default 3)
//   BENCH_CONCURRENCY=10,50
//   BENCH_CPU_PROF=DIR the CLI writes a CPU profile (node --cpu-prof) of each run there
//   BENCH_CLI=PATH     another build's main.js (a before/after comparison; default dist/cli/main.js)
//   BENCH_CLI_BEFORE=PATH  a build to compare with: its runs and BENCH_CLI's alternate (before, after, before, ...),
//                      so both see the same load on a shared machine; a row each
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CLI, dbEnv, newWorkdir } from '../test/e2e/cli.js';
import { ensureLab, LAB_KEY, labAvailable, resetVm, sshdAnswers, vmIp, waitForSsh } from '../test/e2e/lab.js';
import { runCli as runMeasured, stats } from './measure.js';
import { SIM_BLOB_DESTINATION, SIM_BLOB_ENV, SIM_MLFLOW_PORT, type SimCounters } from './sim-vm.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 200);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '10,50').split(',').map(Number);
const BASE_PORT = 23000;
const CLI_JS = process.env.BENCH_CLI ?? CLI;
/** The builds measured, alternating: [label, main.js]. */
const CLIS: Array<[string, string]> = process.env.BENCH_CLI_BEFORE
  ? [
      ['before', process.env.BENCH_CLI_BEFORE],
      ['after', CLI_JS],
    ]
  : [['', CLI_JS]];
/** The lab VM whose own forwards carry the simulated VMs' database checks (the database allows VMs only). */
const VIA_VM = 13;

// Loaded before the CLI: writes the process's own resource usage (all threads) when it exits.
const RUSAGE_HOOK =
  'data:text/javascript,import{writeFileSync}from"node:fs";process.on("exit",()=>writeFileSync(process.env.BENCH_RUSAGE,JSON.stringify(process.resourceUsage())));';

interface Run {
  code: number | null;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  ok: number;
  sim: SimCounters;
  simCpuMs: number;
  stderrTail: string;
  /** The first host that was not healthy / not a no-op: its line of --json output, shortened. */
  firstBad?: string;
}

interface Sim {
  child: ChildProcessWithoutNullStreams;
  clientKey: string;
  knownHosts: string;
  next(): Promise<Record<string, unknown>>;
  /** The simulator's CPU so far (ms), to tell one run's share. */
  cpuMs: number;
}

async function startSim(dir: string): Promise<Sim> {
  const sim = [join(import.meta.dirname, 'sim-vm.ts'), dir, String(HOSTS), String(BASE_PORT), vmIp(VIA_VM), LAB_KEY];
  const child = spawn(process.execPath, ['--import', 'tsx', ...sim], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, SIM_DB_PASSWORD: dbEnv().POSTGRES_PASSWORD },
  });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(`sim: ${d.toString()}`));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('the simulator exited');
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const ready = (await next()) as { clientKey: string; knownHosts: string };
  return { child, clientKey: ready.clientKey, knownHosts: ready.knownHosts, next, cpuMs: 0 };
}

/** The built CLI once (bench/measure.ts), its CPU from its own resourceUsage, written at exit by the hook. */
async function runCli(cli: string, args: string[], workdir: string): Promise<Omit<Run, 'sim' | 'simCpuMs' | 'ok'> & { stdout: string }> {
  const rusageFile = join(workdir, 'rusage.json');
  rmSync(rusageFile, { force: true });
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const env = { BENCH_RUSAGE: rusageFile, ...SIM_BLOB_ENV };
  const r = await runMeasured(args, workdir, env, 900_000, { nodeArgs: ['--import', RUSAGE_HOOK, ...prof], cli });
  const usage = existsSync(rusageFile) ? (JSON.parse(readFileSync(rusageFile, 'utf8')) as NodeJS.ResourceUsage) : undefined;
  const cpuMs = usage ? (usage.userCPUTime + usage.systemCPUTime) / 1000 : NaN;
  // maxRSS (kB) from the process itself, VmHWM polled: the larger (the poll can miss the last 50 ms).
  const peakRssMb = Math.max(r.peakRssMb, (usage?.maxRSS ?? 0) / 1024);
  return { code: r.code, wallMs: r.wallMs, cpuMs, peakRssMb, stdout: r.stdout, stderrTail: r.stderr.trim().split('\n').slice(-5).join('\n') };
}

async function measure(sim: Sim, cli: string, args: string[], workdir: string): Promise<Run> {
  const r = await runCli(cli, args, workdir);
  const hosts = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => ({ line: l, h: JSON.parse(l) as { status?: string; healthy?: boolean; changed?: string[] } }));
  // status: healthy; provision: ok with nothing changed (a no-op).
  const good = ({ h }: (typeof hosts)[number]) => (h.healthy !== undefined ? h.healthy : h.status === 'ok' && (h.changed ?? []).length === 0);
  const ok = hosts.filter(good).length;
  const firstBad = hosts.find((x) => !good(x))?.line.slice(0, 600);
  sim.child.stdin.write('counters\n');
  const { counters, cpu } = (await sim.next()) as { counters: SimCounters; cpu: NodeJS.ResourceUsage };
  const simTotal = (cpu.userCPUTime + cpu.systemCPUTime) / 1000;
  const simCpuMs = simTotal - sim.cpuMs;
  sim.cpuMs = simTotal;
  return { ...r, ok, sim: counters, simCpuMs, ...(firstBad ? { firstBad } : {}) };
}

function row(label: string, c: number, runs: Run[]): string {
  const med = (f: (r: Run) => number) => stats(runs.map(f)).median;
  const wall = med((r) => r.wallMs) / 1000;
  const cpu = med((r) => r.cpuMs);
  const rss = Math.max(...runs.map((r) => r.peakRssMb));
  const ok = Math.min(...runs.map((r) => r.ok));
  const s = runs[0]!.sim;
  const execs = Object.entries(s.execs)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const simCpu = med((r) => r.simCpuMs);
  return [
    label.padEnd(26),
    String(c).padStart(4),
    `${wall.toFixed(1)} s`.padStart(9),
    `${(cpu / 1000).toFixed(2)} s`.padStart(9),
    `${(cpu / HOSTS).toFixed(1)} ms`.padStart(10),
    `${rss.toFixed(0)} MB`.padStart(8),
    `${ok}/${HOSTS}`.padStart(8),
    `   ssh ${s.connections}, exec [${execs}], forwards ${s.forwards}, sftp ${s.sftp}; sim CPU ~${(simCpu / 1000).toFixed(1)} s`,
  ].join(' ');
}

async function main(): Promise<void> {
  const lab = labAvailable();
  if (!lab.ok) throw new Error(`bench:fleet-cli needs the lab's Postgres: ${lab.reason}`);
  for (const [, cli] of CLIS) if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  await ensureLab(VIA_VM);
  if (!(await sshdAnswers(VIA_VM))) await resetVm(VIA_VM);
  await waitForSsh(VIA_VM);
  const workdir = newWorkdir();
  const sim = await startSim(workdir);
  const hostsFile = join(workdir, 'hosts.txt');
  writeFileSync(hostsFile, Array.from({ length: HOSTS }, (_, i) => `127.0.0.1:${BASE_PORT + i}\n`).join(''));
  const common = [
    '--hosts-file',
    hostsFile,
    '--identity-file',
    sim.clientKey,
    '--known-hosts',
    sim.knownHosts,
    '--mlflow-port',
    String(SIM_MLFLOW_PORT),
    '--json',
  ];
  // One database, so a fleet: its artifacts shared in Blob, as the recorded VM's (provision only: status reads them).
  const blob = ['--artifacts-destination', SIM_BLOB_DESTINATION];
  const loadBefore = loadavg()[0]!;
  const lines: string[] = [];
  const failures: string[] = [];
  try {
    for (const c of CONCURRENCY) {
      for (const [label, args] of [
        ['status', ['status', ...common, '--concurrency', String(c)]],
        ['no-op provision', [...common, ...blob, '--yes', '--workers', '1', '--concurrency', String(c)]],
      ] as const) {
        const runs: Run[][] = CLIS.map(() => []);
        for (let i = 0; i < REPEATS; i++) {
          for (const [k, [build, cli]] of CLIS.entries()) {
            const r = await measure(sim, cli, [...args], workdir);
            const odd = r.sim.unknown.length > 0 || r.sim.sftp > 0;
            if (r.ok !== HOSTS || r.code !== 0 || odd)
              failures.push(
                `${label}${build ? ` (${build})` : ''} -c ${c}: ${r.ok}/${HOSTS} ${label === 'status' ? 'healthy' : 'a no-op'} (exit ${r.code}, sftp ${r.sim.sftp}); ${r.stderrTail.replaceAll('\n', ' / ')}; unknown commands: ${r.sim.unknown.join(' | ') || 'none'}; first such host: ${r.firstBad ?? 'none'}`,
              );
            runs[k]!.push(r);
            process.stderr.write('.');
          }
        }
        CLIS.forEach(([build], k) => lines.push(row(build ? `${label} (${build})` : label, c, runs[k]!)));
      }
    }
  } finally {
    sim.child.stdin.end();
  }
  process.stderr.write('\n');
  console.log(
    `bench:fleet-cli: ${CLIS.map(([b, cli]) => (b ? `${b} ${cli}` : cli)).join(', ')}, ${HOSTS} simulated VMs (ssh2 on 127.0.0.1, recorded answers), median of ${REPEATS}, node ${process.version}, ${new Date().toISOString()}`,
  );
  console.log(
    `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadBefore.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end`,
  );
  console.log(`${'command'.padEnd(26)} conc      wall  CLI CPU   CPU/host peak RSS  healthy`);
  for (const l of lines) console.log(l);
  console.log('goals: at most 25 ms CLI CPU a host, 250 MB peak RSS at 200 hosts');
  // A run where a simulated VM is not what a healthy one is measures something else: fail, and say why.
  if (failures.length > 0) {
    for (const f of failures) console.log(`FAILED ${f}`);
    throw new Error(
      `bench:fleet-cli: ${failures.length} run(s) had a host not healthy or not a no-op, so its figures do not measure the CLI's cost: re-record the VM's answers (bench/record-vm-answers.ts) or teach bench/sim-vm.ts's commandKind the new command`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
