#!/bin/bash
# Split-tunnel routes over DHCPINFORM: an l2tpsecd LAC dials an l2tpsecd LNS
# (no IPsec) whose [ppp] has routes, domain and dns, and user_routes for
# alice, the LAC's user. Once the client's PPP link is up, a DHCP client in
# the client namespace (dhcp_inform_client.py, as Windows does it: from its
# PPP address:68 on the ppp interface to 255.255.255.255:67) sends a
# DHCPINFORM. Checked: the DHCPACK carries the routes (options 121 and 249,
# the server's end as the router), [ppp] routes then alice's own (a subnet in
# both once), the DNS server and the domain; the routes installed on the ppp
# interface reach addresses behind the server; after a reload that changes
# alice's user_routes the next answer has the new ones; and an INFORM that
# claims another ciaddr gets no answer.
#   usage: dhcp_inform.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

CLIENT=$(dirname "$0")/dhcp_inform_client.py
ppp_alice
write_lns_conf "$WORK/lns.conf"
# PPP_LNS is the last table: these lines belong to [ppp].
printf '%s\n' 'dns = ["10.99.0.1"]' 'routes = ["203.0.113.0/24", "198.51.100.128/25"]' 'domain = "lab.example"' \
  'user_routes = ["bob 10.40.0.0/16", "alice 10.20.0.0/24 203.0.113.0/24"]' >>"$WORK/lns.conf"
write_lac_conf "$WORK/lac.conf"
# Something behind the server to reach over the routes.
ip -n "$NS_S" addr add 203.0.113.7/32 dev lo || fail "address behind the server"
ip -n "$NS_S" addr add 10.20.0.7/32 dev lo || fail "address behind the server (alice's)"
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
grep -q 'dhcp: answering DHCPINFORM on PPP links (UDP port 67): 2 routes, domain lab.example' "$WORK/lns.log" ||
  fail "the LNS did not start its DHCPINFORM responder"
start_l2tpsecd lac "$NS_C" "$WORK/lac.conf"
ctl lac connect office >/dev/null || fail "l2tpctl connect office"
wait_until 120 "ppp up in the client namespace (10.99.0.10 peer 10.99.0.1)" ppp_up "$NS_C" 10.99.0.10 10.99.0.1
lns_established() { ctl lns sessions --json | jq -e '.sessions[0].state == "established" and .sessions[0].interface != null' >/dev/null; }
wait_until 60 "the LNS session established with its interface" lns_established
ifc=$(ip -n "$NS_C" -o link show type ppp | awk -F': ' '{ print $2 }' | head -1)
[[ -n $ifc ]] || fail "no ppp interface in the client namespace"
ok "PPP up: client 10.99.0.10 on $ifc"

out=$(ip netns exec "$NS_C" python3 "$CLIENT" "$ifc" 10.99.0.10 --timeout 10) || fail "no DHCPACK to the INFORM"
echo "$out"
expected='server 10.99.0.1
route 203.0.113.0/24 via 10.99.0.1
route 198.51.100.128/25 via 10.99.0.1
route 10.20.0.0/24 via 10.99.0.1
ms-route 203.0.113.0/24 via 10.99.0.1
ms-route 198.51.100.128/25 via 10.99.0.1
ms-route 10.20.0.0/24 via 10.99.0.1
dns 10.99.0.1
domain lab.example'
[[ $out == "$expected" ]] || fail "the DHCPACK is not what [ppp] says"
grep -q "dhcp: DHCPINFORM from 10.99.0.10 on ppp[0-9]*: answered (3 routes, domain lab.example, user alice)" \
  "$WORK/lns.log" || fail "the LNS did not log its answer"
ok "DHCPACK: [ppp] routes and alice's user_routes in 121 and 249, DNS and domain"

# Install the routes as a client does (on the PPP link) and use one.
while read -r _ prefix _; do
  ip -n "$NS_C" route add "$prefix" dev "$ifc" || fail "ip route add $prefix dev $ifc"
done < <(grep '^route ' <<<"$out")
routes=$(ip -n "$NS_C" route show dev "$ifc")
echo "$routes"
grep -q '^203\.0\.113\.0/24 ' <<<"$routes" || fail "203.0.113.0/24 not on $ifc"
grep -q '^198\.51\.100\.128/25 ' <<<"$routes" || fail "198.51.100.128/25 not on $ifc"
ip netns exec "$NS_C" ping -c 2 -i 0.3 -W 3 -w 20 203.0.113.7 >/dev/null || fail "no ping reply from 203.0.113.7"
ip netns exec "$NS_C" ping -c 2 -i 0.3 -W 3 -w 20 10.20.0.7 >/dev/null || fail "no ping reply from 10.20.0.7"
ok "routes installed on $ifc; 203.0.113.7 and 10.20.0.7 behind the server answer"

# A reload gives alice other subnets: the next answer has them.
sed -i 's|"alice 10.20.0.0/24 203.0.113.0/24"|"alice 10.30.0.0/16"|' "$WORK/lns.conf"
ctl lns reload >/dev/null || fail "l2tpctl reload (user_routes)"
out=$(ip netns exec "$NS_C" python3 "$CLIENT" "$ifc" 10.99.0.10 --timeout 10) || fail "no DHCPACK after the reload"
[[ $(grep '^route ' <<<"$out" | awk '{ print $2 }' | paste -sd' ') == "203.0.113.0/24 198.51.100.128/25 10.30.0.0/16" ]] ||
  fail "after the reload the routes are not [ppp] routes and alice's new ones: $out"
ok "reload: alice's new user_routes in the next DHCPACK"

# Another ciaddr than the session's client: no answer, and a log line.
ip netns exec "$NS_C" python3 "$CLIENT" "$ifc" 10.99.0.10 --ciaddr 10.99.0.99 --timeout 4
rc=$?
[[ $rc == 2 ]] || fail "an INFORM claiming ciaddr 10.99.0.99 got an answer or failed (exit $rc)"
wait_until 10 "the LNS logs the ignored INFORM" grep -q 'dhcp: ignored DHCPINFORM on ppp[0-9]* from ciaddr 10.99.0.99' "$WORK/lns.log"
ok "an INFORM with a wrong ciaddr is ignored"
echo PASS
