#!/bin/bash
# RADIUS Disconnect-Request and CoA-Request (RFC 5176) to an l2tpsecd LNS over
# loopback, on the fake dataplanes (no root, no pppd: the LNS learns no user
# name, so sessions are named here by Framed-IP-Address and NAS-Port-Id; the
# interop test radius_disconnect.sh names them by User-Name). radclient
# (freeradius-utils) sends the requests: a wrong NAS-Identifier gets a
# Disconnect-NAK 403, an unknown session 503; a CoA-Request for an unknown
# session a CoA-NAK 503, with Service-Type Authorize-Only 405, with
# Idle-Timeout 401, without Session-Timeout 402; the right Framed-IP-Address
# a Disconnect-ACK that ends the session (the audit's stop record says
# radius-disconnect), NAS-Port-Id likewise; a CoA-Request with Session-Timeout
# 2 by NAS-Port-Id a CoA-ACK, and the session ends by itself about 2 s later
# (audit reason radius-session-timeout); a wrong secret and an unknown source
# get no answer and one log line each.
# Usage: radius_das.sh L2TPSECD L2TPCTL
source "$(dirname "$0")/lac_lns_lib.sh" "$1" "$2" radiusdas 21742
command -v radclient >/dev/null || { echo "radclient (freeradius-utils) is not installed: skipped"; exit 77; }
das_port=23799 secret=das-test-secret-1
(umask 077 && echo radius-auth-secret >"$tmp/radius.secret" && echo "$secret" >"$tmp/das.secret")
cat >"$tmp/lns.conf" <<CONF
[server]
listen = ["127.0.0.1"]
control_socket = "$tmp/lns.sock"
audit_log = "$tmp/audit.jsonl"
[l2tp]
ipsec = "off"
[ppp]
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.19"
[radius]
auth_servers = ["127.0.0.1"]
secret_file = "$tmp/radius.secret"
nas_identifier = "das-test"
das_listen = ["127.0.0.1"]
das_port = $das_port
das_clients = ["127.0.0.1"]
das_secret_file = "$tmp/das.secret"
CONF
start lns
start lac
grep -q "das: taking Disconnect-Requests on 127.0.0.1 port $das_port from 127.0.0.1 (NAS-Identifier das-test)" \
  "$tmp/lns.log" || fail "no listener line"

# radclient TYPE SECRET ATTRIBUTE-LINES...: its output (one try, 2 s).
rad() {
  local type=$1 sec=$2
  shift 2
  printf '%s\n' "$@" | radclient -x -r 1 -t 2 "127.0.0.1:$das_port" "$type" "$sec" 2>&1
}
sessions() { lns sessions --json | jq '.sessions | length'; }
up() { [[ $(lns sessions --json | jq '[.sessions[] | select(.state == "established")] | length') == 1 ]]; }

lac connect office >/dev/null || fail "l2tpctl connect office"
waitfor up || fail "no established session on the LNS"
s=$(lns sessions --json)
addr=$(jq -r '.sessions[0].address' <<<"$s") tid=$(jq '.sessions[0].tunnel' <<<"$s") sid=$(jq '.sessions[0].session' <<<"$s")

out=$(rad disconnect "$secret" "Framed-IP-Address = $addr" 'NAS-Identifier = "other-nas"')
grep -q 'Received Disconnect-NAK' <<<"$out" && grep -q 'Error-Cause = NAS-Identification-Mismatch' <<<"$out" ||
  fail "wrong NAS-Identifier: $out"
out=$(rad disconnect "$secret" 'Framed-IP-Address = 10.99.0.99')
grep -q 'Received Disconnect-NAK' <<<"$out" && grep -q 'Error-Cause = Session-Context-Not-Found' <<<"$out" ||
  fail "unknown session: $out"
# coa_nak CAUSE ATTRIBUTE-LINES...: a CoA-Request answered with a CoA-NAK, Error-Cause CAUSE.
coa_nak() {
  local cause=$1
  shift
  out=$(rad coa "$secret" "$@")
  grep -q 'Received CoA-NAK' <<<"$out" && grep -q "Error-Cause = $cause" <<<"$out" || fail "CoA $*: $out"
}
coa_nak Session-Context-Not-Found 'Framed-IP-Address = 10.99.0.99' 'Session-Timeout = 60'
coa_nak Unsupported-Service "Framed-IP-Address = $addr" 'Session-Timeout = 60' 'Service-Type = Authorize-Only'
coa_nak Unsupported-Attribute "Framed-IP-Address = $addr" 'Session-Timeout = 60' 'Idle-Timeout = 60'
coa_nak Missing-Attribute "Framed-IP-Address = $addr"
grep -q "das: CoA-Request from 127.0.0.1 (Identifier [0-9]*): NAK, Error-Cause 503: no session of Framed-IP-Address 10.99.0.99" \
  "$tmp/lns.log" || fail "no log line for the CoA-NAK 503"
out=$(rad disconnect wrong-secret "Framed-IP-Address = $addr")
grep -q 'No reply from server' <<<"$out" || fail "wrong secret answered: $out"
grep -q "das: ignored a Disconnect-Request from 127.0.0.1:[0-9]* (Identifier [0-9]*): wrong authenticator" \
  "$tmp/lns.log" || fail "no log line for the wrong secret"
[[ $(sessions) == 1 ]] || fail "a refused request ended the session"
echo "ok: NAKs 403, 503, CoA-NAKs 503, 405, 401, 402; a wrong secret is ignored and logged"

