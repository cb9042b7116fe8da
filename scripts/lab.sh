#!/bin/bash
# The provision test lab: Debian 12/13 "VMs" (namespaces + overlayfs + sshd, or systemd booted by
# systemd-nspawn) and an Azure-like Postgres on
# this machine. See docs/lab.md. Usage: bash scripts/lab.sh <command> (npm run lab -- <command>).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lab/common.sh"
source "$LAB_LIB/net.sh"
source "$LAB_LIB/services.sh"
source "$LAB_LIB/vm.sh"
source "$LAB_LIB/db.sh"
source "$LAB_LIB/acme.sh"
source "$LAB_LIB/azurite.sh"
source "$LAB_LIB/haproxy.sh"

usage() {
  cat <<'EOF'
usage: npm run lab -- <command>   (as root, on Linux)
  up [N]                 start the lab with at least vm1..vmN (default 1); idempotent
  down                   stop everything the lab started; keeps the base, disks, snapshots, apt cache
  status                 what runs: services, and per VM its ip, state, pid, layers
  reset vmK              fresh disk from the base, new host keys, restart
  define vmK [--init bash|systemd] [--image debian12|debian13]
                         set vmK's kind (default bash, debian12), reset it onto that kind's base, start it
  start vmK / stop vmK   power vmK on / off (disk kept; stop kills every process of the VM)
  reboot vmK             same disk, address and host keys, no process left (systemd: a clean reboot)
  snapshot vmK NAME      save vmK's disk as NAME (vmK reboots onto it)
  restore vmK NAME       put vmK on snapshot NAME (a reboot: processes gone, disk as saved)
  snapshots              list snapshots
  snapshot-rm NAME       delete a snapshot no VM or snapshot is layered on
  ssh-config             print (and write to /var/lib/prov-lab/ssh_config) an OpenSSH config: Host vmK
  db-block vmK [--drop]  the database refuses vmK (pg_hba) or, with --drop, silently drops its packets
  db-allow vmK           undo db-block
  exec vmK [--user U] -- CMD...   run CMD inside vmK (its namespaces and root; not over ssh)
  env                    dotenv lines for the lab database (also in /var/lib/prov-lab/lab.env)
  psql -- ARGS...        psql as the postgres superuser on the lab cluster
  apt-proxy restart [--clear-index] [--no-warm]
                         restart the apt proxy (cold, as on a fresh machine), then warm its index once
  lb up --vms K,K,... [--port 18080] [--interval 5 --fall 2 --rise 2]
                         an Azure-like L4 load balancer (HAProxy) on 10.231.0.1 in front of those VMs
  lb down                stop it
EOF
}

write_client_files() {
  local k tmp
  tmp=$LAB_STATE/known_hosts.new
  for k in $(vm_list); do
    [[ -f $(vm_dir "$k")/host_keys.pub ]] || continue
    awk -v ip="$(vm_ip "$k")" '{print ip, $1, $2}' "$(vm_dir "$k")/host_keys.pub"
  done >"$tmp"
  mv "$tmp" "$LAB_STATE/known_hosts"
  ssh_config >"$LAB_STATE/ssh_config.new"
  mv "$LAB_STATE/ssh_config.new" "$LAB_STATE/ssh_config"
  # Readers (tests, the demo) may read it at any moment: replace it whole, never truncate it in place.
  (umask 077 && db_env >"$LAB_STATE/lab.env.new")
  mv "$LAB_STATE/lab.env.new" "$LAB_STATE/lab.env"
}

ssh_config() {
  local k
  echo "# prov lab VMs (written by scripts/lab.sh)"
  for k in $(vm_list); do
    cat <<EOF

Host vm$k
  HostName $(vm_ip "$k")
  User azureuser
  IdentityFile $LAB_STATE/keys/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $LAB_STATE/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  UpdateHostKeys no
  ConnectTimeout 10
EOF
  done
}

