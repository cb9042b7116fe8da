import type { RemoteLayout } from './server-files.js';
import { tildePath } from './vm-files.js';

/** The unit `--supervisor systemd` installs (a system unit: it starts at boot, before anyone logs in). */
export const UNIT_NAME = 'mlflow-server.service';
export const UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;

/**
 * A path as systemd reads it in a unit: `%` starts a specifier, so it is doubled; whitespace, quotes and
 * backslashes would need systemd's own quoting rules, and no home provision uses has them.
 */
export function unitPath(path: string): string {
  if (/[\s"'\\]/.test(path)) throw new Error(`the path ${JSON.stringify(path)} cannot be written into a systemd unit`);
  return path.replace(/%/g, '%%');
}

/**
 * The systemd unit: the same launcher, in the foreground, as the SSH user; restarted after a crash (not after
 * a clean stop), started at boot once the network is up. No secret: the launcher reads the 0600 secrets file,
 * so neither this file nor `systemctl show` nor the journal holds one. The fingerprint (an HMAC keyed with a
 * salt kept in the 0600 PID file) lets a rerun tell the configuration the running server has.
 * The server's output goes to the same log as under nohup: the launcher pipes it into its log writer, which
 * rotates the file (an `append:` file of systemd's would be held open by systemd and never rotated). What
 * reaches the unit's own output (the writer's errors, if any) goes to the journal.
 */
export function renderUnit(layout: RemoteLayout, user: string, fingerprint: string): string {
  return [
    "# Written by `provision`; rerun provision to change it. The server's settings are in",
    `# ${tildePath('launcher')}, its secrets in ${tildePath('secrets')} (0600), its output in ${tildePath('log')}.`,
    '[Unit]',
    'Description=MLflow tracking server (provision)',
    'Wants=network-online.target',
    'After=network-online.target',
    // A server that fails at every start stops being restarted after 5 tries in 5 minutes.
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `User=${user}`,
    `WorkingDirectory=${unitPath(layout.home)}`,
    `Environment=PROVISION_FINGERPRINT=${fingerprint}`,
    `ExecStart=${unitPath(layout.launcher)}`,
    'StandardOutput=journal',
    'StandardError=inherit',
    'Restart=on-failure',
    'RestartSec=2',
    'TimeoutStopSec=30',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
