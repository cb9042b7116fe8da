# shellcheck shell=bash
# Lab VMs. VM K = an overlayfs root (vms/vmK/root: upper vms/vmK/upper over the layers listed in
# vms/vmK/lower, top first, ending with a base) + network namespace prov-vmK (10.231.0.(10+K))
# + `unshare` PID/mount/UTS/IPC namespaces running scripts/lab/vm-init.sh as PID 1.
# Pid files: pids/vmK.unshare (host-side parent) and pids/vmK.init (PID 1 of the VM, host PID).

vm_dir() { echo "$LAB_STATE/vms/vm$1"; }
vm_running() { pid_get "vm$1.init" >/dev/null; }

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
  base_dir >"$dir/lower"
}

vm_mount() {
  local k=$1 dir
  dir=$(vm_dir "$k")
  if ! vm_lower_ok "$k"; then
    say "vm$k: a layer under it is gone; starting it from a fresh disk"
    vm_drop_disk "$k"
    base_dir >"$dir/lower"
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
  upid=$(launch "$dir/console.log" nsenter --net="/run/netns/prov-vm$k" \
    unshare --pid --fork --kill-child --mount --uts --ipc --propagation private \
    bash "$LAB_LIB/vm-boot.sh" "$dir/root" "prov-vm$k" "$LAB_LIB/vm-init.sh")
  pid_record "vm$k.unshare" "$upid"
  vm_find_init() { ipid=$(ps -o pid= --ppid "$upid" | tr -d ' ') && [[ -n $ipid ]]; }
  wait_for 5 vm_find_init || die "vm$k: PID 1 did not start; see $dir/console.log"
  pid_record "vm$k.init" "$ipid"
  wait_for 15 vm_sshd_up "$k" || die "vm$k: sshd did not answer on $(vm_ip "$k"):22; see $dir/console.log"
}

# Power off: SIGKILL on the VM's PID 1 kills every process in its PID namespace at once.
# (unshare then logs "sigprocmask unblock failed" to console.log: harmless, util-linux issue #2614.)
vm_stop() {
  local k=$1
  pid_stop "vm$k.init" KILL 10
  pid_stop "vm$k.unshare" KILL 10
  vm_umount "$k"
  ns_down "prov-vm$k" "provv$k"
}

# reset: a fresh disk from the current base (new host keys, as on a new VM).
vm_reset() {
  local k=$1
  [[ -d $(vm_dir "$k") ]] || die "no such VM: vm$k"
  vm_stop "$k"
  vm_drop_disk "$k"
  base_dir >"$(vm_dir "$k")/lower"
  vm_start "$k"
}

vm_status_line() {
  local k=$1 state=stopped pid=- layers
  if pid=$(pid_get "vm$k.init"); then state=running; else pid=-; fi
  layers=$(vm_lower "$k" | tr ':' '\n' | while read -r l; do
    case $l in
      "$LAB_STATE"/snapshots/*) l=${l#"$LAB_STATE"/snapshots/}; echo "snapshot:${l%/upper}" ;;
      *) echo "base:${l##*/}" ;;
    esac
  done | paste -sd' ')
  printf '%-6s %-13s %-8s %-8s %s\n' "vm$k" "$(vm_ip "$k")" "$state" "$pid" "$layers"
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
