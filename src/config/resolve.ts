/**
 * From a command line to a command's configuration: the settings the command's options read (flags, then the
 * environment and .env), what is still missing asked for or read from standard input (provisioning only),
 * the one builder (config.ts), and an encrypted key's passphrase asked for when nothing else gives it.
 */
import { UsageError } from '../util/errors.js';
import { Secret } from '../util/secret.js';
import { buildCommandConfig, type ConfigOf } from './config.js';
import { checkIdentityFiles } from './keys.js';
import { OPTIONS, optionsOf, type CommandName } from './options.js';
import { askPassphrase, canPrompt, completeSettings } from './prompt.js';
import { readSettings, supply } from './settings.js';

/**
 * The secrets of this machine's environment and .env that `provision` would use: the other commands do not
 * use them, but mask them (LAPTOP's scope: everywhere). A VM's log keeps what it logged (a driver error with
 * the database password, say) after `remove` took the secrets file that would mask it.
 */
export function maskEnvironmentSecrets(env: NodeJS.ProcessEnv): void {
  for (const name of OPTIONS.filter((o) => o.type === 'secret').flatMap((o) => o.env)) {
    const value = env[name];
    if (value) new Secret(value);
  }
}

const NO_PASSPHRASE: Record<'provision' | 'other', string> = {
  provision: 'set PROVISION_SSH_PASSPHRASE, load the key into ssh-agent, or run in a terminal to be asked.',
  other: 'set PROVISION_SSH_PASSPHRASE or load the key into ssh-agent.',
};

/**
 * The configuration `command` runs on. Prompts only on a terminal without --yes and outside CI: for
 * provisioning the values flags and environment left open (config/prompt.ts), for every command an
 * encrypted key's passphrase.
 */
export async function resolveCommandConfig<C extends CommandName>(command: C, argv: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<ConfigOf<C>> {
  const settings = readSettings(argv, env, optionsOf(command));
  const interactive = canPrompt(settings, env);
  if (command === 'provision' || command === 'restore') await completeSettings(settings, { interactive });
  else maskEnvironmentSecrets(env);
  const config = buildCommandConfig(command, settings, { interactive });
  const keys = checkIdentityFiles(config.targets, config.ssh.passphrase);
  if (keys.ok) return config;
  if (!interactive) {
    throw new UsageError(
      `${keys.file} is encrypted and no passphrase is available: ${NO_PASSPHRASE[command === 'provision' || command === 'restore' ? 'provision' : 'other']}`,
    );
  }
  const asked = await askPassphrase(keys.file);
  checkIdentityFiles(config.targets, asked);
  supply(settings, 'ssh-passphrase', asked, 'prompt');
  return buildCommandConfig(command, settings, { interactive });
}
