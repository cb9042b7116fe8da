import type { ProvisionConfig } from '../config/config.js';
import { fleetsOf, sharedArtifactsRefusal } from '../plan/fleet.js';
import { UsageError } from '../util/errors.js';
import type { HostCommand } from './executor.js';
import { FleetGate } from './fleet.js';
import type { HostIO } from './host-io.js';
import { HostRun, type HostResult } from './host-run.js';
import { SchemaGate } from './schema-gate.js';
import { STEPS } from './steps/index.js';
import { stepsToRun } from './executor.js';
import type { StepDef } from './steps/step.js';

/** The steps a run takes: all of them, or for --dry-run those that do not judge a live server. */
export function stepsFor(config: Pick<ProvisionConfig, 'dryRun'>): readonly StepDef[] {
  return stepsToRun(STEPS, config.dryRun);
}

/** A result for a host that never ran a step. */
export function hostNotStarted(host: string, error: string): HostResult {
  return { host, status: 'failed', changed: [], error, warnings: [], durationMs: 0, sshConnections: 0, remoteCommands: 0, portForwards: 0 };
}

/**
 * The fleet of each host (the VMs of the run on one database), its gate the place they share. The fleet
 * rule that needs no VM is checked here, before any host connects: VM-disk artifacts would split a fleet's.
 */
export function fleetGates(config: ProvisionConfig): Map<string, FleetGate> {
  const gates = new Map<string, FleetGate>();
  const { server } = config;
  const settings = {
    databaseHost: config.db.host,
    auth: config.auth !== undefined,
    jobRunner: server.jobRunner === true,
    ...(server.workers ? { workers: server.workers } : {}),
  };
  // Every target of a run uses the run's database (a hosts-file line overrides no database setting).
  for (const fleet of fleetsOf(
    config.targets.map((t) => t.label),
    () => config.db,
  )) {
    const refusal = sharedArtifactsRefusal(fleet, server.blob !== undefined);
    if (refusal) throw new UsageError(refusal);
    const gate = new FleetGate(fleet, settings);
    for (const host of fleet.members) gates.set(host, gate);
  }
  return gates;
}

/**
 * Provisioning as a command of the executor: a HostRun per host, the steps of run/steps/, one schema gate
 * for the batch (first starts on a fresh schema, coordinated version upgrades) and one fleet gate per
 * database (run/fleet.ts). Throws the fleet's refusal before any host connects.
 */
export function provisionCommand(config: ProvisionConfig, io?: HostIO): HostCommand<HostRun, HostResult> {
  const schemaGate = new SchemaGate();
  const fleets = fleetGates(config);
  return {
    session: (target, log) => new HostRun(target, config, log, schemaGate, io, fleets.get(target.label)),
    steps: () => STEPS,
    result: (run, error) => run.result(error),
    notStarted: (target, why) => hostNotStarted(target.label, why),
    begin: (run) => {
      schemaGate.join(run.target.label);
      run.fleet?.join(run.target.label);
    },
    end: (run) => {
      schemaGate.leave(run.target.label);
      run.fleet?.leave(run.target.label);
    },
  };
}
