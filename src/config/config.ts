import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { requireSafeArtifactsDir } from './artifacts-dir.js';
import { expandHome, resolveTargets } from './targets.js';
import { rootCertSettings } from './root-certificates.js';
import { statusTrust, tlsSettings, type TlsSettings } from './tls.js';
import type { KnownHostsFiles } from '../openssh/known-hosts.js';
import { SSL_MODES, type DatabaseSettings, type SslMode } from '../render/backend-uri.js';
import { UsageError } from '../util/errors.js';
import { Secret } from '../util/secret.js';
import { getBool, getString, type Settings } from './settings.js';
import {
  parseAllowedHosts,
  parseWasbsUri,
  type BlobDestination,
  requireAbsolutePath,
  requireHost,
  requireMlflowVersion,
  requireNumber,
  requirePort,
  requireSqlName,
  shown,
  parsePublicNames,
  requireSupervisor,
  type Supervisor,
} from './validate.js';

export type HostKeyPolicy = 'accept-new' | 'strict';

export interface HostTarget {
  /**
   * How output names the VM: the host as the user wrote it, or `user@host:port` when two targets share that.
   * For output only: the server's settings take `name` and `address`.
   */
  label: string;
  /** The host as the user wrote it (IP, name or ~/.ssh/config alias), never renamed. */
  name: string;
  /** The address we connect to (HostName from ~/.ssh/config, else the name). */
  address: string;
  port: number;
  user: string;
  /** Explicit keys (flag or ~/.ssh/config); empty means agent, then the default key files. */
  identityFiles: string[];
  /** Where the host was named: `--host` or `hosts.txt:3`. */
  origin: string;
  /** Server settings a hosts-file line overrides for this host. */
  overrides: Partial<Pick<ServerOptions, 'port' | 'artifactsDir' | 'allowedHosts' | 'supervisor' | 'publicNames'>>;
  /**
   * The known_hosts files and name its host key is checked under (--known-hosts, the ssh config's
   * UserKnownHostsFile, GlobalKnownHostsFile, HostKeyAlias); unset: `ssh.knownHostsPath` and the address.
   */
  knownHosts?: KnownHostsFiles;
  /** --jump or ProxyJump: the hops to the VM, in order, each reached through the one before. */
  jump?: JumpHost[];
}

/** One jump host (bastion) on the way to a VM: how to log in to it and check its host key. */
export type JumpHost = Pick<HostTarget, 'label' | 'address' | 'port' | 'user' | 'identityFiles' | 'knownHosts'>;

export interface ServerOptions {
  port: number;
  /** Explicit allow-list; undefined means "derive from the host". */
  allowedHosts?: string[];
  artifactsDir?: string;
  mlflowVersion?: string;
  /** --workers: uvicorn workers; undefined means "from the VM's memory" (autoWorkers). */
  workers?: number;
  /** --job-runner: MLflow's background job runner on (off by default: ~1.3 GB of memory). */
  jobRunner?: boolean;
  /** --log-size: the server's log is rotated at this many bytes; undefined means LOG_ROTATION's. */
  logMaxBytes?: number;
  /** --supervisor: what keeps the server running; undefined means nohup. */
  supervisor?: Supervisor;
  /** --mlflow-version latest: no pin on a fresh install. */
  mlflowLatest?: boolean;
  /** --public-name: names users reach the server by; they join the default allow-list and the CORS origins. */
  publicNames?: string[];
  /** --artifacts-destination wasbs://...: artifacts in Azure Blob Storage, no folder on the VM. */
  blob?: BlobSettings;
}

/** Azure Blob artifacts and how the server authenticates to the storage account. */
export interface BlobSettings extends BlobDestination {
  credential: { kind: 'connection-string'; value: Secret } | { kind: 'access-key'; value: Secret } | { kind: 'managed-identity' };
}

/** `--auth basic`: MLflow's basic-auth app, its admin and its database (on the backend store's server). */
export interface AuthSettings {
  adminUser: string;
  adminPassword: Secret;
  database: string;
}

/** Secrets gathered before the run besides the database password (environment, .env or prompts). */
export interface MoreSecrets {
  authAdminPassword?: Secret;
  azureConnectionString?: Secret;
  azureAccessKey?: Secret;
}

export const MIN_ADMIN_PASSWORD_LENGTH = 12;

