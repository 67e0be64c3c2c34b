#!/bin/bash
# Brute-force blocking against real clients, with the kernel's XFRM, L2TP and
# pppd. The client namespace runs strongSwan's charon (IKEv1, Main Mode, PSK,
# transport mode for udp/1701) and an l2tpsecd LAC with ipsec = "off"
# (charon's policies carry its L2TP); the server namespace the l2tpsecd LNS
# with ipsec = "required" and [blocking] failures = 5.
#   IKE: five wrong pre-shared keys from charon -> one "blocked" log line and
#   one audit record; a sixth attempt gets no answer and costs the LNS no DH
#   (l2tpctl blocked --json: ike.responder_dh unchanged, refused_blocked up);
#   l2tpctl blocked lists the source, unblock refuses a non-blocked address
#   and a non-address, lifts the block; the right key then connects.
#   PPP: five wrong passwords over that IPsec SA -> blocked again (counted
#   against the IKE peer); a new tunnel's SCCRQ is dropped; after a reload
#   shortened block_time the block expires ("unblocked" line and record) and
#   the right password brings PPP up.
#   usage: brute_force_blocking.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

ppp_alice
right_psk='blocking interop psk 4711 right'
wrong_psk='blocking interop psk 4711 WRONG'
secret_file "$WORK/psk" "$right_psk"
lns_conf() {
  cat >"$WORK/lns.conf" <<EOF
[server]
listen = ["$S_IP"]
audit_log = "$WORK/audit.jsonl"
[blocking]
failures = 5
window = "5m"
block_time = "$1"
[ike]
psk_file = "$WORK/psk"
[l2tp]
ipsec = "required"
$PPP_LNS
EOF
}
lns_conf 2m
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"

# charon gives up on an unanswered message after 3 + 3 s (a wrong key leaves
# its Main Mode 5 unanswered; a blocked source its Main Mode 1).
export CHARON_EXTRA="retransmit_tries = 1
  retransmit_timeout = 3
  retransmit_base = 1"
psk=$wrong_psk charon_psk_conf "$WORK/swanctl-wrong.conf" me="$C_IP" peer="$S_IP"
psk=$right_psk charon_psk_conf "$WORK/swanctl-right.conf" me="$C_IP" peer="$S_IP"
start_charon charon "$NS_C" "$WORK/swanctl-wrong.conf"
ok "l2tpsecd LNS on $S_IP ([blocking] failures = 5), charon on $C_IP with a wrong key"

blocked_json() { ctl lns blocked --json; }
failures_of() {
  blocked_json | jq -r --arg a "$C_IP" '[(.counting[], .blocked[]) | select(.source == $a) | .failures] | first // 0'
}
failures_are() { [[ $(failures_of) == "$1" ]]; }
is_blocked() { blocked_json | jq -e --arg a "$C_IP" 'any(.blocked[]; .source == $a)'; }
blocked_lines() { grep -c "blocking: $C_IP blocked for " "$WORK/lns.log"; }
audit_count() {
  jq -s --arg e "$1" --arg a "$C_IP" '[.[] | select(.event == $e and .source == $a)] | length' "$WORK/audit.jsonl"
}

# ---- IKE: five wrong pre-shared keys -------------------------------------------
for i in 1 2 3 4 5; do
  swan charon --initiate --child l2tp --timeout 20 >"$WORK/swanctl-wrong-$i.log" 2>&1 &&
    fail "attempt $i with the wrong key succeeded"
  wait_until 20 "failure $i counted" failures_are "$i"
done
is_blocked >/dev/null || fail "$C_IP not blocked after 5 failures: $(blocked_json)"
[[ $(blocked_lines) == 1 ]] || fail "expected one 'blocked' line: $(grep blocking: "$WORK/lns.log")"
grep -qF "blocking: $C_IP blocked for 2m: 5 failed authentications within 5m (last: IKE: Main Mode 5: pre-shared key mismatch?)" \
  "$WORK/lns.log" || fail "the 'blocked' line: $(grep blocking: "$WORK/lns.log")"
wait_until 10 "the audit record" test -s "$WORK/audit.jsonl"
[[ $(audit_count blocked) == 1 ]] || fail "audit: $(cat "$WORK/audit.jsonl")"
jq -se --arg a "$C_IP" '.[] | select(.event == "blocked" and .source == $a) | .failures == 5 and
       .block_seconds == 120 and (.last | contains("pre-shared key mismatch"))' "$WORK/audit.jsonl" >/dev/null ||
  fail "audit record: $(cat "$WORK/audit.jsonl")"
ok "five wrong keys: $C_IP blocked, one log line, one audit record"

# ---- a sixth attempt costs no DH --------------------------------------------------
before=$(blocked_json)
dh0=$(jq '.ike.responder_dh' <<<"$before") refused0=$(jq '.ike.refused_blocked' <<<"$before")
[[ $dh0 == 5 ]] || fail "expected 5 responder DHs so far: $before"
swan charon --initiate --child l2tp --timeout 20 >"$WORK/swanctl-wrong-6.log" 2>&1 &&
  fail "the sixth attempt succeeded"
after=$(blocked_json)
[[ $(jq '.ike.responder_dh' <<<"$after") == "$dh0" ]] || fail "the sixth attempt cost a DH: $after"
[[ $(jq '.ike.refused_blocked' <<<"$after") -gt $refused0 ]] || fail "nothing refused: $after"
[[ $(blocked_lines) == 1 ]] || fail "a second 'blocked' line"
ok "sixth attempt: no answer, responder DHs still $dh0, $(jq '.ike.refused_blocked' <<<"$after") Main Mode 1 dropped"

