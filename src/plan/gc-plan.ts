import type { Action, Plan, RemoteCommand } from '../action/action.js';
import { GC_SERVICE, GC_SERVICE_PATH, GC_TIMER, GC_TIMER_PATH, gcLauncherPath } from '../render/gc-units.js';
import { sha256, type RemoteLayout } from '../render/server-files.js';
import { shq } from '../util/shell-quote.js';
import type { DesiredGc } from './desired.js';
import type { Facts } from './facts.js';

/** The gc launcher's mode: the user's, runnable, like the server's launcher. */
export const GC_LAUNCHER_MODE = 0o700;

/** Where the service and timer are uploaded (as the SSH user, over SFTP) before root installs them. */
const uploadPath = (layout: RemoteLayout, unit: string): string => `${layout.home}/.${unit}`;

/**
 * The uploaded unit files become /etc/systemd/system's (root's, 0644); systemd reloads, and the timer is
 * enabled and (re)started, so a changed calendar applies now.
 */
export function gcInstallCommand(layout: RemoteLayout, units: Array<'service' | 'timer'>): RemoteCommand {
  const installs = units.map((u) => {
    const [name, path] = u === 'service' ? [GC_SERVICE, GC_SERVICE_PATH] : [GC_TIMER, GC_TIMER_PATH];
    const uploaded = shq(uploadPath(layout, name));
    return `sudo -n install -m 0644 -o root -g root ${uploaded} ${path} && rm -f ${uploaded}`;
  });
  return {
    kind: 'gc-install',
    label: `install ${units.map((u) => (u === 'service' ? GC_SERVICE : GC_TIMER)).join(' and ')}, enable and start ${GC_TIMER}`,
    command: [...installs, 'sudo -n systemctl daemon-reload', `sudo -n systemctl enable --quiet ${GC_TIMER}`, `sudo -n systemctl restart ${GC_TIMER}`].join(
      ' && ',
    ),
    timeoutSec: 60,
  };
}

/** The timer's files are right but it is stopped or not enabled at boot. */
export function gcEnableCommand(): RemoteCommand {
  return { kind: 'gc-enable', label: `systemctl enable --now ${GC_TIMER}`, command: `sudo -n systemctl enable --now --quiet ${GC_TIMER}`, timeoutSec: 60 };
}

/** No --gc-after (or `provision remove`): the timer stops and goes, the service and the launcher with it. */
export function gcRemoveCommand(layout: RemoteLayout): RemoteCommand {
  return {
    kind: 'gc-remove',
    label: `systemctl disable --now ${GC_TIMER}, remove it, ${GC_SERVICE} and ${gcLauncherPath(layout)}`,
    command: [
      `sudo -n systemctl disable --now --quiet ${GC_TIMER} 2>/dev/null`,
      `sudo -n systemctl stop ${GC_SERVICE} 2>/dev/null`,
      `sudo -n systemctl reset-failed ${GC_SERVICE} ${GC_TIMER} 2>/dev/null`,
      `rm -f -- ${shq(gcLauncherPath(layout))} ${shq(uploadPath(layout, GC_SERVICE))} ${shq(uploadPath(layout, GC_TIMER))}`,
      `sudo -n rm -f ${GC_SERVICE_PATH} ${GC_TIMER_PATH} && sudo -n systemctl daemon-reload`,
    ].join('\n'),
    timeoutSec: 90,
  };
}

/**
 * The gc step, pure: with --gc-after, write what differs (launcher, service, timer) and enable and start the
 * timer; without it, take away what an earlier run set up. Unchanged when the VM has it all: a rerun with the
 * same DAYS runs nothing. A new DAYS changes the launcher only (the service reads it at its next run).
 */
export function planGc(facts: Facts, gc: DesiredGc | undefined, layout: RemoteLayout): Plan {
  const have = facts.gc;
  if (!gc) {
    if (!have) return { change: false, reason: 'no --gc-after: no scheduled mlflow gc', actions: [] };
    return {
      change: true,
      reason: `no --gc-after now: ${GC_TIMER} is stopped and disabled; ${GC_TIMER_PATH}, ${GC_SERVICE_PATH} and ${gcLauncherPath(layout)} are removed`,
      actions: [gcRemoveCommand(layout)],
    };
  }
  const actions: Action[] = [];
  const why: string[] = [];
  const launcher = gcLauncherPath(layout);
  if (have?.launcherSha256 !== sha256(gc.launcher) || have?.launcherMode !== GC_LAUNCHER_MODE) {
    why.push(
      have?.launcherSha256 === undefined
        ? `${launcher} is missing`
        : have.days !== gc.days
          ? `gc after ${gc.days} days (was ${have.days ?? '?'})`
          : `${launcher} differs`,
    );
    actions.push({ kind: 'upload', path: launcher, content: gc.launcher, mode: GC_LAUNCHER_MODE });
  }
  const units: Array<'service' | 'timer'> = [];
  if (have?.serviceSha256 !== sha256(gc.service)) units.push('service');
  if (have?.timerSha256 !== sha256(gc.timer)) units.push('timer');
  if (units.length > 0) {
    const names = units.map((u) => (u === 'service' ? GC_SERVICE_PATH : GC_TIMER_PATH));
    why.push(
      `${names.join(' and ')} ${have?.serviceSha256 === undefined && have?.timerSha256 === undefined ? 'missing' : units.length === 1 ? 'differs' : 'differ'}`,
    );
    for (const u of units) {
      const name = u === 'service' ? GC_SERVICE : GC_TIMER;
      actions.push({ kind: 'upload', path: uploadPath(layout, name), content: u === 'service' ? gc.service : gc.timer, mode: 0o644 });
    }
    actions.push(gcInstallCommand(layout, units));
  } else if (have?.timerActive !== 'active' || have.timerEnabled !== true) {
    why.push(`${GC_TIMER} is ${have?.timerActive !== 'active' ? (have?.timerActive ?? 'not loaded') : 'not enabled at boot'}`);
    actions.push(gcEnableCommand());
  }
  if (actions.length === 0) return { change: false, reason: `${GC_TIMER} runs mlflow gc daily for runs deleted more than ${gc.days} days ago`, actions };
  return { change: true, reason: why.join('; '), actions };
}

/** What `provision status` says of the gc timer: null without one; a problem when its last run failed or it is stopped. */
export interface GcStatus {
  afterDays: number | null;
  lastRun: string | null;
  /** The service's result of its last run (success, exit-code...), null before the first run. */
  result: string | null;
  nextRun: string | null;
  timer: string | null;
}

export function gcStatusOf(facts: Facts): { gc: GcStatus | null; problems: string[] } {
  const have = facts.gc;
  if (!have) return { gc: null, problems: [] };
  const ran = have.lastRun !== undefined;
  const gc: GcStatus = {
    afterDays: have.days ?? null,
    lastRun: have.lastRun ?? null,
    result: ran ? (have.result ?? null) : null,
    nextRun: have.nextRun ?? null,
    timer: have.timerActive ?? null,
  };
  const problems: string[] = [];
  if (ran && have.result !== undefined && have.result !== 'success') {
    problems.push(
      `The last mlflow gc run (${have.lastRun}) failed (${have.result}${have.exitStatus ? `, exit status ${have.exitStatus}` : ''}): see journalctl -u ${GC_SERVICE}.`,
    );
  }
  if (have.timerActive !== 'active') problems.push(`${GC_TIMER} is ${have.timerActive ?? 'not loaded'}, so mlflow gc does not run: rerun provision.`);
  return { gc, problems };
}
