import kleur from 'kleur';
import type { RestoreConfig } from '../config/config.js';
import { resolveCommandConfig } from '../config/resolve.js';
import type { Backup, RestoreResult } from '../run/restore.js';
import { EXIT, UsageError } from '../util/errors.js';
import { showUntrusted } from '../util/visible-text.js';
import { jsonResult, nextSteps } from './render-results.js';
import { runCommand } from './run-command.js';

/**
 * --replace drops the MLflow tables the database may hold: a terminal asks (before the task list, as every
 * prompt is), --yes confirms, anything else refuses. Without --replace a database with MLflow tables is refused
 * on the VM, one sentence, nothing changed.
 */
async function confirmReplace(config: RestoreConfig, backup: Backup): Promise<void> {
  if (!config.replace || config.dryRun || config.yes) return;
  const what = `database ${config.db.database} on ${config.db.host}${config.auth ? ` (and the auth database ${config.auth.database})` : ''}`;
  if (!config.interactive) {
    throw new UsageError(`--replace drops the MLflow tables of the ${what}: add --yes to confirm, or run it in a terminal to be asked. Nothing was changed.`);
  }
  const { default: enquirer } = await import('enquirer');
  const answer = await enquirer
    .prompt<{ ok: boolean }>({
      type: 'confirm',
      name: 'ok',
      initial: false,
      message: `Replace every MLflow table in the ${what} with the backup ${backup.folder}?`,
    })
    .catch(() => ({ ok: false }));
  if (!answer.ok) throw new UsageError('Nothing was changed: the database keeps its tables (restore into an empty database to keep them).');
}

function print(config: RestoreConfig, results: RestoreResult[]): void {
  if (config.output.json) {
    for (const r of results) {
      const line = JSON.parse(jsonResult(r)) as Record<string, unknown>;
      process.stdout.write(`${JSON.stringify({ ...line, restored: r.restored ?? null })}\n`);
    }
    return;
  }
  const out: string[] = [''];
  for (const r of results) {
    const target = config.targets.find((t) => t.label === r.host);
    if (r.status !== 'ok') {
      out.push(`${kleur.red('✖')} ${r.host}: ${showUntrusted(r.error ?? '')}`, kleur.dim(`  full log: ${r.log}`));
      continue;
    }
    if (config.dryRun) {
      out.push(`${r.host}: would restore ${config.from} (dry run: nothing was touched)`);
      continue;
    }
    out.push(`${kleur.green('✔')} ${r.host}: restored ${showUntrusted(r.restored?.files.join(', ') ?? '')} from ${r.restored?.from ?? config.from}`);
    if (target) out.push(nextSteps(r, config, target), '');
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * `provision restore --host H --from DIR/<host>/<time>`: the backup checked here first (manifest, files, sha256,
 * modes), then on the VM the normal provision path with the backup's MLflow and the data put back before the
 * server starts. Exit 0 when restored and healthy, 1 otherwise, 2 bad usage or a bad backup, 130 on Ctrl-C.
 */
export async function restoreCommand(argv: Record<string, unknown>): Promise<number> {
  const config = await resolveCommandConfig('restore', argv, process.env);
  const { readBackup, restoreCommand: commandOnHosts } = await import('../run/restore.js');
  const backup = await readBackup(config.from);
  for (const w of config.warnings) process.stderr.write(`${kleur.yellow('!')} ${w}\n`);
  await confirmReplace(config, backup);
  const { results, interrupted } = await runCommand(commandOnHosts(config, backup), config, (results) => print(config, results));
  if (interrupted) return EXIT.interrupted;
  return results.every((r) => r.status === 'ok') ? EXIT.ok : EXIT.failed;
}
