// `npm run bench:batch` (needs root and the lab; not a test): prints, side by side,
// (a) a no-op batch rerun of 10 healthy VMs against a no-op rerun of one VM alone,
// (b) 4 fresh VMs in one batch against one fresh VM,
// (c) the CLI's peak memory in each.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labFlags, newWorkdir, provisionedVm } from '../test/e2e/cli.js';
import { LAB_KEY, ensureLab, labAvailable, resetVm, vmIp } from '../test/e2e/lab.js';
import { runCli, stats, type Measured } from './measure.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const NOOP_VMS = Array.from({ length: 10 }, (_, i) => 13 + i); // vm13..vm22
const FRESH_VMS = [13, 14, 15, 16];
const SINGLE_FRESH = 17;

function hostsFile(workdir: string, vms: number[]): string[] {
  const file = join(workdir, 'hosts.txt');
  writeFileSync(file, `${vms.map((k) => vmIp(k)).join('\n')}\n`);
  return ['--hosts-file', file, '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'known_hosts'), '--yes', '--json'];
}

function check(label: string, m: Measured, hosts: number): void {
  const results = m.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { status: string });
  const ok = results.filter((r) => r.status === 'ok').length;
  if (m.code !== 0 || ok !== hosts) throw new Error(`${label}: exit ${m.code}, ${ok}/${hosts} ok\n${m.stdout}\n${m.stderr}`);
}

function row(label: string, ms: number[], mem: number[]): string {
  const s = stats(ms);
  return `${label.padEnd(34)} median ${(s.median / 1000).toFixed(2).padStart(7)} s   min ${(s.min / 1000).toFixed(2)} s   max ${(s.max / 1000).toFixed(2)} s   peak RSS ${Math.max(...mem).toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const lab = labAvailable();
  if (!lab.ok) throw new Error(`bench:batch needs the lab: ${lab.reason}`);
  await ensureLab(Math.max(...NOOP_VMS));

  // (a) no-op reruns
  for (const k of NOOP_VMS) await provisionedVm(k);
  const batchDir = newWorkdir();
  const batchArgs = hostsFile(batchDir, NOOP_VMS);
  check('start servers', await runCli(batchArgs, batchDir), NOOP_VMS.length); // restored VMs boot without a server
  const singleDir = newWorkdir();
  const singleArgs = [...labFlags(NOOP_VMS[0]!, singleDir), '--json'];
  check('single warm-up', await runCli(singleArgs, singleDir), 1);
  const batch: Measured[] = [];
  const single: Measured[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const b = await runCli(batchArgs, batchDir);
    check('no-op batch', b, NOOP_VMS.length);
    batch.push(b);
    const s = await runCli(singleArgs, singleDir);
    check('no-op single', s, 1);
    single.push(s);
  }

  // (b) fresh provisioning
  for (const k of [...FRESH_VMS, SINGLE_FRESH]) await resetVm(k);
  const freshDir = newWorkdir();
  const freshBatch = await runCli(hostsFile(freshDir, FRESH_VMS), freshDir);
  check('fresh batch', freshBatch, FRESH_VMS.length);
  const oneDir = newWorkdir();
  const freshOne = await runCli([...labFlags(SINGLE_FRESH, oneDir), '--json'], oneDir);
  check('fresh single', freshOne, 1);

  const ratio = stats(batch.map((m) => m.wallMs)).median / stats(single.map((m) => m.wallMs)).median;
  console.log(`bench:batch on ${process.env.HOSTNAME ?? 'this machine'} (${REPEATS} repeats of the no-op runs)`);
  console.log(
    row(
      `(a) no-op rerun, 10 VMs in a batch`,
      batch.map((m) => m.wallMs),
      batch.map((m) => m.peakRssMb),
    ),
  );
  console.log(
    row(
      `(a) no-op rerun, 1 VM alone`,
      single.map((m) => m.wallMs),
      single.map((m) => m.peakRssMb),
    ),
  );
  console.log(`    batch / single: ${ratio.toFixed(2)}x (goal: at most 2x)`);
  console.log(row(`(b) fresh provision, 4 VMs in a batch`, [freshBatch.wallMs], [freshBatch.peakRssMb]));
  console.log(row(`(b) fresh provision, 1 VM`, [freshOne.wallMs], [freshOne.peakRssMb]));
  console.log(`    4 / 1: ${(freshBatch.wallMs / freshOne.wallMs).toFixed(2)}x (an equivalent Ansible play: 254 s / 69 s = 3.7x)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
