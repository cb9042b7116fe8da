import { randomBytes } from 'node:crypto';
import type { HostTarget, ProvisionConfig, ServerOptions } from '../config/config.js';
import { corsOrigins, defaultAllowedHosts } from '../config/config.js';
import { backendUriWithoutPassword } from '../render/backend-uri.js';
import { featureState, newFlaskSecretKey } from '../plan/features.js';
import { autoWorkers, configFingerprint, newFingerprintSalt, remoteLayout, renderLauncher, renderSecretsEnv } from '../render/server-files.js';
import { Remote } from '../ssh/connection.js';
import {
  artifactsCommand,
  dbUpgradeCommand,
  logTailCommand,
  packageCommands,
  pythonCommands,
  removeLeftoverUploadsCommand,
  serverAliveCommand,
  startServerCommand,
  stopServerCommand,
  type RemoteCommand,
} from '../plan/commands.js';
import { checkDatabase, createDatabase, DatabaseMissing, loadDatabaseDriver, type DatabaseReport } from '../checks/database.js';
import { buildProbeScript, parseFacts, type Facts } from '../plan/facts.js';
import { httpDirect, httpOnVm } from '../checks/http.js';
import {
  artifactsRefusal,
  planArtifacts,
  planFiles,
  planPackages,
  planPython,
  mlflowVersionToInstall,
  isNewerVersion,
  planServer,
  portProblem,
  preflightProblems,
  pythonInstallChanged,
  pythonRestartExpected,
  type Desired,
} from '../plan/plan.js';
import { StepError } from '../util/errors.js';
import { maskSecrets, Secret } from '../util/secret.js';
import type { HostLog } from './host-log.js';
import { SchemaGate } from './schema-gate.js';

/** How long the verify step's artifact PUT to Azure Blob may take before it counts as unreachable. */
const BLOB_ROUND_TRIP_WAIT_SEC = 20;

export type StepId = 'connect' | 'packages' | 'python' | 'artifacts' | 'database' | 'files' | 'server' | 'verify';

export interface StepOutcome {
  changed: boolean;
  /** Shown after the step title: what was done, or why nothing was. */
  summary: string;
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
  sshConnections: number;
  /** Remote commands run (exec channels): the probe is one. */
  remoteCommands: number;
  /** Port-forward channels: the database check and each HTTP check. */
  portForwards: number;
}

/** The server stopped at start because the database's schema is older than its MLflow (after an upgrade). */
class SchemaOutOfDate extends StepError {
  constructor(readonly detail: string) {
    super(`MLflow refuses to start: the database schema is out of date (${detail}).`);
  }
}

/** A Host header no server of ours allows: the verify step's DNS-rebinding check sends it from this machine. */
const FOREIGN_HOST = 'dns-rebinding-check.invalid';

/** How many seconds we wait for a freshly started server to answer /health. */
export const SERVER_START_TIMEOUT_SEC = 120;

/**
 * One host's provisioning, step by step, over one SSH connection. Each step reads the probed facts,
 * decides, and acts; the task list (run/tasks.ts) only displays what happens here.
 */
export class HostRun {
  remote?: Remote;
  facts?: Facts;
  desired?: Desired;
  readonly changed: StepId[] = [];
  readonly warnings: string[] = [];
  private emitLine: (line: string) => void = () => undefined;
  private restartNeeded = false;
  /** The python step moved MLflow to another version: the server step coordinates the schema upgrade. */
  private versionChange?: { from: string; to: string };
  private dbCheck?: Promise<DatabaseReport>;
  private authDbCheck?: Promise<DatabaseReport>;
  /** --auth basic: the auth database as the database step left it (created there, or as checked). */
  private authReport?: DatabaseReport;
  /** A basic-auth session key made in this run (only when the VM has none yet). */
  private flaskKey?: Secret;
  /** The configuration fingerprint's salt, made in this run when no live server has one. */
  private fingerprintSalt?: string;
  private readonly started = Date.now();
  sshConnections = 0;

  /** This host's server settings: the run's, with its hosts-file overrides. */
  readonly serverOptions: ServerOptions;

  constructor(
    readonly target: HostTarget,
    readonly config: ProvisionConfig,
    readonly log: HostLog,
    private readonly schemaGate: SchemaGate = new SchemaGate(),
  ) {
    this.serverOptions = { ...config.server, ...target.overrides };
  }

  /** Where the current step's remote output goes (the task's output), besides the log. */
  onLine(fn: (line: string) => void): void {
    this.emitLine = fn;
  }

