import { drainCommand, rejoinCommand } from '../plan/drain.js';
import { rollStoppedSentence, type RollingPlan } from '../plan/rolling.js';
import { StepError } from '../util/errors.js';
import type { HostSession } from './session.js';
import type { Step, StepOutcome } from './step.js';

/**
 * A rolling restart (plan/rolling.ts): the executor runs the VMs one at a time (concurrency 1, in the order
 * given), each as read, drain, stop, start (waits for /health), rejoin. The first VM that fails stops the roll:
 * the VMs after it are connected to but not touched, each says why. A VM that failed after its drain stays out
 * of the load balancer (its server is in doubt); a later restart of it, or a reboot, puts it back.
 */
export interface Roll {
  readonly plan: RollingPlan;
  /** The first VM that failed, once one has. */
  failedHost?: string;
}

/** What a VM's steps need of its session for the roll: the server's port as the VM says. */
interface RollingSession extends HostSession {
  readonly vm: { port: number };
}

/** The executor's configuration for a roll: one VM at a time. */
export function rollingRun<C extends { concurrency: number }>(config: C, roll: Roll | undefined): C {
  return roll?.plan.rolling ? { ...config, concurrency: 1 } : config;
}

/** Called with every VM's result: the first failure stops the roll. */
export function noteRollResult(roll: Roll | undefined, host: string, error: unknown): void {
  if (roll && error !== undefined && roll.failedHost === undefined) roll.failedHost = host;
}

/** After the VM's state was read: a VM after a failed one goes no further. */
function stopIfRollFailed(roll: Roll): void {
  if (roll.failedHost !== undefined) throw new StepError(rollStoppedSentence(roll.failedHost));
}

/** Waits `seconds`, ending at once on Ctrl-C or a dropped connection. */
async function hold<S extends HostSession>(s: S, seconds: number, what: string): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    s.stopIfGone(what);
    await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
  }
}

async function drain(s: RollingSession, roll: Roll): Promise<StepOutcome> {
  stopIfRollFailed(roll);
  const plan = roll.plan;
  if (plan.drainSeconds === 0) return { changed: false, summary: 'no drain (--drain-seconds 0): the load balancer notices the stop by itself' };
  if (s.settings.dryRun) return { changed: true, summary: `would drain for ${plan.drainSeconds} s` };
  await s.perform([drainCommand(s.vm.port, plan.probeSource)]);
  s.say(`out of the load balancer: its probe from ${plan.probeSource} gets no answer; requests in flight finish (${plan.drainSeconds} s)`);
  await hold(s, plan.drainSeconds, 'the drain');
  return { changed: true, summary: `drained for ${plan.drainSeconds} s (probe from ${plan.probeSource} unanswered)` };
}

async function rejoin(s: RollingSession, plan: RollingPlan): Promise<StepOutcome> {
  if (s.settings.dryRun) return { changed: true, summary: 'would rejoin the load balancer' };
  await s.perform([rejoinCommand()]);
  if (plan.drainSeconds === 0) return { changed: true, summary: 'rejoined (no wait: --drain-seconds 0)' };
  s.say(`the probe answers again: waiting ${plan.drainSeconds} s for the load balancer to send requests again`);
  await hold(s, plan.drainSeconds, 'the load balancer to take the VM back');
  return { changed: true, summary: `rejoined: the probe answered for ${plan.drainSeconds} s` };
}

/** The steps a roll adds around restart's stop and start. */
export function rollingSteps<S extends RollingSession>(roll: Roll): { drain: Step<S>; rejoin: Step<S> } {
  return {
    drain: { id: 'drain', title: 'Leave the load balancer (drain)', run: (s) => drain(s, roll) },
    rejoin: { id: 'rejoin', title: 'Rejoin the load balancer', run: (s) => rejoin(s, roll.plan) },
  };
}
