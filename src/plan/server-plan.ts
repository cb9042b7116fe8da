import type { Supervisor } from '../config/validate.js';
import { sha256 } from '../render/server-files.js';
import type { Desired } from './desired.js';
import type { Facts, Listener } from './facts.js';
import type { Action, Decision } from '../action/action.js';
import { startServerCommand, stopServerCommand } from './commands.js';
import { installUnitCommand, removeUnitCommand, startUnitCommand, stopUnitCommand, unitUploadPath } from './unit-commands.js';

export type ServerAction = 'keep' | 'start' | 'restart';

export interface ServerDecision extends Decision {
  action: ServerAction;
  /** Process groups of earlier MLflow servers from our venv that hold the port and must stop first. */
  stopGroups: number[];
  /** The server runs under the other supervisor: that one lets go of it first. */
  switchFrom?: Supervisor;
  /** --supervisor systemd: the unit file must be (re)written before the start. */
  writeUnit?: boolean;
  /** --supervisor systemd: the unit is to be enabled at boot (alone, when nothing else changes). */
  enable?: boolean;
  /** The running server did not answer /health: it serves nothing now (its restart needs no drain). */
  unanswered?: true;
}

function describeListeners(listeners: Listener[]): string {
  const groups = new Map<number, Listener>();
  for (const l of listeners) if (!groups.has(l.pgid ?? l.pid)) groups.set(l.pgid ?? l.pid, l);
  const named = [...groups.values()].map((l) => `"${l.command || 'unknown'}" (pid ${l.pid}, user ${l.user || 'unknown'})`);
  return named.length > 3 ? `${named.slice(0, 3).join(', ')} and ${named.length - 3} more` : named.join(', ');
}

/** Listeners on the MLflow port that are neither the recorded server nor an MLflow server from our venv. */
export function foreignListeners(facts: Facts): Listener[] {
  const ours = facts.server.running ? facts.server.pid : undefined;
  return facts.listeners.filter((l) => !l.ours && l.pgid !== ours && l.pid !== ours);
}

/**
 * A foreign process on the MLflow port stops the run before anything changes: provision never kills what
 * it did not start.
 */
export function portProblem(facts: Facts, desired: Desired, address: string): string | undefined {
  const foreign = foreignListeners(facts);
  if (foreign.length === 0) return undefined;
  return `Port ${desired.port} on ${address} is already in use by ${describeListeners(foreign)}, which provision did not start: stop it or choose another --mlflow-port. Nothing was changed or killed.`;
}

/**
 * Keep, start or restart the server, and how: under the supervisor asked for, taking it over from the other
 * one when it runs there (a switch leaves exactly one server).
 */
export function planServer(facts: Facts, desired: Desired): ServerDecision {
  return desired.supervisor === 'systemd' ? planUnit(facts, desired) : planNohup(facts, desired);
}

/**
 * Our own earlier servers still on the port besides the live one: e.g. uvicorn left running after its
 * `mlflow server` parent was killed, a server started by hand from the launcher, or the nohup server a switch
 * to systemd replaces.
 */
function leftovers(facts: Facts, live: number | undefined, port: number): { stopGroups: number[]; held: string } {
  const others = facts.listeners.filter((l) => l.ours && l.pgid !== live && l.pid !== live);
  const stopGroups = leftoverGroups(facts, live);
  return { stopGroups, held: others.length > 0 ? `processes of an earlier MLflow server (${describeListeners(others)}) hold port ${port}` : '' };
}

/** Process groups of our own MLflow processes on the port that are not the live server `live`. */
export function leftoverGroups(facts: Facts, live: number | undefined): number[] {
  return [...new Set(facts.listeners.filter((l) => l.ours && l.pgid !== live && l.pid !== live).map((l) => l.pgid ?? l.pid))];
}

function planNohup(facts: Facts, desired: Desired): ServerDecision {
  const unit = facts.supervisor.unit;
  if (unit?.sha256 !== undefined) {
    // A unit of ours, running or not: it goes (disabled, removed), its processes with it, then nohup starts.
    const { stopGroups } = leftovers(facts, unit.mainPid, desired.port);
    return { change: true, action: 'restart', stopGroups, switchFrom: 'systemd', reason: 'the server runs under systemd; --supervisor nohup asked for' };
  }
  const ours = facts.server.running ? facts.server.pid : undefined;
  const { stopGroups, held } = leftovers(facts, ours, desired.port);
  if (!ours) {
    if (held) return { change: true, action: 'restart', stopGroups, reason: `the server is not running; ${held}` };
    return { change: true, action: 'start', stopGroups, reason: 'the server is not running' };
  }
  if (held) return { change: true, action: 'restart', stopGroups, reason: held };
  if (facts.server.listening === false) return { change: true, action: 'restart', stopGroups, reason: notListening(ours, desired.port) };
  if (facts.server.fingerprint !== desired.fingerprint) {
    return { change: true, action: 'restart', stopGroups, reason: 'the server runs an older configuration' };
  }
  return { change: false, action: 'keep', stopGroups, reason: `running as pid ${ours} with this configuration` };
}

