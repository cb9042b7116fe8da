import type { HostKeyPolicy } from '../config/config.js';
import type { Secret } from '../util/secret.js';

export interface ConnectOptions {
  /**
   * The known_hosts file for a target that does not name its own (`target.knownHosts`, set by resolveTarget
   * from --known-hosts and the ssh config); the global files are then OpenSSH's defaults.
   */
  knownHostsPath: string;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs: number;
  passphrase?: Secret;
  /** Called once when an unknown host key was recorded, with the file it was recorded in. */
  onNewHostKey?: (fingerprint: string, keyType: string, file: string) => void;
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
  /**
   * Where standard output goes instead of `stdout` (left empty): piped as bytes, with backpressure, and ended
   * when the command's output ends. For large binary output (a database dump, a tar stream).
   */
  stdoutTo?: NodeJS.WritableStream;
  /**
   * The command's standard input, piped from this stream (binary, with backpressure) and ended at its end: for
   * a large upload into a command (a dump into pg_restore). Once its input has ended a channel can no longer be
   * signalled, so Ctrl-C then ends the command by closing the connection.
   */
  stdinFrom?: NodeJS.ReadableStream;
  /** Aborted: the command is asked to stop as Ctrl-C asks it (SIGTERM to its process group); its result still comes back. */
  stop?: AbortSignal;
}
