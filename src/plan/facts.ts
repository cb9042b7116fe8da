/**
 * The provisioning probe: one batched, read-only script whose `key=value` lines become `Facts`. It is composed
 * of parts (src/plan/probe/), each a shell fragment beside the readers of the keys it prints.
 */
import { artifactsPart } from './probe/artifacts.js';
import { filesPart } from './probe/files.js';
import { drainPart } from './probe/drain.js';
import { gcPart } from './probe/gc.js';
import { packagesPart } from './probe/packages.js';
import { composeProbeScript, readProbeOutput } from './probe/part.js';
import { serverPart } from './probe/server.js';
import { supervisorPart } from './probe/supervisor.js';
import { proxyPart } from './probe/proxy.js';
import { systemPart } from './probe/system.js';
import { emptyFacts, type FactPart, type Facts, type ProbeInput } from './probe/types.js';
import { venvPart } from './probe/venv.js';
import { emptyStatusExtras, STATUS_PARTS, type StatusExtras, type StatusProbeInput } from './probe/status.js';
import type { RemoteCommand } from '../action/action.js';

export { REQUIRED_PACKAGES } from './probe/packages.js';
export type { DrainFacts, Facts, Listener, ProbeInput } from './probe/types.js';

/**
 * The probe's parts, in the order they run (the server part reads what the system part's sudo call found, and
 * the unit's main process the supervisor part found).
 */
export const PROBE_PARTS: readonly FactPart[] = [
  systemPart,
  packagesPart,
  venvPart,
  artifactsPart,
  filesPart,
  supervisorPart,
  serverPart,
  proxyPart,
  gcPart,
  drainPart,
];

/**
 * A POSIX shell script that prints `key=value` lines. Paths are derived from $HOME on the VM, since the
 * probe is how we learn the home directory. It reads and never writes. Few processes on purpose: this runs
 * on every rerun, and each fork costs milliseconds on a small VM.
 */
export function buildProbeScript(input: ProbeInput): string {
  return composeProbeScript(PROBE_PARTS, input);
}

/** How long a probe may take on the VM. */
const PROBE_TIMEOUT_SEC = 60;

/** The provisioning probe as a command. */
export function probeCommand(input: ProbeInput): RemoteCommand {
  return { kind: 'probe', label: "read the VM's state", command: buildProbeScript(input), timeoutSec: PROBE_TIMEOUT_SEC };
}

/** How many log lines `provision status` shows. */
export const STATUS_LOG_LINES = 5;

/**
 * The probe's parts, then what only `status` and the lifecycle commands need: times for the uptime, the
 * launcher, the secrets, the log's last lines.
 */
export function statusProbeCommand(mlflowPort: number, logLines = STATUS_LOG_LINES): RemoteCommand {
  return {
    kind: 'status-probe',
    label: "read the VM's state and the server's files",
    command: composeProbeScript<StatusProbeInput>([...PROBE_PARTS, ...STATUS_PARTS], { mlflowPort, logLines }),
    timeoutSec: PROBE_TIMEOUT_SEC,
  };
}

/** The status-only lines of the status probe's output (the probe's lines are read by parseFacts). */
export function parseStatusExtras(text: string): StatusExtras {
  const extras = emptyStatusExtras();
  readProbeOutput(text, STATUS_PARTS, extras);
  return extras;
}

export function parseFacts(text: string): Facts {
  const facts = emptyFacts();
  if (!readProbeOutput(text, PROBE_PARTS, facts)) throw new Error("the VM's state could not be read (probe output incomplete)");
  // Under systemd the live server is the unit's main process, whatever the PID file says (systemd may have
  // restarted it since provision wrote that file).
  const unit = facts.supervisor.unit;
  if (unit?.active === 'active' && unit.mainPid) {
    facts.server = {
      running: true,
      pid: unit.mainPid,
      ...(unit.fingerprint ? { fingerprint: unit.fingerprint } : {}),
      ...(unit.salt ? { fingerprintSalt: unit.salt } : {}),
      ...(facts.server.listening !== undefined ? { listening: facts.server.listening } : {}),
    };
  }
  return facts;
}
