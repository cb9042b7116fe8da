// Harness for end-to-end tests on the lab (scripts/lab.sh, docs/lab.md): brings the lab up once per test
// process, and gives tests ways to act on VMs and to look inside them without going through the tool
// under test (nsenter into the VM's namespaces, not ssh). Every child process has a timeout.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

export const LAB_STATE = '/var/lib/prov-lab';
export const LAB_KEY = `${LAB_STATE}/keys/id_ed25519`;
export const LAB_KNOWN_HOSTS = `${LAB_STATE}/known_hosts`;
export const LAB_SSH_CONFIG = `${LAB_STATE}/ssh_config`;
export const LAB_ENV_FILE = `${LAB_STATE}/lab.env`;
export const LAB_DB_HOST = '10.231.0.2';
export const LAB_HOST_IP = '10.231.0.1';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LAB_SCRIPT = join(REPO_ROOT, 'scripts', 'lab.sh');

/** Result of a child process: its output and exit code (signal-killed processes get 128 + signal number). */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/**
 * Runs a command and resolves with its output and exit code (it never rejects on a non-zero exit).
 * On timeout the whole process group is killed (the command runs in its own group), so helpers it
 * started, e.g. nsenter's child inside a VM, do not keep the pipes open; it then rejects.
 */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new Error(`timed out after ${timeoutMs} ms: ${cmd} ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`));
        return;
      }
      resolve({ stdout, stderr, code: code ?? 128 + (SIGNALS[signal ?? ''] ?? 0) });
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/** `bash scripts/lab.sh ARGS`; throws with the lab's message unless it exits 0. */
export async function lab(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run('bash', [LAB_SCRIPT, ...args], { timeoutMs: 120_000, ...opts });
  if (r.code !== 0) {
    throw new Error(`lab ${args.join(' ')} exited ${r.code}\n${r.stderr.trim()}\n${r.stdout.trim()}`);
  }
  return r;
}

function onPath(tool: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  return dirs.some((d) => d !== '' && existsSync(join(d, tool)));
}

