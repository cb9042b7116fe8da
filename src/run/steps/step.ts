import type { Plan } from '../../action/action.js';
import type { HostRun, PlanInput } from '../host-run.js';
import type { CheckedStep, PlannedStep, Step } from '../step.js';

export type { PlanInput } from '../host-run.js';
export type { StepOutcome } from '../step.js';

/** A provisioning step: runs on a HostRun. */
export type StepDef = Step<HostRun>;
export type ProvisionCheckedStep = CheckedStep<HostRun>;

/**
 * A planned provisioning step whose plan is a pure function of (facts, desired state, settings): the
 * executor hands it the run's plan input.
 */
export function planned<P extends Plan>(def: {
  id: PlannedStep<HostRun, P>['id'];
  title: string;
  plan(input: PlanInput): P;
  onDryRun?(run: HostRun, plan: P): void;
  apply?(run: HostRun, plan: P): ReturnType<NonNullable<PlannedStep<HostRun, P>['apply']>>;
}): PlannedStep<HostRun, P> {
  return { ...def, plan: (run) => def.plan(run.planInput()) };
}
