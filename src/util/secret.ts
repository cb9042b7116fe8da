import { inspect } from 'node:util';

export const MASK = '***';

const registry = new Set<string>();

/**
 * A value that must never be printed. Every way of turning it into text (template strings, JSON,
 * util.inspect, console.log, error messages) yields `***`; only `reveal()` gives the raw value, and the
 * only callers of `reveal()` are the renderers of the 0600 secrets file and the database driver.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    if (value.length > 0) {
      registry.add(value);
      registry.add(encodeURIComponent(value));
    }
  }

  reveal(): string {
    return this.#value;
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

/**
 * Defence in depth for text that came from somewhere we do not control (remote output, driver errors):
 * replaces every known secret, raw or percent-encoded, with `***`.
 */
export function maskSecrets(text: string): string {
  let out = text;
  for (const value of registry) {
    if (value.length >= 3 && out.includes(value)) out = out.split(value).join(MASK);
  }
  return out;
}
