import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { ProvisionConfig } from '../config/config.js';
import { errorMessage, StepError } from '../util/errors.js';
import { HostLog } from './host-log.js';
import { SchemaGate } from './schema-gate.js';
import { HostRun, type HostResult, type StepId, type StepOutcome } from './host-run.js';

interface StepDef {
  id: StepId;
  title: string;
  run: (h: HostRun) => Promise<StepOutcome>;
}

export const STEPS: StepDef[] = [
  { id: 'connect', title: 'Connect and check the VM', run: (h) => h.connect() },
  { id: 'database', title: 'Database check through the VM', run: (h) => h.database() },
  { id: 'packages', title: 'System packages', run: (h) => h.packages() },
  { id: 'python', title: 'MLflow in a virtual environment', run: (h) => h.python() },
  { id: 'artifacts', title: 'Artifacts folder', run: (h) => h.artifacts() },
  { id: 'files', title: 'Launcher and secrets file', run: (h) => h.files() },
  { id: 'server', title: 'MLflow server', run: (h) => h.server() },
  { id: 'verify', title: 'Health check', run: (h) => h.verify() },
];

export interface RunHandle {
  results: Map<string, HostResult>;
  runs: HostRun[];
  /** Set on Ctrl-C: hosts not started yet are not started. */
  aborted?: boolean;
}

function stepTask(def: StepDef, host: HostRun): ListrTask {
  return {
    title: def.title,
    task: async (_ctx, task) => {
      if (host.interrupted) throw new StepError('Interrupted before this step.');
      host.onLine((line) => {
        task.output = line;
      });
      const outcome = await def.run(host);
      const label = host.config.dryRun ? (outcome.changed ? 'would change' : 'unchanged') : outcome.changed ? 'changed' : 'unchanged';
      task.title = `${def.title}: ${label} (${outcome.summary})`;
    },
  };
}

function useFallbackRenderer(config: ProvisionConfig): boolean {
  const out = config.output.json ? process.stderr : process.stdout;
  return !out.isTTY || Boolean(process.env.CI) || config.output.verbose || process.env.TERM === 'dumb';
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
      const log = new HostLog(config.output.logDir, target.label);
      const host = new HostRun(target, config, log, schemaGate);
      handle.runs.push(host);
      const steps = config.dryRun ? STEPS.filter((s) => s.id !== 'verify') : STEPS;
      return task.newListr(steps.map((s) => stepTask(s, host)), { concurrent: false, exitOnError: true }).run().then(
        () => {
          task.title = `${target.label}: ${host.changed.length ? `${config.dryRun ? 'would change' : 'changed'} ${host.changed.join(', ')}` : 'no changes'}`;
          handle.results.set(target.label, host.result());
          host.close();
          log.close();
        },
        (err: unknown) => {
          const unreachable = err instanceof StepError && err.unreachable === true;
          log.write(`FAILED: ${errorMessage(err)}`);
          handle.results.set(target.label, host.result(err, unreachable));
          host.close();
          log.close();
          throw err;
        },
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
