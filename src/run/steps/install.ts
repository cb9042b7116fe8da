import { artifactsCommand, installedMlflowVersionCommand, packageCommands, pythonCommands } from '../../plan/commands.js';
import { mlflowVersionToInstall, planArtifacts, planPackages, planPython, pythonInstallChanged, pythonRestartExpected } from '../../plan/plan.js';
import { downgradeSentence, installedRevisionsCommand, knowsRevision } from '../../plan/schema-revision.js';
import { errorMessage, StepError } from '../../util/errors.js';
import type { HostRun } from '../host-run.js';
import { dropVenvCommand, keepVenvCommand, restoreVenvCommand } from '../upgrade-commands.js';
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
  await keepVenvAside(run, plan);
  await run.perform(plan.actions);
  const version = (await run.run(installedMlflowVersionCommand(desired.layout))).trim();
  try {
    await refuseUnknownSchema(run, version);
  } catch (err) {
    await dropKeptVenv(run);
    throw err;
  }
  const installed = pythonInstallChanged(facts, plan.recreate, version, desired);
  if (installed) run.notes.restartNeeded = true;
  if (facts.mlflowVersion && version !== facts.mlflowVersion) run.notes.versionChange = { from: facts.mlflowVersion, to: version };
  // The copy matters only for a schema upgrade (the server step drops it once the new version runs).
  if (!run.notes.versionChange) await dropKeptVenv(run);
  return { changed: installed, summary: installed ? `${plan.reason}; MLflow ${version} installed` : `MLflow ${version} is already the newest` };
}

/**
 * Before another MLflow goes into a venv that runs one, on a database with MLflow's schema (a schema upgrade
 * may follow): the venv is copied aside, so a failed upgrade puts back exactly what ran (docs/upgrading.md).
 */
async function keepVenvAside(run: HostRun, plan: PythonPlan): Promise<void> {
  const facts = run.need(run.facts);
  const desired = run.need(run.desired);
  if (plan.recreate || !facts.mlflowImportable || !facts.mlflowVersion) return;
  // Only when the install may move MLflow to another version: a pin to another one, or --upgrade / latest.
  const pin = mlflowVersionToInstall(facts, desired, false);
  const mayMove = pin === undefined ? desired.upgrade || Boolean(desired.mlflowLatest) : pin !== facts.mlflowVersion;
  if (!mayMove) return;
  const db = await run.need(run.notes.dbCheck);
  if (!db.hasMlflowSchema) return;
  const t0 = Date.now();
  try {
    await run.run(keepVenvCommand(desired.layout));
  } catch (err) {
    if (run.interrupted) throw err;
    // A full disk, say: the upgrade goes on, and a failed one reinstalls the previous version instead.
    run.say(`the venv could not be copied aside (${errorMessage(err)}); a failed upgrade would reinstall MLflow ${facts.mlflowVersion} with uv`);
    await run.run(dropVenvCommand(desired.layout, 'previous'));
    return;
  }
  run.notes.keptVenv = true;
  run.say(`MLflow ${facts.mlflowVersion}'s venv kept aside in ${((Date.now() - t0) / 1000).toFixed(1)} s, until the new version runs`);
}

export async function dropKeptVenv(run: HostRun): Promise<void> {
  if (!run.notes.keptVenv) return;
  await run.run(dropVenvCommand(run.need(run.desired).layout, 'previous'));
  run.notes.keptVenv = false;
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
  if (previous && run.notes.keptVenv) {
    // The copy kept before the install: two renames, then the new venv removed.
    await run.run(restoreVenvCommand(desired.layout));
    run.notes.keptVenv = false;
    await run.run(dropVenvCommand(desired.layout, 'failed'));
  } else if (previous) {
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
    const facts = run.need(run.facts);
    const desired = run.need(run.desired);
    if (pythonRestartExpected(facts, desired, plan.recreate)) run.notes.restartNeeded = true;
    // A pinned version tells the server step what the upgrade would be (with `latest`, only pip would know).
    if (facts.mlflowVersion && desired.mlflowVersion && desired.mlflowVersion !== facts.mlflowVersion)
      run.notes.versionChange = { from: facts.mlflowVersion, to: desired.mlflowVersion };
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
