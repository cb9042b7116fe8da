/**
 * `provision backup`: the commands it runs on the VM (pure builders, values quoted with shq, the password
 * never in argv) and its decisions from what the VM says (pg_dump's version against the server's).
 */
import type { RemoteCommand } from '../action/action.js';
import type { RemoteLayout } from '../render/server-files.js';
import { shq } from '../util/shell-quote.js';
import { aptInstallCommand } from './commands.js';

/** A dump of a large database may take hours: bounded, but generously. */
const STREAM_TIMEOUT_SEC = 12 * 3600;

/** What the VM says before a backup: its pg_dump, its release (for the PostgreSQL apt repository), the artifacts folder. */
export interface BackupCheck {
  /** pg_dump's version ("15.10"), undefined when there is none. */
  pgDump?: string;
  codename: string;
  artifacts: { present: boolean; bytes: number };
  /** --auth basic: the auth database named in the auth ini (its URI holds no password). */
  authDatabase?: string;
}

/** Reads pg_dump's version, the release's codename and the artifacts folder's size in one command. */
export function backupCheckCommand(artifactsDir: string | undefined, authIni?: string): RemoteCommand {
  const artifacts = artifactsDir
    ? [
        `d=${shq(artifactsDir)}`,
        'if [ -d "$d" ]; then echo artifacts=present; echo "artifacts_bytes=$(du -sb -- "$d" 2>/dev/null | cut -f1)"; else echo artifacts=missing; fi',
      ]
    : ['echo artifacts=missing'];
  return {
    kind: 'backup-check',
    label: "read pg_dump's version and the artifacts folder's size",
    command: [
      'if command -v pg_dump >/dev/null 2>&1; then echo "pg_dump=$(pg_dump --version 2>&1 | head -n 1)"; else echo pg_dump=missing; fi',
      '( . /etc/os-release 2>/dev/null; echo "os_codename=${VERSION_CODENAME:-}" )',
      ...artifacts,
      ...(authIni ? [`sed -n 's/^database_uri = /auth_uri=/p' ${shq(authIni)} 2>/dev/null | head -n 1`] : []),
    ].join('\n'),
    timeoutSec: 120,
  };
}

export function parseBackupCheck(text: string): BackupCheck {
  const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1]?.trim();
  const version = /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/.exec(field('pg_dump') ?? '')?.[1];
  const bytes = Number(field('artifacts_bytes') ?? '0');
  return {
    ...(version ? { pgDump: version } : {}),
    codename: /^[a-z]+$/.test(field('os_codename') ?? '') ? field('os_codename')! : '',
    artifacts: { present: field('artifacts') === 'present', bytes: Number.isFinite(bytes) ? bytes : 0 },
    ...authDatabaseOf(field('auth_uri')),
  };
}

/** The database name in the auth ini's URI (configparser's `%%` undone), if it has one. */
function authDatabaseOf(uri: string | undefined): { authDatabase?: string } {
  if (!uri) return {};
  try {
    const name = decodeURIComponent(new URL(uri.replace(/%%/g, '%').replace(/^postgresql(\+psycopg2)?:/, 'http:')).pathname.slice(1));
    return name ? { authDatabase: name } : {};
  } catch {
    return {};
  }
}

const major = (version: string): number => Number(/^(\d+)/.exec(version)?.[1] ?? '0');

/**
 * Whether the VM's pg_dump can dump the database server: pg_dump refuses a server newer than itself. The
 * sentence says why a client is installed; undefined when the VM's will do.
 */
export function pgDumpTooOld(pgDump: string | undefined, serverVersion: string): string | undefined {
  if (pgDump !== undefined && major(pgDump) >= major(serverVersion)) return undefined;
  const have = pgDump === undefined ? 'The VM has no pg_dump' : `The VM's pg_dump is ${pgDump}, older than the database server (${serverVersion})`;
  return `${have}: installing postgresql-client-${major(serverVersion)} from the PostgreSQL project's apt repository (apt.postgresql.org).`;
}

