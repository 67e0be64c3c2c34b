#!/bin/bash
# strongSwan (charon via swanctl, IKEv1, aes256-sha1-modp2048, PSK, transport
# mode for udp/1701) as initiator against l2tpsecd as responder, with the
# kernel's XFRM, L2TP and pppd: the client namespace runs charon and an
# l2tpsecd LAC with ipsec = "off" (charon's policies carry its L2TP), the
# server namespace the l2tpsecd LNS with ipsec = "required". Checked: Main Mode
# and Quick Mode complete, both kernels hold the SA pair, the LNS admits the
# L2TP tunnel and brings up PPP, a ping over PPP makes the LNS's ESP counters
# (l2tpctl sas) rise, a second l2tpsecd started beside the LNS refuses and
# changes nothing, and a delete from strongSwan removes the LNS's SAs and
# closes its tunnel.
#   usage: strongswan_psk.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

psk='interop pre-shared key 4711'
secret_file "$WORK/psk" "$psk"
ppp_alice
write_lns_conf "$WORK/lns.conf" ipsec=required
write_lac_conf "$WORK/lac.conf"

charon_psk_conf "$WORK/swanctl.conf" me="$C_IP" peer="$S_IP"
start_charon charon "$NS_C" "$WORK/swanctl.conf"

start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
ok "l2tpsecd LNS on $S_IP (ipsec required), charon on $C_IP"

swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate.log" 2>&1 ||
  fail "swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate.log")"
sas=$(ctl lns sas --json) || fail "l2tpctl sas"
jq -e '(.isakmp | length) == 1 and .isakmp[0].state == "established" and .isakmp[0].role == "responder"
       and .isakmp[0].suite == "aes256-sha1-modp2048" and (.ipsec | length) == 1
       and .ipsec[0].suite == "aes256-sha1" and .ipsec[0].nat_t == false' <<<"$sas" >/dev/null ||
  fail "LNS SAs: $sas"
in_spi=$(jq -r '.ipsec[0].in_spi' <<<"$sas") out_spi=$(jq -r '.ipsec[0].out_spi' <<<"$sas")
ip -n "$NS_S" xfrm state | grep -q "spi $in_spi" || fail "no inbound SA $in_spi in the LNS kernel"
ip -n "$NS_C" xfrm state | grep -q "spi $out_spi" || fail "no SA $out_spi in the client kernel (charon)"
ok "Main Mode + Quick Mode with charon: SA pair in $in_spi out $out_spi in both kernels"

start_l2tpsecd lac "$NS_C" "$WORK/lac.conf"
ctl lac connect office >/dev/null || fail "l2tpctl connect office"
wait_until 120 "PPP up over the protected tunnel" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
ok "L2TP tunnel admitted through the IPsec SA, PPP up"

esp_ping lns "$NS_S" 10.99.0.10

# A second l2tpsecd started by mistake beside the serving one (another
# control socket, the same config) refuses to start and changes nothing:
# the client's pings go on, the SAs, the session, the kernel's state and the
# pppd stay as they were.
snapshot() {
  ctl lns sas --json | jq -c '[.isakmp[] | {id, state}], [.ipsec[] | {in_spi, out_spi}]'
  ctl lns sessions --json | jq -c '[.sessions[] | {tunnel, session, user, address, state}]'
  ip -n "$NS_S" xfrm state list | grep -c '^src '
  ip -n "$NS_S" xfrm policy list | grep -c '^src '
  kernel_sessions "$NS_S"
  pppd_count "$NS_S"
}
before=$(snapshot)
ip netns exec "$NS_C" ping -c 20 -i 0.2 -W 2 10.99.0.1 >"$WORK/ping-second.log" 2>&1 &
pinger=$!
t0=$(date +%s%N)
ip netns exec "$NS_S" timeout 10 "$DAEMON" -c "$WORK/lns.conf" --control-socket "$WORK/second.sock" \
  --pppd-plugin "$(realpath "$PPPD_PLUGIN")" 2>"$WORK/second.log"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
wait "$pinger" || fail "pings from the client failed while a second daemon tried: $(cat "$WORK/ping-second.log")"
grep -q ' 0% packet loss' "$WORK/ping-second.log" || fail "pings lost: $(tail -2 "$WORK/ping-second.log")"
[[ $rc == 1 ]] || fail "the second daemon exited $rc, not 1: $(cat "$WORK/second.log")"
grep -q "error daemon: cannot start: another l2tpsecd is running in this network namespace (pid ${DAEMON_PID[lns]}, control socket $WORK/lns.sock)" \
  "$WORK/second.log" || fail "the second daemon said: $(cat "$WORK/second.log")"
[[ $(grep -c . "$WORK/second.log") == 1 ]] || fail "the second daemon said more than one line: $(cat "$WORK/second.log")"
[[ ! -e $WORK/second.sock ]] || fail "the second daemon made a control socket"
after=$(snapshot)
[[ $after == "$before" ]] || fail "the first daemon's state changed: before $before, after $after"
# What any start costs here (the VM emulates its CPU), beside the refusal's time.
t0=$(date +%s%N)
ip netns exec "$NS_S" "$DAEMON" --version >/dev/null || fail "l2tpsecd --version"
version_ms=$((($(date +%s%N) - t0) / 1000000))
ok "a second l2tpsecd exited 1 after ${ms} ms (l2tpsecd --version: ${version_ms} ms) naming pid" \
  "${DAEMON_PID[lns]}; 20 pings, SAs and session untouched"
esp_ping lns "$NS_S" 10.99.0.10

swan charon --terminate --ike l2tp >"$WORK/swanctl-terminate.log" 2>&1 || fail "swanctl --terminate"
no_sas() { ctl lns sas --json | jq -e '(.isakmp | length) == 0 and (.ipsec | length) == 0'; }
wait_until 30 "the LNS drops its SAs after strongSwan's delete" no_sas
kernel_sa_gone() { ! ip -n "$NS_S" xfrm state | grep -q "spi $in_spi"; }
wait_until 30 "the LNS kernel SAs removed" kernel_sa_gone
closed() { [[ $(ctl lns tunnels --json | jq '[.tunnels[] | select(.state == "established")] | length') == 0 ]]; }
wait_until 30 "the LNS closes the tunnel once its IPsec SA is gone" closed
ok "strongSwan's delete removed the LNS's SAs and closed the tunnel"
echo PASS
