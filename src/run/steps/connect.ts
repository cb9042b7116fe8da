import { desiredState, newFlaskSecretKey } from '../../plan/desired.js';
import { parseFacts, probeCommand } from '../../plan/facts.js';
import { artifactsRefusal, preflightProblems } from '../../plan/plan.js';
import { portProblem, supervisorProblem } from '../../plan/server-plan.js';
import { proxyProblem } from '../../plan/proxy-plan.js';
import type { Facts } from '../../plan/facts.js';
import { autoWorkers, newFingerprintSalt } from '../../render/server-files.js';
import type { FleetShare } from '../fleet.js';
import { StepError } from '../../util/errors.js';
import type { HostRun } from '../host-run.js';
import type { ProvisionCheckedStep, StepOutcome } from './step.js';

/**
 * Connects (host key checked), starts the database checks on the same connection, runs the one probe,
 * computes the desired state and refuses what preflight finds, before anything changes.
 */
async function connect(run: HostRun): Promise<StepOutcome> {
  const { auth, db } = run.config;
  let newKey = '';
  await run.connect((fp, type, file) => {
    newKey = `new host key ${type} ${fp} recorded in ${file}`;
    run.say(newKey);
  });
  // The database check needs nothing on the VM but sshd's TCP forwarding: it runs on the same connection
  // while the probe runs, and the database step only awaits its answer.
  run.notes.dbCheck = run.conn.checkDatabase(db);
  run.notes.dbCheck.catch(() => undefined);
  if (auth) {
    run.notes.authDbCheck = run.conn.checkDatabase(
      { ...db, database: auth.database },
      10000,
      `The database "${auth.database}" for MLflow's users and permissions (--auth basic) does not exist on ${db.host}:${db.port}, and user "${db.user}" may not create databases: create it on the same server ` +
        `(az postgres flexible-server db create --database-name ${auth.database} ..., or CREATE DATABASE ${auth.database} OWNER "${db.user}";) or name an existing one with --auth-db.`,
    );
    run.notes.authDbCheck.catch(() => undefined);
  }
  await probe(run);
  const facts = run.need(run.facts);
  const desired = run.need(run.desired);
  const problems = [
    ...preflightProblems(facts, run.target.user),
    portProblem(facts, desired, run.target.address),
    supervisorProblem(facts, desired, run.target.address),
    proxyProblem(facts, desired.proxy, run.target.address),
    artifactsRefusal(facts, desired),
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new StepError(problems.join(' '));
  return {
    changed: false,
    summary: `${facts.osPretty}, sudo ok, ${(facts.diskFreeMb / 1024).toFixed(1)} GB free${newKey ? `; ${newKey}` : ''}`,
  };
}

/** One round trip that reads everything the steps decide on; then the desired state, computed here. */
async function probe(run: HostRun): Promise<void> {
  const server = run.serverOptions;
  const output = await run.readProbe(
    probeCommand({
      ...(server.artifactsDir ? { artifactsDir: server.artifactsDir } : {}),
      mlflowPort: server.port,
      readFlaskSecretKey: Boolean(run.config.auth),
    }),
  );
  run.facts = parseFacts(output);
  run.facts.flaskSecretKey?.maskIn(run.masker);
  const fleet = await fleetShare(run, run.facts);
  run.desired = desiredState({
    config: run.config,
    target: run.target,
    server: fleet ? { ...server, workers: fleet.workers } : server,
    facts: run.facts,
    newFlaskKey: () => (run.flaskKey ??= newFlaskSecretKey()),
    newSalt: () => (run.fingerprintSalt ??= newFingerprintSalt()),
    ...(fleet
      ? { fleet: { ...(fleet.flaskKey ? { flaskKey: fleet.flaskKey } : {}), ...(fleet.periodicTasks === false ? { periodicTasks: false } : {}) } }
      : {}),
  });
}

/**
 * The fleet's rules (run/fleet.ts): this VM offers its session key, its workers and the database's limits,
 * and waits for the fleet's one decision: the key, the workers that fit the connection budget (or the refusal),
 * whether this server runs the job runner's periodic tasks. Before the files step writes anything.
 */
async function fleetShare(run: HostRun, facts: Facts): Promise<FleetShare | undefined> {
  if (!run.fleet) return undefined;
  const report = await run.notes.dbCheck?.catch(() => undefined);
  const share = await run.fleet.share(run.target.label, {
    ...(facts.flaskSecretKey ? { flaskKey: facts.flaskSecretKey } : {}),
    workers: run.serverOptions.workers ?? autoWorkers(facts.memTotalMb),
    ...(report?.connectionLimits ? { limits: report.connectionLimits } : {}),
  });
  share.flaskKey?.maskIn(run.masker);
  for (const note of share.notes) {
    run.say(note);
    run.warnings.push(note);
  }
  return share;
}

export const connectStep: ProvisionCheckedStep = { id: 'connect', title: 'Connect and check the VM', run: connect };
