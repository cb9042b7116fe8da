import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import type { HostTarget } from '../config/config.js';
import { shq } from '../util/shell-quote.js';
import { ConnectionDropped, ForwardTimeout, Interrupted, StepError } from '../util/errors.js';
import { maskSecrets, type Secret } from '../util/secret.js';
import { logIn } from './login.js';
import type { ConnectOptions, ExecOptions, ExecResult } from './types.js';

/** How long one SFTP request may go unanswered (a write of 32 KiB, a rename) before the upload fails. */
export const SFTP_REQUEST_TIMEOUT_MS = 30_000;

/** What the network checks need of a connection: a channel the VM opens to host:port, and whom it reaches. */
export type Forwarder = Pick<Remote, 'forward' | 'target'>;

/**
 * One SSH connection to one VM. Every exec, SFTP upload and port-forward rides on it.
 */
export class Remote {
  execCount = 0;
  /** Channels opened to host:port by the VM (database check, HTTP checks). */
  forwardCount = 0;
  private sftpSession?: Promise<SFTPWrapper>;
  private readonly active = new Set<ClientChannel>();
  /** Set while interrupt() waits for the running commands to end. */
  private onIdle: (() => void) | undefined;
  private closed = false;
  /** Set by interrupt(): operations cut short by the closing connection say "Interrupted", not "dropped". */
  private interrupting = false;
  /** SFTP requests in flight: ssh2 never calls their callbacks once the connection is gone, so we fail them. */
  private readonly pending = new Set<() => void>();

  /**
   * `refusedKey`: why the connection was closed by our own host-key check at a re-key (the server presented
   * another key mid-connection); every operation it cuts short then says that, not "dropped".
   */
  private constructor(
    readonly client: Client,
    readonly target: HostTarget,
    private readonly refusedKey: () => StepError | undefined = () => undefined,
    /** The jump hosts' connections, first hop first: closed with this one. */
    private readonly hops: Client[] = [],
  ) {
    const gone = () => {
      this.closed = true;
      for (const fail of [...this.pending]) fail();
      for (const hop of [...hops].reverse()) hop.end();
    };
    client.on('end', gone);
    client.on('close', gone);
    // ssh2 can emit 'error' more than once (e.g. a timeout, then "Connection lost"); an 'error' without a
    // listener kills the process, and every other host of a batch with it. The connection is then gone.
    client.on('error', gone);
  }

  private droppedError(what: string): StepError {
    const refused = this.refusedKey();
    if (refused) return refused; // not a drop: we closed it, and the message says why
    return this.interrupting
      ? new Interrupted(`Interrupted ${what}.`)
      : new ConnectionDropped(`The SSH connection to ${this.target.address} dropped ${what}; rerun provision to continue.`);
  }

