/**
 * The one table of the names provision gives things on the VM, each relative to the SSH user's home. The
 * layout (`remoteLayout`), the probe and status scripts, the artifacts-folder rules and the texts shown to
 * people all spell a name from here, so renaming a file is one line.
 */
export const VM_FILES = {
  /** The virtual environment MLflow runs from. */
  venv: 'mlflow-venv',
  /** The launcher: no secrets, runnable by hand. */
  launcher: 'start-mlflow-server.sh',
  /** The secrets file (mode 0600), sourced by the launcher. */
  secrets: '.mlflow-server.env',
  /** The server's output. */
  log: 'mlflow-server.log',
  /** `PID START-TICKS FINGERPRINT SALT` of the running server. */
  pidFile: 'mlflow-server.pid',
  /** MLflow's basic-auth configuration (--auth basic). */
  authIni: 'mlflow-auth.ini',
  /** --pg-ssl-root-cert: the database server's root certificate(s). */
  pgRootCert: '.mlflow-pg-root.crt',
  /** provision's record of what it created (the artifacts folder), mode 0600: render/record.ts. */
  record: '.mlflow-provision.json',
  /** --metrics: the Prometheus exporter's multiprocess folder, emptied by the launcher at each start. */
  metricsDir: '.mlflow-metrics',
  /** The artifacts folder unless --artifacts-dir names another. */
  artifactsDir: 'mlruns-artifacts',
} as const;

export type VmFile = keyof typeof VM_FILES;

/** `~/name`, as a person types it. */
export function tildePath(file: VmFile): string {
  return `~/${VM_FILES[file]}`;
}