/** The PostgreSQL project's apt repository (PGDG) and its signing key. */
const PGDG = {
  key: 'https://www.postgresql.org/media/keys/ACCC4CF8.asc',
  keyring: '/usr/share/keyrings/postgresql-archive-keyring.gpg',
  list: '/etc/apt/sources.list.d/pgdg.list',
};

/** Installs the client of the server's major version from PGDG (Debian's and Ubuntu's own archives lag behind Azure). */
export function pgdgClientCommands(serverVersion: string, codename: string): RemoteCommand[] {
  const line = `deb [signed-by=${PGDG.keyring}] https://apt.postgresql.org/pub/repos/apt ${codename}-pgdg main`;
  return [
    {
      kind: 'pgdg-install',
      label: `add the PostgreSQL apt repository (${PGDG.list})`,
      command: [
        `curl -fsSL ${shq(PGDG.key)} | sudo -n gpg --batch --yes --dearmor -o ${PGDG.keyring}`,
        `echo ${shq(line)} | sudo -n tee ${PGDG.list} >/dev/null`,
      ].join(' && '),
      timeoutSec: 120,
    },
    aptInstallCommand([`postgresql-client-${major(serverVersion)}`], true),
  ];
}

/**
 * The Python a libpq tool (pg_dump, pg_restore) runs under (the venv's, which MLflow runs on): it reads the
 * database URI from the environment (the secrets file, sourced in the remote shell) or, for the auth database,
 * from the auth ini (whose URI has no password: PGPASSWORD of the secrets file), and execs the tool with the
 * password, TLS mode and root certificate in libpq's environment variables; argv holds only host, port, user,
 * database, `toolArgs` and the script's own arguments after the ini (sys.argv[3:]). Standard input and output go
 * to the tool as they are. Backup and restore share it, so both reach the database as the server does.
 */
export function libpqToolPy(tool: 'pg_dump' | 'pg_restore', toolArgs: string[] = []): string {
  return [
    'import os, sys, configparser',
    'from urllib.parse import urlsplit, unquote, parse_qs',
    "if sys.argv[1] == 'auth':",
    '    c = configparser.ConfigParser()',
    '    c.read(sys.argv[2])',
    "    uri = c['mlflow']['database_uri']",
    'else:',
    "    uri = os.environ['MLFLOW_BACKEND_STORE_URI']",
    'u = urlsplit(uri)',
    'q = {k: v[-1] for k, v in parse_qs(u.query).items()}',
    "env = {k: v for k, v in os.environ.items() if k != 'MLFLOW_BACKEND_STORE_URI' and not k.startswith('MLFLOW_AUTH')}",
    "env['PGPASSWORD'] = unquote(u.password) if u.password else os.environ.get('PGPASSWORD', '')",
    "env['PGSSLMODE'] = q.get('sslmode', 'prefer')",
    "env['PGCONNECT_TIMEOUT'] = q.get('connect_timeout', '10')",
    "env['PGSSLROOTCERT'] = q.get('sslrootcert', env.get('PGSSLROOTCERT', ''))",
    "db = unquote(u.path.lstrip('/')) or unquote(u.username)",
    `args = [${[tool, ...toolArgs].map((a) => `'${a}'`).join(', ')}, '--no-password', '-h', u.hostname, '-p', str(u.port or 5432), '-U', unquote(u.username), '-d', db] + sys.argv[3:]`,
    `os.execvpe('${tool}', args, {k: v for k, v in env.items() if v != ''})`,
  ].join('\n');
}

const DUMP_PY = libpqToolPy('pg_dump', ['-Fc']);

/**
 * `pg_dump -Fc` with the server's own settings, its archive on standard output: the backend store, or with
 * `--auth basic` the auth database its ini names.
 */
export function pgDumpCommand(layout: RemoteLayout, which: 'backend' | 'auth' = 'backend'): RemoteCommand {
  const what = which === 'auth' ? `the auth database (${layout.authIni})` : 'the backend store (settings from the secrets file)';
  return {
    kind: 'backup-dump',
    label: `pg_dump -Fc of ${what}`,
    command: [
      'set -a',
      `. ${shq(layout.secrets)}`,
      'set +a',
      `exec ${shq(`${layout.venv}/bin/python`)} -c ${shq(DUMP_PY)} ${which} ${shq(layout.authIni)}`,
    ].join('\n'),
    timeoutSec: STREAM_TIMEOUT_SEC,
  };
}

