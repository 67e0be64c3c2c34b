#!/bin/bash
# RADIUS: xl2tpd as LAC dials l2tpsecd as LNS (no IPsec); the LNS pppd
# authenticates the user against a real FreeRADIUS (Debian's freeradius, its
# own minimal config tree in the scratch directory, listening on 198.51.100.1
# in the LNS namespace) through pppd's radius plugin, with the files l2tpsecd
# generates from [radius]. Checked: the generated files and their modes; a
# wrong password is refused (Access-Reject, pppd refuses the peer, no PPP link, no
# audit start record); the right one authenticates alice with MS-CHAPv2 and PPP
# comes up; after a ping burst and the hang-up, FreeRADIUS's detail file
# holds an Accounting-Start and an Accounting-Stop for the session with
# non-zero Acct-Input-Octets/Acct-Output-Octets, NAS-Port-Id
# l2tpsec-TUNNEL-SESSION equal to the audit records' tunnel and session,
# Calling-Station-Id the client's address and our NAS-Identifier; the
# Framed-Routes of alice's Access-Accept reach the client as split-tunnel
# routes in the answer to a DHCPINFORM over her PPP link (dhcp_inform_client.py);
# the files are gone when l2tpsecd stops.
#   usage: radius_auth.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"
source "$(dirname "$0")/freeradius_lib.sh"
command -v freeradius >/dev/null || fail "freeradius is not installed (run tools/setup)"
[[ -e /usr/lib/pppd/2.4.9/radius.so ]] || fail "pppd's radius plugin (/usr/lib/pppd/2.4.9/radius.so) is missing"

# Two Framed-Routes the client is told over DHCPINFORM, and one that does
# not parse (skipped with a warning).
start_freeradius alice-radius-pw 'Framed-Route += "10.20.0.0/24 0.0.0.0 1"' \
  'Framed-Route += "10.30.0.7 0.0.0.0 1"' 'Framed-Route += "not-a-route"'

radius_lns_conf "accounting_servers = [\"$R_IP:1813\"]" 'timeout = "3s"' 'retries = 2'
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
ok "l2tpsecd LNS listening on $S_IP:1701"

# The files l2tpsecd wrote for the plugin: 0700 directory, 0600 files.
[[ $(stat -c %a "$WORK/radius") == 700 ]] || fail "$WORK/radius is not mode 700"
for f in radiusclient.conf servers dictionary port-id-map; do
  [[ $(stat -c %a "$WORK/radius/$f") == 600 ]] || fail "$WORK/radius/$f is missing or not mode 600"
done
grep -qx "authserver $R_IP:1812" "$WORK/radius/radiusclient.conf" &&
  grep -qx "acctserver $R_IP:1813" "$WORK/radius/radiusclient.conf" &&
  grep -qx "nas_identifier l2tpsec-interop" "$WORK/radius/radiusclient.conf" ||
  fail "radiusclient.conf: $(cat "$WORK/radius/radiusclient.conf")"
grep -qx "$R_IP	$R_SECRET" "$WORK/radius/servers" || fail "the servers file does not hold the secret"
ok "radiusclient files written into $WORK/radius (700, files 600)"

# Two LAC profiles: one with a wrong password, one with the right one.
client_ppp_options bad alice 'not-the-password'
client_ppp_options good alice 'alice-radius-pw'
xl2tpd_client_conf bad good
start_xl2tpd xl2tpd "$NS_C" "$WORK/xl2tpd.conf"

# 1. The wrong password: FreeRADIUS rejects it, the LNS pppd refuses the
# peer (pppd 2.4.9's plugin passes no MS-CHAP-Error on: an empty Failure),
# the session ends (whoever clears it first: pppd exiting 11 or xl2tpd's
# CDN), no PPP link and no audit start record.
xl2tpd_ctl xl2tpd "c bad"
wait_until 120 "the LNS pppd to refuse alice after the RADIUS reject" \
  grep -q 'Peer alice failed CHAP authentication' "$WORK/lns.log"
grep -q 'Sent Access-Reject' "$WORK/freeradius.log" || fail "FreeRADIUS sent no Access-Reject"
grep -q 'Login incorrect' "$WORK/freeradius.log" || fail "FreeRADIUS logged no 'Login incorrect'"
grep -q '^rcvd \[CHAP Failure' "$WORK/bad-pppd.log" || fail "xl2tpd's pppd got no CHAP Failure"
no_sessions() { [[ $(ctl lns sessions --json | jq '.sessions | length') == 0 ]]; }
wait_until 60 "the refused session to end on the LNS" no_sessions
[[ $(ppp_count "$NS_C") == 0 && $(ppp_count "$NS_S") == 0 ]] || fail "a ppp interface is up after the reject"
! grep -q '"event":"start"' "$WORK/audit.jsonl" 2>/dev/null ||
  fail "an audit start record for a refused session: $(cat "$WORK/audit.jsonl")"
