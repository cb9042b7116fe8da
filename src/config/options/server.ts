/**
 * The MLflow server on the VM, its artifacts and its login: the options config/config.ts reads (serverOptions,
 * blobSettings, authSettings).
 */
import { LOG_ROTATION } from '../../render/log-writer.js';
import { tildePath, VM_FILES } from '../../render/vm-files.js';
import { DEFAULT_MLFLOW_VERSION } from '../mlflow-version.js';
import { EVERY_COMMAND, type OptionSpec } from './spec.js';

const MIB = 1024 * 1024;

export const SERVER_OPTIONS = [
  {
    name: 'mlflow-port',
    commands: EVERY_COMMAND,
    type: 'number',
    range: { min: 1, max: 65535 },
    group: 'Server',
    env: ['PROVISION_MLFLOW_PORT'],
    default: 5000,
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
    name: 'azure-storage-connection-string',
    type: 'secret',
    group: 'Server',
    env: ['AZURE_STORAGE_CONNECTION_STRING'],
    describe: "with --artifacts-destination: the storage account's connection string, written to the secrets file on the VM",
  },
  {
    name: 'azure-storage-access-key',
    type: 'secret',
    group: 'Server',
    env: ['AZURE_STORAGE_ACCESS_KEY'],
    describe: "with --artifacts-destination: the storage account's access key (else a masked prompt in a terminal)",
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
    name: 'metrics',
    type: 'boolean',
    group: 'Server',
    env: ['PROVISION_METRICS'],
    describe:
      "expose MLflow's Prometheus metrics on /metrics (MLflow's --expose-prometheus, its folder emptied at each start; behind the login with --auth basic); see docs/fleet.md",
  },
  {
    name: 'log-size',
    type: 'number',
    range: { min: 0.01, max: 10240, decimals: true, unit: 'MiB' },
    group: 'Server',
    env: ['PROVISION_LOG_SIZE'],
    // The launcher's writer applies it when the option is not given (the configuration fingerprint then names no size).
    default: LOG_ROTATION.maxBytes / MIB,
    describe: `size in MiB at which the server's log ${tildePath('log')} is rotated, without a restart; ${LOG_ROTATION.keep} older files are kept (see docs/supervisor.md)`,
  },
  {
    name: 'supervisor',
    type: 'string',
    group: 'Server',
    env: ['PROVISION_SUPERVISOR'],
    choices: ['nohup', 'systemd'],
    default: 'nohup',
    describe:
      'what keeps the server running: nohup (gone after a reboot; rerun provision to bring it back) or systemd (a unit that restarts it after a crash and starts it at boot; see docs/supervisor.md); also a hosts-file setting',
  },
  {
    name: 'gc-after',
    type: 'number',
    range: { min: 1, max: 3650 },
    group: 'Server',
    env: ['PROVISION_GC_AFTER_DAYS'],
    describe:
      'with --supervisor systemd: a daily systemd timer runs `mlflow gc` and removes for good the runs (and their artifacts) deleted more than that many days ago; `provision status` shows its last run (see docs/supervisor.md)',
  },
  {
    name: 'auth',
    type: 'string',
    group: 'Server',
    env: ['PROVISION_AUTH'],
    choices: ['none', 'basic'],
    default: 'none',
    describe: "basic: MLflow's login (basic-auth app, mlflow[auth]); admin password from MLFLOW_AUTH_ADMIN_PASSWORD or a prompt (see docs/auth.md)",
  },
  {
    name: 'auth-admin-user',
    type: 'string',
    group: 'Server',
    env: ['MLFLOW_AUTH_ADMIN_USERNAME'],
    default: 'admin',
    describe: 'with --auth basic: the admin user MLflow creates at its first start',
  },
  {
    name: 'auth-admin-password',
    type: 'secret',
    group: 'Server',
    env: ['MLFLOW_AUTH_ADMIN_PASSWORD'],
    instead: 'Set MLFLOW_AUTH_ADMIN_PASSWORD in .env, or run in a terminal to be asked',
    describe: 'with --auth basic: the admin password, at least 12 characters (else a masked prompt in a terminal)',
  },
  {
    name: 'auth-db',
    type: 'string',
    group: 'Database',
    env: ['POSTGRES_AUTH_DB'],
    default: 'mlflow_auth',
    describe: "with --auth basic: database for MLflow's users and permissions, on the same server (create it first)",
  },
] as const satisfies readonly OptionSpec[];
