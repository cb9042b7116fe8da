#!/bin/bash
# First process of a lab VM: PID 1 of fresh PID, mount, UTS and IPC namespaces (made by unshare,
# already in the VM's network namespace), still running the host's bash on the host's filesystem.
# It mounts the VM's pseudo filesystems, makes the overlay the root (pivot_root, so nothing of the host
# stays visible), and execs the VM's own bash on vm-init.sh as PID 1.
#   vm-boot.sh ROOT HOSTNAME INIT_SCRIPT
set -euo pipefail
root=$1 name=$2 init=$3

hostname "$name"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
# /sys is read-only: the kernel is the host's.
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"

# A minimal /dev: the usual character devices, a private devpts, shm.
mount -t tmpfs -o nosuid,noexec,mode=0755,size=1m prov-dev "$root/dev"
mknod -m 0666 "$root/dev/null" c 1 3
mknod -m 0666 "$root/dev/zero" c 1 5
mknod -m 0666 "$root/dev/full" c 1 7
mknod -m 0666 "$root/dev/random" c 1 8
mknod -m 0666 "$root/dev/urandom" c 1 9
mknod -m 0666 "$root/dev/tty" c 5 0
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mkdir -m 0755 "$root/dev/pts"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mkdir -m 1777 "$root/dev/shm"
mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"

# /run and /tmp start empty at every boot, as on a Debian 12 VM.
mount -t tmpfs -o nosuid,nodev,mode=0755 run "$root/run"
mkdir -m 1777 "$root/run/lock"
mount -t tmpfs -o nosuid,nodev,mode=1777 tmp "$root/tmp"
install -m 0755 "$init" "$root/run/prov-init"

cd "$root"
pivot_root . .
umount -l .
cd /
exec /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  /bin/bash /run/prov-init
