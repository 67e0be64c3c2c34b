#!/bin/bash
# Two l2tpsecd processes over loopback, one the LNS and one a LAC with a
# [[lac]] profile, both on the fake kernel dataplane (no root, no kernel L2TP):
# `l2tpctl connect` brings a tunnel and a session up over real UDP sockets,
# both daemons list them, the LNS hands out a pool address and writes audit
# start/stop records, `l2tpctl disconnect PROFILE` clears it, and SIGTERM sends
# StopCCN. The kernel-backed version of this runs in the interop suite.
# Usage: lac_lns.sh L2TPSECD L2TPCTL
LNS_EXTRA='hello_interval = "5s"'
source "$(dirname "$0")/lac_lns_lib.sh" "$1" "$2" laclns 21702
# A [[lac]] profile's psk_file is read (and checked) even when IPsec is off.
echo 'an unused pre-shared key' >"$tmp/psk"; chmod 600 "$tmp/psk"
write_lac lac 127.0.0.2 "psk_file = \"$tmp/psk\""

start lns
start lac

lac connect office >/dev/null || fail "l2tpctl connect office"
up() { [[ $(lns sessions --json | jq '[.sessions[] | select(.state == "established")] | length') == 1 ]]; }
waitfor up || fail "no established session on the LNS"
waitfor bash -c "[[ \$($ctl -s $tmp/lac.sock sessions --json | jq -r '.sessions[0].state') == established ]]" ||
  fail "no established session on the LAC"

t=$(lns tunnels --json) || fail "lns tunnels"
jq -e '.tunnels | length == 1' <<<"$t" >/dev/null || fail "LNS tunnels: $t"
jq -e '.tunnels[0] | .role == "lns" and .state == "established" and .peer == "127.0.0.2:'$port'" and .sessions == 1' \
  <<<"$t" >/dev/null || fail "LNS tunnel: $t"
s=$(lns sessions --json)
jq -e '.sessions[0] | .address == "10.99.0.10" and .role == "lns" and .peer == "127.0.0.2:'$port'"' <<<"$s" \
  >/dev/null || fail "LNS session: $s"
l=$(lac sessions --json)
jq -e '.sessions[0] | .user == "alice" and .role == "lac" and .profile == "office"' <<<"$l" >/dev/null ||
  fail "LAC session: $l"
# The tunnel ids agree across the two daemons.
lns_tid=$(jq '.tunnels[0].tunnel' <<<"$t")
lac_peer_tid=$(lac tunnels --json | jq '.tunnels[0].peer_tunnel')
[[ $lns_tid == "$lac_peer_tid" ]] || fail "LAC sees peer tunnel $lac_peer_tid, LNS has $lns_tid"
sid=$(jq '.sessions[0].session' <<<"$s")
lns show "$lns_tid/$sid" --json | jq -e '.session.address == "10.99.0.10"' >/dev/null || fail "show T/S"
lns show "$lns_tid" | grep -q "^$lns_tid " || fail "show T (text)"
# show USER: the chain of each of the user's sessions (no IPsec, no pppd here).
lac show alice --json | jq -e '.user == "alice" and (.chains | length) == 1 and .chains[0].session.profile == "office"
  and .chains[0].isakmp == null and .chains[0].pppd_pid == null and .chains[0].audit_started != null' >/dev/null ||
  fail "show alice: $(lac show alice --json)"
err=$(lac show nobody 2>&1) && fail "show nobody succeeded"
[[ $err == "l2tpctl: no tunnel, session or user 'nobody'" ]] || fail "show nobody: $err"

# Disconnecting the profile clears the session on both ends and audits it.
lac disconnect office >/dev/null || fail "l2tpctl disconnect office"
waitfor bash -c "[[ \$($ctl -s $tmp/lns.sock sessions --json | jq '.sessions | length') == 0 ]]" ||
  fail "LNS session still there after disconnect"
waitfor bash -c "[[ \$($ctl -s $tmp/lns.sock tunnels --json | jq '[.tunnels[] | select(.state == \"established\")] | length') == 0 ]]" ||
  fail "LNS tunnel still established after the LAC's StopCCN"
[[ $(wc -l <"$tmp/audit.jsonl") == 2 ]] || fail "audit has $(wc -l <"$tmp/audit.jsonl") lines: $(cat "$tmp/audit.jsonl")"
jq -se '.[0].event == "start" and .[1].event == "stop" and .[0].address == "10.99.0.10"
        and .[1].session == .[0].session and (.[1].reason | test("StopCCN|CDN")) and .[1].duration_seconds >= 0' \
  "$tmp/audit.jsonl" >/dev/null || fail "audit records: $(cat "$tmp/audit.jsonl")"

# Connect again, then stop the LNS: its StopCCN reaches the LAC, which
# schedules a reconnect (the profile is still wanted).
lac connect office >/dev/null || fail "second connect"
waitfor up || fail "no session after reconnecting"
kill -TERM "${pids[0]}"
waitfor bash -c "! kill -0 ${pids[0]} 2>/dev/null" || fail "LNS still running after SIGTERM"
wait "${pids[0]}"; rc=$?
[[ $rc == 0 ]] || fail "LNS exit status $rc"
waitfor grep -q "LAC office: tunnel down: peer sent StopCCN (result 6); reconnecting in 5s" "$tmp/lac.log" ||
  fail "the LAC did not schedule a reconnect"
[[ $(grep -c '"event":"stop"' "$tmp/audit.jsonl") == 2 ]] || fail "second stop record missing"
kill -TERM "${pids[1]}"; wait "${pids[1]}" 2>/dev/null; pids=()
echo "ok: LAC and LNS daemons over loopback"
