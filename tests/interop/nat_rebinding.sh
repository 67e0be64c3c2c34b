#!/bin/bash
# NAT rebinding: strongSwan's charon (IKEv1 PSK, transport mode for udp/1701)
# behind the NAT router (interop_lib.sh's nat_router) with an l2tpsecd LAC
# (ipsec = "off", charon's policies carry its L2TP), the l2tpsecd LNS as
# server; L2TP and PPP up through ESP in UDP. Then the router forgets its
# mappings (conntrack -F) and masquerades to other ports, so the client's
# next packets come from a new outside port. The client pings first: the
# LNS's kernel reports the new port (XFRM_MSG_MAPPING) and l2tpsecd moves its
# SAs' ESP-in-UDP ports there (XFRM_MSG_UPDSA with its wiped keys, which the
# kernel ignores). Checked: the LNS's outbound SA's encap dport and inbound
# SA's encap sport are the new port, one log line says so, pings over PPP
# go through both ways with the ESP counters of both ends rising (so the
# kernel kept the real keys), and l2tpctl sas shows the new port.
#   usage: nat_rebinding.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

command -v conntrack >/dev/null || fail "conntrack is not installed (run tools/setup)"
nat_router
ppp_alice
psk='interop pre-shared key 4711'
secret_file "$WORK/psk" "$psk"
cat >"$WORK/lns.conf" <<EOF
[server]
listen = ["$S_IP", "$S_NAT_IP"]
log_level = "debug"
[ike]
psk_file = "$WORK/psk"
[l2tp]
ipsec = "required"
$PPP_LNS
EOF
cat >"$WORK/lac.conf" <<EOF
[server]
listen = ["$N_IP"]
[l2tp]
ipsec = "off"
$PPP_LAC
[[lac]]
name = "office"
server = "$S_NAT_IP"
user = "alice"
password_file = "$WORK/alice.pass"
EOF
charon_psk_conf "$WORK/swanctl.conf" me="$N_IP" peer="$S_NAT_IP"
start_charon charon "$NS_N" "$WORK/swanctl.conf"
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"

swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate.log" 2>&1 ||
  fail "swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate.log")"
sas=$(ctl lns sas --json) || fail "l2tpctl sas"
jq -e '.isakmp[0].nat_peer == true and (.ipsec | length) == 1 and .ipsec[0].nat_t == true' <<<"$sas" >/dev/null ||
  fail "LNS SAs behind the NAT: $sas"