grep 'Login incorrect' "$WORK/freeradius.log" | tail -n 1
grep -E 'failed CHAP authentication' "$WORK/lns.log" | tail -n 1
ok "wrong password refused: Access-Reject, CHAP Failure, session ended, no PPP link, no audit start record"
xl2tpd_ctl xl2tpd "d bad"
no_tunnels() { [[ $(ctl lns tunnels --json | jq '[.tunnels[] | select(.state != "closing")] | length') == 0 ]]; }
wait_until 60 "the refused client's tunnel to close" no_tunnels

# 2. The right password: MS-CHAPv2 through RADIUS, PPP up, traffic.
xl2tpd_ctl xl2tpd "c good"
# (The refused session took a pool address too; which one this gets is the
# pool's business.)
lac_addr() { ip -n "$NS_C" -4 -o addr show 2>/dev/null | sed -n 's|.* inet \([0-9.]*\) peer 10\.99\.0\.1/32 .*|\1|p'; }
lac_up() { [[ -n "$(lac_addr)" ]]; }
wait_until 120 "ppp up in the LAC namespace (peer 10.99.0.1)" lac_up
addr=$(lac_addr)
wait_until 60 "ppp up in the LNS namespace (10.99.0.1 peer $addr)" ppp_up "$NS_S" 10.99.0.1 "$addr"
grep -q '^sent \[LCP ConfAck id=0x[0-9a-f]* .*<auth chap MS-v2>' "$WORK/good-pppd.log" ||
  fail "xl2tpd's pppd did not agree to MS-CHAPv2"
grep -q '^CHAP authentication succeeded' "$WORK/good-pppd.log" || fail "xl2tpd's pppd was not accepted"
grep -q 'Sent Access-Accept' "$WORK/freeradius.log" || fail "FreeRADIUS sent no Access-Accept"
grep -q 'MS-CHAP2-Response' "$WORK/freeradius.log" || fail "the Access-Request held no MS-CHAP2-Response"
sj=$(ctl lns sessions --json) || fail "l2tpctl sessions"
echo "$sj" | jq -c '.sessions[]'
jq -e --arg a "$addr" '.sessions | length == 1 and .[0].user == "alice" and .[0].address == $a' <<<"$sj" \
  >/dev/null ||
  fail "LNS session: $sj"
tid=$(jq '.sessions[0].tunnel' <<<"$sj") sid=$(jq '.sessions[0].session' <<<"$sj")
ok "alice authenticated by FreeRADIUS with MS-CHAPv2; session $tid/$sid up with $addr"

# Her Access-Accept's Framed-Routes: the client gets their destinations in
# the DHCPINFORM answer (the one that does not parse is skipped and logged).
grep -q "ppp: session $tid/$sid: RADIUS Framed-Route subnets for the client: 10.20.0.0/24, 10.30.0.7\$" \
  "$WORK/lns.log" || fail "the LNS did not log alice's Framed-Route subnets"
grep -q "ppp: session $tid/$sid: Framed-Route destination \"not-a-route\" is not an IPv4 subnet" "$WORK/lns.log" ||
  fail "the LNS did not log the Framed-Route it skipped"
lns_if() { ctl lns sessions --json | jq -e '.sessions[0].interface != null' >/dev/null; }
wait_until 30 "the LNS session's interface" lns_if
ifc=$(ip -n "$NS_C" -o link show type ppp | awk -F': ' '{ print $2 }' | head -1)
out=$(ip netns exec "$NS_C" python3 "$(dirname "$0")/dhcp_inform_client.py" "$ifc" "$addr" --timeout 10) ||
  fail "no DHCPACK to the INFORM on $ifc"
