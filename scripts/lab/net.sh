# shellcheck shell=bash
# The lab network: bridge provbr0 (10.231.0.1/24, the "laptop" side), one veth per namespace,
# and the nftables table that keeps the VMs away from the host's other services.

# Anything on this machine other than our bridge that already routes or owns the lab subnet.
subnet_conflicts() {
  {
    ip -o -4 route show table all root "$LAB_SUBNET"
    ip -o -4 route show table all match "$LAB_SUBNET" | grep -v '^default ' || true
    ip -o -4 addr show to "$LAB_SUBNET" | awk '{print "address", $4, "dev", $2}'
  } | grep -v " dev $LAB_BRIDGE\b" | sort -u || true
}

bridge_up() {
  local conflicts
  conflicts=$(subnet_conflicts)
  [[ -z $conflicts ]] || die "refusing to start: $LAB_SUBNET is already in use on this machine by something other than $LAB_BRIDGE: $(echo "$conflicts" | head -3 | tr '\n' ';')"
  ip link show "$LAB_BRIDGE" &>/dev/null || ip link add "$LAB_BRIDGE" type bridge
  sysctl -qw "net.ipv6.conf.$LAB_BRIDGE.disable_ipv6=1"
  ip addr replace "$LAB_HOST_IP/24" dev "$LAB_BRIDGE"
  ip link set "$LAB_BRIDGE" up
  nft_up
}

# Root namespace: from the bridge, only the apt proxy, the pip index and the ACME directory are reachable (plus replies to
# connections the host opened, e.g. ssh to a VM); nothing is forwarded to or from the bridge.
# br_netfilter (loaded on these machines) shows VM<->DB traffic to the forward hook as provbr0->provbr0.
nft_up() {
  nft -f - <<EOF
table inet prov
delete table inet prov
table inet prov {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "$LAB_BRIDGE" ct state established,related accept
    iifname "$LAB_BRIDGE" ip daddr $LAB_HOST_IP tcp dport { $LAB_APT_PORT, $LAB_PIP_PORT, $LAB_ACME_PORT } accept
    iifname "$LAB_BRIDGE" icmp type echo-request accept
    iifname "$LAB_BRIDGE" drop
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "$LAB_BRIDGE" oifname "$LAB_BRIDGE" accept
    iifname "$LAB_BRIDGE" drop
    oifname "$LAB_BRIDGE" drop
  }
}
EOF
}

bridge_down() {
  nft delete table inet prov 2>/dev/null || true
  ip link del "$LAB_BRIDGE" 2>/dev/null || true
}

# Read whole, not piped into grep -q: with a second address on the bridge, grep quitting at the first line made
# `ip` die of SIGPIPE, and pipefail turned a bridge that is up into "the lab is down".
bridge_is_up() { [[ $(ip -o -4 addr show dev "$LAB_BRIDGE" 2>/dev/null) == *" $LAB_HOST_IP/24 "* ]]; }

# ns_up NS VETH IP: a fresh network namespace whose eth0 (IP/24) is plugged into the bridge.
# No default route: the namespace reaches 10.231.0.0/24 and nothing else.
# eth0's MAC address derives from its IP, so the ARP caches of the host and of the other namespaces
# stay right when a VM restarts (a new random MAC made connections hang until the old entry expired).
ns_up() {
  local ns=$1 veth=$2 ip=$3
  ns_down "$ns" "$veth"
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns" address "$(printf '02:70:72:00:00:%02x' "${ip##*.}")"
  sysctl -qw "net.ipv6.conf.$veth.disable_ipv6=1"
  ip link set "$veth" master "$LAB_BRIDGE" up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
}

# Deleting a namespace removes its end of the veth pair, and the kernel then removes our end
# asynchronously: `ip link del` may find it gone, and a new veth of the same name must wait for it.
ns_down() {
  local ns=$1 veth=$2
  if [[ -e /run/netns/$ns ]]; then ip netns del "$ns"; fi
  ip link del "$veth" 2>/dev/null || true
  wait_for 5 link_absent "$veth" || die "the lab's link $veth did not go away; remove it with: ip link del $veth"
}

link_absent() { ! ip link show "$1" &>/dev/null; }
