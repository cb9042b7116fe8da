import { drainCommand, drainRuleSays, probedPort, rejoinCommand } from '../plan/drain.js';
import type { DrainFacts, Facts } from '../plan/facts.js';
import { rollStoppedSentence, type RollingPlan } from '../plan/rolling.js';
import { StepError } from '../util/errors.js';
import type { HostSession } from './session.js';
import type { Step, StepOutcome } from './step.js';

/**
 * Rolling restarts (plan/rolling.ts). `restart` rolls as a whole command: the executor runs the VMs one at a
 * time (concurrency 1, in the order given), each as read, drain, stop, start (waits for /health), rejoin; the
 * first VM that fails stops the roll: the VMs after it are connected to but not touched, each says why.
 * `provision` rolls only its restarts: every other step runs on every VM at once, and a fleet's restarts take
 * turns (RestartTurns). A VM that failed after its drain stays out of the load balancer (its server is in
 * doubt); a later restart or provision run of it, or a reboot, puts it back.
 */
export interface Roll {
  readonly plan: RollingPlan;
  /** The first VM that failed, once one has. */
  failedHost?: string;
}

/** What a VM's steps need of its session for the roll: the server's port and the proxy as the VM says. */
interface RollingSession extends HostSession {
  readonly vm: { port: number; facts: Pick<Facts, 'proxy'> };
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

/** Takes the VM out of its load balancer: the probe of `port` gets no answer for `drainSeconds`, then the caller stops the server. */
async function drain(s: HostSession, port: number, plan: RollingPlan): Promise<StepOutcome> {
  if (plan.drainSeconds === 0) return { changed: false, summary: 'no drain (--drain-seconds 0): the load balancer notices the stop by itself' };
  if (s.settings.dryRun) return { changed: true, summary: `would drain for ${plan.drainSeconds} s` };
  await s.perform([drainCommand(port, plan.probeSource)]);
  s.say(`out of the load balancer: its probe of port ${port} from ${plan.probeSource} gets no answer; requests in flight finish (${plan.drainSeconds} s)`);
  await hold(s, plan.drainSeconds, 'the drain');
  return { changed: true, summary: `drained for ${plan.drainSeconds} s (probe from ${plan.probeSource} unanswered)` };
}

/** Puts the VM back (any drain rule goes) and waits until the load balancer sends it requests again. */
async function rejoin(s: HostSession, plan: RollingPlan): Promise<StepOutcome> {
  if (s.settings.dryRun) return { changed: true, summary: 'would rejoin the load balancer' };
  await s.perform([rejoinCommand()]);
  if (plan.drainSeconds === 0) return { changed: true, summary: 'rejoined (no wait: --drain-seconds 0)' };
  s.say(`the probe answers again: waiting ${plan.drainSeconds} s for the load balancer to send requests again`);
  await hold(s, plan.drainSeconds, 'the load balancer to take the VM back');
  return { changed: true, summary: `rejoined: the probe answered for ${plan.drainSeconds} s` };
}

/** The steps a roll adds around restart's stop and start. */
export function rollingSteps<S extends RollingSession>(roll: Roll): { drain: Step<S>; rejoin: Step<S> } {
  const port = (s: S) => probedPort(s.vm.port, s.vm.facts.proxy.ours);
  return {
    drain: {
      id: 'drain',
      title: 'Leave the load balancer (drain)',
      run: (s) => {
        stopIfRollFailed(roll);
        return drain(s, port(s), roll.plan);
      },
    },
    rejoin: { id: 'rejoin', title: 'Rejoin the load balancer', run: (s) => rejoin(s, roll.plan) },
  };
}

/**
 * After a server answers: a drain an interrupted roll left on the VM (the probe's `drain` fact) goes, so the VM
 * is back in its load balancer; said after `outcome`'s summary. Nothing when there is none.
 */
export async function rejoinLeftDrain(s: HostSession, drain: DrainFacts | undefined, outcome: StepOutcome): Promise<StepOutcome> {
  if (!drain) return outcome;
  const why = `the VM was out of its load balancer (a drain an interrupted rolling restart left: ${drainRuleSays(drain)})`;
  if (s.settings.dryRun) return { changed: true, summary: `${outcome.summary}; would rejoin the load balancer: ${why}` };
  await s.perform([rejoinCommand()]);
  return { changed: true, summary: `${outcome.summary}; rejoined the load balancer: ${why}` };
}

/**
 * A fleet's restarts in one provision run, one at a time: a VM's restart waits until the one before it is
 * back in the load balancer. After a failed restart no further turn is given (the same configuration would
 * most likely fail there too, and the fleet would lose a second server): each VM still waiting says why.
 */
export class RestartTurns {
  private last: Promise<void> = Promise.resolve();
  /** The host with the turn first, then those waiting, in order. */
  private readonly inLine: string[] = [];
  private failedHost?: string;

  constructor(private readonly stoppedSentence: (failedHost: string) => string) {}

  /** Runs `restart` in `host`'s turn; `waiting` is told who has the turn while this host waits for it. */
  async take<T>(host: string, restart: () => Promise<T>, waiting: (holder: string) => void): Promise<T> {
    const before = this.last;
    let release!: () => void;
    this.last = new Promise<void>((r) => (release = r));
    const ahead = this.inLine[0];
    this.inLine.push(host);
    if (ahead !== undefined) waiting(ahead);
    await before;
    try {
      if (this.failedHost !== undefined) throw new StepError(this.stoppedSentence(this.failedHost));
      return await restart();
    } catch (failure) {
      this.failedHost ??= host;
      throw failure;
    } finally {
      this.inLine.splice(this.inLine.indexOf(host), 1);
      release();
    }
  }
}

/**
 * One VM's restart in its fleet's turn: drained first when its server serves (probe of `port`), then
 * `restart` (stop, start, /health), then back in the load balancer (any drain rule a failed run left goes too).
 */
export async function restartInTurn(
  s: HostSession,
  turns: RestartTurns,
  how: { plan: RollingPlan; port: number; serves: boolean },
  restart: () => Promise<StepOutcome>,
): Promise<StepOutcome> {
  return turns.take(
    s.target.label,
    async () => {
      const drained = how.serves ? await drain(s, how.port, how.plan) : undefined;
      const outcome = await restart();
      const back = await rejoin(s, how.plan);
      const steps = [drained?.summary ?? 'not drained (the server was not serving)', back.summary];
      return { ...outcome, summary: `${outcome.summary}; one VM at a time: ${steps.join(', ')}` };
    },
    (holder) => s.say(`restarts go one VM at a time in this fleet: waiting for ${holder} to be back in the load balancer`),
  );
}
