#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import kleur from 'kleur';
import { buildConfig, buildStatusConfig, type ProvisionConfig } from '../config/config.js';
import { checkIdentityFiles } from '../config/keys.js';
import { askPassphrase, completeSettings } from '../config/prompt.js';
import { readSettings } from '../config/settings.js';
import type { HostResult } from '../run/host-run.js';
import { runHosts, type RunHandle } from '../run/tasks.js';
import { errorMessage, EXIT, UsageError } from '../util/errors.js';
import { maskSecrets, Secret } from '../util/secret.js';
import { fastParse } from './fast-parse.js';
import { STATUS_OPTIONS } from './options.js';
import { jsonResult, nextSteps, summaryTable } from './render-results.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** --env-file must be known before the environment is read, so it is picked out of argv first. */
function envFileFrom(args: string[]): string {
  const i = args.findIndex((a) => a === '--env-file' || a.startsWith('--env-file='));
  if (i < 0) return process.env.PROVISION_ENV_FILE ?? '.env';
  const arg = args[i]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[i + 1] ?? '.env';
}

function fail(message: string): void {
  process.stderr.write(`${kleur.red('provision:')} ${maskSecrets(message)}\n`);
}

async function resolveConfig(argv: Record<string, unknown>): Promise<ProvisionConfig> {
  const settings = readSettings(argv, process.env);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && argv.yes !== true && process.env.PROVISION_YES !== 'true' && !process.env.CI;
  const { password, passphrase, more } = await completeSettings(settings, process.env, { interactive });
  let config = buildConfig(settings, password, passphrase, undefined, more);
  const keys = checkIdentityFiles(config.targets, config.ssh.passphrase);
  if (!keys.ok) {
    if (!interactive) {
      throw new UsageError(`${keys.file} is encrypted and no passphrase is available: set PROVISION_SSH_PASSPHRASE, load the key into ssh-agent, or run in a terminal to be asked.`);
    }
    const asked = await askPassphrase(keys.file);
    config = buildConfig(settings, password, asked, undefined, more);
    checkIdentityFiles(config.targets, asked);
  }
  return config;
}

