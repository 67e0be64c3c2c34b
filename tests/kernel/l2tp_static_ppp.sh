#!/bin/bash
# A static L2TPv2 tunnel and PPP session at both ends of a veth pair, made by
# l2tpsec-dp (NetlinkL2tpDataplane); pppd on each end through a PPPoL2TP socket
# opened by the same code; the ppp interfaces come up and ping each other.
# Checked independently with `ip l2tp show`, and the session counters read by
# our code must rise with the pings. Then everything is torn down and
# `ip l2tp show tunnel` must be empty.
#   usage: l2tp_static_ppp.sh PATH-TO-l2tpsec-dp   (inside the lab VM)
source "$(dirname "$0")/l2tp_lib.sh"

# 1. Tunnels and sessions. A is the LNS (RFC 2661 §2), B the LAC.
in_a "$DP" l2tp add-tunnel --tid 16385 --peer-tid 16386 --local 192.0.2.1 --peer 192.0.2.2 || fail "add-tunnel A"
in_b "$DP" l2tp add-tunnel --tid 16386 --peer-tid 16385 --local 192.0.2.2 --peer 192.0.2.1 || fail "add-tunnel B"
in_a "$DP" l2tp add-session --tid 16385 --sid 1 --peer-sid 2 --lns || fail "add-session A"
in_b "$DP" l2tp add-session --tid 16386 --sid 2 --peer-sid 1 || fail "add-session B"
ok "static tunnels and sessions created"

# 2. What iproute2 sees, read independently of our code.
tun_a=$(ip -n "$NS_A" l2tp show tunnel) || fail "ip l2tp show tunnel"
echo "$tun_a"
grep -q "^Tunnel 16385, encap UDP" <<<"$tun_a" || fail "A: no tunnel 16385 over UDP"
grep -q "From 192.0.2.1 to 192.0.2.2" <<<"$tun_a" || fail "A: tunnel addresses differ"
grep -q "Peer tunnel 16386" <<<"$tun_a" || fail "A: peer tunnel id differs"
grep -q "UDP source / dest ports: 1701/1701" <<<"$tun_a" || fail "A: UDP ports differ"
grep -q "UDP checksum: enabled" <<<"$tun_a" || fail "A: UDP checksums not enabled"
[[ $(grep -c '^Tunnel' <<<"$tun_a") -eq 1 ]] || fail "A: more than one tunnel"
tun_b=$(ip -n "$NS_B" l2tp show tunnel) || fail "ip l2tp show tunnel"
grep -q "^Tunnel 16386, encap UDP" <<<"$tun_b" || fail "B: no tunnel 16386"
grep -q "From 192.0.2.2 to 192.0.2.1" <<<"$tun_b" || fail "B: tunnel addresses differ"
sess_a=$(ip -n "$NS_A" l2tp show session) || fail "ip l2tp show session"
echo "$sess_a"
grep -q "^Session 1 in tunnel 16385" <<<"$sess_a" || fail "A: no session 1 in tunnel 16385"
grep -q "Peer session 2, tunnel 16386" <<<"$sess_a" || fail "A: peer session/tunnel differ"
sess_b=$(ip -n "$NS_B" l2tp show session) || fail "ip l2tp show session"
grep -q "^Session 2 in tunnel 16386" <<<"$sess_b" || fail "B: no session 2 in tunnel 16386"
grep -q "Peer session 1, tunnel 16385" <<<"$sess_b" || fail "B: peer session/tunnel differ"
ok "ip l2tp show agrees with what was requested"

# Our own view (JSON), checked against the request too.
json_a=$(in_a "$DP" l2tp show --json) || fail "show --json A"
python3 - "$json_a" <<'EOF' || fail "A: l2tpsec-dp show --json differs from the request"
import json, sys
d = json.loads(sys.argv[1])
[t] = d["tunnels"]
assert (t["tunnel_id"], t["peer_tunnel_id"], t["version"]) == (16385, 16386, 2), t
assert (t["local"], t["local_port"], t["peer"], t["peer_port"]) == ("192.0.2.1", 1701, "192.0.2.2", 1701), t
[s] = t["sessions"]
assert (s["session_id"], s["peer_session_id"], s["lns_mode"]) == (1, 2, True), s
EOF
ok "l2tpsec-dp show --json agrees with the request"

