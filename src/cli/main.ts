#!/usr/bin/env -S node --
import { readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import kleur from 'kleur';
import type { ProvisionConfig } from '../config/config.js';
import { resolveCommandConfig } from '../config/resolve.js';
import { secretFlagRefusal, verboseRequested } from '../config/early.js';
import { shown } from '../config/validate.js';
import type { HostResult } from '../run/host-run.js';
import { provisionCommand } from '../run/tasks.js';
import { errorMessage, EXIT, UsageError } from '../util/errors.js';
import { maskSecrets, maskStreams } from '../util/secret.js';
import { showUntrustedLines } from '../util/visible-text.js';
import { fastParse } from './fast-parse.js';
import {
  BACKUP_COMMAND_OPTIONS,
  LIFECYCLE_COMMANDS,
  lifecycleOptions,
  RESTORE_COMMAND_OPTIONS,
  STATUS_OPTIONS,
  type LifecycleCommandName,
} from '../config/options.js';
import { jsonResult, nextSteps, summaryTable } from './render-results.js';
import { current, fail, reportAbnormalEnd, runCommand } from './run-command.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * --env-file must be known before the environment is read, so it is picked out of argv first. `named` says
 * where a file was named (the flag or PROVISION_ENV_FILE); the default .env is not named. A flag without its
 * value falls back to .env here and is reported by the parser.
 *
 * Node itself reads `--env-file FILE` anywhere on its command line, even after the script, and exits 9 when
 * FILE is missing ("node: FILE: not found") before any of this runs: hence the `--` in the shebang, which ends
 * node's own options.
 */
function envFileFrom(args: string[]): { path: string; named?: string } {
  const i = args.findIndex((a) => a === '--env-file' || a.startsWith('--env-file='));
  if (i < 0) {
    const fromEnv = process.env.PROVISION_ENV_FILE;
    return fromEnv ? { path: fromEnv, named: 'PROVISION_ENV_FILE' } : { path: '.env' };
  }
  const arg = args[i]!;
  if (arg.includes('=')) return { path: arg.slice(arg.indexOf('=') + 1), named: '--env-file' };
  const next = args[i + 1];
  return next !== undefined && !next.startsWith('-') ? { path: next, named: '--env-file' } : { path: '.env' };
}

/**
 * Loads the env file into the environment (values already there win). Returns the sentence to refuse it with:
 * a named file must be readable; the default .env may be missing, or be a folder (a Python venv called .env).
 */
function loadEnvFile(args: string[]): string | undefined {
  const { path, named } = envFileFrom(args);
  if (named && path === '') return `${named} is empty: give the dotenv file to read, e.g. --env-file prod.env.`;
  const { error } = dotenv.config({ path, quiet: true });
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!error || (!named && (code === 'ENOENT' || code === 'EISDIR'))) return undefined;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (code ?? error.message);
  return `Cannot read the env file ${shown(path)} (${why}): ${named ? `check ${named}` : 'make it readable, or name another file with --env-file'}.`;
}

