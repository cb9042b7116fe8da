import { randomBytes } from 'node:crypto';
import type { ProvisionConfig } from '../config/config.js';
import type { Facts } from './facts.js';
import type { Desired } from './plan.js';
import { Secret } from '../util/secret.js';
import { renderAuthIni, type ServerSettings } from '../render/server-files.js';

/** What the optional features (--auth basic, ...) add to the VM's desired state. Nothing here without them. */
export interface FeatureState {
  /** Extra lines of the 0600 secrets file, in a fixed order (a rerun must write the same bytes). */
  secrets: Array<[name: string, value: Secret]>;
  launcher: Pick<ServerSettings, 'auth' | 'artifactsDestination'>;
  /** --artifacts-destination: artifacts leave the VM; no folder is made there. */
  artifactsRemote?: string;
  authIni?: string;
  pip?: NonNullable<Desired['pip']>;
}

/** A new session secret key for MLflow's basic-auth app: 32 random bytes, hex. */
export function newFlaskSecretKey(): Secret {
  return new Secret(randomBytes(32).toString('hex'));
}

/**
 * The desired state the options add. `facts` gives what an earlier run left: the basic-auth session key is
 * read back from the VM's secrets file and kept (a new one would change the file and restart the server);
 * `newKey` makes one only when the VM has none.
 */
export function featureState(config: ProvisionConfig, facts: Facts, newKey: () => Secret): FeatureState {
  const state: FeatureState = { secrets: [], launcher: {} };
  const pip: NonNullable<Desired['pip']> = { extras: [], packages: [], modules: [] };
  const { auth, db } = config;
  if (auth) {
    state.secrets.push(
      ['MLFLOW_FLASK_SERVER_SECRET_KEY', facts.flaskSecretKey ?? newKey()],
      ['MLFLOW_AUTH_ADMIN_PASSWORD', auth.adminPassword],
      // For the auth database, whose URI (in the auth configuration file) carries no password.
      ['PGPASSWORD', db.password],
    );
    state.launcher.auth = { adminUser: auth.adminUser };
    state.authIni = renderAuthIni(db, { adminUser: auth.adminUser, database: auth.database });
    pip.extras.push('auth');
    pip.modules.push({ module: 'flask_wtf', pkg: 'Flask-WTF (mlflow[auth])' });
  }
  const blob = config.server.blob;
  if (blob) {
    state.launcher.artifactsDestination = blob.uri;
    state.artifactsRemote = blob.uri;
    if (blob.credential.kind === 'connection-string') state.secrets.push(['AZURE_STORAGE_CONNECTION_STRING', blob.credential.value]);
    if (blob.credential.kind === 'access-key') state.secrets.push(['AZURE_STORAGE_ACCESS_KEY', blob.credential.value]);
    pip.packages.push('azure-storage-blob');
    pip.modules.push({ module: 'azure.storage.blob', pkg: 'azure-storage-blob' });
    if (blob.credential.kind === 'managed-identity') {
      pip.packages.push('azure-identity');
      pip.modules.push({ module: 'azure.identity', pkg: 'azure-identity' });
    }
  }
  if (pip.extras.length > 0 || pip.packages.length > 0) state.pip = pip;
  return state;
}
