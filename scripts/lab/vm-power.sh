#!/bin/bash
# The power button of a booted lab VM (init=systemd): joins the VM's cgroups, runs systemd-nspawn --boot on
# the VM's mounted disk inside its network namespace, and starts it again when the VM reboots (nspawn exits
# 133 when the container's systemd asks for a reboot: `sudo reboot`, `lab reboot vmK`). Any other exit
# (a poweroff inside, a kill) ends the loop: the VM is off.
#   vm-power.sh NAME ROOT NETNS CGROUP_DIR...
set -u
name=$1 root=$2 netns=$3
shift 3
for cg in "$@"; do echo $$ >"$cg/cgroup.procs" || exit 1; done
# This machine's PID 1 is not systemd: nspawn cannot ask it for a scope (--register=no), so it runs in the
# cgroups made for it by the lab (--keep-unit: as if they were its unit) and makes its payload/supervisor
# children there.
while :; do
  for cg in "$@"; do find "$cg" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null; done
  echo "lab: $(date -u +%FT%T.%3NZ) $name: power on"
  systemd-nspawn --boot --directory="$root" --machine="$name" --hostname="$name" \
    --register=no --keep-unit --network-namespace-path="$netns" \
    --resolv-conf=off --timezone=off --link-journal=no --console=read-only
  rc=$?
  if ((rc != 133)); then
    echo "lab: $(date -u +%FT%T.%3NZ) $name: systemd-nspawn exited $rc: powered off"
    exit "$rc"
  fi
  echo "lab: $(date -u +%FT%T.%3NZ) $name: reboot"
done
