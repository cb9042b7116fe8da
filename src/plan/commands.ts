import { cmd, shq } from '../util/shell-quote.js';
import type { RemoteLayout } from '../render/server-files.js';
import type { Secret } from '../util/secret.js';
import type { RemoteCommand } from '../action/action.js';
import { REQUIRED_PACKAGES } from './facts.js';
import { SERVER_PROCESS_FUNCTIONS } from './server-process.js';

/** How long apt waits for a dpkg lock held by cloud-init or unattended-upgrades. */
export const APT_LOCK_WAIT_SEC = 300;

/**
 * apt's network waits, bounded: a connection or a read that gets no byte for 30 s fails (apt's default is 120 s),
 * and is tried twice more. A mirror or proxy that accepts and then sends nothing is caught sooner by the stall
 * watchdog (APT_STALL): with no byte for 60 s, it stops the command and says so.
 */
export const APT_NETWORK_OPTIONS = '-o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 -o Acquire::Retries=2';

/** apt's progress on standard output (`dlstatus:`/`pmstatus:` lines): what the stall watchdog counts as life. */
export const APT_STATUS_OPTION = '-o APT::Status-Fd=1';

export const APT_STALL: NonNullable<RemoteCommand['stall']> = {
  seconds: 60,
  check:
    "check the VM's apt mirror and proxy (/etc/apt/sources.list.d, Acquire::http::Proxy in /etc/apt/apt.conf.d) and that the outbound rules of its network security group let it reach them",
};

const APT = [
  'sudo -n env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a NEEDRESTART_SUSPEND=1',
  'apt-get -y -q',
  `-o DPkg::Lock::Timeout=${APT_LOCK_WAIT_SEC}`,
  APT_NETWORK_OPTIONS,
  APT_STATUS_OPTION,
  '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold',
].join(' ');

/**
 * apt-get, waiting (bounded) for the locks apt's own timeout does not cover: DPkg::Lock::Timeout waits for dpkg's
 * lock, but `apt-get update` fails at once on the lists lock ("Could not get lock /var/lib/apt/lists/lock. It is
 * held by process N (apt-get)"), which apt-daily holds on a freshly booted VM. The output streams (tee) and is
 * kept to tell a lock from a real failure; then the try is repeated every 5 s, saying who holds the lock.
 */
function aptWaitingForLocks(args: string): string {
  const tries = APT_LOCK_WAIT_SEC / 5;
  const attempt = `${APT} ${args} 2>&1 | tee "$out"; rc=\${PIPESTATUS[0]}`;
  return [
    'out=$(mktemp) || exit 1',
    attempt,
    `for i in $(seq 1 ${tries}); do`,
    '  [ "$rc" = 0 ] && break',
    '  grep -q "Could not get lock" "$out" || break',
    '  holder=$(grep -o "held by process [0-9]*" "$out" | head -n 1 | grep -o "[0-9]*$")',
    '  name=$( [ -n "$holder" ] && ps -o comm= -p "$holder")',
    `  echo "Waiting for the apt lock, held by \${name:-another process}\${holder:+ (pid $holder)}: $((i * 5)) of ${APT_LOCK_WAIT_SEC} s"`,
    '  sleep 5',
    `  ${attempt}`,
    'done',
    `[ "$rc" != 0 ] && grep -q "Could not get lock" "$out" && echo "The apt lock was still held after ${APT_LOCK_WAIT_SEC} s."`,
    'rm -f "$out"',
    'exit "$rc"',
  ].join('\n');
}

/** apt-get install of these packages, non-interactive and waiting for apt's locks like every apt-get of ours. */
export function aptInstallCommand(packages: string[], update = false): RemoteCommand {
  const install = { label: `apt-get install ${packages.join(' ')}`, args: `install --no-install-recommends ${packages.map(shq).join(' ')}` };
  return {
    kind: update ? 'apt-update' : 'apt-install',
    label: update ? `apt-get update and ${install.label}` : install.label,
    command: update ? `(${aptWaitingForLocks('update')}) && (${aptWaitingForLocks(install.args)})` : aptWaitingForLocks(install.args),
    timeoutSec: 4 * APT_LOCK_WAIT_SEC + 1200,
    stall: APT_STALL,
  };
}

