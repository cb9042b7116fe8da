import { PROVISION_OPTIONS, STATUS_OPTIONS, flagsOf } from '../config/options.js';
import { defaultDescription, type OptionSpec } from '../config/options/spec.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

function row(o: OptionSpec): string {
  const flag = o.type === 'secret' ? 'secret, no flag' : `\`--${o.name}\`${o.type === 'boolean' ? '' : ` <${o.type === 'number' ? 'n' : 'value'}>`}`;
  const env = o.env.length ? o.env.map((e) => `\`${e}\``).join(', ') : '';
  const choices = o.choices ? ` (${o.choices.join(' \\| ')})` : '';
  return `| ${flag} | ${cell(o.describe)}${choices} | ${env} | ${cell(defaultDescription(o) ?? '')} |`;
}

/** The README's option table, rendered from the same table yargs is built from. */
export function optionsMarkdown(): string {
  const status = flagsOf(STATUS_OPTIONS)
    .map((o) => `\`--${o.name}\``)
    .join(', ');
  return [
    '| option | what it does | environment / .env | default |',
    '|---|---|---|---|',
    ...PROVISION_OPTIONS.map(row),
    '',
    `\`provision status\` takes ${status} (see [docs/status.md](docs/status.md)).`,
  ].join('\n');
}
