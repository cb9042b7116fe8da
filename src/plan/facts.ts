import { shq } from '../util/shell-quote.js';
import { Secret } from '../util/secret.js';

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
  /** Python modules of optional features present in the venv: `flask_wtf` (mlflow[auth]), `azure.storage.blob`, `azure.identity`. */
  modules: string[];
  /** MLFLOW_FLASK_SERVER_SECRET_KEY from the secrets file, read only with --auth basic (kept across reruns). */
  flaskSecretKey?: Secret;
  /** The live server (PID and start time match); its configuration fingerprint and that fingerprint's salt. */
  server: { pid?: number; running: boolean; fingerprint?: string; fingerprintSalt?: string };
  /**
   * Processes listening on the MLflow port: pid, process group, owner and command line. `ours` means the
   * process belongs to the SSH user and every process of its group runs from the venv: an MLflow server
   * from our own install (e.g. uvicorn left holding the port after its `mlflow server` parent was killed).
   */
  listeners: Listener[];
}

export interface Listener {
  pid: number;
  pgid?: number;
  user: string;
  ours: boolean;
  command: string;
}

export const REQUIRED_PACKAGES = ['python3', 'python3-pip', 'python3-venv', 'postgresql-client'];

export interface ProbeInput {
  /** Paths relative to $HOME are resolved on the VM, since the home directory is not known before. */
  artifactsDir?: string;
  mlflowPort: number;
  /** --auth basic: read back the session secret key of an earlier run, so reruns keep it. */
  readFlaskSecretKey?: boolean;
}

/**
 * A POSIX shell script that prints `key=value` lines. Paths are derived from $HOME on the VM, since the
 * probe is how we learn the home directory. It reads and never writes.
 */
