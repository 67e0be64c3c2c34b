#!/bin/bash
# l2tpsecd as LAC (a [[lac]] profile, `l2tpctl connect`) dials xl2tpd as LNS
# (no IPsec), over a veth pair between two network namespaces, with the
# kernel's L2TP and a pppd at each end. xl2tpd's pppd requires MS-CHAPv2 and
# hands out 10.99.1.10 from its range; l2tpsecd's pppd authenticates as alice
# with the password from the profile's password_file (passwordfd). Checked:
# PPP comes up at both ends, pings cross, `l2tpctl sessions` on our side shows
# the established session with user alice and the address we were given, the
# kernel holds the tunnel and session l2tpctl lists; `l2tpctl disconnect`
# clears it on both ends.
#   usage: xl2tpd_lns.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

# xl2tpd's pppd reads /etc/ppp/chap-secrets: start_xl2tpd binds ours there.
secret_file "$WORK/chap-secrets" 'alice * alice-pw-4711 *'
cat >"$WORK/lns-ppp.options" <<EOF
require-mschap-v2
refuse-pap
refuse-chap
refuse-mschap
refuse-eap
noccp
nodefaultroute
lcp-echo-interval 0
mtu 1400
mru 1400
debug
logfile $WORK/lns-pppd.log
EOF
cat >"$WORK/xl2tpd.conf" <<EOF
[global]
listen-addr = $S_IP
port = 1701
access control = no
[lns default]
ip range = 10.99.1.10-10.99.1.20
local ip = 10.99.1.1
require authentication = yes
refuse pap = yes
name = xl2tpd-lns
length bit = yes
pppoptfile = $WORK/lns-ppp.options
EOF
start_xl2tpd xl2tpd "$NS_S" "$WORK/xl2tpd.conf" "$WORK/chap-secrets"
ok "xl2tpd LNS on $S_IP:1701"

ppp_alice
write_lac_conf "$WORK/lac.conf" server="audit_log = \"$WORK/audit.jsonl\""
start_l2tpsecd lac "$NS_C" "$WORK/lac.conf"
ctl lac connect office >/dev/null || fail "l2tpctl connect office"

wait_until 120 "ppp up in the LAC namespace (10.99.1.10 peer 10.99.1.1)" ppp_up "$NS_C" 10.99.1.10 10.99.1.1
wait_until 60 "ppp up in the LNS namespace (10.99.1.1 peer 10.99.1.10)" ppp_up "$NS_S" 10.99.1.1 10.99.1.10
ok "PPP up: LAC (l2tpsecd) 10.99.1.10 <-> LNS (xl2tpd) 10.99.1.1"
# xl2tpd's pppd (debug) asked for MS-CHAPv2, got alice's Response and accepted it.
grep -q '^rcvd \[LCP ConfAck id=0x[0-9a-f]* .*<auth chap MS-v2>' "$WORK/lns-pppd.log" ||
  fail "xl2tpd's pppd did not get MS-CHAPv2 agreed"
grep -q '^rcvd \[CHAP Response id=0x[0-9a-f]* <[0-9a-f]*>, name = "alice"\]' "$WORK/lns-pppd.log" ||
  fail "xl2tpd's pppd got no CHAP Response from alice"
grep -q '^sent \[CHAP Success id=' "$WORK/lns-pppd.log" || fail "xl2tpd's pppd did not accept alice"
ok "alice authenticated to xl2tpd's pppd with MS-CHAP-v2"

ip netns exec "$NS_C" ping -c 3 -i 0.3 -W 3 -w 30 10.99.1.1 >/dev/null || fail "no ping reply LAC -> LNS over PPP"
ip netns exec "$NS_S" ping -c 3 -i 0.3 -W 3 -w 30 10.99.1.10 >/dev/null || fail "no ping reply LNS -> LAC over PPP"
ok "ping across the PPP link both ways"

tj=$(ctl lac tunnels --json) || fail "l2tpctl tunnels"
sj=$(ctl lac sessions --json) || fail "l2tpctl sessions"
echo "$tj" | jq -c '.tunnels[]'
echo "$sj" | jq -c '.sessions[]'
ctl lac sessions
jq -e --arg p "$S_IP:1701" '.tunnels | length == 1 and (.[0] | .role == "lac" and .state == "established"
    and .peer == $p and .profile == "office" and .sessions == 1)' <<<"$tj" >/dev/null || fail "LAC tunnels: $tj"
jq -e --arg p "$S_IP:1701" '.sessions | length == 1 and (.[0] | .role == "lac" and .state == "established"
    and .user == "alice" and .profile == "office" and .peer == $p and .address == "10.99.1.10")' <<<"$sj" \
  >/dev/null || fail "LAC sessions: $sj"
tid=$(jq '.tunnels[0].tunnel' <<<"$tj") sid=$(jq '.sessions[0].session' <<<"$sj")
ip -n "$NS_C" l2tp show session | grep -q "^Session $sid in tunnel $tid\$" ||
  fail "the kernel in the LAC namespace has no session $tid/$sid: $(ip -n "$NS_C" l2tp show session)"
[[ $(pppd_count "$NS_C") == 1 ]] || fail "the LAC namespace has $(pppd_count "$NS_C") pppd processes, not 1"
ok "l2tpctl sessions: $tid/$sid alice 10.99.1.10 established (and in the kernel)"

ctl lac disconnect office >/dev/null || fail "l2tpctl disconnect office"
gone() {
  [[ $(ctl lac sessions --json | jq '.sessions | length') == 0 ]] &&
    [[ $(kernel_tunnels "$NS_C") == 0 && $(kernel_sessions "$NS_C") == 0 ]] &&
    [[ $(pppd_count "$NS_C") == 0 ]] && [[ $(ppp_count "$NS_S") == 0 ]]
}
wait_until 60 "session, kernel state and pppd gone on our side, ppp interface gone on xl2tpd's" gone
ok "disconnect: nothing left on the LAC, xl2tpd's ppp interface gone"
jq -se '.[0].event == "start" and .[1].event == "stop" and all(.[]; .user == "alice" and .role == "lac")' \
  "$WORK/audit.jsonl" >/dev/null || fail "LAC audit records: $(cat "$WORK/audit.jsonl")"
ok "LAC audit: start and stop records"
echo PASS
