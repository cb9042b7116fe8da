import { Secret } from '../util/secret.js';

export interface DatabaseSettings {
  host: string;
  port: number;
  user: string;
  database: string;
  password: Secret;
  sslmode: SslMode;
}

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The SQLAlchemy URI MLflow reads from MLFLOW_BACKEND_STORE_URI. User, password and database are
 * percent-encoded: an unencoded `@ : / # ? %` in a password silently breaks the URI.
 */
export function backendStoreUri(db: DatabaseSettings): Secret {
  const user = encodeURIComponent(db.user);
  const password = encodeURIComponent(db.password.reveal());
  const name = encodeURIComponent(db.database);
  return new Secret(
    `postgresql+psycopg2://${user}:${password}@${uriHost(db.host)}:${db.port}/${name}?sslmode=${db.sslmode}`,
  );
}

/** The same URI with the password masked, for messages. */
export function displayBackendUri(db: DatabaseSettings): string {
  return `postgresql+psycopg2://${encodeURIComponent(db.user)}:***@${uriHost(db.host)}:${db.port}/${encodeURIComponent(db.database)}?sslmode=${db.sslmode}`;
}
