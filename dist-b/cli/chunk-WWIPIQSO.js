import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/render/vm-files.ts
var VM_FILES = {
  /** The virtual environment MLflow runs from. */
  venv: "mlflow-venv",
  /** The launcher: no secrets, runnable by hand. */
  launcher: "start-mlflow-server.sh",
  /** The secrets file (mode 0600), sourced by the launcher. */
  secrets: ".mlflow-server.env",
  /** The server's output. */
  log: "mlflow-server.log",
  /** `PID START-TICKS FINGERPRINT SALT` of the running server. */
  pidFile: "mlflow-server.pid",
  /** MLflow's basic-auth configuration (--auth basic). */
  authIni: "mlflow-auth.ini",
  /** --pg-ssl-root-cert: the database server's root certificate(s). */
  pgRootCert: ".mlflow-pg-root.crt",
  /** The artifacts folder unless --artifacts-dir names another. */
  artifactsDir: "mlruns-artifacts"
};
function tildePath(file) {
  return `~/${VM_FILES[file]}`;
}

export {
  VM_FILES,
  tildePath
};
