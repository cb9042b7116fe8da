// `npm run bench:fresh` (root, the lab; not a test): a fresh provision with the real MLflow, end to end and
// step by step. Resets vm35 to a bare Debian 12 VM, gives it an empty database of its own (so the server's first
// start runs every migration), runs the built CLI once and reads the step times from its log. Then the
// server's processes, memory (summed RSS) and database connections, measured from inside the VM and Postgres.
//   BENCH_RUNS=N        fresh provisions to time (default 1; each resets the VM)
//   BENCH_ARGS="..."    extra CLI flags, e.g. "--workers 2" (default: the lab's --workers 1)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labFlags, newWorkdir } from '../test/e2e/cli.js';
import { ensureLab, labAvailable, labPsql, resetVm, vmExec } from '../test/e2e/lab.js';
import { runCli } from './measure.js';

const VM = 35;
const DB = 'bench_fresh';
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const EXTRA = (process.env.BENCH_ARGS ?? '').split(' ').filter(Boolean);

/** `== step: ...` lines of the host log, with their timestamps: each step's time is the gap to the previous. */
function stepTimes(log: string, startedAt: number): Array<{ step: string; ms: number; what: string }> {
  const out: Array<{ step: string; ms: number; what: string }> = [];
  let last = startedAt;
  for (const m of log.matchAll(/^(\S+Z) == (\w+): (.*)$/gm)) {
    const at = Date.parse(m[1]!);
    out.push({ step: m[2]!, ms: at - last, what: m[3]!.slice(0, 90) });
    last = at;
  }
  return out;
}

/** The server's process tree on the VM: count and summed RSS (every process of the PID file's group). */
async function serverFootprint(): Promise<{ processes: number; rssMb: number }> {
  const script = `pg=$(cut -d' ' -f1 ~azureuser/mlflow-server.pid); n=0; kb=0
for s in /proc/[0-9]*/stat; do read -r -a f < "$s" 2>/dev/null || continue
  [ "\${f[4]}" = "$pg" ] || continue; r=$(awk '/^VmRSS:/{print $2}' "\${s%/stat}/status" 2>/dev/null); n=$((n+1)); kb=$((kb+\${r:-0})); done
echo "$n $kb"`;
  const [n, kb] = (await vmExec(VM, script)).stdout.trim().split(' ').map(Number);
  return { processes: n ?? 0, rssMb: Math.round((kb ?? 0) / 1024) };
}

async function main(): Promise<void> {
  const lab = labAvailable();
  if (!lab.ok) throw new Error(`the lab is not available: ${lab.reason}`);
  await ensureLab(VM);
  for (let i = 1; i <= RUNS; i++) {
    await resetVm(VM);
    await labPsql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE); CREATE DATABASE ${DB} OWNER mlflow;`);
    const workdir = newWorkdir();
    const startedAt = Date.now();
    const res = await runCli([...labFlags(VM, workdir), ...EXTRA], workdir, { POSTGRES_DB: DB });
    if (res.code !== 0) throw new Error(`provision exited ${res.code}\n${res.stdout}\n${res.stderr}`);
    const logDir = join(workdir, 'provision-logs');
    const log = readdirSync(logDir)
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');
    const version = (await vmExec(VM, '~azureuser/mlflow-venv/bin/python -c "import mlflow; print(mlflow.__version__)"')).stdout.trim();
    console.log(
      `fresh provision ${i}/${RUNS} of vm${VM} (Debian 12, MLflow ${version}, empty database): ${(res.wallMs / 1000).toFixed(1)} s wall, CLI peak RSS ${res.peakRssMb.toFixed(0)} MB`,
    );
    for (const s of stepTimes(log, startedAt)) console.log(`  ${s.step.padEnd(10)} ${(s.ms / 1000).toFixed(1).padStart(6)} s   ${s.what}`);
    const fp = await serverFootprint();
    const conns = (await labPsql(`SELECT count(*) FROM pg_stat_activity WHERE datname = '${DB}';`)).trim();
    console.log(`  server: ${fp.processes} processes, ${fp.rssMb} MB summed RSS, ${conns} database connections idle`);
  }
  await vmExec(VM, "pkill -KILL -f '^/home/[^/]+/mlflow-venv/bin/python' || true");
  await labPsql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE);`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