/** Whether the lab can run here: Linux, root, and the tools scripts/lab-deps.sh installs. */
export function labAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `the lab needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the lab needs root (namespaces, mounts, a bridge)' };
  const tools = ['ip', 'nft', 'unshare', 'nsenter', 'setpriv', 'ssh', 'ssh-keygen', 'openssl', 'mmdebstrap', 'apt-cacher-ng'];
  const missing = tools.filter((t) => !onPath(t));
  for (const f of ['/usr/lib/postgresql/15/bin/postgres', '/usr/lib/postgresql/15/bin/psql', '/usr/bin/python3']) {
    if (!existsSync(f)) missing.push(f);
  }
  if (missing.length > 0) {
    return { ok: false, reason: `the lab needs ${missing.join(', ')} (bash scripts/lab-deps.sh installs them)` };
  }
  return { ok: true };
}

/**
 * Call first in every lab test. If the lab cannot run here: under CI=true it throws (a skipped
 * end-to-end test is a failure in CI); otherwise it skips the test with the reason and returns false.
 */
export function requireLab(t: TestContext | undefined): boolean {
  const a = labAvailable();
  if (a.ok) return true;
  if (process.env.CI === 'true') throw new Error(`end-to-end lab unavailable under CI: ${a.reason}`);
  t?.skip(a.reason);
  return false;
}

let upTo = 0;
let upPromise: Promise<void> | undefined;

/** `lab up N`, once per process (a later call with a larger N grows the lab). */
export async function ensureLab(vms: number): Promise<void> {
  while (upPromise) await upPromise.catch(() => {});
  if (vms <= upTo) return;
  upPromise = (async () => {
    // A cold first run builds the base image (about 2 minutes); allow for a slow mirror.
    await lab(['up', String(vms)], { timeoutMs: 15 * 60_000 });
    upTo = vms;
  })();
  try {
    await upPromise;
  } finally {
    upPromise = undefined;
  }
}

/** Forget that the lab is up (after `lab down`), so the next ensureLab runs `up` again. */
export function forgetLab(): void {
  upTo = 0;
}

export function vmName(k: number): string {
  return `vm${k}`;
}

export function vmIp(k: number): string {
  return `10.231.0.${10 + k}`;
}

/** Fresh disk from the base, new host keys, restarted (1-3 s). */
export async function resetVm(k: number): Promise<void> {
  await lab(['reset', vmName(k)]);
}

/** Saves vmK's disk as NAME; vmK reboots (its processes are gone) onto that disk. */
export async function snapshotVm(k: number, name: string): Promise<void> {
  await lab(['snapshot', vmName(k), name], { timeoutMs: 300_000 });
}

/** Puts vmK on snapshot NAME: like a reboot of a machine whose disk is as saved. */
export async function restoreVm(k: number, name: string): Promise<void> {
  await lab(['restore', vmName(k), name]);
}

export function hasSnapshot(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && existsSync(`${LAB_STATE}/snapshots/${name}/upper`);
}

export async function removeSnapshot(name: string): Promise<void> {
  await lab(['snapshot-rm', name]);
}

/** `bash -c CMD` inside vmK as root (default) or azureuser, in the user's home directory. */
export async function vmExec(k: number, cmd: string, opts: { user?: 'root' | 'azureuser'; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return run('bash', [LAB_SCRIPT, 'exec', vmName(k), '--user', opts.user ?? 'root', '--', 'bash', '-c', cmd], {
    timeoutMs: opts.timeoutMs ?? 60_000,
    input: opts.input,
  });
}

async function vmExecOk(k: number, cmd: string, timeoutMs?: number): Promise<string> {
  const r = await vmExec(k, cmd, { timeoutMs });
  if (r.code !== 0) throw new Error(`in ${vmName(k)}: \`${cmd}\` exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A file's content as the VM sees it (throws if it cannot be read). */
export async function vmReadFile(k: number, path: string): Promise<string> {
  return vmExecOk(k, `cat -- ${shq(path)}`);
}

/** mode: permission bits incl. setuid/setgid/sticky (e.g. 0o600); null when the path does not exist. */
export async function vmFileStat(k: number, path: string): Promise<{ mode: number; uid: number; user: string } | null> {
  const r = await vmExec(k, `stat -c '%a %u %U' -- ${shq(path)}`);
  if (r.code !== 0) {
    if (/No such file or directory/.test(r.stderr)) return null;
    throw new Error(`stat ${path} in ${vmName(k)} failed: ${r.stderr.trim()}`);
  }
  const [mode, uid, user] = r.stdout.trim().split(' ');
  return { mode: parseInt(mode!, 8), uid: Number(uid), user: user! };
}

/** Every process of the VM (its own PID namespace), from /proc/PID/cmdline with NULs as spaces. */
export async function vmProcesses(k: number): Promise<Array<{ pid: number; user: string; cmdline: string }>> {
  const out = await vmExecOk(
    k,
    `: prov-lab-ps; for d in /proc/[0-9]*; do c=$(tr '\\0' ' ' < "$d/cmdline" 2>/dev/null) || continue; ` +
      `u=$(stat -c %U "$d" 2>/dev/null) || continue; printf '%s\\t%s\\t%s\\n' "\${d#/proc/}" "$u" "\${c% }"; done`,
  );
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [pid, user, ...rest] = l.split('\t');
      return { pid: Number(pid), user: user!, cmdline: rest.join('\t') };
    })
    .filter((p) => p.cmdline !== '' && !p.cmdline.includes(': prov-lab-ps;')); // not this reader
}

/** The database refuses vmK: as a missing Azure firewall rule (pg_hba) or, with 'drop', silently. */
export async function dbBlock(k: number, mode: 'reject' | 'drop' = 'reject'): Promise<void> {
  await lab(mode === 'drop' ? ['db-block', vmName(k), '--drop'] : ['db-block', vmName(k)]);
}

export async function dbAllow(k: number): Promise<void> {
  await lab(['db-allow', vmName(k)]);
}

/** Runs SQL (sent on stdin) as the postgres superuser; returns unaligned, tuples-only output. */
export async function labPsql(sql: string): Promise<string> {
  const r = await lab(['psql', '--', '-A', '-t', '-q', '-f', '-'], { input: sql });
  return r.stdout;
}

/** The lab database's connection settings, parsed from /var/lib/prov-lab/lab.env. */
export function labDbEnv(): { host: string; port: number; user: string; db: string; password: string } {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(LAB_ENV_FILE, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
    vars[m[1]!] = v;
  }
  return {
    host: vars.POSTGRES_HOST!,
    port: Number(vars.POSTGRES_PORT),
    user: vars.POSTGRES_USER!,
    db: vars.POSTGRES_DB!,
    password: vars.POSTGRES_PASSWORD!,
  };
}

/** Real OpenSSH client to vmK with the lab's config (BatchMode: never prompts). */
export async function labSsh(k: number, cmd: string, opts: { timeoutMs?: number; extra?: string[] } = {}): Promise<RunResult> {
  return run('ssh', ['-F', LAB_SSH_CONFIG, '-o', 'BatchMode=yes', ...(opts.extra ?? []), vmName(k), cmd], {
    timeoutMs: opts.timeoutMs ?? 30_000,
  });
}

// --- VM kinds and booted VMs (docs/lab.md, "VM kinds") ----------------------------------------------------

/** What runs as PID 1: the lab's bash loop (the default) or systemd, booted by systemd-nspawn. */
export type VmInit = 'bash' | 'systemd';
/** Debian 12 (bookworm, CPython 3.11) or Debian 13 (trixie, CPython 3.13). */
export type VmImage = 'debian12' | 'debian13';
export interface VmKind {
  init: VmInit;
  image: VmImage;
}

/** VMs the tests may define as booted VMs (vm1..vm40 stay bash VMs on Debian 12 for the rest of the suite). */
export const BOOTED_VMS: readonly number[] = [41, 42, 43, 44, 45, 46, 47, 48];

/** vmK's kind as the lab records it (vms/vmK/kind; none: bash on Debian 12), or null if the lab has no vmK. */
export function vmKind(k: number): VmKind | null {
  const dir = `${LAB_STATE}/vms/${vmName(k)}`;
  if (!existsSync(dir)) return null;
  const kind: VmKind = { init: 'bash', image: 'debian12' };
  if (existsSync(`${dir}/kind`)) {
    for (const line of readFileSync(`${dir}/kind`, 'utf8').split('\n')) {
      const m = /^(init|image)=(\S+)$/.exec(line);
      if (m?.[1] === 'init') kind.init = m[2] as VmInit;
      if (m?.[1] === 'image') kind.image = m[2] as VmImage;
    }
  }
  return kind;
}

/**
 * `lab define vmK --init I --image IMG`: vmK gets that kind and a fresh disk on its base (new host keys,
 * known_hosts follows), and is started. The first use of a kind builds its base (about a minute).
 */
export async function defineVm(k: number, kind: Partial<VmKind> = {}): Promise<void> {
  await lab(['define', vmName(k), '--init', kind.init ?? 'bash', '--image', kind.image ?? 'debian12'], {
    timeoutMs: 15 * 60_000,
  });
}

/** Whether `lab status` shows vmK running. */
export async function vmRunning(k: number): Promise<boolean> {
  const status = (await lab(['status'])).stdout;
  return new RegExp(`^${vmName(k)}\\s+\\S+\\s+running\\s`, 'm').test(status);
}

/**
 * A running booted VM (systemd as PID 1) on IMAGE, with sshd answering. `fresh: true` always gives a new disk
 * (define); otherwise a VM already of that kind keeps its disk (started if it was stopped: about a second).
 * Use vm41..vm48 (BOOTED_VMS).
 */
export async function ensureBootedVm(k: number, image: VmImage = 'debian12', opts: { fresh?: boolean } = {}): Promise<void> {
  if (!BOOTED_VMS.includes(k)) throw new Error(`booted VMs are vm41..vm48 in the tests, not ${vmName(k)}`);
  await ensureLab(1);
  const kind = vmKind(k);
  if (opts.fresh || kind?.init !== 'systemd' || kind.image !== image) {
    await defineVm(k, { init: 'systemd', image });
  } else if (!(await vmRunning(k))) {
    await startVm(k);
  }
  await waitForSsh(k);
}

/** `lab start vmK`: powers vmK on (its disk as it was). */
export async function startVm(k: number): Promise<void> {
  await lab(['start', vmName(k)]);
}

/** `lab stop vmK`: powers vmK off (every process of it killed; disk kept). Booted VMs are ~65 MB each: stop them after use. */
export async function stopVm(k: number): Promise<void> {
  await lab(['stop', vmName(k)]);
}

/**
 * `lab reboot vmK` (from outside, like Azure's Restart): same disk, address and host keys, none of its processes.
 * A booted VM shuts down cleanly and boots again; resolves once sshd answers again.
 */
export async function rebootVm(k: number): Promise<void> {
  await lab(['reboot', vmName(k)], { timeoutMs: 180_000 });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Whether sshd on vmK answers with its banner now (2 s timeout). */
export async function sshdAnswers(k: number): Promise<boolean> {
  const r = await run('bash', ['-c', 'exec 3<>"/dev/tcp/$1/22" && head -c 4 <&3', '_', vmIp(k)], { timeoutMs: 2_000 }).catch(() => undefined);
  return r?.code === 0 && r.stdout === 'SSH-';
}

/** Waits (bounded) until sshd on vmK answers. */
export async function waitForSsh(k: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await sshdAnswers(k))) {
    if (Date.now() > until) throw new Error(`sshd on ${vmName(k)} did not answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The host's PID of vmK's PID 1 (`lab status`), or undefined while it has none (stopped, or between two boots). */
