/**
 * The shape of one option of the table (src/config/options.ts): yargs and the fast parser build the flags from
 * it, readSettings reads flags and environment variables by it, the builders take defaults from it, and
 * scripts/options-doc.ts renders the README's option table from it.
 */

/** Every command of `provision`; an option says which of them take it. */
export const LIFECYCLE_COMMANDS = ['logs', 'stop', 'start', 'restart', 'remove'] as const;
export type LifecycleCommandName = (typeof LIFECYCLE_COMMANDS)[number];
export type CommandName = 'provision' | 'status' | LifecycleCommandName | 'backup' | 'restore';

/** The options every command takes: where the VMs are, how to reach them, and the output form. */
export const EVERY_COMMAND: readonly CommandName[] = ['provision', 'status', ...LIFECYCLE_COMMANDS, 'backup', 'restore'];

export type OptionGroup = 'Target' | 'SSH' | 'Database' | 'Server' | 'HTTPS' | 'Behaviour' | 'Command';

export interface OptionSpec {
  name: string;
  /** `secret`: read from the environment (or stdin, or a prompt) only, never a flag; held as a Secret. */
  type: 'string' | 'number' | 'boolean' | 'secret';
  group: OptionGroup;
  describe: string;
  /** Environment variables read when the flag is absent, first match wins (.env is loaded into the environment). */
  env: readonly string[];
  /** The value the builders use when neither a flag nor the environment gives one; --help and the README print it. */
  default?: string | number;
  /** For a default that is not one value (derived from the VM, the ssh config, another option): what --help says. */
  defaultText?: string;
  choices?: readonly string[];
  /** Number options: the range our own code checks (yargs reads them as text, so a message can show what was typed). */
  range?: { min: number; max: number; decimals?: boolean; unit?: string };
  array?: boolean;
  /** The commands that take it; provisioning alone when not given (and `restore`, which ends in provisioning, takes provisioning's). */
  commands?: readonly CommandName[];
  /** A secret given as a flag is refused: what to do instead (default: set its variable in .env). */
  instead?: string;
}

/** What --help and the README say about an option's default. */
export function defaultDescription(spec: OptionSpec): string | undefined {
  return spec.defaultText ?? (spec.default === undefined ? undefined : String(spec.default));
}
