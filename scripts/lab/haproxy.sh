# shellcheck shell=bash
# The lab's load balancer: Debian's HAProxy on the bridge address, in front of lab VMs, configured to behave as an
# Azure Standard Load Balancer does (docs/fleet.md, "Rolling restarts"):
#   - L4 (mode tcp): a client's TCP connection goes to one VM, bytes are passed as they are;
#   - a health probe, HTTP GET /health every INTERVAL seconds, down after FALL failures, up after RISE successes;
#   - no retry and no redispatch: a refused connection is the client's (Azure's LB does not retry one);
#   - the probes come from their own address, LAB_LB_PROBE_IP (Azure's come from 168.63.129.16), while the data
#     keeps this host's address: a backend `probe` runs the checks from that source, and each data server
#     tracks its probe server (`track probe/vmK`).
#
#   lab lb up --vms 15,16,17 [--port 18080] [--interval 5 --fall 2 --rise 2]   (re)writes the config, (re)starts
#   lab lb down                                                                stops it, removes the probe address
# Its state, per server (UP/DOWN), is on http://127.0.0.1:LAB_LB_STATS_PORT/;csv (HAProxy's stats page).

LAB_LB_PROBE_IP=$LAB_NET.9 # the lab's 168.63.129.16: no VM has it (VMs are .11 and up)
LAB_LB_STATS_PORT=18404
LAB_LB_DEFAULT_PORT=18080
LAB_MLFLOW_PORT=5000

lb_dir() { echo "$LAB_STATE/lb"; }

# lb_config PORT INTERVAL FALL RISE K...: the HAProxy configuration for VMs K... on their MLflow port.
lb_config() {
  local port=$1 interval=$2 fall=$3 rise=$4 k
  shift 4
  cat <<EOF
# written by scripts/lab/haproxy.sh (lab lb up): an Azure-like L4 load balancer
global
  maxconn 4096

defaults
  mode tcp
  # Also a check's connect timeout (min(timeout connect, inter)): a probe that gets no SYN-ACK fails after 1 s,
  # as an Azure probe fails at its timeout (not longer than its interval).
  timeout connect 1s
  timeout client 120s
  timeout server 120s
  timeout check 2s
  # Azure's LB neither retries a refused connection nor sends it to another VM.
  retries 0
  no option redispatch

frontend lb
  bind $LAB_HOST_IP:$port
  default_backend fleet

backend fleet
  balance roundrobin
EOF
  for k in "$@"; do
    echo "  server vm$k $(vm_ip "$k"):$LAB_MLFLOW_PORT track probe/vm$k source $LAB_HOST_IP"
  done
  cat <<EOF

# The probes, from their own source address (as Azure's come from 168.63.129.16).
backend probe
  option httpchk
  http-check send meth GET uri /health ver HTTP/1.1 hdr Host lb-probe
  http-check expect status 200
  default-server inter ${interval}s fastinter ${interval}s downinter ${interval}s fall $fall rise $rise source $LAB_LB_PROBE_IP
EOF
  for k in "$@"; do
    echo "  server vm$k $(vm_ip "$k"):$LAB_MLFLOW_PORT check"
  done
  cat <<EOF

listen stats
  mode http
  bind 127.0.0.1:$LAB_LB_STATS_PORT
  timeout client 10s
  stats enable
  stats uri /
EOF
}

# lab lb up --vms K,K,... [--port P] [--interval S --fall N --rise N]
lb_up() {
  local vms='' port=$LAB_LB_DEFAULT_PORT interval=5 fall=2 rise=2 k list=()
  while (($#)); do
    case $1 in
      --vms) vms=${2:-}; shift 2 || die2 "--vms needs a value" ;;
      --port) port=${2:-}; shift 2 || die2 "--port needs a value" ;;
      --interval) interval=${2:-}; shift 2 || die2 "--interval needs a value" ;;
      --fall) fall=${2:-}; shift 2 || die2 "--fall needs a value" ;;
      --rise) rise=${2:-}; shift 2 || die2 "--rise needs a value" ;;
      *) die2 "lb up --vms K,K,... [--port P] [--interval S --fall N --rise N]" ;;
    esac
  done
  [[ $vms =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die2 "lb up: --vms takes VM numbers, e.g. --vms 15,16,17"
  for v in port interval fall rise; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die2 "lb up: --$v takes a positive whole number"
  done
  ((port > 1024 && port < 65536)) || die2 "lb up: --port is 1025..65535"
  IFS=, read -ra list <<<"$vms"
  for k in "${list[@]}"; do ((k <= LAB_MAX_VMS)) || die2 "the lab supports vm1..vm$LAB_MAX_VMS"; done
  command -v haproxy >/dev/null || die2 "missing tool: haproxy (install it with: bash scripts/lab-deps.sh)"
  bridge_is_up || die "the lab is down: run 'up' first"
  lb_stop
  install -d -m 0755 "$(lb_dir)"
  lb_config "$port" "$interval" "$fall" "$rise" "${list[@]}" >"$(lb_dir)/haproxy.cfg"
  haproxy -c -q -f "$(lb_dir)/haproxy.cfg" || die "the load balancer's configuration is refused; see $(lb_dir)/haproxy.cfg"
  ip addr replace "$LAB_LB_PROBE_IP/32" dev "$LAB_BRIDGE"
  tcp_open "$LAB_HOST_IP" "$port" && die "port $LAB_HOST_IP:$port is taken by a process the lab did not start"
  local pid
  pid=$(launch "$LAB_STATE/logs/haproxy.log" \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env -i PATH="$LAB_PATH" haproxy -db -f "$(lb_dir)/haproxy.cfg")
  pid_record lb "$pid"
  echo "$port" >"$(lb_dir)/port"
  wait_for 10 tcp_open "$LAB_HOST_IP" "$port" ||
    die "the load balancer did not listen on $LAB_HOST_IP:$port; see $LAB_STATE/logs/haproxy.log"
  say "load balancer on $LAB_HOST_IP:$port -> vm${vms//,/, vm} (probe GET /health from $LAB_LB_PROBE_IP every ${interval}s, fall $fall, rise $rise); state: http://127.0.0.1:$LAB_LB_STATS_PORT/"
}

lb_stop() {
  pid_stop lb TERM 10
  ip addr del "$LAB_LB_PROBE_IP/32" dev "$LAB_BRIDGE" 2>/dev/null || true
}

# The `lab status` line.
lb_status_line() {
  local port=$LAB_LB_DEFAULT_PORT
  [[ -f $(lb_dir)/port ]] && port=$(cat "$(lb_dir)/port")
  svc_line lb "$LAB_HOST_IP:$port" lb
}

cmd_lb() {
  local sub=${1:-}
  (($#)) && shift
  case $sub in
    up) lab_lock && lb_up "$@" ;;
    down) lab_lock && lb_stop && say "load balancer stopped" ;;
    *) die2 "lb up --vms K,K,... [--port P] [--interval S --fall N --rise N] | lb down" ;;
  esac
}
