import { SERVER_PROCESS_FUNCTIONS } from '../server-process.js';
import { homeFile } from './part.js';
import type { FactPart } from './types.js';

/**
 * The live server (the PID file's process, if its start time still matches) with its configuration
 * fingerprint, and every other process listening on the MLflow port: `S`, the `ss` lines the system part
 * read with sudo, and whether the live server's own group holds the port (a server whose listeners are gone
 * does not answer, even though its PID lives on). Sets `sp` (the live server's PID).
 */
export const serverPart: FactPart = {
  name: 'server',
  sets: ['sp'],
  script: () => `
me=\${UID:-$(id -u)}
sp=
${SERVER_PROCESS_FUNCTIONS}
if recorded_server_alive ${homeFile('pidFile')}; then
  echo "server_pid=$pid"; echo "server_fingerprint=$fp"; echo "server_fingerprint_salt=$salt"; sp=$pid
fi
# Under systemd, the unit's main process (the supervisor part's ump) is the server.
[ -n "$ump" ] && sp=$ump
# Listeners in the live server's own process group are that server (its uvicorn or gunicorn workers), as
# on every healthy rerun: only other listeners need the process table to be told apart.
others=
sl=0
R=$S
while :; do
  case "$R" in *pid=*) ;; *) break;; esac
  R=\${R#*pid=}; p=\${R%%[!0-9]*}; g=
  [ -n "$sp" ] && [ -r "/proc/$p/stat" ] && { read -r g < "/proc/$p/stat"; g=\${g##*) }; set -- $g; g=$3; }
  [ -n "$sp" ] && [ "$g" = "$sp" ] && sl=1 || others=1
done
[ -n "$sp" ] && echo "server_listening=$sl"
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
`,
  keys: {
    server_pid: (f, v) => {
      f.server.pid = Number(v);
      f.server.running = true;
    },
    server_fingerprint: (f, v) => {
      f.server.fingerprint = v;
    },
    server_fingerprint_salt: (f, v) => {
      if (/^[0-9a-f]{32}$/.test(v)) f.server.fingerprintSalt = v;
    },
    server_listening: (f, v) => {
      f.server.listening = v === '1';
    },
    listener: (f, v) => {
      const [pid, pgid, user, ours, ...command] = v.split(' ');
      f.listeners.push({
        pid: Number(pid),
        ...(pgid ? { pgid: Number(pgid) } : {}),
        user: user ?? '',
        ours: ours === '1',
        command: command.join(' '),
      });
    },
  },
};
