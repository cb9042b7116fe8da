import yargs, { type Argv } from 'yargs';
import { OPTIONS } from './options.js';

/** The yargs parser, built from the option table. No defaults here: the resolver applies them. */
export function buildParser(args: string[], version: string): Argv {
  let parser = yargs(args)
    .scriptName('provision')
    .usage('$0 --host <vm-ip> [options]\n\nTurn a bare Azure Linux VM (Ubuntu 22.04/24.04, Debian 12) into a running MLflow tracking server\nwith a PostgreSQL backend store, over one SSH connection. Reruns change only what differs.')
    .example('$0 --host 20.61.1.2 --pg-host mydb.postgres.database.azure.com', 'provision one VM (password from POSTGRES_PASSWORD or a prompt)')
    .example('$0 --host 20.61.1.2 --dry-run', 'show what a run would change')
    .version(version)
    .help()
    .alias('help', 'h')
    .strict()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .parserConfiguration({ 'camel-case-expansion': true, 'boolean-negation': false })
    .epilogue('Every option can also be set in the environment or a .env file (see .env.example).\nExit codes: 0 healthy, 1 provisioning failed, 2 bad usage or configuration, 130 interrupted.');
  for (const o of OPTIONS) {
    const envText = o.env.length ? ` [env: ${o.env.join(', ')}]` : '';
    parser = parser.option(o.name, {
      type: o.type,
      group: `${o.group}:`,
      describe: `${o.describe}${envText}`,
      ...(o.defaultText ? { defaultDescription: o.defaultText } : {}),
      ...(o.choices ? { choices: o.choices as string[] } : {}),
      ...(o.array ? { array: true } : {}),
      requiresArg: o.type !== 'boolean',
    });
  }
  return parser;
}
