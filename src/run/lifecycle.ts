import type { HostTarget, LifecycleConfig } from '../config/config.js';
import { journalTailCommand } from '../plan/commands.js';
import { parseFacts, parseStatusExtras, statusProbeCommand, type Facts } from '../plan/facts.js';
import { planRemove, planStart, planStop, supervisorOf, type RemovalList } from '../plan/lifecycle.js';
import { artifactsOnRemove, judgePurge, parsePurgeCheck, purgeCheckCommand, type ArtifactsOnRemove } from '../plan/purge.js';
import { launcherFlag } from '../plan/probe/status.js';
import { rollingPlan } from '../plan/rolling.js';
import { readSecretsFile, remoteLayout, type RemoteLayout } from '../render/server-files.js';
import { UNIT_NAME } from '../render/systemd-unit.js';
import { errorMessage, Interrupted, StepError } from '../util/errors.js';
import { shq } from '../util/shell-quote.js';
import type { HostCommand } from './executor.js';
import { waitForHealth } from './health-wait.js';
import type { HostLog } from './host-log.js';
import type { HostIO } from './host-io.js';
import { fingerprintOnVm } from './fingerprint-read.js';
import { noteRollResult, rejoinLeftDrain, rollingSteps, type Roll } from './rolling.js';
import { HostSession } from './session.js';
import type { Step, StepOutcome } from './step.js';

export type { LifecycleConfig };

/** What one command did on one VM. */
export interface LifecycleResult {
  host: string;
  command: LifecycleConfig['command'];
  status: 'ok' | 'failed' | 'unreachable';
  changed: boolean;
  summary: string;
  error?: string;
  /** logs: the log's last lines, secrets masked, as the VM sent them (the renderers make them visible). */
  lines?: string[];
  /** logs under systemd: the unit's own journal lines (starts, stops, crashes), secrets masked. */
  journal?: string[];
  /** remove: what went and what stayed. */
  removed?: string[];
  kept?: string[];
  durationMs: number;
}

/** What a VM says about itself: the probe's facts, the launcher's port, and the log's last lines (secrets registered first). */
interface VmState {
  facts: Facts;
  layout: RemoteLayout;
  port: number;
}

/** One lifecycle command on one host: the VM's state as read, and what the command reports. */
export class LifecycleSession extends HostSession {
  state?: VmState;
  lines?: string[];
  journal?: string[];
  removal?: RemovalList;

  constructor(
    target: HostTarget,
    readonly config: LifecycleConfig,
    log: HostLog,
    io: HostIO | undefined,
    /** logs --follow: where each new line of the log goes (masked; the caller makes it visible). */
    readonly onFollowLine: (host: string, line: string) => void = () => undefined,
  ) {
    super(target, config, log, io);
  }

  get vm(): VmState {
    return this.need(this.state);
  }

  result(error?: unknown): LifecycleResult {
    const base = { host: this.target.label, command: this.config.command, durationMs: Date.now() - this.started };
    if (error !== undefined) {
      const status = this.connection ? 'failed' : 'unreachable';
      return { ...base, status, changed: false, summary: '', error: this.masker.mask(errorMessage(error)) };
    }
    return {
      ...base,
      status: 'ok',
      changed: this.changed.some((s) => s !== 'read'),
      summary: this.lastSummary,
      ...(this.lines ? { lines: this.lines } : {}),
      ...(this.journal ? { journal: this.journal } : {}),
      ...(this.removal ? { removed: this.removal.removed, kept: this.removal.kept } : {}),
    };
  }
}

/** Connects and reads the VM's state in one probe; every value of its secrets file is masked from here on. */
async function readState(s: LifecycleSession): Promise<StepOutcome> {
  await s.connect();
  const port0 = s.target.overrides.port ?? s.config.port;
  const output = await s.readProbe(statusProbeCommand(port0, s.config.lines));
  const facts = parseFacts(output);
  const extras = parseStatusExtras(output);
  readSecretsFile(extras.secrets.join('\n'), s.masker);
  const layout = remoteLayout(facts.home);
  s.state = { facts, layout, port: Number(launcherFlag(extras.launcher, '--port') ?? port0) };
  s.lines = s.config.command === 'logs' ? extras.log.map((l) => s.masker.mask(l)) : undefined;
  if (facts.files.launcher.sha256 === undefined && s.config.command !== 'remove')
    throw new StepError(`${s.target.address} is not provisioned (no ${layout.launcher}): run provision first.`);
  return { changed: false, summary: `${facts.osPretty}; ${facts.server.running ? `server pid ${facts.server.pid}` : 'no server running'}` };
}

const said = (changed: boolean, summary: string): StepOutcome => ({ changed, summary });

/**
 * Under systemd the server's output goes to the log file (the launcher's log writer); the journal holds what
 * systemd says about the unit: starts, stops, crashes and restarts. Read with sudo (the journal is root's).
 */
async function logs(s: LifecycleSession): Promise<StepOutcome> {
  if (supervisorOf(s.vm.facts) === 'systemd') {
    const res = await s.read(journalTailCommand(UNIT_NAME, s.config.lines, 'short-iso'));
    s.journal = res.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => s.masker.mask(l));
  }
  return said(false, `last ${s.lines?.length ?? 0} lines of ${s.vm.layout.log}`);
}

