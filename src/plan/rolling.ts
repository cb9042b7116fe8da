import type { DrainSettings, HostTarget } from '../config/types.js';
import type { Facts } from './facts.js';
import { AZURE_PROBE_SOURCE } from './drain.js';

/**
 * An Azure Load Balancer's default probe: every 5 s, down after 2 failures, plus one interval: an unanswered
 * probe fails only at its timeout, so the VM is down between 10 and 15 s after the drain begins (the lab measured
 * 45 failed requests of 10,585 in a roll with 10 s, docs/benchmarks.md).
 */
export const DEFAULT_DRAIN_SECONDS = 5 * (2 + 1);

/** How restarts go through the VMs: all at once, or one at a time out of the load balancer and back. */
export interface RollingPlan {
  /** One VM at a time; the first failure stops the roll. */
  rolling: boolean;
  /** How long a VM's probe fails before its server stops, and how long it answers again before the next VM (0: no drain). */
  drainSeconds: number;
  probeSource: string;
}

/**
 * Restarts of several VMs (a hosts file: the servers behind one load balancer) roll: one VM at a time, each
 * drained first, so the others serve while it restarts. That holds for `restart` and for the restarts a
 * `provision` run makes (`restarts`: the command restarts servers at all). One VM rolls only when
 * --drain-seconds asks for its drain (it may be one VM of a fleet); else it restarts as it always did.
 */
export function rollingPlan(restarts: boolean, config: { targets: readonly HostTarget[] } & Partial<DrainSettings>): RollingPlan {
  const several = config.targets.length > 1;
  const rolling = restarts && (several || config.drainSeconds !== undefined);
  return {
    rolling,
    drainSeconds: rolling ? (config.drainSeconds ?? DEFAULT_DRAIN_SECONDS) : 0,
    probeSource: config.lbProbeSource ?? AZURE_PROBE_SOURCE,
  };
}

/**
 * Whether the VM's server serves now, so its load balancer sends it requests: a recorded server that listens,
 * or the unit's active process. A server that does not (stopped, wedged) is out of the pool already: its
 * restart needs no drain.
 */
export function serverServes(facts: Facts): boolean {
  const nohup = facts.server.running && facts.server.listening !== false;
  return nohup || (facts.supervisor.unit?.active === 'active' && facts.supervisor.unit.mainPid !== undefined);
}

/** What a VM after the one that failed reports: untouched, and why. */
export function rollStoppedSentence(failedHost: string): string {
  return `not restarted: the rolling restart stopped when ${failedHost} failed (this VM was left as it was; rerun restart once ${failedHost} is fixed)`;
}

/** provision's sentence for a VM whose restart did not take its turn: its files changed, its server did not restart. */
export function provisionRollStoppedSentence(failedHost: string): string {
  return `server not restarted: the fleet's restarts go one VM at a time and stopped when ${failedHost} failed; this VM's server runs on as it was (its new files are in place): fix ${failedHost}, then rerun provision`;
}
