/**
 * `provision restore`: what a backup's manifest says (read and judged here, pure), the refusals made before
 * anything changes, and the commands it runs on the VM (pure builders, values quoted with shq, the password
 * never in argv: the VM's 0600 secrets file gives it, as for the dump).
 */
import type { RemoteCommand } from '../action/action.js';
import type { RemoteLayout } from '../render/server-files.js';
import { shq } from '../util/shell-quote.js';
import { libpqToolPy, type BackupFile } from './backup.js';
import { downgradeSentence, knowsRevision } from './schema-revision.js';

/** A restore of a large database may take hours: bounded, but generously (as the dump is). */
const STREAM_TIMEOUT_SEC = 12 * 3600;

/** What restore needs of manifest.json (format provision-backup/1). */
export interface Manifest {
  host: string;
  mlflowVersion?: string;
  schemaRevision?: string;
  database: { name: string; serverVersion: string; pgDumpVersion?: string };
  /** --auth basic on the backed-up VM: the auth database's name; its dump is auth.dump. */
  authDatabase?: string;
  /** Where the artifacts were: copied from the VM's disk into artifacts.tar, or not (Blob, a missing folder). */
  artifacts: { copied: true; dir: string } | { copied: false; container?: string };
  files: BackupFile[];
}

const REVISION = /^[0-9a-f]{6,40}$/;
const VERSION = /^\d+\.\d+(\.\d+)?([a-z0-9.+-]*)$/i;

/** Reads manifest.json: the manifest, or one sentence saying what is wrong with it. */
export function parseManifest(text: string, where: string): Manifest | string {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return `${where} is not valid JSON: not a backup provision wrote, or a damaged one.`;
  }
  if (m.format !== 'provision-backup/1') return `${where} is not a provision backup manifest (format "${String(m.format)}", expected provision-backup/1).`;
  const mlflow = (m.mlflow ?? {}) as Record<string, unknown>;
  const db = (m.database ?? {}) as Record<string, unknown>;
  const auth = m.authDatabase as Record<string, unknown> | null;
  const art = (m.artifacts ?? {}) as Record<string, unknown>;
  const files = Array.isArray(m.files) ? (m.files as BackupFile[]) : [];
  const fileOk = (f: BackupFile) => typeof f?.name === 'string' && /^[a-z.]+$/.test(f.name) && Number.isInteger(f.bytes) && /^[0-9a-f]{64}$/.test(f.sha256);
  if (!files.every(fileOk)) return `${where} lists a file without a plain name, size and sha256: a damaged manifest.`;
  if (!files.some((f) => f.name === 'database.dump')) return `${where} lists no database.dump: the backup is incomplete.`;
  const str = (v: unknown, re: RegExp) => (typeof v === 'string' && re.test(v) ? v : undefined);
  const mlflowVersion = str(mlflow.version, VERSION);
  const schemaRevision = str(mlflow.schemaRevision, REVISION);
  const pgDumpVersion = str(db.pgDumpVersion, /^\d+(\.\d+)?$/);
  const copied = art.copied === true && typeof art.dir === 'string';
  if (copied && !files.some((f) => f.name === 'artifacts.tar')) return `${where} says the artifacts were copied but lists no artifacts.tar.`;
  if (auth && !files.some((f) => f.name === 'auth.dump')) return `${where} names an auth database but lists no auth.dump.`;
  return {
    host: typeof m.host === 'string' ? m.host : 'unknown',
    ...(mlflowVersion ? { mlflowVersion } : {}),
    ...(schemaRevision ? { schemaRevision } : {}),
    database: {
      name: typeof db.name === 'string' ? db.name : 'unknown',
      serverVersion: typeof db.serverVersion === 'string' ? db.serverVersion : 'unknown',
      ...(pgDumpVersion ? { pgDumpVersion } : {}),
    },
    ...(auth && typeof auth.name === 'string' ? { authDatabase: auth.name } : {}),
    artifacts: copied
      ? { copied: true, dir: art.dir as string }
      : { copied: false, ...(typeof art.container === 'string' ? { container: art.container } : {}) },
    files,
  };
}

/** What a backup file on this machine is, as restore checked it. */
export interface FileOnDisk {
  name: string;
  /** undefined: the file is not there. */
  bytes?: number;
  mode?: number;
  sha256?: string;
}

/** The first problem with the backup's files, as one sentence; undefined when every listed file is there, intact and 0600. */
export function backupFileProblem(folder: string, listed: BackupFile[], found: FileOnDisk[]): string | undefined {
  for (const f of listed) {
    const d = found.find((x) => x.name === f.name);
    if (d?.bytes === undefined) return `The backup in ${folder} is incomplete: ${f.name} is missing. Nothing was changed.`;
    if (d.mode !== undefined && (d.mode & 0o077) !== 0) {
      return `${folder}/${f.name} is readable by others (mode 0${(d.mode & 0o777).toString(8)}): a backup holds every run's data; chmod 600 it (and 700 its folder), then restore. Nothing was changed.`;
    }
    if (d.bytes !== f.bytes || d.sha256 !== f.sha256) {
      return `${folder}/${f.name} does not match its manifest (${d.bytes} bytes, sha256 ${d.sha256?.slice(0, 12) ?? '?'}…; the manifest says ${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)}…): the backup is damaged. Nothing was changed.`;
    }
  }
  return undefined;
}

