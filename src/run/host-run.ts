import type { HostTarget, ProvisionConfig, ServerOptions } from '../config/config.js';
import type { DatabaseReport } from '../checks/database.js';
import type { ServedCertificate } from '../checks/http.js';
import type { Facts } from '../plan/facts.js';
import type { Desired } from '../plan/plan.js';
import { HostUnreachable, errorMessage } from '../util/errors.js';
import { basicAuthHeader, type Secret } from '../util/secret.js';
import type { FleetGate } from './fleet.js';
import type { HostLog } from './host-log.js';
import { realHostIO, type HostIO } from './host-io.js';
import { SchemaGate } from './schema-gate.js';
import { HostSession } from './session.js';
import { urlHost } from '../util/url-host.js';

/** Provisioning's steps, in order (run/steps/index.ts). */
export type StepId = 'connect' | 'packages' | 'python' | 'artifacts' | 'database' | 'files' | 'server' | 'proxy' | 'verify';

/** What provisioning's planned steps decide from. */
export interface PlanInput {
  facts: Facts;
  desired: Desired;
  config: ProvisionConfig;
}

export interface HostResult {
  host: string;
  status: 'ok' | 'failed' | 'unreachable';
  changed: StepId[];
  url?: string;
  error?: string;
  warnings: string[];
  durationMs: number;
  log?: string;
  artifactsDir?: string;
  /** What keeps the server running (as asked for; known once the probe ran). */
  supervisor?: 'nohup' | 'systemd';
  sshConnections: number;
  /** Remote commands run (exec channels): the probe is one. */
  remoteCommands: number;
  /** Port-forward channels: the database check and each HTTP check. */
  portForwards: number;
  /** --tls: the mode, the certificate served, and (internal) where the VM's CA root was saved here. */
  tls?: { mode: string; certificate?: ServedCertificate; caCertPath?: string; trustFile?: string };
}

/** What one step leaves for a later one. */
export interface RunNotes {
  /** The python step changed what the server runs on: the server step restarts it. */
  restartNeeded: boolean;
  /** The python step moved MLflow to another version: the server step coordinates the schema upgrade. */
  versionChange?: { from: string; to: string };
  /** The python step kept a copy of the venv (venv.previous) before installing another MLflow into it. */
  keptVenv?: boolean;
  /** The database checks, started at connect while the probe runs; the database step awaits them. */
  dbCheck?: Promise<DatabaseReport>;
  authDbCheck?: Promise<DatabaseReport>;
  /** --auth basic: the auth database as the database step left it (created there, or as checked). */
  authReport?: DatabaseReport;
  /** --tls internal: the VM's CA root (PEM), and where it was saved on this machine. */
  internalRoot?: string;
  caCertPath?: string;
  /** --tls: the certificate the proxy serves, as the checks saw it. */
  servedCertificate?: ServedCertificate;
  /** The server step's restart rolled: the VM is back in its load balancer (any drain rule removed). */
  rejoined?: boolean;
}

/**
 * One host's provisioning over one connection: a host session (the connection, the log, the one executor)
 * with the state provisioning's steps share, and the result. The steps themselves are data (run/steps/).
 */
export class HostRun extends HostSession {
  facts?: Facts;
  desired?: Desired;
  readonly warnings: string[] = [];
  readonly notes: RunNotes = { restartNeeded: false };
  /** A basic-auth session key made in this run (only when the VM has none yet). */
  flaskKey?: Secret;
  /** The configuration fingerprint's salt, made in this run when no live server has one. */
  fingerprintSalt?: string;
  /** This host's server settings: the run's, with its hosts-file overrides. */
  readonly serverOptions: ServerOptions;

  constructor(
    target: HostTarget,
    readonly config: ProvisionConfig,
    log: HostLog,
    readonly schemaGate: SchemaGate = new SchemaGate(),
    io: HostIO = realHostIO,
    /** The shared place of this VM's fleet (run/fleet.ts); none: the fleet rules are not applied. */
    readonly fleet?: FleetGate,
  ) {
    super(target, config, log, io);
    this.serverOptions = { ...config.server, ...target.overrides };
  }

  /** What provisioning's planned steps decide from: the probed facts, the desired state, the run's settings. */
  planInput(): PlanInput {
    return { facts: this.need(this.facts), desired: this.need(this.desired), config: this.config };
  }

  /** --auth basic: the admin's credentials for API calls (the encoded form is masked like the password). */
  authHeaders(): { headers?: Record<string, string> } {
    const auth = this.config.auth;
    if (!auth) return {};
    return { headers: basicAuthHeader(auth.adminUser, auth.adminPassword) };
  }

  result(error?: unknown): HostResult {
    const port = this.serverOptions.port;
    const hostPart = urlHost(this.target.address);
    const proxy = this.desired?.proxy;
    const url = proxy ? `https://${urlHost(proxy.names[0]!)}` : `http://${hostPart}:${port}`;
    const tls = proxy
      ? {
          mode: proxy.mode,
          ...(this.notes.servedCertificate ? { certificate: this.notes.servedCertificate } : {}),
          ...(this.notes.caCertPath ? { caCertPath: this.notes.caCertPath } : {}),
          ...(this.config.tls?.trust ? { trustFile: this.config.tls.trust.source } : {}),
        }
      : undefined;
    return {
      host: this.target.label,
      status: error === undefined ? 'ok' : error instanceof HostUnreachable ? 'unreachable' : 'failed',
      changed: [...this.changed] as StepId[],
      ...(error === undefined ? { url } : { error: this.masker.mask(errorMessage(error)) }),
      warnings: this.warnings.map((w) => this.shown(w)),
      durationMs: Date.now() - this.started,
      log: this.log.path,
      ...(this.desired ? { artifactsDir: this.desired.artifactsRemote ?? this.desired.layout.artifactsDir, supervisor: this.desired.supervisor } : {}),
      sshConnections: this.sshConnections,
      remoteCommands: this.connection?.execCount ?? 0,
      portForwards: this.connection?.forwardCount ?? 0,
      ...(tls ? { tls } : {}),
    };
  }
}
