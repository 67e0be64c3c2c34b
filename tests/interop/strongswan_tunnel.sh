#!/bin/bash
# Tunnel-mode ESP around the L2TP flow, with strongSwan (charon via swanctl,
# IKEv1, PSK, mode = tunnel, traffic selectors the two host addresses with
# udp/1701), in both directions:
#   1. charon in the client namespace initiates to the l2tpsecd LNS with
#      [ike] tunnel_mode = "accept"; an l2tpsecd LAC with ipsec = "off" sends
#      its L2TP under charon's policies; then the same from behind a
#      masquerading NAT router (UDP-Tunnel, ESP in UDP; the inner flow is
#      the client's own address);
#   2. an l2tpsecd LAC with [[lac]] mode = "tunnel" initiates to charon in the
#      server namespace, in front of an l2tpsecd LNS with ipsec = "off".
# Checked each time: both kernels hold the SA pair in tunnel mode and the
# policies with tunnel templates between the IKE endpoints, l2tpctl sas says
# "tunnel", the L2TP tunnel (and in 1, PPP) comes up through it with the ESP
# counters rising, and a delete removes both ends' SAs and policies.
# Before 1, the same LNS with tunnel_mode = "refuse" turns charon away with
# NO-PROPOSAL-CHOSEN and a log line that says why.
#   usage: strongswan_tunnel.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

command -v nft >/dev/null || fail "nft is not installed (run tools/setup)"
export SWANCTL_LOAD="pem pkcs1 x509 pubkey"
nat_router
# Tunnel mode routes the inner packet first: the LNS's answers to a client
# behind the NAT go to its private address, which a server reaches by its
# default route (here the NAT router's public side); the policy then
# takes them into the tunnel.
ip -n "$NS_S" route add default via "$R_IP" || fail "no default route on the server"
psk='interop tunnel psk 4711'
secret_file "$WORK/psk" "$psk"
ppp_alice

