import kleur from 'kleur';
import { resolveCommandConfig } from '../config/resolve.js';
import type { BackupResult } from '../run/backup.js';
import { EXIT } from '../util/errors.js';
import { safeJson, showUntrusted } from '../util/visible-text.js';
import { runCommand } from './run-command.js';

function text(r: BackupResult): string {
  const v = showUntrusted;
  if (r.status !== 'ok') return `${kleur.red('✖')} ${r.host}: ${v(r.error ?? '')}`;
  const lines = [`${kleur.green('✔')} ${r.host}: ${v(r.summary)}`];
  for (const f of r.files ?? []) lines.push(`  ${f.name}  ${f.bytes} bytes  sha256 ${f.sha256}`);
  return lines.join('\n');
}

function json(r: BackupResult): string {
  return safeJson({
    host: r.host,
    status: r.status,
    folder: r.folder ?? null,
    files: r.files ?? [],
    summary: r.summary || null,
    error: r.error ?? null,
    durationMs: r.durationMs,
  });
}

/** `provision backup --to DIR`: exit 0 when every VM has a complete backup, 1 otherwise, 130 on Ctrl-C. */
export async function backupCommand(argv: Record<string, unknown>): Promise<number> {
  const config = await resolveCommandConfig('backup', argv, process.env);
  for (const w of config.warnings) process.stderr.write(`${kleur.yellow('!')} ${w}\n`);
  const { backupCommand: commandOnHosts } = await import('../run/backup.js');
  const { results, interrupted } = await runCommand(commandOnHosts(config), config, (results) => {
    if (config.output.json) for (const r of results) process.stdout.write(`${json(r)}\n`);
    else process.stdout.write(`${results.map(text).join('\n')}\n`);
  });
  if (interrupted) return EXIT.interrupted;
  return results.every((r) => r.status === 'ok') ? EXIT.ok : EXIT.failed;
}
