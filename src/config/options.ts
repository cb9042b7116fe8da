/**
 * Every option of `provision`, in one table: yargs builds the parser from it, the resolver reads flags and
 * environment variables from it, and scripts/options-doc.ts renders the README's option table from it.
 */
import { SSL_MODES } from '../render/backend-uri.js';
import { tildePath, VM_FILES } from '../render/vm-files.js';
import { DEFAULT_MLFLOW_VERSION } from './mlflow-version.js';
export interface OptionSpec {
  name: string;
  type: 'string' | 'number' | 'boolean';
  group: 'Target' | 'SSH' | 'Database' | 'Server' | 'HTTPS' | 'Behaviour' | 'Command';
  describe: string;
  /** Environment variables read when the flag is absent, first match wins (.env is loaded into the environment). */
  env: string[];
  /** Shown in --help and the README; applied by the resolver, not by yargs, so sources can be told apart. */
  defaultText?: string;
  choices?: readonly string[];
  /** Number options: the range our own code checks (yargs reads them as text, so a message can show what was typed). */
  range?: { min: number; max: number; decimals?: boolean; unit?: string };
  array?: boolean;
  /** Also an option of `provision status` (every option belongs to the provisioning command). */
  status?: boolean;
}

export const OPTIONS: OptionSpec[] = [
  {
    name: 'host',
    status: true,
    type: 'string',
    group: 'Target',
    array: true,
    env: ['PROVISION_HOST'],
    describe: 'VM address or ~/.ssh/config Host alias; repeat for several VMs',
  },
  {
    name: 'hosts-file',
    status: true,
    type: 'string',
    group: 'Target',
    env: ['PROVISION_HOSTS_FILE'],
    describe: 'file with one VM a line: [user@]host[:port] [artifacts-dir=… mlflow-port=… allowed-hosts=…] (see docs/hosts-file.md)',
  },
  {
    name: 'concurrency',
    status: true,
    type: 'number',
    range: { min: 1, max: 100 },
    group: 'Target',
    env: ['PROVISION_CONCURRENCY'],
    defaultText: '10',
    describe: 'how many VMs are provisioned at once',
  },
  {
    name: 'user',
    status: true,
    type: 'string',
    group: 'SSH',
    env: ['PROVISION_USER'],
    defaultText: 'azureuser',
    describe: 'SSH user on the VM (needs passwordless sudo)',
  },
  {
    name: 'ssh-port',
    status: true,
    type: 'number',
    range: { min: 1, max: 65535 },
    group: 'SSH',
    env: ['PROVISION_SSH_PORT'],
    defaultText: '22',
    describe: 'SSH port of the VM',
  },
  {
    name: 'identity-file',
    status: true,
    type: 'string',
    group: 'SSH',
    env: ['PROVISION_IDENTITY_FILE'],
    defaultText: 'ssh-agent, then ~/.ssh/id_ed25519, ~/.ssh/id_rsa',
    describe: 'private key for SSH (passphrase from PROVISION_SSH_PASSPHRASE or a prompt)',
  },
  {
    name: 'known-hosts',
    status: true,
    type: 'string',
    group: 'SSH',
    env: ['PROVISION_KNOWN_HOSTS'],
    defaultText: '~/.ssh/known_hosts',
    describe: "known_hosts file used to verify (and record) host keys; wins over the ssh config's UserKnownHostsFile",
  },
  {
    name: 'host-key-policy',
    status: true,
    type: 'string',
    group: 'SSH',
    env: ['PROVISION_HOST_KEY_POLICY'],
    choices: ['accept-new', 'strict'],
    defaultText: 'accept-new',
    describe: 'unknown host keys: record them (accept-new) or refuse the host (strict); a changed key is always refused',
  },
  {
    name: 'ssh-config',
    status: true,
    type: 'string',
    group: 'SSH',
    env: ['PROVISION_SSH_CONFIG'],
    defaultText: '~/.ssh/config',
    describe:
      'OpenSSH client config used to resolve Host aliases (HostName, User, Port, IdentityFile) and host keys (HostKeyAlias, UserKnownHostsFile, GlobalKnownHostsFile); Include is followed',
  },
  {
    name: 'jump',
    status: true,
    type: 'string',
    group: 'SSH',
    env: ['PROVISION_JUMP'],
    defaultText: "the ssh config's ProxyJump",
    describe:
      'reach the VMs through a jump host (bastion): [user@]host[:port], or hops separated by commas, each checked against known_hosts like the VM; `none` for a direct connection',
  },
  {
    name: 'connect-timeout',
    status: true,
    type: 'number',
    range: { min: 1, max: 600, decimals: true, unit: 'seconds' },
    group: 'SSH',
    env: ['PROVISION_CONNECT_TIMEOUT'],
    defaultText: '20',
    describe: 'seconds to wait for the SSH connection and handshake (1 to 600)',
  },
  { name: 'pg-host', type: 'string', group: 'Database', env: ['POSTGRES_HOST'], describe: 'PostgreSQL server, e.g. myserver.postgres.database.azure.com' },
  {
    name: 'pg-port',
    type: 'number',
    range: { min: 1, max: 65535 },
    group: 'Database',
    env: ['POSTGRES_PORT'],
    defaultText: '5432',
    describe: 'PostgreSQL port',
  },
  { name: 'pg-user', type: 'string', group: 'Database', env: ['POSTGRES_USER'], defaultText: 'mlflow', describe: 'PostgreSQL user' },
  { name: 'pg-db', type: 'string', group: 'Database', env: ['POSTGRES_DB'], defaultText: 'mlflow', describe: 'PostgreSQL database' },
  {
    name: 'pg-sslmode',
    type: 'string',
    group: 'Database',
    env: ['POSTGRES_SSLMODE'],
    defaultText: 'require',
    choices: [...SSL_MODES],
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
    name: 'mlflow-port',
    status: true,
    type: 'number',
    range: { min: 1, max: 65535 },
    group: 'Server',
    env: ['PROVISION_MLFLOW_PORT'],
    defaultText: '5000',
    describe: "port the MLflow server listens on (open it in the VM's network security group)",
  },
  {
    name: 'artifacts-dir',
    type: 'string',
    group: 'Server',
    env: ['PROVISION_ARTIFACTS_DIR'],
    defaultText: `/home/<user>/${VM_FILES.artifactsDir}`,
    describe: 'absolute path on the VM where artifacts are stored',
  },
  {
    name: 'artifacts-destination',
    type: 'string',
    group: 'Server',
    env: ['PROVISION_ARTIFACTS_DESTINATION'],
    describe:
      "wasbs://<container>@<account>.blob.core.windows.net/<path>: artifacts in Azure Blob Storage instead of the VM's disk; credential from AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCESS_KEY (see docs/azure-blob.md)",
  },
  {
    name: 'azure-identity',
    type: 'boolean',
    group: 'Server',
    env: ['PROVISION_AZURE_IDENTITY'],
    describe: "with --artifacts-destination: reach Blob Storage with the VM's managed identity (installs azure-identity) instead of a key",
  },
  {
    name: 'allowed-hosts',
    type: 'string',
    group: 'Server',
    env: ['PROVISION_ALLOWED_HOSTS'],
    defaultText: 'the host and each --public-name, with and without port, plus localhost',
    describe: 'comma-separated Host header allow-list for the server; `*` disables the check',
  },
  {
    name: 'public-name',
    type: 'string',
    group: 'Server',
    array: true,
    env: ['PROVISION_PUBLIC_NAME'],
    describe:
      'a DNS name or address users open the UI at (repeat for several); joins the Host allow-list (with and without port) and the CORS origins (http://NAME:PORT)',
  },
  {
    name: 'mlflow-version',
    type: 'string',
    group: 'Server',
    env: ['PROVISION_MLFLOW_VERSION'],
    defaultText: `${DEFAULT_MLFLOW_VERSION} (tested) on a fresh VM, else the installed one`,
    describe:
      'MLflow version to install, e.g. 3.16.1, or `latest`; a rerun with another version upgrades it and migrates the database schema; one older than the schema in the database is refused (see docs/upgrading.md)',
  },
  {
    name: 'workers',
    type: 'number',
    range: { min: 1, max: 16 },
    group: 'Server',
    env: ['PROVISION_WORKERS'],
    defaultText: "1 per 2 GiB of the VM's memory, 1 to 4",
    describe: 'uvicorn worker processes of the server; each takes about 250 MB and up to 5 database connections (see docs/sizing.md)',
  },
  {
    name: 'job-runner',
    type: 'boolean',
    group: 'Server',
    env: ['PROVISION_JOB_RUNNER'],
    describe: "start MLflow's background job runner (huey consumers for GenAI jobs; about 1.3 GB more memory); off by default",
  },
  {
    name: 'log-size',
    type: 'number',
    range: { min: 0.01, max: 10240, decimals: true, unit: 'MiB' },
    group: 'Server',
    env: ['PROVISION_LOG_SIZE'],
    defaultText: '10',
    describe: `size in MiB at which the server's log ${tildePath('log')} is rotated, without a restart; 5 older files are kept (see docs/supervisor.md)`,
  },
  {
    name: 'supervisor',
    type: 'string',
    group: 'Server',
    env: ['PROVISION_SUPERVISOR'],
    choices: ['nohup', 'systemd'],
    defaultText: 'nohup',
    describe:
      'what keeps the server running: nohup (gone after a reboot; rerun provision to bring it back) or systemd (a unit that restarts it after a crash and starts it at boot; see docs/supervisor.md); also a hosts-file setting',
  },
  {
    name: 'auth',
    type: 'string',
    group: 'Server',
    env: ['PROVISION_AUTH'],
    choices: ['none', 'basic'],
    defaultText: 'none',
    describe: "basic: MLflow's login (basic-auth app, mlflow[auth]); admin password from MLFLOW_AUTH_ADMIN_PASSWORD or a prompt (see docs/auth.md)",
  },
  {
    name: 'auth-admin-user',
    type: 'string',
    group: 'Server',
    env: ['MLFLOW_AUTH_ADMIN_USERNAME'],
    defaultText: 'admin',
    describe: 'with --auth basic: the admin user MLflow creates at its first start',
  },
  {
    name: 'auth-db',
    type: 'string',
    group: 'Database',
    env: ['POSTGRES_AUTH_DB'],
    defaultText: 'mlflow_auth',
    describe: "with --auth basic: database for MLflow's users and permissions, on the same server (create it first)",
  },
  {
    name: 'tls',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_TLS'],
    choices: ['none', 'acme', 'internal', 'files'],
    defaultText: 'none',
    describe:
      "HTTPS in front of MLflow, by Caddy on 443 (and 80) with MLflow on 127.0.0.1 only: acme (a certificate for --public-name from Let's Encrypt or --acme-ca, renewed by Caddy), internal (a private CA on the VM; its root is downloaded), files (--tls-cert and --tls-key); see docs/tls.md",
  },
  {
    name: 'acme-ca',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_ACME_CA'],
    defaultText: "Let's Encrypt",
    describe: "with --tls acme: another ACME directory URL, e.g. Let's Encrypt's staging https://acme-staging-v02.api.letsencrypt.org/directory",
  },
  {
    name: 'acme-ca-root',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_ACME_CA_ROOT'],
    describe: "with --acme-ca: PEM root certificate the ACME directory's own HTTPS chains to (a private ACME server)",
  },
  {
    name: 'acme-email',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_ACME_EMAIL'],
    describe: 'with --tls acme: contact address for the ACME account',
  },
  {
    name: 'tls-cert',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_TLS_CERT'],
    describe: 'with --tls files: PEM certificate, then its chain (uploaded, 0644)',
  },
  {
    name: 'tls-key',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_TLS_KEY'],
    describe: 'with --tls files: PEM private key of --tls-cert, without passphrase (uploaded 0600, readable by Caddy only; never printed)',
  },
  {
    name: 'tls-ca-cert',
    status: true,
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_TLS_CA_CERT'],
    defaultText: "this machine's roots; with --tls internal the VM's CA",
    describe: "PEM root certificate(s) the HTTPS checks trust for the server's certificate (e.g. a staging or private CA)",
  },
  {
    name: 'upgrade',
    type: 'boolean',
    group: 'Behaviour',
    env: ['PROVISION_UPGRADE'],
    describe: 'run apt-get update/upgrade and upgrade MLflow even when everything is installed',
  },
  {
    name: 'dry-run',
    status: true,
    type: 'boolean',
    group: 'Behaviour',
    env: ['PROVISION_DRY_RUN'],
    describe: "read the VM's state and print what would change, touching nothing",
  },
  {
    name: 'log-dir',
    status: true,
    type: 'string',
    group: 'Behaviour',
    env: ['PROVISION_LOG_DIR'],
    defaultText: './provision-logs',
    describe: 'folder for the full per-host logs (secrets masked)',
  },
  { name: 'yes', status: true, type: 'boolean', group: 'Behaviour', env: ['PROVISION_YES'], describe: 'never prompt; a missing value is an error' },
  {
    name: 'json',
    status: true,
    type: 'boolean',
    group: 'Behaviour',
    env: ['PROVISION_JSON'],
    describe: 'print one JSON result per host on stdout (progress goes to stderr)',
  },
  {
    name: 'verbose',
    status: true,
    type: 'boolean',
    group: 'Behaviour',
    env: ['PROVISION_VERBOSE'],
    describe: 'line-by-line output with every remote command, and stack traces on errors',
  },
  {
    name: 'env-file',
    status: true,
    type: 'string',
    group: 'Behaviour',
    env: [],
    defaultText: '.env',
    describe: 'dotenv file to read settings from (values already in the environment win); a file named here must exist, a missing .env is fine',
  },
];

