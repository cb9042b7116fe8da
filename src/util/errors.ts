import { maskSecrets } from './secret.js';
import { showUntrustedLines } from './visible-text.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A mistake in flags, environment or files: one sentence, exit 2, nothing touched yet. */
export class UsageError extends Error {
  readonly exitCode: number = EXIT.usage;
}

/** The user cancelled a prompt (Ctrl-C at a question): exit 130, nothing touched. */
export class Cancelled extends UsageError {
  override readonly exitCode: number = EXIT.interrupted;
}

/** A failure on one host that the user can act on: the message says what happened and how to fix it. */
export class StepError extends Error {
  readonly exitCode: number = EXIT.failed;

  constructor(message: string) {
    // Messages embed the VM's text (stderr, log lines): masked, then its control characters made visible.
    super(showUntrustedLines(maskSecrets(message)));
    this.name = new.target.name;
  }
}

/** Ctrl-C (or SIGTERM) stopped the work: exit 130. */
export class Interrupted extends StepError {
  override readonly exitCode: number = EXIT.interrupted;
}

/** The host could not be reached at all (refused, timed out, no route, no such name). */
export class HostUnreachable extends StepError {}

/** The SSH connection dropped while something ran on it: its outcome on the VM is unknown. */
export class ConnectionDropped extends StepError {}

/** The VM opened no channel to a port in time (a database or server that does not answer). */
export class ForwardTimeout extends StepError {
  readonly code = 'FORWARD_TIMEOUT';
}

/** The probe's output ended before its end marker: the VM's state is unknown, so nothing is decided. */
export class ProbeIncomplete extends StepError {}

/**
 * A long remote command showed no sign of life for its bound (run/stall-watch.ts) and was stopped: e.g. apt
 * waiting on a mirror or proxy that accepted the connection and then sent nothing. A rerun continues.
 */
export class CommandStalled extends StepError {}

/** The exit code an error stands for: its own when it names one, else 1. */
export function exitCodeOf(error: unknown): number {
  return error instanceof StepError || error instanceof UsageError ? error.exitCode : EXIT.failed;
}

export function errorMessage(error: unknown): string {
  return showUntrustedLines(maskSecrets(error instanceof Error ? error.message : String(error)));
}
