// Runs the real, built CLI (dist/cli/main.js) against lab VMs, the way a user runs it from a laptop:
// the root namespace plays the laptop, the VMs are reached on 10.231.0.x:22.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import {
  AZURITE_CONNECTION_STRING,
  azuriteDestination,
  ensureBootedVm,
  hasSnapshot,
  LAB_KEY,
  LAB_STATE,
  labDbEnv,
  REPO_ROOT,
  removeSnapshot,
  resetVm,
  restoreVm,
  run,
  snapshotVm,
  vmExec,
  vmIp,
  vmProcesses,
  waitForSsh,
  type RunResult,
  type VmImage,
} from './lab.js';

export const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface CliRun extends RunResult {
  wallMs: number;
  /** Everything the user saw plus every log file the run wrote. */
  everything: string;
  workdir: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  workdir?: string;
  /** Leave out POSTGRES_PASSWORD etc. from the environment. */
  noDbEnv?: boolean;
}

/** A scratch "laptop home": its own known_hosts and log folder, so tests do not share state. */
export function newWorkdir(): string {
  return mkdtempSync(join(tmpdir(), 'prov-e2e-'));
}

export function dbEnv(): Record<string, string> {
  const db = labDbEnv();
  return {
    POSTGRES_HOST: db.host,
    POSTGRES_PORT: String(db.port),
    POSTGRES_USER: db.user,
    POSTGRES_DB: db.db,
    POSTGRES_PASSWORD: db.password,
  };
}

/**
 * The flags every lab run needs: the lab's key and a known_hosts of the test's own; and one uvicorn worker.
 * A lab VM sees the whole machine's memory, so the default would give every server 4 workers (about 1.3 GB):
 * provision.test.ts checks that default once, every other test runs the real server at about 540 MB.
 */
export function labFlags(k: number, workdir: string): string[] {
  return ['--host', vmIp(k), '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'known_hosts'), '--yes', '--workers', '1'];
}

/** labFlags, then `args`; a --workers in `args` replaces the lab's (the CLI refuses a repeated --workers). */
export function withLabFlags(k: number, workdir: string, args: string[]): string[] {
  const flags = labFlags(k, workdir);
  if (args.includes('--workers')) flags.splice(flags.indexOf('--workers'), 2);
  return [...flags, ...args];
}

/**
 * VMs of one run on one database are a fleet, and a fleet must share its artifacts (docs/fleet.md): the lab's
 * Azure Blob (Azurite), as a team would use a storage account. `path` keeps each test's blobs apart.
 */
export function fleetBlob(path: string): { args: string[]; env: Record<string, string> } {
  return { args: ['--artifacts-destination', azuriteDestination(path)], env: { AZURE_STORAGE_CONNECTION_STRING: AZURITE_CONNECTION_STRING } };
}

/** The flags `provision status` needs for vmK (it takes no provisioning options such as --workers). */
export function statusFlags(k: number, workdir: string): string[] {
  return ['--host', vmIp(k), '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'known_hosts')];
}

/**
 * The VMs this test file ran the CLI against. When the file's tests are done their MLflow servers are
 * stopped: a real server holds hundreds of MB. Only the VMs the CLI was pointed at count: addresses in the
 * arguments and in the file after --hosts-file. Never every address some other file names (the lab's
 * known_hosts and ssh config list every VM): the other stream's servers run meanwhile (scripts/test.sh).
 */
const usedVms = new Set<number>();
export function noteVms(args: string[], cwd: string): void {
  const hostsFile = args.indexOf('--hosts-file') >= 0 ? args[args.indexOf('--hosts-file') + 1] : undefined;
  const path = hostsFile && (hostsFile.startsWith('/') ? hostsFile : join(cwd, hostsFile));
  const listed = path && existsSync(path) && statSync(path).isFile() && statSync(path).size < 65536 ? readFileSync(path, 'utf8') : '';
  for (const m of `${args.join('\n')}\n${listed}`.matchAll(/\b10\.231\.0\.(\d+)\b/g)) {
    const k = Number(m[1]) - 10;
    if (k >= 1 && k <= 40) usedVms.add(k);
  }
}
// Only under the test runner (node --test sets NODE_TEST_CONTEXT): a benchmark importing this file stays a script.
if (process.env.NODE_TEST_CONTEXT)
  after(async () => {
    for (const k of usedVms) {
      await vmExec(k, "pkill -KILL -f '^/home/[^/]+/mlflow-venv/bin/python' || true", { timeoutMs: 20_000 }).catch(() => undefined);
    }
  });

function readLogs(dir: string): string {
  const logDir = join(dir, 'provision-logs');
  if (!existsSync(logDir)) return '';
  // The logs only: the log folder also holds the backups an upgrade takes (provision-logs/backups/).
  return readdirSync(logDir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(logDir, e.name), 'utf8'))
    .join('\n');
}

export async function provision(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const workdir = opts.workdir ?? newWorkdir();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: workdir,
    NO_COLOR: '1',
    ...(opts.noDbEnv ? {} : dbEnv()),
    ...opts.env,
  };
  noteVms(args, workdir);
  const started = Date.now();
  const res = await run(process.execPath, [CLI, ...args], { env, cwd: workdir, input: opts.input ?? '', timeoutMs: opts.timeoutMs ?? 600_000 });
  return { ...res, wallMs: Date.now() - started, everything: `${res.stdout}\n${res.stderr}\n${readLogs(workdir)}`, workdir };
}

