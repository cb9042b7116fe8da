import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { safeJson, showUntrusted } from './visible-text.js';

export const MASK = '***';

/** Secrets at least this long are masked wherever they occur, shorter ones only as a whole word. */
const MASK_ANYWHERE_LENGTH = 8;

/** Bumped on every new secret anywhere: a masker's sorted list is rebuilt then (masking runs on every write). */
let generation = 0;

/**
 * The forms a value takes in what we print or a VM logs: raw; percent-encoded as encodeURIComponent writes it
 * (upper-case hex) and as stricter encoders write it (also ! ' ( ) *), each with lower-case hex too; JSON-escaped (JSON.stringify, and safeJson as our --json writes it);
 * base64 (an Authorization header, a config dump), with and without its padding; and as showUntrusted shows it
 * (a value with a control character, once made visible, is still masked).
 */
function formsOf(value: string): string[] {
  const percent = encodeURIComponent(value);
  // RFC 3986's strict form, as Python's quote() and libpq's tools write it: also ! ' ( ) * encoded.
  const strict = percent.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const lower = (text: string) => text.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  return [
    value,
    percent,
    lower(percent),
    strict,
    lower(strict),
    JSON.stringify(value).slice(1, -1),
    safeJson(value).slice(1, -1),
    base64,
    base64.replace(/=+$/, ''),
    showUntrusted(value),
  ];
}

/**
 * Masking by value for one scope. `LAPTOP` holds the secrets this machine knows (flags, environment, .env,
 * prompts, keys it makes): they mask everything, every stream and every host. A host's masker adds the values
 * read from that VM (its secrets file, the password in its URI): they mask only what that VM said (its
 * output, its log, its report's fields), so one VM's file cannot blank words in another VM's report. A VM's
 * value shorter than `minLength` is not registered: provision never writes one that short, and a VM that
 * writes one would only blank common words of its own lines.
 */
export class Masker {
  readonly #values = new Set<string>();
  #sorted?: { generation: number; values: string[] };

  constructor(
    private readonly parent?: Masker,
    private readonly minLength = 1,
  ) {}

  add(value: string): void {
    if (value.length < this.minLength) return;
    for (const form of formsOf(value)) if (form.length > 0) this.#values.add(form);
    generation += 1;
  }

  /** Every value this masker masks, its parent's included. */
  private values(): string[] {
    if (this.#sorted?.generation !== generation) {
      const all = new Set([...(this.parent?.values() ?? []), ...this.#values]);
      // Longest first, so a secret containing another is masked whole.
      this.#sorted = { generation, values: [...all].sort((a, b) => b.length - a.length) };
    }
    return this.#sorted.values;
  }

  /**
   * Replaces every value with `***`. By value, not by substring: a short secret (a 3-letter password) is
   * masked only where it stands as a word of its own, not inside other words, where "***abase" would spell out
   * that the password is "dat". Longer values are masked wherever they appear.
   */
  mask(text: string): string {
    let out = text;
    for (const value of this.values()) if (out.includes(value)) out = maskOne(out, value);
    return out;
  }
}

/** The secrets this machine knows: they mask everything (see Masker). */
export const LAPTOP = new Masker();

/** The minimum length of a value read from a VM for its host's masker (see Masker). */
export const VM_SECRET_MIN_LENGTH = 4;

/** A masker for what one VM says: the laptop's secrets and that VM's own. */
export function hostMasker(): Masker {
  return new Masker(LAPTOP, VM_SECRET_MIN_LENGTH);
}

/**
 * A value that must never be printed. Every way of turning it into text (template strings, JSON,
 * util.inspect, console.log, error messages) yields `***`; only `reveal()` gives the raw value. It is called
 * only where the value must leave this process or be checked, in these files (test/unit/secret-reveal.test.ts
 * keeps the list true): here (the basic-auth header); render/ (the 0600 secrets file, the backend URI, the
 * configuration fingerprint); checks/database.ts (the database driver); config/keys.ts and ssh/client-auth.ts
 * (the SSH key's passphrase); ssh/connection.ts (SFTP uploads); run/session.ts (a secret on a remote command's standard input);
 * config/config.ts (the rules a given password must meet), config/blob-settings.ts (the account in a connection string); config/tls.ts
 * (whether --tls-key is a key and belongs to --tls-cert).
 */
export class Secret {
  readonly #value: string;

  /**
   * `masker`: where the value is masked; the laptop's (everywhere) unless it was read from a VM, then that
   * host's; `null` for a VM's value read where its host's masker is not at hand (`maskIn` registers it later).
   */
  constructor(value: string, masker: Masker | null = LAPTOP) {
    this.#value = value;
    masker?.add(value);
  }

  /** Masks the value in `masker`'s scope too, without revealing it. */
  maskIn(masker: Masker): void {
    masker.add(this.#value);
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

/** An HTTP basic-auth header; the encoded form is a secret too, so it is masked like the password (in the same scope). */
export function basicAuthHeader(user: string, password: Secret, masker: Masker = LAPTOP): Record<string, string> {
  const token = new Secret(Buffer.from(`${user}:${password.reveal()}`, 'utf8').toString('base64'), masker);
  return { Authorization: `Basic ${token.reveal()}` };
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

function maskOne(text: string, value: string): string {
  if (value.length >= MASK_ANYWHERE_LENGTH) return text.split(value).join(MASK);
  let result = '';
  let from = 0;
  for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
    if (at < from) continue;
    const end = at + value.length;
    const alone = !(isWordChar(value[0]) && isWordChar(text[at - 1])) && !(isWordChar(value[value.length - 1]) && isWordChar(text[end]));
    if (!alone) continue;
    result += text.slice(from, at) + MASK;
    from = end;
  }
  return result + text.slice(from);
}

/**
 * Defence in depth for text that came from somewhere we do not control (remote output, driver errors):
 * replaces every secret this machine knows, in each of its forms, with `***` (LAPTOP.mask). A VM's own
 * values are masked by that host's masker, where its text is handled.
 */
export function maskSecrets(text: string): string {
  return LAPTOP.mask(text);
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
