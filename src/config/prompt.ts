import { Cancelled, UsageError } from '../util/errors.js';
import { parseWasbsUri } from './validate.js';
import { Secret } from '../util/secret.js';
import type { OptionName } from './options.js';
import { defaultOf, given, isOn, supply, valueOf, type Settings } from './settings.js';

export interface PromptPlan {
  interactive: boolean;
}

async function ask(type: 'input' | 'password', message: string, initial?: string): Promise<string> {
  // Loaded only when a prompt is really shown: most runs never prompt, and every import costs start-up time.
  const { default: enquirer } = await import('enquirer');
  try {
    const answer = await enquirer.prompt<{ value: string }>({
      type,
      name: 'value',
      message,
      ...(initial !== undefined ? { initial } : {}),
    });
    return answer.value;
  } catch {
    // enquirer rejects with an empty value on Ctrl-C.
    throw new Cancelled('Cancelled.');
  }
}

/** Reads all of standard input (for --pg-password-stdin); the trailing newline is dropped. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--pg-password-stdin reads the password from a pipe, e.g. `printf %s "$PW" | provision ...`.');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const MISSING_HINTS: Partial<Record<OptionName, string>> = {
  host: '--host <vm-ip> (or PROVISION_HOST)',
  'pg-host': '--pg-host (or POSTGRES_HOST in .env)',
};

/** Whether prompts are allowed: a terminal on both ends, no --yes (or PROVISION_YES), not CI. */
export function canPrompt(settings: Settings, env: NodeJS.ProcessEnv): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !isOn(settings, 'yes') && !env.CI;
}

/**
 * Fills what flags and environment left open, into the settings: prompts on a terminal (before any task
 * starts), the database password from standard input with --pg-password-stdin; otherwise an error naming
 * the flag and variable. The secrets land in the settings as Secrets, like those read from the environment.
 */
export async function completeSettings(settings: Settings, plan: PromptPlan): Promise<void> {
  const missing: string[] = [];
  const prompt = async (name: 'host' | 'pg-host' | 'pg-user' | 'pg-db', message: string, initial?: string) => {
    if (settings.has(name)) return;
    if (!plan.interactive) {
      if (initial === undefined) missing.push(MISSING_HINTS[name] ?? `--${name}`);
      return;
    }
    const value = (await ask('input', message, initial)).trim();
    if (value === '') return;
    if (name === 'host') supply(settings, name, [value], 'prompt');
    else supply(settings, name, value, 'prompt');
  };
  if (!settings.has('hosts-file')) await prompt('host', 'VM address (IP or host name)');
  await prompt('pg-host', 'PostgreSQL server (e.g. myserver.postgres.database.azure.com)');
  await prompt('pg-user', 'PostgreSQL user', defaultOf('pg-user'));
  await prompt('pg-db', 'PostgreSQL database', defaultOf('pg-db'));

  // The database password: standard input when asked for, else POSTGRES_PASSWORD (already read), else a prompt.
  if (isOn(settings, 'pg-password-stdin')) supply(settings, 'pg-password', new Secret(await readStdin()), 'stdin');
  else if (!settings.has('pg-password')) {
    if (plan.interactive) {
      const answer = await ask('password', `Password for PostgreSQL user ${valueOf(settings, 'pg-user')}`);
      supply(settings, 'pg-password', new Secret(answer), 'prompt');
    } else missing.push('the database password (POSTGRES_PASSWORD in .env, or --pg-password-stdin)');
  }

  if (valueOf(settings, 'auth') === 'basic' && !settings.has('auth-admin-password')) {
    const admin = valueOf(settings, 'auth-admin-user');
    if (plan.interactive) {
      const answer = await ask('password', `Password for the MLflow admin user "${admin}" (--auth basic, at least 12 characters)`);
      supply(settings, 'auth-admin-password', new Secret(answer), 'prompt');
    } else missing.push('the MLflow admin password for --auth basic (MLFLOW_AUTH_ADMIN_PASSWORD in .env)');
  }

  // --artifacts-destination: the storage credential (the URI is checked first, so a typo is not asked about).
  const destination = given(settings, 'artifacts-destination');
  if (
    destination !== undefined &&
    !isOn(settings, 'azure-identity') &&
    !settings.has('azure-storage-connection-string') &&
    !settings.has('azure-storage-access-key') &&
    plan.interactive
  ) {
    const { account } = parseWasbsUri(destination);
    const key = await ask('password', `Access key of the storage account ${account} (AZURE_STORAGE_ACCESS_KEY; Azure portal > storage account > Access keys)`);
    if (key !== '') supply(settings, 'azure-storage-access-key', new Secret(key), 'prompt');
  }

  if (missing.length > 0) {
    const why = plan.interactive ? '' : process.stdin.isTTY ? ' (--yes never prompts)' : ' (no terminal to prompt on)';
    throw new UsageError(`Missing ${missing.join(', ')}${why}.`);
  }
}

export async function askPassphrase(file: string): Promise<Secret> {
  return new Secret(await ask('password', `Passphrase for ${file}`));
}
