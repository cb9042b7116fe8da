import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
interface Found {
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

/** One backup of one VM: what was found, the folder being written (`partial` until complete), the files. */
export class BackupSession extends HostSession {
  found?: Found;
  readonly startedAt = new Date();
  /** DIR/<host>/<time>.partial while it is written; renamed to `folder` once the manifest is in. */
  partial?: string;
  folder?: string;
  readonly files: BackupFile[] = [];
  private progress: (line: string) => void = () => undefined;

  constructor(
    target: HostTarget,
    readonly config: BackupConfig,
    log: HostLog,
    io: HostIO | undefined,
  ) {
    super(target, config, log, io);
  }

  /** The task's output line: the progress of a stream goes there, not to the log. */
  override onLine(fn: (line: string) => void): void {
    super.onLine(fn);
    this.progress = fn;
  }

  get vm(): Found {
    return this.need(this.found);
  }

  /** Streams a command's output into a file of the backup; a failure is one sentence, the file not counted. */
  async stream(c: RemoteCommand, name: string, total?: number): Promise<BackupFile> {
    const dir = this.need(this.partial);
    this.log.write(`$ ${c.label} > ${name}`);
    const t0 = Date.now();
    let shownAt = 0;
    const res = await this.conn.execToFile(c, join(dir, name), {
      timeoutSec: c.timeoutSec,
      onBytes: (bytes) => {
        if (Date.now() - shownAt < 500) return;
        shownAt = Date.now();
        this.progress(`${name}: ${progressText(bytes, Date.now() - t0, total)}`);
      },
    });
    const secs = ((Date.now() - t0) / 1000).toFixed(2);
    if (res.code !== 0 && this.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running; no backup was kept.`);
    if (res.code !== 0) {
      const last = res.stderr.trim().split('\n').slice(-1)[0] ?? '';
      const why = res.code === 124 ? `timed out after ${c.timeoutSec} s` : res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
      throw new StepError(`"${c.label}" failed on ${this.target.address} (${why})${last ? `: ${this.shown(last.trim())}` : ''}; no backup was kept.`);
    }
    this.say(`${name}: ${sizeText(res.bytes)} in ${secs} s, sha256 ${res.sha256}`);
    const file = { name, bytes: res.bytes, sha256: res.sha256 };
    this.files.push(file);
    return file;
  }

  result(error?: unknown): BackupResult {
    const base = { host: this.target.label, durationMs: Date.now() - this.started };
    if (error !== undefined) {
      // A backup cut short is removed: nothing incomplete is left looking like a backup.
      if (this.partial) rmSync(this.partial, { recursive: true, force: true });
      const status = this.connection ? 'failed' : 'unreachable';
      return { ...base, status, summary: '', error: this.masker.mask(errorMessage(error)) };
    }
    return { ...base, status: 'ok', summary: this.lastSummary, ...(this.folder ? { folder: this.folder, files: this.files } : {}) };
  }
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
  const { db, layout, facts, artifacts, pgRoot, auth } = s.vm;
  const [check, report] = await Promise.all([
    s.read(backupCheckCommand('dir' in artifacts ? artifacts.dir : undefined, auth ? layout.authIni : undefined)).then((r) => parseBackupCheck(r.stdout)),
    (async () => {
      const withRoot = await vmRootCertificate((c) => s.read(c), db, facts.home, layout.pgRootCert, pgRoot);
      if (typeof withRoot === 'string') throw new StepError(withRoot);
      return s.conn.checkDatabase(withRoot, 10_000);
    })(),
  ]);
  Object.assign(s.vm, { check, serverVersion: report.serverVersion, ...(report.schemaRevision ? { schemaRevision: report.schemaRevision } : {}) });
  const tooOld = pgDumpTooOld(check.pgDump, report.serverVersion);
  const where = join(s.config.to, hostFolderName(s.target.label));
  if (tooOld) {
    s.say(tooOld);
    if (!check.codename)
      throw new StepError(`${tooOld.replace(/: installing.*$/, '')}, and the VM's release has no codename for the repository: install it by hand.`);
    if (!s.settings.dryRun) await s.perform(pgdgClientCommands(report.serverVersion, check.codename));
  }
  const client = tooOld
    ? `postgresql-client ${report.serverVersion.split('.')[0]} ${s.settings.dryRun ? 'to install' : 'installed'}`
    : `pg_dump ${check.pgDump}`;
  const summary = `PostgreSQL ${report.serverVersion}, ${client}${s.settings.dryRun ? `; would write a backup under ${where}` : ''}`;
  return { changed: Boolean(tooOld), summary };
}

/** The backup's folder, 0700, named .partial until the manifest is in. */
function openFolder(s: BackupSession): string {
  const final = join(s.config.to, hostFolderName(s.target.label), backupTimeName(s.startedAt));
  const partial = `${final}.partial`;
  mkdirSync(partial, { recursive: true, mode: 0o700 });
  chmodSync(join(s.config.to, hostFolderName(s.target.label)), 0o700);
  chmodSync(partial, 0o700);
  s.partial = partial;
  s.folder = undefined;
  return final;
}

async function dumpDatabase(s: BackupSession): Promise<StepOutcome> {
  openFolder(s);
  const file = await s.stream(pgDumpCommand(s.vm.layout), 'database.dump');
  if (!s.vm.auth) return { changed: true, summary: `database ${s.vm.db.database}: ${sizeText(file.bytes)}` };
  const auth = await s.stream(pgDumpCommand(s.vm.layout, 'auth'), 'auth.dump');
  const name = s.vm.check?.authDatabase ?? 'auth';
  return { changed: true, summary: `database ${s.vm.db.database}: ${sizeText(file.bytes)}; auth database ${name}: ${sizeText(auth.bytes)}` };
}

async function copyArtifacts(s: BackupSession): Promise<StepOutcome> {
  const { artifacts, check } = s.vm;
  if ('blob' in artifacts) return { changed: false, summary: `in Azure Blob (${artifacts.blob}): not copied, named in the manifest` };
  if (!check?.artifacts.present) return { changed: false, summary: `no artifacts folder ${artifacts.dir} on the VM` };
  const file = await s.stream(artifactsTarCommand(artifacts.dir), 'artifacts.tar', check.artifacts.bytes);
  return { changed: true, summary: `${artifacts.dir}: ${sizeText(file.bytes)}` };
}

/** The manifest (0600), then the folder renamed to its final name: only a complete backup has one. */
function finish(s: BackupSession): Promise<StepOutcome> {
  const { facts, db, artifacts, check, serverVersion, schemaRevision } = s.vm;
  const partial = s.need(s.partial);
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
    ...(s.vm.auth ? { authDatabase: check?.authDatabase ?? 'unknown' } : {}),
    artifacts: 'dir' in artifacts && !check?.artifacts.present ? { dir: artifacts.dir, missing: true } : artifacts,
    files: s.files,
    startedAt: s.startedAt,
    endedAt: new Date(),
  });
  writeFileSync(join(partial, 'manifest.json'), manifest, { mode: 0o600, flag: 'wx' });
  renameSync(partial, final);
  s.partial = undefined;
  s.folder = final;
  const total = s.files.reduce((n, f) => n + f.bytes, 0);
  return Promise.resolve({ changed: true, summary: `${final} (${sizeText(total)} in ${((Date.now() - s.started) / 1000).toFixed(1)} s)` });
}

const BACKUP_STEPS: readonly Step<BackupSession>[] = [
  { id: 'read', title: "Connect and read the VM's state", run: readVm },
  { id: 'check', title: 'Check pg_dump and the database server', run: checkVm },
  { id: 'dump', title: 'Dump the database (pg_dump -Fc)', run: dumpDatabase, liveOnly: true },
  { id: 'artifacts', title: 'Copy the artifacts folder (tar)', run: copyArtifacts, liveOnly: true },
  { id: 'manifest', title: 'Write the manifest', run: finish, liveOnly: true },
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