export function buildProbeScript(input: ProbeInput): string {
  const pkgs = REQUIRED_PACKAGES.join(' ');
  const artifacts = input.artifactsDir ? shq(input.artifactsDir) : '"$HOME/mlruns-artifacts"';
  // Few processes on purpose: this runs on every rerun, and each fork costs milliseconds on a small VM.
  return `
set +e
. /etc/os-release 2>/dev/null
echo "os_id=$ID"
echo "os_version=$VERSION_ID"
echo "os_pretty=$PRETTY_NAME"
echo "home=$HOME"
me=\${UID:-$(id -u)}
echo "user=\${USER:-$(id -un)}"
V="$HOME/mlflow-venv"
# One sudo call proves passwordless sudo and lists who listens on the MLflow port (ss -p needs root).
if S=$(sudo -n ss -ltnpH "sport = :${input.mlflowPort}" 2>/dev/null); then echo sudo=1; else echo sudo=0; S=; fi
set -- $(stat -f -c '%a %S' "$HOME")
echo "disk_free_kb=$(( $1 * $2 / 1024 ))"
awk '/^MemTotal:/ { print "mem_total_kb=" $2 }' /proc/meminfo 2>/dev/null
# Required packages and dpkg's health from its status file. Packages left unpacked or half-configured,
# or journal files in updates/ (apt then refuses: "dpkg was interrupted"), mean an interrupted dpkg run.
awk -v want="${pkgs}" '
  /^Package: / { p = $2 }
  /^Status: / { if ($NF == "installed") ok[p] = 1; else if ($NF ~ /^(half-installed|unpacked|half-configured|triggers-awaited|triggers-pending)$/) bad = 1 }
  END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!(w[i] in ok)) print "missing_package=" w[i]; if (bad) print "dpkg_interrupted=1" }
' /var/lib/dpkg/status 2>/dev/null
for j in /var/lib/dpkg/updates/[0-9]*; do [ -e "$j" ] && { echo dpkg_interrupted=1; break; }; done
command -v cloud-init >/dev/null 2>&1 && echo cloud_init=1
# The venv's interpreter, without starting it: its symlink chain must end at an executable python3.N whose
# site-packages the venv has. An in-place upgrade of the system python (a release upgrade) leaves a venv
# whose interpreter no longer sees its packages. MLflow and the driver are read from site-packages:
# importing MLflow would take seconds.
SP=
if [ -x "$V/bin/python" ]; then
  py=$(readlink -f "$V/bin/python")
  case "\${py##*/}" in python3.*) [ -d "$V/lib/\${py##*/}/site-packages" ] && SP="$V/lib/\${py##*/}/site-packages";; esac
fi
if [ -n "$SP" ]; then
  echo venv_python=1
  for m in "$SP"/mlflow-*.dist-info/METADATA; do
    [ -f "$m" ] && while IFS= read -r l; do case "$l" in "Version: "*) echo "mlflow_version=\${l#Version: }"; break;; "") break;; esac; done < "$m"
  done
  if [ -f "$SP/mlflow/__init__.py" ] && [ -x "$V/bin/mlflow" ]; then echo mlflow_importable=1; else echo mlflow_importable=0; fi
  if [ -f "$SP/psycopg2/__init__.py" ]; then echo driver_importable=1; else echo driver_importable=0; fi
  for m in flask_wtf azure/storage/blob azure/identity; do [ -f "$SP/$m/__init__.py" ] && echo "module=$m"; done
fi
A=${artifacts}
# The artifacts folder is judged as the VM resolves it (symlinks followed), next to the resolved home; a
# folder that is not ours is only named, never changed.
{ IFS= read -r hr; IFS= read -r ar; } <<PROBE_PATHS
$(readlink -m -- "$HOME" "$A")
PROBE_PATHS
printf 'home_real=%s\nartifacts_real=%s\n' "$hr" "$ar"
if [ -L "$A" ]; then echo artifacts=symlink
elif [ -d "$A" ]; then
  [ -O "$A" ] || printf 'artifacts_owner=%s\n' "$(stat -c %U -- "$A")"
  if [ -w "$A" ]; then echo artifacts=ok; else echo artifacts=not-writable; fi
elif [ -e "$A" ]; then echo artifacts=not-a-folder
else echo artifacts=missing; fi
for f in "$HOME"/*.provision-* "$HOME"/.*.provision-*; do
  case "\${f##*.provision-}" in [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) [ -f "$f" ] && [ ! -L "$f" ] && printf 'leftover_upload=%s\n' "$f";; esac
done
# One sha256sum ("HASH  PATH" lines) and one stat for all four files (launcher, secrets, auth configuration,
# the database's root certificate), each silent about a missing file; the parser tells them apart by name.
set -- "$HOME/start-mlflow-server.sh" "$HOME/.mlflow-server.env" "$HOME/mlflow-auth.ini" "$HOME/.mlflow-pg-root.crt"
sha256sum "$@" 2>/dev/null
stat -c 'file_stat=%a %U %n' "$@" 2>/dev/null${input.readFlaskSecretKey ? `
[ -r "$HOME/.mlflow-server.env" ] && while IFS= read -r l; do case "$l" in MLFLOW_FLASK_SERVER_SECRET_KEY=*) echo "flask_secret_key=\${l#*=}";; esac; done < "$HOME/.mlflow-server.env"` : ''}
if [ -f "$HOME/mlflow-server.pid" ]; then
  read -r pid start fp salt < "$HOME/mlflow-server.pid"
  # Field 22 of /proc/PID/stat (start time) tells a live server from a reused PID; read without a process:
  # after the ") " that ends the command name, it is the 20th field.
  st=
  sp=
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] && { read -r st < "/proc/$pid/stat"; st=\${st##*) }; set -- $st; st=\${20}; }
  if [ -n "$st" ] && [ "$st" = "$start" ]; then
    echo "server_pid=$pid"; echo "server_fingerprint=$fp"; echo "server_fingerprint_salt=$salt"; sp=$pid
  fi
fi
# Listeners in the live server's own process group are that server (its uvicorn or gunicorn workers), as
# on every healthy rerun: only other listeners need the process table to be told apart.
others=
R=$S
while :; do
  case "$R" in *pid=*) ;; *) break;; esac
  R=\${R#*pid=}; p=\${R%%[!0-9]*}; g=
  [ -n "$sp" ] && [ -r "/proc/$p/stat" ] && { read -r g < "/proc/$p/stat"; g=\${g##*) }; set -- $g; g=$3; }
  [ -n "$sp" ] && [ "$g" = "$sp" ] || others=1
done
# Each other listener: pid, process group, owner, whether it is an MLflow server from our venv, and its
# command line. A group is ours when every process in it is owned by us and runs from $V/bin or was started,
# at any depth, by such a process (the server's workers, and whatever they start): a group holding anything
# else (e.g. the shell of a user who started mlflow by hand) is never stopped.
case "$others" in 1)
  ps -eo pid=,ppid=,pgid=,uid=,user:32=,args= | awk -v S="$S" -v me="$me" -v v="$V/bin/" '
    BEGIN { while (match(S, /pid=[0-9]+/)) { want[substr(S, RSTART + 4, RLENGTH - 4)] = 1; S = substr(S, RSTART + RLENGTH) } }
    { pid = $1; pp[pid] = $2; g[pid] = $3; u[pid] = $4; name = $5; $1 = $2 = $3 = $4 = $5 = ""; args = substr($0, 6)
      venv[pid] = u[pid] == me && index(args, v) == 1
      if (pid in want) { ln[pid] = name; la[pid] = substr(args, 1, 160) } }
    END {
      for (p in g) {
        ok = 0
        for (q = p; !ok && (q in g) && u[q] == me && d[p]++ < 32; q = pp[q]) ok = venv[q]
        if (!ok) other[g[p]] = 1
      }
      for (p in ln) print "listener=" p " " g[p] " " ln[p] " " ((u[p] == me && !(g[p] in other)) ? 1 : 0) " " la[p] }'
esac
echo probe_done=1
`;
}

