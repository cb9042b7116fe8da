import type { Secret } from '../../util/secret.js';
import type { ProbePart } from './part.js';

/** What one batched probe reads from the VM: everything every step needs to decide, in one round trip. */
export interface Facts {
  osId: string;
  osVersion: string;
  osPretty: string;
  sudo: boolean;
  home: string;
  user: string;
  diskFreeMb: number;
  /** MemTotal of /proc/meminfo, in MiB (0 when unreadable). */
  memTotalMb: number;
  missingPackages: string[];
  dpkgInterrupted: boolean;
  cloudInit: boolean;
  venvPython: boolean;
  mlflowVersion?: string;
  mlflowImportable: boolean;
  driverImportable: boolean;
  artifactsDir: 'ok' | 'missing' | 'not-writable' | 'symlink' | 'not-a-folder';
  /** The artifacts path and the home with every symlink resolved, and the folder's owner when not the user. */
  artifactsReal: string;
  homeReal: string;
  artifactsOwner?: string;
  /** Temporary files of uploads that a dropped connection left behind (`<file>.provision-<hex>`). */
  leftoverUploads: string[];
  files: Record<'launcher' | 'secrets' | 'authIni' | 'pgRootCert', { sha256?: string; mode?: number; owner?: string }>;
  /** provision's record (render/record.ts) as the VM has it: its first 4 KiB, mode and owner; unset when missing. */
  record?: { content: string; mode?: number; owner?: string };
  /** Python modules of optional features present in the venv: `flask_wtf` (mlflow[auth]), `azure.storage.blob`, `azure.identity`. */
  modules: string[];
  /** MLFLOW_FLASK_SERVER_SECRET_KEY from the secrets file, read only with --auth basic (kept across reruns). */
  flaskSecretKey?: Secret;
  /** The live server (PID and start time match); its configuration fingerprint and that fingerprint's salt. */
  server: {
    pid?: number;
    running: boolean;
    fingerprint?: string;
    fingerprintSalt?: string;
    /** Something of the live server's own process group listens on the MLflow port (undefined: not asked). */
    listening?: boolean;
  };
  /**
   * Processes listening on the MLflow port: pid, process group, owner and command line. `ours` means the
   * process belongs to the SSH user and every process of its group runs from the venv: an MLflow server
   * from our own install (e.g. uvicorn left holding the port after its `mlflow server` parent was killed).
   */
  listeners: Listener[];
  /** Whether systemd runs the VM (PID 1), and the MLflow unit when its file exists. */
  supervisor: { systemd: boolean; unit?: UnitFacts };
  /** The --tls proxy (Caddy). */
  proxy: ProxyFacts;
  /** --gc-after: the mlflow gc service, timer and launcher, when any of them is on the VM. */
  gc?: GcFacts;
  /** A drain rule of a rolling restart is in place (plan/drain.ts): the VM is out of its load balancer. */
  drain?: DrainFacts;
}

/** A drain rule as the VM has it: the probe's address and the server port it names (when readable). */
export interface DrainFacts {
  probeSource?: string;
  port?: number;
}

/** The mlflow gc timer as the gc part reads it: its files' hashes, the timer's state, the last run. */
export interface GcFacts {
  serviceSha256?: string;
  timerSha256?: string;
  launcherSha256?: string;
  launcherMode?: number;
  /** DAYS of the launcher's `--older-than DAYSd`. */
  days?: number;
  /** The timer's ActiveState (active, inactive...) and whether it starts at boot. */
  timerActive?: string;
  timerEnabled?: boolean;
  /** The service's Result of its last run (success, exit-code, ...), its exit status, and when that run ended (UTC, ISO). */
  result?: string;
  exitStatus?: number;
  lastRun?: string;
  /** When the timer next starts the service (UTC, ISO). */
  nextRun?: string;
}

/** Caddy on the VM, as the proxy part reads it. */
export interface ProxyFacts {
  installed: boolean;
  caddyfileSha256?: string;
  /** The Caddyfile starts with our marker. */
  ours: boolean;
  /** caddy.service's ActiveState (active, inactive, failed...) and whether it starts at boot. */
  active?: string;
  enabled?: boolean;
  /** Our folder beside the Caddyfile exists. */
  dir: boolean;
  /** Our files in it, by name. */
  files: Record<string, { sha256: string; mode: number; owner: string }>;
  /** Uploads (~/.provision-caddy-*) an interrupted run left in the home before root installed them: the key among them. */
  uploads?: string[];
}

/** The MLflow unit as systemd sees it (`--supervisor systemd`). */
export interface UnitFacts {
  sha256?: string;
  /** ActiveState: active, activating (e.g. waiting to restart), failed, inactive... */
  active?: string;
  enabled?: boolean;
  mainPid?: number;
  /** The unit file changed on disk since systemd read it. */
  needsReload?: boolean;
  /** PROVISION_FINGERPRINT in the main process's environment: the configuration the running server has. */
  fingerprint?: string;
  /** The fingerprint's salt, from the 0600 PID file. */
  salt?: string;
  /** When the main process started, in microseconds of CLOCK_MONOTONIC (the clock /proc/uptime counts). */
  startedMonotonicUs?: number;
}

export interface Listener {
  pid: number;
  pgid?: number;
  user: string;
  ours: boolean;
  command: string;
}

export interface ProbeInput {
  /** Paths relative to $HOME are resolved on the VM, since the home directory is not known before. */
  artifactsDir?: string;
  mlflowPort: number;
  /** --auth basic: read back the session secret key of an earlier run, so reruns keep it. */
  readFlaskSecretKey?: boolean;
}

/** Facts before any line is read: what an empty VM answers. */
export function emptyFacts(): Facts {
  return {
    osId: '',
    osVersion: '',
    osPretty: '',
    sudo: false,
    home: '',
    user: '',
    diskFreeMb: 0,
    memTotalMb: 0,
    missingPackages: [],
    dpkgInterrupted: false,
    cloudInit: false,
    venvPython: false,
    mlflowImportable: false,
    driverImportable: false,
    artifactsDir: 'missing',
    artifactsReal: '',
    homeReal: '',
    leftoverUploads: [],
    files: { launcher: {}, secrets: {}, authIni: {}, pgRootCert: {} },
    modules: [],
    server: { running: false },
    listeners: [],
    supervisor: { systemd: false },
    proxy: { installed: false, ours: false, dir: false, files: {} },
  };
}

/** A part of the provisioning probe. */
export type FactPart = ProbePart<Facts, ProbeInput>;
