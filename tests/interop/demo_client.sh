#!/bin/bash
# The demo (tools/demo runs it in the lab VM) and its test: the Linux
# L2TP/IPsec client stack that NetworkManager-l2tp drives -- strongSwan's
# charon for IKEv1 with a pre-shared key, xl2tpd for L2TP, pppd with
# MS-CHAPv2 -- dials an l2tpsecd server that requires IPsec. It ends with
# the connected session as l2tpctl shows it: the ISAKMP and IPsec SAs, the
# tunnel and the session, with traffic counted on the ESP SA, the session's
# interface, client kind and rates under a ping flood, and `show alice`'s
# chain naming the SPIs the kernel holds.
#   usage: demo_client.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

psk='demo pre-shared key 0815'
secret_file "$WORK/psk" "$psk"
secret_file "$WORK/chap-secrets" 'alice * alice-pw-0815 *'
# The server runs l2tpsec(7)'s configuration as the guide has the admin
# write it: examples/road-warrior.conf with this lab's address and paths.
sed -e "s|^listen = .*|listen = [\"$S_IP\"]|" -e "s|/etc/l2tpsec/|$WORK/|" -e "s|/var/log/l2tpsec/|$WORK/|" \
  "$(dirname "$0")/../../examples/road-warrior.conf" >"$WORK/server.conf"
grep -q "listen = \[\"$S_IP\"\]" "$WORK/server.conf" || fail "road-warrior.conf has no listen line to set"
start_l2tpsecd server "$NS_S" "$WORK/server.conf"
ok "server: l2tpsecd on $S_IP (IKE 500/4500, L2TP 1701, IPsec required)"

# The client: charon protects UDP 1701 <-> 1701 in transport mode, as
# NetworkManager-l2tp configures it; xl2tpd and its pppd run the L2TP and PPP.
cat >"$WORK/swanctl.conf" <<EOF
connections {
  vpn {
    version = 1
    local_addrs = $C_IP
    remote_addrs = $S_IP
    proposals = aes256-sha1-modp2048
    local {
      auth = psk
    }
    remote {
      auth = psk
    }
    children {
      l2tp {
        mode = transport
        local_ts = dynamic[udp/1701]
        remote_ts = dynamic[udp/1701]
        esp_proposals = aes256-sha1
      }
    }
  }
}
secrets {
  ike-vpn {
    secret = "$psk"
  }
}
EOF
start_charon charon "$NS_C" "$WORK/swanctl.conf"
swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate.log" 2>&1 ||
  fail "swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate.log")"
ok "client: strongSwan negotiated IKEv1 Main Mode + Quick Mode with the server"

client_ppp_options vpn alice alice-pw-0815
xl2tpd_client_conf vpn
start_xl2tpd xl2tpd "$NS_C" "$WORK/xl2tpd.conf"
xl2tpd_ctl xl2tpd "c vpn"
wait_until 120 "PPP up at the client (10.99.0.10 peer 10.99.0.1)" ppp_up "$NS_C" 10.99.0.10 10.99.0.1
ok "client: xl2tpd + pppd connected, alice authenticated with MS-CHAPv2, address 10.99.0.10"

ip netns exec "$NS_C" ping -c 5 -i 0.3 -W 3 -w 30 10.99.0.1 >/dev/null || fail "no ping reply over the VPN"
ok "client pings the server's end of the PPP link through ESP"

sas=$(ctl server sas --json) || fail "l2tpctl sas"
jq -e '(.isakmp | length) == 1 and .isakmp[0].state == "established" and (.ipsec | length) == 1
       and .ipsec[0].in_bytes > 0' <<<"$sas" >/dev/null || fail "server SAs: $sas"
sessions=$(ctl server sessions --json) || fail "l2tpctl sessions"
jq -e '[.sessions[] | select(.state == "established")] | length == 1' <<<"$sessions" >/dev/null ||
  fail "server sessions: $sessions"
wire=$(ip -n "$NS_S" -s xfrm state | grep -c 'proto esp') || true
((wire == 2)) || fail "the server's kernel holds $wire ESP SAs, expected 2"

# Monitoring: the session's interface and client kind, a rate under load
# (the daemon samples the kernel's counters every 5 s), and show USER's chain
# naming the SPIs the kernel holds.
jq -e '.sessions[0].interface | test("^ppp[0-9]+$")' <<<"$sessions" >/dev/null ||
  fail "no pppd interface in the session: $sessions"
jq -e '.sessions[0].client == "strongSwan/xl2tpd" and .sessions[0].ike_peer == "'"$C_IP"':500"' <<<"$sessions" \
  >/dev/null || fail "client kind or IKE peer of the session: $sessions"
# Its fingerprint: xl2tpd's SCCRQ, charon's vendor IDs and offers.
jq -e '.sessions[0].fingerprint | .vendor_name == "xelerance.com" and (.vendor_ids | length > 0)
       and (.phase1 | length > 0) and (.phase2 | test("pfs"))' <<<"$sessions" >/dev/null ||
  fail "the session's fingerprint: $sessions"
rated() { ctl server sessions --json | jq -e '.sessions[0].rx_rate > 0 and .sessions[0].tx_rate > 0'; }
# The last sampling interval must have carried the flood: sample while it runs.
ip netns exec "$NS_C" ping -f -s 1000 -w 15 10.99.0.1 >"$WORK/ping-flood.log" 2>&1 &
flood=$!
wait_until 15 "a non-zero rate in both directions while the client floods" rated
wait "$flood" || true
ok "sessions: interface $(ctl server sessions --json | jq -r '.sessions[0].interface'), client strongSwan/xl2tpd," \
  "rates under a ping flood"
show=$(ctl server show alice --json) || fail "l2tpctl show alice"
# (Read whole first: grep -q leaving early would fail the pipe, pipefail.)
states=$(ip -n "$NS_S" xfrm state)
for spi in $(jq -r '.chains[0].ipsec.in_spi, .chains[0].ipsec.out_spi' <<<"$show"); do
  grep -q "spi $spi " <<<"$states" || fail "show alice names SPI $spi, not in the kernel: $show"
done
jq -e '.user == "alice" and (.chains | length) == 1 and .chains[0].pppd_pid > 0
       and .chains[0].isakmp.state == "established" and .chains[0].audit_started != null' <<<"$show" >/dev/null ||
  fail "show alice: $show"
ok "show alice: the chain names the SPIs the kernel holds"

echo
echo "== l2tpctl sas"
ctl server sas
echo
echo "== l2tpctl tunnels"
ctl server tunnels
echo
echo "== l2tpctl sessions"
ctl server sessions
echo
echo "== l2tpctl show alice"
ctl server show alice
echo
ok "one connected session, protected by IPsec, shown by l2tpctl"
echo PASS