/** The password MLflow's basic_auth.ini once shipped; MLflow 3 refuses to create an admin with it. */
const LEGACY_DEFAULT_ADMIN_PASSWORD = 'password1234';

/**
 * What MLflow's auth app would refuse at its first start (mlflow.utils.validation._validate_password and the
 * bootstrap check), said before anything runs instead of as a server that never comes up.
 */
export function adminPasswordProblem(password: Secret): string | undefined {
  const value = password.reveal();
  // Python's len(): code points, as [...value] counts them.
  if ([...value].length < MIN_ADMIN_PASSWORD_LENGTH) {
    return `MLFLOW_AUTH_ADMIN_PASSWORD must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters: MLflow refuses shorter admin passwords.`;
  }
  if (value === LEGACY_DEFAULT_ADMIN_PASSWORD) {
    return 'MLFLOW_AUTH_ADMIN_PASSWORD is the default password older MLflow versions shipped, which MLflow now refuses: choose another.';
  }
  if (/[\0\r\n]/.test(value))
    return 'MLFLOW_AUTH_ADMIN_PASSWORD contains a line break or NUL character, which cannot travel in an environment file: choose another.';
  return undefined;
}

export interface ProvisionConfig {
  targets: HostTarget[];
  concurrency: number;
  /** Said before the run starts (duplicate hosts, shared database with local artifacts). */
  warnings: string[];
  ssh: {
    knownHostsPath: string;
    hostKeyPolicy: HostKeyPolicy;
    connectTimeoutMs: number;
    passphrase?: Secret;
  };
  db: DatabaseSettings;
  server: ServerOptions;
  auth?: AuthSettings;
  /** --tls: HTTPS by a reverse proxy, MLflow on 127.0.0.1. */
  tls?: TlsSettings;
  output: { json: boolean; verbose: boolean; logDir: string };
  upgrade: boolean;
  dryRun: boolean;
}

