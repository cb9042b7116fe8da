/** What only `provision backup` takes (config/config.ts, backupConfig). */
import type { OptionSpec } from './spec.js';

export const BACKUP_OPTIONS = [
  {
    name: 'to',
    commands: ['backup'],
    type: 'string',
    group: 'Command',
    env: ['PROVISION_BACKUP_DIR'],
    describe: 'local folder the backups go into, as DIR/<host>/<UTC time>/ (folders 0700, files 0600); see docs/backup.md',
  },
] as const satisfies readonly OptionSpec[];
