import type { HostTarget, ProvisionConfig, ServerOptions } from '../config/config.js';
import type { DatabaseReport } from '../checks/database.js';
import type { ServedCertificate } from '../checks/http.js';
import type { RemoteCommand } from '../plan/commands.js';
import type { Facts } from '../plan/facts.js';
import type { Desired } from '../plan/plan.js';
import { CommandStalled, ConnectionDropped, HostUnreachable, Interrupted, StepError, errorMessage } from '../util/errors.js';
import { basicAuthHeader, type Masker, type Secret } from '../util/secret.js';
import { showUntrusted } from '../util/visible-text.js';
import type { HostLog } from './host-log.js';
import { realHostIO, type HostConnection, type HostIO } from './host-io.js';
import { SchemaGate } from './schema-gate.js';
import { StallWatch, isStatusLine, stallSeconds } from './stall-watch.js';
import type { Action, StepDef, StepId, StepOutcome } from './steps/step.js';
import { urlHost } from '../util/url-host.js';

export type { StepId, StepOutcome } from './steps/step.js';

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
}

/**
 * One host's provisioning over one connection: the state the steps share, the executor that runs a step
 * (plan → dry run or actions → mark), and the result. The steps themselves are data (run/steps/).
 */
export class HostRun {
  connection?: HostConnection;
  facts?: Facts;
  desired?: Desired;
  readonly changed: StepId[] = [];
  readonly warnings: string[] = [];
  readonly notes: RunNotes = { restartNeeded: false };
  /** A basic-auth session key made in this run (only when the VM has none yet). */
  flaskKey?: Secret;
  /** The configuration fingerprint's salt, made in this run when no live server has one. */
  fingerprintSalt?: string;
  interrupted = false;
  sshConnections = 0;
  private emitLine: (line: string) => void = () => undefined;
  private readonly started = Date.now();
  /** This host's server settings: the run's, with its hosts-file overrides. */
  readonly serverOptions: ServerOptions;

  constructor(
    readonly target: HostTarget,
    readonly config: ProvisionConfig,
    readonly log: HostLog,
    readonly schemaGate: SchemaGate = new SchemaGate(),
    readonly io: HostIO = realHostIO,
  ) {
    this.serverOptions = { ...config.server, ...target.overrides };
  }

  /** Where the current step's remote output goes (the task's output), besides the log. */
  onLine(fn: (line: string) => void): void {
    this.emitLine = fn;
  }

  /** This host's masker (the log's): the laptop's secrets and the values read from this VM. */
  get masker(): Masker {
    return this.log.masker;
  }

  /** The VM's text as the user may see it: masked for this host, then its control characters made visible. */
  shown(text: string): string {
    return showUntrusted(this.masker.mask(text));
  }

  say(line: string): void {
    this.log.write(line);
    this.emitLine(this.shown(line));
  }

  /** The one executor: every step runs through here, in the order of STEPS. */
  async execute(step: StepDef): Promise<StepOutcome> {
    if (this.interrupted) throw new Interrupted('Interrupted before this step.');
    if (!('plan' in step)) return this.mark(step.id, await step.run(this));
    const plan = step.plan({ facts: this.need(this.facts), desired: this.need(this.desired), config: this.config });
    if (!plan.change) return this.mark(step.id, { changed: false, summary: plan.reason });
    if (this.config.dryRun) {
      step.onDryRun?.(this, plan);
      return this.mark(step.id, { changed: true, summary: plan.reason });
    }
    if (step.apply) return this.mark(step.id, await step.apply(this, plan));
    await this.perform(plan.actions);
    return this.mark(step.id, { changed: true, summary: plan.applied ?? plan.reason });
  }

  async perform(actions: Action[]): Promise<void> {
    for (const a of actions) {
      if (a.kind === 'run') await this.run(a.command);
      else {
        if (this.interrupted) throw new Interrupted(`Interrupted before ${a.path} was uploaded.`);
        await this.conn.writeFileAtomic(a.path, a.content, a.mode);
        this.say(`uploaded ${a.path} (0${a.mode.toString(8)})`);
      }
    }
  }

