import { CADDYFILE, CADDYFILE_MARKER } from '../../render/caddyfile.js';
import { VM_FILES } from '../../render/vm-files.js';
import { shq } from '../../util/shell-quote.js';
import { homeFile, type ProbePart } from './part.js';
import type { ProbeInput } from './types.js';

/** What only `provision status` reads, after the probe's parts: times for the uptime, the launcher, the secrets, the log. */
export interface StatusExtras {
  sysUptime?: number;
  clkTck: number;
  startTicks?: number;
  /** The PID the start time belongs to (the PID file's). */
  startPid?: number;
  launcher: string[];
  secrets: string[];
  /** ~/.mlflow-pg-root.crt, the database's root certificate(s) provision uploads with --pg-ssl-root-cert. */
  pgRoot: string[];
  log: string[];
  /** The log's size in bytes (undefined: no log), and how many rotated files (.1, .2, ...) it has and their bytes. */
  logBytes?: number;
  rotatedLogs: { files: number; bytes: number };
  /** The Caddyfile's lines, when provision wrote it (--tls). */
  caddyfile: string[];
}

export interface StatusProbeInput extends ProbeInput {
  /** How many of the log's last lines to read. */
  logLines: number;
}

export type StatusPart = ProbePart<StatusExtras, StatusProbeInput>;

export function emptyStatusExtras(): StatusExtras {
  return { clkTck: 100, launcher: [], secrets: [], pgRoot: [], log: [], rotatedLogs: { files: 0, bytes: 0 }, caddyfile: [] };
}

/** The system's uptime, the clock tick and the server's start in ticks (the PID file's second word). */
export const uptimePart: StatusPart = {
  name: 'uptime',
  script: () => `
read -r up _ < /proc/uptime; echo "sys_uptime=$up"
echo "clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)"
[ -f ${homeFile('pidFile')} ] && { read -r spid start _ < ${homeFile('pidFile')}; echo "server_start_ticks=$start"; echo "server_start_pid=$spid"; }
`,
  keys: {
    sys_uptime: (x, _v, raw) => {
      x.sysUptime = Number(raw);
    },
    clk_tck: (x, _v, raw) => {
      x.clkTck = Number(raw) || 100;
    },
    server_start_ticks: (x, _v, raw) => {
      x.startTicks = Number(raw);
    },
    server_start_pid: (x, v) => {
      x.startPid = Number(v);
    },
  },
};

/**
 * Every line of a file of the VM as `key=line`, in order. A last line without its line end is read only
 * where `unterminated` says so: the certificate file is the user's own, the others are written by provision.
 */
function fileLines(file: 'launcher' | 'secrets' | 'pgRootCert', key: string, unterminated = false): string {
  return `[ -r ${homeFile(file)} ] && while IFS= read -r l${unterminated ? ' || [ -n "$l" ]' : ''}; do printf '${key}=%s\\n' "$l"; done < ${homeFile(file)}`;
}

/** The launcher's lines (its flags: port, auth app; the admin user). */
export const launcherPart: StatusPart = {
  name: 'launcher',
  script: () => fileLines('launcher', 'launcher_line'),
  keys: {
    launcher_line: (x, _v, raw) => {
      x.launcher.push(raw);
    },
  },
};

/** The secrets file's lines: the database URI and the admin password, registered as secrets before anything is shown. */
export const secretsPart: StatusPart = {
  name: 'secrets',
  script: () => fileLines('secrets', 'secret_line'),
  keys: {
    secret_line: (x, _v, raw) => {
      x.secrets.push(raw);
    },
  },
};

/** The database's root certificate(s) uploaded with --pg-ssl-root-cert. */
export const pgRootPart: StatusPart = {
  name: 'pg-root',
  script: () => fileLines('pgRootCert', 'pg_root_line', true),
  keys: {
    pg_root_line: (x, _v, raw) => {
      x.pgRoot.push(raw);
    },
  },
};

/** `stat`'s line for the log (`BYTES PATH`) or a rotated one (its path ends in `.N`). */
const LOG_FILE = new RegExp(`^(\\d+) .*/${VM_FILES.log.replace(/\./g, '\\.')}(?:\\.(\\d+))?$`);

/**
 * The log's last lines (across the newest rotation: the log writer may have just started a new file) and
 * the size of the log and of each rotated file (`stat` prints names that do not exist as errors, unread).
 */
export const logPart: StatusPart = {
  name: 'log',
  script: (input) => {
    const log = homeFile('log');
    const n = shq(input.logLines);
    return [
      `{ tail -n ${n} ${log}.1; tail -n ${n} ${log}; } 2>/dev/null | tail -n ${n} | while IFS= read -r l; do printf 'log_line=%s\\n' "$l"; done`,
      `stat -c 'log_file=%s %n' -- ${log} ${log}.[1-9] ${log}.[1-9][0-9] 2>/dev/null`,
    ].join('\n');
  },
  keys: {
    log_line: (x, _v, raw) => {
      x.log.push(raw);
    },
    log_file: (x, v) => {
      const m = LOG_FILE.exec(v);
      if (!m) return;
      if (m[2] === undefined) x.logBytes = Number(m[1]);
      else x.rotatedLogs = { files: x.rotatedLogs.files + 1, bytes: x.rotatedLogs.bytes + Number(m[1]) };
    },
  },
};

/** The Caddyfile when it is ours (--tls): its mode and the names it serves. It holds no secret. */
export const caddyfilePart: StatusPart = {
  name: 'caddyfile',
  script: () =>
    `head -n 1 ${CADDYFILE} 2>/dev/null | grep -q ${shq(`^${CADDYFILE_MARKER}`)} && while IFS= read -r l; do printf 'caddy_line=%s\\n' "$l"; done < ${CADDYFILE}`,
  keys: {
    caddy_line: (x, _v, raw) => {
      x.caddyfile.push(raw);
    },
  },
};

/** The status-only parts, run after the probe's. */
export const STATUS_PARTS: readonly StatusPart[] = [uptimePart, launcherPart, secretsPart, pgRootPart, logPart, caddyfilePart];

/** Our Caddyfile's mode (from its first line) and site names (the line that opens the site). */
export function caddySite(lines: string[]): { mode: string; names: string[] } | undefined {
  const mode = /\(--tls (\w+)\)/.exec(lines[0] ?? '')?.[1];
  const site = lines.find((l) => /^[^\s#{][^{]*\{\s*$/.test(l));
  if (!mode || !site) return undefined;
  const names = site
    .replace(/\{\s*$/, '')
    .split(',')
    .map((n) => n.trim().replace(/^\[(.*)\]$/, '$1'))
    .filter(Boolean);
  return { mode, names };
}

/** A launcher flag's value, as renderLauncher writes it (`  --port 5000 \`). */
export function launcherFlag(lines: string[], flag: string): string | undefined {
  for (const l of lines) {
    const m = new RegExp(`^\\s*${flag} (\\S+)`).exec(l);
    if (m) return m[1]!.replace(/^'(.*)'$/, '$1');
  }
  return undefined;
}
