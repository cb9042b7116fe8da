import type { HostTarget, StatusConfig } from '../config/config.js';
import { parseBackendUri, type DatabaseSettings } from '../render/backend-uri.js';
import { shq } from '../util/shell-quote.js';
import { readSecretsFile, remoteLayout } from '../render/server-files.js';
import { Remote } from '../ssh/connection.js';
import { checkDatabase, loadDatabaseDriver } from '../checks/database.js';
import { parseFacts, PROBE_PARTS, type Facts } from '../plan/facts.js';
import { composeProbeScript, readProbeOutput } from '../plan/probe/part.js';
import { emptyStatusExtras, launcherFlag, STATUS_PARTS, type StatusExtras, type StatusProbeInput } from '../plan/probe/status.js';
import { httpFailureDetail, httpOnVm, type HttpResponse } from '../checks/http.js';
import { errorMessage } from '../util/errors.js';
import { basicAuthHeader, hostMasker, type Masker } from '../util/secret.js';
import { databaseSummary, judgeLogSize, judgeRunningServer, type LogSize } from '../verdicts/status.js';
import { launcherLogBound } from '../render/log-writer.js';
import { urlHost } from '../util/url-host.js';
import { caddySite } from '../plan/probe/status.js';
import { tlsStatus, type TlsStatus } from './status-tls.js';

/** How many log lines `provision status` shows. */
export const STATUS_LOG_LINES = 5;

export { launcherFlag };

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
  /** The log's path, last lines and size (with its rotated files). */
  log: { path?: string; lines: string[]; size?: LogSize };
  /** The VM's host key was unknown and has been recorded (--host-key-policy accept-new), as `provision` says it. */
  newHostKey?: { type: string; fingerprint: string; recordedIn: string };
  durationMs: number;
}

/** The probe's parts, then what only a status report needs: times for the uptime, the launcher, the secrets, the log. */
export function buildStatusScript(mlflowPort: number, logLines = STATUS_LOG_LINES): string {
  return composeProbeScript<StatusProbeInput>([...PROBE_PARTS, ...STATUS_PARTS], { mlflowPort, logLines });
}

/** The status-only lines of the status script's output (the probe's lines are read by parseFacts). */
export function parseStatusExtras(text: string): StatusExtras {
  const extras = emptyStatusExtras();
  readProbeOutput(text, STATUS_PARTS, extras);
  return extras;
}

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

