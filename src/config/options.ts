/**
 * Every option of `provision`, in one table, grouped by area beside the code that reads it (options/*.ts):
 * yargs and the fast parser build the flags from it, readSettings reads flags and environment variables by
 * it, the builders (config.ts) take its defaults, and scripts/options-doc.ts renders the README's table.
 * The names are types: `valueOf(settings, 'pg-user')` is checked against the table when compiled.
 */
import type { Secret } from '../util/secret.js';
import { BACKUP_OPTIONS } from './options/backup.js';
import { BEHAVIOUR_OPTIONS } from './options/behaviour.js';
import { DATABASE_OPTIONS } from './options/database.js';
import { HTTPS_OPTIONS } from './options/https.js';
import { LIFECYCLE_OPTIONS } from './options/lifecycle.js';
import { RESTORE_OPTIONS } from './options/restore.js';
import { SERVER_OPTIONS } from './options/server.js';
import { type CommandName, type LifecycleCommandName, type OptionSpec } from './options/spec.js';
import { SSH_OPTIONS } from './options/ssh.js';
import { TARGET_OPTIONS } from './options/target.js';
import { UPGRADE_OPTIONS } from './options/upgrade.js';

export { LIFECYCLE_COMMANDS, type CommandName, type LifecycleCommandName, type OptionSpec } from './options/spec.js';

const TABLE = [
  ...TARGET_OPTIONS,
  ...SSH_OPTIONS,
  ...DATABASE_OPTIONS,
  ...SERVER_OPTIONS,
  ...UPGRADE_OPTIONS,
  ...HTTPS_OPTIONS,
  ...BEHAVIOUR_OPTIONS,
  ...LIFECYCLE_OPTIONS,
  ...BACKUP_OPTIONS,
  ...RESTORE_OPTIONS,
] as const;

type Spec = (typeof TABLE)[number];
export type OptionName = Spec['name'];
type SpecOf<N extends OptionName> = Extract<Spec, { name: N }>;

/** What an option holds once read: the flag's or variable's text made the option's type. */
export type OptionValue<N extends OptionName> =
  SpecOf<N> extends { type: 'number' }
    ? number
    : SpecOf<N> extends { type: 'boolean' }
      ? boolean
      : SpecOf<N> extends { type: 'secret' }
        ? Secret
        : SpecOf<N> extends { array: true }
          ? string[]
          : string;

/** An option's value with its default applied: undefined only for an option without a default value. */
export type ValueWithDefault<N extends OptionName> = SpecOf<N> extends { default: string | number } ? OptionValue<N> : OptionValue<N> | undefined;

/** Every option of every command. */
export const OPTIONS: readonly OptionSpec[] = TABLE;

const BY_NAME = new Map<string, OptionSpec>(OPTIONS.map((o) => [o.name, o]));

export function specOf(name: OptionName): OptionSpec {
  return BY_NAME.get(name)!;
}

/** The options one command takes, in the table's order. */
export function optionsOf(command: CommandName): OptionSpec[] {
  // `restore` ends in the normal provision path: it takes every option provisioning takes, and its own.
  const takes = (o: OptionSpec) => (o.commands ?? ['provision']).includes(command);
  return OPTIONS.filter((o) => takes(o) || (command === 'restore' && (o.commands ?? ['provision']).includes('provision')));
}

/** The options of provisioning (the default command); the README's table. */
export const PROVISION_OPTIONS: OptionSpec[] = optionsOf('provision');

/** The options `provision status` takes: where the VMs are and how to reach them, and the output form. */
export const STATUS_OPTIONS: OptionSpec[] = optionsOf('status');

/** The options `provision backup` takes: the status options and --to. */
export const BACKUP_COMMAND_OPTIONS: OptionSpec[] = optionsOf('backup');

/** The options `provision restore` takes: provisioning's, --from and --replace. */
export const RESTORE_COMMAND_OPTIONS: OptionSpec[] = optionsOf('restore');

/** The options of `provision logs|stop|start|restart|remove`. */
export function lifecycleOptions(command: LifecycleCommandName): OptionSpec[] {
  return optionsOf(command);
}

/** The flags of a command's parser: a secret is never one (it would leak into shell history and ps). */
export function flagsOf(table: readonly OptionSpec[]): OptionSpec[] {
  return table.filter((o) => o.type !== 'secret');
}
