# shellcheck shell=bash
# Host-side services on the bridge address: the apt proxy (apt-cacher-ng) and the pip index
# (python3 -m http.server); plus the lab key pair and the cached VM base.

# --- apt proxy -------------------------------------------------------------------------------
# A private apt-cacher-ng: its own config dir (none of /etc/apt-cacher-ng is read), cache and logs under
# the lab state, listening on the bridge address only. ForceManaged + the two Remap lines make it fetch
# from Debian's mirror and nothing else; no CONNECT tunnels, no redirects followed.
acng_start() {
  local conf=$LAB_STATE/acng/conf want
  want=$(acng_conf)
  if pid_get acng >/dev/null; then
    # A proxy started with another configuration (an older lab) is restarted with this one.
    [[ $want == "$(cat "$conf/acng.conf" 2>/dev/null)" ]] && return 0
    say "apt proxy: new configuration, restarting it"
    pid_stop acng
  fi
  mkdir -p "$conf" "$LAB_STATE/acng/log" "$LAB_STATE/apt-cache"
  chown apt-cacher-ng: "$LAB_STATE/acng/log" "$LAB_STATE/apt-cache"
  printf '%s\n' "$want" >"$conf/acng.conf"
  acng_launch "$conf"
}

# FreshIndexMaxAge: index files (InRelease, ...) refreshed from the mirror less than a day ago are served as they
# are. apt-cacher-ng 3.7 fails one of two refreshes of the same index that start in the same second ("Failure to
# move file .../InRelease out of the way ... File exists"), and that client's download then stalls for 10 minutes:
# seen when a batch started two VMs' apt-get update at once, first with the default (27 s), then again with 300 s
# once the index had aged past it (CI, 2026-12-01 12:17). A day-old index is still right for the lab's packages.
# The proxy forgets what it refreshed when it restarts: the first update after `up` restarted it (a new
# configuration) refreshes again, and it raced once more that way (12:47); later ones are served from the cache.
acng_conf() {
  cat <<EOF
CacheDir: $LAB_STATE/apt-cache
LogDir: $LAB_STATE/acng/log
SupportDir: /usr/lib/apt-cacher-ng
Port: $LAB_APT_PORT
BindAddress: $LAB_HOST_IP
SocketPath: $LAB_STATE/acng/log/socket
Remap-debrep: deb.debian.org/debian ; http://deb.debian.org/debian
Remap-secdeb: deb.debian.org/debian-security security.debian.org/debian-security ; http://deb.debian.org/debian-security
ForceManaged: 1
PassThroughPattern: ^$
RedirMax: 0
AllowUserPorts: 80
ExThreshold: 4
FreshIndexMaxAge: 86400
ReportPage:
EOF
}

acng_launch() {
  local conf=$1
  tcp_open "$LAB_HOST_IP" "$LAB_APT_PORT" && die "port $LAB_HOST_IP:$LAB_APT_PORT is taken by a process the lab did not start"
  local pid
  pid=$(launch "$LAB_STATE/logs/apt-cacher-ng.log" \
    setpriv --reuid=apt-cacher-ng --regid=apt-cacher-ng --init-groups \
    env -i PATH="$LAB_PATH" apt-cacher-ng -c "$conf" ForeGround=1)
  pid_record acng "$pid"
  wait_for 10 tcp_open "$LAB_HOST_IP" "$LAB_APT_PORT" ||
    die "apt-cacher-ng did not listen on $LAB_HOST_IP:$LAB_APT_PORT; see $LAB_STATE/logs/apt-cacher-ng.log"
}

# --- pip index: the wheelhouse (real wheels from PyPI) ---------------------------------------
# scripts/lab/wheelhouse.py downloads, once per machine, every wheel the VMs install (MLflow at the versions
# pinned in src/config/mlflow-version.ts, with all dependencies) into $LAB_STATE/wheelhouse/<key> and writes a
# PEP 503 index beside them; $LAB_STATE/pip-index is a symlink to it, served as http://$LAB_HOST_IP:3141/simple.
# A filled cache needs no network; a changed pin downloads only the wheels it lacks.
pip_index_build() {
  local index=$LAB_STATE/pip-index
  # An index from before the wheelhouse (a real folder of stand-in wheels) makes way for the link.
  [[ -d $index && ! -L $index ]] && rm -rf "$index"
  rm -rf "$LAB_STATE/pip-index.hash" "$LAB_STATE/pip-index.new" "$LAB_STATE/pip-index.old"
  env -i PATH="$LAB_PATH" HOME=/root "$LAB_PY" "$LAB_LIB/wheelhouse.py" --state "$LAB_STATE" \
    --versions "$LAB_REPO/src/config/mlflow-version.ts" --link "$index" ||
    die "filling the wheelhouse failed (it needs PyPI the first time); rerun 'up' to resume where it stopped"
}

pip_start() {
  pid_get pip >/dev/null && return 0
  tcp_open "$LAB_HOST_IP" "$LAB_PIP_PORT" && die "port $LAB_HOST_IP:$LAB_PIP_PORT is taken by a process the lab did not start"
  local pid
  pid=$(launch "$LAB_STATE/logs/pip-index.log" \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env -i PATH="$LAB_PATH" "$LAB_PY" -m http.server "$LAB_PIP_PORT" --bind "$LAB_HOST_IP" \
    --directory "$LAB_STATE/pip-index")
  pid_record pip "$pid"
  wait_for 10 tcp_open "$LAB_HOST_IP" "$LAB_PIP_PORT" ||
    die "the pip index did not listen on $LAB_HOST_IP:$LAB_PIP_PORT; see $LAB_STATE/logs/pip-index.log"
}

# --- lab key pair ----------------------------------------------------------------------------
keys_ensure() {
  local key=$LAB_STATE/keys/id_ed25519
  [[ -f $key && -f $key.pub ]] && return 0
  install -d -m 0700 "$LAB_STATE/keys"
  rm -f "$key" "$key.pub"
  ssh-keygen -q -t ed25519 -N '' -C prov-lab -f "$key"
}

# --- base root filesystems ------------------------------------------------------------------
# One base per image and init (docs/lab.md, "VM kinds"): base/IMAGE-INIT-HASH, HASH from base-recipe.sh.
LAB_IMAGES="debian12 debian13"
LAB_INITS="bash systemd"
base_hash() { sha256sum "$LAB_LIB/base-recipe.sh" | cut -c1-16; }
base_dir() { echo "$LAB_STATE/base/${1:-debian12}-${2:-bash}-$(base_hash)"; } # [IMAGE] [INIT]

base_ensure() { # [IMAGE] [INIT]
  local image=${1:-debian12} init=${2:-bash} dir tmp log
  dir=$(base_dir "$image" "$init")
  [[ -d $dir ]] && return 0
  tmp=$dir.tmp
  log=$LAB_STATE/logs/base-build-$image-$init.log
  rm -rf "$tmp"
  say "building the $image base for init=$init (mmdebstrap, about a minute) in $dir"
  # mmdebstrap wants an empty or missing target directory.
  bash "$LAB_LIB/base-recipe.sh" build "$tmp" "http://$LAB_HOST_IP:$LAB_APT_PORT" "$image" "$init" >"$log" 2>&1 ||
    die "building the base failed; see $log"
  mv "$tmp" "$dir"
}
