import type { HostTarget, LifecycleConfig } from '../config/config.js';
import { httpFailureDetail, httpOnVm } from '../checks/http.js';
import { journalTailCommand, logTailCommand, startServerCommand, type RemoteCommand } from '../plan/commands.js';
import { parseFacts, type Facts } from '../plan/facts.js';
import { planRemove, planStop, supervisorOf, type LifecycleCommand, type LifecyclePlan } from '../plan/lifecycle.js';
import { artifactsOnRemove, judgePurge, parsePurgeCheck, purgeCheckCommand, type ArtifactsOnRemove } from '../plan/purge.js';
import { launcherFlag } from '../plan/probe/status.js';
import { startUnitCommand } from '../plan/unit-commands.js';
import { configFingerprint, newFingerprintSalt, readSecretsFile, remoteLayout, type RemoteLayout } from '../render/server-files.js';
import { Remote } from '../ssh/connection.js';
import { errorMessage, StepError } from '../util/errors.js';
import { hostMasker, Secret, type Masker } from '../util/secret.js';
import { shq } from '../util/shell-quote.js';
import { UNIT_NAME } from '../render/systemd-unit.js';
import { buildStatusScript, parseStatusExtras } from './status.js';

/** What one command did on one VM. */
export interface LifecycleResult {
  host: string;
  command: LifecycleCommand;
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

/** How long start and restart wait for /health. */
const HEALTH_WAIT_SEC = 120;

/** What a VM says about itself: the probe's facts, the launcher's port, and the log's last lines (secrets registered first). */
interface VmState {
  facts: Facts;
  layout: RemoteLayout;
  port: number;
  log: string[];
  /** This host's masker: the laptop's secrets and the VM's own. */
  masker: Masker;
}

async function readState(remote: Remote, target: HostTarget, config: LifecycleConfig, masker: Masker): Promise<VmState> {
  const port0 = target.overrides.port ?? config.port;
  const res = await remote.exec(buildStatusScript(port0, config.lines), { timeoutSec: 60 });
  if (!res.stdout.includes('probe_done=1')) throw new StepError(`Reading the VM's state failed (exit ${res.code}).`);
  const facts = parseFacts(res.stdout);
  const extras = parseStatusExtras(res.stdout);
  // Every value of the secrets file (and the password in its URI) is masked in this host's text, before any
  // log line is shown.
  readSecretsFile(extras.secrets.join('\n'), masker);
  return {
    facts,
    layout: remoteLayout(facts.home),
    port: Number(launcherFlag(extras.launcher, '--port') ?? port0),
    log: extras.log.map((l) => masker.mask(l)),
    masker,
  };
}

async function runAll(remote: Remote, commands: RemoteCommand[], masker: Masker): Promise<void> {
  for (const c of commands) {
    const res = await remote.exec(c.command, { timeoutSec: c.timeoutSec });
    if (res.code !== 0) {
      const last = `${res.stderr}\n${res.stdout}`.trim().split('\n').slice(-1)[0] ?? '';
      throw new StepError(`"${c.label}" failed (exit ${res.code})${last ? `: ${masker.mask(last)}` : ''}.`);
    }
  }
}

/**
 * The configuration fingerprint of the files on the VM, keyed with the salt the server's record kept (or a
 * new one): what `provision` computes for unchanged files, so a rerun after `start` stays a no-op. The files
 * travel base64-encoded on this one command's output and never reach a log.
 */
async function fingerprintOnVm(remote: Remote, layout: RemoteLayout, masker: Masker): Promise<{ fingerprint: string; salt: string }> {
  const b64 = (path: string, key: string) => `[ -f ${shq(path)} ] && printf '${key}=%s\\n' "$(base64 -w0 < ${shq(path)})"`;
  const script = [
    b64(layout.launcher, 'launcher'),
    b64(layout.secrets, 'secrets'),
    b64(layout.authIni, 'auth'),
    `[ -f ${shq(layout.pidFile)} ] && { read -r _ _ _ s < ${shq(layout.pidFile)}; echo "salt=$s"; }`,
    'true',
  ].join('\n');
  const out = (await remote.exec(script, { timeoutSec: 30 })).stdout;
  const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1];
  const decode = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8'));
  const launcher = decode(field('launcher'));
  const secrets = decode(field('secrets'));
  if (launcher === undefined || secrets === undefined)
    throw new StepError(`This VM is not provisioned (no ${launcher === undefined ? layout.launcher : layout.secrets}): run provision first.`);
  const secret = new Secret(secrets, masker);
  const kept = field('salt') ?? '';
  const salt = /^[0-9a-f]{32}$/.test(kept) ? kept : newFingerprintSalt();
  return { fingerprint: configFingerprint(launcher, secret, decode(field('auth')), salt), salt };
}