export function packageCommands(opts: { cloudInit: boolean; dpkgInterrupted: boolean; fullUpgrade: boolean }): RemoteCommand[] {
  const steps: RemoteCommand[] = [];
  if (opts.cloudInit) {
    steps.push({ kind: 'cloud-init', label: 'wait for cloud-init to finish', command: 'sudo -n cloud-init status --wait >/dev/null; true', timeoutSec: 900 });
  }
  if (opts.dpkgInterrupted) {
    // dpkg has no lock timeout of its own: retry while another process holds its lock, within a bound,
    // saying who holds it (apt says "Waiting for cache lock ... held by process N" the same way).
    const tries = APT_LOCK_WAIT_SEC / 5;
    steps.push({
      kind: 'dpkg-repair',
      label: 'finish an interrupted dpkg run (dpkg --configure -a)',
      command: [
        `for i in $(seq 1 ${tries}); do`,
        '  out=$(sudo -n env DEBIAN_FRONTEND=noninteractive dpkg --force-confdef --force-confold --configure -a 2>&1) && { printf "%s\n" "$out"; exit 0; }',
        '  case "$out" in',
        '    *"lock"*)',
        '      holder=$(printf "%s\n" "$out" | grep -o "pid [0-9]*" | head -n 1 | cut -d" " -f2)',
        '      name=$( [ -n "$holder" ] && ps -o comm= -p "$holder")',
        `      echo "Waiting for the dpkg lock, held by \${name:-another process}\${holder:+ (pid $holder)}: $((i * 5 - 5)) of ${APT_LOCK_WAIT_SEC} s"`,
        '      sleep 5;;',
        '    *) printf "%s\n" "$out"; exit 1;;',
        '  esac',
        `done; echo "The dpkg lock was still held after ${APT_LOCK_WAIT_SEC} s."; exit 1`,
      ].join('\n'),
      timeoutSec: APT_LOCK_WAIT_SEC + 600,
    });
  }
  if (opts.fullUpgrade) {
    steps.push({
      kind: 'apt-update',
      label: 'apt-get update',
      command: aptWaitingForLocks('update'),
      timeoutSec: 2 * APT_LOCK_WAIT_SEC + 600,
      stall: APT_STALL,
    });
    steps.push({
      kind: 'apt-upgrade',
      label: 'apt-get upgrade',
      command: aptWaitingForLocks('upgrade'),
      timeoutSec: 2 * APT_LOCK_WAIT_SEC + 1800,
      stall: APT_STALL,
    });
  }
  steps.push({
    kind: 'apt-install',
    label: `apt-get install ${REQUIRED_PACKAGES.join(' ')}`,
    command: aptWaitingForLocks(`install --no-install-recommends ${REQUIRED_PACKAGES.join(' ')}`),
    timeoutSec: 2 * APT_LOCK_WAIT_SEC + 1200,
    stall: APT_STALL,
  });
  return steps;
}

export function pythonCommands(
  layout: RemoteLayout,
  opts: { recreate: boolean; mlflowVersion?: string | undefined; upgrade: boolean; extras?: string[]; packages?: string[] },
): RemoteCommand[] {
  const steps: RemoteCommand[] = [];
  if (opts.recreate) {
    steps.push({
      kind: 'venv',
      label: `python3 -m venv ${layout.venv}`,
      command: `rm -rf ${shq(layout.venv)} && python3 -m venv ${shq(layout.venv)}`,
      timeoutSec: 300,
    });
  }
  const name = opts.extras?.length ? `mlflow[${opts.extras.join(',')}]` : 'mlflow';
  const spec = opts.mlflowVersion ? `${name}==${opts.mlflowVersion}` : name;
  const upgrade = opts.upgrade || Boolean(opts.mlflowVersion) ? ['--upgrade'] : [];
  const packages = ['psycopg2-binary', ...(opts.packages ?? [])];
  const bin = (tool: string) => shq(`${layout.venv}/bin/${tool}`);
  const pip = cmd(`${layout.venv}/bin/pip`, 'install', '--disable-pip-version-check', '--progress-bar', 'off', ...upgrade, spec, ...packages);
  steps.push({
    kind: 'pip-install',
    label: `install ${spec} ${packages.join(' ')} with uv (pip if uv fails)`,
    // uv (from the same index, into the venv) installs the same wheels in a third of pip's time and upgrades in
    // a second (docs/benchmarks.md). It reads no pip.conf, so it gets pip's index: a mirror set up for pip is
    // used by both. --compile-bytecode, or the server's first start takes 10 s longer. pip stays the fallback.
    command: [
      `idx=$(${bin('pip')} config list 2>/dev/null | sed -n "s/^[a-z]*\\.index-url='\\(.*\\)'$/\\1/p" | tail -n 1)`,
      `if [ -x ${bin('uv')} ] || ${bin('pip')} install -q --disable-pip-version-check --progress-bar off uv; then`,
      `  ${cmd(`${layout.venv}/bin/uv`, 'pip', 'install', '--python', `${layout.venv}/bin/python`, '--compile-bytecode', ...upgrade)} \${idx:+--index-url "$idx"} ${cmd(spec, ...packages)} && exit 0`,
      '  echo "uv did not finish the install; trying pip"',
      'fi',
      `exec ${pip}`,
    ].join('\n'),
    timeoutSec: 1800,
  });
  return steps;
}

