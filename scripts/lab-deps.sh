#!/bin/bash
# Installs the Debian packages the lab (scripts/lab.sh) and its tests use. Idempotent; for CI on a fresh
# Debian 12 machine. Installing apt-cacher-ng or postgresql-15 does not start their system services here
# (no systemd; the machine's policy-rc.d refuses): the lab runs its own instances.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

((EUID == 0)) || { echo "lab-deps: needs root" >&2; exit 2; }

packages=(
  mmdebstrap debian-archive-keyring # the VM bases (Debian 12 and 13)
  systemd-container                 # systemd-nspawn: booted VMs (init=systemd)
  apt-cacher-ng                     # the VMs' apt proxy
  nftables iproute2 util-linux procps kmod
  openssh-client openssl            # ssh-keygen for keys, the client for tests; the DB certificate
  postgresql-15 postgresql-client-15
  pebble                            # the ACME server for --tls acme (with pebble-challtestsrv as its DNS)
  haproxy                           # the lab's load balancer (scripts/lab/haproxy.sh)
  python3 python3-pip               # the pip index server; `pip download` fills the lab's wheelhouse from PyPI
)
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
# Azurite (Azure Blob's emulator, npm) into the lab's own folder; `lab up` installs it too when missing.
source "$(dirname "${BASH_SOURCE[0]}")/lab/common.sh"
source "$LAB_LIB/azurite.sh"
mkdir -p "$LAB_STATE/logs"
azurite_install
