# shellcheck shell=bash
# Lab VMs. VM K = an overlayfs root (vms/vmK/root: upper vms/vmK/upper over the layers listed in
# vms/vmK/lower, top first, ending with a base) + network namespace prov-vmK (10.231.0.(10+K))
# + a PID 1 that depends on the VM's kind (vms/vmK/kind, see vm_kind):
#   init=bash:    `unshare` PID/mount/UTS/IPC namespaces running scripts/lab/vm-init.sh as PID 1.
#                 Pid files: pids/vmK.unshare (host-side parent) and pids/vmK.init (PID 1 of the VM, host PID).
#   init=systemd: systemd-nspawn --boot (systemd as PID 1) in cgroups made for the VM, restarted on reboot by
#                 scripts/lab/vm-power.sh. Pid file: pids/vmK.power (the loop); PID 1 changes at each boot
#                 and is found from the loop (vm_init_pid).

vm_dir() { echo "$LAB_STATE/vms/vm$1"; }
vm_running() { vm_init_pid "$1" >/dev/null; }

# --- kinds -----------------------------------------------------------------------------------
# vms/vmK/kind: lines init=bash|systemd and image=debian12|debian13, written by `define`; no file (every VM
# before `define` existed, and every VM `up N` creates) means init=bash image=debian12.
vm_kind_get() { # K FIELD
  local f v=
  f=$(vm_dir "$1")/kind
  [[ -f $f ]] && v=$(sed -n "s/^$2=//p" "$f" | tail -1)
  if [[ -z $v ]]; then
    case $2 in init) v=bash ;; image) v=debian12 ;; esac
  fi
  echo "$v"
}
vm_init() { vm_kind_get "$1" init; }
vm_image() { vm_kind_get "$1" image; }
vm_kind() { echo "$(vm_image "$1")/$(vm_init "$1")"; }
vm_base() { base_dir "$(vm_image "$1")" "$(vm_init "$1")"; }
vm_base_ensure() { base_ensure "$(vm_image "$1")" "$(vm_init "$1")"; }

kind_check() { # INIT IMAGE
  [[ " $LAB_INITS " == *" $1 "* ]] || die2 "--init is one of: $LAB_INITS"
  [[ " $LAB_IMAGES " == *" $2 "* ]] || die2 "--image is one of: $LAB_IMAGES"
}

# The PID (host's view) of the VM's PID 1, if it runs.
vm_init_pid() {
  local k=$1 power nspawn init
  if [[ $(vm_init "$k") != systemd ]]; then
    pid_get "vm$k.init"
    return
  fi
  power=$(pid_get "vm$k.power") || return 1
  # The loop's child is systemd-nspawn; nspawn's child, in a PID namespace of its own, is the VM's systemd.
  nspawn=$(ps -o pid= --ppid "$power" | head -1 | tr -d ' ')
  [[ -n $nspawn ]] || return 1
  init=$(ps -o pid= --ppid "$nspawn" | head -1 | tr -d ' ')
  [[ -n $init ]] || return 1
  [[ $(readlink "/proc/$init/ns/pid") != "$(readlink "/proc/$nspawn/ns/pid")" ]] || return 1
  [[ $(cat "/proc/$init/comm" 2>/dev/null) == systemd ]] || return 1
  echo "$init"
}

# --- cgroups of booted VMs -------------------------------------------------------------------
# This machine's PID 1 is not systemd, so the lab makes the cgroup nspawn runs in: prov-lab/vmK in the
# name=systemd and unified (cgroup2) hierarchies of a hybrid host, or in /sys/fs/cgroup on a cgroup2 host.
cg_roots() {
  if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
    echo /sys/fs/cgroup
    return
  fi
  local h
  for h in systemd unified; do
    mountpoint -q "/sys/fs/cgroup/$h" && echo "/sys/fs/cgroup/$h"
  done
  return 0
}
vm_cgroups() { local r; for r in $(cg_roots); do echo "$r/prov-lab/vm$1"; done; }

cg_procs() { # every process in the cgroups of VM K, their children included
  local cg
  for cg in $(vm_cgroups "$1"); do
    [[ -d $cg ]] && find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -u
}
cg_empty() { [[ -z $(cg_procs "$1") ]]; }

