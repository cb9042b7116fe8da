import kleur from 'kleur';
import { collectResults, newHandle, runOnHosts, type ExecutorConfig, type HostCommand } from '../run/executor.js';
import type { HostSession } from '../run/session.js';
import { EXIT } from '../util/errors.js';
import { maskSecrets } from '../util/secret.js';

/** What a running command leaves for whatever ends the process: a way to report every host once. */
interface Running {
  /** Prints every host's result (finished, cut short with `why`, or never started). */
  reportNow(why: string): void;
}

/** The process's one running command, and how it ended. */
export const current: { running?: Running; interrupted: boolean; reported: boolean; settled: boolean } = {
  interrupted: false,
  reported: false,
  settled: false,
};

export function fail(message: string): void {
  process.stderr.write(`${kleur.red('provision:')} ${maskSecrets(message)}\n`);
}

/**
 * The invariant: the process never exits 0 unless every host reported success, and every host it started
 * appears in the output (and the --json lines), even when something ends the run abnormally.
 */
export function reportAbnormalEnd(why: string): void {
  if (current.reported) return;
  current.reported = true;
  fail(why);
  current.running?.reportNow(`the run stopped before this host finished: ${why}`);
  process.exitCode = current.interrupted ? EXIT.interrupted : EXIT.failed;
}

/**
 * Runs a command on every host through the one executor, with the one signal path: the first Ctrl-C (or
 * SIGTERM) stops the remote commands, closes the connections and starts no further host, and the summary so
 * far is printed; a second one reports and exits at once (130). `print` prints the results once.
 */
export async function runCommand<S extends HostSession, R>(
  command: HostCommand<S, R>,
  config: ExecutorConfig,
  print: (results: R[], interrupted: boolean) => void,
): Promise<{ results: R[]; interrupted: boolean }> {
  const handle = newHandle<S, R>();
  const collect = (unfinished: string) =>
    collectResults(command, config, handle, unfinished, current.interrupted ? 'not started (interrupted)' : 'not started');
  current.running = { reportNow: (why) => print(collect(why), current.interrupted) };
  const onSignal = () => {
    if (current.interrupted) {
      reportAbnormalEnd('interrupted twice: closing at once');
      process.exit(EXIT.interrupted);
    }
    current.interrupted = true;
    handle.aborted = true;
    process.stderr.write(`\n${kleur.yellow('Interrupted: stopping remote commands and closing connections...')}\n`);
    // A signal handler cannot wait: each session notices `interrupted` and ends itself, and runOnHosts
    // (awaited below) waits for that. interrupt() only signals the remote commands and closes the connection.
    for (const session of handle.sessions) void session.interrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await runOnHosts(command, config, handle);
  const results = collect(current.interrupted ? 'interrupted' : 'the run ended before this host finished');
  current.reported = true;
  print(results, current.interrupted);
  return { results, interrupted: current.interrupted };
}
