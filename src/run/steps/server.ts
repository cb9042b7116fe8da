import { httpFailureDetail } from '../../checks/http.js';
import { backendUriWithoutPassword } from '../../render/backend-uri.js';
import { dbUpgradeCommand } from '../../plan/commands.js';
import { SERVER_START_TIMEOUT_SEC, ServerNotAnswering, waitForHealth } from '../health-wait.js';
import { isNewerVersion } from '../../plan/plan.js';
import { planServer, restartUnanswered, serverStartActions, serverStopActions, type ServerAction, type ServerDecision } from '../../plan/server-plan.js';
import { enableUnitCommand } from '../../plan/unit-commands.js';
import { probedPort } from '../../plan/drain.js';
import { rollingPlan, serverServes } from '../../plan/rolling.js';
import { rejoinLeftDrain, restartInTurn } from '../rolling.js';
import { StepError } from '../../util/errors.js';
import type { HostRun } from '../host-run.js';
import { prepareUpgradeBackup, takeUpgradeBackup } from '../upgrade-backup.js';
import { rollBackUpgrade, runSchemaUpgrade } from '../upgrade-rollback.js';
import { dropKeptVenv } from './install.js';
import type { ProvisionCheckedStep, StepOutcome } from './step.js';

/** How long a running server may take to answer /health before a rerun counts it as not answering. */
const KEEP_HEALTH_TIMEOUT_MS = 10_000;

/** The server stopped at start because the database's schema is older than its MLflow (after an upgrade). */
class SchemaOutOfDate extends StepError {
  constructor(readonly detail: string) {
    super(`MLflow refuses to start: the database schema is out of date (${detail}).`);
  }
}

/**
 * Keep, start or restart the server: by its fingerprint, plus a restart after a reinstall. Decides as it goes
 * (the schema gate orders first starts and version upgrades across a batch), so it applies itself. A drain
 * an interrupted rolling restart left goes once the server is up: a rerun puts the VM back in its pool.
 */
async function server(run: HostRun): Promise<StepOutcome> {
  const outcome = await keepOrRestart(run);
  return run.notes.rejoined ? outcome : rejoinLeftDrain(run, run.need(run.facts).drain, outcome);
}

async function keepOrRestart(run: HostRun): Promise<StepOutcome> {
  const facts = run.need(run.facts);
  const desired = run.need(run.desired);
  const plan = await keepOnlyIfAnswering(run, planServer(facts, desired));
  const action: ServerAction = plan.action === 'keep' && run.notes.restartNeeded ? 'restart' : plan.action;
  const dbReport = await run.need(run.notes.dbCheck);
  const change = run.notes.versionChange;
  const schemaUpgrade = change !== undefined && isNewerVersion(change.to, change.from) && dbReport.hasMlflowSchema;
  const coordinated = !run.config.dryRun && schemaUpgrade;
  if (!coordinated) run.schemaGate.settle(run.target.label);
  if (action === 'keep' && !plan.enable) return { changed: false, summary: plan.reason };
  if (run.config.dryRun && schemaUpgrade) return { changed: true, summary: upgradeDryRun(run, change) };
  if (run.config.dryRun)
    return {
      changed: true,
      summary: action === 'keep' ? `would enable the unit: ${plan.reason}` : `would ${action}${rollingNote(run, action)}: ${plan.reason}`,
    };
  if (action === 'keep') {
    await run.run(enableUnitCommand());
    return { changed: true, summary: `${plan.reason}; enabled` };
  }
  const stop = () => stopServer(run, plan);
  if (coordinated) {
    let outcome: StepOutcome;
    // A failed schema upgrade, or a new server that does not come up on it: the previous version comes back.
    try {
      const upgraded = await upgradeSchemaWithEveryServerStopped(run, change, action === 'restart' ? stop : undefined);
      outcome = await startServerStep(run, plan, action, upgraded);
    } catch (failure) {
      return rollBackUpgrade(run, plan, { change, failure, backup: run.schemaGate.upgradeBackup?.folder });
    }
    await dropKeptVenv(run);
    return outcome;
  }
  if (action !== 'restart') return startServerStep(run, plan, action, '');
  return restartInFleet(run, plan, async () => {
    await stop();
    return startServerStep(run, plan, action, '');
  });
}