export interface InterruptedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  startedAt: number;
  /** When SIGINT was sent; 0 if `when` never held. */
  sentAt: number;
  stoppedAt: number;
}

/**
 * Runs the CLI as `provision` does and presses Ctrl-C (SIGINT) once `when(stdout so far)` holds; the run is
 * killed after `timeoutMs` whatever happens.
 */
export async function provisionInterrupted(
  args: string[],
  opts: { workdir: string; env?: Record<string, string>; timeoutMs: number; when: (stdout: string) => boolean },
): Promise<InterruptedRun> {
  noteVms(args, opts.workdir);
  const startedAt = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.workdir,
    env: { PATH: process.env.PATH, HOME: opts.workdir, NO_COLOR: '1', ...dbEnv(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sentAt = 0;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (!sentAt && opts.when(stdout)) {
      sentAt = Date.now();
      child.kill('SIGINT');
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, stdout, stderr, startedAt, sentAt, stoppedAt: Date.now() };
}

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hashTree(hash, path);
    else hash.update(path.slice(REPO_ROOT.length)).update(readFileSync(path));
  }
}

/**
 * The name of the "provisioned VM" snapshot for this version of the tool and the stand-ins: a change to
 * either makes tests provision afresh instead of trusting a disk made by older code.
 */
export function provisionedSnapshotName(): string {
  return `e2e-provisioned-${sourcesHash()}`;
}

let hashed: string | undefined;
function sourcesHash(): string {
  if (hashed) return hashed;
  const hash = createHash('sha256');
  hashTree(hash, join(REPO_ROOT, 'src'));
  hashTree(hash, join(REPO_ROOT, 'fixtures'));
  hashed = hash.digest('hex').slice(0, 12);
  return hashed;
}

/**
 * A booted VM (systemd) on IMAGE that supervisor.test.ts provisioned under systemd, saved at the end of its flow
 * (same tool and stand-ins: the name hashes them), for tests whose subject is not a fresh VM (tls.test.ts).
 */
export function bootedSnapshotName(image: VmImage): string {
  return `e2e-booted-${image}-${sourcesHash()}`;
}

/**
 * vmK as a provisioned booted VM on IMAGE: the saved one (a restore, seconds, instead of a fresh VM and a first
 * provision, about 40 s), or a fresh booted VM when no test saved one yet. Resolves once sshd answers.
 */
export async function provisionedBootedVm(k: number, image: VmImage): Promise<'saved' | 'fresh'> {
  const name = bootedSnapshotName(image);
  if (!hasSnapshot(name)) {
    await ensureBootedVm(k, image, { fresh: true });
    return 'fresh';
  }
  await restoreVm(k, name);
  await pruneProvisionedSnapshots(provisionedSnapshotName());
  await waitForSsh(k);
  return 'saved';
}