  /**
   * One SFTP request (or the session's opening), bounded: it fails when the connection goes away or after
   * `timeoutMs`, since ssh2 never calls back on a dead channel and an unanswered request would otherwise
   * leave the run waiting forever (Node then exits as if all were well).
   */
  private bounded<T>(what: string, fn: (cb: (err: Error | null | undefined, v?: T) => void) => void, timeoutMs = SFTP_REQUEST_TIMEOUT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) {
        reject(this.droppedError(what));
        return;
      }
      let done = false;
      const finish = (err: Error | null | undefined, v?: T) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(fail);
        if (err) reject(err);
        else resolve(v as T);
      };
      const fail = () => finish(this.droppedError(what));
      const timer = setTimeout(() => {
        finish(new StepError(`${this.target.address} did not answer within ${Math.round(timeoutMs / 1000)} s ${what}; rerun provision to continue.`));
      }, timeoutMs);
      this.pending.add(fail);
      try {
        fn(finish);
      } catch (err) {
        finish(err as Error);
      }
    });
  }

  /** The SSH connection to the VM, host key verified, through its jump hosts if it has any (ssh/login.ts). */
  static async connect(target: HostTarget, options: ConnectOptions): Promise<Remote> {
    const login = await logIn(target, options);
    return new Remote(login.client, target, login.refusedKey, login.hops);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Runs a command through the user's login shell, bounded by a remote `timeout` and a local backstop.
   * Output is streamed line by line; the exit status (or signal) is returned, never thrown.
   */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const timeoutSec = options.timeoutSec ?? 600;
    // `exec`: the login shell becomes `timeout`, so a signal sshd delivers for the channel reaches it, and
    // timeout passes it on to the command's whole process group (sudo relays it to apt and the like).
    const script = options.stdin === undefined && options.stdinFrom === undefined ? `exec </dev/null\n${command}` : command;
    const wrapped = `exec timeout --kill-after=10 ${timeoutSec} bash -c ${shq(script)}`;
    this.execCount += 1;
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new ConnectionDropped(`The SSH connection to ${this.target.address} is closed.`));
        return;
      }
      if (this.onIdle) {
        reject(new Interrupted('Interrupted: no new command was started.'));
        return;
      }
      // ssh2 may never answer a channel request on a connection that dies meanwhile.
      let opened = false;
      const failOpen = () => {
        if (!opened) reject(this.droppedError('while a command was being started'));
      };
      this.pending.add(failOpen);
      this.client.exec(wrapped, (err, channel) => {
        opened = true;
        this.pending.delete(failOpen);
        if (err) {
          reject(new StepError(`Could not run a command on ${this.target.address}: ${err.message}.`));
          return;
        }
        this.active.add(channel);
        channel.on('error', () => undefined); // the 'close' below reports how the command ended
        channel.stderr.on('error', () => undefined);
        const out = { stdout: '', stderr: '' };
        const partial = { stdout: '', stderr: '' };
        const feed = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
          const text = chunk.toString('utf8');
          out[stream] += text;
          if (!options.onLine) return;
          const lines = (partial[stream] + text).split(/\r?\n|\r/);
          partial[stream] = lines.pop() ?? '';
          for (const line of lines) options.onLine(maskSecrets(line), stream);
        };
        let code: number | null = null;
        let signal: string | undefined;
        const backstop = setTimeout(
          () => {
            channel.close();
            reject(new StepError(`A remote command on ${this.target.address} did not finish within ${timeoutSec + 15} s.`));
          },
          (timeoutSec + 15) * 1000,
        );
        // A stop (the stall watchdog) signals the command like Ctrl-C does; a channel that then does not close
        // within the grace period is closed here, and the command counts as ended by that signal.
        let stopped = false;
        const stop = () => {
          stopped = true;
          channel.signal('TERM');
          setTimeout(() => channel.close(), 10_000).unref();
        };
        if (options.stop?.aborted) stop();
        else options.stop?.addEventListener('abort', stop, { once: true });
        // stdoutTo: the output is piped (binary, with backpressure: the VM waits while the sink is busy), not kept.
        if (options.stdoutTo) channel.pipe(options.stdoutTo);
        else channel.on('data', (d: Buffer) => feed('stdout', d));
        channel.stderr.on('data', (d: Buffer) => feed('stderr', d));
        channel.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s ?? undefined;
        });
        channel.on('close', () => {
          clearTimeout(backstop);
          this.active.delete(channel);
          if (this.active.size === 0) this.onIdle?.();
          for (const stream of ['stdout', 'stderr'] as const) {
            if (partial[stream] !== '' && options.onLine) options.onLine(maskSecrets(partial[stream]), stream);
          }
          // OpenSSH always reports an exit status or a signal; a channel that closes without either means
          // the connection went away (sshd killed, VM rebooted, network lost), whatever the order in which
          // ssh2 reports the channel and the connection closing.
          options.stop?.removeEventListener('abort', stop);
          if (code === null && signal === undefined && stopped && !this.closed) {
            resolve({ code: 143, signal: 'TERM', ...out });
            return;
          }
          if (code === null && signal === undefined) {
            reject(this.droppedError('while a command was running'));
            return;
          }
          resolve({ code: code ?? (signal ? 128 : 255), ...(signal ? { signal } : {}), ...out });
        });
        if (options.stdin !== undefined) channel.write(options.stdin);
        else if (options.stdinFrom) {
          // A local file that fails to read must not leave the command waiting for input forever.
          options.stdinFrom.on('error', () => channel.close());
          options.stdinFrom.pipe(channel);
        }
      });
    });
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= this.bounded<SFTPWrapper>('while opening SFTP', (cb) =>
      this.client.sftp((err, sftp) => {
        sftp?.on('error', () => undefined); // a dead session fails its pending requests (bounded) instead
        cb(err, sftp);
      }),
    ).catch((err: unknown) => {
      this.sftpSession = undefined;
      if (err instanceof StepError) throw err;
      throw new StepError(`Could not open SFTP on ${this.target.address}: ${(err as Error).message}.`);
    });
    return this.sftpSession;
  }

  /**
   * Writes a file atomically: a temporary file next to it is written, chmod'ed, then renamed over the old
   * one, so a full disk or a dropped connection leaves the previous file intact. A temporary file left by
   * a connection that died mid-upload is removed by the next run (see the probe's `leftover_upload`).
   */
  async writeFileAtomic(path: string, content: string | Secret, mode: number): Promise<void> {
    const sftp = await this.sftp();
    const data = Buffer.from(typeof content === 'string' ? content : content.reveal(), 'utf8');
    const tmp = `${path}.provision-${randomBytes(4).toString('hex')}`;
    const what = `while uploading ${path}`;
    try {
      const handle = await this.bounded<Buffer>(what, (cb) => sftp.open(tmp, 'w', { mode }, cb));
      try {
        let offset = 0;
        while (offset < data.length) {
          const len = Math.min(32768, data.length - offset);
          await this.bounded(what, (cb) => sftp.write(handle, data, offset, len, offset, cb));
          offset += len;
        }
        await this.bounded(what, (cb) => sftp.fchmod(handle, mode, cb));
      } finally {
        await this.bounded(what, (cb) => sftp.close(handle, cb)).catch(() => undefined);
      }
      await this.bounded(what, (cb) => sftp.ext_openssh_rename(tmp, path, cb));
    } catch (err) {
      if (err instanceof StepError) throw err; // the connection dropped or did not answer: unlink cannot run
      await this.bounded(what, (cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
      const reason = (err as Error).message;
      const full = /no space|quota|failure/i.test(reason) ? " (is the VM's disk full?)" : '';
      throw new StepError(`Uploading ${path} to ${this.target.address} failed: ${reason}${full}. The previous file, if any, is unchanged.`);
    }
  }

  /** A TCP connection opened by the VM to host:port, as a stream (what `ssh -L` does). */
  forward(host: string, port: number, timeoutMs = 10000): Promise<ClientChannel> {
    this.forwardCount += 1;
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(Object.assign(new Error('the SSH connection is closed'), { code: 'FORWARD_FAILED' }));
        return;
      }
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new ForwardTimeout(`no answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        clearTimeout(timer);
        if (timedOut) {
          channel?.close();
          return;
        }
        if (err) reject(Object.assign(err, { code: 'FORWARD_FAILED' }));
        else {
          channel.on('error', () => undefined); // its user (pg, http) reads errors from the stream as well
          resolve(channel);
        }
      });
    });
  }

  /**
   * Ctrl-C: asks every running remote command to stop (SIGTERM reaches `timeout`, which passes it to the
   * whole process group, sudo and apt included), then closes the connection.
   */
  interrupt(graceMs = 3000): Promise<void> {
    this.interrupting = true;
    for (const channel of this.active) channel.signal('TERM');
    return new Promise((resolve) => {
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        this.onIdle = undefined;
        this.close();
        resolve();
      };
      if (this.active.size === 0) return done();
      // Done when the last command has ended, or after the grace period (a server that ignores signals).
      this.onIdle = done;
      setTimeout(done, graceMs).unref();
    });
  }

  close(): void {
    if (!this.closed) {
      this.sftpSession?.then((s) => s.end()).catch(() => undefined);
      this.client.end();
    }
    for (const hop of [...this.hops].reverse()) hop.end();
  }
}
