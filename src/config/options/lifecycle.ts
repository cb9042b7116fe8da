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
  {
    name: 'drain-seconds',
    commands: ['provision', 'restart'],
    type: 'number',
    range: { min: 0, max: 600, unit: 's' },
    group: 'Command',
    env: ['PROVISION_DRAIN_SECONDS'],
    defaultText: "15 with several VMs (an Azure probe's 5 s x (2 failures + 1)), else no drain",
    describe:
      "restarts of several VMs' servers go one VM at a time: its load balancer's probe fails this long before the server stops (requests in flight finish), and answers this long before the next VM; 0 = no drain",
  },
  {
    name: 'lb-probe-source',
    commands: ['provision', 'restart'],
    type: 'string',
    group: 'Command',
    env: ['PROVISION_LB_PROBE_SOURCE'],
    default: '168.63.129.16',
    describe: "the IPv4 address the load balancer's health probes come from (Azure's: 168.63.129.16); a drain stops answering it",
  },
] as const satisfies readonly OptionSpec[];
