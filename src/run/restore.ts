import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RemoteCommand } from '../action/action.js';
import type { DatabaseReport } from '../checks/database.js';
import type { HostTarget, RestoreConfig } from '../config/config.js';
import { backupCheckCommand, parseBackupCheck, pgdgClientCommands, progressText, sizeText } from '../plan/backup.js';
import { mlflowVersionToInstall } from '../plan/plan.js';
import {
  artifactsUntarCommand,
  backupFileProblem,
  parseManifest,
  pgRestoreCommand,
  pgRestoreTooOld,
  restoreRefusal,
  restoreVersionProblem,
  type FileOnDisk,
  type Manifest,
} from '../plan/restore.js';
import { planServer, serverStopActions } from '../plan/server-plan.js';
import { Interrupted, StepError, UsageError } from '../util/errors.js';
import type { HostCommand } from './executor.js';
import type { HostIO } from './host-io.js';
import type { HostLog } from './host-log.js';
import { HostRun, type HostResult } from './host-run.js';
import { SchemaGate } from './schema-gate.js';
import type { Step, StepOutcome } from './step.js';
import { connectStep } from './steps/connect.js';
import { databaseStep } from './steps/database.js';
import { filesStep } from './steps/files.js';
import { gcStep } from './steps/gc.js';
import { artifactsStep, packagesStep, pythonStep } from './steps/install.js';
import { proxyStep } from './steps/proxy.js';
import { serverStep } from './steps/server.js';
import { verifyStep } from './steps/verify.js';
import { hostNotStarted } from './tasks.js';

export type { RestoreConfig };

/** A backup on this machine, its manifest read and every file it lists checked (present, 0600, size and sha256). */
export interface Backup {
  folder: string;
  manifest: Manifest;
}

/** What `provision restore` did on the VM: provisioning's result, and what came back from the backup. */
export type RestoreResult = HostResult & { restored?: { from: string; files: string[] } };

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads and checks the backup before any VM is touched: a missing or damaged one is one sentence (exit 2). */
export async function readBackup(folder: string): Promise<Backup> {
  const manifestPath = join(folder, 'manifest.json');
  if (!existsSync(manifestPath)) {
    const partial = existsSync(`${folder}.partial`) ? ` (${folder}.partial is a backup that never finished)` : '';
    throw new UsageError(
      `${folder} holds no manifest.json${partial}: pass --from DIR/<host>/<UTC time>, a folder provision backup completed. Nothing was changed.`,
    );
  }
  const manifest = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  if (typeof manifest === 'string') throw new UsageError(`${manifest} Nothing was changed.`);
  const found: FileOnDisk[] = [];
  for (const f of manifest.files) {
    const path = join(folder, f.name);
    if (!existsSync(path)) {
      found.push({ name: f.name });
      continue;
    }
    const st = statSync(path);
    // The checksum is read only for a file of the right size: a wrong size is already the answer.
    const sha256 = st.size === f.bytes ? await sha256Of(path) : '';
    found.push({ name: f.name, bytes: st.size, mode: st.mode, sha256 });
  }
  const problem = backupFileProblem(folder, manifest.files, found);
  if (problem) throw new UsageError(problem);
  return { folder, manifest };
}

/**
 * Provisioning with the backup's MLflow: the version asked for with --mlflow-version, else the one that wrote the
 * backup, so that the restored schema is the one this MLflow expects.
 */
function withBackupVersion(config: RestoreConfig, manifest: Manifest): RestoreConfig {
  const { server } = config;
  if (server.mlflowVersion || server.mlflowLatest || !manifest.mlflowVersion) return config;
  return { ...config, server: { ...server, mlflowVersion: manifest.mlflowVersion } };
}

/**
 * One restore of one VM: provisioning's run (the same steps, the same state), the backup, and the restore's own
 * steps placed in provisioning's path. The data goes in after the files step and before the server step: the
 * restore needs the venv's Python and the secrets file (the password stays on the VM, read from its 0600 file
 * as the dump did), and the server must not start before the data is in, since MLflow on an empty database
 * creates its own schema at its own head and the restore would then collide with it.
 */
export class RestoreSession extends HostRun {
  /** The databases hold MLflow tables that --replace drops (decided by the check step). */
  replacing = false;
  readonly restored: string[] = [];
  private progress: (line: string) => void = () => undefined;

  constructor(
    target: HostTarget,
    readonly restore: RestoreConfig,
    log: HostLog,
    readonly backup: Backup,
    schemaGate: SchemaGate,
    io: HostIO | undefined,
  ) {
    super(target, restore, log, schemaGate, io);
  }

