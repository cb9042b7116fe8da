// A scripted VM behind the one seam of a host run (src/run/host-io.ts): it answers commands, uploads, HTTP
// and the database check from a small model (is the server up, which MLflow is installed), and records what
// happened in order. It answers a command by its kind (src/action/action.ts), never by its shell text. Unit
// tests drive the real sessions and steps of every command through it; the lab tests the real thing.
import type { DatabaseReport } from '../../src/checks/database.js';
import { httpOnVmFailure, type HttpRequest, type HttpResponse } from '../../src/checks/http.js';
import type { CommandKind, RemoteCommand } from '../../src/action/action.js';
import { readFileSync } from 'node:fs';
import { streamToFile, type FedResult, type HostConnection, type HostIO, type StreamedResult } from '../../src/run/host-io.js';
import type { ExecOptions, ExecResult } from '../../src/ssh/types.js';
import { ConnectionDropped } from '../../src/util/errors.js';
import type { Secret } from '../../src/util/secret.js';

export interface FakeVmOptions {
  /** The probe's output (fixtures/probe/*.txt, filled in). */
  probe: string;
  /** The MLflow version pip leaves installed (default: the version in an `mlflow==X` spec, else the probe's). */
  installs?: string;
  serverUp?: boolean;
  /** The running server is MLflow's basic-auth app (before any upload says so). */
  authApp?: boolean;
  database?: Partial<DatabaseReport>;
  /** Replaces the model's answer to a request on the VM (undefined: the model answers). */
  answer?: (req: HttpRequest) => HttpResponse | undefined;
  /** /health straight from the test machine answers (the NSG is open). */
  reachableFromHere?: boolean;
  /** The schema revisions the installed MLflow's migrations hold (one a line), as the VM lists them. */
  revisions?: string[];
  /** The running server is wedged (e.g. SIGSTOPped): it holds its port but answers nothing until it is stopped. */
  wedged?: boolean;
  /** Commands of this kind never end by themselves (until interrupted, stopped, or the connection drops). */
  hangOn?: CommandKind;
  /** What a hanging command prints before it hangs. */
  hangAfter?: string[];
  /** The connection drops when a command of this kind starts. */
  dropOn?: CommandKind;
  /** `status` and the lifecycle commands: the launcher's and the secrets file's lines (default: what was uploaded). */
  launcher?: string[];
  secrets?: string[];
  /** The log's last lines, and its size in bytes (default 1 KiB when there are lines). */
  log?: string[];
  /** Commands of these kinds exit 1 with this line on standard error. */
  failOn?: Partial<Record<CommandKind, string>>;
  /** `remove --purge-artifacts`: what the VM says of the recorded folder (purge-check output). */
  purgeCheck?: string;
  /** Replaces the model's standard output for commands of these kinds (e.g. `backup-check`). */
  stdoutOf?: Partial<Record<CommandKind, string>>;
  /** What a streamed command (execToFile) prints, by kind; a kind in failOn prints half of it, then fails. */
  streams?: Partial<Record<CommandKind, Buffer>>;
  /** The database check once `db-upgrade` has run (e.g. a migration that left a new revision). */
  databaseAfterUpgrade?: Partial<DatabaseReport>;
}

export class FakeVm implements HostConnection {
  /** Everything that happened, in order: command kinds, `upload <path> <mode>`, `http <METHOD> <path>`. */
  readonly events: string[] = [];
  readonly uploads = new Map<string, { content: string; mode: number }>();
  readonly artifacts = new Map<string, string>();
  /** Every command run, as the tool built it. */
  readonly commandsRun: RemoteCommand[] = [];
  /** What commands fed from a local file (execFromFile) received on standard input, in order. */
  readonly fed: { kind: CommandKind; bytes: Buffer }[] = [];
  serverUp: boolean;
  wedged: boolean;
  mlflowVersion: string | undefined;
  /** The MLflow of the venv kept aside (upgrade-keep-venv), put back by upgrade-restore-venv. */
  keptVersion: string | undefined;
  /** The MLflow each server start ran on, in order. */
  readonly startedVersions: Array<string | undefined> = [];
  private upgradeRan = false;
  isClosed = false;
  execCount = 0;
  forwardCount = 0;
  private readonly hanging = new Set<(r: ExecResult) => void>();