/** `logs --follow`: the lines read, then the log as it grows, each line masked for its host, until Ctrl-C. */
async function follow(s: LifecycleSession): Promise<StepOutcome> {
  for (const l of s.lines ?? []) s.onFollowLine(s.target.label, l);
  const log = shq(s.vm.layout.log);
  const tail = { kind: 'log-follow', label: `tail -F ${s.vm.layout.log}`, command: `tail -n 0 -F ${log}`, timeoutSec: 7 * 24 * 3600 } as const;
  // Ctrl-C is how a follow ends: not a failure.
  await s
    .read(tail, (l) => s.onFollowLine(s.target.label, s.masker.mask(l)))
    .catch((err: unknown) => {
      if (!(err instanceof Interrupted)) throw err;
    });
  return { changed: false, summary: s.interrupted ? 'followed until interrupted' : 'the log ended' };
}

/** Starts the server with the fingerprint of the files on the VM, then the one wait for /health. */
async function start(s: LifecycleSession): Promise<StepOutcome> {
  const { facts, layout, port } = s.vm;
  const restarting = s.config.command === 'restart';
  if (facts.server.running && !restarting) {
    if (!s.settings.dryRun) await waitForHealth(s, { port, layout });
    return rejoinUnlessRolling(s, said(false, `already running (pid ${facts.server.pid}), /health ok`));
  }
  if (s.settings.dryRun) return said(true, `would ${restarting ? 'restart' : 'start'} the server`);
  const { fingerprint, salt } = await fingerprintOnVm(s, layout);
  const plan = planStart(facts, layout, fingerprint, salt);
  await s.perform(plan.actions);
  await waitForHealth(s, { port, layout });
  return rejoinUnlessRolling(s, said(true, `${restarting ? 're' : ''}${plan.reason}, /health ok`));
}

/** A server that answers belongs in its load balancer (a rolling restart's own rejoin step follows its start). */
function rejoinUnlessRolling(s: LifecycleSession, outcome: StepOutcome): Promise<StepOutcome> {
  if (s.config.command === 'restart' && rollOf(s.config)) return Promise.resolve(outcome);
  return rejoinLeftDrain(s, s.vm.facts.drain, outcome);
}

/**
 * What remove does with the artifacts folder: from provision's record, and for --purge-artifacts from the
 * folder as the VM resolves it, judged by the artifacts rules. A refusal fails this VM before anything goes.
 */
async function artifactsForRemove(s: LifecycleSession): Promise<ArtifactsOnRemove> {
  const first = artifactsOnRemove(s.vm.facts, s.config.purgeArtifacts);
  if ('refuse' in first) throw new StepError(first.refuse);
  if (!('resolve' in first)) return first;
  const res = await s.read(purgeCheckCommand(first.resolve));
  const judged = judgePurge(first.resolve, parsePurgeCheck(res.stdout), s.vm.facts.user);
  if ('refuse' in judged) throw new StepError(judged.refuse);
  return judged;
}

async function remove(s: LifecycleSession): Promise<StepOutcome> {
  const plan = planRemove(s.vm.facts, s.vm.layout, await artifactsForRemove(s));
  s.removal = plan.change ? { removed: plan.removed, kept: plan.kept } : { removed: [], kept: plan.kept };
  if (!plan.change) return said(false, plan.reason);
  if (s.settings.dryRun) return said(true, `would remove ${plan.removed.join(', ')}`);
  await s.perform(plan.actions);
  return said(true, plan.reason);
}

const readStep: Step<LifecycleSession> = { id: 'read', title: "Connect and read the VM's state", run: readState };
const stopStep: Step<LifecycleSession> = {
  id: 'stop',
  title: 'Stop the server',
  plan: (s) => planStop(s.vm.facts, s.vm.layout),
};
const startStep: Step<LifecycleSession> = { id: 'start', title: 'Start the server', run: start };

/** Each command's steps, in order (a rolling restart: drained before the stop, back after the start). */
function lifecycleSteps(config: LifecycleConfig, roll?: Roll): readonly Step<LifecycleSession>[] {
  switch (config.command) {
    case 'logs':
      return [readStep, { id: 'logs', title: 'Read the log', run: logs }, ...(config.follow ? [{ id: 'follow', title: 'Follow the log', run: follow }] : [])];
    case 'stop':
      return [readStep, stopStep];
    case 'start':
      return [readStep, startStep];
    case 'restart': {
      if (!roll) return [readStep, stopStep, startStep];
      const { drain, rejoin } = rollingSteps<LifecycleSession>(roll);
      return [readStep, drain, stopStep, startStep, rejoin];
    }
    case 'remove':
      return [readStep, { id: 'remove', title: 'Remove what provision installed', run: remove }];
  }
}

/** The roll of a restart that rolls (plan/rolling.ts), else none. */
export function rollOf(config: LifecycleConfig): Roll | undefined {
  const plan = rollingPlan(config.command === 'restart', config);
  return plan.rolling ? { plan } : undefined;
}

/** A lifecycle command as a command of the executor (a roll runs it with concurrency 1: run/rolling.ts rollingRun). */
export function lifecycleCommand(
  config: LifecycleConfig,
  hooks: { io?: HostIO; onFollowLine?: (host: string, line: string) => void; roll?: Roll } = {},
): HostCommand<LifecycleSession, LifecycleResult> {
  return {
    session: (target, log) => new LifecycleSession(target, config, log, hooks.io, hooks.onFollowLine),
    steps: () => lifecycleSteps(config, hooks.roll),
    result: (s, error) => {
      noteRollResult(hooks.roll, s.target.label, error);
      return s.result(error);
    },
    notStarted: (target, why) => ({ host: target.label, command: config.command, status: 'failed', changed: false, summary: '', error: why, durationMs: 0 }),
    doneTitle: (s) => `${s.target.label}: ${config.command}: ${s.lastSummary}`,
    renderTo: 'stderr',
  };
}