# Power off a booted VM: SIGKILL to every process in its cgroups (the loop, nspawn, all of the VM), then
# remove the cgroups, deepest first.
cg_kill() {
  local k=$1 cg p tries=50
  while ! cg_empty "$k" && ((tries-- > 0)); do
    for cg in $(vm_cgroups "$k"); do
      [[ -f $cg/cgroup.kill ]] && { echo 1 >"$cg/cgroup.kill" 2>/dev/null || true; }
    done
    for p in $(cg_procs "$k"); do kill -KILL "$p" 2>/dev/null || true; done
    sleep 0.1
  done
  cg_empty "$k" || die "vm$k: processes in its cgroups do not die: $(cg_procs "$k" | paste -sd' ')"
  for cg in $(vm_cgroups "$k"); do
    [[ -d $cg ]] || continue
    wait_for 5 cg_rmdir "$cg" || die "vm$k: cannot remove its cgroup $cg"
    rmdir "${cg%/*}" 2>/dev/null || true # prov-lab, once no VM uses it
  done
}
cg_rmdir() { # DIR: remove it and its children, deepest first
  find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
  [[ ! -d $1 ]]
}

cg_make() {
  local cg
  for cg in $(vm_cgroups "$1"); do mkdir -p "$cg"; done
  [[ -n $(vm_cgroups "$1") ]] || die "vm$1: no cgroup hierarchy to run systemd-nspawn in"
}

vm_lower() { # the lower layers of VM K, top first, colon-separated
  local f
  f=$(vm_dir "$1")/lower
  if [[ -s $f ]]; then paste -sd: "$f"; else base_dir; fi
}

vm_lower_ok() { # every layer of VM K still exists
  local layer
  while IFS= read -r layer; do [[ -d $layer ]] || return 1; done < <(vm_lower "$1" | tr ':' '\n')
}

vm_create() {
  local dir
  dir=$(vm_dir "$1")
  [[ -d $dir ]] && return 0
  mkdir -p "$dir/upper" "$dir/work" "$dir/root"
  vm_base "$1" >"$dir/lower"
}