function concurrencyOf(settings: Settings): number {
  const concurrency = Number(settings.get('concurrency')?.value ?? 10);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 100, not ${shown(settings.get('concurrency')?.value)}.`);
  }
  return concurrency;
}

/** How to reach and verify the VMs: known_hosts, host-key policy, handshake timeout, key passphrase. */
export function sshSettings(settings: Settings, passphrase?: Secret): ProvisionConfig['ssh'] {
  const policy = getString(settings, 'host-key-policy') ?? 'accept-new';
  if (policy !== 'accept-new' && policy !== 'strict') {
    throw new UsageError(`--host-key-policy must be accept-new or strict, not "${policy}".`);
  }
  const timeout = Number(settings.get('connect-timeout')?.value ?? 20);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600) {
    throw new UsageError('--connect-timeout must be a number of seconds between 1 and 600.');
  }
  return {
    knownHostsPath: expandHome(getString(settings, 'known-hosts') ?? join(homedir(), '.ssh', 'known_hosts')),
    hostKeyPolicy: policy,
    connectTimeoutMs: timeout * 1000,
    ...(passphrase ? { passphrase } : {}),
  };
}

/** `provision status`: which VMs, how to reach them, and the MLflow port to expect when the VM does not say. */
export interface StatusConfig {
  targets: HostTarget[];
  concurrency: number;
  warnings: string[];
  ssh: ProvisionConfig['ssh'];
  port: number;
  /** --tls-ca-cert: what the HTTPS check trusts (else this machine's roots, or the VM's internal CA). */
  tlsTrust?: string;
  output: { json: boolean; verbose: boolean; logDir: string };
  /** --dry-run: read the VM's state and say what would change, touching nothing. */
  dryRun: boolean;
}

/** --log-dir: where every command writes its per-host logs. */
const logDirOf = (settings: Settings): string => expandHome(getString(settings, 'log-dir') ?? 'provision-logs');

export function buildStatusConfig(settings: Settings, passphrase?: Secret, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): StatusConfig {
  const warnings: string[] = [];
  const targets = resolveTargets(settings, readFile, warnings);
  const trust = statusTrust(settings, readFile);
  return {
    targets,
    concurrency: concurrencyOf(settings),
    warnings,
    ssh: sshSettings(settings, passphrase),
    port: requirePort(settings.get('mlflow-port')?.value ?? 5000, 'mlflow-port'),
    ...(trust ? { tlsTrust: trust.pem } : {}),
    output: { json: getBool(settings, 'json'), verbose: getBool(settings, 'verbose'), logDir: logDirOf(settings) },
    dryRun: getBool(settings, 'dry-run'),
  };
}

/** Turns complete settings into the run's configuration; every mistake is a UsageError (exit 2). */
export function buildConfig(
  settings: Settings,
  password: Secret,
  passphrase?: Secret,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
  more: MoreSecrets = {},
): ProvisionConfig {
  const warnings: string[] = [];
  const targets = resolveTargets(settings, readFile, warnings);
  const concurrency = concurrencyOf(settings);

  const pgHost = getString(settings, 'pg-host');
  if (!pgHost) throw new UsageError('No database host given: pass --pg-host or set POSTGRES_HOST.');
  const sslmode = getString(settings, 'pg-sslmode') ?? 'require';
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new UsageError(`--pg-sslmode must be one of ${SSL_MODES.join(', ')}, not "${sslmode}".`);
  }
  const sslRootCert = rootCertSettings(settings, sslmode as SslMode, readFile);
  if (password.isEmpty) throw new UsageError('The database password is empty: set POSTGRES_PASSWORD in .env or use --pg-password-stdin.');
  if (password.matches(/[\0\r\n]/)) {
    throw new UsageError(
      'The database password contains a line break or NUL character, which the secrets file on the VM cannot hold: give the password alone, on one line (POSTGRES_PASSWORD or --pg-password-stdin).',
    );
  }

  const artifacts = getString(settings, 'artifacts-dir');
  const supervisorText = getString(settings, 'supervisor');
  const supervisor = supervisorText === undefined ? undefined : requireSupervisor(supervisorText, 'supervisor');
  const allowed = getString(settings, 'allowed-hosts');
  const version = getString(settings, 'mlflow-version');
  const publicNames = parsePublicNames(((settings.get('public-name')?.value as string[] | undefined) ?? []).join(','));
  const ssh = sshSettings(settings, passphrase);
  const auth = authSettings(settings, getString(settings, 'pg-db') ?? 'mlflow', more.authAdminPassword);

  const port = requirePort(settings.get('mlflow-port')?.value ?? 5000, 'mlflow-port');
  const tls = tlsSettings(settings, { global: publicNames, targets }, port, readFile);
  const blob = blobSettings(settings, more, warnings);
  if (blob && (artifacts !== undefined || targets.some((t) => t.overrides.artifactsDir !== undefined))) {
    throw new UsageError('--artifacts-dir and --artifacts-destination exclude each other: with a wasbs:// destination there is no artifacts folder on the VM.');
  }
  if (targets.length > 1 && !blob) {
    warnings.push(
      `${targets.length} VMs share the database ${pgHost}/${getString(settings, 'pg-db') ?? 'mlflow'} but keep artifacts on their own disks: ` +
        'runs logged through one VM have their artifacts on that VM only. For servers behind one address, put artifacts on shared storage ' +
        '(Azure Blob, --artifacts-destination wasbs://…, see docs/hosts-file.md).',
    );
  }
  return {
    targets,
    concurrency,
    warnings,
    ssh,
    db: {
      host: requireHost(pgHost, '--pg-host', false),
      port: requirePort(settings.get('pg-port')?.value ?? 5432, 'pg-port'),
      user: requireSqlName(getString(settings, 'pg-user') ?? 'mlflow', 'pg-user'),
      database: requireSqlName(getString(settings, 'pg-db') ?? 'mlflow', 'pg-db'),
      password,
      sslmode: sslmode as SslMode,
      ...(sslRootCert ? { sslRootCert } : {}),
    },
    server: {
      port,
      ...(allowed !== undefined ? { allowedHosts: parseAllowedHosts(allowed) } : {}),
      ...(artifacts !== undefined ? { artifactsDir: requireSafeArtifactsDir(requireAbsolutePath(artifacts, 'artifacts-dir')) } : {}),
      ...(version !== undefined && version !== 'latest' ? { mlflowVersion: requireMlflowVersion(version) } : {}),
      ...(version === 'latest' ? { mlflowLatest: true } : {}),
      ...(settings.get('workers') !== undefined ? { workers: requireNumber(settings.get('workers')!.value, '--workers', { min: 1, max: 16 }) } : {}),
      ...(getBool(settings, 'job-runner') ? { jobRunner: true } : {}),
      ...(settings.get('log-size') !== undefined ? { logMaxBytes: Math.round(Number(settings.get('log-size')!.value) * 1024 * 1024) } : {}),
      ...(supervisor === 'systemd' ? { supervisor } : {}),
      ...(publicNames.length > 0 ? { publicNames } : {}),
      ...(blob ? { blob } : {}),
    },
    ...(auth ? { auth } : {}),
    ...(tls ? { tls } : {}),
    output: {
      json: getBool(settings, 'json'),
      verbose: getBool(settings, 'verbose'),
      logDir: logDirOf(settings),
    },
    upgrade: getBool(settings, 'upgrade'),
    dryRun: getBool(settings, 'dry-run'),
  };
}

function blobSettings(settings: Settings, more: MoreSecrets, warnings: string[]): BlobSettings | undefined {
  const uri = getString(settings, 'artifacts-destination');
  const identity = getBool(settings, 'azure-identity');
  if (uri === undefined) {
    if (identity) throw new UsageError('--azure-identity goes with --artifacts-destination wasbs://...: it is how the server reaches Blob Storage.');
    return undefined;
  }
  const dest = parseWasbsUri(uri);
  if (identity) {
    if (more.azureConnectionString || more.azureAccessKey) {
      warnings.push(
        '--azure-identity: the storage key or connection string in the environment is not written to the VM; the server uses its managed identity.',
      );
    }
    return { ...dest, credential: { kind: 'managed-identity' } };
  }
  for (const [variable, secret] of [
    ['AZURE_STORAGE_CONNECTION_STRING', more.azureConnectionString],
    ['AZURE_STORAGE_ACCESS_KEY', more.azureAccessKey],
  ] as const) {
    if (secret?.matches(/[\0\r\n]/)) {
      throw new UsageError(`${variable} contains a line break or NUL character, which the secrets file on the VM cannot hold: give it on one line.`);
    }
  }
  if (more.azureConnectionString && !more.azureConnectionString.isEmpty) {
    const name = /(?:^|;)\s*AccountName=([^;]+)/i.exec(more.azureConnectionString.reveal())?.[1]?.trim();
    if (name && name.toLowerCase() !== dest.account) {
      throw new UsageError(
        `AZURE_STORAGE_CONNECTION_STRING is for the storage account "${name}", but --artifacts-destination names "${dest.account}": MLflow would use the connection string's account.`,
      );
    }
    return { ...dest, credential: { kind: 'connection-string', value: more.azureConnectionString } };
  }
  if (more.azureAccessKey && !more.azureAccessKey.isEmpty) return { ...dest, credential: { kind: 'access-key', value: more.azureAccessKey } };
  throw new UsageError(
    '--artifacts-destination wasbs://... needs a storage credential: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCESS_KEY in the environment or .env, ' +
      "or use --azure-identity for the VM's managed identity (or run in a terminal to be asked for the access key).",
  );
}

