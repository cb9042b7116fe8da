/** Which VMs: the options config/targets.ts and config/hosts-file.ts read. */
import { EVERY_COMMAND, type OptionSpec } from './spec.js';

export const TARGET_OPTIONS = [
  {
    name: 'host',
    commands: EVERY_COMMAND,
    type: 'string',
    group: 'Target',
    array: true,
    env: ['PROVISION_HOST'],
    describe: 'VM address or ~/.ssh/config Host alias; repeat for several VMs',
  },
  {
    name: 'hosts-file',
    commands: EVERY_COMMAND,
    type: 'string',
    group: 'Target',
    env: ['PROVISION_HOSTS_FILE'],
    describe: 'file with one VM a line: [user@]host[:port] [artifacts-dir=… mlflow-port=… allowed-hosts=…] (see docs/hosts-file.md)',
  },
  {
    name: 'concurrency',
    commands: EVERY_COMMAND,
    type: 'number',
    range: { min: 1, max: 100 },
    group: 'Target',
    env: ['PROVISION_CONCURRENCY'],
    default: 10,
    describe: 'how many VMs are provisioned at once',
  },
] as const satisfies readonly OptionSpec[];
