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

# The index race. apt-cacher-ng 3.7 fails one of two refreshes of the same index file that start in the same
# second ("Failure to move file .../InRelease out of the way ... File exists"), and that client's download then
# stalls for 10 minutes: a batch's two VMs running apt-get update at once (CI 2026-12-01 12:17, 12:47; issue 26,
# on a fresh machine). FreshIndexMaxAge did not prevent it: the proxy still asks the mirror for InRelease at every
# request (strace: one GET upstream per client request, even a second after the last). So the suites' InRelease
# (and Release, Release.gpg) are special static files (SPfilePatternEx): served from the cache as they are, never
# refreshed by a client's request; a missing one is downloaded once. `acng_warm` (at every `up`) refreshes them,
# alone, one after the other, when they are older than LAB_INDEX_MAX_AGE_MIN; concurrent VMs then only read.
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
SPfilePatternEx: (^|.*/)(InRelease|Release|Release\.gpg)$
ReportPage:
EOF
}

# The warm-up: each suite's InRelease, refreshed (deleted, fetched through the proxy) when missing or older than
# LAB_INDEX_MAX_AGE_MIN, one after the other, under the lab lock, before any VM asks (see "The index race" above).
# Without a network it says so and the lab goes on: VMs then get the cached index, or none.
LAB_INDEX_MAX_AGE_MIN=360
acng_warm() {
  local suite url file failed=0
  for suite in bookworm trixie; do
    for url in "debian/dists/$suite" "debian/dists/$suite-updates" "debian-security/dists/$suite-security"; do
      file=$LAB_STATE/apt-cache/$(sed -e 's|^debian-security/|secdeb/|' -e 's|^debian/|debrep/|' <<<"$url")/InRelease
      [[ -f $file && -z $(find "$file" -mmin +"$LAB_INDEX_MAX_AGE_MIN") ]] && continue
      rm -f "$file" "$file".head "$file".[0-9]*
      curl -fsS -o /dev/null --max-time 60 --proxy "http://$LAB_HOST_IP:$LAB_APT_PORT" "http://deb.debian.org/$url/InRelease" \
        2>>"$LAB_STATE/logs/apt-proxy-warm.log" || failed=$((failed + 1))
    done
  done
  ((failed == 0)) || say "apt proxy warm-up: $failed of 6 index files could not be fetched; see $LAB_STATE/logs/apt-proxy-warm.log"
}

# `apt-proxy restart [--clear-index] [--no-warm]`: a proxy that forgot what it refreshed, as on a fresh machine
# (--clear-index also deletes the cached index files); --no-warm leaves it cold (to reproduce the race).
acng_restart() {
  local clear=$1 warm=$2
  pid_stop acng TERM 10
  if ((clear)); then
    find "$LAB_STATE/apt-cache" -path '*/dists/*' -type f \( -name 'InRelease*' -o -name 'Release*' \) -delete
    rm -rf "$LAB_STATE/apt-cache/_xstore"
  fi
  acng_start
  ((warm)) && acng_warm
  return 0
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