/**
 * The MLflow that must run on the restored database: the one asked for, else the one that wrote the backup. It
 * must know the dump's schema revision (MLflow has no schema downgrades); one sentence when it does not.
 */
export function restoreVersionProblem(version: string | undefined, manifest: Manifest, vm: string): string | undefined {
  const revision = manifest.schemaRevision;
  if (!version || !revision || knowsRevision(version, revision) !== false) return undefined;
  return downgradeSentence({
    version,
    revision,
    database: `backup's database (${manifest.database.name} from ${manifest.host})`,
    left: `nothing was changed on ${vm}`,
  });
}

/** What the target databases hold before the restore, as the database check saw them. */
export interface TargetState {
  database: string;
  hasMlflowSchema: boolean;
  canCreateTables: boolean;
  /** --auth basic: the auth database's name and whether MLflow's user tables are in it (undefined: it does not exist yet). */
  auth?: { database: string; hasAuthSchema?: boolean };
}

/** The refusals made before anything changes on the VM; undefined when the restore may go on. */
export function restoreRefusal(t: TargetState, m: Manifest, o: { replace: boolean; authAsked: boolean; blob: boolean; vm: string }): string | undefined {
  const none = `Nothing was changed on ${o.vm}.`;
  if (m.authDatabase && !o.authAsked) {
    return `The backup holds MLflow's users and permissions (auth database ${m.authDatabase}): restore it with --auth basic (the users come back from the backup). ${none}`;
  }
  if (m.artifacts.copied && o.blob) {
    return `The backup's artifacts were on the VM's disk (artifacts.tar); this run puts them in Azure Blob (--artifacts-destination), where restore does not copy: leave --artifacts-destination out. ${none}`;
  }
  const full = [t.hasMlflowSchema ? `database ${t.database}` : '', t.auth?.hasAuthSchema ? `auth database ${t.auth.database}` : ''].filter(Boolean);
  if (full.length > 0 && !o.replace) {
    return `The ${full.join(' and the ')} already hold${full.length > 1 ? '' : 's'} MLflow tables: restore into an empty database, or pass --replace to drop them and restore the backup in their place. ${none}`;
  }
  if (!t.canCreateTables)
    return `The database user may not create tables in database ${t.database}, so the backup cannot be restored there: GRANT ALL ON SCHEMA public to it as the server admin. ${none}`;
  return undefined;
}

const major = (version: string): number => Number(/^(\d+)/.exec(version)?.[1] ?? '0');

/**
 * pg_restore cannot read an archive a newer pg_dump wrote (Debian 12 ships 15; a backup of an Azure server may
 * come from 16 or 17): the sentence says which client is installed; undefined when the VM's will do.
 */
export function pgRestoreTooOld(pgRestore: string | undefined, dumpedBy: string | undefined): string | undefined {
  if (!dumpedBy || (pgRestore !== undefined && major(pgRestore) >= major(dumpedBy))) return undefined;
  const have =
    pgRestore === undefined ? 'The VM has no pg_restore' : `The VM's pg_restore is ${pgRestore}, older than the pg_dump that wrote the backup (${dumpedBy})`;
  return `${have}: installing postgresql-client-${major(dumpedBy)} from the PostgreSQL project's apt repository (apt.postgresql.org).`;
}

/** pg_restore under the venv's Python as pg_dump runs for a backup (plan/backup.ts): the dump on its standard input. */
const RESTORE_PY = libpqToolPy('pg_restore');

/**
 * pg_restore of a custom-format dump read from standard input, into the backend store (or the auth database)
 * with the server's own settings. One transaction: a failure leaves the database as it was. --no-owner and
 * --no-privileges: the objects belong to the server's login (the backed-up server's roles need not exist on a
 * new database server). --replace drops MLflow's tables first (--clean --if-exists), in the same transaction.
 */
export function pgRestoreCommand(layout: RemoteLayout, which: 'backend' | 'auth', replace: boolean): RemoteCommand {
  const flags = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', ...(replace ? ['--clean', '--if-exists'] : [])];
  const what = which === 'auth' ? `the auth database (${layout.authIni})` : 'the backend store (settings from the secrets file)';
  return {
    kind: 'restore-db',
    label: `pg_restore ${flags.join(' ')} into ${what}`,
    command: [
      'set -a',
      `. ${shq(layout.secrets)}`,
      'set +a',
      `exec ${shq(`${layout.venv}/bin/python`)} -c ${shq(RESTORE_PY)} ${which} ${shq(layout.authIni)} ${flags.join(' ')}`,
    ].join('\n'),
    timeoutSec: STREAM_TIMEOUT_SEC,
  };
}

/** artifacts.tar from standard input into the artifacts folder, as the server's user (the SSH user owns what it writes). */
export function artifactsUntarCommand(dir: string): RemoteCommand {
  return {
    kind: 'restore-artifacts',
    label: `tar -C ${dir} -xf -`,
    command: `mkdir -p -- ${shq(dir)} && exec tar -C ${shq(dir)} --no-same-owner -xf -`,
    timeoutSec: STREAM_TIMEOUT_SEC,
  };
}
