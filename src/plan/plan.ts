import { artifactsFolderProblem } from '../config/artifacts-dir.js';
import { sha256 } from '../render/server-files.js';
import type { Secret } from '../util/secret.js';
import { DEFAULT_MLFLOW_VERSION } from '../config/mlflow-version.js';
import type { Facts } from './facts.js';
import type { Desired } from './desired.js';
import type { Decision } from '../action/action.js';

export type { Desired } from './desired.js';

export const SUPPORTED_OS: Array<{ id: string; version: string; name: string }> = [
  { id: 'ubuntu', version: '22.04', name: 'Ubuntu 22.04' },
  { id: 'ubuntu', version: '24.04', name: 'Ubuntu 24.04' },
  { id: 'debian', version: '12', name: 'Debian 12' },
  { id: 'debian', version: '13', name: 'Debian 13' },
];

/** Free space an install needs: MLflow's venv takes about 900 MB and uv's download cache about 700 MB. */
export const MIN_FREE_MB = 2500;

/** Problems that stop the run before anything changes, each one sentence with the fix. */
export function preflightProblems(facts: Facts, user: string): string[] {
  const problems: string[] = [];
  if (!SUPPORTED_OS.some((o) => o.id === facts.osId && o.version === facts.osVersion)) {
    problems.push(
      `The VM runs ${facts.osPretty || 'an unknown OS'}; provision supports ${SUPPORTED_OS.map((o) => o.name).join(', ')} (apt-based): create the VM from one of those images.`,
    );
  }
  if (!facts.sudo) {
    problems.push(
      `"sudo" asks ${user} for a password on the VM; provision needs passwordless sudo (Azure's default for the admin user), e.g. a line "${user} ALL=(ALL) NOPASSWD:ALL" in /etc/sudoers.d/.`,
    );
  }
  // Space is needed to install; a VM with everything installed may be nearly full and still take a new
  // configuration (uploads are atomic, so a full disk cannot damage the old files).
  const installs = facts.missingPackages.length > 0 || !facts.venvPython || !facts.mlflowImportable;
  if (installs && facts.diskFreeMb < MIN_FREE_MB) {
    problems.push(
      `Only ${facts.diskFreeMb} MB are free in ${facts.home} on the VM; installing needs at least ${MIN_FREE_MB} MB (MLflow's virtual environment takes about 900 MB, the installer's cache about 700 MB): free some space or grow the disk.`,
    );
  }
  return problems;
}

export function planPackages(facts: Facts, upgrade: boolean): Decision & { fullUpgrade: boolean } {
  const missing = facts.missingPackages;
  if (facts.dpkgInterrupted) return { change: true, fullUpgrade: missing.length > 0 || upgrade, reason: 'an interrupted dpkg run needs finishing' };
  if (missing.length > 0) return { change: true, fullUpgrade: true, reason: `missing ${missing.join(', ')}` };
  if (upgrade) return { change: true, fullUpgrade: true, reason: '--upgrade asked for apt update and upgrade' };
  return { change: false, fullUpgrade: false, reason: 'python3, pip, venv and postgresql-client are installed' };
}

export function planPython(facts: Facts, desired: Desired): Decision & { recreate: boolean } {
  if (!facts.venvPython) return { change: true, recreate: true, reason: 'no working virtual environment' };
  if (!facts.mlflowVersion || !facts.mlflowImportable)
    return { change: true, recreate: true, reason: 'MLflow is missing or broken in the virtual environment' };
  if (!facts.driverImportable) return { change: true, recreate: false, reason: 'the Postgres driver (psycopg2) is missing' };
  const missing = missingModules(facts, desired);
  if (missing.length > 0)
    return { change: true, recreate: false, reason: `${missing.map((m) => m.pkg).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing` };
  if (desired.mlflowVersion && facts.mlflowVersion !== desired.mlflowVersion) {
    return { change: true, recreate: false, reason: `MLflow ${facts.mlflowVersion} installed, ${desired.mlflowVersion} asked for` };
  }
  if (desired.upgrade && !desired.mlflowVersion) return { change: true, recreate: false, reason: '--upgrade asked for the latest MLflow' };
  return { change: false, recreate: false, reason: `MLflow ${facts.mlflowVersion} is installed` };
}

/** Whether version `a` is newer than `b` (dotted numbers; a pre-release suffix is ignored). */
export function isNewerVersion(a: string, b: string): boolean {
  const parts = (v: string) => v.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return false;
}

/**
 * The version pip is told to install: the one asked for; for a new or rebuilt venv the version the VM had (a
 * repair keeps it) or else the version this release is tested with; otherwise none, and pip keeps or (with
 * --upgrade) upgrades what is there. A rerun never moves a working server to another version unasked.
 */
export function mlflowVersionToInstall(facts: Facts, desired: Desired, recreate: boolean): string | undefined {
  if (desired.mlflowVersion) return desired.mlflowVersion;
  if (desired.mlflowLatest || desired.upgrade) return undefined;
  if (recreate || !facts.mlflowVersion) return facts.mlflowVersion ?? DEFAULT_MLFLOW_VERSION;
  return undefined;
}

/**
 * After pip ran: did anything change? A rebuilt venv, another MLflow version or a newly installed driver
 * means the server must restart on it; `--upgrade` that found nothing newer changed nothing.
 */
