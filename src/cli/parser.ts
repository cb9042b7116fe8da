import yargs, { type Argv } from 'yargs';
import {
  BACKUP_COMMAND_OPTIONS,
  flagsOf,
  lifecycleOptions,
  PROVISION_OPTIONS,
  RESTORE_COMMAND_OPTIONS,
  STATUS_OPTIONS,
  type LifecycleCommandName,
  type OptionSpec,
} from '../config/options.js';
import { defaultDescription } from '../config/options/spec.js';

function addOptions(parser: Argv, table: readonly OptionSpec[]): Argv {
  let p = parser;
  for (const o of flagsOf(table)) {
    const shownDefault = defaultDescription(o);
    const envText = o.env.length ? ` [env: ${o.env.join(', ')}]` : '';
    p = p.option(o.name, {
      // Number options are read as the text typed (no type, 'parse-numbers' off): yargs would turn "abc" into
      // NaN; src/config/settings.ts checks them and its message shows what was typed.
      ...(o.type === 'string' || o.type === 'boolean' ? { type: o.type } : {}),
      group: `${o.group}:`,
      describe: `${o.describe}${envText}`,
      ...(shownDefault !== undefined ? { defaultDescription: shownDefault } : {}),
      ...(o.choices ? { choices: [...o.choices] } : {}),
      ...(o.array ? { array: true } : {}),
      requiresArg: o.type !== 'boolean',
    });
  }
  return p;
}

function lifecycle(y: Argv, command: LifecycleCommandName, usage: string): Argv {
  return addOptions(
    y.usage(
      `$0 ${usage}\n$0 ${command} --hosts-file hosts.txt [options]\n\nOver one SSH connection per VM; needs no database settings. Exit 0 when it worked on every VM, 1 otherwise, 2 bad usage, 130 interrupted. See docs/lifecycle.md.`,
    ),
    lifecycleOptions(command),
  );
}

/**
 * The yargs parser, built from the option table. No defaults here: the builder (config/config.ts) applies the table's. Two commands:
 * provisioning (the default, no command word) and `status`, which takes only the options it uses.
 */
export function buildParser(args: string[], version: string): Argv {
  return yargs(args)
    .scriptName('provision')
    .command('$0', 'provision the VMs: install, configure and start MLflow (the default command)', (y) =>
      addOptions(
        y
          .usage(
            '$0 --host <vm-ip> [options]\n$0 status --host <vm-ip> [options]\n\nTurn a bare Azure Linux VM (Ubuntu 22.04/24.04, Debian 12/13) into a running MLflow tracking server\nwith a PostgreSQL backend store, over one SSH connection. Reruns change only what differs.',
          )
          .example('$0 --host 20.61.1.2 --pg-host mydb.postgres.database.azure.com', 'provision one VM (password from POSTGRES_PASSWORD or a prompt)')
          .example('$0 --host 20.61.1.2 --dry-run', 'show what a run would change')
          .example('$0 status --host 20.61.1.2', 'report whether the server is healthy, changing nothing'),
        PROVISION_OPTIONS,
      ),
    )
    .command('status', 'read-only report per VM: server, MLflow version, PID, uptime, /health, database, last log lines; exit 0 only if all are healthy', (y) =>
      addOptions(
        y
          .usage(
            "$0 status --host <vm-ip> | --hosts-file hosts.txt [options]\n\nReads each VM's state over one SSH connection and changes nothing: whether the server runs (PID, uptime), the MLflow version, /health, an experiments search, the database as the VM reaches it with the server's own settings, and the last log lines. Exit 0 when every VM is healthy, 1 otherwise.",
          )
          .example('$0 status --hosts-file hosts.txt --json', 'one JSON line per VM, e.g. for a cron job'),
        STATUS_OPTIONS,
      ),
    )
    .command('logs', "the server's log (secrets masked); --follow keeps printing until Ctrl-C", (y) =>
      lifecycle(y, 'logs', 'logs --host <vm-ip> [--lines N] [--follow]'),
    )
    .command('stop', 'stop the server (unchanged when it is not running)', (y) => lifecycle(y, 'stop', 'stop --host <vm-ip>'))
    .command('start', 'start the server and wait for /health (unchanged when it runs)', (y) => lifecycle(y, 'start', 'start --host <vm-ip>'))
    .command('restart', 'stop and start the server, then wait for /health', (y) => lifecycle(y, 'restart', 'restart --host <vm-ip>'))
    .command(
      'remove',
      'stop the server and remove what provision put on the VM (launcher, secrets file, venv, PID file, unit, HTTPS proxy); keeps the artifacts, the log and the database',
      (y) => lifecycle(y, 'remove', 'remove --host <vm-ip> [--dry-run] [--purge-artifacts --yes]'),
    )
    .command('backup', "back up each VM's database (pg_dump -Fc) and artifacts folder into DIR/<host>/<UTC time>/, with a manifest", (y) =>
      addOptions(
        y
          .usage(
            "$0 backup --host <vm-ip> | --hosts-file hosts.txt --to DIR [options]\n\nPer VM, over its one SSH connection: the backend store as a pg_dump custom-format archive (run on the VM with the server's settings; the password stays on the VM), the artifacts folder as a tar stream, and manifest.json (sizes, sha256, versions). Folders 0700, files 0600. Exit 0 when every VM has a complete backup, 1 otherwise. See docs/backup.md.",
          )
          .example('$0 backup --host 20.61.1.2 --to ~/mlflow-backups', 'one backup into ~/mlflow-backups/20.61.1.2/<UTC time>/'),
        BACKUP_COMMAND_OPTIONS,
      ),
    )
    .command(
      'restore',
      "restore a backup onto one VM: the database (pg_restore), the artifacts, then the normal provision path with the backup's MLflow",
      (y) =>
        addOptions(
          y
            .usage(
              "$0 restore --host <vm-ip> --from DIR/<host>/<UTC time> [provision options]\n\nChecks the backup first (manifest, sizes, sha256, modes 0600), then provisions the VM as provision does, with the backup's MLflow version, and puts the database (pg_restore from the laptop's file, over the one SSH connection) and the artifacts back before the server starts. A database that already holds MLflow tables is refused unless --replace (asked, or --yes). The database password is asked or read as provision reads it: a backup holds none. Exit 0 when restored and healthy, 1 otherwise, 2 bad usage or a bad backup. See docs/backup.md.",
            )
            .example('$0 restore --host 20.61.1.3 --from ~/mlflow-backups/20.61.1.2/20261206T093000Z', 'the backup of 20.61.1.2 onto a new VM'),
          RESTORE_COMMAND_OPTIONS,
        ),
    )
    .completion('completion', 'print a bash/zsh completion script: provision completion >> ~/.bashrc')
    .version(version)
    .help()
    .alias('help', 'h')
    .strict()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .parserConfiguration({ 'camel-case-expansion': true, 'boolean-negation': false, 'parse-numbers': false })
    .epilogue(
      'Every option can also be set in the environment or a .env file (see .env.example).\nExit codes: 0 healthy, 1 provisioning failed (or, for status, a VM is not healthy), 2 bad usage or configuration, 130 interrupted.',
    );
}
