import { shq } from '../util/shell-quote.js';
import type { RemoteLayout } from './server-files.js';
import { unitPath } from './systemd-unit.js';

/** `--gc-after DAYS`: a oneshot service that runs `mlflow gc`, and the daily timer that starts it. */
export const GC_SERVICE = 'mlflow-gc.service';
export const GC_TIMER = 'mlflow-gc.timer';
export const GC_SERVICE_PATH = `/etc/systemd/system/${GC_SERVICE}`;
export const GC_TIMER_PATH = `/etc/systemd/system/${GC_TIMER}`;
/** The service's launcher, in the home beside the server's (no secret in it). */
export const GC_LAUNCHER = 'mlflow-gc.sh';

export const gcLauncherPath = (layout: RemoteLayout): string => `${layout.home}/${GC_LAUNCHER}`;

export interface GcSettings {
  days: number;
  /** The server's port: artifacts of `mlflow-artifacts:/` runs are deleted through it. */
  port: number;
  /** Where the server keeps artifacts (its --artifacts-destination: the VM's folder or a wasbs:// URI). */
  artifactsDestination: string;
  /** --auth basic: the admin user the artifact requests log in as (its password is in the secrets file). */
  adminUser?: string;
}

/**
 * Python hands MLflow's CLI the database URI from the environment: `mlflow gc --backend-store-uri` has no
 * environment variable, and a URI on a command line (its password with it) is readable in /proc by every
 * user of the VM.
 */
const GC_PYTHON = [
  'import os, sys',
  'from mlflow.cli import cli',
  'cli(["gc", "--backend-store-uri", os.environ["MLFLOW_BACKEND_STORE_URI"], *sys.argv[1:]], prog_name="mlflow")',
].join('; ');

/**
 * The launcher the service runs as the SSH user: it reads the 0600 secrets file as the server's launcher does,
 * points MLflow at the running server (runs store `mlflow-artifacts:/` URIs, which `mlflow gc` resolves
 * against the tracking URI to delete their artifacts) and runs `mlflow gc --older-than DAYSd`.
 */
export function renderGcLauncher(layout: RemoteLayout, gc: GcSettings): string {
  const auth = gc.adminUser
    ? [
        '# --auth basic: the artifact requests log in as the admin (its password is in the secrets file).',
        `export MLFLOW_TRACKING_USERNAME=${shq(gc.adminUser)}`,
        'export MLFLOW_TRACKING_PASSWORD="${MLFLOW_AUTH_ADMIN_PASSWORD:-}"',
      ]
    : [];
  return [
    '#!/usr/bin/env bash',
    `# mlflow gc, run daily by ${GC_TIMER} (${GC_SERVICE}); written by \`provision\` (--gc-after), rerun it to change this.`,
    `# Removes for good the runs, experiments and logged models deleted more than ${gc.days} days ago, and their artifacts.`,
    `# Run by hand: sudo systemctl start ${GC_SERVICE}; its output: journalctl -u ${GC_SERVICE}`,
    'set -euo pipefail',
    'set -a',
    `. ${shq(layout.secrets)}`,
    'set +a',
    `export MLFLOW_TRACKING_URI=${shq(`http://127.0.0.1:${gc.port}`)}`,
    ...auth,
    `exec ${shq(`${layout.venv}/bin/python`)} -c ${shq(GC_PYTHON)} \\`,
    `  --older-than ${shq(`${gc.days}d`)} \\`,
    `  --artifacts-destination ${shq(gc.artifactsDestination)}`,
    '',
  ].join('\n');
}

/** The oneshot service: the launcher as the SSH user, after the server. No secret in it. */
export function renderGcService(layout: RemoteLayout, user: string): string {
  return [
    `# Written by \`provision\` (--gc-after); rerun provision to change it. What it runs: ~/${GC_LAUNCHER}.`,
    '[Unit]',
    'Description=MLflow garbage collection: deleted runs removed for good (provision)',
    'Wants=network-online.target',
    'After=network-online.target mlflow-server.service',
    '',
    '[Service]',
    'Type=oneshot',
    `User=${user}`,
    `WorkingDirectory=${unitPath(layout.home)}`,
    `ExecStart=${unitPath(gcLauncherPath(layout))}`,
    'Nice=10',
    'IOSchedulingClass=idle',
    '',
  ].join('\n');
}

/** Daily, at a random time in the first hour after midnight; a day missed (VM stopped) runs at the next boot. */
export function renderGcTimer(): string {
  return [
    '# Written by `provision` (--gc-after); rerun provision without --gc-after to remove it.',
    '[Unit]',
    'Description=Daily MLflow garbage collection (provision)',
    '',
    '[Timer]',
    'OnCalendar=daily',
    'Persistent=true',
    'RandomizedDelaySec=1h',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}
