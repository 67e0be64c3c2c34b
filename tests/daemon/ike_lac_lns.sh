#!/bin/bash
# l2tpsecd over loopback with [l2tp] ipsec = "required" and a pre-shared key,
# on the fake kernel dataplanes (no root): a LAC profile negotiates IKEv1
# Main Mode + Quick Mode first, then its L2TP tunnel and session; both daemons
# list the ISAKMP SA and an IPsec SA pair whose SPIs mirror each other; a LAC
# with the wrong key gets no SA and no tunnel, and the LNS names it in one log
# line, and blocks it ([blocking] failures = 1: no DH for its next Main Mode,
# l2tpctl blocked and unblock); L2TP without IPsec is refused; SIGTERM of a LAC deletes its SAs at
# the LNS (Delete notifications). The kernel-backed version, against
# strongSwan, is tests/interop/strongswan_psk.sh.
# Usage: ike_lac_lns.sh L2TPSECD L2TPCTL
# Ports of this test's own: meson runs the daemon tests in parallel.
LNS_IPSEC=required LAC_IPSEC=required IKE_PORTS="21505 24505"
LNS_TABLES='[blocking]
failures = 1
block_time = "1h"'
LNS_EXTRA='hello_interval = "5s"'
source "$(dirname "$0")/lac_lns_lib.sh" "$1" "$2" ikelaclns 21705
l2tp_port=$port
(umask 077 && echo 'not the key, though long enough' >"$tmp/wrong.psk")
write_lac lac 127.0.0.2 "psk_file = \"$tmp/psk\""
write_lac bad 127.0.0.3 "psk_file = \"$tmp/wrong.psk\""
write_lac first 127.0.0.5 "psk_file = \"$tmp/psk\""

start lns
start lac
no_sas() { lns sas --json | jq -e '(.isakmp | length) == 0 and (.ipsec | length) == 0' >/dev/null; }

# A first LAC comes and goes (SIGTERM deletes its SAs at the LNS). Each fake
# dataplane hands out SPIs from 0xc0000001 on; after this one the LNS's are
# ahead of the LAC's, so the SPI comparison below means something.
start first
"$ctl" -s "$tmp/first.sock" connect office >/dev/null || fail "connect (first LAC)"
waitfor bash -c "$ctl -s $tmp/lns.sock tunnels --json | jq -e '.tunnels[0].state == \"established\"' >/dev/null" ||
  fail "no tunnel from the first LAC"
stop first
waitfor no_sas || fail "SAs of the first LAC still at the LNS after its SIGTERM: $(lns sas --json)"

# IPsec first, then L2TP.
lac connect office | grep -q "negotiating IPsec" || fail "l2tpctl connect office did not start IKE"
up() { [[ $(lns sessions --json | jq '[.sessions[] | select(.state == "established")] | length') == 1 ]]; }
waitfor up || fail "no established session on the LNS"
grep -q "LAC office: IPsec up (in 0x" "$tmp/lac.log" || fail "the LAC did not wait for IPsec"
grep -q "ISAKMP SA .* established (aes" "$tmp/lns.log" || fail "no Main Mode on the LNS"

# Both ends list one ISAKMP SA and one IPsec SA pair; the SPIs mirror.
n=$(lns sas --json) || fail "lns sas --json"
c=$(lac sas --json) || fail "lac sas --json"
jq -e '(.isakmp | length) == 1 and .isakmp[0].state == "established" and .isakmp[0].role == "responder"
       and .isakmp[0].peer == "127.0.0.2:'$ike_port'" and (.isakmp[0].suite | length) > 0' <<<"$n" >/dev/null ||
  fail "LNS ISAKMP SAs: $n"
jq -e '(.isakmp | length) == 1 and .isakmp[0].role == "initiator" and .isakmp[0].peer == "127.0.0.1:'$ike_port'"' \
  <<<"$c" >/dev/null || fail "LAC ISAKMP SAs: $c"
jq -e '(.ipsec | length) == 1 and .ipsec[0].mode == "transport" and .ipsec[0].nat_t == false' <<<"$n" \
  >/dev/null || fail "LNS IPsec SAs: $n"
[[ $(jq -r '.ipsec[0].in_spi' <<<"$n") != $(jq -r '.ipsec[0].in_spi' <<<"$c") ]] || fail "both ends chose one SPI: $n"
[[ $(jq -r '.ipsec[0].in_spi' <<<"$n") == $(jq -r '.ipsec[0].out_spi' <<<"$c") &&
   $(jq -r '.ipsec[0].out_spi' <<<"$n") == $(jq -r '.ipsec[0].in_spi' <<<"$c") ]] ||
  fail "SPIs do not mirror: LNS $n LAC $c"
[[ $(jq -r '.isakmp[0].suite' <<<"$n") == $(jq -r '.isakmp[0].suite' <<<"$c") ]] || fail "suites differ"
lns sas | grep -q "^IPsec SAs" || fail "l2tpctl sas (text)"
# The LNS admitted the tunnel because the SA protects it.
t=$(lns tunnels --json)
jq -e '[.tunnels[] | select(.peer == "127.0.0.2:'$l2tp_port'" and .state == "established")] | length == 1' \
  <<<"$t" >/dev/null ||
  fail "LNS tunnel: $t"

