import { createHash, createHmac, randomBytes } from 'node:crypto';
import { shq } from '../util/shell-quote.js';
import { LAPTOP, Secret, type Masker } from '../util/secret.js';
import { backendStoreUri, backendUriWithoutPassword, parseBackendUri, type DatabaseSettings } from './backend-uri.js';
import { logWriterLines } from './log-writer.js';
import { tildePath, VM_FILES } from './vm-files.js';

/** Where things live on the VM; all absolute, derived from the user's home and the names of `VM_FILES`. */
export interface RemoteLayout {
  home: string;
  venv: string;
  launcher: string;
  secrets: string;
  log: string;
  pidFile: string;
  artifactsDir: string;
  /** MLflow's basic-auth configuration (--auth basic). */
  authIni: string;
  /** --pg-ssl-root-cert: the database server's root certificate(s), named by sslrootcert= in the URIs. */
  pgRootCert: string;
  /** provision's record of what it created (render/record.ts). */
  record: string;
  /** --metrics: the Prometheus exporter's multiprocess folder. */
  metricsDir: string;
}

export function remoteLayout(home: string, artifactsDir?: string): RemoteLayout {
  const at = (name: string) => `${home}/${name}`;
  return {
    home,
    venv: at(VM_FILES.venv),
    launcher: at(VM_FILES.launcher),
    secrets: at(VM_FILES.secrets),
    log: at(VM_FILES.log),
    pidFile: at(VM_FILES.pidFile),
    artifactsDir: artifactsDir ?? at(VM_FILES.artifactsDir),
    authIni: at(VM_FILES.authIni),
    pgRootCert: at(VM_FILES.pgRootCert),
    record: at(VM_FILES.record),
    metricsDir: at(VM_FILES.metricsDir),
  };
}

export interface ServerSettings {
  port: number;
  /** The address MLflow binds: all (the default) or the loopback only, behind the --tls proxy. */
  listen?: '127.0.0.1';
  allowedHosts: string[];
  /** Where MLflow stores artifacts when not in the VM's folder (a wasbs:// URI). */
  artifactsDestination?: string;
  /** Origins allowed to make state-changing API calls (the UI at the server's public addresses). */
  corsOrigins?: string[];
  /** --auth basic: MLflow's basic-auth app with this admin user (its password is in the secrets file). */
  auth?: { adminUser: string };
  /** uvicorn worker processes. */
  workers: number;
  /** MLflow's background job runner (huey consumers); off unless asked for. */
  jobRunner?: boolean;
  /** --metrics: MLflow's Prometheus exporter on /metrics, its files in layout.metricsDir. */
  metrics?: boolean;
  /** false: this server's job runner leaves the periodic tasks to another server of its fleet. */
  periodicTasks?: false;
  /** --log-size: the log is rotated at this many bytes (LOG_ROTATION's when not given). */
  logMaxBytes?: number;
}

/**
 * Each worker has its own SQLAlchemy pool (SQLAlchemy's default: 5 + 10 overflow, so 4 workers could open 60
 * connections; Azure's smallest PostgreSQL tiers allow about 35 for users). 2 kept + 3 on demand per worker.
 */
export const DB_POOL = { size: 2, maxOverflow: 3 } as const;

/**
 * Workers for a VM with this much memory when --workers is not given: one per 2 GiB, from 1 to 4. A worker
 * of MLflow 3.17 takes about 250 MB and the `mlflow server` and uvicorn parents about 290 MB together, so a
 * B1s (1 GiB) gets 1 and a B2s (4 GiB) 2. An unknown size gets 1.
 */
export function autoWorkers(memTotalMb: number): number {
  return Math.min(4, Math.max(1, Math.floor(memTotalMb / 2048)));
}

/**
 * The launcher: readable by the user, runnable by hand, free of secrets. MLflow reads the backend URI from
 * MLFLOW_BACKEND_STORE_URI (set by the secrets file), so the password never reaches a command line.
 */