cmd_up() {
  local n=${1:-1} k
  [[ $n =~ ^[1-9][0-9]*$ ]] && ((n <= LAB_MAX_VMS)) || die2 "up N: N is 1..$LAB_MAX_VMS"
  lab_require_tools
  lab_lock
  lab_dirs
  bridge_up
  keys_ensure
  acng_start
  acng_warm
  base_ensure
  pip_index_build
  pip_start
  acme_start
  azurite_start
  for ((k = 1; k <= n; k++)); do vm_create "$k"; done
  db_start
  for ((k = 1; k <= n; k++)); do vm_start "$k"; done
  write_client_files
  cmd_status
}

cmd_down() {
  local k
  lab_lock
  for k in $(vm_list); do vm_stop "$k"; done
  local r
  for r in $(cg_roots); do rmdir "$r/prov-lab" 2>/dev/null || true; done
  db_stop
  pid_stop pip TERM 10
  lb_stop
  acme_stop
  azurite_stop
  pid_stop acng TERM 10
  bridge_down
  say "down: base, VM disks, snapshots and the apt cache are kept in $LAB_STATE"
}

svc_line() { # LABEL ADDRESS PIDNAME
  local pid
  if pid=$(pid_get "$3"); then
    printf '%-10s %-17s running  pid %s\n' "$1" "$2" "$pid"
  else
    printf '%-10s %-17s stopped\n' "$1" "$2"
  fi
}

cmd_status() {
  local k
  if bridge_is_up; then
    printf '%-10s %-17s up\n' bridge "$LAB_HOST_IP/24"
  else
    printf '%-10s %-17s down\n' bridge "$LAB_HOST_IP/24"
  fi
  svc_line apt-proxy "$LAB_HOST_IP:$LAB_APT_PORT" acng
  svc_line pip-index "$LAB_HOST_IP:$LAB_PIP_PORT" pip
  svc_line postgres "$LAB_DB_IP:$LAB_PG_PORT" pg
  svc_line acme "$LAB_HOST_IP:$LAB_ACME_PORT" acme
  svc_line acme-dns "127.0.0.1:$LAB_DNS_PORT" dns
  svc_line azurite "$LAB_BLOB_IP:$LAB_AZURITE_PORT" azurite
  lb_status_line
  printf '%-6s %-13s %-8s %-8s %-17s %s\n' VM IP STATE PID KIND LAYERS
  for k in $(vm_list); do vm_status_line "$k"; done
}

