import { UNIT_NAME, UNIT_PATH } from '../render/systemd-unit.js';
import type { RemoteLayout } from '../render/server-files.js';
import { shq } from '../util/shell-quote.js';
import type { RemoteCommand } from '../action/action.js';
import { SERVER_PROCESS_FUNCTIONS } from './server-process.js';

/** Where the unit is uploaded (as the SSH user, over SFTP) before root installs it. */
export function unitUploadPath(layout: RemoteLayout): string {
  return `${layout.home}/.${UNIT_NAME}`;
}

/** The uploaded unit becomes /etc/systemd/system's (root's, 0644) and systemd reads it. */
export function installUnitCommand(layout: RemoteLayout): RemoteCommand {
  const uploaded = shq(unitUploadPath(layout));
  return {
    kind: 'unit-install',
    label: `install ${UNIT_PATH} and reload systemd`,
    command: `sudo -n install -m 0644 -o root -g root ${uploaded} ${UNIT_PATH} && rm -f ${uploaded} && sudo -n systemctl daemon-reload`,
    timeoutSec: 60,
  };
}

/**
 * Enables the unit and (re)starts it; then records its main process in the PID file as the nohup start does
 * (PID, start time, fingerprint, salt; 0600), so the health wait can tell a server that died from one that
 * is starting. The log is created first (by the user, as the launcher's writer would), so this start's lines
 * are told from earlier ones by their offset.
 */
export function startUnitCommand(layout: RemoteLayout, fingerprint: string, salt = ''): RemoteCommand {
  const keyed = /^[0-9a-f]*$/.test(salt) ? salt : '';
  return {
    kind: 'unit-start',
    label: `systemctl enable and restart ${UNIT_NAME}`,
    command: [
      SERVER_PROCESS_FUNCTIONS,
      `: >> ${shq(layout.log)}`,
      `echo "log_offset=$(stat -c %s ${shq(layout.log)} 2>/dev/null || echo 0)"`,
      // reset-failed: a server that failed 5 times (StartLimitBurst) would be refused a start.
      `sudo -n systemctl reset-failed ${UNIT_NAME} 2>/dev/null`,
      `sudo -n systemctl enable --quiet ${UNIT_NAME} && sudo -n systemctl restart ${UNIT_NAME} || exit 1`,
      'pid=; start=',
      `for i in $(seq 1 50); do pid=$(systemctl show ${UNIT_NAME} -p MainPID --value); [ "$pid" != 0 ] && start_ticks "$pid" && start=$ticks && break; sleep 0.1; done`,
      '[ -n "$start" ] || { echo "systemd started no server process"; exit 1; }',
      `rm -f ${shq(layout.pidFile)}`,
      `(umask 077; echo "$pid $start ${fingerprint}${keyed ? ` ${keyed}` : ''}" > ${shq(layout.pidFile)})`,
      'echo "started pid $pid under systemd"',
    ].join('\n'),
    timeoutSec: 120,
  };
}

/** Enables the running unit at boot; nothing restarts. */
export function enableUnitCommand(): RemoteCommand {
  return { kind: 'unit-enable', label: `systemctl enable ${UNIT_NAME}`, command: `sudo -n systemctl enable --quiet ${UNIT_NAME}`, timeoutSec: 60 };
}

/** Stops the unit's server (a clean stop: systemd does not restart it). */
export function stopUnitCommand(layout: RemoteLayout): RemoteCommand {
  return {
    kind: 'unit-stop',
    label: `systemctl stop ${UNIT_NAME}`,
    command: `sudo -n systemctl stop ${UNIT_NAME}; rm -f ${shq(layout.pidFile)}`,
    timeoutSec: 90,
  };
}

/** --supervisor nohup after systemd: the unit stops, is disabled and goes, so nothing starts it at boot. */
export function removeUnitCommand(layout: RemoteLayout): RemoteCommand {
  return {
    kind: 'unit-remove',
    label: `systemctl disable --now ${UNIT_NAME} and remove it`,
    command: [
      `sudo -n systemctl disable --now --quiet ${UNIT_NAME} 2>/dev/null`,
      `sudo -n systemctl reset-failed ${UNIT_NAME} 2>/dev/null`,
      `rm -f ${shq(layout.pidFile)}`,
      `sudo -n rm -f ${UNIT_PATH} && sudo -n systemctl daemon-reload`,
    ].join('\n'),
    timeoutSec: 90,
  };
}
