import { OPTIONS, specOf } from './options.js';
import { isOn, readSettings } from './settings.js';

/**
 * What is decided before the arguments are parsed, from the option table: whether --verbose (or its variable)
 * asks for stack traces, which a parse failure already needs.
 */
export function verboseRequested(args: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return args.includes('--verbose') || isOn(readSettings({}, env, [specOf('verbose')]), 'verbose');
}

/**
 * A secret option given as a flag (`--pg-password x`): one sentence refusing it, before anything else reads the
 * arguments. A value on the command line leaks into shell history and `ps`.
 */
export function secretFlagRefusal(args: readonly string[]): string | undefined {
  for (const spec of OPTIONS) {
    if (spec.type !== 'secret') continue;
    const flag = `--${spec.name}`;
    if (!args.some((a) => a === flag || a.startsWith(`${flag}=`))) continue;
    const noun = spec.name.includes('password') ? 'password' : 'secret';
    return `${flag} is not accepted: a ${noun} on the command line leaks into shell history and ps. ${spec.instead ?? `Set ${spec.env[0]} in .env`}.`;
  }
  return undefined;
}
