import type { EventEmitter } from 'node:events';
import type pg from 'pg';
import { AZURE_PG_ROOTS, type DatabaseSettings, type SslMode } from '../render/backend-uri.js';
import type { Forwarder } from '../ssh/connection.js';
import { closeChannel, socketShim } from '../ssh/socket-shim.js';
import { connectionLimitsOf, type ConnectionLimits, type LimitsRow } from '../plan/fleet-budget.js';
import { StepError } from '../util/errors.js';
import { tlsChecks, tlsOptions, withSharedContext } from './db-tls.js';
import { maskSecrets } from '../util/secret.js';

export interface DatabaseReport {
  serverVersion: string;
  canCreateTables: boolean;
  hasMlflowSchema: boolean;
  /**
   * MLflow's Alembic revision of the schema (alembic_version.version_num), when the table has one row; only a
   * revision-like id is kept (the database's text is not ours).
   */
  schemaRevision?: string;
  /** MLflow's basic-auth schema is there (its Alembic table, alembic_version_auth). */
  hasAuthSchema: boolean;
  /** The login role may CREATE DATABASE (CREATEDB or superuser). */
  canCreateDatabase: boolean;
  /** Whether the connection that got in was TLS (prefer and allow decide it as libpq does). */
  encrypted: boolean;
  /** How the connection is protected, for the step's summary: "TLS", "unencrypted (...)", "TLS (certificate ...)". */
  transport: string;
  /** max_connections and the slots reserved from ordinary users (the fleet's connection budget). */
  connectionLimits?: ConnectionLimits;
}

/** One connection attempt: with TLS (SSLRequest first) or plain. */
export type Transport = 'tls' | 'plain';

/**
 * How an attempt ended, as far as libpq's sslmode fallback cares: `tls-refused` the server answered "no TLS" to
 * the SSLRequest; `tls-failed` the TLS handshake failed (certificate verification included); `rejected` the
 * server sent an error before authentication succeeded (pg_hba.conf, password); `failed` anything else (no
 * answer, an error after the login such as a missing database).
 */
export type AttemptEnd = 'ok' | 'tls-refused' | 'tls-failed' | 'rejected' | 'failed';

/** The transport libpq tries first: plain for disable and allow, TLS otherwise. */
export function firstTransport(mode: SslMode): Transport {
  return mode === 'disable' || mode === 'allow' ? 'plain' : 'tls';
}

/**
 * libpq's one retry (fe-connect.c): with `prefer` a TLS attempt the server refused, whose handshake failed or
 * that the server rejected before authentication is retried without TLS; with `allow` a plain attempt the
 * server rejected before authentication is retried with TLS. Every other outcome stands (undefined).
 */
export function fallbackTransport(mode: SslMode, tried: Transport, end: AttemptEnd): Transport | undefined {
  if (mode === 'prefer' && tried === 'tls' && (end === 'tls-refused' || end === 'tls-failed' || end === 'rejected')) return 'plain';
  if (mode === 'allow' && tried === 'plain' && end === 'rejected') return 'tls';
  return undefined;
}

/** Where an attempt got to when it failed: the driver's error plus what the connection had done by then. */
export interface AttemptProgress {
  transport: Transport;
  /** The TLS handshake began (the server said yes to the SSLRequest). */
  tlsStarted: boolean;
  /** The TLS handshake completed. */
  tlsDone: boolean;
  /** The server accepted the login (AuthenticationOk). */
  authenticated: boolean;
}

/** Classifies a failed attempt for `fallbackTransport`. */
export function attemptEnd(err: { message: string; code?: string; severity?: string }, p: AttemptProgress): AttemptEnd {
  if (/^The server does not support SSL connections/.test(err.message)) return 'tls-refused';
  if (err.severity !== undefined) return p.authenticated ? 'failed' : 'rejected'; // an ErrorResponse from the server
  if (p.transport === 'tls' && p.tlsStarted && !p.tlsDone) return 'tls-failed';
  return 'failed';
}

/** A failure that only says "not over this transport" (the other attempt's failure says more). */
function transportOnly(f: { transport: Transport; end: AttemptEnd; message: string }): boolean {
  return f.end === 'tls-refused' || (f.end === 'rejected' && f.transport === 'plain' && /no encryption|SSL (connection )?is required|SSL off/i.test(f.message));
}

/** When every attempt failed: the failure to explain, the first that says more than "wrong transport". */
export function failureToReport<T extends { transport: Transport; end: AttemptEnd; message: string }>(failures: T[]): T {
  return failures.find((f) => !transportOnly(f)) ?? failures[failures.length - 1]!;
}

