#!/bin/bash
# l2tpsecd (LAC) <-> l2tpsecd (LNS) with the kernel's L2TP and pppd, no IPsec:
# 5 [[lac]] profiles to the same server, each connected and given 3 more calls
# with `l2tpctl call`, make 5 tunnels (the 2nd to 5th from ephemeral ports)
# with 4 sessions each. Checked: all 20 PPP links come up (ppp interfaces,
# pppd processes and established sessions on both ends), the kernel on each
# side holds 5 tunnels and 20 sessions, the 20 pool addresses are distinct,
# and after `l2tpctl disconnect` of every profile no tunnel, session, pppd or
# ppp interface is left on either side. Prints how long setup and teardown took.
#   usage: l2tpsecd_many.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

tunnels=5 per_tunnel=4
total=$((tunnels * per_tunnel))
ppp_alice
write_lns_conf "$WORK/lns.conf" pool=10.99.0.10-10.99.0.59
{
  printf '[server]\nlisten = ["%s"]\n[l2tp]\nipsec = "off"\n' "$C_IP"
  printf '%s\n' "$PPP_LAC"
  for ((i = 1; i <= tunnels; i++)); do
    printf '[[lac]]\nname = "p%d"\nserver = "%s"\nuser = "alice"\npassword_file = "%s"\n' \
      "$i" "$S_IP" "$WORK/alice.pass"
  done
} >"$WORK/lac.conf"
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
start_l2tpsecd lac "$NS_C" "$WORK/lac.conf"
ok "two l2tpsecd: LNS on $S_IP, LAC on $C_IP with profiles p1..p$tunnels"

established() { ctl "$1" sessions --json | jq '[.sessions[] | select(.state == "established")] | length'; }
all_tunnels_up() {
  [[ $(ctl lac tunnels --json | jq '[.tunnels[] | select(.state == "established")] | length') == "$tunnels" ]]
}
# ctl_all COMMAND ARG...: `l2tpctl COMMAND ARG` for every ARG at once (each
# l2tpctl takes seconds to start in the emulated VM); fails if one does.
ctl_all() {
  local cmd=$1 a pids=() args=()
  shift
  for a in "$@"; do
    ctl lac "$cmd" "$a" >/dev/null &
    pids+=($!) args+=("$a")
  done
  for a in "${!pids[@]}"; do
    wait "${pids[$a]}" || fail "l2tpctl $cmd ${args[$a]}"
  done
}
profiles=()
for ((i = 1; i <= tunnels; i++)); do profiles+=("p$i"); done
t_start=$(date +%s.%N)
ctl_all connect "${profiles[@]}"
wait_until 120 "$tunnels LAC tunnels established" all_tunnels_up
for ((c = 1; c < per_tunnel; c++)); do
  ctl_all call "${profiles[@]}"
done
all_up() {
  [[ $(ppp_count "$NS_C") == "$total" && $(ppp_count "$NS_S") == "$total" ]] &&
    [[ $(ip -n "$NS_C" -4 -o addr show type ppp | grep -c ' peer 10.99.0.1/32') == "$total" ]]
}
wait_until 600 "$total ppp interfaces up with addresses on both sides" all_up
t_up=$(date +%s.%N)
ok "$total PPP links up in $(awk -v a="$t_start" -v b="$t_up" 'BEGIN { printf "%.1f", b - a }')s"

[[ $(established lns) == "$total" ]] || fail "LNS has $(established lns) established sessions, not $total"
[[ $(established lac) == "$total" ]] || fail "LAC has $(established lac) established sessions, not $total"
[[ $(pppd_count "$NS_S") == "$total" ]] || fail "LNS namespace has $(pppd_count "$NS_S") pppd, not $total"
[[ $(pppd_count "$NS_C") == "$total" ]] || fail "LAC namespace has $(pppd_count "$NS_C") pppd, not $total"
for ns in "$NS_S" "$NS_C"; do
  [[ $(kernel_tunnels "$ns") == "$tunnels" ]] || fail "kernel in $ns has $(kernel_tunnels "$ns") tunnels"
  [[ $(kernel_sessions "$ns") == "$total" ]] || fail "kernel in $ns has $(kernel_sessions "$ns") sessions"
done
# Every session's kernel counters (above a few sessions `sessions` reads
# them with one dump): PPP's negotiation went through each.
sj=$(ctl lns sessions --json)
jq -e --argjson n "$total" '[.sessions[] | select((.rx_bytes // 0) > 0 and (.tx_bytes // 0) > 0)] | length == $n' \
  <<<"$sj" >/dev/null || fail "not every LNS session shows its kernel counters: $sj"
tj=$(ctl lac tunnels --json)
jq -e --argjson n "$per_tunnel" '[.tunnels[] | .sessions == $n] | all' <<<"$tj" >/dev/null ||
  fail "not $per_tunnel sessions in every LAC tunnel: $tj"
# One tunnel from port 1701, the others from distinct ephemeral ports.
ports=$(ctl lns tunnels --json | jq -r '.tunnels[].peer' | sort -u | wc -l)
[[ $ports == "$tunnels" ]] || fail "the LNS sees $ports distinct peer address:port, not $tunnels"
addrs=$(ctl lns sessions --json | jq -r '.sessions[].address' | sort -u | grep -c '^10\.99\.0\.')
[[ $addrs == "$total" ]] || fail "$addrs distinct pool addresses, not $total"
ok "both ends: $tunnels tunnels, $total sessions (l2tpctl, kernel, pppd, ppp interfaces), distinct addresses"
ip netns exec "$NS_S" ping -c 2 -i 0.3 -W 3 -w 20 "$(ctl lns sessions --json | jq -r '.sessions[-1].address')" \
  >/dev/null || fail "no ping reply over the last session"
ok "ping over one of the links"

t_down0=$(date +%s.%N)
ctl_all disconnect "${profiles[@]}"
# Polled with ip and /proc only (l2tpctl and jq are slow in the emulated VM).
nothing_left() {
  local ns
  for ns in "$NS_S" "$NS_C"; do
    [[ $(pppd_count "$ns") == 0 && $(kernel_sessions "$ns") == 0 && $(kernel_tunnels "$ns") == 0 ]] || return 1
  done
}
wait_until 120 "no kernel tunnel or session and no pppd left on either side" nothing_left
t_down=$(awk -v a="$t_down0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
[[ $(ppp_count "$NS_S") == 0 && $(ppp_count "$NS_C") == 0 ]] || fail "ppp interfaces left"
# (The LNS keeps a tunnel cleared by the peer's StopCCN in "closing" for a
# while, to acknowledge retransmissions: RFC 2661 §5.7.)
[[ $(ctl lns tunnels --json | jq '[.tunnels[] | select(.state != "closing")] | length') == 0 ]] ||
  fail "the LNS still lists open tunnels"
[[ $(ctl lns sessions --json | jq '.sessions | length') == 0 ]] || fail "the LNS still lists sessions"
[[ $(ctl lac tunnels --json | jq '.tunnels | length') == 0 ]] || fail "the LAC still lists tunnels"
ok "all disconnected in ${t_down}s: no tunnel, session, pppd or ppp interface left"
echo PASS
