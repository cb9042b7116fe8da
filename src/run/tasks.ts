import type { ProvisionConfig } from '../config/config.js';
import type { HostCommand } from './executor.js';
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
 * Provisioning as a command of the executor: a HostRun per host, the steps of run/steps/, and one schema gate
 * for the batch (first starts on a fresh schema, coordinated version upgrades).
 */
export function provisionCommand(config: ProvisionConfig): HostCommand<HostRun, HostResult> {
  const schemaGate = new SchemaGate();
  return {
    session: (target, log) => new HostRun(target, config, log, schemaGate),
    steps: () => STEPS,
    result: (run, error) => run.result(error),
    notStarted: (target, why) => hostNotStarted(target.label, why),
    begin: (run) => schemaGate.join(run.target.label),
    end: (run) => schemaGate.leave(run.target.label),
  };
}
