import { OPTIONS, STATUS_OPTIONS } from '../config/options.js';

/** The README's option table, rendered from the same table yargs is built from. */
export function optionsMarkdown(): string {
  const rows = OPTIONS.map((o) => {
    const flag = `\`--${o.name}\`${o.type === 'boolean' ? '' : ` <${o.type === 'number' ? 'n' : 'value'}>`}`;
    const env = o.env.length ? o.env.map((e) => `\`${e}\``).join(', ') : '';
    const def = o.defaultText ? o.defaultText.replace(/\|/g, '\\|') : '';
    const choices = o.choices ? ` (${o.choices.join(' \\| ')})` : '';
    return `| ${flag} | ${o.describe.replace(/\|/g, '\\|')}${choices} | ${env} | ${def} |`;
  });
  const status = STATUS_OPTIONS.map((o) => `\`--${o.name}\``).join(', ');
  return [
    '| option | what it does | environment / .env | default |',
    '|---|---|---|---|',
    ...rows,
    '',
    `\`provision status\` takes ${status} (see [docs/status.md](docs/status.md)).`,
  ].join('\n');
}
