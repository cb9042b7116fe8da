# shellcheck shell=bash
# Constants and small helpers shared by the lab scripts. Sourced by scripts/lab.sh.

LAB_STATE=/var/lib/prov-lab
LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_LIB=$LAB_REPO/scripts/lab

LAB_NET=10.231.0
LAB_SUBNET=$LAB_NET.0/24
LAB_BRIDGE=provbr0
LAB_HOST_IP=$LAB_NET.1
LAB_DB_IP=$LAB_NET.2
LAB_DB_NS=prov-db
LAB_APT_PORT=3142
LAB_PIP_PORT=3141
LAB_PG_PORT=5432
LAB_ACME_PORT=14000      # pebble's ACME directory (scripts/lab/acme.sh)
LAB_ACME_MGMT_PORT=15000 # its roots, on 127.0.0.1
LAB_DNS_PORT=8053        # pebble-challtestsrv: the names pebble resolves, on 127.0.0.1
LAB_DNS_MGMT_PORT=8055   # ... and where tests set them
LAB_MAX_VMS=50

PGBIN=/usr/lib/postgresql/15/bin
LAB_PY=/usr/bin/python3
# What the lab's own helper processes get as environment (never the caller's).
LAB_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: %s\n' "$*" >&2; exit 1; }
# Usage errors and "cannot run here" exit 2.
die2() { printf 'lab: %s\n' "$*" >&2; exit 2; }

# wait_for SECONDS CMD [ARGS...]: poll CMD every 0.1 s until it succeeds; fail after SECONDS.
wait_for() {
  local tries=$(($1 * 10))
  shift
  while ((tries-- > 0)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# Field 22 of /proc/PID/stat (start time in clock ticks), empty for a dead or zombie process.
# PIDs are reused, so a recorded PID only counts together with its start time.
proc_starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) } # comm may contain spaces and parentheses
  # shellcheck disable=SC2086
  set -- $stat
  [[ $1 != Z && $1 != X ]] || return 1
  echo "${20}"
}

pid_record() { # NAME PID
  local st
  st=$(proc_starttime "$2") || die "process $2 ($1) died at start; see $LAB_STATE/logs"
  echo "$2 $st" >"$LAB_STATE/pids/$1"
}

pid_get() { # NAME -> prints the PID if the recorded process still runs
  local f=$LAB_STATE/pids/$1 pid st
  [[ -f $f ]] || return 1
  read -r pid st <"$f" || return 1
  [[ -n $pid && $(proc_starttime "$pid") == "$st" ]] || return 1
  echo "$pid"
}

pid_gone() { ! pid_get "$1" >/dev/null; }

# pid_stop NAME [SIGNAL] [SECONDS]: signal the recorded process, wait, then SIGKILL it.
pid_stop() {
  local name=$1 sig=${2:-TERM} secs=${3:-10} pid
  if pid=$(pid_get "$name"); then
    kill -s "$sig" "$pid" 2>/dev/null || true
    if ! wait_for "$secs" pid_gone "$name"; then
      say "$name (pid $pid) ignored SIG$sig for ${secs}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      wait_for 10 pid_gone "$name" || die "$name (pid $pid) does not die"
    fi
  fi
  rm -f "$LAB_STATE/pids/$name"
}

# tcp_open IP PORT: something accepts TCP connections there (1 s timeout).
tcp_open() { timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# launch LOG CMD...: start a lab daemon in its own session, detached from the caller's
# terminal, pipes and lock (fd 9), and print its PID.
launch() {
  local log=$1
  shift
  (cd / && exec setsid "$@" </dev/null >>"$log" 2>&1 9>&-) &
  echo $!
}

lab_require_host() {
  [[ $(uname -s) == Linux ]] || die2 "needs Linux (this is $(uname -s))"
  ((EUID == 0)) || die2 "needs root (namespaces, mounts, bridge): run it as root"
}

lab_require_tools() {
  local missing=() t
  for t in ip nft unshare nsenter setpriv flock mountpoint ssh ssh-keygen openssl mmdebstrap apt-cacher-ng; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  [[ -x $PGBIN/postgres ]] || missing+=("$PGBIN/postgres")
  [[ -x $LAB_PY ]] || missing+=("$LAB_PY")
  ((${#missing[@]} == 0)) || die2 "missing tools: ${missing[*]} (install them with: bash scripts/lab-deps.sh)"
}

lab_lock() {
  mkdir -p "$LAB_STATE"
  exec 9>"$LAB_STATE/lock"
  flock -w 900 9 || die "another lab command still holds $LAB_STATE/lock after 15 min"
}

lab_dirs() {
  mkdir -p "$LAB_STATE"/{base,vms,snapshots,pids,logs}
  chmod 0755 "$LAB_STATE"      # postgres and nobody need to traverse it
  chmod 0700 "$LAB_STATE/vms" "$LAB_STATE/snapshots" "$LAB_STATE/pids"
}

# vm_k vmK -> K, validated.
vm_k() {
  [[ $1 =~ ^vm([1-9][0-9]*)$ ]] || die2 "expected a VM name like vm1, got '$1'"
  local k=${BASH_REMATCH[1]}
  ((k <= LAB_MAX_VMS)) || die2 "the lab supports vm1..vm$LAB_MAX_VMS"
  echo "$k"
}
vm_ip() { echo "$LAB_NET.$((10 + $1))"; }

# Every VM the lab has created, as K numbers in order.
vm_list() {
  local d
  for d in "$LAB_STATE"/vms/vm*; do
    [[ -d $d ]] && echo "${d##*/vm}"
  done | sort -n
}