# ---- l2tpctl blocked / unblock -----------------------------------------------------
text=$(ctl lns blocked) || fail "l2tpctl blocked"
grep -Eq "^$C_IP +5 " <<<"$text" || fail "l2tpctl blocked: $text"
jq -e --arg a "$C_IP" '.blocked[0].source == $a and .blocked[0].remaining_seconds > 0 and
       .blocked[0].remaining_seconds <= 120' <<<"$after" >/dev/null || fail "blocked --json: $after"
err=$(ctl lns unblock 192.0.2.99 2>&1)
rc=$?
[[ $rc == 1 && $err == "l2tpctl: 192.0.2.99 is not blocked" ]] || fail "unblock 192.0.2.99: $rc $err"
err=$(ctl lns unblock nonsense 2>&1)
rc=$?
[[ $rc == 1 && $err == "l2tpctl: 'nonsense' is not an IP address" ]] || fail "unblock nonsense: $rc $err"
out=$(ctl lns unblock "$C_IP") || fail "unblock $C_IP"
[[ $out == "$C_IP: unblocked (5 failed authentications,"* ]] || fail "unblock said: $out"
grep -q "blocking: $C_IP unblocked after .* (lifted by l2tpctl unblock); 5 failed authentications" \
  "$WORK/lns.log" || fail "no 'unblocked' line: $(grep blocking: "$WORK/lns.log")"
[[ $(audit_count unblocked) == 1 ]] || fail "audit: $(cat "$WORK/audit.jsonl")"
is_blocked >/dev/null && fail "still blocked after unblock"
ok "l2tpctl blocked lists it; unblock refuses 192.0.2.99 and 'nonsense', lifts $C_IP (logged, audited)"

swan charon --load-all --file "$WORK/swanctl-right.conf" >"$WORK/charon-load-right.log" 2>&1 ||
  fail "swanctl --load-all (right key)"
swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-right.log" 2>&1 ||
  fail "the right key after unblock: $(tail -5 "$WORK/swanctl-right.log")"
wait_until 20 "the LNS's IPsec SA pair" child_up lns
[[ $(blocked_json | jq '.ike.responder_dh') == $((dh0 + 1)) ]] || fail "DH count: $(blocked_json)"
ok "the right key connects after unblock"

# ---- PPP: five wrong passwords -----------------------------------------------------
lns_conf 15s
ctl lns reload >/dev/null || fail "l2tpctl reload (block_time 15s)"
secret_file "$WORK/alice.pass" 'not-alices-password-4711'
cat >"$WORK/lac.conf" <<EOF
[server]
listen = ["$C_IP"]
[l2tp]
ipsec = "off"
$PPP_LAC
[[lac]]
name = "office"
server = "$S_IP"
user = "alice"
password_file = "$WORK/alice.pass"
EOF
start_l2tpsecd lac "$NS_C" "$WORK/lac.conf"
for i in 1 2 3 4 5; do
  ctl lac connect office >/dev/null || fail "l2tpctl connect office ($i)"
  wait_until 60 "PPP failure $i counted" failures_are "$i"
  ctl lac disconnect office >/dev/null || fail "l2tpctl disconnect office ($i)"
  wait_until 30 "the LAC's tunnel closed ($i)" no_tunnel lac
done
is_blocked >/dev/null || fail "$C_IP not blocked after 5 PPP failures: $(blocked_json)"
[[ $(blocked_lines) == 2 ]] || fail "expected a second 'blocked' line: $(grep blocking: "$WORK/lns.log")"
grep -qF "blocking: $C_IP blocked for 15s: 5 failed authentications within 5m (last: PPP: the peer failed to authenticate" \
  "$WORK/lns.log" || fail "the PPP 'blocked' line: $(grep blocking: "$WORK/lns.log")"
[[ $(audit_count blocked) == 2 ]] || fail "audit: $(cat "$WORK/audit.jsonl")"
ok "five wrong PPP passwords: $C_IP blocked again (logged, audited)"

dropped0=$(blocked_json | jq '.dropped_tunnels')
ctl lac connect office >/dev/null || fail "l2tpctl connect office (blocked)"
dropped_more() { [[ $(blocked_json | jq '.dropped_tunnels') -gt $dropped0 ]]; }
wait_until 20 "the blocked source's SCCRQ dropped" dropped_more
ctl lac disconnect office >/dev/null
ok "a new tunnel from the blocked source: SCCRQ dropped"

wait_until 40 "the block expires" grep -q "blocking: $C_IP unblocked after 15s (its time is up)" "$WORK/lns.log"
[[ $(audit_count unblocked) == 2 ]] || fail "audit: $(cat "$WORK/audit.jsonl")"
jq -se --arg a "$C_IP" '[.[] | select(.event == "unblocked" and .source == $a)] | last | .reason == "expired"' \
  "$WORK/audit.jsonl" >/dev/null || fail "audit: $(cat "$WORK/audit.jsonl")"
secret_file "$WORK/alice.pass" alice-pw-4711
ctl lac reload >/dev/null || fail "l2tpctl reload (lac)"
# (its StopCCN to the blocked LNS goes unanswered until the retries run out)
wait_until 60 "the LAC's tunnel closed" no_tunnel lac
ctl lac connect office >/dev/null || fail "l2tpctl connect office (right password)"
# (whichever pool address it gets: the failed sessions' may still be held)
lns_ppp_up() { ip -n "$NS_S" -4 -o addr show | grep -Eq "inet 10\.99\.0\.1 peer 10\.99\.0\.1[0-9]/32"; }
wait_until 60 "PPP up with the right password" lns_ppp_up
ok "the block expired (logged, audited); the right password brings PPP up"
echo PASS