  /** Runs one remote command, streaming its lines; a failure becomes one sentence naming the command. */
  async run(c: RemoteCommand): Promise<string> {
    const conn = this.conn;
    if (this.interrupted) throw new Interrupted(`Interrupted before "${c.label}" was started.`);
    this.log.write(`$ ${c.label}`);
    if (this.config.output.verbose) this.emitLine(`$ ${c.label}`);
    const stop = new AbortController();
    const watch = c.stall ? new StallWatch(stallSeconds(c.stall.seconds, this.config.aptStallSeconds), () => stop.abort()) : undefined;
    const res = await conn
      .exec(c.command, {
        timeoutSec: c.timeoutSec,
        onLine: (l) => {
          if (watch && !watch.line(l)) return; // apt's status lines: progress, not for the user
          if (!/^log_offset=\d+$/.test(l)) this.say(l); // the start command's note for itself
        },
        ...(c.stdin ? { stdin: `${c.stdin.reveal()}\n` } : {}),
        stop: stop.signal,
      })
      .finally(() => watch?.stop())
      .catch((err: unknown) => {
        if (err instanceof ConnectionDropped && this.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running.`);
        if (err instanceof ConnectionDropped) {
          throw new ConnectionDropped(
            `The SSH connection to ${this.target.address} dropped while "${c.label}" was running; rerun provision to continue from there.`,
          );
        }
        throw err;
      });
    if (res.code !== 0 && this.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running.`);
    if (watch?.fired && c.stall) {
      const said = watch.lastLine ? `; the last line it printed was "${this.shown(watch.lastLine)}"` : ' and printed nothing';
      throw new CommandStalled(
        `"${c.label}" on ${this.target.address} showed no progress for ${watch.seconds} s and was stopped${said}: ${c.stall.check}, then rerun provision to continue.`,
      );
    }
    if (res.code !== 0) {
      const last =
        `${res.stderr}\n${res.stdout}`
          .trim()
          .split('\n')
          .filter((l) => l.trim() !== '' && !isStatusLine(l))
          .slice(-1)[0] ?? '';
      const why = res.code === 124 ? `timed out after ${c.timeoutSec} s` : res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
      throw new StepError(`"${c.label}" failed on ${this.target.address} (${why})${last ? `: ${this.shown(last.trim())}` : ''}.`);
    }
    return res.stdout;
  }

  /** A wait on the VM ends at once on Ctrl-C or when the connection is gone, not at its deadline. */
  stopIfGone(waitingFor: string): void {
    if (this.interrupted) throw new Interrupted(`Interrupted while waiting for ${waitingFor}.`);
    if (this.connection?.isClosed) {
      throw new ConnectionDropped(`The SSH connection to ${this.target.address} dropped while waiting for ${waitingFor}; rerun provision to continue.`);
    }
  }

  /** --auth basic: the admin's credentials for API calls (the encoded form is masked like the password). */
  authHeaders(): { headers?: Record<string, string> } {
    const auth = this.config.auth;
    if (!auth) return {};
    return { headers: basicAuthHeader(auth.adminUser, auth.adminPassword) };
  }

  get conn(): HostConnection {
    return this.need(this.connection);
  }

  need<T>(v: T | undefined): T {
    if (v === undefined) throw new Error('step ran out of order');
    return v;
  }

  private mark(step: StepId, outcome: StepOutcome): StepOutcome {
    if (outcome.changed) this.changed.push(step);
    this.log.write(`== ${step}: ${outcome.changed ? 'changed' : 'unchanged'} (${outcome.summary})`);
    return outcome;
  }

  interrupt(): Promise<void> {
    this.interrupted = true;
    return this.connection?.interrupt() ?? Promise.resolve();
  }

  close(): void {
    this.connection?.close();
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
      changed: [...this.changed],
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
