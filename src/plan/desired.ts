import { randomBytes } from 'node:crypto';
import type { HostTarget, ProvisionConfig, ServerOptions } from '../config/config.js';
import type { Supervisor } from '../config/validate.js';
import { renderUnit } from '../render/systemd-unit.js';
import { renderGcLauncher, renderGcService, renderGcTimer, type GcSettings } from '../render/gc-units.js';
import type { DatabaseSettings } from '../render/backend-uri.js';
import {
  autoWorkers,
  configFingerprint,
  remoteLayout,
  renderAuthIni,
  renderLauncher,
  renderSecretsEnv,
  type RemoteLayout,
  type ServerSettings,
} from '../render/server-files.js';
import { Secret } from '../util/secret.js';
import type { TlsSettings } from '../config/tls.js';
import { PROXY_FILES, proxyFilePath, renderCaddyfile, type ProxyFileRole } from '../render/caddyfile.js';
import { parseRecord, renderRecord } from '../render/record.js';
import type { Facts } from './facts.js';
import { urlHost } from '../util/url-host.js';

/** What the VM should look like after the run; computed locally once the probe told us the home directory. */
export interface Desired {
  user: string;
  layout: RemoteLayout;
  launcher: string;
  secrets: Secret;
  fingerprint: string;
  /** The salt the fingerprint is keyed with, written beside it into the PID file. */
  fingerprintSalt?: string;
  port: number;
  /** --mlflow-version X: exactly this version, installing or upgrading to it. */
  mlflowVersion?: string;
  /** --mlflow-version latest: the newest release on the index (no pin) for a fresh install. */
  mlflowLatest?: boolean;
  upgrade: boolean;
  /** --auth basic: MLflow's auth configuration file (no secrets in it). */
  authIni?: string;
  /** --pg-ssl-root-cert: the database's root certificate(s), exactly as given (public; mode 0644). */
  pgRootCert?: string;
  /** The database settings as the VM uses them (sslrootcert= names layout.pgRootCert), for `mlflow db upgrade`. */
  db?: DatabaseSettings;
  /** --artifacts-destination: artifacts go to this URI; no folder on the VM. */
  artifactsRemote?: string;
  /** provision's record (render/record.ts): the artifacts folder and whether provision created it. */
  record: string;
  /** What keeps the server running. */
  supervisor: Supervisor;
  /** --supervisor systemd: the unit file (no secrets in it). */
  unit?: string;
  /** --tls: the reverse proxy in front of MLflow. */
  proxy?: DesiredProxy;
  /** --gc-after (under systemd): the mlflow gc launcher, service and timer (no secret in them). */
  gc?: DesiredGc;
  /** Extras of the mlflow package (`auth`) and other packages the options need, with the modules proving them. */
  pip?: { extras: string[]; packages: string[]; modules: Array<{ module: string; pkg: string }> };
}

/** The files of --gc-after: the launcher in the home, the service and timer for /etc/systemd/system. */
export interface DesiredGc {
  days: number;
  launcher: string;
  service: string;
  timer: string;
}

/** Caddy as --tls wants it: its Caddyfile and files, the names it serves. */
export interface DesiredProxy {
  mode: TlsSettings['mode'];
  /** The site's names, the first one the URL users get. */
  names: string[];
  caddyfile: string;
  /** The files in PROXY_DIR, by role (the ACME directory's root, the user's certificate and key). */
  files: Array<{ role: ProxyFileRole; path: string; content: string | Secret; mode: number; owner: string }>;
  /** --acme-ca, for messages (undefined: Let's Encrypt). */
  directory?: string;
  /** What the checks trust for the certificate (--tls-ca-cert); internal: the VM's CA, read once Caddy runs. */
  trust?: string;
}

/** Everything the desired state depends on. Randomness comes in as functions, so the result is reproducible. */
export interface DesiredInput {
  config: Pick<ProvisionConfig, 'db' | 'auth' | 'upgrade' | 'tls'>;
  target: Pick<HostTarget, 'address' | 'name'>;
  /** This host's server settings: the run's, with its hosts-file overrides. */
  server: ServerOptions;
  facts: Facts;
  /** A basic-auth session key, called only when the VM has none yet. */
  newFlaskKey: () => Secret;
  /** A fingerprint salt, called only when no live server has one. */
  newSalt: () => string;
  /** What the VM's fleet decided (run/fleet.ts): its one basic-auth key, and whether this server runs the periodic tasks. */
  fleet?: { flaskKey?: Secret; periodicTasks?: false };
}