/** How the connection that got in is protected, for the summary line. */
export function describeTransport(db: DatabaseSettings, transport: Transport, firstFailure?: { end: AttemptEnd; message: string }): string {
  if (transport === 'plain') {
    if (db.sslmode === 'disable') return 'unencrypted';
    if (db.sslmode === 'allow') return 'unencrypted (sslmode=allow: the server accepted a connection without TLS)';
    const why =
      firstFailure?.end === 'tls-refused'
        ? 'the server does not offer TLS'
        : firstFailure
          ? `the TLS attempt failed: ${firstFailure.message}`
          : 'TLS was not used';
    return `unencrypted (sslmode=${db.sslmode}: ${why})`;
  }
  const checks = tlsChecks(db);
  const verified =
    checks.chain && db.sslRootCert
      ? `certificate chains to ${db.sslRootCert.source}${checks.hostName ? ` and names ${db.host}` : ', host name not checked'}`
      : '';
  const fallback = db.sslmode === 'allow' ? 'sslmode=allow: the server refused a connection without TLS' : '';
  const notes = [fallback, verified].filter(Boolean).join('; ');
  return notes ? `TLS (${notes})` : 'TLS';
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
  if (err.code === '3D000')
    return missing ?? `The database "${db.database}" does not exist on ${target}: create it (e.g. az postgres flexible-server db create) or fix --pg-db.`;
  if (/does not support SSL/i.test(msg))
    return `The database at ${target} does not offer TLS: use --pg-sslmode disable only if you really mean to send the password unencrypted.`;
  const certificate = explainCertificateError(err, db, target, msg);
  if (certificate) return certificate;
  if (/certificate|self.signed|SSL|TLS/i.test(msg))
    return `TLS with the database at ${target} failed (${msg}): check --pg-sslmode${db.sslRootCert ? ' and --pg-ssl-root-cert' : ''}.`;
  if (/timeout/i.test(msg))
    return `The database at ${target} did not answer in time from the VM ${vm}: check the database firewall and that the server is running.`;
  return `Checking the database at ${target} from the VM ${vm} failed: ${msg}.`;
}

/** OpenSSL's verdicts that mean "the server's certificate does not chain to a trusted root". */
const CHAIN_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
]);

/** A certificate verification failure (verify-ca, verify-full, or a given root certificate) in one sentence. */
function explainCertificateError(err: { code?: string }, db: DatabaseSettings, target: string, msg: string): string | undefined {
  const roots = db.sslRootCert?.source ?? 'the root certificate file';
  msg = msg.replace(/[:\s]+$/, ''); // Node ends some messages with an empty list ("...: ")
  if (err.code && CHAIN_ERRORS.has(err.code)) {
    return (
      `The database server's certificate at ${target} does not chain to the root certificate(s) in ${roots} (TLS: ${msg}): ` +
      `pass with --pg-ssl-root-cert the root CA certificate(s) that issued it — ${AZURE_PG_ROOTS}.`
    );
  }
  if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return (
      `The database server's certificate does not name "${db.host}" (TLS: ${msg}), which --pg-sslmode verify-full requires: ` +
      'set --pg-host to a name the certificate holds (on Azure: <server>.postgres.database.azure.com), or use --pg-sslmode verify-ca to verify only the chain.'
    );
  }
  if (err.code === 'CERT_HAS_EXPIRED' || err.code === 'CERT_NOT_YET_VALID') {
    return `The database server's certificate at ${target} is ${err.code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not yet valid'} (TLS: ${msg}): renew it on the server (or check this machine's clock).`;
  }
  return undefined;
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

type Attempt =
  | {
      ok: true;
      report: Omit<DatabaseReport, 'encrypted' | 'transport'>;
    }
  | { ok: false; transport: Transport; end: AttemptEnd; message: string; error: Error & { code?: string }; forward?: boolean };

