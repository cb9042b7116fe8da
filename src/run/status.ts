import type { HostTarget, StatusConfig } from '../config/config.js';
import type { RemoteCommand } from '../action/action.js';
import { parseBackendUri, type DatabaseSettings } from '../render/backend-uri.js';
import { shq } from '../util/shell-quote.js';
import { readSecretsFile, remoteLayout, type RemoteLayout } from '../render/server-files.js';
import type { DatabaseReport } from '../checks/database.js';
import { judgeDrain } from '../plan/drain.js';
import { parseFacts, parseStatusExtras, STATUS_LOG_LINES, statusProbeCommand, type DrainFacts, type Facts } from '../plan/facts.js';
import { launcherFlag, type StatusExtras } from '../plan/probe/status.js';
import { httpFailureDetail, type HttpRequest, type HttpResponse } from '../checks/http.js';
import type { ExecResult } from '../ssh/types.js';
import { errorMessage } from '../util/errors.js';
import { basicAuthHeader, type Masker } from '../util/secret.js';
import { databaseSummary, judgeLogSize, judgeRunningServer, type LogSize } from '../verdicts/status.js';
import { launcherLogBound } from '../render/log-writer.js';
import { urlHost } from '../util/url-host.js';
import { caddySite } from '../plan/probe/status.js';
import { gcStatusOf, type GcStatus } from '../plan/gc-plan.js';
import type { FleetMemberFacts } from '../plan/fleet.js';
import type { HostCommand } from './executor.js';
import type { HostLog } from './host-log.js';
import type { HostIO } from './host-io.js';
import { HostSession } from './session.js';
import type { Step, StepOutcome } from './step.js';
import { tlsStatus, type TlsStatus } from './status-tls.js';
import { blobContextOfFiles, checkBlobAccess, type BlobStatus } from './blob-access.js';
import type { BlobCheckContext } from '../verdicts/blob-check.js';

export { launcherFlag, parseStatusExtras, STATUS_LOG_LINES };
/**
 * What `provision status` found on one VM. Nothing in it is secret: every text from the VM is masked (the
 * laptop's secrets and the VM's own). Its texts are as the VM sent them: the renderers make them visible.
 */
export interface HostStatus {
  host: string;
  healthy: boolean;
  /** Why the VM is not healthy, one sentence each (empty when healthy). */
  problems: string[];
  /** The connection or the probe failed: nothing else could be checked. */
  error?: string;
  url?: string;
  server: { running: boolean; pid?: number; uptimeSec?: number };
  mlflow: { installed?: string; running?: string };
  /** HTTP status of GET /health through the VM (0: no answer). */
  health?: number;
  /** HTTP status of an experiments search with the public Host header (touches the database). */
  api?: number;
  database: { reachable: boolean; detail: string; serverVersion?: string };
  auth: 'none' | 'basic';
  /** What keeps the server running: a systemd unit of ours, else nohup. */
  supervisor?: 'nohup' | 'systemd';
  /** --tls: the proxy and its certificate. */
  tls?: TlsStatus;
  /** --artifacts-destination wasbs://: the container, checked from the VM with the server's credential. */
  blob?: BlobStatus;
  /** --gc-after: the mlflow gc timer and its last run (undefined: no timer of ours on the VM). */
  gc?: GcStatus;
  /** A rolling restart's drain rule is on the VM: out of its load balancer (what the rule says). */
  drained?: DrainFacts;
  /** The log's path, last lines and size (with its rotated files). */
  log: { path?: string; lines: string[]; size?: LogSize };
  /** The VM's host key was unknown and has been recorded (--host-key-policy accept-new), as `provision` says it. */
  newHostKey?: { type: string; fingerprint: string; recordedIn: string };
  /** What its fleet must share (plan/fleet.ts fleetVerdicts): never printed, the session key only as a hash. */
  fleet?: Omit<FleetMemberFacts, 'host' | 'mlflowVersion'>;
  durationMs: number;
}

/** The status probe's script (tests read it). */
export const buildStatusScript = (mlflowPort: number, logLines = STATUS_LOG_LINES): string => statusProbeCommand(mlflowPort, logLines).command;

/**
 * How long the live server has run, in seconds: under systemd from the unit's main-process start (right also
 * after systemd restarted it), else from the PID file's start time when the file names the live process.
 */