/** Provisions vmK from a clean VM with the real CLI, or restores the snapshot a previous test saved. */
export async function provisionedVm(k: number, snapshot = provisionedSnapshotName()): Promise<void> {
  if (hasSnapshot(snapshot)) {
    await restoreVm(k, snapshot);
    await pruneProvisionedSnapshots(snapshot);
    return;
  }
  await resetVm(k);
  const res = await provision(labFlags(k, newWorkdir()));
  if (res.code !== 0) throw new Error(`provisioning vm${k} failed (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  await saveSnapshotOnce(k, snapshot);
  await pruneProvisionedSnapshots(snapshot);
}

/**
 * Saves vmK as NAME unless a snapshot of that name exists. Test files run side by side (scripts/test.sh): another
 * one may save the same name between the check and the save; the lab then refuses this save (before it touches
 * vmK), and the other's snapshot, of the same sources, is as good.
 */
export async function saveSnapshotOnce(k: number, name: string): Promise<void> {
  if (hasSnapshot(name)) return;
  await snapshotVm(k, name).catch((err: unknown) => {
    if (!hasSnapshot(name)) throw err;
  });
}

/**
 * Snapshots made by older code are never used again (the name hashes the sources): remove them, so the lab's
 * disk does not grow with every change (the booted ones of bootedSnapshotName too). The lab refuses to remove one
 * a VM still runs on; that one stays.
 */
let pruned = false;
async function pruneProvisionedSnapshots(keep: string): Promise<void> {
  const dir = join(LAB_STATE, 'snapshots');
  if (pruned || !existsSync(dir)) return;
  pruned = true;
  for (const name of readdirSync(dir)) {
    const stale = name.startsWith('e2e-provisioned-') ? name !== keep : name.startsWith('e2e-booted-') && !name.endsWith(`-${sourcesHash()}`);
    if (stale) await removeSnapshot(name).catch(() => undefined);
  }
}

/**
 * A sampler inside vmK: every ~20 ms it reads every process's command line with bash builtins only (no
 * process per sample but one `sleep`) and prints each command line the first time it is seen. It ends when
 * `stopFile` appears, or after `limitSec`.
 */
function cmdlineSampler(stopFile: string, limitSec: number): string {
  return [
    'declare -A seen; end=$((SECONDS + ' + String(limitSec) + '))',
    `while [ ! -e ${stopFile} ] && (( SECONDS < end )); do`,
    '  for f in /proc/[0-9]*/cmdline; do',
    '    l=; while IFS= read -r -d \'\' a; do l+="$a "; done 2>/dev/null < "$f"',
    '    [[ -n $l && -z ${seen[$l]} ]] && { seen[$l]=1; printf \'%s\\n\' "${l% }"; }',
    '  done',
    '  sleep 0.02',
    'done',
    `rm -f ${stopFile}`,
  ].join('\n');
}

/**
 * Runs the CLI against vmK (with labFlags) while a sampler inside the VM records every command line that
 * appears during the run (short-lived ones included), plus a last look after it: for tests that prove a
 * secret never reaches a remote command line.
 */
export async function provisionSampled(k: number, args: string[], opts: CliOptions = {}): Promise<{ res: CliRun; cmdlines: string[] }> {
  const workdir = opts.workdir ?? newWorkdir();
  const stopFile = `/run/prov-sampler-stop-${process.pid}-${Date.now()}`;
  const sampler = vmExec(k, cmdlineSampler(stopFile, 900), { timeoutMs: 960_000 });
  await new Promise((r) => setTimeout(r, 500)); // the sampler's first pass
  const res = await provision(withLabFlags(k, workdir, args), { ...opts, workdir });
  await vmExec(k, `touch ${stopFile}`);
  const sampled = await sampler;
  if (sampled.code !== 0) throw new Error(`the command-line sampler in vm${k} failed: ${sampled.stderr}`);
  const cmdlines = sampled.stdout.split('\n').filter((l) => l !== '');
  for (const p of await vmProcesses(k)) cmdlines.push(p.cmdline);
  return { res, cmdlines };
}
