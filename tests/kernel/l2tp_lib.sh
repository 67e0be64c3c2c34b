# Sourced by tests/kernel/l2tp_*.sh (and l2tp_over_esp.sh): lab_lib.sh (skip
# outside the lab VM, ok/fail, $WORK, PIDS, cleanup on exit), then the L2TP and
# PPP modules, /dev/ppp, two network namespaces joined by a veth pair
# (192.0.2.1/24 in $NS_A, 192.0.2.2/24 in $NS_B) if not made yet, and the
# L2TP/PPP helpers below. Usage: source l2tp_lib.sh "$@"   ($1 is the l2tpsec-dp executable)
source "$(dirname "${BASH_SOURCE[0]}")/lab_lib.sh"
lab_dp "${1:-}"

# no_tunnels NS [ID]: NS lists no tunnel (or not tunnel ID). The kernel removes
# a deleted tunnel from its list in a workqueue after acknowledging the delete,
# so a check right after a delete must wait for this.
no_tunnels() {
  if [[ -n "${2:-}" ]]; then
    ! ip -n "$1" l2tp show tunnel | grep -q "^Tunnel $2,"
  else
    [[ -z "$(ip -n "$1" l2tp show tunnel)" ]]
  fi
}

# exited PID: the process is gone or a zombie (our child, not yet reaped).
exited() { [[ ! -r /proc/$1/stat || "$(cut -d' ' -f3 "/proc/$1/stat")" == Z ]]; }

# start_pppd NS NAME LOCAL-IP REMOTE-IP DP-PPP-ARGS...: pppd on a PPPoL2TP
# socket opened by `l2tpsec-dp ppp`, interface ppp-NAME, log in $WORK/pppd-NAME.*;
# its PID (l2tpsec-dp execs pppd, ip netns exec execs l2tpsec-dp) in PPPD_PID.
start_pppd() {
  local ns=$1 name=$2 lip=$3 rip=$4
  shift 4
  cat >"$WORK/options-$name" <<EOF
noauth
$lip:$rip
ifname ppp-$name
nodefaultroute
noccp
mtu 1400
mru 1400
lcp-echo-interval 0
debug
logfile $WORK/pppd-$name.log
EOF
  ip netns exec "$ns" "$DP" ppp "$@" -- file "$WORK/options-$name" >"$WORK/pppd-$name.out" 2>&1 &
  PPPD_PID=$!
  PIDS+=("$PPPD_PID")
}

ppp_up() { ip -n "$1" -4 addr show dev "ppp-$2" 2>/dev/null | grep -q "inet $3 peer $4"; }

# wait_ppp_up NS NAME LOCAL-IP REMOTE-IP: bounded wait, pppd's logs on failure.
wait_ppp_up() {
  if ! (wait_until 60 "ppp-$2 up in $1" ppp_up "$@"); then
    tail -n 30 "$WORK"/pppd-*.out "$WORK"/pppd-*.log 2>/dev/null >&2
    fail "ppp-$2 did not come up"
  fi
}

# session_stats NS -> "tx_packets rx_packets tx_bytes rx_bytes" of the only
# session, as l2tpsec-dp (NetlinkL2tpDataplane) reads them.
session_stats() {
  ip netns exec "$1" "$DP" l2tp show --json | python3 -c '
import json, sys
[t] = json.load(sys.stdin)["tunnels"]
[s] = t["sessions"]
st = s["stats"]
print(st["tx_packets"], st["rx_packets"], st["tx_bytes"], st["rx_bytes"])'
}

lab_modules l2tp_netlink l2tp_ppp ppp_generic
[[ -c /dev/ppp ]] || mknod /dev/ppp c 108 0 || fail "cannot create /dev/ppp"
lab_netns l2