/** One VM's status over one SSH connection: one probe, then the database and HTTP checks at once. */
export async function hostStatus(target: HostTarget, config: StatusConfig): Promise<HostStatus> {
  const started = Date.now();
  const status: HostStatus = {
    host: target.label,
    healthy: false,
    problems: [],
    server: { running: false },
    mlflow: {},
    database: { reachable: false, detail: 'not checked' },
    auth: 'none',
    log: { lines: [] },
    durationMs: 0,
  };
  // The laptop's secrets and this VM's: its secrets file masks its own report only.
  const masker = hostMasker();
  const done = (): HostStatus => {
    status.healthy = status.problems.length === 0 && status.error === undefined;
    status.durationMs = Date.now() - started;
    return maskStatus(status, masker);
  };
  let remote: Remote | undefined;
  try {
    void loadDatabaseDriver().catch(() => undefined);
    remote = await Remote.connect(target, {
      ...config.ssh,
      onNewHostKey: (fingerprint, type, recordedIn) => {
        status.newHostKey = { type, fingerprint, recordedIn };
      },
    });
    const port0 = target.overrides.port ?? config.port;
    const res = await remote.exec(buildStatusScript(port0), { timeoutSec: 60 });
    if (!res.stdout.includes('probe_done=1'))
      throw new Error(`reading the VM's state failed (exit ${res.code}): ${res.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
    const facts: Facts = parseFacts(res.stdout);
    const extras = parseStatusExtras(res.stdout);
    const layout = remoteLayout(facts.home);
    status.log.path = layout.log;
    if (facts.mlflowVersion) status.mlflow.installed = facts.mlflowVersion;

    // Every value of the secrets file (and the password inside the URI) is registered in this host's masker,
    // which masks every text of the report once it is done.
    const secrets = readSecretsFile(extras.secrets.join('\n'), masker);
    const uri = secrets.get('MLFLOW_BACKEND_STORE_URI');
    status.log.lines = extras.log;
    if (extras.launcher.length === 0 || !uri) {
      status.problems.push(
        `${target.address} is not provisioned (no ${extras.launcher.length === 0 ? layout.launcher : layout.secrets}): run provision --host ${target.label}.`,
      );
      return done();
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
    const auth = status.auth === 'basic' && adminPassword ? basicAuthHeader(adminUser, adminPassword, masker) : undefined;

    const unit = facts.supervisor.unit;
    status.supervisor = unit?.sha256 !== undefined ? 'systemd' : 'nohup';
    if (facts.server.running && facts.server.pid) {
      status.server = { running: true, pid: facts.server.pid };
      const uptime = serverUptimeSec(facts, extras);
      if (uptime !== undefined) status.server.uptimeSec = uptime;
    } else {
      const held =
        facts.listeners.length > 0 ? `; port ${port} is held by ${facts.listeners.map((l) => `pid ${l.pid} (${l.command.split(' ')[0]})`).join(', ')}` : '';
      status.problems.push(
        unit?.sha256 !== undefined
          ? `The MLflow server is not running: its systemd unit is ${unit.active ?? 'not loaded'} (see ${layout.log} and journalctl -u mlflow-server)${held}.`
          : `The MLflow server is not running (no live process in ${layout.pidFile})${held}.`,
      );
    }

    const db = parseBackendUri(uri, masker);
    // The database as the server reaches it: with the root certificate libpq on the VM verifies against.
    const dbCheck = db
      ? (async () => {
          const withRoot = await vmRootCertificate(remote, db, facts.home, layout.pgRootCert, extras.pgRoot);
          if (typeof withRoot === 'string') throw new Error(withRoot);
          return checkDatabase(remote, withRoot, 5000);
        })()
      : undefined;
    const ask = (req: Parameters<typeof httpOnVm>[2]): Promise<HttpResponse> =>
      httpOnVm(remote!, port, { timeoutMs: 5000, ...req }).catch((err: unknown) => ({ status: 0, body: masker.mask(httpFailureDetail(err)) }));
    const [dbResult, health, version, search] = await Promise.all([
      dbCheck
        ? dbCheck.then(
            (r) => ({ ok: true as const, r }),
            (err: unknown) => ({ ok: false as const, message: errorMessage(err) }),
          )
        : Promise.resolve(undefined),
      status.server.running || facts.listeners.length > 0 ? ask({ path: '/health' }) : Promise.resolve({ status: 0, body: '' }),
      status.server.running ? ask({ path: '/version', ...(auth ? { headers: auth } : {}) }) : Promise.resolve({ status: 0, body: '' }),
      status.server.running
        ? ask({
            method: 'POST',
            path: '/api/2.0/mlflow/experiments/search',
            hostHeader: `${hostPart}:${port}`,
            body: '{"max_results":1}',
            ...(auth ? { headers: auth } : {}),
          })
        : Promise.resolve({ status: 0, body: '' }),
    ]);

    if (!db) {
      status.database = { reachable: false, detail: 'the backend store URI in the secrets file is not a PostgreSQL URI' };
      status.problems.push(`${layout.secrets} holds no PostgreSQL URI this tool can check.`);
    } else if (dbResult?.ok) {
      status.database = { reachable: true, serverVersion: dbResult.r.serverVersion, detail: databaseSummary(dbResult.r, db) };
    } else {
      const message = dbResult && !dbResult.ok ? dbResult.message : 'not checked';
      status.database = { reachable: false, detail: message };
      status.problems.push(message);
    }

    const site = caddySite(extras.caddyfile);
    if (site) {
      status.url = `https://${urlHost(site.names[0]!)}`;
      status.tls = await tlsStatus(remote, site, config.tlsTrust);
      status.problems.push(...status.tls.problems);
      if (facts.proxy.active !== 'active')
        status.problems.push(`Caddy (the HTTPS proxy) is ${facts.proxy.active ?? 'not running'}: see sudo journalctl -u caddy, or rerun provision.`);
    }
    if (status.server.running) {
      status.health = health.status;
      status.api = search.status;
      const judged = judgeRunningServer({ health, version, search, ...(status.mlflow.installed ? { installedVersion: status.mlflow.installed } : {}) });
      if (judged.runningVersion) status.mlflow.running = judged.runningVersion;
      status.problems.push(...judged.problems);
    }
    return done();
  } catch (err) {
    status.error = errorMessage(err);
    status.problems.push(status.error);
    return done();
  } finally {
    remote?.close();
  }
}

/** Every text of the report through the host's masker (the report's own sentences hold no secret, and lose nothing). */
function maskStatus(status: HostStatus, masker: Masker): HostStatus {
  const m = (t: string) => masker.mask(t);
  status.problems = status.problems.map(m);
  if (status.error !== undefined) status.error = m(status.error);
  status.database.detail = m(status.database.detail);
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
  remote: Remote,
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
    const res = await remote.exec(`cat -- ${shq(path)}`, { timeoutSec: 15 }).catch(() => undefined);
    if (res?.code === 0) pem = res.stdout;
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    return `The root certificate ${path} that libpq on the VM needs for sslmode=${db.sslmode} is missing or holds no certificate, so MLflow cannot reach its database either: rerun provision with --pg-ssl-root-cert FILE.`;
  }
  return { ...db, sslRootCert: { pem, source: `${path} on the VM` } };
}

/** Every VM, `config.concurrency` at a time; results in the order the VMs were given. */
export async function runStatus(config: StatusConfig): Promise<HostStatus[]> {
  const results = new Array<HostStatus>(config.targets.length);
  let next = 0;
  const worker = async () => {
    while (next < config.targets.length) {
      const i = next++;
      results[i] = await hostStatus(config.targets[i]!, config);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, config.targets.length) }, worker));
  return results;
}
