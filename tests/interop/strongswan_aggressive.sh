#!/bin/bash
# IKEv1 Aggressive Mode with a pre-shared key between strongSwan (charon via
# swanctl, aggressive = yes) and l2tpsecd, with the kernel's XFRM, L2TP and
# pppd:
#   (A) charon (client namespace, with an l2tpsecd LAC at ipsec = "off" whose
#       L2TP its policies carry) initiates Aggressive Mode to the l2tpsecd LNS
#       with [ike] aggressive_mode = true: the SA pair in both kernels,
#       l2tpctl sas says "aggressive", the LNS logs its warning, an L2TP tunnel
#       and PPP come up through the SAs and the LNS's ESP counters rise; a
#       delete from charon removes the LNS's SAs.
#   (B) the same with aggressive_mode off: charon gets no SA, the LNS logs
#       one refusal naming charon and holds no SA.
#   (C) an l2tpsecd LAC ([[lac]] aggressive_mode) initiates Aggressive Mode to
#       charon (which answers it only with its
#       i_dont_care_about_security_and_use_aggressive_mode_psk), with an
#       l2tpsecd LNS at ipsec = "off" behind charon: SAs in both kernels,
#       the tunnel up through them, all four ESP counters rise, and the
#       LAC's delete at stop removes charon's SAs.
#   (D) as (A) with charon and the LAC behind the NAT router (nft masquerade):
#       the LNS finds the key by charon's private ID, both ends detect the NAT
#       from Aggressive Mode's NAT-D, IKE floats to 4500 for AM3, the SA pair
#       is ESP in UDP in both kernels, PPP comes up through it, and charon's
#       delete clears both ends.
#   usage: strongswan_aggressive.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

psk='interop aggressive psk 4711'
secret_file "$WORK/psk" "$psk"
ppp_alice

# lns_conf FILE AGGRESSIVE: the LNS on $S_IP, IPsec required.
lns_conf() {
  cat >"$1" <<EOF
[server]
listen = ["$S_IP"]
[ike]
psk_file = "$WORK/psk"
aggressive_mode = $2
[l2tp]
ipsec = "required"
$PPP_LNS
EOF
}

# has_sa NS SPI: NS's kernel holds the SA (no `ip | grep -q`: under pipefail
# grep's early exit can fail ip with SIGPIPE).
has_sa() { [[ $(ip -n "$1" xfrm state) == *"spi $2 "* ]]; }

# ---- (A) charon initiates Aggressive Mode, l2tpsecd answers --------------------

charon_psk_conf "$WORK/swanctl.conf" aggressive=yes me="$C_IP" peer="$S_IP"
cat >"$WORK/lac.conf" <<EOF
[server]
listen = ["$C_IP"]
[l2tp]
ipsec = "off"
$PPP_LAC
$(lac_profile)
EOF
start_charon charon "$NS_C" "$WORK/swanctl.conf"
lns_conf "$WORK/lns.conf" true
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
ok "l2tpsecd LNS on $S_IP (aggressive_mode = true), charon on $C_IP"

swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate.log" 2>&1 ||
  fail "swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate.log")"
grep -q "AGGRESSIVE" "$WORK/charon.log" || fail "charon did not use Aggressive Mode"
sas=$(ctl lns sas --json) || fail "l2tpctl sas"
jq -e '(.isakmp | length) == 1 and .isakmp[0].state == "established" and .isakmp[0].role == "responder"
       and .isakmp[0].exchange == "aggressive" and .isakmp[0].suite == "aes256-sha1-modp2048"
       and (.ipsec | length) == 1 and .ipsec[0].suite == "aes256-sha1"' <<<"$sas" >/dev/null ||
  fail "LNS SAs: $sas"
text=$(ctl lns sas) && [[ $text == *" aggressive "* ]] || fail "l2tpctl sas (text) does not show the exchange: $text"
in_spi=$(jq -r '.ipsec[0].in_spi' <<<"$sas") out_spi=$(jq -r '.ipsec[0].out_spi' <<<"$sas")
has_sa "$NS_S" "$in_spi" || fail "no inbound SA $in_spi in the LNS kernel"
has_sa "$NS_C" "$out_spi" || fail "no SA $out_spi in the client kernel (charon)"
grep -q "peer $C_IP:500: ISAKMP SA 1 is an Aggressive Mode SA with a pre-shared key" "$WORK/lns.log" ||
  fail "the LNS logged no Aggressive Mode warning"
ok "Aggressive Mode + Quick Mode from charon: SA pair in $in_spi out $out_spi in both kernels, warning logged"