function report(config: ProvisionConfig, results: HostResult[]): void {
  if (config.output.json) {
    for (const r of results) process.stdout.write(`${jsonResult(r)}\n`);
    return;
  }
  const out: string[] = [''];
  if (config.dryRun) {
    for (const r of results) {
      out.push(
        r.status === 'ok'
          ? `${r.host}: ${r.changed.length ? `would change ${r.changed.join(', ')}` : 'nothing to change'} (dry run: nothing was touched)`
          : kleur.red(`${r.host}: ${r.error}`),
      );
    }
  } else {
    for (const r of results) {
      const target = config.targets.find((t) => t.label === r.host);
      if (r.status === 'ok' && target) {
        out.push(nextSteps(r, config, target), '');
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
  const config = await resolveCommandConfig('status', argv, process.env);
  for (const w of config.warnings) process.stderr.write(`${kleur.yellow('!')} ${w}\n`);
  const { statusCommand: commandOnHosts } = await import('../run/status.js');
  const { statusJson, statusText } = await import('./render-status.js');
  const { fleetJson, fleetText, fleetVerdictsOf } = await import('./render-fleet.js');
  let fleetsConsistent = true;
  const { results, interrupted } = await runCommand(commandOnHosts(config), config, (results) => {
    // Several VMs on one database: the fleet's verdict after the hosts' reports (issue 25).
    const fleets = fleetVerdictsOf(results);
    fleetsConsistent = fleets.every((f) => f.problems.length === 0);
    if (config.output.json) for (const line of [...results.map(statusJson), ...fleets.map(fleetJson)]) process.stdout.write(`${line}\n`);
    else process.stdout.write(`${[...results.map(statusText), ...fleets.map(fleetText)].join('\n\n')}\n`);
  });
  if (interrupted) return EXIT.interrupted;
  return results.every((r) => r.healthy) && fleetsConsistent ? EXIT.ok : EXIT.failed;
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
    const word = argv._ ? (argv._ as unknown[])[0] : undefined;
    const help =
      typeof word === 'string' && ['status', 'backup', 'restore', ...LIFECYCLE_COMMANDS].includes(word) ? `provision ${word} --help` : 'provision --help';
    throw new UsageError(`${msg.replace(/\.$/, '')}. Run ${help} for the options.`);
  }
  return argv;
}

async function main(): Promise<number> {
  // Not yargs' hideBin: importing yargs/helpers loads most of yargs (~0.1 s) on every run.
  const args = process.argv.slice(2);
  const envFileProblem = loadEnvFile(args);
  if (envFileProblem) {
    fail(envFileProblem);
    return EXIT.usage;
  }
  const verbose = verboseRequested(args, process.env);
  try {
    const secretFlag = secretFlagRefusal(args);
    if (secretFlag) throw new UsageError(secretFlag);
    // The version alone needs no parser: yargs would cost about 100 ms of start-up for it.
    if (args.length === 1 && args[0] === '--version') {
      process.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    const lifecycle = (LIFECYCLE_COMMANDS as readonly string[]).includes(args[0] ?? '') ? (args[0] as LifecycleCommandName) : undefined;
    const fast =
      args[0] === 'status'
        ? fastParse(args.slice(1), STATUS_OPTIONS)
        : args[0] === 'backup'
          ? fastParse(args.slice(1), BACKUP_COMMAND_OPTIONS)
          : args[0] === 'restore'
            ? fastParse(args.slice(1), RESTORE_COMMAND_OPTIONS)
            : lifecycle
              ? fastParse(args.slice(1), lifecycleOptions(lifecycle))
              : fastParse(args);
    const argv = fast ?? (await parseWithYargs(args));
    const command = fast ? args[0] : (argv._ as unknown[] | undefined)?.[0];
    if (command === 'status') return await statusCommand(argv);
    if (command === 'backup') {
      const { backupCommand } = await import('./backup-command.js');
      return await backupCommand(argv);
    }
    if (command === 'restore') {
      const { restoreCommand } = await import('./restore-command.js');
      return await restoreCommand(argv);
    }
    if ((LIFECYCLE_COMMANDS as readonly unknown[]).includes(command)) {
      const { lifecycleCommand } = await import('./lifecycle-command.js');
      return await lifecycleCommand(command as LifecycleCommandName, argv);
    }
    const config = await resolveCommandConfig('provision', argv, process.env);
    for (const w of config.warnings) process.stderr.write(`${kleur.yellow('!')} ${w}\n`);
    const { results, interrupted } = await runCommand(provisionCommand(config), config, (results) => report(config, results));
    if (interrupted) return EXIT.interrupted;
    return results.every((r) => r.status === 'ok') ? EXIT.ok : EXIT.failed;
  } catch (err) {
    if (err instanceof UsageError) {
      fail(err.message);
      return err.exitCode;
    }
    fail(errorMessage(err));
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${showUntrustedLines(maskSecrets(err.stack))}\n`);
    else process.stderr.write('Run again with --verbose for details.\n');
    return EXIT.failed;
  }
}

// Before the first byte: whatever prints, through whichever code, passes the secret mask on its way out.
maskStreams(process.stdout, process.stderr);

// Until main() says otherwise, an exit is a failure: if the event loop ever runs dry while a host still
// waits on the VM (a callback that never comes), Node would otherwise exit 0 with no summary.
process.exitCode = EXIT.failed;
process.on('beforeExit', () => {
  if (!current.settled) reportAbnormalEnd('an operation on a VM never completed; rerun provision to continue.');
});
const crashed = (err: unknown) => {
  if (current.settled) return;
  reportAbnormalEnd(`internal error: ${errorMessage(err)}`);
  if (process.argv.includes('--verbose') && err instanceof Error && err.stack) process.stderr.write(`${showUntrustedLines(maskSecrets(err.stack))}\n`);
  process.exit(process.exitCode ?? EXIT.failed);
};
process.on('uncaughtException', crashed);
process.on('unhandledRejection', crashed);

main().then(
  (code) => {
    current.settled = true;
    process.exitCode = code;
  },
  (err: unknown) => {
    current.settled = true;
    fail(errorMessage(err));
    process.exitCode = EXIT.failed;
  },
);