vm_mount() {
  local k=$1 dir
  dir=$(vm_dir "$k")
  if ! vm_lower_ok "$k"; then
    say "vm$k: a layer under it is gone; starting it from a fresh disk"
    vm_drop_disk "$k"
    vm_base_ensure "$k"
    vm_base "$k" >"$dir/lower"
  fi
  mkdir -p "$dir/upper" "$dir/work" "$dir/root"
  rm -rf "$dir/work"/*
  mount -t overlay "prov-vm$k" -o "lowerdir=$(vm_lower "$k"),upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
}

vm_umount() {
  local root
  root=$(vm_dir "$1")/root
  mountpoint -q "$root" || return 0
  umount "$root" 2>/dev/null || wait_for 5 umount "$root" 2>/dev/null || {
    say "vm$1: $root is busy (a shell cd'ed into it?): detaching it lazily"
    umount -l "$root"
  }
}

vm_drop_disk() { # an empty upper dir: the VM's disk as its lower layers have it
  local dir
  dir=$(vm_dir "$1")
  rm -rf "$dir/upper" "$dir/work"
  mkdir -p "$dir/upper" "$dir/work"
}

# What cloud-init would do at first boot, done from the host on the mounted root before PID 1 starts:
# hostname, unique host keys and machine id (only when missing: a fresh disk or after reset),
# the lab public key in azureuser's authorized_keys.
vm_prepare_root() {
  local k=$1 root name=prov-vm$1 t
  root=$(vm_dir "$k")/root
  echo "$name" >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n' \
    "$name" >"$root/etc/hosts"
  for t in rsa ecdsa ed25519; do
    [[ -s $root/etc/ssh/ssh_host_${t}_key ]] ||
      ssh-keygen -q -t "$t" -N '' -C "root@$name" -f "$root/etc/ssh/ssh_host_${t}_key" </dev/null
  done
  [[ -s $root/etc/machine-id ]] || od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
  local ssh_dir=$root/home/azureuser/.ssh ids
  ids=$(awk -F: '$1 == "azureuser" {print $3 ":" $4}' "$root/etc/passwd")
  [[ -n $ids ]] || die "vm$k: no azureuser in its /etc/passwd"
  if ! cmp -s "$LAB_STATE/keys/id_ed25519.pub" "$ssh_dir/authorized_keys"; then
    install -d -m 0700 -o "${ids%:*}" -g "${ids#*:}" "$ssh_dir"
    install -m 0600 -o "${ids%:*}" -g "${ids#*:}" "$LAB_STATE/keys/id_ed25519.pub" "$ssh_dir/authorized_keys"
  fi
  cat "$root"/etc/ssh/ssh_host_*_key.pub >"$(vm_dir "$k")/host_keys.pub"
}

vm_sshd_up() { # sshd answers with its banner
  local banner
  banner=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/22" && head -c 4 <&3' _ "$(vm_ip "$1")" 2>/dev/null) &&
    [[ $banner == SSH- ]]
}

vm_start() {
  local k=$1 dir upid ipid
  vm_running "$k" && return 0
  dir=$(vm_dir "$k")
  [[ -d $dir ]] || die "no such VM: vm$k (grow the lab with: up $k)"
  bridge_is_up || die "the lab is down: run 'up' first"
  vm_stop "$k" # leftovers of a VM that died without `down` (e.g. the machine killed it)
  vm_mount "$k"
  vm_prepare_root "$k"
  ns_up "prov-vm$k" "provv$k" "$(vm_ip "$k")"
  if [[ $(vm_init "$k") == systemd ]]; then
    vm_start_systemd "$k"
    return
  fi
  upid=$(launch "$dir/console.log" nsenter --net="/run/netns/prov-vm$k" \
    unshare --pid --fork --kill-child --mount --uts --ipc --propagation private \
    bash "$LAB_LIB/vm-boot.sh" "$dir/root" "prov-vm$k" "$LAB_LIB/vm-init.sh")
  pid_record "vm$k.unshare" "$upid"
  vm_find_init() { ipid=$(ps -o pid= --ppid "$upid" | tr -d ' ') && [[ -n $ipid ]]; }
  wait_for 5 vm_find_init || die "vm$k: PID 1 did not start; see $dir/console.log"
  pid_record "vm$k.init" "$ipid"
  wait_for 15 vm_sshd_up "$k" || die "vm$k: sshd did not answer on $(vm_ip "$k"):22; see $dir/console.log"
}

# A booted VM: systemd-nspawn --boot under the power loop, in the VM's own cgroups.
vm_start_systemd() {
  local k=$1 dir upid cgs
  dir=$(vm_dir "$k")
  command -v systemd-nspawn >/dev/null || die2 "vm$k boots systemd: install systemd-container (bash scripts/lab-deps.sh)"
  cg_make "$k"
  mapfile -t cgs < <(vm_cgroups "$k")
  upid=$(launch "$dir/console.log" env -i PATH="$LAB_PATH" LANG=C.UTF-8 \
    bash "$LAB_LIB/vm-power.sh" "prov-vm$k" "$dir/root" "/run/netns/prov-vm$k" "${cgs[@]}")
  pid_record "vm$k.power" "$upid"
  wait_for 15 vm_running "$k" || die "vm$k: systemd did not start; see $dir/console.log"
  wait_for 60 vm_sshd_up "$k" || die "vm$k: sshd did not answer on $(vm_ip "$k"):22; see $dir/console.log"
}

# Power off: SIGKILL on the VM's PID 1 kills every process in its PID namespace at once.
# (unshare then logs "sigprocmask unblock failed" to console.log: harmless, util-linux issue #2614.)
# A booted VM: SIGKILL to everything in its cgroups (cg_kill), the power loop included.
vm_stop() {
  local k=$1
  pid_stop "vm$k.init" KILL 10
  pid_stop "vm$k.unshare" KILL 10
  cg_kill "$k"
  rm -f "$LAB_STATE/pids/vm$k.power"
  # nspawn's directory for `machinectl bind` (it removes it itself on a clean exit, not on SIGKILL)
  rmdir "/run/systemd/nspawn/propagate/prov-vm$k" 2>/dev/null || true
  vm_umount "$k"
  ns_down "prov-vm$k" "provv$k"
}

# reboot: same disk, address and host keys; every process gone. A booted VM reboots itself (SIGINT to
# systemd: ctrl-alt-del.target, i.e. reboot.target, a clean shutdown then nspawn exits 133 and the power loop
# starts it again); a bash VM is powered off and on.
vm_reboot() {
  local k=$1 old
  vm_running "$k" || die "vm$k is not running"
  if [[ $(vm_init "$k") != systemd ]]; then
    vm_stop "$k"
    vm_start "$k"
    return
  fi
  old=$(vm_init_pid "$k")
  kill -INT "$old"
  vm_rebooted() { local p; p=$(vm_init_pid "$k") && [[ $p != "$old" ]]; }
  wait_for 90 vm_rebooted || die "vm$k: did not come back from its reboot within 90 s; see $(vm_dir "$k")/console.log"
  wait_for 60 vm_sshd_up "$k" || die "vm$k: sshd did not answer after the reboot; see $(vm_dir "$k")/console.log"
}

# reset: a fresh disk from the current base of its kind (new host keys, as on a new VM).
vm_reset() {
  local k=$1
  [[ -d $(vm_dir "$k") ]] || die "no such VM: vm$k"
  vm_base_ensure "$k"
  vm_stop "$k"
  vm_drop_disk "$k"
  vm_base "$k" >"$(vm_dir "$k")/lower"
  vm_start "$k"
}

# define: set vmK's kind (creating vmK if needed) and reset it onto that kind's base.
vm_define() {
  local k=$1 init=$2 image=$3 dir
  kind_check "$init" "$image"
  dir=$(vm_dir "$k")
  base_ensure "$image" "$init"
  vm_stop "$k"
  mkdir -p "$dir"
  printf 'init=%s\nimage=%s\n' "$init" "$image" >"$dir/kind.new"
  mv "$dir/kind.new" "$dir/kind"
  vm_drop_disk "$k"
  mkdir -p "$dir/root"
  vm_base "$k" >"$dir/lower"
  vm_start "$k"
}

vm_status_line() {
  local k=$1 state=stopped pid=- layers
  if pid=$(vm_init_pid "$k"); then state=running; else pid=-; fi
  layers=$(vm_lower "$k" | tr ':' '\n' | while read -r l; do
    case $l in
      "$LAB_STATE"/snapshots/*) l=${l#"$LAB_STATE"/snapshots/}; echo "snapshot:${l%/upper}" ;;
      *) echo "base:${l##*/}" ;;
    esac
  done | paste -sd' ')
  printf '%-6s %-13s %-8s %-8s %-17s %s\n' "vm$k" "$(vm_ip "$k")" "$state" "$pid" "$(vm_kind "$k")" "$layers"
}

