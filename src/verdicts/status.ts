import { LOG_ROTATION } from '../render/log-writer.js';
import type { Answer } from './verify.js';

/** The database check's one line, as the database step and `status` both say it. */
export function databaseSummary(report: { serverVersion: string; transport: string }, db: { host: string; port: number }): string {
  return `PostgreSQL ${report.serverVersion} at ${db.host}:${db.port} reachable from the VM, ${report.transport}, login ok`;
}

/** What `status` asked a running server, and which MLflow the venv holds. */
export interface ServerAnswers {
  health: Answer;
  /** GET /version (200: the running MLflow's version in the body). */
  version: Answer;
  /** An experiments search with the public Host header (and the admin's credentials under --auth basic). */
  search: Answer;
  installedVersion?: string;
}

/** `status`'s judgement of a running server: its problems (one sentence each) and the MLflow it runs. */
export function judgeRunningServer(a: ServerAnswers): { problems: string[]; runningVersion?: string } {
  const problems: string[] = [];
  if (a.health.status !== 200) problems.push(`/health answers ${a.health.status ? `HTTP ${a.health.status}` : `nothing (${a.health.body})`}.`);
  const runningVersion = a.version.status === 200 ? a.version.body.trim() : undefined;
  if (a.search.status !== 200) {
    const why =
      a.search.status === 401
        ? ': the admin credentials in the secrets file are refused'
        : a.search.status === 403
          ? ': the server refuses its own public Host header'
          : a.search.status === 0
            ? ` (${a.search.body})`
            : '';
    problems.push(`An experiments search answers ${a.search.status ? `HTTP ${a.search.status}` : 'nothing'}${why}.`);
  }
  if (runningVersion && a.installedVersion && runningVersion !== a.installedVersion) {
    problems.push(`The server runs MLflow ${runningVersion} but ${a.installedVersion} is installed: rerun provision to restart it.`);
  }
  return { problems, ...(runningVersion ? { runningVersion } : {}) };
}

/** Days before expiry from which `status` calls the user's own certificate (--tls files) a problem. */
export const CERT_WARN_DAYS = 14;

/**
 * `status`'s judgement of the certificate the proxy serves (--tls): verified, and not about to expire. Caddy
 * renews its certificates (ACME or internal, whose leaves live 12 hours) when a third of their life is left:
 * one with less than a sixth left means renewal fails. The user's own (--tls files) is theirs to renew.
 */
export function judgeCertificate(a: { name: string; mode: string; validFrom?: string; validTo?: string; error?: string; now: Date }): string[] {
  if (a.error) return [`The certificate served for ${a.name} does not verify (${a.error}).`];
  if (!a.validTo) return [];
  const end = new Date(a.validTo).getTime();
  const left = end - a.now.getTime();
  const day = a.validTo.slice(0, 10);
  if (left <= 0) return [`The certificate for ${a.name} expired on ${day}.`];
  if (a.mode === 'files') {
    const days = Math.floor(left / 86400000);
    return days < CERT_WARN_DAYS
      ? [`The certificate for ${a.name} expires in ${days} day${days === 1 ? '' : 's'} (${day}): rerun provision with a renewed --tls-cert and --tls-key.`]
      : [];
  }
  const life = a.validFrom ? end - new Date(a.validFrom).getTime() : 0;
  if (life <= 0 || left >= life / 6) return [];
  return [
    `The certificate for ${a.name} expires on ${a.validTo.replace('T', ' ').slice(0, 16)} UTC and Caddy has not renewed it: see sudo journalctl -u caddy${a.mode === 'acme' ? " (port 80 or 443 closed, or the name's DNS changed)" : ''}.`,
  ];
}

/** The server's log on the VM: the file's size, its rotated files, and the size its launcher rotates it at. */
export interface LogSize {
  bytes: number;
  rotatedFiles: number;
  /** The log and its rotated files together. */
  totalBytes: number;
  /** Undefined: a launcher from before log rotation, so the log is never rotated. */
  maxBytes?: number;
  keep?: number;
}

/** A size as people read it: 812 B, 3.2 KiB, 10.0 MiB, 2.1 GiB. */
export function bytesText(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/**
 * `status`'s judgement of the log's size: a log that grows without bound fills the VM's disk. One the
 * launcher does not rotate is a problem once it is past the default rotation size; a rotated one once it is
 * past twice its own (its writer rotates before each line that would pass it, so only a stuck writer or
 * renames that fail let it grow).
 */
export function judgeLogSize(log: LogSize, path: string): string[] {
  if (log.maxBytes === undefined) {
    return log.bytes > LOG_ROTATION.maxBytes
      ? [
          `The server's log ${path} is ${bytesText(log.bytes)} and never rotated (its launcher predates log rotation): rerun provision to restart the server with a rotated log.`,
        ]
      : [];
  }
  return log.bytes > 2 * log.maxBytes
    ? [
        `The server's log ${path} is ${bytesText(log.bytes)}, past its rotation size of ${bytesText(log.maxBytes)}: restart the server (provision restart) to restart its log writer.`,
      ]
    : [];
}
