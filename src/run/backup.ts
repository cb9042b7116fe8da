import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RemoteCommand } from '../action/action.js';
import type { BackupConfig, HostTarget } from '../config/config.js';
import {
  artifactsLocation,
  artifactsTarCommand,
  backupCheckCommand,
  backupManifest,
  backupTimeName,
  hostFolderName,
  parseBackupCheck,
  pgdgClientCommands,
  pgDumpCommand,
  pgDumpTooOld,
  progressText,
  sizeText,
  type BackupCheck,
  type BackupFile,
} from '../plan/backup.js';
import { parseFacts, parseStatusExtras, statusProbeCommand, type Facts } from '../plan/facts.js';
import { launcherFlag } from '../plan/probe/status.js';
import { parseBackendUri, type DatabaseSettings } from '../render/backend-uri.js';
import { readSecretsFile, remoteLayout, type RemoteLayout } from '../render/server-files.js';
import { errorMessage, Interrupted, StepError } from '../util/errors.js';
import type { HostCommand } from './executor.js';
import type { HostIO } from './host-io.js';
import type { HostLog } from './host-log.js';
import { HostSession } from './session.js';
import { vmRootCertificate } from './status.js';
import type { Step, StepOutcome } from './step.js';

export type { BackupConfig };

/** What `provision backup` did on one VM. */
export interface BackupResult {
  host: string;
  status: 'ok' | 'failed' | 'unreachable';
  /** The finished backup's folder (only once it is complete). */
  folder?: string;
  files?: BackupFile[];
  summary: string;
  error?: string;
  durationMs: number;
}

/** What the read and check steps found on the VM. */
export interface Found {
  facts: Facts;
  layout: RemoteLayout;
  db: DatabaseSettings;
  artifacts: { dir: string } | { blob: string };
  /** --auth basic: the server runs MLflow's basic-auth app, whose users live in a second database. */
  auth: boolean;
  /** The root certificate file provision uploaded, as the probe read it (libpq's sslrootcert=). */
  pgRoot: string[];
  check?: BackupCheck;
  serverVersion?: string;
  schemaRevision?: string;
}

/**
 * One backup being written, whichever session writes it (`provision backup`'s, or a provisioning run before a
 * schema upgrade): where it goes, what was found on the VM, the folder (`partial` until complete), the files.
 */
export interface BackupJob {
  /** DIR: the backup goes into DIR/<host>/<UTC time>/. */
  readonly to: string;
  readonly startedAt: Date;
  found?: Found;
  /** DIR/<host>/<time>.partial while it is written; renamed to `folder` once the manifest is in. */
  partial?: string;
  folder?: string;
  readonly files: BackupFile[];
  /** The manifest's consistency sentence, when not the default one (e.g. every server stopped). */
  consistency?: string;
  /** The task's output line: the progress of a stream goes there, not to the log. */
  progress(line: string): void;
}

/** One backup of one VM: a session that is its own backup job. */
export class BackupSession extends HostSession implements BackupJob {
  found?: Found;
  readonly startedAt = new Date();
  partial?: string;
  folder?: string;
  readonly files: BackupFile[] = [];
  progress: (line: string) => void = () => undefined;

  constructor(
    target: HostTarget,
    readonly config: BackupConfig,
    log: HostLog,
    io: HostIO | undefined,
  ) {
    super(target, config, log, io);
  }

  get to(): string {
    return this.config.to;
  }

  override onLine(fn: (line: string) => void): void {
    super.onLine(fn);
    this.progress = fn;
  }

  get vm(): Found {
    return this.need(this.found);
  }

  /** Streams a command's output into a file of the backup; a failure is one sentence, the file not counted. */
  stream(c: RemoteCommand, name: string, total?: number): Promise<BackupFile> {
    return streamIntoBackup(this, this, c, name, total);
  }