/** A recorded server whose PID lives on while nothing of its group listens (e.g. its workers died). */
function notListening(pid: number, port: number): string {
  return `the server (pid ${pid}) is not answering: nothing of it listens on port ${port}`;
}

/**
 * A server the plan would keep did not answer /health (a wedged or stopped process): restarted instead, its
 * whole process group stopped first. A rerun is the repair tool.
 */
export function restartUnanswered(plan: ServerDecision, pid: number | undefined, why: string): ServerDecision {
  const { enable: _enable, ...rest } = plan;
  return { ...rest, change: true, action: 'restart', unanswered: true, reason: `the server${pid ? ` (pid ${pid})` : ''} is not answering: ${why}` };
}

function planUnit(facts: Facts, desired: Desired): ServerDecision {
  const unit = facts.supervisor.unit ?? {};
  const running = unit.active === 'active' && unit.mainPid !== undefined;
  const live = running ? unit.mainPid : undefined;
  // A server under nohup (its PID file names a live process that is not the unit's) is taken over.
  const nohup = facts.server.running && facts.server.pid !== undefined && facts.server.pid !== unit.mainPid ? facts.server.pid : undefined;
  const { stopGroups, held } = leftovers(facts, live, desired.port);
  const writeUnit = unit.sha256 !== sha256(desired.unit ?? '');
  const base = { stopGroups: nohup && !stopGroups.includes(nohup) ? [...stopGroups, nohup] : stopGroups, writeUnit };
  if (unit.sha256 === undefined) {
    const from = nohup || held ? { switchFrom: 'nohup' as const } : {};
    return {
      change: true,
      action: nohup || held ? 'restart' : 'start',
      ...base,
      ...from,
      reason: nohup ? 'the server runs under nohup; --supervisor systemd asked for' : held || 'no systemd unit yet',
    };
  }
  if (!running)
    return { change: true, action: held ? 'restart' : 'start', ...base, reason: `the unit is ${unit.active ?? 'not loaded'}${held ? `; ${held}` : ''}` };
  if (held || nohup) return { change: true, action: 'restart', ...base, reason: held || `a server under nohup (pid ${nohup}) runs beside the unit` };
  if (facts.server.listening === false) return { change: true, action: 'restart', ...base, reason: notListening(live!, desired.port) };
  if (writeUnit) return { change: true, action: 'restart', ...base, reason: 'the unit file differs from the one this configuration needs' };
  if (unit.needsReload) return { change: true, action: 'restart', ...base, reason: 'the unit file changed since systemd read it' };
  if (unit.fingerprint !== desired.fingerprint) return { change: true, action: 'restart', ...base, reason: 'the server runs an older configuration' };
  if (!unit.enabled) return { change: true, action: 'keep', ...base, enable: true, reason: `running as pid ${live} under systemd, not enabled at boot` };
  return { change: false, action: 'keep', ...base, reason: `running as pid ${live} under systemd with this configuration` };
}

/** --supervisor systemd on a VM whose init is not systemd: refused before anything changes. */
export function supervisorProblem(facts: Facts, desired: Desired, address: string): string | undefined {
  if (desired.supervisor !== 'systemd' || facts.supervisor.systemd) return undefined;
  return `--supervisor systemd needs systemd as the init system of ${address}, which this VM does not run (no /run/systemd/system): use --supervisor nohup there.`;
}

/**
 * Stopping whatever runs the server now: the unit (stopped, or under --supervisor nohup disabled and removed),
 * a server under nohup, and earlier servers of ours holding the port.
 */
export function serverStopActions(facts: Facts, desired: Desired, plan: ServerDecision): Action[] {
  const unitExists = facts.supervisor.unit?.sha256 !== undefined;
  const unit =
    plan.switchFrom === 'systemd'
      ? [removeUnitCommand(desired.layout)]
      : desired.supervisor === 'systemd' && unitExists
        ? [stopUnitCommand(desired.layout)]
        : [];
  return [...unit, stopServerCommand(desired.layout, plan.stopGroups)];
}

/** Starting the server under the supervisor asked for (the unit written first when it differs); the last action starts it. */
export function serverStartActions(desired: Desired, plan: ServerDecision): Action[] {
  const { layout, fingerprint, fingerprintSalt } = desired;
  if (desired.supervisor === 'nohup') return [startServerCommand(layout, fingerprint, fingerprintSalt)];
  const unit: Action[] =
    plan.writeUnit && desired.unit !== undefined
      ? [{ kind: 'upload', path: unitUploadPath(layout), content: desired.unit, mode: 0o644 }, installUnitCommand(layout)]
      : [];
  return [...unit, startUnitCommand(layout, fingerprint, fingerprintSalt)];
}
