import { OPTIONS, type OptionSpec } from './options.js';
import { UsageError } from '../util/errors.js';
import { requireNumber } from './validate.js';

type Source = 'flag' | 'env' | 'prompt';

/** Option values as read from flags and the environment, before prompts and defaults. */
export type Settings = Map<string, { value: unknown; source: Source }>;

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function fromEnv(spec: OptionSpec, env: NodeJS.ProcessEnv): unknown {
  for (const name of spec.env) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (spec.type === 'boolean') {
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new UsageError(`${name}="${raw}" is not a boolean; use true or false.`);
    }
    if (spec.array) return raw.split(/[\s,]+/).filter((h) => h !== '');
    return raw;
  }
  return undefined;
}

/**
 * A number option as typed (flags and the environment give text) checked against its range and made a number;
 * the message names the flag or the variable and shows the text.
 */
function numberOf(spec: OptionSpec, value: unknown, what: string): number {
  return requireNumber(value, what, spec.range ?? { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
}

/** Flags win over environment variables (and so over .env, which only fills the environment). */
export function readSettings(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, table: readonly OptionSpec[] = OPTIONS): Settings {
  const settings: Settings = new Map();
  for (const spec of table) {
    const flag = argv[spec.name] ?? argv[camel(spec.name)];
    const given = Array.isArray(flag) ? flag.length > 0 : flag !== undefined;
    if (given) {
      settings.set(spec.name, { value: spec.type === 'number' ? numberOf(spec, flag, `--${spec.name}`) : flag, source: 'flag' });
      continue;
    }
    const value = fromEnv(spec, env);
    if (value === undefined) continue;
    const variable = spec.env.find((name) => env[name] !== undefined && env[name] !== '')!;
    settings.set(spec.name, { value: spec.type === 'number' ? numberOf(spec, value, variable) : value, source: 'env' });
  }
  return settings;
}

export function getString(settings: Settings, name: string): string | undefined {
  const v = settings.get(name)?.value;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // A string option given twice reaches here as yargs' array of its values: joined, as String() always did.
  return Array.isArray(v) ? v.join(',') : JSON.stringify(v);
}

export function getBool(settings: Settings, name: string): boolean {
  return settings.get(name)?.value === true;
}