  override onLine(fn: (line: string) => void): void {
    super.onLine(fn);
    this.progress = fn;
  }

  /** Streams a file of the backup into a command's standard input, with a progress line; a failure is one sentence. */
  async feed(c: RemoteCommand, name: string): Promise<number> {
    if (this.interrupted) throw new Interrupted(`Interrupted before "${c.label}" was started.`);
    const total = this.backup.manifest.files.find((f) => f.name === name)?.bytes;
    this.log.write(`$ ${c.label} < ${name}`);
    const t0 = Date.now();
    let shownAt = 0;
    const res = await this.conn.execFromFile(c, join(this.backup.folder, name), {
      timeoutSec: c.timeoutSec,
      onLine: (line) => this.log.write(this.masker.mask(line)),
      onBytes: (bytes) => {
        if (Date.now() - shownAt < 500) return;
        shownAt = Date.now();
        this.progress(`${name}: ${progressText(bytes, Date.now() - t0, total)}`);
      },
    });
    if (res.code !== 0 && this.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running.`);
    if (res.code !== 0) {
      const last = res.stderr.trim().split('\n').slice(-1)[0] ?? '';
      const why = res.code === 124 ? `timed out after ${c.timeoutSec} s` : res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
      throw new StepError(`"${c.label}" failed on ${this.target.address} (${why})${last ? `: ${this.shown(last.trim())}` : ''}; the server was not started.`);
    }
    const secs = (Date.now() - t0) / 1000;
    this.say(`${name}: ${sizeText(res.bytes)} in ${secs.toFixed(2)} s (${sizeText(Math.round(res.bytes / Math.max(secs, 0.001)))}/s)`);
    this.restored.push(name);
    return res.bytes;
  }

  override result(error?: unknown): RestoreResult {
    const base = super.result(error);
    return error === undefined ? { ...base, restored: { from: this.backup.folder, files: [...this.restored] } } : base;
  }
}

/** The auth database as its check found it: undefined when it does not exist yet (the database step creates it). */
async function authState(s: RestoreSession): Promise<{ database: string; hasAuthSchema?: boolean } | undefined> {
  const auth = s.config.auth;
  if (!auth) return undefined;
  const report = await s.notes.authDbCheck?.catch(() => undefined);
  return { database: auth.database, ...(report ? { hasAuthSchema: report.hasAuthSchema } : {}) };
}

/**
 * The refusals before anything changes: an MLflow that does not know the backup's schema, a database that holds
 * MLflow tables (without --replace), a backup this run cannot put back. Then provisioning's later steps see the
 * database as it will be once the backup is in: MLflow's schema at the backup's revision.
 */
async function checkTarget(s: RestoreSession): Promise<StepOutcome> {
  const { manifest } = s.backup;
  const facts = s.need(s.facts);
  const report = await s.need(s.notes.dbCheck);
  const auth = await authState(s);
  const version = mlflowVersionToInstall(facts, s.need(s.desired), true) ?? facts.mlflowVersion;
  const target = {
    database: s.config.db.database,
    hasMlflowSchema: report.hasMlflowSchema,
    canCreateTables: report.canCreateTables,
    ...(auth ? { auth } : {}),
  };
  const options = { replace: s.restore.replace, authAsked: Boolean(s.config.auth), blob: Boolean(s.serverOptions.blob), vm: s.target.address };
  const problem = restoreVersionProblem(version, manifest, s.target.address) ?? restoreRefusal(target, manifest, options);
  if (problem) throw new StepError(problem);
  s.replacing = report.hasMlflowSchema || auth?.hasAuthSchema === true;
  const { schemaRevision: _old, ...rest } = report;
  const after: DatabaseReport = { ...rest, hasMlflowSchema: true, ...(manifest.schemaRevision ? { schemaRevision: manifest.schemaRevision } : {}) };
  s.notes.dbCheck = Promise.resolve(after);
  const into = s.replacing ? 'its MLflow tables to be replaced (--replace)' : 'empty';
  const of = `MLflow ${manifest.mlflowVersion ?? 'unknown'}, schema ${manifest.schemaRevision ?? 'unknown'}`;
  return { changed: false, summary: `backup of ${manifest.host} (${of}); database ${s.config.db.database}: ${into}; MLflow ${version ?? 'unknown'} will run` };
}

/** A server running on the VM is stopped before its database changes under it; the server step starts it again. */
async function stopRunningServer(s: RestoreSession): Promise<void> {
  const facts = s.need(s.facts);
  const desired = s.need(s.desired);
  const plan = planServer(facts, desired);
  if (plan.action === 'start' && plan.stopGroups.length === 0) return;
  s.say('stopping the running server before its database is restored');
  await s.perform(serverStopActions(facts, desired, plan));
  if (facts.supervisor.unit?.sha256 !== undefined) {
    s.notes.restartNeeded = true; // the unit's state is systemd's: the server step restarts it
    return;
  }
  // Under nohup the server step then reads what is true now: no server, nothing of ours on the port; it starts one.
  const { pid: _stopped, ...server } = facts.server;
  s.facts = { ...facts, server: { ...server, running: false }, listeners: facts.listeners.filter((l) => !l.ours) };
}

/** A pg_restore older than the pg_dump that wrote the backup is replaced by the matching client (PGDG), as backup does for pg_dump. */
async function matchingClient(s: RestoreSession): Promise<void> {
  const check = parseBackupCheck((await s.read(backupCheckCommand(undefined))).stdout);
  const dumpedBy = s.backup.manifest.database.pgDumpVersion;
  const tooOld = pgRestoreTooOld(check.pgDump, dumpedBy);
  if (!tooOld || !dumpedBy) return;
  s.say(tooOld);
  if (!check.codename)
    throw new StepError(`${tooOld.replace(/: installing.*$/, '')}, and the VM's release has no codename for the repository: install it by hand.`);
  await s.perform(pgdgClientCommands(dumpedBy, check.codename));
}

async function restoreDatabase(s: RestoreSession): Promise<StepOutcome> {
  const { manifest } = s.backup;
  const layout = s.need(s.desired).layout;
  await matchingClient(s);
  await stopRunningServer(s);
  const bytes = await s.feed(pgRestoreCommand(layout, 'backend', s.restore.replace), 'database.dump');
  const main = `database ${s.config.db.database}: ${sizeText(bytes)} restored${s.replacing ? ' (MLflow tables replaced)' : ''}`;
  if (!manifest.authDatabase || !s.config.auth) return { changed: true, summary: main };
  const auth = await s.feed(pgRestoreCommand(layout, 'auth', s.restore.replace), 'auth.dump');
  return { changed: true, summary: `${main}; auth database ${s.config.auth.database}: ${sizeText(auth)} restored` };
}

async function restoreArtifacts(s: RestoreSession): Promise<StepOutcome> {
  const { artifacts } = s.backup.manifest;
  if (!artifacts.copied) {
    const why = artifacts.container
      ? `in Azure Blob (${artifacts.container}): they stay there, not part of the backup`
      : 'the backed-up VM had no artifacts folder';
    return { changed: false, summary: why };
  }
  const dir = s.need(s.desired).layout.artifactsDir;
  const bytes = await s.feed(artifactsUntarCommand(dir), 'artifacts.tar');
  return { changed: true, summary: `${sizeText(bytes)} into ${dir}` };
}

/** Provisioning's steps with the restore's placed in its path (see RestoreSession). */
const RESTORE_STEPS: readonly Step<RestoreSession>[] = [
  connectStep,
  { id: 'restore-check', title: 'Check the backup against the VM and the database', run: checkTarget },
  databaseStep,
  packagesStep,
  pythonStep,
  artifactsStep,
  filesStep,
  { id: 'restore-db', title: 'Restore the database (pg_restore)', run: restoreDatabase, liveOnly: true },
  { id: 'restore-artifacts', title: 'Restore the artifacts (tar)', run: restoreArtifacts, liveOnly: true },
  serverStep,
  proxyStep,
  gcStep,
  verifyStep,
];

/** `provision restore` as a command of the executor: one VM, the checked backup, provisioning's path around it. */
export function restoreCommand(config: RestoreConfig, backup: Backup, io?: HostIO): HostCommand<RestoreSession, RestoreResult> {
  const schemaGate = new SchemaGate();
  const forced = withBackupVersion(config, backup.manifest);
  return {
    session: (target, log) => new RestoreSession(target, forced, log, backup, schemaGate, io),
    steps: () => RESTORE_STEPS,
    result: (s, error) => s.result(error),
    notStarted: (target, why) => hostNotStarted(target.label, why),
    begin: (s) => schemaGate.join(s.target.label),
    end: (s) => schemaGate.leave(s.target.label),
  };
}
