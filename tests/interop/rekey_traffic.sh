#!/bin/bash
# IPsec SAs rekey under traffic, make-before-break, from either side, with
# strongSwan (charon via swanctl) as the client and the l2tpsecd LNS, the
# kernel's XFRM, L2TP and pppd. Pings cross the PPP link every 0.2 s
# throughout; each phase runs 120 s (over 200 s in all):
#   (A) the server's sa_lifetime is 1m, the client's 1h: the server answered
#       the Quick Mode and the client, trusting its own hour, never rekeys,
#       so the server does, before the pair runs out (at 55 s, then at 54 s
#       for the pairs it asked for itself); and its ike_lifetime is 90s: it
#       re-authenticates (a new Main Mode, as initiator) before its ISAKMP SA
#       runs out, and charon adopts the IPsec SAs into the new one;
#   (B) the server's is 1h, the client's life_time 60s with rekey_time 40s:
#       the client rekeys, and the server does not again.
# Checked in each: at least two rekeys by the side that should, none by the
# other; at most one lost ping per rekey; never more than two SA pairs in
# the server's kernel (the current one and the one it replaces), one pair
# left at the end; the L2TP tunnel, the session, the pppd and its ppp
# interface the same as at the start, and no audit stop record.
#   usage: rekey_traffic.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

psk='interop rekey psk 4711 under traffic'
secret_file "$WORK/psk" "$psk"
ppp_alice
cat >"$WORK/lac.conf" <<EOF
[server]
listen = ["$C_IP"]
[l2tp]
ipsec = "off"
$PPP_LAC
$(lac_profile)
EOF

# The L2TP side on the server: tunnel and session, pppd pids, ppp interfaces.
l2tp_identity() {
  local p
  ctl "$LNS" sessions --json | jq -c '[.sessions[] | {tunnel, session, user, address, state}]'
  for p in $(session_pppds "$NS_S"); do echo "pppd $p"; done
  ip -n "$NS_S" -o link show type ppp | awk '{print $2}'
}

# phase NAME IKE_SETTING CHARON_SETTINGS...: one phase, 120 s of pings, the
# LNS with IKE_SETTING in its [ike]; sets PHASE_SERVER and PHASE_CLIENT
# (IPsec rekeys each started), PHASE_REAUTH (the server's re-authentications)
# and PHASE_LOST.
phase() {
  local name=$1 setting=$2 before stats sent received most=0 n t0 pinger
  shift 2
  charon_psk_conf "$WORK/swanctl-$name.conf" me="$C_IP" peer="$S_IP" "$@"
  cat >"$WORK/lns-$name.conf" <<EOF
[server]
listen = ["$S_IP"]
audit_log = "$WORK/audit-$name.jsonl"
[ike]
psk_file = "$WORK/psk"
$setting
[l2tp]
ipsec = "required"
$PPP_LNS
EOF
  start_charon "charon-$name" "$NS_C" "$WORK/swanctl-$name.conf"
  start_l2tpsecd "lns-$name" "$NS_S" "$WORK/lns-$name.conf"
  swan "charon-$name" --initiate --child l2tp --timeout 60 >"$WORK/initiate-$name.log" 2>&1 ||
    fail "$name: swanctl --initiate: $(tail -5 "$WORK/initiate-$name.log")"
  start_l2tpsecd "lac-$name" "$NS_C" "$WORK/lac.conf"
  ctl "lac-$name" connect office >/dev/null || fail "$name: l2tpctl connect office"
  wait_until 120 "$name: PPP up over the protected tunnel" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
  LNS=lns-$name
  before=$(l2tp_identity)
  t0=$SECONDS
  ip netns exec "$NS_C" ping -i 0.2 -W 1 -w 120 10.99.0.1 >"$WORK/ping-$name.log" 2>&1 &
  pinger=$!
  # The server's SAs, sampled while the pings run.
  while kill -0 "$pinger" 2>/dev/null; do
    n=$(xfrm_count "$NS_S" state)
    ((n > most)) && most=$n
    sleep 1
  done
  wait "$pinger"
  stats=$(grep 'packets transmitted' "$WORK/ping-$name.log") ||
    fail "$name: no ping summary: $(tail -3 "$WORK/ping-$name.log")"
  sent=$(awk '{print $1}' <<<"$stats") received=$(awk '{print $4}' <<<"$stats")
  PHASE_LOST=$((sent - received))
  PHASE_SERVER=$(grep -c "rekeying IPsec SA in" "$WORK/lns-$name.log")
  PHASE_REAUTH=$(grep -c "re-authenticating before ISAKMP SA" "$WORK/lns-$name.log")
  # Quick Modes charon started after the first: its rekeys.
  PHASE_CLIENT=$(($(grep -c "Quick Mode offer:" "$WORK/lns-$name.log") - 1))
  echo "$name: $((SECONDS - t0)) s, $sent pings, $PHASE_LOST lost; rekeys started by the server $PHASE_SERVER," \
    "by charon $PHASE_CLIENT; $PHASE_REAUTH re-authentication(s) by the server; at most $most SAs in the" \
    "server's kernel"
  [[ $(l2tp_identity) == "$before" ]] || fail "$name: the L2TP side changed: before $before, after $(l2tp_identity)"
  ((most <= 4)) || fail "$name: $most SAs in the server's kernel at once (more than two pairs)"
  one_pair() { [[ $(xfrm_count "$NS_S" state) == 2 ]]; }
  wait_until 70 "$name: one SA pair left in the server's kernel" one_pair
  if [[ -s $WORK/audit-$name.jsonl ]] && grep -q '"event":"stop"' "$WORK/audit-$name.jsonl"; then
    fail "$name: a session ended: $(cat "$WORK/audit-$name.jsonl")"
  fi
  stop_l2tpsecd "lac-$name"
  stop_l2tpsecd "lns-$name"
  stop_charon "charon-$name"
}

phase A $'sa_lifetime = "1m"\nike_lifetime = "90s"'
((PHASE_SERVER >= 2)) || fail "A: the server rekeyed $PHASE_SERVER times in 120 s with a 60 s lifetime"
((PHASE_CLIENT == 0)) || fail "A: charon rekeyed $PHASE_CLIENT times with its hour"
((PHASE_LOST <= PHASE_SERVER + PHASE_REAUTH)) || fail "A: $PHASE_LOST pings lost in $PHASE_SERVER rekeys"
((PHASE_REAUTH >= 1)) || fail "A: the server did not re-authenticate in 120 s with a 90 s ISAKMP lifetime"
grep -Eq "adopting 1 (children|CHILD_SA)" "$WORK/charon-A.log" ||
  fail "A: charon did not adopt the IPsec SA into the new ISAKMP SA"
ok "A: the server rekeyed $PHASE_SERVER times and re-authenticated $PHASE_REAUTH time(s) under traffic," \
  "$PHASE_LOST ping(s) lost, the session untouched"

phase B 'sa_lifetime = "1h"' rekey=40s life=60s
((PHASE_CLIENT >= 2)) || fail "B: charon rekeyed $PHASE_CLIENT times in 120 s with rekey_time 40s"
((PHASE_SERVER == 0)) || fail "B: the server rekeyed $PHASE_SERVER times although the client had"
((PHASE_LOST <= PHASE_CLIENT)) || fail "B: $PHASE_LOST pings lost in $PHASE_CLIENT rekeys"
ok "B: charon rekeyed $PHASE_CLIENT times under traffic, $PHASE_LOST ping(s) lost, the session untouched"

echo PASS