/** The artifacts folder as a tar stream on standard output (paths relative to the folder). */
export function artifactsTarCommand(dir: string): RemoteCommand {
  return {
    kind: 'backup-artifacts',
    label: `tar -C ${dir} -cf - .`,
    command: `exec tar -C ${shq(dir)} -cf - .`,
    timeoutSec: STREAM_TIMEOUT_SEC,
  };
}

/** A backup's folder name: the UTC time, sortable and free of characters some file systems refuse (20261206T093000Z). */
export function backupTimeName(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** A host's folder name: its label with anything but letters, digits, dot, dash and underscore made `_`. */
export function hostFolderName(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
}

/** What `--artifacts-destination` names: a folder on the VM's disk, or a Blob container (not copied). */
export function artifactsLocation(destination: string | undefined, fallback: string): { dir: string } | { blob: string } {
  const value = destination ?? fallback;
  return /^wasbs?:\/\//.test(value) ? { blob: value } : { dir: value };
}

/** One file of a backup, as the manifest lists it. */
export interface BackupFile {
  name: string;
  bytes: number;
  sha256: string;
}

/** What the manifest says; nothing secret (no password, no URI). */
export interface ManifestInput {
  host: string;
  mlflowVersion?: string;
  schemaRevision?: string;
  database: { host: string; port: number; name: string; serverVersion: string; pgDumpVersion?: string };
  /** --auth basic: the auth database's name (dumped into auth.dump). */
  authDatabase?: string;
  artifacts: { dir: string } | { blob: string } | { dir: string; missing: true };
  files: BackupFile[];
  startedAt: Date;
  endedAt: Date;
  /** What consistency this backup gives, when not CONSISTENCY (e.g. taken with every server stopped). */
  consistency?: string;
}

/** The consistency a backup gives, said plainly. */
export const CONSISTENCY =
  'one snapshot for the database (pg_dump reads it in one transaction); artifacts copied after it, with the server running: a run logged during the backup may have its database rows without its files, or files without rows';

/** manifest.json: what was backed up, from where, when, and each file's size and SHA-256. */
export function backupManifest(m: ManifestInput): string {
  const artifacts =
    'blob' in m.artifacts
      ? { location: 'azure-blob', container: m.artifacts.blob, copied: false, note: 'artifacts in Blob are not copied: see docs/backup.md' }
      : 'missing' in m.artifacts
        ? { location: 'vm-disk', dir: m.artifacts.dir, copied: false, note: 'the folder does not exist on the VM' }
        : { location: 'vm-disk', dir: m.artifacts.dir, copied: true, file: 'artifacts.tar' };
  const manifest = {
    format: 'provision-backup/1',
    host: m.host,
    mlflow: { version: m.mlflowVersion ?? null, schemaRevision: m.schemaRevision ?? null },
    database: { ...m.database, pgDumpVersion: m.database.pgDumpVersion ?? null, file: 'database.dump', format: 'pg_dump custom (-Fc)' },
    authDatabase: m.authDatabase ? { name: m.authDatabase, file: 'auth.dump', format: 'pg_dump custom (-Fc)' } : null,
    artifacts,
    files: m.files,
    totalBytes: m.files.reduce((n, f) => n + f.bytes, 0),
    startedAt: m.startedAt.toISOString(),
    endedAt: m.endedAt.toISOString(),
    consistency: m.consistency ?? CONSISTENCY,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** A byte count as people read it: 1.5 MB, 640 kB, 12 B (decimal units). */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** The progress line of a stream: bytes, rate, and the time left when the total is known. */
export function progressText(bytes: number, elapsedMs: number, total?: number): string {
  const rate = elapsedMs > 0 ? (bytes * 1000) / elapsedMs : 0;
  const left = total && rate > 0 && total > bytes ? `, about ${Math.ceil((total - bytes) / rate)} s left` : '';
  const of = total ? ` of ${sizeText(total)}` : '';
  return `${sizeText(bytes)}${of} at ${sizeText(Math.round(rate))}/s${left}`;
}