function report(config: ProvisionConfig, results: HostResult[]): void {
  if (config.output.json) {
    for (const r of results) process.stdout.write(`${jsonResult(r)}\n`);
    return;
  }
  const out: string[] = [''];
  if (config.dryRun) {
    for (const r of results) {
      out.push(r.status === 'ok'
        ? `${r.host}: ${r.changed.length ? `would change ${r.changed.join(', ')}` : 'nothing to change'} (dry run: nothing was touched)`
        : kleur.red(`${r.host}: ${r.error}`));
    }
  } else {
    for (const r of results) {
      const target = config.targets.find((t) => t.label === r.host);
      if (r.status === 'ok' && target) {
        const sshTarget = `${target.user}@${target.address}${target.port !== 22 ? ` -p ${target.port}` : ''}`;
        out.push(nextSteps(r, config, target.user, sshTarget), '');
      }
    }
    const failed = results.filter((r) => r.status !== 'ok');
    if (results.length > 1) out.push(summaryTable(results));
    else for (const r of failed) out.push(`${kleur.red('✖')} ${r.host}: ${r.error}`, kleur.dim(`  full log: ${r.log}`));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * `provision status`: read-only, never prompts for anything but an SSH key's passphrase, needs no database
 * settings (each VM's own secrets file says which database its server uses). Exit 0 only if all are healthy.
 */
async function statusCommand(argv: Record<string, unknown>): Promise<number> {
  const settings = readSettings(argv, process.env);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && argv.yes !== true && process.env.PROVISION_YES !== 'true' && !process.env.CI;
  const passphrase = process.env.PROVISION_SSH_PASSPHRASE ? new Secret(process.env.PROVISION_SSH_PASSPHRASE) : undefined;
  let config = buildStatusConfig(settings, passphrase);
  const keys = checkIdentityFiles(config.targets, passphrase);
  if (!keys.ok) {
    if (!interactive) throw new UsageError(`${keys.file} is encrypted and no passphrase is available: set PROVISION_SSH_PASSPHRASE or load the key into ssh-agent.`);
    const asked = await askPassphrase(keys.file);
    checkIdentityFiles(config.targets, asked);
    config = buildStatusConfig(settings, asked);
  }
  for (const w of config.warnings) process.stderr.write(`${kleur.yellow('!')} ${w}\n`);
  const { runStatus } = await import('../run/status.js');
  const { statusJson, statusText } = await import('./render-status.js');
  const results = await runStatus(config);
  if (config.output.json) for (const r of results) process.stdout.write(`${statusJson(r)}\n`);
  else process.stdout.write(`${results.map(statusText).join('\n\n')}\n`);
  return results.every((r) => r.healthy) ? EXIT.ok : EXIT.failed;
}

/** The full parser: --help, --version, and every argument list the fast path leaves to it, with its messages. */
async function parseWithYargs(args: string[]): Promise<Record<string, unknown>> {
  const { buildParser } = await import('./parser.js');
  let parseError: string | undefined;
  const parser = buildParser(args, packageVersion()).fail((msg, err) => {
    parseError = msg || err?.message || 'invalid arguments';
  });
  const argv = (await parser.parseAsync()) as Record<string, unknown>;
  if (parseError) {
    // yargs names an option both ways (pg-host, pgHost) when another command knows it: keep the flag's name.
    const msg = parseError.replace(/^(Unknown arguments?): (.*)$/, (_, head: string, list: string) => {
      const names = list.split(', ');
      const kept = names.filter((n) => !names.some((o) => o !== n && o.includes('-') && o.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()) === n));
      return `${kept.length === 1 ? 'Unknown argument' : 'Unknown arguments'}: ${kept.join(', ')}`;
    });
    const help = argv._ && (argv._ as unknown[])[0] === 'status' ? 'provision status --help' : 'provision --help';
    throw new UsageError(`${msg.replace(/\.$/, '')}. Run ${help} for the options.`);
  }
  return argv;
}

async function main(): Promise<number> {
  // Not yargs' hideBin: importing yargs/helpers loads most of yargs (~0.1 s) on every run.
  const args = process.argv.slice(2);
  dotenv.config({ path: envFileFrom(args), quiet: true });
  const verbose = args.includes('--verbose') || process.env.PROVISION_VERBOSE === 'true';
  let config: ProvisionConfig | undefined;
  const handle: RunHandle = { results: new Map(), runs: [] };
  let interrupted = false;
  try {
    if (args.some((a) => a === '--pg-password' || a.startsWith('--pg-password='))) {
      throw new UsageError('--pg-password is not accepted: a password on the command line leaks into shell history and ps. Set POSTGRES_PASSWORD in .env or use --pg-password-stdin.');
    }
    if (args.some((a) => a === '--auth-admin-password' || a.startsWith('--auth-admin-password='))) {
      throw new UsageError('--auth-admin-password is not accepted: a password on the command line leaks into shell history and ps. Set MLFLOW_AUTH_ADMIN_PASSWORD in .env, or run in a terminal to be asked.');
    }
    const fast = args[0] === 'status' ? fastParse(args.slice(1), STATUS_OPTIONS) : fastParse(args);
    const argv = fast ?? (await parseWithYargs(args));
    const isStatus = fast ? args[0] === 'status' : (argv._ as unknown[] | undefined)?.[0] === 'status';
    if (isStatus) return await statusCommand(argv);
    config = await resolveConfig(argv);

    const onSignal = () => {
      if (interrupted) process.exit(EXIT.interrupted);
      interrupted = true;
      handle.aborted = true;
      process.stderr.write(`\n${kleur.yellow('Interrupted: stopping remote commands and closing connections...')}\n`);
      for (const run of handle.runs) run.interrupt();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    for (const w of config.warnings) process.stderr.write(`${kleur.yellow('!')} ${w}\n`);
    await runHosts(config, handle);
    const results = config.targets.map((t) => handle.results.get(t.label) ?? {
      host: t.label, status: 'failed' as const, changed: [], error: 'not started (interrupted)', warnings: [], durationMs: 0, sshConnections: 0, remoteCommands: 0, portForwards: 0,
    });
    report(config, results);
    if (interrupted) return EXIT.interrupted;
    return results.every((r) => r.status === 'ok') ? EXIT.ok : EXIT.failed;
  } catch (err) {
    if (err instanceof UsageError) {
      fail(err.message);
      return (err as { interrupted?: boolean }).interrupted ? EXIT.interrupted : EXIT.usage;
    }
    fail(errorMessage(err));
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${maskSecrets(err.stack)}\n`);
    else process.stderr.write('Run again with --verbose for details.\n');
    return EXIT.failed;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    fail(errorMessage(err));
    process.exitCode = EXIT.failed;
  },
);