export function parseFacts(text: string): Facts {
  const facts: Facts = {
    osId: '', osVersion: '', osPretty: '', sudo: false, home: '', user: '', diskFreeMb: 0, memTotalMb: 0,
    missingPackages: [], dpkgInterrupted: false, cloudInit: false, venvPython: false,
    mlflowImportable: false, driverImportable: false, artifactsDir: 'missing', artifactsReal: '', homeReal: '', leftoverUploads: [],
    files: { launcher: {}, secrets: {}, authIni: {}, pgRootCert: {} }, modules: [], server: { running: false }, listeners: [],
  };
  let done = false;
  const fileOf = (path: string) => path.endsWith('/start-mlflow-server.sh') ? facts.files.launcher : path.endsWith('/mlflow-auth.ini') ? facts.files.authIni
    : path.endsWith('/.mlflow-pg-root.crt') ? facts.files.pgRootCert : facts.files.secrets;
  for (const line of text.split('\n')) {
    const sha = /^([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (sha) {
      fileOf(sha[2]!).sha256 = sha[1]!;
      continue;
    }
    const i = line.indexOf('=');
    if (i < 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1).trim();
    switch (key) {
      case 'os_id': facts.osId = value; break;
      case 'os_version': facts.osVersion = value; break;
      case 'os_pretty': facts.osPretty = value; break;
      case 'home': facts.home = value; break;
      case 'user': facts.user = value; break;
      case 'sudo': facts.sudo = value === '1'; break;
      case 'disk_free_kb': facts.diskFreeMb = Math.floor(Number(value) / 1024) || 0; break;
      case 'mem_total_kb': facts.memTotalMb = Math.floor(Number(value) / 1024) || 0; break;
      case 'missing_package': facts.missingPackages.push(value); break;
      case 'dpkg_interrupted': facts.dpkgInterrupted = true; break;
      case 'cloud_init': facts.cloudInit = true; break;
      case 'venv_python': facts.venvPython = true; break;
      case 'mlflow_version': facts.mlflowVersion = value; break;
      case 'mlflow_importable': facts.mlflowImportable = value === '1'; break;
      case 'driver_importable': facts.driverImportable = value === '1'; break;
      case 'artifacts': facts.artifactsDir = value as Facts['artifactsDir']; break;
      case 'artifacts_real': facts.artifactsReal = value; break;
      case 'home_real': facts.homeReal = value; break;
      case 'artifacts_owner': facts.artifactsOwner = value; break;
      case 'leftover_upload': facts.leftoverUploads.push(line.slice(i + 1)); break;
      case 'module': facts.modules.push(value.replace(/\//g, '.')); break;
      case 'flask_secret_key': {
        // Written by us as a bare hex word; anything else (quoted, empty) is not a key we made.
        if (/^[0-9a-f]{32,128}$/.test(value)) facts.flaskSecretKey = new Secret(value);
        break;
      }
      case 'file_stat': {
        // "MODE OWNER PATH"
        const [mode, owner, ...path] = value.split(' ');
        const file = fileOf(path.join(' '));
        file.mode = parseInt(mode ?? '', 8);
        if (owner) file.owner = owner;
        break;
      }
      case 'server_pid': facts.server.pid = Number(value); facts.server.running = true; break;
      case 'server_fingerprint': facts.server.fingerprint = value; break;
      case 'server_fingerprint_salt': if (/^[0-9a-f]{32}$/.test(value)) facts.server.fingerprintSalt = value; break;
      case 'listener': {
        const [pid, pgid, user, ours, ...command] = value.split(' ');
        facts.listeners.push({
          pid: Number(pid), ...(pgid ? { pgid: Number(pgid) } : {}), user: user ?? '', ours: ours === '1', command: command.join(' '),
        });
        break;
      }
      case 'probe_done': done = true; break;
      default: break;
    }
  }
  if (!done) throw new Error('the VM\'s state could not be read (probe output incomplete)');
  return facts;
}
