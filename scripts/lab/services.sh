# shellcheck shell=bash
# Host-side services on the bridge address: the apt proxy (apt-cacher-ng) and the pip index
# (python3 -m http.server); plus the lab key pair and the cached VM base.

# --- apt proxy -------------------------------------------------------------------------------
# A private apt-cacher-ng: its own config dir (none of /etc/apt-cacher-ng is read), cache and logs under
# the lab state, listening on the bridge address only. ForceManaged + the two Remap lines make it fetch
# from Debian's mirror and nothing else; no CONNECT tunnels, no redirects followed.
acng_start() {
  pid_get acng >/dev/null && return 0
  local conf=$LAB_STATE/acng/conf
  mkdir -p "$conf" "$LAB_STATE/acng/log" "$LAB_STATE/apt-cache"
  chown apt-cacher-ng: "$LAB_STATE/acng/log" "$LAB_STATE/apt-cache"
  cat >"$conf/acng.conf" <<EOF
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
ReportPage:
EOF
  tcp_open "$LAB_HOST_IP" "$LAB_APT_PORT" && die "port $LAB_HOST_IP:$LAB_APT_PORT is taken by a process the lab did not start"
  local pid
  pid=$(launch "$LAB_STATE/logs/apt-cacher-ng.log" \
    setpriv --reuid=apt-cacher-ng --regid=apt-cacher-ng --init-groups \
    env -i PATH="$LAB_PATH" apt-cacher-ng -c "$conf" ForeGround=1)
  pid_record acng "$pid"
  wait_for 10 tcp_open "$LAB_HOST_IP" "$LAB_APT_PORT" ||
    die "apt-cacher-ng did not listen on $LAB_HOST_IP:$LAB_APT_PORT; see $LAB_STATE/logs/apt-cacher-ng.log"
}

# --- pip index -------------------------------------------------------------------------------
# Hash of what the wheels are built from; the index is rebuilt when it changes.
pip_sources_hash() {
  (
    cd "$LAB_REPO"
    ls /usr/share/python-wheels 2>/dev/null || true
    find fixtures scripts/lab/build-wheels.py -type f \
      -not -path '*/__pycache__/*' -not -path '*.egg-info/*' -not -name '*.pyc' -print0 2>/dev/null |
      LC_ALL=C sort -z | xargs -0r sha256sum
  ) | sha256sum | cut -c1-16
}

pip_index_build() {
  local index=$LAB_STATE/pip-index hash new=$LAB_STATE/pip-index.new
  hash=$(pip_sources_hash)
  [[ -d $index && $(cat "$LAB_STATE/pip-index.hash" 2>/dev/null) == "$hash" ]] && return 0
  rm -rf "$new"
  mkdir -p "$new/simple"
  if [[ -f $LAB_LIB/build-wheels.py ]]; then
    say "building the pip index (wheels from fixtures/)"
    # Debian's own pip and setuptools wheels too, so `pip install --upgrade pip` in a venv resolves offline.
    local extra=() whl
    for whl in /usr/share/python-wheels/{pip,setuptools}-*.whl; do
      [[ -f $whl ]] && extra+=(--extra-wheel "$whl")
    done
    (cd "$LAB_REPO" && env -i PATH="$LAB_PATH" HOME=/root "$LAB_PY" "$LAB_LIB/build-wheels.py" --out "$new" "${extra[@]}") \
      >"$LAB_STATE/logs/pip-index-build.log" 2>&1 ||
      die "scripts/lab/build-wheels.py failed; see $LAB_STATE/logs/pip-index-build.log"
  else
    say "scripts/lab/build-wheels.py does not exist yet: serving an empty pip index"
  fi
  chmod -R a+rX "$new"
  # http.server maps each request to a path under --directory, so swapping the directory is enough.
  rm -rf "$index.old"
  [[ -d $index ]] && mv "$index" "$index.old"
  mv "$new" "$index"
  rm -rf "$index.old"
  echo "$hash" >"$LAB_STATE/pip-index.hash"
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

# --- base root filesystem --------------------------------------------------------------------
base_hash() { sha256sum "$LAB_LIB/base-recipe.sh" | cut -c1-16; }
base_dir() { echo "$LAB_STATE/base/$(base_hash)"; }

base_ensure() {
  local dir tmp
  dir=$(base_dir)
  [[ -d $dir ]] && return 0
  tmp=$dir.tmp
  rm -rf "$tmp"
  say "building the VM base (mmdebstrap, about a minute) in $dir"
  # mmdebstrap wants an empty or missing target directory.
  bash "$LAB_LIB/base-recipe.sh" build "$tmp" "http://$LAB_HOST_IP:$LAB_APT_PORT" \
    >"$LAB_STATE/logs/base-build.log" 2>&1 ||
    die "building the base failed; see $LAB_STATE/logs/base-build.log"
  mv "$tmp" "$dir"
}
