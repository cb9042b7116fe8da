import { parseArgs } from 'node:util';
import { flagsOf, PROVISION_OPTIONS, type OptionSpec } from '../config/options.js';

/**
 * The common case without yargs: plain `--name value` / `--name=value` / `--flag` arguments, each known,
 * each valid, read with node's own parseArgs. Loading yargs costs about 100 ms of start-up (a third of a
 * no-op rerun's), mostly for its help-text layout. Anything else returns undefined and yargs parses the
 * arguments as always, with its messages: --help, --version, unknown or repeated options, a missing value,
 * a number that is not plain digits or a bad choice, positional arguments. Number options are returned as the
 * text typed, as yargs returns them: src/config/settings.ts checks and converts both.
 * test/unit/fast-parse.test.ts checks the result against yargs for the inputs this accepts.
 */
export function fastParse(args: string[], commandOptions: readonly OptionSpec[] = PROVISION_OPTIONS): Record<string, unknown> | undefined {
  const table = flagsOf(commandOptions);
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const o of table) options[o.name] = { type: o.type === 'boolean' ? 'boolean' : 'string', ...(o.array ? { multiple: true } : {}) };
  const parse = () => parseArgs({ args, options, strict: true, allowPositionals: false, tokens: true });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch {
    return undefined;
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option') return undefined; // `--` and anything that is not an option
    if (t.rawName !== `--${t.name}`) return undefined; // short forms (-h) are yargs's
    const spec = table.find((o) => o.name === t.name);
    if (!spec) return undefined;
    if (seen.has(t.name) && !spec.array) return undefined; // yargs turns a repeated option into an array
    seen.add(t.name);
    if (spec.type !== 'boolean') {
      const v = t.value ?? '';
      if (v === '' || v.startsWith('-')) return undefined;
      if (spec.type === 'number' && !/^[0-9]+$/.test(v)) return undefined;
      if (spec.choices && !spec.choices.includes(v)) return undefined;
    }
  }
  return { ...parsed.values };
}