export function renderLauncher(layout: RemoteLayout, server: ServerSettings): string {
  const flags = [
    ['--host', server.listen ?? '0.0.0.0'],
    ['--port', String(server.port)],
    ['--workers', String(server.workers)],
    ['--default-artifact-root', 'mlflow-artifacts:/'],
    ['--artifacts-destination', server.artifactsDestination ?? layout.artifactsDir],
    ['--allowed-hosts', server.allowedHosts.join(',')],
    ...(server.corsOrigins?.length ? [['--cors-allowed-origins', server.corsOrigins.join(',')]] : []),
    ...(server.auth ? [['--app-name', 'basic-auth']] : []),
    ...(server.metrics ? [['--expose-prometheus', layout.metricsDir]] : []),
  ];
  const sizing = [
    '# Sizing (docs/sizing.md): database connections per worker, and the background job runner.',
    `export MLFLOW_SQLALCHEMYSTORE_POOL_SIZE=${DB_POOL.size} MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW=${DB_POOL.maxOverflow}`,
    `export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=${server.jobRunner ? 'true' : 'false'}`,
    // MLflow: "In a multi-replica deployment, enable this on only one instance to avoid duplicate scheduling."
    ...(server.jobRunner && server.periodicTasks === false ? ['export MLFLOW_SERVER_JOB_ENABLE_PERIODIC_TASKS=false'] : []),
  ];
  const auth = server.auth
    ? [
        '# --auth basic: users and permissions live in the database named in this file; the admin password, the',
        '# session secret key and PGPASSWORD (for that database) are in the secrets file.',
        `export MLFLOW_AUTH_CONFIG_PATH=${shq(layout.authIni)}`,
        `export MLFLOW_AUTH_ADMIN_USERNAME=${shq(server.auth.adminUser)}`,
      ]
    : [];
  return [
    '#!/usr/bin/env bash',
    '# MLflow tracking server launcher, written by `provision`. Rerun provision to change it.',
    `# Start by hand:  nohup ${tildePath('launcher')} </dev/null >>${tildePath('log')} 2>&1 &`,
    `# The database URI (with its password) is read from ${layout.secrets} (mode 0600).`,
    'set -euo pipefail',
    ...logWriterLines(layout, server.logMaxBytes),
    'set -a',
    `. ${shq(layout.secrets)}`,
    'set +a',
    ...sizing,
    ...auth,
    ...metricsLines(layout, server.metrics),
    `exec ${shq(`${layout.venv}/bin/mlflow`)} server \\`,
    ...flags.map(([flag, value], i) => `  ${flag} ${shq(value!)}${i < flags.length - 1 ? ' \\' : ''}`),
    '',
  ].join('\n');
}

/**
 * --metrics: the exporter's multiprocess files count every process that ever wrote one, so files an earlier
 * server left would be added to this one's figures: the folder starts empty at each start.
 */
function metricsLines(layout: RemoteLayout, metrics: boolean | undefined): string[] {
  if (!metrics) return [];
  return [
    "# --metrics: Prometheus's multiprocess files of an earlier server would be counted again: start empty.",
    `rm -rf -- ${shq(layout.metricsDir)}`,
    `mkdir -m 0700 -- ${shq(layout.metricsDir)}`,
  ];
}

/**
 * The secrets file, sourced by the launcher. Every value single-quoted for the shell, one line each: a value
 * with a line break (or NUL) could not be read back line by line (parseSecretsEnv, `provision status`), so it
 * is refused here; the configuration refuses such passwords and keys first, with a message for the user.
 */
export function renderSecretsEnv(db: DatabaseSettings, extra: Array<[name: string, value: Secret]> = []): Secret {
  const entries: Array<[string, string]> = [
    ['MLFLOW_BACKEND_STORE_URI', backendStoreUri(db).reveal()],
    ...extra.map(([n, v]): [string, string] => [n, v.reveal()]),
  ];
  for (const [name, value] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`the secrets file cannot hold the variable name ${JSON.stringify(name)}`);
    if (/[\0\r\n]/.test(value)) throw new Error(`the secrets file cannot hold ${name}: its value contains a line break or NUL character`);
  }
  const lines = [
    `# Written by \`provision\`; mode 0600; read by ${VM_FILES.launcher}. Do not commit or share.`,
    ...entries.map(([name, value]) => `${name}=${shq(value)}`),
    '',
  ];
  return new Secret(lines.join('\n'));
}

