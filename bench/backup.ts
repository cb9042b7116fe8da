// `npm run bench:backup` (needs root and the lab; not a test): issue 24 item 5. A database of 1,000 runs x 20
// metrics x 100 steps (its own database, mlflow_bench, dropped at the end) and 500 MB of artifacts on vm18;
// then `provision backup` against what OpenSSH does by hand in the same run: `ssh vm tar c <artifacts> > file`
// and pg_dump over ssh. Prints each stream's throughput, the ratio (goal: at least 0.8), and the CLI's peak RSS.
// Then the restore: the database emptied and the artifacts folder cleared, `provision restore --from` that backup,
// against pg_restore and tar fed over ssh by hand. BENCH_VM=K runs it on vmK instead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { labFlags, newWorkdir, provisionedVm, statusFlags } from '../test/e2e/cli.js';
import { logRunThroughRest } from '../test/e2e/http.js';
import { ensureLab, lab, LAB_KEY, labAvailable, labDbEnv, labPsql, run, vmExec, vmIp } from '../test/e2e/lab.js';
import { runCli } from './measure.js';

const VM = Number(process.env.BENCH_VM ?? 18);
const IP = vmIp(VM);
const DB = 'mlflow_bench';
const ART = '/home/azureuser/mlruns-artifacts';
const RUNS = 1000;
const ARTIFACT_MB = 500;

/** Fills the benchmark database: the one run logged through the API copied to RUNS runs, each with 20 metrics x 100 steps. */
async function fillDatabase(runId: string): Promise<void> {
  // Minutes on a busy machine: more than labPsql's bound of 120 s.
  const psql = async (sql: string) => {
    const r = await lab(['psql', '--', '-A', '-t', '-q', '-f', '-'], { input: sql, timeoutMs: 900_000 });
    if (r.code !== 0) throw new Error(`psql: ${r.stderr}`);
  };
  await psql(
    [
      `\\c ${DB}`,
      `INSERT INTO runs SELECT (jsonb_populate_record(NULL::runs, to_jsonb(r) || jsonb_build_object('run_uuid', md5('bench' || g), 'name', 'bench-' || g))).*`,
      `  FROM runs r, generate_series(1, ${RUNS - 1}) g WHERE r.run_uuid = '${runId}';`,
      'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)',
      "  SELECT 'm' || k, random(), 1700000000000 + s, r.run_uuid, s, false FROM runs r, generate_series(0, 19) k, generate_series(0, 99) s",
      "  WHERE r.run_uuid <> '' ON CONFLICT DO NOTHING;",
      'ANALYZE;',
    ].join('\n'),
  );
}

/** A shell command on this machine, timed; its standard output to a file. */
async function timed(cmd: string, input?: string): Promise<{ ms: number; code: number | null }> {
  const t0 = process.hrtime.bigint();
  const r = await run('bash', ['-c', cmd], { timeoutMs: 900_000, ...(input ? { input } : {}) });
  if (r.code !== 0) throw new Error(`${cmd}: exit ${r.code}: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, code: r.code };
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

/** One stream's line: the tool's throughput against the same bytes over ssh by hand. */
function row(label: string, bytes: number, ms: number, rawBytes: number, rawMs: number): void {
  const ratio = mbps(bytes, ms) / mbps(rawBytes, rawMs);
  console.log(
    `${label.padEnd(26)} provision ${(bytes / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(2)} s (${mbps(bytes, ms).toFixed(1)} MB/s)   ssh by hand ${(rawBytes / 1e6).toFixed(1)} MB in ${(rawMs / 1000).toFixed(2)} s (${mbps(rawBytes, rawMs).toFixed(1)} MB/s)   ratio ${ratio.toFixed(2)}`,
  );
}

/** How long the log's last line for a stream says it took (backup and restore write the same host log). */
function streamedMs(log: string, name: string): number {
  const all = [...log.matchAll(new RegExp(`^.*${name.replace('.', '\\.')}: [^\\n]* in ([0-9.]+) s`, 'gm'))];
  return Number(all.at(-1)?.[1] ?? NaN) * 1000;
}

/**
 * The restore of `folder` into the emptied database and artifacts folder, by `provision restore` (the VM is
 * provisioned: its path changes nothing but the data) and by hand over ssh (pg_restore and tar fed the files).
 */
async function benchRestore(workdir: string, folder: string, ssh: string): Promise<void> {
  const db = labDbEnv();
  const empty = async () => {
    await labPsql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE);\nCREATE DATABASE ${DB} OWNER ${db.user};`);
    await vmExec(VM, `rm -rf ${ART}/* /tmp/raw-artifacts`, { timeoutMs: 120_000 });
  };
  await empty();
  const tool = await runCli(['restore', ...labFlags(VM, workdir), '--pg-db', DB, '--from', folder], workdir, {}, 1_800_000);
  if (tool.code !== 0) throw new Error(`restore: ${tool.stdout}\n${tool.stderr}`);
  const log = readFileSync(join(workdir, 'provision-logs', `${IP}.log`), 'utf8');
  await vmExec(VM, "pkill -KILL -f '^/home/[^/]+/mlflow-venv/bin/python' || true", { timeoutMs: 60_000 });
  await empty();
  const restoreArgs = `pg_restore --no-password --no-owner --no-privileges --exit-on-error --single-transaction -h ${db.host} -p ${db.port} -U ${db.user} -d ${DB}`;
  // The password on the first line of the stream (from this script's input, never argv), then the dump.
  const rawDb = await timed(
    `{ IFS= read -r pw; printf '%s\\n' "$pw"; cat ${folder}/database.dump; } | ${ssh} 'read -r PGPASSWORD; export PGPASSWORD; exec ${restoreArgs}'`,
    `${db.password}\n`,
  );
  const rawTar = await timed(`${ssh} 'mkdir -p /tmp/raw-artifacts && tar -C /tmp/raw-artifacts -xf -' < ${folder}/artifacts.tar`);
  const size = (f: string) => statSync(join(folder, f)).size;
  console.log('restore:');
  row('pg_restore (database.dump)', size('database.dump'), streamedMs(log, 'database.dump'), size('database.dump'), rawDb.ms);
  row('tar -x (artifacts.tar)', size('artifacts.tar'), streamedMs(log, 'artifacts.tar'), size('artifacts.tar'), rawTar.ms);
  console.log(`whole restore: ${(tool.wallMs / 1000).toFixed(2)} s wall (connect, checks, the provision path, both streams, the start, the health check)`);
  console.log(`CLI peak RSS (restore): ${tool.peakRssMb.toFixed(0)} MB`);
}