/** One connection through a new forward, with TLS or without, and the check's query. */
async function attempt(
  pgModule: typeof pg,
  remote: Forwarder,
  db: DatabaseSettings,
  transport: Transport,
  timeoutMs: number,
  work?: (client: pg.Client) => Promise<unknown>,
): Promise<Attempt> {
  const ssl = transport === 'tls' ? withSharedContext(tlsOptions(db)) : false;
  let channel;
  try {
    channel = await remote.forward(db.host, db.port, timeoutMs);
  } catch (err) {
    const error = err as Error & { code?: string };
    return { ok: false, transport, end: 'failed', message: error.message, error, forward: true };
  }
  const tunnel = socketShim(channel);
  const client = new pgModule.Client({
    host: db.host,
    port: db.port,
    user: db.user,
    database: db.database,
    password: db.password.reveal(),
    ssl,
    stream: () => tunnel,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'provision',
  });
  client.on('error', () => undefined);
  // What the connection got through before a failure decides libpq's fallback (see attemptEnd).
  const progress: AttemptProgress = { transport, tlsStarted: false, tlsDone: false, authenticated: false };
  const con = client.connection as unknown as EventEmitter & { stream?: EventEmitter };
  con.once('sslconnect', () => {
    progress.tlsStarted = true;
    con.stream?.once('secureConnect', () => (progress.tlsDone = true));
  });
  con.once('authenticationOk', () => (progress.authenticated = true));
  try {
    await client.connect();
    const res = await client.query<{ version: string; can_create: boolean; has_schema: boolean; has_auth_schema: boolean; can_create_db: boolean } & LimitsRow>(
      `SELECT current_setting('server_version') AS version,
              current_setting('max_connections') AS max_connections, current_setting('superuser_reserved_connections') AS superuser_reserved, current_setting('reserved_connections', true) AS reserved,
              has_schema_privilege('public', 'CREATE') AS can_create,
              to_regclass('public.alembic_version') IS NOT NULL AS has_schema,
              to_regclass('public.alembic_version_auth') IS NOT NULL AS has_auth_schema,
              (SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user) AS can_create_db`,
    );
    const row = res.rows[0]!;
    const revision = row.has_schema ? await schemaRevision(client) : undefined;
    if (work) await work(client);
    return {
      ok: true,
      report: {
        serverVersion: row.version,
        canCreateTables: row.can_create,
        hasMlflowSchema: row.has_schema,
        ...(revision ? { schemaRevision: revision } : {}),
        hasAuthSchema: row.has_auth_schema,
        canCreateDatabase: row.can_create_db === true,
        connectionLimits: connectionLimitsOf(row),
      },
    };
  } catch (err) {
    const error = err as Error & { code?: string; severity?: string };
    // Node 24 appends a hint about the system CA store to certificate errors: wrong here, where the check
    // trusts exactly --pg-ssl-root-cert (or nothing), so it goes.
    error.message = error.message.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca/, '');
    return { ok: false, transport, end: attemptEnd(error, progress), message: maskSecrets(error.message), error };
  } finally {
    await client.end().catch(() => undefined);
    closeChannel(tunnel);
  }
}

/** The schema's one Alembic revision (a downgrade is refused by it), or undefined when it has none or several. */
async function schemaRevision(client: pg.Client): Promise<string | undefined> {
  // Unreadable (e.g. no SELECT on it) is no answer: the server's own start tells then.
  const res = await client.query<{ version_num: string }>('SELECT version_num FROM public.alembic_version LIMIT 2').catch(() => ({ rows: [] }));
  const only = res.rows.length === 1 ? String(res.rows[0]!.version_num) : '';
  return /^[0-9a-z_]{1,64}$/i.test(only) ? only : undefined;
}

/**
 * Connects to Postgres through a port-forward opened BY THE VM, so the check proves the VM's own network
 * path and the database firewall, with the same TLS mode, root certificate and credentials the server will
 * use. node-postgres knows only "TLS or not": libpq's prefer/allow fallback is done here, one new connection
 * for the retry, exactly when libpq would retry (see fallbackTransport).
 */
export async function checkDatabase(
  remote: Forwarder,
  db: DatabaseSettings,
  timeoutMs = 10000,
  missing?: string,
  work?: (client: pg.Client) => Promise<unknown>,
): Promise<DatabaseReport> {
  const pgModule = await loadDatabaseDriver();
  const failures: Array<Extract<Attempt, { ok: false }>> = [];
  let transport: Transport | undefined = firstTransport(db.sslmode);
  while (transport) {
    const result = await attempt(pgModule, remote, db, transport, timeoutMs, work);
    if (result.ok) {
      return { ...result.report, encrypted: transport === 'tls', transport: describeTransport(db, transport, failures[0]) };
    }
    failures.push(result);
    if (result.forward) break; // the VM reaches no database at all: no second attempt helps
    transport = fallbackTransport(db.sslmode, transport, result.end);
  }
  const failure = failureToReport(failures);
  const message = explainDatabaseError(failure.error, db, remote.target.address, missing);
  throw failure.error.code === '3D000' ? new DatabaseMissing(message) : new StepError(message);
}

/** The database named in the settings does not exist (the message says so, and how to create it). */
export class DatabaseMissing extends StepError {}

/**
 * CREATE DATABASE `name` (owned by the login role), through the VM as the check connects: on `via`, a database
 * that exists, with the login role that the check found may create databases.
 */
export async function createDatabase(remote: Forwarder, via: DatabaseSettings, name: string, timeoutMs = 30000): Promise<void> {
  await checkDatabase(remote, via, timeoutMs, undefined, async (client) => {
    // Another host of the batch may create it at the same moment: "already exists" (42P04) is what we want.
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((err: { code?: string }) => {
      if (err.code !== '42P04') throw err;
    });
  });
}
