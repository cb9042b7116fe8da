import { httpFailureDetail } from '../checks/http.js';
import { logTailCommand, serverAliveCommand } from '../plan/commands.js';
import type { RemoteLayout } from '../render/server-files.js';
import { StepError } from '../util/errors.js';
import type { HostSession } from './session.js';

/** How many seconds we wait for a freshly started server to answer /health. */
export const SERVER_START_TIMEOUT_SEC = 120;

/** The server did not answer /health in time: its last log lines are in the sentence and in `logTail`. */
export class ServerNotAnswering extends StepError {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(message);
  }
}

/**
 * The one wait for a started server, for every command that starts one: until /health answers 200 through
 * the connection, bounded. A server that died is told at once (the PID file's process is asked every 5 s),
 * with its last log lines from `logOffset` on (where this start's lines begin), shown to the user.
 */
export async function waitForHealth(session: HostSession, server: { port: number; layout: RemoteLayout; logOffset?: number }): Promise<void> {
  const deadline = Date.now() + SERVER_START_TIMEOUT_SEC * 1000;
  const started = Date.now();
  let lastError = '';
  let tries = 0;
  let aliveChecked = started - 3500; // first asked after 1.5 s: a server that dies at start is told at once
  while (Date.now() < deadline) {
    session.stopIfGone('the server to answer /health');
    tries += 1;
    try {
      const res = await session.conn.http(server.port, { path: '/health', timeoutMs: 5000 });
      if (res.status === 200) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = httpFailureDetail(err);
    }
    if (Date.now() - aliveChecked >= 5000) {
      aliveChecked = Date.now();
      const alive = await session.read(serverAliveCommand(server.layout));
      if (alive.code !== 0) break;
      session.say(`waiting for the server to answer /health (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    // A server usually answers within a second or two: ask often at first, then once a second.
    await new Promise((r) => setTimeout(r, tries <= 20 ? 250 : 1000));
  }
  const tail = (await session.read(logTailCommand(server.layout, 20, server.logOffset ?? 0)).catch(() => ({ stdout: '' }))).stdout;
  for (const line of tail.split('\n').filter(Boolean)) session.say(`log: ${line}`);
  throw new ServerNotAnswering(
    `The MLflow server did not answer /health on ${session.target.address}:${server.port} (${lastError || 'no answer'}); its last log lines are above and in ${server.layout.log}.`,
    tail,
  );
}
