import kleur from 'kleur';
import type { LifecycleConfig } from '../config/config.js';
import type { LifecycleCommandName } from '../config/options.js';
import { resolveCommandConfig } from '../config/resolve.js';
import type { LifecycleResult } from '../run/lifecycle.js';
import { EXIT, UsageError } from '../util/errors.js';
import { safeJson, showUntrusted } from '../util/visible-text.js';
import { runCommand } from './run-command.js';

/** --purge-artifacts deletes every run's files: a terminal asks, --yes confirms, anything else refuses. */
async function confirmPurge(config: LifecycleConfig): Promise<void> {
  if (!config.purgeArtifacts || config.dryRun || config.yes) return;
  if (!config.interactive) {
    throw new UsageError(
      "--purge-artifacts deletes the artifacts folder (every run's files) on the VM: add --yes to confirm, or run it in a terminal to be asked.",
    );
  }
  const { default: enquirer } = await import('enquirer');
  const hosts = config.targets.map((t) => t.label).join(', ');
  const answer = await enquirer
    .prompt<{ ok: boolean }>({ type: 'confirm', name: 'ok', initial: false, message: `Delete the artifacts folder (every run's files) on ${hosts}?` })
    .catch(() => ({ ok: false }));
  if (!answer.ok) throw new UsageError('Nothing was removed: the artifacts folder stays (run remove without --purge-artifacts to keep it).');
}

/** One line from the VM as printed: its control characters made visible, prefixed with its host in a batch. */
function vmLine(host: string, line: string, several: boolean): string {
  return `${several ? `${host} | ` : ''}${showUntrusted(line)}`;
}

function text(r: LifecycleResult, several: boolean, dryRun: boolean): string {
  const v = showUntrusted;
  if (r.status !== 'ok') return `${kleur.red('✖')} ${r.host}: ${v(r.error ?? '')}`;
  const lines = [`${kleur.green('✔')} ${r.host}: ${r.command} ${r.changed ? (dryRun ? 'would change' : 'changed') : 'unchanged'} (${v(r.summary)})`];
  if (r.removed?.length) lines.push(`  removed: ${v(r.removed.join(', '))}`);
  if (r.kept?.length) lines.push(`  kept:    ${v(r.kept.join('; '))}`);
  for (const l of r.lines ?? []) lines.push(vmLine(r.host, l, several));
  if (r.journal) {
    lines.push(kleur.dim(`  systemd's own lines (journalctl -u mlflow-server):`));
    for (const l of r.journal) lines.push(vmLine(r.host, l, several));
  }
  return lines.join('\n');
}

/** The VM's lines as they came, JSON-escaped (bidi and C1 characters too: see safeJson). */
function json(r: LifecycleResult): string {
  return safeJson({
    host: r.host,
    command: r.command,
    status: r.status,
    changed: r.changed,
    summary: r.summary || null,
    error: r.error ?? null,
    ...(r.lines ? { lines: r.lines } : {}),
    ...(r.journal ? { journal: r.journal } : {}),
    ...(r.removed ? { removed: r.removed, kept: r.kept ?? [] } : {}),
    durationMs: r.durationMs,
  });
}

/**
 * `provision logs|stop|start|restart|remove`: exit 0 when it worked on every VM, 1 otherwise, 130 on Ctrl-C
 * (for `logs --follow` the way to end it).
 */
export async function lifecycleCommand(command: LifecycleCommandName, argv: Record<string, unknown>): Promise<number> {
  const config = await resolveCommandConfig(command, argv, process.env);
  await confirmPurge(config);
  for (const w of config.warnings) process.stderr.write(`${kleur.yellow('!')} ${w}\n`);
  const { lifecycleCommand: commandOnHosts, rollOf } = await import('../run/lifecycle.js');
  const { rollingRun } = await import('../run/rolling.js');
  const several = config.targets.length > 1;
  const onFollowLine = (host: string, line: string) => process.stdout.write(`${vmLine(host, line, several)}\n`);
  // A restart of several VMs rolls: one VM at a time, drained first (run/rolling.ts).
  const roll = rollOf(config);
  const onHosts = commandOnHosts(config, { onFollowLine, ...(roll ? { roll } : {}) });
  const { results, interrupted } = await runCommand(onHosts, rollingRun(config, roll), (results, interrupted) => {
    if (config.output.json) for (const r of results) process.stdout.write(`${json(r)}\n`);
    else if (config.follow)
      for (const r of results.filter((x) => x.status !== 'ok' && !interrupted)) process.stdout.write(`${text(r, several, config.dryRun)}\n`);
    else process.stdout.write(`${results.map((r) => text(r, several, config.dryRun)).join('\n')}\n`);
  });
  if (interrupted) return EXIT.interrupted;
  return results.every((r) => r.status === 'ok') ? EXIT.ok : EXIT.failed;
}
