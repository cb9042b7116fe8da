import { planGc } from '../../plan/gc-plan.js';
import { planned, type PlanInput } from './step.js';

/** --gc-after: the daily mlflow gc timer written, enabled and started; without it, one an earlier run set up goes. */
export const gcStep = planned({
  id: 'gc',
  title: 'Scheduled mlflow gc',
  plan: ({ facts, desired }: PlanInput) => planGc(facts, desired.gc, desired.layout),
});
