/**
 * A schema upgrade that failed (`mlflow db upgrade`, or the new server not coming up on the migrated schema):
 * when the database's schema is still one the previous MLflow knows, the previous venv comes back, the server
 * starts on it and must answer /health; the run then fails with one sentence that says what failed, that the
 * previous version is back and healthy, and where the backup is. When the schema has moved to a revision the
 * previous MLflow cannot run on, the server stays stopped and the sentence says the backup restores it.
 *
 * What PostgreSQL guarantees: MLflow's migration environment (mlflow/store/db_migrations/env.py) runs every
 * pending revision inside ONE `context.begin_transaction()` (no transaction_per_migration, no autocommit block in
 * any revision, checked in the 3.16.1 and 3.17.2 wheels), and PostgreSQL's DDL is transactional: a failure in
 * any revision rolls back all of them, so the schema stays at the revision it had. The revision is read again
 * anyway, and what the sentence says comes from that reading, not from this expectation.
 */
import type { RemoteCommand } from '../action/action.js';
import { pythonCommands } from '../plan/commands.js';
import { knowsRevision } from '../plan/schema-revision.js';
import { serverStartActions, type ServerDecision } from '../plan/server-plan.js';
import { stopServerCommand } from '../plan/commands.js';
import { stopUnitCommand } from '../plan/unit-commands.js';
import { errorMessage, Interrupted, StepError } from '../util/errors.js';
import { waitForHealth } from './health-wait.js';
import type { HostRun } from './host-run.js';
import { dropVenvCommand, restoreVenvCommand } from './upgrade-commands.js';

export interface FailedUpgrade {
  change: { from: string; to: string };
  /** What failed: the migration, or the new server's start. */
  failure: unknown;
  /** The backup taken before the migration (undefined with --no-backup, or when it was not taken). */
  backup: string | undefined;
}

/** The schema revision as the database has it now; undefined when it cannot be read. */
async function revisionNow(run: HostRun): Promise<string | undefined> {
  const desired = run.need(run.desired);
  const report = await run.conn.checkDatabase(desired.db ?? run.config.db, 15_000).catch(() => undefined);
  return report?.schemaRevision;
}

/** Stops what runs (a new server that did not come up), puts the previous MLflow back, starts it; /health must answer. */
async function startPreviousVersion(run: HostRun, plan: ServerDecision, from: string): Promise<void> {
  const desired = run.need(run.desired);
  const { layout } = desired;
  await run.perform([...(desired.supervisor === 'systemd' ? [stopUnitCommand(layout)] : []), stopServerCommand(layout)]);
  const t0 = Date.now();
  const kept = run.notes.keptVenv === true;
  if (kept) {
    await run.run(restoreVenvCommand(layout));
    run.notes.keptVenv = false;
  } else {
    // No copy kept (the venv could not be copied): the previous version reinstalled, as a refused downgrade does.
    const extras = desired.pip ? { extras: desired.pip.extras, packages: desired.pip.packages } : {};
    await run.perform(pythonCommands(layout, { recreate: false, upgrade: false, mlflowVersion: from, ...extras }));
  }
  run.say(`MLflow ${from} is back in ${layout.venv} (${((Date.now() - t0) / 1000).toFixed(1)} s); starting its server`);
  const started = await run.perform(serverStartActions(desired, plan));
  const logOffset = Number(/^log_offset=(\d+)$/m.exec(started)?.[1] ?? 0);
  await waitForHealth(run, { port: desired.port, layout, logOffset });
  // The new venv goes once the previous server answers: its removal is not part of the downtime.
  if (kept) await run.run(dropVenvCommand(layout, 'failed'));
}

/**
 * `mlflow db upgrade`, its lines streamed as every command's are; a failure names the exception line of the
 * traceback (`sqlalchemy.exc.ProgrammingError: ... already exists`), not SQLAlchemy's closing link line.
 */
export async function runSchemaUpgrade(run: HostRun, c: RemoteCommand): Promise<void> {
  if (run.settings.output.verbose) run.say(`$ ${c.label}`);
  else run.log.write(`$ ${c.label}`);
  let exception = '';
  let last = '';
  const res = await run.read(c, (line) => {
    run.say(line);
    if (line.trim()) last = line.trim();
    if (/^[\w.]+(Error|Exception)\b[^:]*: /.test(line)) exception = line.trim();
  });
  if (res.code === 0) return;
  if (run.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running.`);
  const detail = exception || last || res.stderr.trim().split('\n').pop() || '';
  throw new StepError(`"${c.label}" failed on ${run.target.address} (exit ${res.code})${detail ? `: ${run.shown(detail)}` : ''}`);
}

const why = (failure: unknown): string =>
  errorMessage(failure)
    .trim()
    .replace(/[.;]+$/, '');

/** Never returns: the run fails with the sentence, after putting the previous version back when it can run. */
export async function rollBackUpgrade(run: HostRun, plan: ServerDecision, failed: FailedUpgrade): Promise<never> {
  const { change, failure, backup } = failed;
  if (failure instanceof Interrupted || run.interrupted) throw failure;
  const before = (await run.need(run.notes.dbCheck)).schemaRevision;
  const now = await revisionNow(run);
  const where = backup
    ? `the backup taken before it is in ${backup}`
    : run.config.upgradeBackupDir
      ? 'no backup was kept'
      : 'no backup was taken (--no-backup)';
  const what = `The schema upgrade to MLflow ${change.to} failed on ${run.target.address} (${why(failure)})`;
  const unchanged = now !== undefined && (now === before || knowsRevision(change.from, now) === true);
  if (!unchanged) {
    const state =
      now === undefined
        ? 'the database schema could not be read back'
        : `the database schema moved from revision ${before ?? 'none'} to ${now}, which MLflow ${change.from} cannot run on`;
    const restore = backup ? `restore it with provision restore --from ${backup}` : 'restore the database from your own backup';
    throw new StepError(`${what}; ${state}, so the server stays stopped: ${restore}, or fix the cause and rerun with --mlflow-version ${change.to}.`);
  }
  const schema =
    now === before
      ? `the schema was not changed (still revision ${now}: PostgreSQL rolled the whole migration back)`
      : `the schema is at revision ${now}, which MLflow ${change.from} knows`;
  try {
    await startPreviousVersion(run, plan, change.from);
  } catch (err) {
    throw new StepError(`${what}; ${schema}, but MLflow ${change.from} did not come back either (${why(err)}); ${where}.`);
  }
  throw new StepError(`${what}; ${schema}; MLflow ${change.from} is back and answers /health; ${where}.`);
}