async function vmInitPid(k: number): Promise<number | undefined> {
  const status = (await lab(['status'])).stdout;
  const m = new RegExp(`^${vmName(k)}\\s+\\S+\\s+running\\s+(\\d+)\\s`, 'm').exec(status);
  return m ? Number(m[1]) : undefined;
}

/**
 * Identifies the current boot of vmK: the start time of its PID 1 (field 22 of /proc/PID/stat), which changes at
 * every boot. (The kernel's boot_id is the host's: the VMs share its kernel.) Read from the host, never by a process
 * inside the VM: a `lab exec` that enters a VM while it shuts down can hold its reboot up for 90 s (systemd's
 * shutdown waits for it), as the full CI run once saw (lab-boot's `sudo reboot`: 93 s instead of about 2).
 */
export async function vmBootId(k: number): Promise<string> {
  const pid = await vmInitPid(k);
  if (pid === undefined) throw new Error(`${vmName(k)} has no PID 1 now`);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const start = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
  if (start === undefined) throw new Error(`cannot read the start time of ${vmName(k)}'s PID 1 (host pid ${pid})`);
  return start;
}

/**
 * After a reboot started from inside the VM (e.g. `sudo reboot` over ssh): waits (bounded) until vmK runs a
 * boot other than PREVIOUS (from vmBootId before the reboot) and its sshd answers.
 */