/** Until /health answers 200 through the connection, bounded; the log's last lines in the error otherwise. */
async function waitForHealth(remote: Remote, state: VmState, target: HostTarget): Promise<void> {
  const deadline = Date.now() + HEALTH_WAIT_SEC * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (remote.isClosed) throw new StepError(`The SSH connection to ${target.address} dropped while waiting for /health.`);
    try {
      const res = await httpOnVm(remote, state.port, { path: '/health', timeoutMs: 5000 });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = httpFailureDetail(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const tail = logTailCommand(state.layout, 5);
  const lines = (await remote.exec(tail.command, { timeoutSec: tail.timeoutSec }).catch(() => ({ stdout: '' }))).stdout.trim();
  throw new StepError(
    `The server did not answer /health within ${HEALTH_WAIT_SEC} s (${last}); last log lines: ${state.masker.mask(lines.split('\n').join(' | '))}`,
  );
}

async function start(remote: Remote, state: VmState, target: HostTarget): Promise<string> {
  const { fingerprint, salt } = await fingerprintOnVm(remote, state.layout, state.masker);
  const systemd = supervisorOf(state.facts) === 'systemd';
  await runAll(remote, [systemd ? startUnitCommand(state.layout, fingerprint, salt) : startServerCommand(state.layout, fingerprint, salt)], state.masker);
  await waitForHealth(remote, state, target);
  return systemd ? 'started under systemd, /health ok' : 'started, /health ok';
}

/**
 * Under systemd the server's output goes to the log file (the launcher's log writer); the journal holds what
 * systemd says about the unit: starts, stops, crashes and restarts. Read with sudo (the journal is root's).
 */
async function unitJournal(remote: Remote, lines: number, masker: Masker): Promise<string[]> {
  const tail = journalTailCommand(UNIT_NAME, lines, 'short-iso');
  const res = await remote.exec(tail.command, { timeoutSec: tail.timeoutSec });
  return res.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => masker.mask(l));
}

/**
 * What remove does with the artifacts folder: from provision's record, and for --purge-artifacts from the
 * folder as the VM resolves it, judged by the artifacts rules. A refusal fails this VM before anything goes.
 */
async function artifactsForRemove(remote: Remote, state: VmState, purge: boolean): Promise<ArtifactsOnRemove> {
  const first = artifactsOnRemove(state.facts, purge);
  if ('refuse' in first) throw new StepError(first.refuse);
  if (!('resolve' in first)) return first;
  const check = purgeCheckCommand(first.resolve);
  const res = await remote.exec(check.command, { timeoutSec: check.timeoutSec });
  const judged = judgePurge(first.resolve, parsePurgeCheck(res.stdout), state.facts.user);
  if ('refuse' in judged) throw new StepError(judged.refuse);
  return judged;
}

/** One command on one VM, over one connection. */
async function onHost(
  target: HostTarget,
  config: LifecycleConfig,
  remote: Remote,
  state: VmState,
): Promise<Omit<LifecycleResult, 'host' | 'command' | 'durationMs'>> {
  const provisioned = state.facts.files.launcher.sha256 !== undefined;
  if (!provisioned && config.command !== 'remove')
    throw new StepError(`${target.address} is not provisioned (no ${state.layout.launcher}): run provision first.`);
  const ok = (changed: boolean, summary: string) => ({ status: 'ok' as const, changed, summary });
  switch (config.command) {
    case 'logs': {
      const journal = supervisorOf(state.facts) === 'systemd' ? await unitJournal(remote, config.lines, state.masker) : undefined;
      return { ...ok(false, `last ${state.log.length} lines of ${state.layout.log}`), lines: state.log, ...(journal ? { journal } : {}) };
    }
    case 'stop': {
      const plan = planStop(state.facts, state.layout);
      await runAll(remote, plan.commands, state.masker);
      return ok(plan.change, plan.reason);
    }
    case 'start': {
      if (state.facts.server.running) {
        await waitForHealth(remote, state, target);
        return ok(false, `already running (pid ${state.facts.server.pid}), /health ok`);
      }
      return ok(true, await start(remote, state, target));
    }
    case 'restart': {
      const stop: LifecyclePlan = planStop(state.facts, state.layout);
      await runAll(remote, stop.commands, state.masker);
      return ok(true, `re${await start(remote, state, target)}`);
    }
    case 'remove': {
      const plan = planRemove(state.facts, state.layout, await artifactsForRemove(remote, state, config.purgeArtifacts));
      if (!plan.change) return { ...ok(false, plan.reason), removed: [], kept: plan.kept };
      if (config.dryRun) return { ...ok(true, `would remove ${plan.removed.join(', ')}`), removed: plan.removed, kept: plan.kept };
      await runAll(remote, plan.commands, state.masker);
      return { ...ok(true, plan.reason), removed: plan.removed, kept: plan.kept };
    }
  }
}

/**
 * `provision logs --follow`: the log as it grows, each line masked for its host and handed to `onLine` (which
 * makes it visible), until the connection closes.
 */
async function followLog(remote: Remote, state: VmState, lines: number, onLine: (line: string) => void): Promise<void> {
  await remote.exec(`tail -n ${Number(lines)} -F ${shq(state.layout.log)}`, { timeoutSec: 7 * 24 * 3600, onLine: (l) => onLine(state.masker.mask(l)) });
}

/** Runs the command on every VM, `concurrency` at a time; results in the order the VMs were given. */
export async function runLifecycle(
  config: LifecycleConfig,
  hooks: { onRemote?: (remote: Remote) => void; onFollowLine?: (host: string, line: string) => void } = {},
): Promise<LifecycleResult[]> {
  const results = new Array<LifecycleResult>(config.targets.length);
  let next = 0;
  const one = async (target: HostTarget): Promise<LifecycleResult> => {
    const started = Date.now();
    const base = { host: target.label, command: config.command };
    let remote: Remote | undefined;
    const masker = hostMasker();
    try {
      remote = await Remote.connect(target, config.ssh);
      hooks.onRemote?.(remote);
      const state = await readState(remote, target, config, masker);
      const done = await onHost(target, config, remote, state);
      if (config.command === 'logs' && config.follow) {
        for (const l of done.lines ?? []) hooks.onFollowLine?.(target.label, l);
        // From the end: the lines above were the last ones.
        await followLog(remote, state, 0, (l) => hooks.onFollowLine?.(target.label, l));
      }
      return { ...base, ...done, durationMs: Date.now() - started };
    } catch (err) {
      const status = remote ? 'failed' : 'unreachable';
      return { ...base, status, changed: false, summary: '', error: masker.mask(errorMessage(err)), durationMs: Date.now() - started };
    } finally {
      remote?.close();
    }
  };
  const worker = async () => {
    while (next < config.targets.length) {
      const i = next++;
      results[i] = await one(config.targets[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, config.targets.length) }, worker));
  return results;
}