  result(error?: unknown): BackupResult {
    const base = { host: this.target.label, durationMs: Date.now() - this.started };
    if (error !== undefined) {
      // A backup cut short is removed: nothing incomplete is left looking like a backup.
      dropPartialBackup(this);
      const status = this.connection ? 'failed' : 'unreachable';
      return { ...base, status, summary: '', error: this.masker.mask(errorMessage(error)) };
    }
    return { ...base, status: 'ok', summary: this.lastSummary, ...(this.folder ? { folder: this.folder, files: this.files } : {}) };
  }
}

/** A backup cut short is removed: nothing incomplete is left looking like a backup. */
export function dropPartialBackup(job: BackupJob): void {
  if (job.partial) rmSync(job.partial, { recursive: true, force: true });
  job.partial = undefined;
}

/** Streams a command's output into a file of the backup; a failure is one sentence, the file not counted. */
export async function streamIntoBackup(s: HostSession, job: BackupJob, c: RemoteCommand, name: string, total?: number): Promise<BackupFile> {
  const dir = s.need(job.partial);
  s.log.write(`$ ${c.label} > ${name}`);
  const t0 = Date.now();
  let shownAt = 0;
  const res = await s.conn.execToFile(c, join(dir, name), {
    timeoutSec: c.timeoutSec,
    onBytes: (bytes) => {
      if (Date.now() - shownAt < 500) return;
      shownAt = Date.now();
      job.progress(`${name}: ${progressText(bytes, Date.now() - t0, total)}`);
    },
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(2);
  if (res.code !== 0 && s.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running; no backup was kept.`);
  if (res.code !== 0) {
    const last = res.stderr.trim().split('\n').slice(-1)[0] ?? '';
    const why = res.code === 124 ? `timed out after ${c.timeoutSec} s` : res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
    throw new StepError(`"${c.label}" failed on ${s.target.address} (${why})${last ? `: ${s.shown(last.trim())}` : ''}; no backup was kept.`);
  }
  s.say(`${name}: ${sizeText(res.bytes)} in ${secs} s, sha256 ${res.sha256}`);
  const file = { name, bytes: res.bytes, sha256: res.sha256 };
  job.files.push(file);
  return file;
}

/** Connects and reads the VM's state in one probe: the server's files, its database settings, its artifacts folder. */
async function readVm(s: BackupSession): Promise<StepOutcome> {
  await s.connect();
  const output = await s.readProbe(statusProbeCommand(s.target.overrides.port ?? s.config.port, 1));
  const facts = parseFacts(output);
  const extras = parseStatusExtras(output);
  const layout = remoteLayout(facts.home);
  // Every value of the secrets file is masked from here on; the password stays on the VM for the dump.
  const uri = readSecretsFile(extras.secrets.join('\n'), s.masker).get('MLFLOW_BACKEND_STORE_URI');
  if (extras.launcher.length === 0 || !uri) {
    throw new StepError(`${s.target.address} is not provisioned (no ${extras.launcher.length === 0 ? layout.launcher : layout.secrets}): run provision first.`);
  }
  const db = parseBackendUri(uri, s.masker);
  if (!db) throw new StepError(`${layout.secrets} on ${s.target.address} holds no PostgreSQL URI: there is no database this tool can back up.`);
  const artifacts = artifactsLocation(launcherFlag(extras.launcher, '--artifacts-destination'), layout.artifactsDir);
  const auth = launcherFlag(extras.launcher, '--app-name') === 'basic-auth';
  s.found = { facts, layout, db, artifacts, auth, pgRoot: extras.pgRoot };
  return { changed: false, summary: `MLflow ${facts.mlflowVersion ?? 'unknown'}; database ${db.database} on ${db.host}` };
}

/** pg_dump's version and the database server's (checked as the server reaches it), at once; an old pg_dump is replaced. */
async function checkVm(s: BackupSession): Promise<StepOutcome> {
  const { db, layout, facts, pgRoot } = s.vm;
  const checked = (async () => {
    const withRoot = await vmRootCertificate((c) => s.read(c), db, facts.home, layout.pgRootCert, pgRoot);
    if (typeof withRoot === 'string') throw new StepError(withRoot);
    return s.conn.checkDatabase(withRoot, 10_000);
  })();
  const tooOld = await checkBackupTools(s, s.vm, checked);
  const report = await checked;
  const where = join(s.config.to, hostFolderName(s.target.label));
  const client = tooOld
    ? `postgresql-client ${report.serverVersion.split('.')[0]} ${s.settings.dryRun ? 'to install' : 'installed'}`
    : `pg_dump ${s.vm.check?.pgDump}`;
  const summary = `PostgreSQL ${report.serverVersion}, ${client}${s.settings.dryRun ? `; would write a backup under ${where}` : ''}`;
  return { changed: Boolean(tooOld), summary };
}

/**
 * Reads the VM's pg_dump, release and artifacts folder into `found`, with the database server's version and
 * schema revision as checked; a pg_dump older than the server is replaced (not on --dry-run). Returns the
 * sentence that says why a client was installed, undefined when the VM's does.
 */
export async function checkBackupTools(
  s: HostSession,
  found: Found,
  checked: Promise<{ serverVersion: string; schemaRevision?: string | undefined }>,
): Promise<string | undefined> {
  const { layout, artifacts, auth } = found;
  const [res, report] = await Promise.all([
    s.read(backupCheckCommand('dir' in artifacts ? artifacts.dir : undefined, auth ? layout.authIni : undefined)),
    checked,
  ]);
  const check = parseBackupCheck(res.stdout);
  Object.assign(found, { check, serverVersion: report.serverVersion, ...(report.schemaRevision ? { schemaRevision: report.schemaRevision } : {}) });
  const tooOld = pgDumpTooOld(check.pgDump, report.serverVersion);
  if (!tooOld) return undefined;
  s.say(tooOld);
  if (!check.codename)
    throw new StepError(`${tooOld.replace(/: installing.*$/, '')}, and the VM's release has no codename for the repository: install it by hand.`);
  if (!s.settings.dryRun) await s.perform(pgdgClientCommands(report.serverVersion, check.codename));
  return tooOld;
}

/**
 * The backup's folder, 0700, named .partial until the manifest is in. Its name is the start's UTC second; a
 * second backup of the host in that second (or one whose .partial is still there) takes the next free
 * `-2`, `-3`... (they sort after it): the folder is claimed by its own mkdir, so two runs never share one.
 */
function openFolder(s: HostSession, job: BackupJob): string {
  const hostDir = join(job.to, hostFolderName(s.target.label));
  mkdirSync(hostDir, { recursive: true, mode: 0o700 });
  chmodSync(hostDir, 0o700);
  const base = join(hostDir, backupTimeName(job.startedAt));
  for (let n = 1; n <= 100; n++) {
    const final = n === 1 ? base : `${base}-${n}`;
    const partial = `${final}.partial`;
    if (existsSync(final)) continue;
    try {
      mkdirSync(partial, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    chmodSync(partial, 0o700);
    job.partial = partial;
    job.folder = undefined;
    return final;
  }
  throw new StepError(`${hostDir} already holds 100 backups started in the second ${backupTimeName(job.startedAt)}: remove the .partial folders there.`);
}

/** The backend store (and the auth database under --auth basic) as pg_dump archives; opens the folder. */
export async function dumpDatabases(s: HostSession, job: BackupJob): Promise<StepOutcome> {
  const vm = s.need(job.found);
  openFolder(s, job);
  const file = await streamIntoBackup(s, job, pgDumpCommand(vm.layout), 'database.dump');
  if (!vm.auth) return { changed: true, summary: `database ${vm.db.database}: ${sizeText(file.bytes)}` };
  const auth = await streamIntoBackup(s, job, pgDumpCommand(vm.layout, 'auth'), 'auth.dump');
  const name = vm.check?.authDatabase ?? 'auth';
  return { changed: true, summary: `database ${vm.db.database}: ${sizeText(file.bytes)}; auth database ${name}: ${sizeText(auth.bytes)}` };
}

/** The artifacts folder on the VM's disk as a tar stream (Blob is named in the manifest, not copied). */
export async function copyArtifacts(s: HostSession, job: BackupJob): Promise<StepOutcome> {
  const { artifacts, check } = s.need(job.found);
  if ('blob' in artifacts) return { changed: false, summary: `in Azure Blob (${artifacts.blob}): not copied, named in the manifest` };
  if (!check?.artifacts.present) return { changed: false, summary: `no artifacts folder ${artifacts.dir} on the VM` };
  const file = await streamIntoBackup(s, job, artifactsTarCommand(artifacts.dir), 'artifacts.tar', check.artifacts.bytes);
  return { changed: true, summary: `${artifacts.dir}: ${sizeText(file.bytes)}` };
}

/** The manifest (0600), then the folder renamed to its final name: only a complete backup has one. */
export function finishBackup(s: HostSession, job: BackupJob): Promise<StepOutcome> {
  const { facts, db, artifacts, check, serverVersion, schemaRevision, auth } = s.need(job.found);
  const partial = s.need(job.partial);
  const final = partial.replace(/\.partial$/, '');
  const manifest = backupManifest({
    host: s.target.label,
    ...(facts.mlflowVersion ? { mlflowVersion: facts.mlflowVersion } : {}),
    ...(schemaRevision ? { schemaRevision } : {}),
    database: {
      host: db.host,
      port: db.port,
      name: db.database,
      serverVersion: s.need(serverVersion),
      ...(check?.pgDump ? { pgDumpVersion: check.pgDump } : {}),
    },
    ...(auth ? { authDatabase: check?.authDatabase ?? 'unknown' } : {}),
    artifacts: 'dir' in artifacts && !check?.artifacts.present ? { dir: artifacts.dir, missing: true } : artifacts,
    files: job.files,
    startedAt: job.startedAt,
    endedAt: new Date(),
    ...(job.consistency ? { consistency: job.consistency } : {}),
  });
  writeFileSync(join(partial, 'manifest.json'), manifest, { mode: 0o600, flag: 'wx' });
  renameSync(partial, final);
  job.partial = undefined;
  job.folder = final;
  const total = job.files.reduce((n, f) => n + f.bytes, 0);
  return Promise.resolve({ changed: true, summary: `${final} (${sizeText(total)} in ${((Date.now() - job.startedAt.getTime()) / 1000).toFixed(1)} s)` });
}

const BACKUP_STEPS: readonly Step<BackupSession>[] = [
  { id: 'read', title: "Connect and read the VM's state", run: readVm },
  { id: 'check', title: 'Check pg_dump and the database server', run: checkVm },
  { id: 'dump', title: 'Dump the database (pg_dump -Fc)', run: (s) => dumpDatabases(s, s), liveOnly: true },
  { id: 'artifacts', title: 'Copy the artifacts folder (tar)', run: (s) => copyArtifacts(s, s), liveOnly: true },
  { id: 'manifest', title: 'Write the manifest', run: (s) => finishBackup(s, s), liveOnly: true },
];

/** `provision backup` as a command of the executor. */
export function backupCommand(config: BackupConfig, io?: HostIO): HostCommand<BackupSession, BackupResult> {
  return {
    session: (target, log) => new BackupSession(target, config, log, io),
    steps: () => BACKUP_STEPS,
    result: (s, error) => s.result(error),
    notStarted: (target, why) => ({ host: target.label, status: 'failed', summary: '', error: why, durationMs: 0 }),
    doneTitle: (s) => `${s.target.label}: backup: ${s.lastSummary}`,
    renderTo: 'stderr',
  };
}