async function main(): Promise<void> {
  const lab = labAvailable();
  if (!lab.ok) throw new Error(`bench:backup needs the lab: ${lab.reason}`);
  await ensureLab(VM);
  await provisionedVm(VM);
  const db = labDbEnv();
  await labPsql(`DROP DATABASE IF EXISTS ${DB};\nCREATE DATABASE ${DB} OWNER ${db.user};`);
  const workdir = newWorkdir();
  try {
    const up = await runCli([...labFlags(VM, workdir), '--pg-db', DB], workdir);
    if (up.code !== 0) throw new Error(`provision: ${up.stdout}\n${up.stderr}`);
    const logged = await logRunThroughRest(IP);
    const t0 = Date.now();
    await fillDatabase(logged.runId);
    const count = (await labPsql(`\\c ${DB}\nSELECT count(*) FROM runs; SELECT count(*) FROM metrics;`)).trim().split('\n');
    await vmExec(
      VM,
      `mkdir -p ${ART}/bench && for i in 1 2 3 4 5; do head -c ${ARTIFACT_MB / 5}M /dev/urandom > ${ART}/bench/blob$i.bin; done && chown -R azureuser: ${ART}`,
      { timeoutMs: 300_000 },
    );
    console.log(`data: ${count.join(' runs, ')} metric rows, ${ARTIFACT_MB} MB of artifacts (made in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    const to = join(workdir, 'backups');
    const tool = await runCli(['backup', ...statusFlags(VM, workdir), '--to', to], workdir, {}, 1_800_000);
    if (tool.code !== 0) throw new Error(`backup: ${tool.stdout}\n${tool.stderr}`);
    const log = readFileSync(join(workdir, 'provision-logs', `${IP}.log`), 'utf8');
    const streamed = (name: string) => streamedMs(log, name);
    const folder = join(to, IP, readdirSync(join(to, IP))[0]!);
    const size = (f: string) => statSync(join(folder, f)).size;

    const ssh = `ssh -i ${LAB_KEY} -o UserKnownHostsFile=${join(workdir, 'known_hosts')} -o StrictHostKeyChecking=accept-new -o BatchMode=yes azureuser@${IP}`;
    const rawTar = await timed(`${ssh} 'tar -C ${ART} -cf - .' > ${workdir}/raw.tar`);
    const dumpArgs = `pg_dump -Fc --no-password -h ${db.host} -p ${db.port} -U ${db.user} -d ${DB}`;
    const rawDump = await timed(`${ssh} 'read -r PGPASSWORD; export PGPASSWORD; exec ${dumpArgs}' > ${workdir}/raw.dump`, `${db.password}\n`);
    const rawTarBytes = statSync(`${workdir}/raw.tar`).size;
    const rawDumpBytes = statSync(`${workdir}/raw.dump`).size;

    row('pg_dump (database.dump)', size('database.dump'), streamed('database.dump'), rawDumpBytes, rawDump.ms);
    row('tar (artifacts.tar)', size('artifacts.tar'), streamed('artifacts.tar'), rawTarBytes, rawTar.ms);
    const total = size('database.dump') + size('artifacts.tar');
    const rawTotalMs = rawTar.ms + rawDump.ms;
    console.log(
      `whole backup: ${(tool.wallMs / 1000).toFixed(2)} s wall (connect, checks, both streams, manifest) for ${(total / 1e6).toFixed(1)} MB; by hand ${(rawTotalMs / 1000).toFixed(2)} s; ratio ${(mbps(total, tool.wallMs) / mbps(rawTarBytes + rawDumpBytes, rawTotalMs)).toFixed(2)}`,
    );
    console.log(`CLI peak RSS: ${tool.peakRssMb.toFixed(0)} MB (streamed: flat whatever the size)`);
    await benchRestore(workdir, folder, ssh);
  } finally {
    await vmExec(VM, `pkill -KILL -f '^/home/[^/]+/mlflow-venv/bin/python' || true; rm -rf ${ART}/bench`, { timeoutMs: 60_000 }).catch(() => undefined);
    await labPsql(`DROP DATABASE IF EXISTS ${DB};`).catch(() => undefined);
  }
}

await main();