  say(line: string): void {
    this.log.write(line);
    this.emitLine(maskSecrets(line));
  }

  private async run(c: RemoteCommand): Promise<string> {
    const remote = this.need(this.remote);
    if (this.interrupted) throw new StepError(`Interrupted before "${c.label}" was started.`);
    this.log.write(`$ ${c.label}`);
    if (this.config.output.verbose) this.emitLine(`$ ${c.label}`);
    const res = await remote.exec(c.command, {
      timeoutSec: c.timeoutSec,
      onLine: (l) => {
        if (!/^log_offset=\d+$/.test(l)) this.say(l); // the start command's note for itself
      },
      ...(c.stdin ? { stdin: `${c.stdin.reveal()}\n` } : {}),
    }).catch((err: unknown) => {
      if (err instanceof StepError && err.dropped && this.interrupted) throw new StepError(`Interrupted while "${c.label}" was running.`);
      if (err instanceof StepError && err.dropped) {
        throw new StepError(`The SSH connection to ${this.target.address} dropped while "${c.label}" was running; rerun provision to continue from there.`);
      }
      throw err;
    });
    if (res.code !== 0 && this.interrupted) throw new StepError(`Interrupted while "${c.label}" was running.`);
    if (res.code !== 0) {
      const last = `${res.stderr}\n${res.stdout}`.trim().split('\n').filter((l) => l.trim() !== '').slice(-1)[0] ?? '';
      const why = res.code === 124 ? `timed out after ${c.timeoutSec} s` : res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
      throw new StepError(`"${c.label}" failed on ${this.target.address} (${why})${last ? `: ${last.trim()}` : ''}.`);
    }
    return res.stdout;
  }

  /** --auth basic: the admin's credentials for API calls (the encoded form is masked like the password). */
  private authHeaders(): { headers?: Record<string, string> } {
    const auth = this.config.auth;
    if (!auth) return {};
    const token = new Secret(Buffer.from(`${auth.adminUser}:${auth.adminPassword.reveal()}`, 'utf8').toString('base64'));
    return { headers: { Authorization: `Basic ${token.reveal()}` } };
  }

  private need<T>(v: T | undefined): T {
    if (v === undefined) throw new Error('step ran out of order');
    return v;
  }

  private mark(step: StepId, outcome: StepOutcome): StepOutcome {
    if (outcome.changed) this.changed.push(step);
    this.log.write(`== ${step}: ${outcome.changed ? 'changed' : 'unchanged'} (${outcome.summary})`);
    return outcome;
  }

  async connect(): Promise<StepOutcome> {
    const { ssh } = this.config;
    this.sshConnections += 1;
    let newKey = '';
    void loadDatabaseDriver().catch(() => undefined); // loads while the handshake waits on the network
    this.remote = await Remote.connect(this.target, {
      knownHostsPath: ssh.knownHostsPath,
      hostKeyPolicy: ssh.hostKeyPolicy,
      connectTimeoutMs: ssh.connectTimeoutMs,
      ...(ssh.passphrase ? { passphrase: ssh.passphrase } : {}),
      onNewHostKey: (fp, type, file) => {
        newKey = `new host key ${type} ${fp} recorded in ${file}`;
        this.say(newKey);
      },
    });
    // The database check needs nothing on the VM but sshd's TCP forwarding: it runs on the same connection
    // while the probe runs, and the database step only awaits its answer.
    this.dbCheck = checkDatabase(this.remote, this.config.db);
    this.dbCheck.catch(() => undefined);
    const { auth, db } = this.config;
    if (auth) {
      this.authDbCheck = checkDatabase(this.remote, { ...db, database: auth.database }, 10000,
        `The database "${auth.database}" for MLflow's users and permissions (--auth basic) does not exist on ${db.host}:${db.port}, and user "${db.user}" may not create databases: create it on the same server ` +
        `(az postgres flexible-server db create --database-name ${auth.database} ..., or CREATE DATABASE ${auth.database} OWNER "${db.user}";) or name an existing one with --auth-db.`);
      this.authDbCheck.catch(() => undefined);
    }
    await this.probe();
    const facts = this.need(this.facts);
    const problems = preflightProblems(facts, this.target.user);
    const port = portProblem(facts, this.need(this.desired), this.target.address);
    if (port) problems.push(port);
    const artifacts = artifactsRefusal(facts, this.need(this.desired));
    if (artifacts) problems.push(artifacts);
    if (problems.length > 0) throw new StepError(problems.join(' '));
    return this.mark('connect', {
      changed: false,
      summary: `${facts.osPretty}, sudo ok, ${(facts.diskFreeMb / 1024).toFixed(1)} GB free${newKey ? `; ${newKey}` : ''}`,
    });
  }

