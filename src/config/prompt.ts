import type { MoreSecrets } from './config.js';
import { Cancelled, UsageError } from '../util/errors.js';
import { parseWasbsUri } from './validate.js';
import { Secret } from '../util/secret.js';
import { getString, type Settings } from './settings.js';

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

const MISSING_HINTS: Record<string, string> = {
  host: '--host <vm-ip> (or PROVISION_HOST)',
  'pg-host': '--pg-host (or POSTGRES_HOST in .env)',
};

/**
 * Fills values that flags and environment left open: prompts on a terminal (before any task starts),
 * otherwise an error naming the flag and variable. Returns the database password.
 */
export async function completeSettings(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  plan: PromptPlan,
): Promise<{ password: Secret; passphrase?: Secret; more: MoreSecrets }> {
  const missing: string[] = [];
  const prompt = async (name: string, message: string, initial?: string) => {
    if (settings.has(name)) return;
    if (!plan.interactive) {
      if (initial === undefined) missing.push(MISSING_HINTS[name] ?? `--${name}`);
      return;
    }
    const value = (await ask('input', message, initial)).trim();
    if (value !== '') settings.set(name, { value: name === 'host' ? [value] : value, source: 'prompt' });
  };
  if (!settings.has('hosts-file')) await prompt('host', 'VM address (IP or host name)');
  await prompt('pg-host', 'PostgreSQL server (e.g. myserver.postgres.database.azure.com)');
  await prompt('pg-user', 'PostgreSQL user', 'mlflow');
  await prompt('pg-db', 'PostgreSQL database', 'mlflow');

  let password: string | undefined;
  if (settings.get('pg-password-stdin')?.value === true) password = await readStdin();
  else if (env.POSTGRES_PASSWORD) password = env.POSTGRES_PASSWORD;
  else if (plan.interactive) password = await ask('password', `Password for PostgreSQL user ${getString(settings, 'pg-user') ?? 'mlflow'}`);
  else missing.push('the database password (POSTGRES_PASSWORD in .env, or --pg-password-stdin)');

  let authPassword: string | undefined;
  if (getString(settings, 'auth') === 'basic') {
    const admin = getString(settings, 'auth-admin-user') ?? 'admin';
    if (env.MLFLOW_AUTH_ADMIN_PASSWORD) authPassword = env.MLFLOW_AUTH_ADMIN_PASSWORD;
    else if (plan.interactive) authPassword = await ask('password', `Password for the MLflow admin user "${admin}" (--auth basic, at least 12 characters)`);
    else missing.push('the MLflow admin password for --auth basic (MLFLOW_AUTH_ADMIN_PASSWORD in .env)');
  }

  // --artifacts-destination: the storage credential (the URI is checked first, so a typo is not asked about).
  let azureKey: string | undefined;
  const destination = getString(settings, 'artifacts-destination');
  if (
    destination !== undefined &&
    settings.get('azure-identity')?.value !== true &&
    !env.AZURE_STORAGE_CONNECTION_STRING &&
    !env.AZURE_STORAGE_ACCESS_KEY &&
    plan.interactive
  ) {
    const { account } = parseWasbsUri(destination);
    azureKey = await ask('password', `Access key of the storage account ${account} (AZURE_STORAGE_ACCESS_KEY; Azure portal > storage account > Access keys)`);
  }

  if (missing.length > 0) {
    const why = plan.interactive ? '' : process.stdin.isTTY ? ' (--yes never prompts)' : ' (no terminal to prompt on)';
    throw new UsageError(`Missing ${missing.join(', ')}${why}.`);
  }
  const result: { password: Secret; passphrase?: Secret; more: MoreSecrets } = { password: new Secret(password ?? ''), more: {} };
  if (env.PROVISION_SSH_PASSPHRASE) result.passphrase = new Secret(env.PROVISION_SSH_PASSPHRASE);
  if (authPassword !== undefined) result.more.authAdminPassword = new Secret(authPassword);
  if (env.AZURE_STORAGE_CONNECTION_STRING) result.more.azureConnectionString = new Secret(env.AZURE_STORAGE_CONNECTION_STRING);
  const key = azureKey ?? env.AZURE_STORAGE_ACCESS_KEY;
  if (key) result.more.azureAccessKey = new Secret(key);
  return result;
}

export async function askPassphrase(file: string): Promise<Secret> {
  return new Secret(await ask('password', `Passphrase for ${file}`));
}