out=$(rad disconnect "$secret" "Framed-IP-Address = $addr" 'NAS-Identifier = "das-test"' 'Message-Authenticator = 0x00')
grep -q 'Received Disconnect-ACK' <<<"$out" || fail "no Disconnect-ACK: $out"
waitfor bash -c "[[ \$($ctl -s $tmp/lns.sock sessions --json | jq '.sessions | length') == 0 ]]" ||
  fail "the session is still there after the Disconnect-ACK"
stopped() { grep -q '"event":"stop"' "$tmp/audit.jsonl"; }
waitfor stopped || fail "no audit stop record"
jq -se --argjson t "$tid" --argjson s "$sid" \
  '[.[] | select(.event == "stop")] | length == 1 and .[0].tunnel == $t and .[0].session == $s
   and .[0].reason == "radius-disconnect"' "$tmp/audit.jsonl" >/dev/null ||
  fail "audit: $(cat "$tmp/audit.jsonl")"
grep -q "das: Disconnect-Request from 127.0.0.1 (Identifier [0-9]*) for Framed-IP-Address $addr: ended session $tid/$sid" \
  "$tmp/lns.log" || fail "no log line for the disconnect"
echo "ok: Disconnect-Request by Framed-IP-Address: ACK, session $tid/$sid ended, audit reason radius-disconnect"

# A new session in the same tunnel, named by NAS-Port-Id.
lac call office >/dev/null || fail "l2tpctl call office"
waitfor up || fail "no second session"
s=$(lns sessions --json)
tid=$(jq '.sessions[0].tunnel' <<<"$s") sid=$(jq '.sessions[0].session' <<<"$s")
out=$(rad disconnect "$secret" "NAS-Port-Id = \"l2tpsec-$tid-$sid\"")
grep -q 'Received Disconnect-ACK' <<<"$out" || fail "NAS-Port-Id: no Disconnect-ACK: $out"
waitfor bash -c "[[ \$($ctl -s $tmp/lns.sock sessions --json | jq '.sessions | length') == 0 ]]" ||
  fail "the second session is still there after the Disconnect-ACK"
echo "ok: Disconnect-Request by NAS-Port-Id"

# A third session: a CoA-Request gives it 2 s more; then it ends by itself.
lac call office >/dev/null || fail "l2tpctl call office (third)"
waitfor up || fail "no third session"
s=$(lns sessions --json)
tid=$(jq '.sessions[0].tunnel' <<<"$s") sid=$(jq '.sessions[0].session' <<<"$s")
out=$(rad coa "$secret" "NAS-Port-Id = \"l2tpsec-$tid-$sid\"" 'Session-Timeout = 2')
grep -q 'Received CoA-ACK' <<<"$out" || fail "no CoA-ACK: $out"
acked=$(date +%s%N)
grep -q "das: CoA-Request from 127.0.0.1 (Identifier [0-9]*) for NAS-Port-Id l2tpsec-$tid-$sid: Session-Timeout 2s set on session $tid/$sid" \
  "$tmp/lns.log" || fail "no log line for the CoA-ACK"
[[ $(sessions) == 1 ]] || fail "the CoA-Request ended the session at once"
waitfor bash -c "[[ \$($ctl -s $tmp/lns.sock sessions --json | jq '.sessions | length') == 0 ]]" ||
  fail "the session outlived its Session-Timeout"
took=$((($(date +%s%N) - acked) / 1000000))
((took >= 1500)) || fail "the session ended ${took}ms after the CoA-ACK, before its Session-Timeout of 2 s"
timed_out() { jq -se 'any(.[]; .event == "stop" and .reason == "radius-session-timeout")' "$tmp/audit.jsonl" >/dev/null; }
waitfor timed_out || fail "no audit stop record with reason radius-session-timeout: $(cat "$tmp/audit.jsonl")"
grep -q "l2tp: session $tid/$sid: the Session-Timeout of 2s a CoA-Request set has passed; ending it" "$tmp/lns.log" ||
  fail "no log line for the session timeout"
echo "ok: CoA-Request Session-Timeout 2: CoA-ACK, the session ended ${took}ms later (radius-session-timeout)"

# From an address not in das_clients: no answer, a log line.
python3 - "$das_port" <<'PY' || fail "the request from 127.0.0.9 was answered"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.9", 0))
s.settimeout(1)
s.sendto(bytes.fromhex("28da001b948a3053219630be0435fefd4d25b6c40107616c696365"), ("127.0.0.1", int(sys.argv[1])))
try:
    s.recv(4096)
    sys.exit(1)
except socket.timeout:
    pass
PY
waitfor grep -q "das: ignored a request from 127.0.0.9:[0-9]*: not in \[radius\] das_clients" "$tmp/lns.log" ||
  fail "no log line for the unknown source"
echo "ok: a request from an unknown address is ignored and logged"

# A reload that moves the port: the listener follows.
sed -i "s/^das_port = .*/das_port = $((das_port + 1))/" "$tmp/lns.conf"
lns reload >/dev/null || fail "reload"
das_port=$((das_port + 1))
out=$(rad disconnect "$secret" 'Framed-IP-Address = 10.99.0.99')
grep -q 'Error-Cause = Session-Context-Not-Found' <<<"$out" || fail "after the reload: $out"
echo "ok: a reload moves the listener"
stop lac
stop lns
echo "ok: RADIUS Disconnect-Request to the LNS over loopback"
