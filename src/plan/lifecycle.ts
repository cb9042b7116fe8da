import type { RemoteLayout } from '../render/server-files.js';
import { UNIT_NAME, UNIT_PATH } from '../render/systemd-unit.js';
import { shq } from '../util/shell-quote.js';
import { startServerCommand, stopServerCommand } from './commands.js';
import type { Plan, RemoteCommand } from '../action/action.js';
import type { Facts } from './facts.js';
import { ourProxyUploads, PROXY_REMOVED_PATHS, removeProxyCommand } from './proxy-commands.js';
import { purgeArtifactsCommand, type ArtifactsOnRemove } from './purge.js';
import { leftoverGroups } from './server-plan.js';
import { gcRemoveCommand } from './gc-plan.js';
import { GC_SERVICE_PATH, GC_TIMER_PATH, gcLauncherPath } from '../render/gc-units.js';
import { removeUnitCommand, startUnitCommand } from './unit-commands.js';

/** The server's supervisor as the VM has it: our unit's file, else nohup. */
export function supervisorOf(facts: Facts): 'systemd' | 'nohup' {
  return facts.supervisor.unit?.sha256 !== undefined ? 'systemd' : 'nohup';
}

/** Process groups of our own MLflow processes holding the port without being the live server (a killed parent's workers). */
function strayGroups(facts: Facts): number[] {
  const live = facts.supervisor.unit?.mainPid ?? (facts.server.running ? facts.server.pid : undefined);
  return leftoverGroups(facts, live);
}

/**
 * `provision stop`: the server stops and its record stays (fingerprint and salt, for `start` to write back):
 * under systemd a plain `systemctl stop` (the unit stays enabled, so a reboot starts it), under nohup the
 * process group. Unchanged when nothing runs.
 */
export function planStop(facts: Facts, layout: RemoteLayout): Plan {
  const stray = strayGroups(facts);
  if (supervisorOf(facts) === 'systemd') {
    const active = facts.supervisor.unit?.active;
    if (active !== 'active' && active !== 'activating' && active !== 'reloading' && stray.length === 0) {
      return { change: false, reason: `not running (${UNIT_NAME} is ${active ?? 'not loaded'})`, actions: [] };
    }
    const commands: RemoteCommand[] = [
      { kind: 'unit-stop', label: `systemctl stop ${UNIT_NAME}`, command: `sudo -n systemctl stop ${UNIT_NAME}`, timeoutSec: 90 },
    ];
    if (stray.length > 0) commands.push(stopServerCommand(layout, stray, { keepRecord: true }));
    return {
      change: true,
      reason: `${UNIT_NAME} is ${active ?? 'running'}`,
      applied: `stopped ${UNIT_NAME}; it starts again at boot (provision start, or a provision rerun, starts it now)`,
      actions: commands,
    };
  }
  if (!facts.server.running && stray.length === 0) return { change: false, reason: 'not running', actions: [] };
  return {
    change: true,
    reason: facts.server.running ? `the server runs as pid ${facts.server.pid}` : 'processes of an earlier server hold the port',
    applied: `stopped${facts.server.pid ? ` pid ${facts.server.pid}` : ''}; provision start (or a provision rerun) starts it again`,
    actions: [stopServerCommand(layout, stray, { keepRecord: true })],
  };
}

/**
 * `provision start` (and the second half of `restart`): the server under its supervisor, with the configuration
 * fingerprint of the files on the VM (and the salt the server's record kept), so a later rerun is a no-op.
 */
export function planStart(facts: Facts, layout: RemoteLayout, fingerprint: string, salt: string): Plan {
  const systemd = supervisorOf(facts) === 'systemd';
  return {
    change: true,
    reason: systemd ? 'started under systemd' : 'started',
    actions: [systemd ? startUnitCommand(layout, fingerprint, salt) : startServerCommand(layout, fingerprint, salt)],
  };
}

/** What `provision remove` takes away and what it keeps, as paths for the user. */
export interface RemovalList {
  removed: string[];
  kept: string[];
}

/**
 * `provision remove`: the server stopped (its unit disabled and removed), the HTTPS proxy taken away, then our
 * files and the venv. The artifacts folder stays unless `artifacts.purge` names it (plan/purge.ts decided
 * that from provision's record and the artifacts rules); the log stays; the database is never touched;
 * packages stay installed.
 */
export function planRemove(facts: Facts, layout: RemoteLayout, artifacts: ArtifactsOnRemove): Plan & RemovalList {
  const commands: RemoteCommand[] = [];
  const removed: string[] = [];
  const kept: string[] = [];
  if (supervisorOf(facts) === 'systemd') {
    commands.push(removeUnitCommand(layout));
    removed.push(UNIT_PATH);
  }
  if (facts.gc) {
    commands.push(gcRemoveCommand(layout));
    removed.push(GC_TIMER_PATH, GC_SERVICE_PATH, gcLauncherPath(layout));
  }
  commands.push(stopServerCommand(layout, strayGroups(facts)));
  if (facts.proxy.ours || facts.proxy.dir) {
    commands.push(removeProxyCommand());
    removed.push(...PROXY_REMOVED_PATHS);
  }
  // The record goes with the files unless it stays for a later purge, or goes last with the folder it names.
  const record = !artifacts.keepRecord && !artifacts.purge ? [layout.record] : [];
  const proxyUploads = ourProxyUploads(layout.home, facts.proxy.uploads ?? []);
  const files = [layout.launcher, layout.secrets, layout.authIni, layout.pgRootCert, layout.pidFile, ...record, ...facts.leftoverUploads, ...proxyUploads];
  commands.push({ kind: 'remove-files', label: `remove ${files.length} files of provision`, command: `rm -f -- ${files.map(shq).join(' ')}`, timeoutSec: 30 });
  removed.push(layout.launcher, layout.secrets, layout.pidFile);
  if (facts.venvPython || facts.mlflowVersion) {
    commands.push({ kind: 'remove-venv', label: `remove ${layout.venv}`, command: `rm -rf -- ${shq(layout.venv)}`, timeoutSec: 300 });
    removed.push(layout.venv);
  }
  if (artifacts.purge) {
    commands.push(purgeArtifactsCommand(artifacts.purge.recorded, artifacts.purge.real, layout.record));
    removed.push(artifacts.purge.real);
  }
  if (facts.record && (artifacts.purge || !artifacts.keepRecord)) removed.push(layout.record);
  if (artifacts.kept) kept.push(artifacts.kept);
  if (facts.record && artifacts.keepRecord) kept.push(`${layout.record} (provision's record of the artifacts folder it created, for --purge-artifacts)`);
  kept.push(
    `${layout.log} and ${layout.log}.1 … (the log and its rotated files)`,
    'the database and its data',
    'the apt packages (python3, postgresql-client, caddy)',
  );
  const provisioned =
    facts.files.launcher.sha256 !== undefined || facts.files.secrets.sha256 !== undefined || facts.venvPython || supervisorOf(facts) === 'systemd';
  const recordGoes = facts.record !== undefined && !artifacts.keepRecord;
  if (!provisioned && !facts.gc && !facts.proxy.ours && !facts.proxy.dir && !artifacts.purge && !recordGoes) {
    return { change: false, reason: 'nothing of provision is on this VM', actions: [], removed: [], kept };
  }
  return { change: true, reason: `removed ${removed.join(', ')}`, actions: commands, removed, kept };
}
