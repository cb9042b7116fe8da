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
