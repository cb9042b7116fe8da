/**
 * The configurations the builders (config.ts) return, and their parts: types only, so that every file of
 * config/ and every floor above can name them without importing the builders (no import cycles).
 */
import type { KnownHostsFiles } from '../openssh/known-hosts.js';
import type { DatabaseSettings } from '../render/backend-uri.js';
import type { Secret } from '../util/secret.js';
import type { TlsMode } from './options/https.js';
import type { LifecycleCommandName } from './options/spec.js';
import type { BlobDestination, Supervisor } from './validate.js';

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
  /** --metrics: MLflow's Prometheus exporter on /metrics. */
  metrics?: boolean;
  /** --log-size: the server's log is rotated at this many bytes; undefined means LOG_ROTATION's. */
  logMaxBytes?: number;
  /** --supervisor: what keeps the server running; undefined means nohup. */
  supervisor?: Supervisor;
  /** --gc-after: days after which a daily `mlflow gc` (a systemd timer) removes deleted runs for good. */
  gcAfterDays?: number;
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

/** A PEM file as read from the laptop, with the name the user gave it (for messages). */
export interface PemFile {
  pem: string;
  source: string;
}

/** --tls: HTTPS in front of MLflow (Caddy on 443 and 80; MLflow on 127.0.0.1 only). */
export interface TlsSettings {
  mode: TlsMode;
  /** --tls acme: another ACME directory than Let's Encrypt's, the root its own TLS chains to, a contact. */
  acme?: { directory?: string; directoryRoot?: PemFile; email?: string };
  /** --tls files: the user's certificate (chain) and private key. */
  files?: { cert: PemFile; key: Secret; keySource: string };
  /** --tls-ca-cert: what the checks trust for the server's certificate, instead of this machine's roots. */
  trust?: PemFile;
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
  /** PROVISION_APT_STALL_SECONDS: the apt commands' stall bound instead of their own (run/stall-watch.ts). */
  aptStallSeconds?: number;
  /** --backup-dir (default <log-dir>/backups): the backup before a schema upgrade goes there; absent with --no-backup. */
  upgradeBackupDir?: string;
  /** A restart of a fleet's server rolls (plan/rolling.ts): --drain-seconds when given. */
  drainSeconds?: number;
  /** --lb-probe-source: where the load balancer's probes come from. */
  lbProbeSource: string;
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

/** `provision backup`: which VMs, how to reach them, and the local folder the backups go into. */
export interface BackupConfig extends StatusConfig {
  /** --to: backups go into <to>/<host>/<UTC time>/ (absolute, ~ expanded). */
  to: string;
}

/** `provision restore`: provisioning's configuration, the backup folder, and whether MLflow tables may be replaced. */
export interface RestoreConfig extends ProvisionConfig {
  /** --from: DIR/<host>/<time> (absolute, ~ expanded). */
  from: string;
  /** --replace: a database that holds MLflow tables is cleaned and restored (asked, or --yes). */
  replace: boolean;
  yes: boolean;
  /** Whether a question may be asked: a terminal on both ends, no --yes, not CI. */
  interactive: boolean;
}

/** `provision logs|stop|start|restart|remove`: which VMs, how to reach them, and what the command takes. */
export interface LifecycleConfig extends StatusConfig {
  command: LifecycleCommandName;
  lines: number;
  follow: boolean;
  purgeArtifacts: boolean;
  /** --yes: confirmed up front (--purge-artifacts asks otherwise). */
  yes: boolean;
  /** Whether a question may be asked: a terminal on both ends, no --yes, not CI. */
  interactive: boolean;
  /** restart: --drain-seconds when given (plan/rolling.ts decides the default). */
  drainSeconds?: number;
  /** restart: --lb-probe-source, where the load balancer's probes come from. */
  lbProbeSource?: string;
}

/** How a restart of a fleet's server leaves its load balancer (plan/rolling.ts): provision's and restart's options. */
export interface DrainSettings {
  /** --drain-seconds when given (plan/rolling.ts decides the default). */
  drainSeconds?: number;
  /** --lb-probe-source, where the load balancer's probes come from. */
  lbProbeSource: string;
}