/** Removes temporary upload files (`<file>.provision-<8 hex>` in the home) that a dropped connection left. */
export function removeLeftoverUploadsCommand(home: string, paths: string[]): RemoteCommand {
  const ours = paths.filter((p) => p.startsWith(`${home}/`) && !p.slice(home.length + 1).includes('/') && /\.provision-[0-9a-f]{8}$/.test(p));
  return { kind: 'remove-leftovers', label: `remove ${ours.length} leftover temporary upload(s)`, command: cmd('rm', '-f', '--', ...ours), timeoutSec: 30 };
}

/**
 * Creates the artifacts folder, and only that: `mkdir` without -p fails on anything already there (a folder
 * someone made meanwhile, a symlink), so no existing folder is ever re-owned or re-moded; `chown -h` never
 * follows a link. Missing parents are created as root would (0755, root's).
 */
export function artifactsCommand(dir: string, user: string): RemoteCommand {
  const parent = dir.replace(/\/[^/]+\/?$/, '') || '/';
  return {
    kind: 'mkdir-artifacts',
    label: `create ${dir}`,
    command: [`sudo -n mkdir -p -- ${shq(parent)}`, `sudo -n mkdir -m 0750 -- ${shq(dir)}`, `sudo -n chown -h -- ${shq(user)}:"$(id -gn)" ${shq(dir)}`].join(
      ' && ',
    ),
    timeoutSec: 60,
  };
}

/**
 * Stops the server recorded in the PID file, if (and only if) the PID still names the same process, and
 * the process groups of earlier servers from our venv that the probe found holding the port. Waits until
 * every process of those groups is gone (uvicorn workers included), so the port is free for the new one.
 * `keepRecord` (provision stop): the PID file keeps the configuration fingerprint and its salt, under a PID that matches no process, so
 * `provision start` writes them back and a later rerun still sees an unchanged configuration.
 */
export function stopServerCommand(layout: RemoteLayout, stopGroups: number[] = [], opts: { keepRecord?: boolean } = {}): RemoteCommand {
  const pidFile = shq(layout.pidFile);
  const extra = stopGroups.filter((g) => Number.isInteger(g) && g > 1).join(' ');
  return {
    kind: 'stop',
    label: `stop the running server${extra ? ` and the leftover process group(s) ${extra.replace(/ /g, ', ')}` : ''}`,
    command: [
      SERVER_PROCESS_FUNCTIONS,
      `groups="${extra}"`,
      `recorded_server_alive ${pidFile} && groups="$pid $groups"`,
      // Only whole process groups are signalled (the launcher runs under setsid): never a bare PID that
      // may have been reused by an unrelated process.
      'alive() { for g in $groups; do pgrep -g "$g" >/dev/null && return 0; done; return 1; }',
      // SIGCONT after SIGTERM: a stopped (SIGSTOP) process acts on SIGTERM only once it runs again.
      'for g in $groups; do kill -TERM -- "-$g" 2>/dev/null; kill -CONT -- "-$g" 2>/dev/null; done',
      'for i in $(seq 1 150); do alive || break; sleep 0.1; done',
      'if alive; then echo "the server did not stop within 15 s; killing it"; for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done; sleep 0.5; fi',
      opts.keepRecord
        ? `if [ -n "$fp" ]; then rm -f ${pidFile}; (umask 077; echo "0 0 $fp $salt" > ${pidFile}); else rm -f ${pidFile}; fi`
        : `rm -f ${pidFile}`,
      '[ -z "$groups" ] || echo "stopped process group(s)" $groups',
    ].join('\n'),
    timeoutSec: 60,
  };
}

/**
 * Starts the launcher detached: its own session (setsid) so it outlives the SSH session and can be stopped
 * as a process group; all three streams redirected, or the exec channel would stay open.
 */
