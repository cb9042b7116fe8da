/** What only `provision restore` takes (config/config.ts, restoreConfig); it takes provisioning's options too. */
import type { OptionSpec } from './spec.js';

export const RESTORE_OPTIONS = [
  {
    name: 'from',
    commands: ['restore'],
    type: 'string',
    group: 'Command',
    env: [],
    describe: 'the backup to restore: a folder DIR/<host>/<UTC time>/ that `provision backup` wrote (its manifest is checked first); see docs/backup.md',
  },
  {
    name: 'replace',
    commands: ['restore'],
    type: 'boolean',
    group: 'Command',
    env: [],
    describe: "restore into a database that already holds MLflow's tables, replacing them: asks first, or needs --yes",
  },
] as const satisfies readonly OptionSpec[];
