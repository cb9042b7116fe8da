/**
 * The one builder of every command's configuration: complete settings (flags, environment, stdin, prompts;
 * see resolve.ts for the reading and asking) become a validated ProvisionConfig, StatusConfig or
 * LifecycleConfig. Defaults come from the option table; every mistake is a UsageError (exit 2).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve as resolvePath } from 'node:path';
import { SSL_MODES, type DatabaseSettings, type SslMode } from '../render/backend-uri.js';
import { UsageError } from '../util/errors.js';
import type { Secret } from '../util/secret.js';
import { requireSafeArtifactsDir } from './artifacts-dir.js';
import { expandHome } from './home.js';
import type { CommandName, LifecycleCommandName } from './options.js';
import { blobSettings } from './blob-settings.js';
import { rootCertSettings } from './root-certificates.js';
import { given, isOn, valueOf, type Settings } from './settings.js';
import { resolveTargets } from './targets.js';
import { statusTrust, tlsSettings } from './tls.js';
import type {
  AuthSettings,
  BackupConfig,
  BlobSettings,
  DrainSettings,
  HostTarget,
  LifecycleConfig,
  ProvisionConfig,
  RestoreConfig,
  ServerOptions,
  StatusConfig,
} from './types.js';
import { parseAllowedHosts, parsePublicNames, requireAbsolutePath, requireHost, requireMlflowVersion, requireSqlName, requireSupervisor } from './validate.js';

export type {
  AuthSettings,
  BackupConfig,
  BlobSettings,
  HostKeyPolicy,
  HostTarget,
  LifecycleConfig,
  ProvisionConfig,
  RestoreConfig,
  ServerOptions,
  StatusConfig,
} from './types.js';

type ReadFile = (path: string) => string;

export interface BuildContext {
  /** How the files options name are read (--hosts-file, certificates); tests give their own. */
  readFile?: ReadFile;
  /** Whether a question may be asked (prompt.ts's canPrompt): --purge-artifacts asks for its confirmation. */
  interactive?: boolean;
}

/** The configuration each command runs on. */
export type ConfigOf<C extends CommandName> = C extends 'provision'
  ? ProvisionConfig
  : C extends 'status'
    ? StatusConfig
    : C extends 'backup'
      ? BackupConfig
      : C extends 'restore'
        ? RestoreConfig
        : LifecycleConfig;

/** Turns complete settings into the command's configuration; every mistake is a UsageError (exit 2). */
export function buildCommandConfig<C extends CommandName>(command: C, settings: Settings, context: BuildContext = {}): ConfigOf<C> {
  const readFile = context.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  if (command === 'provision') return provisionConfig(settings, readFile) as ConfigOf<C>;
  if (command === 'status') return statusConfig(settings, readFile) as ConfigOf<C>;
  if (command === 'backup') return backupConfig(settings, readFile) as ConfigOf<C>;
  if (command === 'restore') return restoreConfig(settings, readFile, context.interactive ?? false) as ConfigOf<C>;
  return lifecycleConfig(command, settings, readFile, context.interactive ?? false) as ConfigOf<C>;
}

/** How to reach and verify the VMs: known_hosts, host-key policy, handshake timeout, key passphrase. */
function sshSettings(settings: Settings): ProvisionConfig['ssh'] {
  const policy = valueOf(settings, 'host-key-policy');
  if (policy !== 'accept-new' && policy !== 'strict') {
    throw new UsageError(`--host-key-policy must be accept-new or strict, not "${policy}".`);
  }
  const passphrase = given(settings, 'ssh-passphrase');
  return {
    knownHostsPath: expandHome(valueOf(settings, 'known-hosts')),
    hostKeyPolicy: policy,
    connectTimeoutMs: valueOf(settings, 'connect-timeout') * 1000,
    ...(passphrase ? { passphrase } : {}),
  };
}

/** `provision status`: which VMs, how to reach them, the MLflow port to expect when the VM does not say. */
function statusConfig(settings: Settings, readFile: ReadFile): StatusConfig {
  const warnings: string[] = [];
  const targets = resolveTargets(settings, readFile, warnings);
  const trust = statusTrust(settings, readFile);
  return {
    targets,
    concurrency: valueOf(settings, 'concurrency'),
    warnings,
    ssh: sshSettings(settings),
    port: valueOf(settings, 'mlflow-port'),
    ...(trust ? { tlsTrust: trust.pem } : {}),
    output: { json: isOn(settings, 'json'), verbose: isOn(settings, 'verbose'), logDir: expandHome(valueOf(settings, 'log-dir')) },
    dryRun: isOn(settings, 'dry-run'),
  };
}

/** `provision backup`: the status configuration and --to, the local folder (required, made absolute). */
function backupConfig(settings: Settings, readFile: ReadFile): BackupConfig {
  const to = given(settings, 'to');
  if (!to) throw new UsageError('No backup folder given: pass --to DIR (the backups go into DIR/<host>/<UTC time>/).');
  return { ...statusConfig(settings, readFile), to: resolvePath(expandHome(to)) };
}

