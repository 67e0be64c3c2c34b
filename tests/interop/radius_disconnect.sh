#!/bin/bash
# RADIUS Dynamic Authorization (RFC 5176) to an l2tpsecd LNS that
# authenticates through FreeRADIUS (freeradius_lib.sh) and sends it its
# accounting (the detail file): xl2tpd as LAC dials in as alice (no IPsec);
# radclient (freeradius-utils) in the client namespace, the one address in
# [radius] das_clients, sends to the LNS's das_listen address. Checked: the
# session's acct_session_id in `l2tpctl sessions --json` is the
# Acct-Session-Id of its Accounting-Start; an unknown user gets a
# Disconnect-NAK and a CoA-NAK with Error-Cause Session-Context-Not-Found,
# as does User-Name = alice with another Acct-Session-Id, and ends nothing; a
# wrong secret and a request from an address not in das_clients (radclient
# in the LNS namespace) get no answer and one log line naming the source; a
# CoA-Request with alice's Acct-Session-Id and Session-Timeout = 3 gets a
# CoA-ACK, and the session ends by itself 3 s later (audit reason
# radius-session-timeout, a log line, the Accounting-Stop's
# Acct-Terminate-Cause Session-Timeout); alice dials again, and User-Name =
# alice with her new Acct-Session-Id gets a Disconnect-ACK, and the session
# is gone (l2tpctl sessions empty, no pppd, no kernel session) with an audit
# stop record whose reason is radius-disconnect.
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
DETAIL=$RADDB/acct/detail
# The accounting record of TYPE (Start, Stop) with Acct-Session-Id ID in the
# detail file, one record per paragraph.
record() {
  awk -v RS= -v type="$1" -v id="$2" \
    'index($0, "Acct-Status-Type = " type "\n") && index($0, "Acct-Session-Id = \"" id "\"\n") { print; exit }' \
    "$DETAIL" 2>/dev/null
}
# session_up: tid, sid and acct (its acct_session_id) of alice's session.
session_up() {
  local sj
  sj=$(ctl lns sessions --json)
  tid=$(jq '.sessions[0].tunnel' <<<"$sj") sid=$(jq '.sessions[0].session' <<<"$sj")
  acct=$(jq -r '.sessions[0].acct_session_id // empty' <<<"$sj")
  [[ $acct =~ ^[0-9a-f]{16}-[0-9a-f]{8}$ ]] || fail "alice's session has no acct_session_id: $sj"
  started() { [[ -n $(record Start "$acct") ]]; }
  wait_until 30 "the Accounting-Start of $acct" started
}
session_up
ok "alice's session $tid/$sid is up; its acct_session_id $acct is its Accounting-Start's Acct-Session-Id"

