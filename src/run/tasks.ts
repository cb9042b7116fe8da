import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { ProvisionConfig } from '../config/config.js';
import { errorMessage } from '../util/errors.js';
import { HostLog } from './host-log.js';
import { SchemaGate } from './schema-gate.js';
import { HostRun, type HostResult } from './host-run.js';
import { STEPS } from './steps/index.js';
import type { StepDef } from './steps/step.js';

/** The steps a run takes: all of them, or for --dry-run those that do not judge a live server. */
export function stepsFor(config: Pick<ProvisionConfig, 'dryRun'>): readonly StepDef[] {
  return config.dryRun ? STEPS.filter((s) => !s.liveOnly) : STEPS;
}

export interface RunHandle {
  results: Map<string, HostResult>;
  runs: HostRun[];
  /** Set on Ctrl-C: hosts not started yet are not started. */
  aborted?: boolean;
}

/**
 * One step as a Listr task. `finish` records the host's result exactly once: when a step fails, or when the
 * last step succeeds.
 */
function stepTask(def: StepDef, host: HostRun, last: boolean, finish: (err?: unknown) => void): ListrTask {
  return {
    title: def.title,
    task: async (_ctx, task) => {
      try {
        host.onLine((line) => {
          task.output = line;
        });
        const outcome = await host.execute(def);
        const label = host.config.dryRun ? (outcome.changed ? 'would change' : 'unchanged') : outcome.changed ? 'changed' : 'unchanged';
        task.title = `${def.title}: ${label} (${outcome.summary})`;
        if (last) finish();
      } catch (err) {
        finish(err);
        throw err;
      }
    },
  };
}

function useFallbackRenderer(config: ProvisionConfig): boolean {
  const out = config.output.json ? process.stderr : process.stdout;
  // A terminal that reports no width (e.g. a pseudo-terminal nobody sized) would get one character a line.
  return !out.isTTY || !(out as NodeJS.WriteStream).columns || Boolean(process.env.CI) || config.output.verbose || process.env.TERM === 'dumb';
}

/**
 * Runs every host as one task of a Listr list (hosts concurrently, steps in order). A failed host never
 * stops the others; results come back per host and decide the exit code, not Listr's own state.
 */
export async function runHosts(config: ProvisionConfig, handle: RunHandle): Promise<void> {
  const schemaGate = new SchemaGate();
  const processOutput = config.output.json ? new ProcessOutput(process.stderr, process.stderr) : new ProcessOutput();
  const logger = new ListrLogger({ processOutput, useIcons: true });
  const tasks: ListrTask[] = config.targets.map((target) => ({
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
        handle.results.set(target.label, {
          host: target.label,
          status: 'failed',
          changed: [],
          error: errorMessage(err),
          warnings: [],
          durationMs: 0,
          sshConnections: 0,
          remoteCommands: 0,
          portForwards: 0,
        });
        throw err;
      }
      const host = new HostRun(target, config, log, schemaGate);
      handle.runs.push(host);
      schemaGate.join(target.label);
      const steps = stepsFor(config);
      const finish = (err?: unknown) => {
        if (err === undefined) {
          task.title = `${target.label}: ${host.changed.length ? `${config.dryRun ? 'would change' : 'changed'} ${host.changed.join(', ')}` : 'no changes'}`;
          handle.results.set(target.label, host.result());
        } else {
          log.write(`FAILED: ${errorMessage(err)}`);
          handle.results.set(target.label, host.result(err));
        }
        schemaGate.leave(target.label);
        host.close();
        log.close();
      };
      // Returned, not run here: Listr2 then draws the steps inside this host's task with the one renderer of
      // the list (a nested list run by hand would start a second renderer, which a terminal refuses).
      return task.newListr(
        steps.map((s, i) => stepTask(s, host, i === steps.length - 1, finish)),
        { concurrent: false, exitOnError: true },
      );
    },
  }));

  const list = new Listr(tasks, {
    concurrent: config.concurrency,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: 'default',
    rendererOptions: { logger, collapseSubtasks: false, outputBar: 6, showErrorMessage: true } as never,
    fallbackRenderer: 'simple',
    fallbackRendererOptions: { logger } as never,
    fallbackRendererCondition: () => useFallbackRenderer(config),
  });
  await list.run();
}