/** The VM's desired state: files, their fingerprint, what to install. Pure given its input. */
export function desiredState(input: DesiredInput): Desired {
  const { config, target, server, facts } = input;
  const layout = remoteLayout(facts.home, server.artifactsDir);
  // The database as libpq on the VM uses it: with --pg-ssl-root-cert, sslrootcert= names the uploaded copy.
  const db = config.db.sslRootCert ? { ...config.db, sslRootCertPath: layout.pgRootCert } : config.db;
  const features = featureState({ db, auth: config.auth, blob: server.blob, metrics: server.metrics }, facts, input.newFlaskKey, input.fleet?.flaskKey);
  const proxy = config.tls ? desiredProxy(config.tls, proxyNames(config.tls.mode, server.publicNames ?? [], target.address), server.port) : undefined;
  const launcher = renderLauncher(layout, {
    port: server.port,
    ...(proxy ? { listen: '127.0.0.1' as const } : {}),
    allowedHosts: server.allowedHosts ?? defaultAllowedHosts(target, server.port, server.publicNames),
    corsOrigins: proxy ? proxy.names.map((n) => `https://${urlHost(n)}`) : corsOrigins(target, server.port, server.publicNames),
    workers: server.workers ?? autoWorkers(facts.memTotalMb),
    ...(server.jobRunner ? { jobRunner: true } : {}),
    ...(server.metrics ? { metrics: true } : {}),
    ...(input.fleet?.periodicTasks === false ? { periodicTasks: false as const } : {}),
    ...(server.logMaxBytes ? { logMaxBytes: server.logMaxBytes } : {}),
    ...features.launcher,
  });
  const secrets = renderSecretsEnv(db, features.secrets);
  // The live server's salt (from its PID file) to compare with it; a new one for a server yet to start.
  const fingerprintSalt = facts.server.fingerprintSalt ?? facts.supervisor.unit?.salt ?? input.newSalt();
  const fingerprint = configFingerprint(launcher, secrets, features.authIni, fingerprintSalt);
  const supervisor = server.supervisor ?? 'nohup';
  return {
    user: facts.user,
    layout,
    launcher,
    secrets,
    fingerprint,
    fingerprintSalt,
    supervisor,
    ...(supervisor === 'systemd' ? { unit: renderUnit(layout, facts.user, fingerprint) } : {}),
    ...(features.authIni !== undefined ? { authIni: features.authIni } : {}),
    ...(db.sslRootCert ? { pgRootCert: db.sslRootCert.pem } : {}),
    db,
    ...(features.artifactsRemote ? { artifactsRemote: features.artifactsRemote } : {}),
    record: desiredRecord(facts, layout.artifactsDir, features.artifactsRemote !== undefined),
    ...(features.pip ? { pip: features.pip } : {}),
    ...(proxy ? { proxy } : {}),
    ...(server.gcAfterDays !== undefined && supervisor === 'systemd'
      ? {
          gc: desiredGc(layout, facts.user, {
            days: server.gcAfterDays,
            port: server.port,
            artifactsDestination: features.artifactsRemote ?? layout.artifactsDir,
            ...(config.auth ? { adminUser: config.auth.adminUser } : {}),
          }),
        }
      : {}),
    port: server.port,
    ...(server.mlflowVersion ? { mlflowVersion: server.mlflowVersion } : {}),
    ...(server.mlflowLatest ? { mlflowLatest: true } : {}),
    upgrade: config.upgrade,
  };
}

/** The gc launcher, service and timer for these settings: the same bytes on a rerun with the same DAYS. */
function desiredGc(layout: RemoteLayout, user: string, gc: GcSettings): DesiredGc {
  return { days: gc.days, launcher: renderGcLauncher(layout, gc), service: renderGcService(layout, user), timer: renderGcTimer() };
}

/**
 * provision's record of the artifacts folder: created when the probe found it missing (this run's artifacts
 * step makes it, before the files step writes the record), or when the VM's record already said so for the
 * same folder; otherwise the folder was there before (or on an install older than the record) and a purge
 * will leave it. Pure: the same facts give the same bytes, so a rerun does not rewrite it.
 */
export function desiredRecord(facts: Pick<Facts, 'artifactsDir' | 'record'>, artifactsDir: string, remote: boolean): string {
  if (remote) return renderRecord({ artifactsDirCreated: false });
  const earlier = facts.record ? parseRecord(facts.record.content) : undefined;
  const recorded = earlier !== undefined && !('problem' in earlier) && earlier.artifactsDir === artifactsDir && earlier.artifactsDirCreated;
  return renderRecord({ artifactsDir, artifactsDirCreated: facts.artifactsDir === 'missing' || recorded });
}