/**
 * A restart of a fleet's server rolls (plan/rolling.ts): it waits for its turn, leaves the load balancer
 * (when its server serves), restarts and rejoins before the next VM's turn. Else it restarts at once.
 */
async function restartInFleet(run: HostRun, plan: ServerDecision, restart: () => Promise<StepOutcome>): Promise<StepOutcome> {
  const roll = rollingPlan(true, run.config);
  if (!roll.rolling || !run.fleet) return restart();
  const desired = run.need(run.desired);
  const serves = serverServes(run.need(run.facts)) && plan.unanswered !== true;
  const port = probedPort(desired.port, desired.proxy !== undefined);
  const outcome = await restartInTurn(run, run.fleet.restartTurns, { plan: roll, port, serves }, restart);
  run.notes.rejoined = true;
  return outcome;
}

/** --dry-run of a newer MLflow on a database with a schema: what the safe upgrade would do (run/upgrade-backup.ts). */
function upgradeDryRun(run: HostRun, change: { from: string; to: string }): string {
  const dir = run.config.upgradeBackupDir;
  const backup = dir ? `back up the database${run.need(run.desired).artifactsRemote ? '' : ' and the artifacts'} into ${dir}/` : 'take no backup (--no-backup)';
  return `would upgrade MLflow ${change.from} -> ${change.to}: keep the venv aside, stop every server of this run on the database, ${backup}, run mlflow db upgrade once, then start (the old version comes back if that fails)`;
}

/** --dry-run: how a restart would go when the run rolls. */
function rollingNote(run: HostRun, action: ServerAction): string {
  const roll = rollingPlan(true, run.config);
  if (action !== 'restart' || !roll.rolling) return '';
  return ` one VM at a time${roll.drainSeconds > 0 ? `, out of the load balancer for ${roll.drainSeconds} s first` : ''}`;
}

/** Starts the server (stopped already when it restarts) and waits for it; MLflow's schema refusal migrates once. */
async function startServerStep(run: HostRun, plan: ServerDecision, action: ServerAction, alreadyUpgraded: string): Promise<StepOutcome> {
  const desired = run.need(run.desired);
  const dbReport = await run.need(run.notes.dbCheck);
  let upgraded = alreadyUpgraded;
  // On a database without MLflow's schema, concurrent first starts race in MLflow's migrations: in a batch
  // the first host starts alone, until its server has answered a database call.
  const authReport = run.notes.authReport;
  const freshSchema = !dbReport.hasMlflowSchema || (authReport !== undefined && !authReport.hasAuthSchema);
  const startAndWait = async (): Promise<string> => {
    const started = await startServer(run, plan);
    const offset = Number(/^log_offset=(\d+)$/m.exec(started)?.[1] ?? 0);
    try {
      await waitForServer(run, offset);
    } catch (err) {
      // MLflow refuses to start on a schema older than its own (after an upgrade outside this run's view):
      // migrate once, start again.
      if (!(err instanceof SchemaOutOfDate) || upgraded) throw err;
      run.say(`MLflow reports an out-of-date database schema (${err.detail}): running mlflow db upgrade once`);
      const db = desired.db ?? run.config.db;
      await run.schemaGate.exclusive(() => run.run(dbUpgradeCommand(desired.layout, backendUriWithoutPassword(db), db.password)));
      upgraded = `; database schema upgraded (${err.detail})`;
      return startAndWait();
    }
    return started;
  };
  const out = await run.schemaGate.around(
    freshSchema,
    async () => {
      const started = await startAndWait();
      if (freshSchema) await waitForDatabaseCall(run);
      return started;
    },
    () => run.say("waiting for the first server on this database to create MLflow's schema"),
  );
  const why = action === 'restart' && plan.action === 'keep' ? 'MLflow was reinstalled' : plan.reason;
  return { changed: true, summary: `${why}${upgraded}; ${out.trim().split('\n').slice(-1)[0]}` };
}

/**
 * A server the plan keeps must answer /health (through the SSH connection, bounded): a wedged one (stopped,
 * deadlocked) keeps its PID and its port, so only asking tells. One that does not answer is restarted.
 */
