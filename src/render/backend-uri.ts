import { LAPTOP, Secret, type Masker } from '../util/secret.js';

export interface DatabaseSettings {
  host: string;
  port: number;
  user: string;
  database: string;
  password: Secret;
  sslmode: SslMode;
  /**
   * --pg-ssl-root-cert: the PEM root certificate(s) the server's certificate must chain to, and where they came
   * from (for messages). The database check trusts exactly these, never this machine's CA store.
   */
  sslRootCert?: { pem: string; source: string };
  /** Where libpq on the VM reads that root certificate: `sslrootcert=` in the URI (an absolute path on the VM). */
  sslRootCertPath?: string;
}

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Where Azure Database for PostgreSQL's root certificates are named, for messages about --pg-ssl-root-cert. */
export const AZURE_PG_ROOTS =
  'for Azure Database for PostgreSQL, the DigiCert Global Root G2 and Microsoft RSA Root CA 2017 certificates in one PEM file (see docs/getting-started-azure.md)';

function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** libpq's connect_timeout in every URI the VM uses: a database that does not answer fails in seconds. */
export const CONNECT_TIMEOUT_SEC = 10;

/** The URI's query: sslmode, and sslrootcert when libpq on the VM must verify against our root file. */
function uriQuery(db: DatabaseSettings): string {
  // SQLAlchemy (and the stand-in) percent-decode query values; a path keeps its slashes readable.
  const root = db.sslRootCertPath ? `&sslrootcert=${encodeURIComponent(db.sslRootCertPath).replace(/%2F/gi, '/')}` : '';
  // Without connect_timeout psycopg2 waits without limit for an unreachable database.
  return `?sslmode=${db.sslmode}&connect_timeout=${CONNECT_TIMEOUT_SEC}${root}`;
}

/**
 * The SQLAlchemy URI MLflow reads from MLFLOW_BACKEND_STORE_URI. User, password and database are
 * percent-encoded: an unencoded `@ : / # ? %` in a password silently breaks the URI.
 */
export function backendStoreUri(db: DatabaseSettings): Secret {
  const user = encodeURIComponent(db.user);
  const password = encodeURIComponent(db.password.reveal());
  const name = encodeURIComponent(db.database);
  return new Secret(`postgresql+psycopg2://${user}:${password}@${uriHost(db.host)}:${db.port}/${name}${uriQuery(db)}`);
}

/**
 * The URI without a password, for a command line (`mlflow db upgrade URI`): libpq then takes the password from
 * PGPASSWORD. Holds nothing secret.
 */
export function backendUriWithoutPassword(db: DatabaseSettings): string {
  return `postgresql+psycopg2://${encodeURIComponent(db.user)}@${uriHost(db.host)}:${db.port}/${encodeURIComponent(db.database)}${uriQuery(db)}`;
}

/** The same URI with the password masked, for messages. */
export function displayBackendUri(db: DatabaseSettings): string {
  return `postgresql+psycopg2://${encodeURIComponent(db.user)}:***@${uriHost(db.host)}:${db.port}/${encodeURIComponent(db.database)}${uriQuery(db)}`;
}

/**
 * The database settings inside a backend URI as `backendStoreUri` writes it (read back from a VM's secrets
 * file by `provision status`); undefined for anything else (sqlite, another scheme, a malformed URI). The
 * password is masked in `masker`'s scope: the VM's host masker when the URI came from a VM.
 */
export function parseBackendUri(uri: Secret, masker: Masker = LAPTOP): DatabaseSettings | undefined {
  const m = /^postgresql(?:\+psycopg2)?:\/\/(.*)$/.exec(uri.reveal());
  if (!m) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${m[1]}`);
  } catch {
    return undefined;
  }
  const sslmode = url.searchParams.get('sslmode') ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(sslmode) || !url.hostname || !url.username) return undefined;
  const rootPath = url.searchParams.get('sslrootcert');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username),
    password: new Secret(decodeURIComponent(url.password), masker),
    sslmode: sslmode as SslMode,
    ...(rootPath ? { sslRootCertPath: rootPath } : {}),
  };
}
