# shellcheck shell=bash
# A real ACME server for --tls acme: Debian's pebble (Let's Encrypt's test CA) on the bridge address, with
# pebble-challtestsrv as its DNS (names the tests register, nothing else). Pebble validates from this
# machine, so it reaches the VMs' ports 80 and 443 like Let's Encrypt reaches an Azure VM.
#
#   directory  https://10.231.0.1:14000/dir      (TLS by the lab's "ACME directory CA": acme/dir-ca.pem)
#   roots      https://127.0.0.1:15000/roots/0   (pebble's issuing root: new at every pebble start)
#   DNS        127.0.0.1:8053 (pebble only); names are set on http://127.0.0.1:8055 (add-a, clear-a)

acme_dir() { echo "$LAB_STATE/acme"; }

# The directory's TLS certificate: a lab CA (kept across restarts, so a VM's Caddy keeps trusting it) and a
# leaf for the addresses clients use (the bridge for the VMs, loopback for the tests).
acme_certs() {
  local d
  d=$(acme_dir)
  install -d -m 0755 "$d"
  [[ -f $d/dir-ca.pem && -f $d/dir-ca.key ]] ||
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=prov lab ACME directory CA" \
      -keyout "$d/dir-ca.key" -out "$d/dir-ca.pem" 2>/dev/null
  [[ -f $d/dir.pem && -f $d/dir.key ]] && return 0
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=pebble" -keyout "$d/dir.key" -out "$d/dir.csr" 2>/dev/null
  openssl x509 -req -in "$d/dir.csr" -CA "$d/dir-ca.pem" -CAkey "$d/dir-ca.key" -CAcreateserial -days 3650 \
    -extfile <(printf 'subjectAltName=IP:%s,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' "$LAB_HOST_IP") -out "$d/dir.pem" 2>/dev/null
  rm -f "$d/dir.csr"
  chmod 0644 "$d"/*.pem
  chmod 0600 "$d"/*.key
  chown nobody:nogroup "$d/dir.key" # pebble runs as nobody
}

acme_config() {
  local d
  d=$(acme_dir)
  cat <<EOF
{
  "pebble": {
    "listenAddress": "$LAB_HOST_IP:$LAB_ACME_PORT",
    "managementListenAddress": "127.0.0.1:$LAB_ACME_MGMT_PORT",
    "certificate": "$d/dir.pem",
    "privateKey": "$d/dir.key",
    "httpPort": 80,
    "tlsPort": 443,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
EOF
}

acme_start() {
  command -v pebble >/dev/null || return 0 # an older lab-deps: no ACME server, --tls acme tests skip
  local d pid
  d=$(acme_dir)
  acme_certs
  acme_config >"$d/pebble.json"
  if ! pid_get dns >/dev/null; then
    tcp_open 127.0.0.1 "$LAB_DNS_MGMT_PORT" && die "port 127.0.0.1:$LAB_DNS_MGMT_PORT is taken by a process the lab did not start"
    # No default answers (by default it answers every name with 127.0.0.1) and no challenge listeners of its own.
    pid=$(launch "$LAB_STATE/logs/challtestsrv.log" setpriv --reuid=nobody --regid=nogroup --clear-groups \
      env -i PATH="$LAB_PATH" pebble-challtestsrv -defaultIPv4 '' -defaultIPv6 '' -http01 '' -https01 '' -tlsalpn01 '' \
      -dns01 "127.0.0.1:$LAB_DNS_PORT" -management "127.0.0.1:$LAB_DNS_MGMT_PORT")
    pid_record dns "$pid"
    wait_for 10 tcp_open 127.0.0.1 "$LAB_DNS_MGMT_PORT" || die "pebble-challtestsrv did not start; see $LAB_STATE/logs/challtestsrv.log"
  fi
  pid_get acme >/dev/null && return 0
  tcp_open "$LAB_HOST_IP" "$LAB_ACME_PORT" && die "port $LAB_HOST_IP:$LAB_ACME_PORT is taken by a process the lab did not start"
  # NOSLEEP: validate at once (pebble waits up to 15 s by default); NONCEREJECT 0: no random bad nonces;
  # AUTHZREUSE 0: every order is validated again, as a changed name or address must be.
  pid=$(launch "$LAB_STATE/logs/pebble.log" setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env -i PATH="$LAB_PATH" PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
    pebble -config "$d/pebble.json" -dnsserver "127.0.0.1:$LAB_DNS_PORT")
  pid_record acme "$pid"
  wait_for 10 tcp_open "$LAB_HOST_IP" "$LAB_ACME_PORT" || die "pebble did not start; see $LAB_STATE/logs/pebble.log"
}

acme_stop() {
  pid_stop acme TERM 10
  pid_stop dns TERM 10
}
