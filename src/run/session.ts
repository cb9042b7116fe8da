import type { HostTarget, ProvisionConfig } from '../config/config.js';
import { isUpload, type Action, type RemoteCommand } from '../action/action.js';
import type { ExecResult } from '../ssh/types.js';
import { CommandStalled, ConnectionDropped, Interrupted, ProbeIncomplete, StepError } from '../util/errors.js';
import type { Masker } from '../util/secret.js';
import { showUntrusted } from '../util/visible-text.js';
import type { HostLog } from './host-log.js';
import { realHostIO, type HostConnection, type HostIO } from './host-io.js';
import { StallWatch, isStatusLine, stallSeconds } from './stall-watch.js';
import type { Step, StepOutcome } from './step.js';

/** What a session needs of a command's settings: how to reach the VM, how much to show, whether to act. */
export interface SessionSettings {
  ssh: ProvisionConfig['ssh'];
  output: { verbose: boolean };
  dryRun: boolean;
  /** --apt-stall-seconds: the stall bound of every command that has one (else the command's own). */
  aptStallSeconds?: number;
}

/** The line a probe script ends with: without it the VM's answer was cut short. */
const PROBE_DONE = 'probe_done=1';

/**
 * One VM for one command, over one SSH connection: the connection (through the HostIO seam), the host's
 * log and masker, Ctrl-C, and the one executor every command's steps run on. Provisioning (HostRun), `status`
 * and the lifecycle commands add their own state on top.
 */
export class HostSession {
  connection?: HostConnection;
  interrupted = false;
  sshConnections = 0;
  /** The steps that changed something, in order. */
  readonly changed: string[] = [];
  /** The last step's summary: what a command that ends with one step reports. */
  lastSummary = '';
  readonly started = Date.now();
  private emitLine: (line: string) => void = () => undefined;

  constructor(
    readonly target: HostTarget,
    readonly settings: SessionSettings,
    readonly log: HostLog,
    readonly io: HostIO = realHostIO,
  ) {}

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

  /** Opens the one SSH connection (host key checked); `onNewHostKey` hears of a key recorded on first use. */
  async connect(onNewHostKey?: (fingerprint: string, type: string, recordedIn: string) => void): Promise<void> {
    const { ssh } = this.settings;
    this.sshConnections += 1;
    this.io.warmUp();
    this.connection = await this.io.connect(this.target, {
      knownHostsPath: ssh.knownHostsPath,
      hostKeyPolicy: ssh.hostKeyPolicy,
      connectTimeoutMs: ssh.connectTimeoutMs,
      ...(ssh.passphrase ? { passphrase: ssh.passphrase } : {}),
      ...(onNewHostKey ? { onNewHostKey } : {}),
    });
  }

  /** The one executor: every step of every command runs through here, in its command's order. */
  async execute(step: Step<this>): Promise<StepOutcome> {
    if (this.interrupted) throw new Interrupted('Interrupted before this step.');
    if (!('plan' in step)) return this.mark(step.id, await step.run(this));
    const plan = step.plan(this);
    if (!plan.change) return this.mark(step.id, { changed: false, summary: plan.reason });
    if (this.settings.dryRun) {
      step.onDryRun?.(this, plan);
      return this.mark(step.id, { changed: true, summary: plan.reason });
    }
    if (step.apply) return this.mark(step.id, await step.apply(this, plan));
    await this.perform(plan.actions);
    return this.mark(step.id, { changed: true, summary: plan.applied ?? plan.reason });
  }

  /** Runs the actions in order; the last command's output comes back. */
  async perform(actions: Action[]): Promise<string> {
    let output = '';
    for (const a of actions) {
      if (!isUpload(a)) {
        output = await this.run(a);
        continue;
      }
      if (this.interrupted) throw new Interrupted(`Interrupted before ${a.path} was uploaded.`);
      await this.conn.writeFileAtomic(a.path, a.content, a.mode);
      this.say(`uploaded ${a.path} (0${a.mode.toString(8)})`);
    }
    return output;
  }