cmd_exec() {
  local k user=root pid home
  k=$(vm_k "${1:-}")
  shift
  if [[ ${1:-} == --user ]]; then
    user=${2:?--user needs a name}
    shift 2
  fi
  [[ ${1:-} == -- ]] && shift
  (($#)) || die2 "exec vmK [--user U] -- CMD..."
  if ! pid=$(vm_init_pid "$k"); then
    # Another lab command (e.g. a reset from a concurrent test) may be restarting it: wait for the lock.
    [[ -f $LAB_STATE/lock ]] && flock -w 120 "$LAB_STATE/lock" true
    # A booted VM that reboots itself (its power loop runs) has no PID 1 for a moment: wait for the next one.
    if ! pid=$(vm_init_pid "$k") && pid_get "vm$k.power" >/dev/null; then
      wait_for 60 vm_running "$k" || true
    fi
    pid=$(vm_init_pid "$k") || die2 "vm$k is not running"
  fi
  local ns=(-m -u -i -n -p)
  [[ $(vm_init "$k") == systemd ]] && ns+=(-C)
  home=/root
  [[ $user == root ]] || home=/home/$user
  local env=(/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/bash LANG=C.UTF-8)
  local as=()
  [[ $user == root ]] || as=(/usr/bin/setpriv --reuid="$user" --regid="$user" --init-groups --)
  # nsenter -r: the VM's root (its PID 1's root); -p: the command becomes a process of the VM.
  exec nsenter -t "$pid" "${ns[@]}" -r -w -- "${env[@]}" "${as[@]}" \
    /bin/sh -c 'cd "$HOME" 2>/dev/null || cd /; exec "$@"' sh "$@"
}

main() {
  local cmd=${1:-help}
  (($#)) && shift
  case $cmd in
    help | -h | --help) usage; return 0 ;;
  esac
  lab_require_host
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    reset)
      local k; k=$(vm_k "${1:-}")
      lab_lock
      vm_reset "$k"
      write_client_files
      ;;
    define)
      local k init=bash image=debian12
      k=$(vm_k "${1:-}")
      shift
      while (($#)); do
        case $1 in
          --init) init=${2:-}; shift 2 || die2 "--init needs a value" ;;
          --image) image=${2:-}; shift 2 || die2 "--image needs a value" ;;
          *) die2 "define vmK [--init bash|systemd] [--image debian12|debian13]" ;;
        esac
      done
      kind_check "$init" "$image"
      bridge_is_up || die "the lab is down: run 'up' first"
      lab_lock
      lab_dirs
      vm_define "$k" "$init" "$image"
      write_client_files
      ;;
    start | stop)
      local k; k=$(vm_k "${1:-}")
      [[ -d $(vm_dir "$k") ]] || die "no such VM: vm$k"
      lab_lock
      if [[ $cmd == start ]]; then vm_start "$k"; write_client_files; else vm_stop "$k"; fi
      ;;
    reboot)
      local k; k=$(vm_k "${1:-}")
      lab_lock
      vm_reboot "$k"
      ;;
    snapshot)
      local k; k=$(vm_k "${1:-}")
      [[ -n ${2:-} ]] || die2 "snapshot vmK NAME"
      lab_lock
      vm_snapshot "$k" "$2"
      write_client_files
      ;;
    restore)
      local k; k=$(vm_k "${1:-}")
      [[ -n ${2:-} ]] || die2 "restore vmK NAME"
      lab_lock
      vm_restore "$k" "$2"
      write_client_files
      ;;
    snapshots) snap_list ;;
    snapshot-rm)
      [[ -n ${1:-} ]] || die2 "snapshot-rm NAME"
      lab_lock
      snap_rm "$1"
      ;;
    ssh-config)
      mkdir -p "$LAB_STATE"
      ssh_config >"$LAB_STATE/ssh_config.new"
      mv "$LAB_STATE/ssh_config.new" "$LAB_STATE/ssh_config"
      cat "$LAB_STATE/ssh_config"
      ;;
    db-block | db-allow)
      local k mode=reject; k=$(vm_k "${1:-}")
      [[ ${2:-} == --drop ]] && mode=drop
      [[ $cmd == db-allow || -z ${2:-} || ${2:-} == --drop ]] || die2 "db-block vmK [--drop]"
      lab_lock
      if [[ $cmd == db-block ]]; then db_block "$k" "$mode"; else db_allow "$k"; fi
      ;;
    exec) cmd_exec "$@" ;;
    lb) cmd_lb "$@" ;;
    apt-proxy)
      local clear=0 warm=1
      [[ ${1:-} == restart ]] || die2 "apt-proxy restart [--clear-index] [--no-warm]"
      shift
      while (($#)); do
        case $1 in
          --clear-index) clear=1 ;;
          --no-warm) warm=0 ;;
          *) die2 "apt-proxy restart [--clear-index] [--no-warm]" ;;
        esac
        shift
      done
      bridge_is_up || die "the lab is down: run 'up' first"
      lab_lock
      acng_restart "$clear" "$warm"
      ;;
    env)
      mkdir -p "$LAB_STATE"
      db_env | tee "$LAB_STATE/lab.env.new"
      chmod 0600 "$LAB_STATE/lab.env.new"
      mv "$LAB_STATE/lab.env.new" "$LAB_STATE/lab.env"
      ;;
    psql)
      [[ ${1:-} == -- ]] && shift
      pid_get pg >/dev/null || die2 "the lab database is not running: run 'up' first"
      db_psql "$@"
      ;;
    *) usage >&2; die2 "unknown command: $cmd" ;;
  esac
}

main "$@"
