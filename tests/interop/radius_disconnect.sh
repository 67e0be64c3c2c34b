#!/bin/bash
# RADIUS Disconnect-Request (RFC 5176) to an l2tpsecd LNS that authenticates
# through FreeRADIUS (freeradius_lib.sh): xl2tpd as LAC dials in as alice (no
# IPsec); radclient (freeradius-utils) in the client namespace, the one
# address in [radius] das_clients, sends to the LNS's das_listen address.
# Checked: an unknown user gets a Disconnect-NAK with Error-Cause
# Session-Context-Not-Found and ends nothing; a wrong secret and a request
# from an address not in das_clients (radclient in the LNS namespace) get no
# answer and one log line naming the source; User-Name = alice gets a
# Disconnect-ACK, and the session is gone (l2tpctl sessions empty, no pppd,
# no kernel session) with an audit stop record whose reason is
# radius-disconnect.
#   usage: radius_disconnect.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"
source "$(dirname "$0")/freeradius_lib.sh"
command -v radclient >/dev/null || fail "radclient is not installed (run tools/setup)"
command -v freeradius >/dev/null || fail "freeradius is not installed (run tools/setup)"

start_freeradius alice-radius-pw
radius_lns_conf "das_listen = [\"$S_IP\"]" "das_clients = [\"$C_IP\"]"
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
grep -q "das: taking Disconnect-Requests on $S_IP port 3799 from $C_IP" "$WORK/lns.log" ||
  fail "no das listener line in the log"
ok "l2tpsecd LNS on $S_IP:1701, Disconnect-Requests on $S_IP:3799 from $C_IP"

client_ppp_options office alice alice-radius-pw
xl2tpd_client_conf office
start_xl2tpd xl2tpd "$NS_C" "$WORK/xl2tpd.conf"
xl2tpd_ctl xl2tpd "c office"
wait_until 120 "ppp up in the LAC namespace" ppp_up "$NS_C" 10.99.0.10 10.99.0.1
wait_until 60 "ppp up in the LNS namespace" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
alice_up() { ctl lns sessions --json | jq -e '.sessions | length == 1 and .[0].user == "alice"' >/dev/null; }
wait_until 30 "alice's session on the LNS" alice_up
sj=$(ctl lns sessions --json)
tid=$(jq '.sessions[0].tunnel' <<<"$sj") sid=$(jq '.sessions[0].session' <<<"$sj")
ok "alice's session $tid/$sid is up"

# radclient NS SECRET ATTRIBUTE-LINES...: a Disconnect-Request to $S_IP:3799
# from NS; its output (one try of 3 s).
rad() {
  local ns=$1 secret=$2
  shift 2
  printf '%s\n' "$@" | ip netns exec "$ns" radclient -x -r 1 -t 3 "$S_IP:3799" disconnect "$secret" 2>&1
}

out=$(rad "$NS_C" "$R_SECRET" 'User-Name = nobody')
echo "$out"
grep -q 'Received Disconnect-NAK' <<<"$out" && grep -q 'Error-Cause = Session-Context-Not-Found' <<<"$out" ||
  fail "an unknown user did not get a Disconnect-NAK 503"
ok "User-Name = nobody: Disconnect-NAK, Error-Cause 503"

out=$(rad "$NS_C" not-the-secret 'User-Name = alice')
grep -q 'No reply from server' <<<"$out" || fail "a wrong secret was answered: $out"
grep "das: ignored a Disconnect-Request from $C_IP:[0-9]* (Identifier [0-9]*): wrong authenticator" "$WORK/lns.log" ||
  fail "no log line for the wrong secret"
ok "a wrong secret: no answer, one log line"

# From the LNS namespace the request leaves from $S_IP, not in das_clients.
out=$(rad "$NS_S" "$R_SECRET" 'User-Name = alice')
grep -q 'No reply from server' <<<"$out" || fail "a request from $S_IP was answered: $out"
grep "das: ignored a request from $S_IP:[0-9]*: not in \[radius\] das_clients" "$WORK/lns.log" ||
  fail "no log line for the unknown source"
alice_up || fail "a refused request ended alice's session"
ok "a request from $S_IP (not in das_clients): no answer, one log line; alice still connected"

out=$(rad "$NS_C" "$R_SECRET" 'User-Name = alice' 'NAS-Identifier = "l2tpsec-interop"')
echo "$out"
grep -q 'Received Disconnect-ACK' <<<"$out" || fail "User-Name = alice got no Disconnect-ACK"
gone() {
  [[ $(ctl lns sessions --json | jq '.sessions | length') == 0 && $(pppd_count "$NS_S") == 0 &&
     $(kernel_sessions "$NS_S") == 0 ]]
}
wait_until 60 "session, pppd and kernel session gone on the LNS" gone
stop_record() { grep -q '"event":"stop"' "$WORK/audit.jsonl"; }
wait_until 10 "the audit stop record" stop_record
cat "$WORK/audit.jsonl"
jq -se --argjson t "$tid" --argjson s "$sid" '[.[] | select(.event == "stop")] | length == 1
  and .[0].tunnel == $t and .[0].session == $s and .[0].user == "alice" and .[0].reason == "radius-disconnect"' \
  "$WORK/audit.jsonl" >/dev/null || fail "no audit stop record for $tid/$sid with reason radius-disconnect"
grep "das: Disconnect-Request from $C_IP (Identifier [0-9]*) for User-Name alice: ended session $tid/$sid" \
  "$WORK/lns.log" || fail "no log line for the disconnect"
ok "User-Name = alice: Disconnect-ACK; session $tid/$sid, its pppd and kernel session gone; audit reason radius-disconnect"
echo PASS