/** The options `provision status` takes: where the VMs are and how to reach them, and the output form. */
export const STATUS_OPTIONS: OptionSpec[] = OPTIONS.filter((o) => o.status);

/** The commands for a server's life after provisioning: each takes the status options and its own. */
export const LIFECYCLE_COMMANDS = ['logs', 'stop', 'start', 'restart', 'remove'] as const;
export type LifecycleCommandName = (typeof LIFECYCLE_COMMANDS)[number];

const LIFECYCLE_ONLY: Record<LifecycleCommandName, OptionSpec[]> = {
  logs: [
    {
      name: 'lines',
      type: 'number',
      range: { min: 1, max: 100000 },
      group: 'Command',
      env: ['PROVISION_LOG_LINES'],
      defaultText: '50',
      describe: "how many of the log's last lines to show",
    },
    { name: 'follow', type: 'boolean', group: 'Command', env: [], describe: 'keep printing new lines until Ctrl-C (like tail -F)' },
  ],
  stop: [],
  start: [],
  restart: [],
  remove: [
    {
      name: 'purge-artifacts',
      type: 'boolean',
      group: 'Command',
      env: [],
      describe: "also delete the artifacts folder on the VM (every run's files): asks first, or needs --yes",
    },
  ],
};

/** The options of `provision logs|stop|start|restart|remove`. */
export function lifecycleOptions(command: LifecycleCommandName): OptionSpec[] {
  return [...STATUS_OPTIONS, ...LIFECYCLE_ONLY[command]];
}
