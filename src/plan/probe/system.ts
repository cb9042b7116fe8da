import type { FactPart } from './types.js';

const mb = (kb: string): number => Math.floor(Number(kb) / 1024) || 0;

/**
 * The operating system, the user and home, passwordless sudo, free disk and memory. The one sudo call also
 * lists who listens on the MLflow port (ss -p needs root): it leaves that list in `S` for the server part.
 */
export const systemPart: FactPart = {
  name: 'system',
  sets: ['S'],
  script: (input) => `
. /etc/os-release 2>/dev/null
echo "os_id=$ID"
echo "os_version=$VERSION_ID"
echo "os_pretty=$PRETTY_NAME"
echo "home=$HOME"
echo "user=\${USER:-$(id -un)}"
# One sudo call proves passwordless sudo and lists who listens on the MLflow port (ss -p needs root).
if S=$(sudo -n ss -ltnpH "sport = :${Number(input.mlflowPort)}" 2>/dev/null); then echo sudo=1; else echo sudo=0; S=; fi
set -- $(stat -f -c '%a %S' "$HOME")
echo "disk_free_kb=$(( $1 * $2 / 1024 ))"
awk '/^MemTotal:/ { print "mem_total_kb=" $2 }' /proc/meminfo 2>/dev/null
`,
  keys: {
    os_id: (f, v) => {
      f.osId = v;
    },
    os_version: (f, v) => {
      f.osVersion = v;
    },
    os_pretty: (f, v) => {
      f.osPretty = v;
    },
    home: (f, v) => {
      f.home = v;
    },
    user: (f, v) => {
      f.user = v;
    },
    sudo: (f, v) => {
      f.sudo = v === '1';
    },
    disk_free_kb: (f, v) => {
      f.diskFreeMb = mb(v);
    },
    mem_total_kb: (f, v) => {
      f.memTotalMb = mb(v);
    },
  },
};
