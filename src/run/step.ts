import type { Plan } from '../action/action.js';

/** What a step did: shown after its title in the task list, and in the host's log. */
export interface StepOutcome {
  changed: boolean;
  /** Shown after the step title: what was done, or why nothing was. */
  summary: string;
}

interface StepBase {
  id: string;
  title: string;
  /** Skipped by --dry-run: it judges a server the dry run did not start. */
  liveOnly?: boolean;
}

/**
 * A step as data, for a host session of type R (provisioning's HostRun, a status or lifecycle session): the
 * executor (HostSession.execute) says "unchanged" when the plan says so, gives the plan's reason on
 * --dry-run, and otherwise runs the plan's actions, or `apply` for a step whose outcome is known only after
 * acting.
 */
export interface PlannedStep<R, P extends Plan = Plan> extends StepBase {
  /** Pure: from what the session has read (facts, desired state, settings) to a plan. */
  plan(run: R): P;
  /** --dry-run: what the plan means for later steps (e.g. a reinstall restarts the server). */
  onDryRun?(run: R, plan: P): void;
  apply?(run: R, plan: P): Promise<StepOutcome>;
}

/** A step that gathers answers and judges them, or must decide as it goes. */
export interface CheckedStep<R> extends StepBase {
  run(run: R): Promise<StepOutcome>;
}

/** A step of a command (a planned step with a richer plan type fits: its methods take the plan it made). */
export type Step<R> = PlannedStep<R> | CheckedStep<R>;
