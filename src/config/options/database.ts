/** The backend store: the options config/config.ts (databaseSettings) and config/root-certificates.ts read. */
import { SSL_MODES } from '../../render/backend-uri.js';
import { tildePath } from '../../render/vm-files.js';
import type { OptionSpec } from './spec.js';

export const DATABASE_OPTIONS = [
  { name: 'pg-host', type: 'string', group: 'Database', env: ['POSTGRES_HOST'], describe: 'PostgreSQL server, e.g. myserver.postgres.database.azure.com' },
  {
    name: 'pg-port',
    type: 'number',
    range: { min: 1, max: 65535 },
    group: 'Database',
    env: ['POSTGRES_PORT'],
    default: 5432,
    describe: 'PostgreSQL port',
  },
  { name: 'pg-user', type: 'string', group: 'Database', env: ['POSTGRES_USER'], default: 'mlflow', describe: 'PostgreSQL user' },
  { name: 'pg-db', type: 'string', group: 'Database', env: ['POSTGRES_DB'], default: 'mlflow', describe: 'PostgreSQL database' },
  {
    name: 'pg-sslmode',
    type: 'string',
    group: 'Database',
    env: ['POSTGRES_SSLMODE'],
    default: 'require',
    choices: SSL_MODES,
    describe: 'TLS mode, as libpq on the VM uses it (Azure Database for PostgreSQL requires TLS); verify-ca and verify-full need --pg-ssl-root-cert',
  },
  {
    name: 'pg-ssl-root-cert',
    type: 'string',
    group: 'Database',
    env: ['POSTGRES_SSLROOTCERT'],
    describe: `PEM file with the root certificate(s) the database server's certificate chains to (for Azure: DigiCert Global Root G2 and Microsoft RSA Root CA 2017, see docs/getting-started-azure.md); the database check trusts only these, and the file is uploaded to ${tildePath('pgRootCert')} and named in the URI (sslrootcert=)`,
  },
  {
    name: 'pg-password-stdin',
    type: 'boolean',
    group: 'Database',
    env: [],
    describe: 'read the database password from standard input (else POSTGRES_PASSWORD, else a masked prompt)',
  },
  {
    name: 'pg-password',
    type: 'secret',
    group: 'Database',
    env: ['POSTGRES_PASSWORD'],
    instead: 'Set POSTGRES_PASSWORD in .env or use --pg-password-stdin',
    describe: 'the database password (or --pg-password-stdin, else a masked prompt in a terminal)',
  },
] as const satisfies readonly OptionSpec[];