# 3. pppd on each end, on a PPPoL2TP socket made by l2tpsec-dp (fd 3).
command -v pppd >/dev/null || fail "pppd is not installed"
start_pppd "$NS_A" lns 10.0.0.1 10.0.0.2 --tid 16385 --sid 1 --peer-tid 16386 --peer-sid 2 --lns
pid_a=$PPPD_PID
start_pppd "$NS_B" lac 10.0.0.2 10.0.0.1 --tid 16386 --sid 2 --peer-tid 16385 --peer-sid 1
pid_b=$PPPD_PID
wait_ppp_up "$NS_A" lns 10.0.0.1 10.0.0.2
wait_ppp_up "$NS_B" lac 10.0.0.2 10.0.0.1
ok "pppd up on both ends: ppp-lns 10.0.0.1 <-> ppp-lac 10.0.0.2"

# The exec'd pppd kept our PID and must hold the PPPoL2TP socket as fd 3.
[[ "$(readlink /proc/$pid_a/fd/3)" == socket:* ]] || fail "pppd A has no socket on fd 3"

# 4. Ping across PPP; the session counters read by our code must rise by at
#    least the pings (plus LCP/IPCP traffic, hence "at least").
read -r atx0 arx0 atxb0 arxb0 < <(session_stats "$NS_A") || fail "no stats from A"
read -r btx0 brx0 _ _ < <(session_stats "$NS_B") || fail "no stats from B"
pings=10
in_a ping -c "$pings" -i 0.2 -W 2 -w 30 10.0.0.2 || fail "no ping reply across PPP from A"
in_b ping -c 2 -i 0.2 -W 2 -w 10 10.0.0.1 >/dev/null || fail "no ping reply across PPP from B"
read -r atx1 arx1 atxb1 arxb1 < <(session_stats "$NS_A") || fail "no stats from A"
read -r btx1 brx1 _ _ < <(session_stats "$NS_B") || fail "no stats from B"
echo "session A: tx $atx0 -> $atx1 packets ($atxb0 -> $atxb1 bytes), rx $arx0 -> $arx1 packets ($arxb0 -> $arxb1 bytes)"
echo "session B: tx $btx0 -> $btx1 packets, rx $brx0 -> $brx1 packets"
(( atx1 - atx0 >= pings && arx1 - arx0 >= pings )) || fail "A's session counters rose by less than $pings"
(( btx1 - btx0 >= pings && brx1 - brx0 >= pings )) || fail "B's session counters rose by less than $pings"
# The session counts PPP frames: each ping is 84 bytes of IP plus the PPP protocol field.
(( atxb1 - atxb0 >= pings * 84 && arxb1 - arxb0 >= pings * 84 )) || fail "A's session bytes rose by less than $pings pings"
ok "session statistics rose with the traffic"

# The same objects read one by one (TUNNEL_GET / SESSION_GET, not a dump).
one=$(in_a "$DP" l2tp show --tid 16385 --sid 1 --json) || fail "show --tid --sid"
python3 - "$one" "$atx1" "$arx1" <<'EOF' || fail "A: TUNNEL_GET/SESSION_GET answers differ: $one"
import json, sys
[t] = json.loads(sys.argv[1])["tunnels"]
assert (t["tunnel_id"], t["peer_tunnel_id"], t["local"], t["peer_port"]) == (16385, 16386, "192.0.2.1", 1701), t
assert t["stats"]["tx_packets"] >= int(sys.argv[2]), t  # tunnel counters include the session's
[s] = t["sessions"]
assert (s["session_id"], s["peer_session_id"], s["lns_mode"]) == (1, 2, True), s
assert s["stats"]["tx_packets"] >= int(sys.argv[2]) and s["stats"]["rx_packets"] >= int(sys.argv[3]), s
EOF
ok "TUNNEL_GET and SESSION_GET agree with the dumps"

# 5. Teardown. pppd closing its PPPoL2TP socket deletes the session
#    (pppol2tp_release); then the tunnels go, and nothing is left.
kill -TERM "$pid_a" "$pid_b"
wait "$pid_a" "$pid_b" 2>/dev/null
PIDS=()
wait_until 30 "session 1 gone in A after pppd exited" \
  bash -c "[[ -z \"\$(ip -n $NS_A l2tp show session)\" ]]"
in_a "$DP" l2tp del-tunnel --tid 16385 || fail "del-tunnel A"
in_b "$DP" l2tp del-tunnel --tid 16386 || fail "del-tunnel B"
wait_until 30 "A's tunnel list to empty" no_tunnels "$NS_A"
wait_until 30 "B's tunnel list to empty" no_tunnels "$NS_B"
[[ -z "$(ip -n "$NS_B" l2tp show session)" ]] || fail "B: sessions left"
[[ "$(in_a "$DP" l2tp show --json)" == '{"tunnels": []}' ]] || fail "A: l2tpsec-dp still shows tunnels"
ok "after teardown ip l2tp show tunnel/session are empty"
echo PASS