export function startServerCommand(layout: RemoteLayout, fingerprint: string, salt = ''): RemoteCommand {
  const keyed = /^[0-9a-f]*$/.test(salt) ? salt : '';
  return {
    kind: 'start',
    label: `nohup ${layout.launcher}`,
    command: [
      SERVER_PROCESS_FUNCTIONS,
      `cd ${shq(layout.home)}`,
      // Where this start's lines begin in the log: a failed start is explained from its own lines only.
      `echo "log_offset=$(stat -c %s ${shq(layout.log)} 2>/dev/null || echo 0)"`,
      `setsid nohup ${shq(layout.launcher)} </dev/null >>${shq(layout.log)} 2>&1 &`,
      'pid=$!',
      'start=""',
      `for i in 1 2 3 4 5 6 7 8 9 10; do start_ticks "$pid" && start=$ticks && break; sleep 0.1; done`,
      // 0600 like the secrets it fingerprints; rm first, as `>` keeps the mode of an existing file.
      `rm -f ${shq(layout.pidFile)}`,
      `(umask 077; echo "$pid $start ${fingerprint}${keyed ? ` ${keyed}` : ''}" > ${shq(layout.pidFile)})`,
      'echo "started pid $pid"',
    ].join('\n'),
    timeoutSec: 30,
  };
}

export function serverAliveCommand(layout: RemoteLayout): RemoteCommand {
  return {
    kind: 'alive',
    label: 'is the server alive',
    command: `${SERVER_PROCESS_FUNCTIONS}\nrecorded_server_alive ${shq(layout.pidFile)}`,
    timeoutSec: 15,
  };
}

/**
 * The log's last lines, from byte `fromByte` on (where a start's own lines begin). A log shorter than that
 * was rotated since (the writer renamed it when full): then the new log holds this start's lines, all of it.
 */
export function logTailCommand(layout: RemoteLayout, lines = 20, fromByte = 0): RemoteCommand {
  const log = shq(layout.log);
  const n = Number(lines);
  const command =
    Number.isInteger(fromByte) && fromByte > 0
      ? `if [ "$(stat -c %s ${log} 2>/dev/null || echo 0)" -ge ${fromByte} ]; then tail -c +${fromByte + 1} ${log} | tail -n ${n}; else tail -n ${n} ${log}; fi 2>/dev/null`
      : `tail -n ${n} ${log} 2>/dev/null`;
  return { kind: 'log-tail', label: `tail ${layout.log}`, command, timeoutSec: 15 };
}

/**
 * `mlflow db upgrade` with the password kept off every command line: MLflow's CLI takes the URI as an
 * argument, so the URI given has no password and libpq (under psycopg2) reads it from PGPASSWORD, which the
 * shell sets from standard input.
 */
export function dbUpgradeCommand(layout: RemoteLayout, uriWithoutPassword: string, password: Secret): RemoteCommand {
  return {
    kind: 'db-upgrade',
    label: `mlflow db upgrade ${uriWithoutPassword} (password in PGPASSWORD, from stdin)`,
    command: [
      `cd ${shq(layout.home)}`,
      'IFS= read -r PGPASSWORD || [ -n "$PGPASSWORD" ]',
      'export PGPASSWORD',
      // Standard input stays open (see ExecOptions.stdin): nothing after the password reads it.
      `exec ${shq(`${layout.venv}/bin/mlflow`)} db upgrade ${shq(uriWithoutPassword)} </dev/null`,
    ].join('\n'),
    timeoutSec: 3600,
    stdin: password,
  };
}

/** The MLflow version the venv holds now (after an install), as pip recorded it. */
export function installedMlflowVersionCommand(layout: RemoteLayout): RemoteCommand {
  return {
    kind: 'mlflow-version',
    label: 'installed MLflow version',
    command: `${shq(`${layout.venv}/bin/python`)} -c 'import importlib.metadata as m; print(m.version("mlflow"))'`,
    timeoutSec: 60,
  };
}

/** A systemd unit's last journal lines (root's to read), in journalctl's `cat` or `short-iso` form. */
export function journalTailCommand(unit: string, lines: number, output: 'cat' | 'short-iso'): RemoteCommand {
  return {
    kind: 'journal',
    label: `journalctl -u ${unit}`,
    command: `sudo -n journalctl -u ${unit} -n ${Number(lines)} --no-pager -o ${output} 2>&1`,
    timeoutSec: 30,
  };
}
