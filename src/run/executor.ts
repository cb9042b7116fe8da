import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { HostTarget } from '../config/config.js';
import { errorMessage, StepError } from '../util/errors.js';
import { HostLog } from './host-log.js';
import type { HostSession } from './session.js';
import type { Step } from './step.js';

/** What the executor needs of any command's configuration. */
export interface ExecutorConfig {
  targets: HostTarget[];
  concurrency: number;
  output: { json: boolean; verbose: boolean; logDir: string };
  dryRun: boolean;
}

/**
 * A command as the executor runs it on each host: a session per host, its steps in order, and the host's
 * result (finished, failed, or cut short). Provisioning, status and the lifecycle commands are each one.
 */
export interface HostCommand<S extends HostSession, R> {
  /** The session of one host (its log opened). */
  session(target: HostTarget, log: HostLog): S;
  steps(session: S): readonly Step<S>[];
  /** The host's result: `error` undefined when every step ran. */
  result(session: S, error?: unknown): R;
  /** The result of a host that never got a session (its log could not be opened), or was not started. */
  notStarted(target: HostTarget, why: string): R;
  /** The host's title once its steps ran (default: what changed). */
  doneTitle?(session: S): string;
  /** Before the host's first step and after its last (provisioning's schema gate). */
  begin?(session: S): void;
  end?(session: S): void;
  /** Where the task list goes (default: stdout, or stderr with --json). */
  renderTo?: 'stdout' | 'stderr';
}

/** What a run has started, so that whatever ends the process can still report every host. */
export interface RunHandle<S extends HostSession, R> {
  results: Map<string, R>;
  sessions: S[];
  /** Set on Ctrl-C: hosts not started yet are not started. */
  aborted?: boolean;
}

export const newHandle = <S extends HostSession, R>(): RunHandle<S, R> => ({ results: new Map(), sessions: [] });

/** The steps a run takes: all, or for --dry-run those that do not judge a live server. */
export function stepsToRun<S>(steps: readonly Step<S>[], dryRun: boolean): readonly Step<S>[] {
  return dryRun ? steps.filter((s) => !s.liveOnly) : steps;
}

/** One step as a Listr task. `finish` records the host's result exactly once: when a step fails, or after the last. */
function stepTask<S extends HostSession>(step: Step<S>, session: S, last: boolean, finish: (err?: unknown) => void): ListrTask {
  return {
    title: step.title,
    task: async (_ctx, task) => {
      try {
        session.onLine((line) => {
          task.output = line;
        });
        const outcome = await session.execute(step);
        const dry = session.settings.dryRun;
        const label = outcome.changed ? (dry ? 'would change' : 'changed') : 'unchanged';
        task.title = `${step.title}: ${label} (${outcome.summary})`;
        if (last) finish();
      } catch (err) {
        finish(err);
        throw err;
      }
    },
  };
}

function useFallbackRenderer(out: NodeJS.WriteStream, verbose: boolean): boolean {
  // A terminal that reports no width (e.g. a pseudo-terminal nobody sized) would get one character a line.
  return !out.isTTY || !out.columns || Boolean(process.env.CI) || verbose || process.env.TERM === 'dumb';
}

/**
 * The plain task list writes a line at every state change of every step, each line its own write to a pipe or
 * file: at 200 hosts that was the CLI's largest cost (bench:fleet-cli, about 8 ms of CPU a host). Its lines
 * are held for at most 100 ms and written together; all of them when the list ends, or at exit (Ctrl-C).
 */
function batchWrites(out: NodeJS.WriteStream): () => void {
  out.cork();
  const flush = () => {
    while (out.writableCorked > 0) out.uncork();
  };
  const timer = setInterval(() => {
    flush();
    out.cork();
  }, 100);
  timer.unref();
  process.once('exit', flush);
  return () => {
    clearInterval(timer);
    process.removeListener('exit', flush);
    flush();
  };
}

/** One host as a Listr task: its log, its session, its steps as subtasks. */
function hostTask<S extends HostSession, R>(command: HostCommand<S, R>, config: ExecutorConfig, handle: RunHandle<S, R>, target: HostTarget): ListrTask {
  return {
    title: target.label,
    task: (_ctx, task) => {
      if (handle.aborted) {
        task.skip(`${target.label}: not started (interrupted)`);
        return;
      }
      let log: HostLog;
      try {
        log = new HostLog(config.output.logDir, target.label);
      } catch (err) {
        handle.results.set(target.label, command.notStarted(target, errorMessage(err)));
        throw err;
      }
      const session = command.session(target, log);
      handle.sessions.push(session);
      command.begin?.(session);
      const steps = stepsToRun(command.steps(session), config.dryRun);
      const finish = (err?: unknown) => {
        if (err === undefined) {
          const word = config.dryRun ? 'would change' : 'changed';
          task.title = command.doneTitle?.(session) ?? `${target.label}: ${session.changed.length ? `${word} ${session.changed.join(', ')}` : 'no changes'}`;
        } else log.write(`FAILED: ${errorMessage(err)}`);
        handle.results.set(target.label, command.result(session, err));
        command.end?.(session);
        session.close();
        log.close();
      };
      // Returned, not run here: Listr2 then draws the steps inside this host's task with the one renderer of
      // the list (a nested list run by hand would start a second renderer, which a terminal refuses).
      return task.newListr(
        steps.map((s, i) => stepTask(s, session, i === steps.length - 1, finish)),
        { concurrent: false, exitOnError: true },
      );
    },
  };
}

/**
 * The one executor of every command: each host one task of a Listr list (hosts `concurrency` at a time,
 * steps in order), over its own session and log. A failed host never stops the others; results come back
 * per host and decide the exit code, not Listr's own state.
 */
export async function runOnHosts<S extends HostSession, R>(
  command: HostCommand<S, R>,
  config: ExecutorConfig,
  handle: RunHandle<S, R>,
  /** `silent`: no task list (the unit tests read the results and the logs). */
  options: { silent?: boolean } = {},
): Promise<void> {
  const toStderr = config.output.json || command.renderTo === 'stderr';
  const out = toStderr ? process.stderr : process.stdout;
  const processOutput = toStderr ? new ProcessOutput(process.stderr, process.stderr) : new ProcessOutput();
  const logger = new ListrLogger({ processOutput, useIcons: true });
  const list = new Listr(
    config.targets.map((target) => hostTask(command, config, handle, target)),
    {
      concurrent: config.concurrency,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: 'default',
      silentRendererCondition: () => options.silent === true,
      rendererOptions: { logger, collapseSubtasks: false, outputBar: 6, showErrorMessage: true } as never,
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { logger } as never,
      fallbackRendererCondition: () => useFallbackRenderer(out, config.output.verbose),
    },
  );
  const release = options.silent !== true && useFallbackRenderer(out, config.output.verbose) ? batchWrites(out) : () => undefined;
  try {
    await list.run();
  } finally {
    release();
  }
}

/** Every host's result in the order given: finished, cut short (`unfinished` says why), or never started. */
export function collectResults<S extends HostSession, R>(
  command: HostCommand<S, R>,
  config: ExecutorConfig,
  handle: RunHandle<S, R>,
  unfinished: string,
  notStarted: string,
): R[] {
  return config.targets.map((t) => {
    const done = handle.results.get(t.label);
    if (done) return done;
    const session = handle.sessions.find((s) => s.target.label === t.label);
    if (session) return command.result(session, new StepError(unfinished));
    return command.notStarted(t, notStarted);
  });
}