export function serverUptimeSec(facts: Facts, extras: StatusExtras): number | undefined {
  if (extras.sysUptime === undefined) return undefined;
  const unit = facts.supervisor.unit;
  if (unit?.active === 'active' && unit.mainPid === facts.server.pid && unit.startedMonotonicUs !== undefined) {
    return Math.max(0, Math.round(extras.sysUptime - unit.startedMonotonicUs / 1e6));
  }
  const recorded = extras.startPid === undefined || extras.startPid === facts.server.pid;
  if (!recorded || extras.startTicks === undefined) return undefined;
  return Math.max(0, Math.round(extras.sysUptime - extras.startTicks / extras.clkTck));
}

/** The log's size, its rotated files' and the bound the launcher rotates it at; undefined when there is no log. */
export function logSizeOf(extras: StatusExtras): LogSize | undefined {
  if (extras.logBytes === undefined) return undefined;
  const bound = launcherLogBound(extras.launcher);
  return {
    bytes: extras.logBytes,
    rotatedFiles: extras.rotatedLogs.files,
    totalBytes: extras.logBytes + extras.rotatedLogs.bytes,
    ...(bound ? { maxBytes: bound.maxBytes, keep: bound.keep } : {}),
  };
}

/** A report before anything was checked: not healthy, nothing known. */
function uncheckedStatus(host: string): HostStatus {
  return {
    host,
    healthy: false,
    problems: [],
    server: { running: false },
    mlflow: {},
    database: { reachable: false, detail: 'not checked' },
    auth: 'none',
    log: { lines: [] },
    durationMs: 0,
  };
}

/** `status` on one host: a session with the report it builds, and what the first step read for the second. */
export class StatusSession extends HostSession {
  readonly status: HostStatus;
  /** What the read step found for the checks step; undefined when nothing is left to check. */
  found?: StatusFound;

  constructor(
    target: HostTarget,
    readonly config: StatusConfig,
    log: HostLog,
    io?: HostIO,
  ) {
    super(target, config, log, io);
    this.status = uncheckedStatus(target.label);
  }

  /** The finished report: healthy or not, every text through this host's masker. */
  report(error?: unknown): HostStatus {
    const status = this.status;
    if (error !== undefined) {
      status.error = errorMessage(error);
      status.problems.push(status.error);
    }
    status.healthy = status.problems.length === 0 && status.error === undefined;
    status.durationMs = Date.now() - this.started;
    return maskStatus(status, this.masker);
  }
}

/** What the read step leaves for the checks: the facts, the launcher's port, the database and the login. */
interface StatusFound {
  facts: Facts;
  extras: StatusExtras;
  port: number;
  hostPart: string;
  db?: DatabaseSettings;
  auth?: Record<string, string>;
  blob?: BlobCheckContext;
}

/** Connects, reads the VM's state and the server's files in one probe, and judges what needs no network check. */
async function readStatus(s: StatusSession): Promise<StepOutcome> {
  const { status, target, config } = s;
  await s.connect((fingerprint, type, recordedIn) => {
    status.newHostKey = { type, fingerprint, recordedIn };
  });
  const port0 = target.overrides.port ?? config.port;
  const output = await s.readProbe(statusProbeCommand(port0));
  const facts: Facts = parseFacts(output);
  const extras = parseStatusExtras(output);
  const layout = remoteLayout(facts.home);
  status.log.path = layout.log;
  if (facts.mlflowVersion) status.mlflow.installed = facts.mlflowVersion;
  // Every value of the secrets file (and the password inside the URI) is registered in this host's masker,
  // which masks every text of the report once it is done.
  const secrets = readSecretsFile(extras.secrets.join('\n'), s.masker);
  const uri = secrets.get('MLFLOW_BACKEND_STORE_URI');
  status.log.lines = extras.log;
  if (extras.launcher.length === 0 || !uri) {
    status.problems.push(
      `${target.address} is not provisioned (no ${extras.launcher.length === 0 ? layout.launcher : layout.secrets}): run provision --host ${target.label}.`,
    );
    return { changed: false, summary: 'not provisioned' };
  }
  const logSize = logSizeOf(extras);
  if (logSize) {
    status.log.size = logSize;
    status.problems.push(...judgeLogSize(logSize, layout.log));
  }
  const port = Number(launcherFlag(extras.launcher, '--port') ?? port0);
  const hostPart = urlHost(target.address);
  status.url = `http://${hostPart}:${port}`;
  status.auth = launcherFlag(extras.launcher, '--app-name') === 'basic-auth' ? 'basic' : 'none';
  const adminPassword = secrets.get('MLFLOW_AUTH_ADMIN_PASSWORD');
  const adminUser = (extras.launcher.join('\n').match(/MLFLOW_AUTH_ADMIN_USERNAME=(\S+)/)?.[1] ?? 'admin').replace(/^'(.*)'$/, '$1');
  const auth = status.auth === 'basic' && adminPassword ? basicAuthHeader(adminUser, adminPassword, s.masker) : undefined;
  judgeServerProcess(status, facts, extras, layout, port);
  const gc = gcStatusOf(facts);
  if (gc.gc) status.gc = gc.gc;
  status.problems.push(...gc.problems);
  const db = parseBackendUri(uri, s.masker);
  const destination = launcherFlag(extras.launcher, '--artifacts-destination');
  const key = secrets.get('MLFLOW_FLASK_SERVER_SECRET_KEY');
  status.fleet = {
    ...(db ? { database: { host: db.host, port: db.port, database: db.database } } : {}),
    ...(destination?.startsWith('wasbs://') ? { artifacts: destination } : {}),
    ...(key ? { keyHash: key.sha256() } : {}),
  };
  const blob = blobContextOfFiles(destination, secrets, layout.secrets);
  s.found = { facts, extras, port, hostPart, ...(db ? { db } : {}), ...(auth ? { auth } : {}), ...(blob ? { blob } : {}) };
  return { changed: false, summary: `${facts.osPretty}; ${status.server.running ? `server pid ${status.server.pid}` : 'no server running'}` };
}

