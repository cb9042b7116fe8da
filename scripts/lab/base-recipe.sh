#!/bin/bash
# The recipe of the lab VMs' base root filesystems: a minimal Debian that looks like a fresh Azure VM
# (azureuser with passwordless sudo, sshd with password login off) and NOT pip, venv or postgresql-client:
# the tool under test installs those. One base per image and init (see docs/lab.md, "VM kinds"):
#   image debian12 (bookworm) or debian13 (trixie);
#   init  bash    (the lab's bash loop is PID 1: no systemd, no python3) or
#         systemd (systemd boots as PID 1 under systemd-nspawn, with dbus, logind and unattended-upgrades,
#                  which brings python3, as on Azure's Debian images).
# The base cache is keyed on a hash of this file: any change here builds new bases on the next use.
#   bash base-recipe.sh build TARGET APT_PROXY_URL IMAGE INIT
#   bash base-recipe.sh customize ROOT IMAGE INIT     (run by mmdebstrap)
set -euo pipefail

MIRROR=http://deb.debian.org/debian
SECURITY=http://deb.debian.org/debian-security
INCLUDE=openssh-server,sudo,ca-certificates,iproute2,procps,netbase
INCLUDE_SYSTEMD=systemd-sysv,dbus,libpam-systemd,unattended-upgrades
LAB_HOST_IP=10.231.0.1

suite() {
  case $1 in
    debian12) echo bookworm ;;
    debian13) echo trixie ;;
    *) echo "base-recipe: unknown image '$1' (debian12, debian13)" >&2; return 2 ;;
  esac
}

build() {
  local target=$1 proxy=$2 image=$3 init=$4 suite include=$INCLUDE
  suite=$(suite "$image")
  case $init in
    bash) ;;
    systemd) include+=,$INCLUDE_SYSTEMD ;;
    *) echo "base-recipe: unknown init '$init' (bash, systemd)" >&2; return 2 ;;
  esac
  # The base includes the point release plus SUITE-updates and SUITE-security as of build time.
  mmdebstrap --variant=minbase --include="$include" \
    --aptopt="Acquire::http::Proxy \"$proxy\"" \
    --aptopt='APT::Install-Recommends "false"' \
    --customize-hook="bash '$0' customize \"\$1\" $image $init" \
    "$suite" "$target" \
    "deb $MIRROR $suite main" "deb $MIRROR $suite-updates main" "deb $SECURITY $suite-security main"
}

customize() {
  local root=$1 image=$2 init=$3 suite
  suite=$(suite "$image")

  # Each VM gets its own host keys and machine id at first start (see scripts/lab/vm.sh).
  rm -f "$root"/etc/ssh/ssh_host_*
  : >"$root/etc/machine-id"

  rm -f "$root/etc/apt/apt.conf.d/99mmdebstrap" "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOS
Types: deb
URIs: $MIRROR
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
  # VMs have no route out: apt goes through the lab's apt-cacher-ng, pip through the lab's index (one per
  # image: the wheels for its CPython; see scripts/lab/wheelhouse.py).
  echo "Acquire::http::Proxy \"http://$LAB_HOST_IP:3142\";" >"$root/etc/apt/apt.conf.d/01prov-lab-proxy"
  local index=http://$LAB_HOST_IP:3141/simple
  [[ $image == debian12 ]] || index=http://$LAB_HOST_IP:3141/$image/simple
  cat >"$root/etc/pip.conf" <<EOS
[global]
index-url = $index
trusted-host = $LAB_HOST_IP
EOS
  # No DNS server is reachable; an empty resolv.conf makes lookups fail fast instead of timing out.
  rm -f "$root/etc/resolv.conf"
  echo "# prov lab VM: no DNS" >"$root/etc/resolv.conf"

  # What cloud-init leaves on an Azure VM for the admin user.
  chroot "$root" useradd --create-home --shell /bin/bash --comment '' \
    --groups adm,dialout,cdrom,floppy,sudo,audio,dip,video,plugdev azureuser
  chroot "$root" install -d -m 0700 -o azureuser -g azureuser /home/azureuser/.ssh
  printf '# Created by cloud-init\n\n# User rules for azureuser\nazureuser ALL=(ALL) NOPASSWD:ALL\n' \
    >"$root/etc/sudoers.d/90-cloud-init-users"
  chmod 0440 "$root/etc/sudoers.d/90-cloud-init-users"
  echo "PasswordAuthentication no" >"$root/etc/ssh/sshd_config.d/50-cloud-init.conf"
  printf 'KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n' \
    >"$root/etc/ssh/sshd_config.d/60-prov-lab.conf"

  [[ $init == systemd ]] && customize_systemd "$root"
  return 0
}

# A booted VM: the lab configures its network, hostname and clock from outside, so the units that would
# do it are masked, as are the consoles' gettys (nobody logs in on a console). apt's daily timers and
# unattended-upgrades stay enabled and run as on Azure (20auto-upgrades is what Azure's Debian images ship).
customize_systemd() {
  local root=$1 unit
  for unit in systemd-networkd.service systemd-networkd.socket systemd-networkd-wait-online.service \
    systemd-resolved.service systemd-timesyncd.service getty@.service serial-getty@.service \
    console-getty.service container-getty@.service getty.target; do
    ln -sfn /dev/null "$root/etc/systemd/system/$unit"
  done
  cat >"$root/etc/apt/apt.conf.d/20auto-upgrades" <<EOS
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
EOS
  # ssh.service, apt-daily{,-upgrade}.timer and unattended-upgrades.service are enabled by their packages.
  local need
  for need in multi-user.target.wants/ssh.service timers.target.wants/apt-daily.timer \
    timers.target.wants/apt-daily-upgrade.timer multi-user.target.wants/unattended-upgrades.service; do
    [[ -L $root/etc/systemd/system/$need ]] || { echo "base-recipe: $need is not enabled" >&2; return 1; }
  done
}

"$@"
