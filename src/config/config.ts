import { homedir } from 'node:os';
import { join } from 'node:path';
import { readSshConfig } from '../hosts/ssh-config.js';
import { SSL_MODES, type DatabaseSettings, type SslMode } from '../render/backend-uri.js';
import { UsageError } from '../util/errors.js';
import { Secret } from '../util/secret.js';
import { getBool, getString, type Settings } from './settings.js';
import {
  parseAllowedHosts,
  requireAbsolutePath,
  requireHost,
  requireMlflowVersion,
  requirePort,
  requireSqlName,
} from './validate.js';

export type HostKeyPolicy = 'accept-new' | 'strict';

export interface HostTarget {
  /** The host as the user wrote it (IP, name or ~/.ssh/config alias). */
  label: string;
  /** The address we connect to (HostName from ~/.ssh/config, else the label). */
  address: string;
  port: number;
  user: string;
  /** Explicit keys (flag or ~/.ssh/config); empty means agent, then the default key files. */
  identityFiles: string[];
}

export interface ServerOptions {
  port: number;
  /** Explicit allow-list; undefined means "derive from the host". */
  allowedHosts?: string[];
  artifactsDir?: string;
  mlflowVersion?: string;
}

export interface ProvisionConfig {
  targets: HostTarget[];
  ssh: {
    knownHostsPath: string;
    hostKeyPolicy: HostKeyPolicy;
    connectTimeoutMs: number;
    passphrase?: Secret;
  };
  db: DatabaseSettings;
  server: ServerOptions;
  output: { json: boolean; verbose: boolean; logDir: string };
  upgrade: boolean;
  dryRun: boolean;
}

function expandHome(p: string): string {
  return p.replace(/^~(?=\/|$)/, homedir());
}

export function resolveTarget(label: string, settings: Settings, sshConfigPath: string): HostTarget {
  const given = label.trim();
  if (given === '') throw new UsageError('--host is empty; give the VM\'s IP address or host name.');
  const fromConfig = readSshConfig(sshConfigPath, given);
  const address = requireHost(fromConfig.hostName ?? given, '--host');
  const userFlag = getString(settings, 'user');
  const portFlag = settings.get('ssh-port')?.value;
  const identityFlag = getString(settings, 'identity-file');
  return {
    label: given,
    address,
    port: requirePort(portFlag ?? fromConfig.port ?? 22, 'ssh-port'),
    user: userFlag ?? fromConfig.user ?? 'azureuser',
    identityFiles: identityFlag ? [expandHome(identityFlag)] : fromConfig.identityFiles,
  };
}

/** Turns complete settings into the run's configuration; every mistake is a UsageError (exit 2). */
export function buildConfig(settings: Settings, password: Secret, passphrase?: Secret): ProvisionConfig {
  const hosts = (settings.get('host')?.value as string[] | undefined) ?? [];
  if (hosts.length === 0) throw new UsageError('No VM given: pass --host <vm-ip> (or set PROVISION_HOST).');
  const sshConfigPath = expandHome(getString(settings, 'ssh-config') ?? join(homedir(), '.ssh', 'config'));
  const targets = hosts.flatMap((h) => String(h).split(',')).filter((h) => h.trim() !== '')
    .map((h) => resolveTarget(h, settings, sshConfigPath));

  const pgHost = getString(settings, 'pg-host');
  if (!pgHost) throw new UsageError('No database host given: pass --pg-host or set POSTGRES_HOST.');
  const sslmode = getString(settings, 'pg-sslmode') ?? 'require';
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new UsageError(`--pg-sslmode must be one of ${SSL_MODES.join(', ')}, not "${sslmode}".`);
  }
  if (password.isEmpty) throw new UsageError('The database password is empty: set POSTGRES_PASSWORD in .env or use --pg-password-stdin.');

  const artifacts = getString(settings, 'artifacts-dir');
  const allowed = getString(settings, 'allowed-hosts');
  const version = getString(settings, 'mlflow-version');
  const policy = getString(settings, 'host-key-policy') ?? 'accept-new';
  if (policy !== 'accept-new' && policy !== 'strict') {
    throw new UsageError(`--host-key-policy must be accept-new or strict, not "${policy}".`);
  }
  const timeout = Number(settings.get('connect-timeout')?.value ?? 20);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600) {
    throw new UsageError('--connect-timeout must be a number of seconds between 1 and 600.');
  }

  return {
    targets,
    ssh: {
      knownHostsPath: expandHome(getString(settings, 'known-hosts') ?? join(homedir(), '.ssh', 'known_hosts')),
      hostKeyPolicy: policy,
      connectTimeoutMs: timeout * 1000,
      ...(passphrase ? { passphrase } : {}),
    },
    db: {
      host: requireHost(pgHost, '--pg-host'),
      port: requirePort(settings.get('pg-port')?.value ?? 5432, 'pg-port'),
      user: requireSqlName(getString(settings, 'pg-user') ?? 'mlflow', 'pg-user'),
      database: requireSqlName(getString(settings, 'pg-db') ?? 'mlflow', 'pg-db'),
      password,
      sslmode: sslmode as SslMode,
    },
    server: {
      port: requirePort(settings.get('mlflow-port')?.value ?? 5000, 'mlflow-port'),
      ...(allowed !== undefined ? { allowedHosts: parseAllowedHosts(allowed) } : {}),
      ...(artifacts !== undefined ? { artifactsDir: requireAbsolutePath(artifacts, 'artifacts-dir') } : {}),
      ...(version !== undefined && version !== 'latest' ? { mlflowVersion: requireMlflowVersion(version) } : {}),
    },
    output: {
      json: getBool(settings, 'json'),
      verbose: getBool(settings, 'verbose'),
      logDir: expandHome(getString(settings, 'log-dir') ?? 'provision-logs'),
    },
    upgrade: getBool(settings, 'upgrade'),
    dryRun: getBool(settings, 'dry-run'),
  };
}

/** The default allow-list: the host as given and as connected to, with and without the port, plus localhost. */
export function defaultAllowedHosts(target: HostTarget, port: number): string[] {
  const names = [...new Set([target.address, target.label, 'localhost', '127.0.0.1'])];
  return names.flatMap((n) => {
    const h = n.includes(':') ? `[${n}]` : n;
    return [h, `${h}:${port}`];
  });
}
