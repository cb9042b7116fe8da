import { maskSecrets } from './secret.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A mistake in flags, environment or files: one sentence, exit 2 (EXIT.usage, set by main), nothing touched yet. */
export class UsageError extends Error {}

/** A failure on one host that the user can act on: the message says what happened and how to fix it. */
export class StepError extends Error {
  /** The host could not be reached at all (refused, timed out, no route, no such name). */
  unreachable = false;
  /** The SSH connection dropped while a remote command ran: its outcome on the VM is unknown. */
  dropped = false;

  constructor(message: string) {
    super(maskSecrets(message));
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return maskSecrets(error.message);
  return maskSecrets(String(error));
}
