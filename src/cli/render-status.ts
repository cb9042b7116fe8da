import kleur from 'kleur';
import { UNIT_NAME } from '../render/systemd-unit.js';
import { GC_TIMER } from '../render/gc-units.js';
import { VM_FILES } from '../render/vm-files.js';
import type { HostStatus } from '../run/status.js';
import { bytesText, type LogSize } from '../verdicts/status.js';
import { safeJson, showUntrusted } from '../util/visible-text.js';

export function duration(sec: number): string {
  if (sec < 60) return `${sec} s`;
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min ${sec % 60} s`;
}

/** What each supervisor means for the user, and how to see the log and restart the server under it. */
const SUPERVISOR_TEXT = {
  systemd: `systemd (${UNIT_NAME}): restarted after a crash, started at boot; log ~/${VM_FILES.log} (and journalctl -u ${UNIT_NAME}); restart: sudo systemctl restart ${UNIT_NAME}`,
  nohup: `nohup: a reboot stops the server; rerun provision to start it, or use --supervisor systemd; log ~/${VM_FILES.log}`,
} as const;

/**
 * The human report of one VM: a verdict line, then one line per check, then the last log lines. Every text
 * that may come from the VM (log lines, its errors, paths, versions, names) is shown with its control
 * characters made visible (showUntrusted), before any colour of ours is added.
 */
export function statusText(s: HostStatus): string {
  const v = showUntrusted;
  const verdict = s.healthy ? kleur.green().bold('healthy') : kleur.red().bold('NOT HEALTHY');
  const lines = [`${kleur.bold(s.host)}: ${verdict}${s.url ? `  ${v(s.url)}` : ''}  (${(s.durationMs / 1000).toFixed(1)} s)`];
  if (s.newHostKey) lines.push(`  ${newHostKeyLine(s.newHostKey)}`);
  if (s.error) {
    lines.push(`  ${v(s.error)}`);
    return lines.join('\n');
  }
  const row = (name: string, text: string) => lines.push(`  ${name.padEnd(10)} ${v(text)}`);
  row(
    'server',
    s.server.running
      ? `running, pid ${s.server.pid}${s.server.uptimeSec !== undefined ? `, up ${duration(s.server.uptimeSec)}` : ''}${s.auth === 'basic' ? ', basic auth' : ''}`
      : 'not running',
  );
  if (s.supervisor) row('supervisor', SUPERVISOR_TEXT[s.supervisor]);
  row(
    'MLflow',
    `${s.mlflow.installed ? `${s.mlflow.installed} installed` : 'not installed'}${s.mlflow.running ? `, the server answers ${s.mlflow.running}` : ''}`,
  );
  if (s.health !== undefined) row('/health', s.health === 200 ? '200 OK' : s.health ? `HTTP ${s.health}` : 'no answer');
  if (s.api !== undefined) row('API', s.api === 200 ? 'experiments search ok' : s.api ? `experiments search HTTP ${s.api}` : 'experiments search: no answer');
  row('database', s.database.detail);
  if (s.blob) row('blob', `${s.blob.uri}: ${s.blob.ok ? s.blob.detail : 'the check failed (see below)'}`);
  if (s.log.size) row('log', logSizeText(s.log.size));
  if (s.tls) row('https', tlsText(s.tls));
  if (s.gc) row('gc', gcText(s.gc));
  for (const p of s.problems) lines.push(kleur.red(`  ! ${v(p)}`));
  if (s.log.lines.length > 0) {
    lines.push(`  last ${s.log.lines.length} lines of ${v(s.log.path ?? '')}:`);
    for (const l of s.log.lines) lines.push(kleur.dim(`    ${v(l)}`));
  }
  return lines.join('\n');
}

/** The log's size: `3.2 MiB, and 4 rotated files: 43.2 MiB in all (rotated at 10.0 MiB, 5 kept)`. */
export function logSizeText(l: LogSize): string {
  const rotated = l.rotatedFiles > 0 ? `, and ${l.rotatedFiles} rotated file${l.rotatedFiles === 1 ? '' : 's'}: ${bytesText(l.totalBytes)} in all` : '';
  const bound = l.maxBytes !== undefined ? ` (rotated at ${bytesText(l.maxBytes)}, ${l.keep ?? '?'} kept)` : ', not rotated';
  return `${bytesText(l.bytes)}${rotated}${bound}`;
}

/** The gc timer: `mlflow gc daily, runs deleted > 30 days; last run 2026-12-06T00:12:03Z: success; next …`. */
function gcText(g: NonNullable<HostStatus['gc']>): string {
  const last = g.lastRun ? `last run ${g.lastRun}: ${g.result ?? 'unknown'}` : 'not run yet';
  const next = g.nextRun ? `; next ${g.nextRun}` : '';
  return `mlflow gc daily (${GC_TIMER} ${g.timer ?? 'not loaded'}), runs deleted more than ${g.afterDays ?? '?'} days ago; ${last}${next}`;
}

function tlsText(t: NonNullable<HostStatus['tls']>): string {
  const cert = t.validTo ? `certificate valid until ${t.validTo.slice(0, 10)}${t.issuer ? ` (${t.issuer})` : ''}` : 'no valid certificate';
  return `Caddy (--tls ${t.mode}) for ${t.names.join(', ')}: ${t.verified ? `${cert}, verified` : 'certificate does not verify'}`;
}

/** The sentence a provisioning run says when it records a host key. */
export function newHostKeyLine(k: NonNullable<HostStatus['newHostKey']>): string {
  return `new host key ${k.type} ${k.fingerprint} recorded in ${k.recordedIn}`;
}

/** One JSON object per VM (one line), for scripts and cron jobs: the VM's texts as they came, JSON-escaped (see safeJson). */
export function statusJson(s: HostStatus): string {
  return safeJson({
    host: s.host,
    healthy: s.healthy,
    url: s.url ?? null,
    problems: s.problems,
    error: s.error ?? null,
    server: { running: s.server.running, pid: s.server.pid ?? null, uptimeSec: s.server.uptimeSec ?? null },
    mlflow: { installed: s.mlflow.installed ?? null, running: s.mlflow.running ?? null },
    auth: s.auth,
    supervisor: s.supervisor ?? null,
    tls: s.tls ? { mode: s.tls.mode, names: s.tls.names, verified: s.tls.verified, validTo: s.tls.validTo ?? null, issuer: s.tls.issuer ?? null } : null,
    gc: s.gc ? { afterDays: s.gc.afterDays, lastRun: s.gc.lastRun, result: s.gc.result, nextRun: s.gc.nextRun, timer: s.gc.timer } : null,
    health: s.health ?? null,
    api: s.api ?? null,
    database: { reachable: s.database.reachable, serverVersion: s.database.serverVersion ?? null, detail: s.database.detail },
    blob: s.blob ? { uri: s.blob.uri, ok: s.blob.ok, detail: s.blob.detail } : null,
    drained: s.drained ? { probeSource: s.drained.probeSource ?? null, port: s.drained.port ?? null } : null,
    log: s.log.lines,
    logSize: s.log.size
      ? { bytes: s.log.size.bytes, rotatedFiles: s.log.size.rotatedFiles, totalBytes: s.log.size.totalBytes, maxBytes: s.log.size.maxBytes ?? null }
      : null,
    newHostKey: s.newHostKey ?? null,
    durationMs: s.durationMs,
  });
}