# radclient NS SECRET ATTRIBUTE-LINES...: a Disconnect-Request (RADTYPE=coa:
# a CoA-Request) to $S_IP:3799 from NS; its output (one try of 3 s).
rad() {
  local ns=$1 secret=$2
  shift 2
  printf '%s\n' "$@" |
    ip netns exec "$ns" radclient -x -r 1 -t 3 "$S_IP:3799" "${RADTYPE:-disconnect}" "$secret" 2>&1
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

out=$(RADTYPE=coa rad "$NS_C" "$R_SECRET" 'User-Name = nobody' 'Session-Timeout = 3')
echo "$out"
grep -q 'Received CoA-NAK' <<<"$out" && grep -q 'Error-Cause = Session-Context-Not-Found' <<<"$out" ||
  fail "a CoA-Request for an unknown user did not get a CoA-NAK 503"
grep "das: CoA-Request from $C_IP (Identifier [0-9]*): NAK, Error-Cause 503: no session of User-Name nobody" \
  "$WORK/lns.log" || fail "no log line for the CoA-NAK"
out=$(rad "$NS_C" "$R_SECRET" 'User-Name = alice' 'Acct-Session-Id = "0000000000000000-00000000"')
grep -q 'Received Disconnect-NAK' <<<"$out" && grep -q 'Error-Cause = Session-Context-Not-Found' <<<"$out" ||
  fail "alice with another Acct-Session-Id did not get a Disconnect-NAK 503: $out"
alice_up || fail "a refused request ended alice's session"
ok "CoA-Request for nobody: CoA-NAK 503; alice with another Acct-Session-Id: Disconnect-NAK 503"

# A CoA-Request gives alice's session 3 s more; it then ends by itself.
out=$(RADTYPE=coa rad "$NS_C" "$R_SECRET" "Acct-Session-Id = \"$acct\"" 'Session-Timeout = 3')
acked=$(date +%s%N)
echo "$out"
grep -q 'Received CoA-ACK' <<<"$out" || fail "Session-Timeout = 3 for $acct got no CoA-ACK"
grep "das: CoA-Request from $C_IP (Identifier [0-9]*) for Acct-Session-Id $acct: Session-Timeout 3s set on session $tid/$sid" \
  "$WORK/lns.log" || fail "no log line for the CoA-ACK"
gone() {
  [[ $(ctl lns sessions --json | jq '.sessions | length') == 0 && $(pppd_count "$NS_S") == 0 &&
     $(kernel_sessions "$NS_S") == 0 ]]
}
wait_until 15 "session, pppd and kernel session gone on the LNS after the Session-Timeout" gone
took=$((($(date +%s%N) - acked) / 1000000))
((took >= 2500)) || fail "alice's session ended ${took}ms after the CoA-ACK, before its Session-Timeout of 3 s"
grep "l2tp: session $tid/$sid (alice): the Session-Timeout of 3s a CoA-Request set has passed; ending it" \
  "$WORK/lns.log" || fail "no log line for the session timeout"
stop_timeout() { jq -se '[.[] | select(.event == "stop")] | length == 1' "$WORK/audit.jsonl" >/dev/null; }
wait_until 10 "the audit stop record" stop_timeout
jq -se --argjson t "$tid" --argjson s "$sid" '[.[] | select(.event == "stop")][0] | .tunnel == $t and
  .session == $s and .user == "alice" and .reason == "radius-session-timeout"' "$WORK/audit.jsonl" >/dev/null ||
  fail "no audit stop record for $tid/$sid with reason radius-session-timeout: $(cat "$WORK/audit.jsonl")"
stopped() { [[ -n $(record Stop "$acct") ]]; }
wait_until 30 "the Accounting-Stop of $acct" stopped
record Stop "$acct" | grep 'Acct-Terminate-Cause = Session-Timeout' ||
  fail "the Accounting-Stop of $acct: $(record Stop "$acct")"
ok "CoA-Request Session-Timeout = 3 by Acct-Session-Id: CoA-ACK; session $tid/$sid ended ${took}ms later," \
  "audit reason radius-session-timeout, Acct-Terminate-Cause Session-Timeout"

# alice again, for the Disconnect-Request.
xl2tpd_ctl xl2tpd "c office"
wait_until 120 "ppp up in the LAC namespace (again)" ppp_up "$NS_C" "10.99.0.1[0-9]" 10.99.0.1
wait_until 30 "alice's session on the LNS (again)" alice_up
first_acct=$acct
session_up
[[ $acct != "$first_acct" ]] || fail "alice's second session has the first one's Acct-Session-Id $acct"
ok "alice's session $tid/$sid is up again, Acct-Session-Id $acct"

out=$(rad "$NS_C" "$R_SECRET" 'User-Name = alice' "Acct-Session-Id = \"$acct\"" 'NAS-Identifier = "l2tpsec-interop"')
echo "$out"
grep -q 'Received Disconnect-ACK' <<<"$out" || fail "User-Name = alice, Acct-Session-Id = $acct got no Disconnect-ACK"
wait_until 60 "session, pppd and kernel session gone on the LNS" gone
stop_record() { jq -se '[.[] | select(.event == "stop")] | length == 2' "$WORK/audit.jsonl" >/dev/null; }
wait_until 10 "the audit stop record" stop_record
cat "$WORK/audit.jsonl"
jq -se --argjson t "$tid" --argjson s "$sid" '[.[] | select(.event == "stop")][1] | .tunnel == $t and
  .session == $s and .user == "alice" and .reason == "radius-disconnect"' \
  "$WORK/audit.jsonl" >/dev/null || fail "no audit stop record for $tid/$sid with reason radius-disconnect"
grep "das: Disconnect-Request from $C_IP (Identifier [0-9]*) for User-Name alice, Acct-Session-Id $acct: ended session $tid/$sid" \
  "$WORK/lns.log" || fail "no log line for the disconnect"
ok "User-Name = alice, Acct-Session-Id = $acct: Disconnect-ACK; session $tid/$sid, its pppd and kernel session" \
  "gone; audit reason radius-disconnect"
echo PASS