  /** One round trip that reads everything the steps decide on. */
  async probe(): Promise<void> {
    const remote = this.need(this.remote);
    const server = this.serverOptions;
    const script = buildProbeScript({
      ...(server.artifactsDir ? { artifactsDir: server.artifactsDir } : {}), mlflowPort: server.port, readFlaskSecretKey: Boolean(this.config.auth),
    });
    const res = await remote.exec(script, { timeoutSec: 60 });
    if (res.code !== 0 && !res.stdout.includes('probe_done=1')) {
      throw new StepError(`Reading the VM's state failed (exit ${res.code}): ${res.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
    }
    this.facts = parseFacts(res.stdout);
    this.desired = this.computeDesired(this.facts);
  }

  private computeDesired(facts: Facts): Desired {
    const server = this.serverOptions;
    const layout = remoteLayout(facts.home, server.artifactsDir);
    // The database as libpq on the VM uses it: with --pg-ssl-root-cert, sslrootcert= names the uploaded copy.
    const db = this.config.db.sslRootCert ? { ...this.config.db, sslRootCertPath: layout.pgRootCert } : this.config.db;
    const allowedHosts = server.allowedHosts ?? defaultAllowedHosts(this.target, server.port, server.publicNames);
    const origins = corsOrigins(this.target, server.port, server.publicNames);
    const features = featureState({ ...this.config, db }, facts, () => (this.flaskKey ??= newFlaskSecretKey()));
    const workers = server.workers ?? autoWorkers(facts.memTotalMb);
    const launcher = renderLauncher(layout, {
      port: server.port, allowedHosts, corsOrigins: origins, workers, ...(server.jobRunner ? { jobRunner: true } : {}), ...features.launcher,
    });
    const secrets = renderSecretsEnv(db, features.secrets);
    // The live server's salt (from its PID file) to compare with it; a new one for a server yet to start.
    const fingerprintSalt = facts.server.fingerprintSalt ?? (this.fingerprintSalt ??= newFingerprintSalt());
    return {
      user: facts.user,
      layout,
      launcher,
      secrets,
      fingerprint: configFingerprint(launcher, secrets, features.authIni, fingerprintSalt),
      fingerprintSalt,
      ...(features.authIni !== undefined ? { authIni: features.authIni } : {}),
      ...(db.sslRootCert ? { pgRootCert: db.sslRootCert.pem } : {}),
      db,
      ...(features.artifactsRemote ? { artifactsRemote: features.artifactsRemote } : {}),
      ...(features.pip ? { pip: features.pip } : {}),
      port: server.port,
      ...(server.mlflowVersion ? { mlflowVersion: server.mlflowVersion } : {}),
      ...(server.mlflowLatest ? { mlflowLatest: true } : {}),
      upgrade: this.config.upgrade,
    };
  }

  async packages(): Promise<StepOutcome> {
    const facts = this.need(this.facts);
    const plan = planPackages(facts, this.config.upgrade);
    if (!plan.change) return this.mark('packages', { changed: false, summary: plan.reason });
    if (this.config.dryRun) return this.mark('packages', { changed: true, summary: plan.reason });
    for (const c of packageCommands({ cloudInit: facts.cloudInit, dpkgInterrupted: facts.dpkgInterrupted, fullUpgrade: plan.fullUpgrade })) {
      await this.run(c);
    }
    return this.mark('packages', { changed: true, summary: plan.reason });
  }

  async python(): Promise<StepOutcome> {
    const facts = this.need(this.facts);
    const desired = this.need(this.desired);
    // A fresh package step may have installed python3 just now: the probe's venv facts still hold.
    const plan = planPython(facts, desired);
    if (!plan.change) return this.mark('python', { changed: false, summary: plan.reason });
    if (this.config.dryRun) {
      // What the real run would install decides whether the server step restarts the server.
      if (pythonRestartExpected(facts, desired, plan.recreate)) this.restartNeeded = true;
      return this.mark('python', { changed: true, summary: plan.reason });
    }
    for (const c of pythonCommands(desired.layout, {
      recreate: plan.recreate, upgrade: desired.upgrade, mlflowVersion: mlflowVersionToInstall(facts, desired, plan.recreate),
      ...(desired.pip ? { extras: desired.pip.extras, packages: desired.pip.packages } : {}),
    })) {
      await this.run(c);
    }
    const version = (await this.run({
      label: 'installed MLflow version',
      command: `${desired.layout.venv}/bin/python -c 'import importlib.metadata as m; print(m.version("mlflow"))'`,
      timeoutSec: 60,
    })).trim();
    const installed = pythonInstallChanged(facts, plan.recreate, version, desired);
    if (installed) this.restartNeeded = true;
    if (facts.mlflowVersion && version !== facts.mlflowVersion) this.versionChange = { from: facts.mlflowVersion, to: version };
    return this.mark('python', {
      changed: installed,
      summary: installed ? `${plan.reason}; MLflow ${version} installed` : `MLflow ${version} is already the newest`,
    });
  }

  async artifacts(): Promise<StepOutcome> {
    const facts = this.need(this.facts);
    const desired = this.need(this.desired);
    const plan = planArtifacts(facts, desired);
    if (!plan.change) return this.mark('artifacts', { changed: false, summary: plan.reason });
    if (this.config.dryRun) return this.mark('artifacts', { changed: true, summary: plan.reason });
    await this.run(artifactsCommand(desired.layout.artifactsDir, desired.user));
    return this.mark('artifacts', { changed: true, summary: `${plan.reason}; created` });
  }

  async database(): Promise<StepOutcome> {
    const { db } = this.config;
    const report = await this.need(this.dbCheck);
    if (!report.canCreateTables && !report.hasMlflowSchema) {
      throw new StepError(
        `User "${db.user}" may not create tables in schema public of database "${db.database}", so MLflow cannot create its schema: run GRANT ALL ON SCHEMA public TO "${db.user}"; as the server admin.`,
      );
    }
    let authDb = '';
    let created = false;
    if (this.config.auth && this.authDbCheck) {
      const name = this.config.auth.database;
      const a = await this.authDatabase(name, report);
      this.authReport = a;
      created = a.created;
      if (!a.canCreateTables && !a.hasAuthSchema) {
        throw new StepError(`User "${db.user}" may not create tables in schema public of database "${name}", so MLflow cannot create its user tables there (--auth basic): run GRANT ALL ON SCHEMA public TO "${db.user}"; in that database as the server admin.`);
      }
      const create = this.config.dryRun ? 'would create' : 'created';
      authDb = a.created ? `; ${create} the database ${name} for MLflow's users and permissions (user "${db.user}" may create databases)` : `; auth database ${name} ok`;
    }
    return this.mark('database', {
      changed: created,
      summary: `PostgreSQL ${report.serverVersion} at ${db.host}:${db.port} reachable from the VM, ${report.transport}, login ok${authDb}`,
    });
  }

  /**
   * --auth basic: the auth database as the check found it; a missing one is created when the login role may
   * CREATE DATABASE (a dry run only says so), else the check's sentence stands.
   */
  private async authDatabase(name: string, main: DatabaseReport): Promise<DatabaseReport & { created: boolean }> {
    try {
      return { ...(await this.need(this.authDbCheck)), created: false };
    } catch (err) {
      if (!(err instanceof DatabaseMissing) || !main.canCreateDatabase) throw err;
    }
    const { db } = this.config;
    if (this.config.dryRun) return { ...main, canCreateTables: true, hasMlflowSchema: false, hasAuthSchema: false, created: true };
    await createDatabase(this.need(this.remote), db, name);
    this.say(`created the database ${name} (--auth basic)`);
    return { ...(await checkDatabase(this.need(this.remote), { ...db, database: name })), created: true };
  }

  async files(): Promise<StepOutcome> {
    const facts = this.need(this.facts);
    const desired = this.need(this.desired);
    const plan = planFiles(facts, desired);
    // Temporary files of an upload that a dropped connection cut short: removed, whatever else changes.
    const leftovers = facts.leftoverUploads;
    const cleanup = leftovers.length > 0 ? `${leftovers.length} leftover temporary upload${leftovers.length === 1 ? '' : 's'} from an interrupted run` : '';
    if (!plan.change && !cleanup) return this.mark('files', { changed: false, summary: plan.reason });
    if (this.config.dryRun) return this.mark('files', { changed: true, summary: [plan.change && plan.reason, cleanup].filter(Boolean).join('; ') });
    if (cleanup) await this.run(removeLeftoverUploadsCommand(desired.layout.home, leftovers));
    if (!plan.change) return this.mark('files', { changed: true, summary: `${plan.reason}; removed ${cleanup}` });
    const remote = this.need(this.remote);
    // Before the URIs that name it (sslrootcert=): public, so 0644 like any CA certificate.
    if (plan.pgRootCert && desired.pgRootCert !== undefined) {
      await remote.writeFileAtomic(desired.layout.pgRootCert, desired.pgRootCert, 0o644);
      this.say(`uploaded ${desired.layout.pgRootCert} (0644)`);
    }
    if (plan.secrets) {
      await remote.writeFileAtomic(desired.layout.secrets, desired.secrets, 0o600);
      this.say(`uploaded ${desired.layout.secrets} (0600)`);
    }
    if (plan.authIni && desired.authIni !== undefined) {
      await remote.writeFileAtomic(desired.layout.authIni, desired.authIni, 0o600);
      this.say(`uploaded ${desired.layout.authIni} (0600)`);
    }
    if (plan.launcher) {
      await remote.writeFileAtomic(desired.layout.launcher, desired.launcher, 0o700);
      this.say(`uploaded ${desired.layout.launcher} (0700)`);
    }
    return this.mark('files', { changed: true, summary: `${plan.reason}; rewritten${cleanup ? `; removed ${cleanup}` : ''}` });
  }

  async server(): Promise<StepOutcome> {
    const facts = this.need(this.facts);
    const desired = this.need(this.desired);
    const plan = planServer(facts, desired);
    const action = plan.action === 'keep' && this.restartNeeded ? 'restart' : plan.action;
    const dbReport = await this.need(this.dbCheck);
    const change = this.versionChange;
    const coordinated = !this.config.dryRun && change !== undefined && isNewerVersion(change.to, change.from) && dbReport.hasMlflowSchema;
    if (!coordinated) this.schemaGate.settle(this.target.label);
    if (action === 'keep') return this.mark('server', { changed: false, summary: plan.reason });
    if (this.config.dryRun) return this.mark('server', { changed: true, summary: `would ${action}: ${plan.reason}` });
    let upgraded = '';
    if (coordinated) upgraded = await this.upgradeSchemaWithEveryServerStopped(change, action === 'restart' ? plan.stopGroups : undefined);
    else if (action === 'restart') await this.run(stopServerCommand(desired.layout, plan.stopGroups));
    // On a database without MLflow's schema, concurrent first starts race in MLflow's migrations: in a batch
    // the first host starts alone, until its server has answered a database call.
    const freshSchema = !dbReport.hasMlflowSchema || (this.authReport !== undefined && !this.authReport.hasAuthSchema);
    const startAndWait = async (): Promise<string> => {
      const started = await this.run(startServerCommand(desired.layout, desired.fingerprint, desired.fingerprintSalt));
      const offset = Number(/^log_offset=(\d+)$/m.exec(started)?.[1] ?? 0);
      try {
        await this.waitForHealth(offset);
      } catch (err) {
        // MLflow refuses to start on a schema older than its own (after an upgrade): migrate once, start again.
        if (!(err instanceof SchemaOutOfDate) || upgraded) throw err;
        this.say(`MLflow reports an out-of-date database schema (${err.detail}): running mlflow db upgrade once`);
        const db = desired.db ?? this.config.db;
        await this.schemaGate.exclusive(() => this.run(dbUpgradeCommand(desired.layout, backendUriWithoutPassword(db), db.password)));
        upgraded = `; database schema upgraded (${err.detail})`;
        return startAndWait();
      }
      return started;
    };
    const out = await this.schemaGate.around(freshSchema, async () => {
      const started = await startAndWait();
      if (freshSchema) await this.waitForDatabaseCall();
      return started;
    }, () => this.say('waiting for the first server on this database to create MLflow\'s schema'));
    const why = action === 'restart' ? (this.restartNeeded && plan.action === 'keep' ? 'MLflow was reinstalled' : plan.reason) : plan.reason;
    return this.mark('server', { changed: true, summary: `${why}${upgraded}; ${out.trim().split('\n').slice(-1)[0]}` });
  }

  /**
   * A newer MLflow on a database with a schema: stop this server, wait until every server of this run on the
   * database is stopped (or runs no older version), migrate once (the first host there), then start.
   */
  private async upgradeSchemaWithEveryServerStopped(change: { from: string; to: string }, stopGroups: number[] | undefined): Promise<string> {
    const desired = this.need(this.desired);
    const db = desired.db ?? this.config.db;
    const how = await this.schemaGate.versionChange(
      this.target.label,
      () => (stopGroups ? this.run(stopServerCommand(desired.layout, stopGroups)) : Promise.resolve()),
      () => {
        this.say(`MLflow ${change.from} -> ${change.to}: every server of this run on the database is stopped; running mlflow db upgrade once`);
        return this.run(dbUpgradeCommand(desired.layout, backendUriWithoutPassword(db), db.password));
      },
      () => this.say(`waiting for the other servers of this run on the database to stop before the schema upgrade to MLflow ${change.to}`),
    );
    return how === 'migrated'
      ? `; database schema upgraded for MLflow ${change.to} with every server on it stopped`
      : `; database schema upgraded for MLflow ${change.to} by another host of this run`;
  }

  /** A wait on the VM ends at once on Ctrl-C or when the connection is gone, not at its deadline. */
  private stopIfGone(waitingFor: string): void {
    if (this.interrupted) throw new StepError(`Interrupted while waiting for ${waitingFor}.`);
    if (this.remote?.isClosed) {
      const err = new StepError(`The SSH connection to ${this.target.address} dropped while waiting for ${waitingFor}; rerun provision to continue.`);
      err.dropped = true;
      throw err;
    }
  }

  /** Until the server answers an experiments search (it touches the database), bounded. */
  private async waitForDatabaseCall(): Promise<void> {
    const desired = this.need(this.desired);
    const remote = this.need(this.remote);
    const deadline = Date.now() + SERVER_START_TIMEOUT_SEC * 1000;
    this.say('waiting for the server\'s first database call (MLflow creates its schema in an empty database)');
    let status = 0;
    while (Date.now() < deadline) {
      this.stopIfGone('the server\'s first database call');
      status = await httpOnVm(remote, desired.port, {
        method: 'POST', path: '/api/2.0/mlflow/experiments/search', hostHeader: `127.0.0.1:${desired.port}`, body: '{"max_results":1}', ...this.authHeaders(),
      }).then((r) => r.status, () => 0);
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new StepError(`The MLflow server on ${this.target.address} did not answer a database call within ${SERVER_START_TIMEOUT_SEC} s (last HTTP ${status}); see ${desired.layout.log}.`);
  }

  private async waitForHealth(logOffset = 0): Promise<void> {
    const desired = this.need(this.desired);
    const remote = this.need(this.remote);
    const deadline = Date.now() + SERVER_START_TIMEOUT_SEC * 1000;
    const started = Date.now();
    let lastError = '';
    let tries = 0;
    let aliveChecked = started - 3500; // first asked after 1.5 s: a server that dies at start is told at once
    while (Date.now() < deadline) {
      this.stopIfGone('the server to answer /health');
      tries += 1;
      try {
        const res = await httpOnVm(remote, desired.port, { path: '/health', timeoutMs: 5000 });
        if (res.status === 200) return;
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        lastError = (err as Error).message;
      }
      if (Date.now() - aliveChecked >= 5000) {
        aliveChecked = Date.now();
        const alive = await remote.exec(serverAliveCommand(desired.layout).command, { timeoutSec: 15 });
        if (alive.code !== 0) break;
        this.say(`waiting for the server to answer /health (${Math.round((Date.now() - started) / 1000)} s)`);
      }
      // A server usually answers within a second or two: ask often at first, then once a second.
      await new Promise((r) => setTimeout(r, tries <= 20 ? 250 : 1000));
    }
    const tailCmd = logTailCommand(desired.layout, 20, logOffset);
    const tail = (await remote.exec(tailCmd.command, { timeoutSec: tailCmd.timeoutSec }).catch(() => ({ stdout: '' }))).stdout;
    for (const line of tail.split('\n').filter(Boolean)) this.say(`log: ${line}`);
    const outdated = /Detected out-of-date database schema \(([^)]*)\)/.exec(tail);
    if (outdated) throw new SchemaOutOfDate(outdated[1]!);
    throw new StepError(
      `The MLflow server did not answer /health on ${this.target.address}:${desired.port} (${lastError || 'no answer'}); its last log lines are above and in ${desired.layout.log}.`,
    );
  }

  async verify(): Promise<StepOutcome> {
    const desired = this.need(this.desired);
    const remote = this.need(this.remote);
    const port = desired.port;
    const publicHost = `${this.target.address.includes(':') ? `[${this.target.address}]` : this.target.address}:${port}`;
    // The checks are independent: they run at once over the same connection (each on its own forwarded
    // channel), the one from this machine too. Only the artifact round trip is a sequence.
    const name = `provision-check/${randomBytes(6).toString('hex')}.txt`;
    const payload = `provision artifact check ${new Date().toISOString()}`;
    const path = `/api/2.0/mlflow-artifacts/artifacts/${name}`;
    const fromHere = httpDirect(this.target.address, port, { path: '/health', timeoutMs: 5000 }).then((r) => r.status === 200, () => false);
    // From here too: a request with a foreign Host header must be refused (MLflow's DNS-rebinding protection).
    const foreignHost = httpDirect(this.target.address, port, {
      method: 'POST', path: '/api/2.0/mlflow/experiments/search', hostHeader: FOREIGN_HOST, body: '{}', timeoutMs: 5000,
    }).then((r) => r.status, () => 0);
    const auth = this.authHeaders();
    const blobWaitMs = BLOB_ROUND_TRIP_WAIT_SEC * 1000;
    const roundTrip = (async () => {
      // To Azure Blob the PUT is bounded: when MLflow cannot reach the storage account, it retries for more than
      // a minute (77 s measured) before it answers 500, with no reason given.
      const put = await httpOnVm(remote, port, {
        method: 'PUT', path, hostHeader: publicHost, body: payload, contentType: 'text/plain', ...auth,
        ...(this.serverOptions.blob ? { timeoutMs: blobWaitMs } : {}),
      }).catch((err: unknown) => {
        if (!this.serverOptions.blob || this.interrupted) throw err;
        return { status: 0, body: `no answer within ${BLOB_ROUND_TRIP_WAIT_SEC} s; MLflow retries a storage account it cannot reach for over a minute`, headers: {} };
      });
      const got = put.status === 200 ? await httpOnVm(remote, port, { path, hostHeader: publicHost, ...auth }) : undefined;
      await httpOnVm(remote, port, { method: 'DELETE', path, hostHeader: publicHost, ...auth }).catch(() => undefined);
      return { put, got };
    })();
    // As the UI at the public address sends it: that Host header and that Origin (the CORS check).
    const searchReq = {
      method: 'POST', path: '/api/2.0/mlflow/experiments/search', hostHeader: publicHost, body: JSON.stringify({ max_results: 1 }),
    };
    const asBrowser = (host: string) => ({ ...searchReq, hostHeader: host, headers: { ...auth.headers, Origin: `http://${host.replace(/:80$/, '')}` } });
    const names = (this.serverOptions.publicNames ?? []).map((n) => `${n.includes(':') ? `[${n}]` : n}:${port}`);
    const [health, search, { put, got }, anonymous, ...byName] = await Promise.all([
      httpOnVm(remote, port, { path: '/health' }),
      httpOnVm(remote, port, asBrowser(publicHost)),
      roundTrip,
      // --auth basic: the same call without credentials must be refused.
      this.config.auth ? httpOnVm(remote, port, searchReq) : undefined,
      // Each --public-name, as the UI opened at that name calls the API.
      ...names.map((n) => httpOnVm(remote, port, asBrowser(n)).then((r) => ({ name: n, ...r }))),
    ]);
    if (health.status !== 200) throw new StepError(`The server on ${this.target.address} answers /health with HTTP ${health.status}.`);
    for (const r of [{ name: publicHost, ...search }, ...byName]) {
      if (r.status === 403 && /Cross-origin/i.test(r.body)) {
        throw new StepError(`The server blocks API calls from the UI at http://${r.name} (403 Cross-origin request blocked): its origin is missing from --cors-allowed-origins in ${desired.layout.launcher}.`);
      }
      if (r.status === 403) {
        throw new StepError(`The server rejects the Host header "${r.name}" (403): add it to --allowed-hosts, or leave --allowed-hosts unset for the default.`);
      }
    }
    const failedName = byName.find((r) => r.status !== 200);
    if (failedName && search.status === 200) {
      throw new StepError(`An experiments search as the UI at http://${failedName.name} sends it failed with HTTP ${failedName.status}; see ${desired.layout.log}.`);
    }
    if (search.status === 401 && this.config.auth) {
      const { adminUser, database } = this.config.auth;
      throw new StepError(
        `The server refuses the admin credentials (401): user "${adminUser}" already exists in database "${database}" with another password. MLflow uses MLFLOW_AUTH_ADMIN_PASSWORD only when it creates the admin: ` +
        'set it back to the password the admin was created with, or change that password in the UI (or with POST /api/2.0/mlflow/users/update-password) first.',
      );
    }
    if (anonymous && anonymous.status !== 401) {
      throw new StepError(`Basic auth is not in force: a call without credentials got HTTP ${anonymous.status}, not 401; see ${desired.layout.log}.`);
    }
    if (search.status !== 200) {
      throw new StepError(`An experiments search through the server failed with HTTP ${search.status}: the server cannot use its database; see ${desired.layout.log}.`);
    }
    const blob = this.serverOptions.blob;
    if (blob && (put.status !== 200 || got?.status !== 200 || got.body !== payload)) {
      const failed: { status: number; body: string } = put.status !== 200 ? put : got!;
      let said = failed.body;
      try {
        said = (JSON.parse(failed.body) as { message?: string }).message ?? failed.body;
      } catch {
        // not MLflow's JSON error: show the text
      }
      const check = blob.credential.kind === 'managed-identity'
        ? `that the VM's managed identity (--azure-identity) has the role "Storage Blob Data Contributor" on the storage account ${blob.account}`
        : blob.credential.kind === 'connection-string' ? 'AZURE_STORAGE_CONNECTION_STRING' : 'AZURE_STORAGE_ACCESS_KEY';
      throw new StepError(
        `The artifact round trip through the server to ${blob.uri} failed (${put.status !== 200 ? 'PUT' : 'GET'} ${failed.status || 'timeout'}: ${said.trim().split('\n')[0]!.slice(0, 300)}): ` +
        `check ${check}, that the container ${blob.container} exists in the storage account ${blob.account}, and that the VM reaches ${blob.account}.blob.core.windows.net; see ${desired.layout.log}.`,
      );
    }
    if (put.status !== 200 || got?.status !== 200 || got.body !== payload) {
      throw new StepError(`The artifact round trip through the server failed (PUT ${put.status}, GET ${got?.status ?? '-'}): check that ${desired.layout.artifactsDir} is writable; see ${desired.layout.log}.`);
    }

    let direct = 'answers from here';
    if (!(await fromHere)) {
      direct = 'not reachable from here';
      this.warnings.push(
        `The server is healthy on the VM, but http://${publicHost}/ does not answer from this machine: open TCP port ${port} in the VM's network security group (Azure portal > VM > Networking > Add inbound port rule) and any firewall on the way.`,
      );
    } else {
      const foreign = await foreignHost;
      if (foreign === 403) direct += ', refuses a foreign Host header';
      else {
        direct += `, accepts a foreign Host header (HTTP ${foreign || 'no answer'})`;
        this.warnings.push(
          `The server answered a request with the Host header "${FOREIGN_HOST}" with HTTP ${foreign || '(none)'} instead of 403: MLflow's DNS-rebinding protection is off${(this.serverOptions.allowedHosts ?? []).includes('*') ? ' (--allowed-hosts *)' : ''}. Leave --allowed-hosts unset, or list only your own names.`,
        );
      }
    }
    if (names.length > 0) direct += `, ${names.length === 1 ? 'the public name answers' : `all ${names.length} public names answer`}`;
    const login = this.config.auth ? ` (as ${this.config.auth.adminUser}; 401 without credentials)` : '';
    return this.mark('verify', { changed: false, summary: `/health ok, experiments search ok${login}, artifact round trip ok, ${direct}` });
  }

  interrupted = false;

  interrupt(): Promise<void> {
    this.interrupted = true;
    return this.remote?.interrupt() ?? Promise.resolve();
  }

  close(): void {
    this.remote?.close();
  }

  result(error?: unknown, unreachable = false): HostResult {
    const port = this.serverOptions.port;
    const hostPart = this.target.address.includes(':') ? `[${this.target.address}]` : this.target.address;
    return {
      host: this.target.label,
      status: error ? (unreachable ? 'unreachable' : 'failed') : 'ok',
      changed: [...this.changed],
      ...(error ? {} : { url: `http://${hostPart}:${port}` }),
      ...(error ? { error: error instanceof Error ? error.message : String(error) } : {}),
      warnings: [...this.warnings],
      durationMs: Date.now() - this.started,
      log: this.log.path,
      ...(this.desired ? { artifactsDir: this.desired.artifactsRemote ?? this.desired.layout.artifactsDir } : {}),
      sshConnections: this.sshConnections,
      remoteCommands: this.remote?.execCount ?? 0,
      portForwards: this.remote?.forwardCount ?? 0,
    };
  }
}
