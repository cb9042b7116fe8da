import type { Secret } from '../util/secret.js';

/**
 * What a remote command does, as a name: the task list and the log show its label, the fake VM of the unit
 * tests answers by its kind (never by matching shell text), and a test asserts the order of kinds.
 */
export type CommandKind =
  // reading the VM
  | 'probe'
  | 'status-probe'
  | 'read-file'
  | 'read-files'
  | 'log-tail'
  | 'log-follow'
  | 'journal'
  | 'alive'
  | 'mlflow-version'
  | 'mlflow-revisions'
  | 'purge-check'
  // backups
  | 'backup-check'
  | 'backup-dump'
  | 'backup-artifacts'
  | 'pgdg-install'
  | 'proxy-read'
  | 'proxy-state'
  // packages and the venv
  | 'cloud-init'
  | 'apt-update'
  | 'apt-upgrade'
  | 'apt-install'
  | 'dpkg-repair'
  | 'venv'
  | 'pip-install'
  // files and folders
  | 'mkdir-artifacts'
  | 'remove-leftovers'
  | 'remove-files'
  | 'remove-venv'
  | 'purge-artifacts'
  // the server
  | 'start'
  | 'stop'
  | 'db-upgrade'
  | 'unit-install'
  | 'unit-start'
  | 'unit-stop'
  | 'unit-enable'
  | 'unit-remove'
  // --gc-after: the mlflow gc timer
  | 'gc-install'
  | 'gc-enable'
  | 'gc-remove'
  // the HTTPS proxy
  | 'proxy-install'
  | 'proxy-files'
  | 'proxy-apply'
  | 'proxy-enable'
  | 'proxy-remove'
  // safe upgrades
  | 'upgrade-keep-venv'
  | 'upgrade-restore-venv'
  | 'upgrade-drop-venv'
  // restore
  | 'restore-db'
  | 'restore-artifacts'
  // --artifacts-destination wasbs://: Blob access from the VM (status, verify)
  | 'blob-check'
  // rolling restarts: out of the load balancer and back (plan/drain.ts)
  | 'drain-start'
  | 'drain-end';

export interface RemoteCommand {
  kind: CommandKind;
  /** Shown in the task list and the log. Never contains a secret. */
  label: string;
  command: string;
  timeoutSec: number;
  /** Sent on the command's standard input: how a secret reaches a remote command without its argv. */
  stdin?: Secret;
  /** Stopped when it shows no sign of life for `seconds` (run/stall-watch.ts); `check` says what to look at. */
  stall?: { seconds: number; check: string };
}

/** A file uploaded atomically over SFTP (temporary file, mode, rename). */
export interface Upload {
  kind: 'upload';
  path: string;
  content: string | Secret;
  mode: number;
}

/** One thing done on the VM: a remote command, or an upload. */
export type Action = RemoteCommand | Upload;

export const isUpload = (a: Action): a is Upload => a.kind === 'upload';

/** Whether something changes and why (or why nothing needs doing). */
export interface Decision {
  change: boolean;
  /** Why it changes, or why nothing needs doing. */
  reason: string;
}

/** A decision with the actions that carry it out, in order. Every command's steps plan in this one shape. */
export interface Plan extends Decision {
  actions: Action[];
  /** The summary once the actions ran (default: the reason). */
  applied?: string;
}

/** The remote commands among actions, in order. */
export const commandsOf = (actions: Action[]): RemoteCommand[] => actions.filter((a): a is RemoteCommand => !isUpload(a));
