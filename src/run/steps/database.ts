import { DatabaseMissing, type DatabaseReport } from '../../checks/database.js';
import { mlflowVersionToInstall } from '../../plan/plan.js';
import { downgradeProblem } from '../../plan/schema-revision.js';
import { StepError } from '../../util/errors.js';
import { databaseSummary } from '../../verdicts/status.js';
import type { HostRun } from '../host-run.js';
import type { ProvisionCheckedStep, StepOutcome } from './step.js';

/** The database check's answer (started at connect); with --auth basic, the auth database too, created if missing and allowed. */
async function database(run: HostRun): Promise<StepOutcome> {
  const { db, auth } = run.config;
  const report = await run.need(run.notes.dbCheck);
  if (!report.canCreateTables && !report.hasMlflowSchema) {
    throw new StepError(
      `User "${db.user}" may not create tables in schema public of database "${db.database}", so MLflow cannot create its schema: run GRANT ALL ON SCHEMA public TO "${db.user}"; as the server admin.`,
    );
  }
  refuseDowngrade(run, report);
  let authDb = '';
  let created = false;
  if (auth) {
    const name = auth.database;
    const a = await authDatabase(run, name, report);
    run.notes.authReport = a;
    created = a.created;
    if (!a.canCreateTables && !a.hasAuthSchema) {
      throw new StepError(
        `User "${db.user}" may not create tables in schema public of database "${name}", so MLflow cannot create its user tables there (--auth basic): run GRANT ALL ON SCHEMA public TO "${db.user}"; in that database as the server admin.`,
      );
    }
    const create = run.config.dryRun ? 'would create' : 'created';
    authDb = a.created
      ? `; ${create} the database ${name} for MLflow's users and permissions (user "${db.user}" may create databases)`
      : `; auth database ${name} ok`;
  }
  return { changed: created, summary: `${databaseSummary(report, db)}${authDb}` };
}

/**
 * MLflow has no schema downgrades: the release that would run (asked for, else the installed one) must know the
 * database's revision. Refused here, before apt, pip or the server change; a release the table cannot judge is
 * checked after its install, before the server step (install.ts).
 */
function refuseDowngrade(run: HostRun, report: DatabaseReport): void {
  const facts = run.need(run.facts);
  const version = mlflowVersionToInstall(facts, run.need(run.desired), true);
  if (!report.schemaRevision || !version) return;
  const { db } = run.config;
  const problem = downgradeProblem({
    version,
    revision: report.schemaRevision,
    database: `database ${db.database} at ${db.host}:${db.port}`,
    vm: run.target.address,
    installed: facts.mlflowVersion,
  });
  if (problem) throw new StepError(problem);
}

/**
 * --auth basic: the auth database as the check found it; a missing one is created when the login role may
 * CREATE DATABASE (a dry run only says so), else the check's sentence stands.
 */
async function authDatabase(run: HostRun, name: string, main: DatabaseReport): Promise<DatabaseReport & { created: boolean }> {
  try {
    return { ...(await run.need(run.notes.authDbCheck)), created: false };
  } catch (err) {
    if (!(err instanceof DatabaseMissing) || !main.canCreateDatabase) throw err;
  }
  const { db } = run.config;
  if (run.config.dryRun) return { ...main, canCreateTables: true, hasMlflowSchema: false, hasAuthSchema: false, created: true };
  await run.conn.createDatabase(db, name);
  run.say(`created the database ${name} (--auth basic)`);
  return { ...(await run.conn.checkDatabase({ ...db, database: name })), created: true };
}

export const databaseStep: ProvisionCheckedStep = { id: 'database', title: 'Database check through the VM', run: database };
