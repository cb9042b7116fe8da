import type { ProvisionConfig } from '../../config/config.js';
import type { RemoteCommand } from '../../plan/commands.js';
import type { Decision, Desired } from '../../plan/plan.js';
import type { Facts } from '../../plan/facts.js';
import type { Secret } from '../../util/secret.js';
import type { HostRun } from '../host-run.js';

export type StepId = 'connect' | 'packages' | 'python' | 'artifacts' | 'database' | 'files' | 'server' | 'proxy' | 'verify';

export interface StepOutcome {
  changed: boolean;
  /** Shown after the step title: what was done, or why nothing was. */
  summary: string;
}

/** One thing a step does on the VM: a command, or a file uploaded atomically with its mode. */
export type Action = { kind: 'run'; command: RemoteCommand } | { kind: 'upload'; path: string; content: string | Secret; mode: number };

/** A step's plan: whether it changes the VM and why, and the actions that make the change. */
export interface StepPlan extends Decision {
  actions: Action[];
  /** The summary once the actions ran (default: the reason). */
  applied?: string;
}

/** What a plan is made from: the probed facts, the desired state, the run's settings. */
export interface PlanInput {
  facts: Facts;
  desired: Desired;
  config: ProvisionConfig;
}

interface StepBase {
  id: StepId;
  title: string;
  /** Skipped by --dry-run: it judges a server the dry run did not start. */
  liveOnly?: boolean;
}

/**
 * A step as data: the executor (HostRun.execute) says "unchanged" when the plan says so, gives the plan's
 * reason on --dry-run, and otherwise runs the actions, or `apply` for a step whose outcome is known only after
 * acting (which MLflow pip installed).
 */
export interface PlannedStep<P extends StepPlan = StepPlan> extends StepBase {
  /** Pure: (facts, desired state, settings) → decision and actions. */
  plan(input: PlanInput): P;
  /** --dry-run: what the plan means for later steps (e.g. a reinstall restarts the server). */
  onDryRun?(run: HostRun, plan: P): void;
  apply?(run: HostRun, plan: P): Promise<StepOutcome>;
}

/** A step that gathers answers and judges them, or must decide as it goes (connect, database, server, verify). */
export interface CheckedStep extends StepBase {
  run(run: HostRun): Promise<StepOutcome>;
}

export type StepDef = PlannedStep | CheckedStep;

export const runAll = (commands: RemoteCommand[]): Action[] => commands.map((command) => ({ kind: 'run', command }));
