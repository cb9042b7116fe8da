#!/usr/bin/env bash
# Runs a command as root, for what needs the lab (namespaces, mounts, a bridge): as it is from a root shell
# (a minimal Debian has no sudo at all), through sudo from a user shell (which then asks for the password).
set -euo pipefail
if [[ $EUID -eq 0 ]]; then exec "$@"; fi
if command -v sudo >/dev/null 2>&1; then
  echo "the lab needs root: running '$*' with sudo" >&2
  # Node is resolved once, here, as this user finds it (npm names the one it runs under; nvm puts it in the
  # home): a command `node` runs as that absolute path. Root gets that folder (for npm) and the system's own
  # PATH, not this user's: under npm that PATH starts with node_modules/.bin, which root must not search.
  node_bin=${npm_node_execpath:-}
  if [[ -z $node_bin ]]; then
    IFS=: read -ra dirs <<<"$PATH"
    for d in "${dirs[@]}"; do
      [[ $d == */node_modules/.bin ]] && continue # a package's own node (npm's `node` package) is not the user's
      [[ -x $d/node ]] && node_bin=$d/node && break
    done
  fi
  [[ -n $node_bin ]] || { echo "node is not on PATH: install Node 20.19 or newer" >&2; exit 2; }
  node_bin=$(readlink -f "$node_bin")
  [[ ${1:-} == node ]] && set -- "$node_bin" "${@:2}"
  root_path="$(dirname "$node_bin"):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  exec sudo env "PATH=$root_path" ${CI:+"CI=$CI"} ${NO_COLOR:+"NO_COLOR=$NO_COLOR"} "$@"
fi
echo "the lab needs root, and this machine has no sudo: run it from a root shell" >&2
exit 2
