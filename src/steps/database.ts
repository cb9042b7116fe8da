import type pg from 'pg';
import type { DatabaseSettings } from '../render/backend-uri.js';
import { socketShim, type Remote } from '../ssh/connection.js';
import { StepError } from '../util/errors.js';
import { maskSecrets } from '../util/secret.js';

export interface DatabaseReport {
  serverVersion: string;
  canCreateTables: boolean;
  hasMlflowSchema: boolean;
}

function sslOptions(db: DatabaseSettings): pg.ClientConfig['ssl'] {
  switch (db.sslmode) {
    case 'disable':
      return false;
    case 'verify-full':
      return { rejectUnauthorized: true, servername: db.host };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    default:
      // require/prefer/allow: encrypted, certificate not verified (libpq's meaning of sslmode=require).
      return { rejectUnauthorized: false };
  }
}

/** Turns what the tunnel or the driver said into one sentence naming the likely cause. */
export function explainDatabaseError(err: { code?: string; message: string }, db: DatabaseSettings, vm: string, missing?: string): string {
  const target = `${db.host}:${db.port}`;
  const msg = maskSecrets(err.message);
  if (err.code === 'FORWARD_TIMEOUT') {
    return `The VM ${vm} got no answer from the database at ${target}: a firewall drops the traffic. Add a firewall rule for the VM's address on the database server (Azure portal > your PostgreSQL server > Networking).`;
  }
  if (err.code === 'FORWARD_FAILED') {
    if (/name|resolve|not known/i.test(msg)) return `The VM ${vm} cannot resolve the database host "${db.host}": check --pg-host (and the VM's DNS).`;
    return `The VM ${vm} cannot connect to the database at ${target} (${msg.replace(/^\(SSH\) /, '')}): check --pg-host, --pg-port and that the server is running.`;
  }
  if (err.code === '28P01') return `The database rejected the password for user "${db.user}": check POSTGRES_PASSWORD.`;
  if (err.code === '28000' && /no pg_hba\.conf entry/.test(msg)) {
    if (/no encryption/.test(msg)) return `The database at ${target} accepts only encrypted connections: use --pg-sslmode require (or stronger).`;
    return `The database at ${target} refuses connections from the VM ${vm} (no pg_hba.conf entry): add a firewall rule for the VM's address on the database server (Azure portal > your PostgreSQL server > Networking).`;
  }
  if (err.code === '3D000') return missing ?? `The database "${db.database}" does not exist on ${target}: create it (e.g. az postgres flexible-server db create) or fix --pg-db.`;
  if (/does not support SSL/i.test(msg)) return `The database at ${target} does not offer TLS: use --pg-sslmode disable only if you really mean to send the password unencrypted.`;
  if (/certificate|self.signed|SSL|TLS/i.test(msg)) return `TLS with the database at ${target} failed (${msg}): check --pg-sslmode (verify-full needs the server's CA to be trusted).`;
  if (/timeout/i.test(msg)) return `The database at ${target} did not answer in time from the VM ${vm}: check the database firewall and that the server is running.`;
  return `Checking the database at ${target} from the VM ${vm} failed: ${msg}.`;
}

let driver: Promise<typeof pg> | undefined;

/**
 * node-postgres, loaded on first use. Call it early (before the SSH handshake) so the module loads while the
 * handshake waits on the network instead of delaying start-up.
 */
export function loadDatabaseDriver(): Promise<typeof pg> {
  driver ??= import('pg').then((m) => m.default);
  return driver;
}

/**
 * Connects to Postgres through a port-forward opened BY THE VM, so the check proves the VM's own network
 * path and the database firewall, with the same TLS mode and credentials the server will use.
 */
export async function checkDatabase(remote: Remote, db: DatabaseSettings, timeoutMs = 10000, missing?: string): Promise<DatabaseReport> {
  const pgModule = await loadDatabaseDriver();
  let channel;
  try {
    channel = await remote.forward(db.host, db.port, timeoutMs);
  } catch (err) {
    throw new StepError(explainDatabaseError(err as Error & { code?: string }, db, remote.target.address));
  }
  const tunnel = socketShim(channel);
  const client = new pgModule.Client({
    host: db.host,
    port: db.port,
    user: db.user,
    database: db.database,
    password: db.password.reveal(),
    ssl: sslOptions(db),
    stream: () => tunnel,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'provision',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const res = await client.query<{ version: string; can_create: boolean; has_schema: boolean }>(
      `SELECT current_setting('server_version') AS version,
              has_schema_privilege('public', 'CREATE') AS can_create,
              to_regclass('public.alembic_version') IS NOT NULL AS has_schema`,
    );
    const row = res.rows[0]!;
    return { serverVersion: row.version, canCreateTables: row.can_create, hasMlflowSchema: row.has_schema };
  } catch (err) {
    throw new StepError(explainDatabaseError(err as Error & { code?: string }, db, remote.target.address, missing));
  } finally {
    await client.end().catch(() => undefined);
    tunnel.destroy();
  }
}
