import { createHash } from 'node:crypto';
import { inspect } from 'node:util';

export const MASK = '***';

const registry = new Set<string>();
/** The registry's values, longest first; rebuilt after a new secret (masking runs on every write). */
let longestFirst: string[] | undefined;

/**
 * A value that must never be printed. Every way of turning it into text (template strings, JSON,
 * util.inspect, console.log, error messages) yields `***`; only `reveal()` gives the raw value. It is called
 * only where the value must leave this process or be checked, in these files (test/unit/secret-reveal.test.ts
 * keeps the list true): here (the basic-auth header); render/ (the 0600 secrets file, the backend URI, the
 * configuration fingerprint); checks/database.ts (the database driver); config/keys.ts and ssh/client-auth.ts
 * (the SSH key's passphrase); ssh/connection.ts (SFTP uploads); run/host-run.ts (a secret on a remote command's standard input);
 * config/config.ts (the rules a given password must meet, the account in a connection string); config/tls.ts
 * (whether --tls-key is a key and belongs to --tls-cert).
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    if (value.length > 0) {
      // The forms a value takes in what we print: raw, percent-encoded (URIs) and JSON-escaped (--json).
      registry.add(value);
      registry.add(encodeURIComponent(value));
      registry.add(JSON.stringify(value).slice(1, -1));
      longestFirst = undefined;
    }
  }

  reveal(): string {
    return this.#value;
  }

  /** The value's SHA-256 (hex), to compare with a file on the VM without revealing it. */
  sha256(): string {
    return createHash('sha256').update(this.#value).digest('hex');
  }

  /** Whether the value matches, without revealing it (validation). */
  matches(pattern: RegExp): boolean {
    return pattern.test(this.#value);
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}

/** An HTTP basic-auth header; the encoded form is a secret too, so it is masked like the password. */
export function basicAuthHeader(user: string, password: Secret): Record<string, string> {
  const token = new Secret(Buffer.from(`${user}:${password.reveal()}`, 'utf8').toString('base64'));
  return { Authorization: `Basic ${token.reveal()}` };
}

/** Secrets at least this long are masked wherever they occur, shorter ones only as a whole word. */
const MASK_ANYWHERE_LENGTH = 8;

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/**
 * Defence in depth for text that came from somewhere we do not control (remote output, driver errors):
 * replaces every known secret, raw or percent-encoded, with `***`. Masking by value, not by substring: a
 * short secret (a 3-letter password) is masked only where it stands as a value of its own, not inside
 * other words, where "***abase" would spell out that the password is "dat". Longer values are masked
 * wherever they appear. Longest first, so a secret containing another is masked whole.
 */
export function maskSecrets(text: string): string {
  let out = text;
  longestFirst ??= [...registry].sort((a, b) => b.length - a.length);
  for (const value of longestFirst) {
    if (!out.includes(value)) continue;
    if (value.length >= MASK_ANYWHERE_LENGTH) {
      out = out.split(value).join(MASK);
      continue;
    }
    let result = '';
    let from = 0;
    for (let at = out.indexOf(value); at >= 0; at = out.indexOf(value, at + 1)) {
      if (at < from) continue;
      const end = at + value.length;
      const alone = !(isWordChar(value[0]) && isWordChar(out[at - 1])) && !(isWordChar(value[value.length - 1]) && isWordChar(out[end]));
      if (!alone) continue;
      result += out.slice(from, at) + MASK;
      from = end;
    }
    out = result + out.slice(from);
  }
  return out;
}

/**
 * Every byte that leaves the process through these streams is masked: installed before anything is printed,
 * so the task list, the summary, --json, warnings and errors all pass through it, whichever code wrote them.
 * (A secret split across two writes is not caught; the task list and the reports write whole lines.)
 */
export function maskStreams(...streams: NodeJS.WriteStream[]): void {
  for (const stream of streams) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') return write(maskSecrets(chunk), ...rest);
      if (chunk instanceof Uint8Array) {
        // Only text is masked: `rest[0]` may name the encoding of a string, never of a buffer.
        return write(Buffer.from(maskSecrets(Buffer.from(chunk).toString('utf8')), 'utf8'), ...rest);
      }
      return write(chunk, ...rest);
    };
  }
}
