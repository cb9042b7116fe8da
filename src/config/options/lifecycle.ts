/** What only the lifecycle commands take (config/config.ts, lifecycleConfig): `logs` and `remove`'s own options. */
import type { OptionSpec } from './spec.js';

export const LIFECYCLE_OPTIONS = [
  {
    name: 'lines',
    commands: ['logs'],
    type: 'number',
    range: { min: 1, max: 100000 },
    group: 'Command',
    env: ['PROVISION_LOG_LINES'],
    default: 50,
    describe: "how many of the log's last lines to show",
  },
  { name: 'follow', commands: ['logs'], type: 'boolean', group: 'Command', env: [], describe: 'keep printing new lines until Ctrl-C (like tail -F)' },
  {
    name: 'purge-artifacts',
    commands: ['remove'],
    type: 'boolean',
    group: 'Command',
    env: [],
    describe: "also delete the artifacts folder on the VM (every run's files): asks first, or needs --yes",
  },
] as const satisfies readonly OptionSpec[];