async function keepOnlyIfAnswering(run: HostRun, plan: ServerDecision): Promise<ServerDecision> {
  if (plan.action !== 'keep' || run.notes.restartNeeded) return plan;
  const { port } = run.need(run.desired);
  const why = await run.conn.http(port, { path: '/health', timeoutMs: KEEP_HEALTH_TIMEOUT_MS }).then(
    (res) => (res.status === 200 ? undefined : `/health answered HTTP ${res.status}`),
    (err: unknown) => `/health got ${httpFailureDetail(err)}`,
  );
  if (!why) return plan;
  run.say(`the server does not answer on port ${port} (${why}): ${run.config.dryRun ? 'it would be restarted' : 'restarting it'}`);
  return restartUnanswered(plan, run.need(run.facts).server.pid, why);
}

async function stopServer(run: HostRun, plan: ServerDecision): Promise<void> {
  await run.perform(serverStopActions(run.need(run.facts), run.need(run.desired), plan));
}

/** Starts the server; the start command's output ends with "started pid N...". */
function startServer(run: HostRun, plan: ServerDecision): Promise<string> {
  return run.perform(serverStartActions(run.need(run.desired), plan));
}

/**
 * A newer MLflow on a database with a schema: stop this server, wait until every server of this run on the
 * database is stopped (or runs no older version), migrate once (the first host there), then start.
 */
async function upgradeSchemaWithEveryServerStopped(
  run: HostRun,
  change: { from: string; to: string },
  stop: (() => Promise<void>) | undefined,
): Promise<string> {
  const desired = run.need(run.desired);
  const db = desired.db ?? run.config.db;
  const job = await prepareUpgradeBackup(run, change.to);
  const gate = run.schemaGate;
  const how = await gate.versionChange(
    run.target.label,
    () => stop?.() ?? Promise.resolve(),
    async () => {
      // With every server stopped: the backup is the database the migration starts from.
      if (job) gate.upgradeBackup = { host: run.target.label, folder: await takeUpgradeBackup(run, job) };
      run.say(`MLflow ${change.from} -> ${change.to}: every server of this run on the database is stopped; running mlflow db upgrade once`);
      return runSchemaUpgrade(run, dbUpgradeCommand(desired.layout, backendUriWithoutPassword(db), db.password));
    },
    () => run.say(`waiting for the other servers of this run on the database to stop before the schema upgrade to MLflow ${change.to}`),
  );
  const backup = gate.upgradeBackup;
  if (how === 'migrated')
    return `; ${backup ? `backup in ${backup.folder}; ` : 'no backup (--no-backup); '}database schema upgraded for MLflow ${change.to} with every server on it stopped`;
  if (backup) run.say(`the backup before this schema upgrade was taken by ${backup.host}: ${backup.folder}`);
  return `; database schema upgraded for MLflow ${change.to} by another host of this run${backup ? ` (backup in ${backup.folder})` : ''}`;
}

/** Until the server answers an experiments search (it touches the database), bounded. */
async function waitForDatabaseCall(run: HostRun): Promise<void> {
  const desired = run.need(run.desired);
  const deadline = Date.now() + SERVER_START_TIMEOUT_SEC * 1000;
  run.say("waiting for the server's first database call (MLflow creates its schema in an empty database)");
  let status = 0;
  while (Date.now() < deadline) {
    run.stopIfGone("the server's first database call");
    status = await run.conn
      .http(desired.port, {
        method: 'POST',
        path: '/api/2.0/mlflow/experiments/search',
        hostHeader: `127.0.0.1:${desired.port}`,
        body: '{"max_results":1}',
        ...run.authHeaders(),
      })
      .then(
        (r) => r.status,
        () => 0,
      );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new StepError(
    `The MLflow server on ${run.target.address} did not answer a database call within ${SERVER_START_TIMEOUT_SEC} s (last HTTP ${status}); see ${desired.layout.log}.`,
  );
}

/** Until /health answers; MLflow's refusal to start on an out-of-date schema is told apart. */
async function waitForServer(run: HostRun, logOffset: number): Promise<void> {
  const desired = run.need(run.desired);
  try {
    await waitForHealth(run, { port: desired.port, layout: desired.layout, logOffset });
  } catch (err) {
    const outdated = err instanceof ServerNotAnswering ? /Detected out-of-date database schema \(([^)]*)\)/.exec(err.logTail) : null;
    if (outdated) throw new SchemaOutOfDate(outdated[1]!);
    throw err;
  }
}

export const serverStep: ProvisionCheckedStep = { id: 'server', title: 'MLflow server', run: server };
