import { PROVISION_OPTIONS, specOf, type OptionName, type OptionSpec, type OptionValue, type ValueWithDefault } from './options.js';
import { UsageError } from '../util/errors.js';
import { Secret } from '../util/secret.js';
import { requireNumber } from './validate.js';

type Source = 'flag' | 'env' | 'prompt' | 'stdin';

/** Option values as read from flags, the environment, standard input and prompts; defaults are not in it. */
export type Settings = Map<string, { value: unknown; source: Source }>;

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function fromEnv(spec: OptionSpec, env: NodeJS.ProcessEnv): unknown {
  for (const name of spec.env) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    // Made a Secret as soon as it is read: from here on the value is masked in everything this machine prints.
    if (spec.type === 'secret') return new Secret(raw);
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
export function readSettings(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, table: readonly OptionSpec[] = PROVISION_OPTIONS): Settings {
  const settings: Settings = new Map();
  for (const spec of table) {
    const flag = spec.type === 'secret' ? undefined : (argv[spec.name] ?? argv[camel(spec.name)]);
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

/** A flag's or variable's value as text (yargs may give a number or a boolean where text was typed). */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** An option's value as given (flag, environment, stdin or prompt), in the option's type; undefined when not given. */
export function given<N extends OptionName>(settings: Settings, name: N): OptionValue<N> | undefined {
  const v = settings.get(name)?.value;
  if (v === undefined || v === null) return undefined;
  const spec = specOf(name);
  if (spec.type === 'string' && spec.array) return (Array.isArray(v) ? v.map(text) : [text(v)]) as OptionValue<N>;
  // A string option given twice reaches here as yargs' array of its values: joined, as String() always did.
  if (spec.type === 'string') return Array.isArray(v) ? v.map(text).join(',') : text(v);
  return v as OptionValue<N>;
}

/** The option's default value from the table. */
export function defaultOf<N extends OptionName>(name: N): ValueWithDefault<N> {
  return specOf(name).default as ValueWithDefault<N>;
}

/** An option's value as given, else its default from the table. */
export function valueOf<N extends OptionName>(settings: Settings, name: N): ValueWithDefault<N> {
  return given(settings, name) ?? defaultOf(name);
}

/** A boolean option: on only when given as true. */
export function isOn(settings: Settings, name: OptionName): boolean {
  return settings.get(name)?.value === true;
}

/** Where an option's value came from, for a message that names the flag or the variable. */
export function sourceOf(settings: Settings, name: OptionName): Source | undefined {
  return settings.get(name)?.source;
}

/** A value read after the flags and the environment: a prompt's answer, or standard input. */
export function supply<N extends OptionName>(settings: Settings, name: N, value: OptionValue<N>, source: 'prompt' | 'stdin'): void {
  settings.set(name, { value, source });
}