in_spi=$(jq -r '.ipsec[0].in_spi' <<<"$sas") out_spi=$(jq -r '.ipsec[0].out_spi' <<<"$sas")
old_peer=$(jq -r '.ipsec[0].peer' <<<"$sas")
[[ $old_peer == "$R_IP:"* ]] || fail "the LNS's IPsec SA is not with the NAT router: $old_peer"
old_port=${old_peer##*:}
ok "charon behind the NAT: SA pair in $in_spi out $out_spi, ESP in UDP from $old_peer"

start_l2tpsecd lac "$NS_N" "$WORK/lac.conf"
ctl lac connect office >/dev/null || fail "l2tpctl connect office"
wait_until 120 "PPP up over the protected tunnel" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
esp_ping lns "$NS_S" 10.99.0.10

# sa_encap NS SPI: the "encap ..." line of the SA with this SPI in NS's kernel.
sa_encap() {
  ip -n "$1" xfrm state | awk -v spi="$2" '/^src / { s = 0 } $3 == "spi" && $4 == spi { s = 1 } s && /encap/ { print; exit }'
}
sa_encap "$NS_S" "$out_spi" | grep -q "dport $old_port " || fail "outbound SA before: $(sa_encap "$NS_S" "$out_spi")"

# The router forgets its mappings and masquerades to 30000-39999 from now
# on: the client's next packet gets a new outside port.
ip netns exec "$NS_R" nft -f - <<EOF || fail "cannot change the router's masquerade rule"
flush chain ip nat postrouting
add rule ip nat postrouting oifname "vrs$$" meta l4proto udp masquerade to :30000-39999
add rule ip nat postrouting oifname "vrs$$" masquerade
EOF
ip netns exec "$NS_R" conntrack -F >/dev/null 2>&1 || fail "conntrack -F in the router"
ok "the NAT router forgot its mappings"

lns_in_before=$(ctl lns sas --json | jq '.ipsec[0].in_bytes')
lns_out_before=$(ctl lns sas --json | jq '.ipsec[0].out_bytes')
read -r cli_in_before cli_out_before < <(xfrm_sa_bytes "$NS_N" "$out_spi" "$in_spi" | paste -sd ' ') ||
  fail "no byte counters of charon's SAs"
# The client speaks first; its ESP from the new port makes the LNS's kernel
# raise MAPPING, and the LNS's answers follow once it moved the SAs.
client_ping() { ip netns exec "$NS_N" ping -c 1 -W 2 10.99.0.1; }
wait_until 60 "a ping over PPP from the client after the rebinding" client_ping
moved() { [[ $(ctl lns sas --json | jq -r '.ipsec[0].peer') != "$old_peer" ]]; }
wait_until 30 "l2tpctl sas shows the new port" moved
sas=$(ctl lns sas --json)
new_peer=$(jq -r '.ipsec[0].peer' <<<"$sas") new_port=${new_peer##*:}
[[ $new_peer == "$R_IP:"* ]] && ((new_port >= 30000 && new_port <= 39999)) ||
  fail "the LNS's IPsec SA moved to $new_peer, not to the router's new port"
jq -e --arg p "$new_peer" '.isakmp[0].peer == $p and .ipsec[0].in_spi == "'"$in_spi"'"' <<<"$sas" >/dev/null ||
  fail "l2tpctl sas after the rebinding: $sas"
ok "l2tpctl sas: ISAKMP SA and IPsec SA (the same pair) at $new_peer"

sa_encap "$NS_S" "$out_spi" | grep -q "sport 4500 dport $new_port " ||
  fail "the LNS's outbound SA $out_spi: $(sa_encap "$NS_S" "$out_spi")"
sa_encap "$NS_S" "$in_spi" | grep -q "sport $new_port dport 4500 " ||
  fail "the LNS's inbound SA $in_spi: $(sa_encap "$NS_S" "$in_spi")"
ok "LNS kernel: outbound $out_spi $(sa_encap "$NS_S" "$out_spi" | xargs); inbound $in_spi sport $new_port"

line="peer $old_peer: NAT mapping moved to $new_peer; 1 of 1 IPsec SAs updated"
[[ $(grep -cF "$line" "$WORK/lns.log") == 1 ]] || fail "not one \"$line\" in the LNS's log"
# The kernel's MAPPING event moved it (charon sent no IKE meanwhile): its
# debug line comes first.
event=$(grep -nF -- "-> $new_peer" "$WORK/lns.log" | grep -m1 ' mapping ' | cut -d: -f1)
moved_at=$(grep -nF "$line" "$WORK/lns.log" | cut -d: -f1)
[[ -n $event ]] && ((event < moved_at)) || fail "no XFRM_MSG_MAPPING to $new_peer logged before the move"
ok "LNS log: $line (after the kernel's MAPPING event, $(grep -cF -- "-> $new_peer" "$WORK/lns.log") logged)"

ip netns exec "$NS_N" ping -c 5 -i 0.3 -W 3 -w 30 10.99.0.1 >/dev/null || fail "client -> LNS ping over PPP"
ip netns exec "$NS_S" ping -c 5 -i 0.3 -W 3 -w 30 10.99.0.10 >/dev/null || fail "LNS -> client ping over PPP"
sas=$(ctl lns sas --json)
lns_in=$(jq '.ipsec[0].in_bytes' <<<"$sas") lns_out=$(jq '.ipsec[0].out_bytes' <<<"$sas")
((lns_in > lns_in_before + 10 * 84 && lns_out > lns_out_before + 10 * 84)) ||
  fail "LNS ESP bytes in $lns_in_before -> $lns_in, out $lns_out_before -> $lns_out"
read -r cli_in cli_out < <(xfrm_sa_bytes "$NS_N" "$out_spi" "$in_spi" | paste -sd ' ')
((cli_in > cli_in_before + 10 * 84 && cli_out > cli_out_before + 10 * 84)) ||
  fail "charon's ESP bytes in $cli_in_before -> $cli_in, out $cli_out_before -> $cli_out"
ok "pings over PPP both ways after the rebinding; ESP bytes LNS in $lns_in_before -> $lns_in," \
  "out $lns_out_before -> $lns_out; charon in $cli_in_before -> $cli_in, out $cli_out_before -> $cli_out"
tunnel_up lns || fail "the LNS's L2TP tunnel is down after the rebinding"
echo PASS