/** Whether the recorded server runs (and for how long), else one sentence naming the supervisor and the port. */
function judgeServerProcess(status: HostStatus, facts: Facts, extras: StatusExtras, layout: RemoteLayout, port: number): void {
  const unit = facts.supervisor.unit;
  status.supervisor = unit?.sha256 !== undefined ? 'systemd' : 'nohup';
  if (facts.server.running && facts.server.pid) {
    status.server = { running: true, pid: facts.server.pid };
    const uptime = serverUptimeSec(facts, extras);
    if (uptime !== undefined) status.server.uptimeSec = uptime;
    return;
  }
  const held =
    facts.listeners.length > 0 ? `; port ${port} is held by ${facts.listeners.map((l) => `pid ${l.pid} (${l.command.split(' ')[0]})`).join(', ')}` : '';
  status.problems.push(
    unit?.sha256 !== undefined
      ? `The MLflow server is not running: its systemd unit is ${unit.active ?? 'not loaded'} (see ${layout.log} and journalctl -u mlflow-server)${held}.`
      : `The MLflow server is not running (no live process in ${layout.pidFile})${held}.`,
  );
}

/** The database (as the server reaches it), /health, /version, a search and the proxy's certificate, all at once; then judged. */
async function checkStatus(s: StatusSession): Promise<StepOutcome> {
  const found = s.found;
  if (!found) return { changed: false, summary: 'nothing to check' };
  const { status } = s;
  const { facts, extras, port, hostPart, db, auth, blob } = found;
  const layout = remoteLayout(facts.home);
  const dbCheck = db
    ? (async () => {
        const withRoot = await vmRootCertificate((c) => s.read(c), db, facts.home, layout.pgRootCert, extras.pgRoot);
        if (typeof withRoot === 'string') throw new Error(withRoot);
        return s.conn.checkDatabase(withRoot, 5000);
      })()
    : undefined;
  const none = Promise.resolve({ status: 0, body: '' });
  const ask = (req: HttpRequest): Promise<HttpResponse> =>
    s.conn.http(port, { timeoutMs: 5000, ...req }).catch((err: unknown) => ({ status: 0, body: s.masker.mask(httpFailureDetail(err)) }));
  const running = status.server.running;
  const headers = auth ? { headers: auth } : {};
  const [dbResult, health, version, search, blobVerdict] = await Promise.all([
    dbCheck?.then(
      (r) => ({ ok: true as const, r }),
      (err: unknown) => ({ ok: false as const, message: errorMessage(err) }),
    ),
    running || facts.listeners.length > 0 ? ask({ path: '/health' }) : none,
    running ? ask({ path: '/version', ...headers }) : none,
    running
      ? ask({ method: 'POST', path: '/api/2.0/mlflow/experiments/search', hostHeader: `${hostPart}:${port}`, body: '{"max_results":1}', ...headers })
      : none,
    blob ? checkBlobAccess(s, layout, blob) : undefined,
  ]);
  judgeDatabase(status, db, dbResult, layout);
  if (blob && blobVerdict) {
    status.blob = { uri: blob.dest.uri, ok: blobVerdict.ok, detail: blobVerdict.sentence };
    if (!blobVerdict.ok) status.problems.push(blobVerdict.sentence);
  }
  judgeDrain(status, facts.drain);
  const site = caddySite(extras.caddyfile);
  if (site) {
    status.url = `https://${urlHost(site.names[0]!)}`;
    status.tls = await tlsStatus(s, site, s.config.tlsTrust);
    status.problems.push(...status.tls.problems);
    if (facts.proxy.active !== 'active')
      status.problems.push(`Caddy (the HTTPS proxy) is ${facts.proxy.active ?? 'not running'}: see sudo journalctl -u caddy, or rerun provision.`);
  }
  if (running) {
    status.health = health.status;
    status.api = search.status;
    const judged = judgeRunningServer({ health, version, search, ...(status.mlflow.installed ? { installedVersion: status.mlflow.installed } : {}) });
    if (judged.runningVersion) status.mlflow.running = judged.runningVersion;
    status.problems.push(...judged.problems);
  }
  return { changed: false, summary: status.problems.length === 0 ? 'healthy' : `${status.problems.length} problem(s)` };
}

