/** A change of --mlflow-version on a database with MLflow's schema: the backup taken first (docs/upgrading.md). */
import type { OptionSpec } from './spec.js';

export const UPGRADE_OPTIONS = [
  {
    name: 'backup-dir',
    type: 'string',
    group: 'Server',
    env: ['PROVISION_UPGRADE_BACKUP_DIR'],
    defaultText: '<log-dir>/backups',
    describe:
      'local folder for the backup taken before a schema upgrade (a change of --mlflow-version), as DIR/<host>/<UTC time>/ like `provision backup`; see docs/upgrading.md',
  },
  {
    name: 'no-backup',
    type: 'boolean',
    group: 'Server',
    env: ['PROVISION_NO_BACKUP'],
    describe: 'take no backup before a schema upgrade (the output says so); a failed upgrade still puts the previous MLflow back',
  },
] as const satisfies readonly OptionSpec[];
