#!/bin/bash
# xl2tpd as LAC dials l2tpsecd as LNS (no IPsec), over a veth pair between two
# network namespaces, with the kernel's L2TP and a pppd at each end; the client
# authenticates as alice with MS-CHAPv2 (xl2tpd's pppd refuses every other
# method). Checked: PPP comes up at both ends with the pool address, pings
# cross the link, `ip l2tp show` in the LNS namespace agrees with l2tpctl
# tunnels/sessions --json, the session shows user alice, its address and byte
# counters that rise with a ping burst, and its fingerprint's PPP options are
# what the client's pppd was told (mru 1400, MS-CHAPv2 only, noccp,
# usepeerdns) and what its log says it asked for; then xl2tpd hangs up and
# the audit file has the start and the stop record (user, address, non-zero
# byte counts), and the kernel tunnel, session and pppd are gone.
#   usage: xl2tpd_lac.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

ppp_alice
write_lns_conf "$WORK/lns.conf" server="audit_log = \"$WORK/audit.jsonl\"" options='["lcp-echo-interval 0"]'
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
ok "l2tpsecd LNS listening on $S_IP:1701"

client_ppp_options office alice alice-pw-4711
# (It asks the server for DNS addresses: the fingerprint shows that.)
echo usepeerdns >>"$WORK/office-ppp.options"
xl2tpd_client_conf office
start_xl2tpd xl2tpd "$NS_C" "$WORK/xl2tpd.conf"
xl2tpd_ctl xl2tpd "c office"

wait_until 120 "ppp up in the LAC namespace (10.99.0.10 peer 10.99.0.1)" ppp_up "$NS_C" 10.99.0.10 10.99.0.1
wait_until 60 "ppp up in the LNS namespace (10.99.0.1 peer 10.99.0.10)" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
ok "PPP up: LAC 10.99.0.10 <-> LNS 10.99.0.1"
# xl2tpd's pppd (debug) agreed to authenticate with MS-CHAPv2, as alice, and
# was accepted.
grep -q '^sent \[LCP ConfAck id=0x[0-9a-f]* .*<auth chap MS-v2>' "$WORK/office-pppd.log" ||
  fail "xl2tpd's pppd did not agree to MS-CHAPv2"
grep -q '^sent \[CHAP Response id=0x[0-9a-f]* <[0-9a-f]*>, name = "alice"\]' "$WORK/office-pppd.log" ||
  fail "xl2tpd's pppd sent no CHAP Response as alice"
grep -q '^CHAP authentication succeeded' "$WORK/office-pppd.log" || fail "xl2tpd's pppd was not accepted"
ok "alice authenticated with MS-CHAPv2"

ip netns exec "$NS_C" ping -c 3 -i 0.3 -W 3 -w 30 10.99.0.1 >/dev/null || fail "no ping reply LAC -> LNS over PPP"
ip netns exec "$NS_S" ping -c 3 -i 0.3 -W 3 -w 30 10.99.0.10 >/dev/null || fail "no ping reply LNS -> LAC over PPP"
ok "ping across the PPP link both ways"

# The kernel's view (iproute2, independent of our code) against l2tpctl's.
tj=$(ctl lns tunnels --json) || fail "l2tpctl tunnels"
sj=$(ctl lns sessions --json) || fail "l2tpctl sessions"
echo "$tj" | jq -c '.tunnels[]'
echo "$sj" | jq -c '.sessions[]'
jq -e '.tunnels | length == 1' <<<"$tj" >/dev/null || fail "LNS tunnels: $tj"
jq -e '.sessions | length == 1' <<<"$sj" >/dev/null || fail "LNS sessions: $sj"
tid=$(jq '.tunnels[0].tunnel' <<<"$tj") ptid=$(jq '.tunnels[0].peer_tunnel' <<<"$tj")
sid=$(jq '.sessions[0].session' <<<"$sj") psid=$(jq '.sessions[0].peer_session' <<<"$sj")
jq -e --arg p "$C_IP:1701" '.tunnels[0] | .role == "lns" and .state == "established" and .peer == $p
    and .sessions == 1' <<<"$tj" >/dev/null || fail "LNS tunnel: $tj"
kt=$(ip -n "$NS_S" l2tp show tunnel) || fail "ip l2tp show tunnel"
ks=$(ip -n "$NS_S" l2tp show session) || fail "ip l2tp show session"
echo "$kt"
echo "$ks"
[[ $(grep -c '^Tunnel ' <<<"$kt") == 1 ]] || fail "the kernel has not exactly one tunnel"
grep -q "^Tunnel $tid, encap UDP" <<<"$kt" || fail "kernel tunnel is not $tid"
grep -q "Peer tunnel $ptid\$" <<<"$kt" || fail "kernel peer tunnel is not $ptid"
grep -q "From $S_IP to $C_IP" <<<"$kt" || fail "kernel tunnel addresses"
grep -q "UDP source / dest ports: 1701/1701" <<<"$kt" || fail "kernel tunnel ports"
[[ $(grep -c '^Session ' <<<"$ks") == 1 ]] || fail "the kernel has not exactly one session"
grep -q "^Session $sid in tunnel $tid\$" <<<"$ks" || fail "kernel session is not $tid/$sid"
grep -q "Peer session $psid, tunnel $ptid\$" <<<"$ks" || fail "kernel peer session is not $ptid/$psid"
ok "ip l2tp show tunnel/session = l2tpctl: tunnel $tid (peer $ptid), session $sid (peer $psid)"