type DatabaseAnswer = { ok: true; r: DatabaseReport } | { ok: false; message: string } | undefined;

function judgeDatabase(status: HostStatus, db: DatabaseSettings | undefined, answer: DatabaseAnswer, layout: RemoteLayout): void {
  if (!db) {
    status.database = { reachable: false, detail: 'the backend store URI in the secrets file is not a PostgreSQL URI' };
    status.problems.push(`${layout.secrets} holds no PostgreSQL URI this tool can check.`);
  } else if (answer?.ok) {
    status.database = { reachable: true, serverVersion: answer.r.serverVersion, detail: databaseSummary(answer.r, db) };
  } else {
    const message = answer && !answer.ok ? answer.message : 'not checked';
    status.database = { reachable: false, detail: message };
    status.problems.push(message);
  }
}

const STATUS_STEPS: readonly Step<StatusSession>[] = [
  { id: 'read', title: "Connect and read the VM's state", run: readStatus },
  { id: 'check', title: 'Check the database, the server, Blob and the proxy', run: checkStatus },
];

/** `provision status` as a command of the executor: read-only, two steps a host. */
export function statusCommand(config: StatusConfig, io?: HostIO): HostCommand<StatusSession, HostStatus> {
  return {
    session: (target, log) => new StatusSession(target, config, log, io),
    steps: () => STATUS_STEPS,
    result: (s, error) => s.report(error),
    notStarted: (target, why) => ({ ...uncheckedStatus(target.label), problems: [why], error: why }),
    doneTitle: (s) => `${s.target.label}: ${s.status.problems.length === 0 ? 'healthy' : 'not healthy'}`,
    renderTo: 'stderr',
  };
}

/** Every text of the report through the host's masker (the report's own sentences hold no secret, and lose nothing). */
function maskStatus(status: HostStatus, masker: Masker): HostStatus {
  const m = (t: string) => masker.mask(t);
  status.problems = status.problems.map(m);
  if (status.error !== undefined) status.error = m(status.error);
  status.database.detail = m(status.database.detail);
  if (status.blob) status.blob.detail = m(status.blob.detail);
  status.log.lines = status.log.lines.map(m);
  return status;
}

/**
 * The root certificate libpq on the VM verifies the database with: the file the URI names (sslrootcert=), else
 * for verify-ca/verify-full libpq's default ~/.postgresql/root.crt. The status script has read the file
 * provision uploads; another path costs one more command. A sentence when the VM has no usable file (MLflow
 * could not connect either).
 */
export async function vmRootCertificate(
  read: (c: RemoteCommand) => Promise<ExecResult>,
  db: DatabaseSettings,
  home: string,
  uploaded: string,
  uploadedLines: string[],
): Promise<DatabaseSettings | string> {
  const path = db.sslRootCertPath ?? (db.sslmode === 'verify-ca' || db.sslmode === 'verify-full' ? `${home}/.postgresql/root.crt` : undefined);
  if (!path) return db;
  let pem = '';
  if (path === uploaded) pem = uploadedLines.length > 0 ? `${uploadedLines.join('\n')}\n` : '';
  else {
    const res = await read({ kind: 'read-file', label: `read ${path}`, command: `cat -- ${shq(path)}`, timeoutSec: 15 }).catch(() => undefined);
    if (res?.code === 0) pem = res.stdout;
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    return `The root certificate ${path} that libpq on the VM needs for sslmode=${db.sslmode} is missing or holds no certificate, so MLflow cannot reach its database either: rerun provision with --pg-ssl-root-cert FILE.`;
  }
  return { ...db, sslRootCert: { pem, source: `${path} on the VM` } };
}