# lns_conf FILE IPSEC [TUNNEL_MODE]: the l2tpsecd LNS on both server addresses.
lns_conf() {
  {
    printf '[server]\nlisten = ["%s", "%s"]\n' "$S_IP" "$S_NAT_IP"
    [[ $# -ge 3 ]] && printf '[ike]\npsk_file = "%s"\ntunnel_mode = "%s"\n' "$WORK/psk" "$3"
    printf '[l2tp]\nipsec = "%s"\n%s\n' "$2" "$PPP_LNS"
  } >"$1"
}
# lac_conf FILE IPSEC [LOCAL SERVER]: the l2tpsecd LAC on LOCAL ($C_IP),
# profile "office" to SERVER ($S_IP), in tunnel mode when it does IPsec itself.
lac_conf() {
  local local=${3:-$C_IP} server=${4:-$S_IP}
  {
    printf '[server]\nlisten = ["%s"]\n' "$local"
    printf '[l2tp]\nipsec = "%s"\n%s\n' "$2" "$PPP_LAC"
    printf '[[lac]]\nname = "office"\nserver = "%s"\nuser = "alice"\n' "$server"
    printf 'password_file = "%s"\n' "$WORK/alice.pass"
    [[ $2 != off ]] && printf 'psk_file = "%s"\nmode = "tunnel"\n' "$WORK/psk"
  } >"$1"
}

# kernel_tunnel_ok NS LOCAL PEER SPI...: NS holds the SAs with these SPIs, in
# tunnel mode, and an out and an in policy for the L2TP flow whose templates
# are tunnels between LOCAL and PEER.
kernel_tunnel_ok() {
  local ns=$1 local=$2 peer=$3 spi states policies
  shift 3
  states=$(ip -n "$ns" xfrm state) policies=$(ip -n "$ns" xfrm policy)
  for spi in "$@"; do
    grep -q "spi $spi reqid [0-9]* mode tunnel" <<<"$states" || return 1
  done
  awk -v l="$local" -v p="$peer" '
    $1 == "dir" { dir = $2 }
    $1 == "tmpl" { if ($3 == (dir == "out" ? l : p) && $5 == (dir == "out" ? p : l)) t[dir] = 1 }
    /mode tunnel/ { if (dir in t) m[dir] = 1 }
    END { exit !(("out" in m) && ("in" in m)) }' <<<"$policies"
}
# The kernels' IPsec state before any case, which each must leave behind.
declare -A BASE=()
for ns in "$NS_S" "$NS_C" "$NS_N"; do BASE[$ns]="$(xfrm_count "$ns" state) $(xfrm_count "$ns" policy)"; done
at_baseline() { [[ "$(xfrm_count "$1" state) $(xfrm_count "$1" policy)" == "${BASE[$1]}" ]]; }
sa_bytes() { ctl "$1" sas --json | jq -r '.ipsec[0] | "\(.in_bytes) \(.out_bytes)"'; }

# ---- 0. refused: tunnel_mode = "refuse" ---------------------------------------

charon_psk_conf "$WORK/swan-cli.conf" mode=tunnel me="$C_IP" peer="$S_IP"
start_charon charon "$NS_C" "$WORK/swan-cli.conf"
lns_conf "$WORK/lns-refuse.conf" required refuse
start_l2tpsecd lns "$NS_S" "$WORK/lns-refuse.conf"
swan charon --initiate --child l2tp --timeout 30 >"$WORK/swanctl-refused.log" 2>&1 &&
  fail "charon got a tunnel-mode SA from an LNS with tunnel_mode = refuse"
grep -q "peer $C_IP:500: no proposal chosen (Quick Mode): tunnel mode offered, \[ike\] tunnel_mode is refuse" \
  "$WORK/lns.log" || fail "no log line for the refused tunnel mode"
grep -q "NO_PROPOSAL_CHOSEN" "$WORK/charon.log" || fail "charon did not get NO-PROPOSAL-CHOSEN"
ctl lns sas --json | jq -e '(.ipsec | length) == 0' >/dev/null || fail "the LNS installed something"
swan charon --terminate --ike l2tp >/dev/null 2>&1
stop_l2tpsecd lns
stop_charon charon
ok "tunnel_mode = refuse: NO-PROPOSAL-CHOSEN to charon, and the log says why"

# ---- 1. charon initiates in tunnel mode, l2tpsecd accepts ------------------------

# charon_initiates NS LOCAL SERVER OUTER NAT: charon in NS (its address LOCAL,
# OUTER as the LNS sees it) initiates to the LNS on SERVER, with NAT-T (ESP
# in UDP) when NAT is true; an l2tpsecd LAC with ipsec = "off" in NS dials
# the LNS through the SA; charon deletes it.
charon_initiates() {
  local ns=$1 local=$2 server=$3 outer=$4 nat=$5 sas in_spi out_spi before after out_after peer
  charon_psk_conf "$WORK/swan-$ns.conf" mode=tunnel me="$local" peer="$server"
  start_charon "charon-$ns" "$ns" "$WORK/swan-$ns.conf"
  swan "charon-$ns" --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate-$ns.log" 2>&1 ||
    fail "swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate-$ns.log")"
  sas=$(ctl lns sas --json) || fail "l2tpctl sas"
  jq -e --argjson nat "$nat" '(.isakmp | length) == 1 and .isakmp[0].role == "responder"
         and (.ipsec | length) == 1 and .ipsec[0].mode == "tunnel" and .ipsec[0].suite == "aes256-sha1"
         and .ipsec[0].nat_t == $nat and .ipsec[0].nat_oa == null' <<<"$sas" >/dev/null || fail "LNS SAs: $sas"
  in_spi=$(jq -r '.ipsec[0].in_spi' <<<"$sas") out_spi=$(jq -r '.ipsec[0].out_spi' <<<"$sas")
  kernel_tunnel_ok "$NS_S" "$server" "$outer" "$in_spi" "$out_spi" ||
    fail "LNS kernel: not the tunnel-mode pair: $(ip -n "$NS_S" xfrm state; ip -n "$NS_S" xfrm policy)"
  kernel_tunnel_ok "$ns" "$local" "$server" "$in_spi" "$out_spi" ||
    fail "client kernel (charon): not the tunnel-mode pair: $(ip -n "$ns" xfrm state; ip -n "$ns" xfrm policy)"
  # (Here-strings, not pipes: grep -q may leave early, and pipefail would
  # count the writer's SIGPIPE.)
  if [[ $nat == true ]]; then
    [[ $(grep -c "encap type espinudp" <<<"$(ip -n "$NS_S" xfrm state)") == 2 ]] ||
      fail "not both SAs ESP in UDP in the LNS kernel: $(ip -n "$NS_S" xfrm state)"
    grep -q "^src $server/32 dst $local/32 proto udp sport 1701 dport 1701" <<<"$(ip -n "$NS_S" xfrm policy)" ||
      fail "the LNS's out policy is not the inner flow to $local: $(ip -n "$NS_S" xfrm policy)"
  fi
  grep -q "TUNNEL" <<<"$(swan "charon-$ns" --list-sas)" || fail "charon's child is not in tunnel mode"
  grep -q " tunnel " <<<"$(ctl lns sas)" || fail "l2tpctl sas shows no tunnel mode: $(ctl lns sas)"
  ok "charon -> l2tpsecd$([[ $nat == true ]] && echo ' behind a NAT'): tunnel-mode SA pair in $in_spi" \
     "out $out_spi in both kernels, inner $local, outer $outer <-> $server"

  lac_conf "$WORK/lac-$ns.conf" off "$local" "$server"
  start_l2tpsecd "lac-$ns" "$ns" "$WORK/lac-$ns.conf"
  ctl "lac-$ns" connect office >/dev/null || fail "l2tpctl connect office"
  wait_until 120 "PPP up over the tunnel-mode SA" ppp_lns_up
  peer=$(ip -n "$NS_S" -4 -o addr show | grep -o "inet 10.99.0.1 peer 10.99.0.1[0-9]" | awk 'END { print $4 }')
  read -r before _ <<<"$(sa_bytes lns)"
  [[ $before =~ ^[0-9]+$ ]] || fail "l2tpctl sas gives no inbound byte counter: $before"
  ip netns exec "$NS_S" ping -c 5 -i 0.3 -W 3 -w 30 "$peer" >/dev/null || fail "no ping reply over PPP"
  read -r after out_after <<<"$(sa_bytes lns)"
  ((after > before + 5 * 84 && out_after > 0)) || fail "ESP bytes went from $before to $after (out $out_after) only"
  ok "L2TP and PPP through tunnel-mode ESP: the LNS's inbound SA counted $before -> $after bytes"

  ctl "lac-$ns" disconnect office >/dev/null
  wait_until 30 "the LAC's tunnel closed" no_tunnel "lac-$ns"
  swan "charon-$ns" --terminate --ike l2tp >"$WORK/swanctl-terminate-$ns.log" 2>&1 || fail "swanctl --terminate"
  wait_until 30 "the LNS drops its SAs after strongSwan's delete" no_ike_sas lns
  wait_until 30 "the LNS kernel's SAs and policies removed" at_baseline "$NS_S"
  wait_until 30 "the client kernel's SAs and policies removed" at_baseline "$ns"
  ok "charon's delete removed both ends' tunnel-mode SAs and policies"
  stop_l2tpsecd "lac-$ns"
  stop_charon "charon-$ns"
}
ppp_lns_up() { grep -q "inet 10.99.0.1 peer 10.99.0.1[0-9]/32" <<<"$(ip -n "$NS_S" -4 -o addr show)"; }

lns_conf "$WORK/lns.conf" required accept
mv "$WORK/lns.log" "$WORK/lns-refuse.log"
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
charon_initiates "$NS_C" "$C_IP" "$S_IP" "$C_IP" false
charon_initiates "$NS_N" "$N_IP" "$S_NAT_IP" "$R_IP" true
stop_l2tpsecd lns

# ---- 2. l2tpsecd initiates in tunnel mode, charon responds ---------------------

lns_conf "$WORK/lns2.conf" off
start_l2tpsecd lns2 "$NS_S" "$WORK/lns2.conf"
charon_psk_conf "$WORK/swan-srv.conf" mode=tunnel me="$S_IP" peer="$C_IP"
start_charon swan-srv "$NS_S" "$WORK/swan-srv.conf"
lac_conf "$WORK/lac.conf" required
start_l2tpsecd lac2 "$NS_C" "$WORK/lac.conf"
ctl lac2 connect office >/dev/null || fail "l2tpctl connect office"
wait_until 60 "the LAC's tunnel-mode SA pair" child_up lac2
sas=$(ctl lac2 sas --json) || fail "l2tpctl sas"
jq -e '(.isakmp | length) == 1 and .isakmp[0].role == "initiator" and (.ipsec | length) == 1
       and .ipsec[0].mode == "tunnel" and .ipsec[0].suite == "aes256-sha1"' <<<"$sas" >/dev/null ||
  fail "LAC SAs: $sas"
in_spi=$(jq -r '.ipsec[0].in_spi' <<<"$sas") out_spi=$(jq -r '.ipsec[0].out_spi' <<<"$sas")
kernel_tunnel_ok "$NS_C" "$C_IP" "$S_IP" "$in_spi" "$out_spi" ||
  fail "LAC kernel: not the tunnel-mode pair: $(ip -n "$NS_C" xfrm state; ip -n "$NS_C" xfrm policy)"
kernel_tunnel_ok "$NS_S" "$S_IP" "$C_IP" "$in_spi" "$out_spi" ||
  fail "charon's kernel: not the tunnel-mode pair: $(ip -n "$NS_S" xfrm state; ip -n "$NS_S" xfrm policy)"
grep -q "TUNNEL" <<<"$(swan swan-srv --list-sas)" || fail "charon's child is not in tunnel mode"
ok "l2tpsecd -> charon: tunnel-mode SA pair in $in_spi out $out_spi in both kernels"

wait_until 60 "the LAC's L2TP tunnel through the tunnel-mode SA" tunnel_up lac2
wait_until 60 "PPP up behind charon" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
read -r in_b out_b <<<"$(sa_bytes lac2)"
((in_b > 0 && out_b > 0)) || fail "the LAC's ESP counters did not rise: in $in_b out $out_b"
ok "L2TP and PPP through tunnel-mode ESP to charon (LAC bytes in $in_b, out $out_b)"

ctl lac2 disconnect office >/dev/null
wait_until 30 "the LAC's tunnel closed" no_tunnel lac2
stop_l2tpsecd lac2
wait_until 30 "charon drops its SAs after l2tpsecd's delete" charon_no_sas swan-srv
wait_until 30 "charon's kernel SAs and policies removed" at_baseline "$NS_S"
wait_until 30 "the LAC kernel's SAs and policies removed" at_baseline "$NS_C"
ok "l2tpsecd's delete removed both ends' tunnel-mode SAs and policies"
echo PASS