  /** Runs one remote command, streaming its lines; a failure becomes one sentence naming the command. */
  async run(c: RemoteCommand): Promise<string> {
    if (this.interrupted) throw new Interrupted(`Interrupted before "${c.label}" was started.`);
    this.log.write(`$ ${c.label}`);
    if (this.settings.output.verbose) this.emitLine(`$ ${c.label}`);
    const stop = new AbortController();
    const watch = c.stall ? new StallWatch(stallSeconds(c.stall.seconds, this.settings.aptStallSeconds), () => stop.abort()) : undefined;
    const res = await this.exec(c, {
      stop: stop.signal,
      onLine: (l) => {
        if (watch && !watch.line(l)) return; // apt's status lines: progress, not for the user
        if (!/^log_offset=\d+$/.test(l)) this.say(l); // the start command's note for itself
      },
    }).finally(() => watch?.stop());
    if (res.code !== 0 && this.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running.`);
    if (watch?.fired && c.stall) {
      const said = watch.lastLine ? `; the last line it printed was "${this.shown(watch.lastLine)}"` : ' and printed nothing';
      throw new CommandStalled(
        `"${c.label}" on ${this.target.address} showed no progress for ${watch.seconds} s and was stopped${said}: ${c.stall.check}, then rerun provision to continue.`,
      );
    }
    if (res.code !== 0) throw new StepError(this.failure(c, res));
    return res.stdout;
  }

  /** Runs a command that reads the VM: its result, a non-zero exit included (nothing streams to the task). */
  read(c: RemoteCommand, onLine?: (line: string) => void): Promise<ExecResult> {
    if (this.interrupted) return Promise.reject(new Interrupted(`Interrupted before "${c.label}" was started.`));
    return this.exec(c, onLine ? { onLine } : {});
  }

  /** A probe script's output; a cut answer (no closing line) is one sentence with the last error line. */
  async readProbe(c: RemoteCommand): Promise<string> {
    const res = await this.read(c);
    if (!res.stdout.includes(PROBE_DONE)) {
      throw new ProbeIncomplete(`Reading the VM's state failed (exit ${res.code}): ${this.shown(res.stderr.trim().split('\n').slice(-1)[0] ?? '')}`);
    }
    return res.stdout;
  }

  /** The one sentence for a failed command: which, on which VM, why, and its last line. */
  private failure(c: RemoteCommand, res: ExecResult): string {
    const last =
      `${res.stderr}\n${res.stdout}`
        .trim()
        .split('\n')
        .filter((l) => l.trim() !== '' && !isStatusLine(l))
        .slice(-1)[0] ?? '';
    const why = res.code === 124 ? `timed out after ${c.timeoutSec} s` : res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
    return `"${c.label}" failed on ${this.target.address} (${why})${last ? `: ${this.shown(last.trim())}` : ''}.`;
  }

  /** A command over the connection; a dropped connection becomes one sentence (or Interrupted, after Ctrl-C). */
  private exec(c: RemoteCommand, options: { onLine?: (line: string) => void; stop?: AbortSignal }): Promise<ExecResult> {
    return this.conn
      .exec(c, {
        timeoutSec: c.timeoutSec,
        ...(options.onLine ? { onLine: options.onLine } : {}),
        ...(c.stdin ? { stdin: `${c.stdin.reveal()}\n` } : {}),
        ...(options.stop ? { stop: options.stop } : {}),
      })
      .catch((err: unknown) => {
        if (err instanceof ConnectionDropped && this.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running.`);
        if (err instanceof ConnectionDropped) {
          throw new ConnectionDropped(
            `The SSH connection to ${this.target.address} dropped while "${c.label}" was running; rerun provision to continue from there.`,
          );
        }
        throw err;
      });
  }

  /** A wait on the VM ends at once on Ctrl-C or when the connection is gone, not at its deadline. */
  stopIfGone(waitingFor: string): void {
    if (this.interrupted) throw new Interrupted(`Interrupted while waiting for ${waitingFor}.`);
    if (this.connection?.isClosed) {
      throw new ConnectionDropped(`The SSH connection to ${this.target.address} dropped while waiting for ${waitingFor}; rerun provision to continue.`);
    }
  }

  get conn(): HostConnection {
    return this.need(this.connection);
  }

  need<T>(v: T | undefined): T {
    if (v === undefined) throw new Error('step ran out of order');
    return v;
  }

  protected mark(step: string, outcome: StepOutcome): StepOutcome {
    if (outcome.changed) this.changed.push(step);
    this.lastSummary = outcome.summary;
    this.log.write(`== ${step}: ${outcome.changed ? 'changed' : 'unchanged'} (${outcome.summary})`);
    return outcome;
  }

  /** Ctrl-C: the running commands are signalled, then the connection closes. */
  interrupt(): Promise<void> {
    this.interrupted = true;
    return this.connection?.interrupt() ?? Promise.resolve();
  }

  close(): void {
    this.connection?.close();
  }
}