/** Hex SHA-256 of a text or of a secret's value (the probe compares files on the VM by it). */
export function sha256(text: string | Secret): string {
  return createHash('sha256')
    .update(typeof text === 'string' ? text : text.reveal())
    .digest('hex');
}

/**
 * MLflow's basic-auth configuration (MLFLOW_AUTH_CONFIG_PATH). Its database URI has no password: libpq takes it
 * from PGPASSWORD, set by the secrets file, so this file holds nothing secret. configparser interpolates `%`,
 * so a percent-encoded character in the URI is written `%%`.
 */
export function renderAuthIni(db: DatabaseSettings, auth: { adminUser: string; database: string }): string {
  const uri = backendUriWithoutPassword({ ...db, database: auth.database });
  return [
    '# MLflow basic-auth configuration, written by `provision` (--auth basic). No secrets here: the database',
    '# password comes from PGPASSWORD and the admin password from MLFLOW_AUTH_ADMIN_PASSWORD (secrets file).',
    '[mlflow]',
    'default_permission = READ',
    `database_uri = ${uri.replace(/%/g, '%%')}`,
    `admin_username = ${auth.adminUser.replace(/%/g, '%%')}`,
    'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
    '',
  ].join('\n');
}

/**
 * Fingerprint of the server's effective configuration: what a running server must match to be kept. It is
 * kept in the PID file beside the random `salt` it is keyed with (an HMAC), so that no fingerprint of a
 * known configuration can be computed ahead: a bare hash over the secrets file would let whoever reads the
 * PID file match it against guessed passwords with a precomputed table. (The PID file is 0600 as well.)
 */
export function configFingerprint(launcher: string, secrets: Secret, authIni?: string, salt?: string): string {
  const base = `${sha256(launcher)}\n${sha256(secrets)}`;
  const text = authIni === undefined ? base : `${base}\n${sha256(authIni)}`;
  if (salt) return createHmac('sha256', salt).update(text).digest('hex').slice(0, 16);
  return sha256(text).slice(0, 16);
}

/** A new salt for the configuration fingerprint: 16 random bytes, hex. */
export function newFingerprintSalt(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Reads back a secrets file in the form `renderSecretsEnv` writes: `NAME=value` lines, each value a shell word
 * (bare, or single-quoted with '\'' for a quote). Comments and anything else are skipped. Values are Secrets,
 * masked in `masker`'s scope.
 */
export function parseSecretsEnv(text: string, masker: Masker = LAPTOP): Map<string, Secret> {
  const out = new Map<string, Secret>();
  for (const line of text.split('\n')) {
    // `s`: a value may hold characters JavaScript counts as line ends (U+2028, U+2029); only \n splits lines.
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(line);
    if (!m) continue;
    const word = m[2]!;
    let value = '';
    let ok = true;
    for (let i = 0; i < word.length; i++) {
      const c = word[i]!;
      if (c === "'") {
        const end = word.indexOf("'", i + 1);
        if (end < 0) {
          ok = false;
          break;
        }
        value += word.slice(i + 1, end);
        i = end;
      } else if (c === '\\' && i + 1 < word.length) {
        value += word[i + 1];
        i += 1;
      } else {
        value += c;
      }
    }
    if (ok) out.set(m[1]!, new Secret(value, masker));
  }
  return out;
}

/**
 * The VM's secrets file, read back for `status` and the lifecycle commands: every value becomes a Secret, and
 * so does the password inside the backend store URI (it is in the file only percent-encoded, while a driver
 * error in the log may print it plain). Call it before any line from the VM is shown. The values mask that
 * VM's text only (`masker`, its host's): another VM's report is not theirs to blank.
 */
export function readSecretsFile(text: string, masker: Masker): Map<string, Secret> {
  const secrets = parseSecretsEnv(text, masker);
  const uri = secrets.get('MLFLOW_BACKEND_STORE_URI');
  if (uri) parseBackendUri(uri, masker);
  return secrets;
}