# The wrong key: no SA, no tunnel, and one line at the LNS naming the peer.
start bad
"$ctl" -s "$tmp/bad.sock" connect office >/dev/null || fail "connect with the wrong key"
waitfor grep -q "peer 127.0.0.3:$ike_port: authentication failed (pre-shared key mismatch?)" "$tmp/lns.log" ||
  fail "no authentication failure line for 127.0.0.3 at the LNS"
lns tunnels --json | jq -e '[.tunnels[] | select(.peer | startswith("127.0.0.3"))] | length == 0' >/dev/null ||
  fail "a tunnel from the LAC with the wrong key"
lns sas --json | jq -e '[.ipsec[] | select(.peer | startswith("127.0.0.3"))] | length == 0' >/dev/null ||
  fail "an IPsec SA for the LAC with the wrong key"
stop bad

# Brute-force blocking ([blocking] failures = 1): that failure blocked
# 127.0.0.3, logged and audited once; its next Main Mode costs no DH;
# l2tpctl blocked lists it and unblock lifts it.
grep -q "blocking: 127.0.0.3 blocked for 1h: 1 failed authentications within 5m (last: IKE: Main Mode 5: pre-shared key mismatch?)" \
  "$tmp/lns.log" || fail "no 'blocked' line for 127.0.0.3"
waitfor bash -c "jq -se '[.[] | select(.event == \"blocked\" and .source == \"127.0.0.3\")] | length == 1' $tmp/audit.jsonl >/dev/null" ||
  fail "no 'blocked' audit record: $(cat "$tmp/audit.jsonl")"
b=$(lns blocked --json) || fail "l2tpctl blocked --json"
jq -e '.blocked[0].source == "127.0.0.3" and .blocked[0].failures == 1 and .blocked[0].remaining_seconds > 3500
       and .settings.failures == 1 and .ike.responder_dh == 3' <<<"$b" >/dev/null || fail "blocked --json: $b"
lns blocked | grep -Eq '^127\.0\.0\.3 +1 ' || fail "l2tpctl blocked: $(lns blocked)"
# A reload keeps the block (and its end).
lns reload >/dev/null || fail "reload"
lns blocked --json | jq -e '.blocked[0].source == "127.0.0.3" and .blocked[0].remaining_seconds > 3500' >/dev/null ||
  fail "the block did not survive a reload: $(lns blocked --json)"
start bad
"$ctl" -s "$tmp/bad.sock" connect office >/dev/null || fail "connect with the wrong key, blocked"
refused() { lns blocked --json | jq -e '.ike.refused_blocked >= 1' >/dev/null; }
waitfor refused || fail "Main Mode 1 of the blocked source not refused: $(lns blocked --json)"
jq -e '.ike.responder_dh == 3' <(lns blocked --json) >/dev/null || fail "a DH for the blocked source"
stop bad
err=$(lns unblock 127.0.0.9 2>&1); rc=$?
[[ $rc == 1 && $err == "l2tpctl: 127.0.0.9 is not blocked" ]] || fail "unblock 127.0.0.9: $rc $err"
err=$(lns unblock 127.0.0.300 2>&1); rc=$?
[[ $rc == 1 && $err == "l2tpctl: '127.0.0.300' is not an IP address" ]] || fail "unblock 127.0.0.300: $rc $err"
lns unblock 127.0.0.3 | grep -q "^127.0.0.3: unblocked (1 failed authentications, blocked for" || fail "unblock"
grep -q "blocking: 127.0.0.3 unblocked after .* (lifted by l2tpctl unblock)" "$tmp/lns.log" || fail "no unblocked line"
jq -se '[.[] | select(.event == "unblocked" and .reason == "unblocked")] | length == 1' "$tmp/audit.jsonl" \
  >/dev/null || fail "no 'unblocked' audit record"
lns blocked --json | jq -e '.blocked == []' >/dev/null || fail "still blocked"

# L2TP without IPsec: refused (StopCCN) at the LNS, with the reason logged.
LAC_IPSEC=off write_lac clear 127.0.0.4
start clear
"$ctl" -s "$tmp/clear.sock" connect office >/dev/null || fail "connect without IPsec"
waitfor grep -q 'ipsec = "required" and no IPsec SA protects 127.0.0.4:'$l2tp_port "$tmp/lns.log" ||
  fail "a clear L2TP peer was not refused"
lns tunnels --json | jq -e '[.tunnels[] | select(.peer | startswith("127.0.0.4")) | select(.state == "established")]
  | length == 0' >/dev/null || fail "a tunnel without IPsec"
stop clear

# SIGTERM of the LAC: StopCCN, then Delete notifications; the LNS drops the SAs.
kill -TERM "${pid[lac]}"
waitfor bash -c "! kill -0 ${pid[lac]} 2>/dev/null" || fail "LAC still running after SIGTERM"
wait "${pid[lac]}"; rc=$?
[[ $rc == 0 ]] || fail "LAC exit status $rc"
waitfor no_sas || fail "SAs still at the LNS after the LAC stopped: $(lns sas --json)"
grep -q "closed 1 ISAKMP SA(s); Delete notifications sent" "$tmp/lac.log" || fail "no Delete at LAC shutdown"
waitfor bash -c "[[ \$($ctl -s $tmp/lns.sock tunnels --json | jq '[.tunnels[] | select(.state == \"established\")] | length') == 0 ]]" ||
  fail "LNS tunnel still established after the LAC stopped"
stop lns; pids=()
echo "ok: LAC and LNS daemons over IKEv1 + L2TP on loopback"