/**
 * `provision restore`: provisioning's configuration (it ends in the normal provision path) for one VM, and --from,
 * the backup's folder (required, made absolute; its manifest is checked before any VM is touched).
 */
function restoreConfig(settings: Settings, readFile: ReadFile, interactive: boolean): RestoreConfig {
  const from = given(settings, 'from');
  if (!from) throw new UsageError('No backup given: pass --from DIR/<host>/<UTC time> (a folder `provision backup` wrote).');
  const config = provisionConfig(settings, readFile);
  if (config.targets.length !== 1) {
    throw new UsageError(`provision restore restores one VM: name it with --host (this run names ${config.targets.length}). Nothing changed.`);
  }
  return { ...config, from: resolvePath(expandHome(from)), replace: isOn(settings, 'replace'), yes: isOn(settings, 'yes'), interactive };
}

/** `provision logs|stop|start|restart|remove`: the status configuration and the command's own options. */
function lifecycleConfig(command: LifecycleCommandName, settings: Settings, readFile: ReadFile, interactive: boolean): LifecycleConfig {
  const config: LifecycleConfig = {
    ...statusConfig(settings, readFile),
    command,
    lines: valueOf(settings, 'lines'),
    follow: isOn(settings, 'follow'),
    purgeArtifacts: isOn(settings, 'purge-artifacts'),
    yes: isOn(settings, 'yes'),
    interactive,
    ...(command === 'restart' ? drainSettings(settings) : {}),
  };
  if (config.follow && config.output.json) throw new UsageError('--follow and --json exclude each other: --follow streams lines until Ctrl-C.');
  return config;
}

/** How restarts leave the load balancer: --drain-seconds (when given) and --lb-probe-source (an IPv4 address). */
function drainSettings(settings: Settings): DrainSettings {
  const source = valueOf(settings, 'lb-probe-source');
  if (isIP(source) !== 4) throw new UsageError(`--lb-probe-source must be an IPv4 address (Azure's probes come from 168.63.129.16), not "${source}".`);
  const drain = given(settings, 'drain-seconds');
  return { lbProbeSource: source, ...(drain !== undefined ? { drainSeconds: drain } : {}) };
}

/** The backend store: host, port, user, database, TLS, and the password (the `pg-password` secret). */
function databaseSettings(settings: Settings, readFile: ReadFile): DatabaseSettings {
  const pgHost = given(settings, 'pg-host');
  if (!pgHost) throw new UsageError('No database host given: pass --pg-host or set POSTGRES_HOST.');
  const sslmode = valueOf(settings, 'pg-sslmode');
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new UsageError(`--pg-sslmode must be one of ${SSL_MODES.join(', ')}, not "${sslmode}".`);
  }
  const sslRootCert = rootCertSettings(settings, sslmode as SslMode, readFile);
  const password = given(settings, 'pg-password');
  if (!password || password.isEmpty) throw new UsageError('The database password is empty: set POSTGRES_PASSWORD in .env or use --pg-password-stdin.');
  if (password.matches(/[\0\r\n]/)) {
    throw new UsageError(
      'The database password contains a line break or NUL character, which the secrets file on the VM cannot hold: give the password alone, on one line (POSTGRES_PASSWORD or --pg-password-stdin).',
    );
  }
  return {
    host: requireHost(pgHost, '--pg-host', false),
    port: valueOf(settings, 'pg-port'),
    user: requireSqlName(valueOf(settings, 'pg-user'), 'pg-user'),
    database: requireSqlName(valueOf(settings, 'pg-db'), 'pg-db'),
    password,
    sslmode: sslmode as SslMode,
    ...(sslRootCert ? { sslRootCert } : {}),
  };
}

