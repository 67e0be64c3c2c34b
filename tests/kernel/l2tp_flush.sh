#!/bin/bash
# Crash recovery: static tunnels and sessions outlive the process that made
# them (here, l2tpsec-dp exits at once, as a crashed daemon would). `l2tpsec-dp
# l2tp flush` must remove those in l2tpsec's id range (OwnedTunnelIds,
# 0x4000-0x7fff) with their sessions and leave a foreign tunnel (id 100, made
# by `ip l2tp`) alone.
#   usage: l2tp_flush.sh PATH-TO-l2tpsec-dp   (inside the lab VM)
source "$(dirname "$0")/l2tp_lib.sh"

in_a "$DP" l2tp add-tunnel --tid 16390 --peer-tid 20 --local 192.0.2.1 --peer 192.0.2.2 || fail "add-tunnel 16390"
in_a "$DP" l2tp add-session --tid 16390 --sid 1 --peer-sid 1 || fail "add-session 16390/1"
in_a "$DP" l2tp add-session --tid 16390 --sid 2 --peer-sid 2 || fail "add-session 16390/2"
in_a "$DP" l2tp add-tunnel --tid 32767 --peer-tid 21 --local 192.0.2.1 --peer 192.0.2.2 --sport 1703 --dport 1703 ||
  fail "add-tunnel 32767"
ip -n "$NS_A" l2tp add tunnel tunnel_id 100 peer_tunnel_id 101 encap udp local 192.0.2.1 remote 192.0.2.2 \
  udp_sport 1702 udp_dport 1702 || fail "ip l2tp add tunnel (the foreign one)"
ip -n "$NS_A" l2tp add session tunnel_id 100 session_id 1 peer_session_id 1 || fail "ip l2tp add session"
[[ $(ip -n "$NS_A" l2tp show tunnel | grep -c '^Tunnel') -eq 3 ]] || fail "expected 3 tunnels before the flush"
ok "left behind: tunnels 16390 (2 sessions) and 32767; foreign tunnel 100 (1 session)"

out=$(in_a "$DP" l2tp flush) || fail "flush failed"
[[ "$out" == "flushed 2 tunnels" ]] || fail "flush printed '$out'"
tunnels=$(ip -n "$NS_A" l2tp show tunnel)
echo "$tunnels"
[[ $(grep -c '^Tunnel' <<<"$tunnels") -eq 1 ]] || fail "flush left $(grep -c '^Tunnel' <<<"$tunnels") tunnels"
grep -q '^Tunnel 100,' <<<"$tunnels" || fail "the foreign tunnel 100 is gone"
sessions=$(ip -n "$NS_A" l2tp show session)
[[ $(grep -c '^Session' <<<"$sessions") -eq 1 ]] || fail "sessions after flush: $sessions"
grep -q '^Session 1 in tunnel 100' <<<"$sessions" || fail "the foreign session is gone"
ok "flush removed the owned tunnels and their sessions, kept the foreign one"

# flush returns only once the kernel has let go of the ids: reusable at once.
in_a "$DP" l2tp add-tunnel --tid 16390 --peer-tid 22 --local 192.0.2.1 --peer 192.0.2.2 ||
  fail "tunnel id 16390 not reusable right after the flush"
in_a "$DP" l2tp del-tunnel --tid 16390 || fail "del-tunnel 16390"
wait_until 30 "tunnel 16390 to go" no_tunnels "$NS_A" 16390
ok "the flushed id 16390 can be used again at once"

out=$(in_a "$DP" l2tp flush) || fail "second flush failed"
[[ "$out" == "flushed 0 tunnels" ]] || fail "second flush printed '$out'"
ip -n "$NS_A" l2tp del tunnel tunnel_id 100 || fail "ip l2tp del tunnel 100"
wait_until 30 "the tunnel list to empty" no_tunnels "$NS_A"
ok "a second flush finds nothing; the foreign tunnel is removed by its owner"
echo PASS
