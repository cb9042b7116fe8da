#!/usr/bin/env bash
# Runs a command as root, for what needs the lab (namespaces, mounts, a bridge): as it is from a root shell
# (a minimal Debian has no sudo at all), through sudo from a user shell (which then asks for the password).
set -euo pipefail
if [[ $EUID -eq 0 ]]; then exec "$@"; fi
if command -v sudo >/dev/null 2>&1; then
  echo "the lab needs root: running '$*' with sudo" >&2
  # sudo resets PATH (node may live in ~/.nvm or /usr/local) and the environment: keep what the run reads.
  exec sudo env "PATH=$PATH" ${CI:+"CI=$CI"} ${NO_COLOR:+"NO_COLOR=$NO_COLOR"} "$@"
fi
echo "the lab needs root, and this machine has no sudo: run it from a root shell" >&2
exit 2