# --- snapshots -------------------------------------------------------------------------------
# snapshots/NAME/upper: the VM's upper dir at snapshot time (read-only thereafter);
# snapshots/NAME/lower: the layers it was on top of. A VM on a snapshot has lower = NAME/upper + those.

snap_dir() {
  [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die2 "snapshot names use letters, digits, '.', '_', '-'"
  echo "$LAB_STATE/snapshots/$1"
}

vm_snapshot() {
  local k=$1 name=$2 dir snap was_running=0
  dir=$(vm_dir "$k")
  snap=$(snap_dir "$name")
  [[ -d $dir ]] || die "no such VM: vm$k"
  [[ ! -e $snap ]] || die "snapshot $name exists (remove it first: snapshot-rm $name)"
  vm_running "$k" && was_running=1
  vm_stop "$k"
  mkdir -p "$snap.tmp"
  vm_lower "$k" | tr ':' '\n' >"$snap.tmp/lower"
  echo "vm$k $(date -u +%FT%TZ)" >"$snap.tmp/origin"
  printf 'init=%s\nimage=%s\n' "$(vm_init "$k")" "$(vm_image "$k")" >"$snap.tmp/kind"
  mv "$dir/upper" "$snap.tmp/upper"
  mv "$snap.tmp" "$snap"
  { echo "$snap/upper"; cat "$snap/lower"; } >"$dir/lower"
  vm_drop_disk "$k"
  if ((was_running)); then vm_start "$k"; fi
}

vm_restore() {
  local k=$1 name=$2 dir snap
  dir=$(vm_dir "$k")
  snap=$(snap_dir "$name")
  [[ -d $dir ]] || die "no such VM: vm$k"
  [[ -d $snap/upper ]] || die "no such snapshot: $name"
  vm_stop "$k"
  { echo "$snap/upper"; cat "$snap/lower"; } >"$dir/lower"
  # The VM takes the snapshot's kind (its disk is of that image and init); no record: init=bash image=debian12.
  if [[ -f $snap/kind ]]; then cp "$snap/kind" "$dir/kind"; else rm -f "$dir/kind"; fi
  vm_drop_disk "$k"
  vm_start "$k"
}

snap_users() { # which VMs and snapshots are layered on snapshot NAME
  local snap=$1 f
  for f in "$LAB_STATE"/vms/vm*/lower "$LAB_STATE"/snapshots/*/lower; do
    [[ -f $f ]] && grep -qxF "$snap/upper" "$f" && basename "$(dirname "$f")"
  done
  return 0
}

snap_rm() {
  local name=$1 snap users
  snap=$(snap_dir "$name")
  [[ -d $snap ]] || die "no such snapshot: $name"
  users=$(snap_users "$snap" | paste -sd' ')
  [[ -z $users ]] || die "snapshot $name is in use by: $users (reset or restore those VMs first)"
  rm -rf "$snap"
}

snap_list() {
  local s
  for s in "$LAB_STATE"/snapshots/*/; do
    [[ -d $s/upper ]] || continue
    printf '%-24s %-28s %s\n' "$(basename "$s")" "$(cat "$s/origin" 2>/dev/null)" "$(du -sh "$s/upper" | cut -f1)"
  done
}
