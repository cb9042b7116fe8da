import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { HostKeyPolicy, HostTarget } from '../config/config.js';
import {
  appendKnownHost,
  fingerprint,
  knownHostsName,
  keyTypeOf,
  knownKeyTypes,
  readKnownHosts,
  verifyHostKey,
} from '../hosts/known-hosts.js';
import { shq } from '../remote/quote.js';
import { StepError } from '../util/errors.js';
import { maskSecrets, type Secret } from '../util/secret.js';
import { describeConnectError } from './errors.js';

export interface ConnectOptions {
  knownHostsPath: string;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs: number;
  passphrase?: Secret;
  /** Called once when an unknown host key was recorded. */
  onNewHostKey?: (fingerprint: string, keyType: string) => void;
}

export interface ExecResult {
  code: number;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Each complete output line, as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Enforced on the VM with coreutils `timeout`, and locally as a backstop. */
  timeoutSec?: number;
  /**
   * Written to the command's standard input WITHOUT an end-of-file: ssh2 can no longer signal a channel
   * whose input was ended, and Ctrl-C must reach every running command. So the command must read only what
   * it needs (e.g. one line with `read`) and never wait for end-of-file. Without `stdin`, standard input
   * is /dev/null.
   */
  stdin?: string;
}

/** Algorithm names a known_hosts key type can be negotiated as. */
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const ALL_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
];

