import type { StatusConfig } from '../config/config.js';
import { buildStatusConfig } from '../config/config.js';
import { checkIdentityFiles } from '../config/keys.js';
import { askPassphrase } from '../config/prompt.js';
import type { Settings } from '../config/settings.js';
import { UsageError } from '../util/errors.js';
import { Secret } from '../util/secret.js';

/** Whether prompts are allowed: a terminal on both ends, no --yes, not CI. */
export function canPrompt(argv: Record<string, unknown>): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && argv.yes !== true && process.env.PROVISION_YES !== 'true' && !process.env.CI;
}

/**
 * The secrets of this machine's environment and .env that `provision` would use: `status` and the lifecycle
 * commands do not use them, but mask them (LAPTOP's scope: everywhere). A VM's log keeps what it logged
 * (a driver error with the database password, say) after `remove` took the secrets file that would mask it.
 */
export const LAPTOP_SECRET_ENV = ['POSTGRES_PASSWORD', 'MLFLOW_AUTH_ADMIN_PASSWORD', 'AZURE_STORAGE_ACCESS_KEY', 'AZURE_STORAGE_CONNECTION_STRING'] as const;

export function maskEnvironmentSecrets(env: NodeJS.ProcessEnv): void {
  for (const name of LAPTOP_SECRET_ENV) {
    const value = env[name];
    if (value) new Secret(value);
  }
}

/**
 * The configuration of the commands that need no database settings (`status` and the lifecycle commands): the
 * VMs and how to reach them; an encrypted key's passphrase from PROVISION_SSH_PASSPHRASE or, in a terminal, a prompt.
 */
export async function statusConfigFrom(settings: Settings, argv: Record<string, unknown>): Promise<StatusConfig> {
  maskEnvironmentSecrets(process.env);
  const passphrase = process.env.PROVISION_SSH_PASSPHRASE ? new Secret(process.env.PROVISION_SSH_PASSPHRASE) : undefined;
  const config = buildStatusConfig(settings, passphrase);
  const keys = checkIdentityFiles(config.targets, passphrase);
  if (keys.ok) return config;
  if (!canPrompt(argv)) {
    throw new UsageError(`${keys.file} is encrypted and no passphrase is available: set PROVISION_SSH_PASSPHRASE or load the key into ssh-agent.`);
  }
  const asked = await askPassphrase(keys.file);
  checkIdentityFiles(config.targets, asked);
  return buildStatusConfig(settings, asked);
}