function authSettings(settings: Settings, trackingDb: string, password?: Secret): AuthSettings | undefined {
  const mode = getString(settings, 'auth') ?? 'none';
  if (mode !== 'none' && mode !== 'basic') throw new UsageError(`--auth must be none or basic, not "${mode}".`);
  if (mode === 'none') return undefined;
  const adminUser = (getString(settings, 'auth-admin-user') ?? 'admin').trim();
  if (!/^[^\s:]{1,64}$/.test(adminUser)) {
    throw new UsageError(`--auth-admin-user "${adminUser}" is not a usable user name: 1 to 64 characters, no spaces or colons.`);
  }
  const database = requireSqlName(getString(settings, 'auth-db') ?? 'mlflow_auth', 'auth-db');
  if (database === trackingDb) {
    throw new UsageError(
      `--auth-db must name another database than --pg-db ("${trackingDb}"): MLflow's user tables and its tracking schema collide in one database.`,
    );
  }
  if (!password || password.isEmpty) {
    throw new UsageError('--auth basic needs the admin password: set MLFLOW_AUTH_ADMIN_PASSWORD in the environment or .env, or run in a terminal to be asked.');
  }
  const problem = adminPasswordProblem(password);
  if (problem) throw new UsageError(problem);
  return { adminUser, adminPassword: password, database };
}
