# Sourced by tests/kernel/l2tp_*.sh: skip outside the lab VM, load the L2TP and
# PPP modules, make two network namespaces joined by a veth pair
# (192.0.2.1/24 in $NS_A, 192.0.2.2/24 in $NS_B), and clean everything up on
# exit. Usage: source l2tp_lib.sh "$@"   ($1 is the l2tpsec-dp executable)
set -uo pipefail

if [[ "${L2TPSEC_LAB:-}" != 1 ]]; then
  echo "SKIP: kernel suite runs only inside the lab VM; run it through tools/test"
  exit 77
fi

DP=${1:?usage: $0 PATH-TO-l2tpsec-dp}
[[ -x "$DP" ]] || { echo "FAIL: $DP is not executable" >&2; exit 1; }
T0=$(date +%s.%N)
WORK=$(mktemp -d /tmp/l2tp-test.XXXXXX)
NS_A=l2a-$$ NS_B=l2b-$$
PIDS=()

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() { awk -v t="$(date +%s.%N)" -v t0="$T0" -v m="$*" 'BEGIN { printf "ok (%5.1fs): %s\n", t - t0, m }'; }

l2tp_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  # Deleting a namespace deletes its L2TP tunnels and sessions too.
  ip netns del "$NS_A" 2>/dev/null
  ip netns del "$NS_B" 2>/dev/null
  rm -rf "$WORK"
}
trap l2tp_cleanup EXIT

# Not for background jobs whose PID matters: a backgrounded function runs in a
# subshell, so $! would not be the command's PID. Write `ip netns exec ... &`.
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# wait_until SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_until() {
  local limit=$1 what=$2 end
  shift 2
  end=$(($(date +%s) + limit))
  until "$@" >/dev/null 2>&1; do
    [[ $(date +%s) -lt $end ]] || fail "timed out after ${limit}s waiting for: $what"
    sleep 0.2
  done
}

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

# expect_error STDERR-TEXT COMMAND...: COMMAND must exit 1 and print exactly
# that one line to stderr.
expect_error() {
  local want=$1 rc
  shift
  "$@" >"$WORK/out" 2>"$WORK/err"
  rc=$?
  [[ $rc -eq 1 ]] || fail "'$*' exited $rc (expected 1); stderr: $(cat "$WORK/err")"
  [[ "$(cat "$WORK/err")" == "$want" ]] || fail "'$*' printed '$(cat "$WORK/err")', expected '$want'"
}

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

for m in l2tp_netlink l2tp_ppp ppp_generic; do
  modprobe "$m" || fail "modprobe $m failed (kernel $(uname -r))"
done

[[ -c /dev/ppp ]] || mknod /dev/ppp c 108 0 || fail "cannot create /dev/ppp"

ip netns add "$NS_A" || fail "ip netns add"
ip netns add "$NS_B" || fail "ip netns add"
ip link add "va$$" netns "$NS_A" type veth peer name "vb$$" netns "$NS_B" || fail "cannot create a veth pair"
ip -n "$NS_A" addr add 192.0.2.1/24 dev "va$$" || fail "cannot address va$$"
ip -n "$NS_B" addr add 192.0.2.2/24 dev "vb$$" || fail "cannot address vb$$"
for n in "$NS_A" "$NS_B"; do ip -n "$n" link set lo up; done
ip -n "$NS_A" link set "va$$" up && ip -n "$NS_B" link set "vb$$" up || fail "cannot bring the veth up"
