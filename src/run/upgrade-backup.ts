/**
 * The backup before a schema upgrade (issue 24 item 3), written by the same functions as `provision backup`
 * (run/backup.ts), on the provisioning run's own connection. It is taken once every server of the run on the
 * database is stopped, right before `mlflow db upgrade`: the dump is exactly the database the migration starts
 * from, so a restore after a failed migration loses nothing written before it. The cost is downtime: the servers
 * stay stopped for the backup's length (docs/upgrading.md has the figures).
 */
import { artifactsLocation } from '../plan/backup.js';
import { errorMessage, Interrupted, StepError } from '../util/errors.js';
import { checkBackupTools, copyArtifacts, dropPartialBackup, dumpDatabases, finishBackup, type BackupJob, type Found } from './backup.js';
import type { HostRun } from './host-run.js';

/** What the manifest of a backup before a schema upgrade says of its consistency. */
export const UPGRADE_CONSISTENCY =
  'taken before a schema upgrade, with every server of that provision run on the database stopped: the database (one pg_dump snapshot) and the artifacts as the migration found them; servers outside that run, if any, were not stopped';

/**
 * Before the servers stop: the VM's pg_dump is checked against the database server (and replaced when older,
 * as `provision backup` does), so nothing slow happens while they are stopped. Undefined with --no-backup.
 */
export async function prepareUpgradeBackup(run: HostRun, to: string): Promise<BackupJob | undefined> {
  const dir = run.config.upgradeBackupDir;
  if (!dir) {
    run.say(`--no-backup: no backup is taken before the schema upgrade to MLflow ${to}`);
    return undefined;
  }
  const desired = run.need(run.desired);
  const found: Found = {
    facts: run.need(run.facts),
    layout: desired.layout,
    db: desired.db ?? run.config.db,
    artifacts: artifactsLocation(desired.artifactsRemote, desired.layout.artifactsDir),
    auth: run.config.auth !== undefined,
    pgRoot: [],
  };
  await checkBackupTools(run, found, run.need(run.notes.dbCheck));
  return { to: dir, startedAt: new Date(), found, files: [], consistency: UPGRADE_CONSISTENCY, progress: () => undefined };
}

/** The database, the artifacts and the manifest, with every server stopped; returns the backup's folder. */
export async function takeUpgradeBackup(run: HostRun, job: BackupJob): Promise<string> {
  run.say(`backing up the database and the artifacts into ${job.to} before the schema upgrade`);
  try {
    const dump = await dumpDatabases(run, job);
    const artifacts = await copyArtifacts(run, job);
    const done = await finishBackup(run, job);
    run.say(`backup before the upgrade: ${done.summary}; ${dump.summary}; artifacts ${artifacts.summary}`);
    return run.need(job.folder);
  } catch (err) {
    dropPartialBackup(job);
    if (err instanceof Interrupted) throw err;
    throw new StepError(`The backup before the schema upgrade failed (${errorMessage(err)}), so mlflow db upgrade did not run`);
  }
}
