import { artifactsCommand, installedMlflowVersionCommand, packageCommands, pythonCommands } from '../../plan/commands.js';
import { mlflowVersionToInstall, planArtifacts, planPackages, planPython, pythonInstallChanged, pythonRestartExpected } from '../../plan/plan.js';
import { downgradeSentence, installedRevisionsCommand, knowsRevision } from '../../plan/schema-revision.js';
import { StepError } from '../../util/errors.js';
import type { HostRun } from '../host-run.js';
import type { Plan } from '../../action/action.js';
import { planned, type PlanInput, type StepOutcome } from './step.js';

export const packagesStep = planned({
  id: 'packages',
  title: 'System packages',
  plan: ({ facts, config }) => {
    const decision = planPackages(facts, config.upgrade);
    const commands = packageCommands({ cloudInit: facts.cloudInit, dpkgInterrupted: facts.dpkgInterrupted, fullUpgrade: decision.fullUpgrade });
    return { ...decision, actions: decision.change ? commands : [] };
  },
});

type PythonPlan = Plan & { recreate: boolean };

function planPythonStep({ facts, desired }: PlanInput): PythonPlan {
  // A fresh package step may have installed python3 just now: the probe's venv facts still hold.
  const decision = planPython(facts, desired);
  if (!decision.change) return { ...decision, actions: [] };
  const commands = pythonCommands(desired.layout, {
    recreate: decision.recreate,
    upgrade: desired.upgrade,
    mlflowVersion: mlflowVersionToInstall(facts, desired, decision.recreate),
    ...(desired.pip ? { extras: desired.pip.extras, packages: desired.pip.packages } : {}),
  });
  return { ...decision, actions: commands };
}

/** After the install: which MLflow pip left, and whether the server must restart on it. */
async function installPython(run: HostRun, plan: PythonPlan): Promise<StepOutcome> {
  const facts = run.need(run.facts);
  const desired = run.need(run.desired);
  await run.perform(plan.actions);
  const version = (await run.run(installedMlflowVersionCommand(desired.layout))).trim();
  await refuseUnknownSchema(run, version);
  const installed = pythonInstallChanged(facts, plan.recreate, version, desired);
  if (installed) run.notes.restartNeeded = true;
  if (facts.mlflowVersion && version !== facts.mlflowVersion) run.notes.versionChange = { from: facts.mlflowVersion, to: version };
  return { changed: installed, summary: installed ? `${plan.reason}; MLflow ${version} installed` : `MLflow ${version} is already the newest` };
}

/**
 * The MLflow just installed must know the database's schema revision (no downgrades). The database step
 * refused what the table of known releases decides; a release it cannot judge (another --mlflow-version,
 * --upgrade) is checked here against the installed package, before the server step stops anything: if it
 * does not know the revision, the previous MLflow goes back into the venv and the run stops.
 */
async function refuseUnknownSchema(run: HostRun, version: string): Promise<void> {
  const revision = (await run.need(run.notes.dbCheck)).schemaRevision;
  if (!revision) return;
  const facts = run.need(run.facts);
  const desired = run.need(run.desired);
  let known = knowsRevision(version, revision);
  if (known === undefined) {
    // Quietly (not a line per revision). A listing that fails decides nothing: the server's start would tell.
    const list = installedRevisionsCommand(desired.layout.venv);
    run.log.write(`$ ${list.label}`);
    const res = await run.read(list);
    known = res.code !== 0 || res.stdout.split('\n').includes(revision);
  }
  if (known) return;
  const previous = facts.mlflowImportable && facts.mlflowVersion !== version ? facts.mlflowVersion : undefined;
  if (previous) {
    const extras = desired.pip ? { extras: desired.pip.extras, packages: desired.pip.packages } : {};
    await run.perform(pythonCommands(desired.layout, { recreate: false, upgrade: false, mlflowVersion: previous, ...extras }));
  }
  const { db } = run.config;
  throw new StepError(
    downgradeSentence({
      version,
      revision,
      database: `database ${db.database} at ${db.host}:${db.port}`,
      left: previous
        ? `MLflow ${previous} was put back on ${run.target.address} and its server was not touched`
        : `the server on ${run.target.address} was not (re)started`,
    }),
  );
}

export const pythonStep = planned<PythonPlan>({
  id: 'python',
  title: 'MLflow in a virtual environment',
  plan: planPythonStep,
  // What the real run would install decides whether the server step restarts the server.
  onDryRun: (run, plan) => {
    if (pythonRestartExpected(run.need(run.facts), run.need(run.desired), plan.recreate)) run.notes.restartNeeded = true;
  },
  apply: installPython,
});

export const artifactsStep = planned({
  id: 'artifacts',
  title: 'Artifacts folder',
  plan: ({ facts, desired }) => {
    const decision = planArtifacts(facts, desired);
    if (!decision.change) return { ...decision, actions: [] };
    return { ...decision, actions: [artifactsCommand(desired.layout.artifactsDir, desired.user)], applied: `${decision.reason}; created` };
  },
});