/**
 * The names the proxy serves: acme the DNS names (--public-name; ACME needs them), internal also the address
 * (its CA can sign for an IP), files the names the certificate is for (--public-name, else the address).
 */
export function proxyNames(mode: TlsSettings['mode'], publicNames: string[], address: string): string[] {
  if (mode === 'acme') return publicNames;
  if (mode === 'internal') return [...new Set([...publicNames, address])];
  return publicNames.length > 0 ? publicNames : [address];
}

/** The proxy's Caddyfile and files for --tls. */
export function desiredProxy(tls: TlsSettings, names: string[], upstreamPort: number): DesiredProxy {
  const files: DesiredProxy['files'] = [];
  const file = (role: ProxyFileRole, content: string | Secret) =>
    files.push({ role, path: proxyFilePath(role), content, mode: PROXY_FILES[role].mode, owner: PROXY_FILES[role].owner });
  if (tls.acme?.directoryRoot) file('acmeRoot', tls.acme.directoryRoot.pem);
  if (tls.files) {
    file('cert', tls.files.cert.pem);
    file('key', tls.files.key);
  }
  const caddyfile = renderCaddyfile({
    mode: tls.mode,
    names: names.map(urlHost),
    upstreamPort,
    ...(tls.acme ? { acme: { ...tls.acme, directoryRoot: tls.acme.directoryRoot !== undefined } } : {}),
  });
  return {
    mode: tls.mode,
    names,
    caddyfile,
    files,
    ...(tls.acme?.directory ? { directory: tls.acme.directory } : {}),
    ...(tls.trust ? { trust: tls.trust.pem } : {}),
  };
}

/**
 * The default allow-list: the host as given and as connected to, each --public-name, with and without the
 * port, plus localhost (MLflow's DNS-rebinding protection refuses any other Host header). Never the target's
 * label: that is output's name for it (`user@host:port` when two targets share a host), no Host header a
 * browser sends, and it would make the files differ from a one-target run's and restart the server.
 */
export function defaultAllowedHosts(target: Pick<HostTarget, 'address' | 'name'>, port: number, publicNames: string[] = []): string[] {
  const names = [...new Set([target.address, target.name, ...publicNames, 'localhost', '127.0.0.1'])];
  return names.flatMap((n) => [urlHost(n), `${urlHost(n)}:${port}`]);
}

/**
 * The origins a browser sends from the UI at the server's public addresses (`http://NAME:PORT`; port 80 also
 * without it): MLflow blocks state-changing API calls from any other non-localhost origin.
 */
export function corsOrigins(target: Pick<HostTarget, 'address' | 'name'>, port: number, publicNames: string[] = []): string[] {
  const names = [...new Set([target.address, target.name, ...publicNames])].filter((n) => !['localhost', '127.0.0.1', '::1'].includes(n));
  return names.map((n) => (port === 80 ? `http://${urlHost(n)}` : `http://${urlHost(n)}:${port}`));
}

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
 * `newKey` makes one only when the VM has none. `fleetKey`, the key of the VM's fleet, wins over both.
 */
export function featureState(
  options: { db: DatabaseSettings; auth?: ProvisionConfig['auth']; blob?: ServerOptions['blob']; metrics?: boolean | undefined },
  facts: Facts,
  newKey: () => Secret,
  fleetKey?: Secret,
): FeatureState {
  const state: FeatureState = { secrets: [], launcher: {} };
  const pip: NonNullable<Desired['pip']> = { extras: [], packages: [], modules: [] };
  const { auth, db, blob } = options;
  if (auth) {
    state.secrets.push(
      ['MLFLOW_FLASK_SERVER_SECRET_KEY', fleetKey ?? facts.flaskSecretKey ?? newKey()],
      ['MLFLOW_AUTH_ADMIN_PASSWORD', auth.adminPassword],
      // For the auth database, whose URI (in the auth configuration file) carries no password.
      ['PGPASSWORD', db.password],
    );
    state.launcher.auth = { adminUser: auth.adminUser };
    state.authIni = renderAuthIni(db, { adminUser: auth.adminUser, database: auth.database });
    pip.extras.push('auth');
    pip.modules.push({ module: 'flask_wtf', pkg: 'Flask-WTF (mlflow[auth])' });
  }
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
  if (options.metrics) {
    // MLflow's --expose-prometheus imports it; it is in mlflow[extras], whose other packages are not needed.
    pip.packages.push('prometheus-flask-exporter');
    pip.modules.push({ module: 'prometheus_flask_exporter', pkg: 'prometheus-flask-exporter' });
  }
  if (pip.extras.length > 0 || pip.packages.length > 0) state.pip = pip;
  return state;
}
