import { MLFLOW_SCHEMA_CHAIN, MLFLOW_SCHEMA_HEADS } from '../config/mlflow-schema.js';
import { shq } from '../util/shell-quote.js';
import type { RemoteCommand } from '../action/action.js';
import { isNewerVersion } from './plan.js';

/**
 * MLflow has no schema downgrades: a release started on a database whose Alembic revision it does not know
 * fails with "Can't locate revision". Whether a release knows a revision is decided here from the table of
 * config/mlflow-schema.ts, before anything changes; for a release the table does not name, from the releases
 * around it (a release's revisions are a prefix of every later release's), else it is undecided (undefined)
 * and only the installed package can tell (installedRevisionsCommand).
 */
export function knowsRevision(
  version: string,
  revision: string,
  chain: readonly string[] = MLFLOW_SCHEMA_CHAIN,
  heads = MLFLOW_SCHEMA_HEADS,
): boolean | undefined {
  const at = chain.indexOf(revision);
  const knownTo = (v: string) => at >= 0 && at <= chain.indexOf(heads[v]!);
  if (heads[version] !== undefined) return knownTo(version);
  const versions = Object.keys(heads);
  if (versions.some((v) => isNewerVersion(version, v) && knownTo(v))) return true;
  if (versions.some((v) => isNewerVersion(v, version) && !knownTo(v))) return false;
  return undefined;
}

/** The oldest release of the table that knows the revision (the one to suggest), if any does. */
function oldestKnowing(revision: string, heads = MLFLOW_SCHEMA_HEADS): string | undefined {
  const knowing = Object.keys(heads).filter((v) => knowsRevision(v, revision) === true);
  return knowing.sort((a, b) => (isNewerVersion(a, b) ? 1 : -1))[0];
}

export interface DowngradeInput {
  /** The MLflow release that would run: asked for, or the installed one on a plain rerun. */
  version: string;
  /** The database's Alembic revision (alembic_version.version_num). */
  revision: string;
  /** "database NAME at HOST:PORT". */
  database: string;
  /** What the refusal left on the VM, e.g. "nothing was changed on HOST, where MLflow 3.17.2 stays installed". */
  left: string;
}

/** The one sentence for MLflow asked to run on a schema a newer MLflow wrote: what, what stays, what to do. */
export function downgradeSentence(o: DowngradeInput): string {
  const writer = oldestKnowing(o.revision);
  const from = writer ? `MLflow ${writer} or newer wrote it` : 'a newer MLflow than provision knows wrote it';
  const fix = writer ? `--mlflow-version ${writer} or newer` : '--mlflow-version of the MLflow that wrote it (or newer)';
  return (
    `MLflow ${o.version} cannot use the ${o.database}: its schema is at revision ${o.revision} (${from}), unknown to MLflow ${o.version}, ` +
    `and MLflow has no schema downgrades; ${o.left}: pass ${fix}, or point --pg-db at a fresh database.`
  );
}

/**
 * Refused before anything changes: the release that would run does not know the database's revision, as far as
 * the table tells (undefined: allowed, or undecided until the install).
 */
export function downgradeProblem(o: Omit<DowngradeInput, 'left'> & { vm: string; installed?: string | undefined }): string | undefined {
  if (knowsRevision(o.version, o.revision) !== false) return undefined;
  const left = `nothing was changed on ${o.vm}${o.installed ? `, where MLflow ${o.installed} stays installed` : ''}`;
  return downgradeSentence({ version: o.version, revision: o.revision, database: o.database, left });
}

/**
 * The revisions the venv's installed MLflow knows, one a line: read from its migration files (their `revision =`
 * lines) without importing MLflow, which takes seconds.
 */
export function installedRevisionsCommand(venv: string): RemoteCommand {
  const py = [
    'import importlib.util as u, os, re',
    "d = os.path.join(os.path.dirname(u.find_spec('mlflow').origin), 'store', 'db_migrations', 'versions')",
    'for f in sorted(os.listdir(d)):',
    "    m = f.endswith('.py') and re.search(r'''^revision\\s*(?::[^=]*)?=\\s*['\"]([^'\"]+)['\"]''', open(os.path.join(d, f)).read(), re.M)",
    '    if m: print(m.group(1))',
  ].join('\n');
  return { kind: 'mlflow-revisions', label: "the installed MLflow's schema revisions", command: `${shq(`${venv}/bin/python`)} -c ${shq(py)}`, timeoutSec: 60 };
}
