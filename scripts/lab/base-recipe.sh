#!/bin/bash
# The recipe of the lab VMs' base root filesystem: a minimal Debian 12 that looks like a fresh Azure VM
# (azureuser with passwordless sudo, sshd with password login off) and NOT python3, pip, venv or
# postgresql-client: the tool under test installs those.
# The base cache is keyed on a hash of this file: any change here builds a new base on the next `up`.
#   bash base-recipe.sh build TARGET APT_PROXY_URL
#   bash base-recipe.sh customize ROOT     (run by mmdebstrap)
set -euo pipefail

SUITE=bookworm
MIRROR=http://deb.debian.org/debian
SECURITY=http://deb.debian.org/debian-security
INCLUDE=openssh-server,sudo,ca-certificates,iproute2,procps,netbase
LAB_HOST_IP=10.231.0.1

build() {
  local target=$1 proxy=$2
  # The base includes the point release plus bookworm-updates and bookworm-security as of build time.
  mmdebstrap --variant=minbase --include="$INCLUDE" \
    --aptopt="Acquire::http::Proxy \"$proxy\"" \
    --customize-hook="bash '$0' customize \"\$1\"" \
    "$SUITE" "$target" \
    "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" "deb $SECURITY $SUITE-security main"
}

customize() {
  local root=$1

  # Each VM gets its own host keys and machine id at first start (see scripts/lab/vm.sh).
  rm -f "$root"/etc/ssh/ssh_host_*
  : >"$root/etc/machine-id"

  rm -f "$root/etc/apt/apt.conf.d/99mmdebstrap" "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # VMs have no route out: apt goes through the lab's apt-cacher-ng, pip through the lab's index.
  echo "Acquire::http::Proxy \"http://$LAB_HOST_IP:3142\";" >"$root/etc/apt/apt.conf.d/01prov-lab-proxy"
  cat >"$root/etc/pip.conf" <<EOF
[global]
index-url = http://$LAB_HOST_IP:3141/simple
trusted-host = $LAB_HOST_IP
EOF
  # No DNS server is reachable; an empty resolv.conf makes lookups fail fast instead of timing out.
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
}

"$@"