export async function waitForReboot(k: number, previous: string, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const now = await vmBootId(k).catch(() => undefined);
    if (now !== undefined && now !== previous) break;
    if (Date.now() > until) throw new Error(`${vmName(k)} did not reboot within ${timeoutMs} ms`);
    await sleep(250);
  }
  await waitForSsh(k, Math.max(5_000, until - Date.now()));
}

/**
 * `systemctl is-system-running --wait` in a booted VM (bounded): 'running', or 'degraded' with the failed units.
 */
export async function vmSystemState(k: number, timeoutMs = 90_000): Promise<{ state: string; failed: string[] }> {
  const r = await vmExec(
    k,
    `timeout ${Math.ceil(timeoutMs / 1000)} systemctl is-system-running --wait; systemctl list-units --failed --plain --no-legend | awk '{print $1}'`,
    { timeoutMs: timeoutMs + 10_000 },
  );
  const [state = '', ...failed] = r.stdout.trim().split('\n');
  return { state, failed: failed.filter((u) => u !== '') };
}

// --- Azure Blob in the lab: Azurite (scripts/lab/azurite.sh) ------------------------------------------------------
// The documented development account and Microsoft's published development key: not secrets.
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
/** Azurite in its own namespace on the bridge (scripts/lab/azurite.sh). */
export const AZURITE_BLOB_ENDPOINT = `http://10.231.0.3:10000/${AZURITE_ACCOUNT}`;
/** What a team puts in AZURE_STORAGE_CONNECTION_STRING, with the emulator's endpoint: the SDK on a VM goes there. */
export const AZURITE_CONNECTION_STRING = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${AZURITE_BLOB_ENDPOINT};`;
/** The container `lab up` creates. */
export const AZURITE_CONTAINER = 'mlflow';
/** The --artifacts-destination for the lab's container (the account's real-Azure name; the endpoint comes from the connection string). */
export const azuriteDestination = (path = 'artifacts', container = AZURITE_CONTAINER): string =>
  `wasbs://${container}@${AZURITE_ACCOUNT}.blob.core.windows.net/${path}`;

/** A GET on Azurite's REST API signed with the account's SharedKey (node's crypto), from this machine. */
async function azuriteGet(resource: string, query: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  const date = new Date().toUTCString();
  const version = '2021-08-06';
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `\n${k.toLowerCase()}:${query[k]}`)
    .join('');
  // GET, eleven empty standard headers, the x-ms headers, then /account/<path as sent> and the query.
  const toSign = `GET\n${'\n'.repeat(11)}x-ms-date:${date}\nx-ms-version:${version}\n/${AZURITE_ACCOUNT}/${AZURITE_ACCOUNT}/${resource}${canonicalQuery}`;
  const signature = createHmac('sha256', Buffer.from(AZURITE_KEY, 'base64')).update(toSign, 'utf8').digest('base64');
  const url = new URL(`${AZURITE_BLOB_ENDPOINT}/${resource}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, {
    headers: { 'x-ms-date': date, 'x-ms-version': version, Authorization: `SharedKey ${AZURITE_ACCOUNT}:${signature}` },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** The names of the container's blobs under a prefix, as Azurite lists them (throws unless 200). */
export async function azuriteListBlobs(prefix = '', container = AZURITE_CONTAINER): Promise<string[]> {
  const res = await azuriteGet(container, { comp: 'list', restype: 'container', ...(prefix ? { prefix } : {}) });
  if (res.status !== 200) throw new Error(`Azurite: listing ${container} answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
  return [...res.body.toString('utf8').matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]!);
}

/** A blob's bytes as Azurite stores them (throws unless 200). */
export async function azuriteReadBlob(name: string, container = AZURITE_CONTAINER): Promise<Buffer> {
  const res = await azuriteGet(`${container}/${name.split('/').map(encodeURIComponent).join('/')}`);
  if (res.status !== 200) throw new Error(`Azurite: reading ${container}/${name} answered ${res.status}`);
  return res.body;
}