start_l2tpsecd lac "$NS_C" "$WORK/lac.conf"
ctl lac connect office >/dev/null || fail "l2tpctl connect office"
wait_until 120 "PPP up over the protected tunnel" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
ok "L2TP tunnel admitted through the IPsec SA, PPP up"

esp_ping lns "$NS_S" 10.99.0.10

stop_l2tpsecd lac
swan charon --terminate --ike l2tp >"$WORK/swanctl-terminate.log" 2>&1 || fail "swanctl --terminate"
no_sas() { ctl "$1" sas --json | jq -e '(.isakmp | length) == 0 and (.ipsec | length) == 0' >/dev/null; }
wait_until 30 "the LNS drops its SAs after strongSwan's delete" no_sas lns
kernel_sa_gone() { ! has_sa "$1" "$2"; }
wait_until 30 "the LNS kernel SAs removed" kernel_sa_gone "$NS_S" "$in_spi"
wait_until 30 "the client kernel SAs removed" kernel_sa_gone "$NS_C" "$out_spi"
ok "strongSwan's delete removed both ends' SAs"

# ---- (B) aggressive_mode off: refused ------------------------------------------

stop_l2tpsecd lns
lns_conf "$WORK/lns-off.conf" false
start_l2tpsecd lns-off "$NS_S" "$WORK/lns-off.conf"
swan charon --initiate --child l2tp --timeout 15 >"$WORK/swanctl-refused.log" 2>&1 &&
  fail "charon got an SA from an LNS with aggressive_mode off"
refusals=$(grep -c "Aggressive Mode from $C_IP:500 refused: \[ike\] aggressive_mode is off" "$WORK/lns-off.log")
[[ $refusals == 1 ]] || fail "the LNS logged $refusals refusals, not one: $(tail -5 "$WORK/lns-off.log")"
no_sas lns-off || fail "the LNS holds SAs: $(ctl lns-off sas --json)"
[[ $(xfrm_count "$NS_S" state) == 0 ]] || fail "SAs in the LNS kernel: $(ip -n "$NS_S" xfrm state)"
ok "aggressive_mode off: charon's Aggressive Mode dropped, one log line, no SA"
stop_l2tpsecd lns-off
stop_charon charon

# ---- (C) l2tpsecd initiates Aggressive Mode, charon answers ---------------------

charon_psk_conf "$WORK/swanctl-srv.conf" aggressive=yes me="$S_IP" peer="$C_IP"
CHARON_EXTRA="i_dont_care_about_security_and_use_aggressive_mode_psk = yes" \
  start_charon swan-srv "$NS_S" "$WORK/swanctl-srv.conf"
cat >"$WORK/lns2.conf" <<EOF
[server]
listen = ["$S_IP"]
[l2tp]
ipsec = "off"
$PPP_LNS
EOF
start_l2tpsecd lns2 "$NS_S" "$WORK/lns2.conf"
cat >"$WORK/lac2.conf" <<EOF
[server]
listen = ["$C_IP"]
[ike]
aggressive_mode = true
ike = ["aes256-sha1-modp2048"]
esp = ["aes256-sha1"]
[l2tp]
ipsec = "required"
$PPP_LAC
$(lac_profile "psk_file = \"$WORK/psk\"" "aggressive_mode = true")
EOF
start_l2tpsecd lac2 "$NS_C" "$WORK/lac2.conf"
ok "charon on $S_IP answers Aggressive Mode, l2tpsecd LAC on $C_IP asks for it"

ctl lac2 connect office >/dev/null || fail "l2tpctl connect office"
child_up() { ctl lac2 sas --json | jq -e '(.ipsec | length) == 1' >/dev/null; }
wait_until 60 "the LAC's IPsec SA pair" child_up
sas=$(ctl lac2 sas --json) || fail "l2tpctl sas"
jq -e '.isakmp[0].state == "established" and .isakmp[0].role == "initiator" and .isakmp[0].exchange == "aggressive"
       and .isakmp[0].suite == "aes256-sha1-modp2048" and .ipsec[0].suite == "aes256-sha1"' <<<"$sas" >/dev/null ||
  fail "LAC SAs: $sas"
grep -q "AGGRESSIVE" "$WORK/swan-srv.log" || fail "charon logged no Aggressive Mode"
listed=$(swan swan-srv --list-sas) && [[ $listed == *ESTABLISHED* ]] || fail "charon has no IKE SA: $listed"
in_spi=$(jq -r '.ipsec[0].in_spi' <<<"$sas") out_spi=$(jq -r '.ipsec[0].out_spi' <<<"$sas")
for ns in "$NS_S" "$NS_C"; do
  for spi in "$in_spi" "$out_spi"; do
    has_sa "$ns" "$spi" || fail "no SA $spi in $ns's kernel: $(ip -n "$ns" xfrm state)"
  done
