import { shq } from '../remote/quote.js';

/** What one batched probe reads from the VM: everything every step needs to decide, in one round trip. */
export interface Facts {
  osId: string;
  osVersion: string;
  osPretty: string;
  sudo: boolean;
  home: string;
  user: string;
  diskFreeMb: number;
  missingPackages: string[];
  dpkgInterrupted: boolean;
  cloudInit: boolean;
  venvPython: boolean;
  mlflowVersion?: string;
  mlflowImportable: boolean;
  driverImportable: boolean;
  artifactsDir: 'ok' | 'missing' | 'not-writable';
  files: Record<'launcher' | 'secrets', { sha256?: string; mode?: number; owner?: string }>;
  server: { pid?: number; running: boolean; fingerprint?: string };
  /** Processes listening on the MLflow port: pid, process group and name. */
  listeners: Array<{ pid: number; pgid?: number; name: string }>;
}

export const REQUIRED_PACKAGES = ['python3', 'python3-pip', 'python3-venv', 'postgresql-client'];

export interface ProbeInput {
  /** Paths relative to $HOME are resolved on the VM, since the home directory is not known before. */
  artifactsDir?: string;
  mlflowPort: number;
}

/**
 * A POSIX shell script that prints `key=value` lines. Paths are derived from $HOME on the VM, since the
 * probe is how we learn the home directory. It reads and never writes.
 */
export function buildProbeScript(input: ProbeInput): string {
  const pkgs = REQUIRED_PACKAGES.join(' ');
  const artifacts = input.artifactsDir ? shq(input.artifactsDir) : '"$HOME/mlruns-artifacts"';
  return `
set +e
. /etc/os-release 2>/dev/null
echo "os_id=$ID"
echo "os_version=$VERSION_ID"
echo "os_pretty=$PRETTY_NAME"
echo "home=$HOME"
echo "user=$(id -un)"
if sudo -n true 2>/dev/null; then echo sudo=1; else echo sudo=0; fi
echo "disk_free_kb=$(df -Pk "$HOME" | awk 'NR==2 {print $4}')"
for p in ${pkgs}; do
  s=$(dpkg-query -W -f='\${db:Status-Status}' "$p" 2>/dev/null)
  [ "$s" = installed ] || echo "missing_package=$p"
done
if [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ]; then echo dpkg_interrupted=1; fi
if command -v cloud-init >/dev/null 2>&1; then echo cloud_init=1; fi
V="$HOME/mlflow-venv"
if [ -x "$V/bin/python" ] && "$V/bin/python" -c 'pass' 2>/dev/null; then
  echo venv_python=1
  "$V/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m, importlib.util as u, os
try:
    print("mlflow_version=" + m.version("mlflow"))
except Exception:
    pass
ok = u.find_spec("mlflow") is not None and os.access(os.path.join(os.environ["HOME"], "mlflow-venv/bin/mlflow"), os.X_OK)
print("mlflow_importable=" + ("1" if ok else "0"))
print("driver_importable=" + ("1" if u.find_spec("psycopg2") is not None else "0"))
PY
fi
A=${artifacts}
if [ -d "$A" ] && [ -w "$A" ]; then echo artifacts=ok; elif [ -d "$A" ]; then echo artifacts=not-writable; else echo artifacts=missing; fi
for f in launcher:start-mlflow-server.sh secrets:.mlflow-server.env; do
  k=\${f%%:*}; path="$HOME/\${f#*:}"
  if [ -f "$path" ]; then
    echo "\${k}_sha256=$(sha256sum "$path" | cut -d' ' -f1)"
    echo "\${k}_stat=$(stat -c '%a %U' "$path")"
  fi
done
if [ -f "$HOME/mlflow-server.pid" ]; then
  read -r pid start fp < "$HOME/mlflow-server.pid"
  if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] && [ "$(cut -d' ' -f22 "/proc/$pid/stat" 2>/dev/null)" = "$start" ]; then
    echo "server_pid=$pid"; echo "server_fingerprint=$fp"
  fi
fi
sudo -n ss -ltnpH "sport = :${input.mlflowPort}" 2>/dev/null | grep -o 'pid=[0-9]*' | sort -u | while read -r l; do
  lp=\${l#pid=}
  echo "listener=$lp $(ps -o pgid= -p "$lp" | tr -d ' ') $(ps -o comm= -p "$lp")"
done
echo probe_done=1
`;
}

export function parseFacts(text: string): Facts {
  const facts: Facts = {
    osId: '', osVersion: '', osPretty: '', sudo: false, home: '', user: '', diskFreeMb: 0,
    missingPackages: [], dpkgInterrupted: false, cloudInit: false, venvPython: false,
    mlflowImportable: false, driverImportable: false, artifactsDir: 'missing',
    files: { launcher: {}, secrets: {} }, server: { running: false }, listeners: [],
  };
  let done = false;
  for (const line of text.split('\n')) {
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
      case 'missing_package': facts.missingPackages.push(value); break;
      case 'dpkg_interrupted': facts.dpkgInterrupted = true; break;
      case 'cloud_init': facts.cloudInit = true; break;
      case 'venv_python': facts.venvPython = true; break;
      case 'mlflow_version': facts.mlflowVersion = value; break;
      case 'mlflow_importable': facts.mlflowImportable = value === '1'; break;
      case 'driver_importable': facts.driverImportable = value === '1'; break;
      case 'artifacts': facts.artifactsDir = value as Facts['artifactsDir']; break;
      case 'launcher_sha256': facts.files.launcher.sha256 = value; break;
      case 'secrets_sha256': facts.files.secrets.sha256 = value; break;
      case 'launcher_stat':
      case 'secrets_stat': {
        const [mode, owner] = value.split(' ');
        const file = facts.files[key === 'launcher_stat' ? 'launcher' : 'secrets'];
        file.mode = parseInt(mode ?? '', 8);
        if (owner) file.owner = owner;
        break;
      }
      case 'server_pid': facts.server.pid = Number(value); facts.server.running = true; break;
      case 'server_fingerprint': facts.server.fingerprint = value; break;
      case 'listener': {
        const [pid, pgid, ...name] = value.split(' ');
        facts.listeners.push({ pid: Number(pid), ...(pgid ? { pgid: Number(pgid) } : {}), name: name.join(' ') });
        break;
      }
      case 'probe_done': done = true; break;
      default: break;
    }
  }
  if (!done) throw new Error('the VM\'s state could not be read (probe output incomplete)');
  return facts;
}
