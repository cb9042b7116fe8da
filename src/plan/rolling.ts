import type { LifecycleConfig } from '../config/types.js';
import { AZURE_PROBE_SOURCE } from './drain.js';

/**
 * An Azure Load Balancer's default probe: every 5 s, down after 2 failures, plus one interval: an unanswered
 * probe fails only at its timeout, so the VM is down between 10 and 15 s after the drain begins (the lab measured
 * 45 failed requests of 10,585 in a roll with 10 s, docs/benchmarks.md).
 */
export const DEFAULT_DRAIN_SECONDS = 5 * (2 + 1);

/** How a restart goes through the VMs: all at once, or one at a time out of the load balancer and back. */
export interface RollingPlan {
  /** One VM at a time, in the order given; the first failure stops the roll. */
  rolling: boolean;
  /** How long a VM's probe fails before its server stops, and how long it answers again before the next VM (0: no drain). */
  drainSeconds: number;
  probeSource: string;
}

/**
 * `restart` of several VMs (a hosts file: the servers behind one load balancer) rolls: one VM at a time, each
 * drained first, so the others serve while it restarts. A restart of one VM rolls only when --drain-seconds asks
 * for its drain (it may be one VM of a fleet); else it restarts as it always did. The other commands never roll.
 */
export function rollingPlan(config: Pick<LifecycleConfig, 'command' | 'targets' | 'drainSeconds' | 'lbProbeSource'>): RollingPlan {
  const several = config.targets.length > 1;
  const rolling = config.command === 'restart' && (several || config.drainSeconds !== undefined);
  return {
    rolling,
    drainSeconds: rolling ? (config.drainSeconds ?? DEFAULT_DRAIN_SECONDS) : 0,
    probeSource: config.lbProbeSource ?? AZURE_PROBE_SOURCE,
  };
}

/** What a VM after the one that failed reports: untouched, and why. */
export function rollStoppedSentence(failedHost: string): string {
  return `not restarted: the rolling restart stopped when ${failedHost} failed (this VM was left as it was; rerun restart once ${failedHost} is fixed)`;
}