jq -e --arg p "$C_IP:1701" '.sessions[0] | .user == "alice" and .address == "10.99.0.10" and .role == "lns"
    and .state == "established" and .peer == $p' <<<"$sj" >/dev/null || fail "LNS session: $sj"
[[ $(pppd_count "$NS_S") == 1 ]] || fail "the LNS namespace has $(pppd_count "$NS_S") pppd processes, not 1"
rx0=$(jq '.sessions[0].rx_bytes' <<<"$sj") tx0=$(jq '.sessions[0].tx_bytes' <<<"$sj")
pings=20 size=1000
ip netns exec "$NS_C" ping -c $pings -s $size -i 0.2 -W 3 -w 60 10.99.0.1 >/dev/null || fail "ping burst failed"
sj=$(ctl lns sessions --json) || fail "l2tpctl sessions"
rx1=$(jq '.sessions[0].rx_bytes' <<<"$sj") tx1=$(jq '.sessions[0].tx_bytes' <<<"$sj")
echo "session $tid/$sid bytes: rx $rx0 -> $rx1, tx $tx0 -> $tx1"
(( rx1 - rx0 >= pings * size && tx1 - tx0 >= pings * size )) ||
  fail "session byte counters rose by less than $pings x $size bytes: rx $rx0 -> $rx1, tx $tx0 -> $tx1"
ok "user alice, address 10.99.0.10, byte counters rose with the ping burst"

# The client's PPP options in its fingerprint: what its pppd was told, and
# the options of its first LCP and IPCP requests as its own log has them
# (pppd's names spelled as l2tpctl's).
ppp=$(jq -c '.sessions[0].fingerprint.ppp' <<<"$sj")
jq -e '.mru == 1400 and .auth == "ms-chap-v2" and .magic_number and .dns_requested and (.wins_requested | not)
       and (has("ccp_request") | not) and (.ipcp_request | index("dns1") != null and index("dns2") != null)' \
  <<<"$ppp" >/dev/null || fail "the fingerprint's ppp: $ppp"
first_request() {
  grep -m1 "^sent \[$1 ConfReq" "$WORK/office-pppd.log" | grep -o '<[a-z-]*[0-9]*' | tr -d '<' |
    sed -e 's/^asyncmap$/accm/; s/^magic$/magic-number/; s/^pcomp$/pfc/; s/^accomp$/acfc/' \
      -e 's/^compress$/vj/; s/^addr$/address/; s/^ms-dns\([12]\)$/dns\1/' | paste -sd' '
}
for cp in LCP IPCP; do
  sent=$(first_request $cp)
  shown=$(jq -r --arg k "${cp,,}_request" '.[$k] | join(" ")' <<<"$ppp")
  [[ -n $sent && $sent == "$shown" ]] || fail "$cp: the client's pppd sent \"$sent\", the fingerprint has \"$shown\""
done
ok "fingerprint.ppp as the client's pppd was configured and asked: $ppp"

# The LAC hangs up: xl2tpd clears the tunnel (StopCCN).
xl2tpd_ctl xl2tpd "d office"
gone() {
  [[ $(ctl lns sessions --json | jq '.sessions | length') == 0 ]] &&
    [[ $(ctl lns tunnels --json | jq '[.tunnels[] | select(.state != "closing")] | length') == 0 ]] &&
    [[ $(kernel_tunnels "$NS_S") == 0 && $(kernel_sessions "$NS_S") == 0 ]] &&
    [[ $(pppd_count "$NS_S") == 0 && $(ppp_count "$NS_S") == 0 ]]
}
wait_until 60 "tunnel, session, kernel state and pppd gone on the LNS after the LAC hung up" gone
ok "LAC hung up: no tunnel, session, kernel tunnel/session, pppd or ppp interface left on the LNS"

two_records() { [[ $(wc -l <"$WORK/audit.jsonl") -ge 2 ]]; }
wait_until 10 "two audit records" two_records
cat "$WORK/audit.jsonl"
[[ $(wc -l <"$WORK/audit.jsonl") == 2 ]] || fail "audit has $(wc -l <"$WORK/audit.jsonl") records"
jq -se --argjson t "$tid" --argjson s "$sid" --arg p "$C_IP:1701" '
  .[0].event == "start" and .[1].event == "stop"
  and all(.[]; .user == "alice" and .address == "10.99.0.10" and .tunnel == $t and .session == $s
               and .peer == $p and .role == "lns")
  and .[1].rx_bytes >= 20000 and .[1].tx_bytes >= 20000 and .[1].rx_packets > 0 and .[1].tx_packets > 0
  and (.[1].reason | length > 0) and .[1].duration_seconds >= 0' "$WORK/audit.jsonl" >/dev/null ||
  fail "audit records are not a start and a stop for alice's session with its byte counts"
ok "audit: start and stop records for alice (reason: $(jq -rs '.[1].reason' "$WORK/audit.jsonl"))"
echo PASS