/** The server's settings; a default value that changes nothing on the VM is left out (the fingerprint stays). */
function serverOptions(settings: Settings, targets: HostTarget[], blob: BlobSettings | undefined): ServerOptions {
  const artifacts = given(settings, 'artifacts-dir');
  if (blob && (artifacts !== undefined || targets.some((t) => t.overrides.artifactsDir !== undefined))) {
    throw new UsageError('--artifacts-dir and --artifacts-destination exclude each other: with a wasbs:// destination there is no artifacts folder on the VM.');
  }
  const supervisorText = given(settings, 'supervisor');
  const supervisor = supervisorText === undefined ? undefined : requireSupervisor(supervisorText, 'supervisor');
  const allowed = given(settings, 'allowed-hosts');
  const version = given(settings, 'mlflow-version');
  const workers = given(settings, 'workers');
  const logSize = given(settings, 'log-size');
  const gcAfter = given(settings, 'gc-after');
  const publicNames = publicNamesOf(settings);
  return {
    port: valueOf(settings, 'mlflow-port'),
    ...(allowed !== undefined ? { allowedHosts: parseAllowedHosts(allowed) } : {}),
    ...(artifacts !== undefined ? { artifactsDir: requireSafeArtifactsDir(requireAbsolutePath(artifacts, 'artifacts-dir')) } : {}),
    ...(version !== undefined && version !== 'latest' ? { mlflowVersion: requireMlflowVersion(version) } : {}),
    ...(version === 'latest' ? { mlflowLatest: true } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(isOn(settings, 'job-runner') ? { jobRunner: true } : {}),
    ...(isOn(settings, 'metrics') ? { metrics: true } : {}),
    ...(logSize !== undefined ? { logMaxBytes: Math.round(logSize * 1024 * 1024) } : {}),
    ...(supervisor === 'systemd' ? { supervisor } : {}),
    ...(gcAfter !== undefined ? { gcAfterDays: gcAfter } : {}),
    ...(publicNames.length > 0 ? { publicNames } : {}),
    ...(blob ? { blob } : {}),
  };
}

/**
 * --gc-after is a systemd timer: every VM of the run must be under systemd (the option, or its hosts-file
 * line); one sentence before anything changes otherwise.
 */
function requireSystemdForGc(server: ServerOptions, targets: HostTarget[]): void {
  if (server.gcAfterDays === undefined) return;
  const nohup = targets.filter((t) => (t.overrides.supervisor ?? server.supervisor ?? 'nohup') !== 'systemd');
  if (nohup.length === 0) return;
  const which = nohup.length === targets.length ? 'this run' : nohup.map((t) => t.label).join(', ');
  throw new UsageError(
    `--gc-after needs --supervisor systemd (a systemd timer runs mlflow gc), and ${which} would run under nohup: add --supervisor systemd, or leave --gc-after out. Nothing changed.`,
  );
}

function publicNamesOf(settings: Settings): string[] {
  return parsePublicNames((given(settings, 'public-name') ?? []).join(','));
}

/** `provision`: everything the run needs, checked before any VM is touched. */
function provisionConfig(settings: Settings, readFile: ReadFile): ProvisionConfig {
  const warnings: string[] = [];
  const targets = resolveTargets(settings, readFile, warnings);
  const concurrency = valueOf(settings, 'concurrency');
  const db = databaseSettings(settings, readFile);
  const ssh = sshSettings(settings);
  const auth = authSettings(settings, db.database);
  const port = valueOf(settings, 'mlflow-port');
  const tls = tlsSettings(settings, { global: publicNamesOf(settings), targets }, port, readFile);
  const blob = blobSettings(settings, warnings);
  const server = serverOptions(settings, targets, blob);
  requireSystemdForGc(server, targets);
  // Several VMs on one database without Blob: refused by the fleet rules (run/tasks.ts, plan/fleet.ts).
  const aptStallSeconds = given(settings, 'apt-stall-seconds');
  const logDir = expandHome(valueOf(settings, 'log-dir'));
  const upgradeBackupDir = isOn(settings, 'no-backup') ? undefined : resolvePath(expandHome(given(settings, 'backup-dir') ?? join(logDir, 'backups')));
  return {
    targets,
    concurrency,
    warnings,
    ssh,
    db,
    server,
    ...(auth ? { auth } : {}),
    ...(tls ? { tls } : {}),
    output: { json: isOn(settings, 'json'), verbose: isOn(settings, 'verbose'), logDir: expandHome(valueOf(settings, 'log-dir')) },
    upgrade: isOn(settings, 'upgrade'),
    dryRun: isOn(settings, 'dry-run'),
    ...(aptStallSeconds !== undefined ? { aptStallSeconds } : {}),
    ...(upgradeBackupDir !== undefined ? { upgradeBackupDir } : {}),
    ...drainSettings(settings),
  };
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

function authSettings(settings: Settings, trackingDb: string): AuthSettings | undefined {
  const mode = valueOf(settings, 'auth');
  if (mode !== 'none' && mode !== 'basic') throw new UsageError(`--auth must be none or basic, not "${mode}".`);
  if (mode === 'none') return undefined;
  const adminUser = valueOf(settings, 'auth-admin-user').trim();
  if (!/^[^\s:]{1,64}$/.test(adminUser)) {
    throw new UsageError(`--auth-admin-user "${adminUser}" is not a usable user name: 1 to 64 characters, no spaces or colons.`);
  }
  const database = requireSqlName(valueOf(settings, 'auth-db'), 'auth-db');
  if (database === trackingDb) {
    throw new UsageError(
      `--auth-db must name another database than --pg-db ("${trackingDb}"): MLflow's user tables and its tracking schema collide in one database.`,
    );
  }
  const password = given(settings, 'auth-admin-password');
  if (!password || password.isEmpty) {
    throw new UsageError('--auth basic needs the admin password: set MLFLOW_AUTH_ADMIN_PASSWORD in the environment or .env, or run in a terminal to be asked.');
  }
  const problem = adminPasswordProblem(password);
  if (problem) throw new UsageError(problem);
  return { adminUser, adminPassword: password, database };
}