function keyCandidates(target: HostTarget, passphrase?: Secret): Array<Record<string, unknown>> {
  const methods: Array<Record<string, unknown>> = [];
  const pass = passphrase?.reveal();
  const explicit = target.identityFiles.length > 0;
  if (explicit) {
    for (const file of target.identityFiles) {
      methods.push({ type: 'publickey', username: target.user, key: readFileSync(file), ...(pass ? { passphrase: pass } : {}) });
    }
  }
  if (process.env.SSH_AUTH_SOCK) methods.push({ type: 'agent', username: target.user, agent: process.env.SSH_AUTH_SOCK });
  if (!explicit) {
    for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const file = join(homedir(), '.ssh', name);
      if (existsSync(file)) methods.push({ type: 'publickey', username: target.user, key: readFileSync(file), ...(pass ? { passphrase: pass } : {}) });
    }
  }
  return methods;
}

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

  private constructor(readonly client: Client, readonly target: HostTarget) {
    const gone = () => {
      this.closed = true;
    };
    client.on('end', gone);
    client.on('close', gone);
  }

  static connect(target: HostTarget, options: ConnectOptions): Promise<Remote> {
    const name = knownHostsName(target.address, target.port);
    const entries = readKnownHosts(options.knownHostsPath);
    const known = knownKeyTypes(entries, name);
    const preferred = known.flatMap((t) => HOST_KEY_ALGORITHMS[t] ?? []);
    const methods = keyCandidates(target, options.passphrase);
    if (methods.length === 0) {
      return Promise.reject(new StepError(
        'No SSH key to log in with: pass --identity-file, load a key into ssh-agent, or create ~/.ssh/id_ed25519.',
      ));
    }
    let hostKeyProblem: StepError | undefined;

    const client = new Client();
    const config: ConnectConfig = {
      host: target.address,
      port: target.port,
      username: target.user,
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: 5000,
      keepaliveCountMax: 4,
      authHandler: methods as unknown as ConnectConfig['authHandler'],
      algorithms: {
        serverHostKey: [...new Set([...preferred, ...ALL_HOST_KEY_ALGORITHMS])] as never,
      },
      hostVerifier: (key: Buffer) => {
        const verdict = verifyHostKey(entries, name, key);
        const fp = fingerprint(key);
        if (verdict.status === 'match') return true;
        if (verdict.status === 'revoked') {
          hostKeyProblem = new StepError(`The host key of ${name} (${fp}) is marked @revoked in ${options.knownHostsPath} line ${verdict.line}; refusing to connect.`);
          return false;
        }
        if (verdict.status === 'changed') {
          hostKeyProblem = new StepError(
            `The host key of ${name} has CHANGED (now ${fp}; ${options.knownHostsPath} line ${verdict.line} holds another ${verdict.knownType} key). ` +
            `This may be a reinstalled VM or an attack. If you expect it, run: ssh-keygen -R ${shq(name)} -f ${shq(options.knownHostsPath)} and rerun.`,
          );
          return false;
        }
        if (options.hostKeyPolicy === 'strict') {
          hostKeyProblem = new StepError(
            `${name} is not in ${options.knownHostsPath} (key ${fp}) and --host-key-policy is strict: verify the fingerprint and add it (e.g. ssh-keyscan), or use --host-key-policy accept-new.`,
          );
          return false;
        }
        appendKnownHost(options.knownHostsPath, name, key);
        options.onNewHostKey?.(fp, keyTypeOf(key));
        return true;
      },
    };

    return new Promise((resolve, reject) => {
      let settled = false;
      client.once('ready', () => {
        settled = true;
        resolve(new Remote(client, target));
      });
      client.once('error', (err: NodeJS.ErrnoException & { level?: string }) => {
        if (settled) return;
        settled = true;
        client.end();
        if (hostKeyProblem) {
          reject(hostKeyProblem);
          return;
        }
        const failure = new StepError(describeConnectError(err, target, options.connectTimeoutMs));
        failure.unreachable = err.level !== 'client-authentication' && err.level !== 'protocol';
        reject(failure);
      });
      client.once('close', () => {
        if (settled) return;
        settled = true;
        reject(hostKeyProblem ?? new StepError(`${target.address}:${target.port} closed the SSH connection before login finished.`));
      });
      client.connect(config);
      // Nagle's algorithm on our side plus delayed ACKs on the VM's stall every small request (a channel
      // open, an exec, an HTTP check) by up to 40 ms: send each SSH packet at once.
      client.setNoDelay(true);
    });
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
    const script = options.stdin === undefined ? `exec </dev/null\n${command}` : command;
    const wrapped = `exec timeout --kill-after=10 ${timeoutSec} bash -c ${shq(script)}`;
    this.execCount += 1;
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new StepError(`The SSH connection to ${this.target.address} is closed.`));
        return;
      }
      if (this.onIdle) {
        reject(new StepError('Interrupted: no new command was started.'));
        return;
      }
      this.client.exec(wrapped, (err, channel) => {
        if (err) {
          reject(new StepError(`Could not run a command on ${this.target.address}: ${err.message}.`));
          return;
        }
        this.active.add(channel);
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
        const backstop = setTimeout(() => {
          channel.close();
          reject(new StepError(`A remote command on ${this.target.address} did not finish within ${timeoutSec + 15} s.`));
        }, (timeoutSec + 15) * 1000);
        channel.on('data', (d: Buffer) => feed('stdout', d));
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
          if (code === null && signal === undefined) {
            const dropped = new StepError(`The SSH connection to ${this.target.address} dropped while a command was running; rerun provision to continue.`);
            dropped.dropped = true;
            reject(dropped);
            return;
          }
          resolve({ code: code ?? (signal ? 128 : 255), ...(signal ? { signal } : {}), ...out });
        });
        if (options.stdin !== undefined) channel.write(options.stdin);
      });
    });
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise((resolve, reject) => {
      this.client.sftp((err, sftp) => (err ? reject(new StepError(`Could not open SFTP on ${this.target.address}: ${err.message}.`)) : resolve(sftp)));
    });
    return this.sftpSession;
  }

  /**
   * Writes a file atomically: a temporary file next to it is written, chmod'ed, then renamed over the old
   * one, so a full disk or a dropped connection leaves the previous file intact.
   */
  async writeFileAtomic(path: string, content: string | Secret, mode: number): Promise<void> {
    const sftp = await this.sftp();
    const data = Buffer.from(typeof content === 'string' ? content : content.reveal(), 'utf8');
    const tmp = `${path}.provision-${randomBytes(4).toString('hex')}`;
    const call = <T>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void) =>
      new Promise<T>((res, rej) => fn((err, v) => (err ? rej(err) : res(v as T))));
    try {
      const handle = await call<Buffer>((cb) => sftp.open(tmp, 'w', { mode }, cb));
      try {
        let offset = 0;
        while (offset < data.length) {
          const len = Math.min(32768, data.length - offset);
          await call((cb) => sftp.write(handle, data, offset, len, offset, cb));
          offset += len;
        }
        await call((cb) => sftp.fchmod(handle, mode, cb));
      } finally {
        await call((cb) => sftp.close(handle, cb)).catch(() => undefined);
      }
      await call((cb) => sftp.ext_openssh_rename(tmp, path, cb));
    } catch (err) {
      await call((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
      const reason = (err as Error).message;
      const full = /no space|quota|failure/i.test(reason) ? ' (is the VM\'s disk full?)' : '';
      throw new StepError(`Uploading ${path} to ${this.target.address} failed: ${reason}${full}. The previous file, if any, is unchanged.`);
    }
  }

  /** A TCP connection opened by the VM to host:port, as a stream (what `ssh -L` does). */
  forward(host: string, port: number, timeoutMs = 10000): Promise<ClientChannel> {
    this.forwardCount += 1;
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(Object.assign(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`), { code: 'FORWARD_TIMEOUT' }));
      }, timeoutMs);
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        clearTimeout(timer);
        if (timedOut) {
          channel?.close();
          return;
        }
        if (err) reject(Object.assign(err, { code: 'FORWARD_FAILED' }));
        else resolve(channel);
      });
    });
  }

  /**
   * Ctrl-C: asks every running remote command to stop (SIGTERM reaches `timeout`, which passes it to the
   * whole process group, sudo and apt included), then closes the connection.
   */
  interrupt(graceMs = 3000): Promise<void> {
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
    if (this.closed) return;
    this.sftpSession?.then((s) => s.end()).catch(() => undefined);
    this.client.end();
  }
}

/** node-postgres and node:http treat their stream as a net.Socket; an SSH channel needs these no-ops. */
export function socketShim<T extends Duplex>(stream: T): T {
  const s = stream as unknown as Record<string, unknown>;
  s.setNoDelay = () => stream;
  s.setKeepAlive = () => stream;
  s.setTimeout = () => stream;
  s.ref = () => stream;
  s.unref = () => stream;
  s.connect = () => {
    process.nextTick(() => stream.emit('connect'));
    return stream;
  };
  return stream;
}