echo "$out"
[[ $out == 'server 10.99.0.1
route 10.20.0.0/24 via 10.99.0.1
route 10.30.0.7/32 via 10.99.0.1
ms-route 10.20.0.0/24 via 10.99.0.1
ms-route 10.30.0.7/32 via 10.99.0.1' ]] || fail "the DHCPACK does not carry alice's Framed-Routes"
ok "DHCPINFORM over $ifc: alice's Framed-Routes 10.20.0.0/24 and 10.30.0.7/32 as classless routes"
pings=20 size=1000
ip netns exec "$NS_C" ping -c $pings -s $size -i 0.2 -W 3 -w 60 10.99.0.1 >/dev/null || fail "ping burst failed"
ok "$pings pings of $size bytes across the PPP link"

# 3. Hang up: pppd sends Accounting-Stop with the link's counts.
xl2tpd_ctl xl2tpd "d good"
gone() {
  [[ $(ctl lns sessions --json | jq '.sessions | length') == 0 ]] && [[ $(pppd_count "$NS_S") == 0 ]]
}
wait_until 60 "session and pppd gone on the LNS" gone
stop_record() { grep -q '"event":"stop"' "$WORK/audit.jsonl"; }
wait_until 10 "the audit stop record" stop_record
cat "$WORK/audit.jsonl"
jq -se --argjson t "$tid" --argjson s "$sid" '[.[] | select(.tunnel == $t and .session == $s)]
  | length == 2 and .[0].event == "start" and .[1].event == "stop" and all(.[]; .user == "alice")' \
  "$WORK/audit.jsonl" >/dev/null ||
  fail "audit records are not a start and a stop for alice's session $tid/$sid"

DETAIL=$RADDB/acct/detail
has_stop() { grep -q 'Acct-Status-Type = Stop' "$DETAIL"; }
wait_until 30 "an Accounting-Stop in FreeRADIUS's detail file" has_stop
cp "$DETAIL" "$WORK/radius-detail.log"
cat "$DETAIL"
# One record per paragraph; the first for this session's NAS-Port-Id. pppd's
# radius plugin resends a request FreeRADIUS was slow to answer (a loaded VM),
# and the detail file then holds the same record twice (seen in CI).
record() {
  awk -v RS= -v type="$1" -v port="l2tpsec-$tid-$sid" \
    'index($0, "Acct-Status-Type = " type "\n") && index($0, "NAS-Port-Id = \"" port "\"\n") { print; exit }' \
    "$DETAIL"
}
start=$(record Start) stop=$(record Stop)
[[ -n "$start" ]] || fail "no Accounting-Start with NAS-Port-Id \"l2tpsec-$tid-$sid\" in $DETAIL"
[[ -n "$stop" ]] || fail "no Accounting-Stop with NAS-Port-Id \"l2tpsec-$tid-$sid\" in $DETAIL"
for r in "$start" "$stop"; do
  grep -q 'User-Name = "alice"' <<<"$r" && grep -q "Calling-Station-Id = \"$C_IP\"" <<<"$r" &&
    grep -q 'NAS-Identifier = "l2tpsec-interop"' <<<"$r" && grep -q "Framed-IP-Address = $addr\$" <<<"$r" ||
    fail "accounting record lacks alice, Calling-Station-Id $C_IP, NAS-Identifier or the address: $r"
done
sess_start=$(sed -n 's/.*Acct-Session-Id = "\(.*\)"/\1/p' <<<"$start")
sess_stop=$(sed -n 's/.*Acct-Session-Id = "\(.*\)"/\1/p' <<<"$stop")
[[ -n "$sess_start" && "$sess_start" == "$sess_stop" ]] ||
  fail "Acct-Session-Id of Start ($sess_start) and Stop ($sess_stop) differ"
in_octets=$(sed -n 's/.*Acct-Input-Octets = \([0-9]*\)/\1/p' <<<"$stop")
out_octets=$(sed -n 's/.*Acct-Output-Octets = \([0-9]*\)/\1/p' <<<"$stop")
echo "Accounting-Stop: Acct-Input-Octets $in_octets, Acct-Output-Octets $out_octets"
(( ${in_octets:-0} >= pings * size && ${out_octets:-0} >= pings * size )) ||
  fail "Accounting-Stop octets ($in_octets in, $out_octets out) are below $pings x $size"
ok "detail file: Accounting-Start and -Stop (Acct-Session-Id $sess_start) for NAS-Port-Id l2tpsec-$tid-$sid =" \
   "audit tunnel $tid session $sid, $in_octets octets in, $out_octets out"

# The daemon removes the files (the secret) when it stops.
kill -TERM "${DAEMON_PID[lns]}"
daemon_gone() { ! kill -0 "${DAEMON_PID[lns]}" 2>/dev/null; }
wait_until 30 "l2tpsecd to stop" daemon_gone
[[ ! -e "$WORK/radius" ]] || fail "$WORK/radius is still there after l2tpsecd stopped: $(ls -la "$WORK/radius")"
ok "l2tpsecd stopped and removed $WORK/radius"
echo PASS