  constructor(readonly options: FakeVmOptions) {
    this.serverUp = options.serverUp ?? false;
    this.wedged = options.wedged ?? false;
    this.mlflowVersion = /^mlflow_version=(.*)$/m.exec(options.probe)?.[1];
  }

  /** Events of one kind family: commands only (no uploads, no HTTP). */
  get commands(): string[] {
    return this.events.filter((e) => !e.startsWith('upload ') && !e.startsWith('http '));
  }

  /** The fake answers by the command's kind, never by its shell text. */
  exec(command: RemoteCommand, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.isClosed) return Promise.reject(new ConnectionDropped('The SSH connection to the fake VM is closed.'));
    this.execCount += 1;
    const kind = command.kind;
    this.events.push(kind);
    this.commandsRun.push(command);
    if (kind === this.options.dropOn) {
      this.isClosed = true;
      return Promise.reject(new ConnectionDropped('The SSH connection to the fake VM dropped while a command was running; rerun provision to continue.'));
    }
    if (kind === this.options.hangOn) {
      for (const line of this.options.hangAfter ?? []) options.onLine?.(line, 'stdout');
      return new Promise((resolve) => {
        this.hanging.add(resolve);
        // A stop (the stall watchdog) ends it as `timeout` ends a command on SIGTERM.
        options.stop?.addEventListener('abort', () => {
          this.hanging.delete(resolve);
          this.events.push(`stopped ${kind}`);
          resolve({ code: 143, signal: 'TERM', stdout: (this.options.hangAfter ?? []).join('\n'), stderr: '' });
        });
      });
    }
    const out = (stdout: string, code = 0): Promise<ExecResult> => {
      for (const line of stdout.split('\n').filter(Boolean)) options.onLine?.(line, 'stdout');
      return Promise.resolve({ code, stdout, stderr: '' });
    };
    if (kind === 'db-upgrade') this.upgradeRan = true;
    const failure = this.options.failOn?.[kind];
    if (failure !== undefined) return Promise.resolve({ code: 1, stdout: '', stderr: `${failure}\n` });
    const scripted = this.options.stdoutOf?.[kind];
    if (scripted !== undefined) return out(scripted);
    switch (kind) {
      case 'probe':
        return out(this.options.probe);
      case 'status-probe':
        return out(this.statusProbe());
      case 'read-files':
        return out(this.serverFiles());
      case 'journal':
        return out('2026-12-06T08:00:00+0000 vm systemd[1]: Started mlflow-server.service - MLflow tracking server.\n');
      case 'backup-check':
        return out('pg_dump=pg_dump (PostgreSQL) 16.4\nos_codename=bookworm\nartifacts=present\nartifacts_bytes=2048\n');
      case 'purge-check':
        return out(this.options.purgeCheck ?? '');
      case 'log-follow':
        return this.follow(options);
      case 'pip-install':
        // The version is the command's parameter (its label names the spec), not how the fake recognises it.
        this.mlflowVersion = this.options.installs ?? /mlflow(?:\[[a-z,]+\])?==([0-9.]+)/.exec(command.label)?.[1] ?? this.mlflowVersion ?? '3.17.2';
        return out('Installed 1 package');
      case 'mlflow-version':
        return out(`${this.mlflowVersion}\n`);
      case 'mlflow-revisions':
        return out(`${(this.options.revisions ?? []).join('\n')}\n`);
      case 'upgrade-keep-venv':
        this.keptVersion = this.mlflowVersion;
        return out('');
      case 'upgrade-restore-venv':
        this.mlflowVersion = this.keptVersion;
        this.keptVersion = undefined;
        return out('');
      case 'upgrade-drop-venv':
        this.keptVersion = undefined;
        return out('');
      case 'start':
        this.startedVersions.push(this.mlflowVersion);
        this.serverUp = true;
        return out('log_offset=0\nstarted pid 5001\n');
      case 'stop':
        this.serverUp = false;
        this.wedged = false;
        return out('stopped process group(s) 4242\n');
      case 'unit-start':
        this.serverUp = true;
        return out('log_offset=0\nstarted pid 6001 under systemd\n');
      case 'unit-stop':
      case 'unit-remove':
        this.serverUp = false;
        this.wedged = false;
        return out('');
      case 'alive':
        return out('', this.serverUp ? 0 : 1);
      default:
        return out('');
    }
  }

  /** The status probe: the probe's facts, then the server's files and log as `status` reads them. */
  private statusProbe(): string {
    const uploaded = (name: string) => this.uploads.get(`/home/azureuser/${name}`)?.content.split('\n').filter(Boolean);
    const launcher = this.options.launcher ?? uploaded('start-mlflow-server.sh') ?? [];
    const secrets = this.options.secrets ?? uploaded('.mlflow-server.env') ?? [];
    const log = this.options.log ?? [];
    const lines = [
      'sys_uptime=1000.00',
      'clk_tck=100',
      ...launcher.map((l) => `launcher_line=${l}`),
      ...secrets.map((l) => `secret_line=${l}`),
      ...log.map((l) => `log_line=${l}`),
      ...(log.length > 0 ? ['log_file=1024 /home/azureuser/mlflow-server.log'] : []),
    ];
    return this.options.probe.replace('probe_done=1', `${lines.join('\n')}\nprobe_done=1`);
  }

  /** The launcher, secrets and auth files base64-encoded, as the fingerprint read prints them. */
  private serverFiles(): string {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const text = (lines: string[] | undefined) => (lines === undefined ? undefined : `${lines.join('\n')}\n`);
    const launcher = text(this.options.launcher) ?? this.uploads.get('/home/azureuser/start-mlflow-server.sh')?.content;
    const secrets = text(this.options.secrets) ?? this.uploads.get('/home/azureuser/.mlflow-server.env')?.content;
    // The PID file keeps the fingerprint's salt (also after a stop): the probe's record of it.
    const salt = /^server_fingerprint_salt=(.*)$/m.exec(this.options.probe)?.[1];
    return [launcher !== undefined ? `launcher=${b64(launcher)}` : '', secrets !== undefined ? `secrets=${b64(secrets)}` : '', salt ? `salt=${salt}` : '']
      .filter(Boolean)
      .join('\n');
  }

  /** `logs --follow`: two new lines, then it runs until the connection closes (Ctrl-C). */
  private follow(options: ExecOptions): Promise<ExecResult> {
    options.onLine?.('a new line', 'stdout');
    options.onLine?.('another new line', 'stdout');
    if (this.isClosed) return Promise.resolve({ code: 143, signal: 'TERM', stdout: '', stderr: '' });
    return new Promise((resolve) => this.hanging.add(resolve));
  }

  /** A streamed command: its bytes (streams[kind]) into the local file, in two chunks; failOn: half, then exit 1. */
  execToFile(command: RemoteCommand, path: string, options: ExecOptions & { onBytes?: (bytes: number) => void } = {}): Promise<StreamedResult> {
    if (this.isClosed) return Promise.reject(new ConnectionDropped('The SSH connection to the fake VM is closed.'));
    this.execCount += 1;
    this.events.push(command.kind);
    this.commandsRun.push(command);
    const bytes = this.options.streams?.[command.kind] ?? Buffer.from(`${command.kind} output\n`);
    const failure = this.options.failOn?.[command.kind];
    const half = Math.floor(bytes.length / 2);
    return streamToFile(path, options.onBytes, async (sink) => {
      sink.write(bytes.subarray(0, half));
      if (command.kind === this.options.dropOn) {
        this.isClosed = true;
        throw new ConnectionDropped('The SSH connection to the fake VM dropped while a command was running; rerun provision to continue.');
      }
      if (failure !== undefined) return { code: 1, stdout: '', stderr: `${failure}\n` };
      sink.write(bytes.subarray(half));
      return { code: 0, stdout: '', stderr: '' };
    });
  }

  /** A command fed from a local file: the file's bytes are recorded as received; failOn: exit 1 after reading them. */
  execFromFile(command: RemoteCommand, path: string, options: ExecOptions & { onBytes?: (bytes: number) => void } = {}): Promise<FedResult> {
    if (this.isClosed) return Promise.reject(new ConnectionDropped('The SSH connection to the fake VM is closed.'));
    this.execCount += 1;
    this.events.push(command.kind);
    this.commandsRun.push(command);
    const bytes = readFileSync(path);
    this.fed.push({ kind: command.kind, bytes });
    options.onBytes?.(bytes.length);
    if (command.kind === this.options.dropOn) {
      this.isClosed = true;
      return Promise.reject(new ConnectionDropped('The SSH connection to the fake VM dropped while a command was running; rerun provision to continue.'));
    }
    const failure = this.options.failOn?.[command.kind];
    if (failure !== undefined) return Promise.resolve({ code: 1, stdout: '', stderr: `${failure}\n`, bytes: bytes.length });
    return Promise.resolve({ code: 0, stdout: '', stderr: '', bytes: bytes.length });
  }

  async writeFileAtomic(path: string, content: string | Secret, mode: number): Promise<void> {
    if (this.isClosed) throw new ConnectionDropped('The SSH connection to the fake VM is closed.');
    this.events.push(`upload ${path} ${mode.toString(8)}`);
    this.uploads.set(path, { content: typeof content === 'string' ? content : content.reveal(), mode });
  }

  async http(port: number, req: HttpRequest): Promise<HttpResponse> {
    this.forwardCount += 1;
    this.events.push(`http ${req.method ?? 'GET'} ${req.path}`);
    if (!this.serverUp) throw new Error('connection refused');
    if (this.wedged) throw httpOnVmFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { vm: '10.0.0.4', port, req });
    const scripted = this.options.answer?.(req);
    if (scripted) return scripted;
    const authorized = !this.authRequired() || Boolean(req.headers?.Authorization);
    if (req.path === '/health') return { status: 200, body: 'OK' };
    if (req.path.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) {
      if (req.method === 'PUT') this.artifacts.set(req.path, String(req.body));
      if (req.method === 'DELETE') this.artifacts.delete(req.path);
      if (req.method === 'PUT' || req.method === 'DELETE') return { status: 200, body: '{}' };
      return { status: 200, body: this.artifacts.get(req.path) ?? '' };
    }
    if (req.path === '/api/2.0/mlflow/experiments/search')
      return authorized ? { status: 200, body: '{"experiments":[]}' } : { status: 401, body: 'unauthorized' };
    return { status: 404, body: '' };
  }

  /** The launcher the run uploaded (or the probe's) runs the basic-auth app. */
  private authRequired(): boolean {
    return this.options.authApp === true || /--app-name basic-auth/.test(this.uploads.get('/home/azureuser/start-mlflow-server.sh')?.content ?? '');
  }

  async checkDatabase(db: { database: string }): Promise<DatabaseReport> {
    this.forwardCount += 1;
    this.events.push(`http DB ${db.database}`);
    return {
      serverVersion: '16.4',
      canCreateTables: true,
      hasMlflowSchema: false,
      hasAuthSchema: false,
      canCreateDatabase: false,
      encrypted: true,
      transport: 'TLS',
      ...this.options.database,
      ...(this.upgradeRan ? this.options.databaseAfterUpgrade : {}),
    };
  }

  async createDatabase(_via: unknown, name: string): Promise<void> {
    this.events.push(`create-database ${name}`);
  }

  /** Ctrl-C: a hanging command ends as `timeout` ends it on SIGTERM (exit 143), then the connection closes. */
  async interrupt(): Promise<void> {
    for (const end of this.hanging) end({ code: 143, signal: 'TERM', stdout: '', stderr: '' });
    this.hanging.clear();
    this.isClosed = true;
  }

  close(): void {
    this.isClosed = true;
  }
}

/** The seam: connect gives the fake VM; HTTP from here reaches it when the NSG is open. */
export function fakeIO(vm: FakeVm): HostIO {
  return {
    connect: async () => vm,
    httpDirect: async (_host, _port, req) => {
      if (vm.options.reachableFromHere === false || !vm.serverUp) throw new Error('connect ETIMEDOUT');
      if (req.hostHeader === 'dns-rebinding-check.invalid') return { status: 403, body: 'Invalid Host header' };
      return { status: 200, body: 'OK' };
    },
    warmUp: () => undefined,
  };
}

/** One IO over several fake VMs, each found by its address: a batch or a fleet through the real executor. */
export function fakeFleetIO(byAddress: ReadonlyMap<string, FakeVm>): HostIO {
  return {
    connect: async (target) => byAddress.get(target.address)!,
    httpDirect: (host, port, req) => fakeIO(byAddress.get(host)!).httpDirect(host, port, req),
    warmUp: () => undefined,
  };
}