done
ok "Aggressive Mode + Quick Mode to charon: SA pair in $in_spi out $out_spi in both kernels"

wait_until 120 "PPP up over the protected tunnel" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
mapfile -t lac_bytes < <(xfrm_sa_bytes "$NS_C" "$in_spi" "$out_spi")
mapfile -t srv_bytes < <(xfrm_sa_bytes "$NS_S" "$in_spi" "$out_spi")
for b in "${lac_bytes[@]}" "${srv_bytes[@]}"; do
  [[ $b =~ ^[0-9]+$ ]] && ((b > 0)) ||
    fail "an ESP byte counter did not rise: LAC ${lac_bytes[*]}, charon's side ${srv_bytes[*]}"
done
ok "the tunnel's set-up went through ESP: bytes LAC ${lac_bytes[*]}, charon's side ${srv_bytes[*]}"

stop_l2tpsecd lac2
charon_no_sas() {
  local listed
  listed=$(swan swan-srv --list-sas) && [[ $listed != *ESTABLISHED* && $listed != *INSTALLED* ]]
}
wait_until 30 "charon drops its SAs after l2tpsecd's delete" charon_no_sas
wait_until 30 "charon's kernel SAs removed" kernel_sa_gone "$NS_S" "$in_spi"
wait_until 30 "the LAC's kernel SAs removed" kernel_sa_gone "$NS_C" "$out_spi"
ok "l2tpsecd's delete at stop removed both ends' SAs"
stop_l2tpsecd lns2
stop_charon swan-srv

# ---- (D) charon behind a NAT initiates Aggressive Mode ---------------------------

nat_router
charon_psk_conf "$WORK/swanctl-nat.conf" aggressive=yes me="$N_IP" peer="$S_NAT_IP"
start_charon charon-nat "$NS_N" "$WORK/swanctl-nat.conf"
cat >"$WORK/lns-nat.conf" <<EOF
[server]
listen = ["$S_IP", "$S_NAT_IP"]
[ike]
psk_file = "$WORK/psk"
aggressive_mode = true
[l2tp]
ipsec = "required"
$PPP_LNS
EOF
start_l2tpsecd lns-nat "$NS_S" "$WORK/lns-nat.conf"
ok "l2tpsecd LNS on $S_NAT_IP, charon on $N_IP behind the NAT router"

swan charon-nat --initiate --child l2tp --timeout 60 >"$WORK/swanctl-nat-initiate.log" 2>&1 ||
  fail "swanctl --initiate behind the NAT: $(tail -5 "$WORK/swanctl-nat-initiate.log")"
sas=$(ctl lns-nat sas --json) || fail "l2tpctl sas"
jq -e '.isakmp[0].state == "established" and .isakmp[0].exchange == "aggressive"
       and .isakmp[0].nat_peer == true and .isakmp[0].nat_local == false
       and .ipsec[0].nat_t == true' <<<"$sas" >/dev/null ||
  fail "LNS SAs behind the NAT: $sas"
espinudp() { ip -n "$1" xfrm state | grep -c 'encap type espinudp'; }
[[ $(espinudp "$NS_S") == 2 && $(espinudp "$NS_N") == 2 ]] ||
  fail "not two ESP-in-UDP SAs in both kernels: $(ip -n "$NS_S" xfrm state) // $(ip -n "$NS_N" xfrm state)"
ok "Aggressive Mode through the NAT: NAT detected, ESP in UDP in both kernels"

cat >"$WORK/lac-nat.conf" <<EOF
[server]
listen = ["$N_IP"]
[l2tp]
ipsec = "off"
$PPP_LAC
$(LAC_SERVER=$S_NAT_IP lac_profile)
EOF
start_l2tpsecd lac-nat "$NS_N" "$WORK/lac-nat.conf"
ctl lac-nat connect office >/dev/null || fail "l2tpctl connect office (behind the NAT)"
wait_until 120 "PPP up over the protected tunnel through the NAT" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
esp_ping lns-nat "$NS_S" 10.99.0.10

stop_l2tpsecd lac-nat
swan charon-nat --terminate --ike l2tp >"$WORK/swanctl-nat-terminate.log" 2>&1 || fail "swanctl --terminate"
wait_until 30 "the LNS drops its SAs after strongSwan's delete" no_sas lns-nat
no_kernel_sas() { [[ $(xfrm_count "$1" state) == 0 ]]; }
wait_until 30 "the LNS kernel SAs removed" no_kernel_sas "$NS_S"
wait_until 30 "the client kernel SAs removed" no_kernel_sas "$NS_N"
ok "behind the NAT: strongSwan's delete removed both ends' SAs"
echo PASS
