import type { HostTarget } from '../config/config.js';
import type { RemoteCommand } from '../action/action.js';
import type { DatabaseSettings } from '../render/backend-uri.js';
import { checkDatabase, createDatabase, loadDatabaseDriver, type DatabaseReport } from '../checks/database.js';
import { httpDirect, httpOnVm, type HttpRequest, type HttpResponse } from '../checks/http.js';
import { Remote } from '../ssh/connection.js';
import type { ConnectOptions, ExecOptions, ExecResult } from '../ssh/types.js';
import type { Secret } from '../util/secret.js';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { FileSink, type StreamedFile } from './file-sink.js';

/** A command whose standard output went to a local file: how it ended, and the file's size and SHA-256. */
export type StreamedResult = Omit<ExecResult, 'stdout'> & StreamedFile;

/** A command whose standard input came from a local file: how it ended, and the bytes it was sent. */
export type FedResult = ExecResult & { bytes: number };

/**
 * One VM as a host run uses it: commands, uploads, HTTP and the database check through the VM. This is the
 * one seam unit tests replace (test/unit/fake-host.ts): behind it is one ssh2 connection.
 */
export interface HostConnection {
  /**
   * Runs a command (see Remote.exec): the exit status comes back, never thrown. The command's kind says what
   * it does (a test's VM answers by it); its text is what runs.
   */
  exec(command: RemoteCommand, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs a command and writes its standard output into a new local file (0600, never overwriting), streamed
   * and binary-safe: the exit status comes back with the bytes written and their SHA-256. `onBytes` hears the
   * running count.
   */
  execToFile(command: RemoteCommand, path: string, options?: ExecOptions & { onBytes?: (bytes: number) => void }): Promise<StreamedResult>;
  /**
   * Runs a command with a local file as its standard input (streamed, binary-safe, ended at the file's end):
   * the exit status and the bytes sent. `onBytes` hears the running count.
   */
  execFromFile(command: RemoteCommand, path: string, options?: ExecOptions & { onBytes?: (bytes: number) => void }): Promise<FedResult>;
  writeFileAtomic(path: string, content: string | Secret, mode: number): Promise<void>;
  /** HTTP to 127.0.0.1:port on the VM, through a channel the VM opens. */
  http(port: number, req: HttpRequest): Promise<HttpResponse>;
  /** Postgres as the VM reaches it (checks/database.ts); `missing` replaces the sentence for a missing database. */
  checkDatabase(db: DatabaseSettings, timeoutMs?: number, missing?: string): Promise<DatabaseReport>;
  createDatabase(via: DatabaseSettings, name: string): Promise<void>;
  /** Ctrl-C: stops the running commands, then closes. */
  interrupt(): Promise<void>;
  close(): void;
  readonly isClosed: boolean;
  /** Remote commands run so far (exec channels). */
  readonly execCount: number;
  /** Port-forward channels opened so far. */
  readonly forwardCount: number;
}

/** How a host run reaches the world: the VM (one connection), and the VM's port straight from this machine. */
export interface HostIO {
  connect(target: HostTarget, options: ConnectOptions): Promise<HostConnection>;
  httpDirect(host: string, port: number, req: HttpRequest): Promise<HttpResponse>;
  /** Starts loading the database driver while the SSH handshake waits on the network. */
  warmUp(): void;
}

class RemoteHost implements HostConnection {
  constructor(private readonly remote: Remote) {}

  exec(command: RemoteCommand, options?: ExecOptions): Promise<ExecResult> {
    return this.remote.exec(command.command, options);
  }

  execToFile(command: RemoteCommand, path: string, options: ExecOptions & { onBytes?: (bytes: number) => void } = {}): Promise<StreamedResult> {
    const { onBytes, ...exec } = options;
    return streamToFile(path, onBytes, (sink) => this.remote.exec(command.command, { ...exec, stdoutTo: sink }));
  }

  async execFromFile(command: RemoteCommand, path: string, options: ExecOptions & { onBytes?: (bytes: number) => void } = {}): Promise<FedResult> {
    const { onBytes, ...exec } = options;
    const file = createReadStream(path);
    // Counted on the way through, not by a 'data' listener on the file: that would start the file flowing
    // before the channel is open, and the first bytes would be lost. The pipe holds them until then.
    let bytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        onBytes?.(bytes);
        done(null, chunk);
      },
    });
    file.on('error', (err) => counted.destroy(err));
    try {
      const res = await this.remote.exec(command.command, { ...exec, stdinFrom: file.pipe(counted) });
      return { ...res, bytes };
    } finally {
      file.destroy();
    }
  }

  writeFileAtomic(path: string, content: string | Secret, mode: number): Promise<void> {
    return this.remote.writeFileAtomic(path, content, mode);
  }

  http(port: number, req: HttpRequest): Promise<HttpResponse> {
    return httpOnVm(this.remote, port, req);
  }

  checkDatabase(db: DatabaseSettings, timeoutMs?: number, missing?: string): Promise<DatabaseReport> {
    return checkDatabase(this.remote, db, timeoutMs, missing);
  }

  createDatabase(via: DatabaseSettings, name: string): Promise<void> {
    return createDatabase(this.remote, via, name);
  }

  interrupt(): Promise<void> {
    return this.remote.interrupt();
  }

  close(): void {
    this.remote.close();
  }

  get isClosed(): boolean {
    return this.remote.isClosed;
  }

  get execCount(): number {
    return this.remote.execCount;
  }

  get forwardCount(): number {
    return this.remote.forwardCount;
  }
}

/**
 * A command's output into a new local file: the file is complete (all written, closed) when this resolves. A
 * command that fails to run (connection dropped) leaves the file closed, and the error comes through.
 */
export async function streamToFile(
  path: string,
  onBytes: ((bytes: number) => void) | undefined,
  run: (sink: FileSink) => Promise<ExecResult>,
): Promise<StreamedResult> {
  const sink = new FileSink(path, onBytes);
  let res: ExecResult;
  try {
    res = await run(sink);
  } catch (err) {
    sink.destroy();
    throw err;
  }
  const file = await sink.written();
  return { code: res.code, ...(res.signal ? { signal: res.signal } : {}), stderr: res.stderr, ...file };
}

/** The real world: ssh2, pg and node:http. */
export const realHostIO: HostIO = {
  connect: async (target, options) => new RemoteHost(await Remote.connect(target, options)),
  httpDirect,
  warmUp: () => void loadDatabaseDriver().catch(() => undefined),
};