export function pythonInstallChanged(facts: Facts, recreated: boolean, versionNow: string, desired?: Desired): boolean {
  return recreated || versionNow !== facts.mlflowVersion || !facts.driverImportable || (desired !== undefined && missingModules(facts, desired).length > 0);
}

/** Packages an option needs (mlflow[auth]'s Flask-WTF, azure-storage-blob, ...) whose module the venv lacks. */
export function missingModules(facts: Facts, desired: Desired): Array<{ module: string; pkg: string }> {
  return (desired.pip?.modules ?? []).filter((m) => !facts.modules.includes(m.module));
}

/** Before pip runs (a dry run): will the planned install restart the server? A bare --upgrade cannot know. */
export function pythonRestartExpected(facts: Facts, desired: Desired, recreate: boolean): boolean {
  return (
    recreate ||
    !facts.driverImportable ||
    missingModules(facts, desired).length > 0 ||
    (desired.mlflowVersion !== undefined && desired.mlflowVersion !== facts.mlflowVersion)
  );
}

/**
 * The artifacts folder as the VM resolved it: refused (one sentence) when MLflow's artifact API would expose
 * the home, the secrets, ~/.ssh, the venv or a system tree, or when it is a folder provision did not create
 * and cannot use as it is. Judged before anything changes.
 */
export function artifactsRefusal(facts: Facts, desired: Desired): string | undefined {
  if (desired.artifactsRemote) return undefined;
  return artifactsFolderProblem(
    desired.layout.artifactsDir,
    {
      real: facts.artifactsReal,
      home: facts.homeReal || facts.home,
      state: facts.artifactsDir,
      ...(facts.artifactsOwner ? { foreignOwner: facts.artifactsOwner } : {}),
    },
    desired.user,
  );
}

export function planArtifacts(facts: Facts, desired: Desired): Decision {
  if (desired.artifactsRemote) return { change: false, reason: `artifacts go to ${desired.artifactsRemote}: no folder on the VM` };
  if (facts.artifactsDir === 'ok') return { change: false, reason: `${desired.layout.artifactsDir} exists` };
  if (facts.artifactsDir === 'not-writable') return { change: true, reason: `${desired.layout.artifactsDir} is not writable by ${desired.user}` };
  return { change: true, reason: `${desired.layout.artifactsDir} is missing` };
}

export interface FilesDecision extends Decision {
  launcher: boolean;
  secrets: boolean;
  /** --auth basic: MLflow's auth configuration must be (re)written. */
  authIni?: boolean;
  /** --pg-ssl-root-cert: the database's root certificate file must be (re)written. */
  pgRootCert?: boolean;
  /** provision's record must be (re)written: no file the server reads, so it never restarts the server. */
  record: boolean;
}

function fileProblem(f: Facts['files']['launcher'], want: string | Secret, mode: number, user: string): string | undefined {
  if (!f.sha256) return 'missing';
  if (f.sha256 !== sha256(want)) return 'different';
  if (f.mode !== mode) return `mode ${f.mode?.toString(8)}`;
  if (f.owner !== user) return `owned by ${f.owner}`;
  return undefined;
}

export function planFiles(facts: Facts, desired: Desired): FilesDecision {
  const l = fileProblem(facts.files.launcher, desired.launcher, 0o700, desired.user);
  const s = fileProblem(facts.files.secrets, desired.secrets, 0o600, desired.user);
  const a = desired.authIni !== undefined ? fileProblem(facts.files.authIni, desired.authIni, 0o600, desired.user) : undefined;
  const r = desired.pgRootCert !== undefined ? fileProblem(facts.files.pgRootCert, desired.pgRootCert, 0o644, desired.user) : undefined;
  const rec = recordProblem(facts.record, desired.record, desired.user);
  const ini = desired.authIni !== undefined ? { authIni: Boolean(a) } : {};
  const root = desired.pgRootCert !== undefined ? { pgRootCert: Boolean(r) } : {};
  if (!l && !s && !a && !r && !rec) {
    const more = [
      ...(desired.authIni !== undefined ? [', auth configuration'] : []),
      ...(desired.pgRootCert !== undefined ? [', database root certificate'] : []),
    ];
    return {
      change: false,
      launcher: false,
      secrets: false,
      ...ini,
      ...root,
      record: false,
      reason: `launcher${more.join('')} and secrets file are up to date`,
    };
  }
  const files = [l && `launcher ${l}`, s && `secrets file ${s}`, a && `auth configuration ${a}`, r && `database root certificate ${r}`].filter(Boolean);
  // The record is bookkeeping written with the files: named only when it is all that changes.
  const parts = files.length > 0 ? files : [`provision's record ${rec}`];
  return { change: true, launcher: Boolean(l), secrets: Boolean(s), ...ini, ...root, record: Boolean(rec), reason: parts.join(', ') };
}

/** The record is compared by content (the probe reads it back whole), mode and owner. */
function recordProblem(f: Facts['record'], want: string, user: string): string | undefined {
  if (!f) return 'missing';
  if (f.content !== want) return 'different';
  if (f.mode !== 0o600) return `mode ${f.mode?.toString(8)}`;
  if (f.owner !== user) return `owned by ${f.owner}`;
  return undefined;
}
