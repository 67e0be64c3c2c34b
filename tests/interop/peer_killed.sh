#!/bin/bash
# A LAC that dies without a word: xl2tpd dials l2tpsecd (LNS, [l2tp]
# hello_interval = "5s", default 5 retries), PPP comes up, then every process
# in the LAC's namespace (xl2tpd and its pppd) is killed with SIGKILL. The LNS
# must notice through its HELLO going unanswered (5 s of silence, then
# retransmissions after 1, 2, 4, 8, 8 s and a last 8 s wait: 36 s) and remove
# the tunnel, the kernel tunnel and session, and the session's pppd. Asserted:
# all gone within 50 s of the kill (36 s, plus up to 3 s for pppd to stop,
# plus room for the emulated VM), the LNS giving up no sooner than 20 s after
# the kill (the retransmissions ran), and an audit stop record saying why.
#   usage: peer_killed.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

bound=50
ppp_alice
# Only L2TP's HELLO may find the dead peer here, not pppd's LCP echo.
write_lns_conf "$WORK/lns.conf" server="audit_log = \"$WORK/audit.jsonl\"" l2tp='hello_interval = "5s"' \
  options='["lcp-echo-interval 0"]'
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"

client_ppp_options office alice alice-pw-4711
XL2TPD_AUTODIAL=yes xl2tpd_client_conf office
start_xl2tpd xl2tpd "$NS_C" "$WORK/xl2tpd.conf"
wait_until 120 "ppp up in the LNS namespace" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
wait_until 30 "ppp up in the LAC namespace" ppp_up "$NS_C" 10.99.0.10 10.99.0.1
[[ $(kernel_tunnels "$NS_S") == 1 && $(kernel_sessions "$NS_S") == 1 && $(pppd_count "$NS_S") == 1 ]] ||
  fail "before the kill: not one kernel tunnel, one session and one pppd on the LNS"
ok "PPP up; LNS has 1 tunnel, 1 session, 1 pppd"

t_kill=$(date +%s.%N)
kill_ns "$NS_C" KILL
ns_empty() { [[ -z "$(ip netns pids "$NS_C")" ]]; }
wait_until 10 "every process in the LAC namespace dead" ns_empty
ok "killed xl2tpd and its pppd (SIGKILL)"

# Polled with ip and /proc only (l2tpctl and jq are slow in the emulated VM).
kernel_gone() {
  [[ $(kernel_tunnels "$NS_S") == 0 && $(kernel_sessions "$NS_S") == 0 && $(pppd_count "$NS_S") == 0 ]]
}
end=$(($(date +%s) + bound + 30))
until kernel_gone; do
  [[ $(date +%s) -lt $end ]] || fail "LNS state still there $((bound + 30))s after the peer was killed"
  sleep 0.2
done
took=$(awk -v a="$t_kill" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
# When the LNS gave up, by its own log's clock (the same clock as ours).
line=$(grep -m1 "the peer stopped answering (5 retransmissions)" "$WORK/lns.log") ||
  fail "no 'the peer stopped answering' line in the LNS log"
detected=$(awk -v a="$t_kill" -v b="$(date -d "${line%% *}" +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "LNS gave up on the peer ${detected}s after the kill; kernel tunnel/session and pppd gone after ${took}s"
grep -E " (l2tp|ppp|audit): " "$WORK/lns.log" | tail -n 5
awk -v t="$took" -v b="$bound" 'BEGIN { exit !(t <= b) }' || fail "took ${took}s, more than ${bound}s"
# At least most of the retransmission cycle ran: HELLO found the dead peer,
# nothing else did.
awk -v t="$detected" 'BEGIN { exit !(t >= 20) }' || fail "gave up after ${detected}s: too early for HELLO"
[[ $(ctl lns tunnels --json | jq '.tunnels | length') == 0 ]] || fail "l2tpctl still lists the tunnel"
[[ $(ctl lns sessions --json | jq '.sessions | length') == 0 ]] || fail "l2tpctl still lists the session"
[[ $(ppp_count "$NS_S") == 0 ]] || fail "a ppp interface is left on the LNS"
ok "dead peer found by HELLO after ${detected}s; tunnel, kernel tunnel/session, pppd gone after ${took}s (bound ${bound}s)"
jq -se '.[-1].event == "stop" and (.[-1].reason | test("stopped answering"))' "$WORK/audit.jsonl" >/dev/null ||
  fail "no audit stop record for the dead peer: $(cat "$WORK/audit.jsonl")"
ok "audit stop record: $(jq -rs '.[-1].reason' "$WORK/audit.jsonl")"
echo PASS
